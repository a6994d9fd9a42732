// SPDX-License-Identifier: MIT
/*
 * ring_cp - copies fixed file 0 to fixed file 1 with qd reads in flight
 * (iouring_env.qd, at most 64), each slot copying blocks of cp_cfg[0]
 * bytes (0: 64 KiB) at offsets i * block, (i + qd) * block, ...
 *
 *   bpfload ring_cp.bpf.o --ring SRC --ring DST --qd 8
 *
 * A slot queues a read of its block linked to the write of the whole
 * block at the same offset; the read skips its CQE when it succeeds
 * (IOSQE_CQE_SKIP_SUCCESS), so a block copied costs one CQE, the write's.
 * A short read breaks the link: the kernel cancels the write without a
 * CQE and posts the read's, and the slot writes what the read returned,
 * then reads the rest of the block; a read that returns 0 is the end of
 * the file and retires the slot.  So the size need not be known and short
 * reads anywhere are handled.  Each run reaps every CQE on CQ 1 and
 * queues the follow-up SQEs, then waits until half the slots (qd / 2)
 * have completed: the other half keeps the kernel busy meanwhile, and a
 * batch of qd SQEs costs one io_uring_enter.  Completes with 0, or the
 * first error (a negative errno) once the I/O in flight has drained;
 * cp_state holds the bytes copied.
 */
#include <bpfkit/iouring.h>

#define MAX_QD 64
#define OP_READ 0
#define OP_WRITE 1

IOURING_ENV_MAP;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cp_cfg SEC(".maps");

struct slot {
	__u64 base; /* file offset of the block */
	__u32 got;  /* bytes of the block written so far */
	__u32 len;  /* bytes of the write in flight */
};

struct cp_state {
	__u64 next;  /* offset of the next block to hand out */
	__u64 bytes; /* bytes written */
	__u64 buf;   /* registered memory: qd buffers of block bytes */
	__u32 block, qd;
	__u32 inflight, started; /* inflight: CQEs to come */
	__s32 error;
	__u32 pad;
	struct slot slot[MAX_QD];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cp_state);
} cp_state SEC(".maps");

static __attribute__((always_inline)) long
queue_io(struct io_uring_bpf_ctx *ctx, struct cp_state *st, __u32 i, int op, __u64 off, __u32 len)
{
	__u64 buf = st->buf + (__u64)i * st->block + (off - st->slot[i & (MAX_QD - 1)].base);
	struct iouring_sqe sqe;

	if (op == OP_READ)
		iouring_prep_read_fixed(&sqe, 0, buf, len, off);
	else
		iouring_prep_write_fixed(&sqe, 1, buf, len, off);
	iouring_sqe_set_data(&sqe, (__u64)op << 8 | i);
	iouring_sqe_set_cq(&sqe, 1);
	if (iouring_queue(ctx, &sqe))
		return -1;
	st->inflight++;
	return 0;
}

/* Queues slot i's read of a whole block linked to its write: one CQE. */
static __attribute__((always_inline)) long queue_pair(struct io_uring_bpf_ctx *ctx,
						      struct cp_state *st, __u32 i, __u64 off)
{
	__u64 buf = st->buf + (__u64)i * st->block;
	struct iouring_sqe sqe;

	iouring_prep_read_fixed(&sqe, 0, buf, st->block, off);
	iouring_sqe_set_flags(&sqe, IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS);
	iouring_sqe_set_data(&sqe, (__u64)OP_READ << 8 | i);
	iouring_sqe_set_cq(&sqe, 1);
	if (iouring_queue(ctx, &sqe))
		return -1;
	iouring_prep_write_fixed(&sqe, 1, buf, st->block, off);
	iouring_sqe_set_data(&sqe, (__u64)OP_WRITE << 8 | i);
	iouring_sqe_set_cq(&sqe, 1);
	st->inflight++; /* the run's last SQE posts its CQE: if the write fails
			   to queue, the read's CQE comes */
	if (iouring_queue(ctx, &sqe))
		return -1;
	return 0;
}

/* Global functions (not static, like this one) are verified once, on
 * their own, with their arguments typed by their prototypes (a pointer may
 * be NULL): that keeps the verifier's work on the loops small. */

/* Starts the next block in slot i. */
__attribute__((noinline)) int cp_next(struct io_uring_bpf_ctx *ctx, struct cp_state *st, __u32 i)
{
	struct slot *s;

	if (!st)
		return 0;
	s = &st->slot[i & (MAX_QD - 1)];
	s->base = st->next;
	s->got = 0;
	s->len = st->block;
	st->next += st->block;
	if (queue_pair(ctx, st, i & (MAX_QD - 1), s->base) && !st->error)
		st->error = -16;
	return 0;
}

__attribute__((noinline)) int cp_start(struct io_uring_bpf_ctx *ctx, struct cp_state *st)
{
	struct iouring_env *env = iouring_getenv();
	__u32 k = 0;
	__u64 *bs = bpf_map_lookup_elem(&cp_cfg, &k);

	if (!env || !st)
		return -22;
	st->block = bs && *bs ? (__u32)*bs : 65536;
	st->qd = env->qd ? env->qd : 8;
	if (st->qd > MAX_QD)
		st->qd = MAX_QD;
	if ((__u64)st->qd * st->block > env->mem_size || env->nfiles < 2)
		return -22;
	st->buf = env->mem;
	st->started = 1;
	for (__u32 i = 0; i < MAX_QD; i++) {
		if (i >= st->qd)
			break;
		cp_next(ctx, st, i);
	}
	return 0;
}

/* One completion of slot i. */
__attribute__((noinline)) int cp_complete(struct io_uring_bpf_ctx *ctx, struct cp_state *st,
					  struct iouring_cqe *c)
{
	__u32 i;
	struct slot *s;
	__u64 at;

	if (!st || !c)
		return 0;
	i = c->user_data & (MAX_QD - 1);
	s = &st->slot[i];
	at = s->base + s->got;
	st->inflight--;
	if (c->res < 0) {
		if (!st->error)
			st->error = c->res;
		return 0;
	}
	if (st->error)
		return 0;
	if ((c->user_data >> 8) == OP_READ) { /* short, or unlinked */
		if (c->res == 0)
			return 0; /* end of file: the slot retires */
		s->len = c->res;
		queue_io(ctx, st, i, OP_WRITE, at, s->len);
		return 0;
	}
	s->got += c->res;
	st->bytes += c->res;
	if ((__u32)c->res < s->len) { /* short write: the rest of it */
		s->len -= c->res;
		queue_io(ctx, st, i, OP_WRITE, at + c->res, s->len);
	} else if (s->got < st->block) { /* after a short read: the rest of the block */
		queue_io(ctx, st, i, OP_READ, at + c->res, st->block - s->got);
	} else {
		cp_next(ctx, st, i);
	}
	return 0;
}

SEC("iouring")
int cp(struct io_uring_bpf_ctx *ctx)
{
	struct iouring_cqe c;
	struct cp_state *st;
	__u32 k = 0;
	int err;

	st = bpf_map_lookup_elem(&cp_state, &k);
	if (!st)
		return -22;
	if (!st->started && (err = cp_start(ctx, st)))
		return err;
	for (int n = 0; n < MAX_QD; n++) {
		if (iouring_reap(ctx, 1, &c))
			break;
		cp_complete(ctx, st, &c);
	}
	if (st->inflight) {
		__u32 half = st->qd / 2 ? st->qd / 2 : 1;

		ctx->wait_nr = st->inflight < half ? st->inflight : half;
		ctx->wait_idx = 1;
		return 0;
	}
	return st->error;
}

char LICENSE[] SEC("license") = "GPL";
