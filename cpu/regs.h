/*
 * cpu/regs.h — architectural register numbers and control-register bits.
 *
 * Pure definitions (Intel SDM Vol. 3A §2.5 control registers, §2.2.1 EFER,
 * Vol. 1 §3.4.3 RFLAGS). No code, so every module that must name a bit can
 * include it without pulling in the CPU model.
 */
#ifndef HVSIM_CPU_REGS_H_
#define HVSIM_CPU_REGS_H_

/* General-purpose register indices, in ModRM/REX encoding order. */
enum gpr {
	RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
	R8, R9, R10, R11, R12, R13, R14, R15,
};

/* Segment register indices, in the encoding order of MOV Sreg (8C/8E). */
enum sreg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_NONE = 7 };

/*
 * RFLAGS
 *  21 20  19  18 17 16 15 14 13:12 11 10  9  8  7  6  5  4  3  2  1  0
 *  ID VIP VIF AC VM RF  0 NT IOPL  OF DF IF TF SF ZF  0 AF  0 PF  1 CF
 */
#define RF_CF   (1ull << 0)
#define RF_FIXED1 (1ull << 1)
#define RF_PF   (1ull << 2)
#define RF_AF   (1ull << 4)
#define RF_ZF   (1ull << 6)
#define RF_SF   (1ull << 7)
#define RF_TF   (1ull << 8)
#define RF_IF   (1ull << 9)
#define RF_DF   (1ull << 10)
#define RF_OF   (1ull << 11)
#define RF_IOPL (3ull << 12)
#define RF_NT   (1ull << 14)
#define RF_RF   (1ull << 16)
#define RF_VM   (1ull << 17)
#define RF_AC   (1ull << 18)
#define RF_VIF  (1ull << 19)
#define RF_VIP  (1ull << 20)
#define RF_ID   (1ull << 21)
/* The six arithmetic flags, the ones the lazy-flags machinery owns. */
#define RF_ARITH (RF_CF | RF_PF | RF_AF | RF_ZF | RF_SF | RF_OF)

/*
 * CR0
 *  31 30 29 ... 18 ... 16 ... 5  4  3  2  1  0
 *  PG CD NW     AM     WP     NE ET TS EM MP PE
 */
#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)

/* CR4 (only the bits this model implements or checks). */
#define CR4_VME        (1ull << 0)
#define CR4_PVI        (1ull << 1)
#define CR4_TSD        (1ull << 2)
#define CR4_DE         (1ull << 3)
#define CR4_PSE        (1ull << 4)
#define CR4_PAE        (1ull << 5)
#define CR4_MCE        (1ull << 6)
#define CR4_PGE        (1ull << 7)
#define CR4_PCE        (1ull << 8)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_UMIP       (1ull << 11)
#define CR4_FSGSBASE   (1ull << 16)
#define CR4_PCIDE      (1ull << 17)
#define CR4_OSXSAVE    (1ull << 18)
#define CR4_SMEP       (1ull << 20)
#define CR4_SMAP       (1ull << 21)

/* IA32_EFER (MSR 0xC0000080). */
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

/* Exception vectors (SDM Vol. 3A Table 6-1). */
enum {
	EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5,
	EXC_UD = 6, EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11,
	EXC_SS = 12, EXC_GP = 13, EXC_PF = 14, EXC_MF = 16, EXC_AC = 17,
	EXC_MC = 18, EXC_XM = 19,
};

/* #PF error code bits (SDM Vol. 3A §4.7). */
#define PFEC_P    (1u << 0)
#define PFEC_W    (1u << 1)
#define PFEC_U    (1u << 2)
#define PFEC_RSVD (1u << 3)
#define PFEC_I    (1u << 4)

/* Architectural MSR numbers the CPU model itself implements. */
#define MSR_IA32_TSC            0x00000010u
#define MSR_IA32_APIC_BASE      0x0000001Bu
#define MSR_IA32_BIOS_SIGN_ID   0x0000008Bu
#define MSR_IA32_MTRRCAP        0x000000FEu
#define MSR_IA32_SYSENTER_CS    0x00000174u
#define MSR_IA32_SYSENTER_ESP   0x00000175u
#define MSR_IA32_SYSENTER_EIP   0x00000176u
#define MSR_IA32_MISC_ENABLE    0x000001A0u
#define MSR_IA32_MTRR_PHYSBASE0 0x00000200u
#define MSR_IA32_MTRR_FIX64K    0x00000250u
#define MSR_IA32_PAT            0x00000277u
#define MSR_IA32_MTRR_DEF_TYPE  0x000002FFu
#define MSR_IA32_TSC_DEADLINE   0x000006E0u
#define MSR_EFER                0xC0000080u
#define MSR_STAR                0xC0000081u
#define MSR_LSTAR               0xC0000082u
#define MSR_CSTAR               0xC0000083u
#define MSR_SFMASK              0xC0000084u
#define MSR_FS_BASE             0xC0000100u
#define MSR_GS_BASE             0xC0000101u
#define MSR_KERNEL_GS_BASE      0xC0000102u
#define MSR_TSC_AUX             0xC0000103u

#endif
