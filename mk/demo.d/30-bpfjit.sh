#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Demo: bpfjit runs bytecode on memory in the interpreter and as native
# code, the samples' XDP filter on a packet and on a pcap (with a blocked
# address and its counters), shows a checked fault naming the instruction,
# and acts as the conformance suite's runner.
set -euo pipefail
echo "== bpfjit: running programs in user space (libjit's native code, libvm's interpreter)"
tmp=$(mktemp -d /tmp/bk-demo-jit.XXXXXX)
trap 'cd /; rm -rf "$tmp"' EXIT
show() {
	echo "\$ $*"
	"$@"
}

cd "$tmp"
cat >sum.s <<'EOF'
	r0 = 0                  # sum the r2 bytes at r1
	r3 = 0
loop:
	if r3 >= r2 goto out
	r4 = r1
	r4 += r3
	r5 = *(u8 *)(r4 + 0)
	r0 += r5
	r3 += 1
	goto loop
out:
	exit
EOF
show bpfas --raw sum.s -o sum.bin
show bpfjit run --raw sum.bin --mem "01 02 03 04 05"
show bpfjit run --raw sum.bin --mem "01 02 03 04 05" --interp
echo "# a verified program may run without per-access checks, in either engine:"
show bpfjit run --raw sum.bin --mem "01 02 03 04 05" --trusted --interp --repeat 1000000
show bpfjit run --raw sum.bin --mem "01 02 03 04 05" --trusted --repeat 1000000

echo "# checked mode stops a program that reads past its memory, naming the instruction:"
printf 'r0 = *(u64 *)(r1 + 2)\nexit\n' >oob.s
bpfas --raw oob.s -o oob.bin
show bpfjit run --raw oob.bin --mem "01 02 03 04" --interp || true

echo "# the conformance suite's runner protocol: bytecode in hex on stdin, memory in argv:"
echo "\$ od -An -tx1 sum.bin | bpfjit plugin --interp 0a 0b"
od -An -v -tx1 sum.bin | bpfjit plugin --interp 0a 0b

sample=$BK_BUILD/samples/xdp_filter.bpf.o
if [ -e "$sample" ]; then
	pkt="02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 28 00 00 00 00 40 06 00 00 0a 00 00 02 0a 00 00 01 30 39 00 50 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	echo "# the samples' XDP filter on one TCP packet from 10.0.0.2, then with 10.0.0.2 blocked:"
	show bpfjit run "$sample" --mem "$pkt"
	show bpfjit run "$sample" --mem "$pkt" --map-update blocklist=0a000002=0000000000000000 --dump-maps
	if ktest=$(ls "$BK_BUILD"/bench/vm/bk-ktest 2>/dev/null) ||
		gcc -O2 -o bk-ktest "$BK_SRC/test/bench/vm/bk-ktest.c" -lbpf -lpcap 2>/dev/null; then
		ktest=${ktest:-./bk-ktest}
		"$ktest" gen-pcap trace.pcap 1000 >/dev/null
		echo "# and over a 1000-packet capture:"
		show bpfjit run "$sample" --pcap trace.pcap --trusted \
			--map-update blocklist=0a000002=0000000000000000
	fi
fi
