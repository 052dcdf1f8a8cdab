/*
 * cpu/optab.h — the opcode table: one row per opcode, as data.
 *
 * The decoder (decode.c) reads a row to know what follows the opcode byte
 * (ModRM? which immediate?) and which operand size applies; the interpreter
 * calls the row's handler; the cost model reads the cost class; the tests
 * check the table against itself and against Capstone. Nothing else in the
 * code switches on opcode values.
 *
 * Maps: optab_1b[256] (one-byte), optab_0f[256] (0F xx), optab_0f38[256],
 * optab_0f3a[256]. A row with F_GROUP points at rows selected by ModRM:
 *   F_GROUP               8 rows, by ModRM.reg
 *   F_GROUP|F_GROUP_MOD   16 rows: [reg] for memory forms, [8+reg] for mod==3
 *   F_GROUP|F_GROUP_RM    72 rows: [reg] for memory forms, [8 + (modrm&0x3F)]
 *                         for mod==3 (0F 01 and the x87 escapes D8-DF)
 * A row with F_PREFIX points at 4 rows selected by the mandatory prefix:
 * [none, 66, F3, F2] (66 is then not an operand-size prefix).
 *
 * SSE/SSE2 and x87 rows live in optab_fp.c: optab_0f_pfx[op] holds the four
 * prefix variants of 0F op (all F_INVALID where op is not an SSE opcode),
 * and optab_x87[esc - 0xD8] the 72-row escape tables.
 */
#ifndef HVSIM_CPU_OPTAB_H_
#define HVSIM_CPU_OPTAB_H_

#include <stdint.h>

struct cpu;
struct dinsn;

typedef void (*op_handler)(struct cpu *cpu, const struct dinsn *d);

/* Operand kinds, in SDM Appendix A letters (for the decoder and disasm). */
enum opnd_kind {
	O_NONE,
	O_E,  /* ModRM r/m: GPR or memory */
	O_G,  /* ModRM reg: GPR */
	O_M,  /* ModRM r/m: memory only (mod==3 → #UD) */
	O_R,  /* ModRM r/m: register only (mod field ignored, e.g. MOV CR) */
	O_I,  /* immediate */
	O_J,  /* relative branch displacement (in imm) */
	O_O,  /* moffs: absolute offset of address size (in imm) */
	O_Z,  /* register in opcode bits 2:0 (+REX.B), in dinsn.reg */
	O_A,  /* accumulator AL/AX/EAX/RAX */
	O_CL, /* CL (shift count) */
	O_DX, /* DX (port) */
	O_S,  /* segment register in ModRM.reg */
	O_C,  /* control register in ModRM.reg */
	O_D,  /* debug register in ModRM.reg */
	O_V,  /* XMM register in ModRM.reg */
	O_W,  /* ModRM r/m: XMM register or memory */
	O_U,  /* ModRM r/m: XMM register only */
	O_P,  /* MMX register in ModRM.reg (decoded, then #UD: no MMX) */
	O_Q,  /* ModRM r/m: MMX or memory */
	O_ST, /* x87 ST(i) from ModRM.rm */
	O_AP, /* far pointer immediate ptr16:16/32 (imm = offset, imm2 = sel) */
};

/* Operand-size rule (the decoder turns it into dinsn.osize). */
enum size_rule {
	SZ_V,   /* 16/32/64 by 66 and REX.W; 32 by default */
	SZ_B,   /* 8-bit operation */
	SZ_V64, /* default 64 in long mode (push/pop/near branches), 16 with 66 */
	SZ_F64, /* always 64 in long mode (e.g. Jcc near, MOV CR) */
	SZ_W,   /* always 16 */
	SZ_D,   /* always 32 */
	SZ_Q,   /* always 64 */
	SZ_X,   /* 128-bit XMM (osize = 16) */
};

/* Immediate kinds (the decoder sign-extends into dinsn.imm). */
enum imm_kind {
	IMM_NONE,
	IMM_B,  /* 8 bits, sign-extended */
	IMM_W,  /* 16 bits, zero-extended (RET imm16, ENTER first part) */
	IMM_Z,  /* 16 or 32 bits by osize (32 when osize is 8), sign-extended */
	IMM_V,  /* 16/32/64 by osize (MOV r, imm64) */
	IMM_WB, /* ENTER: imm16 then imm8 (imm = size, imm2 = level) */
	IMM_O,  /* moffs: address-size wide (A0-A3) */
	IMM_AP, /* far pointer: offset (16/32 by osize) then selector */
};

/* Decoder and validity flags. */
#define F_MODRM     (1u << 0)  /* a ModRM byte follows */
#define F_LOCK      (1u << 1)  /* LOCK allowed (with a memory destination) */
#define F_PRIV      (1u << 2)  /* CPL 0 only, else #GP(0) */
#define F_INV64     (1u << 3)  /* invalid in 64-bit mode (#UD) */
#define F_ONLY64    (1u << 4)  /* valid only in 64-bit mode */
#define F_GROUP     (1u << 5)  /* `sub_table` indexed by ModRM.reg */
#define F_GROUP_MOD (1u << 6)  /* with F_GROUP: 16 rows, mod==3 in 8..15 */
#define F_GROUP_RM  (1u << 7)  /* with F_GROUP: 72 rows, see above */
#define F_PREFIX    (1u << 8)  /* `sub_table` indexed by 66/F3/F2 */
#define F_INVALID   (1u << 9)  /* undefined encoding: #UD */
#define F_BRANCH    (1u << 10) /* ends a decoded block */
#define F_SERIAL    (1u << 11) /* ends a block and re-checks interrupts */
#define F_REP       (1u << 12) /* honours REP/REPE/REPNE */
#define F_SSE       (1u << 13) /* needs CR4.OSFXSR, CR0.EM=0, CR0.TS=0 */
#define F_X87       (1u << 14) /* needs CR0.EM=0 (#NM), CR0.TS=0 (#NM) */
#define F_NOREX_W   (1u << 15) /* REX.W ignored for the size (e.g. MOV Sreg) */

/* Cost classes; the cycles for each live in cost_table.c. */
enum cost_class {
	C_ALU,      /* register integer op */
	C_MOV,      /* register move, LEA, NOP */
	C_LOAD,     /* op with a memory source */
	C_STORE,    /* op with a memory destination */
	C_RMW,      /* read-modify-write memory op */
	C_BRANCH,   /* direct branch (taken or not) */
	C_IBRANCH,  /* indirect branch, CALL/RET */
	C_STACK,    /* PUSH/POP */
	C_MUL,
	C_DIV,
	C_BITSCAN,
	C_STRING,   /* per iteration of a string op */
	C_LOCKED,   /* LOCKed RMW, XCHG with memory */
	C_SSE,      /* SSE/SSE2 integer and moves */
	C_SSEFP,    /* SSE/SSE2 floating point */
	C_X87,
	C_FXSAVE,
	C_SEGLOAD,  /* segment register load from a descriptor */
	C_CR,       /* MOV CR / DR, LGDT, LIDT, INVLPG */
	C_MSR,      /* RDMSR / WRMSR */
	C_CPUID,
	C_RDTSC,
	C_IO,       /* IN/OUT before the intercept's own cost */
	C_INT,      /* INT n, SYSCALL, SYSRET, IRET */
	C_SERIALIZE, /* WBINVD, fences, HLT, CLI/STI */
	C_NCLASSES
};

struct opdesc {
	const char *mnem;       /* lower case, as Capstone prints it */
	op_handler fn;          /* NULL with F_GROUP/F_PREFIX/F_INVALID */
	uint8_t opnd[3];        /* enum opnd_kind: destination first */
	uint8_t size;           /* enum size_rule */
	uint8_t imm;            /* enum imm_kind */
	uint8_t sub;            /* handler-specific: ALU op, cc, sizes... */
	uint8_t cost;           /* enum cost_class */
	uint16_t flags;         /* F_* */
	uint16_t fl_read;       /* RFLAGS bits read (RF_*; low 16 bits) */
	uint16_t fl_write;      /* RFLAGS bits written or made undefined */
	uint16_t fl_undef;      /* of fl_write, those left undefined */
	const struct opdesc *sub_table; /* F_GROUP / F_PREFIX */
};

extern const struct opdesc optab_1b[256];
extern const struct opdesc optab_0f[256];
extern const struct opdesc optab_0f38[256];
extern const struct opdesc optab_0f3a[256];
/* optab_fp.c: SSE prefix variants and x87 escape tables. */
extern const struct opdesc optab_0f_pfx[256][4];
extern const struct opdesc optab_x87[8][72];
/* The row used for any undefined encoding (handler raises #UD). */
extern const struct opdesc optab_invalid;

#endif
