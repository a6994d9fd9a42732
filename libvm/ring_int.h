/* SPDX-License-Identifier: MIT */
/*
 * ring_int.h - the ring executor's internals shared by ring.c (requests,
 * CQs, the loop), ring_sqe.c (checking and queueing the SQEs programs
 * build) and ring_helpers.c (the helpers).
 *
 * Invariants:
 * - Every SQE the kernel sees carries a tag as user_data: slot index in
 *   the low 32 bits, the slot's generation above.  A slot lives from the
 *   SQE's queueing to its last CQE (one without IORING_CQE_F_MORE).
 * - r->seen is the SQ index up to which SQEs have been taken (tagged);
 *   the executor takes the application's SQEs before it queues its own.
 * - A program's SQE with IOSQE_CQE_SKIP_SUCCESS is linked to the next SQE
 *   it queues in the same run; such a chain posts exactly one CQE (the
 *   last SQE's, or that of the first one that failed), so its slots form
 *   a group (grp: the first slot, chain: the next one) counted once in
 *   inflight and routes, through its last slot, and freed together.
 * - A request is on exactly one of the run queue and the wait list, or is
 *   the one running (r->cur); requests are freed when they complete.
 */
#ifndef BK_RING_INT_H
#define BK_RING_INT_H

#include <liburing.h>
#include <signal.h>

#include "vm_int.h"

#define RING_MAX_WINDOWS 64
#define RING_MAX_PROGS 1024

/* A userspace completion queue: a FIFO that grows. */
struct ring_cq {
	struct bk_ring_cqe *e;
	uint32_t head, count, cap; /* cap: 0 or a power of two */
};

enum ring_req_state {
	REQ_RUNNABLE = 0,
	REQ_WAITING,
};

struct ring_req {
	struct bk_ring_ctx ctx; /* the program's r1: exactly the checked region */
	uint64_t user_data;	/* the request's (ctx.user_data may be scribbled on) */
	uint32_t prog, cq;
	uint8_t state;
	struct ring_req *next, *prev;
};

enum ring_slot_kind {
	SLOT_FREE = 0,
	SLOT_USER,   /* the application's SQE: completes on CQ 0 */
	SLOT_PROG,   /* a program's SQE: completes on slot.cq */
	SLOT_START,  /* a BPF request turned NOP: starts the program */
	SLOT_CANCEL, /* the executor's own cancel request */
};

struct ring_slot {
	uint64_t user_data; /* the submitter's */
	uint32_t gen;
	uint32_t cq;
	uint32_t prog;	/* SLOT_START: program index (UINT32_MAX: invalid) */
	uint32_t next;	/* free list */
	uint32_t grp;	/* first slot of its skip chain, or UINT32_MAX */
	uint32_t chain; /* next slot of its skip chain, or UINT32_MAX */
	uint8_t kind;	/* enum ring_slot_kind */
	uint8_t opcode; /* SLOT_PROG: openat/accept results become owned fds */
	uint8_t skip;	/* posts no CQE of its own on success (not counted) */
};

struct ring_win {
	uintptr_t lo, hi;
	int prog; /* BK_RING_ALL_PROGS or an index */
	unsigned flags;
};

struct bk_ring {
	struct bk_vm *vm;
	struct io_uring *ring;
	struct bk_vm_run *run;
	bk_ring_exec_fn exec;
	void *exec_ctx;
	uint32_t ncqs, nfiles;
	sigset_t sigmask;
	bool has_sigmask;
	/* programs */
	struct bk_vm_prog **progs;
	uint32_t nprogs;
	/* registered memory */
	struct ring_win wins[RING_MAX_WINDOWS];
	unsigned nwins;
	/* descriptors programs opened (bitmap by fd) */
	uint64_t *fds;
	size_t fd_words;
	/* CQs 0..ncqs */
	struct ring_cq *cqs;
	/* SQEs in flight */
	struct ring_slot *slots;
	uint32_t nslots, free_slot, inflight;
	uint32_t *routes; /* slots in flight per CQ whose CQEs go there (0..ncqs) */
	uint32_t starts;  /* SLOT_START slots in flight */
	unsigned seen;
	/* requests */
	struct ring_req *runq, *runq_tail, *waitq;
	uint32_t nreqs;
	struct ring_req *cur;
	/* the last SQE the running program queued (links end with the run) */
	struct io_uring_sqe *last_sqe;
	unsigned last_sqe_idx;
	/* the last slot of the run's open skip chain (UINT32_MAX: none) */
	uint32_t chain_tail;
	struct bk_ring_stats st;
	int fault_prog;
};

/* ring.c */
int ring_cq_push(struct bk_ring *r, uint32_t cq, uint64_t user_data, int32_t res, uint32_t flags);
int ring_cq_pop(struct bk_ring *r, uint32_t cq, struct bk_ring_cqe *out);
/* Tags the application's SQEs queued since the last call. */
int ring_take_user_sqes(struct bk_ring *r);
/* A free slot (its index), or -ENOMEM. */
int ring_slot_new(struct bk_ring *r);
void ring_slot_free(struct bk_ring *r, uint32_t idx);
/* Sets a new slot's kind and CQ; unless it is a skip slot it counts in
 * inflight and routes/starts until freed. */
void ring_slot_route(struct bk_ring *r, uint32_t idx, uint8_t kind, uint32_t cq);
/* Counts slot s in flight (d = 1) or no longer (d = -1): inflight, and
 * routes or starts by its kind. */
void ring_slot_count(struct bk_ring *r, const struct ring_slot *s, int d);
static inline uint64_t ring_slot_tag(const struct bk_ring *r, uint32_t idx)
{
	return (uint64_t)r->slots[idx].gen << 32 | idx;
}
/* Starts a BPF request of program prog (runnable at once); -EINVAL bad
 * index, -ENOMEM. */
int ring_req_start(struct bk_ring *r, uint32_t prog, uint32_t cq, uint64_t user_data);
/* Flushes queued SQEs to the kernel and waits for want CQEs. */
int ring_enter(struct bk_ring *r, unsigned want);

/* ring_sqe.c */
/* Checks the SQE a program built and queues it (or starts the BPF request
 * it describes).  0, -ENOSPC, or a fault recorded on run (returns 0 then;
 * the engine sees the status). */
uint64_t ring_queue_sqe(struct bk_ring *r, struct bk_vm_run *run, const void *sqe, uint64_t len);
/* Checks a 64-byte SQE (not a BPF request) against the rules for the
 * running program; false after recording the fault on run. */
bool ring_sqe_check(struct bk_ring *r, struct bk_vm_run *run, const void *sqe);
/* True when [p, p + len) lies in one window of the running program with
 * all of flags. */
bool ring_mem_ok(const struct bk_ring *r, uint64_t p, uint64_t len, unsigned flags);
/* Descriptors programs opened. */
void ring_fd_own(struct bk_ring *r, int fd);
void ring_fd_drop(struct bk_ring *r, int fd);
bool ring_fd_owned(const struct bk_ring *r, int fd);

#endif /* BK_RING_INT_H */
