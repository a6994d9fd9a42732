// SPDX-License-Identifier: MIT
/* Unit tests of libjit's own features: W^X mappings while programs run,
 * the dispatcher in its three kinds, facts (shorter code, same results),
 * constant blinding, the checked mode's budget and depth limits, mode and
 * facts mismatches, tail calls into programs without native code, long
 * jumps, the image layout, and concurrent runs of one image. */
#include <errno.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <stdio.h>

#include "jittest.h"

#define LDDW2(name, D, IMM, IMM2) BK_I(name, D, 0, 0, IMM), ((struct bk_insn){.imm = (IMM2)})

/* A VM with prog loaded, compiled in mode with opts (facts, flags). */
struct jt {
	struct vt v;
	struct bk_jit_prog *jp;
	struct bk_diag diag;
};

static int jt_setup(struct jt *t, const struct bk_insn *p, size_t n, uint8_t mode,
		    const struct bk_jit_opts *opts)
{
	struct bk_jit_opts jo = {.sz = sizeof(jo), .mode = mode};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = mode};
	int err;

	memset(t, 0, sizeof(*t));
	bk_diag__init(&t->diag);
	if (opts)
		jo = *opts;
	jo.mode = mode;
	err = vt_load(&t->v, p, n, NULL);
	if (!err)
		err = bk_jit_prog__new(t->v.prog, &jo, &t->jp, &t->diag);
	if (!err)
		err = bk_vm_run__new(t->v.vm, &ro, &t->v.run);
	return err;
}

static int jt_run(struct jt *t, void *mem, size_t len, uint64_t *r0)
{
	bk_vm_run__ctx_raw(t->v.run, mem, len);
	bk_diag__init(&t->diag);
	return bk_jit_prog__exec(t->v.run, t->jp, r0, &t->diag);
}

static void jt_fini(struct jt *t)
{
	bk_jit_prog__free(t->jp);
	vt_fini(&t->v);
}

static size_t code_size(const struct bk_jit_prog *jp)
{
	struct bk_jit_layout l;

	bk_jit_prog__layout(jp, &l);
	return l.stubs - l.body;
}

/* ---- W^X -------------------------------------------------------------- */

static int rwx_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], perm[8];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %7s", perm) == 1 && perm[0] == 'r' && perm[1] == 'w' &&
		    perm[2] == 'x')
			n++;
	fclose(f);
	return n;
}

static int rwx_seen = -1;

static void on_print(void *ctx, const char *msg, size_t len)
{
	(void)ctx;
	(void)msg;
	(void)len;
	rwx_seen = rwx_mappings(); /* native code is running right now */
}

TEST(jit_wx_no_writable_executable_mapping)
{
	struct bk_insn p[] = {
		BK_ST_MEM(W, 10, -4, 0x0a6968), /* "hi\n" */
		BK_MOV64_REG(1, 10),
		BK_ALU64_IMM(ADD, 1, -4),
		BK_MOV64_IMM(2, 4),
		BK_CALL(BPF_FUNC_trace_printk),
		BK_EXIT(),
	};
	struct bk_vm_opts vo = {.sz = sizeof(vo), .print = on_print, .ncpus = 1};
	struct bk_jit_opts jo = {.sz = sizeof(jo), .mode = BK_VM_TRUSTED};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_TRUSTED};
	struct bk_jit_prog *jp[8] = {0};
	struct bk_vm_prog *prog;
	struct bk_vm_run *run;
	struct bk_vm *vm;
	uint64_t r0;

	REQUIRE_EQ(bk_vm__new(&vo, &vm), 0);
	REQUIRE_EQ(bk_vm_prog__load(vm, p, ARRAY_LEN(p), NULL, &prog, NULL), 0);
	for (int i = 0; i < 8; i++)
		REQUIRE_EQ(bk_jit_prog__new(prog, &jo, &jp[i], NULL), 0);
	CHECK_EQ(rwx_mappings(), 0);
	REQUIRE_EQ(bk_vm_run__new(vm, &ro, &run), 0);
	CHECK_EQ(bk_jit_prog__exec(run, jp[3], &r0, NULL), 0);
	CHECK_EQ(r0, 3); /* trace_printk: bytes written */
	CHECK_EQ(rwx_seen, 0);
	for (int i = 0; i < 8; i++)
		bk_jit_prog__free(jp[i]);
	bk_vm_run__free(run);
	bk_vm__free(vm);
}

/* ---- dispatcher ---------------------------------------------------------- */

TEST(jit_dispatcher_kinds)
{
	static const enum bk_jit_disp_kind kinds[] = {BK_JIT_DISP_SEARCH, BK_JIT_DISP_INDIRECT,
						      BK_JIT_DISP_RETPOLINE};
	enum {
		N = 11
	};
	struct bk_jit_opts jo = {.sz = sizeof(jo), .mode = BK_VM_TRUSTED};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_TRUSTED};
	struct bk_jit_prog *jp[N];
	struct bk_vm_run *run;
	struct vt v = {0};
	uint64_t r0;

	for (int i = 0; i < N; i++) {
		struct bk_insn p[] = {BK_MOV64_REG(0, 1), BK_ALU64_IMM(ADD, 0, 100 + i), BK_EXIT()};

		REQUIRE_EQ(vt_load(&v, p, ARRAY_LEN(p), NULL), 0);
		REQUIRE_EQ(bk_jit_prog__new(v.prog, &jo, &jp[i], NULL), 0);
	}
	REQUIRE_EQ(bk_vm_run__new(v.vm, &ro, &run), 0);
	REQUIRE_EQ(bk_vm_run__ctx_raw(run, NULL, 0), 0);
	for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
		struct bk_jit_disp *d;

		REQUIRE_EQ(bk_jit_disp__new(kinds[k], &d), 0);
		for (int i = 0; i < N - 1; i++) /* the last one stays out */
			CHECK_EQ(bk_jit_disp__add(d, jp[i]), 0);
		CHECK_EQ(bk_jit_disp__add(d, jp[0]), 0); /* twice: no-op */
		CHECK_EQ(bk_jit_disp__count(d), N - 1);
		for (int i = 0; i < N; i++) {
			CHECK_EQ(bk_jit_disp__exec(d, run, jp[i], &r0, NULL), 0);
			CHECK_EQ(r0, 100 + i);
		}
		CHECK_EQ(bk_jit_disp__remove(d, jp[4]), 0);
		CHECK_EQ(bk_jit_disp__remove(d, jp[4]), -ENOENT);
		CHECK_EQ(bk_jit_disp__count(d), N - 2);
		for (int i = 0; i < N; i++) {
			CHECK_EQ(bk_jit_disp__exec(d, run, jp[i], &r0, NULL), 0);
			CHECK_EQ(r0, 100 + i);
		}
		bk_jit_disp__free(d);
	}
	CHECK_EQ(bk_jit_disp__new((enum bk_jit_disp_kind)7, &(struct bk_jit_disp *){NULL}),
		 -EINVAL);
	for (int i = 0; i < N; i++)
		bk_jit_prog__free(jp[i]);
	bk_vm_run__free(run);
	vt_fini(&v);
}

/* ---- facts ------------------------------------------------------------- */

TEST(jit_facts_shorter_code_same_result)
{
	uint64_t mem[2] = {0x1111, 0x2222};
	struct bk_insn p[] = {
		BK_MOV64_IMM(2, 7),	  /* 0 */
		BK_MOV64_IMM(2, 7),	  /* 1: r2 is 7 already */
		BK_MOV32_REG(3, 3),	  /* 2: r3's upper half is zero */
		BK_MOV64_IMM(4, 3),	  /* 3 */
		BK_ALU64_REG(DIV, 2, 4),  /* 4: 7 / 3, divisor non-zero */
		BK_ALU64_IMM(LSH, 3, 32), /* 5: zero-extension pair, ... */
		BK_ALU64_IMM(RSH, 3, 32), /* 6: ... dropped */
		BK_LDX_MEM(DW, 5, 1, 8),  /* 7: in bounds */
		BK_JMP_IMM(JEQ, 5, 1, 1), /* 8: never taken */
		BK_ALU64_REG(ADD, 5, 2),  /* 9 */
		BK_MOV64_REG(0, 5),	  /* 10 */
		BK_ALU64_REG(ADD, 0, 3),  /* 11 */
		BK_EXIT(),		  /* 12 */
	};
	struct bk_insn_fact f[ARRAY_LEN(p)] = {
		[1] = {.flags = BK_FACT_DST_CONST, .dst_val = 7},
		[2] = {.flags = BK_FACT_DST_ZEXT | BK_FACT_SRC_ZEXT},
		[4] = {.flags = BK_FACT_DIV_NONZERO | BK_FACT_SRC_CONST, .src_val = 3},
		[5] = {.flags = BK_FACT_DST_ZEXT},
		[7] = {.flags = BK_FACT_MEM_SAFE, .ptr = BK_FACT_PTR_CTX},
		[8] = {.flags = BK_FACT_JMP_NEVER},
	};
	struct bk_jit_opts with = {.sz = sizeof(with), .facts = f, .nfacts = ARRAY_LEN(p)};
	struct bk_jit_stats st;
	struct jt a, b;
	uint64_t ra, rb;

	for (uint8_t mode = 0; mode < 2; mode++) {
		REQUIRE_EQ(jt_setup(&a, p, ARRAY_LEN(p), mode, NULL), 0);
		REQUIRE_EQ(jt_setup(&b, p, ARRAY_LEN(p), mode, &with), 0);
		CHECK_EQ(jt_run(&a, mem, sizeof(mem), &ra), 0);
		CHECK_EQ(jt_run(&b, mem, sizeof(mem), &rb), 0);
		CHECK_EQ(ra, 0x2222 + 2);
		CHECK_EQ(rb, ra);
		CHECK(code_size(b.jp) < code_size(a.jp));
		bk_jit_prog__stats(b.jp, &st);
		CHECK_EQ(st.facts_used, mode == BK_VM_CHECKED ? 7 : 6);
		jt_fini(&a);
		jt_fini(&b);
	}
	with.nfacts = 3;
	CHECK_EQ(jt_setup(&a, p, ARRAY_LEN(p), BK_VM_TRUSTED, &with), -BK_E_JIT_FACTS);
	jt_fini(&a);
}

TEST(jit_facts_constant_folding_and_dead_code)
{
	struct bk_insn p[] = {
		BK_MOV64_IMM(0, 6), BK_ALU64_IMM(MUL, 0, 7), BK_JA(1), BK_MOV64_IMM(0, 1),
		BK_EXIT(),
	};
	struct bk_insn_fact f[ARRAY_LEN(p)] = {
		[1] = {.flags = BK_FACT_DST_CONST, .dst_val = 6},
		[3] = {.flags = BK_FACT_DEAD},
	};
	struct bk_jit_opts with = {.sz = sizeof(with), .facts = f, .nfacts = ARRAY_LEN(p)};
	struct jt t;
	uint64_t r0;

	REQUIRE_EQ(jt_setup(&t, p, ARRAY_LEN(p), BK_VM_TRUSTED, &with), 0);
	CHECK_EQ(jt_run(&t, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 42);
	jt_fini(&t);
}

TEST(jit_facts_array_key_in_range)
{
	struct bk_map_attr aa = {
		.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 4};
	struct bk_insn p[] = {
		BK_ST_MEM(W, 10, -4, 2),  LDDW2(LDDW_MAP_IDX, 1, 0, 0),	     BK_MOV64_REG(2, 10),
		BK_ALU64_IMM(ADD, 2, -4), BK_CALL(BPF_FUNC_map_lookup_elem), /* 5 */
		BK_JMP_IMM(JEQ, 0, 0, 1), BK_LDX_MEM(DW, 0, 0, 0),	     BK_EXIT(),
	};
	struct bk_insn_fact f[ARRAY_LEN(p)] = {[5] = {.flags = BK_FACT_KEY_IN_RANGE}};
	struct bk_jit_opts jo = {.sz = sizeof(jo), .mode = BK_VM_TRUSTED};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_TRUSTED};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .nmaps = 1};
	struct bk_jit_prog *a, *b;
	struct bk_jit_stats st;
	struct bk_map *m;
	uint64_t r0, v = 0xabcdef;
	uint32_t k = 2;
	struct vt t = {0};

	REQUIRE_EQ(vt_load(&t, p, 1, NULL), 0); /* creates the VM */
	REQUIRE_EQ(bk_map__new(t.vm, &aa, &m, NULL), 0);
	REQUIRE_EQ(bk_map__update(m, &k, &v, 0), 0);
	po.maps = &m;
	REQUIRE_EQ(vt_load(&t, p, ARRAY_LEN(p), &po), 0);
	REQUIRE_EQ(bk_jit_prog__new(t.prog, &jo, &a, NULL), 0);
	jo.facts = f;
	jo.nfacts = ARRAY_LEN(p);
	REQUIRE_EQ(bk_jit_prog__new(t.prog, &jo, &b, NULL), 0);
	bk_jit_prog__stats(a, &st);
	CHECK_EQ(st.inlined, 1);
	CHECK(code_size(b) < code_size(a));
	REQUIRE_EQ(bk_vm_run__new(t.vm, &ro, &t.run), 0);
	CHECK_EQ(bk_jit_prog__exec(t.run, a, &r0, NULL), 0);
	CHECK_EQ(r0, 0xabcdef);
	CHECK_EQ(bk_jit_prog__exec(t.run, b, &r0, NULL), 0);
	CHECK_EQ(r0, 0xabcdef);
	bk_jit_prog__free(a);
	bk_jit_prog__free(b);
	vt_fini(&t);
}

/* ---- blinding ------------------------------------------------------------ */

static bool has_bytes(const struct bk_jit_prog *jp, uint32_t v)
{
	struct bk_jit_layout l;

	bk_jit_prog__layout(jp, &l);
	for (size_t i = l.body; i + 4 <= l.stubs; i++)
		if (!memcmp(l.image + i, &v, 4))
			return true;
	return false;
}

TEST(jit_harden_hides_immediates)
{
	struct bk_insn p[] = {
		BK_MOV64_IMM(0, 0x12345678),	   BK_ALU64_IMM(ADD, 0, 0x11223344),
		BK_JMP_IMM(JEQ, 0, 0x5a5a5a5a, 1), BK_ALU64_IMM(XOR, 0, 0x0badf00d),
		BK_ST_MEM(W, 10, -4, 0x77665544),  BK_LD_IMM64(1, 0x0102030405060708ull),
		BK_ALU64_REG(ADD, 0, 1),	   BK_EXIT(),
	};
	struct bk_jit_opts hard = {.sz = sizeof(hard), .flags = BK_JIT_HARDEN, .seed = 99};
	uint64_t expect = ((0x12345678ull + 0x11223344) ^ 0x0badf00d) + 0x0102030405060708ull;
	static const uint32_t imms[] = {0x12345678, 0x11223344, 0x5a5a5a5a,
					0x0badf00d, 0x77665544, 0x05060708};
	struct bk_jit_stats st;
	struct jt a, b;
	uint64_t r0;

	REQUIRE_EQ(jt_setup(&a, p, ARRAY_LEN(p), BK_VM_TRUSTED, NULL), 0);
	REQUIRE_EQ(jt_setup(&b, p, ARRAY_LEN(p), BK_VM_TRUSTED, &hard), 0);
	for (size_t i = 0; i < ARRAY_LEN(imms); i++) {
		CHECK(has_bytes(a.jp, imms[i]));
		CHECK(!has_bytes(b.jp, imms[i]));
	}
	CHECK_EQ(jt_run(&a, NULL, 0, &r0), 0);
	CHECK_EQ(r0, expect);
	CHECK_EQ(jt_run(&b, NULL, 0, &r0), 0);
	CHECK_EQ(r0, expect);
	bk_jit_prog__stats(b.jp, &st);
	CHECK(st.blinded >= 6);
	jt_fini(&a);
	jt_fini(&b);
}

/* ---- checked mode limits, mismatches ------------------------------------------- */

TEST(jit_checked_budget_and_count)
{
	/* 3 + 4 * 10 + 1 instructions; then an endless loop */
	struct bk_insn p[] = {
		BK_MOV64_IMM(0, 0),
		BK_MOV64_IMM(1, 10),
		BK_JA(0),
		BK_ALU64_IMM(ADD, 0, 2),
		BK_ALU64_IMM(SUB, 1, 1),
		BK_ALU64_IMM(ADD, 0, 0),
		BK_JMP_IMM(JNE, 1, 0, -4),
		BK_EXIT(),
	};
	struct bk_insn forever[] = {BK_MOV64_IMM(0, 0), BK_JA(-1), BK_EXIT()};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_CHECKED, .budget = 1000};
	struct jt t;
	uint64_t r0, interp;

	REQUIRE_EQ(jt_setup(&t, p, ARRAY_LEN(p), BK_VM_CHECKED, NULL), 0);
	CHECK_EQ(jt_run(&t, NULL, 0, &r0), 0);
	CHECK_EQ(r0, 20);
	REQUIRE_EQ(bk_vm_run__exec(t.v.run, t.v.prog, &r0, NULL), 0);
	interp = bk_vm_run__insn_count(t.v.run);
	CHECK_EQ(jt_run(&t, NULL, 0, &r0), 0);
	CHECK_EQ(bk_vm_run__insn_count(t.v.run), interp);
	jt_fini(&t);

	REQUIRE_EQ(jt_setup(&t, forever, ARRAY_LEN(forever), BK_VM_CHECKED, NULL), 0);
	bk_vm_run__free(t.v.run);
	REQUIRE_EQ(bk_vm_run__new(t.v.vm, &ro, &t.v.run), 0);
	CHECK_EQ(jt_run(&t, NULL, 0, &r0), -BK_E_VM_BUDGET);
	CHECK_EQ(t.diag.insn, 1);
	jt_fini(&t);
}

TEST(jit_mode_mismatch)
{
	struct bk_insn p[] = {BK_MOV64_IMM(0, 1), BK_EXIT()};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_TRUSTED};
	struct jt t;
	uint64_t r0;

	REQUIRE_EQ(jt_setup(&t, p, ARRAY_LEN(p), BK_VM_CHECKED, NULL), 0);
	bk_vm_run__free(t.v.run);
	REQUIRE_EQ(bk_vm_run__new(t.v.vm, &ro, &t.v.run), 0);
	CHECK_EQ(jt_run(&t, NULL, 0, &r0), -BK_E_JIT_MODE);
	jt_fini(&t);
}

TEST(jit_tail_call_needs_native_target)
{
	struct bk_map_attr pa = {
		.type = BPF_MAP_TYPE_PROG_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1};
	struct bk_insn target[] = {BK_MOV64_IMM(0, 7), BK_EXIT()};
	struct bk_insn caller[] = {LDDW2(LDDW_MAP_IDX, 2, 0, 0), BK_MOV64_IMM(3, 0),
				   BK_CALL(BPF_FUNC_tail_call), BK_MOV64_IMM(0, 1), BK_EXIT()};
	struct bk_jit_opts jo = {.sz = sizeof(jo), .mode = BK_VM_CHECKED};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .nmaps = 1};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_CHECKED};
	struct bk_vm_prog *tp;
	struct bk_jit_prog *jc, *jt_;
	struct bk_map *m;
	struct bk_diag d;
	uint32_t k = 0, id;
	uint64_t r0;
	struct vt v = {0};

	REQUIRE_EQ(vt_load(&v, target, ARRAY_LEN(target), NULL), 0);
	tp = v.prog;
	REQUIRE_EQ(bk_map__new(v.vm, &pa, &m, NULL), 0);
	id = bk_vm_prog__id(tp);
	REQUIRE_EQ(bk_map__update(m, &k, &id, 0), 0);
	po.maps = &m;
	REQUIRE_EQ(vt_load(&v, caller, ARRAY_LEN(caller), &po), 0);
	REQUIRE_EQ(bk_jit_prog__new(v.prog, &jo, &jc, NULL), 0);
	REQUIRE_EQ(bk_vm_run__new(v.vm, &ro, &v.run), 0);
	bk_diag__init(&d);
	CHECK_EQ(bk_jit_prog__exec(v.run, jc, &r0, &d), -BK_E_JIT_TAIL);
	CHECK_EQ(d.insn, 3);
	REQUIRE_EQ(bk_jit_prog__new(tp, &jo, &jt_, NULL), 0);
	CHECK_EQ(bk_jit_prog__exec(v.run, jc, &r0, NULL), 0);
	CHECK_EQ(r0, 7);
	bk_jit_prog__free(jt_);
	bk_jit_prog__free(jc);
	vt_fini(&v);
}

/* ---- code shape ------------------------------------------------------------ */

TEST(jit_long_jumps_and_layout)
{
	enum {
		N = 600
	};
	static struct bk_insn p[N + 4];
	struct bk_jit_layout l;
	struct jt t;
	uint64_t r0;

	p[0] = BK_MOV64_IMM(0, 0);
	p[1] = BK_JMP_IMM(JEQ, 1, 0, N); /* r1 (no memory) is 0: over everything */
	for (int i = 0; i < N; i++)
		p[2 + i] = BK_ALU64_IMM(ADD, 0, 1);
	p[N + 2] = BK_JMP_IMM(JLT, 0, 1000, -N - 1); /* back over everything */
	p[N + 3] = BK_EXIT();
	for (uint8_t mode = 0; mode < 2; mode++) {
		REQUIRE_EQ(jt_setup(&t, p, ARRAY_LEN(p), mode, NULL), 0);
		CHECK_EQ(jt_run(&t, NULL, 0, &r0), 0);
		CHECK_EQ(r0, 1200);
		bk_jit_prog__layout(t.jp, &l);
		CHECK_EQ(l.cnt, ARRAY_LEN(p));
		CHECK(l.enter < l.prologue && l.prologue < l.body && l.body <= l.stubs);
		CHECK_EQ(l.off[l.cnt], l.stubs);
		for (size_t i = 0; i < l.cnt; i++)
			CHECK(l.off[i] <= l.off[i + 1]);
		CHECK(l.stubs <= l.size);
		jt_fini(&t);
	}
}

struct thr {
	struct bk_jit_prog *jp;
	struct bk_vm *vm;
	int ok;
};

static void *thread_run(void *arg)
{
	struct thr *t = arg;
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_TRUSTED};
	struct bk_vm_run *run;
	uint64_t mem[1], r0;

	if (bk_vm_run__new(t->vm, &ro, &run))
		return NULL;
	for (uint64_t i = 0; i < 20000; i++) {
		mem[0] = i;
		bk_vm_run__ctx_raw(run, mem, sizeof(mem));
		if (bk_jit_prog__exec(run, t->jp, &r0, NULL) || r0 != i * 3 + 1)
			break;
		if (i == 19999)
			t->ok = 1;
	}
	bk_vm_run__free(run);
	return NULL;
}

TEST(jit_concurrent_runs_of_one_image)
{
	struct bk_insn p[] = {BK_LDX_MEM(DW, 0, 1, 0), BK_STX_MEM(DW, 10, 0, -8),
			      BK_ALU64_IMM(MUL, 0, 3), BK_ALU64_IMM(ADD, 0, 1), BK_EXIT()};
	struct thr th[4];
	pthread_t tid[4];
	struct jt t;

	REQUIRE_EQ(jt_setup(&t, p, ARRAY_LEN(p), BK_VM_TRUSTED, NULL), 0);
	for (int i = 0; i < 4; i++) {
		th[i] = (struct thr){t.jp, t.v.vm, 0};
		REQUIRE_EQ(pthread_create(&tid[i], NULL, thread_run, &th[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		CHECK_EQ(th[i].ok, 1);
	}
	jt_fini(&t);
}

TEST(jit_exec_n_repeats_afresh)
{
	/* counts runs in memory; r1 is moved, and must be the context again in
	 * the next run */
	uint64_t mem[2] = {0, 0};
	struct bk_insn count[] = {
		BK_LDX_MEM(DW, 3, 1, 0),
		BK_ALU64_IMM(ADD, 3, 1),
		BK_STX_MEM(DW, 1, 3, 0),
		BK_ALU64_IMM(ADD, 1, 8), /* r1 is the context again next run */
		BK_MOV64_REG(0, 2),
		BK_EXIT(),
	};
	/* legacy packet load out of range ends each run with r0 = 0 */
	struct bk_insn ldabs[] = {BK_LDX_MEM(DW, 3, 1, 8),
				  BK_ALU64_IMM(ADD, 3, 1),
				  BK_STX_MEM(DW, 1, 3, 8),
				  BK_MOV64_REG(6, 1),
				  BK_I(LDABSB, 0, 0, 0, 100),
				  BK_MOV64_IMM(0, 5),
				  BK_EXIT()};
	struct bk_insn forever[] = {BK_JA(-1), BK_EXIT()};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_CHECKED, .budget = 50};
	struct jt t;
	uint64_t r0;

	for (uint8_t mode = 0; mode < 2; mode++) {
		mem[0] = mem[1] = 0;
		REQUIRE_EQ(jt_setup(&t, count, ARRAY_LEN(count), mode, NULL), 0);
		bk_vm_run__ctx_raw(t.v.run, mem, sizeof(mem));
		CHECK_EQ(bk_jit_prog__exec_n(t.v.run, t.jp, 1000, &r0, NULL), 0);
		CHECK_EQ(r0, sizeof(mem));
		CHECK_EQ(mem[0], 1000);
		CHECK_EQ(bk_jit_prog__exec_n(t.v.run, t.jp, 0, &r0, NULL), -EINVAL);
		jt_fini(&t);
		REQUIRE_EQ(jt_setup(&t, ldabs, ARRAY_LEN(ldabs), mode, NULL), 0);
		bk_vm_run__ctx_raw(t.v.run, mem, sizeof(mem));
		CHECK_EQ(bk_jit_prog__exec_n(t.v.run, t.jp, 7, &r0, NULL), 0);
		CHECK_EQ(r0, 0);
		CHECK_EQ(mem[1], 7);
		jt_fini(&t);
	}
	/* the budget holds per run, and a fault stops the loop */
	REQUIRE_EQ(jt_setup(&t, count, ARRAY_LEN(count), BK_VM_CHECKED, NULL), 0);
	bk_vm_run__free(t.v.run);
	REQUIRE_EQ(bk_vm_run__new(t.v.vm, &ro, &t.v.run), 0);
	mem[0] = 0;
	bk_vm_run__ctx_raw(t.v.run, mem, sizeof(mem));
	CHECK_EQ(bk_jit_prog__exec_n(t.v.run, t.jp, 100, &r0, NULL), 0);
	CHECK_EQ(mem[0], 100);
	jt_fini(&t);
	REQUIRE_EQ(jt_setup(&t, forever, ARRAY_LEN(forever), BK_VM_CHECKED, NULL), 0);
	bk_vm_run__free(t.v.run);
	REQUIRE_EQ(bk_vm_run__new(t.v.vm, &ro, &t.v.run), 0);
	bk_vm_run__ctx_raw(t.v.run, NULL, 0);
	CHECK_EQ(bk_jit_prog__exec_n(t.v.run, t.jp, 100, &r0, NULL), -BK_E_VM_BUDGET);
	jt_fini(&t);
}

TEST(jit_large_program_settles)
{
	/* 3000 blocks of a short forward branch: every jump becomes rel8 */
	enum {
		BLOCKS = 3000
	};
	static struct bk_insn p[4 * BLOCKS + 2];
	struct bk_jit_stats st;
	struct jt t;
	uint64_t r0, x;
	size_t n = 0;

	for (int i = 0; i < BLOCKS; i++) {
		p[n++] = BK_ALU64_IMM(ADD, 0, 3);
		p[n++] = BK_JMP_IMM(JGT, 0, 1000000000, 1);
		p[n++] = BK_ALU64_IMM(SUB, 0, 1);
		p[n++] = BK_ALU64_IMM(XOR, 1, i);
	}
	p[n++] = BK_ALU64_REG(ADD, 0, 1);
	p[n++] = BK_EXIT();
	REQUIRE_EQ(jt_setup(&t, p, n, BK_VM_TRUSTED, NULL), 0);
	bk_jit_prog__stats(t.jp, &st);
	CHECK(st.passes <= 4);
	CHECK(code_size(t.jp) < 16 * n);
	CHECK_EQ(jt_run(&t, NULL, 0, &r0), 0);
	x = 0;
	for (int i = 0; i < BLOCKS; i++)
		x ^= (uint64_t)i;
	CHECK_EQ(r0, 2 * BLOCKS + x);
	jt_fini(&t);
}

TEST(jit_checked_addresses_near_the_top_fault)
{
	/* addresses that wrap past 2^64 must not pass the frame's fast path */
	struct bk_insn ld[] = {BK_MOV64_IMM(6, 0), BK_LDX_MEM(DW, 0, 6, -8), BK_EXIT()};
	struct bk_insn st[] = {BK_MOV64_IMM(6, -4), BK_ST_MEM(W, 6, 0, 1), BK_EXIT()};
	struct bk_insn at[] = {BK_MOV64_IMM(6, 0), BK_MOV64_IMM(0, 0),
			       BK_I(ATOMIC64_CMPXCHG, 6, 1, -8, 0), BK_EXIT()};
	struct {
		const struct bk_insn *p;
		size_t n;
		long insn;
	} cases[] = {{ld, ARRAY_LEN(ld), 1}, {st, ARRAY_LEN(st), 1}, {at, ARRAY_LEN(at), 2}};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct jt t;
		uint64_t r0;

		REQUIRE_EQ(jt_setup(&t, cases[i].p, cases[i].n, BK_VM_CHECKED, NULL), 0);
		CHECK_EQ(jt_run(&t, NULL, 0, &r0), -BK_E_VM_MEM);
		CHECK_EQ(t.diag.insn, cases[i].insn);
		jt_fini(&t);
	}
}

TEST(jit_checked_frames_after_a_call_returned)
{
	/* the callee's helper call records depth 1; back in main, the frame
	 * below main's (where the callee's was) is outside again */
	struct bk_insn p[] = {
		BK_CALL_LOCAL(2),	     /* 0 */
		BK_LDX_MEM(DW, 0, 10, -600), /* 1: below main's frame */
		BK_EXIT(),		     /* 2 */
		BK_ST_MEM(DW, 10, -8, 7),    /* 3: callee */
		BK_CALL(BPF_FUNC_get_smp_processor_id),
		BK_EXIT(),
	};
	struct jt t;
	uint64_t r0;

	REQUIRE_EQ(jt_setup(&t, p, ARRAY_LEN(p), BK_VM_CHECKED, NULL), 0);
	CHECK_EQ(jt_run(&t, NULL, 0, &r0), -BK_E_VM_MEM);
	CHECK_EQ(t.diag.insn, 1);
	CHECK_EQ(bk_vm_run__exec(t.v.run, t.v.prog, &r0, &t.diag), -BK_E_VM_MEM);
	CHECK_EQ(t.diag.insn, 1);
	jt_fini(&t);
}
