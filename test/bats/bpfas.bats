#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# bpfas as a user runs it: help and man page, assembling and disassembling
# in each syntax, pipelines through stdin/stdout, raw bytecode in its three
# forms, JSON documents, errors (file:line:col, exit 1; usage, exit 2), and
# an assembled object with a map and an XDP program loaded into the kernel
# and run with BPF_PROG_TEST_RUN (root).

load 'helper'

setup() {
	TMP=$BATS_TEST_TMPDIR
	PIN=/sys/fs/bpf/bk-bpfas-${BATS_ROOT_PID:-$$}
	cat >"$TMP/count.s" <<'EOF'
	.license "GPL"
	.map counters array key=4 value=8 entries=2
	.section xdp
	.globl count
count:
	r1 = 1
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = counters ll
	call bpf_map_lookup_elem
	if r0 == 0 goto out
	r1 = 5
	lock *(u64 *)(r0 + 0) += r1
out:
	r0 = 2          # XDP_PASS
	exit
EOF
}

teardown() {
	[ "$(id -u)" -eq 0 ] && rm -rf "$PIN"
	return 0
}

@test "bpfas --help lists the options and exits 0" {
	run bpfas --help
	assert_success
	assert_output --partial "Usage: bpfas"
	assert_output --partial "--disassemble"
	assert_output --partial "--syntax"
}

@test "every option in bpfas --help is in the man page" {
	assert_help_in_man bpfas
}

@test "bpfas --version" {
	run bpfas --version
	assert_success
	assert_output --regexp '^bpfas [0-9]+\.[0-9]+'
}

@test "assemble to an object, default output name, disassemble it back" {
	cd "$TMP"
	run bpfas count.s
	assert_success
	[ -s count.o ]
	run bpfas -d count.o
	assert_success
	assert_output --partial ".map counters array key=4 value=8 entries=2"
	assert_output --partial "r1 = counters ll"
	assert_output --partial "call bpf_map_lookup_elem"
	assert_output --partial ".globl count"
}

@test "a pipeline through stdin and stdout: bpfas x.s -o - | bpfas -d -" {
	run bash -c "bpfas '$TMP/count.s' -o - | bpfas -d - | bpfas - -o - | bpfas -d -"
	assert_success
	assert_output --partial "lock *(u64 *)(r0 + 0) += r1"
}

@test "disassembly in each syntax assembles back to the same object" {
	bpfas "$TMP/count.s" -o "$TMP/a.o"
	for s in llvm kernel ubpf; do
		bpfas -d --syntax "$s" "$TMP/a.o" -o "$TMP/$s.s"
		bpfas "$TMP/$s.s" -o "$TMP/$s.o"
		cmp "$TMP/a.o" "$TMP/$s.o"
	done
	run cat "$TMP/kernel.s"
	assert_output --partial "(18) r1 = map[counters]"
	assert_output --partial "(85) call bpf_map_lookup_elem#1"
	run cat "$TMP/ubpf.s"
	assert_output --partial "lock add [%r0], %r1"
}

@test "labels and numeric helpers" {
	bpfas "$TMP/count.s" -o "$TMP/a.o"
	run bpfas -d -l --numeric-helpers "$TMP/a.o"
	assert_success
	assert_output --partial "call 1"
	assert_output --regexp 'if r0 == 0 goto \.L[0-9]+_10'
}

@test "an assembly error prints file:line:col, the line and a caret, and exits 1" {
	printf 'r0 = 1\n  r1 = *(u32 *)(r2 + 70000)\nexit\n' >"$TMP/bad.s"
	run bpfas "$TMP/bad.s" -o "$TMP/bad.o"
	assert_failure 1
	assert_line --index 0 "$TMP/bad.s:2:22: error: value 70000 is out of range for a 16-bit offset"
	assert_line --index 1 "    r1 = *(u32 *)(r2 + 70000)"
	assert_line --index 2 --regexp '^ +\^$'
	[ ! -e "$TMP/bad.o" ]
}

@test "errors name the file of a stdin input and bad mnemonics, registers, labels" {
	run bash -c "printf 'exit\nfoo r1\n' | bpfas - -o '$TMP/x.o'"
	assert_failure 1
	assert_output --partial "<stdin>:2:1: error: unknown mnemonic 'foo'"
	run bash -c "printf 'r12 = 1\n' | bpfas - -o '$TMP/x.o'"
	assert_failure 1
	assert_output --partial "<stdin>:1:1: error: invalid register 'r12'"
	run bash -c "printf 'goto nowhere\nexit\n' | bpfas - -o '$TMP/x.o'"
	assert_failure 1
	assert_output --partial "<stdin>:1:6: error: undefined label 'nowhere'"
}

@test "usage errors exit 2" {
	run bpfas --syntax intel x.s
	assert_failure 2
	assert_output --partial "--syntax intel"
	run bpfas
	assert_failure 2
	run bpfas --no-such-option x.s
	assert_failure 2
	run bpfas "$TMP/does-not-exist.s"
	assert_failure 2
	assert_output --partial "No such file"
}

@test "--json disassembly: one object per instruction with bytes, text, function" {
	bpfas "$TMP/count.s" -o "$TMP/a.o"
	run bash -c "bpfas -d --json '$TMP/a.o' | jq -e '.insns | length == 11 and
		.[0].text == \"r1 = 1\" and .[0].bytes == \"b7 01 00 00 01 00 00 00\" and
		.[4].index == 4 and (.[4].bytes | split(\" \") | length) == 16 and
		.[5].index == 6 and .[0].section == \"xdp\" and .[0].function == \"count\"'"
	assert_success
}

@test "--json of a clang object carries the C source lines" {
	run bash -c "bpfas -d --json '$SAMPLES/xdp_filter.bpf.o' | jq -e '[.insns[] | select(.source)] | length > 10 and (.[0].source.file | test(\"xdp_filter.bpf.c$\"))'"
	assert_success
}

@test "--json errors are one document and exit 1" {
	printf 'r0 = 1\nmov %%r0, 0x100000000\n' >"$TMP/bad.s"
	run bash -c "bpfas --json '$TMP/bad.s' -o '$TMP/x.o' | jq -e '.error.code == \"BK_E_ASM_RANGE\" and .error.line == 2 and .error.col == 10'"
	assert_success
	run bpfas --json "$TMP/bad.s" -o "$TMP/x.o"
	assert_failure 1
}

@test "--json when assembling summarises the output" {
	run bash -c "bpfas --json '$TMP/count.s' -o '$TMP/a.o' | jq -e '.format == \"elf\" and .sections[0].name == \"xdp\" and .sections[0].insns == 12 and .maps[0].name == \"counters\"'"
	assert_success
}

@test "--raw writes bare bytecode and -d --raw reads it back" {
	printf 'mov %%r0, 7\nadd %%r0, 1\nexit\n' >"$TMP/p.s"
	bpfas --raw "$TMP/p.s" -o "$TMP/p.bin"
	[ "$(stat -c %s "$TMP/p.bin")" -eq 24 ]
	run bpfas -d --raw --syntax ubpf "$TMP/p.bin"
	assert_success
	assert_output "$(printf '\tmov %%r0, 7\n\tadd %%r0, 1\n\texit')"
}

@test "-d --raw reads hex words, hex bytes and conformance files" {
	printf '0x00000007000000b7\n0x0000000000000095\n' >"$TMP/w.txt"
	run bpfas -d --raw "$TMP/w.txt"
	assert_success
	assert_output "$(printf '\tr0 = 7\n\texit')"
	printf 'b7 00 00 00 07 00 00 00  # r0 = 7\n95 00 00 00 00 00 00 00\n' >"$TMP/b.txt"
	run bpfas -d --raw "$TMP/b.txt"
	assert_output "$(printf '\tr0 = 7\n\texit')"
	printf -- '-- asm\nexit\n-- raw\n0x0000000000000095\n-- result\n0x0\n' >"$TMP/t.data"
	run bpfas -d --raw "$TMP/t.data"
	assert_output "$(printf '\texit')"
	printf 'b7 00 00\n' >"$TMP/short.txt"
	run bpfas -d --raw "$TMP/short.txt"
	assert_failure 1
	assert_output --partial "not a multiple of 8"
}

@test "a conformance test file assembles from its asm section, errors at the file's lines" {
	printf '# test\n-- asm\nmov32 %%r0, 1\nexit\n-- result\n0x1\n' >"$TMP/ok.data"
	run bpfas --raw "$TMP/ok.data" -o "$TMP/ok.bin"
	assert_success
	printf '# test\n-- asm\nmov32 %%r0, 2147483648\nexit\n-- result\n0x1\n' >"$TMP/bad.data"
	run bpfas --raw "$TMP/bad.data" -o "$TMP/bad.bin"
	assert_failure 1
	assert_output --partial "bad.data:3:12: error:"
}

@test "the decoder refuses a non-zero unused field, naming instruction and field" {
	printf '95 00 00 00 00 00 00 00\n07 00 01 00 01 00 00 00\n' >"$TMP/u.txt"
	run bpfas -d --raw "$TMP/u.txt"
	assert_failure 1
	assert_output --partial "insn 1"
	assert_output --partial "reserved field off is 1"
}

@test "-s picks the section to write or show" {
	cat >"$TMP/two.s" <<'EOF'
	.section a
	r0 = 1
	exit
	.section b
	r0 = 2
	exit
EOF
	run bpfas --raw "$TMP/two.s" -o "$TMP/x.bin"
	assert_failure 1
	assert_output --partial "2 code sections"
	bpfas --raw -s b "$TMP/two.s" -o "$TMP/b.bin"
	run bpfas -d --raw "$TMP/b.bin"
	assert_output --partial "r0 = 2"
	bpfas "$TMP/two.s" -o "$TMP/two.o"
	run bpfas -d -s a "$TMP/two.o"
	assert_success
	assert_output --partial "r0 = 1"
	refute_output --partial "r0 = 2"
	run bpfas -d -s nosuch "$TMP/two.o"
	assert_failure 1
}

@test "a malformed object is refused with exit 1" {
	head -c 100 "$SAMPLES/xdp_filter.bpf.o" >"$TMP/cut.o"
	run bpfas -d "$TMP/cut.o"
	assert_failure 1
	run bash -c "echo 'not an object' | bpfas -d -"
	assert_failure 1
}

@test "the samples disassemble and reassemble to the same code" {
	for o in "$SAMPLES"/*.bpf.o; do
		bpfas -d "$o" -o "$TMP/s.s"
		bpfas "$TMP/s.s" -o "$TMP/s.o"
		run bash -c "bpfas -d '$TMP/s.o' | diff - '$TMP/s.s'"
		assert_success
	done
}

@test "kernel: an assembled XDP program with a map loads through libbpf and runs" {
	require_root
	ensure_bpffs
	bpfas "$TMP/count.s" -o "$TMP/count.o"
	mkdir -p "$PIN/maps"
	bpftool prog loadall "$TMP/count.o" "$PIN/progs" pinmaps "$PIN/maps"
	head -c 64 /dev/zero >"$TMP/pkt"
	run bpftool prog run pinned "$PIN/progs/count" data_in "$TMP/pkt" repeat 3
	assert_success
	assert_output --partial "Return value: 2"
	# Three runs each added 5 to counters[1].
	run bpftool -j map lookup pinned "$PIN/maps/counters" key 1 0 0 0
	assert_success
	run jq -e '.value == ["0x0f","0x00","0x00","0x00","0x00","0x00","0x00","0x00"] or .formatted.value == 15' <<<"$output"
	assert_success
}
