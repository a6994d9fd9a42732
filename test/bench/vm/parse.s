# Packet parse (XDP): Ethernet, IPv4 with options, TCP or UDP ports;
# drops TCP/UDP traffic to port 22 or from port 0, passes the rest.
	r2 = *(u32 *)(r1 + 0)
	r3 = *(u32 *)(r1 + 4)
	r4 = r2
	r4 += 14
	if r4 > r3 goto pass
	r5 = *(u16 *)(r2 + 12)
	if r5 != 8 goto pass
	r4 = r2
	r4 += 34
	if r4 > r3 goto pass
	r5 = *(u8 *)(r2 + 14)
	r5 &= 15
	if r5 < 5 goto drop
	r5 <<= 2
	r6 = r2
	r6 += 14
	r6 += r5
	r7 = r6
	r7 += 4
	if r7 > r3 goto pass
	r8 = *(u8 *)(r2 + 23)
	if r8 == 6 goto l4
	if r8 == 17 goto l4
	goto pass
l4:
	r0 = *(u16 *)(r6 + 2)
	r0 = be16 r0
	if r0 == 22 goto drop
	r0 = *(u16 *)(r6 + 0)
	if r0 == 0 goto drop
pass:
	r0 = 2
	exit
drop:
	r0 = 1
	exit
