// SPDX-License-Identifier: MIT
/*
 * native.c - the benchmark programs of bench-10-interp (alu.s, mem.s,
 * parse.s, helper.s) written in C, for the "native" column: the same
 * computation compiled by gcc -O2.  Inputs come through volatiles so the
 * compiler cannot fold the work away; results are printed.
 *
 *   bk-native NAME RUNS PACKET   prints "r0 R" and "ns_per_run T": CPU time per
 *                                run, best of 5
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile uint64_t one = 1, zero;

static uint64_t alu(const uint8_t *pkt, size_t len)
{
	uint64_t r0 = one, r2 = zero;

	(void)pkt;
	(void)len;
	for (uint64_t r1 = zero; r1 < 4096; r1++) {
		r0 *= 31;
		r0 += r1;
		r0 ^= r0 >> 7;
		r2 += r0;
	}
	return r2 & 3;
}

static uint64_t mem(const uint8_t *pkt, size_t len)
{
	uint64_t st[32], r0 = zero;

	(void)pkt;
	(void)len;
	for (uint64_t i = 0; i < 32; i++)
		st[i] = i + zero;
	for (uint64_t round = 0; round < 128; round++)
		for (int i = 0; i < 32; i++) {
			st[i] = st[i] * 3 + round;
			r0 += st[i];
		}
	return r0 & 3;
}

static uint64_t parse(const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len, *l4;
	uint16_t w;
	size_t ihl;

	if (p + 14 > end)
		return 2;
	memcpy(&w, p + 12, 2);
	if (w != 8)
		return 2;
	if (p + 34 > end)
		return 2;
	ihl = p[14] & 15;
	if (ihl < 5)
		return 1;
	l4 = p + 14 + ihl * 4;
	if (l4 + 4 > end)
		return 2;
	if (p[23] != 6 && p[23] != 17)
		return 2;
	memcpy(&w, l4 + 2, 2);
	if (__builtin_bswap16(w) == 22)
		return 1;
	memcpy(&w, l4, 2);
	return w == 0 ? 1 : 2;
}

/* What libvm's bpf_get_prandom_u32 does, out of line like a helper. */
static __attribute__((noinline)) uint32_t prandom(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)(z ^ (z >> 31));
}

static uint64_t rnd_state = 12345;

static uint64_t helper(const uint8_t *pkt, size_t len)
{
	uint64_t r7 = 0;

	(void)pkt;
	(void)len;
	for (int i = 0; i < 1024; i++)
		r7 += prandom(&rnd_state);
	return r7 & 3;
}

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		uint64_t (*fn)(const uint8_t *, size_t);
	} progs[] = {{"alu", alu}, {"mem", mem}, {"parse", parse}, {"helper", helper}};
	static uint8_t pkt[4096];
	uint64_t (*fn)(const uint8_t *, size_t) = NULL;
	volatile uint64_t sink = 0;
	double best = 1e30;
	size_t len = 0;
	long runs;
	FILE *f;

	if (argc != 4)
		return fprintf(stderr, "usage: bk-native NAME RUNS PACKET\n"), 2;
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		if (!strcmp(progs[i].name, argv[1]))
			fn = progs[i].fn;
	runs = atol(argv[2]);
	f = fopen(argv[3], "rb");
	if (f) {
		len = fread(pkt, 1, sizeof(pkt), f);
		fclose(f);
	}
	if (!fn || runs < 1 || !len)
		return fprintf(stderr, "bk-native: bad arguments\n"), 2;
	for (int rep = 0; rep < 5; rep++) {
		uint64_t t0 = now();
		double ns;

		for (long i = 0; i < runs; i++)
			sink += fn(pkt, len);
		ns = (double)(now() - t0) / (double)runs;
		if (ns < best)
			best = ns;
	}
	printf("r0 %llu\nns_per_run %.2f\n", (unsigned long long)fn(pkt, len), best);
	return sink == 0xdeadbeef;
}
