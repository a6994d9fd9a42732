// SPDX-License-Identifier: MIT
/*
 * iter_precise.bpf.c - which values an iterator loop keeps exact.  The
 * kernel makes a compared value precise only where the comparison is
 * decided; at the next iteration it forgets (widens) the values that are
 * not precise, so that the loop converges.  A sum tested only after the
 * loop (undecided there) is widened and the loop converges; a flag the
 * body tests while it is known (decided each time) stays exact and keeps
 * the unsafe branch out; a counter the body tests against a bound stays
 * exact and the loop is walked until the test fails.
 */
#include "iter_common.h"

/* sum += *v for each element, then "sum < 28": widened, converges */
SEC("xdp") int sum_tested_after(struct xdp_md *ctx)
{
	__u64 sum = 0;
	int i = 0;

	it_for(i, 0, 55) sum += (__u32)i;
	return sum < 28 ? XDP_PASS : XDP_DROP;
}

/* flag flips between 0 and 1; "flag > 1" never holds and guards an
 * unchecked packet read that would be rejected */
SEC("xdp") int flag_tested_inside(struct xdp_md *ctx)
{
	char *data = (char *)(long)ctx->data;
	__u32 flag = 0;
	int i = 0;

	it_for(i, 0, 55)
	{
		if (opaque32(flag) > 1)
			return *data;
		flag ^= 1;
	}
	return XDP_PASS;
}

/* n counts iterations and the body stops at 40: exact, walked 40 times */
SEC("xdp") int counter_tested_inside(struct xdp_md *ctx)
{
	__u32 n = 0;
	int i = 0;

	it_for(i, 0, 1000)
	{
		if (opaque32(n) >= 40)
			break;
		n++;
	}
	return n == 40 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
