# SPDX-License-Identifier: MIT
# Shared by the conformance runners (test/conformance.sh,
# test/check.d/47-conformance-facts.sh): reading a test's sections and
# turning its program into the hex bytes `bpfjit plugin` reads.  Sourced.

# section NAME FILE: the lines of section NAME, comments removed.
section() {
	awk -v want="-- $1" '
		/^-- / { on = ($0 == want); next }
		on { sub(/#.*/, ""); print }' "$2"
}

# raw words (0x...) to hex bytes, little endian.
raw_to_hex() {
	local w
	for w in $(grep -oE '0x[0-9a-fA-F]+'); do
		w=$(printf '%016x' "$w")
		for i in 14 12 10 8 6 4 2 0; do printf '%s ' "${w:$i:2}"; done
	done
	echo
}

# prog_hex TEST WORK: writes WORK/prog.hex from the test's `-- raw`
# section, or from its `-- asm` section assembled with `bpfas --raw`
# (bpfas's message in WORK/asm.err; returns 1 when bpfas refuses it).
prog_hex() {
	if grep -q '^-- raw' "$1"; then
		section raw "$1" | raw_to_hex >"$2/prog.hex"
		return 0
	fi
	section asm "$1" >"$2/prog.s"
	bpfas --raw "$2/prog.s" -o "$2/prog.bin" 2>"$2/asm.err" || return 1
	od -An -v -tx1 "$2/prog.bin" >"$2/prog.hex"
}
