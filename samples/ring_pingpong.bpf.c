// SPDX-License-Identifier: MIT
/*
 * ring_pingpong - two programs playing CQ ping-pong without any I/O:
 * `ping` posts n to CQ 2 and waits on CQ 1, `pong` waits on CQ 2 and
 * answers n + 1 on CQ 1, until the ball passes pingpong_cfg[0] (0: 100).
 * Each program counts the balls it received in `hits`; the one that sees
 * the last ball passes it on once more, so both complete, each with the
 * last number it received.
 *
 *   bpfload ring_pingpong.bpf.o --ring /dev/null --set pingpong_cfg:0=1000
 */
#include <bpfkit/iouring.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pingpong_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static int play(struct io_uring_bpf_ctx *ctx, __u32 me, __u32 mine, __u32 other)
{
	__u32 k = 0;
	__u64 *cfg = bpf_map_lookup_elem(&pingpong_cfg, &k), *h = bpf_map_lookup_elem(&hits, &me);
	__u64 rounds = cfg && *cfg ? *cfg : 100;
	struct iouring_cqe c;

	if (!h)
		return -22;
	if (ctx->wait_idx) { /* a ball arrived */
		if (iouring_reap(ctx, mine, &c))
			return -5;
		*h += 1;
		iouring_emit_cqe(ctx, other, c.user_data + 1, 0, 0);
		if (c.user_data >= rounds)
			return (int)c.user_data;
	} else if (me == 0) { /* ping serves */
		iouring_emit_cqe(ctx, other, 1, 0, 0);
	}
	ctx->wait_nr = 1;
	ctx->wait_idx = mine;
	return 0;
}

SEC("iouring")
int ping(struct io_uring_bpf_ctx *ctx)
{
	return play(ctx, 0, 1, 2);
}

SEC("iouring")
int pong(struct io_uring_bpf_ctx *ctx)
{
	return play(ctx, 1, 2, 1);
}

char LICENSE[] SEC("license") = "GPL";
