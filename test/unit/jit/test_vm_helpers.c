// SPDX-License-Identifier: MIT
/* The VM's helper tests (test/unit/vm/test_helpers.c) run as native code,
 * bk_vm_run__exec() included: maps, bpf_loop, iterators, tail calls, ring
 * buffers, trace_printk, the XDP context. */
#define JT_REDIRECT_EXEC
#include "jittest.h"

#include "../vm/test_helpers.c"
