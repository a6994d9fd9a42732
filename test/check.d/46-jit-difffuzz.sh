#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The interpreter-against-JIT differential test (test/difffuzz_jit): 6000
# random valid programs (ALU with every cpu v4 op, jumps, loops, stack and
# buffer memory, atomics, calls, callx, helpers, bpf_loop) run in both
# engines, checked and trusted; r0, errors, buffer, stack and maps must
# agree.  (make fuzz runs 150000.)
set -euo pipefail
: "${BK_BUILD:?}" "${BK_SRC:?}"
"$BK_SRC/test/difffuzz_jit/build.sh" "$BK_BUILD"
"$BK_BUILD/difffuzz_jit" -n "${BK_JIT_DIFF_CHECK:-6000}" -j "$(nproc)"
