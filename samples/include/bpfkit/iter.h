/* SPDX-License-Identifier: MIT */
/*
 * bpfkit/iter.h - open-coded number iterators for BPF C (Linux 6.4+).
 *
 *   bk_for(i, 2, 5) { ... }      runs the body with i = 2, 3, 4
 *   bk_repeat(3) { ... }         runs the body three times
 *
 * The loops are driven by the kernel's bpf_iter_num_new/next/destroy
 * kfuncs, so the verifier accepts them without unrolling or a provable
 * counter bound: it relies on `next` returning NULL at the end.  The
 * iterator lives on the BPF stack and is destroyed when the loop's scope
 * ends (a `break` included), through the cleanup attribute.
 */
#ifndef BPFKIT_ITER_H
#define BPFKIT_ITER_H

#include <linux/types.h>

#ifndef __ksym
#define __ksym __attribute__((section(".ksyms")))
#endif

/* The kernel matches kfunc arguments by BTF type name and size. */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

static inline __attribute__((always_inline)) void bk_iter_num_end(struct bpf_iter_num *it)
{
	bpf_iter_num_destroy(it);
}

/* One iterator per loop; `bk_it_` names are reserved for these macros. */
#define bk_for(i, start, end)                                                                      \
	for (struct bpf_iter_num bk_it_ __attribute__((cleanup(bk_iter_num_end))),                 \
	     *bk_it_once_ = (bpf_iter_num_new(&bk_it_, (start), (end)), (void *)0);                \
	     ({                                                                                    \
		     int *bk_it_v_ = bpf_iter_num_next(&bk_it_);                                   \
		     if (bk_it_v_)                                                                 \
			     (i) = *bk_it_v_;                                                      \
		     bk_it_v_ != 0;                                                                \
	     });                                                                                   \
	     (void)bk_it_once_)

#define bk_repeat(n)                                                                               \
	for (struct bpf_iter_num bk_it_ __attribute__((cleanup(bk_iter_num_end))),                 \
	     *bk_it_once_ = (bpf_iter_num_new(&bk_it_, 0, (n)), (void *)0);                        \
	     bpf_iter_num_next(&bk_it_) != 0; (void)bk_it_once_)

#endif
