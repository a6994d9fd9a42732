// SPDX-License-Identifier: MIT
/*
 * ours.c - bpfkit's own verifier (libverify), run in-process on the program
 * bpfload is about to load, so its verdict is shown next to the kernel's.
 *
 * It reads the same bytes libbpf got with libuapi's ELF reader, finds the
 * program by its function name, and verifies it as the type libbpf will
 * load it as (after --xdp fixed an unknown section's type).  Our verdict
 * never stops the load: the kernel decides, and a disagreement is reported.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bpfload.h"
#include "verify.h"

#define OUR_TIME_LIMIT_NS (60ull * 1000000000ull)

static void unavailable(struct bl_report *r, const char *fmt, const char *arg)
{
	r->ours.state = -1;
	snprintf(r->ours.why, sizeof(r->ours.why), fmt, arg);
}

void bl_verify_ours(const struct bl_opts *o, const struct bl_obj *bo, struct bl_report *r)
{
	struct bk_obj_opts oo = {.sz = sizeof(oo), .name = bo->name};
	enum bk_prog_type type = (enum bk_prog_type)bpf_program__type(bo->prog);
	int ncpus = libbpf_num_possible_cpus();
	struct bk_verify_opts v = {.sz = sizeof(v),
				   .nr_cpus = ncpus > 0 ? (uint32_t)ncpus : 0,
				   .time_limit_ns = OUR_TIME_LIMIT_NS};
	struct bk_verify_stats st = {0};
	struct bk_obj *obj = NULL;
	struct bk_prog *p;
	struct bk_diag d;
	int err;

	bk_diag__init(&d);
	if (o->no_verify) {
		unavailable(r, "%s", "skipped: --no-verify");
		return;
	}
	if (!bk_verify_supports_type(type)) {
		unavailable(r, "bpfkit's verifier does not model %s programs", r->type);
		return;
	}
	err = bk_obj__open_mem(bo->buf, bo->len, &oo, &obj, &d);
	if (err) {
		unavailable(r, "bpfkit cannot read the object: %.500s", d.msg);
		return;
	}
	p = bk_obj__find_prog(obj, r->prog_name);
	if (!p) {
		unavailable(r, "bpfkit's reader has no program %.200s", r->prog_name);
		bk_obj__free(obj);
		return;
	}
	err = bk_prog__verify(p, type, &v, &st, &d);
	r->ours.processed = st.insns_processed;
	r->ours.states = st.states_total;
	r->ours.peak_states = st.peak_states;
	r->ours.ns = st.time_ns;
	if (!err) {
		r->ours.state = 1;
	} else if (err == -ENOMEM || err == -EINVAL) {
		unavailable(r, "bpfkit's verifier failed: %s", strerror(-err));
	} else {
		r->ours.state = 0;
		r->ours.insn = d.insn;
		if (d.file && d.line > 0)
			snprintf(r->ours.why, sizeof(r->ours.why), "%.200s:%d: %.500s", d.file,
				 d.line, d.msg[0] ? d.msg : bk_strerror(d.code));
		else
			snprintf(r->ours.why, sizeof(r->ours.why), "%.500s",
				 d.msg[0] ? d.msg : bk_strerror(d.code));
	}
	bk_obj__free(obj);
}
