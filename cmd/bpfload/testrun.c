// SPDX-License-Identifier: MIT
/*
 * testrun.c - `bpfload OBJ --test-run`: loads the program and runs it in the
 * kernel with BPF_PROG_TEST_RUN on a packet (--data FILE, or a built-in
 * 64-byte Ethernet/IPv4/UDP frame from 10.0.0.1 to 10.0.0.2), --repeat N
 * times; reports the return value (named for XDP and tc programs), the
 * kernel's average time per run, and the packet as the program left it.
 * With --pin the maps stay pinned afterwards, for mapctl.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "bpfload.h"
#include "tool.h"

#define OUT_SLACK 4096 /* room for programs that grow the packet */

/* Ethernet, IPv4 (checksum filled in below), UDP 1234 -> 5678, payload. */
static void default_packet(uint8_t pkt[64])
{
	static const uint8_t head[42] = {
		0x02, 0,    0,	  0,	0, 0x02, 0x02, 0, 0,  0,  0, 0x01, 0x08, 0x00, /* eth */
		0x45, 0,    0,	  50,	0, 0,	 0x40, 0, 64, 17, 0, 0,	   10,	 0,
		0,    1,    10,	  0,	0, 2,		  /* ip */
		0x04, 0xd2, 0x16, 0x2e, 0, 30,	 0,    0, /* udp */
	};
	uint32_t sum = 0;

	memset(pkt, 0, 64);
	memcpy(pkt, head, sizeof(head));
	memcpy(pkt + 42, "bpfkit test-run packet", 22);
	for (int i = 14; i < 34; i += 2)
		sum += (uint32_t)(pkt[i] << 8 | pkt[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	pkt[24] = (uint8_t)(sum >> 8);
	pkt[25] = (uint8_t)sum;
}

static int run_err(const struct bl_opts *o, int err, const char *type, uint32_t len)
{
	if (err == -EPERM || err == -EACCES)
		return bl_fail(o, TOOL_EXIT_USAGE, -err,
			       "permission denied: BPF_PROG_TEST_RUN needs root (CAP_SYS_ADMIN)");
	if (err == -524 || err == -EOPNOTSUPP)
		return bl_fail(o, TOOL_EXIT_USAGE, EOPNOTSUPP,
			       "the kernel cannot test-run %s programs", type);
	if (err == -EINVAL && len < 14)
		return bl_fail(o, TOOL_EXIT_USAGE, EINVAL,
			       "the kernel refused the test run: the packet has %u bytes, less "
			       "than an Ethernet header",
			       len);
	return bl_fail(o, TOOL_EXIT_USAGE, -err, "the kernel refused the test run: %s",
		       strerror(-err));
}

int bl_run_test(const struct bl_opts *o, struct bl_report *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, t);
	struct bl_obj bo = {0};
	uint8_t def[64], *in = def, *out = NULL;
	char *file = NULL;
	size_t len = sizeof(def);
	int rc, err;

	default_packet(def);
	if (o->data) {
		err = tool_read_file(o->data, 0, &file, &len);
		if (err)
			return bl_fail(o, TOOL_EXIT_USAGE, -err, "%s: %s", o->data, strerror(-err));
		in = (uint8_t *)file;
	}
	rc = bl_open(o, 0, &bo, r);
	if (!rc)
		bl_verify_ours(o, &bo, r);
	if (!rc)
		rc = bl_load(o, &bo, r);
	if (!rc && o->pin)
		rc = bl_pin(o, &bo, r);
	if (rc)
		goto out;
	out = calloc(1, len + OUT_SLACK);
	if (!out) {
		rc = bl_fail(o, TOOL_EXIT_USAGE, ENOMEM, "out of memory");
		goto out;
	}
	t.data_in = in;
	t.data_size_in = (uint32_t)len;
	t.data_out = out;
	t.data_size_out = (uint32_t)len + OUT_SLACK;
	t.repeat = (int)(o->repeat ? o->repeat : 1);
	err = bpf_prog_test_run_opts(bpf_program__fd(bo.prog), &t);
	if (err) {
		rc = run_err(o, err, r->type, (uint32_t)len);
		goto out;
	}
	r->ran = true;
	r->retval = t.retval;
	r->duration_ns = t.duration;
	r->repeat = (uint32_t)t.repeat;
	r->data_in = (uint32_t)len;
	r->data_out = t.data_size_out;
	r->data_changed = t.data_size_out != len || memcmp(in, out, len);
	r->out_bytes = out;
	out = NULL;
out:
	free(out);
	free(file);
	bl_close(&bo);
	return rc;
}
