/*
 * tests/unit/cpu/test_x87.c — the x87 register stack and its data movement
 * (cpu/ops_x87.c, ops_x87_env.c, optab_x87.c): literal instruction bytes
 * (assembled with GNU as; the listing is in the comments) run in the
 * fixture machine, checked against the Intel SDM: the constants and their
 * rounding, 80-bit precision and precision control, every load/store
 * format (m32/m64/m80, m16/m32/m64 integer, packed BCD) with RC and the
 * integer indefinite, tags and TOP, stack overflow/underflow and their
 * masked responses, FXCH/FCMOV/FFREE, the CR0 gates (#NM) and the
 * FNSTENV/FLDENV/FNSAVE/FRSTOR images. Arithmetic, comparisons and #MF are
 * in test_x87_arith.c.
 */
#include <math.h>

#include "tests/unit/cpu/fp_fixture.h"

TestSuite(x87, .init = setup64, .fini = teardown);

/* ---- loads, constants, precision ---------------------------------------- */

Test(x87, reset_state_is_fninit)
{
	cr_assert_eq(CPU->fpu.fcw, 0x037F);
	cr_assert_eq(fsw(), 0);
	cr_assert_eq(CPU->fpu.ftw, 0xFFFF);
}

Test(x87, constants_are_the_extended_precision_values)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xee, /* fldz */
		0xd9, 0xeb, /* fldpi */
		0xd9, 0xea, /* fldl2e */
		0xd9, 0xe9, /* fldl2t */
		0xd9, 0xec, /* fldlg2 */
		0xd9, 0xed, /* fldln2 */
		0xf4, /* hlt */
	};
	RUN(code);
	ASSERT_F80(st(0), 0x3FFE, 0xB17217F7D1CF79ACull);
	ASSERT_F80(st(1), 0x3FFD, 0x9A209A84FBCFF799ull);
	ASSERT_F80(st(2), 0x4000, 0xD49A784BCD1B8AFEull);
	ASSERT_F80(st(3), 0x3FFF, 0xB8AA3B295C17F0BCull);
	ASSERT_F80(st(4), 0x4000, 0xC90FDAA22168C235ull);
	ASSERT_F80(st(5), 0x0000, 0);
	ASSERT_F80(st(6), 0x3FFF, 0x8000000000000000ull);
	cr_assert_eq(CPU->fpu.top, 1);
	cr_assert_eq(tag(5), 1, "zero tag");
	cr_assert_eq(tag(0), 0, "valid tag");
	cr_assert_eq(tag(7), 3, "empty tag");
}

Test(x87, fldpi_follows_the_rounding_control)
{
	static const uint8_t code[] = {
		0xd9, 0x2e, /* fldcw word ptr [rsi] */
		0xd9, 0xeb, /* fldpi */
		0xd9, 0x6e, 0x02, /* fldcw word ptr [rsi+0x2] */
		0xd9, 0xeb, /* fldpi */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_w(FX_DATA, 0x077F);     /* RC = down */
	poke_w(FX_DATA + 2, 0x0B7F); /* RC = up */
	RUN(code);
	ASSERT_F80(st(1), 0x4000, 0xC90FDAA22168C234ull);
	ASSERT_F80(st(0), 0x4000, 0xC90FDAA22168C235ull);
}

Test(x87, one_third_is_computed_in_extended_precision)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xda, 0x36, /* fidiv dword ptr [rsi] */
		0xdd, 0x56, 0x08, /* fst qword ptr [rsi+0x8] */
		0xdb, 0x7e, 0x10, /* fstp tbyte ptr [rsi+0x10] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_i32(FX_DATA, 3);
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 8, 8), 0x3FD5555555555555ull);
	cr_assert_eq(fx_peek(fx, FX_DATA + 16, 8), 0xAAAAAAAAAAAAAAABull);
	cr_assert_eq(fx_peek(fx, FX_DATA + 24, 2), 0x3FFD);
	cr_assert_eq(fsw() & S_PE, S_PE);
	cr_assert_eq(CPU->fpu.top, 0);
	cr_assert_eq(CPU->fpu.ftw, 0xFFFF, "stack empty again");
}

static long double third_with_cw(uint16_t cw)
{
	static const uint8_t code[] = {
		0xd9, 0x2e, /* fldcw word ptr [rsi] */
		0xd9, 0xe8, /* fld1 */
		0xda, 0x76, 0x04, /* fidiv dword ptr [rsi+0x4] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_w(FX_DATA, cw);
	poke_i32(FX_DATA + 4, 3);
	RUN(code);
	return st(0);
}

Test(x87, precision_control_rounds_the_significand)
{
	ASSERT_F80(third_with_cw(0x007F), 0x3FFD, 0xAAAAAB0000000000ull);
	fx_free(fx);
	fx = fx_new(FX_LONG64);
	ASSERT_F80(third_with_cw(0x027F), 0x3FFD, 0xAAAAAAAAAAAAA800ull);
}

Test(x87, loads_of_every_format)
{
	static const uint8_t code[] = {
		0xd9, 0x06, /* fld dword ptr [rsi] */
		0xdd, 0x46, 0x08, /* fld qword ptr [rsi+0x8] */
		0xdf, 0x46, 0x10, /* fild word ptr [rsi+0x10] */
		0xdb, 0x46, 0x14, /* fild dword ptr [rsi+0x14] */
		0xdf, 0x6e, 0x18, /* fild qword ptr [rsi+0x18] */
		0xdb, 0x6e, 0x20, /* fld tbyte ptr [rsi+0x20] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_f(FX_DATA, -1.5f);
	poke_d(FX_DATA + 8, 0.1);
	poke_w(FX_DATA + 16, 0xFFFE);
	poke_i32(FX_DATA + 20, 100000);
	int64_t big = -123456789012345678ll;
	fx_poke(fx, FX_DATA + 24, &big, 8);
	uint8_t t[10] = {1, 0, 0, 0, 0, 0, 0, 0x80, 0xFF, 0x3F};
	fx_poke(fx, FX_DATA + 32, t, 10);
	RUN(code);
	ASSERT_F80(st(0), 0x3FFF, 0x8000000000000001ull);
	cr_assert_eq(st(1), -123456789012345678.0L);
	cr_assert_eq(st(2), 100000.0L);
	cr_assert_eq(st(3), -2.0L);
	cr_assert_eq(st(4), (long double)0.1);
	cr_assert_eq(st(5), -1.5L);
	cr_assert_eq(fsw() & 0x3F, 0);
}

Test(x87, load_of_a_single_snan_raises_ie_and_quiets_it)
{
	static const uint8_t code[] = {
		0xd9, 0x06, /* fld dword ptr [rsi] */
		0xf4, /* hlt */
	};
	uint32_t snan = 0x7F800001u;
	REG(RSI) = FX_DATA;
	fx_poke(fx, FX_DATA, &snan, 4);
	RUN(code);
	ASSERT_F80(st(0), 0x7FFF, 0xC000010000000000ull);
	cr_assert_eq(fsw() & 0x3F, S_IE);
}

/* ---- stores and rounding ------------------------------------------------ */

Test(x87, fistp_rounds_by_rc_and_fild_round_trips)
{
	static const uint8_t code[] = {
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xdb, 0x56, 0x08, /* fist dword ptr [rsi+0x8] */
		0xd9, 0x6e, 0x20, /* fldcw word ptr [rsi+0x20] */
		0xd9, 0xe0, /* fchs */
		0xdf, 0x5e, 0x0c, /* fistp word ptr [rsi+0xc] */
		0xdf, 0x6e, 0x10, /* fild qword ptr [rsi+0x10] */
		0xdf, 0x7e, 0x18, /* fistp qword ptr [rsi+0x18] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, 2.5);
	int64_t v = -9007199254740993ll;
	fx_poke(fx, FX_DATA + 16, &v, 8);
	poke_w(FX_DATA + 32, 0x077F); /* RC = down */
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 8, 4), 2, "nearest even");
	cr_assert_eq(fx_peek(fx, FX_DATA + 12, 2), 0xFFFD, "-2.5 down: -3");
	cr_assert_eq(fx_peek(fx, FX_DATA + 24, 8), (uint64_t)v);
	cr_assert_eq(CPU->fpu.top, 0, "FIST kept, FISTP popped");
}

Test(x87, out_of_range_integer_store_gives_the_indefinite)
{
	static const uint8_t code[] = {
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xdb, 0x56, 0x08, /* fist dword ptr [rsi+0x8] */
		0xdf, 0x5e, 0x0c, /* fistp word ptr [rsi+0xc] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, 1e10);
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 8, 4), 0x80000000u);
	cr_assert_eq(fx_peek(fx, FX_DATA + 12, 2), 0x8000);
	cr_assert_eq(fsw() & 0x3F, S_IE);
}

Test(x87, fst_to_single_rounds_and_overflows_to_infinity)
{
	static const uint8_t code[] = {
		0xdd, 0x06, /* fld qword ptr [rsi] */
		0xd9, 0x56, 0x08, /* fst dword ptr [rsi+0x8] */
		0xdd, 0x46, 0x10, /* fld qword ptr [rsi+0x10] */
		0xd9, 0x5e, 0x0c, /* fstp dword ptr [rsi+0xc] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_d(FX_DATA, 0.1);
	poke_d(FX_DATA + 16, 1e300);
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 8, 4), 0x3DCCCCCDu);
	cr_assert_eq(fx_peek(fx, FX_DATA + 12, 4), 0x7F800000u);
	cr_assert_eq(fsw() & 0x3F, S_OE | S_PE);
}

Test(x87, fbld_and_fbstp_use_packed_bcd)
{
	static const uint8_t code[] = {
		0xdf, 0x26, /* fbld tbyte ptr [rsi] */
		0xd9, 0xc0, /* fld st(0) */
		0xdf, 0x76, 0x10, /* fbstp tbyte ptr [rsi+0x10] */
		0xd9, 0xe0, /* fchs */
		0xdf, 0x76, 0x20, /* fbstp tbyte ptr [rsi+0x20] */
		0xf4, /* hlt */
	};
	uint8_t bcd[10] = {0x89, 0x67, 0x45, 0x23, 0x01, 0, 0, 0, 0, 0};
	REG(RSI) = FX_DATA;
	fx_poke(fx, FX_DATA, bcd, 10);
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 16, 8), 0x0123456789ull);
	cr_assert_eq(fx_peek(fx, FX_DATA + 24, 2), 0);
	cr_assert_eq(fx_peek(fx, FX_DATA + 32, 8), 0x0123456789ull);
	cr_assert_eq(fx_peek(fx, FX_DATA + 40, 2), 0x8000, "sign byte");
}

Test(x87, fisttp_is_undefined_without_sse3)
{
	static const uint8_t code[] = {
		0xdb, 0x0e, /* fisttp dword ptr [rsi] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	FAULT(code, EXC_UD, 0);
}

/* ---- register stack ----------------------------------------------------- */

Test(x87, fxch_fst_and_fstp_st_i)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xee, /* fldz */
		0xd9, 0xeb, /* fldpi */
		0xd9, 0xca, /* fxch st(2) */
		0xdd, 0xd1, /* fst st(1) */
		0xdd, 0xd8, /* fstp st(0) */
		0xf4, /* hlt */
	};
	RUN(code);
	/* after FXCH: 1, 0, pi; FST ST(1): 1, 1, pi; FSTP ST(0): 1, pi */
	cr_assert_eq(st(0), 1.0L);
	ASSERT_F80(st(1), 0x4000, 0xC90FDAA22168C235ull);
	cr_assert_eq(CPU->fpu.top, 6);
}

Test(x87, stack_overflow_masked_pushes_the_indefinite)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xee, /* fldz */
		0xf4, /* hlt */
	};
	RUN(code);
	cr_assert_eq(fsw() & (0x3F | S_SF | S_C1), S_IE | S_SF | S_C1);
	ASSERT_F80(st(0), INDEF_SE, INDEF_MAN);
	cr_assert_eq(CPU->fpu.top, 7);
	cr_assert_eq(fsw() & S_ES, 0, "masked: nothing pending");
}

Test(x87, stack_underflow_masked_gives_the_indefinite)
{
	static const uint8_t code[] = {
		0xd8, 0xc1, /* fadd st,st(1) */
		0xd9, 0x1e, /* fstp dword ptr [rsi] */
		0xdd, 0x5e, 0x08, /* fstp qword ptr [rsi+0x8] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA, 4), 0xFFC00000u);
	cr_assert_eq(fx_peek(fx, FX_DATA + 8, 8), 0xFFF8000000000000ull);
	cr_assert_eq(fsw() & (0x3F | S_SF | S_C1), S_IE | S_SF);
	cr_assert_eq(CPU->fpu.top, 2, "both FSTPs popped");
}

Test(x87, ffree_fincstp_fdecstp)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xdd, 0xc1, /* ffree st(1) */
		0xd9, 0xf7, /* fincstp */
		0xd9, 0xf6, /* fdecstp */
		0xd9, 0xf6, /* fdecstp */
		0xf4, /* hlt */
	};
	RUN(code);
	cr_assert_eq(CPU->fpu.top, 5);
	cr_assert_eq(tag(1), 0, "ST(1) is the old ST(0)");
	cr_assert_eq(tag(2), 3, "freed");
}

Test(x87, fcmov_copies_on_the_condition)
{
	static const uint8_t code[] = {
		0xd9, 0xee, /* fldz */
		0xd9, 0xe8, /* fld1 */
		0xf9, /* stc */
		0xda, 0xc1, /* fcmovb st,st(1) */
		0xd9, 0xe8, /* fld1 */
		0xf8, /* clc */
		0xda, 0xc2, /* fcmovb st,st(2) */
		0xf4, /* hlt */
	};
	RUN(code);
	cr_assert_eq(st(0), 1.0L, "CF=0: unchanged");
	cr_assert_eq(st(1), 0.0L, "CF=1: copied");
}

/* ---- CR0 gates ---------------------------------------------------------- */

static const uint8_t fld1_code[] = {
		0xd9, 0xe8, /* fld1 */
		0xf4, /* hlt */
};
static const uint8_t fwait_code[] = {
		0x9b, /* fwait */
		0xf4, /* hlt */
};

Test(x87, cr0_ts_or_em_raise_nm)
{
	CPU->cr0 |= CR0_TS;
	FAULT(fld1_code, EXC_NM, 0);
	fx_free(fx);
	fx = fx_new(FX_LONG64);
	CPU->cr0 |= CR0_EM;
	FAULT(fld1_code, EXC_NM, 0);
	cr_assert_eq(CPU->fpu.top, 0);
}

Test(x87, fwait_faults_only_with_ts_and_mp)
{
	CPU->cr0 = (CPU->cr0 | CR0_TS) & ~CR0_MP;
	RUN(fwait_code);
	CPU->cr0 |= CR0_MP;
	FAULT(fwait_code, EXC_NM, 0);
}

/* ---- environment and state images -------------------------------------- */

Test(x87, fnstenv_image_and_masking_fldenv_restores)
{
	static const uint8_t code[] = {
		0xd9, 0x6e, 0x40, /* fldcw word ptr [rsi+0x40] */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0x46, 0x44, /* fld dword ptr [rsi+0x44] */
		0xd9, 0x36, /* fnstenv [rsi] */
		0xd9, 0x6e, 0x40, /* fldcw word ptr [rsi+0x40] */
		0xd9, 0x26, /* fldenv [rsi] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_w(FX_DATA + 64, 0x027A);
	poke_f(FX_DATA + 68, 0.5f);
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 0, 4), 0xFFFF027Au, "FCW");
	cr_assert_eq(fx_peek(fx, FX_DATA + 4, 4), 0xFFFF3000u, "FSW: TOP 6");
	cr_assert_eq(fx_peek(fx, FX_DATA + 8, 4), 0xFFFF0FFFu, "FTW");
	cr_assert_eq(fx_peek(fx, FX_DATA + 12, 4), FX_CODE + 5, "FIP");
	cr_assert_eq(fx_peek(fx, FX_DATA + 16, 4), 0x01460000u, "FOP D9 46");
	cr_assert_eq(fx_peek(fx, FX_DATA + 20, 4), FX_DATA + 68, "FDP");
	cr_assert_eq(CPU->fpu.fcw, 0x027A, "FLDENV put the saved FCW back");
	cr_assert_eq(CPU->fpu.top, 6);
	cr_assert_eq(st(0), 0.5L);
}

Test(x87, fnstenv_masks_all_exceptions)
{
	static const uint8_t code[] = {
		0xd9, 0x6e, 0x40, /* fldcw word ptr [rsi+0x40] */
		0xd9, 0x36, /* fnstenv [rsi] */
		0xd9, 0x7e, 0x20, /* fnstcw word ptr [rsi+0x20] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_w(FX_DATA + 64, 0x0340);
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 32, 2), 0x037F);
}

Test(x87, sixteen_bit_environment_with_66)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0x66, 0xd9, 0x36, /* fnstenvw [rsi] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	uint8_t ff[32];
	memset(ff, 0xEE, sizeof(ff));
	fx_poke(fx, FX_DATA, ff, sizeof(ff));
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 0, 2), 0x037F);
	cr_assert_eq(fx_peek(fx, FX_DATA + 2, 2), 0x3800);
	cr_assert_eq(fx_peek(fx, FX_DATA + 4, 2), 0x3FFF);
	cr_assert_eq(fx_peek(fx, FX_DATA + 6, 2), FX_CODE & 0xFFFF);
	cr_assert_eq(fx_peek(fx, FX_DATA + 14, 2), 0xEEEE, "14 bytes only");
}

Test(x87, fnsave_reinitialises_and_frstor_restores)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xeb, /* fldpi */
		0xdd, 0x36, /* fnsave [rsi] */
		0xd9, 0xbe, 0xc8, 0x00, 0x00, 0x00, /* fnstcw word ptr [rsi+0xc8] */
		0xdd, 0xbe, 0xca, 0x00, 0x00, 0x00, /* fnstsw word ptr [rsi+0xca] */
		0xdd, 0x26, /* frstor [rsi] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 200, 2), 0x037F);
	cr_assert_eq(fx_peek(fx, FX_DATA + 202, 2), 0);
	cr_assert_eq(fx_peek(fx, FX_DATA + 28, 8), 0xC90FDAA22168C235ull, "ST0");
	cr_assert_eq(fx_peek(fx, FX_DATA + 38, 8), 0x8000000000000000ull, "ST1");
	ASSERT_F80(st(0), 0x4000, 0xC90FDAA22168C235ull);
	cr_assert_eq(st(1), 1.0L);
	cr_assert_eq(CPU->fpu.top, 6);
	cr_assert_eq(tag(2), 3);
}

Test(x87, fnstsw_ax_and_fnop)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xd0, /* fnop */
		0xdf, 0xe0, /* fnstsw ax */
		0xf4, /* hlt */
	};
	REG(RAX) = 0xFFFFFFFFFFFF0000ull;
	RUN(code);
	cr_assert_eq(REG(RAX), 0xFFFFFFFFFFFF3800ull);
}

Test(x87, every_escape_row_is_written)
{
	for (int e = 0; e < 8; e++)
		for (int i = 0; i < 72; i++)
			cr_assert(optab_x87[e][i].fn && optab_x87[e][i].mnem,
				  "escape %02x row %d", 0xD8 + e, i);
}

/* ---- behaviour the SDM leaves open, as Intel CPUs have it --------------- */

Test(x87, fld_st_of_an_empty_register_is_an_underflow_even_when_full)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xdd, 0xc3, /* ffree st(3) */
		0xd9, 0xc3, /* fld st(3) */
		0xf4, /* hlt */
	};
	RUN(code);
	cr_assert_eq(fsw() & (0x3F | S_SF | S_C1), S_IE | S_SF, "C1 = 0");
	ASSERT_F80(st(0), INDEF_SE, INDEF_MAN);
}

Test(x87, fstpnce_of_an_empty_st0_only_pops)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xee, /* fldz */
		0xd9, 0xeb, /* fldpi */
		0xdd, 0xc0, /* ffree st(0) */
		0xd9, 0xda, /* (bad) */
		0xf4, /* hlt */
	};
	RUN(code);
	cr_assert_eq(fsw() & 0x7F, 0, "no stack fault");
	cr_assert_eq(st(1), 1.0L, "ST(2) not written");
	cr_assert_eq(CPU->fpu.top, 6);
}

Test(x87, ffree_clears_c1_and_fcmov_keeps_it)
{
	static const uint8_t code[] = {
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xd9, 0xe8, /* fld1 */
		0xdf, 0xe0, /* fnstsw ax */
		0x66, 0x89, 0xc3, /* mov bx,ax */
		0xda, 0xc9, /* fcmove st,st(1) */
		0xdf, 0xe0, /* fnstsw ax */
		0x66, 0x89, 0xc1, /* mov cx,ax */
		0xdd, 0xc3, /* ffree st(3) */
		0xdf, 0xe0, /* fnstsw ax */
		0xf4, /* hlt */
	};
	RUN(code);
	cr_assert_eq(REG(RBX) & S_C1, S_C1, "overflow sets C1");
	cr_assert_eq(REG(RCX) & S_C1, S_C1, "FCMOVcc leaves it");
	cr_assert_eq(REG(RAX) & S_C1, 0, "FFREE clears it");
}
