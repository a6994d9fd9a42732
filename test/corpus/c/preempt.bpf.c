// SPDX-License-Identifier: MIT
/*
 * preempt.bpf.c - bpf_preempt_disable()/bpf_preempt_enable() (kfuncs,
 * Linux 6.10): they nest, must balance before the program exits, and no
 * tail call may leave the region; a global function call inside is fine.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern void bpf_preempt_disable(void) __ksym;
extern void bpf_preempt_enable(void) __ksym;

SEC("tp_btf/sys_enter")
int BPF_PROG(pd_ok, struct pt_regs *regs, long id)
{
	bpf_preempt_disable();
	bpf_preempt_enable();
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(pd_nested, struct pt_regs *regs, long id)
{
	bpf_preempt_disable();
	bpf_preempt_disable();
	bpf_preempt_enable();
	bpf_preempt_enable();
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(pd_unmatched, struct pt_regs *regs, long id)
{
	bpf_preempt_enable();
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(pd_exit_inside, struct pt_regs *regs, long id)
{
	bpf_preempt_disable();
	return 0;
}

SEC("tc")
int pd_tc(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_preempt_enable();
	return 0;
}

SEC("xdp")
int pd_xdp(struct xdp_md *ctx)
{
	bpf_preempt_disable();
	bpf_preempt_enable();
	return XDP_PASS;
}

__noinline int pd_g(int x)
{
	return x + 1;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(pd_global, struct pt_regs *regs, long id)
{
	int r;

	bpf_preempt_disable();
	r = pd_g(1);
	bpf_preempt_enable();
	return r & 1;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} pd_jmp SEC(".maps");

SEC("tc")
int pd_tail(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_tail_call(skb, &pd_jmp, 0);
	bpf_preempt_enable();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
