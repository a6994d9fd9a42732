// SPDX-License-Identifier: MIT
/*
 * bounds.bpf.c - scalar bounds through ALU operations: each program indexes
 * a 64-byte map value with an expression of an unknown value; the verdict
 * depends on whether the verifier's range for the expression stays inside
 * [0, 63] (masks, shifts, multiplies, adds, 32-bit ops, sign extension,
 * division and modulo, negation, byte swaps).
 */
#include "corpus.h"

#define IDX64(name, expr)                                                                          \
	SEC("xdp") int name(struct xdp_md *ctx)                                                    \
	{                                                                                          \
		__u32 k = 0;                                                                       \
		struct val64 *v = bpf_map_lookup_elem(&arr, &k);                                   \
		__u64 x = unknown64();                                                             \
		if (!v)                                                                            \
			return XDP_PASS;                                                           \
		return v->b[(expr)];                                                               \
	}

#define IDX32(name, expr)                                                                          \
	SEC("xdp") int name(struct xdp_md *ctx)                                                    \
	{                                                                                          \
		__u32 k = 0;                                                                       \
		struct val64 *v = bpf_map_lookup_elem(&arr, &k);                                   \
		__u32 x = unknown32();                                                             \
		if (!v)                                                                            \
			return XDP_PASS;                                                           \
		return v->b[(expr)];                                                               \
	}

IDX64(and_63, x & 63)
IDX64(and_64, x & 64)
IDX64(and_127, x & 127)
IDX64(and_0x3c, x & 0x3c)
IDX64(rsh_58, x >> 58)
IDX64(rsh_57, x >> 57)
IDX64(arsh_59, (__u64)((__s64)x >> 59) & 63)
IDX64(arsh_unmasked, (__s64)x >> 58)
IDX64(mul_15x4, (x & 15) * 4)
IDX64(mul_15x5, (x & 15) * 5)
IDX64(add_7_56, (x & 7) + 56)
IDX64(add_7_57, (x & 7) + 57)
IDX64(sub_from_63, 63 - (x & 63))
IDX64(sub_from_62, 62 - (x & 63))
IDX64(or_32, (x & 31) | 32)
IDX64(or_64, (x & 31) | 64)
IDX64(xor_63, (x & 63) ^ 63)
IDX64(xor_64, (x & 63) ^ 64)
IDX64(lsh_3, (x & 7) << 3)
IDX64(lsh_4, (x & 7) << 4)
IDX64(mod_60, x % 60)
IDX64(div_unknown, (x & 255) / 4)
IDX64(and_after_div, (x / 3) & 63)
IDX64(neg_masked, (-(x & 63)) & 63)
IDX64(two_masks, (x & 0xf0) >> 2)
IDX64(two_masks_bad, (x & 0xf0) >> 1)
IDX64(plus_minus, ((x & 31) + 40) - 20)
IDX64(plus_minus_bad, ((x & 31) + 40) - 8)
IDX32(w_and_63, x & 63)
IDX32(w_rsh_26, x >> 26)
IDX32(w_rsh_25, x >> 25)
IDX32(w_mul, (x & 7) * 9)
IDX32(w_mul_bad, (x & 7) * 10)
IDX32(w_add_wrap, (x + 5) & 63)
IDX32(w_sub, (x & 63) - 0)
IDX32(w_shift_pair, (x << 26) >> 26)
IDX32(w_shift_pair_bad, (x << 25) >> 25)
IDX32(w_mod, x % 64)
IDX32(w_mod_61, x % 61)
IDX32(w_min_ternary, x < 63 ? x : 63)
IDX32(w_min_ternary_bad, x < 65 ? x : 63)
IDX32(w_u8_cast, (__u8)x & 63)
IDX32(w_u8_cast_bad, (__u8)x)
IDX32(w_u16_shift, (__u16)x >> 10)
IDX32(w_u16_shift_bad, (__u16)x >> 9)
IDX32(w_bswap, __builtin_bswap16((__u16)(x & 0x3f00)))
IDX32(w_bswap_bad, __builtin_bswap16((__u16)(x & 0x7f00)))
IDX32(w_s8, (__u64)(__s64)(__s8)x & 63)
IDX32(w_s8_bad, (__s64)(__s8)(x & 63))
IDX32(w_s8_neg, (__s64)(__s8)(x | 0x80))
