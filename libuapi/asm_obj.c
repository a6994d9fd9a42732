// SPDX-License-Identifier: MIT
/* asm_obj.c - turns an assembled unit into a struct bk_obj (placeholder). */
#include <errno.h>

#include "asm_int.h"

int asm_unit_to_obj(struct asm_state *st, struct bk_obj **out)
{
	(void)st;
	*out = NULL;
	return -ENOSYS;
}
