// SPDX-License-Identifier: MIT
/*
 * obj_build.c - building an object piece by piece (the assembler's side):
 * bk_obj__new, add_sec/sym/reloc/map/data_sec/data_sym/line, finish.
 *
 * Relocations name their target: a map, a data section or variable (with
 * the addend as the byte offset), a function, or an extern.  finish()
 * resolves the names (kind BK_RELO_NONE infers the kind from what the name
 * is and the instruction), lays the BTF-defined maps out in .maps with the
 * BTF libbpf needs (btf_write.c), turns data sections into maps and links
 * the programs like an object read from ELF.  Nothing may be added after.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

struct bk_obj *bk_obj__new(const char *name)
{
	struct bk_obj *obj = bk_obj_alloc_new(name ? name : "bpfkit");

	if (obj)
		obj->built = true;
	return obj;
}

static bool can_add(const struct bk_obj *obj)
{
	return obj && obj->built && !obj->finished;
}

int bk_obj__set_license(struct bk_obj *obj, const char *license)
{
	if (!can_add(obj) || !license)
		return -EINVAL;
	obj->license = bk_obj_strdup(obj, license);
	return obj->license ? 0 : -ENOMEM;
}

int bk_obj__add_sec(struct bk_obj *obj, const char *name, const struct bk_insn *insns, size_t cnt)
{
	if (!can_add(obj) || !name || !name[0] || !cnt || !insns || cnt > UINT32_MAX / 8)
		return -EINVAL;
	for (size_t i = 0; i < obj->nsecs; i++)
		if (!strcmp(obj->secs[i].pub.name, name))
			return -EEXIST;
	return bk_obj_add_csec(obj, name, insns, cnt);
}

static int push_sym(struct bk_obj *obj, struct bk_sym **arr, size_t *n, size_t *cap,
		    const struct bk_sym *sym)
{
	if (!sym->name || !sym->name[0])
		return -EINVAL;
	if (bk_grow(arr, cap, *n + 1, sizeof(**arr)))
		return -ENOMEM;
	(*arr)[*n] = *sym;
	(*arr)[*n].name = bk_obj_strdup(obj, sym->name);
	if (!(*arr)[*n].name)
		return -ENOMEM;
	return (int)(*n)++;
}

int bk_obj__add_sym(struct bk_obj *obj, int sec, const struct bk_sym *sym)
{
	struct bk_csec *cs;

	if (!can_add(obj) || sec < 0 || (size_t)sec >= obj->nsecs || !sym)
		return -EINVAL;
	cs = &obj->secs[sec];
	if (sym->off % 8 || sym->size % 8 || sym->off / 8 >= cs->pub.cnt ||
	    sym->size / 8 > cs->pub.cnt - sym->off / 8)
		return -ERANGE;
	return push_sym(obj, &cs->syms, &cs->pub.nsyms, &cs->syms_cap, sym);
}

int bk_obj__add_reloc(struct bk_obj *obj, int sec, const struct bk_sec_reloc *rel)
{
	struct bk_csec *cs;

	if (!can_add(obj) || sec < 0 || (size_t)sec >= obj->nsecs || !rel || !rel->sym)
		return -EINVAL;
	cs = &obj->secs[sec];
	if (rel->insn >= cs->pub.cnt)
		return -ERANGE;
	if (bk_grow(&cs->relocs, &cs->relocs_cap, cs->pub.nrelocs + 1, sizeof(*cs->relocs)))
		return -ENOMEM;
	cs->relocs[cs->pub.nrelocs] = *rel;
	cs->relocs[cs->pub.nrelocs].sym = bk_obj_strdup(obj, rel->sym);
	if (!cs->relocs[cs->pub.nrelocs].sym)
		return -ENOMEM;
	cs->pub.relocs = cs->relocs;
	return (int)cs->pub.nrelocs++;
}

int bk_obj__add_map(struct bk_obj *obj, const struct bk_map_def *def)
{
	struct bk_map_def d;

	if (!can_add(obj) || !def || !def->name || !def->name[0] || !def->type)
		return -EINVAL;
	if (bk_obj__find_map(obj, def->name) >= 0)
		return -EEXIST;
	d = *def;
	d.origin = def->origin == BK_MAP_INNER ? BK_MAP_INNER : BK_MAP_BTF;
	d.data = NULL;
	d.data_size = 0;
	d.btf_key_type_id = d.btf_value_type_id = 0;
	return bk_obj_add_map(obj, &d);
}

static bool is_data_name(const char *n)
{
	static const char *const pfx[] = {".data", ".rodata", ".bss"};

	for (size_t i = 0; i < 3; i++) {
		size_t l = strlen(pfx[i]);

		if (!strncmp(n, pfx[i], l) && (n[l] == '\0' || n[l] == '.'))
			return true;
	}
	return false;
}

int bk_obj__add_data_sec(struct bk_obj *obj, const char *name, const void *bytes, size_t size)
{
	if (!can_add(obj) || !name || !is_data_name(name) || size > UINT32_MAX)
		return -EINVAL;
	if (bk_obj_find_dsec(obj, name) >= 0)
		return -EEXIST;
	return bk_obj_add_dsec(obj, name, BK_DSEC_DATA, bytes, size);
}

int bk_obj__add_data_sym(struct bk_obj *obj, int data_sec, const struct bk_sym *sym)
{
	struct bk_dsec *ds;

	if (!can_add(obj) || data_sec < 0 || (size_t)data_sec >= obj->ndsecs || !sym)
		return -EINVAL;
	ds = &obj->dsecs[data_sec];
	if (ds->kind != BK_DSEC_DATA)
		return -EINVAL;
	if (sym->off > ds->pub.size || sym->size > ds->pub.size - sym->off)
		return -ERANGE;
	return push_sym(obj, &ds->syms, &ds->pub.nsyms, &ds->syms_cap, sym);
}

int bk_obj__add_line(struct bk_obj *obj, int sec, const struct bk_line *line)
{
	struct bk_csec *cs;
	struct bk_line *l;

	if (!can_add(obj) || sec < 0 || (size_t)sec >= obj->nsecs || !line)
		return -EINVAL;
	cs = &obj->secs[sec];
	if (line->insn >= cs->pub.cnt)
		return -ERANGE;
	if (bk_grow(&cs->lines, &cs->lines_cap, cs->nlines + 1, sizeof(*cs->lines)))
		return -ENOMEM;
	l = &cs->lines[cs->nlines];
	*l = *line;
	l->file = line->file ? bk_obj_strdup(obj, line->file) : NULL;
	l->text = line->text ? bk_obj_strdup(obj, line->text) : NULL;
	if ((line->file && !l->file) || (line->text && !l->text))
		return -ENOMEM;
	cs->nlines++;
	return 0;
}

/* ---- finish ---------------------------------------------------------------- */

struct named {
	int map;	      /* a map, or -1 */
	int dsec;	      /* a data section, or -1 */
	uint32_t doff;	      /* offset of a data variable in it */
	int csec;	      /* a function's section, or -1 */
	uint32_t finsn, foff; /* its first instruction, byte offset */
};

static struct named lookup(const struct bk_obj *obj, const char *name)
{
	struct named n = {.map = -1, .dsec = -1, .csec = -1};
	int m = bk_obj__find_map(obj, name);

	if (m >= 0 && obj->maps[m].pub.origin == BK_MAP_BTF)
		n.map = m;
	for (size_t i = 0; i < obj->ndsecs && n.dsec < 0; i++) {
		const struct bk_dsec *ds = &obj->dsecs[i];

		if (ds->kind != BK_DSEC_DATA)
			continue;
		if (!strcmp(ds->pub.name, name))
			n.dsec = (int)i;
		for (size_t k = 0; k < ds->pub.nsyms && n.dsec < 0; k++)
			if (!strcmp(ds->syms[k].name, name)) {
				n.dsec = (int)i;
				n.doff = ds->syms[k].off;
			}
	}
	for (size_t i = 0; i < obj->nsecs && n.csec < 0; i++)
		for (size_t k = 0; k < obj->secs[i].pub.nsyms; k++)
			if (obj->secs[i].syms[k].func && !strcmp(obj->secs[i].syms[k].name, name)) {
				n.csec = (int)i;
				n.foff = obj->secs[i].syms[k].off;
				n.finsn = n.foff / 8;
				break;
			}
	return n;
}

static uint8_t infer_kind(const struct named *n, bool call)
{
	if (call)
		return n->csec >= 0 ? BK_RELO_CALL : BK_RELO_KFUNC;
	if (n->map >= 0)
		return BK_RELO_MAP;
	if (n->dsec >= 0)
		return BK_RELO_MAP_VALUE;
	return n->csec >= 0 ? BK_RELO_FUNC : BK_RELO_KSYM;
}

/* Extern variables of .kconfig get 8 bytes each in one map, by first use. */
static int kconfig_slot(struct bk_obj *obj, const char *name, uint32_t *off)
{
	struct bk_omap *m;

	for (size_t s = 0; s < obj->nsecs; s++)
		for (size_t k = 0; k < obj->secs[s].pub.nrelocs; k++) {
			const struct bk_rtarget *t = &obj->secs[s].tgts[k];

			if (t->kind == BK_RELO_KCONFIG && t->sym && !strcmp(t->sym, name)) {
				*off = t->off;
				return 0;
			}
		}
	if (obj->kconfig_map < 0) {
		char mname[16];
		struct bk_map_def def = {.name = mname,
					 .type = BPF_MAP_TYPE_ARRAY,
					 .key_size = 4,
					 .max_entries = 1,
					 .flags = BPF_F_MMAPABLE | BPF_F_RDONLY_PROG,
					 .inner = -1,
					 .origin = BK_MAP_DATA};
		int idx;

		bk_data_map_name(obj->name, ".kconfig", mname);
		idx = bk_obj_add_map(obj, &def);
		if (idx < 0)
			return idx;
		obj->kconfig_map = idx;
	}
	m = &obj->maps[obj->kconfig_map];
	*off = m->pub.value_size;
	m->pub.value_size += 8;
	return 0;
}

static int resolve(struct bk_obj *obj, struct bk_csec *cs, struct bk_sec_reloc *rel,
		   struct bk_rtarget *t)
{
	struct bk_insn *in = &cs->insns[rel->insn];
	bool call = in->code == BK_OPC_CALL, lddw = in->code == BK_OPC_LDDW;
	struct named n = lookup(obj, rel->sym);
	uint8_t kind = rel->kind ? rel->kind : infer_kind(&n, call);
	bool want_call = kind == BK_RELO_CALL || kind == BK_RELO_KFUNC;

	if ((!call && !lddw) || call != want_call || (lddw && rel->insn + 1 >= cs->pub.cnt))
		return bk_obj_err(obj, BK_E_ELF_RELOC,
				  "section '%s': relocation against '%s' at insn %u, which is not "
				  "a %s",
				  cs->pub.name, rel->sym, rel->insn,
				  want_call ? "call" : "complete ld_imm64");
	*t = (struct bk_rtarget){.kind = kind, .idx = -1};
	switch (kind) {
	case BK_RELO_MAP:
		if (n.map < 0)
			break;
		t->idx = n.map;
		return 0;
	case BK_RELO_MAP_VALUE: {
		int64_t off = (int64_t)n.doff + rel->addend;

		if (n.dsec < 0)
			break;
		if (obj->dsecs[n.dsec].map < 0 || off < 0 ||
		    (uint64_t)off > obj->dsecs[n.dsec].pub.size)
			return bk_obj_err(obj, BK_E_ELF_RELOC,
					  "section '%s' insn %u: offset %lld outside '%s'",
					  cs->pub.name, rel->insn, (long long)off,
					  obj->dsecs[n.dsec].pub.name);
		t->idx = obj->dsecs[n.dsec].map;
		t->off = (uint32_t)off;
		rel->sym_off = n.doff;
		return 0;
	}
	case BK_RELO_CALL:
	case BK_RELO_FUNC:
		if (n.csec < 0)
			break;
		t->idx = n.csec;
		t->off = n.finsn;
		rel->sym_off = n.foff;
		if (call)
			in->src = BK_OPDVAL_CALL_LOCAL;
		return 0;
	case BK_RELO_KFUNC:
		in->src = BK_OPDVAL_CALL_LOCAL;
		t->sym = rel->sym;
		return 0;
	case BK_RELO_KSYM:
		t->sym = rel->sym;
		return 0;
	case BK_RELO_KCONFIG:
		t->sym = rel->sym;
		t->idx = 0;
		return kconfig_slot(obj, rel->sym, &t->off);
	default:
		return bk_obj_err(obj, BK_E_ELF_RELOC,
				  "section '%s' insn %u: bad relocation kind %u", cs->pub.name,
				  rel->insn, kind);
	}
	return bk_obj_err(obj, BK_E_ELF_RELOC, "section '%s' insn %u: no %s named '%s'",
			  cs->pub.name, rel->insn,
			  kind == BK_RELO_MAP	      ? "map"
			  : kind == BK_RELO_MAP_VALUE ? "data"
						      : "function",
			  rel->sym);
}

static int cmp_rel_idx(const void *a, const void *b, void *arg)
{
	const struct bk_sec_reloc *r = arg;
	uint32_t x = r[*(const size_t *)a].insn, y = r[*(const size_t *)b].insn;

	return x < y ? -1 : x > y;
}

static int resolve_sec(struct bk_obj *obj, struct bk_csec *cs)
{
	size_t n = cs->pub.nrelocs;
	size_t *ord = calloc(n ? n : 1, sizeof(*ord));
	struct bk_sec_reloc *rs = calloc(n ? n : 1, sizeof(*rs));
	int err = 0;

	cs->tgts = calloc(n ? n : 1, sizeof(*cs->tgts));
	if (!ord || !rs || !cs->tgts) {
		free(ord);
		free(rs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		ord[i] = i;
	qsort_r(ord, n, sizeof(*ord), cmp_rel_idx, cs->relocs);
	for (size_t i = 0; i < n; i++)
		rs[i] = cs->relocs[ord[i]];
	if (n)
		memcpy(cs->relocs, rs, n * sizeof(*rs));
	for (size_t i = 0; i < n && !err; i++) {
		if (i && cs->relocs[i].insn == cs->relocs[i - 1].insn)
			err = bk_obj_err(obj, BK_E_ELF_RELOC,
					 "section '%s': two relocations at "
					 "insn %u",
					 cs->pub.name, cs->relocs[i].insn);
		else
			err = resolve(obj, cs, &cs->relocs[i], &cs->tgts[i]);
		if (!err) {
			cs->relocs[i].kind = cs->tgts[i].kind;
			if (cs->tgts[i].kind == BK_RELO_KCONFIG)
				cs->tgts[i].idx = obj->kconfig_map;
		}
	}
	free(ord);
	free(rs);
	return err;
}

static bool is_map_in_map(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* .maps: each BTF map's struct, zero-filled, with a symbol per map. */
static int lay_out_maps(struct bk_obj *obj)
{
	uint32_t total = 0;
	int di;

	for (size_t i = 0; i < obj->nmaps; i++) {
		struct bk_omap *m = &obj->maps[i];

		if (!is_map_in_map(m->pub.type))
			m->pub.inner = -1;
		else if (m->pub.inner < 0 || (size_t)m->pub.inner >= obj->nmaps ||
			 obj->maps[m->pub.inner].pub.origin != BK_MAP_INNER)
			return bk_obj_err(obj, BK_E_ELF_MAP,
					  "map '%s': a map-in-map needs an inner map template",
					  m->pub.name);
		if (m->pub.origin == BK_MAP_BTF)
			total += 32 * 8;
	}
	if (!total)
		return 0;
	di = bk_obj_add_dsec(obj, ".maps", BK_DSEC_MAPS, NULL, 0);
	if (di < 0)
		return di;
	return 0;
}

static int place_maps(struct bk_obj *obj)
{
	int di = bk_obj_find_dsec(obj, ".maps");
	struct bk_dsec *ds;
	uint32_t off = 0;
	void *bytes;

	if (di < 0)
		return 0;
	ds = &obj->dsecs[di];
	for (size_t i = 0; i < obj->nmaps; i++) {
		struct bk_omap *m = &obj->maps[i];
		struct bk_sym s = {
			.name = m->pub.name, .off = off, .size = m->size, .global = true};
		int err;

		if (m->pub.origin != BK_MAP_BTF)
			continue;
		m->dsec = di;
		m->off = off;
		off += m->size;
		err = push_sym(obj, &ds->syms, &ds->pub.nsyms, &ds->syms_cap, &s);
		if (err < 0)
			return err;
	}
	bytes = bk_obj_alloc(obj, off);
	if (!bytes)
		return -ENOMEM;
	ds->pub.bytes = bytes;
	ds->pub.size = off;
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	const struct bk_line *x = a, *y = b;

	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

int bk_obj__finish(struct bk_obj *obj, struct bk_diag *diag)
{
	int err;

	bk_diag__init(diag);
	if (!obj)
		return -EINVAL;
	if (obj->finished)
		return 0;
	if (!obj->built)
		return -EINVAL;
	obj->diag = diag;
	err = lay_out_maps(obj);
	if (!err)
		err = bk_btf_build(obj, &obj->btf);
	if (!err)
		err = place_maps(obj);
	if (!err)
		err = bk_data_maps(obj);
	for (size_t s = 0; s < obj->nsecs && !err; s++)
		err = resolve_sec(obj, &obj->secs[s]);
	for (size_t s = 0; s < obj->nsecs && !err; s++)
		if (obj->secs[s].nlines > 1)
			qsort(obj->secs[s].lines, obj->secs[s].nlines, sizeof(struct bk_line),
			      cmp_line);
	if (!err)
		err = bk_obj_link(obj);
	obj->diag = NULL;
	if (err) {
		if (err == -ENOMEM)
			bk_diag__set(diag, ENOMEM, -1, "out of memory");
		/* The object cannot be finished twice: relocations are sorted
		 * and partly resolved; callers free it. */
		obj->built = false;
		return err;
	}
	obj->finished = true;
	return 0;
}
