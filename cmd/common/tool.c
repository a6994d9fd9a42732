// SPDX-License-Identifier: MIT
/* tool.c - shared parts of the bpfkit binaries; see tool.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

int tool_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	size_t cap = 65536, n = 0;
	char *b;

	if (fd < 0)
		return -errno;
	if (!max)
		max = (size_t)1 << 30;
	b = malloc(cap + 1);
	if (!b)
		goto nomem;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap >= max) {
				free(b);
				if (fd != STDIN_FILENO)
					close(fd);
				return -EFBIG;
			}
			cap *= 2;
			nb = realloc(b, cap + 1);
			if (!nb)
				goto nomem;
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(b);
			if (fd != STDIN_FILENO)
				close(fd);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (n > max) {
		free(b);
		return -EFBIG;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
nomem:
	free(b);
	if (fd != STDIN_FILENO)
		close(fd);
	return -ENOMEM;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int tool_write_file(const char *path, const void *buf, size_t len)
{
	struct stat st;
	char *tmp;
	int fd, err;

	if (!strcmp(path, "-"))
		return write_all(STDOUT_FILENO, buf, len);
	/* Devices and pipes are written in place. */
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		err = write_all(fd, buf, len);
		close(fd);
		return err;
	}
	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return err;
	}
	err = write_all(fd, buf, len);
	if (!err && fchmod(fd, 0644))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}

/* Finds line `line` (1-based) of src; returns its start and sets *n. */
static const char *find_line(const char *src, size_t len, int line, size_t *n)
{
	const char *p = src, *end = src + len;

	for (int l = 1; l < line && p < end; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return NULL;
		p = nl + 1;
	}
	if (p >= end && line > 1)
		return NULL;
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		*n = nl ? (size_t)(nl - p) : (size_t)(end - p);
	}
	return p;
}

void tool_print_diag(FILE *f, const char *prog, const struct bk_diag *d, const char *src,
		     size_t src_len)
{
	const char *file = d->file ? d->file : prog;

	if (d->line > 0) {
		fprintf(f, "%s:%d:", file, d->line);
		if (d->col > 0)
			fprintf(f, "%d:", d->col);
	} else if (d->insn >= 0) {
		fprintf(f, "%s:insn %ld:", file, d->insn);
	} else {
		fprintf(f, "%s:", file);
	}
	fprintf(f, " error: %s\n", d->msg[0] ? d->msg : bk_strerror(d->code));
	if (src && d->line > 0) {
		size_t n;
		const char *l = find_line(src, src_len, d->line, &n);

		if (l) {
			fprintf(f, "  %.*s\n", (int)n, l);
			if (d->col > 0) {
				fputs("  ", f);
				/* Keep tabs so the caret lines up under them. */
				for (int i = 0; i < d->col - 1 && (size_t)i < n; i++)
					fputc(l[i] == '\t' ? '\t' : ' ', f);
				fputs("^\n", f);
			}
		}
	}
}

void tool_json_diag(struct json_w *w, const struct bk_diag *d)
{
	json_obj_begin(w);
	json_kv_str(w, "code", bk_errname(d->code));
	json_kv_int(w, "errno", d->code);
	json_kv_str(w, "message", d->msg[0] ? d->msg : bk_strerror(d->code));
	if (d->file)
		json_kv_str(w, "file", d->file);
	if (d->line > 0)
		json_kv_int(w, "line", d->line);
	if (d->col > 0)
		json_kv_int(w, "col", d->col);
	if (d->insn >= 0)
		json_kv_int(w, "insn", d->insn);
	json_obj_end(w);
}

void tool_json_error(FILE *f, const struct bk_diag *d)
{
	struct json_w w;

	json_init(&w, f, false);
	json_obj_begin(&w);
	json_key(&w, "error");
	tool_json_diag(&w, d);
	json_obj_end(&w);
	json_end(&w);
}

int tool_parse_u64(const char *s, uint64_t *out)
{
	int base = 10;
	char *end;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
		base = 2;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
		base = 8;
		s += 2;
	}
	if (!*s || !isxdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	return 0;
}

int tool_parse_s64(const char *s, int64_t *out)
{
	uint64_t v;
	bool neg = s && *s == '-';
	int err = tool_parse_u64(neg ? s + 1 : s, &v);

	if (err)
		return err;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return -ERANGE;
		*out = (int64_t)(0 - v);
	} else {
		if (v > (uint64_t)INT64_MAX)
			return -ERANGE;
		*out = (int64_t)v;
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int tool_parse_hex(const char *s, uint8_t **out, size_t *len)
{
	size_t cap = strlen(s) / 2 + 1, n = 0;
	uint8_t *b = malloc(cap);

	if (!b)
		return -ENOMEM;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	while (*s) {
		int hi, lo;

		if (isspace((unsigned char)*s) || *s == ',' || *s == ':') {
			s++;
			continue;
		}
		hi = hexval((unsigned char)s[0]);
		lo = hi >= 0 ? hexval((unsigned char)s[1]) : -1;
		if (hi < 0 || lo < 0) {
			free(b);
			return -EINVAL;
		}
		b[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	*out = b;
	*len = n;
	return 0;
}

uint64_t tool_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void tool_err(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
