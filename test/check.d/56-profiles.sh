#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Kernel releases as profiles: every program of test/types/profiles/ is
# verified with bpfverify --target-kernel for each release bpfverify knows
# (6.1, 6.6, 6.12, 6.18), and each verdict must equal its cell in
# test/types/profiles.expect; each release rejects at least one program a
# later one accepts, with the reason printed.  As root the newest
# release's verdicts are also compared with the running kernel's (required
# under CI=true).
set -uo pipefail
src=${BK_SRC:?} build=${BK_BUILD:?}
out=$build/types/profiles
mkdir -p "$out"
releases=(6.1 6.6 6.12 6.18)
vmh=$build/corpus/vmlinux.h
if [ ! -s "$vmh" ]; then
	mkdir -p "$build/corpus"
	bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$vmh" 2>/dev/null || {
		rm -f "$vmh"
		echo "56-profiles: cannot write vmlinux.h (needs bpftool and /sys/kernel/btf/vmlinux)"
		exit 1
	}
fi
clang-19 -target bpf -mcpu=v3 -O2 -g -Wall -Werror -I"$build/corpus" \
	-I/usr/include/"$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)" \
	-c "$src/test/types/profiles/features.bpf.c" -o "$out/features.o" || exit 1
bpfas "$src/test/types/profiles/isa.s" -o "$out/isa.o" || exit 1

declare -A got
for r in "${releases[@]}"; do
	while IFS=$'\t' read -r name verdict msg; do
		got[$name@$r]=$verdict
		got[$name@$r:msg]=$msg
	done < <(bpfverify --json --target-kernel "$r" "$out/features.o" "$out/isa.o" 2>/dev/null |
		jq -r '.programs[] | [(.file | sub(".*/"; "") | sub("\\.o$"; "")) + ":" + .program,
			(if .verdict == "success" then "accept" else (.error.code | sub("^BK_E_V_"; "")) end),
			(.error.message // "")] | @tsv')
done

fail=0 n=0
declare -A differs
while read -r name c1 c2 c3 c4 why; do
	[[ -z "$name" || "$name" == \#* ]] && continue
	n=$((n + 1))
	want=("$c1" "$c2" "$c3" "$c4")
	for i in "${!releases[@]}"; do
		r=${releases[$i]} w=${want[$i]} g=${got[$name@$r]:-missing}
		if [ "$g" != "$w" ]; then
			echo "56-profiles: MISMATCH $name on $r: bpfverify $g, expected $w"
			fail=1
		fi
		if [ "$i" -lt 3 ] && [ "$w" != accept ] && [ "${want[$((i + 1))]}" = accept ]; then
			differs[$r]=$((${differs[$r]:-0} + 1))
			echo "56-profiles: $r rejects $name, ${releases[$((i + 1))]} accepts it: $why" \
				"(bpfverify: ${got[$name@$r:msg]:-})"
		fi
	done
done <"$src/test/types/profiles.expect"
for r in "${releases[@]:0:3}"; do
	if [ "${differs[$r]:-0}" -eq 0 ]; then
		echo "56-profiles: no program shows what $r lacks"
		fail=1
	fi
done

if [ "$(id -u)" -eq 0 ]; then
	k=$(bpfverify --json --kernel "$out/features.o" "$out/isa.o" 2>/dev/null |
		jq -r '.programs[] | select(.kernel.verdict != null and .kernel.verdict != "error" and
			((.verdict == "success") != (.kernel.verdict == "success"))) | .program')
	if [ -n "$k" ]; then
		echo "56-profiles: the running kernel disagrees on: $k"
		fail=1
	else
		echo "56-profiles: the running kernel agrees with bpfverify's newest profile"
	fi
elif [ "${CI:-}" = true ]; then
	echo "56-profiles: the kernel comparison needs root, and CI=true does not allow a skip"
	fail=1
fi
echo "56-profiles: $n programs x ${#releases[@]} releases;" \
	"$([ $fail -eq 0 ] && echo "all as expected" || echo "FAILED")"
exit $fail
