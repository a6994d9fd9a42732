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
 * than the size, a writable slice in a socket filter, a packet pointer
 * used after bpf_dynptr_write into an skb dynptr.
 */
#include "corpus.h"

extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags,
			       struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags,
			       struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
			      __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
				   __u32 buffer__szk) __ksym;

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

/* the dynptr helpers over packet dynptrs: bpf_dynptr_write into an skb
 * dynptr may move the packet, so packet pointers die as after
 * bpf_skb_store_bytes */
SEC("tc")
int skb_read(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 b[4];

	bpf_dynptr_from_skb(skb, 0, &ptr);
	if (bpf_dynptr_read(b, sizeof(b), &ptr, 0, 0))
		return 2;
	return b[0];
}

SEC("tc")
int skb_write_then_pkt(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 b[4] = {};
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	if (data + 1 > end)
		return 2;
	bpf_dynptr_from_skb(skb, 0, &ptr);
	bpf_dynptr_write(&ptr, 0, b, sizeof(b), 0);
	return *(__u8 *)data;
}

SEC("socket")
int sock_write(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 b[4] = {};

	bpf_dynptr_from_skb(skb, 0, &ptr);
	bpf_dynptr_write(&ptr, 0, b, sizeof(b), 0);
	return 0;
}

SEC("xdp")
int xdp_read(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	__u8 b[4];

	bpf_dynptr_from_xdp(ctx, 0, &ptr);
	if (bpf_dynptr_read(b, sizeof(b), &ptr, 0, 0))
		return XDP_DROP;
	return b[0] ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int xdp_data_helper(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	__u8 *p;

	bpf_dynptr_from_xdp(ctx, 0, &ptr);
	p = bpf_dynptr_data(&ptr, 0, 4);
	if (!p)
		return XDP_DROP;
	return p[0] ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int xdp_slices_in_loop(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	__u8 buf[4], *p;
	int sum = 0;

	bpf_dynptr_from_xdp(ctx, 0, &ptr);
	for (int i = 0; i < 8; i++) {
		p = bpf_dynptr_slice(&ptr, i * 4, buf, sizeof(buf));
		if (!p)
			break;
		sum += p[0];
	}
	return sum & 1 ? XDP_PASS : XDP_DROP;
}
