	.text
	.globl main
main:
	w1 = (s8)w2
	r1 s%= 7
	if w1 s>= w2 goto +1
	r0 = cmpxchg_64(r1 + 8, r0, r2)
	r0 = *(u16 *)skb[r1 + 4]
	may_goto +0
	gotol -1
	callx r3
	r0 = 0x7fffffffffffffff ll
	exit
