// SPDX-License-Identifier: MIT
/*
 * load.c - `mapctl load MAP [FILE]`: writes the entries of a JSON document
 * (what `mapctl dump --json` prints, or a bare array of {"key", "value"}
 * objects) into a map.
 *
 * Invariant: every entry is parsed and checked (JSON syntax, key and value
 * sizes and types, per-CPU value counts, array indices, the entry count
 * against max_entries) into one buffer of keys and one of values BEFORE the
 * first write, so bad input never leaves the map half-written.  Only a
 * failure inside the kernel (a map filled by others meanwhile, say) can stop
 * the writes midway, and then the count written is reported.
 */
#include "jsonin.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "mapctl.h"

#define ENOTSUPP_KERNEL 524

struct batch {
	uint8_t *keys, *vals;
	size_t n;
};

static int load_fail(const struct mc_opts *o, int rc, struct bk_diag *d, const char *file)
{
	char msg[sizeof(d->msg)];

	if (file && !d->file) {
		snprintf(msg, sizeof(msg), "%s", d->msg);
		snprintf(d->msg, sizeof(d->msg), "%s", msg);
		d->file = file;
	}
	return mc_fail(o, rc, d);
}

/* Parses entries[i] into slot i of b. */
static int parse_entry(const struct mc_map *m, const struct mv_type *kt, const struct mv_type *vt,
		       json_t *e, size_t i, struct batch *b, struct bk_diag *d)
{
	uint8_t *key = b->keys + i * m->key_size, *val = b->vals + i * m->vbytes;
	json_t *k = json_object_get(e, "key"), *v = json_object_get(e, "value");
	json_t *vs = json_object_get(e, "values");
	char what[64];
	int err;

	if (!json_is_object(e))
		return bk_diag__set(d, EINVAL, -1, "entries[%zu]: not an object", i);
	if (!k || (!v && !vs) || (v && vs))
		return bk_diag__set(d, EINVAL, -1,
				    "entries[%zu]: needs \"key\" and \"value\" (or \"values\", "
				    "one per CPU)",
				    i);
	snprintf(what, sizeof(what), "entries[%zu].key", i);
	err = mv_parse_json(kt, k, key, what, d);
	if (err)
		return err;
	if (m->type == BPF_MAP_TYPE_ARRAY || m->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		uint32_t idx;

		memcpy(&idx, key, sizeof(idx));
		if (idx >= m->max_entries)
			return bk_diag__set(d, E2BIG, -1,
					    "%s: index %u is out of range (the array has %u)", what,
					    idx, m->max_entries);
	}
	memset(val, 0, m->vbytes);
	if (vs) {
		if (!json_is_array(vs) || json_array_size(vs) != m->ncpus)
			return bk_diag__set(d, EINVAL, -1,
					    "entries[%zu].values: expected an array of %u values "
					    "(one per possible CPU)",
					    i, m->ncpus);
		for (unsigned c = 0; c < m->ncpus; c++) {
			snprintf(what, sizeof(what), "entries[%zu].values[%u]", i, c);
			err = mv_parse_json(vt, json_array_get(vs, c), val + (size_t)c * m->vstride,
					    what, d);
			if (err)
				return err;
		}
		return 0;
	}
	snprintf(what, sizeof(what), "entries[%zu].value", i);
	err = mv_parse_json(vt, v, val, what, d);
	for (unsigned c = 1; c < m->ncpus && !err; c++)
		memcpy(val + (size_t)c * m->vstride, val, m->value_size);
	return err;
}

/* The entries array of a document: doc itself, or doc["entries"]. */
static json_t *entries_of(json_t *doc, struct bk_diag *d)
{
	json_t *e = json_is_array(doc) ? doc : json_object_get(doc, "entries");

	if (!json_is_array(e)) {
		bk_diag__set(d, EINVAL, -1,
			     "expected a dump (an object with \"entries\") or an array of entries");
		return NULL;
	}
	if (json_is_object(doc) && json_object_get(doc, "error"))
		bk_diag__set(d, EINVAL, -1, "the document holds an error, not a complete dump");
	return json_object_get(doc, "error") ? NULL : e;
}

static int validate(const struct mc_map *m, const struct mc_opts *o, json_t *doc, struct batch *b,
		    struct bk_diag *d)
{
	bool hash_like = m->type != BPF_MAP_TYPE_ARRAY && m->type != BPF_MAP_TYPE_PERCPU_ARRAY;
	struct mv_type kt, vt;
	json_t *es = entries_of(doc, d);
	int err;

	if (!es)
		return -EINVAL;
	b->n = json_array_size(es);
	if (hash_like && b->n > m->max_entries)
		return bk_diag__set(d, E2BIG, -1, "%zu entries, and the map holds at most %u", b->n,
				    m->max_entries);
	b->keys = malloc(b->n * m->key_size + 1);
	b->vals = malloc(b->n * m->vbytes + 1);
	if (!b->keys || !b->vals)
		return bk_diag__set(d, ENOMEM, -1, "out of memory for %zu entries", b->n);
	mc_types(m, o, &kt, &vt);
	for (size_t i = 0; i < b->n; i++) {
		err = parse_entry(m, &kt, &vt, json_array_get(es, i), i, b, d);
		if (err)
			return err;
	}
	return 0;
}

/* Writes all entries; *done counts those written.  Batched when the map
 * type allows, else one by one. */
static int write_all(struct mc_map *m, const struct mc_opts *o, const struct batch *b, size_t *done)
{
	const size_t step = 65536;
	int err;

	*done = 0;
	while (m->ops->update_batch && *done < b->n) {
		uint32_t want = (uint32_t)(b->n - *done < step ? b->n - *done : step), cnt = want;

		err = m->ops->update_batch(m, b->keys + *done * m->key_size,
					   b->vals + *done * m->vbytes, &cnt, o->update_flags);
		/* A failed call writes back how many it did, fewer than asked;
		 * one refused outright leaves count as it was. */
		if (err && cnt >= want)
			cnt = 0;
		if (err && !*done && !cnt &&
		    (err == -EINVAL || err == -ENOTSUPP_KERNEL || err == -EOPNOTSUPP))
			break; /* no batch update for this type: one by one */
		*done += cnt;
		if (err)
			return err;
	}
	for (; *done < b->n; (*done)++) {
		err = m->ops->update(m, b->keys + *done * m->key_size, b->vals + *done * m->vbytes,
				     o->update_flags);
		if (err)
			return err;
	}
	return 0;
}

static int report(const struct mc_opts *o, const struct mc_map *m, size_t n)
{
	struct json_w w;

	if (!o->json) {
		printf("loaded %zu entries into %s\n", n, m->spec);
		return TOOL_EXIT_OK;
	}
	json_init(&w, stdout, o->pretty);
	json_obj_begin(&w);
	json_kv_uint(&w, "loaded", n);
	json_kv_uint(&w, "id", m->id);
	json_obj_end(&w);
	json_end(&w);
	return TOOL_EXIT_OK;
}

int cmd_load(const struct mc_opts *o, int argc, char **argv)
{
	const char *file = argc > 1 ? argv[1] : "-";
	const char *fname = strcmp(file, "-") ? file : "<stdin>";
	struct batch b = {0};
	struct mc_map *m = NULL;
	struct bk_diag d;
	json_error_t jerr;
	json_t *doc = NULL;
	char *buf = NULL;
	size_t len, done = 0;
	int rc, err;

	bk_diag__init(&d);
	if (argc < 1 || argc > 2) {
		bk_diag__set(&d, EINVAL, -1, "usage: mapctl load MAP [FILE]");
		return mc_fail(o, TOOL_EXIT_USAGE, &d);
	}
	if (mc_open(argv[0], &m, &d))
		return mc_fail(o, TOOL_EXIT_USAGE, &d);
	err = tool_read_file(file, 0, &buf, &len);
	if (err) {
		bk_diag__set(&d, -err, -1, "%s: %s", fname, strerror(-err));
		rc = mc_fail(o, TOOL_EXIT_USAGE, &d);
		goto out;
	}
	doc = json_loadb(buf, len, 0, &jerr);
	if (!doc) {
		bk_diag__set(&d, EINVAL, -1, "not valid JSON: %s", jerr.text);
		d.file = fname;
		d.line = jerr.line;
		d.col = jerr.column;
		rc = mc_fail(o, TOOL_EXIT_REJECT, &d);
		goto out;
	}
	err = validate(m, o, doc, &b, &d);
	if (err) {
		rc = load_fail(o, err == -ENOMEM ? TOOL_EXIT_USAGE : TOOL_EXIT_REJECT, &d, fname);
		goto out;
	}
	err = write_all(m, o, &b, &done);
	if (err) {
		bk_diag__set(&d, -err, -1,
			     "%s: wrote %zu of %zu entries, then the kernel refused: %s%s", m->spec,
			     done, b.n, mc_errmsg(err),
			     err == -EEXIST   ? " (--noexist)"
			     : err == -ENOENT ? " (--exist)"
					      : "");
		rc = mc_fail(o,
			     err == -EEXIST || err == -ENOENT || err == -E2BIG ? TOOL_EXIT_REJECT
									       : TOOL_EXIT_USAGE,
			     &d);
		goto out;
	}
	rc = report(o, m, b.n);
out:
	json_decref(doc);
	free(buf);
	free(b.keys);
	free(b.vals);
	mc_close(m);
	return rc;
}
