// SPDX-License-Identifier: MIT
/*
 * disasm_obj.c - whole objects (and raw bytecode) as assembler source that
 * bk_asm() reads back into the same instruction bytes and relocations.
 *
 * Order: .license, .map, .extern/.kconfig, data sections with their
 * variables, then code sections with function labels (.globl / .func),
 * jump-target labels (.L<sec>_<insn>, only when asked) and symbolic
 * operands for relocated instructions:
 *
 *   - a call against a function (or its section symbol) prints the name of
 *     the function at the target; against an extern, the extern's name;
 *   - an ld_imm64 of a map prints the map; of data, the global variable it
 *     names, else a local variable at the target offset, else SECTION + N;
 *     of code (a function address), the function at the target.
 *
 * The assembler's rules (local symbols relocate against their section
 * with the offset in imm, global ones against themselves) reproduce the
 * immediates clang writes.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm_int.h"

#define OPT(o, f, def) ((o) && (o)->sz > offsetof(__typeof__(*(o)), f) ? (o)->f : (def))

/* ---- growing text buffer --------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_put(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 4096;
		char *np;

		while (cap - b->len <= (size_t)n)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
}

/* ".section NAME", quoting NAME unless it is made of characters the
 * assembler reads unquoted (letters, digits and _ . / : + -). */
static void put_section(struct sbuf *b, const char *name)
{
	bool plain = *name != '\0';

	for (const char *p = name; *p && plain; p++)
		plain = isalnum((unsigned char)*p) || strchr("_./:+-", *p);
	if (plain) {
		sb_put(b, "\n\t.section %s\n", name);
		return;
	}
	sb_put(b, "\n\t.section \"");
	for (const char *p = name; *p; p++)
		sb_put(b, *p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
	sb_put(b, "\"\n");
}

/* ---- one code section ---------------------------------------------------------- */

struct dctx {
	const struct bk_obj *obj; /* NULL for raw bytecode */
	const struct bk_disasm_opts *opts;
	struct sbuf out;
	struct bk_disasm_line *lines;
	size_t nlines, lcap;
	struct bk_diag *diag;
	char **names; /* every symbol, map and extern name, for helper shadowing */
	size_t nnames, ncap;
	char **externs; /* extern names (kconfig ones start with '\1') */
	size_t nexterns, ecap;
};

static int push_name(char ***arr, size_t *n, size_t *cap, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*arr)[i], s))
			return 0;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 32;
		char **na = realloc(*arr, c * sizeof(*na));

		if (!na)
			return -ENOMEM;
		*arr = na;
		*cap = c;
	}
	(*arr)[*n] = strdup(s);
	if (!(*arr)[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static bool has_name(const struct dctx *c, const char *s)
{
	for (size_t i = 0; i < c->nnames; i++)
		if (!strcmp(c->names[i], s))
			return true;
	return false;
}

/* The code section named n, or whose function symbol is n (*base: its offset). */
static int code_sec_of(const struct bk_obj *obj, const char *n, uint32_t *base)
{
	for (size_t i = 0; i < bk_obj__sec_cnt(obj); i++)
		if (!strcmp(bk_obj__sec(obj, i)->name, n)) {
			*base = 0;
			return (int)i;
		}
	for (size_t i = 0; i < bk_obj__sec_cnt(obj); i++) {
		const struct bk_sec *s = bk_obj__sec(obj, i);

		for (size_t k = 0; k < s->nsyms; k++)
			if (!strcmp(s->syms[k].name, n)) {
				*base = s->syms[k].off;
				return (int)i;
			}
	}
	return -1;
}

static const struct bk_sym *func_at(const struct bk_sec *s, uint32_t off)
{
	for (size_t k = 0; k < s->nsyms; k++)
		if (s->syms[k].off == off)
			return &s->syms[k];
	return NULL;
}

static bool func_at_name(const struct bk_sec *s, const char *n)
{
	for (size_t k = 0; k < s->nsyms; k++)
		if (!strcmp(s->syms[k].name, n))
			return true;
	return false;
}

static int data_sec_of(const struct bk_obj *obj, const char *n, uint32_t *base, bool *global)
{
	*global = false;
	for (size_t i = 0; i < bk_obj__data_sec_cnt(obj); i++)
		if (!strcmp(bk_obj__data_sec(obj, i)->name, n)) {
			*base = 0;
			return (int)i;
		}
	for (size_t i = 0; i < bk_obj__data_sec_cnt(obj); i++) {
		const struct bk_data_sec *s = bk_obj__data_sec(obj, i);

		for (size_t k = 0; k < s->nsyms; k++)
			if (!strcmp(s->syms[k].name, n)) {
				*base = s->syms[k].off;
				*global = s->syms[k].global;
				return (int)i;
			}
	}
	return -1;
}

/* Symbolic operand of a relocated instruction; sym->sym points into buf. */
static void reloc_operand(struct dctx *c, const struct bk_sec_reloc *r, const struct bk_dinsn *d,
			  struct bk_disasm_sym *sym, char *buf, size_t size)
{
	const struct bk_obj *obj = c->obj;
	uint32_t base = 0;
	bool global;
	int s;

	snprintf(buf, size, "%s", r->sym);
	sym->sym = buf;
	if (d->op == BK_OP_CALL_LOCAL || d->op == BK_OP_CALL_KFUNC || d->op == BK_OP_LDDW) {
		bool call = d->op != BK_OP_LDDW;

		if (!call && bk_obj__find_map(obj, r->sym) >= 0) {
			sym->map = true;
			sym->addend = d->imm;
			return;
		}
		s = code_sec_of(obj, r->sym, &base);
		if (s >= 0) {
			const struct bk_sec *cs = bk_obj__sec(obj, (size_t)s);
			int64_t t = call ? ((int64_t)base / 8 + d->imm + 1) * 8
					 : (int64_t)base + d->imm;
			const struct bk_sym *f = t >= 0 ? func_at(cs, (uint32_t)t) : NULL;

			if (f)
				snprintf(buf, size, "%s", f->name);
			return;
		}
		if (call)
			return;
		s = data_sec_of(obj, r->sym, &base, &global);
		if (s >= 0) {
			const struct bk_data_sec *ds = bk_obj__data_sec(obj, (size_t)s);
			int64_t t = (int64_t)base + d->imm;

			if (global) {
				sym->addend = d->imm;
				return;
			}
			for (size_t k = 0; k < ds->nsyms; k++)
				if (!ds->syms[k].global && ds->syms[k].off == t) {
					snprintf(buf, size, "%s", ds->syms[k].name);
					return;
				}
			snprintf(buf, size, "%s", ds->name);
			sym->addend = t;
			return;
		}
		/* An extern: ksym or kconfig variable. */
		sym->addend = d->imm;
	}
}

static int add_line(struct dctx *c, const struct bk_disasm_line *l)
{
	if (c->nlines == c->lcap) {
		size_t cap = c->lcap ? c->lcap * 2 : 256;
		struct bk_disasm_line *n = realloc(c->lines, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->lines = n;
		c->lcap = cap;
	}
	c->lines[c->nlines++] = *l;
	return 0;
}

static bool has_reloc(const struct bk_sec *s, size_t i)
{
	for (size_t k = 0; k < s->nrelocs; k++)
		if (s->relocs[k].insn == i)
			return true;
	return false;
}

static int64_t jump_target(const struct bk_dinsn *d, size_t pc)
{
	const struct bk_op_info *oi = bk_op_info(d->op);

	switch (oi->fmt) {
	case BK_FMT_JA:
	case BK_FMT_JCOND:
	case BK_FMT_JMP_K:
	case BK_FMT_JMP_X:
		return (int64_t)pc + 1 + d->off;
	case BK_FMT_JA32:
	case BK_FMT_CALL_LOCAL:
		return (int64_t)pc + 1 + d->imm;
	case BK_FMT_LDDW:
		return d->op == BK_OP_LDDW_FUNC ? (int64_t)pc + 1 + d->imm : -1;
	default:
		return -1;
	}
}

static int code_section(struct dctx *c, const struct bk_sec *s, uint32_t si)
{
	const struct bk_disasm_opts *o = c->opts;
	struct bk_dinsn *d = calloc(s->cnt ? s->cnt : 1, sizeof(*d));
	char **label = calloc(s->cnt ? s->cnt : 1, sizeof(*label));
	const char *func = NULL;
	int err = 0;

	if (!d || !label) {
		err = -ENOMEM;
		goto out;
	}
	err = bk_decode_prog(s->insns, s->cnt, d, c->diag);
	if (err) {
		if (c->diag && c->obj) {
			char m[sizeof(c->diag->msg)];
			int n = snprintf(m, sizeof(m), "section '%.100s': ", s->name);

			snprintf(m + n, sizeof(m) - (size_t)n, "%.*s", (int)(sizeof(m) - 120),
				 c->diag->msg);
			memcpy(c->diag->msg, m, sizeof(m));
		}
		goto out;
	}
	for (size_t i = 0; i < s->cnt; i++) {
		int64_t t = jump_target(&d[i], i);
		bool call = d[i].op == BK_OP_CALL_LOCAL || d[i].op == BK_OP_LDDW_FUNC;
		char n[48];

		if (!d[i].slots || t < 0 || (size_t)t >= s->cnt || !d[t].slots || label[t] ||
		    has_reloc(s, i))
			continue;
		if (!OPT(o, labels, false) && !call)
			continue;
		if (func_at(s, (uint32_t)t * 8))
			continue;
		if (c->obj)
			snprintf(n, sizeof(n), ".L%u_%lld", si, (long long)t);
		else
			snprintf(n, sizeof(n), ".L%lld", (long long)t);
		label[t] = strdup(n);
		if (!label[t]) {
			err = -ENOMEM;
			goto out;
		}
	}
	if (c->obj)
		put_section(&c->out, s->name);
	for (size_t i = 0; i < s->cnt && !err; i++) {
		const struct bk_sym *f = func_at(s, (uint32_t)i * 8);
		struct bk_disasm_sym sym = {0};
		char text[512], sname[256];
		struct bk_disasm_line l;
		int64_t t = jump_target(&d[i], i);

		if (!d[i].slots)
			continue;
		if (f) {
			func = f->name;
			sb_put(&c->out, "%s\t%s %s\n", i ? "\n" : "",
			       f->global ? ".globl" : ".func", f->name);
			sb_put(&c->out, "%s:\n", f->name);
		}
		if (label[i])
			sb_put(&c->out, "%s:\n", label[i]);
		if (t >= 0 && (size_t)t < s->cnt) {
			const struct bk_sym *tf = func_at(s, (uint32_t)t * 8);
			bool call = d[i].op == BK_OP_CALL_LOCAL || d[i].op == BK_OP_LDDW_FUNC;

			if (tf && call)
				sym.target = tf->name;
			else if (label[t])
				sym.target = label[t];
			else if (tf && OPT(o, labels, false))
				sym.target = tf->name;
		}
		for (size_t k = 0; c->obj && k < s->nrelocs; k++)
			if (s->relocs[k].insn == i)
				reloc_operand(c, &s->relocs[k], &d[i], &sym, sname, sizeof(sname));
		if (d[i].op == BK_OP_CALL) {
			const char *hn = asm_helper_name((uint32_t)d[i].imm);

			sym.no_helper_name = hn && has_name(c, hn);
		}
		bk_disasm_insn_sym(&d[i], i, o, &sym, text, sizeof(text));
		sb_put(&c->out, "\t");
		l = (struct bk_disasm_line){.section = s->name,
					    .func = func,
					    .sec = si,
					    .insn = (uint32_t)i,
					    .text_off = (uint32_t)c->out.len,
					    .text_len = (uint32_t)strlen(text)};
		sb_put(&c->out, "%s\n", text);
		err = add_line(c, &l);
	}
out:
	for (size_t i = 0; label && i < s->cnt; i++)
		free(label[i]);
	free(label);
	free(d);
	return err;
}

/* ---- object-level directives ------------------------------------------------------ */

static void put_string(struct sbuf *b, const char *s)
{
	sb_put(b, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			sb_put(b, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			sb_put(b, "\\x%02x", ch);
		else
			sb_put(b, "%c", ch);
	}
	sb_put(b, "\"");
}

static void maps(struct dctx *c)
{
	for (size_t i = 0; i < bk_obj__map_cnt(c->obj); i++) {
		const struct bk_map_def *m = bk_obj__map(c->obj, i);
		const char *tn = bk_map_type_str(m->type);

		if (m->origin != BK_MAP_BTF && m->origin != BK_MAP_LEGACY)
			continue;
		sb_put(&c->out, "\t.map %s ", m->name);
		if (tn)
			sb_put(&c->out, "%s", tn);
		else
			sb_put(&c->out, "%u", m->type);
		sb_put(&c->out, " key=%u value=%u entries=%u", m->key_size, m->value_size,
		       m->max_entries);
		if (m->flags)
			sb_put(&c->out, " flags=0x%x", m->flags);
		if (m->pinning)
			sb_put(&c->out, " pinning=%u", m->pinning);
		if (m->map_extra)
			sb_put(&c->out, " extra=%u", m->map_extra);
		sb_put(&c->out, "\n");
	}
}

/* Bytes [at, end) of a data section: runs of 16 or more zeroes as .zero,
 * the rest as .byte lines of up to 16; b NULL for .bss. */
static void put_bytes(struct sbuf *o, const uint8_t *b, size_t at, size_t end)
{
	while (at < end) {
		size_t z = at, k;

		while (z < end && (!b || !b[z]))
			z++;
		if (z - at >= 16 || z == end) {
			sb_put(o, "\t.zero %zu\n", z - at);
			at = z;
			continue;
		}
		sb_put(o, "\t.byte ");
		for (k = at; k < end && k < at + 16; k++)
			sb_put(o, "%s0x%02x", k > at ? ", " : "", b[k]);
		sb_put(o, "\n");
		at = k;
	}
}

static bool skip_data(const char *n)
{
	return !strcmp(n, ".maps") || !strcmp(n, "maps") || !strncmp(n, "maps/", 5) ||
	       !strcmp(n, ".kconfig") || !strcmp(n, "license") || !strcmp(n, "version");
}

static void data_sections(struct dctx *c)
{
	for (size_t i = 0; i < bk_obj__data_sec_cnt(c->obj); i++) {
		const struct bk_data_sec *ds = bk_obj__data_sec(c->obj, i);
		const uint8_t *b = ds->bytes;
		size_t at = 0;

		if (skip_data(ds->name))
			continue;
		put_section(&c->out, ds->name);
		while (at < ds->size || at == 0) {
			size_t end = ds->size;

			for (size_t k = 0; k < ds->nsyms; k++) {
				const struct bk_sym *v = &ds->syms[k];

				if (v->off > at && v->off < end)
					end = v->off;
				if (v->off != at)
					continue;
				if (v->global)
					sb_put(&c->out, "\t.globl %s\n", v->name);
				sb_put(&c->out, "%s:\n", v->name);
				if (v->size)
					sb_put(&c->out, "\t.size %s, %u\n", v->name, v->size);
			}
			if (end == at)
				break;
			put_bytes(&c->out, b, at, end);
			at = end;
		}
	}
}

/* Names every symbol, map and extern; externs get a declaration. */
static int collect_names(struct dctx *c)
{
	const struct bk_obj *obj = c->obj;
	int err = 0;

	for (size_t i = 0; i < bk_obj__sec_cnt(obj) && !err; i++) {
		const struct bk_sec *s = bk_obj__sec(obj, i);
		uint32_t base;
		bool g;

		for (size_t k = 0; k < s->nsyms && !err; k++)
			err = push_name(&c->names, &c->nnames, &c->ncap, s->syms[k].name);
		for (size_t k = 0; k < s->nrelocs && !err; k++) {
			const struct bk_sec_reloc *r = &s->relocs[k];

			if (r->kind != BK_RELO_KFUNC && r->kind != BK_RELO_KSYM &&
			    r->kind != BK_RELO_KCONFIG)
				continue;
			if (code_sec_of(obj, r->sym, &base) >= 0 ||
			    data_sec_of(obj, r->sym, &base, &g) >= 0)
				continue;
			if (r->kind == BK_RELO_KCONFIG) {
				char kn[256];

				snprintf(kn, sizeof(kn), "\1%s", r->sym);
				err = push_name(&c->externs, &c->nexterns, &c->ecap, kn);
			} else {
				err = push_name(&c->externs, &c->nexterns, &c->ecap, r->sym);
			}
			if (!err)
				err = push_name(&c->names, &c->nnames, &c->ncap, r->sym);
		}
	}
	for (size_t i = 0; i < bk_obj__data_sec_cnt(obj) && !err; i++) {
		const struct bk_data_sec *s = bk_obj__data_sec(obj, i);

		for (size_t k = 0; k < s->nsyms && !err; k++)
			err = push_name(&c->names, &c->nnames, &c->ncap, s->syms[k].name);
	}
	for (size_t i = 0; i < bk_obj__map_cnt(obj) && !err; i++)
		err = push_name(&c->names, &c->nnames, &c->ncap, bk_obj__map(obj, i)->name);
	return err;
}

static void ctx_free(struct dctx *c)
{
	for (size_t i = 0; i < c->nnames; i++)
		free(c->names[i]);
	for (size_t i = 0; i < c->nexterns; i++)
		free(c->externs[i]);
	free(c->names);
	free(c->externs);
}

static int finish(struct dctx *c, int err, char **text, struct bk_disasm_line **lines,
		  size_t *nlines)
{
	if (!err && c->out.oom)
		err = -ENOMEM;
	if (!err && !c->out.p)
		sb_put(&c->out, "%s", "");
	if (!err && c->out.oom)
		err = -ENOMEM;
	if (err == -ENOMEM)
		bk_diag__set(c->diag, ENOMEM, -1, "out of memory");
	if (err) {
		free(c->out.p);
		free(c->lines);
		ctx_free(c);
		return err;
	}
	*text = c->out.p;
	if (lines) {
		*lines = c->lines;
		*nlines = c->nlines;
	} else {
		free(c->lines);
	}
	ctx_free(c);
	return 0;
}

int bk_disasm_obj(const struct bk_obj *obj, const struct bk_disasm_opts *opts, char **text,
		  struct bk_disasm_line **lines, size_t *nlines, struct bk_diag *diag)
{
	struct dctx c = {.obj = obj, .opts = opts, .diag = diag};
	const char *only = OPT(opts, section, NULL);
	const char *lic = bk_obj__license(obj);
	bool found = false;
	int err;

	bk_diag__init(diag);
	*text = NULL;
	if (lines)
		*lines = NULL, *nlines = 0;
	err = collect_names(&c);
	if (!only && !err) {
		if (lic) {
			sb_put(&c.out, "\t.license ");
			put_string(&c.out, lic);
			sb_put(&c.out, "\n");
		}
		maps(&c);
		for (size_t i = 0; i < c.nexterns; i++)
			sb_put(&c.out,
			       c.externs[i][0] == '\1' ? "\t.kconfig %s\n" : "\t.extern %s\n",
			       c.externs[i] + (c.externs[i][0] == '\1'));
		data_sections(&c);
	}
	for (size_t i = 0; i < bk_obj__sec_cnt(obj) && !err; i++) {
		const struct bk_sec *s = bk_obj__sec(obj, i);

		if (only && strcmp(s->name, only) && !func_at_name(s, only))
			continue;
		found = true;
		err = code_section(&c, s, (uint32_t)i);
	}
	if (!err && only && !found)
		err = bk_diag__set(diag, BK_E_NO_PROG, -1, "no section or function '%s'", only);
	return finish(&c, err, text, lines, nlines);
}

int bk_disasm_raw(const struct bk_insn *insns, size_t cnt, const struct bk_disasm_opts *opts,
		  char **text, struct bk_disasm_line **lines, size_t *nlines, struct bk_diag *diag)
{
	struct dctx c = {.opts = opts, .diag = diag};
	struct bk_sec s = {.name = "raw", .insns = insns, .cnt = cnt};

	bk_diag__init(diag);
	*text = NULL;
	if (lines)
		*lines = NULL, *nlines = 0;
	return finish(&c, code_section(&c, &s, 0), text, lines, nlines);
}
