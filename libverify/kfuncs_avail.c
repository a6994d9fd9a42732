// SPDX-License-Identifier: MIT
/*
 * kfuncs_avail.c - may this program call that kfunc?  The target release
 * must have it (kernels.def) and the program's type must be one its set
 * is registered for (kfuncs_avail.def).  kfunc.c asks before it checks
 * a call's arguments.
 */
#include <string.h>

#include "verify_int.h"

/* Classes of program types for kfunc sets (finer than the helpers': the
 * kernel registers sets for sched_cls and not sched_act, for tracepoint
 * and not kprobe). */
enum {
	K_SOCK = 1u << 0,
	K_KPROBE = 1u << 1,
	K_TP = 1u << 2,
	K_RAWTP = 1u << 3,
	K_PERF = 1u << 4,
	K_CLS = 1u << 5,
	K_ACT = 1u << 6,
	K_XDP = 1u << 7,
	K_CGSKB = 1u << 8,
	K_CGSOCK = 1u << 9,
	K_LWT = 1u << 10,
	K_SOCKOPS = 1u << 11,
	K_SKSKB = 1u << 12,
	K_CGDEV = 1u << 13,
	K_SKMSG = 1u << 14,
	K_SOCKADDR = 1u << 15,
	K_REUSEPORT = 1u << 16,
	K_FLOW = 1u << 17,
	K_SYSCTL = 1u << 18,
	K_SOCKOPT = 1u << 19,
	K_SKLOOKUP = 1u << 20,
	K_SYSCALL = 1u << 21,
	K_NF = 1u << 22,
	K_TRACING = 1u << 23,
	K_ITER = 1u << 24,
	K_ALL = (1u << 25) - 1,
};

enum {
#define KSET(name, classes) KS_##name,
#include "kfuncs_avail.def"
};

static const uint32_t set_classes[] = {
#define KSET(name, classes) (classes),
#include "kfuncs_avail.def"
};

static const struct {
	const char *name;
	int set;
} kfuncs[] = {
#define KF(kfunc, set) {#kfunc, KS_##set},
#include "kfuncs_avail.def"
};

static uint32_t kclass(enum bk_prog_type type, uint32_t attach)
{
	switch (type) {
	case BK_PROG_SOCKET_FILTER:
		return K_SOCK;
	case BK_PROG_KPROBE:
		return K_KPROBE;
	case BK_PROG_TRACEPOINT:
		return K_TP;
	case BK_PROG_RAW_TRACEPOINT:
	case BK_PROG_RAW_TRACEPOINT_WRITABLE:
		return K_RAWTP;
	case BK_PROG_PERF_EVENT:
		return K_PERF;
	case BK_PROG_SCHED_CLS:
		return K_CLS;
	case BK_PROG_SCHED_ACT:
		return K_ACT;
	case BK_PROG_XDP:
		return K_XDP;
	case BK_PROG_CGROUP_SKB:
		return K_CGSKB;
	case BK_PROG_CGROUP_SOCK:
		return K_CGSOCK;
	case BK_PROG_LWT_IN:
	case BK_PROG_LWT_OUT:
	case BK_PROG_LWT_XMIT:
	case BK_PROG_LWT_SEG6LOCAL:
		return K_LWT;
	case BK_PROG_SOCK_OPS:
		return K_SOCKOPS;
	case BK_PROG_SK_SKB:
		return K_SKSKB;
	case BK_PROG_CGROUP_DEVICE:
		return K_CGDEV;
	case BK_PROG_SK_MSG:
		return K_SKMSG;
	case BK_PROG_CGROUP_SOCK_ADDR:
		return K_SOCKADDR;
	case BK_PROG_SK_REUSEPORT:
		return K_REUSEPORT;
	case BK_PROG_FLOW_DISSECTOR:
		return K_FLOW;
	case BK_PROG_CGROUP_SYSCTL:
		return K_SYSCTL;
	case BK_PROG_CGROUP_SOCKOPT:
		return K_SOCKOPT;
	case BK_PROG_SK_LOOKUP:
		return K_SKLOOKUP;
	case BK_PROG_SYSCALL:
		return K_SYSCALL;
	case BK_PROG_NETFILTER:
		return K_NF;
	case BK_PROG_TRACING:
		return attach == 28 /* BPF_TRACE_ITER */ ? K_ITER : K_TRACING;
	default:
		return K_ALL; /* bpfkit's own types: the kfuncs bpfkit runs */
	}
}

int vkfunc_check_avail(struct venv *env, const char *name)
{
	uint32_t since = vk_kfunc_since(name);
	char a[16], b[16];

	if (since > vk_target(env))
		return verr(env, BK_E_V_KFUNC,
			    "kernel function %s is new in Linux %s, the target is %s", name,
			    vk_str(since, a, sizeof(a)), vk_str(vk_target(env), b, sizeof(b)));
	for (size_t i = 0; i < sizeof(kfuncs) / sizeof(kfuncs[0]); i++) {
		if (strcmp(kfuncs[i].name, name))
			continue;
		if (!(set_classes[kfuncs[i].set] & kclass(env->in->type, env->in->attach_type)))
			return verr(env, BK_E_V_KFUNC, "calling kernel function %s is not allowed",
				    name);
		return 0;
	}
	return 0;
}
