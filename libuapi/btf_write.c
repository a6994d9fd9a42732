// SPDX-License-Identifier: MIT
/*
 * btf_write.c - the BTF of a built object, made with libbpf's btf__add_*:
 *
 *   .maps     one anonymous struct per map in the libbpf convention
 *             { int (*type)[T]; int (*max_entries)[N]; K *key; V *value;
 *               int (*map_flags)[F]; ... }, a global VAR per map and a
 *             DATASEC ".maps" holding them;
 *   .data...  a DATASEC per data section with a VAR (a byte array) per
 *             variable that has a size.
 *
 * Keys and values are __u8/__u16/__u32/__u64 when their size is 1, 2, 4
 * or 8 bytes, else __u8 arrays, and are typed only for the map types whose
 * kernel side accepts BTF for them (hash, array, their per-CPU and LRU
 * forms); other maps give key_size/value_size as numbers.
 * Each struct member is a pointer: 8 bytes.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

struct bw {
	struct bk_obj *obj;
	struct btf *btf;
	int int_id;
	int uint_id[9]; /* by byte size 1, 2, 4, 8 */
};

#define CHECK_ID(x)                                                                                \
	do {                                                                                       \
		if ((x) < 0)                                                                       \
			return (x);                                                                \
	} while (0)

static int uint_type(struct bw *w, uint32_t size)
{
	static const char *const names[9] = {
		[1] = "__u8", [2] = "__u16", [4] = "__u32", [8] = "__u64"};
	int id;

	if (size <= 8 && names[size]) {
		if (!w->uint_id[size])
			w->uint_id[size] = btf__add_int(w->btf, names[size], (size_t)size, 0);
		return w->uint_id[size];
	}
	id = uint_type(w, 1);
	CHECK_ID(id);
	return btf__add_array(w->btf, w->int_id, id, size);
}

/* `int (*name)[n]` */
static int uint_field(struct bw *w, uint32_t n)
{
	int a = btf__add_array(w->btf, w->int_id, w->int_id, n);

	CHECK_ID(a);
	return btf__add_ptr(w->btf, a);
}

static bool typed_kv(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return true;
	default:
		return false;
	}
}

struct field {
	const char *name;
	int type;
};

static int map_struct(struct bw *w, struct bk_omap *m, int depth)
{
	struct bk_map_def *d = &m->pub;
	struct field f[10];
	int n = 0, id, sid;

	id = uint_field(w, d->type);
	CHECK_ID(id);
	f[n++] = (struct field){"type", id};
	if (d->max_entries) {
		id = uint_field(w, d->max_entries);
		CHECK_ID(id);
		f[n++] = (struct field){"max_entries", id};
	}
	if (typed_kv(d->type) && d->key_size) {
		int k = uint_type(w, d->key_size);

		CHECK_ID(k);
		d->btf_key_type_id = (uint32_t)k;
		id = btf__add_ptr(w->btf, k);
		CHECK_ID(id);
		f[n++] = (struct field){"key", id};
	} else if (d->key_size) {
		id = uint_field(w, d->key_size);
		CHECK_ID(id);
		f[n++] = (struct field){"key_size", id};
	}
	if (typed_kv(d->type) && d->value_size) {
		int v = uint_type(w, d->value_size);

		CHECK_ID(v);
		d->btf_value_type_id = (uint32_t)v;
		id = btf__add_ptr(w->btf, v);
		CHECK_ID(id);
		f[n++] = (struct field){"value", id};
	} else if (d->value_size && d->inner < 0) {
		id = uint_field(w, d->value_size);
		CHECK_ID(id);
		f[n++] = (struct field){"value_size", id};
	}
	if (d->flags) {
		id = uint_field(w, d->flags);
		CHECK_ID(id);
		f[n++] = (struct field){"map_flags", id};
	}
	if (d->pinning) {
		id = uint_field(w, d->pinning);
		CHECK_ID(id);
		f[n++] = (struct field){"pinning", id};
	}
	if (d->map_extra) {
		id = uint_field(w, d->map_extra);
		CHECK_ID(id);
		f[n++] = (struct field){"map_extra", id};
	}
	if (d->inner >= 0 && depth == 0) {
		int is = map_struct(w, &w->obj->maps[d->inner], 1);

		CHECK_ID(is);
		id = btf__add_ptr(w->btf, is);
		CHECK_ID(id);
		id = btf__add_array(w->btf, w->int_id, id, 0);
		CHECK_ID(id);
		f[n++] = (struct field){"values", id};
	}
	sid = btf__add_struct(w->btf, NULL, (uint32_t)n * 8);
	CHECK_ID(sid);
	for (int i = 0; i < n; i++) {
		id = btf__add_field(w->btf, f[i].name, f[i].type, (uint32_t)i * 64, 0);
		CHECK_ID(id);
	}
	m->size = (uint32_t)n * 8;
	return sid;
}

static int maps_datasec(struct bw *w)
{
	struct bk_obj *obj = w->obj;
	uint32_t total = 0, off = 0;
	int *vars = calloc(obj->nmaps + 1, sizeof(int)), id = 0;

	if (!vars)
		return -ENOMEM;
	for (size_t i = 0; i < obj->nmaps && id >= 0; i++) {
		struct bk_omap *m = &obj->maps[i];

		if (m->pub.origin != BK_MAP_BTF)
			continue;
		id = map_struct(w, m, 0);
		if (id >= 0)
			id = vars[i] =
				btf__add_var(w->btf, m->pub.name, BTF_VAR_GLOBAL_ALLOCATED, id);
		total += m->size;
		m->btf_id = (uint32_t)vars[i];
	}
	if (id >= 0 && total)
		id = btf__add_datasec(w->btf, ".maps", total);
	for (size_t i = 0; i < obj->nmaps && id >= 0 && total; i++) {
		struct bk_omap *m = &obj->maps[i];

		if (m->pub.origin != BK_MAP_BTF)
			continue;
		id = btf__add_datasec_var_info(w->btf, vars[i], off, m->size);
		off += m->size;
	}
	free(vars);
	return id < 0 ? id : 0;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct bk_sym *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static int data_datasec(struct bw *w, struct bk_dsec *ds)
{
	size_t n = ds->pub.nsyms;
	int *vars = calloc(n + 1, sizeof(int)), id = 0;
	uint32_t end = 0;

	if (!vars)
		return -ENOMEM;
	if (n > 1)
		qsort(ds->syms, n, sizeof(*ds->syms), cmp_sym);
	ds->pub.syms = ds->syms;
	for (size_t i = 0; i < n && id >= 0; i++) {
		const struct bk_sym *s = &ds->syms[i];

		if (!s->size || s->off < end)
			continue;
		id = uint_type(w, 1);
		if (id >= 0)
			id = btf__add_array(w->btf, w->int_id, id, s->size);
		if (id >= 0)
			id = vars[i] = btf__add_var(
				w->btf, s->name,
				s->global ? BTF_VAR_GLOBAL_ALLOCATED : BTF_VAR_STATIC, id);
		end = s->off + s->size;
	}
	if (id >= 0)
		id = btf__add_datasec(w->btf, ds->pub.name, (uint32_t)ds->pub.size);
	for (size_t i = 0; i < n && id >= 0; i++)
		if (vars[i] > 0)
			id = btf__add_datasec_var_info(w->btf, vars[i], ds->syms[i].off,
						       ds->syms[i].size);
	free(vars);
	return id < 0 ? id : 0;
}

int bk_btf_build(struct bk_obj *obj, struct btf **out)
{
	struct bw w = {.obj = obj};
	int err;

	w.btf = btf__new_empty();
	if (!w.btf)
		return -ENOMEM;
	w.int_id = btf__add_int(w.btf, "int", 4, BTF_INT_SIGNED);
	err = w.int_id < 0 ? w.int_id : maps_datasec(&w);
	for (size_t i = 0; i < obj->ndsecs && !err; i++)
		if (obj->dsecs[i].kind == BK_DSEC_DATA && obj->dsecs[i].pub.size)
			err = data_datasec(&w, &obj->dsecs[i]);
	if (err) {
		btf__free(w.btf);
		return bk_obj_err(obj, BK_E_BTF, "cannot build the object's BTF (%d)", err);
	}
	*out = w.btf;
	return 0;
}
