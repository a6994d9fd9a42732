// SPDX-License-Identifier: MIT
/*
 * bk-jitbench - measurements for bench-40-jit (not part of bpfkit; prints
 * "key value" lines to stdout, exits 1 on any error):
 *
 *   bk-jitbench loop RAW N PACKET [NATIVE]
 *       bare bytecode as an XDP program, in turns for 60 rounds: libjit's
 *       native code (trusted, and checked for 20 rounds) run N times with
 *       bk_jit_prog__exec_n (the loop is native, as BPF_PROG_TEST_RUN's
 *       repeat loop is in the kernel; CPU time), the kernel's JIT through
 *       BPF_PROG_TEST_RUN with repeat N (root; the kernel's own time), and
 *       the function NATIVE of test/bench/vm/native.c (gcc -O2, CPU time)
 *       N times; prints each one's best time per run.  Taking turns in one
 *       process puts every engine under the same host load.
 *   bk-jitbench compile RAW
 *       libjit's compile time (best of 20) and the kernel's BPF_PROG_LOAD
 *       time (verification and JIT, best of 5; root)
 *   bk-jitbench gen N OUT
 *       writes a straight-line XDP program of about N instructions the
 *       kernel verifier accepts (ALU, stack loads and stores, branches)
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jit.h"
#include "vm.h"

/* The native programs of bench-10 (alu, mem, parse, helper) as they are;
 * its main() is renamed away. */
#define main bk_native_main
int bk_native_main(int argc, char **argv);
#include "../vm/native.c"
#undef main

static uint64_t ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int die(const char *what)
{
	fprintf(stderr, "bk-jitbench: %s: %s\n", what, strerror(errno));
	return 1;
}

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	void *buf = malloc(1 << 22);

	*len = f && buf ? fread(buf, 1, 1 << 22, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static int kload(const void *code, size_t len)
{
	char log[256];
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = sizeof(log), .log_level = 0);

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "bench", "GPL", code, len / 8, &o);
}

struct engine {
	struct bk_jit_prog *jp;
	struct bk_vm_run *run;
};

static int engine_new(struct bk_vm *vm, struct bk_vm_prog *prog, uint8_t mode, const void *pkt,
		      size_t plen, struct engine *e, struct bk_diag *d)
{
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = mode};
	struct bk_jit_opts jo = {.sz = sizeof(jo), .mode = mode};

	if (bk_jit_prog__new(prog, &jo, &e->jp, d) || bk_vm_run__new(vm, &ro, &e->run) ||
	    bk_vm_run__ctx_xdp(e->run, pkt, plen, NULL))
		return -1;
	return 0;
}

static double engine_ns(struct engine *e, long n, uint64_t *r0)
{
	uint64_t t0 = ns(CLOCK_THREAD_CPUTIME_ID);

	if (bk_jit_prog__exec_n(e->run, e->jp, (uint64_t)n, r0, NULL))
		exit(1);
	return (double)(ns(CLOCK_THREAD_CPUTIME_ID) - t0) / (double)n;
}

static double kernel_ns(int fd, const void *pkt, size_t plen, long n, unsigned *r0)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = (uint32_t)plen,
		    .repeat = (int)n);

	if (bpf_prog_test_run_opts(fd, &o))
		exit(die("BPF_PROG_TEST_RUN"));
	*r0 = o.retval;
	return o.duration;
}

static double native_ns(uint64_t (*fn)(const uint8_t *, size_t), const uint8_t *pkt, size_t plen,
			long n, uint64_t *r0)
{
	uint64_t t0 = ns(CLOCK_THREAD_CPUTIME_ID), sum = 0;

	for (long i = 0; i < n; i++)
		sum += fn(pkt, plen);
	*r0 = fn(pkt, plen);
	if (sum == 0xdeadbeef)
		printf("sum %llu\n", (unsigned long long)sum);
	return (double)(ns(CLOCK_THREAD_CPUTIME_ID) - t0) / (double)n;
}

/* Short measurements taken in turns: the host's quiet moments are short. */
enum {
	ROUNDS = 60
};

static double least(double a, double b)
{
	return a < b ? a : b;
}

static int loop(const char *raw, long n, const char *pkt_file, const char *native)
{
	static const struct {
		const char *name;
		uint64_t (*fn)(const uint8_t *, size_t);
	} nat[] = {{"alu", alu}, {"mem", mem}, {"parse", parse}, {"helper", helper}};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .type = BK_PROG_XDP, .name = "bench"};
	uint64_t (*fn)(const uint8_t *, size_t) = NULL;
	double best[4] = {1e30, 1e30, 1e30, 1e30};
	uint64_t r0[3] = {0};
	struct engine trusted, checked;
	struct bk_vm_prog *prog;
	struct bk_vm *vm;
	struct bk_diag d;
	size_t len, plen;
	void *code = slurp(raw, &len), *pkt = slurp(pkt_file, &plen);
	unsigned kr0 = 0;
	int fd = geteuid() == 0 && len ? kload(code, len) : -1;

	for (size_t i = 0; native && i < sizeof(nat) / sizeof(nat[0]); i++)
		if (!strcmp(nat[i].name, native))
			fn = nat[i].fn;
	bk_diag__init(&d);
	if (!len || !plen || bk_vm__new(NULL, &vm) ||
	    bk_vm_prog__load(vm, code, len / 8, &po, &prog, &d) ||
	    engine_new(vm, prog, BK_VM_TRUSTED, pkt, plen, &trusted, &d) ||
	    engine_new(vm, prog, BK_VM_CHECKED, pkt, plen, &checked, &d)) {
		fprintf(stderr, "bk-jitbench: %s: %s\n", raw, d.msg);
		return 1;
	}
	for (int round = 0; round < ROUNDS; round++) {
		best[0] = least(best[0], engine_ns(&trusted, n, &r0[0]));
		if (round < ROUNDS / 3)
			best[1] = least(best[1], engine_ns(&checked, n, &r0[1]));
		if (fd >= 0)
			best[2] = least(best[2], kernel_ns(fd, pkt, plen, n, &kr0));
		if (fn)
			best[3] = least(best[3], native_ns(fn, pkt, plen, n, &r0[2]));
	}
	printf("r0 %llu\njit_ns %.2f\nchecked_ns %.2f\n", (unsigned long long)r0[0], best[0],
	       best[1]);
	if (fd >= 0)
		printf("kernel_r0 %u\nkernel_ns %.0f\n", kr0, best[2]);
	if (fn)
		printf("native_r0 %llu\nnative_ns %.2f\n", (unsigned long long)r0[2], best[3]);
	return 0;
}

static int compile(const char *raw)
{
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .type = BK_PROG_XDP};
	struct bk_jit_opts jo = {.sz = sizeof(jo), .mode = BK_VM_TRUSTED};
	struct bk_vm_prog *prog;
	struct bk_vm *vm;
	struct bk_diag d;
	size_t len;
	void *code = slurp(raw, &len);
	uint64_t best = ~0ull, kbest = ~0ull;

	bk_diag__init(&d);
	if (!len || bk_vm__new(NULL, &vm) || bk_vm_prog__load(vm, code, len / 8, &po, &prog, &d)) {
		fprintf(stderr, "bk-jitbench: %s: %s\n", raw, d.msg);
		return 1;
	}
	for (int rep = 0; rep < 20; rep++) {
		struct bk_jit_prog *jp;
		uint64_t t0 = ns(CLOCK_MONOTONIC);

		if (bk_jit_prog__new(prog, &jo, &jp, &d)) {
			fprintf(stderr, "bk-jitbench: %s: %s\n", raw, d.msg);
			return 1;
		}
		if (ns(CLOCK_MONOTONIC) - t0 < best)
			best = ns(CLOCK_MONOTONIC) - t0;
		bk_jit_prog__free(jp);
	}
	printf("insns %zu\njit_compile_ns %llu\n", len / 8, (unsigned long long)best);
	for (int rep = 0; rep < 5; rep++) {
		uint64_t t0 = ns(CLOCK_MONOTONIC), t;
		int fd = kload(code, len);

		t = ns(CLOCK_MONOTONIC) - t0;
		if (fd < 0)
			break;
		close(fd);
		if (t < kbest)
			kbest = t;
	}
	if (kbest != ~0ull)
		printf("kernel_load_ns %llu\n", (unsigned long long)kbest);
	bk_vm__free(vm);
	free(code);
	return 0;
}

/* A long straight-line program: blocks of ALU work on r1..r5, stack
 * stores and loads, and forward branches; returns XDP_PASS. */
static int gen(long n, const char *out)
{
	FILE *f = fopen(out, "wb");
	struct bk_insn in[16];
	uint32_t x = 1;

	if (!f)
		return die(out);
	for (int r = 1; r <= 5; r++) {
		in[0] = BK_MOV64_IMM(r, r * 7);
		fwrite(in, sizeof(in[0]), 1, f);
	}
	for (long i = 0; i < n / 12; i++) {
		int a = 1 + (int)((x = x * 1103515245u + 12345u) >> 16) % 5, b = 1 + (int)(x % 5);
		int k = 0;

		in[k++] = BK_ALU64_REG(ADD, a, b);
		in[k++] = BK_ALU64_IMM(MUL, b, 13);
		in[k++] = BK_ALU64_IMM(XOR, a, (int32_t)x);
		in[k++] = BK_ALU32_IMM(RSH, b, 3);
		in[k++] = BK_STX_MEM(DW, 10, a, -8 - 8 * (int)(x % 8));
		in[k++] = BK_LDX_MEM(DW, a, 10, -8 - 8 * (int)(x % 8));
		in[k++] = BK_JMP_IMM(JGT, a, 1000, 2);
		in[k++] = BK_ALU64_IMM(ADD, a, 1);
		in[k++] = BK_ALU64_REG(SUB, b, a);
		in[k++] = BK_ALU64_IMM(AND, b, 0xffff);
		in[k++] = BK_ALU64_REG(OR, a, b);
		in[k++] = BK_ALU64_IMM(LSH, a, 1);
		fwrite(in, sizeof(in[0]), (size_t)k, f);
	}
	in[0] = BK_MOV64_IMM(0, XDP_PASS);
	in[1] = BK_EXIT();
	fwrite(in, sizeof(in[0]), 2, f);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "loop"))
		return loop(argv[2], atol(argv[3]), argv[4], argc > 5 ? argv[5] : NULL);
	if (argc >= 3 && !strcmp(argv[1], "compile"))
		return compile(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "gen"))
		return gen(atol(argv[2]), argv[3]);
	fprintf(stderr,
		"usage: bk-jitbench loop RAW N PACKET [NATIVE] | compile RAW | gen N OUT\n");
	return 2;
}
