// SPDX-License-Identifier: MIT
/*
 * uring_cp - the hand-written liburing copy loop bench-50-ring compares the
 * ring executor against: QD slots, each reading a block of BS bytes and
 * writing what the read returned at the same offset, re-reading the rest
 * of the block after a short read, retiring at end of file.  Source and
 * destination are fixed files, as bpfload --ring registers them.  The
 * loop is the usual one: submit and wait for one CQE, then handle every
 * CQE that is there.  Modes:
 *   (none)  each read's CQE queues its write
 *   all     the same, waiting for every I/O in flight each time
 *   link    the ring_cp sample's algorithm without BPF: a slot's read is
 *           linked to the write of the whole block and skips its CQE on
 *           success; a short read posts its CQE (the write is cancelled
 *           without one); waits until half the slots have completed
 *
 *   uring_cp SRC DST QD BS [all|link]    prints "enters N ops N" on stderr
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct slot {
	unsigned long long base;
	unsigned got, len;
	char *buf;
};

static struct io_uring ring;
static struct slot *slots;
static unsigned bs, inflight; /* inflight: CQEs to come */
static bool linked;
static unsigned long long next_off, ops;

static void queue(unsigned i, int write, unsigned long long off, unsigned len)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	char *buf = slots[i].buf + (off - slots[i].base);

	if (!sqe) {
		io_uring_submit(&ring);
		sqe = io_uring_get_sqe(&ring);
	}
	if (write)
		io_uring_prep_write(sqe, 1, buf, len, off);
	else
		io_uring_prep_read(sqe, 0, buf, len, off);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, (unsigned long long)write << 32 | i);
	inflight++;
	ops++;
}

static void next_block(unsigned i)
{
	struct io_uring_sqe *sqe;

	slots[i].base = next_off;
	slots[i].got = 0;
	slots[i].len = bs;
	next_off += bs;
	if (!linked) {
		queue(i, 0, slots[i].base, bs);
		return;
	}
	if (io_uring_sq_space_left(&ring) < 2)
		io_uring_submit(&ring);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, 0, slots[i].buf, bs, slots[i].base);
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
	io_uring_sqe_set_data64(sqe, i);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_write(sqe, 1, slots[i].buf, bs, slots[i].base);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, 1ull << 32 | i);
	inflight++;
	ops += 2;
}

static int complete(struct io_uring_cqe *c)
{
	unsigned i = (unsigned)c->user_data, write = (unsigned)(c->user_data >> 32);
	struct slot *s = &slots[i];
	unsigned long long at = s->base + s->got;

	inflight--;
	if (c->res < 0)
		return c->res;
	if (!write) {
		if (c->res == 0)
			return 0;
		s->len = (unsigned)c->res;
		queue(i, 1, at, s->len);
		return 0;
	}
	s->got += (unsigned)c->res;
	if ((unsigned)c->res < s->len) {
		s->len -= (unsigned)c->res;
		queue(i, 1, at + (unsigned)c->res, s->len);
	} else if (s->got < bs) {
		queue(i, 0, at + (unsigned)c->res, bs - s->got);
	} else {
		next_block(i);
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long enters = 0;
	bool all;
	unsigned qd;
	int fds[2], err = 0;

	if (argc != 5 && argc != 6)
		return fprintf(stderr, "usage: uring_cp SRC DST QD BS [all|link]\n"), 2;
	all = argc == 6 && !strcmp(argv[5], "all");
	linked = argc == 6 && !strcmp(argv[5], "link");
	qd = (unsigned)atoi(argv[3]);
	bs = (unsigned)atoi(argv[4]);
	fds[0] = open(argv[1], O_RDONLY);
	fds[1] = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fds[0] < 0 || fds[1] < 0 || !qd || !bs)
		return perror("uring_cp"), 2;
	slots = calloc(qd, sizeof(*slots));
	if (!slots || io_uring_queue_init(qd * 2 < 64 ? 64 : qd * 2, &ring, 0) ||
	    io_uring_register_files(&ring, fds, 2))
		return fprintf(stderr, "uring_cp: set-up failed\n"), 2;
	for (unsigned i = 0; i < qd; i++) {
		slots[i].buf = aligned_alloc(4096, bs);
		if (!slots[i].buf)
			return 2;
		next_block(i);
	}
	while (inflight && !err) {
		struct io_uring_cqe *c;
		unsigned head, n = 0;

		unsigned half = qd / 2 ? qd / 2 : 1;

		if (io_uring_submit_and_wait(&ring, all	     ? inflight
						    : linked ? (inflight < half ? inflight : half)
							     : 1) < 0)
			return perror("io_uring_submit_and_wait"), 2;
		enters++;
		io_uring_for_each_cqe(&ring, head, c)
		{
			if (!err)
				err = complete(c);
			n++;
		}
		io_uring_cq_advance(&ring, n);
	}
	fprintf(stderr, "enters %llu ops %llu\n", enters, ops);
	if (err)
		return fprintf(stderr, "uring_cp: %s\n", strerror(-err)), 1;
	return 0;
}
