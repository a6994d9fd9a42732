// SPDX-License-Identifier: MIT
/*
 * progtype.c - program type names and the section-name table
 * (progtypes.def).  Section matching follows libbpf 1.1's rules: exact
 * names, "name" or "name/..." for PLUS rows, "prefix/..." for SLASH rows;
 * the first matching row wins.
 */
#include <linux/bpf.h>
#include <string.h>

#include "uapi.h"

/* BPF_NETFILTER (Linux 6.4) is newer than some installed uAPI headers. */
#define BK_ATTACH_NETFILTER 45
/* BPF_CGROUP_UNIX_* (Linux 6.7). */
#define BK_ATTACH_UNIX_CONNECT 49
#define BK_ATTACH_UNIX_SENDMSG 50
#define BK_ATTACH_UNIX_RECVMSG 51
#define BK_ATTACH_UNIX_GETPEERNAME 52
#define BK_ATTACH_UNIX_GETSOCKNAME 53

enum {
	EXACT = 1 << 8,
	PLUS = 1 << 9,
	SLASH = 1 << 10,
};

static const struct {
	const char *name;
	enum bk_prog_type type;
} types[] = {
#define BK_PROG_TYPE(t, n) {n, BK_PROG_##t},
#include "progtypes.def"
};

static const struct sec_row {
	const char *pat;
	enum bk_prog_type type;
	uint32_t attach;
	unsigned flags;
} secs[] = {
#define BK_SEC(p, t, a, f) {p, BK_PROG_##t, (uint32_t)(a), (unsigned)(f)},
#include "progtypes.def"
};

static bool row_matches(const struct sec_row *r, const char *sec)
{
	size_t n = strlen(r->pat);

	if (r->flags & SLASH)
		return !strncmp(sec, r->pat, n);
	if (r->flags & PLUS)
		return !strncmp(sec, r->pat, n) && (sec[n] == '\0' || sec[n] == '/');
	return !strcmp(sec, r->pat);
}

static const struct sec_row *find_row(const char *sec)
{
	if (!sec)
		return NULL;
	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
		if (row_matches(&secs[i], sec))
			return &secs[i];
	return NULL;
}

enum bk_prog_type bk_prog_type_from_section(const char *sec, uint32_t *attach)
{
	const struct sec_row *r = find_row(sec);

	if (attach)
		*attach = r ? r->attach : 0;
	return r ? r->type : BK_PROG_UNSPEC;
}

unsigned bk_prog_section_flags(const char *sec)
{
	const struct sec_row *r = find_row(sec);

	return r ? r->flags & (BK_SECF_SLEEPABLE | BK_SECF_XDP_FRAGS) : 0;
}

const char *bk_prog_type_name(enum bk_prog_type t)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == t)
			return types[i].name;
	return NULL;
}

/* Also accepts the section spellings "tc", "classifier" and "socket". */
enum bk_prog_type bk_prog_type_by_name(const char *name)
{
	if (!name)
		return BK_PROG_UNSPEC;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i].name, name))
			return types[i].type;
	if (!strcmp(name, "tc") || !strcmp(name, "classifier"))
		return BK_PROG_SCHED_CLS;
	if (!strcmp(name, "socket"))
		return BK_PROG_SOCKET_FILTER;
	return BK_PROG_UNSPEC;
}
