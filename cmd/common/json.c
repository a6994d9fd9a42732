// SPDX-License-Identifier: MIT
/* json.c - the streaming JSON writer; see json.h. */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "json.h"

void json_init(struct json_w *w, FILE *f, bool pretty)
{
	*w = (struct json_w){.f = f, .pretty = pretty};
}

void json_end(struct json_w *w)
{
	fputc('\n', w->f);
	fflush(w->f);
}

static void indent(struct json_w *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* Before any value or key: the comma and indentation it needs. */
static void pre_item(struct json_w *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (w->has_items[w->depth])
			fputc(',', w->f);
		w->has_items[w->depth] = true;
		indent(w);
	}
}

static void open(struct json_w *w, char c)
{
	pre_item(w);
	fputc(c, w->f);
	assert(w->depth + 1 < JSON_MAX_DEPTH);
	w->depth++;
	w->has_items[w->depth] = false;
}

static void close_(struct json_w *w, char c)
{
	bool had = w->has_items[w->depth];

	assert(w->depth > 0);
	w->depth--;
	if (had)
		indent(w);
	fputc(c, w->f);
}

void json_obj_begin(struct json_w *w)
{
	open(w, '{');
}

void json_obj_end(struct json_w *w)
{
	close_(w, '}');
}

void json_arr_begin(struct json_w *w)
{
	open(w, '[');
}

void json_arr_end(struct json_w *w)
{
	close_(w, ']');
}

static void put_escaped(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

void json_key(struct json_w *w, const char *key)
{
	pre_item(w);
	put_escaped(w->f, key, strlen(key));
	fputs(w->pretty ? ": " : ":", w->f);
	w->after_key = true;
}

void json_strn(struct json_w *w, const char *s, size_t n)
{
	pre_item(w);
	put_escaped(w->f, s, n);
}

void json_str(struct json_w *w, const char *s)
{
	if (!s) {
		json_null(w);
		return;
	}
	json_strn(w, s, strlen(s));
}

void json_int(struct json_w *w, long long v)
{
	pre_item(w);
	fprintf(w->f, "%lld", v);
}

void json_uint(struct json_w *w, unsigned long long v)
{
	pre_item(w);
	fprintf(w->f, "%llu", v);
}

void json_double(struct json_w *w, double v)
{
	pre_item(w);
	if (isfinite(v))
		fprintf(w->f, "%.17g", v);
	else
		fputs("null", w->f);
}

void json_bool(struct json_w *w, bool v)
{
	pre_item(w);
	fputs(v ? "true" : "false", w->f);
}

void json_null(struct json_w *w)
{
	pre_item(w);
	fputs("null", w->f);
}

void json_hex(struct json_w *w, const void *bytes, size_t n)
{
	const uint8_t *b = bytes;

	pre_item(w);
	fputc('"', w->f);
	for (size_t i = 0; i < n; i++)
		fprintf(w->f, i ? " %02x" : "%02x", b[i]);
	fputc('"', w->f);
}

void json_raw(struct json_w *w, const char *s, size_t n)
{
	pre_item(w);
	fwrite(s, 1, n, w->f);
}
