// SPDX-License-Identifier: MIT
/*
 * fuzz_mapctl - mapctl's key/value parsing and formatting (cmd/common
 * mapval*.c) under libFuzzer.  The first byte picks what the rest is:
 *
 *   0  relaxed value text (mv_relaxed_parse)
 *   1  a key or value on the command line (mv_parse_text), for a type the
 *      second byte picks from a BTF built here (ints, an enum, a double,
 *      structs with bitfields and an anonymous union, arrays, char strings)
 *      or for plain 1/2/4/8/16-byte data
 *   2  JSON (json_loads + mv_parse_json), for a picked type
 *   3  raw bytes of a picked type, formatted
 *
 * Besides not crashing, whatever parses must survive a round trip: bytes ->
 * text -> bytes and bytes -> JSON -> bytes give the same bytes, and what
 * formatting writes always parses.  A violation traps.
 *
 * The fuzz build links the libraries but not cmd/common, so the sources are
 * included here.  tool.c and json.c clash in one translation unit (json.c
 * has a static open() and a json_null() that jansson has too); the two
 * macros rename them for the inclusion only.
 */
#include "jsonin.h"

#define json_null json_w_null
#define open json_w_open_
#include "json.c"
#undef open
#include "tool.c"
#undef json_null

#include "mapval_fmt.c"
#include "mapval_parse.c"
#include "mapval_relaxed.c"

#include <bpf/btf.h>

struct fz_types {
	struct btf *btf;
	uint32_t id[12];
	uint32_t size[12];
	int n;
};

static struct fz_types *types(void)
{
	static struct fz_types t;
	int u8, u32, s16, s64, chr, dbl, color, counter, arr_c, arr_name, anon, rec, boolt;

	if (t.btf)
		return &t;
	t.btf = btf__new_empty();
	u8 = btf__add_int(t.btf, "u8", 1, 0);
	u32 = btf__add_int(t.btf, "u32", 4, 0);
	s16 = btf__add_int(t.btf, "s16", 2, BTF_INT_SIGNED);
	s64 = btf__add_int(t.btf, "s64", 8, BTF_INT_SIGNED);
	chr = btf__add_int(t.btf, "char", 1, BTF_INT_CHAR | BTF_INT_SIGNED);
	boolt = btf__add_int(t.btf, "bool", 1, BTF_INT_BOOL);
	dbl = btf__add_float(t.btf, "double", 8);
	color = btf__add_enum(t.btf, "color", 4);
	btf__add_enum_value(t.btf, "RED", 1);
	btf__add_enum_value(t.btf, "GREEN", -2);
	counter = btf__add_struct(t.btf, "counter", 16);
	btf__add_field(t.btf, "packets", s64, 0, 0);
	btf__add_field(t.btf, "bytes", s64, 64, 0);
	arr_c = btf__add_array(t.btf, u32, counter, 2);
	arr_name = btf__add_array(t.btf, u32, chr, 6);
	anon = btf__add_union(t.btf, NULL, 4);
	btf__add_field(t.btf, "x", u32, 0, 0);
	btf__add_field(t.btf, "y", u8, 0, 0);
	rec = btf__add_struct(t.btf, "rec", 56);
	btf__add_field(t.btf, "id", u32, 0, 0);
	btf__add_field(t.btf, "delta", s16, 32, 0);
	btf__add_field(t.btf, "flag", boolt, 48, 0);
	btf__add_field(t.btf, "c", arr_c, 64, 0);
	btf__add_field(t.btf, "name", arr_name, 320, 0);
	btf__add_field(t.btf, "lo", u32, 384, 3);
	btf__add_field(t.btf, "hi", color, 387, 5);
	btf__add_field(t.btf, NULL, anon, 416, 0);
	{
		int ids[] = {u8, u32, s16, s64, dbl, color, counter, arr_c, arr_name, rec, boolt};

		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
			t.id[t.n] = (uint32_t)ids[i];
			t.size[t.n] = (uint32_t)btf__resolve_size(t.btf, (uint32_t)ids[i]);
			t.n++;
		}
	}
	return &t;
}

/* The type byte: a BTF type, or plain data of 1, 2, 4, 8 or 16 bytes. */
static void pick(uint8_t sel, struct mv_type *mt)
{
	static const uint32_t plain[] = {1, 2, 4, 8, 16};
	struct fz_types *t = types();
	unsigned i = sel % (unsigned)(t->n + 5);

	if (i < (unsigned)t->n)
		mv_type_init(mt, t->btf, t->id[i], t->size[i], 0);
	else
		mv_type_init(mt, NULL, 0, plain[i - (unsigned)t->n], sel & 0x80 ? MV_IPV4 : 0);
}

/* Formats b as text and as JSON; both must parse back to b (same_bytes) or
 * at least parse (when b did not come from a parser: padding, NaNs). */
static void round_trip(const struct mv_type *mt, const uint8_t *b, bool same_bytes)
{
	uint8_t back[64];
	struct mv_buf buf = {0};
	struct mv_out o;
	struct bk_diag d;
	json_t *j;

	bk_diag__init(&d);
	mv_out_text(&o, &buf);
	mv_format(&o, mt, b);
	mv_buf_putc(&buf, '\0');
	if (buf.oom)
		goto out;
	if (mv_parse_text(mt, buf.p, back, "value", &d))
		__builtin_trap();
	if (same_bytes && memcmp(back, b, mt->size))
		__builtin_trap();
	buf.len = 0;
	mv_out_json(&o, &buf);
	mv_format(&o, mt, b);
	mv_buf_putc(&buf, '\0');
	if (buf.oom)
		goto out;
	j = json_loads(buf.p, JSON_DECODE_ANY, NULL);
	if (!j || mv_parse_json(mt, j, back, "value", &d))
		__builtin_trap();
	if (same_bytes && memcmp(back, b, mt->size))
		__builtin_trap();
	json_decref(j);
out:
	mv_buf_free(&buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mv_type mt;
	struct bk_diag d;
	uint8_t b[64] = {0};
	char *s;
	json_t *j;

	if (size < 2 || size > 4096)
		return 0;
	s = malloc(size - 1);
	if (!s)
		return 0;
	memcpy(s, data + 2, size - 2);
	s[size - 2] = '\0';
	pick(data[1], &mt);
	bk_diag__init(&d);
	switch (data[0] % 4) {
	case 0:
		json_decref(mv_relaxed_parse(s, &d));
		break;
	case 1:
		if (!mv_parse_text(&mt, s, b, "value", &d))
			round_trip(&mt, b, true);
		break;
	case 2:
		j = json_loadb(s, size - 2, JSON_DECODE_ANY, NULL);
		if (j && !mv_parse_json(&mt, j, b, "value", &d))
			round_trip(&mt, b, true);
		json_decref(j);
		break;
	default:
		memcpy(b, data + 2, size - 2 < mt.size ? size - 2 : mt.size);
		round_trip(&mt, b, false);
	}
	free(s);
	return 0;
}
