#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ring executor's cp sample against cmp over a matrix: file sizes around
# block boundaries (0, 1, block - 1, block, block + 1, several blocks and a
# tail, 5 MiB + 7), block sizes (512, 4096, 65536), queue depths (1, 2, 7,
# 8, 64), both engines.  Every copy must equal its source, and the counters
# must add up: the SQEs programs queued all completed (cqes = sqes + the
# BPF request's own NOP), one BPF request, no fault.  No root needed.
set -euo pipefail

work=$(mktemp -d /tmp/bk-check-ring.XXXXXX)
trap 'rm -rf "$work"' EXIT
obj=$BK_BUILD/samples/ring_cp.bpf.o
n=0
fail=0
for bs in 512 4096 65536; do
	for size in 0 1 $((bs - 1)) $bs $((bs + 1)) $((bs * 5 + 17)) 5242887; do
		head -c "$size" /dev/urandom >"$work/src"
		for qd in 1 2 7 8 64; do
			[ $((qd * bs)) -le $((8 << 20)) ] || continue
			for eng in jit interp; do
				rm -f "$work/dst"
				flag=
				[ $eng = interp ] && flag=--interp
				if ! bpfload "$obj" --ring "$work/src" --ring "$work/dst" --qd $qd \
					--set cp_cfg:0=$bs $flag --json >"$work/out.json" 2>"$work/err"; then
					echo "FAIL: size $size bs $bs qd $qd $eng: $(jq -r '.error.message' "$work/out.json")"
					fail=1
					continue
				fi
				if ! cmp -s "$work/src" "$work/dst"; then
					echo "FAIL: size $size bs $bs qd $qd $eng: the copy differs"
					fail=1
				fi
				if ! jq -e '.stats.cqes == .stats.sqes + 1 and .stats.requests == 1 and
					.stats.faults == 0 and .stats.completed == 1' "$work/out.json" >/dev/null; then
					echo "FAIL: size $size bs $bs qd $qd $eng: counters $(jq -c .stats "$work/out.json")"
					fail=1
				fi
				n=$((n + 1))
			done
		done
	done
done
echo "70-ring-cp-matrix: $n copies checked"
exit $fail
