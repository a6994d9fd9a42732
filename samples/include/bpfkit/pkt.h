/* SPDX-License-Identifier: MIT */
/*
 * bpfkit/pkt.h - small packet-parsing helpers for the samples: bounds-
 * checked header access in the form the verifier understands.
 */
#ifndef BPFKIT_PKT_H
#define BPFKIT_PKT_H

#include <linux/types.h>

/* A cursor over [data, data_end). */
struct bk_cursor {
	void *pos;
	void *end;
};

/* Returns a pointer to the next `len` bytes and advances, or NULL when the
 * packet is shorter.  The comparison against `end` is what proves the
 * access safe to the verifier. */
#define bk_pull(c, type)                                                                           \
	({                                                                                         \
		type *bk_p_ = (c)->pos;                                                            \
		if ((void *)(bk_p_ + 1) > (c)->end)                                                \
			bk_p_ = 0;                                                                 \
		else                                                                               \
			(c)->pos = bk_p_ + 1;                                                      \
		bk_p_;                                                                             \
	})

#endif
