// SPDX-License-Identifier: MIT
/*
 * parse.bpf.c - larger, branchy programs as real ones are written: an
 * Ethernet/VLAN/IPv4/IPv6/TCP/UDP parser with per-protocol counters and a
 * port filter, a tc classifier with the same parser on __sk_buff, and a
 * flow table update.  They exercise state pruning (many paths that join)
 * and long chains of packet range checks.
 */
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "corpus.h"

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct flow {
	__u32 saddr, daddr;
	__u16 sport, dport;
	__u8 proto;
	__u8 pad[3];
};

struct stats {
	__u64 pkts, bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct stats);
} proto_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow);
	__type(value, struct stats);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, __u8);
} blocked_ports SEC(".maps");

static __always_inline void count(__u32 slot, __u64 bytes)
{
	struct stats *s = bpf_map_lookup_elem(&proto_stats, &slot);

	if (s) {
		s->pkts++;
		s->bytes += bytes;
	}
}

static __always_inline int parse(void *data, void *end, struct flow *f, __u64 len)
{
	struct ethhdr *eth = data;
	__u16 proto;
	void *l3, *l4;

	if ((void *)(eth + 1) > end)
		return -1;
	proto = eth->h_proto;
	l3 = eth + 1;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		struct vlan_hdr *v = l3;

		if ((void *)(v + 1) > end)
			return -1;
		proto = v->proto;
		l3 = v + 1;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > end)
			return -1;
		if (ip->ihl < 5)
			return -1;
		f->saddr = ip->saddr;
		f->daddr = ip->daddr;
		f->proto = ip->protocol;
		l4 = (void *)ip + ip->ihl * 4;
		count(1, len);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > end)
			return -1;
		f->saddr = ip6->saddr.in6_u.u6_addr32[3];
		f->daddr = ip6->daddr.in6_u.u6_addr32[3];
		f->proto = ip6->nexthdr;
		l4 = ip6 + 1;
		count(2, len);
	} else {
		count(0, len);
		return 0;
	}
	if (f->proto == IPPROTO_TCP) {
		struct tcphdr *t = l4;

		if ((void *)(t + 1) > end)
			return -1;
		f->sport = t->source;
		f->dport = t->dest;
		count(3, len);
	} else if (f->proto == IPPROTO_UDP) {
		struct udphdr *u = l4;

		if ((void *)(u + 1) > end)
			return -1;
		f->sport = u->source;
		f->dport = u->dest;
		count(4, len);
	} else {
		count(5, len);
	}
	return 1;
}

SEC("xdp") int firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct flow f = {};
	struct stats *st, one = {1, 0};
	__u16 port;
	int r = parse(data, end, &f, end - data);

	if (r < 0)
		return XDP_DROP;
	if (r == 0)
		return XDP_PASS;
	port = bpf_ntohs(f.dport);
	if (bpf_map_lookup_elem(&blocked_ports, &port))
		return XDP_DROP;
	st = bpf_map_lookup_elem(&flows, &f);
	if (st) {
		__sync_fetch_and_add(&st->pkts, 1);
		__sync_fetch_and_add(&st->bytes, end - data);
	} else {
		one.bytes = end - data;
		bpf_map_update_elem(&flows, &f, &one, BPF_NOEXIST);
	}
	return XDP_PASS;
}

SEC("tc") int classifier(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct flow f = {};
	int r = parse(data, end, &f, skb->len);

	if (r <= 0)
		return TC_ACT_OK;
	skb->mark = f.proto << 16 | bpf_ntohs(f.dport);
	skb->priority = f.proto == IPPROTO_UDP ? 1 : 0;
	return TC_ACT_OK;
}

SEC("xdp") int firewall_no_l4_check(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *t;

	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	t = (void *)ip + ip->ihl * 4;
	return t->dest == bpf_htons(22) ? XDP_DROP : XDP_PASS;
}
