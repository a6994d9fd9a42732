#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Smoke run of the differential fuzzer on its loop and iterator shapes
# (test/difffuzz/gen_loop.c: counted loops, may_goto, bpf_iter_num_*,
# bpf_loop callbacks): 400 programs, fixed seed, bpfverify against the
# kernel (root).  A program bpfverify accepts and the kernel rejects fails
# the check; precision misses (bpfverify refuses what the kernel accepts,
# mostly loops whose exactness it decides statically) are reported.
set -uo pipefail
src=${BK_SRC:?} build=${BK_BUILD:?}
if [ "$(id -u)" -ne 0 ]; then
	if [ "${CI:-}" = true ]; then
		echo "52-difffuzz-loops: needs root, and CI=true does not allow a skip"
		exit 1
	fi
	echo "52-difffuzz-loops: skipped (needs root)"
	exit 0
fi
[ -x "$build/difffuzz" ] || "$src/test/difffuzz/build.sh" "$build" || exit 1
"$build/difffuzz" -n 400 -s 3 --loops -q -o "$build/difffuzz-loops"
