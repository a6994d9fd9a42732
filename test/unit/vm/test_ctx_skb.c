// SPDX-License-Identifier: MIT
/* Unit tests of the skb context (struct __sk_buff): the layout and the
 * fields filled from the packet, where data starts per program type, the
 * fields each type may load and store in checked mode, LD_ABS on the skb,
 * and the skb helpers (load/store bytes, checksum replacement, pull,
 * redirect).  test/check.d/42-skb-vs-kernel.sh compares with the kernel's
 * BPF_PROG_TEST_RUN. */
#include <errno.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdio.h>

#include "vmtest.h"

/* Ethernet, IPv4 10.0.0.2 -> 10.0.0.1 TCP 12345 -> 80, checksum valid */
static const uint8_t pkt[54] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08,
	0x00, 0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x00, 0x40, 0x06, 0x66, 0xce,
	0x0a, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x01, 0x30, 0x39, 0x00, 0x50,
};

struct sk {
	struct bk_vm *vm;
	struct bk_vm_prog *prog;
	struct bk_vm_run *run;
	struct bk_diag d;
	uint64_t r0;
};

/* Loads p as type t, sets up the skb, runs it in mode; the exec error. */
static int sk_run(struct sk *s, const struct bk_insn *p, size_t n, enum bk_prog_type t, int mode)
{
	struct bk_vm_opts o = {.sz = sizeof(o), .ncpus = 1, .seed = 1};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .type = t};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = (uint8_t)mode};
	struct bk_vm_skb_opts so = {.sz = sizeof(so), .type = t, .mark = 7, .cb = {1, 2, 3, 4, 5}};
	int err;

	memset(s, 0, sizeof(*s));
	bk_diag__init(&s->d);
	if (bk_vm__new(&o, &s->vm) || bk_vm_run__new(s->vm, &ro, &s->run))
		return -ENOMEM;
	err = bk_vm_prog__load(s->vm, p, n, &po, &s->prog, &s->d);
	if (!err)
		err = bk_vm_run__ctx_skb(s->run, pkt, sizeof(pkt), &so);
	if (!err)
		err = bk_vm_run__exec(s->run, s->prog, &s->r0, &s->d);
	return err;
}

static void sk_fini(struct sk *s)
{
	bk_vm_run__free(s->run);
	bk_vm__free(s->vm);
}

/* r0 = *(u32 *)(skb + off) in checked mode, or ~0 on a fault */
static uint64_t field(enum bk_prog_type t, int off, int size)
{
	struct bk_insn p[] = {BK_I(LDXW, 0, 1, off, 0), BK_EXIT()};
	struct sk s;
	uint64_t r;

	if (size == 1)
		p[0] = BK_I(LDXB, 0, 1, off, 0);
	else if (size == 2)
		p[0] = BK_I(LDXH, 0, 1, off, 0);
	else if (size == 8)
		p[0] = BK_I(LDXDW, 0, 1, off, 0);
	r = sk_run(&s, p, ARRAY_LEN(p), t, BK_VM_CHECKED) ? ~0ull : s.r0;
	sk_fini(&s);
	return r;
}

static bool can_store(enum bk_prog_type t, int off)
{
	struct bk_insn p[] = {BK_ST_MEM(W, 1, off, 9), BK_MOV64_IMM(0, 0), BK_EXIT()};
	struct sk s;
	bool ok = sk_run(&s, p, ARRAY_LEN(p), t, BK_VM_CHECKED) == 0;

	sk_fini(&s);
	return ok;
}

#define OFF(f) ((int)offsetof(struct __sk_buff, f))

TEST(skb_fields_from_the_packet)
{
	struct bk_vm_opts o = {.sz = sizeof(o), .ncpus = 1};
	struct bk_vm_skb_opts so = {.sz = sizeof(so), .type = BK_PROG_SCHED_CLS, .mark = 3};
	const struct __sk_buff *s;
	struct bk_vm_run *run;
	struct bk_vm *vm;
	const uint8_t *frame;
	size_t len;

	REQUIRE_EQ(bk_vm__new(&o, &vm), 0);
	REQUIRE_EQ(bk_vm_run__new(vm, NULL, &run), 0);
	CHECK_EQ(bk_vm_run__ctx_skb(run, pkt, 13, &so), -EINVAL); /* shorter than Ethernet */
	REQUIRE_EQ(bk_vm_run__ctx_skb(run, pkt, sizeof(pkt), &so), 0);
	s = bk_vm_run__skb(run);
	REQUIRE(s);
	CHECK_EQ(s->len, 54);
	CHECK_EQ(s->protocol, 0x0008); /* htons(ETH_P_IP) */
	CHECK_EQ(s->pkt_type, 3);      /* PACKET_OTHERHOST */
	CHECK_EQ(s->ifindex, 1);
	CHECK_EQ(s->mark, 3);
	CHECK_EQ(s->data_end - s->data, 54);
	CHECK_EQ(s->data_meta, s->data);
	CHECK(s->data_end < (1ull << 32));
	CHECK_MEM((const void *)(uintptr_t)s->data, pkt, sizeof(pkt));
	CHECK_EQ(s->family, 0); /* tc has no socket fields */
	/* other types see the packet from the network header */
	so.type = BK_PROG_CGROUP_SKB;
	REQUIRE_EQ(bk_vm_run__ctx_skb(run, pkt, sizeof(pkt), &so), 0);
	CHECK_EQ(s->len, 40);
	CHECK_EQ(*(const uint8_t *)(uintptr_t)s->data, 0x45);
	CHECK_EQ(s->family, 2);
	CHECK_EQ(s->local_ip4, 0x0200000a);
	CHECK_EQ(s->remote_ip4, 0x0100000a);
	frame = bk_vm_run__frame(run, &len);
	CHECK_EQ(len, 54);
	CHECK_MEM(frame + 14, pkt + 14, sizeof(pkt) - 14);
	CHECK_EQ(frame[0] | frame[6] | frame[12], 0); /* the header reads as zeros */
	/* an IPv4 frame without its whole IP header is refused, as the kernel does */
	CHECK_EQ(bk_vm_run__ctx_skb(run, pkt, 33, &so), -EINVAL);
	CHECK_EQ(bk_vm_run__ctx_skb(run, pkt, 34, &so), 0);
	so.type = BK_PROG_XDP;
	CHECK_EQ(bk_vm_run__ctx_skb(run, pkt, sizeof(pkt), &so), -EINVAL);
	CHECK(bk_vm_skb_type(BK_PROG_SOCKET_FILTER) && bk_vm_skb_type(BK_PROG_SCHED_ACT));
	CHECK(!bk_vm_skb_type(BK_PROG_XDP));
	bk_vm_run__free(run);
	bk_vm__free(vm);
}

TEST(skb_field_access_per_type)
{
	CHECK_EQ(field(BK_PROG_SCHED_CLS, OFF(len), 4), 54);
	CHECK_EQ(field(BK_PROG_SCHED_CLS, OFF(mark), 4), 7);
	CHECK_EQ(field(BK_PROG_SCHED_CLS, OFF(protocol), 2), 8); /* narrow load */
	CHECK_EQ(field(BK_PROG_SCHED_CLS, OFF(cb[0]), 8), 0x200000001ull);
	CHECK_EQ(field(BK_PROG_SCHED_CLS, OFF(cb[1]), 8), ~0ull); /* misaligned */
	CHECK_EQ(field(BK_PROG_SCHED_CLS, OFF(tc_classid), 4), 0);
	CHECK_EQ(field(BK_PROG_SOCKET_FILTER, OFF(tc_classid), 4), ~0ull);
	CHECK_EQ(field(BK_PROG_SOCKET_FILTER, OFF(data), 4), ~0ull); /* no direct access */
	CHECK(field(BK_PROG_SCHED_CLS, OFF(data), 4) != ~0ull);
	CHECK_EQ(field(BK_PROG_SCHED_CLS, OFF(data), 2), ~0ull);
	CHECK_EQ(field(BK_PROG_SCHED_CLS, OFF(family), 4), ~0ull);
	CHECK_EQ(field(BK_PROG_CGROUP_SKB, OFF(family), 4), 2);
	CHECK_EQ(field(BK_PROG_CGROUP_SKB, OFF(data_meta), 4), ~0ull);
	CHECK_EQ(field(BK_PROG_SCHED_CLS, OFF(len) + 1, 2), ~0ull); /* misaligned */
	CHECK_EQ(field(BK_PROG_SCHED_CLS, OFF(tstamp), 4), ~0ull);
	CHECK_EQ(field(BK_PROG_SCHED_CLS, OFF(tstamp), 8), 0);
	CHECK_EQ(field(BK_PROG_SCHED_CLS, 184 - 2, 2), ~0ull); /* padding */
	CHECK_EQ(field(BK_PROG_SCHED_CLS, 192, 4), ~0ull);
	CHECK(can_store(BK_PROG_SCHED_CLS, OFF(mark)));
	CHECK(can_store(BK_PROG_SCHED_CLS, OFF(tc_index)));
	CHECK(can_store(BK_PROG_SCHED_CLS, OFF(queue_mapping)));
	CHECK(can_store(BK_PROG_SCHED_CLS, OFF(tc_classid)));
	CHECK(!can_store(BK_PROG_SCHED_CLS, OFF(len)));
	CHECK(!can_store(BK_PROG_SCHED_CLS, OFF(data)));
	CHECK(can_store(BK_PROG_SOCKET_FILTER, OFF(cb[4])));
	CHECK(!can_store(BK_PROG_SOCKET_FILTER, OFF(mark)));
	CHECK(can_store(BK_PROG_CGROUP_SKB, OFF(priority)));
	CHECK(!can_store(BK_PROG_CGROUP_SKB, OFF(tc_index)));
}

TEST(skb_ld_abs_and_helpers)
{
	/* LD_ABS: the IP protocol byte, at 23 from the MAC header for tc and 9
	 * from the network header for socket filters */
	struct bk_insn tc_abs[] = {BK_MOV64_REG(6, 1), BK_I(LDABSB, 0, 0, 0, 23), BK_EXIT()};
	struct bk_insn sk_abs[] = {BK_MOV64_REG(6, 1), BK_I(LDABSB, 0, 0, 0, 9), BK_EXIT()};
	/* skb_load_bytes(skb, 26, fp - 8, 4): the source address */
	struct bk_insn load[] = {
		BK_MOV64_IMM(2, 26),
		BK_MOV64_REG(3, 10),
		BK_ALU64_IMM(ADD, 3, -8),
		BK_MOV64_IMM(4, 4),
		BK_CALL(BPF_FUNC_skb_load_bytes),
		BK_JMP_IMM(JNE, 0, 0, 1),
		BK_LDX_MEM(W, 0, 10, -8),
		BK_EXIT(),
	};
	struct bk_insn load_oob[] = {
		BK_MOV64_IMM(2, 52),
		BK_MOV64_REG(3, 10),
		BK_ALU64_IMM(ADD, 3, -8),
		BK_MOV64_IMM(4, 4),
		BK_CALL(BPF_FUNC_skb_load_bytes),
		BK_EXIT(),
	};
	/* ttl 64 -> 63 with l3_csum_replace(skb, 24, htons(0x4006), htons(0x3f06), 2) */
	struct bk_insn ttl[] = {
		BK_MOV64_REG(6, 1),
		BK_MOV64_IMM(2, 24),
		BK_MOV64_IMM(3, 0x0640),
		BK_MOV64_IMM(4, 0x063f),
		BK_MOV64_IMM(5, 2),
		BK_CALL(BPF_FUNC_l3_csum_replace),
		BK_MOV64_REG(7, 0),
		BK_ST_MEM(B, 10, -1, 63),
		BK_MOV64_REG(1, 6),
		BK_MOV64_IMM(2, 22),
		BK_MOV64_REG(3, 10),
		BK_ALU64_IMM(ADD, 3, -1),
		BK_MOV64_IMM(4, 1),
		BK_MOV64_IMM(5, 0),
		BK_CALL(BPF_FUNC_skb_store_bytes),
		BK_ALU64_REG(OR, 0, 7),
		BK_EXIT(),
	};
	struct bk_insn redirect[] = {BK_MOV64_IMM(1, 3), BK_MOV64_IMM(2, 0),
				     BK_CALL(BPF_FUNC_redirect), BK_EXIT()};
	struct bk_insn pull[] = {BK_MOV64_IMM(2, 55), BK_CALL(BPF_FUNC_skb_pull_data), BK_EXIT()};
	struct sk s;

	for (int mode = 0; mode < 2; mode++) {
		CHECK_EQ(sk_run(&s, tc_abs, ARRAY_LEN(tc_abs), BK_PROG_SCHED_CLS, mode), 0);
		CHECK_EQ(s.r0, 6);
		sk_fini(&s);
		CHECK_EQ(sk_run(&s, sk_abs, ARRAY_LEN(sk_abs), BK_PROG_SOCKET_FILTER, mode), 0);
		CHECK_EQ(s.r0, 6);
		sk_fini(&s);
		CHECK_EQ(sk_run(&s, load, ARRAY_LEN(load), BK_PROG_SCHED_CLS, mode), 0);
		CHECK_EQ(s.r0, 0x0200000a);
		sk_fini(&s);
		CHECK_EQ(sk_run(&s, load_oob, ARRAY_LEN(load_oob), BK_PROG_SCHED_CLS, mode), 0);
		CHECK_EQ((int64_t)s.r0, -EFAULT);
		sk_fini(&s);
		CHECK_EQ(sk_run(&s, ttl, ARRAY_LEN(ttl), BK_PROG_SCHED_CLS, mode), 0);
		CHECK_EQ(s.r0, 0);
		{
			size_t len;
			const uint8_t *o = bk_vm_run__packet(s.run, &len);

			REQUIRE_EQ(len, 54);
			CHECK_EQ(o[22], 63);
			/* the checksum of the header computed afresh: 0x67ce */
			CHECK_EQ(o[24], 0x67);
			CHECK_EQ(o[25], 0xce);
		}
		sk_fini(&s);
		CHECK_EQ(sk_run(&s, redirect, ARRAY_LEN(redirect), BK_PROG_SCHED_CLS, mode), 0);
		CHECK_EQ(s.r0, 7); /* TC_ACT_REDIRECT */
		sk_fini(&s);
		CHECK_EQ(sk_run(&s, pull, ARRAY_LEN(pull), BK_PROG_SCHED_CLS, mode), 0);
		CHECK_EQ((int64_t)s.r0, -ENOMEM);
		sk_fini(&s);
	}
	/* checked mode: the helper's r1 must be the context */
	{
		struct bk_insn bad[] = {BK_MOV64_REG(1, 10), BK_MOV64_IMM(2, 0),
					BK_CALL(BPF_FUNC_skb_pull_data), BK_EXIT()};

		CHECK_EQ(sk_run(&s, bad, ARRAY_LEN(bad), BK_PROG_SCHED_CLS, BK_VM_CHECKED),
			 -BK_E_VM_HELPER_ARG);
		sk_fini(&s);
	}
}
