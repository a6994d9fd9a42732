// SPDX-License-Identifier: MIT
/*
 * map_array.c - array, per-CPU array and prog array maps.
 *
 * Arrays keep their values in one block, element i at i * stride with
 * stride = round_up(value_size, 8): the kernel's BPF_F_MMAPABLE layout, so
 * the block can be shared as it is.  Per-CPU arrays keep the CPUs' copies of
 * one element together ([index][cpu]), the layout user space reads and
 * writes.  Prog arrays hold program pointers; user space sees program ids.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

/* Refuses maps over this many bytes of storage (-ENOMEM, as the kernel
 * does when an allocation fails). */
#define MAX_MAP_BYTES ((size_t)1 << 31)
/* The kernel's PCPU_MIN_UNIT_SIZE bounds per-CPU values. */
#define PCPU_MIN_UNIT 32768u

struct bk_array {
	uint8_t *values;
	size_t bytes;
	uint32_t stride;
	uint32_t prog_type; /* prog arrays: type of the programs held, 0: none yet */
};

static struct bk_array *arr(const struct bk_map *m)
{
	return m->priv;
}

static uint32_t key_index(const void *key)
{
	uint32_t i;

	memcpy(&i, key, sizeof(i));
	return i;
}

/* array_map_alloc_check: attributes every array type shares. */
static int array_check(const struct bk_map_attr *a)
{
	const uint32_t mask = BPF_F_NUMA_NODE | BPF_F_MMAPABLE | BPF_F_RDONLY | BPF_F_WRONLY |
			      BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | BPF_F_PRESERVE_ELEMS |
			      BPF_F_INNER_MAP;
	bool percpu = a->type == BPF_MAP_TYPE_PERCPU_ARRAY;

	if (!a->max_entries || a->key_size != 4 || !a->value_size || (a->flags & ~mask))
		return -EINVAL;
	if ((a->flags & BPF_F_RDONLY_PROG) && (a->flags & BPF_F_WRONLY_PROG))
		return -EINVAL;
	if (percpu && (a->flags & BPF_F_NUMA_NODE))
		return -EINVAL;
	if (a->type != BPF_MAP_TYPE_ARRAY && (a->flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP)))
		return -EINVAL;
	if (a->flags & BPF_F_PRESERVE_ELEMS)
		return -EINVAL;
	if (a->value_size > INT32_MAX)
		return -E2BIG;
	if (percpu && ROUND_UP(a->value_size, 8) > PCPU_MIN_UNIT)
		return -E2BIG;
	return 0;
}

static int array_alloc(struct bk_map *m, size_t copies)
{
	struct bk_array *a = calloc(1, sizeof(*a));
	size_t n = m->attr.max_entries;

	if (!a)
		return -ENOMEM;
	a->stride = ROUND_UP(m->attr.value_size, 8);
	if (n > MAX_MAP_BYTES / a->stride / copies) {
		free(a);
		return -ENOMEM;
	}
	a->bytes = n * a->stride * copies;
	if (m->attr.flags & BPF_F_MMAPABLE)
		a->bytes = ROUND_UP(a->bytes, 4096);
	a->values = bk_vm_alloc(m->vm, a->bytes);
	if (!a->values) {
		free(a);
		return -ENOMEM;
	}
	m->priv = a;
	m->region = (struct bk_region){.lo = (uintptr_t)a->values,
				       .hi = (uintptr_t)a->values + n * a->stride * copies,
				       .stride = a->stride,
				       .voff = 0,
				       .vsize = m->attr.value_size};
	return 0;
}

static void array_destroy(struct bk_map *m)
{
	struct bk_array *a = arr(m);

	if (!a)
		return;
	bk_vm_free_mem(m->vm, a->values, a->bytes);
	free(a);
}

static int array_create(struct bk_map *m)
{
	int err = array_check(&m->attr);

	return err ? err : array_alloc(m, 1);
}

void *bk_array_value(struct bk_map *m, uint32_t index)
{
	struct bk_array *a = arr(m);

	return index < m->attr.max_entries ? a->values + (size_t)index * a->stride : NULL;
}

static int array_lookup(struct bk_map *m, const void *key, void *value, uint64_t flags)
{
	void *p = bk_array_value(m, key_index(key));

	(void)flags;
	if (!p)
		return -ENOENT;
	memcpy(value, p, m->attr.value_size);
	return 0;
}

/* Checks of array_map_update_elem, in the kernel's order. */
static int array_update_check(struct bk_map *m, uint32_t index, uint64_t flags)
{
	if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST)
		return -EINVAL;
	if (index >= m->attr.max_entries)
		return -E2BIG;
	if (flags & BPF_NOEXIST)
		return -EEXIST;
	if (flags & BPF_F_LOCK)
		return -EINVAL;
	return 0;
}

static int array_update(struct bk_map *m, const void *key, const void *value, uint64_t flags)
{
	uint32_t index = key_index(key);
	int err = array_update_check(m, index, flags);

	if (err)
		return err;
	memcpy(bk_array_value(m, index), value, m->attr.value_size);
	return 0;
}

static int array_delete(struct bk_map *m, const void *key)
{
	(void)m;
	(void)key;
	return -EINVAL;
}

static int array_next_key(struct bk_map *m, const void *key, void *next)
{
	uint32_t index = key ? key_index(key) : UINT32_MAX, n;

	if (index >= m->attr.max_entries) {
		n = 0;
		memcpy(next, &n, sizeof(n));
		return 0;
	}
	if (index == m->attr.max_entries - 1)
		return -ENOENT;
	n = index + 1;
	memcpy(next, &n, sizeof(n));
	return 0;
}

static void *array_bpf_lookup(struct bk_map *m, const void *key, uint32_t cpu)
{
	(void)cpu;
	return bk_array_value(m, key_index(key));
}

static long array_bpf_update(struct bk_map *m, const void *key, const void *value, uint64_t flags,
			     uint32_t cpu)
{
	(void)cpu;
	return array_update(m, key, value, flags);
}

static long array_bpf_delete(struct bk_map *m, const void *key, uint32_t cpu)
{
	(void)cpu;
	return array_delete(m, key);
}

static uint32_t array_count(const struct bk_map *m)
{
	return m->attr.max_entries;
}

void *bk_map__array_base(struct bk_map *m, size_t *len)
{
	if (m->attr.type != BPF_MAP_TYPE_ARRAY)
		return NULL;
	if (len)
		*len = (size_t)m->attr.max_entries * arr(m)->stride;
	return arr(m)->values;
}

const struct bk_map_ops bk_array_ops = {
	.create = array_create,
	.destroy = array_destroy,
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.next_key = array_next_key,
	.has_lookup_batch = true,
	.has_update_batch = true,
	.bpf_lookup = array_bpf_lookup,
	.bpf_update = array_bpf_update,
	.bpf_delete = array_bpf_delete,
	.count = array_count,
};

/* ---- per-CPU arrays ---------------------------------------------------- */

static int percpu_create(struct bk_map *m)
{
	int err = array_check(&m->attr);

	return err ? err : array_alloc(m, m->ncpus);
}

static uint8_t *percpu_value(struct bk_map *m, uint32_t index, uint32_t cpu)
{
	struct bk_array *a = arr(m);

	if (index >= m->attr.max_entries)
		return NULL;
	return a->values + ((size_t)index * m->ncpus + cpu) * a->stride;
}

static int percpu_lookup(struct bk_map *m, const void *key, void *value, uint64_t flags)
{
	uint8_t *p = percpu_value(m, key_index(key), 0);

	(void)flags;
	if (!p)
		return -ENOENT;
	memcpy(value, p, (size_t)arr(m)->stride * m->ncpus);
	return 0;
}

static int percpu_update(struct bk_map *m, const void *key, const void *value, uint64_t flags)
{
	uint32_t index = key_index(key);
	int err;

	if (flags > BPF_EXIST)
		return -EINVAL;
	err = array_update_check(m, index, flags);
	if (err)
		return err;
	memcpy(percpu_value(m, index, 0), value, (size_t)arr(m)->stride * m->ncpus);
	return 0;
}

static void *percpu_bpf_lookup(struct bk_map *m, const void *key, uint32_t cpu)
{
	return percpu_value(m, key_index(key), cpu % m->ncpus);
}

static long percpu_bpf_update(struct bk_map *m, const void *key, const void *value, uint64_t flags,
			      uint32_t cpu)
{
	uint32_t index = key_index(key);
	int err;

	if (flags > BPF_EXIST)
		return -EINVAL;
	err = array_update_check(m, index, flags);
	if (err)
		return err;
	memcpy(percpu_value(m, index, cpu % m->ncpus), value, m->attr.value_size);
	return 0;
}

const struct bk_map_ops bk_percpu_array_ops = {
	.create = percpu_create,
	.destroy = array_destroy,
	.lookup = percpu_lookup,
	.update = percpu_update,
	.delete = array_delete,
	.next_key = array_next_key,
	.has_lookup_batch = true,
	.has_update_batch = true,
	.bpf_lookup = percpu_bpf_lookup,
	.bpf_update = percpu_bpf_update,
	.bpf_delete = array_bpf_delete,
	.count = array_count,
};

/* ---- prog arrays ----------------------------------------------------------- */

static int prog_array_create(struct bk_map *m)
{
	struct bk_array *a;
	int err;

	if (m->attr.value_size != sizeof(uint32_t) ||
	    (m->attr.flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)))
		return -EINVAL;
	err = array_check(&m->attr);
	if (err)
		return err;
	if (m->attr.max_entries > MAX_MAP_BYTES / sizeof(struct bk_vm_prog *))
		return -ENOMEM;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->stride = sizeof(struct bk_vm_prog *);
	a->bytes = (size_t)m->attr.max_entries * a->stride;
	a->values = bk_vm_alloc(m->vm, a->bytes);
	if (!a->values) {
		free(a);
		return -ENOMEM;
	}
	m->priv = a;
	return 0;
}

static struct bk_vm_prog **prog_slot(struct bk_map *m, uint32_t index)
{
	if (index >= m->attr.max_entries)
		return NULL;
	return (struct bk_vm_prog **)(void *)arr(m)->values + index;
}

struct bk_vm_prog *bk_prog_array_get(struct bk_map *m, uint32_t index)
{
	struct bk_vm_prog **s = prog_slot(m, index);

	return s ? __atomic_load_n(s, __ATOMIC_ACQUIRE) : NULL;
}

static int prog_array_lookup(struct bk_map *m, const void *key, void *value, uint64_t flags)
{
	struct bk_vm_prog *p = bk_prog_array_get(m, key_index(key));

	(void)flags;
	if (!p)
		return -ENOENT;
	memcpy(value, &p->id, sizeof(p->id));
	return 0;
}

static int prog_array_update(struct bk_map *m, const void *key, const void *value, uint64_t flags)
{
	struct bk_vm_prog **s = prog_slot(m, key_index(key));
	struct bk_vm_prog *p;
	uint32_t id;

	if (flags != BPF_ANY)
		return -EINVAL;
	if (!s)
		return -E2BIG;
	memcpy(&id, value, sizeof(id));
	p = bk_vm__prog_by_id(m->vm, id);
	if (!p)
		return -EBADF;
	pthread_mutex_lock(&m->lock);
	if (arr(m)->prog_type && arr(m)->prog_type != (uint32_t)p->type) {
		pthread_mutex_unlock(&m->lock);
		return -EINVAL;
	}
	arr(m)->prog_type = p->type;
	__atomic_store_n(s, p, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&m->lock);
	return 0;
}

static int prog_array_delete(struct bk_map *m, const void *key)
{
	struct bk_vm_prog **s = prog_slot(m, key_index(key));

	if (!s)
		return -E2BIG;
	return __atomic_exchange_n(s, NULL, __ATOMIC_ACQ_REL) ? 0 : -ENOENT;
}

void bk_prog_array_forget(struct bk_vm *vm, struct bk_vm_prog *prog)
{
	pthread_mutex_lock(&vm->lock);
	for (struct bk_map *m = vm->maps; m; m = m->next) {
		if (m->attr.type != BPF_MAP_TYPE_PROG_ARRAY)
			continue;
		for (uint32_t i = 0; i < m->attr.max_entries; i++) {
			struct bk_vm_prog **s = prog_slot(m, i);
			struct bk_vm_prog *exp = prog;

			__atomic_compare_exchange_n(s, &exp, NULL, false, __ATOMIC_ACQ_REL,
						    __ATOMIC_ACQUIRE);
		}
	}
	pthread_mutex_unlock(&vm->lock);
}

const struct bk_map_ops bk_prog_array_ops = {
	.create = prog_array_create,
	.destroy = array_destroy,
	.lookup = prog_array_lookup,
	.update = prog_array_update,
	.delete = prog_array_delete,
	.next_key = array_next_key,
	.count = array_count,
};
