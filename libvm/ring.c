// SPDX-License-Identifier: MIT
/*
 * ring.c - the io_uring ring executor (see "The io_uring ring executor" in
 * vm.h): programs and memory windows, the userspace CQs, the slots that
 * tag every SQE the kernel sees, BPF requests and their runs, and the
 * loop that alternates running programs with one io_uring_enter.
 *
 * The loop waits in the kernel for as few CQEs as make progress possible:
 * the smallest number a waiting program still needs on its CQ (or the
 * caller on CQ 0), at most what is in flight.  A program that waits for
 * all of its I/O thus costs one io_uring_enter per batch.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring_int.h"

/* ---- CQs --------------------------------------------------------------- */

int ring_cq_push(struct bk_ring *r, uint32_t cq, uint64_t user_data, int32_t res, uint32_t flags)
{
	struct ring_cq *q = &r->cqs[cq];

	if (q->count == q->cap) {
		uint32_t cap = q->cap ? q->cap * 2 : 64;
		struct bk_ring_cqe *e;

		if (cap < q->cap)
			return -ENOMEM;
		e = malloc((size_t)cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		for (uint32_t i = 0; i < q->count; i++)
			e[i] = q->e[(q->head + i) & (q->cap - 1)];
		free(q->e);
		q->e = e;
		q->head = 0;
		q->cap = cap;
	}
	q->e[(q->head + q->count++) & (q->cap - 1)] =
		(struct bk_ring_cqe){.user_data = user_data, .res = res, .flags = flags};
	return 0;
}

int ring_cq_pop(struct bk_ring *r, uint32_t cq, struct bk_ring_cqe *out)
{
	struct ring_cq *q = &r->cqs[cq];

	if (!q->count)
		return -ENOENT;
	*out = q->e[q->head];
	q->head = (q->head + 1) & (q->cap - 1);
	q->count--;
	return 0;
}

/* ---- slots --------------------------------------------------------------- */

int ring_slot_new(struct bk_ring *r)
{
	uint32_t i;

	if (r->free_slot == UINT32_MAX) {
		uint32_t n = r->nslots ? r->nslots * 2 : 256;
		struct ring_slot *s;

		if (n > (1u << 30))
			return -ENOMEM;
		s = realloc(r->slots, (size_t)n * sizeof(*s));
		if (!s)
			return -ENOMEM;
		memset(s + r->nslots, 0, (size_t)(n - r->nslots) * sizeof(*s));
		for (i = r->nslots; i < n; i++)
			s[i].next = i + 1 < n ? i + 1 : UINT32_MAX;
		r->free_slot = r->nslots;
		r->slots = s;
		r->nslots = n;
	}
	i = r->free_slot;
	r->free_slot = r->slots[i].next;
	r->slots[i].gen++;
	r->slots[i].grp = r->slots[i].chain = UINT32_MAX;
	r->slots[i].skip = 0;
	return (int)i;
}

void ring_slot_count(struct bk_ring *r, const struct ring_slot *s, int d)
{
	if (s->kind == SLOT_USER || s->kind == SLOT_PROG)
		r->routes[s->cq] += (uint32_t)d;
	else if (s->kind == SLOT_START)
		r->starts += (uint32_t)d;
	r->inflight += (uint32_t)d;
}

void ring_slot_route(struct bk_ring *r, uint32_t idx, uint8_t kind, uint32_t cq)
{
	struct ring_slot *s = &r->slots[idx];

	s->kind = kind;
	s->cq = cq;
	if (!s->skip)
		ring_slot_count(r, s, 1);
}

void ring_slot_free(struct bk_ring *r, uint32_t idx)
{
	struct ring_slot *s = &r->slots[idx];

	if (!s->skip)
		ring_slot_count(r, s, -1);
	s->kind = SLOT_FREE;
	s->next = r->free_slot;
	r->free_slot = idx;
}

/* The one CQE of a skip chain came: every slot of it is done. */
static void free_group(struct bk_ring *r, uint32_t grp)
{
	for (uint32_t i = grp, next; i != UINT32_MAX; i = next) {
		next = r->slots[i].chain;
		if (r->slots[i].kind != SLOT_FREE && r->slots[i].grp == grp)
			ring_slot_free(r, i);
		else
			break;
	}
}

/* ---- the application's SQEs ------------------------------------------------- */

static uint32_t sqe_cq(const struct io_uring_sqe *sqe)
{
	uint32_t cq;

	memcpy(&cq, (const uint8_t *)sqe + BK_RING_SQE_CQ_OFF, sizeof(cq));
	return cq;
}

/* Cancel and remove requests name their target by user_data, which the
 * kernel sees as a tag: translate (the newest live SQE of the application
 * with that user_data). */
static void retarget(struct bk_ring *r, struct io_uring_sqe *sqe)
{
	uint32_t best = UINT32_MAX;

	if (sqe->opcode == IORING_OP_ASYNC_CANCEL &&
	    (sqe->cancel_flags & (IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ANY)))
		return;
	if (sqe->opcode != IORING_OP_ASYNC_CANCEL && sqe->opcode != IORING_OP_TIMEOUT_REMOVE &&
	    sqe->opcode != IORING_OP_POLL_REMOVE)
		return;
	for (uint32_t i = 0; i < r->nslots; i++)
		if (r->slots[i].kind == SLOT_USER && r->slots[i].user_data == sqe->addr &&
		    (best == UINT32_MAX || r->slots[i].gen > r->slots[best].gen))
			best = i;
	if (best != UINT32_MAX)
		sqe->addr = ring_slot_tag(r, best);
}

int ring_take_user_sqes(struct bk_ring *r)
{
	struct io_uring_sq *sq = &r->ring->sq;

	for (; r->seen != sq->sqe_tail; r->seen++) {
		struct io_uring_sqe *sqe = &sq->sqes[r->seen & sq->ring_mask];
		int i = ring_slot_new(r);
		struct ring_slot *s;

		if (i < 0)
			return i;
		s = &r->slots[i];
		s->user_data = sqe->user_data;
		if (sqe->opcode == BK_IORING_OP_BPF) {
			uint8_t flags = sqe->flags & (IOSQE_IO_LINK | IOSQE_IO_HARDLINK |
						      IOSQE_IO_DRAIN | IOSQE_ASYNC);
			uint32_t cq = sqe_cq(sqe);

			ring_slot_route(r, (uint32_t)i, SLOT_START, cq <= r->ncqs ? cq : 0);
			s->prog = sqe->off < r->nprogs && cq <= r->ncqs ? (uint32_t)sqe->off
									: UINT32_MAX;
			memset(sqe, 0, sizeof(*sqe));
			sqe->opcode = IORING_OP_NOP;
			sqe->flags = flags;
			sqe->fd = -1;
		} else {
			ring_slot_route(r, (uint32_t)i, SLOT_USER, 0);
			retarget(r, sqe);
			sqe->flags &= (uint8_t)~IOSQE_CQE_SKIP_SUCCESS; /* one CQE each */
		}
		sqe->user_data = ring_slot_tag(r, (uint32_t)i);
		r->st.user_sqes++;
	}
	return 0;
}

/* ---- requests ------------------------------------------------------------------ */

static void runq_push(struct bk_ring *r, struct ring_req *q)
{
	q->state = REQ_RUNNABLE;
	q->next = NULL;
	q->prev = NULL;
	if (r->runq_tail)
		r->runq_tail->next = q;
	else
		r->runq = q;
	r->runq_tail = q;
}

static struct ring_req *runq_pop(struct bk_ring *r)
{
	struct ring_req *q = r->runq;

	if (q) {
		r->runq = q->next;
		if (!r->runq)
			r->runq_tail = NULL;
		q->next = NULL;
	}
	return q;
}

static void waitq_add(struct bk_ring *r, struct ring_req *q)
{
	q->state = REQ_WAITING;
	q->prev = NULL;
	q->next = r->waitq;
	if (r->waitq)
		r->waitq->prev = q;
	r->waitq = q;
}

static void waitq_del(struct bk_ring *r, struct ring_req *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else
		r->waitq = q->next;
	if (q->next)
		q->next->prev = q->prev;
	q->next = q->prev = NULL;
}

int ring_req_start(struct bk_ring *r, uint32_t prog, uint32_t cq, uint64_t user_data)
{
	struct ring_req *q;

	if (prog >= r->nprogs || cq > r->ncqs)
		return -EINVAL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->prog = prog;
	q->cq = cq;
	q->user_data = user_data;
	q->ctx.user_data = user_data;
	runq_push(r, q);
	r->nreqs++;
	r->st.requests++;
	return 0;
}

/* The request is done: its CQE goes to its CQ. */
static int req_complete(struct bk_ring *r, struct ring_req *q, int32_t res)
{
	int err = ring_cq_push(r, q->cq, q->user_data, res, BK_RING_CQE_F_BPF);

	r->nreqs--;
	r->st.completed++;
	free(q);
	return err;
}

/* Ends the links the run left open: a chain never spans two runs.  A
 * skip chain left open ends with an SQE that posts its CQE after all. */
static void end_run_links(struct bk_ring *r)
{
	struct io_uring_sq *sq = &r->ring->sq;
	uint32_t t = r->chain_tail;

	if (r->last_sqe && (int)(r->last_sqe_idx - sq->sqe_head) >= 0) {
		r->last_sqe->flags &= (uint8_t)~(IOSQE_IO_LINK | IOSQE_IO_HARDLINK);
		if (t != UINT32_MAX) {
			r->last_sqe->flags &= (uint8_t)~IOSQE_CQE_SKIP_SUCCESS;
			r->slots[t].skip = 0;
			ring_slot_count(r, &r->slots[t], 1);
		}
	}
	r->last_sqe = NULL;
	r->chain_tail = UINT32_MAX;
}

static int run_fault(struct bk_ring *r, struct ring_req *q, int err, struct bk_diag *diag)
{
	const char *name = bk_vm_prog__name(r->progs[q->prog]);
	char msg[400];
	int cerr;

	r->st.faults++;
	r->fault_prog = (int)q->prog;
	if (diag) {
		snprintf(msg, sizeof(msg), "%.399s", diag->msg);
		snprintf(diag->msg, sizeof(diag->msg), "program %.64s (request %" PRIu64 "): %s",
			 name, q->user_data, msg);
	}
	cerr = req_complete(r, q, err);
	return cerr ? cerr : err;
}

static int run_req(struct bk_ring *r, struct ring_req *q, struct bk_diag *diag)
{
	struct bk_vm_prog *prog = r->progs[q->prog];
	uint64_t r0 = 0;
	int err;

	q->ctx.user_data = q->user_data;
	q->ctx.wait_nr = 0;
	bk_vm_run__ctx_raw(r->run, &q->ctx, sizeof(q->ctx));
	r->cur = q;
	r->run->ring = r;
	err = r->exec(r->exec_ctx, r->run, prog, &r0, diag);
	r->run->ring = NULL;
	r->cur = NULL;
	end_run_links(r);
	r->st.runs++;
	r->st.insns += bk_vm_run__insn_count(r->run);
	if (err)
		return run_fault(r, q, err, diag);
	if (!q->ctx.wait_nr)
		return req_complete(r, q, (int32_t)r0);
	if (!q->ctx.wait_idx || q->ctx.wait_idx > r->ncqs) {
		err = bk_diag__set(diag, BK_E_RING_CQ, -1,
				   "waits on CQ %u, which is not a program CQ (1..%u)",
				   q->ctx.wait_idx, r->ncqs);
		return run_fault(r, q, err, diag);
	}
	waitq_add(r, q);
	return 0;
}

static bool req_ready(const struct bk_ring *r, const struct ring_req *q)
{
	return r->cqs[q->ctx.wait_idx].count >= q->ctx.wait_nr;
}

/* A signal the waits would let in is pending: programs that keep each
 * other busy without I/O never wait in the kernel, so look now and then. */
static bool signal_waiting(const struct bk_ring *r)
{
	sigset_t pend;

	if (!r->has_sigmask || sigpending(&pend))
		return false;
	for (int s = 1; s < NSIG; s++)
		if (sigismember(&pend, s) == 1 && sigismember(&r->sigmask, s) == 0)
			return true;
	return false;
}

/* Runs every runnable request and every waiting one whose CQ has filled,
 * until none is left. */
static int run_ready(struct bk_ring *r, struct bk_diag *diag)
{
	for (unsigned n = 1;; n++) {
		struct ring_req *q, *next;
		int err;

		if (n % 1024 == 0 && signal_waiting(r))
			return bk_diag__set(diag, EINTR, -1, "interrupted by a signal");

		/* oldest waiter first: the list is newest first */
		for (q = r->waitq; q && q->next; q = q->next)
			;
		for (; q; q = next) {
			next = q->prev;
			if (req_ready(r, q)) {
				waitq_del(r, q);
				runq_push(r, q);
			}
		}
		q = runq_pop(r);
		if (!q)
			return 0;
		err = run_req(r, q, diag);
		if (err)
			return err;
	}
}

/* ---- the kernel side ------------------------------------------------------------- */

int ring_enter(struct bk_ring *r, unsigned want)
{
	struct io_uring_sq *sq = &r->ring->sq;
	unsigned tail = sq->sqe_tail, flags = want ? IORING_ENTER_GETEVENTS : 0;
	unsigned to_submit;
	int ret;

	if (sq->sqe_head != tail) {
		sq->sqe_head = tail;
		io_uring_smp_store_release(sq->ktail, tail);
	}
	to_submit = tail - io_uring_smp_load_acquire(sq->khead);
	if (r->ring->flags & IORING_SETUP_IOPOLL)
		flags |= IORING_ENTER_GETEVENTS;
	if (!to_submit && !want)
		return 0;
	r->st.enters++;
	ret = io_uring_enter((unsigned)r->ring->ring_fd, to_submit, want, flags,
			     r->has_sigmask ? &r->sigmask : NULL);
	return ret < 0 ? ret : 0;
}

static void route(struct bk_ring *r, const struct io_uring_cqe *cqe)
{
	uint32_t idx = (uint32_t)cqe->user_data, gen = (uint32_t)(cqe->user_data >> 32);
	bool more = cqe->flags & IORING_CQE_F_MORE;
	struct ring_slot *s;

	r->st.cqes++;
	if (idx >= r->nslots || r->slots[idx].gen != gen || r->slots[idx].kind == SLOT_FREE)
		return; /* not ours (cannot happen: every SQE is tagged) */
	s = &r->slots[idx];
	switch (s->kind) {
	case SLOT_USER:
		ring_cq_push(r, 0, s->user_data, cqe->res, cqe->flags & ~BK_RING_CQE_F_BPF);
		break;
	case SLOT_PROG:
		if ((s->opcode == IORING_OP_OPENAT || s->opcode == IORING_OP_ACCEPT) &&
		    cqe->res >= 0)
			ring_fd_own(r, cqe->res);
		ring_cq_push(r, s->cq, s->user_data, cqe->res, cqe->flags & ~BK_RING_CQE_F_BPF);
		break;
	case SLOT_START:
		if (s->prog == UINT32_MAX || cqe->res < 0) {
			r->st.requests++; /* a request that ends before it runs */
			r->st.completed++;
		}
		if (s->prog == UINT32_MAX)
			ring_cq_push(r, s->cq, s->user_data, -EINVAL, BK_RING_CQE_F_BPF);
		else if (cqe->res < 0)
			ring_cq_push(r, s->cq, s->user_data, cqe->res, BK_RING_CQE_F_BPF);
		else if (ring_req_start(r, s->prog, s->cq, s->user_data))
			ring_cq_push(r, s->cq, s->user_data, -ENOMEM, BK_RING_CQE_F_BPF);
		break;
	default:
		break;
	}
	if (s->grp != UINT32_MAX)
		free_group(r, s->grp);
	else if (!more)
		ring_slot_free(r, idx);
}

/* Moves every kernel CQE to its userspace CQ; flushes a CQ overflow. */
static int reap(struct bk_ring *r)
{
	for (int round = 0; round < 2; round++) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;

		io_uring_for_each_cqe(r->ring, head, cqe)
		{
			route(r, cqe);
			n++;
		}
		io_uring_cq_advance(r->ring, n);
		if (!(IO_URING_READ_ONCE(*r->ring->sq.kflags) & IORING_SQ_CQ_OVERFLOW))
			break;
		r->st.enters++;
		io_uring_enter((unsigned)r->ring->ring_fd, 0, 0, IORING_ENTER_GETEVENTS, NULL);
	}
	return 0;
}

/* ---- the loop ----------------------------------------------------------------------- */

/* CQEs to wait for in the kernel: 0 when nothing is in flight (a
 * deadlock if programs wait), else at least 1.  Never more than the
 * fewest CQEs after which someone could go on: a waiting program (its CQ
 * needs n more and that much I/O in flight goes there), the caller (CQ 0),
 * a BPF request about to start; with none of those, all in flight. */
static unsigned wait_target(const struct bk_ring *r, uint32_t min_cq0)
{
	unsigned want = UINT32_MAX;

	if (!r->inflight)
		return 0;
	if (r->starts)
		return 1;
	for (const struct ring_req *q = r->waitq; q; q = q->next) {
		unsigned need = q->ctx.wait_nr - r->cqs[q->ctx.wait_idx].count;

		if (r->routes[q->ctx.wait_idx] >= need && need < want)
			want = need;
	}
	if (min_cq0 && r->routes[0] >= min_cq0 - r->cqs[0].count &&
	    min_cq0 - r->cqs[0].count < want)
		want = min_cq0 - r->cqs[0].count;
	if (want > r->inflight)
		want = r->inflight;
	return want ? want : 1;
}

/* Every waiting request waits in vain: fail them all. */
static int fail_waiters(struct bk_ring *r, struct bk_diag *diag)
{
	int err = 0;

	while (r->waitq) {
		struct ring_req *q = r->waitq;
		int e;

		waitq_del(r, q);
		e = bk_diag__set(diag, BK_E_RING_WAIT, -1,
				 "waits for %u CQEs on CQ %u, which holds %u, and no I/O is in "
				 "flight",
				 q->ctx.wait_nr, q->ctx.wait_idx, r->cqs[q->ctx.wait_idx].count);
		e = run_fault(r, q, e, diag);
		if (!err)
			err = e;
	}
	return err;
}

int bk_ring__run(struct bk_ring *r, uint32_t min_cq0, struct bk_diag *diag)
{
	for (;;) {
		unsigned want;
		int err = ring_take_user_sqes(r);

		if (!err)
			err = run_ready(r, diag);
		if (err)
			return err;
		if (min_cq0 && r->cqs[0].count >= min_cq0)
			return ring_enter(r, 0);
		want = wait_target(r, min_cq0);
		if (!want) {
			err = ring_enter(r, 0);
			if (err)
				return err;
			if (r->waitq)
				return fail_waiters(r, diag);
			if (!r->inflight)
				return 0;
			continue;
		}
		err = ring_enter(r, want);
		reap(r);
		if (err == -EINTR)
			return bk_diag__set(diag, EINTR, -1, "interrupted by a signal");
		if (err && err != -EAGAIN && err != -EBUSY)
			return bk_diag__set(diag, -err, -1, "io_uring_enter: %s", strerror(-err));
	}
}

int bk_ring__submit(struct bk_ring *r)
{
	struct io_uring_sq *sq = &r->ring->sq;
	unsigned before = io_uring_smp_load_acquire(sq->khead), pending;
	int err = ring_take_user_sqes(r);

	if (err)
		return err;
	pending = sq->sqe_tail - before;
	err = ring_enter(r, 0);
	reap(r);
	return err ? err : (int)pending;
}

bool bk_ring__idle(const struct bk_ring *r)
{
	return !r->nreqs && !r->inflight && r->seen == r->ring->sq.sqe_tail;
}

/* ---- cancel -------------------------------------------------------------------------- */

static void drop_requests(struct bk_ring *r)
{
	struct ring_req *q;

	while ((q = runq_pop(r)))
		req_complete(r, q, -ECANCELED);
	while ((q = r->waitq)) {
		waitq_del(r, q);
		req_complete(r, q, -ECANCELED);
	}
}

int bk_ring__cancel(struct bk_ring *r)
{
	int err = ring_take_user_sqes(r);

	drop_requests(r);
	for (int tries = 0; !err && r->inflight && tries < 1000; tries++) {
		struct io_uring_sqe *sqe;
		unsigned want;
		int i;

		/* cancel everything still in the kernel; our cancel is one more slot */
		if (tries % 8 == 0 && (sqe = io_uring_get_sqe(r->ring))) {
			i = ring_slot_new(r);
			if (i < 0)
				return i;
			io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
			ring_slot_route(r, (uint32_t)i, SLOT_CANCEL, 0);
			sqe->user_data = ring_slot_tag(r, (uint32_t)i);
			r->seen = r->ring->sq.sqe_tail;
		}
		want = r->inflight;
		err = ring_enter(r, want);
		reap(r);
		drop_requests(r); /* requests started by NOPs that completed */
		if (err == -EINTR || err == -EAGAIN || err == -EBUSY || err == -ETIME)
			err = 0;
	}
	return err;
}

/* ---- set-up ------------------------------------------------------------------------------ */

static int exec_interp(void *ctx, struct bk_vm_run *run, struct bk_vm_prog *prog, uint64_t *r0,
		       struct bk_diag *diag)
{
	(void)ctx;
	return bk_vm_run__exec(run, prog, r0, diag);
}

#define OPT(o, f, dflt)                                                                            \
	((o) && (o)->sz >= offsetof(struct bk_ring_opts, f) + sizeof((o)->f) ? (o)->f : (dflt))

int bk_ring__new(struct bk_vm *vm, struct io_uring *ring, const struct bk_ring_opts *opts,
		 struct bk_ring **out, struct bk_diag *diag)
{
	struct bk_vm_run_opts ro = {.sz = sizeof(ro)};
	const sigset_t *mask = OPT(opts, sigmask, NULL);
	struct bk_ring *r;
	int err;

	if (!vm || !ring || !out)
		return bk_diag__set(diag, EINVAL, -1, "bk_ring__new: missing argument");
	if (ring->flags & (IORING_SETUP_SQPOLL | IORING_SETUP_SQE128 | IORING_SETUP_CQE32))
		return bk_diag__set(diag, EINVAL, -1,
				    "the ring executor needs a ring without SQPOLL, SQE128 and "
				    "CQE32");
	r = calloc(1, sizeof(*r));
	if (!r)
		return bk_diag__set(diag, ENOMEM, -1, "out of memory");
	r->vm = vm;
	r->ring = ring;
	r->ncqs = OPT(opts, ncqs, 0) ? OPT(opts, ncqs, 0) : 8;
	r->nfiles = OPT(opts, nfiles, 0);
	r->exec = OPT(opts, exec, NULL) ? OPT(opts, exec, NULL) : exec_interp;
	r->exec_ctx = OPT(opts, exec_ctx, NULL);
	if (mask) {
		r->sigmask = *mask;
		r->has_sigmask = true;
	}
	r->free_slot = UINT32_MAX;
	r->chain_tail = UINT32_MAX;
	r->fault_prog = -1;
	r->seen = ring->sq.sqe_head;
	if (r->ncqs > BK_RING_MAX_CQS) {
		err = bk_diag__set(diag, EINVAL, -1, "%u program CQs: at most %d", r->ncqs,
				   BK_RING_MAX_CQS);
		free(r);
		return err;
	}
	ro.mode = OPT(opts, mode, BK_VM_CHECKED);
	ro.budget = OPT(opts, budget, 0) ? OPT(opts, budget, 0) : BK_RING_DEFAULT_BUDGET;
	r->cqs = calloc(r->ncqs + 1, sizeof(*r->cqs));
	r->routes = calloc(r->ncqs + 1, sizeof(*r->routes));
	err = r->cqs && r->routes ? bk_vm_run__new(vm, &ro, &r->run) : -ENOMEM;
	if (err) {
		bk_ring__free(r);
		return bk_diag__set(diag, -err, -1, "cannot create the executor: %s",
				    strerror(-err));
	}
	*out = r;
	return 0;
}

void bk_ring__free(struct bk_ring *r)
{
	struct ring_req *q;

	if (!r)
		return;
	while ((q = runq_pop(r)))
		free(q);
	while ((q = r->waitq)) {
		waitq_del(r, q);
		free(q);
	}
	for (uint32_t i = 0; r->cqs && i <= r->ncqs; i++)
		free(r->cqs[i].e);
	free(r->cqs);
	free(r->routes);
	free(r->slots);
	free(r->fds);
	free(r->progs);
	bk_vm_run__free(r->run);
	free(r);
}

int bk_ring__add_prog(struct bk_ring *r, struct bk_vm_prog *prog)
{
	struct bk_vm_prog **p;

	if (!prog || bk_vm_prog__type(prog) != BK_PROG_IOURING || prog->vm != r->vm)
		return -EINVAL;
	if (r->nprogs >= RING_MAX_PROGS)
		return -E2BIG;
	p = realloc(r->progs, (r->nprogs + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	r->progs = p;
	p[r->nprogs] = prog;
	return (int)r->nprogs++;
}

int bk_ring__add_mem(struct bk_ring *r, int prog, void *base, size_t len, unsigned flags)
{
	uintptr_t lo = (uintptr_t)base;

	if (!base || !len || lo + len < lo || !flags ||
	    (flags & ~(unsigned)(BK_RING_MEM_READ | BK_RING_MEM_WRITE)) ||
	    (prog != BK_RING_ALL_PROGS && (prog < 0 || prog >= RING_MAX_PROGS)))
		return -EINVAL;
	if (r->nwins >= RING_MAX_WINDOWS)
		return -E2BIG;
	r->wins[r->nwins++] =
		(struct ring_win){.lo = lo, .hi = lo + len, .prog = prog, .flags = flags};
	return 0;
}

void bk_ring_prep_bpf(struct io_uring_sqe *sqe, uint32_t prog, uint32_t cq, uint64_t user_data)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = BK_IORING_OP_BPF;
	sqe->fd = -1;
	sqe->off = prog;
	sqe->user_data = user_data;
	memcpy((uint8_t *)sqe + BK_RING_SQE_CQ_OFF, &cq, sizeof(cq));
}

int bk_ring__pop_cqe(struct bk_ring *r, uint32_t cq, struct bk_ring_cqe *out)
{
	if (cq > r->ncqs || !out)
		return -EINVAL;
	return ring_cq_pop(r, cq, out) ? -EAGAIN : 0;
}

uint32_t bk_ring__cq_count(const struct bk_ring *r, uint32_t cq)
{
	return cq <= r->ncqs ? r->cqs[cq].count : 0;
}

void bk_ring__stats(const struct bk_ring *r, struct bk_ring_stats *st)
{
	*st = r->st;
}

int bk_ring__fault_prog(const struct bk_ring *r)
{
	return r->fault_prog;
}

const char *bk_ring__prog_name(const struct bk_ring *r, uint32_t i)
{
	return i < r->nprogs ? bk_vm_prog__name(r->progs[i]) : NULL;
}
