// SPDX-License-Identifier: MIT
/*
 * obj_link.c - from code sections to programs, as libbpf links them.
 *
 * 1. Each code section is cut into functions: its FUNC symbols, or, when it
 *    has none, pieces that start at 0 and at every call target inside it.
 * 2. Entry programs: every function of a section other than .text (the
 *    first piece only, for a section without symbols); when there is none,
 *    the first function of .text (libbpf takes .text as a program only when
 *    it is the object's one function; bpfkit also when it is the only code).
 * 3. Linking a program: its entry function, then each function reached by a
 *    call or a subprogram address (ld_imm64 func), appended once in the
 *    order first reached; call and ld_imm64 immediates become pc-relative
 *    in the new layout (CALL_LOCAL, LDDW_FUNC).  Map and data references
 *    become LDDW_MAP_IDX (imm = map index) and LDDW_MAP_IDX_VALUE (imm = map
 *    index, second imm = offset); kfunc calls CALL_KFUNC with imm 0; ksyms
 *    LDDW_BTF_ID with imm 0; each with a struct bk_reloc naming the target.
 *    Recursive calls are refused, like calls to anything but a function's
 *    first instruction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

int bk_csec_reloc_at(const struct bk_csec *s, uint32_t insn)
{
	size_t lo = 0, hi = s->pub.nrelocs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->relocs[mid].insn < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->pub.nrelocs && s->relocs[lo].insn == insn ? (int)lo : -1;
}

static bool is_local_call(const struct bk_insn *in)
{
	return in->code == BK_OPC_CALL && in->src == BK_OPDVAL_CALL_LOCAL;
}

static bool is_lddw_func(const struct bk_insn *in)
{
	return in->code == BK_OPC_LDDW && in->src == BK_OPDVAL_LDDW_FUNC;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct bk_sym *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Functions from FUNC symbols; a size of 0 reaches the next one. */
static int fns_from_syms(struct bk_obj *obj, struct bk_csec *cs, size_t nfunc)
{
	size_t k = 0;

	for (size_t i = 0; i < cs->pub.nsyms; i++) {
		struct bk_sym *s = &cs->syms[i];
		struct bk_fn *f;

		if (!s->func)
			continue;
		f = &cs->fns[k];
		f->start = s->off / 8;
		f->name = s->name;
		f->global = s->global;
		if (s->size)
			f->end = f->start + s->size / 8;
		else {
			f->end = (uint32_t)cs->pub.cnt;
			for (size_t j = i + 1; j < cs->pub.nsyms; j++)
				if (cs->syms[j].func && cs->syms[j].off > s->off) {
					f->end = cs->syms[j].off / 8;
					break;
				}
			s->size = (f->end - f->start) * 8;
		}
		if (f->end <= f->start || f->end > cs->pub.cnt)
			return bk_obj_err(obj, BK_E_ELF_SYMBOL,
					  "function '%s' of section '%s' is empty or runs past it",
					  f->name, cs->pub.name);
		if (k && f->start < cs->fns[k - 1].end)
			return bk_obj_err(obj, BK_E_ELF_SYMBOL,
					  "functions '%s' and '%s' of section '%s' overlap",
					  cs->fns[k - 1].name, f->name, cs->pub.name);
		k++;
	}
	cs->nfns = nfunc;
	return 0;
}

/* No symbols: pieces starting at 0 and at each call target in here. */
static int fns_from_calls(struct bk_obj *obj, int si)
{
	struct bk_csec *cs = &obj->secs[si];
	size_t n = 1, cap = 8;
	uint32_t *st = malloc(cap * sizeof(*st));
	int err = 0;

	if (!st)
		return -ENOMEM;
	st[0] = 0;
	for (size_t s = 0; s < obj->nsecs; s++) {
		const struct bk_csec *o = &obj->secs[s];

		for (size_t i = 0; i < o->pub.cnt; i++) {
			int r = bk_csec_reloc_at(o, (uint32_t)i);
			int64_t t = -1;

			if (r >= 0 &&
			    (o->tgts[r].kind == BK_RELO_CALL || o->tgts[r].kind == BK_RELO_FUNC)) {
				if (o->tgts[r].idx == si)
					t = o->tgts[r].off;
			} else if (r < 0 && (int)s == si &&
				   (is_local_call(&o->insns[i]) || is_lddw_func(&o->insns[i]))) {
				t = (int64_t)i + o->insns[i].imm + 1;
			}
			if (t <= 0 || t >= (int64_t)cs->pub.cnt)
				continue;
			if (bk_grow(&st, &cap, n + 1, sizeof(*st))) {
				free(st);
				return -ENOMEM;
			}
			st[n++] = (uint32_t)t;
		}
	}
	qsort(st, n, sizeof(*st), cmp_u32);
	cs->fns = calloc(n, sizeof(*cs->fns));
	if (!cs->fns)
		err = -ENOMEM;
	for (size_t i = 0; i < n && !err; i++) {
		struct bk_fn *f;

		if (i && st[i] == st[i - 1])
			continue;
		f = &cs->fns[cs->nfns++];
		f->start = st[i];
		if (cs->nfns > 1)
			cs->fns[cs->nfns - 2].end = st[i];
		if (st[i] == 0) {
			f->name = cs->pub.name;
		} else {
			char buf[32];

			snprintf(buf, sizeof(buf), "+%u", st[i]);
			char *nm = bk_obj_alloc(obj, strlen(cs->pub.name) + strlen(buf) + 1);

			if (!nm)
				err = -ENOMEM;
			else
				f->name = strcat(strcpy(nm, cs->pub.name), buf);
		}
	}
	if (!err)
		cs->fns[cs->nfns - 1].end = (uint32_t)cs->pub.cnt;
	free(st);
	return err;
}

static int split_functions(struct bk_obj *obj)
{
	for (size_t si = 0; si < obj->nsecs; si++) {
		struct bk_csec *cs = &obj->secs[si];
		size_t nfunc = 0;
		int err;

		if (cs->pub.nsyms > 1)
			qsort(cs->syms, cs->pub.nsyms, sizeof(*cs->syms), cmp_sym);
		cs->pub.syms = cs->syms;
		for (size_t i = 0; i < cs->pub.nsyms; i++)
			nfunc += cs->syms[i].func;
		if (nfunc) {
			cs->fns = calloc(nfunc, sizeof(*cs->fns));
			err = cs->fns ? fns_from_syms(obj, cs, nfunc) : -ENOMEM;
		} else {
			err = fns_from_calls(obj, (int)si);
		}
		if (err)
			return err;
		for (size_t f = 0; f < cs->nfns; f++)
			for (size_t k = 0; k < cs->nfinfo; k++)
				if (cs->finfo[k].insn == cs->fns[f].start)
					cs->fns[f].btf_id = cs->finfo[k].btf_id;
	}
	return 0;
}

/* The function of section si starting at insn, or -1. */
static int fn_at(const struct bk_csec *cs, uint32_t insn)
{
	size_t lo = 0, hi = cs->nfns;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cs->fns[mid].start < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cs->nfns && cs->fns[lo].start == insn ? (int)lo : -1;
}

struct unit {
	int sec, fn;
	uint32_t at;
};

struct linker {
	struct bk_obj *obj;
	struct bk_prog *p;
	struct unit *u;
	size_t nu, capu;
	size_t capi, capr;
	uint32_t (*edge)[2];
	size_t nedge, capedge;
};

static int add_unit(struct linker *lk, int sec, int fn)
{
	const struct bk_fn *f = &lk->obj->secs[sec].fns[fn];
	struct bk_prog *p = lk->p;
	size_t len = f->end - f->start;

	for (size_t i = 0; i < lk->nu; i++)
		if (lk->u[i].sec == sec && lk->u[i].fn == fn)
			return (int)i;
	if (bk_grow(&lk->u, &lk->capu, lk->nu + 1, sizeof(*lk->u)) ||
	    bk_grow(&p->insns, &lk->capi, p->ninsns + len, sizeof(*p->insns)))
		return -ENOMEM;
	lk->u[lk->nu] = (struct unit){sec, fn, (uint32_t)p->ninsns};
	memcpy(p->insns + p->ninsns, lk->obj->secs[sec].insns + f->start, len * sizeof(*p->insns));
	p->ninsns += len;
	return (int)lk->nu++;
}

static int add_reloc(struct linker *lk, uint32_t insn, uint8_t kind, int32_t map, uint32_t off,
		     const char *sym)
{
	struct bk_prog *p = lk->p;

	if (bk_grow(&p->relocs, &lk->capr, p->nrelocs + 1, sizeof(*p->relocs)))
		return -ENOMEM;
	p->relocs[p->nrelocs++] = (struct bk_reloc){insn, kind, map, off, sym};
	return 0;
}

/* A call or subprogram address at linked insn li, to (sec, insn). */
static int link_target(struct linker *lk, int ui, uint32_t i, uint32_t li, int tsec, uint32_t tinsn,
		       bool call)
{
	struct bk_obj *obj = lk->obj;
	const struct bk_csec *cs = &obj->secs[lk->u[ui].sec];
	struct bk_insn *out;
	int fn = fn_at(&obj->secs[tsec], tinsn), tu;

	if (fn < 0)
		return bk_obj_err(obj, BK_E_LINK,
				  "section '%s' insn %u: %s insn %u of section '%s', which is not "
				  "the start of a function",
				  cs->pub.name, i, call ? "calls" : "takes the address of", tinsn,
				  obj->secs[tsec].pub.name);
	tu = add_unit(lk, tsec, fn);
	if (tu < 0)
		return tu;
	out = &lk->p->insns[li];
	out->imm = (int32_t)((int64_t)lk->u[tu].at - li - 1);
	if (!call) {
		out->src = BK_OPDVAL_LDDW_FUNC;
		out[1].imm = 0;
	} else {
		if (bk_grow(&lk->edge, &lk->capedge, lk->nedge + 1, sizeof(*lk->edge)))
			return -ENOMEM;
		lk->edge[lk->nedge][0] = (uint32_t)ui;
		lk->edge[lk->nedge++][1] = (uint32_t)tu;
	}
	return add_reloc(lk, li, call ? BK_RELO_CALL : BK_RELO_FUNC, -1, 0,
			 obj->secs[tsec].fns[fn].name);
}

static int link_reloc(struct linker *lk, int ui, uint32_t i, uint32_t li,
		      const struct bk_rtarget *t)
{
	const struct bk_fn *f = &lk->obj->secs[lk->u[ui].sec].fns[lk->u[ui].fn];
	struct bk_insn *out = &lk->p->insns[li];
	bool lddw = out->code == BK_OPC_LDDW;

	if (lddw && i + 1 >= f->end)
		return bk_obj_err(lk->obj, BK_E_LINK,
				  "function '%s': ld_imm64 at insn %u is cut "
				  "by the function's end",
				  f->name, i);
	switch (t->kind) {
	case BK_RELO_CALL:
	case BK_RELO_FUNC:
		return link_target(lk, ui, i, li, t->idx, t->off, t->kind == BK_RELO_CALL);
	case BK_RELO_MAP:
		out->src = BK_OPDVAL_LDDW_MAP_IDX;
		out->imm = t->idx;
		out[1].imm = 0;
		return add_reloc(lk, li, t->kind, t->idx, 0, lk->obj->maps[t->idx].pub.name);
	case BK_RELO_MAP_VALUE:
	case BK_RELO_KCONFIG:
		out->src = BK_OPDVAL_LDDW_MAP_IDX_VALUE;
		out->imm = t->idx;
		out[1].imm = (int32_t)t->off;
		return add_reloc(lk, li, t->kind, t->idx, t->off,
				 t->sym ? t->sym : lk->obj->maps[t->idx].pub.name);
	case BK_RELO_KSYM:
		out->src = BK_OPDVAL_LDDW_BTF_ID;
		out->imm = 0;
		out[1].imm = 0;
		return add_reloc(lk, li, t->kind, -1, 0, t->sym);
	case BK_RELO_KFUNC:
		out->src = BK_OPDVAL_CALL_KFUNC;
		out->imm = 0;
		out->off = 0;
		return add_reloc(lk, li, t->kind, -1, 0, t->sym);
	default:
		return bk_obj_err(lk->obj, BK_E_LINK, "function '%s' insn %u: bad relocation",
				  f->name, i);
	}
}

static int link_unit(struct linker *lk, int ui)
{
	const struct bk_csec *cs = &lk->obj->secs[lk->u[ui].sec];
	const struct bk_fn f = cs->fns[lk->u[ui].fn];

	for (uint32_t i = f.start; i < f.end; i++) {
		uint32_t li = lk->u[ui].at + (i - f.start);
		const struct bk_insn *in = &cs->insns[i];
		int r = bk_csec_reloc_at(cs, i), err = 0;

		if (r >= 0) {
			err = link_reloc(lk, ui, i, li, &cs->tgts[r]);
		} else if (is_local_call(in) || is_lddw_func(in)) {
			int64_t t = (int64_t)i + in->imm + 1;

			if (t < 0 || t >= (int64_t)cs->pub.cnt)
				return bk_obj_err(lk->obj, BK_E_LINK,
						  "section '%s' insn %u: call to nowhere (insn "
						  "%lld)",
						  cs->pub.name, i, (long long)t);
			if (is_lddw_func(in) && i + 1 >= f.end)
				return bk_obj_err(lk->obj, BK_E_LINK,
						  "function '%s': ld_imm64 at insn %u is cut by "
						  "the function's end",
						  f.name, i);
			err = link_target(lk, ui, i, li, lk->u[ui].sec, (uint32_t)t,
					  is_local_call(in));
		}
		if (err)
			return err;
	}
	return 0;
}

/* Depth-first search for a cycle in the call edges. */
static int check_recursion(struct linker *lk)
{
	uint8_t *color = calloc(lk->nu, 1);
	uint32_t *stack = calloc(lk->nu + 1, sizeof(*stack)), *next = calloc(lk->nu, 4);
	int err = 0;
	size_t sp = 0;

	if (!color || !stack || !next) {
		err = -ENOMEM;
		goto out;
	}
	stack[sp++] = 0;
	color[0] = 1;
	while (sp && !err) {
		uint32_t u = stack[sp - 1];
		bool pushed = false;

		for (; next[u] < lk->nedge && !pushed; next[u]++) {
			uint32_t *e = lk->edge[next[u]];

			if (e[0] != u)
				continue;
			if (color[e[1]] == 1) {
				const struct bk_obj *o = lk->obj;

				err = bk_obj_err(lk->obj, BK_E_LINK,
						 "recursive call: '%s' calls '%s', which is "
						 "still running",
						 o->secs[lk->u[u].sec].fns[lk->u[u].fn].name,
						 o->secs[lk->u[e[1]].sec].fns[lk->u[e[1]].fn].name);
				break;
			}
			if (!color[e[1]]) {
				color[e[1]] = 1;
				stack[sp++] = e[1];
				pushed = true;
			}
		}
		if (!pushed && !err) {
			color[u] = 2;
			sp--;
		}
	}
out:
	free(color);
	free(stack);
	free(next);
	return err;
}

static int prog_lines(struct linker *lk)
{
	struct bk_prog *p = lk->p;
	size_t cap = 0;

	for (size_t ui = 0; ui < lk->nu; ui++) {
		const struct bk_csec *cs = &lk->obj->secs[lk->u[ui].sec];
		const struct bk_fn *f = &cs->fns[lk->u[ui].fn];

		for (size_t k = 0; k < cs->nlines; k++) {
			const struct bk_line *l = &cs->lines[k];

			if (l->insn < f->start || l->insn >= f->end)
				continue;
			if (bk_grow(&p->lines, &cap, p->nlines + 1, sizeof(*p->lines)))
				return -ENOMEM;
			p->lines[p->nlines] = *l;
			p->lines[p->nlines++].insn = lk->u[ui].at + (l->insn - f->start);
		}
	}
	return 0;
}

/* CO-RE records of the linked functions, by program instruction. */
static int prog_cores(struct linker *lk)
{
	struct bk_prog *p = lk->p;
	size_t cap = 0;

	for (size_t ui = 0; ui < lk->nu; ui++) {
		const struct bk_csec *cs = &lk->obj->secs[lk->u[ui].sec];
		const struct bk_fn *f = &cs->fns[lk->u[ui].fn];

		for (size_t k = 0; k < cs->ncores; k++) {
			const struct bk_core_relo *c = &cs->cores[k];

			if (c->insn < f->start || c->insn >= f->end)
				continue;
			if (bk_grow(&p->cores, &cap, p->ncores + 1, sizeof(*p->cores)))
				return -ENOMEM;
			p->cores[p->ncores] = *c;
			p->cores[p->ncores++].insn = lk->u[ui].at + (c->insn - f->start);
		}
	}
	return 0;
}

static int link_prog(struct bk_obj *obj, struct bk_prog *p)
{
	struct linker lk = {.obj = obj, .p = p};
	int err = add_unit(&lk, p->sec, p->fn);

	for (size_t ui = 0; ui < lk.nu && err >= 0; ui++)
		err = link_unit(&lk, (int)ui);
	if (err >= 0)
		err = check_recursion(&lk);
	if (err >= 0) {
		p->funcs = calloc(lk.nu, sizeof(*p->funcs));
		if (!p->funcs)
			err = -ENOMEM;
	}
	for (size_t ui = 0; ui < lk.nu && err >= 0; ui++) {
		const struct bk_fn *f = &obj->secs[lk.u[ui].sec].fns[lk.u[ui].fn];

		p->funcs[ui] = (struct bk_func){lk.u[ui].at, f->name, f->btf_id};
		p->nfuncs++;
	}
	if (err >= 0)
		err = prog_lines(&lk);
	if (err >= 0)
		err = prog_cores(&lk);
	free(lk.u);
	free(lk.edge);
	return err < 0 ? err : 0;
}

static int add_prog(struct bk_obj *obj, size_t *cap, int sec, int fn)
{
	struct bk_prog *p;

	if (bk_grow(&obj->progs, cap, obj->nprogs + 1, sizeof(*p)))
		return -ENOMEM;
	p = &obj->progs[obj->nprogs++];
	p->obj = obj;
	p->sec = sec;
	p->fn = fn;
	p->type = bk_prog_type_from_section(obj->secs[sec].pub.name, &p->attach);
	obj->secs[sec].fns[fn].entry = true;
	return 0;
}

int bk_obj_link(struct bk_obj *obj)
{
	size_t cap = 0;
	int err = split_functions(obj), text = -1;

	for (size_t i = 0; i < obj->ndsecs; i++) {
		struct bk_dsec *ds = &obj->dsecs[i];

		if (ds->pub.nsyms > 1)
			qsort(ds->syms, ds->pub.nsyms, sizeof(*ds->syms), cmp_sym);
		ds->pub.syms = ds->syms;
	}

	for (size_t s = 0; s < obj->nsecs && !err; s++) {
		const struct bk_csec *cs = &obj->secs[s];
		bool named = false;

		for (size_t i = 0; i < cs->pub.nsyms; i++)
			named |= cs->syms[i].func;

		if (!strcmp(cs->pub.name, ".text")) {
			text = (int)s;
			continue;
		}
		for (size_t f = 0; f < cs->nfns && !err; f++)
			if (named || f == 0)
				err = add_prog(obj, &cap, (int)s, (int)f);
	}
	if (!err && !obj->nprogs && text >= 0 && obj->secs[text].nfns)
		err = add_prog(obj, &cap, text, 0);
	for (size_t i = 0; i < obj->nprogs && !err; i++)
		err = link_prog(obj, &obj->progs[i]);
	return err;
}
