#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mapctl dump of 1,000,000-entry maps, one run, side by side:
#   hash (u32 -> u64):  mapctl dump (batch) against `bpftool map dump` of the
#                       same map (target: >= 10x faster), against a C
#                       get_next_key + lookup loop with no output at all, and
#                       against mapctl's own element-by-element dump
#   array of u64 (BPF_F_MMAPABLE): mapctl dump --mmap against a C loop of
#                       one lookup per index (target: >= 500x faster)
# Wall time of whole processes, output to /dev/null.  Ratios are
# other / mapctl.  The "access" rows compare only the time to get the data
# into user memory (mapctl --stats "read": the batch calls or the mmap;
# mapfill's own timing of its syscall loop), without output.
# Needs root (kernel maps) and bpftool.
set -uo pipefail

if [ "$(id -u)" -ne 0 ]; then
	echo "bench-20-mapctl: skipped (needs root for kernel maps)"
	exit 0
fi

N=1000000
work=$(mktemp -d /tmp/bk-bench-maps.XXXXXX)
pin=/sys/fs/bpf/bk-bench-maps-$$
trap 'rm -rf "$work" "$pin"' EXIT
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mkdir -p "$pin"
cc -O2 -Wall -o "$work/mapfill" "$BK_SRC/test/bench/maps/mapfill.c" -lbpf || exit 1
"$work/mapfill" hash "$pin/hash" $N || exit 1
"$work/mapfill" array "$pin/array" $N mmap || exit 1

# secs CMD...: wall seconds of CMD (stdout to /dev/null, stderr kept in $work/err).
secs() {
	local t0=$EPOCHREALTIME
	"$@" > /dev/null 2> "$work/err"
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f", b - a }'
}
# read_ms: the "read" figure of the last mapctl --stats.
read_ms() {
	grep -o 'read [0-9.]* ms' "$work/err" | awk '{ print $2 }'
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'
}
row() {
	printf "  %-46s %10s %10s\n" "$1" "$2" "$3"
}
verdict() { # verdict RATIO TARGET
	awk -v r="${1%x}" -v t="$2" 'BEGIN { print (r >= t) ? "target met" : "TARGET MISSED" }'
}

# One untimed walk of each map first, so that no side pays for caches
# still cold from filling the maps.
"$work/mapfill" time-walk "$pin/hash" > /dev/null
"$work/mapfill" time-lookup "$pin/array" > /dev/null

h_mapctl=$(secs mapctl dump --stats "$pin/hash")
h_read=$(read_ms)
h_bpftool=$(secs bpftool map dump pinned "$pin/hash")
h_loop=$(secs "$work/mapfill" time-walk "$pin/hash")
h_elem=$(secs mapctl dump --elem "$pin/hash")
h_json=$(secs mapctl dump --json "$pin/hash")
h_bpftool_json=$(secs bpftool -j map dump pinned "$pin/hash")
h_loop_ns=$("$work/mapfill" time-walk "$pin/hash" | awk '{ print $1 }')

a_mmap=$(secs mapctl dump --mmap --stats "$pin/array")
a_read=$(read_ms)
a_loop=$(secs "$work/mapfill" time-lookup "$pin/array")
a_loop_ns=$("$work/mapfill" time-lookup "$pin/array" | awk '{ print $1 }')
a_batch=$(secs mapctl dump --batch "$pin/array")
a_elem=$(secs mapctl dump --elem "$pin/array")

r_bpftool=$(ratio "$h_bpftool" "$h_mapctl")
r_mmap=$(ratio "$a_loop" "$a_mmap")
r_mmap_access=$(ratio "$((a_loop_ns / 1000))" "$(awk -v m="$a_read" 'BEGIN { print m * 1000 }')")

echo "mapctl dump, $N entries, one run (seconds of wall time; ratio = other / mapctl)"
row "hash u32 -> u64" "seconds" "ratio"
row "mapctl dump (batch)" "$h_mapctl" ""
row "bpftool map dump" "$h_bpftool" "$r_bpftool"
row "C get_next_key+lookup loop, no output" "$h_loop" "$(ratio "$h_loop" "$h_mapctl")"
row "mapctl dump --elem" "$h_elem" "$(ratio "$h_elem" "$h_mapctl")"
row "mapctl dump --json (batch)" "$h_json" ""
row "bpftool -j map dump" "$h_bpftool_json" "$(ratio "$h_bpftool_json" "$h_json")"
row "access: batch calls (mapctl --stats)" "$(awk -v m="$h_read" 'BEGIN { printf "%.4f", m / 1000 }')" ""
row "access: get_next_key+lookup loop" "$(awk -v n="$h_loop_ns" 'BEGIN { printf "%.4f", n / 1e9 }')" \
	"$(ratio "$h_loop_ns" "$(awk -v m="$h_read" 'BEGIN { print m * 1e6 }')")"
row "array of u64, BPF_F_MMAPABLE" "" ""
row "mapctl dump --mmap" "$a_mmap" ""
row "C lookup loop (one per index), no output" "$a_loop" "$r_mmap"
row "mapctl dump --batch" "$a_batch" "$(ratio "$a_batch" "$a_mmap")"
row "mapctl dump --elem" "$a_elem" "$(ratio "$a_elem" "$a_mmap")"
row "access: mmap (mapctl --stats)" "$(awk -v m="$a_read" 'BEGIN { printf "%.6f", m / 1000 }')" ""
row "access: lookup loop" "$(awk -v n="$a_loop_ns" 'BEGIN { printf "%.4f", n / 1e9 }')" "$r_mmap_access"
echo "targets:"
echo "  hash, mapctl vs bpftool >= 10x: $r_bpftool, $(verdict "$r_bpftool" 10)"
echo "  array, mapctl --mmap vs lookup loop >= 500x: $r_mmap end to end, $(verdict "$r_mmap" 500);" \
	"$r_mmap_access for the access alone, $(verdict "$r_mmap_access" 500)"
echo "  (end to end, mapctl's time is mostly writing $N formatted lines, and for the hash"
echo "   the kernel's walk of its buckets: ${h_read} ms of ${h_mapctl} s in the batch calls)"
