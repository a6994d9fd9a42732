/* SPDX-License-Identifier: MIT */
/*
 * ring_pub_int.h - publishing a runtime's maps (ring_shm.c: the shared
 * memory allocator, descriptors, the reader's open and view; ring_srv.c:
 * the control socket, its server thread and the reader's requests).
 *
 * Files in the directory: mem-N (one per allocation, MAP_SHARED),
 * map.NAME (struct pub_desc), ctl (unix stream socket).  A descriptor is
 * written to a temporary name and renamed, so a reader sees all or
 * nothing of it.
 */
#ifndef BK_RING_PUB_INT_H
#define BK_RING_PUB_INT_H

#include <pthread.h>

#include "vm_int.h"

#define PUB_MAGIC "BKPUBMP1"
#define PUB_ROOT "/dev/shm"
#define PUB_MAX_NAME 64

struct pub_desc {
	char magic[8];
	uint32_t index; /* the map's number in the server */
	uint32_t type, key_size, value_size, max_entries, flags, id;
	uint32_t ncpus, user_value_size, token_size;
	uint32_t data_seq; /* array values: in mem-<data_seq>; UINT32_MAX: none */
	uint64_t data_off, data_len;
	char name[PUB_MAX_NAME];
};

struct pub_alloc {
	void *p;
	size_t size; /* mapped bytes (a multiple of the page) */
	uint32_t seq;
};

struct pub_map {
	struct bk_map *map;
	char name[PUB_MAX_NAME];
};

struct bk_vm_pub {
	char dir[256];
	struct bk_vm_alloc alloc;
	pthread_mutex_t lock; /* allocs */
	struct pub_alloc *allocs;
	size_t nallocs, cap;
	uint32_t next_seq;
	struct pub_map *maps;
	size_t nmaps;
	/* ring_srv.c */
	int lfd, stop[2];
	pthread_t thread;
	bool serving;
};

struct bk_pub_map {
	char dir[256];
	int pid;
	struct pub_desc d;
	struct bk_map_attr attr;
	int fd; /* ctl connection, -1 until the first request */
};

/* Control requests (ring_srv.c). */
enum pub_op {
	PUB_LOOKUP = 1,
	PUB_UPDATE,
	PUB_DELETE,
	PUB_NEXT_KEY,
	PUB_LOOKUP_BATCH,
	PUB_UPDATE_BATCH,
};

/* One request to the publisher: op on map d.index; in (in_len bytes) out;
 * *out_len bytes back into out (at most out_cap).  *count in/out for the
 * batch ops.  Returns the map operation's result, or -errno of the I/O. */
int pub_call(struct bk_pub_map *m, enum pub_op op, uint64_t flags, uint32_t *count, const void *in,
	     uint32_t in_len, void *out, uint32_t out_cap, uint32_t *out_len);
void pub_stop(struct bk_vm_pub *p);

#endif /* BK_RING_PUB_INT_H */
