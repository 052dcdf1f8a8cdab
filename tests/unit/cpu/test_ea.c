/*
 * tests/unit/cpu/test_ea.c — effective addresses and r/m operand access
 * (cpu/ea.c). The first half calls cpu_ea/rm_read/rm_write directly on a
 * hand-filled struct dinsn (the forms the decoder produces, dinsn.h); the
 * second half runs real instruction bytes so decoder and ea.c must agree
 * (SDM Vol. 2A §2.1.5 tables 2-1..2-3, §2.2.1.6 RIP-relative).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/common/fixture.h"

/* ---- direct: a bare struct cpu and hand-made dinsns ---------------------- */

static struct cpu bare;

static struct dinsn mem_operand(uint8_t base, uint8_t index, uint8_t scale,
				int32_t disp, uint8_t asize)
{
	struct dinsn d;

	memset(&d, 0, sizeof(d));
	d.mod = 0;
	d.base = base;
	d.index = index;
	d.scale = scale;
	d.disp = disp;
	d.asize = asize;
	d.osize = 4;
	d.seg = SEG_DS;
	d.len = 5;
	return d;
}

static void bare_init(void) { memset(&bare, 0, sizeof(bare)); }

TestSuite(ea, .init = bare_init);

Test(ea, base_plus_scaled_index_plus_disp)
{
	struct dinsn d = mem_operand(RBX, RSI, 3, 0x10, 8);

	bare.gpr[RBX] = 0x1000;
	bare.gpr[RSI] = 0x20;
	cr_assert_eq(cpu_ea(&bare, &d), 0x1000 + 0x100 + 0x10);
}

Test(ea, negative_displacement_is_sign_extended)
{
	struct dinsn d = mem_operand(RBP, INDEX_NONE, 0, -8, 8);

	bare.gpr[RBP] = 0x2000;
	cr_assert_eq(cpu_ea(&bare, &d), 0x1FF8);
}

Test(ea, extended_registers_as_base_and_index)
{
	struct dinsn d = mem_operand(R13, R12, 1, 0, 8);

	bare.gpr[R13] = 0x100000;
	bare.gpr[R12] = 0x8;
	cr_assert_eq(cpu_ea(&bare, &d), 0x100010);
}

Test(ea, no_base_is_absolute_displacement)
{
	struct dinsn d = mem_operand(BASE_NONE, INDEX_NONE, 0, 0x300000, 8);

	cr_assert_eq(cpu_ea(&bare, &d), 0x300000);
}

Test(ea, index_without_base)
{
	struct dinsn d = mem_operand(BASE_NONE, RCX, 2, 0x40, 8);

	bare.gpr[RCX] = 3;
	cr_assert_eq(cpu_ea(&bare, &d), 0x4C);
}

Test(ea, address_size_32_wraps_at_4gib)
{
	struct dinsn d = mem_operand(RAX, INDEX_NONE, 0, 0x20, 4);

	bare.gpr[RAX] = 0x12FFFFFFF0ull; /* upper bits are ignored too */
	cr_assert_eq(cpu_ea(&bare, &d), 0x10);
}

Test(ea, address_size_16_wraps_at_64kib)
{
	/* [bx+si+disp16], the form decode.c produces for ModRM rm=0. */
	struct dinsn d = mem_operand(RBX, RSI, 0, 0x10, 2);

	bare.gpr[RBX] = 0xABCDFFF0;
	bare.gpr[RSI] = 0x0008;
	cr_assert_eq(cpu_ea(&bare, &d), 0x0008);
}

Test(ea, address_size_16_negative_disp8)
{
	/* [bp+disp8] with disp -2 and BP 1: wraps to 0xFFFF. */
	struct dinsn d = mem_operand(RBP, INDEX_NONE, 0, -2, 2);

	bare.gpr[RBP] = 1;
	cr_assert_eq(cpu_ea(&bare, &d), 0xFFFF);
}

Test(ea, rip_relative_uses_next_instruction)
{
	struct dinsn d = mem_operand(BASE_RIP, INDEX_NONE, 0, -0x20, 8);

	d.len = 10; /* e.g. with an immediate after the displacement */
	bare.insn_rip = 0x401000;
	bare.rip = 0x999999; /* must not be used */
	cr_assert_eq(cpu_ea(&bare, &d), 0x401000 + 10 - 0x20);
}

Test(ea, rip_relative_with_32bit_address_size_truncates)
{
	struct dinsn d = mem_operand(BASE_RIP, INDEX_NONE, 0, 0x10, 4);

	d.len = 6;
	bare.insn_rip = 0x1FFFFFFF0ull;
	cr_assert_eq(cpu_ea(&bare, &d), (0x1FFFFFFF0ull + 6 + 0x10) & 0xFFFFFFFF);
}

Test(ea, rm_read_register_follows_rex_byte_rule)
{
	struct dinsn d;

	memset(&d, 0, sizeof(d));
	d.mod = 3;
	d.rm = 4;
	bare.gpr[RAX] = 0xBB00;
	bare.gpr[RSP] = 0xCC;
	cr_assert_eq(rm_read(&bare, &d, 1), 0xBB, "no REX: rm 4 is AH");
	d.pfx = PFX_REX;
	cr_assert_eq(rm_read(&bare, &d, 1), 0xCC, "REX: rm 4 is SPL");
}

Test(ea, rm_write_register_sizes)
{
	struct dinsn d;

	memset(&d, 0, sizeof(d));
	d.mod = 3;
	d.rm = R9;
	d.pfx = PFX_REX;
	bare.gpr[R9] = ~0ull;
	rm_write(&bare, &d, 2, 0x1234);
	cr_assert_eq(bare.gpr[R9], 0xFFFFFFFFFFFF1234ull);
	rm_write(&bare, &d, 4, 0x89ABCDEF);
	cr_assert_eq(bare.gpr[R9], 0x89ABCDEFull);
	rm_write(&bare, &d, 8, 0x1122334455667788ull);
	cr_assert_eq(bare.gpr[R9], 0x1122334455667788ull);
	d.rm = 7; /* no REX: BH */
	d.pfx = 0;
	bare.gpr[RBX] = 0;
	rm_write(&bare, &d, 1, 0x5A);
	cr_assert_eq(bare.gpr[RBX], 0x5A00);
}

/* ---- through the decoder: real instruction bytes ------------------------ */

static struct fx *fx;

static void setup64(void) { fx = fx_new(FX_LONG64); }
/* A test-level .init runs after the suite's: replace its machine. */
static void setup32(void)
{
	fx_free(fx);
	fx = fx_new(FX_PROT32);
}
static void teardown(void) { fx_free(fx); }

static void run_ok(const uint8_t *code, size_t len)
{
	struct cpu_exit ex = fx_exec(fx, code, len);

	cr_assert_eq(ex.reason, CPU_EXIT_HLT, "exit reason %d", ex.reason);
	cr_assert_eq(fx_vector(fx), -1, "took exception %d", fx_vector(fx));
	cr_assert_eq(fx->cpu->rip, FX_CODE + len);
}

#define RUN(code) run_ok(code, sizeof(code))
#define REG(r) (fx->cpu->gpr[r])

Test(ea_insn, rip_relative_load_counts_from_next_instruction,
     .init = setup64, .fini = teardown)
{
	static const uint8_t code[] = {
		0x48, 0x8b, 0x05, 0x01, 0x00, 0x00, 0x00, /* mov rax,[rip+1] */
		0xf4,                                     /* hlt */
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* data */
	};
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), -1);
	cr_assert_eq(REG(RAX), 0x1122334455667788ull);
}

Test(ea_insn, rip_relative_store_accounts_for_trailing_immediate,
     .init = setup64, .fini = teardown)
{
	static const uint8_t code[] = {
		/* mov dword [rip+2],0x12345678: 10 bytes, so the target is
		 * the instruction's end + 2 = just past the hlt + 1. */
		0xc7, 0x05, 0x02, 0x00, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12,
		0xf4, /* hlt */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), -1);
	cr_assert_eq(fx_peek(fx, FX_CODE + 12, 4), 0x12345678);
	cr_assert_eq(fx_peek(fx, FX_CODE + 11, 1), 0);
}

Test(ea_insn, sib_with_rbp_base_and_r12_base,
     .init = setup64, .fini = teardown)
{
	static const uint8_t code[] = {
		0x48, 0x8d, 0x44, 0x8d, 0x10, /* lea rax,[rbp+rcx*4+0x10] */
		0x49, 0x8d, 0x1c, 0x24,       /* lea rbx,[r12] */
		0x4a, 0x8d, 0x14, 0xe5, 0x00, 0x01, 0x00,
		0x00,                         /* lea rdx,[r12*8+0x100] */
		0xf4,
	};
	REG(RBP) = 0x1000;
	REG(RCX) = 4;
	REG(R12) = 0x777;
	RUN(code);
	cr_assert_eq(REG(RAX), 0x1020);
	cr_assert_eq(REG(RBX), 0x777);
	cr_assert_eq(REG(RDX), 0x777 * 8 + 0x100);
}

Test(ea_insn, addr32_prefix_in_64bit_mode_wraps,
     .init = setup64, .fini = teardown)
{
	static const uint8_t code[] = {
		0x67, 0x8b, 0x04, 0x0b, /* mov eax,[ebx+ecx] */
		0xf4,
	};
	fx_poke(fx, FX_DATA, "\x44\x33\x22\x11", 4);
	REG(RBX) = 0xFFFFFFFF00300010ull;
	REG(RCX) = 0xFFFFFFF0; /* ebx+ecx wraps to 0x300000 */
	RUN(code);
	cr_assert_eq(REG(RAX), 0x11223344);
}

Test(ea_insn, addr16_forms_in_32bit_mode, .init = setup32, .fini = teardown)
{
	static const uint8_t code[] = {
		0x67, 0x8d, 0x40, 0x10,       /* lea eax,[bx+si+0x10] */
		0x67, 0x8d, 0x4b, 0xfe,       /* lea ecx,[bp+di-2] */
		0x67, 0x8d, 0x16, 0x34, 0x12, /* lea edx,[0x1234] */
		0x67, 0x8b, 0x37,             /* mov esi,[bx] */
		0xf4,
	};
	REG(RBX) = 0xAAAAFFF8; /* BX = 0xFFF8 */
	REG(RSI) = 0x0010;
	REG(RBP) = 0x0001;
	REG(RDI) = 0x0000;
	fx_poke(fx, 0xFFF8, "\x78\x56\x34\x12", 4);
	RUN(code);
	cr_assert_eq(REG(RAX), 0x0018, "bx+si+0x10 wraps at 64 KiB");
	cr_assert_eq(REG(RCX), 0xFFFF);
	cr_assert_eq(REG(RDX), 0x1234);
	cr_assert_eq(REG(RSI), 0x12345678);
}

Test(ea_insn, addr16_bp_base_defaults_to_ss, .init = setup32,
     .fini = teardown)
{
	static const uint8_t code[] = {
		0x67, 0x8b, 0x46, 0x00, /* mov eax,[bp+0] */
		0xf4,
	};
	/* Give SS a base so an SS access and a DS access differ. */
	fx->cpu->seg[SEG_SS].base = 0x300000;
	fx_poke(fx, FX_DATA + 0x20, "\x21\x43\x65\x87", 4);
	REG(RBP) = 0x20;
	RUN(code);
	cr_assert_eq(REG(RAX), 0x87654321);
}

Test(ea_insn, segment_override_fs_base_in_64bit_mode,
     .init = setup64, .fini = teardown)
{
	static const uint8_t code[] = {
		0x64, 0x48, 0x8b, 0x03, /* mov rax,fs:[rbx] */
		0x48, 0x8b, 0x0b,       /* mov rcx,[rbx] (DS base ignored) */
		0xf4,
	};
	fx->cpu->seg[SEG_FS].base = FX_DATA;
	fx->cpu->seg[SEG_DS].base = 0x12340000; /* ignored in 64-bit mode */
	fx_poke(fx, FX_DATA + 8, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	fx_poke(fx, 8, "\x11\x12\x13\x14\x15\x16\x17\x18", 8);
	REG(RBX) = 8;
	RUN(code);
	cr_assert_eq(REG(RAX), 0x0807060504030201ull);
	cr_assert_eq(REG(RCX), 0x1817161514131211ull);
}
