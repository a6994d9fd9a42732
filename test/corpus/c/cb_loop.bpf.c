// SPDX-License-Identifier: MIT
/*
 * cb_loop.bpf.c - bpf_loop and bpf_for_each_map_elem: the callback is
 * verified in its own frame, called again until its states converge or the
 * loop count is reached; it must return 0 or 1, take its context from the
 * stack (or NULL), and may only touch what its arguments let it.
 */
#include "iter_common.h"

struct bpf_map;

struct cb_ctx {
	__u64 sum;
	__u32 n;
	__u32 arr[8];
};

static long add_idx(__u32 i, void *p)
{
	struct cb_ctx *c = p;

	c->sum += i;
	return 0;
}

SEC("xdp") int loop_sum(struct xdp_md *ctx)
{
	struct cb_ctx c = {};

	bpf_loop(100, add_idx, &c, 0);
	return c.sum & 3;
}

static long bad_ret(__u32 i, void *p)
{
	return 2;
}

SEC("xdp") int loop_bad_ret(struct xdp_md *ctx)
{
	bpf_loop(10, bad_ret, 0, 0);
	return 2;
}

static long ret_idx(__u32 i, void *p)
{
	return i;
}

SEC("xdp") int loop_ret_unknown(struct xdp_md *ctx)
{
	bpf_loop(10, ret_idx, 0, 0);
	return 2;
}

static long stop_at_5(__u32 i, void *p)
{
	return i >= 5;
}

SEC("xdp") int loop_null_ctx(struct xdp_md *ctx)
{
	return bpf_loop(1000, stop_at_5, 0, 0) & 3;
}

SEC("xdp") int loop_ctx_map_value(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
	bpf_loop(10, add_idx, v, 0);
	return 2;
}

SEC("xdp") int loop_count_from_map(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);
	struct cb_ctx c = {};

	if (!v)
		return 0;
	bpf_loop(v->b[0], add_idx, &c, 0);
	return c.sum & 3;
}

static long index_ctx(__u32 i, void *p)
{
	struct cb_ctx *c = p;

	c->arr[i] = 1;
	return 0;
}

SEC("xdp") int loop_index_unchecked(struct xdp_md *ctx)
{
	struct cb_ctx c = {};

	bpf_loop(8, index_ctx, &c, 0);
	return c.arr[1] & 3;
}

static long index_ctx_masked(__u32 i, void *p)
{
	struct cb_ctx *c = p;

	c->arr[i & 7] += 1;
	return 0;
}

SEC("xdp") int loop_index_masked(struct xdp_md *ctx)
{
	struct cb_ctx c = {};

	bpf_loop(64, index_ctx_masked, &c, 0);
	return c.arr[1] & 3;
}

static long count_calls(__u32 i, void *p)
{
	struct cb_ctx *c = p;

	c->n++;
	return 0;
}

/* The count is kept exact (it indexes an array afterwards): every call is
 * a new state, 64 of them. */
SEC("xdp") int loop_count_exact(struct xdp_md *ctx)
{
	struct cb_ctx c = {};

	bpf_loop(64, count_calls, &c, 0);
	if (c.n < 8)
		return c.arr[c.n] & 3;
	return 0;
}

static long inner_cb(__u32 i, void *p)
{
	struct cb_ctx *c = p;

	c->sum += 1;
	return 0;
}

static long outer_cb(__u32 i, void *p)
{
	bpf_loop(4, inner_cb, p, 0);
	return 0;
}

SEC("xdp") int loop_nested(struct xdp_md *ctx)
{
	struct cb_ctx c = {};

	bpf_loop(4, outer_cb, &c, 0);
	return c.sum & 3;
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} cb_rb SEC(".maps");

static long reserve_cb(__u32 i, void *p)
{
	void *r = bpf_ringbuf_reserve(&cb_rb, 8, 0);

	if (r)
		bpf_ringbuf_discard(r, 0);
	return 0;
}

SEC("xdp") int loop_ringbuf_in_cb(struct xdp_md *ctx)
{
	bpf_loop(16, reserve_cb, 0, 0);
	return 2;
}

static long ringbuf_leak_cb(__u32 i, void *p)
{
	void *r = bpf_ringbuf_reserve(&cb_rb, 8, 0);

	return r ? 1 : 0;
}

SEC("xdp") int loop_ringbuf_leak(struct xdp_md *ctx)
{
	bpf_loop(16, ringbuf_leak_cb, 0, 0);
	return 2;
}

static long write_past_ctx(__u32 i, void *p)
{
	struct cb_ctx *c = p;

	((__u64 *)c)[6] = i;
	return 0;
}

SEC("xdp") int loop_write_past_ctx(struct xdp_md *ctx)
{
	struct cb_ctx c = {};

	bpf_loop(4, write_past_ctx, &c, 0);
	return c.sum & 3;
}

static __noinline int loop_in_func(int n)
{
	struct cb_ctx c = {};

	bpf_loop(n & 31, add_idx, &c, 0);
	return c.sum & 3;
}

SEC("xdp") int loop_in_subprog(struct xdp_md *ctx)
{
	return loop_in_func(ctx->rx_queue_index);
}

/* ---- bpf_for_each_map_elem ---- */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} cb_hash SEC(".maps");

static long sum_vals(struct bpf_map *map, __u32 *key, struct val64 *val, struct cb_ctx *c)
{
	c->sum += val->b[*key & 63];
	return 0;
}

SEC("xdp") int each_array(struct xdp_md *ctx)
{
	struct cb_ctx c = {};

	bpf_for_each_map_elem(&arr, sum_vals, &c, 0);
	return c.sum & 3;
}

static long sum_hash(struct bpf_map *map, __u32 *key, __u64 *val, struct cb_ctx *c)
{
	c->sum += *val;
	*val = 0;
	return 0;
}

SEC("xdp") int each_hash_write(struct xdp_md *ctx)
{
	struct cb_ctx c = {};

	bpf_for_each_map_elem(&cb_hash, sum_hash, &c, 0);
	return c.sum & 3;
}

static long each_bad_ret(struct bpf_map *map, __u32 *key, __u64 *val, void *c)
{
	return *val;
}

SEC("xdp") int each_bad_ret_value(struct xdp_md *ctx)
{
	bpf_for_each_map_elem(&cb_hash, each_bad_ret, 0, 0);
	return 2;
}

static long each_past_value(struct bpf_map *map, __u32 *key, __u64 *val, void *c)
{
	return val[1] & 1;
}

SEC("xdp") int each_read_past_value(struct xdp_md *ctx)
{
	bpf_for_each_map_elem(&cb_hash, each_past_value, 0, 0);
	return 2;
}

static long each_rb(struct bpf_map *map, void *key, void *val, void *c)
{
	return 0;
}

SEC("xdp") int each_ringbuf(struct xdp_md *ctx)
{
	bpf_for_each_map_elem(&cb_rb, each_rb, 0, 0);
	return 2;
}

char _license[] SEC("license") = "GPL";
