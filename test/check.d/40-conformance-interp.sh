#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The BPF ISA conformance suite in libvm's interpreter (see test/conformance.sh).
exec bash "$BK_SRC/test/conformance.sh" interp
