#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Demo: bpfverify decides whether the kernel would accept programs, without
# loading them: the bundled samples (veristat's columns), a program that
# forgets a NULL check (the diagnostic names the line, instruction,
# register and reason), the register states of the kernel's log, and, as
# root, the kernel's own verdict beside bpfverify's.
set -uo pipefail
echo "== bpfverify: static verifier"
tmp=$(mktemp -d /tmp/bk-demo-verify.XXXXXX)
trap 'cd /; rm -rf "$tmp"' EXIT
show() {
	echo "\$ $*"
	"$@"
	echo "(exit $?)"
}

show bpfverify "$BK_BUILD"/samples/subprog.bpf.o "$BK_BUILD"/samples/xdp_filter.bpf.o
cat >"$tmp/forgot.s" <<'EOF'
	.license "GPL"
	.map hits hash key=4 value=8 entries=16
	.section xdp
	.globl count
count:
	r1 = 1
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = hits ll
	call bpf_map_lookup_elem        # NULL when the key is absent
	r1 = *(u64 *)(r0 + 0)           # no NULL check
	r0 = 2
	exit
EOF
bpfas "$tmp/forgot.s" -o "$tmp/forgot.o"
show bpfverify "$tmp/forgot.o"
echo "\$ bpfverify --log 2 forgot.o | head -4"
bpfverify --log 2 "$tmp/forgot.o" 2>/dev/null | head -4
if [ "$(id -u)" -eq 0 ]; then
	show bpfverify --kernel "$BK_BUILD"/samples/xdp_filter.bpf.o "$tmp/forgot.o"
else
	echo "(not root: skipping bpfverify --kernel)"
fi
