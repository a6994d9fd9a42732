// SPDX-License-Identifier: MIT
/*
 * ring_shm.c - publishing a runtime's maps through shared memory: the
 * allocator that puts every map allocation in a file of its own under the
 * publication directory (MAP_SHARED, so array values are live in the
 * file), the per-map descriptors, and the reader's side (finding a map by
 * name among running publishers, its attributes, a read-only view of an
 * array's values).  Element operations go through the control socket
 * (ring_srv.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ring_pub_int.h"

/* ---- the allocator ---------------------------------------------------------- */

static size_t page_round(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (n + pg - 1) / pg * pg;
}

static void mem_path(const struct bk_vm_pub *p, uint32_t seq, char *buf, size_t len)
{
	snprintf(buf, len, "%s/mem-%u", p->dir, seq);
}

static void *pub_alloc(void *ctx, size_t size)
{
	struct bk_vm_pub *p = ctx;
	size_t sz = page_round(size ? size : 1);
	void *mem = NULL;
	char path[300];
	uint32_t seq;
	int fd;

	pthread_mutex_lock(&p->lock);
	if (p->nallocs == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct pub_alloc *a = realloc(p->allocs, cap * sizeof(*a));

		if (!a)
			goto out;
		p->allocs = a;
		p->cap = cap;
	}
	seq = p->next_seq++;
	mem_path(p, seq, path, sizeof(path));
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	if (ftruncate(fd, (off_t)sz) == 0)
		mem = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (mem == MAP_FAILED || !mem) {
		mem = NULL;
		unlink(path);
		goto out;
	}
	p->allocs[p->nallocs++] = (struct pub_alloc){.p = mem, .size = sz, .seq = seq};
out:
	pthread_mutex_unlock(&p->lock);
	return mem;
}

static void pub_free(void *ctx, void *mem, size_t size)
{
	struct bk_vm_pub *p = ctx;
	char path[300];

	(void)size;
	if (!mem)
		return;
	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < p->nallocs; i++) {
		if (p->allocs[i].p != mem)
			continue;
		munmap(mem, p->allocs[i].size);
		mem_path(p, p->allocs[i].seq, path, sizeof(path));
		unlink(path);
		p->allocs[i] = p->allocs[--p->nallocs];
		break;
	}
	pthread_mutex_unlock(&p->lock);
}

/* ---- the publisher ------------------------------------------------------------ */

static bool pid_alive(int pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* Removes the publication directories of processes that are gone (killed
 * before they could clean up): only bpfkit-<pid> directories of our user,
 * only the names a publication creates. */
static void sweep_stale(void)
{
	DIR *root = opendir(PUB_ROOT);
	struct dirent *e;

	while (root && (e = readdir(root))) {
		char dir[300], path[600];
		struct stat st;
		struct dirent *f;
		DIR *d;
		int pid;

		if (sscanf(e->d_name, "bpfkit-%d", &pid) != 1 || pid_alive(pid) ||
		    strlen(e->d_name) > 100)
			continue;
		snprintf(dir, sizeof(dir), "%s/%.100s", PUB_ROOT, e->d_name);
		if (lstat(dir, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
			continue;
		d = opendir(dir);
		while (d && (f = readdir(d)))
			if (!strncmp(f->d_name, "mem-", 4) || !strncmp(f->d_name, "map.", 4) ||
			    !strncmp(f->d_name, ".map.", 5) || !strcmp(f->d_name, "ctl")) {
				snprintf(path, sizeof(path), "%s/%.200s", dir, f->d_name);
				unlink(path);
			}
		if (d)
			closedir(d);
		rmdir(dir);
	}
	if (root)
		closedir(root);
}

const char *bk_vm_pub_dir(int pid, char *buf, size_t len)
{
	snprintf(buf, len, "%s/bpfkit-%d", PUB_ROOT, pid);
	return buf;
}

int bk_vm_pub__new(const char *dir, struct bk_vm_pub **out, struct bk_diag *diag)
{
	struct bk_vm_pub *p = calloc(1, sizeof(*p));

	if (!p)
		return bk_diag__set(diag, ENOMEM, -1, "out of memory");
	sweep_stale();
	if (dir)
		snprintf(p->dir, sizeof(p->dir), "%s", dir);
	else
		bk_vm_pub_dir(getpid(), p->dir, sizeof(p->dir));
	if (mkdir(p->dir, 0700) && errno != EEXIST) {
		int err = errno;

		free(p);
		return bk_diag__set(diag, err, -1, "cannot create %s: %s",
				    dir ? dir
					: "the "
					  "publication directory",
				    strerror(err));
	}
	pthread_mutex_init(&p->lock, NULL);
	p->alloc = (struct bk_vm_alloc){.alloc = pub_alloc, .free = pub_free, .ctx = p};
	p->lfd = -1;
	p->stop[0] = p->stop[1] = -1;
	*out = p;
	return 0;
}

const struct bk_vm_alloc *bk_vm_pub__alloc(struct bk_vm_pub *p)
{
	return &p->alloc;
}

const char *bk_vm_pub__dir(const struct bk_vm_pub *p)
{
	return p->dir;
}

/* The allocation holding [mem, mem + len). */
static const struct pub_alloc *alloc_of(struct bk_vm_pub *p, const void *mem, size_t len)
{
	for (size_t i = 0; i < p->nallocs; i++) {
		uintptr_t lo = (uintptr_t)p->allocs[i].p;

		if ((uintptr_t)mem >= lo && (uintptr_t)mem + len <= lo + p->allocs[i].size)
			return &p->allocs[i];
	}
	return NULL;
}

static int write_desc(struct bk_vm_pub *p, const struct pub_desc *d)
{
	char tmp[400], path[400];
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "%s/.map.%s", p->dir, d->name);
	snprintf(path, sizeof(path), "%s/map.%s", p->dir, d->name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, d, sizeof(*d)) != (ssize_t)sizeof(*d))
		err = errno ? -errno : -EIO;
	close(fd);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static bool name_ok(const char *name)
{
	if (!name || !*name || strlen(name) >= PUB_MAX_NAME)
		return false;
	for (const char *c = name; *c; c++)
		if (*c == '/' || *c == ':' || (unsigned char)*c < 0x20)
			return false;
	return true;
}

int bk_vm_pub__add_map(struct bk_vm_pub *p, struct bk_map *map, const char *name,
		       struct bk_diag *diag)
{
	const struct bk_map_attr *a = bk_map__attr(map);
	struct pub_desc d = {.data_seq = UINT32_MAX};
	struct pub_map *maps;
	size_t len = 0;
	void *base;
	int err;

	if (!name_ok(name))
		return bk_diag__set(diag, EINVAL, -1, "cannot publish map '%s': bad name",
				    name ? name : "");
	for (size_t i = 0; i < p->nmaps; i++)
		if (!strcmp(p->maps[i].name, name))
			return bk_diag__set(diag, EEXIST, -1, "map '%s' is published already",
					    name);
	maps = realloc(p->maps, (p->nmaps + 1) * sizeof(*maps));
	if (!maps)
		return bk_diag__set(diag, ENOMEM, -1, "out of memory");
	p->maps = maps;
	memcpy(d.magic, PUB_MAGIC, sizeof(d.magic));
	d.index = (uint32_t)p->nmaps;
	d.type = a->type;
	d.key_size = a->key_size;
	d.value_size = a->value_size;
	d.max_entries = a->max_entries;
	d.flags = a->flags;
	d.id = bk_map__id(map);
	d.ncpus = a->type == BPF_MAP_TYPE_PERCPU_ARRAY || a->type == BPF_MAP_TYPE_PERCPU_HASH ||
				  a->type == BPF_MAP_TYPE_LRU_PERCPU_HASH
			  ? bk_vm__ncpus(map->vm)
			  : 1;
	d.user_value_size = (uint32_t)bk_map__user_value_size(map);
	d.token_size = (uint32_t)bk_map__batch_token_size(map);
	snprintf(d.name, sizeof(d.name), "%s", name);
	base = a->type == BPF_MAP_TYPE_ARRAY ? bk_map__array_base(map, &len) : NULL;
	if (base) {
		const struct pub_alloc *pa;

		pthread_mutex_lock(&p->lock);
		pa = alloc_of(p, base, len);
		if (pa) {
			d.data_seq = pa->seq;
			d.data_off = (uintptr_t)base - (uintptr_t)pa->p;
			d.data_len = len;
		}
		pthread_mutex_unlock(&p->lock);
	}
	err = write_desc(p, &d);
	if (err)
		return bk_diag__set(diag, -err, -1, "cannot publish map '%s' in %s: %s", name,
				    p->dir, strerror(-err));
	p->maps[p->nmaps].map = map;
	snprintf(p->maps[p->nmaps].name, sizeof(p->maps[p->nmaps].name), "%s", name);
	p->nmaps++;
	return 0;
}

void bk_vm_pub__stop(struct bk_vm_pub *p)
{
	char path[400];

	if (!p)
		return;
	pub_stop(p);
	for (size_t i = 0; i < p->nmaps; i++) {
		snprintf(path, sizeof(path), "%s/map.%s", p->dir, p->maps[i].name);
		unlink(path);
	}
	p->nmaps = 0;
	snprintf(path, sizeof(path), "%s/ctl", p->dir);
	unlink(path);
}

void bk_vm_pub__free(struct bk_vm_pub *p)
{
	char path[400];

	if (!p)
		return;
	bk_vm_pub__stop(p);
	/* allocations the runtime still holds stay mapped; their files go */
	for (size_t i = 0; i < p->nallocs; i++) {
		mem_path(p, p->allocs[i].seq, path, sizeof(path));
		unlink(path);
	}
	rmdir(p->dir);
	if (p->nallocs) {
		/* the runtime frees them later: keep the table alive for pub_free */
		p->alloc.ctx = p;
		return; /* leaked on purpose: the runtime still calls pub_free */
	}
	pthread_mutex_destroy(&p->lock);
	free(p->allocs);
	free(p->maps);
	free(p);
}

/* ---- the reader ----------------------------------------------------------------- */

static int read_desc(const char *dir, const char *name, struct pub_desc *d)
{
	char path[400];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/map.%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, d, sizeof(*d));
	close(fd);
	if (n != (ssize_t)sizeof(*d) || memcmp(d->magic, PUB_MAGIC, sizeof(d->magic)) ||
	    !d->key_size || d->user_value_size < d->value_size || d->ncpus == 0 ||
	    d->name[sizeof(d->name) - 1])
		return -BK_E_RING_SHM;
	return 0;
}

/* Finds NAME among running publishers: 0 with dir and pid set. */
static int find_pub(const char *name, char *dir, size_t dlen, int *pid, struct bk_diag *diag)
{
	DIR *root = opendir(PUB_ROOT);
	struct dirent *e;
	int found = 0, stale = 0;

	if (!root)
		return bk_diag__set(diag, errno, -1, "%s: %s", PUB_ROOT, strerror(errno));
	while ((e = readdir(root))) {
		struct pub_desc d;
		char tdir[200];
		int tpid;

		if (sscanf(e->d_name, "bpfkit-%d", &tpid) != 1)
			continue;
		if (strlen(e->d_name) > 100)
			continue;
		snprintf(tdir, sizeof(tdir), "%s/%.100s", PUB_ROOT, e->d_name);
		if (read_desc(tdir, name, &d))
			continue;
		if (!pid_alive(tpid)) {
			stale++;
			continue;
		}
		if (found++)
			break;
		snprintf(dir, dlen, "%s", tdir);
		*pid = tpid;
	}
	closedir(root);
	if (found > 1)
		return bk_diag__set(diag, EEXIST, -1,
				    "ring:%s: several running executors publish '%s'; use "
				    "ring:PID:%s",
				    name, name, name);
	if (!found && stale)
		return bk_diag__set(diag, ESRCH, -1,
				    "ring:%s: the executor that published it "
				    "has exited",
				    name);
	if (!found)
		return bk_diag__set(diag, ENOENT, -1,
				    "ring:%s: no running ring executor "
				    "publishes a map of that name",
				    name);
	return 0;
}

int bk_pub_map__open(const char *spec, struct bk_pub_map **out, struct bk_diag *diag)
{
	struct bk_pub_map *m;
	const char *name = spec, *colon = spec ? strchr(spec, ':') : NULL;
	int err, pid = 0;

	if (!spec || !*spec)
		return bk_diag__set(diag, EINVAL, -1, "ring map: empty name");
	m = calloc(1, sizeof(*m));
	if (!m)
		return bk_diag__set(diag, ENOMEM, -1, "out of memory");
	m->fd = -1;
	if (colon) {
		char *end;
		long v = strtol(spec, &end, 10);

		name = colon + 1;
		if (end != colon || v <= 0 || v > INT32_MAX) {
			free(m);
			return bk_diag__set(diag, EINVAL, -1,
					    "ring:%s: expected ring:NAME or ring:PID:NAME", spec);
		}
		pid = (int)v;
		bk_vm_pub_dir(pid, m->dir, sizeof(m->dir));
		if (!pid_alive(pid))
			err = bk_diag__set(diag, ESRCH, -1, "ring:%s: no process %d", spec, pid);
		else
			err = 0;
	} else {
		err = find_pub(name, m->dir, sizeof(m->dir), &pid, diag);
	}
	if (!err) {
		err = read_desc(m->dir, name, &m->d);
		if (err == -ENOENT)
			bk_diag__set(diag, ENOENT, -1, "ring:%s: executor %d publishes no map '%s'",
				     spec, pid, name);
		else if (err)
			bk_diag__set(diag, -err, -1, "ring:%s: %s", spec, bk_strerror(err));
	}
	if (err) {
		free(m);
		return err;
	}
	m->pid = pid;
	m->attr = (struct bk_map_attr){.type = m->d.type,
				       .key_size = m->d.key_size,
				       .value_size = m->d.value_size,
				       .max_entries = m->d.max_entries,
				       .flags = m->d.flags};
	snprintf(m->attr.name, sizeof(m->attr.name), "%.15s", m->d.name);
	*out = m;
	return 0;
}

void bk_pub_map__close(struct bk_pub_map *m)
{
	if (!m)
		return;
	if (m->fd >= 0)
		close(m->fd);
	free(m);
}

const struct bk_map_attr *bk_pub_map__attr(const struct bk_pub_map *m)
{
	return &m->attr;
}

uint32_t bk_pub_map__value_size(const struct bk_pub_map *m)
{
	return m->d.user_value_size;
}

uint32_t bk_pub_map__ncpus(const struct bk_pub_map *m)
{
	return m->d.ncpus;
}

int bk_pub_map__pid(const struct bk_pub_map *m)
{
	return m->pid;
}

size_t bk_pub_map__batch_token_size(const struct bk_pub_map *m)
{
	return m->d.token_size;
}

int bk_pub_map__view(struct bk_pub_map *m, const void **base, size_t *len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), skip;
	char path[300];
	void *p;
	int fd;

	if (m->d.data_seq == UINT32_MAX)
		return -ENOTSUP;
	snprintf(path, sizeof(path), "%s/mem-%u", m->dir, m->d.data_seq);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	skip = m->d.data_off % pg;
	p = mmap(NULL, m->d.data_len + skip, PROT_READ, MAP_SHARED, fd,
		 (off_t)(m->d.data_off - skip));
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	if (skip) {
		/* views start at a page: callers unmap base..base+len, so keep
		 * the offset zero in practice (array values start their file) */
		munmap(p, m->d.data_len + skip);
		return -ENOTSUP;
	}
	*base = p;
	*len = m->d.data_len;
	return 0;
}
