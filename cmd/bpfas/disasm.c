// SPDX-License-Identifier: MIT
/*
 * disasm.c - bpfas -d: an ELF object (bk_obj__open_mem) or bare bytecode
 * (--raw) to assembler text (bk_disasm_obj / bk_disasm_raw), or with
 * --json to one object per instruction: index, section, function, bytes,
 * text and, where .BTF.ext line info has it, the source position.
 *
 * Bare bytecode may be binary, hex text, or a conformance test file whose
 * "-- raw" section holds 64-bit little-endian words ("0x...95") or bytes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfas.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One hex token of the text form into bytes; false when malformed. */
static bool hex_token(const char *t, size_t n, uint8_t *b, size_t *nb)
{
	bool word = n > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X');

	if (word) {
		uint64_t v = 0;

		t += 2;
		n -= 2;
		if (n != 16)
			return false;
		for (size_t i = 0; i < n; i++) {
			int h = hexval((unsigned char)t[i]);

			if (h < 0)
				return false;
			v = v << 4 | (uint64_t)h;
		}
		for (int i = 0; i < 8; i++)
			b[(*nb)++] = (uint8_t)(v >> (8 * i));
		return true;
	}
	if (n % 2 || n > 16)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval((unsigned char)t[i]), lo = hexval((unsigned char)t[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		b[(*nb)++] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* Parses hex text in [p, e) (first_line: its line number for messages). */
static int hex_text(const struct as_opts *o, const char *p, const char *e, int first_line,
		    uint8_t **out, size_t *n)
{
	uint8_t *b = malloc((size_t)(e - p) / 2 + 16);
	int line = first_line;

	*n = 0;
	if (!b)
		return as_failf(o, TOOL_EXIT_USAGE, ENOMEM, "out of memory");
	while (p < e) {
		const char *s;

		if (*p == '\n')
			line++;
		if (isspace((unsigned char)*p) || *p == ',') {
			p++;
			continue;
		}
		if (*p == '#') {
			while (p < e && *p != '\n')
				p++;
			continue;
		}
		s = p;
		while (p < e && !isspace((unsigned char)*p) && *p != ',' && *p != '#')
			p++;
		if (!hex_token(s, (size_t)(p - s), b, n)) {
			struct bk_diag d;

			bk_diag__init(&d);
			bk_diag__set(
				&d, BK_E_PROG_SIZE, -1,
				"'%.*s' is neither a hex byte nor a 64-bit word (0x + 16 digits)",
				(int)(p - s > 40 ? 40 : p - s), s);
			d.file = o->in;
			d.line = line;
			free(b);
			return as_fail(o, TOOL_EXIT_REJECT, &d, NULL, 0);
		}
	}
	*out = b;
	return 0;
}

/* The "-- raw" section of a conformance file: [*from, *to) and its line. */
static bool raw_section(const char *p, const char *e, const char **from, const char **to, int *line)
{
	int l = 1;

	*from = NULL;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p)), *le = nl ? nl : e;

		if (le - p >= 2 && p[0] == '-' && p[1] == '-') {
			if (*from) {
				*to = p;
				return true;
			}
			const char *q = p + 2;

			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			if (le - q >= 3 && !memcmp(q, "raw", 3)) {
				*from = nl ? nl + 1 : e;
				*to = e;
				*line = l + 1;
			}
		}
		p = nl ? nl + 1 : e;
		l++;
	}
	return *from != NULL;
}

int as_read_raw(const struct as_opts *o, const char *buf, size_t len, struct bk_insn **insns,
		size_t *cnt)
{
	const char *from = NULL, *to = NULL;
	uint8_t *b = NULL;
	size_t n = 0;
	int line = 1, rc;
	bool text = len > 0;

	for (size_t i = 0; i < len && text; i++)
		text = isprint((unsigned char)buf[i]) || isspace((unsigned char)buf[i]);
	if (raw_section(buf, buf + len, &from, &to, &line) || text) {
		if (!from) {
			from = buf;
			to = buf + len;
		}
		rc = hex_text(o, from, to, line, &b, &n);
		if (rc)
			return rc;
	} else {
		b = malloc(len ? len : 1);
		if (!b)
			return as_failf(o, TOOL_EXIT_USAGE, ENOMEM, "out of memory");
		memcpy(b, buf, len);
		n = len;
	}
	if (n % 8 || !n) {
		free(b);
		return as_failf(o, TOOL_EXIT_REJECT, n ? BK_E_PROG_SIZE : BK_E_PROG_EMPTY,
				"%s: %zu bytes of bytecode: %s", o->in, n,
				n ? "not a multiple of 8" : "no instructions");
	}
	*insns = (struct bk_insn *)b;
	*cnt = n / 8;
	return 0;
}

/* The source position of insn of section sec, through the programs' line
 * info: the function holding it is found in a program by name. */
static const struct bk_line *source_of(const struct bk_obj *obj, uint32_t sec, uint32_t insn)
{
	const struct bk_sec *s = bk_obj__sec(obj, sec);

	for (size_t p = 0; p < bk_obj__prog_cnt(obj); p++) {
		struct bk_prog *prog = bk_obj__prog(obj, p);
		size_t nf;
		const struct bk_func *f = bk_prog__funcs(prog, &nf);

		for (size_t i = 0; i < nf; i++) {
			for (size_t k = 0; k < s->nsyms; k++) {
				const struct bk_sym *y = &s->syms[k];

				if (!f[i].name || strcmp(y->name, f[i].name) || insn < y->off / 8 ||
				    insn >= (y->off + y->size) / 8)
					continue;
				return bk_prog__line(prog, f[i].insn + insn - y->off / 8);
			}
		}
	}
	return NULL;
}

static void json_listing(const struct as_opts *o, const struct bk_obj *obj,
			 const struct bk_insn *raw, const char *text,
			 const struct bk_disasm_line *lines, size_t n)
{
	static const char *const syn[] = {"llvm", "kernel", "ubpf"};
	struct json_w w;

	json_init(&w, stdout, o->pretty);
	json_obj_begin(&w);
	json_kv_str(&w, "file", o->in);
	json_kv_str(&w, "syntax", syn[o->syntax]);
	json_key(&w, "insns");
	json_arr_begin(&w);
	for (size_t i = 0; i < n; i++) {
		const struct bk_disasm_line *l = &lines[i];
		const struct bk_insn *in =
			obj ? &bk_obj__sec(obj, l->sec)->insns[l->insn] : &raw[l->insn];
		const struct bk_line *src = obj ? source_of(obj, l->sec, l->insn) : NULL;
		size_t slots = in->code == BK_OPC_LDDW ? 2 : 1;

		json_obj_begin(&w);
		json_kv_uint(&w, "index", l->insn);
		json_kv_str(&w, "section", l->section);
		json_key(&w, "function");
		json_str(&w, l->func);
		json_key(&w, "bytes");
		json_hex(&w, in, slots * sizeof(*in));
		json_key(&w, "text");
		json_strn(&w, text + l->text_off, l->text_len);
		if (src && src->line) {
			json_key(&w, "source");
			json_obj_begin(&w);
			json_key(&w, "file");
			json_str(&w, src->file);
			json_kv_uint(&w, "line", src->line);
			if (src->col)
				json_kv_uint(&w, "col", src->col);
			if (src->text) {
				json_key(&w, "text");
				json_str(&w, src->text);
			}
			json_obj_end(&w);
		}
		json_obj_end(&w);
	}
	json_arr_end(&w);
	json_obj_end(&w);
	json_end(&w);
}

int as_disassemble(const struct as_opts *o)
{
	struct bk_disasm_opts dopts = {.sz = sizeof(dopts),
				       .syntax = (uint8_t)o->syntax,
				       .labels = o->labels,
				       .numeric_helpers = o->numeric_helpers,
				       .section = o->section};
	struct bk_obj_opts oo = {.sz = sizeof(oo), .name = o->in};
	struct bk_disasm_line *lines = NULL;
	struct bk_insn *raw = NULL;
	struct bk_obj *obj = NULL;
	struct bk_diag d;
	size_t len, n = 0, rcnt = 0;
	char *buf, *text = NULL;
	int err, rc = TOOL_EXIT_OK;

	err = tool_read_file(o->in, 0, &buf, &len);
	if (err)
		return as_failf(o, TOOL_EXIT_USAGE, -err, "%s: %s", o->in, strerror(-err));
	if (o->raw) {
		rc = as_read_raw(o, buf, len, &raw, &rcnt);
		if (rc)
			goto done;
		err = bk_disasm_raw(raw, rcnt, &dopts, &text, &lines, &n, &d);
	} else {
		err = bk_obj__open_mem(buf, len, &oo, &obj, &d);
		if (!err)
			err = bk_disasm_obj(obj, &dopts, &text, &lines, &n, &d);
	}
	if (err) {
		if (!d.file)
			d.file = o->in;
		rc = as_fail(o, err == -ENOMEM ? TOOL_EXIT_USAGE : TOOL_EXIT_REJECT, &d, NULL, 0);
		goto done;
	}
	if (o->json) {
		json_listing(o, obj, raw, text, lines, n);
	} else {
		err = tool_write_file(o->out ? o->out : "-", text, strlen(text));
		if (err)
			rc = as_failf(o, TOOL_EXIT_USAGE, -err, "%s: %s", o->out ? o->out : "-",
				      strerror(-err));
	}
done:
	free(lines);
	free(text);
	free(raw);
	bk_obj__free(obj);
	free(buf);
	return rc;
}
