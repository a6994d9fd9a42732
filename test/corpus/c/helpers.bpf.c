// SPDX-License-Identifier: MIT
/*
 * helpers.bpf.c - helpers programs in the wild call, with their argument
 * rules: fib lookups and MTU checks with structs on the stack, printk with
 * many arguments, LPM tries, tail calls with computed indexes, checksum
 * and room adjustments on skbs, neighbour redirects, per-CPU ids.
 */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct {
		__u32 prefixlen;
		__u32 addr;
	});
	__type(value, __u32);
} routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} stages SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} percpu_slots SEC(".maps");

SEC("xdp") int fib_forward(struct xdp_md *ctx)
{
	struct bpf_fib_lookup fib = {};

	fib.family = 2;
	fib.ifindex = ctx->ingress_ifindex;
	if (bpf_fib_lookup(ctx, &fib, sizeof(fib), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	return bpf_redirect(fib.ifindex, 0);
}

SEC("xdp") int fib_size_too_big(struct xdp_md *ctx)
{
	struct bpf_fib_lookup fib = {};

	return bpf_fib_lookup(ctx, &fib, sizeof(fib) + 8, 0) ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int mtu_check(struct xdp_md *ctx)
{
	__u32 mtu = 0;

	if (bpf_check_mtu(ctx, 0, &mtu, 0, 0))
		return XDP_DROP;
	return mtu > 1500 ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int printk_many(struct xdp_md *ctx)
{
	bpf_printk("%u %u %u %u", ctx->ingress_ifindex, ctx->rx_queue_index, 3, 4);
	return XDP_PASS;
}

SEC("xdp") int lpm_lookup(struct xdp_md *ctx)
{
	struct {
		__u32 prefixlen;
		__u32 addr;
	} key = {32, ctx->rx_queue_index};
	__u32 *hop = bpf_map_lookup_elem(&routes, &key);

	return hop ? *hop & 3 : XDP_PASS;
}

SEC("xdp") int tail_call_computed(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &stages, ctx->rx_queue_index & 7);
	return XDP_PASS;
}

SEC("xdp") int cpu_slot(struct xdp_md *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 *slot = bpf_map_lookup_elem(&percpu_slots, &cpu);

	if (slot)
		*slot += 1;
	return XDP_PASS;
}

SEC("xdp") int pid_in_xdp(struct xdp_md *ctx)
{
	return (bpf_get_current_pid_tgid() & 1) ? XDP_PASS : XDP_DROP;
}

SEC("tc") int tc_l4_csum(struct __sk_buff *skb)
{
	__be16 old = 0, new = bpf_htons(8080);

	bpf_l4_csum_replace(skb, ETH_HLEN + 20 + 16, old, new, 2);
	bpf_skb_store_bytes(skb, ETH_HLEN + 20 + 2, &new, sizeof(new), 0);
	return TC_ACT_OK;
}

SEC("tc") int tc_adjust_room(struct __sk_buff *skb)
{
	if (bpf_skb_adjust_room(skb, 8, BPF_ADJ_ROOM_NET, 0))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

SEC("tc") int tc_vlan_push(struct __sk_buff *skb)
{
	return bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), 10) ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc") int tc_redirect_neigh(struct __sk_buff *skb)
{
	return bpf_redirect_neigh(skb->ifindex, NULL, 0, 0);
}

SEC("tc") int tc_change_tail(struct __sk_buff *skb)
{
	void *data, *end;

	if (bpf_skb_change_tail(skb, skb->len + 4, 0))
		return TC_ACT_SHOT;
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (data + 1 > end)
		return TC_ACT_OK;
	return *(__u8 *)data & 1;
}

SEC("socket") int sock_printk(struct __sk_buff *skb)
{
	bpf_printk("len %u", skb->len);
	return skb->len;
}
