// SPDX-License-Identifier: MIT
/*
 * kfunc.c - calls of kernel functions (kfuncs) and open-coded iterators.
 *
 * A kfunc call is resolved by the name of its extern (the relocation the
 * object carries at the call); its arguments are typed by the FUNC_PROTO
 * of that extern in the program's BTF, else by libuapi/kfuncs.def.  Known
 * are the iterator kfuncs: bpf_iter_<type>_new/next/destroy for any <type>
 * (first argument a struct bpf_iter_<type> * on the stack, a multiple of
 * 8 bytes), the KF_ITER_NEW/NEXT/DESTROY rules of the kernel:
 *
 *   new      the slots must not hold a live iterator; they become STK_ITER,
 *            state active, and the iterator is an acquired reference
 *   next     needs a constructed iterator; the path forks: the current one
 *            continues with the iterator drained and r0 = NULL, a queued
 *            one with it active one level deeper and r0 non-NULL (imprecise
 *            scalars widened against the previous iteration's checkpoint)
 *   destroy  needs a constructed iterator; releases it, slots invalid
 *
 * A plain store into an iterator's slot destroys its state (stack.c); an
 * iterator not destroyed is a leaked reference at exit.  The packet
 * dynptr kfuncs (bpf_dynptr_from_xdp/skb, bpf_dynptr_slice[_rdwr]) are
 * checked in dynptr.c, bpf_rcu_read_lock/unlock in lock.c.  Kernel
 * objects (objks[]): bpf_task_acquire/from_pid and bpf_cgroup_acquire/
 * from_id return a trusted pointer or NULL that holds a reference (to be
 * released on every path), the _release kfuncs take one back; an object
 * argument must be trusted and not NULL.  Other kfuncs are refused (BK_E_V_KFUNC /
 * BK_E_V_UNSUPPORTED).
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "types_int.h"

bool slot_is_iter(const struct vslot *s)
{
	return s->stype[0] == STK_ITER;
}

static const char *kfunc_name_at(struct venv *env, int insn)
{
	for (size_t r = 0; r < env->in->nrelocs; r++) {
		const struct bk_reloc *rl = &env->in->relocs[r];

		if ((int)rl->insn == insn && rl->kind == BK_RELO_KFUNC && rl->sym)
			return rl->sym;
	}
	return NULL;
}

/* "bpf_iter_num_next" -> kind BK_KF_ITER_NEXT, type "num" (len 3). */
static uint32_t iter_kind(const char *name, size_t *tlen)
{
	static const struct {
		const char *sfx;
		uint32_t kf;
	} sfx[] = {{"_new", BK_KF_ITER_NEW},
		   {"_next", BK_KF_ITER_NEXT | BK_KF_RET_NULL},
		   {"_destroy", BK_KF_ITER_DESTROY}};
	size_t n = strlen(name);

	if (strncmp(name, "bpf_iter_", 9))
		return 0;
	for (size_t i = 0; i < 3; i++) {
		size_t l = strlen(sfx[i].sfx);

		if (n > 9 + l && !strcmp(name + n - l, sfx[i].sfx)) {
			*tlen = n - 9 - l;
			return sfx[i].kf;
		}
	}
	return 0;
}

static const struct btf_type *skip_mods(const struct btf *btf, uint32_t id, uint32_t *out)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (out)
		*out = id;
	return t;
}

/* The iterator struct of an iterator kfunc from its first parameter. */
static int iter_from_btf(struct venv *env, struct vkfunc *k, size_t tlen)
{
	const struct btf *btf = env->in->btf;
	const struct btf_type *p = btf__type_by_id(btf, k->proto_id), *a, *s;
	uint32_t sid;
	char want[96];

	if (!p || !btf_is_func_proto(p) || !btf_vlen(p))
		return -1;
	a = skip_mods(btf, btf_params(p)[0].type, NULL);
	if (!a || !btf_is_ptr(a))
		return -1;
	s = skip_mods(btf, a->type, &sid);
	snprintf(want, sizeof(want), "bpf_iter_%.*s", (int)tlen, k->name + 9);
	if (!s || !btf_is_struct(s) || strcmp(btf__name_by_offset(btf, s->name_off), want))
		return -1;
	k->iter_size = s->size;
	k->nargs = (uint8_t)(btf_vlen(p) > 5 ? 5 : btf_vlen(p));
	return 0;
}

/* ---- kfuncs over kernel objects ------------------------------------------------------ */

static const struct objk {
	const char *name;
	const char *ret; /* the struct returned (acquired, or NULL), or NULL: void */
	const char *arg; /* the struct of arg #0 (trusted), or NULL: a scalar */
	bool release;	 /* arg #0 is a reference given back */
} objks[] = {
	{"bpf_task_acquire", "task_struct", "task_struct", false},
	{"bpf_task_release", NULL, "task_struct", true},
	{"bpf_task_from_pid", "task_struct", NULL, false},
	{"bpf_cgroup_acquire", "cgroup", "cgroup", false},
	{"bpf_cgroup_release", NULL, "cgroup", true},
	{"bpf_cgroup_from_id", "cgroup", NULL, false},
};

/* Index of name in objks[], or -1. */
static int objk_of(const char *name)
{
	for (size_t i = 0; i < sizeof(objks) / sizeof(objks[0]); i++)
		if (!strcmp(objks[i].name, name))
			return (int)i;
	return -1;
}

static int kfunc_add(struct venv *env, const char *name)
{
	const struct bk_kfunc *known = bk_kfunc_by_name(name);
	struct vkfunc *k, *n;
	size_t tlen = 0;
	uint32_t ik = iter_kind(name, &tlen);

	for (int i = 0; i < env->nkfuncs; i++)
		if (!strcmp(env->kfuncs[i].name, name))
			return i;
	if (!known && !ik)
		return verr(env, BK_E_V_KFUNC,
			    "kernel function %s is not one bpfverify knows (libuapi/kfuncs.def)",
			    name);
	n = realloc(env->kfuncs, sizeof(*n) * (size_t)(env->nkfuncs + 1));
	if (!n)
		return -ENOMEM;
	env->kfuncs = n;
	k = &n[env->nkfuncs];
	memset(k, 0, sizeof(*k));
	k->name = name;
	k->flags = known ? known->flags : ik;
	k->lock_op = (uint8_t)lock_kfunc_op(name);
	k->objk = (int8_t)objk_of(name);
	k->nargs = 5;
	if (known) {
		k->iter_size = known->iter_size;
		k->nargs = 0;
		while (k->nargs < 5 && known->args[k->nargs] != BK_ARG_NONE)
			k->nargs++;
	}
	if (env->in->btf) {
		int id = btf__find_by_name_kind(env->in->btf, name, BTF_KIND_FUNC);
		const struct btf_type *f = id > 0 ? btf__type_by_id(env->in->btf, id) : NULL;

		if (f)
			k->proto_id = f->type;
	}
	if (ik) {
		k->iter_tlen = (uint8_t)tlen;
		if (k->proto_id && iter_from_btf(env, k, tlen))
			return verr(env, BK_E_V_KFUNC,
				    "%s: the first argument is not a struct bpf_iter_%.*s *", name,
				    (int)tlen, name + 9);
		if (!k->iter_size || k->iter_size % 8)
			return verr(env, BK_E_V_KFUNC,
				    "%s: the iterator's size %u is not a known multiple of 8", name,
				    k->iter_size);
	}
	return env->nkfuncs++;
}

int resolve_kfuncs(struct venv *env)
{
	for (size_t i = 0; i < env->cnt; i++) {
		const struct bk_dinsn *d = &env->insns[i];
		const char *name;
		int k;

		env->aux[i].kfunc = -1;
		if (!d->slots || d->op != BK_OP_CALL_KFUNC)
			continue;
		env->insn_idx = (int)i;
		name = kfunc_name_at(env, (int)i);
		if (!name)
			return verr(env, BK_E_V_KFUNC,
				    "kfunc call (btf_id %d) without the extern's name: bpfverify "
				    "resolves kfuncs by name",
				    d->imm);
		/* kfuncs_avail.c: in the target release, for this program type */
		if ((k = vkfunc_check_avail(env, name)) || (k = kfunc_add(env, name)) < 0)
			return k;
		env->aux[i].kfunc = (int16_t)k;
		if (env->kfuncs[k].flags & BK_KF_ITER_NEXT)
			env->aux[i].flags |= AUX_ITER_NEXT;
	}
	return 0;
}

/* ---- iterator arguments ------------------------------------------------------ */

/* Interned iterator type: the same <type> everywhere gives the same id. */
static int32_t iter_type_id(struct venv *env, const struct vkfunc *k)
{
	for (int i = 0; i < env->nkfuncs; i++) {
		const struct vkfunc *o = &env->kfuncs[i];

		if (o->iter_tlen == k->iter_tlen &&
		    !strncmp(o->name + 9, k->name + 9, k->iter_tlen))
			return i + 1;
	}
	return 0;
}

/* The slot of an iterator argument: 0..nslots-1, -ERANGE past the frame's
 * stack, other negative values for a rejection already recorded. */
static int iter_spi(struct venv *env, const struct vreg *r, int nr, const struct vkfunc *k)
{
	struct vframe *f = ptr_frame(env, r);
	int64_t off;
	int spi;

	if (!tnum_is_const(r->var_off))
		return verr(env, BK_E_V_ITER, "iter_%.*s has to be at a constant offset",
			    k->iter_tlen, k->name + 9);
	off = r->off + (int64_t)r->var_off.value;
	if (off % 8 || off >= 0 || off < -V_MAX_STACK)
		return verr(env, BK_E_V_ITER, "cannot pass in iter_%.*s at an offset=%lld",
			    k->iter_tlen, k->name + 9, (long long)off);
	spi = (int)((-off - 1) / 8);
	if (spi + 1 < nr)
		return verr(env, BK_E_V_ITER, "cannot pass in iter_%.*s at an offset=%lld",
			    k->iter_tlen, k->name + 9, (long long)off);
	if (spi >= f->nslots)
		return -ERANGE;
	return spi;
}

static bool iter_valid_init(const struct vframe *f, int spi, int nr, int32_t type)
{
	for (int i = 0; i < nr; i++) {
		const struct vslot *s = &f->stack[spi - i];

		if ((i == 0) != (s->spilled.ref_obj_id != 0) || s->spilled.aux != type)
			return false;
		for (int j = 0; j < 8; j++)
			if (s->stype[j] != STK_ITER)
				return false;
	}
	return true;
}

static int iter_new(struct venv *env, const struct vkfunc *k, int nr, int32_t type)
{
	struct vreg *r = &cur_regs(env)[1];
	int spi = iter_spi(env, r, nr, k), err;
	struct vframe *f;
	uint32_t id;

	if (spi < 0 && spi != -ERANGE)
		return spi;
	f = ptr_frame(env, r);
	for (int i = 0; spi >= 0 && i < nr; i++)
		for (int j = 0; j < 8; j++)
			if (f->stack[spi - i].stype[j] == STK_ITER)
				return verr(env, BK_E_V_ITER,
					    "expected uninitialized iter_%.*s as arg #0",
					    k->iter_tlen, k->name + 9);
	for (int i = 0; i < nr * 8; i += 8)
		if ((err = check_mem_access(env, 1, i, 8, V_WRITE, -1, false, false)))
			return err;
	r = &cur_regs(env)[1];
	f = ptr_frame(env, r);
	spi = (int)((-(r->off + (int64_t)r->var_off.value) - 1) / 8);
	id = new_id(env);
	if ((err = acquire_reference(env, id)))
		return err;
	for (int i = 0; i < nr; i++) {
		struct vslot *s = &f->stack[spi - i];

		reg_mark_unknown(&s->spilled);
		reg_mark_known(&s->spilled, 0);
		s->spilled.type = VT_STACK;
		s->spilled.ref_obj_id = i == 0 ? id : 0;
		s->spilled.aux = type;
		s->spilled.flags = ITER_ACTIVE;
		s->spilled.off = 0;
		memset(s->stype, STK_ITER, sizeof(s->stype));
	}
	return 0;
}

/* next and destroy: *spi_out is the iterator's first slot. */
static int iter_use(struct venv *env, const struct vkfunc *k, int nr, int32_t type, int *spi_out)
{
	struct vreg *r = &cur_regs(env)[1];
	int spi = iter_spi(env, r, nr, k);
	struct vframe *f;
	int64_t off;

	if (spi < 0 && spi != -ERANGE)
		return spi;
	f = ptr_frame(env, r);
	if (spi < 0 || !iter_valid_init(f, spi, nr, type))
		return verr(env, BK_E_V_ITER, "expected an initialized iter_%.*s as arg #0",
			    k->iter_tlen, k->name + 9);
	off = r->off + (int64_t)r->var_off.value;
	stack_note(env, r, off, off + nr * 8, false);
	*spi_out = spi;
	if (!(k->flags & BK_KF_ITER_DESTROY))
		return 0;
	int err = release_reference(env, f->stack[spi].spilled.ref_obj_id);

	if (err)
		return err;
	for (int i = 0; i < nr; i++) {
		reg_mark_not_init(&f->stack[spi - i].spilled);
		memset(f->stack[spi - i].stype, STK_INVALID, 8);
	}
	return 0;
}

/* The fork at next: see the file comment. */
static int iter_next_fork(struct venv *env, struct vframe *f, int spi)
{
	struct vstate *cur = env->cur, *q, *prev = NULL;
	int idx = env->insn_idx, err;
	int fno = f->frameno;

	if (f->stack[spi].spilled.flags == ITER_ACTIVE) {
		if (cur->parent && cur->parent->insn == idx)
			prev = find_prev_entry(env, cur->parent, idx);
		if ((err = push_branch(env, idx + 1, idx, &q)))
			return err;
		q->frames[fno]->stack[spi].spilled.off++;
		if (prev)
			widen_imprecise(env, prev, q);
		q->frames[q->curframe]->regs[0].flags &= (uint8_t)~VF_NULL;
	}
	f = cur->frames[fno];
	f->stack[spi].spilled.flags = ITER_DRAINED;
	reg_mark_unknown(&cur_regs(env)[0]);
	reg_mark_known(&cur_regs(env)[0], 0);
	return 0;
}

/* ---- other arguments and the return value ------------------------------------------ */

static bool param_ignored(const struct btf *btf, const struct btf_param *p)
{
	const char *n = btf__name_by_offset(btf, p->name_off);
	size_t l = n ? strlen(n) : 0;

	return l > 5 && !strcmp(n + l - 5, "__ign");
}

/* Argument i (from 0) of k is "__ign": the kernel's prototype says so (an
 * extern's parameters usually have no names in the program's BTF). */
static bool kparam_ignored(struct venv *env, const struct vkfunc *k, int i)
{
	const struct btf *b = env->in->btf, *kb;
	const struct btf_type *p = k->proto_id && b ? btf__type_by_id(b, k->proto_id) : NULL;
	int id;

	if (p && i < btf_vlen(p) && param_ignored(b, &btf_params(p)[i]))
		return true;
	if (!(kb = vmlinux_btf(env)) ||
	    (id = btf__find_by_name_kind(kb, k->name, BTF_KIND_FUNC)) <= 0)
		return false;
	p = btf__type_by_id(kb, btf__type_by_id(kb, (uint32_t)id)->type);
	return p && btf_is_func_proto(p) && i < btf_vlen(p) && param_ignored(kb, &btf_params(p)[i]);
}

static int check_scalar_args(struct venv *env, const struct vkfunc *k, int from)
{
	const struct btf *btf = env->in->btf;
	const struct btf_type *p = k->proto_id ? btf__type_by_id(btf, k->proto_id) : NULL;
	struct vreg *regs = cur_regs(env);

	for (int i = from; i < k->nargs; i++) {
		struct vreg *r = &regs[i + 1];

		const struct btf_type *t = p ? skip_mods(btf, btf_params(p)[i].type, NULL) : NULL;

		if (t && btf_is_ptr(t)) {
			if (kparam_ignored(env, k, i))
				continue;
			return verr(env, BK_E_V_UNSUPPORTED,
				    "%s: pointer argument #%d is not modelled by bpfverify",
				    k->name, i);
		}
		if (r->type != VT_SCALAR)
			return verr(env, BK_E_V_KFUNC, "R%d is not a scalar", i + 1);
	}
	return 0;
}

static void set_kfunc_return(struct venv *env, const struct vkfunc *k)
{
	struct vreg *r0 = &cur_regs(env)[0];
	const struct btf *btf = env->in->btf;
	const struct btf_type *p = k->proto_id ? btf__type_by_id(btf, k->proto_id) : NULL;
	const struct btf_type *t = p ? skip_mods(btf, p->type, NULL) : NULL;
	bool ptr = t ? btf_is_ptr(t) : (k->flags & BK_KF_ITER_NEXT);
	bool is_void = p ? !p->type : (k->flags & BK_KF_ITER_DESTROY);

	if (is_void)
		return; /* r0 stays clobbered */
	reg_mark_unknown(r0);
	if (!ptr)
		return;
	long sz = t ? btf__resolve_size(btf, t->type) : 4;

	reg_mark_known(r0, 0);
	r0->type = VT_MEM;
	r0->flags = VF_RDONLY;
	r0->aux = sz > 0 ? (int32_t)sz : 4;
	if (k->flags & BK_KF_RET_NULL) {
		r0->flags |= VF_NULL;
		r0->id = new_id(env);
		note_origin(env, r0->id, V_ORIGIN_KFUNC | (uint32_t)env->aux[env->insn_idx].kfunc);
	}
}

static int check_obj_kfunc(struct venv *env, const struct objk *o)
{
	struct vreg *regs = cur_regs(env), *r0;
	uint32_t release = 0;
	int32_t id;
	int err;

	if (o->arg) {
		if (regs[1].type == VT_BTF_ID && (regs[1].flags & VF_NULL))
			return verr(env, BK_E_V_NULL_DEREF,
				    "Possibly NULL pointer passed to trusted arg0");
		if (o->release && regs[1].type == VT_BTF_ID && !regs[1].ref_obj_id)
			return verr(env, BK_E_V_REF,
				    "release kernel function %s expects refcounted PTR_TO_BTF_ID",
				    o->name);
		if ((err = check_btf_arg(env, 1, o->arg)))
			return err;
		if (o->release)
			release = cur_regs(env)[1].ref_obj_id;
	} else if (regs[1].type != VT_SCALAR) {
		return verr(env, BK_E_V_KFUNC, "R1 is not a scalar");
	}
	if (release && (err = release_reference(env, release)))
		return err;
	regs = cur_regs(env);
	for (int i = 0; i <= 5; i++)
		reg_mark_not_init(&regs[i]);
	if (!o->ret)
		return 0;
	id = vmlinux_struct_id(env, o->ret);
	if (id < 0)
		return verr(env, BK_E_V_UNSUPPORTED,
			    "struct %s (what %s returns) is not in the kernel's BTF", o->ret,
			    o->name);
	r0 = &regs[0];
	reg_mark_unknown(r0);
	reg_mark_known(r0, 0);
	r0->type = VT_BTF_ID;
	r0->flags = VF_NULL;
	r0->aux = id;
	r0->id = new_id(env);
	r0->ref_obj_id = r0->id;
	note_origin(env, r0->id, V_ORIGIN_KFUNC | (uint32_t)env->aux[env->insn_idx].kfunc);
	return acquire_reference(env, r0->id);
}

int check_kfunc_call(struct venv *env, const struct bk_dinsn *d)
{
	const struct vkfunc *k;
	struct vreg *regs = cur_regs(env);
	int ki = env->aux[env->insn_idx].kfunc, err, spi = -1, nr;
	int32_t type;

	if ((err = lock_check_call(env, d)))
		return err;
	if (ki < 0)
		return verr(env, BK_E_V_KFUNC, "unresolved kfunc call");
	k = &env->kfuncs[ki];
	if (k->lock_op)
		return lock_kfunc(env, (enum kf_lock_op)k->lock_op);
	if (k->objk < 0 && !(k->flags & (BK_KF_ITER_NEW | BK_KF_ITER_NEXT | BK_KF_ITER_DESTROY |
					 BK_KF_DYNPTR_NEW | BK_KF_DYNPTR_SLICE)))
		return verr(env, BK_E_V_UNSUPPORTED, "kfunc %s is not modelled by bpfverify",
			    k->name);
	for (int i = 1; i <= k->nargs; i++)
		if (regs[i].type == VT_NOT_INIT && !(i > 1 && kparam_ignored(env, k, i - 1)))
			return verr(env, BK_E_V_UNINIT_REG, "R%d !read_ok", i);
	if (k->objk >= 0)
		return check_obj_kfunc(env, &objks[k->objk]);
	if (k->flags & (BK_KF_DYNPTR_NEW | BK_KF_DYNPTR_SLICE))
		return check_dynptr_kfunc(env, k);
	if (regs[1].type != VT_STACK)
		return verr(env, BK_E_V_ITER, "arg#0 expected pointer to an iterator on stack");
	nr = (int)(k->iter_size / 8);
	type = iter_type_id(env, k);
	if ((err = check_scalar_args(env, k, 1)))
		return err;
	if (k->flags & BK_KF_ITER_NEW)
		err = iter_new(env, k, nr, type);
	else
		err = iter_use(env, k, nr, type, &spi);
	if (err)
		return err;
	struct vframe *f = ptr_frame(env, &regs[1]);

	for (int i = 0; i <= 5; i++)
		reg_mark_not_init(&regs[i]);
	set_kfunc_return(env, k);
	if (k->flags & BK_KF_ITER_NEXT)
		return iter_next_fork(env, f, spi);
	return 0;
}

const char *kfunc_name(struct venv *env, uint32_t origin)
{
	uint32_t i = origin & ~V_ORIGIN_KFUNC;

	return (int)i < env->nkfuncs ? env->kfuncs[i].name : "kfunc";
}
