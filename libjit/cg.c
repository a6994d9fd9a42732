// SPDX-License-Identifier: MIT
/*
 * cg.c - the code generator's building blocks: labels and jumps whose size
 * settles over passes, calls by label and by address, out-of-line stubs
 * (checked-access slow paths, faults, helper status), the checked-mode
 * memory operand, helper calls and blinded immediates.
 *
 * Jumps use the previous pass's label addresses to pick rel8 or rel32.
 * Sizes only shrink from pass to pass (the first pass assumes rel32 and
 * movabs calls), so the addresses converge; the pass whose addresses equal
 * the previous pass's is the final image.
 */
#include <stdlib.h>

#include "jit_int.h"

_Static_assert(BK_VM_STACK_SIZE == 1 << 9, "frames are 512 bytes");

#define UNSET UINT32_MAX
#define SH_OFF(f) ((int32_t)__builtin_offsetof(struct bk_vm_run_shared, f))

const uint8_t bk_jit_reg[11] = {RAX, RDI, RSI, RDX, RCX, R8, RBX, R13, R14, R15, RBP};

void bk_jit_bind(struct jit_cg *c, uint32_t label)
{
	c->addr[label] = (uint32_t)c->b.pos;
	if (c->prev && c->prev[label] != UNSET)
		c->drift = (int64_t)c->prev[label] - (int64_t)c->b.pos;
}

static uint32_t prev_addr(const struct jit_cg *c, uint32_t label)
{
	return c->prev ? c->prev[label] : UNSET;
}

/* A jump: rel8 when the target is near enough, else rel32.  A target bound
 * in this pass (backward) is exact; a forward one is estimated from the
 * previous pass, moved by the drift so far: code only shrinks from pass to
 * pass, so the estimate never understates the distance the jump will have
 * once the layout settles (and in the final pass it is exact). */
void bk_jit_jump(struct jit_cg *c, enum x86_cc cc, uint32_t label)
{
	uint32_t prev = prev_addr(c, label);
	int64_t pos = (int64_t)c->b.pos, to;

	if (!c->prev) /* measuring an upper bound: every jump rel32 */
		to = INT64_MIN;
	else if (c->addr[label] != UNSET && c->addr[label] <= c->b.pos)
		to = c->addr[label];
	else if (prev != UNSET)
		to = (int64_t)prev - c->drift;
	else
		to = INT64_MIN;
	if (to != INT64_MIN && !c->near_only && bk_x86_is_s8(to - (pos + 2))) {
		bk_x86_jcc8(&c->b, cc, (int8_t)(to - (pos + 2)));
		return;
	}
	pos += cc == CC_ALWAYS ? 5 : 6;
	bk_x86_jcc32(&c->b, cc, to == INT64_MIN ? 0 : (int32_t)(to - pos));
}

void bk_jit_call_label(struct jit_cg *c, uint32_t label)
{
	uint32_t to = prev_addr(c, label);

	bk_x86_call32(&c->b, to == UNSET ? 0 : (int32_t)((int64_t)to - (int64_t)(c->b.pos + 5)));
}

void bk_jit_call_abs(struct jit_cg *c, uint64_t target)
{
	uint64_t dist = target > c->base ? target - c->base : c->base - target;

	if (c->base && dist <= c->reach) {
		uint64_t next = c->base + c->b.pos + 5;

		bk_x86_call32(&c->b, (int32_t)(int64_t)(target - next));
		return;
	}
	bk_x86_movabs(&c->b, BK_JIT_AUX, target);
	bk_x86_grp5_r(&c->b, G5_CALL, BK_JIT_AUX);
}

uint32_t bk_jit_stub(struct jit_cg *c, enum jit_stub_kind kind, uint32_t arg)
{
	struct jit_stub *s;
	unsigned k = c->nstub_cur++;

	if (k >= NSTUB) {
		bk_x86_fail(&c->b, -BK_E_JIT);
		return lbl_stub(c, c->cur, 0);
	}
	if (c->nstubs == c->capstubs) {
		size_t cap = c->capstubs ? 2 * c->capstubs : 64;
		struct jit_stub *n = realloc(c->stubs, cap * sizeof(*n));

		if (!n) {
			bk_x86_fail(&c->b, -12 /* ENOMEM */);
			return lbl_stub(c, c->cur, k);
		}
		c->stubs = n;
		c->capstubs = cap;
	}
	s = &c->stubs[c->nstubs++];
	*s = (struct jit_stub){.kind = (uint8_t)kind,
			       .k = (uint8_t)k,
			       .insn = (uint32_t)c->cur,
			       .arg = arg,
			       .resume = UNSET};
	return lbl_stub(c, c->cur, k);
}

void bk_jit_stub_resume(struct jit_cg *c, uint32_t label)
{
	for (size_t i = c->nstubs; i-- > 0 && c->stubs[i].insn == c->cur;)
		if (lbl_stub(c, c->cur, c->stubs[i].k) == label)
			c->stubs[i].resume = (uint32_t)c->b.pos;
}

const struct bk_insn_fact *bk_jit_fact(const struct jit_cg *c, size_t i)
{
	static const struct bk_insn_fact none;

	return c->facts ? &c->facts[i] : &none;
}

void bk_jit_mem_operand(struct jit_cg *c, int base, int32_t disp, unsigned size, unsigned mi,
			int *mbase, int32_t *mdisp)
{
	struct x86_buf *b = &c->b;
	bool in_frame = base == RBP && disp >= -BK_VM_STACK_SIZE && disp + (int32_t)size <= 0 &&
			(!(mi & MI_ATOMIC) || disp % (int32_t)size == 0);
	uint32_t stub;

	*mbase = base;
	*mdisp = disp;
	if (!c->checked || in_frame)
		return;
	if (bk_jit_fact(c, c->cur)->flags & BK_FACT_MEM_SAFE) {
		c->stats.facts_used++;
		return;
	}
	stub = bk_jit_stub(c, STUB_MEM,
			   (uint32_t)c->cur << MI_INSN_SHIFT | size << MI_SIZE_SHIFT | mi);
	/* fast path: inside the frames [rbp - 512, stack_top) */
	bk_x86_lea(b, true, BK_JIT_AUX, base, disp);
	bk_x86_lea(b, true, BK_JIT_TMP, RBP, -BK_VM_STACK_SIZE);
	bk_x86_alu_rr(b, true, XA_CMP, BK_JIT_AUX, BK_JIT_TMP);
	bk_jit_jump(c, CC_B, stub);
	/* addr <= stack_top - size (addr + size could wrap past 2^64) */
	bk_x86_load(b, 8, false, BK_JIT_TMP, BK_JIT_RUN, SH_OFF(stack_top));
	bk_x86_lea(b, true, BK_JIT_TMP, BK_JIT_TMP, -(int32_t)size);
	bk_x86_alu_rr(b, true, XA_CMP, BK_JIT_AUX, BK_JIT_TMP);
	bk_jit_jump(c, CC_A, stub);
	if ((mi & MI_ATOMIC) && size > 1) {
		bk_x86_alu_ri(b, false, XA_TEST, BK_JIT_AUX, (int32_t)size - 1);
		bk_jit_jump(c, CC_NE, stub);
	}
	bk_jit_stub_resume(c, stub);
	*mbase = BK_JIT_AUX;
	*mdisp = 0;
}

void bk_jit_fault_if(struct jit_cg *c, enum x86_cc cc, int code)
{
	bk_jit_jump(c, cc, bk_jit_stub(c, STUB_FAULT, (uint32_t)code));
}

void bk_jit_store_depth(struct jit_cg *c)
{
	struct x86_buf *b = &c->b;

	bk_x86_load(b, 8, false, BK_JIT_AUX, BK_JIT_RUN, SH_OFF(stack_top));
	bk_x86_alu_rr(b, true, XA_SUB, BK_JIT_AUX, RBP);
	bk_x86_shift_ri(b, true, G2_SHR, BK_JIT_AUX, 9); /* / BK_VM_STACK_SIZE */
	bk_x86_store_r(b, 4, BK_JIT_RUN, SH_OFF(depth), BK_JIT_AUX);
}

void bk_jit_helper_call(struct jit_cg *c, uint64_t fn, bool tail_site, bool depth)
{
	struct x86_buf *b = &c->b;

	if (depth || c->checked)
		bk_jit_store_depth(c);
	bk_x86_mov_rr(b, true, R9, BK_JIT_RUN);
	bk_jit_call_abs(c, fn);
	bk_x86_alu_mi(b, false, XA_CMP, BK_JIT_RUN, SH_OFF(status), 0);
	bk_jit_jump(c, CC_NE, bk_jit_stub(c, STUB_STATUS, tail_site));
}

uint32_t bk_jit_key(struct jit_cg *c)
{
	uint64_t x = c->rng;

	do {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	} while (!(uint32_t)x);
	c->rng = x;
	c->stats.blinded++;
	return (uint32_t)x;
}

void bk_jit_load_imm(struct jit_cg *c, int reg, int64_t imm, bool w)
{
	struct x86_buf *b = &c->b;
	uint32_t key;

	if (!c->harden) {
		bk_x86_mov_imm(b, reg, w ? (uint64_t)imm : (uint32_t)imm, true);
		return;
	}
	key = bk_jit_key(c);
	if (w) {
		/* sign extension commutes with xor */
		bk_x86_mov_imm(b, reg, (uint64_t)(int64_t)(int32_t)((uint32_t)imm ^ key), false);
		bk_x86_alu_ri(b, true, XA_XOR, reg, (int32_t)key);
	} else {
		bk_x86_mov_ri32(b, reg, (uint32_t)imm ^ key);
		bk_x86_alu_ri(b, false, XA_XOR, reg, (int32_t)key);
	}
}

/* ---- stubs -------------------------------------------------------------- */

static void stub_call_rt(struct jit_cg *c, uint64_t fn, uint32_t a1, uint32_t a2)
{
	struct x86_buf *b = &c->b;

	bk_x86_mov_rr(b, true, RDI, BK_JIT_RUN);
	bk_x86_mov_ri32(b, RSI, a1);
	bk_x86_mov_ri32(b, RDX, a2);
	bk_jit_call_abs(c, fn);
}

static void emit_stub(struct jit_cg *c, const struct jit_stub *s)
{
	struct x86_buf *b = &c->b;

	bk_jit_bind(c, lbl_stub(c, s->insn, s->k));
	switch ((enum jit_stub_kind)s->kind) {
	case STUB_MEM:
		bk_x86_mov_ri32(b, BK_JIT_TMP, s->arg);
		bk_jit_call_label(c, LBL_MEM_THUNK);
		bk_x86_jcc32(b, CC_ALWAYS, (int32_t)((int64_t)s->resume - (int64_t)(b->pos + 5)));
		break;
	case STUB_FAULT:
		stub_call_rt(c, (uint64_t)(uintptr_t)bk_jit_rt_fault, s->arg, s->insn);
		bk_jit_jump(c, CC_ALWAYS, LBL_ABORT);
		break;
	case STUB_STATUS:
		stub_call_rt(c, (uint64_t)(uintptr_t)bk_jit_rt_status, s->insn, s->arg);
		bk_x86_alu_rr(b, true, XA_TEST, RAX, RAX);
		bk_jit_jump(c, CC_E, LBL_ABORT);
		if (s->arg)
			bk_x86_load(b, 8, false, RDI, RSP, FRAME_SCRATCH);
		bk_x86_grp5_r(b, G5_JMP, RAX);
		break;
	case STUB_ARRAY_NULL:
		bk_x86_alu_rr(b, false, XA_XOR, RAX, RAX);
		bk_x86_jcc32(b, CC_ALWAYS, (int32_t)((int64_t)s->resume - (int64_t)(b->pos + 5)));
		break;
	}
}

/* The checked-access slow path: r11 = address, r10d = access info.  Keeps
 * every BPF register; faults abort. */
static void emit_mem_thunk(struct jit_cg *c)
{
	static const uint8_t saved[] = {RAX, RDI, RSI, RDX, RCX, R8, R11};
	struct x86_buf *b = &c->b;

	bk_jit_bind(c, LBL_MEM_THUNK);
	for (size_t i = 0; i < sizeof(saved); i++)
		bk_x86_push(b, saved[i]);
	bk_x86_mov_rr(b, true, RDI, BK_JIT_RUN);
	bk_x86_mov_rr(b, true, RSI, BK_JIT_AUX);
	bk_x86_mov_rr(b, false, RDX, BK_JIT_TMP);
	/* the check allows the frames up from this one, so the depth must be
	 * this frame's (a callee that returned left its own); uses r11 */
	bk_jit_store_depth(c);
	bk_jit_call_abs(c, (uint64_t)(uintptr_t)bk_jit_rt_mem);
	bk_x86_alu_rr(b, true, XA_TEST, RAX, RAX);
	bk_jit_jump(c, CC_NE, LBL_ABORT);
	for (size_t i = sizeof(saved); i-- > 0;)
		bk_x86_pop(b, saved[i]);
	bk_x86_ret(b);
}

void bk_jit_emit_stubs(struct jit_cg *c)
{
	for (size_t i = 0; i < c->nstubs; i++)
		emit_stub(c, &c->stubs[i]);
	if (c->checked)
		emit_mem_thunk(c);
}
