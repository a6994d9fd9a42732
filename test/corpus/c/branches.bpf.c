// SPDX-License-Identifier: MIT
/*
 * branches.bpf.c - what comparisons teach the verifier: unsigned and
 * signed bounds, 32-bit compares, ranges from two compares, jset, bounds
 * carried to copies of the compared register, impossible branches.
 */
#include "corpus.h"

#define GUARD64(name, cond, idx)                                                                   \
	SEC("xdp") int name(struct xdp_md *ctx)                                                    \
	{                                                                                          \
		__u32 k = 0;                                                                       \
		struct val64 *v = bpf_map_lookup_elem(&arr, &k);                                   \
		__u64 x = unknown64();                                                             \
		if (!v || !(cond))                                                                 \
			return XDP_PASS;                                                           \
		return v->b[(idx)];                                                                \
	}

#define GUARD32(name, cond, idx)                                                                   \
	SEC("xdp") int name(struct xdp_md *ctx)                                                    \
	{                                                                                          \
		__u32 k = 0;                                                                       \
		struct val64 *v = bpf_map_lookup_elem(&arr, &k);                                   \
		__u32 x = unknown32();                                                             \
		if (!v || !(cond))                                                                 \
			return XDP_PASS;                                                           \
		return v->b[(idx)];                                                                \
	}

GUARD64(lt_64, x < 64, x)
GUARD64(le_64, x <= 64, x)
GUARD64(le_63, x <= 63, x)
GUARD64(gt_range, x > 10 && x < 60, x)
GUARD64(gt_range_sub, x > 10 && x < 74, x - 10)
GUARD64(gt_range_sub_bad, x > 10 && x < 75, x - 10)
GUARD64(signed_lt, (__s64)x < 64, x)
GUARD64(signed_both, (__s64)x < 64 && (__s64)x >= 0, x)
GUARD64(ne_only, x != 64, x)
GUARD64(eq_const, x == 17, x)
GUARD64(eq_const_bad, x == 64, x)
GUARD64(copy_bounded, x < 50, x + 13)
GUARD64(copy_bounded_bad, x < 50, x + 14)
GUARD64(w_on_64, (__u32)x < 64, x)
GUARD64(w_on_64_cast, (__u32)x < 64, (__u32)x)
GUARD32(w_lt, x < 64, x)
GUARD32(w_ge_bad, x >= 1, x)
GUARD32(w_signed, (__s32)x < 64 && (__s32)x > -1, x)
GUARD32(w_two_sided, x > 5 && x < 20, x * 3)
GUARD32(w_jset_high, !(x & 0xffffffc0), x)
GUARD32(w_jset_partial, !(x & 0xffffff00), x)
GUARD32(w_impossible, x > 100 && x < 50, x)
GUARD32(w_range_add, x < 32, x + 31)
GUARD32(w_range_add_bad, x < 32, x + 32)
GUARD32(w_ushort, (__u16)x < 64 && x < 0x10000, x)
