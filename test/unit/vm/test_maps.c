// SPDX-License-Identifier: MIT
/* Unit tests of userspace maps through the syscall-side API: creation
 * checks, errno values of each command per type, batch semantics, the
 * array layout, LRU eviction.  test_map_kernel.c compares with the kernel
 * itself. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmtest.h"

#define ENOTSUPP 524

static struct bk_vm *vm_new(void)
{
	struct bk_vm_opts o = {.sz = sizeof(o), .ncpus = 2, .seed = 1};
	struct bk_vm *vm = NULL;

	bk_vm__new(&o, &vm);
	return vm;
}

static int mk(struct bk_vm *vm, uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags,
	      struct bk_map **m)
{
	struct bk_map_attr a = {.type = type,
				.key_size = ks,
				.value_size = vs,
				.max_entries = n,
				.flags = flags,
				.name = "t"};

	return bk_map__new(vm, &a, m, NULL);
}

TEST(map_create_checks)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *m;

	REQUIRE(vm);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_ARRAY, 8, 4, 4, 0, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_ARRAY, 4, 0, 4, 0, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_ARRAY, 4, 4, 0, 0, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_NO_PREALLOC, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, BPF_F_MMAPABLE, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_HASH, 0, 4, 4, 0, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_HASH, 4, 4, 4, BPF_F_MMAPABLE, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_LRU_HASH, 4, 4, 4, BPF_F_NO_PREALLOC, &m), -ENOTSUPP);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_RINGBUF, 4, 4, 4096, 0, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_RINGBUF, 0, 0, 4095, 0, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_RINGBUF, 0, 0, 3 * 4096, 0, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_PROG_ARRAY, 4, 8, 4, 0, &m), -EINVAL);
	CHECK_EQ(mk(vm, 1000, 4, 4, 4, 0, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_ARRAY, 4, 4, 1u << 30, 0, &m), -ENOMEM);
	bk_vm__free(vm);
}

TEST(map_array_errnos_and_layout)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *m;
	uint32_t k = 1, next;
	uint8_t v[12] = {1, 2, 3}, out[12];
	uint8_t *base;
	size_t len;

	REQUIRE(vm);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_ARRAY, 4, 12, 4, BPF_F_MMAPABLE, &m), 0);
	CHECK_EQ(bk_map__update(m, &k, v, BPF_ANY), 0);
	CHECK_EQ(bk_map__update(m, &k, v, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(bk_map__update(m, &k, v, 7), -EINVAL);
	CHECK_EQ(bk_map__update(m, &k, v, BPF_F_LOCK), -EINVAL);
	CHECK_EQ(bk_map__lookup(m, &k, out, BPF_F_LOCK), -EINVAL);
	CHECK_EQ(bk_map__delete(m, &k), -EINVAL);
	k = 9;
	CHECK_EQ(bk_map__update(m, &k, v, BPF_ANY), -E2BIG);
	CHECK_EQ(bk_map__lookup(m, &k, out, 0), -ENOENT);
	CHECK_EQ(bk_map__get_next_key(m, &k, &next), 0);
	CHECK_EQ(next, 0);
	k = 3;
	CHECK_EQ(bk_map__get_next_key(m, &k, &next), -ENOENT);
	CHECK_EQ(bk_map__get_next_key(m, NULL, &next), 0);
	CHECK_EQ(next, 0);
	CHECK_EQ(bk_map__lookup_and_delete(m, &k, out, 0), -ENOTSUPP);
	/* element i at i * round_up(12, 8) */
	base = bk_map__array_base(m, &len);
	REQUIRE(base != NULL);
	CHECK_EQ(len, 4 * 16);
	CHECK_MEM(base + 16, v, 12);
	bk_vm__free(vm);
}

TEST(map_percpu_array_user_values)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *m;
	uint32_t k = 0;
	uint64_t in[2] = {5, 6}, out[2];

	REQUIRE(vm);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 2, 0, &m), 0);
	CHECK_EQ(bk_map__user_value_size(m), 16);
	CHECK_EQ(bk_map__update(m, &k, in, 0), 0);
	CHECK_EQ(bk_map__lookup(m, &k, out, 0), 0);
	CHECK_MEM(out, in, sizeof(in));
	CHECK_EQ(*(uint32_t *)bk_map__bpf_lookup(m, &k, 1), 6);
	bk_vm__free(vm);
}

TEST(map_hash_errnos)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *m;
	uint32_t k, v = 7, out;

	REQUIRE(vm);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_HASH, 4, 4, 3, 0, &m), 0);
	for (k = 0; k < 3; k++)
		CHECK_EQ(bk_map__update(m, &k, &v, BPF_NOEXIST), 0);
	CHECK_EQ(bk_map__update(m, &k, &v, BPF_ANY), -E2BIG); /* full */
	CHECK_EQ(bk_map__update(m, &k, &v, BPF_EXIST), -ENOENT);
	k = 1;
	CHECK_EQ(bk_map__update(m, &k, &v, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(bk_map__update(m, &k, &v, BPF_EXIST), 0); /* full, but replaces */
	CHECK_EQ(bk_map__lookup_and_delete(m, &k, &out, 0), 0);
	CHECK_EQ(out, 7);
	CHECK_EQ(bk_map__delete(m, &k), -ENOENT);
	CHECK_EQ(bk_map__count(m), 2);
	k = 9;
	CHECK_EQ(bk_map__update(m, &k, &v, BPF_ANY), 0);
	CHECK_EQ(bk_map__count(m), 3);
	bk_vm__free(vm);
}

/* Walks a hash map with get_next_key; returns the number of keys. */
static int walk(struct bk_map *m, uint32_t *keys, int max)
{
	uint32_t k, nk;
	int n = 0;

	for (int err = bk_map__get_next_key(m, NULL, &nk); !err && n < max;
	     err = bk_map__get_next_key(m, &k, &nk)) {
		keys[n++] = nk;
		k = nk;
	}
	return n;
}

TEST(map_hash_batches)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *m;
	uint32_t keys[64], vals[64], order[64], tok, k, seen = 0;
	struct bk_map_batch b;
	int n, err;

	REQUIRE(vm);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_HASH, 4, 4, 64, BPF_F_ZERO_SEED, &m), 0);
	for (k = 0; k < 40; k++)
		CHECK_EQ(bk_map__update(m, &k, &k, 0), 0);
	n = walk(m, order, 64);
	CHECK_EQ(n, 40);
	/* batches of 8 return the get_next_key order, ENOENT at the end */
	memset(&b, 0, sizeof(b));
	do {
		b.keys = keys;
		b.values = vals;
		b.count = 8;
		b.out_batch = &tok;
		err = bk_map__lookup_batch(m, &b);
		for (uint32_t i = 0; i < b.count; i++) {
			CHECK_EQ(keys[i], order[seen + i]);
			CHECK_EQ(vals[i], keys[i]);
		}
		seen += b.count;
		b.in_batch = &tok;
		CHECK(err == 0 || err == -ENOENT);
	} while (!err);
	CHECK_EQ(seen, 40);
	/* a count of 1 cannot hold a bucket of 2+ eventually: ENOSPC with 0 */
	memset(&b, 0, sizeof(b));
	b.keys = keys;
	b.values = vals;
	b.out_batch = &tok;
	b.count = 0;
	CHECK_EQ(bk_map__lookup_batch(m, &b), 0);
	b.flags = 1;
	b.count = 8;
	CHECK_EQ(bk_map__lookup_batch(m, &b), -EINVAL);
	CHECK_EQ(b.count, 8); /* untouched */
	b.flags = 0;
	b.elem_flags = BPF_NOEXIST;
	CHECK_EQ(bk_map__update_batch(m, &b), -EINVAL);
	/* lookup and delete everything */
	b.elem_flags = 0;
	b.in_batch = NULL;
	b.count = 64;
	CHECK_EQ(bk_map__lookup_and_delete_batch(m, &b), -ENOENT);
	CHECK_EQ(b.count, 40);
	CHECK_EQ(bk_map__count(m), 0);
	bk_vm__free(vm);
}

TEST(map_hash_enospc)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *m;
	uint32_t keys[8], vals[8], tok = 0, k;
	struct bk_map_batch b = {.keys = keys, .values = vals, .out_batch = &tok, .count = 1};
	int err = 0;

	REQUIRE(vm);
	/* 2 buckets, 4 elements: some bucket holds 2+ */
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_HASH, 4, 4, 2, 0, &m), 0);
	for (k = 0; k < 2; k++)
		bk_map__update(m, &k, &k, 0);
	for (int tries = 0; tries < 4 && err != -ENOSPC; tries++) {
		b.count = 1;
		err = bk_map__lookup_batch(m, &b);
		b.in_batch = &tok;
	}
	/* either the keys share a bucket (ENOSPC, count 0) or not */
	if (err == -ENOSPC)
		CHECK_EQ(b.count, 0);
	bk_vm__free(vm);
}

TEST(map_array_batches)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *m;
	uint32_t keys[8], vals[8], tok;
	struct bk_map_batch b = {.keys = keys, .values = vals, .out_batch = &tok};

	REQUIRE(vm);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_ARRAY, 4, 4, 5, 0, &m), 0);
	b.count = 3;
	CHECK_EQ(bk_map__lookup_batch(m, &b), 0);
	CHECK_EQ(b.count, 3);
	CHECK_EQ(tok, 2);
	b.in_batch = &tok;
	b.count = 3;
	CHECK_EQ(bk_map__lookup_batch(m, &b), -ENOENT);
	CHECK_EQ(b.count, 2);
	CHECK_EQ(keys[1], 4);
	b.count = 2;
	CHECK_EQ(bk_map__delete_batch(m, &b), -ENOTSUPP);
	CHECK_EQ(bk_map__lookup_and_delete_batch(m, &b), -ENOTSUPP);
	keys[0] = 0;
	keys[1] = 7;
	b.count = 2;
	CHECK_EQ(bk_map__update_batch(m, &b), -E2BIG);
	CHECK_EQ(b.count, 1);
	bk_vm__free(vm);
}

TEST(map_prog_array_and_ringbuf_errnos)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *pa, *rb;
	uint32_t k = 0, v = 12345, out;
	struct bk_map_batch b = {.keys = &k, .values = &v, .count = 1};

	REQUIRE(vm);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, &pa), 0);
	CHECK_EQ(bk_map__lookup(pa, &k, &out, 0), -ENOENT);
	CHECK_EQ(bk_map__update(pa, &k, &v, BPF_NOEXIST), -EINVAL);
	CHECK_EQ(bk_map__update(pa, &k, &v, 0), -EBADF);
	CHECK_EQ(bk_map__delete(pa, &k), -ENOENT);
	k = 4;
	CHECK_EQ(bk_map__delete(pa, &k), -E2BIG);
	CHECK_EQ(bk_map__update(pa, &k, &v, 0), -E2BIG);
	CHECK_EQ(bk_map__lookup_batch(pa, &b), -ENOTSUPP);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, &rb), 0);
	CHECK_EQ(bk_map__lookup(rb, &k, &out, 0), -EINVAL);
	CHECK_EQ(bk_map__update(rb, &k, &v, 0), -EINVAL);
	CHECK_EQ(bk_map__delete(rb, &k), -EINVAL);
	CHECK_EQ(bk_map__get_next_key(rb, NULL, &out), -ENOTSUPP);
	CHECK_EQ(bk_map__lookup_batch(rb, &b), -ENOTSUPP);
	bk_vm__free(vm);
}

TEST(map_lru_evicts_and_never_fills)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *m;
	uint32_t k, v, out;

	REQUIRE(vm);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_LRU_HASH, 4, 4, 64, 0, &m), 0);
	for (k = 0; k < 1000; k++) {
		v = k * 3;
		REQUIRE_EQ(bk_map__update(m, &k, &v, 0), 0);
		CHECK(bk_map__count(m) <= 64);
		/* the newest element is always there */
		CHECK_EQ(bk_map__lookup(m, &k, &out, 0), 0);
		CHECK_EQ(out, v);
	}
	CHECK(bk_map__count(m) > 0);
	/* elements referenced by programs survive a round of evictions */
	k = 999;
	bk_map__bpf_lookup(m, &k, 0);
	for (k = 1000; k < 1010; k++)
		bk_map__update(m, &k, &k, 0);
	k = 999;
	CHECK_EQ(bk_map__lookup(m, &k, &out, 0), 0);
	bk_vm__free(vm);
}

/* Storage comes from the allocator hook. */
static size_t hook_bytes;

static void *hook_alloc(void *ctx, size_t size)
{
	(void)ctx;
	hook_bytes += size;
	return calloc(1, size);
}

static void hook_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	hook_bytes -= size;
	free(p);
}

TEST(map_allocator_hook)
{
	struct bk_vm_alloc al = {hook_alloc, hook_free, NULL};
	struct bk_vm_opts o = {.sz = sizeof(o), .alloc = &al, .ncpus = 1};
	struct bk_vm *vm = NULL;
	struct bk_map *a, *h;

	REQUIRE_EQ(bk_vm__new(&o, &vm), 0);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_ARRAY, 4, 8, 100, 0, &a), 0);
	CHECK(hook_bytes >= 800);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_HASH, 4, 8, 100, 0, &h), 0);
	bk_map__free(a);
	bk_vm__free(vm);
	CHECK_EQ(hook_bytes, 0);
}
