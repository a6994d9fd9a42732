// SPDX-License-Identifier: MIT
/*
 * skb.bpf.c - __sk_buff context rules for sched_cls (tc) and
 * socket_filter: readable, writable and narrow fields, packet pointers
 * (tc only), skb helpers and which program types may call them.
 */
#include "corpus.h"

SEC("tc") int tc_read_fields(struct __sk_buff *skb)
{
	return (skb->len + skb->mark + skb->protocol + skb->ifindex + skb->hash) & 1;
}

SEC("tc") int tc_write_mark(struct __sk_buff *skb)
{
	skb->mark = 7;
	skb->priority = 1;
	skb->tc_index = 2;
	skb->tc_classid = 3;
	return TC_ACT_OK;
}

SEC("tc") int tc_write_len(struct __sk_buff *skb)
{
	skb->len = 7;
	return TC_ACT_OK;
}

SEC("tc") int tc_write_cb(struct __sk_buff *skb)
{
	skb->cb[0] = 1;
	skb->cb[4] = skb->cb[1];
	return TC_ACT_OK;
}

SEC("tc") int tc_narrow_mark(struct __sk_buff *skb)
{
	return *(volatile __u8 *)&skb->mark;
}

SEC("tc") int tc_narrow_write(struct __sk_buff *skb)
{
	*(volatile __u16 *)&skb->mark = 1;
	return TC_ACT_OK;
}

SEC("tc") int tc_read_family(struct __sk_buff *skb)
{
	return skb->family & 1;
}

SEC("tc") int tc_tstamp(struct __sk_buff *skb)
{
	skb->tstamp = skb->tstamp + 1000;
	return TC_ACT_OK;
}

SEC("tc") int tc_tstamp_narrow(struct __sk_buff *skb)
{
	return *(volatile __u32 *)&skb->tstamp & 1;
}

SEC("tc") int tc_direct_access(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return TC_ACT_OK;
	eth->h_dest[0] ^= 1;
	return TC_ACT_OK;
}

SEC("tc") int tc_direct_unchecked(struct __sk_buff *skb)
{
	struct ethhdr *eth = (void *)(long)skb->data;

	return eth->h_proto & 1;
}

SEC("tc") int tc_data_narrow(struct __sk_buff *skb)
{
	return *(volatile __u16 *)&skb->data & 1;
}

SEC("tc") int tc_load_bytes(struct __sk_buff *skb)
{
	struct iphdr ip;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)))
		return TC_ACT_OK;
	return ip.ttl > 1 ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("tc") int tc_load_bytes_var(struct __sk_buff *skb)
{
	unsigned char buf[32];
	__u32 n = unknown32() & 31;

	if (bpf_skb_load_bytes(skb, 0, buf, n + 1))
		return TC_ACT_OK;
	return buf[0];
}

SEC("tc") int tc_load_bytes_unbounded(struct __sk_buff *skb)
{
	unsigned char buf[32];
	__u32 n = unknown32();

	if (bpf_skb_load_bytes(skb, 0, buf, n))
		return TC_ACT_OK;
	return buf[0];
}

SEC("tc") int tc_store_bytes_reload(struct __sk_buff *skb)
{
	__u8 ttl = 64;
	void *data, *end;

	bpf_skb_store_bytes(skb, ETH_HLEN + 8, &ttl, 1, 0);
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (data + 1 > end)
		return TC_ACT_OK;
	return *(__u8 *)data & 1;
}

SEC("tc") int tc_store_bytes_stale(struct __sk_buff *skb)
{
	__u8 ttl = 64, *data = (void *)(long)skb->data;

	if ((void *)(data + 1) > (void *)(long)skb->data_end)
		return TC_ACT_OK;
	bpf_skb_store_bytes(skb, ETH_HLEN + 8, &ttl, 1, 0);
	return *data & 1;
}

SEC("tc") int tc_csum(struct __sk_buff *skb)
{
	bpf_l3_csum_replace(skb, ETH_HLEN + 10, 1, 2, 2);
	return TC_ACT_OK;
}

SEC("tc") int tc_redirect(struct __sk_buff *skb)
{
	return bpf_redirect(skb->ifindex, 0);
}

SEC("tc") int tc_xdp_helper(struct __sk_buff *skb)
{
	return bpf_xdp_adjust_head((void *)skb, 4);
}

SEC("tc") int tc_ctx_arith(struct __sk_buff *skb)
{
	return bpf_skb_pull_data(skb, 14) ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc") int tc_vlan(struct __sk_buff *skb)
{
	return skb->vlan_present ? skb->vlan_tci & 1 : 0;
}

SEC("tc") int tc_queue_mapping_write(struct __sk_buff *skb)
{
	skb->queue_mapping = 1;
	return TC_ACT_OK;
}

SEC("socket") int sock_len(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("socket") int sock_cb(struct __sk_buff *skb)
{
	skb->cb[2] = skb->len;
	return 0;
}

SEC("socket") int sock_write_mark(struct __sk_buff *skb)
{
	skb->mark = 1;
	return 0;
}

SEC("socket") int sock_data(struct __sk_buff *skb)
{
	return skb->data & 1;
}

SEC("socket") int sock_load_bytes(struct __sk_buff *skb)
{
	__u16 proto;

	if (bpf_skb_load_bytes(skb, 12, &proto, 2))
		return 0;
	return proto == bpf_htons(ETH_P_IP) ? -1 : 0;
}

SEC("socket") int sock_cookie(struct __sk_buff *skb)
{
	return bpf_get_socket_cookie(skb) ? -1 : 0;
}

SEC("socket") int sock_redirect(struct __sk_buff *skb)
{
	return bpf_redirect(1, 0);
}

SEC("socket") int sock_tc_classid(struct __sk_buff *skb)
{
	return skb->tc_classid;
}

SEC("socket") int sock_store_bytes(struct __sk_buff *skb)
{
	__u8 b = 1;

	return bpf_skb_store_bytes(skb, 0, &b, 1, 0);
}

SEC("socket") int sock_wire_len(struct __sk_buff *skb)
{
	return skb->wire_len;
}
