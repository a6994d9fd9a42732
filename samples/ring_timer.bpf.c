// SPDX-License-Identifier: MIT
/*
 * ring_timer - a counting timer: arms an io_uring timeout, and on each
 * expiry counts a tick in the map `ticks` (key 0), posts a CQE to the
 * application's CQ 0 (user_data = the tick number) and re-arms, until
 * timer_cfg[0] ticks have passed (0: forever, until the executor stops).
 * timer_cfg[1] is the interval in microseconds (0: 10 ms).
 *
 *   bpfload ring_timer.bpf.o --ring /dev/null --set timer_cfg:0=5
 *
 * The timespec the kernel reads must lie in registered memory: the
 * program writes it there with bpf_copy_to_user.  Completes with the
 * number of ticks.
 */
#include <bpfkit/iouring.h>

IOURING_ENV_MAP;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} timer_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ticks SEC(".maps");

struct ts {
	__s64 sec, nsec;
};

static __u64 cfg(__u32 key, __u64 dflt)
{
	__u64 *v = bpf_map_lookup_elem(&timer_cfg, &key);

	return v && *v ? *v : dflt;
}

SEC("iouring")
int timer(struct io_uring_bpf_ctx *ctx)
{
	struct iouring_env *env = iouring_getenv();
	__u64 limit = cfg(0, 0), us = cfg(1, 10000);
	struct iouring_sqe sqe;
	struct iouring_cqe cqe;
	struct ts ts;
	__u32 key = 0;
	__u64 *n;

	n = bpf_map_lookup_elem(&ticks, &key);
	if (!env || !n)
		return -22;
	if (ctx->wait_idx) { /* a later run: the timeout fired */
		if (iouring_reap(ctx, 1, &cqe))
			return -5;
		if (cqe.res != -62 /* -ETIME */)
			return cqe.res < 0 ? cqe.res : -5;
		__sync_fetch_and_add(n, 1);
		iouring_emit_cqe(ctx, 0, *n, 0, 0);
		if (limit && *n >= limit)
			return (int)*n;
	}
	ts.sec = us / 1000000;
	ts.nsec = (us % 1000000) * 1000;
	if (bpf_copy_to_user(env->mem, &ts, sizeof(ts)))
		return -14;
	iouring_prep_timeout(&sqe, env->mem, 0, 0);
	iouring_sqe_set_cq(&sqe, 1);
	if (iouring_queue(ctx, &sqe))
		return -16;
	ctx->wait_nr = 1;
	ctx->wait_idx = 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
