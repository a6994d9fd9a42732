#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The verifier corpus: builds every program in test/corpus (BPF C with
# clang-19, assembly with bpfas), runs bpfverify over each object and, with
# --kernel (root), loads each program into the running kernel too.  Every
# program's verdict must equal its line in test/corpus/EXPECT
#   <object>:<program> accept
#   <object>:<program> reject <BK_E_V_code>
# and, with --kernel, the kernel's verdict must equal it as well.  Any
# difference fails the run and is listed by name.  --update rewrites EXPECT
# from the kernel's verdicts and bpfverify's codes (review the diff!).
# Usage: test/corpus/run.sh BUILD_DIR [--kernel] [--update]
set -uo pipefail
build=${1:?usage: run.sh BUILD_DIR [--kernel] [--update]}
shift
kernel=0 update=0
for a in "$@"; do
	case $a in
	--kernel) kernel=1 ;;
	--update) update=1 kernel=1 ;;
	*) echo "run.sh: unknown option $a" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")" && pwd)
out=$build/corpus
mkdir -p "$out"
bpfverify=$build/bin/bpfverify bpfas=$build/bin/bpfas
# type_btf.bpf.c is built against the running kernel's types (vmlinux.h,
# no CO-RE relocations: bpfverify reads the offsets as compiled)
if [ ! -s "$out/vmlinux.h" ]; then
	bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$out/vmlinux.h" 2>/dev/null || {
		rm -f "$out/vmlinux.h"
		echo "corpus: cannot write vmlinux.h (needs bpftool and /sys/kernel/btf/vmlinux)"
		exit 1
	}
fi
cflags=(-target bpf -mcpu=v4 -O2 -g -Wall -Werror -I"$here/c" -I"$out"
	-I/usr/include/"$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)")
objs=()
for c in "$here"/c/*.bpf.c; do
	o=$out/$(basename "$c" .c).o
	if [ ! -e "$o" ] || [ "$c" -nt "$o" ] || [ "$here/c/corpus.h" -nt "$o" ]; then
		clang-19 "${cflags[@]}" -c "$c" -o "$o" || { echo "corpus: cannot build $c"; exit 1; }
	fi
	objs+=("$o")
done
for s in "$here"/asm/*.s; do
	[ -e "$s" ] || continue
	o=$out/$(basename "$s" .s).o
	"$bpfas" "$s" -o "$o" || { echo "corpus: cannot assemble $s"; exit 1; }
	objs+=("$o")
done
results=$out/results.tsv
: >"$results"
kopt=()
[ $kernel -eq 1 ] && kopt=(--kernel)
for o in "${objs[@]}"; do
	"$bpfverify" --json "${kopt[@]}" "$o" 2>/dev/null |
		jq -r --arg f "$(basename "$o" .o)" '.programs[] |
			[$f + ":" + .program, (if .verdict == "success" then "accept" else "reject" end),
			 (.error.code // "-"), (.kernel.verdict // "-")] | @tsv' >>"$results"
done
if [ $update -eq 1 ]; then
	awk -F'\t' '{v = $4 == "success" ? "accept" : $4 == "error" ? $2 : "reject";
		print $1, v, (v == "reject" && $2 == "reject") ? $3 : ""}' "$results" |
		sed 's/ $//' | sort >"$here/EXPECT"
	echo "corpus: EXPECT rewritten from the kernel's verdicts ($(wc -l <"$here/EXPECT") programs)"
fi
total=0 ours_ok=0 kern_ok=0 bad=() kern_err=()
declare -A want code
while read -r name verdict c; do
	[ -n "$name" ] || continue
	want[$name]=$verdict
	code[$name]=${c:-}
done <"$here/EXPECT"
declare -A seen
while IFS=$'\t' read -r name verdict ecode kverdict; do
	total=$((total + 1))
	seen[$name]=1
	exp=${want[$name]:-}
	if [ -z "$exp" ]; then
		bad+=("$name: not in EXPECT")
		continue
	fi
	if [ "$verdict" = "$exp" ] && { [ "$exp" = accept ] || [ -z "${code[$name]}" ] ||
		[ "${code[$name]}" = "$ecode" ]; }; then
		ours_ok=$((ours_ok + 1))
	else
		bad+=("$name: bpfverify $verdict $ecode, expected $exp ${code[$name]}")
	fi
	if [ $kernel -eq 1 ] && [ "$kverdict" = error ]; then
		kern_err+=("$name") # refused before verification (e.g. fentry without trampolines)
	elif [ $kernel -eq 1 ]; then
		kv=$([ "$kverdict" = success ] && echo accept || echo reject)
		if [ "$kv" = "$exp" ]; then
			kern_ok=$((kern_ok + 1))
		else
			bad+=("$name: kernel $kverdict, expected $exp")
		fi
	fi
done <"$results"
for name in "${!want[@]}"; do
	[ -n "${seen[$name]:-}" ] || bad+=("$name: in EXPECT but not built")
done
acc=$(grep -c ' accept' "$here/EXPECT")
echo "corpus: $total programs ($acc expected accepted, $((total - acc)) rejected):" \
	"bpfverify agrees on $ours_ok/$total" \
	"$([ $kernel -eq 1 ] && echo ", the kernel on $kern_ok/$((total - ${#kern_err[@]}))" || echo "(kernel not compared)")"
if [ ${#kern_err[@]} -gt 0 ]; then
	echo "corpus: the running kernel refused to load ${#kern_err[@]} programs before verifying" \
		"them (not compared): ${kern_err[*]}"
fi
if [ ${#bad[@]} -gt 0 ]; then
	printf 'corpus: MISMATCH %s\n' "${bad[@]}"
	exit 1
fi
exit 0
