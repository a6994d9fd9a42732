#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Demo: bpfas assembles a small XDP program with a map, disassembles it in
# the kernel-log and ubpf syntaxes, shows an error, and round-trips a
# clang-built sample (bpfas -d | bpfas gives the same code bytes).
set -euo pipefail
echo "== bpfas: assembler and disassembler"
tmp=$(mktemp -d /tmp/bk-demo-as.XXXXXX)
trap 'cd /; rm -rf "$tmp"' EXIT
show() {
	echo "\$ $*"
	"$@"
}

cd "$tmp"
cat >count.s <<'EOF'
	.license "GPL"
	.map counters array key=4 value=8 entries=1
	.section xdp
	.globl count
count:
	r1 = 0
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = counters ll
	call bpf_map_lookup_elem        # r0 = &counters[0] or NULL
	if r0 == 0 goto out
	r1 = 1
	lock *(u64 *)(r0 + 0) += r1     # count the packet
out:
	r0 = 2                          # XDP_PASS
	exit
EOF
echo "\$ cat count.s"
cat count.s
show bpfas count.s -o count.o
show bpfas -d --syntax kernel count.o
show bpfas -d --syntax ubpf -s xdp count.o

echo "# errors point at the line and column:"
printf 'r0 = 1\nmov32 %%r1, 0x100000000\nexit\n' >bad.s
show bpfas bad.s -o bad.o || true

sample=$BK_BUILD/samples/xdp_filter.bpf.o
if [ -e "$sample" ]; then
	echo "# a clang-built sample, disassembled and assembled again:"
	show bpfas -d "$sample" -o filter.s
	head -20 filter.s
	echo "  ..."
	show bpfas filter.s -o filter.o
	llvm-objcopy-19 --dump-section xdp=a.bin "$sample"
	llvm-objcopy-19 --dump-section xdp=b.bin filter.o
	if cmp -s a.bin b.bin; then
		echo "round trip: section xdp has the same $(stat -c %s a.bin) bytes"
	else
		echo "round trip: section xdp DIFFERS"
		exit 1
	fi
fi
