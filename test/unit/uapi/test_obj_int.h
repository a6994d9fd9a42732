/* SPDX-License-Identifier: MIT */
/*
 * test_obj_int.h - shared by the object unit tests: reading the seed
 * objects under test/fuzz/corpus/elf/, found from the source root: $BK_SRC
 * when set, else the working directory (where `make unit-uapi` runs).
 */
#ifndef BK_TEST_OBJ_INT_H
#define BK_TEST_OBJ_INT_H

#include <stdlib.h>

#include "uapi.h"

#define ELF_SEEDS "test/fuzz/corpus/elf/"
#define ELF_MALFORMED "test/malformed/elf/"

/* rel under the source root, in a static buffer. */
static inline const char *test_src_path(const char *rel)
{
	static char buf[1024];
	const char *root = getenv("BK_SRC");

	snprintf(buf, sizeof(buf), "%s/%s", root && *root ? root : ".", rel);
	return buf;
}

/* The whole file (rel under the source root), malloc'ed; NULL when it
 * cannot be read. */
static inline void *test_read_file(const char *rel, size_t *len)
{
	FILE *f = fopen(test_src_path(rel), "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static inline bool is_elf_error(int err)
{
	return err <= -1100 && err >= -1199;
}

#endif
