# SPDX-License-Identifier: MIT
# rules.s - register and pointer rules checked instruction by instruction:
# uninitialised reads, r10 read-only, pointer arithmetic per pointer type
# (32-bit ALU on pointers, pointer op pointer, bitwise ops, subtraction
# from fp, modified context), spills and fills, division, shifts, returns.
	.license "GPL"
	.map arr array key=4 value=16 entries=1
	.section xdp

	.globl uninit_reg
uninit_reg:
	r0 = r2
	exit

	.globl uninit_r0_exit
uninit_r0_exit:
	exit

	.globl write_fp
write_fp:
	r10 = 0
	r0 = 0
	exit

	.globl fp_plus_const
fp_plus_const:
	r1 = r10
	r1 += -8
	*(u64 *)(r1 + 0) = 0
	r0 = *(u64 *)(r10 - 8)
	exit

	.globl fp_minus_reg
fp_minus_reg:
	r1 = r10
	r2 = 8
	r1 -= r2
	r0 = 0
	exit

	.globl ptr_w_add
ptr_w_add:
	r1 = r10
	w1 += 8
	r0 = 0
	exit

	.globl ptr_w_sub
ptr_w_sub:
	r1 = r10
	w1 -= 8
	r0 = r1
	exit

	.globl ptr_and
ptr_and:
	r1 = r10
	r1 &= -8
	r0 = 0
	exit

	.globl ptr_mul
ptr_mul:
	r1 = r10
	r1 *= 2
	r0 = 0
	exit

	.globl ptr_plus_ptr
ptr_plus_ptr:
	r1 = r10
	r2 = r10
	r1 += r2
	r0 = 0
	exit

	.globl ptr_minus_ptr
ptr_minus_ptr:
	r1 = r10
	r2 = r10
	r2 += -16
	r1 -= r2
	r0 = r1
	exit

	.globl scalar_minus_ptr
scalar_minus_ptr:
	r1 = 100
	r1 -= r10
	r0 = 0
	exit

	.globl ptr_neg
ptr_neg:
	r1 = r10
	r1 = -r1
	r0 = r1
	exit

	.globl ptr_to_w_copy
ptr_to_w_copy:
	w0 = w10
	exit

	.globl ctx_modified
ctx_modified:
	r1 += 4
	r0 = *(u32 *)(r1 + 0)
	exit

	.globl ctx_offset_ok
ctx_offset_ok:
	r0 = *(u32 *)(r1 + 16)
	r0 &= 1
	exit

	.globl ctx_var_off
ctx_var_off:
	r6 = r1
	call bpf_get_prandom_u32
	r0 &= 4
	r6 += r0
	r0 = *(u32 *)(r6 + 0)
	exit

	.globl ctx_sub_then_add
ctx_sub_then_add:
	r1 += -4
	r1 += 4
	r0 = *(u32 *)(r1 + 12)
	exit

	.globl map_ptr_arith
map_ptr_arith:
	r1 = arr ll
	r1 += 8
	r0 = 0
	exit

	.globl map_ptr_plus_zero
map_ptr_plus_zero:
	r1 = arr ll
	r1 += 0
	r0 = 0
	exit

	.globl pkt_end_arith
pkt_end_arith:
	r2 = *(u32 *)(r1 + 4)
	r2 += 1
	r0 = 0
	exit

	.globl spill_fill_ptr
spill_fill_ptr:
	*(u64 *)(r10 - 8) = r1
	r6 = *(u64 *)(r10 - 8)
	r0 = *(u32 *)(r6 + 16)
	r0 &= 1
	exit

	.globl spill_ptr_narrow
spill_ptr_narrow:
	*(u32 *)(r10 - 8) = r1
	r0 = 0
	exit

	.globl fill_ptr_narrow
fill_ptr_narrow:
	*(u64 *)(r10 - 8) = r1
	r0 = *(u32 *)(r10 - 8)
	exit

	.globl spill_then_clobber
spill_then_clobber:
	*(u64 *)(r10 - 8) = r1
	*(u8 *)(r10 - 1) = 0
	r6 = *(u64 *)(r10 - 8)
	r0 = *(u32 *)(r6 + 16)
	exit

	.globl spill_scalar_bounds
spill_scalar_bounds:
	r6 = r1
	call bpf_get_prandom_u32
	r0 &= 15
	*(u64 *)(r10 - 8) = r0
	r1 = 0
	*(u32 *)(r10 - 12) = r1
	r2 = r10
	r2 += -12
	r1 = arr ll
	call bpf_map_lookup_elem
	if r0 == 0 goto out1
	r1 = *(u64 *)(r10 - 8)
	r0 += r1
	r0 = *(u8 *)(r0 + 0)
out1:
	r0 = 0
	exit

	.globl spill_narrow_scalar
spill_narrow_scalar:
	r6 = r1
	call bpf_get_prandom_u32
	r0 &= 15
	*(u32 *)(r10 - 8) = r0
	r1 = 0
	*(u32 *)(r10 - 12) = r1
	r2 = r10
	r2 += -12
	r1 = arr ll
	call bpf_map_lookup_elem
	if r0 == 0 goto out2
	r1 = *(u32 *)(r10 - 8)
	r0 += r1
	r0 = *(u8 *)(r0 + 0)
out2:
	r0 = 0
	exit

	.globl read_uninit_stack
read_uninit_stack:
	r0 = *(u64 *)(r10 - 64)
	exit

	.globl stack_513
stack_513:
	r0 = 0
	*(u8 *)(r10 - 513) = r0
	exit

	.globl stack_positive
stack_positive:
	r0 = 0
	*(u64 *)(r10 + 0) = r0
	exit

	.globl stack_misaligned
stack_misaligned:
	r0 = 0
	*(u64 *)(r10 - 12) = r0
	exit

	.globl stack_misaligned_read
stack_misaligned_read:
	*(u64 *)(r10 - 16) = 0
	r0 = *(u32 *)(r10 - 10)
	exit

	.globl div_by_zero_imm
div_by_zero_imm:
	r0 = 5
	r0 /= 0
	exit

	.globl mod_by_zero_reg
mod_by_zero_reg:
	r0 = 5
	r1 = 0
	r0 %= r1
	exit

	.globl sdiv_by_zero_imm
sdiv_by_zero_imm:
	r0 = 5
	r0 s/= 0
	exit

	.globl shift_64
shift_64:
	r0 = 1
	r0 <<= 64
	exit

	.globl shift_w_32
shift_w_32:
	w0 = 1
	w0 >>= 32
	exit

	.globl shift_63
shift_63:
	r0 = 1
	r0 <<= 63
	exit

	.globl return_pointer
return_pointer:
	r0 = r10
	exit

	.globl atomic_stack
atomic_stack:
	*(u64 *)(r10 - 8) = 0
	r1 = 1
	lock *(u64 *)(r10 - 8) += r1
	r0 = *(u64 *)(r10 - 8)
	exit

	.globl atomic_ctx
atomic_ctx:
	r2 = 1
	lock *(u32 *)(r1 + 16) += r2
	r0 = 0
	exit

	.globl atomic_misaligned
atomic_misaligned:
	*(u64 *)(r10 - 16) = 0
	r1 = 1
	lock *(u64 *)(r10 - 12) += r1
	r0 = 0
	exit

	.globl cmpxchg_stack
cmpxchg_stack:
	*(u64 *)(r10 - 8) = 0
	r0 = 0
	r1 = 5
	r0 = cmpxchg_64(r10 - 8, r0, r1)
	exit

	.globl xchg_map_value
xchg_map_value:
	r1 = 0
	*(u32 *)(r10 - 4) = r1
	r2 = r10
	r2 += -4
	r1 = arr ll
	call bpf_map_lookup_elem
	r1 = 3
	r1 = xchg_64(r0 + 8, r1)
	r0 = 0
	exit

	.globl map_value_direct
map_value_direct:
	r1 = arr ll
	call bpf_get_smp_processor_id
	r0 = 0
	exit
