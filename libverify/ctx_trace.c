// SPDX-License-Identifier: MIT
/*
 * ctx_trace.c - tracing contexts without BTF: kprobe/uprobe (struct
 * pt_regs, x86-64), tracepoint (the tracepoint's record), raw_tracepoint
 * (u64 arguments) and its writable variant, perf_event (struct
 * bpf_perf_event_data) and syscall (the caller's buffer); plus the flow
 * keys of flow_dissector programs and the tracepoint buffer of writable
 * raw tracepoints.
 *
 * The kernel checks tracepoint records against the tracepoint's size only
 * when the program is attached: at load time any aligned read below
 * PERF_MAX_TRACE_SIZE past the 8 bytes of common fields is accepted, and
 * so (through an unsigned comparison in the kernel) is any negative one.
 */
#include "types_int.h"

#define PT_REGS_SIZE 168	  /* struct pt_regs, x86-64 */
#define PERF_MAX_TRACE_SIZE 8192  /* the kernel's tracepoint record limit */
#define RAW_TP_ARGS_SIZE (12 * 8) /* MAX_BPF_FUNC_ARGS u64 arguments */
#define FLOW_KEYS_SIZE 56	  /* struct bpf_flow_keys */
#define SYSCALL_CTX_MAX 65535	  /* U16_MAX */

// clang-format off
static const struct vfield perf_event_fields[] = {
/*	 off  end  esz rd   wr  any type  vflags who  wwho  field */
	{0,   168, 8,  S8,  0,  0,  0,    0,     0,   0},   /* regs (bpf_user_pt_regs_t) */
	{168, 184, 8,  SN8, 0,  1,  0,    0,     0,   0},   /* sample_period, addr */
};
// clang-format on

static bool aligned_in(int off, int size, int lo, int hi)
{
	return off >= lo && off < hi && off + size <= hi && !(off % size);
}

bool trace_ctx_valid(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags)
{
	switch (env->in->type) {
	case BK_PROG_KPROBE:
		return t == V_READ && aligned_in(off, size, 0, PT_REGS_SIZE);
	case BK_PROG_TRACEPOINT:
		if (t != V_READ || off % size)
			return false;
		return off < 0 || (off >= 8 && off < PERF_MAX_TRACE_SIZE);
	case BK_PROG_RAW_TRACEPOINT_WRITABLE:
		if (off == 0 && t == V_READ) {
			*type = VT_TP_BUFFER;
			return size == 8;
		}
		/* fallthrough */
	case BK_PROG_RAW_TRACEPOINT:
		return t == V_READ && aligned_in(off, size, 0, RAW_TP_ARGS_SIZE);
	case BK_PROG_PERF_EVENT:
		if (off < 0 || off % size)
			return false;
		return field_access(FIELDS(perf_event_fields), 1, off, size, t, type, flags);
	case BK_PROG_SYSCALL:
		return aligned_in(off, size, 0, SYSCALL_CTX_MAX);
	default:
		return false;
	}
}

/* The kernel's check_flow_keys_access(). */
int flow_keys_access(struct venv *env, int regno, int off, int size, int t, int value_regno)
{
	struct vreg *regs = cur_regs(env), *r = &regs[regno];
	int err;

	if ((err = check_ptr_off_reg(env, r, regno, true)))
		return err;
	if (t == V_WRITE && value_regno >= 0 && reg_is_ptr(&regs[value_regno]))
		return verr(env, BK_E_V_PTR_ARITH, "R%d leaks addr into flow keys", value_regno);
	if (off < 0 || off + size > FLOW_KEYS_SIZE)
		return verr(env, BK_E_V_MEM_BOUNDS, "invalid access to flow keys off=%d size=%d",
			    off, size);
	if (t == V_READ && value_regno >= 0)
		reg_mark_unknown(&regs[value_regno]); /* mem.c narrows it to size */
	return 0;
}

/* The kernel's check_tp_buffer_access() and check_buffer_access() (an
 * iterator's key or value buffer, VF_RDONLY for keys): any offset at or
 * above 0 (the largest one is checked against the tracepoint or map when
 * attaching). */
int tp_buffer_access(struct venv *env, int regno, int off, int size, int t, int value_regno)
{
	struct vreg *regs = cur_regs(env), *r = &regs[regno];
	char vb[48];

	if (t == V_WRITE && (r->flags & VF_RDONLY))
		return verr(env, BK_E_V_READONLY, "R%d cannot write into rdonly_buf", regno);

	if (off < 0)
		return verr(env, BK_E_V_MEM_BOUNDS,
			    "R%d invalid tracepoint buffer access: off=%d, size=%d", regno, off,
			    size);
	if (!tnum_is_const(r->var_off) || r->var_off.value) {
		tnum_str(vb, sizeof(vb), r->var_off);
		return verr(env, BK_E_V_UNBOUNDED,
			    "R%d invalid variable buffer offset: off=%d, var_off=%s", regno, off,
			    vb);
	}
	if (t == V_READ && value_regno >= 0)
		reg_mark_unknown(&regs[value_regno]); /* mem.c narrows it to size */
	return 0;
}
