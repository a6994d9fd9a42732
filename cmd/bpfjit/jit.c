// SPDX-License-Identifier: MIT
/*
 * jit.c - bpfjit's engine choice: unless --interp, every program of the
 * loaded object (or the bytecode) is compiled by libjit in the run's mode,
 * so tail calls find native code for their targets; executions then go
 * through the native code.  --harden blinds constants.  --verify has
 * libverify check each program first (the one that runs must pass) and
 * hands its facts to the JIT.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfjit.h"
#include "jit.h"
#include "verify.h"

/* --verify: libverify's verdict on program i of p (vp) and, when it
 * accepts it, its facts (*out, the caller frees).  A rejection of the
 * program that runs fails with the verifier's diagnostic; of another one
 * (a tail call target) it only means no facts. */
static int verify_prog(struct bj_prog *p, size_t i, struct bk_vm_prog *vp,
		       struct bk_insn_fact **out, struct bk_diag *d)
{
	size_t cnt;
	const struct bk_insn *insns = bk_vm_prog__insns(vp, &cnt);
	struct bk_insn_fact *f = calloc(cnt ? cnt : 1, sizeof(*f));
	struct bk_verify_opts vo = {.sz = sizeof(vo), .facts = f, .nfacts = cnt};
	struct bk_verify_input in = {.sz = sizeof(in), .insns = insns, .cnt = cnt, .type = p->type};
	struct bk_diag vd;
	int err;

	*out = NULL;
	if (!f) {
		bk_diag__set(d, ENOMEM, -1, "out of memory");
		return TOOL_EXIT_USAGE;
	}
	bk_diag__init(&vd);
	err = p->obj ? bk_prog__verify(bk_obj__prog(p->obj, i), BK_PROG_UNSPEC, &vo, NULL, &vd)
		     : bk_verify(&in, &vo, NULL, &vd);
	if (!err) {
		*out = f;
		return 0;
	}
	free(f);
	if (err == -ENOMEM || err == -EINVAL) {
		bk_diag__set(d, -err, -1, "the verifier failed: %s", strerror(-err));
		return TOOL_EXIT_USAGE;
	}
	if (vp != p->prog)
		return 0;
	*d = vd;
	snprintf(d->msg, sizeof(d->msg), "rejected by the verifier: %.400s", vd.msg);
	return TOOL_EXIT_REJECT;
}

/* --verify: the native size of the program that runs without facts, for
 * dump's comparison. */
static void measure_plain(struct bj_prog *p, const struct bk_jit_opts *jo)
{
	struct bk_jit_opts plain = *jo;
	struct bk_jit_prog *jp;
	struct bk_jit_layout l;

	plain.facts = NULL;
	plain.nfacts = 0;
	if (bk_jit_prog__new(p->prog, &plain, &jp, NULL))
		return;
	bk_jit_prog__layout(jp, &l);
	p->plain_size = l.size;
	bk_jit_prog__free(jp);
}

static int compile_one(const struct bj_opts *o, struct bj_prog *p, size_t i, struct bk_vm_prog *vp,
		       struct bk_jit_opts *jo, struct bk_diag *d)
{
	struct bk_insn_fact *facts = NULL;
	int rc = o->verify ? verify_prog(p, i, vp, &facts, d) : 0;

	if (rc || o->interp) {
		free(facts);
		return rc;
	}
	jo->facts = facts;
	bk_vm_prog__insns(vp, &jo->nfacts);
	if (!facts)
		jo->nfacts = 0;
	rc = bk_jit_prog__new(vp, jo, &p->jits[i], d);
	if (!rc && facts && vp == p->prog) {
		p->verified = true;
		measure_plain(p, jo);
	}
	free(facts);
	jo->facts = NULL;
	if (rc)
		return rc == -ENOMEM ? TOOL_EXIT_USAGE : TOOL_EXIT_REJECT;
	return 0;
}

int bj_jit_prepare(const struct bj_opts *o, struct bj_prog *p, uint8_t mode, struct bk_diag *d)
{
	struct bk_jit_opts jo = {
		.sz = sizeof(jo), .mode = mode, .flags = o->harden ? BK_JIT_HARDEN : 0};
	size_t n = p->vo ? bk_vm_obj__prog_cnt(p->vo) : 1;
	int rc;

	if (o->interp && !o->verify)
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
		rc = compile_one(o, p, i, vp, &jo, d);
		if (rc) {
			bj_jit_unload(p);
			return rc;
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
