#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The verifier corpus (test/corpus): bpfverify's verdict on every program
# must equal EXPECT and, as root, the running kernel's (required under
# CI=true); then every program bpfverify accepts runs in libvm's checked
# mode on random inputs without a bounds fault.
set -uo pipefail
src=${BK_SRC:?} build=${BK_BUILD:?}
kopt=()
if [ "$(id -u)" -eq 0 ]; then
	kopt=(--kernel)
elif [ "${CI:-}" = true ]; then
	echo "50-corpus: the kernel comparison needs root, and CI=true does not allow a skip"
	exit 1
else
	echo "50-corpus: not root: comparing with EXPECT only (kernel comparison skipped)"
fi
"$src/test/corpus/build-tools.sh" "$build" || exit 1
"$src/test/corpus/run.sh" "$build" "${kopt[@]}" || exit 1
"$build/vmcheck" -n 20 "$build"/corpus/*.o
