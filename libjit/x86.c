// SPDX-License-Identifier: MIT
/*
 * x86.c - the x86-64 encoder: prefixes, REX, ModRM/SIB and displacement
 * for register and [base + disp] operands, and one small emitter per
 * instruction form libjit uses.  Opcode bytes come from x86_int.h by name.
 *
 * Invariant: every emitter goes through bk_x86_byte(), so the sticky error
 * and count-only buffers work everywhere.
 */
#include <errno.h>

#include "jit.h"
#include "x86_int.h"

enum {
	P_LOCK = 1, /* lock prefix */
	P_66 = 2,   /* operand-size prefix */
	P_0F = 4,   /* two-byte opcode */
	P_REX = 8,  /* emit a REX even when empty (byte registers sil, dil, bpl, spl) */
};

void bk_x86_fail(struct x86_buf *b, int err)
{
	if (!b->err)
		b->err = err;
}

void bk_x86_byte(struct x86_buf *b, uint8_t v)
{
	if (b->err)
		return;
	if (b->buf) {
		if (b->pos >= b->cap) {
			b->err = -BK_E_JIT_SIZE;
			return;
		}
		b->buf[b->pos] = v;
	}
	b->pos++;
}

void bk_x86_u16(struct x86_buf *b, uint16_t v)
{
	bk_x86_byte(b, (uint8_t)v);
	bk_x86_byte(b, (uint8_t)(v >> 8));
}

void bk_x86_u32(struct x86_buf *b, uint32_t v)
{
	for (int i = 0; i < 32; i += 8)
		bk_x86_byte(b, (uint8_t)(v >> i));
}

void bk_x86_u64(struct x86_buf *b, uint64_t v)
{
	bk_x86_u32(b, (uint32_t)v);
	bk_x86_u32(b, (uint32_t)(v >> 32));
}

/* Prefixes, REX (W, R from reg, B from rm) and the opcode byte(s). */
static void head(struct x86_buf *b, unsigned pfx, bool w, int reg, int rm, uint8_t op)
{
	uint8_t rex = XO_REX | (w ? 8 : 0) | ((reg >> 3) & 1) << 2 | ((rm >> 3) & 1);

	if (pfx & P_LOCK)
		bk_x86_byte(b, XO_LOCK);
	if (pfx & P_66)
		bk_x86_byte(b, XO_OPSIZE);
	if (rex != XO_REX || (pfx & P_REX))
		bk_x86_byte(b, rex);
	if (pfx & P_0F)
		bk_x86_byte(b, XO_ESC_0F);
	bk_x86_byte(b, op);
}

static void modrm_reg(struct x86_buf *b, int reg, int rm)
{
	bk_x86_byte(b, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

/* ModRM (+SIB, +disp) of [base + disp]: rsp/r12 need a SIB byte; rbp/r13
 * have no form without displacement. */
static void modrm_mem(struct x86_buf *b, int reg, int base, int32_t disp)
{
	int mod = disp == 0 && (base & 7) != RBP ? 0 : bk_x86_is_s8(disp) ? 1 : 2;

	bk_x86_byte(b, (uint8_t)(mod << 6 | (reg & 7) << 3 | (base & 7)));
	if ((base & 7) == RSP)
		bk_x86_byte(b, 0x24); /* SIB: no index, base */
	if (mod == 1)
		bk_x86_byte(b, (uint8_t)disp);
	else if (mod == 2)
		bk_x86_u32(b, (uint32_t)disp);
}

static void op_rr(struct x86_buf *b, unsigned pfx, bool w, uint8_t op, int reg, int rm)
{
	head(b, pfx, w, reg, rm, op);
	modrm_reg(b, reg, rm);
}

static void op_m(struct x86_buf *b, unsigned pfx, bool w, uint8_t op, int reg, int base,
		 int32_t disp)
{
	head(b, pfx, w, reg, base, op);
	modrm_mem(b, reg, base, disp);
}

/* Byte registers 4..7 are spl, bpl, sil, dil only with a REX prefix. */
static unsigned byte_reg(int reg)
{
	return reg >= RSP && reg <= RDI ? P_REX : 0;
}

// clang-format off
static const struct { uint8_t rm_r; uint8_t grp; } alu_tab[] = {
	/* op        r/m, r            group 1 (imm) */
	[XA_ADD]  = {XO_ADD_RM_R,  G1_ADD},
	[XA_OR]   = {XO_OR_RM_R,   G1_OR},
	[XA_AND]  = {XO_AND_RM_R,  G1_AND},
	[XA_SUB]  = {XO_SUB_RM_R,  G1_SUB},
	[XA_XOR]  = {XO_XOR_RM_R,  G1_XOR},
	[XA_CMP]  = {XO_CMP_RM_R,  G1_CMP},
	[XA_TEST] = {XO_TEST_RM_R, G3_TEST},	/* immediate form: group 3 */
};
// clang-format on

void bk_x86_mov_rr(struct x86_buf *b, bool w, int dst, int src)
{
	op_rr(b, 0, w, XO_MOV_RM_R, src, dst);
}

void bk_x86_alu_rr(struct x86_buf *b, bool w, enum x86_alu op, int dst, int src)
{
	op_rr(b, 0, w, alu_tab[op].rm_r, src, dst);
}

void bk_x86_alu_ri(struct x86_buf *b, bool w, enum x86_alu op, int dst, int32_t imm)
{
	if (op == XA_TEST) {
		op_rr(b, 0, w, XO_GRP3, G3_TEST, dst);
		bk_x86_u32(b, (uint32_t)imm);
	} else if (bk_x86_is_s8(imm)) {
		op_rr(b, 0, w, XO_GRP1_IMM8, alu_tab[op].grp, dst);
		bk_x86_byte(b, (uint8_t)imm);
	} else {
		op_rr(b, 0, w, XO_GRP1_IMM32, alu_tab[op].grp, dst);
		bk_x86_u32(b, (uint32_t)imm);
	}
}

void bk_x86_alu_mi(struct x86_buf *b, bool w, enum x86_alu op, int base, int32_t disp, int32_t imm)
{
	if (op == XA_TEST) {
		op_m(b, 0, w, XO_GRP3, G3_TEST, base, disp);
		bk_x86_u32(b, (uint32_t)imm);
	} else if (bk_x86_is_s8(imm)) {
		op_m(b, 0, w, XO_GRP1_IMM8, alu_tab[op].grp, base, disp);
		bk_x86_byte(b, (uint8_t)imm);
	} else {
		op_m(b, 0, w, XO_GRP1_IMM32, alu_tab[op].grp, base, disp);
		bk_x86_u32(b, (uint32_t)imm);
	}
}

void bk_x86_alu_mr(struct x86_buf *b, bool w, bool lock, enum x86_alu op, int base, int32_t disp,
		   int src)
{
	op_m(b, lock ? P_LOCK : 0, w, alu_tab[op].rm_r, src, base, disp);
}

void bk_x86_cmp_rm(struct x86_buf *b, bool w, int reg, int base, int32_t disp)
{
	op_m(b, 0, w, XO_CMP_R_RM, reg, base, disp);
}

void bk_x86_mov_ri32(struct x86_buf *b, int dst, uint32_t v)
{
	head(b, 0, false, 0, dst, (uint8_t)(XO_MOV_R_IMM + (dst & 7)));
	bk_x86_u32(b, v);
}

void bk_x86_movabs(struct x86_buf *b, int dst, uint64_t v)
{
	head(b, 0, true, 0, dst, (uint8_t)(XO_MOV_R_IMM + (dst & 7)));
	bk_x86_u64(b, v);
}

void bk_x86_mov_imm(struct x86_buf *b, int dst, uint64_t v, bool flags_ok)
{
	if (!v && flags_ok) {
		bk_x86_alu_rr(b, false, XA_XOR, dst, dst);
	} else if (v <= UINT32_MAX) {
		bk_x86_mov_ri32(b, dst, (uint32_t)v);
	} else if (bk_x86_is_s32((int64_t)v)) {
		op_rr(b, 0, true, XO_MOV_RM_IMM, 0, dst);
		bk_x86_u32(b, (uint32_t)v);
	} else {
		bk_x86_movabs(b, dst, v);
	}
}

void bk_x86_lea(struct x86_buf *b, bool w, int dst, int base, int32_t disp)
{
	op_m(b, 0, w, XO_LEA, dst, base, disp);
}

void bk_x86_lea_idx(struct x86_buf *b, bool w, int dst, int base, int index, unsigned scale)
{
	uint8_t rex = XO_REX | (w ? 8 : 0) | ((dst >> 3) & 1) << 2 | ((index >> 3) & 1) << 1 |
		      ((base >> 3) & 1);
	unsigned ss = scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0;
	bool disp8 = (base & 7) == RBP; /* no base-less form wanted: [rbp + 0] */

	if ((index & 15) == RSP || (1u << ss) != scale) {
		bk_x86_fail(b, -BK_E_JIT);
		return;
	}
	if (rex != XO_REX)
		bk_x86_byte(b, rex);
	bk_x86_byte(b, XO_LEA);
	bk_x86_byte(b, (uint8_t)((disp8 ? 0x40 : 0) | (dst & 7) << 3 | RSP)); /* rm 100: SIB */
	bk_x86_byte(b, (uint8_t)(ss << 6 | (index & 7) << 3 | (base & 7)));
	if (disp8)
		bk_x86_byte(b, 0);
}

void bk_x86_load(struct x86_buf *b, unsigned size, bool sign, int dst, int base, int32_t disp)
{
	switch (size) {
	case 1:
		op_m(b, P_0F, sign, sign ? X0F_MOVSX8 : X0F_MOVZX8, dst, base, disp);
		break;
	case 2:
		op_m(b, P_0F, sign, sign ? X0F_MOVSX16 : X0F_MOVZX16, dst, base, disp);
		break;
	case 4:
		op_m(b, 0, sign, sign ? XO_MOVSXD : XO_MOV_R_RM, dst, base, disp);
		break;
	case 8:
		op_m(b, 0, true, XO_MOV_R_RM, dst, base, disp);
		break;
	default:
		bk_x86_fail(b, -BK_E_JIT);
	}
}

void bk_x86_store_r(struct x86_buf *b, unsigned size, int base, int32_t disp, int src)
{
	switch (size) {
	case 1:
		op_m(b, byte_reg(src), false, XO_MOV_RM_R8, src, base, disp);
		break;
	case 2:
		op_m(b, P_66, false, XO_MOV_RM_R, src, base, disp);
		break;
	case 4:
	case 8:
		op_m(b, 0, size == 8, XO_MOV_RM_R, src, base, disp);
		break;
	default:
		bk_x86_fail(b, -BK_E_JIT);
	}
}

void bk_x86_store_i(struct x86_buf *b, unsigned size, int base, int32_t disp, int32_t imm)
{
	switch (size) {
	case 1:
		op_m(b, 0, false, XO_MOV_RM_IMM8, 0, base, disp);
		bk_x86_byte(b, (uint8_t)imm);
		break;
	case 2:
		op_m(b, P_66, false, XO_MOV_RM_IMM, 0, base, disp);
		bk_x86_u16(b, (uint16_t)imm);
		break;
	case 4:
	case 8:
		op_m(b, 0, size == 8, XO_MOV_RM_IMM, 0, base, disp);
		bk_x86_u32(b, (uint32_t)imm);
		break;
	default:
		bk_x86_fail(b, -BK_E_JIT);
	}
}

void bk_x86_shift_ri(struct x86_buf *b, bool w, enum x86_grp2 g, int dst, uint8_t n)
{
	if (n == 1) {
		op_rr(b, 0, w, XO_GRP2_1, g, dst);
	} else {
		op_rr(b, 0, w, XO_GRP2_IMM8, g, dst);
		bk_x86_byte(b, n);
	}
}

void bk_x86_shift_cl(struct x86_buf *b, bool w, enum x86_grp2 g, int dst)
{
	op_rr(b, 0, w, XO_GRP2_CL, g, dst);
}

/* VEX.LZ.pp.0F38.W F7 /r: dst = src shifted by cnt (masked to the width). */
void bk_x86_shiftx(struct x86_buf *b, bool w, enum x86_shiftx k, int dst, int src, int cnt)
{
	bk_x86_byte(b, XO_VEX3);
	bk_x86_byte(b, (uint8_t)((!(dst & 8)) << 7 | 1 << 6 | (!(src & 8)) << 5 | XV_MAP_0F38));
	bk_x86_byte(b, (uint8_t)((w ? 0x80 : 0) | ((~cnt) & 15) << 3 | k));
	bk_x86_byte(b, XV_OPC_SHIFTX);
	modrm_reg(b, dst, src);
}

void bk_x86_grp3(struct x86_buf *b, bool w, enum x86_grp3 g, int reg)
{
	op_rr(b, 0, w, XO_GRP3, g, reg);
}

void bk_x86_grp5_m(struct x86_buf *b, bool w, enum x86_grp5 g, int base, int32_t disp)
{
	op_m(b, 0, w, XO_GRP5, g, base, disp);
}

void bk_x86_grp5_r(struct x86_buf *b, enum x86_grp5 g, int reg)
{
	op_rr(b, 0, false, XO_GRP5, g, reg);
}

void bk_x86_pop_m(struct x86_buf *b, int base, int32_t disp)
{
	op_m(b, 0, false, XO_POP_RM, 0, base, disp);
}

void bk_x86_imul_rr(struct x86_buf *b, bool w, int dst, int src)
{
	op_rr(b, P_0F, w, X0F_IMUL_R_RM, dst, src);
}

void bk_x86_imul_rri(struct x86_buf *b, bool w, int dst, int src, int32_t imm)
{
	if (bk_x86_is_s8(imm)) {
		op_rr(b, 0, w, XO_IMUL_IMM8, dst, src);
		bk_x86_byte(b, (uint8_t)imm);
	} else {
		op_rr(b, 0, w, XO_IMUL_IMM32, dst, src);
		bk_x86_u32(b, (uint32_t)imm);
	}
}

void bk_x86_movzx_rr(struct x86_buf *b, unsigned size, int dst, int src)
{
	if (size == 1)
		op_rr(b, P_0F | byte_reg(src), false, X0F_MOVZX8, dst, src);
	else
		op_rr(b, P_0F, false, X0F_MOVZX16, dst, src);
}

void bk_x86_movsx_rr(struct x86_buf *b, bool w, unsigned size, int dst, int src)
{
	if (size == 4)
		op_rr(b, 0, true, XO_MOVSXD, dst, src);
	else if (size == 1)
		op_rr(b, P_0F | byte_reg(src), w, X0F_MOVSX8, dst, src);
	else
		op_rr(b, P_0F, w, X0F_MOVSX16, dst, src);
}

void bk_x86_bswap(struct x86_buf *b, bool w, int reg)
{
	head(b, P_0F, w, 0, reg, (uint8_t)(X0F_BSWAP + (reg & 7)));
}

void bk_x86_rol16_8(struct x86_buf *b, int reg)
{
	op_rr(b, P_66, false, XO_GRP2_IMM8, G2_ROL, reg);
	bk_x86_byte(b, 8);
}

void bk_x86_push(struct x86_buf *b, int reg)
{
	head(b, 0, false, 0, reg, (uint8_t)(XO_PUSH_R + (reg & 7)));
}

void bk_x86_pop(struct x86_buf *b, int reg)
{
	head(b, 0, false, 0, reg, (uint8_t)(XO_POP_R + (reg & 7)));
}

void bk_x86_cdq(struct x86_buf *b, bool w)
{
	head(b, 0, w, 0, 0, XO_CDQ_CQO);
}

void bk_x86_ret(struct x86_buf *b)
{
	bk_x86_byte(b, XO_RET);
}

void bk_x86_int3(struct x86_buf *b)
{
	bk_x86_byte(b, XO_INT3);
}

void bk_x86_pause_lfence(struct x86_buf *b)
{
	bk_x86_byte(b, XO_REP);
	bk_x86_byte(b, XO_NOP);
	bk_x86_byte(b, XO_ESC_0F);
	bk_x86_byte(b, X0F_FENCE);
	bk_x86_byte(b, 0xe8); /* ModRM of lfence: mod 3, /5 */
}

/* nop r/m forms of 1 to 9 bytes: [66] 0f 1f with a ModRM (mod 0/1/2, /0),
 * SIB and displacement of zero where the length needs them. */
void bk_x86_nops(struct x86_buf *b, unsigned n)
{
	// clang-format off
	static const uint8_t form[10][4] = {
		/* prefix66 modrm  sib   disp bytes */
		[1] = {0, 0xff, 0, 0},	/* the one-byte nop */
		[2] = {1, 0xff, 0, 0},	/* 66 nop */
		[3] = {0, 0x00, 0, 0},
		[4] = {0, 0x40, 0, 1},
		[5] = {0, 0x44, 1, 1},
		[6] = {1, 0x44, 1, 1},
		[7] = {0, 0x80, 0, 4},
		[8] = {0, 0x84, 1, 4},
		[9] = {1, 0x84, 1, 4},
	};
	// clang-format on

	while (n) {
		unsigned k = n > 9 ? 9 : n;

		if (form[k][0])
			bk_x86_byte(b, XO_OPSIZE);
		if (form[k][1] == 0xff) {
			bk_x86_byte(b, XO_NOP);
		} else {
			bk_x86_byte(b, XO_ESC_0F);
			bk_x86_byte(b, X0F_NOP_RM);
			bk_x86_byte(b, form[k][1]);
			if (form[k][2])
				bk_x86_byte(b, 0x00); /* SIB: rax + rax * 1 */
			for (unsigned i = 0; i < form[k][3]; i++)
				bk_x86_byte(b, 0);
		}
		n -= k;
	}
}

void bk_x86_xadd(struct x86_buf *b, bool w, int base, int32_t disp, int src)
{
	op_m(b, P_LOCK | P_0F, w, X0F_XADD, src, base, disp);
}

void bk_x86_xchg(struct x86_buf *b, bool w, int base, int32_t disp, int src)
{
	op_m(b, 0, w, XO_XCHG_RM_R, src, base, disp); /* locked implicitly */
}

void bk_x86_cmpxchg(struct x86_buf *b, bool w, int base, int32_t disp, int src)
{
	op_m(b, P_LOCK | P_0F, w, X0F_CMPXCHG, src, base, disp);
}

void bk_x86_jcc8(struct x86_buf *b, enum x86_cc cc, int8_t rel)
{
	bk_x86_byte(b, cc == CC_ALWAYS ? XO_JMP_REL8 : (uint8_t)(XO_JCC_REL8 + cc));
	bk_x86_byte(b, (uint8_t)rel);
}

void bk_x86_jcc32(struct x86_buf *b, enum x86_cc cc, int32_t rel)
{
	if (cc == CC_ALWAYS) {
		bk_x86_byte(b, XO_JMP_REL32);
	} else {
		bk_x86_byte(b, XO_ESC_0F);
		bk_x86_byte(b, (uint8_t)(X0F_JCC_REL32 + cc));
	}
	bk_x86_u32(b, (uint32_t)rel);
}

void bk_x86_call32(struct x86_buf *b, int32_t rel)
{
	bk_x86_byte(b, XO_CALL_REL32);
	bk_x86_u32(b, (uint32_t)rel);
}

size_t bk_x86_jfwd8(struct x86_buf *b, enum x86_cc cc)
{
	bk_x86_jcc8(b, cc, 0);
	return b->pos - 1;
}

void bk_x86_patch8(struct x86_buf *b, size_t at)
{
	size_t rel = b->pos - (at + 1);

	if (b->err)
		return;
	if (rel > 127) {
		b->err = -BK_E_JIT;
		return;
	}
	if (b->buf)
		b->buf[at] = (uint8_t)rel;
}
