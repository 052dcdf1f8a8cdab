/*
 * tests/unit/cpu/test_x87_arith.c — x87 arithmetic, comparisons, math and
 * exceptions (cpu/ops_x87_arith.c, x87_host.c): literal instruction bytes
 * (assembled with GNU as; the DC/DE register forms are written as bytes
 * with Intel's meaning, since AT&T tools swap FSUB/FSUBR there) run in the
 * fixture machine, checked against the Intel SDM: operand order of every
 * register and memory form, precision control, condition codes of FCOM/
 * FUCOM/FICOM/FTST, EFLAGS of FCOMI/FUCOMI, FXAM classes, FSQRT/FRNDINT/
 * the transcendental instructions incl. the out-of-range C2 rule, FPREM
 * quotient bits, FCHS/FABS on NaNs, and unmasked exceptions pending until
 * the next waiting instruction (#MF).
 */
#include <math.h>

#include "tests/unit/cpu/fp_fixture.h"

TestSuite(x87_arith, .init = setup64, .fini = teardown);

/* ---- arithmetic ------------------------------------------------------- */

Test(x87_arith, register_forms_follow_intel_operand_order)
{
	static const uint8_t code[] = {
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xdd, 0x46, 0x08, /* fld qword ptr [rsi+0x8] */
		0xd9, 0xc0, /* fld st(0) */
		0xd8, 0xe2, /* fsub st,st(2) */
		0xd9, 0xc1, /* fld st(1) */
		0xd8, 0xeb, /* fsubr st,st(3) */
		/* stack: -6 (8-2 reversed), 6, 8, 2 */
		0xdc, 0xeb, /* fsub st(3), st(0): st3 = 2 - (-6) = 8 */
		0xdc, 0xe2, /* fsubr st(2), st(0): st2 = -6 - 8 = -14 */
		0xde, 0xf9, /* fdivp st(1), st(0): st1 = 6 / -6 = -1, pop */
		0xf4,       /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, 2);
	poke_d(FX_DATA + 8, 8);
	RUN(code);
	cr_assert_eq(st(0), -1.0L);
	cr_assert_eq(st(1), -14.0L);
	cr_assert_eq(st(2), 8.0L);
	cr_assert_eq(CPU->fpu.top, 5);
}

Test(x87_arith, pop_forms_and_reversed_division)
{
	static const uint8_t code[] = {
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xdd, 0x46, 0x08, /* fld qword ptr [rsi+0x8] */
		0xde, 0xf1, /* fdivrp st(1), st(0): st1 = st0 / st1 = 8 / 2 */
		0xd9, 0xe8, /* fld1 */
		0xde, 0xe9, /* fsubp st(1), st(0): st1 = 4 - 1 */
		0xd9, 0xe8, /* fld1 */
		0xde, 0xe1, /* fsubrp st(1), st(0): st1 = 1 - 3 */
		0xd9, 0xe8, /* fld1 */
		0xde, 0xc1, /* faddp st(1), st(0) */
		0xd9, 0xe8, /* fld1 */
		0xd8, 0xc0, /* fadd st(0), st(0) */
		0xde, 0xc9, /* fmulp st(1), st(0): -1 * 2 */
		0xf4,       /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, 2);
	poke_d(FX_DATA + 8, 8);
	RUN(code);
	cr_assert_eq(st(0), -2.0L);
	cr_assert_eq(CPU->fpu.top, 7);
}

Test(x87_arith, memory_operand_arithmetic)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd8, 0x06, /* fadd dword ptr [rsi] */
		0xdc, 0x4e, 0x08, /* fmul qword ptr [rsi+0x8] */
		0xde, 0x66, 0x10, /* fisub word ptr [rsi+0x10] */
		0xda, 0x7e, 0x14, /* fidivr dword ptr [rsi+0x14] */
		0xdc, 0x6e, 0x08, /* fsubr qword ptr [rsi+0x8] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_f(FX_DATA, 1.5f);      /* 1 + 1.5 = 2.5 */
	poke_d(FX_DATA + 8, 4);     /* * 4 = 10 */
	poke_w(FX_DATA + 16, 6);    /* - 6 = 4 */
	poke_i32(FX_DATA + 20, 20); /* 20 / 4 = 5 */
	RUN(code);                  /* 4 - 5 = -1 */
	cr_assert_eq(st(0), -1.0L);
	cr_assert_eq(fsw() & 0x3F, 0);
}

Test(x87_arith, precision_control_applies_to_addition)
{
	static const uint8_t code[] = {
		0xd9, 0x2e, /* fldcw word ptr [rsi] */
		0xd9, 0xe8, /* fld1 */
		0xdc, 0x46, 0x08, /* fadd qword ptr [rsi+0x8] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_w(FX_DATA, 0x007F); /* PC = 24 bits */
	poke_d(FX_DATA + 8, 0x1p-30);
	RUN(code);
	cr_assert_eq(st(0), 1.0L);
	cr_assert_eq(fsw() & S_PE, S_PE);
}

Test(x87_arith, divide_by_zero_masked_gives_infinity)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xee, /* fldz */
		0xd8, 0xf9, /* fdivr st,st(1) */
		0xf4, /* hlt */
	};
	RUN(code);
	cr_assert(isinf(st(0)) && st(0) > 0);
	cr_assert_eq(fsw() & 0x3F, S_ZE);
}

/* ---- comparisons ------------------------------------------------------ */

static uint16_t fcom_cc(double a, double b)
{
	static const uint8_t code[] = {
		0xdd, 0x46, 0x08, /* fld qword ptr [rsi+0x8] */
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xd8, 0xd1, /* fcom st(1) */
		0xdf, 0xe0, /* fnstsw ax */
		0xde, 0xd9, /* fcompp */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, a);
	poke_d(FX_DATA + 8, b);
	RUN(code);
	cr_assert_eq(CPU->fpu.top, 0, "FCOMPP popped twice");
	return (uint16_t)REG(RAX) & (S_C0 | S_C2 | S_C3);
}

Test(x87_arith, fcom_condition_codes)
{
	cr_assert_eq(fcom_cc(1, 2), S_C0);
	cr_assert_eq(fcom_cc(2, 1), 0);
	cr_assert_eq(fcom_cc(3, 3), S_C3);
	cr_assert_eq(fsw() & 0x3F, 0);
	cr_assert_eq(fcom_cc(NAN, 3), S_C0 | S_C2 | S_C3);
	cr_assert_eq(fsw() & 0x3F, S_IE, "FCOM: a QNaN is invalid");
}

Test(x87_arith, fucom_qnan_is_unordered_without_ie)
{
	static const uint8_t code[] = {
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xd9, 0xee, /* fldz */
		0xdd, 0xe9, /* fucomp st(1) */
		0xdf, 0xe0, /* fnstsw ax */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, NAN);
	RUN(code);
	cr_assert_eq(REG(RAX) & (S_C0 | S_C2 | S_C3), S_C0 | S_C2 | S_C3);
	cr_assert_eq(fsw() & 0x3F, 0);
	cr_assert_eq(CPU->fpu.top, 7);
}

Test(x87_arith, ficom_ftst_and_fcom_memory)
{
	static const uint8_t code[] = {
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xde, 0x56, 0x08, /* ficom word ptr [rsi+0x8] */
		0xdf, 0xe0, /* fnstsw ax */
		0x66, 0x89, 0xc3, /* mov bx,ax */
		0xd9, 0xe4, /* ftst */
		0xdf, 0xe0, /* fnstsw ax */
		0x66, 0x89, 0xc1, /* mov cx,ax */
		0xd8, 0x5e, 0x0c, /* fcomp dword ptr [rsi+0xc] */
		0xdf, 0xe0, /* fnstsw ax */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, -5);
	poke_w(FX_DATA + 8, (uint16_t)-5);
	poke_f(FX_DATA + 12, -6);
	RUN(code);
	cr_assert_eq(REG(RBX) & (S_C0 | S_C2 | S_C3), S_C3);
	cr_assert_eq(REG(RCX) & (S_C0 | S_C2 | S_C3), S_C0, "negative < 0");
	cr_assert_eq(REG(RAX) & (S_C0 | S_C2 | S_C3), 0, "-5 > -6");
	cr_assert_eq(CPU->fpu.top, 0);
}

Test(x87_arith, fcomi_and_fucomip_set_eflags)
{
	static const uint8_t code[] = {
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xd9, 0xe8, /* fld1 */
		0xdb, 0xf1, /* fcomi st,st(1) */
		0x9c, /* pushf */
		0x5b, /* pop rbx */
		0xdf, 0xe9, /* fucomip st,st(1) */
		0x9c, /* pushf */
		0x59, /* pop rcx */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, 2);
	RUN(code);
	cr_assert_eq(REG(RBX) & RF_ARITH, RF_CF, "1 < 2");
	cr_assert_eq(REG(RCX) & RF_ARITH, RF_CF);
	cr_assert_eq(CPU->fpu.top, 7, "FUCOMIP popped");
}

Test(x87_arith, fucomi_unordered_sets_zf_pf_cf)
{
	static const uint8_t code[] = {
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xd9, 0xe8, /* fld1 */
		0xdb, 0xe9, /* fucomi st,st(1) */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, NAN);
	CPU->rflags |= RF_OF | RF_SF | RF_AF;
	RUN(code);
	cr_assert_eq(cpu_get_rflags(CPU) & RF_ARITH, RF_ZF | RF_PF | RF_CF);
	cr_assert_eq(fsw() & 0x3F, 0);
}

/* FXAM: C3 C2 C1 C0 of ST0 loaded from 10 bytes (or nothing: empty). */
static uint16_t fxam_of(const uint8_t *t80)
{
	static const uint8_t code[] = {
		0xdb, 0x2e, /* fld tbyte ptr [rsi] */
		0xd9, 0xe5, /* fxam */
		0xdf, 0xe0, /* fnstsw ax */
		0xf4, /* hlt */
	};
	static const uint8_t empty_code[] = {
		0xd9, 0xe5, /* fxam */
		0xdf, 0xe0, /* fnstsw ax */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	if (!t80) {
		RUN(empty_code);
	} else {
		fx_poke(fx, FX_DATA, t80, 10);
		RUN(code);
	}
	return (uint16_t)REG(RAX) & S_CC;
}

Test(x87_arith, fxam_classifies)
{
	static const uint8_t pos_normal[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xFF, 0x3F};
	static const uint8_t neg_normal[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xFF, 0xBF};
	static const uint8_t zero[10] = {0};
	static const uint8_t inf[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xFF, 0x7F};
	static const uint8_t nan[10] = {0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0x7F};
	static const uint8_t denormal[10] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t unnormal[10] = {0, 0, 0, 0, 0, 0, 0, 0x40, 0xFF, 0x3F};
	cr_assert_eq(fxam_of(pos_normal), S_C2);
	cr_assert_eq(fxam_of(neg_normal), S_C2 | S_C1);
	cr_assert_eq(fxam_of(zero), S_C3);
	cr_assert_eq(fxam_of(inf), S_C2 | S_C0);
	cr_assert_eq(fxam_of(nan), S_C0);
	cr_assert_eq(fxam_of(denormal), S_C3 | S_C2);
	cr_assert_eq(fxam_of(unnormal), 0);
	fx_free(fx);
	fx = fx_new(FX_LONG64);
	cr_assert_eq(fxam_of(NULL) & ~S_C1, S_C3 | S_C0);
}

/* ---- math --------------------------------------------------------------- */

static bool near(long double got, long double want)
{
	return fabsl(got - want) <= fabsl(want) * 0x1p-62L;
}

Test(x87_arith, sqrt_and_rounding_to_integer)
{
	static const uint8_t code[] = {
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xd9, 0xfa, /* fsqrt */
		0xdd, 0x46, 0x08, /* fld qword ptr [rsi+0x8] */
		0xd9, 0xfc, /* frndint */
		0xd9, 0x6e, 0x10, /* fldcw word ptr [rsi+0x10] */
		0xdd, 0x46, 0x08, /* fld qword ptr [rsi+0x8] */
		0xd9, 0xfc, /* frndint */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, 2);
	poke_d(FX_DATA + 8, 2.5);
	poke_w(FX_DATA + 16, 0x0B7F); /* RC = up */
	RUN(code);
	ASSERT_F80(st(2), 0x3FFF, 0xB504F333F9DE6484ull);
	cr_assert_eq(st(1), 2.0L);
	cr_assert_eq(st(0), 3.0L);
}

Test(x87_arith, transcendental_functions)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xf3, /* fpatan */
		0xd9, 0xee, /* fldz */
		0xd9, 0xfe, /* fsin */
		0xd9, 0xee, /* fldz */
		0xd9, 0xff, /* fcos */
		0xd9, 0xe8, /* fld1 */
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xd9, 0xf1, /* fyl2x */
		0xdd, 0x46, 0x08, /* fld qword ptr [rsi+0x8] */
		0xd9, 0xf0, /* f2xm1 */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, 8);
	poke_d(FX_DATA + 8, 0.5);
	RUN(code);
	cr_assert(near(st(0), 0.41421356237309504880L), "2^0.5 - 1");
	cr_assert_eq(st(1), 3.0L, "1 * log2(8)");
	cr_assert_eq(st(2), 1.0L, "cos 0");
	cr_assert_eq(st(3), 0.0L, "sin 0");
	cr_assert(near(st(4), 0.78539816339744830962L), "atan(1/1)");
	cr_assert_eq(CPU->fpu.top, 3);
}

Test(x87_arith, fptan_and_fsincos_push_a_second_result)
{
	static const uint8_t code[] = {
		0xd9, 0xee, /* fldz */
		0xd9, 0xf2, /* fptan */
		0xd9, 0xee, /* fldz */
		0xd9, 0xfb, /* fsincos */
		0xf4, /* hlt */
	};
	RUN(code);
	cr_assert_eq(st(0), 1.0L, "cos 0");
	cr_assert_eq(st(1), 0.0L, "sin 0");
	cr_assert_eq(st(2), 1.0L, "FPTAN pushes 1.0");
	cr_assert_eq(st(3), 0.0L, "tan 0");
	cr_assert_eq(CPU->fpu.top, 4);
}

Test(x87_arith, fsin_out_of_range_sets_c2_and_keeps_the_operand)
{
	static const uint8_t code[] = {
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xd9, 0xfe, /* fsin */
		0xdf, 0xe0, /* fnstsw ax */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, 0x1p64);
	RUN(code);
	cr_assert_eq(st(0), 0x1p64L);
	cr_assert_eq(REG(RAX) & S_C2, S_C2);
}

Test(x87_arith, fscale_fprem_fprem1_fxtract)
{
	static const uint8_t code[] = {
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xfd, /* fscale */
		0xdd, 0xd9, /* fstp st(1) */
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xdd, 0x46, 0x08, /* fld qword ptr [rsi+0x8] */
		0xd9, 0xf8, /* fprem */
		0xdf, 0xe0, /* fnstsw ax */
		0x66, 0x89, 0xc3, /* mov bx,ax */
		0xdd, 0xd9, /* fstp st(1) */
		0xdd, 0x46, 0x10, /* fld qword ptr [rsi+0x10] */
		0xd9, 0xf4, /* fxtract */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, 3);
	poke_d(FX_DATA + 8, 7);
	poke_d(FX_DATA + 16, 48);
	RUN(code);
	/* FPREM 7 / 3: remainder 1, quotient 2 = Q1 → C3 (Q0 → C1, Q2 → C0). */
	cr_assert_eq(REG(RBX) & S_CC, S_C3);
	cr_assert_eq(st(0), 1.5L, "significand of 48");
	cr_assert_eq(st(1), 5.0L, "exponent of 48");
	cr_assert_eq(st(2), 1.0L, "7 rem 3");
	cr_assert_eq(st(3), 8.0L, "1 * 2^3");
}

Test(x87_arith, fchs_fabs_touch_only_the_sign)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe0, /* fchs */
		0xdb, 0x2e, /* fld tbyte ptr [rsi] */
		0xd9, 0xe1, /* fabs */
		0xf4, /* hlt */
	};
	static const uint8_t snan[10] = {1, 0, 0, 0, 0, 0, 0, 0x80, 0xFF, 0xFF};
	REG(RSI) = FX_DATA;
	fx_poke(fx, FX_DATA, snan, 10);
	RUN(code);
	cr_assert_eq(st(1), -1.0L);
	ASSERT_F80(st(0), 0x7FFF, 0x8000000000000001ull);
	cr_assert_eq(fsw() & 0x3F, 0, "no IE even for an SNaN");
}

/* ---- unmasked exceptions and #MF --------------------------------------- */

static const uint8_t unmasked_zdiv[] = {
		0xd9, 0x2e, /* fldcw word ptr [rsi] */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xee, /* fldz */
		0xd8, 0xf9, /* fdivr st,st(1) */
		0xdf, 0xe0, /* fnstsw ax */
		0xd9, 0xe8, /* fld1 */
		0xf4, /* hlt */
};

Test(x87_arith, unmasked_exception_is_pending_until_the_next_waiting_insn)
{
	REG(RSI) = FX_DATA;
	poke_w(FX_DATA, 0x037B); /* ZM = 0 */
	FAULT(unmasked_zdiv, EXC_MF, 10);
	cr_assert_eq(REG(RAX) & (S_ZE | S_ES | S_B), S_ZE | S_ES | S_B,
		     "FNSTSW does not wait");
	cr_assert_eq(st(0), 0.0L, "destination unchanged");
	cr_assert_eq(st(1), 1.0L);
	cr_assert_eq(CPU->fpu.fip, FX_CODE + 6, "FIP is the FDIVR");
	cr_assert_eq(CPU->fpu.fop, 0x0F9, "FOP D8 F9");
}

Test(x87_arith, fwait_delivers_a_pending_exception_fnclex_clears_it)
{
	static const uint8_t code[] = {
		0xd9, 0x2e, /* fldcw word ptr [rsi] */
		0xd9, 0xee, /* fldz */
		0xd9, 0xe8, /* fld1 */
		0xd8, 0xf1, /* fdiv st,st(1) */
		0xdb, 0xe2, /* fnclex */
		0x9b, 0xd9, 0xe8, /* fld1 */
		0xd8, 0xf2, /* fdiv st,st(2) */
		0x9b, /* fwait */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_w(FX_DATA, 0x037B);
	FAULT(code, EXC_MF, 15);
	cr_assert_eq(fsw() & (S_ZE | S_ES), S_ZE | S_ES);
}

Test(x87_arith, fldcw_unmasking_a_set_flag_makes_it_pending)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xee, /* fldz */
		0xd8, 0xf9, /* fdivr st,st(1) */
		0xd9, 0x2e, /* fldcw word ptr [rsi] */
		0xd9, 0xe8, /* fld1 */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_w(FX_DATA, 0x037B);
	FAULT(code, EXC_MF, 8);
	cr_assert_eq(CPU->fpu.fcw, 0x037B);
}

Test(x87_arith, unmasked_stack_overflow_leaves_the_stack_alone)
{
	static const uint8_t code[] = {
		0xd9, 0x2e, /* fldcw word ptr [rsi] */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xee, /* fldz */
		0xdf, 0xe0, /* fnstsw ax */
		0xd9, 0xd0, /* fnop */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_w(FX_DATA, 0x037E); /* IM = 0 */
	FAULT(code, EXC_MF, 22);
	cr_assert_eq(REG(RAX) & (0x3F | S_SF | S_C1 | S_ES), S_IE | S_SF | S_C1 | S_ES);
	cr_assert_eq(CPU->fpu.top, 0);
	cr_assert_eq(st(0), 1.0L);
}

/* ---- behaviour the SDM leaves open, as Intel CPUs have it --------------- */

Test(x87_arith, codes_an_instruction_does_not_define_are_kept)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xee, /* fldz */
		0xd8, 0xd1, /* fcom st(1) */
		0xd8, 0xc1, /* fadd st,st(1) */
		0xdf, 0xe0, /* fnstsw ax */
		0xf4, /* hlt */
	};
	RUN(code);
	cr_assert_eq(REG(RAX) & (S_C0 | S_C2 | S_C3), S_C0,
		     "FADD leaves FCOM's C0 (0 < 1)");
}

Test(x87_arith, unmasked_compare_underflow_still_reports_unordered)
{
	static const uint8_t code[] = {
		0xd9, 0x2e, /* fldcw word ptr [rsi] */
		0xd9, 0xe8, /* fld1 */
		0xd8, 0xdb, /* fcomp st(3) */
		0xdf, 0xe0, /* fnstsw ax */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_w(FX_DATA, 0x037E); /* IM = 0 */
	RUN(code);
	cr_assert_eq(REG(RAX) & (S_CC | S_IE | S_SF | S_ES),
		     S_C0 | S_C2 | S_C3 | S_IE | S_SF | S_ES);
	cr_assert_eq(CPU->fpu.top, 7, "no pop");
}

Test(x87_arith, unmasked_denormal_operand_still_loads)
{
	static const uint8_t code[] = {
		0xd9, 0x2e, /* fldcw word ptr [rsi] */
		0xd9, 0x46, 0x04, /* fld dword ptr [rsi+0x4] */
		0xdf, 0xe0, /* fnstsw ax */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_w(FX_DATA, 0x037D); /* DM = 0 */
	uint32_t denormal = 1;
	fx_poke(fx, FX_DATA + 4, &denormal, 4);
	RUN(code);
	cr_assert_eq(REG(RAX) & (S_DE | S_ES), S_DE | S_ES);
	cr_assert_eq(CPU->fpu.top, 7);
	cr_assert_eq(st(0), 0x1p-149L);
}

Test(x87_arith, trig_and_prem_stack_underflow_clear_c2)
{
	static const uint8_t code[] = {
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xd9, 0xfe, /* fsin */
		0xd9, 0xf7, /* fincstp */
		0xd9, 0xfe, /* fsin */
		0xdf, 0xe0, /* fnstsw ax */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, 0x1p64); /* out of range: C2 = 1 */
	RUN(code);
	cr_assert_eq(REG(RAX) & (S_C2 | S_SF), S_SF);
}
