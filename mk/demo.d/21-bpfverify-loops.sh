#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Demo: bpfverify on loops and its explanations: the loop samples (bpf_loop
# and an open-coded iterator) accepted with the kernel's instruction counts,
# a loop whose bound comes from a map value (the hint names the loop and its
# back edge), an iterator never destroyed, the path with --explain, SARIF
# for code scanning, and the control-flow graph in DOT.
set -uo pipefail
echo "== bpfverify: loops, iterators and explanations"
tmp=$(mktemp -d /tmp/bk-demo-loops.XXXXXX)
trap 'cd /; rm -rf "$tmp"' EXIT
show() {
	echo "\$ $*"
	"$@"
	echo "(exit $?)"
}

show bpfverify "$BK_BUILD"/samples/loop.bpf.o "$BK_BUILD"/samples/iter.bpf.o
cat >"$tmp/loops.c" <<'C_EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cfg SEC(".maps");

struct bpf_iter_num { __u64 __opaque[1]; } __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __attribute__((section(".ksyms")));
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __attribute__((section(".ksyms")));
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __attribute__((section(".ksyms")));

SEC("xdp") int unbounded(struct xdp_md *ctx)
{
	__u32 k = 0, *n = bpf_map_lookup_elem(&cfg, &k), s = 0;

	if (!n)
		return XDP_PASS;
	for (__u32 i = 0; i < *n; i++)	/* the bound comes from the map */
		s += bpf_get_prandom_u32() & i;
	return s & 1;
}

SEC("xdp") int leaky(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	int *v, s = 0;

	bpf_iter_num_new(&it, 0, 10);
	while ((v = bpf_iter_num_next(&it)))
		s += *v;
	return s & 1;			/* bpf_iter_num_destroy forgotten */
}

char LICENSE[] SEC("license") = "GPL";
C_EOF
inc=/usr/include/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
clang-19 -target bpf -O2 -g -I"$inc" -c "$tmp/loops.c" -o "$tmp/loops.o" || exit 1
show bpfverify -q "$tmp/loops.o"
show bpfverify -q --explain -s leaky "$tmp/loops.o"
echo "\$ bpfverify --sarif - loops.o | jq -c '.runs[0].results[] | {ruleId, line: ...startLine}'"
{ bpfverify --sarif - "$tmp/loops.o" 2>/dev/null || true; } |
	jq -c '.runs[0].results[] | {ruleId, line: .locations[0].physicalLocation.region.startLine}'
echo "\$ bpfverify --cfg dot -s leaky loops.o | dot -Tsvg > leaky.svg"
{ bpfverify --cfg dot -s leaky "$tmp/loops.o" 2>/dev/null || true; } | dot -Tsvg >"$tmp/leaky.svg" &&
	echo "(an SVG of $(grep -c 'class="node"' "$tmp/leaky.svg") blocks, the failing path in red)"
if [ "$(id -u)" -eq 0 ]; then
	show bpfverify --kernel "$tmp/loops.o" "$BK_BUILD"/samples/loop.bpf.o
fi
