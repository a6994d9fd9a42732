// SPDX-License-Identifier: MIT
/*
 * mapfill - a small helper for mapctl's large-map tests and benchmarks,
 * independent of mapctl (plain libbpf syscall wrappers only):
 *
 *   mapfill hash PATH N            hash u32 -> u64, N entries, pinned at PATH
 *   mapfill array PATH N [mmap]    array of u64 (BPF_F_MMAPABLE with "mmap")
 *   mapfill percpu PATH N          percpu hash u32 -> u64
 *   mapfill walk PATH              prints every entry as mapctl's text dump
 *                                  does without BTF ("key: HEX  value: HEX"),
 *                                  found by get_next_key + lookup
 *   mapfill time-walk PATH         the same walk without output: "N ns"
 *   mapfill time-lookup PATH       array: lookup of every index: "N ns"
 *
 * Keys are i * 2654435761 (mod 2^32, so all distinct); values mix i.
 * Filling uses BPF_MAP_UPDATE_BATCH.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int die(const char *what)
{
	fprintf(stderr, "mapfill: %s: %s\n", what, strerror(errno));
	return 1;
}

static int fill(const char *kind, const char *path, uint32_t n, bool mmapable)
{
	LIBBPF_OPTS(bpf_map_create_opts, copts);
	bool array = !strcmp(kind, "array"), percpu = !strcmp(kind, "percpu");
	int ncpus = percpu ? libbpf_num_possible_cpus() : 1;
	enum bpf_map_type type = array	  ? BPF_MAP_TYPE_ARRAY
				 : percpu ? BPF_MAP_TYPE_PERCPU_HASH
					  : BPF_MAP_TYPE_HASH;
	uint32_t *keys = malloc((size_t)n * 4), step = 65536;
	uint64_t *vals = malloc((size_t)n * 8 * (size_t)ncpus);
	int fd;

	if (!keys || !vals)
		return die("malloc");
	if (mmapable)
		copts.map_flags = BPF_F_MMAPABLE;
	fd = bpf_map_create(type, "mapfill", 4, 8, n, &copts);
	if (fd < 0)
		return die("bpf_map_create");
	for (uint32_t i = 0; i < n; i++) {
		keys[i] = array ? i : i * 2654435761u;
		for (int c = 0; c < ncpus; c++)
			vals[(size_t)i * (size_t)ncpus + (size_t)c] =
				((uint64_t)i << 32 | (i ^ 0x5a5a5a5au)) + (uint64_t)c;
	}
	for (uint32_t i = 0; i < n; i += step) {
		uint32_t cnt = n - i < step ? n - i : step;

		if (bpf_map_update_batch(fd, keys + i, vals + (size_t)i * (size_t)ncpus, &cnt,
					 NULL))
			return die("bpf_map_update_batch");
	}
	if (bpf_obj_pin(fd, path))
		return die(path);
	free(keys);
	free(vals);
	close(fd);
	return 0;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		*out++ = d[p[i] >> 4];
		*out++ = d[p[i] & 15];
		*out++ = i + 1 < n ? ' ' : '\0';
	}
}

/* get_next_key + lookup over the whole map; prints when out is set. */
static int walk(const char *path, FILE *out)
{
	struct bpf_map_info info = {0};
	uint32_t len = sizeof(info);
	uint8_t key[64], next[64], val[4096];
	char kh[200], vh[12300];
	uint64_t t0, n = 0;
	int fd = bpf_obj_get(path);
	void *prev = NULL;

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return die(path);
	if (info.key_size > sizeof(key) || info.value_size > sizeof(val))
		return die("key or value too large for mapfill");
	t0 = now_ns();
	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (bpf_map_lookup_elem(fd, next, val))
			return die("lookup");
		if (out) {
			hex(kh, next, info.key_size);
			hex(vh, val, info.value_size);
			fprintf(out, "key: %s  value: %s\n", kh, vh);
		}
		memcpy(key, next, info.key_size);
		prev = key;
		n++;
	}
	if (!out)
		printf("%llu ns %llu entries\n", (unsigned long long)(now_ns() - t0),
		       (unsigned long long)n);
	return 0;
}

static int time_lookup(const char *path)
{
	struct bpf_map_info info = {0};
	uint32_t len = sizeof(info);
	uint8_t val[4096];
	uint64_t t0;
	int fd = bpf_obj_get(path);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) || info.value_size > sizeof(val))
		return die(path);
	t0 = now_ns();
	for (uint32_t i = 0; i < info.max_entries; i++)
		if (bpf_map_lookup_elem(fd, &i, val))
			return die("lookup");
	printf("%llu ns %u entries\n", (unsigned long long)(now_ns() - t0), info.max_entries);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 &&
	    (!strcmp(argv[1], "hash") || !strcmp(argv[1], "array") || !strcmp(argv[1], "percpu")))
		return fill(argv[1], argv[2], (uint32_t)strtoul(argv[3], NULL, 0),
			    argc > 4 && !strcmp(argv[4], "mmap"));
	if (argc == 3 && !strcmp(argv[1], "walk")) {
		static char buf[1 << 20];

		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
		return walk(argv[2], stdout);
	}
	if (argc == 3 && !strcmp(argv[1], "time-walk"))
		return walk(argv[2], NULL);
	if (argc == 3 && !strcmp(argv[1], "time-lookup"))
		return time_lookup(argv[2]);
	fprintf(stderr, "usage: mapfill hash|array|percpu PATH N [mmap] | walk|time-walk|"
			"time-lookup PATH\n");
	return 2;
}
