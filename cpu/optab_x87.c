/*
 * cpu/optab_x87.c — the x87 escape tables: optab_x87[esc - 0xD8] has 72
 * rows, [ModRM.reg] for memory forms and [8 + (ModRM & 0x3F)] for register
 * forms (C0-FF), as the F_GROUP_RM rows of optab.c select them.
 *
 * Spec: Intel SDM Vol. 2D Appendix A.5 (Tables A-7..A-22, x87 opcode map),
 * Vol. 2A/2B (each instruction). Register forms come in runs of eight
 * (ST(0)..ST(7) in ModRM.rm, REX.B ignored).
 *
 * Invariants: FISTTP (SSE3, not advertised) is #UD. The aliases Intel
 * CPUs execute (D9 D8+i FSTP — "FSTPNCE", which does not fault on an
 * empty ST0 —, DC D0/D8+i FCOM/FCOMP, DD C8+i and DF C8+i
 * FXCH, DE D0+i FCOMP, DF D0/D8+i FSTP, DF C0+i FFREEP) behave as the
 * instruction they alias, under Capstone's spelling. FENI/FDISI/FSETPM
 * are no-ops, as on every x87 since the 387. Mnemonics are Capstone 4's,
 * except for FENI/FDISI ("feni8087_nop" does not fit the mnemonic rules).
 */
#include "cpu/ops_fp.h"
#include "cpu/optab_rows.h"

#define BAD INV("(bad)")
#define XF  (MR | F_X87)
#define X8(row) row, row, row, row, row, row, row, row

/* One x87 row: operands, size rule, sub. */
#define XR(mn, h, o1, o2, sz, sb)                                             \
	ROW(mn, h, o1, o2, 0, sz, 0, sb, X87, XF, FNONE)
/* Memory arithmetic in format fmt (eight rows by ModRM.reg). */
#define ARITH_M(pre, suf, sz, fmt)                                            \
	XR(pre "add" suf, op_x87_arith_m, M, 0, sz, XA_SUB_M(XA_ADD, fmt)),    \
	XR(pre "mul" suf, op_x87_arith_m, M, 0, sz, XA_SUB_M(XA_MUL, fmt)),    \
	XR(pre "com" suf, op_x87_arith_m, M, 0, sz, XA_SUB_M(XA_COM, fmt)),    \
	XR(pre "comp" suf, op_x87_arith_m, M, 0, sz, XA_SUB_M(XA_COMP, fmt)),  \
	XR(pre "sub" suf, op_x87_arith_m, M, 0, sz, XA_SUB_M(XA_SUB, fmt)),    \
	XR(pre "subr" suf, op_x87_arith_m, M, 0, sz, XA_SUB_M(XA_SUBR, fmt)),  \
	XR(pre "div" suf, op_x87_arith_m, M, 0, sz, XA_SUB_M(XA_DIV, fmt)),    \
	XR(pre "divr" suf, op_x87_arith_m, M, 0, sz, XA_SUB_M(XA_DIVR, fmt))
/* Eight register rows ST(0)..ST(7) of one instruction. */
#define ST8(mn, h, sb) X8(XR(mn, h, ST, 0, V, sb))
#define FCOMI8(mn, sb) X8(ROW(mn, op_x87_fcomi, ST, 0, 0, V, 0, sb, X87, XF, 0, f_6, 0))
#define FCMOV8(mn, cc) X8(ROW(mn, op_x87_fcmov, ST, 0, 0, V, 0, cc, X87, XF, CCR(cc), 0, 0))
#define MATH(mn, op) XR(mn, op_x87_math, 0, 0, V, op)
#define CONST(mn, k) XR(mn, op_x87_fldconst, 0, 0, V, k)

/* clang-format off */
const struct opdesc optab_x87[8][72] = {
	/* D8: memory m32fp; registers ST0 op ST(i) */
	[0] = {
		ARITH_M("f", "", D, XF_F32),
		/* C0 */ ST8("fadd", op_x87_arith_st0, XA_ADD),
		/* C8 */ ST8("fmul", op_x87_arith_st0, XA_MUL),
		/* D0 */ ST8("fcom", op_x87_fcom, 0),
		/* D8 */ ST8("fcomp", op_x87_fcom, XS_POP),
		/* E0 */ ST8("fsub", op_x87_arith_st0, XA_SUB),
		/* E8 */ ST8("fsubr", op_x87_arith_st0, XA_SUBR),
		/* F0 */ ST8("fdiv", op_x87_arith_st0, XA_DIV),
		/* F8 */ ST8("fdivr", op_x87_arith_st0, XA_DIVR),
	},
	/* D9: loads/stores m32fp, environment and control word; constants
	 * and the math instructions */
	[1] = {
		XR("fld", op_x87_fld_m, M, 0, D, XF_F32),
		BAD,
		XR("fst", op_x87_fst_m, M, 0, D, XF_F32),
		XR("fstp", op_x87_fst_m, M, 0, D, XF_F32 | XS_POP),
		XR("fldenv", op_x87_fldenv, M, 0, V, 0),
		XR("fldcw", op_x87_fldcw, M, 0, W, 0),
		XR("fnstenv", op_x87_fnstenv, M, 0, V, 0),
		XR("fnstcw", op_x87_fnstcw, M, 0, W, 0),
		/* C0 */ ST8("fld", op_x87_fld_st, 0),
		/* C8 */ ST8("fxch", op_x87_fxch, 0),
		/* D0 */ XR("fnop", op_x87_fnop, 0, 0, V, 0),
		BAD, BAD, BAD, BAD, BAD, BAD, BAD,
		/* D8 */ ST8("fstpnce", op_x87_fst_st, XS_POP | XS_NCE),
		/* E0 */ XR("fchs", op_x87_fchs, 0, 0, V, 0),
		XR("fabs", op_x87_fabs, 0, 0, V, 0),
		BAD, BAD,
		XR("ftst", op_x87_ftst, 0, 0, V, 0),
		XR("fxam", op_x87_fxam, 0, 0, V, 0),
		BAD, BAD,
		/* E8 */ CONST("fld1", 0), CONST("fldl2t", 1), CONST("fldl2e", 2),
		CONST("fldpi", 3), CONST("fldlg2", 4), CONST("fldln2", 5),
		CONST("fldz", 6), BAD,
		/* F0 */ MATH("f2xm1", XM_F2XM1), MATH("fyl2x", XM_FYL2X),
		MATH("fptan", XM_FPTAN), MATH("fpatan", XM_FPATAN),
		MATH("fxtract", XM_FXTRACT), MATH("fprem1", XM_FPREM1),
		XR("fdecstp", op_x87_fdecstp, 0, 0, V, 0),
		XR("fincstp", op_x87_fincstp, 0, 0, V, 0),
		/* F8 */ MATH("fprem", XM_FPREM), MATH("fyl2xp1", XM_FYL2XP1),
		MATH("fsqrt", XM_FSQRT), MATH("fsincos", XM_FSINCOS),
		MATH("frndint", XM_FRNDINT), MATH("fscale", XM_FSCALE),
		MATH("fsin", XM_FSIN), MATH("fcos", XM_FCOS),
	},
	/* DA: memory m32int; FCMOVcc (B E BE U), FUCOMPP */
	[2] = {
		ARITH_M("fi", "", D, XF_I32),
		/* C0 */ FCMOV8("fcmovb", 2),
		/* C8 */ FCMOV8("fcmove", 4),
		/* D0 */ FCMOV8("fcmovbe", 6),
		/* D8 */ FCMOV8("fcmovu", 10),
		/* E0 */ X8(BAD),
		/* E8 */ BAD,
		XR("fucompp", op_x87_fcom, ST, 0, V, XS_UNORD | XS_POP2),
		BAD, BAD, BAD, BAD, BAD, BAD,
		/* F0 */ X8(BAD),
		/* F8 */ X8(BAD),
	},
	/* DB: m32int and m80fp loads/stores; FCMOVcc (NB NE NBE NU),
	 * FNCLEX, FNINIT, F(U)COMI */
	[3] = {
		XR("fild", op_x87_fld_m, M, 0, D, XF_I32),
		INV("fisttp"),
		XR("fist", op_x87_fst_m, M, 0, D, XF_I32),
		XR("fistp", op_x87_fst_m, M, 0, D, XF_I32 | XS_POP),
		BAD,
		XR("fld", op_x87_fld_m, M, 0, Q, XF_F80),
		BAD,
		XR("fstp", op_x87_fst_m, M, 0, Q, XF_F80 | XS_POP),
		/* C0 */ FCMOV8("fcmovnb", 3),
		/* C8 */ FCMOV8("fcmovne", 5),
		/* D0 */ FCMOV8("fcmovnbe", 7),
		/* D8 */ FCMOV8("fcmovnu", 11),
		/* E0 */ XR("fneni", op_x87_nop_nowait, 0, 0, V, 0),
		XR("fndisi", op_x87_nop_nowait, 0, 0, V, 0),
		XR("fnclex", op_x87_fnclex, 0, 0, V, 0),
		XR("fninit", op_x87_fninit, 0, 0, V, 0),
		XR("fsetpm", op_x87_nop_nowait, 0, 0, V, 0),
		BAD, BAD, BAD,
		/* E8 */ FCOMI8("fucomi", XS_UNORD),
		/* F0 */ FCOMI8("fcomi", 0),
		/* F8 */ X8(BAD),
	},
	/* DC: memory m64fp; registers ST(i) op= ST0 */
	[4] = {
		ARITH_M("f", "", Q, XF_F64),
		/* C0 */ ST8("fadd", op_x87_arith_sti, XA_ADD),
		/* C8 */ ST8("fmul", op_x87_arith_sti, XA_MUL),
		/* D0 */ ST8("fcom", op_x87_fcom, 0),
		/* D8 */ ST8("fcomp", op_x87_fcom, XS_POP),
		/* E0 */ ST8("fsubr", op_x87_arith_sti, XA_SUBR),
		/* E8 */ ST8("fsub", op_x87_arith_sti, XA_SUB),
		/* F0 */ ST8("fdivr", op_x87_arith_sti, XA_DIVR),
		/* F8 */ ST8("fdiv", op_x87_arith_sti, XA_DIV),
	},
	/* DD: m64fp loads/stores, FRSTOR, FNSAVE, FNSTSW m16; FFREE, FST(P)
	 * ST(i), FUCOM(P) */
	[5] = {
		XR("fld", op_x87_fld_m, M, 0, Q, XF_F64),
		INV("fisttp"),
		XR("fst", op_x87_fst_m, M, 0, Q, XF_F64),
		XR("fstp", op_x87_fst_m, M, 0, Q, XF_F64 | XS_POP),
		XR("frstor", op_x87_frstor, M, 0, V, 0),
		BAD,
		XR("fnsave", op_x87_fnsave, M, 0, V, 0),
		XR("fnstsw", op_x87_fnstsw_m, M, 0, W, 0),
		/* C0 */ ST8("ffree", op_x87_ffree, 0),
		/* C8 */ ST8("fxch", op_x87_fxch, 0),
		/* D0 */ ST8("fst", op_x87_fst_st, 0),
		/* D8 */ ST8("fstp", op_x87_fst_st, XS_POP),
		/* E0 */ ST8("fucom", op_x87_fcom, XS_UNORD),
		/* E8 */ ST8("fucomp", op_x87_fcom, XS_UNORD | XS_POP),
		/* F0 */ X8(BAD),
		/* F8 */ X8(BAD),
	},
	/* DE: memory m16int; registers ST(i) op= ST0 and pop, FCOMPP */
	[6] = {
		ARITH_M("fi", "", W, XF_I16),
		/* C0 */ ST8("faddp", op_x87_arith_sti, XA_ADD | XS_POP),
		/* C8 */ ST8("fmulp", op_x87_arith_sti, XA_MUL | XS_POP),
		/* D0 */ ST8("fcomp", op_x87_fcom, XS_POP),
		/* D8 */ BAD,
		XR("fcompp", op_x87_fcom, ST, 0, V, XS_POP2),
		BAD, BAD, BAD, BAD, BAD, BAD,
		/* E0 */ ST8("fsubrp", op_x87_arith_sti, XA_SUBR | XS_POP),
		/* E8 */ ST8("fsubp", op_x87_arith_sti, XA_SUB | XS_POP),
		/* F0 */ ST8("fdivrp", op_x87_arith_sti, XA_DIVR | XS_POP),
		/* F8 */ ST8("fdivp", op_x87_arith_sti, XA_DIV | XS_POP),
	},
	/* DF: m16int/m64int/BCD loads and stores; FFREEP, FNSTSW AX,
	 * F(U)COMIP */
	[7] = {
		XR("fild", op_x87_fld_m, M, 0, W, XF_I16),
		INV("fisttp"),
		XR("fist", op_x87_fst_m, M, 0, W, XF_I16),
		XR("fistp", op_x87_fst_m, M, 0, W, XF_I16 | XS_POP),
		XR("fbld", op_x87_fld_m, M, 0, Q, XF_BCD),
		XR("fild", op_x87_fld_m, M, 0, Q, XF_I64),
		XR("fbstp", op_x87_fst_m, M, 0, Q, XF_BCD | XS_POP),
		XR("fistp", op_x87_fst_m, M, 0, Q, XF_I64 | XS_POP),
		/* C0 */ ST8("ffreep", op_x87_ffree, XS_POP),
		/* C8 */ ST8("fxch", op_x87_fxch, 0),
		/* D0 */ ST8("fstp", op_x87_fst_st, XS_POP),
		/* D8 */ ST8("fstp", op_x87_fst_st, XS_POP),
		/* E0 */ XR("fnstsw", op_x87_fnstsw_ax, A, 0, W, 0),
		BAD, BAD, BAD, BAD, BAD, BAD, BAD,
		/* E8 */ FCOMI8("fucomip", XS_UNORD | XS_POP),
		/* F0 */ FCOMI8("fcomip", XS_POP),
		/* F8 */ X8(BAD),
	},
};
/* clang-format on */
