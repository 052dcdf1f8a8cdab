/*
 * tests/unit/cpu/test_mov.c — data movement (cpu/ops_mov.c): MOV forms,
 * MOVABS/moffs, MOVZX/MOVSX/MOVSXD, LEA, XCHG, NOP/PAUSE, MOV Sreg, MOVNTI.
 * Each test runs literal instruction bytes (assembled with GNU as, the
 * listing is in the comments) in the fixture machine and checks the
 * architectural result against the Intel SDM.
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

TestSuite(mov, .init = setup64, .fini = teardown);

/* Run code ending in HLT and require that it halted there, no exception. */
static void run_ok(const uint8_t *code, size_t len)
{
	struct cpu_exit ex = fx_exec(fx, code, len);

	cr_assert_eq(ex.reason, CPU_EXIT_HLT, "exit reason %d", ex.reason);
	cr_assert_eq(fx_vector(fx), -1, "took exception %d", fx_vector(fx));
	cr_assert_eq(fx->cpu->rip, FX_CODE + len, "rip %#llx",
		     (unsigned long long)fx->cpu->rip);
}

/* Run code and require exception `vec` raised at code offset `at`. */
static void run_fault(const uint8_t *code, size_t len, int vec, size_t at)
{
	fx_exec(fx, code, len);
	cr_assert_eq(fx_vector(fx), vec, "vector %d, want %d", fx_vector(fx),
		     vec);
	int rip_slot = cpu_exc_has_errcode(vec) ? 1 : 0;
	cr_assert_eq(fx_stack_qword(fx, rip_slot), FX_CODE + at);
}

#define RUN(code) run_ok(code, sizeof(code))
#define REG(r) (fx->cpu->gpr[r])

/* ---- MOV register forms and byte registers ----------------------------- */

Test(mov, byte_regs_without_rex_name_ah_to_bh)
{
	static const uint8_t code[] = {
		0x88, 0xdc, /* mov ah,bl */
		0x88, 0xe0, /* mov al,ah */
		0xf4,
	};
	REG(RAX) = 0x1111111111111111ull;
	REG(RBX) = 0x2222222222222233ull;
	RUN(code);
	cr_assert_eq(REG(RAX), 0x1111111111113333ull);
	cr_assert_eq(REG(RSP), FX_STACK);
}

Test(mov, byte_regs_with_rex_name_spl_to_dil)
{
	static const uint8_t code[] = {
		0x40, 0x88, 0xdc, /* mov spl,bl */
		0x40, 0x88, 0xd6, /* mov sil,dl */
		0xf4,
	};
	REG(RAX) = 0x1111111111111111ull;
	REG(RBX) = 0x44;
	REG(RDX) = 0x55;
	REG(RSI) = 0xAAAAAAAAAAAAAAAAull;
	RUN(code);
	cr_assert_eq(REG(RSP), (FX_STACK & ~0xFFull) | 0x44);
	cr_assert_eq(REG(RSI), 0xAAAAAAAAAAAAAA55ull);
	cr_assert_eq(REG(RAX), 0x1111111111111111ull, "AH must not change");
}

Test(mov, word_write_merges_dword_write_zero_extends)
{
	static const uint8_t code[] = {
		0x66, 0x89, 0xd8, /* mov ax,bx */
		0x89, 0xd1,       /* mov ecx,edx */
		0xf4,
	};
	REG(RAX) = 0xFFFFFFFFFFFFFFFFull;
	REG(RBX) = 0x1234;
	REG(RCX) = 0xFFFFFFFFFFFFFFFFull;
	REG(RDX) = 0x0123456789ABCDEFull;
	RUN(code);
	cr_assert_eq(REG(RAX), 0xFFFFFFFFFFFF1234ull);
	cr_assert_eq(REG(RCX), 0x89ABCDEFull);
}

Test(mov, store_and_load_through_base_index_scale_disp)
{
	static const uint8_t code[] = {
		0x48, 0x89, 0x54, 0xcb, 0x10, /* mov [rbx+rcx*8+0x10],rdx */
		0x48, 0x8b, 0x44, 0xcb, 0x10, /* mov rax,[rbx+rcx*8+0x10] */
		0xf4,
	};
	REG(RBX) = FX_DATA;
	REG(RCX) = 3;
	REG(RDX) = 0xCAFEF00DDEADBEEFull;
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 0x28, 8), 0xCAFEF00DDEADBEEFull);
	cr_assert_eq(REG(RAX), 0xCAFEF00DDEADBEEFull);
}

Test(mov, immediate_to_memory_sign_extends_and_sizes)
{
	static const uint8_t code[] = {
		0x48, 0xc7, 0x03, 0xff, 0xff, 0xff, 0xff, /* mov qword [rbx],-1 */
		0xc6, 0x43, 0x08, 0x80,             /* mov byte [rbx+8],0x80 */
		0x66, 0xc7, 0x43, 0x0a, 0x34, 0x12, /* mov word [rbx+10],0x1234 */
		0xf4,
	};
	static const uint8_t ones[16] = {
		0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
		0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	};
	fx_poke(fx, FX_DATA, ones, sizeof(ones));
	REG(RBX) = FX_DATA;
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA, 8), ~0ull);
	cr_assert_eq(fx_peek(fx, FX_DATA + 8, 8), 0x1111111112341180ull);
}

Test(mov, immediates_to_registers_incl_movabs)
{
	static const uint8_t code[] = {
		0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22,
		0x11,                               /* movabs rax,0x1122..88 */
		0x41, 0xb1, 0x12,                   /* mov r9b,0x12 */
		0x41, 0xba, 0x00, 0x00, 0x00, 0x80, /* mov r10d,0x80000000 */
		0xb7, 0x55,                         /* mov bh,0x55 */
		0xf4,
	};
	REG(R9) = ~0ull;
	REG(R10) = ~0ull;
	REG(RBX) = 0x1111;
	RUN(code);
	cr_assert_eq(REG(RAX), 0x1122334455667788ull);
	cr_assert_eq(REG(R9), 0xFFFFFFFFFFFFFF12ull);
	cr_assert_eq(REG(R10), 0x80000000ull);
	cr_assert_eq(REG(RBX), 0x5511);
}

Test(mov, moffs_forms_use_64bit_absolute_offset)
{
	static const uint8_t code[] = {
		0xa0, 0x00, 0x00, 0x30, 0, 0, 0, 0, 0, /* movabs al,[0x300000] */
		0x48, 0xa3, 0x08, 0x00, 0x30, 0, 0, 0, 0,
		0,                                     /* movabs [0x300008],rax */
		0x66, 0xa1, 0x00, 0x00, 0x30, 0, 0, 0, 0,
		0,                                     /* movabs ax,[0x300000] */
		0xf4,
	};
	fx_poke(fx, FX_DATA, "\x5A\xA5", 2);
	REG(RAX) = 0x0102030405060700ull;
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 8, 8), 0x010203040506075Aull);
	cr_assert_eq(REG(RAX), 0x010203040506A55Aull);
}

Test(mov, moffs_in_32bit_mode_is_32bit_offset, .init = setup32)
{
	static const uint8_t code[] = {
		0xa1, 0x00, 0x00, 0x30, 0x00, /* mov eax,[0x300000] */
		0xa2, 0x10, 0x00, 0x30, 0x00, /* mov [0x300010],al */
		0xf4,
	};
	fx_poke(fx, FX_DATA, "\x78\x56\x34\x12", 4);
	RUN(code);
	cr_assert_eq(REG(RAX) & 0xFFFFFFFF, 0x12345678);
	cr_assert_eq(fx_peek(fx, FX_DATA + 0x10, 1), 0x78);
}

/* ---- MOVZX / MOVSX / MOVSXD --------------------------------------------- */

Test(mov, movzx_movsx_movsxd_extend_by_source_size)
{
	static const uint8_t code[] = {
		0x0f, 0xb6, 0x03,       /* movzx eax,byte [rbx] */
		0x48, 0x0f, 0xbe, 0x0b, /* movsx rcx,byte [rbx] */
		0x0f, 0xbf, 0x53, 0x02, /* movsx edx,word [rbx+2] */
		0x66, 0x0f, 0xb6, 0xf3, /* movzx si,bl */
		0x48, 0x63, 0x7b, 0x04, /* movsxd rdi,dword [rbx+4] */
		0xf4,
	};
	fx_poke(fx, FX_DATA, "\x80\x00\x00\x80\x00\x00\x00\xF0", 8);
	REG(RAX) = ~0ull;
	REG(RDX) = ~0ull;
	REG(RSI) = 0x123456789ABCDEF0ull;
	REG(RBX) = FX_DATA;
	RUN(code);
	cr_assert_eq(REG(RAX), 0x80);
	cr_assert_eq(REG(RCX), 0xFFFFFFFFFFFFFF80ull);
	cr_assert_eq(REG(RDX), 0xFFFF8000ull, "32-bit dest zero-extends");
	cr_assert_eq(REG(RSI), 0x123456789ABC0000ull, "16-bit dest merges");
	cr_assert_eq(REG(RDI), 0xFFFFFFFFF0000000ull);
}

Test(mov, movsxd_without_rexw_is_plain_32bit_move)
{
	static const uint8_t code[] = {
		0x63, 0xc3, /* movsxd eax,ebx */
		0xf4,
	};
	REG(RAX) = ~0ull;
	REG(RBX) = 0xFFFFFFFF80000001ull;
	RUN(code);
	cr_assert_eq(REG(RAX), 0x80000001ull);
}

/* ---- LEA ------------------------------------------------------------------ */

Test(mov, lea_truncates_to_operand_and_address_size)
{
	static const uint8_t code[] = {
		0x8d, 0x04, 0x0b,             /* lea eax,[rbx+rcx] */
		0x66, 0x8d, 0x53, 0x08,       /* lea dx,[rbx+8] */
		0x67, 0x48, 0x8d, 0x34, 0x4b, /* lea rsi,[ebx+ecx*2] */
		0x48, 0x8d, 0x3d, 0x10, 0, 0, 0, /* lea rdi,[rip+0x10] */
		0xf4,
	};
	REG(RBX) = 0x00000001FFFFFFF0ull;
	REG(RCX) = 0x0000000100000020ull;
	REG(RDX) = 0xAAAAAAAAAAAAAAAAull;
	RUN(code);
	cr_assert_eq(REG(RAX), 0x10);
	cr_assert_eq(REG(RDX), 0xAAAAAAAAAAAAFFF8ull);
	cr_assert_eq(REG(RSI), (0xFFFFFFF0ull + 0x40) & 0xFFFFFFFF,
		     "32-bit address zero-extended into a 64-bit register");
	cr_assert_eq(REG(RDI), FX_CODE + 19 + 0x10);
}

Test(mov, lea_does_not_access_memory)
{
	static const uint8_t code[] = {
		0x48, 0x8d, 0x83, 0x00, 0x00, 0x00, 0x80, /* lea rax,[rbx-2^31] */
		0xf4,
	};
	REG(RBX) = 0x0000800000000000ull; /* the sum is non-canonical */
	RUN(code);
	cr_assert_eq(REG(RAX), 0x00007FFF80000000ull);
}

Test(mov, lea_with_register_operand_is_ud)
{
	static const uint8_t code[] = {
		0x8d, 0xc0, /* lea eax,eax (invalid) */
		0xf4,
	};
	run_fault(code, sizeof(code), EXC_UD, 0);
}

/* ---- XCHG and NOPs ------------------------------------------------------- */

Test(mov, xchg_register_memory_and_byte_forms)
{
	static const uint8_t code[] = {
		0x48, 0x93, /* xchg rbx,rax */
		0x87, 0x0e, /* xchg [rsi],ecx */
		0x86, 0xc4, /* xchg ah,al */
		0xf4,
	};
	REG(RAX) = 0x1122;
	REG(RBX) = 0xAAAAAAAAAAAA3344ull;
	REG(RCX) = 0xFFFFFFFF12345678ull;
	REG(RSI) = FX_DATA;
	fx_poke(fx, FX_DATA, "\xEF\xBE\xAD\xDE\x99", 5);
	RUN(code);
	cr_assert_eq(REG(RAX), 0xAAAAAAAAAAAA4433ull);
	cr_assert_eq(REG(RBX), 0x1122);
	cr_assert_eq(REG(RCX), 0xDEADBEEF);
	cr_assert_eq(fx_peek(fx, FX_DATA, 8), 0x9912345678ull);
}

Test(mov, xchg_eax_eax_87_form_zero_extends)
{
	static const uint8_t code[] = {0x87, 0xc0, 0xf4}; /* xchg eax,eax */
	REG(RAX) = 0xFFFFFFFF00000001ull;
	RUN(code);
	cr_assert_eq(REG(RAX), 1);
}

Test(mov, nop_90_does_not_zero_extend_rax)
{
	static const uint8_t code[] = {0x90, 0xf4}; /* nop */
	REG(RAX) = 0xFFFFFFFF00000001ull;
	RUN(code);
	cr_assert_eq(REG(RAX), 0xFFFFFFFF00000001ull);
}

Test(mov, rex_b_90_is_xchg_r8_rax)
{
	static const uint8_t code[] = {0x49, 0x90, 0xf4}; /* xchg r8,rax */
	REG(RAX) = 1;
	REG(R8) = 2;
	RUN(code);
	cr_assert_eq(REG(RAX), 2);
	cr_assert_eq(REG(R8), 1);
}

Test(mov, xchg_accumulator_32bit_zero_extends_both)
{
	static const uint8_t code[] = {0x93, 0xf4}; /* xchg ebx,eax */
	REG(RAX) = 0xFFFFFFFF00000001ull;
	REG(RBX) = 0xEEEEEEEE00000002ull;
	RUN(code);
	cr_assert_eq(REG(RAX), 2);
	cr_assert_eq(REG(RBX), 1);
}

Test(mov, pause_and_multibyte_nop_change_nothing)
{
	static const uint8_t code[] = {
		0xf3, 0x90,                            /* pause */
		0x0f, 0x1f, 0x80, 0x00, 0x01, 0, 0,    /* nop [rax+0x100] */
		0xf4,
	};
	REG(RAX) = 0x0000900000000000ull; /* not even a mapped address */
	RUN(code);
	cr_assert_eq(REG(RAX), 0x0000900000000000ull);
	cr_assert_eq(REG(RSP), FX_STACK);
}

/* ---- MOV Sreg --------------------------------------------------------- */

Test(mov, mov_from_sreg_zero_extends_register_and_stores_16_bits)
{
	static const uint8_t code[] = {
		0x8c, 0xd8,       /* mov eax,ds */
		0x8c, 0x1b,       /* mov [rbx],ds */
		0x48, 0x8c, 0xd1, /* mov rcx,ss */
		0x66, 0x8c, 0xda, /* mov dx,ds */
		0xf4,
	};
	static const uint8_t ff[8] = {0xff, 0xff, 0xff, 0xff,
				      0xff, 0xff, 0xff, 0xff};
	fx_poke(fx, FX_DATA, ff, 8);
	REG(RAX) = ~0ull;
	REG(RCX) = ~0ull;
	REG(RDX) = ~0ull;
	REG(RBX) = FX_DATA;
	RUN(code);
	cr_assert_eq(REG(RAX), 0x10);
	cr_assert_eq(REG(RCX), 0x10);
	cr_assert_eq(REG(RDX), 0xFFFFFFFFFFFF0010ull);
	cr_assert_eq(fx_peek(fx, FX_DATA, 8), 0xFFFFFFFFFFFF0010ull);
}

Test(mov, mov_to_ds_loads_the_selector)
{
	static const uint8_t code[] = {
		0x8e, 0xd8, /* mov ds,eax */
		0x8c, 0xd9, /* mov ecx,ds */
		0xf4,
	};
	REG(RAX) = 0x2B; /* user data, RPL 3 */
	RUN(code);
	cr_assert_eq(fx->cpu->seg[SEG_DS].sel, 0x2B);
	cr_assert_eq(REG(RCX), 0x2B);
}

Test(mov, mov_to_cs_is_ud)
{
	static const uint8_t code[] = {0x8e, 0xc8, 0xf4}; /* mov cs,eax */
	REG(RAX) = 0x08;
	run_fault(code, sizeof(code), EXC_UD, 0);
}

Test(mov, sreg_number_6_is_ud)
{
	static const uint8_t code[] = {0x8c, 0xf0, 0xf4}; /* mov eax,sreg6 */
	run_fault(code, sizeof(code), EXC_UD, 0);
}

Test(mov, mov_ss_sets_interrupt_shadow)
{
	static const uint8_t code[] = {
		0x8e, 0xd0, /* mov ss,eax */
		0xf4,
	};
	REG(RAX) = 0x10;
	/* Run one instruction only: the budget is spent after mov ss. */
	fx_load(fx, code, sizeof(code));
	fx->cpu->shadow = false;
	fx_run(fx, 1);
	cr_assert_eq(fx->cpu->rip, FX_CODE + 2);
	cr_assert(fx->cpu->shadow, "MOV SS must inhibit interrupts");
}

Test(mov, movnti_stores_like_mov)
{
	static const uint8_t code[] = {
		0x48, 0x0f, 0xc3, 0x03, /* movnti [rbx],rax */
		0xf4,
	};
	REG(RAX) = 0x0123456789ABCDEFull;
	REG(RBX) = FX_DATA + 0x40;
	RUN(code);
	cr_assert_eq(fx_peek(fx, FX_DATA + 0x40, 8), 0x0123456789ABCDEFull);
}

Test(mov, store_to_unmapped_page_faults_without_side_effects)
{
	static const uint8_t code[] = {
		0x87, 0x03, /* xchg [rbx],eax */
		0xf4,
	};
	REG(RAX) = 0x1234;
	REG(RBX) = 0x40000000; /* first address past the mapped GiB */
	run_fault(code, sizeof(code), EXC_PF, 0);
	cr_assert_eq(REG(RAX), 0x1234, "register must not change on #PF");
	cr_assert_eq(fx->cpu->cr2, 0x40000000);
}

Test(mov, movsxd_16bit_form_reads_only_a_word)
{
	/* 66 63 /r with the word at the very end of the mapped GiB: reading
	 * 4 bytes would fault. */
	static const uint8_t code[] = {
		0x66, 0x63, 0x03, /* movsxd ax,word [rbx] */
		0xf4,
	};
	REG(RAX) = 0x1111111111111111ull;
	REG(RBX) = 0x3FFFFFFE; /* the last word below 1 GiB (open bus) */
	RUN(code);
	cr_assert_eq(REG(RAX), 0x111111111111FFFFull);
}
