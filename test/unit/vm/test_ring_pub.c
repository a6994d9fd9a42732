// SPDX-License-Identifier: MIT
/* Unit tests of map publication (ring_shm.c, ring_srv.c): maps allocated
 * in shared memory, found by name, read live through a view, and changed
 * and read element by element and in batches over the control socket with
 * the syscall's errnos. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "vm.h"

struct pt {
	struct bk_vm_pub *pub;
	struct bk_vm *vm;
	struct bk_map *arr, *hash, *pcpu;
	char spec[64];
};

static struct bk_map *mk(struct pt *t, uint32_t type, uint32_t ks, uint32_t vs, uint32_t n,
			 const char *name)
{
	struct bk_map_attr a = {.type = type, .key_size = ks, .value_size = vs, .max_entries = n};
	struct bk_map *m = NULL;

	if (bk_map__new(t->vm, &a, &m, NULL) || bk_vm_pub__add_map(t->pub, m, name, NULL))
		return NULL;
	return m;
}

static int pt_init(struct pt *t)
{
	struct bk_vm_opts o = {.sz = sizeof(o), .ncpus = 2, .seed = 1};

	memset(t, 0, sizeof(*t));
	if (bk_vm_pub__new(NULL, &t->pub, NULL))
		return -1;
	o.alloc = bk_vm_pub__alloc(t->pub);
	if (bk_vm__new(&o, &t->vm))
		return -1;
	t->arr = mk(t, BPF_MAP_TYPE_ARRAY, 4, 12, 16, "arr");
	t->hash = mk(t, BPF_MAP_TYPE_HASH, 4, 8, 64, "hash");
	t->pcpu = mk(t, BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, "pcpu");
	if (!t->arr || !t->hash || !t->pcpu)
		return -1;
	return bk_vm_pub__serve(t->pub);
}

static void pt_fini(struct pt *t)
{
	bk_vm_pub__stop(t->pub);
	bk_vm__free(t->vm);
	bk_vm_pub__free(t->pub);
}

static struct bk_pub_map *open_map(const char *name)
{
	struct bk_pub_map *m = NULL;
	char spec[64];

	snprintf(spec, sizeof(spec), "%d:%s", getpid(), name);
	bk_pub_map__open(spec, &m, NULL);
	return m;
}

TEST(pub_array_view_is_live)
{
	struct bk_pub_map *m;
	const uint8_t *base;
	uint8_t v[12] = {1, 2, 3};
	uint32_t k = 5;
	size_t len;
	struct pt t;

	REQUIRE(pt_init(&t) == 0);
	m = open_map("arr");
	REQUIRE(m != NULL);
	CHECK_EQ(bk_pub_map__attr(m)->type, BPF_MAP_TYPE_ARRAY);
	CHECK_EQ(bk_pub_map__attr(m)->value_size, 12);
	CHECK_EQ(bk_pub_map__attr(m)->max_entries, 16);
	CHECK_EQ(bk_pub_map__pid(m), getpid());
	REQUIRE(bk_pub_map__view(m, (const void **)&base, &len) == 0);
	CHECK_EQ(len, 16 * 16); /* stride round_up(12, 8) */
	CHECK_EQ(base[5 * 16], 0);
	REQUIRE(bk_map__update(t.arr, &k, v, 0) == 0); /* the runtime writes */
	CHECK_MEM(base + 5 * 16, v, sizeof(v));	       /* the reader sees it */
	munmap((void *)base, len);
	bk_pub_map__close(m);
	m = open_map("hash");
	REQUIRE(m != NULL);
	CHECK_EQ(bk_pub_map__view(m, (const void **)&base, &len), -ENOTSUP);
	bk_pub_map__close(m);
	pt_fini(&t);
}

TEST(pub_elements_over_the_socket)
{
	struct bk_pub_map *m;
	uint64_t v = 0, w;
	uint32_t k, next;
	struct pt t;
	int n = 0;

	REQUIRE(pt_init(&t) == 0);
	m = open_map("hash");
	REQUIRE(m != NULL);
	k = 7;
	CHECK_EQ(bk_pub_map__lookup(m, &k, &v), -ENOENT);
	for (k = 1; k <= 3; k++) {
		v = k * 100;
		CHECK_EQ(bk_pub_map__update(m, &k, &v, BPF_NOEXIST), 0);
	}
	k = 2;
	CHECK_EQ(bk_pub_map__update(m, &k, &v, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(bk_map__lookup(t.hash, &k, &w, 0), 0); /* the runtime sees the update */
	CHECK_EQ(w, 200);
	CHECK_EQ(bk_pub_map__lookup(m, &k, &v), 0);
	CHECK_EQ(v, 200);
	for (int err = bk_pub_map__next_key(m, NULL, &next); !err;
	     k = next, err = bk_pub_map__next_key(m, &k, &next))
		n++;
	CHECK_EQ(n, 3);
	k = 1;
	CHECK_EQ(bk_pub_map__delete(m, &k), 0);
	CHECK_EQ(bk_pub_map__delete(m, &k), -ENOENT);
	bk_pub_map__close(m);
	pt_fini(&t);
}

TEST(pub_batches)
{
	uint32_t keys[64], in[64], tok[2];
	uint64_t vals[64], vin[64];
	struct bk_map_batch b = {0};
	struct bk_pub_map *m;
	struct pt t;

	REQUIRE(pt_init(&t) == 0);
	m = open_map("hash");
	REQUIRE(m != NULL);
	for (uint32_t i = 0; i < 10; i++) {
		in[i] = i + 1;
		vin[i] = (i + 1) * 3;
	}
	b.keys = in;
	b.values = vin;
	b.count = 10;
	CHECK_EQ(bk_pub_map__update_batch(m, &b), 0);
	CHECK_EQ(b.count, 10);
	CHECK_EQ(bk_map__count(t.hash), 10);
	memset(&b, 0, sizeof(b));
	REQUIRE(bk_pub_map__batch_token_size(m) <= sizeof(tok));
	b.keys = keys;
	b.values = vals;
	b.out_batch = tok;
	b.count = 64;
	CHECK_EQ(bk_pub_map__lookup_batch(m, &b), -ENOENT); /* all of it, and the end */
	CHECK_EQ(b.count, 10);
	for (uint32_t i = 0; i < b.count; i++)
		CHECK_EQ(vals[i], keys[i] * 3);
	bk_pub_map__close(m);
	m = open_map("pcpu"); /* per-CPU values: ncpus copies, 8 bytes apart */
	REQUIRE(m != NULL);
	CHECK_EQ(bk_pub_map__ncpus(m), 2);
	CHECK_EQ(bk_pub_map__value_size(m), 16);
	bk_pub_map__close(m);
	pt_fini(&t);
}

TEST(pub_open_errors)
{
	struct bk_pub_map *m = NULL;
	struct bk_diag d;
	char spec[64];
	struct pt t;

	REQUIRE(pt_init(&t) == 0);
	snprintf(spec, sizeof(spec), "%d:nosuch", getpid());
	CHECK_EQ(bk_pub_map__open(spec, &m, &d), -ENOENT);
	CHECK_EQ(bk_pub_map__open("bpfkit-no-such-map-anywhere", &m, &d), -ENOENT);
	CHECK_EQ(bk_pub_map__open("x:arr", &m, &d), -EINVAL);
	CHECK_EQ(bk_pub_map__open("", &m, &d), -EINVAL);
	CHECK_EQ(bk_vm_pub__add_map(t.pub, t.arr, "a/b", &d), -EINVAL);
	CHECK_EQ(bk_vm_pub__add_map(t.pub, t.arr, "arr", &d), -EEXIST);
	m = open_map("arr");
	REQUIRE(m != NULL);
	pt_fini(&t);
	/* the publisher is gone: requests fail, nothing hangs */
	uint32_t k = 0;
	uint8_t v[16];

	CHECK(bk_pub_map__lookup(m, &k, v) < 0);
	bk_pub_map__close(m);
	CHECK_EQ(bk_pub_map__open(spec, &m, &d), -ENOENT);
}

/* Garbage on the control socket closes that connection; the server goes
 * on answering others. */
TEST(pub_socket_garbage)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	uint32_t junk[8] = {1, 2, 3, 4, 5, 6, 7, 8}, k = 0;
	uint64_t big[4] = {0x42505542u | (1ull << 32), 9, 0, 0}; /* op 1 on map 9 */
	struct bk_pub_map *m;
	uint8_t v[16], c;
	struct pt t;
	int fd;

	REQUIRE(pt_init(&t) == 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl", bk_vm_pub__dir(t.pub));
	for (int round = 0; round < 2; round++) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		REQUIRE(fd >= 0);
		REQUIRE(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
		if (round == 0)
			CHECK(write(fd, junk, sizeof(junk)) == sizeof(junk)); /* bad magic */
		else
			CHECK(write(fd, big, sizeof(big)) == sizeof(big));
		CHECK_EQ(read(fd, &c, 1), 0); /* closed */
		close(fd);
	}
	m = open_map("arr");
	REQUIRE(m != NULL);
	CHECK_EQ(bk_pub_map__lookup(m, &k, v), 0);
	bk_pub_map__close(m);
	pt_fini(&t);
}
