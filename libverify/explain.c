// SPDX-License-Identifier: MIT
/*
 * explain.c - why a program was rejected, in terms a person can act on:
 * the path that led to the rejected instruction (every jump, call and
 * return taken, with the compared registers before each conditional
 * jump) and a hint in words naming source lines.
 *
 * Each state keeps the jumps of its path segment since its parent
 * checkpoint (struct vhist); a checkpoint takes the segment it ends, so
 * the whole path is the chain of segments from the failing state up
 * through its parents.  Only the last BK_VERIFY_MAX_STEPS steps are
 * reported; back edges are counted over the whole path to name the loop
 * that did not converge.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "verify_int.h"

static bool is_cond_jmp(const struct bk_dinsn *d)
{
	const struct bk_op_info *oi = bk_op_info(d->op);
	unsigned cls = bk_opc_class(oi->opcode);

	return (cls == BK_CLASS_JMP || cls == BK_CLASS_JMP32) &&
	       (oi->fmt == BK_FMT_JMP_K || oi->fmt == BK_FMT_JMP_X);
}

static int hist_add(struct vstate *st, const struct vhist *h)
{
	if (st->nhist == st->caphist) {
		int cap = st->caphist ? st->caphist * 2 : 8;
		struct vhist *n = realloc(st->hist, sizeof(*n) * (size_t)cap);

		if (!n)
			return -ENOMEM;
		st->hist = n;
		st->caphist = cap;
	}
	st->hist[st->nhist++] = *h;
	return 0;
}

/* The registers a conditional jump at from compares, as they are now. */
static void snapshot(struct venv *env, int from, struct vhist *h)
{
	const struct bk_dinsn *d = &env->insns[from];

	h->nregs = 0;
	if (from < 0 || !is_cond_jmp(d))
		return;
	h->regno[h->nregs] = d->dst;
	h->regs[h->nregs++] = cur_regs(env)[d->dst];
	if (bk_op_info(d->op)->fmt == BK_FMT_JMP_X) {
		h->regno[h->nregs] = d->src;
		h->regs[h->nregs++] = cur_regs(env)[d->src];
	}
}

int hist_push_state(struct venv *env, struct vstate *st, int from, int to)
{
	struct vhist h = {.from = from, .to = to};

	snapshot(env, from, &h);
	return hist_add(st, &h);
}

void hist_snapshot(struct venv *env, int from, struct vhist *h)
{
	h->from = from;
	snapshot(env, from, h);
}

int hist_push(struct venv *env, const struct vhist *h, int to)
{
	struct vhist c = *h;

	c.to = to;
	return hist_add(env->cur, &c);
}

/* ---- the explanation ------------------------------------------------------------- */

static const char *base(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p;
}

/* "xdp.c:40" or "insn 12". */
static void where(struct venv *env, int insn, char *b, size_t n)
{
	const struct bk_line *l =
		env->in->prog && insn >= 0 ? bk_prog__line(env->in->prog, (uint32_t)insn) : NULL;

	if (l && l->file && l->line)
		snprintf(b, n, "%s:%u", base(l->file), l->line);
	else
		snprintf(b, n, "insn %d", insn);
}

struct edge {
	int from, to;
	uint32_t n;
};

struct walk {
	struct bk_verify_explain *e;
	struct edge edges[64];
	int nedges;
	size_t total;
};

static void count_edge(struct walk *w, int from, int to)
{
	for (int i = 0; i < w->nedges; i++)
		if (w->edges[i].from == from && w->edges[i].to == to) {
			w->edges[i].n++;
			return;
		}
	if (w->nedges < 64)
		w->edges[w->nedges++] = (struct edge){from, to, 1};
}

static void step_of(const struct vhist *h, struct bk_verify_step *s, struct venv *env)
{
	size_t len = 0;

	s->insn = h->from;
	s->target = h->to;
	s->taken = -1;
	s->regs[0] = '\0';
	if (h->from >= 0 && is_cond_jmp(&env->insns[h->from]))
		s->taken = h->to != h->from + 1;
	for (int i = 0; i < h->nregs && len < sizeof(s->regs); i++) {
		char rb[160];

		reg_str(&h->regs[i], rb, sizeof(rb));
		len += (size_t)snprintf(s->regs + len, sizeof(s->regs) - len, "%sR%d=%s",
					i ? " " : "", h->regno[i], rb);
	}
}

/* Walks the path backwards: the last steps are kept, back edges counted. */
static int collect(struct venv *env, struct walk *w)
{
	struct bk_verify_explain *e = w->e;
	size_t cap = BK_VERIFY_MAX_STEPS, n = 0;
	struct bk_verify_step *tmp = calloc(cap, sizeof(*tmp));

	if (!tmp)
		return -ENOMEM;
	for (const struct vstate *st = env->cur; st; st = st->parent) {
		for (int i = st->nhist - 1; i >= 0; i--) {
			const struct vhist *h = &st->hist[i];

			w->total++;
			if (h->to <= h->from)
				count_edge(w, h->from, h->to);
			if (n < cap)
				step_of(h, &tmp[n++], env);
		}
		if (!st->parent)
			e->start = st->first_insn;
	}
	for (size_t i = 0; i < n / 2; i++) {
		struct bk_verify_step t = tmp[i];

		tmp[i] = tmp[n - 1 - i];
		tmp[n - 1 - i] = t;
	}
	e->steps = tmp;
	e->nsteps = n;
	e->nsteps_total = w->total;
	return 0;
}

static void hint_null(struct venv *env, struct bk_verify_explain *e, int insn)
{
	const struct vframe *f = cur_frame(env);
	char at[64], at2[64];

	for (int r = 0; r < V_MAX_REGS; r++) {
		const struct vreg *reg = &f->regs[r];
		const struct vorigin *o;

		if (!(reg->flags & VF_NULL) || !(o = find_origin(env, reg->id)))
			continue;
		where(env, o->insn, at, sizeof(at));
		where(env, insn, at2, sizeof(at2));
		snprintf(e->hint, sizeof(e->hint),
			 "r%d may be NULL: %s at %s can return NULL; check it before the access "
			 "at %s",
			 r,
			 (o->helper & V_ORIGIN_KFUNC) ? kfunc_name(env, o->helper)
						      : vhelper_name(o->helper),
			 at, at2);
		e->hint_insn = o->insn;
		return;
	}
}

static const char *call_name(struct venv *env, int insn);

/* A load or store through a register that is NULL on this path: the call
 * before it that returned NULL (an iterator's next when drained). */
static void hint_null_const(struct venv *env, struct bk_verify_explain *e, int insn)
{
	const struct bk_dinsn *d = &env->insns[insn];
	int fmt = bk_op_info(d->op)->fmt, base = fmt == BK_FMT_LDX ? d->src : d->dst;
	const struct vreg *r = &cur_regs(env)[base];
	char at[64], at2[64];

	if (fmt != BK_FMT_LDX && fmt != BK_FMT_ST && fmt != BK_FMT_STX)
		return;
	if (!reg_is_null(r))
		return;
	for (int i = insn - 1; i >= 0 && i >= insn - 16; i--) {
		const struct bk_dinsn *c = &env->insns[i];

		if (!c->slots || (c->op != BK_OP_CALL && c->op != BK_OP_CALL_KFUNC))
			continue;
		where(env, i, at, sizeof(at));
		where(env, insn, at2, sizeof(at2));
		snprintf(e->hint, sizeof(e->hint),
			 "r%d is NULL on this path: %s at %s returned NULL (an iterator's next "
			 "does when it is drained); check the result before the access at %s",
			 base, call_name(env, i), at, at2);
		e->hint_insn = i;
		return;
	}
}

static const char *call_name(struct venv *env, int insn)
{
	const struct bk_dinsn *d = &env->insns[insn];

	if (d->op == BK_OP_CALL_KFUNC && env->aux[insn].kfunc >= 0)
		return env->kfuncs[env->aux[insn].kfunc].name;
	if (d->op == BK_OP_CALL)
		return vhelper_name((uint32_t)d->imm);
	return "a call";
}

static void hint_leak(struct venv *env, struct bk_verify_explain *e)
{
	const struct vstate *st = env->cur;
	char at[64];

	if (!st->nrefs)
		return;
	int ai = st->refs[0].insn;
	const char *n = call_name(env, ai);

	where(env, ai, at, sizeof(at));
	e->hint_insn = ai;
	if (!strncmp(n, "bpf_iter_", 9))
		snprintf(e->hint, sizeof(e->hint),
			 "the iterator created by %s at %s is not destroyed on this path; call "
			 "its _destroy kfunc before returning (on every path, breaks included)",
			 n, at);
	else
		snprintf(e->hint, sizeof(e->hint),
			 "the reference acquired by %s at %s is not released on this path; "
			 "submit or discard it before returning",
			 n, at);
}

/* The loop whose back edge the path took most often. */
static void hint_loop(struct venv *env, struct walk *w, struct bk_verify_explain *e, int code)
{
	const struct edge *best = NULL;
	char at[64], rb[300] = "", bound[160] = "";

	_Static_assert(sizeof(e->hint) == 512, "hint size");

	for (int i = 0; i < w->nedges; i++)
		if (!best || w->edges[i].n > best->n)
			best = &w->edges[i];
	if (!best) {
		if (code == BK_E_V_COMPLEXITY)
			snprintf(e->hint, sizeof(e->hint),
				 "too many paths: the branches multiply the states to explore; "
				 "move independent work into global functions or make values "
				 "the branches test imprecise (the verifier prunes equal states)");
		return;
	}
	where(env, best->to, at, sizeof(at));
	e->hint_insn = best->to;
	/* the registers of the last conditional jump in the loop */
	for (size_t i = e->nsteps; i-- > 0;) {
		const struct bk_verify_step *s = &e->steps[i];

		if (s->taken >= 0 && s->insn >= best->to && s->insn <= best->from) {
			snprintf(rb, sizeof(rb), " (last test at insn %d: %s)", s->insn, s->regs);
			break;
		}
	}
	/* the exit test compares the counter with a bound it does not know */
	for (const struct vstate *st = env->cur; st && !bound[0]; st = st->parent)
		for (int i = st->nhist - 1; i >= 0 && !bound[0]; i--) {
			const struct vhist *h = &st->hist[i];

			if (h->nregs != 2 || h->from < best->to || h->from > best->from)
				continue;
			for (int k = 0; k < 2; k++) {
				const struct vreg *b = &h->regs[k], *c = &h->regs[1 - k];

				if (b->type == VT_SCALAR && c->type == VT_SCALAR &&
				    !tnum_is_const(b->var_off) && tnum_is_const(c->var_off))
					snprintf(
						bound, sizeof(bound),
						"; the bound in r%d is not a constant the verifier "
						"knows (it may be up to %llu): clamp it (if (n > "
						"64) n = "
						"64;)",
						h->regno[k], (unsigned long long)b->umax);
			}
			if (!bound[0])
				bound[0] = '\1'; /* the last test decides */
		}
	if (bound[0] == '\1')
		bound[0] = '\0';
	bool converging = false; /* a loop the kernel lets converge */

	for (int i = best->to; i <= best->from && i < (int)env->cnt; i++)
		converging |= env->insns[i].slots &&
			      (env->insns[i].op == BK_OP_MAY_GOTO ||
			       (env->aux[i].flags & (AUX_ITER_NEXT | AUX_CALLS_CB)));
	if (converging && code == BK_E_V_COMPLEXITY) {
		snprintf(e->hint, sizeof(e->hint),
			 "the loop at %.40s never converges: its back edge (insn %d -> %d) was "
			 "taken %u times on one path and each iteration changes a value the "
			 "verifier must keep exact (an index, a compared counter or sum); derive "
			 "it from the iterator's value each iteration, or mask it",
			 at, best->from, best->to, best->n);
		return;
	}
	if (code == BK_E_V_INF_LOOP)
		snprintf(e->hint, sizeof(e->hint),
			 "the loop at %s makes no progress: the state at its head repeats "
			 "exactly; change the loop variable on every iteration",
			 at);
	else
		snprintf(e->hint, sizeof(e->hint),
			 "the loop at %.40s has no bound the verifier can prove: its back edge "
			 "(insn %d -> %d) was taken %u times on one path and the exit test never "
			 "became certain%.200s%s; compare the counter with a constant (if (i >= "
			 "N) break;), or use bpf_loop() or an open-coded iterator",
			 at, best->from, best->to, best->n, bound[0] ? "" : rb, bound);
}

static void hint_generic(struct venv *env, struct bk_verify_explain *e, int code, int insn)
{
	char at[64];

	where(env, insn, at, sizeof(at));
	switch (code) {
	case BK_E_V_MAP_BOUNDS:
	case BK_E_V_MEM_BOUNDS:
	case BK_E_V_STACK_BOUNDS:
	case BK_E_V_UNBOUNDED:
		snprintf(e->hint, sizeof(e->hint),
			 "the offset used at %s may fall outside the object; compare the index "
			 "with the object's size (or mask it) right before the access",
			 at);
		break;
	case BK_E_V_PKT_BOUNDS:
		snprintf(e->hint, sizeof(e->hint),
			 "the packet access at %s is not covered by a check against data_end; "
			 "test (data + offset + size > data_end) before reading",
			 at);
		break;
	case BK_E_V_UNINIT_REG:
		snprintf(e->hint, sizeof(e->hint),
			 "a register is read at %s before any instruction on this path wrote it",
			 at);
		break;
	case BK_E_V_ITER:
		snprintf(e->hint, sizeof(e->hint),
			 "an iterator must be created with its _new kfunc, advanced with _next and "
			 "destroyed with _destroy, always through the same stack slot, which "
			 "nothing else may write (%s)",
			 at);
		break;
	case BK_E_V_RET_VALUE:
		if (env->cur->curframe && cur_frame(env)->in_callback)
			snprintf(e->hint, sizeof(e->hint),
				 "a callback of %s must return 0 (go on) or 1 (stop); the value "
				 "returned at %s may be something else",
				 cur_frame(env)->in_callback == CB_LOOP ? "bpf_loop"
									: "bpf_for_each_map_elem",
				 at);
		break;
	case BK_E_V_CALLBACK:
		snprintf(e->hint, sizeof(e->hint),
			 "pass a static function as the callback (its address, as the second "
			 "argument) at %s",
			 at);
		break;
	default:
		break;
	}
}

void explain_rejection(struct venv *env)
{
	struct bk_verify_explain *e = env->opts.explain;
	struct walk w = {.e = e};
	int code = env->err ? -env->err : 0, insn = env->insn_idx;

	if (!e || !env->cur || !code)
		return;
	memset(e, 0, sizeof(*e));
	e->hint_insn = -1;
	if (collect(env, &w))
		return;
	switch (code) {
	case BK_E_V_NULL_DEREF:
		hint_null(env, e, insn);
		break;
	case BK_E_V_INVALID_MEM:
		hint_null_const(env, e, insn);
		break;
	case BK_E_V_REF_LEAK:
		hint_leak(env, e);
		break;
	case BK_E_V_COMPLEXITY:
	case BK_E_V_INF_LOOP:
	case BK_E_V_TIMEOUT:
		hint_loop(env, &w, e, code);
		break;
	default:
		hint_generic(env, e, code, insn);
		break;
	}
}

void bk_verify_explain__clear(struct bk_verify_explain *e)
{
	if (!e)
		return;
	free(e->steps);
	memset(e, 0, sizeof(*e));
	e->hint_insn = -1;
}
