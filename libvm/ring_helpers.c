// SPDX-License-Identifier: MIT
/*
 * ring_helpers.c - the helpers of ring programs (ids in helpers.def:
 * BK_RING_HELPER rows, and bpf_copy_from_user's kernel id 148), as plain
 * bk_vm_helper_fn functions the interpreter and native code call.
 *
 * Each finds its executor through the run (set only while the executor
 * runs a program) and checks that ctx is the running request's context,
 * so a program run outside the executor, or one passing another pointer,
 * faults instead of reaching executor state.  Program memory arguments
 * (the SQE, the CQE buffer, copy sources and destinations) are checked
 * against the run's regions in checked mode; user pointers against the
 * windows registered for the program, always.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "helper_def_int.h"
#include "ring_int.h"

/* The executor running the program, or NULL after a fault. */
static struct bk_ring *ring_of(struct bk_vm_run *run, const char *fn)
{
	if (!run->ring || !run->ring->cur) {
		bk_vm_run__fault(run, BK_E_RING_CTX,
				 "%s: ring helpers work only in programs the ring executor runs",
				 fn);
		return NULL;
	}
	return run->ring;
}

/* As ring_of, and ctx must be the running request's context. */
static struct bk_ring *ring_ctx(struct bk_vm_run *run, uint64_t ctx, const char *fn)
{
	struct bk_ring *r = ring_of(run, fn);

	if (r && ctx != (uintptr_t)&r->cur->ctx) {
		bk_vm_run__fault(run, BK_E_RING_CTX,
				 "%s: %#" PRIx64 " is not the program's context", fn, ctx);
		return NULL;
	}
	return r;
}

/* Fault unless the program may access [p, p + n). */

/* iouring_queue_sqe(ctx, sqe, len) */
HELPER(iouring_queue_sqe)
{
	struct bk_ring *r = ring_ctx(run, r1, __func__ + 2);

	if (!r)
		return 0;
	NEED_MEM(r2, r3, false, "sqe");
	return ring_queue_sqe(r, run, (const void *)(uintptr_t)r2, r3);
}

/* iouring_emit_cqe(ctx, cq, user_data, res, flags) */
HELPER(iouring_emit_cqe)
{
	struct bk_ring *r = ring_ctx(run, r1, __func__ + 2);

	if (!r)
		return 0;
	if (r2 > r->ncqs)
		return (uint64_t)-EINVAL;
	if (ring_cq_push(r, (uint32_t)r2, r3, (int32_t)r4, (uint32_t)r5 & ~BK_RING_CQE_F_BPF))
		return (uint64_t)-ENOMEM;
	r->st.emitted++;
	return 0;
}

/* iouring_reap_cqe(ctx, cq, cqe, len): the buffer is written in full
 * (zeros past the CQE, or all zeros when the CQ is empty). */
HELPER(iouring_reap_cqe)
{
	struct bk_ring *r = ring_ctx(run, r1, __func__ + 2);
	struct bk_ring_cqe c;
	uint8_t *out = (uint8_t *)(uintptr_t)r3;

	if (!r)
		return 0;
	NEED_MEM(r3, r4, true, "cqe");
	memset(out, 0, r4);
	if (r2 > r->ncqs || r4 < sizeof(c))
		return (uint64_t)-EINVAL;
	if (ring_cq_pop(r, (uint32_t)r2, &c))
		return (uint64_t)-ENOENT;
	memcpy(out, &c, sizeof(c));
	r->st.reaped++;
	return 0;
}

/* bpf_copy_from_user(dst, len, user_ptr): from readable registered memory. */
HELPER(copy_from_user)
{
	struct bk_ring *r = ring_of(run, __func__ + 2);
	void *dst = (void *)(uintptr_t)r1;

	if (!r)
		return 0;
	NEED_MEM(r1, r2, true, "dst");
	if (!r2)
		return 0;
	if (!ring_mem_ok(r, r3, r2, BK_RING_MEM_READ)) {
		memset(dst, 0, r2);
		return (uint64_t)-EFAULT;
	}
	memmove(dst, (const void *)(uintptr_t)r3, r2);
	return 0;
}

/* bpf_copy_to_user(user_ptr, src, len): into writable registered memory. */
HELPER(copy_to_user)
{
	struct bk_ring *r = ring_of(run, __func__ + 2);

	if (!r)
		return 0;
	NEED_MEM(r2, r3, false, "src");
	if (!r3)
		return 0;
	if (!ring_mem_ok(r, r1, r3, BK_RING_MEM_WRITE))
		return (uint64_t)-EFAULT;
	memmove((void *)(uintptr_t)r1, (const void *)(uintptr_t)r2, r3);
	return 0;
}

// clang-format off
static const struct { uint32_t id; bk_vm_helper_fn fn; } ring_helpers[] = {
	{BK_HELPER_RING_BASE + 0,	h_iouring_queue_sqe},
	{BK_HELPER_RING_BASE + 1,	h_iouring_emit_cqe},
	{BK_HELPER_RING_BASE + 2,	h_iouring_reap_cqe},
	{BK_HELPER_RING_BASE + 3,	h_copy_to_user},
	{148 /* BPF_FUNC_copy_from_user */, h_copy_from_user},
};
// clang-format on

bk_vm_helper_fn bk_ring_helper(uint32_t id)
{
	for (size_t i = 0; i < sizeof(ring_helpers) / sizeof(ring_helpers[0]); i++)
		if (ring_helpers[i].id == id)
			return ring_helpers[i].fn;
	return NULL;
}
