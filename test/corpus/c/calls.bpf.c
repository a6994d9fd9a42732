// SPDX-License-Identifier: MIT
/*
 * calls.bpf.c - BPF-to-BPF calls: static functions verified per call site
 * (arguments, return values, pointers into the caller's stack), global
 * functions verified once from their BTF signatures, stack depth across
 * frames and the combined 512-byte limit, call depth.
 */
#include "corpus.h"

static __noinline __u64 add3(__u64 a, __u64 b, __u64 c)
{
	return a + b + c;
}

static __noinline int fill(unsigned char *buf, int n)
{
	for (int i = 0; i < 8; i++)
		buf[i] = (unsigned char)(n + i);
	return buf[n & 7];
}

static __noinline int index_value(struct val64 *v, __u32 i)
{
	return v->b[i & 63];
}

static __noinline int index_value_bad(struct val64 *v, __u32 i)
{
	return v->b[i & 127];
}

__noinline int global_len(struct __sk_buff *skb)
{
	return skb ? skb->len : 0;
}

__noinline int global_mem(__u64 *p)
{
	return p ? (int)*p : 0;
}

__noinline int global_deref_nocheck(__u64 *p)
{
	return (int)*p;
}

static __noinline int big_frame(int x)
{
	volatile char buf[300];

	buf[x & 255] = 1;
	return buf[3];
}

static __noinline int big_frame_caller(int x)
{
	volatile char buf[300];

	buf[x & 255] = (char)big_frame(x);
	return buf[5];
}

static __noinline int depth1(int x)
{
	volatile char b[64];

	b[0] = (char)x;
	return b[0] + 1;
}

SEC("xdp") int call_scalar(struct xdp_md *ctx)
{
	return add3(ctx->rx_queue_index, 1, 2) & 3;
}

SEC("xdp") int call_stack_ptr(struct xdp_md *ctx)
{
	unsigned char buf[8];

	return fill(buf, ctx->rx_queue_index) & 3;
}

SEC("xdp") int call_map_value(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	return v ? index_value(v, ctx->rx_queue_index) : 0;
}

SEC("xdp") int call_map_value_bad(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	return v ? index_value_bad(v, ctx->rx_queue_index) : 0;
}

SEC("tc") int call_global(struct __sk_buff *skb)
{
	return global_len(skb) & 1;
}

SEC("xdp") int call_global_mem(struct xdp_md *ctx)
{
	__u64 x = 5;

	return global_mem(&x) & 3;
}

SEC("xdp") int call_global_nocheck(struct xdp_md *ctx)
{
	__u64 x = 5;

	return global_deref_nocheck(&x) & 3;
}

SEC("xdp") int stack_too_deep(struct xdp_md *ctx)
{
	return big_frame_caller(ctx->rx_queue_index) & 3;
}

SEC("xdp") int stack_two_frames(struct xdp_md *ctx)
{
	volatile char b[128];

	b[1] = (char)depth1(ctx->rx_queue_index);
	return b[1] & 3;
}

SEC("xdp") int stack_one_big_frame(struct xdp_md *ctx)
{
	return big_frame(ctx->rx_queue_index) & 3;
}
