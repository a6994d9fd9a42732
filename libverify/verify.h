/* SPDX-License-Identifier: MIT */
/*
 * verify.h - libverify: a static BPF verifier that decides what the Linux
 * kernel's verifier (6.x, privileged loader: CAP_BPF + CAP_PERFMON +
 * CAP_SYS_ADMIN) would decide, without loading anything.
 *
 * Input is a linked program (decoded instructions), its map definitions and
 * relocations, and a program type; or a struct bk_prog from an object.
 * Output is a verdict (0: accepted, -BK_E_V_*: rejected with a struct
 * bk_diag naming the instruction, register and reason), statistics in the
 * columns of the kernel's veristat, and optionally a log of register states
 * in the kernel's notation through a callback.
 *
 * Nothing here prints, exits or keeps global state; all scratch memory of
 * one run is freed before bk_verify() returns.
 */
#ifndef BK_VERIFY_H
#define BK_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the verifier's log lines go: one line per call, no newline. */
typedef void (*bk_verify_log_fn)(void *ctx, const char *line);

struct bk_verify_opts {
	size_t sz;	      /* sizeof(struct bk_verify_opts) */
	int log_level;	      /* 0: none, 1: states at branches, 2: every insn */
	bk_verify_log_fn log; /* NULL: no log */
	void *log_ctx;
	uint64_t max_insns;	/* processed-instruction limit; 0: 1,000,000 */
	uint64_t time_limit_ns; /* wall-clock bound; 0: none */
	uint32_t nr_cpus;	/* possible CPUs (bounds get_smp_processor_id); 0: unknown */
	bool gpl;		/* license is GPL-compatible (GPL-only helpers) */
};

/* A linked program as the verifier sees it.  maps[] are indexed by the
 * relocations' map field (BK_RELO_MAP / BK_RELO_MAP_VALUE); an ld_imm64 with
 * src MAP_IDX / MAP_IDX_VALUE names maps[imm] directly. */
struct bk_verify_input {
	size_t sz; /* sizeof(struct bk_verify_input) */
	const struct bk_insn *insns;
	size_t cnt;
	enum bk_prog_type type;
	uint32_t attach_type; /* the kernel's expected_attach_type */
	const struct bk_map_def *maps;
	size_t nmaps;
	const struct bk_reloc *relocs;
	size_t nrelocs;
	const struct bk_func *funcs; /* subprogram starts (may be NULL) */
	size_t nfuncs;
	const struct btf *btf;	    /* for global function signatures; may be NULL */
	const struct bk_prog *prog; /* for line info in messages; may be NULL */
};

/* The columns of veristat, plus the stack depth. */
struct bk_verify_stats {
	uint64_t insns_processed;
	uint32_t states_total;
	uint32_t peak_states;
	uint32_t max_states_per_insn;
	uint64_t time_ns;
	uint32_t stack_depth; /* deepest combined stack of a call chain, bytes */
	uint32_t subprogs;
};

/* Verifies a program.  Returns 0 when the kernel would accept it, -BK_E_V_*
 * when it would reject it (diag: code, instruction, message naming the
 * register and reason), or -ENOMEM / -EINVAL for faults of the call. */
int bk_verify(const struct bk_verify_input *in, const struct bk_verify_opts *opts,
	      struct bk_verify_stats *stats, struct bk_diag *diag);

/* Same for a program of an object: takes instructions, maps, relocations,
 * functions, BTF, license and type from prog (type: bk_prog__type unless
 * overridden with type != BK_PROG_UNSPEC). */
int bk_prog__verify(const struct bk_prog *prog, enum bk_prog_type type,
		    const struct bk_verify_opts *opts, struct bk_verify_stats *stats,
		    struct bk_diag *diag);

/* True when the verifier models this program type's context and helpers. */
bool bk_verify_supports_type(enum bk_prog_type type);

#ifdef __cplusplus
}
#endif
#endif /* BK_VERIFY_H */
