// SPDX-License-Identifier: MIT
/*
 * insn.c - the instruction codec over insn.def.
 *
 * Decoding finds the rows for an opcode through a 256-entry index built at
 * compile time (rows of one opcode are adjacent in insn.def), picks the row
 * whose discriminating field matches, then refuses any field the row does
 * not use that is not zero.  Encoding is the inverse and never fails for a
 * struct produced by decoding.
 */
#include <errno.h>
#include <string.h>

#include "uapi.h"

static const uint8_t fmt_fields[] = {
#define BK_FMT(name, fields) [BK_FMT_##name] = (fields),
#include "insn.def"
#undef BK_FMT
};

static const char *const fmt_names[] = {
#define BK_FMT(name, fields) [BK_FMT_##name] = #name,
#include "insn.def"
#undef BK_FMT
};

static const struct bk_op_info ops[BK_OP__COUNT] = {
#define BK_INSN(n, opc, d, dv, f, l, u)                                                            \
	[BK_OP_##n] = {.name = #n,                                                                 \
		       .opcode = (opc),                                                            \
		       .disc = BK_DISC_##d,                                                        \
		       .dval = (dv),                                                               \
		       .fmt = BK_FMT_##f,                                                          \
		       .fields = fmt_fields[BK_FMT_##f],                                           \
		       .llvm = (l),                                                                \
		       .ubpf = (u)},
#include "insn.def"
#undef BK_INSN
};

/* last_row[opcode] = index of the last row with that opcode, plus one; 0 for
 * an opcode no row has.  Later initialisers of one opcode override earlier
 * ones, which is what we want: rows of an opcode are adjacent. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static const uint16_t last_row[256] = {
#define BK_INSN(n, opc, d, dv, f, l, u) [opc] = BK_OP_##n + 1,
#include "insn.def"
#undef BK_INSN
};
#pragma GCC diagnostic pop

const struct bk_op_info *bk_op_info(unsigned op)
{
	return op < BK_OP__COUNT ? &ops[op] : NULL;
}

const char *bk_fmt_name(unsigned fmt)
{
	return fmt < sizeof(fmt_names) / sizeof(fmt_names[0]) ? fmt_names[fmt] : "?";
}

static int32_t disc_value(const struct bk_insn *in, unsigned disc)
{
	switch (disc) {
	case BK_DISC_OFF:
		return in->off;
	case BK_DISC_IMM:
		return in->imm;
	case BK_DISC_SRC:
		return in->src;
	default:
		return 0;
	}
}

int bk_op_lookup(const struct bk_insn *in)
{
	int end = last_row[in->code];

	if (!end)
		return -BK_E_OPCODE;
	for (int i = end - 1; i >= 0 && ops[i].opcode == in->code; i--) {
		if (ops[i].disc == BK_DISC_NONE || disc_value(in, ops[i].disc) == ops[i].dval)
			return i;
	}
	return -BK_E_VARIANT;
}

static const char *disc_field_name(unsigned disc)
{
	switch (disc) {
	case BK_DISC_OFF:
		return "off";
	case BK_DISC_IMM:
		return "imm";
	case BK_DISC_SRC:
		return "src";
	default:
		return "?";
	}
}

/* Checks that fields the row does not use are zero. */
static int check_fields(const struct bk_op_info *oi, const struct bk_insn *in, size_t idx,
			struct bk_diag *diag)
{
	unsigned used = oi->fields;
	static const struct {
		unsigned bit, disc;
		const char *name;
	} f[] = {
		{BK_F_DST, ~0u, "dst"}, /* dst never discriminates */
		{BK_F_SRC, BK_DISC_SRC, "src"},
		{BK_F_OFF, BK_DISC_OFF, "off"},
		{BK_F_IMM, BK_DISC_IMM, "imm"},
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		long v;

		if ((used & f[i].bit) || oi->disc == f[i].disc)
			continue;
		v = f[i].bit == BK_F_DST   ? in->dst
		    : f[i].bit == BK_F_SRC ? in->src
		    : f[i].bit == BK_F_OFF ? in->off
					   : in->imm;
		if (v != 0)
			return bk_diag__set(
				diag, BK_E_RESERVED, (long)idx,
				"insn %zu (%s, opcode 0x%02x): reserved field %s is %ld, "
				"must be 0",
				idx, oi->name, in->code, f[i].name, v);
	}
	if (in->dst > 10)
		return bk_diag__set(diag, BK_E_REG, (long)idx,
				    "insn %zu (%s): invalid destination register r%u", idx,
				    oi->name, in->dst);
	if (in->src > 10 && (used & BK_F_SRC))
		return bk_diag__set(diag, BK_E_REG, (long)idx,
				    "insn %zu (%s): invalid source register r%u", idx, oi->name,
				    in->src);
	return 0;
}

/* The second slot of ld_imm64 holds only the upper 32 bits of the value. */
static int check_lddw_tail(const struct bk_op_info *oi, const struct bk_insn *in, size_t cnt,
			   size_t idx, struct bk_diag *diag)
{
	const struct bk_insn *t = in + 1;

	if (idx + 1 >= cnt)
		return bk_diag__set(diag, BK_E_LDDW_TRUNC, (long)idx,
				    "insn %zu (%s): ld_imm64 is the last slot; its second half "
				    "is missing",
				    idx, oi->name);
	if (t->code || t->dst || t->src || t->off)
		return bk_diag__set(diag, BK_E_LDDW_SLOT, (long)idx,
				    "insn %zu (%s): second slot of ld_imm64 must have opcode, "
				    "registers and off zero",
				    idx, oi->name);
	if (t->imm && (oi->dval == 1 || oi->dval == 4 || oi->dval == 5))
		return bk_diag__set(diag, BK_E_LDDW_SLOT, (long)idx,
				    "insn %zu (%s): reserved field imm of the second slot is %d, "
				    "must be 0",
				    idx, oi->name, t->imm);
	return 0;
}

int bk_decode(const struct bk_insn *insns, size_t cnt, size_t idx, struct bk_dinsn *out,
	      struct bk_diag *diag)
{
	const struct bk_insn *in = &insns[idx];
	const struct bk_op_info *oi;
	int op, err;

	if (idx >= cnt)
		return bk_diag__set(diag, EINVAL, (long)idx, "insn %zu is past the end (%zu)", idx,
				    cnt);
	op = bk_op_lookup(in);
	if (op == -BK_E_OPCODE)
		return bk_diag__set(diag, BK_E_OPCODE, (long)idx, "insn %zu: unknown opcode 0x%02x",
				    idx, in->code);
	if (op < 0) {
		const struct bk_op_info *first = &ops[last_row[in->code] - 1];

		return bk_diag__set(diag, BK_E_VARIANT, (long)idx,
				    "insn %zu (opcode 0x%02x, %s): field %s = %ld selects no "
				    "variant",
				    idx, in->code, first->ubpf, disc_field_name(first->disc),
				    (long)disc_value(in, first->disc));
	}
	oi = &ops[op];
	err = check_fields(oi, in, idx, diag);
	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	out->op = (uint16_t)op;
	out->dst = in->dst;
	out->src = in->src;
	out->off = in->off;
	out->imm = in->imm;
	out->slots = 1;
	if (oi->fmt == BK_FMT_LDDW) {
		err = check_lddw_tail(oi, in, cnt, idx, diag);
		if (err)
			return err;
		out->imm2 = in[1].imm;
		out->slots = 2;
	}
	return out->slots;
}

int bk_decode_prog(const struct bk_insn *insns, size_t cnt, struct bk_dinsn *out,
		   struct bk_diag *diag)
{
	size_t i = 0;

	if (!cnt)
		return bk_diag__set(diag, BK_E_PROG_EMPTY, -1, "program has no instructions");
	while (i < cnt) {
		int n = bk_decode(insns, cnt, i, &out[i], diag);

		if (n < 0)
			return n;
		if (n == 2) {
			out[i + 1] = out[i];
			out[i + 1].slots = 0;
		}
		i += (size_t)n;
	}
	return 0;
}

int bk_encode(const struct bk_dinsn *d, struct bk_insn out[2])
{
	const struct bk_op_info *oi = bk_op_info(d->op);
	struct bk_insn *o = &out[0];

	if (!oi)
		return -BK_E_OPCODE;
	if (d->dst > 10 || d->src > 10)
		return -BK_E_REG;
	memset(o, 0, sizeof(*o));
	o->code = oi->opcode;
	if (oi->fields & BK_F_DST)
		o->dst = d->dst & 0xf;
	if (oi->fields & BK_F_SRC)
		o->src = d->src & 0xf;
	if (oi->fields & BK_F_OFF)
		o->off = d->off;
	if (oi->fields & BK_F_IMM)
		o->imm = d->imm;
	switch (oi->disc) {
	case BK_DISC_OFF:
		o->off = (int16_t)oi->dval;
		break;
	case BK_DISC_IMM:
		o->imm = oi->dval;
		break;
	case BK_DISC_SRC:
		o->src = (uint8_t)oi->dval & 0xf;
		break;
	default:
		break;
	}
	if (oi->fmt != BK_FMT_LDDW)
		return 1;
	memset(&out[1], 0, sizeof(out[1]));
	out[1].imm = d->imm2;
	return 2;
}
