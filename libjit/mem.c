// SPDX-License-Identifier: MIT
/*
 * mem.c - executable memory.  An image is mapped read + write, written,
 * then switched to read + exec with mprotect; it is never writable and
 * executable at once.  Mappings are placed within rel32 reach of the
 * library's code when a free spot is found there, so native code calls
 * helpers with a direct call rather than through a register.
 *
 * Mappings found that way are 16 MiB apart, so all images would start at
 * the same low address bits, and their branches would compete for the
 * same entries of the CPU's branch predictors; code therefore starts at an
 * offset (a multiple of 64 bytes in the first page) that the mapping's
 * address picks.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "jit_int.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

enum {
	NEAR_STEP = 16 << 20, /* try every 16 MiB ... */
	NEAR_TRIES = 48,      /* ... up to 768 MiB either side */
};

static void *map_at(uintptr_t hint, size_t len)
{
	void *p = mmap((void *)hint, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if ((uintptr_t)p != hint) { /* an old kernel took it as a plain hint */
		munmap(p, len);
		return NULL;
	}
	return p;
}

void *bk_jit_mem_alloc(size_t size, const void *near, size_t *map_size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (size + pg - 1) / pg * pg;
	uintptr_t n = (uintptr_t)near & ~(uintptr_t)(NEAR_STEP - 1);
	void *p;

	if (!len)
		len = pg;
	*map_size = len;
	for (uintptr_t k = 1; near && k <= NEAR_TRIES; k++) {
		if (n > k * NEAR_STEP + len && (p = map_at(n - k * NEAR_STEP, len)))
			return p;
		if ((p = map_at(n + k * NEAR_STEP, len)))
			return p;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

size_t bk_jit_mem_spread(const void *map)
{
	uint64_t a = (uintptr_t)map >> 12;

	a *= 0x9e3779b97f4a7c15ull;
	return (size_t)(a >> 58) * 64; /* 0 .. 4032 */
}

int bk_jit_mem_seal(void *p, size_t map_size)
{
	return mprotect(p, map_size, PROT_READ | PROT_EXEC) ? -errno : 0;
}

void bk_jit_mem_free(void *p, size_t map_size)
{
	if (p)
		munmap(p, map_size);
}
