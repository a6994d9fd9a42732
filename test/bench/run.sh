#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench`: runs every benchmark (test/bench/bench-*.sh, in name order)
# in one run, each printing its side-by-side ratios.
# Usage: test/bench/run.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: test/bench/run.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
export BK_BUILD=$build BK_SRC=$(dirname "$(dirname "$here")")
export PATH="$build/bin:$PATH"
rc=0
for s in "$here"/bench-*.sh; do
	[ -e "$s" ] || continue
	echo "== $(basename "$s" .sh)"
	bash "$s" || rc=1
done
exit $rc
