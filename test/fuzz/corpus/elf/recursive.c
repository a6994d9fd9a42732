// SPDX-License-Identifier: MIT
/*
 * recursive.c - a subprogram that calls itself: valid ELF, refused by the
 * linker (BK_E_LINK) as the kernel refuses recursion.  Its object is kept
 * in test/malformed/elf/recursive.elf.
 * Rebuild: clang-19 -target bpf -mcpu=v4 -O2 -g -c recursive.c \
 *          -o ../../../malformed/elf/recursive.elf -I/usr/include/x86_64-linux-gnu
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline int fib(int n)
{
	return n <= 1 ? n : fib(n - 1) + fib(n - 2);
}

SEC("raw") int prog(void *ctx)
{
	return fib((int)(long)ctx & 7);
}

char LICENSE[] SEC("license") = "GPL";
