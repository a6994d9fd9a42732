#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Context access rules of every program type against the running kernel:
# test/types/ctxsweep.c loads "access; r0 = RET; exit" for each type and
# expected attach type, offset around the context, size and access kind
# (about 70,000 programs) into the kernel and into libverify; every verdict
# must agree.  Needs root (required under CI=true).
set -uo pipefail
src=${BK_SRC:?} build=${BK_BUILD:?}
if [ "$(id -u)" -ne 0 ]; then
	if [ "${CI:-}" = true ]; then
		echo "55-ctx-sweep: needs root, and CI=true does not allow a skip"
		exit 1
	fi
	echo "55-ctx-sweep: not root: skipped (the kernel is the reference)"
	exit 0
fi
"$src/test/types/build.sh" "$build" ctxsweep || exit 1
"$build/types/ctxsweep" --kernel
