// SPDX-License-Identifier: MIT
/*
 * ring_report.c - what `bpfload --ring` prints at the end: in text, the
 * error (compiler style) and a summary on stderr, the counters with
 * --stats and the maps with --dump-maps; with --json, one document on
 * stdout holding all of it (the CQEs programs emitted to CQ 0 included).
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

#define DUMP_MAX 1024

/* ---- maps ------------------------------------------------------------------ */

static void hex(FILE *f, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%02x", i ? " " : "", b[i]);
}

/* Calls fn for each element (at most DUMP_MAX). */
static void each_elem(struct bk_map *m, void (*fn)(void *ctx, const uint8_t *k, const uint8_t *v),
		      void *ctx)
{
	size_t ks = bk_map__attr(m)->key_size, vs = bk_map__user_value_size(m);
	uint8_t *k = calloc(2, ks), *v = malloc(vs);
	int n = 0;

	if (!k || !v || bk_map__attr(m)->type == BPF_MAP_TYPE_RINGBUF ||
	    bk_map__attr(m)->type == BPF_MAP_TYPE_PROG_ARRAY)
		goto out;
	for (int err = bk_map__get_next_key(m, NULL, k); !err && n < DUMP_MAX;
	     err = bk_map__get_next_key(m, k, k + ks), memcpy(k, k + ks, ks)) {
		if (bk_map__lookup(m, k, v, 0))
			continue;
		fn(ctx, k, v);
		n++;
	}
out:
	free(k);
	free(v);
}

struct dump_ctx {
	FILE *f;
	struct json_w *w;
	size_t ks, vs;
};

static void text_elem(void *ctx, const uint8_t *k, const uint8_t *v)
{
	struct dump_ctx *c = ctx;

	fputs("  ", c->f);
	hex(c->f, k, c->ks);
	fputs(" -> ", c->f);
	hex(c->f, v, c->vs);
	fputc('\n', c->f);
}

static void json_elem(void *ctx, const uint8_t *k, const uint8_t *v)
{
	struct dump_ctx *c = ctx;

	json_obj_begin(c->w);
	json_key(c->w, "key");
	json_hex(c->w, k, c->ks);
	json_key(c->w, "value");
	json_hex(c->w, v, c->vs);
	json_obj_end(c->w);
}

static void dump_maps(struct rl *r, struct json_w *w)
{
	if (w) {
		json_key(w, "maps");
		json_arr_begin(w);
	}
	for (size_t i = 0; r->vo && i < bk_vm_obj__map_cnt(r->vo); i++) {
		struct bk_map *m = bk_vm_obj__map(r->vo, i);
		const char *name = bk_obj__map(r->obj, i)->name;
		struct dump_ctx c = {.f = stderr,
				     .w = w,
				     .ks = bk_map__attr(m)->key_size,
				     .vs = bk_map__user_value_size(m)};

		if (!w) {
			fprintf(stderr, "map %s:\n", name ? name : "?");
			each_elem(m, text_elem, &c);
			continue;
		}
		json_obj_begin(w);
		json_kv_str(w, "name", name);
		json_kv_uint(w, "type", bk_map__attr(m)->type);
		json_key(w, "elements");
		json_arr_begin(w);
		each_elem(m, json_elem, &c);
		json_arr_end(w);
		json_obj_end(w);
	}
	if (w)
		json_arr_end(w);
}

/* ---- counters ------------------------------------------------------------------ */

// clang-format off
#define STATS(X) \
	X(runs,      "program runs") \
	X(requests,  "BPF requests started") \
	X(completed, "BPF requests completed") \
	X(faults,    "faults") \
	X(sqes,      "SQEs queued by programs") \
	X(user_sqes, "SQEs queued by bpfload") \
	X(cqes,      "CQEs reaped from the kernel") \
	X(emitted,   "CQEs emitted by programs") \
	X(reaped,    "CQEs reaped by programs") \
	X(enters,    "io_uring_enter calls") \
	X(insns,     "instructions executed")
// clang-format on

static void stats_text(const struct rl *r)
{
#define X(f, what) fprintf(stderr, "  %-28s %" PRIu64 "\n", what, r->st.f);
	STATS(X)
#undef X
}

static void stats_json(const struct rl *r, struct json_w *w)
{
	json_key(w, "stats");
	json_obj_begin(w);
#define X(f, what) json_kv_uint(w, #f, r->st.f);
	STATS(X)
#undef X
	json_kv_uint(w, "time_ns", r->ns);
	json_obj_end(w);
}

/* ---- text --------------------------------------------------------------------------- */

static void report_text(struct rl *r)
{
	int done = 0, started = 0;

	if (r->rc)
		tool_print_diag(stderr, "bpfload", &r->err, NULL, 0);
	for (int i = 0; i < r->nprogs; i++) {
		started += r->progs[i].start;
		done += r->progs[i].done;
	}
	if (r->ex) {
		fprintf(stderr, "ring: %d of %d program%s ended in %.3f ms (%s)", done, started,
			started == 1 ? "" : "s", (double)r->ns / 1e6,
			r->o->interp ? "interpreter" : "jit");
		for (int i = 0; i < r->nprogs; i++)
			if (r->progs[i].done)
				fprintf(stderr, "%s %s=%d", i ? "," : ":",
					bk_prog__name(r->progs[i].bp), r->progs[i].res);
		fputc('\n', stderr);
	}
	if (r->ex && r->o->stats)
		stats_text(r);
	if (r->vo && r->o->dump_maps)
		dump_maps(r, NULL);
}

/* ---- JSON ----------------------------------------------------------------------------- */

static void json_progs(const struct rl *r, struct json_w *w)
{
	json_key(w, "programs");
	json_arr_begin(w);
	for (int i = 0; i < r->nprogs; i++) {
		const struct rl_prog *p = &r->progs[i];

		json_obj_begin(w);
		json_kv_int(w, "index", i);
		json_kv_str(w, "name", bk_prog__name(p->bp));
		json_kv_str(w, "section", bk_prog__section(p->bp));
		json_kv_str(w, "verifier",
			    p->verdict < 0 ? "not run"
			    : p->verdict   ? "accepted"
					   : "rejected");
		if (p->verdict > 0) {
			json_kv_uint(w, "insns_processed", p->vs.insns_processed);
			json_kv_uint(w, "states", p->vs.states_total);
		}
		json_kv_bool(w, "started", p->start);
		json_kv_bool(w, "completed", p->done);
		if (p->done)
			json_kv_int(w, "result", p->res);
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void json_cqes(const struct rl *r, struct json_w *w)
{
	json_key(w, "cqes");
	json_arr_begin(w);
	for (size_t i = 0; i < r->ncqes; i++) {
		json_obj_begin(w);
		json_kv_uint(w, "user_data", r->cqes[i].user_data);
		json_kv_int(w, "res", r->cqes[i].res);
		json_kv_uint(w, "flags", r->cqes[i].flags);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_kv_uint(w, "cqes_total", r->ncqes_total);
}

static void report_json(struct rl *r)
{
	struct json_w w;

	json_init(&w, stdout, r->o->pretty);
	json_obj_begin(&w);
	json_kv_str(&w, "object", r->name);
	json_kv_str(&w, "engine", r->o->interp ? "interpreter" : "jit");
	json_progs(r, &w);
	if (r->ex) {
		json_cqes(r, &w);
		stats_json(r, &w);
		json_kv_bool(&w, "interrupted", r->interrupted);
	}
	if (r->vo && r->o->dump_maps)
		dump_maps(r, &w);
	if (r->rc) {
		json_key(&w, "error");
		tool_json_diag(&w, &r->err);
	}
	json_obj_end(&w);
	json_end(&w);
}

void rl_report(struct rl *r)
{
	if (r->o->json)
		report_json(r);
	else
		report_text(r);
}
