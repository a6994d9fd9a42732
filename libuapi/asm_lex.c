// SPDX-License-Identifier: MIT
/*
 * asm_lex.c - the assembler's arena, tokenizer and operand primitives:
 * registers, numbers with their range rules, strings, and error reporting
 * with line and column.
 *
 * A statement is tokenized whole before it is parsed; tokens point into the
 * source text, so nothing here allocates except decoded strings.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm_int.h"

/* ---- arena ------------------------------------------------------------- */

struct asm_arena {
	struct asm_arena *next;
	size_t used, cap;
	max_align_t data[];
};

void *asm_alloc(struct asm_arena **a, size_t n)
{
	struct asm_arena *c = *a;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > 65536 ? n : 65536;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = *a;
		c->used = 0;
		c->cap = cap;
		*a = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *asm_strndup(struct asm_arena **a, const char *s, size_t n)
{
	char *p = asm_alloc(a, n + 1);

	if (p)
		memcpy(p, s, n);
	return p;
}

void asm_arena_free(struct asm_arena *a)
{
	while (a) {
		struct asm_arena *n = a->next;

		free(a);
		a = n;
	}
}

/* ---- errors ------------------------------------------------------------ */

int asm_err(struct asm_state *st, int code, uint32_t col, const char *fmt, ...)
{
	va_list ap;

	if (!col)
		col = st->ntoks ? st->toks[0].col : 1;
	va_start(ap, fmt);
	bk_diag__vset(st->diag, code, -1, fmt, ap);
	va_end(ap);
	if (st->diag) {
		st->diag->file = st->file;
		st->diag->line = (int)st->line;
		st->diag->col = (int)col;
	}
	return -code;
}

/* ---- tokenizer --------------------------------------------------------- */

/* Longest first. */
static const char *const puncts[] = {
	"s>>=", "<<=", ">>=", "s>=", "s<=", "s/=", "s%=", "s>", "s<", "==", "!=", ">=", "<=", "+=",
	"-=",	"*=",  "/=",  "%=",  "&=",  "|=",  "^=",  "=",	"+",  "-",  "*",  "/",	"%",  "&",
	"|",	"^",   "<",   ">",   "(",   ")",   "[",	  "]",	",",  ":",  "#",  "!",	"~",  "@",
};

static bool ident_start(int c)
{
	return isalpha(c) || c == '_' || c == '.' || c == '$' || c == '%';
}

static bool ident_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '$';
}

/* "s" directly followed by an operator is the signed form: "s>=", "s/=". */
static bool signed_op(const char *p, const char *e)
{
	static const char *const ops[] = {"s>>=", "s>=", "s<=", "s/=", "s%=", "s>", "s<"};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i]);

		if ((size_t)(e - p) >= n && !memcmp(p, ops[i], n))
			return true;
	}
	return false;
}

static int lex_number(struct asm_state *st, const char *p, const char *e, struct asm_tok *t)
{
	const char *s = p;
	unsigned base = 10;
	uint64_t v = 0;
	bool any = false;

	if (p + 1 < e && p[0] == '0' && strchr("xXbBoO", p[1])) {
		base = (p[1] == 'x' || p[1] == 'X') ? 16 : (p[1] == 'b' || p[1] == 'B') ? 2 : 8;
		p += 2;
		t->hex = true;
	}
	for (; p < e && isalnum((unsigned char)*p); p++) {
		int c = tolower((unsigned char)*p), dv;

		dv = isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : 99;
		if (dv >= (int)base)
			return asm_err(st, BK_E_ASM_SYNTAX, (uint32_t)(s - st->lstart) + 1,
				       "malformed number '%.*s'", (int)(p - s + 1), s);
		if (v > (UINT64_MAX - (uint64_t)dv) / base)
			t->overflow = true;
		v = v * base + (uint64_t)dv;
		any = true;
	}
	if (!any)
		return asm_err(st, BK_E_ASM_SYNTAX, (uint32_t)(s - st->lstart) + 1,
			       "malformed number '%.*s'", (int)(p - s), s);
	t->num = v;
	t->len = (uint16_t)(p - s);
	return 0;
}

int asm_tokenize(struct asm_state *st, const char *p, const char *e)
{
	const char *line0 = st->lstart;

	st->ntoks = 0;
	st->pos = 0;
	while (p < e) {
		struct asm_tok *t;
		unsigned c = (unsigned char)*p;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			p++;
			continue;
		}
		if (st->ntoks >= ASM_MAX_TOKS)
			return asm_err(st, BK_E_ASM_SYNTAX, (uint32_t)(p - line0) + 1,
				       "too many tokens in one statement");
		t = &st->toks[st->ntoks];
		memset(t, 0, sizeof(*t));
		t->s = p;
		t->col = (uint32_t)(p - line0) + 1;
		if (isdigit(c)) {
			int err;

			t->kind = TK_NUM;
			err = lex_number(st, p, e, t);
			if (err)
				return err;
			/* "0x10000]" ends at ']'; "12abc" was refused above. */
			p += t->len;
		} else if (ident_start((int)c) && !signed_op(p, e) &&
			   (c != '%' || (p + 1 < e && isalpha((unsigned char)p[1])))) {
			const char *s = p++;

			while (p < e && ident_char((unsigned char)*p))
				p++;
			t->kind = TK_IDENT;
			t->len = (uint16_t)(p - s);
		} else if (c == '"') {
			const char *s = p++;

			while (p < e && *p != '"') {
				if (*p == '\\' && p + 1 < e)
					p++;
				p++;
			}
			if (p >= e)
				return asm_err(st, BK_E_ASM_SYNTAX, t->col, "unterminated string");
			p++;
			t->kind = TK_STR;
			t->len = (uint16_t)(p - s);
		} else {
			size_t i;

			for (i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
				size_t n = strlen(puncts[i]);

				if ((size_t)(e - p) >= n && !memcmp(p, puncts[i], n))
					break;
			}
			if (i == sizeof(puncts) / sizeof(puncts[0])) {
				if (c >= 0x20 && c < 0x7f)
					return asm_err(st, BK_E_ASM_SYNTAX, t->col,
						       "unexpected character '%c'", (int)c);
				return asm_err(st, BK_E_ASM_SYNTAX, t->col,
					       "unexpected byte 0x%02x", c);
			}
			t->kind = TK_PUNCT;
			t->len = (uint16_t)strlen(puncts[i]);
			p += t->len;
		}
		st->ntoks++;
	}
	memset(&st->toks[st->ntoks], 0, sizeof(st->toks[0]));
	st->toks[st->ntoks].kind = TK_END;
	st->toks[st->ntoks].col = (uint32_t)(e - line0) + 1;
	st->toks[st->ntoks].s = e;
	return 0;
}

const struct asm_tok *asm_peek(struct asm_state *st, int ahead)
{
	int i = st->pos + ahead;

	return &st->toks[i < st->ntoks ? i : st->ntoks];
}

const struct asm_tok *asm_next(struct asm_state *st)
{
	const struct asm_tok *t = asm_peek(st, 0);

	if (st->pos < st->ntoks)
		st->pos++;
	return t;
}

bool asm_tok_is(const struct asm_tok *t, const char *s)
{
	size_t n = strlen(s);

	return (t->kind == TK_PUNCT || t->kind == TK_IDENT) && t->len == n && !memcmp(t->s, s, n);
}

bool asm_accept(struct asm_state *st, const char *s)
{
	if (!asm_tok_is(asm_peek(st, 0), s))
		return false;
	asm_next(st);
	return true;
}

uint32_t asm_col(struct asm_state *st)
{
	return asm_peek(st, 0)->col;
}

static int describe(const struct asm_tok *t, char *buf, size_t n)
{
	if (t->kind == TK_END)
		return snprintf(buf, n, "end of line");
	return snprintf(buf, n, "'%.*s'", t->len > 40 ? 40 : (int)t->len, t->s);
}

int asm_expect(struct asm_state *st, const char *s, const char *what)
{
	const struct asm_tok *t = asm_peek(st, 0);
	char got[64];

	if (asm_accept(st, s))
		return 0;
	describe(t, got, sizeof(got));
	return asm_err(st, BK_E_ASM_SYNTAX, t->col, "expected '%s'%s%s, found %s", s,
		       what ? " " : "", what ? what : "", got);
}

int asm_expect_end(struct asm_state *st)
{
	const struct asm_tok *t = asm_peek(st, 0);
	char got[64];

	if (t->kind == TK_END)
		return 0;
	describe(t, got, sizeof(got));
	return asm_err(st, BK_E_ASM_OPERANDS, t->col, "unexpected %s after the instruction", got);
}

int asm_tok_string(struct asm_state *st, const struct asm_tok *t, char **out, size_t *n)
{
	char *b = asm_alloc(&st->u.arena, t->len);
	size_t k = 0;

	if (!b)
		return -ENOMEM;
	for (size_t i = 1; i + 1 < t->len; i++) {
		char c = t->s[i];

		if (c == '\\' && i + 2 < t->len) {
			char e = t->s[++i];

			switch (e) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case '0':
				c = '\0';
				break;
			case 'x': {
				unsigned v = 0, d = 0;

				while (d < 2 && i + 2 < t->len &&
				       isxdigit((unsigned char)t->s[i + 1])) {
					char h = (char)tolower((unsigned char)t->s[++i]);

					v = v * 16 + (unsigned)(isdigit((unsigned char)h)
									? h - '0'
									: h - 'a' + 10);
					d++;
				}
				if (!d)
					return asm_err(st, BK_E_ASM_SYNTAX, t->col + (uint32_t)i,
						       "\\x needs hex digits");
				c = (char)v;
				break;
			}
			default:
				c = e;
			}
		}
		b[k++] = c;
	}
	*out = b;
	*n = k;
	return 0;
}

/* ---- operands ------------------------------------------------------------ */

bool asm_tok_is_reg(const struct asm_tok *t)
{
	const char *s = t->s;
	size_t n = t->len;

	if (t->kind != TK_IDENT || n < 2)
		return false;
	if (s[0] == '%') {
		s++;
		n--;
	}
	if (n < 2 || (s[0] != 'r' && s[0] != 'w'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

int asm_reg(struct asm_state *st, uint8_t *reg, bool *is32)
{
	const struct asm_tok *t = asm_peek(st, 0);
	const char *s = t->s;
	size_t n = t->len;
	unsigned v = 0;
	char got[64];

	if (!asm_tok_is_reg(t)) {
		if (t->kind == TK_IDENT && t->len >= 2 && t->s[0] == '%')
			return asm_err(st, BK_E_ASM_REG, t->col, "invalid register '%.*s'",
				       (int)t->len, t->s);
		describe(t, got, sizeof(got));
		return asm_err(st, BK_E_ASM_OPERANDS, t->col, "expected a register, found %s", got);
	}
	if (s[0] == '%') {
		s++;
		n--;
	}
	for (size_t i = 1; i < n && v <= 10; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	if (v > 10 || (n > 2 && s[1] == '0'))
		return asm_err(st, BK_E_ASM_REG, t->col,
			       "invalid register '%.*s' (registers are r0 to r10)", (int)t->len,
			       t->s);
	*reg = (uint8_t)v;
	if (is32)
		*is32 = s[0] == 'w';
	asm_next(st);
	return 0;
}

bool asm_at_num(struct asm_state *st)
{
	const struct asm_tok *t = asm_peek(st, 0);

	if (t->kind == TK_NUM)
		return true;
	return (asm_tok_is(t, "-") || asm_tok_is(t, "+")) && asm_peek(st, 1)->kind == TK_NUM;
}

int asm_imm(struct asm_state *st, enum asm_imm_kind kind, int64_t *out)
{
	const struct asm_tok *t = asm_peek(st, 0);
	uint32_t col = t->col;
	bool neg = false;
	uint64_t v;
	char got[64];

	if (asm_tok_is(t, "-") || asm_tok_is(t, "+")) {
		neg = t->s[0] == '-';
		asm_next(st);
		t = asm_peek(st, 0);
	}
	if (t->kind != TK_NUM) {
		describe(t, got, sizeof(got));
		return asm_err(st, BK_E_ASM_OPERANDS, t->col, "expected a number, found %s", got);
	}
	asm_next(st);
	v = t->num;
	if (t->overflow)
		goto range;
	switch (kind) {
	case IMM32:
		if (t->hex ? v > (neg ? 0x80000000ull : 0xffffffffull)
			   : v > (neg ? 0x80000000ull : 0x7fffffffull))
			goto range;
		*out = neg ? -(int64_t)v : (int64_t)(int32_t)(uint32_t)v;
		if (!neg && !t->hex)
			*out = (int64_t)v;
		return 0;
	case OFF16:
		if (v > (neg ? 0x8000ull : 0x7fffull))
			goto range;
		*out = neg ? -(int64_t)v : (int64_t)v;
		return 0;
	case IMM64:
		if (neg && v > (uint64_t)INT64_MAX + 1)
			goto range;
		*out = neg ? (int64_t)(0 - v) : (int64_t)v;
		return 0;
	}
range:
	return asm_err(st, BK_E_ASM_RANGE, col, "value %s%.*s is out of range for %s",
		       neg ? "-" : "", (int)t->len, t->s,
		       kind == IMM32   ? "a 32-bit immediate"
		       : kind == OFF16 ? "a 16-bit offset"
				       : "a 64-bit immediate");
}
