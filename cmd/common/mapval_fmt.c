// SPDX-License-Identifier: MIT
/*
 * mapval_fmt.c - formatting map keys and values (see mapval.h).
 *
 * One walker (fmt_type) turns bytes plus a BTF type into calls on a small
 * output layer (out_*), which writes the text form or JSON text into an
 * mv_buf.  Every read is bounds-checked against the bytes
 * given, and BTF nesting is depth-limited, so inconsistent BTF degrades to
 * hex instead of reading past the value.  Data is in host byte order, as
 * the kernel stores map keys and values (bitfields assume little-endian).
 */
#include <bpf/btf.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mapval.h"

#define MV_MAX_DEPTH 12

/* ---- buffer ----------------------------------------------------------- */

void mv_buf_free(struct mv_buf *b)
{
	free(b->p);
	*b = (struct mv_buf){0};
}

bool mv_buf_grow(struct mv_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->cap - b->len >= n)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void mv_buf_puts(struct mv_buf *b, const char *s)
{
	mv_buf_putn(b, s, strlen(s));
}

void mv_buf_printf(struct mv_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !mv_buf_reserve(b, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* "xy " for every byte value, as a little-endian 4-byte word (the 4th
 * byte is scratch, overwritten by the next pair). */
#define HD(x) ((x) < 10 ? '0' + (x) : 'a' - 10 + (x))
#define H1(b) ((uint32_t)HD((b) >> 4) | (uint32_t)HD((b) & 15) << 8 | (uint32_t)' ' << 16)
#define H4(b) H1(b), H1((b) + 1), H1((b) + 2), H1((b) + 3)
#define H16(b) H4(b), H4((b) + 4), H4((b) + 8), H4((b) + 12)
#define H64(b) H16(b), H16((b) + 16), H16((b) + 32), H16((b) + 48)
static const uint32_t hex3[256] = {H64(0), H64(64), H64(128), H64(192)};

char *mv_hex(char *restrict out, const void *restrict data, size_t n)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < n; i++) {
		memcpy(out, &hex3[p[i]], 4);
		out += 3;
	}
	return n ? out - 1 : out;
}

void mv_buf_hex(struct mv_buf *b, const void *data, size_t n)
{
	if (!n || !mv_buf_reserve(b, 3 * n + 1))
		return;
	b->len = (size_t)(mv_hex(b->p + b->len, data, n) - b->p);
}

void mv_buf_u64(struct mv_buf *b, uint64_t v)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	mv_buf_putn(b, tmp + i, sizeof(tmp) - (size_t)i);
}

void mv_buf_s64(struct mv_buf *b, int64_t v)
{
	if (v < 0) {
		mv_buf_putc(b, '-');
		mv_buf_u64(b, 0 - (uint64_t)v);
	} else {
		mv_buf_u64(b, (uint64_t)v);
	}
}

/* ---- output layer ----------------------------------------------------- */

void mv_out_text(struct mv_out *o, struct mv_buf *b)
{
	*o = (struct mv_out){.buf = b};
}

void mv_out_json(struct mv_out *o, struct mv_buf *b)
{
	*o = (struct mv_out){.buf = b, .json = true};
}

/* The separator before an item that is not the first of its container. */
static void item(struct mv_out *o)
{
	if (o->after_key) {
		o->after_key = false;
		return;
	}
	if (o->depth > 0) {
		if (!o->first[o->depth]) {
			if (o->json)
				mv_buf_putc(o->buf, ',');
			else
				mv_buf_putn(o->buf, ", ", 2);
		}
		o->first[o->depth] = false;
	}
}

static void out_open(struct mv_out *o, bool obj)
{
	item(o);
	mv_buf_putc(o->buf, obj ? '{' : '[');
	o->depth++;
	o->first[o->depth] = true;
}

static void out_close(struct mv_out *o, bool obj)
{
	o->depth--;
	mv_buf_putc(o->buf, obj ? '}' : ']');
}

/* A JSON string of n bytes. */
static void put_jstr(struct mv_buf *b, const char *s, size_t n)
{
	mv_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			mv_buf_putc(b, '\\');
			mv_buf_putc(b, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			mv_buf_printf(b, "\\u%04x", c);
		} else {
			mv_buf_putc(b, (char)c);
		}
	}
	mv_buf_putc(b, '"');
}

static void out_key(struct mv_out *o, const char *name)
{
	item(o);
	if (o->json) {
		put_jstr(o->buf, name, strlen(name));
		mv_buf_putc(o->buf, ':');
	} else {
		mv_buf_puts(o->buf, name);
		mv_buf_putc(o->buf, '=');
	}
	o->after_key = true;
}

static void out_u64(struct mv_out *o, uint64_t v)
{
	item(o);
	/* In JSON, above INT64_MAX as a string: readers with signed 64-bit
	 * integers (jansson) or doubles (jq) would not keep it exact. */
	if (o->json && v > INT64_MAX) {
		mv_buf_putc(o->buf, '"');
		mv_buf_u64(o->buf, v);
		mv_buf_putc(o->buf, '"');
		return;
	}
	mv_buf_u64(o->buf, v);
}

static void out_s64(struct mv_out *o, int64_t v)
{
	item(o);
	mv_buf_s64(o->buf, v);
}

/* A bare word in text (enum names, 0x.. pointers), a string in JSON. */
static void out_word(struct mv_out *o, const char *s)
{
	item(o);
	if (o->json)
		put_jstr(o->buf, s, strlen(s));
	else
		mv_buf_puts(o->buf, s);
}

static void out_bool(struct mv_out *o, bool v)
{
	item(o);
	mv_buf_puts(o->buf, v ? "true" : "false");
}

/* A quoted string of printable ASCII. */
static void out_str(struct mv_out *o, const char *s, size_t n)
{
	item(o);
	if (o->json) {
		put_jstr(o->buf, s, n);
		return;
	}
	mv_buf_putc(o->buf, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			mv_buf_putc(o->buf, '\\');
		mv_buf_putc(o->buf, s[i]);
	}
	mv_buf_putc(o->buf, '"');
}

static void out_hex(struct mv_out *o, const void *p, size_t n)
{
	item(o);
	if (o->json)
		mv_buf_putc(o->buf, '"');
	mv_buf_hex(o->buf, p, n);
	if (o->json)
		mv_buf_putc(o->buf, '"');
}

static void out_double(struct mv_out *o, double v)
{
	char tmp[40];

	if (!isfinite(v)) {
		out_word(o, isnan(v) ? (signbit(v) ? "-nan" : "nan") : v > 0 ? "inf" : "-inf");
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.17g", v);
	/* Keep a float looking like one, so it parses back as one (JSON
	 * readers take -0 for the integer 0 and lose the sign). */
	if (!strpbrk(tmp, ".eEn"))
		strcat(tmp, ".0");
	item(o);
	mv_buf_puts(o->buf, tmp);
}

/* ---- the walker ------------------------------------------------------- */

/* Reads n (1, 2, 4, 8) bytes as a host-order unsigned integer. */
static uint64_t load_uint(const uint8_t *p, unsigned n)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64 = 0;

	switch (n) {
	case 1:
		memcpy(&u8, p, 1);
		return u8;
	case 2:
		memcpy(&u16, p, 2);
		return u16;
	case 4:
		memcpy(&u32, p, 4);
		return u32;
	default:
		memcpy(&u64, p, n < 8 ? n : 8);
		return u64;
	}
}

/* Bits [bit_off, bit_off + bits) of little-endian data at p (bits <= 64). */
static uint64_t load_bits(const uint8_t *p, uint32_t bit_off, uint32_t bits)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < bits; i++) {
		uint32_t b = bit_off + i;

		v |= (uint64_t)((p[b / 8] >> (b % 8)) & 1) << i;
	}
	return v;
}

static int64_t sign_extend(uint64_t v, unsigned bits)
{
	if (bits >= 64)
		return (int64_t)v;
	return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

/* A value read from a (possibly bitfield) integer member: bit_sz 0 means
 * the whole size bytes. */
static uint64_t read_int(const uint8_t *p, uint32_t size, uint32_t bit_off, uint32_t bit_sz)
{
	if (!bit_sz)
		return load_uint(p, size);
	return load_bits(p, bit_off, bit_sz);
}

struct walk {
	struct mv_out *o;
	const struct btf *btf;
};

static void fmt_type(struct walk *w, uint32_t id, const uint8_t *p, uint32_t avail,
		     uint32_t bit_off, uint32_t bit_sz, int depth);

static void fmt_int(struct walk *w, const struct btf_type *t, const uint8_t *p, uint32_t bit_off,
		    uint32_t bit_sz)
{
	uint8_t enc = btf_int_encoding(t);
	uint32_t bits = btf_int_bits(t);
	uint64_t v;

	if (t->size == 16 && !bit_sz && bits == 128) {
		char tmp[40];
		int n = snprintf(tmp, sizeof(tmp), "0x");

		for (int i = 15; i >= 0; i--)
			n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, "%02x", p[i]);
		out_word(w->o, tmp);
		return;
	}
	if (t->size > 8) {
		out_hex(w->o, p, t->size);
		return;
	}
	if (bit_sz) {
		bits = bit_sz;
	} else if (btf_int_offset(t) || bits != t->size * 8) {
		bit_off = btf_int_offset(t);
		bit_sz = bits;
	}
	v = read_int(p, t->size, bit_off, bit_sz);
	if (!bit_sz)
		bits = t->size * 8;
	if (enc & BTF_INT_BOOL && v <= 1)
		out_bool(w->o, v);
	else if (enc & BTF_INT_SIGNED)
		out_s64(w->o, sign_extend(v, bits));
	else
		out_u64(w->o, v);
}

static void fmt_enum(struct walk *w, const struct btf_type *t, const uint8_t *p, uint32_t bit_off,
		     uint32_t bit_sz)
{
	uint32_t size = t->size > 8 ? 8 : t->size;
	uint64_t v = read_int(p, size, bit_off, bit_sz);
	unsigned bits = bit_sz ? bit_sz : size * 8;
	bool is_signed = btf_kflag(t);

	if (is_signed)
		v = (uint64_t)sign_extend(v, bits);
	else if (bits < 64)
		v &= ((uint64_t)1 << bits) - 1;
	for (uint16_t i = 0; i < btf_vlen(t); i++) {
		uint64_t ev;
		uint32_t name_off;

		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t) + i;

			ev = is_signed ? (uint64_t)(int64_t)e->val : (uint64_t)(uint32_t)e->val;
			name_off = e->name_off;
		} else {
			const struct btf_enum64 *e = btf_enum64(t) + i;

			ev = btf_enum64_value(e);
			name_off = e->name_off;
		}
		if (bits < 64 && !is_signed)
			ev &= ((uint64_t)1 << bits) - 1;
		if (ev == v) {
			out_word(w->o, btf__name_by_offset(w->btf, name_off));
			return;
		}
	}
	if (is_signed)
		out_s64(w->o, (int64_t)v);
	else
		out_u64(w->o, v);
}

/* True for a 1-byte integer used as a character ("char", BTF_INT_CHAR). */
static bool is_char(const struct btf *btf, uint32_t id)
{
	int rid = btf__resolve_type(btf, id);
	const struct btf_type *t = rid > 0 ? btf__type_by_id(btf, (uint32_t)rid) : NULL;
	const char *name;

	if (!t || !btf_is_int(t) || t->size != 1)
		return false;
	name = btf__name_by_offset(btf, t->name_off);
	return (btf_int_encoding(t) & BTF_INT_CHAR) || (name && strstr(name, "char"));
}

/* A char array as a string when it holds printable ASCII up to a NUL and
 * zeros after it. */
static bool fmt_char_array(struct walk *w, const uint8_t *p, uint32_t n)
{
	uint32_t len = 0;

	while (len < n && p[len])
		if (p[len] < 0x20 || p[len] > 0x7e)
			return false;
		else
			len++;
	for (uint32_t i = len; i < n; i++)
		if (p[i])
			return false;
	out_str(w->o, (const char *)p, len);
	return true;
}

static void fmt_array(struct walk *w, const struct btf_type *t, const uint8_t *p, uint32_t avail,
		      int depth)
{
	const struct btf_array *a = btf_array(t);
	long long esz = btf__resolve_size(w->btf, a->type);

	if (esz <= 0 || (uint64_t)esz * a->nelems > avail) {
		out_hex(w->o, p, avail);
		return;
	}
	if (esz == 1 && is_char(w->btf, a->type) && fmt_char_array(w, p, a->nelems))
		return;
	out_open(w->o, false);
	for (uint32_t i = 0; i < a->nelems; i++)
		fmt_type(w, a->type, p + (uint64_t)i * (uint64_t)esz, (uint32_t)esz, 0, 0,
			 depth + 1);
	out_close(w->o, false);
}

/* The union member shown: the first of the largest, so no byte is hidden. */
static int union_pick(const struct btf *btf, const struct btf_type *t)
{
	long long best = -1;
	int pick = -1;

	for (uint16_t i = 0; i < btf_vlen(t); i++) {
		long long sz = btf__resolve_size(btf, btf_members(t)[i].type);

		if (sz > best) {
			best = sz;
			pick = i;
		}
	}
	return pick;
}

static void fmt_fields(struct walk *w, const struct btf_type *t, const uint8_t *p, uint32_t avail,
		       int depth);

static void fmt_member(struct walk *w, const struct btf_type *t, int i, const uint8_t *p,
		       uint32_t avail, int depth)
{
	const struct btf_member *m = btf_members(t) + i;
	const char *name = btf__name_by_offset(w->btf, m->name_off);
	uint32_t bo = btf_member_bit_offset(t, (uint32_t)i);
	uint32_t bsz = btf_member_bitfield_size(t, (uint32_t)i);
	int rid = btf__resolve_type(w->btf, m->type);
	const struct btf_type *mt = rid > 0 ? btf__type_by_id(w->btf, (uint32_t)rid) : NULL;
	long long msz = btf__resolve_size(w->btf, m->type);

	if (bsz) {
		/* A bitfield: read through the bytes that hold it. */
		if (!mt || (bo + bsz + 7) / 8 > avail || bsz > 64)
			return;
		if (name && *name)
			out_key(w->o, name);
		else
			return; /* unnamed padding */
		fmt_type(w, m->type, p + bo / 8, (uint32_t)((bo % 8 + bsz + 7) / 8), bo % 8, bsz,
			 depth + 1);
		return;
	}
	if (msz < 0 || bo % 8 || bo / 8 + (uint64_t)msz > avail)
		return;
	if (!name || !*name) {
		/* Anonymous struct/union: its members belong to this level. */
		if (mt && btf_is_composite(mt) && depth < MV_MAX_DEPTH)
			fmt_fields(w, mt, p + bo / 8, (uint32_t)msz, depth + 1);
		return;
	}
	out_key(w->o, name);
	fmt_type(w, m->type, p + bo / 8, (uint32_t)msz, 0, 0, depth + 1);
}

static void fmt_fields(struct walk *w, const struct btf_type *t, const uint8_t *p, uint32_t avail,
		       int depth)
{
	if (btf_is_union(t)) {
		int i = union_pick(w->btf, t);

		if (i >= 0)
			fmt_member(w, t, i, p, avail, depth);
		return;
	}
	for (uint16_t i = 0; i < btf_vlen(t); i++)
		fmt_member(w, t, i, p, avail, depth);
}

static void fmt_datasec(struct walk *w, const struct btf_type *t, const uint8_t *p, uint32_t avail,
			int depth)
{
	const struct btf_var_secinfo *vs = btf_var_secinfos(t);

	out_open(w->o, true);
	for (uint16_t i = 0; i < btf_vlen(t); i++) {
		const struct btf_type *v = btf__type_by_id(w->btf, vs[i].type);

		if (!v || !btf_is_var(v) || (uint64_t)vs[i].offset + vs[i].size > avail)
			continue;
		out_key(w->o, btf__name_by_offset(w->btf, v->name_off));
		if (btf__resolve_size(w->btf, v->type) == vs[i].size)
			fmt_type(w, v->type, p + vs[i].offset, vs[i].size, 0, 0, depth + 1);
		else
			out_hex(w->o, p + vs[i].offset, vs[i].size);
	}
	out_close(w->o, true);
}

static void fmt_type(struct walk *w, uint32_t id, const uint8_t *p, uint32_t avail,
		     uint32_t bit_off, uint32_t bit_sz, int depth)
{
	int rid = btf__resolve_type(w->btf, id);
	const struct btf_type *t = rid > 0 ? btf__type_by_id(w->btf, (uint32_t)rid) : NULL;

	if (!t || depth > MV_MAX_DEPTH || (!bit_sz && t->size > avail && !btf_is_array(t)) ||
	    (bit_sz && !btf_is_int(t) && !btf_is_any_enum(t))) {
		out_hex(w->o, p, avail);
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		fmt_int(w, t, p, bit_off, bit_sz);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		fmt_enum(w, t, p, bit_off, bit_sz);
		break;
	case BTF_KIND_PTR: {
		char tmp[24];

		snprintf(tmp, sizeof(tmp), "0x%llx", (unsigned long long)load_uint(p, 8));
		out_word(w->o, tmp);
		break;
	}
	case BTF_KIND_FLOAT:
		if (t->size == 4) {
			float f;

			memcpy(&f, p, 4);
			out_double(w->o, f);
		} else if (t->size == 8) {
			double d;

			memcpy(&d, p, 8);
			out_double(w->o, d);
		} else {
			out_hex(w->o, p, t->size);
		}
		break;
	case BTF_KIND_ARRAY:
		fmt_array(w, t, p, avail, depth);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		out_open(w->o, true);
		fmt_fields(w, t, p, t->size, depth);
		out_close(w->o, true);
		break;
	case BTF_KIND_DATASEC:
		fmt_datasec(w, t, p, avail, depth);
		break;
	default:
		out_hex(w->o, p, avail);
	}
}

bool mv_type_is_hex(const struct mv_type *t)
{
	return (!t->btf || !t->id || (t->flags & MV_HEX)) &&
	       !((t->flags & MV_IPV4) && t->size == 4);
}

bool mv_type_init(struct mv_type *t, const struct btf *btf, uint32_t id, uint32_t size,
		  unsigned flags)
{
	*t = (struct mv_type){.size = size, .flags = flags};
	if (!btf || !id || btf__resolve_size(btf, id) != (long long)size)
		return false;
	t->btf = btf;
	t->id = id;
	return true;
}

void mv_format_json(struct json_w *w, const struct mv_type *t, const void *data)
{
	struct mv_buf b = {0};
	struct mv_out o;

	mv_out_json(&o, &b);
	mv_format(&o, t, data);
	if (b.oom || !b.p)
		json_raw(w, "null", 4);
	else
		json_raw(w, b.p, b.len);
	mv_buf_free(&b);
}

void mv_format(struct mv_out *o, const struct mv_type *t, const void *data)
{
	struct walk w = {.o = o, .btf = t->btf};

	if ((t->flags & MV_IPV4) && t->size == 4) {
		const uint8_t *b = data;
		char tmp[16];

		snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
		out_word(o, tmp);
		return;
	}
	if (!t->btf || !t->id || (t->flags & MV_HEX)) {
		if (t->size == 1 && !o->json) {
			/* "41" would read back as the integer 41: say 0x41. */
			char tmp[8];

			snprintf(tmp, sizeof(tmp), "0x%02x", *(const uint8_t *)data);
			out_word(o, tmp);
			return;
		}
		out_hex(o, data, t->size);
		return;
	}
	fmt_type(&w, t->id, data, t->size, 0, 0, 0);
}
