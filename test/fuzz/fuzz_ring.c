// SPDX-License-Identifier: MIT
/*
 * fuzz_ring - the ring executor's SQE checks (ring_sqe_check), the line
 * between a ring program and the kernel.  Input: 64 bytes of SQE, one
 * byte of options, then the contents of the registered memory (paths,
 * socklen values).  Option bits rebase addr (bit 0) and off (bit 1) near
 * the memory so checks are exercised at its edges, not only far away.
 *
 * Memory: win[0..2048) readable by every program, win[2048..4096)
 * read-write for program 0 (the one running), win[4096..6144) read-write
 * for program 1 (never acceptable here).  Fixed files: 2; owned fd: 7.
 *
 * Oracle: an SQE the check accepts must stay inside what was granted
 * (buffers, timespec, path with its NUL, sockaddr and socklen in the
 * right windows with the right access; files in range or owned), else
 * abort().  Nothing is submitted to the kernel.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ring_int.h"

static struct {
	bool ready;
	struct io_uring ring;
	struct bk_vm *vm;
	struct bk_ring *ex;
	struct bk_vm_run *run;
	struct ring_req req;
	uint8_t win[6144];
} F;

static void setup(void)
{
	struct bk_ring_opts ro = {.sz = sizeof(ro), .ncqs = 4, .nfiles = 2, .mode = BK_VM_CHECKED};
	struct bk_vm_run_opts rno = {.sz = sizeof(rno), .mode = BK_VM_CHECKED};

	if (io_uring_queue_init(8, &F.ring, 0) || bk_vm__new(NULL, &F.vm) ||
	    bk_ring__new(F.vm, &F.ring, &ro, &F.ex, NULL) || bk_vm_run__new(F.vm, &rno, &F.run))
		abort();
	if (bk_ring__add_mem(F.ex, BK_RING_ALL_PROGS, F.win, 2048, BK_RING_MEM_READ) ||
	    bk_ring__add_mem(F.ex, 0, F.win + 2048, 2048, BK_RING_MEM_READ | BK_RING_MEM_WRITE) ||
	    bk_ring__add_mem(F.ex, 1, F.win + 4096, 2048, BK_RING_MEM_READ | BK_RING_MEM_WRITE))
		abort();
	ring_fd_own(F.ex, 7);
	F.req.prog = 0;
	F.ex->cur = &F.req;
	F.ready = true;
}

/* [p, p + n) inside [lo, hi) of win */
static bool in(uint64_t p, uint64_t n, size_t lo, size_t hi)
{
	uintptr_t b = (uintptr_t)F.win;

	return p >= b + lo && p + n <= b + hi && p + n >= p;
}

static void oracle(const struct io_uring_sqe *s)
{
	bool fixed = s->flags & IOSQE_FIXED_FILE;

	/* a CQE skipped on success: only with a plain link to the next SQE,
	 * and never where the result is a descriptor to own */
	if ((s->flags & IOSQE_CQE_SKIP_SUCCESS) &&
	    ((s->flags & (IOSQE_IO_LINK | IOSQE_IO_HARDLINK)) != IOSQE_IO_LINK ||
	     s->opcode == IORING_OP_OPENAT || s->opcode == IORING_OP_ACCEPT))
		abort();
	switch (s->opcode) {
	case IORING_OP_READ:
	case IORING_OP_RECV:
		if (s->len && !in(s->addr, s->len, 2048, 4096))
			abort();
		break;
	case IORING_OP_WRITE:
	case IORING_OP_SEND:
		if (s->len && !in(s->addr, s->len, 0, 4096))
			abort();
		break;
	case IORING_OP_TIMEOUT:
	case IORING_OP_LINK_TIMEOUT:
		if (!in(s->addr, 16, 0, 4096))
			abort();
		break;
	case IORING_OP_OPENAT: {
		size_t lo = (size_t)(s->addr - (uintptr_t)F.win), hi = lo < 2048 ? 2048 : 4096;

		if (!in(s->addr, 1, 0, 4096) || !memchr(F.win + lo, 0, hi - lo))
			abort();
		if (s->fd != AT_FDCWD && s->fd != 7)
			abort();
		return;
	}
	case IORING_OP_ACCEPT:
		if (s->addr || s->off) {
			uint32_t alen;

			if (!in(s->off, 4, 2048, 4096))
				abort();
			memcpy(&alen, (void *)(uintptr_t)s->off, 4);
			if (!in(s->addr, alen ? alen : 1, 2048, 4096))
				abort();
		}
		break;
	case IORING_OP_NOP:
		if (s->addr || s->len || fixed)
			abort();
		return;
	case IORING_OP_CLOSE:
		if (fixed || s->fd != 7)
			abort();
		return;
	default:
		break;
	}
	if (s->opcode != IORING_OP_TIMEOUT && s->opcode != IORING_OP_LINK_TIMEOUT &&
	    (fixed ? s->fd < 0 || s->fd >= 2 : s->fd != 7))
		abort();
	if (s->flags & IOSQE_BUFFER_SELECT || s->personality || s->buf_index)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct io_uring_sqe s;
	uint8_t opt = 0;

	if (!F.ready)
		setup();
	memset(&s, 0, sizeof(s));
	memcpy(&s, data, size < sizeof(s) ? size : sizeof(s));
	if (size > sizeof(s))
		opt = data[sizeof(s)];
	memset(F.win, 0, sizeof(F.win));
	if (size > sizeof(s) + 1)
		memcpy(F.win, data + sizeof(s) + 1,
		       size - sizeof(s) - 1 < sizeof(F.win) ? size - sizeof(s) - 1 : sizeof(F.win));
	if (opt & 1)
		s.addr = (uintptr_t)F.win + (s.addr % 8192) - 1024;
	if (opt & 2)
		s.off = (uintptr_t)F.win + (s.off % 8192) - 1024;
	if (s.opcode == BK_IORING_OP_BPF)
		return 0;
	if (ring_sqe_check(F.ex, F.run, &s))
		oracle(&s);
	return 0;
}
