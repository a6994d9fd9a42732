// SPDX-License-Identifier: MIT
/*
 * btf_core.c - CO-RE: resolving a program's .BTF.ext relocations against
 * the BTF of the kernel it is for, as libbpf does before loading, so the
 * verifier sees the instructions the kernel will see.
 *
 * A relocation names a local root type (object BTF), an access string
 * "i:m:n..." (i indexes the root as an array; then member indices into
 * structs/unions and element indices into arrays) and a kind.  The local
 * access gives the names to look for; candidates are the target's types of
 * the same kind whose name equals the local one up to a "___flavor"
 * suffix; each candidate that resolves every named member (through
 * anonymous members too) gives a value, and all must agree.  Nothing found:
 * the *_EXISTS/MATCHES kinds give 0, every other kind "poisons" its
 * instruction into a call of the invalid helper 0xbad2310.
 *
 * Invariants: the instruction count never changes; a value goes into the
 * immediate of an ALU-immediate or ld_imm64, or the offset of a memory
 * access (whose size follows the target field's when both are pointers or
 * unsigned integers, as libbpf's).  Target candidates are indexed once per
 * call by a hash of their essential names.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

/* Relocation kinds (enum bpf_core_relo_kind of the kernel's uAPI). */
enum {
	K_FIELD_BYTE_OFFSET,
	K_FIELD_BYTE_SIZE,
	K_FIELD_EXISTS,
	K_FIELD_SIGNED,
	K_FIELD_LSHIFT_U64,
	K_FIELD_RSHIFT_U64,
	K_TYPE_ID_LOCAL,
	K_TYPE_ID_TARGET,
	K_TYPE_EXISTS,
	K_TYPE_SIZE,
	K_ENUMVAL_EXISTS,
	K_ENUMVAL_VALUE,
	K_TYPE_MATCHES,
};

#define POISON_HELPER 0xbad2310
#define MAX_ACCESS 64
#define MAX_DEPTH 32

/* A field access resolved in one BTF. */
struct spec {
	int raw[MAX_ACCESS];
	int nraw;
	uint64_t bit_off;
	uint32_t bit_sz;   /* bitfield width, 0 when not a bitfield */
	uint32_t field_id; /* the accessed field's type */
	/* member names along the access (NULL: an array index), skipping
	 * anonymous members; for the target match */
	const char *names[MAX_ACCESS];
	int idx[MAX_ACCESS];
	uint32_t types[MAX_ACCESS]; /* the member's or element's type */
	int nnames;
};

struct cindex {
	const struct btf *btf;
	uint32_t *slots; /* type ids, 0: empty */
	uint32_t mask;
};

static size_t ess_len(const char *s)
{
	const char *f = strstr(s, "___");

	return f ? (size_t)(f - s) : strlen(s);
}

static bool ess_eq(const char *a, const char *b)
{
	size_t la = ess_len(a);

	return la == ess_len(b) && !strncmp(a, b, la);
}

static uint32_t hash_ess(const char *s)
{
	size_t n = ess_len(s);
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static const char *tname(const struct btf *b, const struct btf_type *t)
{
	const char *n = btf__name_by_offset(b, t->name_off);

	return n ? n : "";
}

static int cindex_build(struct cindex *ci, const struct btf *target)
{
	uint32_t n = btf__type_cnt(target), cap = 1;

	while (cap < 2 * n)
		cap <<= 1;
	ci->btf = target;
	ci->slots = calloc(cap, sizeof(*ci->slots));
	if (!ci->slots)
		return -ENOMEM;
	ci->mask = cap - 1;
	for (uint32_t id = 1; id < n; id++) {
		const char *name = tname(target, btf__type_by_id(target, id));

		if (!*name)
			continue;
		for (uint32_t h = hash_ess(name) & ci->mask;; h = (h + 1) & ci->mask)
			if (!ci->slots[h]) {
				ci->slots[h] = id;
				break;
			}
	}
	return 0;
}

static const struct btf_type *skip(const struct btf *b, uint32_t id, uint32_t *out)
{
	return bk_btf_skip_mods(b, id, out);
}

/* Same kind for CO-RE purposes (fwd matches struct/union, enum enum64). */
static bool kinds_match(const struct btf_type *l, const struct btf_type *t)
{
	int lk = btf_kind(l), tk = btf_kind(t);

	if (lk == tk)
		return true;
	if (btf_is_any_enum(l) && btf_is_any_enum(t))
		return true;
	if (lk == BTF_KIND_FWD && btf_is_composite(t))
		return btf_kflag(l) == (tk == BTF_KIND_UNION);
	if (tk == BTF_KIND_FWD && btf_is_composite(l))
		return btf_kflag(t) == (lk == BTF_KIND_UNION);
	return false;
}

/* libbpf's field compatibility: composites and pointers by kind, ints with
 * no bit offset, arrays by element. */
static bool fields_compat(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid)
{
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		const struct btf_type *l = skip(lb, lid, &lid), *t = skip(tb, tid, &tid);

		if (!l || !t)
			return false;
		if (btf_is_composite(l) && btf_is_composite(t))
			return true;
		if (!kinds_match(l, t))
			return false;
		switch (btf_kind(l)) {
		case BTF_KIND_FWD:
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			return true;
		case BTF_KIND_INT:
			return btf_int_offset(l) == 0 && btf_int_offset(t) == 0;
		case BTF_KIND_ARRAY:
			lid = btf_array(l)->type;
			tid = btf_array(t)->type;
			continue;
		default:
			return false;
		}
	}
	return false;
}

/* libbpf's type compatibility (TYPE_* relocations): same kinds all the
 * way down pointers, arrays and function prototypes. */
static bool types_compat(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid,
			 int depth)
{
	const struct btf_type *l = skip(lb, lid, &lid), *t = skip(tb, tid, &tid);

	if (depth > MAX_DEPTH || !l || !t)
		return false;
	if (!kinds_match(l, t))
		return false;
	switch (btf_kind(l)) {
	case BTF_KIND_PTR:
		return types_compat(lb, l->type, tb, t->type, depth + 1);
	case BTF_KIND_ARRAY:
		return types_compat(lb, btf_array(l)->type, tb, btf_array(t)->type, depth + 1);
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *lp = btf_params(l), *tp = btf_params(t);

		if (btf_vlen(l) != btf_vlen(t))
			return false;
		for (int i = 0; i < btf_vlen(l); i++)
			if (!types_compat(lb, lp[i].type, tb, tp[i].type, depth + 1))
				return false;
		return types_compat(lb, l->type, tb, t->type, depth + 1);
	}
	default:
		return true;
	}
}

static int parse_access(const char *s, struct spec *sp)
{
	sp->nraw = 0;
	while (*s) {
		char *end;
		long v = strtol(s, &end, 10);

		if (end == s || v < 0 || v > 0xffffff || sp->nraw >= MAX_ACCESS)
			return -1;
		sp->raw[sp->nraw++] = (int)v;
		s = end;
		if (*s == ':')
			s++;
		else if (*s)
			return -1;
	}
	return sp->nraw ? 0 : -1;
}

/* The local side: walks raw indices from the root, recording offsets and
 * the names the target must have. */
static int local_spec(const struct btf *b, uint32_t root, struct spec *sp)
{
	uint32_t id;
	const struct btf_type *t = skip(b, root, &id);
	int64_t sz = t ? btf__resolve_size(b, id) : -1;

	if (sz < 0)
		return -1;
	sp->bit_off = (uint64_t)sp->raw[0] * (uint64_t)sz * 8;
	sp->bit_sz = 0;
	sp->nnames = 0;
	for (int i = 1; i < sp->nraw; i++) {
		t = skip(b, id, &id);
		if (!t)
			return -1;
		sp->bit_sz = 0;
		if (btf_is_composite(t)) {
			const struct btf_member *m;
			const char *name;

			if (sp->raw[i] >= btf_vlen(t))
				return -1;
			m = btf_members(t) + sp->raw[i];
			sp->bit_off += btf_member_bit_offset(t, (uint32_t)sp->raw[i]);
			sp->bit_sz = btf_member_bitfield_size(t, (uint32_t)sp->raw[i]);
			name = btf__name_by_offset(b, m->name_off);
			if (name && *name) {
				sp->names[sp->nnames] = name;
				sp->types[sp->nnames] = m->type;
				sp->idx[sp->nnames++] = sp->raw[i];
			}
			id = m->type;
		} else if (btf_is_array(t)) {
			const struct btf_array *a = btf_array(t);
			int64_t es = btf__resolve_size(b, a->type);

			/* libbpf refuses an index past a sized array's end */
			if (es < 0 || (a->nelems && (uint32_t)sp->raw[i] >= a->nelems))
				return -1;
			sp->bit_off += (uint64_t)sp->raw[i] * (uint64_t)es * 8;
			sp->names[sp->nnames] = NULL;
			sp->types[sp->nnames] = a->type;
			sp->idx[sp->nnames++] = sp->raw[i];
			id = a->type;
		} else {
			return -1;
		}
	}
	sp->field_id = id;
	return 0;
}

/* Finds member name in composite id of b, through anonymous members;
 * *bit_off accumulates its offset.  0 found, -1 not. */
static int find_member(const struct btf *b, uint32_t id, const char *name, uint64_t *bit_off,
		       uint32_t *mtype, uint32_t *bit_sz, int depth)
{
	const struct btf_type *t = skip(b, id, &id);

	if (!t || !btf_is_composite(t) || depth > MAX_DEPTH)
		return -1;
	for (int i = 0; i < btf_vlen(t); i++) {
		const struct btf_member *m = btf_members(t) + i;
		const char *mn = btf__name_by_offset(b, m->name_off);
		uint64_t off = *bit_off + btf_member_bit_offset(t, (uint32_t)i);

		if (mn && *mn) {
			if (!ess_eq(mn, name))
				continue;
			*bit_off = off;
			*mtype = m->type;
			*bit_sz = btf_member_bitfield_size(t, (uint32_t)i);
			return 0;
		}
		if (!find_member(b, m->type, name, &off, mtype, bit_sz, depth + 1)) {
			*bit_off = off;
			return 0;
		}
	}
	return -1;
}

/* The target side of a field access from candidate cand; 0 matched. */
static int target_spec(const struct btf *lb, const struct spec *ls, const struct btf *tb,
		       uint32_t cand, struct spec *ts)
{
	uint32_t id;
	const struct btf_type *t = skip(tb, cand, &id);
	int64_t sz = t ? btf__resolve_size(tb, id) : -1;

	if (sz < 0)
		return -1;
	ts->bit_off = (uint64_t)ls->raw[0] * (uint64_t)sz * 8;
	ts->bit_sz = 0;
	for (int i = 0; i < ls->nnames; i++) {
		t = skip(tb, id, &id);
		if (!t)
			return -1;
		ts->bit_sz = 0;
		if (ls->names[i]) {
			uint32_t mtype, bsz;
			uint64_t off = ts->bit_off;

			if (find_member(tb, id, ls->names[i], &off, &mtype, &bsz, 0) ||
			    !fields_compat(lb, ls->types[i], tb, mtype))
				return -1;
			ts->bit_off = off;
			ts->bit_sz = bsz;
			id = mtype;
		} else {
			const struct btf_array *a;
			int64_t es;

			if (!btf_is_array(t))
				return -1;
			a = btf_array(t);
			if (a->nelems && (uint32_t)ls->idx[i] >= a->nelems)
				return -1;
			es = btf__resolve_size(tb, a->type);
			if (es < 0)
				return -1;
			ts->bit_off += (uint64_t)ls->idx[i] * (uint64_t)es * 8;
			id = a->type;
		}
	}
	ts->field_id = id;
	return 0;
}

/* A relocation's value in one BTF, with the field's size and type for
 * memory-size adjustment. */
struct res {
	uint64_t val;
	int64_t fsz;	/* non-bitfield field size, -1: none */
	uint32_t ftype; /* its type */
};

static int field_value(const struct btf *b, const struct spec *sp, uint32_t kind, struct res *r)
{
	uint32_t id, bit_sz = sp->bit_sz;
	const struct btf_type *mt = skip(b, sp->field_id, &id);
	int64_t byte_sz;
	uint64_t byte_off;

	if (!mt)
		return -1;
	r->fsz = -1;
	if (!bit_sz) {
		byte_sz = btf__resolve_size(b, id);
		if (byte_sz < 0)
			return -1;
		byte_off = sp->bit_off / 8;
		bit_sz = (uint32_t)byte_sz * 8;
		r->fsz = byte_sz;
		r->ftype = sp->field_id;
	} else {
		byte_sz = mt->size;
		if (byte_sz <= 0 || byte_sz > 8)
			return -1;
		byte_off = sp->bit_off / 8 / (uint64_t)byte_sz * (uint64_t)byte_sz;
		while (sp->bit_off + bit_sz - byte_off * 8 > (uint64_t)byte_sz * 8) {
			if (byte_sz >= 8)
				return -1;
			byte_sz *= 2;
			byte_off = sp->bit_off / 8 / (uint64_t)byte_sz * (uint64_t)byte_sz;
		}
	}
	switch (kind) {
	case K_FIELD_BYTE_OFFSET:
		r->val = byte_off;
		break;
	case K_FIELD_BYTE_SIZE:
		r->val = (uint64_t)byte_sz;
		break;
	case K_FIELD_EXISTS:
		r->val = 1;
		break;
	case K_FIELD_SIGNED:
		r->val = (btf_is_any_enum(mt) && btf_kflag(mt)) ||
			 (btf_is_int(mt) && (btf_int_encoding(mt) & BTF_INT_SIGNED));
		break;
	case K_FIELD_LSHIFT_U64:
		r->val = 64 - (sp->bit_off + bit_sz - byte_off * 8);
		break;
	default: /* K_FIELD_RSHIFT_U64 */
		r->val = 64 - bit_sz;
		break;
	}
	return 0;
}

struct ctx {
	const struct btf *lb, *tb;
	struct cindex ci;
	struct bk_diag *diag;
	const char *prog;
};

/* Calls fn for each target type whose essential name is name's. */
#define FOR_CANDS(c, name, id)                                                                     \
	for (uint32_t _h = hash_ess(name) & (c)->ci.mask, id; ((id) = (c)->ci.slots[_h]) != 0;     \
	     _h = (_h + 1) & (c)->ci.mask)                                                         \
		if (ess_eq(tname((c)->tb, btf__type_by_id((c)->tb, id)), name))

/* Resolves one relocation: 0 with *found and r, or -1 (cannot apply). */
static int resolve(struct ctx *c, const struct bk_core_relo *rel, struct res *r, bool *found)
{
	const struct btf_type *lt = btf__type_by_id(c->lb, rel->type_id);
	const char *name = tname(c->lb, lt), *acc = btf__name_by_offset(c->lb, rel->access_off);
	struct spec ls, ts;
	bool have = false;

	*found = false;
	if (!*name || parse_access(acc, &ls))
		return -1;
	if (!c->ci.slots && cindex_build(&c->ci, c->tb))
		return -1;
	if (rel->kind <= K_FIELD_RSHIFT_U64 && local_spec(c->lb, rel->type_id, &ls))
		return -1;
	FOR_CANDS(c, name, id)
	{
		const struct btf_type *t = btf__type_by_id(c->tb, id);
		struct res one = {.fsz = -1};

		if (!kinds_match(lt, t))
			continue;
		if (rel->kind <= K_FIELD_RSHIFT_U64) {
			if (target_spec(c->lb, &ls, c->tb, id, &ts) ||
			    field_value(c->tb, &ts, rel->kind, &one))
				continue;
		} else if (rel->kind == K_ENUMVAL_EXISTS || rel->kind == K_ENUMVAL_VALUE) {
			const char *en;
			bool hit = false;

			if (!btf_is_any_enum(lt) || ls.raw[0] >= btf_vlen(lt))
				return -1;
			en = btf_is_enum(lt)
				     ? btf__name_by_offset(c->lb, btf_enum(lt)[ls.raw[0]].name_off)
				     : btf__name_by_offset(c->lb,
							   btf_enum64(lt)[ls.raw[0]].name_off);
			for (int i = 0; en && i < btf_vlen(t) && !hit; i++) {
				const char *tn =
					btf_is_enum(t)
						? btf__name_by_offset(c->tb,
								      btf_enum(t)[i].name_off)
						: btf__name_by_offset(c->tb,
								      btf_enum64(t)[i].name_off);

				if (!tn || !ess_eq(tn, en))
					continue;
				hit = true;
				one.val = rel->kind == K_ENUMVAL_EXISTS ? 1
					  : btf_is_enum(t) ? (uint64_t)(int64_t)btf_enum(t)[i].val
							   : btf_enum64_value(btf_enum64(t) + i);
			}
			if (!hit)
				continue;
		} else {
			if (!types_compat(c->lb, rel->type_id, c->tb, id, 0))
				continue;
			one.val = rel->kind == K_TYPE_ID_TARGET ? id
				  : rel->kind == K_TYPE_SIZE
					  ? (uint64_t)btf__resolve_size(c->tb, id)
					  : 1;
		}
		if (have && (one.val != r->val || one.fsz != r->fsz))
			return -1; /* ambiguous: libbpf refuses */
		*r = one;
		have = true;
	}
	*found = have;
	return 0;
}

static void poison(struct bk_insn *in)
{
	*in = (struct bk_insn){.code = BK_OPC_CALL, .imm = POISON_HELPER};
}

/* The load/store opcode of the same class and mode with access size sz. */
static int resize(uint8_t code, int64_t sz)
{
	static const uint8_t ldx[] = {BK_OPC_LDXB, BK_OPC_LDXH, BK_OPC_LDXW, BK_OPC_LDXDW};
	static const uint8_t ldxs[] = {BK_OPC_LDXSB, BK_OPC_LDXSH, BK_OPC_LDXSW, 0};
	static const uint8_t st[] = {BK_OPC_STB, BK_OPC_STH, BK_OPC_STW, BK_OPC_STDW};
	static const uint8_t stx[] = {BK_OPC_STXB, BK_OPC_STXH, BK_OPC_STXW, BK_OPC_STXDW};
	const uint8_t *tab = bk_opc_class(code) == BK_CLASS_ST	  ? st
			     : bk_opc_class(code) == BK_CLASS_STX ? stx
			     : bk_opc_is_signed_load(code)	  ? ldxs
								  : ldx;
	int i = sz == 1 ? 0 : sz == 2 ? 1 : sz == 4 ? 2 : sz == 8 ? 3 : -1;

	for (int k = 0; k < 4; k++) /* only plain memory loads and stores */
		if (tab[k] == code)
			return i < 0 || !tab[i] ? -1 : tab[i];
	return -1;
}

/* Whether a memory access may follow a field from size ls to size ts. */
static bool size_adjustable(const struct ctx *c, uint32_t lid, uint32_t tid)
{
	const struct btf_type *l = skip(c->lb, lid, NULL), *t = skip(c->tb, tid, NULL);

	if (!l || !t)
		return false;
	if (btf_is_ptr(l) && btf_is_ptr(t))
		return true;
	return btf_is_int(l) && btf_is_int(t) && !(btf_int_encoding(l) & BTF_INT_SIGNED) &&
	       !(btf_int_encoding(t) & BTF_INT_SIGNED);
}

static int fail(struct ctx *c, const struct bk_core_relo *rel, const char *why)
{
	return bk_diag__set(c->diag, BK_E_CORE, (long)rel->insn,
			    "program '%s': CO-RE relocation of '%s' (access %s, kind %u): %s",
			    c->prog, tname(c->lb, btf__type_by_id(c->lb, rel->type_id)),
			    btf__name_by_offset(c->lb, rel->access_off), rel->kind, why);
}

static int apply_one(struct ctx *c, const struct bk_core_relo *rel, struct bk_insn *insns, size_t n)
{
	struct bk_insn *in = &insns[rel->insn];
	unsigned cls = bk_opc_class(in->code);
	bool lddw = in->code == BK_OPC_LDDW && rel->insn + 1 < n;
	struct res r = {.fsz = -1};
	bool found;

	if (rel->kind == K_TYPE_ID_LOCAL)
		return 0; /* the compiler's immediate is the local id */
	if (rel->kind > K_TYPE_MATCHES)
		return fail(c, rel, "unknown kind");
	if (resolve(c, rel, &r, &found))
		return fail(c, rel, "cannot resolve it against the kernel's BTF");
	if (!found) {
		if (rel->kind != K_FIELD_EXISTS && rel->kind != K_TYPE_EXISTS &&
		    rel->kind != K_ENUMVAL_EXISTS && rel->kind != K_TYPE_MATCHES) {
			if (lddw)
				poison(in + 1);
			poison(in);
			return 0;
		}
		r.val = 0;
	}
	if (cls == BK_CLASS_ALU || cls == BK_CLASS_ALU64) {
		int op = bk_op_lookup(in);
		const struct bk_op_info *oi = op >= 0 ? bk_op_info((unsigned)op) : NULL;

		if (!oi || oi->fmt != BK_FMT_ALU_K)
			return fail(c, rel,
				    "instruction is not an ALU operation with an immediate");
		in->imm = (int32_t)(uint32_t)r.val;
	} else if (cls == BK_CLASS_LDX || cls == BK_CLASS_ST || cls == BK_CLASS_STX) {
		if (r.val > 32767)
			return fail(c, rel, "offset does not fit a memory access");
		in->off = (int16_t)r.val;
		if (rel->kind == K_FIELD_BYTE_OFFSET && r.fsz > 0) {
			struct spec ls;
			struct res lr = {.fsz = -1};

			if (parse_access(btf__name_by_offset(c->lb, rel->access_off), &ls) ||
			    local_spec(c->lb, rel->type_id, &ls) ||
			    field_value(c->lb, &ls, K_FIELD_BYTE_OFFSET, &lr))
				return fail(c, rel, "bad local access");
			if (lr.fsz > 0 && lr.fsz != r.fsz) {
				int code = resize(in->code, r.fsz);

				if (!size_adjustable(c, lr.ftype, r.ftype)) {
					poison(in);
					return 0;
				}
				if (code < 0 || bk_opc_size(in->code) != (unsigned)lr.fsz)
					return fail(c, rel, "unexpected memory access size");
				in->code = (uint8_t)code;
			}
		}
	} else if (lddw) {
		in->imm = (int32_t)(uint32_t)r.val;
		in[1].imm = (int32_t)(uint32_t)(r.val >> 32);
	} else {
		return fail(c, rel, "instruction cannot take a relocated value");
	}
	return 0;
}

size_t bk_prog__core_cnt(const struct bk_prog *prog)
{
	return prog ? prog->ncores : 0;
}

int bk_prog__core_apply(const struct bk_prog *prog, const struct btf *target, struct bk_insn **out,
			struct bk_diag *diag)
{
	struct ctx c = {.tb = target, .diag = diag};
	struct bk_insn *insns;
	int err = 0;

	*out = NULL;
	if (!prog || !prog->ncores)
		return 0;
	c.lb = prog->obj->btf;
	c.prog = bk_prog__name(prog);
	if (!c.lb || !target)
		return bk_diag__set(
			diag, BK_E_CORE, -1, "program '%s' has CO-RE relocations but %s", c.prog,
			c.lb ? "no kernel BTF to resolve them against" : "the object has no BTF");
	insns = malloc(prog->ninsns * sizeof(*insns));
	if (!insns)
		return -ENOMEM;
	memcpy(insns, prog->insns, prog->ninsns * sizeof(*insns));
	for (size_t i = 0; i < prog->ncores && !err; i++) {
		if (prog->cores[i].insn >= prog->ninsns)
			err = fail(&c, &prog->cores[i], "instruction out of range");
		else
			err = apply_one(&c, &prog->cores[i], insns, prog->ninsns);
	}
	free(c.ci.slots);
	if (err) {
		free(insns);
		return err;
	}
	*out = insns;
	return 0;
}
