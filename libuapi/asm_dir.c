// SPDX-License-Identifier: MIT
/*
 * asm_dir.c - assembler directives.
 *
 *   .text / .data / .rodata / .bss / .section NAME    switch section
 *   .globl NAME, ...   .func NAME   .type NAME, @function|@object
 *   .extern NAME, ...  .kconfig NAME, ...  .size NAME, N   .license "GPL"   .version N
 *   .map NAME TYPE key=N value=N entries=N [flags=N] [pinning=N] [extra=N]
 *   .byte/.short/.word/.quad V, ...   .ascii/.asciz "s"   .zero/.space N
 *   .align/.p2align/.balign N   (.file, .ident, .addrsig are ignored)
 *
 * Map types are the kernel's BPF_MAP_TYPE_* names in lower case without the
 * prefix ("hash", "lru_percpu_hash") or their numbers.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

#include "asm_int.h"

/* Index = the kernel's enum bpf_map_type value. */
static const char *const map_types[] = {
	"unspec",
	"hash",
	"array",
	"prog_array",
	"perf_event_array",
	"percpu_hash",
	"percpu_array",
	"stack_trace",
	"cgroup_array",
	"lru_hash",
	"lru_percpu_hash",
	"lpm_trie",
	"array_of_maps",
	"hash_of_maps",
	"devmap",
	"sockmap",
	"cpumap",
	"xskmap",
	"sockhash",
	"cgroup_storage",
	"reuseport_sockarray",
	"percpu_cgroup_storage",
	"queue",
	"stack",
	"sk_storage",
	"devmap_hash",
	"struct_ops",
	"ringbuf",
	"inode_storage",
	"task_storage",
	"bloom_filter",
	"user_ringbuf",
	"cgrp_storage",
	"arena",
};
_Static_assert(BPF_MAP_TYPE_LRU_PERCPU_HASH == 10, "map type table");
_Static_assert(BPF_MAP_TYPE_RINGBUF == 27, "map type table");
_Static_assert(BPF_MAP_TYPE_USER_RINGBUF == 31, "map type table");

const char *bk_map_type_str(uint32_t type)
{
	return type < sizeof(map_types) / sizeof(map_types[0]) ? map_types[type] : NULL;
}

static int map_type(const struct asm_tok *t)
{
	for (size_t i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
		if (asm_tok_is(t, map_types[i]))
			return (int)i;
	return -1;
}

/* NAME as an identifier or a string. */
static int name_arg(struct asm_state *st, const char **s, size_t *n, const char *what)
{
	const struct asm_tok *t = asm_peek(st, 0);

	if (t->kind == TK_IDENT && t->s[0] != '%') {
		*s = t->s;
		*n = t->len;
		asm_next(st);
		return 0;
	}
	if (t->kind == TK_STR) {
		char *b;
		int err = asm_tok_string(st, t, &b, n);

		if (err)
			return err;
		if (memchr(b, '\0', *n) || !*n)
			return asm_err(st, BK_E_ASM_DIRECTIVE, t->col, "bad %s", what);
		*s = b;
		asm_next(st);
		return 0;
	}
	return asm_err(st, BK_E_ASM_DIRECTIVE, t->col, "expected %s", what);
}

/* A section name: a string, or the adjacent tokens up to a blank, so that
 * unquoted names with punctuation (cgroup/connect4, kprobe/do_sys_open,
 * uprobe/lib.so:f+0x10) read as libbpf's section names. */
static int section_arg(struct asm_state *st, const char **s, size_t *n)
{
	const struct asm_tok *t = asm_peek(st, 0);
	const struct asm_tok *nx;

	if (t->kind == TK_STR || t->kind == TK_END)
		return name_arg(st, s, n, "a section name");
	*s = t->s;
	*n = t->len;
	asm_next(st);
	for (nx = asm_peek(st, 0); nx->kind != TK_END && nx->s == *s + *n; nx = asm_peek(st, 0)) {
		*n += nx->len;
		asm_next(st);
	}
	return 0;
}

static int sym_flags(struct asm_state *st, const char *dir)
{
	do {
		const char *s;
		size_t n;
		uint32_t col = asm_col(st);
		int err = name_arg(st, &s, &n, "a symbol name");
		struct asm_sym *sym;

		if (err)
			return err;
		sym = asm_sym_get(st, s, n, true);
		if (!sym)
			return -ENOMEM;
		if (!strcmp(dir, ".extern") || !strcmp(dir, ".kconfig")) {
			if (sym->sec != -1)
				return asm_err(st, BK_E_ASM_DIRECTIVE, col,
					       "'%.*s' is defined here, it cannot be .extern",
					       (int)n, s);
			sym->is_extern = true;
			sym->kconfig = !strcmp(dir, ".kconfig");
			sym->global = true;
		} else if (!strcmp(dir, ".func")) {
			sym->func = true;
		} else {
			sym->global = true;
		}
		if (!sym->col)
			sym->col = col;
	} while (asm_accept(st, ","));
	return asm_expect_end(st);
}

static int type_dir(struct asm_state *st)
{
	const char *s;
	size_t n;
	struct asm_sym *sym;
	const struct asm_tok *t;
	int err = name_arg(st, &s, &n, "a symbol name");

	if (!err)
		err = asm_expect(st, ",", NULL);
	if (err)
		return err;
	if (!asm_accept(st, "@"))
		asm_accept(st, "%");
	t = asm_next(st);
	sym = asm_sym_get(st, s, n, true);
	if (!sym)
		return -ENOMEM;
	if (asm_tok_is(t, "function") || asm_tok_is(t, "STT_FUNC"))
		sym->func = true;
	else if (asm_tok_is(t, "object") || asm_tok_is(t, "STT_OBJECT"))
		sym->object = true;
	else if (!asm_tok_is(t, "notype"))
		return asm_err(st, BK_E_ASM_DIRECTIVE, t->col,
			       "expected @function, @object or @notype");
	return asm_expect_end(st);
}

static int size_dir(struct asm_state *st)
{
	const char *s;
	size_t n;
	int64_t v;
	struct asm_sym *sym;
	int err = name_arg(st, &s, &n, "a symbol name");

	if (!err)
		err = asm_expect(st, ",", NULL);
	if (err)
		return err;
	/* ".size f, .Lfunc_end0-f" style expressions: sizes are computed anyway. */
	if (!asm_at_num(st)) {
		while (asm_peek(st, 0)->kind != TK_END)
			asm_next(st);
		return 0;
	}
	err = asm_imm(st, IMM32, &v);
	if (err)
		return err;
	if (v < 0)
		return asm_err(st, BK_E_ASM_RANGE, 0, "negative size");
	sym = asm_sym_get(st, s, n, true);
	if (!sym)
		return -ENOMEM;
	sym->size = (uint32_t)v;
	sym->has_size = true;
	return asm_expect_end(st);
}

static int map_dir(struct asm_state *st, uint32_t col)
{
	struct bk_map_def def = {.inner = -1, .origin = BK_MAP_BTF};
	const struct asm_tok *t;
	const char *s;
	size_t n;
	int64_t v;
	bool entries = false;
	int err = name_arg(st, &s, &n, "a map name");

	if (err)
		return err;
	def.name = asm_strndup(&st->u.arena, s, n);
	if (!def.name)
		return -ENOMEM;
	asm_accept(st, ",");
	t = asm_peek(st, 0);
	if (t->kind == TK_NUM) {
		err = asm_imm(st, IMM32, &v);
		if (err)
			return err;
		if (v <= 0)
			return asm_err(st, BK_E_ASM_DIRECTIVE, t->col, "bad map type %lld",
				       (long long)v);
		def.type = (uint32_t)v;
	} else {
		int ty = map_type(t);

		if (ty <= 0)
			return asm_err(
				st, BK_E_ASM_DIRECTIVE, t->col,
				"unknown map type '%.*s' (hash, array, lru_hash, ringbuf, ... "
				"or a number)",
				(int)t->len, t->s);
		def.type = (uint32_t)ty;
		asm_next(st);
	}
	while (asm_peek(st, 0)->kind != TK_END) {
		uint32_t *field = NULL;

		asm_accept(st, ",");
		t = asm_next(st);
		if (asm_tok_is(t, "key") || asm_tok_is(t, "key_size"))
			field = &def.key_size;
		else if (asm_tok_is(t, "value") || asm_tok_is(t, "value_size"))
			field = &def.value_size;
		else if (asm_tok_is(t, "entries") || asm_tok_is(t, "max_entries"))
			field = &def.max_entries, entries = true;
		else if (asm_tok_is(t, "flags") || asm_tok_is(t, "map_flags"))
			field = &def.flags;
		else if (asm_tok_is(t, "pinning"))
			field = &def.pinning;
		else if (asm_tok_is(t, "extra") || asm_tok_is(t, "map_extra"))
			field = &def.map_extra;
		else
			return asm_err(st, BK_E_ASM_DIRECTIVE, t->col,
				       "expected key=, value=, entries=, flags=, pinning= or "
				       "extra=");
		err = asm_expect(st, "=", NULL);
		if (!err)
			err = asm_imm(st, IMM32, &v);
		if (err)
			return err;
		if (v < 0)
			return asm_err(st, BK_E_ASM_RANGE, t->col, "negative map attribute");
		*field = (uint32_t)v;
	}
	if (!entries && def.type != BPF_MAP_TYPE_STRUCT_OPS)
		return asm_err(st, BK_E_ASM_DIRECTIVE, col, "map '%s' needs entries=N", def.name);
	return asm_add_map(st, &def, col);
}

static int data_values(struct asm_state *st, unsigned width, uint32_t col)
{
	do {
		const struct asm_tok *t = asm_peek(st, 0);
		uint8_t b[8];
		int64_t v;
		int err = asm_imm(st, IMM64, &v);

		if (err)
			return err;
		if (width < 8) {
			int64_t lo = -((int64_t)1 << (width * 8 - 1));
			int64_t hi = ((int64_t)1 << (width * 8)) - 1;

			if (v < lo || v > hi)
				return asm_err(st, BK_E_ASM_RANGE, t->col,
					       "value does not fit %u byte%s", width,
					       width > 1 ? "s" : "");
		}
		for (unsigned i = 0; i < width; i++)
			b[i] = (uint8_t)((uint64_t)v >> (8 * i));
		err = asm_add_bytes(st, b, width, col);
		if (err)
			return err;
	} while (asm_accept(st, ","));
	return asm_expect_end(st);
}

static int string_dir(struct asm_state *st, bool nul, uint32_t col)
{
	do {
		const struct asm_tok *t = asm_peek(st, 0);
		char *s;
		size_t n;
		int err;

		if (t->kind != TK_STR)
			return asm_err(st, BK_E_ASM_DIRECTIVE, t->col, "expected a string");
		err = asm_tok_string(st, t, &s, &n);
		if (!err)
			err = asm_add_bytes(st, s, n + (nul ? 1 : 0), col);
		if (err)
			return err;
		asm_next(st);
	} while (asm_accept(st, ","));
	return asm_expect_end(st);
}

static int zero_dir(struct asm_state *st, uint32_t col)
{
	int64_t n, fill = 0;
	int err = asm_imm(st, IMM32, &n);

	if (!err && asm_accept(st, ","))
		err = asm_imm(st, IMM32, &fill);
	if (err)
		return err;
	if (n < 0 || n > ASM_MAX_DATA)
		return asm_err(st, BK_E_ASM_RANGE, col, "bad size %lld", (long long)n);
	if (fill) {
		uint8_t b = (uint8_t)fill;

		for (int64_t i = 0; i < n; i++)
			if ((err = asm_add_bytes(st, &b, 1, col)))
				return err;
	} else {
		err = asm_add_bytes(st, NULL, (size_t)n, col);
	}
	return err ? err : asm_expect_end(st);
}

static int align_dir(struct asm_state *st, bool p2, uint32_t col)
{
	int64_t v;
	uint64_t a;
	int err = asm_imm(st, IMM32, &v);

	if (err)
		return err;
	if (v < 0 || (p2 && v > 12) || (!p2 && v > 4096))
		return asm_err(st, BK_E_ASM_RANGE, col, "bad alignment");
	a = p2 ? (uint64_t)1 << v : (uint64_t)v;
	if (a && (a & (a - 1)))
		return asm_err(st, BK_E_ASM_RANGE, col, "alignment must be a power of two");
	while (asm_accept(st, ","))
		asm_next(st);
	if (st->cur < 0 || st->u.secs[st->cur].code) {
		if (a > 8)
			return asm_err(st, BK_E_ASM_DIRECTIVE, col,
				       "code is aligned to 8 bytes, not %llu",
				       (unsigned long long)a);
		return asm_expect_end(st);
	}
	while (a > 1 && st->u.secs[st->cur].size % a)
		if ((err = asm_add_bytes(st, NULL, 1, col)))
			return err;
	return asm_expect_end(st);
}

int asm_directive(struct asm_state *st)
{
	const struct asm_tok *t = asm_next(st);
	uint32_t col = t->col;
	char d[24];
	const char *s;
	size_t n;
	int64_t v;
	int err;

	snprintf(d, sizeof(d), "%.*s", t->len > 23 ? 23 : (int)t->len, t->s);
	if (!strcmp(d, ".text") || !strcmp(d, ".data") || !strcmp(d, ".rodata") ||
	    !strcmp(d, ".bss")) {
		err = asm_switch_section(st, d, strlen(d), col);
		return err ? err : asm_expect_end(st);
	}
	if (!strcmp(d, ".section")) {
		err = section_arg(st, &s, &n);
		if (!err)
			err = asm_switch_section(st, s, n, col);
		/* ELF flags and types ("ax", @progbits) do not matter here. */
		while (!err && asm_peek(st, 0)->kind != TK_END)
			asm_next(st);
		return err;
	}
	if (!strcmp(d, ".globl") || !strcmp(d, ".global") || !strcmp(d, ".extern") ||
	    !strcmp(d, ".func") || !strcmp(d, ".kconfig"))
		return sym_flags(st, d);
	if (!strcmp(d, ".type"))
		return type_dir(st);
	if (!strcmp(d, ".size"))
		return size_dir(st);
	if (!strcmp(d, ".license")) {
		const struct asm_tok *a = asm_peek(st, 0);
		char *lic;

		if (a->kind != TK_STR)
			return asm_err(st, BK_E_ASM_DIRECTIVE, a->col,
				       ".license takes a string: .license \"GPL\"");
		err = asm_tok_string(st, a, &lic, &n);
		if (err)
			return err;
		if (memchr(lic, '\0', n) || n > 127)
			return asm_err(st, BK_E_ASM_DIRECTIVE, a->col, "bad license string");
		st->u.license = lic;
		asm_next(st);
		return asm_expect_end(st);
	}
	if (!strcmp(d, ".version")) {
		err = asm_imm(st, IMM32, &v);
		st->u.kversion = (uint32_t)v;
		st->u.has_kversion = true;
		return err ? err : asm_expect_end(st);
	}
	if (!strcmp(d, ".map"))
		return map_dir(st, col);
	if (!strcmp(d, ".byte") || !strcmp(d, ".1byte"))
		return data_values(st, 1, col);
	if (!strcmp(d, ".short") || !strcmp(d, ".hword") || !strcmp(d, ".half") ||
	    !strcmp(d, ".2byte"))
		return data_values(st, 2, col);
	if (!strcmp(d, ".word") || !strcmp(d, ".long") || !strcmp(d, ".int") ||
	    !strcmp(d, ".4byte"))
		return data_values(st, 4, col);
	if (!strcmp(d, ".quad") || !strcmp(d, ".dword") || !strcmp(d, ".8byte"))
		return data_values(st, 8, col);
	if (!strcmp(d, ".ascii"))
		return string_dir(st, false, col);
	if (!strcmp(d, ".asciz") || !strcmp(d, ".string"))
		return string_dir(st, true, col);
	if (!strcmp(d, ".zero") || !strcmp(d, ".space") || !strcmp(d, ".skip"))
		return zero_dir(st, col);
	if (!strcmp(d, ".align") || !strcmp(d, ".balign") || !strcmp(d, ".p2align"))
		return align_dir(st, !strcmp(d, ".p2align"), col);
	if (!strcmp(d, ".file") || !strcmp(d, ".ident") || !strcmp(d, ".addrsig") ||
	    !strcmp(d, ".addrsig_sym")) {
		while (asm_peek(st, 0)->kind != TK_END)
			asm_next(st);
		return 0;
	}
	return asm_err(st, BK_E_ASM_DIRECTIVE, col, "unknown directive '%.*s'", (int)t->len, t->s);
}
