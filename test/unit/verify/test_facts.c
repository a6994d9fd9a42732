// SPDX-License-Identifier: MIT
/*
 * test_facts.c - the facts bk_verify proves for a code generator
 * (bk_verify_opts.facts): constants, zero-extended upper halves, divisors,
 * dead code and decided branches, safe memory accesses, array keys in
 * range; none on a rejection; none about a value a pruned path may hold
 * differently.
 */
#include "harness.h"
#include "verify.h"

// clang-format off
static const struct bk_map_def maps[] = {
	{.name = "arr", .type = 2, .key_size = 4, .value_size = 8, .max_entries = 4, .inner = -1},
};
// clang-format on

#define MAXN 64

struct fres {
	int rc;
	struct bk_verify_stats st;
	struct bk_insn_fact f[MAXN];
};

static struct fres facts_of(const struct bk_insn *p, size_t n, enum bk_prog_type type)
{
	struct bk_verify_input in = {
		.sz = sizeof(in), .insns = p, .cnt = n, .type = type, .maps = maps, .nmaps = 1};
	struct fres r;
	struct bk_verify_opts o = {
		.sz = sizeof(o), .gpl = true, .nr_cpus = 2, .facts = r.f, .nfacts = n};
	struct bk_diag d;

	memset(&r, 0x5a, sizeof(r));
	r.rc = bk_verify(&in, &o, &r.st, &d);
	return r;
}

#define FACTS(type, ...)                                                                           \
	({                                                                                         \
		const struct bk_insn p_[] = {__VA_ARGS__};                                         \
		facts_of(p_, ARRAY_LEN(p_), type);                                                 \
	})
#define XDP(...) FACTS(BK_PROG_XDP, __VA_ARGS__)
#define RAW(...) FACTS(BK_PROG_RAW, __VA_ARGS__)
#define HAS(r, i, fl) (((r).f[i].flags & (fl)) == (fl))

/* w3 = ctx->ingress_ifindex: an unknown 32-bit value */
#define IFINDEX(D) BK_LDX_MEM(W, D, 1, 12)

TEST(constant_mov_then_add)
{
	struct fres r = XDP(BK_MOV64_IMM(2, 1), BK_ALU64_IMM(ADD, 2, 1), BK_MOV64_REG(0, 2),
			    BK_MOV64_IMM(2, 1), BK_EXIT());

	REQUIRE_EQ(r.rc, 0);
	CHECK(!(r.f[0].flags & BK_FACT_DST_CONST)); /* r2 not initialised yet */
	CHECK(HAS(r, 1, BK_FACT_DST_CONST | BK_FACT_DST_ZEXT));
	CHECK_EQ(r.f[1].dst_val, 1);
	CHECK(HAS(r, 2, BK_FACT_SRC_CONST | BK_FACT_SRC_ZEXT));
	CHECK_EQ(r.f[2].src_val, 2);
	CHECK(HAS(r, 3, BK_FACT_DST_CONST)); /* r2 == 2: not the value moved */
	CHECK_EQ(r.f[3].dst_val, 2);
	CHECK_EQ(r.f[4].flags, 0);
}

TEST(alu32_result_is_zero_extended)
{
	struct fres r = XDP(BK_LD_IMM64(2, -1), BK_ALU64_IMM(ADD, 2, 0), BK_ALU32_IMM(ADD, 2, 1),
			    BK_MOV32_REG(2, 2), BK_MOV64_IMM(0, 2), BK_EXIT());

	REQUIRE_EQ(r.rc, 0);
	CHECK_EQ(r.f[1].flags, 0); /* ld_imm64's second slot */
	CHECK(HAS(r, 2, BK_FACT_DST_CONST));
	CHECK(!(r.f[2].flags & BK_FACT_DST_ZEXT)); /* r2 == -1 */
	CHECK(!(r.f[3].flags & BK_FACT_DST_ZEXT));
	CHECK(HAS(r, 4, BK_FACT_DST_ZEXT | BK_FACT_SRC_ZEXT | BK_FACT_DST_CONST));
	CHECK_EQ(r.f[4].dst_val, 0);
}

TEST(unknown_u32_load_is_zero_extended_not_constant)
{
	struct fres r = XDP(IFINDEX(3), BK_MOV32_REG(3, 3), BK_MOV64_IMM(0, 2), BK_EXIT());

	REQUIRE_EQ(r.rc, 0);
	CHECK(HAS(r, 1, BK_FACT_DST_ZEXT));
	CHECK(!(r.f[1].flags & (BK_FACT_DST_CONST | BK_FACT_SRC_CONST)));
}

TEST(division_by_a_constant_register)
{
	struct fres r = XDP(IFINDEX(3), BK_MOV64_IMM(2, 7), BK_ALU64_REG(DIV, 3, 2),
			    BK_ALU64_REG(SDIV, 3, 2), BK_ALU64_IMM(MOD, 3, 3), IFINDEX(4),
			    BK_ALU64_REG(DIV, 3, 4), BK_MOV64_IMM(0, 2), BK_EXIT());

	REQUIRE_EQ(r.rc, 0);
	CHECK(HAS(r, 2, BK_FACT_DIV_NONZERO | BK_FACT_SRC_CONST));
	CHECK_EQ(r.f[2].src_val, 7);
	CHECK(HAS(r, 3, BK_FACT_DIV_NONZERO | BK_FACT_DIV_NO_OVF));
	CHECK(HAS(r, 4, BK_FACT_DIV_NONZERO));
	CHECK(!(r.f[6].flags & BK_FACT_DIV_NONZERO)); /* ifindex may be 0 */
}

TEST(signed_division_overflow)
{
	/* r3 = INT64_MIN possible, r2 = -1 possible: a check is needed */
	struct fres r = XDP(IFINDEX(3), BK_ALU64_IMM(LSH, 3, 32), IFINDEX(2),
			    BK_ALU64_IMM(OR, 2, 1), BK_I(NEG64, 2, 0, 0, 0),
			    BK_ALU64_REG(SDIV, 3, 2), BK_MOV64_IMM(0, 2), BK_EXIT());

	REQUIRE_EQ(r.rc, 0);
	CHECK(HAS(r, 5, BK_FACT_DIV_NONZERO));
	CHECK(!(r.f[5].flags & BK_FACT_DIV_NO_OVF));
}

TEST(branch_decided_and_dead_code)
{
	struct fres r =
		XDP(BK_MOV64_IMM(2, 1), BK_JMP_IMM(JEQ, 2, 1, 1), BK_MOV64_IMM(0, 1),
		    BK_MOV64_IMM(0, 2), BK_JMP_IMM(JNE, 2, 1, 1), BK_MOV64_IMM(0, 3), BK_EXIT());

	REQUIRE_EQ(r.rc, 0);
	CHECK(HAS(r, 1, BK_FACT_JMP_ALWAYS));
	CHECK_EQ(r.f[2].flags, BK_FACT_DEAD);
	CHECK(!(r.f[3].flags & BK_FACT_DEAD));
	CHECK(HAS(r, 4, BK_FACT_JMP_NEVER));
	CHECK(!(r.f[5].flags & BK_FACT_DEAD));
}

TEST(undecided_branch_claims_nothing)
{
	struct fres r = XDP(IFINDEX(2), BK_JMP_IMM(JEQ, 2, 1, 1), BK_MOV64_IMM(0, 1),
			    BK_MOV64_IMM(0, 2), BK_EXIT());

	REQUIRE_EQ(r.rc, 0);
	CHECK(!(r.f[1].flags & (BK_FACT_JMP_ALWAYS | BK_FACT_JMP_NEVER)));
	CHECK(!(r.f[2].flags & BK_FACT_DEAD));
}

TEST(stack_accesses_are_safe)
{
	struct fres r = XDP(BK_MOV64_IMM(2, 1), BK_STX_MEM(DW, 10, 2, -8),
			    BK_LDX_MEM(DW, 3, 10, -8), BK_MOV64_REG(4, 10), BK_LDX_MEM(W, 5, 4, -8),
			    BK_LDX_MEM(W, 6, 1, 0), BK_MOV64_IMM(0, 2), BK_EXIT());

	REQUIRE_EQ(r.rc, 0);
	for (int i = 1; i <= 4; i += 1 + (i == 2)) {
		CHECK(HAS(r, i, BK_FACT_MEM_SAFE));
		CHECK_EQ(r.f[i].ptr, BK_FACT_PTR_STACK);
	}
	CHECK(HAS(r, 5, BK_FACT_MEM_SAFE)); /* an XDP context field */
	CHECK_EQ(r.f[5].ptr, BK_FACT_PTR_CTX);
}

TEST(raw_memory_is_not_claimed_safe)
{
	/* the verifier assumes 4096 bytes; the caller's buffer may be smaller */
	struct fres r = RAW(BK_LDX_MEM(DW, 0, 1, 64), BK_EXIT());

	REQUIRE_EQ(r.rc, 0);
	CHECK(!(r.f[0].flags & BK_FACT_MEM_SAFE));
	CHECK_EQ(r.f[0].ptr, BK_FACT_PTR_MEM);
}

TEST(array_key_in_range)
{
	struct fres r =
		XDP(BK_ST_MEM(W, 10, -8, 3), BK_I(LDDW_MAP_IDX, 1, 0, 0, 0),
		    ((struct bk_insn){.imm = 0}), BK_MOV64_REG(2, 10), BK_ALU64_IMM(ADD, 2, -8),
		    BK_CALL(1), BK_ST_MEM(W, 10, -8, 4), BK_I(LDDW_MAP_IDX, 1, 0, 0, 0),
		    ((struct bk_insn){.imm = 0}), BK_MOV64_REG(2, 10), BK_ALU64_IMM(ADD, 2, -8),
		    BK_CALL(1), BK_MOV64_IMM(0, 2), BK_EXIT());

	REQUIRE_EQ(r.rc, 0);
	CHECK(HAS(r, 5, BK_FACT_KEY_IN_RANGE));
	CHECK(!(r.f[11].flags & BK_FACT_KEY_IN_RANGE)); /* key 4 of 4 entries */
	CHECK_EQ(r.f[2].flags, 0);			/* ld_imm64's second slot */
}

TEST(rejection_claims_nothing)
{
	struct fres r = XDP(BK_MOV64_IMM(2, 1), BK_LDX_MEM(DW, 0, 2, 0), BK_EXIT());

	CHECK(r.rc < 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(r.f[i].flags, 0);
}

TEST(wrong_count_claims_nothing)
{
	const struct bk_insn p[] = {BK_MOV64_IMM(0, 2), BK_EXIT()};
	struct bk_insn_fact f[3];
	struct bk_verify_input in = {.sz = sizeof(in), .insns = p, .cnt = 2, .type = BK_PROG_XDP};
	struct bk_verify_opts o = {.sz = sizeof(o), .facts = f, .nfacts = 3};

	memset(f, 0xff, sizeof(f));
	REQUIRE_EQ(bk_verify(&in, &o, NULL, NULL), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(f[i].flags, 0);
}

/* A value that differs between two paths that join: once the second path
 * is pruned at the join (the value is not demanded), the states after it
 * all come from the first path; no fact may claim its value. */
TEST(pruned_path_values_are_not_claimed)
{
	struct fres r =
		RAW(BK_LDX_MEM(DW, 6, 1, 0), BK_LDX_MEM(DW, 7, 1, 8),
		    /* 2 */ BK_MOV64_IMM(2, 1), BK_JMP_IMM(JGT, 6, 5, 1), BK_MOV64_IMM(2, 2),
		    /* 5 */ BK_JMP_IMM(JGT, 7, 5, 1), BK_MOV64_IMM(8, 0),
		    /* 7 */ BK_JMP_IMM(JGT, 7, 6, 1), BK_MOV64_IMM(8, 1),
		    /* 9 */ BK_JMP_IMM(JGT, 7, 7, 1), BK_MOV64_IMM(8, 2),
		    /* 11 */ BK_MOV64_IMM(3, 0), BK_ALU64_IMM(ADD, 3, 1), BK_ALU64_IMM(ADD, 3, 1),
		    /* 14 */ BK_ALU64_IMM(ADD, 3, 1), BK_MOV64_REG(4, 2), BK_ALU64_IMM(ADD, 4, 1),
		    /* 17 */ BK_STX_MEM(DW, 1, 4, 16), BK_MOV64_IMM(0, 0), BK_EXIT());

	REQUIRE_EQ(r.rc, 0);
	/* some path was pruned: fewer instructions than all 16 paths walk */
	CHECK(r.st.insns_processed < 16 * 15);
	CHECK(!(r.f[15].flags & BK_FACT_SRC_CONST));
	CHECK(!(r.f[16].flags & BK_FACT_DST_CONST));
	CHECK(HAS(r, 14, BK_FACT_DST_CONST)); /* r3 is made after the join */
	CHECK_EQ(r.f[14].dst_val, 2);
}

/* The same, with the value compared by a jump that no path decides: the
 * kernel (and pruning here) does not need it exact, so the second path is
 * pruned at the join all the same, and facts must not claim its value
 * (the comparison pruning made, not every jump's operands, says what was
 * compared). */
TEST(pruned_path_values_reaching_an_undecided_jump_are_not_claimed)
{
	struct fres r =
		RAW(BK_LDX_MEM(DW, 6, 1, 0), BK_LDX_MEM(DW, 7, 1, 8),
		    /* 2 */ BK_MOV64_IMM(2, 1), BK_JMP_IMM(JGT, 6, 5, 1), BK_MOV64_IMM(2, 2),
		    /* 5 */ BK_JMP_IMM(JGT, 7, 5, 1), BK_MOV64_IMM(8, 0),
		    /* 7 */ BK_JMP_IMM(JGT, 7, 6, 1), BK_MOV64_IMM(8, 1),
		    /* 9 */ BK_JMP_IMM(JGT, 7, 7, 1), BK_MOV64_IMM(8, 2),
		    /* 11 */ BK_MOV64_IMM(3, 0), BK_ALU64_IMM(ADD, 3, 1), BK_ALU64_IMM(ADD, 3, 1),
		    /* 14 */ BK_ALU64_IMM(ADD, 3, 1), BK_JMP_REG(JGT, 2, 7, 0),
		    /* 16 */ BK_MOV64_REG(4, 2), BK_ALU64_IMM(ADD, 4, 1), BK_STX_MEM(DW, 1, 4, 16),
		    /* 19 */ BK_MOV64_IMM(0, 0), BK_EXIT());

	REQUIRE_EQ(r.rc, 0);
	CHECK(r.st.insns_processed < 16 * 16);
	CHECK(!(r.f[15].flags & (BK_FACT_JMP_ALWAYS | BK_FACT_JMP_NEVER)));
	CHECK(!(r.f[16].flags & BK_FACT_SRC_CONST));
	CHECK(!(r.f[17].flags & BK_FACT_DST_CONST));
}
