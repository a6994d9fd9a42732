#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The conformance suite's negative files, through bpfas:
#   invalid_*.data  malformed assembly: refused with exit 1 and an error at
#                   FILE:LINE:COL
#   unused-*.data   raw encodings with a non-zero unused field: bpfas -d --raw
#                   refuses them with exit 1, naming the instruction and field
#   runner-only files are not malformed programs; they are handled as:
#     empty.data, empty_instructions.data   no program: refused (exit 1) as
#                                           "no instructions"
#     error.data, incorrect_return_value_high_bits.data
#                                           valid programs whose expected
#                                           failure is the runner's (a result
#                                           check): they assemble (exit 0)
#     invalid.sh                            a shell script: not given to bpfas
# Skips (exit 0) when the conformance data is absent.
set -uo pipefail
neg=${BK_CONFORMANCE:-${BK_SRC:-.}/../shared/conformance}/negative
if [ ! -d "$neg" ]; then
	echo "conformance data not found at $neg: skipped"
	exit 0
fi
tmp=$(mktemp -d /tmp/bk-neg.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0 inv=0 inv_ok=0 unused=0 unused_ok=0

for f in "$neg"/invalid_*.data; do
	[ -e "$f" ] || continue
	inv=$((inv + 1))
	name=$(basename "$f")
	(cd "$neg" && bpfas --raw "$name" -o "$tmp/out.bin") 2>"$tmp/err"
	rc=$?
	first=$(head -1 "$tmp/err")
	if [ $rc -eq 1 ] && [[ $first =~ ^$name:[0-9]+:[0-9]+:\ error:\  ]]; then
		inv_ok=$((inv_ok + 1))
		echo "  refused: $first"
	else
		echo "FAIL $name: exit $rc, '$first' (want exit 1 and $name:LINE:COL: error:)"
		fail=1
	fi
done

for f in "$neg"/unused-*.data; do
	[ -e "$f" ] || continue
	unused=$((unused + 1))
	name=$(basename "$f" .data)
	# unused-add64_imm-offset: the field is the last word of the name.
	case ${name##*-} in
	offset) field=off ;;
	*) field=${name##*-} ;;
	esac
	bpfas -d --raw "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	first=$(head -1 "$tmp/err")
	if [ $rc -eq 1 ] && [[ $first == *"insn 0"* ]] && [[ $first == *"field $field "* ]]; then
		unused_ok=$((unused_ok + 1))
	else
		echo "FAIL $name: exit $rc, '$first' (want exit 1 naming insn 0 and field $field)"
		fail=1
	fi
done

runner() { # file, expected exit code, what
	local f=$neg/$1
	[ -e "$f" ] || return 0
	bpfas --raw "$f" -o "$tmp/out.bin" 2>"$tmp/err"
	local rc=$?
	if [ $rc -eq "$2" ]; then
		echo "  $1: exit $rc ($3)${4:+: $(head -1 "$tmp/err")}"
	else
		echo "FAIL $1: exit $rc, want $2 ($3): $(head -1 "$tmp/err")"
		fail=1
	fi
}
runner empty.data 1 "no program: refused" msg
runner empty_instructions.data 1 "no asm section: refused" msg
runner error.data 0 "valid program; the failure it expects is the runner's"
runner incorrect_return_value_high_bits.data 0 "valid program; a result check"
[ -e "$neg/invalid.sh" ] && echo "  invalid.sh: a shell script for runners, not a program: not assembled"

echo "$inv_ok/$inv invalid_*.data refused with file:line:col"
echo "$unused_ok/$unused unused-*.data refused by the decoder, naming the field"
[ $((inv + unused)) -gt 0 ] || { echo "no negative files found"; exit 1; }
exit $fail
