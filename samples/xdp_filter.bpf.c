// SPDX-License-Identifier: MIT
/*
 * xdp_filter - drops IPv4 packets whose source address is in a blocklist
 * and counts packets and bytes per protocol (TCP, UDP, ICMP, other IPv4,
 * non-IPv4, dropped).
 *
 *   blocklist  hash: __u32 IPv4 source address (network order) -> __u64 hits
 *   counters   array: enum proto_slot -> struct counter
 *
 * Load:  bpfload xdp_filter.bpf.o --xdp eth0 --pin /sys/fs/bpf/xdp_filter
 * Block: mapctl update /sys/fs/bpf/xdp_filter/blocklist 10.0.0.2 0   (hex or int)
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bpfkit/pkt.h"

enum proto_slot {
	SLOT_TCP,
	SLOT_UDP,
	SLOT_ICMP,
	SLOT_OTHER_IP,
	SLOT_NON_IP,
	SLOT_DROPPED,
	SLOTS
};

struct counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, struct counter);
} counters SEC(".maps");

static __always_inline void count(__u32 slot, __u64 bytes)
{
	struct counter *c = bpf_map_lookup_elem(&counters, &slot);

	if (c) {
		__sync_fetch_and_add(&c->packets, 1);
		__sync_fetch_and_add(&c->bytes, bytes);
	}
}

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	struct bk_cursor c = {(void *)(long)ctx->data, (void *)(long)ctx->data_end};
	__u64 len = ctx->data_end - ctx->data;
	struct ethhdr *eth = bk_pull(&c, struct ethhdr);
	struct iphdr *ip;
	__u64 *hits;

	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP)) {
		count(SLOT_NON_IP, len);
		return XDP_PASS;
	}
	ip = bk_pull(&c, struct iphdr);
	if (!ip) {
		count(SLOT_NON_IP, len);
		return XDP_PASS;
	}
	hits = bpf_map_lookup_elem(&blocklist, &ip->saddr);
	if (hits) {
		__sync_fetch_and_add(hits, 1);
		count(SLOT_DROPPED, len);
		return XDP_DROP;
	}
	switch (ip->protocol) {
	case IPPROTO_TCP:
		count(SLOT_TCP, len);
		break;
	case IPPROTO_UDP:
		count(SLOT_UDP, len);
		break;
	case IPPROTO_ICMP:
		count(SLOT_ICMP, len);
		break;
	default:
		count(SLOT_OTHER_IP, len);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
