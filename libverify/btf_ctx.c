// SPDX-License-Identifier: MIT
/*
 * btf_ctx.c - contexts and pointers the kernel's BTF describes: the
 * arguments of tp_btf, fentry, fexit and fmod_ret programs (u64 slots of
 * the context, typed by the traced function or tracepoint), the context
 * of iterators (struct bpf_iter__<target>: meta and the iterated objects)
 * and of netfilter programs (struct bpf_nf_ctx), and loads through the
 * kernel pointers these give (PTR_TO_BTF_ID: walking struct members).
 *
 * The kernel's BTF (/sys/kernel/btf/vmlinux) is loaded only for programs
 * that need it, into the caller's cache (opts.cache) when there is one.
 *
 * Modelled: scalar and pointer arguments, the return value of fexit and
 * fmod_ret, member loads through nested structs, unions, fixed-size
 * arrays (pointer elements too) and trailing flexible arrays of ints or
 * structs, pointer members becoming untrusted BTF pointers, iterators'
 * key/value buffers.  Refused as unsupported (BK_E_V_UNSUPPORTED, with the
 * reason): flexible array members in the middle of a walk, stores through
 * BTF pointers the kernel would allow for some types.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "helpers_int.h"
#include "types_int.h"

#define MAX_ARGS 12 /* MAX_BPF_FUNC_ARGS */

struct vtctx {
	int nargs;		    /* arguments in the context, 8 bytes each */
	int32_t type[MAX_ARGS + 1]; /* BTF type of each (and of the return value) */
	uint8_t maybe_null[MAX_ARGS + 1];
	uint8_t buf[MAX_ARGS + 1]; /* iterators' void * arguments: BUF_RDWR/RDONLY */
	bool has_ret;		   /* fexit, fmod_ret: the return value follows the arguments */
	bool exact;		   /* netfilter: only whole 8-byte loads of the two pointers */
	const char *what;
};

/* The kernel's PTR_TO_BUF iterator arguments (bpf_map_elem's key and
 * value, sockmap's key, sk_storage_map's value): read (and written, but
 * for keys) at any constant offset, the largest checked against the map
 * when the iterator is attached. */
enum {
	BUF_NONE,
	BUF_RDWR,
	BUF_RDONLY
};

const struct btf *vmlinux_btf(struct venv *env)
{
	if (env->vmlinux)
		return env->vmlinux;
	if (env->vmlinux_err)
		return NULL;
	env->vcache = env->opts.cache;
	if (!env->vcache) {
		env->vcache = env->vcache_owned = bk_verify_cache__new();
		if (!env->vcache) {
			env->vmlinux_err = -ENOMEM;
			return NULL;
		}
		vcache_no_index(env->vcache); /* one run: a few lookups, no index */
	}
	env->vmlinux = vcache_btf(env->vcache);
	if (!env->vmlinux) {
		env->vmlinux_err = -ENOENT;
		verr(env, BK_E_V_UNSUPPORTED,
		     "this program type needs the kernel's BTF (/sys/kernel/btf/vmlinux), which "
		     "cannot be read here");
	}
	return env->vmlinux;
}

/* The kernel's BTF id of name of kind, or -1. */
static int32_t find(struct venv *env, const char *name, int kind)
{
	return vmlinux_btf(env) ? vcache_find(env->vcache, name, kind) : -1;
}

static int32_t skip_mods(const struct btf *b, int32_t id)
{
	for (int n = 0; id > 0 && n < 32; n++) {
		const struct btf_type *t = btf__type_by_id(b, (uint32_t)id);

		if (!t || !(btf_is_mod(t) || btf_is_typedef(t)))
			break;
		id = (int32_t)t->type;
	}
	return id;
}

int32_t vmlinux_struct_id(struct venv *env, const char *name)
{
	int32_t id = find(env, name, BTF_KIND_STRUCT);

	return id > 0 ? id : -1;
}

/* The struct a helper returns, by name, before its BTF id was needed. */
static const char *pending_name(int32_t aux)
{
	const struct vhelper *h = aux < 0 ? vhelper_get((uint32_t)-aux) : NULL;

	return h && h->bret ? h->bret : NULL;
}

int32_t btf_aux_resolve(struct venv *env, int32_t aux)
{
	const char *name = pending_name(aux);

	return name ? vmlinux_struct_id(env, name) : aux;
}

bool btf_struct_match(struct venv *env, int32_t id, const char *name)
{
	const struct btf *b;

	if (pending_name(id) && !strcmp(pending_name(id), name))
		return true;
	id = btf_aux_resolve(env, id);
	b = env->vmlinux;

	for (int depth = 0; b && id > 0 && depth < 16; depth++) {
		const struct btf_type *t = btf__type_by_id(b, (uint32_t)skip_mods(b, id));
		const char *n = t ? btf__str_by_offset(b, t->name_off) : NULL;

		if (!t || !btf_is_composite(t))
			return false;
		if (n && !strcmp(n, name))
			return true;
		if (!btf_vlen(t) || btf_member_bit_offset(t, 0))
			return false;
		id = (int32_t)btf_members(t)[0].type;
	}
	return false;
}

bool btf_struct_match_at(struct venv *env, int32_t id, int off, const char *name)
{
	const struct btf *b;

	id = btf_aux_resolve(env, id);
	b = env->vmlinux;
	for (int depth = 0; b && id > 0 && depth < 16; depth++) {
		const struct btf_type *t = btf__type_by_id(b, (uint32_t)skip_mods(b, id));
		const struct btf_member *m;
		int i, vlen, next = -1;

		if (!t || !btf_is_composite(t))
			return false;
		if (!off)
			return btf_struct_match(env, id, name);
		m = btf_members(t);
		vlen = btf_vlen(t);
		for (i = 0; i < vlen && next < 0; i++, m++) {
			int moff = (int)(btf_member_bit_offset(t, (uint32_t)i) / 8);
			int32_t mid = skip_mods(b, (int32_t)m->type);
			const struct btf_type *mt = btf__type_by_id(b, (uint32_t)mid);

			if (mt && btf_is_composite(mt) && off >= moff &&
			    off < moff + (int)mt->size) {
				next = mid;
				off -= moff;
			}
		}
		if (next < 0)
			return false;
		id = next;
	}
	return false;
}

int map_struct_field(struct venv *env, int map, const char *name)
{
	const struct btf *b = env->in->btf;
	const struct bk_map_def *md;
	const struct btf_type *t;
	const struct btf_member *m;

	if (!b || map < 0 || (size_t)map >= env->in->nmaps)
		return -1;
	md = &env->in->maps[map];
	t = md->btf_value_type_id ? btf__type_by_id(b, md->btf_value_type_id) : NULL;
	t = t ? btf__type_by_id(b, (uint32_t)skip_mods(b, (int32_t)md->btf_value_type_id)) : NULL;
	if (!t || !btf_is_composite(t))
		return -1;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const struct btf_type *mt =
			btf__type_by_id(b, (uint32_t)skip_mods(b, (int32_t)m->type));
		const char *n = mt ? btf__str_by_offset(b, mt->name_off) : NULL;

		if (mt && btf_is_composite(mt) && n && !strcmp(n, name))
			return (int)(btf_member_bit_offset(t, (uint32_t)i) / 8);
	}
	return -1;
}

const char *btf_id_name(struct venv *env, int32_t id)
{
	if (pending_name(id))
		return pending_name(id);
	const struct btf_type *t =
		env->vmlinux ? btf__type_by_id(env->vmlinux, (uint32_t)id) : NULL;
	const char *n = t ? btf__str_by_offset(env->vmlinux, t->name_off) : NULL;

	return n && *n ? n : "?";
}

static int no_target(struct venv *env, const char *kind, const char *name)
{
	return verr(env, BK_E_V_PROG_TYPE, "%s '%s' not found in the kernel's BTF", kind,
		    name ? name : "(none: the section names no attach target)");
}

/* Arguments from a FUNC_PROTO, skipping the first `skip` parameters. */
static int args_from_proto(struct venv *env, struct vtctx *c, int32_t proto, int skip)
{
	const struct btf_type *t = btf__type_by_id(env->vmlinux, (uint32_t)proto);
	const struct btf_param *p;
	int n;

	if (!t || !btf_is_func_proto(t))
		return verr(env, BK_E_V_PROG_TYPE, "attach target %s has no function prototype",
			    c->what);
	n = btf_vlen(t) - skip;
	if (n < 0 || n > MAX_ARGS)
		return verr(env, BK_E_V_PROG_TYPE, "attach target %s has %d arguments", c->what, n);
	p = btf_params(t);
	c->nargs = n;
	for (int i = 0; i < n; i++)
		c->type[i] = (int32_t)p[i + skip].type;
	c->type[n] = (int32_t)t->type; /* return value */
	return 0;
}

static int prepare_tracing(struct venv *env, struct vtctx *c)
{
	const struct btf *b = env->vmlinux;
	const char *to = env->attach_to;
	uint32_t at = env->in->attach_type;
	char name[256];
	int32_t id;

	c->what = to ? to : "?";
	switch (at) {
	case BPF_TRACE_RAW_TP:
		snprintf(name, sizeof(name), "btf_trace_%s", to ? to : "");
		id = to ? find(env, name, BTF_KIND_TYPEDEF) : -1;
		if (id <= 0)
			return no_target(env, "tracepoint", to);
		id = skip_mods(b, id);
		{
			const struct btf_type *t = btf__type_by_id(b, (uint32_t)id);

			if (!t || !btf_is_ptr(t))
				return no_target(env, "tracepoint", to);
			return args_from_proto(env, c, (int32_t)t->type, 1);
		}
	case BPF_TRACE_FENTRY:
	case BPF_TRACE_FEXIT:
	case BPF_MODIFY_RETURN:
		id = to ? find(env, to, BTF_KIND_FUNC) : -1;
		if (id <= 0)
			return no_target(env, "function", to);
		c->has_ret = at != BPF_TRACE_FENTRY;
		return args_from_proto(env, c, (int32_t)btf__type_by_id(b, (uint32_t)id)->type, 0);
	case BPF_TRACE_ITER:
		snprintf(name, sizeof(name), "bpf_iter_%s", to ? to : "");
		id = to ? find(env, name, BTF_KIND_FUNC) : -1;
		if (id <= 0)
			return no_target(env, "iterator", to);
		if (args_from_proto(env, c, (int32_t)btf__type_by_id(b, (uint32_t)id)->type, 0))
			return env->err;
		for (int i = 1; i < c->nargs; i++) {
			int32_t pt = skip_mods(b, c->type[i]);
			const struct btf_type *t = btf__type_by_id(b, (uint32_t)pt);

			if (t && btf_is_ptr(t)) {
				const struct btf_type *tt = btf__type_by_id(
					b, (uint32_t)skip_mods(b, (int32_t)t->type));

				if (!tt || !btf_is_composite(tt)) {
					const struct btf_param *pp = btf_params(btf__type_by_id(
						b, btf__type_by_id(b, (uint32_t)id)->type));
					const char *pn = btf__name_by_offset(b, pp[i].name_off);

					c->buf[i] =
						pn && !strcmp(pn, "key") ? BUF_RDONLY : BUF_RDWR;
				}
			}
			c->maybe_null[i] = 1; /* every object after meta may be NULL */
		}
		return 0;
	default:
		return verr(env, BK_E_V_UNSUPPORTED,
			    "tracing programs of attach type %u are not modelled by bpfverify", at);
	}
}

int btf_ctx_prepare(struct venv *env)
{
	struct vtctx *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	env->tctx = c;
	if (!vmlinux_btf(env))
		return env->err;
	if (env->in->type == BK_PROG_NETFILTER) {
		c->what = "bpf_nf_ctx";
		c->nargs = 2;
		c->exact = true;
		c->type[0] = vmlinux_struct_id(env, "nf_hook_state");
		c->type[1] = vmlinux_struct_id(env, "sk_buff");
		if (c->type[0] < 0 || c->type[1] < 0)
			return no_target(env, "struct", "nf_hook_state / sk_buff");
		/* the context holds the pointers themselves */
		return 0;
	}
	err = prepare_tracing(env, c);
	return err;
}

void btf_ctx_release(struct venv *env)
{
	free(env->tctx);
	env->tctx = NULL;
	bk_verify_cache__free(env->vcache_owned);
	env->vcache_owned = NULL;
}

static const char *type_str(const struct btf *b, int32_t id)
{
	const struct btf_type *t = btf__type_by_id(b, (uint32_t)id);
	const char *n = t ? btf__str_by_offset(b, t->name_off) : NULL;

	return n && *n ? n : "(anon)";
}

int btf_ctx_access(struct venv *env, int off, int size, int t, uint8_t *type, uint8_t *flags,
		   int32_t *aux)
{
	const struct vtctx *c = env->tctx;
	const struct btf *b = env->vmlinux;
	const struct btf_type *bt;
	int arg, n;

	if (!c || !b)
		return verr(env, BK_E_V_UNSUPPORTED, "typed context without the kernel's BTF");
	if (off < 0 || off >= 8 * MAX_ARGS || t != V_READ || off % size)
		return verr(env, BK_E_V_CTX_ACCESS, "invalid bpf_context access off=%d size=%d",
			    off, size);
	arg = off / 8;
	n = c->nargs + (c->has_ret ? 1 : 0);
	if (arg >= n)
		return verr(env, BK_E_V_CTX_ACCESS, "func '%s' doesn't have %d-th argument",
			    c->what, arg);
	if (c->exact) {
		if (size != 8)
			return verr(env, BK_E_V_CTX_ACCESS,
				    "invalid bpf_context access off=%d size=%d", off, size);
		*type = VT_BTF_ID;
		*aux = c->type[arg];
		return 0;
	}
	int32_t id = skip_mods(b, c->type[arg]);

	bt = btf__type_by_id(b, (uint32_t)id);
	if (!bt || id == 0)
		return 0; /* void return of fexit: a scalar */
	if (btf_is_int(bt) || btf_is_any_enum(bt) || btf_is_composite(bt))
		return 0;
	if (!btf_is_ptr(bt))
		return verr(env, BK_E_V_CTX_ACCESS, "func '%s' arg%d type %s is not a struct",
			    c->what, arg, type_str(b, id));
	int32_t tid = skip_mods(b, (int32_t)bt->type);
	const struct btf_type *tt = tid ? btf__type_by_id(b, (uint32_t)tid) : NULL;

	if (c->buf[arg] && size == 8) {
		*type = VT_TP_BUFFER;
		*flags = VF_NULL | VF_BUF | (c->buf[arg] == BUF_RDONLY ? VF_RDONLY : 0);
		return 0;
	}
	if (!tt || !btf_is_composite(tt))
		return 0; /* void *, char *, ...: a scalar */
	if (size != 8)
		return verr(env, BK_E_V_CTX_ACCESS, "invalid bpf_context access off=%d size=%d",
			    off, size);
	*type = VT_BTF_ID;
	*aux = tid;
	if (c->maybe_null[arg])
		*flags = VF_NULL;
	return 0;
}

/* Pointer members that stay trusted when loaded from a trusted pointer
 * (the kernel's BTF_TYPE_SAFE_TRUSTED / _RCU lists, Linux 6.18); RCU ones
 * count as trusted in non-sleepable programs (an implicit RCU section).
 * Every other pointer loaded from memory is untrusted: it may be read
 * through, not passed to helpers that need a trusted object. */
enum {
	SAFE_TRUSTED,
	SAFE_TRUSTED_OR_NULL,
	SAFE_RCU,
	SAFE_RCU_OR_NULL,
};

// clang-format off
static const struct {
	const char *type, *field;
	uint8_t kind;
} safe_fields[] = {
	{"task_struct",         "cpus_ptr",     SAFE_RCU},
	{"task_struct",         "cgroups",      SAFE_RCU},
	{"task_struct",         "real_parent",  SAFE_RCU},
	{"task_struct",         "group_leader", SAFE_RCU},
	{"cgroup",              "kn",           SAFE_RCU},
	{"css_set",             "dfl_cgrp",     SAFE_RCU},
	{"cgroup_subsys_state", "cgroup",       SAFE_RCU},
	{"mm_struct",           "exe_file",     SAFE_RCU_OR_NULL},
	{"sk_buff",             "sk",           SAFE_RCU_OR_NULL},
	{"request_sock",        "sk",           SAFE_RCU_OR_NULL},
	{"bpf_iter_meta",       "seq",          SAFE_TRUSTED},
	{"bpf_iter__task",      "task",         SAFE_TRUSTED},
	{"linux_binprm",        "file",         SAFE_TRUSTED},
	{"file",                "f_inode",      SAFE_TRUSTED},
	{"dentry",              "d_inode",      SAFE_TRUSTED},
	{"socket",              "sk",           SAFE_TRUSTED_OR_NULL},
};
// clang-format on

/* Flags of a pointer loaded from field of struct type through a pointer
 * with flags base. */
static uint8_t loaded_ptr_flags(struct venv *env, const char *type, const char *field, uint8_t base)
{
	if (base & VF_UNTRUSTED)
		return VF_UNTRUSTED;
	for (size_t i = 0; i < sizeof(safe_fields) / sizeof(safe_fields[0]); i++) {
		if (strcmp(safe_fields[i].type, type) || strcmp(safe_fields[i].field, field))
			continue;
		switch (safe_fields[i].kind) {
		case SAFE_TRUSTED:
			return 0;
		case SAFE_TRUSTED_OR_NULL:
			return VF_NULL;
		case SAFE_RCU:
			return env->sleepable ? VF_UNTRUSTED : 0;
		default:
			return env->sleepable ? VF_UNTRUSTED : VF_NULL;
		}
	}
	return VF_UNTRUSTED;
}

/* Walks the members of struct/union id for [off, off + size): 0 with
 * *res_id > 0 for a pointer member to a struct (a BTF pointer, its member
 * name in *field), 0 with *res_id == 0 for scalar data, or a rejection. */
static int walk(struct venv *env, int regno, int32_t id, int off, int size, int32_t *res_id,
		const char **field)
{
	const struct btf *b = env->vmlinux;
	const char *sname = type_str(b, id);

	for (int depth = 0; depth < 32; depth++) {
		const struct btf_type *t = btf__type_by_id(b, (uint32_t)skip_mods(b, id));
		const struct btf_member *m;
		int i, vlen;

		if (!t || !btf_is_composite(t))
			return verr(env, BK_E_V_INVALID_MEM, "R%d is not a pointer to a struct",
				    regno);
		if (off + size > (int)t->size) {
			/* past the end: into a flexible array of ints or structs
			 * as the last member (the kernel's rule) */
			int n = btf_vlen(t);
			const struct btf_member *last = n ? btf_members(t) + n - 1 : NULL;
			const struct btf_type *lt =
				last ? btf__type_by_id(b,
						       (uint32_t)skip_mods(b, (int32_t)last->type))
				     : NULL;
			int lmoff = last ? (int)(btf_member_bit_offset(t, (uint32_t)n - 1) / 8) : 0;
			int32_t eid = lt && btf_is_array(lt) && !btf_array(lt)->nelems
					      ? skip_mods(b, (int32_t)btf_array(lt)->type)
					      : 0;
			const struct btf_type *et = eid ? btf__type_by_id(b, (uint32_t)eid) : NULL;

			if (!et || off < lmoff || !(btf_is_int(et) || btf_is_composite(et)) ||
			    !et->size)
				return verr(env, BK_E_V_MEM_BOUNDS,
					    "access beyond struct %s at off %d size %d", sname, off,
					    size);
			if (btf_is_int(et)) {
				*res_id = 0;
				return 0;
			}
			off = (off - lmoff) % (int)et->size;
			id = eid;
			sname = type_str(b, eid);
			continue;
		}
		m = btf_members(t);
		vlen = btf_vlen(t);
		for (i = 0; i < vlen; i++, m++) {
			int moff = (int)(btf_member_bit_offset(t, (uint32_t)i) / 8);
			int32_t mid = skip_mods(b, (int32_t)m->type);
			const struct btf_type *mt = btf__type_by_id(b, (uint32_t)mid);
			int64_t msize;

			if (off + size <= moff)
				break; /* members are by offset: none further fits */
			if (btf_member_bitfield_size(t, (uint32_t)i)) {
				int bend = (int)((btf_member_bit_offset(t, (uint32_t)i) +
						  btf_member_bitfield_size(t, (uint32_t)i) + 7) /
						 8);

				/* the kernel's rule: a load covering a whole bitfield
				 * (BPF_CORE_READ_BITFIELD's) reads a scalar; a partial
				 * one goes on to the next member */
				if (off <= moff && bend <= off + size) {
					*res_id = 0;
					return 0;
				}
				continue;
			}
			msize = btf__resolve_size(b, (uint32_t)mid);
			if (!mt || msize < 0 || off < moff || off >= moff + msize)
				continue;
			if (btf_is_array(mt)) {
				const struct btf_array *a = btf_array(mt);
				int32_t eid = skip_mods(b, (int32_t)a->type);
				int64_t es = btf__resolve_size(b, (uint32_t)eid);
				const struct btf_type *et = btf__type_by_id(b, (uint32_t)eid);

				if (!a->nelems || es <= 0)
					return verr(env, BK_E_V_UNSUPPORTED,
						    "flexible array member of struct %s is not "
						    "modelled by bpfverify",
						    sname);
				int eoff = (int)((off - moff) % es);

				if (et && btf_is_composite(et)) {
					id = eid;
					off = eoff;
					sname = type_str(b, eid);
					goto next;
				}
				if (off + size > moff + msize)
					return verr(env, BK_E_V_MEM_BOUNDS,
						    "access beyond the end of member of struct %s "
						    "with off %d size %d",
						    sname, off, size);
				if (et && btf_is_ptr(et)) {
					/* an element pointer, as a pointer member at the
					 * element's start (css_set.subsys[i]) */
					int estart = off - eoff;
					int32_t tid = skip_mods(b, (int32_t)et->type);
					const struct btf_type *tt =
						tid ? btf__type_by_id(b, (uint32_t)tid) : NULL;

					if (off != estart || size != 8)
						return verr(env, BK_E_V_INVALID_MEM,
							    "cannot access ptr member with moff %d "
							    "in struct %s with off %d size %d",
							    estart, sname, off, size);
					*res_id = tt && btf_is_composite(tt) ? tid : 0;
					*field = btf__str_by_offset(b, m->name_off);
					return 0;
				}
				*res_id = 0;
				return 0;
			}
			if (btf_is_composite(mt)) {
				id = mid;
				off -= moff;
				sname = type_str(b, mid);
				goto next;
			}
			if (btf_is_ptr(mt)) {
				if (off != moff || size != 8)
					return verr(
						env, BK_E_V_INVALID_MEM,
						"cannot access ptr member with moff %d in struct "
						"%s with off %d size %d",
						moff, sname, off, size);
				int32_t tid = skip_mods(b, (int32_t)mt->type);
				const struct btf_type *tt =
					tid ? btf__type_by_id(b, (uint32_t)tid) : NULL;

				*res_id = tt && btf_is_composite(tt) ? tid : 0;
				*field = btf__str_by_offset(b, m->name_off);
				return 0;
			}
			if (off + size > moff + msize)
				return verr(
					env, BK_E_V_MEM_BOUNDS,
					"access beyond the end of member (mend:%lld) in struct %s "
					"with off %d size %d",
					(long long)(moff + msize), sname, off, size);
			*res_id = 0;
			return 0;
		}
		return verr(env, BK_E_V_MEM_BOUNDS, "struct %s doesn't have field at offset %d",
			    sname, off);
	next:;
	}
	return verr(env, BK_E_V_UNSUPPORTED, "struct nesting too deep");
}

/* The kernel's check_ptr_to_btf_access() for tracing programs. */
int btf_ptr_access(struct venv *env, int regno, int off, int size, int t, int value_regno)
{
	struct vreg *regs = cur_regs(env), *r = &regs[regno];
	const char *name, *field = "";
	int32_t res = 0;
	char vb[48];
	int err;

	if (!vmlinux_btf(env))
		return env->err;
	if (r->aux < 0 && (r->aux = btf_aux_resolve(env, r->aux)) < 0)
		return verr(env, BK_E_V_UNSUPPORTED,
			    "R%d points to a struct the kernel's BTF lacks", regno);
	name = btf_id_name(env, r->aux);
	if (off < 0)
		return verr(env, BK_E_V_PTR_OFFSET, "R%d is ptr_%s invalid negative access: off=%d",
			    regno, name, off);
	if (!tnum_is_const(r->var_off) || r->var_off.value) {
		tnum_str(vb, sizeof(vb), r->var_off);
		return verr(env, BK_E_V_PTR_OFFSET,
			    "R%d is ptr_%s invalid variable offset: off=%d, var_off=%s", regno,
			    name, off, vb);
	}
	if (t == V_WRITE)
		return verr(env, BK_E_V_READONLY, "R%d is ptr_%s: only read is supported", regno,
			    name);
	if ((err = walk(env, regno, r->aux, off, size, &res, &field)))
		return err;
	if (value_regno < 0)
		return 0;
	struct vreg *v = &regs[value_regno];

	reg_mark_unknown(v);
	if (res > 0) {
		reg_mark_known(v, 0);
		v->type = VT_BTF_ID;
		v->aux = res;
		v->flags = loaded_ptr_flags(env, name, field ? field : "", r->flags);
		if (v->flags & VF_NULL)
			v->id = new_id(env);
	}
	return 0; /* mem.c narrows a scalar to size */
}
