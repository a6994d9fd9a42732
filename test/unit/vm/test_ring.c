// SPDX-License-Identifier: MIT
/* Unit tests of the ring executor: BPF requests and their completions,
 * re-runs on wait_nr, the helpers, the user's own SQEs on CQ 0, the SQE
 * checks (memory windows, opcodes, files, fields), the budget, waiting in
 * vain, cancelling, and helpers called outside the executor.  Programs run
 * in the checked interpreter over a real io_uring. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "ringtest.h"

/* A request completes with the program's r0 on its CQ, flagged. */
TEST(ring_request_completes_with_r0)
{
	struct bk_insn p[] = {BK_MOV64_IMM(0, 7), BK_EXIT()};
	struct bk_ring_stats st;
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init(&t, p, ARRAY_LEN(p)) == 0);
	rt_start(&t, 0, 0, 1234);
	CHECK_EQ(rt_one(&t, &c), 0);
	CHECK_EQ(c.user_data, 1234);
	CHECK_EQ(c.res, 7);
	CHECK_EQ(c.flags, BK_RING_CQE_F_BPF);
	CHECK(bk_ring__idle(t.ex));
	bk_ring__stats(t.ex, &st);
	CHECK_EQ(st.runs, 1);
	CHECK_EQ(st.requests, 1);
	CHECK_EQ(st.completed, 1);
	CHECK_EQ(st.user_sqes, 1);
	rt_fini(&t);
}

/* A bad program index completes with -EINVAL without running anything. */
TEST(ring_request_bad_index)
{
	struct bk_insn p[] = {BK_MOV64_IMM(0, 7), BK_EXIT()};
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init(&t, p, ARRAY_LEN(p)) == 0);
	rt_start(&t, 3, 0, 9);
	CHECK_EQ(rt_one(&t, &c), 0);
	CHECK_EQ(c.user_data, 9);
	CHECK_EQ(c.res, -EINVAL);
	rt_fini(&t);
}

/* First run: emit 5 and 6 to CQ 1 and wait for 2 there; second run: reap
 * both and return their sum.  The program runs exactly twice. */
TEST(ring_wait_nr_reruns_when_cq_fills)
{
	struct bk_insn p[] = {
		BK_MOV64_REG(6, 1),
		BK_LDX_MEM(W, 0, 6, 12), /* wait_idx: 0 on the first run */
		BK_JMP_IMM(JNE, 0, 0, 14),
		BK_MOV64_REG(1, 6),
		BK_MOV64_IMM(2, 1),
		BK_MOV64_IMM(3, 5),
		BK_MOV64_IMM(4, 0),
		BK_MOV64_IMM(5, 0),
		BK_CALL(RT_EMIT_CQE),
		BK_MOV64_REG(1, 6),
		BK_MOV64_IMM(2, 1),
		BK_MOV64_IMM(3, 6),
		BK_CALL(RT_EMIT_CQE),
		RT_WAIT(2, 1),
		BK_MOV64_IMM(0, 0),
		BK_EXIT(),
		/* second run */
		RT_REAP(1),
		BK_LDX_MEM(DW, 7, 10, -80),
		RT_REAP(1),
		BK_LDX_MEM(DW, 0, 10, -80),
		BK_ALU64_REG(ADD, 0, 7),
		BK_EXIT(),
	};
	struct bk_ring_stats st;
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init(&t, p, ARRAY_LEN(p)) == 0);
	rt_start(&t, 0, 0, 1);
	CHECK_EQ(rt_one(&t, &c), 0);
	CHECK_EQ(c.res, 11);
	bk_ring__stats(t.ex, &st);
	CHECK_EQ(st.runs, 2);
	CHECK_EQ(st.emitted, 2);
	CHECK_EQ(st.reaped, 2);
	rt_fini(&t);
}

/* A NOP the program queues completes on the CQ its SQE names, with the
 * program's user_data restored; the program returns it. */
TEST(ring_queued_nop_completes_on_its_cq)
{
	struct bk_insn p[] = {
		BK_MOV64_REG(6, 1),
		BK_LDX_MEM(W, 0, 6, 12),
		BK_JMP_IMM(JNE, 0, 0, 19),
		RT_SQE_ZERO(),
		RT_SQE_FD(-1),
		RT_SQE_DATA(55),
		RT_SQE_CQ(2),
		RT_QUEUE(),
		RT_WAIT(1, 2),
		BK_EXIT(), /* r0 = queue_sqe's result, 0 */
		RT_REAP(2),
		BK_LDX_MEM(W, 7, 10, -72), /* res */
		BK_LDX_MEM(DW, 0, 10, -80),
		BK_ALU64_REG(ADD, 0, 7),
		BK_EXIT(),
	};
	struct bk_ring_stats st;
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init(&t, p, ARRAY_LEN(p)) == 0);
	rt_start(&t, 0, 0, 1);
	CHECK_EQ(rt_one(&t, &c), 0);
	CHECK_EQ(c.res, 55);
	bk_ring__stats(t.ex, &st);
	CHECK_EQ(st.sqes, 1);
	CHECK_EQ(st.cqes, 2); /* the BPF request's NOP and the program's */
	rt_fini(&t);
}

/* The application's own SQEs complete on CQ 0 with their user_data. */
TEST(ring_user_sqes_complete_on_cq0)
{
	struct bk_insn p[] = {BK_MOV64_IMM(0, 0), BK_EXIT()};
	struct io_uring_sqe *sqe;
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init(&t, p, ARRAY_LEN(p)) == 0);
	sqe = io_uring_get_sqe(&t.ring);
	REQUIRE(sqe != NULL);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, 0xfeedbeefcafe);
	CHECK_EQ(bk_ring__submit(t.ex), 1);
	CHECK_EQ(rt_one(&t, &c), 0);
	CHECK_EQ(c.user_data, 0xfeedbeefcafe);
	CHECK_EQ(c.res, 0);
	CHECK_EQ(c.flags, 0);
	rt_fini(&t);
}

/* A read from fixed file 0 into registered memory, result checked. */
TEST(ring_read_fixed_file_into_window)
{
	static uint8_t buf[4096];
	char path[] = "/tmp/bk-ring-test-XXXXXX";
	int fd = mkstemp(path);
	struct bk_insn p[] = {
		BK_MOV64_REG(6, 1),
		BK_LDX_MEM(W, 0, 6, 12),
		BK_JMP_IMM(JNE, 0, 0, 24),
		RT_SQE_ZERO(),
		RT_SQE_OP(IORING_OP_READ),
		RT_SQE_FLAGS(IOSQE_FIXED_FILE),
		RT_SQE_FD(0),
		BK_LD_IMM64(1, (uintptr_t)buf), /* addr at -48 */
		BK_STX_MEM(DW, 10, 1, -48),
		RT_SQE_LEN(100),
		RT_SQE_CQ(1),
		RT_QUEUE(),
		RT_WAIT(1, 1),
		BK_EXIT(),
		RT_REAP(1),
		BK_LDX_MEM(W, 0, 10, -72),
		BK_EXIT(),
	};
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(fd >= 0);
	unlink(path);
	REQUIRE(write(fd, "hello, ring", 11) == 11);
	REQUIRE(rt_init_opts(&t, p, ARRAY_LEN(p), 0, 1) == 0);
	REQUIRE(io_uring_register_files(&t.ring, &fd, 1) == 0);
	REQUIRE(bk_ring__add_mem(t.ex, BK_RING_ALL_PROGS, buf, sizeof(buf),
				 BK_RING_MEM_READ | BK_RING_MEM_WRITE) == 0);
	rt_start(&t, 0, 0, 1);
	CHECK_EQ(rt_one(&t, &c), 0);
	CHECK_EQ(c.res, 11);
	CHECK_MEM(buf, "hello, ring", 11);
	rt_fini(&t);
	close(fd);
}

/* The same read into memory nobody registered: refused at queue time. */
TEST(ring_sqe_address_outside_windows_faults)
{
	static uint8_t buf[4096], other[64];
	struct bk_insn p[] = {
		BK_MOV64_REG(6, 1),
		RT_SQE_ZERO(),
		RT_SQE_OP(IORING_OP_READ),
		RT_SQE_FLAGS(IOSQE_FIXED_FILE),
		BK_LD_IMM64(1, (uintptr_t)other),
		BK_STX_MEM(DW, 10, 1, -48),
		RT_SQE_LEN(64),
		RT_QUEUE(), /* the call: insn 19 */
		BK_EXIT(),
	};
	struct bk_ring_stats st;
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init_opts(&t, p, ARRAY_LEN(p), 0, 1) == 0);
	REQUIRE(bk_ring__add_mem(t.ex, 0, buf, sizeof(buf), BK_RING_MEM_WRITE) == 0);
	rt_start(&t, 0, 0, 3);
	CHECK_EQ(rt_one(&t, &c), -BK_E_RING_SQE_ADDR);
	CHECK_EQ(t.diag.code, BK_E_RING_SQE_ADDR);
	CHECK_EQ(t.diag.insn, 19);
	CHECK_EQ(c.user_data, 3);
	CHECK_EQ(c.res, -BK_E_RING_SQE_ADDR);
	CHECK_EQ(bk_ring__fault_prog(t.ex), 0);
	bk_ring__stats(t.ex, &st);
	CHECK_EQ(st.sqes, 0);
	CHECK_EQ(st.faults, 1);
	rt_fini(&t);
}

/* A window of another program, or one without the access, does not do. */
TEST(ring_windows_are_per_program_and_access)
{
	static uint8_t buf[256];
	struct bk_insn p[] = {
		BK_MOV64_REG(6, 1),
		RT_SQE_ZERO(),
		RT_SQE_OP(IORING_OP_READ),
		RT_SQE_FLAGS(IOSQE_FIXED_FILE),
		BK_LD_IMM64(1, (uintptr_t)buf),
		BK_STX_MEM(DW, 10, 1, -48),
		RT_SQE_LEN(64),
		RT_QUEUE(),
		BK_EXIT(),
	};
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init_opts(&t, p, ARRAY_LEN(p), 0, 1) == 0);
	REQUIRE(bk_ring__add_mem(t.ex, 1, buf, sizeof(buf), BK_RING_MEM_WRITE) == 0);
	REQUIRE(bk_ring__add_mem(t.ex, 0, buf, sizeof(buf), BK_RING_MEM_READ) == 0);
	rt_start(&t, 0, 0, 3);
	CHECK_EQ(rt_one(&t, &c), -BK_E_RING_SQE_ADDR); /* a read writes the buffer */
	CHECK_EQ(bk_ring__add_mem(t.ex, 0, buf, 0, BK_RING_MEM_READ), -EINVAL);
	CHECK_EQ(bk_ring__add_mem(t.ex, 0, buf, 8, 0), -EINVAL);
	rt_fini(&t);
}

/* Opcodes off the whitelist, fields that must be zero, files the program
 * did not open: each refused with its own code. */
static int refused(uint8_t op, uint8_t flags, int32_t fd, int16_t field_off, int32_t field)
{
	struct bk_insn p[] = {
		BK_MOV64_REG(6, 1),  RT_SQE_ZERO(), RT_SQE_OP(op),
		RT_SQE_FLAGS(flags), RT_SQE_FD(fd), BK_ST_MEM(W, 10, field_off, field),
		RT_QUEUE(),	     BK_EXIT(),
	};
	struct bk_ring_cqe c;
	struct rt t;
	int err;

	if (rt_init_opts(&t, p, ARRAY_LEN(p), 0, 2))
		return 1;
	rt_start(&t, 0, 0, 3);
	err = rt_one(&t, &c);
	if (err && c.res != err)
		err = 2;
	rt_fini(&t);
	return err;
}

TEST(ring_sqe_checks)
{
	CHECK_EQ(refused(IORING_OP_CONNECT, 0, -1, -60, -1), -BK_E_RING_OPCODE);
	CHECK_EQ(refused(IORING_OP_URING_CMD, 0, -1, -60, -1), -BK_E_RING_OPCODE);
	CHECK_EQ(refused(0x7f, 0, -1, -60, -1), -BK_E_RING_OPCODE);
	/* read(0): fd 0 is the process's stdin, not the program's */
	CHECK_EQ(refused(IORING_OP_READ, 0, 0, -60, 0), -BK_E_RING_FD);
	/* fixed file 2 of 2 */
	CHECK_EQ(refused(IORING_OP_READ, IOSQE_FIXED_FILE, 2, -60, 2), -BK_E_RING_FD);
	/* close of a descriptor the program did not open */
	CHECK_EQ(refused(IORING_OP_CLOSE, 0, 1, -60, 1), -BK_E_RING_FD);
	/* buffer select, skip-success */
	CHECK_EQ(refused(IORING_OP_NOP, IOSQE_BUFFER_SELECT, -1, -60, -1), -BK_E_RING_SQE);
	CHECK_EQ(refused(IORING_OP_NOP, IOSQE_CQE_SKIP_SUCCESS, -1, -60, -1), -BK_E_RING_SQE);
	/* personality (offset 42) and nop's flags word (28) */
	CHECK_EQ(refused(IORING_OP_NOP, 0, -1, -64 + 40, 1 << 16), -BK_E_RING_SQE);
	CHECK_EQ(refused(IORING_OP_NOP, 0, -1, -64 + 28, 1), -BK_E_RING_SQE);
	/* a CQ that does not exist (4 program CQs) */
	CHECK_EQ(refused(IORING_OP_NOP, 0, -1, -8, 5), -BK_E_RING_CQ);
	/* a timeout needs a timespec in registered memory */
	CHECK_EQ(refused(IORING_OP_TIMEOUT, 0, -1, -40, 1), -BK_E_RING_SQE_ADDR);
	/* a plain nop passes */
	CHECK_EQ(refused(IORING_OP_NOP, 0, -1, -60, -1), 0);
}

/* A loop that never ends stops at the budget. */
TEST(ring_budget_stops_a_runaway_program)
{
	struct bk_insn p[] = {BK_MOV64_IMM(0, 0), BK_ALU64_IMM(ADD, 0, 1), BK_JA(-2), BK_EXIT()};
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init_opts(&t, p, ARRAY_LEN(p), 10000, 0) == 0);
	rt_start(&t, 0, 0, 5);
	CHECK_EQ(rt_one(&t, &c), -BK_E_VM_BUDGET);
	CHECK_EQ(c.res, -BK_E_VM_BUDGET);
	CHECK(bk_ring__idle(t.ex));
	rt_fini(&t);
}

/* Waiting on a CQ nothing can fill is reported, not hung on; so is
 * waiting on a CQ that does not exist. */
TEST(ring_waiting_in_vain_is_reported)
{
	struct bk_insn p[] = {BK_MOV64_REG(6, 1), RT_WAIT(1, 3), BK_MOV64_IMM(0, 0), BK_EXIT()};
	struct bk_insn q[] = {BK_MOV64_REG(6, 1), RT_WAIT(1, 9), BK_MOV64_IMM(0, 0), BK_EXIT()};
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init(&t, p, ARRAY_LEN(p)) == 0);
	REQUIRE(rt_add(&t, q, ARRAY_LEN(q)) == 1);
	rt_start(&t, 0, 0, 1);
	CHECK_EQ(rt_one(&t, &c), -BK_E_RING_WAIT);
	CHECK_EQ(c.res, -BK_E_RING_WAIT);
	rt_start(&t, 1, 0, 2); /* waits on CQ 9 of 4 */
	CHECK_EQ(rt_one(&t, &c), -BK_E_RING_CQ);
	CHECK_EQ(c.user_data, 2);
	rt_fini(&t);
}

/* Cancel stops a long timeout and completes the waiting request. */
TEST(ring_cancel_stops_io_in_flight)
{
	static int64_t ts[2] = {30, 0};
	struct bk_insn p[] = {
		BK_MOV64_REG(6, 1),
		RT_SQE_ZERO(),
		RT_SQE_OP(IORING_OP_TIMEOUT),
		RT_SQE_FD(-1),
		BK_LD_IMM64(1, (uintptr_t)ts),
		BK_STX_MEM(DW, 10, 1, -48),
		RT_SQE_LEN(1),
		RT_SQE_CQ(1),
		RT_QUEUE(),
		/* tell the application the timeout is armed */
		BK_MOV64_REG(1, 6),
		BK_MOV64_IMM(2, 0),
		BK_MOV64_IMM(3, 77),
		BK_MOV64_IMM(4, 0),
		BK_MOV64_IMM(5, 0),
		BK_CALL(RT_EMIT_CQE),
		RT_WAIT(1, 1),
		BK_EXIT(),
	};
	struct bk_ring_stats st;
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init(&t, p, ARRAY_LEN(p)) == 0);
	REQUIRE(bk_ring__add_mem(t.ex, 0, ts, sizeof(ts), BK_RING_MEM_READ) == 0);
	rt_start(&t, 0, 0, 8);
	CHECK_EQ(rt_one(&t, &c), 0);
	CHECK_EQ(c.user_data, 77);
	CHECK(!bk_ring__idle(t.ex));
	CHECK_EQ(bk_ring__cancel(t.ex), 0);
	CHECK(bk_ring__idle(t.ex));
	CHECK_EQ(bk_ring__pop_cqe(t.ex, 0, &c), 0);
	CHECK_EQ(c.user_data, 8);
	CHECK_EQ(c.res, -ECANCELED);
	bk_ring__stats(t.ex, &st);
	CHECK_EQ(st.completed, 1);
	rt_fini(&t);
}

/* Ring helpers in a program the executor does not run fault; so does a
 * ctx argument that is not the context. */
TEST(ring_helpers_outside_the_executor_fault)
{
	struct bk_insn p[] = {BK_MOV64_IMM(2, 0), BK_MOV64_IMM(3, 1),	BK_MOV64_IMM(4, 0),
			      BK_MOV64_IMM(5, 0), BK_CALL(RT_EMIT_CQE), BK_EXIT()};
	struct bk_insn q[] = {
		BK_MOV64_REG(1, 10), BK_MOV64_IMM(2, 0),   BK_MOV64_IMM(3, 1), BK_MOV64_IMM(4, 0),
		BK_MOV64_IMM(5, 0),  BK_CALL(RT_EMIT_CQE), BK_EXIT()};
	struct bk_vm_prog_opts po = {.sz = sizeof(po), .type = BK_PROG_IOURING};
	struct bk_vm_run_opts ro = {.sz = sizeof(ro), .mode = BK_VM_CHECKED};
	uint64_t ctx[2] = {0}, r0;
	struct bk_vm_prog *prog;
	struct bk_vm_run *run;
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init(&t, q, ARRAY_LEN(q)) == 0);
	rt_start(&t, 0, 0, 1);
	CHECK_EQ(rt_one(&t, &c), -BK_E_RING_CTX);
	REQUIRE(bk_vm_prog__load(t.vm, p, ARRAY_LEN(p), &po, &prog, NULL) == 0);
	REQUIRE(bk_vm_run__new(t.vm, &ro, &run) == 0);
	bk_vm_run__ctx_raw(run, ctx, sizeof(ctx));
	CHECK_EQ(bk_vm_run__exec(run, prog, &r0, NULL), -BK_E_RING_CTX);
	bk_vm_run__free(run);
	bk_vm_prog__free(prog);
	rt_fini(&t);
}

/* emit_cqe to a CQ that does not exist, reap from an empty CQ, copies to
 * and from memory nobody registered: errors the program sees. */
TEST(ring_helper_errors)
{
	static uint8_t win[64];
	struct bk_insn p[] = {
		BK_MOV64_REG(6, 1),
		BK_MOV64_REG(1, 6),
		BK_MOV64_IMM(2, 5),
		BK_MOV64_IMM(3, 0),
		BK_MOV64_IMM(4, 0),
		BK_MOV64_IMM(5, 0),
		BK_CALL(RT_EMIT_CQE),
		BK_JMP_IMM(JNE, 0, -EINVAL, 24),
		RT_REAP(1),
		BK_JMP_IMM(JNE, 0, -ENOENT, 17),
		BK_LDX_MEM(DW, 0, 10, -80), /* zeroed */
		BK_JMP_IMM(JNE, 0, 0, 15),
		BK_LD_IMM64(1, (uintptr_t)(win + 60)), /* 60..68 crosses the end */
		BK_MOV64_REG(2, 10),
		BK_ALU64_IMM(ADD, 2, -8),
		BK_MOV64_IMM(3, 8),
		BK_CALL(RT_COPY_TO_USER),
		BK_JMP_IMM(JNE, 0, -EFAULT, 8),
		BK_MOV64_REG(1, 10),
		BK_ALU64_IMM(ADD, 1, -8),
		BK_MOV64_IMM(2, 8),
		BK_LD_IMM64(3, (uintptr_t)win),
		BK_CALL(RT_COPY_FROM_USER),
		BK_JMP_IMM(JNE, 0, 0, 1),
		BK_MOV64_IMM(0, 99),
		BK_EXIT(),
	};
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init(&t, p, ARRAY_LEN(p)) == 0);
	REQUIRE(bk_ring__add_mem(t.ex, 0, win, sizeof(win), BK_RING_MEM_READ | BK_RING_MEM_WRITE) ==
		0);
	rt_start(&t, 0, 0, 1);
	CHECK_EQ(rt_one(&t, &c), 0);
	CHECK_EQ(c.res, 99);
	rt_fini(&t);
}

/* A program starts another with a BPF request of its own (no kernel round
 * trip) and reaps its completion: user_data, result and the BPF flag. */
TEST(ring_program_starts_program)
{
	struct bk_insn parent[] = {
		BK_MOV64_REG(6, 1),
		BK_LDX_MEM(W, 0, 6, 12),
		BK_JMP_IMM(JNE, 0, 0, 21),
		RT_SQE_ZERO(),
		RT_SQE_OP(BK_IORING_OP_BPF),
		RT_SQE_FD(-1),
		RT_SQE_OFF(1),
		RT_SQE_DATA(42),
		RT_SQE_CQ(1),
		RT_QUEUE(),
		RT_WAIT(1, 1),
		BK_EXIT(),
		RT_REAP(1),
		BK_LDX_MEM(W, 7, 10, -72),  /* res */
		BK_LDX_MEM(W, 8, 10, -68),  /* flags */
		BK_LDX_MEM(DW, 0, 10, -80), /* user_data */
		BK_ALU64_REG(ADD, 0, 7),
		BK_JMP_IMM(JEQ, 8, BK_RING_CQE_F_BPF, 1),
		BK_MOV64_IMM(0, -1),
		BK_EXIT(),
	};
	struct bk_insn child[] = {BK_MOV64_IMM(0, 5), BK_EXIT()};
	struct bk_ring_stats st;
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init(&t, parent, ARRAY_LEN(parent)) == 0);
	REQUIRE(rt_add(&t, child, ARRAY_LEN(child)) == 1);
	rt_start(&t, 0, 0, 1);
	CHECK_EQ(rt_one(&t, &c), 0);
	CHECK_EQ(c.res, 47);
	bk_ring__stats(t.ex, &st);
	CHECK_EQ(st.requests, 2);
	CHECK_EQ(st.completed, 2);
	CHECK_EQ(st.runs, 3);
	CHECK_EQ(st.cqes, 1); /* only the application's request went to the kernel */
	rt_fini(&t);
}

/* An application's BPF request linked after its own NOP runs after it:
 * links order BPF requests like any request. */
TEST(ring_bpf_request_follows_its_link)
{
	struct bk_insn p[] = {BK_MOV64_IMM(0, 3), BK_EXIT()};
	struct io_uring_sqe *sqe;
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init(&t, p, ARRAY_LEN(p)) == 0);
	sqe = io_uring_get_sqe(&t.ring);
	REQUIRE(sqe != NULL);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, 100);
	sqe->flags |= IOSQE_IO_LINK;
	rt_start(&t, 0, 0, 200);
	CHECK_EQ(bk_ring__run(t.ex, 2, &t.diag), 0);
	CHECK_EQ(bk_ring__pop_cqe(t.ex, 0, &c), 0);
	CHECK_EQ(c.user_data, 100);
	CHECK_EQ(bk_ring__pop_cqe(t.ex, 0, &c), 0);
	CHECK_EQ(c.user_data, 200);
	CHECK_EQ(c.res, 3);
	CHECK_EQ(bk_ring__pop_cqe(t.ex, 0, &c), -EAGAIN);
	rt_fini(&t);
}

/* A chain whose first SQE skips its CQE on success posts one CQE, the
 * last SQE's; the executor counts it once and is idle after it. */
TEST(ring_skip_chain_posts_one_cqe)
{
	struct bk_insn p[] = {
		BK_MOV64_REG(6, 1),
		BK_LDX_MEM(W, 0, 6, 12),
		BK_JMP_IMM(JNE, 0, 0, 28),
		RT_SQE_ZERO(),
		RT_SQE_FD(-1),
		RT_SQE_FLAGS(IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS),
		RT_SQE_DATA(1),
		RT_SQE_CQ(1),
		RT_QUEUE(),
		RT_SQE_FLAGS(0),
		RT_SQE_DATA(2),
		RT_QUEUE(),
		RT_WAIT(1, 1),
		BK_MOV64_IMM(0, 0),
		BK_EXIT(),
		/* second run: the one CQE's user_data */
		RT_REAP(1),
		BK_LDX_MEM(DW, 0, 10, -80),
		BK_EXIT(),
	};
	struct bk_ring_stats st;
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init(&t, p, ARRAY_LEN(p)) == 0);
	rt_start(&t, 0, 0, 1);
	CHECK_EQ(rt_one(&t, &c), 0);
	CHECK_EQ(c.res, 2);
	CHECK_EQ(bk_ring__cq_count(t.ex, 1), 0);
	CHECK(bk_ring__idle(t.ex));
	bk_ring__stats(t.ex, &st);
	CHECK_EQ(st.sqes, 2);
	CHECK_EQ(st.cqes, 2); /* the BPF request's NOP and the chain's */
	CHECK_EQ(st.runs, 2);
	rt_fini(&t);
}

/* A skip SQE that ends its run ends the chain: it posts its CQE. */
TEST(ring_skip_sqe_ending_a_run_posts_its_cqe)
{
	struct bk_insn p[] = {
		BK_MOV64_REG(6, 1),
		BK_LDX_MEM(W, 0, 6, 12),
		BK_JMP_IMM(JNE, 0, 0, 21),
		RT_SQE_ZERO(),
		RT_SQE_FD(-1),
		RT_SQE_FLAGS(IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS),
		RT_SQE_DATA(7),
		RT_SQE_CQ(1),
		RT_QUEUE(),
		RT_WAIT(1, 1),
		BK_MOV64_IMM(0, 0),
		BK_EXIT(),
		RT_REAP(1),
		BK_LDX_MEM(DW, 0, 10, -80),
		BK_EXIT(),
	};
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(rt_init(&t, p, ARRAY_LEN(p)) == 0);
	rt_start(&t, 0, 0, 1);
	CHECK_EQ(rt_one(&t, &c), 0);
	CHECK_EQ(c.res, 7);
	CHECK(bk_ring__idle(t.ex));
	rt_fini(&t);
}

/* The skip SQE fails (a read of a write-only file): its CQE comes, the
 * linked NOP is cancelled without one, and nothing is left in flight.
 * The program returns user_data * 1000 - res. */
TEST(ring_skip_sqe_that_fails_posts_its_cqe_only)
{
	static uint8_t buf[64];
	char path[] = "/tmp/bk-ring-test-XXXXXX";
	int tmp = mkstemp(path), fd;
	struct bk_insn p[] = {
		BK_MOV64_REG(6, 1),
		BK_LDX_MEM(W, 0, 6, 12),
		BK_JMP_IMM(JNE, 0, 0, 42),
		RT_SQE_ZERO(),
		RT_SQE_OP(IORING_OP_READ),
		RT_SQE_FLAGS(IOSQE_FIXED_FILE | IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS),
		RT_SQE_FD(0),
		BK_LD_IMM64(1, (uintptr_t)buf),
		BK_STX_MEM(DW, 10, 1, -48),
		RT_SQE_LEN(16),
		RT_SQE_DATA(1),
		RT_SQE_CQ(1),
		RT_QUEUE(),
		RT_SQE_ZERO(),
		RT_SQE_FD(-1),
		RT_SQE_DATA(2),
		RT_SQE_CQ(1),
		RT_QUEUE(),
		RT_WAIT(1, 1),
		BK_MOV64_IMM(0, 0),
		BK_EXIT(),
		RT_REAP(1),
		BK_LDX_MEM(DW, 0, 10, -80),
		BK_ALU64_IMM(MUL, 0, 1000),
		BK_LDX_MEM(W, 1, 10, -72),
		BK_ALU64_IMM(LSH, 1, 32),
		BK_ALU64_IMM(ARSH, 1, 32),
		BK_ALU64_REG(SUB, 0, 1),
		BK_EXIT(),
	};
	struct bk_ring_stats st;
	struct bk_ring_cqe c;
	struct rt t;

	REQUIRE(tmp >= 0);
	fd = open(path, O_WRONLY);
	unlink(path);
	close(tmp);
	REQUIRE(fd >= 0);
	REQUIRE(rt_init_opts(&t, p, ARRAY_LEN(p), 0, 1) == 0);
	REQUIRE(io_uring_register_files(&t.ring, &fd, 1) == 0);
	REQUIRE(bk_ring__add_mem(t.ex, BK_RING_ALL_PROGS, buf, sizeof(buf),
				 BK_RING_MEM_READ | BK_RING_MEM_WRITE) == 0);
	rt_start(&t, 0, 0, 1);
	CHECK_EQ(rt_one(&t, &c), 0);
	CHECK_EQ(c.res, 1000 + EBADF);
	CHECK_EQ(bk_ring__cq_count(t.ex, 1), 0);
	CHECK(bk_ring__idle(t.ex));
	bk_ring__stats(t.ex, &st);
	CHECK_EQ(st.sqes, 2);
	CHECK_EQ(st.cqes, 2);
	rt_fini(&t);
	close(fd);
}

/* IOSQE_CQE_SKIP_SUCCESS needs a plain link to a next SQE, and not on an
 * openat, whose descriptor would be lost. */
TEST(ring_skip_without_link_faults)
{
	static const uint8_t flags[] = {IOSQE_CQE_SKIP_SUCCESS,
					IOSQE_CQE_SKIP_SUCCESS | IOSQE_IO_HARDLINK};

	for (size_t k = 0; k < ARRAY_LEN(flags); k++) {
		struct bk_insn p[] = {
			BK_MOV64_REG(6, 1), RT_SQE_ZERO(), RT_SQE_FD(-1), RT_SQE_FLAGS(flags[k]),
			RT_QUEUE(), /* the call: insn 15 */
			BK_EXIT(),
		};
		struct bk_ring_cqe c;
		struct rt t;

		REQUIRE(rt_init(&t, p, ARRAY_LEN(p)) == 0);
		rt_start(&t, 0, 0, 3);
		CHECK_EQ(rt_one(&t, &c), -BK_E_RING_SQE);
		CHECK_EQ(t.diag.insn, 15);
		CHECK(strstr(t.diag.msg, "IOSQE_CQE_SKIP_SUCCESS needs IOSQE_IO_LINK") != NULL);
		rt_fini(&t);
	}
}
