#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages bpfkit needs, only those missing.
# Usage: mk/deps.sh [--check]   (--check: list what is missing, install nothing)
set -euo pipefail

pkgs=(
	gcc libc6-dev make pkg-config git
	clang-19 llvm-19 libclang-rt-19-dev clang-format-19
	libbpf-dev libelf-dev zlib1g-dev liburing-dev libcapstone-dev libpcap-dev libjansson-dev
	bats bats-assert bats-support
	bpftool scdoc jq graphviz iproute2 iputils-ping procps
)

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi
if [[ ${1:-} == --check ]]; then
	printf '%s\n' "${missing[@]}"
	exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
	exit 2
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
