// SPDX-License-Identifier: MIT
/*
 * skb_ktest OBJ - every skb program of OBJ (tc, socket filter,
 * cgroup_skb) on a set of packets, in the kernel (BPF_PROG_TEST_RUN
 * through libbpf) and in libvm (interpreter and JIT, checked and trusted
 * modes): the return value, the packet the program leaves (from the
 * Ethernet header, as the kernel returns it) and the context fields the
 * kernel gives back (mark, priority, cb[]) must be the same.  Prints one
 * line per program and a summary; exits 1 on a difference, 2 on an error.
 * A test tool of 42-skb-vs-kernel.sh, not part of bpfkit.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit.h"
#include "vm.h"

struct pkt {
	const char *what;
	uint8_t b[128];
	size_t len;
};

static uint16_t ipsum(const uint8_t *h, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Ethernet + IPv4 (proto, ttl) + 20 bytes of L4 with a checksum field */
static void ipv4(struct pkt *p, const char *what, const uint8_t *dst, uint8_t proto, uint8_t ttl)
{
	static const uint8_t src[6] = {2, 0, 0, 0, 0, 2};
	uint8_t *ip = p->b + 14;
	uint16_t c;

	memset(p, 0, sizeof(*p));
	p->what = what;
	memcpy(p->b, dst, 6);
	memcpy(p->b + 6, src, 6);
	p->b[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 40;
	ip[8] = ttl;
	ip[9] = proto;
	memcpy(ip + 12, (uint8_t[]){10, 0, 0, 2, 10, 0, 0, 1}, 8);
	c = ipsum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	ip[20] = 0x30, ip[21] = 0x39, ip[22] = 0, ip[23] = 80;
	ip[36] = 0x12, ip[37] = 0x34; /* TCP checksum field (any value) */
	ip[26] = 0x56, ip[27] = 0x78; /* UDP checksum field */
	p->len = 54;
}

static int make_packets(struct pkt *ps)
{
	static const uint8_t uni[6] = {2, 0, 0, 0, 0, 1}, zero[6] = {0},
			     bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
			     mcast[6] = {0x01, 0x00, 0x5e, 0, 0, 1};
	int n = 0;

	ipv4(&ps[n++], "ipv4 tcp", uni, 6, 64);
	ipv4(&ps[n++], "ipv4 udp", uni, 17, 1);
	ipv4(&ps[n++], "ipv4 icmp to host", zero, 1, 200);
	ipv4(&ps[n++], "ipv4 broadcast", bcast, 17, 64);
	ipv4(&ps[n++], "ipv4 multicast", mcast, 17, 64);
	ipv4(&ps[n], "ipv6", uni, 6, 64);
	ps[n].b[12] = 0x86, ps[n].b[13] = 0xdd, ps[n].b[14] = 0x60, ps[n].b[20] = 6;
	ps[n].b[21] = 64, ps[n].len = 74, n++;
	ipv4(&ps[n], "arp", bcast, 0, 0);
	ps[n].b[12] = 0x08, ps[n].b[13] = 0x06, ps[n].len = 42, n++;
	ipv4(&ps[n], "802.3 length", uni, 0, 0);
	ps[n].b[12] = 0x00, ps[n].b[13] = 0x2e, ps[n].len = 60, n++;
	ipv4(&ps[n], "truncated ipv4", uni, 6, 64);
	ps[n].len = 20, n++;
	return n;
}

struct out {
	uint32_t retval;
	uint8_t data[256];
	uint32_t len;
	struct __sk_buff ctx;
};

static int kernel_run(int fd, const struct pkt *p, struct out *o)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = p->b, .data_size_in = (uint32_t)p->len,
		    .data_out = o->data, .data_size_out = sizeof(o->data), .ctx_out = &o->ctx,
		    .ctx_size_out = sizeof(o->ctx), .repeat = 1);

	memset(o, 0, sizeof(*o));
	if (bpf_prog_test_run_opts(fd, &t))
		return -errno;
	o->retval = t.retval;
	o->len = t.data_size_out;
	return 0;
}

static int vm_run(struct bk_vm_run *run, struct bk_vm_prog *vp, struct bk_jit_prog *jp,
		  enum bk_prog_type type, const struct pkt *p, struct out *o, struct bk_diag *d)
{
	struct bk_vm_skb_opts so = {.sz = sizeof(so), .type = type};
	const struct __sk_buff *s;
	const void *f;
	uint64_t r0;
	size_t len;
	int err;

	memset(o, 0, sizeof(*o));
	err = bk_vm_run__ctx_skb(run, p->b, p->len, &so);
	if (!err)
		err = jp ? bk_jit_prog__exec(run, jp, &r0, d) : bk_vm_run__exec(run, vp, &r0, d);
	if (err)
		return err;
	o->retval = (uint32_t)r0;
	f = bk_vm_run__frame(run, &len);
	o->len = (uint32_t)len;
	memcpy(o->data, f, len < sizeof(o->data) ? len : sizeof(o->data));
	s = bk_vm_run__skb(run);
	o->ctx.mark = s->mark;
	o->ctx.priority = s->priority;
	memcpy(o->ctx.cb, s->cb, sizeof(s->cb));
	return 0;
}

static bool same(const struct out *k, const struct out *v, char *why, size_t n)
{
	if (k->retval != v->retval)
		snprintf(why, n, "retval kernel %u, libvm %u", k->retval, v->retval);
	else if (k->len != v->len || memcmp(k->data, v->data, k->len)) {
		uint32_t i = 0;

		while (i < k->len && i < v->len && k->data[i] == v->data[i])
			i++;
		snprintf(why, n, "output packets differ (%u and %u bytes; at byte %u: %02x, %02x)",
			 k->len, v->len, i, i < k->len ? k->data[i] : 0,
			 i < v->len ? v->data[i] : 0);
	} else if (k->ctx.mark != v->ctx.mark || k->ctx.priority != v->ctx.priority ||
		   memcmp(k->ctx.cb, v->ctx.cb, sizeof(k->ctx.cb)))
		snprintf(why, n, "ctx: mark %u/%u priority %u/%u", k->ctx.mark, v->ctx.mark,
			 k->ctx.priority, v->ctx.priority);
	else
		return true;
	return false;
}

static const char *const engines[4] = {"interp checked", "interp trusted", "jit checked",
				       "jit trusted"};

int main(int argc, char **argv)
{
	struct pkt ps[16];
	int np = make_packets(ps), runs = 0, diffs = 0;
	struct bpf_object *kobj;
	struct bpf_program *kp;
	struct bk_obj *obj;
	struct bk_vm *vm;
	struct bk_vm_obj *vo;
	struct bk_diag d;

	if (argc != 2) {
		fprintf(stderr, "usage: skb_ktest OBJ\n");
		return 2;
	}
	bk_diag__init(&d);
	kobj = bpf_object__open_file(argv[1], NULL);
	if (!kobj || bpf_object__load(kobj)) {
		fprintf(stderr, "skb_ktest: the kernel refuses %s\n", argv[1]);
		return 2;
	}
	if (bk_obj__open_file(argv[1], NULL, &obj, &d) ||
	    bk_vm__new(&(struct bk_vm_opts){.sz = sizeof(struct bk_vm_opts), .ncpus = 1}, &vm) ||
	    bk_vm_obj__load(vm, obj, &vo, &d)) {
		fprintf(stderr, "skb_ktest: libvm: %s\n", d.msg);
		return 2;
	}
	bpf_object__for_each_program(kp, kobj)
	{
		const char *name = bpf_program__name(kp);
		struct bk_vm_prog *vp = NULL;
		enum bk_prog_type type = BK_PROG_UNSPEC;
		int pd = 0;

		for (size_t i = 0; i < bk_vm_obj__prog_cnt(vo); i++) {
			struct bk_prog *p = bk_obj__prog(obj, i);

			if (!strcmp(bk_prog__name(p), name)) {
				vp = bk_vm_obj__prog(vo, i);
				type = bk_prog__type(p);
			}
		}
		if (!vp) {
			fprintf(stderr, "skb_ktest: libvm refuses %s\n", name);
			return 2;
		}
		for (int e = 0; e < 4; e++) {
			struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = (uint8_t)(e & 1)};
			struct bk_jit_opts jo = {.sz = sizeof(jo), .mode = (uint8_t)(e & 1)};
			struct bk_jit_prog *jp = NULL;
			struct bk_vm_run *run;

			if ((e >= 2 && bk_jit_prog__new(vp, &jo, &jp, &d)) ||
			    bk_vm_run__new(vm, &ro, &run)) {
				fprintf(stderr, "skb_ktest: %s: %s\n", name, d.msg);
				return 2;
			}
			for (int i = 0; i < np; i++) {
				struct out ko, vo2;
				char why[160];
				int ke = kernel_run(bpf_program__fd(kp), &ps[i], &ko);
				int ve = vm_run(run, vp, jp, type, &ps[i], &vo2, &d);

				runs++;
				if (ke || ve) {
					if ((ke != 0) != (ve != 0)) {
						printf("  %s, %s, %s: kernel %d, libvm %d (%s)\n",
						       name, engines[e], ps[i].what, ke, ve,
						       ve ? d.msg : "ran");
						pd++;
					}
					continue;
				}
				if (!same(&ko, &vo2, why, sizeof(why))) {
					printf("  %s, %s, %s: %s\n", name, engines[e], ps[i].what,
					       why);
					pd++;
				}
			}
			bk_vm_run__free(run);
			bk_jit_prog__free(jp);
		}
		printf("%-22s %-14s %d packets x 4 engines: %s\n", name,
		       bk_prog_type_name(type) ? bk_prog_type_name(type) : "?", np,
		       pd ? "DIFFERENT" : "same as the kernel");
		diffs += pd;
	}
	printf("%d runs, %d differences\n", runs, diffs);
	bk_vm_obj__free(vo);
	bk_vm__free(vm);
	bk_obj__free(obj);
	bpf_object__close(kobj);
	return diffs ? 1 : 0;
}
