/* SPDX-License-Identifier: MIT */
/*
 * bpfas.h - what the parts of bpfas share: the options and the two modes.
 */
#ifndef BK_BPFAS_H
#define BK_BPFAS_H

#include <stdbool.h>

#include "tool.h"

struct as_opts {
	const char *in;	     /* input path, "-" for stdin */
	const char *out;     /* output path, "-" for stdout; NULL: the default */
	const char *section; /* -s */
	bool disasm;	     /* -d */
	bool raw;	     /* --raw */
	bool json, pretty;
	bool labels;
	bool numeric_helpers;
	int syntax; /* enum bk_syntax */
};

/* Both return an exit code (TOOL_EXIT_*) and print their own errors. */
int as_assemble(const struct as_opts *o);
int as_disassemble(const struct as_opts *o);

/* Reports d (text on stderr, or the --json error document) and returns code. */
int as_fail(const struct as_opts *o, int code, const struct bk_diag *d, const char *src,
	    size_t len);
/* Same for a message without a diag. */
int as_failf(const struct as_opts *o, int code, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Bare bytecode from a file's bytes: binary, hex text (64-bit words
 * "0x...18" or bytes "b7 00 ..."), or a conformance file's "-- raw"
 * section.  *insns is malloc'ed. */
int as_read_raw(const struct as_opts *o, const char *buf, size_t len, struct bk_insn **insns,
		size_t *cnt);

#endif
