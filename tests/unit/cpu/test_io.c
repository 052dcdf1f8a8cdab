/*
 * tests/unit/cpu/test_io.c — port I/O (cpu/ops_io.c) executed as real
 * instruction bytes through the fixture: IN/OUT of every size reaching the
 * I/O hook, unhandled ports, the hook's cost, and the CPL-3 checks (IOPL,
 * the TSS's I/O permission bitmap and its limit).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "tests/common/fixture.h"

#define B4(v) (uint8_t)(v), (uint8_t)((v) >> 8), (uint8_t)((v) >> 16), \
	(uint8_t)((v) >> 24)

/* ---- port I/O --------------------------------------------------------------------------- */

Test(io, out_imm8_al_reaches_the_hook)
{
	/* mov al, 0x5A; out 0xE9, al; hlt */
	static const uint8_t code[] = {0xB0, 0x5A, 0xE6, 0xE9, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(1u, fx->outlen);
	cr_assert_eq(0x5A, fx->out[0]);
	cr_assert_eq(0xE9, fx->last_port);
	fx_free(fx);
}

Test(io, out_dx_writes_word_and_dword)
{
	/* mov edx, 0x3F8; mov eax, 0x44332211; out dx, eax; out dx, ax; hlt */
	static const uint8_t code[] = {0xBA, B4(0x3F8), 0xB8, B4(0x44332211),
				       0xEF, 0x66, 0xEF, 0xF4};
	static const uint8_t want[] = {0x11, 0x22, 0x33, 0x44, 0x11, 0x22};
	struct fx *fx = fx_new(FX_LONG64);

	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(sizeof(want), fx->outlen);
	cr_assert_arr_eq(want, fx->out, sizeof(want));
	cr_assert_eq(0x3F8, fx->last_port);
	fx_free(fx);
}

Test(io, in_merges_byte_and_word_and_zero_extends_dword)
{
	/* in al, 0x60; mov rbx, rax; in ax, dx; mov rcx, rax; in eax, dx;
	 * hlt */
	static const uint8_t code[] = {0xE4, 0x60, 0x48, 0x89, 0xC3,
				       0x66, 0xED, 0x48, 0x89, 0xC1,
				       0xED, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->in_val = 0x12345678;
	fx->cpu->gpr[RAX] = ~0ull;
	fx->cpu->gpr[RDX] = 0x71;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0xFFFFFFFFFFFFFF78ull, fx->cpu->gpr[RBX]);
	cr_assert_eq(0xFFFFFFFFFFFF5678ull, fx->cpu->gpr[RCX]);
	cr_assert_eq(0x12345678ull, fx->cpu->gpr[RAX]);
	cr_assert_eq(0x71, fx->last_port);
	fx_free(fx);
}

Test(io, unhandled_port_reads_all_ones_and_drops_writes)
{
	/* in eax, 0x80; mov rbx, rax; out 0x80, al; hlt */
	static const uint8_t code[] = {0xE5, 0x80, 0x48, 0x89, 0xC3, 0xE6,
				       0x80, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	fx->cpu->env.io_in = NULL;
	fx->cpu->env.io_out = NULL;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0xFFFFFFFFull, fx->cpu->gpr[RBX]);
	cr_assert_eq(0u, fx->outlen);
	fx_free(fx);
}

static int io_in_unhandled(void *opaque, struct cpu *cpu, uint16_t port,
			   int size, uint32_t *val, cycles_t *cost)
{
	(void)opaque;
	(void)cpu;
	(void)port;
	(void)size;
	*val = 0x1234;
	*cost = 1000;
	return ENV_UNHANDLED;
}

Test(io, hook_cost_is_charged_and_unhandled_reads_all_ones)
{
	/* in al, 0x80; hlt */
	static const uint8_t code[] = {0xE4, 0x80, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);
	struct fx *ref = fx_new(FX_LONG64);

	fx->cpu->env.io_in = io_in_unhandled;
	cr_assert_eq(-1, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(0xFFull, fx->cpu->gpr[RAX] & 0xFF);
	cr_assert_eq(-1, fx_try(ref, code, sizeof(code)));
	cr_assert_eq(ref->cpu->cycles + 1000, fx->cpu->cycles);
	fx_free(ref);
	fx_free(fx);
}

/* A TSS with an I/O bitmap at offset 0x68 denying every port but 0xE9. */
static void tss_with_io_bitmap(struct fx *fx)
{
	uint8_t map[0x2001]; /* 64 Ki ports + the terminating 0xFF byte */
	uint16_t base = 0x68;

	memset(map, 0xFF, sizeof(map));
	map[0xE9 / 8] &= (uint8_t)~(1u << (0xE9 & 7));
	fx_poke(fx, FX_TSS + 0x66, &base, 2);
	fx_poke(fx, FX_TSS + 0x68, map, sizeof(map));
	fx->cpu->tr.limit = 0x68 + sizeof(map) - 1;
}

Test(io, cpl3_io_is_allowed_by_a_clear_bitmap_bit)
{
	/* out 0xE9, al; hlt (#GP from hlt) */
	static const uint8_t code[] = {0xE6, 0xE9, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	tss_with_io_bitmap(fx);
	fx_to_user(fx);
	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(FX_CODE + 2, fx_stack_qword(fx, 1));
	cr_assert_eq(1u, fx->outlen);
	fx_free(fx);
}

Test(io, cpl3_io_denied_by_the_bitmap_raises_gp0)
{
	static const uint8_t deny[][3] = {
		{0xE6, 0xEA, 0xF4},       /* out 0xEA, al: bit set */
		{0x66, 0xE7, 0xE9},       /* out 0xE9, ax: 0xEA is denied */
	};

	for (size_t i = 0; i < 2; i++) {
		struct fx *fx = fx_new(FX_LONG64);
		uint8_t code[4] = {deny[i][0], deny[i][1], deny[i][2], 0xF4};

		tss_with_io_bitmap(fx);
		fx_to_user(fx);
		cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
		cr_assert_eq(0ull, fx_stack_qword(fx, 0));
		cr_assert_eq(FX_CODE, fx_stack_qword(fx, 1), "case %zu", i);
		cr_assert_eq(0u, fx->outlen);
		fx_free(fx);
	}
}

Test(io, cpl3_io_with_the_bitmap_past_the_tss_limit_raises_gp0)
{
	static const uint8_t code[] = {0xE6, 0xE9, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);
	uint16_t base = 0x68; /* the fixture's TSS limit is 0x67 */

	fx_poke(fx, FX_TSS + 0x66, &base, 2);
	fx_to_user(fx);
	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(FX_CODE, fx_stack_qword(fx, 1));
	cr_assert_eq(0u, fx->outlen);
	fx_free(fx);
}

Test(io, cpl3_io_with_iopl3_skips_the_bitmap)
{
	static const uint8_t code[] = {0xE6, 0xEA, 0xF4};
	struct fx *fx = fx_new(FX_LONG64);

	tss_with_io_bitmap(fx);
	fx->cpu->rflags |= RF_IOPL;
	fx_to_user(fx);
	cr_assert_eq(EXC_GP, fx_try(fx, code, sizeof(code)));
	cr_assert_eq(FX_CODE + 2, fx_stack_qword(fx, 1), "only hlt faults");
	cr_assert_eq(1u, fx->outlen);
	fx_free(fx);
}
