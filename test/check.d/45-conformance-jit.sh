#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The BPF ISA conformance suite in libjit's native code (see test/conformance.sh).
exec bash "$BK_SRC/test/conformance.sh" jit
