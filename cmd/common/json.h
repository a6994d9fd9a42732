/* SPDX-License-Identifier: MIT */
/*
 * json.h - a streaming JSON writer for the tools' --json output.
 *
 * Writes as it goes (a million-entry map dump never sits in memory), puts
 * the commas itself, escapes strings, and refuses nothing: nesting deeper
 * than JSON_MAX_DEPTH is a programming error caught by an assert.
 *
 *   json_obj_begin(w); json_kv_str(w, "name", "xdp_filter");
 *   json_key(w, "insns"); json_arr_begin(w); json_int(w, 3); json_arr_end(w);
 *   json_obj_end(w); json_end(w);
 */
#ifndef BK_JSON_H
#define BK_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 64

struct json_w {
	FILE *f;
	int depth;
	bool pretty;
	bool after_key;
	bool has_items[JSON_MAX_DEPTH];
};

void json_init(struct json_w *w, FILE *f, bool pretty);
/* Ends the document with a newline and flushes. */
void json_end(struct json_w *w);

void json_obj_begin(struct json_w *w);
void json_obj_end(struct json_w *w);
void json_arr_begin(struct json_w *w);
void json_arr_end(struct json_w *w);
void json_key(struct json_w *w, const char *key);

void json_str(struct json_w *w, const char *s); /* NULL writes null */
void json_strn(struct json_w *w, const char *s, size_t n);
void json_int(struct json_w *w, long long v);
void json_uint(struct json_w *w, unsigned long long v);
void json_double(struct json_w *w, double v);
void json_bool(struct json_w *w, bool v);
void json_null(struct json_w *w);
/* Bytes as a string of space-separated hex pairs: "0a ff 00". */
void json_hex(struct json_w *w, const void *bytes, size_t n);
/* A value the caller already wrote as JSON text (s[0..n)), e.g. rendered
 * into a buffer for speed; the writer adds only the comma and indentation. */
void json_raw(struct json_w *w, const char *s, size_t n);

static inline void json_kv_str(struct json_w *w, const char *k, const char *v)
{
	json_key(w, k);
	json_str(w, v);
}

static inline void json_kv_int(struct json_w *w, const char *k, long long v)
{
	json_key(w, k);
	json_int(w, v);
}

static inline void json_kv_uint(struct json_w *w, const char *k, unsigned long long v)
{
	json_key(w, k);
	json_uint(w, v);
}

static inline void json_kv_bool(struct json_w *w, const char *k, bool v)
{
	json_key(w, k);
	json_bool(w, v);
}

static inline void json_kv_double(struct json_w *w, const char *k, double v)
{
	json_key(w, k);
	json_double(w, v);
}

#endif
