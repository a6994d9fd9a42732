// SPDX-License-Identifier: MIT
/*
 * ring_fanout - fan-out reads reduced to one CQE: the first run reads the
 * first fanout_cfg[0] bytes (0: 4 KiB) of every --ring file at once, one
 * read each, and waits for all of them on CQ 1; the second run reaps the
 * completions, adds up the bytes and a checksum (the sum of the first
 * byte of each file, read back with bpf_copy_from_user) and posts one CQE
 * to CQ 0: user_data = the checksum, res = the total bytes.
 *
 *   bpfload ring_fanout.bpf.o --ring a --ring b --ring c
 *
 * Completes with the number of files read, or the first read error.
 */
#include <bpfkit/iouring.h>

IOURING_ENV_MAP;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} fanout_cfg SEC(".maps");

/* per file: bytes read */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IOURING_ENV_FILES);
	__type(key, __u32);
	__type(value, __u64);
} fanout_bytes SEC(".maps");

/* The first byte at buf (0 when len is 0). */
static __u64 first_byte(__u64 buf, __u64 len)
{
	__u8 b = 0;

	if (len && bpf_copy_from_user(&b, 1, (void *)buf))
		return 0;
	return b;
}

SEC("iouring")
int fanout(struct io_uring_bpf_ctx *ctx)
{
	struct iouring_env *env = iouring_getenv();
	__u32 k = 0, n;
	__u64 *cfg = bpf_map_lookup_elem(&fanout_cfg, &k), total = 0, sum = 0;
	__u64 bs = cfg && *cfg ? *cfg : 4096;
	struct iouring_sqe sqe;
	struct iouring_cqe c;
	int err = 0;

	if (!env || bs > 65536 || bs * IOURING_ENV_FILES > env->mem_size)
		return -22;
	n = env->nfiles < IOURING_ENV_FILES ? env->nfiles : IOURING_ENV_FILES;
	if (!ctx->wait_idx) { /* first run: fan out */
		for (__u32 i = 0; i < IOURING_ENV_FILES; i++) {
			if (i >= n)
				break;
			iouring_prep_read_fixed(&sqe, i, env->mem + i * bs, (__u32)bs, 0);
			iouring_sqe_set_data(&sqe, i);
			iouring_sqe_set_cq(&sqe, 1);
			if (iouring_queue(ctx, &sqe))
				return -16;
		}
		ctx->wait_nr = n;
		ctx->wait_idx = 1;
		return 0;
	}
	for (__u32 i = 0; i < IOURING_ENV_FILES; i++) { /* second run: reduce */
		__u64 *b;
		__u32 f;

		if (iouring_reap(ctx, 1, &c))
			break;
		if (c.res < 0) {
			err = err ? err : c.res;
			continue;
		}
		f = c.user_data & (IOURING_ENV_FILES - 1);
		b = bpf_map_lookup_elem(&fanout_bytes, &f);
		if (b)
			*b = c.res;
		total += c.res;
		sum += first_byte(env->mem + f * bs, c.res);
	}
	iouring_emit_cqe(ctx, 0, sum, (__s32)total, 0);
	return err ? err : (int)n;
}

char LICENSE[] SEC("license") = "GPL";
