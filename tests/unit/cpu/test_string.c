/*
 * tests/unit/cpu/test_string.c — string instructions (cpu/ops_string.c):
 * MOVS/STOS/LODS/CMPS/SCAS/INS/OUTS at every element size, REP/REPE/REPNE,
 * RCX = 0, DF = 1, 16/32-bit address sizes, segment overrides, long runs
 * that cross pages and the per-call iteration cap, interruption by the
 * cycle budget, overlapping copies, and a fault part-way through a REP
 * that must leave the completed iterations visible (SDM Vol. 2B MOVS..
 * OUTS, REP; Vol. 1 §7.3.9).
 */
#include <criterion/criterion.h>
#include <string.h>

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

TestSuite(string, .init = setup64, .fini = teardown);

static void run_ok(const uint8_t *code, size_t len)
{
	struct cpu_exit ex = fx_exec(fx, code, len);

	cr_assert_eq(ex.reason, CPU_EXIT_HLT, "exit reason %d", ex.reason);
	cr_assert_eq(fx_vector(fx), -1, "took exception %d", fx_vector(fx));
	cr_assert_eq(fx->cpu->rip, FX_CODE + len);
}

#define RUN(code) run_ok(code, sizeof(code))
#define REG(r) (fx->cpu->gpr[r])
#define SRC (FX_DATA + 0x100)
#define DST (FX_DATA + 0x8000)

enum { FR_ERR, FR_RIP, FR_CS, FR_RFLAGS, FR_RSP, FR_SS };

/* Fill guest memory with a byte pattern that depends on the address. */
static void fill_pattern(uint64_t gpa, size_t len, uint8_t seed)
{
	uint8_t buf[256];

	for (size_t done = 0; done < len; done += sizeof(buf)) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)(seed + 7 * (done + i) + 1);
		fx_poke(fx, gpa + done, buf, n);
	}
}

static bool same_bytes(uint64_t a, uint64_t b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (fx_peek(fx, a + i, 1) != fx_peek(fx, b + i, 1))
			return false;
	return true;
}

static uint64_t arith_flags(void)
{
	return cpu_get_rflags(fx->cpu) & RF_ARITH;
}

/* ---- MOVS --------------------------------------------------------------- */

Test(string, rep_movsb_copies_and_advances)
{
	static const uint8_t code[] = {0xf3, 0xa4, 0xf4}; /* rep movsb */

	fill_pattern(SRC, 100, 3);
	REG(RSI) = SRC;
	REG(RDI) = DST;
	REG(RCX) = 100;
	RUN(code);
	cr_assert(same_bytes(SRC, DST, 100));
	cr_assert_eq(fx_peek(fx, DST + 100, 1), 0, "one byte too many");
	cr_assert_eq(REG(RCX), 0);
	cr_assert_eq(REG(RSI), SRC + 100);
	cr_assert_eq(REG(RDI), DST + 100);
}

Test(string, rep_movsq_moves_qwords)
{
	static const uint8_t code[] = {0xf3, 0x48, 0xa5, 0xf4}; /* rep movsq */

	fill_pattern(SRC, 128, 9);
	REG(RSI) = SRC;
	REG(RDI) = DST + 4; /* unaligned destination */
	REG(RCX) = 16;
	RUN(code);
	cr_assert(same_bytes(SRC, DST + 4, 128));
	cr_assert_eq(REG(RSI), SRC + 128);
	cr_assert_eq(REG(RDI), DST + 4 + 128);
}

/* Intel hardware, measured: a REP with a 32-bit address size in 64-bit
 * mode and ECX = 0 still writes ECX (and ESI/EDI for MOVS, EDI for STOS)
 * as 32-bit registers, clearing their upper halves. */
Test(string, rep_a32_with_zero_ecx_zero_extends_the_registers_it_names)
{
	static const struct {
		uint8_t op;
		bool si, di;
	} cases[] = {
		{0xA4, true, true},   /* movsb */
		{0xAA, false, true},  /* stosb */
		{0xAC, false, false}, /* lodsb */
		{0xAE, false, false}, /* scasb */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const uint8_t code[] = {0x67, 0xF3, cases[i].op, 0xF4};
		uint64_t up = 0xABCD000000000000ull;
		REG(RCX) = up;
		REG(RSI) = up | SRC;
		REG(RDI) = up | DST;
		RUN(code);
		cr_assert_eq(0, REG(RCX), "case %zu: RCX", i);
		cr_assert_eq(cases[i].si ? SRC : (up | SRC), REG(RSI),
			     "case %zu: RSI", i);
		cr_assert_eq(cases[i].di ? DST : (up | DST), REG(RDI),
			     "case %zu: RDI", i);
	}
}

Test(string, movsw_without_rep_moves_one_element_and_keeps_rcx)
{
	static const uint8_t code[] = {0x66, 0xa5, 0xf4}; /* movsw */

	fill_pattern(SRC, 4, 1);
	REG(RSI) = SRC;
	REG(RDI) = DST;
	REG(RCX) = 77;
	RUN(code);
	cr_assert_eq(fx_peek(fx, DST, 2), fx_peek(fx, SRC, 2));
	cr_assert_eq(fx_peek(fx, DST + 2, 1), 0);
	cr_assert_eq(REG(RCX), 77);
	cr_assert_eq(REG(RSI), SRC + 2);
}

Test(string, rep_with_rcx_zero_does_nothing)
{
	static const uint8_t code[] = {0xf3, 0xa4, 0xf4}; /* rep movsb */

	fill_pattern(SRC, 16, 5);
	REG(RSI) = SRC;
	REG(RDI) = DST;
	REG(RCX) = 0;
	RUN(code);
	cr_assert_eq(fx_peek(fx, DST, 8), 0);
	cr_assert_eq(REG(RSI), SRC);
	cr_assert_eq(REG(RDI), DST);
}

Test(string, repe_cmps_with_rcx_zero_leaves_flags)
{
	static const uint8_t code[] = {0xf3, 0xa6, 0xf4}; /* repe cmpsb */

	fx->cpu->rflags = RF_FIXED1 | RF_CF | RF_ZF;
	fx->cpu->lf.op = LF_NONE;
	REG(RCX) = 0;
	REG(RSI) = SRC;
	REG(RDI) = DST;
	RUN(code);
	cr_assert_eq(arith_flags(), RF_CF | RF_ZF);
}

Test(string, df_set_copies_backwards)
{
	static const uint8_t code[] = {
		0xfd,       /* std */
		0xf3, 0xa4, /* rep movsb */
		0xfc,       /* cld */
		0xf4,
	};
	fill_pattern(SRC, 10, 11);
	REG(RSI) = SRC + 9;
	REG(RDI) = DST + 9;
	REG(RCX) = 10;
	RUN(code);
	cr_assert(same_bytes(SRC, DST, 10));
	cr_assert_eq(REG(RSI), SRC - 1);
	cr_assert_eq(REG(RDI), DST - 1);
	cr_assert_eq(fx_peek(fx, DST - 1, 1), 0);
}

Test(string, df_set_stosq_fills_downwards)
{
	static const uint8_t code[] = {
		0xfd,             /* std */
		0xf3, 0x48, 0xab, /* rep stosq */
		0xf4,
	};
	REG(RAX) = 0x0102030405060708ull;
	REG(RDI) = DST + 24;
	REG(RCX) = 4;
	RUN(code);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(fx_peek(fx, DST + 8 * (uint64_t)i, 8),
			     0x0102030405060708ull);
	cr_assert_eq(REG(RDI), DST - 8);
}

/* ---- overlap ------------------------------------------------------------- */

Test(string, overlapping_forward_movsb_replicates_the_first_byte)
{
	static const uint8_t code[] = {0xf3, 0xa4, 0xf4};

	fx_poke(fx, SRC, "A", 1);
	REG(RSI) = SRC;
	REG(RDI) = SRC + 1;
	REG(RCX) = 64;
	RUN(code);
	for (int i = 0; i <= 64; i++)
		cr_assert_eq(fx_peek(fx, SRC + (uint64_t)i, 1), 'A', "byte %d",
			     i);
}

Test(string, overlapping_movsd_moves_element_by_element)
{
	static const uint8_t code[] = {0xf3, 0xa5, 0xf4}; /* rep movsd */
	uint8_t ref[32];

	fill_pattern(SRC, sizeof(ref), 21);
	for (size_t i = 0; i < sizeof(ref); i++)
		ref[i] = (uint8_t)fx_peek(fx, SRC + i, 1);
	/* Reference: dword i is read, then written 2 bytes higher. */
	for (int i = 0; i < 5; i++)
		memmove(ref + 2 + 4 * i, ref + 4 * i, 4);
	REG(RSI) = SRC;
	REG(RDI) = SRC + 2;
	REG(RCX) = 5;
	RUN(code);
	for (size_t i = 0; i < sizeof(ref); i++)
		cr_assert_eq(fx_peek(fx, SRC + i, 1), ref[i], "byte %zu", i);
}

Test(string, backward_overlap_copy_with_dst_below_src)
{
	static const uint8_t code[] = {0xf3, 0xa4, 0xf4};
	uint8_t ref[40];

	fill_pattern(SRC, sizeof(ref), 2);
	for (size_t i = 0; i < sizeof(ref); i++)
		ref[i] = (uint8_t)fx_peek(fx, SRC + i, 1);
	for (int i = 0; i < 32; i++)
		ref[i] = ref[i + 8];
	REG(RSI) = SRC + 8;
	REG(RDI) = SRC;
	REG(RCX) = 32;
	RUN(code);
	for (size_t i = 0; i < sizeof(ref); i++)
		cr_assert_eq(fx_peek(fx, SRC + i, 1), ref[i], "byte %zu", i);
}

/* ---- STOS / LODS ----------------------------------------------------- */

Test(string, rep_stosd_fills_and_stosb_stores_one_byte)
{
	static const uint8_t code[] = {
		0xf3, 0xab, /* rep stosd */
		0xaa,       /* stosb */
		0xf4,
	};
	REG(RAX) = 0x11223344;
	REG(RDI) = DST;
	REG(RCX) = 3;
	RUN(code);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(fx_peek(fx, DST + 4 * (uint64_t)i, 4), 0x11223344);
	cr_assert_eq(fx_peek(fx, DST + 12, 2), 0x44);
	cr_assert_eq(REG(RDI), DST + 13);
	cr_assert_eq(REG(RCX), 0);
}

Test(string, lods_sizes_merge_or_zero_extend)
{
	static const uint8_t code[] = {
		0xac,       /* lodsb */
		0x48, 0x89, 0xc3, /* mov rbx,rax */
		0x48, 0xad, /* lodsq */
		0x48, 0x89, 0xc1, /* mov rcx,rax */
		0xad,       /* lodsd */
		0xf4,
	};
	fx_poke(fx, SRC, "\x5A\x01\x02\x03\x04\x05\x06\x07\x08\xF1\xF2\xF3\xF4",
		13);
	REG(RAX) = 0xFFFFFFFFFFFFFFFFull;
	REG(RSI) = SRC;
	RUN(code);
	cr_assert_eq(REG(RBX), 0xFFFFFFFFFFFFFF5Aull);
	cr_assert_eq(REG(RCX), 0x0807060504030201ull);
	cr_assert_eq(REG(RAX), 0xF4F3F2F1ull);
	cr_assert_eq(REG(RSI), SRC + 13);
}

/* ---- CMPS / SCAS ---------------------------------------------------- */

Test(string, repe_cmpsb_stops_after_first_difference)
{
	static const uint8_t code[] = {0xf3, 0xa6, 0xf4}; /* repe cmpsb */

	fx_poke(fx, SRC, "hello world", 11);
	fx_poke(fx, DST, "hello World", 11);
	REG(RSI) = SRC;
	REG(RDI) = DST;
	REG(RCX) = 11;
	RUN(code);
	cr_assert_eq(REG(RCX), 11 - 7);
	cr_assert_eq(REG(RSI), SRC + 7);
	cr_assert_eq(REG(RDI), DST + 7);
	/* 'w' - 'W' = 0x20: no borrow, not zero, positive. */
	cr_assert_eq(arith_flags() & (RF_ZF | RF_CF | RF_SF), 0);
}

Test(string, repe_cmpsb_equal_strings_run_to_the_end_with_zf)
{
	static const uint8_t code[] = {0xf3, 0xa6, 0xf4};

	fx_poke(fx, SRC, "abcdef", 6);
	fx_poke(fx, DST, "abcdef", 6);
	REG(RSI) = SRC;
	REG(RDI) = DST;
	REG(RCX) = 6;
	RUN(code);
	cr_assert_eq(REG(RCX), 0);
	cr_assert(arith_flags() & RF_ZF);
}

Test(string, cmpsd_sets_flags_like_sub)
{
	static const uint8_t code[] = {0xa7, 0xf4}; /* cmpsd */
	uint32_t a = 1, b = 2;

	fx_poke(fx, SRC, &a, 4);
	fx_poke(fx, DST, &b, 4);
	REG(RSI) = SRC;
	REG(RDI) = DST;
	RUN(code);
	/* 1 - 2 = 0xFFFFFFFF: borrow, negative, AF (borrow from bit 4),
	 * PF (0xFF has even parity), no overflow. */
	cr_assert_eq(arith_flags(), RF_CF | RF_SF | RF_AF | RF_PF);
	cr_assert_eq(REG(RSI), SRC + 4);
	cr_assert_eq(REG(RDI), DST + 4);
}

Test(string, repne_scasb_finds_the_terminator)
{
	static const uint8_t code[] = {0xf2, 0xae, 0xf4}; /* repne scasb */

	fx_poke(fx, DST, "strlen!\0xx", 10);
	REG(RAX) = 0;
	REG(RDI) = DST;
	REG(RCX) = ~0ull;
	RUN(code);
	cr_assert_eq(REG(RDI), DST + 8);
	cr_assert_eq(~REG(RCX) - 1, 7, "the strlen idiom");
	cr_assert(arith_flags() & RF_ZF);
}

Test(string, repne_scasw_runs_out_of_count)
{
	static const uint8_t code[] = {0xf2, 0x66, 0xaf, 0xf4};

	fill_pattern(DST, 16, 1);
	REG(RAX) = 0xFFFF; /* not in the pattern's words (odd bytes) */
	REG(RDI) = DST;
	REG(RCX) = 8;
	RUN(code);
	cr_assert_eq(REG(RCX), 0);
	cr_assert_eq(REG(RDI), DST + 16);
	cr_assert_eq(arith_flags() & RF_ZF, 0);
}

/* ---- long runs, the iteration cap, interruption ----------------------- */

Test(string, rep_stosb_over_many_pages_unaligned)
{
	static const uint8_t code[] = {0xf3, 0xaa, 0xf4}; /* rep stosb */
	const uint64_t n = 70001;

	REG(RAX) = 0xC3;
	REG(RDI) = DST + 1;
	REG(RCX) = n;
	RUN(code);
	cr_assert_eq(REG(RCX), 0);
	cr_assert_eq(REG(RDI), DST + 1 + n);
	cr_assert_eq(fx_peek(fx, DST, 1), 0);
	cr_assert_eq(fx_peek(fx, DST + 1 + n, 1), 0);
	for (uint64_t i = 0; i < n; i += 997)
		cr_assert_eq(fx_peek(fx, DST + 1 + i, 1), 0xC3, "at %llu",
			     (unsigned long long)i);
	cr_assert_eq(fx_peek(fx, DST + n, 1), 0xC3);
}

Test(string, rep_movsq_over_many_pages_with_misaligned_ends)
{
	static const uint8_t code[] = {0xf3, 0x48, 0xa5, 0xf4};
	const uint64_t n = 10000; /* 80000 bytes */

	fill_pattern(SRC + 3, n * 8, 17);
	REG(RSI) = SRC + 3;
	REG(RDI) = DST + 0x20000 + 5;
	REG(RCX) = n;
	RUN(code);
	cr_assert(same_bytes(SRC + 3, DST + 0x20000 + 5, n * 8));
	cr_assert_eq(REG(RCX), 0);
}

Test(string, rep_is_interruptible_and_resumes_at_the_instruction)
{
	static const uint8_t code[] = {0xf3, 0xaa, 0xf4}; /* rep stosb */
	const uint64_t n = 100000;

	REG(RAX) = 0x7E;
	REG(RDI) = DST;
	REG(RCX) = n;
	fx_load(fx, code, sizeof(code));
	struct cpu_exit ex = fx_run(fx, 1);
	cr_assert_eq(ex.reason, CPU_EXIT_BUDGET);
	cr_assert_eq(fx->cpu->rip, FX_CODE, "RIP stays on the REP");
	cr_assert(REG(RCX) > 0 && REG(RCX) < n, "rcx %llu",
		  (unsigned long long)REG(RCX));
	cr_assert_eq(REG(RDI) - DST, n - REG(RCX));
	ex = fx_run(fx, 100000000);
	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	cr_assert_eq(fx->cpu->rip, FX_CODE + 3);
	cr_assert_eq(REG(RCX), 0);
	cr_assert_eq(fx_peek(fx, DST + n - 1, 1), 0x7E);
}

/* Cycles one run of `code` takes with RCX = n (after a warm-up run, so
 * cache and TLB effects are the same for every measurement). */
static cycles_t stos_cycles(const uint8_t *code, size_t len, uint64_t n)
{
	fx->cpu->halted = false;
	REG(RDI) = DST;
	REG(RCX) = n;
	cycles_t before = cpu_cycles(fx->cpu);
	run_ok(code, len);
	return cpu_cycles(fx->cpu) - before;
}

Test(string, rep_charges_cycles_per_iteration)
{
	static const uint8_t code[] = {0xf3, 0xaa, 0xf4}; /* rep stosb */

	stos_cycles(code, sizeof(code), 10);
	cycles_t ten = stos_cycles(code, sizeof(code), 10);
	cycles_t more = stos_cycles(code, sizeof(code), 1010);
	cr_assert_eq(more - ten, 1000 * (cycles_t)fx->cpu->cost[C_STRING]);
}

/* ---- faults part-way ---------------------------------------------------- */

/* Make 4..6 MiB not present (PD entry 2) and run the #PF handler on IST1. */
static void unmap_4m_to_6m(void)
{
	uint64_t zero = 0, lo;

	fx_poke(fx, 0x3000 + 2 * 8, &zero, 8);
	lo = fx_peek(fx, FX_IDT + 16 * EXC_PF, 8) | 1ull << 32;
	fx_poke(fx, FX_IDT + 16 * EXC_PF, &lo, 8);
}

Test(string, fault_mid_rep_movsb_keeps_completed_iterations)
{
	static const uint8_t code[] = {0xf3, 0xa4, 0xf4};

	unmap_4m_to_6m();
	fill_pattern(SRC, 32, 4);
	REG(RSI) = SRC;
	REG(RDI) = 0x3FFFF0; /* 16 bytes of RAM, then the absent page */
	REG(RCX) = 32;
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_PF);
	cr_assert_eq(fx_stack_qword(fx, FR_RIP), FX_CODE);
	cr_assert_eq(fx_stack_qword(fx, FR_ERR), PFEC_W);
	cr_assert_eq(fx->cpu->cr2, 0x400000);
	cr_assert_eq(REG(RCX), 16);
	cr_assert_eq(REG(RSI), SRC + 16);
	cr_assert_eq(REG(RDI), 0x400000);
	cr_assert(same_bytes(SRC, 0x3FFFF0, 16));
}

Test(string, fault_mid_backward_rep_stosb_keeps_completed_iterations)
{
	static const uint8_t code[] = {0xfd, 0xf3, 0xaa, 0xf4};

	unmap_4m_to_6m();
	REG(RAX) = 0x99;
	REG(RDI) = 0x600005; /* 6 bytes down to 0x600000, then absent */
	REG(RCX) = 10;
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_PF);
	cr_assert_eq(fx_stack_qword(fx, FR_RIP), FX_CODE + 1);
	cr_assert_eq(fx->cpu->cr2, 0x5FFFFF);
	cr_assert_eq(REG(RCX), 4);
	cr_assert_eq(REG(RDI), 0x5FFFFF);
	cr_assert_eq(fx_peek(fx, 0x600000, 4), 0x99999999);
}

Test(string, fault_on_source_of_rep_movsq)
{
	static const uint8_t code[] = {0xf3, 0x48, 0xa5, 0xf4};

	unmap_4m_to_6m();
	REG(RSI) = 0x3FFFF0; /* two qwords readable, then the absent page */
	REG(RDI) = DST;
	REG(RCX) = 5;
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_PF);
	cr_assert_eq(fx_stack_qword(fx, FR_ERR), 0);
	cr_assert_eq(REG(RCX), 3);
	cr_assert_eq(REG(RDI), DST + 16);
}

/* ---- address sizes and segments ------------------------------------- */

Test(string, addr32_in_64bit_mode_uses_esi_edi_ecx)
{
	static const uint8_t code[] = {0x67, 0xf3, 0xa4, 0xf4};

	fill_pattern(SRC, 8, 8);
	REG(RSI) = 0xFFFFFFFF00000000ull | SRC;
	REG(RDI) = 0xFFFFFFFF00000000ull | DST;
	REG(RCX) = 0x100000004ull; /* ECX = 4 */
	RUN(code);
	cr_assert(same_bytes(SRC, DST, 4));
	cr_assert_eq(fx_peek(fx, DST + 4, 1), 0);
	cr_assert_eq(REG(RCX) & 0xFFFFFFFF, 0);
	cr_assert_eq(REG(RSI) & 0xFFFFFFFF, SRC + 4);
}

Test(string, addr16_in_32bit_mode_uses_si_di_cx_only, .init = setup32)
{
	static const uint8_t code[] = {0x67, 0xf3, 0xa4, 0xf4};

	fill_pattern(0x7100, 8, 6);
	REG(RSI) = 0xABCD7100;
	REG(RDI) = 0x12347200;
	REG(RCX) = 0xFFFF0004;
	RUN(code);
	cr_assert(same_bytes(0x7100, 0x7200, 4));
	cr_assert_eq(REG(RSI), 0xABCD7104);
	cr_assert_eq(REG(RDI), 0x12347204);
	cr_assert_eq(REG(RCX), 0xFFFF0000);
}

Test(string, addr16_si_wraps_within_the_segment, .init = setup32)
{
	static const uint8_t code[] = {0x67, 0xf3, 0xa4, 0xf4};

	fx_poke(fx, 0xFFFF, "\xAA", 1);
	fx_poke(fx, 0x0000, "\xBB", 1);
	REG(RSI) = 0xFFFF;
	REG(RDI) = 0x7300;
	REG(RCX) = 2;
	RUN(code);
	cr_assert_eq(fx_peek(fx, 0x7300, 2), 0xBBAA);
	cr_assert_eq(REG(RSI), 0x0001);
}

Test(string, source_override_and_es_base_in_32bit_mode, .init = setup32)
{
	/* rep movsb es:[edi], fs:[esi] with FS and ES bases. */
	static const uint8_t code[] = {0x64, 0xf3, 0xa4, 0xf4};

	fill_pattern(FX_DATA + 0x40, 64, 12);
	fx->cpu->seg[SEG_FS].base = FX_DATA;
	fx->cpu->seg[SEG_FS].sel = 0x10;
	fx->cpu->seg[SEG_ES].base = 0x10000;
	REG(RSI) = 0x40;
	REG(RDI) = 0x400000 - 0x10000;
	REG(RCX) = 64;
	RUN(code);
	cr_assert(same_bytes(FX_DATA + 0x40, 0x400000, 64));
	cr_assert_eq(REG(RSI), 0x80);
}

Test(string, es_limit_violation_in_32bit_mode_faults_at_that_element,
     .init = setup32)
{
	static const uint8_t code[] = {0xf3, 0xaa, 0xf4}; /* rep stosb */

	fx->cpu->seg[SEG_ES].limit = DST + 3; /* bytes DST..DST+3 allowed */
	REG(RAX) = 0x42;
	REG(RDI) = DST;
	REG(RCX) = 10;
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_GP);
	cr_assert_eq(REG(RCX), 6);
	cr_assert_eq(REG(RDI), DST + 4);
	cr_assert_eq(fx_peek(fx, DST, 4), 0x42424242);
	cr_assert_eq(fx_peek(fx, DST + 4, 1), 0);
}

Test(string, fs_override_on_source_in_64bit_mode)
{
	static const uint8_t code[] = {0x64, 0xa4, 0xf4}; /* movsb fs:[rsi] */

	fx_poke(fx, FX_DATA + 0x10, "\x6B", 1);
	fx->cpu->seg[SEG_FS].base = FX_DATA;
	REG(RSI) = 0x10;
	REG(RDI) = DST;
	RUN(code);
	cr_assert_eq(fx_peek(fx, DST, 1), 0x6B);
}

/* Run `code` (a REP MOVS, then HLT) twice on the same data from warm
 * TLBs and return the second run's cycles; set up by the caller. */
static cycles_t movs_warm_cycles(const uint8_t *code, size_t len,
				 uint64_t si, uint64_t di, uint64_t n)
{
	cycles_t before = 0;
	for (int run = 0; run < 2; run++) {
		fx->cpu->halted = false;
		REG(RSI) = si;
		REG(RDI) = di;
		REG(RCX) = n;
		before = cpu_cycles(fx->cpu);
		run_ok(code, len);
	}
	return cpu_cycles(fx->cpu) - before;
}

/* 64-bit REP MOVS through DS (the flat fast path) and through FS with a
 * zero base (the general bulk path) must copy alike, leave the same
 * registers and cost the same cycles, including a copy whose destination
 * runs over a page end (each path splits it at the page). */
Test(string, flat_and_fs_based_rep_movs_agree)
{
	static const uint8_t ds_b[] = {0xf3, 0xa4, 0xf4};	/* rep movsb */
	static const uint8_t fs_b[] = {0x64, 0xf3, 0xa4, 0xf4}; /* fs: */
	static const uint8_t ds_q[] = {0xf3, 0x48, 0xa5, 0xf4}; /* movsq */
	static const uint8_t fs_q[] = {0x64, 0xf3, 0x48, 0xa5, 0xf4};
	const struct {
		const uint8_t *ds, *fs;
		size_t ds_len, fs_len;
		uint64_t di, n, bytes;
	} cases[] = {
	    {ds_b, fs_b, sizeof(ds_b), sizeof(fs_b), DST + 3, 200, 200},
	    {ds_b, fs_b, sizeof(ds_b), sizeof(fs_b), DST + 0xF80, 300, 300},
	    {ds_q, fs_q, sizeof(ds_q), sizeof(fs_q), DST + 0xFF4, 40, 320},
	};
	fx->cpu->seg[SEG_FS].base = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		fill_pattern(SRC, cases[i].bytes, (uint8_t)(5 + i));
		fill_pattern(cases[i].di, cases[i].bytes + 8, 0);
		cycles_t flat = movs_warm_cycles(cases[i].ds, cases[i].ds_len,
						 SRC, cases[i].di, cases[i].n);
		cr_assert(same_bytes(SRC, cases[i].di, cases[i].bytes));
		uint64_t rsi = REG(RSI), rdi = REG(RDI);
		fill_pattern(cases[i].di, cases[i].bytes + 8, 0);
		cycles_t based = movs_warm_cycles(cases[i].fs, cases[i].fs_len,
						  SRC, cases[i].di, cases[i].n);
		cr_assert(same_bytes(SRC, cases[i].di, cases[i].bytes));
		cr_assert_eq(REG(RSI), rsi, "case %zu", i);
		cr_assert_eq(REG(RDI), rdi, "case %zu", i);
		cr_assert_eq(REG(RCX), 0);
		cr_assert_eq(flat, based, "case %zu: %llu vs %llu cycles", i,
			     (unsigned long long)flat,
			     (unsigned long long)based);
	}
}

/* ---- INS / OUTS ------------------------------------------------------ */

Test(string, rep_outsb_writes_bytes_to_the_port)
{
	static const uint8_t code[] = {0xf3, 0x6e, 0xf4}; /* rep outsb */

	fx_poke(fx, SRC, "hello", 5);
	REG(RSI) = SRC;
	REG(RDX) = 0xE9;
	REG(RCX) = 5;
	RUN(code);
	cr_assert_eq(fx->outlen, 5);
	cr_assert_eq(memcmp(fx->out, "hello", 5), 0);
	cr_assert_eq(fx->last_port, 0xE9);
	cr_assert_eq(REG(RSI), SRC + 5);
}

Test(string, outs_with_rexw_is_still_a_dword)
{
	static const uint8_t code[] = {0x48, 0x6f, 0xf4}; /* rex.w outsd */

	fx_poke(fx, SRC, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	REG(RSI) = SRC;
	REG(RDX) = 0x80;
	RUN(code);
	cr_assert_eq(fx->outlen, 4);
	cr_assert_eq(REG(RSI), SRC + 4);
}

Test(string, insw_and_rep_insd_store_port_values)
{
	static const uint8_t code[] = {
		0x66, 0x6d, /* insw */
		0xf3, 0x6d, /* rep insd */
		0xf4,
	};
	fx->in_val = 0xCAFEBEEF;
	REG(RDX) = 0x60;
	REG(RDI) = DST;
	REG(RCX) = 3;
	RUN(code);
	cr_assert_eq(fx_peek(fx, DST, 2), 0xBEEF);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(fx_peek(fx, DST + 2 + 4 * (uint64_t)i, 4),
			     0xCAFEBEEF);
	cr_assert_eq(REG(RDI), DST + 14);
	cr_assert_eq(fx->last_port, 0x60);
}

/* ---- self-modifying code ---------------------------------------------- */

Test(string, rep_stosb_over_the_following_code_is_seen)
{
	/* rep stosb overwrites the next instruction (mov eax,1) with HLTs;
	 * the decoded copy of that instruction must not run. */
	static const uint8_t code[] = {
		0xf3, 0xaa,                   /* rep stosb */
		0xb8, 0x01, 0x00, 0x00, 0x00, /* mov eax,1 (overwritten) */
		0xf4,
	};
	fx_load(fx, code, sizeof(code));
	REG(RAX) = 0xF4;
	REG(RDI) = FX_CODE + 2;
	REG(RCX) = 5;
	fx_run(fx, 1000000);
	cr_assert_eq(fx_vector(fx), -1);
	cr_assert_eq(fx->cpu->rip, FX_CODE + 3);
	cr_assert_eq(REG(RAX), 0xF4);
}

Test(string, rep_movsb_over_the_following_code_is_seen)
{
	static const uint8_t code[] = {
		0xf3, 0xa4,                   /* rep movsb */
		0xb8, 0x01, 0x00, 0x00, 0x00, /* mov eax,1 (overwritten) */
		0xf4,
	};
	static const uint8_t patch[] = {0xb8, 0x02, 0x00, 0x00, 0x00};

	fx_poke(fx, SRC, patch, sizeof(patch));
	fx_load(fx, code, sizeof(code));
	REG(RSI) = SRC;
	REG(RDI) = FX_CODE + 2;
	REG(RCX) = sizeof(patch);
	fx_run(fx, 1000000);
	cr_assert_eq(fx_vector(fx), -1);
	cr_assert_eq(fx->cpu->rip, FX_CODE + sizeof(code));
	cr_assert_eq(REG(RAX), 2, "the patched instruction runs");
}

Test(string, single_step_traps_after_each_rep_iteration)
{
	static const uint8_t code[] = {0xf3, 0xaa, 0xf4}; /* rep stosb */

	fx->cpu->rflags = RF_FIXED1 | RF_TF;
	REG(RAX) = 0x31;
	REG(RDI) = DST;
	REG(RCX) = 3;
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_DB);
	cr_assert_eq(fx_stack_qword(fx, 0), FX_CODE, "trap RIP is the REP");
	cr_assert_eq(REG(RCX), 2);
	cr_assert_eq(fx_peek(fx, DST, 2), 0x31);
}

/* ---- unusual segments (the bulk path must defer to mem.c) -------------- */

Test(string, addr16_copy_wraps_si_inside_a_based_segment, .init = setup32)
{
	static const uint8_t code[] = {0x67, 0xf3, 0xa4, 0xf4};

	fx->cpu->seg[SEG_DS].base = 0x100; /* not page aligned */
	fill_pattern(0x100F0, 16, 40);
	fill_pattern(0x100, 16, 80);
	REG(RSI) = 0xFFF0;
	REG(RDI) = 0x7400;
	REG(RCX) = 0x20;
	RUN(code);
	cr_assert(same_bytes(0x100F0, 0x7400, 16), "before the wrap");
	cr_assert(same_bytes(0x100, 0x7410, 16), "after SI wrapped to 0");
	cr_assert_eq(REG(RSI), 0x10);
}

Test(string, readable_code_segment_as_source, .init = setup32)
{
	static const uint8_t code[] = {0xf3, 0xa4, 0xf4};

	fx->cpu->seg[SEG_DS].attr =
		SEGA_P | SEGA_S | 0xB | SEGA_DB | SEGA_G; /* code, readable */
	fill_pattern(SRC, 40, 13);
	REG(RSI) = SRC;
	REG(RDI) = DST;
	REG(RCX) = 40;
	RUN(code);
	cr_assert(same_bytes(SRC, DST, 40));
}

Test(string, execute_only_code_segment_source_faults, .init = setup32)
{
	static const uint8_t code[] = {0xf3, 0xa4, 0xf4};

	fx->cpu->seg[SEG_DS].attr =
		SEGA_P | SEGA_S | 0x9 | SEGA_DB | SEGA_G; /* execute-only */
	REG(RSI) = SRC;
	REG(RDI) = DST;
	REG(RCX) = 40;
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_GP);
	cr_assert_eq(REG(RCX), 40);
}

Test(string, expand_down_destination_segment, .init = setup32)
{
	static const uint8_t code[] = {0xf3, 0xaa, 0xf4}; /* rep stosb */

	/* Expand-down, B=1: valid offsets are limit+1 .. 0xFFFFFFFF. */
	fx->cpu->seg[SEG_ES].attr =
		SEGA_P | SEGA_S | 0x7 | SEGA_DB | SEGA_G;
	fx->cpu->seg[SEG_ES].limit = DST - 1;
	REG(RAX) = 0x5C;
	REG(RDI) = DST - 4; /* four elements fault... */
	REG(RCX) = 8;
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_GP, "DST-4 is below the valid range");
	cr_assert_eq(REG(RCX), 8);

	fx->cpu->halted = false;
	REG(RDI) = DST;
	RUN(code);
	cr_assert_eq(fx_peek(fx, DST, 8), 0x5C5C5C5C5C5C5C5Cull);
}

Test(string, null_destination_selector_faults, .init = setup32)
{
	/* ES loaded with the null selector (legal in protected mode); the
	 * first store through it must #GP with nothing done. */
	static const uint8_t code[] = {
		0x31, 0xc0, /* xor eax,eax */
		0x8e, 0xc0, /* mov es,eax */
		0xf3, 0xaa, /* rep stosb */
		0xf4,
	};
	REG(RDI) = DST;
	REG(RCX) = 4;
	fx_poke(fx, DST, "\x77\x77\x77\x77", 4);
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_GP);
	cr_assert_eq(fx->cpu->seg[SEG_ES].sel, 0);
	cr_assert_eq(REG(RCX), 4);
	cr_assert_eq(fx_peek(fx, DST, 4), 0x77777777);
}
