// SPDX-License-Identifier: MIT
/*
 * ctx_skb.c - the __sk_buff context of socket filters, tc (sched_cls,
 * sched_act), cgroup_skb, lwt_in/out/xmit/seg6local, sk_skb and
 * flow_dissector programs, and the xdp_md context of xdp programs.
 *
 * One table for __sk_buff: each field says which classes of programs may
 * load and store it (the kernel's per-type is_valid_access() functions
 * layered over bpf_skb_is_valid_access()), as measured on Linux 6.18 by
 * test/types/ctxsweep.c.  Loads of data, data_end, data_meta, sk and
 * flow_keys yield pointers.
 */
#include <linux/bpf.h>

#include "types_int.h"

/* Classes of __sk_buff programs. */
enum {
	C_SK = 1 << 0,	 /* socket_filter */
	C_TC = 1 << 1,	 /* sched_cls, sched_act */
	C_CG = 1 << 2,	 /* cgroup_skb */
	C_LWT = 1 << 3,	 /* lwt_in, lwt_out, lwt_xmit, lwt_seg6local */
	C_SKB = 1 << 4,	 /* sk_skb */
	C_FLOW = 1 << 5, /* flow_dissector */
	C_ALL5 = C_SK | C_TC | C_CG | C_LWT | C_SKB,
	C_PKT = C_TC | C_CG | C_LWT | C_SKB | C_FLOW,
};

// clang-format off
static const struct vfield skb_fields[] = {
/*	 off  end  esz rd   wr   any type           vflags   who                       wwho                  field */
	{0,   4,   4,  SN4, 0,   1,  0,             0,       C_ALL5,                   0},                   /* len */
	{4,   8,   4,  SN4, 0,   1,  0,             0,       C_ALL5,                   0},                   /* pkt_type */
	{8,   12,  4,  SN4, S4,  1,  0,             0,       C_SK | C_TC | C_CG | C_LWT, C_TC | C_CG | C_LWT}, /* mark */
	{12,  16,  4,  SN4, S4,  1,  0,             0,       C_ALL5,                   C_TC},                /* queue_mapping */
	{16,  32,  4,  SN4, 0,   1,  0,             0,       C_ALL5,                   0},                   /* protocol, vlan_* */
	{32,  36,  4,  SN4, S4,  1,  0,             0,       C_ALL5,                   C_TC | C_CG | C_LWT | C_SKB}, /* priority */
	{36,  44,  4,  SN4, 0,   1,  0,             0,       C_ALL5,                   0},                   /* ingress_ifindex, ifindex */
	{44,  48,  4,  SN4, S4,  1,  0,             0,       C_ALL5,                   C_TC | C_SKB},        /* tc_index */
	{48,  68,  4,  SN8, SN8, 3,  0,             0,       C_ALL5,                   C_SK | C_TC | C_CG | C_LWT}, /* cb[5] */
	{68,  72,  4,  SN4, 0,   1,  0,             0,       C_ALL5,                   0},                   /* hash */
	{72,  76,  4,  SN4, S4,  1,  0,             0,       C_TC,                     C_TC},                /* tc_classid */
	{76,  80,  4,  S4,  0,   0,  VT_PKT,        0,       C_PKT,                    0},                   /* data */
	{80,  84,  4,  S4,  0,   0,  VT_PKT_END,    0,       C_PKT,                    0},                   /* data_end */
	{84,  88,  4,  SN4, 0,   1,  0,             0,       C_ALL5,                   0},                   /* napi_id */
	{88,  92,  4,  SN4, 0,   1,  0,             0,       C_CG | C_SKB,             0},                   /* family */
	{92,  132, 4,  S4,  0,   0,  0,             0,       C_CG | C_SKB,             0},                   /* remote/local ip4, ip6 */
	{132, 140, 4,  SN4, 0,   1,  0,             0,       C_CG | C_SKB,             0},                   /* remote_port, local_port */
	{140, 144, 4,  S4,  0,   0,  VT_PKT_META,   0,       C_TC,                     0},                   /* data_meta */
	{144, 152, 8,  S8,  0,   0,  VT_FLOW_KEYS,  0,       C_FLOW,                   0},                   /* flow_keys */
	{152, 160, 8,  S8,  S8,  0,  0,             0,       C_TC | C_CG,              C_TC | C_CG},         /* tstamp */
	{160, 164, 4,  SN4, 0,   1,  0,             0,       C_TC,                     0},                   /* wire_len */
	{164, 168, 4,  SN4, 0,   1,  0,             0,       C_ALL5,                   0},                   /* gso_segs */
	{168, 176, 8,  S8,  0,   0,  VT_SOCK_COMMON, VF_NULL, C_ALL5,                  0},                   /* sk */
	{176, 180, 4,  SN4, 0,   1,  0,             0,       C_ALL5,                   0},                   /* gso_size */
	{180, 181, 1,  S1,  0,   0,  0,             0,       C_TC,                     0},                   /* tstamp_type */
	{184, 192, 8,  S8,  0,   0,  0,             0,       C_TC | C_CG,              0},                   /* hwtstamp */
};

enum {
	X_ALL = 1 << 0,
	X_DEVMAP = 1 << 1, /* expected attach type BPF_XDP_DEVMAP */
};

static const struct vfield xdp_fields[] = {
/*	 off  end  esz rd   wr   any type           vflags   who       wwho   field */
	{0,   4,   4,  S4,  0,   0,  VT_PKT,        0,       0,        0},    /* data */
	{4,   8,   4,  S4,  0,   0,  VT_PKT_END,    0,       0,        0},    /* data_end */
	{8,   12,  4,  S4,  0,   0,  VT_PKT_META,   0,       0,        0},    /* data_meta */
	{12,  20,  4,  S4,  0,   0,  0,             0,       0,        0},    /* ingress_ifindex, rx_queue_index */
	{20,  24,  4,  S4,  0,   0,  0,             0,       X_DEVMAP, 0},    /* egress_ifindex */
};
// clang-format on

static uint32_t skb_class(enum bk_prog_type type)
{
	switch (type) {
	case BK_PROG_SOCKET_FILTER:
		return C_SK;
	case BK_PROG_SCHED_CLS:
	case BK_PROG_SCHED_ACT:
		return C_TC;
	case BK_PROG_CGROUP_SKB:
		return C_CG;
	case BK_PROG_SK_SKB:
		return C_SKB;
	case BK_PROG_FLOW_DISSECTOR:
		return C_FLOW;
	default:
		return C_LWT;
	}
}

bool skb_ctx_valid(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags)
{
	if (off < 0 || off % size)
		return false;
	return field_access(FIELDS(skb_fields), skb_class(env->in->type), off, size, t, type,
			    flags);
}

bool xdp_ctx_valid(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags)
{
	uint32_t cls = X_ALL | (env->in->attach_type == BPF_XDP_DEVMAP ? X_DEVMAP : 0);

	if (off < 0 || off % size)
		return false;
	return field_access(FIELDS(xdp_fields), cls, off, size, t, type, flags);
}
