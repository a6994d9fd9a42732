// SPDX-License-Identifier: MIT
/*
 * disasm.c - one decoded instruction to text, in the LLVM, kernel-log or
 * ubpf syntax.  Every form printed here is read back by the assembler into
 * the same instruction (a unit test checks every row of insn.def in every
 * syntax), so the choices below lean to what assembles unambiguously:
 *
 *   - immediates print in decimal below 0x1000 in magnitude, else in hex
 *     (the kernel syntax prints ALU immediates in decimal and compare
 *     immediates in hex, as the verifier log does);
 *   - the kernel syntax starts each line with the "(xx)" opcode, which also
 *     tells an ld_imm64 from a mov when the value is small;
 *   - pc-relative calls without a symbol print as "call pc+N" (LLVM's own
 *     "call N" would read back as a helper call).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "asm_int.h"

#define OPT(o, f, def) ((o) && (o)->sz > offsetof(__typeof__(*(o)), f) ? (o)->f : (def))

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->len < o->size ? o->size - o->len : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* Decimal when small, hex otherwise; signed. */
static void put_imm(struct out *o, int64_t v)
{
	if (v > -0x1000 && v < 0x1000)
		put(o, "%" PRId64, v);
	else if (v < 0)
		put(o, "-0x%" PRIx64, (uint64_t)0 - (uint64_t)v);
	else
		put(o, "0x%" PRIx64, (uint64_t)v);
}

static char regc(bool is32)
{
	return is32 ? 'w' : 'r';
}

static const char *size_name(uint8_t opc, bool sign)
{
	switch (bk_opc_size(opc)) {
	case 1:
		return sign ? "s8" : "u8";
	case 2:
		return sign ? "s16" : "u16";
	case 4:
		return sign ? "s32" : "u32";
	default:
		return "u64";
	}
}

struct ctx {
	struct out *o;
	const struct bk_dinsn *d;
	const struct bk_op_info *oi;
	size_t pc;
	int syntax;
	bool numeric_helpers;
	const struct bk_disasm_sym *sym;
};

/* A jump target: label, or offset in the syntax's form. */
static void put_target(struct ctx *c, int64_t off)
{
	if (c->sym && c->sym->target) {
		put(c->o, "%s", c->sym->target);
		return;
	}
	if (c->syntax == BK_SYNTAX_KERNEL)
		put(c->o, "pc%+" PRId64, off);
	else
		put(c->o, "%+" PRId64, off);
}

/* "(r2 + 8)" (LLVM), "(r2 +8)" (kernel), "[%r2+8]" (ubpf). */
static void put_mem(struct ctx *c, unsigned reg, int off)
{
	if (c->syntax == BK_SYNTAX_UBPF) {
		if (off)
			put(c->o, "[%%r%u%+d]", reg, off);
		else
			put(c->o, "[%%r%u]", reg);
	} else if (c->syntax == BK_SYNTAX_KERNEL) {
		put(c->o, "(r%u %+d)", reg, off);
	} else {
		put(c->o, "(r%u %c %d)", reg, off < 0 ? '-' : '+', off < 0 ? -off : off);
	}
}

static void put_helper(struct ctx *c)
{
	const char *n = asm_helper_name((uint32_t)c->d->imm);

	if (c->d->imm < 0 || (c->sym && c->sym->no_helper_name))
		n = NULL;
	if (c->syntax == BK_SYNTAX_KERNEL) {
		put(c->o, "call %s#%d", n ? n : "unknown", c->d->imm);
	} else if (n && !c->numeric_helpers) {
		put(c->o, "call %s", n);
	} else {
		put(c->o, "call ");
		put_imm(c->o, c->d->imm);
	}
}

/* ld_imm64 operand: symbol, pseudo source or value. */
static void put_lddw(struct ctx *c)
{
	const struct bk_dinsn *d = c->d;
	const struct bk_disasm_sym *s = c->sym;

	if (d->op == BK_OP_LDDW && s && s->sym) {
		if (s->map && c->syntax == BK_SYNTAX_KERNEL)
			put(c->o, "map[%s]", s->sym);
		else
			put(c->o, "%s", s->sym);
		if (s->addend)
			put(c->o, " %c %" PRId64, s->addend < 0 ? '-' : '+',
			    s->addend < 0 ? -s->addend : s->addend);
		return;
	}
	switch (d->op) {
	case BK_OP_LDDW_MAP_FD:
	case BK_OP_LDDW_MAP_IDX:
		put(c->o, "map[%s:%d]", d->op == BK_OP_LDDW_MAP_FD ? "fd" : "idx", d->imm);
		return;
	case BK_OP_LDDW_MAP_VALUE:
	case BK_OP_LDDW_MAP_IDX_VALUE:
		put(c->o, "map[%s:%d][0]%+d", d->op == BK_OP_LDDW_MAP_VALUE ? "fd" : "idx", d->imm,
		    d->imm2);
		return;
	case BK_OP_LDDW_BTF_ID:
		if (d->imm2)
			put(c->o, "btf_id[%d, %d]", d->imm, d->imm2);
		else
			put(c->o, "btf_id[%d]", d->imm);
		return;
	case BK_OP_LDDW_FUNC:
		put(c->o, "func[");
		put_target(c, d->imm);
		put(c->o, "]");
		return;
	default: {
		uint64_t v = bk_dinsn_imm64(d);

		/* LLVM prints the value signed, the others as unsigned hex. */
		if (c->syntax == BK_SYNTAX_KERNEL)
			put(c->o, "0x%" PRIx64, v);
		else if ((int64_t)v > -0x1000 && (int64_t)v < 0x1000)
			put(c->o, "%" PRId64, (int64_t)v);
		else if (c->syntax == BK_SYNTAX_LLVM)
			put_imm(c->o, (int64_t)v);
		else
			put(c->o, "0x%" PRIx64, v);
	}
	}
}

static void llvm_call(struct ctx *c)
{
	const struct bk_dinsn *d = c->d;

	switch (d->op) {
	case BK_OP_CALL:
		put_helper(c);
		break;
	case BK_OP_CALL_LOCAL:
		if (c->sym && c->sym->sym)
			put(c->o, "call %s", c->sym->sym);
		else if (c->sym && c->sym->target)
			put(c->o, "call %s", c->sym->target);
		else if (c->syntax == BK_SYNTAX_UBPF)
			put(c->o, "call local %+d", d->imm);
		else
			put(c->o, "call pc%+d", d->imm);
		break;
	case BK_OP_CALL_KFUNC:
		if (c->sym && c->sym->sym)
			put(c->o, "call %s", c->sym->sym);
		else if (d->off)
			put(c->o, "call kfunc %d, %d", d->imm, d->off);
		else
			put(c->o, "call kfunc %d", d->imm);
		break;
	default:
		put(c->o, c->syntax == BK_SYNTAX_UBPF ? "callx %%r%u" : "callx r%u", d->dst);
	}
}

/* LLVM and kernel syntax: everything but calls. */
static void c_like(struct ctx *c)
{
	const struct bk_dinsn *d = c->d;
	const struct bk_op_info *oi = c->oi;
	bool k = c->syntax == BK_SYNTAX_KERNEL;
	bool w = !bk_opc_is_64(oi->opcode);
	unsigned cls = bk_opc_class(oi->opcode);

	switch (oi->fmt) {
	case BK_FMT_ALU_K:
		put(c->o, "%c%u %s ", regc(w), d->dst, oi->llvm);
		if (k)
			put(c->o, "%d", d->imm);
		else
			put_imm(c->o, d->imm);
		break;
	case BK_FMT_ALU_X:
		put(c->o, "%c%u %s %c%u", regc(w), d->dst, oi->llvm, regc(w), d->src);
		break;
	case BK_FMT_NEG:
		put(c->o, "%c%u = -%c%u", regc(w), d->dst, regc(w), d->dst);
		break;
	case BK_FMT_MOVSX:
		put(c->o, "%c%u = (s%d)%c%u", regc(w), d->dst, oi->dval, regc(w), d->src);
		break;
	case BK_FMT_END:
		put(c->o, "r%u = %s%d r%u", d->dst, oi->llvm, oi->dval, d->dst);
		break;
	case BK_FMT_JA:
	case BK_FMT_JCOND:
		put(c->o, "%s ", oi->llvm);
		put_target(c, d->off);
		break;
	case BK_FMT_JA32:
		put(c->o, "gotol ");
		put_target(c, d->imm);
		break;
	case BK_FMT_JMP_K:
		put(c->o, "if %c%u %s ", regc(cls == BK_CLASS_JMP32), d->dst, oi->llvm);
		if (k)
			put(c->o, "0x%x", (uint32_t)d->imm);
		else
			put_imm(c->o, d->imm);
		put(c->o, " goto ");
		put_target(c, d->off);
		break;
	case BK_FMT_JMP_X:
		put(c->o, "if %c%u %s %c%u goto ", regc(cls == BK_CLASS_JMP32), d->dst, oi->llvm,
		    regc(cls == BK_CLASS_JMP32), d->src);
		put_target(c, d->off);
		break;
	case BK_FMT_EXIT:
		put(c->o, "exit");
		break;
	case BK_FMT_LDX:
		put(c->o, "r%u = *(%s *)", d->dst,
		    size_name(oi->opcode, bk_opc_is_signed_load(oi->opcode)));
		put_mem(c, d->src, d->off);
		break;
	case BK_FMT_ST:
		put(c->o, "*(%s *)", size_name(oi->opcode, false));
		put_mem(c, d->dst, d->off);
		put(c->o, " = ");
		if (k)
			put(c->o, "%d", d->imm);
		else
			put_imm(c->o, d->imm);
		break;
	case BK_FMT_STX:
		put(c->o, "*(%s *)", size_name(oi->opcode, false));
		put_mem(c, d->dst, d->off);
		put(c->o, " = r%u", d->src);
		break;
	case BK_FMT_ATOMIC:
		put(c->o, "lock *(%s *)", size_name(oi->opcode, false));
		put_mem(c, d->dst, d->off);
		put(c->o, " %s %c%u", oi->llvm, regc(!k && bk_opc_size(oi->opcode) == 4), d->src);
		break;
	case BK_FMT_ATOMIC_FETCH: {
		bool w32 = !k && bk_opc_size(oi->opcode) == 4;

		put(c->o, "%c%u = atomic%s_fetch_%s((%s *)", regc(w32), d->src,
		    k && bk_opc_size(oi->opcode) == 8 ? "64" : "", oi->llvm,
		    size_name(oi->opcode, false));
		put_mem(c, d->dst, d->off);
		put(c->o, ", %c%u)", regc(w32), d->src);
		break;
	}
	case BK_FMT_XCHG:
	case BK_FMT_CMPXCHG: {
		bool w32 = !k && bk_opc_size(oi->opcode) == 4;
		bool cmp = oi->fmt == BK_FMT_CMPXCHG;

		if (k) {
			put(c->o, "r%u = atomic%s_%s((%s *)", cmp ? 0 : d->src,
			    bk_opc_size(oi->opcode) == 8 ? "64" : "", cmp ? "cmpxchg" : "xchg",
			    size_name(oi->opcode, false));
			put_mem(c, d->dst, d->off);
			put(c->o, cmp ? ", r0, r%u)" : ", r%u)", d->src);
		} else {
			put(c->o, "%c%u = %s(r%u %c %d, ", regc(w32), cmp ? 0 : d->src, oi->llvm,
			    d->dst, d->off < 0 ? '-' : '+', d->off < 0 ? -d->off : d->off);
			if (cmp)
				put(c->o, "%c0, ", regc(w32));
			put(c->o, "%c%u)", regc(w32), d->src);
		}
		break;
	}
	case BK_FMT_LDDW:
		put(c->o, "r%u = ", d->dst);
		put_lddw(c);
		if (!k)
			put(c->o, " ll");
		break;
	case BK_FMT_LD_ABS:
		put(c->o, "r0 = *(%s *)skb[%d]", size_name(oi->opcode, false), d->imm);
		break;
	case BK_FMT_LD_IND:
		put(c->o, "r0 = *(%s *)skb[r%u", size_name(oi->opcode, false), d->src);
		if (d->imm)
			put(c->o, " %c %" PRId64 "]", d->imm < 0 ? '-' : '+',
			    d->imm < 0 ? -(int64_t)d->imm : (int64_t)d->imm);
		else
			put(c->o, "]");
		break;
	default:
		llvm_call(c);
	}
}

static void ubpf(struct ctx *c)
{
	const struct bk_dinsn *d = c->d;
	const struct bk_op_info *oi = c->oi;

	switch (oi->fmt) {
	case BK_FMT_ALU_K:
		put(c->o, "%s %%r%u, ", oi->ubpf, d->dst);
		put_imm(c->o, d->imm);
		break;
	case BK_FMT_ALU_X:
	case BK_FMT_MOVSX:
		put(c->o, "%s %%r%u, %%r%u", oi->ubpf, d->dst, d->src);
		break;
	case BK_FMT_NEG:
	case BK_FMT_END:
		put(c->o, "%s %%r%u", oi->ubpf, d->dst);
		break;
	case BK_FMT_JA:
	case BK_FMT_JCOND:
		put(c->o, "%s ", oi->ubpf);
		put_target(c, d->off);
		break;
	case BK_FMT_JA32:
		put(c->o, "%s ", oi->ubpf);
		put_target(c, d->imm);
		break;
	case BK_FMT_JMP_K:
		put(c->o, "%s %%r%u, ", oi->ubpf, d->dst);
		put_imm(c->o, d->imm);
		put(c->o, ", ");
		put_target(c, d->off);
		break;
	case BK_FMT_JMP_X:
		put(c->o, "%s %%r%u, %%r%u, ", oi->ubpf, d->dst, d->src);
		put_target(c, d->off);
		break;
	case BK_FMT_EXIT:
		put(c->o, "exit");
		break;
	case BK_FMT_LDX:
		put(c->o, "%s %%r%u, ", oi->ubpf, d->dst);
		put_mem(c, d->src, d->off);
		break;
	case BK_FMT_ST:
		put(c->o, "%s ", oi->ubpf);
		put_mem(c, d->dst, d->off);
		put(c->o, ", ");
		put_imm(c->o, d->imm);
		break;
	case BK_FMT_STX:
	case BK_FMT_ATOMIC:
	case BK_FMT_ATOMIC_FETCH:
	case BK_FMT_XCHG:
	case BK_FMT_CMPXCHG:
		put(c->o, "%s ", oi->ubpf);
		put_mem(c, d->dst, d->off);
		put(c->o, ", %%r%u", d->src);
		break;
	case BK_FMT_LDDW:
		put(c->o, "lddw %%r%u, ", d->dst);
		put_lddw(c);
		break;
	case BK_FMT_LD_ABS:
		put(c->o, "%s %d", oi->ubpf, d->imm);
		break;
	case BK_FMT_LD_IND:
		put(c->o, "%s %%r%u, %d", oi->ubpf, d->src, d->imm);
		break;
	default:
		llvm_call(c);
	}
}

int bk_disasm_insn_sym(const struct bk_dinsn *d, size_t pc, const struct bk_disasm_opts *opts,
		       const struct bk_disasm_sym *sym, char *buf, size_t size)
{
	struct out o = {.buf = buf, .size = size};
	struct ctx c = {
		.o = &o,
		.d = d,
		.oi = bk_op_info(d->op),
		.pc = pc,
		.syntax = OPT(opts, syntax, BK_SYNTAX_LLVM),
		.numeric_helpers = OPT(opts, numeric_helpers, false),
		.sym = sym,
	};

	if (size)
		buf[0] = '\0';
	if (!c.oi) {
		put(&o, "<bad op %u>", d->op);
		return (int)o.len;
	}
	if (c.syntax == BK_SYNTAX_KERNEL) {
		put(&o, "(%02x) ", c.oi->opcode);
		c_like(&c);
	} else if (c.syntax == BK_SYNTAX_UBPF) {
		ubpf(&c);
	} else {
		c_like(&c);
	}
	return (int)o.len;
}

int bk_disasm_insn(const struct bk_dinsn *d, size_t pc, const struct bk_disasm_opts *opts,
		   char *buf, size_t size)
{
	return bk_disasm_insn_sym(d, pc, opts, NULL, buf, size);
}
