// SPDX-License-Identifier: MIT
/*
 * jit.c - bpfjit's engine choice: unless --interp, every program of the
 * loaded object (or the bytecode) is compiled by libjit in the run's mode,
 * so tail calls find native code for their targets; executions then go
 * through the native code.  --harden blinds constants.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfjit.h"
#include "jit.h"

int bj_jit_prepare(const struct bj_opts *o, struct bj_prog *p, uint8_t mode, struct bk_diag *d)
{
	struct bk_jit_opts jo = {
		.sz = sizeof(jo), .mode = mode, .flags = o->harden ? BK_JIT_HARDEN : 0};
	size_t n = p->vo ? bk_vm_obj__prog_cnt(p->vo) : 1;
	int err;

	if (o->interp)
		return 0;
	p->jits = calloc(n, sizeof(*p->jits));
	if (!p->jits) {
		bk_diag__set(d, ENOMEM, -1, "out of memory");
		return TOOL_EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		struct bk_vm_prog *vp = p->vo ? bk_vm_obj__prog(p->vo, i) : p->prog;

		if (!vp) { /* a program the VM refused (not the one run): no code */
			p->njits++;
			continue;
		}
		err = bk_jit_prog__new(vp, &jo, &p->jits[i], d);
		if (err) {
			bj_jit_unload(p);
			return err == -ENOMEM ? TOOL_EXIT_USAGE : TOOL_EXIT_REJECT;
		}
		p->njits++;
		if (vp == p->prog)
			p->jit = p->jits[i];
	}
	return 0;
}

int bj_exec(struct bk_vm_run *run, struct bj_prog *p, uint64_t *r0, struct bk_diag *d)
{
	if (p->jit)
		return bk_jit_prog__exec(run, p->jit, r0, d);
	return bk_vm_run__exec(run, p->prog, r0, d);
}

void bj_jit_unload(struct bj_prog *p)
{
	for (size_t i = 0; i < p->njits; i++)
		bk_jit_prog__free(p->jits[i]);
	free(p->jits);
	p->jits = NULL;
	p->njits = 0;
	p->jit = NULL;
}

const char *bj_engine(const struct bj_prog *p)
{
	return p->jit ? "jit" : "interp";
}
