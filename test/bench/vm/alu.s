# ALU loop: 4096 rounds of a multiply-add-shift-xor mix (8 instructions
# a round).  Returns the mix's low two bits (a valid XDP verdict).
	r0 = 1
	r1 = 0
	r2 = 0
loop:
	r0 *= 31
	r0 += r1
	r3 = r0
	r3 >>= 7
	r0 ^= r3
	r2 += r0
	r1 += 1
	if r1 < 4096 goto loop
	r0 = r2
	r0 &= 3
	exit
