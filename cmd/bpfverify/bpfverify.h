/* SPDX-License-Identifier: MIT */
/*
 * bpfverify.h - the parts of bpfverify: options and one result per
 * program (main.c), the kernel's verdict (kernel.c), output (report.c).
 */
#ifndef BK_BPFVERIFY_H
#define BK_BPFVERIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tool.h"
#include "verify.h"

enum {
	BV_K_NONE = 0,
	BV_K_ACCEPT,
	BV_K_REJECT,
	BV_K_ERROR
};

struct bv_kernel {
	int state; /* BV_K_* */
	uint64_t insns, time_us;
	char msg[512];
};

struct bv_opts {
	const char *section;
	enum bk_prog_type type;
	bool json, pretty, kernel, raw, quiet;
	int log_level;
	bool explain;	   /* --explain: the whole path in the text output */
	const char *sarif; /* --sarif FILE ("-": stdout) */
	bool cfg_dot;	   /* --cfg dot: the control-flow graphs on stdout */
};

struct bv_result {
	const char *file, *prog, *section, *type;
	int rc; /* 0 accepted, <0 rejected or error */
	struct bk_diag diag;
	const char *src_line; /* source text of the failing line, or NULL */
	struct bk_verify_stats stats;
	struct bv_kernel kernel;
	struct bk_verify_explain ex; /* path and hint of a rejection */
	const struct bk_prog *bprog; /* for source lines and the CFG; NULL: raw */
	const struct bk_insn *raw_insns;
	size_t raw_cnt;
	const char *prog_name; /* "file:program" */
};

int bv_kernel_verdict(const void *buf, size_t len, const char *prog_name, int type,
		      struct bv_kernel *k);

void bv_report_begin(const struct bv_opts *o, struct json_w *w);
void bv_report_one(const struct bv_opts *o, struct json_w *w, const struct bv_result *r);
void bv_report_end(const struct bv_opts *o, struct json_w *w, int nprogs, int nrejected,
		   int nmismatch, const struct bk_diag *fatal);
const char *bv_kernel_str(int state);

/* explain.c */
void bv_explain_text(FILE *f, const struct bv_result *r, bool all);
void bv_explain_json(struct json_w *w, const struct bv_result *r);
void bv_sarif_begin(struct json_w *w, FILE *f);
void bv_sarif_result(struct json_w *w, const struct bv_result *r);
void bv_sarif_end(struct json_w *w);
int bv_cfg_dot(FILE *f, const struct bv_result *r);

#endif
