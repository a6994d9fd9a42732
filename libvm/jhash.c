// SPDX-License-Identifier: MIT
/*
 * jhash.c - Bob Jenkins' lookup3 hash (public domain algorithm), in the two
 * variants the kernel's hash maps use: over 32-bit words when the key
 * length is a multiple of 4, over bytes otherwise.  Bucket order, and so
 * the order of get_next_key and batch operations, depends on it.
 */
#include <string.h>

#include "vm_int.h"

#define INITVAL 0xdeadbeefu

static inline uint32_t rol(uint32_t x, int k)
{
	return (x << k) | (x >> (32 - k));
}

#define MIX(a, b, c)                                                                               \
	do {                                                                                       \
		a -= c;                                                                            \
		a ^= rol(c, 4);                                                                    \
		c += b;                                                                            \
		b -= a;                                                                            \
		b ^= rol(a, 6);                                                                    \
		a += c;                                                                            \
		c -= b;                                                                            \
		c ^= rol(b, 8);                                                                    \
		b += a;                                                                            \
		a -= c;                                                                            \
		a ^= rol(c, 16);                                                                   \
		c += b;                                                                            \
		b -= a;                                                                            \
		b ^= rol(a, 19);                                                                   \
		a += c;                                                                            \
		c -= b;                                                                            \
		c ^= rol(b, 4);                                                                    \
		b += a;                                                                            \
	} while (0)

#define FINAL(a, b, c)                                                                             \
	do {                                                                                       \
		c ^= b;                                                                            \
		c -= rol(b, 14);                                                                   \
		a ^= c;                                                                            \
		a -= rol(c, 11);                                                                   \
		b ^= a;                                                                            \
		b -= rol(a, 25);                                                                   \
		c ^= b;                                                                            \
		c -= rol(b, 16);                                                                   \
		a ^= c;                                                                            \
		a -= rol(c, 4);                                                                    \
		b ^= a;                                                                            \
		b -= rol(a, 14);                                                                   \
		c ^= b;                                                                            \
		c -= rol(b, 24);                                                                   \
	} while (0)

static uint32_t word(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	return w;
}

/* Over n 32-bit words. */
static uint32_t hash_words(const uint8_t *k, uint32_t n, uint32_t seed)
{
	uint32_t a, b, c;

	a = b = c = INITVAL + (n << 2) + seed;
	while (n > 3) {
		a += word(k);
		b += word(k + 4);
		c += word(k + 8);
		MIX(a, b, c);
		n -= 3;
		k += 12;
	}
	switch (n) {
	case 3:
		c += word(k + 8);
		/* fall through */
	case 2:
		b += word(k + 4);
		/* fall through */
	case 1:
		a += word(k);
		FINAL(a, b, c);
		break;
	default:
		break;
	}
	return c;
}

/* Over len bytes. */
static uint32_t hash_bytes(const uint8_t *k, uint32_t len, uint32_t seed)
{
	uint32_t a, b, c;

	a = b = c = INITVAL + len + seed;
	while (len > 12) {
		a += word(k);
		b += word(k + 4);
		c += word(k + 8);
		MIX(a, b, c);
		len -= 12;
		k += 12;
	}
	switch (len) {
	case 12:
		c += (uint32_t)k[11] << 24;
		/* fall through */
	case 11:
		c += (uint32_t)k[10] << 16;
		/* fall through */
	case 10:
		c += (uint32_t)k[9] << 8;
		/* fall through */
	case 9:
		c += k[8];
		/* fall through */
	case 8:
		b += (uint32_t)k[7] << 24;
		/* fall through */
	case 7:
		b += (uint32_t)k[6] << 16;
		/* fall through */
	case 6:
		b += (uint32_t)k[5] << 8;
		/* fall through */
	case 5:
		b += k[4];
		/* fall through */
	case 4:
		a += (uint32_t)k[3] << 24;
		/* fall through */
	case 3:
		a += (uint32_t)k[2] << 16;
		/* fall through */
	case 2:
		a += (uint32_t)k[1] << 8;
		/* fall through */
	case 1:
		a += k[0];
		FINAL(a, b, c);
		break;
	default:
		break;
	}
	return c;
}

uint32_t bk_jhash(const void *key, uint32_t len, uint32_t seed)
{
	if (len % 4 == 0)
		return hash_words(key, len / 4, seed);
	return hash_bytes(key, len, seed);
}
