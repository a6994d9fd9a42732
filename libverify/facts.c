// SPDX-License-Identifier: MIT
/*
 * facts.c - what the verifier proved about each instruction, for a code
 * generator (bk_verify_opts.facts; struct bk_insn_fact in uapi.h).
 *
 * Collection: facts_visit() runs for every state that reaches an
 * instruction, before the instruction, pruned or not (do_check calls it
 * right after the pruning check, so a path that ends there is counted as
 * well).  Per instruction it keeps the JOIN of what held in every state:
 * a flag survives only if it held each time; constants must agree.  It
 * also records which edges of a conditional jump were taken (the state's
 * previous instruction) and, when a path is pruned, what the pruning did
 * not compare ("seeds", below).  facts_end() turns that into the output
 * once the program is accepted; on a rejection (or when memory runs
 * short) the output is all zero: nothing claimed.  States of a verification
 * that is restarted only add to the join, which can only weaken it.
 *
 * Soundness.  A fact must hold for every concrete run.  The states the
 * verifier visits over-approximate the runs of their own paths, but a path
 * pruned at instruction i against a checkpoint C is not explored further:
 * its runs continue in C's explored paths only as far as C subsumes it,
 * and the comparison (prune.c) covers only live pointers and the
 * "demanded" scalars (precise.c): a scalar nothing safety-relevant
 * depends on may differ arbitrarily between the pruned path and C.  So:
 *
 *  - Facts the verifier's own safety rests on are claimed from the join
 *    alone: DEAD (no state reached the instruction), JMP_ALWAYS/NEVER (one
 *    edge of the jump was never followed: every visit decided it, so its
 *    operands are demanded, and a pruned path follows only edges C's
 *    exploration followed), MEM_SAFE
 *    (every access the verifier accepted through a stack, map value or
 *    packet pointer, or the context of a program type whose context the VM
 *    lays out as the kernel, is in bounds; atomics aligned).  These are as
 *    sound as the verifier's acceptance of the program.
 *  - Value facts (DST/SRC_CONST, DST/SRC_ZEXT, DIV_NONZERO/NO_OVF of a
 *    register divisor, KEY_IN_RANGE) are claimed only for registers and
 *    stack slots that are not "tainted".  Taint is a forward data-flow
 *    analysis over the whole program (subprograms and callbacks
 *    included), seeded at every instruction where a path was pruned with
 *    each register and spilled scalar slot the comparison may have
 *    ignored (not live, or a scalar not demanded; caller frames at their
 *    return sites), and propagated through moves, arithmetic, spills and
 *    fills, stores through pointers that may reach the stack, calls and
 *    returns.  An untainted value at an instruction depends only on
 *    values every pruning compared, so the states visited there cover the
 *    runs of pruned paths too.  The analysis is conservative where it is
 *    simple: a store through a pointer taints all stack memory reached
 *    through pointers, callbacks start with everything tainted, and a
 *    conditional jump on a tainted scalar taints everything (its
 *    refinements could reach linked registers).
 *
 * Facts are per instruction slot whatever the frame: the join runs over
 * every state of every frame, subprogram and global function.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>

#include "verify_int.h"

/* Internal join bits above the public BK_FACT_* ones. */
enum {
	FC_OVF_SRC = 1u << 24,	 /* sdiv/smod: the divisor is never -1 */
	FC_OVF_DST = 1u << 25,	 /* sdiv/smod: the dividend is never INT_MIN */
	FC_NOT_STACK = 1u << 26, /* memory: the address is never a stack pointer */
	FC_PUBLIC = (1u << 11) - 1,
};

/* Bits that accumulate (OR) over visits. */
enum {
	FB_FELL = 1 << 0,	/* conditional jump: fell through */
	FB_TOOK = 1 << 1,	/* conditional jump: jumped */
	FB_DST_SCALAR = 1 << 2, /* dst was a scalar in some state */
	FB_SRC_SCALAR = 1 << 3,
	FB_CALLBACK = 1 << 4, /* a call passed a callback (r1..r5 a function) */
	FB_PTR_MIXED = 1 << 5,
};

struct vfacc {
	uint32_t visits;
	uint32_t cand; /* BK_FACT_* and FC_* that held in every visit */
	uint64_t dst_val, src_val;
	uint8_t ptr; /* enum bk_fact_ptr of the first visit */
	uint8_t bits;
	int16_t key_off; /* KEY_IN_RANGE: the key's offset in the frame */
	uint16_t seed_regs;
	bool seed_any;
	uint64_t seed_slots;
};

struct taint {
	uint16_t regs;	/* bit n: rn may differ from what the states say */
	bool any;	/* stack memory reached through a pointer may */
	uint64_t slots; /* the frame's 8-byte slots (bit k: fp-8k-8) may */
};

#define ALL_REGS 0x3ffu
#define ARG_REGS 0x3eu
#define SAVED_REGS 0x3c0u

static unsigned fmt_of(const struct bk_dinsn *d)
{
	return bk_op_info(d->op)->fmt;
}

static bool is_cond(const struct bk_dinsn *d)
{
	return fmt_of(d) == BK_FMT_JMP_K || fmt_of(d) == BK_FMT_JMP_X;
}

static bool has_dst_facts(const struct bk_dinsn *d)
{
	switch (fmt_of(d)) {
	case BK_FMT_ALU_K:
	case BK_FMT_ALU_X:
	case BK_FMT_NEG:
	case BK_FMT_MOVSX:
	case BK_FMT_END:
	case BK_FMT_JMP_K:
	case BK_FMT_JMP_X:
		return true;
	default:
		return d->op == BK_OP_LDDW;
	}
}

static bool has_src_facts(const struct bk_dinsn *d)
{
	unsigned f = fmt_of(d);

	return f == BK_FMT_ALU_X || f == BK_FMT_JMP_X || f == BK_FMT_MOVSX;
}

static bool is_divmod(const struct bk_dinsn *d, bool *sgn)
{
	switch (d->op) {
	case BK_OP_SDIV64_K:
	case BK_OP_SDIV64_X:
	case BK_OP_SMOD64_K:
	case BK_OP_SMOD64_X:
	case BK_OP_SDIV32_K:
	case BK_OP_SDIV32_X:
	case BK_OP_SMOD32_K:
	case BK_OP_SMOD32_X:
		*sgn = true;
		return true;
	case BK_OP_DIV64_K:
	case BK_OP_DIV64_X:
	case BK_OP_MOD64_K:
	case BK_OP_MOD64_X:
	case BK_OP_DIV32_K:
	case BK_OP_DIV32_X:
	case BK_OP_MOD32_K:
	case BK_OP_MOD32_X:
		*sgn = false;
		return true;
	default:
		return false;
	}
}

/* The address register of a load, store or atomic; -1 for others. */
static int mem_reg(const struct bk_dinsn *d)
{
	unsigned cls = bk_opc_class(bk_op_info(d->op)->opcode);

	if (cls == BK_CLASS_LDX)
		return d->src;
	if (cls == BK_CLASS_ST || cls == BK_CLASS_STX)
		return d->dst;
	return -1;
}

/* ---- collection ------------------------------------------------------- */

static uint32_t scalar_facts(const struct vreg *r, uint32_t cnst, uint32_t zext, uint64_t *val)
{
	uint32_t f = 0;

	if (r->type != VT_SCALAR)
		return 0;
	if (tnum_is_const(r->var_off)) {
		f |= cnst;
		*val = r->var_off.value;
	}
	if (r->umax <= UINT32_MAX)
		f |= zext;
	return f;
}

static uint32_t div_facts(const struct bk_dinsn *d, const struct vreg *dst, const struct vreg *src,
			  bool sgn)
{
	bool w = bk_opc_class(bk_op_info(d->op)->opcode) == BK_CLASS_ALU64;
	uint32_t f = 0;

	if (fmt_of(d) == BK_FMT_ALU_K) /* the verifier refuses / 0; -1 is visible */
		return (d->imm ? BK_FACT_DIV_NONZERO : 0) |
		       (sgn && d->imm != -1 ? BK_FACT_DIV_NO_OVF : 0);
	if (src->type != VT_SCALAR || dst->type != VT_SCALAR)
		return 0;
	if (w ? src->umin > 0 || src->var_off.value
	      : src->u32min > 0 || (uint32_t)src->var_off.value)
		f |= BK_FACT_DIV_NONZERO;
	if (!sgn)
		return f;
	if (w ? src->smin > -1 || src->smax < -1 : src->s32min > -1 || src->s32max < -1)
		f |= FC_OVF_SRC | BK_FACT_DIV_NO_OVF;
	if (w ? dst->smin > INT64_MIN : dst->s32min > INT32_MIN)
		f |= FC_OVF_DST | BK_FACT_DIV_NO_OVF;
	return f;
}

static uint8_t ptr_kind(const struct vreg *r)
{
	switch (r->type) {
	case VT_STACK:
		return BK_FACT_PTR_STACK;
	case VT_CTX:
		return BK_FACT_PTR_CTX;
	case VT_PKT:
	case VT_PKT_META:
		return BK_FACT_PTR_PACKET;
	case VT_MAP_VALUE:
		return BK_FACT_PTR_MAP_VALUE;
	case VT_MEM:
		return BK_FACT_PTR_MEM;
	default:
		return BK_FACT_PTR_UNKNOWN;
	}
}

/* Accesses the VM's checked mode can skip: memory laid out as the
 * verifier assumed it (a VT_MEM region may be smaller: raw programs get a
 * buffer of the caller's length, not the 4096 bytes verified). */
static bool mem_safe_kind(const struct venv *env, uint8_t k)
{
	switch (k) {
	case BK_FACT_PTR_STACK:
	case BK_FACT_PTR_MAP_VALUE:
	case BK_FACT_PTR_PACKET:
		return true;
	case BK_FACT_PTR_CTX:
		return env->in->type == BK_PROG_XDP || env->in->type == BK_PROG_IOURING;
	default:
		return false;
	}
}

static uint32_t key_facts(struct venv *env, const struct vreg *regs, int16_t *off)
{
	const struct vreg *m = &regs[1], *k = &regs[2];
	const struct bk_map_def *def;
	int64_t key;

	if (m->type != VT_MAP_PTR || m->aux < 0 || (size_t)m->aux >= env->in->nmaps)
		return 0;
	def = &env->in->maps[m->aux];
	if (def->type != BPF_MAP_TYPE_ARRAY || def->key_size != 4 || k->type != VT_STACK ||
	    k->frameno != env->cur->curframe || !tnum_is_const(k->var_off))
		return 0;
	key = stack_const_key(env, k, 4);
	if (key < 0 || key >= def->max_entries)
		return 0;
	*off = (int16_t)(k->off + (int64_t)k->var_off.value);
	return BK_FACT_KEY_IN_RANGE;
}

/* Which registers and slots a pruning at idx may not have compared (with
 * the demand that pruning used: the set of decided jumps has not grown
 * since). */
static void note_seeds(struct venv *env, int idx)
{
	const struct vstate *st = env->cur;
	const struct vdemand *pd = prune_demand(env);

	for (int f = st->curframe; f >= 0; f--) {
		const struct vframe *fr = st->frames[f];
		int at = f == st->curframe ? idx : st->frames[f + 1]->callsite + 1;
		const struct vaux *a;
		struct vfacc *s;
		uint64_t slots = 0, sdem;
		uint16_t live, dem;

		if (at < 0 || (size_t)at >= env->cnt)
			continue;
		a = &env->aux[at];
		dem = pd ? pd->dem[at] : a->demand;
		sdem = pd ? pd->sdem[at] : a->sdemand;
		live = f == st->curframe ? a->live : a->live & SAVED_REGS;
		s = &env->facts[at];
		for (int r = 0; r < 10; r++) {
			const struct vreg *v = &fr->regs[r];
			bool compared = (live >> r & 1) && (reg_is_ptr(v) || (dem >> r & 1));

			if (!compared && (f == st->curframe || (SAVED_REGS >> r & 1)))
				s->seed_regs |= (uint16_t)(1u << r);
		}
		for (int k = 0; k < fr->nslots && k < 64; k++) {
			bool scalar = false;

			for (int b = 0; b < 8; b++)
				scalar |= fr->stack[k].stype[b] == STK_MISC ||
					  (fr->stack[k].stype[b] == STK_SPILL &&
					   fr->stack[k].spilled.type == VT_SCALAR);
			if (scalar && !(sdem >> k & 1))
				slots |= 1ull << k;
		}
		s->seed_slots |= slots;
		/* the current frame may read a caller's slots through a pointer */
		if (slots && f != st->curframe)
			env->facts[idx].seed_any = true;
	}
}

static void join(struct vfacc *a, uint32_t f, uint64_t dv, uint64_t sv, uint8_t ptr)
{
	if (!a->visits++) {
		a->cand = f;
		a->dst_val = dv;
		a->src_val = sv;
		a->ptr = ptr;
		return;
	}
	a->cand &= f;
	if (a->dst_val != dv)
		a->cand &= ~(uint32_t)BK_FACT_DST_CONST;
	if (a->src_val != sv)
		a->cand &= ~(uint32_t)BK_FACT_SRC_CONST;
	if (a->ptr != ptr)
		a->bits |= FB_PTR_MIXED;
}

void facts_visit(struct venv *env, int idx, bool pruned)
{
	const struct bk_dinsn *d = &env->insns[idx];
	const struct vreg *regs;
	struct vfacc *a;
	uint32_t f = 0;
	uint64_t dv = 0, sv = 0;
	uint8_t ptr = 0;
	int16_t koff = 0;
	int prev = env->prev_insn_idx, mr;
	bool sgn;

	if (!env->facts) {
		if (env->facts_off || !env->opts.facts || env->opts.nfacts != env->cnt)
			return;
		env->facts = calloc(env->cnt + 1, sizeof(*env->facts));
		if (!env->facts) {
			env->facts_off = true;
			return;
		}
	}
	a = &env->facts[idx];
	regs = cur_regs(env);
	if (prev >= 0 && (size_t)prev < env->cnt && is_cond(&env->insns[prev])) {
		if (idx == prev + 1)
			env->facts[prev].bits |= FB_FELL;
		if (idx == prev + env->insns[prev].off + 1)
			env->facts[prev].bits |= FB_TOOK;
	}
	if (pruned)
		note_seeds(env, idx);
	if (has_dst_facts(d) && d->dst < 10) {
		f |= scalar_facts(&regs[d->dst], BK_FACT_DST_CONST, BK_FACT_DST_ZEXT, &dv);
		if (regs[d->dst].type == VT_SCALAR)
			a->bits |= FB_DST_SCALAR;
	}
	if (has_src_facts(d) && d->src < 10) {
		f |= scalar_facts(&regs[d->src], BK_FACT_SRC_CONST, BK_FACT_SRC_ZEXT, &sv);
		if (regs[d->src].type == VT_SCALAR)
			a->bits |= FB_SRC_SCALAR;
	}
	if (is_divmod(d, &sgn))
		f |= div_facts(d, &regs[d->dst], &regs[d->src < 10 ? d->src : 0], sgn);
	if ((mr = mem_reg(d)) >= 0 && mr <= 10) {
		ptr = ptr_kind(&regs[mr]);
		if (mem_safe_kind(env, ptr))
			f |= BK_FACT_MEM_SAFE;
		if (ptr != BK_FACT_PTR_STACK)
			f |= FC_NOT_STACK;
	}
	if (fmt_of(d) == BK_FMT_CALL || fmt_of(d) == BK_FMT_CALL_KFUNC) {
		for (int r = 1; r <= 5; r++)
			if (regs[r].type == VT_FUNC)
				a->bits |= FB_CALLBACK;
		if (d->op == BK_OP_CALL && d->imm == BPF_FUNC_map_lookup_elem)
			f |= key_facts(env, regs, &koff);
	}
	join(a, f, dv, sv, ptr);
	if (a->visits > 1 && a->key_off != koff)
		a->cand &= ~(uint32_t)BK_FACT_KEY_IN_RANGE;
	a->key_off = koff;
}

/* ---- taint -------------------------------------------------------------- */

struct tsum {
	bool r0, any; /* a subprogram's exits: r0 tainted, stack memory tainted */
};

static bool tainted(const struct taint *t, int r)
{
	return r < 10 && (t->regs >> r & 1);
}

static void set_taint(struct taint *t, int r, bool v)
{
	if (r >= 10)
		return;
	t->regs = (uint16_t)(v ? t->regs | 1u << r : t->regs & ~(1u << r));
}

static bool merge(struct taint *dst, const struct taint *src)
{
	struct taint n = {(uint16_t)(dst->regs | src->regs), dst->any || src->any,
			  dst->slots | src->slots};
	bool ch = n.regs != dst->regs || n.any != dst->any || n.slots != dst->slots;

	*dst = n;
	return ch;
}

/* The frame's slots bytes [off, off + size) fall in; 0 when outside it. */
static uint64_t slot_bits(int64_t off, int size)
{
	uint64_t b = 0;

	if (off < -V_MAX_STACK || off + size > 0)
		return 0;
	for (int64_t x = off; x < off + size; x++)
		b |= 1ull << ((-x - 1) / 8);
	return b;
}

static int access_size(const struct bk_dinsn *d)
{
	return (int)bk_opc_size(bk_op_info(d->op)->opcode);
}

static bool load_taint(const struct taint *t, const struct bk_dinsn *d, int areg, bool may_stack)
{
	uint64_t b;

	if (tainted(t, areg))
		return true;
	if (!may_stack)
		return false;
	if (areg == 10 && (b = slot_bits(d->off, access_size(d))))
		return t->any || (t->slots & b);
	return t->any || t->slots;
}

static void store_taint(struct taint *t, const struct bk_dinsn *d, bool v, bool may_stack,
			bool can_clear)
{
	int size = access_size(d);
	uint64_t b;

	if (d->dst == 10 && (b = slot_bits(d->off, size))) {
		if (can_clear && size == 8 && d->off % 8 == 0)
			t->slots = v ? t->slots | b : t->slots & ~b;
		else if (v)
			t->slots |= b;
		return;
	}
	if (may_stack && (v || tainted(t, d->dst)))
		t->any = true;
}

/* Loads, stores, ALU and calls of helpers: t before -> t after. */
static void step(const struct bk_dinsn *d, const struct vfacc *a, struct taint *t)
{
	bool may = !a->visits || !(a->cand & FC_NOT_STACK), l;

	switch (fmt_of(d)) {
	case BK_FMT_ALU_K:
		if (d->op == BK_OP_MOV64_K || d->op == BK_OP_MOV32_K)
			set_taint(t, d->dst, false);
		break;
	case BK_FMT_ALU_X:
		l = tainted(t, d->src);
		if (d->op != BK_OP_MOV64_X && d->op != BK_OP_MOV32_X)
			l |= tainted(t, d->dst);
		set_taint(t, d->dst, l);
		break;
	case BK_FMT_MOVSX:
		set_taint(t, d->dst, tainted(t, d->src));
		break;
	case BK_FMT_LDDW:
		set_taint(t, d->dst, false);
		break;
	case BK_FMT_LDX:
		set_taint(t, d->dst, load_taint(t, d, d->src, may));
		break;
	case BK_FMT_ST:
		store_taint(t, d, false, may, true);
		break;
	case BK_FMT_STX:
		store_taint(t, d, tainted(t, d->src), may, true);
		break;
	case BK_FMT_ATOMIC:
		store_taint(t, d, tainted(t, d->src), may, false);
		break;
	case BK_FMT_ATOMIC_FETCH:
	case BK_FMT_XCHG:
		l = load_taint(t, d, d->dst, may) || tainted(t, d->src);
		store_taint(t, d, tainted(t, d->src), may, false);
		set_taint(t, d->src, l);
		break;
	case BK_FMT_CMPXCHG:
		l = load_taint(t, d, d->dst, may) || tainted(t, 0) || tainted(t, d->src);
		store_taint(t, d, tainted(t, d->src), may, false);
		set_taint(t, 0, l);
		break;
	case BK_FMT_LD_ABS:
	case BK_FMT_LD_IND:
		l = fmt_of(d) == BK_FMT_LD_IND && tainted(t, d->src);
		t->regs |= ARG_REGS;
		set_taint(t, 0, l);
		break;
	case BK_FMT_CALL:
	case BK_FMT_CALL_KFUNC:
		l = (t->regs & ARG_REGS) != 0;
		t->regs |= ARG_REGS;
		set_taint(t, 0, l);
		if (a->bits & FB_CALLBACK)
			t->any = true;
		break;
	default:
		break;
	}
}

static bool to(struct venv *env, struct taint *in, int64_t i, const struct taint *t)
{
	return i >= 0 && (size_t)i < env->cnt && merge(&in[i], t);
}

/* A conditional jump on a tainted scalar: its refinements reach any
 * register or slot linked to the operands. */
static void jump_taint(const struct bk_dinsn *d, const struct vfacc *a, struct taint *t)
{
	bool bad = ((a->bits & FB_DST_SCALAR) || !a->visits) && tainted(t, d->dst);

	if (fmt_of(d) == BK_FMT_JMP_X)
		bad |= ((a->bits & FB_SRC_SCALAR) || !a->visits) && tainted(t, d->src);
	if (bad)
		*t = (struct taint){ALL_REGS, true, ~0ull};
}

/* One pass over the program; true when something changed. */
static int taint_pass(struct venv *env, struct taint *in, struct tsum *sum)
{
	bool ch = false;

	for (size_t i = 0; i < env->cnt; i++) {
		const struct bk_dinsn *d = &env->insns[i];
		const struct vfacc *a = &env->facts[i];
		struct taint t = in[i], e;
		int64_t tg;
		int sp;

		if (!d->slots)
			continue;
		switch (fmt_of(d)) {
		case BK_FMT_EXIT:
			sp = env->aux[i].subprog;
			if (sp > 0 && sp < env->nsubprogs &&
			    ((tainted(&t, 0) && !sum[sp].r0) || (t.any && !sum[sp].any))) {
				sum[sp].r0 |= tainted(&t, 0);
				sum[sp].any |= t.any;
				ch = true;
			}
			break;
		case BK_FMT_CALL_LOCAL:
			tg = (int64_t)i + d->imm + 1;
			if (tg < 0 || (size_t)tg >= env->cnt)
				return -EINVAL;
			sp = env->aux[tg].subprog;
			e = (struct taint){(uint16_t)(t.regs & ARG_REGS), t.any || t.slots, 0};
			ch |= to(env, in, tg, &e);
			e = (struct taint){
				(uint16_t)((t.regs & SAVED_REGS) | ARG_REGS | sum[sp].r0),
				t.any || sum[sp].any, t.slots};
			ch |= to(env, in, (int64_t)i + 1, &e);
			break;
		case BK_FMT_CALLX:
			return -EINVAL;
		case BK_FMT_JA:
			ch |= to(env, in, (int64_t)i + d->off + 1, &t);
			break;
		case BK_FMT_JA32:
			ch |= to(env, in, (int64_t)i + d->imm + 1, &t);
			break;
		case BK_FMT_JMP_K:
		case BK_FMT_JMP_X:
			jump_taint(d, a, &t);
			/* fall through */
		case BK_FMT_JCOND:
			ch |= to(env, in, (int64_t)i + d->off + 1, &t);
			ch |= to(env, in, (int64_t)i + 1, &t);
			break;
		default:
			step(d, a, &t);
			ch |= to(env, in, (int64_t)i + d->slots, &t);
		}
	}
	return ch;
}

static int taint_run(struct venv *env, struct taint *in)
{
	struct tsum *sum = calloc((size_t)env->nsubprogs + 1, sizeof(*sum));
	int r;

	if (!sum)
		return -ENOMEM;
	for (size_t i = 0; i < env->cnt; i++) {
		const struct bk_dinsn *d = &env->insns[i];

		in[i].regs |= env->facts[i].seed_regs;
		in[i].any |= env->facts[i].seed_any;
		in[i].slots |= env->facts[i].seed_slots;
		/* callbacks: arguments the helper made, memory of the caller */
		if (d->op == BK_OP_LDDW_FUNC) {
			int64_t tg = (int64_t)i + d->imm + 1;

			if (tg >= 0 && (size_t)tg < env->cnt)
				merge(&in[tg], &(struct taint){ALL_REGS, true, ~0ull});
		}
	}
	while ((r = taint_pass(env, in, sum)) > 0)
		;
	free(sum);
	return r;
}

/* ---- output -------------------------------------------------------------- */

static struct bk_insn_fact emit(struct venv *env, size_t i, const struct taint *t)
{
	const struct bk_dinsn *d = &env->insns[i];
	const struct vfacc *a = &env->facts[i];
	struct bk_insn_fact o = {0};
	uint32_t f = a->cand & FC_PUBLIC;
	bool sgn;

	if (!a->visits) {
		o.flags = BK_FACT_DEAD;
		return o;
	}
	if (!has_dst_facts(d) || tainted(t, d->dst))
		f &= ~(uint32_t)(BK_FACT_DST_CONST | BK_FACT_DST_ZEXT);
	if (!has_src_facts(d) || tainted(t, d->src))
		f &= ~(uint32_t)(BK_FACT_SRC_CONST | BK_FACT_SRC_ZEXT);
	if (is_divmod(d, &sgn) && fmt_of(d) == BK_FMT_ALU_X) {
		bool ts = tainted(t, d->src), td = tainted(t, d->dst);

		if (ts)
			f &= ~(uint32_t)BK_FACT_DIV_NONZERO;
		if (!((a->cand & FC_OVF_SRC) && !ts) && !((a->cand & FC_OVF_DST) && !td) &&
		    !(!ts && !td))
			f &= ~(uint32_t)BK_FACT_DIV_NO_OVF;
	}
	if (f & BK_FACT_KEY_IN_RANGE) {
		uint64_t b = slot_bits(a->key_off, 4);

		if (!b || t->any || (t->slots & b))
			f &= ~(uint32_t)BK_FACT_KEY_IN_RANGE;
	}
	if (is_cond(d) && d->off) {
		if ((a->bits & (FB_FELL | FB_TOOK)) == FB_FELL)
			f |= BK_FACT_JMP_NEVER;
		else if ((a->bits & (FB_FELL | FB_TOOK)) == FB_TOOK)
			f |= BK_FACT_JMP_ALWAYS;
	}
	o.flags = f;
	if (mem_reg(d) >= 0 && !(a->bits & FB_PTR_MIXED))
		o.ptr = a->ptr;
	if (f & BK_FACT_DST_CONST)
		o.dst_val = a->dst_val;
	if (f & BK_FACT_SRC_CONST)
		o.src_val = a->src_val;
	return o;
}

void facts_end(struct venv *env, int err)
{
	struct bk_insn_fact *out = env->opts.facts;
	struct taint *in = NULL;

	if (out)
		memset(out, 0, env->opts.nfacts * sizeof(*out));
	if (!err && out && env->facts && env->opts.nfacts == env->cnt &&
	    (in = calloc(env->cnt + 1, sizeof(*in))) && !taint_run(env, in))
		for (size_t i = 0; i < env->cnt; i++)
			if (env->insns[i].slots)
				out[i] = emit(env, i, &in[i]);
	free(in);
	free(env->facts);
	env->facts = NULL;
}
