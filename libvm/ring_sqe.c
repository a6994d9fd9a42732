// SPDX-License-Identifier: MIT
/*
 * ring_sqe.c - the SQEs ring programs queue: the opcode whitelist, the
 * fields each opcode may use, the files it may name, the memory windows
 * every address must fall in, and queueing the checked copy on the ring.
 *
 * The program's SQE is copied once and every check and the queued SQE use
 * that copy, so the program cannot change it between check and use.  A
 * check that fails faults the run (the engine stops at the call) with a
 * BK_E_RING_* code and a message naming the field.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ring_int.h"

/* What an opcode's SQE may hold besides opcode, flags and user_data. */
enum {
	R_FD = 1 << 0,	     /* a file: fixed index (IOSQE_FIXED_FILE) or an owned fd */
	R_DIRFD = 1 << 1,    /* AT_FDCWD or an owned fd */
	R_NOFD = 1 << 2,     /* no file: fd is -1 or 0 */
	R_CLOSEFD = 1 << 3,  /* an owned fd, given up */
	R_BUF_IN = 1 << 4,   /* addr/len: the kernel reads the buffer */
	R_BUF_OUT = 1 << 5,  /* addr/len: the kernel writes the buffer */
	R_PATH = 1 << 6,     /* addr: a NUL-terminated path */
	R_TS = 1 << 7,	     /* addr: a 16-byte timespec; len 1 */
	R_SOCKADDR = 1 << 8, /* addr: sockaddr (written), off: socklen_t * (read, written) */
	R_OFF = 1 << 9,	     /* off may be non-zero */
	R_LEN = 1 << 10,     /* len may be non-zero (without a buffer) */
	R_OPF = 1 << 11,     /* the opcode's flags word may be non-zero */
};

// clang-format off
static const struct sqe_rule {
	uint8_t op;
	const char *name;
	uint16_t rules;
} rules[] = {
	/* opcode                  name            may hold */
	{IORING_OP_NOP,           "nop",          R_NOFD},
	{IORING_OP_READ,          "read",         R_FD | R_BUF_OUT | R_OFF | R_OPF},
	{IORING_OP_WRITE,         "write",        R_FD | R_BUF_IN | R_OFF | R_OPF},
	{IORING_OP_OPENAT,        "openat",       R_DIRFD | R_PATH | R_LEN | R_OPF},
	{IORING_OP_CLOSE,         "close",        R_CLOSEFD},
	{IORING_OP_FSYNC,         "fsync",        R_FD | R_OFF | R_LEN | R_OPF},
	{IORING_OP_TIMEOUT,       "timeout",      R_NOFD | R_TS | R_OFF | R_OPF},
	{IORING_OP_LINK_TIMEOUT,  "link_timeout", R_NOFD | R_TS | R_OPF},
	{IORING_OP_POLL_ADD,      "poll_add",     R_FD | R_LEN | R_OPF},
	{IORING_OP_SEND,          "send",         R_FD | R_BUF_IN | R_OPF},
	{IORING_OP_RECV,          "recv",         R_FD | R_BUF_OUT | R_OPF},
	{IORING_OP_ACCEPT,        "accept",       R_FD | R_SOCKADDR | R_OPF},
};
// clang-format on

#define ALLOWED_FLAGS                                                                              \
	(IOSQE_FIXED_FILE | IOSQE_IO_LINK | IOSQE_IO_HARDLINK | IOSQE_IO_DRAIN | IOSQE_ASYNC |     \
	 IOSQE_CQE_SKIP_SUCCESS)
#define MAX_PATH 4096

/* The SQE fields bpfkit reads, by offset (struct io_uring_sqe). */
struct sqe_view {
	uint8_t opcode, flags;
	uint16_t ioprio;
	int32_t fd;
	uint64_t off, addr;
	uint32_t len, op_flags;
	uint64_t user_data;
	uint16_t buf_index, personality;
	uint32_t file_index;
	uint64_t addr3;
	uint32_t cq, pad;
};
_Static_assert(sizeof(struct sqe_view) == 64, "an SQE is 64 bytes");

/* ---- memory and files ------------------------------------------------------ */

static const struct ring_win *find_win(const struct bk_ring *r, uint64_t p, uint64_t len,
				       unsigned flags)
{
	int prog = r->cur ? (int)r->cur->prog : -2;

	if (p + len < p)
		return NULL;
	for (unsigned i = 0; i < r->nwins; i++) {
		const struct ring_win *w = &r->wins[i];

		if ((w->prog == BK_RING_ALL_PROGS || w->prog == prog) &&
		    (w->flags & flags) == flags && p >= w->lo && p < w->hi && len <= w->hi - p)
			return w;
	}
	return NULL;
}

bool ring_mem_ok(const struct bk_ring *r, uint64_t p, uint64_t len, unsigned flags)
{
	return find_win(r, p, len ? len : 1, flags) != NULL;
}

void ring_fd_own(struct bk_ring *r, int fd)
{
	size_t w = (size_t)fd / 64;

	if (fd < 0 || fd >= (1 << 24))
		return;
	if (w >= r->fd_words) {
		size_t n = w + 1 > r->fd_words * 2 ? w + 1 : r->fd_words * 2;
		uint64_t *b = realloc(r->fds, n * sizeof(*b));

		if (!b)
			return; /* the fd stays unusable to programs: safe */
		memset(b + r->fd_words, 0, (n - r->fd_words) * sizeof(*b));
		r->fds = b;
		r->fd_words = n;
	}
	r->fds[w] |= 1ull << (fd % 64);
}

void ring_fd_drop(struct bk_ring *r, int fd)
{
	if (ring_fd_owned(r, fd))
		r->fds[fd / 64] &= ~(1ull << (fd % 64));
}

bool ring_fd_owned(const struct bk_ring *r, int fd)
{
	return fd >= 0 && (size_t)fd / 64 < r->fd_words && (r->fds[fd / 64] >> (fd % 64) & 1);
}

/* ---- checks ------------------------------------------------------------------- */

#define FAULT(code, ...)                                                                           \
	do {                                                                                       \
		bk_vm_run__fault(run, (code), "iouring_queue_sqe: " __VA_ARGS__);                  \
		return false;                                                                      \
	} while (0)

static bool check_fields(struct bk_vm_run *run, const struct sqe_rule *ru, const struct sqe_view *s)
{
	const char *n = ru->name;

	if (s->flags & ~ALLOWED_FLAGS)
		FAULT(BK_E_RING_SQE,
		      "%s: flags %#x are not allowed (only fixed file, link, "
		      "hardlink, drain, async, cqe skip success)",
		      n, s->flags);
	if ((s->flags & IOSQE_CQE_SKIP_SUCCESS) &&
	    (s->flags & (IOSQE_IO_LINK | IOSQE_IO_HARDLINK)) != IOSQE_IO_LINK)
		FAULT(BK_E_RING_SQE,
		      "%s: IOSQE_CQE_SKIP_SUCCESS needs IOSQE_IO_LINK (not hardlink): "
		      "the next SQE of the chain posts its CQE",
		      n);
	if ((s->flags & IOSQE_CQE_SKIP_SUCCESS) && (ru->rules & (R_PATH | R_SOCKADDR)))
		FAULT(BK_E_RING_SQE,
		      "%s: IOSQE_CQE_SKIP_SUCCESS: the descriptor it returns would be lost", n);
	if (s->ioprio || s->buf_index || s->personality || s->file_index || s->addr3 || s->pad)
		FAULT(BK_E_RING_SQE,
		      "%s: ioprio, buf_index, personality, file_index and addr3 "
		      "must be zero",
		      n);
	if (s->off && !(ru->rules & (R_OFF | R_SOCKADDR)))
		FAULT(BK_E_RING_SQE, "%s: off must be zero", n);
	if (s->addr && !(ru->rules & (R_BUF_IN | R_BUF_OUT | R_PATH | R_TS | R_SOCKADDR)))
		FAULT(BK_E_RING_SQE, "%s: addr must be zero", n);
	if (s->len && !(ru->rules & (R_LEN | R_BUF_IN | R_BUF_OUT | R_TS)))
		FAULT(BK_E_RING_SQE, "%s: len must be zero", n);
	if (s->op_flags && !(ru->rules & R_OPF))
		FAULT(BK_E_RING_SQE, "%s: the flags word must be zero", n);
	return true;
}

static bool check_file(struct bk_ring *r, struct bk_vm_run *run, const struct sqe_rule *ru,
		       const struct sqe_view *s)
{
	bool fixed = s->flags & IOSQE_FIXED_FILE;
	const char *n = ru->name;

	if (fixed && !(ru->rules & R_FD))
		FAULT(BK_E_RING_SQE, "%s takes no fixed file", n);
	if (ru->rules & R_NOFD) {
		if (s->fd != -1 && s->fd != 0)
			FAULT(BK_E_RING_SQE, "%s: fd must be -1 (no file), not %d", n, s->fd);
	} else if (ru->rules & R_DIRFD) {
		if (s->fd != AT_FDCWD && !ring_fd_owned(r, s->fd))
			FAULT(BK_E_RING_FD,
			      "%s: dirfd %d is neither AT_FDCWD nor a descriptor the "
			      "ring's programs opened",
			      n, s->fd);
	} else if (fixed) {
		if (s->fd < 0 || (uint32_t)s->fd >= r->nfiles)
			FAULT(BK_E_RING_FD, "%s: fixed file %d is not registered (the ring has %u)",
			      n, s->fd, r->nfiles);
	} else if (!ring_fd_owned(r, s->fd)) {
		FAULT(BK_E_RING_FD,
		      "%s: fd %d is not a descriptor the ring's programs opened "
		      "(use a fixed file index with IOSQE_FIXED_FILE)",
		      n, s->fd);
	}
	return true;
}

static bool check_path(struct bk_ring *r, struct bk_vm_run *run, const struct sqe_view *s)
{
	const struct ring_win *w = find_win(r, s->addr, 1, BK_RING_MEM_READ);
	size_t max;

	if (!w)
		FAULT(BK_E_RING_SQE_ADDR,
		      "openat: path %#" PRIx64 " is not in readable memory "
		      "registered for the program",
		      s->addr);
	max = w->hi - s->addr < MAX_PATH ? w->hi - s->addr : MAX_PATH;
	if (!memchr((const void *)(uintptr_t)s->addr, 0, max))
		FAULT(BK_E_RING_SQE_ADDR,
		      "openat: path %#" PRIx64 " has no NUL within its "
		      "registered memory (or %d bytes)",
		      s->addr, MAX_PATH);
	return true;
}

static bool check_sockaddr(struct bk_ring *r, struct bk_vm_run *run, const struct sqe_view *s)
{
	const unsigned rw = BK_RING_MEM_READ | BK_RING_MEM_WRITE;
	uint32_t alen;

	if (!s->addr && !s->off)
		return true;
	if (!find_win(r, s->off, sizeof(alen), rw))
		FAULT(BK_E_RING_SQE_ADDR,
		      "accept: addrlen %#" PRIx64 " is not in read-write "
		      "memory registered for the program",
		      s->off);
	memcpy(&alen, (const void *)(uintptr_t)s->off, sizeof(alen));
	if (!find_win(r, s->addr, alen ? alen : 1, BK_RING_MEM_WRITE))
		FAULT(BK_E_RING_SQE_ADDR,
		      "accept: sockaddr %#" PRIx64 " (%u bytes) is not in "
		      "writable memory registered for the program",
		      s->addr, alen);
	return true;
}

static bool check_mem(struct bk_ring *r, struct bk_vm_run *run, const struct sqe_rule *ru,
		      const struct sqe_view *s)
{
	const char *n = ru->name;

	if ((ru->rules & R_BUF_OUT) && s->len && !find_win(r, s->addr, s->len, BK_RING_MEM_WRITE))
		FAULT(BK_E_RING_SQE_ADDR,
		      "%s: buffer %#" PRIx64 " (%u bytes) is not in writable "
		      "memory registered for the program",
		      n, s->addr, s->len);
	if ((ru->rules & R_BUF_IN) && s->len && !find_win(r, s->addr, s->len, BK_RING_MEM_READ))
		FAULT(BK_E_RING_SQE_ADDR,
		      "%s: buffer %#" PRIx64 " (%u bytes) is not in readable "
		      "memory registered for the program",
		      n, s->addr, s->len);
	if (ru->rules & R_TS) {
		if (s->len != 1)
			FAULT(BK_E_RING_SQE, "%s: len must be 1 (one timespec), not %u", n, s->len);
		if (!find_win(r, s->addr, 16, BK_RING_MEM_READ))
			FAULT(BK_E_RING_SQE_ADDR,
			      "%s: timespec %#" PRIx64 " is not in readable "
			      "memory registered for the program",
			      n, s->addr);
	}
	if ((ru->rules & R_PATH) && !check_path(r, run, s))
		return false;
	if ((ru->rules & R_SOCKADDR) && !check_sockaddr(r, run, s))
		return false;
	return true;
}

/* A BPF request a program queues: started at once, no kernel round trip. */
static uint64_t queue_bpf(struct bk_ring *r, struct bk_vm_run *run, const struct sqe_view *s)
{
	int err;

	if (s->flags || s->ioprio || (s->fd != -1 && s->fd != 0) || s->addr || s->len ||
	    s->op_flags || s->buf_index || s->personality || s->file_index || s->addr3 || s->pad)
		FAULT(BK_E_RING_SQE, "bpf request: only off (program), user_data and the CQ "
				     "may be set");
	if (s->off >= r->nprogs)
		FAULT(BK_E_RING_PROG,
		      "bpf request: no program at index %" PRIu64 " (the ring "
		      "has %u)",
		      s->off, r->nprogs);
	if (s->cq > r->ncqs)
		FAULT(BK_E_RING_CQ, "bpf request: CQ %u does not exist (0..%u)", s->cq, r->ncqs);
	err = ring_req_start(r, (uint32_t)s->off, s->cq, s->user_data);
	if (!err)
		r->st.sqes++;
	return (uint64_t)(int64_t)err;
}

#undef FAULT

/* ---- queueing --------------------------------------------------------------------- */

static struct io_uring_sqe *get_sqe(struct bk_ring *r)
{
	struct io_uring_sqe *sqe;

	if (ring_take_user_sqes(r))
		return NULL;
	sqe = io_uring_get_sqe(r->ring);
	/* the SQ was full: submit it, unless that would cut a chain in two */
	if (!sqe && !(r->last_sqe && (r->last_sqe->flags & (IOSQE_IO_LINK | IOSQE_IO_HARDLINK))) &&
	    !ring_enter(r, 0))
		sqe = io_uring_get_sqe(r->ring);
	return sqe;
}

/* Routes the program's new slot i; a skip SQE opens or extends the run's
 * skip chain and is not counted, the SQE after it closes the chain. */
static void chain_add(struct bk_ring *r, uint32_t i, bool skip, uint32_t cq)
{
	struct ring_slot *s = &r->slots[i];

	s->skip = skip;
	ring_slot_route(r, i, SLOT_PROG, cq);
	if (r->chain_tail != UINT32_MAX) {
		r->slots[r->chain_tail].chain = i;
		s->grp = r->slots[r->chain_tail].grp;
	} else if (skip) {
		s->grp = i;
	}
	r->chain_tail = skip ? i : UINT32_MAX;
}

static const struct sqe_rule *rule_of(uint8_t opcode)
{
	for (size_t k = 0; k < sizeof(rules) / sizeof(rules[0]); k++)
		if (rules[k].op == opcode)
			return &rules[k];
	return NULL;
}

bool ring_sqe_check(struct bk_ring *r, struct bk_vm_run *run, const void *sqe)
{
	const struct sqe_rule *ru;
	struct sqe_view s;

	memcpy(&s, sqe, sizeof(s));
	ru = rule_of(s.opcode);
	if (!ru) {
		bk_vm_run__fault(run, BK_E_RING_OPCODE,
				 "iouring_queue_sqe: opcode %u is not allowed for ring programs "
				 "(nop, read, write, openat, close, fsync, timeout, link_timeout, "
				 "poll_add, send, recv, accept, bpf)",
				 s.opcode);
		return false;
	}
	if (s.cq > r->ncqs) {
		bk_vm_run__fault(run, BK_E_RING_CQ,
				 "iouring_queue_sqe: %s: CQ %u does not exist (0..%u)", ru->name,
				 s.cq, r->ncqs);
		return false;
	}
	return check_fields(run, ru, &s) && check_file(r, run, ru, &s) && check_mem(r, run, ru, &s);
}

uint64_t ring_queue_sqe(struct bk_ring *r, struct bk_vm_run *run, const void *p, uint64_t len)
{
	const struct sqe_rule *ru;
	struct io_uring_sqe *sqe;
	struct sqe_view s;
	int i;

	if (len != sizeof(s)) {
		bk_vm_run__fault(run, BK_E_RING_SQE,
				 "iouring_queue_sqe: len is %" PRIu64 ", an SQE is 64 bytes", len);
		return 0;
	}
	memcpy(&s, p, sizeof(s)); /* checked and queued: this copy only */
	if (s.opcode == BK_IORING_OP_BPF)
		return queue_bpf(r, run, &s);
	if (!ring_sqe_check(r, run, &s))
		return 0;
	ru = rule_of(s.opcode);
	sqe = get_sqe(r);
	if (!sqe)
		return (uint64_t)-ENOSPC;
	i = ring_slot_new(r);
	if (i < 0) {
		/* give the SQE back: it was the last one taken */
		r->ring->sq.sqe_tail--;
		return (uint64_t)(int64_t)i;
	}
	if (ru->rules & R_CLOSEFD)
		ring_fd_drop(r, s.fd);
	chain_add(r, (uint32_t)i, s.flags & IOSQE_CQE_SKIP_SUCCESS, s.cq);
	r->slots[i].user_data = s.user_data;
	r->slots[i].opcode = s.opcode;
	s.cq = 0;
	s.user_data = ring_slot_tag(r, (uint32_t)i);
	memcpy(sqe, &s, sizeof(s));
	r->seen = r->ring->sq.sqe_tail;
	r->last_sqe = sqe;
	r->last_sqe_idx = r->ring->sq.sqe_tail - 1;
	r->st.sqes++;
	return 0;
}
