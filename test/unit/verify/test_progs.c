// SPDX-License-Identifier: MIT
/*
 * test_progs.c - whole programs written with the BK_* macros through
 * bk_verify(): each case asserts the verdict, the error code and the
 * instruction of a rejection.  Verdicts are the Linux 6.18 kernel's for the
 * same bytecode (the corpus and the differential fuzzer compare them live).
 */
#include "harness.h"
#include "verify.h"

// clang-format off
static const struct bk_map_def maps[] = {
	{.name = "arr", .type = 2, .key_size = 4, .value_size = 16, .max_entries = 4, .inner = -1},
	{.name = "hsh", .type = 1, .key_size = 8, .value_size = 16, .max_entries = 8, .inner = -1},
	{.name = "one", .type = 2, .key_size = 4, .value_size = 64, .max_entries = 1, .inner = -1},
	{.name = "rb", .type = 27, .max_entries = 4096, .inner = -1},
};
// clang-format on

struct res {
	int rc;
	long insn;
	struct bk_verify_stats st;
};

static struct res run(enum bk_prog_type t, const struct bk_insn *p, size_t n)
{
	struct bk_verify_input in = {
		.sz = sizeof(in), .insns = p, .cnt = n, .type = t, .maps = maps, .nmaps = 4};
	struct bk_verify_opts o = {.sz = sizeof(o), .gpl = true, .nr_cpus = 2};
	struct bk_diag d;
	struct res r;

	r.rc = bk_verify(&in, &o, &r.st, &d);
	r.insn = r.rc ? d.insn : -1;
	if (r.rc)
		CHECK_EQ(-r.rc, d.code);
	return r;
}

#define XDP(...)                                                                                   \
	({                                                                                         \
		const struct bk_insn p_[] = {__VA_ARGS__};                                         \
		run(BK_PROG_XDP, p_, ARRAY_LEN(p_));                                               \
	})
#define AS(T, ...)                                                                                 \
	({                                                                                         \
		const struct bk_insn p_[] = {__VA_ARGS__};                                         \
		run(T, p_, ARRAY_LEN(p_));                                                         \
	})

/* r0 = lookup(map, &(u32 key at fp-4 = K)) */
#define LOOKUP(MAP, K)                                                                             \
	BK_ST_MEM(W, 10, -4, K), BK_MOV64_REG(2, 10), BK_ALU64_IMM(ADD, 2, -4),                    \
		BK_I(LDDW_MAP_FD, 1, 0, 0, MAP), ((struct bk_insn){.imm = 0}), BK_CALL(1)

TEST(accepts_return_constant)
{
	struct res r = XDP(BK_MOV64_IMM(0, 2), BK_EXIT());

	CHECK_EQ(r.rc, 0);
	CHECK_EQ(r.st.insns_processed, 2);
}

TEST(uninit_r0_at_exit)
{
	struct res r = XDP(BK_EXIT());

	CHECK_EQ(r.rc, -BK_E_V_UNINIT_REG);
	CHECK_EQ(r.insn, 0);
}

TEST(structural_errors)
{
	CHECK_EQ(XDP(BK_MOV64_IMM(0, 0), BK_JA(5), BK_EXIT()).rc, -BK_E_V_JMP_RANGE);
	CHECK_EQ(XDP(BK_MOV64_IMM(0, 0), BK_EXIT(), BK_MOV64_IMM(0, 1), BK_EXIT()).rc,
		 -BK_E_V_UNREACHABLE);
	CHECK_EQ(XDP(BK_MOV64_IMM(0, 0), BK_JMP_IMM(JEQ, 1, 0, 1), BK_LD_IMM64(2, 7), BK_EXIT()).rc,
		 -BK_E_V_JMP_LDDW);
	CHECK_EQ(XDP(BK_MOV64_IMM(0, 0)).rc, -BK_E_V_FALLTHROUGH);
	CHECK_EQ(XDP(BK_MOV64_IMM(10, 0), BK_EXIT()).rc, -BK_E_V_FP_WRITE);
	CHECK_EQ(XDP(BK_MOV64_IMM(0, 1), BK_ALU64_IMM(DIV, 0, 0), BK_EXIT()).rc, -BK_E_V_DIV_ZERO);
	CHECK_EQ(XDP(BK_MOV64_IMM(0, 1), BK_ALU64_IMM(LSH, 0, 64), BK_EXIT()).rc, -BK_E_V_SHIFT);
}

TEST(reserved_fields_only_when_reached)
{
	/* an exit's offset is never looked at; an ALU offset is, when reached */
	struct bk_insn ex = BK_EXIT();
	struct bk_insn add = BK_ALU64_IMM(ADD, 0, 1);

	ex.off = 4;
	add.off = 3;
	CHECK_EQ(XDP(BK_MOV64_IMM(0, 0), ex).rc, 0);
	struct res r = XDP(BK_MOV64_IMM(0, 0), add, BK_EXIT());

	CHECK_EQ(r.rc, -BK_E_V_BAD_INSN);
	CHECK_EQ(r.insn, 1);
	CHECK_EQ(XDP(BK_MOV64_IMM(0, 0), BK_MOV64_IMM(1, 1), BK_JMP_IMM(JEQ, 1, 1, 1), add,
		     BK_EXIT())
			 .rc,
		 0);
}

TEST(null_check_required)
{
	/* key 7 is past the array's 4 entries: the lookup may return NULL */
	struct res r = XDP(LOOKUP(0, 7), BK_LDX_MEM(DW, 0, 0, 0), BK_EXIT());

	CHECK_EQ(r.rc, -BK_E_V_NULL_DEREF);
	CHECK_EQ(r.insn, 6);
	r = XDP(LOOKUP(0, 7), BK_JMP_IMM(JEQ, 0, 0, 1), BK_LDX_MEM(DW, 0, 0, 0), BK_EXIT());
	CHECK_EQ(r.rc, 0);
	/* the check on a copy covers the original */
	r = XDP(LOOKUP(0, 7), BK_MOV64_REG(3, 0), BK_JMP_IMM(JEQ, 3, 0, 1), BK_LDX_MEM(DW, 0, 0, 8),
		BK_EXIT());
	CHECK_EQ(r.rc, 0);
}

TEST(array_constant_key_is_not_null)
{
	/* a zero key written as a register spill: STACK_ZERO, in range */
	struct res r =
		XDP(BK_MOV64_IMM(1, 0), BK_STX_MEM(W, 10, 1, -4), BK_MOV64_REG(2, 10),
		    BK_ALU64_IMM(ADD, 2, -4), BK_I(LDDW_MAP_FD, 1, 0, 0, 0),
		    ((struct bk_insn){.imm = 0}), BK_CALL(1), BK_LDX_MEM(DW, 0, 0, 0), BK_EXIT());

	CHECK_EQ(r.rc, 0);
}

TEST(map_value_bounds)
{
	CHECK_EQ(XDP(LOOKUP(0, 1), BK_JMP_IMM(JEQ, 0, 0, 1), BK_LDX_MEM(DW, 0, 0, 8), BK_EXIT()).rc,
		 0);
	struct res r =
		XDP(LOOKUP(0, 1), BK_JMP_IMM(JEQ, 0, 0, 1), BK_LDX_MEM(DW, 0, 0, 9), BK_EXIT());

	CHECK_EQ(r.rc, -BK_E_V_MAP_BOUNDS);
	CHECK_EQ(r.insn, 7);
	/* value + (unknown & 7) is in bounds for an 8-byte read at most at 8 */
	r = XDP(LOOKUP(0, 1), BK_JMP_IMM(JEQ, 0, 0, 5), BK_MOV64_REG(6, 0), BK_CALL(7),
		BK_ALU64_IMM(AND, 0, 7), BK_ALU64_REG(ADD, 6, 0), BK_LDX_MEM(DW, 0, 6, 0),
		BK_EXIT());
	CHECK_EQ(r.rc, 0);
	r = XDP(LOOKUP(0, 1), BK_JMP_IMM(JEQ, 0, 0, 5), BK_MOV64_REG(6, 0), BK_CALL(7),
		BK_ALU64_IMM(AND, 0, 15), BK_ALU64_REG(ADD, 6, 0), BK_LDX_MEM(DW, 0, 6, 0),
		BK_EXIT());
	CHECK_EQ(r.rc, -BK_E_V_MAP_BOUNDS);
}

TEST(pointer_arithmetic_rules)
{
	CHECK_EQ(
		XDP(BK_MOV64_REG(1, 10), BK_ALU32_IMM(ADD, 1, 8), BK_MOV64_IMM(0, 0), BK_EXIT()).rc,
		-BK_E_V_PTR_ARITH);
	CHECK_EQ(XDP(BK_MOV64_REG(1, 10), BK_ALU64_IMM(AND, 1, -8), BK_MOV64_IMM(0, 0), BK_EXIT())
			 .rc,
		 -BK_E_V_PTR_ARITH);
	CHECK_EQ(XDP(BK_MOV64_REG(1, 10), BK_ALU64_REG(ADD, 1, 10), BK_MOV64_IMM(0, 0), BK_EXIT())
			 .rc,
		 -BK_E_V_PTR_ARITH);
	/* pointer - pointer is a scalar for root */
	CHECK_EQ(XDP(BK_MOV64_REG(1, 10), BK_ALU64_REG(SUB, 1, 10), BK_MOV64_REG(0, 1), BK_EXIT())
			 .rc,
		 0);
	CHECK_EQ(
		XDP(BK_MOV64_IMM(1, 5), BK_ALU64_REG(SUB, 1, 10), BK_MOV64_IMM(0, 0), BK_EXIT()).rc,
		-BK_E_V_PTR_ARITH);
	/* ctx + 4 may not be dereferenced */
	struct res r = XDP(BK_ALU64_IMM(ADD, 1, 4), BK_LDX_MEM(W, 0, 1, 0), BK_EXIT());

	CHECK_EQ(r.rc, -BK_E_V_CTX_MODIFIED);
	CHECK_EQ(r.insn, 1);
}

TEST(stack_rules)
{
	/* root may read stack never written */
	CHECK_EQ(XDP(BK_LDX_MEM(DW, 0, 10, -8), BK_EXIT()).rc, 0);
	CHECK_EQ(XDP(BK_MOV64_IMM(0, 0), BK_STX_MEM(B, 10, 0, -513), BK_EXIT()).rc,
		 -BK_E_V_STACK_BOUNDS);
	CHECK_EQ(XDP(BK_MOV64_IMM(0, 0), BK_STX_MEM(DW, 10, 0, -12), BK_EXIT()).rc,
		 -BK_E_V_MISALIGNED);
	/* a pointer spill and fill keeps the pointer; a narrow fill of it does not */
	CHECK_EQ(XDP(BK_STX_MEM(DW, 10, 1, -8), BK_LDX_MEM(DW, 6, 10, -8), BK_LDX_MEM(W, 0, 6, 16),
		     BK_EXIT())
			 .rc,
		 0);
	CHECK_EQ(XDP(BK_STX_MEM(DW, 10, 1, -8), BK_LDX_MEM(W, 0, 10, -8), BK_EXIT()).rc,
		 -BK_E_V_SPILL);
	CHECK_EQ(XDP(BK_STX_MEM(W, 10, 1, -8), BK_MOV64_IMM(0, 0), BK_EXIT()).rc, -BK_E_V_SPILL);
}

TEST(packet_range_from_data_end)
{
	const struct bk_insn ok[] = {
		BK_LDX_MEM(W, 2, 1, 0),
		BK_LDX_MEM(W, 3, 1, 4),
		BK_MOV64_REG(4, 2),
		BK_ALU64_IMM(ADD, 4, 14),
		BK_JMP_REG(JGT, 4, 3, 2),
		BK_LDX_MEM(H, 0, 2, 12),
		BK_EXIT(),
		BK_MOV64_IMM(0, 1),
		BK_EXIT(),
	};
	struct bk_insn bad[ARRAY_LEN(ok)];

	CHECK_EQ(run(BK_PROG_XDP, ok, ARRAY_LEN(ok)).rc, 0);
	memcpy(bad, ok, sizeof(ok));
	bad[5].off = 13;
	struct res r = run(BK_PROG_XDP, bad, ARRAY_LEN(bad));

	CHECK_EQ(r.rc, -BK_E_V_PKT_BOUNDS);
	CHECK_EQ(r.insn, 5);
}

TEST(ctx_fields_per_type)
{
	/* xdp_md fields are 4 bytes, read-only */
	CHECK_EQ(XDP(BK_LDX_MEM(H, 0, 1, 16), BK_EXIT()).rc, -BK_E_V_CTX_ACCESS);
	CHECK_EQ(XDP(BK_ST_MEM(W, 1, 16, 0), BK_MOV64_IMM(0, 0), BK_EXIT()).rc, -BK_E_V_CTX_ACCESS);
	/* __sk_buff: tc may write mark (offset 8), socket filters may not */
	CHECK_EQ(AS(BK_PROG_SCHED_CLS, BK_ST_MEM(W, 1, 8, 1), BK_MOV64_IMM(0, 0), BK_EXIT()).rc, 0);
	CHECK_EQ(AS(BK_PROG_SOCKET_FILTER, BK_ST_MEM(W, 1, 8, 1), BK_MOV64_IMM(0, 0), BK_EXIT()).rc,
		 -BK_E_V_CTX_ACCESS);
	/* iouring: wait_nr (offset 8) writable, user_data read-only */
	CHECK_EQ(AS(BK_PROG_IOURING, BK_ST_MEM(W, 1, 8, 2), BK_MOV64_IMM(0, 0), BK_EXIT()).rc, 0);
	CHECK_EQ(AS(BK_PROG_IOURING, BK_ST_MEM(DW, 1, 0, 2), BK_MOV64_IMM(0, 0), BK_EXIT()).rc,
		 -BK_E_V_CTX_ACCESS);
}

TEST(helpers_per_type_and_args)
{
	/* xdp_adjust_head (44) is not for socket filters */
	CHECK_EQ(AS(BK_PROG_SOCKET_FILTER, BK_MOV64_IMM(2, 0), BK_CALL(44), BK_EXIT()).rc,
		 -BK_E_V_HELPER_TYPE);
	CHECK_EQ(XDP(BK_CALL(100000), BK_EXIT()).rc, -BK_E_V_HELPER_UNKNOWN);
	/* map_lookup_elem with a scalar as key */
	CHECK_EQ(XDP(BK_MOV64_IMM(2, 0), BK_I(LDDW_MAP_FD, 1, 0, 0, 0),
		     ((struct bk_insn){.imm = 0}), BK_CALL(1), BK_MOV64_IMM(0, 0), BK_EXIT())
			 .rc,
		 -BK_E_V_HELPER_ARG);
	/* helpers clobber r1-r5 */
	CHECK_EQ(XDP(BK_MOV64_IMM(3, 1), BK_CALL(7), BK_MOV64_REG(0, 3), BK_EXIT()).rc,
		 -BK_E_V_UNINIT_REG);
}

TEST(ringbuf_reference_must_be_released)
{
	const struct bk_insn leak[] = {
		BK_I(LDDW_MAP_FD, 1, 0, 0, 3),
		((struct bk_insn){.imm = 0}),
		BK_MOV64_IMM(2, 8),
		BK_MOV64_IMM(3, 0),
		BK_CALL(131),
		BK_JMP_IMM(JEQ, 0, 0, 1),
		BK_ST_MEM(DW, 0, 0, 1),
		BK_MOV64_IMM(0, 0),
		BK_EXIT(),
	};
	struct res r = run(BK_PROG_XDP, leak, ARRAY_LEN(leak));

	CHECK_EQ(r.rc, -BK_E_V_REF_LEAK);
}

TEST(bpf_to_bpf_calls_and_frames)
{
	/* callee returns r1 + 1; r6 survives the call, r1 does not */
	CHECK_EQ(XDP(BK_MOV64_IMM(6, 7), BK_MOV64_IMM(1, 1), BK_CALL_LOCAL(2),
		     BK_ALU64_REG(ADD, 0, 6), BK_EXIT(), BK_MOV64_REG(0, 1),
		     BK_ALU64_IMM(ADD, 0, 1), BK_EXIT())
			 .rc,
		 0);
	CHECK_EQ(XDP(BK_MOV64_IMM(1, 1), BK_CALL_LOCAL(2), BK_MOV64_REG(0, 1), BK_EXIT(),
		     BK_MOV64_IMM(0, 0), BK_EXIT())
			 .rc,
		 -BK_E_V_UNINIT_REG);
	CHECK_EQ(XDP(BK_CALL_LOCAL(1), BK_EXIT(), BK_MOV64_REG(0, 10), BK_EXIT()).rc,
		 -BK_E_V_RET_VALUE);
}

TEST(bounded_loop_and_complexity_limit)
{
	CHECK_EQ(XDP(BK_MOV64_IMM(0, 0), BK_ALU64_IMM(ADD, 0, 1), BK_JMP_IMM(JLT, 0, 100, -2),
		     BK_EXIT())
			 .rc,
		 0);
	CHECK_EQ(XDP(BK_MOV64_IMM(0, 0), BK_JA(-1)).rc, -BK_E_V_INF_LOOP);
	struct res r = XDP(BK_MOV64_IMM(0, 0), BK_ALU64_IMM(ADD, 0, 1), BK_JA(-2));

	CHECK_EQ(r.rc, -BK_E_V_COMPLEXITY);
}

TEST(branchy_program_is_pruned)
{
	struct bk_insn p[4 * 24 + 3];
	size_t n = 0;

	p[n++] = BK_CALL(7);
	for (int i = 0; i < 24; i++) {
		p[n++] = BK_MOV64_REG(1, 0);
		p[n++] = BK_ALU64_IMM(AND, 1, 1 << i);
		p[n++] = BK_JMP_IMM(JEQ, 1, 0, 1);
		p[n++] = BK_MOV64_IMM(2, i);
	}
	p[n++] = BK_MOV64_IMM(0, 0);
	p[n++] = BK_EXIT();
	struct res r = run(BK_PROG_XDP, p, n);

	CHECK_EQ(r.rc, 0);
	CHECK(r.st.insns_processed < 2000); /* 2^24 paths without pruning */
}
