// SPDX-License-Identifier: MIT
/*
 * btf_ext.c - function and line info from .BTF.ext, read with a bounds
 * check on every field (libbpf 1.1 has no public API to walk them).
 *
 * Layout (little endian): a header { u16 magic 0xeb9f; u8 version 1;
 * u8 flags; u32 hdr_len; u32 func_info_off, func_info_len; u32
 * line_info_off, line_info_len; ... } whose offsets count from the end of
 * the header; each info area is { u32 rec_size; then per section
 * { u32 sec_name_off; u32 num_info; num_info records of rec_size } }.
 * Func records are { u32 insn_off; u32 type_id }, line records { u32
 * insn_off; u32 file_name_off; u32 line_off; u32 line_col } with
 * line_col = line << 10 | col.  A header of 32 bytes or more adds { u32
 * core_relo_off, core_relo_len }: CO-RE records { u32 insn_off; u32
 * type_id; u32 access_str_off; u32 kind } (applied by btf_core.c).  In an
 * object file insn_off counts bytes from the start of the section.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

#define BTF_EXT_MAGIC 0xeB9F

struct area {
	const uint8_t *p;
	size_t len;
	const char *what; /* "func info" / "line info" / "CO-RE relocations" */
	size_t min_rec;
	int kind; /* AREA_* */
};

enum {
	AREA_FUNC,
	AREA_LINE,
	AREA_CORE
};

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static int bad(struct bk_obj *obj, const struct area *a, const char *msg, size_t off)
{
	return bk_obj_err(obj, BK_E_BTF_EXT, ".BTF.ext %s at byte %zu: %s", a->what, off, msg);
}

static struct bk_csec *find_csec(struct bk_obj *obj, const char *name)
{
	for (size_t i = 0; i < obj->nsecs; i++)
		if (!strcmp(obj->secs[i].pub.name, name))
			return &obj->secs[i];
	return NULL;
}

static const char *str(const struct bk_obj *obj, uint32_t off)
{
	return btf__name_by_offset(obj->btf, off);
}

static int func_rec(struct bk_obj *obj, struct bk_csec *cs, const uint8_t *r, uint32_t insn)
{
	uint32_t id = rd32(r + 4);
	const struct btf_type *t = btf__type_by_id(obj->btf, id);
	struct bk_finfo *f;

	if (!t || !btf_is_func(t))
		return bk_obj_err(obj, BK_E_BTF_EXT,
				  ".BTF.ext func info of section '%s' insn %u: type [%u] is not a "
				  "FUNC",
				  cs->pub.name, insn, id);
	f = realloc(cs->finfo, (cs->nfinfo + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	cs->finfo = f;
	f[cs->nfinfo++] = (struct bk_finfo){insn, id};
	return 0;
}

static int line_rec(struct bk_obj *obj, struct bk_csec *cs, const uint8_t *r, uint32_t insn)
{
	const char *file = str(obj, rd32(r + 4)), *text = str(obj, rd32(r + 8));
	uint32_t lc = rd32(r + 12);

	if (!file || !text)
		return bk_obj_err(obj, BK_E_BTF_EXT,
				  ".BTF.ext line info of section '%s' insn %u: string offset "
				  "outside the BTF strings",
				  cs->pub.name, insn);
	if (bk_grow(&cs->lines, &cs->lines_cap, cs->nlines + 1, sizeof(*cs->lines)))
		return -ENOMEM;
	cs->lines[cs->nlines++] = (struct bk_line){
		.insn = insn,
		.file = file[0] ? file : NULL,
		.text = text,
		.line = lc >> 10,
		.col = lc & 0x3ff,
	};
	return 0;
}

static int core_rec(struct bk_obj *obj, struct bk_csec *cs, const uint8_t *r, uint32_t insn)
{
	struct bk_core_relo c = {insn, rd32(r + 4), rd32(r + 8), rd32(r + 12)};

	if (!btf__type_by_id(obj->btf, c.type_id) || !str(obj, c.access_off) || c.kind > 63)
		return bk_obj_err(obj, BK_E_BTF_EXT,
				  ".BTF.ext CO-RE relocation of section '%s' insn %u: bad type, "
				  "access string or kind",
				  cs->pub.name, insn);
	if (bk_grow(&cs->cores, &cs->cores_cap, cs->ncores + 1, sizeof(*cs->cores)))
		return -ENOMEM;
	cs->cores[cs->ncores++] = c;
	return 0;
}

static int walk(struct bk_obj *obj, const struct area *a)
{
	size_t pos = 4, rec;

	if (!a->len)
		return 0;
	if (a->len < 4)
		return bad(obj, a, "too short for a record size", 0);
	rec = rd32(a->p);
	if (rec < a->min_rec || rec % 4 || rec > 1024)
		return bad(obj, a, "bad record size", 0);
	while (pos < a->len) {
		const char *sname;
		struct bk_csec *cs;
		uint32_t n;

		if (a->len - pos < 8)
			return bad(obj, a, "truncated section header", pos);
		sname = str(obj, rd32(a->p + pos));
		n = rd32(a->p + pos + 4);
		pos += 8;
		if (!sname)
			return bad(obj, a, "section name outside the BTF strings", pos - 8);
		cs = find_csec(obj, sname);
		if (!cs)
			return bad(obj, a, "names no code section", pos - 8);
		if (n > (a->len - pos) / rec)
			return bad(obj, a, "records run past the end", pos);
		for (uint32_t k = 0; k < n; k++, pos += rec) {
			uint32_t off = rd32(a->p + pos);
			int err;

			if (off % 8 || off / 8 >= cs->pub.cnt)
				return bk_obj_err(
					obj, BK_E_BTF_EXT,
					".BTF.ext %s of section '%s': offset %u is not on "
					"an instruction",
					a->what, cs->pub.name, off);
			err = a->kind == AREA_LINE   ? line_rec(obj, cs, a->p + pos, off / 8)
			      : a->kind == AREA_FUNC ? func_rec(obj, cs, a->p + pos, off / 8)
						     : core_rec(obj, cs, a->p + pos, off / 8);
			if (err)
				return err;
		}
	}
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	const struct bk_line *x = a, *y = b;

	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

int bk_btf_ext_parse(struct bk_obj *obj, const void *data, size_t size)
{
	const uint8_t *p = data;
	uint32_t hdr_len, fo, fl, lo, ll, co = 0, cl = 0;
	struct area fa, la, ca;
	uint16_t magic;
	int err;

	if (size < 24)
		return bk_obj_err(obj, BK_E_BTF_EXT, ".BTF.ext: %zu bytes, too short for a header",
				  size);
	memcpy(&magic, p, 2);
	if (magic != BTF_EXT_MAGIC || p[2] != 1)
		return bk_obj_err(obj, BK_E_BTF_EXT, ".BTF.ext: bad magic 0x%x or version %u",
				  magic, p[2]);
	hdr_len = rd32(p + 4);
	fo = rd32(p + 8);
	fl = rd32(p + 12);
	lo = rd32(p + 16);
	ll = rd32(p + 20);
	if (hdr_len < 24 || hdr_len > size)
		return bk_obj_err(obj, BK_E_BTF_EXT, ".BTF.ext: header length %u", hdr_len);
	if (hdr_len >= 32) {
		co = rd32(p + 24);
		cl = rd32(p + 28);
	}
	size -= hdr_len;
	p += hdr_len;
	if (fo > size || fl > size - fo || lo > size || ll > size - lo || co > size ||
	    cl > size - co)
		return bk_obj_err(obj, BK_E_BTF_EXT,
				  ".BTF.ext: info areas run past the end of the section");
	fa = (struct area){p + fo, fl, "func info", 8, AREA_FUNC};
	la = (struct area){p + lo, ll, "line info", 16, AREA_LINE};
	ca = (struct area){p + co, cl, "CO-RE relocations", 16, AREA_CORE};
	err = walk(obj, &fa);
	if (!err)
		err = walk(obj, &la);
	if (!err)
		err = walk(obj, &ca);
	for (size_t i = 0; i < obj->nsecs && !err; i++)
		if (obj->secs[i].nlines)
			qsort(obj->secs[i].lines, obj->secs[i].nlines, sizeof(struct bk_line),
			      cmp_line);
	return err;
}
