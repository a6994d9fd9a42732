// SPDX-License-Identifier: MIT
/*
 * rw_btf_walk.bpf.c - walks of kernel objects through arrays of pointers
 * (cgroup tools read task->cgroups->subsys[id]): an element at a constant
 * index is a pointer like a member; a variable index is refused.  A
 * trailing flexible array of ints reads scalars at any index; one of
 * pointers is refused.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_switch")
int BPF_PROG(walk_subsys_const, bool preempt, struct task_struct *prev)
{
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *css;

	if (id < 0 || id >= CGROUP_SUBSYS_COUNT)
		return 0;
	css = prev->cgroups->subsys[id];
	if (!css)
		return 0;
	return css->cgroup->kn->id > 5;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(walk_subsys_var, bool preempt, struct task_struct *prev)
{
	__u32 id = bpf_get_prandom_u32() % CGROUP_SUBSYS_COUNT;
	struct cgroup_subsys_state *css = prev->cgroups->subsys[id];

	return css != 0;
}

/* mm_struct ends in a flexible array of longs: any index reads a scalar */
SEC("tp_btf/sched_switch")
int BPF_PROG(walk_flex_ints, bool preempt, struct task_struct *prev)
{
	struct mm_struct *mm = prev->mm;

	if (!mm)
		return 0;
	return mm->cpu_bitmap[2] & 1;
}

/* cgroup ends in a flexible array of pointers, which the kernel refuses */
SEC("tp_btf/sched_switch")
int BPF_PROG(walk_flex_ptrs, bool preempt, struct task_struct *prev)
{
	struct cgroup *cg = prev->cgroups->dfl_cgrp;

	return cg->ancestors[1] != 0;
}
