// SPDX-License-Identifier: MIT
/*
 * dispatch.c - the dispatcher: for programs attached to one hook, a
 * generated image whose enter stub calls a binary search over the
 * programs' entry addresses; each leaf compares and jumps directly to a
 * program, so the call into a program is a direct branch rather than an
 * indirect one (the kernel's BPF dispatcher design).  An address the
 * search does not know (a program added since, or one out of rel32 reach)
 * is reached with an indirect jump.
 *
 * Image: [enter stub | search or thunk].  The enter stub is the programs'
 * own (jit_int.h: C ABI, abort_rsp, registers zeroed) with another call:
 *   SEARCH     call search   (rax = target - image; a tree of cmp/jcc)
 *   INDIRECT   call r11      (for comparison)
 *   RETPOLINE  call thunk    (call/pause/lfence loop/ret: a retpoline)
 * Images are regenerated when programs come and go, written, then sealed
 * read + exec; the current one is switched atomically and old ones stay
 * mapped until the dispatcher is freed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jit_int.h"

#define SH_OFF(f) ((int32_t)__builtin_offsetof(struct bk_vm_run_shared, f))

enum {
	MAX_PROGS = 256,
	LEAF = 3, /* programs compared in a row at the bottom of the tree */
};

struct disp_image {
	uint8_t *map, *mem;
	size_t map_size, len;
	struct disp_image *next;
};

struct bk_jit_disp {
	enum bk_jit_disp_kind kind;
	struct bk_jit_prog *progs[MAX_PROGS]; /* sorted by entry address */
	size_t n;
	struct disp_image *cur; /* read with __atomic_load_n */
	struct disp_image *all;
};

static uint64_t entry_of(const struct bk_jit_prog *jp)
{
	return bk_jit_addr(jp, jp->prologue_off);
}

static void jcc_abs(struct x86_buf *b, uint64_t base, enum x86_cc cc, uint64_t target)
{
	bk_x86_jcc32(b, cc, (int32_t)(int64_t)(target - (base + b->pos + 6)));
}

/* The search over entries [lo, hi) whose distance from base fits rel32;
 * rax = target - base, r11 = target. */
static void tree(struct x86_buf *b, uint64_t base, const uint64_t *e, size_t lo, size_t hi)
{
	size_t at, mid;

	if (hi - lo <= LEAF) {
		for (size_t i = lo; i < hi; i++) {
			bk_x86_alu_ri(b, true, XA_CMP, RAX, (int32_t)(int64_t)(e[i] - base));
			jcc_abs(b, base, CC_E, e[i]);
		}
		bk_x86_grp5_r(b, G5_JMP, BK_JIT_AUX);
		return;
	}
	mid = lo + (hi - lo) / 2;
	bk_x86_alu_ri(b, true, XA_CMP, RAX, (int32_t)(int64_t)(e[mid] - base));
	bk_x86_jcc32(b, CC_GE, 0);
	at = b->pos - 4;
	tree(b, base, e, lo, mid);
	if (b->buf && !b->err) { /* the right half starts here */
		int32_t rel = (int32_t)(b->pos - (at + 4));

		memcpy(b->buf + at, &rel, 4);
	}
	tree(b, base, e, mid, hi);
}

static void emit(struct bk_jit_disp *d, struct x86_buf *b, uint64_t base)
{
	static const uint8_t saved[] = {RBP, RBX, R12, R13, R14, R15};
	static const uint8_t zero[] = {RAX, RBX, R13, R14, R15};
	uint64_t e[MAX_PROGS];
	size_t n = 0, call_at, ret, spin;

	for (size_t i = 0; i < d->n; i++) {
		uint64_t a = entry_of(d->progs[i]);
		uint64_t dist = a > base ? a - base : base - a;

		if (!base || dist < (uint64_t)INT32_MAX - (1u << 20)) /* !base: measuring */
			e[n++] = a;
	}
	/* enter stub */
	for (size_t i = 0; i < sizeof(saved); i++)
		bk_x86_push(b, saved[i]);
	bk_x86_load(b, 8, false, BK_JIT_RUN, R9, FR_RUN);
	bk_x86_load(b, 8, false, BK_JIT_AUX, BK_JIT_RUN, SH_OFF(engine));
	bk_x86_grp5_m(b, false, G5_PUSH, BK_JIT_AUX, EX_ABORT_RSP);
	bk_x86_store_r(b, 8, BK_JIT_AUX, EX_ABORT_RSP, RSP);
	bk_x86_load(b, 8, false, RBP, R9, FR_FP);
	for (size_t i = 0; i < sizeof(zero); i++)
		bk_x86_alu_rr(b, false, XA_XOR, zero[i], zero[i]);
	bk_x86_load(b, 8, false, BK_JIT_AUX, R9, FR_FN);
	call_at = b->pos;
	if (d->kind == BK_JIT_DISP_INDIRECT)
		bk_x86_grp5_r(b, G5_CALL, BK_JIT_AUX);
	else
		bk_x86_call32(b, 0); /* to the search or the thunk, patched below */
	bk_x86_load(b, 8, false, BK_JIT_AUX, BK_JIT_RUN, SH_OFF(engine));
	bk_x86_pop_m(b, BK_JIT_AUX, EX_ABORT_RSP);
	for (size_t i = sizeof(saved); i-- > 0;)
		bk_x86_pop(b, saved[i]);
	bk_x86_ret(b);
	if (d->kind == BK_JIT_DISP_INDIRECT)
		return;
	if (b->buf && !b->err) {
		int32_t rel = (int32_t)(b->pos - (call_at + 5));

		memcpy(b->buf + call_at + 1, &rel, 4);
	}
	if (d->kind == BK_JIT_DISP_RETPOLINE) {
		/* call set; spin: pause; lfence; jmp spin; set: mov [rsp], r11; ret */
		bk_x86_call32(b, 0);
		ret = b->pos;
		spin = b->pos;
		bk_x86_pause_lfence(b);
		bk_x86_jcc8(b, CC_ALWAYS, (int8_t)((int64_t)spin - (int64_t)(b->pos + 2)));
		if (b->buf && !b->err) {
			int32_t rel = (int32_t)(b->pos - ret);

			memcpy(b->buf + ret - 4, &rel, 4);
		}
		bk_x86_store_r(b, 8, RSP, 0, BK_JIT_AUX);
		bk_x86_ret(b);
		return;
	}
	bk_x86_movabs(b, BK_JIT_TMP, base);
	bk_x86_mov_rr(b, true, RAX, BK_JIT_AUX);
	bk_x86_alu_rr(b, true, XA_SUB, RAX, BK_JIT_TMP);
	tree(b, base, e, 0, n);
}

/* Generates and switches to a new image for the current programs. */
static int regenerate(struct bk_jit_disp *d)
{
	struct x86_buf b = {0};
	struct disp_image *im = calloc(1, sizeof(*im));
	int err;

	if (!im)
		return -ENOMEM;
	emit(d, &b, 0); /* measure: every jump is rel32, sizes do not change */
	im->map = bk_jit_mem_alloc(b.pos + BK_JIT_SPREAD, (const void *)(uintptr_t)bk_vm_helper,
				   &im->map_size);
	if (!im->map) {
		free(im);
		return -ENOMEM;
	}
	im->mem = im->map + bk_jit_mem_spread(im->map);
	b = (struct x86_buf){.buf = im->mem, .cap = b.pos};
	emit(d, &b, (uintptr_t)im->mem);
	im->len = b.pos;
	err = b.err ? b.err : bk_jit_mem_seal(im->map, im->map_size);
	if (err) {
		bk_jit_mem_free(im->map, im->map_size);
		free(im);
		return err;
	}
	im->next = d->all;
	d->all = im;
	__atomic_store_n(&d->cur, im, __ATOMIC_RELEASE);
	return 0;
}

int bk_jit_disp__new(enum bk_jit_disp_kind kind, struct bk_jit_disp **out)
{
	struct bk_jit_disp *d;
	int err;

	if (kind != BK_JIT_DISP_SEARCH && kind != BK_JIT_DISP_INDIRECT &&
	    kind != BK_JIT_DISP_RETPOLINE)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->kind = kind;
	err = regenerate(d);
	if (err) {
		free(d);
		return err;
	}
	*out = d;
	return 0;
}

void bk_jit_disp__free(struct bk_jit_disp *d)
{
	if (!d)
		return;
	while (d->all) {
		struct disp_image *im = d->all;

		d->all = im->next;
		bk_jit_mem_free(im->map, im->map_size);
		free(im);
	}
	free(d);
}

static size_t find(const struct bk_jit_disp *d, const struct bk_jit_prog *jp)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->progs[i] == jp)
			return i;
	return SIZE_MAX;
}

int bk_jit_disp__add(struct bk_jit_disp *d, struct bk_jit_prog *jp)
{
	size_t i;

	if (!d || !jp)
		return -EINVAL;
	if (find(d, jp) != SIZE_MAX)
		return 0;
	if (d->n >= MAX_PROGS)
		return -E2BIG;
	for (i = d->n; i > 0 && entry_of(d->progs[i - 1]) > entry_of(jp); i--)
		d->progs[i] = d->progs[i - 1];
	d->progs[i] = jp;
	d->n++;
	return regenerate(d);
}

int bk_jit_disp__remove(struct bk_jit_disp *d, struct bk_jit_prog *jp)
{
	size_t i = d && jp ? find(d, jp) : SIZE_MAX;

	if (i == SIZE_MAX)
		return -ENOENT;
	memmove(&d->progs[i], &d->progs[i + 1], (d->n - i - 1) * sizeof(d->progs[0]));
	d->n--;
	return regenerate(d);
}

size_t bk_jit_disp__count(const struct bk_jit_disp *d)
{
	return d ? d->n : 0;
}

int bk_jit_disp__exec(struct bk_jit_disp *d, struct bk_vm_run *run, struct bk_jit_prog *jp,
		      uint64_t *r0, struct bk_diag *diag)
{
	struct disp_image *im;

	if (!d)
		return bk_diag__set(diag, EINVAL, -1, "bk_jit_disp__exec: missing dispatcher");
	im = __atomic_load_n(&d->cur, __ATOMIC_ACQUIRE);
	return bk_jit_exec_via(run, jp, (bk_jit_enter_fn)(uintptr_t)im->mem, r0, diag);
}

const void *bk_jit_disp__image(const struct bk_jit_disp *d, size_t *len)
{
	struct disp_image *im = __atomic_load_n(&d->cur, __ATOMIC_ACQUIRE);

	*len = im->len;
	return im->mem;
}
