// SPDX-License-Identifier: MIT
/*
 * mapval_relaxed.c - the value syntax of mapctl's command line and text
 * output, read into a JSON tree (see mapval.h): JSON itself, plus member
 * names without quotes, '=' as well as ':' after them, bare words as
 * strings (enum names, nan, 10.0.0.1) and trailing commas, so that
 * `{packets=1, bytes=42}` as printed by `mapctl dump` can be typed back.
 * Nesting is limited; errors name the column.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonin.h"
#include "mapval.h"

#define RELAXED_MAX_DEPTH 64

static int rp_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An integer literal that fits in long long (decimal, 0x, 0o, 0b, '-'). */
static bool small_int(const char *s, long long *v)
{
	int64_t sv;
	uint64_t u;

	if (*s == '-') {
		if (tool_parse_s64(s, &sv))
			return false;
		*v = sv;
		return true;
	}
	if (tool_parse_u64(s, &u) || u > INT64_MAX)
		return false;
	*v = (long long)u;
	return true;
}

struct rp {
	const char *s, *p;
	struct bk_diag *d;
	int err;
};

static void rp_ws(struct rp *r)
{
	while (isspace((unsigned char)*r->p))
		r->p++;
}

static json_t *rp_fail(struct rp *r, const char *what)
{
	if (!r->err)
		bk_diag__set(r->d, EINVAL, -1, "%s at column %ld of '%s'", what,
			     (long)(r->p - r->s) + 1, r->s);
	r->err = -EINVAL;
	return NULL;
}

static void put_utf8(char *o, size_t *n, unsigned c)
{
	if (c < 0x80) {
		o[(*n)++] = (char)c;
	} else if (c < 0x800) {
		o[(*n)++] = (char)(0xc0 | c >> 6);
		o[(*n)++] = (char)(0x80 | (c & 0x3f));
	} else {
		o[(*n)++] = (char)(0xe0 | c >> 12);
		o[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[(*n)++] = (char)(0x80 | (c & 0x3f));
	}
}

static json_t *rp_string(struct rp *r)
{
	size_t cap = strlen(r->p) + 1, n = 0;
	char *o = malloc(cap * 3 + 1);
	json_t *j;

	if (!o)
		return rp_fail(r, "out of memory");
	r->p++;
	while (*r->p != '"') {
		char c = *r->p++;

		if (!c) {
			free(o);
			return rp_fail(r, "unterminated string");
		}
		if (c != '\\') {
			o[n++] = c;
			continue;
		}
		c = *r->p++;
		switch (c) {
		case 'n':
			o[n++] = '\n';
			break;
		case 't':
			o[n++] = '\t';
			break;
		case 'r':
			o[n++] = '\r';
			break;
		case 'b':
			o[n++] = '\b';
			break;
		case 'f':
			o[n++] = '\f';
			break;
		case '"':
		case '\\':
		case '/':
			o[n++] = c;
			break;
		case 'u': {
			unsigned v = 0;

			for (int i = 0; i < 4; i++) {
				int h = rp_hex_digit((unsigned char)*r->p);

				if (h < 0) {
					free(o);
					return rp_fail(r, "bad \\u escape");
				}
				v = v << 4 | (unsigned)h;
				r->p++;
			}
			if (!v) {
				free(o);
				return rp_fail(r, "\\u0000 in a string");
			}
			put_utf8(o, &n, v);
			break;
		}
		default:
			free(o);
			return rp_fail(r, "bad escape in string");
		}
	}
	r->p++;
	o[n] = '\0';
	j = json_stringn(o, n);
	free(o);
	return j ? j : rp_fail(r, "string is not valid UTF-8");
}

/* A number or a word: integers become JSON integers when they fit in
 * long long, everything else a string for the typed parser to judge. */
static json_t *rp_word(struct rp *r)
{
	const char *b = r->p;
	char tmp[128];
	size_t n;
	long long iv;
	char *end;
	json_t *j;
	double dv;

	while (isalnum((unsigned char)*r->p) || (*r->p && strchr("_.+-", *r->p)))
		r->p++;
	n = (size_t)(r->p - b);
	if (!n)
		return rp_fail(r, "expected a value");
	if (n >= sizeof(tmp))
		return rp_fail(r, "word too long");
	memcpy(tmp, b, n);
	tmp[n] = '\0';
	if (!strcmp(tmp, "true") || !strcmp(tmp, "false"))
		return json_boolean(tmp[0] == 't');
	if (!strcmp(tmp, "null"))
		return json_null();
	if (small_int(tmp, &iv))
		return json_integer(iv);
	if (isdigit((unsigned char)tmp[0]) && strspn(tmp, "0123456789") == n)
		return json_string(tmp); /* too big for JSON's integers here */
	if (isdigit((unsigned char)tmp[0]) || ((tmp[0] == '-' || tmp[0] == '.') && n > 1)) {
		dv = strtod(tmp, &end);
		if (!*end && isfinite(dv) && strncmp(tmp, "0x", 2) && strncmp(tmp, "0X", 2))
			return json_real(dv);
	}
	j = json_string(tmp);
	return j ? j : rp_fail(r, "not valid UTF-8");
}

static json_t *rp_value(struct rp *r, int depth);

static json_t *rp_object(struct rp *r, int depth)
{
	json_t *o = json_object();

	r->p++;
	for (;;) {
		json_t *k, *v;

		rp_ws(r);
		if (*r->p == '}')
			break;
		k = *r->p == '"' ? rp_string(r) : rp_word(r);
		if (!k || !json_is_string(k)) {
			json_decref(k);
			json_decref(o);
			return rp_fail(r, "expected a member name");
		}
		rp_ws(r);
		if (*r->p != '=' && *r->p != ':') {
			json_decref(k);
			json_decref(o);
			return rp_fail(r, "expected '=' or ':' after a member name");
		}
		r->p++;
		v = rp_value(r, depth + 1);
		if (!v) {
			json_decref(k);
			json_decref(o);
			return NULL;
		}
		json_object_set_new(o, json_string_value(k), v);
		json_decref(k);
		rp_ws(r);
		if (*r->p == ',')
			r->p++;
		else if (*r->p != '}') {
			json_decref(o);
			return rp_fail(r, "expected ',' or '}'");
		}
	}
	r->p++;
	return o;
}

static json_t *rp_array(struct rp *r, int depth)
{
	json_t *a = json_array();

	r->p++;
	for (;;) {
		json_t *v;

		rp_ws(r);
		if (*r->p == ']')
			break;
		v = rp_value(r, depth + 1);
		if (!v) {
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, v);
		rp_ws(r);
		if (*r->p == ',')
			r->p++;
		else if (*r->p != ']') {
			json_decref(a);
			return rp_fail(r, "expected ',' or ']'");
		}
	}
	r->p++;
	return a;
}

static json_t *rp_value(struct rp *r, int depth)
{
	if (depth > RELAXED_MAX_DEPTH)
		return rp_fail(r, "nested too deeply");
	rp_ws(r);
	switch (*r->p) {
	case '{':
		return rp_object(r, depth);
	case '[':
		return rp_array(r, depth);
	case '"':
		return rp_string(r);
	default:
		return rp_word(r);
	}
}

json_t *mv_relaxed_parse(const char *s, struct bk_diag *d)
{
	struct rp r = {.s = s, .p = s, .d = d};
	json_t *j = rp_value(&r, 0);

	if (!j)
		return NULL;
	rp_ws(&r);
	if (*r.p) {
		json_decref(j);
		return rp_fail(&r, "unexpected text after the value");
	}
	return j;
}
