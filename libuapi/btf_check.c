// SPDX-License-Identifier: MIT
/*
 * btf_check.c - BTF from a file is checked twice: before libbpf parses it
 * (bk_btf_precheck: header, section layout, string section, the size of
 * every type record, so that btf__new() never meets, and never logs about,
 * a malformed blob) and after (bk_btf_check: every type id and name offset
 * inside the records, which btf__new() does not check).  Code reading the
 * BTF afterwards may follow any id it finds.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <string.h>

#include "obj_int.h"

#define BTF_MAGIC_LE 0xeB9F

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Bytes after the 12-byte common part of a record of kind k, or -1. */
static long extra_size(unsigned kind, unsigned vlen)
{
	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return 12;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
	case BTF_KIND_ENUM64:
		return 12L * vlen;
	case BTF_KIND_ENUM:
	case BTF_KIND_FUNC_PROTO:
		return 8L * vlen;
	default:
		return -1;
	}
}

int bk_btf_precheck(struct bk_obj *obj, const void *data, size_t size)
{
	const uint8_t *p = data;
	uint32_t hl, to, tl, so, sl;
	uint16_t magic;

	if (size < 24)
		return bk_obj_err(obj, BK_E_BTF, "'.BTF': %zu bytes, too short for a header", size);
	memcpy(&magic, p, 2);
	if (magic != BTF_MAGIC_LE || p[2] != 1)
		return bk_obj_err(obj, BK_E_BTF, "'.BTF': bad magic 0x%x or version %u", magic,
				  p[2]);
	hl = rd32(p + 4);
	to = rd32(p + 8);
	tl = rd32(p + 12);
	so = rd32(p + 16);
	sl = rd32(p + 20);
	if (hl < 24 || hl > size)
		return bk_obj_err(obj, BK_E_BTF, "'.BTF': header length %u", hl);
	size -= hl;
	p += hl;
	if (to % 4 || tl % 4 || to > size || tl > size - to || so > size || sl > size - so ||
	    to + tl > so)
		return bk_obj_err(obj, BK_E_BTF,
				  "'.BTF': bad layout (types at %u+%u, strings at %u+%u of %zu)",
				  to, tl, so, sl, size);
	if (!sl || p[so] != 0 || p[so + sl - 1] != 0)
		return bk_obj_err(obj, BK_E_BTF, "'.BTF': bad string section");
	for (size_t off = 0, id = 1; off < tl; id++) {
		uint32_t info;
		long extra;

		if (tl - off < 12)
			return bk_obj_err(obj, BK_E_BTF, "'.BTF': type [%zu] is truncated", id);
		info = rd32(p + to + off + 4);
		extra = extra_size((info >> 24) & 0x1f, info & 0xffff);
		if (extra < 0 || (size_t)extra > tl - off - 12)
			return bk_obj_err(obj, BK_E_BTF,
					  "'.BTF': type [%zu] has an unknown kind or runs past the "
					  "end",
					  id);
		off += 12 + (size_t)extra;
	}
	return 0;
}

static int bad_btf(struct bk_obj *obj, uint32_t id, const char *what)
{
	return bk_obj_err(obj, BK_E_BTF, "BTF type [%u]: %s", id, what);
}

int bk_btf_check(struct bk_obj *obj)
{
	const struct btf *btf = obj->btf;
	uint32_t cnt = btf__type_cnt(btf);

	for (uint32_t i = 1; i < cnt; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		uint16_t vlen;

		if (!t)
			return bad_btf(obj, i, "missing");
		if (!btf__name_by_offset(btf, t->name_off))
			return bad_btf(obj, i, "name offset outside the string section");
		vlen = btf_vlen(t);
		switch (btf_kind(t)) {
		case BTF_KIND_PTR:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
		case BTF_KIND_FUNC:
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG:
			if (t->type >= cnt)
				return bad_btf(obj, i, "refers to a type id out of range");
			break;
		case BTF_KIND_ARRAY:
			if (btf_array(t)->type >= cnt || btf_array(t)->index_type >= cnt)
				return bad_btf(obj, i, "array of a type id out of range");
			break;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			for (uint16_t k = 0; k < vlen; k++)
				if (btf_members(t)[k].type >= cnt ||
				    !btf__name_by_offset(btf, btf_members(t)[k].name_off))
					return bad_btf(obj, i, "bad member");
			break;
		case BTF_KIND_FUNC_PROTO:
			if (t->type >= cnt)
				return bad_btf(obj, i, "returns a type id out of range");
			for (uint16_t k = 0; k < vlen; k++)
				if (btf_params(t)[k].type >= cnt ||
				    !btf__name_by_offset(btf, btf_params(t)[k].name_off))
					return bad_btf(obj, i, "bad parameter");
			break;
		case BTF_KIND_DATASEC:
			for (uint16_t k = 0; k < vlen; k++)
				if (btf_var_secinfos(t)[k].type >= cnt)
					return bad_btf(obj, i,
						       "variable of a type id out of range");
			break;
		case BTF_KIND_ENUM:
			for (uint16_t k = 0; k < vlen; k++)
				if (!btf__name_by_offset(btf, btf_enum(t)[k].name_off))
					return bad_btf(obj, i, "bad enumerator name");
			break;
		case BTF_KIND_ENUM64:
			for (uint16_t k = 0; k < vlen; k++)
				if (!btf__name_by_offset(btf, btf_enum64(t)[k].name_off))
					return bad_btf(obj, i, "bad enumerator name");
			break;
		case BTF_KIND_INT:
		case BTF_KIND_FWD:
		case BTF_KIND_FLOAT:
			break;
		default:
			return bad_btf(obj, i, "unknown kind");
		}
	}
	return 0;
}
