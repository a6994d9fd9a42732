#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Demo: libjit's native code up close: a program's x86-64 next to its BPF
# instructions (bpfjit dump), the same code with constant blinding, and a
# chain of XDP programs called through the dispatcher.
set -euo pipefail
echo "== bpfjit: the x86-64 JIT (dump, --harden, dispatcher chains)"
tmp=$(mktemp -d /tmp/bk-demo-jit2.XXXXXX)
trap 'cd /; rm -rf "$tmp"' EXIT
show() {
	echo "\$ $*"
	"$@"
}

cd "$tmp"
cat >mix.s <<'EOF2'
	r0 = 0x12345678         # a constant the code would show
	r0 *= 31                # multiplications by constants become shifts
	r0 /= 8                 # and divisions by powers of two too
	r1 = 0
loop:
	r0 += r1
	r1 += 1
	if r1 < 10 goto loop    # loop heads are aligned
	exit
EOF2
show bpfas --raw mix.s -o mix.bin
show bpfjit dump --raw mix.bin --trusted
echo "# with --harden, immediates reach registers XORed with random keys:"
bpfjit dump --raw mix.bin --trusted --harden | sed -n '/^    0:/,/^    2:/p'
show bpfjit run --raw mix.bin --trusted --harden

cat >pass.s <<'EOF2'
	.section xdp
xdp_count:
	r0 = 2                  # XDP_PASS: the next program runs
	exit
EOF2
cat >small.s <<'EOF2'
	.section xdp
xdp_drop_small:
	r2 = *(u32 *)(r1 + 0)   # data
	r3 = *(u32 *)(r1 + 4)   # data_end
	r3 -= r2
	r0 = 1                  # XDP_DROP frames under 60 bytes
	if r3 < 60 goto +1
	r0 = 2
	exit
EOF2
bpfas pass.s -o pass.o
bpfas small.s -o small.o
echo "# two XDP programs on one hook, called through a dispatcher of direct jumps:"
show bpfjit run pass.o small.o --mem "$(printf '00%.0s' $(seq 32))" --repeat 1000
