// SPDX-License-Identifier: MIT
/*
 * locks.bpf.c - bpf_spin_lock and bpf_timer in map values: the lock taken
 * and released on every path, of the same value (the kernel keys a lock by
 * the value pointer's id), nothing but static calls while it is held, no
 * exit with it held, the field at its BTF offset (top level, nested, in a
 * global data section), no direct loads or stores of it or of a timer, the
 * tracing types and socket filters refused any map with one; timers
 * initialised with their own map and given a static callback that is
 * verified on its own (r1 map, r2 key, r3 value) and must return 0.
 */
#include "corpus.h"

struct lval {
	__u64 cnt;
	struct bpf_spin_lock lock;
	__u64 sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct lval);
} lk_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct lval);
} lk_arr SEC(".maps");

static __always_inline struct lval *get(__u32 k)
{
	return bpf_map_lookup_elem(&lk_hash, &k);
}

SEC("tc") int lock_basic(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	v->sum += ctx->len;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") int lock_missing_unlock(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	return 0;
}

SEC("tc") int unlock_no_lock(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") int lock_helper_inside(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt = bpf_ktime_get_ns();
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") int lock_wrong_off(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	bpf_spin_lock((struct bpf_spin_lock *)&v->sum);
	bpf_spin_unlock((struct bpf_spin_lock *)&v->sum);
	return 0;
}

SEC("tc") int lock_no_field(struct __sk_buff *ctx)
{
	__u32 k = 0;
	struct val64 *v = bpf_map_lookup_elem(&arr, &k);

	if (!v)
		return 0;
	bpf_spin_lock((struct bpf_spin_lock *)v);
	bpf_spin_unlock((struct bpf_spin_lock *)v);
	return 0;
}

SEC("tc") int lock_direct_read(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	return *(volatile __u32 *)&v->lock;
}

SEC("tc") int lock_direct_write(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	*(volatile __u32 *)&v->lock = 0;
	return 0;
}

SEC("tc") int unlock_other(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark), *w = get(ctx->priority);

	if (!v || !w)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	bpf_spin_unlock(&w->lock);
	return 0;
}

SEC("tc") int lock_twice(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark), *w = get(ctx->priority);

	if (!v || !w)
		return 0;
	bpf_spin_lock(&v->lock);
	bpf_spin_lock(&w->lock);
	bpf_spin_unlock(&w->lock);
	bpf_spin_unlock(&v->lock);
	return 0;
}

static __noinline int bump(struct lval *v, __u32 n)
{
	v->sum += n;
	return 0;
}

SEC("tc") int lock_static_call(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	bump(v, ctx->len);
	bpf_spin_unlock(&v->lock);
	return 0;
}

__noinline int gbump(struct lval *v)
{
	if (v)
		v->sum++;
	return 0;
}

SEC("tc") int lock_global_call(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	gbump(v);
	bpf_spin_unlock(&v->lock);
	return 0;
}

static __noinline int locked_add(struct lval *v, __u32 n)
{
	bpf_spin_lock(&v->lock);
	v->sum += n;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") int lock_in_subprog(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	return locked_add(v, ctx->len);
}

static __noinline int take(struct lval *v)
{
	bpf_spin_lock(&v->lock);
	return 0;
}

SEC("tc") int lock_subprog_unlock_caller(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	take(v);
	v->cnt++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") int unlock_maybe_locked(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	if (ctx->len & 1)
		bpf_spin_lock(&v->lock);
	v->cnt++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") int lock_branches(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	if (ctx->len > 100)
		v->cnt++;
	else
		v->sum++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") int lock_unlock_branch(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	if (ctx->len > 100) {
		bpf_spin_unlock(&v->lock);
		return 1;
	}
	v->sum++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") int lock_array_const(struct __sk_buff *ctx)
{
	__u32 k = 1;
	struct lval *v = bpf_map_lookup_elem(&lk_arr, &k);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") int lock_var_off(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);
	__u32 i = ctx->len & 8;

	if (!v)
		return 0;
	bpf_spin_lock((void *)&v->lock + i);
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") int lock_stack(struct __sk_buff *ctx)
{
	struct lval v = {};

	bpf_spin_lock(&v.lock);
	bpf_spin_unlock(&v.lock);
	return 0;
}

SEC("tc") int lock_update_copy(struct __sk_buff *ctx)
{
	struct lval v = {.cnt = 1};
	__u32 k = ctx->mark;

	return bpf_map_update_elem(&lk_hash, &k, &v, BPF_F_LOCK);
}

SEC("tc") int lock_unlock_via_copy(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);
	struct lval *w;

	if (!v)
		return 0;
	w = v;
	bpf_spin_lock(&v->lock);
	w->cnt++;
	bpf_spin_unlock(&w->lock);
	return 0;
}

SEC("tc") int lock_tail_call_bad(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	if (ctx->len > 10)
		return 2;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("kprobe/do_unlinkat") int lock_kprobe(void *ctx)
{
	struct lval *v = get(1);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("socket") int lock_socket(struct __sk_buff *ctx)
{
	struct lval *v = get(1);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

SEC("tc") int lock_memcpy_helper(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	bpf_skb_load_bytes(ctx, 0, v, sizeof(*v));
	return 0;
}

SEC("tc") int lock_probe_read_part(struct __sk_buff *ctx)
{
	struct lval *v = get(ctx->mark);

	if (!v)
		return 0;
	bpf_skb_load_bytes(ctx, 0, v, 8);
	return 0;
}

/* ---- nested fields and global data ---- */
struct inner {
	__u32 a;
	struct bpf_spin_lock l;
};
struct nval {
	__u64 x;
	struct inner in;
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nval);
} nested SEC(".maps");

struct bpf_spin_lock glock SEC(".data.locks");
__u64 gcount SEC(".data.locks");

SEC("tc") int lock_nested(struct __sk_buff *ctx)
{
	__u32 k = 0;
	struct nval *v = bpf_map_lookup_elem(&nested, &k);

	if (!v)
		return 0;
	bpf_spin_lock(&v->in.l);
	v->x++;
	bpf_spin_unlock(&v->in.l);
	return 0;
}

SEC("tc") int lock_nested_direct(struct __sk_buff *ctx)
{
	__u32 k = 0;
	struct nval *v = bpf_map_lookup_elem(&nested, &k);

	if (!v)
		return 0;
	return *(volatile __u32 *)&v->in.l;
}

SEC("tc") int lock_global(struct __sk_buff *ctx)
{
	bpf_spin_lock(&glock);
	gcount++;
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("tc") int lock_global_twice_ids(struct __sk_buff *ctx)
{
	__u32 k = 0;
	struct nval *v = bpf_map_lookup_elem(&nested, &k);
	struct nval *w = bpf_map_lookup_elem(&nested, &k);

	if (!v || !w)
		return 0;
	bpf_spin_lock(&v->in.l);
	bpf_spin_unlock(&w->in.l);
	return 0;
}

SEC("tc") int lock_ld_abs(struct __sk_buff *ctx)
{
	__u64 v;

	bpf_spin_lock(&glock);
	asm volatile("r6 = %1; r0 = *(u8 *)skb[0]; %0 = r0"
		     : "=r"(v)
		     : "r"(ctx)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "r6");
	gcount += v;
	bpf_spin_unlock(&glock);
	return 0;
}

static int loop_cb(__u32 i, void *c)
{
	bpf_spin_lock(&glock);
	gcount++;
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("tc") int lock_in_loop_cb(struct __sk_buff *ctx)
{
	bpf_loop(4, loop_cb, 0, 0);
	return 0;
}

static __noinline int leave_locked(void)
{
	bpf_spin_lock(&glock);
	return 0;
}

SEC("tc") int lock_left_by_subprog(struct __sk_buff *ctx)
{
	leave_locked();
	return 0;
}

SEC("tc") int lock_global_return_after(struct __sk_buff *ctx)
{
	bpf_spin_lock(&glock);
	gcount++;
	bpf_spin_unlock(&glock);
	return bpf_get_prandom_u32() & 1;
}

/* ---- timers ---- */
struct tval {
	__u64 cnt;
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct tval);
} tm_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct tval);
} tm_arr SEC(".maps");

static int cb_ok(void *map, __u32 *key, struct tval *v)
{
	v->cnt++;
	return 0;
}

static int cb_ret1(void *map, __u32 *key, struct tval *v)
{
	return 1;
}

static int cb_key(void *map, __u32 *key, struct tval *v)
{
	return *key > 3 ? 0 : 0;
}

static int cb_rearm(void *map, __u32 *key, struct tval *v)
{
	bpf_timer_start(&v->t, 1000, 0);
	return 0;
}

static int cb_bad_read(void *map, __u32 *key, struct tval *v)
{
	if (*(volatile __u64 *)((char *)v + 24))
		v->cnt++;
	return 0;
}

static int cb_retvar(void *map, __u32 *key, struct tval *v)
{
	return v->cnt & 1;
}

#define TIMER_PROG(name, cb)                                                                   \
	SEC("tc") int name(struct __sk_buff *ctx)                                              \
	{                                                                                      \
		__u32 k = 0;                                                                   \
		struct tval *v = bpf_map_lookup_elem(&tm_arr, &k);                             \
		if (!v)                                                                        \
			return 0;                                                              \
		bpf_timer_init(&v->t, &tm_arr, 1);                                             \
		bpf_timer_set_callback(&v->t, cb);                                             \
		bpf_timer_start(&v->t, 1000, 0);                                               \
		return 0;                                                                      \
	}

TIMER_PROG(timer_cb, cb_ok)
TIMER_PROG(timer_cb_ret1, cb_ret1)
TIMER_PROG(timer_cb_key, cb_key)
TIMER_PROG(timer_cb_rearm, cb_rearm)
TIMER_PROG(timer_cb_bad_read, cb_bad_read)
TIMER_PROG(timer_cb_retvar, cb_retvar)

SEC("tc") int timer_hash(struct __sk_buff *ctx)
{
	__u32 k = ctx->mark;
	struct tval *v = bpf_map_lookup_elem(&tm_hash, &k);

	if (!v)
		return 0;
	bpf_timer_init(&v->t, &tm_hash, 1);
	bpf_timer_set_callback(&v->t, cb_ok);
	return bpf_timer_start(&v->t, 1000, 0);
}

SEC("tc") int timer_wrong_map(struct __sk_buff *ctx)
{
	__u32 k = ctx->mark;
	struct tval *v = bpf_map_lookup_elem(&tm_hash, &k);

	if (!v)
		return 0;
	return bpf_timer_init(&v->t, &tm_arr, 1);
}

SEC("tc") int timer_wrong_off(struct __sk_buff *ctx)
{
	__u32 k = ctx->mark;
	struct tval *v = bpf_map_lookup_elem(&tm_hash, &k);

	if (!v)
		return 0;
	return bpf_timer_set_callback((struct bpf_timer *)v, cb_ok);
}

SEC("tc") int timer_direct(struct __sk_buff *ctx)
{
	__u32 k = ctx->mark;
	struct tval *v = bpf_map_lookup_elem(&tm_hash, &k);

	if (!v)
		return 0;
	return *(volatile __u64 *)&v->t;
}

SEC("kprobe/do_unlinkat") int timer_kprobe(void *ctx)
{
	__u32 k = 0;
	struct tval *v = bpf_map_lookup_elem(&tm_arr, &k);

	if (!v)
		return 0;
	bpf_timer_init(&v->t, &tm_arr, 1);
	return 0;
}

SEC("tc") int timer_cb_not_func(struct __sk_buff *ctx)
{
	__u32 k = 0;
	struct tval *v = bpf_map_lookup_elem(&tm_arr, &k);

	if (!v)
		return 0;
	return bpf_timer_set_callback(&v->t, (void *)(long)ctx->mark);
}

/* ---- a session table: a lock and an expiry timer in one value ---- */
struct sess {
	struct bpf_spin_lock lock;
	__u32 pkts;
	__u64 last;
	struct bpf_timer t;
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct sess);
} sessions SEC(".maps");

static int expire(void *map, __u32 *key, struct sess *s)
{
	__u64 last;

	bpf_spin_lock(&s->lock);
	last = s->last;
	bpf_spin_unlock(&s->lock);
	if (bpf_ktime_get_ns() - last > 1000000000ULL)
		bpf_map_delete_elem(map, key);
	else
		bpf_timer_start(&s->t, 1000000000ULL, 0);
	return 0;
}

SEC("tc") int session_track(struct __sk_buff *ctx)
{
	__u32 k = ctx->mark;
	struct sess *s = bpf_map_lookup_elem(&sessions, &k), init = {};
	__u64 now;

	if (!s) {
		bpf_map_update_elem(&sessions, &k, &init, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&sessions, &k);
		if (!s)
			return 0;
		bpf_timer_init(&s->t, &sessions, 1);
		bpf_timer_set_callback(&s->t, expire);
		bpf_timer_start(&s->t, 1000000000ULL, 0);
	}
	now = bpf_ktime_get_ns();
	bpf_spin_lock(&s->lock);
	s->pkts++;
	s->last = now;
	bpf_spin_unlock(&s->lock);
	return 0;
}

