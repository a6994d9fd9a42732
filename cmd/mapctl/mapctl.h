/* SPDX-License-Identifier: MIT */
/*
 * mapctl.h - mapctl's parts: a map handle over a small backend interface
 * (the kernel's maps today; userspace maps published by a ring executor can
 * be another backend), the options, and one function per command.
 *
 * A backend fills struct mc_map's description and implements mc_ops; the
 * commands use nothing else, so they work on any backend.  Optional
 * operations are NULL when a backend cannot do them.  Every operation
 * returns 0 or a negative errno.
 */
#ifndef BK_MAPCTL_H
#define BK_MAPCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "mapval.h"
#include "uapi.h"

struct btf;
struct mc_map;

struct mc_ops {
	const char *source; /* "kernel", for show */
	int (*lookup)(struct mc_map *m, const void *key, void *val);
	int (*update)(struct mc_map *m, const void *key, const void *val, uint64_t flags);
	int (*delete)(struct mc_map *m, const void *key);
	/* key NULL: the first key.  -ENOENT after the last. */
	int (*next_key)(struct mc_map *m, const void *key, void *next);
	/* BPF_MAP_LOOKUP_BATCH semantics: in NULL starts, out resumes; count
	 * in/out; -ENOENT at the end (count may be > 0); -ENOSPC when the
	 * batch is too small for a bucket. */
	int (*lookup_batch)(struct mc_map *m, void *in, void *out, void *keys, void *vals,
			    uint32_t *count);
	int (*update_batch)(struct mc_map *m, const void *keys, const void *vals, uint32_t *count,
			    uint64_t flags);
	/* A read-only view of an mmapable array's values (stride
	 * round_up(value_size, 8)); *len bytes.  unmap with munmap_view. */
	int (*map_view)(struct mc_map *m, const void **base, size_t *len);
	void (*unmap_view)(struct mc_map *m, const void *base, size_t len);
	int (*freeze)(struct mc_map *m);
	int (*pin)(struct mc_map *m, const char *path);
	void (*close)(struct mc_map *m);
};

struct mc_map {
	const struct mc_ops *ops;
	const char *spec; /* as given: "id:12", "name:blocklist", a path */
	char name[32];
	uint32_t id, type, key_size, value_size, max_entries, flags;
	uint32_t btf_id, btf_key_id, btf_value_id;
	uint64_t map_extra;
	int frozen;	   /* 1, 0, or -1 when unknown */
	long long memlock; /* bytes, -1 when unknown */
	unsigned ncpus;	   /* values per key: 1, or the possible CPUs */
	uint32_t vstride;  /* bytes between per-CPU values */
	uint32_t vbytes;   /* bytes of one lookup: value_size, or vstride * ncpus */
	struct btf *btf;   /* NULL when the map has none (or it cannot be read) */
	int fd;		   /* kernel backend */
	void *priv;	   /* other backends (shm.c: the published map) */
};

/* Options of all commands (one struct; each command reads what it uses). */
struct mc_opts {
	bool json, pretty, hex, ipv4, stats;
	int method;	       /* enum mc_method */
	uint32_t batch;	       /* --batch=N; 0: automatic */
	uint64_t update_flags; /* BPF_ANY, BPF_NOEXIST, BPF_EXIST */
	const char *type, *name, *key_type, *value_type, *map_flags;
	long long key_size, value_size, entries; /* -1: not given */
};

enum mc_method {
	MC_AUTO = 0,
	MC_MMAP,
	MC_BATCH,
	MC_ELEM,
};

/* ---- kmap.c: the kernel backend ---------------------------------------- */

/* Opens MAP ("id:N", "name:NAME", a bpffs path).  0 or -errno with diag. */
int mc_open(const char *spec, struct mc_map **out, struct bk_diag *d);
void mc_close(struct mc_map *m);
/* Calls fn for every map the kernel has, in id order; stops at fn's
 * non-zero return. */
int mc_for_each(int (*fn)(struct mc_map *m, void *arg), void *arg, struct bk_diag *d);
/* Creates a map pinned at path from the options. */
int mc_create(const char *path, const struct mc_opts *o, struct mc_map **out, struct bk_diag *d);

/* "hash", "percpu_array", ...; "type N" style for unknown types. */
const char *mc_type_name(uint32_t type, char *tmp, size_t len);
/* BPF_MAP_TYPE_* by name, -1 when unknown. */
int mc_type_by_name(const char *name);
/* "no_prealloc,mmapable" style list of flags into tmp. */
const char *mc_flags_str(uint32_t flags, char *tmp, size_t len);
int mc_flags_parse(const char *s, uint32_t *flags, struct bk_diag *d);
bool mc_is_percpu(uint32_t type);
/* A message for an errno from a map operation, with advice where the
 * usual cause is known (privileges, read-only maps, full maps). */
const char *mc_errmsg(int err);

/* ---- shm.c: maps a running ring executor publishes ---------------------- */

/* Opens "NAME" or "PID:NAME" (the part after "ring:"). */
int mc_shm_open(struct mc_map *m, const char *spec, struct bk_diag *d);

/* ---- helpers shared by the commands (cmds.c) ---------------------------- */

/* Key and value formats of m under the options. */
void mc_types(const struct mc_map *m, const struct mc_opts *o, struct mv_type *kt,
	      struct mv_type *vt);
/* The map's description as a JSON object (show, dump, create). */
void mc_json_map(struct json_w *w, const struct mc_map *m);
/* Writes the whole mv_buf to stdout and empties it; -errno on failure. */
int mc_flush(struct mv_buf *b);

/* ---- commands (return an exit code; print their own errors) ------------ */

int cmd_list(const struct mc_opts *o, int argc, char **argv);
int cmd_show(const struct mc_opts *o, int argc, char **argv);
int cmd_dump(const struct mc_opts *o, int argc, char **argv);
int cmd_lookup(const struct mc_opts *o, int argc, char **argv);
int cmd_update(const struct mc_opts *o, int argc, char **argv);
int cmd_delete(const struct mc_opts *o, int argc, char **argv);
int cmd_load(const struct mc_opts *o, int argc, char **argv);
int cmd_create(const struct mc_opts *o, int argc, char **argv);
int cmd_pin(const struct mc_opts *o, int argc, char **argv);
int cmd_freeze(const struct mc_opts *o, int argc, char **argv);

/* Reports a failure: text to stderr, or the --json error document. */
int mc_fail(const struct mc_opts *o, int exit_code, const struct bk_diag *d);

#endif
