# Helper-call loop: 1024 calls of bpf_get_prandom_u32, summed.  Returns
# the sum's low two bits.
	r6 = 0
	r7 = 0
loop:
	call bpf_get_prandom_u32
	r7 += r0
	r6 += 1
	if r6 < 1024 goto loop
	r0 = r7
	r0 &= 3
	exit
