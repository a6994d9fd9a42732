// SPDX-License-Identifier: MIT
/*
 * pkt.bpf.c - XDP direct packet access: ranges proven by comparisons with
 * data_end (every comparison form), variable offsets, metadata, pointers
 * invalidated by helpers that move the packet, xdp_md field rules.
 */
#include "corpus.h"

#define DATA(ctx) ((void *)(long)(ctx)->data)
#define END(ctx) ((void *)(long)(ctx)->data_end)

SEC("xdp") int eth_proto(struct xdp_md *ctx)
{
	struct ethhdr *eth = DATA(ctx);

	if ((void *)(eth + 1) > END(ctx))
		return XDP_DROP;
	return eth->h_proto == bpf_htons(ETH_P_IP) ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int eth_unchecked(struct xdp_md *ctx)
{
	struct ethhdr *eth = DATA(ctx);

	return eth->h_proto == bpf_htons(ETH_P_IP) ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int off_by_one(struct xdp_md *ctx)
{
	unsigned char *p = DATA(ctx);

	if ((void *)(p + 14) > END(ctx))
		return XDP_DROP;
	return p[14];
}

SEC("xdp") int last_checked_byte(struct xdp_md *ctx)
{
	unsigned char *p = DATA(ctx);

	if ((void *)(p + 14) > END(ctx))
		return XDP_DROP;
	return p[13];
}

SEC("xdp") int ip_header(struct xdp_md *ctx)
{
	struct ethhdr *eth = DATA(ctx);
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > END(ctx))
		return XDP_PASS;
	return ip->protocol == IPPROTO_TCP ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int ip_options_var(struct xdp_md *ctx)
{
	struct ethhdr *eth = DATA(ctx);
	struct iphdr *ip = (void *)(eth + 1);
	unsigned char *l4;

	if ((void *)(ip + 1) > END(ctx))
		return XDP_PASS;
	l4 = (unsigned char *)ip + ip->ihl * 4;
	if ((void *)(l4 + 4) > END(ctx))
		return XDP_PASS;
	return l4[3];
}

SEC("xdp") int ip_options_unchecked(struct xdp_md *ctx)
{
	struct ethhdr *eth = DATA(ctx);
	struct iphdr *ip = (void *)(eth + 1);
	unsigned char *l4;

	if ((void *)(ip + 1) > END(ctx))
		return XDP_PASS;
	l4 = (unsigned char *)ip + ip->ihl * 4;
	return l4[0];
}

SEC("xdp") int var_offset_masked(struct xdp_md *ctx)
{
	unsigned char *p = DATA(ctx);
	__u32 i;

	if ((void *)(p + 64) > END(ctx))
		return XDP_PASS;
	i = p[0] & 63;
	return p[i];
}

SEC("xdp") int var_offset_too_far(struct xdp_md *ctx)
{
	unsigned char *p = DATA(ctx);
	__u32 i;

	if ((void *)(p + 64) > END(ctx))
		return XDP_PASS;
	i = p[0] & 127;
	return p[i];
}

SEC("xdp") int write_packet(struct xdp_md *ctx)
{
	struct ethhdr *eth = DATA(ctx);
	unsigned char tmp[ETH_ALEN];

	if ((void *)(eth + 1) > END(ctx))
		return XDP_DROP;
	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
	return XDP_TX;
}

SEC("xdp") int cmp_lt(struct xdp_md *ctx)
{
	unsigned char *p = DATA(ctx);

	if ((void *)(p + 8) < END(ctx))
		return p[8];
	return XDP_PASS;
}

SEC("xdp") int cmp_le(struct xdp_md *ctx)
{
	unsigned char *p = DATA(ctx);

	if ((void *)(p + 8) <= END(ctx))
		return p[7];
	return XDP_PASS;
}

SEC("xdp") int cmp_le_bad(struct xdp_md *ctx)
{
	unsigned char *p = DATA(ctx);

	if ((void *)(p + 8) <= END(ctx))
		return p[8];
	return XDP_PASS;
}

SEC("xdp") int cmp_end_gt(struct xdp_md *ctx)
{
	unsigned char *p = DATA(ctx);

	if (END(ctx) > (void *)(p + 8))
		return p[8];
	return XDP_PASS;
}

SEC("xdp") int cmp_end_ge(struct xdp_md *ctx)
{
	unsigned char *p = DATA(ctx);

	if (END(ctx) >= (void *)(p + 8))
		return p[7];
	return XDP_PASS;
}

SEC("xdp") int wrong_branch(struct xdp_md *ctx)
{
	unsigned char *p = DATA(ctx);

	if ((void *)(p + 8) > END(ctx))
		return p[0];
	return XDP_PASS;
}

SEC("xdp") int meta_checked(struct xdp_md *ctx)
{
	__u32 *meta = (void *)(long)ctx->data_meta;

	if ((void *)(meta + 1) > DATA(ctx))
		return XDP_PASS;
	return *meta;
}

SEC("xdp") int meta_unchecked(struct xdp_md *ctx)
{
	__u32 *meta = (void *)(long)ctx->data_meta;

	return *meta;
}

SEC("xdp") int adjust_head_reload(struct xdp_md *ctx)
{
	unsigned char *p;

	if (bpf_xdp_adjust_head(ctx, -4))
		return XDP_DROP;
	p = DATA(ctx);
	if ((void *)(p + 4) > END(ctx))
		return XDP_DROP;
	p[0] = 1;
	return XDP_PASS;
}

SEC("xdp") int adjust_head_stale(struct xdp_md *ctx)
{
	unsigned char *p = DATA(ctx);

	if ((void *)(p + 4) > END(ctx))
		return XDP_DROP;
	bpf_xdp_adjust_head(ctx, 4);
	return p[0];
}

SEC("xdp") int adjust_tail(struct xdp_md *ctx)
{
	return bpf_xdp_adjust_tail(ctx, -4) ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int ctx_fields(struct xdp_md *ctx)
{
	return (ctx->ingress_ifindex + ctx->rx_queue_index) & 3;
}

SEC("xdp") int ctx_egress(struct xdp_md *ctx)
{
	return ctx->egress_ifindex & 3;
}

SEC("xdp") int ctx_write(struct xdp_md *ctx)
{
	ctx->rx_queue_index = 0;
	return XDP_PASS;
}

SEC("xdp") int ctx_narrow(struct xdp_md *ctx)
{
	return *(volatile __u16 *)&ctx->rx_queue_index & 3;
}

SEC("xdp") int ctx_past_end(struct xdp_md *ctx)
{
	return *(volatile __u32 *)((char *)ctx + 24) & 3;
}

SEC("xdp") int load_bytes_to_stack(struct xdp_md *ctx)
{
	unsigned char buf[16];

	if (bpf_xdp_load_bytes(ctx, 0, buf, sizeof(buf)))
		return XDP_PASS;
	return buf[15];
}

SEC("xdp") int buff_len(struct xdp_md *ctx)
{
	return bpf_xdp_get_buff_len(ctx) > 100 ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int csum_over_packet(struct xdp_md *ctx)
{
	__u32 *p = DATA(ctx);

	if ((void *)(p + 4) > END(ctx))
		return XDP_PASS;
	return bpf_csum_diff(0, 0, p, 16, 0) & 3;
}

SEC("xdp") int csum_past_range(struct xdp_md *ctx)
{
	__u32 *p = DATA(ctx);

	if ((void *)(p + 4) > END(ctx))
		return XDP_PASS;
	return bpf_csum_diff(0, 0, p, 20, 0) & 3;
}
