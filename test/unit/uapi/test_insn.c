// SPDX-License-Identifier: MIT
/* Unit tests of the instruction table and codec (libuapi/insn.c). */
#include "harness.h"
#include "uapi.h"

/* Rows of one opcode must be adjacent: the decoder's index relies on it. */
TEST(insn_table_rows_of_an_opcode_are_adjacent)
{
	int seen_end[256];

	for (int i = 0; i < 256; i++)
		seen_end[i] = -1;
	for (unsigned op = 0; op < BK_OP__COUNT; op++) {
		uint8_t opc = bk_op_info(op)->opcode;

		if (seen_end[opc] >= 0 && seen_end[opc] != (int)op - 1)
			CHECK(!"row not adjacent to its opcode's other rows");
		seen_end[opc] = (int)op;
	}
	CHECK(bk_op_info(BK_OP__COUNT) == NULL);
}

/* Every row encodes and decodes back to itself, with fields it uses kept. */
TEST(insn_every_row_round_trips)
{
	for (unsigned op = 0; op < BK_OP__COUNT; op++) {
		const struct bk_op_info *oi = bk_op_info(op);
		struct bk_dinsn d = {.op = (uint16_t)op,
				     .dst = 3,
				     .src = 7,
				     .off = -5,
				     .imm = 0x1234,
				     .imm2 = 0};
		struct bk_insn raw[2];
		struct bk_dinsn back;
		int n = bk_encode(&d, raw);

		REQUIRE(n == 1 || n == 2);
		CHECK_EQ(raw[0].code, oi->opcode);
		CHECK_EQ(bk_decode(raw, (size_t)n, 0, &back, NULL), n);
		if (!CHECK_EQ(back.op, op))
			fprintf(stderr, "    row %s\n", oi->name);
		if (oi->fields & BK_F_DST)
			CHECK_EQ(back.dst, 3);
		if (oi->fields & BK_F_SRC)
			CHECK_EQ(back.src, 7);
		if (oi->fields & BK_F_OFF)
			CHECK_EQ(back.off, -5);
		if (oi->fields & BK_F_IMM)
			CHECK_EQ(back.imm, 0x1234);
	}
}

TEST(insn_decode_refuses_reserved_fields)
{
	struct bk_insn p[] = {BK_MOV64_IMM(0, 1), BK_EXIT()};
	struct bk_dinsn d;
	struct bk_diag diag;

	bk_diag__init(&diag);
	p[1].off = 1; /* exit with off != 0 */
	CHECK_EQ(bk_decode(p, 2, 1, &d, &diag), -BK_E_RESERVED);
	CHECK_EQ(diag.code, BK_E_RESERVED);
	CHECK_EQ(diag.insn, 1);
	CHECK(strstr(diag.msg, "off") != NULL);

	p[1] = BK_EXIT();
	p[0].src = 1; /* mov64 imm with src != 0 */
	CHECK_EQ(bk_decode_prog(p, 2, (struct bk_dinsn[2]){0}, &diag), -BK_E_RESERVED);
	CHECK_EQ(diag.insn, 0);
}

TEST(insn_decode_refuses_unknown_and_variants)
{
	struct bk_insn bad_opc[] = {{.code = 0x00}};
	struct bk_insn bad_div[] = {BK_I(DIV64_K, 1, 0, 0, 3)};
	struct bk_insn bad_reg[] = {BK_MOV64_IMM(11, 0)};
	struct bk_dinsn d;

	bad_div[0].off = 2; /* div/sdiv are off 0/1: 2 selects neither */
	CHECK_EQ(bk_decode(bad_opc, 1, 0, &d, NULL), -BK_E_OPCODE);
	CHECK_EQ(bk_decode(bad_div, 1, 0, &d, NULL), -BK_E_VARIANT);
	CHECK_EQ(bk_decode(bad_reg, 1, 0, &d, NULL), -BK_E_REG);
}

TEST(insn_decode_discriminates_shared_opcodes)
{
	struct bk_insn p[] = {
		BK_I(SDIV64_X, 1, 2, 0, 0),
		BK_I(MOVSX64_16, 1, 2, 0, 0),
		BK_I(ATOMIC64_CMPXCHG, 1, 2, 8, 0),
		BK_I(CALL_KFUNC, 0, 0, 3, 99),
		BK_I(BE32, 4, 0, 0, 0),
	};
	static const unsigned want[] = {BK_OP_SDIV64_X, BK_OP_MOVSX64_16, BK_OP_ATOMIC64_CMPXCHG,
					BK_OP_CALL_KFUNC, BK_OP_BE32};
	struct bk_dinsn d;

	for (size_t i = 0; i < ARRAY_LEN(p); i++) {
		CHECK_EQ(bk_decode(p, ARRAY_LEN(p), i, &d, NULL), 1);
		CHECK_EQ(d.op, want[i]);
	}
	CHECK_EQ(p[0].off, 1);
	CHECK_EQ(p[1].off, 16);
	CHECK_EQ(p[2].imm, 0xf1);
	CHECK_EQ(p[3].src, 2);
}

TEST(insn_lddw_two_slots)
{
	struct bk_insn p[] = {BK_LD_IMM64(2, 0x1122334455667788ULL), BK_EXIT()};
	struct bk_dinsn d[3];

	REQUIRE_EQ(bk_decode_prog(p, 3, d, NULL), 0);
	CHECK_EQ(d[0].op, BK_OP_LDDW);
	CHECK_EQ(d[0].slots, 2);
	CHECK_EQ(d[1].slots, 0);
	CHECK_EQ((long long)bk_dinsn_imm64(&d[0]), 0x1122334455667788LL);
	CHECK_EQ(d[2].op, BK_OP_EXIT);

	CHECK_EQ(bk_decode(p, 1, 0, d, NULL), -BK_E_LDDW_TRUNC);
	p[1].code = 0x95;
	CHECK_EQ(bk_decode(p, 3, 0, d, NULL), -BK_E_LDDW_SLOT);
}

TEST(insn_lddw_map_fd_refuses_second_imm)
{
	struct bk_insn p[] = {BK_LD_MAP_FD(1, 5)};
	struct bk_dinsn d;

	CHECK_EQ(bk_decode(p, 2, 0, &d, NULL), 2);
	CHECK_EQ(d.op, BK_OP_LDDW_MAP_FD);
	p[1].imm = 4;
	CHECK_EQ(bk_decode(p, 2, 0, &d, NULL), -BK_E_LDDW_SLOT);
}

TEST(insn_error_names)
{
	CHECK_STR(bk_errname(-BK_E_RESERVED), "BK_E_RESERVED");
	CHECK_STR(bk_errname(2), "ENOENT");
	CHECK(bk_strerror(BK_E_OPCODE)[0] != '\0');
}
