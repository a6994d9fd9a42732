// SPDX-License-Identifier: MIT
/*
 * call.c - calls: helper calls (argument types, memory the helper reads
 * or writes, map and helper compatibility, return types, references from
 * ring buffer reservations), BPF-to-BPF calls and returns (frames), and
 * the legacy packet loads that behave like calls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "helpers_int.h"

/* Map types (the kernel's enum bpf_map_type). */
enum {
	MT_HASH = 1,
	MT_ARRAY = 2,
	MT_PROG_ARRAY = 3,
	MT_PERF_EVENT_ARRAY = 4,
	MT_PERCPU_HASH = 5,
	MT_PERCPU_ARRAY = 6,
	MT_STACK_TRACE = 7,
	MT_CGROUP_ARRAY = 8,
	MT_LRU_PERCPU_HASH = 10,
	MT_ARRAY_OF_MAPS = 12,
	MT_HASH_OF_MAPS = 13,
	MT_DEVMAP = 14,
	MT_SOCKMAP = 15,
	MT_CPUMAP = 16,
	MT_XSKMAP = 17,
	MT_SOCKHASH = 18,
	MT_QUEUE = 22,
	MT_STACK = 23,
	MT_DEVMAP_HASH = 25,
	MT_RINGBUF = 27,
	MT_BLOOM = 30,
	MT_USER_RINGBUF = 31,
};

#define F(name) ((name) == id)

/* The kernel's check_map_func_compatibility(), for the helpers modelled. */
static bool map_func_ok(uint32_t mt, uint32_t id)
{
	switch (mt) {
	case MT_PROG_ARRAY:
		return id == 12;
	case MT_PERF_EVENT_ARRAY:
		return id == 22 || id == 25 || id == 55 || id == 111 || id == 121;
	case MT_RINGBUF:
		return id == 130 || id == 131 || id == 134 || id == 198;
	case MT_STACK_TRACE:
		return id == 27;
	case MT_CGROUP_ARRAY:
		return id == 33 || id == 37;
	case MT_DEVMAP:
	case MT_DEVMAP_HASH:
	case MT_XSKMAP:
		return id == 51 || id == 1;
	case MT_CPUMAP:
		return id == 51;
	case MT_ARRAY_OF_MAPS:
	case MT_HASH_OF_MAPS:
		return id == 1;
	case MT_SOCKMAP:
	case MT_SOCKHASH:
		return id == 1 || id == 2 || id == 3 || id == 52 || id == 53 || id == 60 ||
		       id == 61 || id == 70 || id == 71 || id == 72 || id == 73 || id == 82;
	case MT_QUEUE:
	case MT_STACK:
		return id == 87 || id == 88 || id == 89;
	case MT_BLOOM:
		return id == 87 || id == 89;
	case MT_USER_RINGBUF:
		return id == 209;
	}
	switch (id) {
	case 12:
		return mt == MT_PROG_ARRAY;
	case 22:
	case 25:
	case 55:
		return mt == MT_PERF_EVENT_ARRAY;
	case 130:
	case 131:
	case 134:
		return mt == MT_RINGBUF;
	case 51:
		return mt == MT_DEVMAP || mt == MT_DEVMAP_HASH || mt == MT_CPUMAP ||
		       mt == MT_XSKMAP;
	case 87:
	case 88:
	case 89:
		return mt == MT_QUEUE || mt == MT_STACK;
	case 195:
		return mt == MT_PERCPU_ARRAY || mt == MT_PERCPU_HASH || mt == MT_LRU_PERCPU_HASH;
	case 33:
	case 37:
		return mt == MT_CGROUP_ARRAY;
	}
	return true;
}

static const char *const arg_expect[] = {
	[A_MAP] = "map_ptr",
	[A_KEY] = "fp, pkt, pkt_meta, map_key, map_value",
	[A_VALUE] = "fp, pkt, pkt_meta, map_key, map_value",
	[A_UNINIT_VALUE] = "fp, pkt, pkt_meta, map_key, map_value",
	[A_CTX] = "ctx",
	[A_MEM_RO] = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf",
	[A_MEM_RO_OR_NULL] = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf",
	[A_UNINIT_MEM] = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf",
	[A_SIZE] = "scalar",
	[A_SIZE_OR_ZERO] = "scalar",
	[A_ALLOC_SIZE] = "scalar",
	[A_RINGBUF_REL] = "ringbuf_mem",
	[A_MEM_RW] = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf",
	[A_INT] = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf",
	[A_LONG] = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf",
};

static bool arg_type_ok(const struct vreg *r, int a)
{
	bool kv =
		!r->flags && (r->type == VT_STACK || r->type == VT_PKT || r->type == VT_PKT_META ||
			      r->type == VT_MAP_KEY || r->type == VT_MAP_VALUE);
	/* an iterator's buffer (PTR_TO_BUF) is memory to helpers; raw_tp.w's
	 * tracepoint buffer is not */
	bool buf = r->type == VT_TP_BUFFER && (r->flags & VF_BUF) && !(r->flags & VF_NULL);

	switch (a) {
	case A_MAP:
		return r->type == VT_MAP_PTR;
	case A_KEY:
	case A_VALUE:
	case A_UNINIT_VALUE:
		return kv;
	case A_CTX:
		return r->type == VT_CTX;
	case A_MEM_RO:
	case A_MEM_RO_OR_NULL:
		return kv || buf || (r->type == VT_MEM && !(r->flags & VF_NULL)) ||
		       (r->type == VT_BTF_ID && !r->flags); /* trusted_ptr_ */
	case A_UNINIT_MEM:
	case A_MEM_RW:
	case A_INT:
	case A_LONG:
		return kv || (buf && !(r->flags & VF_RDONLY)) ||
		       (r->type == VT_MEM && !(r->flags & (VF_NULL | VF_RDONLY)));
	case A_SIZE:
	case A_SIZE_OR_ZERO:
	case A_ALLOC_SIZE:
		return r->type == VT_SCALAR;
	case A_RINGBUF_REL:
		return r->type == VT_MEM && r->flags == VF_RINGBUF;
	}
	return true;
}

struct call_meta {
	int map;	   /* map index from the map argument, -1: none */
	int64_t const_key; /* constant array key, -1: none */
	int raw_regno, raw_size;
	uint32_t mem_size; /* ringbuf_reserve size */
	uint32_t release_id;
	uint64_t msize_max;
	struct vcall_ext ext; /* helper_args.c */
};

static int check_arg(struct venv *env, const struct vhelper *h, int i, struct call_meta *m)
{
	int regno = i + 1, a = h->args[i], err;
	struct vreg *r = &cur_regs(env)[regno];
	char tb[48];

	if (a == A_NONE)
		return 0;
	if (r->type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R%d !read_ok", regno);
	if (a >= A_EXT)
		return check_arg_ext(env, h, i, &m->map, &m->release_id, &m->ext);
	if (a == A_ANY)
		return 0;
	if (reg_is_pkt(r) && !(h->flags & HF_PKT))
		return verr(env, BK_E_V_HELPER_ARG, "helper access to the packet is not allowed");
	if (!(a == A_MEM_RO_OR_NULL && reg_is_null(r))) {
		if (!arg_type_ok(r, a))
			return verr(env, BK_E_V_HELPER_ARG, "R%d type=%s expected=%s", regno,
				    vtype_str(r, tb, sizeof(tb)), arg_expect[a]);
		if (a == A_RINGBUF_REL && r->off)
			return verr(
				env, BK_E_V_HELPER_ARG,
				"R%d must have zero offset when passed to release func or trusted "
				"arg to kfunc",
				regno);
		if (r->type == VT_CTX || r->type == VT_MAP_PTR || a == A_RINGBUF_REL)
			if ((err = check_ptr_off_reg(env, r, regno, false)))
				return err;
	}
	const struct bk_map_def *md = m->map >= 0 ? &env->in->maps[m->map] : NULL;

	switch (a) {
	case A_MAP:
		m->map = r->aux;
		break;
	case A_KEY:
		if (!md)
			return verr(env, BK_E_V_HELPER_ARG, "invalid map_ptr to access map->key");
		if ((err = check_helper_mem_access(env, regno, (int)md->key_size, V_READ, false,
						   false)))
			return err;
		if (md->type == MT_ARRAY || md->type == MT_PERCPU_ARRAY)
			m->const_key = stack_const_key(env, r, md->key_size);
		break;
	case A_VALUE:
	case A_UNINIT_VALUE:
		if (!md)
			return verr(env, BK_E_V_HELPER_ARG, "invalid map_ptr to access map->value");
		if (a == A_UNINIT_VALUE && r->type == VT_STACK && tnum_is_const(r->var_off)) {
			m->raw_regno = regno;
			m->raw_size = (int)md->value_size;
		}
		return check_helper_mem_access(env, regno, (int)md->value_size,
					       a == A_VALUE ? V_READ : V_WRITE, false,
					       a == A_UNINIT_VALUE);
	case A_INT:
	case A_LONG: {
		int sz = a == A_INT ? 4 : 8;

		if ((err = check_helper_mem_access(env, regno, sz, V_WRITE, false, false)))
			return err;
		struct tnum ro = tnum_add(r->var_off, tnum_const((uint64_t)(int64_t)r->off));

		if (!tnum_is_aligned(ro, (uint64_t)sz))
			return verr(env, BK_E_V_MISALIGNED, "misaligned access off %d size %d",
				    r->off, sz);
		break;
	}
	case A_SIZE:
	case A_SIZE_OR_ZERO: {
		int t = h->args[i - 1] == A_UNINIT_MEM || h->args[i - 1] == A_MEM_RW ? V_WRITE
										     : V_READ;

		m->msize_max = r->umax;
		if (t == V_WRITE && cur_regs(env)[regno - 1].type == VT_STACK &&
		    tnum_is_const(r->var_off) && tnum_is_const(cur_regs(env)[regno - 1].var_off)) {
			m->raw_regno = regno - 1;
			m->raw_size = (int)r->umax;
		}
		if (h->args[i - 1] == A_MEM_RO_OR_NULL && reg_is_null(&cur_regs(env)[regno - 1])) {
			/* NULL memory: only a zero size (checked as an access) */
		}
		return check_mem_size_reg(env, regno, t, a == A_SIZE_OR_ZERO);
	}
	case A_ALLOC_SIZE:
		if (!tnum_is_const(r->var_off))
			return verr(env, BK_E_V_HELPER_ARG, "R%d is not a known constant'", regno);
		m->mem_size = (uint32_t)r->var_off.value;
		m->ext.mem_size = m->mem_size;
		break;
	case A_RINGBUF_REL:
		if (!r->ref_obj_id)
			return verr(env, BK_E_V_REF,
				    "R%d must be referenced when passed to release function",
				    regno);
		m->release_id = r->ref_obj_id;
		break;
	}
	return 0;
}

/* A slice of an skb or xdp dynptr: memory in the packet, like a packet
 * pointer invalid once the packet may have moved. */
static bool pkt_slice(const struct vreg *r)
{
	return r->type == VT_MEM && (r->flags & VF_PKT_SLICE);
}

void clear_all_pkt_pointers(struct venv *env)
{
	struct vstate *st = env->cur;

	for (int f = 0; f <= st->curframe; f++) {
		struct vframe *fr = st->frames[f];

		for (int i = 0; i < V_MAX_REGS; i++)
			if (reg_is_pkt_any(&fr->regs[i]) || pkt_slice(&fr->regs[i]))
				reg_mark_unknown(&fr->regs[i]);
		for (int s = 0; s < fr->nslots; s++)
			if (slot_is_spilled(&fr->stack[s]) &&
			    (reg_is_pkt_any(&fr->stack[s].spilled) ||
			     pkt_slice(&fr->stack[s].spilled)))
				reg_mark_unknown(&fr->stack[s].spilled);
	}
}

int release_reference(struct venv *env, uint32_t id)
{
	struct vstate *st = env->cur;
	int i;

	for (i = 0; i < st->nrefs; i++)
		if (st->refs[i].id == id)
			break;
	if (i == st->nrefs)
		return verr(env, BK_E_V_REF, "release of unacquired reference id=%u", id);
	st->refs[i] = st->refs[--st->nrefs];
	for (int f = 0; f <= st->curframe; f++) {
		struct vframe *fr = st->frames[f];

		for (int r = 0; r < V_MAX_REGS; r++)
			if (fr->regs[r].ref_obj_id == id)
				reg_mark_unknown(&fr->regs[r]);
		for (int s = 0; s < fr->nslots; s++)
			if (slot_is_spilled(&fr->stack[s]) && fr->stack[s].spilled.ref_obj_id == id)
				reg_mark_unknown(&fr->stack[s].spilled);
	}
	return 0;
}

int acquire_reference(struct venv *env, uint32_t id)
{
	struct vstate *st = env->cur;
	struct vref *n = realloc(st->refs, sizeof(*n) * (size_t)(st->nrefs + 1));

	if (!n)
		return -ENOMEM;
	st->refs = n;
	st->refs[st->nrefs++] = (struct vref){id, env->insn_idx};
	return 0;
}

int check_reference_leak(struct venv *env)
{
	struct vstate *st = env->cur;
	int err;

	if ((err = lock_region_check(env, "BPF_EXIT instruction in main prog")))
		return err;
	if (st->nrefs)
		return verr(env, BK_E_V_REF_LEAK, "Unreleased reference id=%u alloc_insn=%d",
			    st->refs[0].id, st->refs[0].insn);
	return 0;
}

static void set_return(struct venv *env, const struct vhelper *h, const struct call_meta *m)
{
	struct vreg *r0 = &cur_regs(env)[0];

	switch (h->ret) {
	case R_VOID:
		reg_mark_not_init(r0);
		break;
	case R_MAP_VALUE_OR_NULL: {
		const struct bk_map_def *md = &env->in->maps[m->map];

		reg_mark_unknown(r0);
		reg_mark_known(r0, 0);
		r0->type = VT_MAP_VALUE;
		r0->aux = m->map;
		r0->flags = VF_NULL;
		if (h->id == 1 && m->const_key >= 0 && (uint64_t)m->const_key < md->max_entries &&
		    (md->type == MT_ARRAY || md->type == MT_PERCPU_ARRAY))
			r0->flags = 0;
		if (!(r0->flags & VF_NULL) && map_has_lock(env, m->map))
			r0->id = new_id(env); /* names the value's lock */
		if (r0->flags & VF_NULL) {
			r0->id = new_id(env);
			note_origin(env, r0->id, h->id);
		}
		break;
	}
	case R_RINGBUF_OR_NULL:
		reg_mark_unknown(r0);
		reg_mark_known(r0, 0);
		r0->type = VT_MEM;
		r0->flags = VF_NULL | VF_RINGBUF;
		r0->aux = (int32_t)m->mem_size;
		r0->id = new_id(env);
		r0->ref_obj_id = r0->id;
		note_origin(env, r0->id, h->id);
		break;
	default:
		reg_mark_unknown(r0);
		if ((h->id == 114 || h->id == 115) && m->msize_max <= INT32_MAX) {
			r0->smax = (int64_t)m->msize_max;
			r0->s32max = (int32_t)m->msize_max;
			reg_bounds_sync(r0);
		}
		if (h->id == 8 && env->opts.nr_cpus) {
			r0->umin = 0;
			r0->smin = 0;
			r0->umax = env->opts.nr_cpus - 1;
			r0->smax = env->opts.nr_cpus - 1;
			r0->s32max = (int32_t)(env->opts.nr_cpus - 1);
			r0->u32max = env->opts.nr_cpus - 1;
			r0->s32min = 0;
			reg_bounds_sync(r0);
		}
		break;
	}
}

int check_helper_call(struct venv *env, const struct bk_dinsn *d)
{
	const struct vhelper *h = vring_helper_for(env->in->type, d->imm);
	struct call_meta m = {.map = -1, .const_key = -1, .raw_regno = -1};
	struct vhelper hc;
	int err;

	if ((err = lock_check_call(env, d)))
		return err;
	/* helpers.c: there for this program type, attach type, license,
	 * sleepable or not and target release */
	if ((err = vhelper_check_avail(env, h, d->imm)))
		return err;
	if (h->id == 181 || h->id == 164)
		return check_callback_helper(env, d);
	if (!h->proto)
		return verr(env, BK_E_V_UNSUPPORTED, "helper %s#%d is not modelled by bpfverify",
			    h->name, d->imm);
	hc = *h;
	vhelper_resolve(env, &hc);
	for (int i = 0; i < 5; i++)
		if ((err = check_arg(env, &hc, i, &m)))
			return err;
	if (m.raw_regno >= 0)
		stack_mark_written(env, m.raw_regno, cur_regs(env)[m.raw_regno].off, m.raw_size);
	if (m.release_id && (err = release_reference(env, m.release_id)))
		return err;
	if (h->id == 12 && env->cur->nrefs)
		return verr(env, BK_E_V_REF_LEAK, "tail_call would lead to reference leak");
	if (h->id == 12 && (err = lock_region_check(env, "tail_call")))
		return err;
	for (int i = 0; i <= 5; i++)
		reg_mark_not_init(&cur_regs(env)[i]);
	if ((h->ret == R_MAP_VALUE_OR_NULL) && m.map < 0)
		return verr(env, BK_E_V_HELPER_ARG, "kernel subsystem misconfigured verifier");
	vhelper_resolve_ret(env, &hc, m.map);
	if (hc.ret >= R_EXT) {
		if ((err = set_return_ext(env, &hc, m.map, m.msize_max, &m.ext)))
			return err;
	} else {
		set_return(env, h, &m);
	}
	if (h->ret == R_RINGBUF_OR_NULL &&
	    (err = acquire_reference(env, cur_regs(env)[0].ref_obj_id)))
		return err;
	if (m.map >= 0 && (!map_func_ok(env->in->maps[m.map].type, h->id) ||
			   !vmap_func_ok(env->in->maps[m.map].type, h->id)))
		return verr(env, BK_E_V_MAP_FUNC, "cannot pass map_type %u into func %s#%d",
			    env->in->maps[m.map].type, h->name, d->imm);
	/* bpf_dynptr_write into an skb dynptr may move the packet (as
	 * bpf_skb_store_bytes) */
	if ((h->flags & HF_PKTCHG) || (h->id == 202 && m.ext.dyn_kind == DYN_SKB))
		clear_all_pkt_pointers(env);
	return 0;
}

static int subprog_at(struct venv *env, int insn)
{
	for (int i = 0; i < env->nsubprogs; i++)
		if (env->subprogs[i].start == insn)
			return i;
	return -1;
}

int check_func_call(struct venv *env, const struct bk_dinsn *d, int *next)
{
	struct vstate *st = env->cur;
	int target = env->insn_idx + d->imm + 1, sp = subprog_at(env, target);
	struct vframe *caller = cur_frame(env), *callee;

	if (sp < 0)
		return verr(env, BK_E_V_SUBPROG, "verifier bug. No program starts at insn %d",
			    target);
	if (st->curframe + 1 >= V_MAX_FRAMES)
		return verr(env, BK_E_V_CALL_DEPTH, "the call stack of %d frames is too deep",
			    st->curframe + 2);
	if (env->subprogs[sp].global) {
		const struct vsubprog *g = &env->subprogs[sp];

		if (st->lock_held)
			return verr(
				env, BK_E_V_LOCK,
				"global function calls are not allowed while holding a lock, use "
				"static function instead");

		for (int i = 0; i < g->nargs; i++) {
			struct vreg *r = &caller->regs[i + 1];

			if (r->type == VT_NOT_INIT)
				return verr(env, BK_E_V_UNINIT_REG, "R%d !read_ok", i + 1);
			if (g->arg_kind[i] == 0 && r->type != VT_SCALAR)
				return verr(env, BK_E_V_HELPER_ARG, "R%d is not a scalar", i + 1);
			if (g->arg_kind[i] == 1 && (r->type != VT_CTX || r->off))
				return verr(env, BK_E_V_HELPER_ARG, "arg#%d expects pointer to ctx",
					    i);
			if (g->arg_kind[i] == 2 && !reg_is_null(r)) {
				int err = check_helper_mem_access(env, i + 1, (int)g->arg_size[i],
								  V_READ, false, false);
				if (err)
					return err;
			}
		}
		env->subprogs[sp].called = true;
		for (int i = 0; i <= 5; i++)
			reg_mark_not_init(&caller->regs[i]);
		reg_mark_unknown(&caller->regs[0]);
		*next = env->insn_idx + 1;
		return 0;
	}
	callee = frame_new(env->insn_idx, sp, st->curframe + 1);
	if (!callee)
		return -ENOMEM;
	for (int i = 1; i <= 5; i++)
		callee->regs[i] = caller->regs[i];
	for (int i = 0; i <= 5; i++)
		reg_mark_not_init(&caller->regs[i]);
	st->frames[++st->curframe] = callee;
	*next = target;
	return 0;
}

int prepare_func_exit(struct venv *env, int *next)
{
	struct vstate *st = env->cur;
	struct vframe *callee = cur_frame(env), *caller = st->frames[st->curframe - 1];
	struct vreg *r0 = &callee->regs[0];

	if (callee->in_callback)
		return callback_exit(env, next);
	if (r0->type == VT_STACK)
		return verr(env, BK_E_V_RET_VALUE, "cannot return stack pointer to the caller");
	caller->regs[0] = *r0;
	*next = callee->callsite + 1;
	free(callee->stack);
	free(callee);
	st->frames[st->curframe--] = NULL;
	return 0;
}

int check_ld_abs(struct venv *env, const struct bk_dinsn *d)
{
	struct vreg *regs = cur_regs(env);
	bool ind = bk_op_info(d->op)->fmt == BK_FMT_LD_IND;
	int err;

	if (!prog_type_ld_abs(env->in->type))
		return verr(env, BK_E_V_LD_ABS,
			    "BPF_LD_[ABS|IND] instructions not allowed for this program type");
	if (regs[6].type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R6 !read_ok");
	if ((err = lock_region_check(env, "BPF_LD_[ABS|IND]")))
		return err;
	if (env->cur->nrefs)
		return verr(env, BK_E_V_REF_LEAK, "BPF_LD_[ABS|IND] would lead to reference leak");
	if (regs[6].type != VT_CTX)
		return verr(env, BK_E_V_LD_ABS,
			    "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
	if (ind && regs[d->src].type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R%d !read_ok", d->src);
	if ((err = check_ptr_off_reg(env, &regs[6], 6, false)))
		return err;
	for (int i = 0; i <= 5; i++)
		reg_mark_not_init(&regs[i]);
	reg_mark_unknown(&regs[0]);
	return 0;
}
