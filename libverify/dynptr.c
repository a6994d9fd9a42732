// SPDX-License-Identifier: MIT
/*
 * dynptr.c - struct bpf_dynptr on the stack, as the dynptr helpers use it.
 *
 * A dynptr is 16 bytes at a constant, 8-byte aligned stack offset: two
 * slots whose bytes are STK_DYNPTR.  Both slots carry its kind (spilled.aux:
 * DYN_LOCAL from bpf_dynptr_from_mem over map value memory, DYN_RINGBUF
 * from bpf_ringbuf_reserve_dynptr, DYN_SKB and DYN_XDP from the kfuncs
 * bpf_dynptr_from_skb/xdp over the packet), its reference (ref_obj_id, ring buffer
 * dynptrs only: acquired whether or not the reservation succeeds, so every
 * path must submit or discard it) and its id (spilled.id); the lower slot
 * is marked DYNPTR_FIRST.
 *
 * Slices (bpf_dynptr_data) are memory of the constant size asked for, or
 * NULL; their ref_obj_id is the dynptr's reference, or for a local dynptr
 * its id, so releasing or overwriting the dynptr turns them into unknown
 * scalars.  Stores into a local dynptr's slots destroy it (both slots
 * become STK_INVALID); a ring buffer dynptr may not be overwritten; loads
 * of its bytes and helper memory over them are refused.
 *
 * bpf_dynptr_slice[_rdwr](ptr, off, buf, size) (kfuncs): size a known
 * constant, buf NULL or size writable bytes; the slice is memory of that
 * size or NULL, read-only unless _rdwr (which needs a program type that
 * may write packets for an skb or xdp dynptr), dies with its dynptr, and
 * for an skb or xdp dynptr also with the packet pointers (VF_PKT_SLICE).
 */
#include <errno.h>

#include "helpers_int.h"

static int dyn_err(struct venv *env, const char *fmt, int a, long long b)
{
	return verr(env, BK_E_V_DYNPTR, fmt, a, b);
}

/* Slot of the dynptr's lower half; -ERANGE past the frame's stack. */
static int dynptr_spi(struct venv *env, int regno)
{
	const struct vreg *r = &cur_regs(env)[regno];
	int64_t off;
	int spi;

	if (!tnum_is_const(r->var_off))
		return verr(env, BK_E_V_DYNPTR, "dynptr has to be at a constant offset");
	off = r->off + (int64_t)r->var_off.value;
	if (off % 8 || off >= 0 || off < -V_MAX_STACK)
		return dyn_err(env, "R%d: cannot pass in dynptr at an offset=%lld", regno, off);
	spi = (int)((-off - 1) / 8);
	if (spi < 1)
		return dyn_err(env, "R%d: cannot pass in dynptr at an offset=%lld", regno, off);
	if (spi >= ptr_frame(env, r)->nslots)
		return -ERANGE;
	return spi;
}

static bool slot_all(const struct vslot *s, uint8_t t)
{
	for (int i = 0; i < 8; i++)
		if (s->stype[i] != t)
			return false;
	return true;
}

static bool dynptr_valid(const struct vframe *f, int spi)
{
	return slot_all(&f->stack[spi], STK_DYNPTR) && slot_all(&f->stack[spi - 1], STK_DYNPTR) &&
	       (f->stack[spi].spilled.flags & DYNPTR_FIRST) &&
	       !(f->stack[spi - 1].spilled.flags & DYNPTR_FIRST);
}

/* Registers and spilled registers that are slices of the dynptr become
 * unknown scalars. */
static void kill_slices(struct venv *env, uint32_t id)
{
	struct vstate *st = env->cur;

	for (int fi = 0; fi <= st->curframe; fi++) {
		struct vframe *fr = st->frames[fi];

		for (int r = 0; r < V_MAX_REGS; r++)
			if (fr->regs[r].type == VT_MEM && fr->regs[r].ref_obj_id == id)
				reg_mark_unknown(&fr->regs[r]);
		for (int s = 0; s < fr->nslots; s++)
			if (slot_is_spilled(&fr->stack[s]) && fr->stack[s].spilled.type == VT_MEM &&
			    fr->stack[s].spilled.ref_obj_id == id)
				reg_mark_unknown(&fr->stack[s].spilled);
	}
}

static void clear_dynptr(struct vframe *f, int spi)
{
	for (int i = 0; i < 2; i++) {
		reg_mark_not_init(&f->stack[spi - i].spilled);
		memset(f->stack[spi - i].stype, STK_INVALID, 8);
	}
}

int dynptr_stack_write(struct venv *env, struct vframe *f, int spi)
{
	uint32_t id;

	if (spi < 0 || spi >= f->nslots || f->stack[spi].stype[0] != STK_DYNPTR)
		return 0;
	if (!(f->stack[spi].spilled.flags & DYNPTR_FIRST))
		spi++;
	if (spi >= f->nslots)
		return 0;
	if (f->stack[spi].spilled.aux == DYN_RINGBUF)
		return verr(env, BK_E_V_DYNPTR, "cannot overwrite referenced dynptr");
	id = f->stack[spi].spilled.id;
	clear_dynptr(f, spi);
	kill_slices(env, id);
	return 0;
}

int dynptr_raw_write(struct venv *env, struct vframe *f, int64_t lo, int64_t hi)
{
	for (int64_t i = lo; i < hi && i < 0; i++) {
		int slot = (int)(-i - 1);

		if (slot / 8 < f->nslots && f->stack[slot / 8].stype[slot % 8] == STK_DYNPTR)
			return verr(env, BK_E_V_DYNPTR,
				    "potential write to dynptr at off=%lld disallowed",
				    (long long)i);
	}
	return 0;
}

/* A new dynptr of kind at regno's slots (the helper's last argument). */
static int dynptr_new(struct venv *env, int regno, int kind)
{
	struct vreg *r = &cur_regs(env)[regno];
	struct vframe *f;
	int spi = dynptr_spi(env, regno), err;
	uint32_t id, ref = 0;

	if (spi < 0 && spi != -ERANGE)
		return spi;
	f = ptr_frame(env, r);
	for (int i = 0; spi >= 0 && i < 2; i++)
		for (int j = 0; j < 8; j++)
			if (f->stack[spi - i].stype[j] == STK_ITER)
				return verr(env, BK_E_V_DYNPTR,
					    "Dynptr has to be an uninitialized dynptr");
	/* written as two 8-byte stores: an old local dynptr there dies */
	for (int i = 0; i < 16; i += 8)
		if ((err = check_mem_access(env, regno, i, 8, V_WRITE, -1, false, false)))
			return err;
	r = &cur_regs(env)[regno];
	f = ptr_frame(env, r);
	spi = (int)((-(r->off + (int64_t)r->var_off.value) - 1) / 8);
	id = new_id(env);
	if (kind == DYN_RINGBUF) {
		ref = new_id(env);
		if ((err = acquire_reference(env, ref)))
			return err;
	}
	for (int i = 0; i < 2; i++) {
		struct vslot *s = &f->stack[spi - i];

		reg_mark_unknown(&s->spilled);
		reg_mark_known(&s->spilled, 0);
		s->spilled.type = VT_STACK;
		s->spilled.aux = kind;
		s->spilled.flags = i == 0 ? DYNPTR_FIRST : 0;
		s->spilled.id = id;
		s->spilled.ref_obj_id = ref;
		memset(s->stype, STK_DYNPTR, sizeof(s->stype));
	}
	return 0;
}

int check_dynptr_arg(struct venv *env, const struct vhelper *h, int regno, int a,
		     struct vcall_ext *ext)
{
	struct vreg *r = &cur_regs(env)[regno];
	struct vframe *f;
	char tb[48];
	int spi, err;

	if (r->type != VT_STACK)
		return verr(
			env, BK_E_V_DYNPTR,
			"R%d type=%s: arg#%d expected pointer to stack or const struct bpf_dynptr",
			regno, vtype_str(r, tb, sizeof(tb)), regno - 1);
	if (a == A_DYNPTR_LOCAL_NEW || a == A_DYNPTR_RB_NEW) {
		if (a == A_DYNPTR_LOCAL_NEW && cur_regs(env)[1].type != VT_MAP_VALUE)
			return verr(env, BK_E_V_HELPER_ARG, "Unsupported reg type %s for %s data",
				    vtype_str(&cur_regs(env)[1], tb, sizeof(tb)), h->name);
		return dynptr_new(env, regno, a == A_DYNPTR_RB_NEW ? DYN_RINGBUF : DYN_LOCAL);
	}
	spi = dynptr_spi(env, regno);
	if (spi < 0 && spi != -ERANGE)
		return spi;
	f = ptr_frame(env, r);
	if (a == A_DYNPTR_RB_RELEASE &&
	    (spi < 0 || f->stack[spi].stype[0] != STK_DYNPTR || !f->stack[spi].spilled.ref_obj_id))
		return verr(env, BK_E_V_REF, "arg %d is an unacquired reference", regno);
	if (spi < 0 || !dynptr_valid(f, spi))
		return verr(env, BK_E_V_DYNPTR, "Expected an initialized dynptr as arg #%d",
			    regno - 1);
	if (a == A_DYNPTR_RB_RELEASE && f->stack[spi].spilled.aux != DYN_RINGBUF)
		return verr(env, BK_E_V_DYNPTR, "Expected a dynptr of type ringbuf as arg #%d",
			    regno - 1);
	stack_note(env, r, r->off + (int64_t)r->var_off.value,
		   r->off + (int64_t)r->var_off.value + 16, false);
	ext->dyn_ref = f->stack[spi].spilled.ref_obj_id ? f->stack[spi].spilled.ref_obj_id
							: f->stack[spi].spilled.id;
	ext->dyn_kind = f->stack[spi].spilled.aux;
	if (a != A_DYNPTR_RB_RELEASE)
		return 0;
	uint32_t ref = f->stack[spi].spilled.ref_obj_id;

	clear_dynptr(f, spi);
	if ((err = release_reference(env, ref)))
		return err;
	return 0;
}

/* ---- packet dynptr kfuncs ------------------------------------------------------------ */

static int dynptr_from_ctx(struct venv *env, const struct vkfunc *k)
{
	struct vreg *regs = cur_regs(env);
	bool xdp = !strcmp(k->name, "bpf_dynptr_from_xdp");
	char tb[48];
	int err;

	if (regs[1].type != VT_CTX || regs[1].off || !tnum_is_const(regs[1].var_off) ||
	    regs[1].var_off.value)
		return verr(env, BK_E_V_KFUNC, "arg#0 expected pointer to ctx, but got %s",
			    vtype_str(&regs[1], tb, sizeof(tb)));
	if (regs[2].type != VT_SCALAR)
		return verr(env, BK_E_V_KFUNC, "R2 is not a scalar");
	if (regs[3].type != VT_STACK)
		return verr(env, BK_E_V_DYNPTR,
			    "arg#2 expected pointer to stack or const struct bpf_dynptr");
	if ((err = dynptr_new(env, 3, xdp ? DYN_XDP : DYN_SKB)))
		return err;
	regs = cur_regs(env);
	for (int i = 0; i <= 5; i++)
		reg_mark_not_init(&regs[i]);
	reg_mark_unknown(&regs[0]);
	return 0;
}

static int dynptr_slice(struct venv *env, const struct vkfunc *k)
{
	struct vreg *regs = cur_regs(env);
	bool rdwr = !strcmp(k->name, "bpf_dynptr_slice_rdwr");
	struct vcall_ext ext = {0};
	int kind, err;
	uint64_t size;

	if ((err = check_dynptr_arg(env, NULL, 1, A_DYNPTR, &ext)))
		return err;
	regs = cur_regs(env);
	kind = ext.dyn_kind;
	if (regs[2].type != VT_SCALAR)
		return verr(env, BK_E_V_KFUNC, "R2 is not a scalar");
	if (regs[4].type != VT_SCALAR || !tnum_is_const(regs[4].var_off))
		return verr(env, BK_E_V_HELPER_ARG, "R4 must be a known constant");
	size = regs[4].var_off.value;
	if (size > V_MAX_STACK * 64)
		return verr(env, BK_E_V_HELPER_ARG, "R4 must be a known constant");
	/* the buffer: NULL, or size bytes of writable memory */
	if (!(regs[3].type == VT_SCALAR && tnum_is_const(regs[3].var_off) &&
	      !regs[3].var_off.value) &&
	    (err = check_helper_mem_access(env, 3, (int)size, V_WRITE, true, true)))
		return err;
	if (rdwr && (kind == DYN_SKB || kind == DYN_XDP) &&
	    !prog_type_pkt_access(env->in->type, V_WRITE))
		return verr(env, BK_E_V_READONLY, "the prog does not allow writes to packet data");
	regs = cur_regs(env);
	for (int i = 0; i <= 5; i++)
		reg_mark_not_init(&regs[i]);
	reg_mark_unknown(&regs[0]);
	reg_mark_known(&regs[0], 0);
	regs[0].type = VT_MEM;
	regs[0].aux = (int32_t)size;
	regs[0].flags = VF_NULL | (rdwr ? 0 : VF_RDONLY) |
			(kind == DYN_SKB || kind == DYN_XDP ? VF_PKT_SLICE : 0);
	regs[0].id = new_id(env);
	regs[0].ref_obj_id = ext.dyn_ref;
	note_origin(env, regs[0].id, V_ORIGIN_KFUNC | (uint32_t)env->aux[env->insn_idx].kfunc);
	return 0;
}

int check_dynptr_kfunc(struct venv *env, const struct vkfunc *k)
{
	return k->flags & BK_KF_DYNPTR_NEW ? dynptr_from_ctx(env, k) : dynptr_slice(env, k);
}
