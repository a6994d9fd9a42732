// SPDX-License-Identifier: MIT
/*
 * vmcheck - runs every program bpfverify accepts in the given objects in
 * libvm's checked mode on random packets (xdp) or random memory (raw), and
 * counts bounds faults: a verified program must never fault.  Programs the
 * VM cannot run (a helper or map type it lacks, skb contexts) are counted
 * as skipped.
 *
 *   vmcheck [-n RUNS] OBJ...      exit 1 when a bounds fault happened
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uapi.h"
#include "verify.h"
#include "vm.h"

struct totals {
	unsigned progs, accepted, ran, skipped, runs, faults;
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void run_prog(struct bk_vm *vm, struct bk_map **maps, size_t nmaps, struct bk_prog *p,
		     enum bk_prog_type t, unsigned runs, struct totals *tot, const char *file)
{
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .type = t, .maps = maps, .nmaps = nmaps};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_CHECKED, .budget = 10000000};
	struct bk_vm_prog *vp = NULL;
	struct bk_vm_run *run = NULL;
	struct bk_diag d;
	size_t cnt;
	const struct bk_insn *insns = bk_prog__insns(p, &cnt);

	po.relocs = bk_prog__relocs(p, &po.nrelocs);
	po.name = bk_prog__name(p);
	if (bk_vm_prog__load(vm, insns, cnt, &po, &vp, &d) || bk_vm_run__new(vm, &ro, &run)) {
		tot->skipped++;
		bk_vm_prog__free(vp);
		return;
	}
	tot->ran++;
	for (unsigned i = 0; i < runs; i++) {
		uint8_t mem[1024];
		size_t len = (size_t)(rnd() % (t == BK_PROG_XDP ? 256 : 1024));
		uint64_t r0;
		int rc;

		for (size_t b = 0; b < len; b++)
			mem[b] = (uint8_t)rnd();
		if (t == BK_PROG_XDP)
			rc = bk_vm_run__ctx_xdp(run, mem, len, NULL);
		else
			rc = bk_vm_run__ctx_raw(run, mem, len);
		if (rc)
			break;
		rc = bk_vm_run__exec(run, vp, &r0, &d);
		tot->runs++;
		if (rc == -BK_E_VM_MEM || rc == -BK_E_VM_WRITE_RO || rc == -BK_E_VM_R10 ||
		    rc == -BK_E_VM_JUMP || rc == -BK_E_VM_FALLOFF) {
			tot->faults++;
			fprintf(stderr, "vmcheck: %s:%s: %s at insn %ld: %s\n", file,
				bk_prog__name(p), bk_errname(rc), d.insn, d.msg);
			break;
		}
	}
	bk_vm_run__free(run);
	bk_vm_prog__free(vp);
}

static int check_obj(const char *path, unsigned runs, struct totals *tot)
{
	struct bk_obj *obj;
	struct bk_diag d;
	struct bk_vm *vm;

	if (bk_obj__open_file(path, NULL, &obj, &d))
		return -1;
	if (bk_vm__new(NULL, &vm)) {
		bk_obj__free(obj);
		return -1;
	}
	size_t nmaps = bk_obj__map_cnt(obj);
	struct bk_map **maps = calloc(nmaps + 1, sizeof(*maps));

	for (size_t i = 0; maps && i < nmaps; i++) {
		const struct bk_map_def *m = bk_obj__map(obj, i);
		struct bk_map_attr a = {.type = m->type,
					.key_size = m->key_size,
					.value_size = m->value_size,
					.max_entries = m->max_entries};

		if (bk_map__new(vm, &a, &maps[i], NULL))
			maps[i] = NULL;
		else if (m->data && maps[i] && m->type == 2) {
			uint32_t k = 0;

			bk_map__update(maps[i], &k, m->data, 0);
		}
	}
	for (size_t i = 0; maps && i < bk_obj__prog_cnt(obj); i++) {
		struct bk_prog *p = bk_obj__prog(obj, i);
		enum bk_prog_type t = bk_prog__type(p);
		struct bk_verify_opts vo = {.sz = sizeof(vo), .nr_cpus = 2};
		bool usable = true;
		size_t nrel;
		const struct bk_reloc *rel = bk_prog__relocs(p, &nrel);

		tot->progs++;
		if (bk_prog__verify(p, BK_PROG_UNSPEC, &vo, NULL, &d))
			continue;
		tot->accepted++;
		for (size_t r = 0; r < nrel; r++)
			if (rel[r].map >= 0 && !maps[rel[r].map])
				usable = false;
		if (!usable || (t != BK_PROG_XDP && t != BK_PROG_RAW)) {
			tot->skipped++;
			continue;
		}
		run_prog(vm, maps, nmaps, p, t, runs, tot, path);
	}
	free(maps);
	bk_vm__free(vm);
	bk_obj__free(obj);
	return 0;
}

int main(int argc, char **argv)
{
	struct totals tot = {0};
	unsigned runs = 20;
	int c;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n') {
			fprintf(stderr, "usage: vmcheck [-n RUNS] OBJ...\n");
			return 2;
		}
		runs = (unsigned)strtoul(optarg, NULL, 0);
	}
	for (int i = optind; i < argc; i++)
		if (check_obj(argv[i], runs, &tot))
			fprintf(stderr, "vmcheck: cannot open %s\n", argv[i]);
	printf("vmcheck: %u programs, %u accepted by bpfverify: %u ran in checked mode (%u runs), "
	       "%u skipped (helper, map type or context the VM lacks), %u bounds faults\n",
	       tot.progs, tot.accepted, tot.ran, tot.runs, tot.skipped, tot.faults);
	return tot.faults ? 1 : 0;
}
