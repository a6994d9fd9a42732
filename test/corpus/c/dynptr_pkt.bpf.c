// SPDX-License-Identifier: MIT
/*
 * dynptr_pkt.bpf.c - packet dynptrs (Linux 6.4): bpf_dynptr_from_xdp and
 * bpf_dynptr_from_skb make a dynptr over the packet, bpf_dynptr_slice
 * returns a read-only slice of a constant size (in the packet, or copied
 * to a buffer that may be NULL) or NULL, bpf_dynptr_slice_rdwr a
 * writable one where the program type may write packets.  Misuses the
 * kernel refuses: a slice used before its NULL check, past its size,
 * written when read-only, used after bpf_xdp_adjust_head (it dies with
 * the packet pointers), a size that is not a constant, a buffer smaller
 * than the size, a writable slice in a socket filter.
 */
#include "corpus.h"

extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;

SEC("xdp")
int dyn_eth(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	struct ethhdr buf, *eth;

	if (bpf_dynptr_from_xdp(ctx, 0, &ptr))
		return XDP_DROP;
	eth = bpf_dynptr_slice(&ptr, 0, &buf, sizeof(buf));
	if (!eth)
		return XDP_DROP;
	return eth->h_proto == bpf_htons(ETH_P_IP) ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int dyn_eth_nocheck(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	struct ethhdr buf, *eth;

	bpf_dynptr_from_xdp(ctx, 0, &ptr);
	eth = bpf_dynptr_slice(&ptr, 0, &buf, sizeof(buf));
	return eth->h_proto == bpf_htons(ETH_P_IP) ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int dyn_rdwr(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	struct ethhdr buf, *eth;

	if (bpf_dynptr_from_xdp(ctx, 0, &ptr))
		return XDP_DROP;
	eth = bpf_dynptr_slice_rdwr(&ptr, 0, &buf, sizeof(buf));
	if (!eth)
		return XDP_DROP;
	eth->h_proto = 0;
	return XDP_PASS;
}

SEC("xdp")
int dyn_past(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	struct ethhdr buf, *eth;

	if (bpf_dynptr_from_xdp(ctx, 0, &ptr))
		return XDP_DROP;
	eth = bpf_dynptr_slice(&ptr, 0, &buf, sizeof(buf));
	if (!eth)
		return XDP_DROP;
	return ((char *)eth)[sizeof(buf)] ? XDP_PASS : XDP_DROP;
}

SEC("tc")
int tc_slice(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 buf[20], *ip;

	if (bpf_dynptr_from_skb(skb, 0, &ptr))
		return 2;
	ip = bpf_dynptr_slice(&ptr, 14, buf, sizeof(buf));
	if (!ip)
		return 2;
	return ip[9] == 6 ? 0 : 2;
}

SEC("tc")
int tc_slice_rdwr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 buf[20], *ip;

	if (bpf_dynptr_from_skb(skb, 0, &ptr))
		return 2;
	ip = bpf_dynptr_slice_rdwr(&ptr, 14, buf, sizeof(buf));
	if (!ip)
		return 2;
	ip[8] = 64;
	return 0;
}

SEC("socket")
int sock_slice_rdwr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 buf[20], *ip;

	if (bpf_dynptr_from_skb(skb, 0, &ptr))
		return 0;
	ip = bpf_dynptr_slice_rdwr(&ptr, 14, buf, sizeof(buf));
	if (!ip)
		return 0;
	ip[8] = 64;
	return 1;
}

SEC("socket")
int sock_slice(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 buf[20], *ip;

	if (bpf_dynptr_from_skb(skb, 0, &ptr))
		return 0;
	ip = bpf_dynptr_slice(&ptr, 14, buf, sizeof(buf));
	if (!ip)
		return 0;
	return ip[9];
}

SEC("xdp")
int xdp_slice_after_adjust(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	struct ethhdr buf, *eth;

	if (bpf_dynptr_from_xdp(ctx, 0, &ptr))
		return XDP_DROP;
	eth = bpf_dynptr_slice(&ptr, 0, &buf, sizeof(buf));
	if (!eth)
		return XDP_DROP;
	bpf_xdp_adjust_head(ctx, 0);
	return eth->h_proto ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int xdp_slice_null_buf(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	struct ethhdr *eth;

	if (bpf_dynptr_from_xdp(ctx, 0, &ptr))
		return XDP_DROP;
	eth = bpf_dynptr_slice(&ptr, 0, NULL, sizeof(*eth));
	if (!eth)
		return XDP_DROP;
	return eth->h_proto ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int xdp_slice_small_buf(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	__u8 buf[8], *p;

	if (bpf_dynptr_from_xdp(ctx, 0, &ptr))
		return XDP_DROP;
	p = bpf_dynptr_slice(&ptr, 0, buf, 14);
	if (!p)
		return XDP_DROP;
	return p[12] ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int xdp_slice_var_size(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	__u8 buf[16], *p;
	__u32 n = ctx->rx_queue_index & 15;

	if (bpf_dynptr_from_xdp(ctx, 0, &ptr))
		return XDP_DROP;
	p = bpf_dynptr_slice(&ptr, 0, buf, n);
	if (!p)
		return XDP_DROP;
	return XDP_PASS;
}

SEC("xdp")
int xdp_slice_write_rdonly(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	struct ethhdr buf, *eth;

	if (bpf_dynptr_from_xdp(ctx, 0, &ptr))
		return XDP_DROP;
	eth = bpf_dynptr_slice(&ptr, 0, &buf, sizeof(buf));
	if (!eth)
		return XDP_DROP;
	eth->h_proto = 0;
	return XDP_PASS;
}

SEC("xdp")
int xdp_slice_var_offset(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	__u8 buf[4], *p;
	__u32 off = ctx->rx_queue_index & 63;

	if (bpf_dynptr_from_xdp(ctx, 0, &ptr))
		return XDP_DROP;
	p = bpf_dynptr_slice(&ptr, off, buf, sizeof(buf));
	if (!p)
		return XDP_DROP;
	return p[3] ? XDP_PASS : XDP_DROP;
}
