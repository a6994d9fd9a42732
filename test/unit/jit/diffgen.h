/* SPDX-License-Identifier: MIT */
/*
 * diffgen.h - the interpreter-against-JIT differential test: random valid
 * programs (every ALU op of insn.def including the cpu v4 ones, 32- and
 * 64-bit jumps, bounded loops with may_goto, loads and stores of every
 * size on the stack and a buffer through every register, all atomics,
 * BPF-to-BPF calls, callx, helper calls with inlined and called map
 * lookups, bpf_loop callbacks, csum_diff, legacy packet loads), run in
 * libvm's interpreter and in libjit's native code, in checked and in
 * trusted mode.  r0, the error and its instruction, the buffer (where the
 * program stores r0..r8 at the end), the whole stack and both maps must be
 * equal.
 *
 * Both engines run on the same run and maps (reset in between), so
 * pointers a program computes are the same numbers in both.  With
 * DG_FAULTS one memory access is moved out of bounds: only checked mode
 * runs, and both engines must fault with the same code at the same
 * instruction after the same side effects.  With DG_FACTS the JIT gets
 * facts (factgen.c) and must still agree; with DG_VERIFY, libverify
 * verifies the program (raw type) and, when it accepts it, the JIT gets
 * the verifier's facts (others run without facts).
 *
 * Used by test_diff.c (a few thousand programs in make check) and by
 * test/difffuzz_jit (hundreds of thousands).
 */
#ifndef BK_DIFFGEN_H
#define BK_DIFFGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi.h"

enum {
	DG_FAULTS = 1 << 0, /* one access out of bounds; checked mode only */
	DG_HARDEN = 1 << 1, /* JIT with constant blinding */
	DG_NO_BMI2 = 1 << 2,
	DG_FACTS = 1 << 3,  /* JIT with facts from factgen.c (a sound dataflow) */
	DG_VERIFY = 1 << 4, /* JIT with libverify's facts when it accepts the program */
};

struct dg_stats {
	uint64_t programs;   /* compared */
	uint64_t insns;	     /* instruction slots generated */
	uint64_t faulted;    /* runs that faulted (identically) */
	uint64_t ld_exits;   /* runs ended by an out-of-range legacy packet load */
	uint64_t verified;   /* DG_VERIFY: accepted by libverify, JITed with its facts */
	uint64_t facts_used; /* DG_VERIFY: instructions the facts shortened (bk_jit_stats) */
};

/* Generates the program of seed into out (at most cap slots); returns the
 * slot count. */
size_t dg_generate(uint64_t seed, unsigned flags, struct bk_insn *out, size_t cap);

/* Generates, runs and compares one program.  Returns 0 when the engines
 * agree, 1 on a difference (msg says what), -1 when the harness failed. */
int dg_check(uint64_t seed, unsigned flags, struct dg_stats *st, char *msg, size_t msgsz);

#endif
