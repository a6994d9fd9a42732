// SPDX-License-Identifier: MIT
/*
 * bk-jitbench - measurements for bench-40-jit (not part of bpfkit; prints
 * to stdout, exits 1 on any error):
 *
 *   bk-jitbench jit RAW N PACKET [checked]
 *       bare bytecode as an XDP program in libjit's native code, run N times
 *       with bk_jit_prog__exec_n (the loop is native, as BPF_PROG_TEST_RUN's
 *       repeat loop is in the kernel); CPU time per run, best of 5
 *   bk-jitbench kernel RAW N PACKET
 *       the same bytecode loaded into the kernel (root), BPF_PROG_TEST_RUN
 *       with repeat N; the kernel's time per run, best of 5
 *   bk-jitbench compile RAW
 *       libjit's compile time (best of 20) and the kernel's BPF_PROG_LOAD
 *       time (verification and JIT, best of 5; root)
 *   bk-jitbench gen N OUT
 *       writes a straight-line XDP program of about N instructions the
 *       kernel verifier accepts (ALU, stack loads and stores, branches)
 *
 * Output lines are "key value".
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

static int jit(const char *raw, long n, const char *pkt_file, int checked)
{
	uint8_t mode = checked ? BK_VM_CHECKED : BK_VM_TRUSTED;
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .type = BK_PROG_XDP, .name = "bench"};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = mode};
	struct bk_jit_opts jo = {.sz = sizeof(jo), .mode = mode};
	struct bk_vm_prog *prog;
	struct bk_jit_prog *jp;
	struct bk_vm_run *run;
	struct bk_vm *vm;
	struct bk_diag d;
	size_t len, plen;
	void *code = slurp(raw, &len), *pkt = slurp(pkt_file, &plen);
	uint64_t r0 = 0;
	double best = 1e30;

	bk_diag__init(&d);
	if (!len || !plen || bk_vm__new(NULL, &vm) ||
	    bk_vm_prog__load(vm, code, len / 8, &po, &prog, &d) ||
	    bk_jit_prog__new(prog, &jo, &jp, &d) || bk_vm_run__new(vm, &ro, &run) ||
	    bk_vm_run__ctx_xdp(run, pkt, plen, NULL)) {
		fprintf(stderr, "bk-jitbench: %s: %s\n", raw, d.msg);
		return 1;
	}
	for (int rep = 0; rep < 5; rep++) {
		uint64_t t0 = ns(CLOCK_THREAD_CPUTIME_ID);

		if (bk_jit_prog__exec_n(run, jp, (uint64_t)n, &r0, &d)) {
			fprintf(stderr, "bk-jitbench: %s: %s\n", raw, d.msg);
			return 1;
		}
		double t = (double)(ns(CLOCK_THREAD_CPUTIME_ID) - t0) / (double)n;
		if (t < best)
			best = t;
	}
	printf("r0 %llu\nns_per_run %.2f\n", (unsigned long long)r0, best);
	if (getenv("BK_JITBENCH_DEBUG"))
		printf("stack_top %p image %p\n", (void *)bk_vm_run__shared(run)->stack_top,
		       bk_jit_prog__vm_prog(jp) ? (void *)jp : NULL);
	bk_jit_prog__free(jp);
	bk_vm_run__free(run);
	bk_vm__free(vm);
	free(code);
	free(pkt);
	return 0;
}

static int kload(const void *code, size_t len)
{
	char log[256];
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = sizeof(log), .log_level = 0);

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "bench", "GPL", code, len / 8, &o);
}

static int kernel(const char *raw, long n, const char *pkt_file)
{
	size_t len, plen;
	void *code = slurp(raw, &len), *pkt = slurp(pkt_file, &plen);
	int fd = len ? kload(code, len) : -1;
	unsigned best = ~0u, r0 = 0;

	if (fd < 0)
		return die(raw);
	for (int rep = 0; rep < 5; rep++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = (uint32_t)plen,
			    .repeat = (int)n);

		if (bpf_prog_test_run_opts(fd, &o))
			return die("BPF_PROG_TEST_RUN");
		if (o.duration < best)
			best = o.duration;
		r0 = o.retval;
	}
	printf("r0 %u\nns_per_run %u\n", r0, best);
	free(code);
	free(pkt);
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
	if (argc >= 5 && !strcmp(argv[1], "jit"))
		return jit(argv[2], atol(argv[3]), argv[4],
			   argc > 5 && !strcmp(argv[5], "checked"));
	if (argc >= 5 && !strcmp(argv[1], "kernel"))
		return kernel(argv[2], atol(argv[3]), argv[4]);
	if (argc >= 3 && !strcmp(argv[1], "compile"))
		return compile(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "gen"))
		return gen(atol(argv[2]), argv[3]);
	fprintf(stderr, "usage: bk-jitbench jit RAW N PACKET [checked] | kernel RAW N PACKET | "
			"compile RAW | gen N OUT\n");
	return 2;
}
