#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The BPF ISA conformance suite through libverify and the JIT with its
# facts: each test's program (assembled as test/conformance.sh does) goes
# to `bpfjit plugin --verify`; the ones the verifier accepts run as native
# code built with the verifier's facts and must give the expected r0 (a
# test expecting an error must not run).  The ones it rejects are counted,
# not run.  Prints "N verified and agreed, M rejected by the verifier".
# Skips when the conformance folder is absent.
set -uo pipefail
: "${BK_BUILD:?}" "${BK_SRC:?}"
dir=${BK_CONFORMANCE:-$BK_SRC/../shared/conformance}/tests
if [ ! -d "$dir" ]; then
	echo "conformance (jit with facts): skipped, no conformance data at $dir"
	exit 0
fi
work=$(mktemp -d /tmp/bk-conf-facts.XXXXXX)
trap 'rm -rf "$work"' EXIT

. "$BK_SRC/test/conformance-lib.sh"

agreed=0 rejected=0 other=0
failed=()
for t in "$dir"/*.data; do
	name=$(basename "$t" .data)
	if ! prog_hex "$t" "$work"; then
		other=$((other + 1))
		continue
	fi
	mem=$(section mem "$t" | tr '\n' ' ')
	if out=$(bpfjit plugin --verify $mem <"$work/prog.hex" 2>"$work/run.err"); then
		if grep -q '^-- error' "$t"; then
			failed+=("$name: verified and ran (r0 = 0x$out) but the test expects an error")
			continue
		fi
		want=$(section result "$t" | grep -oE '[-0-9a-fA-Fx]+' | head -1)
		if [ "$(printf '%x' "$want")" = "$out" ]; then
			agreed=$((agreed + 1))
		else
			failed+=("$name: r0 = 0x$out with facts, expected $want")
		fi
	elif grep -q 'rejected by the verifier' "$work/run.err"; then
		rejected=$((rejected + 1))
	elif grep -q '^-- error' "$t"; then
		other=$((other + 1))
	else
		failed+=("$name: $(head -1 "$work/run.err")")
	fi
done
for f in "${failed[@]}"; do
	echo "FAIL $f"
done
echo "conformance (jit with facts): $agreed verified and agreed, $rejected rejected by the" \
	"verifier, $other refused before ($((agreed + rejected + other + ${#failed[@]})) tests)"
[ "${#failed[@]}" -eq 0 ] && [ "$agreed" -gt 0 ]
