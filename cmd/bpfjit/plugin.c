// SPDX-License-Identifier: MIT
/*
 * plugin.c - `bpfjit plugin`, a runner for the bpf_conformance suite: the
 * program arrives as hex bytes on stdin, the memory as hex in the
 * remaining arguments (absent or empty: none, r1 = NULL, r2 = 0).  On
 * success r0 goes to stdout in lowercase hex without 0x ("%lx", what the
 * suite's runner parses with base 16); on failure a message goes to stderr
 * and the exit status is 1 (2 for unreadable input).
 *
 * Programs run in checked mode with an instruction budget, so a malformed
 * or endless program fails instead of crashing or hanging the suite.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bpfjit.h"

enum {
	PLUGIN_BUDGET = 100 * 1000 * 1000
};

/* The memory arguments joined with spaces. */
static char *join_args(const struct bj_opts *o)
{
	size_t n = 1;
	char *s;

	for (int i = 0; i < o->nargs; i++)
		n += strlen(o->args[i]) + 1;
	s = calloc(1, n);
	if (!s)
		return NULL;
	for (int i = 0; i < o->nargs; i++) {
		strcat(s, o->args[i]);
		strcat(s, " ");
	}
	return s;
}

int bj_cmd_plugin(const struct bj_opts *o)
{
	struct bk_vm_run_opts ro = {
		.sz = sizeof(ro), .mode = BK_VM_CHECKED, .budget = PLUGIN_BUDGET};
	struct bk_vm_run *run = NULL;
	uint8_t *code = NULL, *mem = NULL;
	size_t code_len = 0, mem_len = 0, text_len;
	char *text = NULL, *memtext = NULL;
	struct bj_prog p = {0};
	struct bk_diag d;
	uint64_t r0;
	int rc = TOOL_EXIT_USAGE, err;

	bk_diag__init(&d);
	if (o->budget)
		ro.budget = o->budget;
	err = tool_read_file("-", 0, &text, &text_len);
	if (err) {
		bk_diag__set(&d, -err, -1, "stdin: %s", strerror(-err));
		goto out;
	}
	memtext = join_args(o);
	if (!memtext || tool_parse_hex(text, &code, &code_len) ||
	    tool_parse_hex(memtext, &mem, &mem_len)) {
		bk_diag__set(&d, EINVAL, -1, "the program (stdin) and memory must be hex bytes");
		goto out;
	}
	rc = bj_load_bytes(code, code_len, BK_PROG_RAW, "<stdin>", &p, &d);
	if (rc)
		goto out;
	rc = bj_jit_prepare(o, &p, ro.mode, &d);
	if (rc)
		goto out;
	rc = TOOL_EXIT_USAGE;
	if (bk_vm_run__new(p.vm, &ro, &run) ||
	    bk_vm_run__ctx_raw(run, mem_len ? mem : NULL, mem_len))
		goto out;
	rc = TOOL_EXIT_REJECT;
	if (bj_exec(run, &p, &r0, &d))
		goto out;
	printf("%" PRIx64 "\n", r0);
	rc = 0;
out:
	if (rc)
		tool_print_diag(stderr, "bpfjit plugin", &d, NULL, 0);
	bk_vm_run__free(run);
	bj_unload(&p);
	free(text);
	free(memtext);
	free(code);
	free(mem);
	return rc;
}
