// SPDX-License-Identifier: MIT
/*
 * prog.c - verifying a program of an ELF object (struct bk_prog): gathers
 * its instructions, relocations, functions, maps, BTF and license into a
 * bk_verify_input, applies its CO-RE relocations against the running
 * kernel's BTF and fills its .kconfig externs (as libbpf does before
 * loading), and puts the source
 * position of the failing instruction (BTF line info) into the diagnostic.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "types_int.h"
#include "verify.h"

/* The kernel's license_is_gpl_compatible() list. */
static bool gpl_compatible(const char *l)
{
	static const char *const ok[] = {
		"GPL",		"GPL v2",	"GPL and additional rights",
		"Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL",
	};

	if (!l)
		return false;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(l, ok[i]))
			return true;
	return false;
}

/* The program's instructions as the kernel gets them: CO-RE relocations
 * resolved against the kernel's BTF (the cache's, else read here).
 * *owned is what the caller frees. */
static int core_insns(const struct bk_prog *prog, struct bk_verify_cache *cache,
		      struct bk_insn **owned, struct bk_diag *diag)
{
	struct btf *own = NULL;
	const struct btf *target;
	int err;

	*owned = NULL;
	if (!bk_prog__core_cnt(prog))
		return 0;
	target = cache ? vcache_btf(cache) : NULL;
	if (!cache) {
		own = btf__load_vmlinux_btf();
		if (libbpf_get_error(own))
			own = NULL;
		target = own;
	}
	err = bk_prog__core_apply(prog, target, owned, diag);
	btf__free(own);
	return err;
}

int bk_prog__verify(const struct bk_prog *prog, enum bk_prog_type type,
		    const struct bk_verify_opts *opts, struct bk_verify_stats *stats,
		    struct bk_diag *diag)
{
	const struct bk_obj *obj = bk_prog__obj(prog);
	struct bk_verify_input in = {.sz = sizeof(in)};
	struct bk_verify_opts o = {.sz = sizeof(o)};
	struct bk_map_def *maps = NULL;
	struct bk_insn *core = NULL;
	void *kconfig = NULL;
	size_t nmaps = obj ? bk_obj__map_cnt(obj) : 0;
	int err;

	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	o.sz = sizeof(o);
	o.gpl = gpl_compatible(obj ? bk_obj__license(obj) : NULL);
	if (nmaps) {
		maps = calloc(nmaps, sizeof(*maps));
		if (!maps)
			return -ENOMEM;
		for (size_t i = 0; i < nmaps; i++)
			maps[i] = *bk_obj__map(obj, i);
		if ((err = vkconfig_fill(prog, maps, nmaps, &kconfig))) {
			free(maps);
			return err;
		}
	}
	in.insns = bk_prog__insns(prog, &in.cnt);
	/* (a CO-RE relocation that cannot be resolved names its instruction) */
	if ((err = core_insns(prog, o.cache, &core, diag)))
		goto out;
	if (core)
		in.insns = core;
	in.relocs = bk_prog__relocs(prog, &in.nrelocs);
	in.funcs = bk_prog__funcs(prog, &in.nfuncs);
	in.maps = maps;
	in.nmaps = nmaps;
	in.type = type != BK_PROG_UNSPEC ? type : bk_prog__type(prog);
	in.attach_type = bk_prog__attach_type(prog);
	in.btf = obj ? bk_obj__btf(obj) : NULL;
	in.prog = prog;
	err = bk_verify(&in, &o, stats, diag);
out:
	if (err && diag && diag->insn >= 0) {
		const struct bk_line *l = bk_prog__line(prog, (uint32_t)diag->insn);

		if (l && l->file) {
			diag->file = l->file;
			diag->line = (int)l->line;
			diag->col = (int)l->col;
		}
	}
	free(maps);
	free(core);
	free(kconfig);
	return err;
}
