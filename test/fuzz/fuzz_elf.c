// SPDX-License-Identifier: MIT
/*
 * fuzz_elf.c - libFuzzer target for the ELF object reader: bk_obj__open_mem
 * on arbitrary bytes, then every accessor over what it returns.  Seeds:
 * test/fuzz/corpus/elf/ (clang-19 objects and their sources); kept bad
 * inputs: test/malformed/elf/.
 */
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "uapi.h"

static volatile size_t sink;

static void touch(const char *s)
{
	if (s)
		sink += strlen(s);
}

static void walk_prog(struct bk_prog *p)
{
	size_t n, nr, nf;
	const struct bk_insn *in = bk_prog__insns(p, &n);
	const struct bk_reloc *r = bk_prog__relocs(p, &nr);
	const struct bk_func *f = bk_prog__funcs(p, &nf);
	struct bk_dinsn d;

	touch(bk_prog__name(p));
	touch(bk_prog__section(p));
	touch(bk_prog_type_name(bk_prog__type(p)));
	for (size_t i = 0; i < n; i++) {
		const struct bk_line *l = bk_prog__line(p, (uint32_t)i);

		if (l) {
			touch(l->file);
			touch(l->text);
		}
		if (bk_decode(in, n, i, &d, NULL) > 0)
			sink += d.op;
	}
	for (size_t i = 0; i < nr; i++) {
		touch(r[i].sym);
		if (r[i].insn >= n)
			abort();
	}
	for (size_t i = 0; i < nf; i++) {
		touch(f[i].name);
		if (f[i].insn >= n)
			abort();
	}
}

static void walk(struct bk_obj *obj)
{
	touch(bk_obj__name(obj));
	touch(bk_obj__license(obj));
	for (size_t i = 0; i < bk_obj__sec_cnt(obj); i++) {
		const struct bk_sec *s = bk_obj__sec(obj, i);

		touch(s->name);
		for (size_t k = 0; k < s->cnt; k++)
			sink += s->insns[k].code;
		for (size_t k = 0; k < s->nsyms; k++)
			touch(s->syms[k].name);
		for (size_t k = 0; k < s->nrelocs; k++) {
			touch(s->relocs[k].sym);
			if (s->relocs[k].insn >= s->cnt)
				abort();
		}
	}
	for (size_t i = 0; i < bk_obj__data_sec_cnt(obj); i++) {
		const struct bk_data_sec *s = bk_obj__data_sec(obj, i);

		touch(s->name);
		for (size_t k = 0; s->bytes && k < s->size; k++)
			sink += ((const uint8_t *)s->bytes)[k];
		for (size_t k = 0; k < s->nsyms; k++)
			touch(s->syms[k].name);
	}
	for (size_t i = 0; i < bk_obj__map_cnt(obj); i++) {
		const struct bk_map_def *m = bk_obj__map(obj, i);

		touch(m->name);
		for (size_t k = 0; m->data && k < m->data_size; k++)
			sink += ((const uint8_t *)m->data)[k];
		if (m->inner >= (int)bk_obj__map_cnt(obj))
			abort();
		if (bk_obj__find_map(obj, m->name) < 0)
			abort();
	}
	for (size_t i = 0; i < bk_obj__prog_cnt(obj); i++) {
		struct bk_prog *p = bk_obj__prog(obj, i);

		walk_prog(p);
		if (!bk_obj__find_prog(obj, bk_prog__name(p)))
			abort();
	}
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	libbpf_set_print(quiet);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_obj *obj = NULL;
	struct bk_diag d;
	int err = bk_obj__open_mem(data, size, NULL, &obj, &d);

	if (err) {
		if (obj || d.code != -err || strnlen(d.msg, sizeof(d.msg)) >= sizeof(d.msg))
			abort();
		/* Only the ELF error range or out of memory. */
		if (!(err <= -1100 && err >= -1199) && err != -12)
			abort();
		return 0;
	}
	walk(obj);
	bk_obj__free(obj);
	return 0;
}
