/*
 * tests/unit/cpu/test_fastpath.c — the block loop and its fast runners
 * (cpu/exec.c, cpu/fastpath*.c): time stays exact although it is charged
 * per block (RDTSC inside a block, a fault inside a block, a loop's
 * cycles against the cost table), self-modifying code through a fast
 * store, fast memory forms that miss the TLB, cross a page or fault
 * (nothing may change), and branch targets the fast runners must refuse.
 * The unit and differential suites check the fast runners' results; these
 * check what the bulk accounting and the fallbacks could get wrong.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/common/fixture.h"

static struct fx *fx;

static void setup(void) { fx = fx_new(FX_LONG64); }
static void teardown(void) { fx_free(fx); }

TestSuite(fastpath, .init = setup, .fini = teardown);

#define REG(r) (fx->cpu->gpr[r])
#define COST(k) (fx->cpu->cost[k])

enum { FR_ERR, FR_RIP, FR_CS, FR_RFLAGS, FR_RSP, FR_SS };

/* Run the code once to fill the TLB and the block cache, then again from
 * the start: the second run charges no page walk. */
static struct cpu_exit run_warm(const uint8_t *code, size_t len)
{
	fx_exec(fx, code, len);
	fx->cpu->rip = FX_CODE;
	fx->cpu->halted = false;
	return fx_run(fx, 1000000);
}

/* Make the 2 MiB page at 4 MiB not present (PD entry 2). */
static void unmap_4m(void)
{
	uint64_t zero = 0;
	fx_poke(fx, 0x3000 + 2 * 8, &zero, 8);
	cpu_tlb_flush(fx->cpu, false);
}

Test(fastpath, rdtsc_in_a_block_sees_the_cycles_of_the_insns_before_it)
{
	static const uint8_t code[] = {
	    0x48, 0x31, 0xdb, /* xor rbx, rbx */
	    0x48, 0x01, 0xdb, /* add rbx, rbx */
	    0x48, 0x29, 0xd9, /* sub rcx, rbx */
	    0x48, 0x31, 0xc9, /* xor rcx, rcx */
	    0x0f, 0x31,       /* rdtsc */
	    0xf4,             /* hlt */
	};
	fx_exec(fx, code, sizeof(code));
	fx->cpu->rip = FX_CODE;
	fx->cpu->halted = false;
	uint64_t tsc0 = cpu_read_tsc(fx->cpu);
	uint64_t instret0 = cpu_instret(fx->cpu);
	struct cpu_exit ex = fx_run(fx, 1000000);

	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	uint64_t tsc = (REG(RDX) << 32) | (uint32_t)REG(RAX);
	cr_expect_eq(tsc, tsc0 + 4 * COST(C_ALU), "tsc %llu, want %llu",
		     (unsigned long long)tsc,
		     (unsigned long long)(tsc0 + 4 * COST(C_ALU)));
	cr_expect_eq(cpu_instret(fx->cpu) - instret0, 6);
}

Test(fastpath, a_loop_is_charged_exactly_the_cost_table_sum)
{
	static const uint8_t code[] = {
	    0xb9, 0x0a, 0x00, 0x00, 0x00, /* mov ecx, 10 */
	    0x83, 0xc0, 0x01,             /* 1: add eax, 1 */
	    0xff, 0xc9,                   /* dec ecx */
	    0x75, 0xf9,                   /* jnz 1b */
	    0xf4,                         /* hlt */
	};
	fx_exec(fx, code, sizeof(code));
	fx->cpu->rip = FX_CODE;
	fx->cpu->halted = false;
	REG(RAX) = 0;
	cycles_t cycles0 = cpu_cycles(fx->cpu);
	uint64_t instret0 = cpu_instret(fx->cpu);
	fx_run(fx, 1000000);

	cr_expect_eq(REG(RAX), 10);
	cr_expect_eq(cpu_instret(fx->cpu) - instret0, 1 + 3 * 10 + 1);
	cr_expect_eq(cpu_cycles(fx->cpu) - cycles0,
		     COST(C_MOV) + 10 * (2 * COST(C_ALU) + COST(C_BRANCH)) +
			 COST(C_SERIALIZE));
}

Test(fastpath, a_fault_in_a_block_retires_exactly_the_insns_before_it)
{
	static const uint8_t code[] = {
	    0x48, 0x31, 0xc0,             /* xor rax, rax */
	    0x48, 0xff, 0xc0,             /* inc rax */
	    0x48, 0x89, 0xc3,             /* mov rbx, rax */
	    0x48, 0x8b, 0x0c, 0x25, 0x00, /* mov rcx, [0x400000] */
	    0x00, 0x40, 0x00,             /* */
	    0xf4,                         /* hlt */
	};
	unmap_4m();
	uint64_t instret0 = cpu_instret(fx->cpu);
	fx_exec(fx, code, sizeof(code));

	cr_assert_eq(fx_vector(fx), 14);
	cr_expect_eq(fx_stack_qword(fx, FR_RIP), FX_CODE + 9);
	cr_expect_eq(fx->cpu->cr2, 0x400000);
	cr_expect_eq(REG(RBX), 1);
	/* Three instructions and the stub's HLT; the load never retired. */
	cr_expect_eq(cpu_instret(fx->cpu) - instret0, 4);
}

Test(fastpath, a_register_only_fault_retires_exactly_the_insns_before_it)
{
	static const uint8_t code[] = {
	    0x48, 0x31, 0xc9, /* xor rcx, rcx */
	    0x48, 0xff, 0xc0, /* inc rax */
	    0x48, 0x89, 0xc3, /* mov rbx, rax */
	    0x48, 0xf7, 0xf1, /* div rcx: #DE */
	    0xf4,             /* hlt */
	};
	uint64_t instret0 = cpu_instret(fx->cpu);
	fx_exec(fx, code, sizeof(code));

	cr_assert_eq(fx_vector(fx), 0);
	/* #DE pushes no error code: the frame starts with RIP. */
	cr_expect_eq(fx_stack_qword(fx, 0), FX_CODE + 9);
	cr_expect_eq(cpu_instret(fx->cpu) - instret0, 4);
}

Test(fastpath, a_store_into_the_running_block_changes_the_next_insn)
{
	static const uint8_t code[] = {
	    0xc6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x02, /* mov byte [rip+1], 2 */
	    0xb8, 0x01, 0x00, 0x00, 0x00,             /* mov eax, 1 */
	    0xf4,                                     /* hlt */
	};
	struct cpu_exit ex = fx_exec(fx, code, sizeof(code));

	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	cr_expect_eq(REG(RAX), 2);
}

Test(fastpath, a_64bit_store_into_the_running_block_is_seen_too)
{
	static const uint8_t code[] = {
	    0x48, 0x89, 0x05, 0x01, 0x00, 0x00, 0x00, /* mov [rip+1], rax */
	    0x90,                                     /* nop (overwritten) */
	    0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, /* ... */
	    0xf4,                                     /* hlt */
	};
	/* The 8 bytes stored at offset 8: mov ecx, 7; nop; nop; nop. */
	REG(RAX) = 0x90909000000007b9ull;
	struct cpu_exit ex = fx_exec(fx, code, sizeof(code));

	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	cr_expect_eq(REG(RCX), 7);
}

Test(fastpath, loads_that_miss_then_hit_the_tlb_agree)
{
	static const uint8_t code[] = {
	    0x48, 0x8b, 0x04, 0x25, 0x08, 0x00, 0x30, 0x00, /* mov rax,[..] */
	    0x48, 0x8b, 0x1c, 0x25, 0x08, 0x00, 0x30, 0x00, /* mov rbx,[..] */
	    0xf4,
	};
	uint64_t v = 0x0123456789ABCDEFull;
	fx_poke(fx, FX_DATA + 8, &v, 8);
	struct cpu_exit ex = run_warm(code, sizeof(code));

	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	cr_expect_eq(REG(RAX), v);
	cr_expect_eq(REG(RBX), v);
}

Test(fastpath, a_read_modify_write_across_a_page_adds_every_byte)
{
	static const uint8_t code[] = {
	    0x48, 0x01, 0x1c, 0x25, 0xfc, 0x0f, 0x30, 0x00, /* add [..], rbx */
	    0xf4,
	};
	uint64_t v = 0x00000001FFFFFFFFull;
	fx_poke(fx, FX_DATA + 0xFFC, &v, 8);
	REG(RBX) = 1;
	struct cpu_exit ex = fx_exec(fx, code, sizeof(code));

	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	cr_expect_eq(fx_peek(fx, FX_DATA + 0xFFC, 8), 0x0000000200000000ull);
	cr_expect_eq(cpu_get_rflags(fx->cpu) & (RF_CF | RF_ZF), 0);
}

Test(fastpath, a_faulting_read_modify_write_changes_nothing)
{
	static const uint8_t code[] = {
	    0x48, 0x31, 0xc9,                               /* xor rcx, rcx */
	    0x48, 0x01, 0x1c, 0x25, 0xfc, 0xff, 0x3f, 0x00, /* add [..], rbx */
	    0xf4,
	};
	uint64_t v = 0x1111111122222222ull;
	fx_poke(fx, 0x3FFFFC, &v, 8);
	unmap_4m();
	REG(RBX) = 0x55;
	struct cpu_exit ex = fx_exec(fx, code, sizeof(code));

	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	cr_assert_eq(fx_vector(fx), 14);
	cr_expect_eq(fx_stack_qword(fx, FR_RIP), FX_CODE + 3);
	cr_expect_eq(fx->cpu->cr2, 0x400000);
	cr_expect_eq(fx_peek(fx, 0x3FFFFC, 8), v);
	/* The flags are still those of the XOR before it. */
	cr_expect_eq(fx_stack_qword(fx, FR_RFLAGS) & (RF_ZF | RF_CF), RF_ZF);
}

Test(fastpath, ret_to_a_non_canonical_address_faults_before_rsp_moves)
{
	static const uint8_t code[] = {
	    0x48, 0xb8, 0x00, 0x00, 0x00, 0x00, /* mov rax, 1 << 47 */
	    0x00, 0x80, 0x00, 0x00,             /* */
	    0x50,                               /* push rax */
	    0xc3,                               /* ret */
	};
	struct cpu_exit ex = fx_exec(fx, code, sizeof(code));

	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	cr_assert_eq(fx_vector(fx), 13);
	cr_expect_eq(fx_stack_qword(fx, FR_ERR), 0);
	cr_expect_eq(fx_stack_qword(fx, FR_RIP), FX_CODE + 11);
	cr_expect_eq(fx_stack_qword(fx, FR_RSP), FX_STACK - 8);
}

Test(fastpath, jmp_through_memory_to_a_non_canonical_address_faults)
{
	static const uint8_t code[] = {
	    0xff, 0x24, 0x25, 0x00, 0x00, 0x30, 0x00, /* jmp [FX_DATA] */
	};
	uint64_t t = 0xFFFF700000000000ull;
	fx_poke(fx, FX_DATA, &t, 8);
	struct cpu_exit ex = fx_exec(fx, code, sizeof(code));

	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	cr_assert_eq(fx_vector(fx), 13);
	cr_expect_eq(fx_stack_qword(fx, FR_RIP), FX_CODE);
}

Test(fastpath, call_with_an_unwritable_stack_faults_and_pushes_nothing)
{
	static const uint8_t code[] = {
	    0xe8, 0x00, 0x00, 0x00, 0x00, /* call next */
	    0xf4,
	};
	/* The 2 MiB page at 2 MiB read-only (PD entry 1, CR0.WP), the stack
	 * in it, and #PF delivered on IST1 so that delivery has a stack. */
	uint64_t pde = (1ull << 21) | 0x81, gate;
	fx_poke(fx, 0x3000 + 1 * 8, &pde, 8);
	gate = fx_peek(fx, FX_IDT + 14 * 16, 8) | (1ull << 32);
	fx_poke(fx, FX_IDT + 14 * 16, &gate, 8);
	fx->cpu->cr0 |= CR0_WP;
	cpu_tlb_flush(fx->cpu, false);
	REG(RSP) = 0x300000;
	struct cpu_exit ex = fx_exec(fx, code, sizeof(code));

	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	cr_assert_eq(fx_vector(fx), 14);
	cr_expect_eq(fx_stack_qword(fx, FR_RIP), FX_CODE);
	cr_expect_eq(fx_stack_qword(fx, FR_RSP), 0x300000);
	cr_expect_eq(fx->cpu->cr2, 0x2FFFF8);
	cr_expect_eq(fx_peek(fx, 0x2FFFF8, 8), 0);
}

Test(fastpath, an_insn_across_a_page_boundary_runs_every_time)
{
	/* A loop whose first instruction (add eax, imm32) straddles the
	 * page at FX_CODE + 0x1000: it is never cached, and must run on
	 * every pass. */
	static const uint8_t body[] = {
	    0x81, 0xc0, 0x01, 0x00, 0x00, 0x00, /* 1: add eax, 1 */
	    0xff, 0xc2,                         /* inc edx */
	    0x83, 0xfa, 0x03,                   /* cmp edx, 3 */
	    0x75, 0xf3,                         /* jne 1b */
	    0xf4,                               /* hlt */
	};
	uint64_t at = FX_CODE + 0x1000 - 3;
	fx_poke(fx, at, body, sizeof(body));
	fx->cpu->rip = at;
	fx->cpu->halted = false;
	REG(RAX) = 0;
	REG(RDX) = 0;
	struct cpu_exit ex = fx_run(fx, 1000000);

	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	cr_expect_eq(REG(RAX), 3);
}

/* TEST r8, r8 / r16, r16 run through a fast runner: without REX, byte
 * registers 4..7 are AH..BH; with it, SPL..DIL. Each result decides ZF
 * and SF, read back through SETZ / SETS into registers. */
Test(fastpath, narrow_test_reads_high_byte_and_rex_byte_registers)
{
	static const uint8_t code[] = {
	    0x84, 0xe0,	      /* test al, ah */
	    0x0f, 0x94, 0xc1, /* setz cl */
	    0x0f, 0x98, 0xc5, /* sets ch */
	    0x40, 0x84, 0xf7, /* test dil, sil */
	    0x41, 0x0f, 0x94, 0xc0, /* setz r8b */
	    0x84, 0xf7,	      /* test bh, dh */
	    0x41, 0x0f, 0x94, 0xc1, /* setz r9b */
	    0x66, 0x85, 0xd3, /* test bx, dx */
	    0x41, 0x0f, 0x98, 0xc2, /* sets r10b */
	    0xf4,	      /* hlt */
	};
	REG(RAX) = 0x8081;   /* al 0x81, ah 0x80: 0x80, SF */
	REG(RSI) = 0x0100;   /* sil 0 */
	REG(RDI) = 0x01ff;   /* dil 0xff: dil & sil = 0, ZF */
	REG(RBX) = 0x8200;   /* bh 0x82, bx 0x8200 */
	REG(RDX) = 0x8100;   /* dh 0x81: bh & dh = 0x80, not ZF */
	REG(RCX) = 0;
	REG(R8) = REG(R9) = REG(R10) = 0;
	struct cpu_exit ex = fx_exec(fx, code, sizeof(code));

	cr_assert_eq(ex.reason, CPU_EXIT_HLT);
	cr_expect_eq(REG(RCX) & 0xFFFF, 0x0100, "cl = ZF 0, ch = SF 1");
	cr_expect_eq(REG(R8), 1, "dil & sil is zero");
	cr_expect_eq(REG(R9), 0, "bh & dh is not");
	cr_expect_eq(REG(R10), 1, "bx & dx has bit 15");
}
