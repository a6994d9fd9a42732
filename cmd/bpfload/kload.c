// SPDX-License-Identifier: MIT
/*
 * kload.c - opening and loading objects through libbpf, for bpfload.
 *
 * Objects are read whole (so "-" is stdin) and opened with
 * bpf_object__open_mem.  Only the program this run needs is loaded (the
 * others get autoload off), with a log buffer of our own: libbpf loads with
 * log level 0 and, on a failure, loads again at level 1 into that buffer, so
 * a rejection always comes with the kernel verifier's log.
 *
 * The log is trimmed for people to the end of the failing path: the last
 * TRIM_INSNS instruction lines ("N: (op) ...") before the error, with the
 * state and branch lines between them, then everything after the last
 * instruction - the error message and the "processed N insns" statistics.
 * A log without instruction lines is shown whole up to TRIM_MAX_LINES from
 * its end.  --verbose shows the whole log.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "bpfload.h"
#include "tool.h"

#define LOG_SIZE (16u << 20)
#define TRIM_INSNS 12
#define TRIM_MAX_LINES 40

const char *bl_prog_type_str(int type)
{
	const char *s = libbpf_bpf_prog_type_str((enum bpf_prog_type)type);

	return s ? s : "unknown";
}

/* The last libbpf warning line, for messages ("" when none). */
static const char *last_libbpf_line(char *tmp, size_t len)
{
	const char *t = bl_libbpf_msgs.text, *end, *start;

	tmp[0] = '\0';
	if (!t || !bl_libbpf_msgs.len)
		return tmp;
	end = t + bl_libbpf_msgs.len;
	while (end > t && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	start = end;
	while (start > t && start[-1] != '\n')
		start--;
	snprintf(tmp, len, "%.*s", (int)(end - start), start);
	return tmp;
}

/* An object name for libbpf (prefix of its internal maps' names). */
static void obj_name(const char *path, char *out, size_t len)
{
	char *dup = strdup(path), *base, *dot;

	if (!dup || !strcmp(path, "-")) {
		snprintf(out, len, "stdin");
		free(dup);
		return;
	}
	base = basename(dup);
	dot = strchr(base, '.');
	if (dot)
		*dot = '\0';
	snprintf(out, len, "%s", *base ? base : "obj");
	free(dup);
}

static struct bpf_program *pick(const struct bl_opts *o, struct bpf_object *obj, int want_type)
{
	struct bpf_program *p, *first = NULL, *typed = NULL;

	bpf_object__for_each_program(p, obj)
	{
		if (o->section) {
			if (!strcmp(bpf_program__name(p), o->section) ||
			    !strcmp(bpf_program__section_name(p), o->section))
				return p;
			continue;
		}
		if (!first)
			first = p;
		if (!typed && want_type && (int)bpf_program__type(p) == want_type)
			typed = p;
	}
	return o->section ? NULL : typed ? typed : first;
}

int bl_open(const struct bl_opts *o, int want_type, struct bl_obj *bo, struct bl_report *r)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	struct bpf_program *p;
	char name[64], last[256];
	int err;

	bo->name = strcmp(o->obj, "-") ? o->obj : "<stdin>";
	err = tool_read_file(o->obj, 0, &bo->buf, &bo->len);
	if (err)
		return bl_fail(o, TOOL_EXIT_USAGE, -err, "%s: %s", bo->name, strerror(-err));
	obj_name(o->obj, name, sizeof(name));
	oo.object_name = name;
	bo->obj = bpf_object__open_mem(bo->buf, bo->len, &oo);
	err = libbpf_get_error(bo->obj);
	if (err || !bo->obj) {
		bo->obj = NULL;
		return bl_fail(o, TOOL_EXIT_REJECT, err ? -err : EINVAL,
			       "%s: libbpf cannot open this object: %s", bo->name,
			       last_libbpf_line(last, sizeof(last))[0]
				       ? last
				       : strerror(err ? -err : EINVAL));
	}
	bo->prog = pick(o, bo->obj, want_type);
	if (!bo->prog) {
		if (o->section)
			return bl_fail(o, TOOL_EXIT_USAGE, ENOENT,
				       "%s: no program or section named '%s'", bo->name,
				       o->section);
		return bl_fail(o, TOOL_EXIT_REJECT, ENOENT, "%s: the object has no programs",
			       bo->name);
	}
	if (want_type && (int)bpf_program__type(bo->prog) != want_type) {
		if (bpf_program__type(bo->prog) != BPF_PROG_TYPE_UNSPEC)
			return bl_fail(o, TOOL_EXIT_REJECT, EINVAL,
				       "%s: program %s (section %s) is of type %s, not %s",
				       bo->name, bpf_program__name(bo->prog),
				       bpf_program__section_name(bo->prog),
				       bl_prog_type_str(bpf_program__type(bo->prog)),
				       bl_prog_type_str(want_type));
		bpf_program__set_type(bo->prog, (enum bpf_prog_type)want_type);
	}
	bpf_object__for_each_program(p, bo->obj) bpf_program__set_autoload(p, p == bo->prog);
	snprintf(r->prog_name, sizeof(r->prog_name), "%s", bpf_program__name(bo->prog));
	snprintf(r->section, sizeof(r->section), "%s", bpf_program__section_name(bo->prog));
	snprintf(r->type, sizeof(r->type), "%s", bl_prog_type_str(bpf_program__type(bo->prog)));
	return 0;
}

/* The message of a rejection: the last line before the statistics that is
 * not an instruction. */
static void error_line(char **lines, size_t n, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = n; i-- > 0;) {
		const char *l = lines[i];

		if (!*l || !strncmp(l, "processed ", 10) || !strncmp(l, "verification time", 17) ||
		    !strncmp(l, "stack depth", 11))
			continue;
		snprintf(out, len, "%s", l);
		return;
	}
}

static bool is_insn_line(const char *l)
{
	const char *p = l;

	while (isdigit((unsigned char)*p))
		p++;
	return p > l && p[0] == ':' && p[1] == ' ' && p[2] == '(';
}

int bl_trim_log(const char *log, size_t ninsns, char ***lines, size_t *n)
{
	size_t cnt = 0, start = 0, seen = 0;
	char *dup = strdup(log ? log : ""), *save = NULL, **all = NULL;
	size_t cap = 0;

	*lines = NULL;
	*n = 0;
	if (!dup)
		return -ENOMEM;
	for (char *l = strtok_r(dup, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (cnt == cap) {
			char **na = realloc(all, (cap ? cap * 2 : 64) * sizeof(*all));

			if (!na) {
				free(all);
				free(dup);
				return -ENOMEM;
			}
			all = na;
			cap = cap ? cap * 2 : 64;
		}
		all[cnt++] = l;
	}
	start = cnt > TRIM_MAX_LINES ? cnt - TRIM_MAX_LINES : 0;
	for (size_t i = cnt; i-- > 0;) {
		if (is_insn_line(all[i]) && ++seen == ninsns) {
			start = i;
			break;
		}
		if (seen && i == 0)
			start = 0;
	}
	*lines = calloc(cnt - start + 1, sizeof(char *));
	if (!*lines) {
		free(all);
		free(dup);
		return -ENOMEM;
	}
	for (size_t i = start; i < cnt; i++)
		(*lines)[(*n)++] = strdup(all[i]);
	free(all);
	free(dup);
	return 0;
}

int bl_load(const struct bl_opts *o, struct bl_obj *bo, struct bl_report *r)
{
	char last[256];
	int err;

	bo->log = calloc(1, LOG_SIZE);
	if (!bo->log)
		return bl_fail(o, TOOL_EXIT_USAGE, ENOMEM, "out of memory");
	bo->log_size = LOG_SIZE;
	bpf_program__set_log_buf(bo->prog, bo->log, bo->log_size);
	err = bpf_object__load(bo->obj);
	if (!err) {
		r->kernel.state = 1;
		r->prog_id = 0;
		{
			struct bpf_prog_info info = {0};
			uint32_t len = sizeof(info);

			if (!bpf_obj_get_info_by_fd(bpf_program__fd(bo->prog), &info, &len))
				r->prog_id = info.id;
		}
		return 0;
	}
	r->kernel_errno = -err;
	if (bo->log[0]) {
		bl_trim_log(bo->log, o->verbose ? (size_t)-1 : TRIM_INSNS, &r->log_tail,
			    &r->log_lines);
		r->kernel.state = 0;
		error_line(r->log_tail, r->log_lines, r->kernel.why, sizeof(r->kernel.why));
		return bl_fail(o, TOOL_EXIT_REJECT, -err, "%s: the kernel rejected program %s: %s",
			       bo->name, r->prog_name, r->kernel.why);
	}
	if (err == -EPERM || err == -EACCES)
		return bl_fail(o, TOOL_EXIT_USAGE, -err,
			       "%s: permission denied: loading BPF programs needs root (or "
			       "CAP_BPF with CAP_NET_ADMIN and CAP_PERFMON)",
			       bo->name);
	r->kernel.state = 0;
	snprintf(r->kernel.why, sizeof(r->kernel.why), "%s",
		 last_libbpf_line(last, sizeof(last))[0] ? last : strerror(-err));
	return bl_fail(o, TOOL_EXIT_REJECT, -err, "%s: loading failed: %s", bo->name,
		       r->kernel.why);
}

void bl_close(struct bl_obj *bo)
{
	bpf_object__close(bo->obj);
	free(bo->buf);
	free(bo->log);
	*bo = (struct bl_obj){0};
}
