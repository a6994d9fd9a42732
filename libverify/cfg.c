// SPDX-License-Identifier: MIT
/*
 * cfg.c - structural passes before abstract interpretation: opcode
 * validity, ld_imm64 pairs and map references, subprogram discovery,
 * jump ranges per subprogram, the depth-first walk that finds
 * unreachable instructions and jumps into ld_imm64, static register
 * liveness (used by pruning), and the combined stack depth of call chains.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdlib.h>

#include "verify_int.h"

static bool is_jmp_class(const struct bk_op_info *oi)
{
	unsigned c = bk_opc_class(oi->opcode);

	return c == BK_CLASS_JMP || c == BK_CLASS_JMP32;
}

#define NO_JMP LONG_MIN

/* Jump target of a jump instruction (not calls/exit), or NO_JMP. */
static long jmp_target(const struct bk_dinsn *d, long i)
{
	const struct bk_op_info *oi = bk_op_info(d->op);

	if (!is_jmp_class(oi) || oi->fmt == BK_FMT_CALL || oi->fmt == BK_FMT_CALL_LOCAL ||
	    oi->fmt == BK_FMT_CALL_KFUNC || oi->fmt == BK_FMT_CALLX || oi->fmt == BK_FMT_EXIT)
		return NO_JMP;
	if (oi->fmt == BK_FMT_JA32)
		return i + d->imm + 1;
	return i + d->off + 1;
}

static int add_subprog(struct venv *env, int start)
{
	for (int i = 0; i < env->nsubprogs; i++)
		if (env->subprogs[i].start == start)
			return 0;
	struct vsubprog *n = realloc(env->subprogs, sizeof(*n) * (size_t)(env->nsubprogs + 2));

	if (!n)
		return -ENOMEM;
	env->subprogs = n;
	memset(&n[env->nsubprogs], 0, sizeof(*n));
	n[env->nsubprogs++].start = start;
	return 0;
}

static int cmp_sub(const void *a, const void *b)
{
	return ((const struct vsubprog *)a)->start - ((const struct vsubprog *)b)->start;
}

/* The struct a program type's context is, as global functions name it in
 * their prototypes (the kernel's ctx types); NULL: none by name. */
static const char *ctx_struct(enum bk_prog_type t)
{
	switch (t) {
	case BK_PROG_SOCKET_FILTER:
	case BK_PROG_SCHED_CLS:
	case BK_PROG_SCHED_ACT:
	case BK_PROG_CGROUP_SKB:
	case BK_PROG_LWT_IN:
	case BK_PROG_LWT_OUT:
	case BK_PROG_LWT_XMIT:
	case BK_PROG_LWT_SEG6LOCAL:
	case BK_PROG_SK_SKB:
	case BK_PROG_FLOW_DISSECTOR:
		return "__sk_buff";
	case BK_PROG_KPROBE:
		return "pt_regs"; /* bpf_user_pt_regs_t on x86-64 */
	case BK_PROG_XDP:
		return "xdp_md";
	case BK_PROG_PERF_EVENT:
		return "bpf_perf_event_data";
	case BK_PROG_CGROUP_SOCK:
		return "bpf_sock";
	case BK_PROG_SOCK_OPS:
		return "bpf_sock_ops";
	case BK_PROG_CGROUP_DEVICE:
		return "bpf_cgroup_dev_ctx";
	case BK_PROG_SK_MSG:
		return "sk_msg_md";
	case BK_PROG_RAW_TRACEPOINT:
	case BK_PROG_RAW_TRACEPOINT_WRITABLE:
		return "bpf_raw_tracepoint_args";
	case BK_PROG_CGROUP_SOCK_ADDR:
		return "bpf_sock_addr";
	case BK_PROG_SK_REUSEPORT:
		return "sk_reuseport_md";
	case BK_PROG_CGROUP_SYSCTL:
		return "bpf_sysctl";
	case BK_PROG_CGROUP_SOCKOPT:
		return "bpf_sockopt";
	case BK_PROG_SK_LOOKUP:
		return "bpf_sk_lookup";
	case BK_PROG_NETFILTER:
		return "bpf_nf_ctx";
	case BK_PROG_IOURING:
		return "io_uring_bpf_ctx";
	default:
		return NULL;
	}
}

/* Whether a global function's parameter typed pointer-to-pt (pt with
 * modifiers and typedefs skipped; name n, first typedef met td) is the
 * program's context, by the kernel's rules: the type's ctx struct, pt_regs
 * for perf_event too, a u64 (or the raw_tp args struct's u64 array) for
 * tracepoints, raw and BTF tracepoints, fentry/fexit/fmod_ret, LSM and
 * struct_ops; bpf_iter__* for iterators. */
static bool ctx_param(const struct venv *env, const struct btf_type *pt, const char *n,
		      const char *td)
{
	enum bk_prog_type t = env->in->type;
	const char *want = ctx_struct(t);
	bool u64 = pt && btf_is_int(pt) && pt->size == 8;

	if (t == BK_PROG_KPROBE && td && !strcmp(td, "bpf_user_pt_regs_t"))
		return true;
	if (!pt)
		return false;
	if (want && btf_is_struct(pt) && n && !strcmp(n, want))
		return true;
	switch (t) {
	case BK_PROG_PERF_EVENT:
		return btf_is_struct(pt) && n && !strcmp(n, "pt_regs");
	case BK_PROG_TRACEPOINT:
	case BK_PROG_RAW_TRACEPOINT:
	case BK_PROG_RAW_TRACEPOINT_WRITABLE:
	case BK_PROG_LSM:
	case BK_PROG_STRUCT_OPS:
		return u64;
	case BK_PROG_TRACING:
		if (env->in->attach_type == BPF_TRACE_ITER)
			return btf_is_struct(pt) && n && !strncmp(n, "bpf_iter__", 10);
		return u64;
	default:
		return false;
	}
}

/* Whether parameter i of function func_id carries the decl tag "arg:ctx"
 * (__arg_ctx), which makes any pointer parameter the context. */
static bool tagged_ctx(const struct btf *btf, uint32_t func_id, int i)
{
	uint32_t n = btf__type_cnt(btf);

	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_is_decl_tag(t) && t->type == func_id &&
		    btf_decl_tag(t)->component_idx == i &&
		    !strcmp(btf__name_by_offset(btf, t->name_off), "arg:ctx"))
			return true;
	}
	return false;
}

/* Global functions (BTF linkage) are verified on their own, with arguments
 * typed from their prototypes: scalars, the context, or memory of the
 * pointee's size (possibly NULL). */
static void btf_func_info(struct venv *env, struct vsubprog *sp, uint32_t btf_id)
{
	const struct btf *btf = env->in->btf;
	const struct btf_type *t = btf ? btf__type_by_id(btf, btf_id) : NULL;

	if (!t || !btf_is_func(t))
		return;
	sp->name = btf__name_by_offset(btf, t->name_off);
	if (btf_vlen(t) != BTF_FUNC_GLOBAL) /* linkage lives in vlen */
		return;
	const struct btf_type *p = btf__type_by_id(btf, t->type);

	if (!p || !btf_is_func_proto(p))
		return;
	sp->global = true;
	sp->nargs = btf_vlen(p) > 5 ? 5 : btf_vlen(p);
	const struct btf_param *pa = btf_params(p);

	for (int i = 0; i < sp->nargs; i++) {
		uint32_t id = pa[i].type;
		const struct btf_type *a = btf__type_by_id(btf, id);
		const char *td = NULL;

		while (a && (btf_is_mod(a) || btf_is_typedef(a)))
			a = btf__type_by_id(btf, a->type);
		if (!a || !btf_is_ptr(a)) {
			sp->arg_kind[i] = 0;
			continue;
		}
		const struct btf_type *pt = btf__type_by_id(btf, a->type);

		while (pt && (btf_is_mod(pt) || btf_is_typedef(pt))) {
			if (btf_is_typedef(pt) && !td)
				td = btf__name_by_offset(btf, pt->name_off);
			pt = btf__type_by_id(btf, pt->type);
		}
		const char *n = pt ? btf__name_by_offset(btf, pt->name_off) : NULL;

		if (ctx_param(env, pt, n, td) || tagged_ctx(btf, btf_id, i)) {
			sp->arg_kind[i] = 1;
			continue;
		}
		sp->arg_kind[i] = 2;
		long sz = pt ? btf__resolve_size(btf, a->type) : -1;

		sp->arg_size[i] = sz > 0 ? (uint32_t)sz : 0;
	}
}

static int find_subprogs(struct venv *env)
{
	int err;

	if ((err = add_subprog(env, 0)))
		return err;
	for (size_t i = 0; i < env->cnt; i++) {
		const struct bk_dinsn *d = &env->insns[i];

		if (!d->slots)
			continue;
		if (d->op == BK_OP_CALL_LOCAL || d->op == BK_OP_LDDW_FUNC) {
			long t = (long)i + d->imm + 1;

			if (t < 0 || t >= (long)env->cnt) {
				env->insn_idx = (int)i;
				return verr(env, BK_E_V_JMP_RANGE, "call to invalid destination");
			}
			if ((err = add_subprog(env, (int)t)))
				return err;
		}
	}
	qsort(env->subprogs, (size_t)env->nsubprogs, sizeof(*env->subprogs), cmp_sub);
	for (int s = 0; s < env->nsubprogs; s++) {
		struct vsubprog *sp = &env->subprogs[s];

		sp->end = s + 1 < env->nsubprogs ? env->subprogs[s + 1].start : (int)env->cnt;
		for (int i = sp->start; i < sp->end; i++)
			env->aux[i].subprog = s;
		for (size_t f = 0; f < env->in->nfuncs; f++)
			if ((int)env->in->funcs[f].insn == sp->start) {
				sp->name = env->in->funcs[f].name;
				if (s > 0 && env->in->funcs[f].btf_id)
					btf_func_info(env, sp, env->in->funcs[f].btf_id);
			}
	}
	return 0;
}

static int check_jumps(struct venv *env)
{
	for (int s = 0; s < env->nsubprogs; s++) {
		const struct vsubprog *sp = &env->subprogs[s];
		int last = sp->end - 1;

		for (int i = sp->start; i < sp->end; i++) {
			long t = jmp_target(&env->insns[i], i);

			if (!env->insns[i].slots || t == NO_JMP)
				continue;
			if (t < sp->start || t >= sp->end) {
				env->insn_idx = i;
				return verr(env, BK_E_V_JMP_RANGE,
					    "jump out of range from insn %d to %ld", i, t);
			}
		}
		if (last > 0 && !env->insns[last].slots)
			last--;
		const struct bk_op_info *oi = bk_op_info(env->insns[last].op);

		if (oi->fmt != BK_FMT_EXIT && oi->fmt != BK_FMT_JA && oi->fmt != BK_FMT_JA32) {
			env->insn_idx = last;
			return verr(env, BK_E_V_FALLTHROUGH, "last insn is not an exit or jmp");
		}
	}
	return 0;
}

/* Resolves ld_imm64 map references (relocations first, else imm is the
 * map index) and records them in aux. */
static int resolve_ldimm64(struct venv *env)
{
	for (size_t i = 0; i < env->cnt; i++) {
		const struct bk_dinsn *d = &env->insns[i];
		struct vaux *a = &env->aux[i];

		a->map = -1;
		if (d->slots != 2 || d->op == BK_OP_LDDW)
			continue;
		env->insn_idx = (int)i;
		a->ld_kind = 1;
		if (d->op == BK_OP_LDDW_FUNC) {
			a->ld_kind = 3;
			continue;
		}
		if (d->op == BK_OP_LDDW_BTF_ID)
			return verr(env, BK_E_V_UNSUPPORTED,
				    "ld_imm64 of a kernel symbol (btf_id)");
		bool value = d->op == BK_OP_LDDW_MAP_VALUE || d->op == BK_OP_LDDW_MAP_IDX_VALUE;

		if (!value && d->imm2)
			return verr(env, BK_E_V_LDIMM64, "unrecognized bpf_ld_imm64 insn");
		int map = d->imm;
		uint32_t off = value ? (uint32_t)d->imm2 : 0;

		for (size_t r = 0; r < env->in->nrelocs; r++) {
			const struct bk_reloc *rl = &env->in->relocs[r];

			if (rl->insn == i &&
			    (rl->kind == BK_RELO_MAP || rl->kind == BK_RELO_MAP_VALUE)) {
				map = rl->map;
				if (rl->kind == BK_RELO_MAP_VALUE)
					off = rl->off;
			}
		}
		if (map < 0 || (size_t)map >= env->in->nmaps)
			return verr(env, BK_E_V_LDIMM64, "fd %d is not pointing to valid bpf_map",
				    map);
		a->map = map;
		a->map_off = off;
		if (value) {
			const struct bk_map_def *m = &env->in->maps[map];

			a->ld_kind = 2;
			if (m->type != 2)
				return verr(env, BK_E_V_LDIMM64,
					    "map type %u does not support direct value access",
					    m->type);
			if (off >= m->value_size || m->max_entries != 1)
				return verr(
					env, BK_E_V_LDIMM64,
					"invalid access to map value pointer, value_size=%u off=%u",
					m->value_size, off);
		}
	}
	return 0;
}

/* Depth-first walk from insn 0 through jumps and BPF-to-BPF calls. */
static int walk_cfg(struct venv *env)
{
	int n = (int)env->cnt, sp = 0, err = 0;
	int *stack = malloc(sizeof(int) * (size_t)(n + 1));

	if (!stack)
		return -ENOMEM;
	uint8_t *seen = env->aux ? NULL : NULL;

	(void)seen;
#define VISIT(w)                                                                                   \
	do {                                                                                       \
		long w_ = (w);                                                                     \
		if (w_ < 0 || w_ >= n) {                                                           \
			env->insn_idx = t;                                                         \
			err = verr(env, BK_E_V_JMP_RANGE, "jump out of range from insn %d to %ld", \
				   t, w_);                                                         \
			goto out;                                                                  \
		}                                                                                  \
		if (!env->insns[w_].slots) {                                                       \
			env->insn_idx = t;                                                         \
			err = verr(env, BK_E_V_JMP_LDDW,                                           \
				   "jump into the middle of ldimm64 insn %ld", w_);                \
			goto out;                                                                  \
		}                                                                                  \
		if (!(env->aux[w_].flags & AUX_SEEN)) {                                            \
			env->aux[w_].flags |= AUX_SEEN;                                            \
			stack[sp++] = (int)w_;                                                     \
		}                                                                                  \
	} while (0)
	int t = 0;

	env->aux[0].flags |= AUX_SEEN;
	stack[sp++] = 0;
	while (sp) {
		t = stack[--sp];
		const struct bk_dinsn *d = &env->insns[t];
		const struct bk_op_info *oi = bk_op_info(d->op);
		long tg = jmp_target(d, t);

		if (oi->fmt == BK_FMT_EXIT)
			continue;
		/* prune points where the kernel puts them: conditional jumps,
		 * jump targets, after calls, BPF-to-BPF calls */
		if (tg != NO_JMP) {
			VISIT(tg);
			env->aux[tg].flags |= AUX_JMP_DST | AUX_JMP_PT;
			if (oi->fmt == BK_FMT_JA || oi->fmt == BK_FMT_JA32) {
				env->aux[tg].flags |= AUX_PRUNE;
				continue;
			}
			env->aux[t].flags |= AUX_PRUNE;
			env->aux[tg].flags |= AUX_PRUNE;
			if (d->op == BK_OP_MAY_GOTO)
				env->aux[t].flags |= AUX_FORCE_CKPT;
			VISIT(t + 1);
			continue;
		}
		if (oi->fmt == BK_FMT_CALL || oi->fmt == BK_FMT_CALL_LOCAL ||
		    oi->fmt == BK_FMT_CALL_KFUNC) {
			if (t + 1 < n)
				env->aux[t + 1].flags |= AUX_PRUNE | AUX_JMP_PT;
			/* calls of callbacks and iterators' next: checkpoints
			 * there let their loops converge */
			if (d->op == BK_OP_CALL && (d->imm == 181 || d->imm == 164))
				env->aux[t].flags |=
					AUX_CALLS_CB | AUX_FORCE_CKPT | AUX_PRUNE | AUX_JMP_PT;
			if (env->aux[t].flags & AUX_ITER_NEXT)
				env->aux[t].flags |= AUX_FORCE_CKPT | AUX_PRUNE;
			if (d->op == BK_OP_CALL_LOCAL) {
				env->aux[t].flags |= AUX_PRUNE;
				VISIT(t + d->imm + 1);
				env->aux[t + d->imm + 1].flags |= AUX_PRUNE | AUX_JMP_PT;
			}
		}
		/* a callback's address is a call edge for the kernel's walk */
		if (d->op == BK_OP_LDDW_FUNC) {
			env->aux[t].flags |= AUX_PRUNE;
			if (t + 2 < n)
				env->aux[t + 2].flags |= AUX_PRUNE | AUX_JMP_PT;
			VISIT(t + d->imm + 1);
			env->aux[t + d->imm + 1].flags |= AUX_PRUNE | AUX_JMP_PT;
		}
		VISIT(t + d->slots);
	}
	for (int i = 0; i < n; i++) {
		if (!env->insns[i].slots) {
			env->aux[i].flags |= env->aux[i - 1].flags & AUX_SEEN;
			continue;
		}
		if (!(env->aux[i].flags & AUX_SEEN)) {
			env->insn_idx = i;
			err = verr(env, BK_E_V_UNREACHABLE, "unreachable insn %d", i);
			goto out;
		}
	}
	for (int i = 0; i < n; i++)
		env->aux[i].flags &= (uint16_t)~AUX_SEEN;
out:
	free(stack);
	return err;
#undef VISIT
}

int check_structure(struct venv *env)
{
	int err;

	if ((err = find_subprogs(env)) || (err = check_jumps(env)) ||
	    (err = resolve_ldimm64(env)) || (err = resolve_kfuncs(env)) || (err = walk_cfg(env)))
		return err;
	return 0;
}

/* uses/defs of registers for liveness */
static void use_def(struct venv *env, int i, uint16_t *use, uint16_t *def)
{
	const struct bk_dinsn *d = &env->insns[i];
	const struct bk_op_info *oi = bk_op_info(d->op);
	unsigned cls = bk_opc_class(oi->opcode);

	*use = *def = 0;
	switch (oi->fmt) {
	case BK_FMT_ALU_K:
		*use = (uint16_t)(1u << d->dst);
		*def = (uint16_t)(1u << d->dst);
		if (d->op == BK_OP_MOV64_K || d->op == BK_OP_MOV32_K)
			*use = 0;
		break;
	case BK_FMT_ALU_X:
	case BK_FMT_MOVSX:
		*use = (uint16_t)((1u << d->src) | (1u << d->dst));
		*def = (uint16_t)(1u << d->dst);
		if (oi->fmt == BK_FMT_MOVSX || d->op == BK_OP_MOV64_X || d->op == BK_OP_MOV32_X)
			*use = (uint16_t)(1u << d->src);
		break;
	case BK_FMT_NEG:
	case BK_FMT_END:
		*use = *def = (uint16_t)(1u << d->dst);
		break;
	case BK_FMT_JMP_K:
		*use = (uint16_t)(1u << d->dst);
		break;
	case BK_FMT_JMP_X:
		*use = (uint16_t)((1u << d->dst) | (1u << d->src));
		break;
	case BK_FMT_CALL:
	case BK_FMT_CALL_LOCAL:
		*use = 0x3e;
		*def = 0x3f;
		break;
	case BK_FMT_CALL_KFUNC:
		/* a kfunc reads the arguments its prototype has */
		*use = env->aux[i].kfunc >= 0
			       ? (uint16_t)(((1u << env->kfuncs[env->aux[i].kfunc].nargs) - 1) << 1)
			       : 0x3e;
		*def = 0x3f;
		break;
	case BK_FMT_EXIT:
		*use = 1;
		break;
	case BK_FMT_LDX:
		*use = (uint16_t)(1u << d->src);
		*def = (uint16_t)(1u << d->dst);
		break;
	case BK_FMT_ST:
		*use = (uint16_t)(1u << d->dst);
		break;
	case BK_FMT_STX:
	case BK_FMT_ATOMIC:
		*use = (uint16_t)((1u << d->dst) | (1u << d->src));
		break;
	case BK_FMT_ATOMIC_FETCH:
	case BK_FMT_XCHG:
		*use = (uint16_t)((1u << d->dst) | (1u << d->src));
		*def = (uint16_t)(1u << d->src);
		break;
	case BK_FMT_CMPXCHG:
		*use = (uint16_t)((1u << d->dst) | (1u << d->src) | 1u);
		*def = 1;
		break;
	case BK_FMT_LDDW:
		*def = (uint16_t)(1u << d->dst);
		break;
	case BK_FMT_LD_ABS:
	case BK_FMT_LD_IND:
		*use = (uint16_t)((1u << 6) | (oi->fmt == BK_FMT_LD_IND ? 1u << d->src : 0));
		*def = 0x3f;
		break;
	default:
		break;
	}
	(void)cls;
	*use &= 0x3ff; /* r10 is always live and never compared */
}

void compute_liveness(struct venv *env)
{
	int n = (int)env->cnt;
	bool changed = true;

	for (int i = 0; i < n; i++)
		env->aux[i].live = 0;
	while (changed) {
		changed = false;
		for (int i = n - 1; i >= 0; i--) {
			const struct bk_dinsn *d = &env->insns[i];

			if (!d->slots)
				continue;
			const struct bk_op_info *oi = bk_op_info(d->op);
			uint16_t use, def, out = 0;
			long tg = jmp_target(d, i);

			if (oi->fmt != BK_FMT_EXIT && oi->fmt != BK_FMT_JA &&
			    oi->fmt != BK_FMT_JA32 && i + d->slots < n)
				out |= env->aux[i + d->slots].live;
			if (tg != NO_JMP && tg >= 0 && tg < n)
				out |= env->aux[tg].live;
			use_def(env, i, &use, &def);
			uint16_t in = (uint16_t)(use | (out & ~def));

			if (in != env->aux[i].live) {
				env->aux[i].live = in;
				changed = true;
			}
		}
	}
}

/* Stack slots live before each instruction, from the accesses observed so
 * far (reads, and whole-slot writes seen on every visit). */
void compute_stack_liveness(struct venv *env)
{
	int n = (int)env->cnt;
	bool changed = true;

	memset(env->stk_live, 0, sizeof(*env->stk_live) * (size_t)n);
	while (changed) {
		changed = false;
		for (int i = n - 1; i >= 0; i--) {
			const struct bk_dinsn *d = &env->insns[i];

			if (!d->slots)
				continue;
			const struct bk_op_info *oi = bk_op_info(d->op);
			uint64_t out = 0, in;
			long tg = jmp_target(d, i);

			if (oi->fmt != BK_FMT_EXIT && oi->fmt != BK_FMT_JA &&
			    oi->fmt != BK_FMT_JA32 && i + d->slots < n)
				out |= env->stk_live[i + d->slots];
			if (tg != NO_JMP && tg >= 0 && tg < n)
				out |= env->stk_live[tg];
			in = env->stk_read[i] | (out & ~env->stk_kill[i]);
			if (in != env->stk_live[i]) {
				env->stk_live[i] = in;
				changed = true;
			}
		}
	}
	env->stk_dirty = false;
}

/* The combined stack of every call chain (32-byte granules per frame, or 16
 * with the JIT) must fit in 512 bytes. */
static int depth_from(struct venv *env, int s, int depth, int frames)
{
	const struct vsubprog *sp = &env->subprogs[s];
	int d = depth + ((sp->stack_depth + 15) & ~15);

	if (frames > V_MAX_FRAMES)
		return verr(env, BK_E_V_CALL_DEPTH, "the call stack of %d frames is too deep !",
			    frames);
	if (d > V_MAX_STACK)
		return verr(env, BK_E_V_STACK_LIMIT,
			    "combined stack size of %d calls is %d. Too large", frames, d);
	for (int i = sp->start; i < sp->end; i++) {
		const struct bk_dinsn *in = &env->insns[i];

		/* a callback's address counts as a call from here */
		if (in->slots && (in->op == BK_OP_CALL_LOCAL || in->op == BK_OP_LDDW_FUNC)) {
			int t = i + in->imm + 1;

			for (int c = 0; c < env->nsubprogs; c++)
				if (env->subprogs[c].start == t && !env->subprogs[c].global) {
					int err = depth_from(env, c, d, frames + 1);

					if (err)
						return err;
				}
		}
	}
	return 0;
}

int check_max_stack_depth(struct venv *env)
{
	int err = depth_from(env, 0, 0, 1);

	for (int s = 1; !err && s < env->nsubprogs; s++)
		if (env->subprogs[s].global)
			err = depth_from(env, s, 0, 1);
	return err;
}
