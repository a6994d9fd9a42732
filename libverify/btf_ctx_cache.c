// SPDX-License-Identifier: MIT
/*
 * btf_ctx_cache.c - what verifications of many programs share: the
 * running kernel's BTF, read once, and an index of its struct, union,
 * typedef and function names (a program's typed context or helper asks by
 * name; libbpf's lookup walks all 100,000+ types each time).
 *
 * The caller owns the cache (bk_verify_cache__new/free) and passes it in
 * bk_verify_opts; without one, each bk_verify() call builds and frees its
 * own.  The index is an open-addressing hash of (kind, name) -> type id,
 * built once enough lookups were asked for to pay for it.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "types_int.h"

struct bk_verify_cache {
	struct btf *btf;
	int err;	 /* why the BTF could not be had; 0: not tried or loaded */
	uint32_t *slots; /* type ids, 0: empty */
	uint32_t mask;
	bool no_index;	  /* lookups walk the types (one run's few lookups) */
	uint32_t lookups; /* the index is built at the INDEX_AFTER-th */
};

/* A walk of the types costs about a tenth of building the index. */
#define INDEX_AFTER 4

void vcache_no_index(struct bk_verify_cache *c)
{
	c->no_index = true;
}

struct bk_verify_cache *bk_verify_cache__new(void)
{
	return calloc(1, sizeof(struct bk_verify_cache));
}

void bk_verify_cache__free(struct bk_verify_cache *c)
{
	if (!c)
		return;
	btf__free(c->btf);
	free(c->slots);
	free(c);
}

const struct btf *vcache_btf(struct bk_verify_cache *c)
{
	struct btf *b;

	if (c->btf || c->err)
		return c->btf;
	b = btf__load_vmlinux_btf();
	if (libbpf_get_error(b) || !b) {
		c->err = -ENOENT;
		return NULL;
	}
	c->btf = b;
	return b;
}

static bool indexed_kind(int kind)
{
	return kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION || kind == BTF_KIND_FUNC ||
	       kind == BTF_KIND_TYPEDEF;
}

static uint32_t hash(const char *s, int kind)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static int build_index(struct bk_verify_cache *c)
{
	uint32_t n = btf__type_cnt(c->btf), cap = 1;

	while (cap < 2 * n)
		cap <<= 1;
	c->slots = calloc(cap, sizeof(*c->slots));
	if (!c->slots)
		return -ENOMEM;
	c->mask = cap - 1;
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(c->btf, id);
		const char *name = btf__str_by_offset(c->btf, t->name_off);

		if (!indexed_kind(btf_kind(t)) || !name || !*name)
			continue;
		for (uint32_t h = hash(name, btf_kind(t)) & c->mask;; h = (h + 1) & c->mask)
			if (!c->slots[h]) {
				c->slots[h] = id;
				break;
			}
	}
	return 0;
}

int32_t vcache_find(struct bk_verify_cache *c, const char *name, int kind)
{
	if (!vcache_btf(c))
		return -1;
	if (!c->slots && (c->no_index || ++c->lookups < INDEX_AFTER || build_index(c)))
		return btf__find_by_name_kind(c->btf, name, (uint32_t)kind);
	for (uint32_t h = hash(name, kind) & c->mask; c->slots[h]; h = (h + 1) & c->mask) {
		const struct btf_type *t = btf__type_by_id(c->btf, c->slots[h]);

		if (btf_kind(t) == kind && !strcmp(btf__str_by_offset(c->btf, t->name_off), name))
			return (int32_t)c->slots[h];
	}
	return -1;
}
