# SPDX-License-Identifier: MIT
# calls.s - legacy packet loads (r6 = skb), BPF-to-BPF calls in assembly:
# frames, caller-saved registers, returning pointers, call depth.
	.license "GPL"
	.map arr array key=4 value=16 entries=1
	.section socket

	.globl ld_abs_ok
ld_abs_ok:
	r6 = r1
	r0 = *(u16 *)skb[12]
	exit

	.globl ld_ind_ok
ld_ind_ok:
	r6 = r1
	r7 = 14
	r0 = *(u8 *)skb[r7 + 9]
	exit

	.globl ld_abs_no_ctx
ld_abs_no_ctx:
	r6 = 0
	r0 = *(u16 *)skb[12]
	exit

	.globl ld_abs_clobbers
ld_abs_clobbers:
	r6 = r1
	r1 = 5
	r0 = *(u8 *)skb[0]
	r0 = r1
	exit

	.section xdp

	.globl ld_abs_in_xdp
ld_abs_in_xdp:
	r6 = r1
	r0 = *(u8 *)skb[0]
	exit

	.globl call_keeps_r6
call_keeps_r6:
	r6 = 7
	r1 = 1
	call sub_add1
	r0 += r6
	exit

	.globl call_clobbers_r1
call_clobbers_r1:
	r1 = 1
	call sub_add1
	r0 = r1
	exit

	.globl call_returns_stack
call_returns_stack:
	r1 = 1
	call sub_ret_fp
	r0 = 0
	exit

	.globl call_passes_fp
call_passes_fp:
	*(u64 *)(r10 - 8) = 0
	r1 = r10
	r1 += -8
	call sub_store
	r0 = *(u64 *)(r10 - 8)
	exit

	.globl call_uninit_arg
call_uninit_arg:
	call sub_add1
	exit

	.globl call_deep
call_deep:
	call d1
	exit

	.globl call_too_deep
call_too_deep:
	call e1
	exit

	.text
sub_add1:
	r0 = r1
	r0 += 1
	exit
sub_ret_fp:
	r0 = r10
	exit
sub_store:
	r2 = 5
	*(u64 *)(r1 + 0) = r2
	r0 = 0
	exit
d1:
	call d2
	exit
d2:
	call d3
	exit
d3:
	call d4
	exit
d4:
	call d5
	exit
d5:
	call d6
	exit
d6:
	call d7
	exit
d7:
	r0 = 0
	exit
e1:
	call e2
	exit
e2:
	call e3
	exit
e3:
	call e4
	exit
e4:
	call e5
	exit
e5:
	call e6
	exit
e6:
	call e7
	exit
e7:
	call e8
	exit
e8:
	r0 = 0
	exit
