/* SPDX-License-Identifier: MIT */
/*
 * bpfkit/iouring.h - ring programs for BPF C: programs that run as io_uring
 * requests in bpfkit's ring executor (libvm; `bpfload prog.o --ring ...`).
 *
 * The model is the 2021 io_uring BPF RFC's:
 *   - SEC("iouring") programs get a struct io_uring_bpf_ctx.  A run queues
 *     SQEs, emits CQEs to any CQ and reaps CQEs of its own CQs.  Setting
 *     ctx->wait_nr (reset to 0 before each run) asks to run again once CQ
 *     ctx->wait_idx holds wait_nr CQEs; leaving it 0 completes the request
 *     with the program's return value as the CQE's res.
 *   - CQ 0 is the application's; CQs 1..N belong to programs.  Each SQE
 *     names the CQ of its completion (iouring_sqe_set_cq).
 *   - IOSQE_CQE_SKIP_SUCCESS is allowed on an SQE linked (IOSQE_IO_LINK,
 *     not hardlink) to the next SQE the same run queues: the chain posts
 *     one CQE, its last SQE's or that of the first SQE that failed.  The
 *     last SQE of a run ends its chain and posts its CQE.
 *   - Buffers, paths and timespecs an SQE points to must lie in memory the
 *     executor registered for the program (bpfload: IOURING_ENV's mem);
 *     files are fixed files (bpfload: the --ring paths, 0, 1, ...) or
 *     descriptors the program's own openat or accept returned.
 *
 * Helper ids: the RFC numbered its helpers 164-167, numbers upstream Linux
 * has since given to other helpers (bpf_for_each_map_elem, bpf_snprintf,
 * ...).  bpfkit therefore keeps them in a range of its own, from 0x10000,
 * that no kernel helper will reach (libuapi/helpers.def, BK_RING_HELPER).
 * bpf_copy_from_user keeps the kernel's id 148 (libbpf declares it); the
 * executor limits it to registered memory.
 */
#ifndef BPFKIT_IOURING_H
#define BPFKIT_IOURING_H

#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#ifndef AT_FDCWD
#define AT_FDCWD -100
#endif

/* r1 of a ring program (the RFC's layout). */
struct io_uring_bpf_ctx {
	__u64 user_data; /* of the request that runs the program; read only */
	__u32 wait_nr;	 /* CQEs to wait for before the next run; 0: complete */
	__u32 wait_idx;	 /* the CQ to wait on (1..N) */
};

/* An SQE as ring programs build it: struct io_uring_sqe with bpfkit's CQ
 * index at byte 56 (the executor clears it before the kernel sees it). */
struct iouring_sqe {
	__u8 opcode;
	__u8 flags; /* IOSQE_FIXED_FILE, IOSQE_IO_LINK, ... */
	__u16 ioprio;
	__s32 fd;
	__u64 off;
	__u64 addr;
	__u32 len;
	__u32 op_flags; /* rw_flags, open_flags, timeout_flags, msg_flags, ... */
	__u64 user_data;
	__u16 buf_index;
	__u16 personality;
	__u32 file_index;
	__u64 addr3;
	__u32 cq;
	__u32 pad;
};

struct iouring_cqe {
	__u64 user_data;
	__s32 res;
	__u32 flags;
};

/* A BPF request: sqe->off is the program's index in the executor. */
#define IORING_OP_BPF 0xbf
/* cqe->flags of the CQE that completes a BPF request. */
#define IOURING_CQE_F_BPF (1u << 15)

/* ---- helpers --------------------------------------------------------------- */

/* Queues sqe (len: sizeof(struct iouring_sqe)).  0, or -ENOSPC when the
 * ring is full; an SQE breaking the executor's rules stops the program. */
static long (*const iouring_queue_sqe)(struct io_uring_bpf_ctx *ctx, const struct iouring_sqe *sqe,
				       __u32 len) = (void *)0x10000;
/* Posts a CQE to CQ cq (0: the application's).  0 or -EINVAL. */
static long (*const iouring_emit_cqe)(struct io_uring_bpf_ctx *ctx, __u32 cq, __u64 user_data,
				      __s32 res, __u32 flags) = (void *)0x10001;
/* Pops the oldest CQE of CQ cq into cqe (len >= 16).  0, or -ENOENT when
 * the CQ is empty (cqe is then zeroed). */
static long (*const iouring_reap_cqe)(struct io_uring_bpf_ctx *ctx, __u32 cq,
				      struct iouring_cqe *cqe, __u32 len) = (void *)0x10002;
/* Copies len bytes of src into registered memory at user_ptr.  0 or
 * -EFAULT.  (bpf_copy_from_user(dst, len, user_ptr) goes the other way.) */
static long (*const bpf_copy_to_user)(__u64 user_ptr, const void *src, __u32 len) = (void *)0x10003;

/* ---- SQE preparation --------------------------------------------------------- */

#define IOURING_INLINE static inline __attribute__((always_inline))

IOURING_INLINE void iouring_prep(struct iouring_sqe *s, __u8 op, __s32 fd, __u64 addr, __u32 len,
				 __u64 off)
{
	__builtin_memset(s, 0, sizeof(*s));
	s->opcode = op;
	s->fd = fd;
	s->addr = addr;
	s->len = len;
	s->off = off;
}

IOURING_INLINE void iouring_sqe_set_data(struct iouring_sqe *s, __u64 user_data)
{
	s->user_data = user_data;
}

IOURING_INLINE void iouring_sqe_set_cq(struct iouring_sqe *s, __u32 cq)
{
	s->cq = cq;
}

IOURING_INLINE void iouring_sqe_set_flags(struct iouring_sqe *s, __u8 flags)
{
	s->flags |= flags;
}

IOURING_INLINE void iouring_prep_nop(struct iouring_sqe *s)
{
	iouring_prep(s, IORING_OP_NOP, -1, 0, 0, 0);
}

/* Reads into registered memory at buf.  fd: a descriptor the program
 * opened; iouring_prep_read_fixed for a fixed file index. */
IOURING_INLINE void iouring_prep_read(struct iouring_sqe *s, __s32 fd, __u64 buf, __u32 len,
				      __u64 off)
{
	iouring_prep(s, IORING_OP_READ, fd, buf, len, off);
}

IOURING_INLINE void iouring_prep_read_fixed(struct iouring_sqe *s, __u32 file, __u64 buf, __u32 len,
					    __u64 off)
{
	iouring_prep(s, IORING_OP_READ, (__s32)file, buf, len, off);
	s->flags = IOSQE_FIXED_FILE;
}

IOURING_INLINE void iouring_prep_write(struct iouring_sqe *s, __s32 fd, __u64 buf, __u32 len,
				       __u64 off)
{
	iouring_prep(s, IORING_OP_WRITE, fd, buf, len, off);
}

IOURING_INLINE void iouring_prep_write_fixed(struct iouring_sqe *s, __u32 file, __u64 buf,
					     __u32 len, __u64 off)
{
	iouring_prep(s, IORING_OP_WRITE, (__s32)file, buf, len, off);
	s->flags = IOSQE_FIXED_FILE;
}

/* path: a NUL-terminated string in registered memory.  The CQE's res is
 * the new descriptor, which the program may then read, write and close. */
IOURING_INLINE void iouring_prep_openat(struct iouring_sqe *s, __s32 dirfd, __u64 path, __u32 flags,
					__u32 mode)
{
	iouring_prep(s, IORING_OP_OPENAT, dirfd, path, mode, 0);
	s->op_flags = flags;
}

IOURING_INLINE void iouring_prep_close(struct iouring_sqe *s, __s32 fd)
{
	iouring_prep(s, IORING_OP_CLOSE, fd, 0, 0, 0);
}

IOURING_INLINE void iouring_prep_fsync(struct iouring_sqe *s, __s32 fd, __u32 flags)
{
	iouring_prep(s, IORING_OP_FSYNC, fd, 0, 0, 0);
	s->op_flags = flags;
}

/* ts: a struct __kernel_timespec (16 bytes) in registered memory; fires
 * after ts (res -ETIME) or once count CQEs have posted. */
IOURING_INLINE void iouring_prep_timeout(struct iouring_sqe *s, __u64 ts, __u32 count, __u32 flags)
{
	iouring_prep(s, IORING_OP_TIMEOUT, -1, ts, 1, count);
	s->op_flags = flags;
}

IOURING_INLINE void iouring_prep_send(struct iouring_sqe *s, __s32 fd, __u64 buf, __u32 len,
				      __u32 flags)
{
	iouring_prep(s, IORING_OP_SEND, fd, buf, len, 0);
	s->op_flags = flags;
}

IOURING_INLINE void iouring_prep_recv(struct iouring_sqe *s, __s32 fd, __u64 buf, __u32 len,
				      __u32 flags)
{
	iouring_prep(s, IORING_OP_RECV, fd, buf, len, 0);
	s->op_flags = flags;
}

/* A BPF request: runs program prog of the executor; its completion goes
 * to CQ cq with user_data. */
IOURING_INLINE void iouring_prep_bpf(struct iouring_sqe *s, __u32 prog, __u32 cq, __u64 user_data)
{
	iouring_prep(s, IORING_OP_BPF, -1, 0, 0, prog);
	s->cq = cq;
	s->user_data = user_data;
}

IOURING_INLINE long iouring_queue(struct io_uring_bpf_ctx *ctx, struct iouring_sqe *s)
{
	return iouring_queue_sqe(ctx, s, sizeof(*s));
}

IOURING_INLINE long iouring_reap(struct io_uring_bpf_ctx *ctx, __u32 cq, struct iouring_cqe *c)
{
	return iouring_reap_cqe(ctx, cq, c, sizeof(*c));
}

/* ---- what bpfload --ring tells its programs ----------------------------------- */

#define IOURING_ENV_FILES 16
#define IOURING_ENV_ARGS 256

/* bpfload fills key 0 of an array map named iouring_env, when the object
 * has one (IOURING_ENV_MAP declares it), before the first run. */
struct iouring_env {
	__u64 mem; /* memory registered for the programs (--mem bytes, read-write) */
	__u64 mem_size;
	__u32 qd;			    /* --qd */
	__u32 nfiles;			    /* --ring paths: fixed files 0..nfiles-1 */
	__u32 nargs;			    /* --arg strings */
	__u32 ncqs;			    /* program CQs 1..ncqs */
	__u64 file_size[IOURING_ENV_FILES]; /* of each --ring file (a device's size), 0 unknown */
	__u64 arg[IOURING_ENV_ARGS];	    /* address of each --arg string (NUL-terminated,
					      * registered read-only) */
	__u32 arg_len[IOURING_ENV_ARGS];    /* its length without the NUL */
};

#define IOURING_ENV_MAP                                                                            \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY);                                                  \
		__uint(max_entries, 1);                                                            \
		__type(key, __u32);                                                                \
		__type(value, struct iouring_env);                                                 \
	} iouring_env SEC(".maps")

/* The environment, or NULL (check it: the verifier insists). */
#define iouring_getenv()                                                                           \
	({                                                                                         \
		__u32 iouring_k_ = 0;                                                              \
		(struct iouring_env *)bpf_map_lookup_elem(&iouring_env, &iouring_k_);              \
	})

#endif /* BPFKIT_IOURING_H */
