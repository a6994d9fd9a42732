// SPDX-License-Identifier: MIT
/*
 * icall.c - a loop of indirect calls through a table of functions, for
 * bench-40-jit's dispatcher comparison.  Built twice: plainly
 * (-DICALL_NAME=icall_plain) and with retpolines
 * (-mindirect-branch=thunk -DICALL_NAME=icall_retpoline), so the same
 * source measures what a retpoline adds to an indirect call.
 */
#include <stdint.h>

#ifndef ICALL_NAME
#error "build with -DICALL_NAME=..."
#endif

typedef uint64_t (*icall_fn)(uint64_t);

uint64_t ICALL_NAME(const icall_fn *fns, const uint8_t *seq, long n);

uint64_t ICALL_NAME(const icall_fn *fns, const uint8_t *seq, long n)
{
	uint64_t sum = 0;

	for (long i = 0; i < n; i++)
		sum += fns[seq[i & 4095]](sum);
	return sum;
}
