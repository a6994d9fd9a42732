// SPDX-License-Identifier: MIT
/* The differential test in make check: random valid programs (diffgen.c)
 * in the interpreter and as native code must leave the same r0, buffer,
 * stack and maps, in checked and trusted mode; programs with one access
 * moved out of bounds must fault alike; programs libverify accepts, JITed
 * with its facts, must agree too.  BK_JIT_DIFF_N sets the number of
 * programs per variant (default 1000). */
#include <stdlib.h>

#include "diffgen.h"
#include "harness.h"

static uint64_t count(void)
{
	const char *s = getenv("BK_JIT_DIFF_N");

	return s ? strtoull(s, NULL, 0) : 1000;
}

static void run(unsigned flags, uint64_t base)
{
	struct dg_stats st = {0};
	uint64_t n = count();
	char msg[512];

	for (uint64_t seed = base; seed < base + n; seed++) {
		int rc = dg_check(seed, flags, &st, msg, sizeof(msg));

		if (rc) {
			bk_test__fail(__FILE__, __LINE__, "seed %llu flags %u: %s",
				      (unsigned long long)seed, flags, msg);
			return;
		}
	}
	CHECK(st.programs >= n * 9 / 10);
	if (flags & DG_FAULTS)
		CHECK(st.faulted > 0);
	if (flags & DG_VERIFY) /* most are verifiable (no callx, callbacks, ...) */
		CHECK(st.verified >= n / 2 && st.facts_used > 0);
}

TEST(jit_diff_random)
{
	run(0, 1);
}

TEST(jit_diff_random_no_bmi2_harden)
{
	run(DG_NO_BMI2 | DG_HARDEN, 1000000);
}

TEST(jit_diff_random_with_facts)
{
	run(DG_FACTS, 3000000);
}

TEST(jit_diff_random_with_verifier_facts)
{
	run(DG_VERIFY, 4000000);
}

TEST(jit_diff_faults)
{
	run(DG_FAULTS, 2000000);
}
