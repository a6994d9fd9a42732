// SPDX-License-Identifier: MIT
/*
 * report.c - bpfverify's output: a table in veristat's columns (file,
 * program, verdict, instructions processed, states, peak states, time),
 * the kernel's verdict beside ours with --kernel, the diagnostic of each
 * rejection; or one JSON document with the same facts.
 */
#include <stdio.h>

#include "bpfverify.h"

const char *bv_kernel_str(int state)
{
	switch (state) {
	case BV_K_ACCEPT:
		return "success";
	case BV_K_REJECT:
		return "failure";
	case BV_K_ERROR:
		return "error";
	default:
		return "-";
	}
}

static bool mismatch(const struct bv_result *r)
{
	return (r->kernel.state == BV_K_ACCEPT && r->rc) ||
	       (r->kernel.state == BV_K_REJECT && !r->rc);
}

void bv_report_begin(const struct bv_opts *o, struct json_w *w)
{
	if (o->json) {
		json_init(w, stdout, o->pretty);
		json_obj_begin(w);
		json_key(w, "programs");
		json_arr_begin(w);
		return;
	}
	if (o->quiet)
		return;
	printf("%-24s %-24s %-8s %9s %7s %6s %10s", "File", "Program", "Verdict", "Insns", "States",
	       "Peak", "Time(us)");
	if (o->kernel)
		printf("  %-8s %9s %10s %s", "Kernel", "K.Insns", "K.Time(us)", "Match");
	printf("\n");
}

static void print_diag(const struct bv_opts *o, const struct bv_result *r)
{
	const struct bk_diag *d = &r->diag;

	fflush(stdout);
	if (d->line > 0)
		fprintf(stderr, "%s:%d:%d: error: ", d->file ? d->file : r->file, d->line, d->col);
	else
		fprintf(stderr, "%s:%s:insn %ld: error: ", r->file, r->prog, d->insn);
	fprintf(stderr, "%s [%s]\n", d->msg[0] ? d->msg : bk_strerror(d->code),
		bk_errname(d->code));
	if (r->src_line)
		fprintf(stderr, "  %s\n", r->src_line);
	if (d->line > 0 && d->insn >= 0)
		fprintf(stderr, "  (program %s, instruction %ld)\n", r->prog, d->insn);
	bv_explain_text(stderr, r, o->explain);
}

void bv_report_one(const struct bv_opts *o, struct json_w *w, const struct bv_result *r)
{
	if (!o->json) {
		if (!o->quiet) {
			printf("%-24s %-24s %-8s %9llu %7u %6u %10llu", r->file, r->prog,
			       r->rc ? "failure" : "success",
			       (unsigned long long)r->stats.insns_processed, r->stats.states_total,
			       r->stats.peak_states, (unsigned long long)(r->stats.time_ns / 1000));
			if (o->kernel)
				printf("  %-8s %9llu %10llu %s", bv_kernel_str(r->kernel.state),
				       (unsigned long long)r->kernel.insns,
				       (unsigned long long)r->kernel.time_us,
				       mismatch(r) ? "MISMATCH" : "yes");
			printf("\n");
		}
		if (r->rc)
			print_diag(o, r);
		fflush(stdout);
		if (o->kernel && r->kernel.state != BV_K_ACCEPT && r->kernel.msg[0])
			fprintf(stderr, "%s:%s: kernel: %s\n", r->file, r->prog, r->kernel.msg);
		return;
	}
	json_obj_begin(w);
	json_kv_str(w, "file", r->file);
	json_kv_str(w, "program", r->prog);
	json_kv_str(w, "section", r->section);
	json_kv_str(w, "type", r->type);
	json_kv_str(w, "verdict", r->rc ? "failure" : "success");
	json_kv_uint(w, "insns_processed", r->stats.insns_processed);
	json_kv_uint(w, "states_total", r->stats.states_total);
	json_kv_uint(w, "peak_states", r->stats.peak_states);
	json_kv_uint(w, "max_states_per_insn", r->stats.max_states_per_insn);
	json_kv_uint(w, "stack_depth", r->stats.stack_depth);
	json_kv_uint(w, "time_us", r->stats.time_ns / 1000);
	if (r->rc) {
		json_key(w, "error");
		tool_json_diag(w, &r->diag);
		if (r->src_line)
			json_kv_str(w, "source", r->src_line);
		bv_explain_json(w, r);
	}
	if (o->kernel) {
		json_key(w, "kernel");
		json_obj_begin(w);
		json_kv_str(w, "verdict", bv_kernel_str(r->kernel.state));
		json_kv_uint(w, "insns_processed", r->kernel.insns);
		json_kv_uint(w, "time_us", r->kernel.time_us);
		if (r->kernel.msg[0])
			json_kv_str(w, "message", r->kernel.msg);
		json_obj_end(w);
		json_kv_bool(w, "match", !mismatch(r));
	}
	json_obj_end(w);
}

void bv_report_end(const struct bv_opts *o, struct json_w *w, int nprogs, int nrejected,
		   int nmismatch, const struct bk_diag *fatal)
{
	if (!o->json) {
		if (!o->quiet && o->kernel)
			printf("%d programs, %d rejected, %d verdicts differ from the kernel's\n",
			       nprogs, nrejected, nmismatch);
		return;
	}
	json_arr_end(w);
	json_key(w, "summary");
	json_obj_begin(w);
	json_kv_int(w, "programs", nprogs);
	json_kv_int(w, "rejected", nrejected);
	if (o->kernel)
		json_kv_int(w, "kernel_mismatches", nmismatch);
	json_obj_end(w);
	if (fatal) {
		json_key(w, "error");
		tool_json_diag(w, fatal);
	}
	json_obj_end(w);
	json_end(w);
}
