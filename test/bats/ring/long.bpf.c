// SPDX-License-Identifier: MIT
/* Verified but long: a bounded loop of 20000 turns, more than a small
 * --budget allows per run. */
#include <bpfkit/iouring.h>

SEC("iouring")
int long_loop(struct io_uring_bpf_ctx *ctx)
{
	volatile __u32 n = 0;

	for (__u32 i = 0; i < 20000; i++)
		n += i;
	return n & 1;
}

char LICENSE[] SEC("license") = "GPL";
