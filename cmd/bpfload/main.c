// SPDX-License-Identifier: MIT
/*
 * bpfload - loads BPF programs into the kernel: attaches an object's XDP
 * program to a network interface (native or generic mode, maps pinned on
 * bpffs for mapctl), detaches it, or runs a program with
 * BPF_PROG_TEST_RUN.  Before the kernel sees a program, bpfkit's own
 * verifier checks it in-process, and both verdicts are reported.
 *
 * This file reads the options into struct bl_opts, checks they make one
 * action, captures libbpf's messages, runs the action from the table and
 * prints the report.  libbpf's print callback has no context pointer, so
 * the captured messages live in one tool-level variable.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bpfload.h"
#include "ring.h"
#include "tool.h"

struct bl_msgs bl_libbpf_msgs;
static struct bk_diag first_error;
static bool json_mode, verbose_mode;

static const char usage[] =
	"Usage: bpfload OBJ --xdp IFACE [--mode native|generic] [--pin DIR] [--replace]\n"
	"       bpfload --detach --xdp IFACE [--mode native|generic] [--pin DIR]\n"
	"       bpfload OBJ --test-run [--data FILE] [--repeat N]\n"
	"       bpfload OBJ --ring PATH [--ring PATH ...] [--qd N] [--interp] [--stats]\n"
	"\n"
	"Loads a BPF object (OBJ, or - for stdin) through libbpf into the kernel.\n"
	"bpfkit's verifier checks the program first; both verdicts are shown, and a\n"
	"kernel rejection prints the end of the kernel verifier's log (the last\n"
	"instructions of the failing path and the error).\n"
	"\n"
	"Actions:\n"
	"      --xdp IFACE       attach the object's XDP program to IFACE\n"
	"      --detach          with --xdp: remove the XDP program from IFACE\n"
	"      --test-run        run the program once (or N times) with\n"
	"                        BPF_PROG_TEST_RUN and print its return value\n"
	"      --ring PATH       run the object's iouring programs in the ring\n"
	"                        executor; each PATH (file or device, created when\n"
	"                        missing) becomes fixed file 0, 1, ...\n"
	"\n"
	"Ring options (with --ring):\n"
	"      --qd N            queue depth the programs read from iouring_env (8)\n"
	"      --mem SIZE        memory registered for SQE buffers (8M; K, M, G)\n"
	"      --arg STR         a string for the programs (iouring_env.arg[])\n"
	"      --set MAP:KEY=VALUE  store an integer in a map before the first run\n"
	"      --budget N        instructions per program run (1000000)\n"
	"      --interp          run in the interpreter instead of the JIT\n"
	"      --stats           print the executor's counters\n"
	"      --dump-maps       print the maps after the run\n"
	"      --no-verify       run unverified programs (checked mode)\n"
	"  -s, --section SEC     start only this program (all are registered)\n"
	"\n"
	"Options:\n"
	"      --mode MODE       native (in the driver) or generic (any device);\n"
	"                        default: native when the driver has it\n"
	"      --pin DIR         pin the maps as DIR/<map> and the program as\n"
	"                        DIR/<program> on bpffs (--detach: remove them)\n"
	"      --replace         replace a program already attached to IFACE, and\n"
	"                        pins already in DIR\n"
	"  -s, --section SEC     the program to load, by section or function name\n"
	"      --data FILE       test run: the packet (raw bytes; default a 64-byte\n"
	"                        IPv4/UDP frame)\n"
	"      --repeat N        test run: run N times (the time is the average)\n"
	"      --no-verify       skip bpfkit's verifier\n"
	"  -j, --json            one JSON document on stdout\n"
	"  -p, --pretty          indented JSON\n"
	"  -v, --verbose         libbpf's messages and the whole verifier log\n"
	"  -h, --help            this help\n"
	"  -V, --version         the version\n"
	"\n"
	"Exit status: 0 ok, 1 the program was rejected, 2 usage, I/O or system\n"
	"error (no such interface or file, no privileges).\n";

int bl_fail(const struct bl_opts *o, int exit_code, int err, const char *fmt, ...)
{
	struct bk_diag d;
	va_list ap;

	bk_diag__init(&d);
	va_start(ap, fmt);
	bk_diag__vset(&d, err, -1, fmt, ap);
	va_end(ap);
	if (!first_error.code && !first_error.msg[0])
		first_error = d;
	if (!o->json)
		tool_print_diag(stderr, "bpfload", &d, NULL, 0);
	return exit_code;
}

/* libbpf's messages: kept for diagnostics; shown with --verbose. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	struct bl_msgs *m = &bl_libbpf_msgs;
	char line[1024];
	int n;

	if (level == LIBBPF_DEBUG && !verbose_mode)
		return 0;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (verbose_mode && !json_mode)
		fputs(line, stderr);
	if (m->len + (size_t)n + 1 > m->cap) {
		size_t cap = (m->cap ? m->cap * 2 : 4096) + (size_t)n;
		char *t = realloc(m->text, cap);

		if (!t)
			return 0;
		m->text = t;
		m->cap = cap;
	}
	memcpy(m->text + m->len, line, (size_t)n + 1);
	m->len += (size_t)n;
	return 0;
}

// clang-format off
static const struct { enum bl_action action; const char *name;
		      int (*run)(const struct bl_opts *, struct bl_report *); } actions[] = {
	/* action       name        runs */
	{ BL_XDP,       "xdp",      bl_run_xdp },
	{ BL_DETACH,    "detach",   bl_run_detach },
	{ BL_TEST_RUN,  "test-run", bl_run_test },
};
// clang-format on

enum {
	OPT_XDP = 256,
	OPT_MODE,
	OPT_PIN,
	OPT_REPLACE,
	OPT_DETACH,
	OPT_TEST_RUN,
	OPT_DATA,
	OPT_REPEAT,
	OPT_NO_VERIFY,
};

static const struct option long_opts[] = {
	{"xdp", required_argument, NULL, OPT_XDP},
	{"mode", required_argument, NULL, OPT_MODE},
	{"pin", required_argument, NULL, OPT_PIN},
	{"replace", no_argument, NULL, OPT_REPLACE},
	{"section", required_argument, NULL, 's'},
	{"detach", no_argument, NULL, OPT_DETACH},
	{"test-run", no_argument, NULL, OPT_TEST_RUN},
	{"data", required_argument, NULL, OPT_DATA},
	{"repeat", required_argument, NULL, OPT_REPEAT},
	{"no-verify", no_argument, NULL, OPT_NO_VERIFY},
	{"json", no_argument, NULL, 'j'},
	{"pretty", no_argument, NULL, 'p'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{0},
};

static int usage_err(const struct bl_opts *o, const char *msg, const char *arg)
{
	bl_fail(o, TOOL_EXIT_USAGE, EINVAL, msg, arg);
	if (!o->json)
		fputs("Try 'bpfload --help'.\n", stderr);
	return TOOL_EXIT_USAGE;
}

/* Parses argv into o; returns 0, an exit code, or -1 for "exit 0 now". */
static int parse(int argc, char **argv, struct bl_opts *o)
{
	bool detach = false, test_run = false;
	uint64_t u;
	int c;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			o->json = json_mode = true;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:jpvhV", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_XDP:
			o->iface = optarg;
			break;
		case OPT_MODE:
			if (strcmp(optarg, "native") && strcmp(optarg, "generic"))
				return usage_err(o, "--mode %s: expected native or generic",
						 optarg);
			o->mode = optarg;
			break;
		case OPT_PIN:
			o->pin = optarg;
			break;
		case OPT_REPLACE:
			o->replace = true;
			break;
		case 's':
			o->section = optarg;
			break;
		case OPT_DETACH:
			detach = true;
			break;
		case OPT_TEST_RUN:
			test_run = true;
			break;
		case OPT_DATA:
			o->data = optarg;
			break;
		case OPT_REPEAT:
			if (tool_parse_u64(optarg, &u) || !u || u > UINT32_MAX)
				return usage_err(o, "--repeat %s: expected a count from 1", optarg);
			o->repeat = (uint32_t)u;
			break;
		case OPT_NO_VERIFY:
			o->no_verify = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'p':
			o->json = o->pretty = true;
			break;
		case 'v':
			o->verbose = verbose_mode = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		case 'V':
			printf("bpfload %s\n", BK_VERSION);
			return -1;
		case ':':
			return usage_err(o, "option %s needs a value", argv[optind - 1]);
		default:
			return usage_err(o, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->obj = argv[optind++];
	if (optind < argc)
		return usage_err(o, "unexpected argument '%s' (one object at a time)",
				 argv[optind]);
	if (detach + test_run > 1 || (test_run && o->iface))
		return usage_err(o, "choose one action: --xdp, --detach --xdp or --test-run%s", "");
	o->action = test_run ? BL_TEST_RUN : detach ? BL_DETACH : o->iface ? BL_XDP : BL_NONE;
	if (o->action == BL_NONE)
		return usage_err(o,
				 "nothing to do: give --xdp IFACE, --detach --xdp IFACE or "
				 "--test-run%s",
				 "");
	if (o->action == BL_DETACH && !o->iface)
		return usage_err(o, "--detach needs --xdp IFACE%s", "");
	if (o->action == BL_DETACH && o->obj)
		return usage_err(o, "--detach takes no object (got '%s')", o->obj);
	if (o->action != BL_DETACH && !o->obj)
		return usage_err(o, "no object given (a path, or - for stdin)%s", "");
	if (o->action != BL_TEST_RUN && (o->data || o->repeat))
		return usage_err(o, "--data and --repeat go with --test-run%s", "");
	if (o->action == BL_DETACH && o->replace)
		return usage_err(o, "--replace goes with --xdp IFACE or --test-run --pin%s", "");
	if (o->action == BL_TEST_RUN && o->mode)
		return usage_err(o, "--mode goes with --xdp IFACE%s", "");
	if (o->data && o->obj && !strcmp(o->data, "-") && !strcmp(o->obj, "-"))
		return usage_err(o, "the object and --data cannot both come from stdin%s", "");
	return 0;
}

int main(int argc, char **argv)
{
	struct bl_opts o = {0};
	struct bl_report r = {.o = &o, .ours = {.state = -1, .insn = -1}, .kernel = {.state = -1}};
	int rc;

	if (bl_ring_requested(argc, argv))
		return bl_ring_main(argc, argv); /* ring_main.c */
	bk_diag__init(&first_error);
	first_error.code = 0;
	rc = parse(argc, argv, &o);
	if (rc) {
		if (rc > 0 && o.json)
			tool_json_error(stdout, &first_error);
		return rc < 0 ? TOOL_EXIT_OK : rc;
	}
	libbpf_set_print(libbpf_print);
	rc = TOOL_EXIT_USAGE;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (actions[i].action == o.action)
			rc = actions[i].run(&o, &r);
	r.error = rc ? &first_error : NULL;
	bl_report_print(&o, &r, o.obj ? (strcmp(o.obj, "-") ? o.obj : "<stdin>") : NULL);
	bl_report_free(&r);
	free(bl_libbpf_msgs.text);
	return rc;
}
