// SPDX-License-Identifier: MIT
/*
 * obj.c - struct bk_obj: memory, accessors, and the pieces the reader and
 * the builder share (adding sections and maps, libbpf's data map names).
 *
 * Accessors return borrowed pointers valid until bk_obj__free().  They
 * answer NULL/0 for an object that is not finished (bk_obj__finish not
 * called or failed), except the name.
 */
#include <bpf/btf.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obj_int.h"

struct bk_arena {
	struct bk_arena *next;
	size_t used, size;
	max_align_t data[];
};

#define ARENA_BLOCK 16384

void *bk_obj_alloc(struct bk_obj *obj, size_t size)
{
	struct bk_arena *a = obj->arena;

	size = (size + 15) & ~(size_t)15;
	if (!size)
		size = 16;
	if (!a || a->size - a->used < size) {
		size_t bs = size > ARENA_BLOCK ? size : ARENA_BLOCK;

		a = calloc(1, sizeof(*a) + bs);
		if (!a)
			return NULL;
		a->size = bs;
		a->next = obj->arena;
		obj->arena = a;
	}
	void *p = (char *)a->data + a->used;

	a->used += size;
	return p;
}

char *bk_obj_strndup(struct bk_obj *obj, const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = bk_obj_alloc(obj, len + 1);

	if (p)
		memcpy(p, s, len);
	return p;
}

char *bk_obj_strdup(struct bk_obj *obj, const char *s)
{
	return bk_obj_strndup(obj, s, (size_t)-1);
}

int bk_grow(void *arrp, size_t *cap, size_t n, size_t esz)
{
	void **arr = arrp;
	size_t nc = *cap ? *cap : 4;

	if (n <= *cap)
		return 0;
	while (nc < n)
		nc *= 2;
	void *p = realloc(*arr, nc * esz);

	if (!p)
		return -ENOMEM;
	memset((char *)p + *cap * esz, 0, (nc - *cap) * esz);
	*arr = p;
	*cap = nc;
	return 0;
}

int bk_obj_err(struct bk_obj *obj, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bk_diag__vset(obj->diag, code, -1, fmt, ap);
	va_end(ap);
	if (obj->diag)
		obj->diag->file = obj->name;
	return -code;
}

struct bk_obj *bk_obj_alloc_new(const char *name)
{
	struct bk_obj *obj = calloc(1, sizeof(*obj));

	if (!obj)
		return NULL;
	obj->kconfig_map = -1;
	obj->name = bk_obj_strdup(obj, name ? name : "<mem>");
	if (!obj->name) {
		free(obj);
		return NULL;
	}
	return obj;
}

int bk_obj_add_csec(struct bk_obj *obj, const char *name, const void *insns, size_t cnt)
{
	struct bk_csec *s;

	if (bk_grow(&obj->secs, &obj->secs_cap, obj->nsecs + 1, sizeof(*s)))
		return -ENOMEM;
	s = &obj->secs[obj->nsecs];
	memset(s, 0, sizeof(*s));
	s->pub.name = bk_obj_strdup(obj, name);
	s->insns = bk_obj_alloc(obj, cnt * sizeof(struct bk_insn));
	if (!s->pub.name || !s->insns)
		return -ENOMEM;
	if (cnt)
		memcpy(s->insns, insns, cnt * sizeof(struct bk_insn));
	s->pub.insns = s->insns;
	s->pub.cnt = cnt;
	return (int)obj->nsecs++;
}

int bk_obj_add_dsec(struct bk_obj *obj, const char *name, uint8_t kind, const void *bytes,
		    size_t size)
{
	struct bk_dsec *d;

	if (bk_grow(&obj->dsecs, &obj->dsecs_cap, obj->ndsecs + 1, sizeof(*d)))
		return -ENOMEM;
	d = &obj->dsecs[obj->ndsecs];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->map = -1;
	d->pub.name = bk_obj_strdup(obj, name);
	if (!d->pub.name)
		return -ENOMEM;
	if (bytes) {
		void *b = bk_obj_alloc(obj, size);

		if (!b)
			return -ENOMEM;
		memcpy(b, bytes, size);
		d->pub.bytes = b;
	}
	d->pub.size = size;
	return (int)obj->ndsecs++;
}

int bk_obj_add_map(struct bk_obj *obj, const struct bk_map_def *def)
{
	struct bk_omap *m;

	if (bk_grow(&obj->maps, &obj->maps_cap, obj->nmaps + 1, sizeof(*m)))
		return -ENOMEM;
	m = &obj->maps[obj->nmaps];
	memset(m, 0, sizeof(*m));
	m->pub = *def;
	m->pub.name = bk_obj_strdup(obj, def->name ? def->name : "");
	if (!m->pub.name)
		return -ENOMEM;
	m->dsec = -1;
	return (int)obj->nmaps++;
}

int bk_obj_find_dsec(const struct bk_obj *obj, const char *name)
{
	for (size_t i = 0; i < obj->ndsecs; i++)
		if (!strcmp(obj->dsecs[i].pub.name, name))
			return (int)i;
	return -1;
}

/*
 * libbpf's internal map names (BPF_OBJ_NAME_LEN is 16): the section name
 * keeps at least 7 characters; the object's file name without directory,
 * cut at its first '.', is a
 * prefix only when the section name has no '.' after its first character
 * (".rodata.str1.1" has none); characters other than [A-Za-z0-9_.] become
 * '_'.
 */
void bk_data_map_name(const char *obj_name, const char *sec, char out[16])
{
	size_t slen = strlen(sec), sfx = slen > 7 ? slen : 7, pfx = 0;
	const char *slash = strrchr(obj_name, '/');

	obj_name = slash ? slash + 1 : obj_name;
	const char *dot = strchr(obj_name, '.');
	size_t olen = dot ? (size_t)(dot - obj_name) : strlen(obj_name);

	if (!sec[0] || !strchr(sec + 1, '.')) {
		pfx = 16 - 1 > sfx ? 16 - 1 - sfx : 0;
		if (pfx > olen)
			pfx = olen;
	}
	snprintf(out, 16, "%.*s%.*s", (int)pfx, obj_name, (int)sfx, sec);
	for (char *p = out; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			*p = '_';
}

/* ---- public accessors ------------------------------------------------- */

void bk_obj__free(struct bk_obj *obj)
{
	if (!obj)
		return;
	for (size_t i = 0; i < obj->nsecs; i++) {
		free(obj->secs[i].syms);
		free(obj->secs[i].relocs);
		free(obj->secs[i].tgts);
		free(obj->secs[i].lines);
		free(obj->secs[i].fns);
		free(obj->secs[i].finfo);
		free(obj->secs[i].cores);
	}
	for (size_t i = 0; i < obj->ndsecs; i++)
		free(obj->dsecs[i].syms);
	for (size_t i = 0; i < obj->nprogs; i++) {
		free(obj->progs[i].insns);
		free(obj->progs[i].relocs);
		free(obj->progs[i].funcs);
		free(obj->progs[i].lines);
		free(obj->progs[i].cores);
	}
	free(obj->secs);
	free(obj->dsecs);
	free(obj->maps);
	free(obj->progs);
	btf__free(obj->btf);
	btf_ext__free(obj->btf_ext);
	while (obj->arena) {
		struct bk_arena *n = obj->arena->next;

		free(obj->arena);
		obj->arena = n;
	}
	free(obj);
}

const char *bk_obj__name(const struct bk_obj *obj)
{
	return obj ? obj->name : NULL;
}

const char *bk_obj__license(const struct bk_obj *obj)
{
	return obj ? obj->license : NULL;
}

uint32_t bk_obj__kversion(const struct bk_obj *obj)
{
	return obj ? obj->kversion : 0;
}

const struct btf *bk_obj__btf(const struct bk_obj *obj)
{
	return obj && obj->finished ? obj->btf : NULL;
}

const struct btf_ext *bk_obj__btf_ext(const struct bk_obj *obj)
{
	return obj && obj->finished ? obj->btf_ext : NULL;
}

size_t bk_obj__sec_cnt(const struct bk_obj *obj)
{
	return obj && obj->finished ? obj->nsecs : 0;
}

const struct bk_sec *bk_obj__sec(const struct bk_obj *obj, size_t i)
{
	return obj && obj->finished && i < obj->nsecs ? &obj->secs[i].pub : NULL;
}

size_t bk_obj__data_sec_cnt(const struct bk_obj *obj)
{
	return obj && obj->finished ? obj->ndsecs : 0;
}

const struct bk_data_sec *bk_obj__data_sec(const struct bk_obj *obj, size_t i)
{
	return obj && obj->finished && i < obj->ndsecs ? &obj->dsecs[i].pub : NULL;
}

size_t bk_obj__map_cnt(const struct bk_obj *obj)
{
	return obj && obj->finished ? obj->nmaps : 0;
}

const struct bk_map_def *bk_obj__map(const struct bk_obj *obj, size_t i)
{
	return obj && obj->finished && i < obj->nmaps ? &obj->maps[i].pub : NULL;
}

int bk_obj__find_map(const struct bk_obj *obj, const char *name)
{
	if (!obj || !name)
		return -ENOENT;
	for (size_t i = 0; i < obj->nmaps; i++)
		if (!strcmp(obj->maps[i].pub.name, name))
			return (int)i;
	return -ENOENT;
}

size_t bk_obj__prog_cnt(const struct bk_obj *obj)
{
	return obj && obj->finished ? obj->nprogs : 0;
}

struct bk_prog *bk_obj__prog(const struct bk_obj *obj, size_t i)
{
	return obj && obj->finished && i < obj->nprogs ? &obj->progs[i] : NULL;
}

struct bk_prog *bk_obj__find_prog(const struct bk_obj *obj, const char *name)
{
	if (!obj || !name || !obj->finished)
		return NULL;
	for (size_t i = 0; i < obj->nprogs; i++)
		if (!strcmp(bk_prog__name(&obj->progs[i]), name))
			return &obj->progs[i];
	for (size_t i = 0; i < obj->nprogs; i++)
		if (!strcmp(bk_prog__section(&obj->progs[i]), name))
			return &obj->progs[i];
	return NULL;
}

const char *bk_prog__name(const struct bk_prog *p)
{
	return p ? p->obj->secs[p->sec].fns[p->fn].name : NULL;
}

const char *bk_prog__section(const struct bk_prog *p)
{
	return p ? p->obj->secs[p->sec].pub.name : NULL;
}

enum bk_prog_type bk_prog__type(const struct bk_prog *p)
{
	return p ? (enum bk_prog_type)p->type : BK_PROG_UNSPEC;
}

uint32_t bk_prog__attach_type(const struct bk_prog *p)
{
	return p ? p->attach : 0;
}

void bk_prog__set_type(struct bk_prog *p, enum bk_prog_type type)
{
	if (p)
		p->type = type;
}

const struct bk_obj *bk_prog__obj(const struct bk_prog *p)
{
	return p ? p->obj : NULL;
}

const struct bk_insn *bk_prog__insns(const struct bk_prog *p, size_t *cnt)
{
	if (cnt)
		*cnt = p ? p->ninsns : 0;
	return p ? p->insns : NULL;
}

const struct bk_reloc *bk_prog__relocs(const struct bk_prog *p, size_t *cnt)
{
	if (cnt)
		*cnt = p ? p->nrelocs : 0;
	return p ? p->relocs : NULL;
}

const struct bk_func *bk_prog__funcs(const struct bk_prog *p, size_t *cnt)
{
	if (cnt)
		*cnt = p ? p->nfuncs : 0;
	return p ? p->funcs : NULL;
}

const struct bk_line *bk_prog__line(const struct bk_prog *p, uint32_t insn)
{
	size_t lo = 0, hi, f = 0;

	if (!p || !p->nlines || insn >= p->ninsns)
		return NULL;
	/* The function holding insn: funcs are by ascending start. */
	for (size_t i = 0; i < p->nfuncs; i++)
		if (p->funcs[i].insn <= insn)
			f = i;
	/* Last line entry at or before insn. */
	hi = p->nlines;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (p->lines[mid].insn <= insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || p->lines[lo - 1].insn < p->funcs[f].insn)
		return NULL;
	return &p->lines[lo - 1];
}
