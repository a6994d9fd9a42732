# SPDX-License-Identifier: MIT
# loop_maygoto.s - may_goto (Linux 6.9): loops bounded by the kernel's
# implicit budget instead of a counter the verifier can follow.  At
# may_goto the verifier explores the jump (budget spent) first and the
# fall-through one level deeper later; a loop converges when its state at
# may_goto is within an earlier iteration's.  Also: a plain loop without
# it that makes no progress, may_goto with a full 512-byte stack (the
# budget needs 16 bytes more), and a counter that grows without bound.
	.license "GPL"
	.map arr array key=4 value=64 entries=1
	.section xdp

# for (;;) { budget or break; i++ } with i only stored
	.globl maygoto_counter
maygoto_counter:
	r6 = r1
	r7 = 0
loop1:
	may_goto done1
	r7 += 1
	goto loop1
done1:
	*(u64 *)(r10 - 8) = r7
	r0 = 2
	exit

# the same loop with i used as an index each time (masked): converges
	.globl maygoto_index_masked
maygoto_index_masked:
	*(u32 *)(r10 - 4) = 0
	r2 = r10
	r2 += -4
	r1 = arr ll
	call 1
	if r0 == 0 goto out2
	r6 = r0
	r7 = 0
	r8 = 0
loop2:
	may_goto out2
	r1 = r7
	r1 &= 63
	r2 = r6
	r2 += r1
	r3 = *(u8 *)(r2 + 0)
	r8 += r3
	r7 += 1
	goto loop2
out2:
	r0 = 2
	exit

# the index unmasked: out of the value after 64 steps
	.globl maygoto_index_unmasked
maygoto_index_unmasked:
	*(u32 *)(r10 - 4) = 0
	r2 = r10
	r2 += -4
	r1 = arr ll
	call 1
	if r0 == 0 goto out3
	r6 = r0
	r7 = 0
loop3:
	may_goto out3
	r2 = r6
	r2 += r7
	r3 = *(u8 *)(r2 + 0)
	r7 += 1
	goto loop3
out3:
	r0 = 2
	exit

# may_goto in a loop that also has its own bound
	.globl maygoto_and_bound
maygoto_and_bound:
	r7 = 0
loop4:
	if r7 > 1000 goto out4
	may_goto out4
	r7 += 1
	goto loop4
out4:
	r0 = 2
	exit

# no may_goto: the loop head is reached again in the same state
	.globl plain_infinite
plain_infinite:
	r7 = 0
loop5:
	r7 &= 0
	goto loop5

# nested: may_goto in both loops
	.globl maygoto_nested
maygoto_nested:
	r7 = 0
outer6:
	may_goto out6
	r8 = 0
inner6:
	may_goto next6
	r8 += 1
	goto inner6
next6:
	r7 += r8
	goto outer6
out6:
	*(u64 *)(r10 - 8) = r7
	r0 = 2
	exit

# a 512-byte stack: the budget's slots do not count against it
	.globl maygoto_full_stack
maygoto_full_stack:
	*(u64 *)(r10 - 512) = 0
	r7 = 0
loop7:
	may_goto out7
	r7 += 1
	goto loop7
out7:
	r0 = 2
	exit

# the value returned depends on how far the loop got: r0 is a counter
# the exit needs exactly (xdp returns anything, so this converges too)
	.globl maygoto_return_count
maygoto_return_count:
	r0 = 0
loop8:
	may_goto out8
	r0 += 1
	goto loop8
out8:
	exit

# a may_goto loop sums bytes into r8; a bounded loop after it adds its
# counter to r8 too, so r8 < 33 is decided on the paths that went round
# it often enough: the kernel makes r8 precise on those paths only, and
# the first loop still converges (bpfverify once ran out of instructions
# here: every jump's operands were compared exactly when pruning)
	.globl maygoto_sum_then_bounded
maygoto_sum_then_bounded:
	*(u32 *)(r10 - 4) = 0
	r2 = r10
	r2 += -4
	r1 = arr ll
	call 1
	if r0 != 0 goto have9
	r0 = 0
	exit
have9:
	r9 = r0
	r8 = 0
	r6 = 0
loop9:
	may_goto after9
	r6 = *(u8 *)(r9 + 33)
	r1 = r6
	r1 &= 63
	r2 = r9
	r2 += r1
	r3 = *(u8 *)(r2 + 0)
	r8 += r3
	if r6 > 45 goto after9
	goto loop9
after9:
	r6 = 0
	r5 = *(u8 *)(r9 + 16)
	r5 &= 31
	*(u64 *)(r10 - 16) = r5
inner9:
	r1 = r6
	r1 &= 63
	r2 = r9
	r2 += r1
	r3 = *(u8 *)(r2 + 0)
	r8 += r3
	r8 += r6
	r6 += 2
	r5 = *(u64 *)(r10 - 16)
	if r6 < r5 goto inner9
	r0 = 2
	if r8 < 33 goto out9
	r0 = 1
out9:
	exit
