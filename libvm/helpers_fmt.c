// SPDX-License-Identifier: MIT
/*
 * helpers_fmt.c - bpf_trace_printk's formatting, with the conversions the
 * kernel accepts: flags [-+ 0#], a width, length l or ll, and d i u x X c
 * s p (%pK, %px as pointers).  At most three arguments.  The format is the
 * program's memory and never reaches printf: each conversion is rebuilt
 * from its parsed parts.  Strings (%s) are read byte by byte through the
 * run's checks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vm_int.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, o->len++)
		if (o->len + 1 < o->size)
			o->buf[o->len] = s[i];
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
}

/* Copies a NUL-terminated string of the program (at most 256 bytes). */
static void get_str(struct bk_vm_run *run, uint64_t p, char *s, size_t size)
{
	size_t n = 0;

	if (!p || !bk_vm_run__mem_ok(run, p, 1, false)) {
		snprintf(s, size, "(fault)");
		return;
	}
	while (n + 1 < size && bk_vm_run__mem_ok(run, p + n, 1, false)) {
		char c = *(const char *)(uintptr_t)(p + n);

		if (!c)
			break;
		s[n++] = c;
	}
	s[n] = '\0';
}

int bk_vm_format(struct bk_vm_run *run, const char *fmt, size_t fmt_len, const uint64_t *args,
		 int nargs, char *out, size_t out_size)
{
	struct out o = {out, out_size, 0};
	int arg = 0;

	if (out_size)
		out[0] = '\0';
	for (size_t i = 0; i < fmt_len && fmt[i]; i++) {
		char spec[16], piece[300], str[257];
		size_t sn = 0, start = i;
		int lng = 0, n;
		uint64_t v;

		if (fmt[i] != '%') {
			put(&o, &fmt[i], 1);
			continue;
		}
		if (i + 1 < fmt_len && fmt[i + 1] == '%') {
			put(&o, "%", 1);
			i++;
			continue;
		}
		spec[sn++] = '%';
		for (i++; i < fmt_len && strchr("-+ 0#", fmt[i]) && fmt[i] && sn < 6; i++)
			spec[sn++] = fmt[i];
		for (; i < fmt_len && fmt[i] >= '0' && fmt[i] <= '9' && sn < 10; i++)
			spec[sn++] = fmt[i];
		for (; i < fmt_len && fmt[i] == 'l' && lng < 2; i++)
			lng++;
		if (i >= fmt_len || !fmt[i] || arg >= nargs)
			return -EINVAL;
		(void)start;
		v = args[arg++];
		switch (fmt[i]) {
		case 'd':
		case 'i':
			memcpy(spec + sn, PRId64, sizeof(PRId64));
			n = snprintf(piece, sizeof(piece), spec,
				     lng ? (int64_t)v : (int64_t)(int32_t)v);
			break;
		case 'u':
		case 'x':
		case 'X':
			memcpy(spec + sn,
			       fmt[i] == 'u'   ? PRIu64
			       : fmt[i] == 'x' ? PRIx64
					       : PRIX64,
			       sizeof(PRIu64));
			n = snprintf(piece, sizeof(piece), spec, lng ? v : (uint64_t)(uint32_t)v);
			break;
		case 'c':
			spec[sn++] = 'c';
			spec[sn] = '\0';
			n = snprintf(piece, sizeof(piece), spec, (int)(unsigned char)v);
			break;
		case 's':
			spec[sn++] = 's';
			spec[sn] = '\0';
			get_str(run, v, str, sizeof(str));
			n = snprintf(piece, sizeof(piece), spec, str);
			break;
		case 'p':
			if (i + 1 < fmt_len && (fmt[i + 1] == 'K' || fmt[i + 1] == 'x'))
				i++;
			n = snprintf(piece, sizeof(piece), "0x%016" PRIx64, v);
			break;
		default:
			return -EINVAL;
		}
		if (n > 0)
			put(&o, piece, (size_t)n < sizeof(piece) ? (size_t)n : sizeof(piece) - 1);
	}
	return (int)(o.len < out_size ? o.len : out_size ? out_size - 1 : 0);
}
