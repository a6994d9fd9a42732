#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make fuzz`'s differential part: bpfverify against the running kernel on
# random and mutated programs for FUZZ_SECONDS (default 60), accepted ones
# also run in libvm's checked mode.  Mismatches are kept in
# BUILD_DIR/difffuzz-long.  Needs root.  Usage: test/fuzz/difffuzz.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: difffuzz.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "difffuzz: skipped (needs root for the kernel's verdicts)"
	[ "${CI:-}" = true ] && exit 1
	exit 0
fi
"$src/test/difffuzz/build.sh" "$build" || exit 1
"$build/difffuzz" -t "${FUZZ_SECONDS:-60}" -s "${DIFFFUZZ_SEED:-$(date +%s)}" --vm -q \
	-o "$build/difffuzz-long"
