/*
 * cpu/optab_fp.c — the SSE/SSE2 rows of the 0F map: optab_0f_pfx[op] holds
 * the four mandatory-prefix variants [none, 66, F3, F2] of 0F op. The x87
 * escapes are in optab_x87.c.
 *
 * Spec: Intel SDM Vol. 2D Appendix A, Table A-3 (two-byte opcode map,
 * prefix columns) and Table A-6 (groups 12-14: 0F 71/72/73 /r ib).
 *
 * Invariants: only the opcodes optab_0f.c sends here have rows (the others
 * stay all zero, unreachable). An encoding that does not exist, an MMX form
 * (no MMX state is modelled) or an SSE3 form (SSE3 is not advertised) is
 * an INV row (#UD) named after the instruction. The mandatory 66 does not
 * change the operand size; REX.W does (MOVD/MOVQ, CVTSI2SS, CVTSS2SI...).
 * Where register and memory forms are different instructions (0F 12/16,
 * groups 12-14) a 16-row group selects by ModRM.mod. The size rule gives
 * the memory operand size (X 16, Q 8, D 4) or, for GPR operands, V.
 */
#include "cpu/ops_fp.h"
#include "cpu/optab_rows.h"

#define BAD INV("(bad)")
#define SX  (MR | F_SSE)

/* An SSE row without immediate; with an imm8 (SI). */
#define S(mn, h, o1, o2, sz, sb, co)                                         \
	ROW(mn, h, o1, o2, 0, sz, 0, sb, co, SX, FNONE)
#define SI(mn, h, o1, o2, sz, sb, co)                                        \
	ROW(mn, h, o1, o2, I, sz, B, sb, co, SX, FNONE)
/* Packed integer / bitwise V = V op W; floating point V = V op W. */
#define PI(mn, sb) S(mn, op_sse_int, V, W, X, sb, SSE)
#define FP(mn, sz, sb) S(mn, op_sse_fp, V, W, sz, sb, SSEFP)
/* Shift by imm8 in groups 12-14: U = U op imm8. */
#define SHI(mn, sb) ROW(mn, op_sse_shift_imm, U, I, 0, X, B, sb, SSE, SX, FNONE)
/* (U)COMIS: write ZF PF CF, clear OF SF AF. */
#define COMI(mn, sz, sb)                                                     \
	ROW(mn, op_sse_comi, V, W, 0, sz, 0, sb, SSEFP, SX, 0, f_6, 0)
/* The common shapes of a prefix row. */
#define P66(mmx, mn, sb) {INV(mmx), PI(mn, sb), BAD, BAD}
#define PSPD(ps, pd, sb_ps, sb_pd) {PI(ps, sb_ps), PI(pd, sb_pd), BAD, BAD}
#define FP4(name, op)                                                        \
	{FP(name "ps", X, op##PS), FP(name "pd", X, op##PD),                  \
	 FP(name "ss", D, op##SS), FP(name "sd", Q, op##SD)}
#define X8(row) row, row, row, row, row, row, row, row

/* clang-format off */

/* 0F 12 / 0F 16 without prefix: memory form MOVLPS/MOVHPS, register form
 * MOVHLPS/MOVLHPS. [0..7] mod != 3, [8..15] mod == 3. */
static const struct opdesc grp_0f12[16] = {
	X8(S("movlps", op_sse_movhalf, V, M, Q, 0, SSE)),
	X8(S("movhlps", op_sse_movhalf, V, U, Q, MH_SRC_HI, SSE)),
};
static const struct opdesc grp_0f16[16] = {
	X8(S("movhps", op_sse_movhalf, V, M, Q, MH_DST_HI, SSE)),
	X8(S("movlhps", op_sse_movhalf, V, U, Q, MH_DST_HI, SSE)),
};

/* 0F 2A / 66 0F 2A: CVTPI2PS/PD with an m64 source are SSE/SSE2 (no MMX
 * state is touched); the register forms read an MMX register: #UD. */
static const struct opdesc grp_cvtpi2ps[16] = {
	X8(FP("cvtpi2ps", Q, SF_CVTPI2PS)), X8(INV("cvtpi2ps")),
};
static const struct opdesc grp_cvtpi2pd[16] = {
	X8(FP("cvtpi2pd", Q, SF_CVTDQ2PD)), X8(INV("cvtpi2pd")),
};

/* Groups 12, 13, 14 with 66 (register forms only). */
static const struct opdesc grp12[16] = {
	X8(BAD),
	BAD, BAD, SHI("psrlw", SH_PSRLW), BAD,
	SHI("psraw", SH_PSRAW), BAD, SHI("psllw", SH_PSLLW), BAD,
};
static const struct opdesc grp13[16] = {
	X8(BAD),
	BAD, BAD, SHI("psrld", SH_PSRLD), BAD,
	SHI("psrad", SH_PSRAD), BAD, SHI("pslld", SH_PSLLD), BAD,
};
static const struct opdesc grp14[16] = {
	X8(BAD),
	BAD, BAD, SHI("psrlq", SH_PSRLQ), SHI("psrldq", SH_PSRLDQ),
	BAD, BAD, SHI("psllq", SH_PSLLQ), SHI("pslldq", SH_PSLLDQ),
};

const struct opdesc optab_0f_pfx[256][4] = {
	/* columns:      [none]  [66]  [F3]  [F2] */
	/* 0x10 */
	[0x10] = {S("movups", op_sse_movu_VW, V, W, X, 0, SSE),
		  S("movupd", op_sse_movu_VW, V, W, X, 0, SSE),
		  S("movss", op_sse_movs_VW, V, W, D, 0, SSE),
		  S("movsd", op_sse_movs_VW, V, W, Q, 0, SSE)},
	[0x11] = {S("movups", op_sse_movu_WV, W, V, X, 0, SSE),
		  S("movupd", op_sse_movu_WV, W, V, X, 0, SSE),
		  S("movss", op_sse_movs_WV, W, V, D, 0, SSE),
		  S("movsd", op_sse_movs_WV, W, V, Q, 0, SSE)},
	[0x12] = {GROUP("(movlps)", F_GROUP_MOD, grp_0f12),
		  S("movlpd", op_sse_movhalf, V, M, Q, 0, SSE),
		  INV("movsldup"), INV("movddup")},
	[0x13] = {S("movlps", op_sse_movhalf, M, V, Q, MH_STORE, SSE),
		  S("movlpd", op_sse_movhalf, M, V, Q, MH_STORE, SSE),
		  BAD, BAD},
	[0x14] = PSPD("unpcklps", "unpcklpd", SI_PUNPCKLDQ, SI_PUNPCKLQDQ),
	[0x15] = PSPD("unpckhps", "unpckhpd", SI_PUNPCKHDQ, SI_PUNPCKHQDQ),
	[0x16] = {GROUP("(movhps)", F_GROUP_MOD, grp_0f16),
		  S("movhpd", op_sse_movhalf, V, M, Q, MH_DST_HI, SSE),
		  INV("movshdup"), BAD},
	[0x17] = {S("movhps", op_sse_movhalf, M, V, Q, MH_STORE | MH_DST_HI, SSE),
		  S("movhpd", op_sse_movhalf, M, V, Q, MH_STORE | MH_DST_HI, SSE),
		  BAD, BAD},
	/* 0x28 */
	[0x28] = {S("movaps", op_sse_mova_VW, V, W, X, 0, SSE),
		  S("movapd", op_sse_mova_VW, V, W, X, 0, SSE), BAD, BAD},
	[0x29] = {S("movaps", op_sse_mova_WV, W, V, X, 0, SSE),
		  S("movapd", op_sse_mova_WV, W, V, X, 0, SSE), BAD, BAD},
	[0x2A] = {GROUP("(cvtpi2ps)", F_GROUP_MOD, grp_cvtpi2ps),
		  GROUP("(cvtpi2pd)", F_GROUP_MOD, grp_cvtpi2pd),
		  S("cvtsi2ss", op_sse_cvt_si2f, V, E, V, 0, SSEFP),
		  S("cvtsi2sd", op_sse_cvt_si2f, V, E, V, 1, SSEFP)},
	[0x2B] = {S("movntps", op_sse_mova_WV, M, V, X, 0, SSE),
		  S("movntpd", op_sse_mova_WV, M, V, X, 0, SSE), BAD, BAD},
	[0x2C] = {INV("cvttps2pi"), INV("cvttpd2pi"),
		  S("cvttss2si", op_sse_cvt_f2si, G, W, V, 2, SSEFP),
		  S("cvttsd2si", op_sse_cvt_f2si, G, W, V, 3, SSEFP)},
	[0x2D] = {INV("cvtps2pi"), INV("cvtpd2pi"),
		  S("cvtss2si", op_sse_cvt_f2si, G, W, V, 0, SSEFP),
		  S("cvtsd2si", op_sse_cvt_f2si, G, W, V, 1, SSEFP)},
	[0x2E] = {COMI("ucomiss", D, 0), COMI("ucomisd", Q, 2), BAD, BAD},
	[0x2F] = {COMI("comiss", D, 1), COMI("comisd", Q, 3), BAD, BAD},
	/* 0x50 */
	[0x50] = {S("movmskps", op_sse_movmsk, G, U, D, 1, SSE),
		  S("movmskpd", op_sse_movmsk, G, U, D, 2, SSE), BAD, BAD},
	[0x51] = FP4("sqrt", SF_SQRT),
	[0x52] = {FP("rsqrtps", X, SF_RSQRTPS), BAD,
		  FP("rsqrtss", D, SF_RSQRTSS), BAD},
	[0x53] = {FP("rcpps", X, SF_RCPPS), BAD, FP("rcpss", D, SF_RCPSS), BAD},
	[0x54] = PSPD("andps", "andpd", SI_PAND, SI_PAND),
	[0x55] = PSPD("andnps", "andnpd", SI_PANDN, SI_PANDN),
	[0x56] = PSPD("orps", "orpd", SI_POR, SI_POR),
	[0x57] = PSPD("xorps", "xorpd", SI_PXOR, SI_PXOR),
	/* 0x58 */
	[0x58] = FP4("add", SF_ADD),
	[0x59] = FP4("mul", SF_MUL),
	[0x5A] = {FP("cvtps2pd", Q, SF_CVTPS2PD), FP("cvtpd2ps", X, SF_CVTPD2PS),
		  FP("cvtss2sd", D, SF_CVTSS2SD), FP("cvtsd2ss", Q, SF_CVTSD2SS)},
	[0x5B] = {FP("cvtdq2ps", X, SF_CVTDQ2PS), FP("cvtps2dq", X, SF_CVTPS2DQ),
		  FP("cvttps2dq", X, SF_CVTTPS2DQ), BAD},
	[0x5C] = FP4("sub", SF_SUB),
	[0x5D] = FP4("min", SF_MIN),
	[0x5E] = FP4("div", SF_DIV),
	[0x5F] = FP4("max", SF_MAX),
	/* 0x60 */
	[0x60] = P66("punpcklbw", "punpcklbw", SI_PUNPCKLBW),
	[0x61] = P66("punpcklwd", "punpcklwd", SI_PUNPCKLWD),
	[0x62] = P66("punpckldq", "punpckldq", SI_PUNPCKLDQ),
	[0x63] = P66("packsswb", "packsswb", SI_PACKSSWB),
	[0x64] = P66("pcmpgtb", "pcmpgtb", SI_PCMPGTB),
	[0x65] = P66("pcmpgtw", "pcmpgtw", SI_PCMPGTW),
	[0x66] = P66("pcmpgtd", "pcmpgtd", SI_PCMPGTD),
	[0x67] = P66("packuswb", "packuswb", SI_PACKUSWB),
	/* 0x68 */
	[0x68] = P66("punpckhbw", "punpckhbw", SI_PUNPCKHBW),
	[0x69] = P66("punpckhwd", "punpckhwd", SI_PUNPCKHWD),
	[0x6A] = P66("punpckhdq", "punpckhdq", SI_PUNPCKHDQ),
	[0x6B] = P66("packssdw", "packssdw", SI_PACKSSDW),
	[0x6C] = {BAD, PI("punpcklqdq", SI_PUNPCKLQDQ), BAD, BAD},
	[0x6D] = {BAD, PI("punpckhqdq", SI_PUNPCKHQDQ), BAD, BAD},
	[0x6E] = {INV("movd"),
		  S("movd|movd|movq", op_sse_movd_VE, V, E, V, 0, SSE),
		  BAD, BAD},
	[0x6F] = {INV("movq"), S("movdqa", op_sse_mova_VW, V, W, X, 0, SSE),
		  S("movdqu", op_sse_movu_VW, V, W, X, 0, SSE), BAD},
	/* 0x70 */
	[0x70] = {INV("pshufw"), SI("pshufd", op_sse_pshuf, V, W, X, 0, SSE),
		  SI("pshufhw", op_sse_pshuf, V, W, X, 1, SSE),
		  SI("pshuflw", op_sse_pshuf, V, W, X, 2, SSE)},
	[0x71] = {INV("(grp12)"), GROUP("(grp12)", F_GROUP_MOD, grp12),
		  BAD, BAD},
	[0x72] = {INV("(grp13)"), GROUP("(grp13)", F_GROUP_MOD, grp13),
		  BAD, BAD},
	[0x73] = {INV("(grp14)"), GROUP("(grp14)", F_GROUP_MOD, grp14),
		  BAD, BAD},
	[0x74] = P66("pcmpeqb", "pcmpeqb", SI_PCMPEQB),
	[0x75] = P66("pcmpeqw", "pcmpeqw", SI_PCMPEQW),
	[0x76] = P66("pcmpeqd", "pcmpeqd", SI_PCMPEQD),
	/* 0x7C */
	[0x7C] = {BAD, INV("haddpd"), BAD, INV("haddps")},
	[0x7D] = {BAD, INV("hsubpd"), BAD, INV("hsubps")},
	[0x7E] = {INV("movd"),
		  S("movd|movd|movq", op_sse_movd_EV, E, V, V, 0, SSE),
		  S("movq", op_sse_movq_VW, V, W, Q, 0, SSE), BAD},
	[0x7F] = {INV("movq"), S("movdqa", op_sse_mova_WV, W, V, X, 0, SSE),
		  S("movdqu", op_sse_movu_WV, W, V, X, 0, SSE), BAD},
	/* 0xC2 */
	[0xC2] = {SI("cmpps", op_sse_cmp, V, W, X, SK_PS, SSEFP),
		  SI("cmppd", op_sse_cmp, V, W, X, SK_PD, SSEFP),
		  SI("cmpss", op_sse_cmp, V, W, D, SK_SS, SSEFP),
		  SI("cmpsd", op_sse_cmp, V, W, Q, SK_SD, SSEFP)},
	[0xC4] = {INV("pinsrw"), SI("pinsrw", op_sse_pinsrw, V, E, D, 0, SSE),
		  BAD, BAD},
	[0xC5] = {INV("pextrw"), SI("pextrw", op_sse_pextrw, G, U, D, 0, SSE),
		  BAD, BAD},
	[0xC6] = {SI("shufps", op_sse_shufp, V, W, X, 0, SSE),
		  SI("shufpd", op_sse_shufp, V, W, X, 1, SSE), BAD, BAD},
	/* 0xD0 */
	[0xD0] = {BAD, INV("addsubpd"), BAD, INV("addsubps")},
	[0xD1] = P66("psrlw", "psrlw", SI_PSRLW),
	[0xD2] = P66("psrld", "psrld", SI_PSRLD),
	[0xD3] = P66("psrlq", "psrlq", SI_PSRLQ),
	[0xD4] = P66("paddq", "paddq", SI_PADDQ),
	[0xD5] = P66("pmullw", "pmullw", SI_PMULLW),
	[0xD6] = {BAD, S("movq", op_sse_movq_WV, W, V, Q, 0, SSE),
		  INV("movq2dq"), INV("movdq2q")},
	[0xD7] = {INV("pmovmskb"),
		  S("pmovmskb", op_sse_movmsk, G, U, D, 0, SSE), BAD, BAD},
	/* 0xD8 */
	[0xD8] = P66("psubusb", "psubusb", SI_PSUBUSB),
	[0xD9] = P66("psubusw", "psubusw", SI_PSUBUSW),
	[0xDA] = P66("pminub", "pminub", SI_PMINUB),
	[0xDB] = P66("pand", "pand", SI_PAND),
	[0xDC] = P66("paddusb", "paddusb", SI_PADDUSB),
	[0xDD] = P66("paddusw", "paddusw", SI_PADDUSW),
	[0xDE] = P66("pmaxub", "pmaxub", SI_PMAXUB),
	[0xDF] = P66("pandn", "pandn", SI_PANDN),
	/* 0xE0 */
	[0xE0] = P66("pavgb", "pavgb", SI_PAVGB),
	[0xE1] = P66("psraw", "psraw", SI_PSRAW),
	[0xE2] = P66("psrad", "psrad", SI_PSRAD),
	[0xE3] = P66("pavgw", "pavgw", SI_PAVGW),
	[0xE4] = P66("pmulhuw", "pmulhuw", SI_PMULHUW),
	[0xE5] = P66("pmulhw", "pmulhw", SI_PMULHW),
	[0xE6] = {BAD, FP("cvttpd2dq", X, SF_CVTTPD2DQ),
		  FP("cvtdq2pd", Q, SF_CVTDQ2PD), FP("cvtpd2dq", X, SF_CVTPD2DQ)},
	[0xE7] = {INV("movntq"), S("movntdq", op_sse_mova_WV, M, V, X, 0, SSE),
		  BAD, BAD},
	/* 0xE8 */
	[0xE8] = P66("psubsb", "psubsb", SI_PSUBSB),
	[0xE9] = P66("psubsw", "psubsw", SI_PSUBSW),
	[0xEA] = P66("pminsw", "pminsw", SI_PMINSW),
	[0xEB] = P66("por", "por", SI_POR),
	[0xEC] = P66("paddsb", "paddsb", SI_PADDSB),
	[0xED] = P66("paddsw", "paddsw", SI_PADDSW),
	[0xEE] = P66("pmaxsw", "pmaxsw", SI_PMAXSW),
	[0xEF] = P66("pxor", "pxor", SI_PXOR),
	/* 0xF0 */
	[0xF0] = {BAD, BAD, BAD, INV("lddqu")},
	[0xF1] = P66("psllw", "psllw", SI_PSLLW),
	[0xF2] = P66("pslld", "pslld", SI_PSLLD),
	[0xF3] = P66("psllq", "psllq", SI_PSLLQ),
	[0xF4] = P66("pmuludq", "pmuludq", SI_PMULUDQ),
	[0xF5] = P66("pmaddwd", "pmaddwd", SI_PMADDWD),
	[0xF6] = P66("psadbw", "psadbw", SI_PSADBW),
	[0xF7] = {INV("maskmovq"),
		  S("maskmovdqu", op_sse_maskmov, V, U, X, 0, SSE), BAD, BAD},
	/* 0xF8 */
	[0xF8] = P66("psubb", "psubb", SI_PSUBB),
	[0xF9] = P66("psubw", "psubw", SI_PSUBW),
	[0xFA] = P66("psubd", "psubd", SI_PSUBD),
	[0xFB] = P66("psubq", "psubq", SI_PSUBQ),
	[0xFC] = P66("paddb", "paddb", SI_PADDB),
	[0xFD] = P66("paddw", "paddw", SI_PADDW),
	[0xFE] = P66("paddd", "paddd", SI_PADDD),
};

/* clang-format on */
