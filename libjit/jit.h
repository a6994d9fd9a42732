/* SPDX-License-Identifier: MIT */
/*
 * jit.h - libjit: x86-64 native code for BPF programs prepared by libvm,
 * executable memory that is never writable and executable at once, and a
 * dispatcher for several programs attached to one hook.
 *
 * Objects:
 *   struct bk_jit_prog  native code of one struct bk_vm_prog, in one mode
 *                       (enum bk_vm_mode).  It shares the program's maps,
 *                       helpers and runs with the interpreter: a run made by
 *                       bk_vm_run__new() executes either engine.
 *   struct bk_jit_disp  a dispatcher: a generated trampoline that calls any
 *                       of its programs with a direct call, chosen by binary
 *                       search on the program's address (the kernel's BPF
 *                       dispatcher design), regenerated when programs come
 *                       and go.
 *
 * Modes (as the interpreter's):
 *   BK_VM_CHECKED  for unverified code.  Every load, store and atomic is
 *                  checked against the run's memory (accesses through r10
 *                  at a constant offset inside the frame are checked at
 *                  compile time), atomics must be aligned, instructions are
 *                  counted per basic block against the run's budget, calls
 *                  are limited to BK_VM_MAX_FRAMES, callx targets are looked
 *                  up.  A fault stops the run with -BK_E_VM_* naming the
 *                  instruction, as the interpreter does.
 *   BK_VM_TRUSTED  for verified code: a 1:1 translation, no per-access
 *                  checks (the call depth is still limited, so a runaway
 *                  recursion faults instead of overflowing the stack).
 * Semantics are the interpreter's in both modes: x / 0 = 0, x % 0 = x,
 * INT_MIN s/ -1 = INT_MIN, INT_MIN s% -1 = 0, shift amounts masked, 32-bit
 * results zero-extended, r0 and r3..r9 zero at entry, 512-byte frames in
 * the run's stack, helpers and kfuncs called directly by address, tail
 * calls (at most BK_VM_MAX_TAIL_CALLS) into programs that have native code
 * in the same mode.
 *
 * Facts: with opts.facts (struct bk_insn_fact, uapi.h: what a verifier
 * proved per instruction) the generator drops what the facts make
 * redundant: moves of constants a register already holds, zero-extensions
 * of values whose upper half is zero, division-by-zero and -1 checks,
 * memory checks of checked mode, branches decided in advance, the bounds
 * check of inlined array lookups.  Facts are trusted as given.
 *
 * Conventions as in uapi.h: 0 or a count on success, -errno or -BK_E_* on
 * failure with details in an optional struct bk_diag; nothing prints or
 * exits; bk_x__free(NULL) is a no-op.
 */
#ifndef BK_JIT_H
#define BK_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi.h"
#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bk_jit_prog;
struct bk_jit_disp;

/* ---------------------------------------------------------------------
 * Compiling and running
 * ------------------------------------------------------------------- */

enum {
	BK_JIT_HARDEN = 1 << 0,	   /* constant blinding (as bpf_jit_harden) */
	BK_JIT_NO_BMI2 = 1 << 1,   /* no shlx/shrx/sarx even when the CPU has them */
	BK_JIT_NO_INLINE = 1 << 2, /* call map_lookup_elem on array maps, no inlining */
	BK_JIT_NO_ALIGN = 1 << 3,  /* no padding before loop heads */
};

struct bk_jit_opts {
	size_t sz;			  /* sizeof(struct bk_jit_opts) */
	uint8_t mode;			  /* enum bk_vm_mode */
	uint32_t flags;			  /* BK_JIT_* */
	const struct bk_insn_fact *facts; /* one per instruction slot, or NULL */
	size_t nfacts;			  /* must equal the program's slot count */
	uint64_t seed;			  /* blinding keys; 0: random */
};

/* Compiles prog.  The program's maps, helpers and kfuncs must outlive the
 * result.  The first native code of a program in a mode is attached to it
 * (bk_vm_prog__set_engine_data) so tail calls from native code reach it.
 * Errors: -BK_E_JIT* (diag names the instruction), -ENOMEM, -EINVAL. */
int bk_jit_prog__new(struct bk_vm_prog *prog, const struct bk_jit_opts *opts,
		     struct bk_jit_prog **out, struct bk_diag *diag);
void bk_jit_prog__free(struct bk_jit_prog *jp);

struct bk_vm_prog *bk_jit_prog__vm_prog(const struct bk_jit_prog *jp);
uint8_t bk_jit_prog__mode(const struct bk_jit_prog *jp);

/* Runs jp on the run's context, as bk_vm_run__exec() runs the interpreter:
 * *r0 gets the return value; a fault returns -BK_E_VM_* with the
 * instruction in diag->insn.  The run's mode must be jp's (-EINVAL).
 * bk_vm_run__insn_count() afterwards gives the instructions executed
 * (checked mode; counted per basic block). */
int bk_jit_prog__exec(struct bk_vm_run *run, struct bk_jit_prog *jp, uint64_t *r0,
		      struct bk_diag *diag);
/* Runs jp n times on the run's context, as BPF_PROG_TEST_RUN with repeat
 * does: the loop is native code, each run starts afresh (r1, r2, tail
 * calls, budget); stops at the first fault.  *r0: the last run's. */
int bk_jit_prog__exec_n(struct bk_vm_run *run, struct bk_jit_prog *jp, uint64_t n, uint64_t *r0,
			struct bk_diag *diag);

/* ---------------------------------------------------------------------
 * Inspecting native code (bpfjit --dump)
 * ------------------------------------------------------------------- */

/* The image: [enter stub | abort path | repeat loop | main prologue |
 * body | stubs].  Offsets are bytes from the start of the image. */
struct bk_jit_layout {
	const uint8_t *image; /* executable, read-only */
	size_t size;
	uint64_t addr;	     /* run-time address of image[0] */
	uint32_t enter;	     /* the C-callable entry stub */
	uint32_t abort;	     /* where faults unwind to */
	uint32_t repeat;     /* the repeat loop's entry (bk_jit_prog__exec_n) */
	uint32_t prologue;   /* the main function's prologue */
	uint32_t body;	     /* native code of instruction 0 */
	uint32_t stubs;	     /* out-of-line paths: faults, checks, thunks */
	const uint32_t *off; /* per slot: start of its code; off[cnt] = stubs */
	size_t cnt;	     /* instruction slots */
};
void bk_jit_prog__layout(const struct bk_jit_prog *jp, struct bk_jit_layout *out);

struct bk_jit_stats {
	uint32_t passes;     /* code generation passes until jumps settled */
	uint64_t compile_ns; /* wall time of bk_jit_prog__new */
	uint32_t inlined;    /* array lookups inlined */
	uint32_t facts_used; /* instructions emitted shorter thanks to facts */
	uint32_t blinded;    /* immediates blinded (BK_JIT_HARDEN) */
};
void bk_jit_prog__stats(const struct bk_jit_prog *jp, struct bk_jit_stats *out);

/* ---------------------------------------------------------------------
 * The dispatcher
 *
 * A trampoline image: the entry stub calls a binary search over the
 * programs' entry addresses whose leaves jump directly to the program;
 * an address it does not know is called indirectly.  Adding or removing a
 * program generates a new image (W^X) and switches to it; old images stay
 * mapped until the dispatcher is freed, so a run in progress on another
 * thread finishes safely.  Programs must outlive their membership.
 * ------------------------------------------------------------------- */

enum bk_jit_disp_kind {
	BK_JIT_DISP_SEARCH = 0,	   /* binary search, direct jumps (the dispatcher) */
	BK_JIT_DISP_INDIRECT = 1,  /* plain indirect call (for comparison) */
	BK_JIT_DISP_RETPOLINE = 2, /* indirect call through a retpoline thunk */
};

int bk_jit_disp__new(enum bk_jit_disp_kind kind, struct bk_jit_disp **out);
void bk_jit_disp__free(struct bk_jit_disp *d);
/* Adding a program twice is a no-op; -E2BIG past 256 programs. */
int bk_jit_disp__add(struct bk_jit_disp *d, struct bk_jit_prog *jp);
/* -ENOENT when jp is not a member. */
int bk_jit_disp__remove(struct bk_jit_disp *d, struct bk_jit_prog *jp);
size_t bk_jit_disp__count(const struct bk_jit_disp *d);
/* Runs jp as bk_jit_prog__exec() does, through the dispatcher. */
int bk_jit_disp__exec(struct bk_jit_disp *d, struct bk_vm_run *run, struct bk_jit_prog *jp,
		      uint64_t *r0, struct bk_diag *diag);
/* The current image, for --dump and tests. */
const void *bk_jit_disp__image(const struct bk_jit_disp *d, size_t *len);

#ifdef __cplusplus
}
#endif
#endif /* BK_JIT_H */
