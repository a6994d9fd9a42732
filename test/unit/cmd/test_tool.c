// SPDX-License-Identifier: MIT
/* Unit tests of the tools' shared code (cmd/common): JSON writer, parsing. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "tool.h"

/* Runs fn against a json_w on a memory stream; returns the text (malloc'ed). */
static char *render(void (*fn)(struct json_w *), bool pretty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_w w;

	json_init(&w, f, pretty);
	fn(&w);
	fclose(f);
	return buf;
}

static void doc_nested(struct json_w *w)
{
	json_obj_begin(w);
	json_kv_str(w, "name", "a\"b\\c\n\x01");
	json_key(w, "list");
	json_arr_begin(w);
	json_int(w, -3);
	json_uint(w, 18446744073709551615ull);
	json_bool(w, true);
	json_null(w);
	json_hex(w, "\x0a\xff", 2);
	json_arr_end(w);
	json_key(w, "empty");
	json_obj_begin(w);
	json_obj_end(w);
	json_obj_end(w);
}

TEST(json_compact_escapes_and_commas)
{
	char *s = render(doc_nested, false);

	CHECK_STR(s, "{\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"list\":[-3,18446744073709551615,true,"
		     "null,\"0a ff\"],\"empty\":{}}");
	free(s);
}

TEST(json_pretty_is_same_document)
{
	char *s = render(doc_nested, true);

	CHECK(strstr(s, "\n  \"list\": [\n    -3,") != NULL);
	free(s);
}

TEST(parse_numbers)
{
	uint64_t u;
	int64_t v;

	CHECK_EQ(tool_parse_u64("0x10", &u), 0);
	CHECK_EQ(u, 16);
	CHECK_EQ(tool_parse_u64("0b101", &u), 0);
	CHECK_EQ(u, 5);
	CHECK_EQ(tool_parse_u64("18446744073709551615", &u), 0);
	CHECK_EQ(tool_parse_u64("18446744073709551616", &u), -ERANGE);
	CHECK_EQ(tool_parse_u64("12x", &u), -EINVAL);
	CHECK_EQ(tool_parse_u64("", &u), -EINVAL);
	CHECK_EQ(tool_parse_u64("-1", &u), -EINVAL);
	CHECK_EQ(tool_parse_s64("-9223372036854775808", &v), 0);
	CHECK_EQ(v, INT64_MIN);
	CHECK_EQ(tool_parse_s64("9223372036854775808", &v), -ERANGE);
}

TEST(parse_hex_forms)
{
	uint8_t *b;
	size_t n;

	REQUIRE_EQ(tool_parse_hex("0a ff,00:1B", &b, &n), 0);
	CHECK_EQ(n, 4);
	CHECK_MEM(b, "\x0a\xff\x00\x1b", 4);
	free(b);
	REQUIRE_EQ(tool_parse_hex("0x0102", &b, &n), 0);
	CHECK_EQ(n, 2);
	free(b);
	CHECK_EQ(tool_parse_hex("0g", &b, &n), -EINVAL);
	CHECK_EQ(tool_parse_hex("abc", &b, &n), -EINVAL); /* odd digit count */
}

TEST(read_write_file_round_trip)
{
	char path[] = "/tmp/bk-unit-XXXXXX";
	int fd = mkstemp(path);
	char *buf;
	size_t len;

	REQUIRE(fd >= 0);
	close(fd);
	CHECK_EQ(tool_write_file(path, "hello", 5), 0);
	REQUIRE_EQ(tool_read_file(path, 0, &buf, &len), 0);
	CHECK_EQ(len, 5);
	CHECK_MEM(buf, "hello", 5);
	CHECK_EQ(buf[5], 0);
	free(buf);
	CHECK_EQ(tool_read_file(path, 2, &buf, &len), -EFBIG);
	unlink(path);
	CHECK_EQ(tool_read_file("/nonexistent/x", 0, &buf, &len), -ENOENT);
}

TEST(print_diag_with_caret)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct bk_diag d;
	const char *src = "mov %r0, 1\nmov32 %r0, 0x100000000\nexit\n";

	bk_diag__init(&d);
	bk_diag__set(&d, BK_E_ASM_RANGE, -1, "immediate out of range");
	d.file = "t.s";
	d.line = 2;
	d.col = 12;
	tool_print_diag(f, "bpfas", &d, src, strlen(src));
	fclose(f);
	CHECK_STR(out, "t.s:2:12: error: immediate out of range\n"
		       "  mov32 %r0, 0x100000000\n"
		       "             ^\n");
	free(out);
}
