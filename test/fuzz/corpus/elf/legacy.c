// SPDX-License-Identifier: MIT
/*
 * legacy.c - seed for fuzz_elf and the unit tests: legacy struct
 * bpf_map_def maps in "maps", a "version" section, a socket filter without
 * BTF-defined maps.
 * Rebuild: clang-19 -target bpf -mcpu=v4 -O2 -g -c legacy.c -o legacy.elf \
 *          -I/usr/include/x86_64-linux-gnu
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type, key_size, value_size, max_entries, map_flags;
};

struct bpf_map_def SEC("maps") counts = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 2};
struct bpf_map_def SEC("maps") seen = {
	.type = BPF_MAP_TYPE_HASH, .key_size = 8, .value_size = 4, .max_entries = 64};

SEC("socket") int sock(struct __sk_buff *skb)
{
	__u32 k = skb->len & 1;
	__u64 *v = bpf_map_lookup_elem(&counts, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x060000;
