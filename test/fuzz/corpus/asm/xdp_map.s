	.license "GPL"
	.map counters array key=4 value=8 entries=2
	.section xdp
	.globl count
count:
	r1 = 0
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = counters ll
	call bpf_map_lookup_elem
	if r0 == 0 goto out
	r1 = 1
	lock *(u64 *)(r0 + 0) += r1
out:
	r0 = 2    # XDP_PASS
	exit
