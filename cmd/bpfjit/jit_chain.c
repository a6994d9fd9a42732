// SPDX-License-Identifier: MIT
/*
 * jit_chain.c - `bpfjit run A.o B.o ...`: a chain of XDP programs attached
 * to one hook.  All objects load into one runtime (maps stay per object);
 * the program of each (-s picks by name in every object, else its first)
 * is compiled, with the rest of its object for tail calls, and added to a
 * dispatcher (libjit), through which every call goes.  Each packet (--mem,
 * --packet, or every packet of --pcap, --repeat times) runs through the
 * programs in order while they return XDP_PASS, as libxdp's multi-program
 * dispatcher chains them; the last verdict counts.  --interp runs the same
 * chain in the interpreter.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "bpfjit.h"
#include "jit.h"

enum {
	MAX_CHAIN = 64,
	NV = 6, /* XDP_ABORTED..XDP_REDIRECT, other */
};

static const char *const vnames[NV] = {"XDP_ABORTED", "XDP_DROP",     "XDP_PASS",
				       "XDP_TX",      "XDP_REDIRECT", "other"};

struct link {
	struct bj_prog p; /* vm shared with the chain (owned by the chain) */
	uint64_t runs, verdicts[NV];
};

struct chain {
	const struct bj_opts *o;
	struct bk_vm *vm;
	struct link l[MAX_CHAIN];
	int n;
	struct bk_jit_disp *disp;
	struct bk_vm_run *run;
	uint64_t packets, ns, verdicts[NV];
	struct bk_diag *d;
};

static int load_link(struct chain *c, const char *path, struct link *l)
{
	struct bk_obj_opts oo = {.sz = sizeof(oo), .name = path};
	struct bj_prog *p = &l->p;
	struct bk_prog *want;
	size_t n;

	p->name = path;
	p->vm = c->vm;
	if (bk_obj__open_file(path, &oo, &p->obj, c->d))
		return TOOL_EXIT_REJECT;
	if (bk_vm_obj__load(c->vm, p->obj, &p->vo, c->d))
		return TOOL_EXIT_REJECT;
	n = bk_obj__prog_cnt(p->obj);
	want = c->o->section ? bk_obj__find_prog(p->obj, c->o->section)
			     : (n ? bk_obj__prog(p->obj, 0) : NULL);
	if (!want) {
		bk_diag__set(c->d, BK_E_NO_PROG, -1, "%s has no program%s%s", path,
			     c->o->section ? " or section " : "",
			     c->o->section ? c->o->section : "");
		return TOOL_EXIT_REJECT;
	}
	for (size_t i = 0; i < n; i++)
		if (bk_obj__prog(p->obj, i) == want)
			p->prog = bk_vm_obj__prog(p->vo, i);
	p->type = bk_prog__type(want);
	if (p->type != BK_PROG_XDP) {
		bk_diag__set(c->d, BK_E_VM_CTX, -1,
			     "%s: program %s is not an XDP program (a chain runs XDP programs)",
			     path, bk_prog__name(want));
		return TOOL_EXIT_REJECT;
	}
	return 0;
}

static int setup(struct chain *c)
{
	struct bk_vm_opts vo = {.sz = sizeof(vo)};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro),
				    .mode = c->o->trusted ? BK_VM_TRUSTED : BK_VM_CHECKED,
				    .budget = c->o->budget};
	int rc, err;

	if (c->o->nargs > MAX_CHAIN) {
		bk_diag__set(c->d, E2BIG, -1, "at most %d programs in a chain", MAX_CHAIN);
		return TOOL_EXIT_USAGE;
	}
	err = bk_vm__new(&vo, &c->vm);
	if (!err && !c->o->interp)
		err = bk_jit_disp__new(BK_JIT_DISP_SEARCH, &c->disp);
	if (err) {
		bk_diag__set(c->d, -err, -1, "%s", strerror(-err));
		return TOOL_EXIT_USAGE;
	}
	for (c->n = 0; c->n < c->o->nargs; c->n++) {
		struct link *l = &c->l[c->n];

		rc = load_link(c, c->o->args[c->n], l);
		if (!rc)
			rc = bj_jit_prepare(c->o, &l->p, ro.mode, c->d);
		if (!rc && l->p.jit && bk_jit_disp__add(c->disp, l->p.jit))
			rc = TOOL_EXIT_USAGE;
		if (rc) {
			c->n++;
			if (!c->d->file)
				c->d->file = c->o->args[c->n - 1];
			return rc;
		}
	}
	err = bk_vm_run__new(c->vm, &ro, &c->run);
	if (err) {
		bk_diag__set(c->d, -err, -1, "%s", strerror(-err));
		return TOOL_EXIT_USAGE;
	}
	return 0;
}

static void teardown(struct chain *c)
{
	bk_vm_run__free(c->run);
	bk_jit_disp__free(c->disp);
	for (int i = 0; i < c->n; i++) {
		bj_jit_unload(&c->l[i].p);
		bk_vm_obj__free(c->l[i].p.vo);
		bk_obj__free(c->l[i].p.obj);
	}
	bk_vm__free(c->vm);
}

static unsigned vslot(uint64_t r0)
{
	return r0 < NV - 1 ? (unsigned)r0 : NV - 1;
}

/* One packet through the chain, repeat times. */
static int one_packet(void *ctx, const uint8_t *data, size_t len)
{
	struct chain *c = ctx;
	uint64_t t0, r0 = XDP_PASS;
	int err;

	c->packets++;
	for (uint64_t k = 0; k < c->o->repeat; k++) {
		err = bk_vm_run__ctx_xdp(c->run, data, len, NULL);
		if (err) {
			bk_diag__set(c->d, -err, -1, "packet %" PRIu64 " (%zu bytes): %s",
				     c->packets, len, strerror(-err));
			return TOOL_EXIT_USAGE;
		}
		t0 = tool_now_ns();
		for (int i = 0; i < c->n; i++) {
			struct link *l = &c->l[i];

			err = l->p.jit ? bk_jit_disp__exec(c->disp, c->run, l->p.jit, &r0, c->d)
				       : bk_vm_run__exec(c->run, l->p.prog, &r0, c->d);
			if (err) {
				c->d->file = l->p.name;
				return TOOL_EXIT_REJECT;
			}
			l->runs++;
			l->verdicts[vslot(r0)]++;
			if (r0 != XDP_PASS)
				break;
		}
		c->ns += tool_now_ns() - t0;
		c->verdicts[vslot(r0)]++;
	}
	return 0;
}

static void report(const struct chain *c)
{
	uint64_t runs = c->packets * c->o->repeat;
	double ns = runs ? (double)c->ns / (double)runs : 0;
	const char *engine = c->disp ? "jit, dispatcher" : "interpreter";
	const char *mode = c->o->trusted ? "trusted" : "checked";
	struct json_w w;

	if (c->o->json) {
		json_init(&w, stdout, c->o->pretty);
		json_obj_begin(&w);
		json_kv_str(&w, "engine", c->disp ? "jit" : "interp");
		json_kv_bool(&w, "dispatcher", c->disp != NULL);
		json_kv_str(&w, "mode", mode);
		json_kv_uint(&w, "packets", c->packets);
		json_kv_uint(&w, "runs", runs);
		json_kv_double(&w, "ns_per_packet", ns);
		json_key(&w, "verdicts");
		json_obj_begin(&w);
		for (int v = 0; v < NV; v++)
			json_kv_uint(&w, vnames[v], c->verdicts[v]);
		json_obj_end(&w);
		json_key(&w, "chain");
		json_arr_begin(&w);
		for (int i = 0; i < c->n; i++) {
			json_obj_begin(&w);
			json_kv_str(&w, "file", c->l[i].p.name);
			json_kv_str(&w, "program", bk_vm_prog__name(c->l[i].p.prog));
			json_kv_uint(&w, "runs", c->l[i].runs);
			json_key(&w, "verdicts");
			json_obj_begin(&w);
			for (int v = 0; v < NV; v++)
				json_kv_uint(&w, vnames[v], c->l[i].verdicts[v]);
			json_obj_end(&w);
			json_obj_end(&w);
		}
		json_arr_end(&w);
		json_obj_end(&w);
		json_end(&w);
		return;
	}
	printf("chain of %d XDP programs, packets: %" PRIu64 "\n", c->n, c->packets);
	for (int v = 0; v < NV; v++)
		if (v < NV - 1 || c->verdicts[v])
			printf("  %-13s %" PRIu64 "\n", vnames[v], c->verdicts[v]);
	for (int i = 0; i < c->n; i++) {
		printf("  %d. %s (%s): %" PRIu64 " run%s", i + 1, c->l[i].p.name,
		       bk_vm_prog__name(c->l[i].p.prog), c->l[i].runs,
		       c->l[i].runs == 1 ? "" : "s");
		for (int v = 0; v < NV; v++)
			if (c->l[i].verdicts[v])
				printf(", %s %" PRIu64, vnames[v], c->l[i].verdicts[v]);
		printf("\n");
	}
	printf("%" PRIu64 " run%s, %.1f ns per packet through the chain (%s, %s)\n", runs,
	       runs == 1 ? "" : "s", ns, engine, mode);
}

int bj_cmd_run_chain(const struct bj_opts *o)
{
	struct chain *c = calloc(1, sizeof(*c));
	struct bk_diag d;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc, err;

	bk_diag__init(&d);
	if (!c) {
		bk_diag__set(&d, ENOMEM, -1, "out of memory");
		return bj_fail(o, &d, TOOL_EXIT_USAGE);
	}
	c->o = o;
	c->d = &d;
	if (o->raw || o->type || o->nupdates || o->dump_maps || o->mem_file) {
		bk_diag__set(&d, EINVAL, -1,
			     "a chain takes objects and --mem, --packet or --pcap "
			     "(not --raw, --type, --map-update, --dump-maps, --mem-file)");
		rc = TOOL_EXIT_USAGE;
		goto out;
	}
	if (!!o->mem_hex + !!o->packet_file + !!o->pcap_file > 1) {
		bk_diag__set(&d, EINVAL, -1, "--mem, --packet and --pcap exclude each other");
		rc = TOOL_EXIT_USAGE;
		goto out;
	}
	if (o->mem_hex && tool_parse_hex(o->mem_hex, &buf, &len)) {
		bk_diag__set(&d, EINVAL, -1, "--mem: not hex bytes: '%s'", o->mem_hex);
		rc = TOOL_EXIT_USAGE;
		goto out;
	}
	if (o->packet_file && (err = tool_read_file(o->packet_file, 0, (char **)&buf, &len))) {
		bk_diag__set(&d, -err, -1, "%s: %s", o->packet_file, strerror(-err));
		rc = TOOL_EXIT_USAGE;
		goto out;
	}
	rc = setup(c);
	if (rc)
		goto out;
	rc = o->pcap_file ? bj_pcap_each(o->pcap_file, one_packet, c, &d) : one_packet(c, buf, len);
	if (!rc)
		report(c);
out:
	if (rc)
		bj_fail(o, &d, rc);
	teardown(c);
	free(c);
	free(buf);
	return rc;
}
