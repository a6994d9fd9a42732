// SPDX-License-Identifier: MIT
/*
 * bpfverify - would the Linux kernel's verifier accept this program?
 *
 *   bpfverify prog.o [more.o ...] [-s SECTION] [--type TYPE] [--json]
 *             [--log 1|2] [--kernel]
 *
 * Verifies every program of each object (or the one -s names) with
 * libverify, prints one line per program in veristat's columns and, for a
 * rejection, the instruction, source line, register and reason.  --kernel
 * (root) also loads each program into the running kernel and shows both
 * verdicts.  Exit: 0 all accepted (and, with --kernel, the kernel agrees),
 * 1 a program was rejected or the verdicts differ, 2 usage or I/O error.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfverify.h"

static const char usage[] =
	"Usage: bpfverify [OPTIONS] FILE [FILE...]\n"
	"\n"
	"Decides whether the Linux kernel's verifier (6.x, loaded by root) would\n"
	"accept each BPF program in the ELF objects FILE (- for stdin), without\n"
	"loading anything.  Prints one line per program: verdict, instructions\n"
	"processed, states, peak states and time, as the kernel's veristat does,\n"
	"and for a rejection the instruction, source line, register and reason.\n"
	"\n"
	"Options:\n"
	"  -s, --section NAME   only the program (function) or section NAME\n"
	"  -t, --type TYPE      program type: xdp, sched_cls, kprobe, cgroup_skb,\n"
	"                       tracing, ... (bpftool's names), iouring, raw\n"
	"                       (default: from the section name)\n"
	"      --target-kernel VERSION\n"
	"                       decide as that Linux release would: 6.1, 6.6,\n"
	"                       6.12, 6.18 (default: the newest known), or\n"
	"                       running (this machine's release)\n"
	"      --raw            FILE is bare bytecode (needs --type)\n"
	"      --log LEVEL      verifier log: 1 states at branches, 2 every\n"
	"                       instruction (register states as the kernel prints)\n"
	"      --explain        with a rejection, the whole path that led to it\n"
	"                       (jumps taken, registers compared, source lines);\n"
	"                       a hint in words is always shown\n"
	"      --sarif FILE     also write the rejections as SARIF 2.1.0 (code\n"
	"                       scanning) to FILE, - for stdout\n"
	"      --cfg dot        write each program's control-flow graph in\n"
	"                       Graphviz DOT on stdout, the failing path in red\n"
	"  -k, --kernel         also load each program into the running kernel\n"
	"                       (root) and show both verdicts\n"
	"      --nr-cpus N      possible CPUs (default: this machine's)\n"
	"  -j, --json           one JSON document on stdout\n"
	"  -p, --pretty         indented JSON\n"
	"  -q, --quiet          no table; diagnostics only\n"
	"  -h, --help           this help\n"
	"  -V, --version        the version\n"
	"\n"
	"Exit status: 0 every program accepted (and the kernel agrees), 1 a\n"
	"program was rejected or the kernel's verdict differs, 2 usage or I/O\n"
	"error.\n";

enum {
	OPT_RAW = 256,
	OPT_LOG,
	OPT_NRCPUS,
	OPT_TARGET_KERNEL,
	OPT_EXPLAIN,
	OPT_SARIF,
	OPT_CFG
};

static const struct option long_opts[] = {
	{"section", required_argument, NULL, 's'},
	{"type", required_argument, NULL, 't'},
	{"raw", no_argument, NULL, OPT_RAW},
	{"log", required_argument, NULL, OPT_LOG},
	{"kernel", no_argument, NULL, 'k'},
	{"nr-cpus", required_argument, NULL, OPT_NRCPUS},
	{"json", no_argument, NULL, 'j'},
	{"pretty", no_argument, NULL, 'p'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"target-kernel", required_argument, NULL, OPT_TARGET_KERNEL},
	{"explain", no_argument, NULL, OPT_EXPLAIN},
	{"sarif", required_argument, NULL, OPT_SARIF},
	{"cfg", required_argument, NULL, OPT_CFG},
	{0},
};

struct run {
	struct bv_opts o;
	struct json_w w;
	uint32_t nr_cpus;
	uint32_t target_kernel;	       /* BK_KVER; 0: the newest known */
	struct bk_verify_cache *cache; /* the kernel's BTF, read once for all programs */
	int nprogs, nrejected, nmismatch;
	struct json_w sarif;
	FILE *sarif_f;
	const char *cur_prog; /* for the progress line */
	bool progress_shown;
};

static void log_line(void *ctx, const char *line)
{
	struct run *r = ctx;

	fprintf(r->o.json ? stderr : stdout, "%s\n", line);
}

static uint32_t possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	unsigned a = 0, b = 0;
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%u-%u", &a, &b);
	fclose(f);
	return n == 2 ? b + 1 : n == 1 ? a + 1 : 0;
}

/* A line on the terminal while a program takes more than a second. */
static void progress(void *ctx, uint64_t insns, uint64_t ns)
{
	struct run *r = ctx;

	fprintf(stderr, "\rbpfverify: %s: %llu instructions processed, %.1f s ", r->cur_prog,
		(unsigned long long)insns, (double)ns / 1e9);
	r->progress_shown = true;
}

static void progress_clear(struct run *r)
{
	if (r->progress_shown)
		fprintf(stderr, "\r%*s\r", 79, "");
	r->progress_shown = false;
}

static void tally(struct run *r, struct bv_result *res)
{
	char name[512];

	snprintf(name, sizeof(name), "%s:%s", res->file, res->prog);
	res->prog_name = name;
	progress_clear(r);
	if (r->sarif_f)
		bv_sarif_result(&r->sarif, res);
	if (r->o.cfg_dot && (res->bprog || res->raw_insns))
		bv_cfg_dot(stdout, res);
	r->nprogs++;
	if (res->rc)
		r->nrejected++;
	if ((res->kernel.state == BV_K_ACCEPT && res->rc) ||
	    (res->kernel.state == BV_K_REJECT && !res->rc))
		r->nmismatch++;
	bv_report_one(&r->o, &r->w, res);
	bk_verify_explain__clear(&res->ex);
}

static struct bk_verify_opts vopts(struct run *r, bool gpl)
{
	struct bk_verify_opts v = {.sz = sizeof(v),
				   .log_level = r->o.log_level,
				   .log = r->o.log_level ? log_line : NULL,
				   .log_ctx = r,
				   .nr_cpus = r->nr_cpus,
				   .time_limit_ns = 60ULL * 1000000000ULL,
				   .gpl = gpl,
				   .target_kernel = r->target_kernel,
				   .cache = r->cache};

	if (isatty(STDERR_FILENO) && !r->o.log_level) {
		v.progress = progress;
		v.progress_ctx = r;
	}
	return v;
}

static int do_raw(struct run *r, const char *name, const char *buf, size_t len)
{
	struct bv_result res = {.file = name, .prog = "raw", .section = "", .type = ""};
	struct bk_verify_input in = {.sz = sizeof(in), .type = r->o.type};
	struct bk_verify_opts v = vopts(r, true);

	if (len % 8 || !len) {
		struct bk_diag d;

		bk_diag__set(&d, BK_E_PROG_SIZE, -1,
			     "%s: %zu bytes is not a whole number of instructions", name, len);
		res.rc = -BK_E_PROG_SIZE;
		res.diag = d;
		tally(r, &res);
		return 0;
	}
	in.insns = (const struct bk_insn *)buf;
	in.cnt = len / 8;
	res.type = bk_prog_type_name(r->o.type);
	v.explain = &res.ex;
	res.raw_insns = in.insns;
	res.raw_cnt = in.cnt;
	r->cur_prog = name;
	res.rc = bk_verify(&in, &v, &res.stats, &res.diag);
	if (res.rc == -ENOMEM)
		return -ENOMEM;
	if (r->o.kernel) {
		LIBBPF_OPTS(bpf_prog_load_opts, lo);
		static char klog[1 << 16];

		lo.log_buf = klog;
		lo.log_size = sizeof(klog);
		lo.log_level = 1;
		int fd = bpf_prog_load((enum bpf_prog_type)r->o.type, NULL, "GPL",
				       (const struct bpf_insn *)buf, len / 8, &lo);

		res.kernel.state = fd >= 0 ? BV_K_ACCEPT : BV_K_REJECT;
		if (fd >= 0)
			close(fd);
		else
			snprintf(res.kernel.msg, sizeof(res.kernel.msg), "%s", strerror(errno));
	}
	tally(r, &res);
	return 0;
}

static bool wanted(const struct bv_opts *o, const struct bk_prog *p)
{
	return !o->section || !strcmp(bk_prog__name(p), o->section) ||
	       !strcmp(bk_prog__section(p), o->section);
}

static int do_obj(struct run *r, const char *name, const char *buf, size_t len)
{
	struct bk_obj_opts oo = {.sz = sizeof(oo), .name = name};
	struct bk_obj *obj = NULL;
	struct bk_diag d;
	int err = bk_obj__open_mem(buf, len, &oo, &obj, &d), found = 0;

	if (err) {
		struct bv_result res = {
			.file = name, .prog = "-", .section = "", .type = "", .rc = err, .diag = d};

		tally(r, &res);
		return 0;
	}
	for (size_t i = 0; i < bk_obj__prog_cnt(obj); i++) {
		struct bk_prog *p = bk_obj__prog(obj, i);
		struct bv_result res = {
			.file = name, .prog = bk_prog__name(p), .section = bk_prog__section(p)};
		enum bk_prog_type t = r->o.type ? r->o.type : bk_prog__type(p);
		struct bk_verify_opts v = vopts(r, true);

		if (!wanted(&r->o, p))
			continue;
		found++;
		res.type = bk_prog_type_name(t) ? bk_prog_type_name(t) : "unknown";
		if (r->o.log_level)
			log_line(r, "");
		v.explain = &res.ex;
		res.bprog = p;
		r->cur_prog = bk_prog__name(p);
		res.rc = bk_prog__verify(p, r->o.type, &v, &res.stats, &res.diag);
		if (res.rc == -ENOMEM) {
			bk_obj__free(obj);
			return -ENOMEM;
		}
		if (res.rc && res.diag.insn >= 0) {
			const struct bk_line *l = bk_prog__line(p, (uint32_t)res.diag.insn);

			res.src_line = l ? l->text : NULL;
		}
		if (r->o.kernel && t <= BK_PROG__KERNEL_MAX)
			bv_kernel_verdict(buf, len, bk_prog__name(p), r->o.type, &res.kernel);
		tally(r, &res);
	}
	bk_obj__free(obj);
	if (!found && r->o.section) {
		struct bv_result res = {
			.file = name, .prog = r->o.section, .section = "", .type = ""};

		bk_diag__set(&res.diag, BK_E_NO_PROG, -1, "no program or section named '%s'",
			     r->o.section);
		res.rc = -BK_E_NO_PROG;
		tally(r, &res);
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct run *r)
{
	int c;
	uint64_t v;

	while ((c = getopt_long(argc, argv, "s:t:kjpqhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 's':
			r->o.section = optarg;
			break;
		case 't':
			r->o.type = bk_prog_type_by_name(optarg);
			if (!r->o.type || !bk_verify_supports_type(r->o.type)) {
				tool_err("bpfverify", "unknown or unsupported program type '%s'",
					 optarg);
				return TOOL_EXIT_USAGE;
			}
			break;
		case OPT_RAW:
			r->o.raw = true;
			break;
		case OPT_LOG:
			if (tool_parse_u64(optarg, &v) || v < 1 || v > 2) {
				tool_err("bpfverify", "--log takes 1 or 2");
				return TOOL_EXIT_USAGE;
			}
			r->o.log_level = (int)v;
			break;
		case OPT_NRCPUS:
			if (tool_parse_u64(optarg, &v) || !v || v > 8192) {
				tool_err("bpfverify", "--nr-cpus takes a number of CPUs");
				return TOOL_EXIT_USAGE;
			}
			r->nr_cpus = (uint32_t)v;
			break;
		case OPT_TARGET_KERNEL:
			if (bk_verify_kernel_parse(optarg, &r->target_kernel)) {
				tool_err("bpfverify",
					 "--target-kernel takes 6.1, 6.6, 6.12, 6.18 (any 6.x from "
					 "6.1), newest or running");
				return TOOL_EXIT_USAGE;
			}
			break;
		case OPT_EXPLAIN:
			r->o.explain = true;
			break;
		case OPT_SARIF:
			r->o.sarif = optarg;
			break;
		case OPT_CFG:
			if (strcmp(optarg, "dot")) {
				tool_err("bpfverify", "--cfg knows one format: dot");
				return TOOL_EXIT_USAGE;
			}
			r->o.cfg_dot = true;
			break;
		case 'k':
			r->o.kernel = true;
			break;
		case 'j':
			r->o.json = true;
			break;
		case 'p':
			r->o.pretty = true;
			break;
		case 'q':
			r->o.quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(TOOL_EXIT_OK);
		case 'V':
			printf("bpfverify %s\n", BK_VERSION);
			exit(TOOL_EXIT_OK);
		default:
			fputs(usage, stderr);
			return TOOL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		tool_err("bpfverify", "no input file (try --help)");
		return TOOL_EXIT_USAGE;
	}
	if (r->o.raw && !r->o.type) {
		tool_err("bpfverify", "--raw needs --type");
		return TOOL_EXIT_USAGE;
	}
	if (r->o.kernel && geteuid() != 0) {
		tool_err("bpfverify", "--kernel needs root");
		return TOOL_EXIT_USAGE;
	}
	/* one document on stdout at a time */
	if ((r->o.json + r->o.cfg_dot + (r->o.sarif && !strcmp(r->o.sarif, "-"))) > 1) {
		tool_err("bpfverify", "--json, --cfg and --sarif - all write to stdout: pick one");
		return TOOL_EXIT_USAGE;
	}
	if (r->o.cfg_dot || (r->o.sarif && !strcmp(r->o.sarif, "-")))
		r->o.quiet = true;
	return 0;
}

int main(int argc, char **argv)
{
	struct run r = {0};
	int rc = parse_args(argc, argv, &r);

	if (rc) {
		if (r.o.json) {
			struct bk_diag d;

			bk_diag__init(&d); /* bk_diag__set leaves the file fields */
			bk_diag__set(&d, EINVAL, -1, "usage error (see bpfverify --help)");
			tool_json_error(stdout, &d);
		}
		return rc;
	}
	if (!r.nr_cpus)
		r.nr_cpus = possible_cpus();
	r.cache = bk_verify_cache__new(); /* NULL: each program reads BTF itself */
	if (r.o.sarif) {
		r.sarif_f = strcmp(r.o.sarif, "-") ? fopen(r.o.sarif, "w") : stdout;
		if (!r.sarif_f) {
			tool_err("bpfverify", "%s: %s", r.o.sarif, strerror(errno));
			return TOOL_EXIT_USAGE;
		}
		bv_sarif_begin(&r.sarif, r.sarif_f);
	}
	bv_report_begin(&r.o, &r.w);
	for (int i = optind; i < argc; i++) {
		const char *name = strcmp(argv[i], "-") ? argv[i] : "<stdin>";
		char *buf;
		size_t len;
		int err = tool_read_file(argv[i], 0, &buf, &len);

		if (err) {
			struct bk_diag d;

			bk_diag__set(&d, -err, -1, "%s: %s", name, strerror(-err));
			d.file = name;
			if (!r.o.json)
				tool_print_diag(stderr, "bpfverify", &d, NULL, 0);
			bv_report_end(&r.o, &r.w, r.nprogs, r.nrejected, r.nmismatch, &d);
			return TOOL_EXIT_USAGE;
		}
		err = r.o.raw ? do_raw(&r, name, buf, len) : do_obj(&r, name, buf, len);
		free(buf);
		if (err) {
			tool_err("bpfverify", "%s: %s", name, strerror(-err));
			return TOOL_EXIT_USAGE;
		}
	}
	bv_report_end(&r.o, &r.w, r.nprogs, r.nrejected, r.nmismatch, NULL);
	if (r.sarif_f) {
		bv_sarif_end(&r.sarif);
		if (r.sarif_f != stdout && fclose(r.sarif_f)) {
			tool_err("bpfverify", "%s: %s", r.o.sarif, strerror(errno));
			return TOOL_EXIT_USAGE;
		}
	}
	bk_verify_cache__free(r.cache);
	return r.nrejected || r.nmismatch ? TOOL_EXIT_REJECT : TOOL_EXIT_OK;
}
