// SPDX-License-Identifier: MIT
/*
 * bpfas - the BPF assembler and disassembler.
 *
 *   bpfas prog.s -o prog.o        assemble to an ELF object (libbpf loads it)
 *   bpfas --raw prog.s -o prog.bin  ... or to bare bytecode
 *   bpfas -d prog.o               disassemble (--syntax llvm|kernel|ubpf)
 *   bpfas -d --raw prog.bin       disassemble bare bytecode
 *
 * This file reads the options and runs one of the two modes (assemble.c,
 * disasm.c).  Exit codes: 0 done, 1 the input was rejected (an assembly
 * error, a malformed object, an undecodable instruction), 2 usage or I/O.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bpfas.h"

static const char usage[] =
	"Usage: bpfas [OPTIONS] FILE [-o OUT]        assemble FILE into an ELF object\n"
	"       bpfas -d [OPTIONS] FILE [-o OUT]     disassemble an object\n"
	"\n"
	"Assembles BPF programs written in the LLVM syntax (r0 = 1), the kernel\n"
	"verifier-log syntax ((b7) r0 = 1) or the ubpf syntax (mov %r0, 1), mixed\n"
	"freely, with labels, helper names and directives for sections, maps,\n"
	"license and data.  Disassembles to text that bpfas assembles back to the\n"
	"same bytes.  FILE and OUT may be - for stdin and stdout.\n"
	"\n"
	"Options:\n"
	"  -o, --output OUT       where to write; default: FILE with .o (or .bin\n"
	"                         with --raw) when assembling, stdout when\n"
	"                         disassembling\n"
	"  -d, --disassemble      disassemble FILE (an ELF object, or bytecode\n"
	"                         with --raw)\n"
	"      --raw              bare bytecode instead of an ELF object: written\n"
	"                         when assembling, read when disassembling (binary,\n"
	"                         hex text, or a conformance file's -- raw section)\n"
	"  -s, --section NAME     the code section (or function) to write or show\n"
	"      --syntax SYNTAX    disassembly syntax: llvm (default), kernel, ubpf\n"
	"  -l, --labels           jump targets as labels instead of offsets\n"
	"      --numeric-helpers  call 1 instead of call bpf_map_lookup_elem\n"
	"  -j, --json             one JSON document on stdout: the listing (one\n"
	"                         object per instruction) or the error\n"
	"  -p, --pretty           indented JSON\n"
	"  -h, --help             this help\n"
	"  -V, --version          the version\n"
	"\n"
	"Exit status: 0 ok, 1 the input was rejected (with file:line:col and the\n"
	"reason), 2 usage or I/O error.\n";

enum {
	OPT_RAW = 256,
	OPT_SYNTAX,
	OPT_NUMERIC,
};

static const struct option long_opts[] = {
	{"output", required_argument, NULL, 'o'},
	{"disassemble", no_argument, NULL, 'd'},
	{"raw", no_argument, NULL, OPT_RAW},
	{"section", required_argument, NULL, 's'},
	{"syntax", required_argument, NULL, OPT_SYNTAX},
	{"labels", no_argument, NULL, 'l'},
	{"numeric-helpers", no_argument, NULL, OPT_NUMERIC},
	{"json", no_argument, NULL, 'j'},
	{"pretty", no_argument, NULL, 'p'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{0},
};

int as_fail(const struct as_opts *o, int code, const struct bk_diag *d, const char *src, size_t len)
{
	if (o->json)
		tool_json_error(stdout, d);
	else
		tool_print_diag(stderr, "bpfas", d, src, len);
	return code;
}

int as_failf(const struct as_opts *o, int code, int err, const char *fmt, ...)
{
	struct bk_diag d;
	va_list ap;

	bk_diag__init(&d);
	va_start(ap, fmt);
	bk_diag__vset(&d, err, -1, fmt, ap);
	va_end(ap);
	return as_fail(o, code, &d, NULL, 0);
}

static int usage_err(const struct as_opts *o, const char *fmt, const char *arg)
{
	as_failf(o, TOOL_EXIT_USAGE, EINVAL, fmt, arg);
	if (!o->json)
		fputs("Try 'bpfas --help'.\n", stderr);
	return TOOL_EXIT_USAGE;
}

/* Returns 0, an exit code, or -1 for "exit 0 now". */
static int parse(int argc, char **argv, struct as_opts *o)
{
	int c;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j") ||
		    !strcmp(argv[i], "--pretty") || !strcmp(argv[i], "-p"))
			o->json = true;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:ds:ljphV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 'd':
			o->disasm = true;
			break;
		case OPT_RAW:
			o->raw = true;
			break;
		case 's':
			o->section = optarg;
			break;
		case OPT_SYNTAX:
			if (!strcmp(optarg, "llvm"))
				o->syntax = BK_SYNTAX_LLVM;
			else if (!strcmp(optarg, "kernel"))
				o->syntax = BK_SYNTAX_KERNEL;
			else if (!strcmp(optarg, "ubpf"))
				o->syntax = BK_SYNTAX_UBPF;
			else
				return usage_err(o, "--syntax %s: expected llvm, kernel or ubpf",
						 optarg);
			break;
		case 'l':
			o->labels = true;
			break;
		case OPT_NUMERIC:
			o->numeric_helpers = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'p':
			o->json = o->pretty = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		case 'V':
			printf("bpfas %s\n", BK_VERSION);
			return -1;
		case ':':
			return usage_err(o, "option %s needs a value", argv[optind - 1]);
		default:
			return usage_err(o, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_err(o, "no input file%s", "");
	o->in = argv[optind++];
	if (optind < argc)
		return usage_err(o, "one input file at a time ('%s' is extra)", argv[optind]);
	return 0;
}

int main(int argc, char **argv)
{
	struct as_opts o = {0};
	int rc = parse(argc, argv, &o);

	if (rc)
		return rc < 0 ? TOOL_EXIT_OK : rc;
	return o.disasm ? as_disassemble(&o) : as_assemble(&o);
}
