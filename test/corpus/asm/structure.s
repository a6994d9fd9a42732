# SPDX-License-Identifier: MIT
# structure.s - control-flow and encoding checks done before (or without)
# abstract interpretation: jumps out of range or into an ld_imm64, falling
# off the end, unreachable code, long jumps.
	.license "GPL"
	.section xdp

	.globl jump_past_end
jump_past_end:
	r0 = 0
	if r1 == 0 goto +2
	exit

	.globl jump_into_lddw
jump_into_lddw:
	r0 = 0
	if r1 == 0 goto +1
	r2 = 0x1122334455667788 ll
	exit

	.globl falls_off_end
falls_off_end:
	r0 = 0
	if r1 == 0 goto +1
	r0 = 1

	.globl dead_code
dead_code:
	r0 = 0
	exit
	r0 = 1
	exit

	.globl backward_infinite
backward_infinite:
	r0 = 0
loop0:
	goto loop0

	.globl lddw_plain
lddw_plain:
	r0 = 0x100000002 ll
	r0 >>= 32
	exit

	.globl ja32_long
ja32_long:
	r0 = 2
	gotol +1
	r0 = 1
	exit
