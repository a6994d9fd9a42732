// SPDX-License-Identifier: MIT
/* Never completes in practice, yet verifies: bpf_loop runs a callback
 * 2^23 times that runs bpf_loop 2^23 times (2^46 turns).  Only the
 * instruction budget stops it. */
#include <bpfkit/iouring.h>

static long inner(__u64 i, void *arg)
{
	*(__u64 *)arg += i;
	return 0;
}

static long outer(__u64 i, void *arg)
{
	bpf_loop(1 << 23, inner, arg, 0);
	return 0;
}

SEC("iouring")
int forever(struct io_uring_bpf_ctx *ctx)
{
	__u64 sum = 0;

	bpf_loop(1 << 23, outer, &sum, 0);
	return sum & 1;
}

char LICENSE[] SEC("license") = "GPL";
