// SPDX-License-Identifier: MIT
/*
 * alu.c - ALU instructions: moves, sign extension, byte swaps, scalar
 * arithmetic on ranges, and the pointer arithmetic rules per pointer type.
 *
 * Scalar results follow the kernel's range arithmetic (overflow-aware
 * add/sub/mul, bitwise ops from the tnum, shifts only by constants, div
 * and mod give unknown values).  Pointer results keep the pointer's type
 * with a new fixed or variable offset, or are refused.
 */
#include <stdio.h>

#include "verify_int.h"

#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

uint32_t new_id(struct venv *env)
{
	return ++env->id_gen & 0x3fffffff;
}

/* Operation kind of an ALU op from the opcode's operation nibble. */
int op_alu_kind(unsigned op, bool *alu32, bool *is_x)
{
	const struct bk_op_info *oi = bk_op_info(op);
	uint8_t opc = oi->opcode;

	*alu32 = bk_opc_class(opc) == BK_CLASS_ALU;
	*is_x = (opc & 0x08) != 0;
	return opc >> 4;
}

/* ---- scalar range arithmetic --------------------------------------------- */

static void s64_add(struct vreg *d, const struct vreg *s)
{
	int64_t a, b;
	uint64_t ua, ub;
	bool omin, omax;

	if (__builtin_add_overflow(d->smin, s->smin, &a) ||
	    __builtin_add_overflow(d->smax, s->smax, &b)) {
		d->smin = INT64_MIN;
		d->smax = INT64_MAX;
	} else {
		d->smin = a;
		d->smax = b;
	}
	omin = __builtin_add_overflow(d->umin, s->umin, &ua);
	omax = __builtin_add_overflow(d->umax, s->umax, &ub);
	d->umin = ua;
	d->umax = ub;
	if (!omin && omax) {
		d->umin = 0;
		d->umax = UINT64_MAX;
	}
}

static void s32_add(struct vreg *d, const struct vreg *s)
{
	int32_t a, b;
	uint32_t ua, ub;
	bool omin, omax;

	if (__builtin_add_overflow(d->s32min, s->s32min, &a) ||
	    __builtin_add_overflow(d->s32max, s->s32max, &b)) {
		d->s32min = INT32_MIN;
		d->s32max = INT32_MAX;
	} else {
		d->s32min = a;
		d->s32max = b;
	}
	omin = __builtin_add_overflow(d->u32min, s->u32min, &ua);
	omax = __builtin_add_overflow(d->u32max, s->u32max, &ub);
	d->u32min = ua;
	d->u32max = ub;
	if (!omin && omax) {
		d->u32min = 0;
		d->u32max = UINT32_MAX;
	}
}

static void s64_sub(struct vreg *d, const struct vreg *s)
{
	int64_t a, b;
	uint64_t ua, ub;
	bool umin_o, umax_o;

	if (__builtin_sub_overflow(d->smin, s->smax, &a) ||
	    __builtin_sub_overflow(d->smax, s->smin, &b)) {
		d->smin = INT64_MIN;
		d->smax = INT64_MAX;
	} else {
		d->smin = a;
		d->smax = b;
	}
	umin_o = __builtin_sub_overflow(d->umin, s->umax, &ua);
	umax_o = __builtin_sub_overflow(d->umax, s->umin, &ub);
	d->umin = ua;
	d->umax = ub;
	if (umin_o && !umax_o) {
		d->umin = 0;
		d->umax = UINT64_MAX;
	}
}

static void s32_sub(struct vreg *d, const struct vreg *s)
{
	int32_t a, b;
	uint32_t ua, ub;
	bool umin_o, umax_o;

	if (__builtin_sub_overflow(d->s32min, s->s32max, &a) ||
	    __builtin_sub_overflow(d->s32max, s->s32min, &b)) {
		d->s32min = INT32_MIN;
		d->s32max = INT32_MAX;
	} else {
		d->s32min = a;
		d->s32max = b;
	}
	umin_o = __builtin_sub_overflow(d->u32min, s->u32max, &ua);
	umax_o = __builtin_sub_overflow(d->u32max, s->u32min, &ub);
	d->u32min = ua;
	d->u32max = ub;
	if (umin_o && !umax_o) {
		d->u32min = 0;
		d->u32max = UINT32_MAX;
	}
}

static void s64_mul(struct vreg *d, const struct vreg *s)
{
	int64_t p[4];
	uint64_t a, b;

	if (__builtin_mul_overflow(d->umax, s->umax, &b) ||
	    __builtin_mul_overflow(d->umin, s->umin, &a)) {
		d->umin = 0;
		d->umax = UINT64_MAX;
	} else {
		d->umin = a;
		d->umax = b;
	}
	if (__builtin_mul_overflow(d->smin, s->smin, &p[0]) ||
	    __builtin_mul_overflow(d->smin, s->smax, &p[1]) ||
	    __builtin_mul_overflow(d->smax, s->smin, &p[2]) ||
	    __builtin_mul_overflow(d->smax, s->smax, &p[3])) {
		d->smin = INT64_MIN;
		d->smax = INT64_MAX;
	} else {
		d->smin = MIN(MIN(p[0], p[1]), MIN(p[2], p[3]));
		d->smax = MAX(MAX(p[0], p[1]), MAX(p[2], p[3]));
	}
}

static void s32_mul(struct vreg *d, const struct vreg *s)
{
	int32_t p[4];
	uint32_t a, b;

	if (__builtin_mul_overflow(d->u32max, s->u32max, &b) ||
	    __builtin_mul_overflow(d->u32min, s->u32min, &a)) {
		d->u32min = 0;
		d->u32max = UINT32_MAX;
	} else {
		d->u32min = a;
		d->u32max = b;
	}
	if (__builtin_mul_overflow(d->s32min, s->s32min, &p[0]) ||
	    __builtin_mul_overflow(d->s32min, s->s32max, &p[1]) ||
	    __builtin_mul_overflow(d->s32max, s->s32min, &p[2]) ||
	    __builtin_mul_overflow(d->s32max, s->s32max, &p[3])) {
		d->s32min = INT32_MIN;
		d->s32max = INT32_MAX;
	} else {
		d->s32min = MIN(MIN(p[0], p[1]), MIN(p[2], p[3]));
		d->s32max = MAX(MAX(p[0], p[1]), MAX(p[2], p[3]));
	}
}

/* u64 range -> s64 range when it does not cross the sign boundary. */
static void s64_from_u64(struct vreg *d)
{
	if ((int64_t)d->umin <= (int64_t)d->umax) {
		d->smin = (int64_t)d->umin;
		d->smax = (int64_t)d->umax;
	} else {
		d->smin = INT64_MIN;
		d->smax = INT64_MAX;
	}
}

static void s32_from_u32(struct vreg *d)
{
	if ((int32_t)d->u32min <= (int32_t)d->u32max) {
		d->s32min = (int32_t)d->u32min;
		d->s32max = (int32_t)d->u32max;
	} else {
		d->s32min = INT32_MIN;
		d->s32max = INT32_MAX;
	}
}

/* Bitwise and/or/xor; dst->var_off already holds the result's tnum. */
static void s32_bitop(struct vreg *d, const struct vreg *s, int opk, bool src_known, bool dst_known)
{
	struct tnum v = tnum_subreg(d->var_off);

	if (src_known && dst_known) {
		reg_mark32_known(d, v.value);
		return;
	}
	if (opk == OPK_AND) {
		d->u32min = (uint32_t)v.value;
		d->u32max = MIN(d->u32max, s->u32max);
	} else if (opk == OPK_OR) {
		d->u32min = MAX(d->u32min, s->u32min);
		d->u32max = (uint32_t)(v.value | v.mask);
	} else {
		d->u32min = (uint32_t)v.value;
		d->u32max = (uint32_t)(v.value | v.mask);
	}
	s32_from_u32(d);
}

static void s64_bitop(struct vreg *d, const struct vreg *s, int opk, bool src_known, bool dst_known)
{
	if (src_known && dst_known) {
		uint64_t v = d->var_off.value;
		uint32_t id = d->id;

		reg_mark_known(d, v);
		d->id = id;
		return;
	}
	if (opk == OPK_AND) {
		d->umin = d->var_off.value;
		d->umax = MIN(d->umax, s->umax);
	} else if (opk == OPK_OR) {
		d->umin = MAX(d->umin, s->umin);
		d->umax = d->var_off.value | d->var_off.mask;
	} else {
		d->umin = d->var_off.value;
		d->umax = d->var_off.value | d->var_off.mask;
	}
	s64_from_u64(d);
	reg_update_bounds(d);
}

static void s32_lsh(struct vreg *d, uint64_t umin, uint64_t umax)
{
	d->s32min = INT32_MIN;
	d->s32max = INT32_MAX;
	if (umax > 31 || d->u32max > 1ULL << (31 - umax)) {
		d->u32min = 0;
		d->u32max = UINT32_MAX;
	} else {
		d->u32min <<= umin;
		d->u32max <<= umax;
	}
}

static void s64_lsh(struct vreg *d, uint64_t umin, uint64_t umax)
{
	if (umin == 32 && umax == 32 && d->s32max >= 0)
		d->smax = (int64_t)((uint64_t)(int64_t)d->s32max << 32);
	else
		d->smax = INT64_MAX;
	if (umin == 32 && umax == 32 && d->s32min >= 0)
		d->smin = (int64_t)((uint64_t)(int64_t)d->s32min << 32);
	else
		d->smin = INT64_MIN;
	if (d->umax > 1ULL << (63 - umax)) {
		d->umin = 0;
		d->umax = UINT64_MAX;
	} else {
		d->umin <<= umin;
		d->umax <<= umax;
	}
}

static void shift32(struct vreg *d, const struct vreg *s, int opk)
{
	uint32_t umin = s->u32min, umax = s->u32max;
	struct tnum sub = tnum_subreg(d->var_off);

	switch (opk) {
	case OPK_LSH:
		s32_lsh(d, umin, umax);
		d->var_off = tnum_subreg(tnum_lshift(sub, umin));
		break;
	case OPK_RSH:
		d->s32min = INT32_MIN;
		d->s32max = INT32_MAX;
		d->var_off = tnum_rshift(sub, umin);
		d->u32min >>= umax;
		d->u32max >>= umin;
		break;
	default: /* ARSH */
		d->s32min = (int32_t)d->s32min >> umin;
		d->s32max = (int32_t)d->s32max >> umin;
		d->var_off = tnum_arshift(sub, umin, 32);
		d->u32min = 0;
		d->u32max = UINT32_MAX;
		break;
	}
	reg_mark64_unbounded(d);
	/* __update_reg32_bounds */
	struct vreg t = *d;

	reg_update_bounds(&t);
	d->s32min = t.s32min;
	d->s32max = t.s32max;
	d->u32min = t.u32min;
	d->u32max = t.u32max;
}

static void shift64(struct vreg *d, const struct vreg *s, int opk)
{
	uint64_t umin = s->umin, umax = s->umax;

	switch (opk) {
	case OPK_LSH:
		s64_lsh(d, umin, umax);
		s32_lsh(d, umin, umax);
		d->var_off = tnum_lshift(d->var_off, (unsigned)umin);
		break;
	case OPK_RSH:
		d->smin = INT64_MIN;
		d->smax = INT64_MAX;
		d->var_off = tnum_rshift(d->var_off, (unsigned)umin);
		d->umin >>= umax;
		d->umax >>= umin;
		reg_mark32_unbounded(d);
		break;
	default:
		d->smin >>= umin;
		d->smax >>= umin;
		d->var_off = tnum_arshift(d->var_off, (unsigned)umin, 64);
		d->umin = 0;
		d->umax = UINT64_MAX;
		reg_mark32_unbounded(d);
		break;
	}
	reg_update_bounds(d);
}

static bool safe_to_compute(const struct vreg *s, int opk, bool alu32)
{
	bool known = alu32 ? tnum_subreg_is_const(s->var_off) : tnum_is_const(s->var_off);

	switch (opk) {
	case OPK_ADD:
	case OPK_SUB:
	case OPK_NEG:
	case OPK_AND:
	case OPK_XOR:
	case OPK_OR:
	case OPK_MUL:
		return true;
	case OPK_LSH:
	case OPK_RSH:
	case OPK_ARSH:
		return known && s->umax < (alu32 ? 32u : 64u);
	default:
		return false;
	}
}

/* dst = dst op src for two scalars (the kernel's adjust_scalar_min_max_vals). */
void scalar_alu(struct vreg *dst, const struct vreg *src, int opk, bool alu32)
{
	struct vreg s = *src, old;
	bool sk, dk;

	if (!safe_to_compute(&s, opk, alu32)) {
		reg_mark_unknown(dst);
		return;
	}
	switch (opk) {
	case OPK_ADD:
		s32_add(dst, &s);
		s64_add(dst, &s);
		dst->var_off = tnum_add(dst->var_off, s.var_off);
		break;
	case OPK_SUB:
		s32_sub(dst, &s);
		s64_sub(dst, &s);
		dst->var_off = tnum_sub(dst->var_off, s.var_off);
		break;
	case OPK_NEG:
		old = *dst;
		reg_mark_known(dst, 0);
		dst->type = VT_SCALAR;
		s32_sub(dst, &old);
		s64_sub(dst, &old);
		dst->var_off = tnum_neg(old.var_off);
		break;
	case OPK_MUL:
		dst->var_off = tnum_mul(dst->var_off, s.var_off);
		s32_mul(dst, &s);
		s64_mul(dst, &s);
		break;
	case OPK_AND:
	case OPK_OR:
	case OPK_XOR:
		if (opk == OPK_AND)
			dst->var_off = tnum_and(dst->var_off, s.var_off);
		else if (opk == OPK_OR)
			dst->var_off = tnum_or(dst->var_off, s.var_off);
		else
			dst->var_off = tnum_xor(dst->var_off, s.var_off);
		/* constness is tested on the result's tnum, as the kernel does */
		sk = tnum_subreg_is_const(s.var_off);
		dk = tnum_subreg_is_const(dst->var_off);
		s32_bitop(dst, &s, opk, sk, dk);
		sk = tnum_is_const(s.var_off);
		dk = tnum_is_const(dst->var_off);
		s64_bitop(dst, &s, opk, sk, dk);
		break;
	case OPK_LSH:
	case OPK_RSH:
	case OPK_ARSH:
		if (alu32)
			shift32(dst, &s, opk);
		else
			shift64(dst, &s, opk);
		break;
	default:
		reg_mark_unknown(dst);
		return;
	}
	if (alu32)
		reg_zext_32_to_64(dst);
	reg_bounds_sync(dst);
}
