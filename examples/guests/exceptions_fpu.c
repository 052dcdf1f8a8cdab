/*
 * examples/guests/exceptions_fpu.c — #NM, #MF, #XM, and the #UD cases of
 * x87/SSE (Intel SDM Vol. 3A §2.5 CR0.EM/TS/MP/NE and CR4.OSFXSR/
 * OSXMMEXCPT, Table 2-2 "Action taken by x87 FPU instructions for different
 * combinations of EM, MP and TS", Vol. 1 §8.6 x87 exception
 * synchronization, §11.5 SIMD floating-point exceptions).
 *
 * The x87 and SSE instructions appear only inside asm strings: this file
 * is built with -mgeneral-regs-only like the rest, so the compiler itself
 * never touches x87 or XMM state.
 */
#include "exceptions.h"
#include "rt.h"

#define FCW_DEFAULT  0x037F /* all x87 exceptions masked */
#define FCW_ZM       0x0004 /* zero-divide mask */
#define FSW_ZE       0x0004
#define FSW_ES       0x0080
#define MXCSR_DEFAULT 0x1F80
#define MXCSR_ZM     0x0200
#define MXCSR_ZE     0x0004
#define FLOAT_ONE    0x3F800000u

/* FNINIT under TRY: cleanup must not end the run on a CPU without x87. */
static void fpu_reset(void)
{
	catch_reset();
	asm volatile(TRY_BEGIN "fninit" TRY_END : : : TRY_CLOBBERS);
	catch_setup_failed("fninit (cleanup)");
}

static void with_cr0(uint64_t set, uint64_t clear, const char *insn_what,
		     int vec, void (*run)(void))
{
	uint64_t cr0 = read_cr0();

	write_cr0((cr0 | set) & ~clear);
	catch_reset();
	run();
	write_cr0(cr0);
	catch_check(insn_what, vec, 0, AT_FAULT);
	fpu_reset();
}

static void run_fld1(void)
{
	asm volatile(TRY_BEGIN "fld1" TRY_END : : : TRY_CLOBBERS);
}

static void run_fwait(void)
{
	asm volatile(TRY_BEGIN "fwait" TRY_END : : : TRY_CLOBBERS);
}

static void run_addps(void)
{
	asm volatile(TRY_BEGIN "addps %%xmm0, %%xmm0" TRY_END
		     : : : TRY_CLOBBERS);
}

static void test_nm(void)
{
	with_cr0(CR0_TS, 0, "fld1 with CR0.TS=1", 7, run_fld1);
	with_cr0(CR0_TS | CR0_MP, 0, "fwait with CR0.TS=1 and MP=1", 7,
		 run_fwait);
	with_cr0(CR0_TS, 0, "addps with CR0.TS=1", 7, run_addps);
	with_cr0(CR0_EM, CR0_TS, "fld1 with CR0.EM=1", 7, run_fld1);
	with_cr0(CR0_EM, CR0_TS, "addps with CR0.EM=1", 6, run_addps);
}

static void test_osfxsr_off(void)
{
	uint64_t cr4 = read_cr4();

	write_cr4(cr4 & ~CR4_OSFXSR);
	catch_reset();
	run_addps();
	write_cr4(cr4);
	catch_check("addps with CR4.OSFXSR=0", 6, 0, AT_FAULT);
}

/* 1 / 0 with the zero-divide exception unmasked: FIDIV only records it
 * (FSW.ZE, FSW.ES); the next waiting x87 instruction raises #MF. */
static void test_mf(void)
{
	uint16_t fcw = FCW_DEFAULT & ~FCW_ZM, fsw = 0;
	int32_t zero = 0;

	catch_reset();
	asm volatile(TRY_BEGIN "fninit; fldcw %0; fld1; fidivl %1" TRY_END
		     : : "m"(fcw), "m"(zero) : TRY_CLOBBERS);
	if (catch_setup_failed("x87 setup (fninit, fldcw, fld1, fidivl)"))
		return;
	catch_reset();
	asm volatile(TRY_BEGIN "fwait" TRY_END "fnstsw %0"
		     : "=m"(fsw) : : TRY_CLOBBERS);
	catch_check("fwait after an unmasked x87 divide by zero", 16, 0,
		    AT_FAULT);
	report((fsw & (FSW_ZE | FSW_ES)) == (FSW_ZE | FSW_ES),
	       "x87 status word has ZE and ES set");
	fpu_reset();
}

static void test_xm(void)
{
	uint32_t mxcsr = MXCSR_DEFAULT & ~MXCSR_ZM, def = MXCSR_DEFAULT;
	uint32_t one = FLOAT_ONE, after = 0;

	catch_reset();
	asm volatile(TRY_BEGIN "ldmxcsr %0; xorps %%xmm1, %%xmm1; "
		     "movss %1, %%xmm0" TRY_END
		     : : "m"(mxcsr), "m"(one) : TRY_CLOBBERS);
	if (catch_setup_failed("SSE setup (ldmxcsr, xorps, movss)"))
		return;
	catch_reset();
	asm volatile(TRY_BEGIN "divss %%xmm1, %%xmm0" TRY_END
		     : : : TRY_CLOBBERS);
	catch_check("divss by zero with MXCSR.ZM=0", 19, 0, AT_FAULT);
	catch_reset();
	asm volatile(TRY_BEGIN "stmxcsr %0; ldmxcsr %1" TRY_END
		     : "=m"(after) : "m"(def) : TRY_CLOBBERS);
	if (catch_setup_failed("SSE cleanup (stmxcsr, ldmxcsr)"))
		return;
	report(after & MXCSR_ZE, "MXCSR.ZE is set by the divide by zero");
}

void test_fpu(void)
{
	test_nm();
	test_osfxsr_off();
	test_mf();
	test_xm();
}
