/* SPDX-License-Identifier: MIT */
/*
 * ringtest.h - the ring executor from unit tests: a real io_uring, a VM,
 * hand-written iouring programs and the bytecode pieces they share
 * (building an SQE on the stack, calling the ring helpers).
 *
 *   struct rt t;
 *   REQUIRE(rt_init(&t, prog, ARRAY_LEN(prog)) == 0);
 *   rt_start(&t, 0, 0, 7);   (program 0, completion on CQ 0, user_data 7)
 *   CHECK_EQ(bk_ring__run(t.ex, 1, &t.diag), 0);
 *   ...
 *   rt_fini(&t);
 *
 * The stack SQE is at r10 - 64 (user_data at -32, the CQ at -8); r6 holds
 * the context.
 */
#ifndef BK_RINGTEST_H
#define BK_RINGTEST_H

#include <liburing.h>
#include <string.h>

#include "harness.h"
#include "vm.h"

#define RT_QUEUE_SQE (BK_HELPER_RING_BASE + 0)
#define RT_EMIT_CQE (BK_HELPER_RING_BASE + 1)
#define RT_REAP_CQE (BK_HELPER_RING_BASE + 2)
#define RT_COPY_TO_USER (BK_HELPER_RING_BASE + 3)
#define RT_COPY_FROM_USER 148

/* Zeroes the SQE at r10 - 64 (8 insns). */
#define RT_SQE_ZERO()                                                                              \
	BK_ST_MEM(DW, 10, -64, 0), BK_ST_MEM(DW, 10, -56, 0), BK_ST_MEM(DW, 10, -48, 0),           \
		BK_ST_MEM(DW, 10, -40, 0), BK_ST_MEM(DW, 10, -32, 0), BK_ST_MEM(DW, 10, -24, 0),   \
		BK_ST_MEM(DW, 10, -16, 0), BK_ST_MEM(DW, 10, -8, 0)
/* SQE fields (one insn each). */
#define RT_SQE_OP(OP) BK_ST_MEM(B, 10, -64, OP)
#define RT_SQE_FLAGS(F) BK_ST_MEM(B, 10, -63, F)
#define RT_SQE_FD(FD) BK_ST_MEM(W, 10, -60, FD)
#define RT_SQE_OFF(V) BK_ST_MEM(DW, 10, -56, V)
#define RT_SQE_LEN(V) BK_ST_MEM(W, 10, -40, V)
#define RT_SQE_DATA(V) BK_ST_MEM(DW, 10, -32, V)
#define RT_SQE_CQ(V) BK_ST_MEM(W, 10, -8, V)
/* iouring_queue_sqe(ctx = r6, r10 - 64, 64) (5 insns) */
#define RT_QUEUE()                                                                                 \
	BK_MOV64_REG(1, 6), BK_MOV64_REG(2, 10), BK_ALU64_IMM(ADD, 2, -64), BK_MOV64_IMM(3, 64),   \
		BK_CALL(RT_QUEUE_SQE)
/* iouring_reap_cqe(ctx = r6, CQ, r10 - 80, 16) (5 insns) */
#define RT_REAP(CQ)                                                                                \
	BK_MOV64_REG(1, 6), BK_MOV64_IMM(2, CQ), BK_MOV64_REG(3, 10), BK_ALU64_IMM(ADD, 3, -80),   \
		BK_MOV64_IMM(4, 16), BK_CALL(RT_REAP_CQE)
/* ctx->wait_nr = N, ctx->wait_idx = CQ (2 insns) */
#define RT_WAIT(N, CQ) BK_ST_MEM(W, 6, 8, N), BK_ST_MEM(W, 6, 12, CQ)

struct rt {
	struct io_uring ring;
	struct bk_vm *vm;
	struct bk_vm_prog *prog[4];
	struct bk_ring *ex;
	struct bk_diag diag;
	bool ring_ok;
};

/* Loads one more iouring program into t (index returned, or -1). */
static inline int rt_add(struct rt *t, const struct bk_insn *p, size_t n)
{
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .name = "rt", .type = BK_PROG_IOURING};
	int i = 0;

	while (i < 4 && t->prog[i])
		i++;
	if (i == 4 || bk_vm_prog__load(t->vm, p, n, &po, &t->prog[i], &t->diag))
		return -1;
	return bk_ring__add_prog(t->ex, t->prog[i]);
}

/* A ring of 64 entries, a VM, an executor (checked interpreter, the given
 * budget or the default, nfiles fixed files) and program p as index 0. */
static inline int rt_init_opts(struct rt *t, const struct bk_insn *p, size_t n, uint64_t budget,
			       uint32_t nfiles)
{
	struct bk_vm_opts vo = {.sz = sizeof(vo), .ncpus = 2, .seed = 1};
	struct bk_ring_opts ro = {.sz = sizeof(ro),
				  .ncqs = 4,
				  .budget = budget,
				  .nfiles = nfiles,
				  .mode = BK_VM_CHECKED};

	memset(t, 0, sizeof(*t));
	bk_diag__init(&t->diag);
	if (io_uring_queue_init(64, &t->ring, 0))
		return -1;
	t->ring_ok = true;
	if (bk_vm__new(&vo, &t->vm) || bk_ring__new(t->vm, &t->ring, &ro, &t->ex, &t->diag))
		return -1;
	return p && rt_add(t, p, n) != 0 ? -1 : 0;
}

static inline int rt_init(struct rt *t, const struct bk_insn *p, size_t n)
{
	return rt_init_opts(t, p, n, 0, 0);
}

static inline void rt_fini(struct rt *t)
{
	if (t->ex)
		bk_ring__cancel(t->ex);
	bk_ring__free(t->ex);
	for (int i = 0; i < 4; i++)
		bk_vm_prog__free(t->prog[i]);
	bk_vm__free(t->vm);
	if (t->ring_ok)
		io_uring_queue_exit(&t->ring);
	memset(t, 0, sizeof(*t));
}

/* Queues a BPF request of program prog. */
static inline void rt_start(struct rt *t, uint32_t prog, uint32_t cq, uint64_t user_data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&t->ring);

	if (sqe)
		bk_ring_prep_bpf(sqe, prog, cq, user_data);
}

/* Runs until CQ 0 holds a CQE and pops it; the run's result. */
static inline int rt_one(struct rt *t, struct bk_ring_cqe *c)
{
	int err = bk_ring__run(t->ex, 1, &t->diag);

	memset(c, 0xff, sizeof(*c));
	bk_ring__pop_cqe(t->ex, 0, c);
	return err;
}

#endif
