// SPDX-License-Identifier: MIT
/*
 * btf_maps.c - maps of an object read from ELF: BTF-defined maps in .maps
 * (the libbpf __uint/__type/__array convention), legacy struct bpf_map_def
 * records in "maps", global data sections and .kconfig externs as array
 * maps of one value.  The BTF was checked (btf_check.c), so any type id
 * found in it may be followed.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>

#include "obj_int.h"

#define MAX_MODS 32

const struct btf_type *bk_btf_skip_mods(const struct btf *btf, uint32_t id, uint32_t *out_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	for (int n = 0; t && n < MAX_MODS; n++) {
		if (!btf_is_mod(t) && !btf_is_typedef(t)) {
			if (out_id)
				*out_id = id;
			return t;
		}
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	return NULL;
}

static const char *bname(const struct btf *btf, uint32_t off)
{
	const char *n = btf__name_by_offset(btf, off);

	return n ? n : "";
}

/* __uint(name, N) is `int (*name)[N]`: a pointer to an array of N. */
static int field_uint(struct bk_obj *obj, const char *map, const char *f, uint32_t tid,
		      uint32_t *out)
{
	const struct btf_type *t = bk_btf_skip_mods(obj->btf, tid, NULL), *a;

	if (!t || !btf_is_ptr(t))
		return bk_obj_err(obj, BK_E_ELF_MAP, "map '%s': field '%s' is not a pointer", map,
				  f);
	a = btf__type_by_id(obj->btf, t->type);
	if (!a || !btf_is_array(a))
		return bk_obj_err(obj, BK_E_ELF_MAP,
				  "map '%s': field '%s' is not a pointer to an array", map, f);
	*out = btf_array(a)->nelems;
	return 0;
}

/* __type(key, T) is `T *key`: sets the size and BTF id of T. */
static int field_type(struct bk_obj *obj, const char *map, const char *f, uint32_t tid,
		      uint32_t *size, uint32_t *id)
{
	const struct btf_type *t = bk_btf_skip_mods(obj->btf, tid, NULL);
	int sz;

	if (!t || !btf_is_ptr(t))
		return bk_obj_err(obj, BK_E_ELF_MAP, "map '%s': field '%s' is not a pointer", map,
				  f);
	sz = btf__resolve_size(obj->btf, t->type);
	if (sz < 0)
		return bk_obj_err(obj, BK_E_ELF_MAP, "map '%s': cannot size the type of '%s'", map,
				  f);
	if (*size && *size != (uint32_t)sz)
		return bk_obj_err(obj, BK_E_ELF_MAP,
				  "map '%s': %s_size %u disagrees with the type's size %d", map, f,
				  *size, sz);
	*size = (uint32_t)sz;
	*id = t->type;
	return 0;
}

static bool is_map_in_map(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

static int map_def(struct bk_obj *obj, const char *name, uint32_t sid, bool inner,
		   struct bk_map_def *def);

/* __array(values, T): an array of pointers to the inner map's definition
 * (map-in-map) or to a function prototype (prog arrays). */
static int field_values(struct bk_obj *obj, const char *name, uint32_t tid, bool inner,
			uint32_t *inner_sid)
{
	const struct btf_type *t = bk_btf_skip_mods(obj->btf, tid, NULL), *p;
	uint32_t sid;

	if (inner)
		return bk_obj_err(obj, BK_E_ELF_MAP, "map '%s': an inner map has 'values'", name);
	if (!t || !btf_is_array(t))
		return bk_obj_err(obj, BK_E_ELF_MAP, "map '%s': 'values' is not an array", name);
	p = bk_btf_skip_mods(obj->btf, btf_array(t)->type, NULL);
	if (!p || !btf_is_ptr(p))
		return bk_obj_err(obj, BK_E_ELF_MAP, "map '%s': 'values' are not pointers", name);
	t = bk_btf_skip_mods(obj->btf, p->type, &sid);
	if (!t)
		return bk_obj_err(obj, BK_E_ELF_MAP, "map '%s': bad 'values' type", name);
	*inner_sid = btf_is_struct(t) ? sid : 0;
	return 0;
}

static int map_def(struct bk_obj *obj, const char *name, uint32_t sid, bool inner,
		   struct bk_map_def *def)
{
	const struct btf_type *st = btf__type_by_id(obj->btf, sid);
	const struct btf_member *m = btf_members(st);
	uint32_t inner_sid = 0, numa = 0;
	bool has_values = false;
	int err = 0;

	memset(def, 0, sizeof(*def));
	def->name = name;
	def->inner = -1;
	for (uint16_t i = 0; i < btf_vlen(st) && !err; i++, m++) {
		const char *f = bname(obj->btf, m->name_off);

		if (!strcmp(f, "type"))
			err = field_uint(obj, name, f, m->type, &def->type);
		else if (!strcmp(f, "max_entries"))
			err = field_uint(obj, name, f, m->type, &def->max_entries);
		else if (!strcmp(f, "map_flags"))
			err = field_uint(obj, name, f, m->type, &def->flags);
		else if (!strcmp(f, "numa_node"))
			err = field_uint(obj, name, f, m->type, &numa);
		else if (!strcmp(f, "key_size"))
			err = field_uint(obj, name, f, m->type, &def->key_size);
		else if (!strcmp(f, "value_size"))
			err = field_uint(obj, name, f, m->type, &def->value_size);
		else if (!strcmp(f, "pinning"))
			err = field_uint(obj, name, f, m->type, &def->pinning);
		else if (!strcmp(f, "map_extra"))
			err = field_uint(obj, name, f, m->type, &def->map_extra);
		else if (!strcmp(f, "key"))
			err = field_type(obj, name, f, m->type, &def->key_size,
					 &def->btf_key_type_id);
		else if (!strcmp(f, "value"))
			err = field_type(obj, name, f, m->type, &def->value_size,
					 &def->btf_value_type_id);
		else if (!strcmp(f, "values")) {
			has_values = true;
			err = field_values(obj, name, m->type, inner, &inner_sid);
		} else
			err = bk_obj_err(obj, BK_E_ELF_MAP, "map '%s': unknown field '%s'", name,
					 f);
	}
	if (err)
		return err;
	if (!def->type)
		return bk_obj_err(obj, BK_E_ELF_MAP, "map '%s': no type", name);
	if (!has_values)
		return 0;
	if (is_map_in_map(def->type)) {
		if (!inner_sid)
			return bk_obj_err(obj, BK_E_ELF_MAP,
					  "map '%s': 'values' of a map-in-map must point to a "
					  "map definition",
					  name);
		if (def->value_size && def->value_size != 4)
			return bk_obj_err(obj, BK_E_ELF_MAP,
					  "map '%s': value_size %u, a map-in-map needs 4", name,
					  def->value_size);
		def->value_size = 4;
		char *iname = bk_obj_alloc(obj, strlen(name) + sizeof(".inner"));
		struct bk_map_def idef;
		int idx;

		if (!iname)
			return -ENOMEM;
		strcpy(iname, name);
		strcat(iname, ".inner");
		err = map_def(obj, iname, inner_sid, true, &idef);
		if (err)
			return err;
		idef.origin = BK_MAP_INNER;
		idx = bk_obj_add_map(obj, &idef);
		if (idx < 0)
			return idx;
		def->inner = idx;
		return 0;
	}
	if (def->type == BPF_MAP_TYPE_PROG_ARRAY) {
		def->value_size = def->value_size ? def->value_size : 4;
		return 0;
	}
	return bk_obj_err(obj, BK_E_ELF_MAP,
			  "map '%s': 'values' only for map-in-map and program arrays", name);
}

static const struct bk_sym *find_sym(const struct bk_dsec *ds, const char *name)
{
	for (size_t i = 0; i < ds->pub.nsyms; i++)
		if (!strcmp(ds->syms[i].name, name))
			return &ds->syms[i];
	return NULL;
}

/* clang leaves DATASEC offsets at 0 for the linker; the symbol table has
 * them (as libbpf, take the symbol's offset when there is one). */
static int one_btf_map(struct bk_obj *obj, int di, const struct btf_var_secinfo *vi)
{
	const struct btf_type *var = btf__type_by_id(obj->btf, vi->type), *st;
	struct bk_dsec *ds = &obj->dsecs[di];
	struct bk_map_def def;
	const struct bk_sym *sym;
	const char *name;
	uint32_t sid, off, size;
	int err, idx;

	if (!btf_is_var(var))
		return bk_obj_err(obj, BK_E_ELF_MAP, "'.maps': BTF entry [%u] is not a variable",
				  vi->type);
	name = bname(obj->btf, var->name_off);
	st = bk_btf_skip_mods(obj->btf, var->type, &sid);
	if (!st || !btf_is_struct(st))
		return bk_obj_err(obj, BK_E_ELF_MAP, "map '%s': its type is not a struct", name);
	sym = find_sym(ds, name);
	off = sym ? sym->off : vi->offset;
	size = sym && sym->size ? sym->size : st->size;
	if (off > ds->pub.size || size > ds->pub.size - off)
		return bk_obj_err(obj, BK_E_ELF_MAP,
				  "map '%s': offset %u size %u outside '.maps' (%zu bytes)", name,
				  off, size, ds->pub.size);
	err = map_def(obj, name, sid, false, &def);
	if (err)
		return err;
	def.origin = BK_MAP_BTF;
	idx = bk_obj_add_map(obj, &def);
	if (idx < 0)
		return idx;
	obj->maps[idx].dsec = di;
	obj->maps[idx].off = off;
	obj->maps[idx].size = size;
	obj->maps[idx].btf_id = vi->type;
	return 0;
}

int bk_btf_maps(struct bk_obj *obj, int di)
{
	const struct btf_type *t;
	int id, err;

	if (!obj->btf)
		return bk_obj_err(obj, BK_E_ELF_MAP,
				  "section '.maps' needs BTF, and there is none");
	id = btf__find_by_name_kind(obj->btf, ".maps", BTF_KIND_DATASEC);
	if (id <= 0)
		return bk_obj_err(obj, BK_E_ELF_MAP, "BTF has no DATASEC '.maps'");
	t = btf__type_by_id(obj->btf, (uint32_t)id);
	for (uint16_t i = 0; i < btf_vlen(t); i++) {
		err = one_btf_map(obj, di, &btf_var_secinfos(t)[i]);
		if (err)
			return err;
	}
	return 0;
}

/* Legacy "maps": one struct bpf_map_def { type, key_size, value_size,
 * max_entries, map_flags } per symbol, all records of one size; bytes past
 * the five fields must be zero. */
int bk_legacy_maps(struct bk_obj *obj, int di)
{
	struct bk_dsec *ds = &obj->dsecs[di];
	size_t n = ds->pub.nsyms, rec;

	if (!n) {
		if (ds->pub.size)
			return bk_obj_err(obj, BK_E_ELF_MAP, "section 'maps' has no symbols");
		return 0;
	}
	if (!ds->pub.bytes || ds->pub.size % n || ds->pub.size / n < 4)
		return bk_obj_err(obj, BK_E_ELF_MAP,
				  "section 'maps': %zu bytes do not divide into %zu map "
				  "definitions",
				  ds->pub.size, n);
	rec = ds->pub.size / n;
	for (size_t i = 0; i < n; i++) {
		const struct bk_sym *s = &ds->syms[i];
		const uint8_t *p = (const uint8_t *)ds->pub.bytes + s->off;
		uint32_t f[5] = {0};
		struct bk_map_def def = {.name = s->name, .inner = -1, .origin = BK_MAP_LEGACY};
		int idx;

		if (s->off > ds->pub.size || rec > ds->pub.size - s->off)
			return bk_obj_err(obj, BK_E_ELF_MAP,
					  "map '%s': offset %u runs past section 'maps'", s->name,
					  s->off);
		memcpy(f, p, rec < sizeof(f) ? rec : sizeof(f));
		for (size_t k = sizeof(f); k < rec; k++)
			if (p[k])
				return bk_obj_err(obj, BK_E_ELF_MAP,
						  "map '%s': unsupported non-zero fields after "
						  "struct bpf_map_def",
						  s->name);
		def.type = f[0];
		def.key_size = f[1];
		def.value_size = f[2];
		def.max_entries = f[3];
		def.flags = f[4];
		idx = bk_obj_add_map(obj, &def);
		if (idx < 0)
			return idx;
		obj->maps[idx].dsec = di;
		obj->maps[idx].off = s->off;
		obj->maps[idx].size = (uint32_t)rec;
	}
	return 0;
}

static int add_data_map(struct bk_obj *obj, const char *sec, const void *data, size_t size)
{
	char name[16];
	struct bk_map_def def = {
		.name = name,
		.type = BPF_MAP_TYPE_ARRAY,
		.key_size = 4,
		.value_size = (uint32_t)size,
		.max_entries = 1,
		.flags = BPF_F_MMAPABLE,
		.inner = -1,
		.origin = BK_MAP_DATA,
		.data = data,
		.data_size = data ? size : 0,
	};
	int id;

	bk_data_map_name(obj->name, sec, name);
	if (!strncmp(sec, ".rodata", 7) || !strcmp(sec, ".kconfig"))
		def.flags |= BPF_F_RDONLY_PROG;
	id = obj->btf ? btf__find_by_name_kind(obj->btf, sec, BTF_KIND_DATASEC) : -1;
	def.btf_value_type_id = id > 0 ? (uint32_t)id : 0;
	return bk_obj_add_map(obj, &def);
}

int bk_data_maps(struct bk_obj *obj)
{
	for (size_t i = 0; i < obj->ndsecs; i++) {
		struct bk_dsec *ds = &obj->dsecs[i];
		int idx;

		if (ds->kind != BK_DSEC_DATA || !ds->pub.size)
			continue;
		if (ds->pub.size > UINT32_MAX)
			return bk_obj_err(obj, BK_E_ELF_SECTION, "section '%s' is too large",
					  ds->pub.name);
		idx = add_data_map(obj, ds->pub.name, ds->pub.bytes, ds->pub.size);
		if (idx < 0)
			return idx;
		ds->map = idx;
		obj->maps[idx].dsec = (int)i;
		obj->maps[idx].size = (uint32_t)ds->pub.size;
	}
	return 0;
}

static const struct btf_type *kconfig_sec(const struct bk_obj *obj)
{
	int id;

	if (!obj->btf)
		return NULL;
	id = btf__find_by_name_kind(obj->btf, ".kconfig", BTF_KIND_DATASEC);
	return id > 0 ? btf__type_by_id(obj->btf, (uint32_t)id) : NULL;
}

bool bk_btf_is_kconfig(const struct bk_obj *obj, const char *name)
{
	const struct btf_type *t = kconfig_sec(obj);

	for (uint16_t i = 0; t && i < btf_vlen(t); i++) {
		const struct btf_type *v = btf__type_by_id(obj->btf, btf_var_secinfos(t)[i].type);

		if (btf_is_var(v) && !strcmp(bname(obj->btf, v->name_off), name))
			return true;
	}
	return false;
}

/* Lays the .kconfig externs out in DATASEC order, each at its alignment,
 * in one map (made on first use); finds name's offset. */
int bk_kconfig_extern(struct bk_obj *obj, const char *name, int *map, uint32_t *off)
{
	const struct btf_type *t = kconfig_sec(obj);
	uint32_t pos = 0, found = UINT32_MAX;

	for (uint16_t i = 0; t && i < btf_vlen(t); i++) {
		uint32_t vid = btf_var_secinfos(t)[i].type;
		const struct btf_type *v = btf__type_by_id(obj->btf, vid);
		int sz, al;

		if (!btf_is_var(v))
			continue;
		sz = btf__resolve_size(obj->btf, v->type);
		al = btf__align_of(obj->btf, v->type);
		if (sz <= 0 || sz > 4096 || al <= 0 || al > 8)
			return bk_obj_err(obj, BK_E_BTF,
					  "kconfig extern '%s': bad size or alignment",
					  bname(obj->btf, v->name_off));
		pos = (pos + (uint32_t)al - 1) / (uint32_t)al * (uint32_t)al;
		if (!strcmp(bname(obj->btf, v->name_off), name))
			found = pos;
		pos += (uint32_t)sz;
	}
	if (found == UINT32_MAX)
		return bk_obj_err(obj, BK_E_ELF_RELOC, "'%s' is not a .kconfig extern", name);
	if (obj->kconfig_map < 0) {
		int idx = add_data_map(obj, ".kconfig", NULL, pos);

		if (idx < 0)
			return idx;
		obj->kconfig_map = idx;
	}
	*map = obj->kconfig_map;
	*off = found;
	return 0;
}
