// SPDX-License-Identifier: MIT
/*
 * ring_setup.c - everything `bpfload --ring` prepares before the first
 * run: the object and its iouring programs, each verified by libverify
 * (a rejection stops here), a runtime whose maps live in shared memory
 * and are published for mapctl, the --ring files (fixed files 0, 1, ...),
 * the io_uring, the memory window and the --arg strings registered with
 * the executor, iouring_env and --set values in the maps, and the engine
 * (libjit's native code, called through libjit's dispatcher, or the
 * interpreter).
 *
 * Programs run in checked mode in both engines, because that is where the
 * instruction budget is counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jit.h"
#include "ring.h"

/* bpfkit/iouring.h's struct iouring_env, as user space writes it. */
struct rl_env {
	uint64_t mem, mem_size;
	uint32_t qd, nfiles, nargs, ncqs;
	uint64_t file_size[16];
	uint64_t arg[RL_MAX_ARGS];
	uint32_t arg_len[RL_MAX_ARGS];
};

#define RL_NCQS 16

static void print_trace(void *ctx, const char *msg, size_t len)
{
	(void)ctx;
	fwrite(msg, 1, len, stderr);
}

/* ---- the object and its programs ------------------------------------------ */

static int open_obj(struct rl *r)
{
	struct bk_obj_opts oo = {.sz = sizeof(oo), .name = r->name};
	struct bk_diag d;
	int err;

	bk_diag__init(&d);
	if (!strcmp(r->o->obj, "-")) {
		char *buf;
		size_t len;

		err = tool_read_file("-", 0, &buf, &len);
		if (err)
			return rl_fail(r, TOOL_EXIT_USAGE, -err, "stdin: %s", strerror(-err));
		err = bk_obj__open_mem(buf, len, &oo, &r->obj, &d);
		free(buf);
	} else {
		err = bk_obj__open_file(r->o->obj, &oo, &r->obj, &d);
	}
	if (err) {
		if (!d.file)
			d.file = r->name;
		return rl_fail_diag(r,
				    err == -ENOENT || err == -EACCES || err == -EISDIR
					    ? TOOL_EXIT_USAGE
					    : TOOL_EXIT_REJECT,
				    &d, NULL);
	}
	return 0;
}

static int pick_progs(struct rl *r)
{
	const struct bk_prog *want =
		r->o->section ? bk_obj__find_prog(r->obj, r->o->section) : NULL;

	if (r->o->section && (!want || bk_prog__type(want) != BK_PROG_IOURING))
		return rl_fail(r, TOOL_EXIT_REJECT, BK_E_NO_PROG,
			       "%s has no iouring program or section '%s'", r->name, r->o->section);
	for (size_t i = 0; i < bk_obj__prog_cnt(r->obj); i++) {
		struct bk_prog *p = bk_obj__prog(r->obj, i);
		struct rl_prog *rp;

		if (bk_prog__type(p) != BK_PROG_IOURING)
			continue;
		if (r->nprogs >= RL_MAX_PROGS)
			return rl_fail(r, TOOL_EXIT_REJECT, E2BIG,
				       "%s: more than %d iouring programs", r->name, RL_MAX_PROGS);
		rp = &r->progs[r->nprogs++];
		rp->bp = p;
		rp->verdict = -1;
		rp->start = !want || want == p;
	}
	if (!r->nprogs)
		return rl_fail(r, TOOL_EXIT_REJECT, BK_E_NO_PROG,
			       "%s has no iouring programs (SEC(\"iouring\"))", r->name);
	return 0;
}

static bool gpl_license(const char *l)
{
	return l && (strstr(l, "GPL") || strstr(l, "Dual"));
}

static int verify_progs(struct rl *r)
{
	struct bk_verify_opts vo = {.sz = sizeof(vo), .gpl = gpl_license(bk_obj__license(r->obj))};

	for (int i = 0; i < r->nprogs && !r->o->no_verify; i++) {
		struct rl_prog *p = &r->progs[i];
		struct bk_diag d;
		int err;

		bk_diag__init(&d);
		bk_prog__insns(p->bp, &p->nfacts);
		p->facts = calloc(p->nfacts ? p->nfacts : 1, sizeof(*p->facts));
		if (!p->facts)
			return rl_fail(r, TOOL_EXIT_USAGE, ENOMEM, "out of memory");
		vo.facts = p->facts;
		vo.nfacts = p->nfacts;
		err = bk_prog__verify(p->bp, BK_PROG_IOURING, &vo, &p->vs, &d);
		p->verdict = !err;
		if (err) {
			free(p->facts);
			p->facts = NULL;
		}
		if (err == -ENOMEM)
			return rl_fail(r, TOOL_EXIT_USAGE, ENOMEM, "out of memory");
		if (err) {
			char msg[sizeof(d.msg)];

			snprintf(msg, sizeof(msg), "%s", d.msg);
			snprintf(d.msg, sizeof(d.msg),
				 "program %.64s rejected by the verifier: %.400s",
				 bk_prog__name(p->bp), msg);
			return rl_fail_diag(r, TOOL_EXIT_REJECT, &d, p->bp);
		}
	}
	return 0;
}

/* ---- runtime, maps, publication -------------------------------------------------- */

static int load_runtime(struct rl *r)
{
	struct bk_vm_opts vopts = {.sz = sizeof(vopts), .print = print_trace};
	struct bk_diag d;
	int err;

	bk_diag__init(&d);
	if (bk_vm_pub__new(NULL, &r->pub, &d))
		return rl_fail_diag(r, TOOL_EXIT_USAGE, &d, NULL);
	vopts.alloc = bk_vm_pub__alloc(r->pub);
	err = bk_vm__new(&vopts, &r->vm);
	if (err)
		return rl_fail(r, TOOL_EXIT_USAGE, -err, "cannot create the VM: %s",
			       strerror(-err));
	if (bk_vm_obj__load(r->vm, r->obj, &r->vo, &d))
		return rl_fail_diag(r, TOOL_EXIT_REJECT, &d, NULL);
	for (size_t i = 0; i < bk_obj__map_cnt(r->obj); i++) {
		const struct bk_map_def *def = bk_obj__map(r->obj, i);

		bk_diag__init(&d);
		if (def->name && *def->name &&
		    bk_vm_pub__add_map(r->pub, bk_vm_obj__map(r->vo, i), def->name, &d))
			return rl_fail_diag(r, TOOL_EXIT_USAGE, &d, NULL);
	}
	err = bk_vm_pub__serve(r->pub);
	if (err)
		return rl_fail(r, TOOL_EXIT_USAGE, -err, "cannot serve the maps on %s/ctl: %s",
			       bk_vm_pub__dir(r->pub), strerror(-err));
	for (size_t i = 0, k = 0; i < bk_obj__prog_cnt(r->obj); i++)
		if (k < (size_t)r->nprogs && bk_obj__prog(r->obj, i) == r->progs[k].bp)
			r->progs[k++].vp = bk_vm_obj__prog(r->vo, i);
	return 0;
}

/* Writes v as size little-endian bytes (zero-extended; per-CPU: each CPU's). */
static void put_le(uint8_t *buf, size_t size, uint64_t v)
{
	memset(buf, 0, size);
	for (size_t i = 0; i < size && i < 8; i++)
		buf[i] = (uint8_t)(v >> (8 * i));
}

/* --set MAP:KEY=VALUE */
static int apply_set(struct rl *r, const char *spec)
{
	char name[64];
	const char *colon = strchr(spec, ':'), *eq = colon ? strchr(colon, '=') : NULL;
	uint64_t key, val;
	struct bk_map *m;
	uint8_t *kb, *vb;
	char kbuf[32];
	size_t vs;
	int err;

	if (!colon || !eq || colon == spec || (size_t)(colon - spec) >= sizeof(name) ||
	    (size_t)(eq - colon - 1) >= sizeof(kbuf))
		return rl_fail(r, TOOL_EXIT_USAGE, EINVAL, "--set %s: expected MAP:KEY=VALUE",
			       spec);
	snprintf(name, sizeof(name), "%.*s", (int)(colon - spec), spec);
	snprintf(kbuf, sizeof(kbuf), "%.*s", (int)(eq - colon - 1), colon + 1);
	m = bk_vm_obj__find_map(r->vo, name);
	if (!m)
		return rl_fail(r, TOOL_EXIT_USAGE, ENOENT, "--set %s: the object has no map '%s'",
			       spec, name);
	if (tool_parse_u64(kbuf, &key) || tool_parse_u64(eq + 1, &val))
		return rl_fail(r, TOOL_EXIT_USAGE, EINVAL,
			       "--set %s: KEY and VALUE are unsigned integers", spec);
	vs = bk_map__user_value_size(m);
	kb = calloc(1, bk_map__attr(m)->key_size);
	vb = calloc(1, vs);
	if (!kb || !vb) {
		free(kb);
		free(vb);
		return rl_fail(r, TOOL_EXIT_USAGE, ENOMEM, "out of memory");
	}
	put_le(kb, bk_map__attr(m)->key_size, key);
	for (size_t off = 0, vsz = bk_map__attr(m)->value_size, st = (vsz + 7) / 8 * 8;
	     off + vsz <= vs; off += vs == vsz ? vs : st)
		put_le(vb + off, vsz, val);
	err = bk_map__update(m, kb, vb, 0);
	free(kb);
	free(vb);
	if (err)
		return rl_fail(r, TOOL_EXIT_USAGE, -err, "--set %s: %s", spec, strerror(-err));
	return 0;
}

/* ---- files, memory, the ring ------------------------------------------------------ */

static int open_file(struct rl *r, int i)
{
	const char *path = r->o->paths[i];
	struct stat st;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EISDIR || errno == EPERM))
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return rl_fail(r, TOOL_EXIT_USAGE, errno, "--ring %s: %s", path, strerror(errno));
	r->fds[i] = fd;
	if (!fstat(fd, &st)) {
		if (S_ISREG(st.st_mode))
			r->sizes[i] = (uint64_t)st.st_size;
		else if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, &r->sizes[i]))
			r->sizes[i] = 0;
	}
	return 0;
}

static int setup_memory(struct rl *r)
{
	size_t off = 0;

	r->mem = mmap(NULL, r->o->mem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->mem == MAP_FAILED) {
		r->mem = NULL;
		return rl_fail(r, TOOL_EXIT_USAGE, errno, "--mem: %s", strerror(errno));
	}
	for (int i = 0; i < r->o->nargs; i++)
		r->arglen += strlen(r->o->args[i]) + 1;
	if (!r->arglen)
		return 0;
	r->argmem = malloc(r->arglen);
	if (!r->argmem)
		return rl_fail(r, TOOL_EXIT_USAGE, ENOMEM, "out of memory");
	for (int i = 0; i < r->o->nargs; i++) {
		size_t n = strlen(r->o->args[i]) + 1;

		memcpy(r->argmem + off, r->o->args[i], n);
		off += n;
	}
	return 0;
}

static int fill_env(struct rl *r)
{
	struct bk_map *m = bk_vm_obj__find_map(r->vo, "iouring_env");
	struct rl_env *env;
	uint32_t key = 0;
	size_t off = 0;
	int err;

	if (!m)
		return 0;
	if (bk_map__attr(m)->type != BPF_MAP_TYPE_ARRAY ||
	    bk_map__attr(m)->value_size != sizeof(*env))
		return rl_fail(r, TOOL_EXIT_REJECT, EINVAL,
			       "map iouring_env: expected an array of struct iouring_env (%zu "
			       "bytes; bpfkit/iouring.h), found value size %u",
			       sizeof(*env), bk_map__attr(m)->value_size);
	env = calloc(1, sizeof(*env));
	if (!env)
		return rl_fail(r, TOOL_EXIT_USAGE, ENOMEM, "out of memory");
	env->mem = (uintptr_t)r->mem;
	env->mem_size = r->o->mem;
	env->qd = r->o->qd;
	env->nfiles = (uint32_t)r->o->npaths;
	env->nargs = (uint32_t)r->o->nargs;
	env->ncqs = RL_NCQS;
	for (int i = 0; i < r->o->npaths; i++)
		env->file_size[i] = r->sizes[i];
	for (int i = 0; i < r->o->nargs; i++) {
		env->arg[i] = (uintptr_t)r->argmem + off;
		env->arg_len[i] = (uint32_t)strlen(r->o->args[i]);
		off += env->arg_len[i] + 1;
	}
	err = bk_map__update(m, &key, env, 0);
	free(env);
	if (err)
		return rl_fail(r, TOOL_EXIT_USAGE, -err, "map iouring_env: %s", strerror(-err));
	return 0;
}

static int setup_ring(struct rl *r)
{
	unsigned entries = 64;
	int err;

	while (entries < r->o->qd * 2)
		entries *= 2;
	err = io_uring_queue_init(entries, &r->ring, 0);
	if (err)
		return rl_fail(
			r, TOOL_EXIT_USAGE, -err, "io_uring_queue_init: %s%s", strerror(-err),
			err == -EPERM ? " (io_uring disabled? see kernel.io_uring_disabled)" : "");
	r->ring_ok = true;
	if (r->o->npaths &&
	    (err = io_uring_register_files(&r->ring, r->fds, (unsigned)r->o->npaths)))
		return rl_fail(r, TOOL_EXIT_USAGE, -err, "registering the --ring files: %s",
			       strerror(-err));
	return 0;
}

/* ---- the engine ------------------------------------------------------------------- */

static int exec_jit(void *ctx, struct bk_vm_run *run, struct bk_vm_prog *prog, uint64_t *r0,
		    struct bk_diag *diag)
{
	struct rl *r = ctx;

	for (int i = 0; i < r->nprogs; i++)
		if (r->progs[i].vp == prog)
			return bk_jit_disp__exec(r->jit_disp, run, r->progs[i].jp, r0, diag);
	return bk_diag__set(diag, EINVAL, -1, "no native code for program %s",
			    bk_vm_prog__name(prog));
}

static int setup_jit(struct rl *r)
{
	struct bk_jit_opts jo = {.sz = sizeof(jo), .mode = BK_VM_CHECKED};
	struct bk_jit_disp *disp;
	struct bk_diag d;
	int err = bk_jit_disp__new(BK_JIT_DISP_SEARCH, &disp);

	if (err)
		return rl_fail(r, TOOL_EXIT_USAGE, -err, "JIT dispatcher: %s", strerror(-err));
	r->jit_disp = disp;
	for (int i = 0; i < r->nprogs; i++) {
		struct bk_jit_prog *jp;

		bk_diag__init(&d);
		/* verified: the verifier's facts (never for a count that differs) */
		bk_vm_prog__insns(r->progs[i].vp, &jo.nfacts);
		jo.facts = jo.nfacts == r->progs[i].nfacts ? r->progs[i].facts : NULL;
		if (!jo.facts)
			jo.nfacts = 0;
		if (bk_jit_prog__new(r->progs[i].vp, &jo, &jp, &d))
			return rl_fail_diag(r, TOOL_EXIT_REJECT, &d, r->progs[i].bp);
		r->progs[i].jp = jp;
		err = bk_jit_disp__add(disp, jp);
		if (err)
			return rl_fail(r, TOOL_EXIT_USAGE, -err, "JIT dispatcher: %s",
				       strerror(-err));
	}
	return 0;
}

static int setup_executor(struct rl *r)
{
	struct bk_ring_opts eo = {.sz = sizeof(eo),
				  .ncqs = RL_NCQS,
				  .nfiles = (uint32_t)r->o->npaths,
				  .budget = r->o->budget,
				  .mode = BK_VM_CHECKED};
	sigset_t mask;
	struct bk_diag d;
	int err;

	if (!r->o->interp) {
		if (setup_jit(r))
			return r->rc;
		eo.exec = exec_jit;
		eo.exec_ctx = r;
	}
	rl_block_signals(&mask);
	eo.sigmask = &mask;
	bk_diag__init(&d);
	if (bk_ring__new(r->vm, &r->ring, &eo, &r->ex, &d))
		return rl_fail_diag(r, TOOL_EXIT_USAGE, &d, NULL);
	for (int i = 0; i < r->nprogs; i++) {
		r->progs[i].index = bk_ring__add_prog(r->ex, r->progs[i].vp);
		if (r->progs[i].index < 0)
			return rl_fail(r, TOOL_EXIT_USAGE, -r->progs[i].index,
				       "cannot register program %s: %s",
				       bk_prog__name(r->progs[i].bp), strerror(-r->progs[i].index));
	}
	err = bk_ring__add_mem(r->ex, BK_RING_ALL_PROGS, r->mem, r->o->mem,
			       BK_RING_MEM_READ | BK_RING_MEM_WRITE);
	if (!err && r->argmem)
		err = bk_ring__add_mem(r->ex, BK_RING_ALL_PROGS, r->argmem, r->arglen,
				       BK_RING_MEM_READ);
	if (err)
		return rl_fail(r, TOOL_EXIT_USAGE, -err, "registering memory: %s", strerror(-err));
	return 0;
}

int rl_setup(struct rl *r)
{
	if (open_obj(r) || pick_progs(r) || verify_progs(r) || load_runtime(r))
		return r->rc;
	for (int i = 0; i < r->o->npaths; i++)
		if (open_file(r, i))
			return r->rc;
	if (setup_memory(r) || fill_env(r))
		return r->rc;
	for (int i = 0; i < r->o->nsets; i++)
		if (apply_set(r, r->o->sets[i]))
			return r->rc;
	if (setup_ring(r) || setup_executor(r))
		return r->rc;
	return 0;
}

void rl_teardown(struct rl *r)
{
	bk_ring__free(r->ex);
	bk_jit_disp__free(r->jit_disp); /* before its programs */
	if (r->ring_ok)
		io_uring_queue_exit(&r->ring);
	for (int i = 0; i < r->nprogs; i++) {
		bk_jit_prog__free(r->progs[i].jp);
		free(r->progs[i].facts);
	}
	for (int i = 0; i < RL_MAX_FILES; i++)
		if (r->fds[i] >= 0)
			close(r->fds[i]);
	if (r->mem)
		munmap(r->mem, r->o->mem);
	free(r->argmem);
	bk_vm_pub__stop(r->pub); /* no request on a map while it is freed */
	bk_vm_obj__free(r->vo);
	bk_vm__free(r->vm);
	bk_vm_pub__free(r->pub);
	bk_obj__free(r->obj);
	free(r->cqes);
}
