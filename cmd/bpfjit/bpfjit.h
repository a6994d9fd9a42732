/* SPDX-License-Identifier: MIT */
/*
 * bpfjit.h - what the bpfjit commands share: the parsed options and
 * loading a program (an ELF object or bare bytecode) into a runtime.
 */
#ifndef BK_BPFJIT_H
#define BK_BPFJIT_H

#include <stdbool.h>
#include <stdint.h>

#include "tool.h"
#include "vm.h"

#define BJ_MAX_UPDATES 64

struct bj_opts {
	const char *cmd;
	const char *path;    /* object or, with --raw, bytecode; "-": stdin */
	bool raw;	     /* path is bare bytecode */
	const char *section; /* -s */
	const char *type;    /* --type */
	const char *mem_hex, *mem_file, *packet_file, *pcap_file;
	uint64_t repeat;
	uint64_t budget;
	bool interp, jit, trusted, json, pretty, dump_maps, quiet;
	bool dump, harden;		     /* --dump, --harden (jit.c, dump.c) */
	bool verify;			     /* --verify (jit.c) */
	const char *updates[BJ_MAX_UPDATES]; /* --map-update MAP=KEY=VALUE */
	int nupdates;
	char **args; /* positional arguments after the command and path */
	int nargs;
};

/* A program loaded into a fresh runtime. */
struct bj_prog {
	struct bk_vm *vm;
	struct bk_obj *obj;   /* NULL for bytecode */
	struct bk_vm_obj *vo; /* NULL for bytecode */
	struct bk_vm_prog *prog;
	const char *name; /* for messages: file name */
	enum bk_prog_type type;
	struct bk_jit_prog **jits; /* native code of every program (jit.c); NULL: interpreter */
	size_t njits;
	struct bk_jit_prog *jit; /* the one of prog */
	bool verified;		 /* --verify: prog was verified and JITed with its facts */
	size_t plain_size;	 /* then: prog's native size without facts (0: unknown) */
};

/* Loads o->path as o->raw says; on failure fills diag and returns the
 * exit code (1 rejected, 2 I/O). */
int bj_load(const struct bj_opts *o, struct bj_prog *p, struct bk_diag *diag);
/* Loads bytecode from memory (the plugin). */
int bj_load_bytes(const void *buf, size_t len, enum bk_prog_type type, const char *name,
		  struct bj_prog *p, struct bk_diag *diag);
void bj_unload(struct bj_prog *p);

/* Applies --map-update MAP=KEY=VALUE (hex bytes) to the loaded maps. */
int bj_apply_updates(const struct bj_opts *o, struct bj_prog *p, struct bk_diag *diag);

/* Calls fn for each packet of a pcap file (Ethernet); stops at the first
 * non-zero return and returns it; I/O errors give TOOL_EXIT_USAGE. */
typedef int (*bj_packet_fn)(void *ctx, const uint8_t *data, size_t len);
int bj_pcap_each(const char *path, bj_packet_fn fn, void *ctx, struct bk_diag *d);

int bj_cmd_run(const struct bj_opts *o);
int bj_cmd_plugin(const struct bj_opts *o);

/* The JIT (jit.c): unless --interp, compiles every program of p in mode
 * (tail calls reach them all); bj_exec runs p's program in the engine
 * chosen; bj_jit_unload frees the native code (bj_unload calls it). */
struct bk_jit_prog;
int bj_jit_prepare(const struct bj_opts *o, struct bj_prog *p, uint8_t mode, struct bk_diag *d);
int bj_exec(struct bk_vm_run *run, struct bj_prog *p, uint64_t *r0, struct bk_diag *d);
void bj_jit_unload(struct bj_prog *p);
const char *bj_engine(const struct bj_prog *p); /* "jit" or "interp" */
int bj_cmd_dump(const struct bj_opts *o);	/* dump.c */
int bj_cmd_run_chain(const struct bj_opts *o);	/* jit_chain.c: run A.o B.o ... */

/* Reports a failure as --json or text asks; returns code. */
int bj_fail(const struct bj_opts *o, const struct bk_diag *d, int code);

#endif
