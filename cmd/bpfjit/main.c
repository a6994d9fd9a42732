// SPDX-License-Identifier: MIT
/*
 * bpfjit - runs BPF programs in user space: `run` executes a program of an
 * object (or bare bytecode) on memory, a packet or every packet of a pcap
 * and reports r0 or the XDP verdicts and the time per run (several objects:
 * a chain of XDP programs called through libjit's dispatcher); `dump`
 * prints the native code; `plugin` is a runner for the bpf_conformance
 * suite.  Programs run as native code from libjit unless --interp picks
 * libvm's interpreter.
 *
 * This file reads the command line; run.c, plugin.c and load.c do the
 * work.  Options may come before or after the command and its file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "bpfjit.h"

static const char usage[] =
	"Usage: bpfjit run PROG.o [-s SEC] [OPTIONS]\n"
	"       bpfjit run --raw PROG.bin [OPTIONS]\n"
	"       bpfjit run A.o B.o ... [--packet F | --pcap F] [OPTIONS]\n"
	"       bpfjit dump PROG.o [-s SEC] [--json]    (also: bpfjit --dump PROG.o)\n"
	"       bpfjit plugin [--interp|--jit] [MEMORY-HEX]\n"
	"\n"
	"Runs BPF programs in user space, compiled to x86-64 by libjit (the\n"
	"default) or in libvm's interpreter (--interp).\n"
	"\n"
	"Commands:\n"
	"  run FILE          run a program and print r0 (or, with --pcap, the XDP\n"
	"                    verdict counts) and the time per run\n"
	"  run FILE FILE...  a chain of XDP programs (-s picks in each): each packet\n"
	"                    goes through them in order while they return XDP_PASS,\n"
	"                    each called through the dispatcher\n"
	"  dump FILE         print the native code (capstone) interleaved with the\n"
	"                    BPF instructions it came from; --json: per instruction\n"
	"                    its native offset and bytes\n"
	"  plugin            runner for the bpf_conformance suite: the program as hex\n"
	"                    bytes on stdin, memory as hex in the arguments; prints\n"
	"                    r0 in hex (lowercase, no 0x) or a message on stderr and\n"
	"                    exits 1\n"
	"\n"
	"Options of run:\n"
	"  -s, --section SEC     the program: function or section name (default:\n"
	"                        the object's first program)\n"
	"      --raw             FILE is bare bytecode (8-byte instructions), not ELF\n"
	"      --type TYPE       program type: raw (r1 = memory, r2 = length), xdp,\n"
	"                        tc, sched_act, socket, cgroup_skb, lwt_*, sk_skb;\n"
	"                        default: from the section, raw for bytecode\n"
	"      --mem HEX         memory for r1/r2 (raw), or the packet (xdp)\n"
	"      --mem-file FILE   the same, read from FILE\n"
	"      --packet FILE     run an XDP or skb program (tc, socket, cgroup_skb)\n"
	"                        on the packet in FILE\n"
	"      --pcap FILE       run on every packet of FILE; print verdict counts\n"
	"                        (XDP_*, TC_ACT_*, socket filters: bytes kept)\n"
	"      --repeat N        run N times (each packet N times); report the mean\n"
	"      --map-update MAP=KEY=VALUE\n"
	"                        set an element before running (hex bytes)\n"
	"      --dump-maps       print the maps' elements after the run\n"
	"      --interp          run in the interpreter\n"
	"      --jit             run as native code (the default)\n"
	"      --harden          blind the constants of native code (bpf_jit_harden)\n"
	"      --dump            same as the dump command\n"
	"      --trusted         no per-access checks (only for verified programs)\n"
	"      --verify          verify the programs with libverify first: one it\n"
	"                        rejects is refused; native code uses what the\n"
	"                        verifier proved (constants, ranges, dead code) to\n"
	"                        leave out moves, zero-extensions and checks\n"
	"      --budget N        checked mode: stop after N instructions per run\n"
	"  -j, --json            one JSON document on stdout\n"
	"  -p, --pretty          indented JSON\n"
	"  -h, --help            this help\n"
	"  -V, --version         the version\n"
	"\n"
	"Programs run in checked mode unless --trusted: every load, store and\n"
	"helper argument is checked against the program's memory (stack,\n"
	"context, packet, map values), and a fault stops the run naming the\n"
	"instruction.  bpf_trace_printk output goes to stderr.\n"
	"\n"
	"Exit status: 0 ok, 1 the program was refused or faulted, 2 usage or I/O\n"
	"error.\n";

enum {
	O_RAW = 256,
	O_TYPE,
	O_MEM,
	O_MEM_FILE,
	O_PACKET,
	O_PCAP,
	O_REPEAT,
	O_MAP_UPDATE,
	O_DUMP_MAPS,
	O_INTERP,
	O_JIT,
	O_TRUSTED,
	O_BUDGET,
	O_DUMP,
	O_HARDEN,
	O_VERIFY,
};

static const struct option long_opts[] = {
	{"section", required_argument, NULL, 's'},
	{"raw", no_argument, NULL, O_RAW},
	{"type", required_argument, NULL, O_TYPE},
	{"mem", required_argument, NULL, O_MEM},
	{"mem-file", required_argument, NULL, O_MEM_FILE},
	{"packet", required_argument, NULL, O_PACKET},
	{"pcap", required_argument, NULL, O_PCAP},
	{"repeat", required_argument, NULL, O_REPEAT},
	{"map-update", required_argument, NULL, O_MAP_UPDATE},
	{"dump-maps", no_argument, NULL, O_DUMP_MAPS},
	{"interp", no_argument, NULL, O_INTERP},
	{"jit", no_argument, NULL, O_JIT},
	{"trusted", no_argument, NULL, O_TRUSTED},
	{"budget", required_argument, NULL, O_BUDGET},
	{"dump", no_argument, NULL, O_DUMP},
	{"harden", no_argument, NULL, O_HARDEN},
	{"verify", no_argument, NULL, O_VERIFY},
	{"json", no_argument, NULL, 'j'},
	{"pretty", no_argument, NULL, 'p'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static int usage_error(const struct bj_opts *o, const char *msg)
{
	struct bk_diag d;

	bk_diag__init(&d);
	bk_diag__set(&d, EINVAL, -1, "%s (see bpfjit --help)", msg);
	return bj_fail(o, &d, TOOL_EXIT_USAGE);
}

int bj_fail(const struct bj_opts *o, const struct bk_diag *d, int code)
{
	if (o->json)
		tool_json_error(stdout, d);
	else
		tool_print_diag(stderr, "bpfjit", d, NULL, 0);
	return code;
}

static int number(const struct bj_opts *o, const char *s, uint64_t *v, const char *what)
{
	char msg[128];

	if (!tool_parse_u64(s, v))
		return 0;
	snprintf(msg, sizeof(msg), "%s: not a number: '%s'", what, s);
	return usage_error(o, msg);
}

/* Parses argv into o; returns -1 to go on, else an exit code. */
static int parse(int argc, char **argv, struct bj_opts *o)
{
	int c, err;

	o->repeat = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "s:jphV", long_opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->section = optarg;
			break;
		case O_RAW:
			o->raw = true;
			break;
		case O_TYPE:
			o->type = optarg;
			break;
		case O_MEM:
			o->mem_hex = optarg;
			break;
		case O_MEM_FILE:
			o->mem_file = optarg;
			break;
		case O_PACKET:
			o->packet_file = optarg;
			break;
		case O_PCAP:
			o->pcap_file = optarg;
			break;
		case O_REPEAT:
			if ((err = number(o, optarg, &o->repeat, "--repeat")))
				return err;
			if (!o->repeat)
				return usage_error(o, "--repeat must be at least 1");
			break;
		case O_MAP_UPDATE:
			if (o->nupdates >= BJ_MAX_UPDATES)
				return usage_error(o, "too many --map-update");
			o->updates[o->nupdates++] = optarg;
			break;
		case O_DUMP_MAPS:
			o->dump_maps = true;
			break;
		case O_INTERP:
			o->interp = true;
			break;
		case O_JIT:
			o->jit = true;
			break;
		case O_TRUSTED:
			o->trusted = true;
			break;
		case O_BUDGET:
			if ((err = number(o, optarg, &o->budget, "--budget")))
				return err;
			break;
		case O_DUMP:
			o->dump = true;
			break;
		case O_HARDEN:
			o->harden = true;
			break;
		case O_VERIFY:
			o->verify = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'p':
			o->json = o->pretty = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return TOOL_EXIT_OK;
		case 'V':
			printf("bpfjit %s\n", BK_VERSION);
			return TOOL_EXIT_OK;
		default: {
			char msg[128];

			snprintf(msg, sizeof(msg), "unknown or incomplete option '%s'",
				 argv[optind - 1]);
			return usage_error(o, msg);
		}
		}
	}
	if (optind >= argc)
		return usage_error(o, o->dump ? "--dump: missing program file"
					      : "missing command (run, dump or plugin)");
	o->cmd = argv[optind++];
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (o->interp && o->jit)
		return usage_error(o, "--interp and --jit exclude each other");
	return -1;
}

int main(int argc, char **argv)
{
	struct bj_opts o = {0};
	int rc = parse(argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (o.dump || !strcmp(o.cmd, "dump"))
		return bj_cmd_dump(&o);
	if (!strcmp(o.cmd, "run"))
		return bj_cmd_run(&o);
	if (!strcmp(o.cmd, "plugin"))
		return bj_cmd_plugin(&o);
	{
		char msg[160];

		snprintf(msg, sizeof(msg), "unknown command '%s' (run, dump or plugin)", o.cmd);
		return usage_error(&o, msg);
	}
}
