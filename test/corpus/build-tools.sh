#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the corpus's helper tools (vmcheck) and the differential fuzzer
# against BUILD_DIR's libbpfkit.a.  Usage: test/corpus/build-tools.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: build-tools.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
"$src/test/difffuzz/build.sh" "$build"
pkgs="libbpf libelf zlib liburing capstone libpcap jansson"
${CC:-gcc} -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
	-I"$src/libuapi" -I"$src/libverify" -I"$src/libvm" \
	$(pkg-config --cflags $pkgs 2>/dev/null) \
	-o "$build/vmcheck" "$src/test/corpus/vmcheck.c" "$build/libbpfkit.a" \
	$(pkg-config --libs $pkgs 2>/dev/null) -lm -lpthread
