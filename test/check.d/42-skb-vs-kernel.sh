#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# skb programs (tc, socket filter, cgroup_skb: test/check.d/skb_progs.bpf.c)
# on a set of packets in the kernel's BPF_PROG_TEST_RUN and in libvm's skb
# context (interpreter and JIT, checked and trusted): the same return
# values, output packets and context fields (skb_ktest.c); and `bpfjit run
# --packet` prints the kernel's return value.  Needs root (skip otherwise;
# under CI=true a skip is a failure).
set -uo pipefail
: "${BK_BUILD:?}" "${BK_SRC:?}"
if [ "$(id -u)" -ne 0 ]; then
	if [ "${CI:-}" = true ]; then
		echo "the kernel comparison needs root, and CI=true does not allow a skip"
		exit 1
	fi
	echo "skipped: needs root (BPF_PROG_TEST_RUN)"
	exit 0
fi
work=$(mktemp -d /tmp/bk-skb.XXXXXX)
trap 'rm -rf "$work"' EXIT
here=$BK_SRC/test/check.d
clang-19 -target bpf -O2 -g -I"/usr/include/$(gcc -print-multiarch)" \
	-c "$here/skb_progs.bpf.c" -o "$work/skb.o" || exit 1
gcc -O2 -I"$BK_SRC/libuapi" -I"$BK_SRC/libvm" -I"$BK_SRC/libjit" -o "$work/skb_ktest" \
	"$here/skb_ktest.c" "$BK_BUILD/libjit.a" "$BK_BUILD/libverify.a" "$BK_BUILD/libvm.a" \
	"$BK_BUILD/libuapi.a" $(pkg-config --libs libbpf libelf zlib liburing capstone) -lm -lpthread || exit 1
"$work/skb_ktest" "$work/skb.o"
rc=$?
[ $rc -eq 0 ] || exit 1

# bpfjit run: r0 of each program on a TCP frame, as the kernel's
printf '0200000000010200000000020800450000280000000040060000' | xxd -r -p >"$work/pkt.bin"
printf '0a0000020a000001303900500000000000000000000000000000' | xxd -r -p >>"$work/pkt.bin"
cat >"$work/kr.c" <<'EOC'
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	struct bpf_object *o = bpf_object__open_file(argv[1], NULL);
	char buf[256];
	FILE *f = fopen(argv[3], "rb");
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = buf, .data_size_in = n, .repeat = 1);

	if (!o || bpf_object__load(o) ||
	    bpf_prog_test_run_opts(bpf_program__fd(bpf_object__find_program_by_name(o, argv[2])), &t))
		return 1;
	printf("%u\n", t.retval);
	return 0;
}
EOC
gcc -O2 -o "$work/kr" "$work/kr.c" -lbpf || exit 1
fail=0
for p in tc_fields tc_ttl tc_nat tc_ldabs sock_filter cg_in; do
	want=$("$work/kr" "$work/skb.o" $p "$work/pkt.bin") || { echo "kernel run of $p failed"; exit 1; }
	for e in --interp --jit "--jit --trusted"; do
		got=$(bpfjit run "$work/skb.o" -s $p --packet "$work/pkt.bin" $e --json | jq .r0)
		if [ "$got" != "$want" ]; then
			echo "bpfjit run -s $p $e: r0 $got, the kernel's $want"
			fail=1
		fi
	done
done
[ $fail -eq 0 ] && echo "bpfjit run: r0 of 6 programs x 3 engines equal to the kernel's"
exit $fail
