/* SPDX-License-Identifier: MIT */
/*
 * obj_int.h - the inside of struct bk_obj, shared by the ELF reader
 * (elf_read.c), the map and BTF parsers (btf_maps.c, btf_ext.c), the
 * builder (obj_build.c), the linker (obj_link.c) and the writer
 * (elf_write.c, btf_write.c).
 *
 * One model serves both directions: code sections with their function
 * symbols and relocations, data sections, maps.  Every relocation is
 * resolved into a struct bk_rtarget before linking, by the reader from ELF
 * symbols and by the builder from names, so linking and writing do not care
 * where an object came from.  All strings and fixed arrays live in the
 * object's arena and die with it.
 */
#ifndef BK_OBJ_INT_H
#define BK_OBJ_INT_H

#include <stdarg.h>

#include "uapi.h"

/* Where a relocation points once resolved. */
struct bk_rtarget {
	uint8_t kind;	 /* enum bk_reloc_kind */
	int32_t idx;	 /* MAP/MAP_VALUE/KCONFIG: map index; CALL/FUNC: code section */
	uint32_t off;	 /* MAP_VALUE/KCONFIG: value offset; CALL/FUNC: target insn */
	const char *sym; /* KFUNC/KSYM/KCONFIG: extern name */
};

/* A function of a code section: [start, end) instruction indices. */
struct bk_fn {
	uint32_t start, end;
	const char *name;
	uint32_t btf_id; /* from .BTF.ext func info, 0: none */
	bool global;
	bool entry; /* a program of its own */
};

struct bk_finfo {
	uint32_t insn, btf_id;
};

/* A CO-RE relocation record of .BTF.ext (insn relative to its section or,
 * in a bk_prog, to the linked program). */
struct bk_core_relo {
	uint32_t insn;
	uint32_t type_id;    /* the local root type in the object's BTF */
	uint32_t access_off; /* "0:1:2" access string, BTF string offset */
	uint32_t kind;	     /* BPF_CORE_FIELD_BYTE_OFFSET, ... */
};

struct bk_csec {
	struct bk_sec pub; /* pub.insns points at insns */
	struct bk_insn *insns;
	uint32_t shndx; /* ELF section index (reader), 0 when built */
	struct bk_sym *syms;
	size_t syms_cap;
	struct bk_sec_reloc *relocs; /* sorted by insn after finish */
	struct bk_rtarget *tgts;     /* parallel to relocs */
	size_t relocs_cap;
	struct bk_fn *fns; /* by start, covering every call target */
	size_t nfns;
	struct bk_line *lines; /* section-relative insn, sorted */
	size_t nlines, lines_cap;
	struct bk_finfo *finfo; /* .BTF.ext func info, section-relative */
	size_t nfinfo;
	struct bk_core_relo *cores; /* .BTF.ext CO-RE relocations */
	size_t ncores, cores_cap;
};

enum bk_dsec_kind {
	BK_DSEC_DATA,	/* .data*, .rodata*, .bss*: an array map of one value */
	BK_DSEC_MAPS,	/* .maps */
	BK_DSEC_LEGACY, /* maps (struct bpf_map_def) */
};

struct bk_dsec {
	struct bk_data_sec pub;
	uint8_t kind; /* enum bk_dsec_kind */
	uint32_t shndx;
	int map; /* BK_DSEC_DATA: its map, -1 when none (empty) */
	struct bk_sym *syms;
	size_t syms_cap;
};

struct bk_omap {
	struct bk_map_def pub;
	int dsec;	 /* section it lives in, -1 when none (.kconfig, inner) */
	uint32_t off;	 /* byte offset in that section */
	uint32_t size;	 /* bytes in that section */
	uint32_t btf_id; /* reader: the map's VAR; writer: its struct */
};

struct bk_prog {
	struct bk_obj *obj;
	int sec; /* code section */
	int fn;	 /* entry function in it */
	uint32_t type, attach;
	struct bk_insn *insns;
	size_t ninsns;
	struct bk_reloc *relocs;
	size_t nrelocs;
	struct bk_func *funcs;
	size_t nfuncs;
	struct bk_line *lines;
	size_t nlines;
	struct bk_core_relo *cores; /* by insn */
	size_t ncores;
};

struct bk_arena;

struct bk_obj {
	const char *name;
	const char *license;
	uint32_t kversion;
	bool built;    /* made by bk_obj__new, not read */
	bool finished; /* linked; accessors valid */
	struct btf *btf;
	struct btf_ext *btf_ext;
	struct bk_arena *arena;

	struct bk_csec *secs;
	size_t nsecs, secs_cap;
	struct bk_dsec *dsecs;
	size_t ndsecs, dsecs_cap;
	struct bk_omap *maps;
	size_t nmaps, maps_cap;
	struct bk_prog *progs;
	size_t nprogs;
	int kconfig_map; /* the .kconfig map of extern variables, -1: none */

	struct bk_diag *diag; /* of the running open/finish, may be NULL */
};

/* Arena memory of obj: zeroed, never NULL-checked by callers (they check). */
void *bk_obj_alloc(struct bk_obj *obj, size_t size);
char *bk_obj_strdup(struct bk_obj *obj, const char *s);
char *bk_obj_strndup(struct bk_obj *obj, const char *s, size_t n);
/* Grows *arr (elements of size esz) to hold at least n; 0 or -ENOMEM. */
int bk_grow(void *arr, size_t *cap, size_t n, size_t esz);

/* Records an error on obj->diag with the object name as file; returns -code. */
int bk_obj_err(struct bk_obj *obj, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct bk_obj *bk_obj_alloc_new(const char *name);
int bk_obj_add_csec(struct bk_obj *obj, const char *name, const void *insns, size_t cnt);
int bk_obj_add_dsec(struct bk_obj *obj, const char *name, uint8_t kind, const void *bytes,
		    size_t size);
int bk_obj_add_map(struct bk_obj *obj, const struct bk_map_def *def);
int bk_obj_find_dsec(const struct bk_obj *obj, const char *name);

/* libbpf's name for a global data map of section sec ("prefix.bss"). */
void bk_data_map_name(const char *obj_name, const char *sec, char out[16]);

/* btf_check.c */
int bk_btf_precheck(struct bk_obj *obj, const void *data, size_t size);
int bk_btf_check(struct bk_obj *obj);

/* btf_maps.c */
int bk_btf_maps(struct bk_obj *obj, int dsec);
int bk_legacy_maps(struct bk_obj *obj, int dsec);
int bk_data_maps(struct bk_obj *obj);
int bk_kconfig_extern(struct bk_obj *obj, const char *name, int *map, uint32_t *off);
bool bk_btf_is_kconfig(const struct bk_obj *obj, const char *name);
const struct btf_type *bk_btf_skip_mods(const struct btf *btf, uint32_t id, uint32_t *out_id);

/* btf_ext.c */
int bk_btf_ext_parse(struct bk_obj *obj, const void *data, size_t size);

/* obj_link.c: splits sections into functions, finds programs, links. */
int bk_obj_link(struct bk_obj *obj);
/* Finds the reloc of sec at insn, or -1. */
int bk_csec_reloc_at(const struct bk_csec *s, uint32_t insn);

/* btf_write.c: builds the BTF of a built object's maps and data. */
int bk_btf_build(struct bk_obj *obj, struct btf **out);

#endif
