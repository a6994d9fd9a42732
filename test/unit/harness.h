/* SPDX-License-Identifier: MIT */
/*
 * harness.h - bpfkit's small unit test harness.
 *
 *   TEST(decode_refuses_reserved) { CHECK_EQ(bk_decode(...), -BK_E_RESERVED); }
 *
 * Tests register themselves at start-up; the runner (harness.c) runs them
 * all, or those whose name contains argv[1], and ends with the line
 * "N passed, N failed".  CHECK* records a failure and goes on; REQUIRE*
 * ends the test.  Assert on codes, indices and bytes, not message text.
 */
#ifndef BK_HARNESS_H
#define BK_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct bk_test {
	const char *name;
	const char *file;
	void (*fn)(void);
	struct bk_test *next;
};

void bk_test__register(struct bk_test *t);
/* Records a failure of the running test; returns false. */
bool bk_test__fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TEST(tname)                                                                                \
	static void test_##tname(void);                                                            \
	static struct bk_test test_reg_##tname = {#tname, __FILE__, test_##tname, NULL};           \
	__attribute__((constructor)) static void test_ctor_##tname(void)                           \
	{                                                                                          \
		bk_test__register(&test_reg_##tname);                                              \
	}                                                                                          \
	static void test_##tname(void)

#define CHECK(cond)                                                                                \
	({                                                                                         \
		bool ok_ = (cond);                                                                 \
		if (!ok_)                                                                          \
			bk_test__fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                     \
		ok_;                                                                               \
	})

#define CHECK_EQ(a, b)                                                                             \
	({                                                                                         \
		long long ca_ = (long long)(a), cb_ = (long long)(b);                              \
		if (ca_ != cb_)                                                                    \
			bk_test__fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, ca_,   \
				      cb_);                                                        \
		ca_ == cb_;                                                                        \
	})

#define CHECK_STR(a, b)                                                                            \
	({                                                                                         \
		const char *sa_ = (a), *sb_ = (b);                                                 \
		bool ok_ = sa_ && sb_ && !strcmp(sa_, sb_);                                        \
		if (!ok_)                                                                          \
			bk_test__fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,    \
				      sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");                 \
		ok_;                                                                               \
	})

#define CHECK_MEM(a, b, n)                                                                         \
	({                                                                                         \
		bool ok_ = !memcmp((a), (b), (n));                                                 \
		if (!ok_)                                                                          \
			bk_test__fail(__FILE__, __LINE__, "memcmp(%s, %s, %s) != 0", #a, #b, #n);  \
		ok_;                                                                               \
	})

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!CHECK(cond))                                                                  \
			return;                                                                    \
	} while (0)

#define REQUIRE_EQ(a, b)                                                                           \
	do {                                                                                       \
		if (!CHECK_EQ(a, b))                                                               \
			return;                                                                    \
	} while (0)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
