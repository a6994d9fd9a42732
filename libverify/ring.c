// SPDX-License-Identifier: MIT
/*
 * ring.c - the helpers of bpfkit's ring programs (BK_PROG_IOURING) as the
 * verifier sees them: the BK_RING_HELPER rows of libuapi/helpers.def (ids
 * from BK_HELPER_RING_BASE) translated into the verifier's argument kinds,
 * and bpf_copy_from_user (the kernel's 148, sleepable programs only in the
 * kernel) with its kernel prototype for ring programs.
 *
 * The argument kinds carry the ring rules: the SQE is memory the program
 * initialised (stack or map value, size in the next argument); the CQE
 * buffer is memory the helper writes, so the fields a program reads back
 * are scalars and cannot be dereferenced; ctx is the unmodified context.
 * Ring helpers are allowed in ring programs only.
 */
#include "helpers_int.h"

#define VA_NONE A_NONE
#define VA_ANYTHING A_ANY
#define VA_PTR_TO_CTX A_CTX
#define VA_PTR_TO_MEM A_MEM_RO
#define VA_PTR_TO_UNINIT_MEM A_UNINIT_MEM
#define VA_CONST_SIZE A_SIZE
#define VA_CONST_SIZE_OR_ZERO A_SIZE_OR_ZERO
#define VR_INTEGER R_INT

static const struct vhelper ring_rows[] = {
#define BK_HELPER(id, name, ret, a1, a2, a3, a4, a5, flags)
#define BK_RING_HELPER(id_, name_, ret_, a1, a2, a3, a4, a5, flags_)                               \
	{.id = (id_),                                                                              \
	 .name = "bpf_" #name_,                                                                    \
	 .ret = VR_##ret_,                                                                         \
	 .args = {VA_##a1, VA_##a2, VA_##a3, VA_##a4, VA_##a5},                                    \
	 .proto = true},
#include "helpers.def"
#undef BK_HELPER
};

#define NRING (sizeof(ring_rows) / sizeof(ring_rows[0]))

static const struct vhelper copy_from_user = {
	.id = 148,
	.name = "bpf_copy_from_user",
	.ret = R_INT,
	.args = {A_UNINIT_MEM, A_SIZE_OR_ZERO, A_ANY},
	.proto = true,
};

const struct vhelper *vring_helper_get(uint32_t id)
{
	if (id < BK_HELPER_RING_BASE || id - BK_HELPER_RING_BASE >= NRING)
		return NULL;
	return &ring_rows[id - BK_HELPER_RING_BASE];
}

const struct vhelper *vring_helper_for(enum bk_prog_type type, int32_t imm)
{
	if (imm <= 0)
		return NULL;
	if (type == BK_PROG_IOURING && (uint32_t)imm == copy_from_user.id)
		return &copy_from_user;
	return vhelper_get((uint32_t)imm);
}

bool vring_helper_is_ring(const struct vhelper *h)
{
	return (h >= ring_rows && h < ring_rows + NRING) || h == &copy_from_user;
}
