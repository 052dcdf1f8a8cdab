/*
 * cpu/optab_rows.h — shorthand for writing opcode-table rows (optab.c,
 * optab_0f.c only; nothing else includes this).
 *
 * A row is written as
 *   ROW(mnem, handler, op1, op2, op3, size, imm, sub, cost, flags, FLAGS)
 * where op1..op3 are enum opnd_kind letters without the O_ prefix (0 for
 * none), size an enum size_rule letter without SZ_, imm an enum imm_kind
 * without IMM_ (0 for none), cost an enum cost_class without C_, flags an
 * OR of the two-letter decoder flags below, and FLAGS one of the RFLAGS
 * triplets below, which expands to "read, written, undefined".
 *
 * Mnemonics are Capstone 4's. Where Capstone's mnemonic depends on the
 * operand or address size the row holds all spellings (see disasm.h):
 *   "a|b|c"   operand size 2 / 4 / 8 bytes picks a / b / c
 *   "@a|b|c"  address size 2 / 4 / 8 bytes picks a / b / c
 */
#ifndef HVSIM_CPU_OPTAB_ROWS_H_
#define HVSIM_CPU_OPTAB_ROWS_H_

#include "cpu/ops.h"
#include "cpu/optab.h"
#include "cpu/regs.h"

/* "No operand" / "no immediate" spelled 0 in the rows. */
#define O_0   O_NONE
#define IMM_0 IMM_NONE

/* Two-letter decoder flags. */
#define MR  F_MODRM
#define LK  F_LOCK
#define PV  F_PRIV
#define I64 F_INV64
#define O64 F_ONLY64
#define BR  F_BRANCH
#define SE  F_SERIAL
#define RP  F_REP
#define NW  F_NOREX_W

/* RFLAGS bits as 16-bit row masks. */
#define f_C  ((uint16_t)RF_CF)
#define f_P  ((uint16_t)RF_PF)
#define f_A  ((uint16_t)RF_AF)
#define f_Z  ((uint16_t)RF_ZF)
#define f_S  ((uint16_t)RF_SF)
#define f_T  ((uint16_t)RF_TF)
#define f_I  ((uint16_t)RF_IF)
#define f_D  ((uint16_t)RF_DF)
#define f_O  ((uint16_t)RF_OF)
#define f_NT ((uint16_t)(RF_NT | RF_IOPL))
#define f_6  ((uint16_t)RF_ARITH)
/* Every defined bit in the low 16 (PUSHF reads them, POPF writes them). */
#define f_16 ((uint16_t)(f_6 | f_T | f_I | f_D | f_NT))

/* Flags read by condition code cc (Jcc/SETcc/CMOVcc; SDM Vol. 1 App. B). */
#define CCR(cc)                                                                \
	((cc) >> 1 == 0	  ? f_O                                                \
	 : (cc) >> 1 == 1 ? f_C                                                \
	 : (cc) >> 1 == 2 ? f_Z                                                \
	 : (cc) >> 1 == 3 ? (f_C | f_Z)                                        \
	 : (cc) >> 1 == 4 ? f_S                                                \
	 : (cc) >> 1 == 5 ? f_P                                                \
	 : (cc) >> 1 == 6 ? (f_S | f_O)                                        \
			  : (f_Z | f_S | f_O))

/* RFLAGS triplets: read, written (incl. undefined), undefined. The SDM
 * "Flags Affected" section of each instruction is the source. */
#define FNONE	0, 0, 0
#define FARITH	0, f_6, 0		      /* ADD SUB CMP NEG XADD */
#define FCARRY	f_C, f_6, 0		      /* ADC SBB */
#define FLOGIC	0, f_6, f_A		      /* AND OR XOR TEST */
#define FINCDEC 0, (uint16_t)(f_6 & ~f_C), 0  /* INC DEC keep CF */
#define FSHIFT1 0, f_6, f_A		      /* SHL SHR SAR by 1 */
#define FSHIFTN 0, f_6, (uint16_t)(f_A | f_O) /* by CL/imm: OF if 1 */
#define FROT1	0, (uint16_t)(f_C | f_O), 0
#define FROTN	0, (uint16_t)(f_C | f_O), f_O
#define FRCR1	f_C, (uint16_t)(f_C | f_O), 0
#define FRCRN	f_C, (uint16_t)(f_C | f_O), f_O
#define FMUL	0, f_6, (uint16_t)(f_S | f_Z | f_A | f_P)
#define FDIV	0, f_6, f_6
#define FBT	0, (uint16_t)(f_6 & ~f_Z), (uint16_t)(f_O | f_S | f_A | f_P)
#define FBSF	0, f_6, (uint16_t)(f_6 & ~f_Z)
#define FTZCNT	0, f_6, (uint16_t)(f_O | f_S | f_A | f_P)
#define FPOPCNT 0, f_6, 0
#define FCC(cc) CCR(cc), 0, 0
#define FDF	f_D, 0, 0   /* MOVS STOS LODS INS OUTS */
#define FCMPS	f_D, f_6, 0 /* CMPS SCAS */
#define FALLW	0, f_16, 0  /* POPF IRET SYSCALL SYSRET */
#define FALLR	f_16, 0, 0  /* PUSHF */
#define FCRDR	0, f_6, f_6 /* MOV CR/DR: all undefined */
#define FINT	0, (uint16_t)(f_T | f_I | f_NT), 0
#define FINTO	f_O, (uint16_t)(f_T | f_I | f_NT), 0
#define FWCF	0, f_C, 0 /* CLC STC */
#define FCMC	f_C, f_C, 0
#define FWDF	0, f_D, 0 /* CLD STD */
#define FWIF	0, f_I, 0 /* CLI STI */
#define FLAHF	(uint16_t)(f_6 & ~f_O), 0, 0
#define FSAHF	0, (uint16_t)(f_6 & ~f_O), 0
#define FWZF	0, f_Z, 0 /* CMPXCHG8B/16B */
#define FRZF	f_Z, 0, 0 /* LOOPE LOOPNE */

/* One row. The extra level of macro expansion splits FLAGS into three. */
#define ROW(mn, h, o1, o2, o3, sz, im, sb, co, fl, ...)                        \
	ROW_(mn, h, o1, o2, o3, sz, im, sb, co, fl, __VA_ARGS__)
#define ROW_(mn, h, o1, o2, o3, sz, im, sb, co, fl, rd, wr, ud)                \
	{                                                                      \
		.mnem = (mn), .fn = (h), .opnd = {O_##o1, O_##o2, O_##o3},     \
		.size = SZ_##sz, .imm = IMM_##im, .sub = (sb), .cost = C_##co, \
		.flags = (fl), .fl_read = (rd), .fl_write = (wr),              \
		.fl_undef = (ud)                                               \
	}

/* An undefined (or not modelled) encoding: #UD. `mn` names the
 * instruction the SDM puts there, for logs; "(bad)" if none. */
#define INV(mn)                                                                \
	{                                                                      \
		.mnem = (mn), .fn = op_ud, .cost = C_ALU,                      \
		.flags = F_INVALID | F_BRANCH                                  \
	}

/* Rows that only select another table. */
#define GROUP(mn, fl, tab)                                                     \
	{                                                                      \
		.mnem = (mn), .flags = F_MODRM | F_GROUP | (fl),               \
		.sub_table = (tab)                                             \
	}
#define PREFIXED(mn, tab)                                                      \
	{                                                                      \
		.mnem = (mn), .flags = F_PREFIX, .sub_table = (tab)            \
	}

#endif
