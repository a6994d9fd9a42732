// SPDX-License-Identifier: MIT
/*
 * asm.c - the assembler's driver: reads the text line by line into a unit
 * (sections, instructions, symbols, maps), resolves labels and symbol
 * references, and returns an object (bk_asm) or bare bytecode (bk_asm_raw).
 *
 * Lines: comments start with '#' (at the start of a line or after blanks),
 * '//' or ';' and run to the end of the line.  A statement may start with a
 * verifier-log index ("12:"), labels ("name:") and a kernel opcode prefix
 * ("(b7)"); it is then a directive or an instruction in any of the three
 * syntaxes, told apart by its shape (asm_llvm.c, asm_ubpf.c).
 *
 * A conformance test file (a line "-- asm") is assembled from its asm
 * section alone, keeping the file's line numbers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "asm_int.h"

#define OPT(o, f, def) ((o) && (o)->sz > offsetof(__typeof__(*(o)), f) && (o)->f ? (o)->f : (def))

/* ---- symbols ------------------------------------------------------------- */

static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static int rehash(struct asm_unit *u)
{
	size_t cap = u->hcap ? u->hcap * 2 : 64;
	int *h = malloc(cap * sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++)
		h[i] = -1;
	for (size_t i = 0; i < u->nsyms; i++) {
		size_t k = name_hash(u->syms[i].name, strlen(u->syms[i].name)) & (cap - 1);

		while (h[k] >= 0)
			k = (k + 1) & (cap - 1);
		h[k] = (int)i;
	}
	free(u->hash);
	u->hash = h;
	u->hcap = cap;
	return 0;
}

struct asm_sym *asm_sym_get(struct asm_state *st, const char *name, size_t len, bool create)
{
	struct asm_unit *u = &st->u;
	size_t k;

	if (u->hcap) {
		k = name_hash(name, len) & (u->hcap - 1);
		for (; u->hash[k] >= 0; k = (k + 1) & (u->hcap - 1)) {
			struct asm_sym *s = &u->syms[u->hash[k]];

			if (strlen(s->name) == len && !memcmp(s->name, name, len))
				return s;
		}
	}
	if (!create)
		return NULL;
	if ((u->nsyms + 1) * 2 > u->hcap && rehash(u))
		return NULL;
	if (u->nsyms == u->symcap) {
		size_t cap = u->symcap ? u->symcap * 2 : 64;
		struct asm_sym *n = realloc(u->syms, cap * sizeof(*n));

		if (!n)
			return NULL;
		u->syms = n;
		u->symcap = cap;
	}
	struct asm_sym *s = &u->syms[u->nsyms];

	memset(s, 0, sizeof(*s));
	s->name = asm_strndup(&u->arena, name, len);
	if (!s->name)
		return NULL;
	s->sec = -1;
	s->map = -1;
	s->line = st->line;
	k = name_hash(name, len) & (u->hcap - 1);
	while (u->hash[k] >= 0)
		k = (k + 1) & (u->hcap - 1);
	u->hash[k] = (int)u->nsyms++;
	return s;
}

/* ---- sections ------------------------------------------------------------- */

static bool data_name(const char *n)
{
	static const char *const pre[] = {".data", ".rodata", ".bss", ".kconfig"};

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t k = strlen(pre[i]);

		if (!strncmp(n, pre[i], k) && (n[k] == '\0' || n[k] == '.'))
			return true;
	}
	return false;
}

int asm_switch_section(struct asm_state *st, const char *name, size_t len, uint32_t col)
{
	struct asm_unit *u = &st->u;
	struct asm_sec *s;

	if (!len || len > 200)
		return asm_err(st, BK_E_ASM_DIRECTIVE, col, "bad section name");
	for (size_t i = 0; i < u->nsecs; i++) {
		if (strlen(u->secs[i].name) == len && !memcmp(u->secs[i].name, name, len)) {
			st->cur = (int)i;
			return 0;
		}
	}
	if ((len == 5 && !memcmp(name, ".maps", 5)) || (len == 7 && !memcmp(name, "license", 7)))
		return asm_err(st, BK_E_ASM_DIRECTIVE, col,
			       "section '%.*s' is written by the assembler: use .map / .license",
			       (int)len, name);
	if (u->nsecs == u->seccap) {
		size_t cap = u->seccap ? u->seccap * 2 : 8;
		struct asm_sec *n = realloc(u->secs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		u->secs = n;
		u->seccap = cap;
	}
	s = &u->secs[u->nsecs];
	memset(s, 0, sizeof(*s));
	s->name = asm_strndup(&u->arena, name, len);
	if (!s->name)
		return -ENOMEM;
	s->code = !data_name(s->name);
	s->bss = !strncmp(s->name, ".bss", 4);
	s->line = st->line;
	st->cur = (int)u->nsecs++;
	return 0;
}

static int need_section(struct asm_state *st, bool code, uint32_t col)
{
	if (st->cur < 0) {
		const char *n = code ? st->default_section : ".data";
		int err = asm_switch_section(st, n, strlen(n), col);

		if (err)
			return err;
	}
	if (st->u.secs[st->cur].code != code)
		return asm_err(st, code ? BK_E_ASM_SYNTAX : BK_E_ASM_DIRECTIVE, col,
			       "%s in section '%s', which holds %s", code ? "instruction" : "data",
			       st->u.secs[st->cur].name, code ? "data" : "code");
	return 0;
}

int asm_add_insn(struct asm_state *st, const struct bk_dinsn *d, uint32_t col,
		 struct asm_insn **out)
{
	const struct bk_op_info *oi = bk_op_info(d->op);
	struct asm_sec *s;
	struct asm_insn *in;
	int err = need_section(st, true, col);

	if (err)
		return err;
	if (st->kernel_opc >= 0 && oi->opcode != st->kernel_opc)
		return asm_err(st, BK_E_ASM_OPERANDS, col,
			       "the instruction is opcode (%02x), not (%02x) as its prefix says",
			       oi->opcode, st->kernel_opc);
	s = &st->u.secs[st->cur];
	if (s->nslots > 0x7fffffff / 8 - 2)
		return asm_err(st, BK_E_ASM_RANGE, col, "section '%s' is too large", s->name);
	if (s->ninsns == s->icap) {
		size_t cap = s->icap ? s->icap * 2 : 64;
		struct asm_insn *n = realloc(s->insns, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->insns = n;
		s->icap = cap;
	}
	in = &s->insns[s->ninsns++];
	memset(in, 0, sizeof(*in));
	in->d = *d;
	in->d.slots = oi->fmt == BK_FMT_LDDW ? 2 : 1;
	in->line = st->line;
	in->col = col;
	in->pc = s->nslots;
	s->nslots += in->d.slots;
	if (d->op == BK_OP_EXIT && st->first_exit_sec < 0) {
		st->first_exit_sec = st->cur;
		st->first_exit_pc = in->pc;
	}
	if (out)
		*out = in;
	return 0;
}

int asm_add_bytes(struct asm_state *st, const void *b, size_t n, uint32_t col)
{
	struct asm_sec *s;
	int err = need_section(st, false, col);

	if (err)
		return err;
	s = &st->u.secs[st->cur];
	if (n > ASM_MAX_DATA || s->size + n > ASM_MAX_DATA)
		return asm_err(st, BK_E_ASM_RANGE, col, "data section '%s' would exceed %u MiB",
			       s->name, ASM_MAX_DATA >> 20);
	if (s->bss) {
		for (size_t i = 0; b && i < n; i++)
			if (((const uint8_t *)b)[i])
				return asm_err(st, BK_E_ASM_DIRECTIVE, col,
					       "'%s' holds zeroes only: use .zero or .space",
					       s->name);
		s->size += n;
		return 0;
	}
	if (!n)
		return 0;
	if (s->size + n > s->bcap) {
		size_t cap = s->bcap ? s->bcap : 64;
		uint8_t *nb;

		while (cap < s->size + n)
			cap *= 2;
		nb = realloc(s->bytes, cap);
		if (!nb)
			return -ENOMEM;
		s->bytes = nb;
		s->bcap = cap;
	}
	if (b)
		memcpy(s->bytes + s->size, b, n);
	else
		memset(s->bytes + s->size, 0, n);
	s->size += n;
	return 0;
}

int asm_add_map(struct asm_state *st, const struct bk_map_def *def, uint32_t col)
{
	struct asm_unit *u = &st->u;
	struct asm_sym *s = asm_sym_get(st, def->name, strlen(def->name), true);

	if (!s)
		return -ENOMEM;
	if (s->sec != -1 || s->map >= 0 || s->is_extern)
		return asm_err(st, BK_E_ASM_LABEL, col, "'%s' is already defined (line %u)",
			       def->name, s->line);
	if (u->nmaps == u->mapcap) {
		size_t cap = u->mapcap ? u->mapcap * 2 : 8;
		struct bk_map_def *n = realloc(u->maps, cap * sizeof(*n));
		uint32_t *l;

		if (!n)
			return -ENOMEM;
		u->maps = n;
		l = realloc(u->map_line, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		u->map_line = l;
		u->mapcap = cap;
	}
	u->maps[u->nmaps] = *def;
	u->maps[u->nmaps].name = s->name;
	u->map_line[u->nmaps] = st->line;
	s->map = (int)u->nmaps++;
	s->sec = -2;
	s->global = true;
	s->object = true;
	s->line = st->line;
	s->col = col;
	return 0;
}

/* ---- the instruction table ---------------------------------------------- */

int asm_find_op(const char *name, size_t len, bool ubpf, int fmt, int cls)
{
	for (unsigned op = 0; op < BK_OP__COUNT; op++) {
		const struct bk_op_info *oi = bk_op_info(op);
		const char *n = ubpf ? oi->ubpf : oi->llvm;

		if (fmt >= 0 && oi->fmt != fmt)
			continue;
		if (cls >= 0 && (int)bk_opc_class(oi->opcode) != cls)
			continue;
		if (strlen(n) == len && !memcmp(n, name, len))
			return (int)op;
	}
	return -1;
}

int asm_op_by_code(uint8_t opcode, int32_t dval)
{
	for (unsigned op = 0; op < BK_OP__COUNT; op++) {
		const struct bk_op_info *oi = bk_op_info(op);

		if (oi->opcode == opcode && (oi->disc == BK_DISC_NONE || oi->dval == dval))
			return (int)op;
	}
	return -1;
}

/* ---- statements ------------------------------------------------------------- */

static int define_label(struct asm_state *st, const struct asm_tok *t)
{
	struct asm_sym *s;
	struct asm_sec *sec;
	int err;

	if (t->s[0] == '%' || asm_tok_is_reg(t))
		return asm_err(st, BK_E_ASM_LABEL, t->col, "'%.*s' cannot be a label", (int)t->len,
			       t->s);
	if (st->cur < 0) {
		err = asm_switch_section(st, st->default_section, strlen(st->default_section),
					 t->col);
		if (err)
			return err;
	}
	s = asm_sym_get(st, t->s, t->len, true);
	if (!s)
		return -ENOMEM;
	if (s->sec != -1 || s->map >= 0)
		return asm_err(st, BK_E_ASM_LABEL, t->col,
			       "label '%.*s' is already defined (line %u)", (int)t->len, t->s,
			       s->line);
	if (s->is_extern)
		return asm_err(st, BK_E_ASM_LABEL, t->col, "'%.*s' was declared .extern",
			       (int)t->len, t->s);
	sec = &st->u.secs[st->cur];
	s->sec = st->cur;
	s->off = sec->code ? sec->nslots * 8 : (uint32_t)sec->size;
	if (!sec->code)
		s->object = true;
	s->line = st->line;
	s->col = t->col;
	return 0;
}

/* Verifier-log line start "12: (b7) ": skips it, noting the opcode the
 * instruction must have.  Returns where the statement's text starts. */
static const char *kernel_prefix(struct asm_state *st, const char *p, const char *e)
{
	const char *q = p;
	unsigned v = 0;

	st->kernel_opc = -1;
	while (q < e && (*q == ' ' || *q == '\t'))
		q++;
	if (q < e && *q >= '0' && *q <= '9') {
		const char *r = q;

		while (r < e && *r >= '0' && *r <= '9')
			r++;
		if (r < e && *r == ':') {
			q = r + 1;
			while (q < e && (*q == ' ' || *q == '\t'))
				q++;
		}
	}
	if (e - q < 4 || q[0] != '(' || q[3] != ')')
		return p;
	for (int i = 1; i <= 2; i++) {
		char h = q[i];

		if (h >= '0' && h <= '9')
			v = v * 16 + (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v = v * 16 + (unsigned)(h - 'a' + 10);
		else
			return p;
	}
	st->kernel_opc = (int)v;
	return q + 4;
}

static int statement(struct asm_state *st)
{
	const struct asm_tok *t;
	int r, save;

	while (asm_peek(st, 0)->kind == TK_IDENT && asm_tok_is(asm_peek(st, 1), ":")) {
		r = define_label(st, asm_peek(st, 0));
		if (r)
			return r;
		asm_next(st);
		asm_next(st);
	}
	t = asm_peek(st, 0);
	if (t->kind == TK_END) {
		if (st->kernel_opc >= 0)
			return asm_err(st, BK_E_ASM_SYNTAX, t->col, "expected an instruction");
		return 0;
	}
	if (t->kind == TK_IDENT && t->s[0] == '.' && st->kernel_opc < 0)
		return asm_directive(st);
	save = st->pos;
	r = asm_stmt_llvm(st);
	if (r != 1)
		return r;
	st->pos = save;
	r = asm_stmt_ubpf(st);
	if (r != 1)
		return r;
	if (t->kind == TK_IDENT)
		return asm_err(st, BK_E_ASM_MNEMONIC, t->col, "unknown mnemonic '%.*s'",
			       (int)t->len, t->s);
	return asm_err(st, BK_E_ASM_SYNTAX, t->col, "cannot read an instruction here");
}

/* End of the statement text on [p, e): cuts comments. */
static const char *cut_comment(const char *p, const char *e)
{
	const char *s = p;
	bool in_str = false;

	for (; p < e; p++) {
		if (in_str) {
			if (*p == '\\' && p + 1 < e)
				p++;
			else if (*p == '"')
				in_str = false;
			continue;
		}
		if (*p == '"')
			in_str = true;
		else if (*p == ';' || (*p == '/' && p + 1 < e && p[1] == '/'))
			return p;
		else if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t' || p[-1] == ','))
			return p;
	}
	return e;
}

/* Bounds of the "-- asm" section of a conformance test file.  Returns 0
 * when the text is no such file, 1 with [*from, *to) set, or -1 for a test
 * file without an asm section (*from: its first section line). */
static int conformance_asm(const char *p, const char *e, const char **from, const char **to)
{
	const char *start = NULL, *first = NULL;

	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p)), *le = nl ? nl : e;

		if (le - p >= 3 && p[0] == '-' && p[1] == '-' && p[2] == ' ') {
			const char *q = p + 2;

			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			if (start) {
				*to = p;
				break;
			}
			first = first ? first : p;
			if (le - q >= 3 && !memcmp(q, "asm", 3)) {
				const char *r = q + 3;

				while (r < le && (*r == ' ' || *r == '\t' || *r == '\r'))
					r++;
				if (r == le) {
					start = nl ? nl + 1 : e;
					*to = e;
				}
			}
		}
		p = nl ? nl + 1 : e;
	}
	*from = start ? start : first;
	return start ? 1 : first ? -1 : 0;
}

static uint32_t line_of(const char *src, const char *at)
{
	uint32_t l = 1;

	for (const char *q = src; q < at; q++)
		l += *q == '\n';
	return l;
}

static int assemble_lines(struct asm_state *st)
{
	const char *p = st->src, *e = st->end, *from = NULL, *to = NULL;
	int conf = conformance_asm(p, e, &from, &to);

	if (conf < 0) {
		st->line = line_of(st->src, from);
		st->ntoks = 0;
		return asm_err(st, BK_E_PROG_EMPTY, 1,
			       "a conformance test file without an '-- asm' section");
	}
	st->line = 1;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p)), *le = nl ? nl : e;
		int err;

		if (!conf || (p >= from && p < to)) {
			const char *ce = cut_comment(p, le);

			st->lstart = p;
			err = asm_tokenize(st, kernel_prefix(st, p, ce), ce);
			if (!err)
				err = statement(st);
			if (err)
				return err;
		}
		if (memchr(p, '\0', (size_t)(le - p))) {
			st->lstart = p;
			st->ntoks = 0;
			return asm_err(
				st, BK_E_ASM_SYNTAX,
				(uint32_t)((const char *)memchr(p, '\0', (size_t)(le - p)) - p) + 1,
				"NUL byte in the text");
		}
		p = nl ? nl + 1 : e;
		st->line++;
	}
	if (conf && from == to) {
		/* Point at the "-- asm" line itself. */
		st->line = line_of(st->src, from) - 1;
		st->ntoks = 0;
		return asm_err(st, BK_E_PROG_EMPTY, 1, "the '-- asm' section is empty");
	}
	return 0;
}

/* ---- resolution ------------------------------------------------------------ */

static int err_at(struct asm_state *st, const struct asm_insn *in, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int err_at(struct asm_state *st, const struct asm_insn *in, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bk_diag__vset(st->diag, code, -1, fmt, ap);
	va_end(ap);
	if (st->diag) {
		st->diag->file = st->file;
		st->diag->line = (int)in->line;
		st->diag->col = (int)(in->tcol ? in->tcol : in->col);
	}
	return -code;
}

/* pc-relative distance from the slot after in to target slot t. */
static int rel_target(struct asm_state *st, struct asm_insn *in, int64_t t, bool imm_field)
{
	int64_t rel = t - (int64_t)in->pc - 1;

	if (imm_field ? (rel < INT32_MIN || rel > INT32_MAX) : (rel < INT16_MIN || rel > INT16_MAX))
		return err_at(st, in, BK_E_ASM_RANGE,
			      "'%s' is %lld instructions away: out of range for a %s offset",
			      in->target, (long long)rel, imm_field ? "32-bit" : "16-bit");
	if (imm_field)
		in->d.imm = (int32_t)rel;
	else
		in->d.off = (int16_t)rel;
	return 0;
}

static int resolve_jump(struct asm_state *st, int sec, struct asm_insn *in)
{
	struct asm_sym *s = asm_sym_get(st, in->target, strlen(in->target), false);
	bool imm_field;

	if (!s || s->sec == -1) {
		/* ubpf/conformance: "exit" names the first exit instruction. */
		if (!strcmp(in->target, "exit") && st->first_exit_sec == sec) {
			imm_field = in->fix == FIX_JMP_IMM;
			in->fix = FIX_NONE;
			return rel_target(st, in, st->first_exit_pc, imm_field);
		}
		return err_at(st, in, BK_E_ASM_LABEL, "undefined label '%s'", in->target);
	}
	if (s->sec != sec)
		return err_at(st, in, BK_E_ASM_LABEL, "label '%s' is in section '%s', not in '%s'",
			      in->target, s->sec >= 0 ? st->u.secs[s->sec].name : ".maps",
			      st->u.secs[sec].name);
	imm_field = in->fix == FIX_JMP_IMM;
	in->fix = FIX_NONE;
	return rel_target(st, in, s->off / 8, imm_field);
}

static int resolve_call(struct asm_state *st, int sec, struct asm_insn *in, bool raw)
{
	struct asm_sym *s = asm_sym_get(st, in->target, strlen(in->target), false);
	int id;

	if (s && s->sec >= 0 && !st->u.secs[s->sec].code)
		return err_at(st, in, BK_E_ASM_SYMBOL, "'%s' is data, not a function", in->target);
	if (s && s->map >= 0)
		return err_at(st, in, BK_E_ASM_SYMBOL, "'%s' is a map, not a function", in->target);
	if (s && s->sec == sec && (!s->global || raw)) {
		in->d.op = BK_OP_CALL_LOCAL;
		in->fix = FIX_NONE;
		return rel_target(st, in, s->off / 8, true);
	}
	if (s && (s->sec >= 0 || s->is_extern)) {
		if (raw)
			return err_at(st, in, BK_E_ASM_SYMBOL,
				      "call to '%s' needs a relocation, which raw bytecode cannot "
				      "hold",
				      in->target);
		in->d.op = BK_OP_CALL_LOCAL;
		in->d.imm = s->global || s->is_extern ? -1 : (int32_t)(s->off / 8) - 1;
		return 0;
	}
	id = asm_helper_id(in->target, strlen(in->target));
	if (id >= 0) {
		in->d.op = BK_OP_CALL;
		in->d.imm = id;
		in->fix = FIX_NONE;
		return 0;
	}
	return err_at(st, in, BK_E_ASM_SYMBOL,
		      "call to undefined '%s' (not a label, helper or .extern)", in->target);
}

static int resolve_lddw(struct asm_state *st, struct asm_insn *in, bool raw)
{
	struct asm_sym *s = asm_sym_get(st, in->target, strlen(in->target), false);
	bool is_sec = false;

	if (!s || (s->sec == -1 && !s->is_extern)) {
		for (size_t i = 0; i < st->u.nsecs; i++) {
			if (strcmp(st->u.secs[i].name, in->target))
				continue;
			if (st->u.secs[i].code)
				return err_at(st, in, BK_E_ASM_SYMBOL,
					      "'%s' is a code section: name the function",
					      in->target);
			is_sec = true;
		}
		if (!is_sec)
			return err_at(st, in, BK_E_ASM_SYMBOL, "undefined symbol '%s'", in->target);
	}
	if (in->want_map && (!s || s->map < 0))
		return err_at(st, in, BK_E_ASM_SYMBOL, "'%s' is not a map (see .map)", in->target);
	if (raw)
		return err_at(st, in, BK_E_ASM_SYMBOL,
			      "'%s' needs a relocation, which raw bytecode cannot hold",
			      in->target);
	int64_t imm = in->addend;

	if (s && !is_sec && s->sec >= 0 && !s->global)
		imm += s->off; /* relocated against the section */
	if (imm < INT32_MIN || imm > INT32_MAX)
		return err_at(st, in, BK_E_ASM_RANGE, "offset %lld from '%s' is out of range",
			      (long long)imm, in->target);
	in->d.imm = (int32_t)imm;
	in->d.imm2 = 0;
	return 0;
}

static int resolve(struct asm_state *st, bool raw)
{
	for (size_t i = 0; i < st->u.nsecs; i++) {
		struct asm_sec *sec = &st->u.secs[i];

		for (size_t k = 0; k < sec->ninsns; k++) {
			struct asm_insn *in = &sec->insns[k];
			int err = 0;

			switch (in->fix) {
			case FIX_JMP:
			case FIX_JMP_IMM:
				err = resolve_jump(st, (int)i, in);
				break;
			case FIX_FUNC: {
				struct asm_sym *s =
					asm_sym_get(st, in->target, strlen(in->target), false);

				if (!s || s->sec != (int)i)
					return err_at(st, in, BK_E_ASM_LABEL,
						      "func[%s]: no such label in this section",
						      in->target);
				in->fix = FIX_NONE;
				err = rel_target(st, in, s->off / 8, true);
				break;
			}
			case FIX_CALL:
				err = resolve_call(st, (int)i, in, raw);
				break;
			case FIX_LDDW:
				err = resolve_lddw(st, in, raw);
				break;
			default:
				break;
			}
			if (err)
				return err;
		}
	}
	return 0;
}

/* ---- entry points ------------------------------------------------------------ */

static void state_init(struct asm_state *st, const char *text, size_t len,
		       const struct bk_asm_opts *opts, struct bk_diag *diag)
{
	memset(st, 0, sizeof(*st));
	st->src = text;
	st->end = text + len;
	st->file = OPT(opts, file, "<asm>");
	st->default_section = OPT(opts, default_section, ".text");
	st->diag = diag;
	st->cur = -1;
	st->first_exit_sec = -1;
	st->kernel_opc = -1;
	bk_diag__init(diag);
}

static void state_free(struct asm_state *st)
{
	for (size_t i = 0; i < st->u.nsecs; i++) {
		free(st->u.secs[i].insns);
		free(st->u.secs[i].bytes);
	}
	free(st->u.secs);
	free(st->u.syms);
	free(st->u.hash);
	free(st->u.maps);
	free(st->u.map_line);
	asm_arena_free(st->u.arena);
}

static int run(struct asm_state *st, bool raw)
{
	int err;

	if (!st->src && st->end != st->src)
		return -EINVAL;
	err = assemble_lines(st);
	if (!err)
		err = resolve(st, raw);
	if (err == -ENOMEM)
		bk_diag__set(st->diag, ENOMEM, -1, "out of memory");
	return err;
}

int bk_asm(const char *text, size_t len, const struct bk_asm_opts *opts, struct bk_obj **out,
	   struct bk_diag *diag)
{
	struct asm_state st;
	int err;

	*out = NULL;
	state_init(&st, text, len, opts, diag);
	err = run(&st, false);
	if (!err)
		err = asm_unit_to_obj(&st, out);
	state_free(&st);
	return err;
}

/* Writes the chosen code section's instructions. */
static int flatten(struct asm_state *st, const char *want, struct bk_insn **insns, size_t *cnt)
{
	struct asm_sec *pick = NULL;
	struct bk_insn *o;
	size_t ncode = 0;

	for (size_t i = 0; i < st->u.nsecs; i++) {
		struct asm_sec *s = &st->u.secs[i];

		if (want ? !strcmp(s->name, want) : s->code && s->ninsns) {
			pick = pick ? pick : s;
			ncode++;
		}
	}
	st->line = 0;
	st->ntoks = 0;
	if (!pick) {
		bk_diag__set(st->diag, want ? BK_E_NO_PROG : BK_E_PROG_EMPTY, -1,
			     want ? "no section '%s'" : "no instructions%s", want ? want : "");
		if (st->diag)
			st->diag->file = st->file;
		return want ? -BK_E_NO_PROG : -BK_E_PROG_EMPTY;
	}
	if (ncode > 1 && !want) {
		bk_diag__set(st->diag, BK_E_NO_PROG, -1,
			     "%zu code sections: pick the one to write (section '%s', ...)", ncode,
			     pick->name);
		if (st->diag)
			st->diag->file = st->file;
		return -BK_E_NO_PROG;
	}
	if (!pick->code || !pick->nslots) {
		bk_diag__set(st->diag, BK_E_PROG_EMPTY, -1, "section '%s' has no instructions",
			     pick->name);
		if (st->diag)
			st->diag->file = st->file;
		return -BK_E_PROG_EMPTY;
	}
	o = calloc(pick->nslots, sizeof(*o));
	if (!o)
		return -ENOMEM;
	for (size_t k = 0; k < pick->ninsns; k++) {
		int n = bk_encode(&pick->insns[k].d, &o[pick->insns[k].pc]);

		if (n < 0) {
			free(o);
			return err_at(st, &pick->insns[k], -n, "cannot encode this instruction");
		}
	}
	*insns = o;
	*cnt = pick->nslots;
	return 0;
}

int bk_asm_raw(const char *text, size_t len, const struct bk_asm_opts *opts, struct bk_insn **insns,
	       size_t *cnt, struct bk_diag *diag)
{
	struct asm_state st;
	int err;

	*insns = NULL;
	*cnt = 0;
	state_init(&st, text, len, opts, diag);
	err = run(&st, true);
	if (!err)
		err = flatten(&st, OPT(opts, section, NULL), insns, cnt);
	state_free(&st);
	return err;
}
