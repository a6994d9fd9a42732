// SPDX-License-Identifier: MIT
/*
 * fuzz_verify.c - libFuzzer target for the verifier: arbitrary bytes as an
 * ELF object (every program verified, as bpfverify does) or, when the first
 * byte is odd, as raw bytecode of a program type chosen by the second byte
 * with a few maps.  The verifier must return a verdict for anything -
 * never crash, leak or hang: every run is bounded by a processed-insn limit
 * and a time limit that end in BK_E_V_COMPLEXITY / BK_E_V_TIMEOUT.
 * Seeds: test/fuzz/corpus/verify/; kept bad inputs: test/malformed/verify/.
 */
#include <stdlib.h>
#include <string.h>

#include "uapi.h"
#include "verify.h"

static const struct bk_map_def maps[] = {
	{.name = "a", .type = 2, .key_size = 4, .value_size = 16, .max_entries = 4, .inner = -1},
	{.name = "h", .type = 1, .key_size = 8, .value_size = 24, .max_entries = 8, .inner = -1},
	{.name = "d",
	 .type = 2,
	 .key_size = 4,
	 .value_size = 64,
	 .max_entries = 1,
	 .inner = -1,
	 .origin = BK_MAP_DATA},
	{.name = "rb", .type = 27, .max_entries = 4096, .inner = -1},
};

static const enum bk_prog_type types[] = {BK_PROG_XDP, BK_PROG_SCHED_CLS, BK_PROG_SOCKET_FILTER,
					  BK_PROG_IOURING, BK_PROG_RAW};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_verify_opts o = {.sz = sizeof(o),
				   .gpl = true,
				   .nr_cpus = 2,
				   .max_insns = 200000,
				   .time_limit_ns = 2000000000ULL};
	struct bk_verify_stats st;
	struct bk_diag d;

	if (size < 2)
		return 0;
	if (data[0] & 1) {
		size_t n = (size - 2) / 8;
		struct bk_insn *insns = malloc(n ? n * 8 : 8);
		struct bk_verify_input in = {.sz = sizeof(in),
					     .insns = insns,
					     .cnt = n,
					     .type = types[data[1] % 5],
					     .maps = maps,
					     .nmaps = sizeof(maps) / sizeof(maps[0])};

		/* every other input also asks for facts (facts.c) */
		struct bk_insn_fact *facts = data[0] & 2 ? calloc(n ? n : 1, sizeof(*facts)) : NULL;

		if (!insns) {
			free(facts);
			return 0;
		}
		memcpy(insns, data + 2, n * 8);
		o.facts = facts;
		o.nfacts = facts ? n : 0;
		bk_verify(&in, &o, &st, &d);
		free(facts);
		free(insns);
		return 0;
	}
	struct bk_obj *obj;

	if (bk_obj__open_mem(data, size, NULL, &obj, &d))
		return 0;
	for (size_t i = 0; i < bk_obj__prog_cnt(obj); i++)
		bk_prog__verify(bk_obj__prog(obj, i), BK_PROG_UNSPEC, &o, &st, &d);
	bk_obj__free(obj);
	return 0;
}
