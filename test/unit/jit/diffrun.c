// SPDX-License-Identifier: MIT
/*
 * diffrun.c - running one generated program in the interpreter and in
 * native code and comparing everything it can change (see diffgen.h).
 * Both engines use the same VM, maps and run; between them the stack, the
 * buffer and the maps are reset to the same initial contents.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "diffgen.h"
#include "factgen.h"
#include "jit.h"
#include "verify.h"
#include "vm.h"

enum {
	BUF_SIZE = 512,
	MAX_SLOTS = 4096,
	STACK_BYTES = BK_VM_MAX_FRAMES * BK_VM_STACK_SIZE,
	A_ENTRIES = 8,
	A_VALUE = 16,
	H_ENTRIES = 16,
};

struct env {
	struct bk_vm *vm;
	struct bk_map *maps[2]; /* array, hash */
	struct bk_vm_prog *prog;
	uint8_t *buf;
	uint8_t init[BUF_SIZE];
	uint8_t ainit[A_ENTRIES * A_VALUE];
};

/* What a run left behind. */
struct snap {
	int err;
	long insn;
	uint64_t r0;
	uint8_t buf[BUF_SIZE];
	uint8_t stack[STACK_BYTES];
	uint8_t a[A_ENTRIES * A_VALUE];
	uint64_t h[H_ENTRIES][2];
	int nh;
	char msg[512];
};

static int fail(char *msg, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, n, fmt, ap);
	va_end(ap);
	return 1;
}

static void reset(struct env *e, struct bk_vm_run *run)
{
	size_t len;
	uint8_t *a = bk_map__array_base(e->maps[0], &len);
	uint64_t key;

	memset(bk_vm_run__shared(run)->stack_top - STACK_BYTES, 0, STACK_BYTES);
	memcpy(e->buf, e->init, BUF_SIZE);
	memcpy(a, e->ainit, sizeof(e->ainit));
	while (!bk_map__get_next_key(e->maps[1], NULL, &key))
		bk_map__delete(e->maps[1], &key);
	bk_vm_run__ctx_raw(run, e->buf, BUF_SIZE);
}

static void take(struct env *e, struct bk_vm_run *run, struct snap *s)
{
	size_t len;
	uint64_t key, *prev = NULL;

	memcpy(s->buf, e->buf, BUF_SIZE);
	memcpy(s->stack, bk_vm_run__shared(run)->stack_top - STACK_BYTES, STACK_BYTES);
	memcpy(s->a, bk_map__array_base(e->maps[0], &len), sizeof(s->a));
	s->nh = 0;
	while (s->nh < H_ENTRIES && !bk_map__get_next_key(e->maps[1], prev, &key)) {
		s->h[s->nh][0] = key;
		bk_map__lookup(e->maps[1], &key, &s->h[s->nh][1], 0);
		prev = &s->h[s->nh++][0];
	}
}

static const char *first_diff(const uint8_t *a, const uint8_t *b, size_t n, char *out, size_t sz)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i]) {
			snprintf(out, sz, "byte %zu: %02x != %02x", i, a[i], b[i]);
			return out;
		}
	return NULL;
}

static int compare(const struct snap *i, const struct snap *j, const char *mode, char *msg,
		   size_t n)
{
	char where[64];

	if (i->err != j->err || (i->err && i->insn != j->insn))
		return fail(msg, n,
			    "%s: interp err %d at insn %ld (%s), jit err %d at insn %ld (%s)", mode,
			    i->err, i->insn, i->msg, j->err, j->insn, j->msg);
	if (!i->err && i->r0 != j->r0)
		return fail(msg, n, "%s: r0 %#" PRIx64 " != %#" PRIx64, mode, i->r0, j->r0);
	if (first_diff(i->buf, j->buf, BUF_SIZE, where, sizeof(where)))
		return fail(msg, n, "%s: buffer %s (r%d stored at 256..)", mode, where,
			    (int)(strtol(where + 5, NULL, 10) - 256) / 8);
	if (first_diff(i->stack, j->stack, STACK_BYTES, where, sizeof(where)))
		return fail(msg, n, "%s: stack %s (of %d)", mode, where, STACK_BYTES);
	if (first_diff(i->a, j->a, sizeof(i->a), where, sizeof(where)))
		return fail(msg, n, "%s: array map %s", mode, where);
	if (i->nh != j->nh)
		return fail(msg, n, "%s: hash maps hold %d and %d elements", mode, i->nh, j->nh);
	for (int k = 0; k < i->nh; k++)
		if (i->h[k][0] != j->h[k][0] || i->h[k][1] != j->h[k][1])
			return fail(msg, n,
				    "%s: hash element %d: key %" PRIu64 " value %#" PRIx64
				    ", key %" PRIu64 " value %#" PRIx64,
				    mode, k, i->h[k][0], i->h[k][1], j->h[k][0], j->h[k][1]);
	return 0;
}

/* Map storage in mappings of its own, away from the heap where the buffer
 * and the run's stack live: an access moved out of bounds (DG_FAULTS)
 * then never lands in a map's memory, whose unused bytes the two runs
 * would not have alike. */
static size_t pages(size_t size)
{
	return (size + 4095) / 4096 * 4096;
}

static void *far_alloc(void *ctx, size_t size)
{
	void *p = mmap(NULL, pages(size ? size : 1), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)ctx;
	return p == MAP_FAILED ? NULL : p;
}

static void far_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	if (p)
		munmap(p, pages(size ? size : 1));
}

static const struct bk_vm_alloc far = {far_alloc, far_free, NULL};

static int env_init(struct env *e, uint64_t seed)
{
	struct bk_vm_opts vo = {.sz = sizeof(vo), .alloc = &far, .ncpus = 2, .seed = 7};
	struct bk_map_attr aa = {.type = BPF_MAP_TYPE_ARRAY,
				 .key_size = 4,
				 .value_size = A_VALUE,
				 .max_entries = A_ENTRIES};
	struct bk_map_attr ha = {.type = BPF_MAP_TYPE_HASH,
				 .key_size = 8,
				 .value_size = 8,
				 .max_entries = H_ENTRIES};
	uint64_t x = seed | 1;

	memset(e, 0, sizeof(*e));
	for (size_t i = 0; i < BUF_SIZE; i++)
		e->init[i] =
			(uint8_t)((x = x * 6364136223846793005ull + 1442695040888963407ull) >> 56);
	for (size_t i = 0; i < sizeof(e->ainit); i++)
		e->ainit[i] = (uint8_t)(i * 37 + seed);
	e->buf = aligned_alloc(64, BUF_SIZE);
	if (!e->buf || bk_vm__new(&vo, &e->vm) || bk_map__new(e->vm, &aa, &e->maps[0], NULL) ||
	    bk_map__new(e->vm, &ha, &e->maps[1], NULL))
		return -1;
	return 0;
}

static void env_fini(struct env *e)
{
	bk_vm__free(e->vm);
	free(e->buf);
}

static int check_mode(struct env *e, uint8_t mode, unsigned flags, struct dg_stats *st,
		      struct snap *si, struct snap *sj, const struct bk_insn_fact *vfacts,
		      char *msg, size_t msgsz)
{
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = mode};
	struct bk_jit_opts jo = {.sz = sizeof(jo),
				 .mode = mode,
				 .flags = (flags & DG_HARDEN ? BK_JIT_HARDEN : 0) |
					  (flags & DG_NO_BMI2 ? BK_JIT_NO_BMI2 : 0)};
	const char *mname = mode == BK_VM_TRUSTED ? "trusted" : "checked";
	struct bk_insn_fact *facts = NULL;
	struct bk_jit_prog *jp = NULL;
	struct bk_vm_run *run = NULL;
	struct bk_diag d;
	int rc = -1;

	bk_diag__init(&d);
	if (flags & DG_FACTS) {
		size_t cnt;
		const struct bk_insn *insns = bk_vm_prog__insns(e->prog, &cnt);

		facts = calloc(cnt, sizeof(*facts));
		if (!facts || fg_facts(insns, cnt, facts))
			goto out;
		jo.facts = facts;
		jo.nfacts = cnt;
	}
	if (vfacts) {
		jo.facts = vfacts;
		bk_vm_prog__insns(e->prog, &jo.nfacts);
	}
	if (bk_jit_prog__new(e->prog, &jo, &jp, &d)) {
		rc = fail(msg, msgsz, "%s: JIT refused: %s", mname, d.msg);
		goto out;
	}
	if (vfacts) {
		struct bk_jit_stats js;

		bk_jit_prog__stats(jp, &js);
		st->facts_used += js.facts_used;
	}
	if (bk_vm_run__new(e->vm, &ro, &run))
		goto out;
	reset(e, run);
	bk_diag__init(&d);
	si->err = bk_vm_run__exec(run, e->prog, &si->r0, &d);
	si->insn = d.insn;
	snprintf(si->msg, sizeof(si->msg), "%s", d.msg);
	take(e, run, si);
	reset(e, run);
	bk_diag__init(&d);
	sj->err = bk_jit_prog__exec(run, jp, &sj->r0, &d);
	sj->insn = d.insn;
	snprintf(sj->msg, sizeof(sj->msg), "%s", d.msg);
	take(e, run, sj);
	rc = compare(si, sj, mname, msg, msgsz);
	if (!rc && si->err)
		st->faulted++;
out:
	bk_vm_run__free(run);
	bk_jit_prog__free(jp);
	free(facts);
	return rc;
}

/* libverify's facts for the program (raw type, the two maps); 0 when it
 * accepts it. */
static int verify_facts(const struct bk_insn *p, size_t n, struct bk_insn_fact *f)
{
	static const struct bk_map_def defs[2] = {
		{.name = "a",
		 .type = BPF_MAP_TYPE_ARRAY,
		 .key_size = 4,
		 .value_size = A_VALUE,
		 .max_entries = A_ENTRIES,
		 .inner = -1},
		{.name = "h",
		 .type = BPF_MAP_TYPE_HASH,
		 .key_size = 8,
		 .value_size = 8,
		 .max_entries = H_ENTRIES,
		 .inner = -1},
	};
	struct bk_verify_input in = {.sz = sizeof(in),
				     .insns = p,
				     .cnt = n,
				     .type = BK_PROG_RAW,
				     .maps = defs,
				     .nmaps = 2};
	struct bk_verify_opts o = {.sz = sizeof(o),
				   .gpl = true,
				   .nr_cpus = 2,
				   .max_insns = 200000,
				   .facts = f,
				   .nfacts = n};

	return bk_verify(&in, &o, NULL, NULL);
}

int dg_check(uint64_t seed, unsigned flags, struct dg_stats *st, char *msg, size_t msgsz)
{
	struct bk_insn_fact *vf = NULL;
	static struct snap si, sj; /* large */
	struct bk_insn *p = malloc(MAX_SLOTS * sizeof(*p));
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .nmaps = 2};
	struct env e;
	struct bk_diag d;
	size_t n;
	int rc = -1;

	msg[0] = '\0';
	if (!p || env_init(&e, seed)) {
		free(p);
		return fail(msg, msgsz, "out of memory");
	}
	n = dg_generate(seed, flags, p, MAX_SLOTS);
	if (!n) {
		rc = 0; /* did not fit: skipped */
		goto out;
	}
	po.maps = e.maps;
	bk_diag__init(&d);
	if (bk_vm_prog__load(e.vm, p, n, &po, &e.prog, &d)) {
		rc = fail(msg, msgsz, "generated program refused at insn %ld: %s", d.insn, d.msg);
		goto out;
	}
	if (flags & DG_VERIFY) {
		vf = calloc(n, sizeof(*vf));
		if (!vf) {
			rc = fail(msg, msgsz, "out of memory");
			goto out;
		}
		if (verify_facts(p, n, vf)) {
			free(vf);
			vf = NULL;
		} else {
			st->verified++;
		}
	}
	rc = check_mode(&e, BK_VM_CHECKED, flags, st, &si, &sj, vf, msg, msgsz);
	if (!rc && !(flags & DG_FAULTS))
		rc = check_mode(&e, BK_VM_TRUSTED, flags, st, &si, &sj, vf, msg, msgsz);
	if (!rc) {
		st->programs++;
		st->insns += n;
	}
out:
	env_fini(&e);
	free(vf);
	free(p);
	return rc;
}
