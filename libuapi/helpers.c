// SPDX-License-Identifier: MIT
/*
 * helpers.c - lookups in the helper (helpers.def) and kfunc (kfuncs.def)
 * tables.  The helper table is indexed by id; helpers.def has every id from
 * 1 to the largest with no gaps, so by_id is an array access.  bpfkit's
 * ring helpers (BK_RING_HELPER rows, ids from BK_HELPER_RING_BASE with no
 * gaps) are a second array.
 */
#include <string.h>

#include "uapi.h"

static const struct bk_helper helpers[] = {
#define BK_HELPER(id_, name_, ret_, a1, a2, a3, a4, a5, flags_)                                    \
	[id_] = {.id = (id_),                                                                      \
		 .name = "bpf_" #name_,                                                            \
		 .ret = BK_RET_##ret_,                                                             \
		 .args = {BK_ARG_##a1, BK_ARG_##a2, BK_ARG_##a3, BK_ARG_##a4, BK_ARG_##a5},        \
		 .flags = (flags_),                                                                \
		 .proto_known = true},
#define BK_HELPER_NAME(id_, name_) [id_] = {.id = (id_), .name = "bpf_" #name_},
#include "helpers.def"
#undef BK_HELPER
};

#define NHELPERS (sizeof(helpers) / sizeof(helpers[0]))

/* bpfkit's ring helpers (ids from BK_HELPER_RING_BASE), in id order. */
static const struct bk_helper ring_helpers[] = {
#define BK_HELPER(id_, name_, ret_, a1, a2, a3, a4, a5, flags_)
#define BK_RING_HELPER(id_, name_, ret_, a1, a2, a3, a4, a5, flags_)                               \
	{.id = (id_),                                                                              \
	 .name = "bpf_" #name_,                                                                    \
	 .ret = BK_RET_##ret_,                                                                     \
	 .args = {BK_ARG_##a1, BK_ARG_##a2, BK_ARG_##a3, BK_ARG_##a4, BK_ARG_##a5},                \
	 .flags = (flags_),                                                                        \
	 .proto_known = true},
#include "helpers.def"
#undef BK_HELPER
};

#define NRING (sizeof(ring_helpers) / sizeof(ring_helpers[0]))

static const struct bk_kfunc kfuncs[] = {
#define BK_KFUNC(name_, ret_, a1, a2, a3, a4, a5, flags_, iter_)                                   \
	{.name = #name_,                                                                           \
	 .ret = BK_RET_##ret_,                                                                     \
	 .args = {BK_ARG_##a1, BK_ARG_##a2, BK_ARG_##a3, BK_ARG_##a4, BK_ARG_##a5},                \
	 .flags = (flags_),                                                                        \
	 .iter_size = (iter_)},
#include "kfuncs.def"
#undef BK_KFUNC
};

const struct bk_helper *bk_helper_by_id(uint32_t id)
{
	if (id >= BK_HELPER_RING_BASE)
		return id - BK_HELPER_RING_BASE < NRING ? &ring_helpers[id - BK_HELPER_RING_BASE]
							: NULL;
	if (id == 0 || id >= NHELPERS || !helpers[id].name)
		return NULL;
	return &helpers[id];
}

/* Accepts "bpf_map_lookup_elem" and "map_lookup_elem". */
const struct bk_helper *bk_helper_by_name(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 1; i < NHELPERS; i++) {
		const char *n = helpers[i].name;

		if (n && (!strcmp(n, name) || !strcmp(n + 4, name)))
			return &helpers[i];
	}
	for (size_t i = 0; i < NRING; i++) {
		const char *n = ring_helpers[i].name;

		if (!strcmp(n, name) || !strcmp(n + 4, name))
			return &ring_helpers[i];
	}
	return NULL;
}

uint32_t bk_helper_max_id(void)
{
	return (uint32_t)(NHELPERS - 1);
}

const struct bk_kfunc *bk_kfunc_by_name(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(kfuncs) / sizeof(kfuncs[0]); i++)
		if (!strcmp(kfuncs[i].name, name))
			return &kfuncs[i];
	return NULL;
}
