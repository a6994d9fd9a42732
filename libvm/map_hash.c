// SPDX-License-Identifier: MIT
/*
 * map_hash.c - hash and LRU hash maps with the kernel's observable
 * behaviour: the same bucket count (max_entries rounded up to a power of
 * two), the same hash (jhash, seed 0 under BPF_F_ZERO_SEED), new and
 * updated elements at the head of their bucket, so get_next_key and the
 * batch operations return keys in the kernel's order; E2BIG when all
 * max_entries elements are in use; bucket-wise batches with ENOSPC.
 *
 * Elements are preallocated in one block (the region a checked program
 * may touch): a header, the key, the value, each rounded to 8 bytes.  An
 * update of an existing key fills a spare element, links it first and
 * retires the old one as the next spare, as the kernel does; a program
 * holding the old value pointer keeps valid memory.  Programs look up
 * without the map lock (links are read and written atomically); every
 * change takes it.  The LRU lists are in map_lru.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "map_hash_int.h"

#define NIL UINT32_MAX
#define MAX_MAP_BYTES ((size_t)1 << 31)

struct bk_helem {
	uint32_t next; /* bucket chain */
	uint32_t hash;
};

enum {
	HDR = 8
};

struct bk_htab {
	uint8_t *elems;
	size_t elems_bytes;
	uint32_t *heads;
	size_t heads_bytes;
	uint32_t *freelist;
	size_t free_bytes;
	uint32_t nfree;
	uint32_t nelems, stride, key_off, val_off;
	uint32_t n_buckets;
	uint32_t seed;
	uint32_t count;
	uint32_t spare; /* hash: element the next update of an existing key uses */
	struct bk_lru *lru;
};

static struct bk_htab *ht(const struct bk_map *m)
{
	return m->priv;
}

static struct bk_helem *elem(const struct bk_htab *h, uint32_t i)
{
	return (struct bk_helem *)(void *)(h->elems + (size_t)i * h->stride);
}

static uint8_t *ekey(const struct bk_htab *h, uint32_t i)
{
	return h->elems + (size_t)i * h->stride + h->key_off;
}

static uint8_t *eval(const struct bk_htab *h, uint32_t i)
{
	return h->elems + (size_t)i * h->stride + h->val_off;
}

static bool is_lru(const struct bk_map *m)
{
	return m->attr.type == BPF_MAP_TYPE_LRU_HASH;
}

static uint32_t load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static uint32_t find(const struct bk_htab *h, const void *key, uint32_t ks, uint32_t hash)
{
	for (uint32_t i = load(&h->heads[hash & (h->n_buckets - 1)]); i != NIL;
	     i = load(&elem(h, i)->next)) {
		if (elem(h, i)->hash == hash && !memcmp(ekey(h, i), key, ks))
			return i;
	}
	return NIL;
}

/* Unlinks element i from its bucket; false when it is not linked. */
static bool unlink_elem(struct bk_htab *h, uint32_t i)
{
	uint32_t *link = &h->heads[elem(h, i)->hash & (h->n_buckets - 1)];

	while (*link != NIL && *link != i)
		link = &elem(h, *link)->next;
	if (*link != i)
		return false;
	store(link, elem(h, i)->next);
	h->count--;
	return true;
}

static void link_head(struct bk_htab *h, uint32_t i, uint32_t hash)
{
	uint32_t *head = &h->heads[hash & (h->n_buckets - 1)];

	elem(h, i)->hash = hash;
	elem(h, i)->next = *head;
	store(head, i);
	h->count++;
}

/* LRU eviction: removes element i from the table if it is there. */
static bool lru_del(void *arg, uint32_t i)
{
	return unlink_elem(arg, i);
}

static int hash_check(const struct bk_map_attr *a, bool lru)
{
	const uint32_t mask = BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE |
			      BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG |
			      BPF_F_ZERO_SEED;

	if ((a->flags & ~mask) ||
	    ((a->flags & BPF_F_RDONLY_PROG) && (a->flags & BPF_F_WRONLY_PROG)))
		return -EINVAL;
	if (!lru && (a->flags & BPF_F_NO_COMMON_LRU))
		return -EINVAL;
	if (lru && (a->flags & BPF_F_NO_PREALLOC))
		return -BK_ENOTSUPP;
	if ((a->flags & BPF_F_NUMA_NODE) && (a->flags & BPF_F_NO_COMMON_LRU))
		return -EINVAL;
	if (!a->max_entries || !a->key_size || !a->value_size)
		return -EINVAL;
	if ((uint64_t)a->key_size + a->value_size >= (1u << 22))
		return -E2BIG;
	if (a->max_entries > 1u << 31)
		return -E2BIG;
	return 0;
}

static uint32_t pow2_up(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static int hash_create(struct bk_map *m)
{
	bool lru = is_lru(m), percpu_lru = lru && (m->attr.flags & BPF_F_NO_COMMON_LRU);
	struct bk_htab *h;
	int err = hash_check(&m->attr, lru);

	if (err)
		return err;
	if (percpu_lru) {
		uint32_t n = m->attr.max_entries, c = m->ncpus;
		uint64_t up = ((uint64_t)n + c - 1) / c * c;

		m->attr.max_entries = up > UINT32_MAX ? n / c * c : (uint32_t)up;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	m->priv = h;
	h->key_off = HDR;
	h->val_off = HDR + ROUND_UP(m->attr.key_size, 8);
	h->stride = h->val_off + ROUND_UP(m->attr.value_size, 8);
	h->n_buckets = pow2_up(m->attr.max_entries);
	h->nelems = m->attr.max_entries + (lru ? 0 : 1);
	h->seed = (m->attr.flags & BPF_F_ZERO_SEED) ? 0 : (uint32_t)bk_vm_splitmix(&m->vm->seed);
	if ((size_t)h->nelems > MAX_MAP_BYTES / h->stride ||
	    (size_t)h->n_buckets > MAX_MAP_BYTES / sizeof(uint32_t))
		return -ENOMEM;
	h->elems_bytes = (size_t)h->nelems * h->stride;
	h->heads_bytes = (size_t)h->n_buckets * sizeof(uint32_t);
	h->free_bytes = (size_t)h->nelems * sizeof(uint32_t);
	h->elems = bk_vm_alloc(m->vm, h->elems_bytes);
	h->heads = bk_vm_alloc(m->vm, h->heads_bytes);
	if (!lru)
		h->freelist = bk_vm_alloc(m->vm, h->free_bytes);
	if (!h->elems || !h->heads || (!lru && !h->freelist))
		return -ENOMEM;
	memset(h->heads, 0xff, h->heads_bytes);
	if (lru) {
		h->lru = bk_lru_new(h->nelems, m->ncpus, percpu_lru, lru_del, h);
		if (!h->lru)
			return -ENOMEM;
	} else {
		/* the last element is the spare; the rest are free */
		h->spare = h->nelems - 1;
		for (uint32_t i = 0; i < h->nelems - 1; i++)
			h->freelist[h->nfree++] = h->nelems - 2 - i;
	}
	m->region = (struct bk_region){.lo = (uintptr_t)h->elems,
				       .hi = (uintptr_t)h->elems + h->elems_bytes,
				       .stride = h->stride,
				       .voff = h->val_off,
				       .vsize = m->attr.value_size};
	return 0;
}

static void hash_destroy(struct bk_map *m)
{
	struct bk_htab *h = ht(m);

	if (!h)
		return;
	bk_lru_free(h->lru);
	bk_vm_free_mem(m->vm, h->elems, h->elems_bytes);
	bk_vm_free_mem(m->vm, h->heads, h->heads_bytes);
	bk_vm_free_mem(m->vm, h->freelist, h->free_bytes);
	free(h);
}

static uint32_t hash_of(const struct bk_map *m, const void *key)
{
	return bk_jhash(key, m->attr.key_size, ht(m)->seed);
}

static int hash_lookup(struct bk_map *m, const void *key, void *value, uint64_t flags)
{
	struct bk_htab *h = ht(m);
	uint32_t i;

	(void)flags;
	pthread_mutex_lock(&m->lock);
	i = find(h, key, m->attr.key_size, hash_of(m, key));
	if (i != NIL)
		memcpy(value, eval(h, i), m->attr.value_size);
	pthread_mutex_unlock(&m->lock);
	return i == NIL ? -ENOENT : 0;
}

static void release(struct bk_map *m, uint32_t i)
{
	struct bk_htab *h = ht(m);

	if (h->lru)
		bk_lru_push_free(h->lru, i);
	else
		h->freelist[h->nfree++] = i;
}

/* htab_map_update_elem / htab_lru_map_update_elem, under the map lock. */
static int update_locked(struct bk_map *m, const void *key, const void *value, uint64_t flags,
			 uint32_t cpu)
{
	struct bk_htab *h = ht(m);
	uint32_t ks = m->attr.key_size, hash = hash_of(m, key), old, nw = NIL;
	int err = 0;

	if (h->lru) {
		if (flags > BPF_EXIST)
			return -EINVAL;
		nw = bk_lru_pop_free(h->lru, cpu, hash);
		if (nw == NIL)
			return -ENOMEM;
		memcpy(ekey(h, nw), key, ks);
		memcpy(eval(h, nw), value, m->attr.value_size);
	} else if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST || (flags & BPF_F_LOCK)) {
		return -EINVAL;
	}
	old = find(h, key, ks, hash);
	if (old != NIL && (flags & ~(uint64_t)BPF_F_LOCK) == BPF_NOEXIST)
		err = -EEXIST;
	else if (old == NIL && (flags & ~(uint64_t)BPF_F_LOCK) == BPF_EXIST)
		err = -ENOENT;
	if (h->lru) {
		if (err) {
			bk_lru_push_free(h->lru, nw);
			return err;
		}
		link_head(h, nw, hash);
		if (old != NIL) {
			bk_lru_set_ref(h->lru, nw);
			unlink_elem(h, old);
			bk_lru_push_free(h->lru, old);
		}
		return 0;
	}
	if (err)
		return err;
	if (old != NIL) {
		nw = h->spare;
		h->spare = old;
	} else if (h->nfree) {
		nw = h->freelist[--h->nfree];
	} else {
		return -E2BIG;
	}
	memcpy(ekey(h, nw), key, ks);
	memcpy(eval(h, nw), value, m->attr.value_size);
	link_head(h, nw, hash);
	if (old != NIL)
		unlink_elem(h, old);
	return 0;
}

static int hash_update(struct bk_map *m, const void *key, const void *value, uint64_t flags)
{
	int err;

	pthread_mutex_lock(&m->lock);
	err = update_locked(m, key, value, flags, 0);
	pthread_mutex_unlock(&m->lock);
	return err;
}

static int delete_locked(struct bk_map *m, const void *key, void *value)
{
	struct bk_htab *h = ht(m);
	uint32_t i = find(h, key, m->attr.key_size, hash_of(m, key));

	if (i == NIL)
		return -ENOENT;
	if (value)
		memcpy(value, eval(h, i), m->attr.value_size);
	unlink_elem(h, i);
	release(m, i);
	return 0;
}

static int hash_delete(struct bk_map *m, const void *key)
{
	int err;

	pthread_mutex_lock(&m->lock);
	err = delete_locked(m, key, NULL);
	pthread_mutex_unlock(&m->lock);
	return err;
}

static int hash_lookup_and_delete(struct bk_map *m, const void *key, void *value, uint64_t flags)
{
	int err;

	(void)flags;
	pthread_mutex_lock(&m->lock);
	err = delete_locked(m, key, value);
	pthread_mutex_unlock(&m->lock);
	return err;
}

/* htab_map_get_next_key: the next element of the key's bucket, else the
 * first of the following buckets; from the start when key is absent. */
static int hash_next_key(struct bk_map *m, const void *key, void *next)
{
	struct bk_htab *h = ht(m);
	uint32_t ks = m->attr.key_size, b = 0, i;
	int err = -ENOENT;

	pthread_mutex_lock(&m->lock);
	if (key) {
		uint32_t hash = hash_of(m, key);

		i = find(h, key, ks, hash);
		if (i != NIL) {
			if (elem(h, i)->next != NIL) {
				memcpy(next, ekey(h, elem(h, i)->next), ks);
				err = 0;
				goto out;
			}
			b = (hash & (h->n_buckets - 1)) + 1;
		}
	}
	for (; b < h->n_buckets; b++) {
		if (h->heads[b] != NIL) {
			memcpy(next, ekey(h, h->heads[b]), ks);
			err = 0;
			break;
		}
	}
out:
	pthread_mutex_unlock(&m->lock);
	return err;
}

/* __htab_map_lookup_and_delete_batch: whole buckets at a time; the token
 * is the next bucket.  A bucket that does not fit ends the batch, with
 * -ENOSPC when nothing was copied yet; the last bucket ends it with
 * -ENOENT. */
static int hash_lookup_batch(struct bk_map *m, struct bk_map_batch *b, bool del)
{
	struct bk_htab *h = ht(m);
	uint32_t ks = m->attr.key_size, vs = m->attr.value_size, max = b->count;
	uint32_t batch = 0, total = 0, *dead = NULL, ndead, cap = 0;
	int ret = 0;

	if ((b->elem_flags & ~(uint64_t)BPF_F_LOCK) || (b->elem_flags & BPF_F_LOCK))
		return -EINVAL;
	if (b->flags)
		return -EINVAL;
	if (!max)
		return 0;
	b->count = 0;
	if (b->in_batch)
		memcpy(&batch, b->in_batch, sizeof(batch));
	if (batch >= h->n_buckets)
		return -ENOENT;
	pthread_mutex_lock(&m->lock);
	for (;;) {
		uint32_t cnt = 0;

		for (uint32_t i = h->heads[batch]; i != NIL; i = elem(h, i)->next)
			cnt++;
		if (cnt > max - total) {
			if (!total)
				ret = -ENOSPC;
			break;
		}
		if (del && cnt > cap) {
			uint32_t *nd = realloc(dead, cnt * sizeof(*dead));

			if (!nd) {
				ret = -ENOMEM;
				break;
			}
			dead = nd;
			cap = cnt;
		}
		ndead = 0;
		for (uint32_t i = h->heads[batch], nx; i != NIL; i = nx) {
			nx = elem(h, i)->next;
			memcpy((uint8_t *)b->keys + (size_t)total * ks, ekey(h, i), ks);
			memcpy((uint8_t *)b->values + (size_t)total * vs, eval(h, i), vs);
			total++;
			if (del) {
				unlink_elem(h, i);
				dead[ndead++] = i;
			}
		}
		/* freed after the bucket, last first, as the kernel does */
		while (ndead)
			release(m, dead[--ndead]);
		if (++batch >= h->n_buckets) {
			ret = -ENOENT;
			break;
		}
	}
	pthread_mutex_unlock(&m->lock);
	free(dead);
	if (b->out_batch)
		memcpy(b->out_batch, &batch, sizeof(batch));
	b->count = total;
	return ret;
}

static void *hash_bpf_lookup(struct bk_map *m, const void *key, uint32_t cpu)
{
	struct bk_htab *h = ht(m);
	uint32_t i = find(h, key, m->attr.key_size, hash_of(m, key));

	(void)cpu;
	if (i == NIL)
		return NULL;
	if (h->lru)
		bk_lru_set_ref(h->lru, i);
	return eval(h, i);
}

static long hash_bpf_update(struct bk_map *m, const void *key, const void *value, uint64_t flags,
			    uint32_t cpu)
{
	int err;

	pthread_mutex_lock(&m->lock);
	err = update_locked(m, key, value, flags, cpu % m->ncpus);
	pthread_mutex_unlock(&m->lock);
	return err;
}

static long hash_bpf_delete(struct bk_map *m, const void *key, uint32_t cpu)
{
	(void)cpu;
	return hash_delete(m, key);
}

static uint32_t hash_count(const struct bk_map *m)
{
	return __atomic_load_n(&ht(m)->count, __ATOMIC_RELAXED);
}

const struct bk_map_ops bk_hash_ops = {
	.create = hash_create,
	.destroy = hash_destroy,
	.lookup = hash_lookup,
	.update = hash_update,
	.delete = hash_delete,
	.next_key = hash_next_key,
	.lookup_and_delete = hash_lookup_and_delete,
	.lookup_batch = hash_lookup_batch,
	.has_lookup_batch = true,
	.has_lookup_and_delete_batch = true,
	.has_update_batch = true,
	.has_delete_batch = true,
	.token_size = sizeof(uint32_t),
	.bpf_lookup = hash_bpf_lookup,
	.bpf_update = hash_bpf_update,
	.bpf_delete = hash_bpf_delete,
	.count = hash_count,
};

const struct bk_map_ops bk_lru_hash_ops = {
	.create = hash_create,
	.destroy = hash_destroy,
	.lookup = hash_lookup,
	.update = hash_update,
	.delete = hash_delete,
	.next_key = hash_next_key,
	.lookup_and_delete = hash_lookup_and_delete,
	.lookup_batch = hash_lookup_batch,
	.has_lookup_batch = true,
	.has_lookup_and_delete_batch = true,
	.has_update_batch = true,
	.has_delete_batch = true,
	.token_size = sizeof(uint32_t),
	.bpf_lookup = hash_bpf_lookup,
	.bpf_update = hash_bpf_update,
	.bpf_delete = hash_bpf_delete,
	.count = hash_count,
};
