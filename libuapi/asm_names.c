// SPDX-License-Identifier: MIT
/*
 * asm_names.c - helper and kfunc names for the assembler and disassembler.
 *
 * Names come from the helper table (bk_helper_by_id/by_name); the kernel
 * uAPI header's helper list (ids in order) fills in any it lacks, so every
 * helper the installed <linux/bpf.h> knows has a name.
 */
#include <linux/bpf.h>
#include <string.h>

#include "asm_int.h"

#define BK_HELPER_NAME(x) "bpf_" #x
static const char *const uapi_helpers[] = {__BPF_FUNC_MAPPER(BK_HELPER_NAME)};
#undef BK_HELPER_NAME

#define N_UAPI (sizeof(uapi_helpers) / sizeof(uapi_helpers[0]))

const char *asm_helper_name(uint32_t id)
{
	const struct bk_helper *h = bk_helper_by_id(id);

	if (h && h->name)
		return h->name;
	if (id > 0 && id < N_UAPI)
		return uapi_helpers[id];
	return NULL;
}

int asm_helper_id(const char *name, size_t len)
{
	char buf[128];
	const struct bk_helper *h;

	if (len < sizeof(buf)) {
		memcpy(buf, name, len);
		buf[len] = '\0';
		h = bk_helper_by_name(buf);
		if (h)
			return (int)h->id;
	}
	for (size_t i = 1; i < N_UAPI; i++)
		if (strlen(uapi_helpers[i]) == len && !memcmp(uapi_helpers[i], name, len))
			return (int)i;
	return -1;
}

bool asm_kfunc_known(const char *name)
{
	return bk_kfunc_by_name(name) != NULL;
}
