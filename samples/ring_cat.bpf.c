// SPDX-License-Identifier: MIT
/*
 * ring_cat - cat through read(open()) chains: for each --arg path in turn
 * it queues openat, reads the returned descriptor block by block, writes
 * each block to fixed file 0, and closes the descriptor; the fd openat
 * returns feeds the next SQE, which plain io_uring cannot express.
 *
 *   bpfload ring_cat.bpf.o --ring OUT --arg a.txt --arg b.txt ...
 *
 * A path that cannot be opened (a file that vanished) is reported on CQ 0
 * (user_data = its --arg index, res = -errno) and skipped, like cat(1);
 * the request then completes with the first such error, else 0.  One SQE
 * is in flight at a time (the output is the files in order); blocks are
 * cat_cfg[0] bytes (0: 64 KiB).
 */
#include <bpfkit/iouring.h>

IOURING_ENV_MAP;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cat_cfg SEC(".maps");

enum {
	ST_OPEN,
	ST_READ,
	ST_WRITE,
	ST_CLOSE
};

struct cat_state {
	__u32 file;  /* --arg index */
	__u32 state; /* what the SQE in flight does */
	__s32 fd;    /* of the open file */
	__s32 error; /* first error */
	__u32 len;   /* bytes of the write in flight */
	__u32 done;  /* bytes of it written */
	__u64 bytes; /* written in all */
	__u64 files; /* files opened */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cat_state);
} cat_state SEC(".maps");

static __u32 block_size(void)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&cat_cfg, &k);

	return v && *v ? (__u32)*v : 65536;
}

/* Queues the next step of file st->file; 1 when every file is done. */
static int step(struct io_uring_bpf_ctx *ctx, struct iouring_env *env, struct cat_state *st)
{
	__u32 bs = block_size();
	struct iouring_sqe sqe;

	if (bs > env->mem_size)
		return -22;
	switch (st->state) {
	case ST_OPEN:
		if (st->file >= env->nargs || st->file >= IOURING_ENV_ARGS)
			return 1;
		iouring_prep_openat(&sqe, AT_FDCWD, env->arg[st->file], 0 /* O_RDONLY */, 0);
		break;
	case ST_READ:
		iouring_prep_read(&sqe, st->fd, env->mem, bs, (__u64)-1);
		break;
	case ST_WRITE:
		iouring_prep_write_fixed(&sqe, 0, env->mem + st->done, st->len - st->done,
					 (__u64)-1);
		break;
	default:
		iouring_prep_close(&sqe, st->fd);
		break;
	}
	iouring_sqe_set_cq(&sqe, 1);
	if (iouring_queue(ctx, &sqe))
		return -16;
	ctx->wait_nr = 1;
	ctx->wait_idx = 1;
	return 0;
}

/* Moves st to the step after the completion c. */
static void advance(struct io_uring_bpf_ctx *ctx, struct cat_state *st, struct iouring_cqe *c)
{
	switch (st->state) {
	case ST_OPEN:
		if (c->res < 0) {
			iouring_emit_cqe(ctx, 0, st->file, c->res, 0);
			if (!st->error)
				st->error = c->res;
			st->file++;
			return;
		}
		st->fd = c->res;
		st->files++;
		st->state = ST_READ;
		return;
	case ST_READ:
		if (c->res <= 0) {
			if (c->res < 0 && !st->error)
				st->error = c->res;
			st->state = ST_CLOSE;
			return;
		}
		st->len = c->res;
		st->done = 0;
		st->state = ST_WRITE;
		return;
	case ST_WRITE:
		if (c->res <= 0) {
			if (!st->error)
				st->error = c->res ? c->res : -5;
			st->state = ST_CLOSE;
			return;
		}
		st->bytes += c->res;
		st->done += c->res;
		if (st->done >= st->len)
			st->state = ST_READ;
		return;
	default:
		st->file++;
		st->state = ST_OPEN;
		return;
	}
}

SEC("iouring")
int cat(struct io_uring_bpf_ctx *ctx)
{
	struct iouring_env *env = iouring_getenv();
	struct iouring_cqe c;
	struct cat_state *st;
	__u32 k = 0;
	int err;

	st = bpf_map_lookup_elem(&cat_state, &k);
	if (!st || !env)
		return -22;
	if (!iouring_reap(ctx, 1, &c))
		advance(ctx, st, &c);
	err = step(ctx, env, st);
	if (err == 1)
		return st->error;
	return err;
}

char LICENSE[] SEC("license") = "GPL";
