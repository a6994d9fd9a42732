// SPDX-License-Identifier: MIT
/*
 * test_tnum.c - tnums and scalar bounds: operations against brute force on
 * small random sets, bound synchronisation, ALU results, branch decisions
 * and refinement, sign/zero extension.
 */
#include "harness.h"
#include "verify_int.h"

static uint64_t seed = 88172645463325252ULL;

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

/* A random tnum over 8 low bits and a random member of it. */
static struct tnum rand_tnum(uint64_t *member)
{
	uint64_t mask = rnd() & 0xff, value = rnd() & 0xff & ~mask;

	*member = value | (rnd() & mask);
	return TNUM(value, mask);
}

static bool contains(struct tnum t, uint64_t v)
{
	return (v & ~t.mask) == t.value;
}

TEST(tnum_ops_contain_concrete_results)
{
	for (int i = 0; i < 20000; i++) {
		uint64_t a, b;
		struct tnum ta = rand_tnum(&a), tb = rand_tnum(&b);
		unsigned sh = (unsigned)(rnd() % 8);

		REQUIRE(contains(tnum_add(ta, tb), a + b));
		REQUIRE(contains(tnum_sub(ta, tb), a - b));
		REQUIRE(contains(tnum_mul(ta, tb), a * b));
		REQUIRE(contains(tnum_and(ta, tb), a & b));
		REQUIRE(contains(tnum_or(ta, tb), a | b));
		REQUIRE(contains(tnum_xor(ta, tb), a ^ b));
		REQUIRE(contains(tnum_neg(ta), -a));
		REQUIRE(contains(tnum_lshift(ta, sh), a << sh));
		REQUIRE(contains(tnum_rshift(ta, sh), a >> sh));
		REQUIRE(contains(tnum_union(ta, tb), a));
		REQUIRE(contains(tnum_union(ta, tb), b));
		REQUIRE(!(tnum_add(ta, tb).value & tnum_add(ta, tb).mask));
	}
}

TEST(tnum_range_and_in)
{
	struct tnum t = tnum_range(16, 31);

	CHECK_EQ(t.value, 16);
	CHECK_EQ(t.mask, 15);
	CHECK(tnum_is_unknown(tnum_range(0, UINT64_MAX)));
	CHECK(tnum_in(TNUM(0, 0xff), TNUM(0x10, 0x0f)));
	CHECK(!tnum_in(TNUM(0x10, 0x0f), TNUM(0, 0xff)));
	CHECK(tnum_is_aligned(TNUM(0x10, 0x30), 16));
	CHECK(!tnum_is_aligned(TNUM(0x10, 0x38), 16));
}

TEST(tnum_subreg_and_swap)
{
	struct tnum t = TNUM(0x1234567800000012ULL, 0xff00);

	CHECK_EQ(tnum_subreg(t).value, 0x12);
	CHECK_EQ(tnum_clear_subreg(t).value, 0x1234567800000000ULL);
	CHECK_EQ(tnum_bswap(TNUM(0x00ff, 0xff00), 16).value, 0xff00);
	CHECK_EQ(tnum_bswap(TNUM(0x00ff, 0xff00), 16).mask, 0x00ff);
}

static struct vreg scalar_range(uint64_t lo, uint64_t hi)
{
	struct vreg r;

	reg_mark_unknown(&r);
	r.umin = lo;
	r.umax = hi;
	reg_bounds_sync(&r);
	return r;
}

TEST(bounds_sync_derives_everything)
{
	struct vreg r = scalar_range(0, 255);

	CHECK_EQ(r.smin, 0);
	CHECK_EQ(r.smax, 255);
	CHECK_EQ(r.u32max, 255);
	CHECK_EQ(r.s32max, 255);
	CHECK_EQ(r.var_off.mask, 0xff);
	CHECK(reg_bounds_sane(&r));
}

TEST(scalar_alu_ranges)
{
	struct vreg a = scalar_range(0, 15), b;

	reg_mark_unknown(&b);
	reg_mark_known(&b, 4);
	b.type = VT_SCALAR;
	scalar_alu(&a, &b, OPK_MUL, false);
	CHECK_EQ(a.umax, 60);
	a = scalar_range(0, 15);
	scalar_alu(&a, &b, OPK_LSH, false);
	CHECK_EQ(a.umax, 240);
	a = scalar_range(0, 15);
	scalar_alu(&a, &b, OPK_ADD, true);
	CHECK_EQ(a.umin, 4);
	CHECK_EQ(a.umax, 19);
	a = scalar_range(0, 15);
	scalar_alu(&a, &b, OPK_DIV, false);
	CHECK_EQ(a.umax, UINT64_MAX); /* division gives an unknown value, as the kernel's */
	a = scalar_range(0, 15);
	scalar_alu(&a, &a, OPK_NEG, false);
	CHECK_EQ(a.smin, -15);
	CHECK_EQ(a.smax, 0);
}

TEST(branch_taken_and_refine)
{
	struct vreg x = scalar_range(10, 20), k;

	reg_mark_unknown(&k);
	reg_mark_known(&k, 30);
	k.type = VT_SCALAR;
	CHECK_EQ(is_branch_taken(&x, &k, JK_LT, false), 1);
	CHECK_EQ(is_branch_taken(&x, &k, JK_GT, false), 0);
	reg_mark_known(&k, 15);
	CHECK_EQ(is_branch_taken(&x, &k, JK_LT, false), -1);
	regs_refine_cond(&x, &k, JK_LT, false);
	reg_bounds_sync(&x);
	CHECK_EQ(x.umax, 14);
	/* tnum says the low bit is 0: == 5 can never hold */
	x = scalar_range(0, 255);
	x.var_off = TNUM(0, 0xf0);
	reg_bounds_sync(&x);
	reg_mark_known(&k, 5);
	CHECK_EQ(is_branch_taken(&x, &k, JK_EQ, false), 0);
}

TEST(sign_extension)
{
	struct vreg r = scalar_range(0, 0x7f);

	reg_coerce_to_size_sx(&r, 1);
	CHECK_EQ(r.smin, 0);
	CHECK_EQ(r.smax, 0x7f);
	r = scalar_range(0x80, 0xff);
	reg_coerce_to_size_sx(&r, 1);
	CHECK_EQ(r.smin, -128);
	CHECK_EQ(r.smax, -1);
	r = scalar_range(0x70, 0x90);
	reg_coerce_to_size_sx(&r, 1);
	CHECK_EQ(r.smin, -128);
	CHECK_EQ(r.smax, 127);
	r = scalar_range(0, 0x1ffff);
	reg_coerce_to_size(&r, 2);
	CHECK_EQ(r.umax, 0xffff);
}

TEST(tnum_step_finds_next_member)
{
	for (int i = 0; i < 5000; i++) {
		uint64_t m;
		struct tnum t = rand_tnum(&m);
		uint64_t z = rnd() & 0x1ff, want = UINT64_MAX, tmax = t.value | t.mask;

		for (uint64_t x = z + 1; x <= 0x1ff; x++)
			if (contains(t, x)) {
				want = x;
				break;
			}
		if (z < t.value)
			want = t.value;
		else if (z >= tmax || want == UINT64_MAX)
			want = tmax;
		REQUIRE(tnum_step(t, z) == want);
	}
}

TEST(single_common_value_becomes_constant)
{
	struct vreg r;

	reg_mark_unknown(&r);
	r.var_off = TNUM(2, 0xc); /* 2, 6, 10, 14 */
	r.umin = 6;
	r.umax = 8;
	reg_bounds_sync(&r);
	CHECK(tnum_is_const(r.var_off));
	CHECK_EQ(r.var_off.value, 6);
}

TEST(s32_range_crossing_sign_meets_u32)
{
	struct vreg r;

	/* s32 in [-1, 59] and u32 at least 63: only 0xffffffff is left */
	reg_mark_unknown(&r);
	r.var_off = TNUM(0x3f, 0xffffffc0);
	r.s32min = -1;
	r.s32max = 59;
	r.u32min = 63;
	r.umin = 63;
	r.umax = 0xffffffff;
	reg_bounds_sync(&r);
	CHECK_EQ(r.u32min, 0xffffffff);
	CHECK_EQ(r.s32max, -1);
}
