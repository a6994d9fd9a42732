/* SPDX-License-Identifier: MIT */
/*
 * jit_int.h - libjit internals: native programs, the execution state native
 * code shares with the C runtime, the code generator's context, labels and
 * out-of-line stubs.
 *
 * Native frame (every BPF function, main and subprograms alike):
 *   push rbp, rbx, r13, r14, r15; sub rsp, 16     [rsp]: scratch (tail-call
 *   ctx), [rsp + 8]: may_goto budget; rbp (BPF r10) = caller's rbp - 512 in
 *   the run's stack.  The call depth is (stack_top - rbp) / 512; native code
 *   stores it in bk_vm_run_shared.depth before calls whose callee reads it
 *   (every helper in checked mode; bpf_loop and callx in trusted mode).
 * One layout for all functions is what lets a tail call (from main or a
 * subprogram) replace the current function with the target's main body.
 *
 * Registers: BPF r0..r10 live in rax, rdi, rsi, rdx, rcx, r8, rbx, r13, r14,
 * r15, rbp (r1..r5 are the System V argument registers, so helpers are
 * called as they are); r12 holds the run; r9 is the sixth helper argument;
 * r10 and r11 are scratch (r11: checked addresses, blinded immediates).
 *
 * C enters native code through the image's enter stub (C ABI), which saves
 * the callee-saved registers, records its rsp in struct bk_jit_exec
 * (abort_rsp; nested for bpf_loop callbacks) and calls the function.  A
 * fault or LD_ABS exit jumps to the abort path: rsp = abort_rsp, return 0
 * from the stub.
 */
#ifndef BK_JIT_INT_H
#define BK_JIT_INT_H

#include "jit.h"
#include "x86_int.h"

#define BK_JIT_MAGIC 0x4a49544bu /* "KTIJ" */

struct bk_jit_frame {
	struct bk_vm_run *run;
	uint64_t fp; /* rbp on entry: the caller's frame pointer */
	uint64_t fn; /* native function to call */
};

typedef uint64_t (*bk_jit_enter_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				    const struct bk_jit_frame *f);

/* Per execution, on the C stack; bk_vm_run_shared.engine points to it. */
struct bk_jit_exec {
	uint64_t abort_rsp;	       /* where the abort path unwinds to */
	uint64_t remaining;	       /* checked mode: instruction budget left */
	const struct bk_jit_prog *cur; /* program running (changes with tail calls) */
	const struct bk_jit_prog *entry;
	uint64_t limit; /* checked mode: the budget of one run */
	uint64_t runs;	/* the repeat loop: runs left */
};

enum {
	EX_ABORT_RSP = 0,
	EX_REMAINING = 8,
	EX_LIMIT = 32,
	EX_RUNS = 40,
	FR_RUN = 0,
	FR_FP = 8,
	FR_FN = 16,
	FRAME_SCRATCH = 0,  /* [rsp]: ctx saved across bpf_tail_call */
	FRAME_MAY_GOTO = 8, /* [rsp + 8] */
	FRAME_LOCALS = 16,
};
_Static_assert(__builtin_offsetof(struct bk_jit_exec, abort_rsp) == EX_ABORT_RSP, "layout");
_Static_assert(__builtin_offsetof(struct bk_jit_exec, remaining) == EX_REMAINING, "layout");
_Static_assert(__builtin_offsetof(struct bk_jit_exec, limit) == EX_LIMIT, "layout");
_Static_assert(__builtin_offsetof(struct bk_jit_exec, runs) == EX_RUNS, "layout");
_Static_assert(__builtin_offsetof(struct bk_jit_frame, fn) == FR_FN, "layout");

struct bk_jit_prog {
	uint32_t magic;
	uint8_t mode;
	struct bk_vm_prog *vprog;
	struct bk_jit_prog *sibling; /* native code of the same program in another mode */
	uint8_t *map;		     /* the mapping: read + exec after compiling */
	uint8_t *image;		     /* the code in it (at a varying offset, see mem.c) */
	size_t map_size, len;
	uint32_t enter_off, enter_n_off, abort_off, prologue_off, tail_off, body_off, stubs_off;
	uint32_t *off; /* cnt + 1 */
	size_t cnt;
	uint64_t *funcs; /* sorted native entries of the program's functions */
	size_t nfuncs;
	struct bk_jit_stats stats;
};

static inline uint64_t bk_jit_addr(const struct bk_jit_prog *jp, uint32_t off)
{
	return (uint64_t)(uintptr_t)jp->image + off;
}

/* ---- executable memory (mem.c) ---------------------------------------- */

/* size bytes (page-rounded into *map_size), read + write, within rel32
 * reach of near when possible; NULL on failure. */
void *bk_jit_mem_alloc(size_t size, const void *near, size_t *map_size);
/* Where code starts in a mapping from bk_jit_mem_alloc(size + BK_JIT_SPREAD):
 * an offset below BK_JIT_SPREAD derived from the mapping's address. */
enum {
	BK_JIT_SPREAD = 4096
};
size_t bk_jit_mem_spread(const void *map);
/* Read + exec from now on; 0 or -errno. */
int bk_jit_mem_seal(void *p, size_t map_size);
void bk_jit_mem_free(void *p, size_t map_size);

/* ---- runtime called from native code (runtime.c) ---------------------- */

/* info of a checked access: */
enum {
	MI_WRITE = 1,
	MI_ATOMIC = 2,
	MI_SIZE_SHIFT = 2, /* bits 2..5: size in bytes */
	MI_INSN_SHIFT = 8, /* bits 8..: instruction index */
};
uint64_t bk_jit_rt_mem(struct bk_vm_run *run, uint64_t addr, uint64_t info);
void bk_jit_rt_fault(struct bk_vm_run *run, uint64_t code, uint64_t insn);
uint64_t bk_jit_rt_status(struct bk_vm_run *run, uint64_t insn, uint64_t tail_site);
uint64_t bk_jit_rt_ldpkt(struct bk_vm_run *run, uint64_t off, uint64_t size, uint64_t insn);
uint64_t bk_jit_rt_callx(struct bk_vm_run *run, uint64_t target, uint64_t insn);
uint64_t bk_jit_rt_call(struct bk_vm_run *run, uint64_t fn, uint64_t r1, uint64_t r2, uint64_t r3,
			uint64_t r4, uint64_t r5);

/* Runs jp through enter with fn as the call target (exec and dispatcher). */
int bk_jit_exec_via(struct bk_vm_run *run, struct bk_jit_prog *jp, bk_jit_enter_fn enter,
		    uint64_t *r0, struct bk_diag *diag);

/* ---- code generation (cg.c, translate.c, compile.c) ------------------- */

#define BK_JIT_AUX R11 /* blinded immediates, checked addresses */
#define BK_JIT_TMP R10
#define BK_JIT_TMP2 R9
#define BK_JIT_RUN R12

/* Per-slot analysis flags. */
enum {
	JI_TARGET = 1,	   /* a jump lands here */
	JI_FUNC = 2,	   /* a call or function reference lands here */
	JI_LEADER = 4,	   /* starts a basic block (budget counting) */
	JI_FALLS_IN = 8,   /* the previous instruction can fall through to here */
	JI_LOOP_HEAD = 16, /* a backward jump lands here */
};

/* Out-of-line stubs an instruction asks for, emitted after the body. */
enum jit_stub_kind {
	STUB_MEM,	 /* checked access slow path: call the mem thunk, resume */
	STUB_FAULT,	 /* record a fault (arg: code) and abort */
	STUB_STATUS,	 /* after a helper: status set (arg: 1 at bpf_tail_call) */
	STUB_ARRAY_NULL, /* inlined array lookup: key out of range, r0 = 0, resume */
};
enum {
	NSTUB = 3 /* stubs per instruction at most */
};

struct jit_stub {
	uint8_t kind;
	uint8_t k; /* index among the instruction's stubs */
	uint32_t insn;
	uint32_t arg;
	uint32_t resume; /* where the stub returns to (this pass) */
};

enum {
	LBL_ABORT,     /* the enter stub's abort path */
	LBL_MEM_THUNK, /* checked access slow path */
	LBL_MAIN,      /* main function: prologue */
	LBL_TAIL,      /* main function: tail-call entry (after the prologue) */
	LBL_ENTER_N,   /* the repeat loop's enter stub */
	LBL__FIXED
};

struct jit_cg {
	struct x86_buf b;
	struct bk_vm_prog *vp;
	const struct bk_dinsn *dec;
	size_t cnt;
	const struct bk_insn_fact *facts; /* NULL: none */
	bool checked, harden, bmi2, inline_maps;
	bool align; /* loop heads on 64-byte boundaries (off when it keeps layouts from settling) */
	uint64_t base;	      /* run-time address of the image; 0 while measuring */
	uint64_t reach;	      /* calls within this distance of base fit rel32 */
	uint32_t *addr;	      /* label addresses in this pass */
	const uint32_t *prev; /* ... in the previous pass; NULL: first pass */
	int64_t drift;	      /* previous pass's address - this pass's, at the last label */
	bool near_only;	      /* rel32 jumps only (layouts that would not settle) */
	uint32_t nlabels;
	uint8_t *info;	/* JI_* per slot */
	uint32_t *blen; /* per leader: instructions in its block */
	uint32_t *off;	/* per slot: code start in this pass */
	struct jit_stub *stubs;
	size_t nstubs, capstubs;
	uint8_t nstub_cur;  /* stubs asked for by the current instruction */
	uint64_t seed, rng; /* blinding keys: rng restarts from seed every pass */
	bool has_may_goto;
	size_t cur; /* instruction being translated */
	struct bk_jit_stats stats;
	struct bk_diag *diag;
};

static inline uint32_t lbl_insn(const struct jit_cg *c, size_t i)
{
	(void)c;
	return LBL__FIXED + (uint32_t)i; /* i in 0..cnt */
}
static inline uint32_t lbl_func(const struct jit_cg *c, size_t i)
{
	return LBL__FIXED + (uint32_t)(c->cnt + 1 + i);
}
static inline uint32_t lbl_stub(const struct jit_cg *c, size_t i, unsigned k)
{
	return LBL__FIXED + (uint32_t)(2 * c->cnt + 1 + i * NSTUB + k);
}
static inline uint32_t lbl_count(size_t cnt)
{
	return LBL__FIXED + (uint32_t)((2 + NSTUB) * cnt + 1);
}

/* BPF register -> x86 register. */
extern const uint8_t bk_jit_reg[11];

/* cg.c: building blocks. */
void bk_jit_bind(struct jit_cg *c, uint32_t label);
void bk_jit_jump(struct jit_cg *c, enum x86_cc cc, uint32_t label);
void bk_jit_call_label(struct jit_cg *c, uint32_t label);
void bk_jit_call_abs(struct jit_cg *c, uint64_t target);
/* Asks for a stub of the current instruction; returns its label. */
uint32_t bk_jit_stub(struct jit_cg *c, enum jit_stub_kind kind, uint32_t arg);
/* The stub's resume point is here. */
void bk_jit_stub_resume(struct jit_cg *c, uint32_t label);
/* Checked mode: checks [base + disp, + size) and returns the operand to
 * use (*mbase, *mdisp); trusted mode or a statically safe access returns
 * (base, disp) unchanged. */
void bk_jit_mem_operand(struct jit_cg *c, int base, int32_t disp, unsigned size, unsigned mi,
			int *mbase, int32_t *mdisp);
/* Fault stub jump: records code at the current instruction and aborts. */
void bk_jit_fault_if(struct jit_cg *c, enum x86_cc cc, int code);
/* Stores the call depth of the current frame in bk_vm_run_shared.depth. */
void bk_jit_store_depth(struct jit_cg *c);
/* Helper call sequence: r9 = run, call, status check; depth: store the
 * call depth first (always in checked mode). */
void bk_jit_helper_call(struct jit_cg *c, uint64_t fn, bool tail_site, bool depth);
/* Blinding: a fresh key. */
uint32_t bk_jit_key(struct jit_cg *c);
/* Loads imm (sign-extended to 64 bits when w) into reg, blinded when
 * hardening. */
void bk_jit_load_imm(struct jit_cg *c, int reg, int64_t imm, bool w);
const struct bk_insn_fact *bk_jit_fact(const struct jit_cg *c, size_t i);
void bk_jit_emit_stubs(struct jit_cg *c);

/* translate.c: one instruction. */
void bk_jit_translate(struct jit_cg *c, size_t i);
/* Function prologue / epilogue (compile.c). */
void bk_jit_prologue(struct jit_cg *c);
void bk_jit_epilogue(struct jit_cg *c);

#endif /* BK_JIT_INT_H */
