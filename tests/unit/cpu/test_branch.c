/*
 * tests/unit/cpu/test_branch.c — near branches (cpu/ops_branch.c): Jcc
 * over all 16 conditions, JMP/CALL direct and indirect, RET/RET imm16,
 * LOOP/LOOPE/LOOPNE/JrCXZ with the count register sized by the address
 * size, operand-size truncation of targets, and the #GP(0) that a
 * non-canonical target raises on the branch itself (SDM Vol. 2A JMP,
 * CALL, Jcc; Vol. 2B RET, LOOP).
 */
#include <criterion/criterion.h>

#include "tests/common/fixture.h"

static struct fx *fx;

static void setup64(void) { fx = fx_new(FX_LONG64); }
/* A test-level .init runs after the suite's: replace its machine. */
static void setup32(void)
{
	fx_free(fx);
	fx = fx_new(FX_PROT32);
}
static void teardown(void) { fx_free(fx); }

TestSuite(branch, .init = setup64, .fini = teardown);

/* Run code and require a HLT (not an exception stub); return RIP after. */
static uint64_t run_halt(const uint8_t *code, size_t len)
{
	fx->cpu->halted = false;
	struct cpu_exit ex = fx_exec(fx, code, len);

	cr_assert_eq(ex.reason, CPU_EXIT_HLT, "exit reason %d", ex.reason);
	cr_assert_eq(fx_vector(fx), -1, "took exception %d", fx_vector(fx));
	return fx->cpu->rip;
}

#define HALT_AT(code) run_halt(code, sizeof(code))
#define REG(r) (fx->cpu->gpr[r])
#define S FX_STACK

enum { FR_ERR, FR_RIP, FR_CS, FR_RFLAGS, FR_RSP, FR_SS };

/* ---- Jcc ------------------------------------------------------------- */

/* The SDM's condition table (Vol. 1 Appendix B), as a reference. */
static bool want_cond(unsigned cc, uint64_t f)
{
	bool of = f & RF_OF, cf = f & RF_CF, zf = f & RF_ZF;
	bool sf = f & RF_SF, pf = f & RF_PF;
	bool r;

	switch (cc >> 1) {
	case 0: r = of; break;
	case 1: r = cf; break;
	case 2: r = zf; break;
	case 3: r = cf || zf; break;
	case 4: r = sf; break;
	case 5: r = pf; break;
	case 6: r = sf != of; break;
	default: r = zf || sf != of; break;
	}
	return (cc & 1) ? !r : r;
}

Test(branch, jcc_short_and_near_follow_every_condition)
{
	static const uint64_t states[] = {
		0, RF_CF, RF_ZF, RF_SF, RF_OF, RF_PF, RF_SF | RF_OF,
		RF_ZF | RF_SF, RF_CF | RF_ZF | RF_SF | RF_OF | RF_PF,
	};
	for (unsigned cc = 0; cc < 16; cc++) {
		for (size_t i = 0; i < sizeof(states) / sizeof(states[0]);
		     i++) {
			/* 7x 01: skip one HLT when taken. */
			const uint8_t shrt[] = {(uint8_t)(0x70 + cc), 0x01,
						0xf4, 0xf4};
			/* 0F 8x rel32 = 1. */
			const uint8_t near[] = {0x0f, (uint8_t)(0x80 + cc),
						0x01, 0, 0, 0, 0xf4, 0xf4};
			bool t = want_cond(cc, states[i]);

			fx->cpu->rflags = RF_FIXED1 | states[i];
			fx->cpu->lf.op = LF_NONE;
			cr_assert_eq(run_halt(shrt, sizeof(shrt)),
				     FX_CODE + (t ? 4 : 3), "cc %u flags %#llx",
				     cc, (unsigned long long)states[i]);
			fx->cpu->rflags = RF_FIXED1 | states[i];
			fx->cpu->lf.op = LF_NONE;
			cr_assert_eq(run_halt(near, sizeof(near)),
				     FX_CODE + (t ? 8 : 7), "near cc %u", cc);
		}
	}
}

Test(branch, jcc_after_compare_and_backward_loop)
{
	static const uint8_t code[] = {
		0x48, 0x39, 0xd8,             /* cmp rax,rbx */
		0x74, 0x05,                   /* je +5 */
		0xb9, 0x01, 0x00, 0x00, 0x00, /* mov ecx,1 (skipped) */
		0x75, 0x05,                   /* jne +5 (not taken) */
		0xba, 0x01, 0x00, 0x00, 0x00, /* mov edx,1 */
		0xb8, 0x05, 0x00, 0x00, 0x00, /* mov eax,5 */
		0xff, 0xc8,                   /* 1: dec eax */
		0x75, 0xfc,                   /* jnz 1b */
		0xf4,
	};
	REG(RAX) = 7;
	REG(RBX) = 7;
	HALT_AT(code);
	cr_assert_eq(REG(RCX), 0);
	cr_assert_eq(REG(RDX), 1);
	cr_assert_eq(REG(RAX), 0);
}

/* ---- JMP ---------------------------------------------------------------- */

Test(branch, jmp_rel8_rel32_register_and_memory)
{
	static const uint8_t rel8[] = {0xeb, 0x01, 0xf4, 0xf4};
	static const uint8_t rel32[] = {0xe9, 0x01, 0, 0, 0, 0xf4, 0xf4};
	static const uint8_t reg[] = {0xff, 0xe0, 0xf4, 0xf4};  /* jmp rax */
	static const uint8_t mem[] = {0xff, 0x23, 0xf4, 0xf4};  /* jmp [rbx] */
	uint64_t target = FX_CODE + 3;

	cr_assert_eq(HALT_AT(rel8), FX_CODE + 4);
	cr_assert_eq(HALT_AT(rel32), FX_CODE + 7);
	REG(RAX) = FX_CODE + 3;
	cr_assert_eq(HALT_AT(reg), FX_CODE + 4);
	fx_poke(fx, FX_DATA, &target, 8);
	REG(RBX) = FX_DATA;
	cr_assert_eq(HALT_AT(mem), FX_CODE + 4);
}

Test(branch, jmp_backwards_rel32)
{
	/* hlt; jmp -6 (back to the hlt at offset 0): start at offset 1. */
	static const uint8_t code[] = {0xf4, 0xe9, 0xfa, 0xff, 0xff, 0xff};

	fx_load(fx, code, sizeof(code));
	fx->cpu->rip = FX_CODE + 1;
	fx_run(fx, 1000);
	cr_assert_eq(fx_vector(fx), -1);
	cr_assert_eq(fx->cpu->rip, FX_CODE + 1);
}

Test(branch, jmp_to_noncanonical_target_faults_at_the_jmp)
{
	static const uint8_t code[] = {
		0x48, 0xb8, 0, 0, 0, 0, 0, 0x80, 0, 0, /* movabs rax,2^47 */
		0xff, 0xe0,                           /* jmp rax */
		0xf4,
	};
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, FR_ERR), 0);
	cr_assert_eq(fx_stack_qword(fx, FR_RIP), FX_CODE + 10);
}

/* ---- CALL / RET ---------------------------------------------------------- */

Test(branch, call_rel32_pushes_return_and_ret_pops_it)
{
	static const uint8_t code[] = {
		0xe8, 0x01, 0x00, 0x00, 0x00, /* call +1 */
		0xf4,                         /* hlt (return lands here) */
		0x48, 0x8b, 0x04, 0x24,       /* mov rax,[rsp] */
		0xc3,                         /* ret */
	};
	cr_assert_eq(HALT_AT(code), FX_CODE + 6);
	cr_assert_eq(REG(RAX), FX_CODE + 5);
	cr_assert_eq(REG(RSP), S);
}

Test(branch, call_register_and_memory_read_target_before_push)
{
	static const uint8_t reg[] = {0xff, 0xd0, 0xf4, 0xf4}; /* call rax */
	/* call [rsp]: the target comes from the old top of stack. */
	static const uint8_t mem[] = {0xff, 0x14, 0x24, 0xf4, 0xf4};
	uint64_t target = FX_CODE + 4;

	REG(RAX) = FX_CODE + 3;
	cr_assert_eq(HALT_AT(reg), FX_CODE + 4);
	cr_assert_eq(REG(RSP), S - 8);
	cr_assert_eq(fx_peek(fx, S - 8, 8), FX_CODE + 2);

	REG(RSP) = S;
	fx_poke(fx, S, &target, 8);
	cr_assert_eq(HALT_AT(mem), FX_CODE + 5);
	cr_assert_eq(fx_peek(fx, S - 8, 8), FX_CODE + 3);
}

Test(branch, call_to_noncanonical_target_pushes_nothing)
{
	static const uint8_t code[] = {
		0x48, 0xb8, 0, 0, 0, 0, 0, 0x80, 0, 0, /* movabs rax,2^47 */
		0xff, 0xd0,                           /* call rax */
		0xf4,
	};
	uint64_t sentinel = 0x5E5E5E5E5E5E5E5Eull;

	/* Deliver #GP on IST1 so the handler frame cannot hide a push. */
	uint64_t lo = fx_peek(fx, FX_IDT + 16 * EXC_GP, 8) | 1ull << 32;
	fx_poke(fx, FX_IDT + 16 * EXC_GP, &lo, 8);
	fx_poke(fx, S - 8, &sentinel, 8);
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, FR_RIP), FX_CODE + 10);
	cr_assert_eq(fx_stack_qword(fx, FR_RSP), S);
	cr_assert_eq(fx_peek(fx, S - 8, 8), sentinel);
}

Test(branch, ret_to_noncanonical_address_faults_before_popping)
{
	static const uint8_t code[] = {
		0x48, 0xb8, 0, 0, 0, 0, 0, 0x80, 0, 0, /* movabs rax,2^47 */
		0x50,                                 /* push rax */
		0xc3,                                 /* ret */
	};
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, FR_RIP), FX_CODE + 11);
	cr_assert_eq(fx_stack_qword(fx, FR_RSP), S - 8);
}

Test(branch, ret_imm16_releases_extra_bytes)
{
	static const uint8_t code[] = {
		0xc2, 0x10, 0x00, /* ret 16 */
		0xf4, 0xf4,
	};
	uint64_t target = FX_CODE + 4;

	fx_poke(fx, S, &target, 8);
	cr_assert_eq(HALT_AT(code), FX_CODE + 5);
	cr_assert_eq(REG(RSP), S + 8 + 16);
}

/* ---- LOOP family and JrCXZ ------------------------------------------ */

Test(branch, loop_counts_rcx_down_to_zero)
{
	static const uint8_t code[] = {
		0xff, 0xc0, /* 1: inc eax */
		0xe2, 0xfc, /* loop 1b */
		0xf4,
	};
	REG(RCX) = 5;
	HALT_AT(code);
	cr_assert_eq(REG(RAX), 5);
	cr_assert_eq(REG(RCX), 0);
}

Test(branch, loope_stops_when_zf_clears)
{
	static const uint8_t code[] = {
		0xff, 0xc0, /* 1: inc eax */
		0xe1, 0xfc, /* loope 1b */
		0xf4,
	};
	REG(RAX) = 0xFFFFFFFF; /* first inc gives 0 (ZF=1), second 1 */
	REG(RCX) = 5;
	HALT_AT(code);
	cr_assert_eq(REG(RAX), 1);
	cr_assert_eq(REG(RCX), 3);
}

Test(branch, loopne_stops_when_zf_sets)
{
	static const uint8_t code[] = {
		0xba, 0x00, 0x00, 0x00, 0x00, /* mov edx,0 */
		0xff, 0xc2,                   /* 1: inc edx */
		0x83, 0xfa, 0x03,             /* cmp edx,3 */
		0xe0, 0xf9,                   /* loopne 1b */
		0xf4,
	};
	REG(RCX) = 10;
	HALT_AT(code);
	cr_assert_eq(REG(RDX), 3);
	cr_assert_eq(REG(RCX), 7);
}

Test(branch, loop_with_addr32_uses_ecx)
{
	static const uint8_t code[] = {
		0x67, 0xe2, 0x01, /* addr32 loop +1 */
		0xf4,             /* not taken: stops here */
		0xf4,
	};
	REG(RCX) = 0x100000001ull; /* ECX = 1: ends; RCX would loop */
	cr_assert_eq(HALT_AT(code), FX_CODE + 4);
	cr_assert_eq(REG(RCX) & 0xFFFFFFFF, 0);
}

Test(branch, loop_does_not_change_flags)
{
	static const uint8_t code[] = {0xe2, 0x00, 0xf4}; /* loop +0 */

	fx->cpu->rflags = RF_FIXED1 | RF_ZF | RF_CF;
	fx->cpu->lf.op = LF_NONE;
	REG(RCX) = 1; /* becomes 0: no flags, no branch */
	HALT_AT(code);
	cr_assert_eq(cpu_get_rflags(fx->cpu) & RF_ARITH, RF_ZF | RF_CF);
	cr_assert_eq(REG(RCX), 0);
}

Test(branch, jrcxz_and_jecxz_test_the_address_sized_count)
{
	static const uint8_t jr[] = {0xe3, 0x01, 0xf4, 0xf4};       /* jrcxz */
	static const uint8_t je[] = {0x67, 0xe3, 0x01, 0xf4, 0xf4}; /* jecxz */

	REG(RCX) = 0;
	cr_assert_eq(HALT_AT(jr), FX_CODE + 4);
	REG(RCX) = 0x100000000ull;
	cr_assert_eq(HALT_AT(jr), FX_CODE + 3, "RCX != 0: not taken");
	cr_assert_eq(HALT_AT(je), FX_CODE + 5, "ECX == 0: taken");
}

/* ---- 32-bit mode -------------------------------------------------- */

Test(branch, call_ret_in_32bit_mode, .init = setup32)
{
	static const uint8_t code[] = {
		0xe8, 0x01, 0x00, 0x00, 0x00, /* call +1 */
		0xf4,
		0xc3, /* ret */
	};
	cr_assert_eq(HALT_AT(code), FX_CODE + 6);
	cr_assert_eq(REG(RSP), S);
	cr_assert_eq(fx_peek(fx, S - 4, 4), FX_CODE + 5);
}

Test(branch, jmp_with_16bit_operand_truncates_target, .init = setup32)
{
	/* 66 E9 rel16: IP = (0x100004 + 0x6FFC) & 0xFFFF = 0x7000. */
	static const uint8_t code[] = {0x66, 0xe9, 0xfc, 0x6f, 0xf4};

	fx_poke(fx, 0x7000, "\xf4", 1);
	cr_assert_eq(HALT_AT(code), 0x7001);
}

Test(branch, call_with_16bit_operand_pushes_ip, .init = setup32)
{
	static const uint8_t code[] = {0x66, 0xe8, 0xfc, 0x6f, 0xf4};

	fx_poke(fx, 0x7000, "\xf4", 1);
	cr_assert_eq(HALT_AT(code), 0x7001);
	cr_assert_eq(REG(RSP), S - 2);
	cr_assert_eq(fx_peek(fx, S - 2, 2), 0x0004);
}

Test(branch, jmp_beyond_cs_limit_faults, .init = setup32)
{
	static const uint8_t code[] = {0xff, 0xe0, 0xf4}; /* jmp eax */

	fx->cpu->seg[SEG_CS].limit = 0x2FFFFF;
	REG(RAX) = 0x300000;
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_GP);
	/* 32-bit frame: error code, then EIP. */
	cr_assert_eq(fx_peek(fx, REG(RSP) + 4, 4), FX_CODE);
}

Test(branch, loop_with_addr16_in_32bit_mode_uses_cx_only, .init = setup32)
{
	static const uint8_t code[] = {
		0x67, 0xe2, 0x01, /* addr16 loop +1 */
		0xf4,             /* CX reached 0: not taken */
		0xf4,
	};
	REG(RCX) = 0xABCD0001;
	cr_assert_eq(HALT_AT(code), FX_CODE + 4);
	cr_assert_eq(REG(RCX), 0xABCD0000, "only CX is decremented");
}

Test(branch, jcxz_in_32bit_mode_tests_cx, .init = setup32)
{
	static const uint8_t code[] = {0x67, 0xe3, 0x01, 0xf4, 0xf4};

	REG(RCX) = 0x00010000; /* CX = 0 */
	cr_assert_eq(HALT_AT(code), FX_CODE + 5);
}
