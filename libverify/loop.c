// SPDX-License-Identifier: MIT
/*
 * loop.c - the loops the kernel's verifier lets converge instead of
 * walking every iteration: may_goto (an implicit budget: the fall-through
 * is the loop body, explored later one level deeper), bpf_loop and
 * bpf_for_each_map_elem (the callback is verified in its own frame and
 * returns to the helper call, which may call it again), and the strongly
 * connected components (SCCs) of the control-flow graph whose visits
 * decide when states inside a loop must be compared by range.
 *
 * Invariants: a visit (struct vscc_visit) is keyed by the call sites
 * leading to an SCC and the SCC; its entry is the first checkpoint of the
 * visit and it ends when that checkpoint has no unfinished paths.  While a
 * visit has back edges (loop states pruned against checkpoints still being
 * explored), checkpoints of that visit are compared by range (the kernel's
 * RANGE_WITHIN), since what the loop needs exactly is not known yet.
 * Which scalars are "precise" comes from the static analysis in precise.c;
 * for widening, with the conditional jumps decided below the state
 * widened against as the only jump sinks (see "decided jumps").
 */
#include <errno.h>
#include <stdlib.h>

#include "helpers_int.h"

/* ---- SCCs (Tarjan, iterative) ------------------------------------------- */

static int successors(struct venv *env, int i, int out[2])
{
	const struct bk_dinsn *d = &env->insns[i];
	const struct bk_op_info *oi = bk_op_info(d->op);
	unsigned cls = bk_opc_class(oi->opcode);
	int n = 0;

	if (cls != BK_CLASS_JMP && cls != BK_CLASS_JMP32) {
		out[n++] = i + d->slots;
		return n;
	}
	switch (oi->fmt) {
	case BK_FMT_EXIT:
		return 0;
	case BK_FMT_JA:
		out[n++] = i + d->off + 1;
		return n;
	case BK_FMT_JA32:
		out[n++] = i + d->imm + 1;
		return n;
	case BK_FMT_CALL:
	case BK_FMT_CALL_LOCAL:
	case BK_FMT_CALL_KFUNC:
	case BK_FMT_CALLX:
		out[n++] = i + 1;
		return n;
	default:
		out[n++] = i + 1;
		out[n++] = i + d->off + 1;
		return n;
	}
}

struct tarjan {
	int *index, *low, *stack, *cs_node, *cs_pos;
	uint8_t *on;
	int sp, csp, next;
};

static void scc_assign(struct venv *env, struct tarjan *t, int w)
{
	int succ[2], ns = successors(env, w, succ);
	bool assign = t->stack[t->sp - 1] != w;

	for (int j = 0; j < ns; j++)
		if (succ[j] == w)
			assign = true;
	if (env->aux[w].flags & AUX_CALLS_CB)
		assign = true;
	if (assign)
		env->nsccs++;
	for (;;) {
		int v = t->stack[--t->sp];

		t->on[v] = 0;
		t->low[v] = INT32_MAX; /* done */
		if (assign)
			env->aux[v].scc = env->nsccs;
		if (v == w)
			break;
	}
}

static void scc_from(struct venv *env, struct tarjan *t, int root)
{
	int n = (int)env->cnt;

	t->cs_node[0] = root;
	t->cs_pos[0] = 0;
	t->csp = 1;
	t->index[root] = t->low[root] = ++t->next;
	t->stack[t->sp++] = root;
	t->on[root] = 1;
	while (t->csp) {
		int v = t->cs_node[t->csp - 1], succ[2], ns = successors(env, v, succ);

		if (t->cs_pos[t->csp - 1] < ns) {
			int w = succ[t->cs_pos[t->csp - 1]++];

			if (w < 0 || w >= n || !env->insns[w].slots)
				continue;
			if (!t->index[w]) {
				t->index[w] = t->low[w] = ++t->next;
				t->stack[t->sp++] = w;
				t->on[w] = 1;
				t->cs_node[t->csp] = w;
				t->cs_pos[t->csp++] = 0;
			} else if (t->on[w] && t->index[w] < t->low[v]) {
				t->low[v] = t->index[w];
			}
			continue;
		}
		t->csp--;
		if (t->csp) {
			int u = t->cs_node[t->csp - 1];

			if (t->low[v] < t->low[u])
				t->low[u] = t->low[v];
		}
		if (t->low[v] == t->index[v])
			scc_assign(env, t, v);
	}
}

int compute_scc(struct venv *env)
{
	int n = (int)env->cnt;
	struct tarjan t = {0};

	t.index = calloc((size_t)n + 1, sizeof(int));
	t.low = calloc((size_t)n + 1, sizeof(int));
	t.stack = calloc((size_t)n + 1, sizeof(int));
	t.cs_node = calloc((size_t)n + 1, sizeof(int));
	t.cs_pos = calloc((size_t)n + 1, sizeof(int));
	t.on = calloc((size_t)n + 1, 1);
	if (!t.index || !t.low || !t.stack || !t.cs_node || !t.cs_pos || !t.on) {
		free(t.index), free(t.low), free(t.stack), free(t.cs_node), free(t.cs_pos);
		free(t.on);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		if (env->insns[i].slots && !t.index[i])
			scc_from(env, &t, i);
	free(t.index), free(t.low), free(t.stack), free(t.cs_node), free(t.cs_pos);
	free(t.on);
	return 0;
}

/* ---- visits --------------------------------------------------------------- */

/* The chain of call sites up to the first frame whose instruction is in an
 * SCC; false when no frame's is. */
static bool scc_callchain(struct venv *env, const struct vstate *st, struct vscc_visit *cc)
{
	memset(cc, 0, sizeof(*cc));
	for (int i = 0; i <= st->curframe; i++) {
		int insn = i == st->curframe ? st->insn : st->frames[i + 1]->callsite;
		uint32_t scc = insn >= 0 ? env->aux[insn].scc : 0;

		if (scc) {
			cc->scc = scc;
			for (int j = i; j < V_MAX_FRAMES; j++)
				cc->callsites[j] = -1;
			return true;
		}
		if (i == st->curframe)
			return false;
		cc->callsites[i] = insn;
	}
	return false;
}

static struct vscc_visit *visit_find(struct venv *env, const struct vscc_visit *cc)
{
	for (int i = 0; i < env->nvisits; i++)
		if (env->visits[i].scc == cc->scc &&
		    !memcmp(env->visits[i].callsites, cc->callsites, sizeof(cc->callsites)))
			return &env->visits[i];
	return NULL;
}

void scc_enter(struct venv *env, struct vstate *st)
{
	struct vscc_visit cc, *v;

	if (!scc_callchain(env, st, &cc))
		return;
	v = visit_find(env, &cc);
	if (!v) {
		if (env->nvisits == env->capvisits) {
			int cap = env->capvisits ? env->capvisits * 2 : 16;
			struct vscc_visit *n = realloc(env->visits, sizeof(*n) * (size_t)cap);

			if (!n)
				return; /* no visit: compared as outside a loop */
			env->visits = n;
			env->capvisits = cap;
		}
		v = &env->visits[env->nvisits++];
		*v = cc;
	}
	if (!v->entry)
		v->entry = st;
}

void scc_exit(struct venv *env, struct vstate *st)
{
	struct vscc_visit cc, *v;

	if (!scc_callchain(env, st, &cc) || !(v = visit_find(env, &cc)) || v->entry != st)
		return;
	v->entry = NULL;
	v->backedges = 0;
}

int scc_add_backedge(struct venv *env, struct vstate *sl)
{
	struct vscc_visit cc, *v;

	if (!scc_callchain(env, sl, &cc) || !(v = visit_find(env, &cc)))
		return 0;
	v->backedges++;
	return 0;
}

bool scc_incomplete(struct venv *env, const struct vstate *st)
{
	struct vscc_visit cc, *v;

	if (!env->nvisits || !scc_callchain(env, st, &cc) || !(v = visit_find(env, &cc)))
		return false;
	return v->backedges != 0;
}

void scc_free(struct venv *env)
{
	free(env->visits);
	env->visits = NULL;
	env->nvisits = env->capvisits = 0;
}

/* ---- widening --------------------------------------------------------------- */

static bool same_callsites(const struct vstate *a, const struct vstate *b)
{
	if (a->curframe != b->curframe)
		return false;
	for (int i = 0; i <= a->curframe; i++)
		if (a->frames[i]->callsite != b->frames[i]->callsite)
			return false;
	return true;
}

struct vstate *find_prev_entry(struct venv *env, struct vstate *from, int insn)
{
	if (!from)
		return NULL;
	for (struct vstate *st = env->explored[insn]; st; st = st->next)
		if (st->branches && same_callsites(st, from) && st->dfs_depth < from->dfs_depth)
			return st;
	return NULL;
}

/* ---- decided jumps -------------------------------------------------------------
 * The kernel marks a conditional jump's scalar operands precise only where
 * the jump is decided (one outcome impossible), in the states of that path
 * back to where their values come from; widening keeps precise scalars.
 * Each checkpoint records the jumps decided below it (a jump found in a
 * checkpoint is in all those above, so marking stops at the first that has
 * it); widening against a checkpoint takes as precise the scalars whose
 * values may reach one of its jumps or another sink (precise.c).  Widening
 * only makes a state coarser: how much is a matter of precision, not of
 * soundness; pruning uses the jumps decided on any path (prune_demand). */

static bool dec_has(const struct vstate *st, uint32_t insn)
{
	uint32_t lo = 0, hi = st->ndec;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (st->dec[mid] == insn)
			return true;
		if (st->dec[mid] < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* false when out of memory */
static bool dec_add(struct vstate *st, uint32_t insn)
{
	uint32_t at = st->ndec;

	if (st->ndec == st->capdec) {
		uint32_t cap = st->capdec ? st->capdec * 2 : 4;
		uint32_t *n = realloc(st->dec, sizeof(*n) * cap);

		if (!n)
			return false;
		st->dec = n;
		st->capdec = cap;
	}
	while (at && st->dec[at - 1] > insn) {
		st->dec[at] = st->dec[at - 1];
		at--;
	}
	st->dec[at] = insn;
	st->ndec++;
	return true;
}

static void mark_decided(struct vstate *from, uint32_t insn)
{
	for (struct vstate *p = from; p && !dec_has(p, insn); p = p->parent)
		if (!dec_add(p, insn))
			return;
}

void note_decided_jump(struct venv *env, int insn)
{
	if (env->track_decided && env->cur)
		mark_decided(env->cur->parent, (uint32_t)insn);
}

void note_decided_from(struct venv *env, const struct vstate *sl)
{
	if (!env->track_decided || !env->cur)
		return;
	for (uint32_t i = 0; i < sl->ndec; i++)
		mark_decided(env->cur->parent, sl->dec[i]);
}

/* Whether the scalar in frame's regno (regno 11+: stack slot regno-11)
 * of st may need its exact value: in dm (st's decided jumps as sinks) at
 * st's instruction, or at the call for a caller's frame. */
static bool reg_precise(struct venv *env, const struct vstate *st, const struct vdemand *dm,
			int frame, int regno)
{
	int insn;

	if (frame == st->curframe)
		insn = st->insn >= 0 ? st->insn : env->insn_idx;
	else if (st->frames[frame + 1]->in_callback)
		insn = st->frames[frame + 1]->callsite;
	else
		insn = st->frames[frame + 1]->callsite + 1;
	if (regno > 10)
		return (dm ? dm->sdem[insn] : env->aux[insn].sdemand) & (1ULL << (regno - 11));
	return (dm ? dm->dem[insn] : env->aux[insn].demand) & (1u << regno);
}

static bool scalars_exact(const struct vreg *a, const struct vreg *b)
{
	return a->var_off.value == b->var_off.value && a->var_off.mask == b->var_off.mask &&
	       a->smin == b->smin && a->smax == b->smax && a->umin == b->umin &&
	       a->umax == b->umax && a->s32min == b->s32min && a->s32max == b->s32max &&
	       a->u32min == b->u32min && a->u32max == b->u32max && a->off == b->off &&
	       !!a->id == !!b->id;
}

static void maybe_widen(struct venv *env, const struct vstate *old, const struct vdemand *dm, int f,
			int regno, const struct vreg *o, struct vreg *c)
{
	if (o->type != VT_SCALAR || c->type != VT_SCALAR)
		return;
	if (reg_precise(env, old, dm, f, regno) || scalars_exact(o, c))
		return;
	reg_mark_unknown(c);
}

void widen_imprecise(struct venv *env, const struct vstate *old, struct vstate *cur)
{
	const struct vdemand *dm = NULL;

	if (old->curframe != cur->curframe)
		return;
	if (env->track_decided)
		dm = demand_for(env, old->insn, old->dec, old->ndec);
	for (int f = old->curframe; f >= 0; f--) {
		const struct vframe *fo = old->frames[f];
		struct vframe *fc = cur->frames[f];

		for (int r = 0; r < V_MAX_REGS; r++)
			maybe_widen(env, old, dm, f, r, &fo->regs[r], &fc->regs[r]);
		for (int s = 0; s < fo->nslots && s < fc->nslots; s++)
			if (slot_is_spilled(&fo->stack[s]) && slot_is_spilled(&fc->stack[s]))
				maybe_widen(env, old, dm, f, 11 + s, &fo->stack[s].spilled,
					    &fc->stack[s].spilled);
	}
}

/* ---- may_goto ------------------------------------------------------------------ */

/* The goto is taken (the budget is spent) on this path; the fall-through,
 * one level deeper, is explored later. */
int check_may_goto(struct venv *env, const struct bk_dinsn *d, int *next)
{
	struct vstate *q, *prev;
	int idx = env->insn_idx, err;

	if (d->dst || d->src || d->imm)
		return verr(env, BK_E_V_BAD_INSN, "invalid may_goto imm %d", d->imm);
	prev = find_prev_entry(env, env->cur->parent, idx);
	if ((err = push_branch(env, idx + 1, idx, &q)))
		return err;
	q->may_goto_depth++;
	if (prev)
		widen_imprecise(env, prev, q);
	*next = idx + d->off + 1;
	return 0;
}

/* ---- callbacks ------------------------------------------------------------------ */

static int callback_subprog(struct venv *env, const struct vreg *r)
{
	if (r->type != VT_FUNC || r->aux < 0 || r->aux >= env->nsubprogs)
		return -1;
	return r->aux;
}

/* Queues the callback's first instruction with a new frame; the current
 * path goes on after the helper call. */
static int push_callback(struct venv *env, int sp, int kind, int map)
{
	struct vstate *cb, *st = env->cur;
	struct vframe *caller = cur_frame(env), *callee;
	int err;

	if (st->curframe + 1 >= V_MAX_FRAMES)
		return verr(env, BK_E_V_CALL_DEPTH, "the call stack of %d frames is too deep",
			    st->curframe + 2);
	if ((err = push_branch(env, env->subprogs[sp].start, env->insn_idx, &cb)))
		return err;
	callee = frame_new(env->insn_idx, sp, cb->curframe + 1);
	if (!callee)
		return -ENOMEM;
	const struct vreg *cr = caller->regs;

	callee->in_callback = (uint8_t)kind;
	if (kind == CB_LOOP) {
		reg_mark_unknown(&callee->regs[1]);
		callee->regs[2] = cr[3];
	} else {
		callee->regs[1] = cr[1];
		for (int i = 2; i <= 3; i++) {
			reg_mark_unknown(&callee->regs[i]);
			reg_mark_known(&callee->regs[i], 0);
			callee->regs[i].type = i == 2 ? VT_MAP_KEY : VT_MAP_VALUE;
			callee->regs[i].aux = map;
		}
		callee->regs[4] = cr[3];
	}
	cb->frames[++cb->curframe] = callee;
	cb->callback_unroll_depth++;
	cb->frames[cb->curframe - 1]->callback_depth++;
	caller->callback_depth = 0;
	env->subprogs[sp].called = true;
	return 0;
}

static bool each_map_ok(uint32_t type)
{
	/* hash, array, percpu hash and array, LRU hash and percpu hash */
	return type == 1 || type == 2 || type == 5 || type == 6 || type == 9 || type == 10;
}

static int check_cb_args(struct venv *env, bool each, int *sp)
{
	struct vreg *r = cur_regs(env);
	char tb[48];

	for (int i = 1; i <= 4; i++)
		if (r[i].type == VT_NOT_INIT)
			return verr(env, BK_E_V_UNINIT_REG, "R%d !read_ok", i);
	if (each && r[1].type != VT_MAP_PTR)
		return verr(env, BK_E_V_HELPER_ARG, "R1 type=%s expected=map_ptr",
			    vtype_str(&r[1], tb, sizeof(tb)));
	if (each && r[1].off)
		return verr(env, BK_E_V_HELPER_ARG, "R1 has non-zero offset %d", r[1].off);
	if ((*sp = callback_subprog(env, &r[2])) < 0)
		return verr(env, BK_E_V_CALLBACK, "R2 type=%s expected=func",
			    vtype_str(&r[2], tb, sizeof(tb)));
	if (env->subprogs[*sp].global)
		return verr(env, BK_E_V_CALLBACK,
			    "callback %s is a global function; bpfverify models static callbacks",
			    env->subprogs[*sp].name ? env->subprogs[*sp].name : "?");
	if (!reg_is_null(&r[3]) && (r[3].type != VT_STACK || r[3].flags))
		return verr(env, BK_E_V_HELPER_ARG, "R3 type=%s expected=fp",
			    vtype_str(&r[3], tb, sizeof(tb)));
	return 0;
}

/* bpf_loop(nr, cb, ctx, flags) and bpf_for_each_map_elem(map, cb, ctx,
 * flags): arguments, then the callback is queued as many times as the
 * kernel would, and the helper returns an integer. */
int check_callback_helper(struct venv *env, const struct bk_dinsn *d)
{
	bool each = d->imm == 164;
	struct vreg *r = cur_regs(env);
	int sp = -1, err, map = -1;

	if ((err = check_cb_args(env, each, &sp)))
		return err;
	if (each) {
		map = r[1].aux;
		if (!each_map_ok(env->in->maps[map].type))
			return verr(env, BK_E_V_MAP_FUNC,
				    "cannot pass map_type %u into func bpf_for_each_map_elem#164",
				    env->in->maps[map].type);
		err = push_callback(env, sp, CB_EACH, map);
	} else if (cur_frame(env)->callback_depth < r[1].umax) {
		err = push_callback(env, sp, CB_LOOP, -1);
	} else {
		cur_frame(env)->callback_depth = 0;
		vlog(env, "frame%d bpf_loop iteration limit reached", env->cur->curframe);
	}
	if (err)
		return err;
	for (int i = 0; i <= 5; i++)
		reg_mark_not_init(&r[i]);
	reg_mark_unknown(&r[0]);
	return 0;
}

/* The callback returns: r0 must be 0 or 1; control goes back to the helper
 * call, which decides whether to call it again. */
int callback_exit(struct venv *env, int *next)
{
	struct vstate *st = env->cur, *prev;
	struct vframe *callee = cur_frame(env);
	struct vreg *r0 = &callee->regs[0];
	char tb[48];

	if (r0->type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R0 !read_ok");
	if (r0->type != VT_SCALAR)
		return verr(env, BK_E_V_RET_VALUE,
			    "At callback return the register R0 is not a known value (%s)",
			    vtype_str(r0, tb, sizeof(tb)));
	if (r0->smin < 0 || r0->smax > 1)
		return verr(env, BK_E_V_RET_VALUE,
			    "At callback return the register R0 has smin=%lld smax=%lld should "
			    "have been in [0, 1]",
			    (long long)r0->smin, (long long)r0->smax);
	*next = callee->callsite;
	free(callee->stack);
	free(callee);
	st->frames[st->curframe--] = NULL;
	prev = find_prev_entry(env, st, *next);
	if (prev)
		widen_imprecise(env, prev, st);
	return 0;
}
