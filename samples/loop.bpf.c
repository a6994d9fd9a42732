// SPDX-License-Identifier: MIT
/*
 * loop - bpf_loop: a callback run a bounded number of times.  Computes a
 * 16-bit one's-complement sum over the first up to 256 bytes of an XDP
 * packet, two bytes per callback, and stores it in `result[0]`.  Returns
 * XDP_PASS.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} result SEC(".maps");

struct sum_ctx {
	void *data;
	void *data_end;
	__u32 sum;
};

static long add_word(__u32 i, void *arg)
{
	struct sum_ctx *s = arg;
	__u16 *w = s->data + (i & 0x7f) * 2;

	if ((void *)(w + 1) > s->data_end)
		return 1; /* stop: past the end of the packet */
	s->sum += *w;
	return 0;
}

SEC("xdp")
int xdp_loop_sum(struct xdp_md *ctx)
{
	struct sum_ctx s = {(void *)(long)ctx->data, (void *)(long)ctx->data_end, 0};
	__u32 key = 0;
	__u64 *out;

	bpf_loop(128, add_word, &s, 0);
	while (s.sum >> 16)
		s.sum = (s.sum & 0xffff) + (s.sum >> 16);
	out = bpf_map_lookup_elem(&result, &key);
	if (out)
		*out = s.sum;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
