#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make demo`: shows what each tool does on the bundled samples
# (mk/demo.d/*.sh, in name order).  Usage: mk/demo.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: mk/demo.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
export BK_BUILD=$build BK_SRC=$(dirname "$here")
export PATH="$build/bin:$PATH"
cd "$BK_SRC"
for s in "$here"/demo.d/*.sh; do
	[ -e "$s" ] || continue
	bash "$s"
done
