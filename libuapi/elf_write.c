// SPDX-License-Identifier: MIT
/*
 * elf_write.c - bk_obj__write_elf: a built object as an EM_BPF ELF64
 * little-endian relocatable object in the form clang writes and libbpf 1.1
 * loads.
 *
 * Sections: NULL, .strtab (names of sections and symbols), each code
 * section followed by its .rel<name>, license, .maps, data sections, .BTF,
 * .symtab.  Symbols: section symbols and local functions/variables first,
 * then global functions, one OBJECT per map in .maps, global variables and
 * undefined externs.  Relocations follow clang: calls and subprogram
 * addresses against the target's section symbol (call imm = target - 1,
 * ld_imm64 imm = target byte offset; a call within its own section is left
 * pc-relative with no relocation), maps against their symbol, data against
 * the section symbol with the byte offset in imm, externs against an
 * undefined symbol (kfunc calls with src 1 and imm -1).
 *
 * For libbpf, subprograms called from other sections must be in .text.
 */
#include <bpf/btf.h>
#include <ctype.h>
#include <elf.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

struct buf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static size_t put(struct buf *b, const void *data, size_t n)
{
	size_t at = b->len;

	if (b->oom || bk_grow(&b->p, &b->cap, b->len + n, 1)) {
		b->oom = true;
		return at;
	}
	if (data)
		memcpy(b->p + b->len, data, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
	return at;
}

static void align(struct buf *b, size_t a)
{
	while (b->len % a && !b->oom)
		put(b, NULL, 1);
}

static uint32_t str(struct buf *strtab, const char *s)
{
	return (uint32_t)put(strtab, s, strlen(s) + 1);
}

struct wr {
	const struct bk_obj *obj;
	struct buf out, strtab, syms;
	Elf64_Shdr sh[1024];
	size_t nsh;
	uint32_t *csec_shndx, *csec_secsym, *dsec_shndx, *dsec_secsym, *map_sym;
	const char **ext;
	uint32_t *ext_sym;
	size_t next;
	uint32_t nsyms, first_global;
};

static uint32_t add_sym(struct wr *w, const char *name, uint8_t bind, uint8_t type, uint16_t shndx,
			uint64_t value, uint64_t size)
{
	Elf64_Sym s = {.st_name = name ? str(&w->strtab, name) : 0,
		       .st_info = ELF64_ST_INFO(bind, type),
		       .st_shndx = shndx,
		       .st_value = value,
		       .st_size = size};

	put(&w->syms, &s, sizeof(s));
	return w->nsyms++;
}

static size_t add_sec(struct wr *w, const char *name, uint32_t type, uint64_t flags,
		      const void *data, size_t size, uint64_t al)
{
	Elf64_Shdr *s = &w->sh[w->nsh];

	memset(s, 0, sizeof(*s));
	s->sh_name = str(&w->strtab, name);
	s->sh_type = type;
	s->sh_flags = flags;
	s->sh_addralign = al;
	s->sh_size = size;
	if (type != SHT_NOBITS) {
		align(&w->out, al ? al : 1);
		s->sh_offset = put(&w->out, data, size);
	} else {
		s->sh_offset = w->out.len;
	}
	return w->nsh++;
}

static int extern_sym(struct wr *w, const char *name)
{
	for (size_t i = 0; i < w->next; i++)
		if (!strcmp(w->ext[i], name))
			return (int)i;
	w->ext[w->next] = name;
	return (int)w->next++;
}

/* As clang: a relocation naming a global function or variable is made
 * against that symbol (call imm -1, ld_imm64 imm = offset from it), not
 * against its section.  True when name is such a symbol. */
static bool global_named(const struct bk_obj *obj, const char *name)
{
	for (size_t i = 0; name && i < obj->nsecs; i++)
		for (size_t k = 0; k < obj->secs[i].pub.nsyms; k++)
			if (obj->secs[i].syms[k].global && obj->secs[i].syms[k].func &&
			    !strcmp(obj->secs[i].syms[k].name, name))
				return true;
	for (size_t i = 0; name && i < obj->ndsecs; i++)
		for (size_t k = 0;
		     obj->dsecs[i].kind == BK_DSEC_DATA && k < obj->dsecs[i].pub.nsyms; k++)
			if (obj->dsecs[i].syms[k].global &&
			    !strcmp(obj->dsecs[i].syms[k].name, name))
				return true;
	return false;
}

/* Symbol table index of the defined global symbol name. */
static uint32_t global_index(const struct wr *w, const char *name)
{
	const Elf64_Sym *sy = (const Elf64_Sym *)w->syms.p;

	for (uint32_t i = w->first_global; i < w->nsyms; i++)
		if (sy[i].st_shndx != SHN_UNDEF &&
		    !strcmp((const char *)w->strtab.p + sy[i].st_name, name))
			return i;
	return 0;
}

/* Code, patched for the relocations, and the relocations themselves. */
static int code_sec(struct wr *w, size_t si, struct buf *rel)
{
	const struct bk_csec *cs = &w->obj->secs[si];
	struct bk_insn *ins = malloc(cs->pub.cnt * sizeof(*ins));

	if (!ins)
		return -ENOMEM;
	memcpy(ins, cs->insns, cs->pub.cnt * sizeof(*ins));
	for (size_t k = 0; k < cs->pub.nrelocs; k++) {
		const struct bk_rtarget *t = &cs->tgts[k];
		uint32_t i = cs->relocs[k].insn, symi = 0, type = R_BPF_64_64;
		struct bk_insn *in = &ins[i];
		const char *gname = cs->relocs[k].sym;
		bool named = (t->kind == BK_RELO_CALL || t->kind == BK_RELO_FUNC ||
			      t->kind == BK_RELO_MAP_VALUE) &&
			     global_named(w->obj, gname);

		if (named) {
			symi = global_index(w, gname);
			in->src = t->kind == BK_RELO_CALL ? BK_OPDVAL_CALL_LOCAL : 0;
			in->imm = t->kind == BK_RELO_CALL ? -1
				  : t->kind == BK_RELO_FUNC
					  ? 0
					  : (int32_t)(t->off - cs->relocs[k].sym_off);
			if (t->kind != BK_RELO_CALL)
				in[1].imm = 0;
			type = t->kind == BK_RELO_CALL ? R_BPF_64_32 : R_BPF_64_64;
			Elf64_Rel r = {.r_offset = (uint64_t)i * 8,
				       .r_info = ELF64_R_INFO(symi, type)};

			put(rel, &r, sizeof(r));
			continue;
		}
		switch (t->kind) {
		case BK_RELO_CALL:
			in->src = BK_OPDVAL_CALL_LOCAL;
			if ((size_t)t->idx == si) {
				in->imm = (int32_t)((int64_t)t->off - i - 1);
				continue;
			}
			in->imm = (int32_t)t->off - 1;
			symi = w->csec_secsym[t->idx];
			type = R_BPF_64_32;
			break;
		case BK_RELO_FUNC:
			in->src = 0;
			in->imm = (int32_t)(t->off * 8);
			in[1].imm = 0;
			symi = w->csec_secsym[t->idx];
			break;
		case BK_RELO_MAP:
			in->src = 0;
			in->imm = in[1].imm = 0;
			symi = w->map_sym[t->idx];
			break;
		case BK_RELO_MAP_VALUE:
			in->src = 0;
			in->imm = (int32_t)t->off;
			in[1].imm = 0;
			symi = w->dsec_secsym[w->obj->maps[t->idx].dsec];
			break;
		case BK_RELO_KFUNC:
			in->src = BK_OPDVAL_CALL_LOCAL;
			in->imm = -1;
			in->off = 0;
			symi = w->ext_sym[extern_sym(w, t->sym)];
			type = R_BPF_64_32;
			break;
		default: /* KSYM, KCONFIG */
			in->src = 0;
			in->imm = in[1].imm = 0;
			symi = w->ext_sym[extern_sym(w, t->sym)];
			break;
		}
		Elf64_Rel r = {.r_offset = (uint64_t)i * 8, .r_info = ELF64_R_INFO(symi, type)};

		put(rel, &r, sizeof(r));
	}
	w->csec_shndx[si] =
		(uint32_t)add_sec(w, cs->pub.name, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, ins,
				  cs->pub.cnt * sizeof(*ins), 8);
	free(ins);
	return 0;
}

/* True when section si needs a .rel section: any relocation but a call
 * within the section itself. */
static bool has_rel(const struct bk_obj *obj, size_t si)
{
	const struct bk_csec *cs = &obj->secs[si];

	for (size_t k = 0; k < cs->pub.nrelocs; k++)
		if (cs->tgts[k].kind != BK_RELO_CALL || (size_t)cs->tgts[k].idx != si ||
		    global_named(obj, cs->relocs[k].sym))
			return true;
	return false;
}

/* Section numbers are known before any data is written: code sections
 * (each followed by its .rel when it has relocations), license, data
 * sections (.maps among them), .BTF, .symtab. */
static void number_sections(struct wr *w)
{
	const struct bk_obj *obj = w->obj;
	uint32_t n = 2;

	for (size_t i = 0; i < obj->nsecs; i++) {
		w->csec_shndx[i] = n++;
		n += has_rel(obj, i);
	}
	n += obj->license != NULL;
	for (size_t i = 0; i < obj->ndsecs; i++)
		w->dsec_shndx[i] = n++;
}

/* A code section without FUNC symbols that is one function gets a global
 * one named after the section ([A-Za-z0-9_] only), so libbpf sees a
 * program; the reader then finds the same program under the same name. */
static void implicit_funcs(struct wr *w)
{
	const struct bk_obj *obj = w->obj;

	for (size_t i = 0; i < obj->nsecs; i++) {
		const struct bk_csec *cs = &obj->secs[i];
		bool has = false;
		char name[64];

		for (size_t k = 0; k < cs->pub.nsyms; k++)
			has |= cs->syms[k].func;
		if (has || cs->nfns != 1 || !strcmp(cs->pub.name, ".text"))
			continue;
		snprintf(name, sizeof(name), "%s", cs->pub.name);
		for (char *p = name; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				*p = '_';
		add_sym(w, name, STB_GLOBAL, STT_FUNC, (uint16_t)w->csec_shndx[i], 0,
			cs->pub.cnt * sizeof(struct bk_insn));
	}
}

static void symbols(struct wr *w)
{
	const struct bk_obj *obj = w->obj;

	add_sym(w, NULL, STB_LOCAL, STT_NOTYPE, SHN_UNDEF, 0, 0);
	for (size_t i = 0; i < obj->nsecs; i++)
		w->csec_secsym[i] =
			add_sym(w, NULL, STB_LOCAL, STT_SECTION, (uint16_t)w->csec_shndx[i], 0, 0);
	for (size_t i = 0; i < obj->ndsecs; i++)
		w->dsec_secsym[i] =
			add_sym(w, NULL, STB_LOCAL, STT_SECTION, (uint16_t)w->dsec_shndx[i], 0, 0);
	for (int global = 0; global < 2; global++) {
		if (global) {
			w->first_global = w->nsyms;
			implicit_funcs(w);
		}
		for (size_t i = 0; i < obj->nsecs; i++)
			for (size_t k = 0; k < obj->secs[i].pub.nsyms; k++) {
				const struct bk_sym *s = &obj->secs[i].syms[k];

				if (s->global == global)
					add_sym(w, s->name, global ? STB_GLOBAL : STB_LOCAL,
						s->func ? STT_FUNC : STT_NOTYPE,
						(uint16_t)w->csec_shndx[i], s->off, s->size);
			}
		for (size_t i = 0; i < obj->ndsecs; i++)
			for (size_t k = 0; k < obj->dsecs[i].pub.nsyms; k++) {
				const struct bk_sym *s = &obj->dsecs[i].syms[k];
				uint32_t si;

				if (s->global != global)
					continue;
				si = add_sym(w, s->name, global ? STB_GLOBAL : STB_LOCAL,
					     STT_OBJECT, (uint16_t)w->dsec_shndx[i], s->off,
					     s->size);
				if (obj->dsecs[i].kind != BK_DSEC_MAPS)
					continue;
				for (size_t m = 0; m < obj->nmaps; m++)
					if (obj->maps[m].dsec == (int)i &&
					    obj->maps[m].off == s->off)
						w->map_sym[m] = si;
			}
	}
	/* Externs, in the order relocations name them. */
	for (size_t i = 0; i < obj->nsecs; i++)
		for (size_t k = 0; k < obj->secs[i].pub.nrelocs; k++) {
			const struct bk_rtarget *t = &obj->secs[i].tgts[k];
			size_t before = w->next;
			int e;

			if (t->kind != BK_RELO_KFUNC && t->kind != BK_RELO_KSYM &&
			    t->kind != BK_RELO_KCONFIG)
				continue;
			e = extern_sym(w, t->sym);
			if (w->next != before)
				w->ext_sym[e] =
					add_sym(w, t->sym, STB_GLOBAL, STT_NOTYPE, SHN_UNDEF, 0, 0);
		}
}

static int write_all(struct wr *w)
{
	const struct bk_obj *obj = w->obj;
	Elf64_Ehdr eh = {0};
	size_t symtab;
	int err;

	put(&w->out, NULL, sizeof(eh));
	put(&w->strtab, "", 1);
	w->nsh = 2; /* 0: NULL, 1: .strtab, written last */
	number_sections(w);
	symbols(w);
	for (size_t i = 0; i < obj->nsecs; i++) {
		struct buf rel = {0};
		char *rname;

		err = code_sec(w, i, &rel);
		if (!err && has_rel(obj, i)) {
			rname = malloc(strlen(obj->secs[i].pub.name) + 5);
			if (!rname) {
				err = -ENOMEM;
			} else {
				size_t r = add_sec(
					w, strcat(strcpy(rname, ".rel"), obj->secs[i].pub.name),
					SHT_REL, SHF_INFO_LINK, rel.p, rel.len, 8);

				w->sh[r].sh_entsize = sizeof(Elf64_Rel);
				w->sh[r].sh_info = w->csec_shndx[i];
				free(rname);
			}
		}
		free(rel.p);
		if (err)
			return err;
	}
	if (obj->license)
		add_sec(w, "license", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, obj->license,
			strlen(obj->license) + 1, 1);
	for (size_t i = 0; i < obj->ndsecs; i++) {
		const struct bk_dsec *ds = &obj->dsecs[i];
		bool ro = !strncmp(ds->pub.name, ".rodata", 7);
		uint32_t type = ds->pub.bytes || !ds->pub.size ? SHT_PROGBITS : SHT_NOBITS;

		add_sec(w, ds->pub.name, type, SHF_ALLOC | (ro ? 0 : SHF_WRITE), ds->pub.bytes,
			ds->pub.size, 8);
	}
	if (obj->btf) {
		uint32_t sz;
		const void *raw = btf__raw_data(obj->btf, &sz);

		if (!raw)
			return -ENOMEM;
		add_sec(w, ".BTF", SHT_PROGBITS, 0, raw, sz, 4);
	}
	symtab = add_sec(w, ".symtab", SHT_SYMTAB, 0, w->syms.p, w->syms.len, 8);
	w->sh[symtab].sh_link = 1;
	w->sh[symtab].sh_info = w->first_global;
	w->sh[symtab].sh_entsize = sizeof(Elf64_Sym);
	for (size_t i = 2; i < w->nsh; i++)
		if (w->sh[i].sh_type == SHT_REL)
			w->sh[i].sh_link = (uint32_t)symtab;
	/* .strtab last, so it holds every name. */
	w->sh[1] = (Elf64_Shdr){
		.sh_name = str(&w->strtab, ".strtab"), .sh_type = SHT_STRTAB, .sh_addralign = 1};
	w->sh[1].sh_offset = put(&w->out, w->strtab.p, w->strtab.len);
	w->sh[1].sh_size = w->strtab.len;
	align(&w->out, 8);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_REL;
	eh.e_machine = EM_BPF;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = (uint16_t)w->nsh;
	eh.e_shstrndx = 1;
	eh.e_shoff = put(&w->out, w->sh, w->nsh * sizeof(Elf64_Shdr));
	if (w->out.oom || w->strtab.oom || w->syms.oom)
		return -ENOMEM;
	memcpy(w->out.p, &eh, sizeof(eh));
	return 0;
}

int bk_obj__write_elf(const struct bk_obj *obj, void **buf, size_t *len, struct bk_diag *diag)
{
	struct wr w = {.obj = obj};
	size_t nrel = 0;
	int err = 0;

	bk_diag__init(diag);
	if (!obj || !buf || !len)
		return -EINVAL;
	*buf = NULL;
	*len = 0;
	if (!obj->finished || !obj->built)
		return bk_diag__set(diag, EINVAL, -1,
				    "only finished objects made with bk_obj__new can be written");
	if (obj->nsecs * 2 + obj->ndsecs + 8 > sizeof(w.sh) / sizeof(w.sh[0]))
		return bk_diag__set(diag, E2BIG, -1, "too many sections");
	for (size_t i = 0; i < obj->nsecs; i++)
		nrel += obj->secs[i].pub.nrelocs;
	w.csec_shndx = calloc(obj->nsecs + 1, sizeof(uint32_t));
	w.csec_secsym = calloc(obj->nsecs + 1, sizeof(uint32_t));
	w.dsec_shndx = calloc(obj->ndsecs + 1, sizeof(uint32_t));
	w.dsec_secsym = calloc(obj->ndsecs + 1, sizeof(uint32_t));
	w.map_sym = calloc(obj->nmaps + 1, sizeof(uint32_t));
	w.ext = calloc(nrel + 1, sizeof(*w.ext));
	w.ext_sym = calloc(nrel + 1, sizeof(uint32_t));
	if (!w.csec_shndx || !w.csec_secsym || !w.dsec_shndx || !w.dsec_secsym || !w.map_sym ||
	    !w.ext || !w.ext_sym)
		err = -ENOMEM;
	if (!err)
		err = write_all(&w);
	free(w.csec_shndx);
	free(w.csec_secsym);
	free(w.dsec_shndx);
	free(w.dsec_secsym);
	free(w.map_sym);
	free(w.ext);
	free(w.ext_sym);
	free(w.strtab.p);
	free(w.syms.p);
	if (err) {
		free(w.out.p);
		return bk_diag__set(diag, -err, -1, "cannot write the object: %s",
				    err == -ENOMEM ? "out of memory" : "error");
	}
	*buf = w.out.p;
	*len = w.out.len;
	return 0;
}
