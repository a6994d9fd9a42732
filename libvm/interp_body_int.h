/* SPDX-License-Identifier: MIT */
/*
 * interp_body_int.h - the interpreter loop, included twice by interp.c:
 * with BK_CHECKED 1 (every load, store and atomic checked against the
 * run's regions, an instruction budget) and BK_CHECKED 0 (no checks, for
 * verified programs).  BK_INTERP_FN names the function.
 *
 * Dispatch is computed goto over pre-decoded instructions.  The label table
 * is generated from insn.def, one label op_<NAME> per row, so a row without
 * a handler (or a handler for no row) does not compile.  Handlers are
 * written Lua-style, one per row, with the macros below; each says what it
 * does.  Jump targets were checked when the program was loaded, and a
 * sentinel (BK_VOP_FALLOFF) follows the last slot, so control never leaves
 * the code array.
 *
 * Invariants: r[10] == fp, the top of the current 512-byte frame; frames
 * pushed by this invocation are frames[0..nf); depth = base + nf.
 */

static uint64_t BK_INTERP_FN(struct bk_vm_run *run, const struct bk_vm_prog *prog,
			     const struct bk_vinsn *pc, const uint64_t args[5], uint32_t base)
{
	static const void *const labels[BK_VOP__COUNT] = {
#define BK_INSN(name, opc, disc, dval, fmt, llvm, ubpf) [BK_OP_##name] = &&op_##name,
#include "insn.def"
#undef BK_INSN
		[BK_VOP_FALLOFF] = &&op_FALLOFF,
		[BK_VOP_LDDW_TAIL] = &&op_LDDW_TAIL,
	};
	struct bk_frame frames[BK_VM_MAX_FRAMES];
	uint8_t *fp;
	uint64_t may_goto = BK_VM_MAX_LOOPS;
	uint32_t nf = 0;
	uint64_t r[11];
	const struct bk_vinsn *target, *code;
#if BK_CHECKED
	const uint8_t *stack_top;
	uint64_t limit;
	uintptr_t fa_addr = 0;
	unsigned fa_size = 0;
	bool fa_write = false;
#endif

	if (!run) /* the label table, for bk_interp_labels() */
		return (uint64_t)(uintptr_t)labels;
	fp = run->sh.stack_top - (size_t)base * BK_VM_STACK_SIZE;
	code = prog->code[BK_MODE];
#if BK_CHECKED
	stack_top = run->sh.stack_top;
	limit = run->budget ? run->budget : UINT64_MAX;
#endif
	r[0] = 0;
	for (int i = 0; i < 5; i++)
		r[i + 1] = args[i];
	r[6] = r[7] = r[8] = r[9] = 0;
	r[10] = (uint64_t)(uintptr_t)fp;

#define DST r[pc->dst]
#define SRC r[pc->src]
#define IMM ((int64_t)pc->imm)
#define ADDR_D (DST + (uint64_t)(int64_t)pc->off)
#define ADDR_S (SRC + (uint64_t)(int64_t)pc->off)
#if BK_CHECKED
#define DISPATCH()                                                                                 \
	do {                                                                                       \
		if (unlikely(++run->insns > limit))                                                \
			goto fault_budget;                                                         \
		goto * pc->h;                                                                      \
	} while (0)
/* Checks an access of n bytes at a; w: a write. */
#define CHK(a, n, w)                                                                               \
	do {                                                                                       \
		uintptr_t ca_ = (uintptr_t)(a);                                                    \
		if (unlikely(!(ca_ >= (uintptr_t)fp - BK_VM_STACK_SIZE &&                          \
			       ca_ + (n) <= (uintptr_t)stack_top && ca_ + (n) > ca_)) &&           \
		    unlikely(!bk_run_mem_ok_slow(run, ca_, (n), (w)))) {                           \
			fa_addr = ca_;                                                             \
			fa_size = (n);                                                             \
			fa_write = (w);                                                            \
			goto fault_mem;                                                            \
		}                                                                                  \
	} while (0)
#define CHK_ATOMIC(a, n)                                                                           \
	do {                                                                                       \
		CHK(a, n, true);                                                                   \
		if (unlikely((a) & ((n) - 1))) {                                                   \
			fa_addr = (uintptr_t)(a);                                                  \
			fa_size = (n);                                                             \
			goto fault_align;                                                          \
		}                                                                                  \
	} while (0)
#else
#define DISPATCH() goto * pc->h
#define CHK(a, n, w) ((void)0)
#define CHK_ATOMIC(a, n) ((void)0)
#endif
#define NEXT()                                                                                     \
	do {                                                                                       \
		pc++;                                                                              \
		DISPATCH();                                                                        \
	} while (0)
#define JUMP()                                                                                     \
	do {                                                                                       \
		pc += pc->off + 1;                                                                 \
		DISPATCH();                                                                        \
	} while (0)
#define BRANCH(cond)                                                                               \
	do {                                                                                       \
		if (cond)                                                                          \
			JUMP();                                                                    \
		NEXT();                                                                            \
	} while (0)
/* dst = expr, 64-bit / 32-bit zero-extended */
#define A64(expr)                                                                                  \
	do {                                                                                       \
		DST = (expr);                                                                      \
		NEXT();                                                                            \
	} while (0)
#define A32(expr)                                                                                  \
	do {                                                                                       \
		DST = (uint32_t)(expr);                                                            \
		NEXT();                                                                            \
	} while (0)
#define D32 ((uint32_t)DST)
#define S32 ((uint32_t)SRC)
#define K32 ((uint32_t)IMM)
#define LDX(T, CAST)                                                                               \
	do {                                                                                       \
		uint64_t a_ = ADDR_S;                                                              \
		CHK(a_, sizeof(T), false);                                                         \
		DST = (uint64_t)(CAST)(*(const T *)(uintptr_t)a_);                                 \
		NEXT();                                                                            \
	} while (0)
#define STORE(T, val)                                                                              \
	do {                                                                                       \
		uint64_t a_ = ADDR_D;                                                              \
		CHK(a_, sizeof(T), true);                                                          \
		*(T *)(uintptr_t)a_ = (T)(val);                                                    \
		NEXT();                                                                            \
	} while (0)
/* lock *(T *)(dst + off) op= src; FETCH: src = old value */
#define ATOMIC(T, fn, fetch)                                                                       \
	do {                                                                                       \
		uint64_t a_ = ADDR_D;                                                              \
		T old_;                                                                            \
		CHK_ATOMIC(a_, sizeof(T));                                                         \
		old_ = fn((T *)(uintptr_t)a_, (T)SRC, __ATOMIC_SEQ_CST);                           \
		if (fetch)                                                                         \
			SRC = old_;                                                                \
		NEXT();                                                                            \
	} while (0)
#define CMPXCHG(T)                                                                                 \
	do {                                                                                       \
		uint64_t a_ = ADDR_D;                                                              \
		T exp_ = (T)r[0];                                                                  \
		CHK_ATOMIC(a_, sizeof(T));                                                         \
		__atomic_compare_exchange_n((T *)(uintptr_t)a_, &exp_, (T)SRC, false,              \
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);                   \
		r[0] = exp_;                                                                       \
		NEXT();                                                                            \
	} while (0)
/* r0 = big-endian load from the packet at off; out of range ends the
 * program with r0 = 0, as the kernel does */
#define LDPKT(T, SWAP, offexpr)                                                                    \
	do {                                                                                       \
		uintptr_t lo_, hi_;                                                                \
		int64_t o_ = (offexpr);                                                            \
		bk_run_packet(run, &lo_, &hi_);                                                    \
		if (unlikely(o_ < 0 || (uint64_t)o_ + sizeof(T) > hi_ - lo_)) {                    \
			run->sh.status |= BK_VM_ST_EXIT;                                           \
			run->sh.exit_r0 = 0;                                                       \
			return 0;                                                                  \
		}                                                                                  \
		r[0] = SWAP(*(const T *)(lo_ + (uintptr_t)o_));                                    \
		NEXT();                                                                            \
	} while (0)
#define NOSWAP(x) (x)

	DISPATCH();

	// clang-format off

	/* ---- ALU64 ---------------------------------------------------------- */
op_ADD64_K:	A64(DST + IMM);					/* dst += imm */
op_ADD64_X:	A64(DST + SRC);					/* dst += src */
op_SUB64_K:	A64(DST - IMM);
op_SUB64_X:	A64(DST - SRC);
op_MUL64_K:	A64(DST * IMM);
op_MUL64_X:	A64(DST * SRC);
op_DIV64_K:	A64(bk_udiv64(DST, IMM));			/* x / 0 = 0 */
op_DIV64_X:	A64(bk_udiv64(DST, SRC));
op_SDIV64_K:	A64(bk_sdiv64(DST, IMM));			/* INT_MIN / -1 = INT_MIN */
op_SDIV64_X:	A64(bk_sdiv64(DST, SRC));
op_MOD64_K:	A64(bk_umod64(DST, IMM));			/* x % 0 = x */
op_MOD64_X:	A64(bk_umod64(DST, SRC));
op_SMOD64_K:	A64(bk_smod64(DST, IMM));			/* x % -1 = 0 */
op_SMOD64_X:	A64(bk_smod64(DST, SRC));
op_OR64_K:	A64(DST | IMM);
op_OR64_X:	A64(DST | SRC);
op_AND64_K:	A64(DST & IMM);
op_AND64_X:	A64(DST & SRC);
op_XOR64_K:	A64(DST ^ IMM);
op_XOR64_X:	A64(DST ^ SRC);
op_LSH64_K:	A64(DST << (IMM & 63));				/* shift amount masked */
op_LSH64_X:	A64(DST << (SRC & 63));
op_RSH64_K:	A64(DST >> (IMM & 63));
op_RSH64_X:	A64(DST >> (SRC & 63));
op_ARSH64_K:	A64((uint64_t)((int64_t)DST >> (IMM & 63)));
op_ARSH64_X:	A64((uint64_t)((int64_t)DST >> (SRC & 63)));
op_NEG64:	A64(0 - DST);
op_MOV64_K:	A64((uint64_t)IMM);
op_MOV64_X:	A64(SRC);
op_MOVSX64_8:	A64((uint64_t)(int64_t)(int8_t)SRC);		/* dst = (s8)src */
op_MOVSX64_16:	A64((uint64_t)(int64_t)(int16_t)SRC);
op_MOVSX64_32:	A64((uint64_t)(int64_t)(int32_t)SRC);
op_BSWAP16:	A64(__builtin_bswap16((uint16_t)DST));		/* unconditional */
op_BSWAP32:	A64(__builtin_bswap32((uint32_t)DST));
op_BSWAP64:	A64(__builtin_bswap64(DST));

	/* ---- ALU32: results zero-extended ------------------------------------ */
op_ADD32_K:	A32(D32 + K32);
op_ADD32_X:	A32(D32 + S32);
op_SUB32_K:	A32(D32 - K32);
op_SUB32_X:	A32(D32 - S32);
op_MUL32_K:	A32(D32 * K32);
op_MUL32_X:	A32(D32 * S32);
op_DIV32_K:	A32(bk_udiv32(D32, K32));
op_DIV32_X:	A32(bk_udiv32(D32, S32));
op_SDIV32_K:	A32(bk_sdiv32(D32, K32));
op_SDIV32_X:	A32(bk_sdiv32(D32, S32));
op_MOD32_K:	A32(bk_umod32(D32, K32));
op_MOD32_X:	A32(bk_umod32(D32, S32));
op_SMOD32_K:	A32(bk_smod32(D32, K32));
op_SMOD32_X:	A32(bk_smod32(D32, S32));
op_OR32_K:	A32(D32 | K32);
op_OR32_X:	A32(D32 | S32);
op_AND32_K:	A32(D32 & K32);
op_AND32_X:	A32(D32 & S32);
op_XOR32_K:	A32(D32 ^ K32);
op_XOR32_X:	A32(D32 ^ S32);
op_LSH32_K:	A32(D32 << (IMM & 31));
op_LSH32_X:	A32(D32 << (SRC & 31));
op_RSH32_K:	A32(D32 >> (IMM & 31));
op_RSH32_X:	A32(D32 >> (SRC & 31));
op_ARSH32_K:	A32((uint32_t)((int32_t)D32 >> (IMM & 31)));
op_ARSH32_X:	A32((uint32_t)((int32_t)D32 >> (SRC & 31)));
op_NEG32:	A32(0u - D32);
op_MOV32_K:	A32(K32);
op_MOV32_X:	A32(S32);
op_MOVSX32_8:	A32((uint32_t)(int32_t)(int8_t)SRC);
op_MOVSX32_16:	A32((uint32_t)(int32_t)(int16_t)SRC);
op_LE16:	A64((uint16_t)DST);				/* host is little endian */
op_LE32:	A64((uint32_t)DST);
op_LE64:	NEXT();
op_BE16:	A64(__builtin_bswap16((uint16_t)DST));
op_BE32:	A64(__builtin_bswap32((uint32_t)DST));
op_BE64:	A64(__builtin_bswap64(DST));

	/* ---- JMP: 64-bit compares ----------------------------------------- */
op_JA:		JUMP();						/* pc += off */
op_JEQ_K:	BRANCH(DST == (uint64_t)IMM);
op_JEQ_X:	BRANCH(DST == SRC);
op_JGT_K:	BRANCH(DST > (uint64_t)IMM);
op_JGT_X:	BRANCH(DST > SRC);
op_JGE_K:	BRANCH(DST >= (uint64_t)IMM);
op_JGE_X:	BRANCH(DST >= SRC);
op_JSET_K:	BRANCH(DST & (uint64_t)IMM);
op_JSET_X:	BRANCH(DST & SRC);
op_JNE_K:	BRANCH(DST != (uint64_t)IMM);
op_JNE_X:	BRANCH(DST != SRC);
op_JSGT_K:	BRANCH((int64_t)DST > IMM);
op_JSGT_X:	BRANCH((int64_t)DST > (int64_t)SRC);
op_JSGE_K:	BRANCH((int64_t)DST >= IMM);
op_JSGE_X:	BRANCH((int64_t)DST >= (int64_t)SRC);
op_JLT_K:	BRANCH(DST < (uint64_t)IMM);
op_JLT_X:	BRANCH(DST < SRC);
op_JLE_K:	BRANCH(DST <= (uint64_t)IMM);
op_JLE_X:	BRANCH(DST <= SRC);
op_JSLT_K:	BRANCH((int64_t)DST < IMM);
op_JSLT_X:	BRANCH((int64_t)DST < (int64_t)SRC);
op_JSLE_K:	BRANCH((int64_t)DST <= IMM);
op_JSLE_X:	BRANCH((int64_t)DST <= (int64_t)SRC);
op_MAY_GOTO:						/* goto once the budget is spent */
	if (!may_goto)
		JUMP();
	may_goto--;
	NEXT();

	/* ---- JMP32: 32-bit compares ------------------------------------------- */
op_JA32:						/* pc += imm */
	pc += pc->imm + 1;
	DISPATCH();
op_JEQ32_K:	BRANCH(D32 == K32);
op_JEQ32_X:	BRANCH(D32 == S32);
op_JGT32_K:	BRANCH(D32 > K32);
op_JGT32_X:	BRANCH(D32 > S32);
op_JGE32_K:	BRANCH(D32 >= K32);
op_JGE32_X:	BRANCH(D32 >= S32);
op_JSET32_K:	BRANCH(D32 & K32);
op_JSET32_X:	BRANCH(D32 & S32);
op_JNE32_K:	BRANCH(D32 != K32);
op_JNE32_X:	BRANCH(D32 != S32);
op_JSGT32_K:	BRANCH((int32_t)D32 > (int32_t)K32);
op_JSGT32_X:	BRANCH((int32_t)D32 > (int32_t)S32);
op_JSGE32_K:	BRANCH((int32_t)D32 >= (int32_t)K32);
op_JSGE32_X:	BRANCH((int32_t)D32 >= (int32_t)S32);
op_JLT32_K:	BRANCH(D32 < K32);
op_JLT32_X:	BRANCH(D32 < S32);
op_JLE32_K:	BRANCH(D32 <= K32);
op_JLE32_X:	BRANCH(D32 <= S32);
op_JSLT32_K:	BRANCH((int32_t)D32 < (int32_t)K32);
op_JSLT32_X:	BRANCH((int32_t)D32 < (int32_t)S32);
op_JSLE32_K:	BRANCH((int32_t)D32 <= (int32_t)K32);
op_JSLE32_X:	BRANCH((int32_t)D32 <= (int32_t)S32);

	/* ---- calls and exit ------------------------------------------------- */
op_CALL:						/* r0 = helper(r1..r5) */
op_CALL_KFUNC:
	run->sh.depth = base + nf;
	run->sh.prog = prog;
	r[0] = pc->fn(r[1], r[2], r[3], r[4], r[5], run);
	if (unlikely(run->sh.status))
		goto helper_status;
	NEXT();
op_CALLX: {						/* call what dst holds */
	uint64_t t = DST;
	bk_vm_helper_fn fn;

	if (t - (uintptr_t)code < prog->cnt * sizeof(struct bk_vinsn)) {
		target = (const struct bk_vinsn *)(uintptr_t)t;
		if ((t - (uintptr_t)code) % sizeof(struct bk_vinsn))
			goto fault_callx;
		goto call_local;
	}
	fn = t <= UINT32_MAX ? bk_vm_helper((uint32_t)t) : NULL;
	if (!fn)
		goto fault_callx;
	run->sh.depth = base + nf;
	run->sh.prog = prog;
	r[0] = fn(r[1], r[2], r[3], r[4], r[5], run);
	if (unlikely(run->sh.status))
		goto helper_status;
	NEXT();
}
op_CALL_LOCAL:						/* new 512-byte frame, pc += imm */
	target = pc + pc->imm + 1;
call_local:
	if (unlikely(base + nf + 1 >= BK_VM_MAX_FRAMES))
		goto fault_depth;
	{
		struct bk_frame *f = &frames[nf++];

		f->ret = pc + 1;
		f->prog = prog;
		f->fp = fp;
		f->may_goto = may_goto;
		memcpy(f->saved, &r[6], sizeof(f->saved));
	}
	fp -= BK_VM_STACK_SIZE;
	r[10] = (uint64_t)(uintptr_t)fp;
	may_goto = BK_VM_MAX_LOOPS;
	pc = target;
	DISPATCH();
op_EXIT:						/* return r0 to the caller */
	if (!nf)
		return r[0];
	{
		struct bk_frame *f = &frames[--nf];

		pc = f->ret;
		prog = f->prog;
		code = prog->code[BK_MODE];
		fp = f->fp;
		may_goto = f->may_goto;
		memcpy(&r[6], f->saved, sizeof(f->saved));
		r[10] = (uint64_t)(uintptr_t)fp;
		DISPATCH();
	}

	/* ---- loads and stores ------------------------------------------------ */
op_LDXW:	LDX(bk_u32u, uint32_t);				/* dst = *(u32 *)(src + off) */
op_LDXH:	LDX(bk_u16u, uint16_t);
op_LDXB:	LDX(uint8_t, uint8_t);
op_LDXDW:	LDX(bk_u64u, uint64_t);
op_LDXSW:	LDX(bk_u32u, int32_t);				/* sign-extending */
op_LDXSH:	LDX(bk_u16u, int16_t);
op_LDXSB:	LDX(uint8_t, int8_t);
op_STW:		STORE(bk_u32u, IMM);				/* *(u32 *)(dst + off) = imm */
op_STH:		STORE(bk_u16u, IMM);
op_STB:		STORE(uint8_t, IMM);
op_STDW:	STORE(bk_u64u, IMM);
op_STXW:	STORE(bk_u32u, SRC);				/* *(u32 *)(dst + off) = src */
op_STXH:	STORE(bk_u16u, SRC);
op_STXB:	STORE(uint8_t, SRC);
op_STXDW:	STORE(bk_u64u, SRC);

	/* ---- atomics ------------------------------------------------------------ */
op_ATOMIC32_ADD:	ATOMIC(uint32_t, __atomic_fetch_add, 0);
op_ATOMIC32_FETCH_ADD:	ATOMIC(uint32_t, __atomic_fetch_add, 1);
op_ATOMIC32_OR:		ATOMIC(uint32_t, __atomic_fetch_or, 0);
op_ATOMIC32_FETCH_OR:	ATOMIC(uint32_t, __atomic_fetch_or, 1);
op_ATOMIC32_AND:	ATOMIC(uint32_t, __atomic_fetch_and, 0);
op_ATOMIC32_FETCH_AND:	ATOMIC(uint32_t, __atomic_fetch_and, 1);
op_ATOMIC32_XOR:	ATOMIC(uint32_t, __atomic_fetch_xor, 0);
op_ATOMIC32_FETCH_XOR:	ATOMIC(uint32_t, __atomic_fetch_xor, 1);
op_ATOMIC32_XCHG:	ATOMIC(uint32_t, __atomic_exchange_n, 1);
op_ATOMIC32_CMPXCHG:	CMPXCHG(uint32_t);
op_ATOMIC64_ADD:	ATOMIC(uint64_t, __atomic_fetch_add, 0);
op_ATOMIC64_FETCH_ADD:	ATOMIC(uint64_t, __atomic_fetch_add, 1);
op_ATOMIC64_OR:		ATOMIC(uint64_t, __atomic_fetch_or, 0);
op_ATOMIC64_FETCH_OR:	ATOMIC(uint64_t, __atomic_fetch_or, 1);
op_ATOMIC64_AND:	ATOMIC(uint64_t, __atomic_fetch_and, 0);
op_ATOMIC64_FETCH_AND:	ATOMIC(uint64_t, __atomic_fetch_and, 1);
op_ATOMIC64_XOR:	ATOMIC(uint64_t, __atomic_fetch_xor, 0);
op_ATOMIC64_FETCH_XOR:	ATOMIC(uint64_t, __atomic_fetch_xor, 1);
op_ATOMIC64_XCHG:	ATOMIC(uint64_t, __atomic_exchange_n, 1);
op_ATOMIC64_CMPXCHG:	CMPXCHG(uint64_t);

	/* ---- ld_imm64: every form was resolved to a value at load -------------- */
op_LDDW:
op_LDDW_MAP_FD:
op_LDDW_MAP_VALUE:
op_LDDW_BTF_ID:
op_LDDW_FUNC:
op_LDDW_MAP_IDX:
op_LDDW_MAP_IDX_VALUE:
	DST = pc[1].u64;
	pc += 2;
	DISPATCH();

	/* ---- legacy packet loads: r0 = ntoh(packet[off]) ---------------------- */
op_LDABSW:	LDPKT(bk_u32u, __builtin_bswap32, (int32_t)IMM);
op_LDABSH:	LDPKT(bk_u16u, __builtin_bswap16, (int32_t)IMM);
op_LDABSB:	LDPKT(uint8_t, NOSWAP, (int32_t)IMM);
op_LDINDW:	LDPKT(bk_u32u, __builtin_bswap32, (int32_t)((uint32_t)SRC + K32));
op_LDINDH:	LDPKT(bk_u16u, __builtin_bswap16, (int32_t)((uint32_t)SRC + K32));
op_LDINDB:	LDPKT(uint8_t, NOSWAP, (int32_t)((uint32_t)SRC + K32));

	// clang-format on

	/* ---- leaving the loop ------------------------------------------------------ */
op_LDDW_TAIL:
	bk_interp_fault(run, prog, pc, BK_E_VM_JUMP,
			"control reached the second slot of an ld_imm64");
	return 0;
op_FALLOFF:
	pc--;
	bk_interp_fault(run, prog, pc, BK_E_VM_FALLOFF,
			"execution ran past the last instruction (%zu) without exit",
			prog->cnt - 1);
	return 0;

helper_status:
	if (run->sh.status & BK_VM_ST_TAIL_CALL) {
		/* the target replaces this frame's program; r1 is still ctx */
		run->sh.status &= ~(uint32_t)BK_VM_ST_TAIL_CALL;
		prog = run->sh.tail_target;
		code = prog->code[BK_MODE];
		pc = code;
		may_goto = BK_VM_MAX_LOOPS;
		if (!run->sh.status)
			DISPATCH();
	}
	if ((run->sh.status & BK_VM_ST_FAULT) && run->fault_insn < 0) {
		run->fault_insn = pc - code;
		run->fault_prog = prog;
	}
	return 0;

fault_depth:
	bk_interp_fault(run, prog, pc, BK_E_VM_CALL_DEPTH, "call nested deeper than %d frames",
			BK_VM_MAX_FRAMES);
	return 0;
fault_callx:
	bk_interp_fault(run, prog, pc, BK_E_VM_CALLX,
			"callx r%u = %#" PRIx64
			" is neither a helper id nor a function of the program",
			pc->dst, DST);
	return 0;
#if BK_CHECKED
fault_mem:
	bk_interp_fault_mem(run, prog, pc, fa_addr, fa_size, fa_write);
	return 0;
fault_align:
	bk_interp_fault(run, prog, pc, BK_E_VM_MEM,
			"atomic access of %u bytes at %#" PRIxPTR " is misaligned", fa_size,
			fa_addr);
	return 0;
fault_budget:
	bk_interp_fault(run, prog, pc, BK_E_VM_BUDGET,
			"instruction budget of %" PRIu64 " exhausted", limit);
	return 0;
#endif

#undef DST
#undef SRC
#undef IMM
#undef ADDR_D
#undef ADDR_S
#undef DISPATCH
#undef CHK
#undef CHK_ATOMIC
#undef NEXT
#undef JUMP
#undef BRANCH
#undef A64
#undef A32
#undef D32
#undef S32
#undef K32
#undef LDX
#undef STORE
#undef ATOMIC
#undef CMPXCHG
#undef LDPKT
#undef NOSWAP
}
