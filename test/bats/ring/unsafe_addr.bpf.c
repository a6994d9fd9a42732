// SPDX-License-Identifier: MIT
/* Unsafe: reads into memory just past the window bpfload registered.  The
 * verifier cannot know (the address is a number); the executor refuses the
 * SQE at iouring_queue_sqe and stops the program. */
#include <bpfkit/iouring.h>

IOURING_ENV_MAP;

SEC("iouring")
int bad_addr(struct io_uring_bpf_ctx *ctx)
{
	struct iouring_env *env = iouring_getenv();
	struct iouring_sqe sqe;

	if (!env)
		return -22;
	iouring_prep_read_fixed(&sqe, 0, env->mem + env->mem_size - 16, 64, 0);
	iouring_sqe_set_cq(&sqe, 1);
	iouring_queue(ctx, &sqe);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
