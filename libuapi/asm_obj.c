// SPDX-License-Identifier: MIT
/*
 * asm_obj.c - turns an assembled unit into a struct bk_obj through the
 * builder API (bk_obj__new ... bk_obj__finish).
 *
 * Function symbols: labels made .globl in code, labels marked .func or
 * .type @function, and every label a call or a function address points
 * at.  A code section without a function symbol at its start gets a global
 * one named after the section, so libbpf sees a program there.  Relocations
 * name their target as the builder resolves it: a map, a data variable or
 * section (addend relative to it), a function, or an extern.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm_int.h"

static int build_err(struct asm_state *st, int err, const char *what, const char *name)
{
	if (err == -ENOMEM)
		return bk_diag__set(st->diag, ENOMEM, -1, "out of memory");
	bk_diag__set(st->diag, BK_E_ASM_DIRECTIVE, -1, "cannot add %s '%s' to the object: %s", what,
		     name, bk_strerror(-err));
	if (st->diag)
		st->diag->file = st->file;
	return -BK_E_ASM_DIRECTIVE;
}

/* Marks every label a call or a function address points at as a function. */
static void mark_call_targets(struct asm_state *st)
{
	for (size_t i = 0; i < st->u.nsecs; i++) {
		const struct asm_sec *sec = &st->u.secs[i];

		for (size_t k = 0; k < sec->ninsns; k++) {
			const struct asm_insn *in = &sec->insns[k];
			struct asm_sym *s;

			if (!in->target || (in->d.op != BK_OP_CALL_LOCAL && in->fix != FIX_LDDW))
				continue;
			s = asm_sym_get(st, in->target, strlen(in->target), false);
			if (s && s->sec >= 0 && st->u.secs[s->sec].code)
				s->func = true;
		}
		/* pc-relative local calls resolved in place point at labels too. */
		for (size_t k = 0; k < sec->ninsns; k++) {
			const struct asm_insn *in = &sec->insns[k];
			uint32_t t;

			if (in->d.op != BK_OP_CALL_LOCAL || in->fix != FIX_NONE)
				continue;
			t = (uint32_t)((int64_t)in->pc + 1 + in->d.imm) * 8;
			for (size_t j = 0; j < st->u.nsyms; j++)
				if (st->u.syms[j].sec == (int)i && st->u.syms[j].off == t)
					st->u.syms[j].func = true;
		}
	}
}

static bool is_func(const struct asm_state *st, const struct asm_sym *s)
{
	return s->sec >= 0 && st->u.secs[s->sec].code && (s->func || s->global);
}

/* A global function at offset 0 of sec when none is there. */
static int entry_symbol(struct asm_state *st, int sec)
{
	char name[256];
	size_t n = 0;
	struct asm_sym *s;

	for (size_t j = 0; j < st->u.nsyms; j++)
		if (st->u.syms[j].sec == sec && st->u.syms[j].off == 0 &&
		    is_func(st, &st->u.syms[j]))
			return 0;
	for (const char *p = st->u.secs[sec].name; *p && n < 200; p++) {
		char c = *p;

		if (n == 0 && c == '.')
			continue;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9' && n) || c == '_';

		name[n++] = ok ? c : '_';
	}
	if (!n)
		name[n++] = 'p';
	name[n] = '\0';
	while (asm_sym_get(st, name, strlen(name), false) && n < 240) {
		memcpy(name + n, "_entry", 7);
		n += 6;
	}
	s = asm_sym_get(st, name, strlen(name), true);
	if (!s)
		return -ENOMEM;
	s->sec = sec;
	s->off = 0;
	s->global = true;
	s->func = true;
	return 0;
}

/* Size of symbol s: .size, else up to the next symbol of its kind. */
static uint32_t sym_size(const struct asm_state *st, const struct asm_sym *s, uint32_t end)
{
	uint32_t next = end;

	if (s->has_size && s->off + (uint64_t)s->size <= end)
		return s->size;
	for (size_t j = 0; j < st->u.nsyms; j++) {
		const struct asm_sym *o = &st->u.syms[j];

		if (o == s || o->sec != s->sec || o->off <= s->off || o->off >= next)
			continue;
		if (st->u.secs[s->sec].code ? is_func(st, o) : true)
			next = o->off;
	}
	return next - s->off;
}

static int add_code(struct asm_state *st, struct bk_obj *obj, int si)
{
	const struct asm_sec *sec = &st->u.secs[si];
	struct bk_insn *insns = calloc(sec->nslots ? sec->nslots : 1, sizeof(*insns));
	int idx, err = 0;

	if (!insns)
		return -ENOMEM;
	for (size_t k = 0; k < sec->ninsns; k++)
		bk_encode(&sec->insns[k].d, &insns[sec->insns[k].pc]);
	idx = bk_obj__add_sec(obj, sec->name, insns, sec->nslots);
	free(insns);
	if (idx < 0)
		return build_err(st, idx, "section", sec->name);
	for (size_t j = 0; j < st->u.nsyms && !err; j++) {
		const struct asm_sym *s = &st->u.syms[j];
		struct bk_sym bs;

		if (s->sec != si || !is_func(st, s))
			continue;
		bs = (struct bk_sym){.name = s->name,
				     .off = s->off,
				     .size = sym_size(st, s, sec->nslots * 8),
				     .global = s->global,
				     .func = true};
		if (bs.off >= sec->nslots * 8)
			return bk_diag__set(st->diag, BK_E_ASM_LABEL, -1,
					    "function '%s' at the end of section '%s' has no code",
					    s->name, sec->name);
		err = bk_obj__add_sym(obj, idx, &bs);
		err = err < 0 ? build_err(st, err, "function", s->name) : 0;
	}
	for (size_t k = 0; k < sec->ninsns && !err; k++) {
		const struct asm_insn *in = &sec->insns[k];
		struct bk_line line = {
			.insn = in->pc, .file = st->file, .line = in->line, .col = in->col};
		struct bk_sec_reloc rel;

		err = bk_obj__add_line(obj, idx, &line);
		if (err || (in->fix != FIX_CALL && in->fix != FIX_LDDW))
			continue;
		rel = (struct bk_sec_reloc){
			.insn = in->pc, .sym = in->target, .addend = (int32_t)in->addend};
		{
			const struct asm_sym *t =
				asm_sym_get(st, in->target, strlen(in->target), false);

			if (t && t->kconfig)
				rel.kind = BK_RELO_KCONFIG;
		}
		err = bk_obj__add_reloc(obj, idx, &rel);
		err = err < 0 ? build_err(st, err, "relocation against", in->target) : 0;
	}
	return err < 0 ? err : 0;
}

static int add_data(struct asm_state *st, struct bk_obj *obj, int si)
{
	const struct asm_sec *sec = &st->u.secs[si];
	int idx = bk_obj__add_data_sec(obj, sec->name, sec->bss ? NULL : sec->bytes, sec->size);

	if (idx < 0)
		return build_err(st, idx, "data section", sec->name);
	for (size_t j = 0; j < st->u.nsyms; j++) {
		const struct asm_sym *s = &st->u.syms[j];
		struct bk_sym bs;
		int err;

		if (s->sec != si)
			continue;
		bs = (struct bk_sym){.name = s->name,
				     .off = s->off,
				     .size = sym_size(st, s, (uint32_t)sec->size),
				     .global = s->global};
		err = bk_obj__add_data_sym(obj, idx, &bs);
		if (err < 0)
			return build_err(st, err, "variable", s->name);
	}
	return 0;
}

static const char *obj_name(const char *file, char *buf, size_t size)
{
	const char *b = strrchr(file, '/');
	char *dot;

	b = b ? b + 1 : file;
	if (!*b || *b == '<' || !strcmp(b, "-"))
		return NULL;
	snprintf(buf, size, "%s", b);
	dot = strrchr(buf, '.');
	if (dot && dot != buf)
		*dot = '\0';
	return buf;
}

int asm_unit_to_obj(struct asm_state *st, struct bk_obj **out)
{
	char nbuf[64];
	struct bk_obj *obj;
	int err = 0;

	mark_call_targets(st);
	for (size_t i = 0; i < st->u.nsecs && !err; i++)
		if (st->u.secs[i].code && st->u.secs[i].nslots)
			err = entry_symbol(st, (int)i);
	if (err)
		return err;
	obj = bk_obj__new(obj_name(st->file, nbuf, sizeof(nbuf)));
	if (!obj)
		return bk_diag__set(st->diag, ENOMEM, -1, "out of memory");
	if (st->u.license && (err = bk_obj__set_license(obj, st->u.license)))
		err = build_err(st, err, "license", st->u.license);
	for (size_t i = 0; i < st->u.nmaps && !err; i++) {
		err = bk_obj__add_map(obj, &st->u.maps[i]);
		err = err < 0 ? build_err(st, err, "map", st->u.maps[i].name) : 0;
	}
	for (size_t i = 0; i < st->u.nsecs && !err; i++) {
		if (!st->u.secs[i].code)
			err = add_data(st, obj, (int)i);
		else if (st->u.secs[i].nslots)
			err = add_code(st, obj, (int)i);
	}
	if (!err) {
		err = bk_obj__finish(obj, st->diag);
		if (err && st->diag && !st->diag->file)
			st->diag->file = st->file;
	}
	if (err) {
		bk_obj__free(obj);
		return err;
	}
	*out = obj;
	return 0;
}
