// SPDX-License-Identifier: MIT
/*
 * ring_srv.c - the control socket of a map publication: a thread that
 * answers element and batch requests on the published maps with libvm's
 * own map operations (so errno values and batch semantics are the bpf()
 * syscall's), and the reader's side of a request.
 *
 * Protocol (one unix stream connection, one request at a time):
 *   request  struct pub_req + len bytes (key, value, token, keys+values)
 *   reply    struct pub_rep + len bytes
 * A batch lookup of count elements replies token + keys + values.  Sizes
 * are checked against the map before anything is read into it; a request
 * the server cannot parse closes the connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ring_pub_int.h"

#define REQ_MAGIC 0x42505542u /* "BPUB" */
#define MAX_PAYLOAD (64u << 20)

struct pub_req {
	uint32_t magic, op, map, count;
	uint64_t flags;
	uint32_t len, has_in; /* has_in: a key (next_key) or token (batch) leads */
};

struct pub_rep {
	int32_t err;
	uint32_t count, len, pad;
};

static int io_all(int fd, void *buf, size_t len, bool wr)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = wr ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- the server ---------------------------------------------------------------- */

static int reply(int fd, int err, uint32_t count, const void *data, uint32_t len)
{
	struct pub_rep rep = {.err = err, .count = count, .len = len};
	int e = io_all(fd, &rep, sizeof(rep), true);

	return e || !len ? e : io_all(fd, (void *)data, len, true);
}

static int do_batch_lookup(int fd, struct bk_map *m, const struct pub_req *q, uint8_t *in)
{
	size_t ks = m->attr.key_size, vs = bk_map__user_value_size(m);
	size_t ts = bk_map__batch_token_size(m);
	uint32_t count = q->count;
	struct bk_map_batch b = {.count = count, .elem_flags = q->flags};
	uint8_t *out;
	int err;

	if ((size_t)count * (ks + vs) + ts > MAX_PAYLOAD || (q->has_in && q->len != ts))
		return reply(fd, -E2BIG, 0, NULL, 0);
	out = calloc(1, ts + (size_t)count * (ks + vs) + 1);
	if (!out)
		return reply(fd, -ENOMEM, 0, NULL, 0);
	b.in_batch = q->has_in ? in : NULL;
	b.out_batch = out;
	b.keys = out + ts;
	b.values = out + ts + (size_t)count * ks;
	err = bk_map__lookup_batch(m, &b);
	/* pack: token, keys, values of the b.count elements done */
	memmove(out + ts + (size_t)b.count * ks, b.values, (size_t)b.count * vs);
	err = reply(fd, err, b.count, out, (uint32_t)(ts + (size_t)b.count * (ks + vs)));
	free(out);
	return err;
}

static int serve_one(struct bk_vm_pub *p, int fd, const struct pub_req *q, uint8_t *in)
{
	struct bk_map *m = p->maps[q->map].map;
	size_t ks = m->attr.key_size, vs = bk_map__user_value_size(m);
	uint8_t *out;
	int err;

	switch (q->op) {
	case PUB_LOOKUP:
		if (q->len != ks)
			return reply(fd, -EINVAL, 0, NULL, 0);
		out = malloc(vs);
		if (!out)
			return reply(fd, -ENOMEM, 0, NULL, 0);
		err = bk_map__lookup(m, in, out, q->flags);
		err = reply(fd, err, 0, out, err ? 0 : (uint32_t)vs);
		free(out);
		return err;
	case PUB_UPDATE:
		if (q->len != ks + vs)
			return reply(fd, -EINVAL, 0, NULL, 0);
		return reply(fd, bk_map__update(m, in, in + ks, q->flags), 0, NULL, 0);
	case PUB_DELETE:
		if (q->len != ks)
			return reply(fd, -EINVAL, 0, NULL, 0);
		return reply(fd, bk_map__delete(m, in), 0, NULL, 0);
	case PUB_NEXT_KEY:
		if (q->len != (q->has_in ? ks : 0))
			return reply(fd, -EINVAL, 0, NULL, 0);
		out = malloc(ks);
		if (!out)
			return reply(fd, -ENOMEM, 0, NULL, 0);
		err = bk_map__get_next_key(m, q->has_in ? in : NULL, out);
		err = reply(fd, err, 0, out, err ? 0 : (uint32_t)ks);
		free(out);
		return err;
	case PUB_LOOKUP_BATCH:
		return do_batch_lookup(fd, m, q, in);
	case PUB_UPDATE_BATCH: {
		struct bk_map_batch b = {.count = q->count, .elem_flags = q->flags};

		if ((uint64_t)q->count * (ks + vs) != q->len)
			return reply(fd, -EINVAL, 0, NULL, 0);
		b.keys = in;
		b.values = in + (size_t)q->count * ks;
		err = bk_map__update_batch(m, &b);
		return reply(fd, err, b.count, NULL, 0);
	}
	default:
		return reply(fd, -EINVAL, 0, NULL, 0);
	}
}

static bool wait_readable(struct bk_vm_pub *p, int fd)
{
	struct pollfd pf[2] = {{.fd = fd, .events = POLLIN}, {.fd = p->stop[0], .events = POLLIN}};

	while (poll(pf, 2, -1) < 0)
		if (errno != EINTR)
			return false;
	return !(pf[1].revents & POLLIN) && (pf[0].revents & (POLLIN | POLLHUP));
}

static void serve_conn(struct bk_vm_pub *p, int fd)
{
	for (;;) {
		struct pub_req q;
		uint8_t *in;
		int err;

		if (!wait_readable(p, fd) || io_all(fd, &q, sizeof(q), false))
			return;
		if (q.magic != REQ_MAGIC || q.map >= p->nmaps || q.len > MAX_PAYLOAD)
			return;
		in = malloc(q.len + 1);
		if (!in)
			return;
		err = io_all(fd, in, q.len, false);
		if (!err)
			err = serve_one(p, fd, &q, in);
		free(in);
		if (err)
			return;
	}
}

static void *serve(void *arg)
{
	struct bk_vm_pub *p = arg;

	while (wait_readable(p, p->lfd)) {
		struct timeval tv = {.tv_sec = 2};
		int fd = accept4(p->lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			continue;
		/* one client at a time: one that stalls mid-request is dropped */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		serve_conn(p, fd);
		close(fd);
	}
	return NULL;
}

int bk_vm_pub__serve(struct bk_vm_pub *p)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	sigset_t all, old;
	int err;

	if (p->serving)
		return 0;
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl", p->dir) >=
	    sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	unlink(sa.sun_path);
	p->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->lfd < 0)
		return -errno;
	if (bind(p->lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(p->lfd, 8) ||
	    pipe2(p->stop, O_CLOEXEC)) {
		err = -errno;
		goto fail;
	}
	/* the thread takes no signals: they belong to the application */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&p->thread, NULL, serve, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		goto fail;
	p->serving = true;
	return 0;
fail:
	close(p->lfd);
	p->lfd = -1;
	if (p->stop[0] >= 0) {
		close(p->stop[0]);
		close(p->stop[1]);
		p->stop[0] = p->stop[1] = -1;
	}
	return err;
}

void pub_stop(struct bk_vm_pub *p)
{
	if (!p->serving)
		return;
	if (write(p->stop[1], "x", 1) < 0) {
		/* the pipe is ours and empty: cannot fail in practice */
	}
	pthread_join(p->thread, NULL);
	close(p->lfd);
	close(p->stop[0]);
	close(p->stop[1]);
	p->lfd = p->stop[0] = p->stop[1] = -1;
	p->serving = false;
}

/* ---- the reader -------------------------------------------------------------------- */

static int pub_connect(struct bk_pub_map *m)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (m->fd >= 0)
		return 0;
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl", m->dir) >=
	    sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	m->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (m->fd < 0)
		return -errno;
	if (connect(m->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = errno == ECONNREFUSED || errno == ENOENT ? -ESRCH : -errno;

		close(m->fd);
		m->fd = -1;
		return err;
	}
	return 0;
}

int pub_call(struct bk_pub_map *m, enum pub_op op, uint64_t flags, uint32_t *count, const void *in,
	     uint32_t in_len, void *out, uint32_t out_cap, uint32_t *out_len)
{
	struct pub_req q = {.magic = REQ_MAGIC,
			    .op = op,
			    .map = m->d.index,
			    .count = count ? *count : 0,
			    .flags = flags,
			    .len = in_len,
			    .has_in = in != NULL};
	struct pub_rep rep;
	int err = pub_connect(m);

	if (!err)
		err = io_all(m->fd, &q, sizeof(q), true);
	if (!err && in_len)
		err = io_all(m->fd, (void *)in, in_len, true);
	if (!err)
		err = io_all(m->fd, &rep, sizeof(rep), false);
	if (!err && rep.len > out_cap)
		err = -EPROTO;
	if (!err && rep.len)
		err = io_all(m->fd, out, rep.len, false);
	if (err) {
		close(m->fd);
		m->fd = -1;
		return err == -EPIPE ? -ESRCH : err;
	}
	if (count)
		*count = rep.count;
	if (out_len)
		*out_len = rep.len;
	return rep.err;
}

/* ---- the reader's map operations ------------------------------------------------------ */

int bk_pub_map__lookup(struct bk_pub_map *m, const void *key, void *value)
{
	return pub_call(m, PUB_LOOKUP, 0, NULL, key, m->d.key_size, value, m->d.user_value_size,
			NULL);
}

int bk_pub_map__update(struct bk_pub_map *m, const void *key, const void *value, uint64_t flags)
{
	size_t ks = m->d.key_size, vs = m->d.user_value_size;
	uint8_t *buf = malloc(ks + vs);
	int err;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, key, ks);
	memcpy(buf + ks, value, vs);
	err = pub_call(m, PUB_UPDATE, flags, NULL, buf, (uint32_t)(ks + vs), NULL, 0, NULL);
	free(buf);
	return err;
}

int bk_pub_map__delete(struct bk_pub_map *m, const void *key)
{
	return pub_call(m, PUB_DELETE, 0, NULL, key, m->d.key_size, NULL, 0, NULL);
}

int bk_pub_map__next_key(struct bk_pub_map *m, const void *key, void *next)
{
	return pub_call(m, PUB_NEXT_KEY, 0, NULL, key, key ? m->d.key_size : 0, next, m->d.key_size,
			NULL);
}

int bk_pub_map__lookup_batch(struct bk_pub_map *m, struct bk_map_batch *b)
{
	size_t ks = m->d.key_size, vs = m->d.user_value_size, ts = m->d.token_size;
	uint32_t count = b->count, got = 0;
	uint8_t *buf;
	int err;

	if ((uint64_t)count * (ks + vs) + ts > MAX_PAYLOAD)
		return -E2BIG;
	buf = malloc(ts + (size_t)count * (ks + vs) + 1);
	if (!buf)
		return -ENOMEM;
	err = pub_call(m, PUB_LOOKUP_BATCH, b->elem_flags, &count, b->in_batch,
		       b->in_batch ? (uint32_t)ts : 0, buf,
		       (uint32_t)(ts + (size_t)count * (ks + vs)), &got);
	if (got < ts + (size_t)count * (ks + vs))
		count = 0; /* a short reply: nothing usable */
	if (count) {
		if (b->out_batch)
			memcpy(b->out_batch, buf, ts);
		memcpy(b->keys, buf + ts, (size_t)count * ks);
		memcpy(b->values, buf + ts + (size_t)count * ks, (size_t)count * vs);
	}
	b->count = count;
	free(buf);
	return err;
}

int bk_pub_map__update_batch(struct bk_pub_map *m, struct bk_map_batch *b)
{
	size_t ks = m->d.key_size, vs = m->d.user_value_size;
	uint32_t count = b->count;
	uint8_t *buf;
	int err;

	if ((uint64_t)count * (ks + vs) > MAX_PAYLOAD)
		return -E2BIG;
	buf = malloc((size_t)count * (ks + vs) + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, b->keys, (size_t)count * ks);
	memcpy(buf + (size_t)count * ks, b->values, (size_t)count * vs);
	err = pub_call(m, PUB_UPDATE_BATCH, b->elem_flags, &count, buf,
		       (uint32_t)((size_t)count * (ks + vs)), NULL, 0, NULL);
	b->count = count;
	free(buf);
	return err;
}
