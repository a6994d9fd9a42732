/* SPDX-License-Identifier: MIT */
/*
 * x86_int.h - the x86-64 encoder libjit emits with: registers, opcode
 * bytes and group extensions by name (the only place that spells them),
 * and small emitters over a buffer with a sticky error status.
 *
 * A buffer without storage (buf NULL) only counts bytes: the first code
 * generation pass measures the image that way.  Once an emit would pass the
 * capacity, or an encoding is asked for that does not exist, err is set and
 * every later emit does nothing; callers check err once at the end.
 */
#ifndef BK_JIT_X86_INT_H
#define BK_JIT_X86_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum x86_reg {
	RAX = 0,
	RCX,
	RDX,
	RBX,
	RSP,
	RBP,
	RSI,
	RDI,
	R8,
	R9,
	R10,
	R11,
	R12,
	R13,
	R14,
	R15,
};

// clang-format off
/* Opcode bytes (one-byte map unless X0F_*: after the 0x0f escape). */
enum x86_opc {
	/* name              byte     instruction                                */
	XO_ADD_RM_R        = 0x01, /* add r/m, r                               */
	XO_OR_RM_R         = 0x09, /* or r/m, r                                */
	XO_ESC_0F          = 0x0f, /* two-byte opcode map                      */
	XO_AND_RM_R        = 0x21, /* and r/m, r                               */
	XO_SUB_RM_R        = 0x29, /* sub r/m, r                               */
	XO_XOR_RM_R        = 0x31, /* xor r/m, r                               */
	XO_CMP_RM_R        = 0x39, /* cmp r/m, r                               */
	XO_CMP_R_RM        = 0x3b, /* cmp r, r/m                               */
	XO_REX             = 0x40, /* REX prefix base: 0100WRXB                */
	XO_PUSH_R          = 0x50, /* push r (+reg)                            */
	XO_POP_R           = 0x58, /* pop r (+reg)                             */
	XO_MOVSXD          = 0x63, /* movsxd r64, r/m32                        */
	XO_OPSIZE          = 0x66, /* operand-size prefix: 16-bit              */
	XO_IMUL_IMM32      = 0x69, /* imul r, r/m, imm32                       */
	XO_IMUL_IMM8       = 0x6b, /* imul r, r/m, imm8                        */
	XO_JCC_REL8        = 0x70, /* jcc rel8 (+cc)                           */
	XO_GRP1_IMM32      = 0x81, /* group 1 r/m, imm32                       */
	XO_GRP1_IMM8       = 0x83, /* group 1 r/m, imm8 sign-extended          */
	XO_TEST_RM_R       = 0x85, /* test r/m, r                              */
	XO_XCHG_RM_R       = 0x87, /* xchg r/m, r (locked on memory)           */
	XO_MOV_RM_R8       = 0x88, /* mov r/m8, r8                             */
	XO_MOV_RM_R        = 0x89, /* mov r/m, r                               */
	XO_MOV_R_RM        = 0x8b, /* mov r, r/m                               */
	XO_LEA             = 0x8d, /* lea r, m                                 */
	XO_POP_RM          = 0x8f, /* pop r/m (/0)                             */
	XO_NOP             = 0x90, /* nop                                      */
	XO_CDQ_CQO         = 0x99, /* cdq, with REX.W cqo                      */
	XO_MOV_R_IMM       = 0xb8, /* mov r, imm (+reg): imm32, REX.W imm64    */
	XO_GRP2_IMM8       = 0xc1, /* group 2 r/m, imm8                        */
	XO_RET             = 0xc3, /* ret                                      */
	XO_VEX3            = 0xc4, /* three-byte VEX prefix                    */
	XO_MOV_RM_IMM8     = 0xc6, /* mov r/m8, imm8                           */
	XO_MOV_RM_IMM      = 0xc7, /* mov r/m, imm32 (REX.W: sign-extended)    */
	XO_INT3            = 0xcc, /* int3                                     */
	XO_GRP2_1          = 0xd1, /* group 2 r/m, 1                           */
	XO_GRP2_CL         = 0xd3, /* group 2 r/m, cl                          */
	XO_CALL_REL32      = 0xe8, /* call rel32                               */
	XO_JMP_REL32       = 0xe9, /* jmp rel32                                */
	XO_JMP_REL8        = 0xeb, /* jmp rel8                                 */
	XO_LOCK            = 0xf0, /* lock prefix                              */
	XO_REP             = 0xf3, /* rep prefix (pause = rep nop)             */
	XO_GRP3            = 0xf7, /* group 3 r/m                              */
	XO_GRP5            = 0xff, /* group 5 r/m                              */
};

enum x86_opc_0f {
	X0F_NOP_RM         = 0x1f, /* nop r/m (multi-byte nop)                 */
	X0F_JCC_REL32      = 0x80, /* jcc rel32 (+cc)                          */
	X0F_FENCE          = 0xae, /* group 15: lfence is 0f ae e8             */
	X0F_IMUL_R_RM      = 0xaf, /* imul r, r/m                              */
	X0F_CMPXCHG        = 0xb1, /* cmpxchg r/m, r                           */
	X0F_MOVZX8         = 0xb6, /* movzx r, r/m8                            */
	X0F_MOVZX16        = 0xb7, /* movzx r, r/m16                           */
	X0F_MOVSX8         = 0xbe, /* movsx r, r/m8                            */
	X0F_MOVSX16        = 0xbf, /* movsx r, r/m16                           */
	X0F_XADD           = 0xc1, /* xadd r/m, r                              */
	X0F_BSWAP          = 0xc8, /* bswap r (+reg)                           */
};

/* ModRM.reg extensions of the groups. */
enum x86_grp1 { G1_ADD = 0, G1_OR = 1, G1_AND = 4, G1_SUB = 5, G1_XOR = 6, G1_CMP = 7 };
enum x86_grp2 { G2_ROL = 0, G2_ROR = 1, G2_SHL = 4, G2_SHR = 5, G2_SAR = 7 };
enum x86_grp3 { G3_TEST = 0, G3_NOT = 2, G3_NEG = 3, G3_MUL = 4, G3_IMUL = 5, G3_DIV = 6,
		G3_IDIV = 7 };
enum x86_grp5 { G5_INC = 0, G5_DEC = 1, G5_CALL = 2, G5_JMP = 4, G5_PUSH = 6 };

/* Condition codes (jcc = 0x70 + cc, 0x0f 0x80 + cc). */
enum x86_cc {
	CC_O = 0x0, CC_B = 0x2, CC_AE = 0x3, CC_E = 0x4, CC_NE = 0x5, CC_BE = 0x6,
	CC_A = 0x7, CC_S = 0x8, CC_L = 0xc, CC_GE = 0xd, CC_LE = 0xe, CC_G = 0xf,
	CC_ALWAYS = 0x10, /* not an encoding: an unconditional jmp */
};

/* BMI2 shifts (VEX.0F38 F7 /r), told apart by the VEX pp field. */
enum x86_shiftx { SX_SHLX = 1 /* 66 */, SX_SARX = 2 /* f3 */, SX_SHRX = 3 /* f2 */ };
enum { XV_MAP_0F38 = 2, XV_OPC_SHIFTX = 0xf7 };
// clang-format on

/* Two-operand ALU operations by register: the r/m, r opcode and the group 1
 * extension of the immediate form. */
enum x86_alu {
	XA_ADD,
	XA_OR,
	XA_AND,
	XA_SUB,
	XA_XOR,
	XA_CMP,
	XA_TEST,
};

struct x86_buf {
	uint8_t *buf; /* NULL: count only */
	size_t pos, cap;
	int err; /* sticky: 0 or a negative code */
};

void bk_x86_byte(struct x86_buf *b, uint8_t v);
void bk_x86_u16(struct x86_buf *b, uint16_t v);
void bk_x86_u32(struct x86_buf *b, uint32_t v);
void bk_x86_u64(struct x86_buf *b, uint64_t v);
void bk_x86_fail(struct x86_buf *b, int err);

static inline bool bk_x86_is_s8(int64_t v)
{
	return v >= -128 && v <= 127;
}
static inline bool bk_x86_is_s32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

/* Register-to-register and memory operand forms.  w: 64-bit (REX.W). */
void bk_x86_mov_rr(struct x86_buf *b, bool w, int dst, int src);
void bk_x86_alu_rr(struct x86_buf *b, bool w, enum x86_alu op, int dst, int src);
void bk_x86_alu_ri(struct x86_buf *b, bool w, enum x86_alu op, int dst, int32_t imm);
/* op [base + disp], imm (group 1) / op [base + disp], reg. */
void bk_x86_alu_mi(struct x86_buf *b, bool w, enum x86_alu op, int base, int32_t disp, int32_t imm);
void bk_x86_alu_mr(struct x86_buf *b, bool w, bool lock, enum x86_alu op, int base, int32_t disp,
		   int src);
/* cmp reg, [base + disp] */
void bk_x86_cmp_rm(struct x86_buf *b, bool w, int reg, int base, int32_t disp);
/* The shortest move of a 64-bit constant: xor, mov r32, mov sign-extended,
 * movabs.  flags_ok: the xor form may clobber the flags. */
void bk_x86_mov_imm(struct x86_buf *b, int dst, uint64_t v, bool flags_ok);
void bk_x86_movabs(struct x86_buf *b, int dst, uint64_t v);
void bk_x86_mov_ri32(struct x86_buf *b, int dst, uint32_t v); /* zero-extends */
void bk_x86_lea(struct x86_buf *b, bool w, int dst, int base, int32_t disp);
/* lea dst, [base + index * scale] (scale 1, 2, 4, 8; index not rsp). */
void bk_x86_lea_idx(struct x86_buf *b, bool w, int dst, int base, int index, unsigned scale);
/* Loads of 1, 2, 4, 8 bytes into a 64-bit register, zero- or sign-extended. */
void bk_x86_load(struct x86_buf *b, unsigned size, bool sign, int dst, int base, int32_t disp);
void bk_x86_store_r(struct x86_buf *b, unsigned size, int base, int32_t disp, int src);
void bk_x86_store_i(struct x86_buf *b, unsigned size, int base, int32_t disp, int32_t imm);
void bk_x86_shift_ri(struct x86_buf *b, bool w, enum x86_grp2 g, int dst, uint8_t n);
void bk_x86_shift_cl(struct x86_buf *b, bool w, enum x86_grp2 g, int dst);
void bk_x86_shiftx(struct x86_buf *b, bool w, enum x86_shiftx k, int dst, int src, int cnt);
void bk_x86_grp3(struct x86_buf *b, bool w, enum x86_grp3 g, int reg);
/* inc/dec/push/call/jmp on [base + disp]; w: 64-bit operand (inc/dec). */
void bk_x86_grp5_m(struct x86_buf *b, bool w, enum x86_grp5 g, int base, int32_t disp);
void bk_x86_grp5_r(struct x86_buf *b, enum x86_grp5 g, int reg);
void bk_x86_pop_m(struct x86_buf *b, int base, int32_t disp);
void bk_x86_imul_rr(struct x86_buf *b, bool w, int dst, int src);
void bk_x86_imul_rri(struct x86_buf *b, bool w, int dst, int src, int32_t imm);
/* movzx r32, r8/r16; movsx r32/r64, r8/r16; movsxd r64, r32. */
void bk_x86_movzx_rr(struct x86_buf *b, unsigned size, int dst, int src);
void bk_x86_movsx_rr(struct x86_buf *b, bool w, unsigned size, int dst, int src);
void bk_x86_bswap(struct x86_buf *b, bool w, int reg);
void bk_x86_rol16_8(struct x86_buf *b, int reg); /* swaps the two low bytes */
void bk_x86_push(struct x86_buf *b, int reg);
void bk_x86_pop(struct x86_buf *b, int reg);
void bk_x86_cdq(struct x86_buf *b, bool w); /* cdq / cqo */
void bk_x86_ret(struct x86_buf *b);
void bk_x86_int3(struct x86_buf *b);
void bk_x86_pause_lfence(struct x86_buf *b);
/* n bytes of the recommended multi-byte NOPs (0f 1f /0 forms). */
void bk_x86_nops(struct x86_buf *b, unsigned n);
/* Atomics on [base + disp] with src: xadd, xchg, cmpxchg (lock prefixed). */
void bk_x86_xadd(struct x86_buf *b, bool w, int base, int32_t disp, int src);
void bk_x86_xchg(struct x86_buf *b, bool w, int base, int32_t disp, int src);
void bk_x86_cmpxchg(struct x86_buf *b, bool w, int base, int32_t disp, int src);
/* Jumps and calls by displacement from the end of the instruction. */
void bk_x86_jcc8(struct x86_buf *b, enum x86_cc cc, int8_t rel);
void bk_x86_jcc32(struct x86_buf *b, enum x86_cc cc, int32_t rel);
void bk_x86_call32(struct x86_buf *b, int32_t rel);

/* A forward jump over a few bytes: emits jcc/jmp rel8 and returns where its
 * displacement byte is, for bk_x86_patch8 to point at the current spot. */
size_t bk_x86_jfwd8(struct x86_buf *b, enum x86_cc cc);
void bk_x86_patch8(struct x86_buf *b, size_t at);

#endif /* BK_JIT_X86_INT_H */
