// SPDX-License-Identifier: MIT
/*
 * fuzz_decode.c - libFuzzer target for the decoder and the disassembler:
 * arbitrary bytes as bytecode.  Decoding either succeeds or names the bad
 * instruction; a decodable program disassembles in each syntax, with and
 * without labels, to text that assembles back to the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cnt = size / 8;
	struct bk_insn *insns;
	struct bk_dinsn *d;
	struct bk_diag diag;
	int err;

	if (!cnt || cnt > 4096)
		return 0;
	insns = malloc(cnt * sizeof(*insns));
	d = malloc(cnt * sizeof(*d));
	if (!insns || !d)
		abort();
	memcpy(insns, data, cnt * sizeof(*insns));
	err = bk_decode_prog(insns, cnt, d, &diag);
	if (err && (diag.insn < 0 || (size_t)diag.insn >= cnt || !diag.msg[0]))
		__builtin_trap(); /* a refusal names the instruction */
	for (uint8_t s = BK_SYNTAX_LLVM; s <= BK_SYNTAX_UBPF && !err; s++) {
		for (int labels = 0; labels < 2; labels++) {
			struct bk_disasm_opts o = {.sz = sizeof(o), .syntax = s, .labels = labels};
			struct bk_asm_opts ao = {.sz = sizeof(ao)};
			struct bk_disasm_line *lines = NULL;
			struct bk_insn *back = NULL;
			size_t n = 0, nl = 0;
			char *text = NULL;

			if (bk_disasm_raw(insns, cnt, &o, &text, &lines, &nl, &diag))
				__builtin_trap();
			if (bk_asm_raw(text, strlen(text), &ao, &back, &n, &diag) || n != cnt ||
			    memcmp(back, insns, cnt * sizeof(*insns))) {
				fprintf(stderr, "syntax %u labels %d: %s\n%s\n", s, labels,
					diag.msg, text);
				__builtin_trap();
			}
			free(back);
			free(lines);
			free(text);
		}
	}
	free(d);
	free(insns);
	return 0;
}
