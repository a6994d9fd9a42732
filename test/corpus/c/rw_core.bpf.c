// SPDX-License-Identifier: MIT
/*
 * rw_core.bpf.c - CO-RE as tracing tools use it: bitfields read with
 * BPF_CORE_READ_BITFIELD (libbpf widens the load to the bitfield's storage
 * unit, which the kernel takes as a scalar), "___flavor" structs whose
 * local layout differs from the kernel's (the relocated offsets decide),
 * fields the kernel lacks (guarded by bpf_core_field_exists, or reached
 * and poisoned into an invalid call), and an array index past a sized
 * array's end in an access string, which libbpf refuses.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct mm_struct___rw {
	int pad[3];
	int map_count;
} __attribute__((preserve_access_index));

struct task_struct___rw {
	long long pad[5];
	int pid;
	int tgid;
	struct task_struct___rw *real_parent;
	struct mm_struct___rw *mm;
	long state; /* not in 6.x kernels */
} __attribute__((preserve_access_index));

SEC("tp_btf/sched_wakeup")
int BPF_PROG(core_bitfield, struct task_struct *t)
{
	return BPF_CORE_READ_BITFIELD(t, in_iowait) + BPF_CORE_READ_BITFIELD(t, in_execve);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(core_flavor_walk, bool preempt, struct task_struct *prev)
{
	struct task_struct___rw *p = (void *)prev;
	struct mm_struct___rw *mm = p->mm;

	if (!mm)
		return 0;
	return mm->map_count + p->real_parent->tgid;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(core_missing_guarded, bool preempt, struct task_struct *prev)
{
	struct task_struct___rw *p = (void *)prev;

	if (bpf_core_field_exists(p->state))
		return p->state;
	return p->pid;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(core_missing_reached, bool preempt, struct task_struct *prev)
{
	struct task_struct___rw *p = (void *)prev;

	return p->state;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(core_index_past_end, bool preempt, struct task_struct *prev)
{
	return __builtin_preserve_access_index(&prev->comm[20]) != 0;
}
