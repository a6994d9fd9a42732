// SPDX-License-Identifier: MIT
/*
 * asm_ubpf.c - statements in the ubpf / conformance form: a mnemonic from
 * insn.def's ubpf column, then operands separated by commas.
 *
 *   mov %r0, 1        add32 %r1, %r2       neg %r1       be16 %r3
 *   ldxdw %r1, [%r10-8]    stw [%r10-4], 5    stxb [%r1+2], %r2
 *   jne %r1, %r0, label    ja +3    ja32 target    may_goto +1
 *   lock fetch add [%r10-8], %r1    lock cmpxchg32 [%r1], %r2
 *   lddw %r0, 0x1122334455667788    ldabsh 12    ldindw %r1, 4
 *
 * Aliases: add64 for add (every 64-bit ALU mnemonic), swapN for bswapN,
 * stxxaddw / stxxadddw for lock add32 / lock add.  "call" and "exit" are
 * read by the shared parser (asm_llvm.c).
 */
#include <stdio.h>
#include <string.h>

#include "asm_int.h"

/* "'ldxb' takes 2 operands" when the separator is missing. */
static int comma(struct asm_state *st, const char *mn, int n)
{
	const struct asm_tok *t = asm_peek(st, 0);

	if (asm_accept(st, ","))
		return 0;
	if (t->kind == TK_END)
		return asm_err(st, BK_E_ASM_OPERANDS, t->col, "'%s' takes %d operands", mn, n);
	return asm_err(st, BK_E_ASM_SYNTAX, t->col, "expected ',' between the operands of '%s'",
		       mn);
}

static int end(struct asm_state *st, const char *mn, int n)
{
	const struct asm_tok *t = asm_peek(st, 0);

	if (t->kind == TK_END)
		return 0;
	return asm_err(st, BK_E_ASM_OPERANDS, t->col, "'%s' takes %d operand%s", mn, n,
		       n == 1 ? "" : "s");
}

/* "[%r10-8]" */
static int mem(struct asm_state *st, const char *mn, uint8_t *reg, int16_t *off)
{
	const struct asm_tok *t = asm_peek(st, 0);
	int err;

	if (!asm_tok_is(t, "["))
		return asm_err(st, BK_E_ASM_OPERANDS, t->col,
			       "'%s' needs a memory operand such as [%%r1+8]", mn);
	asm_next(st);
	err = asm_reg_off(st, reg, off);
	return err ? err : asm_expect(st, "]", "after the memory operand");
}

static bool is_reg_tok(const struct asm_tok *t)
{
	return asm_tok_is_reg(t) || (t->kind == TK_IDENT && t->s[0] == '%');
}

/* Both rows of a mnemonic: the immediate and the register form. */
static int rows(const char *mn, int *k, int *x)
{
	*k = *x = -1;
	for (unsigned op = 0; op < BK_OP__COUNT; op++) {
		const struct bk_op_info *oi = bk_op_info(op);

		if (strcmp(oi->ubpf, mn))
			continue;
		if (oi->fmt == BK_FMT_ALU_X || oi->fmt == BK_FMT_JMP_X)
			*x = (int)op;
		else if (*k < 0)
			*k = (int)op;
	}
	return *k >= 0 ? *k : *x;
}

static int lock(struct asm_state *st, uint32_t col)
{
	struct asm_pend p = {0};
	char name[40], opn[16];
	const struct asm_tok *t;
	bool fetch = false;
	int op, err;

	asm_next(st);
	t = asm_peek(st, 0);
	if (asm_tok_is(t, "fetch")) {
		fetch = true;
		asm_next(st);
		t = asm_peek(st, 0);
	}
	if (t->kind != TK_IDENT || t->len >= sizeof(opn))
		return asm_err(st, BK_E_ASM_OPERANDS, t->col,
			       "lock takes an operation (add, and, or, xor, xchg, cmpxchg), a "
			       "memory operand and a register");
	snprintf(opn, sizeof(opn), "%.*s", (int)t->len, t->s);
	/* xchg and cmpxchg always fetch; "lock fetch xchg" says so twice. */
	if (!strncmp(opn, "xchg", 4) || !strncmp(opn, "cmpxchg", 7))
		fetch = false;
	snprintf(name, sizeof(name), "lock %s%s", fetch ? "fetch " : "", opn);
	op = asm_find_op(name, strlen(name), true, -1, -1);
	if (op < 0)
		return asm_err(st, BK_E_ASM_MNEMONIC, t->col, "unknown atomic operation '%s'",
			       name + 5);
	asm_next(st);
	p.d.op = (uint16_t)op;
	err = mem(st, "lock", &p.d.dst, &p.d.off);
	if (!err)
		err = comma(st, "lock", 2);
	if (!err)
		err = asm_reg(st, &p.d.src, NULL);
	if (!err)
		err = end(st, "lock", 2);
	return err ? err : asm_emit(st, &p, col);
}

/* Normalises aliases into buf: add64 -> add, swap16 -> bswap16. */
static const char *canonical(const struct asm_tok *t, char *buf, size_t size)
{
	static const char *const alu[] = {"add", "sub", "mul", "div",  "sdiv", "or",  "and", "lsh",
					  "rsh", "neg", "mod", "smod", "xor",  "mov", "arsh"};

	snprintf(buf, size, "%.*s", (int)t->len, t->s);
	if (!strncmp(buf, "swap", 4)) {
		memmove(buf + 1, buf, strlen(buf) + 1);
		buf[0] = 'b';
	}
	if (!strcmp(buf, "stxxaddw"))
		return "lock add32";
	if (!strcmp(buf, "stxxadddw"))
		return "lock add";
	for (size_t i = 0; i < sizeof(alu) / sizeof(alu[0]); i++) {
		size_t n = strlen(alu[i]);

		if (!strncmp(buf, alu[i], n) && !strcmp(buf + n, "64"))
			buf[n] = '\0';
	}
	return buf;
}

static int two_regs_or_imm(struct asm_state *st, const char *mn, int k, int x, struct asm_pend *p,
			   int n)
{
	int64_t v;
	int err = asm_reg(st, &p->d.dst, NULL);

	if (!err)
		err = comma(st, mn, n);
	if (err)
		return err;
	if (is_reg_tok(asm_peek(st, 0))) {
		if (x < 0)
			return asm_err(st, BK_E_ASM_OPERANDS, asm_col(st),
				       "'%s' takes an immediate here, not a register", mn);
		p->d.op = (uint16_t)x;
		return asm_reg(st, &p->d.src, NULL);
	}
	if (k < 0)
		return asm_err(st, BK_E_ASM_OPERANDS, asm_col(st), "'%s' takes a register here",
			       mn);
	p->d.op = (uint16_t)k;
	err = asm_imm(st, IMM32, &v);
	p->d.imm = (int32_t)v;
	return err;
}

int asm_stmt_ubpf(struct asm_state *st)
{
	const struct asm_tok *t = asm_peek(st, 0);
	struct asm_pend p = {0};
	uint32_t col = t->col;
	char buf[40];
	const char *mn;
	int k, x, op, err = 0;
	int64_t v;

	if (t->kind != TK_IDENT || t->len >= 32)
		return 1;
	mn = canonical(t, buf, sizeof(buf));
	if (!strcmp(mn, "lock") || !strncmp(mn, "lock ", 5)) {
		if (!strcmp(mn, "lock"))
			return lock(st, col);
		/* stxxadd aliases: the memory operand follows at once. */
		p.d.op = (uint16_t)asm_find_op(mn, strlen(mn), true, -1, -1);
		asm_next(st);
		err = mem(st, buf, &p.d.dst, &p.d.off);
		if (!err)
			err = comma(st, buf, 2);
		if (!err)
			err = asm_reg(st, &p.d.src, NULL);
		if (!err)
			err = end(st, buf, 2);
		return err ? err : asm_emit(st, &p, col);
	}
	op = rows(mn, &k, &x);
	if (op < 0)
		return 1;
	asm_next(st);
	switch (bk_op_info((unsigned)op)->fmt) {
	case BK_FMT_ALU_K:
	case BK_FMT_ALU_X:
		err = two_regs_or_imm(st, mn, k, x, &p, 2);
		if (!err)
			err = end(st, mn, 2);
		break;
	case BK_FMT_NEG:
	case BK_FMT_END:
	case BK_FMT_CALLX:
		p.d.op = (uint16_t)op;
		err = asm_reg(st, &p.d.dst, NULL);
		if (!err)
			err = end(st, mn, 1);
		break;
	case BK_FMT_MOVSX:
		p.d.op = (uint16_t)op;
		err = asm_reg(st, &p.d.dst, NULL);
		if (!err)
			err = comma(st, mn, 2);
		if (!err)
			err = asm_reg(st, &p.d.src, NULL);
		if (!err)
			err = end(st, mn, 2);
		break;
	case BK_FMT_JMP_K:
	case BK_FMT_JMP_X:
		err = two_regs_or_imm(st, mn, k, x, &p, 3);
		if (!err)
			err = comma(st, mn, 3);
		if (!err)
			err = asm_jump_target(st, &p, false);
		if (!err)
			err = end(st, mn, 3);
		break;
	case BK_FMT_JA:
	case BK_FMT_JA32:
	case BK_FMT_JCOND:
		st->pos--;
		return asm_jump_stmt(st, op);
	case BK_FMT_LDX:
		p.d.op = (uint16_t)op;
		err = asm_reg(st, &p.d.dst, NULL);
		if (!err)
			err = comma(st, mn, 2);
		if (!err)
			err = mem(st, mn, &p.d.src, &p.d.off);
		if (!err)
			err = end(st, mn, 2);
		break;
	case BK_FMT_ST:
	case BK_FMT_STX:
		p.d.op = (uint16_t)op;
		err = mem(st, mn, &p.d.dst, &p.d.off);
		if (!err)
			err = comma(st, mn, 2);
		if (!err && bk_op_info((unsigned)op)->fmt == BK_FMT_STX) {
			err = asm_reg(st, &p.d.src, NULL);
		} else if (!err) {
			err = asm_imm(st, IMM32, &v);
			p.d.imm = (int32_t)v;
		}
		if (!err)
			err = end(st, mn, 2);
		break;
	case BK_FMT_LDDW: {
		uint8_t dst;

		err = asm_reg(st, &dst, NULL);
		if (!err)
			err = comma(st, mn, 2);
		return err ? err : asm_lddw_operand(st, dst, col, false);
	}
	case BK_FMT_LD_ABS:
		p.d.op = (uint16_t)op;
		err = asm_imm(st, IMM32, &v);
		p.d.imm = (int32_t)v;
		if (!err)
			err = end(st, mn, 1);
		break;
	case BK_FMT_LD_IND:
		p.d.op = (uint16_t)op;
		err = asm_reg(st, &p.d.src, NULL);
		if (!err)
			err = comma(st, mn, 2);
		if (!err) {
			err = asm_imm(st, IMM32, &v);
			p.d.imm = (int32_t)v;
		}
		if (!err)
			err = end(st, mn, 2);
		break;
	default:
		/* call, exit: the shared parser took them. */
		return 1;
	}
	return err ? err : asm_emit(st, &p, col);
}
