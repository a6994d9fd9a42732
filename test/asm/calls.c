// SPDX-License-Identifier: MIT
/*
 * calls.c - a test object for bpfas -d / bpfas round trips and the
 * llvm-objdump comparison (test/check.d/22-objdump.sh): BPF-to-BPF calls to
 * static and global functions at non-zero offsets, function addresses
 * (bpf_loop callbacks), global and static data at non-zero offsets,
 * .rodata strings, a BTF map, a kfunc and a ksym, two programs in one section.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, __u32);
} seen SEC(".maps");

int pad_before;
int total = 3;
static int scale = 5;
static volatile int later[4] = {1, 2, 3, 4};
const volatile int limit = 100;
__u64 zeroes[3];

/* The 6.1 uAPI headers do not have it yet. */
struct bk_iter_num {
	__u64 opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bk_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bk_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bk_iter_num *it) __ksym;

static __attribute__((noinline)) int twice(int x)
{
	return x * 2 + scale;
}

__attribute__((noinline)) int global_helper(int x)
{
	return twice(x) + later[2] + total;
}

static int cb(__u32 i, void *ctx)
{
	*(int *)ctx += twice((int)i);
	return 0;
}

int global_cb(__u32 i, void *ctx)
{
	*(int *)ctx -= (int)i;
	return i > 3;
}

SEC("xdp")
int first(struct xdp_md *ctx)
{
	__u32 k = ctx->rx_queue_index & 3;
	__u64 *v = bpf_map_lookup_elem(&hits, &k);
	int n = 0;

	bpf_loop(4, cb, &n, 0);
	bpf_loop(8, global_cb, &n, 0);
	if (v)
		__sync_fetch_and_add(v, 1);
	zeroes[2] = n;
	return global_helper(n) > limit ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int second(struct xdp_md *ctx)
{
	struct bk_iter_num it;
	__u64 key = ctx->ingress_ifindex;
	__u32 one = 1, sum = 0;
	int *p;

	bpf_iter_num_new(&it, 0, 3);
	while ((p = bpf_iter_num_next(&it)))
		sum += *p;
	bpf_iter_num_destroy(&it);
	bpf_map_update_elem(&seen, &key, &one, BPF_ANY);
	bpf_printk("sum %u pad %d", sum, pad_before);
	return twice((int)sum) & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
