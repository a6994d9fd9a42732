// SPDX-License-Identifier: MIT
/*
 * gen.c - random BPF programs for the differential fuzzer, biased toward
 * what verifiers get wrong: pointer arithmetic with bounded and unbounded
 * scalars, map value and packet bounds checks, NULL checks, stack spills,
 * fills and partial accesses, 32-bit ALU and jumps, sign extension.
 *
 * A program is built from snippets (each a few instructions that do
 * something plausible), ends with "r0 = imm; exit", and has only forward
 * jumps whose targets are patched in at the end; then, sometimes, a few
 * random mutations.  Maps are referenced with ld_imm64 MAP_FD whose imm is
 * an index into the fuzzer's map table (the kernel side swaps in fds).
 */
#include <stdlib.h>
#include <string.h>

#include "difffuzz.h"

struct gen {
	struct bk_insn *p;
	size_t n, cap;
	uint64_t *rng;
	int type;
	int nbranch;
	size_t branches[64];
	uint16_t init; /* registers surely written so far */
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int R(struct gen *g, int n)
{
	if (n <= 0)
		return 0;
	return (int)(rnd(g->rng) % (uint64_t)n);
}

static void emit(struct gen *g, struct bk_insn in)
{
	unsigned cls = in.code & 7;

	if (g->n < g->cap)
		g->p[g->n++] = in;
	if (in.code == BK_OPC_CALL)
		g->init = (uint16_t)((g->init & ~0x3eu) | 1u);
	else if (cls == BK_CLASS_ALU || cls == BK_CLASS_ALU64 || cls == BK_CLASS_LDX ||
		 in.code == BK_OPC_LDDW_MAP_FD)
		g->init |= (uint16_t)(1u << in.dst);
}

static void emit2(struct gen *g, struct bk_insn a, struct bk_insn b)
{
	if (g->n + 2 <= g->cap) {
		g->p[g->n++] = a;
		g->p[g->n++] = b;
	}
}

/* a register other than r10, mostly one already written */
static int reg(struct gen *g)
{
	if (R(g, 12) && g->init) {
		for (int tries = 0; tries < 16; tries++) {
			int r = R(g, 10);

			if (g->init & (1u << r))
				return r;
		}
	}
	return R(g, 4) ? R(g, 6) : R(g, 10);
}

static int32_t small_imm(struct gen *g)
{
	static const int32_t v[] = {0,	     1,	     2,	  3,	      4,
				    7,	     8,	     14,  15,	      16,
				    20,	     31,     32,  63,	      64,
				    255,     256,    -1,  -4,	      -8,
				    -16,     -512,   511, 0x7fffffff, (int32_t)0x80000000,
				    1 << 20, 1 << 29};
	if (R(g, 4) == 0)
		return (int32_t)rnd(g->rng);
	return v[R(g, (int)(sizeof(v) / sizeof(v[0])))];
}

static int size_op_ldx(struct gen *g)
{
	static const int ops[] = {BK_OPC_LDXB, BK_OPC_LDXH, BK_OPC_LDXW, BK_OPC_LDXDW};
	return ops[R(g, 4)];
}

static struct bk_insn I(int code, int dst, int src, int off, int imm) {
	return (struct bk_insn){.code = (uint8_t)code,
				.dst = (uint8_t)dst,
				.src = (uint8_t)src,
				.off = (int16_t)off,
				.imm = imm};
}

static void
cond_jump(struct gen *g, int dst, int src, bool x)
{
	static const int jk[] = {BK_OPC_JEQ_K,	BK_OPC_JNE_K,  BK_OPC_JGT_K,  BK_OPC_JGE_K,
				 BK_OPC_JLT_K,	BK_OPC_JLE_K,  BK_OPC_JSGT_K, BK_OPC_JSGE_K,
				 BK_OPC_JSLT_K, BK_OPC_JSLE_K, BK_OPC_JSET_K};
	int code = jk[R(g, 11)] | (x ? 0x08 : 0);

	if (R(g, 4) == 0)
		code = (code & ~7) | BK_CLASS_JMP32;
	if (g->nbranch < 64)
		g->branches[g->nbranch++] = g->n;
	emit(g, I(code, dst, x ? src : 0, 0, x ? 0 : small_imm(g)));
}

/* A bounded or not-quite-bounded scalar in r. */
static void make_scalar(struct gen *g, int r)
{
	switch (R(g, 6)) {
	case 0:
		emit(g, I(BK_OPC_MOV64_K, r, 0, 0, small_imm(g)));
		break;
	case 1:
		emit(g, I(BK_OPC_CALL, 0, 0, 0, 7)); /* get_prandom_u32 */
		if (r)
			emit(g, I(BK_OPC_MOV64_X, r, 0, 0, 0));
		break;
	case 2:
		emit(g, I(BK_OPC_CALL, 0, 0, 0, 7));
		emit(g, I(BK_OPC_AND64_K, 0, 0, 0, R(g, 2) ? 0xff : small_imm(g)));
		if (r)
			emit(g, I(BK_OPC_MOV64_X, r, 0, 0, 0));
		break;
	case 3:
		emit(g, I(BK_OPC_CALL, 0, 0, 0, 5)); /* ktime_get_ns */
		emit(g, I(BK_OPC_MOV64_X, r, 0, 0, 0));
		emit(g, I(BK_OPC_AND64_K, r, 0, 0, R(g, 3) ? 63 : 0x7fff));
		break;
	default:
		emit(g, I(BK_OPC_CALL, 0, 0, 0, 7));
		if (r)
			emit(g, I(BK_OPC_MOV64_X, r, 0, 0, 0));
		/* bound by a compare that skips the rest when out of range */
		emit(g, I(R(g, 2) ? BK_OPC_JGT_K : BK_OPC_JSGT_K, r, 0, 0,
			  R(g, 2) ? 60 : small_imm(g)));
		if (g->nbranch < 64)
			g->branches[g->nbranch++] = g->n - 1;
		break;
	}
}

static void snip_map(struct gen *g)
{
	int m = R(g, DF_NMAPS - 1), k = R(g, 5);

	if (R(g, 3))
		emit(g, I(BK_OPC_STW, 10, 0, -8, R(g, 4) ? R(g, 5) : small_imm(g)));
	else
		emit(g, I(BK_OPC_STDW, 10, 0, -8, R(g, 3) ? 0 : small_imm(g)));
	emit(g, I(BK_OPC_MOV64_X, 2, 10, 0, 0));
	emit(g, I(BK_OPC_ADD64_K, 2, 0, 0, R(g, 8) ? -8 : -R(g, 16)));
	emit2(g, I(BK_OPC_LDDW_MAP_FD, 1, 1, 0, m), I(0, 0, 0, 0, 0));
	emit(g, I(BK_OPC_CALL, 0, 0, 0, R(g, 10) ? 1 : (R(g, 2) ? 3 : 2)));
	if (R(g, 5)) { /* NULL check */
		emit(g, I(R(g, 2) ? BK_OPC_JEQ_K : BK_OPC_JNE_K, 0, 0, 0, 0));
		if (g->nbranch < 64)
			g->branches[g->nbranch++] = g->n - 1;
	}
	if (R(g, 2))
		emit(g, I(BK_OPC_MOV64_X, 6 + R(g, 3), 0, 0, 0));
	if (R(g, 2)) {
		make_scalar(g, 3);
		emit(g, I(R(g, 5) ? BK_OPC_ADD64_X : BK_OPC_SUB64_X, 0, 3, 0, 0));
	}
	(void)k;
	int op = size_op_ldx(g), off = R(g, 3) ? R(g, 20) - 2 : small_imm(g) % 80;

	if (R(g, 2))
		emit(g, I(op, reg(g), 0, off, 0));
	else
		emit(g, I(op + 2, 0, reg(g), off, 0)); /* STX */
}

static void snip_pkt(struct gen *g)
{
	int dataoff = g->type == DF_XDP ? 0 : 76, endoff = g->type == DF_XDP ? 4 : 80;
	int k = R(g, 3) ? R(g, 40) : small_imm(g) % 100;

	emit(g, I(BK_OPC_LDXW, 2, 6, dataoff, 0));
	emit(g, I(BK_OPC_LDXW, 3, 6, endoff, 0));
	emit(g, I(BK_OPC_MOV64_X, 4, 2, 0, 0));
	emit(g, I(BK_OPC_ADD64_K, 4, 0, 0, k));
	static const int jc[] = {BK_OPC_JGT_X, BK_OPC_JGE_X, BK_OPC_JLT_X, BK_OPC_JLE_X};
	int j = jc[R(g, 4)];

	if (R(g, 2))
		emit(g, I(j, 4, 3, 0, 0));
	else
		emit(g, I(j, 3, 4, 0, 0));
	if (g->nbranch < 64)
		g->branches[g->nbranch++] = g->n - 1;
	if (R(g, 3) == 0) {
		emit(g, I(BK_OPC_LDXB, 5, 2, R(g, 16), 0));
		emit(g, I(BK_OPC_AND64_K, 5, 0, 0, R(g, 2) ? 15 : 0xff));
		emit(g, I(BK_OPC_ADD64_X, 2, 5, 0, 0));
	}
	int op = size_op_ldx(g);

	int aoff = R(g, 3) ? R(g, k > 8 ? k - 7 : 1) : R(g, k + 4) - 2;

	if (R(g, 4))
		emit(g, I(op, 0, 2, aoff, 0));
	else
		emit(g, I(op + 2, 2, reg(g), aoff, 0));
}

static void snip_stack(struct gen *g)
{
	int off = -8 * (1 + R(g, 8)) + (R(g, 8) ? 0 : R(g, 8));
	static const int stx[] = {BK_OPC_STXB, BK_OPC_STXH, BK_OPC_STXW, BK_OPC_STXDW};
	static const int st[] = {BK_OPC_STB, BK_OPC_STH, BK_OPC_STW, BK_OPC_STDW};

	switch (R(g, 5)) {
	case 0:
		emit(g, I(stx[R(g, 4)], 10, reg(g), off, 0));
		break;
	case 1:
		emit(g, I(st[R(g, 4)], 10, 0, off, small_imm(g)));
		break;
	case 2:
		emit(g, I(size_op_ldx(g), reg(g), 10, off, 0));
		break;
	case 3: /* spill and fill a pointer or scalar */
		emit(g, I(BK_OPC_STXDW, 10, R(g, 2) ? 6 : reg(g), off & ~7, 0));
		emit(g, I(R(g, 3) ? BK_OPC_LDXDW : size_op_ldx(g), reg(g), 10,
			  (off & ~7) + (R(g, 4) ? 0 : R(g, 8)), 0));
		break;
	default: /* variable offset stack access */
		make_scalar(g, 4);
		emit(g, I(BK_OPC_AND64_K, 4, 0, 0, R(g, 2) ? 7 : 31));
		emit(g, I(BK_OPC_MOV64_X, 5, 10, 0, 0));
		emit(g, I(BK_OPC_ADD64_K, 5, 0, 0, -64));
		emit(g, I(BK_OPC_ADD64_X, 5, 4, 0, 0));
		emit(g, I(R(g, 2) ? size_op_ldx(g) : stx[R(g, 4)], R(g, 2) ? 0 : 5, R(g, 2) ? 5 : 0,
			  R(g, 8), 0));
		break;
	}
}

static void snip_alu(struct gen *g)
{
	static const int ops[] = {0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60,
				  0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0};
	int op = ops[R(g, 13)], x = R(g, 2), cls = R(g, 3) ? BK_CLASS_ALU64 : BK_CLASS_ALU;
	int imm = small_imm(g), off = 0;

	if (op == 0x60 || op == 0x70 || op == 0xc0)
		imm = R(g, 8) ? R(g, cls == BK_CLASS_ALU ? 32 : 64) : imm;
	if ((op == 0x30 || op == 0x90) && R(g, 4) == 0)
		off = 1;
	if (op == 0xb0 && x && R(g, 4) == 0)
		off = cls == BK_CLASS_ALU ? 8 << R(g, 2) : 8 << R(g, 3);
	if (op == 0x80)
		x = 0, imm = 0;
	emit(g, I(op | cls | (x ? 8 : 0), reg(g), x ? reg(g) : 0, off, x ? 0 : imm));
	if (R(g, 8) == 0)
		emit(g, I(R(g, 2) ? BK_OPC_BSWAP16 : BK_OPC_BE32, reg(g), 0, 0,
			  R(g, 2) ? 16 << R(g, 3) : 16 << R(g, 2)));
}

static void snip_ptr(struct gen *g)
{
	int base = R(g, 3) ? 10 : 6, r = 1 + R(g, 5);

	emit(g, I(BK_OPC_MOV64_X, r, base, 0, 0));
	if (R(g, 2))
		emit(g, I(BK_OPC_ADD64_K, r, 0, 0, R(g, 2) ? -8 * R(g, 8) : small_imm(g)));
	else {
		make_scalar(g, 7);
		emit(g, I(R(g, 4) ? BK_OPC_ADD64_X : (R(g, 2) ? BK_OPC_SUB64_X : BK_OPC_ADD32_X), r,
			  7, 0, 0));
	}
	if (R(g, 2))
		emit(g, I(size_op_ldx(g), reg(g), r, -R(g, 16), 0));
}

static void snip_helper(struct gen *g)
{
	static const int ids[] = {5, 7, 8, 6, 14, 16, 26, 28, 44, 51, 23, 130, 131};
	int id = ids[R(g, (int)(sizeof(ids) / sizeof(ids[0])))];

	for (int i = 1; i <= 5; i++)
		if (R(g, 2))
			emit(g, I(BK_OPC_MOV64_K, i, 0, 0, R(g, 3) ? R(g, 64) : small_imm(g)));
	if (R(g, 2))
		emit(g, I(BK_OPC_MOV64_X, 1, 6, 0, 0));
	if (R(g, 2)) {
		emit(g, I(BK_OPC_MOV64_X, 2 + R(g, 2), 10, 0, 0));
		emit(g, I(BK_OPC_ADD64_K, 2, 0, 0, -8 * (1 + R(g, 4))));
	}
	if (id == 51 || id == 130 || id == 131)
		emit2(g, I(BK_OPC_LDDW_MAP_FD, 1, 1, 0, id == 51 ? DF_MAP_DEV : DF_MAP_RB),
		      I(0, 0, 0, 0, 0));
	emit(g, I(BK_OPC_CALL, 0, 0, 0, id));
	if (id == 131) {
		emit(g, I(BK_OPC_JEQ_K, 0, 0, 0, 0));
		if (g->nbranch < 64)
			g->branches[g->nbranch++] = g->n - 1;
		emit(g, I(BK_OPC_MOV64_X, 1, 0, 0, 0));
		emit(g, I(BK_OPC_MOV64_K, 2, 0, 0, 0));
		if (R(g, 4))
			emit(g, I(BK_OPC_CALL, 0, 0, 0, R(g, 2) ? 132 : 133));
	}
}

/* Less common forms: sign-extending loads, atomics, 32-bit ALU and jumps
 * on pointers, pointer moves, helper calls with packet pointers. */
static void snip_misc(struct gen *g)
{
	static const int ldsx[] = {BK_OPC_LDXSB, BK_OPC_LDXSH, BK_OPC_LDXSW};
	static const int atom[] = {BK_OPC_ATOMIC64_ADD,	     BK_OPC_ATOMIC64_FETCH_ADD,
				   BK_OPC_ATOMIC64_XCHG,     BK_OPC_ATOMIC64_CMPXCHG,
				   BK_OPC_ATOMIC32_FETCH_OR, BK_OPC_ATOMIC64_AND};
	static const int32_t atom_imm[] = {0x00, 0x01, 0xe1, 0xf1, 0x41, 0x50};

	switch (R(g, 8)) {
	case 0:
		emit(g, I(ldsx[R(g, 3)], reg(g), R(g, 2) ? 10 : reg(g), -8 * (1 + R(g, 4)), 0));
		break;
	case 1: {
		int k = R(g, 6);

		emit(g, I(BK_OPC_STDW, 10, 0, -16, 0));
		emit(g,
		     I(atom[k], R(g, 3) ? 10 : reg(g), reg(g), R(g, 3) ? -16 : -12, atom_imm[k]));
		break;
	}
	case 2:
		emit(g, I(R(g, 2) ? BK_OPC_ADD32_K : BK_OPC_SUB32_K, R(g, 2) ? 6 : reg(g), 0, 0,
			  R(g, 16)));
		break;
	case 3:
		emit(g, I(R(g, 2) ? BK_OPC_MOV32_X : BK_OPC_MOVSX64_32, reg(g), R(g, 2) ? 10 : 6, 0,
			  0));
		if ((g->p[g->n - 1].code) == BK_OPC_MOVSX64_32)
			g->p[g->n - 1].off = 32;
		break;
	case 4:
		cond_jump(g, R(g, 2) ? 10 : 6, reg(g), true);
		break;
	case 5: /* csum_diff over packet or stack memory */
		emit(g, I(BK_OPC_LDXW, 1, 6, g->type == DF_XDP ? 0 : 76, 0));
		emit(g, I(BK_OPC_MOV64_K, 2, 0, 0, 4 * R(g, 3)));
		emit(g, I(BK_OPC_MOV64_K, 3, 0, 0, 0));
		emit(g, I(BK_OPC_MOV64_K, 4, 0, 0, 0));
		emit(g, I(BK_OPC_MOV64_K, 5, 0, 0, 0));
		emit(g, I(BK_OPC_CALL, 0, 0, 0, 28));
		break;
	case 6: /* negative offsets from a packet pointer */
		emit(g, I(BK_OPC_LDXW, 2, 6, g->type == DF_XDP ? 0 : 76, 0));
		emit(g, I(BK_OPC_ADD64_K, 2, 0, 0, -R(g, 4)));
		emit(g, I(BK_OPC_LDXB, 0, 2, R(g, 4), 0));
		break;
	default: /* NEG, bswap, sign extension of a bounded scalar */
		make_scalar(g, 4);
		emit(g, I(R(g, 2) ? BK_OPC_NEG64 : BK_OPC_NEG32, 4, 0, 0, 0));
		emit(g,
		     I(R(g, 2) ? BK_OPC_MOVSX64_8 : BK_OPC_MOVSX64_16, 4, 4, R(g, 2) ? 8 : 16, 0));
		if (g->p[g->n - 1].code == BK_OPC_MOVSX64_8)
			g->p[g->n - 1].off = R(g, 2) ? 8 : 16;
		break;
	}
}

static void mutate(struct gen *g)
{
	size_t i = (size_t)R(g, (int)g->n);
	struct bk_insn *in = &g->p[i];

	switch (R(g, 6)) {
	case 0:
		in->imm = (int32_t)((uint32_t)in->imm + (uint32_t)(R(g, 9) - 4));
		break;
	case 1:
		in->off = (int16_t)(in->off + R(g, 9) - 4);
		break;
	case 2:
		in->dst = (uint8_t)R(g, 11);
		break;
	case 3:
		in->src = (uint8_t)R(g, 11);
		break;
	case 4:
		in->code ^= (uint8_t)(1u << R(g, 8));
		break;
	default:
		in->imm = small_imm(g);
		break;
	}
}

static void snippets(struct gen *g, int nsnip, int *calls, int *ncalls)
{
	for (int s = 0; s < nsnip && g->n + 24 < g->cap; s++) {
		int k = R(g, 17);

		if (k < 4)
			snip_map(g);
		else if (k < 7 && g->type != DF_SOCKET)
			snip_pkt(g);
		else if (k < 10)
			snip_stack(g);
		else if (k < 12)
			snip_alu(g);
		else if (k < 14)
			snip_ptr(g);
		else if (k < 15)
			R(g, 2) ? snip_helper(g) : snip_misc(g);
		else if (k < 16 || !calls || *ncalls >= 4)
			cond_jump(g, reg(g), reg(g), R(g, 2));
		else { /* a BPF-to-BPF call with pointer or scalar arguments */
			static const int args[] = {6, 10, 0, 9};

			emit(g, I(BK_OPC_MOV64_X, 1, args[R(g, 4)], 0, 0));
			if (R(g, 2))
				emit(g, I(BK_OPC_ADD64_K, 1, 0, 0, -8 * R(g, 3)));
			calls[(*ncalls)++] = (int)g->n;
			emit(g, I(BK_OPC_CALL_LOCAL, 0, 1, 0, 0));
		}
	}
}

/* Forward jumps recorded since first: targets somewhere after, before end. */
static void patch_branches(struct gen *g, int first, size_t end)
{
	for (int b = first; b < g->nbranch; b++) {
		size_t at = g->branches[b];
		size_t span = end - at - 1;
		size_t t = at + 1 + (span ? (size_t)R(g, (int)span) : 0);

		if (t > at + 1 && g->p[t - 1].code == BK_OPC_LDDW_MAP_FD)
			t++;
		if (t >= end)
			t = end - 1;
		g->p[at].off = (int16_t)(t - at - 1);
	}
}

size_t df_generate(uint64_t *rng, int type, struct bk_insn *out, size_t cap)
{
	struct gen g = {.p = out, .cap = cap - 40, .rng = rng, .type = type};
	int nsnip = 1 + R(&g, 8), calls[4], ncalls = 0;

	g.init = 1u << 1;
	emit(&g, I(BK_OPC_MOV64_X, 6, 1, 0, 0));
	for (int r = 0; r < 10; r++)
		if (r != 1 && r != 6 && R(&g, 4))
			emit(&g, I(BK_OPC_MOV64_K, r, 0, 0, R(&g, 2) ? R(&g, 100) : small_imm(&g)));
	snippets(&g, nsnip, calls, &ncalls);
	emit(&g, I(BK_OPC_MOV64_K, 0, 0, 0, R(&g, 4) ? 2 : small_imm(&g)));
	emit(&g, I(BK_OPC_EXIT, 0, 0, 0, 0));
	patch_branches(&g, 0, g.n);
	if (ncalls) {
		/* the callee: r1 is its argument; r6 holds it like the ctx */
		int first = g.nbranch;
		size_t start = g.n;

		g.cap += 36;
		g.init = 1u << 1;
		emit(&g, I(BK_OPC_MOV64_X, 6, 1, 0, 0));
		snippets(&g, 1 + R(&g, 3), NULL, NULL);
		emit(&g, I(BK_OPC_MOV64_K, 0, 0, 0, R(&g, 8)));
		emit(&g, I(BK_OPC_EXIT, 0, 0, 0, 0));
		patch_branches(&g, first, g.n);
		for (int c = 0; c < ncalls; c++)
			out[calls[c]].imm = (int32_t)(start - (size_t)calls[c] - 1);
	}
	if (R(&g, 4) == 0)
		for (int m = 1 + R(&g, 3); m > 0; m--)
			mutate(&g);
	return g.n;
}

/* ---- typed generator: plausible programs near the bounds ------------------
 * Registers: r6 ctx, r7 packet start (with a checked range), r8 data_end,
 * r9 a map value (NULL-checked), r2..r5 scalars.  Each program derives a
 * scalar through a few ALU ops and compares, then accesses memory at
 * base + scalar + offset; the constants sit near the limits so that the
 * verdict hinges on exact bounds arithmetic. */

static int32_t near(struct gen *g, int32_t x)
{
	return x + R(g, 5) - 2;
}

static void exit_jump(struct gen *g, int code, int reg, int32_t imm, int src)
{
	if (g->nbranch < 64)
		g->branches[g->nbranch++] = g->n | (1ull << 62);
	emit(g, I(code, reg, src, 0, imm));
}

static void scalar_source(struct gen *g, int r, bool have_pkt, bool have_val)
{
	switch (R(g, 5)) {
	case 0:
		emit(g, I(BK_OPC_CALL, 0, 0, 0, 7));
		emit(g, I(BK_OPC_MOV64_X, r, 0, 0, 0));
		break;
	case 1:
		if (have_pkt) {
			emit(g, I(size_op_ldx(g) & ~0x18 ? BK_OPC_LDXB : BK_OPC_LDXH, r, 7, R(g, 4),
				  0));
			break;
		}
		/* fallthrough */
	case 2:
		if (have_val) {
			emit(g, I(size_op_ldx(g), r, 9, 8 * R(g, 2), 0));
			break;
		}
		/* fallthrough */
	case 3:
		emit(g, I(BK_OPC_LDXW, r, 6, g->type == DF_XDP ? 12 : 0, 0));
		break;
	default:
		emit(g, I(BK_OPC_MOV64_K, r, 0, 0, R(g, 100)));
		break;
	}
}

static void scalar_shape(struct gen *g, int r, int32_t limit)
{
	int steps = 1 + R(g, 3);

	/* mostly start from a bounded value: a mask or a compare */
	if (R(g, 5)) {
		if (R(g, 2))
			emit(g, I(BK_OPC_AND64_K, r, 0, 0, R(g, 2) ? limit - 1 : near(g, limit)));
		else
			exit_jump(g, R(g, 2) ? BK_OPC_JGT_K : BK_OPC_JGE_K, r, near(g, limit), 0);
	}

	for (int i = 0; i < steps; i++) {
		int cls = R(g, 3) ? BK_CLASS_ALU64 : BK_CLASS_ALU;

		switch (R(g, 9)) {
		case 0:
			emit(g, I(0x50 | cls, r, 0, 0, near(g, limit)));
			break;
		case 1:
			emit(g, I(0x70 | cls, r, 0, 0, R(g, cls == BK_CLASS_ALU ? 32 : 64)));
			break;
		case 2:
			emit(g, I(0x60 | cls, r, 0, 0, R(g, 4)));
			break;
		case 3:
			emit(g, I(0x00 | cls, r, 0, 0, near(g, R(g, 2) ? 0 : limit / 2)));
			break;
		case 4:
			emit(g, I(0x20 | cls, r, 0, 0, 1 + R(g, 4)));
			break;
		case 5: { /* bound with a compare: skip to the exit when too big */
			static const int jc[] = {BK_OPC_JGT_K, BK_OPC_JGE_K, BK_OPC_JSGT_K,
						 BK_OPC_JSGE_K};
			int c = jc[R(g, 4)];

			if (R(g, 3) == 0)
				c = (c & ~7) | BK_CLASS_JMP32;
			exit_jump(g, c, r, near(g, limit), 0);
			if (R(g, 3) == 0)
				exit_jump(g, R(g, 2) ? BK_OPC_JSLT_K : BK_OPC_JLT_K, r, near(g, 0),
					  0);
			break;
		}
		case 6:
			emit(g, I(R(g, 2) ? BK_OPC_MOVSX64_8 : BK_OPC_MOVSX32_16, r, r,
				  R(g, 2) ? 8 : 16, 0));
			break;
		case 7: /* linked copy, then bound the copy */
			emit(g, I(BK_OPC_MOV64_X, 5, r, 0, 0));
			if (R(g, 2))
				emit(g, I(BK_OPC_ADD64_K, 5, 0, 0, near(g, 4)));
			exit_jump(g, BK_OPC_JGT_K, 5, near(g, limit), 0);
			break;
		default:
			emit(g, I(0x90 | cls, r, 0, R(g, 4) == 0, near(g, limit)));
			break;
		}
	}
}

static void typed_access(struct gen *g, int base, int r, int32_t limit)
{
	static const int sz[] = {1, 2, 4, 8};
	int s = R(g, 4), ldx = size_op_ldx(g);
	int tmp = base == 10 ? 1 : 4;

	(void)sz;
	(void)s;
	emit(g, I(BK_OPC_MOV64_X, tmp, base, 0, 0));
	if (base == 10) {
		int32_t d = limit + 8;

		d = R(g, 4) ? (d + 7) & ~7 : near(g, d);
		emit(g, I(BK_OPC_ADD64_K, tmp, 0, 0, -d));
		if (R(g, 3)) /* stack accesses must be aligned: keep the index so */
			emit(g, I(BK_OPC_AND64_K, r, 0, 0,
				  ~((1 << (ldx == BK_OPC_LDXDW	? 3
					   : ldx == BK_OPC_LDXW ? 2
					   : ldx == BK_OPC_LDXH ? 1
								: 0)) -
				    1)));
	}
	emit(g, I(R(g, 6) ? BK_OPC_ADD64_X : BK_OPC_SUB64_X, tmp, r, 0, 0));
	int off = R(g, 3) ? (R(g, 2) ? 0 : near(g, 0)) : near(g, 8);

	if (R(g, 2))
		emit(g, I(ldx, 0, tmp, off, 0));
	else
		emit(g, I(ldx + 2, tmp, reg(g), off, 0)); /* the STX of the same size */
}

size_t df_generate_typed(uint64_t *rng, int type, struct bk_insn *out, size_t cap)
{
	struct gen g = {.p = out, .cap = cap - 4, .rng = rng, .type = type};
	bool pkt = type != DF_SOCKET && R(&g, 3), val = R(&g, 3) != 0;
	int32_t pkt_len = 8 + R(&g, 56), vsize = R(&g, 2) ? 16 : 64;
	int m = vsize == 16 ? DF_MAP_ARRAY : DF_MAP_ARRAY1;

	g.init = 1u << 1;
	emit(&g, I(BK_OPC_MOV64_X, 6, 1, 0, 0));
	if (pkt) {
		emit(&g, I(BK_OPC_LDXW, 7, 6, type == DF_XDP ? 0 : 76, 0));
		emit(&g, I(BK_OPC_LDXW, 8, 6, type == DF_XDP ? 4 : 80, 0));
		emit(&g, I(BK_OPC_MOV64_X, 1, 7, 0, 0));
		emit(&g, I(BK_OPC_ADD64_K, 1, 0, 0, pkt_len));
		exit_jump(&g, R(&g, 2) ? BK_OPC_JGT_X : BK_OPC_JGE_X, 1, 0, 8);
	}
	if (val) {
		emit(&g, I(BK_OPC_STW, 10, 0, -4, R(&g, 4) ? 0 : R(&g, 6)));
		emit(&g, I(BK_OPC_MOV64_X, 2, 10, 0, 0));
		emit(&g, I(BK_OPC_ADD64_K, 2, 0, 0, -4));
		emit2(&g, I(BK_OPC_LDDW_MAP_FD, 1, 1, 0, m), I(0, 0, 0, 0, 0));
		emit(&g, I(BK_OPC_CALL, 0, 0, 0, 1));
		if (R(&g, 6))
			exit_jump(&g, BK_OPC_JEQ_K, 0, 0, 0);
		emit(&g, I(BK_OPC_MOV64_X, 9, 0, 0, 0));
	}
	int nacc = 1 + R(&g, 3);

	for (int a = 0; a < nacc; a++) {
		int base = R(&g, 3);
		int32_t limit;

		if (base == 0 && pkt)
			base = 7, limit = pkt_len;
		else if (base == 1 && val)
			base = 9, limit = vsize;
		else
			base = 10, limit = 8 * (1 + R(&g, 8));
		scalar_source(&g, 3, pkt, val);
		scalar_shape(&g, 3, limit);
		if (R(&g, 4) == 0) { /* spill and fill the scalar, maybe narrowly */
			emit(&g, I(R(&g, 2) ? BK_OPC_STXDW : BK_OPC_STXW, 10, 3, -16, 0));
			emit(&g, I(R(&g, 2) ? BK_OPC_LDXDW : BK_OPC_LDXW, 3, 10, -16, 0));
		}
		typed_access(&g, base, 3, limit);
	}
	emit(&g, I(BK_OPC_MOV64_K, 0, 0, 0, 2));
	emit(&g, I(BK_OPC_EXIT, 0, 0, 0, 0));
	/* exits: jump to the final "r0 = 2; exit" */
	for (int b = 0; b < g.nbranch; b++) {
		size_t at = g.branches[b] & ~(1ull << 62);

		out[at].off = (int16_t)(g.n - 2 - at - 1);
	}
	if (R(&g, 5) == 0)
		mutate(&g);
	return g.n;
}
