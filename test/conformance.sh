#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The BPF ISA conformance suite (../shared/conformance/tests) in one engine:
# libvm's interpreter (interp) or libjit's native code in checked mode (jit).
# Each test's `-- asm` section is assembled with `bpfas --raw` (the `-- raw`
# section, when present, is used as it is), run with
# `bpfjit plugin --ENGINE` on the test's `-- mem`, and r0 is compared with
# `-- result` as a 64-bit value; a test with `-- error` must be refused.
# Prints "N/313 passed" and fails on any failure; skips (with a message)
# when the conformance folder is absent.
# Usage: test/conformance.sh interp|jit   (env BK_BUILD, BK_SRC; bpfas and
# bpfjit on PATH)
set -uo pipefail
: "${BK_BUILD:?}" "${BK_SRC:?}"
engine=${1:?usage: conformance.sh interp|jit}
case $engine in
interp) label=interpreter ;;
jit) label=jit ;;
*) echo "conformance.sh: unknown engine $engine" >&2; exit 2 ;;
esac
dir=${BK_CONFORMANCE:-$BK_SRC/../shared/conformance}/tests
if [ ! -d "$dir" ]; then
	echo "conformance ($label): skipped, no conformance data at $dir"
	exit 0
fi
work=$(mktemp -d /tmp/bk-conf-$engine.XXXXXX)
trap 'rm -rf "$work"' EXIT

. "$BK_SRC/test/conformance-lib.sh"

pass=0 total=0
failed=()
for t in "$dir"/*.data; do
	name=$(basename "$t" .data)
	total=$((total + 1))
	if ! prog_hex "$t" "$work"; then
		if grep -q '^-- error' "$t"; then
			pass=$((pass + 1))
		else
			failed+=("$name: bpfas: $(head -1 "$work/asm.err")")
		fi
		continue
	fi
	mem=$(section mem "$t" | tr '\n' ' ')
	if out=$(bpfjit plugin --$engine $mem <"$work/prog.hex" 2>"$work/run.err"); then
		if grep -q '^-- error' "$t"; then
			failed+=("$name: ran (r0 = 0x$out) but the test expects an error")
			continue
		fi
		want=$(section result "$t" | grep -oE '[-0-9a-fA-Fx]+' | head -1)
		if [ "$(printf '%x' "$want")" = "$out" ]; then
			pass=$((pass + 1))
		else
			failed+=("$name: r0 = 0x$out, expected $want")
		fi
	elif grep -q '^-- error' "$t"; then
		pass=$((pass + 1))
	else
		failed+=("$name: $(head -1 "$work/run.err")")
	fi
done
for f in "${failed[@]}"; do
	echo "FAIL $f"
done
echo "conformance ($label): $pass/$total passed"
[ "$pass" -eq "$total" ]
