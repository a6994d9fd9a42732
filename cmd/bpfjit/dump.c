// SPDX-License-Identifier: MIT
/* dump.c - `bpfjit dump` (in progress). */
#include <errno.h>

#include "bpfjit.h"

int bj_cmd_dump(const struct bj_opts *o)
{
	struct bk_diag d;

	bk_diag__init(&d);
	bk_diag__set(&d, ENOSYS, -1, "dump: not yet");
	return bj_fail(o, &d, TOOL_EXIT_USAGE);
}
