// SPDX-License-Identifier: MIT
/*
 * dump.c - `mapctl dump`: every entry of a map, read the fastest way the map
 * allows or the way asked for:
 *
 *   mmap   BPF_F_MMAPABLE arrays: values read straight from a shared
 *          read-only mapping (stride round_up(value_size, 8)), populated
 *          when mapped: one mmap() and no syscall per entry
 *   batch  BPF_MAP_LOOKUP_BATCH: many entries per call; -ENOENT ends the walk
 *          and may still carry entries; -ENOSPC (a hash bucket larger than
 *          the batch, nothing returned) doubles the batch and retries;
 *          EINVAL/ENOTSUPP on the first call means the type has no batch
 *          support and the automatic choice falls back to
 *   elem   get_next_key + lookup per entry (2 syscalls each)
 *
 * Output streams: text goes through an mv_buf written out in large chunks,
 * JSON through the streaming writer; nothing per entry is kept.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "mapctl.h"
#include "tool.h"

#define FLUSH_AT (256u << 10)
#define CHUNK_BYTES (4u << 20) /* keys and values per batch call */
#define ENOTSUPP_KERNEL 524
/* Internal results of the methods (ENOTSUP and EOPNOTSUPP are one errno). */
#define NO_MMAP (-100001)  /* not an mmapable array */
#define NO_BATCH (-100002) /* the map type has no batch lookup */

struct dump {
	const struct mc_opts *o;
	struct mc_map *m;
	struct mv_type kt, vt;
	struct mv_buf buf;
	struct json_w w;
	struct mv_out out;
	uint64_t count, calls, read_ns;
	const char *method;
	uint32_t batch; /* entries per batch call, for --stats */
	bool plain;	/* hex key and value, one value per key: the fast paths */
	int err;	/* first output error */
};

/* ---- output --------------------------------------------------------------- */

static void emit_text(struct dump *dp, const void *key, const uint8_t *val)
{
	struct mc_map *m = dp->m;

	if (dp->plain) {
		/* The common case of maps without BTF, one reserve per entry. */
		size_t need = 5 + 3 * (size_t)m->key_size + 9 + 3 * (size_t)m->value_size + 2;
		char *q;

		if (!mv_buf_reserve(&dp->buf, need))
			return;
		q = dp->buf.p + dp->buf.len;
		memcpy(q, "key: ", 5);
		q = mv_hex(q + 5, key, m->key_size);
		memcpy(q, "  value: ", 9);
		q = mv_hex(q + 9, val, m->value_size);
		*q++ = '\n';
		dp->buf.len = (size_t)(q - dp->buf.p);
		if (dp->buf.len >= FLUSH_AT && !dp->err)
			dp->err = mc_flush(&dp->buf);
		return;
	}
	mv_buf_putn(&dp->buf, "key: ", 5);
	mv_format(&dp->out, &dp->kt, key);
	if (m->ncpus == 1) {
		mv_buf_putn(&dp->buf, "  value: ", 9);
		mv_format(&dp->out, &dp->vt, val);
	} else {
		for (unsigned c = 0; c < m->ncpus; c++) {
			mv_buf_printf(&dp->buf, "\n  cpu%u: ", c);
			mv_format(&dp->out, &dp->vt, val + (size_t)c * m->vstride);
		}
	}
	mv_buf_putc(&dp->buf, '\n');
	if (dp->buf.len >= FLUSH_AT && !dp->err)
		dp->err = mc_flush(&dp->buf);
}

/* One entry as JSON text in dp->buf, handed to the writer in one piece. */
static void emit_json(struct dump *dp, const void *key, const uint8_t *val)
{
	struct mc_map *m = dp->m;

	dp->buf.len = 0;
	if (dp->plain) {
		/* {"key":"0a 00","value":"01 00"}, one reserve per entry. */
		char *q;

		if (!mv_buf_reserve(&dp->buf, 3 * (size_t)(m->key_size + m->value_size) + 32)) {
			dp->err = -ENOMEM;
			return;
		}
		q = dp->buf.p;
		memcpy(q, "{\"key\":\"", 8);
		q = mv_hex(q + 8, key, m->key_size);
		memcpy(q, "\",\"value\":\"", 11);
		q = mv_hex(q + 11, val, m->value_size);
		memcpy(q, "\"}", 2);
		json_raw(&dp->w, dp->buf.p, (size_t)(q + 2 - dp->buf.p));
		return;
	}
	mv_out_json(&dp->out, &dp->buf);
	mv_buf_putn(&dp->buf, "{\"key\":", 7);
	mv_format(&dp->out, &dp->kt, key);
	if (m->ncpus == 1) {
		mv_buf_putn(&dp->buf, ",\"value\":", 9);
		mv_format(&dp->out, &dp->vt, val);
	} else {
		mv_buf_putn(&dp->buf, ",\"values\":[", 11);
		for (unsigned c = 0; c < m->ncpus; c++) {
			if (c)
				mv_buf_putc(&dp->buf, ',');
			mv_format(&dp->out, &dp->vt, val + (size_t)c * m->vstride);
		}
		mv_buf_putc(&dp->buf, ']');
	}
	mv_buf_putc(&dp->buf, '}');
	if (dp->buf.oom)
		dp->err = -ENOMEM;
	else
		json_raw(&dp->w, dp->buf.p, dp->buf.len);
}

static void emit(struct dump *dp, const void *key, const uint8_t *val)
{
	dp->count++;
	if (dp->o->json)
		emit_json(dp, key, val);
	else
		emit_text(dp, key, val);
}

/* ---- methods --------------------------------------------------------------- */

static uint64_t now_if(const struct dump *dp)
{
	return dp->o->stats ? tool_now_ns() : 0;
}

static int dump_mmap(struct dump *dp)
{
	struct mc_map *m = dp->m;
	const uint8_t *base;
	uint64_t t0 = now_if(dp);
	size_t len;
	int err;

	if (!m->ops->map_view)
		return NO_MMAP;
	err = m->ops->map_view(m, (const void **)&base, &len);
	dp->read_ns += now_if(dp) - t0;
	if (err)
		return err == -ENOTSUP ? NO_MMAP : err;
	dp->method = "mmap";
	for (uint32_t i = 0; i < m->max_entries && !dp->err; i++)
		emit(dp, &i, base + (size_t)i * m->vstride);
	m->ops->unmap_view(m, base, len);
	return 0;
}

/* Entries per batch call: about CHUNK_BYTES of keys and values. */
static uint32_t batch_size(const struct dump *dp)
{
	size_t per = dp->m->key_size + (size_t)dp->m->vbytes;
	size_t n = CHUNK_BYTES / (per ? per : 1);

	if (dp->o->batch)
		return dp->o->batch;
	if (n < 64)
		n = 64;
	if (n > 65536)
		n = 65536;
	if (dp->m->max_entries && n > dp->m->max_entries)
		n = dp->m->max_entries;
	return (uint32_t)n;
}

static int grow(uint8_t **keys, uint8_t **vals, const struct mc_map *m, uint32_t n)
{
	uint8_t *k = realloc(*keys, (size_t)n * m->key_size + 1);
	uint8_t *v;

	if (!k)
		return -ENOMEM;
	*keys = k;
	v = realloc(*vals, (size_t)n * m->vbytes + 1);
	if (!v)
		return -ENOMEM;
	*vals = v;
	return 0;
}

/* NO_BATCH when the map type has no batch lookup. */
static int dump_batch(struct dump *dp)
{
	struct mc_map *m = dp->m;
	uint32_t n = batch_size(dp), count;
	size_t tok = m->key_size > 8 ? m->key_size : 8;
	uint8_t *keys = NULL, *vals = NULL, *in = calloc(1, tok), *out = calloc(1, tok);
	bool first = true, done = false;
	int err = 0;

	if (!m->ops->lookup_batch) {
		err = NO_BATCH;
		goto out;
	}
	if (!in || !out || grow(&keys, &vals, m, n)) {
		err = -ENOMEM;
		goto out;
	}
	while (!done && !dp->err) {
		uint64_t t0 = now_if(dp);

		count = n;
		err = m->ops->lookup_batch(m, first ? NULL : in, out, keys, vals, &count);
		dp->read_ns += now_if(dp) - t0;
		dp->calls++;
		/* (the kernel leaves count as it was on these errors) */
		if (first && (err == -EINVAL || err == -ENOTSUPP_KERNEL || err == -EOPNOTSUPP)) {
			err = NO_BATCH;
			goto out;
		}
		if (err == -ENOSPC && count == 0) {
			if (n >= (1u << 24) || grow(&keys, &vals, m, n * 2)) {
				err = -ENOSPC;
				goto out;
			}
			n *= 2;
			continue;
		}
		if (err && err != -ENOENT && err != -ENOSPC)
			goto out;
		dp->method = "batch";
		dp->batch = n;
		for (uint32_t i = 0; i < count; i++)
			emit(dp, keys + (size_t)i * m->key_size, vals + (size_t)i * m->vbytes);
		done = err == -ENOENT;
		memcpy(in, out, tok);
		first = false;
		err = 0;
	}
	dp->method = "batch";
out:
	free(keys);
	free(vals);
	free(in);
	free(out);
	return err;
}

static int dump_elem(struct dump *dp)
{
	struct mc_map *m = dp->m;
	uint8_t *key = calloc(1, m->key_size + 1), *next = calloc(1, m->key_size + 1);
	uint8_t *val = calloc(1, m->vbytes + 1);
	uint64_t limit = 2 * (uint64_t)m->max_entries + 16, steps = 0;
	bool first = true;
	int err = 0;

	dp->method = "elem";
	if (!key || !next || !val) {
		err = -ENOMEM;
		goto out;
	}
	while (!dp->err) {
		uint64_t t0 = now_if(dp);
		uint8_t *t;

		err = m->ops->next_key(m, first ? NULL : key, next);
		if (err) {
			if (err == -ENOENT)
				err = 0; /* past the last key */
			break;
		}
		first = false;
		err = m->ops->lookup(m, next, val);
		dp->read_ns += now_if(dp) - t0;
		dp->calls += 2;
		t = key, key = next, next = t;
		if (++steps > limit) {
			err = -EAGAIN;
			break;
		}
		if (err == -ENOENT)
			continue; /* deleted between the two calls */
		if (err)
			break;
		emit(dp, key, val);
	}
out:
	free(key);
	free(next);
	free(val);
	return err;
}

/* ---- the command ------------------------------------------------------------- */

static int run_method(struct dump *dp)
{
	int err;

	switch (dp->o->method) {
	case MC_MMAP:
		return dump_mmap(dp);
	case MC_BATCH:
		return dump_batch(dp);
	case MC_ELEM:
		return dump_elem(dp);
	default:
		err = dump_mmap(dp);
		if (err != NO_MMAP)
			return err;
		err = dump_batch(dp);
		if (err != NO_BATCH)
			return err;
		return dump_elem(dp);
	}
}

/* Explains a failed dump in words (err < 0). */
static void dump_diag(const struct dump *dp, int err, struct bk_diag *d)
{
	const char *spec = dp->m->spec;

	if (err == NO_MMAP)
		bk_diag__set(
			d, ENOTSUP, -1,
			"%s: --mmap needs an array created with BPF_F_MMAPABLE (flag mmapable)",
			spec);
	else if (err == NO_BATCH)
		bk_diag__set(d, EOPNOTSUPP, -1,
			     "%s: this map type has no batch lookup; use --elem or no method",
			     spec);
	else if (err == -EAGAIN)
		bk_diag__set(d, EAGAIN, -1,
			     "%s: the map changed too much during the dump; try --batch", spec);
	else if (err == -EPERM || err == -EACCES)
		bk_diag__set(d, -err, -1, "%s: cannot read the map: %s", spec, mc_errmsg(err));
	else
		bk_diag__set(d, -err, -1, "%s: dump failed after %llu entries: %s", spec,
			     (unsigned long long)dp->count, mc_errmsg(err));
}

static void print_stats(const struct dump *dp, uint64_t total_ns)
{
	fprintf(stderr, "mapctl: dump %s: %llu entries, method %s", dp->m->spec,
		(unsigned long long)dp->count, dp->method ? dp->method : "none");
	if (dp->batch)
		fprintf(stderr, " (%u per call)", dp->batch);
	fprintf(stderr, ", %llu syscalls, read %.3f ms, total %.3f ms\n",
		(unsigned long long)dp->calls, dp->read_ns / 1e6, total_ns / 1e6);
}

int cmd_dump(const struct mc_opts *o, int argc, char **argv)
{
	static char obuf[1 << 20];
	struct dump dp = {.o = o};
	struct bk_diag d;
	uint64_t t0 = tool_now_ns();
	int err;

	bk_diag__init(&d);
	if (argc != 1) {
		bk_diag__set(&d, EINVAL, -1, "usage: mapctl dump MAP [--mmap|--batch[=N]|--elem]");
		return mc_fail(o, TOOL_EXIT_USAGE, &d);
	}
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	__fsetlocking(stdout, FSETLOCKING_BYCALLER);
	if (mc_open(argv[0], &dp.m, &d))
		return mc_fail(o, TOOL_EXIT_USAGE, &d);
	if (!dp.m->key_size) {
		char tmp[32];

		bk_diag__set(&d, EINVAL, -1, "%s: a %s map has no keys to walk", argv[0],
			     mc_type_name(dp.m->type, tmp, sizeof(tmp)));
		mc_close(dp.m);
		return mc_fail(o, TOOL_EXIT_USAGE, &d);
	}
	mc_types(dp.m, o, &dp.kt, &dp.vt);
	dp.plain = dp.m->ncpus == 1 && mv_type_is_hex(&dp.kt) && mv_type_is_hex(&dp.vt);
	if (o->json) {
		json_init(&dp.w, stdout, o->pretty);
		json_obj_begin(&dp.w);
		json_key(&dp.w, "map");
		mc_json_map(&dp.w, dp.m);
		json_key(&dp.w, "entries");
		json_arr_begin(&dp.w);
	} else {
		mv_out_text(&dp.out, &dp.buf);
	}
	err = run_method(&dp);
	if (!err && !o->json)
		err = dp.err ? dp.err : mc_flush(&dp.buf);
	if (err)
		dump_diag(&dp, err, &d);
	if (o->json) {
		json_arr_end(&dp.w);
		json_kv_str(&dp.w, "method", dp.method ? dp.method : "none");
		json_kv_uint(&dp.w, "count", dp.count);
		if (err) {
			json_key(&dp.w, "error");
			tool_json_diag(&dp.w, &d);
		}
		json_obj_end(&dp.w);
		json_end(&dp.w);
	} else if (err) {
		mc_flush(&dp.buf);
		fflush(stdout);
		tool_print_diag(stderr, "mapctl", &d, NULL, 0);
	}
	if (fflush(stdout) && !err) {
		bk_diag__set(&d, errno, -1, "writing the dump: %s", strerror(errno));
		tool_print_diag(stderr, "mapctl", &d, NULL, 0);
		err = -EIO;
	}
	if (o->stats)
		print_stats(&dp, tool_now_ns() - t0);
	mv_buf_free(&dp.buf);
	mc_close(dp.m);
	return err ? TOOL_EXIT_USAGE : TOOL_EXIT_OK;
}
