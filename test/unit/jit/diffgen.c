// SPDX-License-Identifier: MIT
/*
 * diffgen.c - random valid programs and the interpreter-against-JIT
 * comparison (see diffgen.h).
 *
 * Validity by construction: r9 holds the buffer (r1 at entry) and r10 the
 * frame; memory is only reached at offsets inside the buffer's first 256
 * bytes, inside [-512, -64) of the current frame, or inside a map value a
 * lookup returned (after its NULL check); stack slots -8 (loop counter)
 * and -12..-48 (helper arguments) are the generator's own.  Loops count a
 * stack slot down from at most 5, calls only go to later subprograms (no
 * recursion), bpf_loop runs at most 4 times.  bpf_loop callbacks are
 * subprograms of their own kind: they start with r6..r9 zero, so they
 * load r9 from their ctx, where the caller stored it.  After a helper call r1..r5
 * are set again (the engines leave different values there, as BPF allows).
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diffgen.h"
#include "jit.h"
#include "vm.h"

enum {
	BUF_SIZE = 512,
	BUF_DATA = 256, /* accessed at random; r0..r8 are stored after it */
	MAX_SLOTS = 4096,
	NSUB = 4,
	STACK_BYTES = BK_VM_MAX_FRAMES * BK_VM_STACK_SIZE,
	A_ENTRIES = 8,
	A_VALUE = 16,
	H_ENTRIES = 16,
	NFIX = 256,
	NMEM = 1024,
};

struct gen {
	struct bk_insn *p;
	size_t n, cap;
	uint64_t rng;
	unsigned flags;
	int fn, nsub, in_loop, depth;
	bool callback[NSUB + 1]; /* bpf_loop callbacks: r9 comes from their ctx */
	struct {
		size_t at;
		int sub;
	} fix[NFIX];
	int nfix;
	size_t sub_at[NSUB + 1];
	size_t mem[NMEM];
	int nmem;
};

static uint64_t rnd(struct gen *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 0x2545f4914f6cdd1dull;
}

static unsigned R(struct gen *g, unsigned n)
{
	return n ? (unsigned)(rnd(g) % n) : 0;
}

static bool chance(struct gen *g, unsigned pct)
{
	return R(g, 100) < pct;
}

static int data_reg(struct gen *g)
{
	return (int)R(g, 9); /* r0..r8 */
}

static int32_t imm(struct gen *g)
{
	static const int32_t special[] = {
		0,	1,	-1,	   2,	      7,	  8,	     16,    31,
		32,	33,	63,	   64,	      -2,	  0xff,	     0x100, 0x7fff,
		0x8000, -32768, INT32_MAX, INT32_MIN, 0x12345678, -0x789abcd};

	if (chance(g, 60))
		return special[R(g, sizeof(special) / sizeof(special[0]))];
	return (int32_t)rnd(g);
}

/* Appends one instruction (two slots for ld_imm64); returns its index. */
static size_t put(struct gen *g, unsigned op, int dst, int src, int off, int32_t k, int32_t k2)
{
	struct bk_dinsn d = {.op = (uint16_t)op,
			     .dst = (uint8_t)dst,
			     .src = (uint8_t)src,
			     .off = (int16_t)off,
			     .imm = k,
			     .imm2 = k2};
	struct bk_insn out[2];
	int n = bk_encode(&d, out);
	size_t at = g->n;

	if (n < 0 || g->n + (size_t)n > g->cap) {
		g->n = g->cap; /* full: the program is dropped */
		return at;
	}
	memcpy(&g->p[g->n], out, (size_t)n * sizeof(out[0]));
	g->n += (size_t)n;
	return at;
}

static bool full(const struct gen *g)
{
	return g->n + 64 >= g->cap;
}

static void patch_off(struct gen *g, size_t at, size_t to)
{
	if (at < g->cap && to <= g->cap)
		g->p[at].off = (int16_t)((int64_t)to - (int64_t)(at + 1));
}

/* ops of insn.def with one of the formats */
static unsigned pick_op(struct gen *g, const uint8_t *fmts, size_t nf)
{
	for (;;) {
		unsigned op = R(g, BK_OP__COUNT);
		const struct bk_op_info *oi = bk_op_info(op);

		for (size_t i = 0; i < nf; i++)
			if (oi->fmt == fmts[i])
				return op;
	}
}

static void set_const(struct gen *g, int r)
{
	if (chance(g, 20))
		put(g, BK_OP_LDDW, r, 0, 0, (int32_t)rnd(g), (int32_t)rnd(g));
	else
		put(g, chance(g, 50) ? BK_OP_MOV64_K : BK_OP_MOV32_K, r, 0, 0, imm(g), 0);
}

/* ---- items --------------------------------------------------------------- */

static void gen_block(struct gen *g, int items);

/* DG_VERIFY (programs for libverify): no shift past the width, no / 0. */
static int32_t verifiable_imm(unsigned op, int32_t k)
{
	const struct bk_op_info *oi = bk_op_info(op);
	bool w = bk_opc_class(oi->opcode) == BK_CLASS_ALU64;

	if (oi->fmt != BK_FMT_ALU_K)
		return k;
	switch (op) {
	case BK_OP_LSH64_K:
	case BK_OP_RSH64_K:
	case BK_OP_ARSH64_K:
	case BK_OP_LSH32_K:
	case BK_OP_RSH32_K:
	case BK_OP_ARSH32_K:
		return k & (w ? 63 : 31);
	case BK_OP_DIV64_K:
	case BK_OP_SDIV64_K:
	case BK_OP_MOD64_K:
	case BK_OP_SMOD64_K:
	case BK_OP_DIV32_K:
	case BK_OP_SDIV32_K:
	case BK_OP_MOD32_K:
	case BK_OP_SMOD32_K:
		return k ? k : 1;
	default:
		return k;
	}
}

/* DG_VERIFY: a temporary base pointer becomes a number again, so later
 * arithmetic on the register is on a scalar. */
static void drop_base(struct gen *g, int base)
{
	if ((g->flags & DG_VERIFY) && base != 9 && base != 10)
		put(g, BK_OP_MOV64_K, base, 0, 0, imm(g), 0);
}

static void gen_alu(struct gen *g)
{
	static const uint8_t fmts[] = {BK_FMT_ALU_K, BK_FMT_ALU_X, BK_FMT_NEG, BK_FMT_MOVSX,
				       BK_FMT_END};

	if (chance(g, 5)) {
		set_const(g, data_reg(g));
		return;
	}
	unsigned op = pick_op(g, fmts, sizeof(fmts));
	int32_t k = imm(g);

	if (g->flags & DG_VERIFY) /* what the verifier refuses: K shifts past the width, / 0 */
		k = verifiable_imm(op, k);
	put(g, op, data_reg(g), data_reg(g), 0, k, 0);
}

/* An address for an access of size bytes: a base register and offset.
 * Sets up a temporary base (not `keep`) half of the time. */
static void address(struct gen *g, unsigned size, bool align, int keep, int *base, int *off)
{
	bool stack = chance(g, 50);
	int lo = stack ? -BK_VM_STACK_SIZE : 0, hi = stack ? -64 : BUF_DATA; /* [lo, hi) */

	if (stack && (g->flags & DG_VERIFY)) /* calls' frames within 512 bytes together */
		lo = g->fn ? -96 : -128;
	int t = lo + (int)R(g, (unsigned)(hi - lo) - size + 1);
	int b;

	if (align || (g->flags & DG_VERIFY)) /* the verifier wants the stack aligned */
		t &= ~(int)(size - 1);
	*base = stack ? 10 : 9;
	*off = t;
	if (chance(g, 50)) {
		int k = (int)R(g, 201) - 100;

		do
			b = data_reg(g);
		while (b == keep);
		put(g, BK_OP_MOV64_X, b, *base, 0, 0, 0);
		put(g, BK_OP_ADD64_K, b, 0, 0, k, 0);
		*base = b;
		*off = t - k;
	}
}

static void note_mem(struct gen *g, size_t at)
{
	if (g->nmem < NMEM)
		g->mem[g->nmem++] = at;
}

static void gen_mem(struct gen *g)
{
	static const uint8_t fmts[] = {BK_FMT_LDX, BK_FMT_ST, BK_FMT_STX};
	unsigned op = pick_op(g, fmts, sizeof(fmts));
	unsigned size = bk_opc_size(bk_op_info(op)->opcode);
	int src = data_reg(g), base, off;

	address(g, size, false, bk_op_info(op)->fmt == BK_FMT_STX ? src : -1, &base, &off);
	note_mem(g, put(g, op, bk_op_info(op)->fmt == BK_FMT_LDX ? data_reg(g) : base,
			bk_op_info(op)->fmt == BK_FMT_LDX ? base : src, off, imm(g), 0));
	drop_base(g, base);
}

static void gen_atomic(struct gen *g)
{
	static const uint8_t fmts[] = {BK_FMT_ATOMIC, BK_FMT_ATOMIC_FETCH, BK_FMT_XCHG,
				       BK_FMT_CMPXCHG};
	unsigned op = pick_op(g, fmts, sizeof(fmts));
	unsigned size = bk_opc_size(bk_op_info(op)->opcode);
	int src = data_reg(g), base, off;

	address(g, size, true, src, &base, &off);
	note_mem(g, put(g, op, base, src, off, 0, 0));
	drop_base(g, base);
}

static void gen_if(struct gen *g)
{
	static const uint8_t fmts[] = {BK_FMT_JMP_K, BK_FMT_JMP_X};
	unsigned op = pick_op(g, fmts, sizeof(fmts));
	size_t at = put(g, op, data_reg(g), chance(g, 10) ? 10 : data_reg(g), 0, imm(g), 0), ja;

	g->depth++;
	gen_block(g, 1 + (int)R(g, 4));
	if (chance(g, 30)) {
		ja = put(g, BK_OP_JA, 0, 0, 0, 0, 0);
		patch_off(g, at, g->n);
		gen_block(g, 1 + (int)R(g, 3));
		patch_off(g, ja, g->n);
	} else {
		patch_off(g, at, g->n);
	}
	g->depth--;
}

static void gen_gotol(struct gen *g)
{
	size_t at = put(g, BK_OP_JA32, 0, 0, 0, 0, 0);

	g->depth++;
	gen_block(g, 1 + (int)R(g, 2)); /* skipped */
	g->depth--;
	if (at < g->cap)
		g->p[at].imm = (int32_t)(g->n - (at + 1));
}

static void gen_loop(struct gen *g)
{
	size_t start, mg = SIZE_MAX;
	int c = data_reg(g);

	put(g, BK_OP_STDW, 10, 0, -8, 1 + (int)R(g, 5), 0);
	start = g->n;
	g->in_loop++;
	g->depth++;
	gen_block(g, 1 + (int)R(g, 4));
	if (chance(g, 40))
		mg = put(g, BK_OP_MAY_GOTO, 0, 0, 0, 0, 0);
	g->depth--;
	g->in_loop--;
	put(g, BK_OP_LDXDW, c, 10, -8, 0, 0);
	put(g, BK_OP_ADD64_K, c, 0, 0, -1, 0);
	put(g, BK_OP_STXDW, 10, c, -8, 0, 0);
	put(g, chance(g, 50) ? BK_OP_JNE_K : BK_OP_JSGT_K, c, 0,
	    (int)((int64_t)start - (int64_t)(g->n + 1)), 0, 0);
	if (mg != SIZE_MAX)
		patch_off(g, mg, g->n);
}

/* A later subprogram of the kind asked for, or 0 when there is none. */
static int later_sub(struct gen *g, bool callback)
{
	int n = 0, pick[NSUB];

	for (int s = g->fn + 1; s <= g->nsub; s++)
		if (g->callback[s] == callback)
			pick[n++] = s;
	return n ? pick[R(g, (unsigned)n)] : 0;
}

static void fix(struct gen *g, size_t at, int sub)
{
	if (g->nfix < NFIX) {
		g->fix[g->nfix].at = at;
		g->fix[g->nfix++].sub = sub;
	} else {
		g->n = g->cap;
	}
}

static void reinit_args(struct gen *g)
{
	for (int r = 1; r <= 5; r++)
		put(g, BK_OP_MOV64_K, r, 0, 0, imm(g), 0);
}

static void gen_call(struct gen *g)
{
	int s = later_sub(g, false);

	if (!s)
		return;
	if (chance(g, 70)) {
		if (g->flags & DG_VERIFY) /* callees get the buffer in r1 */
			put(g, BK_OP_MOV64_X, 1, 9, 0, 0, 0);
		fix(g, put(g, BK_OP_CALL_LOCAL, 0, 0, 0, 0, 0), s);
		if (g->flags & DG_VERIFY) /* r1..r5 are unreadable after a call */
			reinit_args(g);
	} else if (!(g->flags & DG_VERIFY)) { /* callx through r0: the callee sets r0 first */
		fix(g, put(g, BK_OP_LDDW_FUNC, 0, 0, 0, 0, 0), s);
		put(g, BK_OP_CALLX, 0, 0, 0, 0, 0);
	}
}

/* Uses the map value r0 points to (value_size bytes), if not NULL; r1..r5
 * are undefined after the call, so only r6..r8 are read. */
static void use_value(struct gen *g, unsigned vsize)
{
	size_t at = put(g, BK_OP_JEQ_K, 0, 0, 0, 0, 0);
	unsigned size = 1u << R(g, 4);
	int off = (int)(R(g, vsize / size) * size);

	if (chance(g, 40))
		note_mem(g, put(g, BK_OP_ATOMIC64_FETCH_ADD, 0, 6 + (int)R(g, 3), 0, 0, 0));
	else if (chance(g, 50))
		note_mem(g, put(g,
				size == 8   ? BK_OP_STXDW
				: size == 4 ? BK_OP_STXW
				: size == 2 ? BK_OP_STXH
					    : BK_OP_STXB,
				0, 6 + (int)R(g, 3), off, 0, 0));
	else
		note_mem(g, put(g,
				size == 8   ? BK_OP_LDXDW
				: size == 4 ? BK_OP_LDXW
				: size == 2 ? BK_OP_LDXH
					    : BK_OP_LDXB,
				1 + (int)R(g, 8), 0, off, 0, 0));
	patch_off(g, at, g->n);
	put(g, BK_OP_MOV64_K, 0, 0, 0, imm(g), 0);
}

static void gen_helper(struct gen *g)
{
	switch (R(g, 8)) {
	case 0: /* map_lookup_elem(array): inlined by the JIT */
	case 1:
		put(g, BK_OP_STW, 10, 0, -12, (int32_t)R(g, A_ENTRIES + 2), 0);
		put(g, BK_OP_LDDW_MAP_IDX, 1, 0, 0, 0, 0);
		put(g, BK_OP_MOV64_X, 2, 10, 0, 0, 0);
		put(g, BK_OP_ADD64_K, 2, 0, 0, -12, 0);
		put(g, BK_OP_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem, 0);
		use_value(g, A_VALUE);
		break;
	case 2: /* map_update_elem(hash) */
		put(g, BK_OP_STDW, 10, 0, -24, (int32_t)R(g, 6), 0);
		put(g, BK_OP_STDW, 10, 0, -32, imm(g), 0);
		put(g, BK_OP_LDDW_MAP_IDX, 1, 0, 0, 1, 0);
		put(g, BK_OP_MOV64_X, 2, 10, 0, 0, 0);
		put(g, BK_OP_ADD64_K, 2, 0, 0, -24, 0);
		put(g, BK_OP_MOV64_X, 3, 10, 0, 0, 0);
		put(g, BK_OP_ADD64_K, 3, 0, 0, -32, 0);
		put(g, BK_OP_MOV64_K, 4, 0, 0, 0, 0);
		put(g, BK_OP_CALL, 0, 0, 0, BPF_FUNC_map_update_elem, 0);
		break;
	case 3: /* map_lookup_elem / map_delete_elem (hash) */
		put(g, BK_OP_STDW, 10, 0, -24, (int32_t)R(g, 6), 0);
		put(g, BK_OP_LDDW_MAP_IDX, 1, 0, 0, 1, 0);
		put(g, BK_OP_MOV64_X, 2, 10, 0, 0, 0);
		put(g, BK_OP_ADD64_K, 2, 0, 0, -24, 0);
		if (chance(g, 30)) {
			put(g, BK_OP_CALL, 0, 0, 0, BPF_FUNC_map_delete_elem, 0);
		} else {
			put(g, BK_OP_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem, 0);
			use_value(g, 8);
		}
		break;
	case 4:				  /* csum_diff(buffer, n, stack, m, seed) */
		if (g->flags & DG_VERIFY) /* not a helper of raw programs */
			break;
		put(g, BK_OP_MOV64_X, 1, 9, 0, 0, 0);
		put(g, BK_OP_ADD64_K, 1, 0, 0, (int32_t)(4 * R(g, (BUF_DATA - 32) / 4)), 0);
		put(g, BK_OP_MOV64_K, 2, 0, 0, (int32_t)(4 * R(g, 8)), 0);
		put(g, BK_OP_MOV64_X, 3, 10, 0, 0, 0);
		put(g, BK_OP_ADD64_K, 3, 0, 0, -200, 0);
		put(g, BK_OP_MOV64_K, 4, 0, 0, (int32_t)(4 * R(g, 8)), 0);
		put(g, BK_OP_MOV64_X, 5, data_reg(g), 0, 0, 0);
		put(g, BK_OP_CALL, 0, 0, 0, BPF_FUNC_csum_diff, 0);
		break;
	case 5: /* bpf_loop(n, callback, ctx = the buffer's address, 0) */
		if (!later_sub(g, true) || (g->flags & DG_VERIFY))
			return;
		put(g, BK_OP_STXDW, 10, 9, -48, 0, 0);
		put(g, BK_OP_MOV64_K, 1, 0, 0, (int32_t)R(g, 5), 0);
		fix(g, put(g, BK_OP_LDDW_FUNC, 2, 0, 0, 0, 0), later_sub(g, true));
		put(g, BK_OP_MOV64_X, 3, 10, 0, 0, 0);
		put(g, BK_OP_ADD64_K, 3, 0, 0, -48, 0);
		put(g, BK_OP_MOV64_K, 4, 0, 0, 0, 0);
		put(g, BK_OP_CALL, 0, 0, 0, BPF_FUNC_loop, 0);
		break;
	case 6: /* callx of a helper id */
		if (g->flags & DG_VERIFY)
			break;
		put(g, BK_OP_MOV64_K, 0, 0, 0, BPF_FUNC_get_smp_processor_id, 0);
		put(g, BK_OP_CALLX, 0, 0, 0, 0, 0);
		break;
	default:
		put(g, BK_OP_CALL, 0, 0, 0, BPF_FUNC_get_smp_processor_id, 0);
	}
	reinit_args(g);
}

static void gen_ldpkt(struct gen *g)
{
	static const uint8_t fmts[] = {BK_FMT_LD_ABS, BK_FMT_LD_IND};
	unsigned op = pick_op(g, fmts, sizeof(fmts));
	bool ind = bk_op_info(op)->fmt == BK_FMT_LD_IND;
	int src = data_reg(g);

	if (ind)
		put(g, BK_OP_MOV64_K, src, 0, 0, (int32_t)R(g, BUF_SIZE), 0);
	put(g, op, 0, src, 0, (int32_t)R(g, ind ? 16 : BUF_SIZE + 8), 0);
}

static void gen_item(struct gen *g)
{
	unsigned k = R(g, 100);

	if (k < 40)
		gen_alu(g);
	else if (k < 58)
		gen_mem(g);
	else if (k < 65)
		gen_atomic(g);
	else if (k < 75 && g->depth < 4)
		gen_if(g);
	else if (k < 78 && g->depth < 4 && !(g->flags & DG_VERIFY)) /* skips code */
		gen_gotol(g);
	else if (k < 83 && !g->in_loop && g->depth < 3)
		gen_loop(g);
	else if (k < 89)
		gen_call(g);
	else if (k < 98)
		gen_helper(g);
	else if (k < 99 && !(g->flags & DG_VERIFY)) /* not in raw programs */
		gen_ldpkt(g);
	else
		gen_alu(g);
}

static void gen_block(struct gen *g, int items)
{
	for (int i = 0; i < items && !full(g); i++)
		gen_item(g);
}

size_t dg_generate(uint64_t seed, unsigned flags, struct bk_insn *out, size_t cap)
{
	static struct gen gs; /* large; one generator at a time per process */
	struct gen *g = &gs;

	memset(g, 0, sizeof(*g));
	g->p = out;
	g->cap = cap;
	g->rng = seed * 0x9e3779b97f4a7c15ull + 0x1234567;
	g->flags = flags;
	g->nsub = (int)R(g, NSUB + 1);
	for (int s = 1; s <= g->nsub; s++) /* DG_VERIFY: callbacks need BTF */
		g->callback[s] = chance(g, 35) && !(flags & DG_VERIFY);
	/* main */
	put(g, BK_OP_MOV64_X, 9, 1, 0, 0, 0);
	for (int r = 0; r <= 8; r++)
		set_const(g, r);
	gen_block(g, 4 + (int)R(g, 24));
	for (int s = 1; s <= g->nsub && (flags & DG_VERIFY); s++) { /* none unreachable */
		put(g, BK_OP_MOV64_X, 1, 9, 0, 0, 0);
		fix(g, put(g, BK_OP_CALL_LOCAL, 0, 0, 0, 0, 0), s);
		reinit_args(g);
	}
	for (int r = 0; r <= 8; r++)
		put(g, BK_OP_STXDW, 9, r, BUF_DATA + 8 * r, 0, 0);
	put(g, BK_OP_EXIT, 0, 0, 0, 0, 0);
	/* subprograms: r0 set first (callx passes its target in r0) */
	for (int s = 1; s <= g->nsub; s++) {
		g->fn = s;
		g->sub_at[s] = g->n;
		put(g, BK_OP_MOV64_K, 0, 0, 0, imm(g), 0);
		if (g->callback[s]) /* r6..r9 start at zero: r9 = *ctx */
			put(g, BK_OP_LDXDW, 9, 2, 0, 0, 0);
		if (flags & DG_VERIFY) /* r6..r9 are unreadable at entry */
			put(g, BK_OP_MOV64_X, 9, 1, 0, 0, 0);
		for (int r = 6; r <= 8 && (flags & DG_VERIFY); r++)
			put(g, BK_OP_MOV64_K, r, 0, 0, imm(g), 0);
		gen_block(g, 2 + (int)R(g, 8));
		put(g, BK_OP_EXIT, 0, 0, 0, 0, 0);
	}
	if (g->n >= cap)
		return 0;
	for (int i = 0; i < g->nfix; i++)
		g->p[g->fix[i].at].imm =
			(int32_t)((int64_t)g->sub_at[g->fix[i].sub] - (int64_t)(g->fix[i].at + 1));
	if ((flags & DG_FAULTS) && g->nmem) {
		size_t at = g->mem[R(g, (unsigned)g->nmem)];

		g->p[at].off = (int16_t)(g->p[at].off + (chance(g, 50) ? 0x3000 : -0x3000));
	}
	return g->n;
}
