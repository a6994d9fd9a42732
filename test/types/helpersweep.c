// SPDX-License-Identifier: MIT
/*
 * helpersweep - which helpers each program type may call, bpfverify against
 * the running kernel: for every program type (and the expected attach
 * types and sleepable variants that change the answer) and every helper
 * id, "call id; r0 = RET; exit" tells availability: the kernel answers
 * "unknown func" or "cannot use helper" when the type may not call it, and
 * something else (an argument error) when it may; bpfverify answers
 * BK_E_V_HELPER_UNKNOWN / BK_E_V_HELPER_TYPE or something else.
 *
 *   helpersweep [--kernel] [--dump] [--kfuncs] [--only NAME] [--target-kernel VER]
 *
 * --kfuncs sweeps kfuncs (by the kernel's BTF id) instead of helpers.
 *
 * --dump prints the helper ids each target may call.  Exit: 0 no
 * disagreement, 1 disagreements, 2 usage or setup error.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uapi.h"
#include "verify.h"

#define MAX_HELPER 211
#define F_SLEEPABLE (1U << 4)

struct target {
	const char *name; /* section spelling */
	int type, attach;
	const char *btf_name; /* attach target in vmlinux BTF, or NULL */
	int btf_kind;
	const char *to; /* bk_verify_input.attach_to */
	unsigned flags;
	int ret;
};

enum {
	AT_NETFILTER = 45,
	AT_UNIX_CONNECT = 49,
};

// clang-format off
static const struct target targets[] = {
	/* name                    type                              attach                          btf target              kind              attach_to             flags        ret */
	{"socket",                 BK_PROG_SOCKET_FILTER,            0,                              NULL, 0,                                   NULL,                 0,           0},
	{"kprobe",                 BK_PROG_KPROBE,                   0,                              NULL, 0,                                   NULL,                 0,           0},
	{"kprobe.multi",           BK_PROG_KPROBE,                   BPF_TRACE_KPROBE_MULTI,         NULL, 0,                                   NULL,                 0,           0},
	{"uprobe.s",               BK_PROG_KPROBE,                   0,                              NULL, 0,                                   NULL,                 F_SLEEPABLE, 0},
	{"tc",                     BK_PROG_SCHED_CLS,                0,                              NULL, 0,                                   NULL,                 0,           0},
	{"action",                 BK_PROG_SCHED_ACT,                0,                              NULL, 0,                                   NULL,                 0,           0},
	{"tracepoint",             BK_PROG_TRACEPOINT,               0,                              NULL, 0,                                   NULL,                 0,           0},
	{"xdp",                    BK_PROG_XDP,                      BPF_XDP,                        NULL, 0,                                   NULL,                 0,           0},
	{"xdp/devmap",             BK_PROG_XDP,                      BPF_XDP_DEVMAP,                 NULL, 0,                                   NULL,                 0,           0},
	{"perf_event",             BK_PROG_PERF_EVENT,               0,                              NULL, 0,                                   NULL,                 0,           0},
	{"cgroup_skb/ingress",     BK_PROG_CGROUP_SKB,               BPF_CGROUP_INET_INGRESS,        NULL, 0,                                   NULL,                 0,           1},
	{"cgroup_skb/egress",      BK_PROG_CGROUP_SKB,               BPF_CGROUP_INET_EGRESS,         NULL, 0,                                   NULL,                 0,           1},
	{"cgroup/sock_create",     BK_PROG_CGROUP_SOCK,              BPF_CGROUP_INET_SOCK_CREATE,    NULL, 0,                                   NULL,                 0,           1},
	{"cgroup/post_bind4",      BK_PROG_CGROUP_SOCK,              BPF_CGROUP_INET4_POST_BIND,     NULL, 0,                                   NULL,                 0,           1},
	{"lwt_in",                 BK_PROG_LWT_IN,                   0,                              NULL, 0,                                   NULL,                 0,           0},
	{"lwt_out",                BK_PROG_LWT_OUT,                  0,                              NULL, 0,                                   NULL,                 0,           0},
	{"lwt_xmit",               BK_PROG_LWT_XMIT,                 0,                              NULL, 0,                                   NULL,                 0,           0},
	{"lwt_seg6local",          BK_PROG_LWT_SEG6LOCAL,            0,                              NULL, 0,                                   NULL,                 0,           0},
	{"sockops",                BK_PROG_SOCK_OPS,                 BPF_CGROUP_SOCK_OPS,            NULL, 0,                                   NULL,                 0,           1},
	{"sk_skb/stream_verdict",  BK_PROG_SK_SKB,                   BPF_SK_SKB_STREAM_VERDICT,      NULL, 0,                                   NULL,                 0,           0},
	{"cgroup/dev",             BK_PROG_CGROUP_DEVICE,            BPF_CGROUP_DEVICE,              NULL, 0,                                   NULL,                 0,           1},
	{"sk_msg",                 BK_PROG_SK_MSG,                   BPF_SK_MSG_VERDICT,             NULL, 0,                                   NULL,                 0,           1},
	{"raw_tp",                 BK_PROG_RAW_TRACEPOINT,           0,                              NULL, 0,                                   NULL,                 0,           0},
	{"raw_tp.w",               BK_PROG_RAW_TRACEPOINT_WRITABLE,  0,                              NULL, 0,                                   NULL,                 0,           0},
	{"cgroup/bind4",           BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_INET4_BIND,          NULL, 0,                                   NULL,                 0,           1},
	{"cgroup/connect4",        BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_INET4_CONNECT,       NULL, 0,                                   NULL,                 0,           1},
	{"cgroup/sendmsg4",        BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_UDP4_SENDMSG,        NULL, 0,                                   NULL,                 0,           1},
	{"cgroup/recvmsg4",        BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_UDP4_RECVMSG,        NULL, 0,                                   NULL,                 0,           1},
	{"cgroup/getpeername4",    BK_PROG_CGROUP_SOCK_ADDR,         BPF_CGROUP_INET4_GETPEERNAME,   NULL, 0,                                   NULL,                 0,           1},
	{"cgroup/connect_unix",    BK_PROG_CGROUP_SOCK_ADDR,         AT_UNIX_CONNECT,                NULL, 0,                                   NULL,                 0,           1},
	{"sk_reuseport",           BK_PROG_SK_REUSEPORT,             BPF_SK_REUSEPORT_SELECT,        NULL, 0,                                   NULL,                 0,           1},
	{"flow_dissector",         BK_PROG_FLOW_DISSECTOR,           BPF_FLOW_DISSECTOR,             NULL, 0,                                   NULL,                 0,           0},
	{"cgroup/sysctl",          BK_PROG_CGROUP_SYSCTL,            BPF_CGROUP_SYSCTL,              NULL, 0,                                   NULL,                 0,           1},
	{"cgroup/getsockopt",      BK_PROG_CGROUP_SOCKOPT,           BPF_CGROUP_GETSOCKOPT,          NULL, 0,                                   NULL,                 0,           1},
	{"cgroup/setsockopt",      BK_PROG_CGROUP_SOCKOPT,           BPF_CGROUP_SETSOCKOPT,          NULL, 0,                                   NULL,                 0,           1},
	{"sk_lookup",              BK_PROG_SK_LOOKUP,                BPF_SK_LOOKUP,                  NULL, 0,                                   NULL,                 0,           1},
	{"syscall",                BK_PROG_SYSCALL,                  0,                              NULL, 0,                                   NULL,                 F_SLEEPABLE, 0},
	{"netfilter",              BK_PROG_NETFILTER,                AT_NETFILTER,                   NULL, 0,                                   NULL,                 0,           1},
	{"tp_btf",                 BK_PROG_TRACING,                  BPF_TRACE_RAW_TP,               "btf_trace_sched_switch", BTF_KIND_TYPEDEF, "sched_switch",     0,           0},
	{"fentry",                 BK_PROG_TRACING,                  BPF_TRACE_FENTRY,               "do_unlinkat", BTF_KIND_FUNC,              "do_unlinkat",        0,           0},
	{"fexit",                  BK_PROG_TRACING,                  BPF_TRACE_FEXIT,                "do_unlinkat", BTF_KIND_FUNC,              "do_unlinkat",        0,           0},
	{"fmod_ret",               BK_PROG_TRACING,                  BPF_MODIFY_RETURN,              "__x64_sys_getpgid", BTF_KIND_FUNC,        "__x64_sys_getpgid",  0,           0},
	{"fentry.s",               BK_PROG_TRACING,                  BPF_TRACE_FENTRY,               "__x64_sys_getpgid", BTF_KIND_FUNC,        "__x64_sys_getpgid",  F_SLEEPABLE, 0},
	{"iter",                   BK_PROG_TRACING,                  BPF_TRACE_ITER,                 "bpf_iter_task", BTF_KIND_FUNC,            "task",               0,           0},
};
// clang-format on

/* Kfuncs whose availability by program type kfuncs_avail.def records. */
static const char *const kfuncs[] = {
	"bpf_iter_num_new",	 "bpf_rcu_read_lock",	   "bpf_cast_to_kern_ctx",
	"bpf_rdonly_cast",	 "bpf_task_acquire",	   "bpf_task_from_pid",
	"bpf_cgroup_from_id",	 "bpf_obj_new_impl",	   "bpf_dynptr_from_skb",
	"bpf_dynptr_from_xdp",	 "bpf_dynptr_slice",	   "bpf_cpumask_create",
	"bpf_sock_destroy",	 "bpf_map_sum_elem_count", "bpf_iter_task_new",
	"bpf_iter_css_task_new", "bpf_iter_task_vma_new",  "bpf_throw",
	"bpf_preempt_disable",	 "bpf_iter_bits_new",	   "bpf_copy_from_user_str",
	"bpf_get_kmem_cache",	 "bpf_send_signal_task",   "bpf_local_irq_save",
	"bpf_res_spin_lock",	 "bpf_dynptr_copy",	   "bpf_xdp_metadata_rx_hash",
	"bpf_skb_get_fou_encap", "bpf_get_file_xattr",	   "bpf_sock_addr_set_sun_path",
};
#define NKFUNCS (sizeof(kfuncs) / sizeof(kfuncs[0]))

struct sweep {
	bool kernel, dump, kfunc_mode;
	const char *only;
	uint32_t target_kernel;
	unsigned checked, differ, skipped;
	char *log;
	struct btf *vmlinux; /* for the kernel's attach ids */
	struct bk_verify_cache *cache;
};

static bool ours(struct sweep *s, const struct target *t, const struct bk_insn *p, size_t n)
{
	struct bk_verify_input in = {.sz = sizeof(in),
				     .insns = p,
				     .cnt = n,
				     .type = t->type,
				     .attach_type = (uint32_t)t->attach,
				     .attach_to = t->to,
				     .sleepable = (t->flags & F_SLEEPABLE) != 0};
	struct bk_verify_opts o = {
		.sz = sizeof(o), .gpl = true, .target_kernel = s->target_kernel, .cache = s->cache};
	struct bk_diag d;
	int err = bk_verify(&in, &o, NULL, &d);

	return err != -BK_E_V_HELPER_TYPE && err != -BK_E_V_HELPER_UNKNOWN &&
	       err != -BK_E_V_PROG_TYPE;
}

static bool kern(struct sweep *s, const struct target *t, const struct bk_insn *p, size_t n,
		 bool *loaded)
{
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = (enum bpf_attach_type)t->attach,
		    .log_buf = s->log, .log_size = 65536, .log_level = 1, .prog_flags = t->flags);
	int fd;

	if (t->btf_name) {
		int id = s->vmlinux ? btf__find_by_name_kind(s->vmlinux, t->btf_name, t->btf_kind)
				    : -ENOENT;

		if (id < 0)
			return false;
		lo.attach_btf_id = (uint32_t)id;
	}
	s->log[0] = '\0';
	fd = bpf_prog_load((enum bpf_prog_type)t->type, NULL, "GPL", (const struct bpf_insn *)p, n,
			   &lo);
	*loaded = fd >= 0;
	if (fd >= 0) {
		close(fd);
		return true;
	}
	return !strstr(s->log, "unknown func") && !strstr(s->log, "cannot use helper") &&
	       !strstr(s->log, "invalid func") && !strstr(s->log, "might sleep") &&
	       !strstr(s->log, "not allowed in probe");
}

/* Kfunc availability: "call kfunc; r0 = RET; exit" (BPF_PSEUDO_KFUNC_CALL
 * by vmlinux BTF id); the kernel refuses one it does not offer the type
 * with "calling kernel function ... is not allowed". */
static void sweep_kfuncs(struct sweep *s, const struct target *t)
{
	char ko[NKFUNCS] = {0}, oo[NKFUNCS] = {0};
	struct bk_insn p[3] = {BK_MOV64_IMM(0, t->ret), BK_MOV64_IMM(0, t->ret), BK_EXIT()};
	struct bk_reloc rel = {.kind = BK_RELO_KFUNC, .map = -1};
	bool loaded;

	if (s->kernel && (kern(s, t, p + 1, 2, &loaded), !loaded)) {
		s->skipped++;
		return;
	}
	for (size_t i = 0; i < NKFUNCS; i++) {
		int id = s->vmlinux ? btf__find_by_name_kind(s->vmlinux, kfuncs[i], BTF_KIND_FUNC)
				    : -1;
		struct bk_verify_input in = {.sz = sizeof(in),
					     .insns = p,
					     .cnt = 3,
					     .type = t->type,
					     .attach_type = (uint32_t)t->attach,
					     .attach_to = t->to,
					     .relocs = &rel,
					     .nrelocs = 1,
					     .sleepable = (t->flags & F_SLEEPABLE) != 0};
		struct bk_verify_opts o = {.sz = sizeof(o),
					   .gpl = true,
					   .target_kernel = s->target_kernel,
					   .cache = s->cache};
		struct bk_diag d;
		int err;

		if (id <= 0)
			continue;
		p[0] = (struct bk_insn){.code = 0x85, .src = 2, .imm = id};
		rel.insn = 0;
		rel.sym = kfuncs[i];
		err = bk_verify(&in, &o, NULL, &d);
		oo[i] = !(err == -BK_E_V_KFUNC && strstr(d.msg, "not allowed"));
		if (s->kernel) {
			kern(s, t, p, 3, &loaded);
			ko[i] = loaded || !strstr(s->log, "is not allowed");
		} else {
			ko[i] = oo[i];
		}
		s->checked++;
		if (oo[i] != ko[i]) {
			s->differ++;
			printf("%-22s %s: kernel %s, bpfverify %s\n", t->name, kfuncs[i],
			       ko[i] ? "allows" : "refuses", oo[i] ? "allows" : "refuses");
		}
	}
	if (s->dump) {
		printf("%-22s kfuncs:", t->name);
		for (size_t i = 0; i < NKFUNCS; i++)
			if (ko[i])
				printf(" %s", kfuncs[i]);
		printf("\n");
	}
}

static void print_set(const char *what, const struct target *t, const bool *set)
{
	printf("%-22s %s:", t->name, what);
	for (int i = 1; i <= MAX_HELPER; i++)
		if (set[i])
			printf(" %d", i);
	printf("\n");
}

static void sweep_target(struct sweep *s, const struct target *t)
{
	bool ko[MAX_HELPER + 1] = {0}, oo[MAX_HELPER + 1] = {0}, loaded;
	struct bk_insn p[3] = {BK_CALL(0), BK_MOV64_IMM(0, t->ret), BK_EXIT()};
	int ndiff = 0;

	if (s->kernel && (kern(s, t, p + 1, 2, &loaded), !loaded)) {
		fprintf(stderr,
			"helpersweep: %s: skipped, the kernel refuses the empty program (%s)\n",
			t->name, s->log[0] ? s->log : "no verifier log");
		s->skipped++;
		return;
	}
	for (int id = 1; id <= MAX_HELPER; id++) {
		p[0] = BK_CALL(id);
		oo[id] = ours(s, t, p, 3);
		ko[id] = s->kernel ? kern(s, t, p, 3, &loaded) : oo[id];
		s->checked++;
		if (oo[id] != ko[id])
			ndiff++;
	}
	if (s->dump)
		print_set(s->kernel ? "kernel" : "ours", t, ko);
	if (ndiff) {
		s->differ += (unsigned)ndiff;
		printf("%-22s differ:", t->name);
		for (int i = 1; i <= MAX_HELPER; i++)
			if (oo[i] != ko[i])
				printf(" %d(%s)", i, ko[i] ? "kernel-only" : "ours-only");
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	struct sweep s = {0};

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kernel"))
			s.kernel = true;
		else if (!strcmp(argv[i], "--dump"))
			s.dump = true;
		else if (!strcmp(argv[i], "--kfuncs"))
			s.kfunc_mode = true;
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			s.only = argv[++i];
		else if (!strcmp(argv[i], "--target-kernel") && i + 1 < argc) {
			if (bk_verify_kernel_parse(argv[++i], &s.target_kernel)) {
				fprintf(stderr, "helpersweep: unknown kernel '%s'\n", argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr, "usage: helpersweep [--kernel] [--dump] [--kfuncs] "
					"[--only NAME] [--target-kernel VER]\n");
			return 2;
		}
	}
	if (s.kernel && geteuid()) {
		fprintf(stderr, "helpersweep: --kernel needs root\n");
		return 2;
	}
	s.log = malloc(65536);
	if (!s.log)
		return 2;
	s.cache = bk_verify_cache__new();
	s.vmlinux = btf__load_vmlinux_btf();
	if (libbpf_get_error(s.vmlinux))
		s.vmlinux = NULL;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		if (s.only && strcmp(targets[i].name, s.only))
			continue;
		if (s.kfunc_mode)
			sweep_kfuncs(&s, &targets[i]);
		else
			sweep_target(&s, &targets[i]);
	}
	printf("helpersweep: %u (type, %s) pairs checked%s, %u differ, %u targets skipped\n",
	       s.checked, s.kfunc_mode ? "kfunc" : "helper", s.kernel ? " against the kernel" : "",
	       s.differ, s.skipped);
	btf__free(s.vmlinux);
	bk_verify_cache__free(s.cache);
	free(s.log);
	return s.differ ? 1 : 0;
}
