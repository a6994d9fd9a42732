// SPDX-License-Identifier: MIT
/*
 * precise.c - which scalars need their exact range for pruning.
 *
 * The kernel marks a scalar "precise" when its value decided something:
 * a predicted branch, a pointer offset, a helper's size argument, a
 * constant stored to the stack...  Only precise scalars are compared when
 * a state is matched against a checkpoint; a counter that is only stored
 * to a map does not split states.  bpfverify computes the same property
 * statically, as an over-approximation: a register is "demanded" before an
 * instruction when its value may reach such a use on some path, directly
 * or through moves and arithmetic.  Demanded registers are compared
 * exactly as the kernel compares precise ones; the others are not.
 *
 * Sinks: operands of conditional jumps, the scalar operand of 64-bit add
 * and subtract when the other may be a pointer (a forward pass tracks
 * registers that may hold one), helper size arguments (and the tail call
 * index, bpf_loop's count), BPF-to-BPF call
 * arguments, values stored where the stack may be (a forward pass tracks
 * registers that may hold a frame pointer), r0 at a subprogram's exit.
 *
 * Conditional jumps.  The kernel makes a jump's scalar operands precise
 * only where the jump is decided (one outcome impossible on that path;
 * both sides of a reg-reg compare then, as either refines the other).
 * Pruning takes as jump sinks the jumps decided on any path so far
 * (prune_demand): a checkpoint is only pruned against once every path
 * below it is done, so every jump decided below it is among them, and a
 * jump none of its paths decided (both outcomes, or never reached) needs
 * no exact operand there, as the kernel's precision marks say; the set
 * only grows, so a demand computed earlier was right for the checkpoints
 * it was used with.  After PPASS_MAX recomputations, or without memory,
 * every conditional jump is a sink again (env->aux's demand, the sound
 * over-approximation that needs no knowledge of what was decided).
 * Widening at a loop's next iteration (loop.c: iterators, may_goto,
 * callbacks) follows the kernel more closely, because keeping a value the
 * kernel forgets there keeps the loop from converging: demand_for()
 * computes the demand with only the jumps decided below the state widened
 * against as jump sinks (an undecided reg-reg compare passes demand of
 * either side to both), along paths from its instruction that do not come
 * back to it (what later iterations decide, the kernel has not seen yet
 * when it widens).  Widening only makes a state coarser, so which
 * scalars it keeps is a question of precision, never of soundness; no
 * restart is needed.  The passes share the sink-independent facts and
 * are cached by jump set, at most DPASS_MAX per run (then every jump is a
 * sink again).
 */
#include <errno.h>
#include <stdlib.h>

#include "helpers_int.h"

#define ALL_ARGS 0x3e /* r1-r5 */

static bool is_jmp(const struct bk_op_info *oi)
{
	unsigned c = bk_opc_class(oi->opcode);

	return c == BK_CLASS_JMP || c == BK_CLASS_JMP32;
}

static long target_of(const struct bk_dinsn *d, long i)
{
	const struct bk_op_info *oi = bk_op_info(d->op);

	if (!is_jmp(oi) || oi->fmt == BK_FMT_CALL || oi->fmt == BK_FMT_CALL_LOCAL ||
	    oi->fmt == BK_FMT_CALL_KFUNC || oi->fmt == BK_FMT_CALLX || oi->fmt == BK_FMT_EXIT)
		return -1;
	return oi->fmt == BK_FMT_JA32 ? i + d->imm + 1 : i + d->off + 1;
}

static bool falls_through(const struct bk_dinsn *d)
{
	int f = bk_op_info(d->op)->fmt;

	return f != BK_FMT_EXIT && f != BK_FMT_JA && f != BK_FMT_JA32;
}

/* Registers that may hold a pointer into a stack frame before each insn. */
static void maybe_fp(struct venv *env, uint16_t *fp)
{
	int n = (int)env->cnt;
	bool changed = true;

	for (int s = 0; s < env->nsubprogs; s++)
		fp[env->subprogs[s].start] |= (uint16_t)(s ? 0x43e : 0x400);
	while (changed) {
		changed = false;
		for (int i = 0; i < n; i++) {
			const struct bk_dinsn *d = &env->insns[i];

			if (!d->slots)
				continue;
			const struct bk_op_info *oi = bk_op_info(d->op);
			uint16_t in = fp[i], out = in;
			unsigned cls = bk_opc_class(oi->opcode);

			if (cls == BK_CLASS_ALU || cls == BK_CLASS_ALU64) {
				bool keep = d->op == BK_OP_ADD64_K || d->op == BK_OP_SUB64_K ||
					    d->op == BK_OP_ADD64_X || d->op == BK_OP_SUB64_X;

				if (d->op == BK_OP_MOV64_X)
					out = (uint16_t)((out & ~(1u << d->dst)) |
							 (in >> d->src & 1u) << d->dst);
				else if (d->op == BK_OP_ADD64_X)
					out |= (uint16_t)((in >> d->src & 1u) << d->dst);
				else if (!keep)
					out &= (uint16_t)~(1u << d->dst);
			} else if (cls == BK_CLASS_LDX) {
				/* a fill may bring back a spilled frame pointer */
				if (d->op == BK_OP_LDXDW)
					out |= (uint16_t)(1u << d->dst);
				else
					out &= (uint16_t)~(1u << d->dst);
			} else if (oi->fmt == BK_FMT_LDDW) {
				out &= (uint16_t)~(1u << d->dst);
			} else if (oi->fmt == BK_FMT_CALL || oi->fmt == BK_FMT_CALL_LOCAL ||
				   oi->fmt == BK_FMT_CALL_KFUNC || oi->fmt == BK_FMT_LD_ABS ||
				   oi->fmt == BK_FMT_LD_IND) {
				out &= (uint16_t)~0x3f;
			} else if (oi->fmt == BK_FMT_ATOMIC_FETCH || oi->fmt == BK_FMT_XCHG) {
				out &= (uint16_t)~(1u << d->src);
			} else if (oi->fmt == BK_FMT_CMPXCHG) {
				out &= (uint16_t)~1u;
			}
			long t = target_of(d, i);
			int nx = i + d->slots;

			if (falls_through(d) && nx < n && (fp[nx] | out) != fp[nx]) {
				fp[nx] |= out;
				changed = true;
			}
			if (t >= 0 && t < n && (fp[t] | out) != fp[t]) {
				fp[t] |= out;
				changed = true;
			}
		}
	}
}

static bool returns_ptr(struct venv *env, int i)
{
	const struct bk_dinsn *d = &env->insns[i];

	if (d->op == BK_OP_CALL) {
		const struct vhelper *h = vhelper_get((uint32_t)d->imm);

		return !h || h->ret != R_INT;
	}
	if (d->op == BK_OP_CALL_KFUNC)
		return env->aux[i].kfunc < 0 ||
		       (env->kfuncs[env->aux[i].kfunc].flags & BK_KF_ITER_NEXT);
	return true;
}

/* Registers that may hold a pointer of any kind before each insn (the low
 * 16 bits; the high 16: a context pointer): scalar arithmetic with a
 * register (r += r2) needs exact values only when one side is a pointer.
 * A load yields a pointer only from the context (4 or 8 bytes) or as a
 * fill from the stack (8 bytes). */
static void maybe_ptr(struct venv *env, const uint16_t *fp, uint16_t *pt)
{
	int n = (int)env->cnt;
	uint32_t *m = calloc((size_t)n + 1, sizeof(*m));
	bool changed = true;

	if (!m) { /* everything may be a pointer */
		for (int i = 0; i < n; i++)
			pt[i] = 0x7ff;
		return;
	}
	for (int s = 0; s < env->nsubprogs; s++)
		m[env->subprogs[s].start] |= s ? 0x43eu | (0x3eu << 16) : 0x402u | (0x2u << 16);
	while (changed) {
		changed = false;
		for (int i = 0; i < n; i++) {
			const struct bk_dinsn *d = &env->insns[i];

			if (!d->slots)
				continue;
			const struct bk_op_info *oi = bk_op_info(d->op);
			uint32_t in = m[i], out = in, db = (1u << d->dst) | (1u << (d->dst + 16));
			uint32_t sb = (in >> d->src) & 0x10001u;
			unsigned cls = bk_opc_class(oi->opcode);

			if (cls == BK_CLASS_ALU || cls == BK_CLASS_ALU64) {
				if (d->op == BK_OP_MOV64_X)
					out = (out & ~db) | (sb << d->dst);
				else if (d->op == BK_OP_ADD64_X || d->op == BK_OP_SUB64_X)
					out |= sb << d->dst;
				else if (d->op != BK_OP_ADD64_K && d->op != BK_OP_SUB64_K)
					out &= ~db;
			} else if (cls == BK_CLASS_LDX) {
				bool ctx = (in >> (d->src + 16)) & 1, stk = (fp[i] >> d->src) & 1;

				out &= ~db;
				if ((d->op == BK_OP_LDXDW && (ctx || stk)) ||
				    (d->op == BK_OP_LDXW && ctx))
					out |= 1u << d->dst;
				if (d->op == BK_OP_LDXDW && stk)
					out |= 1u << (d->dst + 16);
			} else if (oi->fmt == BK_FMT_LDDW) {
				out &= ~db;
				if (d->op != BK_OP_LDDW)
					out |= 1u << d->dst;
			} else if (oi->fmt == BK_FMT_CALL || oi->fmt == BK_FMT_CALL_LOCAL ||
				   oi->fmt == BK_FMT_CALL_KFUNC || oi->fmt == BK_FMT_LD_ABS ||
				   oi->fmt == BK_FMT_LD_IND) {
				out &= ~0x3f003fu;
				if (oi->fmt != BK_FMT_LD_ABS && oi->fmt != BK_FMT_LD_IND &&
				    returns_ptr(env, i))
					out |= 1;
			} else if (oi->fmt == BK_FMT_ATOMIC_FETCH || oi->fmt == BK_FMT_XCHG) {
				out &= ~((1u << d->src) | (1u << (d->src + 16)));
			} else if (oi->fmt == BK_FMT_CMPXCHG) {
				out &= ~0x10001u;
			}
			long t = target_of(d, i);
			int nx = i + d->slots;

			if (falls_through(d) && nx < n && (m[nx] | out) != m[nx]) {
				m[nx] |= out;
				changed = true;
			}
			if (t >= 0 && t < n && (m[t] | out) != m[t]) {
				m[t] |= out;
				changed = true;
			}
		}
	}
	for (int i = 0; i < n; i++)
		pt[i] = (uint16_t)m[i];
	free(m);
}

/* Whether r0 at each subprogram's exit may need its exact value: a
 * callback's return value is checked; a function's matters where a
 * caller's does (from the demand after its calls so far). */
static void ret_demand(struct venv *env, const uint16_t *dem, uint8_t *rd)
{
	memset(rd, 0, (size_t)env->nsubprogs);
	for (int i = 0; i < (int)env->cnt; i++) {
		const struct bk_dinsn *d = &env->insns[i];

		if (!d->slots || (d->op != BK_OP_CALL_LOCAL && d->op != BK_OP_LDDW_FUNC))
			continue;
		for (int sp = 1; sp < env->nsubprogs; sp++)
			if (env->subprogs[sp].start == i + d->imm + 1 &&
			    !env->subprogs[sp].global &&
			    (d->op == BK_OP_LDDW_FUNC ||
			     (i + 1 < (int)env->cnt && (dem[i + 1] & 1))))
				rd[sp] = 1;
	}
}

/* The arguments whose exact value a helper's check uses: sizes, the size
 * of an allocation, the tail call index, bpf_loop's count. */
static uint16_t helper_arg_demand(uint32_t id)
{
	const struct vhelper *h = vhelper_get(id);
	uint16_t m = 0;

	if (!h)
		return ALL_ARGS;
	if (id == 12)
		m |= 1u << 3;
	if (id == 181)
		m |= 1u << 1;
	for (int a = 0; a < 5; a++)
		if (h->args[a] == A_SIZE || h->args[a] == A_SIZE_OR_ZERO ||
		    h->args[a] == A_ALLOC_SIZE)
			m |= (uint16_t)(1u << (a + 1));
	return m;
}

/* demand before insn i from the demand after it. */
static uint16_t transfer(struct venv *env, int i, uint16_t out, uint16_t fp, uint16_t pt,
			 const uint8_t *rd, bool sink)
{
	const struct bk_dinsn *d = &env->insns[i];
	const struct bk_op_info *oi = bk_op_info(d->op);
	uint16_t dst = (uint16_t)(1u << d->dst), src = (uint16_t)(1u << d->src);
	bool dst_out = out & dst;

	switch (oi->fmt) {
	case BK_FMT_ALU_K:
		if (d->op == BK_OP_MOV64_K || d->op == BK_OP_MOV32_K)
			return out & ~dst;
		return out; /* dst demanded after <=> before */
	case BK_FMT_ALU_X:
		if (d->op == BK_OP_MOV64_X || d->op == BK_OP_MOV32_X)
			return (uint16_t)((out & ~dst) | (dst_out ? src : 0));
		if (d->op == BK_OP_ADD64_X || d->op == BK_OP_SUB64_X)
			return out | (dst_out ? src : 0) | ((pt & dst) ? src : 0) |
			       ((pt & src) ? dst : 0);
		return out | (dst_out ? src : 0);
	case BK_FMT_MOVSX:
		return (uint16_t)((out & ~dst) | (dst_out ? src : 0));
	case BK_FMT_NEG:
	case BK_FMT_END:
		return out;
	case BK_FMT_JMP_K:
		return sink ? out | dst : out;
	case BK_FMT_JMP_X:
		/* either side refines the other: both or neither */
		return sink || (out & (dst | src)) ? out | dst | src : out;
	case BK_FMT_JCOND:
		return out;
	case BK_FMT_CALL:
		return (uint16_t)((out & ~0x3f) | helper_arg_demand((uint32_t)d->imm));
	case BK_FMT_CALL_KFUNC:
		return out & ~0x3f; /* iterator kfuncs take no size or constant */
	case BK_FMT_CALL_LOCAL:
		return (uint16_t)((out & ~0x3f) | ALL_ARGS);
	case BK_FMT_EXIT:
		return rd[env->aux[i].subprog];
	case BK_FMT_LDX:
		return (uint16_t)((out & ~dst) | src);
	case BK_FMT_ST:
		return out | dst;
	case BK_FMT_STX:
		/* exact stack addresses are handled by slot_transfer() */
		return out | dst | ((fp & dst) ? src : 0);
	case BK_FMT_ATOMIC:
		return out | dst | ((fp & dst) ? src : 0);
	case BK_FMT_ATOMIC_FETCH:
	case BK_FMT_XCHG:
		return (uint16_t)((out & ~src) | dst | src);
	case BK_FMT_CMPXCHG:
		return (uint16_t)((out & ~1u) | dst | src | 1u);
	case BK_FMT_LDDW:
		return out & ~dst;
	case BK_FMT_LD_ABS:
	case BK_FMT_LD_IND:
		return (uint16_t)((out & ~0x3f) | (1u << 6) | (oi->fmt == BK_FMT_LD_IND ? src : 0));
	default:
		return out;
	}
}

/* ---- stack slots ---------------------------------------------------------------
 * A spilled scalar needs its exact value where a fill of it may reach a
 * demanded register.  A forward pass finds registers holding the frame
 * pointer plus a known constant; accesses through them name their slot.
 * Accesses through a frame pointer of unknown offset demand every slot;
 * helper and function calls demand the slots their stack arguments may
 * cover (64 bytes from the pointer). */
#define FPO_BOTTOM INT32_MAX	  /* not reached yet */
#define FPO_NOTFP (INT32_MAX - 1) /* not a pointer into this frame */
#define FPO_TOP INT32_MIN	  /* into this frame, offset unknown */

static int32_t fpo_meet(int32_t a, int32_t b)
{
	if (a == FPO_BOTTOM)
		return b;
	if (b == FPO_BOTTOM || a == b)
		return a;
	return FPO_TOP;
}

static void fpo_step(struct venv *env, int i, const int32_t *in, int32_t *out)
{
	const struct bk_dinsn *d = &env->insns[i];
	const struct bk_op_info *oi = bk_op_info(d->op);
	unsigned cls = bk_opc_class(oi->opcode);

	memcpy(out, in, sizeof(int32_t) * V_MAX_REGS);
	if (cls == BK_CLASS_ALU || cls == BK_CLASS_ALU64) {
		int32_t v = in[d->dst];

		if (d->op == BK_OP_MOV64_X)
			out[d->dst] = in[d->src];
		else if ((d->op == BK_OP_ADD64_K || d->op == BK_OP_SUB64_K) && v != FPO_NOTFP &&
			 v != FPO_TOP && v != FPO_BOTTOM)
			out[d->dst] = d->op == BK_OP_ADD64_K ? v + d->imm : v - d->imm;
		else if (d->op == BK_OP_ADD64_K || d->op == BK_OP_SUB64_K)
			out[d->dst] = v;
		else if ((d->op == BK_OP_ADD64_X || d->op == BK_OP_SUB64_X) &&
			 (v != FPO_NOTFP || in[d->src] != FPO_NOTFP))
			out[d->dst] = FPO_TOP;
		else
			out[d->dst] = FPO_NOTFP;
	} else if (cls == BK_CLASS_LDX) {
		out[d->dst] = d->op == BK_OP_LDXDW ? FPO_TOP : FPO_NOTFP;
	} else if (oi->fmt == BK_FMT_LDDW) {
		out[d->dst] = FPO_NOTFP;
	} else if (oi->fmt == BK_FMT_CALL || oi->fmt == BK_FMT_CALL_LOCAL ||
		   oi->fmt == BK_FMT_CALL_KFUNC || oi->fmt == BK_FMT_LD_ABS ||
		   oi->fmt == BK_FMT_LD_IND) {
		for (int r = 0; r <= 5; r++)
			out[r] = FPO_NOTFP;
	} else if (oi->fmt == BK_FMT_ATOMIC_FETCH || oi->fmt == BK_FMT_XCHG) {
		out[d->src] = FPO_NOTFP;
	} else if (oi->fmt == BK_FMT_CMPXCHG) {
		out[0] = FPO_NOTFP;
	}
	out[10] = in[10];
}

/* Which callbacks sp is: bit 0 bpf_loop's (context in r2), bit 1
 * bpf_for_each_map_elem's (context in r4); from the helper called after
 * its address is loaded, both when that is not plain. */
static unsigned cb_kinds(struct venv *env, int sp)
{
	unsigned k = 0;

	for (int i = 0; i < (int)env->cnt; i++) {
		const struct bk_dinsn *d = &env->insns[i];
		unsigned here = 3;

		if (!d->slots || d->op != BK_OP_LDDW_FUNC ||
		    i + d->imm + 1 != env->subprogs[sp].start)
			continue;
		for (int j = i + 2; d->dst == 2 && j < i + 24 && j < (int)env->cnt; j++) {
			const struct bk_dinsn *c = &env->insns[j];

			if (!c->slots)
				continue;
			if (bk_op_info(c->op)->fmt == BK_FMT_CALL)
				here = c->imm == 164 ? 2 : c->imm == 181 ? 1 : 3;
			if (bk_opc_class(bk_op_info(c->op)->opcode) == BK_CLASS_JMP ||
			    bk_opc_class(bk_op_info(c->op)->opcode) == BK_CLASS_JMP32 ||
			    (c->dst == 2 && bk_op_info(c->op)->fmt != BK_FMT_STX &&
			     bk_op_info(c->op)->fmt != BK_FMT_ST))
				break;
		}
		k |= here;
	}
	return k;
}

/* cb_arg < 0: offsets from this frame's pointer in every function;
 * otherwise offsets from a callback's context argument (r2 of bpf_loop's,
 * r4 of bpf_for_each_map_elem's callbacks) in the callbacks. */
static int32_t *frame_offsets(struct venv *env, int cb_arg)
{
	int n = (int)env->cnt;
	int32_t *fo = malloc(sizeof(int32_t) * V_MAX_REGS * ((size_t)n + 1)), tmp[V_MAX_REGS];
	bool changed = true;

	if (!fo)
		return NULL;
	for (size_t k = 0; k < (size_t)V_MAX_REGS * ((size_t)n + 1); k++)
		fo[k] = FPO_BOTTOM;
	for (int s = 0; s < env->nsubprogs; s++) {
		if (cb_arg >= 0 && !(cb_kinds(env, s) & (cb_arg == 2 ? 1u : 2u)))
			continue;
		int32_t *e = &fo[(size_t)env->subprogs[s].start * V_MAX_REGS];

		for (int r = 0; r < V_MAX_REGS; r++)
			e[r] = FPO_NOTFP;
		if (cb_arg >= 0)
			e[cb_arg] = 0;
		else
			e[10] = 0;
	}
	while (changed) {
		changed = false;
		for (int i = 0; i < n; i++) {
			const struct bk_dinsn *d = &env->insns[i];

			if (!d->slots || fo[(size_t)i * V_MAX_REGS + 10] == FPO_BOTTOM)
				continue;
			fpo_step(env, i, &fo[(size_t)i * V_MAX_REGS], tmp);

			long t = target_of(d, i);
			int nx = i + d->slots;
			long succ[2] = {falls_through(d) && nx < n ? nx : -1,
					t >= 0 && t < n ? t : -1};

			for (int k = 0; k < 2; k++) {
				if (succ[k] < 0)
					continue;
				int32_t *o = &fo[(size_t)succ[k] * V_MAX_REGS];

				for (int r = 0; r < V_MAX_REGS; r++) {
					int32_t m = fpo_meet(o[r], tmp[r]);

					if (m != o[r]) {
						o[r] = m;
						changed = true;
					}
				}
			}
		}
	}
	return fo;
}

static uint64_t slot_bits(int64_t off, int64_t size)
{
	uint64_t m = 0;

	for (int64_t b = off; b < off + size; b++)
		if (b < 0 && b >= -V_MAX_STACK)
			m |= 1ULL << ((-b - 1) / 8);
	return m;
}

/* Bytes of a callback's context (the caller's stack from the pointer
 * passed) whose exact value the callbacks may need: loads through the
 * context into demanded registers; all when the context is passed on. */
static uint64_t cb_bytes(struct venv *env, const int32_t *co, uint64_t prev, const uint16_t *dem)
{
	uint64_t m = 0;

	for (int i = 0; i < (int)env->cnt; i++) {
		const struct bk_dinsn *d = &env->insns[i];
		const int32_t *c = &co[(size_t)i * V_MAX_REGS];

		if (!d->slots || c[10] == FPO_BOTTOM)
			continue;
		if (d->op == BK_OP_CALL || d->op == BK_OP_CALL_LOCAL || d->op == BK_OP_CALL_KFUNC) {
			bool cb = d->op == BK_OP_CALL && (d->imm == 181 || d->imm == 164);

			for (int r = 1; r <= 5; r++) {
				if (c[r] == FPO_NOTFP)
					continue;
				/* a nested callback's context: its reads, moved */
				if (cb && r == 3 && c[r] != FPO_TOP && c[r] >= 0 && c[r] < 64) {
					m |= prev << c[r];
					continue;
				}
				return ~0ULL;
			}
			continue;
		}
		if (bk_op_info(d->op)->fmt != BK_FMT_LDX || c[d->src] == FPO_NOTFP ||
		    i + 1 >= (int)env->cnt || !(dem[i + 1] & (1u << d->dst)))
			continue;
		if (c[d->src] == FPO_TOP)
			return ~0ULL;
		int64_t b = (int64_t)c[d->src] + d->off;

		for (int64_t k = b; k < b + (int64_t)bk_opc_size(bk_op_info(d->op)->opcode); k++) {
			if (k < 0 || k >= 64)
				return ~0ULL;
			m |= 1ULL << k;
		}
	}
	return m;
}

static uint64_t ctx_slots(int32_t base, uint64_t bytes)
{
	uint64_t out = 0;

	if (bytes == ~0ULL)
		return slot_bits(base, 64) | (base < -64 ? slot_bits(base, -base) : 0);
	for (int k = 0; k < 64; k++)
		if (bytes & (1ULL << k))
			out |= slot_bits((int64_t)base + k, 1);
	return out;
}

/* Bytes of a callback's context its caller needs exactly at the call
 * (after it, or for the callback's next call). */
static uint64_t cb_store_bytes(struct venv *env, const int32_t *fo, const uint64_t *sdem)
{
	uint64_t m = 0;

	for (int i = 0; i < (int)env->cnt; i++) {
		const struct bk_dinsn *d = &env->insns[i];
		int32_t c = fo[(size_t)i * V_MAX_REGS + 3];

		if (!d->slots || d->op != BK_OP_CALL || (d->imm != 181 && d->imm != 164) ||
		    c == FPO_NOTFP || c == FPO_BOTTOM)
			continue;
		if (c == FPO_TOP)
			return ~0ULL;
		for (int k = 0; k < 64; k++)
			if (sdem[i] & slot_bits((int64_t)c + k, 1))
				m |= 1ULL << k;
	}
	return m;
}

/* A callback's store through its context: the value matters when the
 * caller's slot does. */
static void cb_store(const struct bk_dinsn *d, const int32_t *co[2], uint64_t cbs, uint16_t reg_out,
		     uint16_t *reg_in)
{
	int32_t b = FPO_NOTFP;

	for (int k = 0; k < 2; k++)
		if (co[k][10] != FPO_BOTTOM && co[k][d->dst] != FPO_NOTFP &&
		    co[k][d->dst] != FPO_BOTTOM)
			b = co[k][d->dst];
	if (b == FPO_NOTFP || b == FPO_TOP)
		return;
	int64_t lo = (int64_t)b + d->off, sz = bk_opc_size(bk_op_info(d->op)->opcode);
	bool need = false;

	for (int64_t k = lo; k < lo + sz; k++)
		need |= k < 0 || k >= 64 || (cbs & (1ULL << k));
	*reg_in = (uint16_t)(*reg_in & ~(1u << d->src));
	if (need || (reg_out & (1u << d->src)))
		*reg_in |= (uint16_t)(1u << d->src);
}

/* Slots demanded before insn i from those after it; *reg gets the
 * registers a demanded slot's spill needs. */
static uint64_t slot_transfer(struct venv *env, int i, uint64_t out, uint16_t reg_out,
			      uint16_t *reg_in, const int32_t *fo, uint64_t cbb,
			      const int32_t *co[2], uint64_t cbs)
{
	const struct bk_dinsn *d = &env->insns[i];
	const struct bk_op_info *oi = bk_op_info(d->op);
	int size = (int)bk_opc_size(oi->opcode);

	switch (oi->fmt) {
	case BK_FMT_LDX: {
		int32_t b = fo[d->src];

		if (!(reg_out & (1u << d->dst)) || b == FPO_NOTFP)
			return out;
		if (b == FPO_TOP)
			return ~0ULL;
		return out | slot_bits((int64_t)b + d->off, size);
	}
	case BK_FMT_STX:
	case BK_FMT_ST: {
		int32_t b = fo[d->dst];

		if (b == FPO_NOTFP && oi->fmt == BK_FMT_STX)
			cb_store(d, co, cbs, reg_out, reg_in);
		if (b == FPO_NOTFP || b == FPO_TOP)
			return out;
		uint64_t m = slot_bits((int64_t)b + d->off, size);

		/* an exact spill: the value matters when the slot does */
		if (oi->fmt == BK_FMT_STX) {
			*reg_in = (uint16_t)(*reg_in & ~(1u << d->src));
			if ((out & m) || (reg_out & (1u << d->src)))
				*reg_in |= (uint16_t)(1u << d->src);
		}
		if (size == 8 && !(((int64_t)b + d->off) % 8))
			out &= ~m;
		return out;
	}
	case BK_FMT_CALL: {
		/* helpers need exact stack contents only for a constant map
		 * key; a callback may read anything its context points at */
		const struct vhelper *h = vhelper_get((uint32_t)d->imm);
		bool cb = d->imm == 181 || d->imm == 164;

		for (int r = 1; r <= 5; r++) {
			bool key = h && h->args[r - 1] == A_KEY;

			if (!cb && !key && h)
				continue;
			if (fo[r] == FPO_TOP)
				return ~0ULL;
			if (fo[r] != FPO_NOTFP)
				out |= key ? slot_bits(fo[r], 8) : ctx_slots(fo[r], cbb);
		}
		return out;
	}
	case BK_FMT_CALL_LOCAL:
		for (int r = 1; r <= 5; r++) {
			if (fo[r] == FPO_TOP)
				return ~0ULL;
			if (fo[r] != FPO_NOTFP)
				out |= slot_bits(fo[r], 64);
		}
		return out;
	case BK_FMT_CALL_KFUNC:
		return out;
	case BK_FMT_EXIT:
		return 0;
	default:
		return out;
	}
}

/* ---- passes ------------------------------------------------------------------------
 * The facts a pass needs (frame and pointer registers, frame offsets) do
 * not depend on the sinks: computed once, kept for the widening passes. */
#define DCACHE 8     /* demands kept for decided-jump sets */
#define DPASS_MAX 64 /* widening passes per run; then every jump is a sink */
#define PPASS_MAX 64 /* pruning demand passes per run; then every jump is */

struct vprec {
	uint16_t *fp, *pt;
	int32_t *fo, *c2, *c4;
	uint8_t *rd, *sink;
	struct {
		uint32_t *jumps, n;
		int at;
		uint64_t used;
		struct vdemand d;
	} cache[DCACHE];
	uint64_t tick;
	uint32_t passes;
	/* pruning: jumps decided on some path, and the demand with them */
	uint8_t *gdec;
	struct vdemand pd;
	bool pdirty, pfail;
	uint32_t ppasses;
};

/* Demand with the conditional jumps whose sink[] is set as sinks (all of
 * them when sink is NULL), into dem and sdem.  cut >= 0: only along paths
 * that do not come back to insn cut (its demand does not flow on). */
static void demand_pass(struct venv *env, struct vprec *p, const uint8_t *sink, int cut,
			uint16_t *dem, uint64_t *sdem)
{
	int n = (int)env->cnt;
	bool changed = true;
	uint64_t cbb = 0, cbs = 0, cut_sin = 0;
	uint16_t cut_in = 0;

	memset(dem, 0, sizeof(*dem) * ((size_t)n + 1));
	memset(sdem, 0, sizeof(*sdem) * ((size_t)n + 1));
	while (changed) {
		changed = false;
		ret_demand(env, dem, p->rd);
		cbb = cb_bytes(env, p->c2, cbb, dem) | cb_bytes(env, p->c4, cbb, dem);
		cbs = cb_store_bytes(env, p->fo, sdem);
		for (int i = n - 1; i >= 0; i--) {
			const struct bk_dinsn *d = &env->insns[i];

			if (!d->slots)
				continue;
			uint16_t out = 0;
			uint64_t sout = 0;
			long t = target_of(d, i);

			if (falls_through(d) && i + d->slots < n) {
				out |= dem[i + d->slots];
				sout |= sdem[i + d->slots];
			}
			if (t >= 0 && t < n) {
				out |= dem[t];
				sout |= sdem[t];
			}
			uint16_t in =
				transfer(env, i, out, p->fp[i], p->pt[i], p->rd, !sink || sink[i]);
			uint64_t sin = slot_transfer(
				env, i, sout, out, &in, &p->fo[(size_t)i * V_MAX_REGS], cbb,
				(const int32_t *[2]){&p->c2[(size_t)i * V_MAX_REGS],
						     &p->c4[(size_t)i * V_MAX_REGS]},
				cbs);

			in &= 0x3ff;
			if (i == cut) {
				cut_in = in, cut_sin = sin;
				in = 0, sin = 0;
			}
			if (in != dem[i] || sin != sdem[i]) {
				dem[i] = in;
				sdem[i] = sin;
				changed = true;
			}
		}
	}
	if (cut >= 0) {
		dem[cut] = cut_in;
		sdem[cut] = cut_sin;
	}
}

void precision_free(struct venv *env)
{
	struct vprec *p = env->prec;

	if (!p)
		return;
	free(p->fp), free(p->pt), free(p->fo), free(p->c2), free(p->c4), free(p->rd);
	free(p->sink);
	free(p->gdec), free(p->pd.dem), free(p->pd.sdem);
	for (int k = 0; k < DCACHE; k++) {
		free(p->cache[k].jumps);
		free(p->cache[k].d.dem);
		free(p->cache[k].d.sdem);
	}
	free(p);
	env->prec = NULL;
}

/* Where widening compares with a previous iteration's state. */
static bool widen_point(struct venv *env, int i)
{
	return env->insns[i].op == BK_OP_MAY_GOTO ||
	       (env->aux[i].flags & (AUX_ITER_NEXT | AUX_CALLS_CB));
}

int compute_precision(struct venv *env)
{
	int n = (int)env->cnt;
	struct vprec *p = calloc(1, sizeof(*p));
	uint16_t *dem = calloc((size_t)n + 1, sizeof(*dem));
	uint64_t *sdem = calloc((size_t)n + 1, sizeof(*sdem));

	precision_free(env);
	env->prec = p;
	if (p) {
		p->fp = calloc((size_t)n + 1, sizeof(*p->fp));
		p->pt = calloc((size_t)n + 1, sizeof(*p->pt));
		p->fo = frame_offsets(env, -1);
		p->c2 = frame_offsets(env, 2);
		p->c4 = frame_offsets(env, 4);
		p->rd = calloc((size_t)env->nsubprogs + 1, 1);
		p->sink = calloc((size_t)n + 1, 1);
		p->gdec = calloc((size_t)n + 1, 1);
		p->pd.dem = calloc((size_t)n + 1, sizeof(*p->pd.dem));
		p->pd.sdem = calloc((size_t)n + 1, sizeof(*p->pd.sdem));
	}
	if (!p || !dem || !sdem || !p->fp || !p->pt || !p->fo || !p->rd || !p->c2 || !p->c4 ||
	    !p->sink || !p->gdec || !p->pd.dem || !p->pd.sdem) {
		free(dem), free(sdem);
		precision_free(env);
		return -ENOMEM;
	}
	maybe_fp(env, p->fp);
	maybe_ptr(env, p->fp, p->pt);
	demand_pass(env, p, NULL, -1, dem, sdem);
	p->pdirty = true; /* no jump decided yet: computed when first needed */
	env->track_decided = false;
	for (int i = 0; i < n; i++) {
		env->aux[i].demand = dem[i];
		env->aux[i].sdemand = sdem[i];
		env->track_decided |= env->insns[i].slots && widen_point(env, i);
	}
	free(dem), free(sdem);
	return 0;
}

/* Demand with only the conditional jumps at jumps[0..n) (sorted) as
 * sinks, along paths that do not come back to insn at, for widening there
 * against a state below which those were decided; NULL (every jump a
 * sink: env->aux's) when out of memory or once a run made DPASS_MAX
 * passes. */
const struct vdemand *demand_for(struct venv *env, int at, const uint32_t *jumps, uint32_t n)
{
	struct vprec *p = env->prec;
	int slot = 0;

	if (!p)
		return NULL;
	for (int k = 0; k < DCACHE; k++) {
		if (p->cache[k].d.dem && p->cache[k].n == n && p->cache[k].at == at &&
		    (!n || !memcmp(p->cache[k].jumps, jumps, sizeof(*jumps) * n))) {
			p->cache[k].used = ++p->tick;
			return &p->cache[k].d;
		}
		if (p->cache[k].used < p->cache[slot].used)
			slot = k;
	}
	if (p->passes >= DPASS_MAX)
		return NULL;
	p->passes++;
	free(p->cache[slot].jumps);
	p->cache[slot].n = 0;
	p->cache[slot].jumps = malloc(sizeof(*jumps) * (n ? n : 1));
	if (!p->cache[slot].d.dem)
		p->cache[slot].d.dem = calloc(env->cnt + 1, sizeof(uint16_t));
	if (!p->cache[slot].d.sdem)
		p->cache[slot].d.sdem = calloc(env->cnt + 1, sizeof(uint64_t));
	if (!p->cache[slot].jumps || !p->cache[slot].d.dem || !p->cache[slot].d.sdem) {
		free(p->cache[slot].d.dem);
		p->cache[slot].d.dem = NULL;
		return NULL;
	}
	if (n)
		memcpy(p->cache[slot].jumps, jumps, sizeof(*jumps) * n);
	p->cache[slot].n = n;
	p->cache[slot].at = at;
	p->cache[slot].used = ++p->tick;
	for (uint32_t k = 0; k < n; k++)
		p->sink[jumps[k]] = 1;
	demand_pass(env, p, p->sink, at, p->cache[slot].d.dem, p->cache[slot].d.sdem);
	for (uint32_t k = 0; k < n; k++)
		p->sink[jumps[k]] = 0;
	return &p->cache[slot].d;
}

void note_jump_decided(struct venv *env, int insn)
{
	struct vprec *p = env->prec;

	if (p && !p->gdec[insn]) {
		p->gdec[insn] = 1;
		p->pdirty = true;
	}
}

const struct vdemand *prune_demand(struct venv *env)
{
	struct vprec *p = env->prec;

	if (!p || p->pfail)
		return NULL;
	if (p->pdirty) {
		if (p->ppasses >= PPASS_MAX) {
			p->pfail = true;
			return NULL;
		}
		p->ppasses++;
		demand_pass(env, p, p->gdec, -1, p->pd.dem, p->pd.sdem);
		p->pdirty = false;
	}
	return &p->pd;
}
