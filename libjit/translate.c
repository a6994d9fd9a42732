// SPDX-License-Identifier: MIT
/*
 * translate.c - one BPF instruction to x86-64.  bk_jit_translate() is a
 * switch over enum bk_op with a case for every insn.def row and no
 * default; this file is built with -Wswitch-enum, so a new row without a
 * case here fails the build.  Each case names the x86 operation and width;
 * the emitters below do the rest.
 *
 * Operands: an immediate (the _K forms, or a register a fact proves
 * constant) is used in place when it fits, or loaded blinded into r11
 * when hardening; registers map through bk_jit_reg.  Semantics follow the
 * interpreter: see jit.h.
 */
#include <linux/bpf.h>

#include "jit_int.h"

#define R(n) ((int)bk_jit_reg[n])
#define SH_OFF(f) ((int32_t)__builtin_offsetof(struct bk_vm_run_shared, f))

/* The second operand of an ALU op or compare. */
struct opnd {
	bool imm;
	int reg;
	int64_t val; /* imm: the value, sign-extended from 32 bits for 64-bit ops */
};

static bool is_k(const struct bk_dinsn *d)
{
	unsigned fmt = bk_op_info(d->op)->fmt;

	return fmt == BK_FMT_ALU_K || fmt == BK_FMT_JMP_K;
}

/* The source operand, as an immediate when the instruction or a fact
 * makes it one that fits, blinded into r11 when hardening. */
static struct opnd source(struct jit_cg *c, const struct bk_dinsn *d, bool w, bool blind)
{
	const struct bk_insn_fact *f = bk_jit_fact(c, c->cur);
	struct opnd o = {.imm = false, .reg = R(d->src)};

	if (is_k(d)) {
		o = (struct opnd){.imm = true, .val = d->imm};
	} else if ((f->flags & BK_FACT_SRC_CONST) && (!w || bk_x86_is_s32((int64_t)f->src_val))) {
		o = (struct opnd){.imm = true,
				  .val = w ? (int64_t)f->src_val : (int32_t)f->src_val};
		c->stats.facts_used++;
	}
	if (o.imm && blind && c->harden) {
		bk_jit_load_imm(c, BK_JIT_AUX, o.val, w);
		o = (struct opnd){.imm = false, .reg = BK_JIT_AUX};
	}
	return o;
}

/* Constant folding: when facts make both operands known, the result is
 * a constant move. */
enum fold_op {
	F_ADD,
	F_SUB,
	F_MUL,
	F_OR,
	F_AND,
	F_XOR,
	F_LSH,
	F_RSH,
	F_ARSH,
};

static bool fold(struct jit_cg *c, const struct bk_dinsn *d, enum fold_op op, bool w)
{
	const struct bk_insn_fact *f = bk_jit_fact(c, c->cur);
	uint64_t a = f->dst_val, s, r = 0;
	unsigned sh;

	if (!(f->flags & BK_FACT_DST_CONST) || c->harden)
		return false;
	if (is_k(d))
		s = w ? (uint64_t)(int64_t)d->imm : (uint32_t)d->imm;
	else if (f->flags & BK_FACT_SRC_CONST)
		s = f->src_val;
	else
		return false;
	if (!w) {
		a = (uint32_t)a;
		s = (uint32_t)s;
	}
	sh = (unsigned)s & (w ? 63 : 31);
	switch (op) {
	case F_ADD:
		r = a + s;
		break;
	case F_SUB:
		r = a - s;
		break;
	case F_MUL:
		r = a * s;
		break;
	case F_OR:
		r = a | s;
		break;
	case F_AND:
		r = a & s;
		break;
	case F_XOR:
		r = a ^ s;
		break;
	case F_LSH:
		r = a << sh;
		break;
	case F_RSH:
		r = a >> sh;
		break;
	case F_ARSH:
		r = w ? (uint64_t)((int64_t)a >> sh) : (uint32_t)((int32_t)a >> sh);
		break;
	}
	bk_x86_mov_imm(&c->b, R(d->dst), w ? r : (uint32_t)r, true);
	c->stats.facts_used++;
	return true;
}

/* ---- ALU ---------------------------------------------------------------- */

static void alu(struct jit_cg *c, const struct bk_dinsn *d, enum x86_alu op, bool w)
{
	static const uint8_t fop[] = {[XA_ADD] = F_ADD,
				      [XA_SUB] = F_SUB,
				      [XA_OR] = F_OR,
				      [XA_AND] = F_AND,
				      [XA_XOR] = F_XOR};
	struct opnd s;

	if (fold(c, d, (enum fold_op)fop[op], w))
		return;
	s = source(c, d, w, true);

	if (s.imm)
		bk_x86_alu_ri(&c->b, w, op, R(d->dst), (int32_t)s.val);
	else
		bk_x86_alu_rr(&c->b, w, op, R(d->dst), s.reg);
}

static bool pow2(uint64_t v, unsigned *log);

/* Multiplication by a constant as shifts, lea and add/sub where that is
 * shorter in latency than imul (3 cycles). */
static bool mul_by_const(struct jit_cg *c, int dst, uint64_t v, bool w)
{
	struct x86_buf *b = &c->b;
	unsigned k;

	if (!w)
		v = (uint32_t)v;
	if (!v) {
		bk_x86_alu_rr(b, false, XA_XOR, dst, dst);
	} else if (v == 1) {
		if (!w)
			bk_x86_mov_rr(b, false, dst, dst);
	} else if (pow2(v, &k)) {
		bk_x86_shift_ri(b, w, G2_SHL, dst, (uint8_t)k);
	} else if (v == 3 || v == 5 || v == 9) {
		bk_x86_lea_idx(b, w, dst, dst, dst, (unsigned)v - 1);
	} else if ((pow2(v + 1, &k) || pow2(v - 1, &k)) && k < (w ? 64u : 32u)) {
		bool sub = pow2(v + 1, &k);

		bk_x86_mov_rr(b, true, BK_JIT_AUX, dst);
		bk_x86_shift_ri(b, w, G2_SHL, dst, (uint8_t)k);
		bk_x86_alu_rr(b, w, sub ? XA_SUB : XA_ADD, dst, BK_JIT_AUX);
	} else {
		return false;
	}
	return true;
}

static void mul(struct jit_cg *c, const struct bk_dinsn *d, bool w)
{
	struct opnd s;

	if (fold(c, d, F_MUL, w))
		return;
	s = source(c, d, w, true);
	if (s.imm && !c->harden &&
	    mul_by_const(c, R(d->dst), w ? (uint64_t)s.val : (uint32_t)s.val, w))
		return;
	if (s.imm)
		bk_x86_imul_rri(&c->b, w, R(d->dst), R(d->dst), (int32_t)s.val);
	else
		bk_x86_imul_rr(&c->b, w, R(d->dst), s.reg);
}

/* 32-bit results: a 32-bit mov of a register onto itself zero-extends. */
static void zext(struct jit_cg *c, int reg)
{
	bk_x86_mov_rr(&c->b, false, reg, reg);
}

static void mov(struct jit_cg *c, const struct bk_dinsn *d, bool w)
{
	const struct bk_insn_fact *f = bk_jit_fact(c, c->cur);
	int dst = R(d->dst);

	if (is_k(d)) {
		uint64_t v = w ? (uint64_t)(int64_t)d->imm : (uint32_t)d->imm;

		if ((f->flags & BK_FACT_DST_CONST) && f->dst_val == v) {
			c->stats.facts_used++;
			return;
		}
		bk_jit_load_imm(c, dst, d->imm, w);
		return;
	}
	if (d->dst == d->src && (w || (f->flags & (BK_FACT_DST_ZEXT | BK_FACT_SRC_ZEXT)))) {
		if (!w)
			c->stats.facts_used++;
		return; /* w: a no-op; 32-bit: the upper half is already zero */
	}
	bk_x86_mov_rr(&c->b, w, dst, R(d->src));
}

/* Shifts: masked immediates, BMI2 shlx/shrx/sarx, or the count in cl. */
static void shift(struct jit_cg *c, const struct bk_dinsn *d, enum x86_grp2 g, bool w)
{
	static const uint8_t kind[8] = {[G2_SHL] = SX_SHLX, [G2_SHR] = SX_SHRX, [G2_SAR] = SX_SARX};
	static const uint8_t fop[8] = {[G2_SHL] = F_LSH, [G2_SHR] = F_RSH, [G2_SAR] = F_ARSH};
	struct x86_buf *b = &c->b;
	struct opnd s;
	int dst = R(d->dst), t;

	if (fold(c, d, (enum fold_op)fop[g], w))
		return;
	s = source(c, d, w, true);

	if (s.imm) {
		unsigned n = (unsigned)s.val & (w ? 63 : 31);

		if (n)
			bk_x86_shift_ri(b, w, g, dst, (uint8_t)n);
		else if (!w)
			zext(c, dst);
		return;
	}
	if (c->bmi2) {
		bk_x86_shiftx(b, w, (enum x86_shiftx)kind[g], dst, dst, s.reg);
		return;
	}
	if (s.reg == RCX) {
		bk_x86_shift_cl(b, w, g, dst);
		return;
	}
	/* r4 lives in rcx: park it in r10, shift there if it is dst */
	bk_x86_mov_rr(b, true, BK_JIT_TMP, RCX);
	bk_x86_mov_rr(b, true, RCX, s.reg);
	t = dst == RCX ? BK_JIT_TMP : dst;
	bk_x86_shift_cl(b, w, g, t);
	bk_x86_mov_rr(b, true, RCX, BK_JIT_TMP);
}

/* Division and modulo with the ISA's results for 0 and INT_MIN / -1. */
static bool pow2(uint64_t v, unsigned *log)
{
	if (!v || (v & (v - 1)))
		return false;
	*log = (unsigned)__builtin_ctzll(v);
	return true;
}

static bool div_by_const(struct jit_cg *c, int dst, uint64_t v, bool sgn, bool mod, bool w)
{
	struct x86_buf *b = &c->b;
	uint64_t ones = w ? UINT64_MAX : UINT32_MAX;
	unsigned log;

	if (!v) { /* x / 0 = 0, x % 0 = x */
		if (!mod)
			bk_x86_alu_rr(b, false, XA_XOR, dst, dst);
		else if (!w)
			zext(c, dst);
		return true;
	}
	if (sgn && v == ones) { /* x / -1 = -x, x % -1 = 0, wrapping */
		if (!mod)
			bk_x86_grp3(b, w, G3_NEG, dst);
		else
			bk_x86_alu_rr(b, false, XA_XOR, dst, dst);
		return true;
	}
	if (sgn || c->harden || !pow2(v, &log))
		return false;
	if (mod)
		bk_x86_alu_ri(b, w, XA_AND, dst, (int32_t)(v - 1));
	else if (log)
		bk_x86_shift_ri(b, w, G2_SHR, dst, (uint8_t)log);
	else if (!w)
		zext(c, dst);
	return true;
}

static void divmod(struct jit_cg *c, const struct bk_dinsn *d, bool sgn, bool mod, bool w)
{
	const struct bk_insn_fact *f = bk_jit_fact(c, c->cur);
	struct x86_buf *b = &c->b;
	struct opnd s = source(c, d, w, false);
	int dst = R(d->dst), res = mod ? RDX : RAX;
	size_t jz = 0, jm1 = 0, j1 = 0, j2 = 0;
	bool chk0 = false, chkm1 = false;

	if (s.imm) {
		uint64_t v = w ? (uint64_t)s.val : (uint32_t)s.val;

		if (div_by_const(c, dst, v, sgn, mod, w))
			return;
		bk_jit_load_imm(c, BK_JIT_AUX, s.val, w);
	} else {
		bk_x86_mov_rr(b, w, BK_JIT_AUX, s.reg);
		chk0 = !(f->flags & BK_FACT_DIV_NONZERO);
		chkm1 = sgn && !(f->flags & BK_FACT_DIV_NO_OVF);
		if (!chk0 || (sgn && !chkm1))
			c->stats.facts_used++;
	}
	if (chk0) {
		bk_x86_alu_rr(b, w, XA_TEST, BK_JIT_AUX, BK_JIT_AUX);
		jz = bk_x86_jfwd8(b, CC_E);
	}
	if (chkm1) {
		bk_x86_alu_ri(b, w, XA_CMP, BK_JIT_AUX, -1);
		jm1 = bk_x86_jfwd8(b, CC_E);
	}
	if (dst != RAX)
		bk_x86_mov_rr(b, true, BK_JIT_TMP, RAX);
	if (dst != RDX)
		bk_x86_mov_rr(b, true, BK_JIT_TMP2, RDX);
	if (dst != RAX)
		bk_x86_mov_rr(b, w, RAX, dst);
	if (sgn)
		bk_x86_cdq(b, w);
	else
		bk_x86_alu_rr(b, false, XA_XOR, RDX, RDX);
	bk_x86_grp3(b, w, sgn ? G3_IDIV : G3_DIV, BK_JIT_AUX);
	if (dst != res)
		bk_x86_mov_rr(b, w, dst, res);
	if (dst != RDX)
		bk_x86_mov_rr(b, true, RDX, BK_JIT_TMP2);
	if (dst != RAX)
		bk_x86_mov_rr(b, true, RAX, BK_JIT_TMP);
	if (chk0) {
		j1 = bk_x86_jfwd8(b, CC_ALWAYS);
		bk_x86_patch8(b, jz);
		if (!mod)
			bk_x86_alu_rr(b, false, XA_XOR, dst, dst);
		else if (!w)
			zext(c, dst);
	}
	if (chkm1) {
		j2 = bk_x86_jfwd8(b, CC_ALWAYS);
		bk_x86_patch8(b, jm1);
		if (!mod)
			bk_x86_grp3(b, w, G3_NEG, dst);
		else
			bk_x86_alu_rr(b, false, XA_XOR, dst, dst);
		bk_x86_patch8(b, j2);
	}
	if (chk0)
		bk_x86_patch8(b, j1);
}

/* Byte order: BPF_END and the cpu v4 unconditional swaps. */
static void swap(struct jit_cg *c, int reg, unsigned bits)
{
	struct x86_buf *b = &c->b;

	switch (bits) {
	case 16:
		bk_x86_rol16_8(b, reg);
		bk_x86_movzx_rr(b, 2, reg, reg);
		break;
	case 32:
		bk_x86_bswap(b, false, reg);
		break;
	default:
		bk_x86_bswap(b, true, reg);
	}
}

static void to_le(struct jit_cg *c, const struct bk_dinsn *d, unsigned bits)
{
	int reg = R(d->dst);

	if (bits == 16) {
		bk_x86_movzx_rr(&c->b, 2, reg, reg);
	} else if (bits == 32) {
		if (bk_jit_fact(c, c->cur)->flags & BK_FACT_DST_ZEXT)
			c->stats.facts_used++;
		else
			zext(c, reg);
	}
}

/* r <<= 32; r >>= 32 (clang's zero-extension) on a value whose upper half
 * is known zero: both instructions vanish. */
static bool zext_pair(const struct jit_cg *c, size_t lsh)
{
	const struct bk_dinsn *a = &c->dec[lsh], *n;

	if (lsh + 1 >= c->cnt || (c->info[lsh + 1] & (JI_TARGET | JI_FUNC)))
		return false;
	n = &c->dec[lsh + 1];
	return a->op == BK_OP_LSH64_K && a->imm == 32 && n->op == BK_OP_RSH64_K && n->imm == 32 &&
	       n->dst == a->dst && (bk_jit_fact(c, lsh)->flags & BK_FACT_DST_ZEXT);
}

static void shift64_k(struct jit_cg *c, const struct bk_dinsn *d, enum x86_grp2 g)
{
	size_t i = c->cur;

	if ((g == G2_SHL && zext_pair(c, i)) || (g == G2_SHR && i > 0 && zext_pair(c, i - 1))) {
		c->stats.facts_used++;
		return;
	}
	shift(c, d, g, true);
}

/* ---- jumps -------------------------------------------------------------- */

static void jcond(struct jit_cg *c, const struct bk_dinsn *d, enum x86_cc cc, bool w, bool test)
{
	const struct bk_insn_fact *f = bk_jit_fact(c, c->cur);
	uint32_t to = lbl_insn(c, c->cur + 1 + (int64_t)d->off);
	struct opnd s;
	int dst = R(d->dst);

	if (f->flags & (BK_FACT_JMP_ALWAYS | BK_FACT_JMP_NEVER)) {
		c->stats.facts_used++;
		if (f->flags & BK_FACT_JMP_ALWAYS)
			bk_jit_jump(c, CC_ALWAYS, to);
		return;
	}
	s = source(c, d, w, true);
	if (!s.imm)
		bk_x86_alu_rr(&c->b, w, test ? XA_TEST : XA_CMP, dst, s.reg);
	else if (!s.val && !test)
		bk_x86_alu_rr(&c->b, w, XA_TEST, dst, dst);
	else
		bk_x86_alu_ri(&c->b, w, test ? XA_TEST : XA_CMP, dst, (int32_t)s.val);
	bk_jit_jump(c, cc, to);
}

static void ja(struct jit_cg *c, int64_t rel)
{
	if (rel || (c->info[c->cur + 1] & JI_FUNC))
		bk_jit_jump(c, CC_ALWAYS, lbl_insn(c, c->cur + 1 + rel));
}

static void may_goto(struct jit_cg *c, const struct bk_dinsn *d)
{
	bk_x86_alu_mi(&c->b, true, XA_CMP, RSP, FRAME_MAY_GOTO, 0);
	bk_jit_jump(c, CC_E, lbl_insn(c, c->cur + 1 + (int64_t)d->off));
	bk_x86_grp5_m(&c->b, true, G5_DEC, RSP, FRAME_MAY_GOTO);
}

/* ---- memory -------------------------------------------------------------- */

static void ldx(struct jit_cg *c, const struct bk_dinsn *d, unsigned size, bool sign)
{
	int mb;
	int32_t md;

	bk_jit_mem_operand(c, R(d->src), d->off, size, 0, &mb, &md);
	bk_x86_load(&c->b, size, sign, R(d->dst), mb, md);
}

static void st(struct jit_cg *c, const struct bk_dinsn *d, unsigned size)
{
	int mb;
	int32_t md;

	bk_jit_mem_operand(c, R(d->dst), d->off, size, MI_WRITE, &mb, &md);
	if (c->harden) {
		bk_jit_load_imm(c, BK_JIT_TMP, d->imm, true);
		bk_x86_store_r(&c->b, size, mb, md, BK_JIT_TMP);
	} else {
		bk_x86_store_i(&c->b, size, mb, md, d->imm);
	}
}

static void stx(struct jit_cg *c, const struct bk_dinsn *d, unsigned size)
{
	int mb;
	int32_t md;

	bk_jit_mem_operand(c, R(d->dst), d->off, size, MI_WRITE, &mb, &md);
	bk_x86_store_r(&c->b, size, mb, md, R(d->src));
}

enum atomic_kind {
	AT_ALU,	    /* lock op [m], src */
	AT_FETCH,   /* src = fetch_op([m], src) */
	AT_XCHG,    /* src = xchg([m], src) */
	AT_CMPXCHG, /* r0 = cmpxchg([m], r0, src) */
};

/* fetch_or/and/xor: a cmpxchg loop in rax (r0 saved in r10). */
static void fetch_loop(struct jit_cg *c, enum x86_alu op, bool w, int mb, int32_t md, int src)
{
	struct x86_buf *b = &c->b;
	int s = src == RAX ? BK_JIT_TMP : src;
	size_t loop;

	bk_x86_lea(b, true, BK_JIT_TMP2, mb, md);
	bk_x86_mov_rr(b, true, BK_JIT_TMP, RAX);
	loop = b->pos;
	bk_x86_load(b, w ? 8 : 4, false, RAX, BK_JIT_TMP2, 0);
	bk_x86_mov_rr(b, true, BK_JIT_AUX, RAX);
	bk_x86_alu_rr(b, w, op, BK_JIT_AUX, s);
	bk_x86_cmpxchg(b, w, BK_JIT_TMP2, 0, BK_JIT_AUX);
	bk_x86_jcc8(b, CC_NE, (int8_t)((int64_t)loop - (int64_t)(b->pos + 2)));
	if (src != RAX) {
		bk_x86_mov_rr(b, true, src, RAX);
		bk_x86_mov_rr(b, true, RAX, BK_JIT_TMP);
	}
}

static void atomic(struct jit_cg *c, const struct bk_dinsn *d, enum atomic_kind k, enum x86_alu op,
		   bool w)
{
	struct x86_buf *b = &c->b;
	unsigned size = w ? 8 : 4;
	int mb, src = R(d->src);
	int32_t md;

	bk_jit_mem_operand(c, R(d->dst), d->off, size, MI_WRITE | MI_ATOMIC, &mb, &md);
	switch (k) {
	case AT_ALU:
		bk_x86_alu_mr(b, w, true, op, mb, md, src);
		break;
	case AT_FETCH:
		if (op == XA_ADD)
			bk_x86_xadd(b, w, mb, md, src);
		else
			fetch_loop(c, op, w, mb, md, src);
		break;
	case AT_XCHG:
		bk_x86_xchg(b, w, mb, md, src);
		break;
	case AT_CMPXCHG:
		bk_x86_cmpxchg(b, w, mb, md, src);
		if (!w)
			zext(c, RAX); /* a successful 32-bit cmpxchg leaves rax's upper half */
		break;
	}
}

/* ---- ld_imm64 ------------------------------------------------------------ */

static void lddw(struct jit_cg *c, const struct bk_dinsn *d)
{
	const struct bk_insn_fact *f = bk_jit_fact(c, c->cur);
	struct x86_buf *b = &c->b;
	int dst = R(d->dst);
	uint64_t v;

	if (d->op == BK_OP_LDDW_FUNC) {
		/* a native address, known only once the image is placed: fixed size */
		uint32_t l = lbl_func(c, c->cur + 1 + (int64_t)d->imm);
		uint32_t a = c->prev ? c->prev[l] : 0;

		bk_x86_movabs(b, dst, c->base + a);
		return;
	}
	v = bk_vm_prog__imm64(c->vp, c->cur);
	if ((f->flags & BK_FACT_DST_CONST) && f->dst_val == v) {
		c->stats.facts_used++;
		return;
	}
	if (c->harden) {
		uint64_t key = (uint64_t)bk_jit_key(c) << 32 | bk_jit_key(c);

		bk_x86_movabs(b, dst, v ^ key);
		bk_x86_movabs(b, BK_JIT_AUX, key);
		bk_x86_alu_rr(b, true, XA_XOR, dst, BK_JIT_AUX);
		return;
	}
	bk_x86_mov_imm(b, dst, v, true);
}

/* ---- calls --------------------------------------------------------------- */

/* The map r1 surely holds at a call: the last write to r1 in the same
 * basic block is an ld_imm64 of a map. */
static struct bk_map *r1_map(const struct jit_cg *c, size_t i)
{
	for (size_t j = i; j-- > 0;) {
		const struct bk_dinsn *d = &c->dec[j];
		unsigned fmt;

		if (c->info[j + 1] & (JI_TARGET | JI_FUNC))
			return NULL;
		if (!d->slots)
			continue;
		fmt = bk_op_info(d->op)->fmt;
		if (fmt == BK_FMT_LDDW && d->dst == 1)
			return d->op == BK_OP_LDDW_MAP_FD || d->op == BK_OP_LDDW_MAP_IDX
				       ? (struct bk_map *)(uintptr_t)bk_vm_prog__imm64(c->vp, j)
				       : NULL;
		switch (fmt) {
		case BK_FMT_ALU_K:
		case BK_FMT_ALU_X:
		case BK_FMT_NEG:
		case BK_FMT_MOVSX:
		case BK_FMT_END:
		case BK_FMT_LDX:
		case BK_FMT_LDDW:
			if (d->dst == 1)
				return NULL;
			break;
		case BK_FMT_ATOMIC_FETCH:
		case BK_FMT_XCHG:
			if (d->src == 1)
				return NULL;
			break;
		case BK_FMT_CALL:
		case BK_FMT_CALL_LOCAL:
		case BK_FMT_CALL_KFUNC:
		case BK_FMT_CALLX:
		case BK_FMT_EXIT:
		case BK_FMT_JA:
		case BK_FMT_JA32:
			return NULL;
		default:
			break;
		}
	}
	return NULL;
}

/* map_lookup_elem on an array map: bounds check and address arithmetic. */
static bool inline_lookup(struct jit_cg *c, size_t i)
{
	struct bk_map *m = c->inline_maps ? r1_map(c, i) : NULL;
	const struct bk_map_attr *a;
	struct x86_buf *b = &c->b;
	uint64_t base, stride;
	uint32_t null = 0;
	size_t len;
	unsigned log;
	int mb;
	int32_t md;

	if (!m || (a = bk_map__attr(m))->type != BPF_MAP_TYPE_ARRAY)
		return false;
	base = (uintptr_t)bk_map__array_base(m, &len);
	stride = ((uint64_t)a->value_size + 7) & ~7ull;
	bk_jit_mem_operand(c, RSI, 0, 4, 0, &mb, &md);
	bk_x86_load(b, 4, false, RAX, mb, md);
	if (!(bk_jit_fact(c, i)->flags & BK_FACT_KEY_IN_RANGE)) {
		null = bk_jit_stub(c, STUB_ARRAY_NULL, 0);
		bk_x86_alu_ri(b, false, XA_CMP, RAX, (int32_t)a->max_entries);
		bk_jit_jump(c, CC_AE, null);
	} else {
		c->stats.facts_used++;
	}
	if (pow2(stride, &log))
		bk_x86_shift_ri(b, true, G2_SHL, RAX, (uint8_t)log);
	else
		bk_x86_imul_rri(b, true, RAX, RAX, (int32_t)stride);
	bk_x86_movabs(b, BK_JIT_AUX, base);
	bk_x86_alu_rr(b, true, XA_ADD, RAX, BK_JIT_AUX);
	if (null)
		bk_jit_stub_resume(c, null);
	c->stats.inlined++;
	return true;
}

static void call_helper(struct jit_cg *c, const struct bk_dinsn *d)
{
	bool tail = d->op == BK_OP_CALL && d->imm == BPF_FUNC_tail_call;
	bk_vm_helper_fn fn;

	if (d->op == BK_OP_CALL && d->imm == BPF_FUNC_map_lookup_elem && inline_lookup(c, c->cur))
		return;
	fn = bk_vm_prog__call_fn(c->vp, c->cur);
	if (!fn) {
		bk_x86_fail(&c->b, -BK_E_VM_HELPER);
		return;
	}
	if (tail)
		bk_x86_store_r(&c->b, 8, RSP, FRAME_SCRATCH, RDI);
	/* bpf_loop's callbacks run in the frame after the caller's */
	bk_jit_helper_call(c, (uint64_t)(uintptr_t)fn, tail,
			   d->op == BK_OP_CALL && d->imm == BPF_FUNC_loop);
}

/* The callee's frame must exist: depth (stack_top - rbp) / 512 below 7. */
static void depth_check(struct jit_cg *c)
{
	struct x86_buf *b = &c->b;

	bk_x86_load(b, 8, false, BK_JIT_AUX, BK_JIT_RUN, SH_OFF(stack_top));
	bk_x86_alu_rr(b, true, XA_SUB, BK_JIT_AUX, RBP);
	bk_x86_alu_ri(b, true, XA_CMP, BK_JIT_AUX, (BK_VM_MAX_FRAMES - 1) * BK_VM_STACK_SIZE);
	bk_jit_fault_if(c, CC_AE, BK_E_VM_CALL_DEPTH);
}

static void call_local(struct jit_cg *c, const struct bk_dinsn *d)
{
	depth_check(c);
	bk_jit_call_label(c, lbl_func(c, c->cur + 1 + (int64_t)d->imm));
}

/* callx: the runtime looks the target up (a function of the program or a
 * helper id); r1..r5 are kept across the lookup. */
static void callx(struct jit_cg *c, const struct bk_dinsn *d)
{
	static const uint8_t saved[] = {RDI, RSI, RDX, RCX, R8};
	struct x86_buf *b = &c->b;

	bk_jit_store_depth(c); /* for the lookup's depth check, and helpers */
	for (size_t k = 0; k < sizeof(saved); k++)
		bk_x86_push(b, saved[k]);
	bk_x86_alu_ri(b, true, XA_SUB, RSP, 8);
	bk_x86_mov_rr(b, true, RSI, R(d->dst));
	bk_x86_mov_rr(b, true, RDI, BK_JIT_RUN);
	bk_x86_mov_ri32(b, RDX, (uint32_t)c->cur);
	bk_jit_call_abs(c, (uint64_t)(uintptr_t)bk_jit_rt_callx);
	bk_x86_mov_rr(b, true, BK_JIT_AUX, RAX);
	bk_x86_alu_ri(b, true, XA_ADD, RSP, 8);
	for (size_t k = sizeof(saved); k-- > 0;)
		bk_x86_pop(b, saved[k]);
	bk_x86_alu_rr(b, true, XA_TEST, BK_JIT_AUX, BK_JIT_AUX);
	bk_jit_jump(c, CC_E, LBL_ABORT);
	bk_x86_mov_rr(b, true, R9, BK_JIT_RUN);
	bk_x86_grp5_r(b, G5_CALL, BK_JIT_AUX);
	bk_x86_alu_mi(b, false, XA_CMP, BK_JIT_RUN, SH_OFF(status), 0);
	bk_jit_jump(c, CC_NE, bk_jit_stub(c, STUB_STATUS, 0));
}

/* LD_ABS / LD_IND: r0 = big-endian packet load through the runtime, which
 * ends the program (r0 = 0) when out of range; r1..r5 are kept. */
static void ldpkt(struct jit_cg *c, const struct bk_dinsn *d, unsigned size, bool ind)
{
	static const uint8_t saved[] = {RDI, RSI, RDX, RCX, R8};
	struct x86_buf *b = &c->b;

	if (ind) {
		bk_x86_mov_rr(b, false, BK_JIT_TMP, R(d->src));
		bk_x86_alu_ri(b, false, XA_ADD, BK_JIT_TMP, d->imm);
	}
	for (size_t k = 0; k < sizeof(saved); k++)
		bk_x86_push(b, saved[k]);
	bk_x86_alu_ri(b, true, XA_SUB, RSP, 8);
	if (ind)
		bk_x86_movsx_rr(b, true, 4, RSI, BK_JIT_TMP);
	else
		bk_x86_mov_imm(b, RSI, (uint64_t)(int64_t)d->imm, true);
	bk_x86_mov_rr(b, true, RDI, BK_JIT_RUN);
	bk_x86_mov_ri32(b, RDX, size);
	bk_x86_mov_ri32(b, RCX, (uint32_t)c->cur);
	bk_jit_call_abs(c, (uint64_t)(uintptr_t)bk_jit_rt_ldpkt);
	bk_x86_alu_ri(b, true, XA_ADD, RSP, 8);
	for (size_t k = sizeof(saved); k-- > 0;)
		bk_x86_pop(b, saved[k]);
	bk_x86_alu_mi(b, false, XA_CMP, BK_JIT_RUN, SH_OFF(status), 0);
	bk_jit_jump(c, CC_NE, bk_jit_stub(c, STUB_STATUS, 0));
}

/* ---- the switch ------------------------------------------------------------ */

void bk_jit_translate(struct jit_cg *c, size_t i)
{
	const struct bk_dinsn *d = &c->dec[i];
	const struct bk_insn_fact *f = bk_jit_fact(c, i);
	int dst = R(d->dst);

	if (f->flags & BK_FACT_DEAD) {
		c->stats.facts_used++;
		return;
	}
	// clang-format off
	switch ((enum bk_op)d->op) {
	/* ALU64 */
	case BK_OP_ADD64_K: case BK_OP_ADD64_X:	alu(c, d, XA_ADD, true); break;
	case BK_OP_SUB64_K: case BK_OP_SUB64_X:	alu(c, d, XA_SUB, true); break;
	case BK_OP_MUL64_K: case BK_OP_MUL64_X:	mul(c, d, true); break;
	case BK_OP_DIV64_K: case BK_OP_DIV64_X:	divmod(c, d, false, false, true); break;
	case BK_OP_SDIV64_K: case BK_OP_SDIV64_X: divmod(c, d, true, false, true); break;
	case BK_OP_MOD64_K: case BK_OP_MOD64_X:	divmod(c, d, false, true, true); break;
	case BK_OP_SMOD64_K: case BK_OP_SMOD64_X: divmod(c, d, true, true, true); break;
	case BK_OP_OR64_K: case BK_OP_OR64_X:	alu(c, d, XA_OR, true); break;
	case BK_OP_AND64_K: case BK_OP_AND64_X:	alu(c, d, XA_AND, true); break;
	case BK_OP_XOR64_K: case BK_OP_XOR64_X:	alu(c, d, XA_XOR, true); break;
	case BK_OP_LSH64_K:			shift64_k(c, d, G2_SHL); break;
	case BK_OP_RSH64_K:			shift64_k(c, d, G2_SHR); break;
	case BK_OP_LSH64_X:			shift(c, d, G2_SHL, true); break;
	case BK_OP_RSH64_X:			shift(c, d, G2_SHR, true); break;
	case BK_OP_ARSH64_K: case BK_OP_ARSH64_X: shift(c, d, G2_SAR, true); break;
	case BK_OP_NEG64:			bk_x86_grp3(&c->b, true, G3_NEG, dst); break;
	case BK_OP_MOV64_K: case BK_OP_MOV64_X:	mov(c, d, true); break;
	case BK_OP_MOVSX64_8:			bk_x86_movsx_rr(&c->b, true, 1, dst, R(d->src)); break;
	case BK_OP_MOVSX64_16:			bk_x86_movsx_rr(&c->b, true, 2, dst, R(d->src)); break;
	case BK_OP_MOVSX64_32:			bk_x86_movsx_rr(&c->b, true, 4, dst, R(d->src)); break;
	case BK_OP_BSWAP16: case BK_OP_BE16:	swap(c, dst, 16); break;
	case BK_OP_BSWAP32: case BK_OP_BE32:	swap(c, dst, 32); break;
	case BK_OP_BSWAP64: case BK_OP_BE64:	swap(c, dst, 64); break;
	/* ALU32 */
	case BK_OP_ADD32_K: case BK_OP_ADD32_X:	alu(c, d, XA_ADD, false); break;
	case BK_OP_SUB32_K: case BK_OP_SUB32_X:	alu(c, d, XA_SUB, false); break;
	case BK_OP_MUL32_K: case BK_OP_MUL32_X:	mul(c, d, false); break;
	case BK_OP_DIV32_K: case BK_OP_DIV32_X:	divmod(c, d, false, false, false); break;
	case BK_OP_SDIV32_K: case BK_OP_SDIV32_X: divmod(c, d, true, false, false); break;
	case BK_OP_MOD32_K: case BK_OP_MOD32_X:	divmod(c, d, false, true, false); break;
	case BK_OP_SMOD32_K: case BK_OP_SMOD32_X: divmod(c, d, true, true, false); break;
	case BK_OP_OR32_K: case BK_OP_OR32_X:	alu(c, d, XA_OR, false); break;
	case BK_OP_AND32_K: case BK_OP_AND32_X:	alu(c, d, XA_AND, false); break;
	case BK_OP_XOR32_K: case BK_OP_XOR32_X:	alu(c, d, XA_XOR, false); break;
	case BK_OP_LSH32_K: case BK_OP_LSH32_X:	shift(c, d, G2_SHL, false); break;
	case BK_OP_RSH32_K: case BK_OP_RSH32_X:	shift(c, d, G2_SHR, false); break;
	case BK_OP_ARSH32_K: case BK_OP_ARSH32_X: shift(c, d, G2_SAR, false); break;
	case BK_OP_NEG32:			bk_x86_grp3(&c->b, false, G3_NEG, dst); break;
	case BK_OP_MOV32_K: case BK_OP_MOV32_X:	mov(c, d, false); break;
	case BK_OP_MOVSX32_8:			bk_x86_movsx_rr(&c->b, false, 1, dst, R(d->src)); break;
	case BK_OP_MOVSX32_16:			bk_x86_movsx_rr(&c->b, false, 2, dst, R(d->src)); break;
	case BK_OP_LE16:			to_le(c, d, 16); break;
	case BK_OP_LE32:			to_le(c, d, 32); break;
	case BK_OP_LE64:			break;	/* the host is little endian */
	/* JMP */
	case BK_OP_JA:				ja(c, d->off); break;
	case BK_OP_JEQ_K: case BK_OP_JEQ_X:	jcond(c, d, CC_E, true, false); break;
	case BK_OP_JGT_K: case BK_OP_JGT_X:	jcond(c, d, CC_A, true, false); break;
	case BK_OP_JGE_K: case BK_OP_JGE_X:	jcond(c, d, CC_AE, true, false); break;
	case BK_OP_JSET_K: case BK_OP_JSET_X:	jcond(c, d, CC_NE, true, true); break;
	case BK_OP_JNE_K: case BK_OP_JNE_X:	jcond(c, d, CC_NE, true, false); break;
	case BK_OP_JSGT_K: case BK_OP_JSGT_X:	jcond(c, d, CC_G, true, false); break;
	case BK_OP_JSGE_K: case BK_OP_JSGE_X:	jcond(c, d, CC_GE, true, false); break;
	case BK_OP_JLT_K: case BK_OP_JLT_X:	jcond(c, d, CC_B, true, false); break;
	case BK_OP_JLE_K: case BK_OP_JLE_X:	jcond(c, d, CC_BE, true, false); break;
	case BK_OP_JSLT_K: case BK_OP_JSLT_X:	jcond(c, d, CC_L, true, false); break;
	case BK_OP_JSLE_K: case BK_OP_JSLE_X:	jcond(c, d, CC_LE, true, false); break;
	case BK_OP_CALL: case BK_OP_CALL_KFUNC:	call_helper(c, d); break;
	case BK_OP_CALL_LOCAL:			call_local(c, d); break;
	case BK_OP_CALLX:			callx(c, d); break;
	case BK_OP_EXIT:			bk_jit_epilogue(c); break;
	case BK_OP_MAY_GOTO:			may_goto(c, d); break;
	/* JMP32 */
	case BK_OP_JA32:			ja(c, d->imm); break;
	case BK_OP_JEQ32_K: case BK_OP_JEQ32_X:	jcond(c, d, CC_E, false, false); break;
	case BK_OP_JGT32_K: case BK_OP_JGT32_X:	jcond(c, d, CC_A, false, false); break;
	case BK_OP_JGE32_K: case BK_OP_JGE32_X:	jcond(c, d, CC_AE, false, false); break;
	case BK_OP_JSET32_K: case BK_OP_JSET32_X: jcond(c, d, CC_NE, false, true); break;
	case BK_OP_JNE32_K: case BK_OP_JNE32_X:	jcond(c, d, CC_NE, false, false); break;
	case BK_OP_JSGT32_K: case BK_OP_JSGT32_X: jcond(c, d, CC_G, false, false); break;
	case BK_OP_JSGE32_K: case BK_OP_JSGE32_X: jcond(c, d, CC_GE, false, false); break;
	case BK_OP_JLT32_K: case BK_OP_JLT32_X:	jcond(c, d, CC_B, false, false); break;
	case BK_OP_JLE32_K: case BK_OP_JLE32_X:	jcond(c, d, CC_BE, false, false); break;
	case BK_OP_JSLT32_K: case BK_OP_JSLT32_X: jcond(c, d, CC_L, false, false); break;
	case BK_OP_JSLE32_K: case BK_OP_JSLE32_X: jcond(c, d, CC_LE, false, false); break;
	/* LDX, ST, STX */
	case BK_OP_LDXB:			ldx(c, d, 1, false); break;
	case BK_OP_LDXH:			ldx(c, d, 2, false); break;
	case BK_OP_LDXW:			ldx(c, d, 4, false); break;
	case BK_OP_LDXDW:			ldx(c, d, 8, false); break;
	case BK_OP_LDXSB:			ldx(c, d, 1, true); break;
	case BK_OP_LDXSH:			ldx(c, d, 2, true); break;
	case BK_OP_LDXSW:			ldx(c, d, 4, true); break;
	case BK_OP_STB:				st(c, d, 1); break;
	case BK_OP_STH:				st(c, d, 2); break;
	case BK_OP_STW:				st(c, d, 4); break;
	case BK_OP_STDW:			st(c, d, 8); break;
	case BK_OP_STXB:			stx(c, d, 1); break;
	case BK_OP_STXH:			stx(c, d, 2); break;
	case BK_OP_STXW:			stx(c, d, 4); break;
	case BK_OP_STXDW:			stx(c, d, 8); break;
	/* atomics */
	case BK_OP_ATOMIC32_ADD:		atomic(c, d, AT_ALU, XA_ADD, false); break;
	case BK_OP_ATOMIC32_OR:			atomic(c, d, AT_ALU, XA_OR, false); break;
	case BK_OP_ATOMIC32_AND:		atomic(c, d, AT_ALU, XA_AND, false); break;
	case BK_OP_ATOMIC32_XOR:		atomic(c, d, AT_ALU, XA_XOR, false); break;
	case BK_OP_ATOMIC32_FETCH_ADD:		atomic(c, d, AT_FETCH, XA_ADD, false); break;
	case BK_OP_ATOMIC32_FETCH_OR:		atomic(c, d, AT_FETCH, XA_OR, false); break;
	case BK_OP_ATOMIC32_FETCH_AND:		atomic(c, d, AT_FETCH, XA_AND, false); break;
	case BK_OP_ATOMIC32_FETCH_XOR:		atomic(c, d, AT_FETCH, XA_XOR, false); break;
	case BK_OP_ATOMIC32_XCHG:		atomic(c, d, AT_XCHG, XA_ADD, false); break;
	case BK_OP_ATOMIC32_CMPXCHG:		atomic(c, d, AT_CMPXCHG, XA_ADD, false); break;
	case BK_OP_ATOMIC64_ADD:		atomic(c, d, AT_ALU, XA_ADD, true); break;
	case BK_OP_ATOMIC64_OR:			atomic(c, d, AT_ALU, XA_OR, true); break;
	case BK_OP_ATOMIC64_AND:		atomic(c, d, AT_ALU, XA_AND, true); break;
	case BK_OP_ATOMIC64_XOR:		atomic(c, d, AT_ALU, XA_XOR, true); break;
	case BK_OP_ATOMIC64_FETCH_ADD:		atomic(c, d, AT_FETCH, XA_ADD, true); break;
	case BK_OP_ATOMIC64_FETCH_OR:		atomic(c, d, AT_FETCH, XA_OR, true); break;
	case BK_OP_ATOMIC64_FETCH_AND:		atomic(c, d, AT_FETCH, XA_AND, true); break;
	case BK_OP_ATOMIC64_FETCH_XOR:		atomic(c, d, AT_FETCH, XA_XOR, true); break;
	case BK_OP_ATOMIC64_XCHG:		atomic(c, d, AT_XCHG, XA_ADD, true); break;
	case BK_OP_ATOMIC64_CMPXCHG:		atomic(c, d, AT_CMPXCHG, XA_ADD, true); break;
	/* ld_imm64: every form resolved at load (functions: native addresses) */
	case BK_OP_LDDW: case BK_OP_LDDW_MAP_FD: case BK_OP_LDDW_MAP_VALUE:
	case BK_OP_LDDW_BTF_ID: case BK_OP_LDDW_FUNC: case BK_OP_LDDW_MAP_IDX:
	case BK_OP_LDDW_MAP_IDX_VALUE:		lddw(c, d); break;
	/* legacy packet loads */
	case BK_OP_LDABSB:			ldpkt(c, d, 1, false); break;
	case BK_OP_LDABSH:			ldpkt(c, d, 2, false); break;
	case BK_OP_LDABSW:			ldpkt(c, d, 4, false); break;
	case BK_OP_LDINDB:			ldpkt(c, d, 1, true); break;
	case BK_OP_LDINDH:			ldpkt(c, d, 2, true); break;
	case BK_OP_LDINDW:			ldpkt(c, d, 4, true); break;
	}
	// clang-format on
}
