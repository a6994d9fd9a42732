// SPDX-License-Identifier: MIT
/*
 * kobj.bpf.c - kfuncs over kernel objects (Linux 6.2): bpf_task_acquire
 * and bpf_task_from_pid return a referenced task or NULL that must be
 * released with bpf_task_release on every path (the cgroup kfuncs alike);
 * refused: a leak, a possibly NULL argument, releasing a task that holds
 * no reference, use after release, a double release, a pointer that is
 * not RCU-protected (task->parent; task->real_parent is), a kprobe.
 * Task storage takes a tracepoint's task or an acquired one.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

SEC("tp_btf/sys_enter")
int BPF_PROG(acq_rel, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_task_acquire(bpf_get_current_task_btf());

	if (!t)
		return 0;
	bpf_task_release(t);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(acq_leak, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_task_acquire(bpf_get_current_task_btf());

	if (!t)
		return 0;
	return t->pid & 1;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(acq_nocheck_release, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_task_acquire(bpf_get_current_task_btf());

	bpf_task_release(t);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(release_current, struct pt_regs *regs, long id)
{
	bpf_task_release(bpf_get_current_task_btf());
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(from_pid, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_task_from_pid(1);
	int pid;

	if (!t)
		return 0;
	pid = t->pid;
	bpf_task_release(t);
	return pid & 1;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(use_after_release, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return 0;
	bpf_task_release(t);
	return t->pid & 1;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(double_release, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return 0;
	bpf_task_release(t);
	bpf_task_release(t);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(acquire_parent, struct pt_regs *regs, long id)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *p;

	p = bpf_task_acquire(cur->group_leader);
	if (!p)
		return 0;
	bpf_task_release(p);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(cgroup_from_id, struct pt_regs *regs, long id)
{
	struct cgroup *c = bpf_cgroup_from_id(1), *d;
	int level;

	if (!c)
		return 0;
	d = bpf_cgroup_acquire(c);
	level = c->level;
	bpf_cgroup_release(c);
	if (d)
		bpf_cgroup_release(d);
	return level & 1;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(cgroup_leak_on_one_path, struct pt_regs *regs, long id)
{
	struct cgroup *c = bpf_cgroup_from_id(1);

	if (!c)
		return 0;
	if (id == 39)
		return 1;
	bpf_cgroup_release(c);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(release_scalar, struct pt_regs *regs, long id)
{
	bpf_task_release((struct task_struct *)id);
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long);
} kobj_ts SEC(".maps");

SEC("tp_btf/sched_switch")
int BPF_PROG(sw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	long *v = bpf_task_storage_get(&kobj_ts, next, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (v)
		*v += 1;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sw_acq, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *t = bpf_task_acquire(next);
	long *v;

	if (!t)
		return 0;
	v = bpf_task_storage_get(&kobj_ts, t, 0, 0);
	if (v)
		*v += 1;
	bpf_task_release(t);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sw_parent, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *p = bpf_task_acquire(next->real_parent);

	if (!p)
		return 0;
	bpf_task_release(p);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sw_parent2, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *p = bpf_task_acquire(next->parent);

	if (!p)
		return 0;
	bpf_task_release(p);
	return 0;
}

SEC("kprobe/do_nanosleep")
int kp_acq(void *ctx)
{
	struct task_struct *t = bpf_task_acquire(bpf_get_current_task_btf());

	if (!t)
		return 0;
	bpf_task_release(t);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
