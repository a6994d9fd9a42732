// SPDX-License-Identifier: MIT
/*
 * vm_obj.c - an ELF object's maps and programs in a runtime: one map per
 * map definition (global data sections get their initial contents) and
 * every linked program loaded against that map table, so the linker's
 * LDDW_MAP_IDX references resolve by index.  A map of a type the VM does
 * not model becomes a placeholder: the object still loads, and only the
 * programs that reference that map are left out (with the reason).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

struct bk_vm_obj {
	struct bk_vm *vm;
	struct bk_map **maps;
	char **names; /* full names (map names are cut at 15 characters) */
	size_t nmaps;
	struct bk_vm_prog **progs;
	struct bk_diag *errs; /* per program: why it was left out, code 0: loaded */
	size_t nprogs;
};

static int create_map(struct bk_vm *vm, const struct bk_map_def *d, struct bk_map **out,
		      struct bk_diag *diag)
{
	struct bk_map_attr a = {.type = d->type,
				.key_size = d->key_size,
				.value_size = d->value_size,
				.max_entries = d->max_entries,
				.flags = d->flags,
				.map_extra = d->map_extra};
	int err;

	snprintf(a.name, sizeof(a.name), "%s", d->name ? d->name : "");
	/* libbpf sizes a perf event array without max_entries by the CPUs */
	if (a.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !a.max_entries)
		a.max_entries = bk_vm__ncpus(vm);
	if (!bk_map_type_supported(a.type))
		return bk_map__new_placeholder(vm, &a, out, diag);
	err = bk_map__new(vm, &a, out, diag);
	if (err)
		return err;
	if (d->origin == BK_MAP_DATA && d->data && d->data_size) {
		size_t len;
		void *base = bk_map__array_base(*out, &len);

		if (base)
			memcpy(base, d->data, d->data_size < len ? d->data_size : len);
	}
	return 0;
}

int bk_vm_obj__load(struct bk_vm *vm, const struct bk_obj *obj, struct bk_vm_obj **out,
		    struct bk_diag *diag)
{
	struct bk_vm_obj *vo = calloc(1, sizeof(*vo));
	size_t nm = bk_obj__map_cnt(obj), np = bk_obj__prog_cnt(obj);
	int err = 0;

	if (!vo)
		return bk_diag__set(diag, ENOMEM, -1, "out of memory");
	vo->vm = vm;
	vo->maps = calloc(nm ? nm : 1, sizeof(*vo->maps));
	vo->names = calloc(nm ? nm : 1, sizeof(*vo->names));
	vo->progs = calloc(np ? np : 1, sizeof(*vo->progs));
	vo->errs = calloc(np ? np : 1, sizeof(*vo->errs));
	if (!vo->maps || !vo->names || !vo->progs || !vo->errs) {
		err = bk_diag__set(diag, ENOMEM, -1, "out of memory");
		goto fail;
	}
	for (; vo->nmaps < nm; vo->nmaps++) {
		const struct bk_map_def *d = bk_obj__map(obj, vo->nmaps);

		err = create_map(vm, d, &vo->maps[vo->nmaps], diag);
		if (err)
			goto fail;
		vo->names[vo->nmaps] = strdup(d->name ? d->name : "");
		if (!vo->names[vo->nmaps]) {
			vo->nmaps++;
			err = bk_diag__set(diag, ENOMEM, -1, "out of memory");
			goto fail;
		}
	}
	for (; vo->nprogs < np; vo->nprogs++) {
		struct bk_prog *p = bk_obj__prog(obj, vo->nprogs);
		struct bk_vm_prog_opts o = {.sz = sizeof(o),
					    .name = bk_prog__name(p),
					    .type = bk_prog__type(p),
					    .maps = vo->maps,
					    .nmaps = vo->nmaps};
		const struct bk_insn *insns;
		size_t cnt;

		insns = bk_prog__insns(p, &cnt);
		o.relocs = bk_prog__relocs(p, &o.nrelocs);
		bk_diag__init(&vo->errs[vo->nprogs]);
		if (bk_vm_prog__load(vm, insns, cnt, &o, &vo->progs[vo->nprogs],
				     &vo->errs[vo->nprogs]))
			vo->progs[vo->nprogs] = NULL;
	}
	*out = vo;
	return 0;
fail:
	bk_vm_obj__free(vo);
	return err;
}

void bk_vm_obj__free(struct bk_vm_obj *vo)
{
	if (!vo)
		return;
	for (size_t i = 0; i < vo->nprogs; i++)
		bk_vm_prog__free(vo->progs[i]);
	for (size_t i = 0; i < vo->nmaps; i++) {
		bk_map__free(vo->maps[i]);
		free(vo->names[i]);
	}
	free(vo->names);
	free(vo->progs);
	free(vo->errs);
	free(vo->maps);
	free(vo);
}

size_t bk_vm_obj__map_cnt(const struct bk_vm_obj *vo)
{
	return vo->nmaps;
}

struct bk_map *bk_vm_obj__map(const struct bk_vm_obj *vo, size_t i)
{
	return i < vo->nmaps ? vo->maps[i] : NULL;
}

struct bk_map *bk_vm_obj__find_map(const struct bk_vm_obj *vo, const char *name)
{
	for (size_t i = 0; i < vo->nmaps; i++)
		if (!strcmp(vo->names[i], name))
			return vo->maps[i];
	return NULL;
}

size_t bk_vm_obj__prog_cnt(const struct bk_vm_obj *vo)
{
	return vo->nprogs;
}

struct bk_vm_prog *bk_vm_obj__prog(const struct bk_vm_obj *vo, size_t i)
{
	return i < vo->nprogs ? vo->progs[i] : NULL;
}

int bk_vm_obj__prog_err(const struct bk_vm_obj *vo, size_t i, struct bk_diag *diag)
{
	if (i >= vo->nprogs)
		return bk_diag__set(diag, ENOENT, -1, "no program %zu", i);
	if (!vo->errs[i].code)
		return 0;
	if (diag)
		*diag = vo->errs[i];
	return -vo->errs[i].code;
}
