// SPDX-License-Identifier: MIT
/*
 * compile.c - bk_jit_prog__new(): analysis of the program (jump targets,
 * functions, basic blocks), the code generation passes, the image layout
 * (enter stub, main prologue, body, stubs) and its executable mapping.
 *
 * Passes: the first only measures (no buffer, rel32 jumps, movabs calls);
 * then the image is mapped read + write and regenerated until the label
 * addresses of two passes agree; then it becomes read + exec.  Code never
 * lives in a mapping that is writable and executable at once.
 *
 * Loop heads (targets of backward jumps) are padded with NOPs to 64-byte
 * boundaries.  Padding can make a later pass longer, so a layout that has
 * not settled after a few passes drops the padding, and sizes then only
 * shrink.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jit_int.h"

#define SH_OFF(f) ((int32_t)__builtin_offsetof(struct bk_vm_run_shared, f))
#define UNSET UINT32_MAX

enum {
	MAX_PASSES = 40,
	ALIGNED_PASSES = 12, /* then give up loop alignment: sizes shrink monotonically */
	LOOP_ALIGN = 64,
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool cpu_has_bmi2(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("bmi2");
}

/* ---- analysis ----------------------------------------------------------- */

static bool ends_flow(unsigned op)
{
	return op == BK_OP_JA || op == BK_OP_JA32 || op == BK_OP_EXIT;
}

static void mark(struct jit_cg *c, size_t from, int64_t rel, uint8_t flag)
{
	int64_t to = (int64_t)from + 1 + rel;

	if (to >= 0 && (size_t)to < c->cnt) {
		c->info[to] |= flag | JI_LEADER;
		if (flag == JI_TARGET && (size_t)to <= from)
			c->info[to] |= JI_LOOP_HEAD;
	}
}

static void analyse(struct jit_cg *c)
{
	size_t prev = SIZE_MAX;

	c->info[0] |= JI_LEADER;
	for (size_t i = 0; i < c->cnt; i++) {
		const struct bk_dinsn *d = &c->dec[i];
		unsigned fmt;

		if (!d->slots)
			continue;
		if (prev != SIZE_MAX && !ends_flow(c->dec[prev].op) &&
		    !(c->dec[prev].op == BK_OP_JA && c->dec[prev].off == 0))
			c->info[i] |= JI_FALLS_IN;
		prev = i;
		fmt = bk_op_info(d->op)->fmt;
		switch (fmt) {
		case BK_FMT_JA:
		case BK_FMT_JCOND:
		case BK_FMT_JMP_K:
		case BK_FMT_JMP_X:
			mark(c, i, d->off, JI_TARGET);
			break;
		case BK_FMT_JA32:
			mark(c, i, d->imm, JI_TARGET);
			break;
		case BK_FMT_CALL_LOCAL:
			mark(c, i, d->imm, JI_FUNC);
			break;
		case BK_FMT_LDDW:
			if (d->op == BK_OP_LDDW_FUNC)
				mark(c, i, d->imm, JI_FUNC);
			break;
		default:
			break;
		}
		if (d->op == BK_OP_MAY_GOTO)
			c->has_may_goto = true;
		if (fmt == BK_FMT_JA || fmt == BK_FMT_JA32 || fmt == BK_FMT_JCOND ||
		    fmt == BK_FMT_JMP_K || fmt == BK_FMT_JMP_X || fmt == BK_FMT_EXIT ||
		    fmt == BK_FMT_CALL_LOCAL || fmt == BK_FMT_CALLX)
			c->info[i + d->slots] |= JI_LEADER;
	}
	/* instructions per basic block, for the budget of checked mode */
	for (size_t i = 0, lead = 0; i <= c->cnt; i++) {
		if (i == c->cnt || (c->info[i] & JI_LEADER))
			lead = i;
		if (i < c->cnt && c->dec[i].slots)
			c->blen[lead]++;
	}
}

/* ---- prologue, epilogue, entry ------------------------------------------ */

static const uint8_t frame_regs[] = {RBP, RBX, R13, R14, R15};

static void may_goto_init(struct jit_cg *c)
{
	if (c->has_may_goto)
		bk_x86_store_i(&c->b, 8, RSP, FRAME_MAY_GOTO, BK_VM_MAX_LOOPS);
}

void bk_jit_prologue(struct jit_cg *c)
{
	struct x86_buf *b = &c->b;

	for (size_t i = 0; i < sizeof(frame_regs); i++)
		bk_x86_push(b, frame_regs[i]);
	bk_x86_alu_ri(b, true, XA_SUB, RSP, FRAME_LOCALS);
	bk_x86_lea(b, true, RBP, RBP, -BK_VM_STACK_SIZE);
}

void bk_jit_epilogue(struct jit_cg *c)
{
	struct x86_buf *b = &c->b;

	bk_x86_alu_ri(b, true, XA_ADD, RSP, FRAME_LOCALS);
	for (size_t i = sizeof(frame_regs); i-- > 0;)
		bk_x86_pop(b, frame_regs[i]);
	bk_x86_ret(b);
}

/* Saves the C callee-saved registers, r12 = run, pushes the previous
 * abort_rsp and records the new one, rbp = the frame's fp. */
static void enter_head(struct x86_buf *b)
{
	static const uint8_t saved[] = {RBP, RBX, R12, R13, R14, R15};

	for (size_t i = 0; i < sizeof(saved); i++)
		bk_x86_push(b, saved[i]);
	bk_x86_load(b, 8, false, BK_JIT_RUN, R9, FR_RUN);
	bk_x86_load(b, 8, false, BK_JIT_AUX, BK_JIT_RUN, SH_OFF(engine));
	bk_x86_grp5_m(b, false, G5_PUSH, BK_JIT_AUX, EX_ABORT_RSP);
	bk_x86_store_r(b, 8, BK_JIT_AUX, EX_ABORT_RSP, RSP);
	bk_x86_load(b, 8, false, RBP, R9, FR_FP);
}

/* The C-callable enter stub (see jit_int.h), the abort path, and the
 * repeat loop (enter_n): runs the main function until exec.runs is 0,
 * each run with fresh r1, r2, tail call count and budget. */
static void emit_enter(struct jit_cg *c)
{
	static const uint8_t restored[] = {R15, R14, R13, R12, RBX, RBP};
	static const uint8_t zero[] = {RAX, RBX, R13, R14, R15};
	struct x86_buf *b = &c->b;
	size_t ret, loop;

	enter_head(b);
	for (size_t i = 0; i < sizeof(zero); i++) /* r0, r6..r9: as the interpreter */
		bk_x86_alu_rr(b, false, XA_XOR, zero[i], zero[i]);
	bk_x86_grp5_m(b, false, G5_CALL, R9, FR_FN);
	ret = b->pos;
	bk_x86_load(b, 8, false, BK_JIT_AUX, BK_JIT_RUN, SH_OFF(engine));
	bk_x86_pop_m(b, BK_JIT_AUX, EX_ABORT_RSP);
	for (size_t i = 0; i < sizeof(restored); i++)
		bk_x86_pop(b, restored[i]);
	bk_x86_ret(b);
	bk_jit_bind(c, LBL_ABORT);
	bk_x86_load(b, 8, false, BK_JIT_AUX, BK_JIT_RUN, SH_OFF(engine));
	bk_x86_load(b, 8, false, RSP, BK_JIT_AUX, EX_ABORT_RSP);
	bk_x86_alu_rr(b, false, XA_XOR, RAX, RAX);
	bk_x86_jcc8(b, CC_ALWAYS, (int8_t)((int64_t)ret - (int64_t)(b->pos + 2)));
	bk_jit_bind(c, LBL_ENTER_N);
	enter_head(b);
	loop = b->pos;
	if (c->checked) {
		bk_x86_load(b, 8, false, BK_JIT_AUX, BK_JIT_RUN, SH_OFF(engine));
		bk_x86_load(b, 8, false, BK_JIT_TMP, BK_JIT_AUX, EX_LIMIT);
		bk_x86_store_r(b, 8, BK_JIT_AUX, EX_REMAINING, BK_JIT_TMP);
	}
	bk_x86_store_i(b, 4, BK_JIT_RUN, SH_OFF(tail_calls), 0);
	bk_x86_load(b, 8, false, RDI, BK_JIT_RUN, SH_OFF(r1));
	bk_x86_load(b, 8, false, RSI, BK_JIT_RUN, SH_OFF(r2));
	bk_jit_call_label(c, LBL_MAIN);
	bk_x86_load(b, 8, false, BK_JIT_AUX, BK_JIT_RUN, SH_OFF(engine));
	bk_x86_alu_mi(b, true, XA_SUB, BK_JIT_AUX, EX_RUNS, 1);
	bk_x86_jcc32(b, CC_NE, (int32_t)((int64_t)loop - (int64_t)(b->pos + 6)));
	bk_x86_jcc32(b, CC_ALWAYS, (int32_t)((int64_t)ret - (int64_t)(b->pos + 5)));
}

/* The main function: prologue, then (also the tail-call entry) registers
 * r0 and r3..r9 zeroed as the interpreter starts them. */
static void emit_main(struct jit_cg *c)
{
	static const uint8_t zero[] = {RAX, RDX, RCX, R8, RBX, R13, R14, R15};
	struct x86_buf *b = &c->b;

	bk_jit_bind(c, LBL_MAIN);
	bk_jit_prologue(c);
	bk_jit_bind(c, LBL_TAIL);
	may_goto_init(c);
	for (size_t i = 0; i < sizeof(zero); i++)
		bk_x86_alu_rr(b, false, XA_XOR, zero[i], zero[i]);
	if (c->info[0] & JI_FUNC)
		bk_jit_jump(c, CC_ALWAYS, lbl_insn(c, 0));
}

static void emit_budget(struct jit_cg *c, size_t i)
{
	struct x86_buf *b = &c->b;

	bk_x86_load(b, 8, false, BK_JIT_AUX, BK_JIT_RUN, SH_OFF(engine));
	bk_x86_alu_mi(b, true, XA_SUB, BK_JIT_AUX, EX_REMAINING, (int32_t)c->blen[i]);
	bk_jit_fault_if(c, CC_B, BK_E_VM_BUDGET);
}

/* One pass over the whole image. */
static void generate(struct jit_cg *c)
{
	size_t last = 0;

	c->b.pos = 0;
	c->b.err = 0;
	c->drift = 0;
	c->nstubs = 0;
	c->rng = c->seed;
	memset(&c->stats, 0, sizeof(c->stats));
	memset(c->addr, 0xff, c->nlabels * sizeof(*c->addr));
	emit_enter(c);
	emit_main(c);
	for (size_t i = 0; i < c->cnt; i++) {
		c->off[i] = (uint32_t)c->b.pos;
		if (!c->dec[i].slots)
			continue;
		last = i;
		c->cur = i;
		c->nstub_cur = 0;
		if (c->info[i] & JI_FUNC) {
			if (c->info[i] & JI_FALLS_IN)
				bk_jit_jump(c, CC_ALWAYS, lbl_insn(c, i));
			bk_jit_bind(c, lbl_func(c, i));
			bk_jit_prologue(c);
			may_goto_init(c);
		}
		if (c->align && (c->info[i] & JI_LOOP_HEAD))
			bk_x86_nops(&c->b, (unsigned)(-c->b.pos & (LOOP_ALIGN - 1)));
		bk_jit_bind(c, lbl_insn(c, i));
		if (c->checked && (c->info[i] & JI_LEADER))
			emit_budget(c, i);
		bk_jit_translate(c, i);
	}
	c->off[c->cnt] = (uint32_t)c->b.pos;
	bk_jit_bind(c, lbl_insn(c, c->cnt));
	if (!ends_flow(c->dec[last].op)) {
		/* execution may run past the last instruction */
		c->cur = last;
		c->nstub_cur = 0;
		bk_jit_jump(c, CC_ALWAYS, bk_jit_stub(c, STUB_FAULT, BK_E_VM_FALLOFF));
	}
	bk_jit_emit_stubs(c);
}

/* ---- bk_jit_prog ------------------------------------------------------ */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int fill_prog(struct bk_jit_prog *jp, struct jit_cg *c)
{
	jp->len = c->b.pos;
	jp->abort_off = c->addr[LBL_ABORT];
	jp->enter_off = 0;
	jp->enter_n_off = c->addr[LBL_ENTER_N];
	jp->prologue_off = c->addr[LBL_MAIN];
	jp->tail_off = c->addr[LBL_TAIL];
	jp->body_off = c->off[0];
	jp->stubs_off = c->off[c->cnt];
	jp->cnt = c->cnt;
	jp->off = malloc((c->cnt + 1) * sizeof(*jp->off));
	jp->funcs = malloc((c->cnt + 1) * sizeof(*jp->funcs));
	if (!jp->off || !jp->funcs)
		return -ENOMEM;
	memcpy(jp->off, c->off, (c->cnt + 1) * sizeof(*jp->off));
	for (size_t i = 0; i < c->cnt; i++)
		if ((c->info[i] & JI_FUNC) && c->dec[i].slots)
			jp->funcs[jp->nfuncs++] = bk_jit_addr(jp, c->addr[lbl_func(c, i)]);
	qsort(jp->funcs, jp->nfuncs, sizeof(*jp->funcs), cmp_u64);
	jp->stats = c->stats;
	return 0;
}

/* Runs passes until the layout settles, into jp's mapping. */
static int passes(struct jit_cg *c, struct bk_jit_prog *jp)
{
	uint32_t *prev = malloc(c->nlabels * sizeof(*prev));
	size_t size1, last = 0;
	int err = 0;

	if (!prev)
		return -ENOMEM;
	generate(c); /* measure */
	if (c->b.err) {
		err = c->b.err;
		goto out;
	}
	/* later passes: jumps and calls only shrink; padding may grow */
	size1 = c->b.pos;
	for (size_t i = 0; i < c->cnt; i++)
		if (c->align && (c->info[i] & JI_LOOP_HEAD))
			size1 += LOOP_ALIGN;
	jp->map = bk_jit_mem_alloc(size1 + BK_JIT_SPREAD, (const void *)(uintptr_t)bk_vm_helper,
				   &jp->map_size);
	if (!jp->map) {
		err = -ENOMEM;
		goto out;
	}
	jp->image = jp->map + bk_jit_mem_spread(jp->map);
	c->base = (uintptr_t)jp->image;
	c->reach = (uint64_t)INT32_MAX - size1 - 4096;
	c->b.buf = jp->image;
	c->b.cap = size1;
	for (unsigned n = 1;; n++) {
		memcpy(prev, c->addr, c->nlabels * sizeof(*prev));
		c->prev = prev;
		last = c->b.pos;
		generate(c);
		if (c->b.err) {
			err = c->b.err;
			break;
		}
		if (c->b.pos == last && !memcmp(prev, c->addr, c->nlabels * sizeof(*prev))) {
			c->stats.passes = n + 1;
			break;
		}
		if (n == ALIGNED_PASSES && c->align)
			c->align = false; /* padding kept the layout moving */
		if (n == MAX_PASSES - 4)
			c->near_only = true; /* settles in the next pass */
		if (n >= MAX_PASSES) {
			err = -BK_E_JIT;
			break;
		}
	}
out:
	free(prev);
	c->prev = NULL;
	return err;
}

static void attach(struct bk_jit_prog *jp)
{
	struct bk_jit_prog *cur = bk_vm_prog__engine_data(jp->vprog);

	if (cur && cur->magic == BK_JIT_MAGIC) {
		if (cur->mode == jp->mode)
			return;
		jp->sibling = cur;
	}
	bk_vm_prog__set_engine_data(jp->vprog, jp);
}

static void detach(struct bk_jit_prog *jp)
{
	struct bk_jit_prog *cur = bk_vm_prog__engine_data(jp->vprog);

	if (cur == jp) {
		bk_vm_prog__set_engine_data(jp->vprog, jp->sibling);
		return;
	}
	for (; cur && cur->magic == BK_JIT_MAGIC; cur = cur->sibling)
		if (cur->sibling == jp) {
			cur->sibling = jp->sibling;
			return;
		}
}

static int cg_init(struct jit_cg *c, struct bk_vm_prog *prog, const struct bk_jit_opts *o,
		   struct bk_diag *diag)
{
	const struct bk_insn *insns = bk_vm_prog__insns(prog, &c->cnt);
	struct bk_dinsn *dec;
	int err;

	c->vp = prog;
	c->diag = diag;
	c->checked = o->mode != BK_VM_TRUSTED;
	c->harden = o->flags & BK_JIT_HARDEN;
	c->bmi2 = !(o->flags & BK_JIT_NO_BMI2) && cpu_has_bmi2();
	c->inline_maps = !(o->flags & BK_JIT_NO_INLINE);
	c->align = !(o->flags & BK_JIT_NO_ALIGN);
	c->seed = o->seed ? o->seed : now_ns() ^ (uintptr_t)c ^ 0x9e3779b97f4a7c15ull;
	if (o->facts) {
		if (o->nfacts != c->cnt)
			return bk_diag__set(diag, BK_E_JIT_FACTS, -1,
					    "%zu facts for a program of %zu instructions",
					    o->nfacts, c->cnt);
		c->facts = o->facts;
	}
	c->nlabels = lbl_count(c->cnt);
	c->dec = dec = calloc(c->cnt + 1, sizeof(*dec));
	c->info = calloc(c->cnt + 1, 1);
	c->blen = calloc(c->cnt + 1, sizeof(*c->blen));
	c->off = calloc(c->cnt + 1, sizeof(*c->off));
	c->addr = calloc(c->nlabels, sizeof(*c->addr));
	if (!dec || !c->info || !c->blen || !c->off || !c->addr)
		return bk_diag__set(diag, ENOMEM, -1, "out of memory");
	err = bk_decode_prog(insns, c->cnt, dec, diag);
	if (err)
		return err;
	analyse(c);
	return 0;
}

static void cg_fini(struct jit_cg *c)
{
	free((void *)c->dec);
	free(c->info);
	free(c->blen);
	free(c->off);
	free(c->addr);
	free(c->stubs);
}

int bk_jit_prog__new(struct bk_vm_prog *prog, const struct bk_jit_opts *opts,
		     struct bk_jit_prog **out, struct bk_diag *diag)
{
	struct bk_jit_opts o = {.sz = sizeof(o)};
	uint64_t t0 = now_ns();
	struct bk_jit_prog *jp;
	struct jit_cg c = {0};
	int err;

	if (!prog || !out)
		return bk_diag__set(diag, EINVAL, -1, "bk_jit_prog__new: missing argument");
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	jp = calloc(1, sizeof(*jp));
	if (!jp)
		return bk_diag__set(diag, ENOMEM, -1, "out of memory");
	jp->magic = BK_JIT_MAGIC;
	jp->vprog = prog;
	jp->mode = o.mode == BK_VM_TRUSTED ? BK_VM_TRUSTED : BK_VM_CHECKED;
	err = cg_init(&c, prog, &o, diag);
	if (!err)
		err = passes(&c, jp);
	if (!err)
		err = fill_prog(jp, &c);
	if (!err)
		err = bk_jit_mem_seal(jp->map, jp->map_size);
	if (err) {
		long at = c.b.err && c.cur < c.cnt ? (long)c.cur : -1;

		if (!diag || !diag->code)
			bk_diag__set(diag, err < 0 ? -err : err, at, "cannot compile %s: %s",
				     bk_vm_prog__name(prog), bk_strerror(err < 0 ? -err : err));
		cg_fini(&c);
		bk_jit_prog__free(jp);
		return err < 0 ? err : -err;
	}
	cg_fini(&c);
	jp->stats.compile_ns = now_ns() - t0;
	attach(jp);
	*out = jp;
	return 0;
}

void bk_jit_prog__free(struct bk_jit_prog *jp)
{
	if (!jp)
		return;
	detach(jp);
	if (jp->map)
		bk_jit_mem_free(jp->map, jp->map_size);
	free(jp->off);
	free(jp->funcs);
	free(jp);
}

struct bk_vm_prog *bk_jit_prog__vm_prog(const struct bk_jit_prog *jp)
{
	return jp->vprog;
}

uint8_t bk_jit_prog__mode(const struct bk_jit_prog *jp)
{
	return jp->mode;
}

void bk_jit_prog__layout(const struct bk_jit_prog *jp, struct bk_jit_layout *out)
{
	*out = (struct bk_jit_layout){.image = jp->image,
				      .size = jp->len,
				      .addr = (uintptr_t)jp->image,
				      .enter = jp->enter_off,
				      .abort = jp->abort_off,
				      .repeat = jp->enter_n_off,
				      .prologue = jp->prologue_off,
				      .body = jp->body_off,
				      .stubs = jp->stubs_off,
				      .off = jp->off,
				      .cnt = jp->cnt};
}

void bk_jit_prog__stats(const struct bk_jit_prog *jp, struct bk_jit_stats *out)
{
	*out = jp->stats;
}
