/* SPDX-License-Identifier: MIT */
/*
 * helpers_int.h - helper prototypes in the verifier's terms (the kernel's
 * enum bpf_arg_type / bpf_return_type with the flags that change checks).
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
};

enum vret {
	R_INT = 0,
	R_VOID,
	R_MAP_VALUE_OR_NULL,
	R_RINGBUF_OR_NULL,
};

enum {
	HF_PKT = 1 << 0,    /* accepts packet pointers */
	HF_PKTCHG = 1 << 1, /* may move the packet: packet pointers die */
	HF_GPL = 1 << 2,
};

enum {
	PT_X = 1 << 0, /* xdp */
	PT_C = 1 << 1, /* sched_cls / sched_act */
	PT_S = 1 << 2, /* socket_filter */
};

struct vhelper {
	uint32_t id;
	const char *name;
	uint8_t ret;
	uint8_t args[5];
	uint8_t flags;
	uint8_t types;
	bool proto; /* prototype recorded */
};

#endif
