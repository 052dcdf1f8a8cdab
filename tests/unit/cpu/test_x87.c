/*
 * tests/unit/cpu/test_x87.c — the x87 FPU (cpu/ops_x87*.c, x87_host.c,
 * optab_x87.c): literal instruction bytes (assembled with GNU as; the
 * listing is in the comments; the DC/DE register forms are written as
 * bytes with Intel's meaning, since AT&T tools swap FSUB/FSUBR there) run
 * in the fixture machine. Checked against the Intel SDM: 80-bit values and
 * precision control, rounding control in stores and FRNDINT, the register
 * stack (tags, TOP, overflow/underflow and their masked responses),
 * condition codes and EFLAGS of the compares, FXAM classes, unmasked
 * exceptions pending until the next waiting instruction (#MF), the CR0
 * gates (#NM), and the environment/save images.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "tests/common/fixture.h"

static struct fx *fx;

static void setup64(void) { fx = fx_new(FX_LONG64); }
static void teardown(void) { fx_free(fx); }

TestSuite(x87, .init = setup64, .fini = teardown);

#define CPU (fx->cpu)
#define REG(r) (fx->cpu->gpr[r])

#define S_IE 0x0001u
#define S_DE 0x0002u
#define S_ZE 0x0004u
#define S_OE 0x0008u
#define S_UE 0x0010u
#define S_PE 0x0020u
#define S_SF 0x0040u
#define S_ES 0x0080u
#define S_C0 0x0100u
#define S_C1 0x0200u
#define S_C2 0x0400u
#define S_C3 0x4000u
#define S_B  0x8000u
#define S_CC (S_C0 | S_C1 | S_C2 | S_C3)

static void run_ok(const uint8_t *code, size_t len)
{
	struct cpu_exit ex = fx_exec(fx, code, len);

	cr_assert_eq(ex.reason, CPU_EXIT_HLT, "exit reason %d", ex.reason);
	cr_assert_eq(fx_vector(fx), -1, "took exception %d", fx_vector(fx));
	cr_assert_eq(CPU->rip, FX_CODE + len, "rip %#llx",
		     (unsigned long long)CPU->rip);
}

static void run_fault(const uint8_t *code, size_t len, int vec, size_t at)
{
	fx_exec(fx, code, len);
	cr_assert_eq(fx_vector(fx), vec, "vector %d, want %d", fx_vector(fx),
		     vec);
	int rip_slot = cpu_exc_has_errcode(vec) ? 1 : 0;
	cr_assert_eq(fx_stack_qword(fx, rip_slot), FX_CODE + at);
}

#define RUN(code) run_ok(code, sizeof(code))
#define FAULT(code, vec, at) run_fault(code, sizeof(code), vec, at)

/* ST(i), the status word with TOP, and 80-bit encodings. */
static long double st(int i) { return CPU->fpu.st[(CPU->fpu.top + i) & 7]; }

static unsigned tag(int i)
{
	return (CPU->fpu.ftw >> (2 * ((CPU->fpu.top + i) & 7))) & 3;
}

static uint16_t fsw(void)
{
	return (uint16_t)((CPU->fpu.fsw & ~0x3800u) | CPU->fpu.top << 11);
}

static uint64_t man_of(long double v)
{
	uint64_t m;
	memcpy(&m, &v, 8);
	return m;
}

static uint16_t se_of(long double v)
{
	uint8_t b[16];
	uint16_t se;
	memcpy(b, &v, sizeof(b));
	memcpy(&se, b + 8, 2);
	return se;
}

#define ASSERT_F80(v, se, man)                                                \
	do {                                                                  \
		long double v_ = (v);                                         \
		cr_assert_eq(se_of(v_), (se), "sign/exponent %#x", se_of(v_)); \
		cr_assert_eq(man_of(v_), (uint64_t)(man), "significand %#llx", \
			     (unsigned long long)man_of(v_));                 \
	} while (0)

#define INDEF_SE 0xFFFF
#define INDEF_MAN 0xC000000000000000ull

static void poke_d(uint64_t gpa, double v) { fx_poke(fx, gpa, &v, 8); }
static void poke_f(uint64_t gpa, float v) { fx_poke(fx, gpa, &v, 4); }
static void poke_w(uint64_t gpa, uint16_t v) { fx_poke(fx, gpa, &v, 2); }
static void poke_i32(uint64_t gpa, int32_t v) { fx_poke(fx, gpa, &v, 4); }

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

/* ---- arithmetic ------------------------------------------------------- */

Test(x87, register_forms_follow_intel_operand_order)
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

Test(x87, pop_forms_and_reversed_division)
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

Test(x87, memory_operand_arithmetic)
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

Test(x87, precision_control_applies_to_addition)
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

Test(x87, divide_by_zero_masked_gives_infinity)
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

Test(x87, fcom_condition_codes)
{
	cr_assert_eq(fcom_cc(1, 2), S_C0);
	cr_assert_eq(fcom_cc(2, 1), 0);
	cr_assert_eq(fcom_cc(3, 3), S_C3);
	cr_assert_eq(fsw() & 0x3F, 0);
	cr_assert_eq(fcom_cc(NAN, 3), S_C0 | S_C2 | S_C3);
	cr_assert_eq(fsw() & 0x3F, S_IE, "FCOM: a QNaN is invalid");
}

Test(x87, fucom_qnan_is_unordered_without_ie)
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

Test(x87, ficom_ftst_and_fcom_memory)
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

Test(x87, fcomi_and_fucomip_set_eflags)
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

Test(x87, fucomi_unordered_sets_zf_pf_cf)
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

Test(x87, fxam_classifies)
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

Test(x87, sqrt_and_rounding_to_integer)
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

Test(x87, transcendental_functions)
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

Test(x87, fptan_and_fsincos_push_a_second_result)
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

Test(x87, fsin_out_of_range_sets_c2_and_keeps_the_operand)
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

Test(x87, fscale_fprem_fprem1_fxtract)
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

Test(x87, fchs_fabs_touch_only_the_sign)
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

Test(x87, unmasked_exception_is_pending_until_the_next_waiting_insn)
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

Test(x87, fwait_delivers_a_pending_exception_fnclex_clears_it)
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

Test(x87, fldcw_unmasking_a_set_flag_makes_it_pending)
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

Test(x87, unmasked_stack_overflow_leaves_the_stack_alone)
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
