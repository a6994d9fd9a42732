// SPDX-License-Identifier: MIT
/*
 * engine.c - what an engine other than the interpreter (libjit's native
 * code) needs from a run and a program beyond the shared fields of
 * struct bk_vm_run_shared: the functions calls were bound to, the checks
 * and bookkeeping of bk_vm_run__exec(), and fault reports worded as the
 * interpreter words them.  See "Engines" in vm.h.
 */
#include <errno.h>

#include "vm_int.h"

bk_vm_helper_fn bk_vm_prog__call_fn(const struct bk_vm_prog *prog, size_t insn)
{
	if (insn >= prog->cnt ||
	    (prog->ops[insn] != BK_OP_CALL && prog->ops[insn] != BK_OP_CALL_KFUNC))
		return NULL;
	return prog->code[BK_VM_CHECKED][insn].fn;
}

int bk_vm_run__engine_begin(struct bk_vm_run *run, const struct bk_vm_prog *prog, uint64_t *budget,
			    struct bk_diag *diag)
{
	if (!run || !prog)
		return bk_diag__set(diag, EINVAL, -1, "missing run or program");
	if (prog->vm != run->vm)
		return bk_diag__set(diag, EINVAL, -1, "program and run belong to different VMs");
	if (prog->type == BK_PROG_XDP && run->ctx_kind != BK_CTX_XDP)
		return bk_diag__set(diag, BK_E_VM_CTX, -1,
				    "XDP program %s needs an XDP context (a packet)", prog->name);
	run->sh.status = 0;
	run->sh.tail_calls = 0;
	run->sh.depth = 0;
	run->sh.prog = prog;
	run->sh.exit_r0 = 0;
	run->insns = 0;
	run->fault_code = 0;
	run->fault_insn = -1;
	run->fault_prog = NULL;
	*budget = run->budget;
	return 0;
}

void bk_vm_run__set_insn_count(struct bk_vm_run *run, uint64_t n)
{
	run->insns = n;
}

void bk_vm_run__fault_at(struct bk_vm_run *run, const struct bk_vm_prog *prog, long insn)
{
	if (run->fault_insn >= 0)
		return;
	run->fault_insn = insn;
	run->fault_prog = prog;
}

int bk_vm_run__fault_diag(struct bk_vm_run *run, const struct bk_vm_prog *entry,
			  struct bk_diag *diag)
{
	const struct bk_vm_prog *fp = run->fault_prog ? run->fault_prog : entry;
	const struct bk_op_info *oi = NULL;
	int code = run->fault_code ? run->fault_code : BK_E_VM;

	if (run->fault_insn >= 0 && (size_t)run->fault_insn < fp->cnt)
		oi = bk_op_info(fp->ops[run->fault_insn]);
	if (fp != entry)
		return bk_diag__set(diag, code, run->fault_insn,
				    "insn %ld (%s) of tail-called program %s: %s", run->fault_insn,
				    oi ? oi->ubpf : "?", fp->name, run->fault_msg);
	return bk_diag__set(diag, code, run->fault_insn, "insn %ld (%s): %s", run->fault_insn,
			    oi ? oi->ubpf : "?", run->fault_msg);
}
