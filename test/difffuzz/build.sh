#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the differential fuzzer against a build dir's libbpfkit.a.
# Usage: test/difffuzz/build.sh BUILD_DIR   (writes BUILD_DIR/difffuzz)
set -euo pipefail
build=${1:?usage: build.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
make -s -C "$src" O="$build" "$build/libbpfkit.a" >/dev/null
pkgs="libbpf libelf zlib liburing capstone libpcap jansson"
${CC:-gcc} -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
	-I"$src/libuapi" -I"$src/libverify" -I"$src/libvm" -I"$src/test/difffuzz" \
	$(pkg-config --cflags $pkgs 2>/dev/null) \
	-o "$build/difffuzz" "$src"/test/difffuzz/*.c "$build/libbpfkit.a" \
	$(pkg-config --libs $pkgs 2>/dev/null) -lm -lpthread
