#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# bpfjit as a user runs it: help and man page, `run` on bare bytecode and on
# the samples' objects (memory, packets, pcaps, map updates and dumps,
# repeat, both modes), JSON documents checked with jq, faults and refusals
# (file:insn N, exit 1), usage and I/O errors (exit 2), and `plugin` as the
# conformance suite's runner calls it; the interpreter (--interp) and the
# JIT (the default) give the same results.

load 'helper'

setup() {
	TMP=$BATS_TEST_TMPDIR
	cat >"$TMP/sum.s" <<'EOF'
	r0 = 0
	r3 = 0
loop:
	if r3 >= r2 goto out
	r4 = r1
	r4 += r3
	r5 = *(u8 *)(r4 + 0)
	r0 += r5
	r3 += 1
	goto loop
out:
	exit
EOF
	bpfas --raw "$TMP/sum.s" -o "$TMP/sum.bin"
	cat >"$TMP/oob.s" <<'EOF'
	r0 = 0
	r0 = *(u32 *)(r1 + 4)
	exit
EOF
	bpfas --raw "$TMP/oob.s" -o "$TMP/oob.bin"
	# an Ethernet/IPv4/TCP frame from 10.0.0.2
	IPV4="02 00 00 00 00 01 02 00 00 00 00 02 08 00 45 00 00 28 00 00 00 00 40 06 00 00 0a 00 00 02 0a 00 00 01 30 39 00 50 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
}

@test "bpfjit --help lists the commands and options and exits 0" {
	run bpfjit --help
	assert_success
	assert_output --partial "Usage: bpfjit run"
	assert_output --partial "plugin"
	assert_output --partial "--pcap"
	assert_output --partial "--trusted"
}

@test "every option in bpfjit --help is in the man page" {
	assert_help_in_man bpfjit
}

@test "bpfjit --version" {
	run bpfjit --version
	assert_success
	assert_output --regexp '^bpfjit [0-9]'
}

@test "run --raw sums the memory; r0 in text and JSON" {
	run bpfjit run --raw "$TMP/sum.bin" --mem "01 02 03 fa"
	assert_success
	assert_line --index 0 "r0 = 256 (0x100)"
	assert_output --partial "1 run,"
	run bpfjit run --raw "$TMP/sum.bin" --mem 0x0102030405 --json --repeat 10
	assert_success
	[ "$(jq .r0 <<<"$output")" = 15 ]
	[ "$(jq .runs <<<"$output")" = 10 ]
	[ "$(jq -r .mode <<<"$output")" = checked ]
	[ "$(jq .insns <<<"$output")" -gt 20 ]
	jq -e '.ns_per_run > 0 and .cpu_ns_per_run >= 0' <<<"$output"
}

@test "run --raw reads memory from a file and bytecode from stdin" {
	printf '\x05\x06' >"$TMP/mem"
	run bash -c "bpfjit run --raw - --mem-file '$TMP/mem' --trusted --json < '$TMP/sum.bin'"
	assert_success
	[ "$(jq .r0 <<<"$output")" = 11 ]
	[ "$(jq -r .mode <<<"$output")" = trusted ]
}

@test "--interp runs the interpreter, --jit (the default) native code: same results" {
	for mode in "" --trusted; do
		run bpfjit run --raw "$TMP/sum.bin" --mem "01 02 03" --interp $mode --json
		assert_success
		[ "$(jq -r .engine <<<"$output")" = interp ]
		[ "$(jq .r0 <<<"$output")" = 6 ]
		run bpfjit run --raw "$TMP/sum.bin" --mem "01 02 03" --jit $mode --json
		assert_success
		[ "$(jq -r .engine <<<"$output")" = jit ]
		[ "$(jq .r0 <<<"$output")" = 6 ]
	done
	run bpfjit run --raw "$TMP/sum.bin" --mem 01 --interp --jit
	assert_failure 2
}

@test "a checked out-of-bounds read faults naming the instruction" {
	for engine in --interp --jit; do
		run bpfjit run --raw "$TMP/oob.bin" --mem "01 02 03 04" $engine
		assert_failure 1
		assert_output --partial "insn 1"
		assert_output --partial "error:"
		run bpfjit run --raw "$TMP/oob.bin" --mem "01 02 03 04" $engine --json
		assert_failure 1
		[ "$(jq -r .error.code <<<"$output")" = BK_E_VM_MEM ]
		[ "$(jq .error.insn <<<"$output")" = 1 ]
	done
}

@test "an instruction budget stops an endless loop" {
	printf 'r0 = 0\nl:\nr0 += 1\ngoto l\nexit\n' >"$TMP/loop.s"
	bpfas --raw "$TMP/loop.s" -o "$TMP/loop.bin"
	run bpfjit run --raw "$TMP/loop.bin" --budget 1000 --interp --json
	assert_failure 1
	[ "$(jq -r .error.code <<<"$output")" = BK_E_VM_BUDGET ]
}

@test "refusals at load: bad jump, bad bytecode size, unknown helper" {
	printf 'goto +5\nexit\n' >"$TMP/j.s"
	bpfas --raw "$TMP/j.s" -o "$TMP/j.bin"
	run bpfjit run --raw "$TMP/j.bin" --json
	assert_failure 1
	[ "$(jq -r .error.code <<<"$output")" = BK_E_VM_JUMP ]
	[ "$(jq .error.insn <<<"$output")" = 0 ]
	printf '\x95\0\0\0\0\0\0' >"$TMP/short.bin"
	run bpfjit run --raw "$TMP/short.bin"
	assert_failure 1
	printf 'call 999\nexit\n' >"$TMP/h.s"
	bpfas --raw "$TMP/h.s" -o "$TMP/h.bin"
	run bpfjit run --raw "$TMP/h.bin" --json
	assert_failure 1
	[ "$(jq -r .error.code <<<"$output")" = BK_E_VM_HELPER ]
}

@test "usage and I/O errors exit 2 with one JSON document" {
	run bpfjit
	assert_failure 2
	run bpfjit frobnicate
	assert_failure 2
	run bpfjit run
	assert_failure 2
	run bpfjit run --raw "$TMP/nonexistent.bin" --json
	assert_failure 2
	jq -e .error <<<"$output"
	run bpfjit run --raw "$TMP/sum.bin" --mem "zz"
	assert_failure 2
	run bpfjit run --raw "$TMP/sum.bin" --repeat 0
	assert_failure 2
	run bpfjit run --raw "$TMP/sum.bin" --no-such-option
	assert_failure 2
}

@test "run an XDP object on a packet: map update, verdict, map dump" {
	run bpfjit run "$SAMPLES/xdp_filter.bpf.o" --mem "$IPV4" --json --dump-maps
	assert_success
	[ "$(jq -r .verdict <<<"$output")" = XDP_PASS ]
	run bpfjit run "$SAMPLES/xdp_filter.bpf.o" --mem "$IPV4" --repeat 3 \
		--map-update blocklist=0a000002=0000000000000000 --dump-maps
	assert_success
	assert_line --index 0 "r0 = 1 (0x1) XDP_DROP"
	assert_output --partial "0a000002: 0300000000000000"
	run bpfjit run "$SAMPLES/xdp_filter.bpf.o" --mem "$IPV4" --map-update nosuchmap=00=00
	assert_failure 2
}

@test "run picks a program with -s and refuses an unknown one" {
	run bpfjit run "$SAMPLES/subprog.bpf.o" -s xdp_classify --mem "$IPV4" --json
	assert_success
	[ "$(jq .r0 <<<"$output")" = 2 ]
	run bpfjit run "$SAMPLES/subprog.bpf.o" -s nope --mem "$IPV4"
	assert_failure 1
}

@test "a program the VM refuses does not keep the object's others from running" {
	cat >"$TMP/two.s" <<'EOF'
	.license "GPL"
	.section xdp
	.globl good
good:
	r0 = 2
	exit
	.section xdp/bad
	.globl bad
bad:
	call bpf_skb_vlan_push
	r0 = 1
	exit
EOF
	bpfas "$TMP/two.s" -o "$TMP/two.o"
	for engine in --interp --jit; do
		run bpfjit run "$TMP/two.o" -s good --mem "$IPV4" $engine --json
		assert_success
		[ "$(jq .r0 <<<"$output")" = 2 ]
		run bpfjit run "$TMP/two.o" -s bad --mem "$IPV4" $engine --json
		assert_failure 1
		[ "$(jq -r .error.code <<<"$output")" = BK_E_VM_HELPER ]
		[ "$(jq .error.insn <<<"$output")" = 0 ]
	done
}

@test "bpf_loop and iterator samples compute their results" {
	run bpfjit run "$SAMPLES/iter.bpf.o" --mem "ff ff 00 ff 00 00 00 00 00 00 00 00 00 00 00 00" --dump-maps
	assert_success
	assert_output --partial "00000000: 0300000000000000"
	assert_output --partial "01000000: 1d01000000000000"
	run bpfjit run "$SAMPLES/loop.bpf.o" --mem "01 00 02 00 03 00 00 00 00 00 00 00 00 00 00 00" --dump-maps --trusted
	assert_success
	assert_output --partial "00000000: 0600000000000000"
}

@test "run --pcap counts XDP verdicts" {
	local k="$BK_BUILD/bench/vm/bk-ktest"
	if [ ! -x "$k" ]; then
		mkdir -p "$(dirname "$k")"
		gcc -O2 -o "$k" "$BK_SRC/test/bench/vm/bk-ktest.c" -lbpf -lpcap
	fi
	"$k" gen-pcap "$TMP/t.pcap" 200 >"$TMP/expected"
	run bpfjit run "$SAMPLES/xdp_filter.bpf.o" --pcap "$TMP/t.pcap" --json \
		--map-update blocklist=0a000002=0000000000000000 \
		--map-update blocklist=0a000005=0000000000000000
	assert_success
	[ "$(jq .packets <<<"$output")" = 200 ]
	[ "$(jq .verdicts.XDP_DROP <<<"$output")" = "$(awk '/DROP/ { print $2 }' "$TMP/expected")" ]
	run bpfjit run "$SAMPLES/xdp_filter.bpf.o" --pcap "$TMP/t.pcap"
	assert_success
	assert_output --partial "packets: 200"
	assert_output --partial "XDP_PASS"
	run bpfjit run "$SAMPLES/xdp_filter.bpf.o" --pcap "$TMP/sum.bin"
	assert_failure 2
}

@test "plugin: program on stdin, memory in the arguments, r0 in hex" {
	run bash -c "od -An -v -tx1 '$TMP/sum.bin' | bpfjit plugin --interp 01 02 03 fa"
	assert_success
	assert_output "100"
	run bash -c "od -An -v -tx1 '$TMP/sum.bin' | bpfjit plugin --jit 01 02 03 fa"
	assert_success
	assert_output "100"
	run bash -c "od -An -v -tx1 '$TMP/sum.bin' | bpfjit plugin"
	assert_success
	assert_output "0"
	run bash -c "od -An -v -tx1 '$TMP/oob.bin' | bpfjit plugin 01"
	assert_failure 1
	run bash -c "echo 'not hex' | bpfjit plugin"
	assert_failure 2
	# a conformance test refused by the decoder
	run bash -c "echo 'b7 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00' | bpfjit plugin"
	assert_failure 1
}

@test "plugin runs a conformance test the way the suite does" {
	[ -d "$CONFORMANCE/tests" ] || skip "no conformance data"
	awk '/^-- /{on=($0=="-- asm");next} on{sub(/#.*/,"");print}' \
		"$CONFORMANCE/tests/callx.data" >"$TMP/callx.s"
	bpfas --raw "$TMP/callx.s" -o "$TMP/callx.bin"
	run bash -c "od -An -v -tx1 '$TMP/callx.bin' | bpfjit plugin --interp"
	assert_success
	assert_output "2"
}

# Compiles BPF C from stdin into $TMP/$1.o.
bpf_cc() {
	clang-19 -target bpf -O2 -g -I"/usr/include/$(gcc -print-multiarch)" -x c - -c -o "$TMP/$1.o"
}

@test "run a tc program on a packet: __sk_buff fields, skb helpers, TC_ACT verdicts" {
	bpf_cc tc <<'EOF2'
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
SEC("tc")
int tc_prog(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	unsigned char proto = 0;

	if (skb->protocol != __builtin_bswap16(0x0800) || data + 34 > end)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, 23, &proto, 1))
		return TC_ACT_UNSPEC;
	skb->mark = skb->len;
	return proto == 6 ? TC_ACT_SHOT : TC_ACT_OK;
}
char LICENSE[] SEC("license") = "GPL";
EOF2
	echo "$IPV4" | xxd -r -p >"$TMP/pkt.bin"
	for e in --interp --jit; do
		run bpfjit run "$TMP/tc.o" --packet "$TMP/pkt.bin" $e --json
		assert_success
		[ "$(jq -r .type <<<"$output")" = sched_cls ]
		[ "$(jq .r0 <<<"$output")" = 2 ]
		[ "$(jq -r .verdict <<<"$output")" = TC_ACT_SHOT ]
	done
	run bpfjit run "$TMP/tc.o" --packet "$TMP/pkt.bin" --trusted
	assert_success
	assert_output --partial "r0 = 2 (0x2) TC_ACT_SHOT"
	# a non-IP frame passes; one shorter than an Ethernet header is refused
	run bpfjit run "$TMP/tc.o" --mem "ffffffffffff020000000002080600010800060400010000"
	assert_success
	assert_output --partial "TC_ACT_OK"
	run bpfjit run "$TMP/tc.o" --mem "0102"
	assert_failure 2
	# as a socket filter the same code may not read data (checked mode)
	run bpfjit run "$TMP/tc.o" --type socket --packet "$TMP/pkt.bin"
	assert_failure 1
	assert_output --partial "outside the program's memory"
}

@test "an object with a map type the VM lacks loads; only the program using it is refused" {
	bpf_cc maps <<'EOF2'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} socks SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");
SEC("xdp")
int counts(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&hits, &k);

	if (v)
		*v += 1;
	return XDP_PASS;
}
SEC("xdp")
int uses_socks(struct xdp_md *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&socks, &k) ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
EOF2
	echo "$IPV4" | xxd -r -p >"$TMP/pkt.bin"
	run bpfjit run "$TMP/maps.o" -s counts --packet "$TMP/pkt.bin" --repeat 3 --dump-maps
	assert_success
	assert_output --partial "XDP_PASS"
	assert_output --partial "00000000: 0300000000000000"
	run bpfjit run "$TMP/maps.o" -s uses_socks --packet "$TMP/pkt.bin" --json
	assert_failure 1
	[ "$(jq -r .error.code <<<"$output")" = BK_E_VM_MAP ]
	jq -r .error.message <<<"$output" | grep -q "map socks has type 18 (sockhash)"
}
