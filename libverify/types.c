// SPDX-License-Identifier: MIT
/*
 * types.c - what a program's type and target release decide before the
 * first instruction is interpreted: the attach target named by the
 * section ("fentry/do_unlinkat" -> "do_unlinkat"), whether the program is
 * sleepable, whether the target release has the program type, the attach
 * type and every instruction the program uses (kernels.def), and the
 * kernel's BTF for the types whose context it describes.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>

#include "types_int.h"

#define AT_NETFILTER 45
#define AT_UNIX_FIRST 49 /* BPF_CGROUP_UNIX_CONNECT */
#define AT_UNIX_LAST 53	 /* BPF_CGROUP_UNIX_GETSOCKNAME */

/* "fentry/do_unlinkat" -> "do_unlinkat"; "tracepoint/a/b" -> "a/b". */
static const char *section_target(const char *sec)
{
	const char *slash = sec ? strchr(sec, '/') : NULL;

	return slash && slash[1] ? slash + 1 : NULL;
}

static bool op_is_cpuv4(enum bk_op op)
{
	switch (op) {
	case BK_OP_SDIV64_K:
	case BK_OP_SDIV64_X:
	case BK_OP_SMOD64_K:
	case BK_OP_SMOD64_X:
	case BK_OP_SDIV32_K:
	case BK_OP_SDIV32_X:
	case BK_OP_SMOD32_K:
	case BK_OP_SMOD32_X:
	case BK_OP_MOVSX64_8:
	case BK_OP_MOVSX64_16:
	case BK_OP_MOVSX64_32:
	case BK_OP_MOVSX32_8:
	case BK_OP_MOVSX32_16:
	case BK_OP_BSWAP16:
	case BK_OP_BSWAP32:
	case BK_OP_BSWAP64:
	case BK_OP_LDXSW:
	case BK_OP_LDXSH:
	case BK_OP_LDXSB:
	case BK_OP_JA32:
		return true;
	default:
		return false;
	}
}

/* Instructions the target release does not know yet: the kernel of that
 * release refuses them wherever they are (dead code is refused too). */
static int check_isa(struct venv *env)
{
	for (size_t i = 0; i < env->cnt; i++) {
		const struct bk_dinsn *d = &env->insns[i];
		int err = 0;

		if (!d->slots)
			continue;
		env->insn_idx = (int)i;
		if (op_is_cpuv4(d->op))
			err = vk_require(env, VK_CPUV4, BK_E_V_BAD_INSN,
					 "cpu v4 instruction (sign extension, signed division, "
					 "bswap or gotol)");
		else if (d->op == BK_OP_MAY_GOTO)
			err = vk_require(env, VK_MAY_GOTO, BK_E_V_BAD_INSN, "may_goto instruction");
		if (err)
			return err;
	}
	env->insn_idx = 0;
	return 0;
}

static int check_prog_type(struct venv *env)
{
	uint32_t at = env->in->attach_type;

	if (env->in->type == BK_PROG_NETFILTER) {
		int err = vk_require(env, VK_PROG_NETFILTER, BK_E_V_PROG_TYPE,
				     "program type netfilter");
		if (err)
			return err;
		if (at != AT_NETFILTER)
			return verr(env, BK_E_V_PROG_TYPE,
				    "netfilter programs need expected attach type BPF_NETFILTER");
	}
	if (env->in->type == BK_PROG_CGROUP_SOCK_ADDR && at >= AT_UNIX_FIRST && at <= AT_UNIX_LAST)
		return vk_require(env, VK_UNIX_SOCK_ADDR, BK_E_V_PROG_TYPE,
				  "cgroup sock_addr hooks of unix sockets");
	if (env->in->type == BK_PROG_SYSCALL && !env->sleepable)
		return verr(env, BK_E_V_PROG_TYPE, "Syscall programs can only be sleepable");
	return 0;
}

int types_prepare(struct venv *env)
{
	const struct bk_prog *p = env->in->prog;
	int err;

	env->attach_to = env->in->attach_to;
	if (!env->attach_to && p)
		env->attach_to = section_target(bk_prog__section(p));
	env->sleepable = env->in->sleepable ||
			 (p && (bk_prog_section_flags(bk_prog__section(p)) & BK_SECF_SLEEPABLE));
	if ((err = check_prog_type(env)) || (err = check_isa(env)))
		return err;
	switch (env->in->type) {
	case BK_PROG_TRACING:
	case BK_PROG_NETFILTER:
		return btf_ctx_prepare(env);
	default:
		return 0;
	}
}

void types_release(struct venv *env)
{
	btf_ctx_release(env);
}
