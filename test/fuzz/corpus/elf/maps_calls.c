// SPDX-License-Identifier: MIT
/*
 * maps_calls.c - seed for fuzz_elf and the object unit tests: BTF maps
 * (array, map-in-map), global data (.data, .rodata, .bss), a .kconfig
 * extern, number-iterator kfuncs, static and global subprograms, a bpf_loop
 * callback and two programs in one section.
 * Rebuild: clang-19 -target bpf -mcpu=v4 -O2 -g -c maps_calls.c -o maps_calls.elf \
 *          -I/usr/include/x86_64-linux-gnu
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, int);
	__array(values, struct inner);
} outer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__uint(map_flags, 1);
	__type(key, __u64);
	__type(value, char[12]);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hash SEC(".maps");

struct bpf_iter_num {
	__u64 opaque[1];
} __attribute__((aligned(8)));

int counter = 3;
const volatile int limit = 10;
int zeroed;
extern int LINUX_KERNEL_VERSION __kconfig;
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

static __noinline int sub(int x)
{
	return x * counter + limit;
}

__noinline int gsub(int x)
{
	return x + zeroed;
}

static int cb(__u32 i, void *ctx)
{
	(*(int *)ctx)++;
	return 0;
}

SEC("xdp") int prog1(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&arr, &k);
	int c = 0;

	if (v)
		*v += 1;
	bpf_loop(4, cb, &c, 0);
	return sub(ctx->ingress_ifindex) + c + LINUX_KERNEL_VERSION;
}

SEC("xdp") int prog2(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	int s = 0, *p;

	bpf_iter_num_new(&it, 0, 5);
	while ((p = bpf_iter_num_next(&it)))
		s += *p;
	bpf_iter_num_destroy(&it);
	return gsub(s) + sub(1);
}

SEC("tc") int prog3(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
