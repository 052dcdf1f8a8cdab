/*
 * tests/unit/cpu/test_sse.c — SSE/SSE2 (cpu/ops_sse*.c, sse_host.c,
 * optab_fp.c) and FXSAVE/FXRSTOR (ops_x87_env.c): literal instruction
 * bytes (assembled with GNU as; the listing is in the comments) run in the
 * fixture machine, results checked against the Intel SDM: moves and their
 * zero-extension rules, packed integer arithmetic and saturation, shifts,
 * shuffles, floating point under every MXCSR mode (RC, FTZ, DAZ, masks),
 * conversions and the integer indefinite, comparisons and RFLAGS, the
 * CR0/CR4 gates, 16-byte alignment, #XM, LDMXCSR and the FXSAVE image.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "tests/common/fixture.h"

static struct fx *fx;

static void setup64(void) { fx = fx_new(FX_LONG64); }
static void teardown(void) { fx_free(fx); }

TestSuite(sse, .init = setup64, .fini = teardown);

#define CPU (fx->cpu)
#define X(i) (fx->cpu->xmm[i])
#define REG(r) (fx->cpu->gpr[r])

/* MXCSR fields used below (SDM Vol. 1 §10.2.3). */
#define M_IE 0x0001u
#define M_DE 0x0002u
#define M_ZE 0x0004u
#define M_OE 0x0008u
#define M_UE 0x0010u
#define M_PE 0x0020u
#define M_DAZ 0x0040u
#define M_ZM 0x0200u
#define M_UM 0x0800u
#define M_RC_DOWN 0x2000u
#define M_RC_UP 0x4000u
#define M_RC_ZERO 0x6000u
#define M_FTZ 0x8000u
#define M_DEFAULT 0x1F80u

/* Run code ending in HLT and require that it halted there, no exception. */
static void run_ok(const uint8_t *code, size_t len)
{
	struct cpu_exit ex = fx_exec(fx, code, len);

	cr_assert_eq(ex.reason, CPU_EXIT_HLT, "exit reason %d", ex.reason);
	cr_assert_eq(fx_vector(fx), -1, "took exception %d", fx_vector(fx));
	cr_assert_eq(CPU->rip, FX_CODE + len, "rip %#llx",
		     (unsigned long long)CPU->rip);
}

/* Run code and require exception `vec` raised at code offset `at`. */
static void run_fault(const uint8_t *code, size_t len, int vec, size_t at)
{
	fx_exec(fx, code, len);
	cr_assert_eq(fx_vector(fx), vec, "vector %d, want %d", fx_vector(fx),
		     vec);
	int rip_slot = cpu_exc_has_errcode(vec) ? 1 : 0;
	cr_assert_eq(fx_stack_qword(fx, rip_slot), FX_CODE + at);
	if (rip_slot)
		cr_assert_eq(fx_stack_qword(fx, 0), 0, "error code");
}

#define RUN(code) run_ok(code, sizeof(code))
#define FAULT(code, vec, at) run_fault(code, sizeof(code), vec, at)

static void set_q(int r, uint64_t lo, uint64_t hi)
{
	X(r).q[0] = lo;
	X(r).q[1] = hi;
}

static void set_d(int r, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	X(r).d[0] = a, X(r).d[1] = b, X(r).d[2] = c, X(r).d[3] = d;
}

static void set_f(int r, float a, float b, float c, float d)
{
	X(r).f[0] = a, X(r).f[1] = b, X(r).f[2] = c, X(r).f[3] = d;
}

static void set_pd(int r, double a, double b)
{
	X(r).fd[0] = a, X(r).fd[1] = b;
}

static void poke_q(uint64_t gpa, uint64_t lo, uint64_t hi)
{
	uint64_t v[2] = {lo, hi};
	fx_poke(fx, gpa, v, sizeof(v));
}

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

#define ASSERT_Q(r, lo, hi)                                                   \
	do {                                                                  \
		cr_assert_eq(X(r).q[0], (uint64_t)(lo), "xmm%d.q0 %#llx", r,  \
			     (unsigned long long)X(r).q[0]);                  \
		cr_assert_eq(X(r).q[1], (uint64_t)(hi), "xmm%d.q1 %#llx", r,  \
			     (unsigned long long)X(r).q[1]);                  \
	} while (0)

/* ---- gating: CR0.EM, CR0.TS, CR4.OSFXSR ------------------------------ */

static const uint8_t addps_code[] = {
		0x0f, 0x58, 0xc1, /* addps xmm0,xmm1 */
		0xf4, /* hlt */
};

Test(sse, fixture_enables_sse_and_reset_mxcsr_is_1f80)
{
	cr_assert(CPU->cr4 & CR4_OSFXSR);
	cr_assert_eq(CPU->mxcsr, M_DEFAULT);
}

Test(sse, osfxsr_clear_raises_ud)
{
	CPU->cr4 &= ~CR4_OSFXSR;
	set_f(0, 1, 1, 1, 1);
	FAULT(addps_code, EXC_UD, 0);
	cr_assert_eq(X(0).f[0], 1.0f);
}

Test(sse, cr0_em_raises_ud)
{
	CPU->cr0 |= CR0_EM;
	FAULT(addps_code, EXC_UD, 0);
}

Test(sse, cr0_ts_raises_nm)
{
	CPU->cr0 |= CR0_TS;
	FAULT(addps_code, EXC_NM, 0);
}

Test(sse, ud_takes_priority_over_nm)
{
	CPU->cr0 |= CR0_TS;
	CPU->cr4 &= ~CR4_OSFXSR;
	FAULT(addps_code, EXC_UD, 0);
}

Test(sse, fences_are_not_gated_by_cr4)
{
	static const uint8_t code[] = {
		0x0f, 0xae, 0xe8, /* lfence */
		0x0f, 0xae, 0xf0, /* mfence */
		0x0f, 0xae, 0xf8, /* sfence */
		0xf4, /* hlt */
	};
	CPU->cr4 &= ~CR4_OSFXSR;
	CPU->cr0 |= CR0_TS;
	RUN(code);
}

Test(sse, mmx_forms_are_undefined)
{
	static const uint8_t code[] = {
		0x0f, 0xfc, 0xc1, /* paddb mm0,mm1 */
		0xf4, /* hlt */
	};
	FAULT(code, EXC_UD, 0);
}

Test(sse, sse3_forms_are_undefined)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0x7c, 0xc1, /* haddpd xmm0,xmm1 */
		0xf4, /* hlt */
	};
	FAULT(code, EXC_UD, 0);
}

/* ---- moves ------------------------------------------------------------- */

Test(sse, movaps_aligned_load_and_store_round_trip)
{
	static const uint8_t code[] = {
		0x0f, 0x28, 0x06, /* movaps xmm0,xmmword ptr [rsi] */
		0x0f, 0x29, 0x46, 0x10, /* movaps xmmword ptr [rsi+0x10],xmm0 */
		0x66, 0x44, 0x0f, 0x28, 0xc8, /* movapd xmm9,xmm0 */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_q(FX_DATA, 0x0123456789ABCDEFull, 0xFEDCBA9876543210ull);
	RUN(code);
	ASSERT_Q(0, 0x0123456789ABCDEFull, 0xFEDCBA9876543210ull);
	ASSERT_Q(9, 0x0123456789ABCDEFull, 0xFEDCBA9876543210ull);
	cr_assert_eq(fx_peek(fx, FX_DATA + 24, 8), 0xFEDCBA9876543210ull);
}

Test(sse, movaps_misaligned_load_raises_gp_and_changes_nothing)
{
	static const uint8_t code[] = {
		0x0f, 0x28, 0x06, /* movaps xmm0,xmmword ptr [rsi] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA + 8;
	set_q(0, 1, 2);
	FAULT(code, EXC_GP, 0);
	ASSERT_Q(0, 1, 2);
}

Test(sse, movdqa_misaligned_store_raises_gp)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0x7f, 0x06, /* movdqa xmmword ptr [rsi],xmm0 */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA + 4;
	FAULT(code, EXC_GP, 0);
}

Test(sse, packed_arithmetic_misaligned_memory_raises_gp)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0xfe, 0x06, /* paddd xmm0,xmmword ptr [rsi] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA + 1;
	FAULT(code, EXC_GP, 0);
}

Test(sse, movups_movdqu_and_scalar_forms_allow_misalignment)
{
	static const uint8_t code[] = {
		0x0f, 0x10, 0x06, /* movups xmm0,xmmword ptr [rsi] */
		0xf3, 0x0f, 0x7f, 0x46, 0x21, /* movdqu xmmword ptr [rsi+0x21],xmm0 */
		0xf3, 0x0f, 0x58, 0x4e, 0x01, /* addss xmm1,dword ptr [rsi+0x1] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA + 3;
	poke_q(FX_DATA + 3, 0x1111111122222222ull, 0x3333333344444444ull);
	set_f(1, 0, 0, 0, 0);
	RUN(code);
	ASSERT_Q(0, 0x1111111122222222ull, 0x3333333344444444ull);
	cr_assert_eq(fx_peek(fx, FX_DATA + 36, 8), 0x1111111122222222ull);
	cr_assert_eq(X(1).d[0], 0x11222222u);
}

Test(sse, movss_load_zero_extends_and_register_move_merges)
{
	static const uint8_t code[] = {
		0xf3, 0x0f, 0x10, 0x06, /* movss xmm0,dword ptr [rsi] */
		0xf3, 0x0f, 0x10, 0xca, /* movss xmm1,xmm2 */
		0xf2, 0x0f, 0x10, 0x1e, /* movsd xmm3,qword ptr [rsi] */
		0xf2, 0x0f, 0x10, 0xe2, /* movsd xmm4,xmm2 */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_q(FX_DATA, 0xAAAAAAAABBBBBBBBull, 0xCCCCCCCCDDDDDDDDull);
	set_q(0, ~0ull, ~0ull);
	set_q(1, ~0ull, ~0ull);
	set_q(2, 0x0000000500000006ull, 7);
	set_q(3, ~0ull, ~0ull);
	set_q(4, ~0ull, ~0ull);
	RUN(code);
	ASSERT_Q(0, 0xBBBBBBBBull, 0);
	ASSERT_Q(1, 0xFFFFFFFF00000006ull, ~0ull);
	ASSERT_Q(3, 0xAAAAAAAABBBBBBBBull, 0);
	ASSERT_Q(4, 0x0000000500000006ull, ~0ull);
}

Test(sse, movss_movsd_stores_write_only_the_scalar)
{
	static const uint8_t code[] = {
		0xf3, 0x0f, 0x11, 0x06, /* movss dword ptr [rsi],xmm0 */
		0xf2, 0x0f, 0x11, 0x46, 0x10, /* movsd qword ptr [rsi+0x10],xmm0 */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_q(FX_DATA, ~0ull, ~0ull);
	poke_q(FX_DATA + 16, ~0ull, ~0ull);
	set_q(0, 0x1234567887654321ull, 0x55);
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA, 8), 0xFFFFFFFF87654321ull);
	cr_assert_eq(fx_peek(fx, FX_DATA + 16, 8), 0x1234567887654321ull);
	cr_assert_eq(fx_peek(fx, FX_DATA + 24, 8), ~0ull);
}

Test(sse, movq_forms_zero_the_upper_quadword)
{
	static const uint8_t code[] = {
		0xf3, 0x0f, 0x7e, 0xc1, /* movq xmm0,xmm1 */
		0xf3, 0x0f, 0x7e, 0x16, /* movq xmm2,qword ptr [rsi] */
		0x66, 0x0f, 0xd6, 0x4e, 0x10, /* movq qword ptr [rsi+0x10],xmm1 */
		0xf4, /* hlt */
	};
	/* F3 0F 7E (load/reg) and 66 0F D6 (store/reg). */
	static const uint8_t d6[] = {
		0x66, 0x0f, 0xd6, 0xcb, /* movq xmm3,xmm1 */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_q(FX_DATA, 0x77, 0x88);
	poke_q(FX_DATA + 16, ~0ull, ~0ull);
	set_q(0, 1, 1);
	set_q(1, 0xABCDull, 0x99);
	set_q(2, 1, 1);
	RUN(code);
	ASSERT_Q(0, 0xABCD, 0);
	ASSERT_Q(2, 0x77, 0);
	cr_assert_eq(fx_peek(fx, FX_DATA + 16, 8), 0xABCD);
	cr_assert_eq(fx_peek(fx, FX_DATA + 24, 8), ~0ull);
	set_q(1, 0x5555, 0x6666); /* movq xmm3, xmm1 via 66 0F D6 /r */
	set_q(3, 9, 9);
	RUN(d6);
	ASSERT_Q(3, 0x5555, 0);
}

Test(sse, movd_movq_between_gprs_and_xmm)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0x6e, 0xc0, /* movd xmm0,eax */
		0x66, 0x48, 0x0f, 0x6e, 0xcb, /* movq xmm1,rbx */
		0x66, 0x0f, 0x7e, 0xc9, /* movd ecx,xmm1 */
		0x66, 0x48, 0x0f, 0x7e, 0xca, /* movq rdx,xmm1 */
		0x66, 0x0f, 0x7e, 0x0e, /* movd dword ptr [rsi],xmm1 */
		0x66, 0x0f, 0x6e, 0x56, 0x08, /* movd xmm2,dword ptr [rsi+0x8] */
		0xf4, /* hlt */
	};
	REG(RAX) = 0xFFFFFFFF80000001ull;
	REG(RBX) = 0x8877665544332211ull;
	REG(RCX) = ~0ull;
	REG(RSI) = FX_DATA;
	poke_q(FX_DATA, ~0ull, 0x12345678AABBCCDDull);
	set_q(0, ~0ull, ~0ull);
	set_q(2, ~0ull, ~0ull);
	RUN(code);
	ASSERT_Q(0, 0x80000001ull, 0);
	ASSERT_Q(1, 0x8877665544332211ull, 0);
	cr_assert_eq(REG(RCX), 0x44332211ull);
	cr_assert_eq(REG(RDX), 0x8877665544332211ull);
	cr_assert_eq(fx_peek(fx, FX_DATA, 8), 0xFFFFFFFF44332211ull);
	ASSERT_Q(2, 0xAABBCCDDull, 0);
}

Test(sse, half_moves_pick_the_right_quadwords)
{
	static const uint8_t code[] = {
		0x0f, 0x12, 0x06, /* movlps xmm0,qword ptr [rsi] */
		0x0f, 0x16, 0x0e, /* movhps xmm1,qword ptr [rsi] */
		0x0f, 0x12, 0xd3, /* movhlps xmm2,xmm3 */
		0x0f, 0x16, 0xe3, /* movlhps xmm4,xmm3 */
		0x66, 0x0f, 0x17, 0x5e, 0x10, /* movhpd qword ptr [rsi+0x10],xmm3 */
		0x66, 0x0f, 0x12, 0x6e, 0x08, /* movlpd xmm5,qword ptr [rsi+0x8] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	poke_q(FX_DATA, 0x1111, 0x2222);
	set_q(0, 0xA, 0xB);
	set_q(1, 0xA, 0xB);
	set_q(2, 0xA, 0xB);
	set_q(3, 0x33, 0x44);
	set_q(4, 0xA, 0xB);
	set_q(5, 0xA, 0xB);
	RUN(code);
	ASSERT_Q(0, 0x1111, 0xB);
	ASSERT_Q(1, 0xA, 0x1111);
	ASSERT_Q(2, 0x44, 0xB);
	ASSERT_Q(4, 0xA, 0x33);
	cr_assert_eq(fx_peek(fx, FX_DATA + 16, 8), 0x44);
	ASSERT_Q(5, 0x2222, 0xB);
}

Test(sse, movlpd_with_a_register_operand_is_undefined)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0x12, /* (bad) */
		0xc1, /* .byte 0xc1 */
		0xf4, /* hlt */
	};
	FAULT(code, EXC_UD, 0);
}

Test(sse, movmsk_collects_sign_bits_zero_extended)
{
	static const uint8_t code[] = {
		0x0f, 0x50, 0xc0, /* movmskps eax,xmm0 */
		0x66, 0x0f, 0x50, 0xd8, /* movmskpd ebx,xmm0 */
		0x66, 0x0f, 0xd7, 0xc9, /* pmovmskb ecx,xmm1 */
		0xf4, /* hlt */
	};
	set_d(0, 0x80000000u, 0x80000001u, 0xFFFFFFFFu, 0x7FFFFFFFu);
	set_q(1, 0x8000000000000080ull, 0xFF00000000000001ull);
	REG(RAX) = REG(RBX) = REG(RCX) = ~0ull;
	RUN(code);
	cr_assert_eq(REG(RAX), 0x7);
	cr_assert_eq(REG(RBX), 0x1);
	cr_assert_eq(REG(RCX), 0x8081);
}

Test(sse, maskmovdqu_stores_only_selected_bytes_at_rdi)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0xf7, 0xc1, /* maskmovdqu xmm0,xmm1 */
		0xf4, /* hlt */
	};
	REG(RDI) = FX_DATA + 5;
	poke_q(FX_DATA, 0, 0);
	poke_q(FX_DATA + 16, 0, 0);
	set_q(0, 0x0807060504030201ull, 0x100F0E0D0C0B0A09ull);
	set_q(1, 0x00000000800000FFull, 0x8000000000000000ull);
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA, 8), 0x0000010000000000ull);
	cr_assert_eq(fx_peek(fx, FX_DATA + 8, 8), 0x04);
	cr_assert_eq(fx_peek(fx, FX_DATA + 16, 8), 0x0000001000000000ull);
}

Test(sse, movntdq_needs_memory_and_alignment)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0xe7, 0x1e, /* movntdq xmmword ptr [rsi],xmm3 */
		0x0f, 0x2b, 0x5e, 0x10, /* movntps xmmword ptr [rsi+0x10],xmm3 */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	set_q(3, 0x5A5A, 0xA5A5);
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 8, 8), 0xA5A5);
	cr_assert_eq(fx_peek(fx, FX_DATA + 16, 8), 0x5A5A);
}

/* ---- shuffles, inserts, extracts ---------------------------------------- */

Test(sse, pshufd_pshufhw_pshuflw_select_by_imm8)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0x70, 0xc8, 0x1b, /* pshufd xmm1,xmm0,0x1b */
		0xf3, 0x0f, 0x70, 0xd0, 0x1b, /* pshufhw xmm2,xmm0,0x1b */
		0xf2, 0x0f, 0x70, 0xd8, 0x1b, /* pshuflw xmm3,xmm0,0x1b */
		0xf4, /* hlt */
	};
	set_d(0, 0x00010000, 0x00030002, 0x00050004, 0x00070006);
	RUN(code);
	cr_assert_eq(X(1).d[0], 0x00070006);
	cr_assert_eq(X(1).d[3], 0x00010000);
	ASSERT_Q(2, 0x0003000200010000ull, 0x0004000500060007ull);
	ASSERT_Q(3, 0x0000000100020003ull, 0x0007000600050004ull);
}

Test(sse, shufps_and_shufpd_take_low_from_dest_high_from_source)
{
	static const uint8_t code[] = {
		0x0f, 0xc6, 0xc1, 0xe4, /* shufps xmm0,xmm1,0xe4 */
		0x66, 0x0f, 0xc6, 0xd3, 0x01, /* shufpd xmm2,xmm3,0x1 */
		0xf4, /* hlt */
	};
	set_d(0, 1, 2, 3, 4);
	set_d(1, 5, 6, 7, 8);
	set_q(2, 10, 11);
	set_q(3, 12, 13);
	RUN(code);
	cr_assert_eq(X(0).d[0], 1);
	cr_assert_eq(X(0).d[1], 2);
	cr_assert_eq(X(0).d[2], 7);
	cr_assert_eq(X(0).d[3], 8);
	ASSERT_Q(2, 11, 12);
}

Test(sse, pinsrw_and_pextrw_use_imm_mod_8)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0xc4, 0xc0, 0x0a, /* pinsrw xmm0,eax,0xa */
		0x66, 0x0f, 0xc4, 0x06, 0x07, /* pinsrw xmm0,word ptr [rsi],0x7 */
		0x66, 0x0f, 0xc5, 0xd8, 0x02, /* pextrw ebx,xmm0,0x2 */
		0xf4, /* hlt */
	};
	set_q(0, 0, 0);
	REG(RAX) = 0x12345678;
	REG(RSI) = FX_DATA;
	poke_q(FX_DATA, 0xBEEF, 0);
	REG(RBX) = ~0ull;
	RUN(code);
	ASSERT_Q(0, 0x0000567800000000ull, 0xBEEF000000000000ull);
	cr_assert_eq(REG(RBX), 0x5678);
}

/* ---- packed integer ---------------------------------------------------- */

Test(sse, paddb_wraps_paddsw_and_paddusb_saturate)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0xfc, 0xc1, /* paddb xmm0,xmm1 */
		0x66, 0x0f, 0xed, 0xd3, /* paddsw xmm2,xmm3 */
		0x66, 0x0f, 0xdc, 0xe5, /* paddusb xmm4,xmm5 */
		0x66, 0x0f, 0xd4, 0xf7, /* paddq xmm6,xmm7 */
		0xf4, /* hlt */
	};
	set_q(0, 0xFF7F, 0);
	set_q(1, 0x0101, 0);
	set_q(2, 0x80007FFFull, 0);
	set_q(3, 0xFFFF0001ull, 0);
	set_q(4, 0xF0, 0);
	set_q(5, 0x20, 0);
	set_q(6, ~0ull, 1);
	set_q(7, 1, 1);
	RUN(code);
	cr_assert_eq(X(0).q[0], 0x0080);
	cr_assert_eq(X(2).q[0], 0x80007FFFull);
	cr_assert_eq(X(4).q[0], 0xFF);
	ASSERT_Q(6, 0, 2);
}

Test(sse, psubusb_floors_at_zero_psubsb_saturates)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0xd8, 0xc1, /* psubusb xmm0,xmm1 */
		0x66, 0x0f, 0xe8, 0xd3, /* psubsb xmm2,xmm3 */
		0x66, 0x0f, 0xfb, 0xe5, /* psubq xmm4,xmm5 */
		0xf4, /* hlt */
	};
	set_q(0, 0x1005, 0);
	set_q(1, 0x0510, 0);
	set_q(2, 0x7F80, 0);
	set_q(3, 0x8001, 0);
	set_q(4, 0, 0);
	set_q(5, 1, 0);
	RUN(code);
	cr_assert_eq(X(0).q[0], 0x0B00);
	cr_assert_eq(X(2).q[0], 0x7F80);
	ASSERT_Q(4, ~0ull, 0);
}

Test(sse, pcmpeq_and_signed_pcmpgt_give_lane_masks)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0x74, 0xc1, /* pcmpeqb xmm0,xmm1 */
		0x66, 0x0f, 0x65, 0xd3, /* pcmpgtw xmm2,xmm3 */
		0x66, 0x0f, 0x66, 0xe5, /* pcmpgtd xmm4,xmm5 */
		0xf4, /* hlt */
	};
	set_q(0, 0x0102030405060708ull, 0);
	set_q(1, 0x0100030005000700ull, 0);
	set_q(2, 0x0001FFFF, 0);
	set_q(3, 0xFFFF0000, 0);
	set_d(4, 5, 0x80000000u, 0, 0);
	set_d(5, 4, 0, 0, 0);
	RUN(code);
	cr_assert_eq(X(0).q[0], 0xFF00FF00FF00FF00ull);
	cr_assert_eq(X(0).q[1], ~0ull);
	cr_assert_eq(X(2).q[0], 0x00000000FFFF0000ull);
	cr_assert_eq(X(4).d[0], 0xFFFFFFFFu);
	cr_assert_eq(X(4).d[1], 0);
}

Test(sse, logic_ops_including_pandn_and_andnps)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0xdb, 0xc4, /* pand xmm0,xmm4 */
		0x66, 0x0f, 0xeb, 0xcc, /* por xmm1,xmm4 */
		0x66, 0x0f, 0xef, 0xd4, /* pxor xmm2,xmm4 */
		0x66, 0x0f, 0xdf, 0xdc, /* pandn xmm3,xmm4 */
		0x0f, 0x55, 0xec, /* andnps xmm5,xmm4 */
		0x0f, 0x57, 0xf6, /* xorps xmm6,xmm6 */
		0xf4, /* hlt */
	};
	for (int i = 0; i < 4; i++)
		set_q(i, 0xFF00FF00FF00FF00ull, 0x0F0F0F0F0F0F0F0Full);
	set_q(4, 0xFFFF0000FFFF0000ull, 0);
	set_q(5, 0xFF00FF00FF00FF00ull, 0x0F0F0F0F0F0F0F0Full);
	set_q(6, 123, 456);
	RUN(code);
	ASSERT_Q(0, 0xFF000000FF000000ull, 0);
	ASSERT_Q(1, 0xFFFFFF00FFFFFF00ull, 0x0F0F0F0F0F0F0F0Full);
	ASSERT_Q(2, 0x00FFFF0000FFFF00ull, 0x0F0F0F0F0F0F0F0Full);
	ASSERT_Q(3, 0x00FF000000FF0000ull, 0);
	ASSERT_Q(5, 0x00FF000000FF0000ull, 0);
	ASSERT_Q(6, 0, 0);
}

Test(sse, unpack_interleaves_low_and_high_halves)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0x60, 0xc1, /* punpcklbw xmm0,xmm1 */
		0x66, 0x0f, 0x6d, 0xd3, /* punpckhqdq xmm2,xmm3 */
		0x0f, 0x14, 0xe5, /* unpcklps xmm4,xmm5 */
		0x66, 0x0f, 0x15, 0xf7, /* unpckhpd xmm6,xmm7 */
		0xf4, /* hlt */
	};
	set_q(0, 0x0706050403020100ull, 0);
	set_q(1, 0x1716151413121110ull, 0);
	set_q(2, 1, 2);
	set_q(3, 3, 4);
	set_d(4, 1, 2, 3, 4);
	set_d(5, 5, 6, 7, 8);
	set_q(6, 1, 2);
	set_q(7, 3, 4);
	RUN(code);
	ASSERT_Q(0, 0x1303120211011000ull, 0x1707160615051404ull);
	ASSERT_Q(2, 2, 4);
	cr_assert_eq(X(4).d[0], 1);
	cr_assert_eq(X(4).d[1], 5);
	cr_assert_eq(X(4).d[2], 2);
	cr_assert_eq(X(4).d[3], 6);
	ASSERT_Q(6, 2, 4);
}

Test(sse, packs_saturate_signed_and_unsigned)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0x63, 0xc1, /* packsswb xmm0,xmm1 */
		0x66, 0x0f, 0x67, 0xd3, /* packuswb xmm2,xmm3 */
		0x66, 0x0f, 0x6b, 0xe5, /* packssdw xmm4,xmm5 */
		0xf4, /* hlt */
	};
	set_q(0, 0x8000007F0080FF80ull, 0x0001000200030004ull);
	set_q(1, 0, 0);
	set_q(2, 0xFFFF0100007F0080ull, 0);
	set_q(3, 0, 0);
	set_d(4, 70000, 0xFFFF0000u, 5, 0xFFFFFFFFu);
	set_q(5, 0, 0);
	RUN(code);
	cr_assert_eq(X(0).q[0], 0x01020304807F7F80ull);
	cr_assert_eq(X(2).q[0], 0x00FF7F80ull);
	cr_assert_eq(X(4).q[0], 0xFFFF000580007FFFull);
}

Test(sse, multiplies_low_high_unsigned_and_madd)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0xd5, 0xc1, /* pmullw xmm0,xmm1 */
		0x66, 0x0f, 0xe5, 0xd1, /* pmulhw xmm2,xmm1 */
		0x66, 0x0f, 0xe4, 0xd9, /* pmulhuw xmm3,xmm1 */
		0x66, 0x0f, 0xf4, 0xe5, /* pmuludq xmm4,xmm5 */
		0x66, 0x0f, 0xf5, 0xf7, /* pmaddwd xmm6,xmm7 */
		0xf4, /* hlt */
	};
	set_q(0, 0x7FFF8000ull, 0);
	set_q(1, 0x00028000ull, 0);
	set_q(2, 0x7FFF8000ull, 0);
	set_q(3, 0x7FFF8000ull, 0);
	set_d(4, 0xFFFFFFFFu, 7, 3, 9);
	set_d(5, 0xFFFFFFFFu, 8, 5, 9);
	set_q(6, 0x0003000280007FFFull, 0);
	set_q(7, 0x0005000480007FFFull, 0);
	RUN(code);
	cr_assert_eq(X(0).q[0], 0xFFFE0000ull);
	cr_assert_eq(X(2).q[0], 0x00004000ull);
	cr_assert_eq(X(3).q[0], 0x00004000ull);
	ASSERT_Q(4, 0xFFFFFFFE00000001ull, 15);
	cr_assert_eq(X(6).d[0], 0x7FFF0001u);
	cr_assert_eq(X(6).d[1], 23);
}

Test(sse, min_max_average_and_sad)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0xda, 0xc1, /* pminub xmm0,xmm1 */
		0x66, 0x0f, 0xee, 0xd3, /* pmaxsw xmm2,xmm3 */
		0x66, 0x0f, 0xe0, 0xe5, /* pavgb xmm4,xmm5 */
		0x66, 0x0f, 0xf6, 0xf7, /* psadbw xmm6,xmm7 */
		0xf4, /* hlt */
	};
	set_q(0, 0x80FF, 0);
	set_q(1, 0x7F01, 0);
	set_q(2, 0x8000FFFF, 0);
	set_q(3, 0x7FFF0001, 0);
	set_q(4, 0x0100, 0);
	set_q(5, 0x0201, 0);
	set_q(6, 0x00FF000000000010ull, 0x0102ull);
	set_q(7, 0x0000FF0000000001ull, 0x0201ull);
	RUN(code);
	cr_assert_eq(X(0).q[0], 0x7F01);
	cr_assert_eq(X(2).q[0], 0x7FFF0001);
	cr_assert_eq(X(4).q[0], 0x0201);
	ASSERT_Q(6, 0xFF + 0xFF + 0x0F, 2);
}

Test(sse, shifts_by_register_count_clear_or_fill_past_the_width)
{
	static const uint8_t code[] = {
		0x66, 0x41, 0x0f, 0xf1, 0xc0, /* psllw xmm0,xmm8 */
		0x66, 0x41, 0x0f, 0xd1, 0xc9, /* psrlw xmm1,xmm9 */
		0x66, 0x41, 0x0f, 0xe1, 0xd1, /* psraw xmm2,xmm9 */
		0x66, 0x41, 0x0f, 0xd3, 0xd8, /* psrlq xmm3,xmm8 */
		0x66, 0x41, 0x0f, 0xe2, 0xe2, /* psrad xmm4,xmm10 */
		0xf4, /* hlt */
	};
	set_q(0, 0x00010003ull, 0);
	set_q(1, 0xFFFF, 0);
	set_q(2, 0x80007FFFull, 0);
	set_q(3, 0x10, 0x100);
	set_d(4, 0x80000000u, 0x40000000u, 0, 0);
	set_q(8, 3, 0);
	set_q(9, 16, 0);
	set_q(10, 0x100000000ull, 0); /* the whole low quadword is the count */
	RUN(code);
	cr_assert_eq(X(0).q[0], 0x00080018ull);
	cr_assert_eq(X(1).q[0], 0);
	cr_assert_eq(X(2).q[0], 0xFFFF0000ull);
	ASSERT_Q(3, 2, 0x20);
	cr_assert_eq(X(4).d[0], 0xFFFFFFFFu);
	cr_assert_eq(X(4).d[1], 0);
}

Test(sse, shifts_by_immediate_groups_12_13_14)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0x71, 0xd0, 0x04, /* psrlw xmm0,0x4 */
		0x66, 0x0f, 0x71, 0xe1, 0x0f, /* psraw xmm1,0xf */
		0x66, 0x0f, 0x72, 0xf2, 0x1f, /* pslld xmm2,0x1f */
		0x66, 0x0f, 0x72, 0xe3, 0x28, /* psrad xmm3,0x28 */
		0x66, 0x0f, 0x73, 0xf4, 0x40, /* psllq xmm4,0x40 */
		0x66, 0x0f, 0x73, 0xfd, 0x03, /* pslldq xmm5,0x3 */
		0x66, 0x0f, 0x73, 0xde, 0x11, /* psrldq xmm6,0x11 */
		0x66, 0x0f, 0x73, 0xd7, 0x01, /* psrlq xmm7,0x1 */
		0xf4, /* hlt */
	};
	set_q(0, 0xFFF0, 0);
	set_q(1, 0x8000, 0);
	set_d(2, 1, 2, 3, 0);
	set_d(3, 0x80000000u, 5, 0, 0);
	set_q(4, 5, 5);
	set_q(5, 0x0706050403020100ull, 0x0F0E0D0C0B0A0908ull);
	set_q(6, 1, 1);
	set_q(7, 2, 4);
	RUN(code);
	cr_assert_eq(X(0).q[0], 0x0FFF);
	cr_assert_eq(X(1).q[0], 0xFFFF);
	cr_assert_eq(X(2).d[0], 0x80000000u);
	cr_assert_eq(X(2).d[1], 0);
	cr_assert_eq(X(3).d[0], 0xFFFFFFFFu);
	cr_assert_eq(X(3).d[1], 0);
	ASSERT_Q(4, 0, 0);
	ASSERT_Q(5, 0x0403020100000000ull, 0x0C0B0A0908070605ull);
	ASSERT_Q(6, 0, 0);
	ASSERT_Q(7, 1, 2);
}

/* ---- floating point ---------------------------------------------------- */

Test(sse, addps_and_scalar_forms_keep_the_upper_lanes)
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

Test(sse, inexact_result_sets_pe_under_the_default_mask)
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

Test(sse, divide_by_zero_masked_gives_infinity_and_ze)
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

Test(sse, unmasked_divide_by_zero_raises_xm_and_keeps_the_destination)
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

Test(sse, unmasked_exception_without_osxmmexcpt_raises_ud)
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

Test(sse, unmasked_underflow_traps_on_an_exact_tiny_result)
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

Test(sse, masked_exact_tiny_result_raises_no_flag)
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

Test(sse, ftz_flushes_tiny_results_and_daz_reads_denormals_as_zero)
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

Test(sse, denormal_operand_sets_de_without_daz)
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

Test(sse, sqrt_of_negative_gives_default_nan_and_ie)
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

Test(sse, min_max_return_the_second_operand_for_nan_and_zeros)
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

Test(sse, qnan_propagation_takes_the_first_source)
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

Test(sse, snan_is_quieted_and_raises_ie)
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

Test(sse, rcpps_and_rsqrtss_are_within_1_5_ulp_of_12_bits)
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

Test(sse, cmpps_predicates_give_lane_masks)
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

Test(sse, comisd_sets_zf_pf_cf_and_clears_of_sf_af)
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

Test(sse, ucomiss_with_qnan_is_unordered_without_ie)
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

Test(sse, cvtsd2si_rounds_by_mxcsr_rc)
{
	cr_assert_eq(cvtsd2si_under(M_DEFAULT, 2.5), 2);
	cr_assert_eq(cvtsd2si_under(M_DEFAULT, 3.5), 4);
	cr_assert_eq(cvtsd2si_under(M_DEFAULT | M_RC_DOWN, -2.5), -3);
	cr_assert_eq(cvtsd2si_under(M_DEFAULT | M_RC_UP, 2.1), 3);
	cr_assert_eq(cvtsd2si_under(M_DEFAULT | M_RC_ZERO, -2.9), -2);
	cr_assert_eq(CPU->mxcsr & 0x3F, M_PE);
}

Test(sse, out_of_range_conversions_give_the_integer_indefinite)
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

Test(sse, cvtsi2sd_with_rex_w_converts_64_bits_and_rounds)
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

Test(sse, float_double_conversions_place_lanes)
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

Test(sse, integer_vector_conversions)
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

Test(sse, cvtpi2ps_with_an_mmx_register_is_undefined)
{
	static const uint8_t code[] = {
		0x0f, 0x2a, 0xc1, /* cvtpi2ps xmm0,mm1 */
		0xf4, /* hlt */
	};
	FAULT(code, EXC_UD, 0);
}

/* ---- MXCSR --------------------------------------------------------------- */

Test(sse, ldmxcsr_reserved_bit_raises_gp_stmxcsr_stores)
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

Test(sse, fxsave_image_layout)
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

Test(sse, fxsave_fxrstor_round_trip)
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

Test(sse, fxsave_misaligned_raises_gp)
{
	static const uint8_t code[] = {
		0x0f, 0xae, 0x06, /* fxsave [rsi] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA + 8;
	FAULT(code, EXC_GP, 0);
}

Test(sse, fxrstor_with_reserved_mxcsr_bits_raises_gp_and_changes_nothing)
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

Test(sse, fxsave_with_ts_raises_nm)
{
	static const uint8_t code[] = {
		0x0f, 0xae, 0x06, /* fxsave [rsi] */
		0xf4, /* hlt */
	};
	REG(RSI) = FX_DATA;
	CPU->cr0 |= CR0_TS;
	FAULT(code, EXC_NM, 0);
}

Test(sse, fxsave64_stores_64_bit_instruction_and_data_pointers)
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

Test(sse, fxsave_in_32_bit_mode_saves_eight_xmm_registers)
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
