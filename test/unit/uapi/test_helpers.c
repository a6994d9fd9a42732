// SPDX-License-Identifier: MIT
/* Unit tests of the helper and kfunc tables (libuapi/helpers.c). */
#include <linux/bpf.h>

#include "harness.h"
#include "uapi.h"

TEST(helpers_every_id_has_a_row)
{
	CHECK_EQ(bk_helper_max_id(), 211);
	CHECK(bk_helper_by_id(0) == NULL);
	CHECK(bk_helper_by_id(212) == NULL);
	CHECK(bk_helper_by_id(BK_HELPER_RING_BASE - 1) == NULL);
	for (uint32_t id = 1; id <= bk_helper_max_id(); id++) {
		const struct bk_helper *h = bk_helper_by_id(id);

		REQUIRE(h != NULL);
		CHECK_EQ(h->id, id);
		CHECK(!strncmp(h->name, "bpf_", 4));
		CHECK(bk_helper_by_name(h->name) == h);
		CHECK(bk_helper_by_name(h->name + 4) == h);
		CHECK(h->ret < BK_RET__COUNT);
		for (int a = 0; a < 5; a++)
			CHECK(h->args[a] < BK_ARG__COUNT);
	}
}

/* bpfkit's ring helpers: ids from BK_HELPER_RING_BASE with no gaps, found
 * by id and by name like the kernel's. */
TEST(helpers_ring_range)
{
	const struct bk_helper *h = bk_helper_by_id(BK_HELPER_RING_BASE);
	uint32_t id = BK_HELPER_RING_BASE;

	REQUIRE(h != NULL);
	CHECK_STR(h->name, "bpf_iouring_queue_sqe");
	CHECK_EQ(h->args[0], BK_ARG_PTR_TO_CTX);
	CHECK_EQ(h->args[1], BK_ARG_PTR_TO_MEM);
	CHECK_EQ(h->args[2], BK_ARG_CONST_SIZE);
	CHECK_EQ(bk_helper_by_name("iouring_reap_cqe")->args[2], BK_ARG_PTR_TO_UNINIT_MEM);
	CHECK_EQ(bk_helper_by_name("bpf_copy_to_user")->id, BK_HELPER_RING_BASE + 3);
	for (; (h = bk_helper_by_id(id)); id++) {
		CHECK_EQ(h->id, id);
		CHECK(h->proto_known);
		CHECK(bk_helper_by_name(h->name) == h);
	}
	CHECK(id > BK_HELPER_RING_BASE + 3);
	CHECK(bk_helper_by_id(id + 1) == NULL);
}

/* The ids agree with the kernel's uAPI header. */
TEST(helpers_ids_match_linux_bpf_h)
{
	CHECK_STR(bk_helper_by_id(BPF_FUNC_map_lookup_elem)->name, "bpf_map_lookup_elem");
	CHECK_STR(bk_helper_by_id(BPF_FUNC_tail_call)->name, "bpf_tail_call");
	CHECK_STR(bk_helper_by_id(BPF_FUNC_xdp_adjust_tail)->name, "bpf_xdp_adjust_tail");
	CHECK_STR(bk_helper_by_id(BPF_FUNC_ringbuf_reserve)->name, "bpf_ringbuf_reserve");
	CHECK_STR(bk_helper_by_id(BPF_FUNC_loop)->name, "bpf_loop");
	CHECK_STR(bk_helper_by_id(BPF_FUNC_user_ringbuf_drain)->name, "bpf_user_ringbuf_drain");
	CHECK_STR(bk_helper_by_id(211)->name, "bpf_cgrp_storage_delete");
	CHECK_EQ(bk_helper_by_name("bpf_ktime_get_ns")->id, BPF_FUNC_ktime_get_ns);
	CHECK(bk_helper_by_name("bpf_no_such_helper") == NULL);
	CHECK(bk_helper_by_name(NULL) == NULL);
}

TEST(helpers_prototypes)
{
	const struct bk_helper *h = bk_helper_by_name("map_lookup_elem");

	CHECK(h->proto_known);
	CHECK_EQ(h->ret, BK_RET_PTR_TO_MAP_VALUE_OR_NULL);
	CHECK_EQ(h->args[0], BK_ARG_CONST_MAP_PTR);
	CHECK_EQ(h->args[1], BK_ARG_PTR_TO_MAP_KEY);
	CHECK_EQ(h->args[2], BK_ARG_NONE);

	h = bk_helper_by_name("map_update_elem");
	CHECK_EQ(h->args[2], BK_ARG_PTR_TO_MAP_VALUE);
	CHECK_EQ(h->args[3], BK_ARG_ANYTHING);

	h = bk_helper_by_name("xdp_adjust_head");
	CHECK(h->flags & BK_HF_PKT_CHANGE);
	CHECK_EQ(h->args[0], BK_ARG_PTR_TO_CTX);

	h = bk_helper_by_name("trace_printk");
	CHECK(h->flags & BK_HF_GPL_ONLY);
	CHECK_EQ(h->args[1], BK_ARG_CONST_SIZE);

	h = bk_helper_by_name("loop");
	CHECK_EQ(h->args[1], BK_ARG_PTR_TO_FUNC);
	CHECK_EQ(h->args[2], BK_ARG_PTR_TO_STACK_OR_NULL);

	h = bk_helper_by_name("ringbuf_reserve");
	CHECK_EQ(h->ret, BK_RET_PTR_TO_MEM_OR_NULL);
	CHECK_EQ(h->args[1], BK_ARG_CONST_ALLOC_SIZE_OR_ZERO);
	CHECK_EQ(bk_helper_by_name("ringbuf_submit")->ret, BK_RET_VOID);
	CHECK_EQ(bk_helper_by_name("tail_call")->ret, BK_RET_VOID);
	CHECK_EQ(bk_helper_by_name("csum_diff")->args[0], BK_ARG_PTR_TO_MEM_OR_NULL);
	CHECK(!(bk_helper_by_name("redirect_map")->flags & BK_HF_PKT_CHANGE));

	/* A helper known by name only. */
	h = bk_helper_by_name("bpf_seq_printf");
	REQUIRE(h != NULL);
	CHECK(!h->proto_known);
}

/* The helpers DESIGN.md names for the VM all have prototypes. */
TEST(helpers_design_helpers_have_prototypes)
{
	static const char *const names[] = {
		"map_lookup_elem", "map_update_elem", "map_delete_elem", "ktime_get_ns",
		"get_prandom_u32", "trace_printk",    "tail_call",	 "loop",
		"xdp_adjust_head", "xdp_adjust_tail", "csum_diff",	 "ringbuf_output",
		"ringbuf_reserve", "ringbuf_submit",  "ringbuf_discard", "ringbuf_query",
		"copy_from_user",  "map_push_elem",   "map_pop_elem",	 "map_peek_elem",
		"spin_lock",	   "timer_init",      "snprintf",	 "strncmp",
	};

	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		const struct bk_helper *h = bk_helper_by_name(names[i]);

		if (!CHECK(h && h->proto_known))
			fprintf(stderr, "  missing prototype: %s\n", names[i]);
	}
}

TEST(kfuncs_iterators)
{
	const struct bk_kfunc *k = bk_kfunc_by_name("bpf_iter_num_new");

	REQUIRE(k != NULL);
	CHECK_EQ(k->flags, BK_KF_ITER_NEW);
	CHECK_EQ(k->iter_size, 8);
	CHECK_EQ(k->args[0], BK_ARG_PTR_TO_ITER);
	CHECK_EQ(k->args[1], BK_ARG_ANYTHING);

	k = bk_kfunc_by_name("bpf_iter_num_next");
	REQUIRE(k != NULL);
	CHECK_EQ(k->flags, BK_KF_ITER_NEXT | BK_KF_RET_NULL);
	CHECK_EQ(k->ret, BK_RET_PTR_TO_ITER_NEXT);

	k = bk_kfunc_by_name("bpf_iter_num_destroy");
	REQUIRE(k != NULL);
	CHECK_EQ(k->flags, BK_KF_ITER_DESTROY);
	CHECK_EQ(k->ret, BK_RET_VOID);
	CHECK(bk_kfunc_by_name("bpf_rcu_read_lock") != NULL);
	CHECK(bk_kfunc_by_name("bpf_no_such") == NULL);
	CHECK(bk_kfunc_by_name(NULL) == NULL);
}
