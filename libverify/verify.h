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

/* One step of the path to a rejection: a jump, call or return taken. */
struct bk_verify_step {
	int32_t insn;	/* the jump, call or exit */
	int32_t target; /* where the path went on */
	int8_t taken;	/* conditional jumps: 1 taken, 0 fell through; -1 others */
	char regs[240]; /* conditional jumps: the compared registers before it */
};

#define BK_VERIFY_MAX_STEPS 256

/* Why a program was rejected (opts.explain): the path that led to the
 * rejected instruction and what to change. */
struct bk_verify_explain {
	struct bk_verify_step *steps; /* the last steps of the path, in order */
	size_t nsteps;
	size_t nsteps_total; /* steps on the whole path */
	int32_t start;	     /* the path's first instruction */
	char hint[512];	     /* in words, naming source lines; "" when none */
	int32_t hint_insn;   /* another instruction the hint names, -1: none */
};

/* Frees what bk_verify filled in (NULL safe); e can be reused. */
void bk_verify_explain__clear(struct bk_verify_explain *e);

struct bk_verify_opts {
	size_t sz;	      /* sizeof(struct bk_verify_opts) */
	int log_level;	      /* 0: none, 1: states at branches, 2: every insn */
	bk_verify_log_fn log; /* NULL: no log */
	void *log_ctx;
	uint64_t max_insns;	/* processed-instruction limit; 0: 1,000,000 */
	uint64_t time_limit_ns; /* wall-clock bound; 0: none */
	uint32_t nr_cpus;	/* possible CPUs (bounds get_smp_processor_id); 0: unknown */
	bool gpl;		/* license is GPL-compatible (GPL-only helpers) */
	/* Kernel release whose rules decide (kernels.def): BK_KVER(6, 6);
	 * 0: the newest release bpfverify knows. */
	uint32_t target_kernel;
	/* What verifications of several programs share (the running kernel's
	 * BTF for the types and helpers it describes: tp_btf, fentry, iter,
	 * ..., and an index of its names), from bk_verify_cache__new(); NULL:
	 * each call reads what it needs again. */
	struct bk_verify_cache *cache;
	/* Filled on a rejection: the path and a hint (free with
	 * bk_verify_explain__clear); NULL: not computed. */
	struct bk_verify_explain *explain;
	/* Called about once a second while a program takes longer than a
	 * second (instructions processed so far); NULL: none. */
	void (*progress)(void *ctx, uint64_t insns_processed, uint64_t elapsed_ns);
	void *progress_ctx;
	/* What the verifier proved about each instruction slot, for a code
	 * generator (uapi.h "Verifier facts"; libjit's bk_jit_opts.facts):
	 * nfacts entries, which must be the program's slot count.  Valid
	 * only when bk_verify() returns 0; on a rejection they are all zero,
	 * as they are when nfacts is not the slot count.  NULL: not computed
	 * (verification costs no more). */
	struct bk_insn_fact *facts;
	size_t nfacts;
};

#define BK_KVER(major, minor) (((uint32_t)(major) << 16) | ((uint32_t)(minor) << 8))

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
	/* What the program attaches to, as the section names it after the
	 * type: "do_unlinkat" (fentry/...), "sched_switch" (tp_btf/...),
	 * "task" (iter/...), "syscalls/sys_enter_openat" (tracepoint/...).
	 * NULL: taken from prog's section when prog is set. */
	const char *attach_to;
	bool sleepable; /* BPF_F_SLEEPABLE ("fentry.s/...", "syscall"); set from
			 * prog's section when prog is set */
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

/* Kernel releases (--target-kernel): "6.1", "6.6", "6.12", "6.18" or any
 * 6.x from 6.1 to the newest known, "newest", or "running" (uname's
 * release).  Sets *ver to BK_KVER(major, minor), clamped to the newest
 * release known; -EINVAL for releases older than 6.1 or unparsable text,
 * -errno when uname fails. */
int bk_verify_kernel_parse(const char *text, uint32_t *ver);
/* The newest release whose rules bpfverify knows. */
uint32_t bk_verify_kernel_newest(void);

/* A cache for bk_verify_opts.cache, filled on first use; one per thread
 * at a time.  NULL when out of memory; __free(NULL) is safe. */
struct bk_verify_cache *bk_verify_cache__new(void);
void bk_verify_cache__free(struct bk_verify_cache *cache);

#ifdef __cplusplus
}
#endif
#endif /* BK_VERIFY_H */
