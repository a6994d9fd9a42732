/* SPDX-License-Identifier: MIT */
/*
 * map_hash_int.h - the LRU lists behind LRU hash maps (map_lru.c), as
 * map_hash.c uses them.  Nodes are the hash map's element indexes.
 */
#ifndef BK_MAP_HASH_INT_H
#define BK_MAP_HASH_INT_H

#include "vm_int.h"

struct bk_lru;

/* n nodes, all free.  percpu: BPF_F_NO_COMMON_LRU (a list per CPU).  del
 * removes an element from the hash table when the LRU evicts it; it
 * returns false when the element is not in the table. */
struct bk_lru *bk_lru_new(uint32_t n, uint32_t ncpus, bool percpu,
			  bool (*del)(void *arg, uint32_t node), void *arg);
void bk_lru_free(struct bk_lru *lru);
/* A free node for an element about to be inserted by cpu, evicting old
 * elements when none is free; UINT32_MAX when there is none at all. */
uint32_t bk_lru_pop_free(struct bk_lru *lru, uint32_t cpu, uint32_t hash);
/* Returns a node (deleted or replaced element) to the free lists. */
void bk_lru_push_free(struct bk_lru *lru, uint32_t node);
/* Marks a node referenced (a lookup by a program). */
void bk_lru_set_ref(struct bk_lru *lru, uint32_t node);

#endif
