/* SPDX-License-Identifier: MIT */
/*
 * helpers_int.h - helper prototypes in the verifier's terms (the kernel's
 * enum bpf_arg_type / bpf_return_type with the flags that change checks),
 * the classes of program types that may call a helper, and the checks of
 * the argument and return kinds beyond the basic ones (helper_args.c).
 *
 * The one table of helpers is helpers_tab.def: prototype, flags, who may call
 * each helper, and the rule when that depends on more than the type.
 */
#ifndef BK_HELPERS_INT_H
#define BK_HELPERS_INT_H

#include "verify_int.h"

enum varg {
	A_NONE = 0,	  /* not an argument: register not read */
	A_ANY,		  /* any initialised value */
	A_MAP,		  /* CONST_PTR_TO_MAP */
	A_KEY,		  /* key_size readable bytes */
	A_VALUE,	  /* value_size readable bytes */
	A_UNINIT_VALUE,	  /* value_size bytes the helper writes */
	A_CTX,		  /* the unmodified context */
	A_MEM_RO,	  /* readable memory, size in the next argument */
	A_MEM_RO_OR_NULL, /* same, or NULL */
	A_UNINIT_MEM,	  /* memory the helper writes, size next */
	A_SIZE,		  /* size > 0 */
	A_SIZE_OR_ZERO,	  /* size >= 0 */
	A_ALLOC_SIZE,	  /* constant size */
	A_RINGBUF_REL,	  /* a ring buffer record, released */
	A_MEM_RW,	  /* memory the helper reads and writes, size next */
	A_INT,		  /* 4 writable aligned bytes */
	A_LONG,		  /* 8 writable aligned bytes */
	/* checked in helper_args.c */
	A_EXT = 32,
	A_CTX_OR_NULL = A_EXT, /* the context, or NULL */
	A_SOCK_COMMON,	       /* ARG_PTR_TO_SOCK_COMMON */
	A_BTF_SOCK_COMMON,     /* ARG_PTR_TO_BTF_ID_SOCK_COMMON */
	A_SOCK_RELEASE,	       /* the same, a referenced socket released (sk_release) */
	A_SOCKET_OR_NULL,      /* ARG_PTR_TO_SOCKET_OR_NULL */
	A_BTF,		       /* ARG_PTR_TO_BTF_ID of struct barg */
	A_BTF_OR_NULL,	       /* the same, or NULL */
	A_CONST_STR,	       /* a NUL-terminated string in a read-only map */
	A_MAP_VALUE_OR_NULL,   /* value_size readable bytes, or NULL */
	A_RO20,		       /* 20 readable bytes (struct iphdr, struct tcphdr) */
	A_RO40,		       /* 40 readable bytes (struct ipv6hdr) */
	A_TIMER,	       /* the struct bpf_timer of a map value */
	A_TIMER_MAP,	       /* the map that timer's value belongs to */
	A_SPIN_LOCK,	       /* the struct bpf_spin_lock of a map value, taken (lock.c) */
	A_SPIN_UNLOCK,	       /* the same, released */
	A_ASYNC_FUNC,	       /* a static callback run later: the timer's (lock.c) */
	/* struct bpf_dynptr on the stack (dynptr.c) */
	A_DYNPTR,	     /* initialised, of any kind */
	A_DYNPTR_LOCAL_NEW,  /* uninitialised, becomes a local dynptr of map value memory */
	A_DYNPTR_RB_NEW,     /* uninitialised, becomes a ring buffer record (a reference) */
	A_DYNPTR_RB_RELEASE, /* a ring buffer dynptr, released */
};

enum vret {
	R_INT = 0,
	R_VOID,
	R_MAP_VALUE_OR_NULL,
	R_RINGBUF_OR_NULL,
	/* set in helper_args.c */
	R_EXT = 16,
	R_SOCKET_OR_NULL = R_EXT, /* HF_ACQUIRE: a new reference; else a cast keeping arg1's */
	R_TCP_SOCK_OR_NULL,
	R_SOCK_COMMON_OR_NULL,
	R_BTF_OR_NULL, /* struct bret, untrusted, may be NULL */
	R_BTF,	       /* struct bret, trusted */
	R_MAP_VALUE,   /* the map argument's value, never NULL */
	R_INT_BOUNDED, /* in [-MAX_ERRNO, size of the memory argument] */
	R_XDP_SOCK_OR_NULL,
	R_DYNPTR_MEM_OR_NULL, /* the dynptr argument's memory, of the constant size */
};

enum {
	HF_PKT = 1 << 0,     /* accepts packet pointers */
	HF_PKTCHG = 1 << 1,  /* may move the packet: packet pointers die */
	HF_GPL = 1 << 2,     /* GPL-compatible programs only */
	HF_SLEEP = 1 << 3,   /* might sleep: sleepable programs only */
	HF_ACQUIRE = 1 << 4, /* returns a referenced object */
	HF_CAST = 1 << 5,    /* returns arg1 as another type, with its reference */
};

/* Classes of program types that may call a helper (helpers_tab.def types). */
enum {
	PC_SOCK = 1u << 0,  /* socket_filter */
	PC_TRACE = 1u << 1, /* kprobe, tracepoint, raw_tracepoint(.w) */
	PC_PERF = 1u << 2,
	PC_TC = 1u << 3,
	PC_XDP = 1u << 4,
	PC_CGSKB = 1u << 5,
	PC_CGSOCK = 1u << 6,
	PC_LWTIN = 1u << 7,
	PC_LWTOUT = 1u << 8,
	PC_LWTXMIT = 1u << 9,
	PC_SEG6 = 1u << 10,
	PC_SOCKOPS = 1u << 11,
	PC_SKSKB = 1u << 12,
	PC_CGDEV = 1u << 13,
	PC_SKMSG = 1u << 14,
	PC_SOCKADDR = 1u << 15,
	PC_REUSEPORT = 1u << 16,
	PC_FLOW = 1u << 17,
	PC_SYSCTL = 1u << 18,
	PC_SOCKOPT = 1u << 19,
	PC_SKLOOKUP = 1u << 20,
	PC_SYSCALL = 1u << 21,
	PC_NF = 1u << 22,
	PC_TRACING = 1u << 23, /* tp_btf, fentry, fexit, fmod_ret */
	PC_ITER = 1u << 24,
	PC_BASE = (1u << 25) - 1, /* every kernel type */
};

/* Availability rules beyond the class (helpers_tab.def cond). */
enum {
	HC_NONE = 0,
	HC_CONNECT,    /* cgroup sock_addr: connect4/connect6 only */
	HC_RETVAL,     /* cgroup sock_addr: not recvmsg/getpeername/getsockname */
	HC_SETSOCKOPT, /* cgroup sockopt: setsockopt only */
	HC_TRAMPOLINE, /* tracing: fentry, fexit, fmod_ret only */
	HC_FEXIT,      /* tracing: fexit, fmod_ret only */
	HC_NOT_ITER,   /* tracing: not iterators */
	HC_D_PATH,     /* iterators, fentry/fexit of the kernel's d_path allowlist */
};

struct vhelper {
	uint32_t id;
	const char *name;
	uint8_t ret;
	uint8_t args[5];
	uint8_t flags;
	uint8_t cond;	  /* HC_* */
	uint32_t types;	  /* PC_* classes that may call it */
	const char *barg; /* struct of an A_BTF(_OR_NULL) argument */
	const char *bret; /* struct of an R_BTF(_OR_NULL) return value */
	bool proto;	  /* prototype recorded (else refused as unsupported) */
};

/* What the argument checks pass to the return value (helper_args.c). */
struct vcall_ext {
	uint32_t ref_obj_id; /* reference of a cast's argument */
	uint32_t mem_size;   /* A_ALLOC_SIZE: the constant size */
	uint32_t dyn_ref;    /* A_DYNPTR: its reference, or the id of a local one */
	int dyn_kind;	     /* A_DYNPTR: DYN_LOCAL, DYN_RINGBUF, DYN_SKB, DYN_XDP */
};

/* dynptr.c: a struct bpf_dynptr argument (A_DYNPTR*); 0 or a rejection. */
int check_dynptr_arg(struct venv *env, const struct vhelper *h, int regno, int a,
		     struct vcall_ext *ext);

/* helpers.c: is the helper there for this program (type, attach type,
 * sleepable, GPL, target release)?  0 or a rejection. */
int vhelper_check_avail(struct venv *env, const struct vhelper *h, int32_t imm);
/* The prototype the program's type sees (some helpers differ by type). */
void vhelper_resolve(struct venv *env, struct vhelper *h);
/* The return kind once the map argument is known: lookups in sockmaps
 * and sockhashes give a referenced socket, in xskmaps an xdp socket. */
void vhelper_resolve_ret(struct venv *env, struct vhelper *h, int map);
/* The kernel's check_map_func_compatibility(). */
bool vmap_func_ok(uint32_t map_type, uint32_t helper_id);

/* helper_args.c */
int check_arg_ext(struct venv *env, const struct vhelper *h, int i, int *map, uint32_t *release_id,
		  struct vcall_ext *ext);
int set_return_ext(struct venv *env, const struct vhelper *h, int map, uint64_t msize_max,
		   const struct vcall_ext *ext);

#endif
