// SPDX-License-Identifier: MIT
/*
 * Unit tests of mapctl's key/value formats (cmd/common/mapval*.c): the text
 * rules (hex bytes, integers, IPv4, BTF-typed values), formatting through
 * BTF built here with libbpf's btf__add_* (ints, enums, structs with
 * bitfields and anonymous unions, arrays, char strings, floats), and round
 * trips text -> bytes -> text and bytes -> JSON -> bytes.
 */
#include "jsonin.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "mapval.h"

/* ---- plain rules ------------------------------------------------------------ */

static int parse(uint32_t size, const char *s, uint8_t *out)
{
	struct mv_type t;
	struct bk_diag d;

	mv_type_init(&t, NULL, 0, size, 0);
	bk_diag__init(&d);
	return mv_parse_text(&t, s, out, "key", &d);
}

TEST(mapval_text_hex_bytes)
{
	uint8_t b[4];

	REQUIRE_EQ(parse(4, "0a 00 00 01", b), 0);
	CHECK_MEM(b, "\x0a\x00\x00\x01", 4);
	REQUIRE_EQ(parse(4, "0a:0b:0c:0d", b), 0);
	CHECK_MEM(b, "\x0a\x0b\x0c\x0d", 4);
	REQUIRE_EQ(parse(4, "hex:0a0b0c0d", b), 0);
	CHECK_MEM(b, "\x0a\x0b\x0c\x0d", 4);
	CHECK_EQ(parse(4, "0a 00", b), -EMSGSIZE);
	CHECK_EQ(parse(4, "0a 00 00 01 02", b), -EMSGSIZE);
	CHECK_EQ(parse(4, "hex:0g000000", b), -EINVAL);
	REQUIRE_EQ(parse(1, "0a", b), 0); /* one pair that is not an integer */
	CHECK_EQ(b[0], 0x0a);
}

TEST(mapval_text_integers_are_host_order)
{
	uint8_t b[8];
	uint32_t v32;
	uint64_t v64;

	REQUIRE_EQ(parse(4, "42", b), 0);
	memcpy(&v32, b, 4);
	CHECK_EQ(v32, 42);
	REQUIRE_EQ(parse(4, "0x0a000001", b), 0);
	memcpy(&v32, b, 4);
	CHECK_EQ(v32, 0x0a000001);
	REQUIRE_EQ(parse(8, "-1", b), 0);
	memcpy(&v64, b, 8);
	CHECK_EQ(v64, UINT64_MAX);
	REQUIRE_EQ(parse(1, "255", b), 0);
	CHECK_EQ(b[0], 255);
	CHECK_EQ(parse(1, "256", b), -ERANGE);
	CHECK_EQ(parse(2, "-32769", b), -ERANGE);
	CHECK_EQ(parse(8, "18446744073709551616", b), -ERANGE);
	CHECK_EQ(parse(3, "5", b), -EMSGSIZE); /* no 3-byte integers */
	CHECK_EQ(parse(4, "12abc", b), -EINVAL);
	CHECK_EQ(parse(4, "", b), -EINVAL);
	CHECK_EQ(parse(4, "{a=1}", b), -EINVAL); /* typed values need BTF */
}

TEST(mapval_text_ipv4_is_network_order)
{
	uint8_t b[8];

	REQUIRE_EQ(parse(4, "10.0.0.2", b), 0);
	CHECK_MEM(b, "\x0a\x00\x00\x02", 4);
	CHECK_EQ(parse(4, "10.0.0.256", b), -EINVAL);
	CHECK_EQ(parse(8, "10.0.0.2", b), -EINVAL);
}

static char *fmt(const struct mv_type *t, const void *data)
{
	struct mv_buf b = {0};
	struct mv_out o;

	mv_out_text(&o, &b);
	mv_format(&o, t, data);
	mv_buf_putc(&b, '\0');
	return b.p;
}

TEST(mapval_format_plain)
{
	struct mv_type t;
	char *s;

	mv_type_init(&t, NULL, 0, 4, 0);
	s = fmt(&t, "\x0a\x00\x00\x01");
	CHECK_STR(s, "0a 00 00 01");
	free(s);
	mv_type_init(&t, NULL, 0, 4, MV_IPV4);
	s = fmt(&t, "\x0a\x00\x00\x01");
	CHECK_STR(s, "10.0.0.1");
	free(s);
}

/* ---- BTF ---------------------------------------------------------------------- */

struct types {
	struct btf *btf;
	int u8, u32, s32, u64, chr, counter, rec, color, dbl;
};

/*
 *   enum color { RED = 1, GREEN = 2 };
 *   struct counter { u64 packets; u64 bytes; };
 *   struct rec {                       // 56 bytes
 *       u32 id;                        //  0
 *       s32 delta;                     //  4
 *       struct counter c[2];           //  8
 *       char name[8];                  // 40
 *       u32 lo : 3, hi : 5;            // 48 (bitfields)
 *       union { u32 x; u8 y; };        // 52 (anonymous)
 *   };
 */
static void build(struct types *t)
{
	int arr_c, arr_name, anon;

	t->btf = btf__new_empty();
	t->u8 = btf__add_int(t->btf, "u8", 1, 0);
	t->u32 = btf__add_int(t->btf, "u32", 4, 0);
	t->s32 = btf__add_int(t->btf, "s32", 4, BTF_INT_SIGNED);
	t->u64 = btf__add_int(t->btf, "u64", 8, 0);
	t->chr = btf__add_int(t->btf, "char", 1, BTF_INT_CHAR | BTF_INT_SIGNED);
	t->dbl = btf__add_float(t->btf, "double", 8);
	t->color = btf__add_enum(t->btf, "color", 4);
	btf__add_enum_value(t->btf, "RED", 1);
	btf__add_enum_value(t->btf, "GREEN", 2);
	t->counter = btf__add_struct(t->btf, "counter", 16);
	btf__add_field(t->btf, "packets", t->u64, 0, 0);
	btf__add_field(t->btf, "bytes", t->u64, 64, 0);
	arr_c = btf__add_array(t->btf, t->u32, t->counter, 2);
	arr_name = btf__add_array(t->btf, t->u32, t->chr, 8);
	anon = btf__add_union(t->btf, NULL, 4);
	btf__add_field(t->btf, "x", t->u32, 0, 0);
	btf__add_field(t->btf, "y", t->u8, 0, 0);
	t->rec = btf__add_struct(t->btf, "rec", 56);
	btf__add_field(t->btf, "id", t->u32, 0, 0);
	btf__add_field(t->btf, "delta", t->s32, 32, 0);
	btf__add_field(t->btf, "c", arr_c, 64, 0);
	btf__add_field(t->btf, "name", arr_name, 320, 0);
	btf__add_field(t->btf, "lo", t->u32, 384, 3);
	btf__add_field(t->btf, "hi", t->u32, 387, 5);
	btf__add_field(t->btf, NULL, anon, 416, 0);
}

TEST(mapval_btf_struct_text)
{
	struct types t;
	struct mv_type mt;
	uint64_t c[2] = {3, 294};
	char *s;

	build(&t);
	REQUIRE(mv_type_init(&mt, t.btf, (uint32_t)t.counter, 16, 0));
	s = fmt(&mt, c);
	CHECK_STR(s, "{packets=3, bytes=294}");
	free(s);
	/* MV_HEX shows the bytes even with BTF. */
	mv_type_init(&mt, t.btf, (uint32_t)t.counter, 16, MV_HEX);
	s = fmt(&mt, c);
	CHECK_STR(s, "03 00 00 00 00 00 00 00 26 01 00 00 00 00 00 00");
	free(s);
	/* A BTF type of another size is ignored. */
	CHECK(!mv_type_init(&mt, t.btf, (uint32_t)t.counter, 8, 0));
	btf__free(t.btf);
}

static const char rec_text[] = "{id=7, delta=-2, c=[{packets=1, bytes=2}, {packets=3, bytes=4}], "
			       "name=\"eth0\", lo=5, hi=17, x=305419896}";

TEST(mapval_btf_nested_round_trip_text)
{
	struct types t;
	struct mv_type mt;
	struct bk_diag d;
	uint8_t b[56], b2[56];
	char *s;

	build(&t);
	REQUIRE(mv_type_init(&mt, t.btf, (uint32_t)t.rec, 56, 0));
	bk_diag__init(&d);
	REQUIRE_EQ(mv_parse_text(&mt, rec_text, b, "value", &d), 0);
	CHECK_EQ(b[48], 5 | 17 << 3);
	s = fmt(&mt, b);
	CHECK_STR(s, rec_text);
	REQUIRE_EQ(mv_parse_text(&mt, s, b2, "value", &d), 0);
	CHECK_MEM(b, b2, sizeof(b));
	free(s);
	btf__free(t.btf);
}

TEST(mapval_btf_json_round_trip)
{
	struct types t;
	struct mv_type mt;
	struct bk_diag d;
	uint8_t b[56], b2[56];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_w w;
	json_t *j;

	build(&t);
	REQUIRE(mv_type_init(&mt, t.btf, (uint32_t)t.rec, 56, 0));
	bk_diag__init(&d);
	REQUIRE_EQ(mv_parse_text(&mt, rec_text, b, "value", &d), 0);
	json_init(&w, f, false);
	mv_format_json(&w, &mt, b);
	fclose(f);
	CHECK(strstr(buf, "\"name\":\"eth0\"") != NULL);
	j = json_loads(buf, JSON_DECODE_ANY, NULL);
	REQUIRE(j != NULL);
	REQUIRE_EQ(mv_parse_json(&mt, j, b2, "value", &d), 0);
	CHECK_MEM(b, b2, sizeof(b));
	json_decref(j);
	free(buf);
	btf__free(t.btf);
}

TEST(mapval_btf_errors)
{
	struct types t;
	struct mv_type mt;
	struct bk_diag d;
	uint8_t b[56];

	build(&t);
	REQUIRE(mv_type_init(&mt, t.btf, (uint32_t)t.rec, 56, 0));
	bk_diag__init(&d);
	CHECK_EQ(mv_parse_text(&mt, "{nosuch=1}", b, "value", &d), -ENOENT);
	CHECK_EQ(mv_parse_text(&mt, "{id=-1}", b, "value", &d), -ERANGE);
	CHECK_EQ(mv_parse_text(&mt, "{lo=8}", b, "value", &d), -ERANGE); /* 3 bits */
	CHECK_EQ(mv_parse_text(&mt, "{c=[{packets=1}]}", b, "value", &d), -EMSGSIZE);
	CHECK_EQ(mv_parse_text(&mt, "{name=\"too long name\"}", b, "value", &d), -ERANGE);
	CHECK_EQ(mv_parse_text(&mt, "{id=", b, "value", &d), -EINVAL);
	CHECK_EQ(mv_parse_text(&mt, "{id=1} x", b, "value", &d), -EINVAL);
	CHECK_EQ(mv_parse_text(&mt, "[1]", b, "value", &d), -EINVAL);
	/* Members of an anonymous union are set in order; the last wins. */
	CHECK_EQ(mv_parse_text(&mt, "{x=1, y=2}", b, "value", &d), 0);
	btf__free(t.btf);
}

TEST(mapval_btf_enum_and_float)
{
	struct types t;
	struct mv_type mt;
	struct bk_diag d;
	uint8_t b[8];
	uint32_t v;
	double x;
	char *s;

	build(&t);
	bk_diag__init(&d);
	REQUIRE(mv_type_init(&mt, t.btf, (uint32_t)t.color, 4, 0));
	REQUIRE_EQ(mv_parse_text(&mt, "GREEN", b, "value", &d), 0);
	memcpy(&v, b, 4);
	CHECK_EQ(v, 2);
	s = fmt(&mt, b);
	CHECK_STR(s, "GREEN");
	free(s);
	v = 9;
	s = fmt(&mt, &v);
	CHECK_STR(s, "9");
	free(s);
	CHECK_EQ(mv_parse_text(&mt, "BLUE", b, "value", &d), -ENOENT);
	REQUIRE(mv_type_init(&mt, t.btf, (uint32_t)t.dbl, 8, 0));
	REQUIRE_EQ(mv_parse_text(&mt, "1.5", b, "value", &d), 0);
	memcpy(&x, b, 8);
	CHECK(x == 1.5);
	REQUIRE_EQ(mv_parse_text(&mt, "2", b, "value", &d), 0); /* an integer, as a double */
	memcpy(&x, b, 8);
	CHECK(x == 2.0);
	btf__free(t.btf);
}

TEST(mapval_json_big_u64_is_a_string)
{
	struct types t;
	struct mv_type mt;
	struct bk_diag d;
	uint64_t v = UINT64_MAX, v2 = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_w w;
	json_t *j;

	build(&t);
	REQUIRE(mv_type_init(&mt, t.btf, (uint32_t)t.u64, 8, 0));
	json_init(&w, f, false);
	mv_format_json(&w, &mt, &v);
	fclose(f);
	CHECK_STR(buf, "\"18446744073709551615\"");
	j = json_loads(buf, JSON_DECODE_ANY, NULL);
	REQUIRE(j != NULL);
	bk_diag__init(&d);
	REQUIRE_EQ(mv_parse_json(&mt, j, &v2, "value", &d), 0);
	CHECK(v2 == UINT64_MAX);
	json_decref(j);
	free(buf);
	btf__free(t.btf);
}

TEST(mapval_json_plain_forms)
{
	struct mv_type mt;
	struct bk_diag d;
	uint8_t b[4];
	json_t *j;

	mv_type_init(&mt, NULL, 0, 4, 0);
	bk_diag__init(&d);
	j = json_string("0a 00 00 01");
	CHECK_EQ(mv_parse_json(&mt, j, b, "key", &d), 0);
	CHECK_MEM(b, "\x0a\x00\x00\x01", 4);
	json_decref(j);
	j = json_integer(258);
	CHECK_EQ(mv_parse_json(&mt, j, b, "key", &d), 0);
	CHECK_MEM(b, "\x02\x01\x00\x00", 4);
	json_decref(j);
	j = json_string("10.1.2.3");
	CHECK_EQ(mv_parse_json(&mt, j, b, "key", &d), 0);
	CHECK_MEM(b, "\x0a\x01\x02\x03", 4);
	json_decref(j);
	j = json_object();
	CHECK_EQ(mv_parse_json(&mt, j, b, "key", &d), -ENOTSUP);
	json_decref(j);
	j = json_string("0a 00");
	CHECK_EQ(mv_parse_json(&mt, j, b, "key", &d), -EMSGSIZE);
	json_decref(j);
	j = json_string("zz");
	CHECK_EQ(mv_parse_json(&mt, j, b, "key", &d), -EINVAL);
	json_decref(j);
}

TEST(mapval_relaxed_syntax)
{
	struct bk_diag d;
	json_t *j;

	bk_diag__init(&d);
	j = mv_relaxed_parse("{a=1, \"b\": [1, -2, 0x10,], c=NAME, d=\"x\\\"y\", e=1.5}", &d);
	REQUIRE(j != NULL);
	CHECK_EQ(json_integer_value(json_object_get(j, "a")), 1);
	CHECK_EQ(json_integer_value(json_array_get(json_object_get(j, "b"), 2)), 16);
	CHECK_STR(json_string_value(json_object_get(j, "c")), "NAME");
	CHECK_STR(json_string_value(json_object_get(j, "d")), "x\"y");
	CHECK(json_is_real(json_object_get(j, "e")));
	json_decref(j);
	CHECK(mv_relaxed_parse("{a=1", &d) == NULL);
	CHECK(mv_relaxed_parse("[1 2]", &d) == NULL);
	CHECK(mv_relaxed_parse("\"open", &d) == NULL);
	CHECK(mv_relaxed_parse("{=1}", &d) == NULL);
	CHECK(mv_relaxed_parse("", &d) == NULL);
}
