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

TEST(map_queue_stack_order)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *qm, *sm;
	uint32_t v, k = 0;

	REQUIRE(vm);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_QUEUE, 4, 4, 3, 0, &qm), -EINVAL); /* no keys */
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_QUEUE, 0, 0, 3, 0, &qm), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_STACK, 0, 4, 0, 0, &qm), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_QUEUE, 0, 4, 3, BPF_F_NO_PREALLOC, &qm), -EINVAL);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_QUEUE, 0, 4, 3, 0, &qm), 0);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_STACK, 0, 4, 3, 0, &sm), 0);
	CHECK_EQ(bk_map__lookup(qm, NULL, &v, 0), -ENOENT);
	CHECK_EQ(bk_map__lookup(qm, &k, &v, 0), -EINVAL); /* a key for a keyless map */
	for (v = 1; v <= 3; v++) {
		CHECK_EQ(bk_map__update(qm, NULL, &v, BPF_ANY), 0);
		CHECK_EQ(bk_map__update(sm, NULL, &v, BPF_ANY), 0);
	}
	CHECK_EQ(bk_map__update(qm, NULL, &v, BPF_ANY), -E2BIG);
	CHECK_EQ(bk_map__update(qm, NULL, &v, BPF_NOEXIST), -EINVAL);
	CHECK_EQ(bk_map__update(qm, NULL, &v, BPF_EXIST), 0); /* drops the oldest (1) */
	CHECK_EQ(bk_map__update(sm, NULL, &v, BPF_EXIST), 0); /* drops the bottom (1) */
	CHECK_EQ(bk_map__lookup(qm, NULL, &v, 0), 0);
	CHECK_EQ(v, 2);
	CHECK_EQ(bk_map__lookup(sm, NULL, &v, 0), 0);
	CHECK_EQ(v, 4);
	CHECK_EQ(bk_map__delete(qm, NULL), -EINVAL);
	CHECK_EQ(bk_map__get_next_key(qm, NULL, &k), -EINVAL);
	CHECK_EQ(bk_map__lookup_and_delete(qm, NULL, &v, 1), -EINVAL);
	{
		static const uint32_t qwant[] = {2, 3, 4}, swant[] = {4, 3, 2};

		for (int i = 0; i < 3; i++) {
			CHECK_EQ(bk_map__lookup_and_delete(qm, NULL, &v, 0), 0);
			CHECK_EQ(v, qwant[i]);
			CHECK_EQ(bk_map__lookup_and_delete(sm, NULL, &v, 0), 0);
			CHECK_EQ(v, swant[i]);
		}
	}
	v = 9;
	CHECK_EQ(bk_map__lookup_and_delete(qm, NULL, &v, 0), -ENOENT);
	CHECK_EQ(v, 0);
	bk_vm__free(vm);
}

/* push 5 and 6 with the helpers, pop one, peek the other: r0 = popped * 10
 * + peeked */
static uint64_t push_pop(uint32_t type)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *m = NULL;
	struct bk_insn p[] = {
		BK_ST_MEM(W, 10, -4, 5),
		BK_LD_MAP_FD(1, 0),
		BK_MOV64_REG(2, 10),
		BK_ALU64_IMM(ADD, 2, -4),
		BK_MOV64_IMM(3, 0),
		BK_CALL(BPF_FUNC_map_push_elem),
		BK_ST_MEM(W, 10, -4, 6),
		BK_LD_MAP_FD(1, 0),
		BK_MOV64_REG(2, 10),
		BK_ALU64_IMM(ADD, 2, -4),
		BK_MOV64_IMM(3, 0),
		BK_CALL(BPF_FUNC_map_push_elem),
		BK_LD_MAP_FD(1, 0),
		BK_MOV64_REG(2, 10),
		BK_ALU64_IMM(ADD, 2, -8),
		BK_CALL(BPF_FUNC_map_pop_elem),
		BK_LD_MAP_FD(1, 0),
		BK_MOV64_REG(2, 10),
		BK_ALU64_IMM(ADD, 2, -12),
		BK_CALL(BPF_FUNC_map_peek_elem),
		BK_LDX_MEM(W, 0, 10, -8),
		BK_ALU64_IMM(MUL, 0, 10),
		BK_LDX_MEM(W, 1, 10, -12),
		BK_ALU64_REG(ADD, 0, 1),
		BK_EXIT(),
	};
	uint64_t r = ~0ull;

	if (vm && !mk(vm, type, 0, 4, 4, 0, &m)) {
		for (size_t i = 0; i < ARRAY_LEN(p); i++)
			if (p[i].code == BK_I(LDDW_MAP_FD, 0, 0, 0, 0).code)
				p[i].imm = (int32_t)bk_map__id(m);
		for (int mode = 0; mode < 2; mode++) {
			struct vt v = {.vm = vm};

			if (vt_load(&v, p, ARRAY_LEN(p), NULL) || vt_exec(&v, mode, NULL, 0)) {
				r = ~0ull;
			} else {
				r = v.r0;
			}
			bk_vm_run__free(v.run);
			bk_vm_prog__free(v.prog);
			while (!bk_map__lookup_and_delete(m, NULL, &(uint32_t){0}, 0))
				;
		}
	}
	bk_vm__free(vm);
	return r;
}

TEST(map_queue_stack_helpers)
{
	CHECK_EQ(push_pop(BPF_MAP_TYPE_QUEUE), 56);
	CHECK_EQ(push_pop(BPF_MAP_TYPE_STACK), 65);
}

TEST(map_bloom_filter)
{
	struct bk_vm *vm = vm_new();
	struct bk_map_attr a = {.type = BPF_MAP_TYPE_BLOOM_FILTER,
				.value_size = 8,
				.max_entries = 100,
				.map_extra = 3,
				.name = "b"};
	struct bk_map *m;
	uint64_t v;
	int fp = 0;

	REQUIRE(vm);
	a.map_extra = 16;
	CHECK_EQ(bk_map__new(vm, &a, &m, NULL), -EINVAL);
	a.map_extra = 3;
	a.key_size = 4;
	CHECK_EQ(bk_map__new(vm, &a, &m, NULL), -EINVAL);
	a.key_size = 0;
	REQUIRE_EQ(bk_map__new(vm, &a, &m, NULL), 0);
	for (v = 0; v < 100; v += 2)
		CHECK_EQ(bk_map__update(m, NULL, &v, BPF_ANY), 0);
	CHECK_EQ(bk_map__update(m, NULL, &v, BPF_NOEXIST), -EINVAL);
	for (v = 0; v < 100; v += 2)
		CHECK_EQ(bk_map__lookup(m, NULL, &v, 0), 0); /* no false negatives */
	for (v = 1; v < 1000; v += 2)
		fp += bk_map__lookup(m, NULL, &v, 0) == 0;
	CHECK(fp < 250);
	CHECK_EQ(bk_map__delete(m, NULL), -EOPNOTSUPP);
	CHECK_EQ(bk_map__lookup_and_delete(m, NULL, &v, 0), -EOPNOTSUPP);
	bk_vm__free(vm);
}

TEST(map_devmap_cpumap_xskmap)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *dev, *dh, *cpu, *xsk;
	uint32_t k, v, v2[2] = {3, 0}, nk;

	REQUIRE(vm);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_DEVMAP, 4, 12, 4, 0, &dev), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_DEVMAP, 8, 4, 4, 0, &dev), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_DEVMAP, 4, 4, 4, BPF_F_NO_PREALLOC, &dev), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_CPUMAP, 4, 4, 8193, 0, &cpu), -E2BIG);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_XSKMAP, 4, 8, 4, 0, &xsk), -EINVAL);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_DEVMAP, 4, 4, 4, 0, &dev), 0);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_DEVMAP_HASH, 4, 8, 4, 0, &dh), 0);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_CPUMAP, 4, 4, 4, 0, &cpu), 0);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_XSKMAP, 4, 4, 4, 0, &xsk), 0);
	CHECK(bk_map__attr(dev)->flags & BPF_F_RDONLY_PROG);
	k = 1, v = 7;
	CHECK_EQ(bk_map__update(dev, &k, &v, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(bk_map__update(dev, &k, &v, 4), -EINVAL);
	CHECK_EQ(bk_map__update(dev, &k, &v, 0), 0);
	k = 4;
	CHECK_EQ(bk_map__update(dev, &k, &v, 0), -E2BIG);
	CHECK_EQ(bk_map__delete(dev, &k), -EINVAL);
	CHECK_EQ(bk_map__lookup(dev, &k, &v, 0), -ENOENT);
	k = 1;
	CHECK_EQ(bk_map__lookup(dev, &k, &v, 0), 0);
	CHECK_EQ(v, 7);
	CHECK_EQ(bk_map__get_next_key(dev, &k, &nk), 0); /* every index */
	CHECK_EQ(nk, 2);
	k = 3;
	CHECK_EQ(bk_map__get_next_key(dev, &k, &nk), -ENOENT);
	/* devmap hash: ifindex 0 refused, program fds refused, E2BIG when full */
	k = 9;
	v2[0] = 0;
	CHECK_EQ(bk_map__update(dh, &k, v2, 0), -EINVAL);
	v2[0] = 3, v2[1] = 5;
	CHECK_EQ(bk_map__update(dh, &k, v2, 0), -EINVAL);
	v2[1] = 0;
	for (k = 10; k < 14; k++)
		CHECK_EQ(bk_map__update(dh, &k, v2, 0), 0);
	CHECK_EQ(bk_map__update(dh, &k, v2, 0), -E2BIG);
	k = 10;
	CHECK_EQ(bk_map__update(dh, &k, v2, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(bk_map__delete(dh, &k), 0);
	CHECK_EQ(bk_map__delete(dh, &k), -ENOENT);
	CHECK_EQ(bk_map__count(dh), 3);
	/* cpumap: qsize limit, possible CPUs (2 here) */
	k = 0, v = 16385;
	CHECK_EQ(bk_map__update(cpu, &k, &v, 0), -EOVERFLOW);
	k = 3, v = 64;
	CHECK_EQ(bk_map__update(cpu, &k, &v, 0), -ENODEV);
	k = 1;
	CHECK_EQ(bk_map__update(cpu, &k, &v, 0), 0);
	CHECK_EQ(bk_map__lookup(xsk, &k, &v, 0), -EOPNOTSUPP);
	bk_vm__free(vm);
}

/* r0 = bpf_redirect_map(map, key, flags) on an XDP context */
static uint64_t redirect(struct bk_vm *vm, struct bk_map *m, int32_t key, int32_t flags)
{
	struct bk_insn p[] = {BK_LD_MAP_FD(1, (int32_t)bk_map__id(m)), BK_MOV64_IMM(2, key),
			      BK_MOV64_IMM(3, flags), BK_CALL(BPF_FUNC_redirect_map), BK_EXIT()};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .type = BK_PROG_XDP};
	struct bk_vm_prog *prog;
	struct bk_vm_run *run;
	uint8_t pkt[60] = {0};
	uint64_t r0 = ~0ull;

	if (bk_vm_prog__load(vm, p, ARRAY_LEN(p), &po, &prog, NULL))
		return r0;
	if (!bk_vm_run__new(vm, NULL, &run)) {
		if (bk_vm_run__ctx_xdp(run, pkt, sizeof(pkt), NULL) ||
		    bk_vm_run__exec(run, prog, &r0, NULL))
			r0 = ~0ull;
		bk_vm_run__free(run);
	}
	bk_vm_prog__free(prog);
	return r0;
}

TEST(map_devmap_redirect)
{
	struct bk_vm *vm = vm_new();
	struct bk_map *dev, *cpu, *hash;
	uint32_t k = 2, v = 5;

	REQUIRE(vm);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_DEVMAP, 4, 4, 4, 0, &dev), 0);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_CPUMAP, 4, 4, 2, 0, &cpu), 0);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_HASH, 4, 4, 2, 0, &hash), 0);
	CHECK_EQ(bk_map__update(dev, &k, &v, 0), 0);
	CHECK_EQ(redirect(vm, dev, 2, 0), 4);		    /* XDP_REDIRECT */
	CHECK_EQ(redirect(vm, dev, 1, 0), 0);		    /* absent: flags' action */
	CHECK_EQ(redirect(vm, dev, 1, 2), 2);		    /* XDP_PASS */
	CHECK_EQ(redirect(vm, dev, 9, 1), 1);		    /* past the end: XDP_DROP */
	CHECK_EQ(redirect(vm, dev, 1, BPF_F_BROADCAST), 4); /* broadcast */
	CHECK_EQ(redirect(vm, dev, 2, 0x40), 0);	    /* unknown flag: XDP_ABORTED */
	CHECK_EQ(redirect(vm, cpu, 0, BPF_F_BROADCAST), 0); /* not for cpumaps */
	CHECK_EQ(redirect(vm, cpu, 0, 2), 2);
	k = 0, v = 128;
	CHECK_EQ(bk_map__update(cpu, &k, &v, 0), 0);
	CHECK_EQ(redirect(vm, cpu, 0, 2), 4);
	CHECK_EQ(redirect(vm, hash, 0, 2), ~0ull); /* not a redirect map: a fault */
	bk_vm__free(vm);
}

struct perf_seen {
	int n;
	uint32_t cpu;
	size_t len, ctxlen;
};

static void on_perf(void *ctx, uint32_t cpu, const void *data, size_t len, const void *ctxdata,
		    size_t ctxlen)
{
	struct perf_seen *s = ctx;

	(void)data;
	(void)ctxdata;
	s->n++;
	s->cpu = cpu;
	s->len = len;
	s->ctxlen = ctxlen;
}

/* r0 = bpf_perf_event_output(ctx, map, flags, fp - 8, 8) on an XDP context */
static int64_t perf(struct bk_vm *vm, struct bk_map *m, uint64_t flags)
{
	struct bk_insn p[] = {
		BK_LD_IMM64(3, flags),
		BK_LD_MAP_FD(2, (int32_t)bk_map__id(m)),
		BK_ST_MEM(DW, 10, -8, 1),
		BK_MOV64_REG(4, 10),
		BK_ALU64_IMM(ADD, 4, -8),
		BK_MOV64_IMM(5, 8),
		BK_CALL(BPF_FUNC_perf_event_output),
		BK_EXIT(),
	};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .type = BK_PROG_XDP};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .cpu = 1};
	struct bk_vm_prog *prog;
	struct bk_vm_run *run;
	uint8_t pkt[60] = {0};
	uint64_t r0 = ~0ull;

	if (bk_vm_prog__load(vm, p, ARRAY_LEN(p), &po, &prog, NULL))
		return (int64_t)r0;
	if (!bk_vm_run__new(vm, &ro, &run)) {
		if (bk_vm_run__ctx_xdp(run, pkt, sizeof(pkt), NULL) ||
		    bk_vm_run__exec(run, prog, &r0, NULL))
			r0 = ~0ull;
		bk_vm_run__free(run);
	}
	bk_vm_prog__free(prog);
	return (int64_t)r0;
}

TEST(map_perf_event_array)
{
	struct bk_vm *vm = vm_new();
	struct perf_seen seen = {0};
	struct bk_map *m;
	uint32_t k = 1, v = 0;

	REQUIRE(vm);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 8, 2, 0, &m), -EINVAL);
	CHECK_EQ(mk(vm, BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, BPF_F_RDONLY_PROG, &m), -EINVAL);
	REQUIRE_EQ(mk(vm, BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, 0, &m), 0);
	CHECK_EQ(bk_map__perf_output_cb(m, on_perf, &seen), 0);
	CHECK_EQ(bk_map__lookup(m, &k, &v, 0), -ENOTSUPP);
	CHECK_EQ(perf(vm, m, BPF_F_CURRENT_CPU), 0);
	CHECK_EQ(perf(vm, m, 1 | (16ull << 32)), 0); /* 16 bytes of the packet */
	CHECK_EQ(seen.n, 2);
	CHECK_EQ(seen.cpu, 1);
	CHECK_EQ(seen.len, 8);
	CHECK_EQ(seen.ctxlen, 16);
	CHECK_EQ(perf(vm, m, 61ull << 32), -EFAULT); /* more than the packet */
	CHECK_EQ(perf(vm, m, 0), -EOPNOTSUPP);	     /* CPU 0's event, from CPU 1 */
	CHECK_EQ(perf(vm, m, 2), -E2BIG);
	CHECK_EQ(perf(vm, m, 1ull << 60), -EINVAL);
	CHECK_EQ(bk_map__delete(m, &k), 0);
	CHECK_EQ(bk_map__delete(m, &k), -ENOENT);
	CHECK_EQ(perf(vm, m, BPF_F_CURRENT_CPU), -ENOENT);
	CHECK_EQ(bk_map__update(m, &k, &v, BPF_NOEXIST), -EINVAL);
	CHECK_EQ(bk_map__update(m, &k, &v, BPF_ANY), 0);
	CHECK_EQ(perf(vm, m, BPF_F_CURRENT_CPU), 0);
	CHECK_EQ(bk_map__perf_records(m), 3);
	bk_vm__free(vm);
}
