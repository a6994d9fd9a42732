#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Round trip of every "-- asm" section of the conformance tests through
# bpfas: asm -> bytes -> bpfas -d -> asm -> bytes must give the same bytes,
# in each syntax (llvm, kernel, ubpf) and with labels; where a test has a
# "-- raw" section, the assembled bytes must equal it.  Also through ELF
# objects: bpfas FILE -o x.o, bpfas -d x.o, bpfas -o y.o: same code bytes.
# Skips (exit 0) when the conformance data is absent.
set -uo pipefail
conf=${BK_CONFORMANCE:-${BK_SRC:-.}/../shared/conformance}/tests
if [ ! -d "$conf" ]; then
	echo "conformance data not found at $conf: skipped"
	exit 0
fi
tmp=$(mktemp -d /tmp/bk-conf-rt.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# Bytes of a "-- raw" section (64-bit little-endian words) into $2.
raw_bytes() {
	awk '/^--/{r=($2=="raw")} r && /^0x/' "$1" | while read -r w; do
		w=${w#0x}
		for i in 14 12 10 8 6 4 2 0; do printf "\\x${w:$i:2}"; done
	done >"$2"
}

total=0 asm_ok=0 raw_total=0 raw_ok=0 elf_ok=0
declare -A ok=([llvm]=0 [kernel]=0 [ubpf]=0 [labels]=0)
fail=0
for f in "$conf"/*.data; do
	grep -q '^-- asm' "$f" || continue
	total=$((total + 1))
	name=$(basename "$f" .data)
	if ! bpfas --raw "$f" -o "$tmp/a.bin" 2>"$tmp/err"; then
		echo "FAIL $name: does not assemble: $(head -1 "$tmp/err")"
		fail=1
		continue
	fi
	asm_ok=$((asm_ok + 1))
	if grep -q '^-- raw' "$f"; then
		raw_total=$((raw_total + 1))
		raw_bytes "$f" "$tmp/raw.bin"
		if cmp -s "$tmp/a.bin" "$tmp/raw.bin"; then
			raw_ok=$((raw_ok + 1))
		else
			echo "FAIL $name: assembled bytes differ from its -- raw section"
			fail=1
		fi
	fi
	for s in llvm kernel ubpf labels; do
		opts=(--syntax "$s")
		[ "$s" = labels ] && opts=(--syntax llvm --labels)
		if bpfas -d --raw "${opts[@]}" "$tmp/a.bin" -o "$tmp/$s.s" 2>"$tmp/err" &&
			bpfas --raw "$tmp/$s.s" -o "$tmp/$s.bin" 2>>"$tmp/err" &&
			cmp -s "$tmp/a.bin" "$tmp/$s.bin"; then
			ok[$s]=$((ok[$s] + 1))
		else
			echo "FAIL $name ($s): round trip differs: $(head -1 "$tmp/err")"
			fail=1
		fi
	done
	# Through an ELF object: the code section's bytes survive -d and -o.
	if bpfas "$f" -o "$tmp/x.o" 2>"$tmp/err" &&
		bpfas -d "$tmp/x.o" -o "$tmp/x.s" 2>>"$tmp/err" &&
		bpfas "$tmp/x.s" -o "$tmp/y.o" 2>>"$tmp/err" &&
		llvm-objcopy-19 --dump-section .text="$tmp/y.bin" "$tmp/y.o" 2>>"$tmp/err" &&
		cmp -s "$tmp/a.bin" "$tmp/y.bin"; then
		elf_ok=$((elf_ok + 1))
	else
		echo "FAIL $name (elf): object round trip differs: $(head -1 "$tmp/err")"
		fail=1
	fi
done
echo "$asm_ok/$total assemble"
echo "$raw_ok/$raw_total equal their -- raw section"
for s in llvm kernel ubpf; do
	echo "${ok[$s]}/$total round-trip ($s syntax)"
done
echo "${ok[labels]}/$total round-trip (llvm syntax, jump targets as labels)"
echo "$elf_ok/$total round-trip through ELF objects"
[ "$total" -gt 0 ] || { echo "no -- asm sections found"; exit 1; }
exit $fail
