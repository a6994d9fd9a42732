#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Smoke run of the differential fuzzer (test/difffuzz): 20000 random and
# mutated programs, fixed seed, bpfverify against the kernel (root) and the
# accepted ones in libvm's checked mode.  A program bpfverify accepts and
# the kernel rejects, or a bounds fault, fails the check.
set -uo pipefail
src=${BK_SRC:?} build=${BK_BUILD:?}
if [ "$(id -u)" -ne 0 ]; then
	if [ "${CI:-}" = true ]; then
		echo "51-difffuzz: needs root, and CI=true does not allow a skip"
		exit 1
	fi
	echo "51-difffuzz: skipped (needs root)"
	exit 0
fi
[ -x "$build/difffuzz" ] || "$src/test/difffuzz/build.sh" "$build" || exit 1
"$build/difffuzz" -n 20000 -s 1 --vm -q -o "$build/difffuzz-smoke"
