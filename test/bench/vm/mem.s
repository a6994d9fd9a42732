# Memory loop: 32 stack slots, 128 rounds of load, update, store and sum
# over all of them.  Returns the sum's low two bits.
	r6 = r10
	r6 += -256
	r2 = r6
	r3 = 0
init:
	*(u64 *)(r2 + 0) = r3
	r2 += 8
	r3 += 1
	if r3 < 32 goto init
	r0 = 0
	r4 = 0
outer:
	r2 = r6
	r3 = 0
inner:
	r5 = *(u64 *)(r2 + 0)
	r5 *= 3
	r5 += r4
	*(u64 *)(r2 + 0) = r5
	r0 += r5
	r2 += 8
	r3 += 1
	if r3 < 32 goto inner
	r4 += 1
	if r4 < 128 goto outer
	r0 &= 3
	exit
