// SPDX-License-Identifier: MIT
/*
 * subprog - BPF-to-BPF calls: a static function that is not inlined, and
 * a global function verified on its own.  Classifies the packet's EtherType
 * and returns XDP_PASS, or XDP_DROP for runt frames (< 14 bytes).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} by_type SEC(".maps");

/* 0 IPv4, 1 IPv6, 2 ARP, 3 other */
static __attribute__((noinline)) __u32 classify(__u16 proto)
{
	switch (proto) {
	case ETH_P_IP:
		return 0;
	case ETH_P_IPV6:
		return 1;
	case ETH_P_ARP:
		return 2;
	}
	return 3;
}

__attribute__((noinline)) int bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&by_type, &slot);

	if (!v)
		return -1;
	__sync_fetch_and_add(v, 1);
	return 0;
}

SEC("xdp")
int xdp_classify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	bump(classify(bpf_ntohs(eth->h_proto)));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
