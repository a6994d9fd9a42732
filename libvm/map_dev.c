// SPDX-License-Identifier: MIT
/*
 * map_dev.c - the redirect maps of XDP programs (DEVMAP, DEVMAP_HASH,
 * CPUMAP, XSKMAP) and perf event arrays, with the kernel's creation
 * checks and errno values, and the helpers that use them:
 * bpf_redirect_map and bpf_perf_event_output.
 *
 * There are no devices, CPUs' kthreads, sockets or perf events behind the
 * entries: a map stores what user space writes (any non-zero ifindex, a
 * queue size for a possible CPU, any socket value), and bpf_redirect_map
 * answers XDP_REDIRECT when the key is present, else the action in the low
 * bits of flags, as the kernel does.  A program-carrying entry (a devmap
 * or cpumap value with a program fd) is refused with -EINVAL.
 *
 * Perf event arrays start with every slot present, as after libbpf's
 * perf_buffer__new: slot i is the event of CPU i.  bpf_perf_event_output
 * checks flags, the index and the CPU as the kernel does, then counts the
 * record and hands it to the map's callback (if any); the data is
 * otherwise dropped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

#define NIL UINT32_MAX

enum {
	NR_CPUS = 8192, /* CONFIG_NR_CPUS of Debian's kernels: the cpumap limit */
	CPUMAP_QSIZE_MAX = 16384,
	XDP_REDIRECT_ = 4,
	XDP_ABORTED_ = 0,
	ACTION_MASK = 3, /* BPF_F_ACTION_MASK: XDP_ABORTED..XDP_TX */
};

/* Array-shaped types: one slot per index, a present flag and the value.
 * Hash-shaped DEVMAP_HASH: the same slots as a pool, with bucket chains. */
struct dmap {
	uint8_t *slots; /* max_entries * stride: [present u32][key u32][value] */
	size_t bytes;
	uint32_t stride;
	uint32_t *heads, *next; /* devmap hash: buckets and chains */
	uint32_t nbuckets, count;
	/* perf event arrays */
	uint64_t records;
	bk_perf_output_fn out;
	void *out_ctx;
};

enum {
	S_PRESENT = 0,
	S_KEY = 4,
	S_VALUE = 8
};

static struct dmap *dm(const struct bk_map *m)
{
	return m->priv;
}

static uint8_t *slot(const struct dmap *d, uint32_t i)
{
	return d->slots + (size_t)i * d->stride;
}

static bool present(const struct dmap *d, uint32_t i)
{
	uint32_t p;

	memcpy(&p, slot(d, i) + S_PRESENT, 4);
	return p != 0;
}

static void set_present(struct dmap *d, uint32_t i, bool on)
{
	uint32_t p = on;

	memcpy(slot(d, i) + S_PRESENT, &p, 4);
}

static uint32_t key_of(const void *key)
{
	uint32_t k;

	memcpy(&k, key, 4);
	return k;
}

static int check(const struct bk_map_attr *a)
{
	const uint32_t access = BPF_F_RDONLY | BPF_F_WRONLY;

	switch (a->type) {
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		if (!a->max_entries || a->key_size != 4 ||
		    (a->value_size != 4 && a->value_size != 8) ||
		    (a->flags & ~(BPF_F_NUMA_NODE | access)))
			return -EINVAL;
		return 0;
	case BPF_MAP_TYPE_CPUMAP:
		if (!a->max_entries || a->key_size != 4 ||
		    (a->value_size != 4 && a->value_size != 8) || (a->flags & ~BPF_F_NUMA_NODE))
			return -EINVAL;
		return a->max_entries > NR_CPUS ? -E2BIG : 0;
	case BPF_MAP_TYPE_XSKMAP:
		if (!a->max_entries || a->key_size != 4 || a->value_size != 4 ||
		    (a->flags & ~(BPF_F_NUMA_NODE | access)))
			return -EINVAL;
		return 0;
	default: /* PERF_EVENT_ARRAY: an fd array */
		if (a->value_size != 4 || (a->flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)))
			return -EINVAL;
		if (!a->max_entries || a->key_size != 4 ||
		    (a->flags & ~(BPF_F_NUMA_NODE | access | BPF_F_PRESERVE_ELEMS)))
			return -EINVAL;
		return 0;
	}
}

static int dev_create(struct bk_map *m)
{
	struct dmap *d;
	int err = check(&m->attr);

	if (err)
		return err;
	if ((uint64_t)m->attr.max_entries * (S_VALUE + 8) > (1ull << 31))
		return -ENOMEM;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	m->priv = d;
	d->stride = S_VALUE + 8;
	d->bytes = (size_t)m->attr.max_entries * d->stride;
	d->slots = bk_vm_alloc(m->vm, d->bytes);
	if (!d->slots)
		return -ENOMEM;
	if (m->attr.type == BPF_MAP_TYPE_DEVMAP_HASH) {
		d->nbuckets = 1;
		while (d->nbuckets < m->attr.max_entries)
			d->nbuckets <<= 1;
		d->heads = malloc((size_t)d->nbuckets * sizeof(uint32_t));
		d->next = malloc((size_t)m->attr.max_entries * sizeof(uint32_t));
		if (!d->heads || !d->next)
			return -ENOMEM;
		memset(d->heads, 0xff, (size_t)d->nbuckets * sizeof(uint32_t));
	}
	if (m->attr.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		for (uint32_t i = 0; i < m->attr.max_entries; i++) {
			set_present(d, i, true);
			memcpy(slot(d, i) + S_VALUE, &i, 4);
		}
	}
	/* devmaps hand programs read-only values (the kernel adds the flag) */
	if (m->attr.type == BPF_MAP_TYPE_DEVMAP || m->attr.type == BPF_MAP_TYPE_DEVMAP_HASH)
		m->attr.flags |= BPF_F_RDONLY_PROG;
	m->region = (struct bk_region){.lo = (uintptr_t)d->slots,
				       .hi = (uintptr_t)d->slots + d->bytes,
				       .stride = d->stride,
				       .voff = S_VALUE,
				       .vsize = m->attr.value_size};
	return 0;
}

static void dev_destroy(struct bk_map *m)
{
	struct dmap *d = dm(m);

	if (!d)
		return;
	bk_vm_free_mem(m->vm, d->slots, d->bytes);
	free(d->heads);
	free(d->next);
	free(d);
}

/* ---- DEVMAP_HASH chains ------------------------------------------------ */

static uint32_t hfind(const struct dmap *d, uint32_t k)
{
	for (uint32_t i = d->heads[k & (d->nbuckets - 1)]; i != NIL; i = d->next[i])
		if (key_of(slot(d, i) + S_KEY) == k)
			return i;
	return NIL;
}

static void hunlink(struct dmap *d, uint32_t x)
{
	uint32_t *p = &d->heads[key_of(slot(d, x) + S_KEY) & (d->nbuckets - 1)];

	while (*p != x)
		p = &d->next[*p];
	*p = d->next[x];
	set_present(d, x, false);
	d->count--;
}

static uint32_t hfree_slot(const struct bk_map *m)
{
	for (uint32_t i = 0; i < m->attr.max_entries; i++)
		if (!present(dm(m), i))
			return i;
	return NIL;
}

/* The slot holding key k, or NIL. */
static uint32_t find(const struct bk_map *m, uint32_t k)
{
	const struct dmap *d = dm(m);

	if (m->attr.type == BPF_MAP_TYPE_DEVMAP_HASH)
		return hfind(d, k);
	return k < m->attr.max_entries && present(d, k) ? k : NIL;
}

/* ---- commands ------------------------------------------------------------ */

static int dev_lookup(struct bk_map *m, const void *key, void *value, uint64_t flags)
{
	uint32_t i;

	(void)flags;
	if (m->attr.type == BPF_MAP_TYPE_XSKMAP)
		return -EOPNOTSUPP;
	if (m->attr.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return -BK_ENOTSUPP;
	pthread_mutex_lock(&m->lock);
	i = find(m, key_of(key));
	if (i != NIL)
		memcpy(value, slot(dm(m), i) + S_VALUE, m->attr.value_size);
	pthread_mutex_unlock(&m->lock);
	return i == NIL ? -ENOENT : 0;
}

/* A devmap or cpumap value: the u32 (ifindex, qsize) and, in 8-byte
 * values, a program fd; the stored value holds the program id (0). */
static int value_parts(const struct bk_map *m, const void *value, uint32_t *v, int32_t *fd)
{
	memcpy(v, value, 4);
	*fd = 0;
	if (m->attr.value_size == 8)
		memcpy(fd, (const uint8_t *)value + 4, 4);
	return 0;
}

static int hash_update(struct bk_map *m, uint32_t k, uint32_t v, int32_t fd, uint64_t flags)
{
	struct dmap *d = dm(m);
	uint32_t old, i;

	if (flags > BPF_EXIST || !v)
		return -EINVAL;
	old = hfind(d, k);
	if (old != NIL && flags == BPF_NOEXIST)
		return -EEXIST;
	if (fd > 0)
		return -EINVAL;
	if (old != NIL) {
		hunlink(d, old);
	} else if (d->count >= m->attr.max_entries) {
		return -E2BIG;
	}
	i = hfree_slot(m);
	set_present(d, i, true);
	memcpy(slot(d, i) + S_KEY, &k, 4);
	memset(slot(d, i) + S_VALUE, 0, 8);
	memcpy(slot(d, i) + S_VALUE, &v, 4);
	d->next[i] = d->heads[k & (d->nbuckets - 1)];
	d->heads[k & (d->nbuckets - 1)] = i;
	d->count++;
	return 0;
}

static int update_locked(struct bk_map *m, const void *key, const void *value, uint64_t flags)
{
	struct dmap *d = dm(m);
	uint32_t k = key_of(key), v;
	int32_t fd;

	value_parts(m, value, &v, &fd);
	if (m->attr.type == BPF_MAP_TYPE_DEVMAP_HASH)
		return hash_update(m, k, v, fd, flags);
	if (m->attr.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && flags != BPF_ANY)
		return -EINVAL; /* fd arrays take BPF_ANY only */
	if (flags > BPF_EXIST)
		return -EINVAL;
	if (k >= m->attr.max_entries)
		return -E2BIG;
	if (flags == BPF_NOEXIST && m->attr.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return -EEXIST;
	switch (m->attr.type) {
	case BPF_MAP_TYPE_DEVMAP:
		if (!v && fd > 0)
			return -EINVAL;
		if (fd > 0)
			return -EINVAL;
		break;
	case BPF_MAP_TYPE_CPUMAP:
		if (v > CPUMAP_QSIZE_MAX)
			return -EOVERFLOW;
		if (k >= m->ncpus)
			return -ENODEV;
		if (fd > 0)
			return -EINVAL;
		break;
	default:
		break;
	}
	if (!v && (m->attr.type == BPF_MAP_TYPE_DEVMAP || m->attr.type == BPF_MAP_TYPE_CPUMAP)) {
		set_present(d, k, false); /* ifindex or qsize 0: as a delete */
		return 0;
	}
	set_present(d, k, true);
	memset(slot(d, k) + S_VALUE, 0, 8);
	memcpy(slot(d, k) + S_VALUE, &v, 4);
	return 0;
}

static int dev_update(struct bk_map *m, const void *key, const void *value, uint64_t flags)
{
	int err;

	pthread_mutex_lock(&m->lock);
	err = update_locked(m, key, value, flags);
	pthread_mutex_unlock(&m->lock);
	return err;
}

static int dev_delete(struct bk_map *m, const void *key)
{
	struct dmap *d = dm(m);
	uint32_t k = key_of(key), i;
	int err = 0;

	pthread_mutex_lock(&m->lock);
	if (m->attr.type == BPF_MAP_TYPE_DEVMAP_HASH) {
		i = hfind(d, k);
		if (i == NIL)
			err = -ENOENT;
		else
			hunlink(d, i);
	} else if (k >= m->attr.max_entries) {
		err = m->attr.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY ? -E2BIG : -EINVAL;
	} else if (m->attr.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !present(d, k)) {
		err = -ENOENT;
	} else {
		set_present(d, k, false);
	}
	pthread_mutex_unlock(&m->lock);
	return err;
}

static int dev_next_key(struct bk_map *m, const void *key, void *next)
{
	struct dmap *d = dm(m);
	uint32_t k = key ? key_of(key) : UINT32_MAX, i, b = 0;
	int err = -ENOENT;

	if (m->attr.type != BPF_MAP_TYPE_DEVMAP_HASH) {
		/* every index, present or not */
		if (!key || k >= m->attr.max_entries)
			k = 0;
		else if (k == m->attr.max_entries - 1)
			return -ENOENT;
		else
			k++;
		memcpy(next, &k, 4);
		return 0;
	}
	pthread_mutex_lock(&m->lock);
	i = key ? hfind(d, k) : NIL;
	if (i != NIL) {
		if (d->next[i] != NIL) {
			memcpy(next, slot(d, d->next[i]) + S_KEY, 4);
			err = 0;
			goto out;
		}
		b = (k & (d->nbuckets - 1)) + 1;
	}
	for (; b < d->nbuckets; b++) {
		if (d->heads[b] != NIL) {
			memcpy(next, slot(d, d->heads[b]) + S_KEY, 4);
			err = 0;
			break;
		}
	}
out:
	pthread_mutex_unlock(&m->lock);
	return err;
}

static void *dev_bpf_lookup(struct bk_map *m, const void *key, uint32_t cpu)
{
	uint32_t i;

	(void)cpu;
	if (m->attr.type == BPF_MAP_TYPE_CPUMAP || m->attr.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return NULL;
	i = find(m, key_of(key));
	return i == NIL ? NULL : slot(dm(m), i) + S_VALUE;
}

static long dev_bpf_update(struct bk_map *m, const void *key, const void *value, uint64_t flags,
			   uint32_t cpu)
{
	(void)cpu;
	return dev_update(m, key, value, flags);
}

static long dev_bpf_delete(struct bk_map *m, const void *key, uint32_t cpu)
{
	(void)cpu;
	return dev_delete(m, key);
}

static uint32_t dev_count(const struct bk_map *m)
{
	if (m->attr.type == BPF_MAP_TYPE_DEVMAP_HASH)
		return dm(m)->count;
	return m->attr.max_entries;
}

const struct bk_map_ops bk_dev_ops = {
	.create = dev_create,
	.destroy = dev_destroy,
	.lookup = dev_lookup,
	.update = dev_update,
	.delete = dev_delete,
	.next_key = dev_next_key,
	.bpf_lookup = dev_bpf_lookup,
	.bpf_update = dev_bpf_update,
	.bpf_delete = dev_bpf_delete,
	.count = dev_count,
};

/* ---- helpers --------------------------------------------------------------- */

uint64_t bk_dev_redirect_map(struct bk_vm_run *run, struct bk_map *m, uint64_t key, uint64_t flags)
{
	uint64_t mask = 0;

	switch (m->attr.type) {
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		mask = BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS;
		break;
	case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_XSKMAP:
		break;
	default:
		bk_vm_run__fault(run, BK_E_VM_HELPER_ARG,
				 "redirect_map: map %s is not a devmap, cpumap or xskmap",
				 m->attr.name);
		return 0;
	}
	if (flags & ~(ACTION_MASK | mask))
		return XDP_ABORTED_;
	if (flags & BPF_F_BROADCAST)
		return XDP_REDIRECT_;
	if (find(m, (uint32_t)key) == NIL)
		return flags & ACTION_MASK;
	run->redirect_ifindex = (uint32_t)key;
	return XDP_REDIRECT_;
}

long bk_perf_output(struct bk_vm_run *run, struct bk_map *m, uint64_t flags, const void *data,
		    uint64_t size, const void *ctxdata, uint64_t ctxlen)
{
	struct dmap *d = dm(m);
	uint64_t index = flags & BPF_F_INDEX_MASK;

	if (m->attr.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		bk_vm_run__fault(run, BK_E_VM_HELPER_ARG,
				 "perf_event_output: map %s is not a perf event array",
				 m->attr.name);
		return 0;
	}
	if (index == BPF_F_CURRENT_CPU)
		index = run->sh.cpu;
	if (index >= m->attr.max_entries)
		return -E2BIG;
	if (!present(d, (uint32_t)index))
		return -ENOENT;
	if (index != run->sh.cpu)
		return -EOPNOTSUPP; /* slot i's event counts on CPU i */
	__atomic_add_fetch(&d->records, 1, __ATOMIC_RELAXED);
	if (d->out)
		d->out(d->out_ctx, (uint32_t)index, data, size, ctxdata, ctxlen);
	return 0;
}

int bk_map__perf_output_cb(struct bk_map *m, bk_perf_output_fn fn, void *ctx)
{
	if (m->attr.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY || bk_map__is_placeholder(m))
		return -EINVAL;
	dm(m)->out = fn;
	dm(m)->out_ctx = ctx;
	return 0;
}

uint64_t bk_map__perf_records(const struct bk_map *m)
{
	if (m->attr.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY || bk_map__is_placeholder(m))
		return 0;
	return __atomic_load_n(&dm(m)->records, __ATOMIC_RELAXED);
}
