// SPDX-License-Identifier: MIT
/*
 * alu_ptr.c - ALU instructions as the verifier checks them: operand
 * checks, moves and sign extension, byte swaps, pointer arithmetic rules
 * per pointer type, and the linked-scalar ids that let a bounds check on
 * one register refine its copies.
 */
#include <stdio.h>

#include "verify_int.h"

static const char *const alu_op_str[16] = {
	"+=",  "-=", "*=", "/=", "|=",	 "&=",	   "<<=", ">>=",
	"neg", "%=", "^=", "=",	 "s>>=", "endian", "?",	  "?",
};

/* A readable source register (the kernel's check_reg_arg SRC_OP). */
static int check_src(struct venv *env, int regno)
{
	if (cur_regs(env)[regno].type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R%d !read_ok", regno);
	return 0;
}

static int check_dst(struct venv *env, int regno)
{
	if (regno == 10)
		return verr(env, BK_E_V_FP_WRITE, "frame pointer is read only");
	return 0;
}

/* Gives a non-constant scalar an id before it is copied, so that the
 * copies can be refined together later. */
static void assign_scalar_id(struct venv *env, struct vreg *src)
{
	if (src->type != VT_SCALAR)
		return;
	if (src->id & V_ADD_CONST) {
		/* rX = rY where rY is already "rZ + delta": drop that link */
		src->id = 0;
		src->off = 0;
	}
	if (!src->id && !tnum_is_const(src->var_off)) {
		src->id = new_id(env);
		src->off = 0;
	}
}

static int check_mov(struct venv *env, const struct bk_dinsn *d, bool alu32, bool is_x)
{
	struct vreg *regs = cur_regs(env), *dst = &regs[d->dst], *src = &regs[d->src];
	int err;

	if (is_x && (err = check_src(env, d->src)))
		return err;
	if ((err = check_dst(env, d->dst)))
		return err;
	if (!is_x) {
		reg_mark_unknown(dst);
		reg_mark_known(dst, alu32 ? (uint64_t)(uint32_t)d->imm : (uint64_t)(int64_t)d->imm);
		dst->type = VT_SCALAR;
		return 0;
	}
	if (!alu32) {
		if (d->off == 0) {
			assign_scalar_id(env, src);
			*dst = *src;
			return 0;
		}
		if (src->type != VT_SCALAR) {
			reg_mark_unknown(dst);
			return 0;
		}
		bool no_sext = src->umax < (1ULL << (d->off - 1));

		if (no_sext)
			assign_scalar_id(env, src);
		*dst = *src;
		if (!no_sext)
			dst->id = 0;
		reg_coerce_to_size_sx(dst, d->off >> 3);
		return 0;
	}
	if (src->type != VT_SCALAR) {
		reg_mark_unknown(dst);
	} else if (d->off == 0) {
		bool fits = reg_width(src) <= 32;

		if (fits)
			assign_scalar_id(env, src);
		*dst = *src;
		if (!fits)
			dst->id = 0;
	} else {
		bool no_sext = src->umax < (1ULL << (d->off - 1));

		if (no_sext)
			assign_scalar_id(env, src);
		*dst = *src;
		if (!no_sext)
			dst->id = 0;
		reg_coerce_subreg_to_size_sx(dst, d->off >> 3);
	}
	/* a 32-bit move drops any delta link to another register */
	if (dst->id & V_ADD_CONST) {
		dst->id = 0;
		dst->off = 0;
	}
	reg_zext_32_to_64(dst);
	reg_bounds_sync(dst);
	return 0;
}

/* NEG and the byte swaps: scalars are tracked, pointers become unknown. */
static int check_unary(struct venv *env, const struct bk_dinsn *d, int opk, bool alu32)
{
	struct vreg *dst = &cur_regs(env)[d->dst];
	int err;

	if ((err = check_src(env, d->dst)) || (err = check_dst(env, d->dst)))
		return err;
	if (dst->type != VT_SCALAR) {
		reg_mark_unknown(dst);
		return 0;
	}
	if (opk == OPK_NEG) {
		scalar_alu(dst, dst, OPK_NEG, alu32);
		dst->id = 0;
		dst->off = 0;
		return 0;
	}
	/* END: BSWAP (ALU64) and BE swap on a little-endian host; LE
	 * truncates */
	bool swap = !alu32 || (bk_op_info(d->op)->opcode & 0x08);
	int bits = d->imm;

	dst->id = 0;
	dst->off = 0;
	if (swap) {
		dst->var_off = tnum_bswap(dst->var_off, (unsigned)bits);
		reg_mark_unbounded(dst);
		reg_bounds_sync(dst);
	} else if (bits < 64) {
		reg_coerce_to_size(dst, bits / 8);
	}
	return 0;
}

static bool sane_offset(struct venv *env, const struct vreg *r, const struct vreg *ptr)
{
	char tb[48];
	bool known = tnum_is_const(r->var_off);
	int64_t val = (int64_t)r->var_off.value;

	vtype_str(ptr, tb, sizeof(tb));
	if (known && (val >= V_MAX_VAR_OFF || val <= -V_MAX_VAR_OFF)) {
		verr(env, BK_E_V_PTR_OFFSET, "math between %s pointer and %lld is not allowed", tb,
		     (long long)val);
		return false;
	}
	if (r->off >= V_MAX_VAR_OFF || r->off <= -V_MAX_VAR_OFF) {
		verr(env, BK_E_V_PTR_OFFSET, "%s pointer offset %d is not allowed", tb, r->off);
		return false;
	}
	if (r->smin == INT64_MIN) {
		verr(env, BK_E_V_UNBOUNDED,
		     "math between %s pointer and register with unbounded min value is not allowed",
		     tb);
		return false;
	}
	if (r->smin >= V_MAX_VAR_OFF || r->smin <= -V_MAX_VAR_OFF) {
		verr(env, BK_E_V_PTR_OFFSET, "value %lld makes %s pointer be out of bounds",
		     (long long)r->smin, tb);
		return false;
	}
	return true;
}

/* dst = ptr op off_reg; dst may alias either operand. */
static int adjust_ptr(struct venv *env, const struct bk_dinsn *d, int opk, bool alu32,
		      const struct vreg *ptr_in, const struct vreg *off_in, bool scalar_dst)
{
	struct vreg ptr = *ptr_in, offr = *off_in;
	struct vreg *dst = &cur_regs(env)[d->dst];
	bool known = tnum_is_const(offr.var_off);
	int64_t smin_val = offr.smin, smax_val = offr.smax;
	uint64_t umin_val = offr.umin, umax_val = offr.umax;
	char tb[48];

	if ((known && (smin_val != smax_val || umin_val != umax_val)) || smin_val > smax_val ||
	    umin_val > umax_val) {
		reg_mark_unknown(dst);
		return 0;
	}
	if (alu32) {
		if (opk == OPK_SUB) {
			reg_mark_unknown(dst);
			return 0;
		}
		return verr(env, BK_E_V_PTR_ARITH, "R%d 32-bit pointer arithmetic prohibited",
			    d->dst);
	}
	vtype_str(&ptr, tb, sizeof(tb));
	if (ptr.flags & VF_NULL)
		return verr(env, BK_E_V_NULL_DEREF,
			    "R%d pointer arithmetic on %s prohibited, null-check it first", d->dst,
			    tb);
	switch (ptr.type) {
	case VT_CTX:
	case VT_MAP_VALUE:
	case VT_MAP_KEY:
	case VT_STACK:
	case VT_PKT_META:
	case VT_PKT:
	case VT_MEM:
	case VT_BTF_ID:
	case VT_FUNC:
	case VT_FLOW_KEYS:
	case VT_TP_BUFFER:
		break;
	case VT_MAP_PTR:
		if (known && smin_val == 0 && opk == OPK_ADD)
			break;
		/* fallthrough */
	default:
		return verr(env, BK_E_V_PTR_ARITH, "R%d pointer arithmetic on %s prohibited",
			    d->dst, tb);
	}
	if (!sane_offset(env, &offr, &ptr) || !sane_offset(env, &ptr, &ptr))
		return env->err;

	struct vreg res = ptr;

	reg_mark32_unbounded(&res);
	switch (opk) {
	case OPK_ADD:
		if (known && ptr.off + smin_val == (int64_t)(int32_t)(ptr.off + smin_val)) {
			res.off = (int32_t)(ptr.off + smin_val);
			reg_mark32_unbounded(&res);
			break;
		}
		if (__builtin_add_overflow(ptr.smin, smin_val, &res.smin) ||
		    __builtin_add_overflow(ptr.smax, smax_val, &res.smax)) {
			res.smin = INT64_MIN;
			res.smax = INT64_MAX;
		}
		if (ptr.umin + umin_val < umin_val || ptr.umax + umax_val < umax_val) {
			res.umin = 0;
			res.umax = UINT64_MAX;
		} else {
			res.umin = ptr.umin + umin_val;
			res.umax = ptr.umax + umax_val;
		}
		res.var_off = tnum_add(ptr.var_off, offr.var_off);
		if (reg_is_pkt(&ptr)) {
			res.id = new_id(env);
			res.aux = 0;
		}
		break;
	case OPK_SUB:
		if (scalar_dst)
			return verr(env, BK_E_V_PTR_ARITH,
				    "R%d tried to subtract pointer from scalar", d->dst);
		if (ptr.type == VT_STACK)
			return verr(env, BK_E_V_PTR_ARITH,
				    "R%d subtraction from stack pointer prohibited", d->dst);
		if (known && ptr.off - smin_val == (int64_t)(int32_t)(ptr.off - smin_val)) {
			res.off = (int32_t)(ptr.off - smin_val);
			break;
		}
		if (__builtin_sub_overflow(ptr.smin, smax_val, &res.smin) ||
		    __builtin_sub_overflow(ptr.smax, smin_val, &res.smax)) {
			res.smin = INT64_MIN;
			res.smax = INT64_MAX;
		}
		if (ptr.umin < umax_val) {
			res.umin = 0;
			res.umax = UINT64_MAX;
		} else {
			res.umin = ptr.umin - umax_val;
			res.umax = ptr.umax - umin_val;
		}
		res.var_off = tnum_sub(ptr.var_off, offr.var_off);
		if (reg_is_pkt(&ptr)) {
			res.id = new_id(env);
			if (smin_val < 0)
				res.aux = 0;
		}
		break;
	case OPK_AND:
	case OPK_OR:
	case OPK_XOR:
		return verr(env, BK_E_V_PTR_ARITH, "R%d bitwise operator %s on pointer prohibited",
			    d->dst, alu_op_str[opk]);
	default:
		return verr(env, BK_E_V_PTR_ARITH,
			    "R%d pointer arithmetic with %s operator prohibited", d->dst,
			    alu_op_str[opk]);
	}
	if (!sane_offset(env, &res, &ptr))
		return env->err;
	reg_bounds_sync(&res);
	*dst = res;
	return 0;
}

/* Keeps "rX = rY + const" linked to rY (id with V_ADD_CONST, off = delta). */
static void link_add_const(struct vreg *dst, const struct vreg *src, int opk, bool alu32)
{
	if ((opk == OPK_ADD || opk == OPK_SUB) && dst->id && reg_is_const(src, alu32)) {
		int64_t val = (int64_t)reg_const_val(src, alu32);
		int32_t off;

		if (!alu32 && (val < INT32_MIN || val > INT32_MAX))
			goto clear;
		off = (int32_t)val;
		if (opk == OPK_SUB) {
			if (off == INT32_MIN)
				goto clear;
			off = -off;
		}
		if (dst->id & V_ADD_CONST)
			goto clear;
		dst->id |= alu32 ? V_ADD_CONST32 : V_ADD_CONST64;
		dst->off = off;
		return;
	}
clear:
	dst->id = 0;
	dst->off = 0;
}

/* dst in [-1, 0] (what "x s>> 63" gives) and-ed or or-ed with a constant:
 * the kernel explores dst = -1 here and dst = 0 in a new branch that runs
 * this instruction again. */
static int fork_minus_one_or_zero(struct venv *env, const struct bk_dinsn *d, struct vreg *dst)
{
	struct vstate *other;
	bool is32;
	int err;

	if (dst->smin == -1 && dst->smax == 0)
		is32 = false;
	else if (dst->s32min == -1 && dst->s32max == 0)
		is32 = true;
	else
		return 0;
	if ((err = push_branch(env, env->insn_idx, env->insn_idx, &other)))
		return err;
	struct vreg *odst = &other->frames[other->curframe]->regs[d->dst];

	if (is32) {
		reg_mark32_known(odst, 0);
		reg_mark32_known(dst, UINT64_MAX);
	} else {
		reg_mark_known(odst, 0);
		reg_mark_known(dst, UINT64_MAX);
	}
	return 0;
}

static int adjust_reg(struct venv *env, const struct bk_dinsn *d, int opk, bool alu32, bool is_x)
{
	struct vreg *regs = cur_regs(env), *dst = &regs[d->dst];
	struct vreg srcv, *src;

	if (is_x) {
		src = &regs[d->src];
		if (src->type != VT_SCALAR) {
			if (dst->type != VT_SCALAR) {
				if (opk == OPK_SUB) {
					reg_mark_unknown(dst);
					return 0;
				}
				return verr(env, BK_E_V_PTR_ARITH,
					    "R%d pointer %s pointer prohibited", d->dst,
					    alu_op_str[opk]);
			}
			return adjust_ptr(env, d, opk, alu32, src, dst, true);
		}
		if (dst->type != VT_SCALAR)
			return adjust_ptr(env, d, opk, alu32, dst, src, false);
		srcv = *src;
	} else {
		reg_mark_unknown(&srcv);
		reg_mark_known(&srcv, (uint64_t)(int64_t)d->imm);
		if (dst->type != VT_SCALAR)
			return adjust_ptr(env, d, opk, alu32, dst, &srcv, false);
	}
	if ((opk == OPK_AND || opk == OPK_OR) && reg_is_const(&srcv, alu32)) {
		int err = fork_minus_one_or_zero(env, d, dst);

		if (err)
			return err;
	}
	uint32_t id = dst->id;
	int32_t off = dst->off;

	scalar_alu(dst, &srcv, opk, alu32);
	dst->id = id & ~V_ADD_CONST;
	dst->off = 0;
	if (id & V_ADD_CONST) {
		/* already carries a delta: cannot accumulate another */
		dst->id = 0;
		(void)off;
		return 0;
	}
	link_add_const(dst, &srcv, opk, alu32);
	return 0;
}

/* Invariant: a scalar's off is its delta to a linked register, so it is
 * zero unless its id carries V_ADD_CONST. */
static int normalize(struct venv *env, const struct bk_dinsn *d, int err)
{
	struct vreg *r = &cur_regs(env)[d->dst];

	if (!err && r->type == VT_SCALAR && !(r->id & V_ADD_CONST))
		r->off = 0;
	if (!err && d->src < V_MAX_REGS) {
		r = &cur_regs(env)[d->src];
		if (r->type == VT_SCALAR && !(r->id & V_ADD_CONST))
			r->off = 0;
	}
	return err;
}

static int check_alu_op(struct venv *env, const struct bk_dinsn *d);

int check_alu(struct venv *env, const struct bk_dinsn *d)
{
	return normalize(env, d, check_alu_op(env, d));
}

static int check_alu_op(struct venv *env, const struct bk_dinsn *d)
{
	bool alu32, is_x;
	int opk = op_alu_kind(d->op, &alu32, &is_x), err;

	if (opk == OPK_MOV)
		return check_mov(env, d, alu32, is_x);
	if (opk == OPK_NEG)
		return check_unary(env, d, OPK_NEG, alu32);
	if (opk == OPK_END)
		return check_unary(env, d, OPK_END, alu32);
	if (is_x && (err = check_src(env, d->src)))
		return err;
	if ((err = check_src(env, d->dst)))
		return err;
	if ((opk == OPK_DIV || opk == OPK_MOD) && !is_x && d->imm == 0)
		return verr(env, BK_E_V_DIV_ZERO, "div by zero");
	if ((opk == OPK_LSH || opk == OPK_RSH || opk == OPK_ARSH) && !is_x) {
		int size = alu32 ? 32 : 64;

		if (d->imm < 0 || d->imm >= size)
			return verr(env, BK_E_V_SHIFT, "invalid shift %d", d->imm);
	}
	if ((err = check_dst(env, d->dst)))
		return err;
	return adjust_reg(env, d, opk, alu32, is_x);
}
