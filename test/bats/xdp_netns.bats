#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The XDP filter sample on a real NIC hook: two network namespaces joined by
# a veth pair (A 10.200.0.1 -- B 10.200.0.2), the filter attached by bpfload
# to B's end in native and in generic mode, pings from A, the counters read
# with mapctl, a blocklisted source dropped (and its hit counter growing),
# and --detach restoring traffic.
#
# bpfload runs inside B's network namespace with `nsenter --net` rather than
# `ip netns exec`, which would remount /sys and hide the host's bpffs (the
# pins would land in a bpffs of its own and vanish).
#
# Clean-up: every namespace this file creates is named bkx-<run>-*; each
# test's teardown removes its pair and pins, teardown_file removes anything
# of the run still left, and a trap removes a half-made pair when setting
# it up fails.  Both run when a test fails.

load 'helper'

RUN=bkx-${BATS_ROOT_PID:-$$}

setup() {
	require_root
	ensure_bpffs
	A=$RUN-a$BATS_TEST_NUMBER
	B=$RUN-b$BATS_TEST_NUMBER
	PIN=/sys/fs/bpf/$RUN-$BATS_TEST_NUMBER
	OBJ=$SAMPLES/xdp_filter.bpf.o
	make_pair
}

teardown() {
	[ "$(id -u)" -eq 0 ] || return 0
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$PIN"
	return 0
}

teardown_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	for ns in $(ip netns list | awk '{print $1}' | grep "^$RUN-"); do
		ip netns del "$ns"
	done
	rm -rf /sys/fs/bpf/"$RUN"-*
	return 0
}

make_pair() {
	trap 'ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null' ERR
	ip netns add "$A"
	ip netns add "$B"
	ip -n "$A" link add veth-a type veth peer name veth-b netns "$B"
	ip -n "$A" addr add 10.200.0.1/24 dev veth-a
	ip -n "$B" addr add 10.200.0.2/24 dev veth-b
	ip -n "$A" link set veth-a up
	ip -n "$B" link set veth-b up
	ip -n "$A" link set lo up
	ip -n "$B" link set lo up
	trap - ERR
}

in_b() {
	nsenter --net="/run/netns/$B" "$@"
}

ping_b() {
	ip netns exec "$A" ping -c "${1:-3}" -i 0.2 -W 1 -q 10.200.0.2
}

# The whole story in one mode.
filter_story() {
	local mode=$1 icmp hits

	run in_b bpfload "$OBJ" --xdp veth-b --mode "$mode" --pin "$PIN"
	assert_success
	assert_output --partial "attached to veth-b (ifindex"
	assert_output --partial "$mode mode"
	assert_output --partial "pinned     $PIN/blocklist"
	run ip -n "$B" link show veth-b
	assert_output --partial "prog/xdp id"

	run ping_b 3
	assert_success
	icmp=$(mapctl lookup --json "$PIN/counters" 2 | jq .value.packets)
	[ "$icmp" -ge 3 ]
	run mapctl lookup "$PIN/counters" 2
	assert_output --regexp "^\{packets=[0-9]+, bytes=[0-9]+\}$"

	run mapctl update "$PIN/blocklist" 10.200.0.1 0
	assert_success
	run ping_b 3
	assert_failure
	hits=$(mapctl lookup "$PIN/blocklist" 10.200.0.1)
	[ "$hits" -ge 3 ]
	run ping_b 2
	assert_failure
	[ "$(mapctl lookup "$PIN/blocklist" 10.200.0.1)" -ge $((hits + 2)) ]
	[ "$(mapctl lookup --json "$PIN/counters" 5 | jq .value.packets)" -ge 5 ]
	run mapctl dump --ipv4 "$PIN/blocklist"
	assert_output --regexp "^key: 10\.200\.0\.1  value: [0-9]+$"

	run in_b bpfload --detach --xdp veth-b --pin "$PIN"
	assert_success
	assert_output --partial "detached XDP program id"
	assert_output --partial "($mode mode)"
	run ip -n "$B" link show veth-b
	refute_output --partial "prog/xdp"
	[ ! -e "$PIN" ]
	run ping_b 2
	assert_success
}

@test "xdp: the filter in native mode counts, blocks and detaches" {
	filter_story native
}

@test "xdp: the filter in generic mode counts, blocks and detaches" {
	filter_story generic
}

@test "xdp: an attached program is replaced only with --replace" {
	run in_b bpfload --json "$OBJ" --xdp veth-b --mode native
	assert_success
	first=$(echo "$output" | jq .verdicts.kernel.prog_id)
	echo "$output" | jq -e '.xdp.mode == "native" and .xdp.interface == "veth-b"'
	run in_b bpfload "$OBJ" --xdp veth-b
	assert_failure 2
	assert_output --partial "veth-b already runs XDP program id $first (native mode); use --replace"
	run in_b bpfload --json "$OBJ" --xdp veth-b --replace
	assert_success
	echo "$output" | jq -e ".xdp.replaced_id == $first and .xdp.mode == \"native\""
	run in_b bpfload "$OBJ" --xdp veth-b --mode generic --replace
	assert_failure 2
	run in_b bpfload --detach --xdp veth-b --mode generic
	assert_failure 1
	assert_output --partial "no generic-mode XDP program (it has one in native mode)"
	run in_b bpfload --detach --xdp veth-b
	assert_success
	run in_b bpfload --detach --xdp veth-b
	assert_failure 1
	assert_output --partial "veth-b: no XDP program is attached"
	run ping_b 1
	assert_success
}

@test "xdp: a failed attach leaves no pins behind" {
	in_b bpfload "$OBJ" --xdp veth-b --mode generic
	run in_b bpfload "$OBJ" --xdp veth-b --pin "$PIN"
	assert_failure 2
	[ -z "$(ls -A "$PIN" 2>/dev/null)" ]
	in_b bpfload --detach --xdp veth-b
}

@test "xdp: bpfas prog.s -o - | bpfload - --xdp drops everything until detached" {
	printf '.license "GPL"\n.section xdp\n\tr0 = 1\n\texit\n' > "$BATS_TEST_TMPDIR/drop.s"
	run ping_b 1
	assert_success
	run in_b bash -c "bpfas '$BATS_TEST_TMPDIR/drop.s' -o - | bpfload - --xdp veth-b --mode generic"
	assert_success
	assert_output --partial "<stdin>: program xdp (section xdp, type xdp)"
	run ping_b 2
	assert_failure
	in_b bpfload --detach --xdp veth-b
	run ping_b 1
	assert_success
}

