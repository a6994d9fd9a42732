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
 * Sinks: operands of conditional jumps, both operands of 64-bit add and
 * subtract of registers (pointer arithmetic), helper and BPF-to-BPF call
 * arguments, values stored where the stack may be (a forward pass tracks
 * registers that may hold a frame pointer), r0 at a subprogram's exit.
 */
#include <errno.h>
#include <stdlib.h>

#include "verify_int.h"

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

/* demand before insn i from the demand after it. */
static uint16_t transfer(struct venv *env, int i, uint16_t out, uint16_t fp)
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
			return out | dst | src;
		return out | (dst_out ? src : 0);
	case BK_FMT_MOVSX:
		return (uint16_t)((out & ~dst) | (dst_out ? src : 0));
	case BK_FMT_NEG:
	case BK_FMT_END:
		return out;
	case BK_FMT_JMP_K:
		return out | dst;
	case BK_FMT_JMP_X:
		return out | dst | src;
	case BK_FMT_JCOND:
		return out;
	case BK_FMT_CALL:
	case BK_FMT_CALL_KFUNC:
	case BK_FMT_CALL_LOCAL:
		return (uint16_t)((out & ~0x3f) | ALL_ARGS);
	case BK_FMT_EXIT:
		return env->subprogs[env->aux[i].subprog].start == 0 ? 0 : 1;
	case BK_FMT_LDX:
		return (uint16_t)((out & ~dst) | src);
	case BK_FMT_ST:
		return out | dst;
	case BK_FMT_STX:
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

int compute_precision(struct venv *env)
{
	int n = (int)env->cnt;
	uint16_t *fp = calloc((size_t)n + 1, sizeof(*fp));
	bool changed = true;

	if (!fp)
		return -ENOMEM;
	maybe_fp(env, fp);
	for (int i = 0; i < n; i++)
		env->aux[i].demand = 0;
	while (changed) {
		changed = false;
		for (int i = n - 1; i >= 0; i--) {
			const struct bk_dinsn *d = &env->insns[i];

			if (!d->slots)
				continue;
			uint16_t out = 0;
			long t = target_of(d, i);

			if (falls_through(d) && i + d->slots < n)
				out |= env->aux[i + d->slots].demand;
			if (t >= 0 && t < n)
				out |= env->aux[t].demand;
			uint16_t in = (uint16_t)(transfer(env, i, out, fp[i]) & 0x3ff);

			if (in != env->aux[i].demand) {
				env->aux[i].demand = in;
				changed = true;
			}
		}
	}
	free(fp);
	return 0;
}
