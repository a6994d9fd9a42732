// SPDX-License-Identifier: MIT
/*
 * type_skb.bpf.c - the __sk_buff context beyond tc and socket filters:
 * cgroup_skb (ingress, egress), lwt_in/out/xmit/seg6local, sk_skb
 * (stream parser and verdict) and flow_dissector programs - which fields
 * each may read and write, the pointers some fields load, direct packet
 * access (read only for some types), helpers only some may call, and the
 * return values cgroup_skb allows.
 */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} sockhash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} sk_store SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, __u64);
} cg_store SEC(".maps");

/* ---- cgroup_skb ---- */
SEC("cgroup_skb/ingress") int cg_skb_fields(struct __sk_buff *skb)
{
	return (skb->len + skb->family + skb->remote_port + skb->local_ip4 + skb->mark) & 1;
}

SEC("cgroup_skb/ingress") int cg_skb_narrow_port(struct __sk_buff *skb)
{
	return *(__u16 *)&skb->remote_port & 1;
}

SEC("cgroup_skb/ingress") int cg_skb_narrow_ip(struct __sk_buff *skb)
{
	return *(__u8 *)&skb->remote_ip4 & 1;
}

SEC("cgroup_skb/egress") int cg_skb_write_mark(struct __sk_buff *skb)
{
	skb->mark = 7;
	skb->priority = 1;
	skb->cb[0] = skb->len;
	skb->tstamp = 0;
	return 1;
}

SEC("cgroup_skb/egress") int cg_skb_write_tc_index(struct __sk_buff *skb)
{
	skb->tc_index = 1;
	return 1;
}

SEC("cgroup_skb/ingress") int cg_skb_tc_classid(struct __sk_buff *skb)
{
	return skb->tc_classid & 1;
}

SEC("cgroup_skb/ingress") int cg_skb_pkt_read(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;

	if ((void *)(ip + 1) > end)
		return 1;
	return ip->ttl > 1;
}

SEC("cgroup_skb/ingress") int cg_skb_pkt_write(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;

	if ((void *)(ip + 1) > end)
		return 1;
	ip->ttl = 1;
	return 1;
}

SEC("cgroup_skb/ingress") int cg_skb_data_meta(struct __sk_buff *skb)
{
	return skb->data_meta & 1;
}

SEC("cgroup_skb/ingress") int cg_skb_ret_2(struct __sk_buff *skb)
{
	return skb->len > 100 ? 2 : 1;
}

SEC("cgroup_skb/egress") int cg_skb_egress_ret_3(struct __sk_buff *skb)
{
	return skb->len > 100 ? 3 : 1;
}

SEC("cgroup_skb/egress") int cg_skb_egress_ret_4(struct __sk_buff *skb)
{
	return skb->len > 100 ? 4 : 1;
}

SEC("cgroup_skb/ingress") int cg_skb_sock(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	struct bpf_tcp_sock *tp;

	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 1;
	tp = bpf_tcp_sock(sk);
	if (!tp)
		return 1;
	return (tp->snd_cwnd + sk->mark) != 0;
}

SEC("cgroup_skb/ingress") int cg_skb_sock_unchecked(struct __sk_buff *skb)
{
	return skb->sk->family == 2;
}

SEC("cgroup_skb/ingress") int cg_skb_fullsock_unchecked(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return 1;
	return bpf_sk_fullsock(sk)->mark == 0;
}

SEC("cgroup_skb/ingress") int cg_skb_sock_common_field(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return 1;
	return sk->mark == 0; /* a socket common has no mark */
}

SEC("cgroup_skb/ingress") int cg_skb_listener(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return 1;
	sk = bpf_get_listener_sock(sk);
	return sk ? sk->src_port != 0 : 1;
}

SEC("cgroup_skb/ingress") int cg_skb_cgroup_ids(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	__u64 v = bpf_skb_cgroup_id(skb) + bpf_skb_ancestor_cgroup_id(skb, 1);

	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 1;
	return (v + bpf_sk_cgroup_id(sk) + bpf_sk_ancestor_cgroup_id(sk, 1)) & 1;
}

SEC("cgroup_skb/egress") int cg_skb_ecn(struct __sk_buff *skb)
{
	bpf_skb_ecn_set_ce(skb);
	return 1;
}

SEC("cgroup_skb/egress") int cg_skb_storage(struct __sk_buff *skb)
{
	__u64 *v = bpf_get_local_storage(&cg_store, 0);
	struct bpf_sock *sk = skb->sk;
	__u64 *s;

	*v += skb->len;
	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 1;
	s = bpf_sk_storage_get(&sk_store, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (s)
		*s += 1;
	bpf_sk_storage_delete(&sk_store, sk);
	return 1;
}

SEC("cgroup_skb/egress") int cg_skb_storage_wrong_map(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 1;
	return bpf_sk_storage_get(&socks, sk, 0, 0) != 0;
}

SEC("cgroup_skb/ingress") int cg_skb_redirect(struct __sk_buff *skb)
{
	return bpf_redirect(skb->ifindex, 0) == 0;
}

SEC("cgroup_skb/ingress") int cg_skb_socket_helpers(struct __sk_buff *skb)
{
	return (bpf_get_socket_cookie(skb) + bpf_get_socket_uid(skb) + bpf_get_netns_cookie(skb) +
		bpf_get_netns_cookie(0)) &
	       1;
}

SEC("cgroup_skb/ingress") int cg_skb_load_bytes(struct __sk_buff *skb)
{
	__u8 b[4];

	if (bpf_skb_load_bytes_relative(skb, 0, b, sizeof(b), BPF_HDR_START_NET))
		return 1;
	return bpf_skb_load_bytes(skb, 0, b, sizeof(b)) == 0;
}

/* ---- lwt_in / lwt_out / lwt_xmit / lwt_seg6local ---- */
SEC("lwt_in") int lwt_in_read(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	if (data + 1 > end)
		return BPF_OK;
	return *(__u8 *)data == 0x45 ? BPF_OK : BPF_DROP;
}

SEC("lwt_in") int lwt_in_pkt_write(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	if (data + 1 > end)
		return BPF_OK;
	*(__u8 *)data = 0;
	return BPF_OK;
}

SEC("lwt_out") int lwt_out_mark(struct __sk_buff *skb)
{
	skb->mark = skb->hash;
	return bpf_get_route_realm(skb) & 1 ? BPF_OK : BPF_DROP;
}

SEC("lwt_out") int lwt_out_tc_index(struct __sk_buff *skb)
{
	skb->tc_index = 1;
	return BPF_OK;
}

SEC("lwt_in") int lwt_in_encap(struct __sk_buff *skb)
{
	struct iphdr hdr = {.version = 4, .ihl = 5, .ttl = 64};

	return bpf_lwt_push_encap(skb, BPF_LWT_ENCAP_IP, &hdr, sizeof(hdr)) ? BPF_DROP : BPF_OK;
}

SEC("lwt_xmit") int lwt_xmit_pkt_write(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	if (data + 4 > end)
		return BPF_OK;
	*(__u32 *)data = 0;
	return BPF_OK;
}

SEC("lwt_xmit") int lwt_xmit_helpers(struct __sk_buff *skb)
{
	__u32 v = 1;

	if (bpf_skb_store_bytes(skb, 0, &v, sizeof(v), 0))
		return BPF_DROP;
	bpf_l3_csum_replace(skb, 10, 0, v, 4);
	bpf_l4_csum_replace(skb, 16, 0, v, 4);
	bpf_csum_update(skb, v);
	bpf_set_hash_invalid(skb);
	bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	bpf_skb_change_tail(skb, skb->len, 0);
	bpf_skb_change_head(skb, 0, 0);
	bpf_skb_pull_data(skb, 0);
	return bpf_get_hash_recalc(skb) & 1 ? BPF_OK : BPF_REDIRECT;
}

SEC("lwt_xmit") int lwt_xmit_pkt_after_pull(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	if (data + 4 > end)
		return BPF_OK;
	bpf_skb_pull_data(skb, 4);
	return *(__u32 *)data & 1; /* packet pointers are gone after the pull */
}

SEC("lwt_xmit") int lwt_xmit_tunnel(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key = {};
	__u8 opt[8] = {};

	if (bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0))
		return BPF_OK;
	key.tunnel_ttl = 64;
	bpf_skb_set_tunnel_key(skb, &key, sizeof(key), 0);
	bpf_skb_get_tunnel_opt(skb, opt, sizeof(opt));
	bpf_skb_set_tunnel_opt(skb, opt, sizeof(opt));
	return bpf_clone_redirect(skb, 1, 0) ? BPF_OK : BPF_DROP;
}

SEC("lwt_seg6local") int seg6_helpers(struct __sk_buff *skb)
{
	__u32 v = 0;

	bpf_lwt_seg6_store_bytes(skb, 0, &v, sizeof(v));
	bpf_lwt_seg6_adjust_srh(skb, 0, 0);
	return bpf_lwt_seg6_action(skb, 2 /* SEG6_LOCAL_ACTION_END_X */, &v, sizeof(v)) ? BPF_DROP
										 : BPF_OK;
}

SEC("lwt_seg6local") int seg6_under_cgroup(struct __sk_buff *skb)
{
	return bpf_skb_under_cgroup(skb, &socks, 0) ? BPF_OK : BPF_DROP;
}

SEC("lwt_in") int lwt_in_store_bytes(struct __sk_buff *skb)
{
	__u32 v = 0;

	return bpf_skb_store_bytes(skb, 0, &v, sizeof(v), 0);
}

/* ---- sk_skb ---- */
SEC("sk_skb/stream_parser") int sk_skb_parser(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("sk_skb/stream_verdict") int sk_skb_verdict(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	if (data + 1 > end)
		return SK_PASS;
	*(__u8 *)data = 1;
	skb->priority = skb->remote_port;
	return bpf_sk_redirect_map(skb, &socks, 0, 0);
}

SEC("sk_skb/stream_verdict") int sk_skb_mark(struct __sk_buff *skb)
{
	return skb->mark & 1;
}

SEC("sk_skb/stream_verdict") int sk_skb_write_cb(struct __sk_buff *skb)
{
	skb->cb[0] = 1;
	return SK_PASS;
}

SEC("sk_skb/stream_verdict") int sk_skb_hash_redirect(struct __sk_buff *skb)
{
	__u32 key = skb->local_port;

	bpf_skb_adjust_room(skb, 0, 0, 0);
	return bpf_sk_redirect_hash(skb, &sockhash, &key, 0);
}

SEC("sk_skb/stream_verdict") int sk_skb_redirect_wrong_map(struct __sk_buff *skb)
{
	return bpf_sk_redirect_map(skb, &sockhash, 0, 0);
}

/* ---- flow_dissector ---- */
SEC("flow_dissector") int flow_keys(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	if (data + 2 > end)
		return BPF_DROP;
	keys->n_proto = *(__u16 *)data;
	keys->nhoff = 2;
	keys->thoff = keys->nhoff + 20;
	return BPF_OK;
}

SEC("flow_dissector") int flow_keys_past_end(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;

	return *(__u32 *)((char *)keys + sizeof(*keys)) & 1;
}

SEC("flow_dissector") int flow_load_bytes(struct __sk_buff *skb)
{
	__u8 b[4];

	return bpf_skb_load_bytes(skb, 0, b, sizeof(b)) ? BPF_DROP : BPF_OK;
}

SEC("flow_dissector") int flow_len(struct __sk_buff *skb)
{
	return skb->len & 1;
}

SEC("flow_dissector") int flow_pkt_write(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	if (data + 1 > end)
		return BPF_DROP;
	*(__u8 *)data = 0;
	return BPF_OK;
}
