// SPDX-License-Identifier: MIT
/* Unit tests of the map types beyond arrays and hashes: placeholders for
 * types the VM does not model (an object still loads; only a program
 * naming one is refused), LPM tries, queues and stacks, bloom filters,
 * device and CPU maps, perf event arrays, per-CPU hashes: creation
 * checks with the kernel's errno values, each command's results, and the
 * helpers programs reach them with. */
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

TEST(map_placeholder)
{
	struct bk_map_attr a = {.type = BPF_MAP_TYPE_SOCKMAP,
				.key_size = 4,
				.value_size = 4,
				.max_entries = 4,
				.name = "socks"};
	struct bk_insn uses[] = {
		BK_I(LDDW_MAP_IDX, 1, 0, 0, 0), {.imm = 0}, BK_MOV64_IMM(0, 0), BK_EXIT()};
	struct bk_insn plain[] = {BK_MOV64_IMM(0, 3), BK_EXIT()};
	struct bk_vm *vm = vm_new();
	struct bk_map *m = NULL, *maps[1];
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .maps = maps, .nmaps = 1};
	struct bk_vm_prog *p = NULL;
	struct bk_diag d;
	uint32_t k = 0, v = 0;

	REQUIRE(vm);
	CHECK(!bk_map_type_supported(BPF_MAP_TYPE_SOCKMAP));
	CHECK_EQ(bk_map__new(vm, &a, &m, NULL), -EINVAL);
	REQUIRE_EQ(bk_map__new_placeholder(vm, &a, &m, NULL), 0);
	CHECK(bk_map__is_placeholder(m));
	CHECK_STR(bk_map_type_name(bk_map__attr(m)->type), "sockmap");
	CHECK_EQ(bk_map__lookup(m, &k, &v, 0), -ENOTSUPP);
	CHECK_EQ(bk_map__update(m, &k, &v, 0), -ENOTSUPP);
	CHECK_EQ(bk_map__get_next_key(m, NULL, &k), -ENOTSUPP);
	maps[0] = m;
	bk_diag__init(&d);
	CHECK_EQ(bk_vm_prog__load(vm, uses, ARRAY_LEN(uses), &po, &p, &d), -BK_E_VM_MAP);
	CHECK_EQ(d.insn, 0);
	CHECK(strstr(d.msg, "socks") && strstr(d.msg, "sockmap"));
	CHECK_EQ(bk_vm_prog__load(vm, plain, ARRAY_LEN(plain), &po, &p, NULL), 0);
	bk_vm__free(vm);
}

struct lpm4 {
	uint32_t len;
	uint8_t a[4];
};

static struct lpm4 pfx(uint32_t len, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return (struct lpm4){len, {a, b, c, d}};
}

TEST(map_lpm_create_checks)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *m;

	REQUIRE(vm);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_LPM_TRIE, 8, 4, 16, 0, &m), -EINVAL); /* needs NO_PREALLOC */
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_LPM_TRIE, 4, 4, 16, BPF_F_NO_PREALLOC, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_LPM_TRIE, 261, 4, 16, BPF_F_NO_PREALLOC, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_LPM_TRIE, 8, 0, 16, BPF_F_NO_PREALLOC, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_LPM_TRIE, 8, 4, 0, BPF_F_NO_PREALLOC, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_LPM_TRIE, 8, 4, 16, BPF_F_NO_PREALLOC | BPF_F_ZERO_SEED, &m),
		 -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_LPM_TRIE, 5, 4, 16, BPF_F_NO_PREALLOC, &m), 0);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_LPM_TRIE, 260, 4, 16, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG,
		    &m),
		 0);
	bk_vm__free(vm);
}

TEST(map_lpm_longest_match)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *m;
	struct lpm4 k, nk;
	uint32_t v;
	static const struct {
		uint32_t len;
		uint8_t a[4];
		uint32_t v;
	} add[] = {
		{8, {10, 0, 0, 0}, 1},	   {16, {10, 1, 0, 0}, 2},   {24, {10, 1, 2, 0}, 3},
		{24, {10, 1, 3, 0}, 4},	   {0, {0, 0, 0, 0}, 5},     {32, {10, 1, 2, 3}, 6},
		{16, {192, 168, 0, 0}, 7}, {17, {10, 1, 128, 0}, 8},
	};
	static const struct {
		uint8_t a[4];
		uint32_t len, v;
	} look[] = {
		{{10, 1, 2, 3}, 32, 6},	   {{10, 1, 2, 4}, 32, 3},   {{10, 1, 3, 9}, 32, 4},
		{{10, 1, 4, 9}, 32, 2},	   {{10, 2, 0, 0}, 32, 1},   {{11, 0, 0, 0}, 32, 5},
		{{10, 1, 2, 3}, 20, 2},	   {{10, 1, 200, 1}, 32, 8}, {{192, 168, 9, 9}, 32, 7},
		{{192, 169, 0, 0}, 32, 5}, {{10, 1, 2, 3}, 0, 5},
	};

	REQUIRE(vm);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_LPM_TRIE, 8, 4, 8, BPF_F_NO_PREALLOC, &m), 0);
	for (size_t i = 0; i < ARRAY_LEN(add); i++) {
		k = pfx(add[i].len, add[i].a[0], add[i].a[1], add[i].a[2], add[i].a[3]);
		CHECK_EQ(bk_map__update(m, &k, &add[i].v, BPF_NOEXIST), 0);
	}
	CHECK_EQ(bk_map__count(m), 8);
	k = pfx(8, 11, 0, 0, 0);
	CHECK_EQ(bk_map__update(m, &k, &v, BPF_ANY), -ENOSPC);
	CHECK_EQ(bk_map__update(m, &k, &v, BPF_EXIST), -ENOENT);
	k = pfx(8, 10, 9, 9, 9); /* the same /8 prefix: replaced */
	v = 11;
	CHECK_EQ(bk_map__update(m, &k, &v, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(bk_map__update(m, &k, &v, BPF_EXIST), 0);
	v = 1;
	CHECK_EQ(bk_map__update(m, &k, &v, 3), -EINVAL);
	k.len = 33;
	CHECK_EQ(bk_map__update(m, &k, &v, 0), -EINVAL);
	CHECK_EQ(bk_map__lookup(m, &k, &v, 0), -ENOENT);
	CHECK_EQ(bk_map__delete(m, &k), -EINVAL);
	for (size_t i = 0; i < ARRAY_LEN(look); i++) {
		k = pfx(look[i].len, look[i].a[0], look[i].a[1], look[i].a[2], look[i].a[3]);
		v = 0;
		if (CHECK_EQ(bk_map__lookup(m, &k, &v, 0), 0))
			CHECK_EQ(v, look[i].v == 1 ? 11 : look[i].v);
	}
	/* post-order: more specific first, the 0 branch first; the stored key
	 * keeps the bytes it was last written with */
	{
		static const uint32_t order[][2] = {
			{32, 0x0302010a}, {24, 0x0002010a}, {24, 0x0003010a}, {17, 0x0080010a},
			{16, 0x0000010a}, {8, 0x0909090a},  {16, 0x0000a8c0}, {0, 0},
		};
		size_t n = 0;
		int err = bk_map__get_next_key(m, NULL, &nk);

		while (!err && n < ARRAY_LEN(order)) {
			uint32_t a;

			memcpy(&a, nk.a, 4);
			CHECK_EQ(nk.len, order[n][0]);
			CHECK_EQ(a, order[n][1]);
			n++;
			k = nk;
			err = bk_map__get_next_key(m, &k, &nk);
		}
		CHECK_EQ(n, ARRAY_LEN(order));
		CHECK_EQ(err, -ENOENT);
	}
	/* an absent key starts over */
	k = pfx(12, 1, 2, 3, 4);
	CHECK_EQ(bk_map__get_next_key(m, &k, &nk), 0);
	CHECK_EQ(nk.len, 32);
	/* deletes: exact prefixes only; the trie keeps matching */
	k = pfx(16, 10, 1, 0, 0);
	CHECK_EQ(bk_map__delete(m, &k), 0);
	CHECK_EQ(bk_map__delete(m, &k), -ENOENT);
	k = pfx(32, 10, 1, 4, 9);
	CHECK_EQ(bk_map__lookup(m, &k, &v, 0), 0);
	CHECK_EQ(v, 11);
	k = pfx(24, 10, 1, 2, 0);
	CHECK_EQ(bk_map__delete(m, &k), 0);
	k = pfx(32, 10, 1, 2, 4);
	CHECK_EQ(bk_map__lookup(m, &k, &v, 0), 0);
	CHECK_EQ(v, 11);
	k = pfx(32, 10, 1, 2, 3);
	CHECK_EQ(bk_map__lookup(m, &k, &v, 0), 0);
	CHECK_EQ(v, 6);
	k = pfx(0, 0, 0, 0, 0);
	CHECK_EQ(bk_map__delete(m, &k), 0);
	k = pfx(32, 11, 0, 0, 0);
	CHECK_EQ(bk_map__lookup(m, &k, &v, 0), -ENOENT);
	CHECK_EQ(bk_map__count(m), 5);
	CHECK_EQ(bk_map__lookup_and_delete(m, &k, &v, 0), -ENOTSUPP);
	bk_vm__free(vm);
}
