#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the data-driven checks of `make check` (test/check.d/*.sh, in name
# order): conformance, round trips, the verifier corpus against the kernel.
# Usage: test/check.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: test/check.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
export BK_BUILD=$build BK_SRC=$(dirname "$here")
export PATH="$build/bin:$PATH"
rc=0
for s in "$here"/check.d/*.sh; do
	[ -e "$s" ] || continue
	echo "== $(basename "$s")"
	t0=$SECONDS
	if ! bash "$s"; then
		echo "FAILED: $(basename "$s")"
		rc=1
	fi
	echo "== $(basename "$s"): $((SECONDS - t0)) s"
done
exit $rc
