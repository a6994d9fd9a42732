// SPDX-License-Identifier: MIT
/*
 * harness.c - runs the registered unit tests; see harness.h.
 * Usage: unit-X [SUBSTRING]   exit 0 when no test failed.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "harness.h"

static struct bk_test *tests, **tail = &tests;
static int cur_failures;

void bk_test__register(struct bk_test *t)
{
	*tail = t;
	tail = &t->next;
}

bool bk_test__fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cur_failures++;
	return false;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0;
	bool verbose = getenv("BK_TEST_VERBOSE") != NULL;

	for (struct bk_test *t = tests; t; t = t->next) {
		if (filter && !strstr(t->name, filter))
			continue;
		cur_failures = 0;
		t->fn();
		if (cur_failures) {
			fprintf(stderr, "FAIL %s (%s)\n", t->name, t->file);
			failed++;
		} else {
			if (verbose)
				printf("ok   %s\n", t->name);
			passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
