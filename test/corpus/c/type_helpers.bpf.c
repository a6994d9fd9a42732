// SPDX-License-Identifier: MIT
/*
 * type_helpers.bpf.c - helpers with their argument rules, each in a
 * program type that calls it: socket lookups and syncookies (references,
 * socket arguments, fixed-size headers), queue and stack maps, strings in
 * read-only maps, snprintf, per-CPU lookups, tunnel and checksum helpers
 * of tc, metadata and stores of xdp, time and task helpers everywhere.
 */
#include "corpus.h"
#include <linux/ipv6.h>
#include <linux/ptrace.h>
#include <linux/tcp.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__uint(value_size, sizeof(__u32));
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 8);
	__uint(value_size, sizeof(__u64));
} lifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct timer_val {
	__u64 hits;
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct timer_val);
} timers SEC(".maps");

const char fmt[] = "pid %d";
const char word[] = "bpf";

/* ---- time, ids, cgroups: every type ---- */
SEC("xdp") int xdp_time_ids(struct xdp_md *ctx)
{
	__u64 t = bpf_jiffies64() + bpf_ktime_get_boot_ns() + bpf_ktime_get_coarse_ns() +
		  bpf_ktime_get_tai_ns();
	struct bpf_pidns_info ns;

	t += bpf_get_current_uid_gid() + bpf_get_current_cgroup_id() +
	     bpf_get_current_ancestor_cgroup_id(1) + bpf_get_cgroup_classid((void *)ctx);
	if (bpf_get_ns_current_pid_tgid(0, 0, &ns, sizeof(ns)) == 0)
		t += ns.pid;
	return t & 1 ? XDP_PASS : XDP_DROP;
}

/* the size is checked when the helper runs, not when the program loads */
SEC("xdp") int xdp_ns_pid_short(struct xdp_md *ctx)
{
	struct bpf_pidns_info ns;

	(void)ctx;
	return bpf_get_ns_current_pid_tgid(0, 0, &ns, sizeof(ns) - 1) == 0;
}

/* ---- queue and stack maps ---- */
SEC("xdp") int xdp_queue(struct xdp_md *ctx)
{
	__u32 v = ctx->rx_queue_index, out;
	__u64 w = 1;

	bpf_map_push_elem(&queue, &v, BPF_EXIST);
	bpf_map_push_elem(&lifo, &w, 0);
	if (bpf_map_peek_elem(&queue, &out))
		return XDP_PASS;
	bpf_map_pop_elem(&lifo, &w);
	return (out + w) & 1 ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int xdp_pop_array(struct xdp_md *ctx)
{
	struct val64 v;

	(void)ctx;
	return bpf_map_pop_elem(&arr, &v) ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int xdp_queue_lookup(struct xdp_md *ctx)
{
	__u32 k = 0;

	(void)ctx;
	return bpf_map_lookup_elem(&queue, &k) ? XDP_PASS : XDP_DROP;
}

/* ---- ring buffer, per-CPU lookups ---- */
SEC("xdp") int xdp_ringbuf_query(struct xdp_md *ctx)
{
	(void)ctx;
	return bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) > 64 ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int xdp_ringbuf_query_hash(struct xdp_md *ctx)
{
	(void)ctx;
	return bpf_ringbuf_query(&hsh, 0) > 64 ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int xdp_percpu_lookup(struct xdp_md *ctx)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_percpu_elem(&pcpu, &k, 0);

	(void)ctx;
	return v && *v ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int xdp_percpu_lookup_array(struct xdp_md *ctx)
{
	__u32 k = 1;

	(void)ctx;
	return bpf_map_lookup_percpu_elem(&arr, &k, 0) ? XDP_DROP : XDP_PASS;
}

/* ---- strings: read-only maps, snprintf, strtol ---- */
SEC("xdp") int xdp_strncmp(struct xdp_md *ctx)
{
	char s[4] = "bpf";

	(void)ctx;
	return bpf_strncmp(s, sizeof(s), word) ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int xdp_strncmp_stack(struct xdp_md *ctx)
{
	char s[4] = "bpf", t[4] = "bpf";

	(void)ctx;
	return bpf_strncmp(s, sizeof(s), t) ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int xdp_snprintf(struct xdp_md *ctx)
{
	char out[32];
	__u64 args[1] = {ctx->ingress_ifindex};

	return bpf_snprintf(out, sizeof(out), fmt, args, sizeof(args)) > 0 ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int xdp_snprintf_size_only(struct xdp_md *ctx)
{
	__u64 args[1] = {ctx->ingress_ifindex};

	return bpf_snprintf(0, 0, fmt, args, sizeof(args)) > 0 ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int xdp_snprintf_stack_fmt(struct xdp_md *ctx)
{
	char out[32], f[8] = "pid %d";
	__u64 args[1] = {ctx->ingress_ifindex};

	return bpf_snprintf(out, sizeof(out), f, args, sizeof(args)) > 0 ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int xdp_strtol(struct xdp_md *ctx)
{
	char s[8] = "-42";
	long v = 0;

	(void)ctx;
	if (bpf_strtol(s, sizeof(s), 10, &v) <= 0)
		return XDP_PASS;
	return v < 0 ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int xdp_strtol_misaligned(struct xdp_md *ctx)
{
	char s[8] = "-42";
	long v[2] = {};

	(void)ctx;
	return bpf_strtol(s, sizeof(s), 10, (long *)((char *)v + 4)) > 0 ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int xdp_snprintf_btf(struct xdp_md *ctx)
{
	char out[64];
	struct btf_ptr p = {.ptr = ctx, .type_id = 1};

	return bpf_snprintf_btf(out, sizeof(out), &p, sizeof(p), 0) > 0 ? XDP_PASS : XDP_DROP;
}

/* ---- xdp: metadata, stores ---- */
SEC("xdp") int xdp_meta(struct xdp_md *ctx)
{
	void *data, *meta;

	if (bpf_xdp_adjust_meta(ctx, -4))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	meta = (void *)(long)ctx->data_meta;
	if (meta + 4 > data)
		return XDP_PASS;
	*(__u32 *)meta = 1;
	return XDP_PASS;
}

SEC("xdp") int xdp_meta_stale(struct xdp_md *ctx)
{
	void *meta = (void *)(long)ctx->data_meta, *data = (void *)(long)ctx->data;

	if (meta + 4 > data)
		return XDP_PASS;
	bpf_xdp_adjust_meta(ctx, -4);
	return *(__u32 *)meta & 1;
}

SEC("xdp") int xdp_store(struct xdp_md *ctx)
{
	__u8 mac[6] = {2, 0, 0, 0, 0, 1};

	return bpf_xdp_store_bytes(ctx, 0, mac, sizeof(mac)) ? XDP_DROP : XDP_TX;
}

SEC("xdp") int xdp_store_uninit(struct xdp_md *ctx)
{
	__u8 mac[6];

	return bpf_xdp_store_bytes(ctx, 0, mac, sizeof(mac)) ? XDP_DROP : XDP_TX;
}

SEC("xdp") int xdp_set_hash(struct xdp_md *ctx)
{
	return bpf_set_hash((void *)ctx, 1) ? XDP_DROP : XDP_PASS;
}

/* ---- syncookies: sockets and fixed-size headers ---- */
SEC("xdp") int xdp_raw_syncookie(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct tcphdr *th = (void *)(ip + 1);
	__s64 cookie;

	if ((void *)(th + 1) > end)
		return XDP_PASS;
	cookie = bpf_tcp_raw_gen_syncookie_ipv4(ip, th, sizeof(*th));
	if (cookie < 0)
		return XDP_PASS;
	return bpf_tcp_raw_check_syncookie_ipv4(ip, th) ? XDP_DROP : XDP_TX;
}

SEC("xdp") int xdp_raw_syncookie_short(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data;
	struct tcphdr *th = data + 8;

	if (data + 20 > end) /* the iphdr, not the 20 bytes of tcphdr past it */
		return XDP_PASS;
	return bpf_tcp_raw_check_syncookie_ipv4(ip, th) ? XDP_DROP : XDP_TX;
}

SEC("xdp") int xdp_raw_syncookie6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
	struct tcphdr *th = (void *)(ip6 + 1);

	if ((void *)(th + 1) > end)
		return XDP_PASS;
	if (bpf_tcp_raw_gen_syncookie_ipv6(ip6, th, sizeof(*th)) < 0)
		return XDP_PASS;
	return bpf_tcp_raw_check_syncookie_ipv6(ip6, th) ? XDP_DROP : XDP_TX;
}

SEC("xdp") int xdp_syncookie(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct tcphdr *th = (void *)(ip + 1);
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;
	long r;

	if ((void *)(th + 1) > end)
		return XDP_PASS;
	t.ipv4.saddr = ip->saddr;
	t.ipv4.daddr = ip->daddr;
	sk = bpf_skc_lookup_tcp(ctx, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return XDP_PASS;
	r = bpf_tcp_check_syncookie(sk, ip, sizeof(*ip), th, sizeof(*th));
	if (r == 0)
		r = bpf_tcp_gen_syncookie(sk, ip, sizeof(*ip), th, sizeof(*th));
	bpf_sk_release(sk);
	return r ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int xdp_skc_lookup_leak(struct xdp_md *ctx)
{
	struct bpf_sock_tuple t = {};

	return bpf_skc_lookup_tcp(ctx, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0) ? XDP_PASS
										    : XDP_DROP;
}

SEC("xdp") int xdp_syncookie_not_sock(struct xdp_md *ctx)
{
	struct iphdr ip = {};
	struct tcphdr th = {};

	return bpf_tcp_gen_syncookie(ctx, &ip, sizeof(ip), &th, sizeof(th)) ? XDP_PASS : XDP_DROP;
}

SEC("xdp") int xdp_release_twice(struct xdp_md *ctx)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk = bpf_sk_lookup_tcp(ctx, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);

	if (!sk)
		return XDP_PASS;
	bpf_sk_release(sk);
	bpf_sk_release(sk);
	return XDP_PASS;
}

SEC("xdp") int xdp_fullsock(struct xdp_md *ctx)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk = bpf_sk_lookup_tcp(ctx, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	struct bpf_sock *full;

	if (!sk)
		return XDP_PASS;
	full = bpf_sk_fullsock(sk);
	bpf_sk_release(sk);
	return full ? XDP_PASS : XDP_DROP;
}

/* ---- tc: headers, hashes, tunnels, cgroups ---- */
SEC("tc") int tc_proto_type(struct __sk_buff *skb)
{
	bpf_skb_vlan_pop(skb);
	bpf_skb_change_type(skb, 0 /* PACKET_HOST */);
	bpf_set_hash(skb, 7);
	if (bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0))
		return TC_ACT_SHOT;
	return bpf_skb_cgroup_classid(skb) == bpf_get_cgroup_classid(skb) ? TC_ACT_OK
									  : TC_ACT_SHOT;
}

SEC("tc") int tc_classid_no_ctx(struct __sk_buff *skb)
{
	(void)skb;
	return bpf_get_cgroup_classid(0) ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("tc") int tc_xfrm(struct __sk_buff *skb)
{
	struct bpf_xfrm_state x;

	if (bpf_skb_get_xfrm_state(skb, 0, &x, sizeof(x), 0))
		return TC_ACT_OK;
	return x.reqid ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("tc") int tc_xfrm_small(struct __sk_buff *skb)
{
	struct bpf_xfrm_state x;

	return bpf_skb_get_xfrm_state(skb, 0, &x, 0, 0) ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("tc") int tc_peer_tstamp(struct __sk_buff *skb)
{
	bpf_skb_set_tstamp(skb, bpf_ktime_get_ns(), BPF_SKB_TSTAMP_DELIVERY_MONO);
	return bpf_redirect_peer(skb->ifindex, 0);
}

SEC("tc") int tc_syncookie(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct tcphdr *th = (void *)(ip + 1);

	if ((void *)(th + 1) > end)
		return TC_ACT_OK;
	return bpf_tcp_raw_check_syncookie_ipv4(ip, th) ? TC_ACT_SHOT : TC_ACT_OK;
}

/* ---- timers: the struct bpf_timer of a map value ---- */
SEC("xdp") int xdp_timer(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct timer_val *v = bpf_map_lookup_elem(&timers, &k);

	(void)ctx;
	if (!v)
		return XDP_PASS;
	bpf_timer_init(&v->t, &timers, 1 /* CLOCK_MONOTONIC */);
	bpf_timer_start(&v->t, 1000000, 0);
	bpf_timer_cancel(&v->t);
	return XDP_PASS;
}

SEC("xdp") int xdp_timer_wrong_map(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct timer_val *v = bpf_map_lookup_elem(&timers, &k);

	(void)ctx;
	if (!v)
		return XDP_PASS;
	return bpf_timer_init(&v->t, &arr, 1) ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int xdp_timer_wrong_offset(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct timer_val *v = bpf_map_lookup_elem(&timers, &k);

	(void)ctx;
	if (!v)
		return XDP_PASS;
	return bpf_timer_start((struct bpf_timer *)&v->hits, 1, 0) ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int xdp_timer_on_stack(struct xdp_md *ctx)
{
	struct bpf_timer t = {};

	(void)ctx;
	return bpf_timer_cancel(&t) ? XDP_DROP : XDP_PASS;
}

/* ---- tracing: user strings, another task's memory ---- */
SEC("kprobe/do_unlinkat") int kprobe_user_str(struct pt_regs *ctx)
{
	char s[16];
	long n = bpf_probe_read_user_str(s, sizeof(s), (void *)ctx->rsi);

	return n > 0 ? s[n - 1] : 0;
}

SEC("uprobe.s") int uprobe_copy_task(struct pt_regs *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	char buf[8];

	return bpf_copy_from_user_task(buf, sizeof(buf), (void *)ctx->rdi, t, 0) == 0;
}

SEC("uprobe.s") int uprobe_copy_task_not_task(struct pt_regs *ctx)
{
	char buf[8];

	return bpf_copy_from_user_task(buf, sizeof(buf), (void *)ctx->rdi, (void *)ctx, 0) == 0;
}

/* ---- syscall programs: the bpf() system call ---- */
SEC("syscall") int syscall_sys_bpf(void *ctx)
{
	union bpf_attr attr = {};

	(void)ctx;
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	return bpf_sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr)) < 0;
}
