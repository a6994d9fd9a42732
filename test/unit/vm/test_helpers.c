// SPDX-License-Identifier: MIT
/* Unit tests of helpers and kfuncs as programs call them: map operations,
 * bpf_loop, the number iterator, tail calls, ring buffers, trace_printk,
 * csum_diff, the XDP context and its adjust helpers, and the checks of
 * helper arguments in checked mode. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>

#include "vmtest.h"

#define LDDW2(name, D, IMM, IMM2) BK_I(name, D, 0, 0, IMM), ((struct bk_insn){.imm = (IMM2)})
#define MAP_IDX(D, I) LDDW2(LDDW_MAP_IDX, D, I, 0)

static struct bk_map *mk(struct bk_vm *vm, uint32_t type, uint32_t ks, uint32_t vs, uint32_t n)
{
	struct bk_map_attr a = {.type = type, .key_size = ks, .value_size = vs, .max_entries = n};
	struct bk_map *m = NULL;

	snprintf(a.name, sizeof(a.name), "m%u", type);
	if (bk_map__new(vm, &a, &m, NULL))
		return NULL;
	return m;
}

static void new_vm(struct vt *v)
{
	struct bk_vm_opts o = {.sz = sizeof(o), .ncpus = 2, .seed = 1};

	memset(v, 0, sizeof(*v));
	bk_vm__new(&o, &v->vm);
}

TEST(helper_map_lookup_update_delete)
{
	struct vt v;
	struct bk_map *maps[2];
	uint32_t k = 1;
	uint64_t val = 0;
	struct bk_insn p[] = {
		BK_ST_MEM(W, 10, -4, 1), /* key = 1 */
		MAP_IDX(1, 0),		 /* array */
		BK_MOV64_REG(2, 10),
		BK_ALU64_IMM(ADD, 2, -4),
		BK_CALL(BPF_FUNC_map_lookup_elem),
		BK_JMP_IMM(JEQ, 0, 0, 2),
		BK_ST_MEM(DW, 0, 0, 5), /* array[1] = 5 */
		BK_JA(0),
		BK_ST_MEM(DW, 10, -16, 42), /* value 42 */
		MAP_IDX(1, 1),		    /* hash */
		BK_MOV64_REG(2, 10),
		BK_ALU64_IMM(ADD, 2, -4),
		BK_MOV64_REG(3, 10),
		BK_ALU64_IMM(ADD, 3, -16),
		BK_MOV64_IMM(4, BPF_NOEXIST),
		BK_CALL(BPF_FUNC_map_update_elem),
		BK_MOV64_REG(6, 0), /* 0 */
		MAP_IDX(1, 1),
		BK_MOV64_REG(2, 10),
		BK_ALU64_IMM(ADD, 2, -4),
		BK_MOV64_REG(3, 10),
		BK_ALU64_IMM(ADD, 3, -16),
		BK_MOV64_IMM(4, BPF_NOEXIST),
		BK_CALL(BPF_FUNC_map_update_elem), /* -EEXIST */
		BK_ALU64_REG(ADD, 0, 6),
		BK_EXIT(),
	};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .maps = maps, .nmaps = 2};

	new_vm(&v);
	maps[0] = mk(v.vm, BPF_MAP_TYPE_ARRAY, 4, 8, 4);
	maps[1] = mk(v.vm, BPF_MAP_TYPE_HASH, 4, 8, 4);
	REQUIRE(maps[0] && maps[1]);
	REQUIRE_EQ(vt_load(&v, p, ARRAY_LEN(p), &po), 0);
	for (int mode = 0; mode < 2; mode++) {
		bk_map__delete(maps[1], &k);
		CHECK_EQ(vt_exec(&v, mode, NULL, 0), 0);
		CHECK_EQ((int64_t)v.r0, -EEXIST);
		CHECK_EQ(bk_map__lookup(maps[0], &k, &val, 0), 0);
		CHECK_EQ(val, 5);
		CHECK_EQ(bk_map__lookup(maps[1], &k, &val, 0), 0);
		CHECK_EQ(val, 42);
	}
	vt_fini(&v);
}

TEST(helper_map_args_checked)
{
	struct vt v;
	struct bk_map *maps[1];
	struct bk_insn wild_key[] = {
		MAP_IDX(1, 0),
		BK_MOV64_IMM(2, 64),
		BK_CALL(BPF_FUNC_map_lookup_elem),
		BK_EXIT(),
	};
	struct bk_insn not_map[] = {
		BK_MOV64_REG(1, 10),
		BK_MOV64_REG(2, 10),
		BK_ALU64_IMM(ADD, 2, -8),
		BK_CALL(BPF_FUNC_map_lookup_elem),
		BK_EXIT(),
	};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .maps = maps, .nmaps = 1};

	new_vm(&v);
	maps[0] = mk(v.vm, BPF_MAP_TYPE_HASH, 4, 8, 4);
	REQUIRE_EQ(vt_load(&v, wild_key, ARRAY_LEN(wild_key), &po), 0);
	CHECK_EQ(vt_exec(&v, BK_VM_CHECKED, NULL, 0), -BK_E_VM_HELPER_ARG);
	CHECK_EQ(v.diag.insn, 3);
	REQUIRE_EQ(vt_load(&v, not_map, ARRAY_LEN(not_map), &po), 0);
	CHECK_EQ(vt_exec(&v, BK_VM_CHECKED, NULL, 0), -BK_E_VM_HELPER_ARG);
	CHECK_EQ(v.diag.insn, 3);
	vt_fini(&v);
}

TEST(helper_percpu_array_and_cpu)
{
	struct vt v;
	struct bk_map *maps[1];
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_TRUSTED, .cpu = 1};
	uint32_t k = 0;
	uint64_t vals[2] = {0};
	struct bk_insn p[] = {
		BK_ST_MEM(W, 10, -4, 0),
		MAP_IDX(1, 0),
		BK_MOV64_REG(2, 10),
		BK_ALU64_IMM(ADD, 2, -4),
		BK_CALL(BPF_FUNC_map_lookup_elem),
		BK_JMP_IMM(JEQ, 0, 0, 2),
		BK_ST_MEM(DW, 0, 0, 77),
		BK_CALL(BPF_FUNC_get_smp_processor_id),
		BK_EXIT(),
	};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .maps = maps, .nmaps = 1};

	new_vm(&v);
	maps[0] = mk(v.vm, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 2);
	REQUIRE_EQ(vt_load(&v, p, ARRAY_LEN(p), &po), 0);
	REQUIRE_EQ(bk_vm_run__new(v.vm, &ro, &v.run), 0);
	bk_vm_run__ctx_raw(v.run, NULL, 0);
	CHECK_EQ(bk_vm_run__exec(v.run, v.prog, &v.r0, &v.diag), 0);
	CHECK_EQ(v.r0, 1);
	CHECK_EQ(bk_map__lookup(maps[0], &k, vals, 0), 0);
	CHECK_EQ(vals[0], 0);
	CHECK_EQ(vals[1], 77);
	vt_fini(&v);
}

TEST(helper_bpf_loop)
{
	/* callback(i, ctx): *ctx += i; stops when i == stop */
	struct bk_insn p[] = {
		BK_ST_MEM(DW, 10, -8, 0),
		BK_MOV64_IMM(1, 10),
		LDDW2(LDDW_FUNC, 2, 7, 0), /* index 2 + 7 + 1 = 10 */
		BK_MOV64_REG(3, 10),
		BK_ALU64_IMM(ADD, 3, -8),
		BK_MOV64_IMM(4, 0),
		BK_CALL(BPF_FUNC_loop),
		BK_LDX_MEM(DW, 6, 10, -8), /* r0 = loops * 1000 + sum */
		BK_JA(5),
		/* callback at 10 */
		BK_LDX_MEM(DW, 3, 2, 0),
		BK_ALU64_REG(ADD, 3, 1),
		BK_STX_MEM(DW, 2, 3, 0),
		BK_MOV64_IMM(0, 0),
		BK_EXIT(),
		/* 15 */
		BK_ALU64_IMM(MUL, 0, 1000),
		BK_ALU64_REG(ADD, 0, 6),
		BK_EXIT(),
	};

	CHECK_EQ(vt_both(p, NULL, 0), 10 * 1000 + 45);
	/* callback returns 1 at once: one iteration, sum 0 */
	p[13] = BK_MOV64_IMM(0, 1);
	CHECK_EQ(vt_both(p, NULL, 0), 1 * 1000 + 0);
	/* flags must be 0 */
	p[6] = BK_MOV64_IMM(4, 1);
	CHECK_EQ(vt_both(p, NULL, 0), (uint64_t)(-EINVAL * 1000));
}

TEST(helper_iter_num)
{
	/* bpf_for(i, 2, 5) sum += i -> 9 */
	struct bk_insn p[] = {
		BK_MOV64_IMM(6, 0),	      BK_MOV64_REG(1, 10),
		BK_ALU64_IMM(ADD, 1, -8),     BK_MOV64_IMM(2, 2),
		BK_MOV64_IMM(3, 5),	      BK_I(CALL_KFUNC, 0, 0, 0, 0), /* 5: new */
		BK_MOV64_REG(1, 10),	      BK_ALU64_IMM(ADD, 1, -8),
		BK_I(CALL_KFUNC, 0, 0, 0, 0), /* 8: next */
		BK_JMP_IMM(JEQ, 0, 0, 3),     BK_LDX_MEM(W, 1, 0, 0),
		BK_ALU64_REG(ADD, 6, 1),      BK_JA(-7),
		BK_MOV64_REG(1, 10),	      BK_ALU64_IMM(ADD, 1, -8),
		BK_I(CALL_KFUNC, 0, 0, 0, 0), /* 15: destroy */
		BK_MOV64_REG(0, 6),	      BK_EXIT(),
	};
	struct bk_reloc rel[] = {
		{.insn = 5, .kind = BK_RELO_KFUNC, .map = -1, .sym = "bpf_iter_num_new"},
		{.insn = 8, .kind = BK_RELO_KFUNC, .map = -1, .sym = "bpf_iter_num_next"},
		{.insn = 15, .kind = BK_RELO_KFUNC, .map = -1, .sym = "bpf_iter_num_destroy"},
	};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .relocs = rel, .nrelocs = 3};
	struct vt v;

	for (int mode = 0; mode < 2; mode++) {
		new_vm(&v);
		REQUIRE_EQ(vt_load(&v, p, ARRAY_LEN(p), &po), 0);
		CHECK_EQ(vt_exec(&v, mode, NULL, 0), 0);
		CHECK_EQ(v.r0, 9);
		vt_fini(&v);
	}
	rel[1].sym = "bpf_iter_nope";
	new_vm(&v);
	CHECK_EQ(vt_load(&v, p, ARRAY_LEN(p), &po), -BK_E_VM_KFUNC);
	CHECK_EQ(v.diag.insn, 8);
	vt_fini(&v);
}

TEST(helper_tail_calls)
{
	struct vt v;
	struct bk_map *maps[2];
	struct bk_vm_prog *target, *self;
	uint32_t k0 = 0, id;
	uint64_t count = 0;
	/* counts itself in array[0], then tail-calls slot 1 (itself) */
	struct bk_insn loop[] = {
		BK_ST_MEM(W, 10, -4, 0),
		BK_MOV64_REG(6, 1),
		MAP_IDX(1, 1),
		BK_MOV64_REG(2, 10),
		BK_ALU64_IMM(ADD, 2, -4),
		BK_CALL(BPF_FUNC_map_lookup_elem),
		BK_JMP_IMM(JEQ, 0, 0, 2),
		BK_MOV64_IMM(1, 1),
		BK_ATOMIC(64_ADD, 0, 1, 0),
		BK_MOV64_REG(1, 6),
		MAP_IDX(2, 0),
		BK_MOV64_IMM(3, 1),
		BK_CALL(BPF_FUNC_tail_call),
		BK_MOV64_IMM(0, 3),
		BK_EXIT(),
	};
	struct bk_insn ret7[] = {BK_MOV64_IMM(0, 7), BK_EXIT()};
	struct bk_insn caller[] = {MAP_IDX(2, 0), BK_MOV64_IMM(3, 0), BK_CALL(BPF_FUNC_tail_call),
				   BK_MOV64_IMM(0, 1), BK_EXIT()};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .maps = maps, .nmaps = 2};

	new_vm(&v);
	maps[0] = mk(v.vm, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2);
	maps[1] = mk(v.vm, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
	REQUIRE(maps[0] && maps[1]);
	REQUIRE_EQ(bk_vm_prog__load(v.vm, ret7, 2, &po, &target, NULL), 0);
	REQUIRE_EQ(bk_vm_prog__load(v.vm, loop, ARRAY_LEN(loop), &po, &self, NULL), 0);
	REQUIRE_EQ(vt_load(&v, caller, ARRAY_LEN(caller), &po), 0);
	/* empty slot: the call fails and the program goes on */
	CHECK_EQ(vt_exec(&v, BK_VM_CHECKED, NULL, 0), 0);
	CHECK_EQ(v.r0, 1);
	id = bk_vm_prog__id(target);
	CHECK_EQ(bk_map__update(maps[0], &k0, &id, 0), 0);
	for (int mode = 0; mode < 2; mode++) {
		CHECK_EQ(vt_exec(&v, mode, NULL, 0), 0);
		CHECK_EQ(v.r0, 7);
	}
	/* 1 run + 33 tail calls, then the 34th fails */
	id = bk_vm_prog__id(self);
	k0 = 1;
	CHECK_EQ(bk_map__update(maps[0], &k0, &id, 0), 0);
	v.prog = self;
	CHECK_EQ(vt_exec(&v, BK_VM_TRUSTED, NULL, 0), 0);
	CHECK_EQ(v.r0, 3);
	k0 = 0;
	CHECK_EQ(bk_map__lookup(maps[1], &k0, &count, 0), 0);
	CHECK_EQ(count, 34);
	/* freeing a program empties its slots */
	bk_vm_prog__free(target);
	CHECK_EQ(bk_map__lookup(maps[0], &k0, &id, 0), -ENOENT);
	vt_fini(&v);
}

struct rb_seen {
	int n;
	size_t len[4];
	uint8_t first[4];
};

static int rb_cb(void *ctx, const void *data, size_t len)
{
	struct rb_seen *s = ctx;

	if (s->n < 4) {
		s->len[s->n] = len;
		s->first[s->n] = *(const uint8_t *)data;
	}
	s->n++;
	return 0;
}

TEST(helper_ringbuf)
{
	struct vt v;
	struct bk_map *maps[1];
	struct rb_seen seen = {0};
	struct bk_insn p[] = {
		MAP_IDX(1, 0),
		BK_MOV64_IMM(2, 16),
		BK_MOV64_IMM(3, 0),
		BK_CALL(BPF_FUNC_ringbuf_reserve),
		BK_JMP_IMM(JEQ, 0, 0, 4),
		BK_ST_MEM(B, 0, 0, 0xab),
		BK_MOV64_REG(1, 0),
		BK_MOV64_IMM(2, 0),
		BK_CALL(BPF_FUNC_ringbuf_submit),
		/* reserve and discard */
		MAP_IDX(1, 0),
		BK_MOV64_IMM(2, 8),
		BK_MOV64_IMM(3, 0),
		BK_CALL(BPF_FUNC_ringbuf_reserve),
		BK_JMP_IMM(JEQ, 0, 0, 3),
		BK_MOV64_REG(1, 0),
		BK_MOV64_IMM(2, 0),
		BK_CALL(BPF_FUNC_ringbuf_discard),
		/* output 5 bytes of the stack */
		BK_ST_MEM(DW, 10, -8, 0xcd),
		MAP_IDX(1, 0),
		BK_MOV64_REG(2, 10),
		BK_ALU64_IMM(ADD, 2, -8),
		BK_MOV64_IMM(3, 5),
		BK_MOV64_IMM(4, 0),
		BK_CALL(BPF_FUNC_ringbuf_output),
		BK_MOV64_REG(6, 0),
		/* too big: NULL */
		MAP_IDX(1, 0),
		BK_MOV64_IMM(2, 8192),
		BK_MOV64_IMM(3, 0),
		BK_CALL(BPF_FUNC_ringbuf_reserve),
		BK_ALU64_REG(ADD, 0, 6),
		BK_EXIT(),
	};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .maps = maps, .nmaps = 1};

	new_vm(&v);
	maps[0] = mk(v.vm, BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
	REQUIRE(maps[0]);
	REQUIRE_EQ(vt_load(&v, p, ARRAY_LEN(p), &po), 0);
	CHECK_EQ(vt_exec(&v, BK_VM_CHECKED, NULL, 0), 0);
	CHECK_EQ(v.r0, 0);
	CHECK_EQ(bk_map__ringbuf_consume(maps[0], rb_cb, &seen), 2);
	CHECK_EQ(seen.n, 2);
	CHECK_EQ(seen.len[0], 16);
	CHECK_EQ(seen.first[0], 0xab);
	CHECK_EQ(seen.len[1], 5);
	CHECK_EQ(seen.first[1], 0xcd);
	/* the ring wraps: many runs, each consumed */
	for (int i = 0; i < 200; i++) {
		seen.n = 0;
		CHECK_EQ(vt_exec(&v, BK_VM_TRUSTED, NULL, 0), 0);
		CHECK_EQ(bk_map__ringbuf_consume(maps[0], rb_cb, &seen), 2);
	}
	vt_fini(&v);
}

struct printed {
	char buf[256];
};

static void on_print(void *ctx, const char *msg, size_t len)
{
	struct printed *p = ctx;

	snprintf(p->buf, sizeof(p->buf), "%.*s", (int)len, msg);
}

TEST(helper_trace_printk)
{
	static const char fmt[] = "v=%d %llx %s!\n";
	struct printed out = {{0}};
	struct bk_vm_opts o = {.sz = sizeof(o), .print = on_print, .print_ctx = &out, .ncpus = 1};
	struct bk_insn p[16 + 6];
	struct vt v;
	int n = 0;

	memset(&v, 0, sizeof(v));
	REQUIRE_EQ(bk_vm__new(&o, &v.vm), 0);
	/* the format and the string "ok" on the stack */
	for (size_t i = 0; i < sizeof(fmt); i += 4) {
		uint32_t w = 0;

		memcpy(&w, fmt + i, sizeof(fmt) - i < 4 ? sizeof(fmt) - i : 4);
		p[n++] = BK_ST_MEM(W, 10, (int16_t)(-32 + (int)i), (int32_t)w);
	}
	p[n++] = BK_ST_MEM(W, 10, -40, 'o' | 'k' << 8);
	p[n++] = BK_MOV64_REG(1, 10);
	p[n++] = BK_ALU64_IMM(ADD, 1, -32);
	p[n++] = BK_MOV64_IMM(2, sizeof(fmt));
	p[n++] = BK_MOV64_IMM(3, -5);
	p[n++] = BK_MOV64_IMM(4, 0xbeef);
	p[n++] = BK_MOV64_REG(5, 10);
	p[n++] = BK_ALU64_IMM(ADD, 5, -40);
	p[n++] = BK_CALL(BPF_FUNC_trace_printk);
	p[n++] = BK_EXIT();
	REQUIRE_EQ(vt_load(&v, p, (size_t)n, NULL), 0);
	CHECK_EQ(vt_exec(&v, BK_VM_CHECKED, NULL, 0), 0);
	CHECK_STR(out.buf, "v=-5 beef ok!\n");
	CHECK_EQ(v.r0, strlen("v=-5 beef ok!\n"));
	vt_fini(&v);
}

TEST(helper_csum_diff)
{
	/* csum_diff(NULL, 0, &w, 4, 0) = w */
	struct bk_insn p[] = {
		BK_ST_MEM(W, 10, -4, 0x12345678),
		BK_MOV64_IMM(1, 0),
		BK_MOV64_IMM(2, 0),
		BK_MOV64_REG(3, 10),
		BK_ALU64_IMM(ADD, 3, -4),
		BK_MOV64_IMM(4, 4),
		BK_MOV64_IMM(5, 0),
		BK_CALL(BPF_FUNC_csum_diff),
		BK_EXIT(),
	};

	CHECK_EQ(vt_both(p, NULL, 0), 0x12345678);
	p[5] = BK_MOV64_IMM(4, 3); /* not a multiple of 4 */
	CHECK_EQ(vt_both(p, NULL, 0), (uint64_t)-EINVAL);
}

TEST(helper_xdp_context)
{
	uint8_t pkt[64];
	const uint8_t *out;
	size_t len;
	struct vt v;
	/* r0 = XDP_TX if the packet has at least 20 bytes and byte 14 is
	 * 0x45, after moving data 14 bytes forward */
	struct bk_insn p[] = {
		BK_MOV64_REG(6, 1),
		BK_LDX_MEM(W, 2, 6, 0), /* data */
		BK_LDX_MEM(W, 3, 6, 4), /* data_end */
		BK_MOV64_REG(4, 2),
		BK_ALU64_IMM(ADD, 4, 20),
		BK_JMP_REG(JGT, 4, 3, 11),
		BK_LDX_MEM(B, 5, 2, 14),
		BK_JMP_IMM(JNE, 5, 0x45, 9),
		BK_ST_MEM(B, 2, 15, 0x99), /* write to the packet */
		BK_MOV64_REG(1, 6),
		BK_MOV64_IMM(2, 14),
		BK_CALL(BPF_FUNC_xdp_adjust_head),
		BK_JMP_IMM(JNE, 0, 0, 2),
		BK_MOV64_IMM(0, XDP_TX),
		BK_EXIT(),
		BK_MOV64_IMM(0, XDP_ABORTED),
		BK_EXIT(),
		BK_MOV64_IMM(0, XDP_PASS),
		BK_EXIT(),
	};
	struct bk_insn write_ctx[] = {BK_ST_MEM(W, 1, 0, 0), BK_MOV64_IMM(0, 2), BK_EXIT()};

	memset(pkt, 0, sizeof(pkt));
	pkt[14] = 0x45;
	for (int mode = 0; mode < 2; mode++) {
		struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = (uint8_t)mode};

		memset(&v, 0, sizeof(v));
		REQUIRE_EQ(vt_load(&v, p, ARRAY_LEN(p), NULL), 0);
		REQUIRE_EQ(bk_vm_run__new(v.vm, &ro, &v.run), 0);
		REQUIRE_EQ(bk_vm_run__ctx_xdp(v.run, pkt, sizeof(pkt), NULL), 0);
		CHECK_EQ(bk_vm_run__exec(v.run, v.prog, &v.r0, &v.diag), 0);
		CHECK_EQ(v.r0, XDP_TX);
		out = bk_vm_run__packet(v.run, &len);
		CHECK_EQ(len, sizeof(pkt) - 14);
		CHECK_EQ(out[0], 0x45);
		CHECK_EQ(out[1], 0x99);
		/* a 19-byte packet passes */
		REQUIRE_EQ(bk_vm_run__ctx_xdp(v.run, pkt, 19, NULL), 0);
		CHECK_EQ(bk_vm_run__exec(v.run, v.prog, &v.r0, &v.diag), 0);
		CHECK_EQ(v.r0, XDP_PASS);
		vt_fini(&v);
	}
	/* the context is read-only */
	memset(&v, 0, sizeof(v));
	REQUIRE_EQ(vt_load(&v, write_ctx, ARRAY_LEN(write_ctx), NULL), 0);
	{
		struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_CHECKED};

		REQUIRE_EQ(bk_vm_run__new(v.vm, &ro, &v.run), 0);
		REQUIRE_EQ(bk_vm_run__ctx_xdp(v.run, pkt, sizeof(pkt), NULL), 0);
		CHECK_EQ(bk_vm_run__exec(v.run, v.prog, &v.r0, &v.diag), -BK_E_VM_WRITE_RO);
		CHECK_EQ(v.diag.insn, 0);
	}
	vt_fini(&v);
}
