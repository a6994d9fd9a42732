// SPDX-License-Identifier: MIT
/*
 * ctx_sock.c - socket-level contexts: bpf_sock (cgroup/sock_*,
 * post_bind*), bpf_sock_addr (cgroup/bind*, connect*, sendmsg*, ...),
 * bpf_sock_ops, sk_msg_md, sk_reuseport_md, bpf_sk_lookup, bpf_sockopt,
 * bpf_sysctl and bpf_cgroup_dev_ctx; and the socket objects a program
 * reaches through them or through helpers (struct bpf_sock behind a
 * PTR_TO_SOCKET or PTR_TO_SOCK_COMMON, bpf_tcp_sock, bpf_xdp_sock).
 *
 * Field tables as measured on Linux 6.18 (test/types/ctxsweep.c); the
 * expected attach type selects the class a program reads them with.
 */
#include <linux/bpf.h>

#include "types_int.h"

/* bpf_sock classes: the cgroup_sock context by attach type, and the
 * socket objects. */
enum {
	K_CREATE = 1 << 0, /* cgroup/sock_create, cgroup/sock_release */
	K_PB4 = 1 << 1,	   /* cgroup/post_bind4 */
	K_PB6 = 1 << 2,	   /* cgroup/post_bind6 */
	K_SOCKET = 1 << 3, /* PTR_TO_SOCKET */
	K_COMMON = 1 << 4, /* PTR_TO_SOCK_COMMON */
};

// clang-format off
static const struct vfield sock_fields[] = {
/*	 off  end  esz rd      wr  any type  vflags who                                wwho      field */
	{0,   4,   4,  S4,     S4, 0,  0,    0,     K_CREATE | K_SOCKET | K_COMMON,     K_CREATE}, /* bound_dev_if */
	{4,   8,   4,  SN4,    0,  0,  0,    0,     0,                                  0},        /* family */
	{8,   16,  4,  SN4,    0,  0,  0,    0,     K_CREATE | K_PB4 | K_PB6 | K_SOCKET, 0},       /* type, protocol */
	{16,  24,  4,  S4,     S4, 0,  0,    0,     K_CREATE | K_SOCKET,                K_CREATE}, /* mark, priority */
	{24,  28,  4,  SN4,    0,  1,  0,    0,     K_PB4 | K_SOCKET | K_COMMON,        0},        /* src_ip4 */
	{28,  44,  4,  SN4,    0,  1,  0,    0,     K_PB6 | K_SOCKET | K_COMMON,        0},        /* src_ip6 */
	{44,  48,  4,  SN4,    0,  0,  0,    0,     K_PB4 | K_PB6 | K_SOCKET | K_COMMON, 0},       /* src_port */
	{48,  50,  2,  S1 | S2, 0, 1,  0,    0,     0,                                  0},        /* dst_port (be16) */
	{48,  52,  4,  S4,     0,  0,  0,    0,     0,                                  0},        /* dst_port and its padding */
	{52,  72,  4,  SN4,    0,  1,  0,    0,     0,                                  0},        /* dst_ip4, dst_ip6 */
	{72,  80,  4,  SN4,    0,  0,  0,    0,     0,                                  0},        /* state, rx_queue_mapping */
};

/* bpf_sock_addr classes, by attach type. */
enum {
	A_INET4 = 1 << 0, /* bind4, connect4, sendmsg4, recvmsg4, getpeername4, getsockname4 */
	A_INET6 = 1 << 1,
	A_UNIX = 1 << 2,  /* *_unix (Linux 6.7) */
	A_SEND4 = 1 << 3, /* sendmsg4 */
	A_SEND6 = 1 << 4, /* sendmsg6 */
};

static const struct vfield sock_addr_fields[] = {
/*	 off  end  esz rd   wr       any type       vflags who      wwho      field */
	{0,   4,   4,  S4,  0,       0,  0,         0,     0,       0},       /* user_family */
	{4,   8,   4,  SN4, S4,      1,  0,         0,     A_INET4, A_INET4}, /* user_ip4 */
	{8,   24,  4,  SN8, S4 | S8, 1,  0,         0,     A_INET6, A_INET6}, /* user_ip6[4] */
	{24,  28,  4,  SN4, S4,      1,  0,         0,     0,       0},       /* user_port */
	{28,  40,  4,  S4,  0,       0,  0,         0,     0,       0},       /* family, type, protocol */
	{40,  44,  4,  SN4, S4,      1,  0,         0,     A_SEND4, A_SEND4}, /* msg_src_ip4 */
	{44,  60,  4,  SN8, S4 | S8, 1,  0,         0,     A_SEND6, A_SEND6}, /* msg_src_ip6[4] */
	{64,  72,  8,  S8,  0,       0,  VT_SOCKET, 0,     0,       0},       /* sk */
};

enum {
	O_ALL = 1 << 0,
	O_HWTSTAMP = 1 << 1, /* skb_hwtstamp: Linux 6.2 */
};

static const struct vfield sock_ops_fields[] = {
/*	 off  end  esz rd   wr  any type        vflags   who         wwho  field */
	{0,   4,   4,  S4,  0,  0,  0,          0,       0,          0},   /* op */
	{4,   8,   4,  S4,  S4, 0,  0,          0,       0,          0},   /* reply / args[0] */
	{8,   164, 4,  S4,  0,  0,  0,          0,       0,          0},   /* args[1..3] .. sacked_out */
	{164, 168, 4,  S4,  S4, 0,  0,          0,       0,          0},   /* sk_txhash */
	{168, 184, 8,  S8,  0,  0,  0,          0,       0,          0},   /* bytes_received, bytes_acked */
	{184, 192, 8,  S8,  0,  0,  VT_SOCKET,  VF_NULL, 0,          0},   /* sk */
	{192, 200, 8,  S8,  0,  0,  VT_PKT,     0,       0,          0},   /* skb_data */
	{200, 208, 8,  S8,  0,  0,  VT_PKT_END, 0,       0,          0},   /* skb_data_end */
	{208, 212, 4,  S4,  0,  0,  0,          0,       0,          0},   /* skb_len */
	{212, 216, 4,  SN4, 0,  0,  0,          0,       0,          0},   /* skb_tcp_flags */
	{216, 224, 8,  S8,  0,  0,  0,          0,       O_HWTSTAMP, 0},   /* skb_hwtstamp */
};

static const struct vfield sk_msg_fields[] = {
/*	 off  end  esz rd   wr  any type        vflags   who  wwho  field */
	{0,   8,   8,  S8,  0,  0,  VT_PKT,     0,       0,   0},   /* data */
	{8,   16,  8,  S8,  0,  0,  VT_PKT_END, 0,       0,   0},   /* data_end */
	{16,  72,  4,  S4,  0,  0,  0,          0,       0,   0},   /* family .. size */
	{72,  80,  8,  S8,  0,  0,  VT_SOCKET,  0,       0,   0},   /* sk */
};

static const struct vfield reuseport_fields[] = {
/*	 off  end  esz rd       wr  any type            vflags   who  wwho  field */
	{0,   8,   8,  S8,      0,  0,  VT_PKT,         0,       0,   0},   /* data */
	{8,   16,  8,  S8,      0,  0,  VT_PKT_END,     0,       0,   0},   /* data_end */
	{16,  20,  4,  SN4,     0,  1,  0,              0,       0,   0},   /* len */
	{20,  24,  4,  S2 | S4, 0,  1,  0,              0,       0,   0},   /* eth_protocol */
	{24,  32,  4,  SN4,     0,  1,  0,              0,       0,   0},   /* ip_protocol, bind_inany */
	{32,  36,  4,  S4,      0,  0,  0,              0,       0,   0},   /* hash */
	{40,  48,  8,  S8,      0,  0,  VT_SOCKET,      0,       0,   0},   /* sk */
	{48,  56,  8,  S8,      0,  0,  VT_SOCK_COMMON, VF_NULL, 0,   0},   /* migrating_sk */
};

static const struct vfield sk_lookup_fields[] = {
/*	 off  end  esz rd   wr  any type       vflags   who  wwho  field */
	{0,   8,   8,  S8,  0,  0,  VT_SOCKET, VF_NULL, 0,   0},   /* sk */
	{8,   68,  4,  SN4, 0,  1,  0,         0,       0,   0},   /* family .. ingress_ifindex */
};

static const struct vfield sysctl_fields[] = {
/*	 off  end  esz rd   wr  any type  vflags who  wwho  field */
	{0,   4,   4,  SN4, 0,  1,  0,    0,     0,   0},   /* write */
	{4,   8,   4,  SN4, S4, 1,  0,    0,     0,   0},   /* file_pos */
};

enum {
	P_GET = 1 << 0, /* cgroup/getsockopt */
	P_SET = 1 << 1, /* cgroup/setsockopt */
};

static const struct vfield sockopt_fields[] = {
/*	 off  end  esz rd   wr  any type        vflags who    wwho   field */
	{0,   8,   8,  S8,  0,  0,  VT_SOCKET,  0,     0,     0},    /* sk */
	{8,   16,  8,  S8,  0,  0,  VT_PKT,     0,     0,     0},    /* optval */
	{16,  24,  8,  S8,  0,  0,  VT_PKT_END, 0,     0,     0},    /* optval_end */
	{24,  32,  4,  S4,  S4, 0,  0,          0,     0,     P_SET}, /* level, optname */
	{32,  36,  4,  S4,  S4, 0,  0,          0,     0,     0},    /* optlen */
	{36,  40,  4,  S4,  S4, 0,  0,          0,     P_GET, P_GET}, /* retval */
};

static const struct vfield cgroup_dev_fields[] = {
/*	 off  end  esz rd   wr  any type  vflags who  wwho  field */
	{0,   4,   4,  SN4, 0,  1,  0,    0,     0,   0},   /* access_type */
	{4,   12,  4,  S4,  0,  0,  0,    0,     0,   0},   /* major, minor */
};

static const struct vfield tcp_sock_fields[] = {
/*	 off  end  esz rd   wr  any type  vflags who  wwho  field */
	{0,   80,  4,  S4,  0,  0,  0,    0,     0,   0},   /* snd_cwnd .. sacked_out */
	{80,  96,  8,  S8,  0,  0,  0,    0,     0,   0},   /* bytes_received, bytes_acked */
	{96,  112, 4,  S4,  0,  0,  0,    0,     0,   0},   /* dsack_dups .. icsk_retransmits */
};

static const struct vfield xdp_sock_fields[] = {
	{0,   4,   4,  S4,  0,  0,  0,    0,     0,   0},   /* queue_id */
};
// clang-format on

/* Attach types newer than the installed uAPI headers. */
enum {
	AT_UNIX_CONNECT = 49,
	AT_UNIX_SENDMSG = 50,
	AT_UNIX_RECVMSG = 51,
	AT_UNIX_GETPEERNAME = 52,
	AT_UNIX_GETSOCKNAME = 53,
};

static uint32_t sock_addr_class(uint32_t at)
{
	switch (at) {
	case BPF_CGROUP_UDP4_SENDMSG:
		return A_INET4 | A_SEND4;
	case BPF_CGROUP_UDP6_SENDMSG:
		return A_INET6 | A_SEND6;
	case BPF_CGROUP_INET4_BIND:
	case BPF_CGROUP_INET4_CONNECT:
	case BPF_CGROUP_UDP4_RECVMSG:
	case BPF_CGROUP_INET4_GETPEERNAME:
	case BPF_CGROUP_INET4_GETSOCKNAME:
		return A_INET4;
	case BPF_CGROUP_INET6_BIND:
	case BPF_CGROUP_INET6_CONNECT:
	case BPF_CGROUP_UDP6_RECVMSG:
	case BPF_CGROUP_INET6_GETPEERNAME:
	case BPF_CGROUP_INET6_GETSOCKNAME:
		return A_INET6;
	default:
		return A_UNIX;
	}
}

static uint32_t sock_class(uint32_t at)
{
	switch (at) {
	case BPF_CGROUP_INET4_POST_BIND:
		return K_PB4;
	case BPF_CGROUP_INET6_POST_BIND:
		return K_PB6;
	default:
		return K_CREATE;
	}
}

bool sock_ctx_valid(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags)
{
	uint32_t at = env->in->attach_type;

	if (off < 0 || off % size)
		return false;
	switch (env->in->type) {
	case BK_PROG_CGROUP_SOCK:
		return field_access(FIELDS(sock_fields), sock_class(at), off, size, t, type, flags);
	case BK_PROG_CGROUP_SOCK_ADDR:
		return field_access(FIELDS(sock_addr_fields), sock_addr_class(at), off, size, t,
				    type, flags);
	case BK_PROG_SOCK_OPS:
		return field_access(FIELDS(sock_ops_fields),
				    O_ALL | (vk_has(env, VK_SOCKOPS_HWTSTAMP) ? O_HWTSTAMP : 0),
				    off, size, t, type, flags);
	case BK_PROG_SK_MSG:
		return field_access(FIELDS(sk_msg_fields), 1, off, size, t, type, flags);
	case BK_PROG_SK_REUSEPORT:
		return field_access(FIELDS(reuseport_fields), 1, off, size, t, type, flags);
	case BK_PROG_SK_LOOKUP:
		return field_access(FIELDS(sk_lookup_fields), 1, off, size, t, type, flags);
	case BK_PROG_CGROUP_SYSCTL:
		return field_access(FIELDS(sysctl_fields), 1, off, size, t, type, flags);
	case BK_PROG_CGROUP_SOCKOPT:
		return field_access(FIELDS(sockopt_fields),
				    at == BPF_CGROUP_GETSOCKOPT ? P_GET : P_SET, off, size, t, type,
				    flags);
	case BK_PROG_CGROUP_DEVICE:
		return field_access(FIELDS(cgroup_dev_fields), 1, off, size, t, type, flags);
	default:
		return false;
	}
}

/* Loads from a socket object (the kernel's check_sock_access). */
int sock_obj_access(struct venv *env, int regno, int off, int size, int t, int value_regno)
{
	struct vreg *regs = cur_regs(env), *r = &regs[regno];
	uint8_t type = VT_SCALAR, flags = 0;
	char tb[48];
	bool ok;

	vtype_str(r, tb, sizeof(tb));
	if (t == V_WRITE)
		return verr(env, BK_E_V_READONLY, "R%d cannot write into %s", regno, tb);
	if (r->smin < 0)
		return verr(env, BK_E_V_UNBOUNDED,
			    "R%d min value is negative, either use unsigned index or do a if "
			    "(index >=0) check.",
			    regno);
	if (off < 0 || off % size)
		ok = false;
	else if (r->type == VT_TCP_SOCK)
		ok = field_access(FIELDS(tcp_sock_fields), 1, off, size, t, &type, &flags);
	else if (r->type == VT_XDP_SOCK)
		ok = field_access(FIELDS(xdp_sock_fields), 1, off, size, t, &type, &flags);
	else
		ok = field_access(FIELDS(sock_fields), r->type == VT_SOCKET ? K_SOCKET : K_COMMON,
				  off, size, t, &type, &flags);
	if (!ok)
		return verr(env, BK_E_V_CTX_ACCESS, "R%d invalid %s access off=%d size=%d", regno,
			    tb, off, size);
	if (value_regno >= 0)
		reg_mark_unknown(&regs[value_regno]); /* mem.c narrows it to size */
	return 0;
}
