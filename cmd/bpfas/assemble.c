// SPDX-License-Identifier: MIT
/*
 * assemble.c - bpfas FILE: text to an ELF object (bk_asm, bk_obj__write_elf)
 * or to bare bytecode (--raw, bk_asm_raw).  With --json, a summary of what
 * was written: sections with their instruction counts, maps, the output.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfas.h"

/* prog.s -> prog.o (prog.bin with --raw); stdin -> stdout. */
static char *default_out(const struct as_opts *o)
{
	const char *ext = o->raw ? ".bin" : ".o";
	const char *base, *dot;
	char *p;

	if (!strcmp(o->in, "-"))
		return strdup("-");
	base = strrchr(o->in, '/');
	base = base ? base + 1 : o->in;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		dot = base + strlen(base);
	if (asprintf(&p, "%.*s%s", (int)(dot - o->in), o->in, ext) < 0)
		return NULL;
	if (!strcmp(p, o->in)) { /* foo.o in: do not overwrite the input */
		free(p);
		if (asprintf(&p, "%s%s", o->in, ext) < 0)
			return NULL;
	}
	return p;
}

static void json_summary(const struct as_opts *o, const char *out, const struct bk_obj *obj,
			 size_t raw_cnt, size_t bytes)
{
	struct json_w w;

	json_init(&w, stdout, o->pretty);
	json_obj_begin(&w);
	json_kv_str(&w, "file", o->in);
	json_kv_str(&w, "output", out);
	json_kv_str(&w, "format", o->raw ? "raw" : "elf");
	json_kv_uint(&w, "bytes", bytes);
	json_key(&w, "sections");
	json_arr_begin(&w);
	if (obj) {
		for (size_t i = 0; i < bk_obj__sec_cnt(obj); i++) {
			const struct bk_sec *s = bk_obj__sec(obj, i);

			json_obj_begin(&w);
			json_kv_str(&w, "name", s->name);
			json_kv_uint(&w, "insns", s->cnt);
			json_kv_uint(&w, "relocations", s->nrelocs);
			json_obj_end(&w);
		}
	} else {
		json_obj_begin(&w);
		json_kv_str(&w, "name", o->section ? o->section : "raw");
		json_kv_uint(&w, "insns", raw_cnt);
		json_obj_end(&w);
	}
	json_arr_end(&w);
	json_key(&w, "maps");
	json_arr_begin(&w);
	for (size_t i = 0; obj && i < bk_obj__map_cnt(obj); i++) {
		const struct bk_map_def *m = bk_obj__map(obj, i);

		json_obj_begin(&w);
		json_kv_str(&w, "name", m->name);
		json_kv_uint(&w, "type", m->type);
		json_kv_uint(&w, "key_size", m->key_size);
		json_kv_uint(&w, "value_size", m->value_size);
		json_kv_uint(&w, "max_entries", m->max_entries);
		json_obj_end(&w);
	}
	json_arr_end(&w);
	json_obj_end(&w);
	json_end(&w);
}

int as_assemble(const struct as_opts *o)
{
	struct bk_asm_opts ao = {.sz = sizeof(ao),
				 .file = strcmp(o->in, "-") ? o->in : "<stdin>",
				 .section = o->section};
	struct bk_diag d;
	struct bk_obj *obj = NULL;
	struct bk_insn *insns = NULL;
	size_t len, cnt = 0, outlen = 0;
	void *outbuf = NULL;
	char *src, *out;
	int err, rc = TOOL_EXIT_OK;

	err = tool_read_file(o->in, 0, &src, &len);
	if (err)
		return as_failf(o, TOOL_EXIT_USAGE, -err, "%s: %s", o->in, strerror(-err));
	out = o->out ? strdup(o->out) : default_out(o);
	if (!out) {
		free(src);
		return as_failf(o, TOOL_EXIT_USAGE, ENOMEM, "out of memory");
	}
	if (!strcmp(out, "-") && isatty(STDOUT_FILENO) && !o->json) {
		rc = as_failf(o, TOOL_EXIT_USAGE, EINVAL,
			      "not writing binary output to a terminal: use -o FILE");
		goto done;
	}
	if (o->raw) {
		err = bk_asm_raw(src, len, &ao, &insns, &cnt, &d);
		outbuf = insns;
		outlen = cnt * sizeof(*insns);
	} else {
		err = bk_asm(src, len, &ao, &obj, &d);
		if (!err)
			err = bk_obj__write_elf(obj, &outbuf, &outlen, &d);
	}
	if (err) {
		rc = as_fail(o, err == -ENOMEM ? TOOL_EXIT_USAGE : TOOL_EXIT_REJECT, &d, src, len);
		goto done;
	}
	if (o->json && !strcmp(out, "-")) {
		rc = as_failf(o, TOOL_EXIT_USAGE, EINVAL,
			      "--json writes the summary on stdout: use -o FILE for the output");
		goto done;
	}
	err = tool_write_file(out, outbuf, outlen);
	if (err) {
		rc = as_failf(o, TOOL_EXIT_USAGE, -err, "%s: %s", out, strerror(-err));
		goto done;
	}
	if (o->json)
		json_summary(o, out, obj, cnt, outlen);
done:
	if (!o->raw)
		free(outbuf);
	free(insns);
	bk_obj__free(obj);
	free(out);
	free(src);
	return rc;
}
