// SPDX-License-Identifier: MIT
/*
 * prog.c - preparing programs: decode every slot, check jump targets and
 * r10 writes, resolve the ld_imm64 forms (maps, map values, functions)
 * and bind helpers and kfuncs, so that the interpreter needs no checks for
 * any of it at run time.  Every refusal names the instruction.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

/* The kernel's limit on program size (BPF_COMPLEXITY_LIMIT_INSNS). */
enum {
	MAX_SLOTS = 1000000
};

static const char *op_name(unsigned op)
{
	const struct bk_op_info *oi = bk_op_info(op);

	return oi ? oi->ubpf : "?";
}

/* True when the op writes its dst (src for fetching atomics) register. */
static int written_reg(const struct bk_dinsn *d)
{
	const struct bk_op_info *oi = bk_op_info(d->op);

	switch (oi->fmt) {
	case BK_FMT_ALU_K:
	case BK_FMT_ALU_X:
	case BK_FMT_NEG:
	case BK_FMT_MOVSX:
	case BK_FMT_END:
	case BK_FMT_LDX:
	case BK_FMT_LDDW:
		return d->dst;
	case BK_FMT_ATOMIC_FETCH:
	case BK_FMT_XCHG:
		return d->src;
	default:
		return -1;
	}
}

/* Relative target of a jump, call or function reference; false when the op
 * has none. */
static bool branch_off(const struct bk_dinsn *d, int64_t *off)
{
	switch (bk_op_info(d->op)->fmt) {
	case BK_FMT_JA:
	case BK_FMT_JCOND:
	case BK_FMT_JMP_K:
	case BK_FMT_JMP_X:
		*off = d->off;
		return true;
	case BK_FMT_JA32:
	case BK_FMT_CALL_LOCAL:
		*off = d->imm;
		return true;
	case BK_FMT_LDDW:
		if (d->op != BK_OP_LDDW_FUNC)
			return false;
		*off = d->imm;
		return true;
	default:
		return false;
	}
}

static const struct bk_reloc *find_reloc(const struct bk_vm_prog_opts *o, size_t i)
{
	for (size_t k = 0; o && k < o->nrelocs; k++)
		if (o->relocs[k].insn == i)
			return &o->relocs[k];
	return NULL;
}

static int map_value_addr(struct bk_map *m, uint64_t off, size_t i, uint64_t *out,
			  struct bk_diag *diag)
{
	size_t len;
	uint8_t *base = bk_map__array_base(m, &len);

	if (!base || m->attr.type != BPF_MAP_TYPE_ARRAY)
		return bk_diag__set(diag, BK_E_VM_MAP, (long)i,
				    "insn %zu: direct value access needs an array map, %s is not",
				    i, m->attr.name);
	if (off >= m->attr.value_size)
		return bk_diag__set(diag, BK_E_VM_MAP, (long)i,
				    "insn %zu: offset %" PRIu64
				    " is past the value of map %s (%u bytes)",
				    i, off, m->attr.name, m->attr.value_size);
	*out = (uintptr_t)base + off;
	return 0;
}

/* A program may not name a placeholder (a map type the VM lacks). */
static int map_usable(const struct bk_map *m, size_t i, struct bk_diag *diag)
{
	if (!bk_map__is_placeholder(m))
		return 0;
	return bk_diag__set(diag, BK_E_VM_MAP, (long)i,
			    "insn %zu: map %s has type %u (%s), which the VM does not support", i,
			    m->attr.name, m->attr.type, bk_map_type_name(m->attr.type));
}

static struct bk_map *map_by_index(const struct bk_vm_prog_opts *o, int64_t idx)
{
	if (!o || idx < 0 || (uint64_t)idx >= o->nmaps)
		return NULL;
	return o->maps[idx];
}

/* Resolves the value an ld_imm64 at slot i loads. */
static int resolve_lddw(struct bk_vm_prog *p, struct bk_vinsn *t, const struct bk_dinsn *d,
			size_t i, const struct bk_vm_prog_opts *o, struct bk_diag *diag)
{
	const struct bk_reloc *rel = find_reloc(o, i);
	struct bk_map *m = NULL;
	uint64_t *v = &t[i + 1].u64;

	if (rel && (rel->kind == BK_RELO_MAP || rel->kind == BK_RELO_MAP_VALUE ||
		    rel->kind == BK_RELO_KCONFIG)) {
		m = map_by_index(o, rel->map);
		if (!m)
			return bk_diag__set(
				diag, BK_E_VM_MAP, (long)i,
				"insn %zu: relocation names map %d, which was not created", i,
				rel->map);
		if (map_usable(m, i, diag))
			return -BK_E_VM_MAP;
		if (rel->kind == BK_RELO_MAP) {
			*v = (uintptr_t)m;
			return 0;
		}
		return map_value_addr(m, rel->off, i, v, diag);
	}
	if (rel && rel->kind == BK_RELO_KSYM)
		return bk_diag__set(diag, BK_E_VM_UNSUPPORTED, (long)i,
				    "insn %zu: ld_imm64 of extern %s is not supported by the VM", i,
				    rel->sym ? rel->sym : "?");
	switch (d->op) {
	case BK_OP_LDDW:
		*v = bk_dinsn_imm64(d);
		return 0;
	case BK_OP_LDDW_FUNC:
		*v = (uint64_t)((int64_t)i + d->imm + 1); /* an index until instantiated */
		return 0;
	case BK_OP_LDDW_MAP_FD:
	case BK_OP_LDDW_MAP_VALUE:
		m = bk_vm__map_by_id(p->vm, (uint32_t)d->imm);
		break;
	case BK_OP_LDDW_MAP_IDX:
	case BK_OP_LDDW_MAP_IDX_VALUE:
		m = map_by_index(o, d->imm);
		break;
	default:
		return bk_diag__set(diag, BK_E_VM_UNSUPPORTED, (long)i,
				    "insn %zu: ld_imm64 of a kernel BTF id is not supported by the "
				    "VM",
				    i);
	}
	if (!m)
		return bk_diag__set(diag, BK_E_VM_MAP, (long)i, "insn %zu: no map %s %d", i,
				    d->op == BK_OP_LDDW_MAP_FD || d->op == BK_OP_LDDW_MAP_VALUE
					    ? "with id"
					    : "at index",
				    d->imm);
	if (map_usable(m, i, diag))
		return -BK_E_VM_MAP;
	if (d->op == BK_OP_LDDW_MAP_FD || d->op == BK_OP_LDDW_MAP_IDX) {
		*v = (uintptr_t)m;
		return 0;
	}
	return map_value_addr(m, (uint32_t)d->imm2, i, v, diag);
}

static int resolve_call(struct bk_vinsn *t, const struct bk_dinsn *d, size_t i,
			const struct bk_vm_prog_opts *o, struct bk_diag *diag)
{
	const struct bk_reloc *rel = find_reloc(o, i);

	if (d->op == BK_OP_CALL) {
		t[i].fn = d->imm >= 0 ? bk_vm_helper((uint32_t)d->imm) : NULL;
		if (!t[i].fn) {
			const struct bk_helper *h =
				d->imm >= 0 ? bk_helper_by_id((uint32_t)d->imm) : NULL;

			return bk_diag__set(diag, BK_E_VM_HELPER, (long)i,
					    "insn %zu: helper %d%s%s%s is not available in the VM",
					    i, d->imm, h ? " (" : "", h ? h->name : "",
					    h ? ")" : "");
		}
		return 0;
	}
	/* CALL_KFUNC: only relocations name the function */
	if (!rel || rel->kind != BK_RELO_KFUNC || !rel->sym)
		return bk_diag__set(diag, BK_E_VM_KFUNC, (long)i,
				    "insn %zu: kfunc call with BTF id %d has no name (raw bytecode "
				    "cannot call kfuncs)",
				    i, d->imm);
	t[i].fn = bk_vm_kfunc(rel->sym);
	if (!t[i].fn)
		return bk_diag__set(diag, BK_E_VM_KFUNC, (long)i,
				    "insn %zu: kfunc %s is not available in the VM", i, rel->sym);
	return 0;
}

/* Fills the template t and p->ops from the decoded slots. */
static int prepare(struct bk_vm_prog *p, struct bk_vinsn *t, const struct bk_dinsn *dec,
		   const struct bk_vm_prog_opts *o, struct bk_diag *diag)
{
	for (size_t i = 0; i < p->cnt; i++) {
		const struct bk_dinsn *d = &dec[i];
		struct bk_vinsn *v = &t[i];
		int64_t off;
		int err = 0;

		if (!d->slots) {
			p->ops[i] = BK_VOP_LDDW_TAIL;
			continue;
		}
		p->ops[i] = d->op;
		v->dst = d->dst;
		v->src = d->src;
		v->off = d->off;
		v->imm = d->imm;
		if (written_reg(d) == 10)
			return bk_diag__set(
				diag, BK_E_VM_R10, (long)i,
				"insn %zu (%s): writes r10, the read-only frame pointer", i,
				op_name(d->op));
		if (branch_off(d, &off)) {
			int64_t to = (int64_t)i + off + 1;

			if (to < 0 || to >= (int64_t)p->cnt || !dec[to].slots)
				return bk_diag__set(diag, BK_E_VM_JUMP, (long)i,
						    "insn %zu (%s): target %" PRId64 " is %s", i,
						    op_name(d->op), to,
						    to < 0 || to >= (int64_t)p->cnt
							    ? "outside the program"
							    : "the second slot of an ld_imm64");
		}
		if (bk_op_info(d->op)->fmt == BK_FMT_LDDW)
			err = resolve_lddw(p, t, d, i, o, diag);
		else if (d->op == BK_OP_CALL || d->op == BK_OP_CALL_KFUNC)
			err = resolve_call(t, d, i, o, diag);
		if (err)
			return err;
	}
	p->ops[p->cnt] = BK_VOP_FALLOFF;
	return 0;
}

/* The code array of one interpreter mode: the template with that mode's
 * handlers, function references pointing into this array. */
static void instantiate(struct bk_vm_prog *p, const struct bk_vinsn *t, enum bk_vm_mode mode)
{
	const void *const *labels = bk_interp_labels(mode);
	struct bk_vinsn *c = p->code[mode];

	for (size_t i = 0; i <= p->cnt; i++) {
		c[i] = t[i];
		c[i].h = labels[p->ops[i]];
	}
	for (size_t i = 0; i + 1 < p->cnt; i++)
		if (p->ops[i] == BK_OP_LDDW_FUNC)
			c[i + 1].u64 = (uintptr_t)&c[t[i + 1].u64];
}

int bk_vm_prog__load(struct bk_vm *vm, const struct bk_insn *insns, size_t cnt,
		     const struct bk_vm_prog_opts *opts, struct bk_vm_prog **out,
		     struct bk_diag *diag)
{
	const struct bk_vm_prog_opts *o = NULL;
	struct bk_vinsn *tmpl = NULL;
	struct bk_dinsn *dec = NULL;
	struct bk_vm_prog *p;
	int err;

	if (opts && opts->sz >= offsetof(struct bk_vm_prog_opts, nrelocs) + sizeof(opts->nrelocs))
		o = opts;
	if (!cnt)
		return bk_diag__set(diag, BK_E_PROG_EMPTY, -1, "program has no instructions");
	if (cnt > MAX_SLOTS)
		return bk_diag__set(diag, BK_E_VM_PROG_SIZE, -1,
				    "program has %zu instructions, more than %d", cnt, MAX_SLOTS);
	p = calloc(1, sizeof(*p));
	dec = calloc(cnt, sizeof(*dec));
	tmpl = calloc(cnt + 1, sizeof(*tmpl));
	if (p) {
		p->insns = malloc(cnt * sizeof(*insns));
		p->ops = calloc(cnt + 1, sizeof(*p->ops));
		p->code[0] = calloc(cnt + 1, sizeof(struct bk_vinsn));
		p->code[1] = calloc(cnt + 1, sizeof(struct bk_vinsn));
	}
	if (!p || !dec || !tmpl || !p->insns || !p->ops || !p->code[0] || !p->code[1]) {
		err = bk_diag__set(diag, ENOMEM, -1, "out of memory");
		goto fail;
	}
	p->vm = vm;
	p->cnt = cnt;
	p->type = o && o->type ? o->type : BK_PROG_RAW;
	snprintf(p->name, sizeof(p->name), "%s", o && o->name ? o->name : "prog");
	memcpy(p->insns, insns, cnt * sizeof(*insns));
	err = bk_decode_prog(insns, cnt, dec, diag);
	if (!err)
		err = prepare(p, tmpl, dec, o, diag);
	if (err)
		goto fail;
	instantiate(p, tmpl, BK_VM_CHECKED);
	instantiate(p, tmpl, BK_VM_TRUSTED);
	free(dec);
	free(tmpl);
	pthread_mutex_lock(&vm->lock);
	p->id = vm->next_prog_id++;
	p->next = vm->progs;
	if (vm->progs)
		vm->progs->prev = p;
	vm->progs = p;
	pthread_mutex_unlock(&vm->lock);
	*out = p;
	return 0;
fail:
	free(dec);
	free(tmpl);
	if (p) {
		free(p->insns);
		free(p->ops);
		free(p->code[0]);
		free(p->code[1]);
		free(p);
	}
	return err;
}

void bk_vm_prog__free(struct bk_vm_prog *p)
{
	struct bk_vm *vm;

	if (!p)
		return;
	vm = p->vm;
	bk_prog_array_forget(vm, p);
	pthread_mutex_lock(&vm->lock);
	if (p->prev)
		p->prev->next = p->next;
	else
		vm->progs = p->next;
	if (p->next)
		p->next->prev = p->prev;
	pthread_mutex_unlock(&vm->lock);
	free(p->insns);
	free(p->ops);
	free(p->code[0]);
	free(p->code[1]);
	free(p);
}

uint32_t bk_vm_prog__id(const struct bk_vm_prog *p)
{
	return p->id;
}

const char *bk_vm_prog__name(const struct bk_vm_prog *p)
{
	return p->name;
}

enum bk_prog_type bk_vm_prog__type(const struct bk_vm_prog *p)
{
	return p->type;
}

const struct bk_insn *bk_vm_prog__insns(const struct bk_vm_prog *p, size_t *cnt)
{
	*cnt = p->cnt;
	return p->insns;
}

uint64_t bk_vm_prog__imm64(const struct bk_vm_prog *p, size_t insn)
{
	if (insn + 1 >= p->cnt || bk_op_info(p->ops[insn]) == NULL ||
	    bk_op_info(p->ops[insn])->fmt != BK_FMT_LDDW)
		return 0;
	return p->code[BK_VM_CHECKED][insn + 1].u64;
}

void bk_vm_prog__set_engine_data(struct bk_vm_prog *p, void *data)
{
	p->engine_data = data;
}

void *bk_vm_prog__engine_data(const struct bk_vm_prog *p)
{
	return p->engine_data;
}
