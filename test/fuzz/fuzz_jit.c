// SPDX-License-Identifier: MIT
/*
 * fuzz_jit - arbitrary bytes as a program, compiled by libjit in checked
 * mode (what runs unverified code) and run with an instruction budget.
 * Loading may refuse it and the run may fault (errors, not crashes);
 * nothing may crash, hang, leak or touch memory outside the program's
 * regions (ASan, UBSan); the native code stays inside its checks.
 *
 * Input: 4 bytes of set-up, then the bytecode (fuzz_vm's format, so the
 * two targets share seeds).
 *   byte 0  bit 0: XDP context (else raw memory); bit 1: the program is
 *           also put in the prog array (tail calls into itself); bit 2:
 *           constant blinding; bit 3: no BMI2 shifts; bit 4: no inlined
 *           array lookups; bit 5: run three times through exec_n
 *   byte 1  memory or packet length (0..255)
 *   byte 2  CPU
 *   byte 3  fill byte of the memory
 * Maps at ids 1..6 and indexes 0..5: array, percpu array, hash, LRU hash,
 * ring buffer, prog array.
 */
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jit.h"
#include "vm.h"

enum {
	BUDGET = 20000,
	NMAPS = 6,
};

// clang-format off
static const struct bk_map_attr attrs[NMAPS] = {
	{.type = BPF_MAP_TYPE_ARRAY,        .key_size = 4, .value_size = 16, .max_entries = 4},
	{.type = BPF_MAP_TYPE_PERCPU_ARRAY, .key_size = 4, .value_size = 8,  .max_entries = 2},
	{.type = BPF_MAP_TYPE_HASH,         .key_size = 4, .value_size = 8,  .max_entries = 8},
	{.type = BPF_MAP_TYPE_LRU_HASH,     .key_size = 8, .value_size = 4,  .max_entries = 8},
	{.type = BPF_MAP_TYPE_RINGBUF,      .max_entries = 4096},
	{.type = BPF_MAP_TYPE_PROG_ARRAY,   .key_size = 4, .value_size = 4,  .max_entries = 2},
};
// clang-format on

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fill_maps(struct bk_map **maps)
{
	uint32_t k = 1;
	uint64_t v[2] = {0x1122334455667788ull, 42};

	bk_map__update(maps[0], &k, v, 0);
	bk_map__update(maps[2], &k, v, 0);
}

static void run(struct bk_vm *vm, struct bk_vm_prog *prog, const uint8_t *data, size_t cnt)
{
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_CHECKED, .budget = BUDGET};
	struct bk_jit_opts jo = {.sz = sizeof(jo), .mode = BK_VM_CHECKED, .seed = 7};
	struct bk_jit_prog *jp = NULL;
	struct bk_vm_run *r = NULL;
	uint8_t mem[256];
	size_t len = data[1];
	uint64_t r0;

	(void)cnt;
	jo.flags = (data[0] & 4 ? BK_JIT_HARDEN : 0) | (data[0] & 8 ? BK_JIT_NO_BMI2 : 0) |
		   (data[0] & 16 ? BK_JIT_NO_INLINE : 0);
	ro.cpu = data[2];
	if (bk_jit_prog__new(prog, &jo, &jp, NULL) || bk_vm_run__new(vm, &ro, &r))
		goto out;
	memset(mem, data[3], sizeof(mem));
	if (data[0] & 1 ? bk_vm_run__ctx_xdp(r, mem, len, NULL) : bk_vm_run__ctx_raw(r, mem, len))
		goto out;
	if (data[0] & 32)
		bk_jit_prog__exec_n(r, jp, 3, &r0, NULL);
	else
		bk_jit_prog__exec(r, jp, &r0, NULL);
out:
	bk_vm_run__free(r);
	bk_jit_prog__free(jp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_vm_opts vo = {.sz = sizeof(vo), .ncpus = 2, .seed = 1};
	struct bk_map *maps[NMAPS] = {0};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .maps = maps, .nmaps = NMAPS};
	struct bk_vm_prog *prog = NULL;
	struct bk_vm *vm = NULL;
	struct bk_insn *insns;
	size_t cnt;

	if (size < 4 + sizeof(struct bk_insn))
		return 0;
	cnt = (size - 4) / sizeof(struct bk_insn);
	if (cnt > 4096)
		return 0;
	insns = malloc(cnt * sizeof(*insns));
	if (!insns || bk_vm__new(&vo, &vm))
		goto out;
	memcpy(insns, data + 4, cnt * sizeof(*insns));
	for (int i = 0; i < NMAPS; i++)
		if (bk_map__new(vm, &attrs[i], &maps[i], NULL))
			goto out;
	fill_maps(maps);
	po.type = data[0] & 1 ? BK_PROG_XDP : BK_PROG_RAW;
	if (bk_vm_prog__load(vm, insns, cnt, &po, &prog, NULL))
		goto out;
	if (data[0] & 2) {
		uint32_t k = 0, id = bk_vm_prog__id(prog);

		bk_map__update(maps[5], &k, &id, 0);
	}
	run(vm, prog, data, cnt);
out:
	bk_vm__free(vm);
	free(insns);
	return 0;
}
