#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# mapctl as a user runs it: every command, the key/value forms, BTF-typed
# values, JSON round trips through load, and bad input of every kind (clear
# message, exit 1 or 2, nothing written).  Maps live under a bpffs
# directory of this run, removed in teardown.

load 'helper'

setup() {
	PIN=/sys/fs/bpf/bk-mapctl-${BATS_ROOT_PID:-$$}
	TMP=$BATS_TEST_TMPDIR
}

teardown() {
	[ "$(id -u)" -eq 0 ] && rm -rf "$PIN"
	return 0
}

# A pinned map: mk NAME mapctl-create-options...
mk() {
	local name=$1
	shift
	ensure_bpffs
	mkdir -p "$PIN"
	mapctl create "$PIN/$name" "$@"
}

@test "mapctl --help lists every command, and the man page every option" {
	run mapctl --help
	assert_success
	for c in list show dump lookup update delete load create pin freeze; do
		assert_output --partial "  $c"
	done
	assert_help_in_man mapctl
}

@test "mapctl: usage errors exit 2 with a message, as JSON too" {
	run mapctl
	assert_failure 2
	assert_output --partial "no command given"
	run mapctl frobnicate
	assert_failure 2
	assert_output --partial "unknown command 'frobnicate'"
	run mapctl --bogus list
	assert_failure 2
	assert_output --partial "unknown option '--bogus'"
	run mapctl lookup onlyone
	assert_failure 2
	assert_output --partial "usage: mapctl lookup MAP KEY"
	run mapctl --json dump
	assert_failure 2
	echo "$output" | jq -e '.error.message | test("usage")'
	run mapctl dump --batch=0 x
	assert_failure 2
	assert_output --partial "--batch=0"
	run mapctl show notamap
	assert_failure 2
	assert_output --regexp "MAP is id:N, name:NAME.* or the path of a pinned map"
}

@test "mapctl create, show, list, pin, name:" {
	run mk h --type hash --key-size 4 --value-size 8 --entries 16 --name bk_mc_h$$
	assert_success
	assert_output --regexp "created id:[0-9]+, pinned at $PIN/h"
	run mapctl show "$PIN/h"
	assert_success
	assert_output --partial "type: hash"
	assert_output --partial "key: 4 bytes  value: 8 bytes"
	assert_output --partial "max_entries: 16"
	assert_output --partial "dump methods: batch, elem"
	id=$(mapctl show --json "$PIN/h" | jq .map.id)
	run mapctl list
	assert_success
	assert_output --regexp "^ *ID +TYPE"
	assert_line --regexp "^ *$id +hash +bk_mc_h"
	mapctl list --json | jq -e ".maps[] | select(.id == $id) | .key_size == 4"
	run mapctl pin "id:$id" "$PIN/h2"
	assert_success
	run mapctl show --json "$PIN/h2"
	assert_success
	[ "$(echo "$output" | jq .map.id)" = "$id" ]
	run mapctl show "name:bk_mc_h$$"
	assert_success
	assert_output --partial "id:$id "
}

@test "mapctl update, lookup, delete: hex bytes, integers, IPv4" {
	mk h --type hash --key-size 4 --value-size 8 --entries 16
	run mapctl update "$PIN/h" "0a 00 00 01" 5
	assert_success
	run mapctl lookup "$PIN/h" 10.0.0.1
	assert_success
	assert_output "05 00 00 00 00 00 00 00"
	run mapctl update "$PIN/h" hex:0a000001 -1
	assert_success
	run mapctl lookup "$PIN/h" "0a:00:00:01"
	assert_output "ff ff ff ff ff ff ff ff"
	mapctl update "$PIN/h" 0x0a000001 "01 02 03 04 05 06 07 08"
	run mapctl lookup "$PIN/h" 167772161
	assert_output "01 02 03 04 05 06 07 08"
	run mapctl update --noexist "$PIN/h" 167772161 0
	assert_failure 1
	assert_output --partial "exists (--noexist)"
	run mapctl update --exist "$PIN/h" 9 0
	assert_failure 1
	assert_output --partial "not found (--exist)"
	run mapctl delete "$PIN/h" 167772161
	assert_success
	run mapctl lookup "$PIN/h" 167772161
	assert_failure 1
	assert_output --partial "key 167772161 not found"
	run mapctl delete "$PIN/h" 167772161
	assert_failure 1
	run mapctl --json lookup "$PIN/h" 3
	assert_failure 1
	echo "$output" | jq -e '.error.code == "ENOENT"'
}

@test "mapctl: keys and values of the wrong size or that do not parse" {
	mk h --type hash --key-size 4 --value-size 8 --entries 16
	run mapctl update "$PIN/h" "0a 00" 1
	assert_failure 2
	assert_output --partial "key: 2 hex bytes given, the map needs 4"
	run mapctl update "$PIN/h" 1 "01 02"
	assert_failure 2
	assert_output --partial "value: 2 hex bytes given, the map needs 8"
	run mapctl update "$PIN/h" 4294967296 1
	assert_failure 2
	assert_output --partial "does not fit in 4 bytes"
	run mapctl lookup "$PIN/h" zz
	assert_failure 2
	assert_output --partial "no BTF"
	run mapctl update "$PIN/h" 1 "{a=1}"
	assert_failure 2
	assert_output --partial "no BTF"
	run mapctl update "$PIN/h" 10.0.0.300 1
	assert_failure 2
	mk odd --type hash --key-size 3 --value-size 8 --entries 4
	run mapctl update "$PIN/odd" 5 1
	assert_failure 2
	assert_output --partial "an integer needs a 1, 2, 4 or 8 byte key"
	[ -z "$(mapctl dump "$PIN/h")$(mapctl dump "$PIN/odd")" ]
}

@test "mapctl: maps that do not exist" {
	ensure_bpffs
	run mapctl show id:4000000000
	assert_failure 2
	assert_output --partial "no map with id 4000000000"
	run mapctl dump name:bk_no_such_map
	assert_failure 2
	assert_output --partial "no map named 'bk_no_such_map'"
	run mapctl lookup /sys/fs/bpf/bk-no-such-dir/m 1
	assert_failure 2
	assert_output --partial "no such pinned map"
	run mapctl show /etc/hostname
	assert_failure 2
	assert_output --partial "not on a BPF filesystem"
	run mapctl --json show id:4000000000
	assert_failure 2
	echo "$output" | jq -e '.error.code == "ENOENT"'
}

@test "mapctl dump: text, JSON, --hex, --ipv4, and every method" {
	mk h --type hash --key-size 4 --value-size 8 --entries 64
	for i in 1 2 3; do mapctl update "$PIN/h" "10.0.0.$i" "$i"; done
	run mapctl dump "$PIN/h"
	assert_success
	assert_line "key: 0a 00 00 02  value: 02 00 00 00 00 00 00 00"
	[ "${#lines[@]}" -eq 3 ]
	run mapctl dump --ipv4 "$PIN/h"
	assert_line "key: 10.0.0.3  value: 03 00 00 00 00 00 00 00"
	for m in --batch --batch=1 --elem; do
		run mapctl dump $m --stats "$PIN/h"
		assert_success
		assert_line "key: 0a 00 00 01  value: 01 00 00 00 00 00 00 00"
		m=${m#--}
		assert_output --partial "method ${m%%=*}"
	done
	run mapctl dump --mmap "$PIN/h"
	assert_failure 2
	assert_output --partial "--mmap needs an array created with BPF_F_MMAPABLE"
	run mapctl dump --json "$PIN/h"
	assert_success
	echo "$output" | jq -e '.count == 3 and .method == "batch" and .map.type == "hash"'
	echo "$output" | jq -e '[.entries[] | select(.key == "0a 00 00 03")][0].value == "03 00 00 00 00 00 00 00"'
	mapctl dump --pretty "$PIN/h" | jq -e '.entries | length == 3'
}

@test "mapctl dump --batch=1 grows the batch when a hash bucket does not fit (ENOSPC)" {
	# 8 keys in 8 buckets with a fixed hash seed: some bucket holds two
	mk s --type hash --key-size 4 --value-size 4 --entries 8 --flags zero_seed
	for i in 1 2 3 4 5 6 7 8; do mapctl update "$PIN/s" "$i" "$i"; done
	run mapctl dump --batch=1 --stats "$PIN/s"
	assert_success
	assert_output --partial "8 entries, method batch ("
	refute_output --partial "(1 per call)"
	[ "$(mapctl dump --batch=1 "$PIN/s" | sort)" = "$(mapctl dump --elem "$PIN/s" | sort)" ]
}

@test "mapctl: a map type without batch operations falls back to one by one" {
	mk d --type devmap --key-size 4 --value-size 4 --entries 4
	echo '[{"key": 1, "value": 1}, {"key": 3, "value": 1}]' | mapctl load "$PIN/d"
	run mapctl dump --stats "$PIN/d"
	assert_success
	assert_line "key: 01 00 00 00  value: 01 00 00 00"
	assert_line "key: 03 00 00 00  value: 01 00 00 00"
	assert_output --partial "2 entries, method elem"
	run mapctl dump --batch "$PIN/d"
	assert_failure 2
	assert_output --partial "this map type has no batch lookup; use --elem"
	run mapctl show "$PIN/d"
	assert_output --partial "dump methods: elem"
}

@test "mapctl: maps without keys (queue) are refused clearly" {
	mk q --type queue --key-size 0 --value-size 4 --entries 4
	run mapctl dump "$PIN/q"
	assert_failure 2
	assert_output --partial "a queue map has no keys to walk"
	run mapctl lookup "$PIN/q" 0
	assert_failure 2
	assert_output --partial "a queue map has no keys"
	run mapctl show "$PIN/q"
	assert_output --partial "dump methods: none (no keys)"
}

@test "mapctl dump --mmap reads an mmapable array" {
	mk a --type array --key-size 4 --value-size 4 --entries 5 --flags mmapable
	mapctl update "$PIN/a" 3 0x01020304
	run mapctl show "$PIN/a"
	assert_output --partial "flags: mmapable"
	assert_output --partial "dump methods: mmap, batch, elem"
	run mapctl dump --mmap --stats "$PIN/a"
	assert_success
	assert_line "key: 03 00 00 00  value: 04 03 02 01"
	assert_line "key: 04 00 00 00  value: 00 00 00 00"
	assert_output --partial "method mmap, 0 syscalls"
	[ "$(mapctl dump "$PIN/a")" = "$(mapctl dump --mmap "$PIN/a")" ]
	[ "$(mapctl dump --batch "$PIN/a")" = "$(mapctl dump --elem "$PIN/a")" ]
	run mapctl delete "$PIN/a" 3
	assert_failure 2
	assert_output --partial "array maps have no delete"
	run mapctl update "$PIN/a" 5 1
	assert_failure 1
	assert_output --partial "out of range"
}

@test "mapctl: BTF-typed keys and values (created with --key-type/--value-type)" {
	mk t --type hash --key-type u32 --value-type s64 --entries 8
	run mapctl show "$PIN/t"
	assert_output --partial "key: 4 bytes (u32)  value: 8 bytes (s64)"
	mapctl update "$PIN/t" 7 -300
	run mapctl lookup "$PIN/t" 7
	assert_output "-300"
	run mapctl dump "$PIN/t"
	assert_output "key: 7  value: -300"
	run mapctl dump --hex "$PIN/t"
	assert_output "key: 07 00 00 00  value: d4 fe ff ff ff ff ff ff"
	mapctl dump --json "$PIN/t" | jq -e '.entries == [{"key": 7, "value": -300}]'
	run mapctl update "$PIN/t" 1 9223372036854775808
	assert_failure 2
	assert_output --partial "does not fit in 64 signed bits"
	run mk bad --type hash --key-type u24 --value-size 4 --entries 1
	assert_failure 2
	assert_output --partial "expected u8, u16, u32, u64"
}

@test "mapctl: struct values through the program's BTF" {
	ensure_bpffs
	bpfload "$SAMPLES/xdp_filter.bpf.o" --test-run --repeat 3 --pin "$PIN/x"
	run mapctl show "$PIN/x/counters"
	assert_output --partial "value: 16 bytes (struct counter)"
	run mapctl lookup "$PIN/x/counters" 1
	assert_success
	assert_output "{packets=3, bytes=192}"
	mapctl update "$PIN/x/counters" 4 "{packets=5, bytes=7}"
	run mapctl lookup --json "$PIN/x/counters" 4
	echo "$output" | jq -e '.value == {"packets": 5, "bytes": 7}'
	mapctl update "$PIN/x/counters" 4 '{"bytes": 9}'
	run mapctl lookup "$PIN/x/counters" 4
	assert_output "{packets=0, bytes=9}"
	run mapctl update "$PIN/x/counters" 4 "{pkts=1}"
	assert_failure 2
	assert_output --partial "no member 'pkts' in struct counter"
	run mapctl update "$PIN/x/counters" 4 "{packets=1"
	assert_failure 2
	assert_output --partial "expected ',' or '}'"
	mapctl update "$PIN/x/blocklist" 10.1.2.3 11
	run mapctl dump --ipv4 "$PIN/x/blocklist"
	assert_output "key: 10.1.2.3  value: 11"
}

@test "mapctl load: a JSON dump round-trips into another map" {
	mk src --type hash --key-size 4 --value-size 8 --entries 100
	mk dst --type hash --key-size 4 --value-size 8 --entries 100
	for i in $(seq 1 40); do mapctl update "$PIN/src" "$i" "$((i * 1000))"; done
	mapctl dump --json "$PIN/src" > "$TMP/d.json"
	run mapctl load "$PIN/dst" "$TMP/d.json"
	assert_success
	assert_output "loaded 40 entries into $PIN/dst"
	diff <(mapctl dump "$PIN/src" | sort) <(mapctl dump "$PIN/dst" | sort)
	# stdin, a bare array of entries, and --json output
	mapctl delete "$PIN/dst" 1
	echo '[{"key": 1, "value": "00 00 00 00 00 00 00 01"}]' | mapctl load "$PIN/dst"
	run mapctl lookup "$PIN/dst" 1
	assert_output "00 00 00 00 00 00 00 01"
	run mapctl load --json "$PIN/dst" "$TMP/d.json"
	echo "$output" | jq -e '.loaded == 40'
	# typed maps round-trip too
	bpfload "$SAMPLES/xdp_filter.bpf.o" --test-run --pin "$PIN/x1"
	bpfload "$SAMPLES/xdp_filter.bpf.o" --test-run --pin "$PIN/x2"
	mapctl update "$PIN/x1/counters" 3 "{packets=7, bytes=8}"
	mapctl dump --json "$PIN/x1/counters" | mapctl load "$PIN/x2/counters"
	[ "$(mapctl dump "$PIN/x1/counters")" = "$(mapctl dump "$PIN/x2/counters")" ]
}

@test "mapctl load: malformed input is refused before anything is written" {
	mk m --type hash --key-size 4 --value-size 8 --entries 8
	mapctl update "$PIN/m" 1 1
	before=$(mapctl dump "$PIN/m")
	# the last entry is bad: nothing of the first two may be written
	printf '[{"key": 2, "value": 2}, {"key": 3, "value": 3}, {"key": 4, "value": "01 02"}]' \
		> "$TMP/bad.json"
	run mapctl load "$PIN/m" "$TMP/bad.json"
	assert_failure 1
	assert_output --partial "entries[2].value: 2 hex bytes given, the map needs 8"
	[ "$(mapctl dump "$PIN/m")" = "$before" ]
	printf '[{"key": 2, "value": 2}, {"key": "0a", "value": 3}]' > "$TMP/bad2.json"
	run mapctl load "$PIN/m" "$TMP/bad2.json"
	assert_failure 1
	assert_output --partial "entries[1].key"
	printf '[{"key": 2, "value": 2},\n {"key": 3 "value": 3}]' > "$TMP/bad3.json"
	run mapctl load "$PIN/m" "$TMP/bad3.json"
	assert_failure 1
	assert_output --partial "bad3.json:2:"
	printf '[{"key": 2}]' > "$TMP/bad4.json"
	run mapctl load "$PIN/m" "$TMP/bad4.json"
	assert_failure 1
	assert_output --partial 'needs "key" and "value"'
	seq 1 9 | jq -s '[.[] | {key: ., value: .}]' > "$TMP/big.json"
	run mapctl load "$PIN/m" "$TMP/big.json"
	assert_failure 1
	assert_output --partial "9 entries, and the map holds at most 8"
	run mapctl --json load "$PIN/m" "$TMP/bad.json"
	assert_failure 1
	echo "$output" | jq -e '.error.message | test("entries\\[2\\]")'
	run mapctl load "$PIN/m" "$TMP/nonexistent.json"
	assert_failure 2
	[ "$(mapctl dump "$PIN/m")" = "$before" ]
}

@test "mapctl: per-CPU maps show, take and load one value per CPU" {
	mk p --type percpu_hash --key-size 4 --value-size 4 --entries 8
	ncpu=$(mapctl show --json "$PIN/p" | jq .map.cpus)
	[ "$ncpu" -ge 1 ]
	mapctl update "$PIN/p" 1 0x11
	run mapctl lookup "$PIN/p" 1
	assert_success
	assert_line "cpu0: 11 00 00 00"
	[ "${#lines[@]}" -eq "$ncpu" ]
	run mapctl dump "$PIN/p"
	assert_line "key: 01 00 00 00"
	assert_line "  cpu0: 11 00 00 00"
	mapctl dump --json "$PIN/p" > "$TMP/p.json"
	jq -e ".entries[0].values | length == $ncpu" "$TMP/p.json"
	mapctl delete "$PIN/p" 1
	mapctl load "$PIN/p" "$TMP/p.json"
	run mapctl lookup "$PIN/p" 1
	assert_line "cpu0: 11 00 00 00"
	echo '[{"key": 2, "values": ["01 00 00 00"]}, {"key": 3, "value": 1}]' > "$TMP/short.json"
	if [ "$ncpu" -gt 1 ]; then
		run mapctl load "$PIN/p" "$TMP/short.json"
		assert_failure 1
		assert_output --partial "one per possible CPU"
	fi
}

@test "mapctl freeze makes a map read-only for user space" {
	mk f --type array --key-size 4 --value-size 4 --entries 2
	mapctl update "$PIN/f" 0 7
	run mapctl freeze "$PIN/f"
	assert_success
	run mapctl show "$PIN/f"
	assert_output --partial "frozen: yes"
	run mapctl update "$PIN/f" 0 8
	assert_failure 2
	assert_output --partial "not permitted"
	run mapctl lookup "$PIN/f" 0
	assert_output "07 00 00 00"
	run mapctl freeze "$PIN/f"
	assert_failure 1
	assert_output --partial "already frozen"
}

@test "mapctl create: bad types, flags and paths" {
	ensure_bpffs
	run mapctl create "$PIN/x" --type nosuch --key-size 4 --value-size 4 --entries 1
	assert_failure 2
	assert_output --partial "unknown map type 'nosuch'"
	run mapctl create "$PIN/x" --type hash --key-size 4 --value-size 4
	assert_failure 2
	assert_output --partial "needs --key-size, --value-size and --entries"
	run mapctl create "$PIN/x" --type hash --key-size 4 --value-size 4 --entries 1 --flags bogus
	assert_failure 2
	assert_output --partial "unknown map flag 'bogus'"
	run mapctl create "$PIN/x" --type hash --key-size 0 --value-size 4 --entries 1
	assert_failure 2
	assert_output --partial "the kernel refused the map"
	run mapctl create "$TMP/x" --type hash --key-size 4 --value-size 4 --entries 1
	assert_failure 2
	assert_output --partial "cannot pin the map"
}

@test "mapctl without privileges says so and exits 2" {
	require_root
	ensure_bpffs
	mk h --type hash --key-size 4 --value-size 4 --entries 1
	chmod 755 "$PIN"
	for args in "list" "show $PIN/h" "dump $PIN/h" "lookup $PIN/h 1"; do
		run setpriv --reuid=nobody --regid=nogroup --clear-groups mapctl $args
		assert_failure 2
		assert_output --partial "permission denied"
	done
}
