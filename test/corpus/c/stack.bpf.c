// SPDX-License-Identifier: MIT
/*
 * stack.bpf.c - the stack: variable-offset accesses, bounds, buffers
 * handed to helpers, spilled registers, the 512-byte frame.
 */
#include "corpus.h"

SEC("xdp") int var_index_masked(struct xdp_md *ctx)
{
	volatile unsigned char buf[16] = {};

	return buf[unknown32() & 15];
}

SEC("xdp") int var_index_too_far(struct xdp_md *ctx)
{
	volatile unsigned char buf[16] = {};

	return buf[unknown32() & 31];
}

SEC("xdp") int var_write_masked(struct xdp_md *ctx)
{
	volatile unsigned char buf[32] = {};

	buf[unknown32() & 31] = 1;
	return buf[3];
}

SEC("xdp") int var_index_signed(struct xdp_md *ctx)
{
	volatile unsigned char buf[16] = {};
	int i = (int)unknown32();

	if (i > 15)
		return 0;
	return buf[i];
}

SEC("xdp") int big_buffer(struct xdp_md *ctx)
{
	volatile unsigned char buf[500];

	buf[0] = 1;
	buf[499] = 2;
	return buf[0] + buf[499];
}

SEC("xdp") int comm_to_stack(struct xdp_md *ctx)
{
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	return comm[0] & 3;
}

SEC("xdp") int printk_stack_string(struct xdp_md *ctx)
{
	char fmt[] = "x %d\n";

	bpf_trace_printk(fmt, sizeof(fmt), ctx->rx_queue_index);
	return XDP_PASS;
}

SEC("xdp") int printk_size_too_big(struct xdp_md *ctx)
{
	char fmt[] = "x %d\n";

	bpf_trace_printk(fmt, 600, ctx->rx_queue_index);
	return XDP_PASS;
}

SEC("xdp") int struct_on_stack(struct xdp_md *ctx)
{
	struct val64 v = {};
	__u64 k = 3;

	v.b[10] = (unsigned char)ctx->rx_queue_index;
	return bpf_map_update_elem(&hsh, &k, &v, 0) & 3;
}

SEC("xdp") int key_size_mismatch(struct xdp_md *ctx)
{
	__u32 k = 3;
	struct val64 v = {};

	asm volatile("" ::: "memory");
	return bpf_map_update_elem(&hsh, &k, &v, 0) & 3;
}
