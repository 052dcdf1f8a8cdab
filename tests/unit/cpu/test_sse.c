/*
 * tests/unit/cpu/test_sse.c — SSE/SSE2 data movement and packed integer
 * operations (cpu/ops_sse.c, ops_sse_mov.c, ops_sse_int.c, optab_fp.c):
 * literal instruction bytes (assembled with GNU as; the listing is in the
 * comments) run in the fixture machine, results checked against the Intel
 * SDM: the CR0/CR4 gates, MMX/SSE3 forms (#UD), moves and their
 * zero-extension/merge rules, 16-byte alignment (#GP), masks, shuffles,
 * inserts/extracts, wrap-around and saturating arithmetic, compares,
 * unpacks, packs, multiplies, min/max/average/SAD and every shift form.
 * Floating point, conversions, MXCSR and FXSAVE are in test_sse_fp.c.
 */
#include "tests/unit/cpu/fp_fixture.h"

TestSuite(sse, .init = setup64, .fini = teardown);

/* ---- gating: CR0.EM, CR0.TS, CR4.OSFXSR ------------------------------ */

static const uint8_t addps_code[] = {
		0x0f, 0x58, 0xc1, /* addps xmm0,xmm1 */
		0xf4, /* hlt */
};

Test(sse, fixture_enables_sse_and_reset_mxcsr_is_1f80)
{
	cr_assert(CPU->cr4 & CR4_OSFXSR);
	cr_assert_eq(CPU->mxcsr, 0x1F80);
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
