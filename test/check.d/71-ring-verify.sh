#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Ring programs through bpfverify (program type iouring): every ring sample
# is accepted; the unsafe fixtures the verifier must catch are rejected
# with their code (a reaped CQE field used as a pointer: BK_E_V_INVALID_MEM;
# a missing NULL check: BK_E_V_NULL_DEREF); a ring helper in an XDP
# program is refused as a helper of the wrong program type.
set -euo pipefail

work=$(mktemp -d /tmp/bk-check-ringv.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail=0
inc=$BK_SRC/samples/include
cc_bpf() {
	clang-19 -target bpf -mcpu=v4 -O2 -g -I"$inc" -I"/usr/include/$(gcc -print-multiarch)" -c -o "$2" "$1"
}

for o in "$BK_BUILD"/samples/ring_*.bpf.o; do
	if ! bpfverify "$o" --json >"$work/v.json" 2>/dev/null; then
		echo "FAIL: $(basename "$o"): $(jq -c '[.. | .error? | select(.)]' "$work/v.json")"
		fail=1
	fi
done

expect() { # expect FIXTURE CODE
	cc_bpf "$BK_SRC/test/bats/ring/$1.bpf.c" "$work/$1.o"
	local got
	got=$({ bpfverify "$work/$1.o" --json 2>/dev/null || true; } | jq -r '[.. | .code? | select(type == "string")] | first // "none"')
	if [ "$got" != "$2" ]; then
		echo "FAIL: $1: expected $2, got $got"
		fail=1
	fi
}
expect unsafe_cqe_ptr BK_E_V_INVALID_MEM
expect unsafe_null BK_E_V_NULL_DEREF

cat >"$work/xdp_ring.c" <<'C'
#include <bpfkit/iouring.h>
SEC("xdp")
int x(struct xdp_md *ctx)
{
	return iouring_emit_cqe((void *)ctx, 0, 0, 0, 0) ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
C
cc_bpf "$work/xdp_ring.c" "$work/xdp_ring.o"
got=$({ bpfverify "$work/xdp_ring.o" --json 2>/dev/null || true; } | jq -r '[.. | .code? | select(type == "string")] | first // "none"')
case $got in
BK_E_V_HELPER_TYPE | BK_E_V_HELPER_UNKNOWN) ;;
*)
	echo "FAIL: a ring helper in an XDP program: got $got"
	fail=1
	;;
esac
echo "71-ring-verify: $(ls "$BK_BUILD"/samples/ring_*.bpf.o | wc -l) samples accepted, 3 refusals checked"
exit $fail
