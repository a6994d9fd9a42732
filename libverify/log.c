// SPDX-License-Identifier: MIT
/*
 * log.c - the verifier log in the kernel's notation: register states as
 * "R1=ctx() R2=pkt(off=8,r=9) R3=scalar(smin=0,smax=umax=255,var_off=(0x0;
 * 0xff))", one line per instruction at level 2, states at branches at
 * level 1.  Lines go to the caller's callback; nothing is kept.
 */
#include <stdarg.h>
#include <stdio.h>

#include "verify_int.h"

bool vlog_on(struct venv *env, int level)
{
	return env->opts.log && env->opts.log_level >= level;
}

void vlog(struct venv *env, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!env->opts.log || env->opts.log_level < 1)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	env->opts.log(env->opts.log_ctx, line);
}

static bool small(int64_t v)
{
	return v >= -32768 && v <= 32767;
}

static int put_s(char *b, size_t n, int64_t v)
{
	return small(v) ? snprintf(b, n, "%lld", (long long)v)
			: snprintf(b, n, "%#llx", (unsigned long long)v);
}

static int put_u(char *b, size_t n, uint64_t v)
{
	return v <= 32767 ? snprintf(b, n, "%llu", (unsigned long long)v)
			  : snprintf(b, n, "%#llx", (unsigned long long)v);
}

/* "smin=smin32=0,smax=umax=255": equal bounds share one value. */
static size_t ranges_str(const struct vreg *r, char *b, size_t n, const char **sep)
{
	struct {
		const char *name;
		uint64_t val;
		bool omit, sign;
	} m[8] = {
		{"smin", (uint64_t)r->smin, r->smin == INT64_MIN, true},
		{"smax", (uint64_t)r->smax, r->smax == INT64_MAX, true},
		{"umin", r->umin, r->umin == 0, false},
		{"umax", r->umax, r->umax == UINT64_MAX, false},
		{"smin32", (uint64_t)(int64_t)r->s32min, r->s32min == INT32_MIN, true},
		{"smax32", (uint64_t)(int64_t)r->s32max, r->s32max == INT32_MAX, true},
		{"umin32", r->u32min, r->u32min == 0, false},
		{"umax32", r->u32max, r->u32max == UINT32_MAX, false},
	};
	size_t len = 0;

	for (int i = 0; i < 8; i++) {
		if (m[i].omit)
			continue;
		bool neg = m[i].sign && (int64_t)m[i].val < 0;

		len += (size_t)snprintf(b + len, len < n ? n - len : 0, "%s%s=", *sep, m[i].name);
		*sep = ",";
		for (int j = i + 2; j < 8; j += 2) {
			if (m[j].omit || m[j].val != m[i].val)
				continue;
			if ((m[j].sign && (int64_t)m[j].val < 0) != neg)
				continue;
			m[j].omit = true;
			len += (size_t)snprintf(b + len, len < n ? n - len : 0, "%s=", m[j].name);
		}
		if (m[i].sign)
			len += (size_t)put_s(b + len, len < n ? n - len : 0, (int64_t)m[i].val);
		else
			len += (size_t)put_u(b + len, len < n ? n - len : 0, m[i].val);
	}
	return len;
}

void reg_str(const struct vreg *r, char *b, size_t n)
{
	char tb[48], vb[64];
	const char *sep = "";
	size_t len = 0;

	if (r->type == VT_SCALAR && tnum_is_const(r->var_off) && !r->id) {
		put_s(b, n, (int64_t)r->var_off.value);
		return;
	}
	if (r->type == VT_STACK && tnum_is_const(r->var_off) && !r->var_off.value) {
		snprintf(b, n, "fp%d", r->off);
		return;
	}
	vtype_str(r, tb, sizeof(tb));
	len += (size_t)snprintf(b, n, "%s(", tb);
#define ADD(...) len += (size_t)snprintf(b + len, len < n ? n - len : 0, __VA_ARGS__)
	if (r->id) {
		ADD("%sid=%u", sep, r->id & ~V_ADD_CONST);
		if (r->type == VT_SCALAR && (r->id & V_ADD_CONST))
			ADD("%+d", r->off);
		sep = ",";
	}
	if (r->ref_obj_id) {
		ADD("%sref_obj_id=%u", sep, r->ref_obj_id);
		sep = ",";
	}
	if (r->type != VT_SCALAR && r->off) {
		ADD("%soff=%d", sep, r->off);
		sep = ",";
	}
	if (r->type == VT_PKT || r->type == VT_PKT_META) {
		ADD("%sr=%d", sep, r->aux);
		sep = ",";
	} else if (r->type == VT_MEM) {
		ADD("%ssz=%d", sep, r->aux);
		sep = ",";
	} else if (r->type == VT_MAP_VALUE || r->type == VT_MAP_PTR || r->type == VT_MAP_KEY) {
		ADD("%smap=%d", sep, r->aux);
		sep = ",";
	}
	if (!(r->type != VT_SCALAR && tnum_is_const(r->var_off) && !r->var_off.value)) {
		len += ranges_str(r, b + len, len < n ? n - len : 0, &sep);
		if (!tnum_is_unknown(r->var_off)) {
			tnum_str(vb, sizeof(vb), r->var_off);
			ADD("%svar_off=%s", sep, vb);
		}
	}
	ADD(")");
#undef ADD
}

static size_t regs_str(struct venv *env, char *b, size_t n)
{
	struct vframe *f = cur_frame(env);
	size_t len = 0;
	char rb[256];

	for (int i = 0; i < V_MAX_REGS && len < n; i++) {
		if (f->regs[i].type == VT_NOT_INIT)
			continue;
		reg_str(&f->regs[i], rb, sizeof(rb));
		len += (size_t)snprintf(b + len, n - len, "%sR%d=%s", len ? " " : "", i, rb);
	}
	for (int s = 0; s < f->nslots && len < n; s++) {
		const struct vslot *sl = &f->stack[s];

		if (slot_is_spilled(sl)) {
			reg_str(&sl->spilled, rb, sizeof(rb));
			len += (size_t)snprintf(b + len, n - len, " fp%d=%s", -8 * (s + 1), rb);
		}
	}
	return len;
}

/* "from 4 to 7: R1=ctx() ..." or "7: R1=ctx() ..." */
void vlog_state(struct venv *env, int insn, bool from)
{
	char b[4096];

	if (!vlog_on(env, 1))
		return;
	regs_str(env, b, sizeof(b));
	if (from)
		vlog(env, "from %d to %d: %s", env->prev_insn_idx, insn, b);
	else
		vlog(env, "%d: %s", insn, b);
}

void vlog_insn(struct venv *env, int insn)
{
	char text[128] = "", b[4096];
	const struct bk_dinsn *d = &env->insns[insn];
	struct bk_disasm_opts o = {.sz = sizeof(o), .syntax = BK_SYNTAX_KERNEL};

	if (!vlog_on(env, 2))
		return;
	bk_disasm_insn(d, (size_t)insn, &o, text, sizeof(text));
	regs_str(env, b, sizeof(b));
	vlog(env, "%d: %-36s ; %s", insn, text, b);
}
