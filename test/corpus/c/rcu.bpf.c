// SPDX-License-Identifier: MIT
/*
 * rcu.bpf.c - bpf_rcu_read_lock()/bpf_rcu_read_unlock() (kfuncs, Linux
 * 6.2): a region that must be closed before the program exits, may not
 * nest (6.18 refuses a second lock), may span a static subprogram's
 * return and a global function call, follows the path (a lock and an
 * unlock under the same decided condition), and may not hold a tail call.
 */
#include "corpus.h"

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} rcu_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} rcu_jmp SEC(".maps");

__noinline int rcu_gsub(int x)
{
	return x + 1;
}

static __noinline int rcu_ssub_lock(int x)
{
	bpf_rcu_read_lock();
	return x + 1;
}

SEC("tp/syscalls/sys_enter_getpid")
int rcu_nested(void *ctx)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	bpf_rcu_read_unlock();
	return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int rcu_unmatched(void *ctx)
{
	bpf_rcu_read_unlock();
	return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int rcu_global_call(void *ctx)
{
	int r;

	bpf_rcu_read_lock();
	r = rcu_gsub(1);
	bpf_rcu_read_unlock();
	return r & 1;
}

SEC("tp/syscalls/sys_enter_getpid")
int rcu_lock_in_subprog(void *ctx)
{
	int r = rcu_ssub_lock(1);

	bpf_rcu_read_unlock();
	return r & 1;
}

SEC("tp/syscalls/sys_enter_getpid")
int rcu_branchy(void *ctx)
{
	__u64 t = bpf_ktime_get_ns();

	if (t & 1)
		bpf_rcu_read_lock();
	if (t & 1)
		bpf_rcu_read_unlock();
	return 0;
}

SEC("xdp")
int rcu_xdp(struct xdp_md *ctx)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return XDP_PASS;
}

SEC("tc")
int rcu_tc(struct __sk_buff *ctx)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int rcu_helper_inside(void *ctx)
{
	char buf[16];

	bpf_rcu_read_lock();
	bpf_get_current_comm(buf, sizeof(buf));
	bpf_rcu_read_unlock();
	return buf[0] & 1;
}

SEC("tp/syscalls/sys_enter_getpid")
int rcu_ok(void *ctx)
{
	__u32 k = 0;
	__u64 *v;

	bpf_rcu_read_lock();
	v = bpf_map_lookup_elem(&rcu_cnt, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	bpf_rcu_read_unlock();
	return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int rcu_unbalanced(void *ctx)
{
	bpf_rcu_read_lock();
	return 0;
}

SEC("tc")
int rcu_tail_call(struct __sk_buff *ctx)
{
	bpf_rcu_read_lock();
	bpf_tail_call(ctx, &rcu_jmp, 0);
	bpf_rcu_read_unlock();
	return 0;
}
