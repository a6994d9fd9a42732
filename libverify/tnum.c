// SPDX-License-Identifier: MIT
/*
 * tnum.c - tristate numbers: each bit known 0, known 1 or unknown.
 *
 * A tnum (value, mask) stands for every x with (x & ~mask) == value; the
 * invariant value & mask == 0 holds for every result.  The operations are
 * sound over-approximations of the concrete ones, with the same results as
 * the kernel verifier's so that derived bounds agree.
 */
#include <stdio.h>

#include "verify_int.h"

struct tnum tnum_range(uint64_t min, uint64_t max)
{
	uint64_t chi = min ^ max, delta;
	int bits = chi ? 64 - __builtin_clzll(chi) : 0;

	if (bits > 63)
		return tnum_unknown();
	delta = (1ULL << bits) - 1;
	return TNUM(min & ~delta, delta);
}

struct tnum tnum_lshift(struct tnum a, unsigned shift)
{
	return TNUM(a.value << shift, a.mask << shift);
}

struct tnum tnum_rshift(struct tnum a, unsigned shift)
{
	return TNUM(a.value >> shift, a.mask >> shift);
}

struct tnum tnum_arshift(struct tnum a, unsigned shift, unsigned bits)
{
	if (bits == 32)
		return TNUM((uint32_t)((int32_t)a.value >> shift),
			    (uint32_t)((int32_t)a.mask >> shift));
	return TNUM((uint64_t)((int64_t)a.value >> shift), (uint64_t)((int64_t)a.mask >> shift));
}

struct tnum tnum_add(struct tnum a, struct tnum b)
{
	uint64_t sm = a.mask + b.mask, sv = a.value + b.value;
	uint64_t sigma = sm + sv, chi = sigma ^ sv, mu = chi | a.mask | b.mask;

	return TNUM(sv & ~mu, mu);
}

struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	uint64_t dv = a.value - b.value;
	uint64_t alpha = dv + a.mask, beta = dv - b.mask;
	uint64_t chi = alpha ^ beta, mu = chi | a.mask | b.mask;

	return TNUM(dv & ~mu, mu);
}

struct tnum tnum_neg(struct tnum a)
{
	return tnum_sub(TNUM(0, 0), a);
}

struct tnum tnum_and(struct tnum a, struct tnum b)
{
	uint64_t alpha = a.value | a.mask, beta = b.value | b.mask, v = a.value & b.value;

	return TNUM(v, alpha & beta & ~v);
}

struct tnum tnum_or(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask | b.mask;

	return TNUM(v, mu & ~v);
}

struct tnum tnum_xor(struct tnum a, struct tnum b)
{
	uint64_t v = a.value ^ b.value, mu = a.mask | b.mask;

	return TNUM(v & ~mu, mu);
}

struct tnum tnum_union(struct tnum a, struct tnum b)
{
	uint64_t v = a.value & b.value, mu = (a.value ^ b.value) | a.mask | b.mask;

	return TNUM(v & ~mu, mu);
}

/* Shift-and-add over the bits of a: a certain 1 adds b, an unknown bit
 * joins "added" and "not added". */
struct tnum tnum_mul(struct tnum a, struct tnum b)
{
	struct tnum acc = TNUM(0, 0);

	while (a.value || a.mask) {
		if (a.value & 1)
			acc = tnum_add(acc, b);
		else if (a.mask & 1)
			acc = tnum_union(acc, tnum_add(acc, b));
		a = tnum_rshift(a, 1);
		b = tnum_lshift(b, 1);
	}
	return acc;
}

struct tnum tnum_intersect(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask & b.mask;

	return TNUM(v & ~mu, mu);
}

struct tnum tnum_cast(struct tnum a, unsigned bytes)
{
	if (bytes >= 8)
		return a;
	a.value &= (1ULL << (bytes * 8)) - 1;
	a.mask &= (1ULL << (bytes * 8)) - 1;
	return a;
}

struct tnum tnum_bswap(struct tnum a, unsigned bits)
{
	switch (bits) {
	case 16:
		return TNUM(__builtin_bswap16((uint16_t)a.value),
			    __builtin_bswap16((uint16_t)a.mask));
	case 32:
		return TNUM(__builtin_bswap32((uint32_t)a.value),
			    __builtin_bswap32((uint32_t)a.mask));
	default:
		return TNUM(__builtin_bswap64(a.value), __builtin_bswap64(a.mask));
	}
}

bool tnum_is_aligned(struct tnum a, uint64_t size)
{
	if (!size)
		return true;
	return !((a.value | a.mask) & (size - 1));
}

bool tnum_in(struct tnum a, struct tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	b.value &= ~a.mask;
	return a.value == b.value;
}

struct tnum tnum_subreg(struct tnum a)
{
	return tnum_cast(a, 4);
}

struct tnum tnum_clear_subreg(struct tnum a)
{
	return tnum_lshift(tnum_rshift(a, 32), 32);
}

struct tnum tnum_with_subreg(struct tnum reg, struct tnum subreg)
{
	return tnum_or(tnum_clear_subreg(reg), tnum_subreg(subreg));
}

struct tnum tnum_const_subreg(struct tnum a, uint32_t v)
{
	return tnum_with_subreg(a, tnum_const(v));
}

/* The smallest member of t not below n, or false when there is none. */
static bool next_ge(struct tnum t, uint64_t n, uint64_t *out)
{
	uint64_t x = (n & t.mask) | t.value, diff = x ^ n, low;
	int p, q;

	if (!diff) {
		*out = n;
		return true;
	}
	p = 63 - __builtin_clzll(diff);
	if (x > n) {
		low = (1ULL << p) - 1;
		*out = (p == 63 ? 0 : n & ~((1ULL << (p + 1)) - 1)) | (1ULL << p) | (t.value & low);
		return true;
	}
	for (q = p + 1; q < 64; q++)
		if ((t.mask >> q & 1) && !(n >> q & 1))
			break;
	if (q == 64)
		return false;
	low = (1ULL << q) - 1;
	*out = (q == 63 ? 0 : n & ~((1ULL << (q + 1)) - 1)) | (1ULL << q) | (t.value & low);
	return true;
}

uint64_t tnum_step(struct tnum t, uint64_t z)
{
	uint64_t tmax = t.value | t.mask, r;

	if (z < t.value)
		return t.value;
	if (z >= tmax)
		return tmax;
	if (!next_ge(t, z + 1, &r))
		return tmax;
	return r;
}

int tnum_str(char *buf, size_t size, struct tnum a)
{
	return snprintf(buf, size, "(0x%llx; 0x%llx)", (unsigned long long)a.value,
			(unsigned long long)a.mask);
}
