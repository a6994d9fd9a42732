// SPDX-License-Identifier: MIT
/*
 * difffuzz - differential fuzzer: bpfverify's verdict against the running
 * kernel's on random and mutated programs (gen.c).
 *
 *   difffuzz [-n COUNT] [-t SECONDS] [-s SEED] [-o DIR] [--vm] [--typed] [--loops]
 *            [--mix] [-q] [SEED.o...]
 *
 * Programs are random (gen.c), typed near the bounds (gen.c), loops and
 * iterators (gen_loop.c: all of them with --loops, a third with --mix) or,
 * when objects are given, mutants of their programs (seeds.c).
 *
 * For each program: libverify's verdict, then BPF_PROG_LOAD's (root).
 * "ours accept, kernel rejects" is a soundness bug, "ours rejects, kernel
 * accepts" a precision miss; both are counted and the programs written to
 * DIR (hex instructions, our diagnostic, the kernel's log).  With --vm
 * every program we accept (xdp) also runs in libvm's checked mode on random
 * packets; a bounds fault there is counted too.  Exit 1 when a soundness
 * bug or a VM bounds fault was found.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "difffuzz.h"
#include "vm.h"

#define MAXI 512

struct stats {
	uint64_t total, both_ok, both_rej, sound, prec, vm_runs, vm_faults, vm_skipped;
	uint64_t prec_by_code[64], rej_by_code[64];
};

static void save(const char *dir, const char *kind, uint64_t n, int type, const struct bk_insn *p,
		 size_t cnt, const struct bk_diag *d, const char *klog)
{
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s-%06llu.txt", dir, kind, (unsigned long long)n);
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "type %d\n", type);
	for (size_t i = 0; i < cnt; i++)
		fprintf(f, "%02x %x %x %d %d\n", p[i].code, p[i].dst, p[i].src, p[i].off, p[i].imm);
	fprintf(f, "ours: %s insn %ld: %s\n", d->code ? bk_errname(d->code) : "accept", d->insn,
		d->msg);
	fprintf(f, "kernel errno %d, log:\n%s\n", df_kern_errno, klog ? klog : "");
	fclose(f);
}

static const enum bk_prog_type btypes[] = {
	[DF_XDP] = BK_PROG_XDP,
	[DF_TC] = BK_PROG_SCHED_CLS,
	[DF_SOCKET] = BK_PROG_SOCKET_FILTER,
};

/* Runs an accepted xdp program in libvm's checked mode on random packets;
 * returns the number of bounds faults. */
static int vm_check(struct bk_vm *vm, struct bk_map **maps, const struct bk_insn *p, size_t cnt,
		    uint64_t *rng, struct stats *st)
{
	struct bk_insn q[MAXI];
	struct bk_vm_prog_opts po = {
		.sz = sizeof(po), .type = BK_PROG_XDP, .maps = maps, .nmaps = DF_NMAPS};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_CHECKED, .budget = 1000000};
	struct bk_vm_prog *vp = NULL;
	struct bk_vm_run *run = NULL;
	struct bk_diag d;
	int faults = 0;

	memcpy(q, p, cnt * sizeof(*q));
	for (size_t i = 0; i < cnt; i++) {
		if (q[i].code == BK_OPC_LDDW_MAP_FD && q[i].src == 1) {
			if (q[i].imm == DF_MAP_DEV)
				goto skip;
			q[i].src = 5;
		}
	}
	if (bk_vm_prog__load(vm, q, cnt, &po, &vp, &d) || bk_vm_run__new(vm, &ro, &run))
		goto skip;
	for (int k = 0; k < 8; k++) {
		uint8_t pkt[256];
		size_t len = (size_t)(*rng % 200);
		uint64_t r0;

		*rng ^= *rng << 13;
		*rng ^= *rng >> 7;
		*rng ^= *rng << 17;
		for (size_t i = 0; i < len; i++)
			pkt[i] = (uint8_t)(*rng >> (i % 56));
		bk_vm_run__ctx_xdp(run, pkt, len, NULL);
		int rc = bk_vm_run__exec(run, vp, &r0, &d);

		st->vm_runs++;
		if (rc == -BK_E_VM_MEM || rc == -BK_E_VM_WRITE_RO || rc == -BK_E_VM_R10)
			faults++;
	}
	bk_vm_run__free(run);
	bk_vm_prog__free(vp);
	return faults;
skip:
	bk_vm_run__free(run);
	bk_vm_prog__free(vp);
	st->vm_skipped++;
	return 0;
}

/* Relocations naming the kfuncs of CALL_KFUNC instructions (imm DF_KF_*),
 * as an object's would. */
static size_t kfunc_relocs(const struct bk_insn *p, size_t cnt, struct bk_reloc *rel, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < cnt && n < cap; i++)
		if (p[i].code == BK_OPC_CALL_KFUNC && p[i].src == 2 && df_kfunc_name(p[i].imm))
			rel[n++] = (struct bk_reloc){.insn = (uint32_t)i,
						     .kind = BK_RELO_KFUNC,
						     .map = -1,
						     .sym = df_kfunc_name(p[i].imm)};
	return n;
}

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s\n", line);
}

/* --replay FILE: our verdict with the log, for a saved program. */
static int replay(const char *path)
{
	struct bk_insn p[MAXI];
	unsigned code, dst, src;
	int off, imm, type;
	size_t cnt = 0;
	char line[256];
	FILE *f = fopen(path, "r");
	struct bk_diag d;

	if (!f || !fgets(line, sizeof(line), f) || sscanf(line, "type %d", &type) != 1)
		return 2;
	while (cnt < MAXI && fgets(line, sizeof(line), f) &&
	       sscanf(line, "%x %x %x %d %d", &code, &dst, &src, &off, &imm) == 5)
		p[cnt++] = (struct bk_insn){.code = (uint8_t)code,
					    .dst = (uint8_t)dst,
					    .src = (uint8_t)src,
					    .off = (int16_t)off,
					    .imm = imm};
	fclose(f);
	struct bk_verify_opts vo = {
		.sz = sizeof(vo), .gpl = true, .nr_cpus = 2, .log_level = 2, .log = log_line};
	struct bk_reloc rel[64];
	struct bk_verify_input in = {.sz = sizeof(in),
				     .type = btypes[type],
				     .maps = df_maps,
				     .nmaps = DF_NMAPS,
				     .insns = p,
				     .cnt = cnt,
				     .relocs = rel,
				     .nrelocs = kfunc_relocs(p, cnt, rel, 64)};
	struct bk_func fn[16];

	df_kern_init();
	in.funcs = fn;
	in.nfuncs = df_funcs(p, cnt, fn, 16);
	in.btf = in.nfuncs ? df_func_btf() : NULL;
	int rc = bk_verify(&in, &vo, NULL, &d);

	printf("ours: %s insn %ld: %s\n", rc ? bk_errname(d.code) : "accept", d.insn, d.msg);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--replay"))
		return replay(argv[2]);
	uint64_t count = 1000, seed = (uint64_t)time(NULL), secs = 0;
	const char *dir = NULL;
	bool use_vm = false, quiet = false;
	static const struct option lo[] = {{"vm", no_argument, NULL, 'v'},
					   {"typed", no_argument, NULL, 'T'},
					   {"loops", no_argument, NULL, 'L'},
					   {"mix", no_argument, NULL, 'M'},
					   {0}};
	bool only_typed = false, only_loops = false, mix = false;
	struct stats st = {0};
	struct bk_vm *vm = NULL;
	struct bk_map *maps[DF_NMAPS] = {0};
	int c;

	while ((c = getopt_long(argc, argv, "n:t:s:o:q", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			count = strtoull(optarg, NULL, 0);
			break;
		case 't':
			secs = strtoull(optarg, NULL, 0);
			count = UINT64_MAX;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'o':
			dir = optarg;
			mkdir(dir, 0755);
			break;
		case 'v':
			use_vm = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'T':
			only_typed = true;
			break;
		case 'L':
			only_loops = true;
			break;
		case 'M':
			mix = true;
			break;
		default:
			fprintf(stderr,
				"usage: difffuzz [-n COUNT] [-t SECONDS] [-s SEED] [-o DIR] "
				"[--vm] [--typed] [--loops] [--mix] [-q]\n");
			return 2;
		}
	}
	if (optind < argc)
		fprintf(stderr, "difffuzz: %zu seed programs\n",
			df_seeds_load(argv + optind, argc - optind));
	if (df_kern_init()) {
		fprintf(stderr, "difffuzz: cannot create maps (root needed): %s\n",
			strerror(errno));
		return 2;
	}
	if (use_vm) {
		if (bk_vm__new(NULL, &vm))
			return 2;
		for (int i = 0; i < DF_NMAPS; i++) {
			struct bk_map_attr a = {.type = df_maps[i].type,
						.key_size = df_maps[i].key_size,
						.value_size = df_maps[i].value_size,
						.max_entries = df_maps[i].max_entries};
			bk_map__new(vm, &a, &maps[i], NULL);
		}
	}
	uint64_t rng = seed * 2654435761u + 1, t0 = (uint64_t)time(NULL);
	static char klog[1 << 20];

	for (uint64_t n = 0; n < count; n++) {
		struct bk_insn p[MAXI];
		int type = (int)(rng % 10) < 7 ? DF_XDP : (rng % 10 < 9 ? DF_TC : DF_SOCKET);
		size_t cnt;
		struct bk_diag d;
		struct bk_verify_opts vo = {.sz = sizeof(vo),
					    .gpl = true,
					    .nr_cpus = 2,
					    .time_limit_ns = 2000000000ULL};
		struct bk_verify_input in = {
			.sz = sizeof(in), .type = btypes[type], .maps = df_maps, .nmaps = DF_NMAPS};
		int ours, kern;

		if (secs && (n & 255) == 0 && (uint64_t)time(NULL) - t0 >= secs)
			break;
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		struct bk_reloc rel[64];
		size_t nrel = 0;

		if (only_loops || (mix && (rng >> 20) % 3 == 0))
			cnt = df_generate_loop(&rng, type, p, MAXI, rel, &nrel, 64);
		else
			cnt = only_typed || ((rng >> 40) & 1)
				      ? df_generate_typed(&rng, type, p, MAXI)
				      : df_generate(&rng, type, p, MAXI);
		if (!cnt)
			continue;
		in.insns = p;
		in.cnt = cnt;
		in.relocs = rel;
		in.nrelocs = kfunc_relocs(p, cnt, rel, 64);
		struct bk_func fn[16];

		in.funcs = fn;
		in.nfuncs = df_funcs(p, cnt, fn, 16);
		in.btf = in.nfuncs ? df_func_btf() : NULL;
		ours = bk_verify(&in, &vo, NULL, &d) == 0;
		kern = df_kern_load(type, p, cnt, NULL, 0, NULL);
		if (kern < 0)
			continue;
		st.total++;
		if (ours && kern)
			st.both_ok++;
		else if (!ours && !kern) {
			st.both_rej++;
			st.rej_by_code[(d.code - 2000) & 63]++;
		} else {
			df_kern_load(type, p, cnt, klog, sizeof(klog), NULL);
			if (ours) {
				st.sound++;
				save(dir, "sound", n, type, p, cnt, &d, klog);
			} else {
				st.prec++;
				st.prec_by_code[(d.code - 2000) & 63]++;
				save(dir, "prec", n, type, p, cnt, &d, klog);
			}
		}
		if (use_vm && ours && type == DF_XDP) {
			int f = vm_check(vm, maps, p, cnt, &rng, &st);

			if (f) {
				st.vm_faults += (uint64_t)f;
				save(dir, "vmfault", n, type, p, cnt, &d, "");
			}
		}
		if (!quiet && st.total % 10000 == 0)
			fprintf(stderr, "difffuzz: %llu programs\n", (unsigned long long)st.total);
	}
	uint64_t acc = st.both_ok + st.sound;

	printf("difffuzz: seed %llu, %llu programs: both accept %llu, both reject %llu, "
	       "ours-accept/kernel-reject (soundness) %llu, ours-reject/kernel-accept (precision) "
	       "%llu\n",
	       (unsigned long long)seed, (unsigned long long)st.total,
	       (unsigned long long)st.both_ok, (unsigned long long)st.both_rej,
	       (unsigned long long)st.sound, (unsigned long long)st.prec);
	printf("difffuzz: soundness-bug rate %.5f%% of all, precision-miss rate %.4f%% of all "
	       "(%.3f%% of kernel-accepted); agreement %.4f%%\n",
	       st.total ? 100.0 * (double)st.sound / (double)st.total : 0.0,
	       st.total ? 100.0 * (double)st.prec / (double)st.total : 0.0,
	       (st.both_ok + st.prec) ? 100.0 * (double)st.prec / (double)(st.both_ok + st.prec)
				      : 0.0,
	       st.total ? 100.0 * (double)(st.both_ok + st.both_rej) / (double)st.total : 0.0);
	if (use_vm)
		printf("difffuzz: vm checked runs %llu (of %llu accepted; %llu programs skipped: "
		       "devmap), bounds faults %llu\n",
		       (unsigned long long)st.vm_runs, (unsigned long long)acc,
		       (unsigned long long)st.vm_skipped, (unsigned long long)st.vm_faults);
	for (int i = 0; i < 64; i++)
		if (st.prec_by_code[i])
			printf("  precision misses %s: %llu\n", bk_errname(2000 + i),
			       (unsigned long long)st.prec_by_code[i]);
	if (!quiet)
		for (int i = 0; i < 64; i++)
			if (st.rej_by_code[i])
				printf("  both reject, ours %s: %llu\n", bk_errname(2000 + i),
				       (unsigned long long)st.rej_by_code[i]);
	bk_vm__free(vm);
	return st.sound || st.vm_faults ? 1 : 0;
}
