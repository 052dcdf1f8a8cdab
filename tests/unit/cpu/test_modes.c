/*
 * tests/unit/cpu/test_modes.c — mode and privilege changes (cpu/modes.c,
 * cpu/segment.c, cpu/far.c, cpu/iret.c): SYSCALL/SYSRET, IRETQ, far
 * JMP/CALL/RETF between 64-bit and compatibility mode, segment-register
 * loads, CR0/CR3/CR4/CR8/EFER checks, the 32-bit → long-mode switch of a
 * multiboot kernel, and the boot states.
 *
 * Programs are literal bytes (GNU as listings in the comments) run in the
 * fixture machine, whose IDT sends every vector to a `hlt` stub. Rules
 * that need no program call the modes.c functions directly under a
 * fault trap. Expected values come from the Intel SDM (Vol. 2 instruction
 * pages, Vol. 3A §2.5, §5.8.8, §9.8.5).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/common/fixture.h"

static struct fx *fx;

static void setup64(void) { fx = fx_new(FX_LONG64); }
static void setup32(void) { fx = fx_new(FX_PROT32); }
static void teardown(void) { fx_free(fx); }

TestSuite(modes, .init = setup64, .fini = teardown);
TestSuite(modes32, .init = setup32, .fini = teardown);

#define CPU (fx->cpu)
#define USER_STACK FX_USER_STACK
#define RSP0 0x1F0000u

static void expect_vector(const uint8_t *code, size_t len, int vec)
{
	struct cpu_exit ex = fx_exec(fx, code, len);

	cr_assert_eq(ex.reason, CPU_EXIT_HLT, "exit reason %d", ex.reason);
	cr_assert_eq(fx_vector(fx), vec, "vector %d, want %d", fx_vector(fx),
		     vec);
}

/* Run code that must end at its own HLT at offset `hlt_at`. */
static void expect_halt_at(const uint8_t *code, size_t len, size_t hlt_at)
{
	struct cpu_exit ex = fx_exec(fx, code, len);

	cr_assert_eq(ex.reason, CPU_EXIT_HLT, "exit reason %d", ex.reason);
	cr_assert_eq(fx_vector(fx), -1, "took exception %d", fx_vector(fx));
	cr_assert_eq(CPU->rip, FX_CODE + hlt_at + 1, "rip %#llx",
		     (unsigned long long)CPU->rip);
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

/* ---- direct calls under a fault trap --------------------------------------
 * Each returns the vector raised, or -1; *err gets the error code. */

static int try_cr(int n, uint64_t v)
{
	if (setjmp(CPU->fault_jmp))
		return CPU->pend_vec;
	cpu_write_cr(CPU, n, v);
	return -1;
}

static int try_efer(uint64_t v)
{
	if (setjmp(CPU->fault_jmp))
		return CPU->pend_vec;
	cpu_set_efer(CPU, v);
	return -1;
}

static int try_load_seg(int seg, uint16_t sel, uint32_t *err)
{
	if (setjmp(CPU->fault_jmp)) {
		*err = CPU->pend_err;
		return CPU->pend_vec;
	}
	cpu_load_seg(CPU, seg, sel);
	return -1;
}

/* ---- SYSCALL / SYSRET ----------------------------------------------------- */

/* STAR as Linux sets it up: kernel CS 0x08 (SS 0x10), user base 0x20
 * (CS32 0x23, SS 0x2B, CS64 0x33) — the fixture's GDT layout. */
static void set_syscall_msrs(uint64_t lstar)
{
	CPU->msr.star = (0x20ull << 48) | (0x08ull << 32);
	CPU->msr.lstar = lstar;
	CPU->msr.sfmask = RF_IF | RF_DF;
}

Test(modes, sysret_to_cpl3_then_syscall_back_to_lstar)
{
	static const uint8_t code[] = {
		0x48, 0x8d, 0x0d, 0x0a, 0x00, 0x00, 0x00, /* 00: lea rcx,[rip+0xa] */
		0x41, 0xbb, 0x02, 0x06, 0x00, 0x00,       /* 07: mov r11d,0x602 */
		0x48, 0x0f, 0x07,                         /* 0d: sysretq */
		0xf4,                                     /* 10: hlt (LSTAR) */
		0xbb, 0x34, 0x12, 0x00, 0x00,             /* 11: mov ebx,0x1234 */
		0x0f, 0x05,                               /* 16: syscall */
		0xf4,                                     /* 18: hlt */
	};
	fx_user_pages(fx);
	set_syscall_msrs(FX_CODE + 0x10);
	expect_halt_at(code, sizeof(code), 0x10);
	cr_assert_eq(CPU->gpr[RBX], 0x1234, "user code ran");
	cr_assert_eq(CPU->gpr[RCX], FX_CODE + 0x18, "RCX = next RIP");
	cr_assert_eq(CPU->gpr[R11], 0x602, "R11 = user RFLAGS");
	cr_assert_eq(CPU->rflags & (RF_IF | RF_DF), 0, "masked by SFMASK");
	cr_assert_eq(CPU->seg[SEG_CS].sel, 0x08);
	cr_assert_eq(CPU->seg[SEG_SS].sel, 0x10);
	cr_assert_eq(CPU->cpl, 0);
	cr_assert_eq(CPU->mode, MODE_LONG64);
}

Test(modes, sysret_loads_user_selectors_with_rpl3)
{
	static const uint8_t code[] = {
		0x48, 0x8d, 0x0d, 0x0a, 0x00, 0x00, 0x00, /* 00: lea rcx,[rip+0xa] */
		0x41, 0xbb, 0x02, 0x06, 0x00, 0x00,       /* 07: mov r11d,0x602 */
		0x48, 0x0f, 0x07,                         /* 0d: sysretq */
		0xf4,                                     /* 10: hlt */
		0xf4,                                     /* 11: hlt at CPL 3 */
	};
	fx_user_pages(fx);
	set_syscall_msrs(FX_CODE + 0x10);
	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 0x11);
	cr_assert_eq(fx_stack_qword(fx, 2), 0x33, "CS = STAR[63:48] + 16");
	cr_assert_eq(fx_stack_qword(fx, 3) & 0xFFF, 0x602, "RFLAGS = R11");
	cr_assert_eq(fx_stack_qword(fx, 5), 0x2B, "SS = STAR[63:48] + 8");
}

Test(modes, sysret_without_rex_w_enters_compatibility_mode)
{
	static const uint8_t code[] = {
		0xb9, 0x07, 0x00, 0x10, 0x00, /* 00: mov ecx,0x100007 */
		0x0f, 0x07,                   /* 05: sysretd */
		0xf4,                         /* 07: hlt (32-bit, CPL 3) */
	};
	fx_user_pages(fx);
	set_syscall_msrs(0);
	CPU->gpr[R11] = 0x2;
	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 7);
	cr_assert_eq(fx_stack_qword(fx, 2), 0x23, "CS = STAR[63:48]");
}

Test(modes, sysret_at_cpl3_is_gp)
{
	static const uint8_t code[] = {
		0x48, 0x8d, 0x0d, 0x0a, 0x00, 0x00, 0x00, /* 00: lea rcx,[rip+0xa] */
		0x41, 0xbb, 0x02, 0x06, 0x00, 0x00,       /* 07: mov r11d,0x602 */
		0x48, 0x0f, 0x07,                         /* 0d: sysretq */
		0xf4,                                     /* 10: hlt */
		0x48, 0x0f, 0x07,                         /* 11: sysretq (CPL 3) */
	};
	fx_user_pages(fx);
	set_syscall_msrs(FX_CODE + 0x10);
	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 0), 0);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 0x11);
	cr_assert_eq(fx_stack_qword(fx, 2), 0x33);
}

Test(modes, sysret_to_noncanonical_rcx_faults_at_cpl0_like_intel)
{
	static const uint8_t code[] = {
		0x48, 0xb9, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00,
		/* 00: movabs rcx,0x800000000000 */
		0x48, 0x0f, 0x07, /* 0a: sysretq */
		0xf4,             /* 0d: hlt */
	};
	set_syscall_msrs(0);
	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 0x0a);
	cr_assert_eq(fx_stack_qword(fx, 2), 0x08, "still CPL 0");
	cr_assert_eq(CPU->gpr[RSP], FX_STACK - 48, "no stack switch");
}

Test(modes, syscall_without_efer_sce_is_ud)
{
	static const uint8_t code[] = {
		0x0f, 0x05, /* 00: syscall */
		0xf4,       /* 02: hlt */
	};
	CPU->efer &= ~EFER_SCE;
	expect_vector(code, sizeof(code), EXC_UD);
	cr_assert_eq(fx_stack_qword(fx, 0), FX_CODE);
}

/* ---- IRET ------------------------------------------------------------------ */

Test(modes, iretq_to_cpl3_nulls_kernel_data_segments)
{
	static const uint8_t code[] = {
		0x6a, 0x2b,                               /* 00: push 0x2b */
		0x68, 0x00, 0xf0, 0x1f, 0x00,             /* 02: push 0x1ff000 */
		0x6a, 0x02,                               /* 07: push 0x2 */
		0x6a, 0x33,                               /* 09: push 0x33 */
		0x48, 0x8d, 0x0d, 0x03, 0x00, 0x00, 0x00, /* 0b: lea rcx,[rip+0x3] */
		0x51,                                     /* 12: push rcx */
		0x48, 0xcf,                               /* 13: iretq */
		0xcd, 0x80,                               /* 15: int 0x80 */
	};
	uint8_t dpl3_gate = 0xEE;

	fx_poke(fx, FX_IDT + 16 * 0x80 + 5, &dpl3_gate, 1);
	fx_user_pages(fx);
	expect_vector(code, sizeof(code), 0x80);
	cr_assert_eq(fx_stack_qword(fx, 0), FX_CODE + 0x17);
	cr_assert_eq(fx_stack_qword(fx, 1), 0x33);
	cr_assert_eq(fx_stack_qword(fx, 3), USER_STACK);
	cr_assert_eq(CPU->seg[SEG_DS].sel, 0, "DS (DPL 0) nulled at CPL 3");
	cr_assert_eq(CPU->seg[SEG_ES].sel, 0);
	cr_assert_eq(CPU->gpr[RSP], RSP0 - 40);
}

Test(modes, iretq_at_same_privilege_still_pops_ss_rsp)
{
	static const uint8_t code[] = {
		0x6a, 0x10,                               /* 00: push 0x10 */
		0x68, 0x00, 0x00, 0x15, 0x00,             /* 02: push 0x150000 */
		0x9c,                                     /* 07: pushf */
		0x6a, 0x08,                               /* 08: push 0x8 */
		0x48, 0x8d, 0x0d, 0x03, 0x00, 0x00, 0x00, /* 0a: lea rcx,[rip+0x3] */
		0x51,                                     /* 11: push rcx */
		0x48, 0xcf,                               /* 12: iretq */
		0xf4,                                     /* 14: hlt */
	};
	expect_halt_at(code, sizeof(code), 0x14);
	cr_assert_eq(CPU->gpr[RSP], 0x150000);
	cr_assert_eq(CPU->seg[SEG_DS].sel, 0x10, "no nulling at CPL 0");
}

Test(modes, iretq_to_noncanonical_rip_faults_before_popping)
{
	static const uint8_t code[] = {
		0x6a, 0x10,                   /* 00: push 0x10 */
		0x68, 0x00, 0x00, 0x15, 0x00, /* 02: push 0x150000 */
		0x6a, 0x02,                   /* 07: push 0x2 */
		0x6a, 0x08,                   /* 09: push 0x8 */
		0x48, 0xb9, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00,
		/* 0b: movabs rcx,0x800000000000 */
		0x51,       /* 15: push rcx */
		0x48, 0xcf, /* 16: iretq */
	};
	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 0), 0);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 0x16);
	cr_assert_eq(fx_stack_qword(fx, 4), FX_STACK - 40, "frame not popped");
}

Test(modes, iretq_with_ss_rpl_not_matching_cs_rpl_is_gp_selector)
{
	static const uint8_t code[] = {
		0x6a, 0x28,                               /* 00: push 0x28 */
		0x68, 0x00, 0xf0, 0x1f, 0x00,             /* 02: push 0x1ff000 */
		0x6a, 0x02,                               /* 07: push 0x2 */
		0x6a, 0x33,                               /* 09: push 0x33 */
		0x48, 0x8d, 0x0d, 0x03, 0x00, 0x00, 0x00, /* 0b: lea rcx,[rip+0x3] */
		0x51,                                     /* 12: push rcx */
		0x48, 0xcf,                               /* 13: iretq */
		0xf4,                                     /* 15: hlt */
	};
	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 0), 0x28);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 0x13);
	cr_assert_eq(CPU->cpl, 0);
}

Test(modes, iretq_at_cpl3_cannot_change_iopl_or_if)
{
	static const uint8_t user[] = {
		0x6a, 0x2b,                               /* 00: push 0x2b */
		0x68, 0x00, 0xe0, 0x1f, 0x00,             /* 02: push 0x1fe000 */
		0x68, 0x02, 0x32, 0x00, 0x00,             /* 07: push 0x3202 */
		0x6a, 0x33,                               /* 0c: push 0x33 */
		0x48, 0x8d, 0x0d, 0x03, 0x00, 0x00, 0x00, /* 0e: lea rcx,[rip+0x3] */
		0x51,                                     /* 15: push rcx */
		0x48, 0xcf,                               /* 16: iretq */
		0xcd, 0x80,                               /* 18: int 0x80 */
	};
	uint8_t dpl3_gate = 0xEE;

	fx_poke(fx, FX_IDT + 16 * 0x80 + 5, &dpl3_gate, 1);
	expect_user_vector(user, sizeof(user), 0x80);
	cr_assert_eq(fx_stack_qword(fx, 0), USER_CODE + 0x1a);
	cr_assert_eq(fx_stack_qword(fx, 2) & (RF_IF | RF_IOPL), 0,
		     "IF and IOPL kept at CPL 3 with IOPL 0");
	cr_assert_eq(fx_stack_qword(fx, 3), 0x1FE000, "RSP was loaded");
}

Test(modes, iret_with_nt_set_is_gp_in_ia32e_mode)
{
	static const uint8_t code[] = {
		0x48, 0xcf, /* 00: iretq */
	};
	cpu_set_rflags(CPU, RF_FIXED1 | RF_NT, ~0ull);
	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE);
}

Test(modes, real_mode_int_and_iret_round_trip)
{
	static const uint8_t code[] = {
		0xbc, 0x00, 0x80, /* 00: mov sp,0x8000 */
		0xcd, 0x10,       /* 03: int 0x10 */
		0xf4,             /* 05: hlt */
	};
	static const uint8_t handler[] = {
		0xb8, 0x34, 0x12, /* 00: mov ax,0x1234 */
		0xcf,             /* 03: iret */
	};
	uint32_t ivt = 0x20000000; /* 2000:0000 */
	struct cpu_exit ex;

	fx_poke(fx, 0x10000, code, sizeof(code));
	fx_poke(fx, 0x20000, handler, sizeof(handler));
	fx_poke(fx, 0x10 * 4, &ivt, 4);
	CPU->cr0 = CR0_ET;
	CPU->cr4 = 0;
	CPU->efer = 0;
	CPU->seg[SEG_CS] = (struct seg_cache){0x1000, 0x9B, 0xFFFF, 0x10000};
	CPU->seg[SEG_SS] = (struct seg_cache){0, 0x93, 0xFFFF, 0};
	CPU->idtr = (struct dtr){0, 0x3FF};
	CPU->rip = 0;
	cpu_set_rflags(CPU, RF_FIXED1 | RF_IF, ~0ull);
	cpu_tlb_flush(CPU, false);
	cpu_update_mode(CPU);
	ex = fx_run(fx, 100000);
	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	cr_assert_eq(CPU->rip, 6);
	cr_assert_eq(CPU->seg[SEG_CS].sel, 0x1000);
	cr_assert_eq(CPU->gpr[RAX] & 0xFFFF, 0x1234, "handler ran");
	cr_assert_eq(CPU->gpr[RSP] & 0xFFFF, 0x8000);
	cr_assert(CPU->rflags & RF_IF, "IRET restored IF");
	cr_assert_eq(fx_peek(fx, 0x7FFA, 2), 5, "pushed IP after INT");
}

/* ---- far transfers ----------------------------------------------------------- */

Test(modes, far_jump_into_compatibility_mode_and_back)
{
	static const uint8_t code[] = {
		0xff, 0x2d, 0x00, 0x00, 0x00, 0x00, /* 00: jmp fword [rip+0] */
		0x0c, 0x00, 0x10, 0x00, 0x18, 0x00, /* 06: 0x18:0x10000c */
		/* compatibility mode (CS 0x18, 32-bit): */
		0xb8, 0x05, 0x00, 0x00, 0x00, /* 0c: mov eax,5 */
		0x48, /* 11: dec eax (a REX prefix in 64-bit mode) */
		0xea, 0x19, 0x00, 0x10, 0x00, 0x08, 0x00, /* 12: jmp 0x8:0x100019 */
		/* 64-bit mode again: */
		0xf4, /* 19: hlt */
	};
	expect_halt_at(code, sizeof(code), 0x19);
	cr_assert_eq(CPU->gpr[RAX], 4, "the 0x48 byte ran as DEC EAX");
	cr_assert_eq(CPU->seg[SEG_CS].sel, 0x08);
	cr_assert_eq(CPU->mode, MODE_LONG64);
	/* The far jumps set the accessed bits of both code descriptors. */
	cr_assert_eq(fx_peek(fx, FX_GDT + 0x18 + 5, 1), 0x9B);
	cr_assert_eq(fx_peek(fx, FX_GDT + 0x08 + 5, 1), 0x9B);
}

Test(modes, far_jump_to_dpl3_code_at_cpl0_is_gp_selector)
{
	static const uint8_t code[] = {
		0xff, 0x2d, 0x00, 0x00, 0x00, 0x00, /* 00: jmp fword [rip+0] */
		0x00, 0x00, 0x10, 0x00, 0x33, 0x00, /* 06: 0x33:0x100000 */
	};
	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 0), 0x30);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE);
}

Test(modes, far_call_m16_64_pushes_cs_and_rip_and_retfq_pops_them)
{
	static const uint8_t code[] = {
		0x48, 0xff, 0x1d, 0x01, 0x00, 0x00, 0x00,
		/* 00: rex.w call fword [rip+1] */
		0xf4,                                           /* 07: hlt */
		0x12, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, /* 08: m16:64 */
		0x08, 0x00,                                     /* 10: ... 0x08 */
		0x48, 0xcb,                                     /* 12: retfq */
	};
	expect_halt_at(code, sizeof(code), 7);
	cr_assert_eq(CPU->gpr[RSP], FX_STACK);
	cr_assert_eq(fx_peek(fx, FX_STACK - 16, 8), FX_CODE + 7, "return RIP");
	cr_assert_eq(fx_peek(fx, FX_STACK - 8, 8), 0x08, "caller CS");
}

Test(modes, retfq_to_outer_privilege_loads_ss_rsp)
{
	static const uint8_t code[] = {
		0x6a, 0x2b,                               /* 00: push 0x2b */
		0x68, 0x00, 0xf0, 0x1f, 0x00,             /* 02: push 0x1ff000 */
		0x6a, 0x33,                               /* 07: push 0x33 */
		0x48, 0x8d, 0x0d, 0x03, 0x00, 0x00, 0x00, /* 09: lea rcx,[rip+0x3] */
		0x51,                                     /* 10: push rcx */
		0x48, 0xcb,                               /* 11: retfq */
		0xf4,                                     /* 13: hlt (CPL 3) */
	};
	fx_user_pages(fx);
	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 0x13);
	cr_assert_eq(fx_stack_qword(fx, 2), 0x33);
	cr_assert_eq(fx_stack_qword(fx, 4), USER_STACK);
	cr_assert_eq(fx_stack_qword(fx, 5), 0x2B);
	cr_assert_eq(CPU->seg[SEG_DS].sel, 0);
}

Test(modes, retfq_imm16_releases_parameter_bytes)
{
	static const uint8_t code[] = {
		0x6a, 0x08,                               /* 00: push 0x8 */
		0x48, 0x8d, 0x0d, 0x05, 0x00, 0x00, 0x00, /* 02: lea rcx,[rip+0x5] */
		0x51,                                     /* 09: push rcx */
		0x48, 0xca, 0x10, 0x00,                   /* 0a: retfq 0x10 */
		0xf4,                                     /* 0e: hlt */
	};
	expect_halt_at(code, sizeof(code), 0x0e);
	cr_assert_eq(CPU->gpr[RSP], FX_STACK + 0x10);
}

Test(modes, far_jump_to_conforming_code_keeps_cpl3)
{
	static const uint64_t conforming64 = 0x00AF9E000000FFFFull; /* DPL 0 */
	uint8_t user[] = {
		0xff, 0x2d, 0x00, 0x00, 0x00, 0x00, /* 00: jmp fword [rip+0] */
		0, 0, 0, 0, 0x3b, 0x00,             /* 06: 0x3b:USER_CODE+0xc */
		0x8c, 0xc8,                         /* 0c: mov eax,cs */
		0xf4,                               /* 0e: hlt */
	};
	uint32_t target = (uint32_t)USER_CODE + 0x0c;

	memcpy(user + 6, &target, 4);
	fx_poke(fx, FX_GDT + 0x38, &conforming64, 8);
	expect_user_vector(user, sizeof(user), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 1), USER_CODE + 0x0e, "HLT at CPL 3");
	cr_assert_eq(fx_stack_qword(fx, 2), 0x3B, "RPL = CPL, not DPL");
	cr_assert_eq(CPU->gpr[RAX] & 0xFFFF, 0x3B);
}

Test(modes, far_jump_from_cpl3_to_dpl0_code_is_gp_selector)
{
	static const uint8_t user[] = {
		0xff, 0x2d, 0x00, 0x00, 0x00, 0x00, /* 00: jmp fword [rip+0] */
		0x00, 0x00, 0x10, 0x00, 0x08, 0x00, /* 06: 0x08:0x100000 */
	};
	expect_user_vector(user, sizeof(user), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 0), 0x08);
	cr_assert_eq(fx_stack_qword(fx, 1), USER_CODE);
	cr_assert_eq(fx_stack_qword(fx, 2), 0x33);
}

/* ---- segment loads ------------------------------------------------------------ */

Test(modes, mov_ss_with_rpl_not_cpl_is_gp_selector)
{
	static const uint8_t code[] = {
		0x66, 0xb8, 0x2b, 0x00, /* 00: mov ax,0x2b */
		0x8e, 0xd0,             /* 04: mov ss,eax */
		0xf4,                   /* 06: hlt */
	};
	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 0), 0x28);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 4);
}

Test(modes, not_present_segment_is_np_for_ds_and_ss_fault_for_ss)
{
	static const uint64_t absent_data = 0x00CF12000000FFFFull; /* P = 0 */
	uint32_t err = 0;

	fx_poke(fx, FX_GDT + 0x38, &absent_data, 8);
	cr_assert_eq(try_load_seg(SEG_DS, 0x38, &err), EXC_NP);
	cr_assert_eq(err, 0x38);
	cr_assert_eq(try_load_seg(SEG_SS, 0x38, &err), EXC_SS);
	cr_assert_eq(err, 0x38);
	cr_assert_eq(CPU->seg[SEG_DS].sel, 0x10, "unchanged after a fault");
}

Test(modes, segment_load_type_and_privilege_rules)
{
	uint32_t err = 0;

	/* SS must be writable data. */
	cr_assert_eq(try_load_seg(SEG_SS, 0x18, &err), EXC_GP);
	cr_assert_eq(err, 0x18);
	/* A system descriptor (the TSS) is no data segment. */
	cr_assert_eq(try_load_seg(SEG_FS, 0x40, &err), EXC_GP);
	cr_assert_eq(err, 0x40);
	/* An LDT selector with a null LDTR. */
	cr_assert_eq(try_load_seg(SEG_ES, 0x0C, &err), EXC_GP);
	cr_assert_eq(err, 0x0C);
	/* Readable code may be loaded into DS; DPL 3 data at CPL 0 too. */
	cr_assert_eq(try_load_seg(SEG_DS, 0x33, &err), -1);
	cr_assert_eq(try_load_seg(SEG_ES, 0x2B, &err), -1);
	cr_assert_eq(CPU->seg[SEG_ES].sel, 0x2B);
	cr_assert_eq(SEGA_DPL(CPU->seg[SEG_ES].attr), 3);
}

Test(modes, segment_load_sets_accessed_bit_and_caches_descriptor)
{
	uint32_t err = 0;

	cr_assert_eq(fx_peek(fx, FX_GDT + 0x10 + 5, 1), 0x92);
	cr_assert_eq(try_load_seg(SEG_GS, 0x10, &err), -1);
	cr_assert_eq(fx_peek(fx, FX_GDT + 0x10 + 5, 1), 0x93);
	cr_assert_eq(CPU->seg[SEG_GS].limit, 0xFFFFFFFF);
	cr_assert_eq(CPU->seg[SEG_GS].base, 0);
	cr_assert_eq(CPU->seg[SEG_GS].attr & 0xFF, 0x93);
}

Test(modes, null_ss_is_legal_in_64bit_mode_at_cpl0_only)
{
	static const uint8_t code[] = {
		0x31, 0xc0, /* 00: xor eax,eax */
		0x8e, 0xd0, /* 02: mov ss,eax */
		0xf4,       /* 04: hlt */
	};
	uint32_t err = 0;

	expect_halt_at(code, sizeof(code), 4);
	cr_assert_eq(CPU->seg[SEG_SS].sel, 0);
	cr_assert_eq(CPU->cpl, 0, "CPL unchanged by a null SS");

	fx_free(fx);
	fx = fx_new(FX_PROT32);
	cr_assert_eq(try_load_seg(SEG_SS, 0, &err), EXC_GP);
	cr_assert_eq(err, 0);
}

/* ---- control registers and EFER ------------------------------------------------ */

Test(modes, mov_cr0_with_upper_bits_is_gp)
{
	static const uint8_t code[] = {
		0x0f, 0x20, 0xc0,             /* 00: mov rax,cr0 */
		0x48, 0x0f, 0xba, 0xe8, 0x20, /* 03: bts rax,0x20 */
		0x0f, 0x22, 0xc0,             /* 08: mov cr0,rax */
		0xf4,                         /* 0b: hlt */
	};
	uint64_t cr0 = CPU->cr0;

	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 0), 0);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 8);
	cr_assert_eq(CPU->cr0, cr0);
}

Test(modes, mov_cr4_with_unadvertised_feature_is_gp)
{
	static const uint8_t code[] = {
		0x0f, 0x20, 0xe0, /* 00: mov rax,cr4 */
		0x83, 0xc8, 0x01, /* 03: or eax,0x1 (VME) */
		0x0f, 0x22, 0xe0, /* 06: mov cr4,rax */
		0xf4,             /* 09: hlt */
	};
	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 6);
}

Test(modes, wrmsr_efer_reserved_bit_is_gp)
{
	static const uint8_t code[] = {
		0xb9, 0x80, 0x00, 0x00, 0xc0, /* 00: mov ecx,0xc0000080 */
		0x0f, 0x32,                   /* 05: rdmsr */
		0x83, 0xc8, 0x02,             /* 07: or eax,0x2 */
		0x0f, 0x30,                   /* 0a: wrmsr */
		0xf4,                         /* 0c: hlt */
	};
	uint64_t efer = CPU->efer;

	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_stack_qword(fx, 1), FX_CODE + 0x0a);
	cr_assert_eq(CPU->efer, efer);
}

Test(modes, cr0_invalid_combinations_are_gp)
{
	uint64_t cr0 = CPU->cr0;

	cr_assert_eq(try_cr(0, cr0 & ~CR0_PE), EXC_GP, "PG without PE");
	cr_assert_eq(try_cr(0, cr0 | CR0_NW), EXC_GP, "NW without CD");
	cr_assert_eq(try_cr(0, cr0 & ~CR0_PG), EXC_GP,
		     "paging off in 64-bit mode");
	cr_assert_eq(CPU->cr0, cr0);
	cr_assert_eq(try_cr(0, cr0 | CR0_CD | CR0_NW | CR0_AM), -1);
	cr_assert_eq(CPU->cr0, cr0 | CR0_CD | CR0_NW | CR0_AM);
	/* Reserved bits in 31:0 are ignored; ET reads as 1. */
	cr_assert_eq(try_cr(0, (cr0 | (1u << 7)) & ~CR0_ET), -1);
	cr_assert_eq(CPU->cr0 & ((1u << 7) | CR0_ET), CR0_ET);
}

Test(modes, cr3_cr4_cr8_reserved_bits_are_gp)
{
	cr_assert_eq(try_cr(3, 1ull << 40), EXC_GP, "above MAXPHYADDR");
	cr_assert_eq(try_cr(3, FX_PML4 | 0x8), -1); /* PWT is no reserved bit */
	cr_assert_eq(CPU->cr3, FX_PML4 | 0x8);
	cr_assert_eq(try_cr(4, CPU->cr4 | CR4_PCIDE), EXC_GP);
	cr_assert_eq(try_cr(4, CPU->cr4 | CR4_OSXSAVE), EXC_GP);
	cr_assert_eq(try_cr(4, CPU->cr4 | CR4_FSGSBASE), EXC_GP);
	cr_assert_eq(try_cr(4, CPU->cr4 & ~CR4_PAE), EXC_GP,
		     "PAE cleared in IA-32e mode");
	cr_assert_eq(try_cr(4, CPU->cr4 | CR4_PGE | CR4_SMEP | CR4_SMAP |
				       CR4_UMIP),
		     -1);
	cr_assert(CPU->cr4 & CR4_SMEP);
	cr_assert_eq(try_cr(8, 0x10), EXC_GP);
	cr_assert_eq(try_cr(8, 0xF), -1);
	cr_assert_eq(CPU->cr8, 0xF);
	cr_assert_eq(try_cr(5, 0), EXC_UD);
}

Test(modes, efer_rules)
{
	uint64_t efer = CPU->efer;

	cr_assert_eq(try_efer(efer | (1ull << 1)), EXC_GP, "reserved bit");
	cr_assert_eq(try_efer(efer & ~EFER_LME), EXC_GP,
		     "LME change with paging on");
	cr_assert_eq(try_efer(efer & ~(EFER_LMA | EFER_NXE)), -1);
	cr_assert_eq(CPU->efer, efer & ~EFER_NXE, "LMA is read-only");
}

/* ---- 32-bit protected mode → long mode (the multiboot boot stub) ----------- */

Test(modes32, boot_stub_sequence_reaches_64bit_mode)
{
	static const uint8_t code[] = {
		0x0f, 0x20, 0xe0,             /* 00: mov eax,cr4 */
		0x83, 0xc8, 0x20,             /* 03: or eax,0x20 (PAE) */
		0x0f, 0x22, 0xe0,             /* 06: mov cr4,eax */
		0xb8, 0x00, 0x10, 0x00, 0x00, /* 09: mov eax,0x1000 */
		0x0f, 0x22, 0xd8,             /* 0e: mov cr3,eax */
		0xb9, 0x80, 0x00, 0x00, 0xc0, /* 11: mov ecx,0xc0000080 */
		0x0f, 0x32,                   /* 16: rdmsr */
		0x0d, 0x00, 0x01, 0x00, 0x00, /* 18: or eax,0x100 (LME) */
		0x0f, 0x30,                   /* 1d: wrmsr */
		0x0f, 0x20, 0xc0,             /* 1f: mov eax,cr0 */
		0x0d, 0x00, 0x00, 0x00, 0x80, /* 22: or eax,0x80000000 (PG) */
		0x0f, 0x22, 0xc0,             /* 27: mov cr0,eax */
		0xea, 0x31, 0x00, 0x10, 0x00, 0x08, 0x00, /* 2a: jmp 0x8:0x100031 */
		0x48, 0xb8, 0x89, 0x67, 0x45, 0x23, 0x01, 0x00, 0x00, 0x00,
		/* 31: movabs rax,0x123456789 */
		0xf4, /* 3b: hlt */
	};
	expect_halt_at(code, sizeof(code), 0x3b);
	cr_assert_eq(CPU->gpr[RAX], 0x123456789ull);
	cr_assert_eq(CPU->mode, MODE_LONG64);
	cr_assert(CPU->efer & EFER_LMA);
	cr_assert_eq(CPU->seg[SEG_CS].sel, 0x08);
}

Test(modes32, paging_with_lme_but_without_pae_is_gp)
{
	static const uint8_t code[] = {
		0xb9, 0x80, 0x00, 0x00, 0xc0, /* 00: mov ecx,0xc0000080 */
		0x0f, 0x32,                   /* 05: rdmsr */
		0x0d, 0x00, 0x01, 0x00, 0x00, /* 07: or eax,0x100 */
		0x0f, 0x30,                   /* 0c: wrmsr */
		0x0f, 0x20, 0xc0,             /* 0e: mov eax,cr0 */
		0x0d, 0x00, 0x00, 0x00, 0x80, /* 11: or eax,0x80000000 */
		0x0f, 0x22, 0xc0,             /* 16: mov cr0,eax */
		0xf4,                         /* 19: hlt */
	};
	expect_vector(code, sizeof(code), EXC_GP);
	cr_assert_eq(fx_peek(fx, CPU->gpr[RSP] + 4, 4), FX_CODE + 0x16);
	cr_assert_eq(CPU->efer & EFER_LMA, 0);
	cr_assert_eq(CPU->cr0 & CR0_PG, 0);
}

Test(modes32, lma_is_set_by_paging_and_mode_is_compatibility)
{
	cr_assert_eq(try_cr(4, CR4_PAE), -1);
	cr_assert_eq(try_efer(EFER_LME), -1);
	cr_assert_eq(try_cr(0, CPU->cr0 | CR0_PG), -1);
	cr_assert(CPU->efer & EFER_LMA);
	cr_assert_eq(CPU->mode, MODE_PROT32, "compatibility mode: CS.L = 0");
	cr_assert_eq(try_cr(0, CPU->cr0 & ~CR0_PG), -1,
		     "leaving IA-32e mode from compatibility mode");
	cr_assert_eq(CPU->efer & EFER_LMA, 0);
}

/* ---- derived mode and boot states ---------------------------------------------- */

Test(modes, cpl_follows_ss_dpl_and_real_mode_is_cpl0)
{
	CPU->seg[SEG_SS].attr = (uint16_t)(CPU->seg[SEG_SS].attr | (3u << 5));
	cpu_update_mode(CPU);
	cr_assert_eq(CPU->cpl, 3);
	CPU->cr0 &= ~(CR0_PG | CR0_PE);
	CPU->efer &= ~EFER_LMA;
	cpu_update_mode(CPU);
	cr_assert_eq(CPU->cpl, 0);
	cr_assert_eq(CPU->mode, MODE_REAL16);
}

Test(modes, boot_long64_state_matches_boot_md)
{
	uint64_t gdt[4];

	cr_assert_eq(cpu_write_boot_gdt(fx->mem, 0x800), 32);
	for (int i = 0; i < 4; i++)
		gdt[i] = fx_peek(fx, 0x800 + 8 * i, 8);
	cr_assert_eq(gdt[0], 0);
	cr_assert_eq((gdt[1] >> 53) & 1, 1, "0x08 is 64-bit code");
	cr_assert_eq((gdt[3] >> 54) & 1, 1, "0x18 is 32-bit code");
	cr_assert_eq((gdt[2] >> 41) & 1, 1, "0x10 is writable data");

	cpu_reset(CPU);
	cpu_setup_long64(CPU, 0x1000, 0x800);
	cr_assert_eq(CPU->mode, MODE_LONG64);
	cr_assert_eq(CPU->cpl, 0);
	cr_assert_eq(CPU->cr0, CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP |
				       CR0_PG);
	cr_assert_eq(CPU->cr4, CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT);
	cr_assert_eq(CPU->efer, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
	cr_assert_eq(CPU->cr3, 0x1000);
	cr_assert_eq(CPU->seg[SEG_CS].sel, 0x08);
	cr_assert_eq(CPU->seg[SEG_SS].sel, 0x10);
	cr_assert_eq(CPU->seg[SEG_DS].sel, 0x10);
	cr_assert_eq(CPU->seg[SEG_FS].sel, 0);
	cr_assert_eq(CPU->gdtr.base, 0x800);
	cr_assert_eq(CPU->idtr.limit, 0);
	cr_assert_eq(cpu_get_rflags(CPU), RF_FIXED1);
	cr_assert_eq(CPU->mxcsr, 0x1F80);
	cr_assert_eq(CPU->fpu.fcw, 0x037F);
}

Test(modes, boot_protected32_state_is_flat_32bit_without_paging)
{
	cpu_reset(CPU);
	cpu_setup_protected32(CPU);
	cr_assert_eq(CPU->mode, MODE_PROT32);
	cr_assert_eq(CPU->cpl, 0);
	cr_assert_eq(CPU->cr0 & (CR0_PE | CR0_PG), CR0_PE);
	cr_assert_eq(CPU->efer, 0);
	cr_assert_eq(CPU->seg[SEG_CS].base, 0);
	cr_assert_eq(CPU->seg[SEG_CS].limit, 0xFFFFFFFF);
	cr_assert_eq(CPU->seg[SEG_DS].limit, 0xFFFFFFFF);
	cr_assert(CPU->seg[SEG_SS].attr & SEGA_DB);
	cr_assert_eq(cpu_get_rflags(CPU) & RF_IF, 0);
}
