/* SPDX-License-Identifier: MIT */
/*
 * factgen.h - facts for the JIT's tests from a small sound dataflow
 * (factgen.c), standing in for libverify's producer.
 */
#ifndef BK_FACTGEN_H
#define BK_FACTGEN_H

#include "uapi.h"

/* Fills out[cnt]; 0, or -1 when the program does not decode. */
int fg_facts(const struct bk_insn *insns, size_t cnt, struct bk_insn_fact *out);

#endif
