// SPDX-License-Identifier: MIT
/*
 * factgen.c - a small, sound producer of struct bk_insn_fact for the JIT's
 * tests: a forward dataflow over the program's registers where each is
 * unreached, a known 64-bit constant, known to have a zero upper half, or
 * unknown, joined over every path until nothing changes.  It stands in for
 * libverify's producer so that the differential test can check what the
 * JIT does with facts against the interpreter, on random programs.
 *
 * Assumptions it may make because it serves bpfkit's engines only: r0 and
 * r3..r9 are zero at the main entry; r1..r5 keep their values across a
 * legacy packet load.  Function entries (call and ld_imm64 targets) start
 * unknown; calls leave r0..r5 unknown and r6..r9 as they were.
 */
#include <stdlib.h>
#include <string.h>

#include "factgen.h"

enum {
	BOT = 0, /* no path reaches here yet */
	CONST,
	ZEXT, /* upper 32 bits zero */
	TOP,
};

struct av {
	uint8_t k;
	uint64_t v;
};

struct st {
	bool reached;
	struct av r[11];
};

static struct av top(void)
{
	return (struct av){TOP, 0};
}

static struct av cst(uint64_t v)
{
	return (struct av){CONST, v};
}

static struct av zext(void)
{
	return (struct av){ZEXT, 0};
}

static bool upper_zero(struct av a)
{
	return a.k == ZEXT || (a.k == CONST && !(a.v >> 32));
}

static struct av join(struct av a, struct av b)
{
	if (a.k == BOT)
		return b;
	if (b.k == BOT)
		return a;
	if (a.k == CONST && b.k == CONST && a.v == b.v)
		return a;
	return upper_zero(a) && upper_zero(b) ? zext() : top();
}

/* The operation of an ALU or jump op, by its ubpf mnemonic in insn.def
 * ("add32" is "add"): an index into names[], or -1. */
static int op_name(const struct bk_op_info *oi, const char *const *names, int n)
{
	size_t len = strcspn(oi->ubpf, "3");

	for (int i = 0; i < n; i++)
		if (strlen(names[i]) == len && !strncmp(oi->ubpf, names[i], len))
			return i;
	return -1;
}

enum {
	A_ADD,
	A_SUB,
	A_MUL,
	A_DIV,
	A_SDIV,
	A_OR,
	A_AND,
	A_LSH,
	A_RSH,
	A_NEG,
	A_MOD,
	A_SMOD,
	A_XOR,
	A_MOV,
	A_ARSH,
	A__N
};
static const char *const alu_names[A__N] = {"add", "sub",  "mul", "div", "sdiv",
					    "or",  "and",  "lsh", "rsh", "neg",
					    "mod", "smod", "xor", "mov", "arsh"};

/* The interpreter's arithmetic (see libvm/interp.c). */
static bool eval(unsigned op, uint64_t a, uint64_t b, uint64_t *r)
{
	const struct bk_op_info *oi = bk_op_info(op);
	bool w = bk_opc_is_64(oi->opcode);
	uint64_t m = w ? ~0ull : 0xffffffffull;
	unsigned sh = (unsigned)b & (w ? 63 : 31);
	int64_t sa, sb;

	a &= m;
	b &= m;
	sa = w ? (int64_t)a : (int32_t)a;
	sb = w ? (int64_t)b : (int32_t)b;
	switch (op_name(oi, alu_names, A__N)) {
	case A_ADD:
		*r = a + b;
		break;
	case A_SUB:
		*r = a - b;
		break;
	case A_MUL:
		*r = a * b;
		break;
	case A_DIV:
		*r = b ? a / b : 0;
		break;
	case A_SDIV:
		*r = !b ? 0 : sb == -1 ? 0 - a : (uint64_t)(sa / sb);
		break;
	case A_OR:
		*r = a | b;
		break;
	case A_AND:
		*r = a & b;
		break;
	case A_LSH:
		*r = a << sh;
		break;
	case A_RSH:
		*r = a >> sh;
		break;
	case A_NEG:
		*r = 0 - a;
		break;
	case A_MOD:
		*r = b ? a % b : a;
		break;
	case A_SMOD:
		*r = !b ? a : sb == -1 ? 0 : (uint64_t)(sa % sb);
		break;
	case A_XOR:
		*r = a ^ b;
		break;
	case A_MOV:
		*r = b;
		break;
	case A_ARSH:
		*r = w ? (uint64_t)((int64_t)a >> sh) : (uint32_t)((int32_t)a >> sh);
		break;
	default:
		return false;
	}
	*r &= m;
	return true;
}

enum {
	J_EQ,
	J_GT,
	J_GE,
	J_SET,
	J_NE,
	J_SGT,
	J_SGE,
	J_LT,
	J_LE,
	J_SLT,
	J_SLE,
	J__N
};
static const char *const jmp_names[J__N] = {"jeq",  "jgt", "jge", "jset", "jne", "jsgt",
					    "jsge", "jlt", "jle", "jslt", "jsle"};

/* A conditional jump decided by constants: 1 taken, 0 not, -1 unknown. */
static int decide(const struct bk_dinsn *d, struct av dst, struct av src)
{
	const struct bk_op_info *oi = bk_op_info(d->op);
	bool w = bk_opc_is_64(oi->opcode), k = oi->fmt == BK_FMT_JMP_K;
	uint64_t a = dst.v, b = k ? (uint64_t)(int64_t)d->imm : src.v,
		 m = w ? ~0ull : 0xffffffffull;
	int64_t sa, sb;

	if (dst.k != CONST || (!k && src.k != CONST))
		return -1;
	a &= m;
	b &= m;
	sa = w ? (int64_t)a : (int32_t)a;
	sb = w ? (int64_t)b : (int32_t)b;
	switch (op_name(oi, jmp_names, J__N)) {
	case J_EQ:
		return a == b;
	case J_GT:
		return a > b;
	case J_GE:
		return a >= b;
	case J_SET:
		return (a & b) != 0;
	case J_NE:
		return a != b;
	case J_SGT:
		return sa > sb;
	case J_SGE:
		return sa >= sb;
	case J_LT:
		return a < b;
	case J_LE:
		return a <= b;
	case J_SLT:
		return sa < sb;
	case J_SLE:
		return sa <= sb;
	default:
		return -1;
	}
}

static void alu(const struct bk_dinsn *d, struct st *s)
{
	const struct bk_op_info *oi = bk_op_info(d->op);
	bool w = bk_opc_is_64(oi->opcode);
	struct av a = s->r[d->dst],
		  b = oi->fmt == BK_FMT_ALU_K ? cst((uint64_t)(int64_t)d->imm) : s->r[d->src];
	uint64_t v;

	if (oi->fmt == BK_FMT_NEG)
		b = cst(0);
	if (d->op == BK_OP_MOV64_X || d->op == BK_OP_MOV32_X) {
		s->r[d->dst] = w ? b : b.k == CONST ? cst((uint32_t)b.v) : zext();
		return;
	}
	if ((oi->fmt == BK_FMT_ALU_K || oi->fmt == BK_FMT_ALU_X || oi->fmt == BK_FMT_NEG) &&
	    a.k == CONST && b.k == CONST && eval(d->op, a.v, b.v, &v)) {
		s->r[d->dst] = cst(v);
		return;
	}
	if (d->op == BK_OP_MOV64_K || d->op == BK_OP_MOV32_K) {
		s->r[d->dst] = cst(w ? (uint64_t)(int64_t)d->imm : (uint32_t)d->imm);
		return;
	}
	if (oi->fmt == BK_FMT_END) { /* 16/32 bits: zero-extended; 64: le64 keeps all */
		if (d->imm != 64)
			s->r[d->dst] = zext();
		else if (d->op != BK_OP_LE64)
			s->r[d->dst] = top();
		return;
	}
	s->r[d->dst] = w ? top() : zext();
}

/* The state after insn i, and its successors. */
static void transfer(const struct bk_dinsn *insns, size_t i, struct st *s, int64_t succ[2])
{
	const struct bk_dinsn *d = &insns[i];
	const struct bk_op_info *oi = bk_op_info(d->op);
	unsigned size = 0;
	int taken;

	succ[0] = (int64_t)(i + d->slots);
	succ[1] = -1;
	switch (oi->fmt) {
	case BK_FMT_ALU_K:
	case BK_FMT_ALU_X:
	case BK_FMT_NEG:
	case BK_FMT_MOVSX:
	case BK_FMT_END:
		alu(d, s);
		break;
	case BK_FMT_LDX:
		size = bk_opc_size(oi->opcode);
		s->r[d->dst] = size < 8 && !bk_opc_is_signed_load(oi->opcode) ? zext() : top();
		break;
	case BK_FMT_LDDW:
		s->r[d->dst] = d->op == BK_OP_LDDW ? cst(bk_dinsn_imm64(d)) : top();
		break;
	case BK_FMT_ATOMIC_FETCH:
	case BK_FMT_XCHG:
		s->r[d->src] = bk_opc_size(oi->opcode) == 4 ? zext() : top();
		break;
	case BK_FMT_CMPXCHG:
		s->r[0] = bk_opc_size(oi->opcode) == 4 ? zext() : top();
		break;
	case BK_FMT_CALL:
	case BK_FMT_CALL_KFUNC:
	case BK_FMT_CALLX:
	case BK_FMT_CALL_LOCAL:
		for (int r = 0; r <= 5; r++)
			s->r[r] = top();
		break;
	case BK_FMT_LD_ABS:
	case BK_FMT_LD_IND:
		s->r[0] = zext();
		break;
	case BK_FMT_EXIT:
		succ[0] = -1;
		break;
	case BK_FMT_JA:
		succ[0] = (int64_t)i + 1 + d->off;
		break;
	case BK_FMT_JA32:
		succ[0] = (int64_t)i + 1 + d->imm;
		break;
	case BK_FMT_JCOND:
		succ[1] = (int64_t)i + 1 + d->off;
		break;
	case BK_FMT_JMP_K:
	case BK_FMT_JMP_X:
		taken = decide(d, s->r[d->dst], s->r[d->src]);
		if (taken == 1)
			succ[0] = (int64_t)i + 1 + d->off;
		else if (taken < 0)
			succ[1] = (int64_t)i + 1 + d->off;
		break;
	default:
		break;
	}
}

static bool merge(struct st *into, const struct st *s)
{
	bool changed = !into->reached;

	into->reached = true;
	for (int r = 0; r < 11; r++) {
		struct av j = join(into->r[r], s->r[r]);

		if (j.k != into->r[r].k || j.v != into->r[r].v) {
			into->r[r] = j;
			changed = true;
		}
	}
	return changed;
}

static void emit(const struct bk_dinsn *insns, size_t cnt, const struct st *in,
		 struct bk_insn_fact *out)
{
	memset(out, 0, cnt * sizeof(*out));
	for (size_t i = 0; i < cnt; i++) {
		const struct bk_dinsn *d = &insns[i];
		const struct bk_op_info *oi;
		struct bk_insn_fact *f = &out[i];
		struct av dst, src;
		bool w;

		if (!d->slots)
			continue;
		if (!in[i].reached) {
			f->flags = BK_FACT_DEAD;
			continue;
		}
		oi = bk_op_info(d->op);
		w = bk_opc_is_64(oi->opcode);
		dst = in[i].r[d->dst];
		src = in[i].r[d->src];
		if (dst.k == CONST)
			*f = (struct bk_insn_fact){.flags = BK_FACT_DST_CONST, .dst_val = dst.v};
		if (upper_zero(dst))
			f->flags |= BK_FACT_DST_ZEXT;
		if (oi->fmt == BK_FMT_ALU_X || oi->fmt == BK_FMT_JMP_X) {
			if (src.k == CONST) {
				f->flags |= BK_FACT_SRC_CONST;
				f->src_val = src.v;
			}
			if (upper_zero(src))
				f->flags |= BK_FACT_SRC_ZEXT;
			if (src.k == CONST && (w ? src.v : (uint32_t)src.v))
				f->flags |= BK_FACT_DIV_NONZERO;
			if (src.k == CONST && (w ? src.v != ~0ull : (uint32_t)src.v != ~0u))
				f->flags |= BK_FACT_DIV_NO_OVF;
		}
		if (oi->fmt == BK_FMT_JMP_K || oi->fmt == BK_FMT_JMP_X) {
			int t = decide(d, dst, src);

			if (t == 1)
				f->flags |= BK_FACT_JMP_ALWAYS;
			else if (t == 0)
				f->flags |= BK_FACT_JMP_NEVER;
		}
	}
}

int fg_facts(const struct bk_insn *insns, size_t cnt, struct bk_insn_fact *out)
{
	struct bk_dinsn *dec = calloc(cnt, sizeof(*dec));
	struct st *in = calloc(cnt + 1, sizeof(*in)), s;
	size_t *work = calloc(cnt + 1, sizeof(*work)), nwork = 0;
	bool *queued = calloc(cnt + 1, 1);
	int err = -1;

	if (!dec || !in || !work || !queued || bk_decode_prog(insns, cnt, dec, NULL))
		goto out;
	/* entries: main (r0, r3..r9 zero), and every function: unknown */
	memset(&s, 0, sizeof(s));
	for (int r = 0; r < 11; r++)
		s.r[r] = r == 1 || r == 2 || r == 10 ? top() : cst(0);
	merge(&in[0], &s);
	work[nwork++] = 0;
	queued[0] = true;
	for (size_t i = 0; i < cnt; i++) {
		int64_t t = -1;

		if (dec[i].op == BK_OP_CALL_LOCAL || dec[i].op == BK_OP_LDDW_FUNC)
			t = (int64_t)i + 1 + dec[i].imm;
		if (t < 0 || (size_t)t >= cnt || queued[t])
			continue;
		for (int r = 0; r < 11; r++)
			s.r[r] = top();
		merge(&in[t], &s);
		work[nwork++] = (size_t)t;
		queued[t] = true;
	}
	while (nwork) {
		size_t i = work[--nwork];
		int64_t succ[2];

		queued[i] = false;
		s = in[i];
		transfer(dec, i, &s, succ);
		for (int k = 0; k < 2; k++) {
			if (succ[k] < 0 || (size_t)succ[k] >= cnt || !merge(&in[succ[k]], &s) ||
			    queued[succ[k]])
				continue;
			queued[succ[k]] = true;
			work[nwork++] = (size_t)succ[k];
		}
	}
	emit(dec, cnt, in, out);
	err = 0;
out:
	free(dec);
	free(in);
	free(work);
	free(queued);
	return err;
}
