// SPDX-License-Identifier: MIT
/*
 * elf_read.c - bk_obj__open_*: EM_BPF relocatable objects (as clang -target
 * bpf writes them) into the object model of obj_int.h.
 *
 * libelf is not trusted with garbage: the ELF header and every section
 * header are checked against the file size on the raw bytes before libelf
 * sees the image, and every index read from the file (sh_link, sh_info,
 * st_shndx, st_name, r_info, r_offset) is range-checked before use.  After
 * that, libelf (gelf) gives section data, symbols and relocations.
 *
 * Order: sections, symbols, BTF, maps (.maps, maps, data sections),
 * relocations (which need the maps), .BTF.ext, then linking (obj_link.c).
 */
#include <bpf/btf.h>
#include <elf.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

struct rd {
	struct bk_obj *obj;
	char *img;
	size_t len;
	Elf *elf;
	Elf64_Shdr *sh; /* raw section headers, checked */
	size_t shnum, shstrndx;
	size_t symtab; /* 0: none */
	Elf_Data *symdata;
	size_t nsyms;
	int *csec;	     /* by section index: code section, or -1 */
	int *dsec;	     /* by section index: data section, or -1 */
	size_t btf, btf_ext; /* section indices, 0: none */
};

/* A NUL-terminated string at off in string section idx, or NULL. */
static const char *strat(const struct rd *r, size_t idx, uint64_t off)
{
	const Elf64_Shdr *s;

	if (idx == 0 || idx >= r->shnum)
		return NULL;
	s = &r->sh[idx];
	if (s->sh_type != SHT_STRTAB || off >= s->sh_size)
		return NULL;
	if (!memchr(r->img + s->sh_offset + off, '\0', s->sh_size - off))
		return NULL;
	return r->img + s->sh_offset + off;
}

static const char *secname(const struct rd *r, size_t i)
{
	const char *n = strat(r, r->shstrndx, r->sh[i].sh_name);

	return n ? n : "?";
}

static int check_headers(struct rd *r)
{
	struct bk_obj *obj = r->obj;
	Elf64_Ehdr eh;

	if (r->len < sizeof(eh))
		return bk_obj_err(obj, BK_E_ELF, "file is too short for an ELF header (%zu bytes)",
				  r->len);
	memcpy(&eh, r->img, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return bk_obj_err(obj, BK_E_ELF, "not an ELF file (bad magic)");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return bk_obj_err(obj, BK_E_ELF_MACHINE, "not a 64-bit ELF object");
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return bk_obj_err(obj, BK_E_ELF_MACHINE,
				  "big-endian BPF objects are not supported");
	if (eh.e_machine != EM_BPF)
		return bk_obj_err(obj, BK_E_ELF_MACHINE,
				  "not a BPF object (e_machine %u, expected %u)", eh.e_machine,
				  EM_BPF);
	if (eh.e_type != ET_REL)
		return bk_obj_err(obj, BK_E_ELF, "not a relocatable object (e_type %u)", eh.e_type);
	if (eh.e_shnum == 0 || eh.e_shentsize != sizeof(Elf64_Shdr))
		return bk_obj_err(obj, BK_E_ELF,
				  "bad section header table (%u entries of %u bytes)", eh.e_shnum,
				  eh.e_shentsize);
	if (eh.e_shoff > r->len || (r->len - eh.e_shoff) / sizeof(Elf64_Shdr) < eh.e_shnum)
		return bk_obj_err(obj, BK_E_ELF,
				  "section header table at 0x%llx runs past the end of the file "
				  "(%zu bytes)",
				  (unsigned long long)eh.e_shoff, r->len);
	if (eh.e_shstrndx == 0 || eh.e_shstrndx >= eh.e_shnum)
		return bk_obj_err(obj, BK_E_ELF, "section name table index %u out of range",
				  eh.e_shstrndx);
	r->shnum = eh.e_shnum;
	r->shstrndx = eh.e_shstrndx;
	r->sh = calloc(r->shnum, sizeof(*r->sh));
	if (!r->sh)
		return -ENOMEM;
	memcpy(r->sh, r->img + eh.e_shoff, r->shnum * sizeof(*r->sh));
	for (size_t i = 0; i < r->shnum; i++) {
		const Elf64_Shdr *s = &r->sh[i];

		if (i == 0 || s->sh_type == SHT_NOBITS || s->sh_type == SHT_NULL)
			continue;
		if (s->sh_offset > r->len || s->sh_size > r->len - s->sh_offset)
			return bk_obj_err(
				obj, BK_E_ELF_SECTION,
				"section %zu: offset 0x%llx size 0x%llx runs past the end "
				"of the file (%zu bytes)",
				i, (unsigned long long)s->sh_offset, (unsigned long long)s->sh_size,
				r->len);
	}
	if (r->sh[r->shstrndx].sh_type != SHT_STRTAB)
		return bk_obj_err(obj, BK_E_ELF_SECTION, "section name table %zu is not a STRTAB",
				  r->shstrndx);
	for (size_t i = 1; i < r->shnum; i++)
		if (!strat(r, r->shstrndx, r->sh[i].sh_name))
			return bk_obj_err(obj, BK_E_ELF_SECTION,
					  "section %zu: name offset %u outside the name table", i,
					  r->sh[i].sh_name);
	return 0;
}

/* Data of section i as libelf gives it; NULL with *size for NOBITS. */
static int sec_data(struct rd *r, size_t i, const void **buf, size_t *size)
{
	Elf_Scn *scn = elf_getscn(r->elf, i);
	Elf_Data *d;

	*buf = NULL;
	*size = r->sh[i].sh_size;
	if (r->sh[i].sh_type == SHT_NOBITS)
		return 0;
	d = scn ? elf_getdata(scn, NULL) : NULL;
	if (!d || d->d_size != r->sh[i].sh_size || (d->d_size && !d->d_buf))
		return bk_obj_err(r->obj, BK_E_ELF_SECTION, "section '%s': cannot read its data",
				  secname(r, i));
	*buf = d->d_buf;
	return 0;
}

static bool has_pfx(const char *s, const char *p)
{
	size_t n = strlen(p);

	return !strncmp(s, p, n) && (s[n] == '\0' || s[n] == '.');
}

static bool is_data_name(const char *n)
{
	return has_pfx(n, ".data") || has_pfx(n, ".rodata") || has_pfx(n, ".bss");
}

/* One section by name and type: code, data, license, version, BTF, ... */
static int take_section(struct rd *r, size_t i)
{
	struct bk_obj *obj = r->obj;
	const Elf64_Shdr *s = &r->sh[i];
	const char *name = secname(r, i);
	const void *buf;
	size_t size;
	int err, idx;

	if (s->sh_type == SHT_SYMTAB) {
		if (r->symtab)
			return bk_obj_err(obj, BK_E_ELF_SECTION, "more than one symbol table");
		r->symtab = i;
		return 0;
	}
	if (s->sh_type != SHT_PROGBITS && s->sh_type != SHT_NOBITS)
		return 0;
	if (s->sh_type == SHT_PROGBITS && (s->sh_flags & SHF_EXECINSTR)) {
		if (s->sh_size % sizeof(struct bk_insn))
			return bk_obj_err(obj, BK_E_ELF_SECTION,
					  "section '%s': size %llu is not a multiple of 8", name,
					  (unsigned long long)s->sh_size);
		if (!s->sh_size)
			return 0;
		err = sec_data(r, i, &buf, &size);
		if (err)
			return err;
		idx = bk_obj_add_csec(obj, name, buf, size / sizeof(struct bk_insn));
		if (idx < 0)
			return idx;
		obj->secs[idx].shndx = (uint32_t)i;
		r->csec[i] = idx;
		return 0;
	}
	if (!strcmp(name, ".BTF")) {
		r->btf = i;
		return 0;
	}
	if (!strcmp(name, ".BTF.ext")) {
		r->btf_ext = i;
		return 0;
	}
	err = sec_data(r, i, &buf, &size);
	if (err)
		return err;
	if (!strcmp(name, "license")) {
		obj->license = buf ? bk_obj_strndup(obj, buf, size) : NULL;
		return buf && !obj->license ? -ENOMEM : 0;
	}
	if (!strcmp(name, "version")) {
		if (size != 4 || !buf)
			return bk_obj_err(obj, BK_E_ELF_SECTION,
					  "section 'version': size %zu, expected 4", size);
		memcpy(&obj->kversion, buf, 4);
		return 0;
	}
	uint8_t kind;

	if (!strcmp(name, ".maps"))
		kind = BK_DSEC_MAPS;
	else if (!strcmp(name, "maps"))
		kind = BK_DSEC_LEGACY;
	else if (is_data_name(name) && (s->sh_flags & SHF_ALLOC))
		kind = BK_DSEC_DATA;
	else
		return 0;
	idx = bk_obj_add_dsec(obj, name, kind, buf, size);
	if (idx < 0)
		return idx;
	obj->dsecs[idx].shndx = (uint32_t)i;
	r->dsec[i] = idx;
	return 0;
}

static int get_sym(struct rd *r, size_t i, GElf_Sym *sym, const char **name)
{
	if (i == 0 || i >= r->nsyms || !gelf_getsym(r->symdata, (int)i, sym))
		return bk_obj_err(r->obj, BK_E_ELF_SYMBOL, "symbol index %zu out of range (%zu)", i,
				  r->nsyms);
	if (ELF64_ST_TYPE(sym->st_info) == STT_SECTION && sym->st_shndx < r->shnum)
		*name = secname(r, sym->st_shndx);
	else
		*name = strat(r, r->sh[r->symtab].sh_link, sym->st_name);
	if (!*name)
		return bk_obj_err(r->obj, BK_E_ELF_SYMBOL,
				  "symbol %zu: name offset %u outside the string table", i,
				  sym->st_name);
	if (sym->st_shndx == SHN_XINDEX ||
	    (sym->st_shndx >= r->shnum && sym->st_shndx < SHN_LORESERVE))
		return bk_obj_err(r->obj, BK_E_ELF_SYMBOL,
				  "symbol '%s': section index %u out of range", *name,
				  sym->st_shndx);
	return 0;
}

static int add_sym(struct bk_obj *obj, struct bk_sym **arr, size_t *n, size_t *cap,
		   const struct bk_sym *s)
{
	if (bk_grow(arr, cap, *n + 1, sizeof(**arr)))
		return -ENOMEM;
	(*arr)[(*n)++] = *s;
	(*arr)[*n - 1].name = bk_obj_strdup(obj, s->name);
	return (*arr)[*n - 1].name ? 0 : -ENOMEM;
}

/* Function symbols of code sections and variables of data sections. */
static int take_symbols(struct rd *r)
{
	struct bk_obj *obj = r->obj;
	const Elf64_Shdr *st;
	int err;

	if (!r->symtab)
		return 0;
	st = &r->sh[r->symtab];
	if (st->sh_entsize != sizeof(Elf64_Sym) || st->sh_size % sizeof(Elf64_Sym))
		return bk_obj_err(obj, BK_E_ELF_SECTION, "symbol table: entry size %llu, size %llu",
				  (unsigned long long)st->sh_entsize,
				  (unsigned long long)st->sh_size);
	if (st->sh_link >= r->shnum || r->sh[st->sh_link].sh_type != SHT_STRTAB)
		return bk_obj_err(obj, BK_E_ELF_SECTION,
				  "symbol table: string table index %u is not a STRTAB",
				  st->sh_link);
	r->symdata = elf_getdata(elf_getscn(r->elf, r->symtab), NULL);
	if (!r->symdata || r->symdata->d_size != st->sh_size)
		return bk_obj_err(obj, BK_E_ELF_SECTION, "symbol table: cannot read its data");
	r->nsyms = st->sh_size / sizeof(Elf64_Sym);
	for (size_t i = 1; i < r->nsyms; i++) {
		GElf_Sym sym;
		const char *name;
		int type;

		err = get_sym(r, i, &sym, &name);
		if (err)
			return err;
		type = ELF64_ST_TYPE(sym.st_info);
		if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE ||
		    type == STT_SECTION || type == STT_FILE)
			continue;
		struct bk_sym bs = {.name = name,
				    .off = (uint32_t)sym.st_value,
				    .size = (uint32_t)sym.st_size,
				    .global = ELF64_ST_BIND(sym.st_info) != STB_LOCAL,
				    .func = type == STT_FUNC,
				    .hidden = GELF_ST_VISIBILITY(sym.st_other) == STV_HIDDEN};
		int ci = r->csec[sym.st_shndx], di = r->dsec[sym.st_shndx];
		uint64_t secsz = r->sh[sym.st_shndx].sh_size;

		if (ci >= 0 && type == STT_FUNC) {
			struct bk_csec *cs = &obj->secs[ci];

			if (sym.st_value % 8 || sym.st_size % 8 || sym.st_value > secsz ||
			    sym.st_size > secsz - sym.st_value)
				return bk_obj_err(obj, BK_E_ELF_SYMBOL,
						  "function '%s' in section '%s': offset %llu size "
						  "%llu not on instructions inside the section",
						  name, cs->pub.name,
						  (unsigned long long)sym.st_value,
						  (unsigned long long)sym.st_size);
			err = add_sym(obj, &cs->syms, &cs->pub.nsyms, &cs->syms_cap, &bs);
		} else if (di >= 0 && type != STT_FUNC) {
			struct bk_dsec *ds = &obj->dsecs[di];

			if (sym.st_value > secsz || sym.st_size > secsz - sym.st_value)
				return bk_obj_err(
					obj, BK_E_ELF_SYMBOL,
					"symbol '%s': offset %llu size %llu outside section "
					"'%s' (%llu bytes)",
					name, (unsigned long long)sym.st_value,
					(unsigned long long)sym.st_size, ds->pub.name,
					(unsigned long long)secsz);
			err = add_sym(obj, &ds->syms, &ds->pub.nsyms, &ds->syms_cap, &bs);
		}
		if (err)
			return err;
	}
	return 0;
}

static int take_btf(struct rd *r)
{
	struct bk_obj *obj = r->obj;
	const void *buf;
	size_t size;
	int err;

	if (!r->btf)
		return 0;
	err = sec_data(r, r->btf, &buf, &size);
	if (err)
		return err;
	if (!buf)
		return bk_obj_err(obj, BK_E_BTF, "section '.BTF' has no data");
	err = bk_btf_precheck(obj, buf, size);
	if (err)
		return err;
	obj->btf = btf__new(buf, (uint32_t)size);
	if (!obj->btf) {
		err = errno;
		return bk_obj_err(obj, BK_E_BTF, "section '.BTF': cannot parse (%s)",
				  strerror(err));
	}
	return bk_btf_check(obj);
}

/* As libbpf does before loading: a global function of hidden visibility
 * (__hidden, as in usdt.bpf.h) gets static linkage in BTF, so that it is
 * verified with its callers' context like any static function. */
static void hidden_funcs_static(struct bk_obj *obj)
{
	for (size_t c = 0; obj->btf && c < obj->nsecs; c++) {
		const struct bk_csec *cs = &obj->secs[c];

		for (size_t i = 0; i < cs->pub.nsyms; i++) {
			const struct bk_sym *s = &cs->syms[i];
			int id;

			if (!s->func || !s->global || !s->hidden)
				continue;
			id = btf__find_by_name_kind(obj->btf, s->name, BTF_KIND_FUNC);
			if (id <= 0)
				continue;
			/* libbpf's types are const to readers; this is the
			 * object's own copy, edited once before any use */
			struct btf_type *t =
				(struct btf_type *)btf__type_by_id(obj->btf, (uint32_t)id);

			if (btf_vlen(t) == BTF_FUNC_GLOBAL)
				t->info = (t->info & ~0xffffu) | BTF_FUNC_STATIC;
		}
	}
}

static int take_btf_ext(struct rd *r)
{
	struct bk_obj *obj = r->obj;
	const void *buf;
	size_t size;
	int err;

	if (!r->btf_ext)
		return 0;
	if (!obj->btf)
		return bk_obj_err(obj, BK_E_BTF_EXT, "section '.BTF.ext' without '.BTF'");
	err = sec_data(r, r->btf_ext, &buf, &size);
	if (err)
		return err;
	if (!buf)
		return bk_obj_err(obj, BK_E_BTF_EXT, "section '.BTF.ext' has no data");
	err = bk_btf_ext_parse(obj, buf, size);
	if (err)
		return err;
	/* Ours checked it; libbpf's copy is for bk_obj__btf_ext() users. */
	obj->btf_ext = btf_ext__new(buf, (uint32_t)size);
	return 0;
}

static int take_maps(struct rd *r)
{
	struct bk_obj *obj = r->obj;
	int err;

	for (size_t i = 0; i < obj->ndsecs; i++) {
		if (obj->dsecs[i].kind == BK_DSEC_MAPS)
			err = bk_btf_maps(obj, (int)i);
		else if (obj->dsecs[i].kind == BK_DSEC_LEGACY)
			err = bk_legacy_maps(obj, (int)i);
		else
			continue;
		if (err)
			return err;
	}
	return bk_data_maps(obj);
}

/* ---- relocations of code sections ---------------------------------------- */

struct rrel {
	struct bk_sec_reloc rel;
	struct bk_rtarget tgt;
};

static int cmp_rrel(const void *a, const void *b)
{
	const struct rrel *x = a, *y = b;

	return x->rel.insn < y->rel.insn ? -1 : x->rel.insn > y->rel.insn;
}

/* Where an R_BPF_64_64 / R_BPF_64_32 at insn of code section cs points. */
static int classify(struct rd *r, struct bk_csec *cs, struct rrel *rr, const GElf_Sym *sym,
		    const char *name)
{
	struct bk_obj *obj = r->obj;
	const struct bk_insn *in = &cs->insns[rr->rel.insn];
	bool call = in->code == BK_OPC_CALL;
	int64_t imm = in->imm;
	uint32_t at = rr->rel.insn;

	rr->tgt.idx = -1;
	if (sym->st_shndx == SHN_UNDEF) {
		rr->tgt.sym = rr->rel.sym;
		if (call) {
			rr->tgt.kind = BK_RELO_KFUNC;
		} else if (bk_btf_is_kconfig(obj, name)) {
			rr->tgt.kind = BK_RELO_KCONFIG;
			return bk_kconfig_extern(obj, name, &rr->tgt.idx, &rr->tgt.off);
		} else {
			rr->tgt.kind = BK_RELO_KSYM;
		}
		return 0;
	}
	if (sym->st_shndx >= SHN_LORESERVE)
		return bk_obj_err(obj, BK_E_ELF_RELOC,
				  "section '%s': relocation at insn %u against '%s', an absolute "
				  "or common symbol",
				  cs->pub.name, at, name);
	int ci = r->csec[sym->st_shndx], di = r->dsec[sym->st_shndx];

	if (ci >= 0) {
		uint64_t cnt = obj->secs[ci].pub.cnt;
		int64_t t;

		if (sym->st_value % 8 || (!call && imm % 8))
			return bk_obj_err(obj, BK_E_ELF_RELOC,
					  "section '%s': insn %u refers to '%s'+%lld, not on an "
					  "instruction",
					  cs->pub.name, at, name, (long long)imm);
		t = call ? (int64_t)(sym->st_value / 8) + imm + 1
			 : (int64_t)(sym->st_value / 8) + imm / 8;
		if (t < 0 || (uint64_t)t >= cnt)
			return bk_obj_err(obj, BK_E_ELF_RELOC,
					  "section '%s': insn %u calls nowhere (insn %lld of "
					  "section '%s', which has %llu)",
					  cs->pub.name, at, (long long)t, obj->secs[ci].pub.name,
					  (unsigned long long)cnt);
		rr->tgt.kind = call ? BK_RELO_CALL : BK_RELO_FUNC;
		rr->tgt.idx = ci;
		rr->tgt.off = (uint32_t)t;
		return 0;
	}
	if (di < 0)
		return bk_obj_err(obj, BK_E_ELF_RELOC,
				  "section '%s': insn %u refers to '%s' in section '%s', which "
				  "holds neither code nor data",
				  cs->pub.name, at, name, secname(r, sym->st_shndx));
	struct bk_dsec *ds = &obj->dsecs[di];

	if (call)
		return bk_obj_err(obj, BK_E_ELF_RELOC,
				  "section '%s': call at insn %u against data symbol '%s'",
				  cs->pub.name, at, name);
	if (ds->kind == BK_DSEC_DATA) {
		int64_t off = (int64_t)sym->st_value + imm;

		if (ds->map < 0 || off < 0 || (uint64_t)off > ds->pub.size)
			return bk_obj_err(obj, BK_E_ELF_RELOC,
					  "section '%s': insn %u refers to offset %lld of '%s' "
					  "(%zu bytes)",
					  cs->pub.name, at, (long long)off, ds->pub.name,
					  ds->pub.size);
		rr->tgt.kind = BK_RELO_MAP_VALUE;
		rr->tgt.idx = ds->map;
		rr->tgt.off = (uint32_t)off;
		return 0;
	}
	for (size_t m = 0; m < obj->nmaps; m++)
		if (obj->maps[m].dsec == di && obj->maps[m].off == sym->st_value) {
			rr->tgt.kind = BK_RELO_MAP;
			rr->tgt.idx = (int32_t)m;
			return 0;
		}
	return bk_obj_err(obj, BK_E_ELF_RELOC,
			  "section '%s': insn %u refers to '%s' at offset %llu of '%s', which is "
			  "no map",
			  cs->pub.name, at, name, (unsigned long long)sym->st_value, ds->pub.name);
}

static int one_reloc(struct rd *r, struct bk_csec *cs, const GElf_Rel *rel, struct rrel *rr)
{
	struct bk_obj *obj = r->obj;
	size_t symi = ELF64_R_SYM(rel->r_info);
	unsigned type = ELF64_R_TYPE(rel->r_info);
	const struct bk_insn *in;
	const char *name;
	GElf_Sym sym;
	int err;

	if (rel->r_offset % 8 || rel->r_offset / 8 >= cs->pub.cnt)
		return bk_obj_err(obj, BK_E_ELF_RELOC,
				  "section '%s': relocation offset 0x%llx is not on an instruction "
				  "of the section (%zu)",
				  cs->pub.name, (unsigned long long)rel->r_offset, cs->pub.cnt);
	rr->rel.insn = (uint32_t)(rel->r_offset / 8);
	in = &cs->insns[rr->rel.insn];
	err = get_sym(r, symi, &sym, &name);
	if (err)
		return err;
	if (type == R_BPF_64_64) {
		if (in->code != BK_OPC_LDDW || rr->rel.insn + 1 >= cs->pub.cnt)
			return bk_obj_err(
				obj, BK_E_ELF_RELOC,
				"section '%s': R_BPF_64_64 against '%s' at insn %u, which "
				"is not a complete ld_imm64",
				cs->pub.name, name, rr->rel.insn);
	} else if (type == R_BPF_64_32) {
		if (in->code != BK_OPC_CALL || in->src != BK_OPDVAL_CALL_LOCAL)
			return bk_obj_err(
				obj, BK_E_ELF_RELOC,
				"section '%s': R_BPF_64_32 against '%s' at insn %u, which "
				"is not a BPF-to-BPF call",
				cs->pub.name, name, rr->rel.insn);
	} else {
		return bk_obj_err(obj, BK_E_ELF_RELOC,
				  "section '%s': relocation type %u against '%s' at insn %u is not "
				  "supported in code",
				  cs->pub.name, type, name, rr->rel.insn);
	}
	rr->rel.sym = bk_obj_strdup(obj, name);
	if (!rr->rel.sym)
		return -ENOMEM;
	rr->rel.sym_off = (uint32_t)sym.st_value;
	rr->rel.addend = in->imm;
	err = classify(r, cs, rr, &sym, name);
	rr->rel.kind = rr->tgt.kind;
	return err;
}

static int sec_relocs(struct rd *r, size_t i, struct bk_csec *cs)
{
	const Elf64_Shdr *s = &r->sh[i];
	struct rrel *rr;
	Elf_Data *d;
	size_t n;
	int err = 0;

	if (s->sh_entsize != sizeof(Elf64_Rel) || s->sh_size % sizeof(Elf64_Rel))
		return bk_obj_err(r->obj, BK_E_ELF_SECTION,
				  "section '%s': entry size %llu, size %llu", secname(r, i),
				  (unsigned long long)s->sh_entsize,
				  (unsigned long long)s->sh_size);
	if (!r->symtab || s->sh_link != r->symtab)
		return bk_obj_err(r->obj, BK_E_ELF_SECTION,
				  "section '%s': linked to section %u, not the symbol table",
				  secname(r, i), s->sh_link);
	if (cs->pub.nrelocs)
		return bk_obj_err(r->obj, BK_E_ELF_SECTION,
				  "section '%s': a second relocation section for '%s'",
				  secname(r, i), cs->pub.name);
	n = s->sh_size / sizeof(Elf64_Rel);
	d = elf_getdata(elf_getscn(r->elf, i), NULL);
	if (!d || d->d_size != s->sh_size)
		return bk_obj_err(r->obj, BK_E_ELF_SECTION, "section '%s': cannot read its data",
				  secname(r, i));
	rr = calloc(n ? n : 1, sizeof(*rr));
	if (!rr)
		return -ENOMEM;
	for (size_t k = 0; k < n && !err; k++) {
		GElf_Rel rel;

		if (!gelf_getrel(d, (int)k, &rel))
			err = bk_obj_err(r->obj, BK_E_ELF_RELOC, "section '%s': bad entry %zu",
					 secname(r, i), k);
		else
			err = one_reloc(r, cs, &rel, &rr[k]);
	}
	if (!err) {
		qsort(rr, n, sizeof(*rr), cmp_rrel);
		for (size_t k = 1; k < n && !err; k++)
			if (rr[k].rel.insn == rr[k - 1].rel.insn)
				err = bk_obj_err(r->obj, BK_E_ELF_RELOC,
						 "section '%s': two relocations at insn %u",
						 cs->pub.name, rr[k].rel.insn);
	}
	if (!err) {
		cs->relocs = calloc(n ? n : 1, sizeof(*cs->relocs));
		cs->tgts = calloc(n ? n : 1, sizeof(*cs->tgts));
		if (!cs->relocs || !cs->tgts)
			err = -ENOMEM;
	}
	if (!err) {
		for (size_t k = 0; k < n; k++) {
			cs->relocs[k] = rr[k].rel;
			cs->tgts[k] = rr[k].tgt;
		}
		cs->relocs_cap = n;
		cs->pub.relocs = cs->relocs;
		cs->pub.nrelocs = n;
	}
	free(rr);
	return err;
}

/* REL sections of code sections; those of debug and BTF sections (the
 * R_BPF_64_ABS* and NODYLD32 kinds) and of .maps are not needed. */
static int take_relocs(struct rd *r)
{
	for (size_t i = 1; i < r->shnum; i++) {
		const Elf64_Shdr *s = &r->sh[i];
		int err;

		if (s->sh_type != SHT_REL && s->sh_type != SHT_RELA)
			continue;
		if (s->sh_info >= r->shnum)
			return bk_obj_err(r->obj, BK_E_ELF_SECTION,
					  "section '%s': target section %u out of range",
					  secname(r, i), s->sh_info);
		if (r->csec[s->sh_info] < 0)
			continue;
		if (s->sh_type == SHT_RELA)
			return bk_obj_err(r->obj, BK_E_ELF_SECTION,
					  "section '%s': RELA relocations are not used by BPF",
					  secname(r, i));
		err = sec_relocs(r, i, &r->obj->secs[r->csec[s->sh_info]]);
		if (err)
			return err;
	}
	return 0;
}

static int open_image(struct rd *r)
{
	int err = check_headers(r);

	if (err)
		return err;
	elf_version(EV_CURRENT);
	r->elf = elf_memory(r->img, r->len);
	if (!r->elf || elf_kind(r->elf) != ELF_K_ELF)
		return bk_obj_err(r->obj, BK_E_ELF, "libelf cannot read the object: %s",
				  elf_errmsg(-1));
	r->csec = malloc(r->shnum * sizeof(int));
	r->dsec = malloc(r->shnum * sizeof(int));
	if (!r->csec || !r->dsec)
		return -ENOMEM;
	for (size_t i = 0; i < r->shnum; i++)
		r->csec[i] = r->dsec[i] = -1;
	for (size_t i = 1; i < r->shnum; i++) {
		err = take_section(r, i);
		if (err)
			return err;
	}
	err = take_symbols(r);
	if (!err)
		err = take_btf(r);
	if (!err)
		hidden_funcs_static(r->obj);
	if (!err)
		err = take_maps(r);
	if (!err)
		err = take_relocs(r);
	if (!err)
		err = take_btf_ext(r);
	if (!err)
		err = bk_obj_link(r->obj);
	return err;
}

int bk_obj__open_mem(const void *buf, size_t len, const struct bk_obj_opts *opts,
		     struct bk_obj **out, struct bk_diag *diag)
{
	const char *name = opts && opts->sz >= sizeof(*opts) && opts->name ? opts->name : "<mem>";
	struct rd r = {0};
	int err;

	bk_diag__init(diag);
	*out = NULL;
	r.obj = bk_obj_alloc_new(name);
	if (!r.obj)
		return -ENOMEM;
	r.obj->diag = diag;
	r.len = len;
	r.img = malloc(len ? len : 1);
	if (!r.img) {
		bk_obj__free(r.obj);
		return -ENOMEM;
	}
	if (len)
		memcpy(r.img, buf, len);
	err = open_image(&r);
	if (r.elf)
		elf_end(r.elf);
	free(r.img);
	free(r.sh);
	free(r.csec);
	free(r.dsec);
	if (err) {
		if (err == -ENOMEM)
			bk_diag__set(diag, ENOMEM, -1, "out of memory");
		if (diag)
			diag->file = name; /* the caller's, not the object's copy */
		bk_obj__free(r.obj);
		return err;
	}
	r.obj->diag = NULL;
	r.obj->finished = true;
	*out = r.obj;
	return 0;
}

int bk_obj__open_file(const char *path, const struct bk_obj_opts *opts, struct bk_obj **out,
		      struct bk_diag *diag)
{
	struct bk_obj_opts o = {.sz = sizeof(o), .name = path};
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int err;

	bk_diag__init(diag);
	*out = NULL;
	if (!f) {
		err = errno;
		bk_diag__set(diag, err, -1, "%s: %s", path, strerror(err));
		return -err;
	}
	for (;;) {
		if (len == cap) {
			size_t nc = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, nc);

			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
			cap = nc;
		}
		size_t n = fread(buf + len, 1, cap - len, f);

		len += n;
		if (n == 0)
			break;
	}
	err = ferror(f) ? errno ? errno : EIO : 0;
	fclose(f);
	if (err) {
		free(buf);
		bk_diag__set(diag, err, -1, "%s: %s", path, strerror(err));
		return -err;
	}
	if (opts && opts->sz >= sizeof(*opts) && opts->name)
		o.name = opts->name;
	err = bk_obj__open_mem(buf, len, &o, out, diag);
	free(buf);
	return err;
}
