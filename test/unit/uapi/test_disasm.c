// SPDX-License-Identifier: MIT
/*
 * Unit tests of the disassembler (libuapi/disasm*.c): every row of insn.def
 * in every syntax assembles back to the same bytes; exact text of a few
 * forms per syntax; listings of raw bytecode with labels.
 */
#include <stdlib.h>

#include "harness.h"
#include "uapi.h"

static const int syntaxes[] = {BK_SYNTAX_LLVM, BK_SYNTAX_KERNEL, BK_SYNTAX_UBPF};

/* Deterministic pseudo-random field values. */
static uint32_t rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static int32_t pick_imm(uint32_t *s)
{
	static const int32_t v[] = {0,	     1,	   -1,	  7,	      0xfff,	 0x1000,
				    -0x1000, 4096, 65535, 0x7fffffff, INT32_MIN, 0x12345678};

	return v[rnd(s) % ARRAY_LEN(v)];
}

/* Fills the fields a row uses with varied values; the second slot of
 * ld_imm64 takes imm2 only for sources that carry one. */
static void fill(unsigned op, uint32_t *s, struct bk_dinsn *d)
{
	const struct bk_op_info *oi = bk_op_info(op);

	memset(d, 0, sizeof(*d));
	d->op = (uint16_t)op;
	d->dst = (uint8_t)(rnd(s) % 11);
	d->src = (uint8_t)(rnd(s) % 11);
	d->off = (int16_t)(rnd(s) % 3 == 0 ? -(int)(rnd(s) % 32769) : (int)(rnd(s) % 32768));
	d->imm = pick_imm(s);
	if (oi->fmt == BK_FMT_LDDW && oi->dval != 1 && oi->dval != 4 && oi->dval != 5)
		d->imm2 = pick_imm(s);
	if (oi->fmt == BK_FMT_CMPXCHG)
		d->dst = d->dst; /* r0 is implied; any dst/src */
	if (oi->fmt == BK_FMT_LD_ABS || oi->fmt == BK_FMT_LD_IND)
		d->dst = 0;
}

static int assemble_one(const char *text, struct bk_insn out[2], struct bk_diag *diag)
{
	struct bk_insn *insns = NULL;
	size_t cnt = 0;
	struct bk_asm_opts o = {.sz = sizeof(o), .file = "t.s"};
	int err = bk_asm_raw(text, strlen(text), &o, &insns, &cnt, diag);

	if (!err) {
		if (cnt > 2)
			err = -1;
		else
			memcpy(out, insns, cnt * sizeof(*insns));
	}
	free(insns);
	return err ? err : (int)cnt;
}

TEST(disasm_every_row_round_trips_in_every_syntax)
{
	uint32_t seed = 42;

	for (unsigned op = 0; op < BK_OP__COUNT; op++) {
		for (int rep = 0; rep < 8; rep++) {
			struct bk_dinsn d;
			struct bk_insn raw[2], back[2];
			int n;

			fill(op, &seed, &d);
			n = bk_encode(&d, raw);
			REQUIRE(n > 0);
			REQUIRE_EQ(bk_decode(raw, (size_t)n, 0, &d, NULL), n);
			for (size_t s = 0; s < ARRAY_LEN(syntaxes); s++) {
				struct bk_disasm_opts o = {.sz = sizeof(o),
							   .syntax = (uint8_t)syntaxes[s]};
				struct bk_diag diag;
				char text[256];
				int m;

				bk_disasm_insn(&d, 0, &o, text, sizeof(text));
				m = assemble_one(text, back, &diag);
				if (!CHECK_EQ(m, n) || !CHECK_MEM(raw, back, (size_t)n * 8))
					fprintf(stderr, "    %s syntax %d: '%s' -> %d (%s)\n",
						bk_op_info(op)->name, syntaxes[s], text, m,
						m < 0 ? diag.msg : "bytes differ");
			}
		}
	}
}

static void check_text(struct bk_insn i0, struct bk_insn i1, int syntax, const char *want)
{
	struct bk_insn p[2] = {i0, i1};
	struct bk_dinsn d;
	struct bk_disasm_opts o = {.sz = sizeof(o), .syntax = (uint8_t)syntax};
	char text[128];

	REQUIRE(bk_decode(p, 2, 0, &d, NULL) > 0);
	bk_disasm_insn(&d, 0, &o, text, sizeof(text));
	CHECK_STR(text, want);
}

TEST(disasm_llvm_forms)
{
	struct bk_insn z = {0};

	check_text(BK_MOV64_IMM(0, 1), z, BK_SYNTAX_LLVM, "r0 = 1");
	check_text(BK_ALU32_REG(ADD, 1, 2), z, BK_SYNTAX_LLVM, "w1 += w2");
	check_text(BK_LDX_MEM(W, 1, 2, 8), z, BK_SYNTAX_LLVM, "r1 = *(u32 *)(r2 + 8)");
	check_text(BK_STX_MEM(DW, 10, 1, -8), z, BK_SYNTAX_LLVM, "*(u64 *)(r10 - 8) = r1");
	check_text(BK_JMP_IMM(JGT, 1, 5, 3), z, BK_SYNTAX_LLVM, "if r1 > 5 goto +3");
	check_text(BK_I(SDIV64_K, 1, 0, 0, 3), z, BK_SYNTAX_LLVM, "r1 s/= 3");
	check_text(BK_I(MOVSX64_16, 1, 2, 0, 0), z, BK_SYNTAX_LLVM, "r1 = (s16)r2");
	check_text(BK_I(BSWAP64, 1, 0, 0, 0), z, BK_SYNTAX_LLVM, "r1 = bswap64 r1");
	check_text(BK_I(BE16, 1, 0, 0, 0), z, BK_SYNTAX_LLVM, "r1 = be16 r1");
	check_text(BK_ATOMIC(64_ADD, 1, 2, 0), z, BK_SYNTAX_LLVM, "lock *(u64 *)(r1 + 0) += r2");
	check_text(BK_ATOMIC(64_FETCH_ADD, 1, 0, 0), z, BK_SYNTAX_LLVM,
		   "r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)");
	check_text(BK_ATOMIC(64_CMPXCHG, 1, 2, 0), z, BK_SYNTAX_LLVM,
		   "r0 = cmpxchg_64(r1 + 0, r0, r2)");
	check_text(BK_ATOMIC(32_XCHG, 1, 2, 4), z, BK_SYNTAX_LLVM, "w2 = xchg32_32(r1 + 4, w2)");
	check_text(BK_CALL(1), z, BK_SYNTAX_LLVM, "call bpf_map_lookup_elem");
	check_text(BK_I(JA32, 0, 0, 0, 5), z, BK_SYNTAX_LLVM, "gotol +5");
	check_text(BK_I(MAY_GOTO, 0, 0, 2, 0), z, BK_SYNTAX_LLVM, "may_goto +2");
	check_text(BK_I(CALLX, 2, 0, 0, 0), z, BK_SYNTAX_LLVM, "callx r2");
	check_text(BK_I(LDABSH, 0, 0, 0, 4), z, BK_SYNTAX_LLVM, "r0 = *(u16 *)skb[4]");
	check_text(BK_LD_IMM64(1, 0x1122334455667788ull), BK_SYNTAX_LLVM,
		   "r1 = 0x1122334455667788 ll");
	check_text(BK_MOV32_IMM(1, -5), z, BK_SYNTAX_LLVM, "w1 = -5");
	check_text(BK_ALU64_IMM(AND, 1, 0xffff), z, BK_SYNTAX_LLVM, "r1 &= 0xffff");
}

TEST(disasm_kernel_forms)
{
	struct bk_insn z = {0};

	check_text(BK_MOV64_IMM(0, 1), z, BK_SYNTAX_KERNEL, "(b7) r0 = 1");
	check_text(BK_STX_MEM(W, 10, 1, -4), z, BK_SYNTAX_KERNEL, "(63) *(u32 *)(r10 -4) = r1");
	check_text(BK_JMP_IMM(JGT, 1, 5, 3), z, BK_SYNTAX_KERNEL, "(25) if r1 > 0x5 goto pc+3");
	check_text(BK_JA(-2), z, BK_SYNTAX_KERNEL, "(05) goto pc-2");
	check_text(BK_CALL(1), z, BK_SYNTAX_KERNEL, "(85) call bpf_map_lookup_elem#1");
	check_text(BK_CALL_LOCAL(3), z, BK_SYNTAX_KERNEL, "(85) call pc+3");
	check_text(BK_LD_IMM64(1, 5), BK_SYNTAX_KERNEL, "(18) r1 = 0x5");
	check_text(BK_ATOMIC(64_FETCH_ADD, 1, 2, 0), z, BK_SYNTAX_KERNEL,
		   "(db) r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)");
}

TEST(disasm_ubpf_forms)
{
	struct bk_insn z = {0};

	check_text(BK_MOV64_IMM(0, 1), z, BK_SYNTAX_UBPF, "mov %r0, 1");
	check_text(BK_LDX_MEM(DW, 1, 10, -8), z, BK_SYNTAX_UBPF, "ldxdw %r1, [%r10-8]");
	check_text(BK_ATOMIC(64_FETCH_ADD, 10, 1, -8), z, BK_SYNTAX_UBPF,
		   "lock fetch add [%r10-8], %r1");
	check_text(BK_JMP_REG(JNE, 1, 0, 2), z, BK_SYNTAX_UBPF, "jne %r1, %r0, +2");
	check_text(BK_CALL_LOCAL(3), z, BK_SYNTAX_UBPF, "call local +3");
	check_text(BK_I(CALLX, 2, 0, 0, 0), z, BK_SYNTAX_UBPF, "callx %r2");
	check_text(BK_LD_IMM64(0, 0x1122334455667788ull), BK_SYNTAX_UBPF,
		   "lddw %r0, 0x1122334455667788");
}
