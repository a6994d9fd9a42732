# SPDX-License-Identifier: MIT
# isa.s - instructions newer than some kernel releases: the cpu v4 forms
# (Linux 6.6: signed division, sign-extending moves and loads, bswap,
# gotol) and may_goto (Linux 6.9).  test/types/profiles.expect says what
# each release decides.
	.license "GPL"
	.section xdp

	.globl v4_sdiv
v4_sdiv:
	r0 = 6
	r1 = 3
	r0 s/= r1
	r0 = 2
	exit

	.globl v4_movsx
v4_movsx:
	r1 = 255
	r0 = (s8)r1
	r0 = 2
	exit

	.globl v4_bswap
v4_bswap:
	r0 = 1
	r0 = bswap16 r0
	r0 = 2
	exit

	.globl v3_only
v3_only:
	r0 = 6
	r1 = 3
	r0 /= r1
	r0 = 2
	exit

	.globl may_goto_loop
may_goto_loop:
	r0 = 0
loop:
	may_goto +2
	r0 += 1
	goto loop
	r0 = 2
	exit
