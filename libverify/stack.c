// SPDX-License-Identifier: MIT
/*
 * stack.c - the BPF stack of each frame: 8-byte slots, each a spilled
 * register (whole or narrow scalar spill) or bytes typed STK_MISC,
 * STK_ZERO or STK_INVALID (never written).
 *
 * Slot spi covers fp-8*(spi+1) .. fp-8*spi-1; byte fp+off (off < 0) is
 * stype[(-off-1) % 8] of slot (-off-1) / 8, so a spill at fp-8 fills
 * stype[7] down to stype[8-size].  The privileged rules apply: reading
 * never-written stack is allowed (it reads unknown data), pointers may be
 * spilled only as whole 8-byte aligned slots.
 */
#include <errno.h>
#include <stdlib.h>

#include "verify_int.h"

bool slot_is_spilled(const struct vslot *s)
{
	return s->stype[7] == STK_SPILL;
}

bool slot_is_spilled_scalar(const struct vslot *s)
{
	return slot_is_spilled(s) && s->spilled.type == VT_SCALAR;
}

int stack_grow(struct venv *env, struct vframe *f, int size)
{
	int n = (size + 7) / 8;

	if (n <= f->nslots)
		return 0;
	struct vslot *s = realloc(f->stack, sizeof(*s) * (size_t)n);

	if (!s)
		return -ENOMEM;
	memset(s + f->nslots, 0, sizeof(*s) * (size_t)(n - f->nslots));
	for (int i = f->nslots; i < n; i++)
		reg_mark_not_init(&s[i].spilled);
	f->stack = s;
	f->nslots = n;
	if (env->subprogs[f->subprog].stack_depth < n * 8)
		env->subprogs[f->subprog].stack_depth = n * 8;
	return 0;
}

int check_stack_access_bounds(struct venv *env, int regno, int off, int size, int t)
{
	struct vreg *r = &cur_regs(env)[regno];
	int64_t min_off, max_off;
	char vb[48];
	int err = 0;

	(void)t;
	if (tnum_is_const(r->var_off)) {
		min_off = (int64_t)r->var_off.value + off;
		max_off = min_off + size;
	} else {
		if (r->smax >= V_MAX_VAR_OFF || r->smin <= -V_MAX_VAR_OFF) {
			return verr(env, BK_E_V_STACK_BOUNDS,
				    "invalid unbounded variable-offset stack R%d", regno);
		}
		min_off = r->smin + off;
		max_off = r->smax + off + size;
	}
	if (min_off < -V_MAX_STACK || min_off > -1 || max_off > 0 || size < 0)
		err = 1;
	if (err) {
		if (tnum_is_const(r->var_off))
			return verr(env, BK_E_V_STACK_BOUNDS, "invalid%s stack off=%lld size=%d",
				    t == V_WRITE ? " write to" : " read from", (long long)min_off,
				    size);
		tnum_str(vb, sizeof(vb), r->var_off);
		return verr(env, BK_E_V_STACK_BOUNDS,
			    "invalid variable-offset%s stack R%d var_off=%s off=%d size=%d",
			    t == V_WRITE ? " write to" : " read from", regno, vb, off, size);
	}
	return stack_grow(env, ptr_frame(env, r), (int)-min_off);
}

static uint8_t *stype_at(struct vframe *f, int64_t off)
{
	int slot = (int)(-off - 1);

	return &f->stack[slot / 8].stype[slot % 8];
}

static void scrub_slot(struct vslot *s)
{
	for (int i = 0; i < 8; i++)
		if (s->stype[i] != STK_INVALID)
			s->stype[i] = STK_MISC;
}

static bool slot_special(const struct vslot *s)
{
	return s->stype[7] == STK_SPILL || s->stype[0] == STK_ITER;
}

static void save_reg(struct vslot *s, const struct vreg *r, int size)
{
	int i;

	s->spilled = *r;
	for (i = 8; i > 8 - size; i--)
		s->stype[i - 1] = STK_SPILL;
	for (; i; i--)
		if (s->stype[i - 1] != STK_ZERO && s->stype[i - 1] != STK_INVALID)
			s->stype[i - 1] = STK_MISC;
}

static bool spillable(const struct vreg *r)
{
	return r->type != VT_SCALAR && r->type != VT_NOT_INIT;
}

static int write_fixed(struct venv *env, struct vframe *f, int off, int size, int value_regno,
		       const struct bk_dinsn *d)
{
	int slot = -off - 1, spi = slot / 8;
	struct vslot *s = &f->stack[spi];
	struct vreg *r = value_regno >= 0 ? &cur_regs(env)[value_regno] : NULL;
	bool is_st = bk_opc_class(bk_op_info(d->op)->opcode) == BK_CLASS_ST;
	int err = dynptr_stack_write(env, f, spi);

	if (err)
		return err;
	if (r && !(off % 8) && r->type == VT_SCALAR) {
		bool fits = reg_width(r) <= 8 * size;

		khist_note(env->cur, env->insn_idx);
		if (fits && !(r->id & V_ADD_CONST) && !r->id && !tnum_is_const(r->var_off))
			r->id = new_id(env);
		else if (fits && (r->id & V_ADD_CONST) && !tnum_is_const(r->var_off)) {
			r->id = new_id(env);
			r->off = 0;
		}
		save_reg(s, r, size);
		if (!fits)
			s->spilled.id = 0;
		return 0;
	}
	if (!r && !(off % 8) && is_st) {
		struct vreg tmp;

		khist_note(env->cur, env->insn_idx);
		reg_mark_unknown(&tmp);
		reg_mark_known(&tmp, (uint64_t)(int64_t)d->imm);
		tmp.type = VT_SCALAR;
		save_reg(s, &tmp, size);
		return 0;
	}
	if (r && spillable(r)) {
		if (size != 8)
			return verr(env, BK_E_V_SPILL, "invalid size of register spill");
		if (f != cur_frame(env) && r->type == VT_STACK)
			return verr(
				env, BK_E_V_SPILL,
				"cannot spill pointers to stack into stack frame of the caller");
		khist_note(env->cur, env->insn_idx);
		save_reg(s, r, size);
		return 0;
	}
	uint8_t type = STK_MISC;

	reg_mark_not_init(&s->spilled);
	if (slot_special(s))
		scrub_slot(s);
	if ((r && reg_is_null(r)) || (!r && is_st && d->imm == 0))
		type = STK_ZERO;
	for (int i = 0; i < size; i++)
		s->stype[(slot - i) % 8] = type;
	return 0;
}

static int write_var(struct venv *env, struct vframe *f, int regno, int off, int size,
		     int value_regno, const struct bk_dinsn *d)
{
	struct vreg *ptr = &cur_regs(env)[regno];
	struct vreg *v = value_regno >= 0 ? &cur_regs(env)[value_regno] : NULL;
	bool is_st = bk_opc_class(bk_op_info(d->op)->opcode) == BK_CLASS_ST;
	bool zero = (v && reg_is_null(v)) || (!v && is_st && d->imm == 0);
	int64_t min_off = ptr->smin + off, max_off = ptr->smax + off + size;
	int err;

	for (int64_t i = min_off; i < max_off; i++)
		if ((err = dynptr_stack_write(env, f, (int)((-i - 1) / 8))))
			return err;
	for (int64_t i = min_off; i < max_off; i++) {
		int slot = (int)(-i - 1), spi = slot / 8;
		struct vslot *s = &f->stack[spi];
		uint8_t *st = &s->stype[slot % 8];

		if (zero && *st == STK_SPILL && slot_is_spilled_scalar(s) &&
		    tnum_is_const(s->spilled.var_off) && s->spilled.var_off.value == 0)
			continue;
		reg_mark_not_init(&s->spilled);
		*st = (zero && *st == STK_ZERO) ? STK_ZERO : STK_MISC;
	}
	return 0;
}

void stack_note(struct venv *env, const struct vreg *ptr, int64_t min_off, int64_t max_off,
		bool write_whole)
{
	uint64_t mask = 0;
	int insn = env->insn_idx;

	for (int64_t i = min_off; i < max_off && i < 0; i++)
		if (i >= -V_MAX_STACK)
			mask |= 1ULL << ((-i - 1) / 8);
	if (ptr->frameno != env->cur->curframe) {
		/* a callee (or callback) reads its caller's stack: the slots
		 * are live before the call in the caller; its writes kill
		 * nothing there (they may not happen on every path) */
		if (ptr->frameno >= env->cur->curframe)
			return;
		insn = env->cur->frames[ptr->frameno + 1]->callsite;
		if (write_whole || (mask & ~env->stk_read[insn]) == 0)
			return;
		env->stk_read[insn] |= mask;
		env->stk_dirty = true;
		return;
	}
	if (write_whole) {
		if (!(env->aux[env->insn_idx].flags & AUX_STK_SEEN))
			env->stk_kill[env->insn_idx] = mask;
		else
			env->stk_kill[env->insn_idx] &= mask;
		env->aux[env->insn_idx].flags |= AUX_STK_SEEN;
		env->stk_dirty = true;
		return;
	}
	if (mask & ~env->stk_read[env->insn_idx]) {
		env->stk_read[env->insn_idx] |= mask;
		env->stk_dirty = true;
	}
}

int stack_write(struct venv *env, int regno, int off, int size, int value_regno,
		const struct bk_dinsn *d)
{
	struct vreg *ptr = &cur_regs(env)[regno];
	struct vframe *f = ptr_frame(env, ptr);

	if (tnum_is_const(ptr->var_off) && size == 8)
		stack_note(env, ptr, off + (int64_t)ptr->var_off.value,
			   off + (int64_t)ptr->var_off.value + 8, true);
	else if (!(env->aux[env->insn_idx].flags & AUX_STK_SEEN)) {
		env->stk_kill[env->insn_idx] = 0;
		env->aux[env->insn_idx].flags |= AUX_STK_SEEN;
	} else
		env->stk_kill[env->insn_idx] = 0;

	if (tnum_is_const(ptr->var_off))
		return write_fixed(env, f, off + (int)ptr->var_off.value, size, value_regno, d);
	return write_var(env, f, regno, off, size, value_regno, d);
}

/* Reading [min_off, max_off) into dst: zero if every byte is STK_ZERO. */
static void mark_stack_read(struct venv *env, struct vframe *f, int64_t min_off, int64_t max_off,
			    int dst)
{
	struct vreg *r = &cur_regs(env)[dst];
	int64_t i;

	for (i = min_off; i < max_off; i++)
		if (*stype_at(f, i) != STK_ZERO)
			break;
	reg_mark_unknown(r);
	if (i == max_off)
		reg_mark_known(r, 0);
}

static int read_fixed(struct venv *env, struct vframe *f, int off, int size, int dst)
{
	int slot = -off - 1, spi = slot / 8;
	struct vslot *s = &f->stack[spi];
	struct vreg *regs = cur_regs(env);

	/* an iterator's or a dynptr's bytes are the kernel's, not the program's */
	for (int i = 0; i < size; i++)
		if (*stype_at(f, off + i) == STK_ITER || *stype_at(f, off + i) == STK_DYNPTR)
			return verr(env, BK_E_V_STACK_READ,
				    "invalid read from stack off %d+%d size %d", off, i, size);

	if (slot_is_spilled(s)) {
		int spill_size = 1;

		if (dst >= 0)
			khist_note(env->cur, env->insn_idx);
		for (int i = 7; i > 0 && s->stype[i - 1] == STK_SPILL; i--)
			spill_size++;
		if (size != 8 || spill_size != 8) {
			if (s->spilled.type != VT_SCALAR)
				return verr(env, BK_E_V_SPILL, "invalid size of register fill");
			if (dst < 0)
				return 0;
			if (size <= spill_size && !(off % 8)) {
				struct vreg *sp = &s->spilled;

				if (size == 4 && spill_size == 4 && reg_width(sp) <= 32 &&
				    !tnum_is_const(sp->var_off) &&
				    (!sp->id || (sp->id & V_ADD_CONST))) {
					sp->id = new_id(env);
					sp->off = 0;
				}
				regs[dst] = *sp;
				if (reg_width(sp) > size * 8)
					regs[dst].id = 0;
				return 0;
			}
			int spill_cnt = 0, zero_cnt = 0;

			for (int i = 0; i < size; i++) {
				uint8_t t = s->stype[(slot - i) % 8];

				if (t == STK_SPILL)
					spill_cnt++;
				else if (t == STK_ZERO)
					zero_cnt++;
			}
			reg_mark_unknown(&regs[dst]);
			if ((spill_cnt == size && tnum_is_const(s->spilled.var_off) &&
			     s->spilled.var_off.value == 0) ||
			    zero_cnt == size)
				reg_mark_known(&regs[dst], 0);
			return 0;
		}
		if (dst >= 0) {
			struct vreg *sp = &s->spilled;

			if (sp->type == VT_SCALAR && !tnum_is_const(sp->var_off) &&
			    (!sp->id || (sp->id & V_ADD_CONST))) {
				sp->id = new_id(env);
				sp->off = 0;
			}
			regs[dst] = *sp;
		}
		return 0;
	}
	if (dst >= 0)
		mark_stack_read(env, f, off, off + size, dst);
	return 0;
}

int stack_read(struct venv *env, int regno, int off, int size, int dst)
{
	struct vreg *ptr = &cur_regs(env)[regno];
	struct vframe *f = ptr_frame(env, ptr);
	char vb[48];

	if (tnum_is_const(ptr->var_off))
		stack_note(env, ptr, off + (int64_t)ptr->var_off.value,
			   off + (int64_t)ptr->var_off.value + size, false);
	else
		stack_note(env, ptr, ptr->smin + off, ptr->smax + off + size, false);

	if (tnum_is_const(ptr->var_off))
		return read_fixed(env, f, off + (int)ptr->var_off.value, size, dst);
	if (dst < 0) {
		tnum_str(vb, sizeof(vb), ptr->var_off);
		return verr(env, BK_E_V_STACK_READ,
			    "variable offset stack pointer cannot be passed into helper function; "
			    "var_off=%s off=%d size=%d",
			    vb, off, size);
	}
	int err = stack_range_init(env, regno, off, size, false, V_READ, false);

	if (err)
		return err;
	mark_stack_read(env, f, ptr->smin + off, ptr->smax + off + size, dst);
	return 0;
}

/* Stack memory a helper reads (or writes, t == V_WRITE). */
int stack_range_init(struct venv *env, int regno, int off, int size, bool zero_ok, int t, bool raw)
{
	struct vreg *ptr = &cur_regs(env)[regno];
	int64_t min_off, max_off;
	int err;

	if (size == 0 && !zero_ok)
		return verr(env, BK_E_V_ZERO_SIZE, "invalid zero-sized read");
	if ((err = check_stack_access_bounds(env, regno, off, size, t)))
		return err;
	struct vframe *f = ptr_frame(env, ptr);

	if (tnum_is_const(ptr->var_off)) {
		min_off = max_off = (int64_t)ptr->var_off.value + off;
	} else {
		raw = false;
		min_off = ptr->smin + off;
		max_off = ptr->smax + off;
	}
	stack_note(env, ptr, min_off, max_off + size, false);
	if (raw && t == V_WRITE)
		/* the caller marks the bytes written; none is a dynptr's */
		return dynptr_raw_write(env, f, min_off, max_off + size);
	for (int64_t i = min_off; i < max_off + size; i++) {
		int slot = (int)(-i - 1), spi = slot / 8;
		struct vslot *s = &f->stack[spi];
		uint8_t *st = &s->stype[slot % 8];

		if (*st == STK_MISC)
			continue;
		if ((*st == STK_ITER && t == V_READ) || *st == STK_DYNPTR)
			return verr(env, BK_E_V_STACK_READ,
				    "invalid read from stack R%d off %lld+%lld size %d", regno,
				    (long long)min_off, (long long)(i - min_off), size);
		if (*st == STK_ITER) {
			reg_mark_not_init(&s->spilled);
			*st = STK_MISC;
			continue;
		}
		if (*st == STK_ZERO || *st == STK_INVALID) {
			if (t == V_WRITE)
				*st = STK_MISC;
			continue;
		}
		if (slot_is_spilled(s)) {
			if (t == V_WRITE) {
				reg_mark_unknown(&s->spilled);
				scrub_slot(s);
			}
			continue;
		}
		if (t == V_WRITE)
			*st = STK_MISC;
	}
	return 0;
}

/* After a helper wrote size bytes at the stack pointer in regno. */
void stack_mark_written(struct venv *env, int regno, int off, int size)
{
	struct vreg *ptr = &cur_regs(env)[regno];
	struct vframe *f = ptr_frame(env, ptr);
	int64_t base = (int64_t)ptr->var_off.value + off;

	for (int64_t i = base; i < base + size; i++) {
		int slot = (int)(-i - 1);
		struct vslot *s = &f->stack[slot / 8];

		if (slot_is_spilled(s) || s->stype[slot % 8] == STK_ITER) {
			reg_mark_not_init(&s->spilled);
			if (slot_is_spilled(s))
				scrub_slot(s);
		}
		s->stype[slot % 8] = STK_MISC;
	}
}

/* The constant key behind a stack pointer, or -1 (array lookups with a
 * known in-range key return a non-NULL value). */
int64_t stack_const_key(struct venv *env, const struct vreg *key, uint32_t key_size)
{
	if (key->type != VT_STACK || !tnum_is_const(key->var_off))
		return -1;
	int64_t off = key->off + (int64_t)key->var_off.value;
	int slot = (int)(-off - 1), spi = slot / 8, o = slot % 8;
	struct vframe *f = env->cur->frames[key->frameno];
	struct vslot *s;
	uint32_t zero = 0, spill = 0;

	if (off >= 0 || spi >= f->nslots)
		return -1;
	s = &f->stack[spi];
	for (int i = o; i >= 0 && s->stype[i] == STK_ZERO; i--)
		zero++;
	if (zero >= key_size)
		return 0;
	if (!slot_is_spilled_scalar(s))
		return -1;
	for (int i = o; i >= 0 && s->stype[i] == STK_SPILL; i--)
		spill++;
	if (spill != key_size || !tnum_is_const(s->spilled.var_off))
		return -1;
	return (int64_t)s->spilled.var_off.value;
}
