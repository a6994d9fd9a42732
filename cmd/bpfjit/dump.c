// SPDX-License-Identifier: MIT
/*
 * dump.c - `bpfjit dump PROG.o [-s SEC]` (also `bpfjit --dump PROG.o`):
 * the program's native code disassembled with capstone (x86-64, Intel
 * syntax), each BPF instruction followed by the x86 instructions it became,
 * with the enter stub, the main prologue and the out-of-line stubs around
 * them (and the abort path faults unwind to, and the repeat loop of
 * bk_jit_prog__exec_n).  --json gives the same per instruction: native
 * offset, size, bytes and x86 text.  The code is compiled as `run` would run it: checked mode
 * unless --trusted, blinded with --harden.
 */
#include <capstone/capstone.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfjit.h"
#include "jit.h"

struct dumper {
	const struct bj_opts *o;
	csh cs;
	struct bk_jit_layout l;
	struct json_w *w; /* NULL: text */
};

/* Disassembles [from, to) of the image: text lines, or a JSON array of
 * strings in w. */
static void x86(struct dumper *dp, uint32_t from, uint32_t to)
{
	cs_insn *insn;
	size_t n = to > from ? cs_disasm(dp->cs, dp->l.image + from, to - from, dp->l.addr + from,
					 0, &insn)
			     : 0;
	size_t done = 0;

	if (dp->w)
		json_arr_begin(dp->w);
	for (size_t i = 0; i < n; i++) {
		char text[192];

		snprintf(text, sizeof(text), "%s%s%s", insn[i].mnemonic,
			 insn[i].op_str[0] ? " " : "", insn[i].op_str);
		done += insn[i].size;
		if (dp->w) {
			json_str(dp->w, text);
			continue;
		}
		printf("    %5" PRIx64 ":  ", insn[i].address - dp->l.addr);
		for (int k = 0; k < 12; k++)
			printf(k < insn[i].size ? "%02x " : "   ", insn[i].bytes[k]);
		printf(" %s\n", text);
	}
	if (n)
		cs_free(insn, n);
	if (done < (size_t)(to - from) && !dp->w) /* capstone stopped: show the rest raw */
		printf("    %5x:  (%u bytes capstone does not decode)\n", from + (uint32_t)done,
		       to - from - (uint32_t)done);
	if (dp->w)
		json_arr_end(dp->w);
}

static void region(struct dumper *dp, const char *name, uint32_t from, uint32_t to)
{
	if (dp->w) {
		json_key(dp->w, name);
		json_obj_begin(dp->w);
		json_kv_uint(dp->w, "offset", from);
		json_kv_uint(dp->w, "size", to - from);
		json_key(dp->w, "x86");
		x86(dp, from, to);
		json_obj_end(dp->w);
		return;
	}
	printf("; %s\n", name);
	x86(dp, from, to);
}

static void dump_insns(struct dumper *dp, struct bk_vm_prog *vp)
{
	struct bk_disasm_opts dopts = {.sz = sizeof(dopts)};
	size_t cnt;
	const struct bk_insn *insns = bk_vm_prog__insns(vp, &cnt);

	if (dp->w) {
		json_key(dp->w, "insns");
		json_arr_begin(dp->w);
	}
	for (size_t i = 0; i < cnt; i++) {
		struct bk_dinsn d;
		char text[160];
		uint32_t from = dp->l.off[i], to = dp->l.off[i + 1];

		if (bk_decode(insns, cnt, i, &d, NULL) < 0 || !d.slots)
			continue;
		to = dp->l.off[i + d.slots];
		bk_disasm_insn(&d, i, &dopts, text, sizeof(text));
		if (!dp->w) {
			printf("%5zu: %s\n", i, text);
			x86(dp, from, to);
			continue;
		}
		json_obj_begin(dp->w);
		json_kv_uint(dp->w, "insn", i);
		json_kv_str(dp->w, "bpf", text);
		json_kv_uint(dp->w, "offset", from);
		json_kv_uint(dp->w, "size", to - from);
		json_key(dp->w, "bytes");
		json_hex(dp->w, dp->l.image + from, to - from);
		json_key(dp->w, "x86");
		x86(dp, from, to);
		json_obj_end(dp->w);
	}
	if (dp->w)
		json_arr_end(dp->w);
}

static void dump(struct dumper *dp, struct bj_prog *p)
{
	struct bk_jit_stats st;
	const char *mode = dp->o->trusted ? "trusted" : "checked";
	const char *name = bk_vm_prog__name(p->prog);

	bk_jit_prog__layout(p->jit, &dp->l);
	bk_jit_prog__stats(p->jit, &st);
	if (dp->w) {
		json_obj_begin(dp->w);
		json_kv_str(dp->w, "file", p->name);
		json_kv_str(dp->w, "program", name);
		json_kv_str(dp->w, "mode", mode);
		json_kv_bool(dp->w, "harden", dp->o->harden);
		json_kv_uint(dp->w, "address", dp->l.addr);
		json_kv_uint(dp->w, "size", dp->l.size);
		json_kv_uint(dp->w, "bpf_insns", dp->l.cnt);
		json_kv_uint(dp->w, "passes", st.passes);
		json_kv_uint(dp->w, "inlined_lookups", st.inlined);
		json_kv_bool(dp->w, "verified", p->verified);
		if (p->verified) {
			json_key(dp->w, "facts");
			json_obj_begin(dp->w);
			json_kv_uint(dp->w, "insns_shortened", st.facts_used);
			json_kv_uint(dp->w, "size_without", p->plain_size);
			json_kv_int(dp->w, "bytes_saved",
				    (int64_t)p->plain_size - (int64_t)dp->l.size);
			json_obj_end(dp->w);
		}
	} else {
		printf("; %s: %s, %s mode%s, %zu bytes of x86-64 at %#" PRIx64
		       " for %zu BPF instruction slots (%u passes, %u array lookups inlined)\n",
		       p->name, name, mode, dp->o->harden ? ", constants blinded" : "", dp->l.size,
		       dp->l.addr, dp->l.cnt, st.passes, st.inlined);
		if (p->verified)
			printf("; verified: the verifier's facts shortened %u instructions, %zu "
			       "bytes without them\n",
			       st.facts_used, p->plain_size);
	}
	region(dp, "enter", dp->l.enter, dp->l.abort);
	region(dp, "abort", dp->l.abort, dp->l.repeat);
	region(dp, "repeat", dp->l.repeat, dp->l.prologue);
	region(dp, "prologue", dp->l.prologue, dp->l.body);
	dump_insns(dp, p->prog);
	region(dp, "stubs", dp->l.stubs, (uint32_t)dp->l.size);
	if (dp->w)
		json_obj_end(dp->w);
}

int bj_cmd_dump(const struct bj_opts *o)
{
	struct bj_opts oo = *o;
	struct dumper dp = {.o = o};
	struct json_w w;
	struct bj_prog p;
	struct bk_diag d;
	int rc;

	bk_diag__init(&d);
	/* `bpfjit --dump FILE`: the "command" is the file */
	if (strcmp(o->cmd, "dump")) {
		oo.path = o->cmd;
		if (o->nargs) {
			bk_diag__set(&d, EINVAL, -1, "--dump: expected one program file");
			return bj_fail(o, &d, TOOL_EXIT_USAGE);
		}
	} else if (o->nargs != 1) {
		bk_diag__set(&d, EINVAL, -1, "dump: expected one program file (see bpfjit --help)");
		return bj_fail(o, &d, TOOL_EXIT_USAGE);
	} else {
		oo.path = o->args[0];
	}
	oo.interp = false;
	rc = bj_load(&oo, &p, &d);
	if (rc)
		return bj_fail(o, &d, rc);
	rc = bj_jit_prepare(&oo, &p, o->trusted ? BK_VM_TRUSTED : BK_VM_CHECKED, &d);
	if (!rc && cs_open(CS_ARCH_X86, CS_MODE_64, &dp.cs) != CS_ERR_OK) {
		bk_diag__set(&d, ENOSYS, -1, "capstone cannot disassemble x86-64");
		rc = TOOL_EXIT_USAGE;
	}
	if (rc) {
		if (!d.file)
			d.file = oo.path;
		bj_unload(&p);
		return bj_fail(o, &d, rc);
	}
	if (o->json) {
		json_init(&w, stdout, o->pretty);
		dp.w = &w;
	}
	dump(&dp, &p);
	if (dp.w)
		json_end(&w);
	cs_close(&dp.cs);
	bj_unload(&p);
	return 0;
}
