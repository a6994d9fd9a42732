mov %r0, 0
mov32 %r1, 0xffffffff
lddw %r2, 0x1122334455667788
stxdw [%r10-8], %r2
lock fetch add [%r10-8], %r1
ldxsb %r3, [%r10-8]
jne %r3, -1, fail
call local f
ja32 +1
fail:
exit
f:
swap16 %r0
exit
