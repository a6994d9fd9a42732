// SPDX-License-Identifier: MIT
/*
 * fuzz_asm.c - libFuzzer target for the assembler: arbitrary text through
 * bk_asm_raw and bk_asm.  Whatever assembles must round-trip: bytecode
 * disassembled in each syntax assembles to the same bytes, and an object
 * disassembled assembles again.  A mismatch or a crash is a bug.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi.h"

static void round_trip_raw(const struct bk_insn *insns, size_t cnt)
{
	for (uint8_t s = BK_SYNTAX_LLVM; s <= BK_SYNTAX_UBPF; s++) {
		struct bk_disasm_opts o = {.sz = sizeof(o), .syntax = s, .labels = s == 0};
		struct bk_asm_opts ao = {.sz = sizeof(ao)};
		struct bk_insn *back = NULL;
		size_t n = 0;
		char *text = NULL;

		if (bk_disasm_raw(insns, cnt, &o, &text, NULL, NULL, NULL))
			__builtin_trap(); /* assembled bytes must decode */
		if (bk_asm_raw(text, strlen(text), &ao, &back, &n, NULL) || n != cnt ||
		    memcmp(back, insns, cnt * sizeof(*insns))) {
			fprintf(stderr, "round trip differs in syntax %u:\n%s\n", s, text);
			__builtin_trap();
		}
		free(back);
		free(text);
	}
}

static void round_trip_obj(const struct bk_obj *obj)
{
	struct bk_disasm_opts o = {.sz = sizeof(o)};
	struct bk_asm_opts ao = {.sz = sizeof(ao)};
	struct bk_obj *again = NULL;
	char *text = NULL;

	if (bk_disasm_obj(obj, &o, &text, NULL, NULL, NULL))
		__builtin_trap();
	if (bk_asm(text, strlen(text), &ao, &again, NULL)) {
		fprintf(stderr, "disassembly does not assemble:\n%s\n", text);
		__builtin_trap();
	}
	for (size_t i = 0; i < bk_obj__sec_cnt(obj); i++) {
		const struct bk_sec *a = bk_obj__sec(obj, i), *b = bk_obj__sec(again, i);

		if (!b || a->cnt != b->cnt || memcmp(a->insns, b->insns, a->cnt * 8) ||
		    a->nrelocs != b->nrelocs) {
			fprintf(stderr, "object round trip differs in '%s':\n%s\n", a->name, text);
			__builtin_trap();
		}
	}
	bk_obj__free(again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_asm_opts o = {.sz = sizeof(o), .file = "fuzz.s"};
	struct bk_insn *insns = NULL;
	struct bk_obj *obj = NULL;
	struct bk_diag d;
	size_t cnt = 0;

	if (size > 1 << 16)
		return 0;
	if (!bk_asm_raw((const char *)data, size, &o, &insns, &cnt, &d))
		round_trip_raw(insns, cnt);
	else if (d.code != 12 && (d.line < 0 || d.col < 0 || !d.msg[0]))
		__builtin_trap(); /* every error says where and why */
	free(insns);
	if (!bk_asm((const char *)data, size, &o, &obj, &d))
		round_trip_obj(obj);
	bk_obj__free(obj);
	return 0;
}
