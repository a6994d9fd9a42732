// SPDX-License-Identifier: MIT
/*
 * ring_loop.c - `bpfload --ring`'s run: starts the programs (BPF requests
 * with user_data = the program's index, completing on CQ 0), drives the
 * executor until nothing is left, and collects CQ 0: completions of the
 * started requests (flag BK_RING_CQE_F_BPF) and the CQEs programs emit
 * (printed as they come in text mode).
 *
 * SIGINT and SIGTERM are blocked except while the executor waits in the
 * kernel, so a signal never cuts a program run short: it ends a wait, the
 * executor cancels the I/O in flight and waits for it, and the maps stay
 * as the last completed run left them.  A fault or a failed request stops
 * everything the same way.  The signal handler only records the signal,
 * so the one process-wide variable below is all the state it needs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

void rl_block_signals(sigset_t *wait_mask)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGTERM);
}

/* A stop signal arrived, or is pending (the executor noticed it between
 * runs without waiting). */
static bool stop_requested(void)
{
	sigset_t pend;

	if (stop_signal)
		return true;
	if (!sigpending(&pend) &&
	    (sigismember(&pend, SIGINT) == 1 || sigismember(&pend, SIGTERM) == 1)) {
		stop_signal = sigismember(&pend, SIGINT) == 1 ? SIGINT : SIGTERM;
		return true;
	}
	return false;
}

static struct rl_prog *started_prog(struct rl *r, const struct bk_ring_cqe *c)
{
	for (int i = 0; i < r->nprogs; i++)
		if (r->progs[i].start && !r->progs[i].done && c->user_data == (uint64_t)i)
			return &r->progs[i];
	return NULL;
}

static void keep_cqe(struct rl *r, const struct bk_ring_cqe *c)
{
	r->ncqes_total++;
	if (r->ncqes >= RL_KEEP_CQES)
		return;
	if (!r->cqes) {
		r->cqes = malloc(RL_KEEP_CQES * sizeof(*r->cqes));
		if (!r->cqes)
			return;
	}
	r->cqes[r->ncqes++] = *c;
}

/* Takes CQ 0's CQEs. */
static void drain(struct rl *r)
{
	struct bk_ring_cqe c;

	while (!bk_ring__pop_cqe(r->ex, 0, &c)) {
		struct rl_prog *p = c.flags & BK_RING_CQE_F_BPF ? started_prog(r, &c) : NULL;

		if (p) {
			p->done = true;
			p->res = c.res;
			if (!r->o->json && r->o->verbose)
				fprintf(stderr, "done: program %s: %d\n", bk_prog__name(p->bp),
					c.res);
			continue;
		}
		keep_cqe(r, &c);
		if (!r->o->json)
			fprintf(stderr, "cqe: user_data=%llu res=%d flags=%#x\n",
				(unsigned long long)c.user_data, c.res, c.flags);
	}
}

static int start(struct rl *r)
{
	for (int i = 0; i < r->nprogs; i++) {
		struct io_uring_sqe *sqe;

		if (!r->progs[i].start)
			continue;
		sqe = io_uring_get_sqe(&r->ring);
		if (!sqe) {
			int err = bk_ring__submit(r->ex);

			if (err < 0)
				return rl_fail(r, TOOL_EXIT_USAGE, -err, "io_uring: %s",
					       strerror(-err));
			sqe = io_uring_get_sqe(&r->ring);
			if (!sqe)
				return rl_fail(r, TOOL_EXIT_USAGE, EBUSY, "io_uring: no free SQE");
		}
		bk_ring_prep_bpf(sqe, (uint32_t)r->progs[i].index, 0, (uint64_t)i);
	}
	return 0;
}

/* A fault: the error, located in the program that faulted. */
static void fault(struct rl *r, const struct bk_diag *d)
{
	int fp = bk_ring__fault_prog(r->ex);

	rl_fail_diag(r, TOOL_EXIT_REJECT, d, fp >= 0 && fp < r->nprogs ? r->progs[fp].bp : NULL);
}

static void stopped(struct rl *r)
{
	r->interrupted = true;
	rl_fail(r, TOOL_EXIT_REJECT, EINTR,
		"stopped by %s: I/O in flight cancelled, maps kept as the last completed run "
		"left them",
		stop_signal == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void results(struct rl *r)
{
	for (int i = 0; i < r->nprogs; i++) {
		const struct rl_prog *p = &r->progs[i];

		if (!p->start || r->rc)
			continue;
		if (!p->done)
			rl_fail(r, TOOL_EXIT_REJECT, BK_E_RING_STOPPED,
				"program %s did not complete", bk_prog__name(p->bp));
		else if (p->res < 0)
			rl_fail(r, TOOL_EXIT_REJECT, -p->res, "program %s completed with %d (%s)",
				bk_prog__name(p->bp), p->res, bk_strerror(-p->res));
	}
}

int rl_loop(struct rl *r)
{
	uint64_t t0 = tool_now_ns();
	struct bk_diag d;
	int err;

	if (start(r))
		return r->rc;
	for (;;) {
		bk_diag__init(&d);
		err = bk_ring__run(r->ex, 1, &d);
		drain(r);
		if (stop_requested()) {
			stopped(r);
			break;
		}
		if (err == -EINTR)
			continue;
		if (err < 0) {
			if (err <= -1000)
				fault(r, &d);
			else
				rl_fail_diag(r, TOOL_EXIT_USAGE, &d, NULL);
			break;
		}
		if (bk_ring__idle(r->ex))
			break;
	}
	if (!bk_ring__idle(r->ex))
		bk_ring__cancel(r->ex);
	drain(r);
	r->ns = tool_now_ns() - t0;
	bk_ring__stats(r->ex, &r->st);
	results(r);
	return r->rc;
}
