#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# bpfverify's explanations of a rejection: for every rejection class
# (BK_E_V_* code) of the verifier corpus, one program of that class: the
# diagnostic names the instruction and (C programs, which carry line info)
# the source line, --sarif writes valid SARIF 2.1.0 with that code as the
# rule and the source region, --cfg dot writes a graph Graphviz renders,
# with the failing block in red.  Then the hints and paths of loops,
# iterators and callbacks, --json, and the options' usage errors.

load 'helper'

CORPUS=$BK_SRC/test/corpus

# Objects are built once for the whole file, as test/corpus/run.sh does.
setup_file() {
	local out=$BATS_FILE_TMPDIR/obj inc
	mkdir -p "$out"
	inc=/usr/include/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
	# type_btf.bpf.c includes the running kernel's types, as run.sh builds it
	bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$out/vmlinux.h" || return 1
	for c in "$CORPUS"/c/*.bpf.c; do
		clang-19 -target bpf -mcpu=v4 -O2 -g -Wall -Werror -I"$CORPUS/c" -I"$out" -I"$inc" \
			-c "$c" -o "$out/$(basename "$c" .c).o" || return 1
	done
	for s in "$CORPUS"/asm/*.s; do
		bpfas "$s" -o "$out/$(basename "$s" .s).o" || return 1
	done
}

setup() {
	OBJ=$BATS_FILE_TMPDIR/obj
	TMP=$BATS_TEST_TMPDIR
}

# "object program" of the first corpus program rejected with CODE whose
# object was built here.
pick() {
	local code=$1 name obj prog
	while read -r name verdict c; do
		[ "$verdict" = reject ] && [ "$c" = "$code" ] || continue
		obj=${name%%:*} prog=${name#*:}
		[ -f "$OBJ/$obj.o" ] || continue
		echo "$OBJ/$obj.o $prog"
		return 0
	done <"$CORPUS/EXPECT"
	return 1
}

@test "every rejection class: instruction, source line, SARIF and DOT" {
	local codes n=0 code obj prog asm
	codes=$(awk '$2 == "reject" { print $3 }' "$CORPUS/EXPECT" | sort -u)
	for code in $codes; do
		read -r obj prog < <(pick "$code") || fail "$code: no program of this class was built"
		n=$((n + 1))
		asm=0
		[[ $obj == *.bpf.o ]] || asm=1
		# the diagnostic: the code, the instruction, the source line
		run bpfverify -q -s "$prog" "$obj"
		[ "$status" -eq 1 ] || fail "$code ($prog): exit $status"
		[[ $output == *"[$code]"* ]] || fail "$code ($prog): no code in: $output"
		if [ $asm -eq 0 ]; then
			[[ $output =~ \.bpf\.c:[0-9]+:[0-9]+:\ error: ]] ||
				fail "$code ($prog): no source line in: $output"
			[[ $output =~ instruction\ [0-9]+ ]] ||
				fail "$code ($prog): no instruction in: $output"
		else
			# assembly objects carry no line info: the instruction is named
			[[ $output =~ insn\ [0-9]+:\ error: ]] ||
				fail "$code ($prog): no instruction in: $output"
		fi
		# SARIF 2.1.0, the code as the rule, a location
		bpfverify -q --sarif "$TMP/$code.sarif" -s "$prog" "$obj" 2>/dev/null || true
		jq -e --arg c "$code" '.version == "2.1.0" and (.runs | length) == 1 and
			.runs[0].tool.driver.name == "bpfverify" and
			(.runs[0].results | length) == 1 and
			.runs[0].results[0].ruleId == $c and
			.runs[0].results[0].level == "error" and
			(.runs[0].results[0].message.text | length) > 0 and
			(.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri | length) > 0' \
			"$TMP/$code.sarif" >/dev/null || fail "$code ($prog): bad SARIF: $(cat "$TMP/$code.sarif")"
		if [ $asm -eq 0 ]; then
			jq -e '.runs[0].results[0].locations[0].physicalLocation.region.startLine > 0' \
				"$TMP/$code.sarif" >/dev/null || fail "$code ($prog): no source line in SARIF"
		fi
		# the control-flow graph renders; the failing block is red
		bpfverify --cfg dot -s "$prog" "$obj" >"$TMP/$code.dot" 2>/dev/null || true
		dot -Tsvg "$TMP/$code.dot" >"$TMP/$code.svg" || fail "$code ($prog): dot cannot render"
		grep -q 'fillcolor="#ffdddd"' "$TMP/$code.dot" ||
			fail "$code ($prog): no failing block marked"
		grep -q '<svg' "$TMP/$code.svg" || fail "$code ($prog): no svg"
	done
	# every class of the corpus was checked
	[ "$n" -eq "$(wc -w <<<"$codes")" ] || fail "only $n rejection classes checked"
	[ "$n" -ge 30 ] || fail "only $n rejection classes in the corpus"
}

@test "hint: a maybe-NULL result names the call and both lines" {
	run bpfverify -q -s lookup_unchecked "$OBJ/maps.bpf.o"
	assert_failure 1
	assert_output --regexp 'hint: r[0-9] may be NULL: bpf_map_lookup_elem at maps\.bpf\.c:[0-9]+ can return NULL; check it before the access at maps\.bpf\.c:[0-9]+'
	run bpfverify -q -s ringbuf_unchecked "$OBJ/maps.bpf.o"
	assert_output --regexp 'hint: r[0-9] may be NULL: bpf_ringbuf_reserve at maps\.bpf\.c:[0-9]+ can return NULL'
}

@test "hint: a loop the verifier cannot bound names its line and back edge" {
	run bpfverify -q -s loop_bound_from_map "$OBJ/loop_bounded.bpf.o"
	assert_failure 1
	assert_output --partial '[BK_E_V_COMPLEXITY]'
	assert_output --regexp 'hint: the loop at loop_bounded\.bpf\.c:[0-9]+ has no bound the verifier can prove: its back edge \(insn [0-9]+ -> [0-9]+\) was taken [0-9]+ times'
}

@test "hint: a loop that makes no progress" {
	run bpfverify -q -s loop_no_progress "$OBJ/loop_bounded.bpf.o"
	assert_failure 1
	assert_output --partial '[BK_E_V_INF_LOOP]'
	# the loop's head is in an inlined helper of iter_common.h
	assert_output --regexp 'hint: the loop at [a-z_]+\.(bpf\.c|h):[0-9]+ makes no progress'
}

@test "hint: an iterator not destroyed names where it was created" {
	run bpfverify -q -s iter_not_destroyed "$OBJ/iter_basic.bpf.o"
	assert_failure 1
	assert_output --partial '[BK_E_V_REF_LEAK]'
	assert_output --regexp 'hint: the iterator created by bpf_iter_num_new at iter_basic\.bpf\.c:[0-9]+ is not destroyed on this path'
}

@test "hint: next's result used unchecked, a callback's return value" {
	run bpfverify -q -s iter_next_unchecked "$OBJ/iter_basic.bpf.o"
	assert_failure 1
	assert_output --regexp 'hint: r0 is NULL on this path: bpf_iter_num_next at iter_basic\.bpf\.c:[0-9]+ returned NULL'
	run bpfverify -q -s loop_bad_ret "$OBJ/cb_loop.bpf.o"
	assert_failure 1
	assert_output --partial '[BK_E_V_RET_VALUE]'
	assert_output --partial 'hint: a callback of bpf_loop must return 0 (go on) or 1 (stop)'
}

@test "--explain: the path, jumps with the registers compared" {
	run bpfverify -q --explain -s iter_index_unchecked "$OBJ/iter_basic.bpf.o"
	assert_failure 1
	assert_output --regexp 'path \([0-9]+ steps\):'
	assert_output --regexp 'iter_basic\.bpf\.c:[0-9]+ +if r[0-9] == 0 goto \+[0-9]+ +not taken +R[0-9]='
	assert_output --partial 'call bpf_iter_num_next'
	run bpfverify -q -s iter_index_unchecked "$OBJ/iter_basic.bpf.o"
	assert_output --partial '(--explain shows them)'
}

@test "--json carries the hint and the path" {
	run bpfverify --json -s iter_not_destroyed "$OBJ/iter_basic.bpf.o"
	assert_failure 1
	echo "$output" | jq -e '.programs[0].verdict == "failure" and
		.programs[0].error.code == "BK_E_V_REF_LEAK" and
		(.programs[0].hint | test("bpf_iter_num_new")) and
		(.programs[0].hint_insn | type) == "number" and
		.programs[0].path_steps >= 1 and
		(.programs[0].path | length) >= 1 and
		(.programs[0].path[0] | has("insn") and has("target"))'
	run bpfverify --json -s iter_sum "$OBJ/iter_basic.bpf.o"
	assert_success
	echo "$output" | jq -e '.programs[0].verdict == "success" and (.programs[0] | has("hint") | not)'
}

@test "--sarif: code flows with source lines; - writes to stdout; accepted programs give no result" {
	run bash -c "bpfverify --sarif - -s iter_index_unchecked '$OBJ/iter_basic.bpf.o' 2>/dev/null"
	assert_failure 1
	echo "$output" | jq -e '.runs[0].results[0].ruleId == "BK_E_V_PTR_OFFSET" and
		(.runs[0].results[0].codeFlows[0].threadFlows[0].locations | length) >= 2 and
		(.runs[0].results[0].codeFlows[0].threadFlows[0].locations[0].location.physicalLocation.region.startLine > 0)'
	run bash -c "bpfverify --sarif - -s loop_const '$OBJ/loop_bounded.bpf.o' 2>/dev/null"
	assert_success
	echo "$output" | jq -e '.version == "2.1.0" and (.runs[0].results | length) == 0'
}

@test "--cfg dot: blocks, T/F edges, source lines, the path in red" {
	run bash -c "bpfverify --cfg dot -s iter_nested_inner_leak '$OBJ/iter_basic.bpf.o' 2>/dev/null"
	assert_failure 1
	assert_output --partial 'digraph'
	assert_output --regexp 'label="T", color=red'
	assert_output --partial 'label="F"'
	assert_output --regexp 'iter_basic\.bpf\.c:[0-9]+'
	echo "$output" | dot -Tsvg >/dev/null
	run bash -c "bpfverify --cfg dot -s iter_sum '$OBJ/iter_basic.bpf.o' 2>/dev/null"
	assert_success
	refute_output --partial 'color=red'
}

@test "usage errors: --cfg format, two documents on stdout, unwritable --sarif" {
	run bpfverify --cfg svg "$OBJ/iter_basic.bpf.o"
	assert_failure 2
	assert_output --partial 'dot'
	run bpfverify --json --cfg dot "$OBJ/iter_basic.bpf.o"
	assert_failure 2
	run bpfverify --sarif - --cfg dot "$OBJ/iter_basic.bpf.o"
	assert_failure 2
	run bpfverify --sarif /nonexistent/dir/x.sarif "$OBJ/iter_basic.bpf.o"
	assert_failure 2
}

@test "the loop and iterator samples are accepted" {
	run bpfverify "$SAMPLES/loop.bpf.o" "$SAMPLES/iter.bpf.o"
	assert_success
}
