// SPDX-License-Identifier: MIT
/*
 * ctx.c - program types: the context each type's r1 points to (which
 * fields may be read or written, with which sizes, and which loads yield
 * packet pointers), direct packet access, legacy packet loads and return
 * values.  The rules are the kernel's per-type is_valid_access() rules
 * for xdp_md and __sk_buff, plus bpfkit's own iouring and raw types.
 */
#include <linux/bpf.h>
#include <stddef.h>

#include "verify_int.h"

#define OFFEND(T, f) (offsetof(T, f) + sizeof(((T *)0)->f))
#define IN(off, T, f) ((off) >= (int)offsetof(T, f) && (off) < (int)OFFEND(T, f))
#define INR(off, T, a, b) ((off) >= (int)offsetof(T, a) && (off) < (int)OFFEND(T, b))

struct io_uring_bpf_ctx_layout {
	uint64_t user_data;
	uint32_t wait_nr;
	uint32_t wait_idx;
};

static bool narrow_ok(int size, int size_default)
{
	return size <= size_default && !(size & (size - 1));
}

static bool xdp_valid(struct venv *env, int off, int size, int t, uint8_t *type)
{
	if (t == V_WRITE)
		return false;
	if (off < 0 || off >= (int)sizeof(struct xdp_md) || off % size || size != 4)
		return false;
	if (off == offsetof(struct xdp_md, egress_ifindex) &&
	    env->in->attach_type != BPF_XDP_DEVMAP)
		return false;
	if (off == offsetof(struct xdp_md, data))
		*type = VT_PKT;
	else if (off == offsetof(struct xdp_md, data_meta))
		*type = VT_PKT_META;
	else if (off == offsetof(struct xdp_md, data_end))
		*type = VT_PKT_END;
	return true;
}

/* The checks every __sk_buff type shares (bpf_skb_is_valid_access). */
static bool skb_valid(int off, int size, int t, uint8_t *type, uint8_t *flags)
{
	typedef struct __sk_buff S;

	if (off < 0 || off >= (int)sizeof(S) || off % size)
		return false;
	if (INR(off, S, cb[0], cb[4])) {
		if (off + size > (int)OFFEND(S, cb[4]))
			return false;
	} else if (INR(off, S, remote_ip6[0], remote_ip6[3]) ||
		   INR(off, S, local_ip6[0], local_ip6[3]) || IN(off, S, remote_ip4) ||
		   IN(off, S, local_ip4) || IN(off, S, data) || IN(off, S, data_meta) ||
		   IN(off, S, data_end)) {
		if (size != 4)
			return false;
	} else if (IN(off, S, flow_keys)) {
		return false;
	} else if (IN(off, S, hwtstamp)) {
		if (t == V_WRITE || size != 8)
			return false;
	} else if (IN(off, S, tstamp)) {
		if (size != 8)
			return false;
	} else if (off == offsetof(S, sk)) {
		if (t == V_WRITE || size != 8)
			return false;
		*type = VT_SOCK_COMMON;
		*flags = VF_NULL;
	} else if (off == offsetof(S, tstamp_type)) {
		return false;
	} else if (off >= (int)OFFEND(S, tstamp_type) && off < (int)offsetof(S, hwtstamp)) {
		return false;
	} else if (IN(off, S, sk)) {
		return false;
	} else {
		if (t == V_WRITE) {
			if (size != 4)
				return false;
		} else if (!narrow_ok(size, 4)) {
			return false;
		}
	}
	return true;
}

static bool tc_valid(int off, int size, int t, uint8_t *type, uint8_t *flags)
{
	typedef struct __sk_buff S;

	if (t == V_WRITE) {
		if (!(IN(off, S, mark) || IN(off, S, tc_index) || IN(off, S, priority) ||
		      IN(off, S, tc_classid) || INR(off, S, cb[0], cb[4]) || IN(off, S, tstamp) ||
		      IN(off, S, queue_mapping)))
			return false;
	}
	if (IN(off, S, data))
		*type = VT_PKT;
	else if (IN(off, S, data_meta))
		*type = VT_PKT_META;
	else if (IN(off, S, data_end))
		*type = VT_PKT_END;
	else if (INR(off, S, family, local_port))
		return false;
	else if (off == offsetof(S, tstamp_type))
		return size == 1 && t == V_READ;
	return skb_valid(off, size, t, type, flags);
}

static bool sk_filter_valid(int off, int size, int t, uint8_t *type, uint8_t *flags)
{
	typedef struct __sk_buff S;

	if (IN(off, S, tc_classid) || IN(off, S, data) || IN(off, S, data_meta) ||
	    IN(off, S, data_end) || INR(off, S, family, local_port) || IN(off, S, tstamp) ||
	    IN(off, S, wire_len) || IN(off, S, hwtstamp))
		return false;
	if (t == V_WRITE && !INR(off, S, cb[0], cb[4]))
		return false;
	return skb_valid(off, size, t, type, flags);
}

/* iouring: user_data read-only; wait_nr and wait_idx read-write, also
 * both at once (clang merges the two stores into one of 8 bytes). */
static bool iouring_valid(int off, int size, int t)
{
	typedef struct io_uring_bpf_ctx_layout C;

	if (off < 0 || off + size > (int)sizeof(C) || off % size)
		return false;
	if (IN(off, C, user_data))
		return t == V_READ;
	return t == V_READ ? narrow_ok(size, 4) || size == 8 : size == 4 || size == 8;
}

int ctx_access(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags)
{
	bool ok;

	*type = VT_SCALAR;
	*flags = 0;
	switch (env->in->type) {
	case BK_PROG_XDP:
		ok = xdp_valid(env, off, size, t, type);
		break;
	case BK_PROG_SCHED_CLS:
	case BK_PROG_SCHED_ACT:
		ok = tc_valid(off, size, t, type, flags);
		break;
	case BK_PROG_SOCKET_FILTER:
		ok = sk_filter_valid(off, size, t, type, flags);
		break;
	case BK_PROG_IOURING:
		ok = iouring_valid(off, size, t);
		break;
	default:
		ok = false;
		break;
	}
	if (!ok)
		return verr(env, BK_E_V_CTX_ACCESS, "invalid bpf_context access off=%d size=%d",
			    off, size);
	return 0;
}

bool ctx_supported(enum bk_prog_type type)
{
	switch (type) {
	case BK_PROG_XDP:
	case BK_PROG_SCHED_CLS:
	case BK_PROG_SCHED_ACT:
	case BK_PROG_SOCKET_FILTER:
	case BK_PROG_IOURING:
	case BK_PROG_RAW:
		return true;
	default:
		return false;
	}
}

bool prog_type_pkt_access(enum bk_prog_type type, int t)
{
	(void)t;
	switch (type) {
	case BK_PROG_SCHED_CLS:
	case BK_PROG_SCHED_ACT:
	case BK_PROG_XDP:
		return true;
	default:
		return false;
	}
}

bool prog_type_ld_abs(enum bk_prog_type type)
{
	return type == BK_PROG_SOCKET_FILTER || type == BK_PROG_SCHED_CLS ||
	       type == BK_PROG_SCHED_ACT;
}

/* At the exit of the entry function (frame 0). */
int check_return_code(struct venv *env)
{
	struct vreg *r0 = &cur_regs(env)[0];
	char tb[48];

	if (r0->type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R0 !read_ok");
	if (env->subprogs[env->cur_subprog_root].global && env->cur_subprog_root &&
	    r0->type != VT_SCALAR)
		return verr(env, BK_E_V_RET_VALUE,
			    "At subprogram exit the register R0 is not a scalar value (%s)",
			    vtype_str(r0, tb, sizeof(tb)));
	return 0;
}
