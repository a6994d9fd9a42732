#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mapctl dump of 1,000,000-entry maps equals the kernel's contents: a hash
# map (u32 -> u64) and an mmapable array of u64 are filled by mapfill
# (test/bench/maps/mapfill.c, BPF_MAP_UPDATE_BATCH), read back
# independently by mapfill's own get_next_key + lookup walk, and compared as
# sorted sets with every dump method mapctl has (automatic, --batch with the
# default and an odd batch size, --elem, --mmap), with the JSON dump, and
# after a JSON round trip through `mapctl load` into a fresh map.
# Needs root (kernel maps); skips otherwise, but fails under CI=true.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
	if [ "${CI:-}" = true ]; then
		echo "60-mapctl-1m: needs root for kernel maps, and CI=true does not allow a skip"
		exit 1
	fi
	echo "60-mapctl-1m: skipped (needs root)"
	exit 0
fi

N=1000000
work=$(mktemp -d /tmp/bk-check-1m.XXXXXX)
pin=/sys/fs/bpf/bk-check-1m-$$
cleanup() {
	rm -rf "$work" "$pin"
}
trap cleanup EXIT
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mkdir -p "$pin"
export LC_ALL=C

cc -O2 -Wall -o "$work/mapfill" "$BK_SRC/test/bench/maps/mapfill.c" -lbpf
"$work/mapfill" hash "$pin/hash" $N
"$work/mapfill" array "$pin/array" $N mmap

fails=0
# same NAME REFERENCE COMMAND...: the command's sorted output equals REFERENCE.
same() {
	local name=$1 ref=$2
	shift 2
	"$@" | sort > "$work/out"
	if cmp -s "$work/out" "$ref"; then
		echo "ok   $name ($(wc -l < "$ref") entries)"
	else
		echo "FAIL $name: differs from the kernel's contents"
		diff "$ref" "$work/out" | head -5
		fails=$((fails + 1))
	fi
}

for map in hash array; do
	"$work/mapfill" walk "$pin/$map" | sort > "$work/$map.ref"
	n=$(wc -l < "$work/$map.ref")
	if [ "$n" -ne $N ]; then
		echo "FAIL $map: the reference walk found $n entries, not $N"
		exit 1
	fi
	same "$map: mapctl dump" "$work/$map.ref" mapctl dump "$pin/$map"
	same "$map: mapctl dump --batch" "$work/$map.ref" mapctl dump --batch "$pin/$map"
	same "$map: mapctl dump --batch=1000" "$work/$map.ref" mapctl dump --batch=1000 "$pin/$map"
	same "$map: mapctl dump --elem" "$work/$map.ref" mapctl dump --elem "$pin/$map"
done
same "array: mapctl dump --mmap" "$work/array.ref" mapctl dump --mmap "$pin/array"

# JSON: the same entries, and a round trip through load into a fresh map.
mapctl dump --json "$pin/hash" > "$work/hash.json"
same "hash: mapctl dump --json" "$work/hash.ref" \
	jq -r '.entries[] | "key: \(.key)  value: \(.value)"' "$work/hash.json"
mapctl create "$pin/copy" --type hash --key-size 4 --value-size 8 --entries $N > /dev/null
mapctl load "$pin/copy" "$work/hash.json" > /dev/null
same "hash: mapctl load of the JSON dump" "$work/hash.ref" "$work/mapfill" walk "$pin/copy"

[ $fails -eq 0 ]
