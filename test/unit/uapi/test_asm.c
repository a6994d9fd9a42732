// SPDX-License-Identifier: MIT
/*
 * Unit tests of the assembler (libuapi/asm*.c): each syntax and their
 * mixing, immediates and their ranges, labels, calls, directives, maps and
 * relocations, and errors by code, line and column.
 */
#include <stdlib.h>

#include "harness.h"
#include "uapi.h"

/* Assembles text to raw bytecode; returns the slot count or the error. */
static int raw(const char *text, struct bk_insn *out, size_t max, struct bk_diag *diag)
{
	struct bk_asm_opts o = {.sz = sizeof(o), .file = "t.s"};
	struct bk_insn *insns = NULL;
	size_t cnt = 0;
	int err = bk_asm_raw(text, strlen(text), &o, &insns, &cnt, diag);

	if (!err && out)
		memcpy(out, insns, (cnt < max ? cnt : max) * sizeof(*insns));
	free(insns);
	return err ? err : (int)cnt;
}

/* Expects text to fail with code at line:col. */
static void fails(const char *text, int code, int line, int col)
{
	struct bk_diag d;
	int err = raw(text, NULL, 0, &d);

	if (!CHECK_EQ(err, -code) || !CHECK_EQ(d.line, line) || !CHECK_EQ(d.col, col))
		fprintf(stderr, "    for: %s\n    got: %d:%d %s\n", text, d.line, d.col, d.msg);
	CHECK_EQ(d.code, code);
}

static bool same(const struct bk_insn *a, const struct bk_insn *b, size_t n)
{
	return !memcmp(a, b, n * sizeof(*a));
}

TEST(asm_three_syntaxes_give_the_same_bytes)
{
	static const char *const forms[][3] = {
		{"r0 = 1", "(b7) r0 = 1", "mov %r0, 1"},
		{"w1 += w2", "(0c) w1 += w2", "add32 %r1, %r2"},
		{"r1 = *(u32 *)(r2 + 8)", "(61) r1 = *(u32 *)(r2 +8)", "ldxw %r1, [%r2+8]"},
		{"*(u64 *)(r10 - 8) = r1", "(7b) *(u64 *)(r10 -8) = r1", "stxdw [%r10-8], %r1"},
		{"if r1 > 5 goto +3", "(25) if r1 > 0x5 goto pc+3", "jgt %r1, 5, +3"},
		{"r1 s/= -3", "(37) r1 s/= -3", "sdiv %r1, -3"},
		{"w1 = (s8)w2", "(bc) w1 = (s8)w2", "movsx832 %r1, %r2"},
		{"r1 = bswap16 r1", "(d7) r1 = bswap16 r1", "swap16 %r1"},
		{"lock *(u64 *)(r1 + 0) += r2", "(db) lock *(u64 *)(r1 +0) += r2",
		 "lock add [%r1], %r2"},
		{"r0 = atomic_fetch_xor((u64 *)(r10 - 8), r0)",
		 "(db) r0 = atomic64_fetch_xor((u64 *)(r10 -8), r0)",
		 "lock fetch xor [%r10-8], %r0"},
		{"w0 = cmpxchg32_32(r1 + 4, w0, w2)",
		 "(c3) r0 = atomic_cmpxchg((u32 *)(r1 +4), r0, r2)", "lock cmpxchg32 [%r1+4], %r2"},
		{"call 1", "(85) call bpf_map_lookup_elem#1", "call bpf_map_lookup_elem"},
		{"gotol +7", "(06) gotol pc+7", "ja32 +7"},
		{"r0 = *(u16 *)skb[12]", "(28) r0 = *(u16 *)skb[12]", "ldabsh 12"},
		{"r0 = *(u32 *)skb[r1 + 4]", "(40) r0 = *(u32 *)skb[r1 + 4]", "ldindw %r1, 4"},
		{"callx r3", "(8d) callx r3", "call %r3"},
	};

	for (size_t i = 0; i < ARRAY_LEN(forms); i++) {
		struct bk_insn a[2], b[2];
		struct bk_diag d;

		REQUIRE_EQ(raw(forms[i][0], a, 2, &d), 1);
		for (int s = 1; s < 3; s++) {
			if (!CHECK_EQ(raw(forms[i][s], b, 2, &d), 1) || !CHECK(same(a, b, 1)))
				fprintf(stderr, "    '%s' vs '%s': %s\n", forms[i][0], forms[i][s],
					d.msg);
		}
	}
}

TEST(asm_lddw_forms)
{
	struct bk_insn a[2], b[2], want[] = {BK_LD_IMM64(1, 0x1122334455667788ull)};
	struct bk_diag d;

	REQUIRE_EQ(raw("r1 = 0x1122334455667788 ll", a, 2, &d), 2);
	CHECK(same(a, want, 2));
	/* The kernel log writes ld_imm64 without "ll". */
	REQUIRE_EQ(raw("r1 = 0x1122334455667788", b, 2, &d), 2);
	CHECK(same(a, b, 2));
	REQUIRE_EQ(raw("lddw %r1, 0x1122334455667788", b, 2, &d), 2);
	CHECK(same(a, b, 2));
	/* A small value is a mov unless "ll" or the (18) prefix says otherwise. */
	CHECK_EQ(raw("r1 = 5", b, 2, &d), 1);
	CHECK_EQ(raw("r1 = 5 ll", b, 2, &d), 2);
	CHECK_EQ(raw("(18) r1 = 0x5", b, 2, &d), 2);
	CHECK_EQ(raw("lddw %r0, 0xFFFFFFFFFFFFFFFF", b, 2, &d), 2);
	CHECK_EQ(b[0].imm, -1);
	CHECK_EQ(b[1].imm, -1);
	/* Pseudo sources. */
	REQUIRE_EQ(raw("r1 = map[fd:5] ll", b, 2, &d), 2);
	CHECK_EQ(b[0].src, 1);
	CHECK_EQ(b[0].imm, 5);
	REQUIRE_EQ(raw("r2 = map[idx:3][0]+16", b, 2, &d), 2);
	CHECK_EQ(b[0].src, 6);
	CHECK_EQ(b[1].imm, 16);
}

TEST(asm_immediate_ranges)
{
	struct bk_insn a[2];
	struct bk_diag d;

	CHECK_EQ(raw("mov32 %r0, 0xffffffff", a, 2, &d), 1);
	CHECK_EQ(a[0].imm, -1);
	CHECK_EQ(raw("mov32 %r0, -2147483648", a, 2, &d), 1);
	CHECK_EQ(raw("mov32 %r0, 2147483647", a, 2, &d), 1);
	fails("mov32 %r0, 2147483648", BK_E_ASM_RANGE, 1, 12);
	fails("mov32 %r0, 0x100000000", BK_E_ASM_RANGE, 1, 12);
	fails("r1 += -2147483649", BK_E_ASM_RANGE, 1, 7);
	fails("ldxb %r0, [%r1+0x10000]", BK_E_ASM_RANGE, 1, 16);
	fails("r0 = *(u8 *)(r1 + 32768)", BK_E_ASM_RANGE, 1, 19);
	CHECK_EQ(raw("r0 = *(u8 *)(r1 - 32768)", a, 2, &d), 1);
	CHECK_EQ(a[0].off, -32768);
	fails("goto +32768", BK_E_ASM_RANGE, 1, 6);
	fails("lddw %r0, 0x10000000000000000", BK_E_ASM_RANGE, 1, 11);
}

TEST(asm_errors_have_line_and_column)
{
	fails("exit\n  ldxq %r0, %r1\n", BK_E_ASM_MNEMONIC, 2, 3);
	fails("or %r0, %r50", BK_E_ASM_REG, 1, 9);
	fails("r11 = 1", BK_E_ASM_REG, 1, 1);
	fails("lddw %r0", BK_E_ASM_OPERANDS, 1, 9);
	fails("lock or [%r10-8]", BK_E_ASM_OPERANDS, 1, 17);
	fails("ja NOT_A_LABEL\nexit", BK_E_ASM_LABEL, 1, 4);
	fails("x:\nx:\nexit", BK_E_ASM_LABEL, 2, 1);
	fails(".foo 1", BK_E_ASM_DIRECTIVE, 1, 1);
	fails("w1 += r2", BK_E_ASM_REG, 1, 1);
	fails("r1 = -r2", BK_E_ASM_OPERANDS, 1, 6);
	fails("if r1 ?? 3 goto +1", BK_E_ASM_SYNTAX, 1, 7);
	fails("call nowhere", BK_E_ASM_SYMBOL, 1, 6);
	fails("exit exit", BK_E_ASM_OPERANDS, 1, 6);
	fails("mov %r0, 1 junk", BK_E_ASM_OPERANDS, 1, 12);
	fails("r0 = 1 `", BK_E_ASM_SYNTAX, 1, 8);
	fails("\n\n\tgoto 3", BK_E_ASM_OPERANDS, 3, 7);
	fails("# only a comment\n", BK_E_PROG_EMPTY, 0, 0);
}

TEST(asm_labels_comments_and_mixing)
{
	static const char text[] = "# comment\n"
				   "start:  mov %r0, 0      // ubpf\n"
				   "        r1 = 3          ; llvm\n"
				   "loop:   r0 += r1\n"
				   "        w1 -= 1\n"
				   "        jne %r1, 0, loop\n"
				   "   12: (05) goto pc+0\n"
				   "        if r0 == 6 goto out <out>\n"
				   "        exit\n"
				   "out:    call bpf_ktime_get_ns#5\n"
				   "        exit\n";
	struct bk_insn p[16];
	struct bk_diag d;

	REQUIRE_EQ(raw(text, p, 16, &d), 10);
	CHECK_EQ(p[4].code, BK_OPC_JNE_K);
	CHECK_EQ(p[4].off, -3);
	CHECK_EQ(p[6].code, BK_OPC_JEQ_K);
	CHECK_EQ(p[6].off, 1);
	CHECK_EQ(p[8].imm, 5);
}

TEST(asm_conformance_exit_label_and_local_calls)
{
	static const char text[] = "mov %r0, 1\n"
				   "jne %r0, 1, exit\n"
				   "call local f\n"
				   "exit\n"
				   "f:\n"
				   "mov %r0, 2\n"
				   "exit\n";
	struct bk_insn p[8];
	struct bk_diag d;

	REQUIRE_EQ(raw(text, p, 8, &d), 6);
	CHECK_EQ(p[1].off, 1); /* to the first exit */
	CHECK_EQ(p[2].src, 1);
	CHECK_EQ(p[2].imm, 1);
}

TEST(asm_conformance_file_sections)
{
	static const char text[] = "# header\n"
				   "-- asm\n"
				   "mov %r0, 1\n"
				   "bogus\n"
				   "-- result\n"
				   "0x1\n";
	struct bk_diag d;

	fails(text, BK_E_ASM_MNEMONIC, 4, 1);
	fails("-- asm\n-- result\n0x1\n", BK_E_PROG_EMPTY, 1, 1);
	CHECK_EQ(raw("-- asm\nexit\n-- result\n0x0\n", NULL, 0, &d), 1);
}

static struct bk_obj *obj_of(const char *text, struct bk_diag *d)
{
	struct bk_asm_opts o = {.sz = sizeof(o), .file = "t.s"};
	struct bk_obj *obj = NULL;

	if (bk_asm(text, strlen(text), &o, &obj, d))
		return NULL;
	return obj;
}

TEST(asm_object_maps_data_and_relocations)
{
	static const char text[] = "\t.license \"GPL\"\n"
				   "\t.map blocklist hash key=4 value=8 entries=1024 flags=1\n"
				   "\t.data\n"
				   "\t.globl counter\n"
				   "counter: .quad 0\n"
				   "local:   .word 7, 8\n"
				   "\t.section xdp\n"
				   "\t.globl prog\n"
				   "prog:\n"
				   "\tr1 = blocklist ll\n"
				   "\tr2 = map[blocklist]\n"
				   "\tr3 = counter ll\n"
				   "\tr4 = local + 4 ll\n"
				   "\tcall sub\n"
				   "\tr0 = 2\n"
				   "\texit\n"
				   "\t.text\n"
				   "sub:\n"
				   "\tr0 = 1\n"
				   "\texit\n";
	struct bk_diag d;
	struct bk_obj *obj = obj_of(text, &d);
	const struct bk_sec *xdp = NULL;

	if (!obj)
		fprintf(stderr, "    %d:%d %s\n", d.line, d.col, d.msg);
	REQUIRE(obj != NULL);
	CHECK_STR(bk_obj__license(obj), "GPL");
	REQUIRE(bk_obj__find_map(obj, "blocklist") >= 0);
	CHECK_EQ(bk_obj__map(obj, (size_t)bk_obj__find_map(obj, "blocklist"))->max_entries, 1024);
	for (size_t i = 0; i < bk_obj__sec_cnt(obj); i++)
		if (!strcmp(bk_obj__sec(obj, i)->name, "xdp"))
			xdp = bk_obj__sec(obj, i);
	REQUIRE(xdp != NULL);
	REQUIRE_EQ(xdp->nrelocs, 5);
	CHECK_EQ(xdp->relocs[0].kind, BK_RELO_MAP);
	CHECK_EQ(xdp->relocs[1].kind, BK_RELO_MAP);
	CHECK_EQ(xdp->relocs[2].kind, BK_RELO_MAP_VALUE);
	CHECK_EQ(xdp->relocs[3].kind, BK_RELO_MAP_VALUE);
	/* A local variable: relocated against its section with the offset in imm. */
	CHECK_EQ(xdp->insns[xdp->relocs[3].insn].imm, 12);
	CHECK_EQ(xdp->relocs[4].kind, BK_RELO_CALL);
	CHECK_EQ(bk_obj__prog_cnt(obj), 1);
	bk_obj__free(obj);
}

TEST(asm_object_errors)
{
	struct bk_diag d;

	CHECK(obj_of(".map m hash key=4 value=4\nexit\n", &d) == NULL);
	CHECK_EQ(d.code, BK_E_ASM_DIRECTIVE);
	CHECK_EQ(d.line, 1);
	CHECK(obj_of(".map m nosuch entries=1\n", &d) == NULL);
	CHECK_EQ(d.col, 8);
	CHECK(obj_of("r1 = map[nomap]\nexit\n", &d) == NULL);
	CHECK_EQ(d.code, BK_E_ASM_SYMBOL);
	CHECK(obj_of(".data\nx: .byte 1\nr0 = x ll\n", &d) == NULL);
	CHECK_EQ(d.line, 3);
	/* Raw bytecode cannot hold a relocation. */
	CHECK_EQ(raw(".map m array key=4 value=4 entries=1\nr1 = m ll\nexit\n", NULL, 0, &d),
		 -BK_E_ASM_SYMBOL);
	CHECK_EQ(d.line, 2);
}

/* Unquoted section names keep their punctuation, as libbpf spells them. */
TEST(asm_section_names_with_punctuation)
{
	static const char text[] = "\t.license \"GPL\"\n"
				   "\t.section cgroup/connect4\n"
				   "\t.globl f\n"
				   "f:\n"
				   "\tr0 = 1\n"
				   "\texit\n"
				   "\t.section \"uprobe/lib.so:f+0x10\"\n"
				   "\t.globl g\n"
				   "g:\n"
				   "\tr0 = 0\n"
				   "\texit\n";
	struct bk_diag d;
	struct bk_obj *obj = obj_of(text, &d);

	REQUIRE(obj != NULL);
	REQUIRE_EQ(bk_obj__prog_cnt(obj), 2);
	CHECK_STR(bk_prog__section(bk_obj__find_prog(obj, "f")), "cgroup/connect4");
	CHECK_EQ(bk_prog__type(bk_obj__find_prog(obj, "f")), BK_PROG_CGROUP_SOCK_ADDR);
	CHECK_STR(bk_prog__section(bk_obj__find_prog(obj, "g")), "uprobe/lib.so:f+0x10");
	bk_obj__free(obj);
}
