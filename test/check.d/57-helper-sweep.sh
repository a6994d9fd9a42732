#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Helper and kfunc availability of every program type against the running
# kernel: test/types/helpersweep.c calls each of the kernel's 211 helpers
# (and the kfuncs of libverify/kfuncs_avail.def) from each program type
# and expected attach type that changes the answer; libverify's one table
# must give the kernel's answer for every pair.  Needs root (required
# under CI=true).
set -uo pipefail
src=${BK_SRC:?} build=${BK_BUILD:?}
if [ "$(id -u)" -ne 0 ]; then
	if [ "${CI:-}" = true ]; then
		echo "57-helper-sweep: needs root, and CI=true does not allow a skip"
		exit 1
	fi
	echo "57-helper-sweep: not root: skipped (the kernel is the reference)"
	exit 0
fi
"$src/test/types/build.sh" "$build" helpersweep || exit 1
rc=0
"$build/types/helpersweep" --kernel || rc=1
"$build/types/helpersweep" --kernel --kfuncs || rc=1
exit $rc
