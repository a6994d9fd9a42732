// SPDX-License-Identifier: MIT
/*
 * bounds.c - the numeric side of a register: tnum plus s64/u64/s32/u32
 * ranges, and their synchronisation.
 *
 * Invariant after reg_bounds_sync(): every bound is implied by the others
 * as far as the kernel's deduction rules go (tnum -> ranges, 32 <-> 64 bit,
 * signed <-> unsigned, ranges -> tnum), in the same order as the kernel so
 * that both reach the same fixpoint.
 */
#include "verify_int.h"

#define S64_MIN INT64_MIN
#define S64_MAX INT64_MAX
#define U64_MAX UINT64_MAX
#define S32_MIN INT32_MIN
#define S32_MAX INT32_MAX
#define U32_MAX UINT32_MAX

#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

static void known_bounds(struct vreg *r, uint64_t imm)
{
	r->var_off = tnum_const(imm);
	r->smin = r->smax = (int64_t)imm;
	r->umin = r->umax = imm;
	r->s32min = r->s32max = (int32_t)imm;
	r->u32min = r->u32max = (uint32_t)imm;
}

/* A scalar constant (type is left to the caller); clears pointer fields. */
void reg_mark_known(struct vreg *r, uint64_t imm)
{
	r->off = 0;
	r->aux = 0;
	r->frameno = 0;
	r->flags = 0;
	r->id = 0;
	r->ref_obj_id = 0;
	known_bounds(r, imm);
}

void reg_mark32_known(struct vreg *r, uint64_t imm)
{
	r->var_off = tnum_const_subreg(r->var_off, (uint32_t)imm);
	r->s32min = r->s32max = (int32_t)imm;
	r->u32min = r->u32max = (uint32_t)imm;
}

void reg_mark64_unbounded(struct vreg *r)
{
	r->smin = S64_MIN;
	r->smax = S64_MAX;
	r->umin = 0;
	r->umax = U64_MAX;
}

void reg_mark32_unbounded(struct vreg *r)
{
	r->s32min = S32_MIN;
	r->s32max = S32_MAX;
	r->u32min = 0;
	r->u32max = U32_MAX;
}

void reg_mark_unbounded(struct vreg *r)
{
	reg_mark64_unbounded(r);
	reg_mark32_unbounded(r);
}

void reg_mark_unknown(struct vreg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = VT_SCALAR;
	r->var_off = tnum_unknown();
	reg_mark_unbounded(r);
}

void reg_mark_not_init(struct vreg *r)
{
	reg_mark_unknown(r);
	r->type = VT_NOT_INIT;
}

static void update_reg32_bounds(struct vreg *r)
{
	struct tnum v = tnum_subreg(r->var_off);

	r->s32min = MAX(r->s32min, (int32_t)(v.value | (v.mask & (uint32_t)S32_MIN)));
	r->s32max = MIN(r->s32max, (int32_t)(v.value | (v.mask & S32_MAX)));
	r->u32min = MAX(r->u32min, (uint32_t)v.value);
	r->u32max = MIN(r->u32max, (uint32_t)(v.value | v.mask));
}

static void update_reg64_bounds(struct vreg *r)
{
	struct tnum v = r->var_off;

	r->smin = MAX(r->smin, (int64_t)(v.value | (v.mask & (uint64_t)S64_MIN)));
	r->smax = MIN(r->smax, (int64_t)(v.value | (v.mask & S64_MAX)));
	r->umin = MAX(r->umin, v.value);
	r->umax = MIN(r->umax, v.value | v.mask);

	/* the range and the tnum may share a single value */
	uint64_t next = tnum_step(v, r->umin), tmax = v.value | v.mask;
	bool umin_in = (r->umin & ~v.mask) == v.value;

	if (umin_in && next > r->umax)
		known_bounds(r, r->umin);
	else if (!umin_in && next == tmax)
		known_bounds(r, tmax);
	else if (!umin_in && next <= r->umax && tnum_step(v, next) > r->umax)
		known_bounds(r, next);
}

void reg_update_bounds(struct vreg *r)
{
	update_reg32_bounds(r);
	update_reg64_bounds(r);
}

static void reg32_deduce(struct vreg *r)
{
	if ((r->umin >> 32) == (r->umax >> 32)) {
		r->u32min = MAX(r->u32min, (uint32_t)r->umin);
		r->u32max = MIN(r->u32max, (uint32_t)r->umax);
		if ((int32_t)r->umin <= (int32_t)r->umax) {
			r->s32min = MAX(r->s32min, (int32_t)r->umin);
			r->s32max = MIN(r->s32max, (int32_t)r->umax);
		}
	}
	if ((r->smin >> 32) == (r->smax >> 32)) {
		if ((uint32_t)r->smin <= (uint32_t)r->smax) {
			r->u32min = MAX(r->u32min, (uint32_t)r->smin);
			r->u32max = MIN(r->u32max, (uint32_t)r->smax);
		}
		if ((int32_t)r->smin <= (int32_t)r->smax) {
			r->s32min = MAX(r->s32min, (int32_t)r->smin);
			r->s32max = MIN(r->s32max, (int32_t)r->smax);
		}
	}
	/* upper halves are two consecutive numbers and the low halves cross
	 * from negative to positive: still a valid s32 range */
	if ((uint32_t)(r->umin >> 32) + 1 == (uint32_t)(r->umax >> 32) && (int32_t)r->umin < 0 &&
	    (int32_t)r->umax >= 0) {
		r->s32min = MAX(r->s32min, (int32_t)r->umin);
		r->s32max = MIN(r->s32max, (int32_t)r->umax);
	}
	if ((uint32_t)((uint64_t)r->smin >> 32) + 1 == (uint32_t)((uint64_t)r->smax >> 32) &&
	    (int32_t)r->smin < 0 && (int32_t)r->smax >= 0) {
		r->s32min = MAX(r->s32min, (int32_t)r->smin);
		r->s32max = MIN(r->s32max, (int32_t)r->smax);
	}
	if ((int32_t)r->u32min <= (int32_t)r->u32max) {
		r->s32min = MAX(r->s32min, (int32_t)r->u32min);
		r->s32max = MIN(r->s32max, (int32_t)r->u32max);
	}
	if ((uint32_t)r->s32min <= (uint32_t)r->s32max) {
		r->u32min = MAX(r->u32min, (uint32_t)r->s32min);
		r->u32max = MIN(r->u32max, (uint32_t)r->s32max);
	} else {
		/* the s32 range wraps: it is [0, s32max] u [s32min, U32_MAX] */
		if (r->u32max < (uint32_t)r->s32min) {
			r->s32min = (int32_t)r->u32min;
			r->u32max = MIN(r->u32max, (uint32_t)r->s32max);
		} else if ((uint32_t)r->s32max < r->u32min) {
			r->s32max = (int32_t)r->u32max;
			r->u32min = MAX(r->u32min, (uint32_t)r->s32min);
		}
	}
}

static void reg64_deduce(struct vreg *r)
{
	if ((int64_t)r->umin <= (int64_t)r->umax) {
		r->smin = MAX(r->smin, (int64_t)r->umin);
		r->smax = MIN(r->smax, (int64_t)r->umax);
	}
	if ((uint64_t)r->smin <= (uint64_t)r->smax) {
		r->umin = MAX(r->umin, (uint64_t)r->smin);
		r->umax = MIN(r->umax, (uint64_t)r->smax);
	} else {
		/* the signed range wraps: it is [0, smax] u [smin, U64_MAX] */
		if (r->umax < (uint64_t)r->smin) {
			r->smin = (int64_t)r->umin;
			r->umax = MIN(r->umax, (uint64_t)r->smax);
		} else if ((uint64_t)r->smax < r->umin) {
			r->smax = (int64_t)r->umax;
			r->umin = MAX(r->umin, (uint64_t)r->smin);
		}
	}
}

static void reg_deduce_mixed(struct vreg *r)
{
	uint64_t nu_min, nu_max;
	int64_t ns_min, ns_max;

	nu_min = (r->umin & ~0xffffffffULL) | r->u32min;
	nu_max = (r->umax & ~0xffffffffULL) | r->u32max;
	r->umin = MAX(r->umin, nu_min);
	r->umax = MIN(r->umax, nu_max);
	ns_min = (int64_t)(((uint64_t)r->smin & ~0xffffffffULL) | r->u32min);
	ns_max = (int64_t)(((uint64_t)r->smax & ~0xffffffffULL) | r->u32max);
	r->smin = MAX(r->smin, ns_min);
	r->smax = MIN(r->smax, ns_max);
	/* after a sign-extending load the upper bits are all 0 or all 1 */
	if (r->s32min >= 0 && r->smin >= S32_MIN && r->smax <= S32_MAX) {
		r->smin = r->s32min;
		r->smax = r->s32max;
		r->umin = (uint64_t)(int64_t)r->s32min;
		r->umax = (uint64_t)(int64_t)r->s32max;
		r->var_off = tnum_intersect(r->var_off, tnum_range(r->smin, r->smax));
	}
}

static void reg_deduce_bounds(struct vreg *r)
{
	reg32_deduce(r);
	reg64_deduce(r);
	reg_deduce_mixed(r);
}

static void reg_bound_offset(struct vreg *r)
{
	struct tnum v64 = tnum_intersect(r->var_off, tnum_range(r->umin, r->umax));
	struct tnum v32 = tnum_intersect(tnum_subreg(v64), tnum_range(r->u32min, r->u32max));

	r->var_off = tnum_or(tnum_clear_subreg(v64), v32);
}

void reg_bounds_sync(struct vreg *r)
{
	reg_update_bounds(r);
	reg_deduce_bounds(r);
	reg_deduce_bounds(r);
	reg_bound_offset(r);
	reg_update_bounds(r);
}

bool reg_bounds_sane(const struct vreg *r)
{
	if (r->umin > r->umax || r->smin > r->smax || r->u32min > r->u32max ||
	    r->s32min > r->s32max)
		return false;
	if (tnum_is_const(r->var_off)) {
		uint64_t v = r->var_off.value;

		if (r->umin != v || r->umax != v || r->smin != (int64_t)v || r->smax != (int64_t)v)
			return false;
	}
	if (tnum_subreg_is_const(r->var_off)) {
		uint32_t v = (uint32_t)r->var_off.value;

		if (r->u32min != v || r->u32max != v || r->s32min != (int32_t)v ||
		    r->s32max != (int32_t)v)
			return false;
	}
	return true;
}

void reg_zext_32_to_64(struct vreg *r)
{
	r->var_off = tnum_subreg(r->var_off);
	r->umin = r->u32min;
	r->umax = r->u32max;
	if (r->s32min >= 0 && r->s32max >= 0) {
		r->smin = r->s32min;
		r->smax = r->s32max;
	} else {
		r->smin = 0;
		r->smax = U32_MAX;
	}
}

void reg_coerce_to_size(struct vreg *r, int size)
{
	uint64_t mask = size >= 8 ? U64_MAX : (1ULL << (size * 8)) - 1;

	r->var_off = tnum_cast(r->var_off, size);
	if ((r->umin & ~mask) == (r->umax & ~mask)) {
		r->umin &= mask;
		r->umax &= mask;
	} else {
		r->umin = 0;
		r->umax = mask;
	}
	r->smin = (int64_t)r->umin;
	r->smax = (int64_t)r->umax;
	if (size < 4)
		reg_mark32_unbounded(r);
	reg_bounds_sync(r);
}

static int64_t sext(uint64_t v, int size)
{
	switch (size) {
	case 1:
		return (int8_t)v;
	case 2:
		return (int16_t)v;
	default:
		return (int32_t)v;
	}
}

void reg_coerce_to_size_sx(struct vreg *r, int size)
{
	int bits = size * 8;
	int64_t a, b, lo, hi;

	if (tnum_is_const(r->var_off)) {
		known_bounds(r, (uint64_t)sext(r->var_off.value, size));
		return;
	}
	if (((uint64_t)r->smax >> bits) == ((uint64_t)r->smin >> bits)) {
		a = sext((uint64_t)r->smax, size);
		b = sext((uint64_t)r->smin, size);
		hi = MAX(a, b);
		lo = MIN(a, b);
		if ((hi >= 0) == (lo >= 0)) {
			r->smin = lo;
			r->s32min = (int32_t)lo;
			r->smax = hi;
			r->s32max = (int32_t)hi;
			r->umin = (uint64_t)lo;
			r->u32min = (uint32_t)lo;
			r->umax = (uint64_t)hi;
			r->u32max = (uint32_t)hi;
			r->var_off = tnum_range((uint64_t)lo, (uint64_t)hi);
			return;
		}
	}
	r->smin = r->s32min = size == 1 ? INT8_MIN : size == 2 ? INT16_MIN : S32_MIN;
	r->smax = r->s32max = size == 1 ? INT8_MAX : size == 2 ? INT16_MAX : S32_MAX;
	r->umin = 0;
	r->u32min = 0;
	r->umax = U64_MAX;
	r->u32max = U32_MAX;
	r->var_off = tnum_unknown();
}

void reg_coerce_subreg_to_size_sx(struct vreg *r, int size)
{
	int bits = size * 8;
	int32_t a, b, lo, hi;

	if (tnum_is_const(r->var_off)) {
		uint32_t v = (uint32_t)r->var_off.value;

		r->var_off = tnum_const((uint64_t)sext(v, size));
		v = (uint32_t)r->var_off.value;
		r->s32min = r->s32max = (int32_t)v;
		r->u32min = r->u32max = v;
		return;
	}
	if (((uint32_t)r->s32max >> bits) == ((uint32_t)r->s32min >> bits)) {
		a = (int32_t)sext((uint32_t)r->s32max, size);
		b = (int32_t)sext((uint32_t)r->s32min, size);
		hi = MAX(a, b);
		lo = MIN(a, b);
		if ((lo >= 0) == (hi >= 0)) {
			r->s32min = lo;
			r->s32max = hi;
			r->u32min = (uint32_t)lo;
			r->u32max = (uint32_t)hi;
			r->var_off = tnum_subreg(
				tnum_range((uint64_t)(int64_t)lo, (uint64_t)(int64_t)hi));
			return;
		}
	}
	r->s32min = size == 1 ? INT8_MIN : INT16_MIN;
	r->s32max = size == 1 ? INT8_MAX : INT16_MAX;
	r->u32min = 0;
	r->u32max = U32_MAX;
	r->var_off = tnum_subreg(tnum_unknown());
}

int reg_width(const struct vreg *r)
{
	return r->umax ? 64 - __builtin_clzll(r->umax) : 0;
}
