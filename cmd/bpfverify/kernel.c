// SPDX-License-Identifier: MIT
/*
 * kernel.c - the running kernel's verdict on one program of an object
 * (--kernel, root): libbpf opens the object from memory, loads only that
 * program (its maps are created as libbpf does), and the kernel's log at
 * the statistics level gives its processed instructions and verification
 * time; on a rejection the program is loaded once more with log level 1
 * for the kernel's message.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfverify.h"

#define KLOG_SIZE (16u << 20)

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* The last non-statistics line of a verifier log. */
static void last_message(const char *log, char *out, size_t len)
{
	const char *end = log + strlen(log), *s, *e = end;

	out[0] = '\0';
	while (e > log) {
		while (e > log && (e[-1] == '\n' || e[-1] == ' '))
			e--;
		s = e;
		while (s > log && s[-1] != '\n')
			s--;
		if (e > s && strncmp(s, "processed ", 10) && strncmp(s, "verification time", 17) &&
		    strncmp(s, "stack depth", 11) && strncmp(s, "insns processed", 15)) {
			snprintf(out, len, "%.*s", (int)(e - s), s);
			return;
		}
		e = s;
	}
}

static void parse_stats(const char *log, struct bv_kernel *k)
{
	const char *p = strstr(log, "verification time ");

	if (p)
		k->time_us = strtoull(p + 18, NULL, 10);
	p = strstr(log, "processed ");
	if (p)
		k->insns = strtoull(p + 10, NULL, 10);
}

static int load_once(const void *buf, size_t len, const char *prog_name, int type, int level,
		     char *log, struct bv_kernel *k)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "bpfverify");
	struct bpf_object *obj = bpf_object__open_mem(buf, len, &oo);
	struct bpf_program *p, *want = NULL;
	struct bpf_map *m;
	int err;

	if (libbpf_get_error(obj) || !obj) {
		snprintf(k->msg, sizeof(k->msg), "libbpf cannot open the object");
		return -EINVAL;
	}
	bpf_object__for_each_program(p, obj)
	{
		bool me = !strcmp(bpf_program__name(p), prog_name);

		bpf_program__set_autoload(p, me);
		if (me)
			want = p;
	}
	if (!want) {
		bpf_object__close(obj);
		snprintf(k->msg, sizeof(k->msg), "libbpf does not see program %s", prog_name);
		return -ENOENT;
	}
	if (type) {
		bpf_program__set_type(want, (enum bpf_prog_type)type);
	} else if (bpf_program__type(want) == BPF_PROG_TYPE_UNSPEC) {
		/* sections libbpf 1.1 does not know (netfilter, cgroup/connect_unix,
		 * ...): the type and attach type bpfkit gives them */
		uint32_t at = 0;
		enum bk_prog_type t =
			bk_prog_type_from_section(bpf_program__section_name(want), &at);

		if (t != BK_PROG_UNSPEC && t <= BK_PROG__KERNEL_MAX) {
			bpf_program__set_type(want, (enum bpf_prog_type)t);
			bpf_program__set_expected_attach_type(want, (enum bpf_attach_type)at);
		}
	}
	/* a verdict only: maps declared with LIBBPF_PIN_BY_NAME are neither
	 * reused from nor left in bpffs */
	bpf_object__for_each_map(m, obj) bpf_map__set_pin_path(m, NULL);
	log[0] = '\0';
	bpf_program__set_log_buf(want, log, KLOG_SIZE);
	bpf_program__set_log_level(want, (uint32_t)level);
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	return err;
}

int bv_kernel_verdict(const void *buf, size_t len, const char *prog_name, int type,
		      struct bv_kernel *k)
{
	char *log = malloc(KLOG_SIZE);
	int err;

	memset(k, 0, sizeof(*k));
	if (!log)
		return -ENOMEM;
	libbpf_set_print(quiet_print);
	err = load_once(buf, len, prog_name, type, 4, log, k);
	parse_stats(log, k);
	if (err == -EINVAL && k->msg[0]) {
		k->state = BV_K_ERROR;
	} else if (err == -EPERM && !log[0]) {
		/* refused before the verifier ran (fentry/fexit without ftrace
		 * trampolines, lockdown, ...): no verdict to compare */
		k->state = BV_K_ERROR;
		snprintf(k->msg, sizeof(k->msg),
			 "the kernel refused to load the program before verifying it (EPERM)");
	} else if (err) {
		k->state = BV_K_REJECT;
		if (!load_once(buf, len, prog_name, type, 1, log, k))
			k->state = BV_K_ACCEPT; /* accepted on the second try */
		last_message(log, k->msg, sizeof(k->msg));
		if (!k->msg[0])
			snprintf(k->msg, sizeof(k->msg), "load failed: %s", strerror(-err));
	} else {
		k->state = BV_K_ACCEPT;
	}
	free(log);
	return 0;
}
