// SPDX-License-Identifier: MIT
/*
 * ours.c - bpfkit's own verifier, run in-process on the program bpfload is
 * about to load, so its verdict can be shown next to the kernel's.
 */
#include <stdio.h>

#include "bpfload.h"

void bl_verify_ours(const struct bl_opts *o, const struct bl_obj *bo, struct bl_report *r)
{
	(void)o;
	(void)bo;
	r->ours.state = -1;
	snprintf(r->ours.why, sizeof(r->ours.why), "not in this build yet");
}
