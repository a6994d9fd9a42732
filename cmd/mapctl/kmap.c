// SPDX-License-Identifier: MIT
/*
 * kmap.c - mapctl's kernel backend: finds maps by id, name or bpffs path
 * through libbpf's syscall wrappers, describes them (bpf_map_info, fdinfo,
 * BTF from the kernel), and implements mc_ops on the map's fd.  Also map
 * type and flag names, and creating pinned maps.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "mapctl.h"
#include "tool.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

/* ---- names ---------------------------------------------------------------- */

const char *mc_type_name(uint32_t type, char *tmp, size_t len)
{
	const char *s = libbpf_bpf_map_type_str((enum bpf_map_type)type);

	if (s)
		return s;
	snprintf(tmp, len, "type %u", type);
	return tmp;
}

int mc_type_by_name(const char *name)
{
	if (!strncasecmp(name, "bpf_map_type_", 13))
		name += 13;
	for (int t = 1; t < 256; t++) {
		const char *s = libbpf_bpf_map_type_str((enum bpf_map_type)t);

		if (s && !strcasecmp(s, name))
			return t;
	}
	return -1;
}

// clang-format off
static const struct { uint32_t flag; const char *name; } map_flags[] = {
	/* flag                   name */
	{ BPF_F_NO_PREALLOC,     "no_prealloc" },
	{ BPF_F_NO_COMMON_LRU,   "no_common_lru" },
	{ BPF_F_NUMA_NODE,       "numa_node" },
	{ BPF_F_RDONLY,          "rdonly" },
	{ BPF_F_WRONLY,          "wronly" },
	{ BPF_F_STACK_BUILD_ID,  "stack_build_id" },
	{ BPF_F_ZERO_SEED,       "zero_seed" },
	{ BPF_F_RDONLY_PROG,     "rdonly_prog" },
	{ BPF_F_WRONLY_PROG,     "wronly_prog" },
	{ BPF_F_CLONE,           "clone" },
	{ BPF_F_MMAPABLE,        "mmapable" },
	{ BPF_F_PRESERVE_ELEMS,  "preserve_elems" },
	{ BPF_F_INNER_MAP,       "inner_map" },
};
// clang-format on

const char *mc_flags_str(uint32_t flags, char *tmp, size_t len)
{
	size_t n = 0;

	tmp[0] = '\0';
	for (size_t i = 0; i < sizeof(map_flags) / sizeof(map_flags[0]); i++) {
		if (!(flags & map_flags[i].flag))
			continue;
		n += (size_t)snprintf(tmp + n, n < len ? len - n : 0, "%s%s", n ? "," : "",
				      map_flags[i].name);
		flags &= ~map_flags[i].flag;
	}
	if (flags)
		snprintf(tmp + n, n < len ? len - n : 0, "%s0x%x", n ? "," : "", flags);
	return tmp;
}

int mc_flags_parse(const char *s, uint32_t *flags, struct bk_diag *d)
{
	char *dup = strdup(s), *save = NULL;

	if (!dup)
		return -ENOMEM;
	*flags = 0;
	for (char *tok = strtok_r(dup, ",| ", &save); tok; tok = strtok_r(NULL, ",| ", &save)) {
		bool found = false;
		uint64_t v;

		if (!strncasecmp(tok, "bpf_f_", 6))
			tok += 6;
		for (size_t i = 0; i < sizeof(map_flags) / sizeof(map_flags[0]) && !found; i++) {
			if (!strcasecmp(tok, map_flags[i].name)) {
				*flags |= map_flags[i].flag;
				found = true;
			}
		}
		if (!found && !tool_parse_u64(tok, &v) && v <= UINT32_MAX) {
			*flags |= (uint32_t)v;
			found = true;
		}
		if (!found) {
			bk_diag__set(d, EINVAL, -1, "unknown map flag '%s'", tok);
			free(dup);
			return -EINVAL;
		}
	}
	free(dup);
	return 0;
}

bool mc_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

const char *mc_errmsg(int err)
{
	switch (err < 0 ? -err : err) {
	case EPERM:
	case EACCES:
		return "operation not permitted (needs root or CAP_BPF, or the map is read-only "
		       "or frozen)";
	case 524: /* ENOTSUPP, kernel-internal */
	case EOPNOTSUPP:
		return "operation not supported for this map type";
	case E2BIG:
		return "map is full (max_entries reached) or argument too big";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

/* ---- the kernel backend's operations -------------------------------------- */

static int k_lookup(struct mc_map *m, const void *key, void *val)
{
	return bpf_map_lookup_elem(m->fd, key, val) ? -errno : 0;
}

static int k_update(struct mc_map *m, const void *key, const void *val, uint64_t flags)
{
	return bpf_map_update_elem(m->fd, key, val, flags) ? -errno : 0;
}

static int k_delete(struct mc_map *m, const void *key)
{
	return bpf_map_delete_elem(m->fd, key) ? -errno : 0;
}

static int k_next_key(struct mc_map *m, const void *key, void *next)
{
	return bpf_map_get_next_key(m->fd, key, next) ? -errno : 0;
}

static int k_lookup_batch(struct mc_map *m, void *in, void *out, void *keys, void *vals,
			  uint32_t *count)
{
	return bpf_map_lookup_batch(m->fd, in, out, keys, vals, count, NULL) ? -errno : 0;
}

static int k_update_batch(struct mc_map *m, const void *keys, const void *vals, uint32_t *count,
			  uint64_t flags)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = flags);

	return bpf_map_update_batch(m->fd, keys, vals, count, &opts) ? -errno : 0;
}

static int k_map_view(struct mc_map *m, const void **base, size_t *len)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t n = (size_t)m->vstride * m->max_entries;
	void *p;

	if (m->type != BPF_MAP_TYPE_ARRAY || !(m->flags & BPF_F_MMAPABLE))
		return -ENOTSUP;
	n = (n + (size_t)page - 1) / (size_t)page * (size_t)page;
	p = mmap(NULL, n, PROT_READ, MAP_SHARED | MAP_POPULATE, m->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*base = p;
	*len = n;
	return 0;
}

static void k_unmap_view(struct mc_map *m, const void *base, size_t len)
{
	(void)m;
	munmap((void *)base, len);
}

static int k_freeze(struct mc_map *m)
{
	return bpf_map_freeze(m->fd) ? -errno : 0;
}

static int k_pin(struct mc_map *m, const char *path)
{
	return bpf_obj_pin(m->fd, path) ? -errno : 0;
}

static void k_close(struct mc_map *m)
{
	if (m->fd >= 0)
		close(m->fd);
}

static const struct mc_ops kernel_ops = {
	.source = "kernel",
	.lookup = k_lookup,
	.update = k_update,
	.delete = k_delete,
	.next_key = k_next_key,
	.lookup_batch = k_lookup_batch,
	.update_batch = k_update_batch,
	.map_view = k_map_view,
	.unmap_view = k_unmap_view,
	.freeze = k_freeze,
	.pin = k_pin,
	.close = k_close,
};

/* ---- describing a map fd ---------------------------------------------------- */

/* Reads "key:\tvalue" of /proc/self/fdinfo/FD; -1 when absent. */
static long long fdinfo_field(int fd, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtoll(line + klen + 1, NULL, 0);
			break;
		}
	}
	fclose(f);
	return v;
}

/* Fills m from a map fd (taking the fd). */
static int describe(struct mc_map *m, int fd, struct bk_diag *d)
{
	struct bpf_map_info info = {0};
	uint32_t len = sizeof(info);
	int ncpus;

	m->ops = &kernel_ops;
	m->fd = fd;
	if (fdinfo_field(fd, "map_type") < 0)
		return bk_diag__set(d, EINVAL, -1, "%s: not a BPF map (a program or link?)",
				    m->spec);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return bk_diag__set(d, errno, -1, "%s: cannot read map info: %s", m->spec,
				    mc_errmsg(errno));
	snprintf(m->name, sizeof(m->name), "%s", info.name);
	m->id = info.id;
	m->type = info.type;
	m->key_size = info.key_size;
	m->value_size = info.value_size;
	m->max_entries = info.max_entries;
	m->flags = info.map_flags;
	m->btf_id = info.btf_id;
	m->btf_key_id = info.btf_key_type_id;
	m->btf_value_id = info.btf_value_type_id;
	m->map_extra = info.map_extra;
	m->frozen = (int)fdinfo_field(fd, "frozen");
	m->memlock = fdinfo_field(fd, "memlock");
	m->ncpus = 1;
	m->vstride = (m->value_size + 7) & ~7u;
	m->vbytes = m->value_size;
	if (mc_is_percpu(m->type)) {
		ncpus = libbpf_num_possible_cpus();
		if (ncpus <= 0)
			return bk_diag__set(d, -ncpus, -1, "cannot count the possible CPUs");
		m->ncpus = (unsigned)ncpus;
		m->vbytes = m->vstride * m->ncpus;
	}
	if (m->btf_id && (m->btf_key_id || m->btf_value_id))
		m->btf = btf__load_from_kernel_by_id(m->btf_id); /* NULL: shown as hex */
	return 0;
}

static struct mc_map *map_new(const char *spec)
{
	struct mc_map *m = calloc(1, sizeof(*m));

	if (m) {
		m->fd = -1;
		m->spec = spec;
	}
	return m;
}

void mc_close(struct mc_map *m)
{
	if (!m)
		return;
	if (m->ops && m->ops->close)
		m->ops->close(m);
	else if (m->fd >= 0)
		close(m->fd);
	btf__free(m->btf);
	free(m);
}

static int perm_diag(struct bk_diag *d, const char *spec, int err)
{
	if (err == EPERM || err == EACCES)
		return bk_diag__set(d, err, -1,
				    "%s: permission denied: reading kernel maps needs root (or "
				    "CAP_BPF with CAP_SYS_ADMIN)",
				    spec);
	return bk_diag__set(d, err, -1, "%s: %s", spec, mc_errmsg(err));
}

static int open_id(struct mc_map *m, uint32_t id, struct bk_diag *d)
{
	int fd = bpf_map_get_fd_by_id(id);

	if (fd < 0) {
		if (errno == ENOENT)
			return bk_diag__set(d, ENOENT, -1, "%s: no map with id %u", m->spec, id);
		return perm_diag(d, m->spec, errno);
	}
	return describe(m, fd, d);
}

struct by_name {
	const char *name;
	uint32_t ids[8];
	int n;
};

static int match_name(struct mc_map *m, void *arg)
{
	struct by_name *b = arg;

	if (!strcmp(m->name, b->name) || (strlen(b->name) >= BPF_OBJ_NAME_LEN - 1 &&
					  !strncmp(m->name, b->name, BPF_OBJ_NAME_LEN - 1))) {
		if (b->n < 8)
			b->ids[b->n] = m->id;
		b->n++;
	}
	return 0;
}

static int open_name(struct mc_map *m, const char *name, struct bk_diag *d)
{
	struct by_name b = {.name = name};
	char list[128] = "";
	int err = mc_for_each(match_name, &b, d);

	if (err)
		return err;
	if (!b.n)
		return bk_diag__set(d, ENOENT, -1, "%s: no map named '%s'", m->spec, name);
	if (b.n > 1) {
		size_t n = 0;

		for (int i = 0; i < b.n && i < 8; i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%u", i ? ", " : "",
					      b.ids[i]);
		return bk_diag__set(d, EEXIST, -1,
				    "%s: %d maps are named '%s' (ids %s%s); use id:N", m->spec, b.n,
				    name, list, b.n > 8 ? ", ..." : "");
	}
	return open_id(m, b.ids[0], d);
}

static int open_path(struct mc_map *m, const char *path, struct bk_diag *d)
{
	struct statfs sfs;
	int fd = bpf_obj_get(path);

	int err = errno;

	if (fd >= 0)
		return describe(m, fd, d);
	if (err == ENOENT)
		return bk_diag__set(d, ENOENT, -1, "%s: no such pinned map", path);
	if (!statfs(path, &sfs) && sfs.f_type != BPF_FS_MAGIC)
		return bk_diag__set(d, EINVAL, -1, "%s: not on a BPF filesystem (bpffs)", path);
	if (err == EPERM || err == EACCES)
		return perm_diag(d, path, err);
	return bk_diag__set(d, err, -1, "%s: %s", path, mc_errmsg(err));
}

int mc_open(const char *spec, struct mc_map **out, struct bk_diag *d)
{
	struct mc_map *m = map_new(spec);
	uint64_t id;
	int err;

	if (!m)
		return -ENOMEM;
	if (!strncmp(spec, "id:", 3)) {
		if (tool_parse_u64(spec + 3, &id) || !id || id > UINT32_MAX)
			err = bk_diag__set(d, EINVAL, -1, "%s: not a map id", spec);
		else
			err = open_id(m, (uint32_t)id, d);
	} else if (!strncmp(spec, "name:", 5)) {
		err = spec[5] ? open_name(m, spec + 5, d)
			      : bk_diag__set(d, EINVAL, -1, "%s: empty name", spec);
	} else if (!strncmp(spec, "ring:", 5)) {
		err = mc_shm_open(m, spec + 5, d); /* shm.c */
	} else if (strchr(spec, '/') || !access(spec, F_OK)) {
		err = open_path(m, spec, d);
	} else {
		err = bk_diag__set(
			d, EINVAL, -1,
			"'%s': MAP is id:N, name:NAME, ring:NAME or the path of a pinned map",
			spec);
	}
	if (err) {
		mc_close(m);
		return err;
	}
	*out = m;
	return 0;
}

int mc_for_each(int (*fn)(struct mc_map *m, void *arg), void *arg, struct bk_diag *d)
{
	uint32_t id = 0;

	for (;;) {
		struct mc_map *m;
		char spec[32];
		int fd, r;

		if (bpf_map_get_next_id(id, &id)) {
			if (errno == ENOENT)
				return 0;
			return perm_diag(d, "listing maps", errno);
		}
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == ENOENT)
				continue; /* freed meanwhile */
			return perm_diag(d, "listing maps", errno);
		}
		snprintf(spec, sizeof(spec), "id:%u", id);
		m = map_new(spec);
		if (!m) {
			close(fd);
			return -ENOMEM;
		}
		r = describe(m, fd, d);
		if (!r)
			r = fn(m, arg);
		m->spec = NULL;
		mc_close(m);
		if (r)
			return r;
	}
}

/* ---- creating ------------------------------------------------------------ */

/* "u32", "s64", ... -> BTF int; 0 when the name is not one. */
static int add_int_type(struct btf *btf, const char *name, long long *size)
{
	static const char *const names[] = {"u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64"};

	for (int i = 0; i < 8; i++) {
		if (strcmp(name, names[i]))
			continue;
		*size = 1 << (i % 4);
		return btf__add_int(btf, names[i], (size_t)*size, i >= 4 ? BTF_INT_SIGNED : 0);
	}
	return 0;
}

/* Builds and loads BTF for --key-type/--value-type; *btf NULL when neither. */
static int create_btf(const struct mc_opts *o, long long *ks, long long *vs, struct btf **btf,
		      uint32_t *kid, uint32_t *vid, struct bk_diag *d)
{
	struct btf *b;
	int id;

	*btf = NULL;
	*kid = *vid = 0;
	if (!o->key_type && !o->value_type)
		return 0;
	b = btf__new_empty();
	if (!b)
		return -ENOMEM;
	for (int i = 0; i < 2; i++) {
		const char *name = i ? o->value_type : o->key_type;
		long long *size = i ? vs : ks, want = *size;

		if (!name)
			continue;
		id = add_int_type(b, name, size);
		if (id <= 0) {
			btf__free(b);
			return bk_diag__set(d, EINVAL, -1,
					    "--%s-type %s: expected u8, u16, u32, u64, s8, s16, "
					    "s32 or s64",
					    i ? "value" : "key", name);
		}
		if (want >= 0 && want != *size) {
			btf__free(b);
			return bk_diag__set(d, EINVAL, -1, "--%s-type %s has %lld bytes, not %lld",
					    i ? "value" : "key", name, *size, want);
		}
		*(i ? vid : kid) = (uint32_t)id;
	}
	if (btf__load_into_kernel(b)) {
		int err = errno;

		btf__free(b);
		return perm_diag(d, "loading BTF", err);
	}
	*btf = b;
	return 0;
}

int mc_create(const char *path, const struct mc_opts *o, struct mc_map **out, struct bk_diag *d)
{
	LIBBPF_OPTS(bpf_map_create_opts, copts);
	long long ks = o->key_size, vs = o->value_size;
	struct btf *btf = NULL;
	struct mc_map *m;
	uint32_t flags = 0;
	int type, fd, err;

	if (!o->type)
		return bk_diag__set(d, EINVAL, -1, "create needs --type");
	type = mc_type_by_name(o->type);
	if (type < 0)
		return bk_diag__set(d, EINVAL, -1, "unknown map type '%s' (hash, array, ...)",
				    o->type);
	if (o->map_flags && (err = mc_flags_parse(o->map_flags, &flags, d)))
		return err;
	err = create_btf(o, &ks, &vs, &btf, &copts.btf_key_type_id, &copts.btf_value_type_id, d);
	if (err)
		return err;
	if (ks < 0 || vs < 0 || o->entries < 0) {
		btf__free(btf);
		return bk_diag__set(d, EINVAL, -1,
				    "create needs --key-size, --value-size and --entries "
				    "(or --key-type/--value-type)");
	}
	copts.map_flags = flags;
	copts.btf_fd = btf ? (uint32_t)btf__fd(btf) : 0;
	fd = bpf_map_create((enum bpf_map_type)type, o->name, (uint32_t)ks, (uint32_t)vs,
			    (uint32_t)o->entries, &copts);
	err = errno;
	btf__free(btf);
	if (fd < 0)
		return err == EPERM
			       ? perm_diag(d, "create", err)
			       : bk_diag__set(d, err, -1, "the kernel refused the map: %s%s",
					      strerror(err),
					      err == EINVAL ? " (check sizes, entries and flags "
							      "for this map type)"
							    : "");
	if (bpf_obj_pin(fd, path)) {
		err = errno;
		close(fd);
		return bk_diag__set(d, err, -1, "%s: cannot pin the map: %s%s", path, strerror(err),
				    err == EPERM || err == EINVAL ? " (is the path on bpffs?)"
								  : "");
	}
	m = map_new(path);
	if (!m) {
		close(fd);
		return -ENOMEM;
	}
	err = describe(m, fd, d);
	if (err) {
		mc_close(m);
		return err;
	}
	*out = m;
	return 0;
}
