// SPDX-License-Identifier: MIT
/*
 * helpers.c - the kernel's helper functions as the verifier sees them:
 * the table of helpers_tab.def (prototypes and who may call each), whether a
 * call is allowed in the program at hand (type, attach type, sleepable,
 * license, target release), the prototypes that differ by program type,
 * and which map types go with which helpers.
 *
 * Helpers whose prototype is not recorded (proto false) are refused as
 * unsupported rather than guessed; availability is decided for them too.
 */
#include <linux/bpf.h>
#include <string.h>

#include "helpers_int.h"

#define MAX_HELPER 211

static const struct vhelper helpers[] = {
#define VH(id_, name_, ret_, a1, a2, a3, a4, a5, flags_, types_, cond_, barg_, bret_, proto_)      \
	{.id = (id_),                                                                              \
	 .name = "bpf_" #name_,                                                                    \
	 .ret = R_##ret_,                                                                          \
	 .args = {A_##a1, A_##a2, A_##a3, A_##a4, A_##a5},                                         \
	 .flags = (flags_),                                                                        \
	 .cond = HC_##cond_,                                                                       \
	 .types = (types_),                                                                        \
	 .barg = (barg_),                                                                          \
	 .bret = (bret_),                                                                          \
	 .proto = (proto_)},
#include "helpers_tab.def"
};

_Static_assert(sizeof(helpers) / sizeof(helpers[0]) == MAX_HELPER, "helpers_tab.def: ids 1..211");

const struct vhelper *vhelper_get(uint32_t id)
{
	if (id >= BK_HELPER_RING_BASE)
		return vring_helper_get(id);
	if (id < 1 || id > MAX_HELPER)
		return NULL;
	return &helpers[id - 1];
}

const char *vhelper_name(uint32_t id)
{
	const struct vhelper *h = vhelper_get(id);

	return h ? h->name : "helper";
}

/* The helpers.def class of a program (type and expected attach type). */
static uint32_t prog_class(enum bk_prog_type type, uint32_t attach)
{
	switch (type) {
	case BK_PROG_SOCKET_FILTER:
		return PC_SOCK;
	case BK_PROG_KPROBE:
	case BK_PROG_TRACEPOINT:
	case BK_PROG_RAW_TRACEPOINT:
	case BK_PROG_RAW_TRACEPOINT_WRITABLE:
		return PC_TRACE;
	case BK_PROG_PERF_EVENT:
		return PC_PERF;
	case BK_PROG_SCHED_CLS:
	case BK_PROG_SCHED_ACT:
		return PC_TC;
	case BK_PROG_XDP:
		return PC_XDP;
	case BK_PROG_CGROUP_SKB:
		return PC_CGSKB;
	case BK_PROG_CGROUP_SOCK:
		return PC_CGSOCK;
	case BK_PROG_LWT_IN:
		return PC_LWTIN;
	case BK_PROG_LWT_OUT:
		return PC_LWTOUT;
	case BK_PROG_LWT_XMIT:
		return PC_LWTXMIT;
	case BK_PROG_LWT_SEG6LOCAL:
		return PC_SEG6;
	case BK_PROG_SOCK_OPS:
		return PC_SOCKOPS;
	case BK_PROG_SK_SKB:
		return PC_SKSKB;
	case BK_PROG_CGROUP_DEVICE:
		return PC_CGDEV;
	case BK_PROG_SK_MSG:
		return PC_SKMSG;
	case BK_PROG_CGROUP_SOCK_ADDR:
		return PC_SOCKADDR;
	case BK_PROG_SK_REUSEPORT:
		return PC_REUSEPORT;
	case BK_PROG_FLOW_DISSECTOR:
		return PC_FLOW;
	case BK_PROG_CGROUP_SYSCTL:
		return PC_SYSCTL;
	case BK_PROG_CGROUP_SOCKOPT:
		return PC_SOCKOPT;
	case BK_PROG_SK_LOOKUP:
		return PC_SKLOOKUP;
	case BK_PROG_SYSCALL:
		return PC_SYSCALL;
	case BK_PROG_NETFILTER:
		return PC_NF;
	case BK_PROG_TRACING:
		return attach == BPF_TRACE_ITER ? PC_ITER : PC_TRACING;
	default:
		return 0;
	}
}

/* Attach types newer than the installed uAPI headers. */
enum {
	AT_UNIX_RECVMSG = 51,
	AT_UNIX_GETPEERNAME = 52,
	AT_UNIX_GETSOCKNAME = 53,
};

static bool cond_ok(uint8_t cond, uint32_t at)
{
	switch (cond) {
	case HC_CONNECT:
		return at == BPF_CGROUP_INET4_CONNECT || at == BPF_CGROUP_INET6_CONNECT;
	case HC_RETVAL:
		return at != BPF_CGROUP_UDP4_RECVMSG && at != BPF_CGROUP_UDP6_RECVMSG &&
		       at != BPF_CGROUP_INET4_GETPEERNAME && at != BPF_CGROUP_INET6_GETPEERNAME &&
		       at != BPF_CGROUP_INET4_GETSOCKNAME && at != BPF_CGROUP_INET6_GETSOCKNAME &&
		       at != AT_UNIX_RECVMSG && at != AT_UNIX_GETPEERNAME &&
		       at != AT_UNIX_GETSOCKNAME;
	case HC_SETSOCKOPT:
		return at != BPF_CGROUP_GETSOCKOPT;
	case HC_TRAMPOLINE:
		return at == BPF_TRACE_FENTRY || at == BPF_TRACE_FEXIT || at == BPF_MODIFY_RETURN;
	case HC_FEXIT:
		return at == BPF_TRACE_FEXIT || at == BPF_MODIFY_RETURN;
	case HC_NOT_ITER:
		return at != BPF_TRACE_ITER;
	case HC_D_PATH: /* the class decides here, d_path_allowed() later */
	default:
		return true;
	}
}

/* Whether a program of type (and attach type) may call h; ring helpers
 * belong to ring programs, and bpfkit's own types take the helpers every
 * kernel type has, except those that need a kernel context. */
static bool vhelper_allowed_at(const struct vhelper *h, enum bk_prog_type type, uint32_t attach)
{
	if (vring_helper_is_ring(h))
		return type == BK_PROG_IOURING;
	if (type == BK_PROG_IOURING || type == BK_PROG_RAW) {
		if (h->types != PC_BASE || h->cond)
			return false;
		for (int i = 0; i < 5; i++)
			if (h->args[i] == A_CTX || h->args[i] == A_CTX_OR_NULL)
				return false;
		return true;
	}
	return (h->types & prog_class(type, attach)) && cond_ok(h->cond, attach);
}

bool vhelper_allowed(const struct vhelper *h, enum bk_prog_type type)
{
	return vhelper_allowed_at(h, type, 0);
}

/* bpf_d_path: iterators, and fentry/fexit of the functions the kernel
 * lists (btf_allowlist_d_path). */
static bool d_path_allowed(struct venv *env)
{
	static const char *const allow[] = {
		"security_file_permission",
		"security_inode_getattr",
		"security_file_open",
		"security_path_truncate",
		"vfs_truncate",
		"vfs_fallocate",
		"dentry_open",
		"vfs_getattr",
		"filp_close",
	};
	uint32_t at = env->in->attach_type;

	if (at == BPF_TRACE_ITER)
		return true;
	if ((at != BPF_TRACE_FENTRY && at != BPF_TRACE_FEXIT) || !env->attach_to)
		return false;
	for (size_t i = 0; i < sizeof(allow) / sizeof(allow[0]); i++)
		if (!strcmp(allow[i], env->attach_to))
			return true;
	return false;
}

int vhelper_check_avail(struct venv *env, const struct vhelper *h, int32_t imm)
{
	char a[16], b[16];

	if (!h || (imm > MAX_HELPER && !vring_helper_is_ring(h)))
		return verr(env, BK_E_V_HELPER_UNKNOWN, "invalid func unknown#%d", imm);
	if (!vring_helper_is_ring(h) && vk_helper_since(h->id) > vk_target(env))
		return verr(env, BK_E_V_HELPER_UNKNOWN,
			    "invalid func unknown#%d (%s is new in Linux %s, the target is %s)",
			    imm, h->name, vk_str(vk_helper_since(h->id), a, sizeof(a)),
			    vk_str(vk_target(env), b, sizeof(b)));
	if (!vhelper_allowed_at(h, env->in->type, env->in->attach_type))
		return verr(env, BK_E_V_HELPER_TYPE, "program of this type cannot use helper %s#%d",
			    h->name, imm);
	if ((h->flags & HF_GPL) && !env->opts.gpl)
		return verr(env, BK_E_V_HELPER_GPL,
			    "cannot call GPL-restricted function from non-GPL compatible program");
	if (h->cond == HC_D_PATH && !d_path_allowed(env))
		return verr(env, BK_E_V_HELPER_TYPE, "helper call is not allowed in probe (%s#%d)",
			    h->name, imm);
	if ((h->flags & HF_SLEEP) && !env->sleepable)
		return verr(env, BK_E_V_HELPER_TYPE,
			    "helper call might sleep in a non-sleepable prog (%s#%d)", h->name,
			    imm);
	return 0;
}

void vhelper_resolve(struct venv *env, struct vhelper *h)
{
	uint32_t cls = prog_class(env->in->type, env->in->attach_type);
	bool btf_types = cls & (PC_SYSCALL | PC_TRACING | PC_ITER);

	switch (h->id) {
	case 17: /* bpf_get_cgroup_classid: the skb's for tc, the task's elsewhere */
		if (cls == PC_TC)
			h->args[0] = A_CTX;
		break;
	case 49: /* bpf_setsockopt, bpf_getsockopt: on ctx->sk in cgroup sockopt programs */
	case 57:
		if (cls == PC_SOCKOPT)
			h->args[0] = A_BTF_SOCK_COMMON;
		break;
	case 46: /* bpf_get_socket_cookie: a socket pointer where the context is none */
		if (btf_types)
			h->args[0] = A_BTF_SOCK_COMMON;
		break;
	case 107: /* bpf_sk_storage_get: the context's socket in cgroup/sock programs */
		if (cls == PC_CGSOCK)
			h->args[1] = A_CTX;
		break;
	case 124: /* bpf_sk_assign: sk_lookup's takes a socket or NULL */
		if (cls == PC_SKLOOKUP)
			h->args[1] = A_SOCKET_OR_NULL;
		break;
	case 188: /* bpf_xdp_get_buff_len: a struct xdp_buff pointer in tracing */
		if (btf_types) {
			h->args[0] = A_BTF;
			h->barg = "xdp_buff";
		}
		break;
	}
}

void vhelper_resolve_ret(struct venv *env, struct vhelper *h, int map)
{
	uint32_t mt = map >= 0 && (size_t)map < env->in->nmaps ? env->in->maps[map].type : 0;

	if (h->id != 1)
		return;
	if (mt == 15 || mt == 18) { /* sockmap, sockhash */
		h->ret = R_SOCKET_OR_NULL;
		h->flags |= HF_ACQUIRE;
	} else if (mt == 17) { /* xskmap */
		h->ret = R_XDP_SOCK_OR_NULL;
	}
}

/* Map types (the kernel's enum bpf_map_type). */
enum {
	MT_HASH = 1,
	MT_ARRAY = 2,
	MT_PROG_ARRAY = 3,
	MT_PERF_EVENT_ARRAY = 4,
	MT_PERCPU_HASH = 5,
	MT_PERCPU_ARRAY = 6,
	MT_STACK_TRACE = 7,
	MT_CGROUP_ARRAY = 8,
	MT_LRU_PERCPU_HASH = 10,
	MT_ARRAY_OF_MAPS = 12,
	MT_HASH_OF_MAPS = 13,
	MT_DEVMAP = 14,
	MT_SOCKMAP = 15,
	MT_CPUMAP = 16,
	MT_XSKMAP = 17,
	MT_SOCKHASH = 18,
	MT_CGROUP_STORAGE = 19,
	MT_REUSEPORT_SOCKARRAY = 20,
	MT_PERCPU_CGROUP_STORAGE = 21,
	MT_QUEUE = 22,
	MT_STACK = 23,
	MT_SK_STORAGE = 24,
	MT_DEVMAP_HASH = 25,
	MT_STRUCT_OPS = 26,
	MT_RINGBUF = 27,
	MT_INODE_STORAGE = 28,
	MT_TASK_STORAGE = 29,
	MT_BLOOM_FILTER = 30,
	MT_USER_RINGBUF = 31,
	MT_CGRP_STORAGE = 32,
};

#define IS(...) in_list(id, (const uint32_t[]){__VA_ARGS__, 0})

static bool in_list(uint32_t id, const uint32_t *l)
{
	for (; *l; l++)
		if (*l == id)
			return true;
	return false;
}

/* The helpers a map type may be passed to (when it restricts them). */
static int map_allows(uint32_t mt, uint32_t id)
{
	switch (mt) {
	case MT_PROG_ARRAY:
		return IS(12);
	case MT_PERF_EVENT_ARRAY:
		return IS(22, 25, 55, 111, 121);
	case MT_RINGBUF:
		return IS(130, 131, 134, 198);
	case MT_USER_RINGBUF:
		return IS(209);
	case MT_STACK_TRACE:
		return IS(27);
	case MT_CGROUP_ARRAY:
		return IS(33, 37);
	case MT_CGROUP_STORAGE:
	case MT_PERCPU_CGROUP_STORAGE:
		return IS(81);
	case MT_DEVMAP:
	case MT_DEVMAP_HASH:
	case MT_XSKMAP:
		return IS(51, 1);
	case MT_CPUMAP:
		return IS(51);
	case MT_ARRAY_OF_MAPS:
	case MT_HASH_OF_MAPS:
		return IS(1);
	case MT_SOCKMAP:
		return IS(1, 2, 3, 52, 53, 60, 82, 164);
	case MT_SOCKHASH:
		return IS(1, 2, 3, 70, 71, 72, 82, 164);
	case MT_REUSEPORT_SOCKARRAY:
		return IS(82);
	case MT_QUEUE:
	case MT_STACK:
		return IS(87, 88, 89);
	case MT_BLOOM_FILTER:
		return IS(87, 89);
	case MT_SK_STORAGE:
		return IS(107, 108);
	case MT_INODE_STORAGE:
		return IS(145, 146);
	case MT_TASK_STORAGE:
		return IS(156, 157);
	case MT_CGRP_STORAGE:
		return IS(210, 211);
	default:
		return -1; /* no restriction by the map */
	}
}

bool vmap_func_ok(uint32_t mt, uint32_t id)
{
	int m = map_allows(mt, id);

	if (m >= 0)
		return m;
	switch (id) {
	case 12:
		return mt == MT_PROG_ARRAY;
	case 22:
	case 25:
	case 55:
	case 111:
	case 121:
		return mt == MT_PERF_EVENT_ARRAY;
	case 27:
		return mt == MT_STACK_TRACE;
	case 130:
	case 131:
	case 134:
	case 198:
		return mt == MT_RINGBUF;
	case 209:
		return mt == MT_USER_RINGBUF;
	case 33:
	case 37:
		return mt == MT_CGROUP_ARRAY;
	case 51:
		return mt == MT_DEVMAP || mt == MT_DEVMAP_HASH || mt == MT_CPUMAP ||
		       mt == MT_XSKMAP;
	case 52:
	case 53:
	case 60:
		return mt == MT_SOCKMAP;
	case 70:
	case 71:
	case 72:
		return mt == MT_SOCKHASH;
	case 81:
		return mt == MT_CGROUP_STORAGE || mt == MT_PERCPU_CGROUP_STORAGE;
	case 82:
		return mt == MT_REUSEPORT_SOCKARRAY || mt == MT_SOCKMAP || mt == MT_SOCKHASH;
	case 87:
	case 89:
		return mt == MT_QUEUE || mt == MT_STACK || mt == MT_BLOOM_FILTER;
	case 88:
		return mt == MT_QUEUE || mt == MT_STACK;
	case 107:
	case 108:
		return mt == MT_SK_STORAGE;
	case 145:
	case 146:
		return mt == MT_INODE_STORAGE;
	case 156:
	case 157:
		return mt == MT_TASK_STORAGE;
	case 210:
	case 211:
		return mt == MT_CGRP_STORAGE;
	case 195:
		return mt == MT_PERCPU_ARRAY || mt == MT_PERCPU_HASH || mt == MT_LRU_PERCPU_HASH;
	default:
		return true;
	}
}
