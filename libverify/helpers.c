// SPDX-License-Identifier: MIT
/*
 * helpers.c - the kernel's helper functions as the verifier sees them:
 * argument and return types (the kernel's bpf_func_proto), which program
 * types may call them (measured on Linux 6.18 for xdp, sched_cls and
 * socket_filter), and the flags that matter to verification (direct
 * packet pointers accepted, packet pointers invalidated, GPL only).
 *
 * Helpers the kernel offers but whose prototype is not recorded here are
 * listed with proto = false: a call to one is refused as unsupported
 * rather than guessed.
 */
#include "helpers_int.h"

// clang-format off
static const struct vhelper helpers[] = {
/*	 id  name                      ret                    args                          flags   types        proto */
	{1, "bpf_map_lookup_elem", R_MAP_VALUE_OR_NULL, {A_MAP,A_KEY}, HF_PKT, PT_X|PT_C|PT_S, true},
	{2, "bpf_map_update_elem", R_INT, {A_MAP,A_KEY,A_VALUE,A_ANY}, HF_PKT, PT_X|PT_C|PT_S, true},
	{3, "bpf_map_delete_elem", R_INT, {A_MAP,A_KEY}, HF_PKT, PT_X|PT_C|PT_S, true},
	{5, "bpf_ktime_get_ns", R_INT, {0}, 0, PT_X|PT_C|PT_S, true},
	{6, "bpf_trace_printk", R_INT, {A_MEM_RO,A_SIZE}, HF_GPL, PT_X|PT_C|PT_S, true},
	{7, "bpf_get_prandom_u32", R_INT, {0}, 0, PT_X|PT_C|PT_S, true},
	{8, "bpf_get_smp_processor_id", R_INT, {0}, 0, PT_X|PT_C|PT_S, true},
	{9, "bpf_skb_store_bytes", R_INT, {A_CTX,A_ANY,A_MEM_RO,A_SIZE,A_ANY}, HF_PKTCHG, PT_C, true},
	{10, "bpf_l3_csum_replace", R_INT, {A_CTX,A_ANY,A_ANY,A_ANY,A_ANY}, HF_PKTCHG, PT_C, true},
	{11, "bpf_l4_csum_replace", R_INT, {A_CTX,A_ANY,A_ANY,A_ANY,A_ANY}, HF_PKTCHG, PT_C, true},
	{12, "bpf_tail_call", R_INT, {A_CTX,A_MAP,A_ANY}, 0, PT_X|PT_C|PT_S, true},
	{13, "bpf_clone_redirect", R_INT, {A_CTX,A_ANY,A_ANY}, 0, PT_C, true},
	{14, "bpf_get_current_pid_tgid", R_INT, {0}, 0, PT_X|PT_C|PT_S, true},
	{15, "bpf_get_current_uid_gid", R_INT, {0}, 0, PT_X|PT_C|PT_S, true},
	{16, "bpf_get_current_comm", R_INT, {A_UNINIT_MEM,A_SIZE}, 0, PT_X|PT_C|PT_S, true},
	{17, "bpf_get_cgroup_classid", R_INT, {0}, 0, PT_X|PT_C|PT_S, true},
	{18, "bpf_skb_vlan_push", R_INT, {A_CTX,A_ANY,A_ANY}, HF_PKTCHG, PT_C, true},
	{19, "bpf_skb_vlan_pop", R_INT, {A_CTX}, HF_PKTCHG, PT_C, true},
	{20, "bpf_skb_get_tunnel_key", R_INT, {0}, 0, PT_C, false},
	{21, "bpf_skb_set_tunnel_key", R_INT, {0}, 0, PT_C, false},
	{22, "bpf_perf_event_read", R_INT, {A_MAP,A_ANY}, HF_GPL, PT_X|PT_C|PT_S, true},
	{23, "bpf_redirect", R_INT, {A_ANY,A_ANY}, 0, PT_X|PT_C, true},
	{24, "bpf_get_route_realm", R_INT, {A_CTX}, 0, PT_C, true},
	{25, "bpf_perf_event_output", R_INT, {A_CTX,A_MAP,A_ANY,A_MEM_RO,A_SIZE_OR_ZERO}, HF_GPL, PT_X|PT_C|PT_S, true},
	{26, "bpf_skb_load_bytes", R_INT, {A_CTX,A_ANY,A_UNINIT_MEM,A_SIZE}, 0, PT_C|PT_S, true},
	{28, "bpf_csum_diff", R_INT, {A_MEM_RO_OR_NULL,A_SIZE_OR_ZERO,A_MEM_RO_OR_NULL,A_SIZE_OR_ZERO,A_ANY}, HF_PKT, PT_X|PT_C, true},
	{29, "bpf_skb_get_tunnel_opt", R_INT, {0}, 0, PT_C, false},
	{30, "bpf_skb_set_tunnel_opt", R_INT, {0}, 0, PT_C, false},
	{31, "bpf_skb_change_proto", R_INT, {A_CTX,A_ANY,A_ANY}, HF_PKTCHG, PT_C, true},
	{32, "bpf_skb_change_type", R_INT, {A_CTX,A_ANY}, 0, PT_C, true},
	{33, "bpf_skb_under_cgroup", R_INT, {0}, 0, PT_C, false},
	{34, "bpf_get_hash_recalc", R_INT, {A_CTX}, 0, PT_C, true},
	{35, "bpf_get_current_task", R_INT, {0}, HF_GPL, PT_X|PT_C|PT_S, true},
	{37, "bpf_current_task_under_cgroup", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{38, "bpf_skb_change_tail", R_INT, {A_CTX,A_ANY,A_ANY}, HF_PKTCHG, PT_C, true},
	{39, "bpf_skb_pull_data", R_INT, {A_CTX,A_ANY}, HF_PKTCHG, PT_C, true},
	{40, "bpf_csum_update", R_INT, {A_CTX,A_ANY}, 0, PT_C, true},
	{41, "bpf_set_hash_invalid", R_VOID, {A_CTX}, 0, PT_C, true},
	{42, "bpf_get_numa_node_id", R_INT, {0}, 0, PT_X|PT_C|PT_S, true},
	{43, "bpf_skb_change_head", R_INT, {A_CTX,A_ANY,A_ANY}, HF_PKTCHG, PT_C, true},
	{44, "bpf_xdp_adjust_head", R_INT, {A_CTX,A_ANY}, HF_PKTCHG, PT_X, true},
	{46, "bpf_get_socket_cookie", R_INT, {A_CTX}, 0, PT_C|PT_S, true},
	{47, "bpf_get_socket_uid", R_INT, {A_CTX}, 0, PT_C|PT_S, true},
	{48, "bpf_set_hash", R_INT, {A_CTX,A_ANY}, 0, PT_C, true},
	{50, "bpf_skb_adjust_room", R_INT, {A_CTX,A_ANY,A_ANY,A_ANY}, HF_PKTCHG, PT_C, true},
	{51, "bpf_redirect_map", R_INT, {A_MAP,A_ANY,A_ANY}, 0, PT_X, true},
	{54, "bpf_xdp_adjust_meta", R_INT, {A_CTX,A_ANY}, HF_PKTCHG, PT_X, true},
	{55, "bpf_perf_event_read_value", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{65, "bpf_xdp_adjust_tail", R_INT, {A_CTX,A_ANY}, HF_PKTCHG, PT_X, true},
	{66, "bpf_skb_get_xfrm_state", R_INT, {A_CTX, A_ANY, A_UNINIT_MEM, A_SIZE, A_ANY}, 0, PT_C, true},
	{68, "bpf_skb_load_bytes_relative", R_INT, {A_CTX,A_ANY,A_UNINIT_MEM,A_SIZE,A_ANY}, 0, PT_C|PT_S, true},
	{69, "bpf_fib_lookup", R_INT, {A_CTX, A_MEM_RW, A_SIZE, A_ANY}, 0, PT_X|PT_C, true},
	{79, "bpf_skb_cgroup_id", R_INT, {A_CTX}, 0, PT_C, true},
	{80, "bpf_get_current_cgroup_id", R_INT, {0}, 0, PT_X|PT_C|PT_S, true},
	{83, "bpf_skb_ancestor_cgroup_id", R_INT, {A_CTX, A_ANY}, 0, PT_C, true},
	{84, "bpf_sk_lookup_tcp", R_INT, {0}, 0, PT_X|PT_C, false},
	{85, "bpf_sk_lookup_udp", R_INT, {0}, 0, PT_X|PT_C, false},
	{86, "bpf_sk_release", R_INT, {0}, 0, PT_X|PT_C, false},
	{87, "bpf_map_push_elem", R_INT, {A_MAP,A_VALUE,A_ANY}, HF_PKT, PT_X|PT_C|PT_S, true},
	{88, "bpf_map_pop_elem", R_INT, {A_MAP,A_UNINIT_VALUE}, 0, PT_X|PT_C|PT_S, true},
	{89, "bpf_map_peek_elem", R_INT, {A_MAP,A_UNINIT_VALUE}, 0, PT_X|PT_C|PT_S, true},
	{93, "bpf_spin_lock", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{94, "bpf_spin_unlock", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{95, "bpf_sk_fullsock", R_INT, {0}, 0, PT_C, false},
	{96, "bpf_tcp_sock", R_INT, {0}, 0, PT_C, false},
	{97, "bpf_skb_ecn_set_ce", R_INT, {0}, 0, PT_C, false},
	{98, "bpf_get_listener_sock", R_INT, {0}, 0, PT_C, false},
	{99, "bpf_skc_lookup_tcp", R_INT, {0}, 0, PT_X|PT_C, false},
	{100, "bpf_tcp_check_syncookie", R_INT, {0}, 0, PT_X|PT_C, false},
	{105, "bpf_strtol", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{106, "bpf_strtoul", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{107, "bpf_sk_storage_get", R_INT, {0}, 0, PT_C, false},
	{108, "bpf_sk_storage_delete", R_INT, {0}, 0, PT_C, false},
	{109, "bpf_send_signal", R_INT, {A_ANY}, 0, PT_X|PT_C|PT_S, true},
	{110, "bpf_tcp_gen_syncookie", R_INT, {0}, 0, PT_X|PT_C, false},
	{112, "bpf_probe_read_user", R_INT, {A_UNINIT_MEM,A_SIZE_OR_ZERO,A_ANY}, HF_GPL, PT_X|PT_C|PT_S, true},
	{113, "bpf_probe_read_kernel", R_INT, {A_UNINIT_MEM,A_SIZE_OR_ZERO,A_ANY}, HF_GPL, PT_X|PT_C|PT_S, true},
	{114, "bpf_probe_read_user_str", R_INT, {A_UNINIT_MEM, A_SIZE_OR_ZERO, A_ANY}, HF_GPL, PT_X|PT_C|PT_S, true},
	{115, "bpf_probe_read_kernel_str", R_INT, {A_UNINIT_MEM, A_SIZE_OR_ZERO, A_ANY}, HF_GPL, PT_X|PT_C|PT_S, true},
	{117, "bpf_send_signal_thread", R_INT, {A_ANY}, 0, PT_X|PT_C|PT_S, true},
	{118, "bpf_jiffies64", R_INT, {0}, 0, PT_X|PT_C|PT_S, true},
	{120, "bpf_get_ns_current_pid_tgid", R_INT, {A_ANY, A_ANY, A_UNINIT_MEM, A_SIZE}, 0, PT_X|PT_C|PT_S, true},
	{122, "bpf_get_netns_cookie", R_INT, {0}, 0, PT_C|PT_S, false},
	{123, "bpf_get_current_ancestor_cgroup_id", R_INT, {A_ANY}, 0, PT_X|PT_C|PT_S, true},
	{124, "bpf_sk_assign", R_INT, {0}, 0, PT_C, false},
	{125, "bpf_ktime_get_boot_ns", R_INT, {0}, 0, PT_X|PT_C|PT_S, true},
	{130, "bpf_ringbuf_output", R_INT, {A_MAP,A_MEM_RO,A_SIZE_OR_ZERO,A_ANY}, 0, PT_X|PT_C|PT_S, true},
	{131, "bpf_ringbuf_reserve", R_RINGBUF_OR_NULL, {A_MAP,A_ALLOC_SIZE,A_ANY}, 0, PT_X|PT_C|PT_S, true},
	{132, "bpf_ringbuf_submit", R_VOID, {A_RINGBUF_REL,A_ANY}, 0, PT_X|PT_C|PT_S, true},
	{133, "bpf_ringbuf_discard", R_VOID, {A_RINGBUF_REL,A_ANY}, 0, PT_X|PT_C|PT_S, true},
	{134, "bpf_ringbuf_query", R_INT, {A_MAP,A_ANY}, 0, PT_X|PT_C|PT_S, true},
	{135, "bpf_csum_level", R_INT, {A_CTX, A_ANY}, 0, PT_C, true},
	{136, "bpf_skc_to_tcp6_sock", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{137, "bpf_skc_to_tcp_sock", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{138, "bpf_skc_to_tcp_timewait_sock", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{139, "bpf_skc_to_tcp_request_sock", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{140, "bpf_skc_to_udp6_sock", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{141, "bpf_get_task_stack", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{148, "bpf_copy_from_user", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{149, "bpf_snprintf_btf", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{151, "bpf_skb_cgroup_classid", R_INT, {A_CTX}, 0, PT_C, true},
	{152, "bpf_redirect_neigh", R_INT, {A_ANY, A_MEM_RO_OR_NULL, A_SIZE_OR_ZERO, A_ANY}, 0, PT_C, true},
	{153, "bpf_per_cpu_ptr", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{154, "bpf_this_cpu_ptr", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{155, "bpf_redirect_peer", R_INT, {A_ANY, A_ANY}, 0, PT_C, true},
	{156, "bpf_task_storage_get", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{157, "bpf_task_storage_delete", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{158, "bpf_get_current_task_btf", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{160, "bpf_ktime_get_coarse_ns", R_INT, {0}, 0, PT_X|PT_C|PT_S, true},
	{163, "bpf_check_mtu", R_INT, {A_CTX, A_ANY, A_INT, A_ANY, A_ANY}, 0, PT_X|PT_C, true},
	{164, "bpf_for_each_map_elem", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{165, "bpf_snprintf", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{169, "bpf_timer_init", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{170, "bpf_timer_set_callback", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{171, "bpf_timer_start", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{172, "bpf_timer_cancel", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{175, "bpf_task_pt_regs", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{176, "bpf_get_branch_snapshot", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{177, "bpf_trace_vprintk", R_INT, {A_MEM_RO, A_SIZE, A_MEM_RO_OR_NULL, A_SIZE_OR_ZERO}, HF_GPL, PT_X|PT_C|PT_S, true},
	{178, "bpf_skc_to_unix_sock", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{180, "bpf_find_vma", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{181, "bpf_loop", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{182, "bpf_strncmp", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{188, "bpf_xdp_get_buff_len", R_INT, {A_CTX}, 0, PT_X, true},
	{189, "bpf_xdp_load_bytes", R_INT, {A_CTX,A_ANY,A_UNINIT_MEM,A_SIZE}, 0, PT_X, true},
	{190, "bpf_xdp_store_bytes", R_INT, {A_CTX,A_ANY,A_MEM_RO,A_SIZE}, 0, PT_X, true},
	{191, "bpf_copy_from_user_task", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{192, "bpf_skb_set_tstamp", R_INT, {A_CTX, A_ANY, A_ANY}, 0, PT_C, true},
	{194, "bpf_kptr_xchg", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{195, "bpf_map_lookup_percpu_elem", R_MAP_VALUE_OR_NULL, {A_MAP,A_KEY,A_ANY}, HF_PKT, PT_X|PT_C|PT_S, true},
	{196, "bpf_skc_to_mptcp_sock", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{197, "bpf_dynptr_from_mem", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{198, "bpf_ringbuf_reserve_dynptr", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{199, "bpf_ringbuf_submit_dynptr", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{200, "bpf_ringbuf_discard_dynptr", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{201, "bpf_dynptr_read", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{202, "bpf_dynptr_write", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{203, "bpf_dynptr_data", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
	{204, "bpf_tcp_raw_gen_syncookie_ipv4", R_INT, {0}, 0, PT_X|PT_C, false},
	{205, "bpf_tcp_raw_gen_syncookie_ipv6", R_INT, {0}, 0, PT_X|PT_C, false},
	{206, "bpf_tcp_raw_check_syncookie_ipv4", R_INT, {0}, 0, PT_X|PT_C, false},
	{207, "bpf_tcp_raw_check_syncookie_ipv6", R_INT, {0}, 0, PT_X|PT_C, false},
	{208, "bpf_ktime_get_tai_ns", R_INT, {0}, 0, PT_X|PT_C|PT_S, true},
	{209, "bpf_user_ringbuf_drain", R_INT, {0}, 0, PT_X|PT_C|PT_S, false},
};
// clang-format on

const struct vhelper *vhelper_get(uint32_t id)
{
	size_t lo = 0, hi = sizeof(helpers) / sizeof(helpers[0]);

	if (id >= BK_HELPER_RING_BASE)
		return vring_helper_get(id);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (helpers[mid].id == id)
			return &helpers[mid];
		if (helpers[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool vhelper_allowed(const struct vhelper *h, enum bk_prog_type type)
{
	if (vring_helper_is_ring(h))
		return type == BK_PROG_IOURING; /* ring.c */
	switch (type) {
	case BK_PROG_XDP:
		return h->types & PT_X;
	case BK_PROG_SCHED_CLS:
	case BK_PROG_SCHED_ACT:
		return h->types & PT_C;
	case BK_PROG_SOCKET_FILTER:
		return h->types & PT_S;
	case BK_PROG_IOURING:
	case BK_PROG_RAW:
		/* bpfkit's own types: the helpers every kernel type has,
		 * none that needs a kernel context */
		if ((h->types & (PT_X | PT_C | PT_S)) != (PT_X | PT_C | PT_S))
			return false;
		for (int i = 0; i < 5; i++)
			if (h->args[i] == A_CTX)
				return false;
		return true;
	default:
		return false;
	}
}

const char *vhelper_name(uint32_t id)
{
	const struct vhelper *h = vhelper_get(id);

	return h ? h->name : "helper";
}
