#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the libFuzzer targets built in FUZZ_BUILD.
#   smoke: replays the seeds (test/fuzz/corpus/NAME) and the kept malformed
#          inputs (test/malformed/NAME), then fuzzes each target 5 seconds.
#   long:  fuzzes each target FUZZ_SECONDS (default 60) seconds.
# A crash, leak or timeout fails the run; the input is left in the work dir.
# Usage: test/fuzz/run.sh FUZZ_BUILD smoke|long
set -uo pipefail
build=$(cd "${1:?usage: run.sh FUZZ_BUILD smoke|long}" && pwd)
mode=${2:-smoke}
src=$(cd "$(dirname "$0")/../.." && pwd)
secs=${FUZZ_SECONDS:-60}
[ "$mode" = smoke ] && secs=5
work=$(mktemp -d /tmp/bk-fuzz.XXXXXX)
rc=0
for bin in "$build"/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin"); name=${name#fuzz_}
	seeds=() ; for d in "$src/test/fuzz/corpus/$name" "$src/test/malformed/$name"; do
		[ -d "$d" ] && seeds+=("$d")
	done
	mkdir -p "$work/$name"
	if [ ${#seeds[@]} -gt 0 ]; then
		# Replay every kept input once: these must never crash.
		files=$(find "${seeds[@]}" -type f | wc -l)
		if ! find "${seeds[@]}" -type f -print0 | xargs -0 -r "$bin" -runs=1 >"$work/$name.replay.log" 2>&1; then
			echo "fuzz $name: a kept input crashes (see $work/$name.replay.log)"
			tail -30 "$work/$name.replay.log"
			rc=1
			continue
		fi
		echo "fuzz $name: replayed $files kept inputs"
		cp -r "${seeds[@]/%//.}" "$work/$name/" 2>/dev/null || true
	fi
	if ! (cd "$work" && "$bin" "$work/$name" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=4096 -print_final_stats=1 >"$work/$name.log" 2>&1); then
		echo "fuzz $name: FAILED (see $work/$name.log)"
		tail -40 "$work/$name.log"
		rc=1
		continue
	fi
	runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name.log" | grep -o '[0-9]*$')
	echo "fuzz $name: ${runs:-?} runs in ${secs}s, no crash"
done
[ $rc -eq 0 ] && rm -rf "$work"
exit $rc
