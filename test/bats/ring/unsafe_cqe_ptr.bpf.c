// SPDX-License-Identifier: MIT
/* Unsafe: uses a field of a reaped CQE as a pointer.  The CQE buffer is
 * memory the helper wrote, so its fields are numbers: the verifier refuses
 * the dereference before anything runs. */
#include <bpfkit/iouring.h>

SEC("iouring")
int bad_cqe_ptr(struct io_uring_bpf_ctx *ctx)
{
	struct iouring_cqe cqe;

	if (iouring_reap(ctx, 1, &cqe))
		return 0;
	return *(int *)cqe.user_data;
}

char LICENSE[] SEC("license") = "GPL";
