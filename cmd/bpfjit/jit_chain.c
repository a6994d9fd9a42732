// SPDX-License-Identifier: MIT
/* jit_chain.c - `bpfjit run A.o B.o` (in progress). */
#include <errno.h>

#include "bpfjit.h"

int bj_cmd_run_chain(const struct bj_opts *o)
{
	struct bk_diag d;

	bk_diag__init(&d);
	bk_diag__set(&d, ENOSYS, -1, "chains: not yet");
	return bj_fail(o, &d, TOOL_EXIT_USAGE);
}
