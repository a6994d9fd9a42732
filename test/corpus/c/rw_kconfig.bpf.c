// SPDX-License-Identifier: MIT
/*
 * rw_kconfig.bpf.c - __kconfig externs, which libbpf fills in a frozen
 * read-only map before loading: the kernel sees their values as constants
 * and never walks the branches they rule out (here, a load through a
 * modified context pointer the kernel would refuse).  LINUX_KERNEL_VERSION
 * is this kernel's, CONFIG_HZ this kernel's configuration, an option the
 * configuration lacks (__weak) reads 0, LINUX_HAS_BPF_COOKIE is 1.
 */
#include "corpus.h"

#define KVER(a, b, c) (((a) << 16) + ((b) << 8) + (c))

extern int LINUX_KERNEL_VERSION __kconfig;
extern unsigned int CONFIG_HZ __kconfig;
extern _Bool CONFIG_RW_NO_SUCH_OPTION __kconfig __weak;
extern _Bool LINUX_HAS_BPF_COOKIE __kconfig;

unsigned char rw_buf[64];

SEC("xdp")
int kconfig_dead_branches(struct xdp_md *ctx)
{
	if (CONFIG_HZ == 12345)
		return rw_buf[ctx->rx_queue_index];
	if (LINUX_KERNEL_VERSION < KVER(5, 0, 0))
		return rw_buf[ctx->rx_queue_index];
	if (CONFIG_RW_NO_SUCH_OPTION)
		return rw_buf[ctx->rx_queue_index];
	if (!LINUX_HAS_BPF_COOKIE)
		return rw_buf[ctx->rx_queue_index];
	return XDP_PASS;
}

SEC("xdp")
int kconfig_live_branch(struct xdp_md *ctx)
{
	if (LINUX_KERNEL_VERSION >= KVER(5, 0, 0))
		return rw_buf[ctx->rx_queue_index];
	return XDP_PASS;
}
