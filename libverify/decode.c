// SPDX-License-Identifier: MIT
/*
 * decode.c - decoding for the verifier with the kernel's field rules.
 *
 * bk_decode() refuses every non-zero unused field; the kernel is laxer in
 * places (an exit's offset is never looked at) and checks most fields only
 * when the instruction is reached.  So: unknown opcodes, malformed ld_imm64
 * pairs and LDX with a non-zero imm are refused up front, as the kernel's
 * first pass does; other field faults mark the instruction, which is
 * refused if (and when) a path reaches it.
 */
#include "verify_int.h"

/* The kernel's per-class reserved-field checks for a known op. */
static bool kernel_fields_ok(const struct bk_op_info *oi, const struct bk_insn *in)
{
	unsigned cls = bk_opc_class(oi->opcode);
	bool x = (oi->opcode & 0x08) != 0;

	switch (oi->fmt) {
	case BK_FMT_NEG:
		return in->src == 0 && in->off == 0 && in->imm == 0;
	case BK_FMT_END:
		return in->src == 0 && in->off == 0;
	case BK_FMT_ALU_K:
	case BK_FMT_ALU_X:
	case BK_FMT_MOVSX:
		if ((oi->opcode >> 4) == 0xb) { /* mov */
			if (x)
				return in->imm == 0;
			return in->src == 0 && in->off == 0;
		}
		if (oi->disc != BK_DISC_OFF && in->off)
			return false;
		if (x)
			return in->imm == 0;
		return in->src == 0;
	case BK_FMT_ST:
		return in->src == 0;
	case BK_FMT_STX:
		return in->imm == 0;
	case BK_FMT_CALL:
	case BK_FMT_CALL_LOCAL:
		return in->off == 0 && in->dst == 0;
	case BK_FMT_CALL_KFUNC:
		return in->dst == 0;
	case BK_FMT_JA:
		return in->src == 0 && in->dst == 0 && in->imm == 0;
	case BK_FMT_JA32:
		return in->src == 0 && in->dst == 0 && in->off == 0;
	case BK_FMT_EXIT:
		return in->imm == 0 && in->src == 0 && in->dst == 0;
	case BK_FMT_JMP_K:
		return in->src == 0;
	case BK_FMT_JMP_X:
		return in->imm == 0;
	case BK_FMT_LD_ABS:
	case BK_FMT_LD_IND:
		return in->dst == 0 && in->off == 0 && (oi->fmt == BK_FMT_LD_IND || in->src == 0);
	case BK_FMT_LDDW:
		return in->off == 0;
	case BK_FMT_JCOND:
		return in->dst == 0 && in->imm == 0;
	default:
		(void)cls;
		return true;
	}
}

static bool regs_ok(const struct bk_op_info *oi, const struct bk_insn *in)
{
	return (!(oi->fields & BK_F_DST) || in->dst <= 10) &&
	       (!(oi->fields & BK_F_SRC) || in->src <= 10);
}

int verify_decode(struct venv *env)
{
	const struct bk_insn *in = env->in->insns;
	size_t cnt = env->in->cnt;

	for (size_t i = 0; i < cnt;) {
		struct bk_dinsn *d = &env->insns[i];
		int op = bk_op_lookup(&in[i]);

		env->insn_idx = (int)i;
		if (op == -BK_E_OPCODE || op == BK_OP_CALLX)
			return verr(env, BK_E_V_BAD_INSN, "unknown opcode %02x", in[i].code);
		if (bk_opc_class(in[i].code) == BK_CLASS_LDX && in[i].imm)
			return verr(env, BK_E_V_BAD_INSN, "BPF_LDX uses reserved fields");
		const struct bk_op_info *oi = op >= 0 ? bk_op_info((unsigned)op) : NULL;

		if (in[i].code == BK_OPC_LDDW) {
			const struct bk_insn *n = i + 1 < cnt ? &in[i + 1] : NULL;

			if (!n || n->code || n->dst || n->src || n->off)
				return verr(env, BK_E_V_LDIMM64, "invalid bpf_ld_imm64 insn");
			if (op < 0)
				return verr(env, BK_E_V_LDIMM64, "unrecognized bpf_ld_imm64 insn");
		}
		*d = (struct bk_dinsn){.op = op >= 0 ? (uint16_t)op : BK_OP_MOV64_K,
				       .dst = in[i].dst <= 10 ? in[i].dst : 0,
				       .src = in[i].src <= 10 ? in[i].src : 0,
				       .off = in[i].off,
				       .slots = 1,
				       .imm = in[i].imm};
		if (op < 0 || !kernel_fields_ok(oi, &in[i]) || !regs_ok(oi, &in[i]))
			env->aux[i].flags |= AUX_BAD;
		if (oi && oi->fmt == BK_FMT_LDDW) {
			d->slots = 2;
			d->imm2 = in[i + 1].imm;
			env->insns[i + 1] = (struct bk_dinsn){.op = d->op, .slots = 0};
		}
		i += d->slots;
	}
	return 0;
}
