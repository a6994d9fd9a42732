// SPDX-License-Identifier: MIT
/*
 * type_sock.bpf.c - socket-level program types: cgroup/sock (create,
 * release, post_bind), cgroup sock_addr hooks (bind, connect, sendmsg,
 * recvmsg, getpeername, unix sockets), sockops, sk_msg, sk_reuseport,
 * sk_lookup, cgroup sockopt (get, set), sysctl and device programs: their
 * contexts by expected attach type, the sockets they reach, the helpers
 * only they may call, and the return values they must give.
 */
#include "corpus.h"
#include <linux/tcp.h>

#define SOL_SOCKET 1
#define SO_KEEPALIVE 9
#define SO_MARK 36
#define SOL_IP 0
#define SOL_TCP 6

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
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} reuse SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} sk_store SEC(".maps");

/* ---- cgroup/sock: struct bpf_sock ---- */
SEC("cgroup/sock_create") int sock_create(struct bpf_sock *sk)
{
	if (sk->family != 2 || sk->type != 1)
		return 1;
	sk->mark = 7;
	sk->priority = sk->protocol;
	sk->bound_dev_if = 0;
	return 1;
}

SEC("cgroup/sock_create") int sock_create_ret_2(struct bpf_sock *sk)
{
	return sk->family;
}

SEC("cgroup/sock_create") int sock_create_src_ip(struct bpf_sock *sk)
{
	return sk->src_ip4 != 0;
}

SEC("cgroup/sock_release") int sock_release_storage(struct bpf_sock *sk)
{
	__u64 *v = bpf_sk_storage_get(&sk_store, sk, 0, 0);

	return v ? *v != 0 : 1;
}

SEC("cgroup/post_bind4") int post_bind4(struct bpf_sock *sk)
{
	return sk->src_ip4 != 0 && sk->src_port > 1024 && *(__u16 *)&sk->dst_port == 0;
}

SEC("cgroup/post_bind4") int post_bind4_mark(struct bpf_sock *sk)
{
	return sk->mark == 0;
}

SEC("cgroup/post_bind4") int post_bind4_src_ip6(struct bpf_sock *sk)
{
	return sk->src_ip6[0] != 0;
}

SEC("cgroup/post_bind6") int post_bind6(struct bpf_sock *sk)
{
	return sk->src_ip6[3] != 0 && sk->state != 0;
}

SEC("cgroup/post_bind6") int post_bind6_write(struct bpf_sock *sk)
{
	sk->mark = 1;
	return 1;
}

SEC("cgroup/sock_create") int sock_create_narrow_family(struct bpf_sock *sk)
{
	return *((__u8 *)&sk->family + 1) == 0;
}

SEC("cgroup/sock_create") int sock_create_retval(struct bpf_sock *sk)
{
	(void)sk;
	bpf_set_retval(-1);
	return bpf_get_retval() == -1;
}

/* ---- cgroup sock_addr: struct bpf_sock_addr ---- */
SEC("cgroup/connect4") int connect4(struct bpf_sock_addr *ctx)
{
	struct sockaddr_in sa = {.sin_family = 2};

	if (ctx->user_port == bpf_htons(53))
		ctx->user_ip4 = bpf_htonl(0x7f000001);
	if (bpf_bind(ctx, (struct sockaddr *)&sa, sizeof(sa)))
		return 0;
	return ctx->protocol == 17;
}

SEC("cgroup/connect4") int connect4_user_ip6(struct bpf_sock_addr *ctx)
{
	return ctx->user_ip6[0] == 0;
}

SEC("cgroup/connect4") int connect4_ret_2(struct bpf_sock_addr *ctx)
{
	return ctx->user_port == 0 ? 2 : 1;
}

SEC("cgroup/bind4") int bind4_bind_helper(struct bpf_sock_addr *ctx)
{
	struct sockaddr_in sa = {.sin_family = 2};

	return bpf_bind(ctx, (struct sockaddr *)&sa, sizeof(sa)) == 0;
}

SEC("cgroup/connect6") int connect6(struct bpf_sock_addr *ctx)
{
	__u64 *ip6 = (__u64 *)&ctx->user_ip6[0];

	if (ctx->user_ip6[3] == bpf_htonl(1))
		*ip6 = 0;
	return *(__u16 *)&ctx->user_ip6[1] != 1;
}

SEC("cgroup/sendmsg4") int sendmsg4(struct bpf_sock_addr *ctx)
{
	ctx->msg_src_ip4 = ctx->user_ip4;
	return 1;
}

SEC("cgroup/sendmsg6") int sendmsg6(struct bpf_sock_addr *ctx)
{
	ctx->msg_src_ip6[3] = ctx->user_ip6[3];
	return 1;
}

SEC("cgroup/connect4") int connect4_msg_src(struct bpf_sock_addr *ctx)
{
	return ctx->msg_src_ip4 != 0;
}

SEC("cgroup/recvmsg4") int recvmsg4(struct bpf_sock_addr *ctx)
{
	ctx->user_ip4 = bpf_htonl(0x7f000001);
	return 1;
}

SEC("cgroup/recvmsg4") int recvmsg4_ret_0(struct bpf_sock_addr *ctx)
{
	return ctx->user_port == 0 ? 0 : 1;
}

SEC("cgroup/recvmsg4") int recvmsg4_retval(struct bpf_sock_addr *ctx)
{
	(void)ctx;
	return bpf_get_retval() == 0;
}

SEC("cgroup/getpeername4") int getpeername4(struct bpf_sock_addr *ctx)
{
	ctx->user_port = bpf_htons(80);
	return 1;
}

SEC("cgroup/connect_unix") int connect_unix(struct bpf_sock_addr *ctx)
{
	return ctx->user_family == 1 && ctx->type != 0;
}

SEC("cgroup/connect_unix") int connect_unix_ip4(struct bpf_sock_addr *ctx)
{
	return ctx->user_ip4 != 0;
}

SEC("cgroup/connect4") int connect4_sock(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	__u64 *v = bpf_sk_storage_get(&sk_store, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);

	if (v)
		*v = bpf_get_socket_cookie(ctx) ^ bpf_get_netns_cookie(ctx);
	return sk->family == 2;
}

SEC("cgroup/connect4") int connect4_lookup(struct bpf_sock_addr *ctx)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;

	t.ipv4.daddr = ctx->user_ip4;
	t.ipv4.dport = (__u16)ctx->user_port;
	sk = bpf_sk_lookup_tcp(ctx, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (sk)
		bpf_sk_release(sk);
	return 1;
}

SEC("cgroup/connect4") int connect4_lookup_leak(struct bpf_sock_addr *ctx)
{
	struct bpf_sock_tuple t = {};

	t.ipv4.daddr = ctx->user_ip4;
	return bpf_sk_lookup_udp(ctx, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0) != 0;
}

SEC("cgroup/connect4") int connect4_sockopt(struct bpf_sock_addr *ctx)
{
	int v = 1;

	if (bpf_setsockopt(ctx, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)))
		return 1;
	return bpf_getsockopt(ctx, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)) == 0;
}

/* ---- sockops: struct bpf_sock_ops ---- */
SEC("sockops") int sockops_rtt(struct bpf_sock_ops *ops)
{
	struct bpf_sock *sk = ops->sk;

	if (ops->op == BPF_SOCK_OPS_TCP_CONNECT_CB)
		bpf_sock_ops_cb_flags_set(ops, BPF_SOCK_OPS_RTT_CB_FLAG);
	ops->reply = ops->srtt_us > 1000;
	ops->sk_txhash = ops->bytes_received & 0xff;
	if (!sk)
		return 1;
	return sk->family == 2;
}

SEC("sockops") int sockops_write_op(struct bpf_sock_ops *ops)
{
	ops->op = 0;
	return 1;
}

SEC("sockops") int sockops_narrow(struct bpf_sock_ops *ops)
{
	return *(__u16 *)&ops->srtt_us != 0;
}

SEC("sockops") int sockops_tcp_flags(struct bpf_sock_ops *ops)
{
	return *(__u8 *)&ops->skb_tcp_flags & 1;
}

SEC("sockops") int sockops_hwtstamp(struct bpf_sock_ops *ops)
{
	/* skb_hwtstamp (Linux 6.2), after skb_tcp_flags */
	return *(__u64 *)((char *)&ops->skb_tcp_flags + 4) != 0;
}

SEC("sockops") int sockops_sk_unchecked(struct bpf_sock_ops *ops)
{
	return ops->sk->family == 2;
}

SEC("sockops") int sockops_map_update(struct bpf_sock_ops *ops)
{
	__u32 key = 0;

	if (ops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return 1;
	bpf_sock_map_update(ops, &socks, &key, BPF_ANY);
	bpf_sock_hash_update(ops, &sockhash, &key, BPF_ANY);
	return 1;
}

SEC("sockops") int sockops_hdr_opt(struct bpf_sock_ops *ops)
{
	__u8 opt[4] = {0xfd, 4, 0, 0};

	if (ops->op == BPF_SOCK_OPS_HDR_OPT_LEN_CB)
		return bpf_reserve_hdr_opt(ops, sizeof(opt), 0) == 0;
	if (ops->op == BPF_SOCK_OPS_WRITE_HDR_OPT_CB)
		return bpf_store_hdr_opt(ops, opt, sizeof(opt), 0) == 0;
	return bpf_load_hdr_opt(ops, opt, sizeof(opt), 0) > 0;
}

SEC("sockops") int sockops_skb_data(struct bpf_sock_ops *ops)
{
	void *data = (void *)(long)ops->skb_data, *end = (void *)(long)ops->skb_data_end;

	if (data + 20 > end)
		return 1;
	return ((struct tcphdr *)data)->syn;
}

SEC("sockops") int sockops_tcp_sock(struct bpf_sock_ops *ops)
{
	struct bpf_sock *sk = ops->sk;
	struct bpf_tcp_sock *tp;

	if (!sk)
		return 1;
	tp = bpf_tcp_sock(sk);
	if (!tp)
		return 1;
	return tp->bytes_acked > tp->snd_cwnd;
}

SEC("sockops") int sockops_ret_2(struct bpf_sock_ops *ops)
{
	return ops->op == 1 ? 2 : 1;
}

/* ---- sk_msg: struct sk_msg_md ---- */
SEC("sk_msg") int msg_verdict(struct sk_msg_md *msg)
{
	void *data = msg->data, *end = msg->data_end;

	if (data + 1 > end) {
		bpf_msg_pull_data(msg, 0, 1, 0);
		return SK_PASS;
	}
	*(__u8 *)data = 0;
	bpf_msg_apply_bytes(msg, msg->size);
	bpf_msg_cork_bytes(msg, 0);
	return bpf_msg_redirect_map(msg, &socks, 0, 0);
}

SEC("sk_msg") int msg_push_pop(struct sk_msg_md *msg)
{
	__u32 key = msg->remote_port;

	bpf_msg_push_data(msg, 0, 4, 0);
	bpf_msg_pop_data(msg, 0, 4, 0);
	return bpf_msg_redirect_hash(msg, &sockhash, &key, 0);
}

SEC("sk_msg") int msg_pkt_after_pull(struct sk_msg_md *msg)
{
	void *data = msg->data, *end = msg->data_end;

	if (data + 1 > end)
		return SK_PASS;
	bpf_msg_pull_data(msg, 0, 1, 0);
	return *(__u8 *)data & 1;
}

SEC("sk_msg") int msg_narrow(struct sk_msg_md *msg)
{
	return *(__u16 *)&msg->family == 2;
}

SEC("sk_msg") int msg_sk(struct sk_msg_md *msg)
{
	struct bpf_sock *sk = msg->sk;
	__u64 *v = bpf_sk_storage_get(&sk_store, sk, 0, 0);

	return v != 0 && sk->state != 0;
}

SEC("sk_msg") int msg_write_size(struct sk_msg_md *msg)
{
	msg->size = 0;
	return SK_PASS;
}

/* ---- sk_reuseport: struct sk_reuseport_md ---- */
SEC("sk_reuseport") int reuseport_select(struct sk_reuseport_md *md)
{
	__u32 key = md->hash & 3;

	if (md->ip_protocol != 6)
		return SK_PASS;
	return bpf_sk_select_reuseport(md, &reuse, &key, 0) ? SK_DROP : SK_PASS;
}

SEC("sk_reuseport") int reuseport_pkt(struct sk_reuseport_md *md)
{
	void *data = md->data, *end = md->data_end;
	__u8 b[2];

	if (data + 1 > end)
		return SK_PASS;
	if (bpf_skb_load_bytes(md, 0, b, sizeof(b)))
		return SK_DROP;
	return *(__u8 *)data == b[0] ? SK_PASS : SK_DROP;
}

SEC("sk_reuseport") int reuseport_narrow_eth_protocol(struct sk_reuseport_md *md)
{
	return *(__u8 *)&md->eth_protocol == 8;
}

SEC("sk_reuseport/migrate") int reuseport_migrating(struct sk_reuseport_md *md)
{
	struct bpf_sock *sk = md->migrating_sk;

	if (!sk)
		return SK_PASS;
	return sk->state == 10 ? SK_DROP : SK_PASS;
}

SEC("sk_reuseport") int reuseport_pkt_write(struct sk_reuseport_md *md)
{
	void *data = md->data, *end = md->data_end;

	if (data + 1 > end)
		return SK_PASS;
	*(__u8 *)data = 0;
	return SK_PASS;
}

/* ---- sk_lookup: struct bpf_sk_lookup ---- */
SEC("sk_lookup") int sk_lookup_assign(struct bpf_sk_lookup *ctx)
{
	struct bpf_sock *sk;
	__u32 key = 0;
	long err;

	if (ctx->local_port != 80 || ctx->protocol != 6)
		return SK_PASS;
	sk = bpf_map_lookup_elem(&socks, &key);
	if (!sk)
		return SK_DROP;
	err = bpf_sk_assign(ctx, sk, 0);
	bpf_sk_release(sk);
	return err ? SK_DROP : SK_PASS;
}

SEC("sk_lookup") int sk_lookup_assign_null(struct bpf_sk_lookup *ctx)
{
	return bpf_sk_assign(ctx, 0, BPF_SK_LOOKUP_F_NO_REUSEPORT) ? SK_DROP : SK_PASS;
}

SEC("sk_lookup") int sk_lookup_narrow(struct bpf_sk_lookup *ctx)
{
	return *((__u8 *)&ctx->remote_ip4 + 3) == 1 ? SK_DROP : SK_PASS;
}

SEC("sk_lookup") int sk_lookup_ret_2(struct bpf_sk_lookup *ctx)
{
	return ctx->family;
}

SEC("sk_lookup") int sk_lookup_sk(struct bpf_sk_lookup *ctx)
{
	struct bpf_sock *sk = ctx->sk;

	if (!sk)
		return SK_PASS;
	return sk->src_port == 80 ? SK_PASS : SK_DROP;
}

SEC("sk_lookup") int sk_lookup_write(struct bpf_sk_lookup *ctx)
{
	ctx->local_port = 0;
	return SK_PASS;
}

/* ---- cgroup sockopt: struct bpf_sockopt ---- */
SEC("cgroup/getsockopt") int getsockopt_retval(struct bpf_sockopt *ctx)
{
	__u8 *opt = ctx->optval, *end = ctx->optval_end;

	if (ctx->level != SOL_TCP || opt + 1 > end)
		return 1;
	*opt = 1;
	ctx->optlen = 1;
	asm volatile("" ::: "memory"); /* two stores of 4 bytes, not one of 8 */
	ctx->retval = 0;
	return 1;
}

/* clang merges the optlen and retval stores: an 8-byte context store */
SEC("cgroup/getsockopt") int getsockopt_merged_stores(struct bpf_sockopt *ctx)
{
	ctx->optlen = 1;
	ctx->retval = 0;
	return 1;
}

SEC("cgroup/getsockopt") int getsockopt_set_level(struct bpf_sockopt *ctx)
{
	ctx->level = SOL_IP;
	return 1;
}

SEC("cgroup/setsockopt") int setsockopt_rewrite(struct bpf_sockopt *ctx)
{
	struct bpf_sock *sk = ctx->sk;

	if (ctx->optname == 1) {
		ctx->level = SOL_IP;
		ctx->optlen = 0;
	}
	if (sk) {
		int mark = 7;

		bpf_setsockopt(sk, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
		bpf_getsockopt(sk, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
	}
	return 1;
}

/* here bpf_setsockopt works on the socket, not the context */
SEC("cgroup/setsockopt") int setsockopt_on_ctx(struct bpf_sockopt *ctx)
{
	int mark = 7;

	return bpf_setsockopt(ctx, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == 0;
}

/* the context is not memory a helper reads */
SEC("cgroup/setsockopt") int setsockopt_ctx_as_value(struct bpf_sockopt *ctx)
{
	struct bpf_sock *sk = ctx->sk;

	if (!sk)
		return 1;
	return bpf_setsockopt(sk, SOL_SOCKET, SO_MARK, &ctx->optlen, sizeof(int)) == 0;
}

SEC("cgroup/setsockopt") int setsockopt_retval(struct bpf_sockopt *ctx)
{
	return ctx->retval == 0;
}

SEC("cgroup/getsockopt") int getsockopt_setsockopt_helper(struct bpf_sockopt *ctx)
{
	int v = 1;

	return bpf_setsockopt(ctx, SOL_SOCKET, SO_MARK, &v, sizeof(v)) == 0;
}

/* ---- cgroup/sysctl: struct bpf_sysctl ---- */
SEC("cgroup/sysctl") int sysctl_name(struct bpf_sysctl *ctx)
{
	char name[32], value[16];
	long n;

	if (!ctx->write)
		return 1;
	if (bpf_sysctl_get_name(ctx, name, sizeof(name), 0) < 0)
		return 1;
	n = bpf_sysctl_get_new_value(ctx, value, sizeof(value));
	if (n > 0 && bpf_strtoul(value, sizeof(value), 0, (unsigned long *)&n) > 0)
		ctx->file_pos = 0;
	bpf_sysctl_get_current_value(ctx, value, sizeof(value));
	return bpf_sysctl_set_new_value(ctx, "1", 2) == 0;
}

SEC("cgroup/sysctl") int sysctl_write_write(struct bpf_sysctl *ctx)
{
	ctx->write = 0;
	return 1;
}

SEC("cgroup/sysctl") int sysctl_ret_2(struct bpf_sysctl *ctx)
{
	return ctx->write + 1;
}

/* ---- cgroup/dev: struct bpf_cgroup_dev_ctx ---- */
SEC("cgroup/dev") int dev_allow(struct bpf_cgroup_dev_ctx *ctx)
{
	__u16 type = ctx->access_type & 0xffff;

	return !(type == BPF_DEVCG_DEV_CHAR && ctx->major == 1 && ctx->minor == 3);
}

SEC("cgroup/dev") int dev_narrow_major(struct bpf_cgroup_dev_ctx *ctx)
{
	return *(__u16 *)&ctx->major == 1;
}

SEC("cgroup/dev") int dev_skb_helper(struct bpf_cgroup_dev_ctx *ctx)
{
	return bpf_get_socket_cookie(ctx) != 0;
}
