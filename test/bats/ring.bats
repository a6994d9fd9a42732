#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The io_uring ring executor as a user runs it (bpfload --ring): the ring
# samples end to end in the JIT and the interpreter (cp at several queue
# depths and sizes compared with cmp, cat through read(open()) chains,
# fan-out reduced to one CQE, the counting timer, CQ ping-pong), unsafe
# programs refused with their error (test/bats/ring/*.bpf.c), the budget
# stopping a verified program that never completes,
# a counter read live with mapctl, SIGINT, a file that vanishes mid-run,
# and bad options.

load 'helper'

setup_file() {
	local f
	for f in "$BATS_TEST_DIRNAME"/ring/*.bpf.c; do
		clang-19 -target bpf -mcpu=v4 -O2 -g -Wall -Werror -I"$BATS_TEST_DIRNAME/../../samples/include" \
			-I"/usr/include/$(gcc -print-multiarch)" -c -o "$BATS_FILE_TMPDIR/$(basename "$f" .c).o" "$f"
	done
}

setup() {
	TMP=$BATS_TEST_TMPDIR
	FIX=$BATS_FILE_TMPDIR
}

teardown() {
	if [ -n "${BG:-}" ]; then
		kill -9 "$BG" 2>/dev/null || true
	fi
}

# The little-endian integer in hex bytes "2f 01 00 ..." ($1).
le_int() {
	local b v=0 i=0
	for b in $1; do
		v=$((v + (16#$b << (8 * i))))
		i=$((i + 1))
	done
	echo "$v"
}

# Waits (at most 10 s) until mapctl can read ring:$1:$2.
wait_published() {
	local i
	for i in $(seq 100); do
		mapctl lookup "ring:$1:$2" 0 >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

@test "ring: --help options are in the man page" {
	assert_help_in_man bpfload
	assert_help_in_man mapctl
	run bpfload --help
	assert_output --partial "--ring PATH"
}

@test "ring: cp copies files of several sizes at several queue depths (jit and interpreter)" {
	local s qd eng
	for s in 0 1 4095 4096 65536 65537 1048579; do
		head -c "$s" /dev/urandom >"$TMP/src"
		for qd in 1 3 8; do
			for eng in "" --interp; do
				rm -f "$TMP/dst"
				run bpfload "$SAMPLES/ring_cp.bpf.o" --ring "$TMP/src" --ring "$TMP/dst" --qd "$qd" $eng
				assert_success
				cmp "$TMP/src" "$TMP/dst"
			done
		done
	done
}

@test "ring: cp with small blocks re-reads after short reads and counts its I/O" {
	head -c 100003 /dev/urandom >"$TMP/src"
	run bpfload "$SAMPLES/ring_cp.bpf.o" --ring "$TMP/src" --ring "$TMP/dst" --qd 4 \
		--set cp_cfg:0=4096 --json --dump-maps
	assert_success
	cmp "$TMP/src" "$TMP/dst"
	# 24 full blocks, each a linked read and write with one CQE (the
	# read's is skipped); the short 25th: its read's CQE (the write is
	# cancelled without one), a write of the 1699 bytes and a read that
	# returns 0, 4 SQEs and 3 CQEs; the 3 other slots each end on a block
	# past the end (2 SQEs, 1 CQE); plus the BPF request's own NOP
	[ "$(jq '.stats.sqes' <<<"$output")" -eq $((24 * 2 + 4 + 3 * 2)) ]
	[ "$(jq '.stats.cqes' <<<"$output")" -eq $((24 + 3 + 3 + 1)) ]
	[ "$(jq '.programs[0].result' <<<"$output")" -eq 0 ]
	# cp_state.bytes (offset 8) = the file size, 0x186a3
	jq -e '.maps[] | select(.name == "cp_state") | .elements[0].value | split(" ") | .[8:16] | join(" ") == "a3 86 01 00 00 00 00 00"' <<<"$output"
}

@test "ring: cat of many files through read(open()) chains equals the files concatenated" {
	local args=() i
	for i in $(seq 1 40); do
		head -c $((i * 1237)) /dev/urandom >"$TMP/f$i"
		args+=(--arg "$TMP/f$i")
	done
	: >"$TMP/f41"
	args+=(--arg "$TMP/f41")
	for eng in "" --interp; do
		rm -f "$TMP/out"
		run bpfload "$SAMPLES/ring_cat.bpf.o" --ring "$TMP/out" "${args[@]}" --set cat_cfg:0=5000 $eng
		assert_success
		cat "$TMP"/f{1..41} | cmp - "$TMP/out"
	done
	# to standard output, through a pipe
	bpfload "$SAMPLES/ring_cat.bpf.o" --ring /dev/stdout "${args[@]}" 2>/dev/null | cmp - "$TMP/out"
}

@test "ring: a file that vanishes mid-run is reported and skipped, the others are copied" {
	printf 'one\n' >"$TMP/a"
	printf 'three\n' >"$TMP/c"
	printf 'gone\n' >"$TMP/b"
	mkfifo "$TMP/fifo"
	# the FIFO holds cat on its first file while b disappears
	(sleep 0.5; rm -f "$TMP/b"; printf 'fifo\n') >"$TMP/fifo" &
	run bpfload "$SAMPLES/ring_cat.bpf.o" --ring "$TMP/out" --arg "$TMP/fifo" --arg "$TMP/a" \
		--arg "$TMP/b" --arg "$TMP/c" --json
	wait
	assert_failure 1
	[ "$(cat "$TMP/out")" = "$(printf 'fifo\none\nthree')" ]
	[ "$(jq -c '.cqes' <<<"$output")" = '[{"user_data":2,"res":-2,"flags":0}]' ]
	[ "$(jq -r '.error.code' <<<"$output")" = ENOENT ]
	[ "$(jq -r '.programs[0].result' <<<"$output")" = -2 ]
}

@test "ring: fan-out reads of every file are reduced to one CQE" {
	head -c 1000 /dev/urandom >"$TMP/a"
	head -c 5000 /dev/urandom >"$TMP/b"
	: >"$TMP/c"
	printf 'x' >"$TMP/d"
	local sum=0 f
	for f in a b d; do
		sum=$((sum + $(od -An -tu1 -N1 "$TMP/$f")))
	done
	for eng in "" --interp; do
		run bpfload "$SAMPLES/ring_fanout.bpf.o" --ring "$TMP/a" --ring "$TMP/b" --ring "$TMP/c" \
			--ring "$TMP/d" --json $eng
		assert_success
		# one CQE: the total bytes (b capped at 4096) and the checksum
		[ "$(jq -c '.cqes' <<<"$output")" = "[{\"user_data\":$sum,\"res\":5097,\"flags\":0}]" ]
		[ "$(jq '.programs[0].result' <<<"$output")" -eq 4 ]
		[ "$(jq '.stats.sqes' <<<"$output")" -eq 4 ]
	done
}

@test "ring: the counting timer ticks, counts in its map and completes" {
	run bpfload "$SAMPLES/ring_timer.bpf.o" --ring /dev/null --set timer_cfg:0=5 --set timer_cfg:1=2000 \
		--json --dump-maps
	assert_success
	[ "$(jq -c '[.cqes[].user_data]' <<<"$output")" = '[1,2,3,4,5]' ]
	[ "$(jq '.programs[0].result' <<<"$output")" -eq 5 ]
	[ "$(jq -r '.maps[] | select(.name == "ticks") | .elements[0].value' <<<"$output")" = "05 00 00 00 00 00 00 00" ]
	[ "$(jq '.stats.runs' <<<"$output")" -eq 6 ]
	# text mode prints the ticks as they come
	run bpfload "$SAMPLES/ring_timer.bpf.o" --ring /dev/null --set timer_cfg:0=2 --stats
	assert_success
	assert_output --partial "cqe: user_data=2 res=0"
	assert_output --partial "io_uring_enter calls"
}

@test "ring: two programs play CQ ping-pong without I/O" {
	for eng in "" --interp; do
		run bpfload "$SAMPLES/ring_pingpong.bpf.o" --ring /dev/null --set pingpong_cfg:0=500 --json --dump-maps $eng
		assert_success
		[ "$(jq -c '[.programs[].result]' <<<"$output")" = '[500,501]' ]
		[ "$(jq '.stats.emitted' <<<"$output")" -eq 502 ]
		[ "$(jq '.stats.cqes' <<<"$output")" -eq 2 ] # only the two BPF requests' NOPs
		[ "$(jq -c '[.maps[] | select(.name == "hits") | .elements[].value]' <<<"$output")" = '["fa 00 00 00 00 00 00 00","fb 00 00 00 00 00 00 00"]' ]
	done
	# -s starts one program: pong alone waits for a ball that never comes
	run bpfload "$SAMPLES/ring_pingpong.bpf.o" --ring /dev/null -s pong --json
	assert_failure 1
	[ "$(jq -r '.error.code' <<<"$output")" = BK_E_RING_WAIT ]
}

@test "ring: an SQE address outside registered memory is refused" {
	run bpfload "$FIX/unsafe_addr.bpf.o" --ring /dev/null --json
	assert_failure 1
	[ "$(jq -r '.error.code' <<<"$output")" = BK_E_RING_SQE_ADDR ]
	jq -e '.error.message | test("not in writable memory registered for the program")' <<<"$output"
	jq -e '.error.insn >= 0' <<<"$output"
	run bpfload "$FIX/unsafe_addr.bpf.o" --ring /dev/null --interp
	assert_failure 1
	assert_output --partial "error: program bad_addr (request 0): insn"
}

@test "ring: an opcode off the whitelist is refused" {
	run bpfload "$FIX/unsafe_opcode.bpf.o" --ring /dev/null --json
	assert_failure 1
	[ "$(jq -r '.error.code' <<<"$output")" = BK_E_RING_OPCODE ]
	jq -e '.error.message | test("opcode 16 is not allowed")' <<<"$output"
}

@test "ring: a reaped CQE field used as a pointer is refused by the verifier" {
	run bpfload "$FIX/unsafe_cqe_ptr.bpf.o" --ring /dev/null --json
	assert_failure 1
	[ "$(jq -r '.error.code' <<<"$output")" = BK_E_V_INVALID_MEM ]
	[ "$(jq -r '.programs[0].verifier' <<<"$output")" = rejected ]
	[ "$(jq '.programs[0].completed' <<<"$output")" = false ]
	run bpfload "$FIX/unsafe_cqe_ptr.bpf.o" --ring /dev/null
	assert_failure 1
	assert_output --partial "unsafe_cqe_ptr.bpf.c:14"
	assert_output --partial "rejected by the verifier"
}

@test "ring: a missing NULL check is refused by the verifier" {
	run bpfload "$FIX/unsafe_null.bpf.o" --ring /dev/null --json
	assert_failure 1
	[ "$(jq -r '.error.code' <<<"$output")" = BK_E_V_NULL_DEREF ]
	jq -e '.error.message | test("may return NULL")' <<<"$output"
}

@test "ring: a program that never completes is stopped by its budget" {
	# verified (bpf_loop in bpf_loop: 2^46 turns), stopped by the budget
	for eng in "" --interp; do
		run bpfload "$FIX/forever.bpf.o" --ring /dev/null --budget 200000 --json $eng
		assert_failure 1
		[ "$(jq -r '.programs[0].verifier' <<<"$output")" = accepted ]
		[ "$(jq -r '.error.code' <<<"$output")" = BK_E_VM_BUDGET ]
		jq -e '.error.message | test("program forever .*instruction budget of 200000 exhausted")' <<<"$output"
		jq -e '.error.file | endswith("forever.bpf.c")' <<<"$output"
	done
	run bpfload "$FIX/forever.bpf.o" --ring /dev/null
	assert_failure 1
	assert_output --partial "instruction budget of 1000000 exhausted"
	# the verifier refuses the endless loop outright
	run bpfload "$FIX/spin.bpf.o" --ring /dev/null --json
	assert_failure 1
	[ "$(jq -r '.programs[0].verifier' <<<"$output")" = rejected ]
	# run unverified, the budget stops it, in both engines
	for eng in "" --interp; do
		run bpfload "$FIX/spin.bpf.o" --ring /dev/null --no-verify --budget 50000 --json $eng
		assert_failure 1
		[ "$(jq -r '.error.code' <<<"$output")" = BK_E_VM_BUDGET ]
		jq -e '.error.message | test("instruction budget of 50000 exhausted")' <<<"$output"
	done
	# a verified loop longer than the budget
	run bpfload "$FIX/long.bpf.o" --ring /dev/null --budget 10000 --json
	assert_failure 1
	[ "$(jq -r '.error.code' <<<"$output")" = BK_E_VM_BUDGET ]
	run bpfload "$FIX/long.bpf.o" --ring /dev/null --json
	assert_success
}

@test "ring: mapctl reads a counter while the program runs and sees it grow; SIGINT stops cleanly" {
	bpfload "$SAMPLES/ring_timer.bpf.o" --ring /dev/null --set timer_cfg:1=5000 --json --dump-maps \
		>"$TMP/out.json" 2>"$TMP/err" &
	BG=$!
	local pid=$BG
	wait_published "$BG" ticks
	run mapctl lookup "ring:$BG:ticks" 0 --json
	assert_success
	local first second
	first=$(le_int "$(jq -r '.value' <<<"$output")")
	sleep 0.3
	run mapctl lookup "ring:$BG:ticks" 0 --json
	assert_success
	second=$(le_int "$(jq -r '.value' <<<"$output")")
	[ "$second" -gt "$first" ]
	# the mmap and batch dumps read the same live map
	run mapctl dump "ring:$BG:ticks" --mmap --json
	assert_success
	[ "$(jq -r '.method' <<<"$output")" = mmap ]
	run mapctl dump "ring:$BG:ticks" --batch --json
	assert_success
	[ "$(jq -r '.method' <<<"$output")" = batch ]
	[ "$(le_int "$(jq -r '.entries[0].value' <<<"$output")")" -ge "$second" ]
	kill -INT "$BG"
	local rc=0
	wait "$BG" || rc=$?
	BG=
	[ "$rc" -eq 1 ]
	jq -e '.interrupted == true and .error.code == "EINTR"' "$TMP/out.json"
	# the maps are intact: the counter equals the ticks posted to CQ 0
	local ticks
	ticks=$(jq '.cqes_total' "$TMP/out.json")
	[ "$ticks" -ge "$second" ]
	[ "$(le_int "$(jq -r '.maps[] | select(.name == "ticks") | .elements[0].value' "$TMP/out.json")")" -eq "$ticks" ]
	# and the publication is gone
	[ ! -e "/dev/shm/bpfkit-$pid" ]
	run mapctl lookup "ring:$pid:ticks" 0
	assert_failure 2
}

@test "ring: mapctl changes a running program's parameters" {
	bpfload "$SAMPLES/ring_timer.bpf.o" --ring /dev/null --set timer_cfg:1=2000 --json >"$TMP/out.json" &
	BG=$!
	wait_published "$BG" timer_cfg
	run mapctl update "ring:$BG:timer_cfg" 0 3
	assert_success
	local rc=0
	wait "$BG" || rc=$?
	BG=
	[ "$rc" -eq 0 ]
	jq -e '.programs[0].result >= 3' "$TMP/out.json"
	run mapctl lookup ring:no_such_ring_map 0
	assert_failure 2
	assert_output --partial "no running ring executor publishes a map of that name"
}

@test "ring: bad options and objects get clear errors" {
	run bpfload "$SAMPLES/ring_cp.bpf.o" --ring /dev/null --qd 0
	assert_failure 2
	assert_output --partial "--qd 0"
	run bpfload --ring /dev/null
	assert_failure 2
	assert_output --partial "no object given"
	run bpfload "$SAMPLES/ring_cp.bpf.o" --ring /no/such/dir/file
	assert_failure 2
	assert_output --partial "/no/such/dir/file"
	run bpfload "$SAMPLES/ring_timer.bpf.o" --ring /dev/null --set nomap:0=1
	assert_failure 2
	assert_output --partial "no map 'nomap'"
	run bpfload "$SAMPLES/ring_timer.bpf.o" --ring /dev/null --set timer_cfg=1
	assert_failure 2
	assert_output --partial "MAP:KEY=VALUE"
	run bpfload "$SAMPLES/xdp_filter.bpf.o" --ring /dev/null --json
	assert_failure 1
	jq -e '.error.message | test("no iouring programs")' <<<"$output"
	run bpfload "$SAMPLES/ring_timer.bpf.o" --ring /dev/null --xdp lo
	assert_failure 2
	assert_output --partial "unknown option '--xdp'"
	run bpfload "$SAMPLES/ring_cp.bpf.o" --ring /dev/null --mem 1K
	assert_failure 2
	# cp needs two files and qd * block bytes of memory
	run bpfload "$SAMPLES/ring_cp.bpf.o" --ring /dev/null --json
	assert_failure 1
	[ "$(jq '.programs[0].result' <<<"$output")" -eq -22 ]
	printf 'garbage' >"$TMP/bad.o"
	run bpfload "$TMP/bad.o" --ring /dev/null --json
	assert_failure 1
	jq -e '.error' <<<"$output"
}
