// SPDX-License-Identifier: MIT
/*
 * loops.bpf.c - bounded loops the verifier walks to their end, loops it
 * cannot bound, and branchy code that state pruning keeps small.
 */
#include "corpus.h"

SEC("xdp") int loop_16(struct xdp_md *ctx)
{
	__u32 k = 0, sum = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 16; i++)
		sum += v->b[i];
	return sum & 3;
}

SEC("xdp") int loop_past_value(struct xdp_md *ctx)
{
	__u32 k = 0, sum = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 65; i++)
		sum += v->b[i];
	return sum & 3;
}

SEC("xdp") int loop_unknown_bound(struct xdp_md *ctx)
{
	__u32 n = unknown32(), sum = 0;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < n; i++)
		sum += i;
	return sum & 3;
}

SEC("xdp") int loop_packet(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 sum = 0;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 32; i++) {
		if ((void *)(p + i + 1) > (void *)end)
			break;
		sum += p[i];
	}
	return sum & 3;
}

SEC("xdp") int loop_1000(struct xdp_md *ctx)
{
	__u64 sum = 0;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 1000; i++)
		sum += i * ctx->rx_queue_index;
	return sum & 3;
}

SEC("xdp") int branchy(struct xdp_md *ctx)
{
	__u32 x = unknown32(), r = 0;

	if (x & 1)
		r += 1;
	if (x & 2)
		r += 2;
	if (x & 4)
		r += 4;
	if (x & 8)
		r += 8;
	if (x & 16)
		r += 16;
	if (x & 32)
		r += 32;
	if (x & 64)
		r += 64;
	if (x & 128)
		r += 128;
	return r & 3;
}

/* A counter that only reaches a map: the kernel does not track its exact
 * value, so the states of the loop body join; without that the paths
 * double with every byte. */
SEC("xdp") int count_matches(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 cnt = 0, k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 60; i++) {
		if ((void *)(p + i + 1) > (void *)end)
			break;
		if (p[i] == 0x42)
			cnt++;
	}
	v->b[0] = cnt;
	return XDP_PASS;
}

/* The same counter used as an index: now it must be exact. */
SEC("xdp") int count_as_index(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 cnt = 0, k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 12; i++) {
		if ((void *)(p + i + 1) > (void *)end)
			break;
		if (p[i] == 0x42)
			cnt++;
	}
	return v->b[cnt];
}
