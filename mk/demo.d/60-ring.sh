#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Demo: the io_uring ring executor (bpfload --ring): cp at queue depth 8
# with the executor's counters, cat through read(open()) chains with a
# file that does not exist, fan-out reduced to one CQE, CQ ping-pong, the
# counting timer read live with mapctl and stopped with SIGINT, and an
# unsafe program refused.  Needs io_uring, not root.
set -euo pipefail
echo "== bpfload --ring: BPF programs as io_uring requests"
S=$BK_BUILD/samples
tmp=$(mktemp -d /tmp/bk-demo-ring.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
show() {
	echo "\$ $*"
	"$@" || echo "(exit status $?)"
}

head -c 3000017 /dev/urandom >"$tmp/src"
show bpfload "$S/ring_cp.bpf.o" --ring "$tmp/src" --ring "$tmp/dst" --qd 8 --stats
show cmp "$tmp/src" "$tmp/dst"

printf 'hello ' >"$tmp/a"
printf 'ring\n' >"$tmp/b"
show bpfload "$S/ring_cat.bpf.o" --ring /dev/stdout --arg "$tmp/a" --arg "$tmp/missing" --arg "$tmp/b"

show bpfload "$S/ring_fanout.bpf.o" --ring "$tmp/a" --ring "$tmp/b" --ring "$tmp/src" --json --pretty
show bpfload "$S/ring_pingpong.bpf.o" --ring /dev/null --set pingpong_cfg:0=10000 --stats

echo "\$ bpfload $S/ring_timer.bpf.o --ring /dev/null --set timer_cfg:1=20000 &"
bpfload "$S/ring_timer.bpf.o" --ring /dev/null --set timer_cfg:1=20000 2>"$tmp/timer.err" &
pid=$!
for _ in $(seq 50); do
	mapctl lookup "ring:$pid:ticks" 0 >/dev/null 2>&1 && break
	sleep 0.1
done
sleep 0.2
show mapctl lookup "ring:$pid:ticks" 0
sleep 0.2
show mapctl dump --mmap "ring:$pid:ticks"
echo "\$ kill -INT $pid"
kill -INT "$pid"
wait "$pid" || true
pid=
tail -n 2 "$tmp/timer.err"

cat >"$tmp/bad.c" <<'C'
#include <bpfkit/iouring.h>
SEC("iouring")
int bad(struct io_uring_bpf_ctx *ctx)
{
	struct iouring_cqe cqe;

	if (iouring_reap(ctx, 1, &cqe))
		return 0;
	return *(int *)cqe.user_data; /* a CQE field used as a pointer */
}
char LICENSE[] SEC("license") = "GPL";
C
clang-19 -target bpf -mcpu=v4 -O2 -g -I"$BK_SRC/samples/include" \
	-I"/usr/include/$(gcc -print-multiarch)" -c -o "$tmp/bad.o" "$tmp/bad.c"
show bpfload "$tmp/bad.o" --ring /dev/null
