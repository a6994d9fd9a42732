// SPDX-License-Identifier: MIT
/*
 * ctx_skb.c - the struct __sk_buff context of socket filters, tc
 * (sched_cls, sched_act), cgroup_skb, lwt and sk_skb programs: the packet
 * in the run's frame below 4 GiB (data, data_end and data_meta are the
 * real 32-bit addresses, as for XDP), the fields filled as the kernel's
 * BPF_PROG_TEST_RUN fills them, the fields each type may load and store
 * (checked mode), and the skb helpers.
 *
 * As BPF_PROG_TEST_RUN: the input is an Ethernet frame; tc programs see
 * it from the MAC header, the other types from the network header (the
 * Ethernet header is pulled, so len is 14 bytes less); protocol is the
 * ethertype (network order, eth_type_trans's rules); pkt_type compares the
 * destination with the device's all-zero address (loopback: a group
 * address is MULTICAST); ifindex is 1; an IPv4 or IPv6 frame shorter than
 * its IP header is refused (-EINVAL); for types that see the network
 * header the Ethernet header reads as zeros (the test runs return it so).
 * Checksum helpers work on the bytes as the kernel does on a packet with
 * no checksum offload (CHECKSUM_NONE): BPF_F_RECOMPUTE_CSUM and the pseudo
 * header flag change nothing in the packet, so they are accepted and have
 * no effect.  bpf_get_hash_recalc hashes the packet's addresses with jhash
 * (the kernel's flow hash uses a random key: values differ).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "helper_def_int.h"
#include "vm_int.h"

enum {
	ETH_HLEN = 14,
	ETH_P_802_3_MIN = 0x600,
	ETH_P_IP = 0x800,
	ETH_P_IPV6 = 0x86dd,
	ETH_P_802_3 = 0x1,
	ETH_P_802_2 = 0x4,
	AF_INET_ = 2,
	AF_INET6_ = 10,
	TC_ACT_SHOT_ = 2,
	TC_ACT_REDIRECT_ = 7,
	XDP_ABORTED_ = 0,
	XDP_REDIRECT_ = 4,
	CSUM_MANGLED_0 = 0xffff,
	OVERFLOW_UID = 65534,
};

/* ---- which fields a program type may access (the kernel's
 * is_valid_access functions, measured on 6.18) ---------------------------- */

enum {
	C_SK = 1 << 0,	/* socket_filter */
	C_TC = 1 << 1,	/* sched_cls, sched_act */
	C_CG = 1 << 2,	/* cgroup_skb */
	C_LWT = 1 << 3, /* lwt_in, lwt_out, lwt_xmit, lwt_seg6local */
	C_SKB = 1 << 4, /* sk_skb */
	ALL = C_SK | C_TC | C_CG | C_LWT | C_SKB,
	PKT = C_TC | C_CG | C_LWT | C_SKB,
};

/* How an access may be sized: NARROW loads of 1, 2 or 4 aligned bytes and
 * 4-byte stores; WIDE (cb) 1 to 8 aligned bytes both ways; EXACT the
 * field's size only. */
enum {
	NARROW,
	WIDE,
	EXACT
};

struct skb_field {
	uint16_t off, end;
	uint8_t size, kind;
	uint8_t rd, wr; /* classes allowed */
};

// clang-format off
static const struct skb_field skb_fields[] = {
	/* off  end  size kind    read                   write */
	{0,   4,   4, NARROW, ALL,                  0},                 /* len */
	{4,   8,   4, NARROW, ALL,                  0},                 /* pkt_type */
	{8,   12,  4, NARROW, C_SK | C_TC | C_CG | C_LWT, C_TC | C_CG | C_LWT}, /* mark */
	{12,  16,  4, NARROW, ALL,                  C_TC},              /* queue_mapping */
	{16,  32,  4, NARROW, ALL,                  0},                 /* protocol, vlan_* */
	{32,  36,  4, NARROW, ALL,                  C_TC | C_CG | C_LWT | C_SKB}, /* priority */
	{36,  44,  4, NARROW, ALL,                  0},                 /* ingress_ifindex, ifindex */
	{44,  48,  4, NARROW, ALL,                  C_TC | C_SKB},      /* tc_index */
	{48,  68,  4, WIDE,   ALL,                  C_SK | C_TC | C_CG | C_LWT}, /* cb[5] */
	{68,  72,  4, NARROW, ALL,                  0},                 /* hash */
	{72,  76,  4, NARROW, C_TC,                 C_TC},              /* tc_classid */
	{76,  84,  4, EXACT,  PKT,                  0},                 /* data, data_end */
	{84,  88,  4, NARROW, ALL,                  0},                 /* napi_id */
	{88,  92,  4, NARROW, C_CG | C_SKB,         0},                 /* family */
	{92,  132, 4, EXACT,  C_CG | C_SKB,         0},                 /* remote/local ip4, ip6 */
	{132, 140, 4, NARROW, C_CG | C_SKB,         0},                 /* remote_port, local_port */
	{140, 144, 4, EXACT,  C_TC,                 0},                 /* data_meta */
	{152, 160, 8, EXACT,  C_TC | C_CG,          C_TC | C_CG},       /* tstamp */
	{160, 164, 4, NARROW, C_TC,                 0},                 /* wire_len */
	{164, 168, 4, NARROW, ALL,                  0},                 /* gso_segs */
	{168, 176, 8, EXACT,  ALL,                  0},                 /* sk */
	{176, 180, 4, NARROW, ALL,                  0},                 /* gso_size */
	{180, 181, 1, EXACT,  C_TC,                 0},                 /* tstamp_type */
	{184, 192, 8, EXACT,  C_TC | C_CG,          0},                 /* hwtstamp */
};
// clang-format on
_Static_assert(sizeof(struct __sk_buff) == 192, "struct __sk_buff layout");

static unsigned skb_class(enum bk_prog_type t)
{
	switch (t) {
	case BK_PROG_SOCKET_FILTER:
		return C_SK;
	case BK_PROG_SCHED_CLS:
	case BK_PROG_SCHED_ACT:
		return C_TC;
	case BK_PROG_CGROUP_SKB:
		return C_CG;
	case BK_PROG_LWT_IN:
	case BK_PROG_LWT_OUT:
	case BK_PROG_LWT_XMIT:
	case BK_PROG_LWT_SEG6LOCAL:
		return C_LWT;
	case BK_PROG_SK_SKB:
		return C_SKB;
	default:
		return 0;
	}
}

bool bk_vm_skb_type(enum bk_prog_type t)
{
	return skb_class(t) != 0;
}

bool bk_skb_access_ok(enum bk_prog_type t, uint32_t off, uint32_t size, bool write)
{
	unsigned c = skb_class(t);

	if (!size || off % size)
		return false;
	for (size_t i = 0; i < sizeof(skb_fields) / sizeof(skb_fields[0]); i++) {
		const struct skb_field *f = &skb_fields[i];

		if (off < f->off || off >= f->end)
			continue;
		if (!((write ? f->wr : f->rd) & c))
			return false;
		switch (f->kind) {
		case NARROW:
			if (write ? size != 4 : size > 4)
				return false;
			return (off - f->off) % 4 + size <= 4;
		case WIDE:
			return size <= 8 && off + size <= f->end;
		default:
			return size == f->size;
		}
	}
	return false;
}

/* ---- the context ------------------------------------------------------------- */

/* eth_type_trans: the ethertype, or the 802.3 / 802.2 protocols for a
 * length field (network order, as skb->protocol). */
static uint16_t eth_proto(const uint8_t *eth)
{
	uint16_t t = (uint16_t)(eth[12] << 8 | eth[13]);

	if (t >= ETH_P_802_3_MIN)
		return __builtin_bswap16(t);
	if (eth[14] == 0xff && eth[15] == 0xff)
		return __builtin_bswap16(ETH_P_802_3);
	return __builtin_bswap16(ETH_P_802_2);
}

/* eth_type_trans's pkt_type on the loopback device of the test runs,
 * whose address and broadcast address are zero: a group address is
 * MULTICAST (ff:ff:ff:ff:ff:ff too), another one OTHERHOST. */
static uint32_t eth_pkt_type(const uint8_t *eth)
{
	static const uint8_t zero[6];

	if (eth[0] & 1)
		return 2; /* PACKET_MULTICAST */
	return memcmp(eth, zero, 6) ? 3 /* OTHERHOST */ : 0 /* HOST */;
}

/* BPF_PROG_TEST_RUN's socket: the addresses of the IP header. */
static void sock_fields(struct __sk_buff *s, const uint8_t *net, size_t netlen)
{
	if (s->protocol == __builtin_bswap16(ETH_P_IP)) {
		s->family = AF_INET_;
		if (netlen >= 20) {
			memcpy(&s->local_ip4, net + 12, 4);
			memcpy(&s->remote_ip4, net + 16, 4);
		}
	} else if (s->protocol == __builtin_bswap16(ETH_P_IPV6)) {
		s->family = AF_INET6_;
		if (netlen >= 40) {
			memcpy(s->local_ip6, net + 8, 16);
			memcpy(s->remote_ip6, net + 24, 16);
		}
	}
}

int bk_vm_run__ctx_skb(struct bk_vm_run *run, const void *pkt, size_t len,
		       const struct bk_vm_skb_opts *opts)
{
	enum bk_prog_type t = BK_PROG_SCHED_CLS;
	struct __sk_buff *s;
	uint8_t *mac;
	bool l2;
	int err;

	if (opts && opts->sz >= offsetof(struct bk_vm_skb_opts, type) + sizeof(opts->type) &&
	    opts->type)
		t = opts->type;
	if (!skb_class(t))
		return -EINVAL;
	if (len && !pkt)
		return -EINVAL;
	if (len < ETH_HLEN)
		return -EINVAL;
	if (len > BK_VM_XDP_FRAME - BK_VM_XDP_HEADROOM - BK_VM_XDP_TAILROOM)
		return -E2BIG;
	/* the test runs refuse an IPv4 or IPv6 frame without its header */
	if ((eth_proto(pkt) == __builtin_bswap16(ETH_P_IP) && len < ETH_HLEN + 20) ||
	    (eth_proto(pkt) == __builtin_bswap16(ETH_P_IPV6) && len < ETH_HLEN + 40))
		return -EINVAL;
	err = bk_run_frame(run);
	if (err)
		return err;
	if (!run->skb) {
		run->skb = calloc(1, sizeof(*run->skb));
		if (!run->skb)
			return -ENOMEM;
	}
	memset(run->frame, 0, BK_VM_XDP_FRAME);
	mac = run->frame + BK_VM_XDP_HEADROOM;
	memcpy(mac, pkt, len);
	l2 = t == BK_PROG_SCHED_CLS || t == BK_PROG_SCHED_ACT;
	s = run->skb;
	memset(s, 0, sizeof(*s));
	s->data = (uint32_t)(uintptr_t)(l2 ? mac : mac + ETH_HLEN);
	s->data_end = (uint32_t)(uintptr_t)(mac + len);
	s->data_meta = s->data;
	s->len = s->data_end - s->data;
	s->wire_len = s->len;
	s->protocol = eth_proto(mac);
	s->pkt_type = eth_pkt_type(mac);
	s->ifindex = 1;
	if (t == BK_PROG_CGROUP_SKB || t == BK_PROG_SK_SKB)
		sock_fields(s, mac + ETH_HLEN, len - ETH_HLEN);
	if (!l2)
		memset(mac, 0, ETH_HLEN); /* the test runs return it zeroed */
	if (opts && opts->sz >= offsetof(struct bk_vm_skb_opts, tstamp) + sizeof(opts->tstamp)) {
		if (opts->ifindex)
			s->ifindex = opts->ifindex;
		s->ingress_ifindex = opts->ingress_ifindex;
		s->mark = opts->mark;
		s->priority = opts->priority;
		s->hash = opts->hash;
		s->tc_index = opts->tc_index;
		s->queue_mapping = opts->queue_mapping;
		memcpy(s->cb, opts->cb, sizeof(s->cb));
		s->tstamp = opts->tstamp;
	}
	run->skb_type = t;
	run->skb_mac = (uint32_t)(uintptr_t)mac;
	run->skb_net = (uint32_t)(uintptr_t)(mac + ETH_HLEN);
	run->ctx_kind = BK_CTX_SKB;
	run->sh.r1 = (uintptr_t)s;
	run->sh.r2 = 0;
	return 0;
}

const struct __sk_buff *bk_vm_run__skb(const struct bk_vm_run *run)
{
	return run->ctx_kind == BK_CTX_SKB ? run->skb : NULL;
}

const void *bk_vm_run__frame(const struct bk_vm_run *run, size_t *len)
{
	if (run->ctx_kind == BK_CTX_SKB) {
		*len = run->skb->data_end - run->skb_mac;
		return (const void *)(uintptr_t)run->skb_mac;
	}
	return bk_vm_run__packet(run, len);
}

/* ---- helpers ------------------------------------------------------------------- */

static struct __sk_buff *skb_of(struct bk_vm_run *run, uint64_t r1, const char *fn)
{
	if (run->ctx_kind != BK_CTX_SKB || (uintptr_t)run->skb != r1) {
		bk_vm_run__fault(run, BK_E_VM_HELPER_ARG, "%s: r1 is not the skb context", fn);
		return NULL;
	}
	return run->skb;
}

#define NEED_SKB(var)                                                                              \
	struct __sk_buff *var = skb_of(run, r1, __func__ + 2);                                     \
	if (!var)                                                                                  \
		return 0;

static uint8_t *skb_data(const struct __sk_buff *s)
{
	return (uint8_t *)(uintptr_t)s->data;
}

/* bpf_skb_load_bytes(skb, offset, to, len) */
HELPER(skb_load_bytes)
{
	uint32_t off = (uint32_t)r2;
	NEED_SKB(s);

	NEED_MEM(r3, r4, true, "buffer");
	if (off > 0xffff || (uint64_t)off + r4 > s->len) {
		memset((void *)(uintptr_t)r3, 0, r4);
		return (uint64_t)-EFAULT;
	}
	memcpy((void *)(uintptr_t)r3, skb_data(s) + off, r4);
	return 0;
}

/* bpf_skb_load_bytes_relative(skb, offset, to, len, start_header) */
HELPER(skb_load_bytes_relative)
{
	uint32_t off = (uint32_t)r2;
	uint64_t p;
	NEED_SKB(s);

	NEED_MEM(r3, r4, true, "buffer");
	if (r5 == BPF_HDR_START_MAC)
		p = run->skb_mac;
	else if (r5 == BPF_HDR_START_NET)
		p = run->skb_net;
	else
		p = 0;
	if (!p || off > 0xffff || p + off + r4 > s->data_end) {
		memset((void *)(uintptr_t)r3, 0, r4);
		return (uint64_t)-EFAULT;
	}
	memcpy((void *)(uintptr_t)r3, (const void *)(uintptr_t)(p + off), r4);
	return 0;
}

/* bpf_skb_store_bytes(skb, offset, from, len, flags) */
HELPER(skb_store_bytes)
{
	uint32_t off = (uint32_t)r2;
	NEED_SKB(s);

	if (r5 & ~(uint64_t)(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH))
		return (uint64_t)-EINVAL;
	if (off > INT32_MAX || (uint64_t)off + r4 > s->len)
		return (uint64_t)-EFAULT;
	NEED_MEM(r3, r4, false, "source");
	memmove(skb_data(s) + off, (const void *)(uintptr_t)r3, r4);
	if (r5 & BPF_F_INVALIDATE_HASH)
		s->hash = 0;
	return 0;
}

/* One's complement arithmetic as the kernel's csum_* helpers. */
static uint32_t csum_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;

	return r + (r < b);
}

static uint16_t csum_fold(uint32_t c)
{
	c = (c & 0xffff) + (c >> 16);
	c = (c & 0xffff) + (c >> 16);
	return (uint16_t)~c;
}

static uint16_t csum16_add(uint16_t c, uint16_t a)
{
	uint16_t r = (uint16_t)(c + a);

	return (uint16_t)(r + (r < a));
}

/* The checksum at off replaced for a change of from to to (size 2 or 4),
 * or by the difference to (size 0).  Values as the program holds them
 * (network order in memory), as the kernel computes. */
static void csum_replace(uint8_t *at, uint64_t from, uint64_t to, unsigned size)
{
	uint16_t sum;

	memcpy(&sum, at, 2);
	if (size == 2)
		sum = (uint16_t)~csum16_add(csum16_add((uint16_t)~sum, (uint16_t)~from),
					    (uint16_t)to);
	else if (size == 4)
		sum = csum_fold(csum_add(csum_add(~(uint32_t)sum, ~(uint32_t)from), (uint32_t)to));
	else
		sum = csum_fold(csum_add((uint32_t)to, ~(uint32_t)sum));
	memcpy(at, &sum, 2);
}

/* bpf_l3_csum_replace(skb, offset, from, to, flags) */
HELPER(l3_csum_replace)
{
	unsigned size = (unsigned)(r5 & BPF_F_HDR_FIELD_MASK);
	NEED_SKB(s);

	if (r5 & ~(uint64_t)BPF_F_HDR_FIELD_MASK)
		return (uint64_t)-EINVAL;
	if (r2 > 0xffff || (r2 & 1) || r2 + 2 > s->len)
		return (uint64_t)-EFAULT;
	if (size == 0 && r3)
		return (uint64_t)-EINVAL;
	if (size != 0 && size != 2 && size != 4)
		return (uint64_t)-EINVAL;
	csum_replace(skb_data(s) + r2, r3, r4, size);
	return 0;
}

/* bpf_l4_csum_replace(skb, offset, from, to, flags) */
HELPER(l4_csum_replace)
{
	const uint64_t ok = BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR |
			    BPF_F_HDR_FIELD_MASK | (1ull << 7) /* BPF_F_IPV6 */;
	unsigned size = (unsigned)(r5 & BPF_F_HDR_FIELD_MASK);
	bool mm0 = r5 & BPF_F_MARK_MANGLED_0;
	uint16_t sum;
	NEED_SKB(s);

	if (r5 & ~ok)
		return (uint64_t)-EINVAL;
	if (r2 > 0xffff || (r2 & 1) || r2 + 2 > s->len)
		return (uint64_t)-EFAULT;
	memcpy(&sum, skb_data(s) + r2, 2);
	if (mm0 && !(r5 & BPF_F_MARK_ENFORCE) && !sum)
		return 0;
	if (size == 0 && r3)
		return (uint64_t)-EINVAL;
	if (size != 0 && size != 2 && size != 4)
		return (uint64_t)-EINVAL;
	csum_replace(skb_data(s) + r2, r3, r4, size);
	memcpy(&sum, skb_data(s) + r2, 2);
	if (mm0 && !sum) {
		sum = CSUM_MANGLED_0;
		memcpy(skb_data(s) + r2, &sum, 2);
	}
	return 0;
}

/* bpf_skb_pull_data(skb, len): the packet is linear: 0 when len fits */
HELPER(skb_pull_data)
{
	NEED_SKB(s);
	return r2 > s->len ? (uint64_t)-ENOMEM : 0;
}

HELPER(get_hash_recalc)
{
	NEED_SKB(s);
	if (!s->hash) {
		const uint8_t *net = (const uint8_t *)(uintptr_t)run->skb_net;
		size_t n = s->data_end > run->skb_net ? s->data_end - run->skb_net : 0;

		s->hash = bk_jhash(net, n < 40 ? (uint32_t)n : 40, 0x5eed) | 1;
	}
	return s->hash;
}

HELPER(set_hash_invalid)
{
	NEED_SKB(s);
	s->hash = 0;
	return 0;
}

HELPER(set_hash)
{
	NEED_SKB(s);
	s->hash = (uint32_t)r2;
	return 0;
}

/* bpf_skb_change_type(skb, type): host, broadcast, multicast, otherhost */
HELPER(skb_change_type)
{
	NEED_SKB(s);
	if (s->pkt_type > 3 || r2 > 3)
		return (uint64_t)-EINVAL;
	s->pkt_type = (uint32_t)r2;
	return 0;
}

/* No CHECKSUM_COMPLETE sum to update. */
HELPER(csum_update)
{
	NEED_SKB(s);
	(void)s;
	return (uint64_t)-BK_ENOTSUPP;
}

HELPER(zero)
{
	return 0;
}

/* No socket: uid is the overflow uid. */
HELPER(get_socket_uid)
{
	return OVERFLOW_UID;
}

/* bpf_redirect(ifindex, flags): XDP_REDIRECT, or TC_ACT_REDIRECT */
HELPER(redirect)
{
	if (run->ctx_kind == BK_CTX_XDP)
		return r2 ? XDP_ABORTED_ : XDP_REDIRECT_;
	if (r2 & ~(uint64_t)BPF_F_INGRESS)
		return TC_ACT_SHOT_;
	run->redirect_ifindex = (uint32_t)r1;
	return TC_ACT_REDIRECT_;
}

/* bpf_clone_redirect(skb, ifindex, flags): the clone goes nowhere */
HELPER(clone_redirect)
{
	NEED_SKB(s);
	(void)s;
	if (r3 & ~(uint64_t)BPF_F_INGRESS)
		return (uint64_t)-EINVAL;
	return 0;
}

// clang-format off
static const struct { uint32_t id; bk_vm_helper_fn fn; } skb_helpers[] = {
	{BPF_FUNC_skb_store_bytes,		h_skb_store_bytes},
	{BPF_FUNC_l3_csum_replace,		h_l3_csum_replace},
	{BPF_FUNC_l4_csum_replace,		h_l4_csum_replace},
	{BPF_FUNC_clone_redirect,		h_clone_redirect},
	{BPF_FUNC_get_cgroup_classid,		h_zero},
	{BPF_FUNC_redirect,			h_redirect},
	{BPF_FUNC_get_route_realm,		h_zero},
	{BPF_FUNC_skb_load_bytes,		h_skb_load_bytes},
	{BPF_FUNC_skb_change_type,		h_skb_change_type},
	{BPF_FUNC_get_hash_recalc,		h_get_hash_recalc},
	{BPF_FUNC_skb_pull_data,		h_skb_pull_data},
	{BPF_FUNC_csum_update,			h_csum_update},
	{BPF_FUNC_get_socket_cookie,		h_zero},
	{BPF_FUNC_get_socket_uid,		h_get_socket_uid},
	{BPF_FUNC_set_hash_invalid,		h_set_hash_invalid},
	{BPF_FUNC_set_hash,			h_set_hash},
	{BPF_FUNC_skb_load_bytes_relative,	h_skb_load_bytes_relative},
};
// clang-format on

bk_vm_helper_fn bk_skb_helper(uint32_t id)
{
	for (size_t i = 0; i < sizeof(skb_helpers) / sizeof(skb_helpers[0]); i++)
		if (skb_helpers[i].id == id)
			return skb_helpers[i].fn;
	return NULL;
}
