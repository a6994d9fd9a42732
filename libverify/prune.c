// SPDX-License-Identifier: MIT
/*
 * prune.c - state pruning.  At prune points (jump targets and the
 * instruction after a conditional jump) the current state is compared with
 * the checkpoints recorded there.  A checkpoint whose every path has been
 * explored (branches == 0) and that subsumes the current state (every live
 * register and stack slot of the current state is within the old one's)
 * ends the current path: everything it could do was already proven safe.
 * A checkpoint still being explored is on a loop through this point; an
 * exactly equal state there means the loop makes no progress, except where
 * the kernel lets loops converge (loop.c): at an iterator's next, may_goto
 * and callback calls a state within such a checkpoint (by range, the
 * kernel's RANGE_WITHIN) ends the path as well.
 *
 * Register liveness is static; stack liveness comes from the accesses
 * observed so far.  Scalars are compared by range only where their exact
 * value may be needed (precise.c's demand for registers and stack slots,
 * the kernel's precise marks); inside a loop whose checkpoints were hit
 * as loops (a visit with back edges) every scalar is.  Checkpoints that
 * keep missing are evicted, and freed once no path below them is open.
 */
#include <errno.h>
#include <stdlib.h>

#include "verify_int.h"

#define IDMAP_MAX 64

struct idmap {
	uint32_t old[IDMAP_MAX], cur[IDMAP_MAX];
	int n;
	uint32_t tmp;
};

static bool check_ids(uint32_t old, uint32_t cur, struct idmap *m)
{
	if (!old)
		return !cur;
	if (!cur)
		return false;
	for (int i = 0; i < m->n; i++) {
		if (m->old[i] == old)
			return m->cur[i] == cur;
		if (m->cur[i] == cur)
			return false;
	}
	if (m->n == IDMAP_MAX)
		return false;
	m->old[m->n] = old;
	m->cur[m->n++] = cur;
	return true;
}

static bool check_scalar_ids(uint32_t old, uint32_t cur, struct idmap *m)
{
	old = old ? old : 0x80000000u + ++m->tmp;
	cur = cur ? cur : 0x80000000u + ++m->tmp;
	return check_ids(old, cur, m);
}

static bool range_within(const struct vreg *o, const struct vreg *c)
{
	return o->umin <= c->umin && o->umax >= c->umax && o->smin <= c->smin &&
	       o->smax >= c->smax && o->u32min <= c->u32min && o->u32max >= c->u32max &&
	       o->s32min <= c->s32min && o->s32max >= c->s32max;
}

static bool regs_exact(const struct vreg *o, const struct vreg *c, struct idmap *m)
{
	return o->type == c->type && o->flags == c->flags && o->frameno == c->frameno &&
	       o->off == c->off && o->aux == c->aux && o->var_off.value == c->var_off.value &&
	       o->var_off.mask == c->var_off.mask && o->smin == c->smin && o->smax == c->smax &&
	       o->umin == c->umin && o->umax == c->umax && o->s32min == c->s32min &&
	       o->s32max == c->s32max && o->u32min == c->u32min && o->u32max == c->u32max &&
	       check_ids(o->id, c->id, m) && check_ids(o->ref_obj_id, c->ref_obj_id, m);
}

static bool regsafe(const struct vreg *o, const struct vreg *c, struct idmap *m, int mode,
		    bool precise)
{
	bool exact = mode == CMP_EXACT;

	if (o->type == VT_NOT_INIT)
		return !exact || c->type == VT_NOT_INIT;
	if (c->type == VT_NOT_INIT)
		return false;
	if (exact) {
		if (o->type == VT_SCALAR && c->type == VT_SCALAR)
			return regs_exact(o, c, m) ||
			       (o->id == 0 && c->id == 0 && regs_exact(o, c, m));
		return regs_exact(o, c, m);
	}
	if (o->type != c->type)
		return false;
	switch (o->type) {
	case VT_SCALAR:
		if (!precise && mode == CMP_NOT_EXACT)
			return true;
		if ((o->id & V_ADD_CONST) != (c->id & V_ADD_CONST) || o->off != c->off)
			return false;
		return range_within(o, c) && tnum_in(o->var_off, c->var_off) &&
		       check_scalar_ids(o->id, c->id, m);
	case VT_MAP_VALUE:
	case VT_MAP_KEY:
	case VT_MEM:
		return o->flags == c->flags && o->off == c->off && o->aux == c->aux &&
		       range_within(o, c) && tnum_in(o->var_off, c->var_off) &&
		       check_ids(o->id, c->id, m) && check_ids(o->ref_obj_id, c->ref_obj_id, m);
	case VT_PKT:
	case VT_PKT_META:
		if (o->aux > c->aux || o->off != c->off)
			return false;
		return check_ids(o->id, c->id, m) && range_within(o, c) &&
		       tnum_in(o->var_off, c->var_off);
	default:
		return regs_exact(o, c, m);
	}
}

static bool slot_scalar(const struct vslot *s, struct vreg *fake)
{
	if (slot_is_spilled(s)) {
		for (int i = 0; i < 8; i++)
			if (s->stype[i] != STK_SPILL)
				return false;
		if (s->spilled.type != VT_SCALAR)
			return false;
		*fake = s->spilled;
		return true;
	}
	for (int i = 0; i < 8; i++)
		if (s->stype[i] != STK_MISC)
			return false;
	reg_mark_unknown(fake);
	return true;
}

/* Iterator slots: same type and state, the same reference; the loop depth
 * is not compared (it would keep loops from converging). */
static bool iter_slot_safe(const struct vslot *os, const struct vslot *cs, struct idmap *m)
{
	return os->spilled.aux == cs->spilled.aux && os->spilled.flags == cs->spilled.flags &&
	       check_ids(os->spilled.ref_obj_id, cs->spilled.ref_obj_id, m);
}

/* live: slots to compare (liveness applies when old is a finished
 * checkpoint the kernel would have cleaned). */
static bool stacksafe(const struct vframe *o, const struct vframe *c, struct idmap *m, int mode,
		      uint64_t live, uint64_t precise)
{
	bool exact = mode == CMP_EXACT;

	for (int i = 0; i < o->nslots * 8; i++) {
		int spi = i / 8, b = i % 8;

		if (!exact && !(live & (1ULL << spi))) {
			i += 7 - b;
			continue;
		}
		const struct vslot *os = &o->stack[spi];
		uint8_t ot = os->stype[b];

		if (exact && (spi >= c->nslots || ot != c->stack[spi].stype[b]))
			return false;
		if (ot == STK_INVALID || (!exact && ot == STK_MISC))
			continue;
		if (spi >= c->nslots)
			return false;
		const struct vslot *cs = &c->stack[spi];
		struct vreg fo, fc;

		if (!exact && slot_scalar(os, &fo) && slot_scalar(cs, &fc)) {
			if (!regsafe(&fo, &fc, m, mode, precise & (1ULL << spi)))
				return false;
			i += 7 - b;
			continue;
		}
		if (ot != cs->stype[b])
			return false;
		if (b != 7)
			continue;
		if (ot == STK_SPILL &&
		    !regsafe(&os->spilled, &cs->spilled, m, mode, precise & (1ULL << spi)))
			return false;
		if ((ot == STK_ITER || ot == STK_DYNPTR) && !iter_slot_safe(os, cs, m))
			return false;
	}
	return true;
}

bool states_equal(struct venv *env, const struct vstate *o, const struct vstate *c, int insn,
		  int mode)
{
	struct idmap m = {0};
	const struct vdemand *pd = mode == CMP_NOT_EXACT ? prune_demand(env) : NULL;

	if (o->curframe != c->curframe || o->nrefs != c->nrefs)
		return false;
	if (o->lock_held != c->lock_held || o->rcu_lock != c->rcu_lock ||
	    o->preempt_off != c->preempt_off || o->lock_map != c->lock_map ||
	    !check_ids(o->lock_id, c->lock_id, &m))
		return false;
	for (int f = 0; f <= o->curframe; f++)
		if (o->frames[f]->callsite != c->frames[f]->callsite)
			return false;
	for (int f = o->curframe; f >= 0; f--) {
		const struct vframe *of = o->frames[f], *cf = c->frames[f];
		uint16_t live, demand;
		uint64_t sdemand;

		if (of->callback_depth > cf->callback_depth)
			return false;
		int at = f == o->curframe ? insn : o->frames[f + 1]->callsite + 1;

		live = env->aux[at].live & (f == o->curframe ? 0xffff : 0x3c0);
		demand = pd ? pd->dem[at] : env->aux[at].demand;
		sdemand = pd ? pd->sdem[at] : env->aux[at].sdemand;
		for (int r = 0; r < 10; r++) {
			if (!(live & (1u << r)))
				continue;
			if (!regsafe(&of->regs[r], &cf->regs[r], &m, mode, demand & (1u << r)))
				return false;
		}
		uint64_t slive = ~0ULL;

		if (mode == CMP_NOT_EXACT && f == o->curframe && !env->stk_all_live)
			slive = env->stk_live[insn];
		if (!stacksafe(of, cf, &m, mode, slive, sdemand))
			return false;
	}
	for (int i = 0; i < o->nrefs; i++)
		if (!check_ids(o->refs[i].id, c->refs[i].id, &m))
			return false;
	return true;
}

/* An evicted checkpoint whose paths are all done: no one needs it now. */
static void free_evicted(struct venv *env, struct vstate *p)
{
	if (p->eprev)
		p->eprev->next = p->next;
	else
		env->evicted = p->next;
	if (p->next)
		p->next->eprev = p->eprev;
	state_free(p);
}

void path_done(struct venv *env, struct vstate *st)
{
	for (struct vstate *p = st->parent, *up; p; p = up) {
		up = p->parent;
		if (--p->branches)
			break;
		scc_exit(env, p);
		if (p->evicted)
			free_evicted(env, p);
	}
}

static bool maybe_looping(const struct vstate *o, const struct vstate *c)
{
	if (o->curframe != c->curframe)
		return false;
	for (int i = 0; i <= c->curframe; i++)
		if (o->frames[i]->callsite != c->frames[i]->callsite)
			return false;
	return true;
}

/* Loops still being explored whose iterations the kernel lets converge:
 * an iterator's next with an active iterator, may_goto at another depth,
 * a call of a callback.  1: prune as a loop, 0: no, 2: no and skip the
 * infinite-loop check. */
static int loop_hit(struct venv *env, struct vstate *sl, struct vstate *cur, int insn)
{
	const struct bk_dinsn *d = &env->insns[insn];

	if (env->aux[insn].flags & AUX_ITER_NEXT) {
		if (states_equal(env, sl, cur, insn, CMP_RANGE_WITHIN)) {
			const struct vreg *it = &cur_regs(env)[1];
			const struct vframe *f = cur->frames[it->frameno];
			int64_t off = it->off + (int64_t)it->var_off.value;
			int spi = (int)((-off - 1) / 8);

			if (off < 0 && spi < f->nslots &&
			    f->stack[spi].spilled.flags == ITER_ACTIVE)
				return 1;
		}
		return 2;
	}
	if (d->op == BK_OP_MAY_GOTO && sl->may_goto_depth != cur->may_goto_depth &&
	    states_equal(env, sl, cur, insn, CMP_RANGE_WITHIN))
		return 1;
	if (env->aux[insn].flags & AUX_CALLS_CB)
		return states_equal(env, sl, cur, insn, CMP_RANGE_WITHIN) ? 1 : 2;
	return 0;
}

static bool iter_depths_differ(const struct vstate *o, const struct vstate *c)
{
	for (int f = o->curframe; f >= 0; f--) {
		const struct vframe *of = o->frames[f], *cf = c->frames[f];

		for (int i = 0; i < of->nslots && i < cf->nslots; i++)
			if (of->stack[i].stype[0] == STK_ITER &&
			    of->stack[i].spilled.flags == ITER_ACTIVE &&
			    of->stack[i].spilled.off != cf->stack[i].spilled.off)
				return true;
	}
	return false;
}

static bool infinite_loop(struct venv *env, struct vstate *sl, struct vstate *cur, int insn)
{
	return maybe_looping(sl, cur) && states_equal(env, sl, cur, insn, CMP_EXACT) &&
	       !iter_depths_differ(sl, cur) && sl->may_goto_depth == cur->may_goto_depth &&
	       sl->callback_unroll_depth == cur->callback_unroll_depth;
}

static int add_checkpoint(struct venv *env, struct vstate *cur, int insn)
{
	struct vhist *hist = cur->hist;
	int nhist = cur->nhist, caphist = cur->caphist;
	struct vstate *n;

	/* the checkpoint takes the jumps of the segment it ends */
	cur->hist = NULL;
	cur->nhist = cur->caphist = 0;
	n = state_copy(cur);
	if (!n) {
		cur->hist = hist;
		cur->nhist = nhist;
		cur->caphist = caphist;
		return -ENOMEM;
	}
	n->hist = hist;
	n->nhist = nhist;
	n->caphist = caphist;
	n->branches = 1;
	n->parent = cur->parent;
	n->insn = insn;
	n->next = env->explored[insn];
	env->explored[insn] = n;
	cur->parent = n;
	cur->first_insn = insn;
	cur->khist = 0;
	cur->khist_last = -1;
	cur->dfs_depth = n->dfs_depth + 1;
	env->prev_insn_processed = env->insn_processed;
	env->prev_jmps_processed = env->jmps_processed;
	env->stats.states_total++;
	env->states_live++;
	if (env->states_live > env->stats.peak_states)
		env->stats.peak_states = env->states_live;
	scc_enter(env, n);
	return 0;
}

int is_state_visited(struct venv *env, int insn)
{
	struct vstate *cur = env->cur, *sl;
	/* forced where loops converge, and when the history grows long */
	bool add, force = (env->aux[insn].flags & AUX_FORCE_CKPT) || cur->khist > 40;
	uint32_t cnt = 0;

	if (!(env->aux[insn].flags & AUX_PRUNE))
		return 0;
	add = force;
	if (env->jmps_processed - env->prev_jmps_processed >= 2 &&
	    env->insn_processed - env->prev_insn_processed >= 8)
		add = true;
	if (env->stk_dirty && env->explored[insn])
		compute_stack_liveness(env);
	for (struct vstate **pp = &env->explored[insn]; (sl = *pp);) {
		bool loop = false;
		int r;

		cnt++;
		if (sl->branches) {
			if (!maybe_looping(sl, cur))
				goto in_progress;
			r = loop_hit(env, sl, cur, insn);
			if (r == 1) {
				loop = true;
				goto hit;
			}
			if (r == 0 && infinite_loop(env, sl, cur, insn))
				return verr(env, BK_E_V_INF_LOOP,
					    "infinite loop detected at insn %d", insn);
		in_progress:
			if (!force && env->jmps_processed - env->prev_jmps_processed < 20 &&
			    env->insn_processed - env->prev_insn_processed < 100)
				add = false;
			goto miss;
		}
		loop = scc_incomplete(env, sl);
		if (states_equal(env, sl, cur, insn, loop ? CMP_RANGE_WITHIN : CMP_NOT_EXACT)) {
		hit:
			sl->hit++;
			note_decided_from(env, sl);
			if (loop && (r = scc_add_backedge(env, sl)) < 0)
				return r;
			return 1;
		}
	miss:
		/* misses count only when a new checkpoint will be added, so
		 * loop iterations do not evict what they should prune with;
		 * a checkpoint that keeps missing is evicted (kept alive for
		 * its children's parent chain) */
		if (add)
			sl->miss++;
		uint32_t n = force && sl->branches ? 64 : 3;

		if (sl->miss > sl->hit * n + n) {
			*pp = sl->next;
			if (!sl->branches) { /* nothing below it is alive */
				state_free(sl);
				continue;
			}
			sl->next = env->evicted;
			sl->eprev = NULL;
			if (env->evicted)
				env->evicted->eprev = sl;
			sl->evicted = true;
			env->evicted = sl;
			continue;
		}
		pp = &sl->next;
	}
	if (cnt > env->stats.max_states_per_insn)
		env->stats.max_states_per_insn = cnt;
	if (!add)
		return 0;
	return add_checkpoint(env, cur, insn);
}
