#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ring executor's cp sample against cmp over a matrix: file sizes around
# block boundaries (0, 1, block - 1, block, block + 1, several blocks and a
# tail, 5 MiB + 7), block sizes (512, 4096, 65536), queue depths (1, 2, 7,
# 8, 64), both engines.  Every copy must equal its source, and the counters
# must be exactly those of the sample's algorithm: a full block is a
# linked read and write with one CQE (the read skips its own); the tail
# block's read is short and posts its CQE (the kernel cancels the linked
# write without one), then a write of the tail and a read that returns 0,
# each with its CQE; every other slot ends on a block past the end, whose
# read returns 0 (2 SQEs, 1 CQE).  So with F full blocks, t = 1 if there
# is a tail: SQEs 2F + 4t + 2(qd - t), the program's CQEs F + 3t + (qd -
# t), all reaped, plus the BPF request's own NOP; one request, no fault.
# No root needed.
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
				full=$((size / bs)) tail=$((size % bs > 0 ? 1 : 0))
				sqes=$((2 * full + 4 * tail + 2 * (qd - tail)))
				cqes=$((full + 3 * tail + qd - tail))
				if ! jq -e --argjson s $sqes --argjson c $cqes '.stats.sqes == $s and
					.stats.cqes == $c + 1 and .stats.reaped == $c and .stats.requests == 1 and
					.stats.faults == 0 and .stats.completed == 1' "$work/out.json" >/dev/null; then
					echo "FAIL: size $size bs $bs qd $qd $eng: expected $sqes SQEs and $cqes CQEs," \
						"counters $(jq -c .stats "$work/out.json")"
					fail=1
				fi
				n=$((n + 1))
			done
		done
	done
done
echo "70-ring-cp-matrix: $n copies checked"
exit $fail
