// SPDX-License-Identifier: MIT
/*
 * globals.bpf.c - global functions as real programs use them: a context
 * parameter named by the program type's own context struct (pt_regs for
 * kprobes, __sk_buff, xdp_md, bpf_sock_ops), a parameter tagged
 * __arg_ctx, a pointer parameter that may be NULL and must be checked,
 * and __hidden globals (usdt.bpf.h's style) that libbpf turns static, so
 * that they are verified per call site and may write through a pointer
 * unchecked.
 */
#include "corpus.h"

#include <linux/ptrace.h>

#define __hidden __attribute__((visibility("hidden")))
#define __arg_ctx __attribute__((btf_decl_tag("arg:ctx")))

__noinline int regs_ip_nonzero(struct pt_regs *regs)
{
	return regs && regs->rip != 0;
}

SEC("kprobe/do_nanosleep")
int kprobe_ctx_to_global(struct pt_regs *ctx)
{
	return regs_ip_nonzero(ctx);
}

__noinline int skb_len_of(struct __sk_buff *skb)
{
	return skb ? (int)skb->len : 0;
}

SEC("tc")
int tc_ctx_to_global(struct __sk_buff *skb)
{
	return skb_len_of(skb) > 100 ? TC_ACT_SHOT : TC_ACT_OK;
}

/* xdp_md is not the context of a tc program: the parameter is memory of
 * sizeof(struct xdp_md) bytes, and the context is no such memory. */
__noinline int xdp_len_of(struct xdp_md *x)
{
	return x ? (int)(x->data_end - x->data) : 0;
}

SEC("tc")
int tc_ctx_as_xdp_md(struct __sk_buff *skb)
{
	return xdp_len_of((struct xdp_md *)skb);
}

__noinline int tagged_len(void *ctx __arg_ctx)
{
	struct __sk_buff *skb = ctx;

	return skb->len;
}

SEC("tc")
int tc_tagged_ctx(struct __sk_buff *skb)
{
	return tagged_len(skb) > 1 ? TC_ACT_OK : TC_ACT_SHOT;
}

__noinline int store_checked(__u64 *out, __u64 v)
{
	if (!out)
		return -1;
	*out = v;
	return 0;
}

__noinline int store_unchecked(__u64 *out, __u64 v)
{
	*out = v;
	return 0;
}

__hidden __noinline int store_hidden(__u64 *out, __u64 v)
{
	*out = v;
	return 0;
}

SEC("xdp")
int xdp_global_checked(struct xdp_md *ctx)
{
	__u64 v = 0;

	store_checked(&v, ctx->ingress_ifindex);
	return v ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int xdp_global_unchecked(struct xdp_md *ctx)
{
	__u64 v = 0;

	store_unchecked(&v, ctx->ingress_ifindex);
	return v ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int xdp_hidden_global(struct xdp_md *ctx)
{
	__u64 v = 0;

	store_hidden(&v, ctx->ingress_ifindex);
	return v ? XDP_PASS : XDP_DROP;
}
