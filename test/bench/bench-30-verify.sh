#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bpfverify's verification time against the kernel verifier's own ("verification
# time N usec" in its log) on every program of the verifier corpus, one run:
# a table per object and the total ratio (target: bpfverify no slower).
# Needs root for the kernel's side; prints bpfverify's times alone otherwise.
set -uo pipefail
src=${BK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)} build=${BK_BUILD:?}
"$src/test/corpus/run.sh" "$build" >/dev/null 2>&1 || true
kopt=()
[ "$(id -u)" -eq 0 ] && kopt=(--kernel)
printf '%-22s %6s %12s %12s %8s\n' "object" "progs" "bpfverify_us" "kernel_us" "ratio"
tot_o=0 tot_k=0 tot_n=0
for o in "$build"/corpus/*.o; do
	read -r n ours kern < <(bpfverify --json "${kopt[@]}" "$o" 2>/dev/null |
		jq -r '[(.programs | length), ([.programs[].time_us] | add),
			([.programs[].kernel.time_us // 0] | add)] | @tsv')
	[ -n "${n:-}" ] || continue
	tot_o=$((tot_o + ours)) tot_k=$((tot_k + kern)) tot_n=$((tot_n + n))
	ratio=$([ "$kern" -gt 0 ] && awk -v a="$ours" -v b="$kern" 'BEGIN{printf "%.2f", a/b}' || echo -)
	printf '%-22s %6d %12d %12d %8s\n' "$(basename "$o" .o)" "$n" "$ours" "$kern" "$ratio"
done
if [ "$tot_k" -gt 0 ]; then
	printf '%-22s %6d %12d %12d %8s\n' "total" "$tot_n" "$tot_o" "$tot_k" \
		"$(awk -v a="$tot_o" -v b="$tot_k" 'BEGIN{printf "%.2f", a/b}')"
	echo "bench-30-verify: bpfverify/kernel verification time ratio over the corpus:" \
		"$(awk -v a="$tot_o" -v b="$tot_k" 'BEGIN{printf "%.2f", a/b}') (below 1: bpfverify faster)"
else
	echo "bench-30-verify: total bpfverify time ${tot_o} us over $tot_n programs (kernel side needs root)"
fi
