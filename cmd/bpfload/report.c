// SPDX-License-Identifier: MIT
/*
 * report.c - what bpfload prints at the end of a run: the program, both
 * verdicts (bpfkit's verifier and the kernel's, with the trimmed kernel log
 * of a rejection), the attachment, the pins and the test run.  Text goes to
 * stdout (the error itself went to stderr when it happened); --json writes
 * it all, the error included, as one document.
 */
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "bpfload.h"
#include "tool.h"

static const char *verdict_str(int state)
{
	return state > 0 ? "accepted" : state == 0 ? "rejected" : "unavailable";
}

/* XDP_PASS, TC_ACT_SHOT, ... for the return value of a test run. */
static const char *retval_name(const char *type, uint32_t v)
{
	static const char *const xdp[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					  "XDP_REDIRECT"};
	static const char *const tc[] = {"TC_ACT_OK",	  "TC_ACT_RECLASSIFY", "TC_ACT_SHOT",
					 "TC_ACT_PIPE",	  "TC_ACT_STOLEN",     "TC_ACT_QUEUED",
					 "TC_ACT_REPEAT", "TC_ACT_REDIRECT"};

	if (!strcmp(type, "xdp") && v < 5)
		return xdp[v];
	if ((!strcmp(type, "sched_cls") || !strcmp(type, "sched_act")) && v < 8)
		return tc[v];
	return NULL;
}

static void json_verdict(struct json_w *w, const char *key, const struct bl_verdict *v,
			 const struct bl_report *r, bool kernel)
{
	json_key(w, key);
	json_obj_begin(w);
	json_kv_str(w, "verdict", verdict_str(v->state));
	if (v->why[0])
		json_kv_str(w, v->state < 0 ? "reason" : "error", v->why);
	if (v->state == 0 && v->insn >= 0 && !kernel)
		json_kv_int(w, "insn", v->insn);
	if (!kernel && v->state >= 0) {
		json_kv_uint(w, "insns_processed", v->processed);
		json_kv_uint(w, "states", v->states);
		json_kv_uint(w, "peak_states", v->peak_states);
		json_kv_uint(w, "time_ns", v->ns);
	}
	if (kernel && v->state > 0)
		json_kv_uint(w, "prog_id", r->prog_id);
	if (kernel && v->state == 0) {
		json_kv_int(w, "errno", r->kernel_errno);
		json_key(w, "log");
		json_arr_begin(w);
		for (size_t i = 0; i < r->log_lines; i++)
			json_str(w, r->log_tail[i]);
		json_arr_end(w);
	}
	json_obj_end(w);
}

static void print_json(const struct bl_opts *o, const struct bl_report *r, const char *obj)
{
	struct json_w w;

	json_init(&w, stdout, o->pretty);
	json_obj_begin(&w);
	if (obj)
		json_kv_str(&w, "object", obj);
	if (r->prog_name[0]) {
		json_kv_str(&w, "program", r->prog_name);
		json_kv_str(&w, "section", r->section);
		json_kv_str(&w, "type", r->type);
	}
	if (r->prog_name[0] && (r->ours.state >= 0 || r->kernel.state >= 0 || r->ours.why[0])) {
		json_key(&w, "verdicts");
		json_obj_begin(&w);
		json_verdict(&w, "bpfverify", &r->ours, r, false);
		json_verdict(&w, "kernel", &r->kernel, r, true);
		json_obj_end(&w);
		if (r->ours.state >= 0 && r->kernel.state >= 0)
			json_kv_bool(&w, "agree", r->ours.state == r->kernel.state);
	}
	if (r->ifindex) {
		json_key(&w, "xdp");
		json_obj_begin(&w);
		json_kv_str(&w, "interface", o->iface);
		json_kv_int(&w, "ifindex", r->ifindex);
		if (r->attach_mode)
			json_kv_str(&w, "mode", r->attach_mode);
		if (r->replaced_id)
			json_kv_uint(&w, "replaced_id", r->replaced_id);
		if (r->detached_id)
			json_kv_uint(&w, "detached_id", r->detached_id);
		json_obj_end(&w);
	}
	if (r->npinned) {
		json_key(&w, o->action == BL_DETACH ? "unpinned" : "pinned");
		json_arr_begin(&w);
		for (size_t i = 0; i < r->npinned; i++)
			json_str(&w, r->pinned[i]);
		json_arr_end(&w);
	}
	if (r->ran) {
		const char *name = retval_name(r->type, r->retval);

		json_key(&w, "test_run");
		json_obj_begin(&w);
		json_kv_uint(&w, "retval", r->retval);
		if (name)
			json_kv_str(&w, "verdict", name);
		json_kv_uint(&w, "duration_ns", r->duration_ns);
		json_kv_uint(&w, "repeat", r->repeat);
		json_kv_uint(&w, "data_in", r->data_in);
		json_kv_uint(&w, "data_out", r->data_out);
		json_kv_bool(&w, "data_changed", r->data_changed);
		json_key(&w, "packet_out");
		json_hex(&w, r->out_bytes, r->data_out);
		json_obj_end(&w);
	}
	if (r->error) {
		json_key(&w, "error");
		tool_json_diag(&w, r->error);
	}
	json_obj_end(&w);
	json_end(&w);
}

static void print_verdicts(const struct bl_report *r)
{
	const struct bl_verdict *v = &r->ours;

	printf("  bpfverify  %s", verdict_str(v->state));
	if (v->state < 0)
		printf(" (%s)\n", v->why);
	else if (v->state == 0 && v->insn >= 0)
		printf(" at insn %ld: %s\n", v->insn, v->why);
	else if (v->state == 0)
		printf(": %s\n", v->why);
	else
		printf(": %llu insns processed, %llu states, %.3f ms\n",
		       (unsigned long long)v->processed, (unsigned long long)v->states,
		       v->ns / 1e6);
	v = &r->kernel;
	if (v->state < 0)
		return;
	printf("  kernel     %s", verdict_str(v->state));
	if (v->state > 0)
		printf(": program id %u\n", r->prog_id);
	else
		printf(" (%s): %s\n", bk_errname(r->kernel_errno), v->why);
	for (size_t i = 0; i < r->log_lines; i++)
		printf("             | %s\n", r->log_tail[i]);
	if (r->ours.state >= 0 && r->ours.state != v->state)
		printf("  note       the two verdicts differ\n");
}

static void print_text(const struct bl_opts *o, const struct bl_report *r, const char *obj)
{
	if (r->prog_name[0]) {
		printf("%s: program %s (section %s, type %s)\n", obj, r->prog_name, r->section,
		       r->type);
		print_verdicts(r);
	}
	if (o->action == BL_XDP && r->attach_mode) {
		printf("  xdp        attached to %s (ifindex %d), %s mode", o->iface, r->ifindex,
		       r->attach_mode);
		if (r->replaced_id)
			printf(", replacing program id %u", r->replaced_id);
		putchar('\n');
	}
	if (o->action == BL_DETACH && !r->error)
		printf("%s: detached XDP program id %u (%s mode)\n", o->iface, r->detached_id,
		       r->attach_mode);
	for (size_t i = 0; i < r->npinned; i++)
		printf("  %-10s %s\n",
		       i			? ""
		       : o->action == BL_DETACH ? "unpinned"
						: "pinned",
		       r->pinned[i]);
	if (r->ran) {
		const char *name = retval_name(r->type, r->retval);

		printf("  test-run   retval %u", r->retval);
		if (name)
			printf(" (%s)", name);
		printf(", %u ns per run (%u run%s), packet %u bytes%s\n", r->duration_ns, r->repeat,
		       r->repeat == 1 ? "" : "s", r->data_out,
		       r->data_changed ? ", changed" : ", unchanged");
	}
}

void bl_report_print(const struct bl_opts *o, struct bl_report *r, const char *objname)
{
	if (o->json)
		print_json(o, r, objname);
	else
		print_text(o, r, objname);
	fflush(stdout);
}

void bl_report_free(struct bl_report *r)
{
	for (size_t i = 0; i < r->log_lines; i++)
		free(r->log_tail[i]);
	free(r->log_tail);
	for (size_t i = 0; i < r->npinned; i++)
		free(r->pinned[i]);
	free(r->pinned);
	free(r->out_bytes);
}
