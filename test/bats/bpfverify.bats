#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# bpfverify as a user runs it: help and man page, verdicts and exit codes,
# the diagnostic of a rejection (instruction, register, code), the veristat
# columns, --json, --log, -s, --type, --raw, stdin, malformed input, and
# --kernel beside the running kernel (root).

load 'helper'

setup() {
	TMP=$BATS_TEST_TMPDIR
	cat >"$TMP/good.s" <<'EOF'
	.license "GPL"
	.map counters array key=4 value=8 entries=2
	.section xdp
	.globl count
count:
	r1 = 1
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = counters ll
	call bpf_map_lookup_elem
	if r0 == 0 goto out
	r1 = 5
	lock *(u64 *)(r0 + 0) += r1
out:
	r0 = 2
	exit
EOF
	cat >"$TMP/bad.s" <<'EOF'
	.license "GPL"
	.map counters hash key=4 value=8 entries=2
	.section xdp
	.globl nocheck
nocheck:
	r1 = 1
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = counters ll
	call bpf_map_lookup_elem
	r0 = *(u64 *)(r0 + 0)
	exit
	.globl fine
fine:
	r0 = 2
	exit
EOF
	bpfas "$TMP/good.s" -o "$TMP/good.o"
	bpfas "$TMP/bad.s" -o "$TMP/bad.o"
}

@test "bpfverify --help lists every option and the man page has them all" {
	run bpfverify --help
	assert_success
	assert_output --partial "Usage: bpfverify"
	assert_help_in_man bpfverify
}

@test "bpfverify --version" {
	run bpfverify --version
	assert_success
	assert_output --regexp '^bpfverify [0-9]'
}

@test "an accepted program: exit 0 and veristat's columns" {
	run bpfverify "$TMP/good.o"
	assert_success
	assert_line --index 0 --regexp 'File +Program +Verdict +Insns +States +Peak +Time'
	assert_line --index 1 --regexp 'good.o +count +success +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+'
}

@test "a rejection: exit 1, the instruction, register, reason and code" {
	run bpfverify "$TMP/bad.o"
	assert_failure 1
	assert_output --partial "nocheck"
	assert_output --partial "insn 7"
	assert_output --partial "R0 invalid mem access 'map_value_or_null'"
	assert_output --partial "BK_E_V_NULL_DEREF"
}

@test "-s picks one program; an unknown one is an error" {
	run bpfverify -s fine "$TMP/bad.o"
	assert_success
	assert_output --partial "fine"
	refute_output --partial "nocheck"
	run bpfverify -s nosuch "$TMP/bad.o"
	assert_failure 1
	assert_output --partial "no program or section named 'nosuch'"
}

@test "--json writes one document with verdicts and the error object" {
	run bash -c "bpfverify --json '$TMP/bad.o' 2>/dev/null | jq -c '[.programs[] | [.program, .verdict, .error.code, .error.insn]], .summary'"
	assert_success
	assert_line --index 0 '[["nocheck","failure","BK_E_V_NULL_DEREF",7],["fine","success",null,null]]'
	assert_line --index 1 '{"programs":2,"rejected":1}'
}

@test "--log 2 prints register states in the kernel's notation" {
	run bpfverify --log 2 "$TMP/good.o"
	assert_success
	assert_output --partial "R1=ctx() R10=fp0"
	assert_output --regexp "R0=map_value\(.*\)"
	run bpfverify --log 3 "$TMP/good.o"
	assert_failure 2
}

@test "- reads the object from stdin" {
	run bash -c "bpfas '$TMP/good.s' -o - | bpfverify -"
	assert_success
	assert_output --partial "<stdin>"
}

@test "--raw --type verifies bare bytecode" {
	printf '\xb7\x00\x00\x00\x02\x00\x00\x00\x95\x00\x00\x00\x00\x00\x00\x00' >"$TMP/ret2.bin"
	run bpfverify --raw --type xdp "$TMP/ret2.bin"
	assert_success
	printf '\x95\x00\x00\x00\x00\x00\x00\x00' >"$TMP/noret.bin"
	run bpfverify --raw --type xdp "$TMP/noret.bin"
	assert_failure 1
	assert_output --partial "R0 !read_ok"
	run bpfverify --raw "$TMP/ret2.bin"
	assert_failure 2
}

@test "--type overrides the section and refuses unknown types" {
	run bpfverify --json --type sched_cls "$TMP/good.o"
	assert_success
	assert_output --partial '"type":"sched_cls"'
	run bpfverify --type nosuch "$TMP/good.o"
	assert_failure 2
}

@test "malformed objects and missing files" {
	head -c 100 /dev/urandom >"$TMP/junk.o"
	run bpfverify "$TMP/junk.o"
	assert_failure 1
	run bpfverify "$TMP/does-not-exist.o"
	assert_failure 2
	run bpfverify
	assert_failure 2
}

@test "--nr-cpus and --quiet" {
	run bpfverify --nr-cpus 4 -q "$TMP/good.o"
	assert_success
	assert_output ""
	run bpfverify --nr-cpus 0 "$TMP/good.o"
	assert_failure 2
}

@test "--pretty indents the JSON" {
	run bash -c "bpfverify --json --pretty '$TMP/good.o' | jq -r '.programs[0].verdict'"
	assert_success
	assert_output "success"
}

@test "--kernel leaves no pinned map behind for maps declared LIBBPF_PIN_BY_NAME (root)" {
	ensure_bpffs
	local name=bkpin$$
	rm -f "/sys/fs/bpf/$name"
	clang-19 -target bpf -O2 -g -I"/usr/include/$(gcc -print-multiarch)" -x c - -c \
		-o "$TMP/pin.o" <<EOF
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} $name SEC(".maps");
SEC("xdp") int prog(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&$name, &k);

	if (v)
		*v += 1;
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
EOF
	run bpfverify --kernel --json "$TMP/pin.o"
	assert_success
	[ "$(jq -r '.programs[0].kernel.verdict' <<<"$output")" = success ]
	if [ -e "/sys/fs/bpf/$name" ]; then
		rm -f "/sys/fs/bpf/$name"
		fail "bpfverify --kernel left /sys/fs/bpf/$name behind"
	fi
}

@test "--kernel shows the kernel's verdict beside ours (root)" {
	require_root
	run bpfverify --kernel "$TMP/good.o"
	assert_success
	assert_line --index 1 --regexp 'count +success .* success +[0-9]+ +[0-9]+ yes'
	run bpfverify --kernel "$TMP/bad.o"
	assert_failure 1
	assert_output --partial "kernel: R0 invalid mem access 'map_value_or_null'"
	assert_output --partial "0 verdicts differ"
	run bash -c "bpfverify --kernel --json '$TMP/bad.o' 2>/dev/null | jq -c '[.programs[] | [.kernel.verdict, .match]]'"
	assert_output '[["failure",true],["success",true]]'
}
