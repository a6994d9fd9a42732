/* SPDX-License-Identifier: MIT */
/*
 * corpus.h - what the verifier corpus programs share: helper declarations
 * (libbpf's bpf_helpers.h), a few maps, and a value to index into.
 *
 * Each program's expected verdict (the running kernel's, which bpfverify
 * must equal) is in test/corpus/EXPECT.
 */
#ifndef CORPUS_H
#define CORPUS_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct val64 {
	unsigned char b[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct val64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, struct val64);
} hsh SEC(".maps");

/* An unknown 64-bit value the verifier cannot see through. */
static __always_inline __u64 unknown64(void)
{
	return bpf_ktime_get_ns();
}

/* An unknown value known to fit in 32 bits. */
static __always_inline __u32 unknown32(void)
{
	return bpf_get_prandom_u32();
}

char LICENSE[] SEC("license") = "GPL";

#endif
