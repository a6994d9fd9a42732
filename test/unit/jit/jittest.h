/* SPDX-License-Identifier: MIT */
/*
 * jittest.h - running bytecode in libjit's native code from unit tests.
 *
 * It includes test/unit/vm/vmtest.h with VT_EXEC = jt_exec, so the VM's
 * test files can be included after it and every one of their cases runs
 * as native code: jt_exec() compiles every program of the VM in the run's
 * mode (tail calls need them all) and runs the one asked for;
 * bk_vm_run__exec() is redirected to jt_exec() in the files that include
 * this header with JT_REDIRECT_EXEC defined.
 */
#ifndef BK_JITTEST_H
#define BK_JITTEST_H

#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "jit.h"
#include "vm.h"

/* Flags every compilation of this file's tests gets (BK_JIT_NO_BMI2 ...). */
#ifndef JT_FLAGS
#define JT_FLAGS 0
#endif
static const uint32_t jt_flags = JT_FLAGS;

/* Runs prog on run as native code in the run's mode. */
static inline int jt_exec(struct bk_vm_run *run, struct bk_vm_prog *prog, uint64_t *r0,
			  struct bk_diag *diag)
{
	struct bk_jit_opts jo = {
		.sz = sizeof(jo), .mode = bk_vm_run__shared(run)->mode, .flags = jt_flags};
	struct bk_vm *vm = bk_vm_run__vm(run);
	struct bk_jit_prog *jps[64], *mine = NULL;
	int n = 0, err = 0;

	for (uint32_t id = 1; id < 256 && n < 64; id++) {
		struct bk_vm_prog *p = bk_vm__prog_by_id(vm, id);

		if (!p)
			continue;
		err = bk_jit_prog__new(p, &jo, &jps[n], diag);
		if (err)
			break;
		if (p == prog)
			mine = jps[n];
		n++;
	}
	if (!err && !mine)
		err = bk_jit_prog__new(prog, &jo, &mine, diag) ?: (jps[n++] = mine, 0);
	if (!err)
		err = bk_jit_prog__exec(run, mine, r0, diag);
	while (n-- > 0)
		bk_jit_prog__free(jps[n]);
	return err;
}

#define VT_EXEC jt_exec
#include "../vm/vmtest.h"

#ifdef JT_REDIRECT_EXEC
#define bk_vm_run__exec(run, prog, r0, diag) jt_exec((run), (prog), (r0), (diag))
#endif

#endif
