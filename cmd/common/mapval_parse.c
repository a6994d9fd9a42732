// SPDX-License-Identifier: MIT
/*
 * mapval_parse.c - parsing map keys and values (see mapval.h for the rules).
 *
 * Text goes through the same steps as a JSON value once it is not hex
 * bytes, an IPv4 address or a plain integer: the relaxed parser turns it into
 * a JSON tree, and parse_type() writes the tree into bytes following the
 * BTF type.  Output bytes start zeroed, so members a value leaves out are 0.
 * Nothing is written to a map here; callers parse everything first.
 */
#include <bpf/btf.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonin.h"
#include "mapval.h"

#define MV_MAX_DEPTH 12

/* ---- plain forms: hex bytes, IPv4, integers --------------------------- */

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',' || c == ':';
}

/* Counts the pairs of "0a 00:ff" (pairs of hex digits between separators);
 * -1 when s is not of that form.  *seps says whether a separator was seen. */
static long sep_hex_pairs(const char *s, bool *seps)
{
	long n = 0;

	*seps = false;
	while (*s) {
		if (is_sep(*s)) {
			*seps = true;
			s++;
			continue;
		}
		if (hex_digit((unsigned char)s[0]) < 0 || hex_digit((unsigned char)s[1]) < 0)
			return -1;
		if (s[2] && !is_sep(s[2]))
			return -1;
		s += 2;
		n++;
	}
	return n;
}

static int put_hex(const char *s, uint8_t *out, uint32_t size, struct bk_diag *d, const char *what)
{
	uint8_t *b;
	size_t n;
	int err = tool_parse_hex(s, &b, &n);

	if (err)
		return bk_diag__set(d, EINVAL, -1, "%s: '%s' is not hex bytes", what, s);
	if (n != size) {
		free(b);
		return bk_diag__set(d, EMSGSIZE, -1, "%s: %zu hex bytes given, the map needs %u",
				    what, n, size);
	}
	memcpy(out, b, n);
	free(b);
	return 0;
}

/* "10.0.0.1" into 4 bytes in network order; false when s is not that. */
static bool parse_ipv4(const char *s, uint8_t out[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;

		while (isdigit((unsigned char)*s) && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (!digits || digits > 3 || v > 255)
			return false;
		out[i] = (uint8_t)v;
		if (i < 3 && *s++ != '.')
			return false;
	}
	return *s == '\0';
}

static void store_uint(uint8_t *p, unsigned n, uint64_t v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;

	switch (n) {
	case 1:
		memcpy(p, &u8, 1);
		break;
	case 2:
		memcpy(p, &u16, 2);
		break;
	case 4:
		memcpy(p, &u32, 4);
		break;
	default:
		memcpy(p, &v, n < 8 ? n : 8);
	}
}

static void store_bits(uint8_t *p, uint32_t bit_off, uint32_t bits, uint64_t v)
{
	for (uint32_t i = 0; i < bits; i++) {
		uint32_t b = bit_off + i;

		p[b / 8] = (uint8_t)((p[b / 8] & ~(1u << (b % 8))) | (((v >> i) & 1) << (b % 8)));
	}
}

/* An integer literal as a 64-bit pattern, checked against bits: signed
 * literals fit when sgn or when they are not negative; -ERANGE otherwise. */
static int int_fits(uint64_t u, bool neg, unsigned bits, bool sgn)
{
	if (bits >= 64) {
		if (neg)
			return sgn ? 0 : -ERANGE;
		return sgn && u > INT64_MAX ? -ERANGE : 0;
	}
	if (neg) {
		int64_t v = (int64_t)u;

		if (!sgn || v < -((int64_t)1 << (bits - 1)))
			return -ERANGE;
		return 0;
	}
	if (u > (sgn ? ((uint64_t)1 << (bits - 1)) - 1 : ((uint64_t)1 << bits) - 1))
		return -ERANGE;
	return 0;
}

/* Parses an integer literal (decimal, 0x, 0o, 0b, leading '-'). */
static int parse_int_lit(const char *s, uint64_t *u, bool *neg)
{
	int64_t sv;

	*neg = *s == '-';
	if (*neg) {
		int err = tool_parse_s64(s, &sv);

		*u = (uint64_t)sv;
		return err;
	}
	return tool_parse_u64(s, u);
}

/* A plain integer of the whole size, with no type: it must fit as signed
 * or as unsigned. */
static int put_raw_int(const char *s, uint8_t *out, uint32_t size, struct bk_diag *d,
		       const char *what)
{
	uint64_t u;
	bool neg;
	int err = parse_int_lit(s, &u, &neg);

	if (err == -EINVAL)
		return bk_diag__set(d, EINVAL, -1, "%s: '%s' is not an integer", what, s);
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return bk_diag__set(d, EMSGSIZE, -1,
				    "%s: an integer needs a 1, 2, 4 or 8 byte %s, this one has %u "
				    "bytes; give hex bytes (\"0a 00 ...\" or hex:0a00...)",
				    what, what, size);
	if (err || int_fits(u, neg, size * 8, neg))
		return bk_diag__set(d, ERANGE, -1, "%s: %s does not fit in %u bytes", what, s,
				    size);
	store_uint(out, size, u);
	return 0;
}

/* ---- JSON tree -> bytes, following BTF -------------------------------- */

struct pw {
	const struct btf *btf;
	struct bk_diag *d;
	char path[256];
};

static int pw_fail(struct pw *w, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int pw_fail(struct pw *w, int err, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bk_diag__set(w->d, err, -1, "%s: %s", w->path, msg);
}

/* Appends ".name" or "[i]" to the path; returns the old length to restore. */
static size_t path_push(struct pw *w, const char *fmt, const char *name, unsigned long idx)
{
	size_t n = strlen(w->path);

	if (name)
		snprintf(w->path + n, sizeof(w->path) - n, fmt, name);
	else
		snprintf(w->path + n, sizeof(w->path) - n, fmt, idx);
	return n;
}

static const char *jkind(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static int parse_type(struct pw *w, uint32_t id, const json_t *j, uint8_t *p, uint32_t avail,
		      uint32_t bit_off, uint32_t bit_sz, int depth);

/* A JSON integer, boolean or integer string as a 64-bit pattern. */
static int json_int_lit(struct pw *w, const json_t *j, uint64_t *u, bool *neg)
{
	if (json_is_integer(j)) {
		json_int_t v = json_integer_value(j);

		*u = (uint64_t)v;
		*neg = v < 0;
		return 0;
	}
	if (json_is_boolean(j)) {
		*u = json_is_true(j);
		*neg = false;
		return 0;
	}
	if (json_is_string(j) && !parse_int_lit(json_string_value(j), u, neg))
		return 0;
	if (json_is_string(j))
		return pw_fail(w, EINVAL, "'%s' is not an integer", json_string_value(j));
	return pw_fail(w, EINVAL, "expected an integer, got %s", jkind(j));
}

static int parse_wide_int(struct pw *w, const json_t *j, uint8_t *p, uint32_t size)
{
	const char *s = json_is_string(j) ? json_string_value(j) : NULL;
	uint64_t u;
	bool neg;
	int err;

	if (s && (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) && strlen(s) > 2 &&
	    strlen(s) <= 2 + 2 * (size_t)size) {
		size_t n = strlen(s + 2);

		memset(p, 0, size);
		for (size_t i = 0; i < n; i++) {
			int h = hex_digit((unsigned char)s[2 + n - 1 - i]);

			if (h < 0)
				return pw_fail(w, EINVAL, "'%s' is not a hex integer", s);
			p[i / 2] |= (uint8_t)(h << (4 * (i % 2)));
		}
		return 0;
	}
	err = json_int_lit(w, j, &u, &neg);
	if (err)
		return err;
	memset(p, neg ? 0xff : 0, size);
	memcpy(p, &u, 8);
	return 0;
}

static int parse_int(struct pw *w, const struct btf_type *t, const json_t *j, uint8_t *p,
		     uint32_t bit_off, uint32_t bit_sz)
{
	uint8_t enc = btf_int_encoding(t);
	unsigned bits = bit_sz ? bit_sz : btf_int_bits(t);
	uint64_t u;
	bool neg;
	int err;

	if (t->size > 8 && !bit_sz)
		return parse_wide_int(w, j, p, t->size);
	if (json_is_string(j) && t->size == 4 && !bit_sz && parse_ipv4(json_string_value(j), p))
		return 0;
	if (json_is_boolean(j) && !(enc & BTF_INT_BOOL))
		return pw_fail(w, EINVAL, "expected an integer, got a boolean");
	err = json_int_lit(w, j, &u, &neg);
	if (err)
		return err;
	if (int_fits(u, neg, bits, enc & BTF_INT_SIGNED))
		return pw_fail(w, ERANGE, "%s%llu does not fit in %u %s bits", neg ? "-" : "",
			       neg ? 0ull - (unsigned long long)u : (unsigned long long)u, bits,
			       enc & BTF_INT_SIGNED ? "signed" : "unsigned");
	if (!bit_sz && !btf_int_offset(t) && bits == t->size * 8)
		store_uint(p, t->size, u);
	else
		store_bits(p, bit_sz ? bit_off : btf_int_offset(t), bits, u);
	return 0;
}

static int parse_enum(struct pw *w, const struct btf_type *t, const json_t *j, uint8_t *p,
		      uint32_t bit_off, uint32_t bit_sz)
{
	uint32_t size = t->size > 8 ? 8 : t->size;
	unsigned bits = bit_sz ? bit_sz : size * 8;
	bool sgn = btf_kflag(t);
	uint64_t u;
	bool neg = false;
	int err;

	if (json_is_string(j) && parse_int_lit(json_string_value(j), &u, &neg)) {
		const char *s = json_string_value(j);
		bool found = false;

		for (uint16_t i = 0; i < btf_vlen(t) && !found; i++) {
			uint32_t off = btf_is_enum(t) ? btf_enum(t)[i].name_off
						      : btf_enum64(t)[i].name_off;

			if (strcmp(btf__name_by_offset(w->btf, off), s))
				continue;
			found = true;
			u = btf_is_enum(t) ? (sgn ? (uint64_t)(int64_t)btf_enum(t)[i].val
						  : (uint32_t)btf_enum(t)[i].val)
					   : btf_enum64_value(btf_enum64(t) + i);
		}
		if (!found)
			return pw_fail(w, ENOENT, "'%s' is not a name of this enum", s);
		if (bits < 64)
			u &= ((uint64_t)1 << bits) - 1;
		neg = false;
	} else {
		err = json_int_lit(w, j, &u, &neg);
		if (err)
			return err;
		if (int_fits(u, neg, bits, true) && int_fits(u, neg, bits, false))
			return pw_fail(w, ERANGE, "value does not fit in %u bits", bits);
	}
	if (bit_sz)
		store_bits(p, bit_off, bits, u);
	else
		store_uint(p, size, u);
	return 0;
}

static int parse_float(struct pw *w, const struct btf_type *t, const json_t *j, uint8_t *p)
{
	double v;

	if (json_is_number(j)) {
		v = json_number_value(j);
	} else if (json_is_string(j)) {
		const char *s = json_string_value(j);
		char *end;

		v = strtod(s, &end);
		if (!*s || *end)
			return pw_fail(w, EINVAL, "'%s' is not a number", s);
	} else {
		return pw_fail(w, EINVAL, "expected a number, got %s", jkind(j));
	}
	if (isnan(v)) /* one NaN per sign: payloads are not shown either */
		v = signbit(v) ? -(double)NAN : (double)NAN;
	if (t->size == 4) {
		float f = (float)v;

		memcpy(p, &f, 4);
	} else if (t->size == 8) {
		memcpy(p, &v, 8);
	} else {
		return pw_fail(w, ENOTSUP, "a %u-byte float needs hex bytes", t->size);
	}
	return 0;
}

static bool is_char_type(const struct btf *btf, uint32_t id)
{
	int rid = btf__resolve_type(btf, id);
	const struct btf_type *t = rid > 0 ? btf__type_by_id(btf, (uint32_t)rid) : NULL;
	const char *name;

	if (!t || !btf_is_int(t) || t->size != 1)
		return false;
	name = btf__name_by_offset(btf, t->name_off);
	return (btf_int_encoding(t) & BTF_INT_CHAR) || (name && strstr(name, "char"));
}

static int parse_array(struct pw *w, const struct btf_type *t, const json_t *j, uint8_t *p,
		       uint32_t avail, int depth)
{
	const struct btf_array *a = btf_array(t);
	long long esz = btf__resolve_size(w->btf, a->type);

	if (esz <= 0 || (uint64_t)esz * a->nelems > avail)
		return pw_fail(w, ENOTSUP, "array type does not fit the value; give hex bytes");
	if (json_is_string(j) && esz == 1 && is_char_type(w->btf, a->type)) {
		size_t n = json_string_length(j);

		if (n > a->nelems)
			return pw_fail(w, ERANGE, "string of %zu bytes does not fit in char[%u]", n,
				       a->nelems);
		memcpy(p, json_string_value(j), n);
		return 0;
	}
	if (!json_is_array(j))
		return pw_fail(w, EINVAL, "expected an array of %u, got %s", a->nelems, jkind(j));
	if (json_array_size(j) != a->nelems)
		return pw_fail(w, EMSGSIZE, "expected %u elements, got %zu", a->nelems,
			       json_array_size(j));
	for (uint32_t i = 0; i < a->nelems; i++) {
		size_t old = path_push(w, "[%lu]", NULL, i);
		int err = parse_type(w, a->type, json_array_get(j, i), p + (uint64_t)i * esz,
				     (uint32_t)esz, 0, 0, depth + 1);

		w->path[old] = '\0';
		if (err)
			return err;
	}
	return 0;
}

/* Parses v into the member of composite t named name (searching anonymous
 * members too).  1: done, 0: no such member, <0: error. */
static int set_member(struct pw *w, const struct btf_type *t, const char *name, const json_t *v,
		      uint8_t *p, uint32_t avail, int depth)
{
	for (uint16_t i = 0; i < btf_vlen(t); i++) {
		const struct btf_member *m = btf_members(t) + i;
		const char *mn = btf__name_by_offset(w->btf, m->name_off);
		uint32_t bo = btf_member_bit_offset(t, i), bsz = btf_member_bitfield_size(t, i);
		long long msz = btf__resolve_size(w->btf, m->type);
		size_t old;
		int err;

		if (msz < 0 || (!bsz && (bo % 8 || bo / 8 + (uint64_t)msz > avail)) ||
		    (bsz && (bo + bsz + 7) / 8 > avail))
			continue;
		if (!mn || !*mn) {
			int rid = btf__resolve_type(w->btf, m->type);
			const struct btf_type *mt =
				rid > 0 ? btf__type_by_id(w->btf, (uint32_t)rid) : NULL;

			if (mt && btf_is_composite(mt) && !bsz && depth < MV_MAX_DEPTH) {
				err = set_member(w, mt, name, v, p + bo / 8, (uint32_t)msz,
						 depth + 1);
				if (err)
					return err;
			}
			continue;
		}
		if (strcmp(mn, name))
			continue;
		old = path_push(w, ".%s", name, 0);
		if (bsz)
			err = parse_type(w, m->type, v, p + bo / 8, (bo % 8 + bsz + 7) / 8, bo % 8,
					 bsz, depth + 1);
		else
			err = parse_type(w, m->type, v, p + bo / 8, (uint32_t)msz, 0, 0, depth + 1);
		w->path[old] = '\0';
		return err ? err : 1;
	}
	return 0;
}

static int parse_composite(struct pw *w, const struct btf_type *t, const json_t *j, uint8_t *p,
			   int depth)
{
	const char *k;
	json_t *v;

	if (!json_is_object(j))
		return pw_fail(w, EINVAL, "expected an object, got %s", jkind(j));
	if (btf_is_union(t) && json_object_size(j) != 1)
		return pw_fail(w, EINVAL, "a union takes exactly one member, got %zu",
			       json_object_size(j));
	json_object_foreach((json_t *)j, k, v)
	{
		int r = set_member(w, t, k, v, p, t->size, depth);

		if (r < 0)
			return r;
		if (!r)
			return pw_fail(w, ENOENT, "no member '%s' in %s %s", k,
				       btf_is_union(t) ? "union" : "struct",
				       btf__name_by_offset(w->btf, t->name_off)[0]
					       ? btf__name_by_offset(w->btf, t->name_off)
					       : "(anonymous)");
	}
	return 0;
}

static int parse_datasec(struct pw *w, const struct btf_type *t, const json_t *j, uint8_t *p,
			 uint32_t avail, int depth)
{
	const struct btf_var_secinfo *vs = btf_var_secinfos(t);
	const char *k;
	json_t *v;

	if (!json_is_object(j))
		return pw_fail(w, EINVAL, "expected an object, got %s", jkind(j));
	json_object_foreach((json_t *)j, k, v)
	{
		bool found = false;

		for (uint16_t i = 0; i < btf_vlen(t) && !found; i++) {
			const struct btf_type *var = btf__type_by_id(w->btf, vs[i].type);
			size_t old;
			int err;

			if (!var || !btf_is_var(var) ||
			    strcmp(btf__name_by_offset(w->btf, var->name_off), k) ||
			    (uint64_t)vs[i].offset + vs[i].size > avail)
				continue;
			found = true;
			old = path_push(w, ".%s", k, 0);
			err = parse_type(w, var->type, v, p + vs[i].offset, vs[i].size, 0, 0,
					 depth + 1);
			w->path[old] = '\0';
			if (err)
				return err;
		}
		if (!found)
			return pw_fail(w, ENOENT, "no variable '%s' in this section", k);
	}
	return 0;
}

/* Exactly `size` separated hex pairs: raw bytes at any level.  (A string
 * for a char[size] holds at most size characters, fewer than 3 * size - 1,
 * so it never looks like this.) */
static bool exact_hex(const json_t *j, uint32_t size)
{
	bool seps;

	return json_is_string(j) && size && json_string_length(j) == 3 * (size_t)size - 1 &&
	       sep_hex_pairs(json_string_value(j), &seps) == (long)size;
}

/* A "hex:..." string for a type that is not a char array (whose strings
 * may start with anything). */
static bool hex_prefixed(const struct btf *btf, uint32_t id, const json_t *j)
{
	int rid = btf && id ? btf__resolve_type(btf, id) : -1;
	const struct btf_type *t = rid > 0 ? btf__type_by_id(btf, (uint32_t)rid) : NULL;

	if (!json_is_string(j) || strncmp(json_string_value(j), "hex:", 4))
		return false;
	return !t || !btf_is_array(t) || !is_char_type(btf, btf_array(t)->type);
}

static int parse_type(struct pw *w, uint32_t id, const json_t *j, uint8_t *p, uint32_t avail,
		      uint32_t bit_off, uint32_t bit_sz, int depth)
{
	int rid = btf__resolve_type(w->btf, id);
	const struct btf_type *t = rid > 0 ? btf__type_by_id(w->btf, (uint32_t)rid) : NULL;

	if (!bit_sz && exact_hex(j, avail))
		return put_hex(json_string_value(j), p, avail, w->d, w->path);
	if (!bit_sz && hex_prefixed(w->btf, id, j))
		return put_hex(json_string_value(j) + 4, p, avail, w->d, w->path);
	if (!t || depth > MV_MAX_DEPTH)
		return pw_fail(w, ENOTSUP, "type too complex; give %u hex bytes", avail);
	if (bit_sz && !btf_is_int(t) && !btf_is_any_enum(t))
		return pw_fail(w, ENOTSUP, "bitfield of an unsupported type");
	if (!bit_sz && !btf_is_array(t) && !btf_is_datasec(t) && t->size > avail)
		return pw_fail(w, ENOTSUP, "type larger than its place; give hex bytes");
	if (!bit_sz && json_is_integer(j) && !btf_is_int(t) && !btf_is_any_enum(t) &&
	    !btf_is_float(t) && (avail == 1 || avail == 2 || avail == 4 || avail == 8)) {
		/* An integer for a whole small aggregate: its bytes. */
		json_int_t v = json_integer_value(j);

		if (int_fits((uint64_t)v, v < 0, avail * 8, v < 0))
			return pw_fail(w, ERANGE, "%lld does not fit in %u bytes", (long long)v,
				       avail);
		store_uint(p, avail, (uint64_t)v);
		return 0;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return parse_int(w, t, j, p, bit_off, bit_sz);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return parse_enum(w, t, j, p, bit_off, bit_sz);
	case BTF_KIND_PTR: {
		uint64_t u;
		bool neg;
		int err = json_int_lit(w, j, &u, &neg);

		if (!err)
			store_uint(p, 8, u);
		return err;
	}
	case BTF_KIND_FLOAT:
		return parse_float(w, t, j, p);
	case BTF_KIND_ARRAY:
		return parse_array(w, t, j, p, avail, depth);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return parse_composite(w, t, j, p, depth);
	case BTF_KIND_DATASEC:
		return parse_datasec(w, t, j, p, avail, depth);
	default:
		return pw_fail(w, ENOTSUP, "this type takes %u hex bytes", avail);
	}
}

/* ---- entry points ----------------------------------------------------- */

int mv_parse_json(const struct mv_type *t, const json_t *j, void *out, const char *what,
		  struct bk_diag *d)
{
	struct pw w = {.btf = t->btf, .d = d};
	const char *s = json_is_string(j) ? json_string_value(j) : NULL;
	uint8_t ip[4];
	bool seps;

	snprintf(w.path, sizeof(w.path), "%s", what);
	memset(out, 0, t->size);
	if (hex_prefixed(t->btf, t->id, j))
		return put_hex(s + 4, out, t->size, d, what);
	if (exact_hex(j, t->size))
		return put_hex(s, out, t->size, d, what);
	if (t->btf && t->id)
		return parse_type(&w, t->id, j, out, t->size, 0, 0, 0);
	if (s && sep_hex_pairs(s, &seps) > 1 && seps)
		return put_hex(s, out, t->size, d, what); /* hex, but not t->size bytes */
	if (s && t->size == 4 && parse_ipv4(s, ip)) {
		memcpy(out, ip, 4);
		return 0;
	}
	if (s)
		return put_raw_int(s, out, t->size, d, what);
	if (json_is_integer(j)) {
		char tmp[32];

		snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(j));
		return put_raw_int(tmp, out, t->size, d, what);
	}
	return bk_diag__set(d, ENOTSUP, -1,
			    "%s: %s needs the map's BTF, and this map has none; give hex bytes "
			    "or an integer",
			    what, jkind(j));
}

int mv_parse_text(const struct mv_type *t, const char *s, void *out, const char *what,
		  struct bk_diag *d)
{
	bool seps, is_int, neg;
	long pairs;
	uint64_t u;
	json_t *j;
	int err;

	while (isspace((unsigned char)*s))
		s++;
	memset(out, 0, t->size);
	if (!*s)
		return bk_diag__set(d, EINVAL, -1, "%s: empty", what);
	if (!strncmp(s, "hex:", 4))
		return put_hex(s + 4, out, t->size, d, what);
	pairs = sep_hex_pairs(s, &seps);
	is_int = parse_int_lit(s, &u, &neg) != -EINVAL;
	if (pairs > 0 && (seps || !is_int))
		return put_hex(s, out, t->size, d, what);
	if (t->size == 4 && parse_ipv4(s, out))
		return 0;
	if (!t->btf || !t->id) {
		if (is_int)
			return put_raw_int(s, out, t->size, d, what);
		return bk_diag__set(d, EINVAL, -1,
				    "%s: cannot read '%s' as hex bytes (\"0a 00 ..\", hex:0a00..) "
				    "or an integer, and the map has no BTF to read it by type",
				    what, s);
	}
	j = mv_relaxed_parse(s, d);
	if (!j)
		return -EINVAL;
	err = mv_parse_json(t, j, out, what, d);
	json_decref(j);
	return err;
}
