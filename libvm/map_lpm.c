// SPDX-License-Identifier: MIT
/*
 * map_lpm.c - LPM trie maps (BPF_MAP_TYPE_LPM_TRIE) with the kernel's
 * observable behaviour.  A key is a u32 prefix length followed by
 * key_size - 4 bytes of data (bits numbered from the most significant bit
 * of the first byte).  A lookup finds the longest stored prefix that
 * matches the key's first prefixlen bits; get_next_key walks the prefixes
 * in post-order (more specific before less specific, the 0 branch before
 * the 1 branch) and starts over at the first one when the key is not
 * stored; update and delete act on the exact prefix.
 *
 * The trie is path-compressed: a node holds a prefix; a node with two
 * children may be an intermediate one that holds no element; every other
 * node holds an element.  Removing an element keeps that shape, so the
 * trie of a set of prefixes is always the same one and the post-order is
 * a property of the set.  Nodes come from a preallocated pool; each
 * element's value lives in a value slot of its own (the region checked
 * programs may touch); replacing an element takes a fresh slot.  Every
 * operation takes the map lock, program lookups included.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

#define NIL UINT32_MAX

enum {
	KEY_MIN = 5,	      /* prefixlen and one byte */
	KEY_MAX = 4 + 256,    /* LPM_DATA_SIZE_MAX */
	VALUE_MAX = 1u << 22, /* below the kernel's kmalloc limit */
	MAX_BYTES = 1u << 31,
};

struct lnode {
	uint32_t child[2];
	uint32_t prefixlen;
	uint32_t slot; /* value slot, NIL: intermediate node */
};

struct lpm {
	uint32_t dlen;	 /* bytes of data in a key */
	uint32_t maxlen; /* dlen * 8 */
	uint32_t root;	 /* NIL: empty */
	uint32_t count;	 /* elements */
	uint32_t nnodes; /* pool size: 2 * max_entries (intermediates too) */
	struct lnode *nodes;
	uint8_t *data;				       /* nnodes * dlen: each node's prefix bits */
	uint32_t *free_nodes, nfree_nodes, used_nodes; /* never used ones: from used_nodes */
	uint8_t *values; /* (max_entries + 1) slots of vstride bytes */
	size_t values_bytes;
	uint32_t vstride;
	uint32_t *free_slots, nfree_slots, used_slots;
};

static struct lpm *lp(const struct bk_map *m)
{
	return m->priv;
}

static uint8_t *ndata(const struct lpm *t, uint32_t n)
{
	return t->data + (size_t)n * t->dlen;
}

static uint8_t *slot_val(const struct lpm *t, uint32_t s)
{
	return t->values + (size_t)s * t->vstride;
}

static unsigned bit(const uint8_t *d, uint32_t i)
{
	return (d[i / 8] >> (7 - i % 8)) & 1;
}

/* Leading bits a and b share, at most max. */
static uint32_t common_bits(const uint8_t *a, const uint8_t *b, uint32_t max)
{
	uint32_t n = 0;

	while (n + 8 <= max && a[n / 8] == b[n / 8])
		n += 8;
	while (n < max && bit(a, n) == bit(b, n))
		n++;
	return n;
}

/* Bits of node n's prefix that match key data d of length len. */
static uint32_t match(const struct lpm *t, uint32_t n, const uint8_t *d, uint32_t len)
{
	uint32_t pl = t->nodes[n].prefixlen;

	return common_bits(ndata(t, n), d, pl < len ? pl : len);
}

static int lpm_check(const struct bk_map_attr *a)
{
	const uint32_t mask = BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY |
			      BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;

	if (!a->max_entries || !(a->flags & BPF_F_NO_PREALLOC) || (a->flags & ~mask) ||
	    ((a->flags & BPF_F_RDONLY_PROG) && (a->flags & BPF_F_WRONLY_PROG)) ||
	    a->key_size < KEY_MIN || a->key_size > KEY_MAX || !a->value_size ||
	    a->value_size > VALUE_MAX)
		return -EINVAL;
	return 0;
}

static int lpm_create(struct bk_map *m)
{
	struct lpm *t;
	uint64_t nn = 2 * (uint64_t)m->attr.max_entries, ns = (uint64_t)m->attr.max_entries + 1;
	int err = lpm_check(&m->attr);

	if (err)
		return err;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	m->priv = t;
	t->dlen = m->attr.key_size - 4;
	t->maxlen = t->dlen * 8;
	t->root = NIL;
	t->vstride = ROUND_UP(m->attr.value_size, 8);
	if (nn * (sizeof(struct lnode) + t->dlen + 4) > MAX_BYTES || ns * t->vstride > MAX_BYTES)
		return -ENOMEM;
	t->nnodes = (uint32_t)nn;
	t->nodes = malloc(nn * sizeof(*t->nodes));
	t->data = malloc(nn * t->dlen);
	t->free_nodes = malloc(nn * sizeof(uint32_t));
	t->free_slots = malloc(ns * sizeof(uint32_t));
	t->values_bytes = ns * t->vstride;
	t->values = bk_vm_alloc(m->vm, t->values_bytes);
	if (!t->nodes || !t->data || !t->free_nodes || !t->free_slots || !t->values)
		return -ENOMEM;
	m->region = (struct bk_region){.lo = (uintptr_t)t->values,
				       .hi = (uintptr_t)t->values + t->values_bytes,
				       .stride = t->vstride,
				       .voff = 0,
				       .vsize = m->attr.value_size};
	return 0;
}

static void lpm_destroy(struct bk_map *m)
{
	struct lpm *t = lp(m);

	if (!t)
		return;
	free(t->nodes);
	free(t->data);
	free(t->free_nodes);
	free(t->free_slots);
	bk_vm_free_mem(m->vm, t->values, t->values_bytes);
	free(t);
}

static uint32_t node_new(struct lpm *t, const uint8_t *d, uint32_t len, uint32_t slot)
{
	uint32_t n = t->nfree_nodes ? t->free_nodes[--t->nfree_nodes] : t->used_nodes++;

	t->nodes[n] = (struct lnode){{NIL, NIL}, len, slot};
	memcpy(ndata(t, n), d, t->dlen);
	return n;
}

static void node_free(struct lpm *t, uint32_t n)
{
	t->free_nodes[t->nfree_nodes++] = n;
}

static uint32_t slot_new(struct lpm *t)
{
	return t->nfree_slots ? t->free_slots[--t->nfree_slots] : t->used_slots++;
}

static void slot_free(struct lpm *t, uint32_t s)
{
	t->free_slots[t->nfree_slots++] = s;
}

/* The longest element matching (len, d); NIL when none. */
static uint32_t longest(const struct lpm *t, const uint8_t *d, uint32_t len)
{
	uint32_t n = t->root, found = NIL;

	while (n != NIL) {
		const struct lnode *x = &t->nodes[n];
		uint32_t ml = match(t, n, d, len);

		if (ml < x->prefixlen)
			break;
		if (x->slot != NIL)
			found = n;
		if (x->prefixlen >= len)
			break;
		n = x->child[bit(d, x->prefixlen)];
	}
	return found;
}

static void key_parts(const void *key, uint32_t *len, const uint8_t **d)
{
	memcpy(len, key, 4);
	*d = (const uint8_t *)key + 4;
}

static void *lookup_locked(struct bk_map *m, const void *key)
{
	struct lpm *t = lp(m);
	const uint8_t *d;
	uint32_t len, n;

	key_parts(key, &len, &d);
	if (len > t->maxlen)
		return NULL;
	n = longest(t, d, len);
	return n == NIL ? NULL : slot_val(t, t->nodes[n].slot);
}

static int lpm_lookup(struct bk_map *m, const void *key, void *value, uint64_t flags)
{
	void *v;

	(void)flags;
	pthread_mutex_lock(&m->lock);
	v = lookup_locked(m, key);
	if (v)
		memcpy(value, v, m->attr.value_size);
	pthread_mutex_unlock(&m->lock);
	return v ? 0 : -ENOENT;
}

/* trie_update_elem, under the lock. */
static int update_locked(struct bk_map *m, const void *key, const void *value, uint64_t flags)
{
	struct lpm *t = lp(m);
	uint32_t len, *p, slot;
	const uint8_t *d;

	if (flags > BPF_EXIST)
		return -EINVAL;
	key_parts(key, &len, &d);
	if (len > t->maxlen)
		return -EINVAL;
	p = &t->root;
	while (*p != NIL) {
		struct lnode *x = &t->nodes[*p];
		uint32_t ml = match(t, *p, d, len);

		if (ml != x->prefixlen || x->prefixlen == len)
			break;
		p = &x->child[bit(d, x->prefixlen)];
	}
	if (*p != NIL && t->nodes[*p].prefixlen == len &&
	    match(t, *p, d, len) == len) { /* the exact prefix */
		struct lnode *x = &t->nodes[*p];

		if (x->slot != NIL && flags == BPF_NOEXIST)
			return -EEXIST;
		if (x->slot == NIL) {
			if (flags == BPF_EXIST)
				return -ENOENT;
			if (t->count >= m->attr.max_entries)
				return -ENOSPC;
			t->count++;
		}
		slot = slot_new(t);
		memcpy(slot_val(t, slot), value, m->attr.value_size);
		if (x->slot != NIL)
			slot_free(t, x->slot);
		x->slot = slot;
		memcpy(ndata(t, *p), d, t->dlen);
		return 0;
	}
	if (flags == BPF_EXIST)
		return -ENOENT;
	if (t->count >= m->attr.max_entries)
		return -ENOSPC;
	slot = slot_new(t);
	memcpy(slot_val(t, slot), value, m->attr.value_size);
	t->count++;
	if (*p == NIL) {
		*p = node_new(t, d, len, slot);
	} else {
		uint32_t old = *p, ml = match(t, old, d, len), nw = node_new(t, d, len, slot);

		if (ml == len) { /* the new prefix covers the old node */
			t->nodes[nw].child[bit(ndata(t, old), len)] = old;
			*p = nw;
		} else { /* they part at bit ml: an intermediate node */
			uint32_t im = node_new(t, d, ml, NIL);

			t->nodes[im].child[bit(d, ml)] = nw;
			t->nodes[im].child[bit(ndata(t, old), ml)] = old;
			*p = im;
		}
	}
	return 0;
}

static int lpm_update(struct bk_map *m, const void *key, const void *value, uint64_t flags)
{
	int err;

	pthread_mutex_lock(&m->lock);
	err = update_locked(m, key, value, flags);
	pthread_mutex_unlock(&m->lock);
	return err;
}

/* trie_delete_elem, under the lock. */
static int delete_locked(struct bk_map *m, const void *key)
{
	struct lpm *t = lp(m);
	uint32_t len, *p = &t->root, *pp = NULL, n;
	const uint8_t *d;
	struct lnode *x;

	key_parts(key, &len, &d);
	if (len > t->maxlen)
		return -EINVAL;
	while (*p != NIL) {
		x = &t->nodes[*p];
		if (match(t, *p, d, len) != x->prefixlen || x->prefixlen == len)
			break;
		pp = p;
		p = &x->child[bit(d, x->prefixlen)];
	}
	n = *p;
	if (n == NIL || t->nodes[n].prefixlen != len || t->nodes[n].slot == NIL ||
	    match(t, n, d, len) != len)
		return -ENOENT;
	x = &t->nodes[n];
	t->count--;
	slot_free(t, x->slot);
	x->slot = NIL;
	if (x->child[0] != NIL && x->child[1] != NIL)
		return 0; /* stays as an intermediate node */
	*p = x->child[0] != NIL ? x->child[0] : x->child[1];
	node_free(t, n);
	if (*p == NIL && pp && t->nodes[*pp].slot == NIL) {
		/* the parent was an intermediate node: its other child replaces it */
		uint32_t par = *pp;
		struct lnode *y = &t->nodes[par];

		*pp = y->child[0] != NIL ? y->child[0] : y->child[1];
		node_free(t, par);
	}
	return 0;
}

static int lpm_delete(struct bk_map *m, const void *key)
{
	int err;

	pthread_mutex_lock(&m->lock);
	err = delete_locked(m, key);
	pthread_mutex_unlock(&m->lock);
	return err;
}

/* The first node in post-order under n: an element (leaves always are). */
static uint32_t leftmost(const struct lpm *t, uint32_t n)
{
	for (;;) {
		const struct lnode *x = &t->nodes[n];

		if (x->child[0] != NIL)
			n = x->child[0];
		else if (x->child[1] != NIL)
			n = x->child[1];
		else
			return n;
	}
}

static uint32_t next_locked(const struct lpm *t, const void *key)
{
	uint32_t path[KEY_MAX * 8 + 2], depth = 0, len, n = t->root;
	const uint8_t *d;

	if (t->root == NIL)
		return NIL;
	if (!key)
		return leftmost(t, t->root);
	key_parts(key, &len, &d);
	if (len > t->maxlen)
		return leftmost(t, t->root);
	while (n != NIL) {
		const struct lnode *x = &t->nodes[n];

		path[depth++] = n;
		if (match(t, n, d, len) != x->prefixlen || x->prefixlen == len)
			break;
		n = x->child[bit(d, x->prefixlen)];
	}
	if (n == NIL || t->nodes[n].prefixlen != len || t->nodes[n].slot == NIL ||
	    match(t, n, d, len) != len)
		return leftmost(t, t->root);
	/* the next element after n in post-order */
	while (--depth > 0) {
		const struct lnode *par = &t->nodes[path[depth - 1]];

		if (par->child[0] == n && par->child[1] != NIL)
			return leftmost(t, par->child[1]);
		n = path[depth - 1];
		if (par->slot != NIL)
			return n;
	}
	return NIL;
}

static int lpm_next_key(struct bk_map *m, const void *key, void *next)
{
	struct lpm *t = lp(m);
	uint32_t n;

	pthread_mutex_lock(&m->lock);
	n = next_locked(t, key);
	if (n != NIL) {
		memcpy(next, &t->nodes[n].prefixlen, 4);
		memcpy((uint8_t *)next + 4, ndata(t, n), t->dlen);
	}
	pthread_mutex_unlock(&m->lock);
	return n == NIL ? -ENOENT : 0;
}

static void *lpm_bpf_lookup(struct bk_map *m, const void *key, uint32_t cpu)
{
	void *v;

	(void)cpu;
	pthread_mutex_lock(&m->lock);
	v = lookup_locked(m, key);
	pthread_mutex_unlock(&m->lock);
	return v;
}

static long lpm_bpf_update(struct bk_map *m, const void *key, const void *value, uint64_t flags,
			   uint32_t cpu)
{
	(void)cpu;
	return lpm_update(m, key, value, flags);
}

static long lpm_bpf_delete(struct bk_map *m, const void *key, uint32_t cpu)
{
	(void)cpu;
	return lpm_delete(m, key);
}

static uint32_t lpm_count(const struct bk_map *m)
{
	return lp(m)->count;
}

const struct bk_map_ops bk_lpm_ops = {
	.create = lpm_create,
	.destroy = lpm_destroy,
	.lookup = lpm_lookup,
	.update = lpm_update,
	.delete = lpm_delete,
	.next_key = lpm_next_key,
	.has_lookup_batch = true, /* the generic ones, as the kernel's */
	.has_update_batch = true,
	.has_delete_batch = true,
	.bpf_lookup = lpm_bpf_lookup,
	.bpf_update = lpm_bpf_update,
	.bpf_delete = lpm_bpf_delete,
	.count = lpm_count,
};
