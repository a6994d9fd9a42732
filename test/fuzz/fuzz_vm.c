// SPDX-License-Identifier: MIT
/*
 * fuzz_vm - arbitrary bytes as a program, run by libvm's interpreter in
 * checked mode with an instruction budget.  Loading may refuse it and the
 * run may fault (both are errors, not crashes); nothing may crash, hang,
 * leak or touch memory outside the program's regions (ASan, UBSan).
 *
 * Input: 4 bytes of set-up, then the bytecode.
 *   byte 0  bit 0: XDP context (else raw memory), bit 1: the program is
 *           also put in the prog array (tail calls into itself)
 *   byte 1  memory or packet length (0..255)
 *   byte 2  CPU
 *   byte 3  fill byte of the memory
 * The runtime has maps with ids 1..6 (ld_imm64 MAP_FD) and at indexes
 * 0..5 (MAP_IDX): array, percpu array, hash, LRU hash, ring buffer, prog
 * array; some hold elements.
 */
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

enum {
	BUDGET = 20000
};

static const struct bk_map_attr attrs[] = {
	{.type = BPF_MAP_TYPE_ARRAY,
	 .key_size = 4,
	 .value_size = 16,
	 .max_entries = 4,
	 .name = "array"},
	{.type = BPF_MAP_TYPE_PERCPU_ARRAY,
	 .key_size = 4,
	 .value_size = 8,
	 .max_entries = 2,
	 .name = "percpu"},
	{.type = BPF_MAP_TYPE_HASH,
	 .key_size = 4,
	 .value_size = 8,
	 .max_entries = 8,
	 .name = "hash"},
	{.type = BPF_MAP_TYPE_LRU_HASH,
	 .key_size = 8,
	 .value_size = 4,
	 .max_entries = 8,
	 .name = "lru"},
	{.type = BPF_MAP_TYPE_RINGBUF, .max_entries = 4096, .name = "ringbuf"},
	{.type = BPF_MAP_TYPE_PROG_ARRAY,
	 .key_size = 4,
	 .value_size = 4,
	 .max_entries = 2,
	 .name = "progs"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_vm_opts vo = {.sz = sizeof(vo), .ncpus = 2, .seed = 1};
	struct bk_map *maps[6] = {0};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .maps = maps, .nmaps = 6};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_CHECKED, .budget = BUDGET};
	struct bk_vm *vm = NULL;
	struct bk_vm_prog *prog = NULL;
	struct bk_vm_run *run = NULL;
	uint8_t mem[256];
	struct bk_insn *insns;
	size_t cnt, len;
	uint64_t r0;

	if (size < 4 + sizeof(struct bk_insn))
		return 0;
	cnt = (size - 4) / sizeof(struct bk_insn);
	insns = malloc(cnt * sizeof(*insns));
	if (!insns || bk_vm__new(&vo, &vm)) {
		free(insns);
		return 0;
	}
	memcpy(insns, data + 4, cnt * sizeof(*insns));
	for (int i = 0; i < 6; i++)
		bk_map__new(vm, &attrs[i], &maps[i], NULL);
	for (uint32_t k = 0; k < 3; k++) {
		uint64_t v = k * 7, k8 = k;

		if (maps[2])
			bk_map__update(maps[2], &k, &v, 0);
		if (maps[3])
			bk_map__update(maps[3], &k8, &k, 0);
	}
	po.type = (data[0] & 1) ? BK_PROG_XDP : BK_PROG_RAW;
	if (bk_vm_prog__load(vm, insns, cnt, &po, &prog, NULL))
		goto out;
	if ((data[0] & 2) && maps[5]) {
		uint32_t k = 0, id = bk_vm_prog__id(prog);

		bk_map__update(maps[5], &k, &id, 0);
	}
	ro.cpu = data[2];
	if (bk_vm_run__new(vm, &ro, &run))
		goto out;
	len = data[1];
	memset(mem, data[3], sizeof(mem));
	if (data[0] & 1)
		bk_vm_run__ctx_xdp(run, mem, len, NULL);
	else
		bk_vm_run__ctx_raw(run, mem, len);
	bk_vm_run__exec(run, prog, &r0, NULL);
	if (maps[4])
		bk_map__ringbuf_consume(maps[4], NULL, NULL);
out:
	bk_vm_run__free(run);
	bk_vm__free(vm);
	free(insns);
	return 0;
}
