// SPDX-License-Identifier: MIT
/*
 * Unit tests of the builder and the ELF writer (obj_build.c, btf_write.c,
 * elf_write.c): linking built objects, refusing bad ones, writing then
 * reading back, and (as root) loading the written object with libbpf into
 * the kernel and running it with BPF_PROG_TEST_RUN.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <unistd.h>

#include "harness.h"
#include "test_obj_int.h"

/*
 * xdp: key 0 on the stack; v = lookup(counts, &key); if v: *v += 7;
 *      return sub(*(u32 *)(.data + 4)) where sub(x) = x + 1 (in .text).
 * .data = {0, 1}, so the program returns 2 (XDP_PASS).
 */
static const struct bk_insn xdp_code[] = {
	BK_ST_MEM(W, 10, -4, 0),       /* 0: *(u32 *)(r10 - 4) = 0 */
	BK_MOV64_REG(2, 10),	       /* 1 */
	BK_ALU64_IMM(ADD, 2, -4),      /* 2 */
	BK_LD_IMM64(1, 0),	       /* 3-4: r1 = counts ll */
	BK_CALL(1),		       /* 5: map_lookup_elem */
	BK_JMP_IMM(JEQ, 0, 0, 3),      /* 6 */
	BK_LDX_MEM(DW, 1, 0, 0),       /* 7 */
	BK_ALU64_IMM(ADD, 1, 7),       /* 8 */
	BK_STX_MEM(DW, 0, 1, 0),       /* 9 */
	BK_LD_IMM64(1, 0),	       /* 10-11: r1 = .data + 4 ll */
	BK_LDX_MEM(W, 1, 1, 0),	       /* 12 */
	BK_I(CALL_LOCAL, 0, 0, 0, -1), /* 13: call sub */
	BK_EXIT(),		       /* 14 */
};
static const struct bk_insn sub_code[] = {
	BK_MOV64_REG(0, 1),
	BK_ALU64_IMM(ADD, 0, 1),
	BK_EXIT(),
};
static const uint32_t data_init[2] = {0, 1};

static struct bk_obj *build_xdp(struct bk_diag *d)
{
	struct bk_obj *obj = bk_obj__new("built.o");
	struct bk_map_def counts = {.name = "counts",
				    .type = BPF_MAP_TYPE_ARRAY,
				    .key_size = 4,
				    .value_size = 8,
				    .max_entries = 1};
	int x, t, ds;

	if (!obj)
		return NULL;
	CHECK_EQ(bk_obj__set_license(obj, "GPL"), 0);
	x = bk_obj__add_sec(obj, "xdp", xdp_code, ARRAY_LEN(xdp_code));
	t = bk_obj__add_sec(obj, ".text", sub_code, ARRAY_LEN(sub_code));
	CHECK_EQ(x, 0);
	CHECK_EQ(t, 1);
	CHECK_EQ(bk_obj__add_sym(obj, x,
				 &(struct bk_sym){"prog", 0, sizeof(xdp_code), true, true, false}),
		 0);
	CHECK_EQ(bk_obj__add_sym(obj, t, &(struct bk_sym){"sub", 0, 0, false, true, false}), 0);
	CHECK_EQ(bk_obj__add_map(obj, &counts), 0);
	ds = bk_obj__add_data_sec(obj, ".data", data_init, sizeof(data_init));
	CHECK_EQ(ds, 0);
	CHECK_EQ(bk_obj__add_data_sym(obj, ds, &(struct bk_sym){"vals", 0, 8, true, false, false}),
		 0);
	CHECK_EQ(bk_obj__add_reloc(obj, x, &(struct bk_sec_reloc){3, BK_RELO_MAP, "counts", 0, 0}),
		 0);
	CHECK_EQ(bk_obj__add_reloc(obj, x, &(struct bk_sec_reloc){10, 0, "vals", 0, 4}), 1);
	CHECK_EQ(bk_obj__add_reloc(obj, x, &(struct bk_sec_reloc){13, 0, "sub", 0, 0}), 2);
	CHECK_EQ(bk_obj__add_line(obj, x, &(struct bk_line){5, "x.s", "call 1", 6, 1}), 0);
	if (bk_obj__finish(obj, d)) {
		fprintf(stderr, "  finish: %s\n", d->msg);
		bk_obj__free(obj);
		return NULL;
	}
	return obj;
}

TEST(build_links_like_the_reader)
{
	struct bk_diag d;
	struct bk_obj *obj = build_xdp(&d);
	const struct bk_insn *in;
	const struct bk_reloc *r;
	const struct bk_line *l;
	struct bk_prog *p;
	size_t n, nr, nf;

	REQUIRE(obj != NULL);
	CHECK_EQ(bk_obj__prog_cnt(obj), 1);
	p = bk_obj__prog(obj, 0);
	CHECK_STR(bk_prog__name(p), "prog");
	CHECK_EQ(bk_prog__type(p), BK_PROG_XDP);
	in = bk_prog__insns(p, &n);
	r = bk_prog__relocs(p, &nr);
	bk_prog__funcs(p, &nf);
	CHECK_EQ(n, ARRAY_LEN(xdp_code) + ARRAY_LEN(sub_code));
	CHECK_EQ(nf, 2);
	REQUIRE_EQ(nr, 3);
	CHECK_EQ(r[0].kind, BK_RELO_MAP);
	CHECK_EQ(r[0].map, 0);
	CHECK_EQ(in[3].src, BK_OPDVAL_LDDW_MAP_IDX);
	CHECK_EQ(r[1].kind, BK_RELO_MAP_VALUE);
	CHECK_EQ(r[1].map, bk_obj__find_map(obj, "built.data"));
	CHECK_EQ(r[1].off, 4);
	CHECK_EQ(in[11].imm, 4);
	CHECK_EQ(r[2].kind, BK_RELO_CALL);
	CHECK_EQ(13 + in[13].imm + 1, (long)ARRAY_LEN(xdp_code));
	/* The function symbol of size 0 reaches the section's end. */
	CHECK_EQ(bk_obj__sec(obj, 1)->syms[0].size, sizeof(sub_code));
	l = bk_prog__line(p, 6);
	REQUIRE(l != NULL);
	CHECK_EQ(l->line, 6);
	CHECK_STR(l->file, "x.s");
	CHECK(bk_prog__line(p, 4) == NULL);
	CHECK(bk_obj__btf(obj) != NULL);
	CHECK(bk_obj__map(obj, 0)->btf_key_type_id != 0);
	/* Nothing can be added to a finished object. */
	CHECK_EQ(bk_obj__add_sec(obj, "tc", sub_code, 3), -EINVAL);
	bk_obj__free(obj);
}

static bool same_syms(const struct bk_sym *a, size_t na, const struct bk_sym *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].name, b[i].name) || a[i].off != b[i].off ||
		    a[i].size != b[i].size || a[i].global != b[i].global || a[i].func != b[i].func)
			return false;
	return true;
}

TEST(build_write_read_back)
{
	struct bk_diag d;
	struct bk_obj *obj = build_xdp(&d), *back = NULL;
	void *buf = NULL;
	size_t len = 0;

	REQUIRE(obj != NULL);
	REQUIRE_EQ(bk_obj__write_elf(obj, &buf, &len, &d), 0);
	CHECK(len > 64);
	REQUIRE_EQ(bk_obj__open_mem(buf, len,
				    &(struct bk_obj_opts){.sz = sizeof(struct bk_obj_opts),
							  .name = "built.o"},
				    &back, &d),
		   0);
	CHECK_STR(bk_obj__license(back), "GPL");
	REQUIRE_EQ(bk_obj__sec_cnt(back), bk_obj__sec_cnt(obj));
	for (size_t i = 0; i < bk_obj__sec_cnt(obj); i++) {
		const struct bk_sec *a = bk_obj__sec(obj, i), *b = bk_obj__sec(back, i);

		CHECK_STR(b->name, a->name);
		CHECK_EQ(b->cnt, a->cnt);
		CHECK(same_syms(a->syms, a->nsyms, b->syms, b->nsyms));
	}
	REQUIRE_EQ(bk_obj__map_cnt(back), bk_obj__map_cnt(obj));
	for (size_t i = 0; i < bk_obj__map_cnt(obj); i++) {
		const struct bk_map_def *a = bk_obj__map(obj, i), *b = bk_obj__map(back, i);

		CHECK_STR(b->name, a->name);
		CHECK_EQ(b->type, a->type);
		CHECK_EQ(b->key_size, a->key_size);
		CHECK_EQ(b->value_size, a->value_size);
		CHECK_EQ(b->max_entries, a->max_entries);
		CHECK_EQ(b->flags, a->flags);
		CHECK_EQ(b->origin, a->origin);
		CHECK_EQ(b->data_size, a->data_size);
		if (a->data && b->data)
			CHECK_MEM(a->data, b->data, a->data_size);
	}
	/* The linked programs are the same, instruction for instruction. */
	REQUIRE_EQ(bk_obj__prog_cnt(back), 1);
	size_t na, nb, ra, rb;
	const struct bk_insn *ia = bk_prog__insns(bk_obj__prog(obj, 0), &na);
	const struct bk_insn *ib = bk_prog__insns(bk_obj__prog(back, 0), &nb);
	const struct bk_reloc *xa = bk_prog__relocs(bk_obj__prog(obj, 0), &ra);
	const struct bk_reloc *xb = bk_prog__relocs(bk_obj__prog(back, 0), &rb);

	REQUIRE_EQ(nb, na);
	CHECK_MEM(ia, ib, na * sizeof(*ia));
	REQUIRE_EQ(rb, ra);
	for (size_t i = 0; i < ra; i++) {
		CHECK_EQ(xb[i].insn, xa[i].insn);
		CHECK_EQ(xb[i].kind, xa[i].kind);
		CHECK_EQ(xb[i].map, xa[i].map);
		CHECK_EQ(xb[i].off, xa[i].off);
	}
	bk_obj__free(back);
	bk_obj__free(obj);
	free(buf);
}

/* Map-in-map, a hash map, externs: written and read back the same. */
TEST(build_map_in_map_and_externs)
{
	struct bk_obj *obj = bk_obj__new("mim"), *back = NULL;
	struct bk_insn code[] = {BK_LD_IMM64(1, 0), BK_I(CALL_LOCAL, 0, 0, 0, -1),
				 BK_LD_IMM64(2, 0), BK_MOV64_IMM(0, 0), BK_EXIT()};
	struct bk_diag d;
	void *buf;
	size_t len;
	int in, out;

	REQUIRE(obj != NULL);
	in = bk_obj__add_map(obj, &(struct bk_map_def){.name = "tmpl",
						       .type = BPF_MAP_TYPE_HASH,
						       .key_size = 8,
						       .value_size = 16,
						       .max_entries = 8,
						       .origin = BK_MAP_INNER});
	out = bk_obj__add_map(obj, &(struct bk_map_def){.name = "outer",
							.type = BPF_MAP_TYPE_HASH_OF_MAPS,
							.key_size = 4,
							.max_entries = 2,
							.inner = in});
	CHECK_EQ(in, 0);
	CHECK_EQ(out, 1);
	CHECK_EQ(bk_obj__add_map(obj, &(struct bk_map_def){.name = "outer", .type = 1}), -EEXIST);
	REQUIRE_EQ(bk_obj__add_sec(obj, "tc", code, ARRAY_LEN(code)), 0);
	CHECK(bk_obj__add_reloc(obj, 0, &(struct bk_sec_reloc){0, 0, "outer", 0, 0}) >= 0);
	CHECK(bk_obj__add_reloc(obj, 0, &(struct bk_sec_reloc){2, 0, "bpf_iter_num_new", 0, 0}) >=
	      0);
	CHECK(bk_obj__add_reloc(obj, 0, &(struct bk_sec_reloc){3, 0, "some_ksym", 0, 0}) >= 0);
	REQUIRE_EQ(bk_obj__finish(obj, &d), 0);
	CHECK_EQ(bk_obj__sec(obj, 0)->relocs[1].kind, BK_RELO_KFUNC);
	CHECK_EQ(bk_obj__sec(obj, 0)->relocs[2].kind, BK_RELO_KSYM);
	REQUIRE_EQ(bk_obj__write_elf(obj, &buf, &len, &d), 0);
	REQUIRE_EQ(bk_obj__open_mem(buf, len, NULL, &back, &d), 0);
	int o = bk_obj__find_map(back, "outer");

	REQUIRE(o >= 0);
	CHECK_EQ(bk_obj__map(back, (size_t)o)->type, BPF_MAP_TYPE_HASH_OF_MAPS);
	CHECK_EQ(bk_obj__map(back, (size_t)o)->value_size, 4);
	REQUIRE(bk_obj__map(back, (size_t)o)->inner >= 0);
	const struct bk_map_def *t = bk_obj__map(back, (size_t)bk_obj__map(back, (size_t)o)->inner);

	CHECK_EQ(t->origin, BK_MAP_INNER);
	CHECK_EQ(t->type, BPF_MAP_TYPE_HASH);
	CHECK_EQ(t->key_size, 8);
	CHECK_EQ(t->value_size, 16);
	const struct bk_sec *s = bk_obj__sec(back, 0);

	REQUIRE_EQ(s->nrelocs, 3);
	CHECK_EQ(s->relocs[0].kind, BK_RELO_MAP);
	CHECK_EQ(s->relocs[1].kind, BK_RELO_KFUNC);
	CHECK_STR(s->relocs[1].sym, "bpf_iter_num_new");
	CHECK_EQ(s->relocs[2].kind, BK_RELO_KSYM);
	bk_obj__free(back);
	bk_obj__free(obj);
	free(buf);
}

static int finish_code(const struct bk_insn *code, size_t n, const struct bk_sec_reloc *rel,
		       bool sym)
{
	struct bk_obj *obj = bk_obj__new("bad");
	struct bk_diag d;
	int err;

	if (!obj)
		return -ENOMEM;
	bk_obj__add_sec(obj, "xdp", code, n);
	if (sym)
		bk_obj__add_sym(obj, 0, &(struct bk_sym){"f", 0, 16, true, true, false});
	if (rel)
		bk_obj__add_reloc(obj, 0, rel);
	err = bk_obj__finish(obj, &d);
	if (err)
		CHECK(d.msg[0] != '\0');
	bk_obj__free(obj);
	return err;
}

TEST(build_refuses_bad_objects)
{
	struct bk_insn rec[] = {BK_I(CALL_LOCAL, 0, 0, 0, -1), BK_EXIT()};
	struct bk_insn mid[] = {BK_I(CALL_LOCAL, 0, 0, 0, 1), BK_EXIT(), BK_MOV64_IMM(0, 0),
				BK_EXIT()};
	struct bk_insn far[] = {BK_I(CALL_LOCAL, 0, 0, 0, 40), BK_EXIT()};
	struct bk_insn lddw[] = {BK_LD_IMM64(1, 0), BK_EXIT()};
	struct bk_insn ok[] = {BK_MOV64_IMM(0, 0), BK_EXIT()};

	/* A function calling itself. */
	CHECK_EQ(finish_code(rec, 2, NULL, false), -BK_E_LINK);
	/* With a symbol covering both slots, calls into its middle fail. */
	CHECK_EQ(finish_code(mid, 4, NULL, true), -BK_E_LINK);
	/* Without symbols, the target starts a subprogram: fine. */
	CHECK_EQ(finish_code(mid, 4, NULL, false), 0);
	CHECK_EQ(finish_code(far, 2, NULL, false), -BK_E_LINK);
	CHECK_EQ(finish_code(lddw, 3, &(struct bk_sec_reloc){0, BK_RELO_MAP, "nomap", 0, 0}, false),
		 -BK_E_ELF_RELOC);
	CHECK_EQ(finish_code(ok, 2, &(struct bk_sec_reloc){0, BK_RELO_MAP, "x", 0, 0}, false),
		 -BK_E_ELF_RELOC);
	CHECK_EQ(finish_code(lddw, 3, &(struct bk_sec_reloc){0, BK_RELO_CALL, "f", 0, 0}, false),
		 -BK_E_ELF_RELOC);
	CHECK_EQ(bk_obj__add_sec(NULL, "x", ok, 2), -EINVAL);
	CHECK_EQ(bk_obj__finish(NULL, NULL), -EINVAL);
	CHECK_EQ(bk_obj__add_data_sec(NULL, ".data", NULL, 0), -EINVAL);
}

/* ---- kernel: load the written object with libbpf and run it ------------- */

static bool kernel_tests_allowed(const char *name)
{
	if (geteuid() == 0)
		return true;
	if (getenv("CI") && !strcmp(getenv("CI"), "true")) {
		bk_test__fail(__FILE__, __LINE__, "%s needs root (CI=true: not skipped)", name);
		return false;
	}
	fprintf(stderr, "  skip %s: needs root\n", name);
	return false;
}

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

TEST(build_written_object_runs_in_the_kernel)
{
	struct bk_diag d;
	struct bk_obj *obj;
	struct bpf_object *bo;
	struct bpf_program *bp;
	struct bpf_map *bm;
	uint8_t pkt[64] = {0};
	uint32_t key = 0;
	uint64_t val = 0;
	void *buf;
	size_t len;

	if (!kernel_tests_allowed("build_written_object_runs_in_the_kernel"))
		return;
	obj = build_xdp(&d);
	REQUIRE(obj != NULL);
	REQUIRE_EQ(bk_obj__write_elf(obj, &buf, &len, &d), 0);
	libbpf_print_fn_t old = libbpf_set_print(getenv("BK_TEST_VERBOSE") ? NULL : quiet);

	if (getenv("BK_TEST_VERBOSE"))
		libbpf_set_print(old);
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "built");
	bo = bpf_object__open_mem(buf, len, &oo);
	REQUIRE(bo != NULL);
	CHECK_EQ(bpf_object__load(bo), 0);
	bp = bpf_object__find_program_by_name(bo, "prog");
	bm = bpf_object__find_map_by_name(bo, "counts");
	REQUIRE(bp != NULL && bm != NULL);
	CHECK_EQ(bpf_program__type(bp), BPF_PROG_TYPE_XDP);
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = 3);
	CHECK_EQ(bpf_prog_test_run_opts(bpf_program__fd(bp), &run), 0);
	CHECK_EQ(run.retval, 2); /* XDP_PASS: .data[4] (1) + 1 */
	CHECK_EQ(bpf_map_lookup_elem(bpf_map__fd(bm), &key, &val), 0);
	CHECK_EQ(val, 21); /* three runs, += 7 each */
	bpf_object__close(bo);
	libbpf_set_print(old);
	bk_obj__free(obj);
	free(buf);
}

/* A section without symbols still gives libbpf a program (named after it). */
TEST(build_symbolless_section_is_a_libbpf_program)
{
	struct bk_insn code[] = {BK_MOV64_IMM(0, 2), BK_EXIT()};
	struct bk_obj *obj = bk_obj__new("nosym"), *back = NULL;
	struct bpf_object *bo;
	struct bpf_program *bp;
	struct bk_diag d;
	void *buf;
	size_t len;

	REQUIRE(obj != NULL);
	REQUIRE_EQ(bk_obj__add_sec(obj, "xdp.frags", code, 2), 0);
	REQUIRE_EQ(bk_obj__finish(obj, &d), 0);
	CHECK_STR(bk_prog__name(bk_obj__prog(obj, 0)), "xdp.frags");
	REQUIRE_EQ(bk_obj__write_elf(obj, &buf, &len, &d), 0);
	REQUIRE_EQ(bk_obj__open_mem(buf, len, NULL, &back, &d), 0);
	REQUIRE_EQ(bk_obj__prog_cnt(back), 1);
	CHECK_STR(bk_prog__name(bk_obj__prog(back, 0)), "xdp_frags");
	CHECK_EQ(bk_prog__type(bk_obj__prog(back, 0)), BK_PROG_XDP);
	bo = bpf_object__open_mem(buf, len, NULL);
	REQUIRE(bo != NULL);
	bp = bpf_object__find_program_by_name(bo, "xdp_frags");
	REQUIRE(bp != NULL);
	CHECK_EQ(bpf_program__type(bp), BPF_PROG_TYPE_XDP);
	CHECK_EQ(bpf_program__insn_cnt(bp), 2);
	bpf_object__close(bo);
	bk_obj__free(back);
	bk_obj__free(obj);
	free(buf);
}
