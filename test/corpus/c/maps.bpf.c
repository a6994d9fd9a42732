// SPDX-License-Identifier: MIT
/*
 * maps.bpf.c - map helpers and map values: NULL checks (and their absence,
 * also on copies of the pointer), array lookups with constant keys, value
 * bounds, key and value arguments on the stack, global data, ring buffer
 * references, helper and map type pairs.
 */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jumps SEC(".maps");

__u64 counter = 0;
const volatile __u32 limit = 40;
__u32 zeroed;

SEC("xdp") int lookup_checked(struct xdp_md *ctx)
{
	__u64 k = unknown64();
	struct val64 *v = bpf_map_lookup_elem(&hsh, &k);

	return v ? v->b[3] : XDP_PASS;
}

SEC("xdp") int lookup_unchecked(struct xdp_md *ctx)
{
	__u64 k = unknown64();
	struct val64 *v = bpf_map_lookup_elem(&hsh, &k);

	return v->b[3];
}

SEC("xdp") int array_const_key(struct xdp_md *ctx)
{
	__u32 k = 2;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	return v->b[0];
}

SEC("xdp") int array_key_out_of_range(struct xdp_md *ctx)
{
	__u32 k = 4;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	return v->b[0];
}

SEC("xdp") int array_unknown_key(struct xdp_md *ctx)
{
	__u32 k = unknown32() & 3;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	return v->b[0];
}

SEC("xdp") int value_last_byte(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	return v ? v->b[63] : 0;
}

SEC("xdp") int value_past_end(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	return v ? *(__u32 *)&v->b[61] : 0;
}

SEC("xdp") int value_write(struct xdp_md *ctx)
{
	__u32 k = 1;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (v)
		*(__u64 *)&v->b[56] = 7;
	return XDP_PASS;
}

SEC("xdp") int value_signed_index(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);
	int i = (int)unknown32();

	if (!v || i >= 64)
		return 0;
	return v->b[i];
}

SEC("xdp") int value_signed_index_ok(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);
	int i = (int)unknown32();

	if (!v || i >= 64 || i < 0)
		return 0;
	return v->b[i];
}

SEC("xdp") int update_from_stack(struct xdp_md *ctx)
{
	__u64 k = 5;
	struct val64 v = {};

	return bpf_map_update_elem(&hsh, &k, &v, BPF_ANY) ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int update_with_value_ptr(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 hk = 9;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
	return bpf_map_update_elem(&hsh, &hk, v, BPF_ANY);
}

SEC("xdp") int update_value_maybe_null(struct xdp_md *ctx)
{
	__u32 k = unknown32();
	__u64 hk = 9;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	return bpf_map_update_elem(&hsh, &hk, v, BPF_ANY);
}

SEC("xdp") int delete_key(struct xdp_md *ctx)
{
	__u64 k = unknown64();

	return bpf_map_delete_elem(&hsh, &k);
}

SEC("xdp") int percpu_counter(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *c = bpf_map_lookup_elem(&pcpu, &k);

	if (c)
		*c += 1;
	return XDP_PASS;
}

SEC("xdp") int lru_insert(struct xdp_md *ctx)
{
	__u32 k = ctx->rx_queue_index;
	__u64 one = 1, *c = bpf_map_lookup_elem(&lru, &k);

	if (c)
		__sync_fetch_and_add(c, 1);
	else
		bpf_map_update_elem(&lru, &k, &one, BPF_NOEXIST);
	return XDP_PASS;
}

SEC("xdp") int global_counter(struct xdp_md *ctx)
{
	counter++;
	zeroed = (__u32)counter;
	return XDP_PASS;
}

SEC("xdp") int rodata_bound(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);
	__u32 i = unknown32();

	if (!v || i > limit)
		return 0;
	return v->b[i];
}

SEC("xdp") int ringbuf_submit(struct xdp_md *ctx)
{
	__u64 *e = bpf_ringbuf_reserve(&rb, 16, 0);

	if (!e)
		return XDP_PASS;
	e[0] = 1;
	e[1] = 2;
	bpf_ringbuf_submit(e, 0);
	return XDP_PASS;
}

SEC("xdp") int ringbuf_leak(struct xdp_md *ctx)
{
	__u64 *e = bpf_ringbuf_reserve(&rb, 16, 0);

	if (!e)
		return XDP_PASS;
	e[0] = 1;
	return XDP_PASS;
}

SEC("xdp") int ringbuf_unchecked(struct xdp_md *ctx)
{
	__u64 *e = bpf_ringbuf_reserve(&rb, 16, 0);

	e[0] = 1;
	bpf_ringbuf_submit(e, 0);
	return XDP_PASS;
}

SEC("xdp") int ringbuf_past_end(struct xdp_md *ctx)
{
	__u64 *e = bpf_ringbuf_reserve(&rb, 16, 0);

	if (!e)
		return XDP_PASS;
	e[2] = 1;
	bpf_ringbuf_discard(e, 0);
	return XDP_PASS;
}

SEC("xdp") int ringbuf_use_after_submit(struct xdp_md *ctx)
{
	__u64 *e = bpf_ringbuf_reserve(&rb, 16, 0);

	if (!e)
		return XDP_PASS;
	bpf_ringbuf_submit(e, 0);
	return e[0];
}

SEC("xdp") int ringbuf_output(struct xdp_md *ctx)
{
	__u64 ev[2] = {1, 2};

	bpf_ringbuf_output(&rb, ev, sizeof(ev), 0);
	return XDP_PASS;
}

SEC("xdp") int ringbuf_var_size(struct xdp_md *ctx)
{
	__u64 *e = bpf_ringbuf_reserve(&rb, unknown32() & 63, 0);

	if (e)
		bpf_ringbuf_discard(e, 0);
	return XDP_PASS;
}

SEC("xdp") int perf_output(struct xdp_md *ctx)
{
	__u64 ev = 42;

	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &ev, sizeof(ev));
	return XDP_PASS;
}

SEC("xdp") int tail_call(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jumps, 1);
	return XDP_PASS;
}

SEC("xdp") int redirect_devmap(struct xdp_md *ctx)
{
	return bpf_redirect_map(&devs, 0, XDP_PASS);
}

SEC("xdp") int redirect_wrong_map(struct xdp_md *ctx)
{
	return bpf_redirect_map(&arr, 0, XDP_PASS);
}

SEC("xdp") int lookup_prog_array(struct xdp_md *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&jumps, &k) ? 1 : 2;
}

SEC("xdp") int null_check_on_copy(struct xdp_md *ctx)
{
	__u64 k = unknown64();
	struct val64 *v = bpf_map_lookup_elem(&hsh, &k);
	struct val64 *w = v;

	asm volatile("" : "+r"(w));
	if (!w)
		return 0;
	return v->b[1];
}

SEC("xdp") int key_from_packet(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct val64 *v;

	if (data + 8 > end)
		return XDP_PASS;
	v = bpf_map_lookup_elem(&hsh, data);
	return v ? v->b[0] : XDP_PASS;
}

SEC("xdp") int key_from_packet_short(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct val64 *v;

	if (data + 4 > end)
		return XDP_PASS;
	v = bpf_map_lookup_elem(&hsh, data);
	return v ? v->b[0] : XDP_PASS;
}
