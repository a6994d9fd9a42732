// SPDX-License-Identifier: MIT
/*
 * runtime.c - the C side of native execution: starting a program through
 * an image's enter stub, and the functions native code calls for what is
 * not worth inlining: checked-access slow paths, faults, the status after
 * a helper (faults, tail calls, LD_ABS exits), legacy packet loads, callx
 * targets and bpf_loop callbacks.
 *
 * Faults are recorded in the run with the interpreter's codes and wording
 * (bk_vm_run__fault + bk_vm_run__fault_at), then native code takes the
 * abort path back to the innermost enter stub.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "jit_int.h"

static struct bk_jit_exec *exec_of(struct bk_vm_run *run)
{
	return bk_vm_run__shared(run)->engine;
}

static bool is_func(const struct bk_jit_prog *jp, uint64_t addr)
{
	size_t lo = 0, hi = jp->nfuncs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (jp->funcs[mid] == addr)
			return true;
		if (jp->funcs[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The native code of prog in mode, or NULL. */
static const struct bk_jit_prog *jit_of(const struct bk_vm_prog *prog, uint8_t mode)
{
	const struct bk_jit_prog *jp = bk_vm_prog__engine_data(prog);

	for (; jp && jp->magic == BK_JIT_MAGIC; jp = jp->sibling)
		if (jp->mode == mode)
			return jp;
	return NULL;
}

static void fault_here(struct bk_vm_run *run, uint64_t insn)
{
	bk_vm_run__fault_at(run, exec_of(run)->cur->vprog, (long)insn);
}

uint64_t bk_jit_rt_mem(struct bk_vm_run *run, uint64_t addr, uint64_t info)
{
	unsigned size = (info >> MI_SIZE_SHIFT) & 15;
	bool write = info & MI_WRITE;

	if (!bk_vm_run__mem_ok(run, addr, size, write)) {
		bool ro = write && bk_vm_run__mem_ok(run, addr, size, false);

		bk_vm_run__fault(run, ro ? BK_E_VM_WRITE_RO : BK_E_VM_MEM,
				 "%s of %u byte%s at %#" PRIx64 " is %s", write ? "write" : "read",
				 size, size == 1 ? "" : "s", addr,
				 ro ? "to read-only memory"
				    : "outside the program's memory (stack frame, context, packet, "
				      "map values, registered memory)");
	} else if ((info & MI_ATOMIC) && (addr & (size - 1))) {
		bk_vm_run__fault(run, BK_E_VM_MEM,
				 "atomic access of %u bytes at %#" PRIx64 " is misaligned", size,
				 addr);
	} else {
		return 0;
	}
	fault_here(run, info >> MI_INSN_SHIFT);
	return 1;
}

void bk_jit_rt_fault(struct bk_vm_run *run, uint64_t code, uint64_t insn)
{
	const struct bk_jit_prog *jp = exec_of(run)->cur;

	switch (code) {
	case BK_E_VM_CALL_DEPTH:
		bk_vm_run__fault(run, (int)code, "call nested deeper than %d frames",
				 BK_VM_MAX_FRAMES);
		break;
	case BK_E_VM_FALLOFF:
		bk_vm_run__fault(run, (int)code,
				 "execution ran past the last instruction (%zu) without exit",
				 jp->cnt - 1);
		break;
	case BK_E_VM_BUDGET:
		bk_vm_run__fault(run, (int)code, "instruction budget of %" PRIu64 " exhausted",
				 exec_of(run)->limit);
		break;
	default:
		bk_vm_run__fault(run, (int)code, "%s", bk_strerror((int)code));
	}
	fault_here(run, insn);
}

uint64_t bk_jit_rt_status(struct bk_vm_run *run, uint64_t insn, uint64_t tail_site)
{
	struct bk_vm_run_shared *sh = bk_vm_run__shared(run);
	struct bk_jit_exec *ex = sh->engine;

	if (sh->status & BK_VM_ST_TAIL_CALL) {
		const struct bk_jit_prog *t = jit_of(sh->tail_target, ex->cur->mode);

		sh->status &= ~(uint32_t)BK_VM_ST_TAIL_CALL;
		if (!t || !tail_site)
			bk_vm_run__fault(run, BK_E_JIT_TAIL,
					 "tail call target %s has no native code in %s mode",
					 bk_vm_prog__name(sh->tail_target),
					 ex->cur->mode == BK_VM_TRUSTED ? "trusted" : "checked");
		if (!sh->status) {
			ex->cur = t;
			sh->prog = t->vprog;
			return bk_jit_addr(t, t->tail_off);
		}
	}
	if (sh->status & BK_VM_ST_FAULT)
		fault_here(run, insn);
	return 0;
}

uint64_t bk_jit_rt_ldpkt(struct bk_vm_run *run, uint64_t off, uint64_t size, uint64_t insn)
{
	struct bk_vm_run_shared *sh = bk_vm_run__shared(run);
	size_t len;
	const uint8_t *p = bk_vm_run__packet(run, &len);
	uint64_t v = 0;

	(void)insn;
	if ((int64_t)off < 0 || off + size > len || !p) {
		sh->status |= BK_VM_ST_EXIT;
		sh->exit_r0 = 0;
		return 0;
	}
	for (uint64_t i = 0; i < size; i++)
		v = v << 8 | p[off + i];
	return v;
}

uint64_t bk_jit_rt_callx(struct bk_vm_run *run, uint64_t target, uint64_t insn)
{
	struct bk_vm_run_shared *sh = bk_vm_run__shared(run);
	bk_vm_helper_fn fn;

	if (is_func(exec_of(run)->cur, target)) {
		if (sh->depth + 1 < BK_VM_MAX_FRAMES)
			return target;
		bk_vm_run__fault(run, BK_E_VM_CALL_DEPTH, "call nested deeper than %d frames",
				 BK_VM_MAX_FRAMES);
	} else {
		fn = target <= UINT32_MAX ? bk_vm_helper((uint32_t)target) : NULL;
		if (fn)
			return (uint64_t)(uintptr_t)fn;
		bk_vm_run__fault(run, BK_E_VM_CALLX,
				 "callx target %#" PRIx64
				 " is neither a helper id nor a function of the program",
				 target);
	}
	fault_here(run, insn);
	return 0;
}

/* bk_vm_run_shared.call while native code runs (bpf_loop's callbacks). */
uint64_t bk_jit_rt_call(struct bk_vm_run *run, uint64_t fn, uint64_t r1, uint64_t r2, uint64_t r3,
			uint64_t r4, uint64_t r5)
{
	struct bk_vm_run_shared *sh = bk_vm_run__shared(run);
	struct bk_jit_exec *ex = sh->engine;
	const struct bk_jit_prog *cur = ex->cur;
	uint32_t depth = sh->depth;
	struct bk_jit_frame f = {run, (uintptr_t)sh->stack_top - (uint64_t)depth * BK_VM_STACK_SIZE,
				 fn};
	bk_jit_enter_fn enter = (bk_jit_enter_fn)(uintptr_t)bk_jit_addr(cur, cur->enter_off);
	uint64_t r0;

	if (!is_func(cur, fn)) {
		bk_vm_run__fault(run, BK_E_VM_CALLX,
				 "callback %#" PRIx64 " is not a function of the program", fn);
		return 0;
	}
	if (depth + 1 >= BK_VM_MAX_FRAMES) {
		bk_vm_run__fault(run, BK_E_VM_CALL_DEPTH, "callback nested deeper than %d frames",
				 BK_VM_MAX_FRAMES);
		return 0;
	}
	r0 = enter(r1, r2, r3, r4, r5, &f);
	sh->depth = depth;
	ex->cur = cur;
	sh->prog = cur->vprog;
	return r0;
}

/* Checks and prepares an execution of jp; 0 or the error. */
static int begin(struct bk_vm_run *run, struct bk_jit_prog *jp, struct bk_jit_exec *ex,
		 uint64_t *r0, struct bk_diag *diag)
{
	struct bk_vm_run_shared *sh;
	uint64_t budget;
	int err;

	if (!run || !jp || !r0)
		return bk_diag__set(diag, EINVAL, -1, "bk_jit_prog__exec: missing argument");
	err = bk_vm_run__engine_begin(run, jp->vprog, &budget, diag);
	if (err)
		return err;
	sh = bk_vm_run__shared(run);
	if (sh->mode != jp->mode)
		return bk_diag__set(diag, BK_E_JIT_MODE, -1,
				    "native code of %s is for %s mode, the run is %s",
				    bk_vm_prog__name(jp->vprog),
				    jp->mode == BK_VM_TRUSTED ? "trusted" : "checked",
				    sh->mode == BK_VM_TRUSTED ? "trusted" : "checked");
	ex->limit = budget ? budget : UINT64_MAX;
	ex->remaining = ex->limit;
	ex->cur = ex->entry = jp;
	sh->engine = ex;
	sh->call = bk_jit_rt_call;
	return 0;
}

/* After native code returned: the fault, or 0 with *r0. */
static int end(struct bk_vm_run *run, struct bk_jit_prog *jp, struct bk_jit_exec *ex, uint64_t ret,
	       uint64_t *r0, struct bk_diag *diag)
{
	struct bk_vm_run_shared *sh = bk_vm_run__shared(run);

	sh->engine = NULL;
	sh->depth = 0;
	if (jp->mode == BK_VM_CHECKED)
		bk_vm_run__set_insn_count(
			run, ex->remaining <= ex->limit ? ex->limit - ex->remaining : ex->limit);
	if (sh->status & BK_VM_ST_FAULT)
		return bk_vm_run__fault_diag(run, jp->vprog, diag);
	*r0 = ret;
	return 0;
}

int bk_jit_exec_via(struct bk_vm_run *run, struct bk_jit_prog *jp, bk_jit_enter_fn enter,
		    uint64_t *r0, struct bk_diag *diag)
{
	struct bk_jit_exec ex = {0};
	struct bk_vm_run_shared *sh;
	struct bk_jit_frame f;
	uint64_t ret;
	int err = begin(run, jp, &ex, r0, diag);

	if (err)
		return err;
	sh = bk_vm_run__shared(run);
	f = (struct bk_jit_frame){run, (uintptr_t)sh->stack_top + BK_VM_STACK_SIZE,
				  bk_jit_addr(jp, jp->prologue_off)};
	ret = enter(sh->r1, sh->r2, 0, 0, 0, &f);
	if (sh->status & BK_VM_ST_EXIT)
		ret = sh->exit_r0;
	return end(run, jp, &ex, ret, r0, diag);
}

int bk_jit_prog__exec_n(struct bk_vm_run *run, struct bk_jit_prog *jp, uint64_t n, uint64_t *r0,
			struct bk_diag *diag)
{
	struct bk_jit_exec ex = {0};
	struct bk_vm_run_shared *sh;
	struct bk_jit_frame f;
	bk_jit_enter_fn enter_n;
	uint64_t ret;
	int err;

	if (!n)
		return bk_diag__set(diag, EINVAL, -1, "bk_jit_prog__exec_n: no runs");
	err = begin(run, jp, &ex, r0, diag);
	if (err)
		return err;
	sh = bk_vm_run__shared(run);
	enter_n = (bk_jit_enter_fn)(uintptr_t)bk_jit_addr(jp, jp->enter_n_off);
	f = (struct bk_jit_frame){run, (uintptr_t)sh->stack_top + BK_VM_STACK_SIZE, 0};
	ex.runs = n;
	for (;;) {
		ret = enter_n(0, 0, 0, 0, 0, &f);
		if (!(sh->status & BK_VM_ST_EXIT) || (sh->status & BK_VM_ST_FAULT))
			break;
		/* an out-of-range legacy packet load ended that run only */
		ret = sh->exit_r0;
		sh->status = 0;
		sh->exit_r0 = 0;
		ex.cur = jp;
		if (!--ex.runs)
			break;
	}
	return end(run, jp, &ex, ret, r0, diag);
}

int bk_jit_prog__exec(struct bk_vm_run *run, struct bk_jit_prog *jp, uint64_t *r0,
		      struct bk_diag *diag)
{
	if (!jp)
		return bk_diag__set(diag, EINVAL, -1, "bk_jit_prog__exec: missing program");
	return bk_jit_exec_via(run, jp, (bk_jit_enter_fn)(uintptr_t)bk_jit_addr(jp, jp->enter_off),
			       r0, diag);
}
