/* SPDX-License-Identifier: MIT */
/*
 * difffuzz.h - the differential fuzzer's parts: program generator (gen.c),
 * kernel loader (kern.c) and driver (difffuzz.c).
 */
#ifndef BK_DIFFFUZZ_H
#define BK_DIFFFUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi.h"
#include "verify.h"

enum {
	DF_XDP,
	DF_TC,
	DF_SOCKET
};

/* The fuzzer's maps (index = ld_imm64 imm in generated programs). */
enum {
	DF_MAP_ARRAY = 0, /* array, key 4, value 16, 4 entries */
	DF_MAP_HASH,	  /* hash, key 8, value 24 */
	DF_MAP_ARRAY1,	  /* array, key 4, value 64, 1 entry */
	DF_MAP_RB,	  /* ring buffer 4096 */
	DF_MAP_DEV,	  /* devmap, key 4, value 4 */
	DF_NMAPS
};

extern const struct bk_map_def df_maps[DF_NMAPS];

/* Kfuncs generated programs call (imm of CALL_KFUNC). */
enum {
	DF_KF_NEW,
	DF_KF_NEXT,
	DF_KF_DESTROY,
	DF_KF__COUNT
};
const char *df_kfunc_name(int k);

/* Loop and iterator shapes (gen_loop.c): bounded loops, may_goto,
 * bpf_iter_num_*, bpf_loop callbacks; rel gets a BK_RELO_KFUNC per kfunc
 * call.  0 when the program does not fit. */
size_t df_generate_loop(uint64_t *rng, int type, struct bk_insn *out, size_t cap,
			struct bk_reloc *rel, size_t *nrel, size_t caprel);

size_t df_generate(uint64_t *rng, int type, struct bk_insn *out, size_t cap);
/* Plausible typed programs whose verdict hinges on exact bounds. */
size_t df_generate_typed(uint64_t *rng, int type, struct bk_insn *out, size_t cap);

/* Real programs from objects as seeds (seeds.c); a mutant of one, 0 when
 * there are none. */
size_t df_seeds_load(char **paths, int n);
size_t df_seed_mutant(uint64_t *rng, int *type, struct bk_insn *out, size_t cap);

/* Kernel side (root): creates the maps once; loads a program (map imms are
 * indexes into df_maps); returns 1 accepted, 0 rejected, <0 error.  With a
 * log buffer the verifier log is captured (level 1). */
int df_kern_init(void);
/* Programs with callbacks get BTF func info (kern.c): the functions of p
 * (entry first, by instruction) typed by df_func_btf(); 0 for others. */
size_t df_funcs(const struct bk_insn *p, size_t cnt, struct bk_func *out, size_t cap);
const struct btf *df_func_btf(void);
extern int df_kern_errno; /* errno of the last failed load */
int df_kern_load(int type, const struct bk_insn *insns, size_t cnt, char *log, size_t logsz,
		 uint32_t *verif_us);

#endif
