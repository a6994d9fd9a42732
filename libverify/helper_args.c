// SPDX-License-Identifier: MIT
/*
 * helper_args.c - helper argument and return kinds beyond memory, maps
 * and the context (call.c hands them over): sockets and socket commons,
 * pointers typed by the kernel's BTF (and the structs they must be),
 * strings in read-only maps, fixed-size headers; sockets looked up with a
 * reference, casts that keep their argument's reference, BTF pointers,
 * map values of local storage, and return values bounded by the size of
 * the buffer a helper filled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "helpers_int.h"
#include "types_int.h"

#define MAX_ERRNO 4095
#define BPF_F_RDONLY_PROG (1U << 7)

static bool is_sock(const struct vreg *r)
{
	return r->type == VT_SOCK_COMMON || r->type == VT_SOCKET || r->type == VT_TCP_SOCK ||
	       r->type == VT_XDP_SOCK;
}

static int type_err(struct venv *env, int regno, const char *expected)
{
	char tb[48];

	return verr(env, BK_E_V_HELPER_ARG, "R%d type=%s expected=%s", regno,
		    vtype_str(&cur_regs(env)[regno], tb, sizeof(tb)), expected);
}

static bool kv_or_mem(const struct vreg *r)
{
	if (r->flags & ~VF_RDONLY)
		return r->type == VT_MEM && r->flags == VF_RINGBUF;
	return r->type == VT_STACK || r->type == VT_PKT || r->type == VT_PKT_META ||
	       r->type == VT_MAP_KEY || r->type == VT_MAP_VALUE || r->type == VT_MEM;
}

/* A BTF pointer of the kernel's struct `name`, or of a struct that starts
 * with one, or into one where a member of that struct is (&file->f_path
 * for a struct path: btf_struct_ids_match). */
int check_btf_arg(struct venv *env, int regno, const char *name)
{
	struct vreg *r = &cur_regs(env)[regno];

	if (r->type != VT_BTF_ID || (r->flags & (VF_NULL | VF_UNTRUSTED)))
		return type_err(env, regno, "ptr_, trusted_ptr_");
	if (r->off && !btf_struct_match_at(env, r->aux, r->off, name))
		return verr(env, BK_E_V_HELPER_ARG, "R%d is ptr_%s+%d, not a struct %s", regno,
			    btf_id_name(env, r->aux), r->off, name);
	if (!r->off && !btf_struct_match(env, r->aux, name))
		return verr(env, BK_E_V_HELPER_ARG, "R%d is of type %s but %s is expected", regno,
			    btf_id_name(env, r->aux), name);
	return check_ptr_off_reg(env, r, regno, true);
}

/* ARG_PTR_TO_TIMER: a map value pointer at the map's struct bpf_timer. */
static int check_timer(struct venv *env, int regno, int *map)
{
	int err = check_map_field_arg(env, regno, MF_TIMER, BK_E_V_HELPER_ARG);

	if (!err)
		*map = cur_regs(env)[regno].aux;
	return err;
}

/* ARG_PTR_TO_CONST_STR: a constant offset into a frozen read-only map
 * whose bytes from there hold a NUL. */
static int check_const_str(struct venv *env, int regno)
{
	struct vreg *r = &cur_regs(env)[regno];
	const struct bk_map_def *m;
	uint64_t off;

	if (r->type != VT_MAP_VALUE || r->flags)
		return type_err(env, regno, "map_value");
	m = r->aux >= 0 && (size_t)r->aux < env->in->nmaps ? &env->in->maps[r->aux] : NULL;
	if (!m || !((m->flags & BPF_F_RDONLY_PROG) ||
		    (m->origin == BK_MAP_DATA && m->name && !strncmp(m->name, ".rodata", 7))))
		return verr(env, BK_E_V_HELPER_ARG, "R%d does not point to a readonly map'", regno);
	if (!tnum_is_const(r->var_off))
		return verr(env, BK_E_V_HELPER_ARG, "R%d is not a constant address'", regno);
	off = (uint64_t)(int64_t)r->off + r->var_off.value;
	if (!m->data || off >= m->data_size || off >= m->value_size)
		return verr(env, BK_E_V_HELPER_ARG, "R%d points outside the map value", regno);
	if (!memchr((const char *)m->data + off, 0, m->data_size - off))
		return verr(env, BK_E_V_HELPER_ARG, "string is not zero-terminated");
	return 0;
}

int check_arg_ext(struct venv *env, const struct vhelper *h, int i, int *map, uint32_t *release_id,
		  struct vcall_ext *ext)
{
	int regno = i + 1, a = h->args[i], err;
	struct vreg *r = &cur_regs(env)[regno];
	bool null = reg_is_null(r);

	if (reg_is_pkt(r) && !(h->flags & HF_PKT))
		return verr(env, BK_E_V_HELPER_ARG, "helper access to the packet is not allowed");
	switch (a) {
	case A_CTX_OR_NULL:
		if (null)
			return 0;
		if (r->type != VT_CTX)
			return type_err(env, regno, "ctx");
		return check_ptr_off_reg(env, r, regno, false);
	case A_SOCK_COMMON:
		if (!is_sock(r) || (r->flags & VF_NULL))
			return type_err(env, regno, "sock_common, sock, tcp_sock, xdp_sock");
		ext->ref_obj_id = r->ref_obj_id;
		return check_ptr_off_reg(env, r, regno, false);
	case A_BTF_SOCK_COMMON:
	case A_SOCK_RELEASE:
		if (r->type == VT_BTF_ID) {
			if ((err = check_btf_arg(env, regno, "sock_common")))
				return err;
		} else if (!is_sock(r) || (r->flags & VF_NULL)) {
			return type_err(
				env, regno,
				"sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_");
		}
		if (a == A_SOCK_RELEASE) {
			if (!r->ref_obj_id)
				return verr(
					env, BK_E_V_REF,
					"R%d must be referenced when passed to release function",
					regno);
			*release_id = r->ref_obj_id;
		}
		ext->ref_obj_id = r->ref_obj_id;
		return check_ptr_off_reg(env, r, regno, false);
	case A_SOCKET_OR_NULL:
		if (null)
			return 0;
		if (r->type != VT_SOCKET || (r->flags & VF_NULL))
			return type_err(env, regno, "sock");
		return check_ptr_off_reg(env, r, regno, false);
	case A_BTF_OR_NULL:
		if (null)
			return 0;
		/* fallthrough */
	case A_BTF:
		return check_btf_arg(env, regno, h->barg ? h->barg : "?");
	case A_CONST_STR:
		return check_const_str(env, regno);
	case A_MAP_VALUE_OR_NULL:
		if (null)
			return 0;
		if (*map < 0)
			return verr(env, BK_E_V_HELPER_ARG, "invalid map_ptr to access map->value");
		if (!kv_or_mem(r) || r->type == VT_MEM)
			return type_err(env, regno, "fp, pkt, pkt_meta, map_key, map_value");
		return check_helper_mem_access(env, regno, (int)env->in->maps[*map].value_size,
					       V_READ, false, false);
	case A_TIMER:
		return check_timer(env, regno, map);
	case A_TIMER_MAP:
		if (r->type != VT_MAP_PTR)
			return type_err(env, regno, "map_ptr");
		if (r->aux != *map)
			return verr(
				env, BK_E_V_HELPER_ARG,
				"timer pointer in R1 map_uid=%d doesn't match map pointer in R2 "
				"map_uid=%d",
				*map, r->aux);
		return 0;
	case A_SPIN_LOCK:
	case A_SPIN_UNLOCK:
		return check_spin_lock(env, a == A_SPIN_LOCK);
	case A_ASYNC_FUNC:
		return push_async_callback(env, regno, *map);
	case A_DYNPTR:
	case A_DYNPTR_LOCAL_NEW:
	case A_DYNPTR_RB_NEW:
	case A_DYNPTR_RB_RELEASE:
		return check_dynptr_arg(env, h, regno, a, ext);
	case A_RO20:
	case A_RO40:
		if (!kv_or_mem(r))
			return type_err(
				env, regno,
				"fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf");
		return check_helper_mem_access(env, regno, a == A_RO20 ? 20 : 40, V_READ, false,
					       false);
	default:
		return verr(env, BK_E_V_UNSUPPORTED, "argument kind %d of %s is not modelled", a,
			    h->name);
	}
}

static int acquire(struct venv *env, uint32_t id)
{
	struct vstate *st = env->cur;
	struct vref *n = realloc(st->refs, sizeof(*n) * (size_t)(st->nrefs + 1));

	if (!n)
		return -ENOMEM;
	st->refs = n;
	st->refs[st->nrefs++] = (struct vref){id, env->insn_idx};
	return 0;
}

static int ret_ptr(struct venv *env, const struct vhelper *h, uint8_t type, uint8_t flags,
		   int32_t aux, const struct vcall_ext *ext)
{
	struct vreg *r0 = &cur_regs(env)[0];

	reg_mark_unknown(r0);
	reg_mark_known(r0, 0);
	r0->type = type;
	r0->flags = flags;
	r0->aux = aux;
	if (flags & VF_NULL) {
		r0->id = new_id(env);
		note_origin(env, r0->id, h->id);
	}
	if (h->flags & HF_ACQUIRE) {
		r0->ref_obj_id = r0->id;
		return acquire(env, r0->id);
	}
	if (h->flags & HF_CAST)
		r0->ref_obj_id = ext->ref_obj_id;
	return 0;
}

int set_return_ext(struct venv *env, const struct vhelper *h, int map, uint64_t msize_max,
		   const struct vcall_ext *ext)
{
	struct vreg *r0 = &cur_regs(env)[0];
	int32_t id;
	int err;

	switch (h->ret) {
	case R_SOCKET_OR_NULL:
		return ret_ptr(env, h, VT_SOCKET, VF_NULL, 0, ext);
	case R_TCP_SOCK_OR_NULL:
		return ret_ptr(env, h, VT_TCP_SOCK, VF_NULL, 0, ext);
	case R_SOCK_COMMON_OR_NULL:
		return ret_ptr(env, h, VT_SOCK_COMMON, VF_NULL, 0, ext);
	case R_XDP_SOCK_OR_NULL:
		return ret_ptr(env, h, VT_XDP_SOCK, VF_NULL, 0, ext);
	case R_BTF_OR_NULL:
	case R_BTF:
		/* the struct by name until something needs its BTF id (btf_ctx.c):
		 * programs that only pass the pointer on never read the BTF */
		id = env->vmlinux ? vmlinux_struct_id(env, h->bret ? h->bret : "?")
				  : -(int32_t)h->id;
		if (env->vmlinux && id < 0)
			return verr(env, BK_E_V_UNSUPPORTED,
				    "struct %s (what %s returns) is not in the kernel's BTF",
				    h->bret, h->name);
		return ret_ptr(env, h, VT_BTF_ID, h->ret == R_BTF_OR_NULL ? VF_NULL : 0, id, ext);
	case R_MAP_VALUE:
		if (map < 0)
			return verr(env, BK_E_V_HELPER_ARG,
				    "kernel subsystem misconfigured verifier");
		return ret_ptr(env, h, VT_MAP_VALUE, 0, map, ext);
	case R_DYNPTR_MEM_OR_NULL:
		if ((err = ret_ptr(env, h, VT_MEM, VF_NULL, (int32_t)ext->mem_size, ext)))
			return err;
		r0->ref_obj_id = ext->dyn_ref;
		return 0;
	case R_INT_BOUNDED:
		reg_mark_unknown(r0);
		if (msize_max <= INT32_MAX) {
			r0->smin = -MAX_ERRNO;
			r0->s32min = -MAX_ERRNO;
			r0->smax = (int64_t)msize_max;
			r0->s32max = (int32_t)msize_max;
			reg_bounds_sync(r0);
		}
		return 0;
	default:
		return verr(env, BK_E_V_UNSUPPORTED, "return kind of %s is not modelled", h->name);
	}
}
