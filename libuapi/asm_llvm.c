// SPDX-License-Identifier: MIT
/*
 * asm_llvm.c - statements in the LLVM form (what llvm-objdump prints and
 * llvm-mc reads) and the kernel verifier-log form, which differ only in
 * details this parser accepts both ways:
 *
 *   r0 = 1            w1 += w2          r1 = *(u32 *)(r2 + 8)   (r2 +8)
 *   if r1 > 5 goto +3 goto pc+3         r1 = 0x1122334455667788 ll / no ll
 *   lock *(u64 *)(r1 + 0) += r2         r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)
 *   r0 = cmpxchg_64(r1 + 0, r0, r2)     r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)
 *   call bpf_map_lookup_elem#1          call pc+3        callx r2    exit
 *
 * Also the shared forms of calls, jump targets and ld_imm64 operands used by
 * the ubpf parser.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "asm_int.h"

int asm_emit(struct asm_state *st, const struct asm_pend *p, uint32_t col)
{
	struct asm_insn *in;
	int err = asm_add_insn(st, &p->d, col, &in);

	if (err)
		return err;
	in->fix = p->fix;
	in->want_map = p->want_map;
	in->tcol = p->tcol;
	in->target = p->target;
	in->addend = p->addend;
	return 0;
}

/* The op of fmt with the given LLVM operator, class and access size (0: any). */
static int find_op(const char *name, size_t len, int fmt, int cls, unsigned size)
{
	for (unsigned op = 0; op < BK_OP__COUNT; op++) {
		const struct bk_op_info *oi = bk_op_info(op);

		if (oi->fmt != fmt || (cls >= 0 && (int)bk_opc_class(oi->opcode) != cls))
			continue;
		if (size && bk_opc_size(oi->opcode) != size)
			continue;
		if (strlen(oi->llvm) == len && !memcmp(oi->llvm, name, len))
			return (int)op;
	}
	return -1;
}

static int op_named(const char *ubpf)
{
	return asm_find_op(ubpf, strlen(ubpf), true, -1, -1);
}

static char *tok_name(struct asm_state *st, const struct asm_tok *t)
{
	return asm_strndup(&st->u.arena, t->s, t->len);
}

/* ---- operands ------------------------------------------------------------- */

/* "(u32 *)": size in bytes, signedness. */
static int mem_type(struct asm_state *st, unsigned *size, bool *sign)
{
	static const struct {
		const char *n;
		unsigned size;
		bool sign;
	} types[] = {{"u8", 1, false}, {"u16", 2, false}, {"u32", 4, false}, {"u64", 8, false},
		     {"s8", 1, true},  {"s16", 2, true},  {"s32", 4, true}};
	const struct asm_tok *t;
	int err = asm_expect(st, "(", "before the access type");

	if (err)
		return err;
	t = asm_next(st);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (asm_tok_is(t, types[i].n)) {
			*size = types[i].size;
			*sign = types[i].sign;
			err = asm_expect(st, "*", "in the access type");
			return err ? err : asm_expect(st, ")", "after the access type");
		}
	}
	return asm_err(st, BK_E_ASM_OPERANDS, t->col,
		       "expected an access type (u8, u16, u32, u64, s8, s16, s32)");
}

/* "r2 + 8", "r2 - 0x8", "r10 -4": register and 16-bit offset. */
int asm_reg_off(struct asm_state *st, uint8_t *reg, int16_t *off)
{
	int64_t v = 0;
	int err = asm_reg(st, reg, NULL);

	if (err)
		return err;
	if (asm_tok_is(asm_peek(st, 0), "+") || asm_tok_is(asm_peek(st, 0), "-")) {
		bool neg = asm_tok_is(asm_next(st), "-");

		if (!neg && asm_tok_is(asm_peek(st, 0), "-")) {
			asm_next(st);
			neg = true;
		}
		if (neg) {
			const struct asm_tok *t = asm_peek(st, 0);

			if (t->kind != TK_NUM)
				return asm_err(st, BK_E_ASM_OPERANDS, t->col,
					       "expected an offset after '-'");
			if (t->overflow || t->num > 32768)
				return asm_err(st, BK_E_ASM_RANGE, t->col,
					       "offset -%.*s is out of range for a 16-bit offset",
					       (int)t->len, t->s);
			v = -(int64_t)t->num;
			asm_next(st);
		} else {
			err = asm_imm(st, OFF16, &v);
		}
		if (err)
			return err;
	}
	*off = (int16_t)v;
	return 0;
}

/* "(r2 + 8)" */
static int mem_ref(struct asm_state *st, uint8_t *reg, int16_t *off)
{
	int err = asm_expect(st, "(", "before the address");

	if (!err)
		err = asm_reg_off(st, reg, off);
	return err ? err : asm_expect(st, ")", "after the address");
}

/* Skips llvm-objdump's "<prog+0x48>" after a jump target. */
static void skip_annotation(struct asm_state *st)
{
	if (!asm_tok_is(asm_peek(st, 0), "<"))
		return;
	while (asm_peek(st, 0)->kind != TK_END && !asm_tok_is(asm_peek(st, 0), ">"))
		asm_next(st);
	asm_accept(st, ">");
}

/* Fills p's offset or target: "+3", "-3", "pc+3", "+0x3 <x>", or a label. */
int asm_jump_target(struct asm_state *st, struct asm_pend *p, bool imm_field)
{
	const struct asm_tok *t = asm_peek(st, 0);
	int64_t v;
	int err;

	p->tcol = t->col;
	if (asm_tok_is(t, "pc") &&
	    (asm_tok_is(asm_peek(st, 1), "+") || asm_tok_is(asm_peek(st, 1), "-")))
		t = asm_next(st), t = asm_peek(st, 0);
	if (asm_tok_is(t, "+") || asm_tok_is(t, "-")) {
		err = asm_imm(st, imm_field ? IMM32 : OFF16, &v);
		if (err)
			return err;
		if (imm_field)
			p->d.imm = (int32_t)v;
		else
			p->d.off = (int16_t)v;
		skip_annotation(st);
		return 0;
	}
	if (t->kind == TK_NUM)
		return asm_err(st, BK_E_ASM_OPERANDS, t->col,
			       "a jump offset needs a sign (+%.*s) or a label", (int)t->len, t->s);
	if (t->kind != TK_IDENT || t->s[0] == '%' || asm_tok_is_reg(t))
		return asm_err(st, BK_E_ASM_OPERANDS, t->col,
			       "expected a jump target (+N, -N or a label)");
	p->target = tok_name(st, asm_next(st));
	p->fix = imm_field ? FIX_JMP_IMM : FIX_JMP;
	skip_annotation(st);
	return p->target ? 0 : -ENOMEM;
}

/* Signed 32-bit immediate or a register: which one it was in *is_reg. */
static int reg_or_imm(struct asm_state *st, uint8_t *reg, bool *is32, int32_t *imm, bool *is_reg)
{
	int64_t v;
	int err;

	if (asm_tok_is_reg(asm_peek(st, 0)) ||
	    (asm_peek(st, 0)->kind == TK_IDENT && asm_peek(st, 0)->s[0] == '%')) {
		*is_reg = true;
		return asm_reg(st, reg, is32);
	}
	*is_reg = false;
	err = asm_imm(st, IMM32, &v);
	*imm = (int32_t)v;
	return err;
}

/* ---- calls ------------------------------------------------------------------- */

int asm_call_operand(struct asm_state *st, uint32_t col)
{
	const struct asm_tok *t = asm_peek(st, 0);
	struct asm_pend p = {0};
	int64_t v;
	int err;

	if (asm_tok_is_reg(t) || (t->kind == TK_IDENT && t->s[0] == '%')) {
		p.d.op = BK_OP_CALLX;
		err = asm_reg(st, &p.d.dst, NULL);
	} else if (asm_tok_is(t, "local") || asm_tok_is(t, "pc")) {
		if (asm_tok_is(t, "local"))
			asm_next(st);
		p.d.op = BK_OP_CALL_LOCAL;
		err = asm_jump_target(st, &p, true);
		if (p.fix)
			p.fix = FIX_CALL;
	} else if (asm_tok_is(t, "kfunc") || asm_tok_is(t, "runtime")) {
		asm_next(st);
		p.d.op = BK_OP_CALL_KFUNC;
		err = asm_imm(st, IMM32, &v);
		p.d.imm = (int32_t)v;
		if (!err && asm_accept(st, ",")) {
			err = asm_imm(st, OFF16, &v);
			p.d.off = (int16_t)v;
		}
	} else if (asm_tok_is(t, "helper")) {
		asm_next(st);
		p.d.op = BK_OP_CALL;
		err = asm_imm(st, IMM32, &v);
		p.d.imm = (int32_t)v;
	} else if (asm_at_num(st)) {
		p.d.op = BK_OP_CALL;
		err = asm_imm(st, IMM32, &v);
		p.d.imm = (int32_t)v;
		skip_annotation(st);
	} else if (t->kind == TK_IDENT && asm_tok_is(asm_peek(st, 1), "#")) {
		/* Kernel log: "call bpf_map_lookup_elem#1", "call bpf_iter_num_new#12345". */
		char *name = tok_name(st, t);

		asm_next(st);
		asm_next(st);
		err = asm_imm(st, IMM32, &v);
		p.d.op = name && (!strcmp(name, "kernel-function") || asm_kfunc_known(name))
				 ? BK_OP_CALL_KFUNC
				 : BK_OP_CALL;
		p.d.imm = (int32_t)v;
	} else if (t->kind == TK_IDENT) {
		p.d.op = BK_OP_CALL_LOCAL;
		p.fix = FIX_CALL;
		p.tcol = t->col;
		p.target = tok_name(st, asm_next(st));
		err = p.target ? 0 : -ENOMEM;
		skip_annotation(st);
	} else {
		return asm_err(st, BK_E_ASM_OPERANDS, t->col,
			       "expected a helper, function, label or register to call");
	}
	if (!err)
		err = asm_expect_end(st);
	return err ? err : asm_emit(st, &p, col);
}

/* ---- ld_imm64 ------------------------------------------------------------------ */

/* "[fd:5]", "[idx:0]", "[blocklist]", then "[0]+8" for a value address. */
static int map_operand(struct asm_state *st, struct asm_pend *p)
{
	const struct asm_tok *t;
	int64_t v = 0, off = 0;
	int kind = -1; /* 0 fd/id, 1 idx, -1 name */
	bool value = false;
	int err = asm_expect(st, "[", "after map");

	if (err)
		return err;
	t = asm_peek(st, 0);
	if ((asm_tok_is(t, "fd") || asm_tok_is(t, "id") || asm_tok_is(t, "idx")) &&
	    asm_tok_is(asm_peek(st, 1), ":")) {
		kind = asm_tok_is(t, "idx") ? 1 : 0;
		asm_next(st);
		asm_next(st);
		err = asm_imm(st, IMM32, &v);
	} else if (t->kind == TK_IDENT && t->s[0] != '%') {
		p->target = tok_name(st, asm_next(st));
		p->tcol = t->col;
		err = p->target ? 0 : -ENOMEM;
	} else {
		return asm_err(st, BK_E_ASM_OPERANDS, t->col,
			       "expected a map name, fd:N, id:N or idx:N");
	}
	if (!err)
		err = asm_expect(st, "]", "after the map");
	if (!err && asm_accept(st, "[")) {
		const struct asm_tok *z = asm_peek(st, 0);

		if (z->kind != TK_NUM || z->num != 0)
			return asm_err(st, BK_E_ASM_OPERANDS, z->col,
				       "only element [0] of a map value can be addressed");
		asm_next(st);
		err = asm_expect(st, "]", NULL);
		value = true;
		if (!err && asm_at_num(st))
			err = asm_imm(st, IMM32, &off);
	}
	if (err)
		return err;
	if (kind < 0) {
		p->d.op = BK_OP_LDDW;
		p->fix = FIX_LDDW;
		p->want_map = !value;
		p->addend = off;
		return 0;
	}
	p->d.op = value ? (kind ? BK_OP_LDDW_MAP_IDX_VALUE : BK_OP_LDDW_MAP_VALUE)
			: (kind ? BK_OP_LDDW_MAP_IDX : BK_OP_LDDW_MAP_FD);
	p->d.imm = (int32_t)v;
	p->d.imm2 = (int32_t)off;
	return 0;
}

int asm_lddw_operand(struct asm_state *st, uint8_t dst, uint32_t col, bool need_ll)
{
	const struct asm_tok *t = asm_peek(st, 0);
	struct asm_pend p = {.d = {.op = BK_OP_LDDW, .dst = dst}};
	int64_t v;
	int err = 0;

	(void)need_ll;
	if (asm_at_num(st)) {
		err = asm_imm(st, IMM64, &v);
		p.d.imm = (int32_t)(uint32_t)(uint64_t)v;
		p.d.imm2 = (int32_t)(uint32_t)((uint64_t)v >> 32);
	} else if (asm_tok_is(t, "map") && asm_tok_is(asm_peek(st, 1), "[")) {
		asm_next(st);
		err = map_operand(st, &p);
	} else if (asm_tok_is(t, "func") && asm_tok_is(asm_peek(st, 1), "[")) {
		asm_next(st);
		asm_next(st);
		p.d.op = BK_OP_LDDW_FUNC;
		err = asm_jump_target(st, &p, true);
		if (!err && p.fix)
			p.fix = FIX_FUNC;
		if (!err)
			err = asm_expect(st, "]", NULL);
	} else if (asm_tok_is(t, "btf_id") && asm_tok_is(asm_peek(st, 1), "[")) {
		asm_next(st);
		asm_next(st);
		p.d.op = BK_OP_LDDW_BTF_ID;
		err = asm_imm(st, IMM32, &v);
		p.d.imm = (int32_t)v;
		if (!err && asm_accept(st, ",")) {
			err = asm_imm(st, IMM32, &v);
			p.d.imm2 = (int32_t)v;
		}
		if (!err)
			err = asm_expect(st, "]", NULL);
	} else if (t->kind == TK_IDENT && t->s[0] != '%' && !asm_tok_is_reg(t)) {
		p.fix = FIX_LDDW;
		p.tcol = t->col;
		p.target = tok_name(st, asm_next(st));
		if (!p.target)
			return -ENOMEM;
		if (asm_tok_is(asm_peek(st, 0), "+") || asm_tok_is(asm_peek(st, 0), "-")) {
			err = asm_imm(st, IMM32, &v);
			p.addend = v;
		}
	} else {
		return asm_err(st, BK_E_ASM_OPERANDS, t->col,
			       "expected a 64-bit value, a symbol or map[...]");
	}
	if (!err)
		asm_accept(st, "ll");
	if (!err)
		err = asm_expect_end(st);
	return err ? err : asm_emit(st, &p, col);
}

/* ---- "rD = ..." ------------------------------------------------------------------ */

static int assign_atomic(struct asm_state *st, const struct asm_tok *fn, uint8_t dst, uint32_t col)
{
	static const char *const fetch_ops[] = {"add", "and", "or", "xor"};
	char name[40];
	struct asm_pend p = {0};
	unsigned size = 8;
	bool sign, kernel = false, llvm_form = false;
	uint8_t r0 = 0, src;
	int err = 0, kind = -1; /* 0..3 fetch op, 4 xchg, 5 cmpxchg */

	snprintf(name, sizeof(name), "%.*s", fn->len > 39 ? 39 : (int)fn->len, fn->s);
	for (int i = 0; i < 4; i++) {
		char a[32], b[32];

		snprintf(a, sizeof(a), "atomic_fetch_%s", fetch_ops[i]);
		snprintf(b, sizeof(b), "atomic64_fetch_%s", fetch_ops[i]);
		if (!strcmp(name, a) || !strcmp(name, b))
			kind = i, kernel = name[6] == '6';
	}
	if (!strcmp(name, "atomic_xchg") || !strcmp(name, "atomic64_xchg"))
		kind = 4, kernel = true;
	if (!strcmp(name, "atomic_cmpxchg") || !strcmp(name, "atomic64_cmpxchg"))
		kind = 5, kernel = true;
	if (!strcmp(name, "xchg_64") || !strcmp(name, "xchg32_32"))
		kind = 4, llvm_form = true, size = !strcmp(name, "xchg_64") ? 8 : 4;
	if (!strcmp(name, "cmpxchg_64") || !strcmp(name, "cmpxchg32_32"))
		kind = 5, llvm_form = true, size = !strcmp(name, "cmpxchg_64") ? 8 : 4;
	if (kind < 0)
		return 1;
	asm_next(st);
	err = asm_expect(st, "(", NULL);
	if (!err && llvm_form) {
		err = asm_reg_off(st, &p.d.dst, &p.d.off);
	} else if (!err) {
		err = mem_type(st, &size, &sign);
		if (!err && (sign || size < 4))
			err = asm_err(st, BK_E_ASM_OPERANDS, fn->col,
				      "atomics work on u32 or u64 only");
		if (!err && kernel && (name[6] == '6') != (size == 8))
			err = asm_err(st, BK_E_ASM_OPERANDS, fn->col,
				      "%s does not match the access size u%u", name, size * 8);
		if (!err)
			err = mem_ref(st, &p.d.dst, &p.d.off);
	}
	if (!err)
		err = asm_expect(st, ",", NULL);
	if (!err && kind == 5) {
		uint32_t c = asm_col(st);

		err = asm_reg(st, &r0, NULL);
		if (!err && (r0 != 0 || dst != 0))
			err = asm_err(st, BK_E_ASM_OPERANDS, r0 ? c : col,
				      "cmpxchg compares with r0 and writes r0");
		if (!err)
			err = asm_expect(st, ",", NULL);
	}
	if (!err)
		err = asm_reg(st, &src, NULL);
	if (!err)
		err = asm_expect(st, ")", NULL);
	if (!err)
		err = asm_expect_end(st);
	if (err)
		return err;
	if (kind != 5 && src != dst)
		return asm_err(st, BK_E_ASM_OPERANDS, col,
			       "the result register must be the source register (r%u)", src);
	p.d.src = src;
	if (kind < 4) {
		char f[24];

		snprintf(f, sizeof(f), "%s", fetch_ops[kind]);
		p.d.op = (uint16_t)find_op(f, strlen(f), BK_FMT_ATOMIC_FETCH, BK_CLASS_STX, size);
	} else {
		p.d.op = (uint16_t)(kind == 4 ? (size == 8 ? BK_OP_ATOMIC64_XCHG
							   : BK_OP_ATOMIC32_XCHG)
					      : (size == 8 ? BK_OP_ATOMIC64_CMPXCHG
							   : BK_OP_ATOMIC32_CMPXCHG));
	}
	return asm_emit(st, &p, col);
}

static int assign_load(struct asm_state *st, uint8_t dst, bool d32, uint32_t col)
{
	static const char *const sz[] = {[1] = "b", [2] = "h", [4] = "w", [8] = "dw"};
	struct asm_pend p = {.d = {.dst = dst}};
	unsigned size;
	bool sign;
	char name[16];
	int err;

	asm_next(st); /* '*' */
	err = mem_type(st, &size, &sign);
	if (err)
		return err;
	if (asm_accept(st, "skb")) {
		/* Legacy packet loads: r0 = *(u16 *)skb[12], skb[r1 + 4]. */
		int64_t v = 0;

		if (dst != 0 || sign || size == 8)
			return asm_err(st, BK_E_ASM_OPERANDS, col,
				       "packet loads are r0 = *(u8|u16|u32 *)skb[...]");
		err = asm_expect(st, "[", NULL);
		if (!err && (asm_tok_is_reg(asm_peek(st, 0)) ||
			     (asm_peek(st, 0)->kind == TK_IDENT && asm_peek(st, 0)->s[0] == '%'))) {
			snprintf(name, sizeof(name), "ldind%s", sz[size]);
			err = asm_reg(st, &p.d.src, NULL);
			if (!err &&
			    (asm_tok_is(asm_peek(st, 0), "+") || asm_tok_is(asm_peek(st, 0), "-")))
				err = asm_imm(st, IMM32, &v);
		} else if (!err) {
			snprintf(name, sizeof(name), "ldabs%s", sz[size]);
			err = asm_imm(st, IMM32, &v);
		}
		if (!err)
			err = asm_expect(st, "]", NULL);
		p.d.imm = (int32_t)v;
		p.d.dst = 0;
	} else {
		if ((size == 8 || sign) && d32)
			return asm_err(st, BK_E_ASM_REG, col,
				       "a %s-bit load needs a 64-bit destination (r%u)",
				       sign ? "sign-extending" : "64", dst);
		snprintf(name, sizeof(name), "ldx%s%s", sign ? "s" : "", sz[size]);
		err = mem_ref(st, &p.d.src, &p.d.off);
	}
	if (!err)
		err = asm_expect_end(st);
	if (err)
		return err;
	p.d.op = (uint16_t)op_named(name);
	return asm_emit(st, &p, col);
}

static int assign_rhs(struct asm_state *st, uint8_t dst, bool d32, uint32_t col)
{
	const struct asm_tok *t = asm_peek(st, 0);
	struct asm_pend p = {.d = {.dst = dst}};
	bool s32, is_reg;
	int64_t v;
	int err;

	if (asm_tok_is(t, "-") && (asm_tok_is_reg(asm_peek(st, 1)))) {
		asm_next(st);
		err = asm_reg(st, &p.d.src, &s32);
		if (!err && (p.d.src != dst || s32 != d32))
			err = asm_err(st, BK_E_ASM_OPERANDS, t->col,
				      "negation works in place: %c%u = -%c%u", d32 ? 'w' : 'r', dst,
				      d32 ? 'w' : 'r', dst);
		p.d.src = 0;
		p.d.op = d32 ? BK_OP_NEG32 : BK_OP_NEG64;
	} else if (asm_at_num(st)) {
		if (!d32 && (st->kernel_opc == BK_OPC_LDDW || asm_tok_is(asm_peek(st, 2), "ll") ||
			     asm_tok_is(asm_peek(st, 1), "ll")))
			return asm_lddw_operand(st, dst, col, true);
		/* Kernel logs write ld_imm64 without "ll": a value beyond 32 bits. */
		{
			int save = st->pos;
			struct bk_diag keep;

			if (st->diag)
				keep = *st->diag;
			err = asm_imm(st, IMM32, &v);
			if (err == -BK_E_ASM_RANGE && !d32) {
				if (st->diag)
					*st->diag = keep;
				st->pos = save;
				return asm_lddw_operand(st, dst, col, false);
			}
		}
		p.d.imm = (int32_t)v;
		p.d.op = d32 ? BK_OP_MOV32_K : BK_OP_MOV64_K;
	} else if (asm_tok_is_reg(t) || (t->kind == TK_IDENT && t->s[0] == '%')) {
		err = reg_or_imm(st, &p.d.src, &s32, &p.d.imm, &is_reg);
		if (!err && s32 != d32)
			err = asm_err(st, BK_E_ASM_REG, t->col,
				      "register widths differ: use both rN or both wN");
		p.d.op = d32 ? BK_OP_MOV32_X : BK_OP_MOV64_X;
	} else if (asm_tok_is(t, "(")) {
		/* movsx: r1 = (s16)r2 */
		const struct asm_tok *ty = asm_peek(st, 1);
		int bits = asm_tok_is(ty, "s8")	   ? 8
			   : asm_tok_is(ty, "s16") ? 16
			   : asm_tok_is(ty, "s32") ? 32
						   : 0;

		if (!bits || !asm_tok_is(asm_peek(st, 2), ")"))
			return asm_err(st, BK_E_ASM_OPERANDS, ty->col,
				       "expected (s8), (s16) or (s32) before a register");
		asm_next(st);
		asm_next(st);
		asm_next(st);
		err = asm_reg(st, &p.d.src, &s32);
		if (!err && s32 != d32)
			err = asm_err(st, BK_E_ASM_REG, t->col,
				      "register widths differ: use both rN or both wN");
		if (!err && d32 && bits == 32)
			err = asm_err(st, BK_E_ASM_OPERANDS, ty->col,
				      "(s32) needs 64-bit registers");
		p.d.op = d32 ? (bits == 8 ? BK_OP_MOVSX32_8 : BK_OP_MOVSX32_16)
			     : (bits == 8    ? BK_OP_MOVSX64_8
				: bits == 16 ? BK_OP_MOVSX64_16
					     : BK_OP_MOVSX64_32);
	} else if (asm_tok_is(t, "*")) {
		return assign_load(st, dst, d32, col);
	} else if (t->kind == TK_IDENT) {
		static const char *const ends[] = {"be16", "be32",    "be64",	 "le16",   "le32",
						   "le64", "bswap16", "bswap32", "bswap64"};

		for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
			if (!asm_tok_is(t, ends[i]))
				continue;
			asm_next(st);
			err = asm_reg(st, &p.d.src, NULL);
			if (!err && p.d.src != dst)
				err = asm_err(st, BK_E_ASM_OPERANDS, t->col,
					      "byte swaps work in place: r%u = %s r%u", dst,
					      ends[i], dst);
			p.d.src = 0;
			p.d.op = (uint16_t)op_named(ends[i]);
			goto done;
		}
		err = assign_atomic(st, t, dst, col);
		if (err != 1)
			return err;
		if (d32)
			return asm_err(st, BK_E_ASM_REG, col,
				       "a 64-bit load needs a 64-bit destination (r%u)", dst);
		return asm_lddw_operand(st, dst, col, false);
	} else {
		return asm_err(st, BK_E_ASM_OPERANDS, t->col, "expected a value after '='");
	}
done:
	if (!err)
		err = asm_expect_end(st);
	return err ? err : asm_emit(st, &p, col);
}

static int assign(struct asm_state *st)
{
	const struct asm_tok *op;
	struct asm_pend p = {0};
	uint32_t col = asm_col(st);
	bool d32, s32, is_reg;
	int err = asm_reg(st, &p.d.dst, &d32);
	int o;

	if (err)
		return err;
	op = asm_next(st);
	if (asm_tok_is(op, "="))
		return assign_rhs(st, p.d.dst, d32, col);
	if (op->kind != TK_PUNCT || op->len < 2 || op->s[op->len - 1] != '=' ||
	    asm_tok_is(op, "==") || asm_tok_is(op, "!=") || asm_tok_is(op, ">=") ||
	    asm_tok_is(op, "<=") || asm_tok_is(op, "s>=") || asm_tok_is(op, "s<="))
		return asm_err(st, BK_E_ASM_SYNTAX, op->col,
			       "expected '=' or an operator such as '+=' after the register");
	err = reg_or_imm(st, &p.d.src, &s32, &p.d.imm, &is_reg);
	if (err)
		return err;
	if (is_reg && s32 != d32)
		return asm_err(st, BK_E_ASM_REG, col,
			       "register widths differ: use both rN or both wN");
	o = find_op(op->s, op->len, is_reg ? BK_FMT_ALU_X : BK_FMT_ALU_K,
		    d32 ? BK_CLASS_ALU : BK_CLASS_ALU64, 0);
	if (o < 0)
		return asm_err(st, BK_E_ASM_MNEMONIC, op->col, "unknown operator '%.*s'",
			       (int)op->len, op->s);
	p.d.op = (uint16_t)o;
	err = asm_expect_end(st);
	return err ? err : asm_emit(st, &p, col);
}

/* ---- stores, atomics, jumps --------------------------------------------------------- */

static int store(struct asm_state *st, bool lock)
{
	static const char *const sz[] = {[1] = "b", [2] = "h", [4] = "w", [8] = "dw"};
	struct asm_pend p = {0};
	uint32_t col = asm_col(st);
	unsigned size;
	bool sign, s32, is_reg;
	char name[16];
	const struct asm_tok *op;
	int err;

	if (lock)
		asm_next(st);
	asm_next(st); /* '*' */
	err = mem_type(st, &size, &sign);
	if (!err && sign)
		err = asm_err(st, BK_E_ASM_OPERANDS, col, "stores take an unsigned type");
	if (!err)
		err = mem_ref(st, &p.d.dst, &p.d.off);
	if (err)
		return err;
	op = asm_next(st);
	if (lock) {
		int o;

		if (size < 4)
			return asm_err(st, BK_E_ASM_OPERANDS, col,
				       "atomics work on u32 or u64 only");
		o = find_op(op->s, op->len, BK_FMT_ATOMIC, BK_CLASS_STX, size);
		if (o < 0 || op->kind != TK_PUNCT)
			return asm_err(st, BK_E_ASM_OPERANDS, op->col,
				       "expected +=, |=, &= or ^= in an atomic update");
		err = asm_reg(st, &p.d.src, NULL);
		p.d.op = (uint16_t)o;
	} else {
		if (!asm_tok_is(op, "="))
			return asm_err(st, BK_E_ASM_SYNTAX, op->col,
				       "expected '=' after the address");
		err = reg_or_imm(st, &p.d.src, &s32, &p.d.imm, &is_reg);
		snprintf(name, sizeof(name), "%s%s", is_reg ? "stx" : "st", sz[size]);
		if (!err && is_reg && size == 8 && s32)
			err = asm_err(st, BK_E_ASM_REG, col, "a 64-bit store takes an rN register");
		p.d.op = (uint16_t)op_named(name);
	}
	if (!err)
		err = asm_expect_end(st);
	return err ? err : asm_emit(st, &p, col);
}

static int cond_jump(struct asm_state *st)
{
	struct asm_pend p = {0};
	uint32_t col = asm_col(st);
	const struct asm_tok *op;
	bool d32, s32, is_reg;
	int o, err;

	asm_next(st); /* if */
	err = asm_reg(st, &p.d.dst, &d32);
	if (err)
		return err;
	op = asm_next(st);
	err = reg_or_imm(st, &p.d.src, &s32, &p.d.imm, &is_reg);
	if (err)
		return err;
	if (is_reg && s32 != d32)
		return asm_err(st, BK_E_ASM_REG, col,
			       "register widths differ: use both rN or both wN");
	o = op->kind == TK_PUNCT ? find_op(op->s, op->len, is_reg ? BK_FMT_JMP_X : BK_FMT_JMP_K,
					   d32 ? BK_CLASS_JMP32 : BK_CLASS_JMP, 0)
				 : -1;
	if (o < 0)
		return asm_err(st, BK_E_ASM_OPERANDS, op->col,
			       "expected a comparison (==, !=, >, >=, <, <=, s>, s>=, s<, s<=, &)");
	p.d.op = (uint16_t)o;
	err = asm_expect(st, "goto", "after the condition");
	if (!err)
		err = asm_jump_target(st, &p, false);
	if (!err)
		err = asm_expect_end(st);
	return err ? err : asm_emit(st, &p, col);
}

static int jump(struct asm_state *st, int op)
{
	struct asm_pend p = {.d = {.op = (uint16_t)op}};
	uint32_t col = asm_col(st);
	int err;

	asm_next(st);
	err = asm_jump_target(st, &p, op == BK_OP_JA32);
	if (!err)
		err = asm_expect_end(st);
	return err ? err : asm_emit(st, &p, col);
}

/* "goto", "gotol", "may_goto" (also ubpf "ja", "ja32"). */
int asm_jump_stmt(struct asm_state *st, int op)
{
	return jump(st, op);
}

int asm_stmt_llvm(struct asm_state *st)
{
	const struct asm_tok *t = asm_peek(st, 0);
	uint32_t col = t->col;

	if (asm_tok_is_reg(t) ||
	    (t->kind == TK_IDENT && t->s[0] == '%' && asm_peek(st, 1)->kind == TK_PUNCT &&
	     asm_peek(st, 1)->s[asm_peek(st, 1)->len - 1] == '='))
		return assign(st);
	if (asm_tok_is(t, "*"))
		return store(st, false);
	if (asm_tok_is(t, "lock") && asm_tok_is(asm_peek(st, 1), "*"))
		return store(st, true);
	if (asm_tok_is(t, "if"))
		return cond_jump(st);
	if (asm_tok_is(t, "goto"))
		return jump(st, BK_OP_JA);
	if (asm_tok_is(t, "gotol"))
		return jump(st, BK_OP_JA32);
	if (asm_tok_is(t, "may_goto"))
		return jump(st, BK_OP_MAY_GOTO);
	if (asm_tok_is(t, "call")) {
		asm_next(st);
		return asm_call_operand(st, col);
	}
	if (asm_tok_is(t, "callx")) {
		struct asm_pend p = {.d = {.op = BK_OP_CALLX}};
		int err;

		asm_next(st);
		err = asm_reg(st, &p.d.dst, NULL);
		if (!err)
			err = asm_expect_end(st);
		return err ? err : asm_emit(st, &p, col);
	}
	if (asm_tok_is(t, "exit")) {
		struct asm_pend p = {.d = {.op = BK_OP_EXIT}};
		int err;

		asm_next(st);
		err = asm_expect_end(st);
		return err ? err : asm_emit(st, &p, col);
	}
	return 1;
}
