/* SPDX-License-Identifier: MIT */
/*
 * ring.h - `bpfload OBJ --ring PATH ...`: the object's iouring programs in
 * libvm's ring executor over a real io_uring.  ring_main.c reads the
 * options; ring_setup.c verifies and loads the programs (maps in shared
 * memory, published for mapctl), opens the --ring files as fixed files,
 * registers the memory window and fills iouring_env; ring_loop.c starts
 * the programs and drives the executor until they complete, fault or a
 * signal stops them; ring_report.c prints the result as text or JSON.
 */
#ifndef BK_BPFLOAD_RING_H
#define BK_BPFLOAD_RING_H

#include <liburing.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "json.h"
#include "tool.h"
#include "verify.h"
#include "vm.h"

#define RL_MAX_FILES 16
#define RL_MAX_ARGS 256
#define RL_MAX_SETS 64
#define RL_MAX_PROGS 64
#define RL_KEEP_CQES 4096

struct rl_opts {
	const char *obj;     /* path or "-" */
	const char *section; /* -s: the one program to start */
	const char *paths[RL_MAX_FILES];
	int npaths;
	const char *args[RL_MAX_ARGS];
	int nargs;
	const char *sets[RL_MAX_SETS]; /* MAP:KEY=VALUE */
	int nsets;
	uint32_t qd;
	uint64_t mem, budget;
	bool interp, stats, json, pretty, verbose, no_verify, dump_maps;
};

struct rl_prog {
	struct bk_prog *bp;    /* in the object */
	struct bk_vm_prog *vp; /* loaded */
	void *jp;	       /* struct bk_jit_prog *, NULL with --interp */
	int index;	       /* in the executor */
	bool start, done;      /* started by bpfload; its completion seen */
	int32_t res;	       /* completion result */
	int verdict;	       /* 1 accepted, 0 rejected, -1 not verified */
	struct bk_verify_stats vs;
	struct bk_insn_fact *facts; /* accepted: what the verifier proved, for the JIT */
	size_t nfacts;
};

struct rl {
	const struct rl_opts *o;
	const char *name; /* the object's name for messages */
	struct bk_obj *obj;
	struct bk_vm *vm;
	struct bk_vm_obj *vo;
	struct bk_vm_pub *pub;
	struct io_uring ring;
	bool ring_ok;
	int fds[RL_MAX_FILES];
	uint64_t sizes[RL_MAX_FILES];
	struct bk_ring *ex;
	void *jit_disp; /* struct bk_jit_disp * */
	uint8_t *mem;	/* the window (o->mem bytes) */
	uint8_t *argmem;
	size_t arglen;
	struct rl_prog progs[RL_MAX_PROGS];
	int nprogs;
	/* results */
	struct bk_ring_cqe *cqes; /* CQ 0, the first RL_KEEP_CQES */
	size_t ncqes, ncqes_total;
	struct bk_diag err; /* the first error */
	int rc;
	bool interrupted;
	uint64_t ns;
	struct bk_ring_stats st;
};

/* ring_main.c: the hook main.c calls. */
bool bl_ring_requested(int argc, char **argv);
int bl_ring_main(int argc, char **argv);

/* Records the first error (code, printf message) and returns exit_code. */
int rl_fail(struct rl *r, int exit_code, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Records diag as the first error, located in program p when given. */
int rl_fail_diag(struct rl *r, int exit_code, const struct bk_diag *d, const struct bk_prog *p);

/* ring_setup.c */
int rl_setup(struct rl *r);
void rl_teardown(struct rl *r);

/* ring_loop.c */
/* Blocks SIGINT and SIGTERM (caught while the executor waits in the
 * kernel); wait_mask gets the mask for those waits. */
void rl_block_signals(sigset_t *wait_mask);
int rl_loop(struct rl *r);

/* ring_report.c */
void rl_report(struct rl *r);

#endif
