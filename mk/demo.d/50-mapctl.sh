#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Demo: mapctl on maps it creates: keys and values as integers, IPv4
# addresses, hex bytes and BTF-typed values; dumps as text and JSON; a JSON
# round trip through load; and a 1,000,000-entry mmapable array dumped
# without a system call per entry.  Needs root; removes its maps on exit.
set -euo pipefail
echo "== mapctl: kernel maps"
if [ "$(id -u)" -ne 0 ]; then
	echo "(skipped: kernel maps need root)"
	exit 0
fi
PIN=/sys/fs/bpf/bk-demo-maps
tmp=$(mktemp /tmp/bk-demo-maps.XXXXXX)
show() {
	echo "\$ $*"
	"$@"
}
trap 'rm -rf $PIN $tmp' EXIT
rm -rf $PIN
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mkdir -p $PIN

show mapctl create $PIN/hits --type hash --key-type u32 --value-type u64 --entries 1024 --name hits
show mapctl update $PIN/hits 10.0.0.1 7
show mapctl update $PIN/hits 10.0.0.2 0x20
show mapctl dump --ipv4 $PIN/hits
show mapctl show $PIN/hits
show mapctl dump --json --pretty --ipv4 $PIN/hits

show mapctl create $PIN/raw --type hash --key-size 4 --value-size 8 --entries 1024
echo "\$ mapctl dump --json --ipv4 $PIN/hits > dump.json"
mapctl dump --json --ipv4 $PIN/hits > "$tmp"
echo "\$ mapctl load $PIN/raw dump.json"
mapctl load $PIN/raw "$tmp"
show mapctl lookup $PIN/raw "0a 00 00 01"

show mapctl create $PIN/big --type array --key-size 4 --value-size 8 --entries 1000000 --flags mmapable
show mapctl update $PIN/big 999999 42
echo "\$ mapctl dump --mmap --stats $PIN/big | tail -1"
mapctl dump --mmap --stats $PIN/big | tail -1
