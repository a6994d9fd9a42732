// SPDX-License-Identifier: MIT
/* Unsafe: an opcode off the whitelist (connect).  Refused at queue time. */
#include <bpfkit/iouring.h>

SEC("iouring")
int bad_opcode(struct io_uring_bpf_ctx *ctx)
{
	struct iouring_sqe sqe;

	iouring_prep(&sqe, IORING_OP_CONNECT, 0, 0, 0, 0);
	iouring_sqe_set_cq(&sqe, 1);
	iouring_queue(ctx, &sqe);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
