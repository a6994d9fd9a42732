// SPDX-License-Identifier: MIT
/*
 * map_queue.c - queue, stack and bloom filter maps: no keys (key_size 0),
 * values pushed (update from user space, bpf_map_push_elem), read
 * (lookup, bpf_map_peek_elem) and, for queues and stacks, taken
 * (lookup_and_delete, bpf_map_pop_elem), with the kernel's errno values.
 *
 * Queues and stacks are a ring of max_entries + 1 values: push writes at
 * head; a queue takes from tail, a stack from head - 1; pushing on a full
 * map fails with -E2BIG unless BPF_EXIST asks to drop the oldest value.
 * A bloom filter sets nr_hash_funcs bits (map_extra & 0xf, 0: 5) of a
 * power-of-two bit set sized as the kernel sizes it, each bit from
 * jhash(value, seed + i); a peek answers 0 when all are set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

struct qs {
	uint8_t *elems;
	size_t bytes;
	uint32_t size, head, tail;  /* queue, stack */
	uint32_t nhash, mask, seed; /* bloom */
};

static struct qs *q(const struct bk_map *m)
{
	return m->priv;
}

static bool is_bloom(const struct bk_map *m)
{
	return m->attr.type == BPF_MAP_TYPE_BLOOM_FILTER;
}

static int qs_check(const struct bk_map_attr *a)
{
	uint32_t mask = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG |
			BPF_F_WRONLY_PROG;

	if (a->type == BPF_MAP_TYPE_BLOOM_FILTER)
		mask |= BPF_F_ZERO_SEED;
	if (!a->max_entries || a->key_size || !a->value_size || (a->flags & ~mask) ||
	    ((a->flags & BPF_F_RDONLY_PROG) && (a->flags & BPF_F_WRONLY_PROG)))
		return -EINVAL;
	if (a->type == BPF_MAP_TYPE_BLOOM_FILTER ? (a->map_extra & ~0xfull) != 0 : a->map_extra)
		return -EINVAL;
	if (a->value_size > (1u << 22))
		return -E2BIG;
	return 0;
}

static int qs_create(struct bk_map *m)
{
	struct qs *s;
	int err = qs_check(&m->attr);

	if (err)
		return err;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	m->priv = s;
	if (is_bloom(m)) {
		uint64_t bits;

		s->nhash = m->attr.map_extra & 0xf ? (uint32_t)(m->attr.map_extra & 0xf) : 5;
		bits = (uint64_t)m->attr.max_entries * s->nhash / 5 * 7;
		if (bits > (1ull << 31)) {
			bits = 1ull << 31;
		} else if (bits <= 64) {
			bits = 64;
		} else {
			uint64_t p = 1;

			while (p < bits)
				p <<= 1;
			bits = p;
		}
		s->mask = (uint32_t)(bits - 1);
		s->bytes = (size_t)(bits / 8);
		s->seed = (m->attr.flags & BPF_F_ZERO_SEED)
				  ? 0
				  : (uint32_t)bk_vm_splitmix(&m->vm->seed);
	} else {
		s->size = m->attr.max_entries + 1;
		if ((uint64_t)s->size * m->attr.value_size > (1ull << 31))
			return -ENOMEM;
		s->bytes = (size_t)s->size * m->attr.value_size;
	}
	s->elems = bk_vm_alloc(m->vm, s->bytes);
	return s->elems ? 0 : -ENOMEM;
}

static void qs_destroy(struct bk_map *m)
{
	struct qs *s = q(m);

	if (!s)
		return;
	bk_vm_free_mem(m->vm, s->elems, s->bytes);
	free(s);
}

static uint32_t bloom_bit(const struct bk_map *m, const void *value, uint32_t i)
{
	return bk_jhash(value, m->attr.value_size, q(m)->seed + i) & q(m)->mask;
}

static long push_locked(struct bk_map *m, const void *value, uint64_t flags)
{
	struct qs *s = q(m);
	uint32_t vs = m->attr.value_size;

	if (is_bloom(m)) {
		if (flags != BPF_ANY)
			return -EINVAL;
		for (uint32_t i = 0; i < s->nhash; i++) {
			uint32_t b = bloom_bit(m, value, i);

			s->elems[b / 8] |= (uint8_t)(1u << (b % 8));
		}
		return 0;
	}
	if ((flags & BPF_NOEXIST) || flags > BPF_EXIST)
		return -EINVAL;
	if ((s->head + 1) % s->size == s->tail) {
		if (!(flags & BPF_EXIST))
			return -E2BIG;
		s->tail = (s->tail + 1) % s->size; /* drop the oldest */
	}
	memcpy(s->elems + (size_t)s->head * vs, value, vs);
	s->head = (s->head + 1) % s->size;
	return 0;
}

static long take_locked(struct bk_map *m, void *value, bool del)
{
	struct qs *s = q(m);
	uint32_t vs = m->attr.value_size, i;

	if (is_bloom(m)) {
		if (del)
			return -EOPNOTSUPP;
		for (uint32_t k = 0; k < s->nhash; k++) {
			uint32_t b = bloom_bit(m, value, k);

			if (!(s->elems[b / 8] & (1u << (b % 8))))
				return -ENOENT;
		}
		return 0;
	}
	if (s->head == s->tail) {
		memset(value, 0, vs);
		return -ENOENT;
	}
	if (m->attr.type == BPF_MAP_TYPE_QUEUE) {
		i = s->tail;
		if (del)
			s->tail = (s->tail + 1) % s->size;
	} else {
		i = s->head ? s->head - 1 : s->size - 1;
		if (del)
			s->head = i;
	}
	memcpy(value, s->elems + (size_t)i * vs, vs);
	return 0;
}

static long qs_push(struct bk_map *m, const void *value, uint64_t flags)
{
	long err;

	pthread_mutex_lock(&m->lock);
	err = push_locked(m, value, flags);
	pthread_mutex_unlock(&m->lock);
	return err;
}

static long qs_take(struct bk_map *m, void *value, bool del)
{
	long err;

	pthread_mutex_lock(&m->lock);
	err = take_locked(m, value, del);
	pthread_mutex_unlock(&m->lock);
	return err;
}

static int qs_lookup(struct bk_map *m, const void *key, void *value, uint64_t flags)
{
	(void)key;
	(void)flags;
	return (int)qs_take(m, value, false);
}

static int qs_update(struct bk_map *m, const void *key, const void *value, uint64_t flags)
{
	(void)key;
	return (int)qs_push(m, value, flags);
}

static int qs_delete(struct bk_map *m, const void *key)
{
	(void)key;
	return is_bloom(m) ? -EOPNOTSUPP : -EINVAL;
}

static int qs_next_key(struct bk_map *m, const void *key, void *next)
{
	(void)key;
	(void)next;
	return is_bloom(m) ? -EOPNOTSUPP : -EINVAL;
}

static int qs_lookup_and_delete(struct bk_map *m, const void *key, void *value, uint64_t flags)
{
	(void)key;
	if (flags && !is_bloom(m))
		return -EINVAL;
	return (int)qs_take(m, value, true);
}

static long qs_bpf_pop(struct bk_map *m, void *value)
{
	return qs_take(m, value, true);
}

static long qs_bpf_peek(struct bk_map *m, void *value)
{
	return qs_take(m, value, false);
}

const struct bk_map_ops bk_queue_ops = {
	.create = qs_create,
	.destroy = qs_destroy,
	.lookup = qs_lookup,
	.update = qs_update,
	.delete = qs_delete,
	.next_key = qs_next_key,
	.lookup_and_delete = qs_lookup_and_delete,
	.bpf_push = qs_push,
	.bpf_pop = qs_bpf_pop,
	.bpf_peek = qs_bpf_peek,
};
