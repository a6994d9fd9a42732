/* SPDX-License-Identifier: MIT */
/*
 * vmtest.h - running hand-written bytecode in the VM from unit tests:
 *
 *   struct bk_insn p[] = {BK_MOV64_IMM(0, 7), BK_EXIT()};
 *   struct vt v;
 *   CHECK_EQ(vt_run(&v, p, ARRAY_LEN(p), BK_VM_TRUSTED, NULL, 0), 0);
 *   CHECK_EQ(v.r0, 7);
 *
 * vt_both() runs a program in both modes and checks they agree.  An engine
 * other than the interpreter defines VT_EXEC (bk_vm_run__exec's signature)
 * before including this header; test/unit/jit/jittest.h does.
 */
#ifndef BK_VMTEST_H
#define BK_VMTEST_H

#include <string.h>

#include "harness.h"
#include "vm.h"

#ifndef VT_EXEC
#define VT_EXEC bk_vm_run__exec
#endif

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

/* Creates the VM (if not yet) and loads p; 0 or the load error. */
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

/* Executes the loaded program on raw memory in mode; 0 or the error. */
static inline int vt_exec(struct vt *v, int mode, void *mem, size_t len)
{
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = (uint8_t)mode, .budget = 0};

	bk_vm_run__free(v->run);
	v->run = NULL;
	if (bk_vm_run__new(v->vm, &ro, &v->run))
		return -12;
	bk_vm_run__ctx_raw(v->run, mem, len);
	bk_diag__init(&v->diag);
	v->err = VT_EXEC(v->run, v->prog, &v->r0, &v->diag);
	return v->err;
}

/* Loads and runs in one go (a fresh VM). */
static inline int vt_run(struct vt *v, const struct bk_insn *p, size_t n, int mode, void *mem,
			 size_t len)
{
	memset(v, 0, sizeof(*v));
	if (vt_load(v, p, n, NULL))
		return v->err;
	return vt_exec(v, mode, mem, len);
}

/* r0 of p in both modes (they must agree and succeed); ~0 on failure. */
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

#endif
