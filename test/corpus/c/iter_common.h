/* SPDX-License-Identifier: MIT */
/*
 * iter_common.h - what the loop, iterator and callback programs of the
 * verifier corpus share: the number iterator kfuncs (Linux 6.4+), a
 * counted loop over them, and the callback helpers' declarations (from
 * bpf_helpers.h through corpus.h).
 *
 * it_for(i, a, b) runs its body for i = a .. b-1 with an iterator in a
 * stack slot the compiler picks, destroyed when the loop's scope ends.
 */
#ifndef ITER_COMMON_H
#define ITER_COMMON_H

#include "corpus.h"

#ifndef __ksym
#define __ksym __attribute__((section(".ksyms")))
#endif

struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

static __always_inline void it_end(struct bpf_iter_num *it)
{
	bpf_iter_num_destroy(it);
}

#define it_for(i, a, b)                                                                            \
	for (struct bpf_iter_num it_ __attribute__((cleanup(it_end))),                             \
	     *it_once_ = (bpf_iter_num_new(&it_, (a), (b)), (void *)0);                            \
	     ({                                                                                    \
		     int *it_v_ = bpf_iter_num_next(&it_);                                         \
		     if (it_v_)                                                                    \
			     (i) = *it_v_;                                                         \
		     it_v_ != 0;                                                                   \
	     });                                                                                   \
	     (void)it_once_)

/* A value the verifier cannot see through, kept in a register. */
static __always_inline __u32 opaque32(__u32 v)
{
	asm volatile("" : "+r"(v));
	return v;
}

#endif
