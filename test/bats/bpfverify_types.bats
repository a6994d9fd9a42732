#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# bpfverify on every program type and for each kernel release: section
# names select the type and attach type, --type names any kernel type,
# --target-kernel decides as an older release would (and refuses values it
# does not know), the man page documents it, and --kernel compares typed
# programs with the running kernel (root).

load 'helper'

setup() {
	TMP=$BATS_TEST_TMPDIR
	cat >"$TMP/types.s" <<'EOF'
	.license "GPL"
	.section "kprobe/do_unlinkat"
	.globl kp_regs
kp_regs:
	r0 = *(u64 *)(r1 + 112)
	r0 = 0
	exit

	.section "cgroup/connect4"
	.globl connect_ret_2
connect_ret_2:
	r0 = 2
	exit

	.section "cgroup/connect_unix"
	.globl connect_unix
connect_unix:
	r0 = 1
	exit

	.section xdp
	.globl sdiv
sdiv:
	r0 = 6
	r1 = 3
	r0 s/= r1
	r0 = 2
	exit
EOF
	bpfas "$TMP/types.s" -o "$TMP/types.o"
}

@test "--help options are in the man page, --target-kernel among them" {
	run bpfverify --help
	assert_success
	assert_output --partial "--target-kernel"
	assert_help_in_man bpfverify
}

@test "section names select program and attach types" {
	run bpfverify --json "$TMP/types.o"
	assert_failure 1
	run jq -r '.programs[] | .program + " " + .type + " " + .verdict + " " + (.error.code // "-")' <<<"$output"
	assert_line "kp_regs kprobe success -"
	assert_line "connect_ret_2 cgroup_sock_addr failure BK_E_V_RET_VALUE"
	assert_line "connect_unix cgroup_sock_addr success -"
	assert_line "sdiv xdp success -"
}

@test "--target-kernel decides as that release would" {
	run bpfverify --json --target-kernel 6.1 -s sdiv "$TMP/types.o"
	assert_failure 1
	assert_equal "$(jq -r '.programs[0].error.code' <<<"$output")" BK_E_V_BAD_INSN
	run bpfverify --json --target-kernel 6.6 -s connect_unix "$TMP/types.o"
	assert_failure 1
	assert_equal "$(jq -r '.programs[0].error.code' <<<"$output")" BK_E_V_PROG_TYPE
	run bpfverify --target-kernel 6.12 -s connect_unix "$TMP/types.o"
	assert_success
	run bpfverify --target-kernel 6.6 -s sdiv "$TMP/types.o"
	assert_success
	run bpfverify --target-kernel 6.1 -s sdiv "$TMP/types.o"
	assert_failure 1
	assert_output --partial "new in Linux 6.6, the target is 6.1"
}

@test "--target-kernel running and newest; unknown releases are usage errors" {
	run bpfverify --target-kernel running -s kp_regs "$TMP/types.o"
	assert_success
	run bpfverify --target-kernel newest -s kp_regs "$TMP/types.o"
	assert_success
	run bpfverify --target-kernel 5.10 "$TMP/types.o"
	assert_failure 2
	assert_output --partial "--target-kernel"
	run bash -c "bpfverify --json --target-kernel banana '$TMP/types.o' 2>/dev/null"
	assert_failure 2
	run jq -e '.error.message' <<<"$output"
	assert_success
}

@test "--type names any kernel program type" {
	printf '\x79\x12\x70\x00\x00\x00\x00\x00\xb7\x00\x00\x00\x00\x00\x00\x00\x95\x00\x00\x00\x00\x00\x00\x00' >"$TMP/kp.bin"
	run bpfverify --raw --type kprobe "$TMP/kp.bin"
	assert_success
	run bpfverify --raw --type tracepoint "$TMP/kp.bin"
	assert_success
	run bpfverify --raw --type xdp "$TMP/kp.bin"
	assert_failure 1
	assert_output --partial "BK_E_V_CTX_ACCESS"
	run bpfverify --raw --type lirc_mode2 "$TMP/kp.bin"
	assert_failure 2
}

@test "--kernel compares typed programs with the running kernel (root)" {
	require_root
	run bpfverify --json --kernel "$TMP/types.o"
	assert_failure 1
	run jq -r '[.programs[] | select(.kernel.verdict != "error") | .match] | all' <<<"$output"
	assert_output true
}
