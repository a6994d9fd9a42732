// SPDX-License-Identifier: MIT
/*
 * seeds.c - real programs as fuzzing seeds: every program of the given ELF
 * objects (the verifier corpus, the samples), linked with its subprograms,
 * map references rewritten to the fuzzer's maps (by map type), global data
 * to the fuzzer's one-element array; then mutated a little before each use.
 */
#include <stdlib.h>
#include <string.h>

#include "difffuzz.h"

struct seed {
	struct bk_insn *insns;
	size_t cnt;
	int type;
};

static struct seed *pool;
static size_t npool;

static int fuzz_map_for(const struct bk_map_def *m)
{
	switch (m->type) {
	case 1: /* hash */
	case 9:
		return DF_MAP_HASH;
	case 27:
		return DF_MAP_RB;
	case 14:
	case 25:
		return DF_MAP_DEV;
	case 2:
		return m->max_entries == 1 ? DF_MAP_ARRAY1 : DF_MAP_ARRAY;
	default:
		return -1;
	}
}

static int df_type_of(enum bk_prog_type t)
{
	switch (t) {
	case BK_PROG_XDP:
		return DF_XDP;
	case BK_PROG_SCHED_CLS:
		return DF_TC;
	case BK_PROG_SOCKET_FILTER:
		return DF_SOCKET;
	default:
		return -1;
	}
}

static void add_prog(const struct bk_obj *obj, struct bk_prog *p)
{
	size_t cnt, nrel;
	const struct bk_insn *in = bk_prog__insns(p, &cnt);
	const struct bk_reloc *rel = bk_prog__relocs(p, &nrel);
	int type = df_type_of(bk_prog__type(p));
	struct seed s;

	if (type < 0 || cnt > 400 || !cnt)
		return;
	s.insns = malloc(cnt * sizeof(*s.insns));
	if (!s.insns)
		return;
	memcpy(s.insns, in, cnt * sizeof(*in));
	s.cnt = cnt;
	s.type = type;
	for (size_t r = 0; r < nrel; r++) {
		struct bk_insn *i = &s.insns[rel[r].insn];

		if (rel[r].kind == BK_RELO_MAP) {
			int m = fuzz_map_for(bk_obj__map(obj, (size_t)rel[r].map));

			if (m < 0)
				goto drop;
			i->src = 1;
			i->imm = m;
		} else if (rel[r].kind == BK_RELO_MAP_VALUE) {
			i->src = 2;
			i->imm = DF_MAP_ARRAY1;
			s.insns[rel[r].insn + 1].imm = (int32_t)(rel[r].off % 64);
		} else if (rel[r].kind != BK_RELO_CALL && rel[r].kind != BK_RELO_FUNC) {
			goto drop;
		}
	}
	struct seed *n = realloc(pool, (npool + 1) * sizeof(*pool));

	if (!n)
		goto drop;
	pool = n;
	pool[npool++] = s;
	return;
drop:
	free(s.insns);
}

size_t df_seeds_load(char **paths, int n)
{
	for (int i = 0; i < n; i++) {
		struct bk_obj *obj;
		struct bk_diag d;

		if (bk_obj__open_file(paths[i], NULL, &obj, &d))
			continue;
		for (size_t p = 0; p < bk_obj__prog_cnt(obj); p++)
			add_prog(obj, bk_obj__prog(obj, p));
		bk_obj__free(obj);
	}
	return npool;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

size_t df_seed_mutant(uint64_t *rng, int *type, struct bk_insn *out, size_t cap)
{
	const struct seed *s;
	int muts;

	if (!npool)
		return 0;
	s = &pool[rnd(rng) % npool];
	if (s->cnt > cap)
		return 0;
	memcpy(out, s->insns, s->cnt * sizeof(*out));
	*type = s->type;
	muts = (int)(rnd(rng) % 4);
	for (int m = 0; m < muts; m++) {
		struct bk_insn *in = &out[rnd(rng) % s->cnt];
		uint64_t r = rnd(rng);

		/* leave ld_imm64 pairs alone: map references must stay valid */
		if (in->code == BK_OPC_LDDW || (in > out && in[-1].code == BK_OPC_LDDW))
			continue;
		switch (r % 8) {
		case 0:
			in->imm =
				(int32_t)((uint32_t)in->imm + (uint32_t)((int)((r >> 8) % 9) - 4));
			break;
		case 1:
			in->off = (int16_t)(in->off + (int)((r >> 8) % 9) - 4);
			break;
		case 2:
			in->imm = (int32_t)((uint32_t)in->imm ^ (1u << ((r >> 8) % 32)));
			break;
		case 3:
			in->dst = (uint8_t)((r >> 8) % 10);
			break;
		case 4:
			in->src = (uint8_t)((r >> 8) % 11);
			break;
		case 5: /* swap jump condition or ALU op within the class */
			in->code = (uint8_t)((in->code & 0x0f) | (((r >> 8) % 14) << 4));
			break;
		case 6: /* drop a bounds check: jump never / always */
			if ((in->code & 7) == BK_CLASS_JMP && (in->code >> 4) != 0x8 &&
			    (in->code >> 4) != 0x9)
				in->off = 0;
			break;
		default:
			in->code ^= 0x08; /* K <-> X form */
			break;
		}
	}
	return s->cnt;
}
