// SPDX-License-Identifier: MIT
/*
 * ctxsweep - context access rules of every program type, bpfverify against
 * the running kernel: for each program type (and each expected attach type
 * that changes the rules), each offset around the context, each size and
 * each access kind (load, store of a register, store of an immediate) it
 * builds "access; r0 = RET; exit", asks libverify and, with --kernel
 * (root), the kernel's BPF_PROG_LOAD, and lists every disagreement.
 *
 *   ctxsweep [--kernel] [--dump] [--only NAME] [--target-kernel VER]
 *
 * --dump prints the accepted offsets per target, kind and size (the
 * kernel's with --kernel, else bpfverify's) as ranges.  Exit: 0 no
 * disagreement, 1 disagreements, 2 usage or setup error.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uapi.h"
#include "verify.h"

struct target {
	const char *name;
	int type;
	int attach;
	int lo, hi; /* offsets swept: [lo, hi) */
	int ret;    /* a return value the type accepts */
};

/* Attach types newer than the installed uAPI headers (Linux 6.1). */
enum {
	AT_NETFILTER = 45,
	AT_UNIX_CONNECT = 49,
	AT_UNIX_SENDMSG = 50,
	AT_UNIX_RECVMSG = 51,
	AT_UNIX_GETPEERNAME = 52,
	AT_UNIX_GETSOCKNAME = 53,
};

// clang-format off
static const struct target targets[] = {
	/* name                           type                              attach                                lo    hi    ret */
	{"socket_filter",                 BK_PROG_SOCKET_FILTER,            0,                                    -8,   200,  0},
	{"kprobe",                        BK_PROG_KPROBE,                   0,                                    -8,   180,  0},
	{"sched_cls",                     BK_PROG_SCHED_CLS,                0,                                    -8,   200,  0},
	{"sched_act",                     BK_PROG_SCHED_ACT,                0,                                    -8,   200,  0},
	{"tracepoint",                    BK_PROG_TRACEPOINT,               0,                                    -8,   40,   0},
	{"tracepoint/end",                BK_PROG_TRACEPOINT,               0,                                    8176, 8200, 0},
	{"xdp",                           BK_PROG_XDP,                      BPF_XDP,                              -8,   32,   0},
	{"xdp/devmap",                    BK_PROG_XDP,                      BPF_XDP_DEVMAP,                       -8,   32,   0},
	{"xdp/cpumap",                    BK_PROG_XDP,                      BPF_XDP_CPUMAP,                       -8,   32,   0},
	{"perf_event",                    BK_PROG_PERF_EVENT,               0,                                    -8,   200,  0},
	{"cgroup_skb/ingress",            BK_PROG_CGROUP_SKB,               BPF_CGROUP_INET_INGRESS,              -8,   200,  1},
	{"cgroup_skb/egress",             BK_PROG_CGROUP_SKB,               BPF_CGROUP_INET_EGRESS,               -8,   200,  1},
	{"cgroup/sock_create",            BK_PROG_CGROUP_SOCK,              BPF_CGROUP_INET_SOCK_CREATE,          -8,   96,   1},
	{"cgroup/sock_release",           BK_PROG_CGROUP_SOCK,              BPF_CGROUP_INET_SOCK_RELEASE,         -8,   96,   1},
	{"cgroup/post_bind4",             BK_PROG_CGROUP_SOCK,              BPF_CGROUP_INET4_POST_BIND,           -8,   96,   1},
	{"cgroup/post_bind6",             BK_PROG_CGROUP_SOCK,              BPF_CGROUP_INET6_POST_BIND,           -8,   96,   1},
	{"lwt_in",                        BK_PROG_LWT_IN,                   0,                                    -8,   200,  0},
	{"lwt_out",                       BK_PROG_LWT_OUT,                  0,                                    -8,   200,  0},
	{"lwt_xmit",                      BK_PROG_LWT_XMIT,                 0,                                    -8,   200,  0},
	{"lwt_seg6local",                 BK_PROG_LWT_SEG6LOCAL,            0,                                    -8,   200,  0},
	{"sockops",                       BK_PROG_SOCK_OPS,                 BPF_CGROUP_SOCK_OPS,                  -8,   232,  1},
	{"sk_skb/stream_parser",          BK_PROG_SK_SKB,                   BPF_SK_SKB_STREAM_PARSER,             -8,   200,  0},
	{"sk_skb/stream_verdict",         BK_PROG_SK_SKB,                   BPF_SK_SKB_STREAM_VERDICT,            -8,   200,  0},
	{"cgroup/dev",                    BK_PROG_CGROUP_DEVICE,            BPF_CGROUP_DEVICE,                    -8,   24,   1},
	{"sk_msg",                        BK_PROG_SK_MSG,                   BPF_SK_MSG_VERDICT,                   -8,   88,   1},
	{"raw_tp",                        BK_PROG_RAW_TRACEPOINT,           0,                                    -8,   104,  0},
	{"raw_tp.w",                      BK_PROG_RAW_TRACEPOINT_WRITABLE,  0,                                    -8,   104,  0},
	{"cgroup/bind4",                  BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_INET4_BIND,                -8,   80,   1},
	{"cgroup/bind6",                  BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_INET6_BIND,                -8,   80,   1},
	{"cgroup/connect4",               BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_INET4_CONNECT,             -8,   80,   1},
	{"cgroup/connect6",               BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_INET6_CONNECT,             -8,   80,   1},
	{"cgroup/sendmsg4",               BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_UDP4_SENDMSG,              -8,   80,   1},
	{"cgroup/sendmsg6",               BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_UDP6_SENDMSG,              -8,   80,   1},
	{"cgroup/recvmsg4",               BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_UDP4_RECVMSG,              -8,   80,   1},
	{"cgroup/recvmsg6",               BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_UDP6_RECVMSG,              -8,   80,   1},
	{"cgroup/getpeername4",           BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_INET4_GETPEERNAME,         -8,   80,   1},
	{"cgroup/getsockname6",           BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_INET6_GETSOCKNAME,         -8,   80,   1},
	{"cgroup/connect_unix",           BK_PROG_CGROUP_SOCK_ADDR,         AT_UNIX_CONNECT,                      -8,   80,   1},
	{"cgroup/sendmsg_unix",           BK_PROG_CGROUP_SOCK_ADDR,         AT_UNIX_SENDMSG,                      -8,   80,   1},
	{"cgroup/recvmsg_unix",           BK_PROG_CGROUP_SOCK_ADDR,         AT_UNIX_RECVMSG,                      -8,   80,   1},
	{"cgroup/getpeername_unix",       BK_PROG_CGROUP_SOCK_ADDR,         AT_UNIX_GETPEERNAME,                  -8,   80,   1},
	{"sk_reuseport",                  BK_PROG_SK_REUSEPORT,             BPF_SK_REUSEPORT_SELECT,              -8,   80,   1},
	{"sk_reuseport/migrate",          BK_PROG_SK_REUSEPORT,             BPF_SK_REUSEPORT_SELECT_OR_MIGRATE,   -8,   80,   1},
	{"flow_dissector",                BK_PROG_FLOW_DISSECTOR,           BPF_FLOW_DISSECTOR,                   -8,   200,  0},
	{"cgroup/sysctl",                 BK_PROG_CGROUP_SYSCTL,            BPF_CGROUP_SYSCTL,                    -8,   16,   1},
	{"cgroup/getsockopt",             BK_PROG_CGROUP_SOCKOPT,           BPF_CGROUP_GETSOCKOPT,                -8,   48,   1},
	{"cgroup/setsockopt",             BK_PROG_CGROUP_SOCKOPT,           BPF_CGROUP_SETSOCKOPT,                -8,   48,   1},
	{"sk_lookup",                     BK_PROG_SK_LOOKUP,                BPF_SK_LOOKUP,                        -8,   80,   1},
	{"syscall",                       BK_PROG_SYSCALL,                  0,                                    -8,   24,   0},
	{"syscall/end",                   BK_PROG_SYSCALL,                  0,                                    65520, 65544, 0},
	{"netfilter",                     BK_PROG_NETFILTER,                AT_NETFILTER,                         -8,   24,   1},
};
// clang-format on

enum {
	K_LOAD,
	K_STORE_REG,
	K_STORE_IMM,
	K__COUNT
};
static const char kind_name[K__COUNT] = {'r', 'w', 'i'};
static const int sizes[4] = {1, 2, 4, 8};

struct sweep {
	bool kernel, dump;
	const char *only;
	uint32_t target_kernel;
	unsigned checked, differ;
	char *log;
};

static size_t build(struct bk_insn *p, int kind, int size, int off, int ret)
{
	size_t n = 0;

	switch (kind) {
	case K_LOAD:
		p[n++] = size == 1   ? BK_LDX_MEM(B, 2, 1, off)
			 : size == 2 ? BK_LDX_MEM(H, 2, 1, off)
			 : size == 4 ? BK_LDX_MEM(W, 2, 1, off)
				     : BK_LDX_MEM(DW, 2, 1, off);
		break;
	case K_STORE_REG:
		p[n++] = BK_MOV64_IMM(2, 0);
		p[n++] = size == 1   ? BK_STX_MEM(B, 1, 2, off)
			 : size == 2 ? BK_STX_MEM(H, 1, 2, off)
			 : size == 4 ? BK_STX_MEM(W, 1, 2, off)
				     : BK_STX_MEM(DW, 1, 2, off);
		break;
	default:
		p[n++] = size == 1   ? BK_ST_MEM(B, 1, off, 0)
			 : size == 2 ? BK_ST_MEM(H, 1, off, 0)
			 : size == 4 ? BK_ST_MEM(W, 1, off, 0)
				     : BK_ST_MEM(DW, 1, off, 0);
		break;
	}
	p[n++] = BK_MOV64_IMM(0, ret);
	p[n++] = BK_EXIT();
	return n;
}

static bool ours(const struct sweep *s, const struct target *t, const struct bk_insn *p, size_t n)
{
	struct bk_verify_input in = {.sz = sizeof(in),
				     .insns = p,
				     .cnt = n,
				     .type = t->type,
				     .attach_type = (uint32_t)t->attach};
	struct bk_verify_opts o = {.sz = sizeof(o), .gpl = true, .target_kernel = s->target_kernel};

	in.sleepable = t->type == BK_PROG_SYSCALL;
	struct bk_diag d;

	return bk_verify(&in, &o, NULL, &d) == 0;
}

static int kern(struct sweep *s, const struct target *t, const struct bk_insn *p, size_t n)
{
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = (enum bpf_attach_type)t->attach,
		    .log_buf = s->log, .log_size = 65536, .log_level = 1,
		    .prog_flags = t->type == BK_PROG_SYSCALL ? 1U << 4 /* BPF_F_SLEEPABLE */ : 0);
	int fd;

	s->log[0] = '\0';
	fd = bpf_prog_load((enum bpf_prog_type)t->type, NULL, "GPL", (const struct bpf_insn *)p, n,
			   &lo);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return 0;
}

static void print_ranges(const char *what, const struct target *t, int kind, int size,
			 const unsigned char *acc)
{
	int n = t->hi - t->lo, first = 1;

	printf("%-26s %c%d %s:", t->name, kind_name[kind], size, what);
	for (int i = 0; i < n; i++) {
		if (!acc[i])
			continue;
		int j = i;

		while (j + 1 < n && acc[j + 1])
			j++;
		printf(first ? " %d" : ",%d", t->lo + i);
		if (j > i)
			printf("-%d", t->lo + j);
		first = 0;
		i = j;
	}
	printf("%s\n", first ? " none" : "");
}

static int sweep_target(struct sweep *s, const struct target *t)
{
	int n = t->hi - t->lo;
	unsigned char *ko = calloc((size_t)n, 1), *oo = calloc((size_t)n, 1);
	struct bk_insn p[8];
	size_t cnt;

	if (!ko || !oo) {
		free(ko);
		free(oo);
		return -ENOMEM;
	}
	cnt = build(p, -1, 0, 0, t->ret) - 1; /* "r0 = ret; exit" after a dummy */
	if (s->kernel && !kern(s, t, p + 1, cnt)) {
		fprintf(stderr, "ctxsweep: %s: the kernel refuses the empty program:\n%s\n",
			t->name, s->log);
		free(ko);
		free(oo);
		return 0;
	}
	for (int kind = 0; kind < K__COUNT; kind++)
		for (int si = 0; si < 4; si++) {
			int size = sizes[si], ndiff = 0;

			for (int i = 0; i < n; i++) {
				cnt = build(p, kind, size, t->lo + i, t->ret);
				oo[i] = ours(s, t, p, cnt);
				ko[i] = s->kernel ? (unsigned char)kern(s, t, p, cnt) : oo[i];
				s->checked++;
				if (oo[i] != ko[i])
					ndiff++;
			}
			if (s->dump)
				print_ranges(s->kernel ? "kernel" : "ours", t, kind, size, ko);
			if (ndiff) {
				s->differ += (unsigned)ndiff;
				print_ranges("kernel accepts", t, kind, size, ko);
				print_ranges("bpfverify accepts", t, kind, size, oo);
			}
		}
	free(ko);
	free(oo);
	return 0;
}

int main(int argc, char **argv)
{
	struct sweep s = {0};

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kernel"))
			s.kernel = true;
		else if (!strcmp(argv[i], "--dump"))
			s.dump = true;
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			s.only = argv[++i];
		else if (!strcmp(argv[i], "--target-kernel") && i + 1 < argc) {
			if (bk_verify_kernel_parse(argv[++i], &s.target_kernel)) {
				fprintf(stderr, "ctxsweep: unknown kernel '%s'\n", argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr, "usage: ctxsweep [--kernel] [--dump] [--only NAME] "
					"[--target-kernel VER]\n");
			return 2;
		}
	}
	if (s.kernel && geteuid()) {
		fprintf(stderr, "ctxsweep: --kernel needs root\n");
		return 2;
	}
	s.log = malloc(65536);
	if (!s.log)
		return 2;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		if (s.only && strncmp(targets[i].name, s.only, strlen(s.only)))
			continue;
		if (sweep_target(&s, &targets[i]))
			return 2;
	}
	printf("ctxsweep: %u accesses checked%s, %u differ\n", s.checked,
	       s.kernel ? " against the kernel" : "", s.differ);
	free(s.log);
	return s.differ ? 1 : 0;
}
