// SPDX-License-Identifier: MIT
/* Unsafe: writes through a map lookup's result without the NULL check. */
#include <bpfkit/iouring.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("iouring")
int bad_null(struct io_uring_bpf_ctx *ctx)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&counts, &k);

	*v += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
