/*
 * tests/unit/cpu/test_sse_fp.c — SSE/SSE2 floating point (cpu/ops_sse_fp.c,
 * sse_host.c), LDMXCSR/STMXCSR and FXSAVE/FXRSTOR (ops_x87_env.c):
 * literal instruction bytes (assembled with GNU as; the listing is in the
 * comments) run in the fixture machine, results checked against the Intel
 * SDM: lanes and upper-lane preservation, flags under the default masks,
 * unmasked exceptions (#XM, or #UD with CR4.OSXMMEXCPT=0) leaving the
 * destination alone, underflow with UM=0, FTZ/DAZ, NaN rules, MIN/MAX
 * operand order, approximations, CMPcc predicates, (U)COMIS flags, RC in
 * conversions, the integer indefinite, MXCSR reserved bits and the FXSAVE
 * image in 64-bit and 32-bit mode.
 */
#include <math.h>

#include "tests/unit/cpu/fp_fixture.h"

TestSuite(sse_fp, .init = setup64, .fini = teardown);

/* MXCSR fields used below (SDM Vol. 1 §10.2.3). */
#define M_IE      0x0001u
#define M_DE      0x0002u
#define M_ZE      0x0004u
#define M_OE      0x0008u
#define M_UE      0x0010u
#define M_PE      0x0020u
#define M_DAZ     0x0040u
#define M_ZM      0x0200u
#define M_OM      0x0400u
#define M_UM      0x0800u
#define M_RC_DOWN 0x2000u
#define M_RC_UP   0x4000u
#define M_RC_ZERO 0x6000u
#define M_FTZ     0x8000u
#define M_DEFAULT 0x1F80u

static uint32_t f2u(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}

static uint64_t d2u(double d)
{
	uint64_t u;
	memcpy(&u, &d, 8);
	return u;
}

/* ---- floating point ---------------------------------------------------- */

Test(sse_fp, addps_and_scalar_forms_keep_the_upper_lanes)
{
	static const uint8_t code[] = {
		0x0f, 0x58, 0xc1, /* addps xmm0,xmm1 */
		0xf3, 0x0f, 0x58, 0xd1, /* addss xmm2,xmm1 */
		0xf2, 0x0f, 0x59, 0x1e, /* mulsd xmm3,qword ptr [rsi] */
		0x66, 0x0f, 0x5e, 0xe5, /* divpd xmm4,xmm5 */
		0xf3, 0x0f, 0x5c, 0xf1, /* subss xmm6,xmm1 */
		0xf4, /* hlt */
	};
	set_f(0, 1, 2, 3, 4);
	set_f(1, 0.5f, 0.25f, -3, 8);
	set_f(2, 10, 20, 30, 40);
	set_pd(3, 3, 7);
	set_pd(4, 1, 9);
	set_pd(5, 4, -3);
	set_f(6, 1, 7, 7, 7);
	REG(RSI) = FX_DATA;
	double two = 2.0;
	fx_poke(fx, FX_DATA, &two, 8);
	RUN(code);
	cr_assert_eq(X(0).f[0], 1.5f);
	cr_assert_eq(X(0).f[1], 2.25f);
	cr_assert_eq(X(0).f[2], 0.0f);
	cr_assert_eq(X(0).f[3], 12.0f);
	cr_assert_eq(X(2).f[0], 10.5f);
	cr_assert_eq(X(2).f[1], 20.0f);
	cr_assert_eq(X(3).fd[0], 6.0);
	cr_assert_eq(X(3).fd[1], 7.0);
	cr_assert_eq(X(4).fd[0], 0.25);
	cr_assert_eq(X(4).fd[1], -3.0);
	cr_assert_eq(X(6).f[0], 0.5f);
	cr_assert_eq(CPU->mxcsr, M_DEFAULT, "exact results: no flags");
}

Test(sse_fp, inexact_result_sets_pe_under_the_default_mask)
{
	static const uint8_t code[] = {
		0xf3, 0x0f, 0x5e, 0xc1, /* divss xmm0,xmm1 */
		0xf4, /* hlt */
	};
	set_f(0, 1, 0, 0, 0);
	set_f(1, 3, 0, 0, 0);
	RUN(code);
	cr_assert_eq(f2u(X(0).f[0]), 0x3EAAAAABu);
	cr_assert_eq(CPU->mxcsr, M_DEFAULT | M_PE);
}

Test(sse_fp, divide_by_zero_masked_gives_infinity_and_ze)
{
	set_f(0, -1, 0, 0, 0);
	set_f(1, 0, 0, 0, 0);
	static const uint8_t code[] = {
		0xf3, 0x0f, 0x5e, 0xc1, /* divss xmm0,xmm1 */
		0xf4, /* hlt */
	};
	RUN(code);
	cr_assert(isinf(X(0).f[0]) && X(0).f[0] < 0);
	cr_assert_eq(CPU->mxcsr, M_DEFAULT | M_ZE);
}

static const uint8_t unmasked_div_code[] = {
		0x0f, 0xae, 0x16, /* ldmxcsr dword ptr [rsi] */
		0xf3, 0x0f, 0x5e, 0xc1, /* divss xmm0,xmm1 */
		0xf4, /* hlt */
};

Test(sse_fp, unmasked_divide_by_zero_raises_xm_and_keeps_the_destination)
{
	uint32_t m = M_DEFAULT & ~M_ZM;
	REG(RSI) = FX_DATA;
	fx_poke(fx, FX_DATA, &m, 4);
	set_f(0, 5, 6, 7, 8);
	set_f(1, 0, 0, 0, 0);
	FAULT(unmasked_div_code, EXC_XM, 3);
	cr_assert_eq(X(0).f[0], 5.0f);
	cr_assert_eq(CPU->mxcsr, m | M_ZE);
}

Test(sse_fp, unmasked_exception_without_osxmmexcpt_raises_ud)
{
	uint32_t m = M_DEFAULT & ~M_ZM;
	CPU->cr4 &= ~CR4_OSXMMEXCPT;
	REG(RSI) = FX_DATA;
	fx_poke(fx, FX_DATA, &m, 4);
	set_f(0, 5, 6, 7, 8);
	set_f(1, 0, 0, 0, 0);
	FAULT(unmasked_div_code, EXC_UD, 3);
	cr_assert_eq(X(0).f[0], 5.0f);
}

Test(sse_fp, unmasked_underflow_traps_on_an_exact_tiny_result)
{
	static const uint8_t code[] = {
		0x0f, 0xae, 0x16, /* ldmxcsr dword ptr [rsi] */
		0xf3, 0x0f, 0x59, 0xc1, /* mulss xmm0,xmm1 */
		0xf4, /* hlt */
	};
	uint32_t m = M_DEFAULT & ~M_UM;
	REG(RSI) = FX_DATA;
	fx_poke(fx, FX_DATA, &m, 4);
	set_f(0, 0x1p-126f, 0, 0, 0); /* smallest normal */
	set_f(1, 0.5f, 0, 0, 0);      /* exact denormal result */
	FAULT(code, EXC_XM, 3);
	cr_assert_eq(CPU->mxcsr & 0x3F, M_UE);
	cr_assert_eq(X(0).f[0], 0x1p-126f);
}

Test(sse_fp, masked_exact_tiny_result_raises_no_flag)
{
	set_f(0, 0x1p-126f, 0, 0, 0);
	set_f(1, 0.5f, 0, 0, 0);
	static const uint8_t code[] = {
		0xf3, 0x0f, 0x59, 0xc1, /* mulss xmm0,xmm1 */
		0xf4, /* hlt */
	};
	RUN(code);
	cr_assert_eq(X(0).f[0], 0x1p-127f);
	cr_assert_eq(CPU->mxcsr, M_DEFAULT);
}

Test(sse_fp, ftz_flushes_tiny_results_and_daz_reads_denormals_as_zero)
{
	static const uint8_t code[] = {
		0x0f, 0xae, 0x16, /* ldmxcsr dword ptr [rsi] */
		0xf3, 0x0f, 0x59, 0xc1, /* mulss xmm0,xmm1 */
		0xf3, 0x0f, 0x58, 0xd3, /* addss xmm2,xmm3 */
		0xf4, /* hlt */
	};
	uint32_t m = M_DEFAULT | M_FTZ | M_DAZ;
	REG(RSI) = FX_DATA;
	fx_poke(fx, FX_DATA, &m, 4);
	set_f(0, 0x1p-126f, 0, 0, 0);
	set_f(1, 0.5f, 0, 0, 0);
	set_f(2, 0x1p-140f, 0, 0, 0); /* denormal input */
	set_f(3, 0, 0, 0, 0);
	RUN(code);
	cr_assert_eq(f2u(X(0).f[0]), 0);
	cr_assert_eq(f2u(X(2).f[0]), 0);
	cr_assert_eq(CPU->mxcsr & 0x3F, M_UE | M_PE, "mxcsr %#x", CPU->mxcsr);
}

Test(sse_fp, denormal_operand_sets_de_without_daz)
{
	set_f(0, 0x1p-140f, 0, 0, 0);
	set_f(1, 1, 0, 0, 0);
	static const uint8_t code[] = {
		0xf3, 0x0f, 0x59, 0xc1, /* mulss xmm0,xmm1 */
		0xf4, /* hlt */
	};
	RUN(code);
	cr_assert_eq(X(0).f[0], 0x1p-140f);
	cr_assert_eq(CPU->mxcsr & 0x3F, M_DE);
}

Test(sse_fp, sqrt_of_negative_gives_default_nan_and_ie)
{
	set_pd(0, 0, 0);
	set_pd(1, -4, 9);
	static const uint8_t code[] = {
		0x66, 0x0f, 0x51, 0xc1, /* sqrtpd xmm0,xmm1 */
		0xf4, /* hlt */
	};
	RUN(code);
	cr_assert_eq(X(0).q[0], 0xFFF8000000000000ull);
	cr_assert_eq(X(0).fd[1], 3.0);
	cr_assert_eq(CPU->mxcsr & 0x3F, M_IE);
}

Test(sse_fp, min_max_return_the_second_operand_for_nan_and_zeros)
{
	static const uint8_t code[] = {
		0x0f, 0x5d, 0xc1, /* minps xmm0,xmm1 */
		0xf2, 0x0f, 0x5f, 0xd3, /* maxsd xmm2,xmm3 */
		0xf4, /* hlt */
	};
	set_f(0, NAN, 1, -0.0f, 5);
	set_f(1, 2, NAN, 0.0f, 3);
	set_pd(2, -0.0, 7);
	set_pd(3, 0.0, 8);
	RUN(code);
	cr_assert_eq(X(0).f[0], 2.0f);
	cr_assert(isnan(X(0).f[1]));
	cr_assert_eq(f2u(X(0).f[2]), 0, "min(-0, +0) is the second: +0");
	cr_assert_eq(X(0).f[3], 3.0f);
	cr_assert_eq(d2u(X(2).fd[0]), 0);
	cr_assert_eq(X(2).fd[1], 7.0);
	cr_assert_eq(CPU->mxcsr & 0x3F, M_IE, "QNaN operands of MIN/MAX are invalid");
}

Test(sse_fp, qnan_propagation_takes_the_first_source)
{
	static const uint8_t code[] = {
		0xf2, 0x0f, 0x58, 0xc1, /* addsd xmm0,xmm1 */
		0xf4, /* hlt */
	};
	X(0).q[0] = 0x7FF8000000000001ull;
	X(1).q[0] = 0x7FF8000000000002ull;
	RUN(code);
	cr_assert_eq(X(0).q[0], 0x7FF8000000000001ull);
	cr_assert_eq(CPU->mxcsr, M_DEFAULT);
}

Test(sse_fp, snan_is_quieted_and_raises_ie)
{
	static const uint8_t code[] = {
		0xf3, 0x0f, 0x59, 0xc1, /* mulss xmm0,xmm1 */
		0xf4, /* hlt */
	};
	set_f(0, 1, 0, 0, 0);
	X(1).d[0] = 0x7F800001u;
	RUN(code);
	cr_assert_eq(X(0).d[0], 0x7FC00001u);
	cr_assert_eq(CPU->mxcsr & 0x3F, M_IE);
}

Test(sse_fp, rcpps_and_rsqrtss_are_within_1_5_ulp_of_12_bits)
{
	static const uint8_t code[] = {
		0x0f, 0x53, 0xc1, /* rcpps xmm0,xmm1 */
		0xf3, 0x0f, 0x52, 0xd3, /* rsqrtss xmm2,xmm3 */
		0xf4, /* hlt */
	};
	set_f(1, 3, 0.5f, 1000, -7);
	set_f(3, 16, 9, 9, 9);
	set_f(2, 0, 1, 2, 3);
	RUN(code);
	float want[4] = {1 / 3.0f, 2, 0.001f, -1 / 7.0f};
	for (int i = 0; i < 4; i++)
		cr_assert(fabsf(X(0).f[i] - want[i]) <= fabsf(want[i]) * 0x1.8p-12f,
			  "lane %d: %g", i, X(0).f[i]);
	cr_assert(fabsf(X(2).f[0] - 0.25f) <= 0.25f * 0x1.8p-12f);
	cr_assert_eq(X(2).f[1], 1.0f);
}

Test(sse_fp, cmpps_predicates_give_lane_masks)
{
	static const uint8_t code[] = {
		0x0f, 0x28, 0xd0, /* movaps xmm2,xmm0 */
		0x0f, 0x28, 0xd8, /* movaps xmm3,xmm0 */
		0x0f, 0xc2, 0xc1, 0x00, /* cmpeqps xmm0,xmm1 */
		0x0f, 0xc2, 0xd1, 0x01, /* cmpltps xmm2,xmm1 */
		0x0f, 0xc2, 0xd9, 0x03, /* cmpunordps xmm3,xmm1 */
		0xf2, 0x0f, 0xc2, 0xe5, 0x06, /* cmpnlesd xmm4,xmm5 */
		0xf4, /* hlt */
	};
	set_f(0, 1, 2, NAN, 4);
	set_f(1, 1, 3, 0, 3);
	set_pd(4, 2, 99);
	set_pd(5, 1, 0);
	RUN(code);
	cr_assert_eq(X(0).d[0], ~0u);
	cr_assert_eq(X(0).d[1], 0);
	cr_assert_eq(X(0).d[2], 0);
	cr_assert_eq(X(2).d[1], ~0u);
	cr_assert_eq(X(2).d[3], 0);
	cr_assert_eq(X(3).d[2], ~0u);
	cr_assert_eq(X(3).d[0], 0);
	cr_assert_eq(X(4).q[0], ~0ull);
	cr_assert_eq(X(4).fd[1], 99.0);
	cr_assert_eq(CPU->mxcsr & 0x3F, M_IE, "LT on a QNaN is invalid");
}

/* COMISD: ZF PF CF = 000 greater, 001 less, 100 equal, 111 unordered. */
static uint64_t comi_flags(const uint8_t *code, size_t len, double a, double b)
{
	set_pd(0, a, 0);
	set_pd(1, b, 0);
	CPU->rflags |= RF_OF | RF_SF | RF_AF;
	run_ok(code, len);
	return cpu_get_rflags(CPU) & RF_ARITH;
}

Test(sse_fp, comisd_sets_zf_pf_cf_and_clears_of_sf_af)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0x2f, 0xc1, /* comisd xmm0,xmm1 */
		0xf4, /* hlt */
	};
	cr_assert_eq(comi_flags(code, sizeof(code), 2, 1), 0);
	cr_assert_eq(comi_flags(code, sizeof(code), 1, 2), RF_CF);
	cr_assert_eq(comi_flags(code, sizeof(code), 3, 3), RF_ZF);
	cr_assert_eq(CPU->mxcsr, M_DEFAULT);
	cr_assert_eq(comi_flags(code, sizeof(code), NAN, 3),
		     RF_ZF | RF_PF | RF_CF);
	cr_assert_eq(CPU->mxcsr & 0x3F, M_IE, "COMISD: QNaN is invalid");
}

Test(sse_fp, ucomiss_with_qnan_is_unordered_without_ie)
{
	static const uint8_t code[] = {
		0x0f, 0x2e, 0x06, /* ucomiss xmm0,dword ptr [rsi] */
		0xf4, /* hlt */
	};
	set_f(0, 1, 0, 0, 0);
	float nan = NAN;
	REG(RSI) = FX_DATA + 4; /* scalar: no alignment needed */
	fx_poke(fx, FX_DATA + 4, &nan, 4);
	RUN(code);
	cr_assert_eq(cpu_get_rflags(CPU) & RF_ARITH, RF_ZF | RF_PF | RF_CF);
	cr_assert_eq(CPU->mxcsr, M_DEFAULT);
}

/* ---- conversions ------------------------------------------------------- */

static int64_t cvtsd2si_under(uint32_t mxcsr, double v)
{
	static const uint8_t code[] = {
		0x0f, 0xae, 0x16, /* ldmxcsr dword ptr [rsi] */
		0xf2, 0x48, 0x0f, 0x2d, 0xc0, /* cvtsd2si rax,xmm0 */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	fx_poke(fx, FX_DATA, &mxcsr, 4);
	set_pd(0, v, 0);
	RUN(code);
	return (int64_t)REG(RAX);
}

Test(sse_fp, cvtsd2si_rounds_by_mxcsr_rc)
{
	cr_assert_eq(cvtsd2si_under(M_DEFAULT, 2.5), 2);
	cr_assert_eq(cvtsd2si_under(M_DEFAULT, 3.5), 4);
	cr_assert_eq(cvtsd2si_under(M_DEFAULT | M_RC_DOWN, -2.5), -3);
	cr_assert_eq(cvtsd2si_under(M_DEFAULT | M_RC_UP, 2.1), 3);
	cr_assert_eq(cvtsd2si_under(M_DEFAULT | M_RC_ZERO, -2.9), -2);
	cr_assert_eq(CPU->mxcsr & 0x3F, M_PE);
}

Test(sse_fp, out_of_range_conversions_give_the_integer_indefinite)
{
	static const uint8_t code[] = {
		0xf2, 0x48, 0x0f, 0x2c, 0xc0, /* cvttsd2si rax,xmm0 */
		0xf3, 0x0f, 0x2c, 0xd9, /* cvttss2si ebx,xmm1 */
		0xf2, 0x0f, 0x2d, 0xca, /* cvtsd2si ecx,xmm2 */
		0xf4, /* hlt */
	};
	set_pd(0, 1e30, 0);
	set_f(1, NAN, 0, 0, 0);
	set_pd(2, -3e9, 0);
	REG(RBX) = REG(RCX) = ~0ull;
	RUN(code);
	cr_assert_eq(REG(RAX), 0x8000000000000000ull);
	cr_assert_eq(REG(RBX), 0x80000000ull, "32-bit destination zero-extends");
	cr_assert_eq(REG(RCX), 0x80000000ull);
	cr_assert_eq(CPU->mxcsr & 0x3F, M_IE);
}

Test(sse_fp, cvtsi2sd_with_rex_w_converts_64_bits_and_rounds)
{
	static const uint8_t code[] = {
		0xf2, 0x48, 0x0f, 0x2a, 0xc0, /* cvtsi2sd xmm0,rax */
		0xf3, 0x0f, 0x2a, 0xcb, /* cvtsi2ss xmm1,ebx */
		0xf2, 0x0f, 0x2a, 0x16, /* cvtsi2sd xmm2,dword ptr [rsi] */
		0xf4, /* hlt */
	};
	REG(RAX) = (1ull << 53) + 1;
	REG(RBX) = 0xFFFFFFFF; /* -1 as a 32-bit source */
	REG(RSI) = FX_DATA;
	int32_t m = -7;
	fx_poke(fx, FX_DATA, &m, 4);
	set_pd(0, 0, 42);
	set_f(1, 0, 5, 5, 5);
	RUN(code);
	cr_assert_eq(X(0).fd[0], 9007199254740992.0);
	cr_assert_eq(X(0).fd[1], 42.0);
	cr_assert_eq(X(1).f[0], -1.0f);
	cr_assert_eq(X(1).f[3], 5.0f);
	cr_assert_eq(X(2).fd[0], -7.0);
	cr_assert_eq(CPU->mxcsr & 0x3F, M_PE);
}

Test(sse_fp, float_double_conversions_place_lanes)
{
	static const uint8_t code[] = {
		0xf3, 0x0f, 0x5a, 0xc1, /* cvtss2sd xmm0,xmm1 */
		0xf2, 0x0f, 0x5a, 0xd3, /* cvtsd2ss xmm2,xmm3 */
		0x0f, 0x5a, 0xe1, /* cvtps2pd xmm4,xmm1 */
		0x66, 0x0f, 0x5a, 0xeb, /* cvtpd2ps xmm5,xmm3 */
		0xf4, /* hlt */
	};
	set_f(1, 1.5f, -2, 9, 9);
	set_pd(3, 0.1, 4);
	set_pd(0, 0, 77);
	set_f(2, 0, 8, 8, 8);
	set_q(5, ~0ull, ~0ull);
	RUN(code);
	cr_assert_eq(X(0).fd[0], 1.5);
	cr_assert_eq(X(0).fd[1], 77.0);
	cr_assert_eq(X(2).f[0], 0.1f);
	cr_assert_eq(X(2).f[1], 8.0f);
	cr_assert_eq(X(4).fd[0], 1.5);
	cr_assert_eq(X(4).fd[1], -2.0);
	cr_assert_eq(X(5).f[0], 0.1f);
	cr_assert_eq(X(5).f[1], 4.0f);
	cr_assert_eq(X(5).q[1], 0, "CVTPD2PS zeroes the upper half");
}

Test(sse_fp, integer_vector_conversions)
{
	static const uint8_t code[] = {
		0x0f, 0x5b, 0xc1, /* cvtdq2ps xmm0,xmm1 */
		0xf3, 0x0f, 0x5b, 0xd3, /* cvttps2dq xmm2,xmm3 */
		0x66, 0x0f, 0x5b, 0xe3, /* cvtps2dq xmm4,xmm3 */
		0xf3, 0x0f, 0xe6, 0xe9, /* cvtdq2pd xmm5,xmm1 */
		0xf2, 0x0f, 0xe6, 0xf7, /* cvtpd2dq xmm6,xmm7 */
		0x66, 0x44, 0x0f, 0xe6, 0xc7, /* cvttpd2dq xmm8,xmm7 */
		0x44, 0x0f, 0x2a, 0x0e, /* cvtpi2ps xmm9,qword ptr [rsi] */
		0x66, 0x44, 0x0f, 0x2a, 0x16, /* cvtpi2pd xmm10,qword ptr [rsi] */
		0xf4, /* hlt */
	};
	set_d(1, 1, (uint32_t)-2, 16777217, 7);
	set_f(3, 1.5f, -1.5f, 2.5f, 3e9f);
	set_pd(7, -0.5, 1.5);
	set_q(6, ~0ull, ~0ull);
	set_q(9, 0, 0x1234);
	REG(RSI) = FX_DATA;
	int32_t pi[2] = {3, -4};
	fx_poke(fx, FX_DATA, pi, 8);
	RUN(code);
	cr_assert_eq(X(0).f[1], -2.0f);
	cr_assert_eq(X(0).f[2], 16777216.0f);
	cr_assert_eq((int32_t)X(2).d[0], 1);
	cr_assert_eq((int32_t)X(2).d[1], -1);
	cr_assert_eq(X(2).d[3], 0x80000000u);
	cr_assert_eq((int32_t)X(4).d[0], 2);
	cr_assert_eq((int32_t)X(4).d[1], -2);
	cr_assert_eq((int32_t)X(4).d[2], 2);
	cr_assert_eq(X(5).fd[0], 1.0);
	cr_assert_eq(X(5).fd[1], -2.0);
	ASSERT_Q(6, 0x0000000200000000ull, 0); /* -0.5 → -0 → 0; 1.5 → 2 */
	ASSERT_Q(8, 0x0000000100000000ull, 0);
	cr_assert_eq(X(9).f[0], 3.0f);
	cr_assert_eq(X(9).f[1], -4.0f);
	cr_assert_eq(X(9).q[1], 0x1234);
	cr_assert_eq(X(10).fd[1], -4.0);
}

Test(sse_fp, cvtpi2ps_with_an_mmx_register_is_undefined)
{
	static const uint8_t code[] = {
		0x0f, 0x2a, 0xc1, /* cvtpi2ps xmm0,mm1 */
		0xf4, /* hlt */
	};
	FAULT(code, EXC_UD, 0);
}

/* ---- MXCSR --------------------------------------------------------------- */

Test(sse_fp, ldmxcsr_reserved_bit_raises_gp_stmxcsr_stores)
{
	static const uint8_t code[] = {
		0x0f, 0xae, 0x16, /* ldmxcsr dword ptr [rsi] */
		0x0f, 0xae, 0x5e, 0x04, /* stmxcsr dword ptr [rsi+0x4] */
		0x0f, 0xae, 0x56, 0x08, /* ldmxcsr dword ptr [rsi+0x8] */
		0xf4, /* hlt */
	};
	uint32_t v[3] = {0xFFC0 | 0x3F, 0, 0x10000};
	REG(RSI) = FX_DATA;
	fx_poke(fx, FX_DATA, v, sizeof(v));
	FAULT(code, EXC_GP, 7);
	cr_assert_eq(fx_peek(fx, FX_DATA + 4, 4), 0xFFFF);
	cr_assert_eq(CPU->mxcsr, 0xFFFF);
}

/* ---- FXSAVE / FXRSTOR ---------------------------------------------------- */

Test(sse_fp, fxsave_image_layout)
{
	static const uint8_t code[] = {
		0xdb, 0xe3, /* fninit */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xee, /* fldz */
		0x0f, 0xae, 0x96, 0x00, 0x02, 0x00, 0x00, /* ldmxcsr dword ptr [rsi+0x200] */
		0x0f, 0xae, 0x06, /* fxsave [rsi] */
		0xf4, /* hlt */
	};
	uint32_t m = 0x3F80;
	REG(RSI) = FX_DATA;
	fx_poke(fx, FX_DATA + 512, &m, 4);
	set_q(0, 0x1111, 0x2222);
	set_q(15, 0xF0F0, 0x0F0F);
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 0, 2), 0x037F, "FCW");
	cr_assert_eq(fx_peek(fx, FX_DATA + 2, 2), 6u << 11, "FSW with TOP");
	cr_assert_eq(fx_peek(fx, FX_DATA + 4, 1), 0xC0, "abridged tags 6, 7");
	cr_assert_eq(fx_peek(fx, FX_DATA + 6, 2), 0x1EE, "FOP of FLDZ (D9 EE)");
	cr_assert_eq(fx_peek(fx, FX_DATA + 8, 4), FX_CODE + 4, "FIP of FLDZ");
	cr_assert_eq(fx_peek(fx, FX_DATA + 24, 4), 0x3F80, "MXCSR");
	cr_assert_eq(fx_peek(fx, FX_DATA + 28, 4), 0xFFFF, "MXCSR_MASK");
	cr_assert_eq(fx_peek(fx, FX_DATA + 32, 8), 0, "ST0 = +0");
	cr_assert_eq(fx_peek(fx, FX_DATA + 48, 8), 0x8000000000000000ull);
	cr_assert_eq(fx_peek(fx, FX_DATA + 56, 2), 0x3FFF, "ST1 = 1.0");
	cr_assert_eq(fx_peek(fx, FX_DATA + 160, 8), 0x1111);
	cr_assert_eq(fx_peek(fx, FX_DATA + 160 + 15 * 16 + 8, 8), 0x0F0F);
}

Test(sse_fp, fxsave_fxrstor_round_trip)
{
	static const uint8_t code[] = {
		0xd9, 0xeb, /* fldpi */
		0xd9, 0xe8, /* fld1 */
		0x0f, 0xae, 0x06, /* fxsave [rsi] */
		0xdb, 0xe3, /* fninit */
		0x0f, 0xae, 0x96, 0x00, 0x02, 0x00, 0x00, /* ldmxcsr dword ptr [rsi+0x200] */
		0x66, 0x0f, 0xef, 0xdb, /* pxor xmm3,xmm3 */
		0x66, 0x45, 0x0f, 0xef, 0xe4, /* pxor xmm12,xmm12 */
		0x0f, 0xae, 0x0e, /* fxrstor [rsi] */
		0xf4, /* hlt */
	};
	uint32_t m = M_DEFAULT;
	REG(RSI) = FX_DATA;
	fx_poke(fx, FX_DATA + 512, &m, 4);
	CPU->mxcsr = 0x7F80 | M_PE;
	set_q(3, 0x33, 0x34);
	set_q(12, 0xC0, 0xC1);
	RUN(code);
	cr_assert_eq(CPU->mxcsr, 0x7F80 | M_PE);
	ASSERT_Q(3, 0x33, 0x34);
	ASSERT_Q(12, 0xC0, 0xC1);
	cr_assert_eq(CPU->fpu.top, 6);
	cr_assert_eq(CPU->fpu.st[6], 1.0L);
	cr_assert_eq(CPU->fpu.ftw, 0x0FFF, "tags: ST0 valid, ST1 valid");
	cr_assert_eq(CPU->fpu.st[7], 3.14159265358979323851L);
}

Test(sse_fp, fxsave_misaligned_raises_gp)
{
	static const uint8_t code[] = {
		0x0f, 0xae, 0x06, /* fxsave [rsi] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA + 8;
	FAULT(code, EXC_GP, 0);
}

Test(sse_fp, fxrstor_with_reserved_mxcsr_bits_raises_gp_and_changes_nothing)
{
	static const uint8_t code[] = {
		0x0f, 0xae, 0x06, /* fxsave [rsi] */
		0xc7, 0x46, 0x18, 0x00, 0x00, 0x01, 0x00, /* mov dword ptr [rsi+0x18],0x10000 */
		0xd9, 0xe8, /* fld1 */
		0x0f, 0xae, 0x0e, /* fxrstor [rsi] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	FAULT(code, EXC_GP, 12);
	cr_assert_eq(CPU->mxcsr, M_DEFAULT);
	cr_assert_eq(CPU->fpu.top, 7, "FLD1 still on the stack");
}

Test(sse_fp, fxsave_with_ts_raises_nm)
{
	static const uint8_t code[] = {
		0x0f, 0xae, 0x06, /* fxsave [rsi] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	CPU->cr0 |= CR0_TS;
	FAULT(code, EXC_NM, 0);
}

Test(sse_fp, fxsave64_stores_64_bit_instruction_and_data_pointers)
{
	static const uint8_t code[] = {
		0xdd, 0x86, 0x58, 0x02, 0x00, 0x00, /* fld qword ptr [rsi+0x258] */
		0x48, 0x0f, 0xae, 0x06, /* fxsave64 [rsi] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	double one = 1.0;
	fx_poke(fx, FX_DATA + 600, &one, 8);
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 8, 8), FX_CODE);
	cr_assert_eq(fx_peek(fx, FX_DATA + 16, 8), FX_DATA + 600);
	cr_assert_eq(fx_peek(fx, FX_DATA + 6, 2), 0x586, "FOP DD /0, modrm 86");
}

Test(sse_fp, fxsave_in_32_bit_mode_saves_eight_xmm_registers)
{
	static const uint8_t code[] = {
		0x0f, 0xae, 0x06, /* fxsave [esi] */
		0xf4, /* hlt */
	};
	fx_free(fx);
	fx = fx_new(FX_PROT32);
	REG(RSI) = FX_DATA;
	poke_q(FX_DATA + 160 + 8 * 16, 0xDEAD, 0xBEEF);
	set_q(7, 7, 7);
	set_q(8, 8, 8);
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 160 + 7 * 16, 8), 7);
	cr_assert_eq(fx_peek(fx, FX_DATA + 160 + 8 * 16, 8), 0xDEAD);
}

/* ---- flags left by an unmasked overflow/underflow (SDM Vol. 1 §11.5.4;
 * PE as the hardware reports it: the result rounded with an unbounded
 * exponent) ------------------------------------------------------------- */

static const uint8_t unmasked_mul_code[] = {
		0x0f, 0xae, 0x16, /* ldmxcsr dword ptr [rsi] */
		0x0f, 0x59, 0xc1, /* mulps xmm0,xmm1 */
		0xf4, /* hlt */
};

static uint32_t unmasked_mul_flags(uint32_t mxcsr)
{
	REG(RSI) = FX_DATA;
	fx_poke(fx, FX_DATA, &mxcsr, 4);
	FAULT(unmasked_mul_code, EXC_XM, 3);
	return CPU->mxcsr & 0x3F;
}

Test(sse_fp, unmasked_underflow_with_an_exact_scaled_result_has_no_pe)
{
	set_f(0, 0x1p-100f, 1, 1, 1);
	set_f(1, 0x1p-100f, 1, 1, 1);
	cr_assert_eq(unmasked_mul_flags(M_DEFAULT & ~M_UM), M_UE);
	cr_assert_eq(X(0).f[0], 0x1p-100f, "destination unchanged");
}

Test(sse_fp, unmasked_overflow_reports_pe_when_the_significand_rounds)
{
	set_f(0, 0x1.000002p100f, 1, 1, 1);
	set_f(1, 0x1.000002p100f, 1, 1, 1);
	cr_assert_eq(unmasked_mul_flags(M_DEFAULT & ~M_OM), M_OE | M_PE);
}

Test(sse_fp, other_elements_still_report_their_masked_flags)
{
	set_f(0, 0x1p-100f, 1, 1, 1);
	set_f(1, 0x1p-100f, 3, 1, 1); /* lane 1: 1 * 3 exact; lane 0: UE */
	cr_assert_eq(unmasked_mul_flags(M_DEFAULT & ~M_UM), M_UE);
	set_f(0, 0x1p-100f, 0x1.000002p0f, 1, 1);
	set_f(1, 0x1p-100f, 0x1.000002p0f, 1, 1); /* lane 1 inexact */
	cr_assert_eq(unmasked_mul_flags(M_DEFAULT & ~M_UM), M_UE | M_PE);
}

Test(sse_fp, an_unmasked_invalid_element_reports_only_precomputation_flags)
{
	set_f(0, INFINITY, 0x1p-100f, 1, 1);
	set_f(1, 0, 0x1p-100f, 1, 1); /* lane 0: inf * 0; lane 1: UE */
	cr_assert_eq(unmasked_mul_flags(M_DEFAULT & ~(M_UM | 0x80u)), M_IE);
}
