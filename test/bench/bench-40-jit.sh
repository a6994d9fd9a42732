#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# libjit against the kernel's JIT and native C, in one run:
#  1. ns per loop iteration of the four programs of bench-10 (the same
#     bytecode, test/bench/vm/*.s: ALU loop, memory loop, packet parse,
#     helper-call loop): libjit (trusted, and checked for comparison) with
#     bk_jit_prog__exec_n, the kernel with BPF_PROG_TEST_RUN and repeat
#     (root), gcc -O2 (test/bench/vm/native.c).  Raw ratios, and ratios with
#     each side's per-run overhead (an empty program's time) taken out.
#  2. compile speed: BPF instructions per second of libjit against the
#     kernel's BPF_PROG_LOAD (verifier and JIT together) for the same
#     programs and two generated straight-line ones.
#  3. the dispatcher against a plain indirect call and a retpoline, and C
#     indirect calls built without and with gcc's retpolines.
# Times are CPU time (the kernel's: its own test-run clock); each figure is
# the best of 60 short rounds that take turns between libjit, the kernel and
# native code in one process (the host is shared: its other load makes
# single runs noisy, and taking turns spreads that alike over every engine).
set -uo pipefail
: "${BK_BUILD:?}" "${BK_SRC:?}"
vm=$BK_SRC/test/bench/vm
here=$BK_SRC/test/bench/jit
out=$BK_BUILD/bench/jit
mkdir -p "$out"
pkgs="libbpf libelf zlib liburing capstone libpcap jansson"
libs="$BK_BUILD/libbpfkit.a $(pkg-config --libs $pkgs) -lm -lpthread"
cflags="-O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -I$BK_SRC/libuapi -I$BK_SRC/libvm -I$BK_SRC/libjit"
gcc $cflags -o "$out/bk-jitbench" "$here/bk-jitbench.c" $libs || exit 1
gcc -O2 -c -DICALL_NAME=icall_plain -o "$out/icall_plain.o" "$here/icall.c" || exit 1
gcc -O2 -c -mindirect-branch=thunk -DICALL_NAME=icall_retpoline -o "$out/icall_retpoline.o" \
	"$here/icall.c" || exit 1
gcc $cflags -o "$out/bk-dispbench" "$here/bk-dispbench.c" "$out/icall_plain.o" \
	"$out/icall_retpoline.o" $libs || exit 1
gcc -O2 -o "$out/bk-native" "$vm/native.c" || exit 1
# bench-10's frame: 64 bytes, IPv4/TCP, 10.0.0.1:12345 -> 10.0.0.2:80
printf '\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\0\x45\0\0\x28\0\0\0\0\x40\x06\0\0'`
	`'\x0a\0\0\x01\x0a\0\0\x02\x30\x39\0\x50' >"$out/pkt.bin"
head -c 30 /dev/zero >>"$out/pkt.bin"
printf 'r0 = 2\nexit\n' >"$out/empty.s"
for p in alu mem parse helper; do cp "$vm/$p.s" "$out/$p.s"; done
for p in empty alu mem parse helper; do
	bpfas --raw "$out/$p.s" -o "$out/$p.bin" || exit 1
done
"$out/bk-jitbench" gen 4000 "$out/gen4k.bin" && "$out/bk-jitbench" gen 40000 "$out/gen40k.bin" ||
	exit 1
root=0
[ "$(id -u)" -eq 0 ] && root=1

val() { awk -v k="$1" '$1 == k { print $2 }'; }
best() { sort -g | head -1; }
# bestof N CMD...: the smallest ns_per_run of N runs of CMD
bestof() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do "$@" | val ns_per_run; done | best
}
div() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (a != "" && a != "-" && b + 0 > 0) printf f, a / b; else print "-" }'; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && a != "-" && b != "" && b != "-") printf "%.2f", a - b; else print "-" }'; }

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
r=$("$out/bk-jitbench" loop "$out/empty.bin" 500000 "$out/pkt.bin")
e_jit=$(echo "$r" | val jit_ns)
e_ker=$(echo "$r" | val kernel_ns)
e_ker=${e_ker:--}
echo "per-run overhead (empty program, r0 = 2): libjit $e_jit ns, kernel BPF_PROG_TEST_RUN $e_ker ns"
echo
echo "1. ns per loop iteration (parse: per packet); ratios < 1 mean libjit is faster"
printf '%-7s %5s | %8s %8s %8s %8s | %8s %8s | %9s %9s\n' program iters jit checked \
	kernel native jit/kern jit/nat "jit/kern*" "jit/nat*"
declare -A iters=([alu]=4096 [mem]=4128 [parse]=1 [helper]=1024)
declare -A reps=([alu]=1000 [mem]=2000 [parse]=500000 [helper]=3000)
ok_kern=yes ok_nat=yes
for p in alu mem parse helper; do
	r=$("$out/bk-jitbench" loop "$out/$p.bin" ${reps[$p]} "$out/pkt.bin" $p)
	tj=$(echo "$r" | val jit_ns)
	tc=$(echo "$r" | val checked_ns)
	tn=$(echo "$r" | val native_ns)
	tk=$(echo "$r" | val kernel_ns)
	tk=${tk:--}
	it=${iters[$p]}
	r_ker=$(div "$tj" "$tk")
	r_nat=$(div "$tj" "$tn")
	c_ker=$(div "$(sub "$tj" "$e_jit")" "$(sub "$tk" "$e_ker")")
	c_nat=$(div "$(sub "$tj" "$e_jit")" "$tn")
	printf '%-7s %5s | %8s %8s %8s %8s | %8s %8s | %9s %9s\n' $p $it \
		"$(div "$tj" $it %.3f)" "$(div "$tc" $it %.3f)" "$(div "$tk" $it %.3f)" \
		"$(div "$tn" $it %.3f)" "$r_ker" "$r_nat" "$c_ker" "$c_nat"
	awk -v r="$r_ker" -v c="$c_ker" 'BEGIN { exit !(r != "-" && r > 1.0 && (c == "-" || c > 1.0)) }' &&
		ok_kern=no
	if [ $p = alu ] || [ $p = mem ]; then
		awk -v r="$r_nat" 'BEGIN { exit !(r != "-" && r > 1.3) }' && ok_nat=no
	fi
done
echo "(* = per-run overhead taken out: (t - empty) for libjit and the kernel; native has none)"
[ $root -eq 1 ] || { echo "(kernel columns need root)"; ok_kern=unmeasured; }
echo "target jit/kernel <= 1.00 on every loop (raw or overhead-corrected): $ok_kern"
echo "target jit/native <= 1.3 on alu and mem: $ok_nat"
echo
echo "2. compile speed (libjit: best of 20; kernel: BPF_PROG_LOAD = verifier + JIT, best of 5)"
printf '%-7s %6s | %10s %12s | %10s %12s | %8s\n' program insns "jit us" "jit insn/s" \
	"kernel us" "kern insn/s" kern/jit
for p in alu mem parse helper gen4k gen40k; do
	r=$("$out/bk-jitbench" compile "$out/$p.bin")
	n=$(echo "$r" | val insns)
	j=$(echo "$r" | val jit_compile_ns)
	k=$(echo "$r" | val kernel_load_ns)
	printf '%-7s %6s | %10s %12s | %10s %12s | %8s\n' $p "$n" "$(div "$j" 1000 %.1f)" \
		"$(div "$n" "$(div "$j" 1e9 %.12f)" %.0f)" "$(div "${k:--}" 1000 %.1f)" \
		"$(div "$n" "$(div "${k:--}" 1e9 %.12f)" %.0f)" "$(div "${k:--}" "$j" %.1fx)"
done
echo
echo "3. calling one of 8 programs (ns per call, best of 7 rounds; through bk_jit_disp__exec, so"
echo "   each includes the C side of an execution, alike for every kind)"
r=$("$out/bk-dispbench" 300000)
printf '%-22s %10s %10s\n' "" random same
for k in dispatcher indirect retpoline; do
	printf '%-22s %10s %10s\n' "jit $k" "$(echo "$r" | val jit_${k}_random)" \
		"$(echo "$r" | val jit_${k}_same)"
done
for k in indirect retpoline; do
	printf '%-22s %10s %10s\n' "C $k call" "$(echo "$r" | val c_${k}_random)" \
		"$(echo "$r" | val c_${k}_same)"
done
for s in random same; do
	d=$(echo "$r" | val jit_dispatcher_$s)
	echo "dispatcher/indirect ($s): $(div "$d" "$(echo "$r" | val jit_indirect_$s)")," \
		"dispatcher/retpoline ($s): $(div "$d" "$(echo "$r" | val jit_retpoline_$s)")"
done
exit 0
