/* SPDX-License-Identifier: MIT */
/*
 * verify_int.h - libverify internals: abstract register and stack state,
 * verifier states, the environment of one run, and the functions the
 * passes (cfg, alu, branch, mem, stack, call, prune, log) share.
 *
 * Model: the kernel's privileged verifier.  A register is a type (scalar or
 * one of the pointer kinds) with a fixed offset `off` and a variable part
 * (tnum var_off plus signed/unsigned 64- and 32-bit bounds, kept
 * consistent by reg_bounds_sync).  A state is a call stack of frames, each
 * with 11 registers and a stack of 8-byte slots.  Exploration is depth
 * first over a work list of states; checkpoints at prune points let later
 * paths stop when an earlier, fully explored state subsumes them.
 */
#ifndef BK_VERIFY_INT_H
#define BK_VERIFY_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "verify.h"

#define V_MAX_REGS 11
#define V_MAX_FRAMES 8
#define V_MAX_STACK 512
#define V_MAX_VAR_OFF (1 << 29)
#define V_MAX_VAR_SIZ (1 << 29)
#define V_DEFAULT_MAX_INSNS 1000000

/* ---- tnum: a value with known bits (value) and unknown bits (mask) ---- */
struct tnum {
	uint64_t value, mask;
};

#define TNUM(v, m) ((struct tnum){.value = (v), .mask = (m)})
static inline struct tnum tnum_const(uint64_t v)
{
	return TNUM(v, 0);
}
static inline struct tnum tnum_unknown(void)
{
	return TNUM(0, ~0ULL);
}
static inline bool tnum_is_const(struct tnum a)
{
	return !a.mask;
}
static inline bool tnum_is_unknown(struct tnum a)
{
	return !~a.mask;
}
struct tnum tnum_range(uint64_t min, uint64_t max);
struct tnum tnum_lshift(struct tnum a, unsigned shift);
struct tnum tnum_rshift(struct tnum a, unsigned shift);
struct tnum tnum_arshift(struct tnum a, unsigned shift, unsigned bits);
struct tnum tnum_add(struct tnum a, struct tnum b);
struct tnum tnum_sub(struct tnum a, struct tnum b);
struct tnum tnum_neg(struct tnum a);
struct tnum tnum_and(struct tnum a, struct tnum b);
struct tnum tnum_or(struct tnum a, struct tnum b);
struct tnum tnum_xor(struct tnum a, struct tnum b);
struct tnum tnum_mul(struct tnum a, struct tnum b);
struct tnum tnum_intersect(struct tnum a, struct tnum b);
struct tnum tnum_union(struct tnum a, struct tnum b);
struct tnum tnum_cast(struct tnum a, unsigned bytes);
struct tnum tnum_bswap(struct tnum a, unsigned bits);
bool tnum_is_aligned(struct tnum a, uint64_t size);
/* b is a subset of a. */
bool tnum_in(struct tnum a, struct tnum b);
struct tnum tnum_subreg(struct tnum a);
struct tnum tnum_clear_subreg(struct tnum a);
struct tnum tnum_with_subreg(struct tnum reg, struct tnum subreg);
struct tnum tnum_const_subreg(struct tnum a, uint32_t v);
static inline bool tnum_subreg_is_const(struct tnum a)
{
	return !(uint32_t)a.mask;
}
int tnum_str(char *buf, size_t size, struct tnum a);
/* The smallest member of t above z (t's least member when z is below it,
 * its largest when z is not below that). */
uint64_t tnum_step(struct tnum t, uint64_t z);

/* ---- registers --------------------------------------------------------- */
enum vtype {
	VT_NOT_INIT = 0,
	VT_SCALAR,
	VT_CTX,
	VT_STACK,
	VT_MAP_PTR,   /* CONST_PTR_TO_MAP */
	VT_MAP_VALUE, /* aux: map index */
	VT_MAP_KEY,   /* aux: map index */
	VT_PKT,	      /* aux: checked range beyond off (or AT/BEYOND_PKT_END) */
	VT_PKT_META,
	VT_PKT_END,
	VT_MEM,	 /* aux: mem_size */
	VT_FUNC, /* aux: subprogram index */
	VT_SOCK_COMMON,
	VT_SOCKET,
	VT_TCP_SOCK,
	VT_BTF_ID,    /* aux: BTF type id in the kernel's BTF (btf_ctx.c) */
	VT_FLOW_KEYS, /* flow_dissector's __sk_buff->flow_keys */
	VT_TP_BUFFER, /* raw_tp.w's writable tracepoint buffer */
	VT_XDP_SOCK,
	VT__COUNT
};

/* Type flags, as the kernel's. */
enum {
	VF_NULL = 1 << 0,      /* PTR_MAYBE_NULL */
	VF_RDONLY = 1 << 1,    /* MEM_RDONLY */
	VF_RINGBUF = 1 << 2,   /* MEM_RINGBUF */
	VF_UNTRUSTED = 1 << 3, /* PTR_UNTRUSTED: a BTF pointer loaded from memory */
	VF_PERCPU = 1 << 4,    /* MEM_PERCPU: a per-CPU kernel variable */
	VF_BUF = 1 << 5,       /* VT_TP_BUFFER: an iterator's key/value (PTR_TO_BUF) */
	VF_PKT_SLICE = 1 << 6, /* VT_MEM: a slice of an skb or xdp dynptr (dies with
				  the packet pointers) */
};

/* Scalar ids: a register "rY + delta" carries rY's id with one of these
 * flags and delta in off. */
#define V_ADD_CONST64 (1u << 31)
#define V_ADD_CONST32 (1u << 30)
#define V_ADD_CONST (V_ADD_CONST64 | V_ADD_CONST32)

#define V_AT_PKT_END (-1)
#define V_BEYOND_PKT_END (-2)

struct vreg {
	uint8_t type; /* enum vtype */
	uint8_t flags;
	uint8_t frameno; /* VT_STACK: frame the pointer points into */
	uint8_t pad;
	int32_t off; /* fixed offset of a pointer */
	struct tnum var_off;
	int64_t smin, smax;
	uint64_t umin, umax;
	int32_t s32min, s32max;
	uint32_t u32min, u32max;
	uint32_t id;	     /* NULL tracking, packet id, linked scalars */
	uint32_t ref_obj_id; /* acquired reference, 0: none */
	int32_t aux;	     /* per type: see enum vtype */
};

/* Stack slot byte types. */
enum {
	STK_INVALID = 0,
	STK_SPILL,
	STK_MISC,
	STK_ZERO,
	STK_ITER,   /* an open-coded iterator (iter.c): spilled.type VT_STACK,
		   * ref_obj_id on its first slot, aux its BTF type id, flags
		   * ITER_ACTIVE/ITER_DRAINED, off the loop depth */
	STK_DYNPTR, /* a struct bpf_dynptr (dynptr.c): two slots, spilled.aux
		     * its kind, spilled.flags DYNPTR_FIRST on the lower slot,
		     * ref_obj_id its reference, id the id of its slices */
};

enum {
	ITER_ACTIVE = 1,
	ITER_DRAINED = 2,
};

struct vslot {
	struct vreg spilled;
	uint8_t stype[8]; /* byte i is fp-(8*spi)-1-i ... see stack.c */
};

struct vframe {
	struct vreg regs[V_MAX_REGS];
	int callsite; /* insn of the call in the caller; -1 in frame 0 */
	int subprog;
	int frameno;
	int nslots; /* allocated stack / 8 */
	struct vslot *stack;
	uint8_t in_callback;	 /* callback frame (loop.c): CB_LOOP, CB_EACH; 0: none */
	uint32_t callback_depth; /* callbacks pushed from this frame's call */
};

enum {
	CB_NONE = 0,
	CB_LOOP,  /* bpf_loop */
	CB_EACH,  /* bpf_for_each_map_elem */
	CB_ASYNC, /* frame 0 of a timer callback's own state (lock.c) */
};

/* Jumps of one path segment (explain.c): from -> to, with the compared
 * registers before a conditional jump. */
struct vhist {
	int32_t from, to;
	uint8_t nregs, regno[2];
	struct vreg regs[2];
};

struct vref {
	uint32_t id;
	int insn;
};

struct vstate {
	struct vframe *frames[V_MAX_FRAMES];
	int curframe;
	struct vref *refs;
	int nrefs;
	/* pruning bookkeeping */
	struct vstate *parent; /* last checkpoint on this path */
	uint32_t branches;     /* unfinished paths below this checkpoint */
	int insn;	       /* checkpoint: instruction it belongs to */
	struct vstate *next;   /* next checkpoint at the same instruction */
	uint32_t miss, hit;
	bool evicted;	      /* no longer on its instruction's list */
	struct vstate *eprev; /* evicted: the one before on env->evicted */
	uint32_t dfs_depth;   /* checkpoints above it on its path */
	/* loops (loop.c) */
	uint32_t may_goto_depth, callback_unroll_depth;
	/* the bpf_spin_lock held (lock.c): the map and the id of its value */
	bool lock_held;
	int32_t lock_map;
	uint32_t lock_id;
	/* inside bpf_rcu_read_lock() (lock.c) */
	bool rcu_lock;
	/* bpf_preempt_disable() calls not yet enabled again (lock.c) */
	uint8_t preempt_off;
	/* jumps since the parent checkpoint (explain.c) */
	struct vhist *hist;
	int nhist, caphist;
	int first_insn; /* where this segment starts */
	/* the kernel's instruction history length since the parent
	 * checkpoint (jump points, register spills and fills): past 40 a
	 * checkpoint is forced */
	uint32_t khist;
	int khist_last;
	/* checkpoints: conditional jumps decided with a scalar operand on
	 * the paths below (sorted), for widening (loop.c) */
	uint32_t *dec;
	uint32_t ndec, capdec;
};

/* ---- program facts ------------------------------------------------------ */
enum {
	AUX_PRUNE = 1 << 0,   /* prune point */
	AUX_JMP_DST = 1 << 1, /* target of a jump */
	AUX_SEEN = 1 << 2,    /* reached by the abstract interpretation */
	AUX_FORCE_CKPT = 1 << 3,
	AUX_BAD = 1 << 4,	/* fields the kernel refuses when it reaches the insn */
	AUX_STK_SEEN = 1 << 5,	/* stk_kill holds this insn's observed kills */
	AUX_CALLS_CB = 1 << 6,	/* calls a callback (bpf_loop, for_each_map_elem) */
	AUX_ITER_NEXT = 1 << 7, /* calls an iterator's next kfunc */
	AUX_JMP_PT = 1 << 8,	/* the kernel's jump point (history entry) */
};

struct vaux {
	uint16_t flags;
	uint8_t ptr_type; /* first pointer type a load/store used (+1), 0: none */
	uint16_t live;	  /* registers live before the insn (bit n: rn) */
	uint16_t demand;  /* scalars whose exact value may matter (precise.c) */
	uint64_t sdemand; /* the same for spilled scalars, by stack slot */
	int32_t subprog;  /* subprogram the insn belongs to */
	int32_t map;	  /* ld_imm64 of a map: map index, -1: none */
	uint32_t map_off; /* ld_imm64 of a map value: offset */
	uint8_t ld_kind;  /* ld_imm64: 0 number, 1 map ptr, 2 map value, 3 func */
	int16_t kfunc;	  /* kfunc call: index in env->kfuncs, -1: none */
	uint32_t scc;	  /* strongly connected component (loop), 0: none */
};

struct vsubprog {
	int start, end; /* [start, end) */
	int stack_depth;
	bool global; /* BTF linkage global: verified on its own */
	bool has_tail_call, has_ld_abs;
	const char *name;
	int nargs;	      /* global: argument count from BTF */
	uint8_t arg_kind[5];  /* global: 0 scalar, 1 ctx, 2 mem(_or_null) */
	uint32_t arg_size[5]; /* global mem args: bytes */
	bool called;
};

/* A kfunc call resolved by name (kfunc.c). */
struct vkfunc {
	const char *name;
	uint32_t flags;	    /* BK_KF_* */
	uint32_t proto_id;  /* FUNC_PROTO in the program's BTF, 0: none */
	uint32_t iter_size; /* iterator kfuncs: bytes of struct bpf_iter_<type> */
	uint8_t nargs;
	uint8_t iter_tlen; /* <type> is name[9 .. 9 + iter_tlen) */
	uint8_t lock_op;   /* enum kf_lock_op: a region it opens or closes (lock.c) */
	int8_t objk;	   /* kernel object kfuncs: index in kfunc.c's table, or -1 */
};

/* note_origin()'s helper field for a kfunc: this flag | kfunc index. */
#define V_ORIGIN_KFUNC 0x80000000u

/* A visit of a loop (strongly connected component) under one chain of
 * call sites, as the kernel's bpf_scc_visit (loop.c). */
struct vscc_visit {
	int callsites[V_MAX_FRAMES];
	uint32_t scc;
	struct vstate *entry;
	uint32_t backedges;
};

struct vpending {
	struct vstate *st;
	int insn, prev;
};

struct venv {
	const struct bk_verify_input *in;
	struct bk_verify_opts opts;
	struct bk_dinsn *insns;
	size_t cnt;
	struct vaux *aux;
	struct vsubprog *subprogs;
	int nsubprogs;
	struct vstate **explored; /* per insn: checkpoints */
	struct vstate *evicted;	  /* checkpoints no longer compared */
	struct vpending *stack;	  /* pending branches */
	int nstack, capstack;
	struct vstate *cur;
	int insn_idx, prev_insn_idx;
	uint32_t id_gen;
	uint64_t insn_processed, prev_insn_processed;
	uint64_t jmps_processed, prev_jmps_processed;
	uint64_t t_start;
	uint32_t states_live;
	/* stack liveness from observed accesses (frame-local, 64 slots) */
	uint64_t *stk_read, *stk_kill, *stk_live;
	bool stk_dirty, stk_all_live;
	/* where maybe-NULL pointers came from, for messages: id -> insn, helper */
	struct vorigin {
		uint32_t id;
		int insn;
		uint32_t helper;
	} *origins;
	int norigins;
	uint32_t cur_subprog_root; /* entry subprog being verified */
	/* program type facts (types.c): the attach target, the kernel's BTF
	 * when a typed context or helper needs it, the target's context */
	const char *attach_to;
	bool sleepable;
	const struct btf *vmlinux;
	struct bk_verify_cache *vcache;	      /* opts.cache, or vcache_owned */
	struct bk_verify_cache *vcache_owned; /* made for this run only */
	int vmlinux_err;		      /* 0, or why the kernel's BTF is missing */
	struct vtctx *tctx;		      /* typed context of tracing programs, or NULL */
	struct vkfunc *kfuncs;
	int nkfuncs;
	struct vmapinfo *mapinfo; /* per map, lock.c: special fields of the value */
	struct vscc_visit *visits;
	int nvisits, capvisits;
	uint32_t nsccs;
	uint64_t progress_next_ns; /* next progress report (opts.progress) */
	struct vprec *prec;	   /* precise.c's facts and widening demands */
	bool track_decided;	   /* the program has widening points (loop.c) */
	struct bk_verify_stats stats;
	struct bk_diag *diag;
	int err;
	char *logbuf;
	size_t loglen, logcap;
	struct vfacc *facts; /* facts.c: per insn, while opts.facts is wanted */
	bool facts_off;	     /* out of memory: no facts */
};

/* ---- env.c: errors and helpers ----------------------------------------- */
/* Records a rejection (first one wins); returns -code. */
int verr(struct venv *env, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
struct vframe *cur_frame(struct venv *env);
struct vreg *cur_regs(struct venv *env);
const char *vtype_str(const struct vreg *r, char *buf, size_t size);
uint64_t v_now_ns(void);

/* ---- bounds.c: scalar bounds -------------------------------------------- */
void reg_mark_known(struct vreg *r, uint64_t imm);
void reg_mark32_known(struct vreg *r, uint64_t imm);
void reg_mark_unknown(struct vreg *r);
void reg_mark_not_init(struct vreg *r);
void reg_mark_unbounded(struct vreg *r);
void reg_mark64_unbounded(struct vreg *r);
void reg_mark32_unbounded(struct vreg *r);
void reg_update_bounds(struct vreg *r);
void reg_bounds_sync(struct vreg *r);
bool reg_bounds_sane(const struct vreg *r);
void reg_zext_32_to_64(struct vreg *r);
void reg_coerce_to_size(struct vreg *r, int size);
void reg_coerce_to_size_sx(struct vreg *r, int size);
void reg_coerce_subreg_to_size_sx(struct vreg *r, int size);
static inline bool reg_is_const(const struct vreg *r, bool is32)
{
	return r->type == VT_SCALAR &&
	       (is32 ? tnum_subreg_is_const(r->var_off) : tnum_is_const(r->var_off));
}
static inline uint64_t reg_const_val(const struct vreg *r, bool is32)
{
	return is32 ? (uint32_t)r->var_off.value : r->var_off.value;
}
static inline bool reg_is_null(const struct vreg *r)
{
	return r->type == VT_SCALAR && tnum_is_const(r->var_off) && r->var_off.value == 0;
}
static inline bool reg_is_ptr(const struct vreg *r)
{
	return r->type != VT_SCALAR && r->type != VT_NOT_INIT;
}
static inline bool reg_is_pkt(const struct vreg *r)
{
	return r->type == VT_PKT || r->type == VT_PKT_META;
}
static inline bool reg_is_pkt_any(const struct vreg *r)
{
	return reg_is_pkt(r) || r->type == VT_PKT_END;
}
int reg_width(const struct vreg *r); /* bits of umax */

/* ---- alu.c ---------------------------------------------------------------- */
int check_alu(struct venv *env, const struct bk_dinsn *d);
/* Scalar dst op= src on the bounds (shared with tests). */
void scalar_alu(struct vreg *dst, const struct vreg *src, int opk, bool alu32);
enum {
	OPK_ADD,
	OPK_SUB,
	OPK_MUL,
	OPK_DIV,
	OPK_OR,
	OPK_AND,
	OPK_LSH,
	OPK_RSH,
	OPK_NEG,
	OPK_MOD,
	OPK_XOR,
	OPK_MOV,
	OPK_ARSH,
	OPK_END
};
int op_alu_kind(unsigned op, bool *alu32, bool *is_x);
uint32_t new_id(struct venv *env);
void note_origin(struct venv *env, uint32_t id, uint32_t helper);
const struct vorigin *find_origin(struct venv *env, uint32_t id);

/* ---- branch.c -------------------------------------------------------------- */
int check_cond_jmp(struct venv *env, const struct bk_dinsn *d, int *next);
int is_branch_taken(struct vreg *r1, struct vreg *r2, int opk, bool is32);
void regs_refine_cond(struct vreg *r1, struct vreg *r2, int opk, bool is32);
/* Jump kinds for branch.c. */
enum {
	JK_EQ,
	JK_NE,
	JK_GT,
	JK_GE,
	JK_LT,
	JK_LE,
	JK_SGT,
	JK_SGE,
	JK_SLT,
	JK_SLE,
	JK_SET,
	JK_NSET
};
int op_jmp_kind(unsigned op, bool *is32, bool *is_x);

/* ---- mem.c / stack.c --------------------------------------------------------- */
enum {
	V_READ,
	V_WRITE
};
int check_mem_access(struct venv *env, int regno, int off, int size, int t, int value_regno,
		     bool strict_once, bool sx);
int check_load_store(struct venv *env, const struct bk_dinsn *d);
int check_atomic(struct venv *env, const struct bk_dinsn *d);
int check_helper_mem_access(struct venv *env, int regno, int size, int t, bool zero_ok, bool raw);
int check_mem_size_reg(struct venv *env, int regno, int t, bool zero_ok);
int check_ptr_off_reg(struct venv *env, const struct vreg *r, int regno, bool fixed_ok);
int stack_grow(struct venv *env, struct vframe *f, int size);
int check_stack_access_bounds(struct venv *env, int regno, int off, int size, int t);
int stack_read(struct venv *env, int regno, int off, int size, int dst);
int stack_write(struct venv *env, int regno, int off, int size, int value_regno,
		const struct bk_dinsn *d);
int stack_range_init(struct venv *env, int regno, int off, int size, bool zero_ok, int t, bool raw);
void stack_mark_written(struct venv *env, int regno, int off, int size);
bool slot_is_spilled(const struct vslot *s);
bool slot_is_spilled_scalar(const struct vslot *s);
int64_t stack_const_key(struct venv *env, const struct vreg *key, uint32_t key_size);

/* ---- ctx*.c ------------------------------------------------------------------ */
/* Checks a context access; on success *type is the loaded value's type
 * (VT_SCALAR or a packet pointer) and *flags its flags. */
int ctx_access(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags);
/* Same with the loaded value's aux (BTF id of a VT_BTF_ID, ...). */
int ctx_access_aux(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags,
		   int32_t *aux);
/* Loads and stores through pointers to kernel objects: sockets, flow
 * keys, tracepoint buffers, BTF-typed pointers (ctx_sock.c, btf_ctx.c). */
int obj_access(struct venv *env, int regno, int off, int size, int t, int value_regno, bool sx);
/* Type checks before the first instruction (types.c): program and attach
 * types the target release has, the kernel's BTF for typed contexts. */
int types_prepare(struct venv *env);
void types_release(struct venv *env);
bool ctx_supported(enum bk_prog_type type);
bool prog_type_pkt_access(enum bk_prog_type type, int t);
bool prog_type_ld_abs(enum bk_prog_type type);
int check_return_code(struct venv *env);

/* ---- call.c / helpers.c --------------------------------------------------------- */
int check_helper_call(struct venv *env, const struct bk_dinsn *d);
int check_kfunc_call(struct venv *env, const struct bk_dinsn *d);
int check_func_call(struct venv *env, const struct bk_dinsn *d, int *next);
int prepare_func_exit(struct venv *env, int *next);
int check_ld_abs(struct venv *env, const struct bk_dinsn *d);
void clear_all_pkt_pointers(struct venv *env);
void mark_ptr_or_null_regs(struct venv *env, struct vstate *st, uint32_t id, bool is_null);
int check_reference_leak(struct venv *env);

struct vhelper;
const struct vhelper *vhelper_get(uint32_t id);
bool vhelper_allowed(const struct vhelper *h, enum bk_prog_type type);
const char *vhelper_name(uint32_t id);
/* ring.c: bpfkit's ring helpers (ids from BK_HELPER_RING_BASE), the helper
 * a call of imm means in a program of type, and whether h is a ring one. */
const struct vhelper *vring_helper_get(uint32_t id);
const struct vhelper *vring_helper_for(enum bk_prog_type type, int32_t imm);
bool vring_helper_is_ring(const struct vhelper *h);

/* ---- profile.c: the target kernel release (kernels.def) ---------------------------- */
enum vk_feature {
#define BK_KFEAT(name, ma, mi, src) VK_##name,
#include "kernels.def"
	VK__COUNT
};
uint32_t vk_target(const struct venv *env);
bool vk_has(const struct venv *env, enum vk_feature f);
uint32_t vk_feature_since(enum vk_feature f);
uint32_t vk_helper_since(uint32_t id);
uint32_t vk_kfunc_since(const char *name);
const char *vk_str(uint32_t ver, char *buf, size_t size);
/* 0 when the target has f, else a rejection with code naming the release. */
int vk_require(struct venv *env, enum vk_feature f, int code, const char *what);
/* kfuncs_avail.c: may a program of this type (on the target release) call
 * the kfunc named name?  0, or a rejection as the kernel's. */
int vkfunc_check_avail(struct venv *env, const char *name);

/* ---- state.c -------------------------------------------------------------------- */
struct vstate *state_new(struct venv *env);
struct vstate *state_copy(const struct vstate *src);
void state_free(struct vstate *st);
struct vframe *frame_new(int callsite, int subprog, int frameno);
void frame_init_regs(struct vframe *f);
int push_branch(struct venv *env, int insn, int prev, struct vstate **out);
struct vreg *frame_reg_of(struct venv *env, const struct vreg *ptr); /* unused */
struct vframe *ptr_frame(struct venv *env, const struct vreg *ptr);

/* ---- decode.c ---------------------------------------------------------------------- */
int verify_decode(struct venv *env);

/* ---- cfg.c ----------------------------------------------------------------------- */
int check_structure(struct venv *env);
int check_max_stack_depth(struct venv *env);
void compute_liveness(struct venv *env);
void compute_stack_liveness(struct venv *env);

/* ---- precise.c ---- */
/* Demand (env->aux's demand and sdemand) with every conditional jump a
 * sink, for pruning. */
int compute_precision(struct venv *env);
void precision_free(struct venv *env);
struct vdemand {
	uint16_t *dem;	/* by insn, as vaux.demand */
	uint64_t *sdem; /* as vaux.sdemand */
};
/* Demand with only the conditional jumps at jumps[0..n) (sorted insn
 * indices) as sinks, along paths that do not come back to insn at, for
 * widening there; NULL: use env->aux's. */
const struct vdemand *demand_for(struct venv *env, int at, const uint32_t *jumps, uint32_t n);
/* A conditional jump at insn was decided on some path (with a scalar
 * operand): from now on a sink of prune_demand(). */
void note_jump_decided(struct venv *env, int insn);
/* The demand pruning compares scalars by: with the jumps decided on any
 * path so far as the only jump sinks, or NULL (every jump a sink: vaux's)
 * once too many passes were needed or memory ran out. */
const struct vdemand *prune_demand(struct venv *env);

/* Records an access to [min_off, max_off) of the frame ptr points into, by
 * the current instruction, for stack liveness. */
void stack_note(struct venv *env, const struct vreg *ptr, int64_t min_off, int64_t max_off,
		bool write_whole);

/* ---- prune.c ---------------------------------------------------------------------- */
/* 1: pruned (path ends), 0: continue, <0 error. */
int is_state_visited(struct venv *env, int insn);
void path_done(struct venv *env, struct vstate *st);

/* ---- log.c ------------------------------------------------------------------------ */
void vlog(struct venv *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vlog_state(struct venv *env, int insn, bool all);
void vlog_insn(struct venv *env, int insn);
void reg_str(const struct vreg *r, char *buf, size_t size);
bool vlog_on(struct venv *env, int level);

/* ---- loop.c: loops, may_goto, callbacks ------------------------------------ */
/* Comparison modes of states_equal, as the kernel's enum exact_level. */
enum {
	CMP_NOT_EXACT = 0, /* precise scalars by range, the rest ignored */
	CMP_EXACT,	   /* everything equal (infinite loop detection) */
	CMP_RANGE_WITHIN,  /* every scalar by range, precise or not */
};
int compute_scc(struct venv *env);
void scc_enter(struct venv *env, struct vstate *st);
void scc_exit(struct venv *env, struct vstate *st);
int scc_add_backedge(struct venv *env, struct vstate *sl);
bool scc_incomplete(struct venv *env, const struct vstate *st);
void scc_free(struct venv *env);
/* The newest checkpoint at insn above from on its path (from excluded). */
struct vstate *find_prev_entry(struct venv *env, struct vstate *from, int insn);
/* Scalars old does not need exactly and cur changed become unknown in cur. */
void widen_imprecise(struct venv *env, const struct vstate *old, struct vstate *cur);
int check_may_goto(struct venv *env, const struct bk_dinsn *d, int *next);
/* bpf_loop and bpf_for_each_map_elem (call.c hands them over). */
int check_callback_helper(struct venv *env, const struct bk_dinsn *d);
int callback_exit(struct venv *env, int *next);
/* A conditional jump at insn was decided with a scalar operand: its
 * operands are precise in the checkpoints above (branch.c). */
void note_decided_jump(struct venv *env, int insn);
/* The current state was pruned by sl: what sl's paths decided, the
 * current path's would have. */
void note_decided_from(struct venv *env, const struct vstate *sl);

/* ---- kfunc.c: kfunc calls and open-coded iterators ------------------------- */
int resolve_kfuncs(struct venv *env);
bool slot_is_iter(const struct vslot *s);
const char *kfunc_name(struct venv *env, uint32_t origin);
int acquire_reference(struct venv *env, uint32_t id); /* call.c */
int release_reference(struct venv *env, uint32_t id);

/* ---- lock.c: special fields of map values, bpf_spin_lock ------------------- */
enum {
	MF_SPIN_LOCK,
	MF_RES_SPIN_LOCK,
	MF_TIMER,
	MF_WQ,
	MF_LIST_HEAD,
	MF_LIST_NODE,
	MF_RB_ROOT,
	MF_RB_NODE,
	MF_REFCOUNT,
	MF_TASK_WORK,
};
#define V_MAX_MFIELDS 16
struct vmfield {
	uint32_t off, size;
	uint8_t kind; /* MF_* */
};
struct vmapinfo {
	bool done, has_btf, overflow;
	uint8_t n, nlocks, ntimers;
	struct vmfield f[V_MAX_MFIELDS];
};
const struct vmapinfo *map_info(struct venv *env, int map);
const char *map_field_name(int kind);
/* Offset of the field of kind in map's value, -1: none. */
int map_field_off(struct venv *env, int map, int kind);
bool map_has_lock(struct venv *env, int map);
/* A load, store or helper access of [off, off + size) from the map value
 * in regno (off includes the pointer's fixed offset) touches no field. */
int map_fields_access(struct venv *env, int regno, int off, int size);
/* regno points at the map value's field of kind (helper arguments). */
int check_map_field_arg(struct venv *env, int regno, int kind, int code);
int check_spin_lock(struct venv *env, bool lock);
/* Calls while a lock is held; map types that program types may not use. */
int lock_check_call(struct venv *env, const struct bk_dinsn *d);
int lock_check_maps(struct venv *env);
/* what ("BPF_EXIT instruction in main prog", "tail_call", ...) inside a
 * spin lock, an RCU read section or with preemption off: a rejection
 * naming the first of them; 0 outside all. */
int lock_region_check(struct venv *env, const char *what);
/* Kfuncs that open or close such a region (vkfunc.lock_op). */
enum kf_lock_op {
	KF_LOCK_NONE = 0,
	KF_RCU_LOCK,
	KF_RCU_UNLOCK,
	KF_PREEMPT_OFF,
	KF_PREEMPT_ON,
};
enum kf_lock_op lock_kfunc_op(const char *name);
/* A call of a kfunc with lock_op op: 0 or a rejection. */
int lock_kfunc(struct venv *env, enum kf_lock_op op);
/* The timer's callback, verified later from a state of its own (frame 0
 * in_callback CB_ASYNC), and its return value (0). */
int push_async_callback(struct venv *env, int regno, int timer_map);
int async_callback_return(struct venv *env);

/* ---- dynptr.c: struct bpf_dynptr on the stack --------------------------------- */
enum {
	DYN_LOCAL = 1,
	DYN_RINGBUF = 2,
	DYN_SKB = 3,
	DYN_XDP = 4,
};
/* The packet dynptr kfuncs (BK_KF_DYNPTR_NEW, BK_KF_DYNPTR_SLICE). */
int check_dynptr_kfunc(struct venv *env, const struct vkfunc *k);
#define DYNPTR_FIRST 1 /* spilled.flags of a dynptr's lower slot */
/* A stack write over slot spi of f: destroys the local dynptr there (and
 * its slices); a ring buffer dynptr may not be overwritten. */
int dynptr_stack_write(struct venv *env, struct vframe *f, int spi);
/* A helper writes raw bytes [lo, hi) of f's stack: no dynptr there. */
int dynptr_raw_write(struct venv *env, struct vframe *f, int64_t lo, int64_t hi);

/* ---- explain.c: the path to a rejection ------------------------------------ */
int hist_push_state(struct venv *env, struct vstate *st, int from, int to);
void hist_snapshot(struct venv *env, int from, struct vhist *h);
int hist_push(struct venv *env, const struct vhist *h, int to);
void explain_rejection(struct venv *env);

/* ---- prune.c ---- */
/* An entry in the kernel's instruction history for insn. */
static inline void khist_note(struct vstate *st, int insn)
{
	if (st->khist_last != insn) {
		st->khist++;
		st->khist_last = insn;
	}
}
bool states_equal(struct venv *env, const struct vstate *o, const struct vstate *c, int insn,
		  int mode);

/* ---- facts.c: what the verifier proved, for code generators ---------------- */
/* Every state reaching idx, before the instruction (pruned: the path ends
 * there); a no-op unless opts.facts is wanted. */
void facts_visit(struct venv *env, int idx, bool pruned);
/* Fills opts.facts when err is 0 (else zeroes them); frees what
 * facts_visit kept. */
void facts_end(struct venv *env, int err);

#endif /* BK_VERIFY_INT_H */
