// SPDX-License-Identifier: MIT
/*
 * xdp.c - attaching to and detaching from the XDP hook, and pinning.
 *
 * Attach order: check the interface, open, verify (ours), load (kernel),
 * pin, attach; a failed attach removes the pins it made, so a failure
 * leaves nothing behind.  Without --replace the attach uses
 * XDP_FLAGS_UPDATE_IF_NOEXIST, so it never silently replaces a program;
 * with --replace it names the program it expects to replace
 * (XDP_FLAGS_REPLACE + old fd), so a program attached meanwhile by someone
 * else is not clobbered.  The program stays attached after bpfload exits
 * (netlink XDP attachments belong to the device, not to a process).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "bpfload.h"
#include "tool.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static const char *mode_name(uint8_t attach_mode)
{
	switch (attach_mode) {
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offload";
	case XDP_ATTACHED_MULTI:
		return "native+generic";
	default:
		return "none";
	}
}

static uint32_t mode_flag(const char *mode)
{
	if (!mode)
		return 0;
	return strcmp(mode, "native") ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

static int iface_index(const struct bl_opts *o, struct bl_report *r)
{
	unsigned idx = if_nametoindex(o->iface);

	if (!idx)
		return bl_fail(o, TOOL_EXIT_USAGE, ENODEV,
			       "%s: no such network interface (in this network namespace)",
			       o->iface);
	r->ifindex = (int)idx;
	return 0;
}

static int add_pinned(struct bl_report *r, const char *path)
{
	char **p = realloc(r->pinned, (r->npinned + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	r->pinned = p;
	p[r->npinned] = strdup(path);
	if (!p[r->npinned])
		return -ENOMEM;
	r->npinned++;
	return 0;
}

/* ---- pinning ---------------------------------------------------------------- */

/* mkdir -p for dir; 0 or -errno. */
static int mkdirs(const char *dir)
{
	char *p = strdup(dir);
	int err = 0;

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s && !err; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			err = -errno;
		*s = '/';
	}
	if (!err && mkdir(p, 0755) && errno != EEXIST)
		err = -errno;
	free(p);
	return err;
}

/* The nearest existing ancestor of path is on bpffs (mounting bpffs at
 * /sys/fs/bpf when that is where path goes and it is not mounted). */
static int ensure_bpffs(const struct bl_opts *o, const char *path)
{
	char *p = strdup(path), *slash;
	struct statfs sfs;
	int err;

	if (!p)
		return -ENOMEM;
	while (statfs(p, &sfs) && (slash = strrchr(p, '/')) && slash != p)
		*slash = '\0';
	err = statfs(p, &sfs) ? -errno : 0;
	if (!err && sfs.f_type != BPF_FS_MAGIC && !strncmp(path, "/sys/fs/bpf/", 12) &&
	    !strcmp(p, "/sys/fs/bpf")) {
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
			err = errno;
			free(p);
			return bl_fail(o, TOOL_EXIT_USAGE, err,
				       "bpffs is not mounted at /sys/fs/bpf, and mounting it "
				       "failed: %s (mount -t bpf bpf /sys/fs/bpf)",
				       strerror(err));
		}
		err = statfs(p, &sfs) ? -errno : 0;
	}
	free(p);
	if (err || sfs.f_type != BPF_FS_MAGIC)
		return bl_fail(o, TOOL_EXIT_USAGE, err ? -err : EINVAL,
			       "%s: not on a BPF filesystem (bpffs); pin under /sys/fs/bpf", path);
	return 0;
}

/* Makes room for a pin at path: refuses an existing one unless --replace. */
static int pin_slot(const struct bl_opts *o, const char *path)
{
	if (access(path, F_OK))
		return 0;
	if (!o->replace)
		return bl_fail(o, TOOL_EXIT_USAGE, EEXIST,
			       "%s exists (from an earlier load?); use --replace or remove it",
			       path);
	if (unlink(path))
		return bl_fail(o, TOOL_EXIT_USAGE, errno, "%s: cannot remove: %s", path,
			       strerror(errno));
	return 0;
}

static void unpin_all(struct bl_report *r)
{
	for (size_t i = 0; i < r->npinned; i++) {
		unlink(r->pinned[i]);
		free(r->pinned[i]);
	}
	r->npinned = 0;
}

int bl_pin(const struct bl_opts *o, struct bl_obj *bo, struct bl_report *r)
{
	struct bpf_map *map;
	char path[4096];
	int err, rc;

	rc = ensure_bpffs(o, o->pin);
	if (rc)
		return rc;
	err = mkdirs(o->pin);
	if (err)
		return bl_fail(o, TOOL_EXIT_USAGE, -err, "%s: cannot create: %s", o->pin,
			       strerror(-err));
	bpf_object__for_each_map(map, bo->obj)
	{
		snprintf(path, sizeof(path), "%s/%s", o->pin, bpf_map__name(map));
		rc = pin_slot(o, path);
		if (!rc && (err = bpf_map__pin(map, path)))
			rc = bl_fail(o, TOOL_EXIT_USAGE, -err, "%s: cannot pin map: %s", path,
				     strerror(-err));
		if (rc || add_pinned(r, path)) {
			unpin_all(r);
			return rc ? rc : TOOL_EXIT_USAGE;
		}
	}
	snprintf(path, sizeof(path), "%s/%s", o->pin, bpf_program__name(bo->prog));
	rc = pin_slot(o, path);
	if (!rc && (err = bpf_program__pin(bo->prog, path)))
		rc = bl_fail(o, TOOL_EXIT_USAGE, -err, "%s: cannot pin program: %s", path,
			     strerror(-err));
	if (rc || add_pinned(r, path)) {
		unpin_all(r);
		return rc ? rc : TOOL_EXIT_USAGE;
	}
	return 0;
}

/* Removes the pins in dir (only on bpffs) and dir itself. */
static int unpin_dir(const struct bl_opts *o, struct bl_report *r)
{
	struct statfs sfs;
	struct dirent *e;
	char path[4096];
	DIR *d;

	if (statfs(o->pin, &sfs))
		return bl_fail(o, TOOL_EXIT_USAGE, errno, "%s: %s", o->pin, strerror(errno));
	if (sfs.f_type != BPF_FS_MAGIC)
		return bl_fail(o, TOOL_EXIT_USAGE, EINVAL, "%s: not on bpffs; nothing unpinned",
			       o->pin);
	d = opendir(o->pin);
	if (!d)
		return bl_fail(o, TOOL_EXIT_USAGE, errno, "%s: %s", o->pin, strerror(errno));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", o->pin, e->d_name);
		if (!unlink(path))
			add_pinned(r, path);
	}
	closedir(d);
	rmdir(o->pin);
	return 0;
}

/* ---- attach, detach ------------------------------------------------------------ */

static int attach_err(const struct bl_opts *o, int err, uint32_t flags)
{
	switch (-err) {
	case EBUSY:
	case EEXIST:
		return bl_fail(o, TOOL_EXIT_USAGE, -err,
			       "%s: another XDP program is attached (in this or the other mode); "
			       "use --replace, or bpfload --detach --xdp %s",
			       o->iface, o->iface);
	case EOPNOTSUPP:
		return bl_fail(o, TOOL_EXIT_USAGE, -err,
			       "%s: the driver has no %s XDP; try --mode generic", o->iface,
			       flags & XDP_FLAGS_DRV_MODE ? "native" : "such");
	case EPERM:
	case EACCES:
		return bl_fail(o, TOOL_EXIT_USAGE, -err,
			       "%s: permission denied: attaching XDP needs root (CAP_NET_ADMIN)",
			       o->iface);
	default:
		return bl_fail(o, TOOL_EXIT_USAGE, -err, "%s: attaching failed: %s", o->iface,
			       strerror(-err));
	}
}

/* Attaches prog_fd; replaces the current program with --replace. */
static int attach(const struct bl_opts *o, int prog_fd, struct bl_report *r)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao);
	uint32_t flags = mode_flag(o->mode);
	int err, old_fd = -1;

	err = bpf_xdp_query(r->ifindex, 0, &q);
	if (err)
		return attach_err(o, err, flags);
	if (q.prog_id && !o->replace)
		return bl_fail(o, TOOL_EXIT_USAGE, EEXIST,
			       "%s already runs XDP program id %u (%s mode); use --replace, or "
			       "bpfload --detach --xdp %s",
			       o->iface, q.prog_id, mode_name(q.attach_mode), o->iface);
	if (q.prog_id && q.attach_mode != XDP_ATTACHED_MULTI) {
		old_fd = bpf_prog_get_fd_by_id(q.prog_id);
		if (old_fd < 0)
			return attach_err(o, -errno, flags);
		if (!flags)
			flags = q.attach_mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE
								  : XDP_FLAGS_DRV_MODE;
		flags |= XDP_FLAGS_REPLACE;
		ao.old_prog_fd = old_fd;
		r->replaced_id = q.prog_id;
	} else if (!q.prog_id) {
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	}
	err = bpf_xdp_attach(r->ifindex, prog_fd, flags, &ao);
	if (old_fd >= 0)
		close(old_fd);
	if (err)
		return attach_err(o, err, flags);
	if (!bpf_xdp_query(r->ifindex, 0, &q))
		r->attach_mode = mode_name(q.attach_mode);
	return 0;
}

int bl_run_xdp(const struct bl_opts *o, struct bl_report *r)
{
	struct bl_obj bo = {0};
	int rc;

	rc = iface_index(o, r);
	if (!rc)
		rc = bl_open(o, BPF_PROG_TYPE_XDP, &bo, r);
	if (!rc)
		bl_verify_ours(o, &bo, r);
	if (!rc)
		rc = bl_load(o, &bo, r);
	if (!rc && o->pin)
		rc = bl_pin(o, &bo, r);
	if (!rc) {
		rc = attach(o, bpf_program__fd(bo.prog), r);
		if (rc)
			unpin_all(r);
	}
	bl_close(&bo);
	return rc;
}

int bl_run_detach(const struct bl_opts *o, struct bl_report *r)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t flags = mode_flag(o->mode);
	int err, rc;

	rc = iface_index(o, r);
	if (rc)
		return rc;
	err = bpf_xdp_query(r->ifindex, 0, &q);
	if (err)
		return attach_err(o, err, flags);
	if (!q.prog_id && !q.drv_prog_id && !q.skb_prog_id)
		return bl_fail(o, TOOL_EXIT_REJECT, ENOENT, "%s: no XDP program is attached",
			       o->iface);
	if (flags == XDP_FLAGS_DRV_MODE)
		r->detached_id = q.drv_prog_id;
	else if (flags == XDP_FLAGS_SKB_MODE)
		r->detached_id = q.skb_prog_id;
	else
		r->detached_id = q.prog_id ? q.prog_id : q.drv_prog_id;
	if (flags && !r->detached_id)
		return bl_fail(o, TOOL_EXIT_REJECT, ENOENT,
			       "%s: no %s-mode XDP program (it has one in %s mode)", o->iface,
			       o->mode, mode_name(q.attach_mode));
	if (!flags)
		flags = q.attach_mode == XDP_ATTACHED_SKB  ? XDP_FLAGS_SKB_MODE
			: q.attach_mode == XDP_ATTACHED_HW ? XDP_FLAGS_HW_MODE
							   : XDP_FLAGS_DRV_MODE;
	r->attach_mode = mode_name(flags == XDP_FLAGS_SKB_MODE	? XDP_ATTACHED_SKB
				   : flags == XDP_FLAGS_HW_MODE ? XDP_ATTACHED_HW
								: XDP_ATTACHED_DRV);
	err = bpf_xdp_detach(r->ifindex, flags, NULL);
	if (err)
		return attach_err(o, err, flags);
	if (q.attach_mode == XDP_ATTACHED_MULTI && !o->mode)
		bpf_xdp_detach(r->ifindex, XDP_FLAGS_SKB_MODE, NULL);
	if (o->pin)
		return unpin_dir(o, r);
	return 0;
}
