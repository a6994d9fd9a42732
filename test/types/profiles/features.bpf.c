// SPDX-License-Identifier: MIT
/*
 * features.bpf.c - programs that need a kernel feature newer than some
 * release bpfverify knows: helpers (bpf_cgrp_storage_get, Linux 6.2),
 * program types (netfilter, 6.4), attach types (unix socket hooks, 6.7),
 * open-coded iterators (numbers 6.4, kmem caches 6.13), context
 * fields (bpf_sock_ops.skb_hwtstamp, 6.2).  Built with -mcpu=v3 so that
 * only the feature named differs; test/types/profiles.expect says what
 * each release decides and why.
 */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;
extern int bpf_iter_kmem_cache_new(struct bpf_iter_kmem_cache *it) __ksym;
extern struct kmem_cache *bpf_iter_kmem_cache_next(struct bpf_iter_kmem_cache *it) __ksym;
extern void bpf_iter_kmem_cache_destroy(struct bpf_iter_kmem_cache *it) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} cgrp_store SEC(".maps");

/* bpf_cgrp_storage_get: helper 210, Linux 6.2 */
SEC("tp_btf/sched_switch")
int BPF_PROG(cgrp_storage, bool preempt, struct task_struct *prev)
{
	__u64 *v = bpf_cgrp_storage_get(&cgrp_store, prev->cgroups->dfl_cgrp, 0,
					BPF_LOCAL_STORAGE_GET_F_CREATE);

	return v ? 0 : 0;
}

/* the netfilter program type: Linux 6.4 */
SEC("netfilter") int netfilter_accept(struct bpf_nf_ctx *ctx)
{
	return ctx->skb->len > 0 ? 1 : 1;
}

unsigned int total;

/* open-coded number iterators: Linux 6.4 */
SEC("xdp") int iter_num_sum(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	unsigned int sum = 0;
	int *v;

	bpf_iter_num_new(&it, 0, 4);
	while ((v = bpf_iter_num_next(&it)))
		sum += 1;
	bpf_iter_num_destroy(&it);
	total = sum; /* stored, not compared: the sum need not be exact */
	return XDP_PASS;
}

/* cgroup sock_addr hooks of unix sockets: Linux 6.7 */
SEC("cgroup/connect_unix") int connect_unix(struct bpf_sock_addr *ctx)
{
	return ctx->user_family == 1 ? 1 : 1;
}

/* kmem_cache iterators: Linux 6.13 */
SEC("syscall") int iter_kmem_caches(void *ctx)
{
	struct bpf_iter_kmem_cache it;
	struct kmem_cache *s;
	unsigned int n = 0;

	bpf_iter_kmem_cache_new(&it);
	while ((s = bpf_iter_kmem_cache_next(&it)))
		n++;
	bpf_iter_kmem_cache_destroy(&it);
	return n ? 0 : 0;
}

/* bpf_sock_ops.skb_hwtstamp: Linux 6.2 */
SEC("sockops") int sockops_hwtstamp(struct bpf_sock_ops *ops)
{
	return ops->skb_hwtstamp != 0;
}
