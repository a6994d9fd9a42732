// SPDX-License-Identifier: MIT
/*
 * run.c - `bpfjit run`: one program on memory (r1 = memory, r2 = length),
 * on a packet (XDP, or an skb: tc, socket filters, cgroup_skb, lwt,
 * sk_skb), or on every packet of a pcap (verdict counts), N times
 * each; prints r0 or the counts, the time per run, and on request the maps.
 * The time per run covers the execution only, not setting up the context.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfjit.h"

enum {
	NVERDICTS = 11
};

/* Verdict names per program type; the last one is "other". */
static const char *const xdp_names[] = {
	"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT", "other",
};
static const char *const tc_names[] = {
	/* r0 -1..8 */
	"TC_ACT_UNSPEC", "TC_ACT_OK",	  "TC_ACT_RECLASSIFY", "TC_ACT_SHOT",	  "TC_ACT_PIPE",
	"TC_ACT_STOLEN", "TC_ACT_QUEUED", "TC_ACT_REPEAT",     "TC_ACT_REDIRECT", "TC_ACT_TRAP",
	"other",
};
static const char *const sock_names[] = {"dropped", "accepted", "other"}; /* r0: bytes kept */
static const char *const cg_names[] = {"drop", "allow", "other"};

struct verdicts {
	const char *const *names;
	int n;
};

static bool has_verdicts(enum bk_prog_type t, struct verdicts *v)
{
	switch (t) {
	case BK_PROG_XDP:
		*v = (struct verdicts){xdp_names, 6};
		return true;
	case BK_PROG_SCHED_CLS:
	case BK_PROG_SCHED_ACT:
		*v = (struct verdicts){tc_names, 11};
		return true;
	case BK_PROG_SOCKET_FILTER:
		*v = (struct verdicts){sock_names, 2};
		return true;
	case BK_PROG_CGROUP_SKB:
		*v = (struct verdicts){cg_names, 3};
		return true;
	default:
		return false;
	}
}

static int verdict_of(enum bk_prog_type t, uint64_t r0)
{
	switch (t) {
	case BK_PROG_XDP:
		return r0 < 5 ? (int)r0 : 5;
	case BK_PROG_SCHED_CLS:
	case BK_PROG_SCHED_ACT:
		return (int32_t)r0 >= -1 && (int32_t)r0 <= 8 && r0 == (uint64_t)(int64_t)(int32_t)r0
			       ? (int32_t)r0 + 1
			       : 10;
	case BK_PROG_SOCKET_FILTER:
		return (uint32_t)r0 ? 1 : 0;
	default:
		return r0 < 2 ? (int)r0 : 2;
	}
}

struct result {
	uint64_t r0, runs, ns, cpu_ns, insns, packets;
	uint64_t verdicts[NVERDICTS];
	uint64_t bytes; /* socket filters: bytes the filter kept */
	bool pcap;
};

/* The context of p's type: XDP, skb (tc, socket filters, cgroup_skb, ...)
 * or raw memory. */
static int set_ctx(struct bk_vm_run *run, const struct bj_prog *p, const uint8_t *buf, size_t len)
{
	struct bk_vm_skb_opts so = {.sz = sizeof(so), .type = p->type};

	if (p->type == BK_PROG_XDP)
		return bk_vm_run__ctx_xdp(run, buf, len, NULL);
	if (bk_vm_skb_type(p->type))
		return bk_vm_run__ctx_skb(run, buf, len, &so);
	return bk_vm_run__ctx_raw(run, (void *)buf, len);
}

static int read_input(const struct bj_opts *o, uint8_t **buf, size_t *len, struct bk_diag *d)
{
	const char *file = o->packet_file ? o->packet_file : o->mem_file;
	int err;

	*buf = NULL;
	*len = 0;
	if ((o->mem_hex != NULL) + (o->mem_file != NULL) + (o->packet_file != NULL) +
		    (o->pcap_file != NULL) >
	    1)
		return bk_diag__set(d, EINVAL, -1,
				    "--mem, --mem-file, --packet and --pcap exclude each other");
	if (o->mem_hex) {
		if (tool_parse_hex(o->mem_hex, buf, len))
			return bk_diag__set(d, EINVAL, -1, "--mem: not hex bytes: '%s'",
					    o->mem_hex);
		return 0;
	}
	if (file) {
		err = tool_read_file(file, 0, (char **)buf, len);
		if (err)
			return bk_diag__set(d, -err, -1, "%s: %s", file, strerror(-err));
	}
	return 0;
}

/* CPU time of this thread: what a run costs, without the time other
 * processes took the CPU away (the kernel's test runs exclude it too). */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int exec_n(const struct bj_opts *o, struct bk_vm_run *run, struct bj_prog *p,
		  struct result *res, struct bk_diag *d)
{
	uint64_t c0 = cpu_ns(), t0 = tool_now_ns(), t1;

	for (uint64_t i = 0; i < o->repeat; i++) {
		if (bj_exec(run, p, &res->r0, d))
			return TOOL_EXIT_REJECT;
		res->verdicts[verdict_of(p->type, res->r0)]++;
		if (p->type == BK_PROG_SOCKET_FILTER) {
			const struct __sk_buff *s = bk_vm_run__skb(run);
			uint32_t kept = (uint32_t)res->r0;

			res->bytes += s && kept > s->len ? s->len : kept;
		}
	}
	t1 = tool_now_ns();
	res->ns += t1 - t0;
	res->cpu_ns += cpu_ns() - c0;
	res->runs += o->repeat;
	res->insns = bk_vm_run__insn_count(run);
	return 0;
}

struct pcap_ctx {
	const struct bj_opts *o;
	struct bk_vm_run *run;
	struct bj_prog *p;
	struct result *res;
	struct bk_diag *d;
};

static int one_packet(void *ctx, const uint8_t *data, size_t len)
{
	struct pcap_ctx *c = ctx;
	int err = set_ctx(c->run, c->p, data, len);

	c->res->packets++;
	if (err) {
		bk_diag__set(c->d, -err, -1, "%s: packet %" PRIu64 " (%zu bytes): %s",
			     c->o->pcap_file, c->res->packets, len, strerror(-err));
		return TOOL_EXIT_USAGE;
	}
	return exec_n(c->o, c->run, c->p, c->res, c->d);
}

static int run_pcap(const struct bj_opts *o, struct bk_vm_run *run, struct bj_prog *p,
		    struct result *res, struct bk_diag *d)
{
	struct pcap_ctx c = {o, run, p, res, d};

	res->pcap = true;
	return bj_pcap_each(o->pcap_file, one_packet, &c, d);
}

static void print_hex(FILE *f, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

/* Every element of every map but prog arrays and ring buffers. */
static void dump_maps(const struct bj_opts *o, struct bj_prog *p, struct json_w *w)
{
	size_t n = p->vo ? bk_vm_obj__map_cnt(p->vo) : 0;

	if (w) {
		json_key(w, "maps");
		json_arr_begin(w);
	}
	for (size_t i = 0; i < n; i++) {
		struct bk_map *m = bk_vm_obj__map(p->vo, i);
		const struct bk_map_attr *a = bk_map__attr(m);
		size_t vs = bk_map__user_value_size(m);
		uint8_t *k = calloc(1, a->key_size + 1), *nk = calloc(1, a->key_size + 1);
		uint8_t *v = calloc(1, vs + 1);
		bool first = true;

		if (w) {
			json_obj_begin(w);
			json_kv_str(w, "name", a->name);
			json_kv_uint(w, "type", a->type);
			json_key(w, "elements");
			json_arr_begin(w);
		} else {
			printf("map %s:\n", a->name);
		}
		while (k && nk && v && a->type != BPF_MAP_TYPE_PROG_ARRAY &&
		       a->type != BPF_MAP_TYPE_RINGBUF &&
		       !bk_map__get_next_key(m, first ? NULL : k, nk)) {
			first = false;
			memcpy(k, nk, a->key_size);
			if (bk_map__lookup(m, k, v, 0))
				continue;
			if (w) {
				json_obj_begin(w);
				json_key(w, "key");
				json_hex(w, k, a->key_size);
				json_key(w, "value");
				json_hex(w, v, vs);
				json_obj_end(w);
			} else {
				printf("  ");
				print_hex(stdout, k, a->key_size);
				printf(": ");
				print_hex(stdout, v, vs);
				printf("\n");
			}
		}
		if (w) {
			json_arr_end(w);
			json_obj_end(w);
		}
		free(k);
		free(nk);
		free(v);
	}
	if (w)
		json_arr_end(w);
	(void)o;
}

static void report(const struct bj_opts *o, struct bj_prog *p, const struct result *res)
{
	double ns = res->runs ? (double)res->ns / (double)res->runs : 0;
	const char *mode = o->trusted ? "trusted" : "checked";
	struct verdicts v = {NULL, 0};
	bool hv = has_verdicts(p->type, &v);
	struct json_w w;

	if (o->json) {
		json_init(&w, stdout, o->pretty);
		json_obj_begin(&w);
		json_kv_str(&w, "program", p->name);
		json_kv_str(&w, "type",
			    bk_prog_type_name(p->type) ? bk_prog_type_name(p->type) : "raw");
		json_kv_str(&w, "engine", bj_engine(p));
		json_kv_str(&w, "mode", mode);
		if (res->pcap) {
			json_kv_uint(&w, "packets", res->packets);
		} else {
			json_kv_uint(&w, "r0", res->r0);
			if (hv)
				json_kv_str(&w, "verdict", v.names[verdict_of(p->type, res->r0)]);
		}
		if (hv) {
			json_key(&w, "verdicts");
			json_obj_begin(&w);
			for (int i = 0; i < v.n; i++)
				json_kv_uint(&w, v.names[i], res->verdicts[i]);
			json_obj_end(&w);
		}
		if (p->type == BK_PROG_SOCKET_FILTER)
			json_kv_uint(&w, "accepted_bytes", res->bytes);
		json_kv_uint(&w, "runs", res->runs);
		json_kv_double(&w, "ns_per_run", ns);
		json_kv_double(&w, "cpu_ns_per_run",
			       res->runs ? (double)res->cpu_ns / (double)res->runs : 0);
		if (!o->trusted)
			json_kv_uint(&w, "insns", res->insns);
		if (o->dump_maps)
			dump_maps(o, p, &w);
		json_obj_end(&w);
		json_end(&w);
		return;
	}
	if (res->pcap) {
		printf("packets: %" PRIu64 "\n", res->packets);
	} else {
		printf("r0 = %" PRIu64 " (%#" PRIx64 ")", res->r0, res->r0);
		if (hv)
			printf(" %s", v.names[verdict_of(p->type, res->r0)]);
		printf("\n");
	}
	if (res->pcap && hv) {
		for (int i = 0; i < v.n; i++)
			if (res->verdicts[i] || (p->type == BK_PROG_XDP && i < v.n - 1))
				printf("  %-15s %" PRIu64 "\n", v.names[i], res->verdicts[i]);
		if (p->type == BK_PROG_SOCKET_FILTER)
			printf("  %-15s %" PRIu64 "\n", "accepted bytes", res->bytes);
	}
	printf("%" PRIu64 " run%s, %.1f ns per run (%s, %s)\n", res->runs,
	       res->runs == 1 ? "" : "s", ns, p->jit ? "jit" : "interpreter", mode);
	if (o->dump_maps)
		dump_maps(o, p, NULL);
}

int bj_cmd_run(const struct bj_opts *o)
{
	struct bk_vm_run_opts ro = {.sz = sizeof(ro),
				    .mode = o->trusted ? BK_VM_TRUSTED : BK_VM_CHECKED,
				    .budget = o->budget};
	struct bj_opts oo = *o;
	struct result res = {0};
	struct bk_vm_run *run = NULL;
	struct bj_prog p;
	struct bk_diag d;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc, err;

	bk_diag__init(&d);
	if (o->nargs > 1)
		return bj_cmd_run_chain(o);
	if (o->nargs != 1) {
		bk_diag__set(&d, EINVAL, -1, "run: expected one program file (see bpfjit --help)");
		return bj_fail(o, &d, TOOL_EXIT_USAGE);
	}
	oo.path = o->args[0];
	if (read_input(&oo, &buf, &len, &d))
		return bj_fail(o, &d, TOOL_EXIT_USAGE);
	rc = bj_load(&oo, &p, &d);
	if (rc) {
		free(buf);
		return bj_fail(o, &d, rc);
	}
	rc = bj_apply_updates(&oo, &p, &d);
	if (!rc)
		rc = bj_jit_prepare(&oo, &p, ro.mode, &d);
	if (rc)
		goto out;
	err = bk_vm_run__new(p.vm, &ro, &run);
	if (err) {
		bk_diag__set(&d, -err, -1, "cannot create a run: %s", strerror(-err));
		rc = TOOL_EXIT_USAGE;
		goto out;
	}
	if (o->pcap_file) {
		rc = run_pcap(&oo, run, &p, &res, &d);
	} else {
		err = set_ctx(run, &p, buf, len);
		if (err) {
			bk_diag__set(&d, -err, -1, "cannot set up the context (%zu bytes): %s", len,
				     strerror(-err));
			rc = TOOL_EXIT_USAGE;
			goto out;
		}
		rc = exec_n(&oo, run, &p, &res, &d);
	}
	if (!rc)
		report(&oo, &p, &res);
out:
	if (rc) {
		if (!d.file)
			d.file = oo.path;
		bj_fail(o, &d, rc);
	}
	bk_vm_run__free(run);
	bj_unload(&p);
	free(buf);
	return rc;
}
