// SPDX-License-Identifier: MIT
/* skb programs 42-skb-vs-kernel.sh runs in the kernel and in libvm: the
 * __sk_buff fields each type sees, direct packet access, LD_ABS, the skb
 * helpers that read, write and fix checksums. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <stddef.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

SEC("tc")
int tc_fields(struct __sk_buff *skb)
{
	skb->mark = skb->ifindex * 1000 + skb->ingress_ifindex;
	skb->priority = skb->wire_len;
	skb->cb[0] = skb->queue_mapping + skb->hash + skb->tc_classid + skb->vlan_present +
		     skb->napi_id + skb->gso_segs + skb->gso_size + skb->vlan_tci;
	skb->cb[2] = skb->data_end - skb->data;
	skb->cb[3] = skb->data - skb->data_meta;
	skb->tc_index = 5;
	return skb->len + (skb->pkt_type << 12) + (skb->protocol << 16);
}

SEC("tc")
int tc_ttl(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	__u16 old, nw, port = bpf_htons(8080), oport;
	__u32 l4;
	__u8 proto;

	if (skb->protocol != bpf_htons(ETH_P_IP) || (void *)(ip + 1) > end)
		return TC_ACT_UNSPEC;
	proto = ip->protocol;
	old = *(__u16 *)&ip->ttl;
	ip->ttl--;
	nw = *(__u16 *)&ip->ttl;
	if (bpf_l3_csum_replace(skb, ETH_HLEN + offsetof(struct iphdr, check), old, nw, 2))
		return TC_ACT_SHOT;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return TC_ACT_OK;
	l4 = ETH_HLEN + sizeof(*ip);
	if (bpf_skb_load_bytes(skb, l4 + 2, &oport, 2))
		return TC_ACT_SHOT;
	if (bpf_l4_csum_replace(skb, l4 + (proto == IPPROTO_TCP ? 16 : 6), oport, port,
				BPF_F_PSEUDO_HDR | 2 |
					(proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0)))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, l4 + 2, &port, 2, BPF_F_RECOMPUTE_CSUM))
		return TC_ACT_SHOT;
	return TC_ACT_PIPE;
}

SEC("tc")
int tc_nat(struct __sk_buff *skb)
{
	__u32 osrc, nsrc = bpf_htonl(0xc0a80001), diff;
	__u8 proto;

	if (bpf_skb_load_bytes(skb, ETH_HLEN + 12, &osrc, 4) ||
	    bpf_skb_load_bytes(skb, ETH_HLEN + 9, &proto, 1))
		return TC_ACT_OK;
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	bpf_l3_csum_replace(skb, ETH_HLEN + 10, osrc, nsrc, 4);
	if (proto == IPPROTO_TCP)
		bpf_l4_csum_replace(skb, ETH_HLEN + 20 + 16, osrc, nsrc, BPF_F_PSEUDO_HDR | 4);
	diff = bpf_csum_diff(&osrc, 4, &nsrc, 4, 0);
	if (proto == IPPROTO_UDP)
		bpf_l4_csum_replace(skb, ETH_HLEN + 20 + 6, 0, diff, BPF_F_PSEUDO_HDR);
	bpf_skb_store_bytes(skb, ETH_HLEN + 12, &nsrc, 4, BPF_F_INVALIDATE_HASH);
	return bpf_skb_store_bytes(skb, 1000, &nsrc, 4, 0) == -14 /* EFAULT */ ? TC_ACT_REDIRECT
									       : 0;
}

SEC("tc")
int tc_ldabs(struct __sk_buff *skb)
{
	__u8 mac[2], net[2];
	__u32 r = load_byte(skb, 23) + (load_half(skb, 12) << 8) + load_word(skb, 26);

	if (bpf_skb_load_bytes_relative(skb, 0, mac, 2, BPF_HDR_START_MAC) ||
	    bpf_skb_load_bytes_relative(skb, 0, net, 2, BPF_HDR_START_NET))
		return r;
	skb->cb[1] = mac[1] + (net[0] << 8);
	skb->mark = bpf_skb_pull_data(skb, 0) + 100 + bpf_skb_pull_data(skb, 4000);
	return r + load_byte(skb, 70); /* past the end of most packets: r0 = 0 */
}

SEC("socket")
int sock_filter(struct __sk_buff *skb)
{
	__u8 proto = 0;

	skb->cb[4] = skb->len + skb->pkt_type;
	if (bpf_skb_load_bytes(skb, offsetof(struct iphdr, protocol), &proto, 1))
		return 1;
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 2;
	return proto == IPPROTO_TCP ? skb->len : load_byte(skb, 8);
}

SEC("cgroup_skb/ingress")
int cg_in(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	skb->mark = skb->family + (skb->local_ip4 & 0xff000000) + skb->remote_port;
	skb->priority = skb->remote_ip4;
	skb->cb[0] = skb->remote_ip6[3] ^ skb->local_ip6[0];
	if (data + 1 > end)
		return 0;
	return (*(__u8 *)data >> 4) == 4 ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
