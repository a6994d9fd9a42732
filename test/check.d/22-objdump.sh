#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Objects clang-19 builds (the samples in $BK_BUILD/samples, the verifier
# corpus under test/corpus when it has objects, and test/asm/*.c built here
# with -target bpf -mcpu=v4 -O2 -g) through bpfas:
#
#   1. bpfas -d X.o > X.s; bpfas X.s -o Y.o: every non-empty code section of
#      Y.o has X.o's bytes, the relocations (section, offset, type, symbol as
#      llvm-objdump -dr prints them) are the same, and bpfas -d Y.o prints
#      the same text as bpfas -d X.o.
#   2. bpfas -d (--numeric-helpers) against llvm-objdump-19 -dr --mcpu=v4,
#      instruction by instruction, after these normalisations:
#        - llvm-objdump's "<sym+0x..>" annotations after targets are dropped;
#        - hex numbers become decimal (64-bit two's complement);
#        - u8/u16/u32 loads and stores: objdump --mcpu=v4 names the data
#          register wN, bpfas rN (same instruction);
#        - instructions with a relocation: the relocated operand (objdump's
#          raw immediate, bpfas's symbol) becomes SYM;
#        - BPF-to-BPF calls without a relocation: objdump prints the raw
#          pc-relative immediate, bpfas the callee's name; bpfas's operand is
#          replaced by the immediate from the instruction's bytes.
# Skips (exit 0) when clang-19 and llvm-objdump-19 are missing.
set -uo pipefail
src=${BK_SRC:-.}
build=${BK_BUILD:-$src/build}
for t in clang-19 llvm-objdump-19 llvm-objcopy-19 jq; do
	command -v $t >/dev/null || { echo "$t not found: skipped"; exit 0; }
done
tmp=$(mktemp -d /tmp/bk-objdump.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

objs=()
for o in "$build"/samples/*.bpf.o; do [ -e "$o" ] && objs+=("$o"); done
while IFS= read -r o; do objs+=("$o"); done < <(find "$src/test/corpus" -name '*.o' 2>/dev/null | sort)
inc=/usr/include/$(gcc -print-multiarch 2>/dev/null)
for c in "$src"/test/asm/*.c; do
	[ -e "$c" ] || continue
	o=$tmp/$(basename "$c" .c).o
	if clang-19 -target bpf -mcpu=v4 -O2 -g -Wall -I"$inc" -c "$c" -o "$o" 2>"$tmp/cc.err"; then
		objs+=("$o")
	else
		echo "FAIL $c: clang-19: $(head -3 "$tmp/cc.err")"
		exit 1
	fi
done
[ -d "$src/test/corpus" ] || echo "(no test/corpus yet: samples and test/asm only)"

# Hex literals to decimal, 64-bit two's complement.
dec() {
	local s=$1 out= neg v
	while [[ $s =~ (-?)0x([0-9a-fA-F]+) ]]; do
		neg=${BASH_REMATCH[1]}
		v=$((16#${BASH_REMATCH[2]}))
		[ -n "$neg" ] && v=$((-v))
		out+=${s%%"${BASH_REMATCH[0]}"*}$v
		s=${s#*"${BASH_REMATCH[0]}"}
	done
	printf '%s' "$out$s"
}

# Normalises one instruction's text; $2: it has a relocation.
norm() {
	local s
	s=$(dec "$(sed -E 's/ <[^<>]*>$//' <<<"$1")")
	s=$(sed -E 's/^w([0-9]+) = \*\(u(8|16|32) \*\)/r\1 = *(u\2 *)/;
		    s/^(\*\(u(8|16|32) \*\)\([^)]*\)) = w([0-9]+)$/\1 = r\3/' <<<"$s")
	if [ "$2" = 1 ]; then
		s=$(sed -E 's/^(r[0-9]+ = ).* ll$/\1SYM ll/; s/^call .*/call SYM/' <<<"$s")
	fi
	printf '%s' "$s"
}

nobj=0 bytes_ok=0 rel_ok=0 text_ok=0 ninsn=0 nsame=0 fail=0
for x in "${objs[@]}"; do
	name=$(basename "$x")
	nobj=$((nobj + 1))
	if ! bpfas -d "$x" -o "$tmp/x.s" 2>"$tmp/err" ||
		! bpfas "$tmp/x.s" -o "$tmp/y.o" 2>>"$tmp/err"; then
		echo "FAIL $name: $(head -3 "$tmp/err")"
		fail=1
		continue
	fi
	# 1. bytes, relocations, text.
	same=1
	while read -r sec size; do
		[ "$size" = 000000 ] && continue
		llvm-objcopy-19 --dump-section "$sec=$tmp/a.bin" "$x" &&
			llvm-objcopy-19 --dump-section "$sec=$tmp/b.bin" "$tmp/y.o" 2>/dev/null &&
			cmp -s "$tmp/a.bin" "$tmp/b.bin" || { same=0; echo "FAIL $name: section $sec bytes differ"; }
	done < <(readelf -SW "$x" | sed -n 's/^ *\[ *[0-9]*\] *//p' | awk '$8 ~ /X/ {print $1, $5}')
	[ $same = 1 ] && bytes_ok=$((bytes_ok + 1)) || fail=1
	relocs() {
		llvm-objdump-19 -dr "$1" | awk '/^Disassembly of section/ {s=$4} /R_BPF/ {print s, $1, $2, $3}'
	}
	if diff <(relocs "$x") <(relocs "$tmp/y.o") >"$tmp/rdiff"; then
		rel_ok=$((rel_ok + 1))
	else
		echo "FAIL $name: relocations differ:"; head -6 "$tmp/rdiff"; fail=1
	fi
	if bpfas -d "$tmp/y.o" | cmp -s - "$tmp/x.s"; then
		text_ok=$((text_ok + 1))
	else
		echo "FAIL $name: bpfas -d of the reassembled object differs"; fail=1
	fi
	# 2. against llvm-objdump.
	llvm-objdump-19 -dr --mcpu=v4 --no-show-raw-insn "$x" | awk '
		/^Disassembly of section/ { sec = $4; sub(/:$/, "", sec); next }
		/R_BPF/ { rel[last] = 1; next }
		/^ *[0-9]+:\t/ { i = $1; sub(/:$/, "", i); t = $0; sub(/^ *[0-9]+:\t/, "", t)
				 last = sec "\t" i; text[last] = t; order[++n] = last }
		END { for (k = 1; k <= n; k++) print order[k] "\t" (rel[order[k]] ? 1 : 0) "\t" text[order[k]] }
	' >"$tmp/od.tsv"
	bpfas -d --numeric-helpers --json "$x" |
		jq -r '.insns[] | [.section, .index, .bytes, .text] | @tsv' >"$tmp/bk.tsv"
	declare -A odt=() odr=()
	while IFS=$'\t' read -r sec i r t; do
		odt["$sec/$i"]=$t
		odr["$sec/$i"]=$r
	done <"$tmp/od.tsv"
	while IFS=$'\t' read -r sec i bytes t; do
		ninsn=$((ninsn + 1))
		key="$sec/$i"
		o=${odt[$key]-MISSING}
		r=${odr[$key]-0}
		b=($bytes)
		if [ "$r" = 0 ] && [ "${b[0]}" = 85 ] && [ "${b[1]:0:1}" = 1 ]; then
			# Local call without a relocation: compare by the immediate.
			t="call $(( $((16#${b[7]}${b[6]}${b[5]}${b[4]})) << 32 >> 32 ))"
		fi
		no=$(norm "$o" "$r") nt=$(norm "$t" "$r")
		if [ -n "$nt" ] && [ "$no" = "$nt" ]; then
			nsame=$((nsame + 1))
		else
			echo "FAIL $name $key: llvm-objdump '$o' vs bpfas '$t'"
			fail=1
		fi
	done <"$tmp/bk.tsv"
	unset odt odr
done
echo "$nobj objects: $bytes_ok with identical code bytes after bpfas -d | bpfas," \
	"$rel_ok with identical relocations, $text_ok with identical bpfas -d text"
echo "$nsame/$ninsn instructions match llvm-objdump-19 -d after normalisation"
[ "$nobj" -gt 0 ] || { echo "no objects found"; exit 1; }
exit $fail
