// SPDX-License-Identifier: MIT
/*
 * loop_bounded.bpf.c - bounded loops the verifier walks iteration by
 * iteration: constant and masked bounds, down counters, steps, nesting,
 * packet walks; loops it cannot bound (a bound from a map value), one
 * that makes no progress (the same state twice: an infinite loop), loops
 * just under and just over the 1,000,000 processed-instruction limit,
 * and one that leaves more than 8192 branches pending.
 */
#include "iter_common.h"

SEC("xdp") int loop_const(struct xdp_md *ctx)
{
	__u32 x = ctx->rx_queue_index;
	__u64 s = 0;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < 100; i++)
		s += i ^ x;
	return s & 3;
}

SEC("xdp") int loop_masked_bound(struct xdp_md *ctx)
{
	__u32 n = bpf_get_prandom_u32() & 63;
	__u64 s = 0;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < n; i++)
		s += i;
	return s & 3;
}

SEC("xdp") int loop_bound_from_map(struct xdp_md *ctx)
{
	__u32 k = 0, n;
	__u32 *v = bpf_map_lookup_elem(&arr, &k);
	__u64 s = 0;

	if (!v)
		return 0;
	n = *v;
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < n; i++)
		s += ((struct val64 *)v)->b[i & 63];
	return s & 3;
}

SEC("xdp") int loop_bound_clamped(struct xdp_md *ctx)
{
	__u32 k = 0, n;
	__u32 *v = bpf_map_lookup_elem(&arr, &k);
	__u64 s = 0;

	if (!v)
		return 0;
	n = *v;
	if (n > 100)
		n = 100;
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < n; i++)
		s += i;
	return s & 3;
}

SEC("xdp") int loop_down(struct xdp_md *ctx)
{
	__u32 k = 0, s = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
#pragma clang loop unroll(disable)
	for (int i = 63; i >= 0; i--)
		s += v->b[i];
	return s & 3;
}

SEC("xdp") int loop_step3(struct xdp_md *ctx)
{
	__u32 k = 0, s = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 64; i += 3)
		s += v->b[i];
	return s & 3;
}

SEC("xdp") int loop_step3_to_66(struct xdp_md *ctx)
{
	__u32 k = 0, s = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 66; i += 3)
		s += v->b[i];
	return s & 3;
}

SEC("xdp") int loop_nested16(struct xdp_md *ctx)
{
	__u32 x = ctx->rx_queue_index;
	__u64 s = 0;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < 16; i++)
#pragma clang loop unroll(disable)
		for (__u32 j = 0; j < 16; j++)
			s += (i * j) ^ x;
	return s & 3;
}

SEC("xdp") int loop_packet_walk(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 zeros = 0;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 128; i++) {
		if (p + 1 > end)
			break;
		zeros += *p == 0;
		p++;
	}
	return zeros & 3;
}

/* x never changes inside the loop: the second visit of the loop head has
 * exactly the state of the first. */
SEC("xdp") int loop_no_progress(struct xdp_md *ctx)
{
	__u32 x = opaque32(ctx->rx_queue_index);

	while (x != 5)
		x = opaque32(x);
	return 2;
}

SEC("xdp") int loop_signed(struct xdp_md *ctx)
{
	__u32 k = 0, s = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
#pragma clang loop unroll(disable)
	for (int i = -8; i < 8; i++)
		s += v->b[i + 8];
	return s & 3;
}

/* Every iteration leaves the other side of an undecided branch pending. */
SEC("xdp") int loop_pending_9000(struct xdp_md *ctx)
{
	__u32 k = 0, cnt = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < 9000; i++)
		if (v->b[i & 63] == 7)
			cnt++;
	v->b[0] = cnt;
	return 2;
}

SEC("xdp") int loop_pending_8000(struct xdp_md *ctx)
{
	__u32 k = 0, cnt = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < 8000; i++)
		if (v->b[i & 63] == 7)
			cnt++;
	v->b[0] = cnt;
	return 2;
}

/* Walked iteration by iteration: one stays under 1,000,000
 * processed instructions, the other goes over. */
#define LONG_LOOP(name, n)                                                                         \
	SEC("xdp") int name(struct xdp_md *ctx)                                                    \
	{                                                                                          \
		__u32 x = ctx->rx_queue_index;                                                     \
		__u64 s = 0;                                                                       \
                                                                                                   \
		_Pragma("clang loop unroll(disable)") for (__u32 i = 0; i < (n); i++) s += i ^ x;  \
		return s & 3;                                                                      \
	}

/* 7 instructions an iteration and 4 around: 999,996 and 1,000,003 */
LONG_LOOP(loop_near_limit_under, 142856)
LONG_LOOP(loop_near_limit_over, 142857)

char _license[] SEC("license") = "GPL";
