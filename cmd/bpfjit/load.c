// SPDX-License-Identifier: MIT
/*
 * load.c - bpfjit's loading: an ELF object (its maps and programs, one of
 * them picked by -s) or bare bytecode, into a fresh runtime whose
 * bpf_trace_printk output goes to stderr; and --map-update.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpfjit.h"

static void print_trace(void *ctx, const char *msg, size_t len)
{
	(void)ctx;
	fwrite(msg, 1, len, stderr);
}

static int new_vm(struct bj_prog *p, struct bk_diag *diag)
{
	struct bk_vm_opts vo = {.sz = sizeof(vo), .print = print_trace};
	int err = bk_vm__new(&vo, &p->vm);

	if (err)
		bk_diag__set(diag, -err, -1, "cannot create the VM: %s", strerror(-err));
	return err;
}

int bj_load_bytes(const void *buf, size_t len, enum bk_prog_type type, const char *name,
		  struct bj_prog *p, struct bk_diag *diag)
{
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .name = name, .type = type};
	int err;

	memset(p, 0, sizeof(*p));
	p->name = name;
	p->type = type;
	if (len % sizeof(struct bk_insn)) {
		bk_diag__set(diag, BK_E_PROG_SIZE, -1,
			     "%zu bytes of bytecode is not a whole number of 8-byte instructions",
			     len);
		return TOOL_EXIT_REJECT;
	}
	if (new_vm(p, diag))
		return TOOL_EXIT_USAGE;
	err = bk_vm_prog__load(p->vm, buf, len / sizeof(struct bk_insn), &po, &p->prog, diag);
	if (err) {
		bj_unload(p);
		return TOOL_EXIT_REJECT;
	}
	return 0;
}

static enum bk_prog_type type_opt(const struct bj_opts *o, enum bk_prog_type dflt,
				  struct bk_diag *diag)
{
	enum bk_prog_type t;

	if (!o->type)
		return dflt;
	t = bk_prog_type_by_name(o->type);
	if (t == BK_PROG_UNSPEC)
		bk_diag__set(diag, EINVAL, -1, "unknown program type '%s' (raw, xdp, ...)",
			     o->type);
	return t;
}

static int load_raw(const struct bj_opts *o, struct bj_prog *p, struct bk_diag *diag)
{
	enum bk_prog_type t = type_opt(o, BK_PROG_RAW, diag);
	char *buf;
	size_t len;
	int err, rc;

	if (t == BK_PROG_UNSPEC)
		return TOOL_EXIT_USAGE;
	err = tool_read_file(o->path, 0, &buf, &len);
	if (err) {
		bk_diag__set(diag, -err, -1, "%s: %s", o->path, strerror(-err));
		return TOOL_EXIT_USAGE;
	}
	rc = bj_load_bytes(buf, len, t, o->path, p, diag);
	free(buf);
	if (rc)
		diag->file = o->path;
	return rc;
}

static int find_prog(const struct bj_opts *o, struct bj_prog *p, struct bk_diag *diag)
{
	struct bk_prog *want;
	size_t n = bk_obj__prog_cnt(p->obj);

	if (!n)
		return bk_diag__set(diag, BK_E_NO_PROG, -1, "%s has no programs", o->path);
	want = o->section ? bk_obj__find_prog(p->obj, o->section) : bk_obj__prog(p->obj, 0);
	if (!want)
		return bk_diag__set(diag, BK_E_NO_PROG, -1, "%s has no program or section '%s'",
				    o->path, o->section);
	for (size_t i = 0; i < n; i++) {
		if (bk_obj__prog(p->obj, i) != want)
			continue;
		p->prog = bk_vm_obj__prog(p->vo, i);
		if (!p->prog)
			return bk_vm_obj__prog_err(p->vo, i, diag);
	}
	p->type = bk_prog__type(want);
	return 0;
}

int bj_load(const struct bj_opts *o, struct bj_prog *p, struct bk_diag *diag)
{
	struct bk_obj_opts oo = {.sz = sizeof(oo), .name = o->path};
	enum bk_prog_type t;
	int err;

	memset(p, 0, sizeof(*p));
	if (o->raw)
		return load_raw(o, p, diag);
	p->name = o->path;
	if (!strcmp(o->path, "-")) {
		char *buf;
		size_t len;

		err = tool_read_file("-", 0, &buf, &len);
		if (err) {
			bk_diag__set(diag, -err, -1, "stdin: %s", strerror(-err));
			return TOOL_EXIT_USAGE;
		}
		oo.name = "<stdin>";
		err = bk_obj__open_mem(buf, len, &oo, &p->obj, diag);
		free(buf);
	} else {
		err = bk_obj__open_file(o->path, &oo, &p->obj, diag);
	}
	if (err)
		return err == -ENOENT || err == -EACCES || err == -EISDIR ? TOOL_EXIT_USAGE
									  : TOOL_EXIT_REJECT;
	if (new_vm(p, diag))
		goto usage;
	err = bk_vm_obj__load(p->vm, p->obj, &p->vo, diag);
	if (err)
		goto reject;
	if (find_prog(o, p, diag))
		goto reject;
	t = type_opt(o, p->type ? p->type : BK_PROG_RAW, diag); /* unknown section: raw */
	if (t == BK_PROG_UNSPEC)
		goto usage;
	p->type = t;
	return 0;
reject:
	if (!diag->file)
		diag->file = o->path;
	bj_unload(p);
	return TOOL_EXIT_REJECT;
usage:
	bj_unload(p);
	return TOOL_EXIT_USAGE;
}

void bj_unload(struct bj_prog *p)
{
	bj_jit_unload(p);
	bk_vm_obj__free(p->vo);
	bk_vm__free(p->vm);
	bk_obj__free(p->obj);
	memset(p, 0, sizeof(*p));
}

/* MAP=KEY=VALUE with KEY and VALUE hex bytes of the map's sizes. */
static int apply_one(const char *spec, struct bj_prog *p, struct bk_diag *diag)
{
	char *s = strdup(spec), *k, *v;
	uint8_t *key = NULL, *val = NULL;
	size_t kl = 0, vl = 0;
	struct bk_map *m;
	int err = -EINVAL;

	if (!s)
		return bk_diag__set(diag, ENOMEM, -1, "out of memory");
	k = strchr(s, '=');
	v = k ? strchr(k + 1, '=') : NULL;
	if (!v) {
		bk_diag__set(diag, EINVAL, -1, "--map-update %s: expected MAP=KEY=VALUE", spec);
		goto out;
	}
	*k++ = '\0';
	*v++ = '\0';
	m = p->vo ? bk_vm_obj__find_map(p->vo, s) : NULL;
	if (!m) {
		bk_diag__set(diag, ENOENT, -1, "--map-update: no map '%s'", s);
		goto out;
	}
	if (tool_parse_hex(k, &key, &kl) || tool_parse_hex(v, &val, &vl) ||
	    kl != bk_map__attr(m)->key_size || vl != bk_map__user_value_size(m)) {
		bk_diag__set(diag, EINVAL, -1,
			     "--map-update %s: key and value must be %u and %zu hex bytes", s,
			     bk_map__attr(m)->key_size, bk_map__user_value_size(m));
		goto out;
	}
	err = bk_map__update(m, key, val, 0);
	if (err)
		bk_diag__set(diag, -err, -1, "--map-update %s: %s", s, strerror(-err));
out:
	free(key);
	free(val);
	free(s);
	return err;
}

int bj_apply_updates(const struct bj_opts *o, struct bj_prog *p, struct bk_diag *diag)
{
	for (int i = 0; i < o->nupdates; i++)
		if (apply_one(o->updates[i], p, diag))
			return TOOL_EXIT_USAGE;
	return 0;
}
