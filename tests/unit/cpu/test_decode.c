/*
 * tests/unit/cpu/test_decode.c — cpu/decode.c on literal instruction
 * bytes: lengths, operand and address sizes, ModRM/SIB/displacement and
 * immediate fields, segments, prefixes, and the decoder's errors (15-byte
 * limit, LOCK misuse, mode validity, short buffers). Also the mnemonic
 * helpers of cpu/disasm.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cpu/dinsn.h"
#include "cpu/disasm.h"
#include "cpu/ops.h"
#include "cpu/regs.h"
#include "tests/common/fixture.h"

#define BYTES(...)  ((const uint8_t[]){__VA_ARGS__})
#define NBYTES(...) ((int)sizeof((const uint8_t[]){__VA_ARGS__}))

/* Decode and insist it works. */
static struct dinsn dec(enum cpu_mode m, const uint8_t *b, int n)
{
	struct dinsn d;
	memset(&d, 0xAA, sizeof(d));
	enum decode_err err = decode_insn(b, n, m, &d);
	cr_assert_eq(err, DEC_OK, "decode error %d", err);
	return d;
}

static enum decode_err dec_err(enum cpu_mode m, const uint8_t *b, int n,
			       struct dinsn *d)
{
	return decode_insn(b, n, m, d);
}

#define D64(...) dec(MODE_LONG64, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__))
#define D32(...) dec(MODE_PROT32, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__))
#define D16(...) dec(MODE_REAL16, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__))
#define E64(d, ...)                                                            \
	dec_err(MODE_LONG64, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__), d)
#define E32(d, ...)                                                            \
	dec_err(MODE_PROT32, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__), d)

/* ---- operand size, REX ----------------------------------------------------
 */

Test(decode, rex_w_add_reg_reg_is_64bit)
{
	struct dinsn d = D64(0x48, 0x01, 0xD8); /* add rax, rbx */
	cr_assert_eq(d.len, 3);
	cr_assert_eq(d.osize, 8);
	cr_assert_eq(d.asize, 8);
	cr_assert_eq(d.mod, 3);
	cr_assert_eq(d.reg, RBX);
	cr_assert_eq(d.rm, RAX);
	cr_assert(d.op == &optab_1b[0x01]);
	cr_assert(d.pfx & PFX_REX);
	cr_assert(d.pfx & PFX_REXW);
}

Test(decode, rex_w_with_66_prefix_uses_64bit_operand)
{
	cr_assert_eq(D64(0x66, 0x48, 0x01, 0xD8).osize, 8);
	cr_assert_eq(D64(0x66, 0x01, 0xD8).osize, 2);
	cr_assert_eq(D64(0x01, 0xD8).osize, 4);
}

Test(decode, rex_before_a_legacy_prefix_is_ignored)
{
	struct dinsn d = D64(0x48, 0x66, 0x01, 0xD8);
	cr_assert_eq(d.osize, 2);
	cr_assert_eq(d.pfx & (PFX_REX | PFX_REXW), 0);
	cr_assert_eq(d.len, 4);
	/* Of two REX prefixes the last one counts. */
	d = D64(0x48, 0x41, 0x01, 0xD8);
	cr_assert_eq(d.osize, 4);
	cr_assert_eq(d.rm, R8);
}

Test(decode, rex_r_and_rex_b_extend_reg_and_rm)
{
	struct dinsn d = D64(0x4D, 0x01, 0xC8); /* add r8, r9 */
	cr_assert_eq(d.reg, R9);
	cr_assert_eq(d.rm, R8);
}

Test(decode, default_operand_size_follows_the_mode)
{
	cr_assert_eq(D32(0x01, 0xD8).osize, 4);
	cr_assert_eq(D32(0x66, 0x01, 0xD8).osize, 2);
	cr_assert_eq(D16(0x01, 0xD8).osize, 2);
	cr_assert_eq(D16(0x66, 0x01, 0xD8).osize, 4);
	struct dinsn d;
	cr_assert_eq(decode_insn(BYTES(0x01, 0xD8), 2, MODE_PROT16, &d),
		     DEC_OK);
	cr_assert_eq(d.osize, 2);
	cr_assert_eq(d.asize, 2);
}

Test(decode, stack_ops_default_to_64bit_and_66_makes_them_16bit)
{
	cr_assert_eq(D64(0x50).osize, 8);
	cr_assert_eq(D64(0x66, 0x50).osize, 2);
	cr_assert_eq(D64(0x6A, 0xFF).osize, 8);
	cr_assert_eq(D64(0x9C).osize, 8);
	cr_assert_eq(D32(0x50).osize, 4);
}

Test(decode, near_branches_ignore_66_in_64bit_mode)
{
	struct dinsn d = D64(0x66, 0xE9, 0x10, 0x00, 0x00, 0x00);
	cr_assert_eq(d.len, 6);
	cr_assert_eq(d.osize, 8);
	cr_assert_eq(d.imm, 0x10);
	/* In 32-bit mode 66 selects rel16 and a 16-bit IP. */
	d = D32(0x66, 0xE9, 0xFE, 0xFF);
	cr_assert_eq(d.len, 4);
	cr_assert_eq(d.osize, 2);
	cr_assert_eq((int64_t)d.imm, -2);
}

Test(decode, port_io_ignores_rex_w)
{
	cr_assert_eq(D64(0x48, 0xED).osize, 4);	      /* in eax, dx */
	cr_assert_eq(D64(0x48, 0x6D).osize, 4);	      /* insd */
	cr_assert_eq(D64(0x66, 0xE5, 0x60).osize, 2); /* in ax, 0x60 */
}

/* ---- ModRM, SIB, displacement ---------------------------------------------
 */

Test(decode, sib_with_base_index_scale_and_disp8)
{
	struct dinsn d = D64(0x8B, 0x44, 0x8B, 0x10); /* [rbx+rcx*4+0x10] */
	cr_assert_eq(d.len, 4);
	cr_assert_eq(d.mod, 1);
	cr_assert_eq(d.reg, RAX);
	cr_assert_eq(d.base, RBX);
	cr_assert_eq(d.index, RCX);
	cr_assert_eq(d.scale, 2);
	cr_assert_eq(d.disp, 0x10);
	cr_assert_eq(d.seg, SEG_DS);
}

Test(decode, sib_index_4_means_no_index_but_rex_x_makes_it_r12)
{
	struct dinsn d = D64(0x8B, 0x04, 0x24); /* [rsp] */
	cr_assert_eq(d.base, RSP);
	cr_assert_eq(d.index, INDEX_NONE);
	cr_assert_eq(d.seg, SEG_SS);
	d = D64(0x42, 0x8B, 0x04, 0x24); /* [rsp + r12] */
	cr_assert_eq(d.index, R12);
}

Test(decode, sib_base_5_with_mod_0_is_disp32_without_base)
{
	struct dinsn d = D64(0x8B, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12);
	cr_assert_eq(d.len, 7);
	cr_assert_eq(d.base, BASE_NONE);
	cr_assert_eq(d.index, INDEX_NONE);
	cr_assert_eq(d.disp, 0x12345678);
	/* ... even with REX.B (the 3-bit field decides). */
	d = D64(0x41, 0x8B, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12);
	cr_assert_eq(d.base, BASE_NONE);
	/* With mod 1 it is rBP (or r13) plus disp8. */
	d = D64(0x41, 0x8B, 0x44, 0x25, 0xF0);
	cr_assert_eq(d.base, R13);
	cr_assert_eq(d.disp, -16);
}

Test(decode, rbp_and_rsp_bases_default_to_ss_but_r13_to_ds)
{
	cr_assert_eq(D64(0x8B, 0x45, 0x08).seg, SEG_SS);
	cr_assert_eq(D64(0x41, 0x8B, 0x45, 0x08).seg, SEG_DS);
	cr_assert_eq(D64(0x41, 0x8B, 0x04, 0x24).seg, SEG_DS); /* [r12] */
	cr_assert_eq(D64(0x8B, 0x04, 0x6D, 0, 0, 0, 0).seg, SEG_DS);
	cr_assert_eq(D32(0x8B, 0x45, 0x08).seg, SEG_SS);
}

Test(decode, rip_relative_counts_the_immediate_after_the_disp)
{
	/* mov dword [rip+0x10], 0x12345678 */
	struct dinsn d = D64(0xC7, 0x05, 0x10, 0, 0, 0, 0x78, 0x56, 0x34, 0x12);
	cr_assert_eq(d.len, 10);
	cr_assert_eq(d.base, BASE_RIP);
	cr_assert_eq(d.disp, 0x10);
	cr_assert_eq(d.imm, 0x12345678);
	/* mov qword [rip-16], -1: imm32 sign-extended to 64 bits */
	d = D64(0x48, 0xC7, 0x05, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0xFF);
	cr_assert_eq(d.len, 11);
	cr_assert_eq(d.disp, -16);
	cr_assert_eq(d.imm, ~0ull);
	/* 67: EIP-relative, address size 4 */
	d = D64(0x67, 0x8B, 0x05, 0, 0, 0, 0);
	cr_assert_eq(d.base, BASE_RIP);
	cr_assert_eq(d.asize, 4);
}

Test(decode, mod0_rm5_in_32bit_mode_is_an_absolute_disp32)
{
	struct dinsn d = D32(0x8B, 0x05, 0x78, 0x56, 0x34, 0x12);
	cr_assert_eq(d.base, BASE_NONE);
	cr_assert_eq(d.disp, 0x12345678);
	cr_assert_eq(d.asize, 4);
}

Test(decode, sixteen_bit_addressing)
{
	struct dinsn d = D32(0x67, 0x8B, 0x02); /* [bp+si] */
	cr_assert_eq(d.asize, 2);
	cr_assert_eq(d.base, RBP);
	cr_assert_eq(d.index, RSI);
	cr_assert_eq(d.seg, SEG_SS);
	cr_assert_eq(d.len, 3);
	d = D32(0x67, 0x8B, 0x06, 0x34, 0x12); /* [0x1234] */
	cr_assert_eq(d.base, BASE_NONE);
	cr_assert_eq(d.index, INDEX_NONE);
	cr_assert_eq(d.disp, 0x1234);
	cr_assert_eq(d.seg, SEG_DS);
	cr_assert_eq(d.len, 5);
	d = D16(0x8B, 0x47, 0xFE); /* [bx-2] */
	cr_assert_eq(d.base, RBX);
	cr_assert_eq(d.index, INDEX_NONE);
	cr_assert_eq(d.disp, -2);
	cr_assert_eq(d.seg, SEG_DS);
	d = D16(0x8B, 0x86, 0x00, 0x80); /* [bp+0x8000] (disp16) */
	cr_assert_eq(d.base, RBP);
	cr_assert_eq(d.seg, SEG_SS);
	cr_assert_eq(d.len, 4);
	d = D16(0x8B, 0x01); /* [bx+di] */
	cr_assert_eq(d.base, RBX);
	cr_assert_eq(d.index, RDI);
	/* 67 in real mode gives 32-bit addressing with SIB. */
	d = D16(0x67, 0x8B, 0x04, 0x24);
	cr_assert_eq(d.asize, 4);
	cr_assert_eq(d.base, RSP);
}

Test(decode, mov_cr_ignores_the_mod_field)
{
	struct dinsn d = D64(0x0F, 0x20, 0x00); /* mod 0 still "mov rax, cr0" */
	cr_assert_eq(d.len, 3);
	cr_assert_eq(d.mod, 3);
	cr_assert_eq(d.rm, RAX);
	cr_assert_eq(d.osize, 8);
	d = D64(0x44, 0x0F, 0x20, 0xC0); /* mov rax, cr8 */
	cr_assert_eq(d.reg, 8);
}

/* ---- segments -------------------------------------------------------------
 */

Test(decode, segment_overrides_last_one_wins_and_64bit_keeps_only_fs_gs)
{
	cr_assert_eq(D64(0x64, 0x8B, 0x00).seg, SEG_FS);
	cr_assert_eq(D64(0x64, 0x65, 0x8B, 0x00).seg, SEG_GS);
	struct dinsn d = D64(0x2E, 0x8B, 0x00);
	cr_assert_eq(d.seg, SEG_DS);
	cr_assert(d.pfx & PFX_SEGOVR);
	cr_assert_eq(D64(0x3E, 0x8B, 0x45, 0x00).seg, SEG_SS);
	cr_assert_eq(D32(0x2E, 0x8B, 0x00).seg, SEG_CS);
	cr_assert_eq(D32(0x26, 0x8B, 0x45, 0x00).seg, SEG_ES);
	cr_assert_eq(D32(0x8B, 0x00).pfx & PFX_SEGOVR, 0);
	/* String source segment comes from the override too. */
	cr_assert_eq(D32(0x26, 0xA4).seg, SEG_ES);
	cr_assert_eq(D64(0x65, 0xA4).seg, SEG_GS);
	cr_assert_eq(D64(0xA4).seg, SEG_DS);
}

/* ---- registers in the opcode, byte registers ------------------------------
 */

Test(decode, byte_registers_with_and_without_rex)
{
	struct dinsn d = D64(0x88, 0xE0); /* mov al, ah */
	cr_assert_eq(d.reg, 4);
	cr_assert_eq(d.pfx & PFX_REX, 0);
	d = D64(0x40, 0x88, 0xE0); /* mov al, spl */
	cr_assert_eq(d.reg, 4);
	cr_assert(d.pfx & PFX_REX);
	d = D64(0xB4, 0x12); /* mov ah, 0x12 */
	cr_assert_eq(d.reg, 4);
	cr_assert_eq(d.osize, 1);
	cr_assert_eq(D64(0x41, 0xB4, 0x12).reg, R12);
}

Test(decode, register_in_opcode_also_fills_rm_and_mod)
{
	struct dinsn d = D64(0x41, 0x50); /* push r8 */
	cr_assert_eq(d.reg, R8);
	cr_assert_eq(d.rm, R8);
	cr_assert_eq(d.mod, 3);
	d = D32(0x47); /* inc edi, served by the E-form handler */
	cr_assert(d.op->fn == op_inc_E);
	cr_assert_eq(d.rm, RDI);
	cr_assert_eq(d.mod, 3);
	cr_assert_eq(D64(0x0F, 0xCB).reg, RBX); /* bswap ebx */
	cr_assert_eq(D64(0x49, 0x0F, 0xCB).reg, R11);
}

Test(decode, nop_pause_and_xchg_r8)
{
	cr_assert(D64(0x90).op->fn == op_nop);
	cr_assert(D64(0xF3, 0x90).op->fn == op_pause);
	struct dinsn d = D64(0x41, 0x90); /* xchg r8d, eax */
	cr_assert(d.op->fn == op_xchg_AZ);
	cr_assert_eq(d.reg, R8);
	cr_assert(D64(0x48, 0x90).op->fn == op_nop);
	cr_assert(D64(0x0F, 0x1F, 0x44, 0x00, 0x00).op->fn == op_nop);
}

/* ---- immediates -----------------------------------------------------------
 */

Test(decode, immediates_are_sized_and_extended_per_row)
{
	cr_assert_eq(D64(0x83, 0xC0, 0xFF).imm, ~0ull);	    /* Ib */
	struct dinsn d = D64(0x66, 0x81, 0xC0, 0x34, 0x12); /* Iw */
	cr_assert_eq(d.len, 5);
	cr_assert_eq(d.imm, 0x1234);
	d = D64(0x48, 0xB8, 1, 2, 3, 4, 5, 6, 7, 8); /* imm64 */
	cr_assert_eq(d.len, 10);
	cr_assert_eq(d.imm, 0x0807060504030201ull);
	d = D64(0xC2, 0x10, 0x80); /* ret imm16 */
	cr_assert_eq(d.imm, 0x8010);
	d = D64(0xC8, 0x10, 0x00, 0x02); /* enter */
	cr_assert_eq(d.imm, 0x10);
	cr_assert_eq(d.imm2, 2);
	cr_assert_eq(d.len, 4);
	cr_assert_eq((int64_t)D64(0xEB, 0xFE).imm, -2); /* jmp $ */
	d = D64(0xE8, 0x00, 0x00, 0x00, 0x80);		/* call rel32 */
	cr_assert_eq(d.imm, 0xFFFFFFFF80000000ull);
	cr_assert_eq(D64(0xF6, 0xC1, 0x80).imm & 0xFF, 0x80); /* test cl */
	cr_assert_eq(D64(0xF6, 0xD1).len, 2);		      /* not cl */
}

Test(decode, moffs_is_address_sized)
{
	struct dinsn d = D64(0xA1, 1, 2, 3, 4, 5, 6, 7, 8);
	cr_assert_eq(d.len, 9);
	cr_assert_eq(d.imm, 0x0807060504030201ull);
	d = D64(0x67, 0xA1, 1, 2, 3, 4);
	cr_assert_eq(d.len, 6);
	cr_assert_eq(d.imm, 0x04030201);
	d = D32(0x67, 0xA0, 0xFF, 0xFF);
	cr_assert_eq(d.len, 4);
	cr_assert_eq(d.imm, 0xFFFF); /* an address: zero-extended */
	cr_assert_eq(D32(0x64, 0xA1, 0, 0, 0, 0).seg, SEG_FS);
}

Test(decode, far_pointer_keeps_the_selector_in_disp)
{
	struct dinsn d = D32(0xEA, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00);
	cr_assert_eq(d.len, 7);
	cr_assert_eq(d.imm, 0x12345678);
	cr_assert_eq(d.disp, 8);
	cr_assert_eq(d.imm2, 8);
	d = D32(0x66, 0xEA, 0x34, 0x12, 0x10, 0x00);
	cr_assert_eq(d.len, 6);
	cr_assert_eq(d.imm, 0x1234);
	cr_assert_eq(d.disp, 0x10);
}

/* ---- prefixes -------------------------------------------------------------
 */

Test(decode, rep_prefixes_last_one_wins)
{
	cr_assert(D64(0xF3, 0xA4).pfx & PFX_REP);
	struct dinsn d = D64(0xF2, 0xF3, 0xA6);
	cr_assert(d.pfx & PFX_REP);
	cr_assert_eq(d.pfx & PFX_REPNE, 0);
	d = D64(0xF3, 0xF2, 0xA6);
	cr_assert(d.pfx & PFX_REPNE);
	cr_assert_eq(d.pfx & PFX_REP, 0);
}

Test(decode, mandatory_prefix_selects_the_row_and_66_still_sizes_it)
{
	struct dinsn d = D64(0xF3, 0x66, 0x0F, 0xB8, 0xC0); /* popcnt ax, ax */
	cr_assert(d.op->fn == op_popcnt_GE);
	cr_assert_eq(d.osize, 2);
	cr_assert(D64(0xF2, 0xF3, 0x0F, 0xBC, 0xC0).op->fn == op_tzcnt_GE);
	cr_assert(D64(0xF3, 0xF2, 0x0F, 0xBC, 0xC0).op->fn == op_bsf_GE);
	cr_assert(D64(0x66, 0x0F, 0xBC, 0xC0).op->fn == op_bsf_GE);
	cr_assert(D64(0x66, 0x0F, 0xAE, 0x38).op->fn == op_clflush);
	cr_assert_str_eq(D64(0x66, 0x0F, 0xAE, 0x38).op->mnem, "clflushopt");
}

Test(decode, group_rows_select_by_modrm)
{
	cr_assert(D64(0xF7, 0xD8).op->fn == op_neg_E);
	cr_assert(D64(0xFF, 0x20).op->fn == op_jmp_E);
	cr_assert(D64(0x0F, 0x01, 0xF8).op->fn == op_swapgs);
	cr_assert(D64(0x0F, 0x01, 0xF9).op->fn == op_rdtscp);
	cr_assert(D64(0x0F, 0x01, 0xC1).op->fn == op_vmcall);
	cr_assert(D64(0x0F, 0x01, 0x10).op->fn == op_lgdt);
	cr_assert(D64(0x0F, 0xAE, 0xE8).op->fn == op_lfence);
	cr_assert(D64(0x0F, 0xAE, 0x10).op->fn == op_ldmxcsr);
	struct dinsn d = D64(0xC1, 0xE0, 0x04); /* shl eax, 4 */
	cr_assert(d.op->fn == op_shift_EI);
	cr_assert_eq(d.op->sub, 4);
	cr_assert_eq(d.imm, 4);
}

/* ---- errors ---------------------------------------------------------------
 */

Test(decode, fifteen_bytes_is_the_limit)
{
	uint8_t b[20];
	memset(b, 0x66, sizeof(b));
	struct dinsn d;
	b[14] = 0x90; /* 14 prefixes + NOP = 15 bytes */
	cr_assert_eq(decode_insn(b, 20, MODE_LONG64, &d), DEC_OK);
	cr_assert_eq(d.len, 15);
	b[14] = 0x66;
	b[15] = 0x90; /* 16 bytes */
	cr_assert_eq(decode_insn(b, 20, MODE_LONG64, &d), DEC_TOO_LONG);
	/* 3 x 66, REX, C7 84 SIB disp32 imm32 = 15; one more 66: 16 */
	uint8_t c[] = {0x66, 0x66, 0x66, 0x66, 0x48, 0xC7, 0x84, 0x24,
		       1,    2,	   3,	 4,    5,    6,	   7,	 8};
	cr_assert_eq(decode_insn(c + 1, 15, MODE_LONG64, &d), DEC_OK);
	cr_assert_eq(d.len, 15);
	cr_assert_eq(decode_insn(c, 16, MODE_LONG64, &d), DEC_TOO_LONG);
}

Test(decode, lock_needs_a_lockable_row_and_a_memory_destination)
{
	struct dinsn d;
	cr_assert_eq(E64(&d, 0xF0, 0x01, 0x00), DEC_OK);
	cr_assert(d.pfx & PFX_LOCK);
	cr_assert_eq(E64(&d, 0xF0, 0x01, 0xC0), DEC_UD); /* register dest */
	cr_assert_eq(E64(&d, 0xF0, 0x39, 0x00), DEC_UD); /* cmp */
	cr_assert_eq(E64(&d, 0xF0, 0x03, 0x00), DEC_UD); /* add r, m */
	cr_assert_eq(E64(&d, 0xF0, 0x05, 1, 0, 0, 0), DEC_UD); /* add eax,i */
	cr_assert_eq(E64(&d, 0xF0, 0x90), DEC_UD);
	cr_assert_eq(E64(&d, 0xF0, 0x87, 0x00), DEC_OK);       /* xchg m */
	cr_assert_eq(E64(&d, 0xF0, 0x0F, 0xAB, 0x00), DEC_OK); /* bts m */
	cr_assert_eq(E64(&d, 0xF0, 0x0F, 0xA3, 0x00), DEC_UD); /* bt m */
	cr_assert_eq(E64(&d, 0xF0, 0x0F, 0xC7, 0x08), DEC_OK); /* cmpxchg8b */
	cr_assert_eq(E64(&d, 0xF0, 0x0F, 0x20, 0xC0), DEC_UD); /* mov r,cr0 */
	cr_assert_eq(E64(&d, 0xF0, 0xF6, 0x18), DEC_OK);       /* neg m8 */
	cr_assert_eq(E64(&d, 0xF0, 0xF6, 0x00, 0x01), DEC_UD); /* test m,i */
}

Test(decode, mode_validity)
{
	struct dinsn d;
	cr_assert_eq(E64(&d, 0x06), DEC_UD); /* push es */
	cr_assert_eq(E32(&d, 0x06), DEC_OK);
	cr_assert_eq(E64(&d, 0x82, 0xC0, 0x01), DEC_UD);
	cr_assert_eq(E32(&d, 0x82, 0xC0, 0x01), DEC_OK);
	cr_assert_eq(E64(&d, 0xEA, 0, 0, 0, 0, 0, 0), DEC_UD);
	cr_assert_eq(E32(&d, 0x63, 0xC0), DEC_UD); /* arpl: none */
	cr_assert_eq(E64(&d, 0x63, 0xC0), DEC_OK); /* movsxd */
	cr_assert_eq(E32(&d, 0x0F, 0x05), DEC_UD); /* syscall (Intel) */
	cr_assert_eq(E64(&d, 0x0F, 0x05), DEC_OK);
	cr_assert_eq(E32(&d, 0x0F, 0x01, 0xF8), DEC_UD); /* swapgs */
	cr_assert_eq(E32(&d, 0x40), DEC_OK);		 /* inc eax */
	cr_assert_eq(E64(&d, 0x40, 0x90), DEC_OK);	 /* REX + nop */
}

Test(decode, memory_only_and_register_only_operands)
{
	struct dinsn d;
	cr_assert_eq(E64(&d, 0x8D, 0xC0), DEC_UD);	 /* lea r, r */
	cr_assert_eq(E64(&d, 0xFF, 0xD8), DEC_UD);	 /* lcall r */
	cr_assert_eq(E64(&d, 0x0F, 0xC7, 0xC8), DEC_UD); /* cmpxchg8b r */
	cr_assert_eq(E64(&d, 0x0F, 0x01, 0xD0), DEC_UD); /* xgetbv */
	cr_assert_eq(E64(&d, 0x8E, 0xF0), DEC_UD);	 /* mov sreg6 */
	cr_assert_eq(E64(&d, 0x8C, 0xF8), DEC_UD);	 /* mov r, sreg7 */
	cr_assert_eq(E64(&d, 0x44, 0x0F, 0x21, 0xC0), DEC_UD); /* dr8 */
	cr_assert_eq(E64(&d, 0x44, 0x8C, 0xD8), DEC_OK); /* REX.R ignored */
	cr_assert_eq(d.reg, SEG_DS);
	cr_assert_eq(E64(&d, 0x0F, 0x0B), DEC_OK); /* ud2 decodes */
	cr_assert(d.op->fn == op_ud);
	cr_assert_eq(E64(&d, 0xD6), DEC_UD); /* salc */
	cr_assert(d.op == &optab_invalid);
	cr_assert_eq(E64(&d, 0x0F, 0x38, 0x00, 0xC0), DEC_UD);
}

Test(decode, short_buffer_asks_for_the_bytes_it_needs)
{
	struct dinsn d;
	/* Length known (imm32 missing): exactly 5. */
	cr_assert_eq(decode_insn(BYTES(0xB8, 0x78, 0x56), 3, MODE_LONG64, &d),
		     DEC_FETCH);
	cr_assert_eq(d.len, 5);
	/* disp8 missing after a SIB: exactly 4. */
	cr_assert_eq(decode_insn(BYTES(0x8B, 0x44, 0x24), 3, MODE_LONG64, &d),
		     DEC_FETCH);
	cr_assert_eq(d.len, 4);
	/* A structural byte missing: length unknown, ask for up to 15. */
	cr_assert_eq(decode_insn(BYTES(0x0F), 1, MODE_LONG64, &d), DEC_FETCH);
	cr_assert_eq(d.len, 15);
	cr_assert_eq(decode_insn(BYTES(0x90), 0, MODE_LONG64, &d), DEC_FETCH);
	/* With the bytes it asked for it succeeds. */
	cr_assert_eq(decode_insn(BYTES(0xB8, 0x78, 0x56, 0x34, 0x12), 5,
				 MODE_LONG64, &d),
		     DEC_OK);
	/* Bytes beyond `avail` are never read: a UD is found first. */
	cr_assert_eq(decode_insn(BYTES(0xD6, 0xFF), 1, MODE_LONG64, &d),
		     DEC_UD);
}

Test(decode, every_single_byte_buffer_is_handled)
{
	/* No opcode may crash or read past avail, in any mode. */
	for (int m = MODE_REAL16; m <= MODE_LONG64; m++)
		for (int op = 0; op < 256; op++) {
			uint8_t b[1] = {(uint8_t)op};
			struct dinsn d;
			enum decode_err e = decode_insn(b, 1, m, &d);
			cr_assert(e == DEC_OK || e == DEC_UD || e == DEC_FETCH);
			if (e == DEC_FETCH)
				cr_assert(d.len > 1 && d.len <= 15);
			if (e == DEC_OK)
				cr_assert_eq(d.len, 1);
		}
}

/* ---- disasm helpers --------------------------------------------------------
 */

Test(decode, mnemonics_follow_operand_and_address_size)
{
	char buf[32];
	struct dinsn d = D64(0x98);
	cr_assert_str_eq(disasm_mnemonic(&d, buf, sizeof(buf)), "cwde");
	d = D64(0x48, 0x98);
	cr_assert_str_eq(disasm_mnemonic(&d, buf, sizeof(buf)), "cdqe");
	d = D64(0x66, 0x98);
	cr_assert_str_eq(disasm_mnemonic(&d, buf, sizeof(buf)), "cbw");
	d = D64(0xE3, 0x00);
	cr_assert_str_eq(disasm_mnemonic(&d, buf, sizeof(buf)), "jrcxz");
	d = D64(0x67, 0xE3, 0x00);
	cr_assert_str_eq(disasm_mnemonic(&d, buf, sizeof(buf)), "jecxz");
	d = D32(0x67, 0xE3, 0x00);
	cr_assert_str_eq(disasm_mnemonic(&d, buf, sizeof(buf)), "jcxz");
	d = D64(0x48, 0xA5);
	cr_assert_str_eq(disasm_mnemonic(&d, buf, sizeof(buf)), "movsq");
	d = D64(0x9C);
	cr_assert_str_eq(disasm_mnemonic(&d, buf, sizeof(buf)), "pushfq");
	d = D32(0x9C);
	cr_assert_str_eq(disasm_mnemonic(&d, buf, sizeof(buf)), "pushfd");
	d = D64(0xA1, 0, 0, 0, 0, 0, 0, 0, 0);
	cr_assert_str_eq(disasm_mnemonic(&d, buf, sizeof(buf)), "movabs");
	d = D64(0x0F, 0xAE, 0x00);
	cr_assert_str_eq(disasm_mnemonic(&d, buf, sizeof(buf)), "fxsave");
	d = D64(0x48, 0x0F, 0xAE, 0x00);
	cr_assert_str_eq(disasm_mnemonic(&d, buf, sizeof(buf)), "fxsave64");
	cr_assert_str_eq(disasm_mnemonic(&d, buf, 4), "fxs"); /* truncates */
}

Test(decode, capstone_text_and_prefix_stripping)
{
	char text[64];
	size_t n = disasm_format(BYTES(0x48, 0x01, 0xD8), 3, 0x1000,
				 MODE_LONG64, text, sizeof(text));
	cr_assert_eq(n, 3);
	cr_assert_str_eq(text, "add rax, rbx");
	cr_assert_eq(
	    disasm_format(BYTES(0x0F), 1, 0, MODE_LONG64, text, sizeof(text)),
	    0);
	cr_assert_str_eq(text, "(bad)");
	cr_assert_str_eq(disasm_strip_prefixes("rep movsb"), "movsb");
	cr_assert_str_eq(disasm_strip_prefixes("lock add"), "add");
	cr_assert_str_eq(disasm_strip_prefixes("xrelease lock add"), "add");
	cr_assert_str_eq(disasm_strip_prefixes("repne"), "repne");
}

Test(decode, opcode_key_names_map_and_byte)
{
	cr_assert_eq(decode_opcode_key(BYTES(0x90), 1, MODE_LONG64), 0x90);
	cr_assert_eq(
	    decode_opcode_key(BYTES(0x66, 0x0F, 0x01, 0xF8), 4, MODE_LONG64),
	    0x101);
	cr_assert_eq(decode_opcode_key(BYTES(0x0F, 0x38, 0x00), 3, MODE_LONG64),
		     0x200);
	cr_assert_eq(
	    decode_opcode_key(BYTES(0x48, 0x0F, 0x3A, 0x0F), 4, MODE_LONG64),
	    0x30F);
	cr_assert_eq(decode_opcode_key(BYTES(0x66, 0x66), 2, MODE_LONG64), -1);
	/* 0x48 is DEC eax, not REX, outside 64-bit mode. */
	cr_assert_eq(decode_opcode_key(BYTES(0x48, 0x90), 2, MODE_PROT32),
		     0x48);
}

/* ---- cpu_unimplemented (disasm.c) through the fixture ---------------------
 */

struct log_capture {
	int lines;
	char last[256];
};

static void capture_log(void *opaque, const char *msg)
{
	struct log_capture *l = opaque;
	l->lines++;
	snprintf(l->last, sizeof(l->last), "%s", msg);
}

Test(decode, undefined_opcode_is_logged_once_and_raises_ud)
{
	struct fx *fx = fx_new(FX_LONG64);
	struct log_capture log = {0};
	cpu_set_log(fx->cpu, capture_log, &log);
	const uint8_t code[] = {0x90, 0xD6, 0xF4}; /* nop; salc; hlt */
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_UD);
	cr_assert_eq(fx_stack_qword(fx, 0), FX_CODE + 1, "return RIP %#llx",
		     (unsigned long long)fx_stack_qword(fx, 0));
	cr_assert_eq(log.lines, 1);
	cr_assert(strstr(log.last, "rip=0x100001"), "%s", log.last);
	cr_assert(strstr(log.last, "d6"), "%s", log.last);
	/* SALC does not exist in 64-bit mode: Capstone cannot decode it. */
	cr_assert(strstr(log.last, "capstone: (bad)"), "%s", log.last);
	/* The same opcode again: #UD again, but no second log line. */
	fx->cpu->halted = false;
	fx_exec(fx, code, sizeof(code));
	cr_assert_eq(fx_vector(fx), EXC_UD);
	cr_assert_eq(log.lines, 1);
	/* A different undefined opcode is logged. */
	const uint8_t code2[] = {0x0F, 0x02, 0xC0, 0xF4}; /* lar: none */
	fx->cpu->halted = false;
	fx_exec(fx, code2, sizeof(code2));
	cr_assert_eq(fx_vector(fx), EXC_UD);
	cr_assert_eq(log.lines, 2);
	cr_assert(strstr(log.last, "0f 02 c0"), "%s", log.last);
	cr_assert(strstr(log.last, "capstone: lar eax, eax"), "%s", log.last);
	fx_free(fx);
}
