#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# bpfjit's native-code side as a user sees it: `dump` (text and JSON: the
# BPF instructions with their x86 code, offsets and bytes), --harden (no
# immediate left in the code, same results), chains of XDP programs through
# the dispatcher (verdicts, JSON, refusals), and the JIT and the interpreter
# agreeing on the samples in both modes.

load 'helper'

setup() {
	TMP=$BATS_TEST_TMPDIR
	cat >"$TMP/pass.s" <<'EOF'
	.section xdp
xdp_pass:
	r0 = 2
	exit
EOF
	cat >"$TMP/small.s" <<'EOF'
	.section xdp
xdp_drop_small:
	r2 = *(u32 *)(r1 + 0)
	r3 = *(u32 *)(r1 + 4)
	r3 -= r2
	r0 = 1
	if r3 < 60 goto +1
	r0 = 2
	exit
EOF
	cat >"$TMP/tx.s" <<'EOF'
	.section xdp
xdp_tx:
	r0 = 3
	exit
EOF
	cat >"$TMP/imm.s" <<'EOF'
	r0 = 0x12345678
	r0 += 0x11223344
	r0 ^= r2
	exit
EOF
	cat >"$TMP/raw.s" <<'EOF'
	.section raw
sum:
	r0 = 0
	exit
EOF
	for p in pass small tx raw; do bpfas "$TMP/$p.s" -o "$TMP/$p.o"; done
	bpfas --raw "$TMP/imm.s" -o "$TMP/imm.bin"
	MEM64=$(printf '00%.0s' $(seq 64))
	MEM32=$(printf '00%.0s' $(seq 32))
}

@test "dump prints each BPF instruction with its x86 code between enter, prologue and stubs" {
	run bpfjit dump "$SAMPLES/subprog.bpf.o"
	assert_success
	assert_line --partial "; enter"
	assert_line --partial "; prologue"
	assert_line --partial "; stubs"
	assert_output --partial "push rbp"
	assert_output --partial "ret"
	assert_output --regexp "    0: w0 = 1"
	assert_output --partial "call pc+"
	run bpfjit --dump "$SAMPLES/subprog.bpf.o" --trusted
	assert_success
	assert_line --partial "trusted mode"
	run bpfjit dump "$SAMPLES/subprog.bpf.o" "$SAMPLES/loop.bpf.o"
	assert_failure 2
}

@test "dump --json: one document; offsets grow, bytes match sizes" {
	run bpfjit dump "$SAMPLES/xdp_filter.bpf.o" --json
	assert_success
	[ "$(jq -r .mode <<<"$output")" = checked ]
	[ "$(jq '.insns | length' <<<"$output")" -gt 10 ]
	# offsets are non-decreasing and each block's bytes have its size
	[ "$(jq '[.insns[].offset] | . == sort' <<<"$output")" = true ]
	[ "$(jq '[.insns[] | (.bytes | gsub(" "; "") | length) == 2 * .size] | all' <<<"$output")" = true ]
	[ "$(jq '.enter.size > 0 and .prologue.size > 0' <<<"$output")" = true ]
	[ "$(jq -r '.insns[0].x86 | type' <<<"$output")" = array ]
	run bpfjit dump "$TMP/nope.o" --json
	assert_failure 2
	jq -e .error.message <<<"$output"
}

@test "--harden keeps immediates out of the code and gives the same r0" {
	run bpfjit dump --raw "$TMP/imm.bin" --json
	assert_success
	grep -q "78 56 34 12" <<<"$output"
	run bpfjit dump --raw "$TMP/imm.bin" --json --harden
	assert_success
	[ "$(jq .harden <<<"$output")" = true ]
	! grep -q "78 56 34 12" <<<"$output"
	! grep -q "44 33 22 11" <<<"$output"
	run bpfjit run --raw "$TMP/imm.bin" --mem "01 02" --harden --json
	assert_success
	local hard=$(jq .r0 <<<"$output")
	run bpfjit run --raw "$TMP/imm.bin" --mem "01 02" --json --interp
	assert_success
	[ "$(jq .r0 <<<"$output")" = "$hard" ]
}

@test "a chain of XDP programs runs while they pass; the last verdict counts" {
	run bpfjit run "$TMP/pass.o" "$TMP/small.o" "$TMP/tx.o" --mem "$MEM64"
	assert_success
	assert_output --partial "chain of 3 XDP programs"
	assert_output --regexp "XDP_TX +1"
	assert_output --partial "jit, dispatcher"
	run bpfjit run "$TMP/pass.o" "$TMP/small.o" "$TMP/tx.o" --mem "$MEM32" --repeat 10 --json
	assert_success
	[ "$(jq .verdicts.XDP_DROP <<<"$output")" = 10 ]
	[ "$(jq '.chain | length' <<<"$output")" = 3 ]
	[ "$(jq '.chain[2].runs' <<<"$output")" = 0 ]
	[ "$(jq .dispatcher <<<"$output")" = true ]
	run bpfjit run "$TMP/pass.o" "$TMP/small.o" "$TMP/tx.o" --mem "$MEM32" --interp --json
	assert_success
	[ "$(jq .verdicts.XDP_DROP <<<"$output")" = 1 ]
	[ "$(jq .dispatcher <<<"$output")" = false ]
}

@test "a chain refuses programs that are not XDP and options that do not apply" {
	run bpfjit run "$TMP/pass.o" "$TMP/raw.o" --mem "$MEM64"
	assert_failure 1
	assert_output --partial "not an XDP program"
	run bpfjit run "$TMP/pass.o" "$TMP/tx.o" --raw --mem "$MEM64"
	assert_failure 2
	run bpfjit run "$TMP/pass.o" "$TMP/missing.o" --mem "$MEM64" --json
	assert_failure
	jq -e .error.message <<<"$output"
}

@test "the JIT and the interpreter agree on the samples, checked and trusted" {
	local mem="01 00 02 00 03 00 00 00 00 00 00 00 00 00 00 00" s mode
	for s in loop iter subprog xdp_filter; do
		for mode in "" --trusted; do
			run bpfjit run "$SAMPLES/$s.bpf.o" --mem "$mem" $mode --dump-maps --json
			assert_success
			local j=$(jq -c '[.r0, .maps]' <<<"$output")
			run bpfjit run "$SAMPLES/$s.bpf.o" --mem "$mem" $mode --dump-maps --json --interp
			assert_success
			[ "$(jq -c '[.r0, .maps]' <<<"$output")" = "$j" ]
		done
	done
}
