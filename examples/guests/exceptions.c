/*
 * examples/guests/exceptions.c — takes every exception it can provoke and
 * checks vector, error code and saved RIP of each (Intel SDM Vol. 3A
 * chapter 6: Table 6-1 vectors and classes, §6.13 error codes, §6.15 the
 * per-vector pages). This file: #DE, #DB, #BP, #OF, #UD, #NP, #SS and #GP
 * from ring 0; exceptions_pf.c: #PF and #DF; exceptions_fpu.c: #NM, #MF,
 * #XM; exceptions_ring3.c: what only ring 3 can cause (#GP on privileged
 * instructions, #AC).
 *
 * Faults must be precise: the saved RIP is the faulting instruction and no
 * register it would have written has changed; traps (#BP, #OF from INT n,
 * INT1, single-step) save the RIP of the next instruction. One report()
 * per check. exceptions_run_all() runs every family in order; the
 * exceptions guest (exceptions_main.c) and the multiboot compat_mb guest
 * both call it.
 */
#include "exceptions.h"
#include "rt.h"

#define NONCANONICAL 0x8000000000000000ul

static void test_de(void)
{
	uint64_t rax, rdx;

	catch_reset();
	asm volatile("movl $1, %%eax; xorl %%edx, %%edx; xorl %%ecx, %%ecx\n\t"
		     TRY_BEGIN "divl %%ecx" TRY_END
		     : : : "rax", "rcx", "rdx", TRY_CLOBBERS);
	catch_check("div by zero", 0, 0, AT_FAULT);

	catch_reset();
	asm volatile("movabsq $0x8000000000000000, %%rax; cqto; "
		     "movq $-1, %%rcx\n\t"
		     TRY_BEGIN "idivq %%rcx" TRY_END
		     : "=a"(rax), "=d"(rdx) : : "rcx", TRY_CLOBBERS);
	catch_check("idiv INT64_MIN / -1", 0, 0, AT_FAULT);
	report(rax == NONCANONICAL && rdx == ~0ul,
	       "faulting idiv left RDX:RAX unchanged");

	catch_reset();
	asm volatile("movl $0x80000000, %%eax; cltd; movl $-1, %%ecx\n\t"
		     TRY_BEGIN "idivl %%ecx" TRY_END
		     : : : "rax", "rcx", "rdx", TRY_CLOBBERS);
	catch_check("idiv INT32_MIN / -1", 0, 0, AT_FAULT);

	catch_reset();
	asm volatile("movl $0x1000, %%eax; movb $2, %%cl\n\t"
		     TRY_BEGIN "divb %%cl" TRY_END
		     : : : "rax", "rcx", TRY_CLOBBERS);
	catch_check("8-bit div quotient 0x800 overflows AL", 0, 0, AT_FAULT);
}

static void test_db(void)
{
	uint64_t dr6 = 0;

	catch_reset();
	asm volatile(TRY_BEGIN ".byte 0xf1" TRY_END : : : TRY_CLOBBERS);
	catch_check("int1 (F1)", 1, 0, AT_TRAP);

	/* POPF sets TF: the trap comes after the *next* instruction (SDM
	 * Vol. 3A §17.3.1.4), here the NOP, so RIP = the resume address. */
	catch_reset();
	asm volatile(TRY_BEGIN "movq %0, %%dr6" TRY_END
		     : : "r"(0xFFFF0FF0ul) : TRY_CLOBBERS);
	catch_setup_failed("mov to DR6 (setup)");
	catch_reset();
	asm volatile("pushfq; orq $0x100, (%%rsp)\n\t"
		     TRY_BEGIN "popfq; nop" TRY_END
		     : : : TRY_CLOBBERS);
	catch_check("single-step: popf setting TF, then nop", 1, 0, AT_TRAP);
	report(trap_catch.rflags & RFL_TF, "single-step frame has RFLAGS.TF set");
	catch_reset();
	asm volatile(TRY_BEGIN "movq %%dr6, %0" TRY_END
		     : "+r"(dr6) : : TRY_CLOBBERS);
	catch_setup_failed("mov from DR6");
	report(dr6 & (1ul << 14), "DR6.BS is set after single-step");
}

static void test_bp_of(void)
{
	catch_reset();
	asm volatile(TRY_BEGIN "int3" TRY_END : : : TRY_CLOBBERS);
	catch_check("int3 (CC)", 3, 0, AT_TRAP);

	catch_reset();
	asm volatile(TRY_BEGIN ".byte 0xcd, 0x03" TRY_END : : : TRY_CLOBBERS);
	catch_check("int $3 (CD 03)", 3, 0, AT_TRAP);

	catch_reset();
	asm volatile(TRY_BEGIN "int $4" TRY_END : : : TRY_CLOBBERS);
	catch_check("int $4", 4, 0, AT_TRAP);
}

/* Each must raise #UD at the instruction. */
#define UD_CASE(fn, bytes)                                                     \
	static void fn(void)                                                   \
	{                                                                      \
		asm volatile(TRY_BEGIN bytes TRY_END : : : TRY_CLOBBERS);      \
	}
UD_CASE(ud_ud2, "ud2")
UD_CASE(ud_into, ".byte 0xce")               /* INTO: invalid in 64-bit */
UD_CASE(ud_push_es, ".byte 0x06")            /* PUSH ES: invalid in 64-bit */
UD_CASE(ud_lock_nop, ".byte 0xf0, 0x90")     /* LOCK NOP */
UD_CASE(ud_lock_add_reg, ".byte 0xf0, 0x01, 0xc0") /* LOCK ADD EAX, EAX */

/* LOCK MOV [RDI], EAX, aimed at a scratch word so that a CPU that wrongly
 * executes it corrupts nothing. */
static void ud_lock_mov(void)
{
	static uint32_t scratch;

	asm volatile(TRY_BEGIN ".byte 0xf0, 0x89, 0x07" TRY_END
		     : : "D"(&scratch), "a"(0) : TRY_CLOBBERS);
}

static const struct {
	const char *what;
	void (*run)(void);
} ud_cases[] = {
	{ "ud2", ud_ud2 },
	{ "into in 64-bit mode", ud_into },
	{ "push %es in 64-bit mode", ud_push_es },
	{ "lock nop", ud_lock_nop },
	{ "lock add with a register destination", ud_lock_add_reg },
	{ "lock mov to memory", ud_lock_mov },
};

static void test_ud(void)
{
	for (unsigned i = 0; i < sizeof(ud_cases) / sizeof(ud_cases[0]); i++) {
		catch_reset();
		ud_cases[i].run();
		catch_check(ud_cases[i].what, 6, 0, AT_FAULT);
	}
}

static void test_np(void)
{
	/* INT n through a not-present gate: error code = vector * 8 + 2
	 * (IDT bit), EXT = 0 for a software interrupt. */
	idt_set_attr(0x40, 0, 0);
	catch_reset();
	asm volatile(TRY_BEGIN "int $0x40" TRY_END : : : TRY_CLOBBERS);
	idt_set_attr(0x40, 1, 0);
	catch_check("int $0x40 through a not-present gate", 11, 0x202,
		    AT_FAULT);

	/* A benign exception (#UD) whose gate is not present: the #NP is
	 * delivered (no #DF), with EXT = 1 and the IDT bit. */
	idt_set_attr(6, 0, 0);
	catch_reset();
	asm volatile(TRY_BEGIN "ud2" TRY_END : : : TRY_CLOBBERS);
	idt_set_attr(6, 1, 0);
	catch_check("#UD with a not-present gate", 11, 6 * 8 + 2 + 1,
		    AT_FAULT);

	catch_reset();
	asm volatile("movw %0, %%ax\n\t" TRY_BEGIN "movw %%ax, %%ds" TRY_END
		     : : "i"(SEL_NOTPRESENT) : "rax", TRY_CLOBBERS);
	catch_check("mov to DS of a not-present segment", 11, SEL_NOTPRESENT,
		    AT_FAULT);
}

static void test_ss(void)
{
	catch_reset();
	asm volatile("movabsq $0x8000000000000000, %%rax\n\t"
		     TRY_BEGIN "movq (%%rsp,%%rax), %%rcx" TRY_END
		     : : : "rax", "rcx", TRY_CLOBBERS);
	catch_check("non-canonical access based on RSP", 12, 0, AT_FAULT);

	/* RBP is made canonical first: the compiler may keep anything in it. */
	catch_reset();
	asm volatile("pushq %%rbp\n\t"
		     "movq %%rsp, %%rbp\n\t"
		     "movabsq $0x8000000000000000, %%rax\n\t"
		     TRY_BEGIN "movq (%%rbp,%%rax), %%rcx" TRY_END
		     "popq %%rbp"
		     : : : "rax", "rcx", TRY_CLOBBERS);
	catch_check("non-canonical access based on RBP", 12, 0, AT_FAULT);

	catch_reset();
	asm volatile("movw %0, %%ax\n\t" TRY_BEGIN "movw %%ax, %%ss" TRY_END
		     : : "i"(SEL_NOTPRESENT) : "rax", TRY_CLOBBERS);
	catch_check("mov to SS of a not-present segment", 12, SEL_NOTPRESENT,
		    AT_FAULT);
}

static void test_gp_memory(void)
{
	catch_reset();
	asm volatile(TRY_BEGIN "movq (%0), %%rax" TRY_END
		     : : "r"(NONCANONICAL) : "rax", TRY_CLOBBERS);
	catch_check("non-canonical read", 13, 0, AT_FAULT);

	catch_reset();
	asm volatile(TRY_BEGIN "movq $1, (%0)" TRY_END
		     : : "r"(0x0000800000000000ul) : TRY_CLOBBERS);
	catch_check("non-canonical write at 2^47", 13, 0, AT_FAULT);

	/* The jump itself faults; RIP stays at the JMP (x86-pitfalls). */
	catch_reset();
	asm volatile(TRY_BEGIN "jmp *%0" TRY_END
		     : : "r"(0x0000800000000000ul) : TRY_CLOBBERS);
	catch_check("jmp to a non-canonical address", 13, 0, AT_FAULT);
}

static void test_gp_system(void)
{
	catch_reset();
	asm volatile(TRY_BEGIN "wrmsr" TRY_END
		     : : "c"(0xDEAD0000u), "a"(0), "d"(0) : TRY_CLOBBERS);
	catch_check("wrmsr to an unknown MSR", 13, 0, AT_FAULT);


	catch_reset();
	asm volatile("movw %0, %%ax\n\t" TRY_BEGIN "movw %%ax, %%ds" TRY_END
		     : : "i"(SEL_KCODE_RO) : "rax", TRY_CLOBBERS);
	catch_check("mov to DS of an execute-only code segment", 13,
		    SEL_KCODE_RO, AT_FAULT);

	catch_reset();
	asm volatile("movw %0, %%ax\n\t" TRY_BEGIN "movw %%ax, %%ss" TRY_END
		     : : "i"(SEL_UDATA) : "rax", TRY_CLOBBERS);
	catch_check("mov to SS of a DPL-3 segment at CPL 0", 13,
		    SEL_UDATA & ~3, AT_FAULT);

	/* 15 prefixes + NOP = 16 bytes: over the 15-byte limit. */
	catch_reset();
	asm volatile(TRY_BEGIN ".fill 15, 1, 0x66; nop" TRY_END
		     : : : TRY_CLOBBERS);
	catch_check("16-byte instruction", 13, 0, AT_FAULT);
}

/* Last, because a CPU that gets this wrong may not come back. */
static void test_gp_cr4(void)
{
	uint64_t cr4 = read_cr4();

	catch_reset();
	asm volatile(TRY_BEGIN "movq %0, %%cr4" TRY_END
		     : : "r"(cr4 | (1ul << 31)) : TRY_CLOBBERS);
	write_cr4(cr4);
	catch_check("mov to CR4 with reserved bit 31", 13, 0, AT_FAULT);
}

void exceptions_run_all(void)
{
	test_de();
	test_db();
	test_bp_of();
	test_ud();
	test_np();
	test_ss();
	test_gp_memory();
	test_gp_system();
	test_pf();
	test_df();
	test_fpu();
	test_ring3();
	test_gp_cr4();
}
