#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# bpfload as a user runs it, outside network namespaces (those are in
# xdp_netns.bats): kernel test runs, both verdicts, the trimmed log of a
# rejection, objects on stdin, program selection, pins, and bad input of
# every kind (clear message, exit 1 or 2).

load 'helper'

setup() {
	PIN=/sys/fs/bpf/bk-bpfload-${BATS_ROOT_PID:-$$}
	TMP=$BATS_TEST_TMPDIR
	OBJ=$SAMPLES/xdp_filter.bpf.o
}

teardown() {
	[ "$(id -u)" -eq 0 ] && rm -rf "$PIN"
	return 0
}

# Compiles BPF C from stdin into $TMP/$1.o.
bpf_cc() {
	clang-19 -target bpf -O2 -g -I"/usr/include/$(gcc -print-multiarch)" -x c - -c -o "$TMP/$1.o"
}

# An XDP program the kernel rejects: after a checked read of 16 bytes (a
# path of some 50 instructions) it reads byte 40 unchecked.
bad_obj() {
	bpf_cc bad <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int unchecked(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	unsigned s = 0;

	if (p + 16 > end)
		return XDP_PASS;
#pragma unroll
	for (int i = 0; i < 16; i++)
		s += p[i] * (i + 3);
	if (s == 12345)
		return XDP_TX;
	return p[40] == 7 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
EOF
}

# Two programs of different types in one object.
two_obj() {
	bpf_cc two <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("socket")
int sock(struct __sk_buff *skb) { return 0; }
SEC("xdp")
int drop_all(struct xdp_md *ctx) { return XDP_DROP; }
char LICENSE[] SEC("license") = "GPL";
EOF
}

@test "bpfload --help lists every action, and the man page every option" {
	run bpfload --help
	assert_success
	assert_output --partial "--xdp IFACE"
	assert_output --partial "--detach"
	assert_output --partial "--test-run"
	assert_help_in_man bpfload
	run bpfload --version
	assert_success
	assert_output --regexp "^bpfload [0-9]"
}

@test "bpfload: usage errors exit 2 and say what is wrong" {
	run bpfload
	assert_failure 2
	assert_output --partial "nothing to do"
	run bpfload "$OBJ"
	assert_failure 2
	assert_output --partial "nothing to do"
	run bpfload --xdp lo
	assert_failure 2
	assert_output --partial "no object given"
	run bpfload --detach
	assert_failure 2
	assert_output --partial "--detach needs --xdp IFACE"
	run bpfload "$OBJ" --detach --xdp lo
	assert_failure 2
	assert_output --partial "--detach takes no object"
	run bpfload "$OBJ" --xdp lo --mode turbo
	assert_failure 2
	assert_output --partial "--mode turbo: expected native or generic"
	run bpfload "$OBJ" --xdp lo --data x
	assert_failure 2
	assert_output --partial "--data and --repeat go with --test-run"
	run bpfload "$OBJ" --test-run --xdp lo
	assert_failure 2
	assert_output --partial "choose one action"
	run bpfload - --test-run --data -
	assert_failure 2
	assert_output --partial "cannot both come from stdin"
	run bpfload "$OBJ" --test-run --repeat 0
	assert_failure 2
	run bpfload --frob
	assert_failure 2
	assert_output --partial "unknown option '--frob'"
	run bpfload --json "$OBJ"
	assert_failure 2
	echo "$output" | jq -e '.error.message | test("nothing to do")'
}

@test "bpfload: a missing object, a file that is not an object, a missing interface" {
	run bpfload "$TMP/nothere.o" --test-run
	assert_failure 2
	assert_output --partial "nothere.o: No such file or directory"
	echo "not an ELF file" > "$TMP/junk.o"
	run bpfload "$TMP/junk.o" --test-run
	assert_failure 1
	assert_output --partial "junk.o: libbpf cannot open this object"
	run bpfload "$OBJ" --xdp bk-no-such-if0
	assert_failure 2
	assert_output --partial "bk-no-such-if0: no such network interface"
	run bpfload --detach --xdp bk-no-such-if0
	assert_failure 2
	assert_output --partial "no such network interface"
	run bpfload --json "$OBJ" --xdp bk-no-such-if0
	assert_failure 2
	echo "$output" | jq -e '.error.code == "ENODEV"'
}

@test "bpfload --test-run runs the XDP filter in the kernel" {
	require_root
	run bpfload "$OBJ" --test-run
	assert_success
	assert_output --partial "program xdp_filter (section xdp, type xdp)"
	assert_output --regexp "bpfverify  accepted: [0-9]+ insns processed"
	assert_output --partial "kernel     accepted: program id"
	assert_output --partial "retval 2 (XDP_PASS)"
	assert_output --partial "packet 64 bytes, unchanged"
	run bpfload --json "$OBJ" --test-run --repeat 1000
	assert_success
	echo "$output" | jq -e '.test_run.verdict == "XDP_PASS" and .test_run.repeat == 1000'
	echo "$output" | jq -e '.verdicts.kernel.verdict == "accepted" and .verdicts.kernel.prog_id > 0'
	echo "$output" | jq -e '.verdicts.bpfverify.verdict == "accepted" and .agree == true'
	echo "$output" | jq -e '.verdicts.bpfverify.insns_processed > 0'
	run bpfload "$OBJ" --test-run --no-verify
	assert_success
	assert_output --partial "bpfverify  unavailable (skipped: --no-verify)"
}

@test "bpfload --test-run --data and --pin: the counters show the packet" {
	require_root
	ensure_bpffs
	# 60 bytes of ARP-typed frame: the filter counts it as non-IP (slot 4)
	printf '\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x01\x08\x06' > "$TMP/arp.bin"
	head -c 46 /dev/zero >> "$TMP/arp.bin"
	run bpfload "$OBJ" --test-run --data "$TMP/arp.bin" --repeat 5 --pin "$PIN"
	assert_success
	assert_output --partial "pinned     $PIN/blocklist"
	assert_output --partial "$PIN/xdp_filter"
	run mapctl lookup "$PIN/counters" 4
	assert_output "{packets=5, bytes=300}"
	run bpfload "$OBJ" --test-run --pin "$PIN"
	assert_failure 2
	assert_output --partial "$PIN/blocklist exists (from an earlier load?); use --replace"
	run bpfload "$OBJ" --test-run --pin "$PIN" --replace
	assert_success
	run mapctl lookup "$PIN/counters" 4
	assert_output "{packets=0, bytes=0}"
	printf 'short' > "$TMP/short.bin"
	run bpfload "$OBJ" --test-run --data "$TMP/short.bin"
	assert_failure 2
	assert_output --partial "less than an Ethernet header"
	run bpfload "$OBJ" --test-run --data "$TMP/none.bin"
	assert_failure 2
	assert_output --partial "none.bin: No such file or directory"
	run bpfload "$OBJ" --test-run --pin /tmp/not-bpffs-$$
	assert_failure 2
	assert_output --partial "not on a BPF filesystem"
}

@test "bpfload: a kernel rejection prints the end of the verifier's log" {
	require_root
	bad_obj
	run bpfload "$TMP/bad.o" --test-run
	assert_failure 1
	# both verifiers reject it, at the same instruction
	assert_output --regexp "bpfverify  rejected at insn [0-9]+: .*:16: invalid access to packet"
	refute_output --partial "the two verdicts differ"
	assert_output --partial "kernel     rejected (EACCES): R1 offset is outside of the packet"
	assert_output --partial "| invalid access to packet"
	assert_output --partial "| processed "
	assert_output --partial "error: "
	# trimmed: at most 12 instruction lines of the failing path
	[ "$(echo "$output" | grep -cE '^ +\| [0-9]+: \(')" -le 12 ]
	run bpfload --json "$TMP/bad.o" --test-run
	assert_failure 1
	echo "$output" | jq -e '.verdicts.kernel.verdict == "rejected" and .verdicts.kernel.errno == 13'
	echo "$output" | jq -e '.verdicts.kernel.log | map(select(test("^processed "))) | length == 1'
	echo "$output" | jq -e '.error.code == "EACCES"'
	echo "$output" | jq -e '.verdicts.bpfverify.verdict == "rejected" and .agree == true'
	insn=$(echo "$output" | jq .verdicts.bpfverify.insn)
	echo "$output" | jq -e ".verdicts.kernel.log | map(select(startswith(\"$insn: \"))) | length == 1"
	run bpfload -v "$TMP/bad.o" --test-run
	assert_failure 1
	assert_output --partial "libbpf: prog 'unchecked': BPF program load failed"
	full=$(echo "$output" | grep -cE '^ +\| [0-9]+: \(')
	[ "$full" -gt 12 ]
}

@test "bpfload: objects on stdin, and -s picks the program" {
	require_root
	run bash -c "cat '$OBJ' | bpfload - --test-run"
	assert_success
	assert_output --partial "<stdin>: program xdp_filter"
	two_obj
	run bpfload "$TMP/two.o" --test-run -s drop_all
	assert_success
	assert_output --partial "retval 1 (XDP_DROP)"
	run bpfload "$TMP/two.o" --test-run -s xdp
	assert_output --partial "program drop_all (section xdp"
	run bpfload "$TMP/two.o" --test-run -s nosuch
	assert_failure 2
	assert_output --partial "no program or section named 'nosuch'"
	run bpfload "$TMP/two.o" --xdp lo -s sock
	assert_failure 1
	assert_output --partial "program sock (section socket) is of type socket_filter, not xdp"
}

@test "bpfload without privileges says so and exits 2" {
	require_root
	for args in "--test-run" "--xdp lo"; do
		run setpriv --reuid=nobody --regid=nogroup --clear-groups bpfload "$OBJ" $args
		assert_failure 2
		assert_output --partial "permission denied"
	done
}

@test "bpfload: bpfas prog.s -o - | bpfload - (maps made by the assembler)" {
	require_root
	ensure_bpffs
	cat > "$TMP/count.s" <<'EOF'
.license "GPL"
.map hits array key=4 value=8 entries=1
.section xdp
	r1 = 0
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = hits ll
	call bpf_map_lookup_elem
	if r0 == 0 goto out
	r1 = 1
	lock *(u64 *)(r0 + 0) += r1
out:
	r0 = 1
	exit
EOF
	run bash -c "bpfas '$TMP/count.s' -o - | bpfload - --test-run --repeat 7 --pin '$PIN'"
	assert_success
	assert_output --regexp "bpfverify  accepted"
	assert_output --partial "retval 1 (XDP_DROP)"
	run mapctl lookup "$PIN/hits" 0
	assert_output "7"
}

