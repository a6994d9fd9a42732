/* SPDX-License-Identifier: MIT */
/*
 * vm.h - libvm: the userspace BPF runtime.  Maps with the kernel's
 * semantics, helpers by the kernel's numbers, contexts (raw memory, XDP)
 * and an interpreter with a checked and a trusted mode.
 *
 * Objects:
 *   struct bk_vm       a runtime: owns maps and programs, the allocator hook
 *                      for map storage, the trace_printk callback.
 *   struct bk_map      a map (array, percpu array, hash, LRU hash, ring
 *                      buffer, prog array).
 *   struct bk_vm_prog  a program prepared for execution: decoded, jumps
 *                      checked, ld_imm64 maps/functions resolved, helpers and
 *                      kfuncs bound to their C implementations.
 *   struct bk_vm_run   what one execution needs: stack, context, packet,
 *                      registered memory, mode, budget, fault information.
 *                      A run may be reused for any number of executions, by
 *                      one thread at a time.
 *
 * Engines: the interpreter and libjit's native code share maps, helpers and
 * contexts.  A helper is a plain C function taking r1..r5 and the run
 * (bk_vm_helper_fn), so native code calls it directly; after a call the
 * engine looks at bk_vm_run_shared.status (fault, pending tail call).  The
 * "Engines" section below is the ABI native code relies on.
 *
 * Conventions as in uapi.h: 0 or a count on success, -errno or -BK_E_* on
 * failure with details in an optional struct bk_diag; nothing prints or
 * exits; bk_x__free(NULL) is a no-op.  Map operations return exactly the
 * errno values the kernel's bpf() syscall gives for the same operation.
 */
#ifndef BK_VM_H
#define BK_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bk_vm;
struct bk_map;
struct bk_vm_prog;
struct bk_vm_run;
struct __sk_buff;

/* ---------------------------------------------------------------------
 * The runtime
 * ------------------------------------------------------------------- */

/* Where map storage comes from.  alloc returns zeroed memory aligned to
 * 64 bytes (to the page when size is at least a page), or NULL.  A caller
 * may place maps in shared memory this way (mapctl reads executor maps). */
struct bk_vm_alloc {
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *p, size_t size);
	void *ctx;
};

/* Receives each bpf_trace_printk() line (formatted, with its newline). */
typedef void (*bk_vm_print_fn)(void *ctx, const char *msg, size_t len);

struct bk_vm_opts {
	size_t sz;			 /* sizeof(struct bk_vm_opts) */
	const struct bk_vm_alloc *alloc; /* NULL: the C heap and mmap */
	bk_vm_print_fn print;		 /* NULL: trace_printk output is dropped */
	void *print_ctx;
	uint32_t ncpus; /* CPUs of per-CPU maps; 0: the kernel's possible CPUs */
	uint64_t seed;	/* prandom and hash seeds; 0: random */
};

int bk_vm__new(const struct bk_vm_opts *opts, struct bk_vm **out);
/* Frees the runtime with every map and program it still owns. */
void bk_vm__free(struct bk_vm *vm);
uint32_t bk_vm__ncpus(const struct bk_vm *vm);
/* Program by id (the value stored in prog arrays), or NULL. */
struct bk_vm_prog *bk_vm__prog_by_id(struct bk_vm *vm, uint32_t id);
/* Map by id, or NULL. */
struct bk_map *bk_vm__map_by_id(struct bk_vm *vm, uint32_t id);

/* ---------------------------------------------------------------------
 * Maps
 * ------------------------------------------------------------------- */

/* Supported types (the kernel's BPF_MAP_TYPE_* numbers): ARRAY,
 * PERCPU_ARRAY, HASH, LRU_HASH, RINGBUF, PROG_ARRAY, LPM_TRIE, DEVMAP,
 * DEVMAP_HASH, CPUMAP, XSKMAP, PERF_EVENT_ARRAY, QUEUE, STACK,
 * BLOOM_FILTER.  Queues, stacks and bloom filters have no key (key_size
 * 0, key NULL): update pushes, lookup peeks, lookup_and_delete pops.
 * Redirect maps store what user space writes (no devices behind them; a
 * program fd in a value is refused); perf event arrays start with every
 * slot present (slot i: an event on CPU i). */
struct bk_map_attr {
	uint32_t type;
	uint32_t key_size, value_size, max_entries;
	uint32_t flags; /* BPF_F_* of map creation */
	char name[16];
	uint64_t map_extra; /* bloom filters: hash functions in bits 0-3 */
};

/* Creates a map in vm; attributes are checked as the kernel checks them
 * (-EINVAL, -E2BIG, ...).  The map belongs to vm; bk_map__free() may free
 * it earlier, once no program that references it runs any more. */
int bk_map__new(struct bk_vm *vm, const struct bk_map_attr *attr, struct bk_map **out,
		struct bk_diag *diag);
/* A placeholder for a map of a type the VM does not model (an object's
 * map no program run here uses): it keeps the attributes and the index,
 * answers every command with -ENOTSUPP (524), and a program that names it
 * is refused at load, naming the map and its type. */
int bk_map__new_placeholder(struct bk_vm *vm, const struct bk_map_attr *attr, struct bk_map **out,
			    struct bk_diag *diag);
bool bk_map__is_placeholder(const struct bk_map *map);
/* True when bk_map__new() models maps of this BPF_MAP_TYPE_*. */
bool bk_map_type_supported(uint32_t type);
/* "lpm_trie", "devmap", ...: the kernel's name of a BPF_MAP_TYPE_*. */
const char *bk_map_type_name(uint32_t type);
void bk_map__free(struct bk_map *map);

const struct bk_map_attr *bk_map__attr(const struct bk_map *map);
uint32_t bk_map__id(const struct bk_map *map);
/* Bytes of a value as user space reads and writes it: value_size, or
 * round_up(value_size, 8) * ncpus for per-CPU maps. */
size_t bk_map__user_value_size(const struct bk_map *map);
/* Elements present (hash maps), max_entries (arrays), 0 otherwise. */
uint32_t bk_map__count(const struct bk_map *map);

/* The syscall side.  Each returns 0 or the kernel's negative errno for the
 * same BPF_MAP_* command.  flags as the syscall's (BPF_ANY, BPF_NOEXIST,
 * BPF_EXIST, BPF_F_LOCK).  For prog arrays a value is a program id. */
int bk_map__lookup(struct bk_map *map, const void *key, void *value, uint64_t flags);
int bk_map__update(struct bk_map *map, const void *key, const void *value, uint64_t flags);
int bk_map__delete(struct bk_map *map, const void *key);
/* key NULL: the first key. */
int bk_map__get_next_key(struct bk_map *map, const void *key, void *next_key);
int bk_map__lookup_and_delete(struct bk_map *map, const void *key, void *value, uint64_t flags);

/* Batch operations with BPF_MAP_*_BATCH semantics: *count is the number of
 * elements asked for on entry and done on return, also on error (-ENOENT at
 * the end may come with elements; -ENOSPC when a hash bucket does not fit).
 * in_batch NULL starts at the beginning; out_batch receives the resume
 * token (bk_map__batch_token_size() bytes). */
struct bk_map_batch {
	const void *in_batch;
	void *out_batch;
	void *keys;   /* *count keys */
	void *values; /* *count user values */
	uint32_t count;
	uint64_t elem_flags;
	uint64_t flags;
};
size_t bk_map__batch_token_size(const struct bk_map *map);
int bk_map__lookup_batch(struct bk_map *map, struct bk_map_batch *b);
int bk_map__lookup_and_delete_batch(struct bk_map *map, struct bk_map_batch *b);
int bk_map__update_batch(struct bk_map *map, struct bk_map_batch *b);
int bk_map__delete_batch(struct bk_map *map, struct bk_map_batch *b);

/* The values of an array map as one block (the BPF_F_MMAPABLE layout:
 * element i at i * round_up(value_size, 8)); NULL for other types. */
void *bk_map__array_base(struct bk_map *map, size_t *len);

/* Perf event arrays: records bpf_perf_event_output accepted (since the
 * map was created), and a callback that receives each one (cpu: the
 * slot; ctxdata: the packet bytes BPF_F_CTXLEN_MASK asked for). */
typedef void (*bk_perf_output_fn)(void *ctx, uint32_t cpu, const void *data, size_t len,
				  const void *ctxdata, size_t ctxlen);
int bk_map__perf_output_cb(struct bk_map *map, bk_perf_output_fn fn, void *ctx);
uint64_t bk_map__perf_records(const struct bk_map *map);

/* Ring buffer: calls fn for each submitted record in order (discarded ones
 * are skipped) and consumes them; stops early when fn returns non-zero and
 * returns that value; else the number of records. */
typedef int (*bk_ringbuf_fn)(void *ctx, const void *data, size_t len);
int bk_map__ringbuf_consume(struct bk_map *map, bk_ringbuf_fn fn, void *ctx);

/* ---------------------------------------------------------------------
 * Programs
 * ------------------------------------------------------------------- */

struct bk_vm_prog_opts {
	size_t sz;		       /* sizeof(struct bk_vm_prog_opts) */
	const char *name;	       /* for messages */
	enum bk_prog_type type;	       /* BK_PROG_UNSPEC: raw */
	struct bk_map *const *maps;    /* map table: ld_imm64 MAP_IDX forms and */
	size_t nmaps;		       /* relocations index it */
	const struct bk_reloc *relocs; /* from bk_prog__relocs(), or NULL */
	size_t nrelocs;
};

/* Prepares insns for execution: decodes every slot, checks every jump
 * target, refuses writes to r10, resolves ld_imm64 maps (MAP_FD: a map id
 * of vm; MAP_IDX: opts->maps[imm]; relocations: opts->maps[reloc.map]),
 * binds helpers and kfuncs.  Errors name the instruction. */
int bk_vm_prog__load(struct bk_vm *vm, const struct bk_insn *insns, size_t cnt,
		     const struct bk_vm_prog_opts *opts, struct bk_vm_prog **out,
		     struct bk_diag *diag);
void bk_vm_prog__free(struct bk_vm_prog *prog);

uint32_t bk_vm_prog__id(const struct bk_vm_prog *prog);
const char *bk_vm_prog__name(const struct bk_vm_prog *prog);
enum bk_prog_type bk_vm_prog__type(const struct bk_vm_prog *prog);
const struct bk_insn *bk_vm_prog__insns(const struct bk_vm_prog *prog, size_t *cnt);
/* Resolved 64-bit value of the ld_imm64 at insn (map pointer, map value
 * address, constant; for LDDW_FUNC the interpreter's function token). */
uint64_t bk_vm_prog__imm64(const struct bk_vm_prog *prog, size_t insn);

/* An object's maps and programs in one runtime.  Maps are created from the
 * object's map definitions (global data sections get their initial
 * contents); every program is loaded with them.  Indexes follow
 * bk_obj__map() and bk_obj__prog().  Loading fails when a map cannot be
 * created; a program the VM refuses is left out (bk_vm_obj__prog() gives
 * NULL and bk_vm_obj__prog_err() the reason), so the others still run. */
struct bk_vm_obj;
int bk_vm_obj__load(struct bk_vm *vm, const struct bk_obj *obj, struct bk_vm_obj **out,
		    struct bk_diag *diag);
void bk_vm_obj__free(struct bk_vm_obj *vo);
size_t bk_vm_obj__map_cnt(const struct bk_vm_obj *vo);
struct bk_map *bk_vm_obj__map(const struct bk_vm_obj *vo, size_t i);
struct bk_map *bk_vm_obj__find_map(const struct bk_vm_obj *vo, const char *name);
size_t bk_vm_obj__prog_cnt(const struct bk_vm_obj *vo);
struct bk_vm_prog *bk_vm_obj__prog(const struct bk_vm_obj *vo, size_t i);
/* 0 when program i loaded, else its load error (diag filled). */
int bk_vm_obj__prog_err(const struct bk_vm_obj *vo, size_t i, struct bk_diag *diag);

/* ---------------------------------------------------------------------
 * Runs
 * ------------------------------------------------------------------- */

enum bk_vm_mode {
	BK_VM_CHECKED = 0, /* every access, jump target and helper argument checked */
	BK_VM_TRUSTED = 1, /* no per-access checks: for verified programs */
};

struct bk_vm_run_opts {
	size_t sz;	 /* sizeof(struct bk_vm_run_opts) */
	uint8_t mode;	 /* enum bk_vm_mode */
	uint32_t cpu;	 /* get_smp_processor_id(), per-CPU map slot */
	uint64_t budget; /* checked mode: instructions per execution; 0: none */
};

int bk_vm_run__new(struct bk_vm *vm, const struct bk_vm_run_opts *opts, struct bk_vm_run **out);
void bk_vm_run__free(struct bk_vm_run *run);

/* Extra memory a checked program may access (pointers it gets through a
 * custom context, say).  At most 16 regions. */
int bk_vm_run__add_region(struct bk_vm_run *run, void *base, size_t len, bool writable);
void bk_vm_run__clear_regions(struct bk_vm_run *run);

/* Contexts.  Raw: r1 = mem, r2 = len (the conformance convention); mem is
 * borrowed and writable; NULL/0 allowed. */
int bk_vm_run__ctx_raw(struct bk_vm_run *run, void *mem, size_t len);

/* XDP: the packet is copied into a frame of BK_VM_XDP_FRAME bytes (below
 * 4 GiB, so struct xdp_md's 32-bit data fields hold real addresses) after
 * BK_VM_XDP_HEADROOM bytes of headroom; r1 = struct xdp_md. */
enum {
	BK_VM_XDP_HEADROOM = 256,
	BK_VM_XDP_FRAME = 4096,
	BK_VM_XDP_TAILROOM = 320, /* reserved at the end, as skb_shared_info */
};
struct bk_vm_xdp_opts {
	size_t sz;
	uint32_t ingress_ifindex, rx_queue_index, egress_ifindex;
};
int bk_vm_run__ctx_xdp(struct bk_vm_run *run, const void *pkt, size_t len,
		       const struct bk_vm_xdp_opts *opts);
/* skb programs (socket_filter, sched_cls, sched_act, cgroup_skb, lwt_*,
 * sk_skb): r1 = struct __sk_buff, filled as BPF_PROG_TEST_RUN fills it.
 * pkt is an Ethernet frame of at least 14 bytes, copied into the frame
 * (below 4 GiB, data/data_end/data_meta are real addresses) after
 * BK_VM_XDP_HEADROOM bytes; tc programs see it from the MAC header, the
 * other types from the network header (len is 14 less).  protocol is the
 * ethertype (network order), pkt_type against an all-zero device address,
 * ifindex 1 unless given; cgroup_skb and sk_skb see the IP header's
 * addresses as the socket's (family, local_ip4 = source, remote_ip4 =
 * destination).  Checked mode lets a program load and store exactly the
 * fields the kernel lets its type access. */
struct bk_vm_skb_opts {
	size_t sz;		/* sizeof(struct bk_vm_skb_opts) */
	enum bk_prog_type type; /* whose rules; 0: BK_PROG_SCHED_CLS */
	uint32_t ifindex;	/* 0: 1 (the loopback device) */
	uint32_t ingress_ifindex, mark, priority, hash, tc_index, queue_mapping;
	uint32_t cb[5];
	uint64_t tstamp;
};
int bk_vm_run__ctx_skb(struct bk_vm_run *run, const void *pkt, size_t len,
		       const struct bk_vm_skb_opts *opts);
/* True for the program types that run on an skb context. */
bool bk_vm_skb_type(enum bk_prog_type type);
/* The skb context after a run (fields the program wrote), or NULL. */
const struct __sk_buff *bk_vm_run__skb(const struct bk_vm_run *run);
/* The packet as the program left it (xdp and skb: data..data_end; raw:
 * mem). */
const void *bk_vm_run__packet(const struct bk_vm_run *run, size_t *len);
/* The whole frame as BPF_PROG_TEST_RUN returns it: for skb contexts from
 * the MAC header (the Ethernet header included for every type), else as
 * bk_vm_run__packet. */
const void *bk_vm_run__frame(const struct bk_vm_run *run, size_t *len);

/* Runs prog on the run's context; *r0 gets the program's return value.
 * A fault returns -BK_E_VM_* with the instruction in diag->insn. */
int bk_vm_run__exec(struct bk_vm_run *run, struct bk_vm_prog *prog, uint64_t *r0,
		    struct bk_diag *diag);
/* Instructions executed by the last exec (counted in checked mode only). */
uint64_t bk_vm_run__insn_count(const struct bk_vm_run *run);

/* ---------------------------------------------------------------------
 * Engines (the interpreter here, libjit's native code)
 * ------------------------------------------------------------------- */

/* A helper or kfunc: arguments r1..r5, the run as a sixth argument (the
 * System V x86-64 ABI passes all six in registers); returns r0. */
typedef uint64_t (*bk_vm_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				    struct bk_vm_run *run);

/* The implementation of helper id (the kernel's BPF_FUNC_* number), or
 * NULL when the VM lacks it. */
bk_vm_helper_fn bk_vm_helper(uint32_t id);
/* The implementation of a kfunc by name, or NULL. */
bk_vm_helper_fn bk_vm_kfunc(const char *name);

/* Calls a BPF function of the running program (bpf_loop's callback): fn is
 * the value the program loaded with ld_imm64 LDDW_FUNC.  Engines install
 * theirs in bk_vm_run_shared.call before running code. */
typedef uint64_t (*bk_vm_call_fn)(struct bk_vm_run *run, uint64_t fn, uint64_t r1, uint64_t r2,
				  uint64_t r3, uint64_t r4, uint64_t r5);

enum {
	BK_VM_ST_FAULT = 1,	/* a helper faulted; diag in the run; stop */
	BK_VM_ST_TAIL_CALL = 2, /* bpf_tail_call succeeded: run tail_target */
	BK_VM_ST_EXIT = 4,	/* stop with r0 = exit_r0 (LD_ABS out of range) */
};

enum {
	BK_VM_STACK_SIZE = 512,		   /* bytes per frame */
	BK_VM_MAX_FRAMES = 8,		   /* the kernel's MAX_CALL_FRAMES */
	BK_VM_MAX_TAIL_CALLS = 33,	   /* the kernel's MAX_TAIL_CALL_CNT */
	BK_VM_MAX_LOOPS = 8 * 1024 * 1024, /* bpf_loop, may_goto, iterators */
};

/* The first member of every struct bk_vm_run: fields engines read and
 * write from native code.  Offsets are stable within a release.
 *
 * Before calling a helper an engine stores depth (the frame of the caller:
 * checked-mode pointer checks allow [stack_top - (depth + 1) * 512,
 * stack_top)) and prog (bpf_loop's callbacks belong to it); after the call
 * it tests status: FAULT stops the run (the helper's message is in the run;
 * the engine adds the instruction), TAIL_CALL continues in tail_target in
 * the same frame with r1 unchanged (clear the bit), EXIT ends the program
 * with exit_r0.  Frame k's r10 is stack_top - k * 512. */
struct bk_vm_run_shared {
	uint32_t status;		      /* BK_VM_ST_* after a helper call */
	uint32_t cpu;			      /* as bk_vm_run_opts.cpu */
	uint64_t r1, r2;		      /* context registers at entry */
	uint8_t *stack_top;		      /* r10 of the first frame */
	uint64_t exit_r0;		      /* BK_VM_ST_EXIT */
	const struct bk_vm_prog *tail_target; /* BK_VM_ST_TAIL_CALL */
	uint32_t tail_calls;		      /* done in this execution */
	uint32_t depth;			      /* current call frame, 0: main */
	bk_vm_call_fn call;		      /* installed by the engine */
	void *engine;			      /* engine's own state */
	const struct bk_vm_prog *prog;	      /* program currently running */
	uint8_t mode;			      /* enum bk_vm_mode */
};

static inline struct bk_vm_run_shared *bk_vm_run__shared(struct bk_vm_run *run)
{
	return (struct bk_vm_run_shared *)(void *)run;
}

/* For helpers: true when [p, p+len) lies inside memory the program may
 * read (write: and write).  Always true in trusted mode. */
bool bk_vm_run__mem_ok(struct bk_vm_run *run, uint64_t p, uint64_t len, bool write);
/* For helpers: the map behind a pointer the program passed, or NULL when it
 * is not one of the runtime's maps (checked mode; trusted: the cast). */
struct bk_map *bk_vm_run__map_arg(struct bk_vm_run *run, uint64_t p);
/* For helpers: records a fault (BK_VM_ST_FAULT) with a message. */
void bk_vm_run__fault(struct bk_vm_run *run, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct bk_vm *bk_vm_run__vm(const struct bk_vm_run *run);

/* An engine other than the interpreter may attach its code to a program
 * (for tail calls into it); libvm never looks inside. */
void bk_vm_prog__set_engine_data(struct bk_vm_prog *prog, void *data);
void *bk_vm_prog__engine_data(const struct bk_vm_prog *prog);

/* For engines (engine.c).  The helper or kfunc the CALL / CALL_KFUNC at
 * insn was bound to at load; NULL for other instructions. */
bk_vm_helper_fn bk_vm_prog__call_fn(const struct bk_vm_prog *prog, size_t insn);
/* Starts an execution of prog as bk_vm_run__exec() does: checks it may
 * run (same VM, an XDP context for XDP programs; else the error exec
 * returns), clears the status, tail calls, depth, fault and count, and
 * gives the run's instruction budget (checked mode; 0: none). */
int bk_vm_run__engine_begin(struct bk_vm_run *run, const struct bk_vm_prog *prog, uint64_t *budget,
			    struct bk_diag *diag);
/* Records the instruction count bk_vm_run__insn_count() reports. */
void bk_vm_run__set_insn_count(struct bk_vm_run *run, uint64_t n);
/* Records the position of a fault the engine found itself (insn of prog);
 * keeps a position a helper already gave. */
void bk_vm_run__fault_at(struct bk_vm_run *run, const struct bk_vm_prog *prog, long insn);
/* After BK_VM_ST_FAULT: fills diag as bk_vm_run__exec() does for entry (the
 * program the execution started with) and returns -code. */
int bk_vm_run__fault_diag(struct bk_vm_run *run, const struct bk_vm_prog *entry,
			  struct bk_diag *diag);

/* BPF-side map operations, as the helpers do them (value pointers into
 * map storage; per-CPU maps use cpu). */
void *bk_map__bpf_lookup(struct bk_map *map, const void *key, uint32_t cpu);
long bk_map__bpf_update(struct bk_map *map, const void *key, const void *value, uint64_t flags,
			uint32_t cpu);
long bk_map__bpf_delete(struct bk_map *map, const void *key, uint32_t cpu);

/* ---------------------------------------------------------------------
 * The io_uring ring executor (ring*.c)
 *
 * Runs iouring programs (BK_PROG_IOURING) in user space over an
 * application's liburing ring, as the 2021 io_uring BPF RFC describes:
 *
 * - A BPF request is an SQE with opcode BK_IORING_OP_BPF, sqe->off the
 *   program's index (bk_ring__add_prog), sqe->user_data the context's
 *   user_data, and the CQ of its completion in the u32 at byte
 *   BK_RING_SQE_CQ_OFF (0: the application's).  bk_ring_prep_bpf() fills
 *   one.  No kernel has this opcode: the application submits through
 *   bk_ring__submit() or bk_ring__run(), which take every SQE queued on the
 *   ring since the last call, turn BPF requests into NOPs (so links and
 *   drains order them like any request) and start the program when its
 *   NOP completes.  Programs may queue BPF requests too (started at once).
 * - The executor owns the ring's completion side.  Each kernel CQE goes to
 *   one of its userspace CQs, the one its SQE named at BK_RING_SQE_CQ_OFF
 *   (the executor clears that field and the user_data the kernel sees and
 *   restores the user_data on the way back).  CQ 0 is the application's
 *   (bk_ring__pop_cqe), CQs 1..ncqs are the programs'.  Every SQE of the
 *   application completes there: the executor clears
 *   IOSQE_CQE_SKIP_SUCCESS on them.
 * - A run may queue SQEs, emit and reap CQEs.  If it leaves ctx->wait_nr
 *   non-zero, the program runs again once CQ ctx->wait_idx (1..ncqs) holds
 *   at least wait_nr CQEs; otherwise the request completes: a CQE with its
 *   user_data, res = (int32_t)r0 and flag BK_RING_CQE_F_BPF goes to its
 *   CQ.  wait_nr is reset to 0 before each run; wait_idx keeps its value.
 * - Every SQE a program queues is checked: whitelisted opcode (nop, read,
 *   write, openat, close, fsync, timeout, link_timeout, poll_add, send,
 *   recv, accept, and BPF requests); flags limited to fixed file, link,
 *   hardlink, drain, async and cqe skip success (with link, not hardlink,
 *   and not on openat or accept: such a chain posts one CQE, its last
 *   SQE's or that of the first SQE that failed; the SQE that ends a run
 *   posts its CQE whatever its flags); fields the opcode does not use are
 *   zero;
 *   every buffer, path, timespec or socket address lies in memory
 *   registered for the program (bk_ring__add_mem) with the access the
 *   kernel makes; the file is a fixed file below opts.nfiles or a
 *   descriptor a program's openat or accept returned (close gives it up).
 *   A violation faults the run (-BK_E_RING_*, naming the instruction); the
 *   request then completes with res = that code.  A link never spans two
 *   runs.  Each execution has an instruction budget.
 *
 * Helpers (helpers.def: ids from BK_HELPER_RING_BASE, and 148):
 *   iouring_queue_sqe(ctx, sqe, 64)                0, -ENOSPC ring full
 *   iouring_emit_cqe(ctx, cq, user_data, res, flags)   0, -EINVAL bad cq
 *   iouring_reap_cqe(ctx, cq, cqe, len >= 16)      0, -ENOENT CQ empty
 *   bpf_copy_from_user(dst, len, uptr)             0, -EFAULT (not readable)
 *   bpf_copy_to_user(uptr, src, len)               0, -EFAULT (not writable)
 * with the VM's map helpers, bpf_loop and the iterators.
 *
 * One thread drives an executor and runs its programs.  The executor
 * never frees the ring; bk_ring__cancel() before freeing it stops I/O that
 * still targets registered memory.
 *
 * Embedding (the application owns the ring, the VM and the programs):
 *   io_uring_queue_init(64, &ring, 0);
 *   bk_ring__new(vm, &ring, &(struct bk_ring_opts){.sz = ..., .mode =
 *                BK_VM_CHECKED}, &ex, &diag);
 *   idx = bk_ring__add_prog(ex, prog);                  (BK_PROG_IOURING)
 *   bk_ring__add_mem(ex, idx, buf, len, BK_RING_MEM_READ | BK_RING_MEM_WRITE);
 *   sqe = io_uring_get_sqe(&ring);
 *   bk_ring_prep_bpf(sqe, idx, 0, 42);     (or any SQE of its own, too)
 *   bk_ring__run(ex, 1, &diag);            (submits, runs, waits)
 *   bk_ring__pop_cqe(ex, 0, &cqe);         (cqe.user_data 42, res = r0)
 * ------------------------------------------------------------------- */

struct io_uring;
struct io_uring_sqe;
struct bk_ring;

/* r1 of an iouring program (the RFC's layout). */
struct bk_ring_ctx {
	uint64_t user_data; /* of the BPF request; read only */
	uint32_t wait_nr;   /* CQEs to wait for before the next run; 0: complete */
	uint32_t wait_idx;  /* the CQ to wait on */
};

/* A completion, laid out as struct io_uring_cqe. */
struct bk_ring_cqe {
	uint64_t user_data;
	int32_t res;
	uint32_t flags;
};

enum {
	BK_IORING_OP_BPF = 0xbf,     /* sqe->opcode of a BPF request */
	BK_RING_SQE_CQ_OFF = 56,     /* u32 in the SQE: the CQ of its completion */
	BK_RING_MAX_CQS = 64,	     /* program CQs at most */
	BK_RING_CQE_F_BPF = 1 << 15, /* cqe->flags: completes a BPF request */
	BK_RING_MEM_READ = 1,	     /* the kernel and copy_from_user may read it */
	BK_RING_MEM_WRITE = 2,	     /* the kernel and copy_to_user may write it */
	BK_RING_ALL_PROGS = -1,	     /* bk_ring__add_mem: for every program */
};
#define BK_RING_DEFAULT_BUDGET 1000000ull

/* Runs prog on run (the interpreter's bk_vm_run__exec by default; libjit
 * offers native code with the same contract). */
typedef int (*bk_ring_exec_fn)(void *ctx, struct bk_vm_run *run, struct bk_vm_prog *prog,
			       uint64_t *r0, struct bk_diag *diag);

struct bk_ring_opts {
	size_t sz;	      /* sizeof(struct bk_ring_opts) */
	uint32_t ncqs;	      /* program CQs 1..ncqs; 0: 8; at most BK_RING_MAX_CQS */
	uint32_t nfiles;      /* fixed files the application registered on the ring */
	uint64_t budget;      /* instructions per execution; 0: BK_RING_DEFAULT_BUDGET */
	uint8_t mode;	      /* enum bk_vm_mode of the run (the budget needs CHECKED in the
			  * interpreter) */
	bk_ring_exec_fn exec; /* NULL: the interpreter */
	void *exec_ctx;
	const void *sigmask; /* sigset_t the waits in the kernel use (pselect-style), or NULL */
};

/* Counters since bk_ring__new. */
struct bk_ring_stats {
	uint64_t runs;	    /* program executions */
	uint64_t requests;  /* BPF requests started */
	uint64_t completed; /* BPF requests completed (faulted ones included) */
	uint64_t faults;    /* executions that faulted */
	uint64_t sqes;	    /* SQEs programs queued (BPF requests included) */
	uint64_t user_sqes; /* SQEs the application queued */
	uint64_t cqes;	    /* CQEs reaped from the kernel's ring */
	uint64_t emitted;   /* CQEs programs emitted */
	uint64_t reaped;    /* CQEs programs reaped */
	uint64_t enters;    /* io_uring_enter calls */
	uint64_t insns;	    /* instructions executed (when the engine counts them) */
};

/* Creates an executor over ring (borrowed; not SQPOLL, no SQE128/CQE32).
 * The executor runs programs of vm on a run of its own. */
int bk_ring__new(struct bk_vm *vm, struct io_uring *ring, const struct bk_ring_opts *opts,
		 struct bk_ring **out, struct bk_diag *diag);
/* Frees the executor (not the ring nor the programs).  Requests still
 * waiting are dropped; I/O in flight is not waited for. */
void bk_ring__free(struct bk_ring *r);

/* Registers an iouring program; returns its index (sqe->off of its
 * requests), or -EINVAL (not BK_PROG_IOURING, another VM), -E2BIG. */
int bk_ring__add_prog(struct bk_ring *r, struct bk_vm_prog *prog);
/* Registers [base, base + len) for program index prog (BK_RING_ALL_PROGS:
 * all), with BK_RING_MEM_* access.  0 or -EINVAL, -E2BIG (64 windows). */
int bk_ring__add_mem(struct bk_ring *r, int prog, void *base, size_t len, unsigned flags);

/* Fills sqe as a BPF request. */
void bk_ring_prep_bpf(struct io_uring_sqe *sqe, uint32_t prog, uint32_t cq, uint64_t user_data);

/* Takes the SQEs queued on the ring since the last call and submits
 * them; returns how many or -errno. */
int bk_ring__submit(struct bk_ring *r);
/* Submits, runs programs and waits for I/O until CQ 0 holds min_cq0 CQEs
 * or nothing is left to do (no request, nothing in flight): 0.  -EINTR when
 * a signal interrupted a wait; -BK_E_* when a program faulted, exhausted
 * its budget, or waits for CQEs that cannot come (diag names it; its
 * request has completed with res = that code; calling again goes on);
 * -errno when the ring failed. */
int bk_ring__run(struct bk_ring *r, uint32_t min_cq0, struct bk_diag *diag);
/* True when no request exists and no I/O is in flight. */
bool bk_ring__idle(const struct bk_ring *r);
/* Pops the oldest CQE of CQ cq: 0, or -EAGAIN when empty, -EINVAL. */
int bk_ring__pop_cqe(struct bk_ring *r, uint32_t cq, struct bk_ring_cqe *out);
uint32_t bk_ring__cq_count(const struct bk_ring *r, uint32_t cq);
/* Stops: cancels the I/O in flight and waits for it, completes waiting
 * and runnable requests with -ECANCELED.  0 or -errno. */
int bk_ring__cancel(struct bk_ring *r);
void bk_ring__stats(const struct bk_ring *r, struct bk_ring_stats *st);
/* Name of program index i, or NULL. */
const char *bk_ring__prog_name(const struct bk_ring *r, uint32_t i);
/* Index of the program whose request failed last (fault, budget, waiting
 * in vain), or -1: diag->insn of bk_ring__run's error is in this one. */
int bk_ring__fault_prog(const struct bk_ring *r);

/* ---------------------------------------------------------------------
 * Publishing a runtime's maps (ring_shm.c, ring_srv.c)
 *
 * A running executor's maps can be read and changed from other processes
 * (mapctl): a directory (bk_vm_pub_dir(): /dev/shm/bpfkit-<pid>) holds
 *   mem-N       one file per map allocation, MAP_SHARED: the runtime
 *               allocates map storage there through bk_vm_pub__alloc(),
 *               so array values are live in the file (the mmap layout)
 *   map.NAME    a descriptor per published map (attributes, which mem-N
 *               file holds an array's values)
 *   ctl         a unix stream socket; a thread answers lookup, update,
 *               delete, next_key and batch requests with libvm's own map
 *               operations (the bpf() syscall's semantics and errnos)
 * ------------------------------------------------------------------- */

struct bk_vm_pub;
struct bk_pub_map;

/* dir NULL: bk_vm_pub_dir(getpid()).  Creates it (mode 0700), after
 * removing the directories of publishers that died without cleaning up. */
int bk_vm_pub__new(const char *dir, struct bk_vm_pub **out, struct bk_diag *diag);
/* The allocator to put in bk_vm_opts before creating the maps. */
const struct bk_vm_alloc *bk_vm_pub__alloc(struct bk_vm_pub *p);
/* Publishes map (of a runtime using the allocator) under name. */
int bk_vm_pub__add_map(struct bk_vm_pub *p, struct bk_map *map, const char *name,
		       struct bk_diag *diag);
/* Starts the thread answering on ctl.  0 or -errno. */
int bk_vm_pub__serve(struct bk_vm_pub *p);
const char *bk_vm_pub__dir(const struct bk_vm_pub *p);
/* Unpublishes: stops the thread (no request is being served when it
 * returns) and removes the descriptors and the socket.  Call it before
 * freeing the runtime's maps. */
void bk_vm_pub__stop(struct bk_vm_pub *p);
/* Stops, removes the directory and frees p.  Free the runtime first:
 * its map storage lives in p's allocations. */
void bk_vm_pub__free(struct bk_vm_pub *p);
/* "/dev/shm/bpfkit-<pid>" into buf. */
const char *bk_vm_pub_dir(int pid, char *buf, size_t len);

/* The reader's side.  spec: "NAME" (the only running publisher that has
 * it) or "PID:NAME".  -ENOENT no such map, -ESRCH its process is gone,
 * -EEXIST ambiguous. */
int bk_pub_map__open(const char *spec, struct bk_pub_map **out, struct bk_diag *diag);
void bk_pub_map__close(struct bk_pub_map *m);
const struct bk_map_attr *bk_pub_map__attr(const struct bk_pub_map *m);
/* Bytes of one value as lookups return it (per-CPU: all CPUs'). */
uint32_t bk_pub_map__value_size(const struct bk_pub_map *m);
uint32_t bk_pub_map__ncpus(const struct bk_pub_map *m);
int bk_pub_map__pid(const struct bk_pub_map *m);
/* As bk_map__lookup and friends, over the socket. */
int bk_pub_map__lookup(struct bk_pub_map *m, const void *key, void *value);
int bk_pub_map__update(struct bk_pub_map *m, const void *key, const void *value, uint64_t flags);
int bk_pub_map__delete(struct bk_pub_map *m, const void *key);
int bk_pub_map__next_key(struct bk_pub_map *m, const void *key, void *next);
int bk_pub_map__lookup_batch(struct bk_pub_map *m, struct bk_map_batch *b);
int bk_pub_map__update_batch(struct bk_pub_map *m, struct bk_map_batch *b);
size_t bk_pub_map__batch_token_size(const struct bk_pub_map *m);
/* A read-only shared view of an array map's values (live), -ENOTSUP for
 * other types.  Unmap with munmap(base, len). */
int bk_pub_map__view(struct bk_pub_map *m, const void **base, size_t *len);

#ifdef __cplusplus
}
#endif
#endif /* BK_VM_H */
