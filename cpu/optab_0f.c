/*
 * cpu/optab_0f.c — the two-byte (0F xx) opcode map, its ModRM groups and
 * prefix tables, and the (empty) three-byte maps 0F 38 / 0F 3A.
 *
 * Spec: Intel SDM Vol. 2D Appendix A (Table A-3 two-byte map, Table A-6
 * groups 6-9, 15, 16), Vol. 2B for SYSCALL/SYSRET (Intel: #UD outside
 * 64-bit mode), MOV CR/DR (mod field ignored: O_R), POPCNT/TZCNT/LZCNT
 * (F3 selects them; without F3 the bytes are JMPE/BSF/BSR).
 *
 * Invariants: as optab.c. SSE/SSE2/SSE3 opcodes point at the prefix
 * variants in optab_fp.c (optab_0f_pfx[op]); the x87 escapes live there
 * too. 0F 38 and 0F 3A hold SSSE3/SSE4/AES/SHA/MOVBE/CRC32, none of which
 * is modelled: every row is #UD.
 */
#include "cpu/optab_rows.h"

#define SSE(op) PREFIXED("(sse)", optab_0f_pfx[op])
#define BAD INV("(bad)")

/* clang-format off */

/* Group 6 (0F 00). SLDT/STR store 16 bits to memory, osize to a GPR. */
static const struct opdesc grp6[8] = {
	/*  mnem    handler   operands size imm sub cost  flags */
	ROW("sldt", op_sldt, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("str", op_str, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("lldt", op_lldt, E, 0, 0, W, 0, 0, SEGLOAD, MR | PV | SE, FNONE),
	ROW("ltr", op_ltr, E, 0, 0, W, 0, 0, SEGLOAD, MR | PV | SE, FNONE),
	ROW("verr", op_verr, E, 0, 0, W, 0, 0, SEGLOAD, MR, FWZF),
	ROW("verw", op_verw, E, 0, 0, W, 0, 0, SEGLOAD, MR, FWZF),
	BAD, BAD,
};

/* Group 7 (0F 01): [reg] for memory forms, [8 + (modrm & 0x3F)] for the
 * register forms C0-FF. Descriptor-table operands are 6 bytes (10 in
 * 64-bit mode, where the size is forced to 64). */
static const struct opdesc grp7[72] = {
	/* memory forms, by ModRM.reg */
	ROW("sgdt", op_sgdt, M, 0, 0, F64, 0, 0, CR, MR, FNONE),
	ROW("sidt", op_sidt, M, 0, 0, F64, 0, 0, CR, MR, FNONE),
	ROW("lgdt", op_lgdt, M, 0, 0, F64, 0, 0, CR, MR | PV | SE, FNONE),
	ROW("lidt", op_lidt, M, 0, 0, F64, 0, 0, CR, MR | PV | SE, FNONE),
	ROW("smsw", op_smsw, E, 0, 0, W, 0, 0, MOV, MR, FNONE),
	INV("rstorssp"),
	ROW("lmsw", op_lmsw, E, 0, 0, W, 0, 0, CR, MR | PV | SE, FNONE),
	ROW("invlpg", op_invlpg, M, 0, 0, V, 0, 0, CR, MR | PV | SE, FNONE),
	/* C0 */
	INV("enclv"),
	ROW("vmcall", op_vmcall, 0, 0, 0, V, 0, 0, INT, MR | BR | SE, FNONE),
	INV("vmlaunch"), INV("vmresume"), INV("vmxoff"), BAD, BAD, BAD,
	/* C8 */
	INV("monitor"), INV("mwait"),
	ROW("clac", op_clac, 0, 0, 0, V, 0, 0, ALU, MR, FNONE),
	ROW("stac", op_stac, 0, 0, 0, V, 0, 0, ALU, MR, FNONE),
	BAD, BAD, BAD, INV("encls"),
	/* D0 */
	INV("xgetbv"), INV("xsetbv"), BAD, BAD,
	INV("vmfunc"), INV("xend"), INV("xtest"), INV("enclu"),
	/* D8 */
	INV("vmrun"), INV("vmmcall"), INV("vmload"), INV("vmsave"),
	INV("stgi"), INV("clgi"), INV("skinit"), INV("invlpga"),
	/* E0: SMSW r16/r32/r64 */
	ROW("smsw", op_smsw, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("smsw", op_smsw, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("smsw", op_smsw, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("smsw", op_smsw, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("smsw", op_smsw, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("smsw", op_smsw, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("smsw", op_smsw, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("smsw", op_smsw, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	/* E8 */
	BAD, BAD, BAD, BAD, BAD, BAD, INV("rdpkru"), INV("wrpkru"),
	/* F0: LMSW r16 */
	ROW("lmsw", op_lmsw, E, 0, 0, W, 0, 0, CR, MR | PV | SE, FNONE),
	ROW("lmsw", op_lmsw, E, 0, 0, W, 0, 0, CR, MR | PV | SE, FNONE),
	ROW("lmsw", op_lmsw, E, 0, 0, W, 0, 0, CR, MR | PV | SE, FNONE),
	ROW("lmsw", op_lmsw, E, 0, 0, W, 0, 0, CR, MR | PV | SE, FNONE),
	ROW("lmsw", op_lmsw, E, 0, 0, W, 0, 0, CR, MR | PV | SE, FNONE),
	ROW("lmsw", op_lmsw, E, 0, 0, W, 0, 0, CR, MR | PV | SE, FNONE),
	ROW("lmsw", op_lmsw, E, 0, 0, W, 0, 0, CR, MR | PV | SE, FNONE),
	ROW("lmsw", op_lmsw, E, 0, 0, W, 0, 0, CR, MR | PV | SE, FNONE),
	/* F8 */
	ROW("swapgs", op_swapgs, 0, 0, 0, V, 0, 0, SEGLOAD, MR | PV | O64 | SE, FNONE),
	ROW("rdtscp", op_rdtscp, 0, 0, 0, V, 0, 0, RDTSC, MR, FNONE),
	INV("monitorx"), INV("mwaitx"), INV("clzero"), INV("rdpru"), BAD, BAD,
};

/* 0F 0D: PREFETCHW m8 (a hint: no architectural effect). */
static const struct opdesc grp_0f0d[8] = {
	INV("prefetch"),
	ROW("prefetchw", op_nop, M, 0, 0, B, 0, 0, MOV, MR, FNONE),
	BAD, BAD, BAD, BAD, BAD, BAD,
};

/* Group 16 (0F 18): prefetch hints; the rest of 0F 18-1F is hint NOP
 * space (SDM Vol. 2B NOP), with register or memory operands alike. */
static const struct opdesc grp16[16] = {
	ROW("prefetchnta", op_nop, M, 0, 0, B, 0, 0, MOV, MR, FNONE),
	ROW("prefetcht0", op_nop, M, 0, 0, B, 0, 0, MOV, MR, FNONE),
	ROW("prefetcht1", op_nop, M, 0, 0, B, 0, 0, MOV, MR, FNONE),
	ROW("prefetcht2", op_nop, M, 0, 0, B, 0, 0, MOV, MR, FNONE),
	ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	/* mod == 3 */
	ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
};

/* 0F AE /7 (memory): CLFLUSH, or CLFLUSHOPT with 66 (same effect here). */
static const struct opdesc pfx_ae7[4] = {
	ROW("clflush", op_clflush, M, 0, 0, B, 0, 0, STORE, MR, FNONE),
	ROW("clflushopt", op_clflush, M, 0, 0, B, 0, 0, STORE, MR, FNONE),
	BAD, BAD,
};

/* Group 15 (0F AE): [reg] memory forms, [8 + reg] register forms.
 * FXSAVE/FXRSTOR fault like x87 (#NM on CR0.EM/TS); LDMXCSR/STMXCSR like
 * SSE. REX.W selects the 64-bit FXSAVE layout ("fxsave64"). */
static const struct opdesc grp15[16] = {
	ROW("fxsave|fxsave|fxsave64", op_fxsave, M, 0, 0, V, 0, 0, FXSAVE, MR | F_X87, FNONE),
	ROW("fxrstor|fxrstor|fxrstor64", op_fxrstor, M, 0, 0, V, 0, 0, FXSAVE, MR | F_X87, FNONE),
	ROW("ldmxcsr", op_ldmxcsr, M, 0, 0, D, 0, 0, SSE, MR | F_SSE, FNONE),
	ROW("stmxcsr", op_stmxcsr, M, 0, 0, D, 0, 0, SSE, MR | F_SSE, FNONE),
	INV("xsave"), INV("xrstor"), INV("xsaveopt"),
	PREFIXED("(clflush)", pfx_ae7),
	/* mod == 3 */
	INV("rdfsbase"), INV("rdgsbase"), INV("wrfsbase"), INV("wrgsbase"),
	BAD,
	ROW("lfence", op_lfence, 0, 0, 0, V, 0, 0, SERIALIZE, MR, FNONE),
	ROW("mfence", op_mfence, 0, 0, 0, V, 0, 0, SERIALIZE, MR, FNONE),
	ROW("sfence", op_sfence, 0, 0, 0, V, 0, 0, SERIALIZE, MR, FNONE),
};

/* Group 8 (0F BA): BT/BTS/BTR/BTC Ev, Ib; sub = 0 BT 1 BTS 2 BTR 3 BTC. */
static const struct opdesc grp8[8] = {
	BAD, BAD, BAD, BAD,
	ROW("bt", op_bt_EI, E, I, 0, V, B, 0, ALU, MR, FBT),
	ROW("bts", op_bt_EI, E, I, 0, V, B, 1, ALU, MR | LK, FBT),
	ROW("btr", op_bt_EI, E, I, 0, V, B, 2, ALU, MR | LK, FBT),
	ROW("btc", op_bt_EI, E, I, 0, V, B, 3, ALU, MR | LK, FBT),
};

/* Group 9 (0F C7): CMPXCHG8B m64, CMPXCHG16B m128 with REX.W. */
static const struct opdesc grp9[8] = {
	BAD,
	ROW("cmpxchg8b|cmpxchg8b|cmpxchg16b", op_cmpxchg8b16b_M, M, 0, 0, V, 0, 0, RMW, MR | LK, FWZF),
	BAD, INV("xrstors"), INV("xsavec"), INV("xsaves"), INV("rdrand"), INV("rdseed"),
};

/* Mandatory-prefix tables [none, 66, F3, F2]. 66 still sets the operand
 * size of these integer rows (it is only ignored for F_SSE rows). */
static const struct opdesc pfx_b8[4] = {
	INV("jmpe"), BAD,
	ROW("popcnt", op_popcnt_GE, G, E, 0, V, 0, 0, BITSCAN, MR, FPOPCNT),
	BAD,
};

static const struct opdesc pfx_bc[4] = {
	ROW("bsf", op_bsf_GE, G, E, 0, V, 0, 0, BITSCAN, MR, FBSF),
	ROW("bsf", op_bsf_GE, G, E, 0, V, 0, 0, BITSCAN, MR, FBSF),
	ROW("tzcnt", op_tzcnt_GE, G, E, 0, V, 0, 0, BITSCAN, MR, FTZCNT),
	ROW("bsf", op_bsf_GE, G, E, 0, V, 0, 0, BITSCAN, MR, FBSF),
};

static const struct opdesc pfx_bd[4] = {
	ROW("bsr", op_bsr_GE, G, E, 0, V, 0, 0, BITSCAN, MR, FBSF),
	ROW("bsr", op_bsr_GE, G, E, 0, V, 0, 0, BITSCAN, MR, FBSF),
	ROW("lzcnt", op_lzcnt_GE, G, E, 0, V, 0, 0, BITSCAN, MR, FTZCNT),
	ROW("bsr", op_bsr_GE, G, E, 0, V, 0, 0, BITSCAN, MR, FBSF),
};

/* MOVNTI is "NP": any of 66/F3/F2 makes it #UD. */
static const struct opdesc pfx_c3[4] = {
	ROW("movnti", op_movnti_MG, M, G, 0, V, 0, 0, STORE, MR, FNONE),
	BAD, BAD, BAD,
};

const struct opdesc optab_0f[256] = {
	/* 0x00 */
	/*            mnem   handler     operands size imm sub cost  flags */
	[0x00] = GROUP("(grp6)", 0, grp6),
	[0x01] = GROUP("(grp7)", F_GROUP_RM, grp7),
	[0x02] = INV("lar"),
	[0x03] = INV("lsl"),
	[0x04] = INV("(bad)"),
	[0x05] = ROW("syscall", op_syscall, 0, 0, 0, V, 0, 0, INT, O64 | BR | SE,
		     FALLW),
	[0x06] = ROW("clts", op_clts, 0, 0, 0, V, 0, 0, CR, PV | SE, FNONE),
	[0x07] = ROW("sysret", op_sysret, 0, 0, 0, V, 0, 0, INT,
		     O64 | PV | BR | SE, FALLW),
	/* 0x08 */
	[0x08] = ROW("invd", op_wbinvd, 0, 0, 0, V, 0, 0, SERIALIZE,
		     PV | SE, FNONE),
	[0x09] = ROW("wbinvd", op_wbinvd, 0, 0, 0, V, 0, 0, SERIALIZE,
		     PV | SE, FNONE),
	[0x0A] = INV("(bad)"),
	[0x0B] = ROW("ud2", op_ud, 0, 0, 0, V, 0, 0, ALU, BR, FNONE),
	[0x0C] = INV("(bad)"),
	[0x0D] = GROUP("(prefetch)", 0, grp_0f0d),
	[0x0E] = INV("femms"),
	[0x0F] = INV("(3dnow)"),
	/* 0x10 */
	[0x10] = SSE(0x10),
	[0x11] = SSE(0x11),
	[0x12] = SSE(0x12),
	[0x13] = SSE(0x13),
	[0x14] = SSE(0x14),
	[0x15] = SSE(0x15),
	[0x16] = SSE(0x16),
	[0x17] = SSE(0x17),
	/* 0x18 */
	[0x18] = GROUP("(grp16)", F_GROUP_MOD, grp16),
	[0x19] = ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	[0x1A] = ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	[0x1B] = ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	[0x1C] = ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	[0x1D] = ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	[0x1E] = ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	[0x1F] = ROW("nop", op_nop, E, 0, 0, V, 0, 0, MOV, MR, FNONE),
	/* 0x20 */
	[0x20] = ROW("mov", op_mov_RC, R, C, 0, F64, 0, 0, CR, MR | PV, FCRDR),
	[0x21] = ROW("mov", op_mov_RD, R, D, 0, F64, 0, 0, CR, MR | PV, FCRDR),
	[0x22] = ROW("mov", op_mov_CR, C, R, 0, F64, 0, 0, CR, MR | PV | SE, FCRDR),
	[0x23] = ROW("mov", op_mov_DR, D, R, 0, F64, 0, 0, CR, MR | PV | SE, FCRDR),
	[0x24] = INV("(bad)"),
	[0x25] = INV("(bad)"),
	[0x26] = INV("(bad)"),
	[0x27] = INV("(bad)"),
	/* 0x28 */
	[0x28] = SSE(0x28),
	[0x29] = SSE(0x29),
	[0x2A] = SSE(0x2A),
	[0x2B] = SSE(0x2B),
	[0x2C] = SSE(0x2C),
	[0x2D] = SSE(0x2D),
	[0x2E] = SSE(0x2E),
	[0x2F] = SSE(0x2F),
	/* 0x30 */
	[0x30] = ROW("wrmsr", op_wrmsr, 0, 0, 0, V, 0, 0, MSR, PV | SE, FNONE),
	[0x31] = ROW("rdtsc", op_rdtsc, 0, 0, 0, V, 0, 0, RDTSC, 0, FNONE),
	[0x32] = ROW("rdmsr", op_rdmsr, 0, 0, 0, V, 0, 0, MSR, PV, FNONE),
	[0x33] = ROW("rdpmc", op_rdpmc, 0, 0, 0, V, 0, 0, MSR, SE, FNONE),
	[0x34] = INV("sysenter"),
	[0x35] = INV("sysexit"),
	[0x36] = INV("(bad)"),
	[0x37] = INV("getsec"),
	/* 0x38 */
	[0x38] = INV("(0f38 escape)"),
	[0x39] = INV("(bad)"),
	[0x3A] = INV("(0f3a escape)"),
	[0x3B] = INV("(bad)"),
	[0x3C] = INV("(bad)"),
	[0x3D] = INV("(bad)"),
	[0x3E] = INV("(bad)"),
	[0x3F] = INV("(bad)"),
	/* 0x40 */
	[0x40] = ROW("cmovo", op_cmovcc_GE, G, E, 0, V, 0, 0, ALU, MR, FCC(0)),
	[0x41] = ROW("cmovno", op_cmovcc_GE, G, E, 0, V, 0, 1, ALU, MR, FCC(1)),
	[0x42] = ROW("cmovb", op_cmovcc_GE, G, E, 0, V, 0, 2, ALU, MR, FCC(2)),
	[0x43] = ROW("cmovae", op_cmovcc_GE, G, E, 0, V, 0, 3, ALU, MR, FCC(3)),
	[0x44] = ROW("cmove", op_cmovcc_GE, G, E, 0, V, 0, 4, ALU, MR, FCC(4)),
	[0x45] = ROW("cmovne", op_cmovcc_GE, G, E, 0, V, 0, 5, ALU, MR, FCC(5)),
	[0x46] = ROW("cmovbe", op_cmovcc_GE, G, E, 0, V, 0, 6, ALU, MR, FCC(6)),
	[0x47] = ROW("cmova", op_cmovcc_GE, G, E, 0, V, 0, 7, ALU, MR, FCC(7)),
	/* 0x48 */
	[0x48] = ROW("cmovs", op_cmovcc_GE, G, E, 0, V, 0, 8, ALU, MR, FCC(8)),
	[0x49] = ROW("cmovns", op_cmovcc_GE, G, E, 0, V, 0, 9, ALU, MR, FCC(9)),
	[0x4A] = ROW("cmovp", op_cmovcc_GE, G, E, 0, V, 0, 10, ALU, MR, FCC(10)),
	[0x4B] = ROW("cmovnp", op_cmovcc_GE, G, E, 0, V, 0, 11, ALU, MR, FCC(11)),
	[0x4C] = ROW("cmovl", op_cmovcc_GE, G, E, 0, V, 0, 12, ALU, MR, FCC(12)),
	[0x4D] = ROW("cmovge", op_cmovcc_GE, G, E, 0, V, 0, 13, ALU, MR, FCC(13)),
	[0x4E] = ROW("cmovle", op_cmovcc_GE, G, E, 0, V, 0, 14, ALU, MR, FCC(14)),
	[0x4F] = ROW("cmovg", op_cmovcc_GE, G, E, 0, V, 0, 15, ALU, MR, FCC(15)),
	/* 0x50 */
	[0x50] = SSE(0x50),
	[0x51] = SSE(0x51),
	[0x52] = SSE(0x52),
	[0x53] = SSE(0x53),
	[0x54] = SSE(0x54),
	[0x55] = SSE(0x55),
	[0x56] = SSE(0x56),
	[0x57] = SSE(0x57),
	/* 0x58 */
	[0x58] = SSE(0x58),
	[0x59] = SSE(0x59),
	[0x5A] = SSE(0x5A),
	[0x5B] = SSE(0x5B),
	[0x5C] = SSE(0x5C),
	[0x5D] = SSE(0x5D),
	[0x5E] = SSE(0x5E),
	[0x5F] = SSE(0x5F),
	/* 0x60 */
	[0x60] = SSE(0x60),
	[0x61] = SSE(0x61),
	[0x62] = SSE(0x62),
	[0x63] = SSE(0x63),
	[0x64] = SSE(0x64),
	[0x65] = SSE(0x65),
	[0x66] = SSE(0x66),
	[0x67] = SSE(0x67),
	/* 0x68 */
	[0x68] = SSE(0x68),
	[0x69] = SSE(0x69),
	[0x6A] = SSE(0x6A),
	[0x6B] = SSE(0x6B),
	[0x6C] = SSE(0x6C),
	[0x6D] = SSE(0x6D),
	[0x6E] = SSE(0x6E),
	[0x6F] = SSE(0x6F),
	/* 0x70 */
	[0x70] = SSE(0x70),
	[0x71] = SSE(0x71),
	[0x72] = SSE(0x72),
	[0x73] = SSE(0x73),
	[0x74] = SSE(0x74),
	[0x75] = SSE(0x75),
	[0x76] = SSE(0x76),
	[0x77] = INV("emms"),
	/* 0x78 */
	[0x78] = INV("vmread"),
	[0x79] = INV("vmwrite"),
	[0x7A] = INV("(bad)"),
	[0x7B] = INV("(bad)"),
	[0x7C] = SSE(0x7C),
	[0x7D] = SSE(0x7D),
	[0x7E] = SSE(0x7E),
	[0x7F] = SSE(0x7F),
	/* 0x80 */
	[0x80] = ROW("jo", op_jcc_J, J, 0, 0, F64, Z, 0, BRANCH, BR, FCC(0)),
	[0x81] = ROW("jno", op_jcc_J, J, 0, 0, F64, Z, 1, BRANCH, BR, FCC(1)),
	[0x82] = ROW("jb", op_jcc_J, J, 0, 0, F64, Z, 2, BRANCH, BR, FCC(2)),
	[0x83] = ROW("jae", op_jcc_J, J, 0, 0, F64, Z, 3, BRANCH, BR, FCC(3)),
	[0x84] = ROW("je", op_jcc_J, J, 0, 0, F64, Z, 4, BRANCH, BR, FCC(4)),
	[0x85] = ROW("jne", op_jcc_J, J, 0, 0, F64, Z, 5, BRANCH, BR, FCC(5)),
	[0x86] = ROW("jbe", op_jcc_J, J, 0, 0, F64, Z, 6, BRANCH, BR, FCC(6)),
	[0x87] = ROW("ja", op_jcc_J, J, 0, 0, F64, Z, 7, BRANCH, BR, FCC(7)),
	/* 0x88 */
	[0x88] = ROW("js", op_jcc_J, J, 0, 0, F64, Z, 8, BRANCH, BR, FCC(8)),
	[0x89] = ROW("jns", op_jcc_J, J, 0, 0, F64, Z, 9, BRANCH, BR, FCC(9)),
	[0x8A] = ROW("jp", op_jcc_J, J, 0, 0, F64, Z, 10, BRANCH, BR, FCC(10)),
	[0x8B] = ROW("jnp", op_jcc_J, J, 0, 0, F64, Z, 11, BRANCH, BR, FCC(11)),
	[0x8C] = ROW("jl", op_jcc_J, J, 0, 0, F64, Z, 12, BRANCH, BR, FCC(12)),
	[0x8D] = ROW("jge", op_jcc_J, J, 0, 0, F64, Z, 13, BRANCH, BR, FCC(13)),
	[0x8E] = ROW("jle", op_jcc_J, J, 0, 0, F64, Z, 14, BRANCH, BR, FCC(14)),
	[0x8F] = ROW("jg", op_jcc_J, J, 0, 0, F64, Z, 15, BRANCH, BR, FCC(15)),
	/* 0x90 */
	[0x90] = ROW("seto", op_setcc_E, E, 0, 0, B, 0, 0, ALU, MR, FCC(0)),
	[0x91] = ROW("setno", op_setcc_E, E, 0, 0, B, 0, 1, ALU, MR, FCC(1)),
	[0x92] = ROW("setb", op_setcc_E, E, 0, 0, B, 0, 2, ALU, MR, FCC(2)),
	[0x93] = ROW("setae", op_setcc_E, E, 0, 0, B, 0, 3, ALU, MR, FCC(3)),
	[0x94] = ROW("sete", op_setcc_E, E, 0, 0, B, 0, 4, ALU, MR, FCC(4)),
	[0x95] = ROW("setne", op_setcc_E, E, 0, 0, B, 0, 5, ALU, MR, FCC(5)),
	[0x96] = ROW("setbe", op_setcc_E, E, 0, 0, B, 0, 6, ALU, MR, FCC(6)),
	[0x97] = ROW("seta", op_setcc_E, E, 0, 0, B, 0, 7, ALU, MR, FCC(7)),
	/* 0x98 */
	[0x98] = ROW("sets", op_setcc_E, E, 0, 0, B, 0, 8, ALU, MR, FCC(8)),
	[0x99] = ROW("setns", op_setcc_E, E, 0, 0, B, 0, 9, ALU, MR, FCC(9)),
	[0x9A] = ROW("setp", op_setcc_E, E, 0, 0, B, 0, 10, ALU, MR, FCC(10)),
	[0x9B] = ROW("setnp", op_setcc_E, E, 0, 0, B, 0, 11, ALU, MR, FCC(11)),
	[0x9C] = ROW("setl", op_setcc_E, E, 0, 0, B, 0, 12, ALU, MR, FCC(12)),
	[0x9D] = ROW("setge", op_setcc_E, E, 0, 0, B, 0, 13, ALU, MR, FCC(13)),
	[0x9E] = ROW("setle", op_setcc_E, E, 0, 0, B, 0, 14, ALU, MR, FCC(14)),
	[0x9F] = ROW("setg", op_setcc_E, E, 0, 0, B, 0, 15, ALU, MR, FCC(15)),
	/* 0xA0 */
	[0xA0] = ROW("push", op_push_S, 0, 0, 0, V64, 0, SEG_FS, STACK, 0, FNONE),
	[0xA1] = ROW("pop", op_pop_S, 0, 0, 0, V64, 0, SEG_FS, SEGLOAD, 0, FNONE),
	[0xA2] = ROW("cpuid", op_cpuid, 0, 0, 0, V, 0, 0, CPUID, SE, FNONE),
	[0xA3] = ROW("bt", op_bt_EG, E, G, 0, V, 0, 0, ALU, MR, FBT),
	[0xA4] = ROW("shld", op_shld_EGI, E, G, I, V, B, 0, ALU, MR, FSHIFTN),
	[0xA5] = ROW("shld", op_shld_EGCL, E, G, CL, V, 0, 0, ALU, MR, FSHIFTN),
	[0xA6] = INV("(bad)"),
	[0xA7] = INV("(bad)"),
	/* 0xA8 */
	[0xA8] = ROW("push", op_push_S, 0, 0, 0, V64, 0, SEG_GS, STACK, 0, FNONE),
	[0xA9] = ROW("pop", op_pop_S, 0, 0, 0, V64, 0, SEG_GS, SEGLOAD, 0, FNONE),
	[0xAA] = INV("rsm"),
	[0xAB] = ROW("bts", op_bt_EG, E, G, 0, V, 0, 1, ALU, MR | LK, FBT),
	[0xAC] = ROW("shrd", op_shrd_EGI, E, G, I, V, B, 0, ALU, MR, FSHIFTN),
	[0xAD] = ROW("shrd", op_shrd_EGCL, E, G, CL, V, 0, 0, ALU, MR, FSHIFTN),
	[0xAE] = GROUP("(grp15)", F_GROUP_MOD, grp15),
	[0xAF] = ROW("imul", op_imul_GE, G, E, 0, V, 0, 0, MUL, MR, FMUL),
	/* 0xB0 */
	[0xB0] = ROW("cmpxchg", op_cmpxchg_EG, E, G, 0, B, 0, 0, ALU,
		     MR | LK, FARITH),
	[0xB1] = ROW("cmpxchg", op_cmpxchg_EG, E, G, 0, V, 0, 0, ALU,
		     MR | LK, FARITH),
	[0xB2] = INV("lss"),
	[0xB3] = ROW("btr", op_bt_EG, E, G, 0, V, 0, 2, ALU, MR | LK, FBT),
	[0xB4] = INV("lfs"),
	[0xB5] = INV("lgs"),
	[0xB6] = ROW("movzx", op_movzx_GE, G, E, 0, V, 0, 1, MOV, MR, FNONE),
	[0xB7] = ROW("movzx", op_movzx_GE, G, E, 0, V, 0, 2, MOV, MR, FNONE),
	/* 0xB8 */
	[0xB8] = PREFIXED("(popcnt)", pfx_b8),
	[0xB9] = ROW("ud1", op_ud, G, E, 0, V, 0, 0, ALU, MR | BR, FNONE),
	[0xBA] = GROUP("(grp8)", 0, grp8),
	[0xBB] = ROW("btc", op_bt_EG, E, G, 0, V, 0, 3, ALU, MR | LK, FBT),
	[0xBC] = PREFIXED("(bsf)", pfx_bc),
	[0xBD] = PREFIXED("(bsr)", pfx_bd),
	[0xBE] = ROW("movsx", op_movsx_GE, G, E, 0, V, 0, 1, MOV, MR, FNONE),
	[0xBF] = ROW("movsx", op_movsx_GE, G, E, 0, V, 0, 2, MOV, MR, FNONE),
	/* 0xC0 */
	[0xC0] = ROW("xadd", op_xadd_EG, E, G, 0, B, 0, 0, ALU,
		     MR | LK, FARITH),
	[0xC1] = ROW("xadd", op_xadd_EG, E, G, 0, V, 0, 0, ALU,
		     MR | LK, FARITH),
	[0xC2] = SSE(0xC2),
	[0xC3] = PREFIXED("(movnti)", pfx_c3),
	[0xC4] = SSE(0xC4),
	[0xC5] = SSE(0xC5),
	[0xC6] = SSE(0xC6),
	[0xC7] = GROUP("(grp9)", 0, grp9),
	/* 0xC8 */
	[0xC8] = ROW("bswap", op_bswap_Z, Z, 0, 0, V, 0, 0, ALU, 0, FNONE),
	[0xC9] = ROW("bswap", op_bswap_Z, Z, 0, 0, V, 0, 0, ALU, 0, FNONE),
	[0xCA] = ROW("bswap", op_bswap_Z, Z, 0, 0, V, 0, 0, ALU, 0, FNONE),
	[0xCB] = ROW("bswap", op_bswap_Z, Z, 0, 0, V, 0, 0, ALU, 0, FNONE),
	[0xCC] = ROW("bswap", op_bswap_Z, Z, 0, 0, V, 0, 0, ALU, 0, FNONE),
	[0xCD] = ROW("bswap", op_bswap_Z, Z, 0, 0, V, 0, 0, ALU, 0, FNONE),
	[0xCE] = ROW("bswap", op_bswap_Z, Z, 0, 0, V, 0, 0, ALU, 0, FNONE),
	[0xCF] = ROW("bswap", op_bswap_Z, Z, 0, 0, V, 0, 0, ALU, 0, FNONE),
	/* 0xD0 */
	[0xD0] = SSE(0xD0),
	[0xD1] = SSE(0xD1),
	[0xD2] = SSE(0xD2),
	[0xD3] = SSE(0xD3),
	[0xD4] = SSE(0xD4),
	[0xD5] = SSE(0xD5),
	[0xD6] = SSE(0xD6),
	[0xD7] = SSE(0xD7),
	/* 0xD8 */
	[0xD8] = SSE(0xD8),
	[0xD9] = SSE(0xD9),
	[0xDA] = SSE(0xDA),
	[0xDB] = SSE(0xDB),
	[0xDC] = SSE(0xDC),
	[0xDD] = SSE(0xDD),
	[0xDE] = SSE(0xDE),
	[0xDF] = SSE(0xDF),
	/* 0xE0 */
	[0xE0] = SSE(0xE0),
	[0xE1] = SSE(0xE1),
	[0xE2] = SSE(0xE2),
	[0xE3] = SSE(0xE3),
	[0xE4] = SSE(0xE4),
	[0xE5] = SSE(0xE5),
	[0xE6] = SSE(0xE6),
	[0xE7] = SSE(0xE7),
	/* 0xE8 */
	[0xE8] = SSE(0xE8),
	[0xE9] = SSE(0xE9),
	[0xEA] = SSE(0xEA),
	[0xEB] = SSE(0xEB),
	[0xEC] = SSE(0xEC),
	[0xED] = SSE(0xED),
	[0xEE] = SSE(0xEE),
	[0xEF] = SSE(0xEF),
	/* 0xF0 */
	[0xF0] = SSE(0xF0),
	[0xF1] = SSE(0xF1),
	[0xF2] = SSE(0xF2),
	[0xF3] = SSE(0xF3),
	[0xF4] = SSE(0xF4),
	[0xF5] = SSE(0xF5),
	[0xF6] = SSE(0xF6),
	[0xF7] = SSE(0xF7),
	/* 0xF8 */
	[0xF8] = SSE(0xF8),
	[0xF9] = SSE(0xF9),
	[0xFA] = SSE(0xFA),
	[0xFB] = SSE(0xFB),
	[0xFC] = SSE(0xFC),
	[0xFD] = SSE(0xFD),
	[0xFE] = SSE(0xFE),
	[0xFF] = ROW("ud0", op_ud, G, E, 0, V, 0, 0, ALU, MR | BR, FNONE),
};

/* Eight #UD rows, for the unmodelled three-byte maps. */
#define BAD8 BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD

/* 0F 38: SSSE3 (00-0B, 1C-1E), SSE4.1/4.2 (10-41), SHA (C8-CD),
 * AES (DB-DF), MOVBE/CRC32 (F0-F1) — none modelled. */
const struct opdesc optab_0f38[256] = {
	/* 0x00 */ BAD8, /* 0x08 */ BAD8, /* 0x10 */ BAD8, /* 0x18 */ BAD8,
	/* 0x20 */ BAD8, /* 0x28 */ BAD8, /* 0x30 */ BAD8, /* 0x38 */ BAD8,
	/* 0x40 */ BAD8, /* 0x48 */ BAD8, /* 0x50 */ BAD8, /* 0x58 */ BAD8,
	/* 0x60 */ BAD8, /* 0x68 */ BAD8, /* 0x70 */ BAD8, /* 0x78 */ BAD8,
	/* 0x80 */ BAD8, /* 0x88 */ BAD8, /* 0x90 */ BAD8, /* 0x98 */ BAD8,
	/* 0xA0 */ BAD8, /* 0xA8 */ BAD8, /* 0xB0 */ BAD8, /* 0xB8 */ BAD8,
	/* 0xC0 */ BAD8, /* 0xC8 */ BAD8, /* 0xD0 */ BAD8, /* 0xD8 */ BAD8,
	/* 0xE0 */ BAD8, /* 0xE8 */ BAD8, /* 0xF0 */ BAD8, /* 0xF8 */ BAD8,
};

/* 0F 3A: SSSE3 PALIGNR (0F), SSE4.1/4.2 (08-63), SHA1RNDS4 (CC),
 * AESKEYGENASSIST (DF) — none modelled. */
const struct opdesc optab_0f3a[256] = {
	/* 0x00 */ BAD8, /* 0x08 */ BAD8, /* 0x10 */ BAD8, /* 0x18 */ BAD8,
	/* 0x20 */ BAD8, /* 0x28 */ BAD8, /* 0x30 */ BAD8, /* 0x38 */ BAD8,
	/* 0x40 */ BAD8, /* 0x48 */ BAD8, /* 0x50 */ BAD8, /* 0x58 */ BAD8,
	/* 0x60 */ BAD8, /* 0x68 */ BAD8, /* 0x70 */ BAD8, /* 0x78 */ BAD8,
	/* 0x80 */ BAD8, /* 0x88 */ BAD8, /* 0x90 */ BAD8, /* 0x98 */ BAD8,
	/* 0xA0 */ BAD8, /* 0xA8 */ BAD8, /* 0xB0 */ BAD8, /* 0xB8 */ BAD8,
	/* 0xC0 */ BAD8, /* 0xC8 */ BAD8, /* 0xD0 */ BAD8, /* 0xD8 */ BAD8,
	/* 0xE0 */ BAD8, /* 0xE8 */ BAD8, /* 0xF0 */ BAD8, /* 0xF8 */ BAD8,
};

/* clang-format on */
