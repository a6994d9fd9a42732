// SPDX-License-Identifier: MIT
/*
 * ops.c - a test object covering instruction forms for bpfas round trips
 * and the llvm-objdump comparison: cpu v4 (sign-extending loads, movsx,
 * sdiv/smod, bswap, gotol, may_goto, callx), every atomic in both widths,
 * the legacy packet loads, 32-bit jumps and 64-bit immediates.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 counters[4];
__u32 small[4];

SEC("tc")
int atomics(struct __sk_buff *skb)
{
	__u64 v = skb->len;
	__u32 w = skb->mark;

	__sync_fetch_and_add(&counters[0], v);
	__sync_fetch_and_or(&counters[1], v);
	__sync_fetch_and_and(&counters[2], v);
	__sync_fetch_and_xor(&counters[3], v);
	v = __sync_fetch_and_add(&counters[0], 2) + __sync_fetch_and_or(&counters[1], 4) +
	    __sync_fetch_and_and(&counters[2], 8) + __sync_fetch_and_xor(&counters[3], 16);
	v += __sync_lock_test_and_set(&counters[0], v);
	v += __sync_val_compare_and_swap(&counters[1], v, 7);
	__sync_fetch_and_add(&small[0], w);
	__sync_fetch_and_or(&small[1], w);
	__sync_fetch_and_and(&small[2], w);
	__sync_fetch_and_xor(&small[3], w);
	w = __sync_fetch_and_add(&small[0], 2) + __sync_fetch_and_xor(&small[3], 3);
	w += __sync_lock_test_and_set(&small[1], w);
	w += __sync_val_compare_and_swap(&small[2], w, 9);
	return (int)(v + w);
}

SEC("tc")
int arith(struct __sk_buff *skb)
{
	long a = (long)(int)skb->len, b = (long)(short)skb->mark;
	int c = (int)(signed char)skb->priority;
	__u64 big = 0x1122334455667788ull;

	a = a / (b | 1) + a % (b | 3);
	c = c / ((int)b | 1) + c % 7;
	big = __builtin_bswap64(big ^ (__u64)a);
	if ((int)c > -5 && (unsigned int)c < 1000u)
		a += 0xfffffffffull;
	return (int)(a + c + (int)big + (int)__builtin_bswap32((__u32)b) +
		     (int)__builtin_bswap16((__u16)c));
}

/* Forms the compiler emits rarely, from inline assembly. */
SEC("socket")
__attribute__((naked)) int forms(void)
{
	asm volatile("r6 = r1;"
		     "r0 = *(u8 *)skb[12];"
		     "r0 = *(u16 *)skb[14];"
		     "r0 = *(u32 *)skb[r0];"
		     "r1 = *(s8 *)(r10 - 8);"
		     "r1 = *(s16 *)(r10 - 8);"
		     "r1 = *(s32 *)(r10 - 8);"
		     "w2 = (s8)w1;"
		     "w2 = (s16)w1;"
		     "r2 = (s32)r1;"
		     "r2 = be16 r2;"
		     "r2 = le64 r2;"
		     "r2 = bswap32 r2;"
		     "r3 s/= 3;"
		     "w3 s%%= w2;"
		     "r3 s>>= 2;"
		     "w3 = -w3;"
		     "if w3 s> 5 goto 1f;"
		     "gotol 1f;"
		     "1:"
		     "may_goto 2f;"
		     "r0 = 0x7fffffff ll;"
		     "2:"
		     "r0 = 0;"
		     "exit;" ::
			     : "memory");
}

char LICENSE[] SEC("license") = "GPL";
