#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ring executor against a hand-written liburing loop and cp(1): copy a
# 256 MiB file (cached) at queue depth 8 with 64 KiB blocks, one run, on
# /tmp's file system and on tmpfs (/dev/shm):
#   bpfload --ring        the ring_cp sample in the JIT (and the interpreter):
#                         verification, JIT and the copy; each slot's read is
#                         linked to its write and skips its CQE on success,
#                         and the program waits until half the slots are
#                         done, so a batch of QD SQEs costs one io_uring_enter
#   liburing loop         test/bench/ring/uring_cp.c, the usual loop in C:
#                         submit, wait for one CQE, handle all; each read's
#                         CQE queues its write
#   liburing, wait all    that C loop waiting for all I/O in flight
#   liburing, linked      ring_cp's algorithm in C (linked, waits for half)
#   cp                    coreutils
# Wall time of whole processes, each tool BK_BENCH_REPS times (default 9)
# interleaved, sync before each copy so earlier dirty data does not slow
# the next; min and median.  io_uring_enter calls: the tools' own counts,
# and a separate run under strace -f -c, which also counts all system
# calls.  Targets (the /tmp rows): bpfload's io_uring_enter calls <= ops /
# QD + 16 (ops: the SQEs the program queued), and its wall time (min)
# within 1.1x of the usual liburing loop's.
set -uo pipefail

reps=${BK_BENCH_REPS:-9}
qd=8
bs=65536
obj=$BK_BUILD/samples/ring_cp.bpf.o
bin=$(mktemp -d /tmp/bk-bench-ringbin.XXXXXX)
dirs=()
trap 'rm -rf "$bin" "${dirs[@]}"' EXIT
cc -O2 -Wall -o "$bin/uring_cp" "$BK_SRC/test/bench/ring/uring_cp.c" -luring || exit 1

run_tool() { # run_tool NAME DIR: the copy command of tool NAME in DIR
	local w=$2
	case $1 in
	bpfload) bpfload "$obj" --ring "$w/src" --ring "$w/dst" --qd $qd --set cp_cfg:0=$bs --json ;;
	interp) bpfload "$obj" --ring "$w/src" --ring "$w/dst" --qd $qd --set cp_cfg:0=$bs --json --interp ;;
	liburing) "$bin/uring_cp" "$w/src" "$w/dst" $qd $bs ;;
	luall) "$bin/uring_cp" "$w/src" "$w/dst" $qd $bs all ;;
	lulink) "$bin/uring_cp" "$w/src" "$w/dst" $qd $bs link ;;
	cp) cp "$w/src" "$w/dst" ;;
	esac
}

stat_of() { # stat_of min|median TIMES...
	local how=$1
	shift
	printf '%s\n' "$@" | sort -n | awk -v h="$how" '{ v[NR] = $1 } END {
		if (h == "min") print v[1]; else print v[int((NR + 1) / 2)] }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

# bench_fs DIR LABEL TARGETS(0|1)
bench_fs() {
	local root=$1 label=$2 targets=$3 w t r rc t0 t1 tools="bpfload interp liburing luall lulink cp"
	declare -A times mins
	w=$(mktemp -d "$root/bk-bench-ring.XXXXXX") || return 1
	dirs+=("$w")
	head -c 256M /dev/urandom >"$w/src"
	cat "$w/src" >/dev/null
	for t in $tools; do times[$t]=; done
	for r in $(seq "$reps"); do
		for t in $tools; do
			rm -f "$w/dst"
			sync
			t0=$EPOCHREALTIME
			run_tool $t "$w" >"$w/$t.out" 2>"$w/$t.err"
			rc=$?
			t1=$EPOCHREALTIME
			if [ $rc -ne 0 ] || ! cmp -s "$w/src" "$w/dst"; then
				echo "bench-50-ring: $t failed in $label (exit $rc): $(head -c 300 "$w/$t.err")"
				return 1
			fi
			times[$t]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }') "
		done
	done
	local ops ex_enters loop_ns strace_enters=0 name own enters total mn md
	ops=$(jq '.stats.sqes' "$w/bpfload.out")
	ex_enters=$(jq '.stats.enters' "$w/bpfload.out")
	loop_ns=$(jq '.stats.time_ns' "$w/bpfload.out")
	printf "%s: 256 MiB, queue depth %d, %d KiB blocks, %d runs each, wall seconds\n" "$label" $qd \
		$((bs / 1024)) "$reps"
	printf "  %-24s %8s %8s %11s %14s %9s\n" tool min median "enters/own" "enters/strace" syscalls
	for t in $tools; do
		rm -f "$w/dst"
		sync
		strace -f -c -o "$w/strace.txt" bash -c "$(declare -f run_tool); obj=$obj bin=$bin \
			qd=$qd bs=$bs; run_tool $t $w" >/dev/null 2>&1
		read -r enters total <<<"$(awk '$NF == "io_uring_enter" { e = $4 }
			$NF == "total" { t = $3 } END { printf "%d %d", e, t }' "$w/strace.txt")"
		mn=$(stat_of min ${times[$t]})
		md=$(stat_of median ${times[$t]})
		mins[$t]=$mn
		case $t in
		bpfload) name="bpfload --ring (jit)" own=$(jq '.stats.enters' "$w/$t.out") ;;
		interp) name="bpfload --ring --interp" own=$(jq '.stats.enters' "$w/$t.out") ;;
		liburing) name="liburing loop (C)" own=$(awk '{ print $2 }' "$w/$t.err") ;;
		luall) name="liburing, wait all (C)" own=$(awk '{ print $2 }' "$w/$t.err") ;;
		lulink) name="liburing, linked (C)" own=$(awk '{ print $2 }' "$w/$t.err") ;;
		*) name=cp own=- ;;
		esac
		[ $t = bpfload ] && strace_enters=$enters
		printf "  %-24s %8s %8s %11s %14s %9s\n" "$name" "$mn" "$md" "$own" "$enters" "$total"
	done
	printf "  bpfload: %d SQEs queued, %d io_uring_enter calls, copy loop %.3f s of the process\n" \
		"$ops" "$ex_enters" "$(awk -v n="$loop_ns" 'BEGIN { print n / 1e9 }')"
	printf "  bpfload / liburing loop %sx, / liburing wait all %sx, / liburing linked %sx, cp / liburing loop %sx (min)\n" \
		"$(ratio "${mins[bpfload]}" "${mins[liburing]}")" "$(ratio "${mins[bpfload]}" "${mins[luall]}")" \
		"$(ratio "${mins[bpfload]}" "${mins[lulink]}")" "$(ratio "${mins[cp]}" "${mins[liburing]}")"
	[ "$targets" = 1 ] || return 0
	local rt target=$((ops / qd + 16))
	rt=$(ratio "${mins[bpfload]}" "${mins[liburing]}")
	printf "  target: wall within 1.10x of the liburing loop: %sx, %s\n" "$rt" \
		"$(awk -v r="$rt" 'BEGIN { print (r <= 1.10) ? "met" : "MISSED" }')"
	printf "  target: io_uring_enter <= ops/QD + 16 = %d: %d (strace), %d (own), %s\n" "$target" \
		"$strace_enters" "$ex_enters" \
		"$([ "$strace_enters" -le "$target" ] && [ "$ex_enters" -le "$target" ] && echo met ||
			echo MISSED)"
}

bench_fs /tmp "/tmp ($(df --output=fstype /tmp | tail -1))" 1 || exit 1
bench_fs /dev/shm "/dev/shm (tmpfs)" 0 || exit 1
echo "  (enters/own: the tool's count in its last timed run; strace, one more run, slows the"
echo "  processes, so the C loop that waits for one CQE finds more CQEs per call under it)"
