// SPDX-License-Identifier: MIT
/*
 * kconfig.c - the values of a program's __kconfig externs, as libbpf
 * fills the frozen .kconfig map before loading on this machine, so the
 * verifier sees them as constants the way the kernel does (and prunes the
 * branches they decide):
 *   LINUX_KERNEL_VERSION       KERNEL_VERSION() of uname's release
 *   LINUX_HAS_BPF_COOKIE       1 (every 6.x kernel)
 *   LINUX_HAS_SYSCALL_WRAPPER  1 when libbpf's probe would succeed: the
 *                              kernel has perf kprobes and __x64_sys_bpf
 *   CONFIG_*                   /proc/config.gz, else /boot/config-RELEASE:
 *                              y/m/n for bool (1/0), tristate (1/2/0) and
 *                              char; numbers for integers; "quoted" text
 *                              for char arrays
 * An extern the configuration does not name reads 0 (libbpf's rule for
 * __weak externs; a strong one makes libbpf refuse the object).
 *
 * Layout: the .kconfig DATASEC's variables in order, each at its
 * alignment, as libuapi's reader placed them (btf_maps.c).
 */
#include <bpf/btf.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "types_int.h"
#include "verify.h"

#define KCFG_MAX (1u << 20)

/* The kernel configuration text, NUL-terminated; NULL when none. */
static char *read_config(void)
{
	struct utsname u;
	char path[128], *buf = malloc(KCFG_MAX + 1);
	gzFile f = gzopen("/proc/config.gz", "rb");
	int n = 0;

	if (!buf)
		return NULL;
	if (!f && !uname(&u)) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		f = gzopen(path, "rb"); /* zlib reads plain files too */
	}
	if (f) {
		n = gzread(f, buf, KCFG_MAX);
		gzclose(f);
	}
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* The value text of "NAME=value" in cfg ("n" for "# NAME is not set"),
 * into out; false when cfg does not name it. */
static bool config_value(const char *cfg, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name);

	for (const char *l = cfg; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);

		if (len > nl + 1 && !strncmp(l, name, nl) && l[nl] == '=') {
			len -= nl + 1;
			if (len >= outsz)
				len = outsz - 1;
			memcpy(out, l + nl + 1, len);
			out[len] = '\0';
			return true;
		}
		if (len == nl + 13 && !strncmp(l, "# ", 2) && !strncmp(l + 2, name, nl) &&
		    !strncmp(l + 2 + nl, " is not set", 11)) {
			snprintf(out, outsz, "n");
			return true;
		}
	}
	return false;
}

/* libbpf probes for syscall wrappers by opening a perf kprobe on
 * __x64_sys_bpf: without kprobe support (no perf "kprobe" PMU) it says 0. */
static bool has_syscall_wrapper(void)
{
	FILE *f;
	char line[256];
	bool found = false;

	if (access("/sys/bus/event_source/devices/kprobe/type", R_OK))
		return false;
	f = fopen("/proc/kallsyms", "r");
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, " __x64_sys_bpf\n") != NULL;
	if (f)
		fclose(f);
	return found;
}

static uint32_t kernel_version(void)
{
	struct utsname u;
	unsigned a = 0, b = 0, c = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	return (a << 16) | (b << 8) | (c > 255 ? 255 : c);
}

/* Stores text's value into the variable of type id at p (sz bytes). */
static void store(const struct btf *b, uint32_t id, const char *text, uint8_t *p, int sz)
{
	const struct btf_type *t = btf__type_by_id(b, id);
	uint64_t v;

	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(b, t->type);
	if (!t)
		return;
	if (btf_is_array(t)) { /* char[N]: "quoted text" */
		size_t len = strlen(text);

		if (len >= 2 && text[0] == '"' && text[len - 1] == '"') {
			len -= 2;
			if (len >= (size_t)sz)
				len = (size_t)sz - 1;
			memcpy(p, text + 1, len);
		}
		return;
	}
	if (!text[1] && (text[0] == 'y' || text[0] == 'n' || text[0] == 'm')) {
		bool tristate = btf_is_any_enum(t);

		if (btf_is_int(t) && !(btf_int_encoding(t) & (BTF_INT_BOOL | BTF_INT_CHAR)) &&
		    sz != 1)
			return; /* an int for a y/m/n option: libbpf refuses */
		v = text[0] == 'y' ? 1 : text[0] == 'm' && tristate ? 2 : 0;
		if (btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_CHAR))
			v = (uint8_t)text[0];
	} else {
		char *end;

		errno = 0;
		v = strtoull(text, &end, 0);
		if (errno || end == text)
			return;
	}
	memcpy(p, &v, (size_t)sz > sizeof(v) ? sizeof(v) : (size_t)sz);
}

/* Fills the .kconfig map of maps[] (the one libuapi made without
 * contents) for prog's object; *owned is what the caller frees. */
int vkconfig_fill(const struct bk_prog *prog, struct bk_map_def *maps, size_t nmaps, void **owned)
{
	const struct bk_obj *obj = bk_prog__obj(prog);
	const struct btf *b = obj ? bk_obj__btf(obj) : NULL;
	const struct btf_type *ds;
	struct bk_map_def *m = NULL;
	char *cfg = NULL, val[256];
	uint8_t *data;
	uint32_t pos = 0;
	int id;

	*owned = NULL;
	for (size_t i = 0; i < nmaps; i++) {
		size_t len = maps[i].name ? strlen(maps[i].name) : 0;

		if (maps[i].origin == BK_MAP_DATA && !maps[i].data && len >= 8 &&
		    !strcmp(maps[i].name + len - 8, ".kconfig"))
			m = &maps[i];
	}
	id = b && m ? btf__find_by_name_kind(b, ".kconfig", BTF_KIND_DATASEC) : -1;
	if (id <= 0)
		return 0;
	ds = btf__type_by_id(b, (uint32_t)id);
	data = calloc(1, m->value_size ? m->value_size : 1);
	if (!data)
		return -ENOMEM;
	for (uint16_t i = 0; i < btf_vlen(ds); i++) {
		const struct btf_type *v = btf__type_by_id(b, btf_var_secinfos(ds)[i].type);
		const char *name;
		int sz, al;

		if (!v || !btf_is_var(v))
			continue;
		name = btf__name_by_offset(b, v->name_off);
		sz = btf__resolve_size(b, v->type);
		al = btf__align_of(b, v->type);
		if (!name || sz <= 0 || al <= 0)
			continue;
		pos = (pos + (uint32_t)al - 1) / (uint32_t)al * (uint32_t)al;
		if (pos + (uint32_t)sz > m->value_size)
			break;
		if (!strcmp(name, "LINUX_KERNEL_VERSION"))
			snprintf(val, sizeof(val), "%u", kernel_version());
		else if (!strcmp(name, "LINUX_HAS_BPF_COOKIE"))
			snprintf(val, sizeof(val), "1");
		else if (!strcmp(name, "LINUX_HAS_SYSCALL_WRAPPER"))
			snprintf(val, sizeof(val), "%d", has_syscall_wrapper());
		else if (strncmp(name, "CONFIG_", 7) || !(cfg || (cfg = read_config())) ||
			 !config_value(cfg, name, val, sizeof(val)))
			val[0] = '\0';
		if (val[0])
			store(b, v->type, val, data + pos, sz);
		pos += (uint32_t)sz;
	}
	free(cfg);
	m->data = data;
	m->data_size = m->value_size;
	*owned = data;
	return 0;
}
