// SPDX-License-Identifier: MIT
/*
 * The same random sequences of map commands on a kernel map (bpf()
 * through libbpf) and on a libvm map of the same type and attributes must
 * give the same results: return codes (errno), values, keys in the same
 * order (hash maps with BPF_F_ZERO_SEED share the hash), batch counts,
 * tokens and contents.  Types: array, percpu array, hash (two key and
 * value shapes), LRU hash, LPM trie (random nested prefixes: longest
 * matches, the post-order of get_next_key, the full map), prog array
 * (values are programs: kernel fds vs
 * libvm ids, compared by which program), ring buffer (the commands, and
 * the records a program writes until the ring is full).
 *
 * Needs root; skips otherwise, and fails under CI=true.  The process is
 * pinned to CPU 0, where libvm's user-side commands act too.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vmtest.h"

enum {
	OPS = 4000,
	MAX_REPORT = 8,
	MAXV = 256
};

#define ROUND_UP(x, a) (((x) + (a) - 1) / (a) * (a))

static uint64_t rnd_state;

static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return n ? (uint32_t)(rnd_state % n) : 0;
}

static bool need_root(void)
{
	const char *ci = getenv("CI");
	cpu_set_t set;

	if (geteuid() != 0) {
		if (ci && !strcmp(ci, "true"))
			bk_test__fail(__FILE__, __LINE__,
				      "needs root; CI=true does not allow a skip");
		else
			printf("  skipped: needs root (kernel maps)\n");
		return false;
	}
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	return true;
}

struct pair {
	const char *what;
	int kfd;
	struct bk_vm *vm;
	struct bk_map *m;
	uint32_t type, ks, vs, n, flags;
	size_t uvs;		    /* user value size */
	uint8_t ktok[32], vtok[32]; /* resume tokens of batch lookups */
	bool has_tok;
	int mismatches;
	/* prog arrays: kernel fds / ids and libvm ids of the same programs */
	int pfd[4];
	uint32_t pkid[4], pvid[4];
};

static void mismatch(struct pair *p, int op, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void mismatch(struct pair *p, int op, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (p->mismatches++ >= MAX_REPORT)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bk_test__fail(__FILE__, __LINE__, "%s, op %d: %s", p->what, op, msg);
}

static int kerr(int r)
{
	return r < 0 ? -errno : r;
}

static bool setup(struct pair *p, const char *what, uint32_t type, uint32_t ks, uint32_t vs,
		  uint32_t n, uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	struct bk_vm_opts vo = {.sz = sizeof(vo), .seed = 42};
	struct bk_map_attr a = {.type = type,
				.key_size = ks,
				.value_size = vs,
				.max_entries = n,
				.flags = flags,
				.name = "cmp"};

	memset(p, 0, sizeof(*p));
	p->what = what;
	p->type = type;
	p->ks = ks;
	p->vs = vs;
	p->n = n;
	p->flags = flags;
	p->kfd = bpf_map_create(type, "cmp", ks, vs, n, &o);
	if (p->kfd < 0) {
		bk_test__fail(__FILE__, __LINE__, "%s: kernel map: %s", what, strerror(errno));
		return false;
	}
	if (bk_vm__new(&vo, &p->vm) || bk_map__new(p->vm, &a, &p->m, NULL)) {
		bk_test__fail(__FILE__, __LINE__, "%s: libvm map refused", what);
		return false;
	}
	p->uvs = bk_map__user_value_size(p->m);
	if (type == BPF_MAP_TYPE_PERCPU_ARRAY &&
	    p->uvs != ROUND_UP(vs, 8) * (size_t)libbpf_num_possible_cpus())
		bk_test__fail(__FILE__, __LINE__, "per-CPU value size %zu", p->uvs);
	return true;
}

static void teardown(struct pair *p)
{
	for (int i = 0; i < 4; i++)
		if (p->pfd[i] > 0)
			close(p->pfd[i]);
	if (p->kfd >= 0)
		close(p->kfd);
	bk_vm__free(p->vm);
}

static void rand_key(struct pair *p, uint8_t *k)
{
	uint32_t range = p->type == BPF_MAP_TYPE_HASH || p->type == BPF_MAP_TYPE_LRU_HASH
				 ? 2 * p->n + 2
				 : p->n + 2;
	uint32_t i = rnd(range);

	if (p->type == BPF_MAP_TYPE_LPM_TRIE) {
		/* prefix lengths up to 2 past the data; few distinct bytes, so
		 * prefixes nest and part often */
		uint32_t len = rnd((p->ks - 4) * 8 + 3);

		memcpy(k, &len, 4);
		for (uint32_t b = 4; b < p->ks; b++)
			k[b] = (uint8_t)(rnd(3) * 0x41 + (rnd(8) ? 0 : rnd(256)));
		return;
	}
	memset(k, 0, p->ks);
	memcpy(k, &i, p->ks < 4 ? p->ks : 4);
	if (p->ks > 4)
		k[4] = (uint8_t)(i % 3); /* more distinct keys per index */
}

/* A value for both sides: random bytes, or program i for prog arrays. */
static void rand_value(struct pair *p, uint8_t *kv, uint8_t *vv)
{
	if (p->type == BPF_MAP_TYPE_PROG_ARRAY) {
		uint32_t i = rnd(5), kfd = i < 4 ? (uint32_t)p->pfd[i] : UINT32_MAX;
		uint32_t vid = i < 4 ? p->pvid[i] : UINT32_MAX;

		memcpy(kv, &kfd, 4);
		memcpy(vv, &vid, 4);
		return;
	}
	for (size_t i = 0; i < p->uvs; i++)
		kv[i] = vv[i] = (uint8_t)rnd(256);
}

/* Values read back: prog arrays map ids to the program's index. */
static bool same_value(struct pair *p, const uint8_t *kv, const uint8_t *vv)
{
	uint32_t a, b;
	int ia = -1, ib = -1;

	if (p->type != BPF_MAP_TYPE_PROG_ARRAY)
		return !memcmp(kv, vv, p->uvs);
	memcpy(&a, kv, 4);
	memcpy(&b, vv, 4);
	for (int i = 0; i < 4; i++) {
		if (p->pkid[i] == a)
			ia = i;
		if (p->pvid[i] == b)
			ib = i;
	}
	return ia == ib && ia >= 0;
}

static const uint64_t update_flags[] = {BPF_ANY, BPF_ANY, BPF_NOEXIST, BPF_EXIST, 7, BPF_F_LOCK};

static void op_single(struct pair *p, int op, int which)
{
	uint8_t k[32], kv[MAXV], vv[MAXV], kn[32], vn[32];
	uint64_t fl;
	int a, b;

	rand_key(p, k);
	memset(kv, 0xaa, sizeof(kv));
	memset(vv, 0xaa, sizeof(vv));
	switch (which) {
	case 0: /* lookup */
		fl = rnd(10) ? 0 : BPF_F_LOCK;
		a = kerr(bpf_map_lookup_elem_flags(p->kfd, k, kv, fl));
		b = bk_map__lookup(p->m, k, vv, fl);
		if (a != b)
			mismatch(p, op, "lookup: kernel %d, libvm %d", a, b);
		else if (!a && !same_value(p, kv, vv))
			mismatch(p, op, "lookup: values differ");
		break;
	case 1: /* update */
		rand_value(p, kv, vv);
		fl = update_flags[rnd(ARRAY_LEN(update_flags))];
		a = kerr(bpf_map_update_elem(p->kfd, k, kv, fl));
		b = bk_map__update(p->m, k, vv, fl);
		if (a != b)
			mismatch(p, op, "update flags %#llx: kernel %d, libvm %d",
				 (unsigned long long)fl, a, b);
		break;
	case 2: /* delete */
		a = kerr(bpf_map_delete_elem(p->kfd, k));
		b = bk_map__delete(p->m, k);
		if (a != b)
			mismatch(p, op, "delete: kernel %d, libvm %d", a, b);
		break;
	case 3: /* get_next_key, from NULL at times */
		memset(kn, 0x55, sizeof(kn));
		memset(vn, 0x55, sizeof(vn));
		fl = rnd(4);
		a = kerr(bpf_map_get_next_key(p->kfd, fl ? k : NULL, kn));
		b = bk_map__get_next_key(p->m, fl ? k : NULL, vn);
		if (a != b)
			mismatch(p, op, "get_next_key: kernel %d, libvm %d", a, b);
		else if (!a && memcmp(kn, vn, p->ks))
			mismatch(p, op, "get_next_key: keys differ");
		break;
	default: /* lookup_and_delete */
		a = kerr(bpf_map_lookup_and_delete_elem(p->kfd, k, kv));
		b = bk_map__lookup_and_delete(p->m, k, vv, 0);
		if (a != b)
			mismatch(p, op, "lookup_and_delete: kernel %d, libvm %d", a, b);
		else if (!a && !same_value(p, kv, vv))
			mismatch(p, op, "lookup_and_delete: values differ");
	}
}

static const uint32_t batch_counts[] = {0, 1, 2, 3, 5, 8, 16, 64};

static void op_lookup_batch(struct pair *p, int op, bool del)
{
	static uint8_t kk[64 * 32], vk[64 * 32], kvals[64 * MAXV], vvals[64 * MAXV];
	uint32_t cnt = batch_counts[rnd(ARRAY_LEN(batch_counts))], ck = cnt, cv = cnt;
	uint8_t kout[32], vout[32];
	bool resume = p->has_tok && rnd(4);
	struct bk_map_batch b = {.in_batch = resume ? p->vtok : NULL,
				 .out_batch = vout,
				 .keys = vk,
				 .values = vvals};
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	int ra, rb;

	if (!rnd(20))
		o.flags = b.flags = 1;
	memset(kout, 0x77, sizeof(kout));
	memset(vout, 0x77, sizeof(vout));
	if (del)
		ra = kerr(bpf_map_lookup_and_delete_batch(p->kfd, resume ? p->ktok : NULL, kout, kk,
							  kvals, &ck, &o));
	else
		ra = kerr(bpf_map_lookup_batch(p->kfd, resume ? p->ktok : NULL, kout, kk, kvals,
					       &ck, &o));
	b.count = cv;
	rb = del ? bk_map__lookup_and_delete_batch(p->m, &b) : bk_map__lookup_batch(p->m, &b);
	cv = b.count;
	if (ra != rb || ck != cv) {
		mismatch(p, op, "%s batch of %u: kernel %d count %u, libvm %d count %u",
			 del ? "lookup_and_delete" : "lookup", cnt, ra, ck, rb, cv);
		return;
	}
	if (ra && ra != -ENOENT && ra != -ENOSPC) {
		p->has_tok = false;
		return; /* refused before starting: nothing written */
	}
	if (memcmp(kk, vk, (size_t)ck * p->ks))
		mismatch(p, op, "batch keys differ");
	for (uint32_t i = 0; i < ck; i++)
		if (!same_value(p, kvals + i * p->uvs, vvals + i * p->uvs))
			mismatch(p, op, "batch value %u differs", i);
	if (memcmp(kout, vout, bk_map__batch_token_size(p->m)))
		mismatch(p, op, "batch tokens differ");
	if (ra == 0 || (ra == -ENOENT && ck)) {
		memcpy(p->ktok, kout, sizeof(kout));
		memcpy(p->vtok, vout, sizeof(vout));
		p->has_tok = ra == 0;
	} else {
		p->has_tok = false;
	}
}

static void op_change_batch(struct pair *p, int op, bool del)
{
	static uint8_t keys[16 * 32], kvals[16 * MAXV], vvals[16 * MAXV];
	uint32_t n = rnd(6), ck = n;
	struct bk_map_batch b = {.keys = keys, .values = vvals, .count = n};
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	int ra, rb;

	for (uint32_t i = 0; i < n; i++) {
		rand_key(p, keys + i * p->ks);
		rand_value(p, kvals + i * p->uvs, vvals + i * p->uvs);
	}
	if (!rnd(10))
		o.elem_flags = b.elem_flags = BPF_NOEXIST;
	if (del) {
		ra = kerr(bpf_map_delete_batch(p->kfd, keys, &ck, &o));
		rb = bk_map__delete_batch(p->m, &b);
	} else {
		ra = kerr(bpf_map_update_batch(p->kfd, keys, kvals, &ck, &o));
		rb = bk_map__update_batch(p->m, &b);
	}
	if (ra != rb || ck != b.count)
		mismatch(p, op, "%s batch of %u: kernel %d count %u, libvm %d count %u",
			 del ? "delete" : "update", n, ra, ck, rb, b.count);
}

/* The whole map, walked by get_next_key on both sides, must match. */
static void compare_all(struct pair *p, int op)
{
	uint8_t kk[32], vk[32], kv[MAXV], vv[MAXV];
	int a, b, n = 0;

	a = kerr(bpf_map_get_next_key(p->kfd, NULL, kk));
	b = bk_map__get_next_key(p->m, NULL, vk);
	while (a == b && !a && n++ < 100000) {
		if (memcmp(kk, vk, p->ks)) {
			mismatch(p, op, "walk: key %d differs", n);
			return;
		}
		a = kerr(bpf_map_lookup_elem(p->kfd, kk, kv));
		b = bk_map__lookup(p->m, vk, vv, 0);
		if (a != b || (!a && !same_value(p, kv, vv)))
			mismatch(p, op, "walk: element %d differs (%d, %d)", n, a, b);
		a = kerr(bpf_map_get_next_key(p->kfd, kk, kk));
		b = bk_map__get_next_key(p->m, vk, vk);
	}
	if (a != b)
		mismatch(p, op, "walk: after %d keys kernel %d, libvm %d", n, a, b);
}

static void run_ops(struct pair *p, int ops)
{
	for (int op = 0; op < ops && p->mismatches < MAX_REPORT; op++) {
		uint32_t r = rnd(100);

		if (r < 60)
			op_single(p, op, (int)rnd(5));
		else if (r < 75)
			op_lookup_batch(p, op, false);
		else if (r < 80)
			op_lookup_batch(p, op, true);
		else if (r < 92)
			op_change_batch(p, op, false);
		else if (r < 97)
			op_change_batch(p, op, true);
		else
			compare_all(p, op);
	}
	compare_all(p, ops);
	printf("  %-26s %d commands, %d mismatches\n", p->what, ops, p->mismatches);
}

static void compare_type(const char *what, uint32_t type, uint32_t ks, uint32_t vs, uint32_t n,
			 uint32_t flags, uint64_t seed)
{
	struct pair p;

	rnd_state = seed;
	if (setup(&p, what, type, ks, vs, n, flags))
		run_ops(&p, OPS);
	teardown(&p);
}

TEST(map_kernel_array)
{
	if (!need_root())
		return;
	compare_type("array", BPF_MAP_TYPE_ARRAY, 4, 12, 16, 0, 1);
	compare_type("array mmapable", BPF_MAP_TYPE_ARRAY, 4, 8, 7, BPF_F_MMAPABLE, 2);
	compare_type("percpu array", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 9, 0, 3);
	compare_type("array rdonly", BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY, 10);
}

TEST(map_kernel_hash)
{
	if (!need_root())
		return;
	compare_type("hash", BPF_MAP_TYPE_HASH, 4, 8, 16, BPF_F_ZERO_SEED, 4);
	compare_type("hash key 6 value 12", BPF_MAP_TYPE_HASH, 6, 12, 40, BPF_F_ZERO_SEED, 5);
	compare_type("hash no prealloc", BPF_MAP_TYPE_HASH, 8, 4, 8,
		     BPF_F_ZERO_SEED | BPF_F_NO_PREALLOC, 6);
	compare_type("hash wronly", BPF_MAP_TYPE_HASH, 4, 4, 8, BPF_F_ZERO_SEED | BPF_F_WRONLY, 11);
}

TEST(map_kernel_lru_hash)
{
	if (!need_root())
		return;
	compare_type("lru hash", BPF_MAP_TYPE_LRU_HASH, 4, 8, 32, BPF_F_ZERO_SEED, 7);
	compare_type("lru hash 300", BPF_MAP_TYPE_LRU_HASH, 4, 4, 300, BPF_F_ZERO_SEED, 8);
}

TEST(map_kernel_lpm_trie)
{
	if (!need_root())
		return;
	compare_type("lpm trie ipv4", BPF_MAP_TYPE_LPM_TRIE, 8, 4, 64, BPF_F_NO_PREALLOC, 12);
	compare_type("lpm trie 3 bytes full", BPF_MAP_TYPE_LPM_TRIE, 7, 12, 12, BPF_F_NO_PREALLOC,
		     13);
	compare_type("lpm trie ipv6", BPF_MAP_TYPE_LPM_TRIE, 20, 8, 200, BPF_F_NO_PREALLOC, 14);
}

/* Four trivial programs on each side for the prog array's values. */
static bool load_progs(struct pair *p)
{
	struct bk_insn insns[] = {BK_MOV64_IMM(0, 0), BK_EXIT()};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .type = BK_PROG_XDP};

	for (int i = 0; i < 4; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		struct bk_vm_prog *vp;

		insns[0].imm = i;
		p->pfd[i] = bpf_prog_load(BPF_PROG_TYPE_XDP, "t", "GPL", (void *)insns, 2, NULL);
		memset(&info, 0, sizeof(info));
		if (p->pfd[i] < 0 || bpf_obj_get_info_by_fd(p->pfd[i], &info, &len) ||
		    bk_vm_prog__load(p->vm, insns, 2, &po, &vp, NULL))
			return false;
		p->pkid[i] = info.id;
		p->pvid[i] = bk_vm_prog__id(vp);
	}
	return true;
}

TEST(map_kernel_prog_array)
{
	struct pair p;

	if (!need_root())
		return;
	rnd_state = 9;
	if (setup(&p, "prog array", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 6, 0) && load_progs(&p))
		run_ops(&p, OPS);
	else
		bk_test__fail(__FILE__, __LINE__, "prog array set-up failed");
	teardown(&p);
}

/* A program that writes records of 8..64 bytes until the ring is full;
 * returns how many fitted.  imm of the two map loads is patched. */
static struct bk_insn rb_prog[] = {
	BK_MOV64_IMM(6, 0),
	BK_MOV64_IMM(7, 0),
	BK_ST_MEM(DW, 10, -64, 0x1111),
	BK_ST_MEM(DW, 10, -56, 0x2222),
	BK_ST_MEM(DW, 10, -48, 0x3333),
	BK_ST_MEM(DW, 10, -40, 0x4444),
	BK_ST_MEM(DW, 10, -32, 0x5555),
	BK_ST_MEM(DW, 10, -24, 0x6666),
	BK_ST_MEM(DW, 10, -16, 0x7777),
	BK_ST_MEM(DW, 10, -8, 0x8888),
	/* loop: 10 */
	BK_LD_MAP_FD(1, 0),
	BK_MOV64_REG(2, 10),
	BK_ALU64_IMM(ADD, 2, -64),
	BK_MOV64_REG(3, 6),
	BK_ALU64_IMM(AND, 3, 7),
	BK_ALU64_IMM(ADD, 3, 1),
	BK_ALU64_IMM(LSH, 3, 3),
	BK_MOV64_IMM(4, 0),
	BK_CALL(BPF_FUNC_ringbuf_output),
	BK_JMP_IMM(JNE, 0, 0, 1),
	BK_ALU64_IMM(ADD, 7, 1),
	/* every third round: reserve 24 bytes and discard them */
	BK_MOV64_REG(3, 6),
	BK_ALU64_IMM(MOD, 3, 3),
	BK_JMP_IMM(JNE, 3, 0, 9),
	BK_LD_MAP_FD(1, 0),
	BK_MOV64_IMM(2, 24),
	BK_MOV64_IMM(3, 0),
	BK_CALL(BPF_FUNC_ringbuf_reserve),
	BK_JMP_IMM(JEQ, 0, 0, 3),
	BK_MOV64_REG(1, 0),
	BK_MOV64_IMM(2, 0),
	BK_CALL(BPF_FUNC_ringbuf_discard),
	BK_ALU64_IMM(ADD, 6, 1),
	BK_JMP_IMM(JLT, 6, 200, -26),
	BK_MOV64_REG(0, 7),
	BK_EXIT(),
};

struct records {
	int n;
	size_t total;
	uint32_t lens[256];
	uint64_t sum;
};

static int on_record(void *ctx, void *data, size_t len)
{
	struct records *r = ctx;

	if (r->n < 256)
		r->lens[r->n] = (uint32_t)len;
	r->n++;
	r->total += len;
	for (size_t i = 0; i < len; i++)
		r->sum = r->sum * 31 + ((uint8_t *)data)[i];
	return 0;
}

static int on_vm_record(void *ctx, const void *data, size_t len)
{
	return on_record(ctx, (void *)data, len);
}

TEST(map_kernel_ringbuf)
{
	struct records kr = {0}, vr = {0};
	struct ring_buffer *ring = NULL;
	struct bk_insn prog[ARRAY_LEN(rb_prog)];
	uint8_t pkt[64] = {0};
	uint32_t k = 0, v = 0;
	struct pair p;
	struct vt t;
	int fd, e;

	if (!need_root())
		return;
	REQUIRE(setup(&p, "ringbuf", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0));
	/* the commands user space may not use */
	CHECK_EQ(kerr(bpf_map_lookup_elem(p.kfd, &k, &v)), bk_map__lookup(p.m, &k, &v, 0));
	CHECK_EQ(kerr(bpf_map_update_elem(p.kfd, &k, &v, 0)), bk_map__update(p.m, &k, &v, 0));
	CHECK_EQ(kerr(bpf_map_delete_elem(p.kfd, &k)), bk_map__delete(p.m, &k));
	CHECK_EQ(kerr(bpf_map_get_next_key(p.kfd, NULL, &k)), bk_map__get_next_key(p.m, NULL, &k));
	/* records until the ring is full, in the kernel (XDP test run) */
	memcpy(prog, rb_prog, sizeof(prog));
	prog[10].imm = prog[25].imm = p.kfd;
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "rb", "GPL", (void *)prog, ARRAY_LEN(prog), NULL);
	REQUIRE(fd >= 0);
	{
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));

		REQUIRE_EQ(bpf_prog_test_run_opts(fd, &o), 0);
		ring = ring_buffer__new(p.kfd, on_record, &kr, NULL);
		REQUIRE(ring != NULL);
		ring_buffer__consume(ring);
		ring_buffer__free(ring);
		close(fd);
		/* and in libvm */
		prog[10].imm = prog[25].imm = (int32_t)bk_map__id(p.m);
		memset(&t, 0, sizeof(t));
		t.vm = p.vm;
		REQUIRE_EQ(vt_load(&t, prog, ARRAY_LEN(prog), NULL), 0);
		e = vt_exec(&t, BK_VM_CHECKED, pkt, sizeof(pkt));
		CHECK_EQ(e, 0);
		CHECK_EQ(t.r0, o.retval);
		CHECK_EQ(bk_map__ringbuf_consume(p.m, on_vm_record, &vr), kr.n);
		bk_vm_run__free(t.run);
	}
	CHECK_EQ(vr.n, kr.n);
	CHECK_EQ(vr.total, kr.total);
	CHECK_EQ(vr.sum, kr.sum);
	CHECK_MEM(vr.lens, kr.lens, sizeof(kr.lens));
	printf("  %-26s %d records (%zu bytes) until full, same in both\n", "ringbuf", kr.n,
	       kr.total);
	teardown(&p);
}
