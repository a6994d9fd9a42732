// SPDX-License-Identifier: MIT
/*
 * helpers.c - the helpers and kfuncs the VM provides, by the kernel's
 * numbers, as plain C functions (bk_vm_helper_fn) the interpreter and
 * native code call directly.
 *
 * In checked mode every pointer argument is checked against the run's
 * regions and every map argument against the runtime's maps; a bad one is
 * a fault (the run stops, naming the call).  In trusted mode the verifier
 * has checked them.  Return values and errno values are the kernel's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "helper_def_int.h"
#include "vm_int.h"

static struct bk_map *need_map(struct bk_vm_run *run, uint64_t p, const char *fn)
{
	struct bk_map *m = p ? bk_vm_run__map_arg(run, p) : NULL;

	if (!m) {
		bk_vm_run__fault(run, BK_E_VM_HELPER_ARG, "%s: %#" PRIx64 " is not a map", fn, p);
	} else if (bk_map__is_placeholder(m)) {
		bk_vm_run__fault(run, BK_E_VM_HELPER_ARG,
				 "%s: map %s has type %u (%s), which the VM does not support", fn,
				 m->attr.name, m->attr.type, bk_map_type_name(m->attr.type));
		m = NULL;
	}
	return m;
}

#define NEED_MAP(var, p)                                                                           \
	struct bk_map *var = need_map(run, (p), __func__ + 2);                                     \
	if (!var)                                                                                  \
		return 0;

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- maps ---------------------------------------------------------------- */

HELPER(map_lookup_elem)
{
	NEED_MAP(m, r1);
	NEED_MEM(r2, m->attr.key_size, false, "key");
	return (uintptr_t)bk_map__bpf_lookup(m, (const void *)(uintptr_t)r2, run->sh.cpu);
}

HELPER(map_update_elem)
{
	NEED_MAP(m, r1);
	NEED_MEM(r2, m->attr.key_size, false, "key");
	NEED_MEM(r3, m->attr.value_size, false, "value");
	return (uint64_t)bk_map__bpf_update(m, (const void *)(uintptr_t)r2,
					    (const void *)(uintptr_t)r3, r4, run->sh.cpu);
}

HELPER(map_delete_elem)
{
	NEED_MAP(m, r1);
	NEED_MEM(r2, m->attr.key_size, false, "key");
	return (uint64_t)bk_map__bpf_delete(m, (const void *)(uintptr_t)r2, run->sh.cpu);
}

HELPER(map_lookup_percpu_elem)
{
	NEED_MAP(m, r1);
	NEED_MEM(r2, m->attr.key_size, false, "key");
	if (r3 >= m->ncpus)
		return 0;
	return (uintptr_t)bk_map__bpf_lookup(m, (const void *)(uintptr_t)r2, (uint32_t)r3);
}

/* ---- queues, stacks, bloom filters, redirect maps, perf events ---------------- */

static bool need_ops(struct bk_vm_run *run, struct bk_map *m, const void *op, const char *fn)
{
	if (!op)
		bk_vm_run__fault(run, BK_E_VM_HELPER_ARG, "%s: map %s (%s) has no such operation",
				 fn, m->attr.name, bk_map_type_name(m->attr.type));
	return op != NULL;
}

HELPER(map_push_elem)
{
	NEED_MAP(m, r1);
	if (!need_ops(run, m, (const void *)m->ops->bpf_push, "map_push_elem"))
		return 0;
	NEED_MEM(r2, m->attr.value_size, false, "value");
	return (uint64_t)m->ops->bpf_push(m, (const void *)(uintptr_t)r2, r3);
}

HELPER(map_pop_elem)
{
	NEED_MAP(m, r1);
	if (!need_ops(run, m, (const void *)m->ops->bpf_pop, "map_pop_elem"))
		return 0;
	NEED_MEM(r2, m->attr.value_size, true, "value");
	return (uint64_t)m->ops->bpf_pop(m, (void *)(uintptr_t)r2);
}

HELPER(map_peek_elem)
{
	NEED_MAP(m, r1);
	if (!need_ops(run, m, (const void *)m->ops->bpf_peek, "map_peek_elem"))
		return 0;
	/* a bloom filter reads the value, queues and stacks write it */
	NEED_MEM(r2, m->attr.value_size, m->attr.type != BPF_MAP_TYPE_BLOOM_FILTER, "value");
	return (uint64_t)m->ops->bpf_peek(m, (void *)(uintptr_t)r2);
}

HELPER(redirect_map)
{
	NEED_MAP(m, r1);
	return bk_dev_redirect_map(run, m, r2, r3);
}

/* bpf_perf_event_output(ctx, map, flags, data, size); packet programs may
 * append ctxlen bytes of the packet (flags' upper 32 bits) */
HELPER(perf_event_output)
{
	uint64_t ctxlen = (r3 & BPF_F_CTXLEN_MASK) >> 32;
	const void *pkt = NULL;
	size_t plen = 0;
	NEED_MAP(m, r2);

	if (run->ctx_kind == BK_CTX_XDP || run->ctx_kind == BK_CTX_SKB) {
		if (r3 & ~(uint64_t)(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK))
			return (uint64_t)-EINVAL;
		pkt = bk_vm_run__packet(run, &plen);
		if (ctxlen > plen)
			return (uint64_t)-EFAULT;
	} else if (r3 & ~(uint64_t)BPF_F_INDEX_MASK) {
		return (uint64_t)-EINVAL;
	}
	NEED_MEM(r4, r5, false, "data");
	return (uint64_t)bk_perf_output(run, m, r3 & BPF_F_INDEX_MASK, (const void *)(uintptr_t)r4,
					r5, pkt, ctxlen);
}

/* ---- time, randomness, CPU ---------------------------------------------------- */

HELPER(ktime_get_ns)
{
	return clock_ns(CLOCK_MONOTONIC);
}

HELPER(ktime_get_boot_ns)
{
	return clock_ns(CLOCK_BOOTTIME);
}

HELPER(ktime_get_coarse_ns)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}

HELPER(get_prandom_u32)
{
	return (uint32_t)bk_vm_splitmix(&run->rnd);
}

HELPER(get_smp_processor_id)
{
	return run->sh.cpu;
}

/* ---- bpf_trace_printk(fmt, fmt_size, a1, a2, a3) --------------------------------- */

HELPER(trace_printk)
{
	uint64_t args[3] = {r3, r4, r5};
	const char *fmt = (const char *)(uintptr_t)r1;
	char buf[1024];
	int n;

	if (!r2)
		return (uint64_t)-EINVAL;
	NEED_MEM(r1, r2, false, "format");
	if (!memchr(fmt, 0, r2))
		return (uint64_t)-EINVAL;
	n = bk_vm_format(run, fmt, r2, args, 3, buf, sizeof(buf));
	if (n < 0)
		return (uint64_t)(int64_t)n;
	if (run->vm->print)
		run->vm->print(run->vm->print_ctx, buf, (size_t)n);
	return (uint64_t)n;
}

/* ---- bpf_tail_call(ctx, prog_array, index) ------------------------------------ */

HELPER(tail_call)
{
	struct bk_vm_prog *p;
	NEED_MAP(m, r2);

	if (m->attr.type != BPF_MAP_TYPE_PROG_ARRAY) {
		bk_vm_run__fault(run, BK_E_VM_HELPER_ARG, "tail_call: map %s is not a prog array",
				 m->attr.name);
		return 0;
	}
	/* the kernel's order: index, then the count, then the slot */
	if ((uint32_t)r3 >= m->attr.max_entries)
		return (uint64_t)-EINVAL;
	if (run->sh.tail_calls >= BK_VM_MAX_TAIL_CALLS)
		return (uint64_t)-E2BIG;
	run->sh.tail_calls++;
	p = bk_prog_array_get(m, (uint32_t)r3);
	if (!p)
		return (uint64_t)-ENOENT;
	run->sh.tail_target = p;
	run->sh.status |= BK_VM_ST_TAIL_CALL;
	return 0;
}

/* ---- bpf_loop(nr, callback, ctx, flags) ----------------------------------------- */

HELPER(loop)
{
	uint64_t i;

	if (r4)
		return (uint64_t)-EINVAL;
	if (r1 > BK_VM_MAX_LOOPS)
		return (uint64_t)-E2BIG;
	for (i = 0; i < r1; i++) {
		uint64_t ret = run->sh.call(run, r2, i, r3, 0, 0, 0);

		if (run->sh.status)
			return 0;
		if (ret)
			return i + 1;
	}
	return i;
}

/* ---- checksums --------------------------------------------------------------------- */

/* bpf_csum_diff(from, from_size, to, to_size, seed): the 32-bit one's
 * complement sum of ~from and to (4-byte words) added to seed. */
HELPER(csum_diff)
{
	const uint8_t *from = (const void *)(uintptr_t)r1, *to = (const void *)(uintptr_t)r3;
	uint64_t sum = (uint32_t)r5;

	if (((r2 | r4) & 3) || r2 + r4 > 512 || r2 > 512 || r4 > 512)
		return (uint64_t)-EINVAL;
	NEED_MEM(r1, r2, false, "from");
	NEED_MEM(r3, r4, false, "to");
	for (uint64_t i = 0; i < r2; i += 4) {
		uint32_t w;

		memcpy(&w, from + i, 4);
		sum += (uint32_t)~w;
	}
	for (uint64_t i = 0; i < r4; i += 4) {
		uint32_t w;

		memcpy(&w, to + i, 4);
		sum += w;
	}
	while (sum >> 32)
		sum = (sum & 0xffffffffu) + (sum >> 32);
	return sum;
}

/* ---- ring buffers -------------------------------------------------------------------- */

HELPER(ringbuf_output)
{
	void *rec;
	NEED_MAP(m, r1);

	if (m->attr.type != BPF_MAP_TYPE_RINGBUF) {
		bk_vm_run__fault(run, BK_E_VM_HELPER_ARG, "ringbuf_output: %s is not a ring buffer",
				 m->attr.name);
		return 0;
	}
	if (r4 & ~(uint64_t)(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP))
		return (uint64_t)-EINVAL;
	NEED_MEM(r2, r3, false, "data");
	rec = bk_ringbuf_reserve(m, r3);
	if (!rec)
		return (uint64_t)-EAGAIN;
	if (r3)
		memcpy(rec, (const void *)(uintptr_t)r2, r3);
	bk_ringbuf_commit(run->vm, rec, false);
	return 0;
}

HELPER(ringbuf_reserve)
{
	NEED_MAP(m, r1);

	if (m->attr.type != BPF_MAP_TYPE_RINGBUF) {
		bk_vm_run__fault(run, BK_E_VM_HELPER_ARG,
				 "ringbuf_reserve: %s is not a ring buffer", m->attr.name);
		return 0;
	}
	if (r3)
		return 0;
	return (uintptr_t)bk_ringbuf_reserve(m, r2);
}

static uint64_t commit(struct bk_vm_run *run, uint64_t p, bool discard)
{
	if (bk_ringbuf_commit(run->vm, (void *)(uintptr_t)p, discard) &&
	    run->sh.mode == BK_VM_CHECKED)
		bk_vm_run__fault(run, BK_E_VM_HELPER_ARG,
				 "ringbuf_%s: %#" PRIx64 " is not a reserved ring buffer record",
				 discard ? "discard" : "submit", p);
	return 0;
}

HELPER(ringbuf_submit)
{
	return commit(run, r1, false);
}

HELPER(ringbuf_discard)
{
	return commit(run, r1, true);
}

HELPER(ringbuf_query)
{
	NEED_MAP(m, r1);

	if (m->attr.type != BPF_MAP_TYPE_RINGBUF)
		return 0;
	return bk_ringbuf_query(m, r2);
}

/* ---- XDP ------------------------------------------------------------------------------ */

/* sizeof(struct xdp_frame), kept at the start of the headroom */
enum {
	XDP_FRAME_HDR = 40,
	ETH_HLEN = 14
};

static struct xdp_md *xdp_ctx(struct bk_vm_run *run, uint64_t r1, const char *fn)
{
	if (run->ctx_kind != BK_CTX_XDP || (uintptr_t)run->md != r1) {
		bk_vm_run__fault(run, BK_E_VM_HELPER_ARG, "%s: r1 is not the XDP context", fn);
		return NULL;
	}
	return run->md;
}

HELPER(xdp_adjust_head)
{
	struct xdp_md *md = xdp_ctx(run, r1, "xdp_adjust_head");
	uint64_t start = (uintptr_t)run->frame + XDP_FRAME_HDR, meta, data;
	int64_t off = (int32_t)r2;

	if (!md)
		return 0;
	meta = md->data - md->data_meta;
	data = (uint64_t)md->data + (uint64_t)off;
	if ((int64_t)data < (int64_t)(start + meta) || data > (uint64_t)md->data_end - ETH_HLEN)
		return (uint64_t)-EINVAL;
	if (meta)
		memmove((void *)(uintptr_t)(md->data_meta + off), (void *)(uintptr_t)md->data_meta,
			meta);
	md->data_meta = (uint32_t)(md->data_meta + off);
	md->data = (uint32_t)data;
	return 0;
}

HELPER(xdp_adjust_meta)
{
	struct xdp_md *md = xdp_ctx(run, r1, "xdp_adjust_meta");
	uint64_t start = (uintptr_t)run->frame + XDP_FRAME_HDR, meta, len;

	if (!md)
		return 0;
	meta = (uint64_t)md->data_meta + (uint64_t)(int64_t)(int32_t)r2;
	if ((int64_t)meta < (int64_t)start || meta > md->data)
		return (uint64_t)-EINVAL;
	len = md->data - meta;
	if ((len & 3) || len > 255)
		return (uint64_t)-EACCES;
	md->data_meta = (uint32_t)meta;
	return 0;
}

HELPER(xdp_adjust_tail)
{
	struct xdp_md *md = xdp_ctx(run, r1, "xdp_adjust_tail");
	uint64_t hard_end = (uintptr_t)run->frame + BK_VM_XDP_FRAME - BK_VM_XDP_TAILROOM, end;
	int64_t off = (int32_t)r2;

	if (!md)
		return 0;
	end = (uint64_t)md->data_end + (uint64_t)off;
	if (end > hard_end || (int64_t)end < (int64_t)md->data + ETH_HLEN)
		return (uint64_t)-EINVAL;
	if (off > 0)
		memset((void *)(uintptr_t)md->data_end, 0, (size_t)off);
	md->data_end = (uint32_t)end;
	return 0;
}

/* ---- kfuncs: the number iterator (struct bpf_iter_num: 8 bytes on the
 * stack holding the current and the end value) ----------------------------------------- */

struct iter_num {
	int32_t cur, end;
};

HELPER(iter_num_new)
{
	struct iter_num *it = (void *)(uintptr_t)r1;
	int32_t start = (int32_t)r2, end = (int32_t)r3;

	NEED_MEM(r1, sizeof(*it), true, "iterator");
	if (start > end) {
		it->cur = it->end = 0;
		return (uint64_t)-EINVAL;
	}
	if ((int64_t)end - start > BK_VM_MAX_LOOPS) {
		it->cur = it->end = 0;
		return (uint64_t)-E2BIG;
	}
	it->cur = start - 1;
	it->end = end;
	return 0;
}

HELPER(iter_num_next)
{
	struct iter_num *it = (void *)(uintptr_t)r1;

	NEED_MEM(r1, sizeof(*it), true, "iterator");
	if ((int64_t)it->cur + 1 >= it->end) {
		it->cur = it->end = 0;
		return 0;
	}
	it->cur++;
	return (uintptr_t)&it->cur;
}

HELPER(iter_num_destroy)
{
	struct iter_num *it = (void *)(uintptr_t)r1;

	NEED_MEM(r1, sizeof(*it), true, "iterator");
	it->end = 0;
	return 0;
}

/* ---- tables ------------------------------------------------------------------------- */

// clang-format off
static const struct { uint32_t id; bk_vm_helper_fn fn; } helpers[] = {
	{BPF_FUNC_map_lookup_elem,		h_map_lookup_elem},
	{BPF_FUNC_map_update_elem,		h_map_update_elem},
	{BPF_FUNC_map_delete_elem,		h_map_delete_elem},
	{BPF_FUNC_ktime_get_ns,			h_ktime_get_ns},
	{BPF_FUNC_trace_printk,			h_trace_printk},
	{BPF_FUNC_get_prandom_u32,		h_get_prandom_u32},
	{BPF_FUNC_get_smp_processor_id,		h_get_smp_processor_id},
	{BPF_FUNC_tail_call,			h_tail_call},
	{BPF_FUNC_csum_diff,			h_csum_diff},
	{BPF_FUNC_xdp_adjust_head,		h_xdp_adjust_head},
	{BPF_FUNC_xdp_adjust_meta,		h_xdp_adjust_meta},
	{BPF_FUNC_xdp_adjust_tail,		h_xdp_adjust_tail},
	{BPF_FUNC_ktime_get_boot_ns,		h_ktime_get_boot_ns},
	{BPF_FUNC_ringbuf_output,		h_ringbuf_output},
	{BPF_FUNC_ringbuf_reserve,		h_ringbuf_reserve},
	{BPF_FUNC_ringbuf_submit,		h_ringbuf_submit},
	{BPF_FUNC_ringbuf_discard,		h_ringbuf_discard},
	{BPF_FUNC_ringbuf_query,		h_ringbuf_query},
	{BPF_FUNC_ktime_get_coarse_ns,		h_ktime_get_coarse_ns},
	{BPF_FUNC_loop,				h_loop},
	{BPF_FUNC_map_lookup_percpu_elem,	h_map_lookup_percpu_elem},
	{BPF_FUNC_map_push_elem,		h_map_push_elem},
	{BPF_FUNC_map_pop_elem,			h_map_pop_elem},
	{BPF_FUNC_map_peek_elem,		h_map_peek_elem},
	{BPF_FUNC_redirect_map,			h_redirect_map},
	{BPF_FUNC_perf_event_output,		h_perf_event_output},
};

static const struct { const char *name; bk_vm_helper_fn fn; } kfuncs[] = {
	{"bpf_iter_num_new",	 h_iter_num_new},
	{"bpf_iter_num_next",	 h_iter_num_next},
	{"bpf_iter_num_destroy", h_iter_num_destroy},
};
// clang-format on

bk_vm_helper_fn bk_vm_helper(uint32_t id)
{
	if (id >= BK_HELPER_RING_BASE || id == BPF_FUNC_copy_from_user)
		return bk_ring_helper(id); /* the ring executor's (ring_helpers.c) */
	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (helpers[i].id == id)
			return helpers[i].fn;
	return bk_skb_helper(id); /* ctx_skb.c */
}

bk_vm_helper_fn bk_vm_kfunc(const char *name)
{
	for (size_t i = 0; name && i < sizeof(kfuncs) / sizeof(kfuncs[0]); i++)
		if (!strcmp(kfuncs[i].name, name))
			return kfuncs[i].fn;
	return NULL;
}
