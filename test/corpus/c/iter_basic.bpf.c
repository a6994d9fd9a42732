// SPDX-License-Identifier: MIT
/*
 * iter_basic.bpf.c - open-coded number iterators (bpf_iter_num_*): loops
 * the kernel accepts because next() returns NULL at the end, and the rule
 * breaks it rejects: a result used before its NULL check, an iterator not
 * destroyed, used after destroy, created twice, never created, its stack
 * slot overwritten or read.
 */
#include "iter_common.h"

SEC("xdp") int iter_sum(struct xdp_md *ctx)
{
	__u64 sum = 0;
	int i = 0;

	it_for(i, 0, 10) sum += i;
	return sum & 3;
}

SEC("xdp") int iter_while(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	__u32 n = 0;
	int *v;

	bpf_iter_num_new(&it, 0, 100);
	while ((v = bpf_iter_num_next(&it)))
		n += *v & 1;
	bpf_iter_num_destroy(&it);
	return n & 3;
}

SEC("xdp") int iter_next_unchecked(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	int *v, r;

	bpf_iter_num_new(&it, 0, 4);
	v = bpf_iter_num_next(&it);
	r = *v;
	bpf_iter_num_destroy(&it);
	return r & 3;
}

SEC("xdp") int iter_not_destroyed(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	__u32 n = 0;
	int *v;

	bpf_iter_num_new(&it, 0, 8);
	while ((v = bpf_iter_num_next(&it)))
		n++;
	return n & 3;
}

SEC("xdp") int iter_destroy_on_one_path(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	int *v;

	bpf_iter_num_new(&it, 0, 8);
	v = bpf_iter_num_next(&it);
	if (v && *v == 3)
		return 1;
	bpf_iter_num_destroy(&it);
	return 2;
}

SEC("xdp") int iter_next_after_destroy(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	int *v;

	bpf_iter_num_new(&it, 0, 8);
	bpf_iter_num_destroy(&it);
	v = bpf_iter_num_next(&it);
	return v ? 1 : 2;
}

SEC("xdp") int iter_double_new(struct xdp_md *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 8);
	bpf_iter_num_new(&it, 0, 4);
	bpf_iter_num_destroy(&it);
	return 2;
}

SEC("xdp") int iter_destroy_uninit(struct xdp_md *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_destroy(&it);
	return 2;
}

SEC("xdp") int iter_next_uninit(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	int *v = bpf_iter_num_next(&it);

	return v ? 1 : 2;
}

SEC("xdp") int iter_double_destroy(struct xdp_md *ctx)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 8);
	bpf_iter_num_destroy(&it);
	bpf_iter_num_destroy(&it);
	return 2;
}

SEC("xdp") int iter_slot_overwritten(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	int *v;

	bpf_iter_num_new(&it, 0, 8);
	*(volatile __u64 *)&it = 7;
	v = bpf_iter_num_next(&it);
	bpf_iter_num_destroy(&it);
	return v ? 1 : 2;
}

SEC("xdp") int iter_slot_read(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	__u64 x;

	bpf_iter_num_new(&it, 0, 8);
	x = *(volatile __u64 *)&it;
	bpf_iter_num_destroy(&it);
	return x & 3;
}

SEC("xdp") int iter_slot_reused(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	__u32 n = 0;
	int *v;

	bpf_iter_num_new(&it, 0, 3);
	while ((v = bpf_iter_num_next(&it)))
		n += 1;
	bpf_iter_num_destroy(&it);
	bpf_iter_num_new(&it, 5, 9);
	while ((v = bpf_iter_num_next(&it)))
		n += 2;
	bpf_iter_num_destroy(&it);
	return n & 3;
}

SEC("xdp") int iter_nested(struct xdp_md *ctx)
{
	__u64 sum = 0;
	int i = 0, j = 0;

	it_for(i, 0, 8)
	{
		it_for(j, 0, 8) sum += i * j;
	}
	return sum & 3;
}

SEC("xdp") int iter_nested_inner_leak(struct xdp_md *ctx)
{
	struct bpf_iter_num a, b;
	__u32 n = 0;
	int *v, *w;

	bpf_iter_num_new(&a, 0, 4);
	while ((v = bpf_iter_num_next(&a))) {
		bpf_iter_num_new(&b, 0, 4);
		while ((w = bpf_iter_num_next(&b))) {
			if (*w == 2)
				break;
			n++;
		}
		if (*v == 1)
			continue; /* b not destroyed on this path */
		bpf_iter_num_destroy(&b);
	}
	bpf_iter_num_destroy(&a);
	return n & 3;
}

SEC("xdp") int iter_index_checked(struct xdp_md *ctx)
{
	__u32 k = 0, sum = 0;
	struct val64 *val = bpf_map_lookup_elem(&arr, &k);
	int i = 0;

	if (!val)
		return 0;
	it_for(i, 0, 64)
	{
		if (i < 0 || i >= 64)
			break;
		sum += val->b[i];
	}
	return sum & 3;
}

SEC("xdp") int iter_index_unchecked(struct xdp_md *ctx)
{
	__u32 k = 0, sum = 0;
	struct val64 *val = bpf_map_lookup_elem(&arr, &k);
	int i = 0;

	if (!val)
		return 0;
	it_for(i, 0, 64) sum += val->b[i];
	return sum & 3;
}

/* A counter kept exact across iterations (it indexes the value after the
 * loop): the states of the loop never converge. */
SEC("xdp") int iter_counter_exact(struct xdp_md *ctx)
{
	__u32 k = 0, cnt = 0;
	struct val64 *val = bpf_map_lookup_elem(&arr, &k);
	int i = 0;

	if (!val)
		return 0;
	it_for(i, 0, 100) cnt++;
	if (cnt < 64)
		return val->b[cnt];
	return 0;
}

/* The same counter only stored: imprecise, widened, converges. */
SEC("xdp") int iter_counter_stored(struct xdp_md *ctx)
{
	__u32 k = 0, cnt = 0;
	struct val64 *val = bpf_map_lookup_elem(&arr, &k);
	int i = 0;

	if (!val)
		return 0;
	it_for(i, 0, 100) cnt += 3;
	val->b[0] = cnt;
	return 0;
}

SEC("xdp") int iter_packet(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 ones = 0;
	int i = 0;

	it_for(i, 0, 256)
	{
		if (i < 0 || i >= 256 || data + i + 1 > (unsigned char *)end)
			break;
		ones += data[i] == 0xff;
	}
	return ones & 3;
}

static __noinline int count_in_subprog(int n)
{
	int i = 0, s = 0;

	it_for(i, 0, 16) s += i < n;
	return s;
}

SEC("xdp") int iter_in_subprog(struct xdp_md *ctx)
{
	return count_in_subprog(ctx->rx_queue_index & 7) & 3;
}

SEC("xdp") int iter_branchy_body(struct xdp_md *ctx)
{
	__u32 k = 0, a = 0, b = 0;
	struct val64 *val = bpf_map_lookup_elem(&arr, &k);
	int i = 0;

	if (!val)
		return 0;
	it_for(i, 0, 1000)
	{
		__u32 x = val->b[i & 63];

		if (x & 1)
			a++;
		if (x & 2)
			b++;
		if (x & 4)
			a += b;
	}
	val->b[1] = a;
	val->b[2] = b;
	return 0;
}

char _license[] SEC("license") = "GPL";
