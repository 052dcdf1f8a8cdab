/*
 * cpu/x87_host.c — x87 arithmetic run on the host's own x87 unit.
 *
 * Every operation is one asm block: save the host control word, load the
 * guest's (precision, rounding and exception masks as the guest set them)
 * and condition codes with FLDENV,
 * load the operands, run the same instruction the guest runs, read the
 * status word, FNCLEX, store the results, FNINIT and restore the host
 * control word. With the guest's own masks the host produces the guest's
 * responses exactly (masked: the default result; unmasked OE/UE: the
 * exponent-adjusted result; unmasked IE/DE/ZE: the destination untouched);
 * an unmasked exception only becomes pending on the host, and FNCLEX clears
 * it before any waiting instruction could trap. FNINIT leaves the host
 * register stack empty whatever the operation pushed or popped.
 *
 * Spec: Intel SDM Vol. 1 §8.5 (x87 exception handling), Vol. 2 (each
 * instruction). Invariants: no host x87 state survives a call; each block
 * clobbers the whole register stack, so the compiler keeps no long double
 * there across it. x86-64 hosts only.
 */
#include "cpu/x87_host.h"
#include "cpu/fp_int.h"

#define X87_BEGIN  "fnstcw %[save]\n\tfldenv %[env]\n\t"
#define X87_STATUS "\n\tfnstsw %[sw]\n\tfnclex\n\t"
#define X87_END	   "fninit\n\tfldcw %[save]"
#define X87_CLOB                                                               \
	"st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)",   \
	    "memory"

/*
 * The state a kernel starts from, loaded with FLDENV (28-byte protected-
 * mode format): the guest's control word and condition codes, no exception
 * flags (nothing pending), every register empty. With the guest's C0-C3 in
 * place, codes an instruction leaves alone come back unchanged, as on the
 * hardware.
 */
struct env28 {
	uint32_t cw, sw, tw, ip, op, dp, ds;
};

static struct env28 env_of(const struct fpu *f)
{
	return (struct env28){.cw = 0xFFFF0000u | f->fcw,
			      .sw = 0xFFFF0000u | (f->fsw & FSW_CC),
			      .tw = 0xFFFFFFFFu};
}

/* clang-format off */
/* 10 bytes of guest memory operand, as an asm memory input/output. */
typedef struct {
	uint8_t b[10];
} mem80;

/* ST0 = a, ST1 = b, then `insn %st(1), %st` (ST0 = ST0 op ST1). */
#define RR(insn)                                                              \
	__asm__ volatile(X87_BEGIN "fldt %[b]\n\tfldt %[a]\n\t" insn          \
				   " %%st(1), %%st" X87_STATUS "fstpt %[a]\n\t" \
				   X87_END                                    \
			 : [a] "+m"(*a), [sw] "=m"(sw), [save] "=m"(save)    \
			 : [env] "m"(env), [b] "m"(b)                          \
			 : X87_CLOB)

uint16_t x87h_arith(const struct fpu *f, int aop, long double *a, long double b)
{
	uint16_t sw = 0, save;
	struct env28 env = env_of(f);

	switch (aop) {
	case XA_ADD: RR("fadd"); break;
	case XA_MUL: RR("fmul"); break;
	case XA_SUB: RR("fsub"); break;
	case XA_SUBR: RR("fsubr"); break;
	case XA_DIV: RR("fdiv"); break;
	default: RR("fdivr"); break;
	}
	return sw;
}

/* ST0 = a, then `insn m` (ST0 = ST0 op m). */
#define RM(insn)                                                              \
	__asm__ volatile(X87_BEGIN "fldt %[a]\n\t" insn " %[m]" X87_STATUS    \
				   "fstpt %[a]\n\t" X87_END                   \
			 : [a] "+m"(*a), [sw] "=m"(sw), [save] "=m"(save)    \
			 : [env] "m"(env), [m] "m"(*(const mem80 *)m)          \
			 : X87_CLOB)
#define RM4(op)                                                               \
	switch (fmt) {                                                        \
	case XF_F32: RM("f" op "s"); break;                                   \
	case XF_F64: RM("f" op "l"); break;                                   \
	case XF_I16: RM("fi" op "s"); break;                                  \
	default: RM("fi" op "l"); break;                                      \
	}

uint16_t x87h_arith_m(const struct fpu *f, int aop, int fmt, long double *a,
		      const void *m)
{
	uint16_t sw = 0, save;
	struct env28 env = env_of(f);

	switch (aop) {
	case XA_ADD: RM4("add"); break;
	case XA_MUL: RM4("mul"); break;
	case XA_SUB: RM4("sub"); break;
	case XA_SUBR: RM4("subr"); break;
	case XA_DIV: RM4("div"); break;
	default: RM4("divr"); break;
	}
	return sw;
}

/* Status-only operations on ST0 = a (and ST1 = b). */
#define CMP_RR(insn)                                                          \
	__asm__ volatile(X87_BEGIN "fldt %[b]\n\tfldt %[a]\n\t" insn          \
				   " %%st(1)" X87_STATUS X87_END              \
			 : [sw] "=m"(sw), [save] "=m"(save)                  \
			 : [env] "m"(env), [a] "m"(a), [b] "m"(b)              \
			 : X87_CLOB)
#define CMP_RM(insn)                                                          \
	__asm__ volatile(X87_BEGIN "fldt %[a]\n\t" insn " %[m]" X87_STATUS    \
				   X87_END                                    \
			 : [sw] "=m"(sw), [save] "=m"(save)                  \
			 : [env] "m"(env), [a] "m"(a), [m] "m"(*(const mem80 *)m) \
			 : X87_CLOB)

uint16_t x87h_com(const struct fpu *f, bool unord, long double a, long double b)
{
	uint16_t sw = 0, save;
	struct env28 env = env_of(f);

	if (unord)
		CMP_RR("fucom");
	else
		CMP_RR("fcom");
	return sw;
}

uint16_t x87h_com_m(const struct fpu *f, int fmt, long double a, const void *m)
{
	uint16_t sw = 0, save;
	struct env28 env = env_of(f);

	switch (fmt) {
	case XF_F32: CMP_RM("fcoms"); break;
	case XF_F64: CMP_RM("fcoml"); break;
	case XF_I16: CMP_RM("ficoms"); break;
	default: CMP_RM("ficoml"); break;
	}
	return sw;
}

uint16_t x87h_ftst(const struct fpu *f, long double a)
{
	uint16_t sw = 0, save;
	struct env28 env = env_of(f);

	__asm__ volatile(X87_BEGIN "fldt %[a]\n\tftst" X87_STATUS X87_END
			 : [sw] "=m"(sw), [save] "=m"(save)
			 : [env] "m"(env), [a] "m"(a)
			 : X87_CLOB);
	return sw;
}

#define LOAD(insn)                                                            \
	__asm__ volatile(X87_BEGIN insn " %[m]" X87_STATUS "fstpt %[r]\n\t"   \
				 X87_END                                      \
			 : [r] "=m"(*out), [sw] "=m"(sw), [save] "=m"(save)  \
			 : [env] "m"(env), [m] "m"(*(const mem80 *)m)          \
			 : X87_CLOB)

uint16_t x87h_load(const struct fpu *f, int fmt, const void *m, long double *out)
{
	uint16_t sw = 0, save;
	struct env28 env = env_of(f);

	*out = 0;
	switch (fmt) {
	case XF_F32: LOAD("flds"); break;
	case XF_F64: LOAD("fldl"); break;
	default: LOAD("fbld"); break;
	}
	return sw;
}

#define STORE(insn)                                                           \
	__asm__ volatile(X87_BEGIN "fldt %[a]\n\t" insn " %[m]" X87_STATUS    \
				   X87_END                                    \
			 : [m] "=m"(*(mem80 *)m), [sw] "=m"(sw),             \
			   [save] "=m"(save)                                  \
			 : [env] "m"(env), [a] "m"(a)                          \
			 : X87_CLOB)

uint16_t x87h_store(const struct fpu *f, int fmt, long double a, void *m)
{
	uint16_t sw = 0, save;
	struct env28 env = env_of(f);

	switch (fmt) {
	case XF_F32: STORE("fsts"); break;
	case XF_F64: STORE("fstl"); break;
	case XF_I16: STORE("fists"); break;
	case XF_I32: STORE("fistl"); break;
	case XF_I64: STORE("fistpll"); break;
	default: STORE("fbstp"); break;
	}
	return sw;
}

#define CONST(insn)                                                           \
	__asm__ volatile(X87_BEGIN insn X87_STATUS "fstpt %[r]\n\t" X87_END   \
			 : [r] "=m"(*out), [sw] "=m"(sw), [save] "=m"(save)  \
			 : [env] "m"(env)                                      \
			 : X87_CLOB)

uint16_t x87h_const(const struct fpu *f, int which, long double *out)
{
	uint16_t sw = 0, save;
	struct env28 env = env_of(f);

	switch (which) {
	case 0: CONST("fld1"); break;
	case 1: CONST("fldl2t"); break;
	case 2: CONST("fldl2e"); break;
	case 3: CONST("fldpi"); break;
	case 4: CONST("fldlg2"); break;
	case 5: CONST("fldln2"); break;
	default: CONST("fldz"); break;
	}
	return sw;
}

/* ST0 = *a, ST1 = *b; `insn`; then *a = ST0 and, when `two`, *b = ST1. */
#define MATH(insn, two)                                                       \
	__asm__ volatile(X87_BEGIN "fldt %[b]\n\tfldt %[a]\n\t" insn          \
				   X87_STATUS "fstpt %[a]\n\t"                \
				   "fstpt %[b]\n\t" X87_END                   \
			 : [a] "+m"(*a), [b] "+m"(*b), [sw] "=m"(sw),        \
			   [save] "=m"(save)                                  \
			 : [env] "m"(env)                                      \
			 : X87_CLOB)

/* Whatever the operation leaves in the host's ST0/ST1 comes back in *a and
 * *b; for a one-result operation *b is then the register below (an input
 * or, after a pop, an empty register's value) and must not be used. */
uint16_t x87h_math(const struct fpu *f, int op, long double *a, long double *b)
{
	uint16_t sw = 0, save;
	struct env28 env = env_of(f);

	switch (op) {
	case XM_FSQRT: MATH("fsqrt", 0); break;
	case XM_FRNDINT: MATH("frndint", 0); break;
	case XM_F2XM1: MATH("f2xm1", 0); break;
	case XM_FSIN: MATH("fsin", 0); break;
	case XM_FCOS: MATH("fcos", 0); break;
	case XM_FSCALE: MATH("fscale", 0); break;
	case XM_FPREM: MATH("fprem", 0); break;
	case XM_FPREM1: MATH("fprem1", 0); break;
	case XM_FPATAN: MATH("fpatan", 0); break;
	case XM_FYL2X: MATH("fyl2x", 0); break;
	case XM_FYL2XP1: MATH("fyl2xp1", 0); break;
	case XM_FXTRACT: MATH("fxtract", 1); break;
	case XM_FPTAN: MATH("fptan", 1); break;
	default: MATH("fsincos", 1); break;
	}
	return sw;
}
/* clang-format on */
