// SPDX-License-Identifier: MIT
/*
 * lock.c - the special fields of a map value and bpf_spin_lock.
 *
 * A map's value type in the program's BTF (a struct, or the DATASEC of a
 * global data section) may hold kernel-managed objects: struct
 * bpf_spin_lock, bpf_timer, bpf_wq, graph roots and nodes, ...  They are
 * found by the names of their structs, at the top level, in nested structs
 * and in the variables of a DATASEC, once per map (env->mapinfo).  Loads,
 * stores and helper accesses that overlap such a field are refused.
 *
 * bpf_spin_lock(&v->lock) takes the lock of a map value: the pointer must
 * be the map's value at the constant offset of its bpf_spin_lock field.
 * The held lock is part of the state (vstate.lock_*: the map and the id of
 * the value pointer, as the kernel keys it) and pruning compares it.  While
 * it is held the only call allowed is bpf_spin_unlock of the same lock
 * (static subprograms and the graph and number-iterator kfuncs excepted);
 * the main program may not exit with it held.  Programs of the tracing
 * types and socket filters may not use a map with a lock at all.
 *
 * Invariant: env->mapinfo[i].done once map i's fields were looked up.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "helpers_int.h"

static const struct {
	const char *name;
	uint8_t kind;
} field_names[] = {
	{"bpf_spin_lock", MF_SPIN_LOCK}, {"bpf_res_spin_lock", MF_RES_SPIN_LOCK},
	{"bpf_timer", MF_TIMER},	 {"bpf_wq", MF_WQ},
	{"bpf_list_head", MF_LIST_HEAD}, {"bpf_list_node", MF_LIST_NODE},
	{"bpf_rb_root", MF_RB_ROOT},	 {"bpf_rb_node", MF_RB_NODE},
	{"bpf_refcount", MF_REFCOUNT},	 {"bpf_task_work", MF_TASK_WORK},
};

const char *map_field_name(int kind)
{
	for (size_t i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++)
		if (field_names[i].kind == kind)
			return field_names[i].name;
	return "?";
}

static uint32_t strip(const struct btf *b, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(b, id);

	for (int n = 0; t && n < 32; n++) {
		if (!btf_is_mod(t) && !btf_is_typedef(t))
			break;
		id = t->type;
		t = btf__type_by_id(b, id);
	}
	return id;
}

static void add_field(struct vmapinfo *mi, uint32_t off, uint32_t size, uint8_t kind)
{
	if (mi->n >= V_MAX_MFIELDS) {
		mi->overflow = true;
		return;
	}
	mi->f[mi->n++] = (struct vmfield){off, size, kind};
	if (kind == MF_SPIN_LOCK)
		mi->nlocks++;
	if (kind == MF_TIMER)
		mi->ntimers++;
}

/* The fields of type id placed at byte off (structs nested to depth). */
static void scan_type(const struct btf *b, uint32_t id, uint32_t off, struct vmapinfo *mi,
		      int depth)
{
	const struct btf_type *t = btf__type_by_id(b, strip(b, id));
	const char *name;

	if (!t || depth > 8)
		return;
	if (!btf_is_struct(t))
		return;
	name = btf__str_by_offset(b, t->name_off);
	for (size_t i = 0; name && i < sizeof(field_names) / sizeof(field_names[0]); i++)
		if (!strcmp(name, field_names[i].name)) {
			add_field(mi, off, t->size, field_names[i].kind);
			return;
		}
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++)
		scan_type(b, m->type, off + btf_member_bit_offset(t, (uint32_t)i) / 8, mi,
			  depth + 1);
}

static void scan_map(struct venv *env, const struct bk_map_def *md, struct vmapinfo *mi)
{
	const struct btf *b = env->in->btf;
	const struct btf_type *t;

	mi->done = true;
	if (!b || !md->btf_value_type_id)
		return;
	t = btf__type_by_id(b, strip(b, md->btf_value_type_id));
	if (!t)
		return;
	mi->has_btf = true;
	if (btf_is_datasec(t)) {
		const struct btf_var_secinfo *v = btf_var_secinfos(t);

		for (int i = 0; i < btf_vlen(t); i++, v++) {
			const struct btf_type *var = btf__type_by_id(b, v->type);

			if (var && btf_is_var(var))
				scan_type(b, var->type, v->offset, mi, 0);
		}
		return;
	}
	scan_type(b, md->btf_value_type_id, 0, mi, 0);
}

const struct vmapinfo *map_info(struct venv *env, int map)
{
	static const struct vmapinfo none = {.done = true};

	if (map < 0 || (size_t)map >= env->in->nmaps)
		return &none;
	if (!env->mapinfo) {
		env->mapinfo = calloc(env->in->nmaps, sizeof(*env->mapinfo));
		if (!env->mapinfo)
			return &none;
	}
	if (!env->mapinfo[map].done)
		scan_map(env, &env->in->maps[map], &env->mapinfo[map]);
	return &env->mapinfo[map];
}

int map_field_off(struct venv *env, int map, int kind)
{
	const struct vmapinfo *mi = map_info(env, map);

	for (int i = 0; i < mi->n; i++)
		if (mi->f[i].kind == kind)
			return (int)mi->f[i].off;
	return -1;
}

bool map_has_lock(struct venv *env, int map)
{
	const struct vmapinfo *mi = map_info(env, map);

	return mi->nlocks || map_field_off(env, map, MF_RES_SPIN_LOCK) >= 0;
}

static const char *map_name(struct venv *env, int map)
{
	const char *n = map >= 0 && (size_t)map < env->in->nmaps ? env->in->maps[map].name : NULL;

	return n ? n : "?";
}

int map_fields_access(struct venv *env, int regno, int off, int size)
{
	const struct vreg *r = &cur_regs(env)[regno];
	const struct vmapinfo *mi = map_info(env, r->aux);

	for (int i = 0; i < mi->n; i++) {
		int64_t p = mi->f[i].off;

		if (r->smin + off < p + mi->f[i].size && p < (int64_t)r->umax + off + size)
			return verr(env,
				    mi->f[i].kind == MF_SPIN_LOCK ? BK_E_V_LOCK
								  : BK_E_V_INVALID_MEM,
				    "%s cannot be accessed directly by load/store",
				    map_field_name(mi->f[i].kind));
	}
	return 0;
}

/* The register is a map value pointing at the map's field of kind; 0 or a
 * rejection worded as the kernel's. */
int check_map_field_arg(struct venv *env, int regno, int kind, int code)
{
	struct vreg *r = &cur_regs(env)[regno];
	const char *what = map_field_name(kind);
	const struct vmapinfo *mi;
	int off;
	char tb[48];

	if (r->type != VT_MAP_VALUE || r->flags)
		return verr(env, code, "R%d type=%s expected=map_value", regno,
			    vtype_str(r, tb, sizeof(tb)));
	if (!tnum_is_const(r->var_off))
		return verr(env, code,
			    "R%d doesn't have constant offset. %s has to be at the constant offset",
			    regno, what);
	mi = map_info(env, r->aux);
	if (!mi->has_btf)
		return verr(env, code, "map '%s' has to have BTF in order to use %s",
			    map_name(env, r->aux), what);
	off = map_field_off(env, r->aux, kind);
	if (off < 0)
		return verr(env, code, "map '%s' has no valid %s", map_name(env, r->aux), what);
	if ((int64_t)r->off + (int64_t)r->var_off.value != off)
		return verr(env, code, "off %lld doesn't point to 'struct %s' that is at %d",
			    (long long)r->off + (long long)r->var_off.value, what, off);
	return 0;
}

int check_spin_lock(struct venv *env, bool lock)
{
	struct vstate *st = env->cur;
	const struct vreg *r = &cur_regs(env)[1];
	int err;

	if (r->type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R1 !read_ok");
	if ((err = check_map_field_arg(env, 1, MF_SPIN_LOCK, BK_E_V_LOCK)))
		return err;
	if (lock) {
		if (st->lock_held)
			return verr(env, BK_E_V_LOCK, "Locking two bpf_spin_locks are not allowed");
		st->lock_held = true;
		st->lock_map = r->aux;
		st->lock_id = r->id;
		return 0;
	}
	if (!st->lock_held)
		return verr(env, BK_E_V_LOCK, "bpf_spin_unlock without taking a lock");
	if (st->lock_map != r->aux || st->lock_id != r->id)
		return verr(env, BK_E_V_LOCK, "bpf_spin_unlock of different lock");
	st->lock_held = false;
	st->lock_map = 0;
	st->lock_id = 0;
	return 0;
}

/* The kfuncs the kernel lets a program call while it holds a lock. */
static bool kfunc_lock_ok(const char *name)
{
	static const char *const ok[] = {
		"bpf_list_push_front_impl",
		"bpf_list_push_back_impl",
		"bpf_list_pop_front",
		"bpf_list_pop_back",
		"bpf_list_front",
		"bpf_list_back",
		"bpf_rbtree_add_impl",
		"bpf_rbtree_remove",
		"bpf_rbtree_first",
		"bpf_rbtree_root",
		"bpf_rbtree_left",
		"bpf_rbtree_right",
		"bpf_refcount_acquire_impl",
		"bpf_iter_num_new",
		"bpf_iter_num_next",
		"bpf_iter_num_destroy",
		"bpf_res_spin_lock",
		"bpf_res_spin_unlock",
		"bpf_res_spin_lock_irqsave",
		"bpf_res_spin_unlock_irqrestore",
	};

	for (size_t i = 0; name && i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(ok[i], name))
			return true;
	return false;
}

int lock_check_call(struct venv *env, const struct bk_dinsn *d)
{
	const char *kname = NULL;

	if (!env->cur->lock_held)
		return 0;
	if (d->op == BK_OP_CALL_KFUNC) {
		int k = env->aux[env->insn_idx].kfunc;

		kname = k >= 0 && k < env->nkfuncs ? env->kfuncs[k].name : NULL;
		if (!d->off && kfunc_lock_ok(kname))
			return 0;
	} else if (d->op == BK_OP_CALL && d->imm == 94) {
		return 0;
	} else if (d->op != BK_OP_CALL) {
		return 0;
	}
	return verr(env, BK_E_V_LOCK, "function calls are not allowed while holding a lock");
}

int lock_check_maps(struct venv *env)
{
	enum bk_prog_type t = env->in->type;
	bool tracing = t == BK_PROG_KPROBE || t == BK_PROG_TRACEPOINT || t == BK_PROG_PERF_EVENT ||
		       t == BK_PROG_RAW_TRACEPOINT || t == BK_PROG_RAW_TRACEPOINT_WRITABLE;

	if (!tracing && t != BK_PROG_SOCKET_FILTER)
		return 0;
	for (size_t i = 0; i < env->cnt; i++) {
		const struct vaux *a = &env->aux[i];

		if ((a->ld_kind != 1 && a->ld_kind != 2) || a->map < 0)
			continue;
		env->insn_idx = (int)i;
		if (map_has_lock(env, a->map))
			return verr(env, BK_E_V_LOCK, "%s progs cannot use bpf_spin_lock yet",
				    tracing ? "tracing" : "socket filter");
		if (tracing && map_info(env, a->map)->ntimers)
			return verr(env, BK_E_V_HELPER_TYPE,
				    "tracing progs cannot use bpf_timer yet");
	}
	return 0;
}

int lock_region_check(struct venv *env, const char *what)
{
	const struct vstate *st = env->cur;
	const char *r = st->lock_held	  ? "bpf_spin_lock"
			: st->rcu_lock	  ? "bpf_rcu_read_lock"
			: st->preempt_off ? "bpf_preempt_disable"
					  : NULL;

	return r ? verr(env, BK_E_V_LOCK, "%s cannot be used inside %s-ed region", what, r) : 0;
}

enum kf_lock_op lock_kfunc_op(const char *name)
{
	static const struct {
		const char *name;
		enum kf_lock_op op;
	} ops[] = {
		{"bpf_rcu_read_lock", KF_RCU_LOCK},
		{"bpf_rcu_read_unlock", KF_RCU_UNLOCK},
		{"bpf_preempt_disable", KF_PREEMPT_OFF},
		{"bpf_preempt_enable", KF_PREEMPT_ON},
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].name, name))
			return ops[i].op;
	return KF_LOCK_NONE;
}

/* bpf_rcu_read_lock/unlock: one level, no nesting (Linux 6.2, as 6.18
 * has it); bpf_preempt_disable/enable (Linux 6.10): they nest.  Both must
 * be closed before the program exits (lock_region_check). */
int lock_kfunc(struct venv *env, enum kf_lock_op op)
{
	struct vstate *st = env->cur;

	switch (op) {
	case KF_RCU_LOCK:
		if (st->rcu_lock)
			return verr(env, BK_E_V_LOCK,
				    "nested rcu read lock (kernel function bpf_rcu_read_lock)");
		st->rcu_lock = true;
		break;
	case KF_RCU_UNLOCK:
		if (!st->rcu_lock)
			return verr(env, BK_E_V_LOCK,
				    "unmatched rcu read unlock (kernel function "
				    "bpf_rcu_read_unlock)");
		st->rcu_lock = false;
		break;
	case KF_PREEMPT_OFF:
		if (st->preempt_off == UINT8_MAX)
			return verr(env, BK_E_V_COMPLEXITY,
				    "too many nested bpf_preempt_disable calls");
		st->preempt_off++;
		break;
	case KF_PREEMPT_ON:
		if (!st->preempt_off)
			return verr(env, BK_E_V_LOCK,
				    "unmatched attempt to enable preemption (kernel function "
				    "bpf_preempt_enable)");
		st->preempt_off--;
		break;
	default:
		return verr(env, BK_E_V_KFUNC, "not a locking kfunc");
	}
	for (int i = 0; i <= 5; i++)
		reg_mark_not_init(&cur_regs(env)[i]);
	return 0;
}

int push_async_callback(struct venv *env, int regno, int timer_map)
{
	const struct vreg *r = &cur_regs(env)[regno];
	struct vstate *cb;
	struct vframe *f;
	char tb[48];
	int sp, err;

	if (r->type != VT_FUNC || r->aux < 0 || r->aux >= env->nsubprogs)
		return verr(env, BK_E_V_HELPER_ARG, "R%d type=%s expected=func", regno,
			    vtype_str(r, tb, sizeof(tb)));
	sp = r->aux;
	if (env->subprogs[sp].global)
		return verr(env, BK_E_V_CALLBACK, "callback function not static");
	if ((err = push_branch(env, env->subprogs[sp].start, env->insn_idx, &cb)))
		return err;
	/* a state of its own: one frame, no references, no lock */
	for (int i = 0; i <= cb->curframe; i++) {
		free(cb->frames[i]->stack);
		free(cb->frames[i]);
		cb->frames[i] = NULL;
	}
	cb->curframe = 0;
	free(cb->refs);
	cb->refs = NULL;
	cb->nrefs = 0;
	cb->lock_held = false;
	cb->rcu_lock = false;
	cb->preempt_off = 0;
	cb->lock_map = 0;
	cb->lock_id = 0;
	cb->may_goto_depth = cb->callback_unroll_depth = 0;
	f = cb->frames[0] = frame_new(-1, sp, 0);
	if (!f)
		return -ENOMEM;
	f->in_callback = CB_ASYNC;
	for (int i = 1; i <= 3; i++) {
		struct vreg *a = &f->regs[i];

		reg_mark_unknown(a);
		reg_mark_known(a, 0);
		a->type = i == 1 ? VT_MAP_PTR : i == 2 ? VT_MAP_KEY : VT_MAP_VALUE;
		a->aux = timer_map;
	}
	env->subprogs[sp].called = true;
	return 0;
}

int async_callback_return(struct venv *env)
{
	const struct vreg *r0 = &cur_regs(env)[0];
	char tb[48];

	if (r0->type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R0 !read_ok");
	if (r0->type != VT_SCALAR)
		return verr(env, BK_E_V_RET_VALUE,
			    "At async callback return the register R0 is not a known value (%s)",
			    vtype_str(r0, tb, sizeof(tb)));
	if (r0->smin != 0 || r0->smax != 0)
		return verr(
			env, BK_E_V_RET_VALUE,
			"At async callback return the register R0 has smin=%lld smax=%lld should "
			"have been in [0, 0]",
			(long long)r0->smin, (long long)r0->smax);
	return 0;
}
