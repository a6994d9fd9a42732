// SPDX-License-Identifier: MIT
/*
 * type_trace.bpf.c - tracing program types without BTF: kprobe, uprobe
 * and their return probes (struct pt_regs), tracepoint (the record read
 * through ctx, checked against the tracepoint only when attached),
 * raw_tracepoint (u64 arguments) and its writable variant, perf_event
 * (struct bpf_perf_event_data) and syscall programs; with the helpers
 * these types call most and the ones they may not.
 */
#include "corpus.h"
#include <linux/bpf_perf_event.h>
#include <linux/perf_event.h>
#include <linux/ptrace.h>

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

/* ---- kprobe / uprobe: struct pt_regs, read only ---- */
SEC("kprobe/do_unlinkat") int kprobe_args(struct pt_regs *ctx)
{
	return (ctx->rdi + ctx->rsi + ctx->rdx + ctx->rcx + ctx->r8) & 1;
}

SEC("kprobe/do_unlinkat") int kprobe_narrow(struct pt_regs *ctx)
{
	return *((__u8 *)&ctx->rdi + 1) + *((__u16 *)&ctx->rsi + 3);
}

SEC("kprobe/do_unlinkat") int kprobe_write_ctx(struct pt_regs *ctx)
{
	ctx->rdi = 0;
	return 0;
}

SEC("kprobe/do_unlinkat") int kprobe_past_regs(struct pt_regs *ctx)
{
	return *(__u64 *)((char *)ctx + sizeof(*ctx));
}

SEC("kretprobe/do_unlinkat") int kretprobe_rc(struct pt_regs *ctx)
{
	return ctx->rax == 0;
}

SEC("uprobe") int uprobe_sp(struct pt_regs *ctx)
{
	__u64 word = 0;

	bpf_probe_read_user(&word, sizeof(word), (void *)ctx->rsp);
	return word & 1;
}

SEC("uprobe.s") int uprobe_sleepable_copy(struct pt_regs *ctx)
{
	char buf[16];

	return bpf_copy_from_user(buf, sizeof(buf), (void *)ctx->rdi) == 0;
}

SEC("kprobe/do_unlinkat") int kprobe_copy_from_user(struct pt_regs *ctx)
{
	char buf[16];

	return bpf_copy_from_user(buf, sizeof(buf), (void *)ctx->rdi) == 0;
}

SEC("kprobe/do_unlinkat") int kprobe_probe_read_str(struct pt_regs *ctx)
{
	char name[32];
	long n = bpf_probe_read_kernel_str(name, sizeof(name), (void *)ctx->rsi);

	/* the result is at most the buffer size: name[n - 1] is inside */
	if (n <= 0)
		return 0;
	return name[n - 1];
}

SEC("kprobe/do_unlinkat") int kprobe_legacy_probe_read(struct pt_regs *ctx)
{
	char buf[8];

	bpf_probe_read(buf, sizeof(buf), (void *)ctx->rdi);
	return buf[3];
}

SEC("kprobe/do_unlinkat") int kprobe_legacy_probe_read_str(struct pt_regs *ctx)
{
	char name[16];
	long n = bpf_probe_read_str(name, sizeof(name), (void *)ctx->rsi);

	if (n <= 0)
		return 0;
	return name[n - 1];
}

/* clang tests a copy of n: the index loses the helper's bound */
SEC("kprobe/do_unlinkat") int kprobe_probe_read_str_index_lost(struct pt_regs *ctx)
{
	char buf[8];
	long n;

	bpf_probe_read(buf, sizeof(buf), (void *)ctx->rdi);
	n = bpf_probe_read_str(buf, sizeof(buf), (void *)ctx->rsi);
	return n > 0 ? buf[n - 1] : buf[0];
}

SEC("kprobe/do_unlinkat") int kprobe_stack(struct pt_regs *ctx)
{
	__u64 ips[8];
	long n = bpf_get_stack(ctx, ips, sizeof(ips), 0);

	if (n < (long)sizeof(__u64))
		return 0;
	return ips[0] & 1;
}

SEC("kprobe/do_unlinkat") int kprobe_stackid(struct pt_regs *ctx)
{
	return bpf_get_stackid(ctx, &stacks, BPF_F_FAST_STACK_CMP) > 0;
}

SEC("kprobe/do_unlinkat") int kprobe_stackid_wrong_map(struct pt_regs *ctx)
{
	return bpf_get_stackid(ctx, &events, 0) > 0;
}

SEC("kprobe/do_unlinkat") int kprobe_perf_output(struct pt_regs *ctx)
{
	__u64 pid = bpf_get_current_pid_tgid();

	return bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &pid, sizeof(pid));
}

SEC("kprobe/do_unlinkat") int kprobe_func_ip_cookie(struct pt_regs *ctx)
{
	return (bpf_get_func_ip(ctx) ^ bpf_get_attach_cookie(ctx)) & 1;
}

SEC("kprobe/do_unlinkat") int kprobe_task_helpers(struct pt_regs *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 ips[4];
	long n = bpf_get_task_stack(t, ips, sizeof(ips), 0);

	(void)ctx;
	return n > 0 && bpf_task_pt_regs(t) != 0;
}

SEC("kprobe/do_unlinkat") int kprobe_current_task(struct pt_regs *ctx)
{
	(void)ctx;
	return bpf_get_current_task() != 0 && bpf_current_task_under_cgroup(&cgroups, 0) == 1;
}

SEC("kprobe/do_unlinkat") int kprobe_perf_counters(struct pt_regs *ctx)
{
	struct bpf_perf_event_value v;

	(void)ctx;
	if (bpf_perf_event_read_value(&events, BPF_F_CURRENT_CPU, &v, sizeof(v)))
		return 0;
	return (bpf_perf_event_read(&events, BPF_F_CURRENT_CPU) + v.counter) & 1;
}

SEC("kprobe/do_unlinkat") int kprobe_branch_snapshot(struct pt_regs *ctx)
{
	__u64 entries[6];

	(void)ctx;
	return bpf_get_branch_snapshot(entries, sizeof(entries), 0) > 0;
}

SEC("kprobe/do_unlinkat") int kprobe_signal(struct pt_regs *ctx)
{
	(void)ctx;
	return bpf_send_signal(9) + bpf_send_signal_thread(9);
}

SEC("kprobe/do_unlinkat") int kprobe_skb_helper(struct pt_regs *ctx)
{
	char b[4];

	return bpf_skb_load_bytes(ctx, 0, b, sizeof(b));
}

SEC("kprobe/do_unlinkat") int kprobe_override(struct pt_regs *ctx)
{
	return bpf_override_return(ctx, -1);
}

SEC("kprobe/do_unlinkat") int kprobe_ringbuf_event(struct pt_regs *ctx)
{
	__u64 *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

	if (!e)
		return 0;
	*e = ctx->rdi;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* ---- tracepoint: the record, read only, past the common fields ---- */
struct sys_enter_rec {
	__u64 common;
	long id;
	unsigned long args[6];
};

SEC("tracepoint/raw_syscalls/sys_enter") int tp_record(struct sys_enter_rec *ctx)
{
	return (ctx->id + ctx->args[0]) & 1;
}

SEC("tracepoint/raw_syscalls/sys_enter") int tp_narrow(struct sys_enter_rec *ctx)
{
	return *((__u8 *)&ctx->id + 3);
}

SEC("tracepoint/raw_syscalls/sys_enter") int tp_common_fields(struct sys_enter_rec *ctx)
{
	return ctx->common & 1;
}

SEC("tracepoint/raw_syscalls/sys_enter") int tp_write(struct sys_enter_rec *ctx)
{
	ctx->id = 0;
	return 0;
}

SEC("tracepoint/raw_syscalls/sys_enter") int tp_far_in_record(struct sys_enter_rec *ctx)
{
	return *(__u64 *)((char *)ctx + 8184) & 1;
}

SEC("tracepoint/raw_syscalls/sys_enter") int tp_beyond_max_record(struct sys_enter_rec *ctx)
{
	return *(__u64 *)((char *)ctx + 8192) & 1;
}

/* The kernel compares the offset with 8 as an unsigned value: a negative
 * one passes the load-time check (attaching compares it again). */
SEC("tracepoint/raw_syscalls/sys_enter") int tp_negative_offset(struct sys_enter_rec *ctx)
{
	return *(__u64 *)((char *)ctx - 8) & 1;
}

SEC("tracepoint/raw_syscalls/sys_enter") int tp_get_stackid(struct sys_enter_rec *ctx)
{
	return bpf_get_stackid(ctx, &stacks, 0) > 0;
}

/* ---- raw_tracepoint: u64 arguments ---- */
SEC("raw_tp/sys_enter") int raw_tp_args(struct bpf_raw_tracepoint_args *ctx)
{
	return (ctx->args[0] + ctx->args[1]) & 1;
}

SEC("raw_tp/sys_enter") int raw_tp_arg_12(struct bpf_raw_tracepoint_args *ctx)
{
	return ctx->args[12] & 1;
}

SEC("raw_tp/sys_enter") int raw_tp_write(struct bpf_raw_tracepoint_args *ctx)
{
	ctx->args[0] = 0;
	return 0;
}

SEC("raw_tp/sys_enter") int raw_tp_probe_read(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	unsigned long di = 0;

	bpf_probe_read_kernel(&di, sizeof(di), &regs->rdi);
	return di & 1;
}

/* raw_tp.w: args[0] is the tracepoint's writable buffer */
SEC("raw_tp.w/sys_enter") int raw_tp_w_buffer(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 *buf = (__u32 *)ctx->args[0];

	buf[1] = 7;
	return buf[0] & 1;
}

SEC("raw_tp.w/sys_enter") int raw_tp_w_buffer_negative(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 *buf = (__u32 *)ctx->args[0];

	return buf[-1] & 1;
}

SEC("raw_tp.w/sys_enter") int raw_tp_w_buffer_narrow(struct bpf_raw_tracepoint_args *ctx)
{
	return *(__u32 *)ctx & 1;
}

/* ---- perf_event: struct bpf_perf_event_data ---- */
SEC("perf_event") int pe_sample(struct bpf_perf_event_data *ctx)
{
	return (*(__u32 *)&ctx->sample_period + ctx->addr + ctx->regs.rip) & 1;
}

SEC("perf_event") int pe_regs_narrow(struct bpf_perf_event_data *ctx)
{
	return *(__u32 *)&ctx->regs.rip & 1;
}

SEC("perf_event") int pe_write(struct bpf_perf_event_data *ctx)
{
	ctx->sample_period = 1;
	return 0;
}

SEC("perf_event") int pe_read_value(struct bpf_perf_event_data *ctx)
{
	struct bpf_perf_event_value v;

	if (bpf_perf_prog_read_value(ctx, &v, sizeof(v)))
		return 0;
	return v.enabled > v.running;
}

SEC("perf_event") int pe_branch_records(struct bpf_perf_event_data *ctx)
{
	struct perf_branch_entry e[4];

	return bpf_read_branch_records(ctx, e, sizeof(e), 0) > 0;
}

SEC("perf_event") int pe_branch_records_size(struct bpf_perf_event_data *ctx)
{
	return bpf_read_branch_records(ctx, NULL, 0, BPF_F_GET_BRANCH_RECORDS_SIZE) > 0;
}

/* ---- syscall: the caller's buffer, read and write ---- */
struct syscall_args {
	__u64 in;
	__u64 out;
	char name[16];
};

SEC("syscall") int syscall_ctx(struct syscall_args *ctx)
{
	ctx->out = ctx->in * 2;
	return 0;
}

SEC("syscall") int syscall_helpers(struct syscall_args *ctx)
{
	char name[16] = "bpf_prog_put";
	__u64 addr = 0;

	bpf_kallsyms_lookup_name(name, sizeof(name), 0, &addr);
	ctx->out = bpf_btf_find_by_name_kind(name, sizeof(name), 1, 0);
	return bpf_sys_close(-1) + (addr != 0);
}

/* the context is not memory a helper may read */
SEC("syscall") int syscall_ctx_as_string(struct syscall_args *ctx)
{
	__u64 addr = 0;

	ctx->name[sizeof(ctx->name) - 1] = 0;
	bpf_kallsyms_lookup_name(ctx->name, sizeof(ctx->name), 0, &addr);
	ctx->out = bpf_btf_find_by_name_kind(ctx->name, sizeof(ctx->name), 1, 0);
	return bpf_sys_close(-1) + (addr != 0);
}

SEC("syscall") int syscall_ctx_too_far(struct syscall_args *ctx)
{
	return *(__u64 *)((char *)ctx + 65536) & 1;
}
