#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Demo: bpfload runs the XDP filter sample in the kernel (a test run), then
# attaches it to a veth pair between two network namespaces, where pings
# are counted, a blocklisted source is dropped, and --detach lets traffic
# through again.  Needs root; everything it makes is removed on exit.
set -euo pipefail
echo "== bpfload: the XDP filter in the kernel"
if [ "$(id -u)" -ne 0 ]; then
	echo "(skipped: loading into the kernel needs root)"
	exit 0
fi
obj=$BK_BUILD/samples/xdp_filter.bpf.o
A=bk-demo-a B=bk-demo-b PIN=/sys/fs/bpf/bk-demo-xdp
show() {
	echo "\$ $*"
	"$@"
}
cleanup() {
	ip netns del $A 2>/dev/null || true
	ip netns del $B 2>/dev/null || true
	rm -rf $PIN
}
trap cleanup EXIT
cleanup

show bpfload "$obj" --test-run --repeat 1000

ip netns add $A
ip netns add $B
ip -n $A link add veth-a type veth peer name veth-b netns $B
ip -n $A addr add 10.200.0.1/24 dev veth-a
ip -n $B addr add 10.200.0.2/24 dev veth-b
ip -n $A link set veth-a up
ip -n $B link set veth-b up
echo "# namespaces $A (10.200.0.1) and $B (10.200.0.2), joined by veth-a -- veth-b"
# nsenter keeps this mount namespace, so the pins land in the host's bpffs.
show nsenter --net=/run/netns/$B bpfload "$obj" --xdp veth-b --mode native --pin $PIN
show ip netns exec $A ping -c 3 -i 0.2 -q 10.200.0.2
show mapctl dump $PIN/counters
show mapctl update $PIN/blocklist 10.200.0.1 0
show ip netns exec $A ping -c 3 -i 0.2 -W 1 -q 10.200.0.2 || true
show mapctl dump --ipv4 $PIN/blocklist
show nsenter --net=/run/netns/$B bpfload --detach --xdp veth-b --pin $PIN
show ip netns exec $A ping -c 1 -q 10.200.0.2
