/*
 * tests/unit/cpu/test_system.c — system instructions (cpu/ops_system.c,
 * cpu/ops_desc.c; port I/O: test_io.c) executed as real instruction bytes
 * through the fixture: each handler's effect and its faults (vector, error
 * code, RIP of the faulting instruction, state left unchanged).
 *
 * The fixture's IDT stubs halt, so fx_vector() tells which vector was
 * taken; in 64-bit mode fx_stack_qword(fx, 0) is the error code (or the
 * return RIP for vectors without one).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "tests/common/fixture.h"

#define B4(v) (uint8_t)(v), (uint8_t)((v) >> 8), (uint8_t)((v) >> 16), \
	(uint8_t)((v) >> 24)



/* ---- privilege: every CPL-0 instruction raises #GP(0) at CPL 3 ----------- */

Test(system, privileged_instructions_at_cpl3_raise_gp0)
{
	static const struct {
		const char *name;
		uint8_t code[4];
		size_t len;
	} cases[] = {
		{"mov rax, cr0", {0x0F, 0x20, 0xC0}, 3},
		{"mov cr0, rax", {0x0F, 0x22, 0xC0}, 3},
		{"mov rax, dr0", {0x0F, 0x21, 0xC0}, 3},
		{"mov dr0, rax", {0x0F, 0x23, 0xC0}, 3},
		{"lgdt [rax]", {0x0F, 0x01, 0x10}, 3},
		{"lidt [rax]", {0x0F, 0x01, 0x18}, 3},
		{"lldt ax", {0x0F, 0x00, 0xD0}, 3},
		{"ltr ax", {0x0F, 0x00, 0xD8}, 3},
		{"lmsw ax", {0x0F, 0x01, 0xF0}, 3},
		{"clts", {0x0F, 0x06}, 2},
		{"invlpg [rax]", {0x0F, 0x01, 0x38}, 3},
		{"swapgs", {0x0F, 0x01, 0xF8}, 3},
		{"rdmsr", {0x0F, 0x32}, 2},
		{"wrmsr", {0x0F, 0x30}, 2},
		{"hlt", {0xF4}, 1},
		{"wbinvd", {0x0F, 0x09}, 2},
		{"invd", {0x0F, 0x08}, 2},
		{"cli (IOPL 0)", {0xFA}, 1},
		{"sti (IOPL 0)", {0xFB}, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx *fx = fx_new(FX_LONG64);
		uint8_t code[8] = {0};

		memcpy(code, cases[i].code, cases[i].len);
		code[cases[i].len] = 0xF4;
		fx_to_user(fx);
		fx->cpu->gpr[RAX] = FX_DATA;
		cr_expect_eq(EXC_GP, fx_try(fx, code, cases[i].len + 1), "%s",
			     cases[i].name);
		cr_expect_eq(0ull, fx_stack_qword(fx, 0), "%s: error code",
			     cases[i].name);
		cr_expect_eq(FX_CODE, fx_stack_qword(fx, 1), "%s: RIP",
			     cases[i].name);
		fx_free(fx);
	}
}

/* ---- control registers ------------------------------------------------------ */

Test(system, mov_from_cr0_and_cr4_reads_the_registers)
{
	/* mov rax, cr0; mov rbx, cr4; hlt */
	static const uint8_t code[] = {0x0F, 0x20, 0xC0, 0x0F, 0x20, 0xE3, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(fx->cpu->cr0, fx->cpu->gpr[RAX]);
	cr_assert_eq(fx->cpu->cr4, fx->cpu->gpr[RBX]);
	fx_free(fx);
}

Test(system, mov_from_reserved_cr1_raises_ud)
{
	static const uint8_t code[] = {0x0F, 0x20, 0xC8, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(EXC_UD, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(FX_CODE, fx_stack_qword(fx, 0));
	fx_free(fx);
}

Test(system, mov_cr3_writes_and_reads_back)
{
	/* mov eax, 0x1000; mov cr3, rax; mov rbx, cr3; hlt */
	static const uint8_t code[] = {0xB8, B4(0x1000), 0x0F, 0x22, 0xD8,
				       0x0F, 0x20, 0xDB, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->gpr[RBX] = 7;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x1000ull, fx->cpu->gpr[RBX]);
	fx_free(fx);
}

Test(system, mov_cr8_round_trips_the_tpr)
{
	/* mov eax, 5; mov cr8, rax; mov rbx, cr8; hlt */
	static const uint8_t code[] = {0xB8, B4(5), 0x44, 0x0F, 0x22, 0xC0,
				       0x44, 0x0F, 0x20, 0xC3, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(5ull, fx->cpu->cr8);
	cr_assert_eq(5ull, fx->cpu->gpr[RBX]);
	fx_free(fx);
}

Test(system, clts_clears_cr0_ts)
{
	static const uint8_t code[] = {0x0F, 0x06, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->cr0 |= CR0_TS;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0ull, fx->cpu->cr0 & CR0_TS);
	cr_assert_neq(0ull, fx->cpu->cr0 & CR0_PG);
	fx_free(fx);
}

Test(system, lmsw_loads_mp_em_ts_but_cannot_clear_pe)
{
	/* xor eax, eax; lmsw ax; mov rbx, cr0; mov eax, 0xA; lmsw ax; hlt */
	static const uint8_t code[] = {0x31, 0xC0, 0x0F, 0x01, 0xF0,
				       0x0F, 0x20, 0xC3, 0xB8, B4(0xA),
				       0x0F, 0x01, 0xF0, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->cr0 |= CR0_TS;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(CR0_PE, fx->cpu->gpr[RBX] & 0xF, "PE stays, MP/TS clear");
	cr_assert_eq(CR0_PE | CR0_MP | CR0_TS, fx->cpu->cr0 & 0xF);
	cr_assert_neq(0ull, fx->cpu->cr0 & CR0_PG, "upper bits untouched");
	fx_free(fx);
}

Test(system, smsw_register_gets_cr0_and_memory_gets_16_bits)
{
	/* smsw eax; mov ebx, FX_DATA; smsw [rbx]; hlt */
	static const uint8_t code[] = {0x0F, 0x01, 0xE0, 0xBB, B4(FX_DATA),
				       0x0F, 0x01, 0x23, 0xF4};
	static const uint8_t ones[4] = {0xFF, 0xFF, 0xFF, 0xFF};
	struct fx *fx = fx_new(FX_LONG64);

	fx_poke(fx, FX_DATA, ones, sizeof(ones));
	fx->cpu->gpr[RAX] = ~0ull;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq((uint32_t)fx->cpu->cr0, fx->cpu->gpr[RAX]);
	cr_assert_eq(fx->cpu->cr0 & 0xFFFF, fx_peek(fx, FX_DATA, 2));
	cr_assert_eq(0xFFFFull, fx_peek(fx, FX_DATA + 2, 2));
	fx_free(fx);
}

/* ---- UMIP ----------------------------------------------------------------- */

Test(system, umip_makes_sgdt_sidt_sldt_str_smsw_fault_at_cpl3)
{
	static const uint8_t insns[][3] = {
		{0x0F, 0x01, 0x00}, /* sgdt [rax] */
		{0x0F, 0x01, 0x08}, /* sidt [rax] */
		{0x0F, 0x00, 0xC0}, /* sldt eax */
		{0x0F, 0x00, 0xC8}, /* str eax */
		{0x0F, 0x01, 0xE0}, /* smsw eax */
	};

	for (size_t i = 0; i < sizeof(insns) / sizeof(insns[0]); i++) {
		uint8_t code[4] = {insns[i][0], insns[i][1], insns[i][2], 0xF4};
		struct fx *fx = fx_new(FX_LONG64);

		fx->cpu->gpr[RAX] = FX_DATA;
		fx_to_user(fx);
		cr_expect_eq(EXC_GP, fx_try(fx, code, sizeof(code)),
			     "without UMIP, #GP only from the final hlt");
		cr_expect_eq(FX_CODE + 3, fx_stack_qword(fx, 1), "insn %zu", i);
		fx_free(fx);

		fx = fx_new(FX_LONG64);
		fx->cpu->cr4 |= CR4_UMIP;
		fx->cpu->gpr[RAX] = FX_DATA;
		fx_to_user(fx);
		cr_expect_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
		cr_expect_eq(FX_CODE, fx_stack_qword(fx, 1), "insn %zu faults",
			     i);
		fx_free(fx);
	}
}

/* ---- GDTR / IDTR -------------------------------------------------------------- */

static void poke_pseudo_descriptor(struct fx *fx, uint16_t limit,
				   uint64_t base)
{
	fx_poke(fx, FX_DATA, &limit, 2);
	fx_poke(fx, FX_DATA + 2, &base, 8);
}

Test(system, lgdt_loads_16bit_limit_and_64bit_base)
{
	/* mov eax, FX_DATA; lgdt [rax]; hlt */
	static const uint8_t code[] = {0xB8, B4(FX_DATA), 0x0F, 0x01, 0x10,
				       0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	poke_pseudo_descriptor(fx, 0x1234, 0xFFFF800000001000ull);
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x1234, fx->cpu->gdtr.limit);
	cr_assert_eq(0xFFFF800000001000ull, fx->cpu->gdtr.base);
	fx_free(fx);
}

Test(system, lgdt_with_noncanonical_base_raises_gp0_and_keeps_gdtr)
{
	static const uint8_t code[] = {0xB8, B4(FX_DATA), 0x0F, 0x01, 0x10,
				       0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	poke_pseudo_descriptor(fx, 0x1234, 0x0000800000000000ull);
	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0ull, fx_stack_qword(fx, 0));
	cr_assert_eq(FX_CODE + 5, fx_stack_qword(fx, 1));
	cr_assert_eq(FX_GDT, fx->cpu->gdtr.base);
	cr_assert_eq(0x4F, fx->cpu->gdtr.limit);
	fx_free(fx);
}

Test(system, lidt_loads_the_idtr)
{
	/* mov eax, FX_DATA; lidt [rax]; hlt */
	static const uint8_t code[] = {0xB8, B4(FX_DATA), 0x0F, 0x01, 0x18,
				       0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	poke_pseudo_descriptor(fx, 0x7FF, FX_IDT);
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x7FF, fx->cpu->idtr.limit);
	cr_assert_eq(FX_IDT, fx->cpu->idtr.base);
	fx_free(fx);
}

Test(system, sgdt_and_sidt_store_10_bytes_in_64bit_mode)
{
	/* mov eax, FX_DATA; sgdt [rax]; sidt [rax+16]; hlt */
	static const uint8_t code[] = {0xB8, B4(FX_DATA), 0x0F, 0x01, 0x00,
				       0x0F, 0x01, 0x48, 0x10, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->gdtr.base = 0xFFFF800012345000ull;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x4Full, fx_peek(fx, FX_DATA, 2));
	cr_assert_eq(0xFFFF800012345000ull, fx_peek(fx, FX_DATA + 2, 8));
	cr_assert_eq(0xFFFull, fx_peek(fx, FX_DATA + 16, 2));
	cr_assert_eq((uint64_t)FX_IDT, fx_peek(fx, FX_DATA + 18, 8));
	fx_free(fx);
}

Test(system, sgdt_stores_6_bytes_in_32bit_mode)
{
	/* mov eax, FX_DATA; sgdt [eax]; hlt */
	static const uint8_t code[] = {0xB8, B4(FX_DATA), 0x0F, 0x01, 0x00,
				       0xF4};
	static const uint8_t ones[4] = {0xFF, 0xFF, 0xFF, 0xFF};
	struct fx *fx = fx_new(FX_PROT32);

	fx_poke(fx, FX_DATA + 6, ones, sizeof(ones));
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x4Full, fx_peek(fx, FX_DATA, 2));
	cr_assert_eq((uint64_t)FX_GDT, fx_peek(fx, FX_DATA + 2, 4));
	cr_assert_eq(0xFFFFFFFFull, fx_peek(fx, FX_DATA + 6, 4));
	fx_free(fx);
}

/* ---- LDTR / TR ---------------------------------------------------------------- */

Test(system, ltr_loads_tr_and_marks_the_tss_busy)
{
	/* mov ax, 0x40; ltr ax; str ebx; hlt */
	static const uint8_t code[] = {0x66, 0xB8, 0x40, 0x00, 0x0F, 0x00,
				       0xD8, 0x0F, 0x00, 0xCB, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);
	struct cpu *c = fx->cpu;

	c->tr = (struct seg_cache){0};
	c->gpr[RBX] = ~0ull;
	cr_assert_eq(0x89ull, fx_peek(fx, FX_GDT + 0x45, 1), "available");
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x8Bull, fx_peek(fx, FX_GDT + 0x45, 1), "busy");
	cr_assert_eq(0x40, c->tr.sel);
	cr_assert_eq((uint64_t)FX_TSS, c->tr.base);
	cr_assert_eq(0x67u, c->tr.limit);
	cr_assert_eq(0xBu, SEGA_TYPE(c->tr.attr));
	cr_assert_neq(0u, c->tr.attr & SEGA_P);
	cr_assert_eq(0x40ull, c->gpr[RBX], "str zero-extends");
	fx_free(fx);
}

Test(system, ltr_of_a_busy_tss_raises_gp_with_the_selector)
{
	/* mov ax, 0x40; ltr ax; ltr ax; hlt */
	static const uint8_t code[] = {0x66, 0xB8, 0x40, 0x00, 0x0F, 0x00,
				       0xD8, 0x0F, 0x00, 0xD8, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x40ull, fx_stack_qword(fx, 0));
	cr_assert_eq(FX_CODE + 7, fx_stack_qword(fx, 1));
	fx_free(fx);
}

Test(system, ltr_of_the_null_selector_raises_gp0)
{
	/* xor eax, eax; ltr ax; hlt */
	static const uint8_t code[] = {0x31, 0xC0, 0x0F, 0x00, 0xD8, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0ull, fx_stack_qword(fx, 0));
	cr_assert_eq(0x40, fx->cpu->tr.sel);
	fx_free(fx);
}

Test(system, ltr_of_a_data_segment_raises_gp_with_the_selector)
{
	/* mov ax, 0x10; ltr ax; hlt */
	static const uint8_t code[] = {0x66, 0xB8, 0x10, 0x00, 0x0F, 0x00,
				       0xD8, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x10ull, fx_stack_qword(fx, 0));
	fx_free(fx);
}

Test(system, ltr_of_a_not_present_tss_raises_np_and_leaves_it_available)
{
	static const uint8_t code[] = {0x66, 0xB8, 0x40, 0x00, 0x0F, 0x00,
				       0xD8, 0xF4};
	static const uint8_t not_present = 0x09;
	struct fx *fx = fx_new(FX_LONG64);

	fx_poke(fx, FX_GDT + 0x45, &not_present, 1);
	cr_assert_eq(EXC_NP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x40ull, fx_stack_qword(fx, 0));
	cr_assert_eq(0x09ull, fx_peek(fx, FX_GDT + 0x45, 1));
	fx_free(fx);
}

Test(system, ltr_beyond_the_gdt_limit_raises_gp_with_the_selector)
{
	/* mov ax, 0x48; ltr ax; hlt — 0x48 + 15 is past limit 0x4F */
	static const uint8_t code[] = {0x66, 0xB8, 0x48, 0x00, 0x0F, 0x00,
				       0xD8, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x48ull, fx_stack_qword(fx, 0));
	fx_free(fx);
}

/* A 16-byte LDT descriptor at GDT offset 0x50: base 0x7000, limit 0xFF. */
static void add_ldt_descriptor(struct fx *fx)
{
	uint64_t desc[2] = {0xFF | 0x7000ull << 16 | 0x82ull << 40, 0};

	fx_poke(fx, FX_GDT + 0x50, desc, sizeof(desc));
	fx->cpu->gdtr.limit = 0x5F;
}

Test(system, lldt_loads_ldtr_and_sldt_reads_it)
{
	/* mov ax, 0x50; lldt ax; sldt ebx; hlt */
	static const uint8_t code[] = {0x66, 0xB8, 0x50, 0x00, 0x0F, 0x00,
				       0xD0, 0x0F, 0x00, 0xC3, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	add_ldt_descriptor(fx);
	fx->cpu->gpr[RBX] = ~0ull;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x50, fx->cpu->ldtr.sel);
	cr_assert_eq(0x7000ull, fx->cpu->ldtr.base);
	cr_assert_eq(0xFFu, fx->cpu->ldtr.limit);
	cr_assert_eq(2u, SEGA_TYPE(fx->cpu->ldtr.attr));
	cr_assert_eq(0x50ull, fx->cpu->gpr[RBX]);
	fx_free(fx);
}

Test(system, lldt_of_a_tss_descriptor_raises_gp_with_the_selector)
{
	static const uint8_t code[] = {0x66, 0xB8, 0x40, 0x00, 0x0F, 0x00,
				       0xD0, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x40ull, fx_stack_qword(fx, 0));
	fx_free(fx);
}

Test(system, lldt_of_the_null_selector_makes_ldtr_unusable)
{
	/* xor eax, eax; lldt ax; hlt */
	static const uint8_t code[] = {0x31, 0xC0, 0x0F, 0x00, 0xD0, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->ldtr = (struct seg_cache){.sel = 0x50, .attr = SEGA_P | 2};
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0, fx->cpu->ldtr.sel);
	cr_assert_eq(0u, fx->cpu->ldtr.attr & SEGA_P);
	fx_free(fx);
}

Test(system, str_to_memory_writes_16_bits)
{
	/* mov ebx, FX_DATA; str [rbx]; hlt */
	static const uint8_t code[] = {0xBB, B4(FX_DATA), 0x0F, 0x00, 0x0B,
				       0xF4};
	static const uint8_t ones[4] = {0xFF, 0xFF, 0xFF, 0xFF};
	struct fx *fx = fx_new(FX_LONG64);

	fx_poke(fx, FX_DATA, ones, sizeof(ones));
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0xFFFF0040ull, fx_peek(fx, FX_DATA, 4));
	fx_free(fx);
}

/* ---- TLB, caches ---------------------------------------------------------------- */

Test(system, invlpg_of_a_noncanonical_address_does_not_fault)
{
	/* mov rax, 0x0000800000000000; invlpg [rax]; hlt */
	static const uint8_t code[] = {0x48, 0xB8, B4(0), B4(0x8000), 0x0F,
				       0x01, 0x38, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(FX_CODE + sizeof(code), fx->cpu->rip);
	fx_free(fx);
}

Test(system, invlpg_makes_a_changed_mapping_visible)
{
	/* mov eax, FX_DATA; mov rbx, [rax];
	 * mov ecx, 0x3008; mov edx, 0x400083; mov [rcx], rdx  (remap 2..4M)
	 * invlpg [rax]; mov rsi, [rax]; hlt */
	static const uint8_t code[] = {
		0xB8, B4(FX_DATA), 0x48, 0x8B, 0x18, 0xB9, B4(0x3008),
		0xBA, B4(0x400083), 0x48, 0x89, 0x11, 0x0F, 0x01, 0x38,
		0x48, 0x8B, 0x30, 0xF4};
	static const uint64_t old_val = 0x1111, new_val = 0x2222;
	struct fx *fx = fx_new(FX_LONG64);

	fx_poke(fx, FX_DATA, &old_val, 8);
	fx_poke(fx, 0x400000 + (FX_DATA - 0x200000), &new_val, 8);
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(old_val, fx->cpu->gpr[RBX]);
	cr_assert_eq(new_val, fx->cpu->gpr[RSI]);
	fx_free(fx);
}

Test(system, wbinvd_and_invd_complete_at_cpl0)
{
	static const uint8_t code[] = {0x0F, 0x09, 0x0F, 0x08, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(FX_CODE + sizeof(code), fx->cpu->rip);
	fx_free(fx);
}

Test(system, clflush_of_a_mapped_line_has_no_effect)
{
	/* mov eax, FX_DATA; clflush [rax]; hlt */
	static const uint8_t code[] = {0xB8, B4(FX_DATA), 0x0F, 0xAE, 0x38,
				       0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(FX_CODE + sizeof(code), fx->cpu->rip);
	fx_free(fx);
}

Test(system, clflush_of_an_unmapped_line_raises_pf_like_a_load)
{
	/* mov eax, 0x40000000 (past the fixture's 1 GiB); clflush [rax] */
	static const uint8_t code[] = {0xB8, B4(0x40000000), 0x0F, 0xAE, 0x38,
				       0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(EXC_PF, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0ull, fx_stack_qword(fx, 0) & (PFEC_P | PFEC_W | PFEC_U),
		     "not present, read, supervisor");
	cr_assert_eq(0x40000000ull, fx->cpu->cr2);
	cr_assert_eq(FX_CODE + 5, fx_stack_qword(fx, 1));
	fx_free(fx);
}

/* ---- debug registers -------------------------------------------------------------- */

Test(system, mov_dr_round_trips_and_dr6_dr7_have_fixed_bits)
{
	/* mov rax, 0x1234; mov dr0, rax; mov rbx, dr0;
	 * xor eax, eax; mov dr6, rax; mov dr7, rax;
	 * mov rcx, dr6; mov rdx, dr7; hlt */
	static const uint8_t code[] = {
		0xB8, B4(0x1234), 0x0F, 0x23, 0xC0, 0x0F, 0x21, 0xC3,
		0x31, 0xC0, 0x0F, 0x23, 0xF0, 0x0F, 0x23, 0xF8,
		0x0F, 0x21, 0xF1, 0x0F, 0x21, 0xFA, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x1234ull, fx->cpu->gpr[RBX]);
	cr_assert_eq(0xFFFF0FF0ull, fx->cpu->gpr[RCX]);
	cr_assert_eq(0x400ull, fx->cpu->gpr[RDX]);
	fx_free(fx);
}

Test(system, dr4_aliases_dr6_unless_cr4_de)
{
	/* mov rax, dr4; hlt */
	static const uint8_t code[] = {0x0F, 0x21, 0xE0, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0xFFFF0FF0ull, fx->cpu->gpr[RAX]);
	fx_free(fx);
	fx = fx_new(FX_LONG64);
	fx->cpu->cr4 |= CR4_DE;
	cr_assert_eq(EXC_UD, fx_try(fx, code, sizeof(code)));
	fx_free(fx);
}

Test(system, mov_dr7_with_upper_bits_raises_gp0)
{
	/* mov rax, 1 << 32; mov dr7, rax; hlt */
	static const uint8_t code[] = {0x48, 0xB8, B4(0), B4(1), 0x0F, 0x23,
				       0xF8, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x400ull, fx->cpu->dr[7] | 0x400);
	fx_free(fx);
}

Test(system, dr7_general_detect_raises_db_before_the_access)
{
	/* mov rax, dr0; hlt */
	static const uint8_t code[] = {0x0F, 0x21, 0xC0, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->dr[7] = 0x400 | 1u << 13;
	fx->cpu->gpr[RAX] = 99;
	cr_assert_eq(EXC_DB, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(FX_CODE, fx_stack_qword(fx, 0), "a fault");
	cr_assert_neq(0ull, fx->cpu->dr[6] & (1u << 13), "DR6.BD");
	cr_assert_eq(0ull, fx->cpu->dr[7] & (1u << 13), "GD cleared");
	cr_assert_eq(99ull, fx->cpu->gpr[RAX]);
	fx_free(fx);
}

/* ---- SWAPGS ------------------------------------------------------------------------ */

Test(system, swapgs_exchanges_gs_base_and_kernel_gs_base)
{
	static const uint8_t code[] = {0x0F, 0x01, 0xF8, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->seg[SEG_GS].base = 0x1111;
	fx->cpu->msr.kernel_gs_base = 0x2222;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x2222ull, fx->cpu->seg[SEG_GS].base);
	cr_assert_eq(0x1111ull, fx->cpu->msr.kernel_gs_base);
	fx_free(fx);
}

Test(system, swapgs_outside_64bit_mode_raises_ud)
{
	static const uint8_t code[] = {0x0F, 0x01, 0xF8, 0xF4};
	struct fx *fx = fx_new(FX_PROT32);

	cr_assert_eq(EXC_UD, fx_try(fx, code, sizeof(code)));
	fx_free(fx);
}

/* ---- VERR, VERW ---------------------------------------------------------------------- */

/* mov ax, sel; verr ax (0F 00 E0) or verw ax (0F 00 E8); hlt. ZF after.
 * At CPL 3 the HLT raises #GP, whose delivery leaves ZF alone. */
static bool verify_zf(struct fx *fx, uint16_t sel, bool write)
{
	uint8_t code[] = {0x66, 0xB8, (uint8_t)sel, (uint8_t)(sel >> 8),
			  0x0F, 0x00, write ? 0xE8 : 0xE0, 0xF4};
	int end = fx->cpu->cpl ? EXC_GP : -1;

	cr_assert_eq(end, fx_try(fx, code, sizeof(code)), "sel %#x", sel);
	return (cpu_get_rflags(fx->cpu) & RF_ZF) != 0;
}

Test(system, verw_and_verr_test_the_descriptor_without_faulting)
{
	static const struct {
		uint16_t sel;
		bool write, zf;
	} cases[] = {
	    {0x10, true, true},	  /* kernel data */
	    {0x2B, true, true},	  /* user data, RPL 3 */
	    {0x08, true, false},  /* code is never writable */
	    {0x08, false, true},  /* readable code */
	    {0x00, true, false},  /* null */
	    {0x40, false, false}, /* TSS: a system descriptor */
	    {0xFF8, true, false}, /* beyond the GDT limit: no #GP */
	    {0x0C, true, false},  /* LDT selector with a null LDTR */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx *fx = fx_new(FX_LONG64);
		cpu_set_rflags(fx->cpu, cases[i].zf ? 0 : RF_ZF, RF_ZF);
		cr_assert_eq(cases[i].zf,
			     verify_zf(fx, cases[i].sel, cases[i].write),
			     "case %zu", i);
		fx_free(fx);
	}
}

Test(system, verw_at_cpl3_fails_for_a_kernel_segment)
{
	struct fx *fx = fx_new(FX_LONG64);

	fx_to_user(fx);
	cr_assert(!verify_zf(fx, 0x10, true), "DPL 0 < CPL 3");
	fx_free(fx);
	fx = fx_new(FX_LONG64);
	fx_to_user(fx);
	cr_assert(verify_zf(fx, 0x2B, true), "user data");
	fx_free(fx);
	fx = fx_new(FX_LONG64);
	cr_assert(verify_zf(fx, 0x28, true), "user data, RPL 0, at CPL 0");
	fx_free(fx);
}

/* ---- CLAC, STAC ---------------------------------------------------------------------- */

Test(system, clac_and_stac_clear_and_set_ac_at_cpl0)
{
	static const uint8_t stac[] = {0x0F, 0x01, 0xCB, 0xF4};
	static const uint8_t clac[] = {0x0F, 0x01, 0xCA, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(-1, fx_try(fx, stac, sizeof(stac)));
	cr_assert_neq(0ull, fx->cpu->rflags & RF_AC, "STAC sets AC");
	fx_free(fx);
	fx = fx_new(FX_LONG64);
	fx->cpu->rflags |= RF_AC;
	cr_assert_eq(-1, fx_try(fx, clac, sizeof(clac)));
	cr_assert_eq(0ull, fx->cpu->rflags & RF_AC, "CLAC clears AC");
	fx_free(fx);
}

Test(system, clac_and_stac_at_cpl3_raise_ud)
{
	static const uint8_t codes[2][4] = {{0x0F, 0x01, 0xCA, 0xF4},
					    {0x0F, 0x01, 0xCB, 0xF4}};

	for (int i = 0; i < 2; i++) {
		struct fx *fx = fx_new(FX_LONG64);
		fx_to_user(fx);
		cr_assert_eq(EXC_UD, fx_try(fx, codes[i], 4), "case %d", i);
		fx_free(fx);
	}
}

/* ---- HLT, CLI, STI -------------------------------------------------------------------- */

Test(system, hlt_at_cpl0_halts_after_the_instruction)
{
	static const uint8_t code[] = {0x90, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);
	struct cpu_exit ex = fx_exec(fx, code, sizeof(code));

	cr_assert_eq(CPU_EXIT_HLT, ex.reason);
	cr_assert(fx->cpu->halted);
	cr_assert_eq(FX_CODE + 2, fx->cpu->rip);
	fx_free(fx);
}

Test(system, cli_and_sti_at_cpl3_with_iopl3_change_if)
{
	/* sti; cli; hlt (#GP at CPL 3: the pushed RFLAGS shows IF) */
	static const uint8_t code[] = {0xFB, 0xFA, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->rflags |= RF_IOPL;
	fx_to_user(fx);
	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(FX_CODE + 2, fx_stack_qword(fx, 1), "faults at hlt");
	cr_assert_eq(0ull, fx_stack_qword(fx, 3) & RF_IF);
	fx_free(fx);
}

static int ack_vector_0x20(void *opaque, struct cpu *cpu)
{
	(void)opaque;
	cpu_set_intr_line(cpu, false);
	return 0x20;
}

Test(system, sti_shadow_delays_the_interrupt_by_one_instruction)
{
	/* sti; hlt — the interrupt may come only after the hlt */
	static const uint8_t code[] = {0xFB, 0xF4, 0x90, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->env.intr_ack = ack_vector_0x20;
	cpu_set_intr_line(fx->cpu, true);
	cr_assert_eq(0x20, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(FX_CODE + 2, fx_stack_qword(fx, 0), "return RIP");
	cr_assert_neq(0ull, fx_stack_qword(fx, 2) & RF_IF, "pushed IF");
	fx_free(fx);
}

Test(system, the_sti_shadow_covers_one_instruction_only)
{
	/* sti; nop; cli; hlt — the interrupt comes after the nop, before
	 * the cli (the STI window idiom), even within one decoded block */
	static const uint8_t code[] = {0xFB, 0x90, 0xFA, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->env.intr_ack = ack_vector_0x20;
	cpu_set_intr_line(fx->cpu, true);
	cr_assert_eq(0x20, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(FX_CODE + 2, fx_stack_qword(fx, 0), "return RIP = cli");
	fx_free(fx);
}

Test(system, mov_ss_shadow_covers_one_instruction_only)
{
	/* mov eax, ss; sti; mov ss, eax; nop; nop; cli; hlt: STI's shadow
	 * ends at MOV SS, whose own shadow covers the first nop */
	static const uint8_t code[] = {0x8C, 0xD0, 0xFB, 0x8E, 0xD0,
				       0x90, 0x90, 0xFA, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->env.intr_ack = ack_vector_0x20;
	cpu_set_intr_line(fx->cpu, true);
	cr_assert_eq(0x20, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(FX_CODE + 6, fx_stack_qword(fx, 0),
		     "return RIP = the second nop");
	fx_free(fx);
}

/* A device register whose write raises the core's interrupt line, as a
 * local APIC's self-IPI would. */
static void raise_line_on_write(void *opaque, uint64_t off, int size,
				uint64_t val)
{
	(void)off;
	(void)size;
	(void)val;
	cpu_set_intr_line(opaque, true);
}

Test(system, an_interrupt_raised_by_a_store_mid_block_comes_at_its_end)
{
	/* mov eax, 0x2000000; mov dword [rax], 1 (the device); jmp next;
	 * next: nop; hlt — the store is no block end, the jmp is: the
	 * interrupt comes before the nop (the check after a block in which
	 * a generic handler ran), not only at the hlt */
	static const uint8_t code[] = {0xB8, 0x00, 0x00, 0x00, 0x02,
				       0xC7, 0x00, 0x01, 0x00, 0x00, 0x00,
				       0xEB, 0x00, 0x90, 0xF4};
	static const struct mmio_ops dev = {"irq", NULL, raise_line_on_write};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(0, physmem_map_mmio(fx->mem, 0x2000000, 0x1000, &dev,
					 fx->cpu));
	fx->cpu->env.intr_ack = ack_vector_0x20;
	fx->cpu->rflags |= RF_IF;
	cr_assert_eq(0x20, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(FX_CODE + 13, fx_stack_qword(fx, 0),
		     "return RIP = nop, not %llx",
		     (unsigned long long)fx_stack_qword(fx, 0));
	fx_free(fx);
}

/* ---- software interrupts, VMCALL, UD ------------------------------------------------------ */

Test(system, int3_int_n_and_int1_deliver_with_the_next_rip)
{
	static const struct {
		uint8_t code[3];
		size_t len;
		int vector;
	} cases[] = {
		{{0xCC}, 1, EXC_BP},
		{{0xCD, 0x80}, 2, 0x80},
		{{0xF1}, 1, EXC_DB},
	};

	for (size_t i = 0; i < 3; i++) {
		struct fx *fx = fx_new(FX_LONG64);
		uint8_t code[4] = {0};

		memcpy(code, cases[i].code, cases[i].len);
		code[cases[i].len] = 0xF4;
		cr_assert_eq(cases[i].vector, fx_try(fx, code, cases[i].len + 1));
		cr_assert_eq(FX_CODE + cases[i].len, fx_stack_qword(fx, 0));
		fx_free(fx);
	}
}

Test(system, into_traps_only_when_of_is_set)
{
	/* mov al, 0x7F; add al, 1 (OF=1); into; hlt */
	static const uint8_t of1[] = {0xB0, 0x7F, 0x04, 0x01, 0xCE, 0xF4};
	/* mov al, 1; add al, 1 (OF=0); into; hlt */
	static const uint8_t of0[] = {0xB0, 0x01, 0x04, 0x01, 0xCE, 0xF4};
	struct fx *fx = fx_new(FX_PROT32);

	cr_assert_eq(EXC_OF, fx_try(fx, of1, sizeof(of1)));
	fx_free(fx);
	fx = fx_new(FX_PROT32);
	cr_assert_eq(-1, fx_try(fx, of0, sizeof(of0)));
	cr_assert_eq(FX_CODE + sizeof(of0), fx->cpu->rip);
	fx_free(fx);
}

Test(system, bound_raises_br_at_the_instruction_when_out_of_range)
{
	/* mov eax, IDX; bound eax, [FX_DATA]; hlt — bounds -5 and 10 */
	static const int32_t bounds[2] = {-5, 10};
	static const int32_t inside[] = {-5, 0, 10};
	static const int32_t outside[] = {-6, 11, INT32_MIN};
	uint8_t code[] = {0xB8, 0, 0, 0, 0, 0x62, 0x05,
			  FX_DATA & 0xFF, (FX_DATA >> 8) & 0xFF,
			  (FX_DATA >> 16) & 0xFF, (uint8_t)(FX_DATA >> 24), 0xF4};

	for (int i = 0; i < 6; i++) {
		int32_t idx = i < 3 ? inside[i] : outside[i - 3];
		struct fx *fx = fx_new(FX_PROT32);
		fx_poke(fx, FX_DATA, bounds, sizeof(bounds));
		memcpy(&code[1], &idx, 4);
		int vec = fx_try(fx, code, sizeof(code));
		if (i < 3) {
			cr_assert_eq(-1, vec, "index %d is inside", idx);
		} else {
			cr_assert_eq(EXC_BR, vec, "index %d is outside", idx);
			cr_assert_eq(FX_CODE + 5, fx_peek(fx, fx->cpu->gpr[RSP], 4),
				     "#BR is a fault: RIP at BOUND");
		}
		fx_free(fx);
	}
}

Test(system, bound_is_invalid_in_64_bit_mode)
{
	static const uint8_t code[] = {0x62, 0x05, 0, 0, 0, 0, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);
	cr_assert_eq(EXC_UD, fx_try(fx, code, sizeof(code)));
	fx_free(fx);
}

Test(system, ud2_ud1_ud0_raise_ud_at_the_instruction)
{
	static const uint8_t insns[][3] = {
		{0x0F, 0x0B, 0xF4},  /* ud2 */
		{0x0F, 0xB9, 0xC0},  /* ud1 eax, eax */
		{0x0F, 0xFF, 0xC0},  /* ud0 eax, eax */
	};

	for (size_t i = 0; i < 3; i++) {
		uint8_t code[4] = {insns[i][0], insns[i][1], insns[i][2], 0xF4};
		struct fx *fx = fx_new(FX_LONG64);

		cr_assert_eq(EXC_UD, fx_try(fx, code, sizeof(code)), "case %zu", i);
		cr_assert_eq(FX_CODE, fx_stack_qword(fx, 0));
		fx_free(fx);
	}
}

Test(system, vmcall_without_an_owner_raises_ud)
{
	static const uint8_t code[] = {0x0F, 0x01, 0xC1, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(EXC_UD, fx_try(fx, code, sizeof(code)));
	fx_free(fx);
}

static int vmcall_hook(void *opaque, struct cpu *cpu, cycles_t *cost)
{
	(void)opaque;
	cpu_set_gpr(cpu, RAX, 0x600D);
	*cost = 1300;
	return ENV_OK;
}

Test(system, vmcall_calls_the_owner_and_charges_its_cost)
{
	static const uint8_t code[] = {0x0F, 0x01, 0xC1, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->env.vmcall = vmcall_hook;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0x600Dull, fx->cpu->gpr[RAX]);
	cr_assert_eq(FX_CODE + 4, fx->cpu->rip);
	cr_assert_geq(fx->cpu->cycles, 1300u);
	fx_free(fx);
}
