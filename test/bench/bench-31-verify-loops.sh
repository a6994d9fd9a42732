#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bpfverify's verification time against the kernel verifier's own on the
# loop-heavy programs of the verifier corpus (bounded loops, may_goto,
# bpf_loop and bpf_for_each_map_elem callbacks, open-coded iterators, up to
# the 1,000,000-instruction limit) and the loop and iterator samples, one
# run: a line per program (processed instructions and time on both sides)
# and the ratio of the totals (target: bpfverify no slower than the kernel).
# Needs root for the kernel's side; prints bpfverify's times alone otherwise.
set -uo pipefail
src=${BK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)} build=${BK_BUILD:?}
"$src/test/corpus/run.sh" "$build" >/dev/null 2>&1 || true
objs=()
for o in iter_basic.bpf cb_loop.bpf loop_bounded.bpf loops.bpf loop_maygoto; do
	[ -f "$build/corpus/$o.o" ] && objs+=("$build/corpus/$o.o")
done
for s in loop iter; do
	[ -f "$build/samples/$s.bpf.o" ] && objs+=("$build/samples/$s.bpf.o")
done
[ ${#objs[@]} -gt 0 ] || { echo "bench-31-verify-loops: no objects in $build"; exit 1; }
kopt=()
[ "$(id -u)" -eq 0 ] && kopt=(--kernel)
printf '%-34s %9s %12s %9s %12s\n' "program" "insns" "bpfverify_us" "k.insns" "kernel_us"
tot_o=0 tot_k=0 n=0
while IFS=$'\t' read -r name insns us kinsns kus; do
	printf '%-34s %9s %12s %9s %12s\n' "$name" "$insns" "$us" "$kinsns" "$kus"
	tot_o=$((tot_o + us)) tot_k=$((tot_k + kus)) n=$((n + 1))
done < <(for o in "${objs[@]}"; do
	bpfverify --json "${kopt[@]}" "$o" 2>/dev/null |
		jq -r --arg f "$(basename "$o" .o)" '.programs[] | [$f + ":" + .program,
			.insns_processed, .time_us, (.kernel.insns_processed // "-"),
			(.kernel.time_us // 0)] | @tsv'
done)
if [ "$tot_k" -gt 0 ]; then
	r=$(awk -v a="$tot_o" -v b="$tot_k" 'BEGIN{printf "%.2f", a/b}')
	printf '%-34s %9s %12d %9s %12d\n' "total ($n programs)" "" "$tot_o" "" "$tot_k"
	echo "bench-31-verify-loops: bpfverify/kernel verification time ratio on $n loop-heavy" \
		"programs: $r (below 1: bpfverify faster)"
else
	echo "bench-31-verify-loops: total bpfverify time ${tot_o} us over $n programs" \
		"(kernel side needs root)"
fi
