/* SPDX-License-Identifier: MIT */
/*
 * asm_int.h - the assembler's internal state, shared by asm*.c.
 *
 * Assembly is two passes over an in-memory unit (struct asm_unit): the
 * first reads each line into instructions, data bytes, symbols and maps,
 * leaving jump targets and symbol references by name; the second resolves
 * them (asm.c) into offsets or relocations.  The unit is then either turned
 * into a struct bk_obj (asm_obj.c) or flattened to raw bytecode.
 *
 * Every string in the unit lives in its arena and is freed with it.  The
 * first error stops the run: it is recorded in the caller's bk_diag with
 * line and column, and every function returns its negative code.
 */
#ifndef BK_ASM_INT_H
#define BK_ASM_INT_H

#include "uapi.h"

/* ---- arena ------------------------------------------------------------ */

struct asm_arena;
void *asm_alloc(struct asm_arena **a, size_t n); /* zeroed; NULL when out of memory */
char *asm_strndup(struct asm_arena **a, const char *s, size_t n);
void asm_arena_free(struct asm_arena *a);

/* ---- tokens ------------------------------------------------------------ */

enum asm_tok_kind {
	TK_END = 0, /* end of the statement */
	TK_IDENT,   /* r1, %r1, mov, .section, bpf_map_lookup_elem, .L3 */
	TK_NUM,	    /* 12, 0x1f, 0b101, 0o17 (no sign) */
	TK_STR,	    /* "text" (raw, with quotes; decode with asm_tok_string) */
	TK_PUNCT,   /* operators and punctuation: "+=", "s>>=", "(", ... */
};

struct asm_tok {
	uint8_t kind;  /* enum asm_tok_kind */
	bool hex;      /* TK_NUM written in hex, binary or octal */
	bool overflow; /* TK_NUM does not fit 64 bits */
	uint16_t len;  /* bytes of s */
	uint32_t col;  /* 1-based column of the first byte */
	const char *s; /* into the source text */
	uint64_t num;  /* TK_NUM value */
};

#define ASM_MAX_TOKS 48
#define ASM_MAX_DATA (16u << 20) /* bytes per data section */

/* ---- the unit ------------------------------------------------------------ */

/* How the second pass completes an instruction. */
enum asm_fix {
	FIX_NONE = 0,
	FIX_JMP,     /* off = target - (pc + 1) */
	FIX_JMP_IMM, /* imm = target - (pc + 1) (gotol) */
	FIX_CALL,    /* call NAME: local pc-relative, or a relocation */
	FIX_LDDW,    /* ld_imm64 of NAME + addend: a relocation */
	FIX_FUNC,    /* ld_imm64 func[label]: imm = target - (pc + 1), no relocation */
};

struct asm_insn {
	struct bk_dinsn d;
	uint32_t line, col; /* the statement */
	uint32_t pc;	    /* slot index in its section */
	uint8_t fix;	    /* enum asm_fix */
	bool want_map;	    /* written map[NAME]: NAME must be a map */
	uint32_t tcol;	    /* column of the target operand */
	const char *target; /* label or symbol name, NULL when none */
	int64_t addend;	    /* FIX_LDDW: bytes added to the symbol */
};

struct asm_sec {
	const char *name;
	bool code; /* instructions; else data bytes */
	bool bss;  /* data without contents (.bss): only .zero/.space */
	struct asm_insn *insns;
	size_t ninsns, icap;
	uint32_t nslots; /* 8-byte slots so far */
	uint8_t *bytes;
	size_t size, bcap;
	uint32_t line; /* first mention */
};

struct asm_sym {
	const char *name;
	int sec;       /* defining section, -1: not (yet) defined */
	uint32_t off;  /* bytes into the section */
	uint32_t size; /* .size, or computed for functions */
	bool global, func, object, is_extern, kconfig, has_size;
	int map;	    /* index in maps when the name is a map, else -1 */
	uint32_t line, col; /* definition, or first mention */
};

struct asm_unit {
	struct asm_arena *arena;
	struct asm_sec *secs;
	size_t nsecs, seccap;
	struct asm_sym *syms;
	size_t nsyms, symcap;
	int *hash; /* open addressing over syms, -1 empty */
	size_t hcap;
	struct bk_map_def *maps; /* names borrowed from the arena */
	uint32_t *map_line;
	size_t nmaps, mapcap;
	const char *license;
	uint32_t kversion;
	bool has_kversion;
};

/* One run of the assembler. */
struct asm_state {
	struct asm_unit u;
	const char *src, *end; /* whole input */
	const char *lstart;    /* start of the current line (columns count from it) */
	const char *file;
	const char *default_section;
	struct bk_diag *diag;
	int cur;       /* current section, -1: none yet */
	uint32_t line; /* current line, 1-based */
	struct asm_tok toks[ASM_MAX_TOKS + 1];
	int ntoks, pos;		/* tokens of the current statement, next one */
	int kernel_opc;		/* "(b7)" prefix of the statement, -1: none */
	bool ubpf_exit_label;	/* the implicit "exit" label was defined */
	uint32_t first_exit_pc; /* pc of the first exit of the first code section */
	int first_exit_sec;
};

/* ---- asm_lex.c --------------------------------------------------------- */

/* Splits [p, e) into tokens of st; reports bad characters. */
int asm_tokenize(struct asm_state *st, const char *p, const char *e);
/* Errors at a column (0: the statement's first token) of the current line. */
int asm_err(struct asm_state *st, int code, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
const struct asm_tok *asm_peek(struct asm_state *st, int ahead);
const struct asm_tok *asm_next(struct asm_state *st);
bool asm_tok_is(const struct asm_tok *t, const char *s); /* punct or ident text */
bool asm_accept(struct asm_state *st, const char *s);
int asm_expect(struct asm_state *st, const char *s, const char *what);
/* Column where the statement continues (for "expected ..." at the end). */
uint32_t asm_col(struct asm_state *st);
/* Requires the end of the statement. */
int asm_expect_end(struct asm_state *st);

/* Decodes a TK_STR into an arena string; *n gets its length. */
int asm_tok_string(struct asm_state *st, const struct asm_tok *t, char **out, size_t *n);

/* Register operand: r0-r10, w0-w10, %r0-%r10 (and %w).  *is32 tells w. */
int asm_reg(struct asm_state *st, uint8_t *reg, bool *is32);
/* True when t looks like a register (r<digits>, w<digits>, %...). */
bool asm_tok_is_reg(const struct asm_tok *t);

enum asm_imm_kind {
	IMM32, /* decimal -2^31..2^31-1; hex 0..0xffffffff or -0x80000000..-1 */
	OFF16, /* -32768..32767 */
	IMM64, /* decimal -2^63..2^64-1; hex up to 0xffffffffffffffff */
};
/* A signed number ('+'/'-' then a TK_NUM).  Reports out of range values. */
int asm_imm(struct asm_state *st, enum asm_imm_kind kind, int64_t *out);
/* True when the next tokens start a number (digit, or sign then digit). */
bool asm_at_num(struct asm_state *st);

/* ---- asm.c: the unit ----------------------------------------------------- */

struct asm_sym *asm_sym_get(struct asm_state *st, const char *name, size_t len, bool create);
int asm_switch_section(struct asm_state *st, const char *name, size_t len, uint32_t col);
/* Appends an instruction to the current code section (creating the default
 * section when none is open).  *out points at it (valid until the next add). */
int asm_add_insn(struct asm_state *st, const struct bk_dinsn *d, uint32_t col,
		 struct asm_insn **out);
int asm_add_bytes(struct asm_state *st, const void *b, size_t n, uint32_t col);
int asm_add_map(struct asm_state *st, const struct bk_map_def *def, uint32_t col);

/* Finds the op of format fmt and class cls whose column llvm (or ubpf) is
 * name; -1 when none.  cls < 0 matches any class. */
int asm_find_op(const char *name, size_t len, bool ubpf, int fmt, int cls);
/* Row lookup by (opcode, discriminator) as the encoder sees it. */
int asm_op_by_code(uint8_t opcode, int32_t dval);

/* ---- statement parsers ---------------------------------------------------- */

/* LLVM and kernel-log statements; returns 1 when the statement is not in
 * that form (so the caller tries another), 0 when assembled, <0 on error. */
int asm_stmt_llvm(struct asm_state *st);
/* ubpf/conformance statements (same return convention). */
int asm_stmt_ubpf(struct asm_state *st);
/* Directives (the statement starts with a '.' identifier). */
int asm_directive(struct asm_state *st);

/* An instruction parsed but not yet added, with its fix-up. */
struct asm_pend {
	struct bk_dinsn d;
	uint8_t fix; /* enum asm_fix */
	bool want_map;
	uint32_t tcol;
	const char *target;
	int64_t addend;
};

/* Shared operand parsers (asm_llvm.c). */
int asm_emit(struct asm_state *st, const struct asm_pend *p, uint32_t col);
/* "+3", "-3", "pc+3", "+0x3 <sym+0x18>" or a label, into off (imm_field: imm). */
int asm_jump_target(struct asm_state *st, struct asm_pend *p, bool imm_field);
/* "r2 + 8", "%r10-8", "r10 -4": a register and a 16-bit offset. */
int asm_reg_off(struct asm_state *st, uint8_t *reg, int16_t *off);
/* After "call": helper number or name, pc+N, local LABEL, kfunc N, a register. */
int asm_call_operand(struct asm_state *st, uint32_t col);
/* After "rD =" / "lddw rD,": a 64-bit value, symbol[+off], map[...], func[...],
 * btf_id[...], with an optional "ll". */
int asm_lddw_operand(struct asm_state *st, uint8_t dst, uint32_t col, bool need_ll);
/* goto / gotol / may_goto / ja / ja32 TARGET. */
int asm_jump_stmt(struct asm_state *st, int op);

/* ---- asm_obj.c ------------------------------------------------------------- */

int asm_unit_to_obj(struct asm_state *st, struct bk_obj **out);

/* ---- helper names (until the helper table is in) ---------------------------- */

const char *asm_helper_name(uint32_t id);
int asm_helper_id(const char *name, size_t len); /* -1 when unknown */
bool asm_kfunc_known(const char *name);
/* "hash" for BPF_MAP_TYPE_HASH; NULL when unknown (asm_dir.c). */

#endif
