// SPDX-License-Identifier: MIT
/*
 * real.bpf.c - idioms of programs in the wild: bpf_printk with a format in
 * .rodata, struct copies and memset on the stack, switch statements,
 * nested small loops, counters in per-CPU structs, config in .rodata,
 * map-of-struct updates.
 */
#include "corpus.h"

struct config {
	__u32 sample_rate;
	__u32 max_len;
	__u8 enabled;
};

const volatile struct config cfg = {.sample_rate = 4, .max_len = 60, .enabled = 1};

struct event {
	__u64 ts;
	__u32 len;
	__u32 kind;
	unsigned char head[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} evrb SEC(".maps");

SEC("xdp") int printk_fmt(struct xdp_md *ctx)
{
	bpf_printk("packet on queue %u len %u", ctx->rx_queue_index,
		   ctx->data_end - ctx->data);
	return XDP_PASS;
}

SEC("xdp") int sample_event(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct event *e;

	if (!cfg.enabled || bpf_get_prandom_u32() % cfg.sample_rate)
		return XDP_PASS;
	e = bpf_ringbuf_reserve(&evrb, sizeof(*e), 0);
	if (!e)
		return XDP_PASS;
	__builtin_memset(e, 0, sizeof(*e));
	e->ts = bpf_ktime_get_ns();
	e->len = end - p;
	if ((void *)(p + 16) <= (void *)end)
		__builtin_memcpy(e->head, p, 16);
	bpf_ringbuf_submit(e, 0);
	return XDP_PASS;
}

SEC("xdp") int switch_kind(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v || (void *)(p + 1) > (void *)end)
		return XDP_PASS;
	switch (p[0]) {
	case 1:
		v->b[1]++;
		break;
	case 2:
		v->b[2]++;
		break;
	case 7:
		v->b[7]++;
		break;
	case 42:
		v->b[42]++;
		break;
	default:
		v->b[0]++;
	}
	return XDP_PASS;
}

SEC("xdp") int nested_loops(struct xdp_md *ctx)
{
	__u32 k = 0, acc = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return XDP_PASS;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 4; i++)
#pragma clang loop unroll(disable)
		for (int j = 0; j < 8; j++)
			acc += v->b[i * 8 + j] ^ j;
	return acc & 1 ? XDP_DROP : XDP_PASS;
}

SEC("xdp") int config_bounded_copy(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 k = 0, n = cfg.max_len;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return XDP_PASS;
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < n && i < 64; i++) {
		if ((void *)(p + i + 1) > (void *)end)
			break;
		v->b[i] = p[i];
	}
	return XDP_PASS;
}

SEC("xdp") int struct_copy_to_map(struct xdp_md *ctx)
{
	struct val64 tmp;
	__u64 key = ctx->rx_queue_index;

	__builtin_memset(&tmp, 0xab, sizeof(tmp));
	tmp.b[0] = (unsigned char)key;
	bpf_map_update_elem(&hsh, &key, &tmp, BPF_ANY);
	return XDP_PASS;
}

SEC("tc") int tc_mark_by_port(struct __sk_buff *skb)
{
	__u16 dport;

	if (bpf_skb_load_bytes(skb, ETH_HLEN + sizeof(struct iphdr) + 2, &dport, sizeof(dport)))
		return TC_ACT_OK;
	switch (bpf_ntohs(dport)) {
	case 22:
		skb->mark = 1;
		break;
	case 80:
	case 443:
		skb->mark = 2;
		break;
	default:
		skb->mark = 3;
	}
	return TC_ACT_OK;
}
