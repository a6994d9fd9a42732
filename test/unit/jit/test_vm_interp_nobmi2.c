// SPDX-License-Identifier: MIT
/* The interpreter's unit tests once more as native code without BMI2
 * shifts (counts go through cl, r4's register) and without inlined
 * array lookups; test names get a "nobmi2_" prefix. */
#define JT_FLAGS (BK_JIT_NO_BMI2 | BK_JIT_NO_INLINE)
#include "jittest.h"

#undef TEST
#define TEST(tname)                                                                                \
	static void test_##tname(void);                                                            \
	static struct bk_test test_reg_##tname = {"nobmi2_" #tname, __FILE__, test_##tname, NULL}; \
	__attribute__((constructor)) static void test_ctor_##tname(void)                           \
	{                                                                                          \
		bk_test__register(&test_reg_##tname);                                              \
	}                                                                                          \
	static void test_##tname(void)

#include "../vm/test_interp.c"
