// SPDX-License-Identifier: MIT
/* Unit tests of the interpreter: ISA semantics in both modes, calls,
 * load-time refusals and checked-mode faults (codes and instruction
 * indices). */
#include <linux/bpf.h>

#include "vmtest.h"

#define LDDW2(name, D, IMM, IMM2) BK_I(name, D, 0, 0, IMM), ((struct bk_insn){.imm = (IMM2)})

TEST(interp_alu64)
{
	struct bk_insn p[] = {
		BK_MOV64_IMM(0, 10),	    BK_ALU64_IMM(ADD, 0, 5),	      /* 15 */
		BK_ALU64_IMM(MUL, 0, 3),    /* 45 */ BK_ALU64_IMM(SUB, 0, 1), /* 44 */
		BK_MOV64_IMM(1, 4),	    BK_ALU64_REG(DIV, 0, 1),	      /* 11 */
		BK_ALU64_IMM(LSH, 0, 60),   BK_ALU64_IMM(ARSH, 0, 59),	      /* 11<<60 s>> 59 */
		BK_ALU64_IMM(XOR, 0, 0xff), BK_EXIT(),
	};
	/* 11 << 60 = 0xb000000000000000, s>> 59 = ...fff6 (-10) */
	CHECK_EQ(vt_both(p, NULL, 0), (uint64_t)-10 ^ 0xff);
}

TEST(interp_div_mod_edge_cases)
{
	/* x / 0 = 0, x % 0 = x, INT_MIN s/ -1 = INT_MIN, INT_MIN s% -1 = 0 */
	struct bk_insn div0[] = {BK_MOV64_IMM(0, 7), BK_MOV64_IMM(1, 0), BK_ALU64_REG(DIV, 0, 1),
				 BK_EXIT()};
	struct bk_insn mod0[] = {BK_MOV64_IMM(0, 7), BK_ALU64_IMM(MOD, 0, 0), BK_EXIT()};
	struct bk_insn sdiv[] = {BK_LD_IMM64(0, 0x8000000000000000ull), BK_I(SDIV64_K, 0, 0, 0, -1),
				 BK_EXIT()};
	struct bk_insn smod[] = {BK_LD_IMM64(0, 0x8000000000000000ull), BK_I(SMOD64_K, 0, 0, 0, -1),
				 BK_EXIT()};
	struct bk_insn sdiv32[] = {BK_MOV32_IMM(0, INT32_MIN), BK_I(SDIV32_K, 0, 0, 0, -1),
				   BK_EXIT()};
	struct bk_insn smodn[] = {BK_MOV64_IMM(0, -7), BK_I(SMOD64_K, 0, 0, 0, 2), BK_EXIT()};
	struct bk_insn mod32[] = {BK_MOV64_IMM(0, -1), BK_I(MOD32_K, 0, 0, 0, 0), BK_EXIT()};

	CHECK_EQ(vt_both(div0, NULL, 0), 0);
	CHECK_EQ(vt_both(mod0, NULL, 0), 7);
	CHECK_EQ(vt_both(sdiv, NULL, 0), 0x8000000000000000ull);
	CHECK_EQ(vt_both(smod, NULL, 0), 0);
	CHECK_EQ(vt_both(sdiv32, NULL, 0), 0x80000000u);
	CHECK_EQ(vt_both(smodn, NULL, 0), (uint64_t)-1);
	CHECK_EQ(vt_both(mod32, NULL, 0), 0xffffffffu); /* 32-bit: dst truncated */
}

TEST(interp_shifts_are_masked)
{
	struct bk_insn l64[] = {BK_MOV64_IMM(0, 1), BK_ALU64_IMM(LSH, 0, 68), BK_EXIT()};
	struct bk_insn l32[] = {BK_MOV64_IMM(0, 1), BK_ALU32_IMM(LSH, 0, -1), BK_EXIT()};
	struct bk_insn rx[] = {BK_MOV64_IMM(0, 0x100), BK_MOV64_IMM(1, 65), BK_ALU64_REG(RSH, 0, 1),
			       BK_EXIT()};

	CHECK_EQ(vt_both(l64, NULL, 0), 16);
	CHECK_EQ(vt_both(l32, NULL, 0), 0x80000000u);
	CHECK_EQ(vt_both(rx, NULL, 0), 0x80);
}

TEST(interp_alu32_zero_extends_and_movsx)
{
	struct bk_insn p[] = {BK_MOV64_IMM(0, -1), BK_ALU32_IMM(ADD, 0, 1), BK_EXIT()};
	struct bk_insn sx[] = {BK_MOV64_IMM(1, 0x80), BK_I(MOVSX64_8, 0, 1, 0, 0), BK_EXIT()};
	struct bk_insn sx32[] = {BK_MOV64_IMM(1, 0x8000), BK_I(MOVSX32_16, 0, 1, 0, 0), BK_EXIT()};
	struct bk_insn neg[] = {BK_MOV64_IMM(0, 1), BK_I(NEG32, 0, 0, 0, 0), BK_EXIT()};

	CHECK_EQ(vt_both(p, NULL, 0), 0);
	CHECK_EQ(vt_both(sx, NULL, 0), (uint64_t)-128);
	CHECK_EQ(vt_both(sx32, NULL, 0), 0xffff8000u);
	CHECK_EQ(vt_both(neg, NULL, 0), 0xffffffffu);
}

TEST(interp_byte_swaps)
{
	struct bk_insn be[] = {BK_LD_IMM64(0, 0x1122334455667788ull), BK_I(BE32, 0, 0, 0, 0),
			       BK_EXIT()};
	struct bk_insn le[] = {BK_LD_IMM64(0, 0x1122334455667788ull), BK_I(LE16, 0, 0, 0, 0),
			       BK_EXIT()};
	struct bk_insn bs[] = {BK_LD_IMM64(0, 0x1122334455667788ull), BK_I(BSWAP64, 0, 0, 0, 0),
			       BK_EXIT()};

	CHECK_EQ(vt_both(be, NULL, 0), 0x88776655);
	CHECK_EQ(vt_both(le, NULL, 0), 0x7788);
	CHECK_EQ(vt_both(bs, NULL, 0), 0x8877665544332211ull);
}

TEST(interp_jumps_signed_unsigned_32)
{
	/* r0 counts the branches taken */
	struct bk_insn p[] = {
		BK_MOV64_IMM(0, 0),	    BK_MOV64_IMM(1, -1),
		BK_JMP_IMM(JSGT, 1, 0, 1),			      /* -1 s> 0: no */
		BK_ALU64_IMM(ADD, 0, 1),    BK_JMP_IMM(JGT, 1, 0, 1), /* 0xff..ff > 0: yes */
		BK_ALU64_IMM(ADD, 0, 100),  BK_LD_IMM64(2, 0x100000001ull),
		BK_JMP32_IMM(JEQ, 2, 1, 1),			       /* low half == 1: yes */
		BK_ALU64_IMM(ADD, 0, 100),  BK_JMP_IMM(JSET, 2, 2, 1), /* bit 1 clear: no */
		BK_ALU64_IMM(ADD, 0, 10),   BK_EXIT(),
	};

	CHECK_EQ(vt_both(p, NULL, 0), 11);
}

TEST(interp_stack_and_memory)
{
	uint8_t mem[12] = {0xaa, 0xbb, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0xcc, 0xdd};
	struct bk_insn unaligned[] = {BK_LDX_MEM(DW, 0, 1, 2), BK_EXIT()};
	struct bk_insn sx[] = {BK_LDX_MEM(SH, 0, 1, 10), BK_EXIT()};
	struct bk_insn stack[] = {
		BK_ST_MEM(DW, 10, -8, -2),
		BK_MOV64_IMM(1, 3),
		BK_STX_MEM(W, 10, 1, -16),
		BK_LDX_MEM(DW, 0, 10, -8),
		BK_LDX_MEM(W, 2, 10, -16),
		BK_ALU64_REG(ADD, 0, 2),
		BK_EXIT(),
	};

	CHECK_EQ(vt_both(unaligned, mem, sizeof(mem)), 0x8877665544332211ull);
	CHECK_EQ(vt_both(sx, mem, sizeof(mem)), (uint64_t)(int16_t)0xddcc);
	CHECK_EQ(vt_both(stack, NULL, 0), 1);
}

TEST(interp_atomics)
{
	struct bk_insn p[] = {
		BK_ST_MEM(DW, 10, -8, 5),
		BK_MOV64_IMM(1, 3),
		BK_ATOMIC(64_FETCH_ADD, 10, 1, -8), /* r1 = 5, mem = 8 */
		BK_MOV64_IMM(2, 100),
		BK_ATOMIC(64_XCHG, 10, 2, -8), /* r2 = 8, mem = 100 */
		BK_MOV64_IMM(0, 100),
		BK_MOV64_IMM(3, 7),
		BK_ATOMIC(64_CMPXCHG, 10, 3, -8), /* r0 = 100, mem = 7 */
		BK_LDX_MEM(DW, 4, 10, -8),
		BK_ALU64_IMM(MUL, 1, 1000), /* 5000 + 8 * 100 + 7 + 100 */
		BK_ALU64_IMM(MUL, 2, 100),
		BK_ALU64_REG(ADD, 0, 1),
		BK_ALU64_REG(ADD, 0, 2),
		BK_ALU64_REG(ADD, 0, 4),
		BK_EXIT(),
	};
	struct bk_insn w[] = {
		BK_ST_MEM(W, 10, -4, -1),
		BK_MOV64_IMM(0, 0),
		BK_MOV64_IMM(1, 1),
		BK_ATOMIC(32_CMPXCHG, 10, 1, -4), /* fails: r0 = 0xffffffff (zero-extended) */
		BK_EXIT(),
	};

	CHECK_EQ(vt_both(p, NULL, 0), 5000 + 800 + 7 + 100);
	CHECK_EQ(vt_both(w, NULL, 0), 0xffffffffu);
}

TEST(interp_local_calls_keep_r6_r9)
{
	struct bk_insn p[] = {
		BK_MOV64_IMM(6, 6),
		BK_MOV64_IMM(1, 20),
		BK_CALL_LOCAL(3),
		BK_ALU64_REG(ADD, 0, 6),
		BK_EXIT(),
		/* callee: r0 = r1 * 2, clobbers r6 and its own stack */
		BK_MOV64_REG(0, 1),
		BK_ALU64_IMM(MUL, 0, 2),
		BK_MOV64_IMM(6, 99),
		BK_ST_MEM(DW, 10, -512, 1),
		BK_EXIT(),
	};

	/* the callee's instructions start at index 5 */
	p[2] = BK_CALL_LOCAL(2);
	CHECK_EQ(vt_both(p, NULL, 0), 46);
}

TEST(interp_call_depth_limit)
{
	/* each function calls the next; 9 frames is one too many */
	struct bk_insn p[2 * 9 + 1];
	struct vt v;
	int n = 0;

	for (int i = 0; i < 9; i++) {
		p[n++] = BK_CALL_LOCAL(1);
		p[n++] = BK_EXIT();
	}
	p[n - 2] = BK_MOV64_IMM(0, 1);
	p[n++] = BK_EXIT();
	CHECK_EQ(vt_run(&v, p, (size_t)n, BK_VM_TRUSTED, NULL, 0), -BK_E_VM_CALL_DEPTH);
	CHECK_EQ(v.diag.insn, 14); /* the 8th call */
	vt_fini(&v);
	p[14] = BK_MOV64_IMM(0, 1); /* 8 frames: fine */
	CHECK_EQ(vt_run(&v, p, (size_t)n, BK_VM_CHECKED, NULL, 0), 0);
	CHECK_EQ(v.r0, 1);
	vt_fini(&v);
}

TEST(interp_callx_helper_id_and_function)
{
	struct bk_insn helper[] = {BK_MOV64_IMM(2, BPF_FUNC_get_smp_processor_id),
				   BK_I(CALLX, 2, 0, 0, 0), BK_EXIT()};
	struct bk_insn func[] = {
		LDDW2(LDDW_FUNC, 3, 5, 0), /* the function at index 0 + 5 + 1 */
		BK_MOV64_IMM(1, 41),
		BK_I(CALLX, 3, 0, 0, 0),
		BK_ALU64_IMM(ADD, 0, 1000),
		BK_EXIT(),
		BK_MOV64_REG(0, 1),
		BK_ALU64_IMM(ADD, 0, 1),
		BK_EXIT(),
	};
	struct bk_insn bad[] = {BK_MOV64_IMM(2, 100000), BK_I(CALLX, 2, 0, 0, 0), BK_EXIT()};
	struct vt v;

	CHECK_EQ(vt_both(helper, NULL, 0), 0);
	CHECK_EQ(vt_both(func, NULL, 0), 1042);
	CHECK_EQ(vt_run(&v, bad, ARRAY_LEN(bad), BK_VM_CHECKED, NULL, 0), -BK_E_VM_CALLX);
	CHECK_EQ(v.diag.insn, 1);
	vt_fini(&v);
}

TEST(interp_load_refusals_name_the_instruction)
{
	struct bk_insn jump_out[] = {BK_MOV64_IMM(0, 0), BK_JA(5), BK_EXIT()};
	struct bk_insn jump_lddw[] = {BK_JA(1), BK_LD_IMM64(0, 1), BK_EXIT()};
	struct bk_insn r10[] = {BK_MOV64_IMM(0, 0), BK_ALU64_IMM(ADD, 10, 8), BK_EXIT()};
	struct bk_insn fetch_r10[] = {BK_ATOMIC(64_FETCH_ADD, 1, 10, 0), BK_EXIT()};
	struct bk_insn helper[] = {BK_CALL(100000), BK_EXIT()};
	struct bk_insn kfunc[] = {BK_I(CALL_KFUNC, 0, 0, 0, 1234), BK_EXIT()};
	struct bk_insn btf[] = {LDDW2(LDDW_BTF_ID, 0, 5, 0), BK_EXIT()};
	struct bk_insn map[] = {BK_LD_MAP_FD(1, 77), BK_EXIT()};
	struct vt v = {0};

	CHECK_EQ(vt_load(&v, jump_out, ARRAY_LEN(jump_out), NULL), -BK_E_VM_JUMP);
	CHECK_EQ(v.diag.insn, 1);
	CHECK_EQ(vt_load(&v, jump_lddw, ARRAY_LEN(jump_lddw), NULL), -BK_E_VM_JUMP);
	CHECK_EQ(v.diag.insn, 0);
	CHECK_EQ(vt_load(&v, r10, ARRAY_LEN(r10), NULL), -BK_E_VM_R10);
	CHECK_EQ(v.diag.insn, 1);
	CHECK_EQ(vt_load(&v, fetch_r10, ARRAY_LEN(fetch_r10), NULL), -BK_E_VM_R10);
	CHECK_EQ(vt_load(&v, helper, ARRAY_LEN(helper), NULL), -BK_E_VM_HELPER);
	CHECK_EQ(v.diag.insn, 0);
	CHECK_EQ(vt_load(&v, kfunc, ARRAY_LEN(kfunc), NULL), -BK_E_VM_KFUNC);
	CHECK_EQ(vt_load(&v, btf, ARRAY_LEN(btf), NULL), -BK_E_VM_UNSUPPORTED);
	CHECK_EQ(vt_load(&v, map, ARRAY_LEN(map), NULL), -BK_E_VM_MAP);
	vt_fini(&v);
}

TEST(interp_checked_faults_name_the_instruction)
{
	uint8_t mem[8] = {0};
	struct bk_insn read_past[] = {BK_MOV64_IMM(0, 0), BK_LDX_MEM(W, 0, 1, 6), BK_EXIT()};
	struct bk_insn write_past[] = {BK_ST_MEM(B, 1, 8, 1), BK_EXIT()};
	struct bk_insn below_frame[] = {BK_MOV64_IMM(0, 0), BK_MOV64_IMM(0, 1),
					BK_LDX_MEM(DW, 0, 10, -520), BK_EXIT()};
	struct bk_insn above_stack[] = {BK_LDX_MEM(B, 0, 10, 0), BK_EXIT()};
	struct bk_insn null[] = {BK_MOV64_IMM(1, 0), BK_LDX_MEM(B, 0, 1, 0), BK_EXIT()};
	struct bk_insn wild[] = {BK_LD_IMM64(1, 0x1000), BK_ST_MEM(DW, 1, 0, 1), BK_EXIT()};
	struct bk_insn misaligned[] = {BK_MOV64_IMM(1, 1), BK_ATOMIC(64_ADD, 10, 1, -7), BK_EXIT()};
	struct vt v;

	CHECK_EQ(vt_run(&v, read_past, ARRAY_LEN(read_past), BK_VM_CHECKED, mem, sizeof(mem)),
		 -BK_E_VM_MEM);
	CHECK_EQ(v.diag.insn, 1);
	vt_fini(&v);
	CHECK_EQ(vt_run(&v, write_past, ARRAY_LEN(write_past), BK_VM_CHECKED, mem, sizeof(mem)),
		 -BK_E_VM_MEM);
	CHECK_EQ(v.diag.insn, 0);
	vt_fini(&v);
	CHECK_EQ(vt_run(&v, below_frame, ARRAY_LEN(below_frame), BK_VM_CHECKED, NULL, 0),
		 -BK_E_VM_MEM);
	CHECK_EQ(v.diag.insn, 2);
	vt_fini(&v);
	CHECK_EQ(vt_run(&v, above_stack, ARRAY_LEN(above_stack), BK_VM_CHECKED, NULL, 0),
		 -BK_E_VM_MEM);
	vt_fini(&v);
	CHECK_EQ(vt_run(&v, null, ARRAY_LEN(null), BK_VM_CHECKED, NULL, 0), -BK_E_VM_MEM);
	CHECK_EQ(v.diag.insn, 1);
	vt_fini(&v);
	CHECK_EQ(vt_run(&v, wild, ARRAY_LEN(wild), BK_VM_CHECKED, NULL, 0), -BK_E_VM_MEM);
	CHECK_EQ(v.diag.insn, 2);
	vt_fini(&v);
	CHECK_EQ(vt_run(&v, misaligned, ARRAY_LEN(misaligned), BK_VM_CHECKED, NULL, 0),
		 -BK_E_VM_MEM);
	CHECK_EQ(v.diag.insn, 1);
	vt_fini(&v);
	/* up to the last byte is fine */
	read_past[1].off = 4;
	CHECK_EQ(vt_run(&v, read_past, ARRAY_LEN(read_past), BK_VM_CHECKED, mem, sizeof(mem)), 0);
	vt_fini(&v);
}

TEST(interp_falloff_and_budget)
{
	struct bk_insn falloff[] = {BK_MOV64_IMM(0, 0), BK_MOV64_IMM(1, 0)};
	struct bk_insn loop[] = {BK_MOV64_IMM(0, 0), BK_JA(-1), BK_EXIT()};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_CHECKED, .budget = 1000};
	struct vt v;

	CHECK_EQ(vt_run(&v, falloff, ARRAY_LEN(falloff), BK_VM_TRUSTED, NULL, 0), -BK_E_VM_FALLOFF);
	CHECK_EQ(v.diag.insn, 1);
	vt_fini(&v);
	memset(&v, 0, sizeof(v));
	REQUIRE_EQ(vt_load(&v, loop, ARRAY_LEN(loop), NULL), 0);
	REQUIRE_EQ(bk_vm_run__new(v.vm, &ro, &v.run), 0);
	bk_vm_run__ctx_raw(v.run, NULL, 0);
	CHECK_EQ(bk_vm_run__exec(v.run, v.prog, &v.r0, &v.diag), -BK_E_VM_BUDGET);
	CHECK_EQ(v.diag.insn, 1);
	CHECK_EQ(bk_vm_run__insn_count(v.run), 1001);
	vt_fini(&v);
}

TEST(interp_may_goto_ends_a_loop)
{
	struct bk_insn p[] = {
		BK_MOV64_IMM(0, 0), BK_I(MAY_GOTO, 0, 0, 2, 0), BK_ALU64_IMM(ADD, 0, 1), BK_JA(-3),
		BK_EXIT(),
	};

	CHECK_EQ(vt_both(p, NULL, 0), BK_VM_MAX_LOOPS);
}

TEST(interp_ld_abs_ind)
{
	uint8_t pkt[6] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc};
	struct bk_insn abs[] = {BK_I(LDABSW, 0, 0, 0, 1), BK_EXIT()};
	struct bk_insn ind[] = {BK_MOV64_IMM(3, 2), BK_I(LDINDH, 0, 3, 0, 2), BK_EXIT()};
	struct bk_insn oob[] = {BK_MOV64_IMM(0, 5), BK_I(LDABSH, 0, 0, 0, 5), BK_MOV64_IMM(0, 9),
				BK_EXIT()};

	CHECK_EQ(vt_both(abs, pkt, sizeof(pkt)), 0x3456789a);
	CHECK_EQ(vt_both(ind, pkt, sizeof(pkt)), 0x9abc);
	CHECK_EQ(vt_both(oob, pkt, sizeof(pkt)), 0); /* out of range: r0 = 0, program ends */
}

TEST(interp_lddw_and_r10)
{
	struct bk_insn p[] = {BK_LD_IMM64(0, 0xdeadbeefcafef00dull), BK_EXIT()};
	struct bk_insn r10[] = {BK_MOV64_REG(0, 10), BK_ALU64_REG(SUB, 0, 10), BK_EXIT()};

	CHECK_EQ(vt_both(p, NULL, 0), 0xdeadbeefcafef00dull);
	CHECK_EQ(vt_both(r10, NULL, 0), 0);
}

/* Counted loops (a step and a test of each compare kind) agree in both
 * modes, also when control jumps straight to the test. */
TEST(interp_counted_loops)
{
	static const struct {
		struct bk_insn jump;
		uint64_t want;
	} cases[] = {
		{BK_JMP_IMM(JLT, 1, 10, -2), 10}, {BK_JMP_IMM(JLE, 1, 10, -2), 11},
		{BK_JMP_IMM(JNE, 1, 10, -2), 10}, {BK_JMP_IMM(JSLT, 1, 10, -2), 10},
		{BK_JMP_REG(JLT, 1, 2, -2), 7},	  {BK_JMP_REG(JNE, 1, 2, -2), 7},
		{BK_JMP_IMM(JGT, 1, 3, -2), 1}, /* falls through at once */
	};

	for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
		/* r0 counts rounds; r1 is the counter stepped by the fused add */
		struct bk_insn p[] = {
			BK_MOV64_IMM(0, 0),	 BK_MOV64_IMM(1, 0), BK_MOV64_IMM(2, 7),
			BK_ALU64_IMM(ADD, 0, 1), /* 3: loop */
			BK_ALU64_IMM(ADD, 1, 1), cases[c].jump,	     BK_EXIT(),
		};

		p[5].off = -3;
		CHECK_EQ(vt_both(p, NULL, 0), cases[c].want);
	}
	{
		/* a jump straight to the test */
		struct bk_insn p[] = {
			BK_MOV64_IMM(1, 5),
			BK_JA(1),
			BK_ALU64_IMM(ADD, 1, 100), /* skipped */
			BK_JMP_IMM(JLT, 1, 6, 1),  /* jumped to: 5 < 6 */
			BK_MOV64_IMM(1, 0),
			BK_MOV64_REG(0, 1),
			BK_EXIT(),
		};

		CHECK_EQ(vt_both(p, NULL, 0), 5);
	}
}
