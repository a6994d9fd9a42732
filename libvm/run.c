// SPDX-License-Identifier: MIT
/*
 * run.c - runs: the stack, contexts (raw memory, XDP; skb in ctx_skb.c),
 * registered memory,
 * the region checks of checked mode, faults raised by helpers, and exec.
 *
 * The XDP frame lives below 4 GiB (MAP_32BIT) so that the 32-bit data,
 * data_end and data_meta fields of struct xdp_md hold the real addresses
 * a program turns into packet pointers; no instruction rewriting needed,
 * in the interpreter or in native code.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vm_int.h"

enum {
	STACK_BYTES = BK_VM_MAX_FRAMES * BK_VM_STACK_SIZE
};

int bk_vm_run__new(struct bk_vm *vm, const struct bk_vm_run_opts *opts, struct bk_vm_run **out)
{
	struct bk_vm_run *run;

	if (posix_memalign((void **)&run, 64, sizeof(*run)))
		return -ENOMEM;
	memset(run, 0, sizeof(*run));
	run->vm = vm;
	if (posix_memalign((void **)&run->stack, 64, STACK_BYTES)) {
		free(run);
		return -ENOMEM;
	}
	memset(run->stack, 0, STACK_BYTES);
	run->sh.stack_top = run->stack + STACK_BYTES;
	if (opts && opts->sz >= offsetof(struct bk_vm_run_opts, budget) + sizeof(opts->budget)) {
		run->sh.mode = opts->mode == BK_VM_TRUSTED ? BK_VM_TRUSTED : BK_VM_CHECKED;
		run->sh.cpu = opts->cpu % vm->ncpus;
		run->budget = opts->budget;
	}
	pthread_mutex_lock(&vm->lock);
	run->rnd = vm->seed ^ ((uint64_t)++vm->next_run << 32);
	pthread_mutex_unlock(&vm->lock);
	run->fault_insn = -1;
	*out = run;
	return 0;
}

void bk_vm_run__free(struct bk_vm_run *run)
{
	if (!run)
		return;
	if (run->frame)
		munmap(run->frame, BK_VM_XDP_FRAME);
	free(run->md);
	free(run->skb);
	free(run->stack);
	free(run);
}

int bk_vm_run__add_region(struct bk_vm_run *run, void *base, size_t len, bool writable)
{
	struct bk_region *r;

	if (run->nregions >= BK_VM_MAX_REGIONS)
		return -E2BIG;
	if ((uintptr_t)base + len < (uintptr_t)base)
		return -EINVAL;
	r = &run->regions[run->nregions++];
	*r = (struct bk_region){.lo = (uintptr_t)base,
				.hi = (uintptr_t)base + len,
				.stride = 0,
				.writable = writable};
	return 0;
}

void bk_vm_run__clear_regions(struct bk_vm_run *run)
{
	run->nregions = 0;
}

int bk_vm_run__ctx_raw(struct bk_vm_run *run, void *mem, size_t len)
{
	if (!mem && len)
		return -EINVAL;
	run->ctx_kind = BK_CTX_RAW;
	run->mem = mem;
	run->mem_len = mem ? len : 0;
	run->sh.r1 = (uintptr_t)mem;
	run->sh.r2 = run->mem_len;
	return 0;
}

int bk_run_frame(struct bk_vm_run *run)
{
	void *p;

	if (run->frame)
		return 0;
	p = mmap(NULL, BK_VM_XDP_FRAME, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if ((uintptr_t)p + BK_VM_XDP_FRAME > UINT32_MAX) {
		munmap(p, BK_VM_XDP_FRAME);
		return -ENOMEM;
	}
	run->frame = p;
	return 0;
}

static int xdp_frame(struct bk_vm_run *run)
{
	int err = bk_run_frame(run);

	if (err)
		return err;
	if (!run->md) {
		run->md = calloc(1, sizeof(*run->md));
		if (!run->md)
			return -ENOMEM;
	}
	return 0;
}

int bk_vm_run__ctx_xdp(struct bk_vm_run *run, const void *pkt, size_t len,
		       const struct bk_vm_xdp_opts *opts)
{
	int err = xdp_frame(run);
	uint8_t *data;

	if (err)
		return err;
	if (len > BK_VM_XDP_FRAME - BK_VM_XDP_HEADROOM - BK_VM_XDP_TAILROOM)
		return -E2BIG;
	if (len && !pkt)
		return -EINVAL;
	memset(run->frame, 0, BK_VM_XDP_FRAME);
	data = run->frame + BK_VM_XDP_HEADROOM;
	if (len)
		memcpy(data, pkt, len);
	memset(run->md, 0, sizeof(*run->md));
	run->md->data = (uint32_t)(uintptr_t)data;
	run->md->data_end = (uint32_t)(uintptr_t)(data + len);
	run->md->data_meta = run->md->data;
	if (opts && opts->sz >= offsetof(struct bk_vm_xdp_opts, egress_ifindex) +
					sizeof(opts->egress_ifindex)) {
		run->md->ingress_ifindex = opts->ingress_ifindex;
		run->md->rx_queue_index = opts->rx_queue_index;
		run->md->egress_ifindex = opts->egress_ifindex;
	}
	run->ctx_kind = BK_CTX_XDP;
	run->sh.r1 = (uintptr_t)run->md;
	run->sh.r2 = 0;
	return 0;
}

const void *bk_vm_run__packet(const struct bk_vm_run *run, size_t *len)
{
	uintptr_t lo, hi;

	if (run->ctx_kind == BK_CTX_NONE) {
		*len = 0;
		return NULL;
	}
	bk_run_packet(run, &lo, &hi);
	*len = hi - lo;
	return (const void *)lo;
}

static bool in_region(const struct bk_region *r, uintptr_t p, uint64_t len, bool write)
{
	uintptr_t off;

	if (p < r->lo || p >= r->hi || len > r->hi - p)
		return false;
	if (write && !r->writable)
		return false;
	if (!r->stride)
		return true;
	off = (p - r->lo) % r->stride;
	return off >= r->voff && off + len <= (uint64_t)r->voff + r->vsize;
}

static bool in_maps(struct bk_vm_run *run, uintptr_t p, uint64_t len, bool write)
{
	struct bk_vm *vm = run->vm;
	bool ok = false;

	if (p >= run->mcache.lo && p < run->mcache.hi)
		return in_region(&run->mcache, p, len, write);
	pthread_mutex_lock(&vm->lock);
	for (struct bk_map *m = vm->maps; m; m = m->next) {
		if (p < m->region.lo || p >= m->region.hi)
			continue;
		if (m->attr.type == BPF_MAP_TYPE_RINGBUF) {
			ok = bk_ringbuf_mem_ok(m, p, len);
		} else {
			ok = in_region(&m->region, p, len, write);
			run->mcache = m->region;
		}
		break;
	}
	pthread_mutex_unlock(&vm->lock);
	return ok;
}

/* [p, p + len) inside [lo, hi) */
static bool within(uintptr_t lo, uintptr_t hi, uintptr_t p, uint64_t len)
{
	return p >= lo && p < hi && len <= hi - p;
}

bool bk_run_mem_ok_slow(struct bk_vm_run *run, uintptr_t p, uint64_t len, bool write)
{
	if (!len || p + len < p)
		return false;
	switch (run->ctx_kind) {
	case BK_CTX_RAW:
		if (within((uintptr_t)run->mem, (uintptr_t)run->mem + run->mem_len, p, len))
			return true;
		break;
	case BK_CTX_XDP:
		if (within((uintptr_t)run->md, (uintptr_t)run->md + sizeof(*run->md), p, len))
			return !write;
		if (within(run->md->data_meta, run->md->data_end, p, len))
			return true;
		break;
	case BK_CTX_SKB:
		if (within((uintptr_t)run->skb, (uintptr_t)run->skb + sizeof(*run->skb), p, len))
			return bk_skb_access_ok(run->skb_type, (uint32_t)(p - (uintptr_t)run->skb),
						(uint32_t)len, write);
		if (within(run->skb->data, run->skb->data_end, p, len))
			return true;
		break;
	default:
		break;
	}
	for (unsigned i = 0; i < run->nregions; i++)
		if (in_region(&run->regions[i], p, len, write))
			return true;
	return in_maps(run, p, len, write);
}

bool bk_vm_run__mem_ok(struct bk_vm_run *run, uint64_t p, uint64_t len, bool write)
{
	uintptr_t fp;

	if (run->sh.mode == BK_VM_TRUSTED)
		return true;
	if (!len)
		return true;
	fp = (uintptr_t)run->sh.stack_top - (uintptr_t)run->sh.depth * BK_VM_STACK_SIZE;
	if (p >= fp - BK_VM_STACK_SIZE && p + len <= (uintptr_t)run->sh.stack_top && p + len > p)
		return true;
	return bk_run_mem_ok_slow(run, (uintptr_t)p, len, write);
}

struct bk_map *bk_vm_run__map_arg(struct bk_vm_run *run, uint64_t p)
{
	struct bk_vm *vm = run->vm;
	struct bk_map *m;

	if (run->sh.mode == BK_VM_TRUSTED)
		return (struct bk_map *)(uintptr_t)p;
	pthread_mutex_lock(&vm->lock);
	for (m = vm->maps; m && (uintptr_t)m != p; m = m->next)
		;
	pthread_mutex_unlock(&vm->lock);
	return m;
}

void bk_vm_run__fault(struct bk_vm_run *run, int code, const char *fmt, ...)
{
	va_list ap;

	run->sh.status |= BK_VM_ST_FAULT;
	run->fault_code = code;
	run->fault_insn = -1;
	run->fault_prog = NULL;
	va_start(ap, fmt);
	vsnprintf(run->fault_msg, sizeof(run->fault_msg), fmt, ap);
	va_end(ap);
}

struct bk_vm *bk_vm_run__vm(const struct bk_vm_run *run)
{
	return run->vm;
}

int bk_vm_run__exec(struct bk_vm_run *run, struct bk_vm_prog *prog, uint64_t *r0,
		    struct bk_diag *diag)
{
	if (!run || !prog || !r0)
		return bk_diag__set(diag, EINVAL, -1, "bk_vm_run__exec: missing argument");
	if (prog->vm != run->vm)
		return bk_diag__set(diag, EINVAL, -1, "program and run belong to different VMs");
	if (prog->type == BK_PROG_XDP && run->ctx_kind != BK_CTX_XDP)
		return bk_diag__set(diag, BK_E_VM_CTX, -1,
				    "XDP program %s needs an XDP context (a packet)", prog->name);
	return bk_interp_exec(run, prog, r0, diag);
}

uint64_t bk_vm_run__insn_count(const struct bk_vm_run *run)
{
	return run->insns;
}
