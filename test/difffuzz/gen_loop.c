// SPDX-License-Identifier: MIT
/*
 * gen_loop.c - loop and iterator shapes for the differential fuzzer:
 * bounded loops with counters (constant, masked or map-valued bounds),
 * may_goto loops, open-coded number iterators (new/next/destroy with the
 * rule breaks: next unchecked, no destroy, use after destroy, double new,
 * a store into the iterator's slot) and bpf_loop callbacks (context on the
 * stack or not, returns 0/1/other, context accesses in and out of range).
 * Bodies mix accumulators (which converge only when imprecise) with
 * indexes into a map value (which need exact values), so both the
 * widening of imprecise scalars and the precise paths are exercised.
 *
 * Kfunc calls carry DF_KF_* in imm; the driver gives libverify their
 * names as relocations and the kernel their BTF ids (kern.c).
 */
#include <string.h>

#include "difffuzz.h"

struct lg {
	struct bk_insn *p;
	size_t n, cap;
	uint64_t *rng;
	struct bk_reloc *rel;
	size_t nrel, caprel;
};

static const char *const kf_names[DF_KF__COUNT] = {
	[DF_KF_NEW] = "bpf_iter_num_new",
	[DF_KF_NEXT] = "bpf_iter_num_next",
	[DF_KF_DESTROY] = "bpf_iter_num_destroy",
};

const char *df_kfunc_name(int k)
{
	return k >= 0 && k < DF_KF__COUNT ? kf_names[k] : NULL;
}

static uint64_t rnd(struct lg *g)
{
	uint64_t *s = g->rng;

	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int R(struct lg *g, int n)
{
	return n > 0 ? (int)(rnd(g) % (uint64_t)n) : 0;
}

static struct bk_insn I(int code, int dst, int src, int off, int imm) {
	return (struct bk_insn){.code = (uint8_t)code,
				.dst = (uint8_t)dst,
				.src = (uint8_t)src,
				.off = (int16_t)off,
				.imm = imm};
}

static size_t
emit(struct lg *g, struct bk_insn in)
{
	if (g->n < g->cap)
		g->p[g->n] = in;
	return g->n++;
}

static void emit_map(struct lg *g, int dst, int map)
{
	emit(g, I(BK_OPC_LDDW_MAP_FD, dst, 1, 0, map));
	emit(g, I(0, 0, 0, 0, 0));
}

static void kcall(struct lg *g, int k)
{
	size_t at = emit(g, I(BK_OPC_CALL_KFUNC, 0, 2, 0, k));

	if (g->nrel < g->caprel)
		g->rel[g->nrel++] = (struct bk_reloc){
			.insn = (uint32_t)at, .kind = BK_RELO_KFUNC, .map = -1, .sym = kf_names[k]};
}

/* Jump at `at` to `to` (both slot indexes). */
static void patch(struct lg *g, size_t at, size_t to)
{
	if (at < g->cap)
		g->p[at].off = (int16_t)((long)to - (long)at - 1);
}

static const int jcc[] = {BK_OPC_JLT_K, BK_OPC_JLE_K, BK_OPC_JNE_K, BK_OPC_JSLT_K, BK_OPC_JGT_K};

/* r9 = map value of DF_MAP_ARRAY1 (64 bytes) or exit. */
static void map_value(struct lg *g)
{
	emit(g, I(BK_OPC_STW, 10, 0, -4, 0));
	emit(g, I(BK_OPC_MOV64_X, 2, 10, 0, 0));
	emit(g, I(BK_OPC_ADD64_K, 2, 0, 0, -4));
	emit_map(g, 1, DF_MAP_ARRAY1);
	emit(g, I(BK_OPC_CALL, 0, 0, 0, 1));
	emit(g, I(BK_OPC_JNE_K, 0, 0, 2, 0));
	emit(g, I(BK_OPC_MOV64_K, 0, 0, 0, 0));
	emit(g, I(BK_OPC_EXIT, 0, 0, 0, 0));
	emit(g, I(BK_OPC_MOV64_X, 9, 0, 0, 0));
}

/* One statement of a loop body on counter/index register ix: an
 * accumulator update, or a load from the map value at ix (masked or not). */
static void body_stmt(struct lg *g, int ix)
{
	int acc = 7 + R(g, 2); /* r7 or r8 */

	if (R(g, 100) == 0) { /* acc decides a branch: exact, the loop never converges */
		emit(g, I(BK_OPC_JGT_K, acc, 0, 1, 50 + R(g, 100)));
		emit(g, I(BK_OPC_ADD64_K, acc, 0, 0, 1));
		return;
	}
	switch (R(g, 5)) {
	case 0:
		emit(g, I(BK_OPC_ADD64_X, acc, ix, 0, 0));
		break;
	case 1:
		emit(g, I(BK_OPC_ADD64_K, acc, 0, 0, 1 + R(g, 3)));
		break;
	case 2:
		emit(g, I(BK_OPC_XOR64_X, acc, ix, 0, 0));
		break;
	default: { /* index the value */
		int mask = R(g, 5) ? 63 : (R(g, 2) ? 127 : -1);

		emit(g, I(BK_OPC_MOV64_X, 1, ix, 0, 0));
		if (mask >= 0)
			emit(g, I(BK_OPC_AND64_K, 1, 0, 0, mask));
		emit(g, I(BK_OPC_MOV64_X, 2, 9, 0, 0));
		emit(g, I(BK_OPC_ADD64_X, 2, 1, 0, 0));
		emit(g, I(BK_OPC_LDXB, 3, 2, 0, 0));
		emit(g, I(BK_OPC_ADD64_X, acc, 3, 0, 0));
		break;
	}
	}
}

static void body(struct lg *g, int ix)
{
	int n = 1 + R(g, 3);

	for (int i = 0; i < n; i++)
		body_stmt(g, ix);
}

/* Returns with r0 from an accumulator or a constant; maybe stores it. */
static void finish(struct lg *g)
{
	if (R(g, 2))
		emit(g, I(BK_OPC_STXDW, 9, 7, 0, 0));
	if (R(g, 3) == 0) { /* the accumulator decides the return value's branch */
		emit(g, I(BK_OPC_MOV64_K, 0, 0, 0, 2));
		emit(g, I(BK_OPC_JLT_K, 8, 0, 1, 10 + R(g, 30)));
		emit(g, I(BK_OPC_MOV64_K, 0, 0, 0, 1));
	} else {
		emit(g, I(BK_OPC_MOV64_K, 0, 0, 0, 2));
	}
	emit(g, I(BK_OPC_EXIT, 0, 0, 0, 0));
}

static void counted_loop(struct lg *g)
{
	int bound = R(g, 4);
	size_t head, j;

	emit(g, I(BK_OPC_MOV64_K, 6, 0, 0, R(g, 3) ? 0 : R(g, 8)));
	if (bound == 0) { /* bound from the map value, maybe masked */
		emit(g, I(BK_OPC_LDXB, 5, 9, R(g, 64), 0));
		if (R(g, 8))
			emit(g, I(BK_OPC_AND64_K, 5, 0, 0, 15 + 16 * R(g, 2)));
		emit(g, I(BK_OPC_STXDW, 10, 5, -16, 0));
	}
	head = emit(g, I(BK_OPC_MOV64_X, 0, 6, 0, 0));
	body(g, 6);
	emit(g, I(BK_OPC_ADD64_K, 6, 0, 0, 1 + (R(g, 4) == 0)));
	if (bound == 0) {
		emit(g, I(BK_OPC_LDXDW, 5, 10, -16, 0));
		j = emit(g, I(R(g, 2) ? BK_OPC_JLT_X : BK_OPC_JNE_X, 6, 5, 0, 0));
	} else {
		j = emit(g, I(jcc[R(g, 5)], 6, 0, 0, 4 + R(g, bound == 1 ? 40 : 20)));
	}
	patch(g, j, head);
}

static void maygoto_loop(struct lg *g)
{
	size_t head, mg, back;

	bool counter = R(g, 10) == 0; /* a counter as index: never converges */

	emit(g, I(BK_OPC_MOV64_K, 6, 0, 0, 0));
	head = mg = emit(g, I(BK_OPC_MAY_GOTO, 0, 0, 0, 0));
	if (!counter)
		emit(g, I(BK_OPC_LDXB, 6, 9, R(g, 64), 0));
	body(g, 6);
	if (counter)
		emit(g, I(BK_OPC_ADD64_K, 6, 0, 0, 1));
	if (R(g, 3) == 0) { /* also a bound of its own */
		size_t b = emit(g, I(BK_OPC_JGT_K, 6, 0, 0, 20 + R(g, 40)));

		back = emit(g, I(BK_OPC_JA, 0, 0, 0, 0));
		patch(g, back, head);
		patch(g, mg, g->n);
		patch(g, b, g->n);
		return;
	}
	back = emit(g, I(BK_OPC_JA, 0, 0, 0, 0));
	patch(g, back, head);
	patch(g, mg, g->n);
}

/* The iterator lives at fp-16 (or fp-24); flaws picked at random. */
static void iter_loop(struct lg *g)
{
	int slot = R(g, 2) ? -16 : -24;
	int flaw = R(g, 10); /* 0..5 flawed, the rest fine */
	size_t head, jnull, back;

	emit(g, I(BK_OPC_MOV64_X, 1, 10, 0, 0));
	emit(g, I(BK_OPC_ADD64_K, 1, 0, 0, slot));
	emit(g, I(BK_OPC_MOV64_K, 2, 0, 0, R(g, 4)));
	emit(g, I(BK_OPC_MOV64_K, 3, 0, 0, 1 + R(g, 100)));
	kcall(g, DF_KF_NEW);
	if (flaw == 0) { /* created twice */
		emit(g, I(BK_OPC_MOV64_X, 1, 10, 0, 0));
		emit(g, I(BK_OPC_ADD64_K, 1, 0, 0, slot));
		emit(g, I(BK_OPC_MOV64_K, 2, 0, 0, 0));
		emit(g, I(BK_OPC_MOV64_K, 3, 0, 0, 4));
		kcall(g, DF_KF_NEW);
	}
	head = emit(g, I(BK_OPC_MOV64_X, 1, 10, 0, 0));
	emit(g, I(BK_OPC_ADD64_K, 1, 0, 0, slot));
	kcall(g, DF_KF_NEXT);
	jnull = flaw == 1 ? (size_t)-1 : emit(g, I(BK_OPC_JEQ_K, 0, 0, 0, 0));
	emit(g, I(R(g, 2) ? BK_OPC_LDXW : BK_OPC_LDXSW, 6, 0, 0, 0));
	if (flaw == 2) /* a store into the iterator's slot */
		emit(g, I(BK_OPC_STXW, 10, 6, slot, 0));
	if (R(g, 2)) { /* bound the value as bpf_for does */
		emit(g, I(BK_OPC_JSLT_K, 6, 0, 2, 0));
		emit(g, I(BK_OPC_JSGT_K, 6, 0, 1, 63));
		emit(g, I(BK_OPC_JA, 0, 0, 1, 0));
		emit(g, I(BK_OPC_MOV64_K, 6, 0, 0, 0));
	}
	body(g, 6);
	back = emit(g, I(BK_OPC_JA, 0, 0, 0, 0));
	patch(g, back, head);
	if (jnull != (size_t)-1)
		patch(g, jnull, g->n);
	if (flaw != 3) { /* 3: never destroyed */
		emit(g, I(BK_OPC_MOV64_X, 1, 10, 0, 0));
		emit(g, I(BK_OPC_ADD64_K, 1, 0, 0, slot));
		kcall(g, DF_KF_DESTROY);
	}
	if (flaw == 4) { /* used after destroy */
		emit(g, I(BK_OPC_MOV64_X, 1, 10, 0, 0));
		emit(g, I(BK_OPC_ADD64_K, 1, 0, 0, slot));
		kcall(g, R(g, 2) ? DF_KF_NEXT : DF_KF_DESTROY);
	}
	if (flaw == 5) /* a read of the slot */
		emit(g, I(BK_OPC_LDXDW, 4, 10, slot, 0));
}

/* bpf_loop(nr, cb, ctx, 0) with the callback after the main exit;
 * returns the slot of the lddw to patch. */
static size_t bpf_loop_call(struct lg *g, int *ctx_kind)
{
	size_t ld;

	*ctx_kind = R(g, 4); /* 0 NULL, 1 stack, 2 map value (refused), 3 stack */
	emit(g, I(BK_OPC_STDW, 10, 0, -32, 0));
	emit(g, I(BK_OPC_STDW, 10, 0, -24, 0));
	if (R(g, 3))
		emit(g, I(BK_OPC_MOV64_K, 1, 0, 0, 1 + R(g, 200)));
	else
		emit(g, I(BK_OPC_LDXB, 1, 9, R(g, 64), 0));
	ld = emit(g, I(BK_OPC_LDDW_FUNC, 2, 4, 0, 0));
	emit(g, I(0, 0, 0, 0, 0));
	if (*ctx_kind == 0)
		emit(g, I(BK_OPC_MOV64_K, 3, 0, 0, 0));
	else if (*ctx_kind == 2)
		emit(g, I(BK_OPC_MOV64_X, 3, 9, 0, 0));
	else {
		emit(g, I(BK_OPC_MOV64_X, 3, 10, 0, 0));
		emit(g, I(BK_OPC_ADD64_K, 3, 0, 0, -32));
	}
	emit(g, I(BK_OPC_MOV64_K, 4, 0, 0, 0));
	emit(g, I(BK_OPC_CALL, 0, 0, 0, 181));
	emit(g, I(BK_OPC_LDXDW, 7, 10, -32, 0));
	return ld;
}

static void callback_body(struct lg *g, int ctx_kind)
{
	/* r1 = index, r2 = context */
	if (ctx_kind) {
		int off = R(g, 6) ? 8 * R(g, 2) : 8 * (2 + R(g, 3)); /* 16 bytes of context */

		emit(g, I(BK_OPC_LDXDW, 3, 2, off & ~7, 0));
		if (R(g, 2))
			emit(g, I(BK_OPC_ADD64_X, 3, 1, 0, 0));
		else
			emit(g, I(BK_OPC_ADD64_K, 3, 0, 0, 1));
		emit(g, I(BK_OPC_STXDW, 2, 3, off & ~7, 0));
	}
	switch (R(g, 6)) {
	case 0:
		emit(g, I(BK_OPC_MOV64_K, 0, 0, 0, 2));
		break;
	case 1:
		emit(g, I(BK_OPC_MOV64_X, 0, 1, 0, 0));
		break;
	case 2:
		emit(g, I(BK_OPC_MOV64_X, 0, 1, 0, 0));
		emit(g, I(BK_OPC_AND64_K, 0, 0, 0, 1));
		break;
	default:
		emit(g, I(BK_OPC_MOV64_K, 0, 0, 0, R(g, 2)));
		break;
	}
	emit(g, I(BK_OPC_EXIT, 0, 0, 0, 0));
}

size_t df_generate_loop(uint64_t *rng, int type, struct bk_insn *out, size_t cap,
			struct bk_reloc *rel, size_t *nrel, size_t caprel)
{
	struct lg g = {.p = out, .cap = cap, .rng = rng, .rel = rel, .caprel = caprel};
	int shape = R(&g, 4), ctx_kind = 0;
	size_t ld = 0;

	(void)type;
	map_value(&g);
	emit(&g, I(BK_OPC_MOV64_K, 7, 0, 0, 0));
	emit(&g, I(BK_OPC_MOV64_K, 8, 0, 0, 0));
	switch (shape) {
	case 0:
		counted_loop(&g);
		break;
	case 1:
		maygoto_loop(&g);
		break;
	case 2:
		iter_loop(&g);
		break;
	default:
		ld = bpf_loop_call(&g, &ctx_kind);
		break;
	}
	if (R(&g, 4) == 0 && shape != 3) { /* a second loop after the first */
		if (R(&g, 2))
			counted_loop(&g);
		else
			maygoto_loop(&g);
	}
	finish(&g);
	if (shape == 3) {
		out[ld].imm = (int32_t)(g.n - ld - 1);
		callback_body(&g, ctx_kind);
	}
	*nrel = g.nrel;
	return g.n <= cap ? g.n : 0;
}
