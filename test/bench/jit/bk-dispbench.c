// SPDX-License-Identifier: MIT
/*
 * bk-dispbench - bench-40-jit's dispatcher measurement (not part of
 * bpfkit): eight small programs in libjit's native code called through a
 * dispatcher of each kind (binary search with direct jumps; a plain
 * indirect call; an indirect call through a retpoline thunk), in a
 * pseudo-random order and always the same one; and, for reference, C
 * indirect calls built without and with gcc's retpolines
 * (-mindirect-branch=thunk).  Prints "key ns_per_call" lines, CPU time,
 * best of 5.
 *
 *   bk-dispbench N
 *
 * Calls go through bk_jit_disp__exec(), so each includes the C side of an
 * execution (the same for every kind); the differences are the call
 * mechanisms'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jit.h"
#include "vm.h"

enum {
	NPROG = 8,
	NKIND = 3,
};

typedef uint64_t (*icall_fn)(uint64_t);
uint64_t icall_plain(const icall_fn *fns, const uint8_t *seq, long n);
uint64_t icall_retpoline(const icall_fn *fns, const uint8_t *seq, long n);

static uint8_t seq_rand[4096], seq_same[4096];
static volatile uint64_t sink;

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define F(k)                                                                                       \
	static __attribute__((noinline)) uint64_t f##k(uint64_t x)                                 \
	{                                                                                          \
		return x + k;                                                                      \
	}
F(0)
F(1)
F(2)
F(3)
F(4)
F(5)
F(6)
F(7)
static const icall_fn fns[NPROG] = {f0, f1, f2, f3, f4, f5, f6, f7};

static double disp_calls(struct bk_jit_disp *d, struct bk_vm_run *run, struct bk_jit_prog **jp,
			 const uint8_t *seq, long n)
{
	uint64_t t0 = cpu_ns(), r0, sum = 0;

	for (long i = 0; i < n; i++) {
		if (bk_jit_disp__exec(d, run, jp[seq[i & 4095]], &r0, NULL))
			exit(1);
		sum += r0;
	}
	sink += sum;
	return (double)(cpu_ns() - t0) / (double)n;
}

static double c_calls(uint64_t (*loop)(const icall_fn *, const uint8_t *, long), const uint8_t *seq,
		      long n)
{
	double best = 1e30;

	for (int rep = 0; rep < 5; rep++) {
		uint64_t t0 = cpu_ns();

		sink += loop(fns, seq, n);
		double t = (double)(cpu_ns() - t0) / (double)n;
		if (t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	static const struct {
		enum bk_jit_disp_kind kind;
		const char *name;
	} kinds[] = {{BK_JIT_DISP_SEARCH, "dispatcher"},
		     {BK_JIT_DISP_INDIRECT, "indirect"},
		     {BK_JIT_DISP_RETPOLINE, "retpoline"}};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_TRUSTED};
	struct bk_jit_opts jo = {.sz = sizeof(jo), .mode = BK_VM_TRUSTED};
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	struct bk_jit_prog *jp[NPROG];
	struct bk_jit_disp *d[NKIND];
	double best[NKIND][2];
	struct bk_vm_run *run;
	struct bk_vm *vm;
	uint32_t x = 12345;

	if (bk_vm__new(NULL, &vm) || bk_vm_run__new(vm, &ro, &run) ||
	    bk_vm_run__ctx_raw(run, NULL, 0))
		return 1;
	for (int i = 0; i < NPROG; i++) {
		struct bk_insn p[] = {BK_MOV64_REG(0, 1), BK_ALU64_IMM(ADD, 0, i), BK_EXIT()};
		struct bk_vm_prog *vp;

		if (bk_vm_prog__load(vm, p, 3, NULL, &vp, NULL) ||
		    bk_jit_prog__new(vp, &jo, &jp[i], NULL))
			return 1;
	}
	for (int i = 0; i < 4096; i++) {
		x = x * 1103515245u + 12345u;
		seq_rand[i] = (uint8_t)((x >> 16) % NPROG);
		seq_same[i] = 3;
	}
	/* rounds over the kinds, best of each: noise and frequency drift hit
	 * them alike */
	for (size_t k = 0; k < NKIND; k++) {
		if (bk_jit_disp__new(kinds[k].kind, &d[k]))
			return 1;
		for (int i = 0; i < NPROG; i++)
			if (bk_jit_disp__add(d[k], jp[i]))
				return 1;
		best[k][0] = best[k][1] = 1e30;
	}
	for (int round = 0; round < 7; round++)
		for (size_t k = 0; k < NKIND; k++) {
			double r = disp_calls(d[k], run, jp, seq_rand, n);
			double s = disp_calls(d[k], run, jp, seq_same, n);

			best[k][0] = r < best[k][0] ? r : best[k][0];
			best[k][1] = s < best[k][1] ? s : best[k][1];
		}
	for (size_t k = 0; k < NKIND; k++) {
		printf("jit_%s_random %.2f\n", kinds[k].name, best[k][0]);
		printf("jit_%s_same %.2f\n", kinds[k].name, best[k][1]);
		bk_jit_disp__free(d[k]);
	}
	printf("c_indirect_random %.2f\n", c_calls(icall_plain, seq_rand, n * 10));
	printf("c_retpoline_random %.2f\n", c_calls(icall_retpoline, seq_rand, n * 10));
	printf("c_indirect_same %.2f\n", c_calls(icall_plain, seq_same, n * 10));
	printf("c_retpoline_same %.2f\n", c_calls(icall_retpoline, seq_same, n * 10));
	for (int i = 0; i < NPROG; i++)
		bk_jit_prog__free(jp[i]);
	bk_vm_run__free(run);
	bk_vm__free(vm);
	return 0;
}
