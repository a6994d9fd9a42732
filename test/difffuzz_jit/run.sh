#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make fuzz` part: builds difffuzz_jit in BUILD_DIR and runs N programs
# (default 150000) on every CPU.  Usage: test/difffuzz_jit/run.sh BUILD_DIR [N]
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [N]}
n=${2:-150000}
here=$(cd "$(dirname "$0")" && pwd)
"$here/build.sh" "$build"
"$build/difffuzz_jit" -n "$n" -j "$(nproc)"
