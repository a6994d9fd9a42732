#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# bpfjit --verify: libverify checks the program first and its facts make
# the native code smaller; results stay the interpreter's on the samples
# (checked and trusted mode), a rejected program is refused, dump reports
# what the facts saved.

load 'helper'

setup() {
	TMP=$BATS_TEST_TMPDIR
	cat >"$TMP/bad.s" <<'EOF2'
	r0 = *(u64 *)(r2 + 0)
	exit
EOF2
	cat >"$TMP/const.s" <<'EOF2'
	r2 = 7
	r3 = *(u8 *)(r1 + 0)
	r3 /= r2
	r0 = r3
	r0 += 1
	exit
EOF2
	bpfas --raw "$TMP/bad.s" -o "$TMP/bad.bin"
	bpfas --raw "$TMP/const.s" -o "$TMP/const.bin"
}

@test "--verify: the samples give the interpreter's results, checked and trusted" {
	local mem="01 00 02 00 03 00 00 00 00 00 00 00 00 00 00 00" s mode
	for s in loop iter subprog xdp_filter; do
		run bpfjit run "$SAMPLES/$s.bpf.o" --mem "$mem" --dump-maps --json --interp
		assert_success
		local j=$(jq -c '[.r0, .maps]' <<<"$output")
		for mode in "" --trusted; do
			run bpfjit run "$SAMPLES/$s.bpf.o" --mem "$mem" $mode --dump-maps --json --verify
			assert_success
			[ "$(jq -c '[.r0, .maps]' <<<"$output")" = "$j" ]
		done
	done
}

@test "--verify refuses a program the verifier rejects, in both engines" {
	run bpfjit run --raw "$TMP/bad.bin" --mem 00 --verify
	assert_failure 1
	assert_output --partial "rejected by the verifier"
	run bpfjit run --raw "$TMP/bad.bin" --mem 00 --verify --json
	assert_failure 1
	[ "$(jq -r .error.code <<<"$output")" != null ]
	run bpfjit run --raw "$TMP/bad.bin" --mem 00 --verify --interp
	assert_failure 1
}

@test "--verify on bytecode: facts, same r0 as the interpreter" {
	run bpfjit run --raw "$TMP/const.bin" --mem 64 --verify --json
	assert_success
	[ "$(jq -r .r0 <<<"$output")" = 15 ]
	run bpfjit dump --raw "$TMP/const.bin" --verify --json
	assert_success
	[ "$(jq -r .verified <<<"$output")" = true ]
	[ "$(jq -r '.facts.insns_shortened > 0' <<<"$output")" = true ]
}

@test "dump --verify: the facts make every sample's checked code smaller" {
	local s
	for s in loop iter subprog xdp_filter; do
		run bpfjit dump "$SAMPLES/$s.bpf.o" --verify --json
		assert_success
		[ "$(jq -r .verified <<<"$output")" = true ]
		[ "$(jq -r '.facts.bytes_saved > 0 and .facts.size_without == .size + .facts.bytes_saved' <<<"$output")" = true ]
		run bpfjit dump "$SAMPLES/$s.bpf.o" --trusted --verify --json
		assert_success
		[ "$(jq -r '.facts.bytes_saved >= 0' <<<"$output")" = true ]
		run bpfjit dump "$SAMPLES/$s.bpf.o" --json
		[ "$(jq -r '.verified, .facts' <<<"$output")" = "false
null" ]
		run bpfjit dump "$SAMPLES/$s.bpf.o" --verify
		assert_success
		assert_output --partial "; verified: the verifier's facts shortened"
	done
}
