// SPDX-License-Identifier: MIT
/*
 * profile.c - kernel releases as profiles (--target-kernel): parsing a
 * release name, and the questions the checks ask about the target release
 * (is this instruction, helper, kfunc, program or attach type there yet?).
 * Every fact comes from kernels.def, the one table of differences.
 *
 * A target is BK_KVER(major, minor); 0 in the options means the newest
 * release known.  Releases between the known ones are decided by the same
 * facts (a rule new in 6.9 holds for a 6.10 target).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "verify_int.h"

static const uint32_t releases[] = {
#define BK_KREL(ma, mi, note) BK_KVER(ma, mi),
#include "kernels.def"
};
#define NRELEASES (sizeof(releases) / sizeof(releases[0]))

static const struct {
	uint32_t since;
	const char *source;
} feats[VK__COUNT] = {
#define BK_KFEAT(name, ma, mi, src) [VK_##name] = {BK_KVER(ma, mi), src},
#include "kernels.def"
};

static const struct {
	uint32_t id, since;
} helper_since[] = {
#define BK_KHELPER(id, ma, mi, src) {id, BK_KVER(ma, mi)},
#include "kernels.def"
};

static const struct {
	const char *name;
	uint32_t since;
} kfunc_since[] = {
#define BK_KFUNC_SINCE(name, ma, mi, src) {#name, BK_KVER(ma, mi)},
#include "kernels.def"
};

uint32_t bk_verify_kernel_newest(void)
{
	return releases[NRELEASES - 1];
}

static int parse_release(const char *s, uint32_t *ver)
{
	char *end;
	unsigned long ma = strtoul(s, &end, 10), mi;

	if (end == s || *end != '.')
		return -EINVAL;
	s = end + 1;
	mi = strtoul(s, &end, 10);
	if (end == s || (*end && *end != '.' && *end != '-' && *end != '+'))
		return -EINVAL;
	if (ma > 255 || mi > 255)
		return -EINVAL;
	*ver = BK_KVER(ma, mi);
	if (*ver < releases[0])
		return -EINVAL;
	if (*ver > bk_verify_kernel_newest())
		*ver = bk_verify_kernel_newest();
	return 0;
}

int bk_verify_kernel_parse(const char *text, uint32_t *ver)
{
	struct utsname u;

	if (!text || !ver)
		return -EINVAL;
	if (!strcmp(text, "newest")) {
		*ver = bk_verify_kernel_newest();
		return 0;
	}
	if (!strcmp(text, "running")) {
		if (uname(&u))
			return -errno;
		return parse_release(u.release, ver);
	}
	return parse_release(text, ver);
}

uint32_t vk_target(const struct venv *env)
{
	return env->opts.target_kernel ? env->opts.target_kernel : bk_verify_kernel_newest();
}

bool vk_has(const struct venv *env, enum vk_feature f)
{
	return vk_target(env) >= feats[f].since;
}

const char *vk_str(uint32_t ver, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u", ver >> 16, (ver >> 8) & 0xff);
	return buf;
}

uint32_t vk_feature_since(enum vk_feature f)
{
	return feats[f].since;
}

uint32_t vk_helper_since(uint32_t id)
{
	for (size_t i = 0; i < sizeof(helper_since) / sizeof(helper_since[0]); i++)
		if (helper_since[i].id == id)
			return helper_since[i].since;
	return releases[0];
}

uint32_t vk_kfunc_since(const char *name)
{
	for (size_t i = 0; i < sizeof(kfunc_since) / sizeof(kfunc_since[0]); i++)
		if (!strcmp(kfunc_since[i].name, name))
			return kfunc_since[i].since;
	return releases[0];
}

/* Refuses what the target release lacks, with the kernel's error code
 * and the release that brought it in the message.  0 when present. */
int vk_require(struct venv *env, enum vk_feature f, int code, const char *what)
{
	char a[16], b[16];

	if (vk_has(env, f))
		return 0;
	return verr(env, code, "%s: new in Linux %s, the target is %s", what,
		    vk_str(feats[f].since, a, sizeof(a)), vk_str(vk_target(env), b, sizeof(b)));
}
