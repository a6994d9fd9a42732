#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the interpreter-against-JIT differential driver against a build
# dir's libbpfkit.a.  Usage: test/difffuzz_jit/build.sh BUILD_DIR
# (writes BUILD_DIR/difffuzz_jit).
set -euo pipefail
build=${1:?usage: build.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
make -s -C "$src" O="$build" "$build/libbpfkit.a" >/dev/null
pkgs="libbpf libelf zlib liburing capstone libpcap jansson"
${CC:-gcc} -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
	-I"$src/libuapi" -I"$src/libverify" -I"$src/libvm" -I"$src/libjit" -I"$src/test/unit/jit" \
	$(pkg-config --cflags $pkgs 2>/dev/null) \
	-o "$build/difffuzz_jit" "$src/test/difffuzz_jit/main.c" \
	"$src/test/unit/jit/diffgen.c" "$src/test/unit/jit/diffrun.c" \
	"$src/test/unit/jit/factgen.c" "$build/libbpfkit.a" \
	$(pkg-config --libs $pkgs 2>/dev/null) -lm -lpthread
