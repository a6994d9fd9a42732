// SPDX-License-Identifier: MIT
/*
 * iter - open-coded number iterators (bk_for, bpfkit/iter.h).  Counts the
 * bytes equal to 0xff in the first 64 bytes of an XDP packet and adds the
 * squares 0..9 (285) as a fixed check; stores both in `stats`.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bpfkit/iter.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

SEC("xdp")
int xdp_iter_count(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 ones = 0, squares = 0;
	__u32 k0 = 0, k1 = 1;
	__u64 *v;
	int i;

	bk_for(i, 0, 64)
	{
		if (i < 0 || i >= 64 || data + i + 1 > (unsigned char *)data_end)
			break;
		if (data[i] == 0xff)
			ones++;
	}
	bk_for(i, 0, 10) squares += (__u64)i * i;

	v = bpf_map_lookup_elem(&stats, &k0);
	if (v)
		*v = ones;
	v = bpf_map_lookup_elem(&stats, &k1);
	if (v)
		*v = squares;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
