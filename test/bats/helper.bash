# SPDX-License-Identifier: MIT
# Shared setup for the bats tests: bats-assert/support, the built binaries
# on PATH, the samples, and root/kernel requirements that skip outside CI
# but fail under CI=true (where everything must run).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

BK_SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BK_BUILD=${BK_BUILD:-$BK_SRC/build}
PATH="$BK_BUILD/bin:$PATH"
SAMPLES=$BK_BUILD/samples
CONFORMANCE=${BK_CONFORMANCE:-$BK_SRC/../shared/conformance}

# Skips the test unless running as root; under CI=true a skip is a failure.
require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		if [ "${CI:-}" = true ]; then
			fail "this test needs root (kernel BPF), and CI=true does not allow a skip"
		fi
		skip "needs root (kernel BPF)"
	fi
}

# Mounts bpffs at /sys/fs/bpf when it is not (root only).
ensure_bpffs() {
	require_root
	if ! mount | grep -q ' /sys/fs/bpf type bpf'; then
		mount -t bpf bpf /sys/fs/bpf
	fi
}

# Checks that every option and command in TOOL --help appears in its man page.
assert_help_in_man() {
	local tool=$1 man=$BK_BUILD/man/$1.1 word
	[ -f "$man" ] || fail "no man page $man"
	for word in $("$tool" --help | grep -oE '(^|[ ,\[])--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z0-9-]+' | sort -u); do
		grep -qe "$word" "$man" || fail "$tool --help mentions $word, its man page does not"
	done
}
