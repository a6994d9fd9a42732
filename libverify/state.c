// SPDX-License-Identifier: MIT
/*
 * state.c - verifier states: allocation, deep copy, the work list of
 * pending branches, and small accessors shared by the passes.
 *
 * A state owns its frames and each frame owns its stack array (nslots
 * slots of 8 bytes, slot 0 at fp-8).  Copies are deep; nothing is shared.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "verify_int.h"

uint64_t v_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int verr(struct venv *env, int code, const char *fmt, ...)
{
	va_list ap;
	char msg[400];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!env->err) {
		env->err = -code;
		bk_diag__set(env->diag, code, env->insn_idx, "%s", msg);
	}
	vlog(env, "%s", msg);
	return env->err;
}

void note_origin(struct venv *env, uint32_t id, uint32_t helper)
{
	struct vorigin *n;

	/* ids are new when noted and grow: the list stays sorted */
	if (env->norigins && env->origins[env->norigins - 1].id >= id)
		return;
	if (!env->norigins || (env->norigins >= 16 && !(env->norigins & (env->norigins - 1)))) {
		int cap = env->norigins ? env->norigins * 2 : 16;

		n = realloc(env->origins, sizeof(*n) * (size_t)cap);
		if (!n)
			return;
		env->origins = n;
	}
	env->origins[env->norigins++] = (struct vorigin){id, env->insn_idx, helper};
}

const struct vorigin *find_origin(struct venv *env, uint32_t id)
{
	int lo = 0, hi = env->norigins;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (env->origins[mid].id == id)
			return &env->origins[mid];
		if (env->origins[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct vframe *cur_frame(struct venv *env)
{
	return env->cur->frames[env->cur->curframe];
}

struct vreg *cur_regs(struct venv *env)
{
	return cur_frame(env)->regs;
}

struct vframe *ptr_frame(struct venv *env, const struct vreg *ptr)
{
	return env->cur->frames[ptr->frameno];
}

void frame_init_regs(struct vframe *f)
{
	for (int i = 0; i < V_MAX_REGS; i++)
		reg_mark_not_init(&f->regs[i]);
	struct vreg *fp = &f->regs[10];

	reg_mark_known(fp, 0);
	fp->type = VT_STACK;
	fp->frameno = (uint8_t)f->frameno;
}

struct vframe *frame_new(int callsite, int subprog, int frameno)
{
	struct vframe *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->callsite = callsite;
	f->subprog = subprog;
	f->frameno = frameno;
	frame_init_regs(f);
	return f;
}

static void frame_free(struct vframe *f)
{
	if (!f)
		return;
	free(f->stack);
	free(f);
}

static struct vframe *frame_copy(const struct vframe *src)
{
	struct vframe *f = malloc(sizeof(*f));

	if (!f)
		return NULL;
	*f = *src;
	f->stack = NULL;
	if (src->nslots) {
		f->stack = malloc(sizeof(*f->stack) * (size_t)src->nslots);
		if (!f->stack) {
			free(f);
			return NULL;
		}
		memcpy(f->stack, src->stack, sizeof(*f->stack) * (size_t)src->nslots);
	}
	return f;
}

struct vstate *state_new(struct venv *env)
{
	struct vstate *st = calloc(1, sizeof(*st));

	(void)env;
	if (!st)
		return NULL;
	st->frames[0] = frame_new(-1, 0, 0);
	if (!st->frames[0]) {
		free(st);
		return NULL;
	}
	st->branches = 1;
	st->insn = -1;
	st->khist_last = -1;
	return st;
}

void state_free(struct vstate *st)
{
	if (!st)
		return;
	for (int i = 0; i <= st->curframe; i++)
		frame_free(st->frames[i]);
	free(st->refs);
	free(st->hist);
	free(st->dec);
	free(st);
}

struct vstate *state_copy(const struct vstate *src)
{
	struct vstate *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->curframe = src->curframe;
	for (int i = 0; i <= src->curframe; i++) {
		st->frames[i] = frame_copy(src->frames[i]);
		if (!st->frames[i]) {
			st->curframe = i - 1;
			state_free(st);
			return NULL;
		}
	}
	if (src->nrefs) {
		st->refs = malloc(sizeof(*st->refs) * (size_t)src->nrefs);
		if (!st->refs) {
			state_free(st);
			return NULL;
		}
		memcpy(st->refs, src->refs, sizeof(*st->refs) * (size_t)src->nrefs);
		st->nrefs = src->nrefs;
	}
	if (src->nhist) {
		st->hist = malloc(sizeof(*st->hist) * (size_t)src->nhist);
		if (!st->hist) {
			state_free(st);
			return NULL;
		}
		memcpy(st->hist, src->hist, sizeof(*st->hist) * (size_t)src->nhist);
		st->nhist = st->caphist = src->nhist;
	}
	st->first_insn = src->first_insn;
	st->khist = src->khist;
	st->khist_last = src->khist_last;
	st->dfs_depth = src->dfs_depth;
	st->may_goto_depth = src->may_goto_depth;
	st->callback_unroll_depth = src->callback_unroll_depth;
	st->lock_held = src->lock_held;
	st->rcu_lock = src->rcu_lock;
	st->preempt_off = src->preempt_off;
	st->lock_map = src->lock_map;
	st->lock_id = src->lock_id;
	st->parent = src->parent;
	st->branches = 1;
	st->insn = -1;
	return st;
}

/* Queues a copy of the current state to continue at insn later. */
int push_branch(struct venv *env, int insn, int prev, struct vstate **out)
{
	struct vstate *st;

	if (env->nstack == env->capstack) {
		int cap = env->capstack ? env->capstack * 2 : 64;
		struct vpending *n = realloc(env->stack, sizeof(*n) * (size_t)cap);

		if (!n)
			return -ENOMEM;
		env->stack = n;
		env->capstack = cap;
	}
	/* BPF_COMPLEXITY_LIMIT_JMP_SEQ: pending branches, this one included */
	if (env->nstack + 1 > 8192)
		return verr(env, BK_E_V_COMPLEXITY, "The sequence of %d jumps is too complex.",
			    env->nstack + 1);
	st = state_copy(env->cur);
	if (!st)
		return -ENOMEM;
	if (insn != prev && hist_push_state(env, st, prev, insn) < 0) {
		state_free(st);
		return -ENOMEM;
	}
	if (st->parent)
		st->parent->branches++;
	env->stack[env->nstack++] = (struct vpending){st, insn, prev};
	env->states_live++;
	*out = st;
	return 0;
}

static const char *const type_names[VT__COUNT] = {
	[VT_NOT_INIT] = "?",
	[VT_SCALAR] = "scalar",
	[VT_CTX] = "ctx",
	[VT_STACK] = "fp",
	[VT_MAP_PTR] = "map_ptr",
	[VT_MAP_VALUE] = "map_value",
	[VT_MAP_KEY] = "map_key",
	[VT_PKT] = "pkt",
	[VT_PKT_META] = "pkt_meta",
	[VT_PKT_END] = "pkt_end",
	[VT_MEM] = "mem",
	[VT_FUNC] = "func",
	[VT_SOCK_COMMON] = "sock_common",
	[VT_SOCKET] = "sock",
	[VT_TCP_SOCK] = "tcp_sock",
	[VT_BTF_ID] = "ptr_",
	[VT_FLOW_KEYS] = "flow_keys",
	[VT_TP_BUFFER] = "tp_buffer",
	[VT_XDP_SOCK] = "xdp_sock",
};

/* The kernel's reg_type_str(): "map_value_or_null", "rdonly_mem", ... */
const char *vtype_str(const struct vreg *r, char *buf, size_t size)
{
	const char *base = r->type < VT__COUNT ? type_names[r->type] : "?";

	snprintf(buf, size, "%s%s%s%s", r->flags & VF_RDONLY ? "rdonly_" : "",
		 r->flags & VF_RINGBUF ? "ringbuf_" : "", base,
		 r->flags & VF_NULL ? "_or_null" : "");
	return buf;
}
