// SPDX-License-Identifier: MIT
/* Unit tests of program types and section names (libuapi/progtype.c). */
#include <linux/bpf.h>

#include "harness.h"
#include "uapi.h"

static enum bk_prog_type sec_type(const char *sec, uint32_t *attach)
{
	return bk_prog_type_from_section(sec, attach);
}

TEST(progtype_sections)
{
	uint32_t at = 99;

	CHECK_EQ(sec_type("xdp", &at), BK_PROG_XDP);
	CHECK_EQ(at, BPF_XDP);
	CHECK_EQ(sec_type("xdp.frags", &at), BK_PROG_XDP);
	CHECK_EQ(at, BPF_XDP);
	CHECK(bk_prog_section_flags("xdp.frags") & BK_SECF_XDP_FRAGS);
	CHECK_EQ(sec_type("xdp/devmap", &at), BK_PROG_XDP);
	CHECK_EQ(at, BPF_XDP_DEVMAP);
	CHECK_EQ(sec_type("tc", &at), BK_PROG_SCHED_CLS);
	CHECK_EQ(at, 0);
	CHECK_EQ(sec_type("classifier", NULL), BK_PROG_SCHED_CLS);
	CHECK_EQ(sec_type("action", NULL), BK_PROG_SCHED_ACT);
	CHECK_EQ(sec_type("socket", NULL), BK_PROG_SOCKET_FILTER);
	CHECK_EQ(sec_type("kprobe/do_sys_open", NULL), BK_PROG_KPROBE);
	CHECK_EQ(sec_type("kprobe", NULL), BK_PROG_KPROBE);
	CHECK_EQ(sec_type("uprobe/lib:fn", NULL), BK_PROG_KPROBE);
	CHECK_EQ(sec_type("tracepoint/syscalls/sys_enter_open", NULL), BK_PROG_TRACEPOINT);
	CHECK_EQ(sec_type("tp/sched/x", NULL), BK_PROG_TRACEPOINT);
	CHECK_EQ(sec_type("raw_tp/x", NULL), BK_PROG_RAW_TRACEPOINT);
	CHECK_EQ(sec_type("raw_tp.w/x", NULL), BK_PROG_RAW_TRACEPOINT_WRITABLE);
	CHECK_EQ(sec_type("tp_btf/sched_switch", &at), BK_PROG_TRACING);
	CHECK_EQ(at, BPF_TRACE_RAW_TP);
	CHECK_EQ(sec_type("fentry/x", &at), BK_PROG_TRACING);
	CHECK_EQ(at, BPF_TRACE_FENTRY);
	CHECK_EQ(sec_type("fexit/x", &at), BK_PROG_TRACING);
	CHECK_EQ(at, BPF_TRACE_FEXIT);
	CHECK_EQ(sec_type("fmod_ret/x", &at), BK_PROG_TRACING);
	CHECK_EQ(at, BPF_MODIFY_RETURN);
	CHECK_EQ(sec_type("fentry.s/x", NULL), BK_PROG_TRACING);
	CHECK(bk_prog_section_flags("fentry.s/x") & BK_SECF_SLEEPABLE);
	CHECK(!(bk_prog_section_flags("fentry/x") & BK_SECF_SLEEPABLE));
	CHECK_EQ(sec_type("lsm/file_open", &at), BK_PROG_LSM);
	CHECK_EQ(at, BPF_LSM_MAC);
	CHECK_EQ(sec_type("iter/task", &at), BK_PROG_TRACING);
	CHECK_EQ(at, BPF_TRACE_ITER);
	CHECK_EQ(sec_type("syscall", NULL), BK_PROG_SYSCALL);
	CHECK_EQ(sec_type("perf_event", NULL), BK_PROG_PERF_EVENT);
	CHECK_EQ(sec_type("cgroup_skb/ingress", &at), BK_PROG_CGROUP_SKB);
	CHECK_EQ(at, BPF_CGROUP_INET_INGRESS);
	CHECK_EQ(sec_type("cgroup_skb/egress", &at), BK_PROG_CGROUP_SKB);
	CHECK_EQ(at, BPF_CGROUP_INET_EGRESS);
	CHECK_EQ(sec_type("cgroup/skb", NULL), BK_PROG_CGROUP_SKB);
	CHECK_EQ(sec_type("cgroup/sock", &at), BK_PROG_CGROUP_SOCK);
	CHECK_EQ(at, BPF_CGROUP_INET_SOCK_CREATE);
	CHECK_EQ(sec_type("cgroup/bind4", &at), BK_PROG_CGROUP_SOCK_ADDR);
	CHECK_EQ(at, BPF_CGROUP_INET4_BIND);
	CHECK_EQ(sec_type("cgroup/sysctl", NULL), BK_PROG_CGROUP_SYSCTL);
	CHECK_EQ(sec_type("cgroup/dev", NULL), BK_PROG_CGROUP_DEVICE);
	CHECK_EQ(sec_type("cgroup/getsockopt", &at), BK_PROG_CGROUP_SOCKOPT);
	CHECK_EQ(at, BPF_CGROUP_GETSOCKOPT);
	CHECK_EQ(sec_type("sk_skb/stream_verdict", &at), BK_PROG_SK_SKB);
	CHECK_EQ(at, BPF_SK_SKB_STREAM_VERDICT);
	CHECK_EQ(sec_type("sk_msg", NULL), BK_PROG_SK_MSG);
	CHECK_EQ(sec_type("sockops", NULL), BK_PROG_SOCK_OPS);
	CHECK_EQ(sec_type("sk_reuseport", NULL), BK_PROG_SK_REUSEPORT);
	CHECK_EQ(sec_type("sk_lookup", NULL), BK_PROG_SK_LOOKUP);
	CHECK_EQ(sec_type("flow_dissector", NULL), BK_PROG_FLOW_DISSECTOR);
	CHECK_EQ(sec_type("lwt_xmit", NULL), BK_PROG_LWT_XMIT);
	CHECK_EQ(sec_type("lwt_seg6local", NULL), BK_PROG_LWT_SEG6LOCAL);
	CHECK_EQ(sec_type("netfilter", NULL), BK_PROG_NETFILTER);
	CHECK_EQ(sec_type("struct_ops/x", NULL), BK_PROG_STRUCT_OPS);
	CHECK_EQ(sec_type("iouring", NULL), BK_PROG_IOURING);
	CHECK_EQ(sec_type("iouring/cp", NULL), BK_PROG_IOURING);
	CHECK_EQ(sec_type("raw", NULL), BK_PROG_RAW);
}

/* libbpf 1.x rules: exact names do not take suffixes, PLUS names need '/'. */
TEST(progtype_sections_unknown)
{
	uint32_t at = 7;

	CHECK_EQ(sec_type("xdp_foo", &at), BK_PROG_UNSPEC);
	CHECK_EQ(at, 0);
	CHECK_EQ(sec_type("xdp/foo", NULL), BK_PROG_UNSPEC);
	CHECK_EQ(sec_type("kprobex", NULL), BK_PROG_UNSPEC);
	CHECK_EQ(sec_type(".text", NULL), BK_PROG_UNSPEC);
	CHECK_EQ(sec_type("", NULL), BK_PROG_UNSPEC);
	CHECK_EQ(sec_type(NULL, NULL), BK_PROG_UNSPEC);
	CHECK_EQ(bk_prog_section_flags("nope"), 0);
}

TEST(progtype_names)
{
	CHECK_STR(bk_prog_type_name(BK_PROG_XDP), "xdp");
	CHECK_STR(bk_prog_type_name(BK_PROG_SCHED_CLS), "sched_cls");
	CHECK_STR(bk_prog_type_name(BK_PROG_SOCKET_FILTER), "socket_filter");
	CHECK_STR(bk_prog_type_name(BK_PROG_IOURING), "iouring");
	CHECK_STR(bk_prog_type_name(BK_PROG_RAW), "raw");
	CHECK(bk_prog_type_name(BK_PROG_UNSPEC) == NULL);
	CHECK(bk_prog_type_name((enum bk_prog_type)77) == NULL);
	/* Every kernel type has a name that maps back to it. */
	for (int t = 1; t <= BK_PROG__KERNEL_MAX; t++) {
		const char *n = bk_prog_type_name((enum bk_prog_type)t);

		REQUIRE(n != NULL);
		CHECK_EQ(bk_prog_type_by_name(n), t);
	}
	CHECK_EQ(bk_prog_type_by_name("tc"), BK_PROG_SCHED_CLS);
	CHECK_EQ(bk_prog_type_by_name("raw"), BK_PROG_RAW);
	CHECK_EQ(bk_prog_type_by_name("bogus"), BK_PROG_UNSPEC);
	CHECK_EQ(bk_prog_type_by_name(NULL), BK_PROG_UNSPEC);
}
