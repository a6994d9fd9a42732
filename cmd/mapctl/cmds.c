// SPDX-License-Identifier: MIT
/*
 * cmds.c - mapctl's small commands: list, show, lookup, update, delete,
 * create, pin, freeze; and what all commands share (error reporting, key
 * and value formats, the map description in JSON).
 *
 * Exit codes: a key that is not there (lookup, delete, update --exist) or
 * that is (update --noexist) is 1; arguments that do not parse, maps that
 * do not exist and system errors are 2.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdarg.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapctl.h"
#include "tool.h"

int mc_fail(const struct mc_opts *o, int exit_code, const struct bk_diag *d)
{
	if (o->json)
		tool_json_error(stdout, d);
	else
		tool_print_diag(stderr, "mapctl", d, NULL, 0);
	return exit_code;
}

static int fail_msg(const struct mc_opts *o, int exit_code, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_msg(const struct mc_opts *o, int exit_code, int err, const char *fmt, ...)
{
	struct bk_diag d;
	va_list ap;

	bk_diag__init(&d);
	va_start(ap, fmt);
	bk_diag__vset(&d, err, -1, fmt, ap);
	va_end(ap);
	return mc_fail(o, exit_code, &d);
}

/* Checks the argument count; prints the usage line of cmd when wrong. */
static bool nargs(const struct mc_opts *o, int argc, int min, int max, const char *use, int *rc)
{
	if (argc >= min && argc <= max)
		return true;
	*rc = fail_msg(o, TOOL_EXIT_USAGE, EINVAL, "usage: mapctl %s", use);
	return false;
}

/* The JSON document of a command that only reports success:
 * {"<what>":true|"<path>","id":N}. */
static void json_done(const struct mc_opts *o, const char *what, const char *path, uint32_t id)
{
	struct json_w w;

	json_init(&w, stdout, o->pretty);
	json_obj_begin(&w);
	json_key(&w, what);
	if (path)
		json_str(&w, path);
	else
		json_bool(&w, true);
	json_kv_uint(&w, "id", id);
	json_obj_end(&w);
	json_end(&w);
}

/* Opens MAP or reports why not (exit 2). */
static struct mc_map *open_or_fail(const struct mc_opts *o, const char *spec, int *rc)
{
	struct mc_map *m = NULL;
	struct bk_diag d;

	bk_diag__init(&d);
	if (mc_open(spec, &m, &d)) {
		*rc = mc_fail(o, TOOL_EXIT_USAGE, &d);
		return NULL;
	}
	return m;
}

void mc_types(const struct mc_map *m, const struct mc_opts *o, struct mv_type *kt,
	      struct mv_type *vt)
{
	unsigned f = o->hex ? MV_HEX : 0;

	mv_type_init(kt, m->btf, m->btf_key_id, m->key_size, f | (o->ipv4 ? MV_IPV4 : 0));
	mv_type_init(vt, m->btf, m->btf_value_id, m->value_size, f);
}

int mc_flush(struct mv_buf *b)
{
	if (b->oom)
		return -ENOMEM;
	if (b->len && fwrite(b->p, 1, b->len, stdout) != b->len)
		return -EIO;
	b->len = 0;
	return 0;
}

/* "struct counter", "__u32", ...: the BTF type's name for show. */
static const char *type_str(const struct btf *btf, uint32_t id, char *tmp, size_t len)
{
	const struct btf_type *t = btf && id ? btf__type_by_id(btf, id) : NULL;
	const char *name;

	if (!t)
		return NULL;
	name = btf__name_by_offset(btf, t->name_off);
	if (btf_is_struct(t) || btf_is_union(t) || btf_is_any_enum(t))
		snprintf(tmp, len, "%s %s",
			 btf_is_struct(t)  ? "struct"
			 : btf_is_union(t) ? "union"
					   : "enum",
			 name && *name ? name : "(anonymous)");
	else if (btf_is_array(t))
		snprintf(tmp, len, "array[%u]", btf_array(t)->nelems);
	else if (btf_is_datasec(t))
		snprintf(tmp, len, "section %s", name);
	else
		snprintf(tmp, len, "%s", name && *name ? name : "(anonymous)");
	return tmp;
}

/* Dump methods the map type allows, best first. */
static const char *methods_str(const struct mc_map *m)
{
	bool batch = m->ops->lookup_batch != NULL;

	switch (m->type) {
	case BPF_MAP_TYPE_ARRAY:
		if (m->flags & BPF_F_MMAPABLE)
			return batch ? "mmap, batch, elem" : "mmap, elem";
		return batch ? "batch, elem" : "elem";
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LPM_TRIE:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return batch ? "batch, elem" : "elem";
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_USER_RINGBUF:
	case BPF_MAP_TYPE_BLOOM_FILTER:
		return "none (no keys)";
	default:
		return "elem";
	}
}

void mc_json_map(struct json_w *w, const struct mc_map *m)
{
	char tmp[128], t2[128];

	json_obj_begin(w);
	json_kv_uint(w, "id", m->id);
	json_kv_str(w, "name", m->name);
	json_kv_str(w, "type", mc_type_name(m->type, tmp, sizeof(tmp)));
	json_kv_uint(w, "key_size", m->key_size);
	json_kv_uint(w, "value_size", m->value_size);
	json_kv_uint(w, "max_entries", m->max_entries);
	json_kv_uint(w, "flags", m->flags);
	json_kv_str(w, "flag_names", mc_flags_str(m->flags, tmp, sizeof(tmp)));
	if (m->ncpus > 1)
		json_kv_uint(w, "cpus", m->ncpus);
	if (m->btf_id)
		json_kv_uint(w, "btf_id", m->btf_id);
	if (type_str(m->btf, m->btf_key_id, tmp, sizeof(tmp)))
		json_kv_str(w, "key_type", tmp);
	if (type_str(m->btf, m->btf_value_id, t2, sizeof(t2)))
		json_kv_str(w, "value_type", t2);
	if (m->frozen >= 0)
		json_kv_bool(w, "frozen", m->frozen > 0);
	if (m->memlock >= 0)
		json_kv_int(w, "memlock", m->memlock);
	json_kv_str(w, "source", m->ops->source);
	json_obj_end(w);
}

/* ---- list, show ---------------------------------------------------------- */

struct list_ctx {
	const struct mc_opts *o;
	struct json_w *w;
	int n;
};

static int list_one(struct mc_map *m, void *arg)
{
	struct list_ctx *c = arg;
	char tmp[128], fl[128];

	if (c->w) {
		mc_json_map(c->w, m);
	} else {
		if (!c->n++)
			printf("%6s  %-16s %-16s %5s %6s %9s  %s\n", "ID", "TYPE", "NAME", "KEY",
			       "VALUE", "ENTRIES", "FLAGS");
		printf("%6u  %-16s %-16s %5u %6u %9u  %s\n", m->id,
		       mc_type_name(m->type, tmp, sizeof(tmp)), m->name, m->key_size, m->value_size,
		       m->max_entries, mc_flags_str(m->flags, fl, sizeof(fl)));
	}
	return 0;
}

int cmd_list(const struct mc_opts *o, int argc, char **argv)
{
	struct list_ctx c = {.o = o};
	struct json_w w;
	struct bk_diag d;
	int rc = 0;

	(void)argv;
	if (!nargs(o, argc, 0, 0, "list", &rc))
		return rc;
	bk_diag__init(&d);
	if (o->json) {
		/* Collect first, so an error still gives one document. */
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);

		if (!mem)
			return fail_msg(o, TOOL_EXIT_USAGE, ENOMEM, "out of memory");
		json_init(&w, mem, o->pretty);
		json_obj_begin(&w);
		json_key(&w, "maps");
		json_arr_begin(&w);
		c.w = &w;
		rc = mc_for_each(list_one, &c, &d);
		json_arr_end(&w);
		json_obj_end(&w);
		json_end(&w);
		fclose(mem);
		if (!rc)
			fwrite(buf, 1, len, stdout);
		free(buf);
	} else {
		rc = mc_for_each(list_one, &c, &d);
	}
	return rc ? mc_fail(o, TOOL_EXIT_USAGE, &d) : TOOL_EXIT_OK;
}

int cmd_show(const struct mc_opts *o, int argc, char **argv)
{
	struct mc_map *m;
	char tmp[128], t2[128];
	struct json_w w;
	int rc = 0;

	if (!nargs(o, argc, 1, 1, "show MAP", &rc) || !(m = open_or_fail(o, argv[0], &rc)))
		return rc;
	if (o->json) {
		json_init(&w, stdout, o->pretty);
		json_obj_begin(&w);
		json_key(&w, "map");
		mc_json_map(&w, m);
		json_kv_str(&w, "dump_methods", methods_str(m));
		json_obj_end(&w);
		json_end(&w);
		mc_close(m);
		return TOOL_EXIT_OK;
	}
	printf("id:%u  name: %s  type: %s  (%s)\n", m->id, m->name[0] ? m->name : "-",
	       mc_type_name(m->type, tmp, sizeof(tmp)), m->ops->source);
	printf("key: %u bytes", m->key_size);
	if (type_str(m->btf, m->btf_key_id, tmp, sizeof(tmp)))
		printf(" (%s)", tmp);
	printf("  value: %u bytes", m->value_size);
	if (type_str(m->btf, m->btf_value_id, t2, sizeof(t2)))
		printf(" (%s)", t2);
	if (m->ncpus > 1)
		printf(" per CPU x %u", m->ncpus);
	printf("\nmax_entries: %u  flags: %s\n", m->max_entries,
	       m->flags ? mc_flags_str(m->flags, tmp, sizeof(tmp)) : "none");
	if (m->btf_id)
		printf("btf_id: %u  ", m->btf_id);
	if (m->frozen >= 0)
		printf("frozen: %s  ", m->frozen > 0 ? "yes" : "no");
	if (m->memlock >= 0)
		printf("memlock: %lld bytes", m->memlock);
	printf("\ndump methods: %s\n", methods_str(m));
	mc_close(m);
	return TOOL_EXIT_OK;
}

/* ---- lookup, update, delete ---------------------------------------------- */

/* Parses a key or a value (replicated to every CPU of a per-CPU map). */
static int parse_arg(const struct mc_opts *o, const struct mc_map *m, const struct mv_type *t,
		     const char *s, void *out, bool value, int *rc)
{
	struct bk_diag d;

	bk_diag__init(&d);
	if (!value && !m->key_size) {
		char tmp[32];

		*rc = fail_msg(o, TOOL_EXIT_USAGE, EINVAL,
			       "%s: a %s map has no keys; mapctl cannot address its entries",
			       m->spec, mc_type_name(m->type, tmp, sizeof(tmp)));
		return -1;
	}
	if (mv_parse_text(t, s, out, value ? "value" : "key", &d)) {
		*rc = mc_fail(o, TOOL_EXIT_USAGE, &d);
		return -1;
	}
	if (value)
		for (unsigned c = 1; c < m->ncpus; c++)
			memcpy((uint8_t *)out + (size_t)c * m->vstride, out, m->value_size);
	return 0;
}

/* Writes a value: text lines, or "value"/"values" members in JSON. */
static void show_value(const struct mc_map *m, const struct mv_type *vt, const void *val,
		       struct json_w *w)
{
	struct mv_buf b = {0};
	struct mv_out out;

	if (w) {
		if (m->ncpus > 1) {
			json_key(w, "values");
			json_arr_begin(w);
			for (unsigned c = 0; c < m->ncpus; c++)
				mv_format_json(w, vt,
					       (const uint8_t *)val + (size_t)c * m->vstride);
			json_arr_end(w);
		} else {
			json_key(w, "value");
			mv_format_json(w, vt, val);
		}
		return;
	}
	for (unsigned c = 0; c < m->ncpus; c++) {
		if (m->ncpus > 1)
			mv_buf_printf(&b, "cpu%u: ", c);
		mv_out_text(&out, &b);
		mv_format(&out, vt, (const uint8_t *)val + (size_t)c * m->vstride);
		mv_buf_putc(&b, '\n');
	}
	mc_flush(&b);
	mv_buf_free(&b);
}

int cmd_lookup(const struct mc_opts *o, int argc, char **argv)
{
	struct mv_type kt, vt;
	struct mc_map *m;
	void *key = NULL, *val = NULL;
	struct json_w w;
	int rc = 0, err;

	if (!nargs(o, argc, 2, 2, "lookup MAP KEY", &rc) || !(m = open_or_fail(o, argv[0], &rc)))
		return rc;
	mc_types(m, o, &kt, &vt);
	key = calloc(1, m->key_size + 1);
	val = calloc(1, m->vbytes + 1);
	if (!key || !val) {
		rc = fail_msg(o, TOOL_EXIT_USAGE, ENOMEM, "out of memory");
		goto out;
	}
	if (parse_arg(o, m, &kt, argv[1], key, false, &rc))
		goto out;
	err = m->ops->lookup(m, key, val);
	if (err == -ENOENT) {
		rc = fail_msg(o, TOOL_EXIT_REJECT, ENOENT, "%s: key %s not found", argv[0],
			      argv[1]);
		goto out;
	}
	if (err) {
		rc = fail_msg(o, TOOL_EXIT_USAGE, -err, "%s: lookup failed: %s", argv[0],
			      mc_errmsg(err));
		goto out;
	}
	if (o->json) {
		json_init(&w, stdout, o->pretty);
		json_obj_begin(&w);
		json_key(&w, "key");
		mv_format_json(&w, &kt, key);
		show_value(m, &vt, val, &w);
		json_obj_end(&w);
		json_end(&w);
	} else {
		show_value(m, &vt, val, NULL);
	}
out:
	free(key);
	free(val);
	mc_close(m);
	return rc;
}

int cmd_update(const struct mc_opts *o, int argc, char **argv)
{
	struct mv_type kt, vt;
	struct mc_map *m;
	void *key = NULL, *val = NULL;
	int rc = 0, err;

	if (!nargs(o, argc, 3, 3, "update MAP KEY VALUE", &rc) ||
	    !(m = open_or_fail(o, argv[0], &rc)))
		return rc;
	mc_types(m, o, &kt, &vt);
	key = calloc(1, m->key_size + 1);
	val = calloc(1, m->vbytes + 1);
	if (!key || !val) {
		rc = fail_msg(o, TOOL_EXIT_USAGE, ENOMEM, "out of memory");
		goto out;
	}
	if (parse_arg(o, m, &kt, argv[1], key, false, &rc) ||
	    parse_arg(o, m, &vt, argv[2], val, true, &rc))
		goto out;
	err = m->ops->update(m, key, val, o->update_flags);
	if (err == -EEXIST)
		rc = fail_msg(o, TOOL_EXIT_REJECT, EEXIST, "%s: key %s exists (--noexist)", argv[0],
			      argv[1]);
	else if (err == -ENOENT)
		rc = fail_msg(o, TOOL_EXIT_REJECT, ENOENT, "%s: key %s not found (--exist)",
			      argv[0], argv[1]);
	else if (err == -E2BIG)
		rc = fail_msg(o, TOOL_EXIT_REJECT, E2BIG,
			      "%s: key %s: map is full (%u entries) or the index is out of "
			      "range",
			      argv[0], argv[1], m->max_entries);
	else if (err == -EPERM && m->frozen > 0)
		rc = fail_msg(o, TOOL_EXIT_USAGE, EPERM,
			      "%s: update not permitted: the map is frozen (read-only for user "
			      "space)",
			      argv[0]);
	else if (err)
		rc = fail_msg(o, TOOL_EXIT_USAGE, -err, "%s: update failed: %s", argv[0],
			      mc_errmsg(err));
	else if (o->json)
		json_done(o, "updated", NULL, m->id);
out:
	free(key);
	free(val);
	mc_close(m);
	return rc;
}

int cmd_delete(const struct mc_opts *o, int argc, char **argv)
{
	struct mv_type kt, vt;
	struct mc_map *m;
	void *key;
	int rc = 0, err;

	if (!nargs(o, argc, 2, 2, "delete MAP KEY", &rc) || !(m = open_or_fail(o, argv[0], &rc)))
		return rc;
	mc_types(m, o, &kt, &vt);
	key = calloc(1, m->key_size + 1);
	if (!key) {
		mc_close(m);
		return fail_msg(o, TOOL_EXIT_USAGE, ENOMEM, "out of memory");
	}
	if (parse_arg(o, m, &kt, argv[1], key, false, &rc))
		goto out;
	err = m->ops->delete(m, key);
	if (err == -ENOENT)
		rc = fail_msg(o, TOOL_EXIT_REJECT, ENOENT, "%s: key %s not found", argv[0],
			      argv[1]);
	else if (err == -EINVAL &&
		 (m->type == BPF_MAP_TYPE_ARRAY || m->type == BPF_MAP_TYPE_PERCPU_ARRAY))
		rc = fail_msg(o, TOOL_EXIT_USAGE, EINVAL,
			      "%s: array maps have no delete; update the slot instead", argv[0]);
	else if (err)
		rc = fail_msg(o, TOOL_EXIT_USAGE, -err, "%s: delete failed: %s", argv[0],
			      mc_errmsg(err));
	else if (o->json)
		json_done(o, "deleted", NULL, m->id);
out:
	free(key);
	mc_close(m);
	return rc;
}

/* ---- create, pin, freeze ------------------------------------------------- */

int cmd_create(const struct mc_opts *o, int argc, char **argv)
{
	struct mc_map *m = NULL;
	struct bk_diag d;
	struct json_w w;
	int rc = 0;

	if (!nargs(o, argc, 1, 1,
		   "create PATH --type TYPE --key-size N --value-size N --entries N "
		   "[--flags F] [--name NAME]",
		   &rc))
		return rc;
	bk_diag__init(&d);
	if (mc_create(argv[0], o, &m, &d))
		return mc_fail(o, TOOL_EXIT_USAGE, &d);
	if (o->json) {
		json_init(&w, stdout, o->pretty);
		json_obj_begin(&w);
		json_kv_str(&w, "path", argv[0]);
		json_key(&w, "map");
		mc_json_map(&w, m);
		json_obj_end(&w);
		json_end(&w);
	} else {
		printf("created id:%u, pinned at %s\n", m->id, argv[0]);
	}
	mc_close(m);
	return TOOL_EXIT_OK;
}

int cmd_pin(const struct mc_opts *o, int argc, char **argv)
{
	struct mc_map *m;
	int rc = 0, err;

	if (!nargs(o, argc, 2, 2, "pin MAP PATH", &rc) || !(m = open_or_fail(o, argv[0], &rc)))
		return rc;
	err = m->ops->pin ? m->ops->pin(m, argv[1]) : -EOPNOTSUPP;
	if (err)
		rc = fail_msg(o, TOOL_EXIT_USAGE, -err, "%s: cannot pin at %s: %s%s", argv[0],
			      argv[1], mc_errmsg(err),
			      err == -EPERM || err == -EINVAL ? " (is the path on bpffs?)" : "");
	else if (o->json)
		json_done(o, "pinned", argv[1], m->id);
	mc_close(m);
	return rc;
}

int cmd_freeze(const struct mc_opts *o, int argc, char **argv)
{
	struct mc_map *m;
	int rc = 0, err;

	if (!nargs(o, argc, 1, 1, "freeze MAP", &rc) || !(m = open_or_fail(o, argv[0], &rc)))
		return rc;
	err = m->ops->freeze ? m->ops->freeze(m) : -EOPNOTSUPP;
	if (err == -EBUSY || (err == -EPERM && m->frozen > 0))
		rc = fail_msg(o, TOOL_EXIT_REJECT, -err, "%s: already frozen%s", argv[0],
			      err == -EBUSY ? ", or mapped writable somewhere" : "");
	else if (err)
		rc = fail_msg(o, TOOL_EXIT_USAGE, -err, "%s: cannot freeze: %s", argv[0],
			      mc_errmsg(err));
	else if (o->json)
		json_done(o, "frozen", NULL, m->id);
	mc_close(m);
	return rc;
}
