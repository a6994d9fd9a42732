// SPDX-License-Identifier: MIT
/*
 * ctx.c - program types: which context r1 points to and who checks an
 * access to it (the per-type files ctx_skb.c, ctx_sock.c, ctx_trace.c,
 * btf_ctx.c), the field table engine they share, direct packet access,
 * legacy packet loads, and the values a program may return.
 *
 * The rules are the kernel's per-type is_valid_access() and
 * check_return_code() ones as Linux 6.18 applies them to a privileged
 * loader, measured field by field against the running kernel
 * (test/types/ctxsweep.c), plus bpfkit's own iouring and raw types.
 */
#include <linux/bpf.h>
#include <stddef.h>

#include "types_int.h"

struct io_uring_bpf_ctx_layout {
	uint64_t user_data;
	uint32_t wait_nr;
	uint32_t wait_idx;
};

bool field_access(const struct vfield *tab, size_t n, uint32_t cls, int off, int size, int t,
		  uint8_t *type, uint8_t *flags)
{
	for (size_t i = 0; i < n; i++) {
		const struct vfield *f = &tab[i];
		uint8_t sizes = t == V_READ ? f->rd : f->wr;
		uint32_t who = t == V_READ ? f->who : f->wwho;

		if (off < f->off || off >= f->end)
			continue;
		if (!(sizes & size) || (who && !(who & cls)) || off + size > f->end)
			continue;
		if (size == f->esz && (off - f->off) % f->esz)
			continue;
		if (size < f->esz && !(f->any & (t == V_READ ? 1 : 2)) && (off - f->off) % f->esz)
			continue;
		if (size == f->esz) {
			*type = f->type ? f->type : VT_SCALAR;
			*flags = f->vflags;
		}
		return true;
	}
	return false;
}

/* iouring: user_data read-only; wait_nr and wait_idx read-write, also
 * both at once (clang merges the two stores into one of 8 bytes). */
static bool iouring_valid(int off, int size, int t)
{
	typedef struct io_uring_bpf_ctx_layout C;

	if (off < 0 || off + size > (int)sizeof(C) || off % size)
		return false;
	if (off < (int)sizeof(uint64_t))
		return t == V_READ;
	return t == V_READ ? size <= 4 || size == 8 : size == 4 || size == 8;
}

int ctx_access_aux(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags,
		   int32_t *aux)
{
	bool ok;

	*type = VT_SCALAR;
	*flags = 0;
	*aux = 0;
	switch (env->in->type) {
	case BK_PROG_XDP:
		ok = xdp_ctx_valid(env, off, size, t, type, flags);
		break;
	case BK_PROG_SOCKET_FILTER:
	case BK_PROG_SCHED_CLS:
	case BK_PROG_SCHED_ACT:
	case BK_PROG_CGROUP_SKB:
	case BK_PROG_LWT_IN:
	case BK_PROG_LWT_OUT:
	case BK_PROG_LWT_XMIT:
	case BK_PROG_LWT_SEG6LOCAL:
	case BK_PROG_SK_SKB:
	case BK_PROG_FLOW_DISSECTOR:
		ok = skb_ctx_valid(env, off, size, t, type, flags);
		break;
	case BK_PROG_CGROUP_SOCK:
	case BK_PROG_SOCK_OPS:
	case BK_PROG_CGROUP_DEVICE:
	case BK_PROG_SK_MSG:
	case BK_PROG_CGROUP_SOCK_ADDR:
	case BK_PROG_SK_REUSEPORT:
	case BK_PROG_CGROUP_SYSCTL:
	case BK_PROG_CGROUP_SOCKOPT:
	case BK_PROG_SK_LOOKUP:
		ok = sock_ctx_valid(env, off, size, t, type, flags);
		break;
	case BK_PROG_KPROBE:
	case BK_PROG_TRACEPOINT:
	case BK_PROG_PERF_EVENT:
	case BK_PROG_RAW_TRACEPOINT:
	case BK_PROG_RAW_TRACEPOINT_WRITABLE:
	case BK_PROG_SYSCALL:
		ok = trace_ctx_valid(env, off, size, t, type, flags);
		break;
	case BK_PROG_TRACING:
	case BK_PROG_NETFILTER:
		return btf_ctx_access(env, off, size, t, type, flags, aux);
	case BK_PROG_IOURING:
		ok = iouring_valid(off, size, t);
		break;
	default:
		ok = false;
		break;
	}
	if (!ok && env->in->type == BK_PROG_SOCK_OPS && off >= 216 && off < 224 &&
	    !vk_has(env, VK_SOCKOPS_HWTSTAMP))
		return vk_require(env, VK_SOCKOPS_HWTSTAMP, BK_E_V_CTX_ACCESS,
				  "bpf_sock_ops.skb_hwtstamp");
	if (!ok)
		return verr(env, BK_E_V_CTX_ACCESS, "invalid bpf_context access off=%d size=%d",
			    off, size);
	return 0;
}

int ctx_access(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags)
{
	int32_t aux;

	return ctx_access_aux(env, off, size, t, type, flags, &aux);
}

/* Loads and stores through pointers to kernel objects (mem.c). */
int obj_access(struct venv *env, int regno, int off, int size, int t, int value_regno, bool sx)
{
	const struct vreg *r = &cur_regs(env)[regno];

	switch (r->type) {
	case VT_FLOW_KEYS:
		return flow_keys_access(env, regno, off, size, t, value_regno);
	case VT_TP_BUFFER:
		return tp_buffer_access(env, regno, off, size, t, value_regno);
	case VT_BTF_ID:
		return btf_ptr_access(env, regno, off, size, t, value_regno);
	default:
		if (sx && t == V_READ)
			return verr(env, BK_E_V_CTX_ACCESS, "invalid sign-extending load from R%d",
				    regno);
		return sock_obj_access(env, regno, off, size, t, value_regno);
	}
}

bool ctx_supported(enum bk_prog_type type)
{
	switch (type) {
	case BK_PROG_LIRC_MODE2: /* needs a lirc device; not in this model */
	case BK_PROG_STRUCT_OPS:
	case BK_PROG_EXT:
	case BK_PROG_LSM:
	case BK_PROG_UNSPEC:
		return false;
	default:
		return type <= BK_PROG__KERNEL_MAX || type == BK_PROG_IOURING ||
		       type == BK_PROG_RAW;
	}
}

/* The kernel's may_access_direct_pkt_data(): who may read (and write)
 * packet data through data/data_end pointers. */
bool prog_type_pkt_access(enum bk_prog_type type, int t)
{
	switch (type) {
	case BK_PROG_LWT_IN:
	case BK_PROG_LWT_OUT:
	case BK_PROG_LWT_SEG6LOCAL:
	case BK_PROG_SK_REUSEPORT:
	case BK_PROG_FLOW_DISSECTOR:
	case BK_PROG_CGROUP_SKB:
		return t == V_READ;
	case BK_PROG_SCHED_CLS:
	case BK_PROG_SCHED_ACT:
	case BK_PROG_XDP:
	case BK_PROG_LWT_XMIT:
	case BK_PROG_SK_SKB:
	case BK_PROG_SK_MSG:
	case BK_PROG_CGROUP_SOCKOPT:
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

/* Attach types newer than the installed uAPI headers. */
enum {
	AT_UNIX_RECVMSG = 51,
	AT_UNIX_GETPEERNAME = 52,
	AT_UNIX_GETSOCKNAME = 53,
};

/* The values R0 may hold at the entry function's exit, as the kernel's
 * check_return_code(); false when any value goes. */
static bool ret_range(struct venv *env, int64_t *lo, int64_t *hi)
{
	uint32_t at = env->in->attach_type;

	*lo = 0;
	*hi = 1;
	switch (env->in->type) {
	case BK_PROG_CGROUP_SKB:
		if (at == BPF_CGROUP_INET_EGRESS)
			*hi = 3;
		return true;
	case BK_PROG_CGROUP_SOCK_ADDR:
		if (at == BPF_CGROUP_UDP4_RECVMSG || at == BPF_CGROUP_UDP6_RECVMSG ||
		    at == BPF_CGROUP_INET4_GETPEERNAME || at == BPF_CGROUP_INET6_GETPEERNAME ||
		    at == BPF_CGROUP_INET4_GETSOCKNAME || at == BPF_CGROUP_INET6_GETSOCKNAME ||
		    at == AT_UNIX_RECVMSG || at == AT_UNIX_GETPEERNAME || at == AT_UNIX_GETSOCKNAME)
			*lo = 1;
		return true;
	case BK_PROG_CGROUP_SOCK:
	case BK_PROG_SOCK_OPS:
	case BK_PROG_CGROUP_DEVICE:
	case BK_PROG_CGROUP_SYSCTL:
	case BK_PROG_CGROUP_SOCKOPT:
	case BK_PROG_SK_LOOKUP:
	case BK_PROG_NETFILTER:
		return true;
	case BK_PROG_RAW_TRACEPOINT:
		return false;
	case BK_PROG_TRACING:
		if (at == BPF_TRACE_FENTRY || at == BPF_TRACE_FEXIT) {
			*hi = 0;
			return true;
		}
		return at == BPF_TRACE_ITER;
	case BK_PROG_KPROBE:
		return at == 56; /* BPF_TRACE_KPROBE_SESSION */
	default:
		return false;
	}
}

/* At the exit of the entry function (frame 0). */
int check_return_code(struct venv *env)
{
	struct vreg *r0 = &cur_regs(env)[0];
	int64_t lo, hi;
	char tb[48];

	if (r0->type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R0 !read_ok");
	if (env->subprogs[env->cur_subprog_root].global && env->cur_subprog_root &&
	    r0->type != VT_SCALAR)
		return verr(env, BK_E_V_RET_VALUE,
			    "At subprogram exit the register R0 is not a scalar value (%s)",
			    vtype_str(r0, tb, sizeof(tb)));
	if (env->cur_subprog_root || !ret_range(env, &lo, &hi))
		return 0;
	if (r0->type != VT_SCALAR)
		return verr(env, BK_E_V_RET_VALUE,
			    "At program exit the register R0 is not a known value (%s)",
			    vtype_str(r0, tb, sizeof(tb)));
	if (r0->smin < lo || r0->smax > hi)
		return verr(env, BK_E_V_RET_VALUE,
			    "At program exit the register R0 has smin=%lld smax=%lld should have "
			    "been in [%lld, %lld]",
			    (long long)r0->smin, (long long)r0->smax, (long long)lo, (long long)hi);
	return 0;
}
