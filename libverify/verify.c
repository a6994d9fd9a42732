// SPDX-License-Identifier: MIT
/*
 * verify.c - the verifier's driver: decoding, the structural passes, the
 * depth-first abstract interpretation of every path (one instruction at a
 * time, pending branches on a work list, pruning at checkpoints), the
 * global functions verified on their own, the stack depth of call chains,
 * and the public entry points.
 *
 * Pass list:  decode -> check_structure (cfg.c) -> compute_liveness ->
 *             do_check(entry) -> do_check(each called global function) ->
 *             check_max_stack_depth.
 */
#include <errno.h>
#include <stdlib.h>

#include "verify_int.h"

static void init_entry(struct venv *env, struct vstate *st, int sp)
{
	struct vframe *f = st->frames[0];
	struct vreg *r1 = &f->regs[1];

	f->subprog = sp;
	if (sp && env->subprogs[sp].global) {
		const struct vsubprog *g = &env->subprogs[sp];

		for (int i = 0; i < g->nargs; i++) {
			struct vreg *r = &f->regs[i + 1];

			reg_mark_unknown(r);
			if (g->arg_kind[i] == 1) {
				reg_mark_known(r, 0);
				r->type = VT_CTX;
			} else if (g->arg_kind[i] == 2) {
				reg_mark_known(r, 0);
				r->type = VT_MEM;
				r->flags = VF_NULL;
				r->aux = (int32_t)g->arg_size[i];
				r->id = new_id(env);
			}
		}
		return;
	}
	reg_mark_unknown(r1);
	reg_mark_known(r1, 0);
	if (env->in->type == BK_PROG_RAW) {
		r1->type = VT_MEM;
		r1->aux = 4096;
		reg_mark_unknown(&f->regs[2]);
		f->regs[2].umax = 4096;
		f->regs[2].smax = 4096;
		f->regs[2].smin = 0;
		reg_bounds_sync(&f->regs[2]);
	} else {
		r1->type = VT_CTX;
	}
}

/* Whether the function at insn has BTF func info. */
static bool func_info(struct venv *env, int insn)
{
	if (!env->in->btf)
		return false;
	for (size_t f = 0; f < env->in->nfuncs; f++)
		if ((int)env->in->funcs[f].insn == insn)
			return env->in->funcs[f].btf_id != 0;
	return false;
}

static int do_ldimm64(struct venv *env, const struct bk_dinsn *d)
{
	struct vreg *r = &cur_regs(env)[d->dst];
	const struct vaux *a = &env->aux[env->insn_idx];

	if (d->dst == 10)
		return verr(env, BK_E_V_FP_WRITE, "frame pointer is read only");
	reg_mark_unknown(r);
	if (d->op == BK_OP_LDDW) {
		reg_mark_known(r, bk_dinsn_imm64(d));
		return 0;
	}
	reg_mark_known(r, 0);
	switch (a->ld_kind) {
	case 3:
		r->type = VT_FUNC;
		for (int s = 0; s < env->nsubprogs; s++)
			if (env->subprogs[s].start == env->insn_idx + d->imm + 1)
				r->aux = s;
		/* the kernel takes a callback's linkage from BTF func info */
		if (!func_info(env, env->insn_idx + d->imm + 1))
			return verr(env, BK_E_V_CALLBACK, "missing btf func_info");
		if (env->subprogs[r->aux].global)
			return verr(env, BK_E_V_CALLBACK, "callback function not static");
		break;
	case 2:
		r->type = VT_MAP_VALUE;
		r->aux = a->map;
		r->off = (int32_t)a->map_off;
		break;
	default:
		r->type = VT_MAP_PTR;
		r->aux = a->map;
		break;
	}
	return 0;
}

static int do_exit(struct venv *env, int *next, bool *path_end)
{
	int err;

	if (env->cur->curframe) {
		*path_end = false;
		return prepare_func_exit(env, next);
	}
	if ((err = check_reference_leak(env)) ||
	    (err = env->cur->frames[0]->in_callback == CB_ASYNC ? async_callback_return(env)
								: check_return_code(env)))
		return err;
	*path_end = true;
	return 0;
}

/* One instruction; *next is the following instruction, *end set when the
 * path finished. */
static int do_insn(struct venv *env, int idx, int *next, bool *end)
{
	const struct bk_dinsn *d = &env->insns[idx];
	const struct bk_op_info *oi = bk_op_info(d->op);
	unsigned cls = bk_opc_class(oi->opcode);

	*next = idx + d->slots;
	*end = false;
	if (env->aux[idx].flags & AUX_BAD)
		return verr(env, BK_E_V_BAD_INSN, "invalid instruction fields (code %02x)",
			    env->in->insns[idx].code);
	switch (cls) {
	case BK_CLASS_ALU:
	case BK_CLASS_ALU64:
		return check_alu(env, d);
	case BK_CLASS_LDX:
	case BK_CLASS_ST:
		return check_load_store(env, d);
	case BK_CLASS_STX:
		if (oi->fmt == BK_FMT_STX)
			return check_load_store(env, d);
		return check_atomic(env, d);
	case BK_CLASS_LD:
		if (oi->fmt == BK_FMT_LDDW)
			return do_ldimm64(env, d);
		return check_ld_abs(env, d);
	default:
		break;
	}
	env->jmps_processed++;
	switch (oi->fmt) {
	case BK_FMT_JA:
		*next = idx + d->off + 1;
		return 0;
	case BK_FMT_JA32:
		*next = idx + d->imm + 1;
		return 0;
	case BK_FMT_CALL:
		return check_helper_call(env, d);
	case BK_FMT_CALL_LOCAL:
		return check_func_call(env, d, next);
	case BK_FMT_CALL_KFUNC:
		return check_kfunc_call(env, d);
	case BK_FMT_EXIT:
		return do_exit(env, next, end);
	case BK_FMT_JCOND:
		return check_may_goto(env, d, next);
	default:
		return check_cond_jmp(env, d, next);
	}
}

static int pop_state(struct venv *env, int *idx)
{
	path_done(env, env->cur);
	state_free(env->cur);
	env->cur = NULL;
	if (env->states_live)
		env->states_live--;
	if (!env->nstack)
		return 0;
	struct vpending p = env->stack[--env->nstack];

	env->cur = p.st;
	*idx = p.insn;
	env->prev_insn_idx = p.prev;
	vlog_state(env, p.insn, true);
	return 1;
}

/* Time bound and progress report, checked every 1024 instructions. */
static int check_time(struct venv *env, int idx)
{
	uint64_t now;

	if (env->insn_processed & 1023 || (!env->opts.time_limit_ns && !env->opts.progress))
		return 0;
	now = v_now_ns() - env->t_start;
	if (env->opts.time_limit_ns && now > env->opts.time_limit_ns) {
		env->insn_idx = idx;
		return verr(env, BK_E_V_TIMEOUT, "verification time limit exceeded at insn %d",
			    idx);
	}
	if (env->opts.progress && now >= 1000000000ULL && now >= env->progress_next_ns) {
		env->progress_next_ns = now + 1000000000ULL;
		env->opts.progress(env->opts.progress_ctx, env->insn_processed, now);
	}
	return 0;
}

static bool is_cond(const struct bk_dinsn *d)
{
	int f = bk_op_info(d->op)->fmt;

	return f == BK_FMT_JMP_K || f == BK_FMT_JMP_X;
}

static int do_check(struct venv *env, int sp)
{
	int idx = env->subprogs[sp].start, next, err = 0;
	bool end;
	struct vhist h;

	env->cur_subprog_root = (uint32_t)sp;
	env->cur = state_new(env);
	if (!env->cur)
		return -ENOMEM;
	env->cur->first_insn = idx;
	init_entry(env, env->cur, sp);
	env->states_live++;
	vlog_state(env, idx, false);
	for (;;) {
		if (++env->insn_processed > env->opts.max_insns) {
			env->insn_idx = idx;
			return verr(env, BK_E_V_COMPLEXITY,
				    "BPF program is too large. Processed %llu insn",
				    (unsigned long long)env->insn_processed);
		}
		if ((err = check_time(env, idx)))
			return err;
		env->insn_idx = idx;
		err = is_state_visited(env, idx);
		if (err < 0)
			return err;
		facts_visit(env, idx, err == 1);
		if (err == 1) {
			vlog(env, "%d: safe", idx);
			goto path_end;
		}
		env->aux[idx].flags |= AUX_SEEN;
		if (env->aux[idx].flags & AUX_JMP_PT)
			khist_note(env->cur, idx);
		bool cond = is_cond(&env->insns[idx]);

		if (cond)
			hist_snapshot(env, idx, &h);
		if ((err = do_insn(env, idx, &next, &end)))
			return err;
		vlog_insn(env, idx);
		if (!end && (cond || next != idx + env->insns[idx].slots)) {
			if (!cond)
				hist_snapshot(env, idx, &h);
			if (hist_push(env, &h, next))
				return -ENOMEM;
		}
		if (!end) {
			env->prev_insn_idx = idx;
			idx = next;
			continue;
		}
	path_end:
		if (!pop_state(env, &idx))
			return 0;
	}
}

static void env_free(struct venv *env)
{
	if (env->explored)
		for (size_t i = 0; i < env->cnt; i++) {
			struct vstate *s = env->explored[i];

			while (s) {
				struct vstate *n = s->next;

				state_free(s);
				s = n;
			}
		}
	for (struct vstate *s = env->evicted, *n; s; s = n) {
		n = s->next;
		state_free(s);
	}
	for (int i = 0; i < env->nstack; i++)
		state_free(env->stack[i].st);
	state_free(env->cur);
	free(env->stack);
	free(env->explored);
	free(env->stk_read);
	free(env->stk_kill);
	free(env->stk_live);
	free(env->origins);
	types_release(env);
	free(env->kfuncs);
	free(env->mapinfo);
	scc_free(env);
	precision_free(env);
	free(env->insns);
	free(env->aux);
	free(env->subprogs);
}

static int run(struct venv *env)
{
	int err;

	if ((err = verify_decode(env)) || (err = types_prepare(env)) ||
	    (err = check_structure(env)) || (err = lock_check_maps(env)))
		return err;
	compute_liveness(env);
	if ((err = compute_precision(env)) || (err = compute_scc(env)))
		return err;
	if ((err = do_check(env, 0)))
		return err;
	for (bool again = true; again;) {
		again = false;
		for (int s = 1; s < env->nsubprogs; s++) {
			struct vsubprog *sp = &env->subprogs[s];

			if (!sp->global || !sp->called || sp->nargs < 0)
				continue;
			sp->nargs = sp->nargs ? sp->nargs : 0;
			sp->called = false;
			sp->global = true;
			if ((err = do_check(env, s)))
				return err;
			sp->nargs = -1 - sp->nargs; /* verified */
			again = true;
		}
	}
	return check_max_stack_depth(env);
}

bool bk_verify_supports_type(enum bk_prog_type type)
{
	return ctx_supported(type);
}

int bk_verify(const struct bk_verify_input *in, const struct bk_verify_opts *opts,
	      struct bk_verify_stats *stats, struct bk_diag *diag)
{
	struct venv env = {0};
	int err;

	bk_diag__init(diag);
	if (!in || !in->insns)
		return -EINVAL;
	env.in = in;
	env.diag = diag;
	if (opts)
		memcpy(&env.opts, opts, opts->sz < sizeof(env.opts) ? opts->sz : sizeof(env.opts));
	env.opts.sz = sizeof(env.opts);
	if (!env.opts.max_insns)
		env.opts.max_insns = V_DEFAULT_MAX_INSNS;
	env.t_start = v_now_ns();
	if (in->cnt == 0 || in->cnt > V_DEFAULT_MAX_INSNS) {
		err = bk_diag__set(diag, BK_E_V_INSN_CNT, -1, "program has %zu instructions",
				   in->cnt);
		goto out_stats;
	}
	if (!ctx_supported(in->type)) {
		err = bk_diag__set(diag, BK_E_V_PROG_TYPE, -1, "program type %d is not supported",
				   (int)in->type);
		goto out_stats;
	}
	env.cnt = in->cnt;
	env.insns = calloc(in->cnt + 1, sizeof(*env.insns));
	env.aux = calloc(in->cnt + 1, sizeof(*env.aux));
	env.explored = calloc(in->cnt + 1, sizeof(*env.explored));
	env.stk_read = calloc(in->cnt + 1, sizeof(uint64_t));
	env.stk_kill = calloc(in->cnt + 1, sizeof(uint64_t));
	env.stk_live = calloc(in->cnt + 1, sizeof(uint64_t));
	if (!env.insns || !env.aux || !env.explored || !env.stk_read || !env.stk_kill ||
	    !env.stk_live) {
		env_free(&env);
		return -ENOMEM;
	}
	err = run(&env);
	facts_end(&env, err);
	if (err == -ENOMEM) {
		env_free(&env);
		return err;
	}
	if (err && !env.err)
		err = verr(&env, BK_E_VERIFY, "internal error %d", err);
	if (err)
		explain_rejection(&env);
	if (!err) {
		for (int s = 0; s < env.nsubprogs; s++)
			if (env.subprogs[s].stack_depth > (int)env.stats.stack_depth)
				env.stats.stack_depth = (uint32_t)env.subprogs[s].stack_depth;
	}
	env.stats.subprogs = (uint32_t)env.nsubprogs;
	env.stats.insns_processed = env.insn_processed;
	env_free(&env);
out_stats:
	env.stats.time_ns = v_now_ns() - env.t_start;
	if (stats)
		*stats = env.stats;
	return err;
}
