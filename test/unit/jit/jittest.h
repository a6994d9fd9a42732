/* SPDX-License-Identifier: MIT */
/*
 * jittest.h - running bytecode in libjit's native code from unit tests.
 *
 * It also stands in for test/unit/vm/vmtest.h (same guard, same struct vt
 * and vt_* functions), so the VM's test files can be included here and
 * every one of their cases runs as native code: vt_exec() compiles every
 * program of the VM in the run's mode (tail calls need them all) and runs
 * the one asked for; bk_vm_run__exec() is redirected to jt_exec() in the
 * files that include this header with JT_REDIRECT_EXEC defined.
 */
#ifndef BK_VMTEST_H
#define BK_VMTEST_H

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

struct vt {
	struct bk_vm *vm;
	struct bk_vm_prog *prog;
	struct bk_vm_run *run;
	struct bk_diag diag;
	uint64_t r0;
	int err; /* load or exec error */
};

static inline void vt_fini(struct vt *v)
{
	bk_vm_run__free(v->run);
	bk_vm__free(v->vm);
	memset(v, 0, sizeof(*v));
}

static inline int vt_load(struct vt *v, const struct bk_insn *p, size_t n,
			  const struct bk_vm_prog_opts *po)
{
	struct bk_vm_opts o = {.sz = sizeof(o), .ncpus = 2, .seed = 1};

	bk_diag__init(&v->diag);
	if (!v->vm && bk_vm__new(&o, &v->vm))
		return -12;
	v->err = bk_vm_prog__load(v->vm, p, n, po, &v->prog, &v->diag);
	return v->err;
}

static inline int vt_exec(struct vt *v, int mode, void *mem, size_t len)
{
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = (uint8_t)mode, .budget = 0};

	bk_vm_run__free(v->run);
	v->run = NULL;
	if (bk_vm_run__new(v->vm, &ro, &v->run))
		return -12;
	bk_vm_run__ctx_raw(v->run, mem, len);
	bk_diag__init(&v->diag);
	v->err = jt_exec(v->run, v->prog, &v->r0, &v->diag);
	return v->err;
}

static inline int vt_run(struct vt *v, const struct bk_insn *p, size_t n, int mode, void *mem,
			 size_t len)
{
	memset(v, 0, sizeof(*v));
	if (vt_load(v, p, n, NULL))
		return v->err;
	return vt_exec(v, mode, mem, len);
}

#define vt_both(p, mem, len)                                                                       \
	({                                                                                         \
		struct vt a_, b_;                                                                  \
		uint64_t ra_ = ~0ull;                                                              \
		int ea_ = vt_run(&a_, (p), ARRAY_LEN(p), BK_VM_CHECKED, (mem), (len));             \
		int eb_ = vt_run(&b_, (p), ARRAY_LEN(p), BK_VM_TRUSTED, (mem), (len));             \
		if (CHECK_EQ(ea_, 0) && CHECK_EQ(eb_, 0) && CHECK_EQ(a_.r0, b_.r0))                \
			ra_ = a_.r0;                                                               \
		else if (ea_)                                                                      \
			bk_test__fail(__FILE__, __LINE__, "%s", a_.diag.msg);                      \
		vt_fini(&a_);                                                                      \
		vt_fini(&b_);                                                                      \
		ra_;                                                                               \
	})

#ifdef JT_REDIRECT_EXEC
#define bk_vm_run__exec(run, prog, r0, diag) jt_exec((run), (prog), (r0), (diag))
#endif

#endif
