// SPDX-License-Identifier: MIT
/*
 * Unit tests of the ELF reader and linker (elf_read.c, btf_maps.c,
 * btf_ext.c, obj_link.c) on objects clang-19 built from the seed sources in
 * test/fuzz/corpus/elf/, cross-checked with libbpf where it has an answer.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>

#include "harness.h"
#include "test_obj_int.h"

static struct bk_obj *open_seed(const char *name)
{
	char rel[128];
	struct bk_obj *obj = NULL;
	struct bk_diag d;
	int err;

	snprintf(rel, sizeof(rel), ELF_SEEDS "%s", name);
	err = bk_obj__open_file(test_src_path(rel), NULL, &obj, &d);
	if (err)
		fprintf(stderr, "  %s: %s: %s\n", rel, bk_errname(err), d.msg);
	return obj;
}

/* The linked instruction a call or ld_imm64 func at insn points to. */
static long target_of(const struct bk_insn *in, size_t i)
{
	return (long)i + in[i].imm + 1;
}

static long func_at(const struct bk_prog *p, const char *name)
{
	size_t n;
	const struct bk_func *f = bk_prog__funcs(p, &n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].name, name))
			return f[i].insn;
	return -1;
}

static const struct bk_reloc *reloc_of(const struct bk_prog *p, uint8_t kind, const char *sym,
				       size_t nth)
{
	size_t n;
	const struct bk_reloc *r = bk_prog__relocs(p, &n);

	for (size_t i = 0; i < n; i++)
		if (r[i].kind == kind && r[i].sym && !strcmp(r[i].sym, sym) && nth-- == 0)
			return &r[i];
	return NULL;
}

TEST(obj_seed_maps)
{
	struct bk_obj *obj = open_seed("maps_calls.elf");
	const struct bk_map_def *m;
	int i;

	REQUIRE(obj != NULL);
	CHECK_STR(bk_obj__license(obj), "GPL");
	CHECK(bk_obj__btf(obj) != NULL);
	CHECK(bk_obj__btf_ext(obj) != NULL);
	CHECK_EQ(bk_obj__map_cnt(obj), 8);

	i = bk_obj__find_map(obj, "arr");
	REQUIRE(i >= 0);
	m = bk_obj__map(obj, (size_t)i);
	CHECK_EQ(m->type, BPF_MAP_TYPE_ARRAY);
	CHECK_EQ(m->key_size, 4);
	CHECK_EQ(m->value_size, 8);
	CHECK_EQ(m->max_entries, 4);
	CHECK_EQ(m->origin, BK_MAP_BTF);
	CHECK_EQ(m->inner, -1);
	CHECK(m->btf_key_type_id != 0 && m->btf_value_type_id != 0);

	i = bk_obj__find_map(obj, "hash");
	REQUIRE(i >= 0);
	m = bk_obj__map(obj, (size_t)i);
	CHECK_EQ(m->type, BPF_MAP_TYPE_HASH);
	CHECK_EQ(m->key_size, 8);
	CHECK_EQ(m->value_size, 12);
	CHECK_EQ(m->flags, 1);
	CHECK_EQ(m->pinning, 1);

	i = bk_obj__find_map(obj, "outer");
	REQUIRE(i >= 0);
	m = bk_obj__map(obj, (size_t)i);
	CHECK_EQ(m->type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	CHECK_EQ(m->value_size, 4);
	REQUIRE(m->inner >= 0);
	CHECK_STR(bk_obj__map(obj, (size_t)m->inner)->name, "outer.inner");
	CHECK_EQ(bk_obj__map(obj, (size_t)m->inner)->origin, BK_MAP_INNER);
	CHECK_EQ(bk_obj__map(obj, (size_t)m->inner)->max_entries, 1);

	/* Global data as libbpf names it: object name (up to its first '.'),
	 * cut so the whole name fits in 15 characters. */
	i = bk_obj__find_map(obj, "maps_cal.rodata");
	REQUIRE(i >= 0);
	m = bk_obj__map(obj, (size_t)i);
	CHECK_EQ(m->origin, BK_MAP_DATA);
	CHECK_EQ(m->type, BPF_MAP_TYPE_ARRAY);
	CHECK_EQ(m->max_entries, 1);
	CHECK_EQ(m->value_size, 4);
	CHECK_EQ(m->flags, BPF_F_RDONLY_PROG | BPF_F_MMAPABLE);
	REQUIRE(m->data != NULL);
	CHECK_EQ(*(const int *)m->data, 10);
	i = bk_obj__find_map(obj, "maps_cal.bss");
	REQUIRE(i >= 0);
	CHECK(bk_obj__map(obj, (size_t)i)->data == NULL);
	CHECK(bk_obj__find_map(obj, "maps_cal.data") >= 0);
	CHECK(bk_obj__find_map(obj, "maps_ca.kconfig") >= 0);
	CHECK_EQ(bk_obj__find_map(obj, "nope"), -ENOENT);
	bk_obj__free(obj);
}

/* Our map names, types and sizes agree with libbpf's for the same object. */
TEST(obj_seed_maps_match_libbpf)
{
	size_t len;
	void *buf = test_read_file(ELF_SEEDS "maps_calls.elf", &len);
	LIBBPF_OPTS(bpf_object_open_opts, o, .object_name = "maps_calls");
	struct bpf_object *lo;
	struct bpf_map *lm;
	struct bk_obj *obj;
	int n = 0;

	REQUIRE(buf != NULL);
	REQUIRE(bk_obj__open_mem(buf, len,
				 &(struct bk_obj_opts){.sz = sizeof(struct bk_obj_opts),
						       .name = "maps_calls.elf"},
				 &obj, NULL) == 0);
	lo = bpf_object__open_mem(buf, len, &o);
	REQUIRE(lo != NULL);
	bpf_object__for_each_map(lm, lo)
	{
		int i = bk_obj__find_map(obj, bpf_map__name(lm));

		n++;
		if (!CHECK(i >= 0)) {
			fprintf(stderr, "  libbpf map '%s' not found\n", bpf_map__name(lm));
			continue;
		}
		CHECK_EQ(bk_obj__map(obj, (size_t)i)->type, bpf_map__type(lm));
		CHECK_EQ(bk_obj__map(obj, (size_t)i)->value_size, bpf_map__value_size(lm));
		CHECK_EQ(bk_obj__map(obj, (size_t)i)->max_entries, bpf_map__max_entries(lm));
		CHECK_EQ(bk_obj__map(obj, (size_t)i)->flags, bpf_map__map_flags(lm));
	}
	CHECK_EQ(n, 7); /* libbpf does not list the inner template */
	CHECK_EQ(bk_obj__prog_cnt(obj), 3);
	bpf_object__close(lo);
	bk_obj__free(obj);
	free(buf);
}

TEST(obj_seed_sections_and_relocs)
{
	struct bk_obj *obj = open_seed("maps_calls.elf");
	const struct bk_sec *xdp = NULL;

	REQUIRE(obj != NULL);
	CHECK_EQ(bk_obj__sec_cnt(obj), 3);
	for (size_t i = 0; i < bk_obj__sec_cnt(obj); i++)
		if (!strcmp(bk_obj__sec(obj, i)->name, "xdp"))
			xdp = bk_obj__sec(obj, i);
	REQUIRE(xdp != NULL);
	CHECK_EQ(xdp->nsyms, 2);
	CHECK_STR(xdp->syms[0].name, "prog1");
	CHECK(xdp->syms[0].func && xdp->syms[0].global);
	CHECK_EQ(xdp->syms[0].off, 0);
	CHECK_EQ(xdp->syms[1].off, xdp->syms[0].size);
	/* Relocations as in the file: kinds, symbols, addends. */
	size_t kinds[BK_RELO_KCONFIG + 1] = {0};

	for (size_t i = 0; i < xdp->nrelocs; i++) {
		REQUIRE(xdp->relocs[i].kind <= BK_RELO_KCONFIG);
		kinds[xdp->relocs[i].kind]++;
		if (i)
			CHECK(xdp->relocs[i].insn > xdp->relocs[i - 1].insn);
	}
	CHECK_EQ(kinds[BK_RELO_MAP], 1);
	CHECK_EQ(kinds[BK_RELO_FUNC], 1);
	CHECK_EQ(kinds[BK_RELO_KFUNC], 4);
	CHECK_EQ(kinds[BK_RELO_KCONFIG], 1);
	CHECK_EQ(kinds[BK_RELO_CALL], 3);
	/* Data sections with their variables. */
	bool rodata = false;

	for (size_t i = 0; i < bk_obj__data_sec_cnt(obj); i++) {
		const struct bk_data_sec *d = bk_obj__data_sec(obj, i);

		if (!strcmp(d->name, ".rodata")) {
			rodata = true;
			CHECK_EQ(d->size, 4);
			CHECK_EQ(d->nsyms, 1);
			CHECK_STR(d->syms[0].name, "limit");
		}
		if (!strcmp(d->name, ".bss"))
			CHECK(d->bytes == NULL);
	}
	CHECK(rodata);
	bk_obj__free(obj);
}

/* prog1 = prog1 + cb + sub (in first-use order), calls fixed up. */
TEST(obj_seed_linking)
{
	struct bk_obj *obj = open_seed("maps_calls.elf");
	struct bk_prog *p;
	const struct bk_insn *in;
	const struct bk_reloc *r;
	size_t n, nf;

	REQUIRE(obj != NULL);
	REQUIRE(bk_obj__prog_cnt(obj) == 3);
	p = bk_obj__find_prog(obj, "prog1");
	REQUIRE(p != NULL);
	CHECK_STR(bk_prog__section(p), "xdp");
	CHECK_EQ(bk_prog__type(p), BK_PROG_XDP);
	CHECK_EQ(bk_prog__attach_type(p), BPF_XDP);
	CHECK(bk_prog__obj(p) == obj);
	in = bk_prog__insns(p, &n);
	bk_prog__funcs(p, &nf);
	CHECK_EQ(nf, 3);
	CHECK_EQ(func_at(p, "prog1"), 0);
	REQUIRE(func_at(p, "cb") > 0 && func_at(p, "sub") > 0);
	/* The call to sub and the callback address point at them. */
	r = reloc_of(p, BK_RELO_CALL, "sub", 0);
	REQUIRE(r != NULL);
	CHECK_EQ(in[r->insn].src, BK_OPDVAL_CALL_LOCAL);
	CHECK_EQ(target_of(in, r->insn), func_at(p, "sub"));
	r = reloc_of(p, BK_RELO_FUNC, "cb", 0);
	REQUIRE(r != NULL);
	CHECK_EQ(in[r->insn].src, BK_OPDVAL_LDDW_FUNC);
	CHECK_EQ(target_of(in, r->insn), func_at(p, "cb"));
	/* The map reference carries the map index. */
	r = reloc_of(p, BK_RELO_MAP, "arr", 0);
	REQUIRE(r != NULL);
	CHECK_EQ(r->map, bk_obj__find_map(obj, "arr"));
	CHECK_EQ(in[r->insn].src, BK_OPDVAL_LDDW_MAP_IDX);
	CHECK_EQ(in[r->insn].imm, r->map);
	/* Data in sub: .data and .rodata values. */
	r = reloc_of(p, BK_RELO_MAP_VALUE, "maps_cal.rodata", 0);
	REQUIRE(r != NULL);
	CHECK_EQ(in[r->insn].src, BK_OPDVAL_LDDW_MAP_IDX_VALUE);
	CHECK_EQ(in[r->insn].imm, bk_obj__find_map(obj, "maps_cal.rodata"));
	CHECK_EQ(in[r->insn + 1].imm, 0);
	r = reloc_of(p, BK_RELO_KCONFIG, "LINUX_KERNEL_VERSION", 0);
	REQUIRE(r != NULL);
	CHECK_EQ(r->map, bk_obj__find_map(obj, "maps_ca.kconfig"));
	/* Every linked instruction decodes. */
	struct bk_dinsn *d = calloc(n, sizeof(*d));

	CHECK_EQ(bk_decode_prog(in, n, d, NULL), 0);
	free(d);

	/* prog2: kfuncs become CALL_KFUNC with the name in the relocation. */
	p = bk_obj__find_prog(obj, "prog2");
	REQUIRE(p != NULL);
	in = bk_prog__insns(p, &n);
	r = reloc_of(p, BK_RELO_KFUNC, "bpf_iter_num_next", 1);
	REQUIRE(r != NULL);
	CHECK_EQ(in[r->insn].src, BK_OPDVAL_CALL_KFUNC);
	CHECK_EQ(in[r->insn].imm, 0);
	r = reloc_of(p, BK_RELO_CALL, "gsub", 0);
	REQUIRE(r != NULL);
	CHECK_EQ(target_of(in, r->insn), func_at(p, "gsub"));
	CHECK_EQ(target_of(in, reloc_of(p, BK_RELO_CALL, "sub", 0)->insn), func_at(p, "sub"));

	p = bk_obj__find_prog(obj, "tc");
	REQUIRE(p != NULL);
	CHECK_STR(bk_prog__name(p), "prog3");
	CHECK_EQ(bk_prog__type(p), BK_PROG_SCHED_CLS);
	bk_prog__set_type(p, BK_PROG_RAW);
	CHECK_EQ(bk_prog__type(p), BK_PROG_RAW);
	CHECK(bk_obj__find_prog(obj, "nothing") == NULL);
	bk_obj__free(obj);
}

TEST(obj_seed_line_info)
{
	struct bk_obj *obj = open_seed("maps_calls.elf");
	const struct bk_line *l;
	const struct bk_func *f;
	struct bk_prog *p;
	size_t n, nf;

	REQUIRE(obj != NULL);
	p = bk_obj__find_prog(obj, "prog1");
	REQUIRE(p != NULL);
	bk_prog__insns(p, &n);
	f = bk_prog__funcs(p, &nf);
	for (size_t i = 0; i < nf; i++)
		CHECK(f[i].btf_id != 0);
	l = bk_prog__line(p, 0);
	REQUIRE(l != NULL);
	CHECK_EQ(l->insn, 0);
	CHECK(l->file && strstr(l->file, "maps_calls.c"));
	CHECK(l->text && strstr(l->text, "prog1"));
	CHECK(l->line > 0);
	/* Lines of a subprogram are its own after linking. */
	l = bk_prog__line(p, (uint32_t)func_at(p, "sub"));
	REQUIRE(l != NULL);
	CHECK(strstr(l->text, "counter") != NULL);
	for (size_t i = 0; i < n; i++) {
		l = bk_prog__line(p, (uint32_t)i);
		if (l)
			CHECK(l->insn <= i);
	}
	CHECK(bk_prog__line(p, (uint32_t)n) == NULL);
	bk_obj__free(obj);
}

TEST(obj_seed_legacy_maps)
{
	struct bk_obj *obj = open_seed("legacy.elf");
	const struct bk_map_def *m;
	struct bk_prog *p;

	REQUIRE(obj != NULL);
	CHECK_EQ(bk_obj__kversion(obj), 0x060000);
	CHECK_EQ(bk_obj__map_cnt(obj), 2);
	m = bk_obj__map(obj, 0);
	CHECK_STR(m->name, "counts");
	CHECK_EQ(m->origin, BK_MAP_LEGACY);
	CHECK_EQ(m->type, BPF_MAP_TYPE_ARRAY);
	CHECK_EQ(m->key_size, 4);
	CHECK_EQ(m->value_size, 8);
	CHECK_EQ(m->max_entries, 2);
	m = bk_obj__map(obj, 1);
	CHECK_STR(m->name, "seen");
	CHECK_EQ(m->max_entries, 64);
	p = bk_obj__find_prog(obj, "sock");
	REQUIRE(p != NULL);
	CHECK_EQ(bk_prog__type(p), BK_PROG_SOCKET_FILTER);
	CHECK(reloc_of(p, BK_RELO_MAP, "counts", 0) != NULL);
	bk_obj__free(obj);
}

TEST(obj_accessors_null_safe)
{
	bk_obj__free(NULL);
	CHECK(bk_obj__name(NULL) == NULL);
	CHECK_EQ(bk_obj__prog_cnt(NULL), 0);
	CHECK(bk_obj__prog(NULL, 0) == NULL);
	CHECK(bk_obj__map(NULL, 0) == NULL);
	CHECK(bk_prog__line(NULL, 0) == NULL);
	CHECK(bk_prog__name(NULL) == NULL);
	CHECK_EQ(bk_obj__find_map(NULL, "x"), -ENOENT);
}

TEST(obj_open_missing_file)
{
	struct bk_obj *obj = (struct bk_obj *)1;
	struct bk_diag d;

	CHECK_EQ(bk_obj__open_file("/nonexistent/x.o", NULL, &obj, &d), -ENOENT);
	CHECK(obj == NULL);
	CHECK_EQ(d.code, ENOENT);
}
