// SPDX-License-Identifier: MIT
/*
 * map_ringbuf.c - BPF ring buffers with the kernel's record format: an
 * 8-byte header (length with a busy and a discard bit, page offset), data
 * rounded to 8 bytes, producer and consumer positions that only grow.  The
 * data area is mapped twice back to back (a memfd), so a record that wraps
 * around the end is contiguous for the program and the consumer, as in the
 * kernel.  Reservations are serialised by the map lock; commits flip the
 * busy bit atomically; the consumer walks committed records in order and
 * stops at the first busy one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm_int.h"

#define BUSY_BIT (1u << 31)
#define DISCARD_BIT (1u << 30)
#define HDR_SZ 8u
#define MAX_RECORD (UINT32_MAX / 4)

struct bk_ringbuf {
	uint64_t consumer_pos __attribute__((aligned(64)));
	uint64_t producer_pos __attribute__((aligned(64)));
	uint64_t pending_pos;
	uint64_t mask;
	uint8_t *data; /* 2 * size bytes, the second half mapping the first */
	size_t size;
};

struct rb_hdr {
	uint32_t len;
	uint32_t pg_off;
};

static struct bk_ringbuf *rb(const struct bk_map *m)
{
	return m->priv;
}

static int double_map(struct bk_ringbuf *r)
{
	int fd = memfd_create("bk_ringbuf", MFD_CLOEXEC);
	uint8_t *area;
	int err = 0;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)r->size) < 0) {
		err = -errno;
		goto out;
	}
	area = mmap(NULL, 2 * r->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		err = -errno;
		goto out;
	}
	if (mmap(area, r->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
		    MAP_FAILED ||
	    mmap(area + r->size, r->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
		    MAP_FAILED) {
		err = -errno;
		munmap(area, 2 * r->size);
		goto out;
	}
	r->data = area;
out:
	close(fd);
	return err;
}

static int ringbuf_create(struct bk_map *m)
{
	uint32_t n = m->attr.max_entries;
	long page = sysconf(_SC_PAGESIZE);
	struct bk_ringbuf *r;
	int err;

	if (m->attr.flags & ~(uint32_t)BPF_F_NUMA_NODE)
		return -EINVAL;
	if (m->attr.key_size || m->attr.value_size || !n || (n & (n - 1)) || n % page)
		return -EINVAL;
	if (n > (1u << 30))
		return -E2BIG;
	if (posix_memalign((void **)&r, 64, sizeof(*r)))
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	r->size = n;
	r->mask = n - 1;
	err = double_map(r);
	if (err) {
		free(r);
		return err;
	}
	m->priv = r;
	m->region = (struct bk_region){.lo = (uintptr_t)r->data, .hi = (uintptr_t)r->data + 2 * n};
	return 0;
}

static void ringbuf_destroy(struct bk_map *m)
{
	struct bk_ringbuf *r = rb(m);

	if (!r)
		return;
	munmap(r->data, 2 * r->size);
	free(r);
}

static uint32_t hdr_len(const struct rb_hdr *h)
{
	return __atomic_load_n(&h->len, __ATOMIC_ACQUIRE);
}

void *bk_ringbuf_reserve(struct bk_map *m, uint64_t size)
{
	struct bk_ringbuf *r = rb(m);
	uint64_t len, cons, pend, prod;
	struct rb_hdr *h;

	if (size > MAX_RECORD)
		return NULL;
	len = ROUND_UP(size + HDR_SZ, 8);
	if (len > r->size)
		return NULL;
	cons = __atomic_load_n(&r->consumer_pos, __ATOMIC_ACQUIRE);
	pthread_mutex_lock(&m->lock);
	pend = r->pending_pos;
	prod = r->producer_pos;
	while (pend < prod) {
		uint32_t l = hdr_len((struct rb_hdr *)(void *)(r->data + (pend & r->mask)));

		if (l & BUSY_BIT)
			break;
		pend += ROUND_UP((uint64_t)(l & ~DISCARD_BIT) + HDR_SZ, 8);
	}
	r->pending_pos = pend;
	if (prod + len - cons > r->mask || prod + len - pend > r->mask) {
		pthread_mutex_unlock(&m->lock);
		return NULL;
	}
	h = (struct rb_hdr *)(void *)(r->data + (prod & r->mask));
	h->pg_off = (uint32_t)((prod & r->mask) / 4096 + 2);
	__atomic_store_n(&h->len, (uint32_t)size | BUSY_BIT, __ATOMIC_RELAXED);
	__atomic_store_n(&r->producer_pos, prod + len, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&m->lock);
	return (uint8_t *)h + HDR_SZ;
}

bool bk_ringbuf_mem_ok(struct bk_map *m, uintptr_t p, uint64_t len)
{
	struct bk_ringbuf *r = rb(m);
	uintptr_t lo = (uintptr_t)r->data;

	return p >= lo && len <= 2 * r->size && p - lo <= 2 * r->size - len;
}

int bk_ringbuf_commit(struct bk_vm *vm, void *p, bool discard)
{
	struct bk_map *found = NULL;
	struct rb_hdr *h;
	uint32_t l;

	pthread_mutex_lock(&vm->lock);
	for (struct bk_map *m = vm->maps; m; m = m->next) {
		if (m->attr.type == BPF_MAP_TYPE_RINGBUF && bk_ringbuf_mem_ok(m, (uintptr_t)p, 1) &&
		    (uintptr_t)p >= (uintptr_t)rb(m)->data + HDR_SZ) {
			found = m;
			break;
		}
	}
	pthread_mutex_unlock(&vm->lock);
	if (!found || ((uintptr_t)p & 7))
		return -EINVAL;
	h = (struct rb_hdr *)(void *)((uint8_t *)p - HDR_SZ);
	l = hdr_len(h);
	if (!(l & BUSY_BIT))
		return -EINVAL;
	l ^= BUSY_BIT;
	if (discard)
		l |= DISCARD_BIT;
	__atomic_exchange_n(&h->len, l, __ATOMIC_ACQ_REL);
	return 0;
}

uint64_t bk_ringbuf_query(struct bk_map *m, uint64_t flags)
{
	struct bk_ringbuf *r = rb(m);
	uint64_t cons = __atomic_load_n(&r->consumer_pos, __ATOMIC_ACQUIRE);
	uint64_t prod = __atomic_load_n(&r->producer_pos, __ATOMIC_ACQUIRE);

	switch (flags) {
	case BPF_RB_AVAIL_DATA:
		return prod - cons;
	case BPF_RB_RING_SIZE:
		return r->size;
	case BPF_RB_CONS_POS:
		return cons;
	case BPF_RB_PROD_POS:
		return prod;
	default:
		return 0;
	}
}

int bk_map__ringbuf_consume(struct bk_map *m, bk_ringbuf_fn fn, void *ctx)
{
	struct bk_ringbuf *r;
	uint64_t cons, prod;
	int n = 0;

	if (m->attr.type != BPF_MAP_TYPE_RINGBUF)
		return -EINVAL;
	r = rb(m);
	cons = __atomic_load_n(&r->consumer_pos, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(&r->producer_pos, __ATOMIC_ACQUIRE);
	while (cons < prod) {
		const struct rb_hdr *h = (const void *)(r->data + (cons & r->mask));
		uint32_t l = hdr_len(h), dlen;
		int ret;

		if (l & BUSY_BIT)
			break;
		dlen = l & ~DISCARD_BIT;
		if (dlen > r->size - HDR_SZ)
			dlen = (uint32_t)(r->size - HDR_SZ); /* a program scribbled on it */
		cons += ROUND_UP((uint64_t)dlen + HDR_SZ, 8);
		if (!(l & DISCARD_BIT)) {
			ret = fn ? fn(ctx, (const uint8_t *)h + HDR_SZ, dlen) : 0;
			n++;
			if (ret) {
				__atomic_store_n(&r->consumer_pos, cons, __ATOMIC_RELEASE);
				return ret;
			}
		}
		__atomic_store_n(&r->consumer_pos, cons, __ATOMIC_RELEASE);
	}
	return n;
}

const struct bk_map_ops bk_ringbuf_ops = {
	.create = ringbuf_create,
	.destroy = ringbuf_destroy,
};
