/*
 * tests/unit/cpu/test_stack.c — the stack (cpu/ops_stack.c): PUSH/POP in
 * every form, PUSHF/POPF privilege rules, PUSH/POP Sreg, PUSHA/POPA,
 * ENTER/LEAVE, stack-address size, and precise faults (a push to an
 * unmapped stack raises #PF with RSP unchanged). SDM Vol. 2B PUSH, POP,
 * PUSHF, POPF, PUSHA, POPA, ENTER, LEAVE; Vol. 1 §6.2.
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

TestSuite(stack, .init = setup64, .fini = teardown);

static void run_ok(const uint8_t *code, size_t len)
{
	struct cpu_exit ex = fx_exec(fx, code, len);

	cr_assert_eq(ex.reason, CPU_EXIT_HLT, "exit reason %d", ex.reason);
	cr_assert_eq(fx_vector(fx), -1, "took exception %d", fx_vector(fx));
	cr_assert_eq(fx->cpu->rip, FX_CODE + len);
}

#define RUN(code) run_ok(code, sizeof(code))
#define REG(r) (fx->cpu->gpr[r])
#define S FX_STACK

/* Deliver `vec` on IST1 so it works even when RSP itself is bad. */
static void use_ist(int vec)
{
	uint64_t lo = fx_peek(fx, FX_IDT + 16 * (uint64_t)vec, 8);

	lo |= 1ull << 32;
	fx_poke(fx, FX_IDT + 16 * (uint64_t)vec, &lo, 8);
}

/* Exception frame on the handler stack (64-bit, with error code). */
enum { FR_ERR, FR_RIP, FR_CS, FR_RFLAGS, FR_RSP, FR_SS };


/* ---- PUSH / POP --------------------------------------------------------- */

Test(stack, push_rsp_pushes_the_old_value)
{
	static const uint8_t code[] = {
		0x50, /* push rax */
		0x54, /* push rsp */
		0x5b, /* pop rbx */
		0x59, /* pop rcx */
		0xf4,
	};
	REG(RAX) = 0x1122334455667788ull;
	RUN(code);
	cr_assert_eq(REG(RBX), S - 8, "push rsp stores RSP before the push");
	cr_assert_eq(REG(RCX), 0x1122334455667788ull);
	cr_assert_eq(REG(RSP), S);
	cr_assert_eq(fx_peek(fx, S - 16, 8), S - 8);
}

Test(stack, pop_rsp_loads_the_popped_value)
{
	static const uint8_t code[] = {0x5c, 0xf4}; /* pop rsp */
	uint64_t v = 0x1F8000;

	fx_poke(fx, S, &v, 8);
	RUN(code);
	cr_assert_eq(REG(RSP), 0x1F8000);
}

Test(stack, push_immediates_sign_extend_and_16bit_push_moves_2)
{
	static const uint8_t code[] = {
		0x6a, 0xff,                   /* push -1 */
		0x68, 0x78, 0x56, 0x34, 0x12, /* push 0x12345678 */
		0x66, 0x68, 0xff, 0x7f,       /* pushw 0x7fff */
		0xf4,
	};
	RUN(code);
	cr_assert_eq(REG(RSP), S - 18);
	cr_assert_eq(fx_peek(fx, S - 8, 8), ~0ull);
	cr_assert_eq(fx_peek(fx, S - 16, 8), 0x12345678);
	cr_assert_eq(fx_peek(fx, S - 18, 2), 0x7fff);
}

Test(stack, extended_registers_and_16bit_pop_merges)
{
	static const uint8_t code[] = {
		0x41, 0x5f, /* pop r15 */
		0x41, 0x51, /* push r9 */
		0x66, 0x58, /* pop ax */
		0xf4,
	};
	uint64_t v = 0xA1A2A3A4A5A6A7A8ull;

	fx_poke(fx, S, &v, 8);
	REG(R9) = 0x000000000000BEEFull;
	REG(RAX) = 0x1111111111111111ull;
	RUN(code);
	cr_assert_eq(REG(R15), 0xA1A2A3A4A5A6A7A8ull);
	cr_assert_eq(REG(RAX), 0x111111111111BEEFull);
	cr_assert_eq(REG(RSP), S + 8 - 8 + 2);
}

Test(stack, pop_to_memory_based_on_rsp_uses_incremented_rsp)
{
	static const uint8_t code[] = {
		0x8f, 0x04, 0x24, /* pop qword [rsp] */
		0xf4,
	};
	uint64_t v = 0x5555AAAA5555AAAAull, zero = 0;

	fx_poke(fx, S, &v, 8);
	fx_poke(fx, S + 8, &zero, 8);
	RUN(code);
	cr_assert_eq(REG(RSP), S + 8);
	cr_assert_eq(fx_peek(fx, S + 8, 8), 0x5555AAAA5555AAAAull);
}

Test(stack, pop_word_to_rsp_based_memory_adds_2)
{
	static const uint8_t code[] = {
		0x50,                   /* push rax */
		0x66, 0x8f, 0x04, 0x24, /* pop word [rsp] */
		0xf4,
	};
	REG(RAX) = 0x8877665544332211ull;
	RUN(code);
	cr_assert_eq(REG(RSP), S - 6);
	/* The word 0x2211 was popped from S-8 and stored at S-6. */
	cr_assert_eq(fx_peek(fx, S - 8, 8), 0x8877665522112211ull);
}

Test(stack, push_memory_based_on_rsp_reads_before_decrement)
{
	static const uint8_t code[] = {
		0xff, 0x34, 0x24, /* push qword [rsp] */
		0xf4,
	};
	uint64_t v = 0x0F0E0D0C0B0A0908ull;

	fx_poke(fx, S, &v, 8);
	RUN(code);
	cr_assert_eq(REG(RSP), S - 8);
	cr_assert_eq(fx_peek(fx, S - 8, 8), v);
}

/* ---- faults ------------------------------------------------------------ */

Test(stack, push_to_unmapped_stack_page_faults_with_rsp_unchanged)
{
	static const uint8_t code[] = {0x50, 0xf4}; /* push rax */

	use_ist(EXC_PF);
	use_ist(EXC_DF);
	REG(RSP) = 0x40000008; /* the push writes at 0x40000000: unmapped */
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_PF);
	cr_assert_eq(fx_stack_qword(fx, FR_RIP), FX_CODE);
	cr_assert_eq(fx_stack_qword(fx, FR_RSP), 0x40000008);
	cr_assert_eq(fx->cpu->cr2, 0x40000000);
	cr_assert_eq(fx_stack_qword(fx, FR_ERR), PFEC_W);
}

Test(stack, pop_from_unmapped_stack_faults_with_nothing_changed)
{
	static const uint8_t code[] = {0x58, 0xf4}; /* pop rax */

	use_ist(EXC_PF);
	use_ist(EXC_DF);
	REG(RSP) = 0x40000000;
	REG(RAX) = 0x77;
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_PF);
	cr_assert_eq(fx_stack_qword(fx, FR_RSP), 0x40000000);
	cr_assert_eq(REG(RAX), 0x77);
	cr_assert_eq(fx_stack_qword(fx, FR_ERR), 0);
}

Test(stack, push_with_noncanonical_rsp_is_stack_fault)
{
	static const uint8_t code[] = {0x50, 0xf4}; /* push rax */

	use_ist(EXC_SS);
	use_ist(EXC_DF);
	REG(RSP) = 0x0000800000000008ull;
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_SS);
	cr_assert_eq(fx_stack_qword(fx, FR_ERR), 0);
	cr_assert_eq(fx_stack_qword(fx, FR_RSP), 0x0000800000000008ull);
}

Test(stack, leave_with_unmapped_frame_faults_with_rsp_and_rbp_unchanged)
{
	static const uint8_t code[] = {0xc9, 0xf4}; /* leave */

	use_ist(EXC_PF);
	use_ist(EXC_DF);
	REG(RBP) = 0x40000100;
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_PF);
	cr_assert_eq(fx_stack_qword(fx, FR_RSP), S);
	cr_assert_eq(REG(RBP), 0x40000100);
}

/* ---- PUSHF / POPF ------------------------------------------------------ */

Test(stack, pushf_materialises_flags_and_clears_rf_vm)
{
	static const uint8_t code[] = {
		0xf9, /* stc */
		0xfd, /* std */
		0x9c, /* pushfq */
		0x58, /* pop rax */
		0xf4,
	};
	fx->cpu->rflags |= RF_RF;
	RUN(code);
	cr_assert_eq(REG(RAX), RF_FIXED1 | RF_CF | RF_DF);
}

Test(stack, popf_at_cpl0_writes_every_writable_flag)
{
	static const uint8_t code[] = {
		0x48, 0xb8, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff,       /* movabs rax,0xfffffffffffffeff (all but TF) */
		0x50,       /* push rax */
		0x9d,       /* popfq */
		0x9c,       /* pushfq */
		0x5b,       /* pop rbx */
		0xf4,
	};
	const uint64_t want = RF_FIXED1 | RF_ARITH | RF_IF | RF_DF | RF_IOPL |
			      RF_NT | RF_AC | RF_ID;
	RUN(code);
	cr_assert_eq(REG(RBX), want, "got %#llx",
		     (unsigned long long)REG(RBX));
	cr_assert_eq(fx->cpu->rflags & (RF_VM | RF_VIF | RF_VIP | RF_RF), 0);
}

Test(stack, popf_16bit_keeps_upper_flags)
{
	static const uint8_t code[] = {
		0x66, 0x6a, 0x01, /* pushw 1 */
		0x66, 0x9d,       /* popfw */
		0x9c,             /* pushfq */
		0x58,             /* pop rax */
		0xf4,
	};
	fx->cpu->rflags = RF_FIXED1 | RF_AC | RF_ZF;
	RUN(code);
	cr_assert_eq(REG(RAX), RF_FIXED1 | RF_AC | RF_CF);
}

Test(stack, popf_at_cpl3_cannot_change_iopl_or_if)
{
	/* popfq at CPL 3 with IOPL 0, then HLT (#GP at CPL 3). */
	static const uint8_t code[] = {0x9d, 0xf4};
	uint64_t v = RF_FIXED1 | RF_CF | RF_IF | RF_IOPL;

	fx_to_user(fx);
	fx_poke(fx, S, &v, 8);
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_GP, "HLT at CPL 3 must #GP");
	cr_assert_eq(fx_stack_qword(fx, FR_RIP), FX_CODE + 1);
	uint64_t fl = fx_stack_qword(fx, FR_RFLAGS);
	cr_assert(fl & RF_CF, "CF is writable at CPL 3");
	cr_assert_eq(fl & (RF_IF | RF_IOPL), 0, "flags %#llx",
		     (unsigned long long)fl);
}

Test(stack, popf_at_cpl3_with_iopl3_may_change_if_not_iopl)
{
	static const uint8_t code[] = {0x9d, 0xf4};
	uint64_t v = RF_FIXED1 | RF_IF; /* asks for IOPL 0 */

	fx_to_user(fx);
	fx->cpu->rflags = RF_FIXED1 | RF_IOPL;
	fx_poke(fx, S, &v, 8);
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_GP);
	uint64_t fl = fx_stack_qword(fx, FR_RFLAGS);
	cr_assert(fl & RF_IF);
	cr_assert_eq(fl & RF_IOPL, RF_IOPL);
}

/* ---- segment registers ------------------------------------------------- */

Test(stack, push_fs_moves_rsp_by_8_and_stores_16_bits_pop_gs_loads)
{
	static const uint8_t code[] = {
		0x8e, 0xe0, /* mov fs,eax */
		0x0f, 0xa0, /* push fs */
		0x0f, 0xa9, /* pop gs */
		0xf4,
	};
	uint64_t ff = ~0ull;

	fx_poke(fx, S - 8, &ff, 8);
	REG(RAX) = 0x10;
	RUN(code);
	cr_assert_eq(REG(RSP), S);
	cr_assert_eq(fx->cpu->seg[SEG_GS].sel, 0x10);
	cr_assert_eq(fx_peek(fx, S - 8, 2), 0x10);
	cr_assert_eq(fx_peek(fx, S - 6, 2), 0xFFFF,
		     "a 16-bit move leaves the rest of the slot (Intel)");
}

Test(stack, push_ds_pop_es_in_32bit_mode, .init = setup32)
{
	static const uint8_t code[] = {
		0x1e, /* push ds */
		0x07, /* pop es */
		0xf4,
	};
	fx->cpu->seg[SEG_ES].sel = 0;
	RUN(code);
	cr_assert_eq(fx->cpu->seg[SEG_ES].sel, 0x10);
	cr_assert_eq(REG(RSP), S);
	cr_assert_eq(fx_peek(fx, S - 4, 2), 0x10);
}

/* ---- PUSHA / POPA (32-bit mode) ---------------------------------------- */

Test(stack, pusha_popa_order_and_skipped_esp, .init = setup32)
{
	static const uint8_t code[] = {
		0x60,                                     /* pusha */
		0xc7, 0x44, 0x24, 0x0c, 0x34, 0x12, 0, 0, /* mov [esp+12],0x1234 */
		0xb8, 0x00, 0x00, 0x00, 0x00,             /* mov eax,0 */
		0x61,                                     /* popa */
		0xf4,
	};
	for (int r = RAX; r <= RDI; r++)
		if (r != RSP)
			REG(r) = 0x1000u * (unsigned)(r + 1);
	RUN(code);
	for (int r = RAX; r <= RDI; r++) {
		uint64_t at = S - 4 * (uint64_t)(r + 1);
		uint64_t want = r == RSP ? 0x1234 : 0x1000u * (unsigned)(r + 1);
		cr_assert_eq(fx_peek(fx, at, 4), want, "slot of reg %d", r);
		if (r != RSP)
			cr_assert_eq(REG(r), 0x1000u * (unsigned)(r + 1));
	}
	cr_assert_eq(REG(RSP), S, "POPA skips the saved ESP");
}

Test(stack, pushaw_popaw_move_words, .init = setup32)
{
	static const uint8_t code[] = {
		0x66, 0x60, /* pushaw */
		0x66, 0x61, /* popaw */
		0xf4,
	};
	REG(RAX) = 0xAAAA0001;
	REG(RDI) = 0xBBBB0008;
	RUN(code);
	cr_assert_eq(REG(RSP), S);
	cr_assert_eq(fx_peek(fx, S - 2, 2), 0x0001);
	cr_assert_eq(fx_peek(fx, S - 10, 2), S & 0xFFFF);
	cr_assert_eq(fx_peek(fx, S - 16, 2), 0x0008);
	cr_assert_eq(REG(RAX), 0xAAAA0001);
}

Test(stack, sixteen_bit_stack_wraps_sp_only, .init = setup32)
{
	static const uint8_t code[] = {
		0x50,       /* push eax */
		0x66, 0x5b, /* pop bx */
		0xf4,
	};
	fx->cpu->seg[SEG_SS].attr &= (uint16_t)~SEGA_DB;
	REG(RSP) = 0x00010000; /* SP = 0 */
	REG(RAX) = 0xDEADBEEF;
	RUN(code);
	cr_assert_eq(fx_peek(fx, 0xFFFC, 4), 0xDEADBEEF);
	cr_assert_eq(REG(RBX) & 0xFFFF, 0xBEEF);
	cr_assert_eq(REG(RSP), 0x0001FFFE, "only SP moves on a 16-bit stack");
}

Test(stack, push_16bit_operand_on_32bit_stack, .init = setup32)
{
	static const uint8_t code[] = {
		0x66, 0x50, /* push ax */
		0x59,       /* pop ecx: the word pushed plus the word above */
		0xf4,
	};
	uint32_t v = 0x00005555;

	fx_poke(fx, S, &v, 4);
	REG(RAX) = 0xFFFF1234;
	RUN(code);
	cr_assert_eq(REG(RCX), 0x55551234);
	cr_assert_eq(REG(RSP), S + 2);
}

/* ---- ENTER / LEAVE ---------------------------------------------------- */

Test(stack, enter_level0_then_leave_restores)
{
	static const uint8_t code[] = {
		0xc8, 0x20, 0x00, 0x00, /* enter 0x20,0 */
		0xc9,                   /* leave */
		0xf4,
	};
	REG(RBP) = 0xB0B0;
	RUN(code);
	cr_assert_eq(REG(RBP), 0xB0B0);
	cr_assert_eq(REG(RSP), S);
	cr_assert_eq(fx_peek(fx, S - 8, 8), 0xB0B0);
}

Test(stack, enter_level0_builds_frame)
{
	static const uint8_t code[] = {
		0xc8, 0x20, 0x00, 0x00, /* enter 0x20,0 */
		0xf4,
	};
	REG(RBP) = 0xB0B0;
	RUN(code);
	cr_assert_eq(REG(RBP), S - 8);
	cr_assert_eq(REG(RSP), S - 8 - 0x20);
}

Test(stack, enter_nesting_level_copies_outer_frame_pointers)
{
	static const uint8_t code[] = {
		0xc8, 0x10, 0x00, 0x03, /* enter 0x10,3 */
		0xf4,
	};
	uint64_t b = FX_DATA + 0x100, x1 = 0x1111, x2 = 0x2222;

	fx_poke(fx, b - 8, &x1, 8);
	fx_poke(fx, b - 16, &x2, 8);
	REG(RBP) = b;
	RUN(code);
	cr_assert_eq(fx_peek(fx, S - 8, 8), b);
	cr_assert_eq(fx_peek(fx, S - 16, 8), x1);
	cr_assert_eq(fx_peek(fx, S - 24, 8), x2);
	cr_assert_eq(fx_peek(fx, S - 32, 8), S - 8);
	cr_assert_eq(REG(RBP), S - 8);
	cr_assert_eq(REG(RSP), S - 32 - 0x10);
}

Test(stack, enter_level2_leave_in_32bit_mode, .init = setup32)
{
	static const uint8_t code[] = {
		0xc8, 0x08, 0x00, 0x02, /* enter 8,2 */
		0xc9,                   /* leave */
		0xf4,
	};
	uint32_t b = FX_DATA + 0x40, x1 = 0xA1A1A1A1;

	fx_poke(fx, b - 4, &x1, 4);
	REG(RBP) = b;
	RUN(code);
	cr_assert_eq(fx_peek(fx, S - 4, 4), b);
	cr_assert_eq(fx_peek(fx, S - 8, 4), x1);
	cr_assert_eq(fx_peek(fx, S - 12, 4), S - 4);
	cr_assert_eq(REG(RBP), b);
	cr_assert_eq(REG(RSP), S);
}

Test(stack, enter_with_unmapped_final_rsp_faults_before_any_change)
{
	static const uint8_t code[] = {
		0xc8, 0x00, 0x10, 0x00, /* enter 0x1000,0 */
		0xf4,
	};
	uint64_t zero = 0;

	use_ist(EXC_PF);
	use_ist(EXC_DF);
	fx_poke(fx, 0x3000 + 2 * 8, &zero, 8); /* PD[2]: 4..6 MiB absent */
	/* The push of RBP lands at 0x600008 (mapped); the final RSP,
	 * 0x5FF008, is not, and ENTER must fault before changing state. */
	REG(RSP) = 0x600010;
	REG(RBP) = 0xB0B0;
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_PF);
	cr_assert_eq(fx_stack_qword(fx, FR_RSP), 0x600010);
	cr_assert_eq(REG(RBP), 0xB0B0);
	cr_assert_eq(fx->cpu->cr2 & ~0xFFFull, 0x5FF000);
}

Test(stack, pop_to_register_through_modrm)
{
	static const uint8_t code[] = {
		0x8f, 0xc0, /* pop rax (8F /0, register form) */
		0x41, 0x8f, 0xc4, /* pop r12 */
		0xf4,
	};
	uint64_t v[2] = {0x1111, 0x2222};

	fx_poke(fx, S, v, sizeof(v));
	RUN(code);
	cr_assert_eq(REG(RAX), 0x1111);
	cr_assert_eq(REG(R12), 0x2222);
	cr_assert_eq(REG(RSP), S + 16);
}

Test(stack, pop_ss_sets_interrupt_shadow, .init = setup32)
{
	static const uint8_t code[] = {
		0x16, /* push ss */
		0x17, /* pop ss */
		0xf4,
	};
	fx_load(fx, code, sizeof(code));
	fx->cpu->shadow = false;
	fx_run(fx, 1);
	cr_assert(fx->cpu->shadow, "POP SS must inhibit interrupts");
	cr_assert_eq(fx->cpu->seg[SEG_SS].sel, 0x10);
	cr_assert_eq(REG(RSP), S);
}
