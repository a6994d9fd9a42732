// SPDX-License-Identifier: MIT
/*
 * diag.c - struct bk_diag and the names of error codes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "uapi.h"

void bk_diag__init(struct bk_diag *d)
{
	if (!d)
		return;
	memset(d, 0, sizeof(*d));
	d->insn = -1;
}

int bk_diag__vset(struct bk_diag *d, int code, long insn, const char *fmt, va_list ap)
{
	if (d) {
		d->code = code;
		d->insn = insn;
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	}
	return -code;
}

int bk_diag__set(struct bk_diag *d, int code, long insn, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bk_diag__vset(d, code, insn, fmt, ap);
	va_end(ap);
	return -code;
}

static const struct {
	int code;
	const char *name, *desc;
} errs[] = {
#define BK_ERR(name, value, desc) {value, "BK_E_" #name, desc},
#include "errors.def"
#undef BK_ERR
};

const char *bk_errname(int code)
{
	if (code < 0)
		code = -code;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (errs[i].code == code)
			return errs[i].name;
	if (code > 0 && code < 1000) {
		const char *n = strerrorname_np(code);

		if (n)
			return n;
	}
	return "UNKNOWN";
}

const char *bk_strerror(int code)
{
	if (code < 0)
		code = -code;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (errs[i].code == code)
			return errs[i].desc;
	if (code > 0 && code < 1000)
		return strerror(code);
	return "unknown error";
}
