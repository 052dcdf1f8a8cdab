/*
 * tests/unit/cpu/test_except.c — exception and interrupt delivery
 * (cpu/except.c, cpu/except_legacy.c): vectors, error codes, CR2, the
 * pushed frame, privilege changes through TSS.RSP0, the IST, #DF and
 * triple-fault escalation, 32-bit gates and the real-mode IVT.
 *
 * Most tests run literal instruction bytes (GNU as listings in the
 * comments) in the fixture machine, whose IDT sends every vector to a
 * `hlt` stub; a few call cpu_deliver() directly to pin down one rule.
 * Expected values come from the Intel SDM Vol. 3A chapter 6.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/common/fixture.h"

static struct fx *fx;

static void setup64(void) { fx = fx_new(FX_LONG64); }
static void setup32(void) { fx = fx_new(FX_PROT32); }
static void teardown(void) { fx_free(fx); }

TestSuite(except, .init = setup64, .fini = teardown);
TestSuite(except32, .init = setup32, .fini = teardown);

#define CPU (fx->cpu)
#define USER_STACK FX_USER_STACK
#define RSP0 0x1F0000u /* fixture TSS.RSP0 */
#define IST1 0x1E0000u /* fixture TSS.IST1 */

/* Byte `off` of the 64-bit IDT gate for `vec` (5 = P/DPL/type, 4 = IST). */
static uint64_t gate64(int vec, int off) { return FX_IDT + 16u * vec + off; }
static void poke8(uint64_t gpa, uint8_t v) { fx_poke(fx, gpa, &v, 1); }

/* Run code and require that it ended in the stub of `vec`. */
static void expect_vector(const uint8_t *code, size_t len, int vec)
{
	struct cpu_exit ex = fx_exec(fx, code, len);

	cr_assert_eq(ex.reason, CPU_EXIT_HLT, "exit reason %d", ex.reason);
	cr_assert_eq(fx_vector(fx), vec, "vector %d, want %d", fx_vector(fx),
		     vec);
}

#define USER_CODE FX_USER_CODE

/* Run `code` at CPL 3 (fx_exec_user); it must end in vector `vec`. */
static void expect_user_vector(const uint8_t *code, size_t len, int vec)
{
	struct cpu_exit ex = fx_exec_user(fx, code, len);

	cr_assert_eq(ex.reason, CPU_EXIT_HLT, "exit reason %d", ex.reason);
	cr_assert_eq(fx_vector(fx), vec, "vector %d, want %d", fx_vector(fx),
		     vec);
}

/* ---- faults at CPL 0: vector, error code, return RIP, frame ------------ */

Test(except, divide_by_zero_pushes_five_slot_frame_at_div)
{
	static const uint8_t code[] = {
		0x31, 0xc9, /* 00: xor ecx,ecx */
		0xf7, 0xf1, /* 02: div ecx */
		0xf4,       /* 04: hlt */
	};
	expect_vector(code, sizeof(code), EXC_DE);
	cr_assert_eq(CPU->gpr[RSP], FX_STACK - 40);
	cr_assert_eq(fx_stack_qword(fx, 0), FX_CODE + 2);  /* RIP */
	cr_assert_eq(fx_stack_qword(fx, 1), 0x08);         /* CS */
	cr_assert_eq(fx_stack_qword(fx, 3), FX_STACK);     /* RSP */
	cr_assert_eq(fx_stack_qword(fx, 4), 0x10);         /* SS */
	/* Fault-class exception: RF is set in the pushed image only. */
	cr_assert(fx_stack_qword(fx, 2) & RF_RF);
	cr_assert_eq(fx_stack_qword(fx, 2) & RF_FIXED1, RF_FIXED1);
	cr_assert_eq(CPU->rflags & RF_RF, 0);
	cr_assert_eq(CPU->seg[SEG_CS].sel, 0x08);
	cr_assert_eq(CPU->cpl, 0);
}

Test(except, ud2_has_no_error_code)
{
	static const uint8_t code[] = {
		0x0f, 0x0b, /* 00: ud2 */
	};
	expect_vector(code, sizeof(code), EXC_UD);
	cr_assert_eq(fx_stack_qword(fx, 0), FX_CODE);
	cr_assert_eq(CPU->gpr[RSP], FX_STACK - 40);
}

Test(except, int3_returns_to_next_instruction)
{
	static const uint8_t code[] = {
		0xcc, /* 00: int3 */
		0xf4, /* 01: hlt */
	};
	expect_vector(code, sizeof(code), EXC_BP);
	cr_assert_eq(fx_stack_qword(fx, 0), FX_CODE + 1);
	cr_assert_eq(fx_stack_qword(fx, 2) & RF_RF, 0); /* a trap */
}

Test(except, gp_error_code_names_selector_beyond_gdt_limit)
{
	static const uint8_t code[] = {
		0x66, 0xb8, 0x50, 0x00, /* 00: mov ax,0x50 */
		0x8e, 0xd8,             /* 04: mov ds,eax */
		0xf4,                   /* 06: hlt */
	};
	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 0), 0x50);        /* error code */
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 4); /* RIP */
	cr_assert_eq(CPU->gpr[RSP], FX_STACK - 48);
	cr_assert_eq(CPU->seg[SEG_DS].sel, 0x10, "DS must be unchanged");
}

Test(except, page_fault_sets_cr2_and_write_error_code)
{
	static const uint8_t code[] = {
		0x48, 0xc7, 0xc0, 0x08, 0x00, 0x00, 0x40, /* 00: mov rax,0x40000008 */
		0x89, 0x08,                               /* 07: mov [rax],ecx */
		0xf4,                                     /* 09: hlt */
	};
	expect_vector(code, sizeof(code), EXC_PF);
	cr_assert_eq(CPU->cr2, 0x40000008);
	cr_assert_eq(fx_stack_qword(fx, 0), PFEC_W); /* not present, write */
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 7);
}

Test(except, trap_gate_keeps_if_interrupt_gate_clears_it)
{
	static const uint8_t code[] = {
		0xfb, /* 00: sti */
		0xcc, /* 01: int3 */
		0xf4, /* 02: hlt */
	};
	expect_vector(code, sizeof(code), EXC_BP);
	cr_assert_eq(CPU->rflags & RF_IF, 0, "interrupt gate clears IF");
	cr_assert(fx_stack_qword(fx, 2) & RF_IF);

	fx_free(fx);
	fx = fx_new(FX_LONG64);
	poke8(gate64(EXC_BP, 5), 0x8F); /* P, DPL 0, trap gate */
	expect_vector(code, sizeof(code), EXC_BP);
	cr_assert(CPU->rflags & RF_IF, "trap gate keeps IF");
}

/* ---- privilege changes ---------------------------------------------------- */

Test(except, int_n_through_dpl0_gate_from_cpl3_is_gp_idt_error)
{
	static const uint8_t user[] = {
		0xcd, 0x80, /* 00: int 0x80 */
		0xf4,       /* 02: hlt */
	};
	expect_user_vector(user, sizeof(user), EXC_GP);
	/* Error code: IDT bit, vector 0x80, EXT = 0 (software interrupt). */
	cr_assert_eq(fx_stack_qword(fx, 0), 0x80 * 8 + 2);
	cr_assert_eq(fx_stack_qword(fx, 1), USER_CODE);  /* at the INT */
	cr_assert_eq(fx_stack_qword(fx, 2), 0x33);
	cr_assert_eq(fx_stack_qword(fx, 4), USER_STACK);
	cr_assert_eq(fx_stack_qword(fx, 5), 0x2B);
	cr_assert_eq(CPU->gpr[RSP], RSP0 - 48, "stack from TSS.RSP0");
}

Test(except, int_n_through_dpl3_gate_switches_to_rsp0_and_null_ss)
{
	static const uint8_t user[] = {
		0xcd, 0x80, /* 00: int 0x80 */
		0xf4,       /* 02: hlt */
	};
	poke8(gate64(0x80, 5), 0xEE); /* P, DPL 3, interrupt gate */
	expect_user_vector(user, sizeof(user), 0x80);
	cr_assert_eq(CPU->gpr[RSP], RSP0 - 40);
	cr_assert_eq(fx_stack_qword(fx, 0), USER_CODE + 2); /* after INT */
	cr_assert_eq(fx_stack_qword(fx, 1), 0x33);
	cr_assert_eq(fx_stack_qword(fx, 3), USER_STACK);
	cr_assert_eq(fx_stack_qword(fx, 4), 0x2B);
	cr_assert_eq(CPU->cpl, 0);
	cr_assert_eq(CPU->seg[SEG_CS].sel, 0x08);
	cr_assert_eq(CPU->seg[SEG_SS].sel, 0, "null SS with RPL = new CPL");
}

Test(except, fault_at_cpl3_is_delivered_on_rsp0_stack)
{
	static const uint8_t user[] = {
		0xf4, /* 00: hlt (privileged) */
	};
	expect_user_vector(user, sizeof(user), EXC_GP);
	cr_assert_eq(CPU->gpr[RSP], RSP0 - 48);
	cr_assert_eq(fx_stack_qword(fx, 0), 0);
	cr_assert_eq(fx_stack_qword(fx, 1), USER_CODE);
	cr_assert_eq(fx_stack_qword(fx, 2), 0x33);
}

Test(except, ist_switches_stack_at_same_privilege_and_aligns_it)
{
	static const uint8_t code[] = {
		0x0f, 0x0b, /* 00: ud2 */
	};
	uint64_t ist = IST1 + 8; /* misaligned: the frame starts at IST1 */

	fx_poke(fx, FX_TSS + 0x24, &ist, 8);
	poke8(gate64(EXC_UD, 4), 1); /* IST1 */
	expect_vector(code, sizeof(code), EXC_UD);
	cr_assert_eq(CPU->gpr[RSP], IST1 - 40);
	cr_assert_eq(fx_stack_qword(fx, 3), FX_STACK, "old RSP pushed");
}

/* ---- escalation (SDM Vol. 3A Table 6-5) ---------------------------------- */

Test(except, benign_then_contributory_is_delivered_serially)
{
	static const uint8_t code[] = {
		0x0f, 0x0b, /* 00: ud2 */
	};
	poke8(gate64(EXC_UD, 5), 0x0E); /* not present */
	expect_vector(code, sizeof(code), EXC_NP);
	/* #NP(IDT entry 6, EXT = 1: the event was a hardware exception). */
	cr_assert_eq(fx_stack_qword(fx, 0), 6 * 8 + 2 + 1);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE);
}

Test(except, soft_int_to_missing_gate_is_np_without_ext)
{
	static const uint8_t code[] = {
		0xcd, 0x81, /* 00: int 0x81 */
		0xf4,       /* 02: hlt */
	};
	poke8(gate64(0x81, 5), 0x0E);
	expect_vector(code, sizeof(code), EXC_NP);
	cr_assert_eq(fx_stack_qword(fx, 0), 0x81 * 8 + 2);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE, "RIP at the INT");
}

Test(except, page_fault_with_missing_gate_becomes_double_fault)
{
	static const uint8_t code[] = {
		0x48, 0xc7, 0xc0, 0x08, 0x00, 0x00, 0x40, /* 00: mov rax,0x40000008 */
		0x89, 0x08,                               /* 07: mov [rax],ecx */
		0xf4,                                     /* 09: hlt */
	};
	poke8(gate64(EXC_PF, 5), 0x0E);
	expect_vector(code, sizeof(code), EXC_DF);
	cr_assert_eq(fx_stack_qword(fx, 0), 0, "#DF error code is 0");
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 7);
	cr_assert_eq(CPU->cr2, 0x40000008);
}

Test(except, double_fault_with_missing_gate_is_triple_fault)
{
	static const uint8_t code[] = {
		0x48, 0xc7, 0xc0, 0x08, 0x00, 0x00, 0x40, /* 00: mov rax,0x40000008 */
		0x89, 0x08,                               /* 07: mov [rax],ecx */
		0xf4,                                     /* 09: hlt */
	};
	struct cpu_exit ex;

	poke8(gate64(EXC_PF, 5), 0x0E);
	poke8(gate64(EXC_DF, 5), 0x0E);
	ex = fx_exec(fx, code, sizeof(code));
	cr_assert_eq(ex.reason, CPU_EXIT_TRIPLE_FAULT);
	cr_assert_eq(ex.rip, FX_CODE + 7, "state of the faulting instruction");
	cr_assert_eq(CPU->gpr[RSP], FX_STACK);
}

Test(except, soft_int_whose_faults_cannot_be_delivered_stops_the_core)
{
	static const uint8_t code[] = {
		0xcd, 0x81, /* 00: int 0x81 */
		0xf4,       /* 02: hlt */
	};
	struct cpu_exit ex;

	/* INT 0x81 → #NP (gate missing) → #NP again (its gate missing):
	 * contributory twice → #DF, whose gate is missing: shutdown. */
	poke8(gate64(0x81, 5), 0x0E);
	poke8(gate64(EXC_NP, 5), 0x0E);
	poke8(gate64(EXC_DF, 5), 0x0E);
	ex = fx_exec(fx, code, sizeof(code));
	cr_assert_eq(ex.reason, CPU_EXIT_TRIPLE_FAULT);
	cr_assert_eq(ex.rip, FX_CODE, "stopped at the INT");
	cr_assert_eq(CPU->gpr[RSP], FX_STACK);
}

Test(except, fault_while_pushing_frame_escalates_to_ist_double_fault)
{
	static const uint8_t code[] = {
		0x48, 0xc7, 0xc4, 0x00, 0x10, 0x00, 0x40, /* 00: mov rsp,0x40001000 */
		0x0f, 0x0b,                               /* 07: ud2 */
	};
	/* #UD's push faults (#PF), whose push faults again: #PF + #PF is a
	 * double fault, delivered on the IST1 stack which is mapped. */
	poke8(gate64(EXC_DF, 4), 1);
	expect_vector(code, sizeof(code), EXC_DF);
	cr_assert_eq(CPU->cr2, 0x40000FF8, "first push faulted");
	cr_assert_eq(CPU->gpr[RSP], IST1 - 48);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 7);
	cr_assert_eq(fx_stack_qword(fx, 4), 0x40001000);
}

/* ---- direct calls: rules that need no program ----------------------------- */

Test(except, external_interrupt_keeps_rip_and_sets_ext_on_nested_fault)
{
	CPU->rip = 0x123456;
	CPU->insn_rip = 0x123450;
	cpu_set_rflags(CPU, RF_FIXED1 | RF_IF, ~0ull);
	poke8(gate64(0x40, 5), 0x0E); /* the interrupt's gate is missing */
	cpu_deliver(CPU, 0x40, EV_EXTINT, false, 0);
	cr_assert_eq(CPU->rip, FX_STUBS + 16 * EXC_NP);
	cr_assert_eq(fx_stack_qword(fx, 0), 0x40 * 8 + 2 + 1, "EXT set");
	cr_assert_eq(fx_stack_qword(fx, 1), 0x123456, "interrupted RIP");
	cr_assert_eq(CPU->delivering, -1);
}

Test(except, delivery_wakes_halted_core_and_charges_cycles)
{
	cycles_t before = CPU->cycles;

	CPU->halted = true;
	CPU->shadow = true;
	CPU->rip = FX_CODE;
	cpu_deliver(CPU, 0x30, EV_EXTINT, false, 0);
	cr_assert_not(CPU->halted);
	cr_assert_not(CPU->shadow);
	cr_assert_eq(CPU->rip, FX_STUBS + 16 * 0x30);
	cr_assert_geq(CPU->cycles - before, (cycles_t)cost_exception);
}

Test(except, error_code_vectors_follow_the_sdm_table)
{
	static const int with[] = {8, 10, 11, 12, 13, 14, 17, 21};
	int n = 0;

	for (int v = 0; v < 256; v++)
		n += cpu_exc_has_errcode(v);
	cr_assert_eq(n, 8);
	for (unsigned i = 0; i < sizeof(with) / sizeof(with[0]); i++)
		cr_assert(cpu_exc_has_errcode(with[i]), "vector %d", with[i]);
}

/* ---- 32-bit protected mode (8-byte gates) --------------------------------- */

Test(except32, ud_pushes_eflags_cs_eip_as_dwords)
{
	static const uint8_t code[] = {
		0x0f, 0x0b, /* 00: ud2 */
	};
	expect_vector(code, sizeof(code), EXC_UD);
	cr_assert_eq(CPU->gpr[RSP], FX_STACK - 12);
	cr_assert_eq(fx_peek(fx, FX_STACK - 12, 4), FX_CODE); /* EIP */
	cr_assert_eq(fx_peek(fx, FX_STACK - 8, 4), 0x18);     /* CS */
	cr_assert(fx_peek(fx, FX_STACK - 4, 4) & RF_FIXED1);  /* EFLAGS */
	cr_assert_eq(CPU->mode, MODE_PROT32);
}

Test(except32, gp_pushes_error_code_below_eip)
{
	static const uint8_t code[] = {
		0x66, 0xb8, 0x50, 0x00, /* 00: mov ax,0x50 */
		0x8e, 0xd8,             /* 04: mov ds,eax */
		0xf4,                   /* 06: hlt */
	};
	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(CPU->gpr[RSP], FX_STACK - 16);
	cr_assert_eq(fx_peek(fx, FX_STACK - 16, 4), 0x50);
	cr_assert_eq(fx_peek(fx, FX_STACK - 12, 4), FX_CODE + 4);
}

Test(except32, int_from_ring3_switches_to_tss_ss0_esp0)
{
	static const uint8_t code[] = {
		0x6a, 0x2b,                   /* 00: push 0x2b */
		0x68, 0x00, 0xf0, 0x1f, 0x00, /* 02: push 0x1ff000 */
		0x6a, 0x02,                   /* 07: push 0x2 */
		0x6a, 0x23,                   /* 09: push 0x23 */
		0x68, 0x11, 0x00, 0x10, 0x00, /* 0b: push 0x100011 */
		0xcf,                         /* 10: iret */
		0xcd, 0x80,                   /* 11: int 0x80 */
		0xf4,                         /* 13: hlt */
	};
	uint16_t ss0 = 0x10;

	fx_poke(fx, FX_TSS + 8, &ss0, 2); /* 32-bit TSS: SS0 at +8 */
	poke8(FX_IDT + 8 * 0x80 + 5, 0xEE);
	fx_user_pages(fx);
	expect_vector(code, sizeof(code), 0x80);
	cr_assert_eq(CPU->gpr[RSP], RSP0 - 20);
	cr_assert_eq(fx_peek(fx, RSP0 - 20, 4), FX_CODE + 0x13); /* EIP */
	cr_assert_eq(fx_peek(fx, RSP0 - 16, 4), 0x23);           /* CS */
	cr_assert_eq(fx_peek(fx, RSP0 - 8, 4), USER_STACK);      /* ESP */
	cr_assert_eq(fx_peek(fx, RSP0 - 4, 4), 0x2B);            /* SS */
	cr_assert_eq(CPU->seg[SEG_SS].sel, 0x10);
	cr_assert_eq(CPU->cpl, 0);
}

/* ---- real mode (IVT) ------------------------------------------------------ */

Test(except, real_mode_interrupt_uses_ivt_and_pushes_three_words)
{
	uint32_t ivt = 0x20000123; /* 2000:0123 */

	CPU->cr0 = CR0_ET;
	CPU->efer = 0;
	CPU->seg[SEG_CS] = (struct seg_cache){0x1000, 0x9B, 0xFFFF, 0x10000};
	CPU->seg[SEG_SS] = (struct seg_cache){0x0000, 0x93, 0xFFFF, 0};
	CPU->gpr[RSP] = 0x8000;
	CPU->idtr = (struct dtr){0, 0x3FF};
	cpu_set_rflags(CPU, RF_FIXED1 | RF_IF | RF_TF, ~0ull);
	cpu_update_mode(CPU);
	fx_poke(fx, 0x10 * 4, &ivt, 4);
	CPU->rip = 0x0042;
	cpu_deliver(CPU, 0x10, EV_SOFTINT, false, 0);
	cr_assert_eq(CPU->seg[SEG_CS].sel, 0x2000);
	cr_assert_eq(CPU->seg[SEG_CS].base, 0x20000);
	cr_assert_eq(CPU->rip, 0x123);
	cr_assert_eq(CPU->gpr[RSP], 0x7FFA);
	cr_assert_eq(fx_peek(fx, 0x7FFA, 2), 0x0042);
	cr_assert_eq(fx_peek(fx, 0x7FFC, 2), 0x1000);
	cr_assert_eq(fx_peek(fx, 0x7FFE, 2), RF_FIXED1 | RF_IF | RF_TF);
	cr_assert_eq(CPU->rflags & (RF_IF | RF_TF), 0);
	cr_assert_eq(CPU->mode, MODE_REAL16);
}
