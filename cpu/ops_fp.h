/*
 * cpu/ops_fp.h — SSE/SSE2 and x87 handlers and the meaning of their rows'
 * `sub` field; the rows are in optab_fp.c (0F map prefix variants) and
 * optab_x87.c (escapes D8-DF). The state instructions that sit in the main
 * maps (LDMXCSR, FXSAVE, FWAIT, fences) are in ops.h.
 */
#ifndef HVSIM_CPU_OPS_FP_H_
#define HVSIM_CPU_OPS_FP_H_
#include "cpu/optab.h"

#define OP(name) void name(struct cpu *c, const struct dinsn *d)

/* ---- SSE/SSE2 (ops_sse_mov.c, ops_sse_int.c, ops_sse_fp.c) ------------ */

/* op_sse_int: V = V op W, 128-bit, no MXCSR interaction. */
enum sse_int_op {
	SI_PADDB, SI_PADDW, SI_PADDD, SI_PADDQ,
	SI_PSUBB, SI_PSUBW, SI_PSUBD, SI_PSUBQ,
	SI_PADDSB, SI_PADDSW, SI_PADDUSB, SI_PADDUSW,
	SI_PSUBSB, SI_PSUBSW, SI_PSUBUSB, SI_PSUBUSW,
	SI_PCMPEQB, SI_PCMPEQW, SI_PCMPEQD,
	SI_PCMPGTB, SI_PCMPGTW, SI_PCMPGTD,
	SI_PAND, SI_PANDN, SI_POR, SI_PXOR, /* also the PS/PD logic ops */
	SI_PUNPCKLBW, SI_PUNPCKLWD, SI_PUNPCKLDQ, SI_PUNPCKLQDQ,
	SI_PUNPCKHBW, SI_PUNPCKHWD, SI_PUNPCKHDQ, SI_PUNPCKHQDQ,
	SI_PACKSSWB, SI_PACKSSDW, SI_PACKUSWB,
	SI_PMULLW, SI_PMULHW, SI_PMULHUW, SI_PMULUDQ, SI_PMADDWD,
	SI_PMINUB, SI_PMAXUB, SI_PMINSW, SI_PMAXSW,
	SI_PAVGB, SI_PAVGW, SI_PSADBW,
	SI_PSRLW, SI_PSRLD, SI_PSRLQ, SI_PSRAW, SI_PSRAD, /* count in W */
	SI_PSLLW, SI_PSLLD, SI_PSLLQ,
	SI_COUNT
};

/* op_sse_shift_imm (0F 71/72/73 groups): U = U shift imm8. */
enum sse_shift_op {
	SH_PSRLW, SH_PSRAW, SH_PSLLW, SH_PSRLD, SH_PSRAD, SH_PSLLD,
	SH_PSRLQ, SH_PSRLDQ, SH_PSLLQ, SH_PSLLDQ,
	SH_COUNT
};

/* op_sse_fp: V = V op W under MXCSR, run on the host SSE unit. The row's
 * size rule gives the memory operand size (X 16, Q 8, D 4 bytes). */
enum sse_fp_op {
	SF_ADDPS, SF_ADDPD, SF_ADDSS, SF_ADDSD,
	SF_SUBPS, SF_SUBPD, SF_SUBSS, SF_SUBSD,
	SF_MULPS, SF_MULPD, SF_MULSS, SF_MULSD,
	SF_DIVPS, SF_DIVPD, SF_DIVSS, SF_DIVSD,
	SF_MINPS, SF_MINPD, SF_MINSS, SF_MINSD,
	SF_MAXPS, SF_MAXPD, SF_MAXSS, SF_MAXSD,
	SF_SQRTPS, SF_SQRTPD, SF_SQRTSS, SF_SQRTSD,
	SF_RSQRTPS, SF_RSQRTSS, SF_RCPPS, SF_RCPSS,
	SF_CVTPS2PD, SF_CVTPD2PS, SF_CVTSS2SD, SF_CVTSD2SS,
	SF_CVTDQ2PS, SF_CVTPS2DQ, SF_CVTTPS2DQ,
	SF_CVTDQ2PD, SF_CVTPD2DQ, SF_CVTTPD2DQ,
	SF_CVTPI2PS, /* memory form only: two int32 → low two floats */
	SF_COUNT
};

/* Element kinds of cmp/comi/cvt rows (sub): PS, PD, SS, SD. */
enum sse_kind { SK_PS, SK_PD, SK_SS, SK_SD };
/* op_sse_comi: sub = 0 UCOMISS, 1 COMISS, 2 UCOMISD, 3 COMISD. */
/* op_sse_cvt_f2si: sub bit 0 = double source, bit 1 = truncate. */
/* op_sse_movhalf: sub bit 0 = high half of the XMM register written (or
 * read by a store), bit 1 = high half of the register source, bit 2 = the
 * 8-byte memory operand is the destination. */
#define MH_DST_HI 1
#define MH_SRC_HI 2
#define MH_STORE  4
/* op_sse_movmsk: sub = 0 bytes (PMOVMSKB), 1 PS, 2 PD. */
/* op_sse_pshuf: sub = 0 PSHUFD, 1 PSHUFHW, 2 PSHUFLW. */

OP(op_sse_mova_VW);   /* MOVAPS/MOVAPD/MOVDQA load or register move */
OP(op_sse_movu_VW);   /* MOVUPS/MOVUPD/MOVDQU */
OP(op_sse_mova_WV);   /* aligned store (also MOVNTPS/PD/DQ) */
OP(op_sse_movu_WV);
OP(op_sse_movs_VW);   /* MOVSS/MOVSD (osize 4/8): load zero-extends */
OP(op_sse_movs_WV);
OP(op_sse_movq_VW);   /* F3 0F 7E: xmm = zero-extended low qword */
OP(op_sse_movq_WV);   /* 66 0F D6 */
OP(op_sse_movd_VE);   /* 66 0F 6E: MOVD/MOVQ xmm, r/m32/64 */
OP(op_sse_movd_EV);   /* 66 0F 7E */
OP(op_sse_movhalf);   /* MOVLPS/MOVHPS/MOVLPD/MOVHPD/MOVHLPS/MOVLHPS */
OP(op_sse_movmsk);    /* PMOVMSKB/MOVMSKPS/MOVMSKPD */
OP(op_sse_maskmov);   /* MASKMOVDQU: byte-masked store to DS:rDI */
OP(op_sse_pshuf);     /* PSHUFD/PSHUFHW/PSHUFLW V, W, imm8 */
OP(op_sse_shufp);     /* SHUFPS (sub 0) / SHUFPD (sub 1) */
OP(op_sse_pinsrw);
OP(op_sse_pextrw);
OP(op_sse_int);       /* sub = enum sse_int_op */
OP(op_sse_shift_imm); /* sub = enum sse_shift_op */
OP(op_sse_fp);        /* sub = enum sse_fp_op */
OP(op_sse_cmp);       /* CMPPS/PD/SS/SD, sub = enum sse_kind */
OP(op_sse_comi);
OP(op_sse_cvt_si2f);  /* CVTSI2SS (sub 0) / CVTSI2SD (sub 1) */
OP(op_sse_cvt_f2si);

/* ---- x87 (ops_x87.c, ops_x87_arith.c, ops_x87_env.c) ------------------- */

/* Memory formats (sub of loads/stores; bits 5:3 of arithmetic rows). */
enum x87_fmt { XF_F32, XF_F64, XF_F80, XF_I16, XF_I32, XF_I64, XF_BCD };
/* Arithmetic operations in opcode order (ModRM.reg of D8/DC/DA/DE). */
enum x87_aop {
	XA_ADD, XA_MUL, XA_COM, XA_COMP, XA_SUB, XA_SUBR, XA_DIV, XA_DIVR
};
#define XS_POP  0x40 /* pop once after the operation */
#define XS_POP2 0x80 /* pop twice (FCOMPP, FUCOMPP) */
#define XS_UNORD 0x08 /* unordered compare (FUCOM*) */
#define XS_NCE  0x20 /* FSTPNCE (D9 D8+i): an empty ST0 just pops */
#define XA_SUB_M(aop, fmt) ((aop) | (fmt) << 3)
/* op_x87_math: sub = enum x87_math. */
enum x87_math {
	XM_FSQRT, XM_FRNDINT, XM_F2XM1, XM_FSIN, XM_FCOS, /* ST0 = f(ST0) */
	XM_FSCALE, XM_FPREM, XM_FPREM1,          /* ST0 = f(ST0, ST1) */
	XM_FPATAN, XM_FYL2X, XM_FYL2XP1,         /* ST1 = f(ST1, ST0); pop */
	XM_FXTRACT, XM_FPTAN, XM_FSINCOS,        /* ST0 = f(ST0); push */
	XM_COUNT
};

OP(op_x87_arith_m);   /* ST0 = ST0 op m; sub = XA_SUB_M(aop, fmt) */
OP(op_x87_arith_st0); /* ST0 = ST0 op ST(i); sub = aop */
OP(op_x87_arith_sti); /* ST(i) = ST(i) op ST0; sub = aop | XS_POP */
OP(op_x87_fcom);      /* FCOM/FUCOM ST(i) [+pops]; sub = XS_* */
OP(op_x87_fcomi);     /* FCOMI/FUCOMI[P]; sub = XS_UNORD | XS_POP */
OP(op_x87_ftst);
OP(op_x87_fxam);
OP(op_x87_math);      /* sub = enum x87_math */
OP(op_x87_fchs);
OP(op_x87_fabs);
OP(op_x87_fld_m);     /* sub = enum x87_fmt */
OP(op_x87_fst_m);     /* sub = enum x87_fmt | XS_POP */
OP(op_x87_fld_st);
OP(op_x87_fst_st);    /* sub = XS_POP or 0 */
OP(op_x87_fldconst);  /* sub: 0 1, 1 L2T, 2 L2E, 3 PI, 4 LG2, 5 LN2, 6 Z */
OP(op_x87_fxch);
OP(op_x87_fcmov);     /* sub = condition code (Jcc encoding) */
OP(op_x87_ffree);     /* sub = XS_POP for FFREEP */
OP(op_x87_fincstp);
OP(op_x87_fdecstp);
OP(op_x87_fnop);      /* FNOP (waiting) */
OP(op_x87_nop_nowait); /* FENI/FDISI/FSETPM: no-ops on the 387 and later */
OP(op_x87_fninit);
OP(op_x87_fnclex);
OP(op_x87_fldcw);
OP(op_x87_fnstcw);
OP(op_x87_fnstsw_m);
OP(op_x87_fnstsw_ax);
OP(op_x87_fnstenv);
OP(op_x87_fldenv);
OP(op_x87_fnsave);
OP(op_x87_frstor);

#undef OP
#endif
