/*
 * cpu/optab.c — the one-byte opcode map and its ModRM groups, as data.
 *
 * Spec: Intel SDM Vol. 2D Appendix A (Table A-2 one-byte map, Table A-6
 * groups 1-5, 11), each instruction's "Flags Affected" section for the
 * fl_* columns, Vol. 2A §2.2.1.7 for the 64-bit operand-size defaults.
 * The 0F, 0F 38 and 0F 3A maps are in optab_0f.c; SSE and x87 rows in
 * optab_fp.c. Row shorthand (ROW, INV, GROUP, flag triplets) is in
 * optab_rows.h.
 *
 * Invariants (tests/unit/cpu/test_optab.c checks them): every byte has an
 * explicit row; a leaf row has a handler or is F_INVALID; F_GROUP and
 * F_PREFIX rows have a sub_table and no handler; fl_undef ⊆ fl_write;
 * F_LOCK only on rows whose destination may be memory. Bytes that are
 * prefixes never reach the table (decode.c consumes them) and are INV.
 * Near branches use SZ_F64: Intel ignores 66 on them in 64-bit mode.
 */
#include "cpu/optab_rows.h"

/* clang-format off */

/* The row decode.c uses for every undefined encoding. */
const struct opdesc optab_invalid = INV("(bad)");

/* Group 1 (80, 82, 83 /r): ALU op with immediate; sub = ModRM.reg. */
static const struct opdesc grp1_EbIb[8] = {
	/*  mnem   handler    operands  size imm sub cost flags    FLAGS */
	ROW("add", op_alu_EI, E, I, 0, B, B, 0, ALU, MR | LK, FARITH),
	ROW("or", op_alu_EI, E, I, 0, B, B, 1, ALU, MR | LK, FLOGIC),
	ROW("adc", op_alu_EI, E, I, 0, B, B, 2, ALU, MR | LK, FCARRY),
	ROW("sbb", op_alu_EI, E, I, 0, B, B, 3, ALU, MR | LK, FCARRY),
	ROW("and", op_alu_EI, E, I, 0, B, B, 4, ALU, MR | LK, FLOGIC),
	ROW("sub", op_alu_EI, E, I, 0, B, B, 5, ALU, MR | LK, FARITH),
	ROW("xor", op_alu_EI, E, I, 0, B, B, 6, ALU, MR | LK, FLOGIC),
	ROW("cmp", op_alu_EI, E, I, 0, B, B, 7, ALU, MR, FARITH),
};

static const struct opdesc grp1_EvIz[8] = {
	ROW("add", op_alu_EI, E, I, 0, V, Z, 0, ALU, MR | LK, FARITH),
	ROW("or", op_alu_EI, E, I, 0, V, Z, 1, ALU, MR | LK, FLOGIC),
	ROW("adc", op_alu_EI, E, I, 0, V, Z, 2, ALU, MR | LK, FCARRY),
	ROW("sbb", op_alu_EI, E, I, 0, V, Z, 3, ALU, MR | LK, FCARRY),
	ROW("and", op_alu_EI, E, I, 0, V, Z, 4, ALU, MR | LK, FLOGIC),
	ROW("sub", op_alu_EI, E, I, 0, V, Z, 5, ALU, MR | LK, FARITH),
	ROW("xor", op_alu_EI, E, I, 0, V, Z, 6, ALU, MR | LK, FLOGIC),
	ROW("cmp", op_alu_EI, E, I, 0, V, Z, 7, ALU, MR, FARITH),
};

static const struct opdesc grp1_EvIb[8] = {
	ROW("add", op_alu_EI, E, I, 0, V, B, 0, ALU, MR | LK, FARITH),
	ROW("or", op_alu_EI, E, I, 0, V, B, 1, ALU, MR | LK, FLOGIC),
	ROW("adc", op_alu_EI, E, I, 0, V, B, 2, ALU, MR | LK, FCARRY),
	ROW("sbb", op_alu_EI, E, I, 0, V, B, 3, ALU, MR | LK, FCARRY),
	ROW("and", op_alu_EI, E, I, 0, V, B, 4, ALU, MR | LK, FLOGIC),
	ROW("sub", op_alu_EI, E, I, 0, V, B, 5, ALU, MR | LK, FARITH),
	ROW("xor", op_alu_EI, E, I, 0, V, B, 6, ALU, MR | LK, FLOGIC),
	ROW("cmp", op_alu_EI, E, I, 0, V, B, 7, ALU, MR, FARITH),
};

/* Group 1A (8F): POP Ev; /1-/7 are XOP on AMD, undefined here. */
static const struct opdesc grp1a[8] = {
	ROW("pop", op_pop_E, E, 0, 0, V64, 0, 0, STACK, MR, FNONE),
	INV("(bad)"), INV("(bad)"), INV("(bad)"),
	INV("(bad)"), INV("(bad)"), INV("(bad)"), INV("(bad)"),
};

/* Group 2 (C0, C1, D0-D3): shifts and rotates; sub = ModRM.reg. By 1 OF
 * is defined; by CL/imm it is undefined unless the count is 1. */
static const struct opdesc grp2_EbIb[8] = {
	ROW("rol", op_shift_EI, E, I, 0, B, B, 0, ALU, MR, FROTN),
	ROW("ror", op_shift_EI, E, I, 0, B, B, 1, ALU, MR, FROTN),
	ROW("rcl", op_shift_EI, E, I, 0, B, B, 2, ALU, MR, FRCRN),
	ROW("rcr", op_shift_EI, E, I, 0, B, B, 3, ALU, MR, FRCRN),
	ROW("shl", op_shift_EI, E, I, 0, B, B, 4, ALU, MR, FSHIFTN),
	ROW("shr", op_shift_EI, E, I, 0, B, B, 5, ALU, MR, FSHIFTN),
	ROW("sal", op_shift_EI, E, I, 0, B, B, 6, ALU, MR, FSHIFTN),
	ROW("sar", op_shift_EI, E, I, 0, B, B, 7, ALU, MR, FSHIFTN),
};

static const struct opdesc grp2_EvIb[8] = {
	ROW("rol", op_shift_EI, E, I, 0, V, B, 0, ALU, MR, FROTN),
	ROW("ror", op_shift_EI, E, I, 0, V, B, 1, ALU, MR, FROTN),
	ROW("rcl", op_shift_EI, E, I, 0, V, B, 2, ALU, MR, FRCRN),
	ROW("rcr", op_shift_EI, E, I, 0, V, B, 3, ALU, MR, FRCRN),
	ROW("shl", op_shift_EI, E, I, 0, V, B, 4, ALU, MR, FSHIFTN),
	ROW("shr", op_shift_EI, E, I, 0, V, B, 5, ALU, MR, FSHIFTN),
	ROW("sal", op_shift_EI, E, I, 0, V, B, 6, ALU, MR, FSHIFTN),
	ROW("sar", op_shift_EI, E, I, 0, V, B, 7, ALU, MR, FSHIFTN),
};

static const struct opdesc grp2_Eb1[8] = {
	ROW("rol", op_shift_E1, E, 0, 0, B, 0, 0, ALU, MR, FROT1),
	ROW("ror", op_shift_E1, E, 0, 0, B, 0, 1, ALU, MR, FROT1),
	ROW("rcl", op_shift_E1, E, 0, 0, B, 0, 2, ALU, MR, FRCR1),
	ROW("rcr", op_shift_E1, E, 0, 0, B, 0, 3, ALU, MR, FRCR1),
	ROW("shl", op_shift_E1, E, 0, 0, B, 0, 4, ALU, MR, FSHIFT1),
	ROW("shr", op_shift_E1, E, 0, 0, B, 0, 5, ALU, MR, FSHIFT1),
	ROW("sal", op_shift_E1, E, 0, 0, B, 0, 6, ALU, MR, FSHIFT1),
	ROW("sar", op_shift_E1, E, 0, 0, B, 0, 7, ALU, MR, FSHIFT1),
};

static const struct opdesc grp2_Ev1[8] = {
	ROW("rol", op_shift_E1, E, 0, 0, V, 0, 0, ALU, MR, FROT1),
	ROW("ror", op_shift_E1, E, 0, 0, V, 0, 1, ALU, MR, FROT1),
	ROW("rcl", op_shift_E1, E, 0, 0, V, 0, 2, ALU, MR, FRCR1),
	ROW("rcr", op_shift_E1, E, 0, 0, V, 0, 3, ALU, MR, FRCR1),
	ROW("shl", op_shift_E1, E, 0, 0, V, 0, 4, ALU, MR, FSHIFT1),
	ROW("shr", op_shift_E1, E, 0, 0, V, 0, 5, ALU, MR, FSHIFT1),
	ROW("sal", op_shift_E1, E, 0, 0, V, 0, 6, ALU, MR, FSHIFT1),
	ROW("sar", op_shift_E1, E, 0, 0, V, 0, 7, ALU, MR, FSHIFT1),
};

static const struct opdesc grp2_EbCL[8] = {
	ROW("rol", op_shift_ECL, E, CL, 0, B, 0, 0, ALU, MR, FROTN),
	ROW("ror", op_shift_ECL, E, CL, 0, B, 0, 1, ALU, MR, FROTN),
	ROW("rcl", op_shift_ECL, E, CL, 0, B, 0, 2, ALU, MR, FRCRN),
	ROW("rcr", op_shift_ECL, E, CL, 0, B, 0, 3, ALU, MR, FRCRN),
	ROW("shl", op_shift_ECL, E, CL, 0, B, 0, 4, ALU, MR, FSHIFTN),
	ROW("shr", op_shift_ECL, E, CL, 0, B, 0, 5, ALU, MR, FSHIFTN),
	ROW("sal", op_shift_ECL, E, CL, 0, B, 0, 6, ALU, MR, FSHIFTN),
	ROW("sar", op_shift_ECL, E, CL, 0, B, 0, 7, ALU, MR, FSHIFTN),
};

static const struct opdesc grp2_EvCL[8] = {
	ROW("rol", op_shift_ECL, E, CL, 0, V, 0, 0, ALU, MR, FROTN),
	ROW("ror", op_shift_ECL, E, CL, 0, V, 0, 1, ALU, MR, FROTN),
	ROW("rcl", op_shift_ECL, E, CL, 0, V, 0, 2, ALU, MR, FRCRN),
	ROW("rcr", op_shift_ECL, E, CL, 0, V, 0, 3, ALU, MR, FRCRN),
	ROW("shl", op_shift_ECL, E, CL, 0, V, 0, 4, ALU, MR, FSHIFTN),
	ROW("shr", op_shift_ECL, E, CL, 0, V, 0, 5, ALU, MR, FSHIFTN),
	ROW("sal", op_shift_ECL, E, CL, 0, V, 0, 6, ALU, MR, FSHIFTN),
	ROW("sar", op_shift_ECL, E, CL, 0, V, 0, 7, ALU, MR, FSHIFTN),
};

/* Group 3 (F6, F7): /1 is an undocumented alias of TEST that both
 * vendors execute (and Capstone decodes). */
static const struct opdesc grp3_Eb[8] = {
	ROW("test", op_test_EI, E, I, 0, B, B, 0, ALU, MR, FLOGIC),
	ROW("test", op_test_EI, E, I, 0, B, B, 0, ALU, MR, FLOGIC),
	ROW("not", op_not_E, E, 0, 0, B, 0, 0, ALU, MR | LK, FNONE),
	ROW("neg", op_neg_E, E, 0, 0, B, 0, 0, ALU, MR | LK, FARITH),
	ROW("mul", op_mul_E, E, 0, 0, B, 0, 0, MUL, MR, FMUL),
	ROW("imul", op_imul1_E, E, 0, 0, B, 0, 0, MUL, MR, FMUL),
	ROW("div", op_div_E, E, 0, 0, B, 0, 0, DIV, MR, FDIV),
	ROW("idiv", op_idiv_E, E, 0, 0, B, 0, 0, DIV, MR, FDIV),
};

static const struct opdesc grp3_Ev[8] = {
	ROW("test", op_test_EI, E, I, 0, V, Z, 0, ALU, MR, FLOGIC),
	ROW("test", op_test_EI, E, I, 0, V, Z, 0, ALU, MR, FLOGIC),
	ROW("not", op_not_E, E, 0, 0, V, 0, 0, ALU, MR | LK, FNONE),
	ROW("neg", op_neg_E, E, 0, 0, V, 0, 0, ALU, MR | LK, FARITH),
	ROW("mul", op_mul_E, E, 0, 0, V, 0, 0, MUL, MR, FMUL),
	ROW("imul", op_imul1_E, E, 0, 0, V, 0, 0, MUL, MR, FMUL),
	ROW("div", op_div_E, E, 0, 0, V, 0, 0, DIV, MR, FDIV),
	ROW("idiv", op_idiv_E, E, 0, 0, V, 0, 0, DIV, MR, FDIV),
};

/* Group 4 (FE) and 5 (FF). Far forms take an m16:16/32/64 pointer. */
static const struct opdesc grp4[8] = {
	ROW("inc", op_inc_E, E, 0, 0, B, 0, 0, ALU, MR | LK, FINCDEC),
	ROW("dec", op_dec_E, E, 0, 0, B, 0, 0, ALU, MR | LK, FINCDEC),
	INV("(bad)"), INV("(bad)"), INV("(bad)"), INV("(bad)"),
	INV("(bad)"), INV("(bad)"),
};

static const struct opdesc grp5[8] = {
	ROW("inc", op_inc_E, E, 0, 0, V, 0, 0, ALU, MR | LK, FINCDEC),
	ROW("dec", op_dec_E, E, 0, 0, V, 0, 0, ALU, MR | LK, FINCDEC),
	ROW("call", op_call_E, E, 0, 0, F64, 0, 0, IBRANCH, MR | BR, FNONE),
	ROW("lcall", op_call_far_M, M, 0, 0, V, 0, 0, IBRANCH, MR | BR | SE,
	    FNONE),
	ROW("jmp", op_jmp_E, E, 0, 0, F64, 0, 0, IBRANCH, MR | BR, FNONE),
	ROW("ljmp", op_jmp_far_M, M, 0, 0, V, 0, 0, IBRANCH, MR | BR | SE,
	    FNONE),
	ROW("push", op_push_E, E, 0, 0, V64, 0, 0, STACK, MR, FNONE),
	INV("(bad)"),
};

/* Group 11 (C6, C7): MOV E, imm; C6 F8 / C7 F8 are XABORT / XBEGIN. */
static const struct opdesc grp11_Eb[8] = {
	ROW("mov", op_mov_EI, E, I, 0, B, B, 0, MOV, MR, FNONE),
	INV("(bad)"), INV("(bad)"), INV("(bad)"),
	INV("(bad)"), INV("(bad)"), INV("(bad)"), INV("xabort"),
};

static const struct opdesc grp11_Ev[8] = {
	ROW("mov", op_mov_EI, E, I, 0, V, Z, 0, MOV, MR, FNONE),
	INV("(bad)"), INV("(bad)"), INV("(bad)"),
	INV("(bad)"), INV("(bad)"), INV("(bad)"), INV("xbegin"),
};

/* 90: NOP, or PAUSE with F3 (decode.c turns 90 with REX.B into XCHG). */
static const struct opdesc nop90[4] = {
	ROW("nop", op_nop, 0, 0, 0, V, 0, 0, MOV, 0, FNONE),
	ROW("nop", op_nop, 0, 0, 0, V, 0, 0, MOV, 0, FNONE),
	ROW("pause", op_pause, 0, 0, 0, V, 0, 0, SERIALIZE, 0, FNONE),
	ROW("nop", op_nop, 0, 0, 0, V, 0, 0, MOV, 0, FNONE),
};

#define X87(i) GROUP("(x87)", F_GROUP_RM | F_X87, optab_x87[i])

const struct opdesc optab_1b[256] = {
	/* 0x00 */
	/*            mnem   handler     operands size imm sub cost  flags */
	[0x00] = ROW("add", op_alu_EG, E, G, 0, B, 0, 0, ALU, MR | LK, FARITH),
	[0x01] = ROW("add", op_alu_EG, E, G, 0, V, 0, 0, ALU, MR | LK, FARITH),
	[0x02] = ROW("add", op_alu_GE, G, E, 0, B, 0, 0, ALU, MR, FARITH),
	[0x03] = ROW("add", op_alu_GE, G, E, 0, V, 0, 0, ALU, MR, FARITH),
	[0x04] = ROW("add", op_alu_AI, A, I, 0, B, B, 0, ALU, 0, FARITH),
	[0x05] = ROW("add", op_alu_AI, A, I, 0, V, Z, 0, ALU, 0, FARITH),
	[0x06] = ROW("push", op_push_S, 0, 0, 0, V, 0, SEG_ES, STACK, I64, FNONE),
	[0x07] = ROW("pop", op_pop_S, 0, 0, 0, V, 0, SEG_ES, SEGLOAD, I64, FNONE),
	/* 0x08 */
	[0x08] = ROW("or", op_alu_EG, E, G, 0, B, 0, 1, ALU, MR | LK, FLOGIC),
	[0x09] = ROW("or", op_alu_EG, E, G, 0, V, 0, 1, ALU, MR | LK, FLOGIC),
	[0x0A] = ROW("or", op_alu_GE, G, E, 0, B, 0, 1, ALU, MR, FLOGIC),
	[0x0B] = ROW("or", op_alu_GE, G, E, 0, V, 0, 1, ALU, MR, FLOGIC),
	[0x0C] = ROW("or", op_alu_AI, A, I, 0, B, B, 1, ALU, 0, FLOGIC),
	[0x0D] = ROW("or", op_alu_AI, A, I, 0, V, Z, 1, ALU, 0, FLOGIC),
	[0x0E] = ROW("push", op_push_S, 0, 0, 0, V, 0, SEG_CS, STACK, I64, FNONE),
	[0x0F] = INV("(0f escape)"),
	/* 0x10 */
	[0x10] = ROW("adc", op_alu_EG, E, G, 0, B, 0, 2, ALU, MR | LK, FCARRY),
	[0x11] = ROW("adc", op_alu_EG, E, G, 0, V, 0, 2, ALU, MR | LK, FCARRY),
	[0x12] = ROW("adc", op_alu_GE, G, E, 0, B, 0, 2, ALU, MR, FCARRY),
	[0x13] = ROW("adc", op_alu_GE, G, E, 0, V, 0, 2, ALU, MR, FCARRY),
	[0x14] = ROW("adc", op_alu_AI, A, I, 0, B, B, 2, ALU, 0, FCARRY),
	[0x15] = ROW("adc", op_alu_AI, A, I, 0, V, Z, 2, ALU, 0, FCARRY),
	[0x16] = ROW("push", op_push_S, 0, 0, 0, V, 0, SEG_SS, STACK, I64, FNONE),
	[0x17] = ROW("pop", op_pop_S, 0, 0, 0, V, 0, SEG_SS, SEGLOAD, I64 | SE,
		     FNONE),
	/* 0x18 */
	[0x18] = ROW("sbb", op_alu_EG, E, G, 0, B, 0, 3, ALU, MR | LK, FCARRY),
	[0x19] = ROW("sbb", op_alu_EG, E, G, 0, V, 0, 3, ALU, MR | LK, FCARRY),
	[0x1A] = ROW("sbb", op_alu_GE, G, E, 0, B, 0, 3, ALU, MR, FCARRY),
	[0x1B] = ROW("sbb", op_alu_GE, G, E, 0, V, 0, 3, ALU, MR, FCARRY),
	[0x1C] = ROW("sbb", op_alu_AI, A, I, 0, B, B, 3, ALU, 0, FCARRY),
	[0x1D] = ROW("sbb", op_alu_AI, A, I, 0, V, Z, 3, ALU, 0, FCARRY),
	[0x1E] = ROW("push", op_push_S, 0, 0, 0, V, 0, SEG_DS, STACK, I64, FNONE),
	[0x1F] = ROW("pop", op_pop_S, 0, 0, 0, V, 0, SEG_DS, SEGLOAD, I64, FNONE),
	/* 0x20 */
	[0x20] = ROW("and", op_alu_EG, E, G, 0, B, 0, 4, ALU, MR | LK, FLOGIC),
	[0x21] = ROW("and", op_alu_EG, E, G, 0, V, 0, 4, ALU, MR | LK, FLOGIC),
	[0x22] = ROW("and", op_alu_GE, G, E, 0, B, 0, 4, ALU, MR, FLOGIC),
	[0x23] = ROW("and", op_alu_GE, G, E, 0, V, 0, 4, ALU, MR, FLOGIC),
	[0x24] = ROW("and", op_alu_AI, A, I, 0, B, B, 4, ALU, 0, FLOGIC),
	[0x25] = ROW("and", op_alu_AI, A, I, 0, V, Z, 4, ALU, 0, FLOGIC),
	[0x26] = INV("(es prefix)"),
	[0x27] = INV("daa"),
	/* 0x28 */
	[0x28] = ROW("sub", op_alu_EG, E, G, 0, B, 0, 5, ALU, MR | LK, FARITH),
	[0x29] = ROW("sub", op_alu_EG, E, G, 0, V, 0, 5, ALU, MR | LK, FARITH),
	[0x2A] = ROW("sub", op_alu_GE, G, E, 0, B, 0, 5, ALU, MR, FARITH),
	[0x2B] = ROW("sub", op_alu_GE, G, E, 0, V, 0, 5, ALU, MR, FARITH),
	[0x2C] = ROW("sub", op_alu_AI, A, I, 0, B, B, 5, ALU, 0, FARITH),
	[0x2D] = ROW("sub", op_alu_AI, A, I, 0, V, Z, 5, ALU, 0, FARITH),
	[0x2E] = INV("(cs prefix)"),
	[0x2F] = INV("das"),
	/* 0x30 */
	[0x30] = ROW("xor", op_alu_EG, E, G, 0, B, 0, 6, ALU, MR | LK, FLOGIC),
	[0x31] = ROW("xor", op_alu_EG, E, G, 0, V, 0, 6, ALU, MR | LK, FLOGIC),
	[0x32] = ROW("xor", op_alu_GE, G, E, 0, B, 0, 6, ALU, MR, FLOGIC),
	[0x33] = ROW("xor", op_alu_GE, G, E, 0, V, 0, 6, ALU, MR, FLOGIC),
	[0x34] = ROW("xor", op_alu_AI, A, I, 0, B, B, 6, ALU, 0, FLOGIC),
	[0x35] = ROW("xor", op_alu_AI, A, I, 0, V, Z, 6, ALU, 0, FLOGIC),
	[0x36] = INV("(ss prefix)"),
	[0x37] = INV("aaa"),
	/* 0x38 */
	[0x38] = ROW("cmp", op_alu_EG, E, G, 0, B, 0, 7, ALU, MR, FARITH),
	[0x39] = ROW("cmp", op_alu_EG, E, G, 0, V, 0, 7, ALU, MR, FARITH),
	[0x3A] = ROW("cmp", op_alu_GE, G, E, 0, B, 0, 7, ALU, MR, FARITH),
	[0x3B] = ROW("cmp", op_alu_GE, G, E, 0, V, 0, 7, ALU, MR, FARITH),
	[0x3C] = ROW("cmp", op_alu_AI, A, I, 0, B, B, 7, ALU, 0, FARITH),
	[0x3D] = ROW("cmp", op_alu_AI, A, I, 0, V, Z, 7, ALU, 0, FARITH),
	[0x3E] = INV("(ds prefix)"),
	[0x3F] = INV("aas"),
	/* 0x40: INC/DEC r (REX prefixes in 64-bit mode, consumed by decode.c).
	 * decode.c sets mod = 3, rm = reg for O_Z rows, so the E handlers
	 * serve them. */
	[0x40] = ROW("inc", op_inc_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	[0x41] = ROW("inc", op_inc_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	[0x42] = ROW("inc", op_inc_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	[0x43] = ROW("inc", op_inc_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	[0x44] = ROW("inc", op_inc_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	[0x45] = ROW("inc", op_inc_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	[0x46] = ROW("inc", op_inc_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	[0x47] = ROW("inc", op_inc_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	/* 0x48 */
	[0x48] = ROW("dec", op_dec_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	[0x49] = ROW("dec", op_dec_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	[0x4A] = ROW("dec", op_dec_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	[0x4B] = ROW("dec", op_dec_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	[0x4C] = ROW("dec", op_dec_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	[0x4D] = ROW("dec", op_dec_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	[0x4E] = ROW("dec", op_dec_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	[0x4F] = ROW("dec", op_dec_E, Z, 0, 0, V, 0, 0, ALU, I64, FINCDEC),
	/* 0x50 */
	[0x50] = ROW("push", op_push_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0x51] = ROW("push", op_push_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0x52] = ROW("push", op_push_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0x53] = ROW("push", op_push_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0x54] = ROW("push", op_push_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0x55] = ROW("push", op_push_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0x56] = ROW("push", op_push_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0x57] = ROW("push", op_push_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	/* 0x58 */
	[0x58] = ROW("pop", op_pop_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0x59] = ROW("pop", op_pop_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0x5A] = ROW("pop", op_pop_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0x5B] = ROW("pop", op_pop_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0x5C] = ROW("pop", op_pop_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0x5D] = ROW("pop", op_pop_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0x5E] = ROW("pop", op_pop_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0x5F] = ROW("pop", op_pop_Z, Z, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	/* 0x60 */
	[0x60] = ROW("pushaw|pushal|", op_pusha, 0, 0, 0, V, 0, 0, STACK, I64,
		     FNONE),
	[0x61] = ROW("popaw|popal|", op_popa, 0, 0, 0, V, 0, 0, STACK, I64,
		     FNONE),
	[0x62] = ROW("bound", op_bound, G, M, 0, V, 0, 0, LOAD, MR | I64, FNONE),
	[0x63] = ROW("movsxd", op_movsxd_GE, G, E, 0, V, 0, 0, MOV, MR | O64,
		     FNONE),
	[0x64] = INV("(fs prefix)"),
	[0x65] = INV("(gs prefix)"),
	[0x66] = INV("(opsize prefix)"),
	[0x67] = INV("(adsize prefix)"),
	/* 0x68 */
	[0x68] = ROW("push", op_push_I, I, 0, 0, V64, Z, 0, STACK, 0, FNONE),
	[0x69] = ROW("imul", op_imul_GEI, G, E, I, V, Z, 0, MUL, MR, FMUL),
	[0x6A] = ROW("push", op_push_I, I, 0, 0, V64, B, 0, STACK, 0, FNONE),
	[0x6B] = ROW("imul", op_imul_GEI, G, E, I, V, B, 0, MUL, MR, FMUL),
	[0x6C] = ROW("insb", op_ins, 0, DX, 0, B, 0, 0, IO, RP | SE, FDF),
	[0x6D] = ROW("insw|insd|insd", op_ins, 0, DX, 0, V, 0, 0, IO,
		     RP | SE | NW, FDF),
	[0x6E] = ROW("outsb", op_outs, DX, 0, 0, B, 0, 0, IO, RP | SE, FDF),
	[0x6F] = ROW("outsw|outsd|outsd", op_outs, DX, 0, 0, V, 0, 0, IO,
		     RP | SE | NW, FDF),
	/* 0x70: Jcc rel8; sub = cc */
	[0x70] = ROW("jo", op_jcc_J, J, 0, 0, F64, B, 0x0, BRANCH, BR, FCC(0x0)),
	[0x71] = ROW("jno", op_jcc_J, J, 0, 0, F64, B, 0x1, BRANCH, BR, FCC(0x1)),
	[0x72] = ROW("jb", op_jcc_J, J, 0, 0, F64, B, 0x2, BRANCH, BR, FCC(0x2)),
	[0x73] = ROW("jae", op_jcc_J, J, 0, 0, F64, B, 0x3, BRANCH, BR, FCC(0x3)),
	[0x74] = ROW("je", op_jcc_J, J, 0, 0, F64, B, 0x4, BRANCH, BR, FCC(0x4)),
	[0x75] = ROW("jne", op_jcc_J, J, 0, 0, F64, B, 0x5, BRANCH, BR, FCC(0x5)),
	[0x76] = ROW("jbe", op_jcc_J, J, 0, 0, F64, B, 0x6, BRANCH, BR, FCC(0x6)),
	[0x77] = ROW("ja", op_jcc_J, J, 0, 0, F64, B, 0x7, BRANCH, BR, FCC(0x7)),
	/* 0x78 */
	[0x78] = ROW("js", op_jcc_J, J, 0, 0, F64, B, 0x8, BRANCH, BR, FCC(0x8)),
	[0x79] = ROW("jns", op_jcc_J, J, 0, 0, F64, B, 0x9, BRANCH, BR, FCC(0x9)),
	[0x7A] = ROW("jp", op_jcc_J, J, 0, 0, F64, B, 0xA, BRANCH, BR, FCC(0xA)),
	[0x7B] = ROW("jnp", op_jcc_J, J, 0, 0, F64, B, 0xB, BRANCH, BR, FCC(0xB)),
	[0x7C] = ROW("jl", op_jcc_J, J, 0, 0, F64, B, 0xC, BRANCH, BR, FCC(0xC)),
	[0x7D] = ROW("jge", op_jcc_J, J, 0, 0, F64, B, 0xD, BRANCH, BR, FCC(0xD)),
	[0x7E] = ROW("jle", op_jcc_J, J, 0, 0, F64, B, 0xE, BRANCH, BR, FCC(0xE)),
	[0x7F] = ROW("jg", op_jcc_J, J, 0, 0, F64, B, 0xF, BRANCH, BR, FCC(0xF)),
	/* 0x80 */
	[0x80] = GROUP("(grp1)", 0, grp1_EbIb),
	[0x81] = GROUP("(grp1)", 0, grp1_EvIz),
	[0x82] = GROUP("(grp1)", I64, grp1_EbIb),
	[0x83] = GROUP("(grp1)", 0, grp1_EvIb),
	[0x84] = ROW("test", op_test_EG, E, G, 0, B, 0, 0, ALU, MR, FLOGIC),
	[0x85] = ROW("test", op_test_EG, E, G, 0, V, 0, 0, ALU, MR, FLOGIC),
	[0x86] = ROW("xchg", op_xchg_EG, E, G, 0, B, 0, 0, MOV, MR | LK, FNONE),
	[0x87] = ROW("xchg", op_xchg_EG, E, G, 0, V, 0, 0, MOV, MR | LK, FNONE),
	/* 0x88 */
	[0x88] = ROW("mov", op_mov_EG, E, G, 0, B, 0, 0, MOV, MR, FNONE),
	[0x89] = ROW("mov", op_mov_EG, E, G, 0, V, 0, 0, MOV, MR, FNONE),
	[0x8A] = ROW("mov", op_mov_GE, G, E, 0, B, 0, 0, MOV, MR, FNONE),
	[0x8B] = ROW("mov", op_mov_GE, G, E, 0, V, 0, 0, MOV, MR, FNONE),
	[0x8C] = ROW("mov", op_mov_ES, E, S, 0, V, 0, 0, MOV, MR, FNONE),
	[0x8D] = ROW("lea", op_lea_GM, G, M, 0, V, 0, 0, MOV, MR, FNONE),
	[0x8E] = ROW("mov", op_mov_SE, S, E, 0, W, 0, 0, SEGLOAD, MR | SE,
		     FNONE),
	[0x8F] = GROUP("(grp1a)", 0, grp1a),
	/* 0x90 */
	[0x90] = PREFIXED("(nop)", nop90),
	[0x91] = ROW("xchg", op_xchg_AZ, Z, A, 0, V, 0, 0, MOV, 0, FNONE),
	[0x92] = ROW("xchg", op_xchg_AZ, Z, A, 0, V, 0, 0, MOV, 0, FNONE),
	[0x93] = ROW("xchg", op_xchg_AZ, Z, A, 0, V, 0, 0, MOV, 0, FNONE),
	[0x94] = ROW("xchg", op_xchg_AZ, Z, A, 0, V, 0, 0, MOV, 0, FNONE),
	[0x95] = ROW("xchg", op_xchg_AZ, Z, A, 0, V, 0, 0, MOV, 0, FNONE),
	[0x96] = ROW("xchg", op_xchg_AZ, Z, A, 0, V, 0, 0, MOV, 0, FNONE),
	[0x97] = ROW("xchg", op_xchg_AZ, Z, A, 0, V, 0, 0, MOV, 0, FNONE),
	/* 0x98 */
	[0x98] = ROW("cbw|cwde|cdqe", op_cbw, 0, 0, 0, V, 0, 0, ALU, 0, FNONE),
	[0x99] = ROW("cwd|cdq|cqo", op_cwd, 0, 0, 0, V, 0, 0, ALU, 0, FNONE),
	[0x9A] = ROW("lcall", op_call_far_A, AP, 0, 0, V, AP, 0, IBRANCH,
		     I64 | BR | SE, FNONE),
	[0x9B] = ROW("wait", op_fwait, 0, 0, 0, V, 0, 0, X87, 0, FNONE),
	[0x9C] = ROW("pushf|pushfd|pushfq", op_pushf, 0, 0, 0, V64, 0, 0, STACK,
		     0, FALLR),
	[0x9D] = ROW("popf|popfd|popfq", op_popf, 0, 0, 0, V64, 0, 0, STACK, SE,
		     FALLW),
	[0x9E] = ROW("sahf", op_sahf, 0, 0, 0, B, 0, 0, ALU, 0, FSAHF),
	[0x9F] = ROW("lahf", op_lahf, 0, 0, 0, B, 0, 0, ALU, 0, FLAHF),
	/* 0xA0: moffs forms are "movabs" in Capstone with 64-bit addresses */
	[0xA0] = ROW("@mov|mov|movabs", op_mov_AO, A, O, 0, B, O, 0, LOAD, 0,
		     FNONE),
	[0xA1] = ROW("@mov|mov|movabs", op_mov_AO, A, O, 0, V, O, 0, LOAD, 0,
		     FNONE),
	[0xA2] = ROW("@mov|mov|movabs", op_mov_OA, O, A, 0, B, O, 0, STORE, 0,
		     FNONE),
	[0xA3] = ROW("@mov|mov|movabs", op_mov_OA, O, A, 0, V, O, 0, STORE, 0,
		     FNONE),
	[0xA4] = ROW("movsb", op_movs, 0, 0, 0, B, 0, 0, STRING, RP, FDF),
	[0xA5] = ROW("movsw|movsd|movsq", op_movs, 0, 0, 0, V, 0, 0, STRING, RP,
		     FDF),
	[0xA6] = ROW("cmpsb", op_cmps, 0, 0, 0, B, 0, 0, STRING, RP, FCMPS),
	[0xA7] = ROW("cmpsw|cmpsd|cmpsq", op_cmps, 0, 0, 0, V, 0, 0, STRING, RP,
		     FCMPS),
	/* 0xA8 */
	[0xA8] = ROW("test", op_test_AI, A, I, 0, B, B, 0, ALU, 0, FLOGIC),
	[0xA9] = ROW("test", op_test_AI, A, I, 0, V, Z, 0, ALU, 0, FLOGIC),
	[0xAA] = ROW("stosb", op_stos, 0, 0, 0, B, 0, 0, STRING, RP, FDF),
	[0xAB] = ROW("stosw|stosd|stosq", op_stos, 0, 0, 0, V, 0, 0, STRING, RP,
		     FDF),
	[0xAC] = ROW("lodsb", op_lods, 0, 0, 0, B, 0, 0, STRING, RP, FDF),
	[0xAD] = ROW("lodsw|lodsd|lodsq", op_lods, 0, 0, 0, V, 0, 0, STRING, RP,
		     FDF),
	[0xAE] = ROW("scasb", op_scas, 0, 0, 0, B, 0, 0, STRING, RP, FCMPS),
	[0xAF] = ROW("scasw|scasd|scasq", op_scas, 0, 0, 0, V, 0, 0, STRING, RP,
		     FCMPS),
	/* 0xB0: MOV r8, imm8 */
	[0xB0] = ROW("mov", op_mov_ZI, Z, I, 0, B, B, 0, MOV, 0, FNONE),
	[0xB1] = ROW("mov", op_mov_ZI, Z, I, 0, B, B, 0, MOV, 0, FNONE),
	[0xB2] = ROW("mov", op_mov_ZI, Z, I, 0, B, B, 0, MOV, 0, FNONE),
	[0xB3] = ROW("mov", op_mov_ZI, Z, I, 0, B, B, 0, MOV, 0, FNONE),
	[0xB4] = ROW("mov", op_mov_ZI, Z, I, 0, B, B, 0, MOV, 0, FNONE),
	[0xB5] = ROW("mov", op_mov_ZI, Z, I, 0, B, B, 0, MOV, 0, FNONE),
	[0xB6] = ROW("mov", op_mov_ZI, Z, I, 0, B, B, 0, MOV, 0, FNONE),
	[0xB7] = ROW("mov", op_mov_ZI, Z, I, 0, B, B, 0, MOV, 0, FNONE),
	/* 0xB8: MOV r, imm16/32/64 ("movabs" with REX.W) */
	[0xB8] = ROW("mov|mov|movabs", op_mov_ZI, Z, I, 0, V, V, 0, MOV, 0, FNONE),
	[0xB9] = ROW("mov|mov|movabs", op_mov_ZI, Z, I, 0, V, V, 0, MOV, 0, FNONE),
	[0xBA] = ROW("mov|mov|movabs", op_mov_ZI, Z, I, 0, V, V, 0, MOV, 0, FNONE),
	[0xBB] = ROW("mov|mov|movabs", op_mov_ZI, Z, I, 0, V, V, 0, MOV, 0, FNONE),
	[0xBC] = ROW("mov|mov|movabs", op_mov_ZI, Z, I, 0, V, V, 0, MOV, 0, FNONE),
	[0xBD] = ROW("mov|mov|movabs", op_mov_ZI, Z, I, 0, V, V, 0, MOV, 0, FNONE),
	[0xBE] = ROW("mov|mov|movabs", op_mov_ZI, Z, I, 0, V, V, 0, MOV, 0, FNONE),
	[0xBF] = ROW("mov|mov|movabs", op_mov_ZI, Z, I, 0, V, V, 0, MOV, 0, FNONE),
	/* 0xC0 */
	[0xC0] = GROUP("(grp2)", 0, grp2_EbIb),
	[0xC1] = GROUP("(grp2)", 0, grp2_EvIb),
	[0xC2] = ROW("ret", op_ret_I, I, 0, 0, F64, W, 0, IBRANCH, BR, FNONE),
	[0xC3] = ROW("ret", op_ret, 0, 0, 0, F64, 0, 0, IBRANCH, BR, FNONE),
	[0xC4] = INV("les"), /* VEX3 in 64-bit mode */
	[0xC5] = INV("lds"), /* VEX2 in 64-bit mode */
	[0xC6] = GROUP("(grp11)", 0, grp11_Eb),
	[0xC7] = GROUP("(grp11)", 0, grp11_Ev),
	/* 0xC8 */
	[0xC8] = ROW("enter", op_enter, I, I, 0, V64, WB, 0, STACK, 0, FNONE),
	[0xC9] = ROW("leave", op_leave, 0, 0, 0, V64, 0, 0, STACK, 0, FNONE),
	[0xCA] = ROW("retf|retf|retfq", op_retf_I, I, 0, 0, V, W, 0, IBRANCH,
		     BR | SE, FNONE),
	[0xCB] = ROW("retf|retf|retfq", op_retf, 0, 0, 0, V, 0, 0, IBRANCH,
		     BR | SE, FNONE),
	[0xCC] = ROW("int3", op_int3, 0, 0, 0, V, 0, 0, INT, BR | SE, FINT),
	[0xCD] = ROW("int", op_int_I, I, 0, 0, V, B, 0, INT, BR | SE, FINT),
	[0xCE] = ROW("into", op_into, 0, 0, 0, V, 0, 0, INT, I64 | BR | SE,
		     FINTO),
	[0xCF] = ROW("iret|iretd|iretq", op_iret, 0, 0, 0, V, 0, 0, INT,
		     BR | SE, FALLW),
	/* 0xD0 */
	[0xD0] = GROUP("(grp2)", 0, grp2_Eb1),
	[0xD1] = GROUP("(grp2)", 0, grp2_Ev1),
	[0xD2] = GROUP("(grp2)", 0, grp2_EbCL),
	[0xD3] = GROUP("(grp2)", 0, grp2_EvCL),
	[0xD4] = INV("aam"),
	[0xD5] = INV("aad"),
	[0xD6] = INV("salc"),
	[0xD7] = INV("xlatb"),
	/* 0xD8: x87 escapes (optab_fp.c) */
	[0xD8] = X87(0),
	[0xD9] = X87(1),
	[0xDA] = X87(2),
	[0xDB] = X87(3),
	[0xDC] = X87(4),
	[0xDD] = X87(5),
	[0xDE] = X87(6),
	[0xDF] = X87(7),
	/* 0xE0: LOOPcc/JrCXZ count with the address size */
	[0xE0] = ROW("loopne", op_loop_J, J, 0, 0, F64, B, 0, BRANCH, BR, FRZF),
	[0xE1] = ROW("loope", op_loop_J, J, 0, 0, F64, B, 1, BRANCH, BR, FRZF),
	[0xE2] = ROW("loop", op_loop_J, J, 0, 0, F64, B, 2, BRANCH, BR, FNONE),
	[0xE3] = ROW("@jcxz|jecxz|jrcxz", op_jrcxz_J, J, 0, 0, F64, B, 0,
		     BRANCH, BR, FNONE),
	[0xE4] = ROW("in", op_in_AI, A, I, 0, B, B, 0, IO, SE, FNONE),
	[0xE5] = ROW("in", op_in_AI, A, I, 0, V, B, 0, IO, SE | NW, FNONE),
	[0xE6] = ROW("out", op_out_IA, I, A, 0, B, B, 0, IO, SE, FNONE),
	[0xE7] = ROW("out", op_out_IA, I, A, 0, V, B, 0, IO, SE | NW, FNONE),
	/* 0xE8 */
	[0xE8] = ROW("call", op_call_J, J, 0, 0, F64, Z, 0, IBRANCH, BR, FNONE),
	[0xE9] = ROW("jmp", op_jmp_J, J, 0, 0, F64, Z, 0, BRANCH, BR, FNONE),
	[0xEA] = ROW("ljmp", op_jmp_far_A, AP, 0, 0, V, AP, 0, IBRANCH,
		     I64 | BR | SE, FNONE),
	[0xEB] = ROW("jmp", op_jmp_J, J, 0, 0, F64, B, 0, BRANCH, BR, FNONE),
	[0xEC] = ROW("in", op_in_AD, A, DX, 0, B, 0, 0, IO, SE, FNONE),
	[0xED] = ROW("in", op_in_AD, A, DX, 0, V, 0, 0, IO, SE | NW, FNONE),
	[0xEE] = ROW("out", op_out_DA, DX, A, 0, B, 0, 0, IO, SE, FNONE),
	[0xEF] = ROW("out", op_out_DA, DX, A, 0, V, 0, 0, IO, SE | NW, FNONE),
	/* 0xF0 */
	[0xF0] = INV("(lock prefix)"),
	[0xF1] = ROW("int1", op_int1, 0, 0, 0, V, 0, 0, INT, BR | SE, FINT),
	[0xF2] = INV("(repne prefix)"),
	[0xF3] = INV("(rep prefix)"),
	[0xF4] = ROW("hlt", op_hlt, 0, 0, 0, V, 0, 0, SERIALIZE, PV | SE, FNONE),
	[0xF5] = ROW("cmc", op_cmc, 0, 0, 0, V, 0, 0, ALU, 0, FCMC),
	[0xF6] = GROUP("(grp3)", 0, grp3_Eb),
	[0xF7] = GROUP("(grp3)", 0, grp3_Ev),
	/* 0xF8 */
	[0xF8] = ROW("clc", op_clc, 0, 0, 0, V, 0, 0, ALU, 0, FWCF),
	[0xF9] = ROW("stc", op_stc, 0, 0, 0, V, 0, 0, ALU, 0, FWCF),
	[0xFA] = ROW("cli", op_cli, 0, 0, 0, V, 0, 0, SERIALIZE, SE, FWIF),
	[0xFB] = ROW("sti", op_sti, 0, 0, 0, V, 0, 0, SERIALIZE, SE, FWIF),
	[0xFC] = ROW("cld", op_cld, 0, 0, 0, V, 0, 0, ALU, 0, FWDF),
	[0xFD] = ROW("std", op_std, 0, 0, 0, V, 0, 0, ALU, 0, FWDF),
	[0xFE] = GROUP("(grp4)", 0, grp4),
	[0xFF] = GROUP("(grp5)", 0, grp5),
};

/* clang-format on */
