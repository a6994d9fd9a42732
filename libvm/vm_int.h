/* SPDX-License-Identifier: MIT */
/*
 * vm_int.h - libvm internals shared by its files: the runtime, map base
 * and per-type operations, prepared programs, runs and the regions a
 * checked program may touch.
 */
#ifndef BK_VM_INT_H
#define BK_VM_INT_H

#include <linux/bpf.h>
#include <pthread.h>
#include <stdarg.h>

#include "vm.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ROUND_UP(x, a) (((x) + (a) - 1) / (a) * (a))

/* The kernel-internal errno user space sees for unsupported commands. */
#define BK_ENOTSUPP 524

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "libvm assumes a little-endian host");

/* ---- the runtime ---------------------------------------------------- */

struct bk_vm {
	struct bk_vm_alloc alloc;
	bk_vm_print_fn print;
	void *print_ctx;
	uint32_t ncpus;
	uint64_t seed;
	pthread_mutex_t lock; /* lists and ids below */
	struct bk_map *maps;
	struct bk_vm_prog *progs;
	uint32_t next_map_id, next_prog_id, next_run;
};

void *bk_vm_alloc(struct bk_vm *vm, size_t size);
void bk_vm_free_mem(struct bk_vm *vm, void *p, size_t size);
uint64_t bk_vm_splitmix(uint64_t *state);

/* ---- maps ------------------------------------------------------------- */

struct bk_map_ops {
	int (*create)(struct bk_map *m);
	void (*destroy)(struct bk_map *m);
	int (*lookup)(struct bk_map *m, const void *key, void *value, uint64_t flags);
	int (*update)(struct bk_map *m, const void *key, const void *value, uint64_t flags);
	int (*delete)(struct bk_map *m, const void *key);
	int (*next_key)(struct bk_map *m, const void *key, void *next);
	int (*lookup_and_delete)(struct bk_map *m, const void *key, void *value, uint64_t flags);
	/* batch lookup: a type's own (hash: by bucket) or, with
	 * has_lookup_batch, the generic one over next_key */
	int (*lookup_batch)(struct bk_map *m, struct bk_map_batch *b, bool del);
	bool has_lookup_batch;
	bool has_lookup_and_delete_batch;
	bool has_delete_batch;
	bool has_update_batch;
	uint32_t token_size; /* 0: a key */
	void *(*bpf_lookup)(struct bk_map *m, const void *key, uint32_t cpu);
	long (*bpf_update)(struct bk_map *m, const void *key, const void *value, uint64_t flags,
			   uint32_t cpu);
	long (*bpf_delete)(struct bk_map *m, const void *key, uint32_t cpu);
	uint32_t (*count)(const struct bk_map *m);
	/* queue, stack, bloom filter */
	long (*bpf_push)(struct bk_map *m, const void *value, uint64_t flags);
	long (*bpf_pop)(struct bk_map *m, void *value);
	long (*bpf_peek)(struct bk_map *m, void *value);
};

/* Memory of a map a program may access: [lo, hi), made of elements of
 * stride bytes whose bytes [voff, voff + vsize) are the value. */
struct bk_region {
	uintptr_t lo, hi;
	uint32_t stride, voff, vsize;
	bool writable;
};

struct bk_map {
	struct bk_vm *vm;
	const struct bk_map_ops *ops;
	struct bk_map_attr attr;
	uint32_t id;
	uint32_t ncpus;
	struct bk_map *next, *prev; /* vm->maps */
	struct bk_region region;    /* for checked programs */
	pthread_mutex_t lock;	    /* updates (lookups from programs take none) */
	void *priv;		    /* per-type state */
};

extern const struct bk_map_ops bk_array_ops, bk_percpu_array_ops, bk_prog_array_ops;
extern const struct bk_map_ops bk_hash_ops, bk_lru_hash_ops, bk_ringbuf_ops;
extern const struct bk_map_ops bk_lpm_ops, bk_dev_ops, bk_queue_ops;

/* Redirect maps and perf event arrays (map_dev.c), the helpers' side. */
uint64_t bk_dev_redirect_map(struct bk_vm_run *run, struct bk_map *m, uint64_t key, uint64_t flags);
long bk_perf_output(struct bk_vm_run *run, struct bk_map *m, uint64_t flags, const void *data,
		    uint64_t size, const void *ctxdata, uint64_t ctxlen);

/* Array maps (map_array.c). */
void *bk_array_value(struct bk_map *m, uint32_t index);
/* Prog arrays: the program at index, or NULL. */
struct bk_vm_prog *bk_prog_array_get(struct bk_map *m, uint32_t index);
/* Forgets prog in every prog array of vm (the program is being freed). */
void bk_prog_array_forget(struct bk_vm *vm, struct bk_vm_prog *prog);

/* Ring buffers (map_ringbuf.c), the BPF side. */
void *bk_ringbuf_reserve(struct bk_map *m, uint64_t size);
/* 0 or -EINVAL when p is not a reserved record of any ring of vm. */
int bk_ringbuf_commit(struct bk_vm *vm, void *p, bool discard);
uint64_t bk_ringbuf_query(struct bk_map *m, uint64_t flags);
bool bk_ringbuf_mem_ok(struct bk_map *m, uintptr_t p, uint64_t len);

/* Hashing as the kernel's htab does it: jhash2 over 32-bit words when the
 * key length is a multiple of 4, jhash otherwise. */
uint32_t bk_jhash(const void *key, uint32_t len, uint32_t seed);

/* ---- programs ------------------------------------------------------------ */

/* One pre-decoded instruction: what the interpreter's handlers read.  h is
 * the handler (direct threading), so each interpreter mode has its own
 * array.  The second slot of an ld_imm64 holds the resolved value; its
 * handler faults (control never reaches it). */
struct bk_vinsn {
	const void *h;
	union {
		struct {
			uint8_t dst, src;
			int16_t off; /* memory offset; jumps: slots from the next one */
			int32_t imm; /* JA32, CALL_LOCAL: slots from the next one */
		};
		uint64_t u64;	    /* second slot of an ld_imm64 */
		bk_vm_helper_fn fn; /* CALL, CALL_KFUNC */
	};
};
_Static_assert(sizeof(struct bk_vinsn) == 16, "a pre-decoded instruction is 16 bytes");

/* Virtual ops past the last insn.def row. */
enum {
	BK_VOP_FALLOFF = BK_OP__COUNT, /* sentinel after the last slot */
	BK_VOP_LDDW_TAIL,	       /* second slot of an ld_imm64 */
	BK_VOP__COUNT
};

struct bk_vm_prog {
	struct bk_vm *vm;
	uint32_t id;
	char name[64];
	enum bk_prog_type type;
	struct bk_insn *insns; /* copy of the input */
	size_t cnt;
	uint16_t *ops;			/* cnt + 1: enum bk_op or BK_VOP_* of each slot */
	struct bk_vinsn *code[2];	/* per enum bk_vm_mode, cnt + 1 slots: the last
				   * is BK_VOP_FALLOFF */
	struct bk_vm_prog *next, *prev; /* vm->progs */
	void *engine_data;
};

/* ---- runs ---------------------------------------------------------------- */

enum bk_ctx_kind {
	BK_CTX_NONE = 0,
	BK_CTX_RAW,
	BK_CTX_XDP,
	BK_CTX_SKB,
};

#define BK_VM_MAX_REGIONS 16

struct bk_vm_run {
	struct bk_vm_run_shared sh; /* must stay first */
	struct bk_vm *vm;
	uint8_t *stack; /* BK_VM_MAX_FRAMES * BK_VM_STACK_SIZE bytes */
	uint64_t budget;
	uint64_t insns;
	uint64_t rnd;
	enum bk_ctx_kind ctx_kind;
	/* raw */
	uint8_t *mem;
	size_t mem_len;
	/* xdp: the frame (below 4 GiB) and struct xdp_md in it */
	uint8_t *frame;
	struct xdp_md *md;
	/* skb: struct __sk_buff, the type whose rules apply, where the MAC and
	 * network headers are (addresses in the frame) */
	struct __sk_buff *skb;
	enum bk_prog_type skb_type;
	uint32_t skb_mac, skb_net;
	uint32_t redirect_ifindex; /* the last bpf_redirect's target */
	/* registered memory */
	struct bk_region regions[BK_VM_MAX_REGIONS];
	unsigned nregions;
	/* the map region the last checked access hit (valid for one exec: maps
	 * may not be freed while a program runs) */
	struct bk_region mcache;
	/* a fault: code, message, where */
	int fault_code;
	long fault_insn;
	const struct bk_vm_prog *fault_prog;
	char fault_msg[400];
	/* the ring executor while it runs a program on this run (ring.c) */
	struct bk_ring *ring;
};

/* Packet bounds for LD_ABS/LD_IND and checked accesses. */
static inline void bk_run_packet(const struct bk_vm_run *run, uintptr_t *lo, uintptr_t *hi)
{
	if (run->ctx_kind == BK_CTX_XDP) {
		*lo = run->md->data;
		*hi = run->md->data_end;
	} else if (run->ctx_kind == BK_CTX_SKB) {
		*lo = run->skb->data;
		*hi = run->skb->data_end;
	} else {
		*lo = (uintptr_t)run->mem;
		*hi = (uintptr_t)run->mem + run->mem_len;
	}
}

/* The run's frame below 4 GiB (XDP and skb contexts), mapped on first use. */
int bk_run_frame(struct bk_vm_run *run);
/* skb contexts (ctx_skb.c): may a program of type t access size bytes at
 * off of struct __sk_buff; the skb helpers. */
bool bk_skb_access_ok(enum bk_prog_type t, uint32_t off, uint32_t size, bool write);
bk_vm_helper_fn bk_skb_helper(uint32_t id);

/* The ring executor's helpers (ring_helpers.c): ring ids and 148. */
bk_vm_helper_fn bk_ring_helper(uint32_t id);

/* Checked access outside the current stack frame (interp.c's slow path). */
bool bk_run_mem_ok_slow(struct bk_vm_run *run, uintptr_t p, uint64_t len, bool write);
/* The interpreter (interp.c); labels[op] is the handler of op in mode. */
const void *const *bk_interp_labels(enum bk_vm_mode mode);
int bk_interp_exec(struct bk_vm_run *run, struct bk_vm_prog *prog, uint64_t *r0,
		   struct bk_diag *diag);

/* trace_printk formatting (helpers_fmt.c): formats fmt with up to three
 * arguments into out; strings (%s) are read through the run's checks.
 * Returns the length or -EINVAL. */
int bk_vm_format(struct bk_vm_run *run, const char *fmt, size_t fmt_len, const uint64_t *args,
		 int nargs, char *out, size_t out_size);

#endif /* BK_VM_INT_H */
