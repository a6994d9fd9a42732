	.license "GPL"
	.map h lru_hash key=8 value=16 entries=64 flags=0x2
	.extern bpf_iter_num_new
	.rodata
msg:	.asciz "hi\n"
	.data
	.globl v
v:	.quad 1, -1
w:	.short 3
	.bss
z:	.zero 16
	.section tc
	.globl prog
prog:
	r1 = msg ll
	r2 = v + 8 ll
	r3 = z ll
	r4 = h ll
	call bpf_iter_num_new
	r0 = 0
	exit
