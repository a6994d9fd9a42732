// SPDX-License-Identifier: MIT
/*
 * iter_more.bpf.c - iterators beyond the number one and beyond a single
 * function: bpf_iter_bits (16-byte state, an ignored pointer argument),
 * an iterator advanced in a static function it is passed to, two
 * iterators advanced in turn, an iterator inside a bpf_loop callback.
 */
#include "iter_common.h"

struct bpf_iter_bits {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

extern int bpf_iter_bits_new(struct bpf_iter_bits *it, const __u64 *unsafe_ptr__ign,
			     __u32 nr_words) __ksym;
extern int *bpf_iter_bits_next(struct bpf_iter_bits *it) __ksym;
extern void bpf_iter_bits_destroy(struct bpf_iter_bits *it) __ksym;

SEC("xdp") int bits_sum(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);
	struct bpf_iter_bits it;
	__u32 s = 0;
	int *b;

	if (!v)
		return 0;
	bpf_iter_bits_new(&it, (const __u64 *)v, 8);
	while ((b = bpf_iter_bits_next(&it)))
		s += *b;
	bpf_iter_bits_destroy(&it);
	return s & 3;
}

SEC("xdp") int bits_not_destroyed(struct xdp_md *ctx)
{
	__u64 word = ctx->rx_queue_index;
	struct bpf_iter_bits it;
	__u32 n = 0;

	bpf_iter_bits_new(&it, &word, 1);
	while (bpf_iter_bits_next(&it))
		n++;
	return n & 3;
}

SEC("xdp") int bits_as_num(struct xdp_md *ctx)
{
	__u64 word = 5;
	struct bpf_iter_bits it;
	int *v;

	bpf_iter_bits_new(&it, &word, 1);
	v = bpf_iter_num_next((struct bpf_iter_num *)&it);
	bpf_iter_bits_destroy(&it);
	return v ? 1 : 2;
}

static __noinline int advance(struct bpf_iter_num *it)
{
	int *v = bpf_iter_num_next(it);

	return v ? *v : -1;
}

SEC("xdp") int iter_in_callee(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	int s = 0;

	bpf_iter_num_new(&it, 0, 8);
	s += advance(&it);
	s += advance(&it);
	bpf_iter_num_destroy(&it);
	return s & 3;
}

SEC("xdp") int two_in_turn(struct xdp_md *ctx)
{
	struct bpf_iter_num a, b;
	int *x, *y, s = 0;

	bpf_iter_num_new(&a, 0, 10);
	bpf_iter_num_new(&b, 0, 5);
	while ((x = bpf_iter_num_next(&a))) {
		y = bpf_iter_num_next(&b);
		if (!y)
			break;
		s += *x + *y;
	}
	bpf_iter_num_destroy(&a);
	bpf_iter_num_destroy(&b);
	return s & 3;
}

static long iter_cb(__u32 i, void *p)
{
	int j = 0, *s = p;

	it_for(j, 0, 4) *s += j;
	return 0;
}

SEC("xdp") int iter_in_callback(struct xdp_md *ctx)
{
	int s = 0;

	bpf_loop(8, iter_cb, &s, 0);
	return s & 3;
}

char _license[] SEC("license") = "GPL";
