// SPDX-License-Identifier: MIT
/*
 * branch.c - conditional jumps: deciding a branch from what is known,
 * refining both outcomes (ranges of scalars, NULL checks of pointers by id,
 * packet ranges from comparisons with data_end), and propagating a
 * refinement to every register linked to the compared one.
 */
#include "verify_int.h"

#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

int op_jmp_kind(unsigned op, bool *is32, bool *is_x)
{
	uint8_t opc = bk_op_info(op)->opcode;

	*is32 = bk_opc_class(opc) == BK_CLASS_JMP32;
	*is_x = (opc & 0x08) != 0;
	switch (opc >> 4) {
	case 0x1:
		return JK_EQ;
	case 0x2:
		return JK_GT;
	case 0x3:
		return JK_GE;
	case 0x4:
		return JK_SET;
	case 0x5:
		return JK_NE;
	case 0x6:
		return JK_SGT;
	case 0x7:
		return JK_SGE;
	case 0xa:
		return JK_LT;
	case 0xb:
		return JK_LE;
	case 0xc:
		return JK_SLT;
	default:
		return JK_SLE;
	}
}

/* The condition with operands swapped. */
static int flip(int k)
{
	static const int t[] = {
		[JK_EQ] = JK_EQ,   [JK_NE] = JK_NE,   [JK_GT] = JK_LT,	 [JK_GE] = JK_LE,
		[JK_LT] = JK_GT,   [JK_LE] = JK_GE,   [JK_SGT] = JK_SLT, [JK_SGE] = JK_SLE,
		[JK_SLT] = JK_SGT, [JK_SLE] = JK_SGE, [JK_SET] = JK_SET, [JK_NSET] = JK_NSET};
	return t[k];
}

/* The negated condition (the fall-through side). */
static int negate(int k)
{
	static const int t[] = {
		[JK_EQ] = JK_NE,   [JK_NE] = JK_EQ,   [JK_GT] = JK_LE,	  [JK_GE] = JK_LT,
		[JK_LT] = JK_GE,   [JK_LE] = JK_GT,   [JK_SGT] = JK_SLE,  [JK_SGE] = JK_SLT,
		[JK_SLT] = JK_SGE, [JK_SLE] = JK_SGT, [JK_SET] = JK_NSET, [JK_NSET] = JK_SET};
	return t[k];
}

static int pkt_branch_taken(const struct vreg *dst, const struct vreg *src, int k)
{
	const struct vreg *pkt;

	if (src->type == VT_PKT_END) {
		pkt = dst;
	} else if (dst->type == VT_PKT_END) {
		pkt = src;
		k = flip(k);
	} else {
		return -1;
	}
	if (pkt->aux >= 0)
		return -1;
	switch (k) {
	case JK_LE:
	case JK_GT:
		if (pkt->aux == V_BEYOND_PKT_END)
			return k == JK_GT;
		break;
	case JK_LT:
	case JK_GE:
		if (pkt->aux == V_BEYOND_PKT_END || pkt->aux == V_AT_PKT_END)
			return k == JK_GE;
		break;
	}
	return -1;
}

static bool reg_not_null(const struct vreg *r)
{
	if (r->flags & VF_NULL)
		return false;
	switch (r->type) {
	case VT_SOCKET:
	case VT_TCP_SOCK:
	case VT_MAP_VALUE:
	case VT_MAP_KEY:
	case VT_SOCK_COMMON:
	case VT_MEM:
	case VT_MAP_PTR:
		return true;
	default:
		return false;
	}
}

static int scalar_branch_taken(const struct vreg *r1, const struct vreg *r2, int k, bool is32)
{
	struct tnum t1 = is32 ? tnum_subreg(r1->var_off) : r1->var_off;
	struct tnum t2 = is32 ? tnum_subreg(r2->var_off) : r2->var_off;
	uint64_t umin1 = is32 ? r1->u32min : r1->umin, umax1 = is32 ? r1->u32max : r1->umax;
	uint64_t umin2 = is32 ? r2->u32min : r2->umin, umax2 = is32 ? r2->u32max : r2->umax;
	int64_t smin1 = is32 ? r1->s32min : r1->smin, smax1 = is32 ? r1->s32max : r1->smax;
	int64_t smin2 = is32 ? r2->s32min : r2->smin, smax2 = is32 ? r2->s32max : r2->smax;

	switch (k) {
	case JK_EQ:
	case JK_NE: {
		int differ = k == JK_EQ ? 0 : 1;

		if (tnum_is_const(t1) && tnum_is_const(t2))
			return (t1.value == t2.value) ^ differ;
		if ((t1.value ^ t2.value) & ~(t1.mask | t2.mask))
			return differ;
		if (umin1 > umax2 || umax1 < umin2 || smin1 > smax2 || smax1 < smin2)
			return differ;
		if (!is32 && (r1->u32min > r2->u32max || r1->u32max < r2->u32min ||
			      r1->s32min > r2->s32max || r1->s32max < r2->s32min))
			return differ;
		break;
	}
	case JK_SET:
		if (!reg_is_const(r2, is32)) {
			const struct vreg *t = r1;
			struct tnum tt = t1;

			r1 = r2;
			r2 = t;
			t1 = t2;
			t2 = tt;
		}
		if (!reg_is_const(r2, is32))
			return -1;
		if ((~t1.mask & t1.value) & t2.value)
			return 1;
		if (!((t1.mask | t1.value) & t2.value))
			return 0;
		break;
	case JK_GT:
		if (umin1 > umax2)
			return 1;
		if (umax1 <= umin2)
			return 0;
		break;
	case JK_SGT:
		if (smin1 > smax2)
			return 1;
		if (smax1 <= smin2)
			return 0;
		break;
	case JK_LT:
		if (umax1 < umin2)
			return 1;
		if (umin1 >= umax2)
			return 0;
		break;
	case JK_SLT:
		if (smax1 < smin2)
			return 1;
		if (smin1 >= smax2)
			return 0;
		break;
	case JK_GE:
		if (umin1 >= umax2)
			return 1;
		if (umax1 < umin2)
			return 0;
		break;
	case JK_SGE:
		if (smin1 >= smax2)
			return 1;
		if (smax1 < smin2)
			return 0;
		break;
	case JK_LE:
		if (umax1 <= umin2)
			return 1;
		if (umin1 > umax2)
			return 0;
		break;
	case JK_SLE:
		if (smax1 <= smin2)
			return 1;
		if (smin1 > smax2)
			return 0;
		break;
	}
	return -1;
}

/* 1: always taken, 0: never, -1: unknown. */
int is_branch_taken(struct vreg *r1, struct vreg *r2, int k, bool is32)
{
	if (reg_is_pkt_any(r1) && reg_is_pkt_any(r2) && !is32)
		return pkt_branch_taken(r1, r2, k);
	if (reg_is_ptr(r1) || reg_is_ptr(r2)) {
		if (!reg_is_const(r2, is32)) {
			struct vreg *t = r1;

			r1 = r2;
			r2 = t;
			k = flip(k);
		}
		if (!reg_is_const(r2, is32) || !reg_not_null(r1))
			return -1;
		if (reg_const_val(r2, is32) != 0)
			return -1;
		if (k == JK_EQ)
			return 0;
		if (k == JK_NE)
			return 1;
		return -1;
	}
	return scalar_branch_taken(r1, r2, k, is32);
}

/* Narrows r1 and r2 (which may be the same register) to "r1 k r2". */
void regs_refine_cond(struct vreg *r1, struct vreg *r2, int k, bool is32)
{
	struct tnum t;
	uint64_t val;

	if (k == JK_GE || k == JK_GT || k == JK_SGE || k == JK_SGT) {
		struct vreg *tmp = r1;

		k = flip(k);
		r1 = r2;
		r2 = tmp;
	}
	switch (k) {
	case JK_EQ:
		if (is32) {
			r1->u32min = MAX(r1->u32min, r2->u32min);
			r1->u32max = MIN(r1->u32max, r2->u32max);
			r1->s32min = MAX(r1->s32min, r2->s32min);
			r1->s32max = MIN(r1->s32max, r2->s32max);
			r2->u32min = r1->u32min;
			r2->u32max = r1->u32max;
			r2->s32min = r1->s32min;
			r2->s32max = r1->s32max;
			t = tnum_intersect(tnum_subreg(r1->var_off), tnum_subreg(r2->var_off));
			r1->var_off = tnum_with_subreg(r1->var_off, t);
			r2->var_off = tnum_with_subreg(r2->var_off, t);
		} else {
			r1->umin = MAX(r1->umin, r2->umin);
			r1->umax = MIN(r1->umax, r2->umax);
			r1->smin = MAX(r1->smin, r2->smin);
			r1->smax = MIN(r1->smax, r2->smax);
			r2->umin = r1->umin;
			r2->umax = r1->umax;
			r2->smin = r1->smin;
			r2->smax = r1->smax;
			r1->var_off = tnum_intersect(r1->var_off, r2->var_off);
			r2->var_off = r1->var_off;
		}
		break;
	case JK_NE:
		if (!reg_is_const(r2, is32)) {
			struct vreg *tmp = r1;

			r1 = r2;
			r2 = tmp;
		}
		if (!reg_is_const(r2, is32))
			break;
		val = reg_const_val(r2, is32);
		if (is32) {
			if (r1->u32min == (uint32_t)val)
				r1->u32min++;
			if (r1->u32max == (uint32_t)val)
				r1->u32max--;
			if (r1->s32min == (int32_t)val)
				r1->s32min++;
			if (r1->s32max == (int32_t)val)
				r1->s32max--;
		} else {
			if (r1->umin == val)
				r1->umin++;
			if (r1->umax == val)
				r1->umax--;
			if (r1->smin == (int64_t)val)
				r1->smin++;
			if (r1->smax == (int64_t)val)
				r1->smax--;
		}
		break;
	case JK_SET:
	case JK_NSET:
		if (!reg_is_const(r2, is32)) {
			struct vreg *tmp = r1;

			r1 = r2;
			r2 = tmp;
		}
		if (!reg_is_const(r2, is32))
			break;
		val = reg_const_val(r2, is32);
		if (k == JK_SET) {
			/* only a single bit tells which bit is set */
			if (!val || (val & (val - 1)))
				break;
			if (is32) {
				t = tnum_or(tnum_subreg(r1->var_off), tnum_const(val));
				r1->var_off = tnum_with_subreg(r1->var_off, t);
			} else {
				r1->var_off = tnum_or(r1->var_off, tnum_const(val));
			}
		} else {
			if (is32) {
				t = tnum_and(tnum_subreg(r1->var_off), tnum_const(~val));
				r1->var_off = tnum_with_subreg(r1->var_off, t);
			} else {
				r1->var_off = tnum_and(r1->var_off, tnum_const(~val));
			}
		}
		break;
	case JK_LE:
		if (is32) {
			r1->u32max = MIN(r1->u32max, r2->u32max);
			r2->u32min = MAX(r1->u32min, r2->u32min);
		} else {
			r1->umax = MIN(r1->umax, r2->umax);
			r2->umin = MAX(r1->umin, r2->umin);
		}
		break;
	case JK_LT:
		if (is32) {
			r1->u32max = MIN(r1->u32max, r2->u32max - 1);
			r2->u32min = MAX(r1->u32min + 1, r2->u32min);
		} else {
			r1->umax = MIN(r1->umax, r2->umax - 1);
			r2->umin = MAX(r1->umin + 1, r2->umin);
		}
		break;
	case JK_SLE:
		if (is32) {
			r1->s32max = MIN(r1->s32max, r2->s32max);
			r2->s32min = MAX(r1->s32min, r2->s32min);
		} else {
			r1->smax = MIN(r1->smax, r2->smax);
			r2->smin = MAX(r1->smin, r2->smin);
		}
		break;
	case JK_SLT:
		if (is32) {
			r1->s32max = MIN(r1->s32max, (int32_t)((uint32_t)r2->s32max - 1));
			r2->s32min = MAX((int32_t)((uint32_t)r1->s32min + 1), r2->s32min);
		} else {
			r1->smax = MIN(r1->smax, (int64_t)((uint64_t)r2->smax - 1));
			r2->smin = MAX((int64_t)((uint64_t)r1->smin + 1), r2->smin);
		}
		break;
	}
}

/* Refines both outcomes of "r1 k r2"; true_* are the jump's registers. */
static int reg_set_min_max(struct venv *env, struct vreg *t1, struct vreg *t2, struct vreg *f1,
			   struct vreg *f2, int k, bool is32)
{
	if (f1->type != VT_SCALAR || f2->type != VT_SCALAR)
		return 0;
	regs_refine_cond(f1, f2, negate(k), is32);
	reg_bounds_sync(f1);
	reg_bounds_sync(f2);
	regs_refine_cond(t1, t2, k, is32);
	reg_bounds_sync(t1);
	reg_bounds_sync(t2);
	(void)env;
	return 0;
}

#define FOR_EACH_REG(st, r, body)                                                                  \
	for (int fi_ = 0; fi_ <= (st)->curframe; fi_++) {                                          \
		struct vframe *f_ = (st)->frames[fi_];                                             \
		for (int ri_ = 0; ri_ < V_MAX_REGS; ri_++) {                                       \
			struct vreg *r = &f_->regs[ri_];                                           \
			body;                                                                      \
		}                                                                                  \
		for (int si_ = 0; si_ < f_->nslots; si_++) {                                       \
			if (!slot_is_spilled(&f_->stack[si_]))                                     \
				continue;                                                          \
			struct vreg *r = &f_->stack[si_].spilled;                                  \
			body;                                                                      \
		}                                                                                  \
	}

/* Copies the refined bounds of known to every scalar linked with it. */
static void sync_linked_regs(struct vstate *st, const struct vreg *known_in)
{
	struct vreg known = *known_in;
	uint32_t base = known.id & ~V_ADD_CONST;

	FOR_EACH_REG(st, r, {
		if (r->type != VT_SCALAR || (r->id & ~V_ADD_CONST) != base)
			continue;
		if (((r->id ^ known.id) & V_ADD_CONST) == V_ADD_CONST)
			continue;
		if ((!(r->id & V_ADD_CONST) && !(known.id & V_ADD_CONST)) || r->off == known.off) {
			*r = known;
			continue;
		}
		uint32_t id = r->id;
		int32_t off = r->off;
		struct vreg delta;

		reg_mark_unknown(&delta);
		reg_mark_known(&delta, (uint64_t)((int64_t)off - (int64_t)known.off));
		*r = known;
		r->id = 0;
		r->off = 0;
		scalar_alu(r, &delta, OPK_ADD, false);
		r->id = id;
		r->off = off;
		if ((id | known.id) & V_ADD_CONST32) {
			reg_zext_32_to_64(r);
			reg_bounds_sync(r);
		}
	});
}

void mark_ptr_or_null_regs(struct venv *env, struct vstate *st, uint32_t id, bool is_null)
{
	(void)env;
	if (is_null) {
		/* the NULL side of an acquired pointer releases it */
		for (int i = 0; i < st->nrefs; i++)
			if (st->refs[i].id == id) {
				st->refs[i] = st->refs[--st->nrefs];
				break;
			}
	}
	FOR_EACH_REG(st, r, {
		if (!(r->flags & VF_NULL) || r->id != id || r->type == VT_SCALAR)
			continue;
		if (is_null) {
			uint8_t t = VT_SCALAR;

			reg_mark_unknown(r);
			reg_mark_known(r, 0);
			r->type = t;
			continue;
		}
		r->flags &= (uint8_t)~VF_NULL;
		if (r->type == VT_MAP_VALUE && env->in->maps && r->aux >= 0 &&
		    (size_t)r->aux < env->in->nmaps) {
			const struct bk_map_def *m = &env->in->maps[r->aux];

			/* a lookup in a map of maps yields the inner map */
			if ((m->type == 12 || m->type == 13) && m->inner >= 0) {
				r->type = VT_MAP_PTR;
				r->aux = m->inner;
			}
		}
		if (r->type != VT_MAP_VALUE || !map_has_lock(env, r->aux))
			r->id = 0; /* a value with a lock keeps it: it names the lock */
	});
}

static void find_good_pkt_pointers(struct vstate *st, const struct vreg *dst, int type,
				   bool right_open)
{
	int new_range;
	uint32_t id = dst->id;

	if (dst->off < 0 || (dst->off == 0 && right_open))
		return;
	if (dst->umax > 0xffff || dst->umax + (uint64_t)dst->off > 0xffff)
		return;
	new_range = dst->off + (right_open ? 1 : 0);
	FOR_EACH_REG(st, r, {
		if (r->type == type && r->id == id && r->aux < new_range)
			r->aux = new_range;
	});
}

static void mark_pkt_end(struct vstate *st, int regno, bool beyond)
{
	struct vreg *r = &st->frames[st->curframe]->regs[regno];

	if (r->type != VT_PKT)
		return;
	r->aux = beyond ? V_BEYOND_PKT_END : V_AT_PKT_END;
}

static bool is_init_pkt(const struct vreg *r, int type)
{
	return r->type == type && r->id == 0 && r->off == 0 && tnum_is_const(r->var_off) &&
	       r->var_off.value == 0;
}

/* pkt' vs pkt_end (or pkt_meta' vs pkt): range in the safe outcome,
 * "at/beyond end" marks in the other. */
static bool match_pkt_pointers(struct vstate *fall, struct vstate *jump, const struct bk_dinsn *d,
			       int k)
{
	struct vreg *dst = &fall->frames[fall->curframe]->regs[d->dst];
	struct vreg *src = &fall->frames[fall->curframe]->regs[d->src];
	bool fwd = (dst->type == VT_PKT && src->type == VT_PKT_END) ||
		   (dst->type == VT_PKT_META && is_init_pkt(src, VT_PKT));
	bool rev = (dst->type == VT_PKT_END && src->type == VT_PKT) ||
		   (is_init_pkt(dst, VT_PKT) && src->type == VT_PKT_META);
	struct vreg p;

	if (!fwd && !rev)
		return false;
	p = fwd ? *dst : *src;
	int pr = fwd ? d->dst : d->src;

	if (rev)
		k = flip(k); /* now "p k end" */
	switch (k) {
	case JK_GT: /* p > end: jump side is beyond, fall side has [0, off) */
		find_good_pkt_pointers(fall, &p, p.type, false);
		mark_pkt_end(jump, pr, true);
		break;
	case JK_LT: /* p < end: jump side has off+1 */
		find_good_pkt_pointers(jump, &p, p.type, true);
		mark_pkt_end(fall, pr, false);
		break;
	case JK_GE:
		find_good_pkt_pointers(fall, &p, p.type, true);
		mark_pkt_end(jump, pr, false);
		break;
	case JK_LE:
		find_good_pkt_pointers(jump, &p, p.type, false);
		mark_pkt_end(fall, pr, true);
		break;
	default:
		return false;
	}
	return true;
}

int check_cond_jmp(struct venv *env, const struct bk_dinsn *d, int *next)
{
	bool is32, is_x;
	int k = op_jmp_kind(d->op, &is32, &is_x), pred, err;
	struct vreg *regs = cur_regs(env), *dst = &regs[d->dst], *src, fake[2];
	struct vstate *other;
	int target = env->insn_idx + d->off + 1;

	if (is_x && regs[d->src].type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R%d !read_ok", d->src);
	if (dst->type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R%d !read_ok", d->dst);
	if (is_x) {
		src = &regs[d->src];
	} else {
		reg_mark_unknown(&fake[0]);
		reg_mark_known(&fake[0], (uint64_t)(int64_t)d->imm);
		src = &fake[0];
	}
	pred = is_branch_taken(dst, src, k, is32);
	if (pred >= 0 && (dst->type == VT_SCALAR || (is_x && src->type == VT_SCALAR))) {
		note_decided_jump(env, env->insn_idx);
		note_jump_decided(env, env->insn_idx);
	}
	if (pred == 1) {
		*next = target;
		return 0;
	}
	if (pred == 0) {
		*next = env->insn_idx + 1;
		return 0;
	}
	if ((err = push_branch(env, target, env->insn_idx, &other)))
		return err;
	struct vreg *oregs = other->frames[other->curframe]->regs;

	if (is_x) {
		reg_set_min_max(env, &oregs[d->dst], &oregs[d->src], dst, src, k, is32);
	} else {
		fake[1] = fake[0];
		reg_set_min_max(env, &oregs[d->dst], &fake[0], dst, &fake[1], k, is32);
	}
	if (is_x && src->type == VT_SCALAR && src->id) {
		sync_linked_regs(env->cur, src);
		sync_linked_regs(other, &oregs[d->src]);
	}
	if (dst->type == VT_SCALAR && dst->id) {
		sync_linked_regs(env->cur, dst);
		sync_linked_regs(other, &oregs[d->dst]);
	}
	/* a maybe-NULL pointer compared with a non-NULL one */
	if (!is32 && is_x && reg_is_ptr(src) && reg_is_ptr(dst) &&
	    !!(src->flags & VF_NULL) != !!(dst->flags & VF_NULL) && src->type != VT_BTF_ID &&
	    dst->type != VT_BTF_ID && (k == JK_EQ || k == JK_NE)) {
		struct vreg *eq = k == JK_EQ ? oregs : regs;
		int r = (src->flags & VF_NULL) ? d->src : d->dst;

		if (eq[r].flags & VF_NULL)
			mark_ptr_or_null_regs(env, k == JK_EQ ? other : env->cur, eq[r].id, false);
	}
	if (!is32 && !is_x && d->imm == 0 && (k == JK_EQ || k == JK_NE) && (dst->flags & VF_NULL) &&
	    reg_is_ptr(dst)) {
		uint32_t id = dst->id;

		mark_ptr_or_null_regs(env, env->cur, id, k == JK_NE);
		mark_ptr_or_null_regs(env, other, id, k == JK_EQ);
	} else if (is_x && !is32) {
		match_pkt_pointers(env->cur, other, d, k);
	}
	*next = env->insn_idx + 1;
	return 0;
}
