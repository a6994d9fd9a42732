// SPDX-License-Identifier: MIT
/*
 * dynptr.bpf.c - struct bpf_dynptr on the stack with the dynptr helpers:
 * ring buffer records reserved as dynptrs (a reference: submitted or
 * discarded on every path, even when the reservation failed), local
 * dynptrs over map value memory, reads, writes and slices of a constant
 * size that may be NULL and die with their dynptr, and the misuses the
 * kernel refuses: uninitialised or overwritten dynptrs, double release,
 * releasing a local dynptr, loads of its bytes, helpers writing over it.
 */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} dp_rb SEC(".maps");

SEC("tc") int rb_submit(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	__u64 x = ctx->len;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	bpf_dynptr_write(&d, 0, &x, sizeof(x), 0);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_leak(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	return 0;
}

SEC("tc") int rb_leak_on_fail(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	__u64 x = 1;

	if (bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d))
		return 0;
	bpf_dynptr_write(&d, 0, &x, sizeof(x), 0);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_discard_on_fail(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	__u64 x = 1;

	if (bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d)) {
		bpf_ringbuf_discard_dynptr(&d, 0);
		return 0;
	}
	bpf_dynptr_write(&d, 0, &x, sizeof(x), 0);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_data(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	__u64 *p;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	p = bpf_dynptr_data(&d, 0, 16);
	if (p) {
		p[0] = ctx->len;
		p[1] = ctx->mark;
	}
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_data_oob(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	__u64 *p;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	p = bpf_dynptr_data(&d, 0, 16);
	if (p)
		p[2] = ctx->len;
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_data_no_null_check(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	__u64 *p;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	p = bpf_dynptr_data(&d, 0, 16);
	*p = 1;
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_data_after_submit(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	__u64 *p;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	p = bpf_dynptr_data(&d, 0, 16);
	bpf_ringbuf_submit_dynptr(&d, 0);
	if (p)
		*p = 1;
	return 0;
}

SEC("tc") int rb_data_var_len(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	__u64 *p;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	p = bpf_dynptr_data(&d, 0, ctx->len & 15);
	if (p)
		*(char *)p = 1;
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_submit_twice(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_overwrite(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	*(volatile __u64 *)&d = 0;
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_read_slot(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	__u64 x;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	x = *(volatile __u64 *)&d;
	bpf_ringbuf_submit_dynptr(&d, 0);
	return x & 1;
}

SEC("tc") int rb_reserve_twice(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_wrong_map(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&arr, 16, 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_var_size(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&dp_rb, ctx->len, 0, &d);
	bpf_ringbuf_discard_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_read(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	char buf[8];

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	bpf_dynptr_read(buf, sizeof(buf), &d, 0, 0);
	bpf_ringbuf_discard_dynptr(&d, 0);
	return buf[0] & 1;
}

SEC("tc") int local_from_mem(struct __sk_buff *ctx)
{
	__u32 k0 = 0;
	char *buf = bpf_map_lookup_elem(&arr, &k0);
	struct bpf_dynptr d;

	if (!buf)
		return 0;
	__u32 x = ctx->len;

	bpf_dynptr_from_mem(buf, 16, 0, &d);
	bpf_dynptr_write(&d, 4, &x, sizeof(x), 0);
	bpf_dynptr_read(&x, sizeof(x), &d, 0, 0);
	return x & 1;
}

SEC("tc") int local_from_map(struct __sk_buff *ctx)
{
	__u32 k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);
	struct bpf_dynptr d;
	__u32 *p;

	if (!v)
		return 0;
	bpf_dynptr_from_mem(v, sizeof(*v), 0, &d);
	p = bpf_dynptr_data(&d, 0, 4);
	return p ? *p & 1 : 0;
}

SEC("tc") int local_submit(struct __sk_buff *ctx)
{
	__u32 k0 = 0;
	char *buf = bpf_map_lookup_elem(&arr, &k0);
	struct bpf_dynptr d;

	if (!buf)
		return 0;

	bpf_dynptr_from_mem(buf, 16, 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int uninit_read(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	__u32 x;

	bpf_dynptr_read(&x, sizeof(x), &d, 0, 0);
	return x & 1;
}

SEC("tc") int local_overwrite_then_use(struct __sk_buff *ctx)
{
	__u32 k0 = 0;
	char *buf = bpf_map_lookup_elem(&arr, &k0);
	struct bpf_dynptr d;

	if (!buf)
		return 0;
	__u32 x = 0;

	bpf_dynptr_from_mem(buf, 16, 0, &d);
	*(volatile __u32 *)&d = 0;
	bpf_dynptr_read(&x, sizeof(x), &d, 0, 0);
	return x & 1;
}

SEC("tc") int local_overwrite_slice(struct __sk_buff *ctx)
{
	__u32 k0 = 0;
	char *buf = bpf_map_lookup_elem(&arr, &k0);
	struct bpf_dynptr d;

	if (!buf)
		return 0;
	char *p;

	bpf_dynptr_from_mem(buf, 16, 0, &d);
	p = bpf_dynptr_data(&d, 0, 4);
	if (!p)
		return 0;
	*(volatile __u64 *)&d = 0;
	return *p & 1;
}

SEC("tc") int local_reinit(struct __sk_buff *ctx)
{
	__u32 k0 = 0;
	char *buf = bpf_map_lookup_elem(&arr, &k0);
	struct bpf_dynptr d;

	if (!buf)
		return 0;
	__u32 x = 0;

	bpf_dynptr_from_mem(buf, 16, 0, &d);
	bpf_dynptr_from_mem(buf, 8, 0, &d);
	bpf_dynptr_read(&x, sizeof(x), &d, 0, 0);
	return x & 1;
}

SEC("tc") int read_into_dynptr(struct __sk_buff *ctx)
{
	__u32 k0 = 0;
	char *buf = bpf_map_lookup_elem(&arr, &k0);
	struct bpf_dynptr d;

	if (!buf)
		return 0;

	bpf_dynptr_from_mem(buf, 16, 0, &d);
	bpf_dynptr_read(&d, 8, &d, 0, 0);
	return 0;
}

SEC("tc") int rb_read_zero(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	char buf[8];

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	bpf_dynptr_read(buf, 0, &d, 0, 0);
	bpf_ringbuf_discard_dynptr(&d, 0);
	return 0;
}

SEC("tc") int from_mem_var(struct __sk_buff *ctx)
{
	__u32 k0 = 0;
	char *buf = bpf_map_lookup_elem(&arr, &k0);
	struct bpf_dynptr d;

	if (!buf)
		return 0;

	bpf_dynptr_from_mem(buf, ctx->len & 15, 0, &d);
	return 0;
}

SEC("tc") int from_mem_too_big(struct __sk_buff *ctx)
{
	__u32 k0 = 0;
	char *buf = bpf_map_lookup_elem(&arr, &k0);
	struct bpf_dynptr d;

	if (!buf)
		return 0;

	bpf_dynptr_from_mem(buf, 72, 0, &d);
	return 0;
}

SEC("tc") int rb_data_leak_branch(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	if (ctx->len > 10)
		bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_submit_branches(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	if (ctx->len > 10)
		bpf_ringbuf_submit_dynptr(&d, 0);
	else
		bpf_ringbuf_discard_dynptr(&d, 0);
	return 0;
}

SEC("tc") int misaligned(struct __sk_buff *ctx)
{
	__u32 k0 = 0;
	char *buf = bpf_map_lookup_elem(&arr, &k0);
	char st[24];

	if (!buf)
		return 0;
	struct bpf_dynptr *d = (void *)(st + 4);

	bpf_dynptr_from_mem(buf, 16, 0, d);
	return 0;
}

SEC("tc") int from_stack(struct __sk_buff *ctx)
{
	char buf[16] = {};
	struct bpf_dynptr d;

	bpf_dynptr_from_mem(buf, sizeof(buf), 0, &d);
	return 0;
}

SEC("tc") int dynptr_in_subprog_ok(struct __sk_buff *ctx);
static __noinline int put(struct bpf_dynptr *d, __u32 v)
{
	return bpf_dynptr_write(d, 0, &v, sizeof(v), 0);
}

SEC("tc") int dynptr_in_subprog_ok(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	put(&d, ctx->len);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_data_then_discard_use(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	__u64 *p;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	p = bpf_dynptr_data(&d, 0, 8);
	if (!p) {
		bpf_ringbuf_discard_dynptr(&d, 0);
		return 0;
	}
	*p = 1;
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int write_from_pkt(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	if (data + 8 <= end)
		bpf_dynptr_write(&d, 0, data, 8, 0);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int rb_data_readonly_len(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	__u64 *p;

	bpf_ringbuf_reserve_dynptr(&dp_rb, 16, 0, &d);
	p = bpf_dynptr_data(&d, 0, 0);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return p ? 1 : 0;
}

SEC("tc") int partial_overwrite_upper(struct __sk_buff *ctx)
{
	__u32 k0 = 0;
	char *buf = bpf_map_lookup_elem(&arr, &k0);
	struct bpf_dynptr d;
	__u32 x = 0;

	if (!buf)
		return 0;
	bpf_dynptr_from_mem(buf, 16, 0, &d);
	*(volatile __u32 *)((char *)&d + 12) = 0;
	bpf_dynptr_read(&x, sizeof(x), &d, 0, 0);
	return x & 1;
}

SEC("tc") int rb_uninit_submit(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;

	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

/* ---- event records as programs in the wild write them ---- */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct ev {
	__u32 len, mark;
	__u8 data[32];
};

SEC("tc") int event_dynptr(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	struct ev *e;
	long err = 0;

	if (bpf_ringbuf_reserve_dynptr(&events, sizeof(*e), 0, &d))
		goto drop;
	e = bpf_dynptr_data(&d, 0, sizeof(*e));
	if (!e)
		goto drop;
	e->len = ctx->len;
	e->mark = ctx->mark;
	err = bpf_skb_load_bytes(ctx, 0, e->data, sizeof(e->data));
	if (err)
		goto drop;
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
drop:
	bpf_ringbuf_discard_dynptr(&d, 0);
	return 0;
}

SEC("tc") int event_dynptr_loop(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	__u32 i;

	bpf_ringbuf_reserve_dynptr(&events, 64, 0, &d);
	for (i = 0; i < 8; i++) {
		__u64 v = i * ctx->len;

		if (bpf_dynptr_write(&d, i * 8, &v, sizeof(v), 0))
			break;
	}
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int event_dynptr_var_branches(struct __sk_buff *ctx)
{
	struct bpf_dynptr d;
	__u32 n = ctx->len > 100 ? 32 : 16;

	bpf_ringbuf_reserve_dynptr(&events, n, 0, &d);
	if (ctx->mark & 1) {
		bpf_ringbuf_discard_dynptr(&d, 0);
		return 0;
	}
	bpf_dynptr_write(&d, 0, &n, sizeof(n), 0);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("tc") int two_dynptrs(struct __sk_buff *ctx)
{
	struct bpf_dynptr a, b;
	__u64 x = 1;

	bpf_ringbuf_reserve_dynptr(&events, 16, 0, &a);
	bpf_ringbuf_reserve_dynptr(&events, 16, 0, &b);
	bpf_dynptr_write(&a, 0, &x, sizeof(x), 0);
	bpf_dynptr_write(&b, 0, &x, sizeof(x), 0);
	bpf_ringbuf_submit_dynptr(&a, 0);
	if (ctx->len)
		bpf_ringbuf_discard_dynptr(&b, 0);
	else
		bpf_ringbuf_submit_dynptr(&b, 0);
	return 0;
}

SEC("tc") int two_dynptrs_swap_leak(struct __sk_buff *ctx)
{
	struct bpf_dynptr a, b;

	bpf_ringbuf_reserve_dynptr(&events, 16, 0, &a);
	bpf_ringbuf_reserve_dynptr(&events, 16, 0, &b);
	bpf_ringbuf_submit_dynptr(&a, 0);
	if (ctx->len)
		bpf_ringbuf_discard_dynptr(&b, 0);
	return 0;
}
