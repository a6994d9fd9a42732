// SPDX-License-Identifier: MIT
/*
 * test_profile.c - kernel releases as profiles: parsing --target-kernel
 * values, and rules that differ by release (kernels.def) - cpu v4 and
 * may_goto instructions, helpers, program and attach types - decided with
 * the target's rules and refused with the kernel's codes.
 */
#include <errno.h>
#include <linux/bpf.h>

#include "harness.h"
#include "verify.h"

static int run_on(uint32_t kver, enum bk_prog_type t, uint32_t attach, const struct bk_insn *p,
		  size_t n, long *insn)
{
	struct bk_verify_input in = {
		.sz = sizeof(in), .insns = p, .cnt = n, .type = t, .attach_type = attach};
	struct bk_verify_opts o = {.sz = sizeof(o), .gpl = true, .target_kernel = kver};
	struct bk_diag d;
	int rc = bk_verify(&in, &o, NULL, &d);

	if (insn)
		*insn = rc ? d.insn : -1;
	return rc;
}

#define ON(V, T, A, ...)                                                                           \
	({                                                                                         \
		const struct bk_insn p_[] = {__VA_ARGS__};                                         \
		run_on(V, T, A, p_, ARRAY_LEN(p_), NULL);                                          \
	})

TEST(kernel_parse)
{
	uint32_t v = 0;

	CHECK_EQ(bk_verify_kernel_parse("6.1", &v), 0);
	CHECK_EQ(v, BK_KVER(6, 1));
	CHECK_EQ(bk_verify_kernel_parse("6.12", &v), 0);
	CHECK_EQ(v, BK_KVER(6, 12));
	CHECK_EQ(bk_verify_kernel_parse("6.9.3-rc1", &v), 0);
	CHECK_EQ(v, BK_KVER(6, 9));
	CHECK_EQ(bk_verify_kernel_parse("newest", &v), 0);
	CHECK_EQ(v, bk_verify_kernel_newest());
	CHECK_EQ(bk_verify_kernel_newest(), BK_KVER(6, 18));
	/* newer than known: the newest rules */
	CHECK_EQ(bk_verify_kernel_parse("7.2", &v), 0);
	CHECK_EQ(v, bk_verify_kernel_newest());
	CHECK_EQ(bk_verify_kernel_parse("running", &v), 0);
	CHECK_EQ(bk_verify_kernel_parse("5.15", &v), -EINVAL);
	CHECK_EQ(bk_verify_kernel_parse("6", &v), -EINVAL);
	CHECK_EQ(bk_verify_kernel_parse("six", &v), -EINVAL);
	CHECK_EQ(bk_verify_kernel_parse("6.x", &v), -EINVAL);
	CHECK_EQ(bk_verify_kernel_parse(NULL, &v), -EINVAL);
}

TEST(cpu_v4_from_6_6)
{
	const struct bk_insn p[] = {BK_MOV64_IMM(0, 6), BK_MOV64_IMM(1, 3),
				    BK_I(SDIV64_X, 0, 1, 1, 0), BK_MOV64_IMM(0, 2), BK_EXIT()};
	long insn;

	CHECK_EQ(run_on(BK_KVER(6, 1), BK_PROG_XDP, BPF_XDP, p, ARRAY_LEN(p), &insn),
		 -BK_E_V_BAD_INSN);
	CHECK_EQ(insn, 2);
	CHECK_EQ(run_on(BK_KVER(6, 6), BK_PROG_XDP, BPF_XDP, p, ARRAY_LEN(p), NULL), 0);
	CHECK_EQ(run_on(0, BK_PROG_XDP, BPF_XDP, p, ARRAY_LEN(p), NULL), 0);
}

TEST(may_goto_from_6_9)
{
	const struct bk_insn p[] = {BK_MOV64_IMM(0, 0),	     BK_I(MAY_GOTO, 0, 0, 2, 0),
				    BK_ALU64_IMM(ADD, 0, 1), BK_JA(-3),
				    BK_MOV64_IMM(0, 2),	     BK_EXIT()};
	long insn;

	CHECK_EQ(run_on(BK_KVER(6, 8), BK_PROG_XDP, BPF_XDP, p, ARRAY_LEN(p), &insn),
		 -BK_E_V_BAD_INSN);
	CHECK_EQ(insn, 1);
	CHECK_EQ(run_on(BK_KVER(6, 9), BK_PROG_XDP, BPF_XDP, p, ARRAY_LEN(p), NULL), 0);
}

TEST(helpers_by_release)
{
	/* bpf_cgrp_storage_delete (211): Linux 6.2 */
	long insn;
	const struct bk_insn p[] = {BK_MOV64_IMM(1, 0), BK_MOV64_IMM(2, 0), BK_CALL(211),
				    BK_MOV64_IMM(0, 0), BK_EXIT()};

	CHECK_EQ(run_on(BK_KVER(6, 1), BK_PROG_KPROBE, 0, p, ARRAY_LEN(p), &insn),
		 -BK_E_V_HELPER_UNKNOWN);
	CHECK_EQ(insn, 2);
	/* on 6.2 the helper is there: the argument (no map) is what is wrong */
	CHECK_EQ(run_on(BK_KVER(6, 2), BK_PROG_KPROBE, 0, p, ARRAY_LEN(p), NULL),
		 -BK_E_V_HELPER_ARG);
}

TEST(types_by_release)
{
	/* netfilter: Linux 6.4; cgroup/connect_unix (attach 49): Linux 6.7 */
	CHECK_EQ(ON(BK_KVER(6, 1), BK_PROG_NETFILTER, 45, BK_MOV64_IMM(0, 1), BK_EXIT()),
		 -BK_E_V_PROG_TYPE);
	CHECK_EQ(ON(BK_KVER(6, 6), BK_PROG_CGROUP_SOCK_ADDR, 49, BK_MOV64_IMM(0, 1), BK_EXIT()),
		 -BK_E_V_PROG_TYPE);
	CHECK_EQ(ON(BK_KVER(6, 12), BK_PROG_CGROUP_SOCK_ADDR, 49, BK_MOV64_IMM(0, 1), BK_EXIT()),
		 0);
	/* bpf_sock_ops.skb_hwtstamp (offset 216): Linux 6.2 */
	CHECK_EQ(ON(BK_KVER(6, 1), BK_PROG_SOCK_OPS, BPF_CGROUP_SOCK_OPS, BK_LDX_MEM(DW, 2, 1, 216),
		    BK_MOV64_IMM(0, 1), BK_EXIT()),
		 -BK_E_V_CTX_ACCESS);
	CHECK_EQ(ON(BK_KVER(6, 6), BK_PROG_SOCK_OPS, BPF_CGROUP_SOCK_OPS, BK_LDX_MEM(DW, 2, 1, 216),
		    BK_MOV64_IMM(0, 1), BK_EXIT()),
		 0);
}
