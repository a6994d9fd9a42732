/* SPDX-License-Identifier: MIT */
/*
 * tool.h - what the five binaries share: exit codes, reading and writing
 * files where "-" is stdin/stdout, printing a bk_diag the way compilers do,
 * parsing numbers and hex bytes, and the --json error document.
 */
#ifndef BK_TOOL_H
#define BK_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "uapi.h"

/* Exit codes of every tool (DESIGN.md). */
enum {
	TOOL_EXIT_OK = 0,     /* success */
	TOOL_EXIT_REJECT = 1, /* input rejected or a check failed */
	TOOL_EXIT_USAGE = 2,  /* usage or I/O error */
};

/* Reads all of path ("-": stdin) into a malloc'ed buffer with a NUL after
 * the last byte.  Returns 0 or -errno; refuses files over max bytes with
 * -EFBIG (max 0: 1 GiB). */
int tool_read_file(const char *path, size_t max, char **buf, size_t *len);
/* Writes buf to path ("-": stdout), via a temporary file and rename for
 * regular files so a failed write leaves no half file.  0 or -errno. */
int tool_write_file(const char *path, const void *buf, size_t len);

/* Prints d to f as "file:line:col: error: msg", then the source line and a
 * caret when src (the whole input text) is given and d has a line; or as
 * "file:insn N: error: msg" for object diagnostics.  prog prefixes it when
 * d has no file. */
void tool_print_diag(FILE *f, const char *prog, const struct bk_diag *d, const char *src,
		     size_t src_len);
/* Writes the one JSON document of a failed --json run:
 * {"error":{"code":"BK_E_..","errno":N,"message":..,"file":..,"line":..,"col":..,"insn":..}} */
void tool_json_error(FILE *f, const struct bk_diag *d);
/* The "error" object alone, for embedding in a larger document. */
void tool_json_diag(struct json_w *w, const struct bk_diag *d);

/* Parses a decimal, 0x hex, 0o/0 octal or 0b binary unsigned integer;
 * a leading '-' is allowed when neg_ok.  0 or -EINVAL/-ERANGE. */
int tool_parse_u64(const char *s, uint64_t *out);
int tool_parse_s64(const char *s, int64_t *out);
/* Parses hex bytes: "0a ff 00", "0aff00", "0x0aff00", with spaces, commas,
 * or colons between pairs.  *out is malloc'ed.  0 or -EINVAL. */
int tool_parse_hex(const char *s, uint8_t **out, size_t *len);

/* Monotonic time in nanoseconds. */
uint64_t tool_now_ns(void);

/* Prints "prog: " and a printf-style message and a newline to stderr. */
void tool_err(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
