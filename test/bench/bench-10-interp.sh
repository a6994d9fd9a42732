#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# libvm's interpreter against the kernel's JIT and native C, in one run, on
# four programs (test/bench/vm/*.s): an ALU loop, a memory loop, a packet
# parse and a helper-call loop.  The same bytecode runs in the interpreter
# (`bpfjit run --trusted`, and checked for comparison) and in the kernel
# (BPF_PROG_TEST_RUN with repeat, root only); test/bench/vm/native.c is the
# same computation in C (gcc -O2).  Times are CPU time (the kernel's test
# runs stop their clock when preempted; so do ours, with the thread's CPU
# clock) per BPF instruction executed (the interpreter's count of one
# checked run), best of five.
set -uo pipefail
: "${BK_BUILD:?}" "${BK_SRC:?}"
here=$BK_SRC/test/bench/vm
out=$BK_BUILD/bench/vm
mkdir -p "$out"
gcc -O2 -o "$out/bk-native" "$here/native.c" || exit 1
gcc -O2 -o "$out/bk-ktest" "$here/bk-ktest.c" -lbpf -lpcap || exit 1
# a 64-byte IPv4/TCP frame, 10.0.0.1:12345 -> 10.0.0.2:80
printf '\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\0\x45\0\0\x28\0\0\0\0\x40\x06\0\0'`
	`'\x0a\0\0\x01\x0a\0\0\x02\x30\x39\0\x50' >"$out/pkt.bin"
head -c 30 /dev/zero >>"$out/pkt.bin"
root=0
[ "$(id -u)" -eq 0 ] && root=1

best() { sort -g | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.1fx", a / b; else print "-" }'; }
per() { awk -v t="$1" -v n="$2" 'BEGIN { if (t != "-") printf "%.3f", t / n; else print "-" }'; }

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %9s | %11s %11s %11s %11s | %13s %13s\n' program insns/run \
	interp checked kernel-jit native interp/kernel interp/native
printf '%-8s %9s | %11s %11s %11s %11s |\n' "" "" "ns/insn" "ns/insn" "ns/insn" "ns/insn"
rc=0
for p in alu mem parse helper; do
	bpfas --raw "$here/$p.s" -o "$out/$p.bin" || { rc=1; continue; }
	run=(bpfjit run --raw "$out/$p.bin" --type xdp --mem-file "$out/pkt.bin" --interp --json)
	insns=$("${run[@]}" | jq .insns)
	reps=$((10000000 / insns + 1))
	t_int=$(for i in 1 2 3 4 5; do "${run[@]}" --trusted --repeat "$reps" | jq .cpu_ns_per_run; done | best)
	t_chk=$(for i in 1 2 3; do "${run[@]}" --repeat "$reps" | jq .cpu_ns_per_run; done | best)
	t_nat=$("$out/bk-native" "$p" "$reps" "$out/pkt.bin" | awk '/ns_per_run/ { print $2 }')
	t_ker=-
	if [ $root -eq 1 ]; then
		t_ker=$(for i in 1 2 3 4 5; do "$out/bk-ktest" bench "$out/$p.bin" "$reps" "$out/pkt.bin" |
			awk '/ns_per_run/ { print $2 }'; done | best)
	fi
	i_int=$(per "$t_int" "$insns")
	i_ker=$(per "$t_ker" "$insns")
	printf '%-8s %9s | %11s %11s %11s %11s | %13s %13s\n' "$p" "$insns" "$i_int" \
		"$(per "$t_chk" "$insns")" "$i_ker" "$(per "$t_nat" "$insns")" \
		"$(ratio "$t_int" "$t_ker")" "$(ratio "$t_int" "$t_nat")"
	[ "$p" = alu ] && alu_ns=$i_int
done
[ $root -eq 1 ] || echo "(kernel JIT column needs root)"
echo "ALU loop in the interpreter (trusted): ${alu_ns:-?} ns per instruction (target: at most 2)"
exit $rc
