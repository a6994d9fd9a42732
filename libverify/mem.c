// SPDX-License-Identifier: MIT
/*
 * mem.c - loads, stores and atomics: which pointer types may be
 * dereferenced, with which offsets and sizes, and what a load yields.
 *
 * Each access is checked against the pointer's region: map value
 * (value_size), packet (the range proven by comparisons with data_end),
 * context (the program type's field table), stack (stack.c), memory from
 * helpers (mem_size).  Offsets combine the instruction's offset, the
 * pointer's fixed offset and the bounds of its variable part.
 */
#include <stdio.h>

#include "types_int.h"
#include "verify_int.h"

#define BPF_F_RDONLY_PROG (1U << 7)
#define BPF_F_WRONLY_PROG (1U << 8)

static const struct bk_map_def *reg_map(struct venv *env, const struct vreg *r)
{
	if (r->aux < 0 || (size_t)r->aux >= env->in->nmaps)
		return NULL;
	return &env->in->maps[r->aux];
}

/* libbpf creates .rodata* maps with BPF_F_RDONLY_PROG and freezes them. */
static bool map_rdonly_prog(const struct bk_map_def *m)
{
	/* devmaps are read-only to programs whatever their flags */
	return (m->flags & BPF_F_RDONLY_PROG) || m->type == 14 || m->type == 25 ||
	       (m->origin == BK_MAP_DATA && m->name && !strncmp(m->name, ".rodata", 7));
}

static int mem_err(struct venv *env, int regno, int64_t off, int size, uint32_t mem_size)
{
	const struct vreg *r = &cur_regs(env)[regno];

	switch (r->type) {
	case VT_MAP_KEY:
		return verr(env, BK_E_V_MAP_BOUNDS,
			    "invalid access to map key, key_size=%u off=%lld size=%d", mem_size,
			    (long long)off, size);
	case VT_MAP_VALUE:
		return verr(env, BK_E_V_MAP_BOUNDS,
			    "invalid access to map value, value_size=%u off=%lld size=%d", mem_size,
			    (long long)off, size);
	case VT_PKT:
	case VT_PKT_META:
	case VT_PKT_END:
		return verr(env, BK_E_V_PKT_BOUNDS,
			    "invalid access to packet, off=%lld size=%d, R%d(id=%u,off=%d,r=%d)",
			    (long long)off, size, regno, r->id, r->off, r->aux);
	default:
		return verr(env, BK_E_V_MEM_BOUNDS,
			    "invalid access to memory, mem_size=%u off=%lld size=%d", mem_size,
			    (long long)off, size);
	}
}

static bool mem_ok(int64_t off, int size, uint64_t mem_size, bool zero_ok)
{
	bool size_ok = size > 0 || (size == 0 && zero_ok);

	return off >= 0 && size_ok && (uint64_t)off + (uint64_t)size <= mem_size;
}

/* [reg + off, + size) inside [0, mem_size) for every value of reg. */
static int check_mem_region(struct venv *env, int regno, int off, int size, uint32_t mem_size,
			    bool zero_ok)
{
	const struct vreg *r = &cur_regs(env)[regno];
	int64_t lo = r->smin + off;

	if (r->smin < 0 &&
	    (r->smin == INT64_MIN || lo != (int64_t)(int32_t)lo || r->smin + off < 0))
		return verr(env, BK_E_V_UNBOUNDED,
			    "R%d min value is negative, either use unsigned index or do a if "
			    "(index >=0) check.",
			    regno);
	if (!mem_ok(lo, size, mem_size, zero_ok)) {
		mem_err(env, regno, lo, size, mem_size);
		return verr(env, BK_E_V_MEM_BOUNDS,
			    "R%d min value is outside of the allowed memory range", regno);
	}
	if (r->umax >= V_MAX_VAR_OFF)
		return verr(
			env, BK_E_V_UNBOUNDED,
			"R%d unbounded memory access, make sure to bounds check any such access",
			regno);
	if (!mem_ok((int64_t)r->umax + off, size, mem_size, zero_ok)) {
		mem_err(env, regno, (int64_t)r->umax + off, size, mem_size);
		return verr(env, BK_E_V_MEM_BOUNDS,
			    "R%d max value is outside of the allowed memory range", regno);
	}
	return 0;
}

static int check_packet_access(struct venv *env, int regno, int off, int size, bool zero_ok)
{
	const struct vreg *r = &cur_regs(env)[regno];

	if (r->smin < 0)
		return verr(env, BK_E_V_UNBOUNDED,
			    "R%d min value is negative, either use unsigned index or do a if "
			    "(index >=0) check.",
			    regno);
	if (r->aux < 0 || !mem_ok(off, size, (uint64_t)r->aux, zero_ok)) {
		if (r->aux >= 0)
			mem_err(env, regno, off, size, (uint32_t)r->aux);
		return verr(env, BK_E_V_PKT_BOUNDS, "R%d offset is outside of the packet", regno);
	}
	return 0;
}

static int check_map_access(struct venv *env, int regno, int off, int size, int t, bool zero_ok)
{
	const struct vreg *r = &cur_regs(env)[regno];
	const struct bk_map_def *m = reg_map(env, r);

	if (!m)
		return verr(env, BK_E_V_INVALID_MEM, "R%d invalid map reference", regno);
	if (t == V_WRITE && map_rdonly_prog(m))
		return verr(env, BK_E_V_READONLY,
			    "write into map forbidden, value_size=%u off=%d size=%d", m->value_size,
			    off, size);
	if (t == V_READ && (m->flags & BPF_F_WRONLY_PROG))
		return verr(env, BK_E_V_READONLY,
			    "read from map forbidden, value_size=%u off=%d size=%d", m->value_size,
			    off, size);
	int err = check_mem_region(env, regno, off, size, m->value_size, zero_ok);

	/* locks, timers and other kernel-managed fields are the helpers' */
	return err ? err : map_fields_access(env, regno, off, size);
}

int check_ptr_off_reg(struct venv *env, const struct vreg *r, int regno, bool fixed_ok)
{
	char tb[48], vb[48];

	vtype_str(r, tb, sizeof(tb));
	if (r->off < 0)
		return verr(env, BK_E_V_CTX_MODIFIED,
			    "negative offset %s ptr R%d off=%d disallowed", tb, regno, r->off);
	if (!fixed_ok && r->off)
		return verr(env, BK_E_V_CTX_MODIFIED,
			    "dereference of modified %s ptr R%d off=%d disallowed", tb, regno,
			    r->off);
	if (!tnum_is_const(r->var_off) || r->var_off.value) {
		tnum_str(vb, sizeof(vb), r->var_off);
		return verr(env, BK_E_V_CTX_MODIFIED, "variable %s access var_off=%s disallowed",
			    tb, vb);
	}
	return 0;
}

static int check_alignment(struct venv *env, const struct vreg *r, int off, int size, bool strict)
{
	struct tnum ro;
	char vb[48];

	if (r->type == VT_STACK)
		strict = true;
	if (!strict || size == 1)
		return 0;
	if (reg_is_pkt(r)) {
		ro = tnum_add(r->var_off, tnum_const((uint64_t)(int64_t)(2 + r->off + off)));
		if (!tnum_is_aligned(ro, (uint64_t)size)) {
			tnum_str(vb, sizeof(vb), r->var_off);
			return verr(env, BK_E_V_MISALIGNED,
				    "misaligned packet access off %d+%s+%d+%d size %d", 2, vb,
				    r->off, off, size);
		}
		return 0;
	}
	ro = tnum_add(r->var_off, tnum_const((uint64_t)(int64_t)(r->off + off)));
	if (!tnum_is_aligned(ro, (uint64_t)size)) {
		static const char *const desc[VT__COUNT] = {
			[VT_MAP_KEY] = "key ", [VT_MAP_VALUE] = "value ", [VT_CTX] = "context ",
			[VT_STACK] = "stack ", [VT_SOCKET] = "sock ",
		};
		tnum_str(vb, sizeof(vb), r->var_off);
		return verr(env, BK_E_V_MISALIGNED, "misaligned %saccess off %s+%d+%d size %d",
			    desc[r->type] ? desc[r->type] : "", vb, r->off, off, size);
	}
	return 0;
}

/* Loads from the context: a scalar or a packet pointer. */
static int ctx_load(struct venv *env, int regno, int off, int size, int t, int value_regno)
{
	struct vreg *regs = cur_regs(env);
	uint8_t type = VT_SCALAR, flags = 0;
	int32_t aux = 0;
	int err;

	if ((err = check_ptr_off_reg(env, &regs[regno], regno, false)))
		return err;
	if ((err = ctx_access_aux(env, off, size, t, &type, &flags, &aux)))
		return err;
	if (t == V_READ && value_regno >= 0) {
		struct vreg *v = &regs[value_regno];

		if (type == VT_SCALAR) {
			reg_mark_unknown(v);
		} else {
			reg_mark_unknown(v);
			reg_mark_known(v, 0);
			v->type = type;
			v->flags = flags;
			v->aux = aux;
			if (flags & VF_NULL)
				v->id = new_id(env);
		}
	}
	return 0;
}

int check_mem_access(struct venv *env, int regno, int off, int size, int t, int value_regno,
		     bool strict_once, bool sx)
{
	struct vreg *regs = cur_regs(env), *r = &regs[regno];
	char tb[48];
	int err;

	if ((err = check_alignment(env, r, off, size, strict_once)))
		return err;
	off += r->off;
	switch (r->type) {
	case VT_MAP_VALUE:
		if (r->flags & VF_NULL)
			goto bad_type;
		if ((err = check_map_access(env, regno, off, size, t, false)))
			return err;
		if (t == V_READ && value_regno >= 0) {
			const struct bk_map_def *m = reg_map(env, r);

			/* read-only maps with known contents give constants */
			if (m && tnum_is_const(r->var_off) && map_rdonly_prog(m) &&
			    m->origin == BK_MAP_DATA && m->data &&
			    (uint64_t)off + r->var_off.value + (uint64_t)size <= m->data_size) {
				uint64_t v = 0;

				memcpy(&v, (const uint8_t *)m->data + off + r->var_off.value,
				       (size_t)size);
				if (sx)
					v = size == 1	? (uint64_t)(int8_t)v
					    : size == 2 ? (uint64_t)(int16_t)v
					    : size == 4 ? (uint64_t)(int32_t)v
							: v;
				reg_mark_unknown(&regs[value_regno]);
				reg_mark_known(&regs[value_regno], v);
				return 0;
			}
			reg_mark_unknown(&regs[value_regno]);
		}
		break;
	case VT_MAP_KEY:
		if (t == V_WRITE)
			return verr(env, BK_E_V_READONLY, "R%d cannot write into %s", regno,
				    vtype_str(r, tb, sizeof(tb)));
		if ((err = check_mem_region(env, regno, off, size,
					    reg_map(env, r) ? reg_map(env, r)->key_size : 0,
					    false)))
			return err;
		if (value_regno >= 0)
			reg_mark_unknown(&regs[value_regno]);
		break;
	case VT_MEM:
		if (r->flags & VF_NULL)
			goto bad_type;
		if (t == V_WRITE && (r->flags & VF_RDONLY))
			return verr(env, BK_E_V_READONLY, "R%d cannot write into %s", regno,
				    vtype_str(r, tb, sizeof(tb)));
		if ((err = check_mem_region(env, regno, off, size, (uint32_t)r->aux, false)))
			return err;
		if (value_regno >= 0 && t == V_READ)
			reg_mark_unknown(&regs[value_regno]);
		break;
	case VT_CTX:
		if ((err = ctx_load(env, regno, off, size, t, value_regno)))
			return err;
		if (sx && t == V_READ)
			return verr(env, BK_E_V_CTX_ACCESS,
				    "invalid bpf_context access off=%d size=%d", off, size);
		break;
	case VT_STACK:
		if ((err = check_stack_access_bounds(env, regno, off, size, t)))
			return err;
		if (t == V_READ)
			err = stack_read(env, regno, off, size, value_regno);
		else
			err = stack_write(env, regno, off, size, value_regno,
					  &env->insns[env->insn_idx]);
		if (err)
			return err;
		break;
	case VT_PKT:
	case VT_PKT_META:
		if (t == V_WRITE && !prog_type_pkt_access(env->in->type, V_WRITE))
			return verr(env, BK_E_V_READONLY, "cannot write into packet");
		if ((err = check_packet_access(env, regno, off, size, false)))
			return err;
		if (t == V_READ && value_regno >= 0)
			reg_mark_unknown(&regs[value_regno]);
		break;
	case VT_SOCK_COMMON:
	case VT_SOCKET:
	case VT_TCP_SOCK:
	case VT_XDP_SOCK:
	case VT_FLOW_KEYS:
	case VT_TP_BUFFER:
	case VT_BTF_ID:
		if (r->flags & VF_NULL)
			goto bad_type;
		if ((err = obj_access(env, regno, off, size, t, value_regno, sx)))
			return err; /* ctx.c: sockets, flow keys, buffers, BTF pointers */
		break;
	default:
	bad_type:
		if (r->flags & VF_NULL) {
			const struct vorigin *o = find_origin(env, r->id);
			if (o)
				return verr(env, BK_E_V_NULL_DEREF,
					    "R%d invalid mem access '%s': %s at insn %d may return "
					    "NULL; check it first",
					    regno, vtype_str(r, tb, sizeof(tb)),
					    vhelper_name(o->helper), o->insn);
			return verr(env, BK_E_V_NULL_DEREF, "R%d invalid mem access '%s'", regno,
				    vtype_str(r, tb, sizeof(tb)));
		}
		return verr(env, BK_E_V_INVALID_MEM, "R%d invalid mem access '%s'", regno,
			    vtype_str(r, tb, sizeof(tb)));
	}
	if (size < 8 && value_regno >= 0 && t == V_READ && regs[value_regno].type == VT_SCALAR) {
		if (!sx)
			reg_coerce_to_size(&regs[value_regno], size);
		else
			reg_coerce_to_size_sx(&regs[value_regno], size);
	}
	return 0;
}

/* The kernel refuses one instruction that sees the context on one path
 * and another pointer on another (its rewrite of ctx accesses differs). */
static int save_ptr_type(struct venv *env, const struct vreg *r)
{
	struct vaux *a = &env->aux[env->insn_idx];
	uint8_t t = (uint8_t)(r->type | (r->flags << 5));
	bool strict_now = r->type == VT_CTX || r->type == VT_SOCKET || r->type == VT_SOCK_COMMON ||
			  r->type == VT_TCP_SOCK || r->type == VT_BTF_ID;

	if (!a->ptr_type) {
		a->ptr_type = (uint8_t)(t + 1);
		return 0;
	}
	uint8_t prev = (uint8_t)(a->ptr_type - 1);
	int pt = prev & 31;
	bool strict_prev = pt == VT_CTX || pt == VT_SOCKET || pt == VT_SOCK_COMMON ||
			   pt == VT_TCP_SOCK || pt == VT_BTF_ID;

	if (prev != t && (strict_now || strict_prev))
		return verr(env, BK_E_V_PTR_MIX,
			    "same insn cannot be used with different pointers");
	return 0;
}

int check_load_store(struct venv *env, const struct bk_dinsn *d)
{
	unsigned cls = bk_opc_class(bk_op_info(d->op)->opcode);
	unsigned size = bk_opc_size(bk_op_info(d->op)->opcode);
	struct vreg *regs = cur_regs(env);
	int err;

	if (cls == BK_CLASS_LDX) {
		bool sx = bk_opc_is_signed_load(bk_op_info(d->op)->opcode);
		struct vreg ptr = regs[d->src];

		if (regs[d->src].type == VT_NOT_INIT)
			return verr(env, BK_E_V_UNINIT_REG, "R%d !read_ok", d->src);
		if (d->dst == 10)
			return verr(env, BK_E_V_FP_WRITE, "frame pointer is read only");
		if ((err = check_mem_access(env, d->src, d->off, (int)size, V_READ, d->dst, false,
					    sx)))
			return err;
		return save_ptr_type(env, &ptr);
	}
	if (cls == BK_CLASS_STX) {
		if (regs[d->src].type == VT_NOT_INIT)
			return verr(env, BK_E_V_UNINIT_REG, "R%d !read_ok", d->src);
		if (regs[d->dst].type == VT_NOT_INIT)
			return verr(env, BK_E_V_UNINIT_REG, "R%d !read_ok", d->dst);
		struct vreg ptr = regs[d->dst];

		if ((err = check_mem_access(env, d->dst, d->off, (int)size, V_WRITE, d->src, false,
					    false)))
			return err;
		return save_ptr_type(env, &ptr);
	}
	/* ST */
	if (regs[d->dst].type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R%d !read_ok", d->dst);
	struct vreg ptr = regs[d->dst];

	if ((err = check_mem_access(env, d->dst, d->off, (int)size, V_WRITE, -1, false, false)))
		return err;
	return save_ptr_type(env, &ptr);
}

int check_atomic(struct venv *env, const struct bk_dinsn *d)
{
	const struct bk_op_info *oi = bk_op_info(d->op);
	int size = (int)bk_opc_size(oi->opcode), load_reg = -1, err;
	struct vreg *regs = cur_regs(env);
	char tb[48];

	if (regs[d->src].type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R%d !read_ok", d->src);
	if (regs[d->dst].type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R%d !read_ok", d->dst);
	if (oi->fmt == BK_FMT_CMPXCHG && regs[0].type == VT_NOT_INIT)
		return verr(env, BK_E_V_UNINIT_REG, "R0 !read_ok");
	const struct vreg *dr = &regs[d->dst];

	if (dr->type == VT_CTX || reg_is_pkt_any(dr) || dr->type == VT_SOCKET ||
	    dr->type == VT_SOCK_COMMON || dr->type == VT_TCP_SOCK || dr->type == VT_XDP_SOCK ||
	    dr->type == VT_FLOW_KEYS)
		return verr(env, BK_E_V_ATOMIC, "BPF_ATOMIC stores into R%d %s is not allowed",
			    d->dst, vtype_str(dr, tb, sizeof(tb)));
	if (oi->fmt != BK_FMT_ATOMIC) {
		load_reg = oi->fmt == BK_FMT_CMPXCHG ? 0 : d->src;
		if (load_reg == 10)
			return verr(env, BK_E_V_FP_WRITE, "frame pointer is read only");
	}
	struct vreg ptr = regs[d->dst];

	if (load_reg >= 0)
		reg_mark_unknown(&regs[load_reg]);
	if ((err = check_mem_access(env, d->dst, d->off, size, V_READ, -1, true, false)))
		return err;
	if (load_reg >= 0 &&
	    (err = check_mem_access(env, d->dst, d->off, size, V_READ, load_reg, true, false)))
		return err;
	if ((err = check_mem_access(env, d->dst, d->off, size, V_WRITE, -1, true, false)))
		return err;
	return save_ptr_type(env, &ptr);
}

/* Memory a helper reads or writes through a pointer argument. */
int check_helper_mem_access(struct venv *env, int regno, int size, int t, bool zero_ok, bool raw)
{
	struct vreg *r = &cur_regs(env)[regno];
	char tb[48];

	switch (r->type) {
	case VT_PKT:
	case VT_PKT_META:
		return check_packet_access(env, regno, r->off, size, zero_ok);
	case VT_MAP_KEY:
		if (t == V_WRITE)
			return verr(env, BK_E_V_READONLY, "R%d cannot write into %s", regno,
				    vtype_str(r, tb, sizeof(tb)));
		return check_mem_region(env, regno, r->off, size,
					reg_map(env, r) ? reg_map(env, r)->key_size : 0, false);
	case VT_MAP_VALUE:
		return check_map_access(env, regno, r->off, size, t, zero_ok);
	case VT_MEM:
		if ((r->flags & VF_RDONLY) && t == V_WRITE)
			return verr(env, BK_E_V_READONLY, "R%d cannot write into %s", regno,
				    vtype_str(r, tb, sizeof(tb)));
		return check_mem_region(env, regno, r->off, size, (uint32_t)r->aux, zero_ok);
	case VT_STACK:
		return stack_range_init(env, regno, r->off, size, zero_ok, t, raw);
	case VT_TP_BUFFER: /* an iterator's key or value: any offset from 0 */
		if ((r->flags & VF_BUF) && !(r->flags & VF_NULL))
			return tp_buffer_access(env, regno, r->off, size, t, -1);
		goto bad;
	case VT_BTF_ID: /* a trusted kernel object: a struct walk (btf_ctx.c) */
		if (!(r->flags & (VF_NULL | VF_UNTRUSTED)))
			return obj_access(env, regno, r->off, size, t, -1, false);
		/* fallthrough */
	default:
	bad:
		if (zero_ok && size == 0 && reg_is_null(r))
			return 0;
		return verr(env, BK_E_V_HELPER_ARG, "R%d type=%s expected=fp", regno,
			    vtype_str(r, tb, sizeof(tb)));
	}
}

/* A size argument (the register after the memory pointer). */
int check_mem_size_reg(struct venv *env, int regno, int t, bool zero_ok)
{
	struct vreg *r = &cur_regs(env)[regno];

	if (r->smin < 0)
		return verr(env, BK_E_V_UNBOUNDED,
			    "R%d min value is negative, either use unsigned or 'var &= const'",
			    regno);
	if (r->umin == 0 && !zero_ok)
		return verr(env, BK_E_V_ZERO_SIZE, "R%d invalid zero-sized read: u64=[%llu,%llu]",
			    regno, (unsigned long long)r->umin, (unsigned long long)r->umax);
	if (r->umax >= V_MAX_VAR_SIZ)
		return verr(env, BK_E_V_UNBOUNDED,
			    "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'",
			    regno);
	return check_helper_mem_access(env, regno - 1, (int)r->umax, t, zero_ok,
				       tnum_is_const(r->var_off));
}
