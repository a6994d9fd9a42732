#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the program type sweeps (test/types/NAME.c) against BUILD_DIR's
# libbpfkit.a.  Usage: test/types/build.sh BUILD_DIR NAME...
set -euo pipefail
build=${1:?usage: build.sh BUILD_DIR NAME...}
shift
src=$(cd "$(dirname "$0")/../.." && pwd)
pkgs="libbpf libelf zlib liburing capstone libpcap jansson"
mkdir -p "$build/types"
for name in "$@"; do
	${CC:-gcc} -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
		-I"$src/libuapi" -I"$src/libverify" $(pkg-config --cflags $pkgs 2>/dev/null) \
		-o "$build/types/$name" "$src/test/types/$name.c" "$build/libbpfkit.a" \
		$(pkg-config --libs $pkgs 2>/dev/null) -lm -lpthread
done
