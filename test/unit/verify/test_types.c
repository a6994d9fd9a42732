// SPDX-License-Identifier: MIT
/*
 * test_types.c - program types through bk_verify(): context fields by
 * type and expected attach type (sizes, narrow loads, stores, pointers
 * they load), return value ranges, helper availability by type, attach
 * type and sleepable, socket references from lookups.  Verdicts are Linux
 * 6.18's (test/types/ctxsweep.c and helpersweep.c compare every field and
 * helper with the running kernel; the corpus compares whole programs).
 */
#include <linux/bpf.h>

#include "harness.h"
#include "verify.h"

struct res {
	int rc;
	long insn;
};

static struct res run_at(enum bk_prog_type t, uint32_t attach, bool sleepable,
			 const struct bk_insn *p, size_t n)
{
	struct bk_verify_input in = {.sz = sizeof(in),
				     .insns = p,
				     .cnt = n,
				     .type = t,
				     .attach_type = attach,
				     .sleepable = sleepable};
	struct bk_verify_opts o = {.sz = sizeof(o), .gpl = true};
	struct bk_diag d;
	struct res r;

	r.rc = bk_verify(&in, &o, NULL, &d);
	r.insn = r.rc ? d.insn : -1;
	if (r.rc)
		CHECK_EQ(-r.rc, d.code);
	return r;
}

#define PROG(T, A, ...)                                                                            \
	({                                                                                         \
		const struct bk_insn p_[] = {__VA_ARGS__};                                         \
		run_at(T, A, false, p_, ARRAY_LEN(p_));                                            \
	})
#define RET(V) BK_MOV64_IMM(0, V), BK_EXIT()

TEST(kprobe_reads_pt_regs_any_size_not_past_it)
{
	CHECK_EQ(PROG(BK_PROG_KPROBE, 0, BK_LDX_MEM(B, 2, 1, 113), RET(0)).rc, 0);
	CHECK_EQ(PROG(BK_PROG_KPROBE, 0, BK_LDX_MEM(DW, 2, 1, 160), RET(0)).rc, 0);
	CHECK_EQ(PROG(BK_PROG_KPROBE, 0, BK_LDX_MEM(DW, 2, 1, 168), RET(0)).rc, -BK_E_V_CTX_ACCESS);
	CHECK_EQ(PROG(BK_PROG_KPROBE, 0, BK_LDX_MEM(W, 2, 1, 2), RET(0)).rc, -BK_E_V_CTX_ACCESS);
	CHECK_EQ(PROG(BK_PROG_KPROBE, 0, BK_ST_MEM(DW, 1, 0, 0), RET(0)).rc, -BK_E_V_CTX_ACCESS);
}

TEST(tracepoint_skips_common_fields_and_takes_negative_offsets)
{
	CHECK_EQ(PROG(BK_PROG_TRACEPOINT, 0, BK_LDX_MEM(DW, 2, 1, 0), RET(0)).rc,
		 -BK_E_V_CTX_ACCESS);
	CHECK_EQ(PROG(BK_PROG_TRACEPOINT, 0, BK_LDX_MEM(DW, 2, 1, 8), RET(0)).rc, 0);
	CHECK_EQ(PROG(BK_PROG_TRACEPOINT, 0, BK_LDX_MEM(DW, 2, 1, 8184), RET(0)).rc, 0);
	CHECK_EQ(PROG(BK_PROG_TRACEPOINT, 0, BK_LDX_MEM(DW, 2, 1, 8192), RET(0)).rc,
		 -BK_E_V_CTX_ACCESS);
	/* the kernel compares the offset with 8 unsigned: negative ones pass */
	CHECK_EQ(PROG(BK_PROG_TRACEPOINT, 0, BK_LDX_MEM(DW, 2, 1, -8), RET(0)).rc, 0);
}

TEST(raw_tp_writable_buffer)
{
	/* r2 = buffer (args[0] as 8 bytes); a store into it is fine */
	CHECK_EQ(PROG(BK_PROG_RAW_TRACEPOINT_WRITABLE, 0, BK_LDX_MEM(DW, 2, 1, 0),
		      BK_ST_MEM(W, 2, 4, 1), RET(0))
			 .rc,
		 0);
	struct res r = PROG(BK_PROG_RAW_TRACEPOINT_WRITABLE, 0, BK_LDX_MEM(DW, 2, 1, 0),
			    BK_LDX_MEM(W, 3, 2, -4), RET(0));
	CHECK_EQ(r.rc, -BK_E_V_MEM_BOUNDS);
	CHECK_EQ(r.insn, 1);
	CHECK_EQ(PROG(BK_PROG_RAW_TRACEPOINT_WRITABLE, 0, BK_LDX_MEM(W, 2, 1, 0), RET(0)).rc,
		 -BK_E_V_CTX_ACCESS);
	CHECK_EQ(PROG(BK_PROG_RAW_TRACEPOINT, 0, BK_LDX_MEM(DW, 2, 1, 88), RET(0)).rc, 0);
	CHECK_EQ(PROG(BK_PROG_RAW_TRACEPOINT, 0, BK_LDX_MEM(DW, 2, 1, 96), RET(0)).rc,
		 -BK_E_V_CTX_ACCESS);
}

TEST(perf_event_regs_whole_sample_period_narrow)
{
	CHECK_EQ(PROG(BK_PROG_PERF_EVENT, 0, BK_LDX_MEM(DW, 2, 1, 128), RET(0)).rc, 0);
	CHECK_EQ(PROG(BK_PROG_PERF_EVENT, 0, BK_LDX_MEM(W, 2, 1, 128), RET(0)).rc,
		 -BK_E_V_CTX_ACCESS);
	CHECK_EQ(PROG(BK_PROG_PERF_EVENT, 0, BK_LDX_MEM(B, 2, 1, 171), RET(0)).rc, 0);
}

TEST(skb_fields_by_type)
{
	const int mark = 8, tc_classid = 72, family = 88, data = 76;

	/* mark: tc and cgroup_skb write it, sk_skb may not even read it */
	CHECK_EQ(PROG(BK_PROG_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, BK_ST_MEM(W, 1, mark, 1), RET(1))
			 .rc,
		 0);
	CHECK_EQ(PROG(BK_PROG_SK_SKB, 0, BK_LDX_MEM(W, 2, 1, mark), RET(0)).rc, -BK_E_V_CTX_ACCESS);
	CHECK_EQ(PROG(BK_PROG_CGROUP_SKB, 0, BK_LDX_MEM(W, 2, 1, tc_classid), RET(1)).rc,
		 -BK_E_V_CTX_ACCESS);
	CHECK_EQ(PROG(BK_PROG_CGROUP_SKB, 0, BK_LDX_MEM(H, 2, 1, family), RET(1)).rc, 0);
	CHECK_EQ(PROG(BK_PROG_SCHED_CLS, 0, BK_LDX_MEM(W, 2, 1, family), RET(0)).rc,
		 -BK_E_V_CTX_ACCESS);
	/* data is a packet pointer, read only for lwt_in */
	CHECK_EQ(PROG(BK_PROG_LWT_IN, 0, BK_LDX_MEM(W, 2, 1, data), BK_LDX_MEM(W, 3, 1, data + 4),
		      BK_MOV64_REG(4, 2), BK_ALU64_IMM(ADD, 4, 1), BK_JMP_REG(JGT, 4, 3, 1),
		      BK_ST_MEM(B, 2, 0, 0), RET(0))
			 .rc,
		 -BK_E_V_READONLY);
	CHECK_EQ(PROG(BK_PROG_FLOW_DISSECTOR, 0, BK_LDX_MEM(W, 2, 1, 0), RET(0)).rc,
		 -BK_E_V_CTX_ACCESS);
}

TEST(sock_addr_fields_by_attach_type)
{
	const int user_ip4 = 4, user_ip6 = 8, msg_src_ip4 = 40;

	CHECK_EQ(PROG(BK_PROG_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT,
		      BK_ST_MEM(W, 1, user_ip4, 1), RET(1))
			 .rc,
		 0);
	CHECK_EQ(PROG(BK_PROG_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT,
		      BK_LDX_MEM(W, 2, 1, user_ip6), RET(1))
			 .rc,
		 -BK_E_V_CTX_ACCESS);
	CHECK_EQ(PROG(BK_PROG_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT,
		      BK_ST_MEM(DW, 1, user_ip6 + 8, 0), RET(1))
			 .rc,
		 0);
	CHECK_EQ(PROG(BK_PROG_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT,
		      BK_LDX_MEM(W, 2, 1, msg_src_ip4), RET(1))
			 .rc,
		 -BK_E_V_CTX_ACCESS);
	CHECK_EQ(PROG(BK_PROG_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG,
		      BK_LDX_MEM(W, 2, 1, msg_src_ip4), RET(1))
			 .rc,
		 0);
}

TEST(return_ranges)
{
	CHECK_EQ(PROG(BK_PROG_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, RET(2)).rc, -BK_E_V_RET_VALUE);
	CHECK_EQ(PROG(BK_PROG_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, RET(3)).rc, 0);
	CHECK_EQ(PROG(BK_PROG_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, RET(0)).rc,
		 -BK_E_V_RET_VALUE);
	CHECK_EQ(PROG(BK_PROG_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, RET(0)).rc, 0);
	CHECK_EQ(PROG(BK_PROG_SK_LOOKUP, BPF_SK_LOOKUP, RET(1)).rc, 0);
	CHECK_EQ(PROG(BK_PROG_SOCK_OPS, BPF_CGROUP_SOCK_OPS, RET(-1)).rc, -BK_E_V_RET_VALUE);
	CHECK_EQ(PROG(BK_PROG_KPROBE, 0, RET(-1)).rc, 0);
	/* a pointer in r0 where a range is checked */
	CHECK_EQ(PROG(BK_PROG_CGROUP_DEVICE, BPF_CGROUP_DEVICE, BK_MOV64_REG(0, 1), BK_EXIT()).rc,
		 -BK_E_V_RET_VALUE);
}

TEST(helpers_by_type_attach_and_sleepable)
{
	/* bpf_get_current_pid_tgid: every kernel type */
	CHECK_EQ(PROG(BK_PROG_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, BK_CALL(14), RET(1)).rc, 0);
	/* bpf_skb_load_bytes: not in kprobes */
	struct res r = PROG(BK_PROG_KPROBE, 0, BK_CALL(26), RET(0));
	CHECK_EQ(r.rc, -BK_E_V_HELPER_TYPE);
	CHECK_EQ(r.insn, 0);
	/* bpf_bind: connect hooks only */
	CHECK_EQ(PROG(BK_PROG_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, BK_CALL(64), RET(1)).rc,
		 -BK_E_V_HELPER_TYPE);
	/* bpf_get_retval: not in recvmsg hooks */
	CHECK_EQ(PROG(BK_PROG_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, BK_CALL(186), RET(1)).rc,
		 -BK_E_V_HELPER_TYPE);
	CHECK_EQ(PROG(BK_PROG_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, BK_CALL(186), RET(1)).rc,
		 0);
	/* bpf_copy_from_user: sleepable programs only */
	const struct bk_insn cfu[] = {BK_MOV64_REG(1, 10), BK_ALU64_IMM(ADD, 1, -8),
				      BK_MOV64_IMM(2, 8),  BK_MOV64_IMM(3, 0),
				      BK_CALL(148),	   RET(0)};
	CHECK_EQ(run_at(BK_PROG_KPROBE, 0, false, cfu, ARRAY_LEN(cfu)).rc, -BK_E_V_HELPER_TYPE);
	CHECK_EQ(run_at(BK_PROG_KPROBE, 0, true, cfu, ARRAY_LEN(cfu)).rc, 0);
	/* an id past the kernel's helpers */
	CHECK_EQ(PROG(BK_PROG_XDP, BPF_XDP, BK_CALL(212), RET(2)).rc, -BK_E_V_HELPER_UNKNOWN);
}

TEST(socket_lookup_reference_and_fields)
{
	/* tc: lookup a socket by a zeroed tuple, read a field, release */
	const struct bk_insn lookup[] = {BK_ST_MEM(DW, 10, -16, 0),
					 BK_ST_MEM(DW, 10, -8, 0),
					 BK_MOV64_REG(2, 10),
					 BK_ALU64_IMM(ADD, 2, -16),
					 BK_MOV64_IMM(3, 12),
					 BK_MOV64_IMM(4, -1),
					 BK_MOV64_IMM(5, 0),
					 BK_CALL(84),
					 BK_JMP_IMM(JEQ, 0, 0, 3),
					 BK_MOV64_REG(1, 0),
					 BK_LDX_MEM(W, 6, 0, 4), /* family */
					 BK_CALL(86),
					 RET(0)};
	CHECK_EQ(run_at(BK_PROG_SCHED_CLS, 0, false, lookup, ARRAY_LEN(lookup)).rc, 0);
	/* the same without the release leaks the reference */
	struct bk_insn leak[ARRAY_LEN(lookup)];

	memcpy(leak, lookup, sizeof(lookup));
	leak[11] = BK_MOV64_IMM(0, 0);
	CHECK_EQ(run_at(BK_PROG_SCHED_CLS, 0, false, leak, ARRAY_LEN(leak)).rc, -BK_E_V_REF_LEAK);
	/* a store into the socket */
	struct bk_insn store[ARRAY_LEN(lookup)];

	memcpy(store, lookup, sizeof(lookup));
	store[10] = BK_ST_MEM(W, 0, 4, 0);
	CHECK_EQ(run_at(BK_PROG_SCHED_CLS, 0, false, store, ARRAY_LEN(store)).rc, -BK_E_V_READONLY);
}

TEST(unsupported_and_unknown_types_are_refused)
{
	CHECK_EQ(PROG(BK_PROG_LIRC_MODE2, 0, RET(0)).rc, -BK_E_V_PROG_TYPE);
	CHECK_EQ(PROG(BK_PROG_STRUCT_OPS, 0, RET(0)).rc, -BK_E_V_PROG_TYPE);
	CHECK(bk_verify_supports_type(BK_PROG_SK_LOOKUP));
	CHECK(!bk_verify_supports_type(BK_PROG_LSM));
	/* syscall programs must be sleepable */
	CHECK_EQ(PROG(BK_PROG_SYSCALL, 0, RET(0)).rc, -BK_E_V_PROG_TYPE);
}
