/* SPDX-License-Identifier: MIT */
/*
 * uapi.h - libuapi: the BPF ABI as data and code.
 *
 * The instruction table (insn.def) and its codec, diagnostics and error
 * codes, helper and kfunc prototypes, program types, and ELF objects
 * (struct bk_obj) with their programs, maps, relocations and BTF.
 *
 * Conventions: functions return 0 (or a count) on success and a negative
 * value on failure: -errno for system errors, -BK_E_* for faults in the
 * input, with details in an optional struct bk_diag.  Nothing here prints
 * or exits.  bk_x__free(NULL) is a no-op.
 */
#ifndef BK_UAPI_H
#define BK_UAPI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Error codes and diagnostics
 * ------------------------------------------------------------------- */

enum bk_err {
#define BK_ERR(name, value, desc) BK_E_##name = value,
#include "errors.def"
#undef BK_ERR
};

/* Where and why something failed.  Fields not known are 0/-1/NULL. */
struct bk_diag {
	int code;	  /* enum bk_err or errno (positive); 0: none */
	long insn;	  /* instruction index in the program, -1: none */
	const char *file; /* borrowed source or object name */
	int line, col;	  /* 1-based source position; 0: unknown */
	char msg[512];	  /* one line, no trailing newline */
};

/* Resets d (d may be NULL). */
void bk_diag__init(struct bk_diag *d);
/* Records code, insn and a printf-style message; returns -code so callers can
 * write `return bk_diag__set(d, BK_E_RESERVED, i, "...")`.  d may be NULL. */
int bk_diag__set(struct bk_diag *d, int code, long insn, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int bk_diag__vset(struct bk_diag *d, int code, long insn, const char *fmt, va_list ap);
/* "BK_E_RESERVED" style name of a code, or the errno name; never NULL. */
const char *bk_errname(int code);
/* Human description of a code (BK_E_* or errno); never NULL. */
const char *bk_strerror(int code);

/* ---------------------------------------------------------------------
 * Instructions
 * ------------------------------------------------------------------- */

/* One 8-byte instruction slot, the layout of the kernel's struct bpf_insn. */
struct bk_insn {
	uint8_t code;
	uint8_t dst : 4;
	uint8_t src : 4;
	int16_t off;
	int32_t imm;
};

enum bk_field {
	BK_F_DST = 1,
	BK_F_SRC = 2,
	BK_F_OFF = 4,
	BK_F_IMM = 8
};
enum bk_disc {
	BK_DISC_NONE,
	BK_DISC_OFF,
	BK_DISC_IMM,
	BK_DISC_SRC
};

enum bk_fmt {
#define BK_FMT(name, fields) BK_FMT_##name,
#include "insn.def"
#undef BK_FMT
};

enum bk_op {
#define BK_INSN(name, opc, disc, dval, fmt, llvm, ubpf) BK_OP_##name,
#include "insn.def"
#undef BK_INSN
};

/* Not a member of enum bk_op, so switches over it need no case for it. */
enum {
	BK_OP__COUNT = 0
#define BK_INSN(name, opc, disc, dval, fmt, llvm, ubpf) +1
#include "insn.def"
#undef BK_INSN
};

/* Per-op constants for hand-written bytecode: BK_OPC_<name> is the opcode,
 * BK_OPDISC_<name>/BK_OPDVAL_<name> its discriminator. */
enum {
#define BK_INSN(name, opc, disc, dval, fmt, llvm, ubpf)                                            \
	BK_OPC_##name = (opc), BK_OPDISC_##name = BK_DISC_##disc, BK_OPDVAL_##name = (dval),
#include "insn.def"
#undef BK_INSN
};

/* Readable bytecode in tests and benchmarks (constant expressions):
 *   BK_I(SDIV64_K, 1, 0, 0, 7)  r1 s/= 7 (the discriminator is filled in). */
#define BK_I(name, D, S, O, IMM)                                                                   \
	((struct bk_insn){                                                                         \
		.code = BK_OPC_##name,                                                             \
		.dst = (D),                                                                        \
		.src = (int)BK_OPDISC_##name == (int)BK_DISC_SRC ? BK_OPDVAL_##name : (S),         \
		.off = (int)BK_OPDISC_##name == (int)BK_DISC_OFF ? BK_OPDVAL_##name : (O),         \
		.imm = (int)BK_OPDISC_##name == (int)BK_DISC_IMM ? BK_OPDVAL_##name : (IMM)})
#define BK_MOV64_IMM(D, IMM) BK_I(MOV64_K, D, 0, 0, IMM)
#define BK_MOV64_REG(D, S) BK_I(MOV64_X, D, S, 0, 0)
#define BK_MOV32_IMM(D, IMM) BK_I(MOV32_K, D, 0, 0, IMM)
#define BK_MOV32_REG(D, S) BK_I(MOV32_X, D, S, 0, 0)
#define BK_ALU64_IMM(OP, D, IMM) BK_I(OP##64_K, D, 0, 0, IMM)
#define BK_ALU64_REG(OP, D, S) BK_I(OP##64_X, D, S, 0, 0)
#define BK_ALU32_IMM(OP, D, IMM) BK_I(OP##32_K, D, 0, 0, IMM)
#define BK_ALU32_REG(OP, D, S) BK_I(OP##32_X, D, S, 0, 0)
#define BK_JMP_IMM(OP, D, IMM, OFF) BK_I(OP##_K, D, 0, OFF, IMM)
#define BK_JMP_REG(OP, D, S, OFF) BK_I(OP##_X, D, S, OFF, 0)
#define BK_JMP32_IMM(OP, D, IMM, OFF) BK_I(OP##32_K, D, 0, OFF, IMM)
#define BK_JMP32_REG(OP, D, S, OFF) BK_I(OP##32_X, D, S, OFF, 0)
#define BK_JA(OFF) BK_I(JA, 0, 0, OFF, 0)
#define BK_LDX_MEM(SZ, D, S, OFF) BK_I(LDX##SZ, D, S, OFF, 0)
#define BK_STX_MEM(SZ, D, S, OFF) BK_I(STX##SZ, D, S, OFF, 0)
#define BK_ST_MEM(SZ, D, OFF, IMM) BK_I(ST##SZ, D, 0, OFF, IMM)
#define BK_ATOMIC(OP, D, S, OFF) BK_I(ATOMIC##OP, D, S, OFF, 0)
#define BK_LD_IMM64(D, IMM)                                                                        \
	BK_I(LDDW, D, 0, 0, (int32_t)(uint32_t)(uint64_t)(IMM)),                                   \
		((struct bk_insn){.imm = (int32_t)(uint32_t)((uint64_t)(IMM) >> 32)})
#define BK_LD_MAP_FD(D, FD) BK_I(LDDW_MAP_FD, D, 0, 0, FD), ((struct bk_insn){.imm = 0})
#define BK_CALL(ID) BK_I(CALL, 0, 0, 0, ID)
#define BK_CALL_LOCAL(OFF) BK_I(CALL_LOCAL, 0, 0, 0, OFF)
#define BK_EXIT() BK_I(EXIT, 0, 0, 0, 0)

/* One row of insn.def. */
struct bk_op_info {
	const char *name; /* "ADD64_K" */
	uint8_t opcode;
	uint8_t disc;	/* enum bk_disc */
	uint8_t fmt;	/* enum bk_fmt */
	uint8_t fields; /* enum bk_field mask of used fields */
	int32_t dval;
	const char *llvm; /* operator/keyword of the LLVM form */
	const char *ubpf; /* mnemonic of the ubpf form */
};

/* The row for op, or NULL when op is out of range. */
const struct bk_op_info *bk_op_info(unsigned op);
/* "ALU_K" style name of an enum bk_fmt value. */
const char *bk_fmt_name(unsigned fmt);

/* Opcode anatomy (RFC 9669 section 3). */
enum {
	BK_CLASS_LD = 0,
	BK_CLASS_LDX = 1,
	BK_CLASS_ST = 2,
	BK_CLASS_STX = 3,
	BK_CLASS_ALU = 4,
	BK_CLASS_JMP = 5,
	BK_CLASS_JMP32 = 6,
	BK_CLASS_ALU64 = 7,
};
static inline unsigned bk_opc_class(uint8_t opc)
{
	return opc & 7;
}
/* Access size in bytes of a load/store opcode (LD, LDX, ST, STX). */
static inline unsigned bk_opc_size(uint8_t opc)
{
	static const uint8_t sz[4] = {4, 2, 1, 8};
	return sz[(opc >> 3) & 3];
}
/* True when a LDX opcode sign-extends (mode MEMSX). */
static inline bool bk_opc_is_signed_load(uint8_t opc)
{
	return (opc & 0xe0) == 0x80;
}
/* True for ALU64/JMP (64-bit operands), false for ALU/JMP32. */
static inline bool bk_opc_is_64(uint8_t opc)
{
	return bk_opc_class(opc) == BK_CLASS_ALU64 || bk_opc_class(opc) == BK_CLASS_JMP;
}

/* A decoded instruction.  Programs decode to one bk_dinsn per slot; the
 * second slot of an ld_imm64 has slots == 0 and repeats the op. */
struct bk_dinsn {
	uint16_t op; /* enum bk_op */
	uint8_t dst, src;
	int16_t off;
	uint8_t slots; /* 1, 2 (ld_imm64), or 0 for the second half of one */
	int32_t imm;
	int32_t imm2; /* ld_imm64: imm of the second slot */
};

static inline uint64_t bk_dinsn_imm64(const struct bk_dinsn *d)
{
	return (uint64_t)(uint32_t)d->imm | (uint64_t)(uint32_t)d->imm2 << 32;
}

/* Decodes insns[idx] of a program of cnt slots.  Refuses unknown opcodes,
 * registers above r10, and non-zero unused fields, naming the instruction
 * and field in diag.  Returns the number of slots used (1 or 2). */
int bk_decode(const struct bk_insn *insns, size_t cnt, size_t idx, struct bk_dinsn *out,
	      struct bk_diag *diag);
/* Decodes a whole program into out[cnt]; returns 0 or the first error. */
int bk_decode_prog(const struct bk_insn *insns, size_t cnt, struct bk_dinsn *out,
		   struct bk_diag *diag);
/* Encodes d into out (two slots for ld_imm64); returns the slot count or
 * -BK_E_* when d names no op or holds a register above r10. */
int bk_encode(const struct bk_dinsn *d, struct bk_insn out[2]);
/* Finds the op for (opcode, dst, src, off, imm) without the zero-field and
 * register checks; -BK_E_OPCODE / -BK_E_VARIANT when there is none. */
int bk_op_lookup(const struct bk_insn *insn);

/* ---------------------------------------------------------------------
 * Helpers and kfuncs (helpers.def, kfuncs.def)
 * ------------------------------------------------------------------- */

/* Argument and return kinds follow the kernel's bpf_func_proto. */
enum bk_arg {
	BK_ARG_NONE = 0,		 /* no argument, or one the kernel does not check */
	BK_ARG_ANYTHING,		 /* any scalar or pointer value, not read */
	BK_ARG_CONST_MAP_PTR,		 /* a map pointer */
	BK_ARG_PTR_TO_MAP_KEY,		 /* key_size readable bytes */
	BK_ARG_PTR_TO_MAP_VALUE,	 /* value_size readable bytes */
	BK_ARG_PTR_TO_CTX,		 /* the context, unmodified */
	BK_ARG_PTR_TO_MEM,		 /* readable memory, size in the next arg */
	BK_ARG_PTR_TO_MEM_OR_NULL,	 /* same, or NULL */
	BK_ARG_PTR_TO_UNINIT_MEM,	 /* writable memory, size in the next arg */
	BK_ARG_CONST_SIZE,		 /* > 0, bounded */
	BK_ARG_CONST_SIZE_OR_ZERO,	 /* >= 0, bounded */
	BK_ARG_PTR_TO_FUNC,		 /* a callback subprogram */
	BK_ARG_PTR_TO_STACK_OR_NULL,	 /* callback context on the stack, or NULL */
	BK_ARG_PTR_TO_RINGBUF_MEM,	 /* a reserved ring buffer record */
	BK_ARG_CONST_ALLOC_SIZE_OR_ZERO, /* constant size of an allocation */
	BK_ARG_PTR_TO_LONG,		 /* writable 8 bytes */
	BK_ARG_PTR_TO_INT,		 /* writable 4 bytes */
	BK_ARG_PTR_TO_CTX_OR_NULL,
	BK_ARG_PTR_TO_BTF_ID, /* kernel object of a BTF type */
	BK_ARG_PTR_TO_SOCK_COMMON,
	BK_ARG_PTR_TO_SPIN_LOCK,
	BK_ARG_PTR_TO_TIMER,
	BK_ARG_PTR_TO_DYNPTR,
	BK_ARG_PTR_TO_CONST_STR,
	BK_ARG_PTR_TO_ITER, /* kfuncs: struct bpf_iter_<type> * on the stack */
	BK_ARG_PTR_TO_UNINIT_MAP_VALUE,
	BK_ARG_PTR_TO_MAP_VALUE_OR_NULL, /* value_size bytes, or NULL (task_storage_get) */
	BK_ARG__COUNT
};

enum bk_ret {
	BK_RET_INTEGER = 0,
	BK_RET_VOID,
	BK_RET_PTR_TO_MAP_VALUE_OR_NULL,
	BK_RET_PTR_TO_MEM_OR_NULL, /* ringbuf_reserve: size from an argument */
	BK_RET_PTR_TO_BTF_ID_OR_NULL,
	BK_RET_PTR_TO_SOCKET_OR_NULL,
	BK_RET_PTR_TO_MEM_OR_BTF_ID_OR_NULL,
	BK_RET_PTR_TO_ITER_NEXT, /* kfuncs: next item or NULL */
	BK_RET__COUNT
};

/* Helper flags. */
enum {
	BK_HF_PKT_CHANGE = 1 << 0, /* invalidates packet pointers */
	BK_HF_GPL_ONLY = 1 << 1,
};

/* Kfunc flags, as the kernel's KF_*. */
enum {
	BK_KF_ACQUIRE = 1 << 0,
	BK_KF_RELEASE = 1 << 1,
	BK_KF_RET_NULL = 1 << 2,
	BK_KF_ITER_NEW = 1 << 3,
	BK_KF_ITER_NEXT = 1 << 4,
	BK_KF_ITER_DESTROY = 1 << 5,
	BK_KF_SLEEPABLE = 1 << 6,
	BK_KF_DYNPTR_NEW = 1 << 7,   /* bpf_dynptr_from_<ctx>(ctx, flags, uninit dynptr) */
	BK_KF_DYNPTR_SLICE = 1 << 8, /* bpf_dynptr_slice[_rdwr](dynptr, off, buf, size) */
};

struct bk_helper {
	uint32_t id;	  /* the kernel's BPF_FUNC_* number */
	const char *name; /* "bpf_map_lookup_elem" */
	uint8_t ret;	  /* enum bk_ret */
	uint8_t args[5];  /* enum bk_arg */
	uint32_t flags;
	bool proto_known; /* false: name only, no prototype recorded */
};

struct bk_kfunc {
	const char *name; /* "bpf_iter_num_new" */
	uint8_t ret;
	uint8_t args[5];
	uint32_t flags;	    /* BK_KF_* */
	uint32_t iter_size; /* bytes of the iterator struct for ITER kfuncs */
};

/* bpfkit's io_uring ring helpers (helpers.def's BK_RING_HELPER rows) have
 * ids from here on; bk_helper_by_id/by_name know them too. */
#define BK_HELPER_RING_BASE 0x10000u

/* NULL when unknown. */
const struct bk_helper *bk_helper_by_id(uint32_t id);
const struct bk_helper *bk_helper_by_name(const char *name);
/* Largest helper id known; ids 1..max may have gaps (by_id then NULL). */
uint32_t bk_helper_max_id(void);
const struct bk_kfunc *bk_kfunc_by_name(const char *name);

/* ---------------------------------------------------------------------
 * Program types (progtypes.def)
 * ------------------------------------------------------------------- */

/* Kernel types keep the kernel's enum bpf_prog_type value; bpfkit's own
 * types (iouring, raw) live above BK_PROG__KERNEL_MAX. */
enum bk_prog_type {
	BK_PROG_UNSPEC = 0,
	BK_PROG_SOCKET_FILTER = 1,
	BK_PROG_KPROBE = 2,
	BK_PROG_SCHED_CLS = 3,
	BK_PROG_SCHED_ACT = 4,
	BK_PROG_TRACEPOINT = 5,
	BK_PROG_XDP = 6,
	BK_PROG_PERF_EVENT = 7,
	BK_PROG_CGROUP_SKB = 8,
	BK_PROG_CGROUP_SOCK = 9,
	BK_PROG_LWT_IN = 10,
	BK_PROG_LWT_OUT = 11,
	BK_PROG_LWT_XMIT = 12,
	BK_PROG_SOCK_OPS = 13,
	BK_PROG_SK_SKB = 14,
	BK_PROG_CGROUP_DEVICE = 15,
	BK_PROG_SK_MSG = 16,
	BK_PROG_RAW_TRACEPOINT = 17,
	BK_PROG_CGROUP_SOCK_ADDR = 18,
	BK_PROG_LWT_SEG6LOCAL = 19,
	BK_PROG_LIRC_MODE2 = 20,
	BK_PROG_SK_REUSEPORT = 21,
	BK_PROG_FLOW_DISSECTOR = 22,
	BK_PROG_CGROUP_SYSCTL = 23,
	BK_PROG_RAW_TRACEPOINT_WRITABLE = 24,
	BK_PROG_CGROUP_SOCKOPT = 25,
	BK_PROG_TRACING = 26,
	BK_PROG_STRUCT_OPS = 27,
	BK_PROG_EXT = 28,
	BK_PROG_LSM = 29,
	BK_PROG_SK_LOOKUP = 30,
	BK_PROG_SYSCALL = 31,
	BK_PROG_NETFILTER = 32,
	BK_PROG__KERNEL_MAX = 32,
	BK_PROG_IOURING = 100, /* bpfkit's ring programs (DESIGN.md) */
	BK_PROG_RAW = 101,     /* r1 = memory, r2 = length */
};

/* Type for an ELF section name, as libbpf 1.1 maps it ("xdp", "xdp.frags",
 * "tc", "classifier", "socket", "kprobe/...", "iouring", "raw", ...; see
 * progtypes.def).  Sets *attach (may be NULL) to the kernel's expected
 * attach type (0 when none).  BK_PROG_UNSPEC: unknown. */
enum bk_prog_type bk_prog_type_from_section(const char *sec, uint32_t *attach);
/* A map type's name by the kernel's enum bpf_map_type ("lru_hash", as
 * bpfas's .map directive spells it); NULL for a number it does not know. */
const char *bk_map_type_str(uint32_t type);

/* Properties a section name gives its programs. */
enum {
	BK_SECF_SLEEPABLE = 1 << 0, /* "fentry.s/...", "lsm.s/...", "syscall", ... */
	BK_SECF_XDP_FRAGS = 1 << 1, /* "xdp.frags..." (BPF_F_XDP_HAS_FRAGS) */
};
/* BK_SECF_* mask for a section name; 0 when none or unknown. */
unsigned bk_prog_section_flags(const char *sec);
/* "xdp", "sched_cls", ...; for --type.  NULL when unknown. */
const char *bk_prog_type_name(enum bk_prog_type t);
/* BK_PROG_UNSPEC when unknown. */
enum bk_prog_type bk_prog_type_by_name(const char *name);

/* ---------------------------------------------------------------------
 * ELF objects
 *
 * A bk_obj holds code sections as they are in the file (for disassembly
 * and writing) and programs linked from them (for the verifier, the VM and
 * the JIT): each entry function with the .text subprograms it calls
 * appended, BPF-to-BPF call offsets fixed up, as libbpf does.
 *
 * Programs: every function (FUNC symbol) of a code section other than
 * .text; a section without symbols is one program named after it, cut into
 * subprograms at its pc-relative call targets; when there is no other
 * program, the first function of .text.  bk_prog__type() comes from the
 * section name (bk_prog_type_from_section).
 *
 * Linked instructions are self-describing (bk_decode gives the op):
 *   map reference      LDDW_MAP_IDX        imm = map index (bk_obj__map)
 *   global data        LDDW_MAP_IDX_VALUE  imm = map index, imm2 = offset
 *   .kconfig extern    LDDW_MAP_IDX_VALUE  (map "<obj>.kconfig", BK_RELO_KCONFIG)
 *   __ksym variable    LDDW_BTF_ID         imm = 0, name in the relocation
 *   subprogram address LDDW_FUNC           pc-relative imm, as calls
 *   BPF-to-BPF call    CALL_LOCAL          imm = target - (insn + 1)
 *   kfunc call         CALL_KFUNC          imm = 0, off = 0, name in the relocation
 * each with a struct bk_reloc at that instruction.  Global data sections
 * (.data*, .rodata*, .bss*) and .kconfig externs are BK_MAP_DATA array maps
 * of one value named as libbpf names them ("<obj>.bss", ".rodata.str1.1").
 *
 * Reading refuses recursion, calls into the middle of a function or past
 * its section, and every malformed header, index, size or offset with a
 * -BK_E_ELF* / -BK_E_BTF* / -BK_E_LINK code naming the section, symbol or
 * instruction.
 * ------------------------------------------------------------------- */

struct btf;	/* libbpf */
struct btf_ext; /* libbpf */
struct bk_obj;
struct bk_prog;

enum bk_reloc_kind {
	BK_RELO_NONE = 0,
	BK_RELO_MAP,	   /* ld_imm64 of a map: src MAP_FD or MAP_IDX */
	BK_RELO_MAP_VALUE, /* ld_imm64 of global data: &map value + offset */
	BK_RELO_CALL,	   /* BPF-to-BPF call (CALL_LOCAL) */
	BK_RELO_FUNC,	   /* ld_imm64 of a subprogram address (LDDW_FUNC) */
	BK_RELO_KFUNC,	   /* CALL_KFUNC to an extern function */
	BK_RELO_KSYM,	   /* ld_imm64 of an extern variable (__ksym) */
	BK_RELO_KCONFIG,   /* ld_imm64 into .kconfig */
};

/* A relocation as it is in the file: instruction index within its section
 * and the symbol it names. */
struct bk_sec_reloc {
	uint32_t insn;
	uint8_t kind;	  /* enum bk_reloc_kind */
	const char *sym;  /* symbol name (may be a section symbol's section) */
	uint32_t sym_off; /* byte offset of the symbol in its section */
	int32_t addend;	  /* bytes: imm for data refs, call imm before linking */
};

struct bk_sym {
	const char *name;
	uint32_t off;  /* byte offset in its section */
	uint32_t size; /* bytes */
	bool global;   /* STB_GLOBAL (or WEAK) */
	bool func;     /* STT_FUNC */
	bool hidden;   /* STV_HIDDEN: a global function libbpf makes static */
};

/* A code section as it is in the file. */
struct bk_sec {
	const char *name;
	const struct bk_insn *insns;
	size_t cnt;
	const struct bk_sym *syms; /* functions in this section, by offset */
	size_t nsyms;
	const struct bk_sec_reloc *relocs;
	size_t nrelocs;
};

/* A data section (.data, .rodata*, .bss, .kconfig, .maps, maps). */
struct bk_data_sec {
	const char *name;
	const void *bytes; /* NULL for .bss */
	size_t size;
	const struct bk_sym *syms; /* variables, by offset */
	size_t nsyms;
};

enum bk_map_origin {
	BK_MAP_BTF = 0, /* BTF-defined, in .maps */
	BK_MAP_LEGACY,	/* struct bpf_map_def in "maps" */
	BK_MAP_DATA,	/* a global data section turned into an array map */
	BK_MAP_INNER,	/* template of a map-in-map's inner map; not created itself */
};

struct bk_map_def {
	const char *name;
	uint32_t type; /* BPF_MAP_TYPE_* */
	uint32_t key_size, value_size, max_entries, flags;
	uint32_t btf_key_type_id, btf_value_type_id; /* 0: none */
	int32_t inner;				     /* index of the inner map template, -1: none */
	uint32_t pinning;
	uint32_t map_extra;
	uint8_t origin;	  /* enum bk_map_origin */
	const void *data; /* BK_MAP_DATA: initial contents; NULL for .bss */
	size_t data_size;
};

/* A relocation of a linked program. */
struct bk_reloc {
	uint32_t insn;	 /* index in the linked program */
	uint8_t kind;	 /* enum bk_reloc_kind */
	int32_t map;	 /* MAP/MAP_VALUE/KCONFIG: map index, else -1 */
	uint32_t off;	 /* MAP_VALUE/KCONFIG: byte offset in the value */
	const char *sym; /* KFUNC/KSYM/KCONFIG: extern name; MAP/MAP_VALUE: map
			  * name; CALL/FUNC: the target function's name */
};

/* Source position of an instruction, from .BTF.ext line info or the
 * assembler. */
struct bk_line {
	uint32_t insn;
	const char *file; /* NULL when unknown */
	const char *text; /* the source line, NULL when unknown */
	uint32_t line, col;
};

/* A subprogram of a linked program (entry first). */
struct bk_func {
	uint32_t insn; /* first instruction in the linked program */
	const char *name;
	uint32_t btf_id; /* BTF FUNC id, 0 when none */
};

struct bk_obj_opts {
	size_t sz;	  /* sizeof(struct bk_obj_opts) */
	const char *name; /* for messages; defaults to the path or "<mem>" */
};

/* Opening parses and validates the whole file; a malformed file gives
 * -BK_E_ELF* and a message, never a crash. */
int bk_obj__open_file(const char *path, const struct bk_obj_opts *opts, struct bk_obj **out,
		      struct bk_diag *diag);
/* buf is copied. */
int bk_obj__open_mem(const void *buf, size_t len, const struct bk_obj_opts *opts,
		     struct bk_obj **out, struct bk_diag *diag);
void bk_obj__free(struct bk_obj *obj);

const char *bk_obj__name(const struct bk_obj *obj);
const char *bk_obj__license(const struct bk_obj *obj); /* NULL when none */
uint32_t bk_obj__kversion(const struct bk_obj *obj);
const struct btf *bk_obj__btf(const struct bk_obj *obj);	 /* NULL when none */
const struct btf_ext *bk_obj__btf_ext(const struct bk_obj *obj); /* NULL when none */

size_t bk_obj__sec_cnt(const struct bk_obj *obj);
const struct bk_sec *bk_obj__sec(const struct bk_obj *obj, size_t i);
size_t bk_obj__data_sec_cnt(const struct bk_obj *obj);
const struct bk_data_sec *bk_obj__data_sec(const struct bk_obj *obj, size_t i);
size_t bk_obj__map_cnt(const struct bk_obj *obj);
const struct bk_map_def *bk_obj__map(const struct bk_obj *obj, size_t i);
int bk_obj__find_map(const struct bk_obj *obj, const char *name); /* index or -ENOENT */

size_t bk_obj__prog_cnt(const struct bk_obj *obj);
struct bk_prog *bk_obj__prog(const struct bk_obj *obj, size_t i);
/* By function name, else by section name (first program of it). */
struct bk_prog *bk_obj__find_prog(const struct bk_obj *obj, const char *name);

const char *bk_prog__name(const struct bk_prog *prog);
const char *bk_prog__section(const struct bk_prog *prog);
enum bk_prog_type bk_prog__type(const struct bk_prog *prog);
uint32_t bk_prog__attach_type(const struct bk_prog *prog);
void bk_prog__set_type(struct bk_prog *prog, enum bk_prog_type type);
const struct bk_obj *bk_prog__obj(const struct bk_prog *prog);
const struct bk_insn *bk_prog__insns(const struct bk_prog *prog, size_t *cnt);
const struct bk_reloc *bk_prog__relocs(const struct bk_prog *prog, size_t *cnt);
const struct bk_func *bk_prog__funcs(const struct bk_prog *prog, size_t *cnt);
/* The line info entry covering insn (the nearest at or before it within
 * the same function), or NULL. */
const struct bk_line *bk_prog__line(const struct bk_prog *prog, uint32_t insn);
/* CO-RE relocations (.BTF.ext) in the linked program. */
size_t bk_prog__core_cnt(const struct bk_prog *prog);
/* The program's instructions with its CO-RE relocations resolved against
 * target (the BTF of the kernel it is for) as libbpf resolves them at load:
 * field offsets, sizes and bitfield shifts, field/type/enumerator
 * existence, type ids and sizes, enumerator values; a relocation whose
 * field or type the target lacks makes its instruction a call to the
 * invalid helper 0xbad2310 (the kernel rejects it only if it is reached).
 * *out is a malloc'd copy of the program's bk_prog__insns() count, NULL
 * when the program has no CO-RE relocations.  -BK_E_CORE when a
 * relocation cannot be applied (libbpf refuses to load then). */
int bk_prog__core_apply(const struct bk_prog *prog, const struct btf *target, struct bk_insn **out,
			struct bk_diag *diag);

/* Building an object (the assembler's side).  Strings and buffers passed
 * in are copied.  bk_obj__finish() links programs as bk_obj__open_* does;
 * call it before the accessors above or the writer; nothing can be added
 * after it (-EINVAL), and after a failed finish only bk_obj__free() is left.
 *
 * Relocations (bk_obj__add_reloc) name their target in sym; insn is the
 * instruction index in the section; sym_off is filled in by finish:
 *   BK_RELO_MAP        a map added with bk_obj__add_map (ld_imm64)
 *   BK_RELO_MAP_VALUE  a data section or data symbol; addend = byte offset
 *                      from it (ld_imm64)
 *   BK_RELO_CALL       a FUNC symbol of any code section (call; its src is
 *                      set to 1); BK_RELO_FUNC the same for ld_imm64
 *   BK_RELO_KFUNC      an extern function (call), BK_RELO_KSYM/KCONFIG an
 *                      extern variable (ld_imm64)
 *   BK_RELO_NONE       whichever of the above the name and instruction fit
 * Calls within one section may instead be left pc-relative (src 1, no
 * relocation).  For libbpf, subprograms called from other sections must be
 * in ".text", and entry programs need global FUNC symbols.  bk_sym.size 0
 * makes a function reach the next one (finish fills the size in).  Map
 * definitions: inner is used only by map-in-map types, where it must be
 * the index of a map added with origin BK_MAP_INNER; other origins are
 * taken as BK_MAP_BTF. */
struct bk_obj *bk_obj__new(const char *name);
int bk_obj__set_license(struct bk_obj *obj, const char *license);
/* Adds a code section; returns its index. */
int bk_obj__add_sec(struct bk_obj *obj, const char *name, const struct bk_insn *insns, size_t cnt);
int bk_obj__add_sym(struct bk_obj *obj, int sec, const struct bk_sym *sym);
int bk_obj__add_reloc(struct bk_obj *obj, int sec, const struct bk_sec_reloc *rel);
/* Adds a BTF-defined map (emitted in .maps with the BTF libbpf needs);
 * returns its index. */
int bk_obj__add_map(struct bk_obj *obj, const struct bk_map_def *def);
/* Adds a global data section (.data, .rodata, .bss) with its variables;
 * bytes may be NULL for .bss; returns its index. */
int bk_obj__add_data_sec(struct bk_obj *obj, const char *name, const void *bytes, size_t size);
int bk_obj__add_data_sym(struct bk_obj *obj, int data_sec, const struct bk_sym *sym);
/* Source positions for an instruction of a code section (assembler). */
int bk_obj__add_line(struct bk_obj *obj, int sec, const struct bk_line *line);
int bk_obj__finish(struct bk_obj *obj, struct bk_diag *diag);

/* Writes an EM_BPF relocatable object that libbpf and the kernel accept
 * (.maps with BTF, license, relocations, symbols, data sections).  *buf is
 * malloc'ed.  Only finished objects made with bk_obj__new (-EINVAL else);
 * line info is not written. */
int bk_obj__write_elf(const struct bk_obj *obj, void **buf, size_t *len, struct bk_diag *diag);

/* ---------------------------------------------------------------------
 * Assembler and disassembler text (asm*.c, disasm*.c)
 *
 * bk_asm() reads the three syntaxes below, mixed freely line by line, with
 * labels, helper names and directives (see man/bpfas.1.scd); errors carry
 * the file, line and column.  The disassembler writes text that bk_asm()
 * turns back into the same bytes (and the same relocations), in any syntax.
 * ------------------------------------------------------------------- */

enum bk_syntax {
	BK_SYNTAX_LLVM = 0, /* llvm-objdump: r0 = 1, if r1 > 5 goto +3 */
	BK_SYNTAX_KERNEL,   /* verifier log: (b7) r0 = 1, goto pc+3, (r10 -4) */
	BK_SYNTAX_UBPF,	    /* conformance: mov %r0, 1 */
};

struct bk_asm_opts {
	size_t sz;		     /* sizeof(struct bk_asm_opts) */
	const char *file;	     /* name for diagnostics; default "<asm>" */
	const char *default_section; /* for code before any section directive; ".text" */
	const char *section;	     /* bk_asm_raw: the code section to write; NULL: the only one */
};

/* Assembles text (any of the three syntaxes, mixed per line) into a
 * finished object.  A conformance test file (with a "-- asm" line) is read
 * from its asm section.  On error, diag has file, line, col and a message. */
int bk_asm(const char *text, size_t len, const struct bk_asm_opts *opts, struct bk_obj **out,
	   struct bk_diag *diag);
/* Assembles to bare bytecode: one code section, no relocations (map
 * references and calls into other sections are refused).  *insns is
 * malloc'ed, *cnt slots. */
int bk_asm_raw(const char *text, size_t len, const struct bk_asm_opts *opts, struct bk_insn **insns,
	       size_t *cnt, struct bk_diag *diag);

struct bk_disasm_opts {
	size_t sz;	      /* sizeof(struct bk_disasm_opts) */
	uint8_t syntax;	      /* enum bk_syntax */
	bool labels;	      /* jump targets as labels (.L<n>) rather than offsets */
	bool numeric_helpers; /* call 1 rather than call bpf_map_lookup_elem */
	const char *section;  /* bk_disasm_obj: only this section (or function); NULL: all */
};

/* Symbolic operands of one instruction, for bk_disasm_insn_sym(). */
struct bk_disasm_sym {
	const char *target;  /* label of a jump or local call target; NULL: offset */
	const char *sym;     /* relocation symbol of an ld_imm64 or call; NULL: none */
	int64_t addend;	     /* added to sym (bytes) */
	bool map;	     /* sym names a map (kernel syntax writes map[sym]) */
	bool no_helper_name; /* a symbol shadows the helper's name: print its number */
};

/* Formats one decoded instruction (with its slot index pc, for targets)
 * into buf; returns the length snprintf would have written. */
int bk_disasm_insn(const struct bk_dinsn *d, size_t pc, const struct bk_disasm_opts *opts,
		   char *buf, size_t size);
/* Same with symbolic operands (sym may be NULL). */
int bk_disasm_insn_sym(const struct bk_dinsn *d, size_t pc, const struct bk_disasm_opts *opts,
		       const struct bk_disasm_sym *sym, char *buf, size_t size);

/* One instruction of a disassembly listing. */
struct bk_disasm_line {
	const char *section; /* borrowed from the object (or "raw") */
	const char *func;    /* function holding the instruction, NULL: none */
	uint32_t sec;	     /* section index (bk_obj__sec) */
	uint32_t insn;	     /* slot index in the section */
	uint32_t text_off;   /* the instruction's text in the listing ... */
	uint32_t text_len;   /* ... without indentation, labels or newline */
};

/* Disassembles a whole object into assembler source that bk_asm() turns
 * back into the same instruction bytes and relocations: the license, maps,
 * data sections with their symbols, then each code section with function
 * labels, jump-target labels, relocation symbols and helper names.  *text
 * is malloc'ed (NUL-terminated); *lines (optional, malloc'ed) gets one
 * entry per instruction.  Refuses undecodable instructions (-BK_E_*, with
 * the section and index in diag). */
int bk_disasm_obj(const struct bk_obj *obj, const struct bk_disasm_opts *opts, char **text,
		  struct bk_disasm_line **lines, size_t *nlines, struct bk_diag *diag);
/* The same for bare bytecode (cnt slots, one section named "raw"). */
int bk_disasm_raw(const struct bk_insn *insns, size_t cnt, const struct bk_disasm_opts *opts,
		  char **text, struct bk_disasm_line **lines, size_t *nlines, struct bk_diag *diag);

/* ---------------------------------------------------------------------
 * Verifier facts for code generation
 *
 * What a verifier proved about each instruction, for a code generator
 * (libjit) to emit less code.  Plain data: the producer (libverify) fills
 * one struct bk_insn_fact per instruction slot of the program it accepted;
 * the consumer reads it without knowing the producer.  A zeroed entry
 * claims nothing; the second slot of an ld_imm64 is ignored.  Every fact
 * holds on all paths that reach the instruction, before it executes
 * ("dst", "src": the instruction's dst and src registers; for calls, the
 * argument registers named below).
 * ------------------------------------------------------------------- */

enum {
	BK_FACT_DEAD = 1 << 0,		/* no path reaches the instruction */
	BK_FACT_DST_CONST = 1 << 1,	/* dst == dst_val (all 64 bits) */
	BK_FACT_SRC_CONST = 1 << 2,	/* src == src_val (all 64 bits) */
	BK_FACT_DST_ZEXT = 1 << 3,	/* dst's upper 32 bits are zero */
	BK_FACT_SRC_ZEXT = 1 << 4,	/* src's upper 32 bits are zero */
	BK_FACT_DIV_NONZERO = 1 << 5,	/* div/mod: the divisor is never 0 */
	BK_FACT_DIV_NO_OVF = 1 << 6,	/* sdiv/smod: never INT_MIN / -1 */
	BK_FACT_MEM_SAFE = 1 << 7,	/* load/store/atomic: in bounds (atomics: aligned) */
	BK_FACT_JMP_ALWAYS = 1 << 8,	/* conditional jump: always taken */
	BK_FACT_JMP_NEVER = 1 << 9,	/* conditional jump: never taken */
	BK_FACT_KEY_IN_RANGE = 1 << 10, /* map_lookup_elem: r1 an array map, key at r2 < max */
};

/* What a memory instruction's address register points to. */
enum bk_fact_ptr {
	BK_FACT_PTR_UNKNOWN = 0,
	BK_FACT_PTR_STACK,
	BK_FACT_PTR_CTX,
	BK_FACT_PTR_PACKET,    /* packet data or metadata */
	BK_FACT_PTR_MAP_VALUE, /* a map value (lookup result, direct value access) */
	BK_FACT_PTR_MEM,       /* memory a helper returned (ring buffer record, ...) */
};

struct bk_insn_fact {
	uint32_t flags; /* BK_FACT_* */
	uint8_t ptr;	/* enum bk_fact_ptr, memory instructions */
	uint8_t reserved[3];
	uint64_t dst_val; /* BK_FACT_DST_CONST */
	uint64_t src_val; /* BK_FACT_SRC_CONST */
};

#ifdef __cplusplus
}
#endif
#endif /* BK_UAPI_H */
