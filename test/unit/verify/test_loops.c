// SPDX-License-Identifier: MIT
/*
 * test_loops.c - loops through bk_verify(): bounded loops walked to their
 * end, the same state twice (an infinite loop), may_goto loops that
 * converge, the jump-sequence limit, open-coded iterators (named by
 * relocation) and their misuses, bpf_loop callbacks, and the explanation
 * of a rejection (path and hint).  Verdicts and processed counts are the
 * Linux 6.18 kernel's for the same bytecode (test/corpus and the
 * differential fuzzer compare them live).
 */
#include <bpf/btf.h>

#include "harness.h"
#include "verify.h"

// clang-format off
static const struct bk_map_def maps[] = {
	{.name = "one", .type = 2, .key_size = 4, .value_size = 64, .max_entries = 1, .inner = -1},
	{.name = "hsh", .type = 1, .key_size = 4, .value_size = 16, .max_entries = 8, .inner = -1},
};
// clang-format on

/* What a test looks at of a run: verdict, counts, and of the explanation
 * the hint, the instruction it names, the number of steps and the first. */
struct res {
	int rc;
	long insn;
	struct bk_verify_stats st;
	struct {
		char hint[512];
		int32_t hint_insn;
		size_t nsteps;
		struct bk_verify_step steps[1];
	} ex;
};

/* Kfunc calls carry the index of their name in imm. */
static const char *const kf[] = {"bpf_iter_num_new", "bpf_iter_num_next", "bpf_iter_num_destroy"};

static struct res run_btf(const struct bk_insn *p, size_t n, const struct btf *btf,
			  const struct bk_func *funcs, size_t nfuncs)
{
	struct bk_reloc rel[16];
	size_t nrel = 0;

	for (size_t i = 0; i < n && nrel < 16; i++)
		if (p[i].code == BK_OPC_CALL_KFUNC && p[i].src == 2)
			rel[nrel++] = (struct bk_reloc){.insn = (uint32_t)i,
							.kind = BK_RELO_KFUNC,
							.map = -1,
							.sym = kf[p[i].imm]};
	struct bk_verify_input in = {.sz = sizeof(in),
				     .insns = p,
				     .cnt = n,
				     .type = BK_PROG_XDP,
				     .maps = maps,
				     .nmaps = 2,
				     .relocs = rel,
				     .nrelocs = nrel,
				     .btf = btf,
				     .funcs = funcs,
				     .nfuncs = nfuncs};
	struct res r = {0};
	struct bk_verify_explain ex = {0};
	struct bk_verify_opts o = {.sz = sizeof(o), .gpl = true, .nr_cpus = 2, .explain = &ex};
	struct bk_diag d;

	r.rc = bk_verify(&in, &o, &r.st, &d);
	r.insn = r.rc ? d.insn : -1;
	if (r.rc)
		CHECK_EQ(-r.rc, d.code);
	memcpy(r.ex.hint, ex.hint, sizeof(r.ex.hint));
	r.ex.hint_insn = ex.hint_insn;
	r.ex.nsteps = ex.nsteps;
	if (ex.nsteps)
		r.ex.steps[0] = ex.steps[0];
	bk_verify_explain__clear(&ex);
	return r;
}

static struct res run(const struct bk_insn *p, size_t n)
{
	return run_btf(p, n, NULL, NULL, 0);
}

#define XDP(...)                                                                                   \
	({                                                                                         \
		const struct bk_insn p_[] = {__VA_ARGS__};                                         \
		run(p_, ARRAY_LEN(p_));                                                            \
	})

#define KCALL(K) BK_I(CALL_KFUNC, 0, 0, 0, K)
#define MAY_GOTO(OFF) BK_I(MAY_GOTO, 0, 0, OFF, 0)
/* r1 = fp - 8 */
#define IT_PTR BK_MOV64_REG(1, 10), BK_ALU64_IMM(ADD, 1, -8)

TEST(bounded_loop_walked_to_its_end)
{
	/* for (r1 = 0; r1 < 10; r1++); 3 insns an iteration, 10 iterations */
	struct res r = XDP(BK_MOV64_IMM(1, 0), BK_ALU64_IMM(ADD, 1, 1), BK_JMP_IMM(JLT, 1, 10, -2),
			   BK_MOV64_IMM(0, 2), BK_EXIT());

	CHECK_EQ(r.rc, 0);
	CHECK_EQ(r.st.insns_processed, 1 + 2 * 10 + 2);
}

TEST(same_state_twice_is_an_infinite_loop)
{
	struct res r = XDP(BK_MOV64_IMM(1, 0), BK_ALU64_IMM(AND, 1, 0), BK_JA(-2));

	CHECK_EQ(r.rc, -BK_E_V_INF_LOOP);
	CHECK_EQ(r.insn, 1);
	CHECK(strstr(r.ex.hint, "makes no progress") != NULL);
}

TEST(may_goto_loop_converges)
{
	/* r7 counts, only stored: imprecise, widened, the loop converges */
	struct res r = XDP(BK_MOV64_IMM(7, 0), MAY_GOTO(2), BK_ALU64_IMM(ADD, 7, 1), BK_JA(-3),
			   BK_STX_MEM(DW, 10, 7, -8), BK_MOV64_IMM(0, 2), BK_EXIT());

	CHECK_EQ(r.rc, 0);
	CHECK(r.st.insns_processed < 40);
}

TEST(may_goto_with_a_bound_of_its_own)
{
	struct res r = XDP(BK_MOV64_IMM(7, 0), BK_JMP_IMM(JGT, 7, 100, 3), MAY_GOTO(2),
			   BK_ALU64_IMM(ADD, 7, 1), BK_JA(-4), BK_MOV64_IMM(0, 2), BK_EXIT());

	CHECK_EQ(r.rc, 0);
	CHECK_EQ(r.st.insns_processed, 610); /* the kernel's count */
}

TEST(pending_branches_limit)
{
	/* each of 9000 iterations leaves an undecided branch pending */
	struct res r =
		XDP(BK_CALL(7), BK_MOV64_REG(6, 0), BK_MOV64_IMM(7, 0), BK_JMP_IMM(JEQ, 6, 0, 1),
		    BK_ALU64_IMM(ADD, 6, 1), BK_ALU64_IMM(ADD, 7, 1), BK_JMP_IMM(JLT, 7, 9000, -4),
		    BK_MOV64_IMM(0, 2), BK_EXIT());

	CHECK_EQ(r.rc, -BK_E_V_COMPLEXITY);
	CHECK_EQ(r.st.insns_processed, 32772); /* the kernel's count */
}

TEST(iterator_loop)
{
	/* new(fp-8, 0, 100); while (next) ; destroy */
	struct res r = XDP(IT_PTR, BK_MOV64_IMM(2, 0), BK_MOV64_IMM(3, 100), KCALL(0), IT_PTR,
			   KCALL(1), BK_JMP_IMM(JEQ, 0, 0, 1), BK_JA(-5), IT_PTR, KCALL(2),
			   BK_MOV64_IMM(0, 2), BK_EXIT());

	CHECK_EQ(r.rc, 0);
}

TEST(iterator_widens_a_sum_tested_after_the_loop)
{
	/* r8 = 0; while ((r0 = next)) r8 += *(u32 *)r0; destroy;
	 * r0 = r8 < 28 ? 2 : 1: the test is decided only where the loop
	 * ends at once (r8 = 0), so r8 is widened from the second
	 * iteration on and the loop converges */
	struct res r =
		XDP(BK_MOV64_IMM(8, 0), IT_PTR, BK_MOV64_IMM(2, 0), BK_MOV64_IMM(3, 55), KCALL(0),
		    IT_PTR, KCALL(1), BK_JMP_IMM(JEQ, 0, 0, 3), BK_LDX_MEM(W, 6, 0, 0),
		    BK_ALU64_REG(ADD, 8, 6), BK_JA(-7), IT_PTR, KCALL(2), BK_MOV64_IMM(0, 2),
		    BK_JMP_IMM(JLT, 8, 28, 1), BK_MOV64_IMM(0, 1), BK_EXIT());

	CHECK_EQ(r.rc, 0);
	CHECK(r.st.insns_processed < 200);
}

TEST(iterator_keeps_a_flag_tested_in_the_body)
{
	/* r7 = 0; while (next) { if (r7 > 1) r0 = r5 (uninit); r7 ^= 1; }:
	 * decided each time, r7 stays exact and the branch is never taken */
	struct res r = XDP(BK_MOV64_IMM(7, 0), IT_PTR, BK_MOV64_IMM(2, 0), BK_MOV64_IMM(3, 55),
			   KCALL(0), IT_PTR, KCALL(1), BK_JMP_IMM(JEQ, 0, 0, 3),
			   BK_JMP_IMM(JGT, 7, 1, 7), BK_ALU64_IMM(XOR, 7, 1), BK_JA(-7), IT_PTR,
			   KCALL(2), BK_MOV64_IMM(0, 2), BK_EXIT(), BK_MOV64_REG(0, 5), BK_EXIT());

	CHECK_EQ(r.rc, 0);
	CHECK(r.st.insns_processed < 200);
}

TEST(iterator_misuse)
{
	/* not destroyed */
	struct res r = XDP(IT_PTR, BK_MOV64_IMM(2, 0), BK_MOV64_IMM(3, 4), KCALL(0),
			   BK_MOV64_IMM(0, 2), BK_EXIT());

	CHECK_EQ(r.rc, -BK_E_V_REF_LEAK);
	CHECK(strstr(r.ex.hint, "bpf_iter_num_new") != NULL);
	/* next without new */
	CHECK_EQ(XDP(IT_PTR, KCALL(1), BK_MOV64_IMM(0, 2), BK_EXIT()).rc, -BK_E_V_ITER);
	/* created twice */
	CHECK_EQ(XDP(IT_PTR, BK_MOV64_IMM(2, 0), BK_MOV64_IMM(3, 4), KCALL(0), IT_PTR,
		     BK_MOV64_IMM(2, 0), BK_MOV64_IMM(3, 4), KCALL(0), BK_MOV64_IMM(0, 2),
		     BK_EXIT())
			 .rc,
		 -BK_E_V_ITER);
	/* the result used before its NULL check */
	CHECK_EQ(XDP(IT_PTR, BK_MOV64_IMM(2, 0), BK_MOV64_IMM(3, 4), KCALL(0), IT_PTR, KCALL(1),
		     BK_LDX_MEM(W, 0, 0, 0), IT_PTR, KCALL(2), BK_MOV64_IMM(0, 2), BK_EXIT())
			 .rc,
		 -BK_E_V_INVALID_MEM);
	/* a store into its slot, then next */
	CHECK_EQ(XDP(IT_PTR, BK_MOV64_IMM(2, 0), BK_MOV64_IMM(3, 4), KCALL(0),
		     BK_ST_MEM(W, 10, -8, 1), IT_PTR, KCALL(1), IT_PTR, KCALL(2),
		     BK_MOV64_IMM(0, 2), BK_EXIT())
			 .rc,
		 -BK_E_V_ITER);
	/* a read of its slot */
	CHECK_EQ(XDP(IT_PTR, BK_MOV64_IMM(2, 0), BK_MOV64_IMM(3, 4), KCALL(0),
		     BK_LDX_MEM(DW, 4, 10, -8), IT_PTR, KCALL(2), BK_MOV64_IMM(0, 2), BK_EXIT())
			 .rc,
		 -BK_E_V_STACK_READ);
}

TEST(kfunc_without_a_name)
{
	struct bk_insn p[] = {KCALL(0), BK_MOV64_IMM(0, 2), BK_EXIT()};
	struct bk_verify_input in = {.sz = sizeof(in),
				     .insns = p,
				     .cnt = 3,
				     .type = BK_PROG_XDP,
				     .maps = maps,
				     .nmaps = 1};
	struct bk_diag d;

	CHECK_EQ(bk_verify(&in, NULL, NULL, &d), -BK_E_V_KFUNC);
}

/* bpf_loop(nr, cb, NULL, 0) with the callback at the end returning R0. */
static struct res loop_cb(int32_t nr, int32_t ret, bool btf_info)
{
	const struct bk_insn p[] = {
		BK_MOV64_IMM(1, nr),	      BK_I(LDDW_FUNC, 2, 0, 0, 6),
		((struct bk_insn){.imm = 0}), BK_MOV64_IMM(3, 0),
		BK_MOV64_IMM(4, 0),	      BK_CALL(181),
		BK_MOV64_IMM(0, 2),	      BK_EXIT(),
		BK_MOV64_IMM(0, ret),	      BK_EXIT(),
	};
	struct btf *btf = btf__new_empty();
	int i = btf__add_int(btf, "int", 4, BTF_INT_SIGNED), proto = btf__add_func_proto(btf, i);
	int fmain = btf__add_func(btf, "main", BTF_FUNC_GLOBAL, proto);
	int fcb = btf__add_func(btf, "cb", BTF_FUNC_STATIC, proto);
	const struct bk_func funcs[] = {{.insn = 0, .name = "main", .btf_id = (uint32_t)fmain},
					{.insn = 8, .name = "cb", .btf_id = (uint32_t)fcb}};
	struct res r = run_btf(p, ARRAY_LEN(p), btf_info ? btf : NULL, funcs, 2);

	btf__free(btf);
	return r;
}

TEST(bpf_loop_callbacks)
{
	CHECK_EQ(loop_cb(10, 0, true).rc, 0);
	CHECK_EQ(loop_cb(10, 1, true).rc, 0);
	CHECK_EQ(loop_cb(10, 2, true).rc, -BK_E_V_RET_VALUE);
	CHECK_EQ(loop_cb(10, -1, true).rc, -BK_E_V_RET_VALUE);
	/* the kernel needs BTF func info for a callback */
	CHECK_EQ(loop_cb(10, 0, false).rc, -BK_E_V_CALLBACK);
}

TEST(explanation_of_a_rejection)
{
	/* r0 = lookup(); *(u32 *)r0 without a NULL check */
	struct res r = XDP(BK_ST_MEM(W, 10, -4, 0), BK_MOV64_REG(2, 10), BK_ALU64_IMM(ADD, 2, -4),
			   BK_I(LDDW_MAP_FD, 1, 0, 0, 0), ((struct bk_insn){.imm = 0}), BK_CALL(1),
			   BK_JMP_IMM(JEQ, 6, 0, 0), BK_LDX_MEM(W, 0, 0, 0), BK_EXIT());

	CHECK_EQ(r.rc, -BK_E_V_UNINIT_REG); /* r6 read before written */
	r = XDP(BK_ST_MEM(W, 10, -4, 0), BK_MOV64_REG(2, 10), BK_ALU64_IMM(ADD, 2, -4),
		BK_I(LDDW_MAP_FD, 1, 0, 0, 1), ((struct bk_insn){.imm = 0}), BK_CALL(1),
		BK_MOV64_IMM(1, 0), BK_JMP_IMM(JEQ, 1, 0, 0), BK_LDX_MEM(W, 0, 0, 0), BK_EXIT());
	CHECK_EQ(r.rc, -BK_E_V_NULL_DEREF);
	CHECK_EQ(r.insn, 8);
	CHECK_EQ(r.ex.hint_insn, 5); /* the lookup */
	CHECK(strstr(r.ex.hint, "bpf_map_lookup_elem") != NULL);
	CHECK_EQ(r.ex.nsteps, 1); /* the conditional jump at 7, on to 8 */
	CHECK_EQ(r.ex.steps[0].insn, 7);
	CHECK_EQ(r.ex.steps[0].target, 8);
	CHECK(r.ex.steps[0].taken >= 0);
	CHECK(strstr(r.ex.steps[0].regs, "R1=0") != NULL);
	bk_verify_explain__clear(NULL); /* NULL is safe */
}
