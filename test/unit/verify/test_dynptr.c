// SPDX-License-Identifier: MIT
/*
 * test_dynptr.c - ring buffer dynptrs and bpf_spin_lock through bk_verify()
 * on bytecode: the reference a reservation takes, overwriting and reading a
 * dynptr's slots, slices of a constant size, and a lock on a map without
 * BTF.  Verdicts and codes are the Linux 6.18 kernel's (test/corpus
 * dynptr.bpf.c and locks.bpf.c compare the same rules live).
 */
#include "harness.h"
#include "verify.h"

// clang-format off
static const struct bk_map_def dmaps[] = {
	{.name = "rb", .type = 27, .max_entries = 4096, .inner = -1},
	{.name = "arr", .type = 2, .key_size = 4, .value_size = 16, .max_entries = 4, .inner = -1},
};
// clang-format on

static int verify_dyn(const struct bk_insn *p, size_t n, long *insn)
{
	struct bk_verify_input in = {.sz = sizeof(in),
				     .insns = p,
				     .cnt = n,
				     .type = BK_PROG_XDP,
				     .maps = dmaps,
				     .nmaps = 2};
	struct bk_verify_opts o = {.sz = sizeof(o), .gpl = true, .nr_cpus = 2};
	struct bk_diag d;
	int rc = bk_verify(&in, &o, NULL, &d);

	*insn = rc ? d.insn : -1;
	return rc;
}

#define RUN(...)                                                                                   \
	({                                                                                         \
		const struct bk_insn p_[] = {__VA_ARGS__};                                         \
		verify_dyn(p_, ARRAY_LEN(p_), &insn);                                              \
	})

/* bpf_ringbuf_reserve_dynptr(&rb, 16, 0, fp-16) */
#define RESERVE                                                                                    \
	BK_I(LDDW_MAP_FD, 1, 0, 0, 0), ((struct bk_insn){.imm = 0}), BK_MOV64_IMM(2, 16),          \
		BK_MOV64_IMM(3, 0), BK_MOV64_REG(4, 10), BK_ALU64_IMM(ADD, 4, -16), BK_CALL(198)
/* bpf_ringbuf_submit_dynptr(fp-16, 0) */
#define SUBMIT BK_MOV64_REG(1, 10), BK_ALU64_IMM(ADD, 1, -16), BK_MOV64_IMM(2, 0), BK_CALL(199)

TEST(dynptr_reserve_submit)
{
	long insn;

	CHECK_EQ(RUN(RESERVE, SUBMIT, BK_MOV64_IMM(0, 2), BK_EXIT()), 0);
	/* not released: a leak at the exit, whatever the reservation returned */
	CHECK_EQ(RUN(RESERVE, BK_MOV64_IMM(0, 2), BK_EXIT()), -BK_E_V_REF_LEAK);
	CHECK_EQ(insn, 8);
	/* released twice */
	CHECK_EQ(RUN(RESERVE, SUBMIT, SUBMIT, BK_MOV64_IMM(0, 2), BK_EXIT()), -BK_E_V_REF);
	CHECK_EQ(insn, 14);
}

TEST(dynptr_slots)
{
	long insn;

	/* a store into a ring buffer dynptr */
	CHECK_EQ(RUN(RESERVE, BK_ST_MEM(DW, 10, -8, 0), SUBMIT, BK_MOV64_IMM(0, 2), BK_EXIT()),
		 -BK_E_V_DYNPTR);
	CHECK_EQ(insn, 7);
	/* a load of its bytes */
	CHECK_EQ(RUN(RESERVE, BK_LDX_MEM(DW, 0, 10, -16), SUBMIT, BK_MOV64_IMM(0, 2), BK_EXIT()),
		 -BK_E_V_STACK_READ);
	CHECK_EQ(insn, 7);
	/* submitting stack that holds no dynptr */
	CHECK_EQ(RUN(BK_ST_MEM(DW, 10, -8, 0), BK_ST_MEM(DW, 10, -16, 0), SUBMIT,
		     BK_MOV64_IMM(0, 2), BK_EXIT()),
		 -BK_E_V_REF);
	/* a dynptr at fp-8 has no second slot */
	CHECK_EQ(RUN(BK_I(LDDW_MAP_FD, 1, 0, 0, 0), ((struct bk_insn){.imm = 0}),
		     BK_MOV64_IMM(2, 16), BK_MOV64_IMM(3, 0), BK_MOV64_REG(4, 10),
		     BK_ALU64_IMM(ADD, 4, -8), BK_CALL(198), BK_MOV64_IMM(0, 2), BK_EXIT()),
		 -BK_E_V_DYNPTR);
	CHECK_EQ(insn, 6);
}

TEST(dynptr_slice)
{
	long insn;
	/* r0 = bpf_dynptr_data(fp-16, 0, 8); if r0 store at off */
#define SLICE(OFF)                                                                                 \
	RESERVE, BK_MOV64_REG(1, 10), BK_ALU64_IMM(ADD, 1, -16), BK_MOV64_IMM(2, 0),               \
		BK_MOV64_IMM(3, 8), BK_CALL(203), BK_JMP_IMM(JEQ, 0, 0, 1),                        \
		BK_ST_MEM(DW, 0, OFF, 1), SUBMIT, BK_MOV64_IMM(0, 2), BK_EXIT()

	CHECK_EQ(RUN(SLICE(0)), 0);
	CHECK_EQ(RUN(SLICE(8)), -BK_E_V_MEM_BOUNDS);
	CHECK_EQ(insn, 13);
#undef SLICE
}

TEST(spin_lock_needs_btf)
{
	long insn;

	/* a lock in a map value of a map without BTF */
	CHECK_EQ(RUN(BK_ST_MEM(W, 10, -4, 0), BK_MOV64_REG(2, 10), BK_ALU64_IMM(ADD, 2, -4),
		     BK_I(LDDW_MAP_FD, 1, 0, 0, 1), ((struct bk_insn){.imm = 0}), BK_CALL(1),
		     BK_JMP_IMM(JEQ, 0, 0, 2), BK_MOV64_REG(1, 0), BK_CALL(93), BK_MOV64_IMM(0, 2),
		     BK_EXIT()),
		 -BK_E_V_LOCK);
	CHECK_EQ(insn, 8);
	/* unlock without a lock is refused the same way (the field first) */
	CHECK_EQ(RUN(BK_MOV64_IMM(1, 0), BK_CALL(94), BK_MOV64_IMM(0, 2), BK_EXIT()), -BK_E_V_LOCK);
}
