// SPDX-License-Identifier: MIT
/*
 * ring_main.c - `bpfload OBJ --ring PATH [--ring PATH ...]`: reads the
 * ring options (main.c hands the whole command line over when it sees
 * --ring), runs setup, loop and report, and maps errors to exit codes:
 * 0 every started program completed with a result >= 0; 1 a program was
 * rejected, faulted, failed (negative result) or the run was interrupted;
 * 2 usage, I/O or system errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

enum {
	OPT_RING = 256,
	OPT_QD,
	OPT_MEM,
	OPT_ARG,
	OPT_SET,
	OPT_BUDGET,
	OPT_INTERP,
	OPT_STATS,
	OPT_DUMP_MAPS,
	OPT_NO_VERIFY,
};

static const struct option long_opts[] = {
	{"ring", required_argument, NULL, OPT_RING},
	{"qd", required_argument, NULL, OPT_QD},
	{"mem", required_argument, NULL, OPT_MEM},
	{"arg", required_argument, NULL, OPT_ARG},
	{"set", required_argument, NULL, OPT_SET},
	{"budget", required_argument, NULL, OPT_BUDGET},
	{"interp", no_argument, NULL, OPT_INTERP},
	{"stats", no_argument, NULL, OPT_STATS},
	{"dump-maps", no_argument, NULL, OPT_DUMP_MAPS},
	{"no-verify", no_argument, NULL, OPT_NO_VERIFY},
	{"section", required_argument, NULL, 's'},
	{"json", no_argument, NULL, 'j'},
	{"pretty", no_argument, NULL, 'p'},
	{"verbose", no_argument, NULL, 'v'},
	{0},
};

/* --ring anywhere, and no --help or --version (main.c answers those). */
bool bl_ring_requested(int argc, char **argv)
{
	bool ring = false;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") ||
		    !strcmp(argv[i], "--version") || !strcmp(argv[i], "-V"))
			return false;
		if (!strcmp(argv[i], "--ring") || !strncmp(argv[i], "--ring=", 7))
			ring = true;
	}
	return ring;
}

int rl_fail(struct rl *r, int exit_code, int code, const char *fmt, ...)
{
	va_list ap;

	if (!r->err.code && !r->err.msg[0]) {
		va_start(ap, fmt);
		bk_diag__vset(&r->err, code, -1, fmt, ap);
		va_end(ap);
	}
	if (!r->rc)
		r->rc = exit_code;
	return exit_code;
}

int rl_fail_diag(struct rl *r, int exit_code, const struct bk_diag *d, const struct bk_prog *p)
{
	if (!r->err.code && !r->err.msg[0]) {
		r->err = *d;
		if (p && d->insn >= 0) {
			const struct bk_line *l = bk_prog__line(p, (uint32_t)d->insn);

			if (l && l->file && l->line) {
				r->err.file = l->file;
				r->err.line = (int)l->line;
				r->err.col = (int)l->col;
			}
		}
		if (!r->err.file)
			r->err.file = r->name;
	}
	if (!r->rc)
		r->rc = exit_code;
	return exit_code;
}

/* "8M", "64k", "1G", or bytes. */
static int parse_size(const char *s, uint64_t *out)
{
	char buf[32], *last;
	uint64_t v, mul = 1;
	size_t n = strlen(s);

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n + 1);
	last = buf + n - 1;
	switch (*last) {
	case 'k':
	case 'K':
		mul = 1ull << 10;
		break;
	case 'm':
	case 'M':
		mul = 1ull << 20;
		break;
	case 'g':
	case 'G':
		mul = 1ull << 30;
		break;
	default:
		last = NULL;
	}
	if (last)
		*last = '\0';
	if (tool_parse_u64(buf, &v) || v > UINT64_MAX / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

static int usage_err(struct rl *r, const char *fmt, const char *arg)
{
	rl_fail(r, TOOL_EXIT_USAGE, EINVAL, fmt, arg);
	return TOOL_EXIT_USAGE;
}

static int parse_one(struct rl *r, struct rl_opts *o, int c, const char *arg)
{
	uint64_t u;

	switch (c) {
	case OPT_RING:
		if (o->npaths >= RL_MAX_FILES)
			return usage_err(r, "--ring %s: at most 16 files", arg);
		o->paths[o->npaths++] = arg;
		return 0;
	case OPT_QD:
		if (tool_parse_u64(arg, &u) || !u || u > 4096)
			return usage_err(r, "--qd %s: expected a queue depth from 1 to 4096", arg);
		o->qd = (uint32_t)u;
		return 0;
	case OPT_MEM:
		if (parse_size(arg, &u) || u < 4096 || u > (1ull << 34))
			return usage_err(r,
					 "--mem %s: expected a size from 4K to 16G (K, M, G "
					 "suffixes)",
					 arg);
		o->mem = u;
		return 0;
	case OPT_ARG:
		if (o->nargs >= RL_MAX_ARGS)
			return usage_err(r, "--arg %s: at most 256 arguments", arg);
		o->args[o->nargs++] = arg;
		return 0;
	case OPT_SET:
		if (o->nsets >= RL_MAX_SETS)
			return usage_err(r, "--set %s: at most 64 settings", arg);
		o->sets[o->nsets++] = arg;
		return 0;
	case OPT_BUDGET:
		if (tool_parse_u64(arg, &u) || !u)
			return usage_err(r, "--budget %s: expected an instruction count from 1",
					 arg);
		o->budget = u;
		return 0;
	case OPT_INTERP:
		o->interp = true;
		return 0;
	case OPT_STATS:
		o->stats = true;
		return 0;
	case OPT_DUMP_MAPS:
		o->dump_maps = true;
		return 0;
	case OPT_NO_VERIFY:
		o->no_verify = true;
		return 0;
	case 's':
		o->section = arg;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case 'p':
		o->json = o->pretty = true;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	default:
		return -1;
	}
}

/* Returns 0 or an exit code. */
static int parse(int argc, char **argv, struct rl *r, struct rl_opts *o)
{
	int c, err;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j") ||
		    !strcmp(argv[i], "--pretty") || !strcmp(argv[i], "-p"))
			o->json = true;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":s:jpv", long_opts, NULL)) != -1) {
		if (c == ':')
			return usage_err(r, "option %s needs a value", argv[optind - 1]);
		if (c == '?')
			return usage_err(r,
					 "unknown option '%s' (with --ring: --qd, --mem, --arg, "
					 "--set, --budget, --interp, --stats, --dump-maps, "
					 "--no-verify, -s, --json)",
					 argv[optind - 1]);
		err = parse_one(r, o, c, optarg);
		if (err)
			return err;
	}
	if (optind < argc)
		o->obj = argv[optind++];
	if (optind < argc)
		return usage_err(r, "unexpected argument '%s' (one object at a time)",
				 argv[optind]);
	if (!o->obj)
		return usage_err(r, "no object given (a path, or - for stdin)%s", "");
	return 0;
}

int bl_ring_main(int argc, char **argv)
{
	struct rl_opts o = {.qd = 8, .mem = 8ull << 20, .budget = BK_RING_DEFAULT_BUDGET};
	struct rl r = {.o = &o};
	int rc;

	bk_diag__init(&r.err);
	r.err.code = 0;
	for (int i = 0; i < RL_MAX_FILES; i++)
		r.fds[i] = -1;
	rc = parse(argc, argv, &r, &o);
	if (!rc) {
		r.name = strcmp(o.obj, "-") ? o.obj : "<stdin>";
		rc = rl_setup(&r);
		if (!rc)
			rc = rl_loop(&r);
	}
	if (rc && !r.rc)
		r.rc = rc;
	rl_report(&r);
	rl_teardown(&r);
	return r.rc;
}
