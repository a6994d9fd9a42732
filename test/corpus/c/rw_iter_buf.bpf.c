// SPDX-License-Identifier: MIT
/*
 * rw_iter_buf.bpf.c - map element iterators (bpftool-style map dumpers):
 * the key and value arrive as buffers the kernel sizes only when the
 * iterator is attached to a map, so any constant offset at or above 0 is
 * accepted at load; they may be NULL, the key is read-only, and a
 * variable offset is refused.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("iter/bpf_map_elem")
int iterbuf_dump(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u64 *val = ctx->value;

	if (!key || !val)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%u: %llu\n", *key, val[3]);
	val[1] = 7;
	return 0;
}

SEC("iter/bpf_map_elem")
int iterbuf_no_null_check(struct bpf_iter__bpf_map_elem *ctx)
{
	__u64 *val = ctx->value;

	return val[0] & 1;
}

SEC("iter/bpf_map_elem")
int iterbuf_key_write(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;

	if (!key)
		return 0;
	*key = 1;
	return 0;
}

SEC("iter/bpf_map_elem")
int iterbuf_var_off(struct bpf_iter__bpf_map_elem *ctx)
{
	__u8 *val = ctx->value;
	__u32 i = bpf_get_prandom_u32() & 7;

	if (!val)
		return 0;
	return val[i] & 1;
}

SEC("iter/bpf_sk_storage_map")
int iterbuf_sk_storage(struct bpf_iter__bpf_sk_storage_map *ctx)
{
	struct sock *sk = ctx->sk;
	__u64 *v = ctx->value;

	if (!sk || !v)
		return 0;
	*v += sk->sk_rcvbuf;
	return 0;
}

/* The buffers are memory to helpers too: the value written out whole by
 * bpf_seq_write, filled by a helper that writes; the read-only key may
 * not be a helper's output, and a maybe-NULL buffer is no memory yet. */
SEC("iter/bpf_map_elem")
int iterbuf_helper_read(struct bpf_iter__bpf_map_elem *ctx)
{
	char *val = ctx->value;

	if (!val)
		return 0;
	bpf_seq_write(ctx->meta->seq, val, 16);
	return 0;
}

SEC("iter/bpf_map_elem")
int iterbuf_helper_write_value(struct bpf_iter__bpf_map_elem *ctx)
{
	char *val = ctx->value;

	if (!val)
		return 0;
	return bpf_probe_read_kernel(val + 8, 8, ctx->map) ? 1 : 0;
}

SEC("iter/bpf_map_elem")
int iterbuf_helper_write_key(struct bpf_iter__bpf_map_elem *ctx)
{
	char *key = ctx->key;

	if (!key)
		return 0;
	return bpf_probe_read_kernel(key, 4, ctx->map) ? 1 : 0;
}

SEC("iter/bpf_map_elem")
int iterbuf_helper_maybe_null(struct bpf_iter__bpf_map_elem *ctx)
{
	bpf_seq_write(ctx->meta->seq, ctx->value, 8);
	return 0;
}
