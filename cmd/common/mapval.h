/* SPDX-License-Identifier: MIT */
/*
 * mapval.h - keys and values of BPF maps as people and scripts write them:
 * hex bytes, integers, IPv4 addresses, and values typed by the map's BTF
 * (ints, enums, structs, unions, arrays, char strings, floats, datasecs).
 *
 * Formatting walks the bytes once and writes either text
 * ("{packets=1, bytes=42}") or JSON text into a growable buffer; both come
 * out of the same walker, so what the text shows and what JSON shows never
 * drift apart.  Parsing accepts what formatting
 * writes (the text form on command lines, the JSON form from files), so a
 * dump round-trips through `mapctl load`.
 *
 * Input rules for one key or value of `size` bytes (mv_parse_text):
 *   "0a 00 00 01", "0a:00:00:01"  hex bytes (separated pairs), exactly size
 *   "hex:0a000001"                hex bytes, no separators needed
 *   "10.0.0.1"                    IPv4 address, network order (size 4)
 *   "42", "-1", "0x2a"            integer of the whole size (1/2/4/8 bytes),
 *                                 little-endian as the map stores it
 *   "{packets=1, bytes=2}", "[1, 2]", "\"abc\"", NAME, 1.5
 *                                 typed through BTF (JSON syntax works too)
 * Errors are negative errno values with a message in the bk_diag:
 *   -EINVAL does not parse, -ERANGE does not fit, -EMSGSIZE wrong number of
 *   bytes, -ENOENT unknown member or enum name, -ENOTSUP needs BTF.
 */
#ifndef BK_MAPVAL_H
#define BK_MAPVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi.h"

struct btf;
struct json_w; /* json.h */
struct json_t; /* jansson; files that use both include jsonin.h first */

enum {
	MV_HEX = 1 << 0,  /* show hex bytes even when there is BTF */
	MV_IPV4 = 1 << 1, /* show 4-byte data as a dotted quad */
};

/* How one key or value is shown and parsed. */
struct mv_type {
	const struct btf *btf; /* NULL: no BTF (hex and integers only) */
	uint32_t id;	       /* BTF type id, 0: none */
	uint32_t size;	       /* bytes */
	unsigned flags;	       /* MV_* */
};

/* Sets t up for size bytes typed by btf type id (btf may be NULL, id 0).
 * BTF whose type does not have exactly size bytes is ignored, so a wrong or
 * stale type never decides how bytes are read.  Returns true when the BTF
 * type is used. */
bool mv_type_init(struct mv_type *t, const struct btf *btf, uint32_t id, uint32_t size,
		  unsigned flags);

/* True when t shows as plain hex pairs (no BTF, or MV_HEX; not 1 byte,
 * which the text form shows as 0x41 since "41" would read as 41). */
bool mv_type_is_hex(const struct mv_type *t);

/* A growable text buffer; on allocation failure it stops growing and sets
 * oom (callers check once at the end). */
struct mv_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

void mv_buf_free(struct mv_buf *b);
/* The slow half of mv_buf_reserve. */
bool mv_buf_grow(struct mv_buf *b, size_t n);
void mv_buf_puts(struct mv_buf *b, const char *s);

/* Makes room for n more bytes; false (and oom) when it cannot. */
static inline bool mv_buf_reserve(struct mv_buf *b, size_t n)
{
	return (b->cap - b->len >= n && !b->oom) || mv_buf_grow(b, n);
}

static inline void mv_buf_putn(struct mv_buf *b, const char *s, size_t n)
{
	if (!mv_buf_reserve(b, n))
		return;
	for (size_t i = 0; i < n; i++)
		b->p[b->len + i] = s[i];
	b->len += n;
}

static inline void mv_buf_putc(struct mv_buf *b, char c)
{
	if (mv_buf_reserve(b, 1))
		b->p[b->len++] = c;
}
void mv_buf_printf(struct mv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "0a 00 ff": n bytes as separated hex pairs. */
void mv_buf_hex(struct mv_buf *b, const void *data, size_t n);
/* Writes the 3n-1 characters of "0a 00 ff" at out (no NUL) and returns
 * their end; it may write one scratch byte more, so out needs 3n bytes.
 * For callers that reserved room already. */
char *mv_hex(char *restrict out, const void *restrict data, size_t n);
void mv_buf_u64(struct mv_buf *b, uint64_t v);
void mv_buf_s64(struct mv_buf *b, int64_t v);

/* Where formatting goes: the text form or JSON text, into a buffer (JSON
 * reaches a json_w through json_raw, in one piece per value). */
struct mv_out {
	struct mv_buf *buf;
	bool json;
	int depth;
	bool after_key;
	bool first[16];
};

void mv_out_text(struct mv_out *o, struct mv_buf *b);
void mv_out_json(struct mv_out *o, struct mv_buf *b);

/* Formats t->size bytes at data. */
void mv_format(struct mv_out *o, const struct mv_type *t, const void *data);
/* Formats them as one JSON value of w. */
void mv_format_json(struct json_w *w, const struct mv_type *t, const void *data);

/* Parses text (rules above) into t->size bytes at out; what names it in
 * messages ("key", "value"). */
int mv_parse_text(const struct mv_type *t, const char *s, void *out, const char *what,
		  struct bk_diag *d);
/* Parses a JSON value (as mv_format writes it, or a string in the text
 * rules) into t->size bytes at out.  what names it in messages ("key"). */
int mv_parse_json(const struct mv_type *t, const struct json_t *j, void *out, const char *what,
		  struct bk_diag *d);
/* Parses the relaxed value syntax of the text form (JSON, plus bare member
 * names, '=' after names, bare identifiers as strings, trailing commas) into
 * a JSON tree; NULL with a message on error. */
struct json_t *mv_relaxed_parse(const char *s, struct bk_diag *d);

#endif
