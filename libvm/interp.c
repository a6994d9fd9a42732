// SPDX-License-Identifier: MIT
/*
 * interp.c - the interpreter: two instances of the loop in
 * interp_body_int.h (checked and trusted), the entry point, the hook
 * helpers use to call back into BPF code (bpf_loop), and fault reporting.
 *
 * Division follows the BPF ISA: x / 0 = 0, x % 0 = x, and the signed
 * forms wrap for INT_MIN / -1 (= INT_MIN) and INT_MIN % -1 (= 0).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vm_int.h"

/* Unaligned, aliasing-safe access types: BPF allows unaligned loads. */
typedef uint16_t bk_u16u __attribute__((aligned(1), may_alias));
typedef uint32_t bk_u32u __attribute__((aligned(1), may_alias));
typedef uint64_t bk_u64u __attribute__((aligned(1), may_alias));

struct bk_frame {
	const struct bk_vinsn *ret;
	const struct bk_vm_prog *prog;
	uint8_t *fp;
	uint64_t may_goto;
	uint64_t saved[4]; /* r6..r9 */
};

static inline uint64_t bk_udiv64(uint64_t a, uint64_t b)
{
	return b ? a / b : 0;
}

static inline uint64_t bk_umod64(uint64_t a, uint64_t b)
{
	return b ? a % b : a;
}

static inline uint64_t bk_sdiv64(uint64_t a, uint64_t b)
{
	if (!b)
		return 0;
	if ((int64_t)b == -1)
		return 0 - a;
	return (uint64_t)((int64_t)a / (int64_t)b);
}

static inline uint64_t bk_smod64(uint64_t a, uint64_t b)
{
	if (!b)
		return a;
	if ((int64_t)b == -1)
		return 0;
	return (uint64_t)((int64_t)a % (int64_t)b);
}

static inline uint32_t bk_udiv32(uint32_t a, uint32_t b)
{
	return b ? a / b : 0;
}

static inline uint32_t bk_umod32(uint32_t a, uint32_t b)
{
	return b ? a % b : a;
}

static inline uint32_t bk_sdiv32(uint32_t a, uint32_t b)
{
	if (!b)
		return 0;
	if ((int32_t)b == -1)
		return 0u - a;
	return (uint32_t)((int32_t)a / (int32_t)b);
}

static inline uint32_t bk_smod32(uint32_t a, uint32_t b)
{
	if (!b)
		return a;
	if ((int32_t)b == -1)
		return 0;
	return (uint32_t)((int32_t)a % (int32_t)b);
}

static void bk_interp_vfault(struct bk_vm_run *run, const struct bk_vm_prog *prog,
			     const struct bk_vinsn *pc, int code, const char *fmt, va_list ap)
{
	run->sh.status |= BK_VM_ST_FAULT;
	run->fault_code = code;
	run->fault_insn = pc - prog->code[run->sh.mode];
	run->fault_prog = prog;
	vsnprintf(run->fault_msg, sizeof(run->fault_msg), fmt, ap);
}

static void __attribute__((cold, format(printf, 5, 6)))
bk_interp_fault(struct bk_vm_run *run, const struct bk_vm_prog *prog, const struct bk_vinsn *pc,
		int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bk_interp_vfault(run, prog, pc, code, fmt, ap);
	va_end(ap);
}

static void __attribute__((cold)) bk_interp_fault_mem(struct bk_vm_run *run,
						      const struct bk_vm_prog *prog,
						      const struct bk_vinsn *pc, uintptr_t addr,
						      unsigned size, bool write)
{
	bool ro = write && bk_run_mem_ok_slow(run, addr, size, false);

	bk_interp_fault(run, prog, pc, ro ? BK_E_VM_WRITE_RO : BK_E_VM_MEM,
			"%s of %u byte%s at %#" PRIxPTR " is %s", write ? "write" : "read", size,
			size == 1 ? "" : "s", addr,
			ro ? "to read-only memory"
			   : "outside the program's memory (stack frame, context, packet, map "
			     "values, registered memory)");
}

#define BK_CHECKED 1
#define BK_MODE BK_VM_CHECKED
#define BK_INTERP_FN bk_interp_checked
#include "interp_body_int.h"
#undef BK_INTERP_FN
#undef BK_MODE
#undef BK_CHECKED

#define BK_CHECKED 0
#define BK_MODE BK_VM_TRUSTED
#define BK_INTERP_FN bk_interp_trusted
#include "interp_body_int.h"
#undef BK_INTERP_FN
#undef BK_MODE
#undef BK_CHECKED

const void *const *bk_interp_labels(enum bk_vm_mode mode)
{
	uint64_t t = mode == BK_VM_TRUSTED ? bk_interp_trusted(NULL, NULL, NULL, NULL, 0)
					   : bk_interp_checked(NULL, NULL, NULL, NULL, 0);

	return (const void *const *)(uintptr_t)t;
}

/* bk_vm_run_shared.call for the interpreter: runs the function at fn (a
 * LDDW_FUNC value) of the running program in a new frame. */
static uint64_t bk_interp_call(struct bk_vm_run *run, uint64_t fn, uint64_t r1, uint64_t r2,
			       uint64_t r3, uint64_t r4, uint64_t r5)
{
	const struct bk_vm_prog *prog = run->sh.prog;
	uint64_t args[5] = {r1, r2, r3, r4, r5};
	const struct bk_vinsn *code = prog->code[run->sh.mode];
	uint64_t off = fn - (uintptr_t)code;
	uint32_t depth = run->sh.depth + 1;
	uint64_t r0;

	if (off >= prog->cnt * sizeof(struct bk_vinsn) || off % sizeof(struct bk_vinsn)) {
		bk_vm_run__fault(run, BK_E_VM_CALLX,
				 "callback %#" PRIx64 " is not a function of the program", fn);
		return 0;
	}
	if (depth >= BK_VM_MAX_FRAMES) {
		bk_vm_run__fault(run, BK_E_VM_CALL_DEPTH, "callback nested deeper than %d frames",
				 BK_VM_MAX_FRAMES);
		return 0;
	}
	if (run->sh.mode == BK_VM_TRUSTED)
		r0 = bk_interp_trusted(run, prog, (const struct bk_vinsn *)(uintptr_t)fn, args,
				       depth);
	else
		r0 = bk_interp_checked(run, prog, (const struct bk_vinsn *)(uintptr_t)fn, args,
				       depth);
	/* the helper that called us continues in the caller's frame */
	run->sh.depth = depth - 1;
	run->sh.prog = prog;
	return r0;
}

int bk_interp_exec(struct bk_vm_run *run, struct bk_vm_prog *prog, uint64_t *r0,
		   struct bk_diag *diag)
{
	uint64_t args[5] = {run->sh.r1, run->sh.r2, 0, 0, 0};
	uint64_t ret;

	run->sh.status = 0;
	run->sh.tail_calls = 0;
	run->sh.depth = 0;
	run->sh.prog = prog;
	run->sh.call = bk_interp_call;
	run->sh.exit_r0 = 0;
	run->insns = 0;
	run->fault_code = 0;
	run->fault_insn = -1;
	run->fault_prog = NULL;
	memset(&run->mcache, 0, sizeof(run->mcache));
	if (run->sh.mode == BK_VM_TRUSTED)
		ret = bk_interp_trusted(run, prog, prog->code[BK_VM_TRUSTED], args, 0);
	else
		ret = bk_interp_checked(run, prog, prog->code[BK_VM_CHECKED], args, 0);
	if (run->sh.status & BK_VM_ST_FAULT) {
		const struct bk_vm_prog *fp = run->fault_prog ? run->fault_prog : prog;
		const struct bk_op_info *oi = NULL;

		if (run->fault_insn >= 0 && (size_t)run->fault_insn < fp->cnt)
			oi = bk_op_info(fp->ops[run->fault_insn]);
		if (fp != prog)
			return bk_diag__set(diag, run->fault_code, run->fault_insn,
					    "insn %ld (%s) of tail-called program %s: %s",
					    run->fault_insn, oi ? oi->ubpf : "?", fp->name,
					    run->fault_msg);
		return bk_diag__set(diag, run->fault_code, run->fault_insn, "insn %ld (%s): %s",
				    run->fault_insn, oi ? oi->ubpf : "?", run->fault_msg);
	}
	if (run->sh.status & BK_VM_ST_EXIT)
		ret = run->sh.exit_r0;
	*r0 = ret;
	return 0;
}
