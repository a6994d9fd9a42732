// SPDX-License-Identifier: MIT
/*
 * map.c - the map API: creation by type, the checks the kernel's bpf()
 * syscall makes before a map type sees a command, the generic batch
 * operations (lookup by get_next_key, update and delete element by
 * element), and the BPF-side entry points.
 *
 * Errno values are the kernel's, measured on 6.18: a command a type does
 * not implement answers -ENOTSUPP (524); a key of a zero-size-key map
 * answers -EINVAL; BPF_F_LOCK answers -EINVAL (no map here holds a spin
 * lock).  Batch operations leave *count untouched when they fail before
 * starting, and report the elements done otherwise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

/* bpf_map_lookup_batch retries a key that vanished between get_next_key
 * and the lookup this many times before giving up with -EINTR. */
enum {
	LOOKUP_RETRIES = 3
};

static const struct bk_map_ops *ops_for(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
		return &bk_array_ops;
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return &bk_percpu_array_ops;
	case BPF_MAP_TYPE_PROG_ARRAY:
		return &bk_prog_array_ops;
	case BPF_MAP_TYPE_HASH:
		return &bk_hash_ops;
	case BPF_MAP_TYPE_LRU_HASH:
		return &bk_lru_hash_ops;
	case BPF_MAP_TYPE_RINGBUF:
		return &bk_ringbuf_ops;
	case BPF_MAP_TYPE_LPM_TRIE:
		return &bk_lpm_ops;
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_XSKMAP:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		return &bk_dev_ops;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
	case BPF_MAP_TYPE_BLOOM_FILTER:
		return &bk_queue_ops;
	default:
		return NULL;
	}
}

const char *bk_map_type_name(uint32_t type)
{
	const char *s = bk_map_type_str(type);

	return s ? s : "unknown";
}

bool bk_map_type_supported(uint32_t type)
{
	return ops_for(type) != NULL;
}

/* A placeholder answers nothing: every command is -ENOTSUPP (the
 * generic entry points find no operation), programs that name it are
 * refused at load (prog.c). */
static int placeholder_create(struct bk_map *m)
{
	(void)m;
	return 0;
}

static void placeholder_destroy(struct bk_map *m)
{
	(void)m;
}

static const struct bk_map_ops placeholder_ops = {
	.create = placeholder_create,
	.destroy = placeholder_destroy,
};

bool bk_map__is_placeholder(const struct bk_map *m)
{
	return m->ops == &placeholder_ops;
}

static int map_new(struct bk_vm *vm, const struct bk_map_attr *attr, const struct bk_map_ops *ops,
		   struct bk_map **out, struct bk_diag *diag)
{
	struct bk_map *m;
	int err;

	m = calloc(1, sizeof(*m));
	if (!m)
		return bk_diag__set(diag, ENOMEM, -1, "out of memory");
	m->vm = vm;
	m->ops = ops;
	m->attr = *attr;
	m->attr.name[sizeof(m->attr.name) - 1] = '\0';
	m->ncpus = vm->ncpus;
	pthread_mutex_init(&m->lock, NULL);
	err = ops->create(m);
	if (err) {
		ops->destroy(m);
		pthread_mutex_destroy(&m->lock);
		free(m);
		return bk_diag__set(
			diag, -err, -1,
			"map %.16s: the kernel refuses these attributes (type %u, key %u, "
			"value %u, entries %u, flags %#x)",
			attr->name, attr->type, attr->key_size, attr->value_size, attr->max_entries,
			attr->flags);
	}
	m->region.writable = !(m->attr.flags & BPF_F_RDONLY_PROG);
	pthread_mutex_lock(&vm->lock);
	m->id = vm->next_map_id++;
	m->next = vm->maps;
	if (vm->maps)
		vm->maps->prev = m;
	vm->maps = m;
	pthread_mutex_unlock(&vm->lock);
	*out = m;
	return 0;
}

int bk_map__new(struct bk_vm *vm, const struct bk_map_attr *attr, struct bk_map **out,
		struct bk_diag *diag)
{
	const struct bk_map_ops *ops = ops_for(attr->type);

	if (!ops)
		return bk_diag__set(diag, EINVAL, -1,
				    "map %.16s: type %u (%s) is not supported by the VM",
				    attr->name, attr->type, bk_map_type_name(attr->type));
	return map_new(vm, attr, ops, out, diag);
}

int bk_map__new_placeholder(struct bk_vm *vm, const struct bk_map_attr *attr, struct bk_map **out,
			    struct bk_diag *diag)
{
	return map_new(vm, attr, &placeholder_ops, out, diag);
}

void bk_map__free(struct bk_map *m)
{
	struct bk_vm *vm;

	if (!m)
		return;
	vm = m->vm;
	pthread_mutex_lock(&vm->lock);
	if (m->prev)
		m->prev->next = m->next;
	else
		vm->maps = m->next;
	if (m->next)
		m->next->prev = m->prev;
	pthread_mutex_unlock(&vm->lock);
	m->ops->destroy(m);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

const struct bk_map_attr *bk_map__attr(const struct bk_map *m)
{
	return &m->attr;
}

uint32_t bk_map__id(const struct bk_map *m)
{
	return m->id;
}

size_t bk_map__user_value_size(const struct bk_map *m)
{
	if (m->attr.type == BPF_MAP_TYPE_PERCPU_ARRAY)
		return (size_t)ROUND_UP(m->attr.value_size, 8) * m->ncpus;
	return m->attr.value_size;
}

uint32_t bk_map__count(const struct bk_map *m)
{
	return m->ops->count ? m->ops->count(m) : 0;
}

/* BPF_F_RDONLY / BPF_F_WRONLY maps refuse user space writes / reads
 * (-EPERM), before anything else is looked at. */
static int perm(const struct bk_map *m, bool read, bool write)
{
	if ((read && (m->attr.flags & BPF_F_WRONLY)) || (write && (m->attr.flags & BPF_F_RDONLY)))
		return -EPERM;
	return 0;
}

/* A key for a map whose key size is 0 is refused, as the syscall's copy of
 * the key refuses it. */
static int key_ok(const struct bk_map *m, const void *key)
{
	if (!m->attr.key_size && key)
		return -EINVAL;
	return 0;
}

int bk_map__lookup(struct bk_map *m, const void *key, void *value, uint64_t flags)
{
	if (perm(m, true, false))
		return -EPERM;
	if (flags & ~(uint64_t)BPF_F_LOCK)
		return -EINVAL;
	if (flags & BPF_F_LOCK)
		return -EINVAL;
	if (key_ok(m, key))
		return -EINVAL;
	return m->ops->lookup ? m->ops->lookup(m, key, value, flags) : -BK_ENOTSUPP;
}

int bk_map__update(struct bk_map *m, const void *key, const void *value, uint64_t flags)
{
	if (perm(m, false, true))
		return -EPERM;
	if (flags & BPF_F_LOCK)
		return -EINVAL;
	if (key_ok(m, key))
		return -EINVAL;
	return m->ops->update ? m->ops->update(m, key, value, flags) : -BK_ENOTSUPP;
}

int bk_map__delete(struct bk_map *m, const void *key)
{
	if (perm(m, false, true))
		return -EPERM;
	if (key_ok(m, key))
		return -EINVAL;
	return m->ops->delete ? m->ops->delete(m, key) : -BK_ENOTSUPP;
}

int bk_map__get_next_key(struct bk_map *m, const void *key, void *next)
{
	if (perm(m, true, false))
		return -EPERM;
	if (key_ok(m, key))
		return -EINVAL;
	return m->ops->next_key ? m->ops->next_key(m, key, next) : -BK_ENOTSUPP;
}

int bk_map__lookup_and_delete(struct bk_map *m, const void *key, void *value, uint64_t flags)
{
	if (perm(m, true, true))
		return -EPERM;
	if (key_ok(m, key))
		return -EINVAL;
	if (!m->ops->lookup_and_delete)
		return -BK_ENOTSUPP;
	if (flags & ~(uint64_t)BPF_F_LOCK)
		return -EINVAL;
	if (flags & BPF_F_LOCK)
		return -EINVAL;
	return m->ops->lookup_and_delete(m, key, value, flags);
}

size_t bk_map__batch_token_size(const struct bk_map *m)
{
	return m->ops->token_size ? m->ops->token_size : m->attr.key_size;
}

/* The kernel's generic batch lookup: walks keys with get_next_key from
 * in_batch (the last key of the previous batch); out_batch gets the last
 * key copied. */
static int generic_lookup_batch(struct bk_map *m, struct bk_map_batch *b)
{
	uint32_t ks = m->attr.key_size, max = b->count, cp = 0;
	size_t vs = bk_map__user_value_size(m);
	uint8_t *prev = NULL, *buf = NULL, *key;
	int err = 0, retry = LOOKUP_RETRIES;

	if (b->elem_flags & ~(uint64_t)BPF_F_LOCK || b->elem_flags & BPF_F_LOCK)
		return -EINVAL;
	if (!max)
		return 0;
	b->count = 0;
	buf = malloc(2 * (size_t)ks + 1);
	if (!buf)
		return -ENOMEM;
	if (b->in_batch) {
		memcpy(buf, b->in_batch, ks);
		prev = buf;
	}
	key = buf + ks;
	while (cp < max) {
		uint8_t *t;

		err = m->ops->next_key(m, prev, key);
		if (err)
			break;
		err = m->ops->lookup(m, key, (uint8_t *)b->values + cp * vs, 0);
		if (err == -ENOENT) {
			if (retry--)
				continue;
			err = -EINTR;
			break;
		}
		if (err)
			break;
		memcpy((uint8_t *)b->keys + (size_t)cp * ks, key, ks);
		if (!prev)
			prev = buf;
		t = prev;
		prev = key;
		key = t;
		retry = LOOKUP_RETRIES;
		cp++;
	}
	b->count = cp;
	if (cp && b->out_batch)
		memcpy(b->out_batch, prev, ks);
	free(buf);
	return err;
}

int bk_map__lookup_batch(struct bk_map *m, struct bk_map_batch *b)
{
	if (perm(m, true, false))
		return -EPERM;
	if (m->ops->lookup_batch)
		return m->ops->lookup_batch(m, b, false);
	if (!m->ops->has_lookup_batch)
		return -BK_ENOTSUPP;
	return generic_lookup_batch(m, b);
}

int bk_map__lookup_and_delete_batch(struct bk_map *m, struct bk_map_batch *b)
{
	if (perm(m, true, true))
		return -EPERM;
	if (!m->ops->lookup_batch || !m->ops->has_lookup_and_delete_batch)
		return -BK_ENOTSUPP;
	return m->ops->lookup_batch(m, b, true);
}

int bk_map__update_batch(struct bk_map *m, struct bk_map_batch *b)
{
	uint32_t ks = m->attr.key_size, count = b->count, cp;
	size_t vs = bk_map__user_value_size(m);
	int err = 0;

	if (perm(m, false, true))
		return -EPERM;
	if (!m->ops->has_update_batch)
		return -BK_ENOTSUPP;
	if (b->elem_flags & ~(uint64_t)BPF_F_LOCK || b->elem_flags & BPF_F_LOCK)
		return -EINVAL;
	if (!count)
		return 0;
	b->count = 0;
	for (cp = 0; cp < count; cp++) {
		err = m->ops->update(m, (const uint8_t *)b->keys + (size_t)cp * ks,
				     (const uint8_t *)b->values + cp * vs, b->elem_flags);
		if (err)
			break;
	}
	b->count = cp;
	return err;
}

int bk_map__delete_batch(struct bk_map *m, struct bk_map_batch *b)
{
	uint32_t ks = m->attr.key_size, count = b->count, cp;
	int err = 0;

	if (perm(m, false, true))
		return -EPERM;
	if (!m->ops->has_delete_batch)
		return -BK_ENOTSUPP;
	if (b->elem_flags & ~(uint64_t)BPF_F_LOCK || b->elem_flags & BPF_F_LOCK)
		return -EINVAL;
	if (!count)
		return 0;
	b->count = 0;
	for (cp = 0; cp < count; cp++) {
		err = m->ops->delete(m, (const uint8_t *)b->keys + (size_t)cp * ks);
		if (err)
			break;
	}
	b->count = cp;
	return err;
}

void *bk_map__bpf_lookup(struct bk_map *m, const void *key, uint32_t cpu)
{
	return m->ops->bpf_lookup ? m->ops->bpf_lookup(m, key, cpu) : NULL;
}

long bk_map__bpf_update(struct bk_map *m, const void *key, const void *value, uint64_t flags,
			uint32_t cpu)
{
	return m->ops->bpf_update ? m->ops->bpf_update(m, key, value, flags, cpu) : -EINVAL;
}

long bk_map__bpf_delete(struct bk_map *m, const void *key, uint32_t cpu)
{
	return m->ops->bpf_delete ? m->ops->bpf_delete(m, key, cpu) : -EINVAL;
}
