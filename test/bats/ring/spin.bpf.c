// SPDX-License-Identifier: MIT
/* Never completes: a loop without an end.  The verifier refuses it; run
 * unverified (--no-verify), the instruction budget stops it. */
#include <bpfkit/iouring.h>

SEC("iouring")
int spin(struct io_uring_bpf_ctx *ctx)
{
	volatile __u64 n = 0;

	for (;;)
		n++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
