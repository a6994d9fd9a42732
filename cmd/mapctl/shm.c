// SPDX-License-Identifier: MIT
/*
 * shm.c - mapctl's backend for maps a running ring executor publishes
 * (`bpfload --ring`; libvm's bk_vm_pub): MAP is ring:NAME or ring:PID:NAME.
 * Element and batch operations go to the executor's control socket, where
 * libvm's own map code answers them with the bpf() syscall's semantics;
 * --mmap maps an array's values straight from the shared-memory file the
 * executor's maps live in, so a dump reads them live without a request.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "mapctl.h"
#include "vm.h"

static struct bk_pub_map *pm(const struct mc_map *m)
{
	return m->priv;
}

static int s_lookup(struct mc_map *m, const void *key, void *val)
{
	return bk_pub_map__lookup(pm(m), key, val);
}

static int s_update(struct mc_map *m, const void *key, const void *val, uint64_t flags)
{
	return bk_pub_map__update(pm(m), key, val, flags);
}

static int s_delete(struct mc_map *m, const void *key)
{
	return bk_pub_map__delete(pm(m), key);
}

static int s_next_key(struct mc_map *m, const void *key, void *next)
{
	return bk_pub_map__next_key(pm(m), key, next);
}

static int s_lookup_batch(struct mc_map *m, void *in, void *out, void *keys, void *vals,
			  uint32_t *count)
{
	struct bk_map_batch b = {
		.in_batch = in, .out_batch = out, .keys = keys, .values = vals, .count = *count};
	int err = bk_pub_map__lookup_batch(pm(m), &b);

	*count = b.count;
	/* libvm answers -524 (ENOTSUPP) where the syscall does: mapctl's
	 * automatic method then falls back to elements */
	return err == -524 ? -EOPNOTSUPP : err;
}

static int s_update_batch(struct mc_map *m, const void *keys, const void *vals, uint32_t *count,
			  uint64_t flags)
{
	struct bk_map_batch b = {
		.keys = (void *)keys, .values = (void *)vals, .count = *count, .elem_flags = flags};
	int err = bk_pub_map__update_batch(pm(m), &b);

	*count = b.count;
	return err;
}

static int s_map_view(struct mc_map *m, const void **base, size_t *len)
{
	return bk_pub_map__view(pm(m), base, len);
}

static void s_unmap_view(struct mc_map *m, const void *base, size_t len)
{
	(void)m;
	munmap((void *)base, len);
}

static void s_close(struct mc_map *m)
{
	bk_pub_map__close(pm(m));
	m->priv = NULL;
}

static const struct mc_ops shm_ops = {
	.source = "ring executor",
	.lookup = s_lookup,
	.update = s_update,
	.delete = s_delete,
	.next_key = s_next_key,
	.lookup_batch = s_lookup_batch,
	.update_batch = s_update_batch,
	.map_view = s_map_view,
	.unmap_view = s_unmap_view,
	.close = s_close,
};

int mc_shm_open(struct mc_map *m, const char *spec, struct bk_diag *d)
{
	const struct bk_map_attr *a;
	struct bk_pub_map *p;
	int err = bk_pub_map__open(spec, &p, d);

	if (err)
		return err;
	a = bk_pub_map__attr(p);
	m->ops = &shm_ops;
	m->priv = p;
	snprintf(m->name, sizeof(m->name), "%s", a->name);
	m->id = 0;
	m->type = a->type;
	m->key_size = a->key_size;
	m->value_size = a->value_size;
	m->max_entries = a->max_entries;
	m->flags = a->flags;
	m->frozen = 0;
	m->memlock = -1;
	m->ncpus = bk_pub_map__ncpus(p);
	m->vstride = (m->value_size + 7) & ~7u;
	m->vbytes = bk_pub_map__value_size(p);
	return 0;
}
