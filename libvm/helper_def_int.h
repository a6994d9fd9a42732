/* SPDX-License-Identifier: MIT */
/*
 * helper_def_int.h - how libvm's helper functions are written (helpers.c,
 * ctx_skb.c, ring_helpers.c): HELPER(name) defines h_name with the five
 * argument registers and the run; NEED_MEM faults the run and returns 0
 * from the helper unless [p, p + n) is memory the program may access.
 */
#ifndef BK_VM_HELPER_DEF_INT_H
#define BK_VM_HELPER_DEF_INT_H

#include <inttypes.h>

#include "vm_int.h"

#define HELPER(name)                                                                               \
	static uint64_t h_##name(                                                                  \
		uint64_t r1 __attribute__((unused)), uint64_t r2 __attribute__((unused)),          \
		uint64_t r3 __attribute__((unused)), uint64_t r4 __attribute__((unused)),          \
		uint64_t r5 __attribute__((unused)),                                               \
		struct bk_vm_run *run __attribute__((unused)))

/* Fault unless [p, p + n) is accessible (n may be 0). */
#define NEED_MEM(p, n, w, what)                                                                    \
	do {                                                                                       \
		if (!bk_vm_run__mem_ok(run, (p), (n), (w))) {                                      \
			bk_vm_run__fault(run, BK_E_VM_HELPER_ARG,                                  \
					 "%s: %s %#" PRIx64 " (%" PRIu64 " bytes) is outside "     \
					 "the program's memory",                                   \
					 __func__ + 2, (what), (uint64_t)(p), (uint64_t)(n));      \
			return 0;                                                                  \
		}                                                                                  \
	} while (0)

#endif
