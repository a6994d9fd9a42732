// SPDX-License-Identifier: MIT
/*
 * map_lru.c - the LRU lists of LRU hash maps, following the kernel's
 * algorithm so that the same operations evict the same elements:
 *
 * Common LRU (the default): a global list set (free, active, inactive) and
 * per CPU a local free list and a pending list.  A CPU takes new nodes
 * from its local free list; when that is empty it flushes its pending
 * nodes into the global active (referenced) or inactive list, rotates the
 * global lists, and refills its local free list with up to target_free
 * nodes from the global free list, shrinking the inactive list (oldest
 * unreferenced first, else forcibly) for the rest.  When nothing is left it
 * steals from the CPUs' local lists in turn.
 *
 * Per-CPU LRU (BPF_F_NO_COMMON_LRU): one list set per CPU, refilled four
 * nodes at a time.
 *
 * Rotation: the active list is scanned from its tail when the inactive
 * list is shorter, referenced nodes going back to the head, others to the
 * inactive list; the inactive list is scanned from a rotation cursor,
 * referenced nodes moving to the active list.  At most nr_scans nodes per
 * scan.  Lists are circular over node indexes; list heads are indexes past
 * the nodes.  All calls happen under the map's lock.
 */
#include <stdlib.h>
#include <string.h>

#include "map_hash_int.h"

#define NIL UINT32_MAX

enum {
	T_ACTIVE,
	T_INACTIVE,
	T_FREE,
	T_LOCAL_FREE,
	T_LOCAL_PENDING,
};

enum {
	LOCAL_FREE_TARGET = 128,
	LOCAL_NR_SCANS = 128,
	PERCPU_FREE_TARGET = 4,
	PERCPU_NR_SCANS = 4,
};

struct lru_list {
	uint32_t head[3]; /* T_ACTIVE, T_INACTIVE, T_FREE */
	uint32_t counts[2];
	uint32_t nir; /* next inactive rotation */
};

struct lru_local {
	uint32_t free_head, pending_head;
	uint32_t next_steal;
};

struct bk_lru {
	uint32_t n, ncpus;
	bool percpu;
	uint32_t nr_scans, target_free;
	uint32_t *prev, *next;
	uint8_t *type, *ref;
	uint32_t *cpu;
	struct lru_list *lists; /* 1, or ncpus when percpu */
	struct lru_local *local;
	bool (*del)(void *arg, uint32_t node);
	void *arg;
};

/* ---- circular lists over indexes ----------------------------------------- */

static void l_init(struct bk_lru *u, uint32_t h)
{
	u->next[h] = u->prev[h] = h;
}

static void l_del(struct bk_lru *u, uint32_t x)
{
	u->next[u->prev[x]] = u->next[x];
	u->prev[u->next[x]] = u->prev[x];
}

static void l_add(struct bk_lru *u, uint32_t x, uint32_t h)
{
	uint32_t n = u->next[h];

	u->next[h] = x;
	u->prev[x] = h;
	u->next[x] = n;
	u->prev[n] = x;
}

static void l_move(struct bk_lru *u, uint32_t x, uint32_t h)
{
	l_del(u, x);
	l_add(u, x, h);
}

static bool l_empty(const struct bk_lru *u, uint32_t h)
{
	return u->next[h] == h;
}

/* ---- node moves -------------------------------------------------------------- */

static void count_inc(struct lru_list *l, unsigned t)
{
	if (t < 2)
		l->counts[t]++;
}

static void count_dec(struct lru_list *l, unsigned t)
{
	if (t < 2)
		l->counts[t]--;
}

static void move_to_free(struct bk_lru *u, struct lru_list *l, uint32_t x, uint32_t free_head,
			 unsigned tgt)
{
	if (u->type[x] >= T_LOCAL_FREE)
		return;
	if (x == l->nir)
		l->nir = u->prev[l->nir];
	count_dec(l, u->type[x]);
	u->type[x] = tgt;
	l_move(u, x, free_head);
}

static void move_in(struct bk_lru *u, struct lru_list *l, uint32_t x, unsigned tgt)
{
	count_inc(l, tgt);
	u->type[x] = tgt;
	u->ref[x] = 0;
	l_move(u, x, l->head[tgt]);
}

static void move(struct bk_lru *u, struct lru_list *l, uint32_t x, unsigned tgt)
{
	if (u->type[x] != tgt) {
		count_dec(l, u->type[x]);
		count_inc(l, tgt);
		u->type[x] = tgt;
	}
	u->ref[x] = 0;
	if (x == l->nir)
		l->nir = u->prev[l->nir];
	l_move(u, x, l->head[tgt]);
}

static bool ref(const struct bk_lru *u, uint32_t x)
{
	return __atomic_load_n(&u->ref[x], __ATOMIC_RELAXED);
}

/* ---- rotation and shrinking ------------------------------------------------ */

static void rotate_active(struct bk_lru *u, struct lru_list *l)
{
	uint32_t h = l->head[T_ACTIVE], first = u->next[h], i = 0;

	for (uint32_t x = u->prev[h], t; x != h; x = t) {
		t = u->prev[x];
		move(u, l, x, ref(u, x) ? T_ACTIVE : T_INACTIVE);
		if (++i == u->nr_scans || x == first)
			break;
	}
}

static void rotate_inactive(struct bk_lru *u, struct lru_list *l)
{
	uint32_t h = l->head[T_INACTIVE], last, cur, nx = h, i = 0, guard = 0;

	if (l_empty(u, h))
		return;
	last = u->next[l->nir];
	if (last == h)
		last = u->next[last];
	cur = l->nir;
	while (i < u->nr_scans && guard++ < 2 * u->nr_scans + 2) {
		if (cur == h) {
			cur = u->prev[cur];
			continue;
		}
		nx = u->prev[cur];
		if (ref(u, cur))
			move(u, l, cur, T_ACTIVE);
		if (cur == last)
			break;
		cur = nx;
		i++;
	}
	l->nir = nx;
}

static void rotate(struct bk_lru *u, struct lru_list *l)
{
	if (l->counts[T_INACTIVE] < l->counts[T_ACTIVE])
		rotate_active(u, l);
	rotate_inactive(u, l);
}

static uint32_t shrink_inactive(struct bk_lru *u, struct lru_list *l, uint32_t tgt,
				uint32_t free_head, unsigned free_type)
{
	uint32_t h = l->head[T_INACTIVE], n = 0, i = 0;

	for (uint32_t x = u->prev[h], t; x != h; x = t) {
		t = u->prev[x];
		if (ref(u, x)) {
			move(u, l, x, T_ACTIVE);
		} else if (u->del(u->arg, x)) {
			move_to_free(u, l, x, free_head, free_type);
			if (++n == tgt)
				break;
		}
		if (++i == u->nr_scans)
			break;
	}
	return n;
}

static uint32_t shrink(struct bk_lru *u, struct lru_list *l, uint32_t tgt, uint32_t free_head,
		       unsigned free_type)
{
	uint32_t n = shrink_inactive(u, l, tgt, free_head, free_type), h;

	if (n)
		return n;
	h = l_empty(u, l->head[T_INACTIVE]) ? l->head[T_ACTIVE] : l->head[T_INACTIVE];
	for (uint32_t x = u->prev[h], t; x != h; x = t) {
		t = u->prev[x];
		if (u->del(u->arg, x)) {
			move_to_free(u, l, x, free_head, free_type);
			return 1;
		}
	}
	return 0;
}

/* ---- the common LRU ---------------------------------------------------------- */

static void local_flush(struct bk_lru *u, struct lru_list *l, struct lru_local *loc)
{
	uint32_t h = loc->pending_head;

	for (uint32_t x = u->prev[h], t; x != h; x = t) {
		t = u->prev[x];
		move_in(u, l, x, ref(u, x) ? T_ACTIVE : T_INACTIVE);
	}
}

static void pop_free_to_local(struct bk_lru *u, struct lru_local *loc)
{
	struct lru_list *l = &u->lists[0];
	uint32_t h = l->head[T_FREE], nfree = 0;

	local_flush(u, l, loc);
	rotate(u, l);
	for (uint32_t x = u->next[h], t; x != h; x = t) {
		t = u->next[x];
		move_to_free(u, l, x, loc->free_head, T_LOCAL_FREE);
		if (++nfree == u->target_free)
			break;
	}
	if (nfree < u->target_free)
		shrink(u, l, u->target_free - nfree, loc->free_head, T_LOCAL_FREE);
}

static uint32_t local_pop_free(struct bk_lru *u, struct lru_local *loc)
{
	uint32_t x = u->next[loc->free_head];

	if (x == loc->free_head)
		return NIL;
	l_del(u, x);
	return x;
}

static uint32_t local_pop_pending(struct bk_lru *u, struct lru_local *loc)
{
	uint32_t h = loc->pending_head;

	for (int force = 0; force < 2; force++) {
		for (uint32_t x = u->prev[h]; x != h; x = u->prev[x]) {
			if ((!ref(u, x) || force) && u->del(u->arg, x)) {
				l_del(u, x);
				return x;
			}
		}
	}
	return NIL;
}

static void add_pending(struct bk_lru *u, struct lru_local *loc, uint32_t cpu, uint32_t x)
{
	u->cpu[x] = cpu;
	u->type[x] = T_LOCAL_PENDING;
	u->ref[x] = 0;
	l_add(u, x, loc->pending_head);
}

static uint32_t common_pop_free(struct bk_lru *u, uint32_t cpu)
{
	struct lru_local *loc = &u->local[cpu];
	uint32_t x = local_pop_free(u, loc), steal, first;

	if (x == NIL) {
		pop_free_to_local(u, loc);
		x = local_pop_free(u, loc);
	}
	if (x != NIL) {
		add_pending(u, loc, cpu, x);
		return x;
	}
	first = steal = loc->next_steal;
	do {
		struct lru_local *sl = &u->local[steal];

		x = local_pop_free(u, sl);
		if (x == NIL)
			x = local_pop_pending(u, sl);
		steal = (steal + 1) % u->ncpus;
	} while (x == NIL && steal != first);
	loc->next_steal = steal;
	if (x != NIL)
		add_pending(u, loc, cpu, x);
	return x;
}

static void common_push_free(struct bk_lru *u, uint32_t x)
{
	if (u->type[x] == T_FREE || u->type[x] == T_LOCAL_FREE)
		return;
	if (u->type[x] == T_LOCAL_PENDING) {
		struct lru_local *loc = &u->local[u->cpu[x]];

		u->type[x] = T_LOCAL_FREE;
		u->ref[x] = 0;
		l_move(u, x, loc->free_head);
		return;
	}
	move(u, &u->lists[0], x, T_FREE);
}

/* ---- the per-CPU LRU ----------------------------------------------------------- */

static uint32_t percpu_pop_free(struct bk_lru *u, uint32_t cpu)
{
	struct lru_list *l = &u->lists[cpu];
	uint32_t fh = l->head[T_FREE], x;

	rotate(u, l);
	if (l_empty(u, fh))
		shrink(u, l, PERCPU_FREE_TARGET, fh, T_FREE);
	if (l_empty(u, fh))
		return NIL;
	x = u->next[fh];
	u->ref[x] = 0;
	move(u, l, x, T_INACTIVE);
	return x;
}

/* ---- the interface --------------------------------------------------------------- */

struct bk_lru *bk_lru_new(uint32_t n, uint32_t ncpus, bool percpu,
			  bool (*del)(void *arg, uint32_t node), void *arg)
{
	struct bk_lru *u = calloc(1, sizeof(*u));
	uint32_t nl = percpu ? ncpus : 1, heads = nl * 3 + (percpu ? 0 : 2 * ncpus), hx = n;

	if (!u)
		return NULL;
	u->n = n;
	u->ncpus = ncpus;
	u->percpu = percpu;
	u->del = del;
	u->arg = arg;
	u->prev = calloc((size_t)n + heads, sizeof(*u->prev));
	u->next = calloc((size_t)n + heads, sizeof(*u->next));
	u->type = calloc(n ? n : 1, 1);
	u->ref = calloc(n ? n : 1, 1);
	u->cpu = calloc(n ? n : 1, sizeof(*u->cpu));
	u->lists = calloc(nl, sizeof(*u->lists));
	u->local = calloc(ncpus, sizeof(*u->local));
	if (!u->prev || !u->next || !u->type || !u->ref || !u->cpu || !u->lists || !u->local) {
		bk_lru_free(u);
		return NULL;
	}
	for (uint32_t i = 0; i < nl; i++) {
		for (int t = 0; t < 3; t++) {
			u->lists[i].head[t] = hx;
			l_init(u, hx++);
		}
		u->lists[i].nir = u->lists[i].head[T_INACTIVE];
	}
	if (percpu) {
		uint32_t per = n / ncpus ? n / ncpus : 1, i = 0;

		u->nr_scans = PERCPU_NR_SCANS;
		for (uint32_t c = 0; c < ncpus && i < n; c++) {
			do {
				u->cpu[i] = c;
				u->type[i] = T_FREE;
				l_add(u, i, u->lists[c].head[T_FREE]);
				i++;
			} while (i < n && i % per);
		}
		return u;
	}
	for (uint32_t c = 0; c < ncpus; c++) {
		u->local[c].free_head = hx;
		l_init(u, hx++);
		u->local[c].pending_head = hx;
		l_init(u, hx++);
		u->local[c].next_steal = c;
	}
	u->nr_scans = LOCAL_NR_SCANS;
	u->target_free = n / ncpus / 2;
	if (u->target_free < 1)
		u->target_free = 1;
	if (u->target_free > LOCAL_FREE_TARGET)
		u->target_free = LOCAL_FREE_TARGET;
	for (uint32_t i = 0; i < n; i++) {
		u->type[i] = T_FREE;
		l_add(u, i, u->lists[0].head[T_FREE]);
	}
	return u;
}

void bk_lru_free(struct bk_lru *u)
{
	if (!u)
		return;
	free(u->prev);
	free(u->next);
	free(u->type);
	free(u->ref);
	free(u->cpu);
	free(u->lists);
	free(u->local);
	free(u);
}

uint32_t bk_lru_pop_free(struct bk_lru *u, uint32_t cpu, uint32_t hash)
{
	(void)hash;
	cpu %= u->ncpus;
	return u->percpu ? percpu_pop_free(u, cpu) : common_pop_free(u, cpu);
}

void bk_lru_push_free(struct bk_lru *u, uint32_t x)
{
	if (x >= u->n)
		return;
	if (u->percpu)
		move(u, &u->lists[u->cpu[x]], x, T_FREE);
	else
		common_push_free(u, x);
}

void bk_lru_set_ref(struct bk_lru *u, uint32_t x)
{
	if (x < u->n && !ref(u, x))
		__atomic_store_n(&u->ref[x], 1, __ATOMIC_RELAXED);
}
