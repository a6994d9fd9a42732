#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The samples' XDP filter over a pcap: `bpfjit run --pcap` (interpreter and
# JIT, checked and trusted) must give the verdict counts the packets call
# for, and, as root,
# the same counts and the same map contents (per-protocol counters,
# blocklist hits) as the kernel running the same object on the same
# packets with BPF_PROG_TEST_RUN.  The pcap is written by the test.
set -uo pipefail
: "${BK_BUILD:?}" "${BK_SRC:?}"
obj=$BK_BUILD/samples/xdp_filter.bpf.o
if [ ! -f "$obj" ]; then
	echo "no $obj (make samples)"
	exit 1
fi
work=$(mktemp -d /tmp/bk-xdp.XXXXXX)
trap 'rm -rf "$work"' EXIT
ktest=$BK_BUILD/bench/vm/bk-ktest
mkdir -p "$(dirname "$ktest")"
gcc -O2 -o "$ktest" "$BK_SRC/test/bench/vm/bk-ktest.c" -lbpf -lpcap || exit 1

# 10.0.0.2 and 10.0.0.5 are blocked (keys in network order, 8-byte hit counts)
upd=(--map-update blocklist=0a000002=0000000000000000
	--map-update blocklist=0a000005=0000000000000000)
"$ktest" gen-pcap "$work/t.pcap" 1000 >"$work/expected" || exit 1
fail=0
runs=("--interp" "--interp --trusted" "--jit" "--jit --trusted")
for i in "${!runs[@]}"; do
	run=${runs[$i]}
	if ! bpfjit run "$obj" --pcap "$work/t.pcap" "${upd[@]}" $run --json >"$work/vm.json"; then
		echo "bpfjit run $run failed"
		exit 1
	fi
	jq -r '.verdicts | to_entries[] | select(.key != "other") | "\(.key) \(.value)"' \
		"$work/vm.json" >"$work/vm.counts.$i"
	for v in XDP_DROP XDP_PASS; do
		want=$(awk -v v=$v '$1 == v { print $2 }' "$work/expected")
		got=$(awk -v v=$v '$1 == v { print $2 }' "$work/vm.counts.$i")
		if [ "$want" != "$got" ]; then
			echo "bpfjit $run: $v $got, expected $want"
			fail=1
		fi
	done
	echo "bpfjit $run: $(tr '\n' ' ' <"$work/vm.counts.$i")over $(jq .packets "$work/vm.json") packets"
done

if [ "$(id -u)" -ne 0 ]; then
	if [ "${CI:-}" = true ]; then
		echo "the kernel comparison needs root, and CI=true does not allow a skip"
		exit 1
	fi
	echo "kernel comparison skipped: needs root"
	exit $fail
fi
"$ktest" xdp "$obj" --pcap "$work/t.pcap" "${upd[@]}" --dump-maps >"$work/k.out" || exit 1
grep '^XDP_' "$work/k.out" >"$work/k.counts"
for i in "${!runs[@]}"; do
	if ! diff -u "$work/k.counts" "$work/vm.counts.$i"; then
		echo "verdict counts differ between the kernel (-) and bpfjit ${runs[$i]} (+)"
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "kernel BPF_PROG_TEST_RUN: the same counts as every bpfjit run"
# map contents after the run (element order of a hash map may differ)
grep -E '^(map |  [0-9a-f]+: )' "$work/k.out" | awk '/^map / { m = $0; next } { print m, $0 }' |
	sort >"$work/k.maps"
for engine in --interp --jit; do
	bpfjit run "$obj" --pcap "$work/t.pcap" "${upd[@]}" $engine --dump-maps |
		grep -E '^(map |  [0-9a-f]+: )' | awk '/^map / { m = $0; next } { print m, $0 }' |
		sort >"$work/vm.maps"
	if ! diff -u "$work/k.maps" "$work/vm.maps"; then
		echo "map contents differ between the kernel (-) and bpfjit $engine (+)"
		fail=1
	else
		echo "kernel and bpfjit $engine: same map contents ($(wc -l <"$work/k.maps") elements)"
	fi
done
exit $fail
