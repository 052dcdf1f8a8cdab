/*
 * cpu/sse_host.c — SSE/SSE2 floating point run on the host's own SSE unit.
 *
 * Each kernel is one host instruction, the same as the guest's, applied to
 * register copies of the guest operands. sse_host_enter() loads the guest's
 * MXCSR (rounding, DAZ, FTZ) with every exception masked and the flags
 * clear; sse_host_leave() reads the flags the instruction raised and puts
 * the host's MXCSR back. Results, NaN propagation, denormal handling and
 * flags are therefore the hardware's (SDM Vol. 1 §11.5, §4.8.3.5).
 *
 * Invariants: nothing but the kernel runs between enter and leave (every
 * statement is a volatile asm, which the compiler keeps in order); the
 * host MXCSR is always restored. x86-64 hosts only.
 */
#include "cpu/sse_host.h"
#include "cpu/fp_int.h"

uint32_t sse_host_enter(uint32_t guest)
{
	uint32_t host, run = (guest & ~MXCSR_FLAGS) | MXCSR_MASKS;

	/* FTZ only acts while underflow is masked (SDM Vol. 1 §10.2.3.3);
	 * with UM=0 the guest needs the unflushed result to see tininess. */
	if (!(guest & MXCSR_UM))
		run &= ~MXCSR_FTZ;
	__asm__ volatile("stmxcsr %0" : "=m"(host) : : "memory");
	__asm__ volatile("ldmxcsr %0" : : "m"(run) : "memory");
	return host;
}

uint32_t sse_host_leave(uint32_t saved)
{
	uint32_t after;

	__asm__ volatile("stmxcsr %0" : "=m"(after) : : "memory");
	__asm__ volatile("ldmxcsr %0" : : "m"(saved) : "memory");
	return after & MXCSR_FLAGS;
}

/* dst = dst op src, one host instruction. */
#define KERNEL(name, insn)                                                     \
	static __m128i name(__m128i a, __m128i b)                              \
	{                                                                      \
		__asm__ volatile(insn " %1, %0" : "+x"(a) : "x"(b));           \
		return a;                                                      \
	}

/* clang-format off */
KERNEL(k_addps, "addps") KERNEL(k_addpd, "addpd")
KERNEL(k_addss, "addss") KERNEL(k_addsd, "addsd")
KERNEL(k_subps, "subps") KERNEL(k_subpd, "subpd")
KERNEL(k_subss, "subss") KERNEL(k_subsd, "subsd")
KERNEL(k_mulps, "mulps") KERNEL(k_mulpd, "mulpd")
KERNEL(k_mulss, "mulss") KERNEL(k_mulsd, "mulsd")
KERNEL(k_divps, "divps") KERNEL(k_divpd, "divpd")
KERNEL(k_divss, "divss") KERNEL(k_divsd, "divsd")
KERNEL(k_minps, "minps") KERNEL(k_minpd, "minpd")
KERNEL(k_minss, "minss") KERNEL(k_minsd, "minsd")
KERNEL(k_maxps, "maxps") KERNEL(k_maxpd, "maxpd")
KERNEL(k_maxss, "maxss") KERNEL(k_maxsd, "maxsd")
KERNEL(k_sqrtps, "sqrtps") KERNEL(k_sqrtpd, "sqrtpd")
KERNEL(k_sqrtss, "sqrtss") KERNEL(k_sqrtsd, "sqrtsd")
KERNEL(k_rsqrtps, "rsqrtps") KERNEL(k_rsqrtss, "rsqrtss")
KERNEL(k_rcpps, "rcpps") KERNEL(k_rcpss, "rcpss")
KERNEL(k_cvtps2pd, "cvtps2pd") KERNEL(k_cvtpd2ps, "cvtpd2ps")
KERNEL(k_cvtss2sd, "cvtss2sd") KERNEL(k_cvtsd2ss, "cvtsd2ss")
KERNEL(k_cvtdq2ps, "cvtdq2ps") KERNEL(k_cvtps2dq, "cvtps2dq")
KERNEL(k_cvttps2dq, "cvttps2dq") KERNEL(k_cvtdq2pd, "cvtdq2pd")
KERNEL(k_cvtpd2dq, "cvtpd2dq") KERNEL(k_cvttpd2dq, "cvttpd2dq")

/* CVTPI2PS xmm, m64: the two converted floats replace the low half only
 * (the upper lanes of the m64 temporary are zero, so they raise nothing). */
static __m128i k_cvtpi2ps(__m128i a, __m128i b)
{
	__asm__ volatile("cvtdq2ps %0, %0" : "+x"(b));
	return _mm_castpd_si128(
		_mm_move_sd(_mm_castsi128_pd(a), _mm_castsi128_pd(b)));
}

/* Lanes that can hold a tiny (denormal) result (for UE with UM=0), and
 * the element size of the sources (for the per-element exception rule). */
const struct sse_fp_kernel sse_fp_kernels[SF_COUNT] = {
	/* kernel, tiny lanes, element bytes, elements, class */
	[SF_ADDPS] = {k_addps, TINY_PS, 4, 4, OPC_ADD},
	[SF_ADDPD] = {k_addpd, TINY_PD, 8, 2, OPC_ADD},
	[SF_ADDSS] = {k_addss, TINY_SS, 4, 1, OPC_ADD},
	[SF_ADDSD] = {k_addsd, TINY_SD, 8, 1, OPC_ADD},
	[SF_SUBPS] = {k_subps, TINY_PS, 4, 4, OPC_SUB},
	[SF_SUBPD] = {k_subpd, TINY_PD, 8, 2, OPC_SUB},
	[SF_SUBSS] = {k_subss, TINY_SS, 4, 1, OPC_SUB},
	[SF_SUBSD] = {k_subsd, TINY_SD, 8, 1, OPC_SUB},
	[SF_MULPS] = {k_mulps, TINY_PS, 4, 4, OPC_MUL},
	[SF_MULPD] = {k_mulpd, TINY_PD, 8, 2, OPC_MUL},
	[SF_MULSS] = {k_mulss, TINY_SS, 4, 1, OPC_MUL},
	[SF_MULSD] = {k_mulsd, TINY_SD, 8, 1, OPC_MUL},
	[SF_DIVPS] = {k_divps, TINY_PS, 4, 4, OPC_DIV},
	[SF_DIVPD] = {k_divpd, TINY_PD, 8, 2, OPC_DIV},
	[SF_DIVSS] = {k_divss, TINY_SS, 4, 1, OPC_DIV},
	[SF_DIVSD] = {k_divsd, TINY_SD, 8, 1, OPC_DIV},
	[SF_MINPS] = {k_minps, TINY_NONE, 4, 4, OPC_OTHER},
	[SF_MINPD] = {k_minpd, TINY_NONE, 8, 2, OPC_OTHER},
	[SF_MINSS] = {k_minss, TINY_NONE, 4, 1, OPC_OTHER},
	[SF_MINSD] = {k_minsd, TINY_NONE, 8, 1, OPC_OTHER},
	[SF_MAXPS] = {k_maxps, TINY_NONE, 4, 4, OPC_OTHER},
	[SF_MAXPD] = {k_maxpd, TINY_NONE, 8, 2, OPC_OTHER},
	[SF_MAXSS] = {k_maxss, TINY_NONE, 4, 1, OPC_OTHER},
	[SF_MAXSD] = {k_maxsd, TINY_NONE, 8, 1, OPC_OTHER},
	[SF_SQRTPS] = {k_sqrtps, TINY_NONE, 4, 4, OPC_OTHER},
	[SF_SQRTPD] = {k_sqrtpd, TINY_NONE, 8, 2, OPC_OTHER},
	[SF_SQRTSS] = {k_sqrtss, TINY_NONE, 4, 1, OPC_OTHER},
	[SF_SQRTSD] = {k_sqrtsd, TINY_NONE, 8, 1, OPC_OTHER},
	[SF_RSQRTPS] = {k_rsqrtps, TINY_NONE, 0, 0, OPC_OTHER},
	[SF_RSQRTSS] = {k_rsqrtss, TINY_NONE, 0, 0, OPC_OTHER},
	[SF_RCPPS] = {k_rcpps, TINY_NONE, 0, 0, OPC_OTHER},
	[SF_RCPSS] = {k_rcpss, TINY_NONE, 0, 0, OPC_OTHER},
	[SF_CVTPS2PD] = {k_cvtps2pd, TINY_NONE, 4, 2, OPC_OTHER},
	[SF_CVTPD2PS] = {k_cvtpd2ps, TINY_PS2, 8, 2, OPC_NARROW},
	[SF_CVTSS2SD] = {k_cvtss2sd, TINY_NONE, 4, 1, OPC_OTHER},
	[SF_CVTSD2SS] = {k_cvtsd2ss, TINY_SS, 8, 1, OPC_NARROW},
	[SF_CVTDQ2PS] = {k_cvtdq2ps, TINY_NONE, 4, 4, OPC_OTHER},
	[SF_CVTPS2DQ] = {k_cvtps2dq, TINY_NONE, 4, 4, OPC_OTHER},
	[SF_CVTTPS2DQ] = {k_cvttps2dq, TINY_NONE, 4, 4, OPC_OTHER},
	[SF_CVTDQ2PD] = {k_cvtdq2pd, TINY_NONE, 0, 0, OPC_OTHER},
	[SF_CVTPD2DQ] = {k_cvtpd2dq, TINY_NONE, 8, 2, OPC_OTHER},
	[SF_CVTTPD2DQ] = {k_cvttpd2dq, TINY_NONE, 8, 2, OPC_OTHER},
	[SF_CVTPI2PS] = {k_cvtpi2ps, TINY_NONE, 4, 2, OPC_OTHER},
};

/* CMPccPS/PD/SS/SD: the predicate is an immediate of the instruction, so
 * there is one kernel per (kind, predicate). */
#define CMP8(kind)                                                          \
	KERNEL(k_cmp##kind##0, "cmpeq" #kind)                              \
	KERNEL(k_cmp##kind##1, "cmplt" #kind)                              \
	KERNEL(k_cmp##kind##2, "cmple" #kind)                              \
	KERNEL(k_cmp##kind##3, "cmpunord" #kind)                           \
	KERNEL(k_cmp##kind##4, "cmpneq" #kind)                             \
	KERNEL(k_cmp##kind##5, "cmpnlt" #kind)                             \
	KERNEL(k_cmp##kind##6, "cmpnle" #kind)                             \
	KERNEL(k_cmp##kind##7, "cmpord" #kind)
#define CMP8_ROW(kind)                                                      \
	{k_cmp##kind##0, k_cmp##kind##1, k_cmp##kind##2, k_cmp##kind##3,   \
	 k_cmp##kind##4, k_cmp##kind##5, k_cmp##kind##6, k_cmp##kind##7}

CMP8(ps) CMP8(pd) CMP8(ss) CMP8(sd)

const sse_kernel sse_cmp_kernels[4][8] = {
	[SK_PS] = CMP8_ROW(ps), [SK_PD] = CMP8_ROW(pd),
	[SK_SS] = CMP8_ROW(ss), [SK_SD] = CMP8_ROW(sd),
};

/* (U)COMISS/SD: ZF, PF, CF as the host sets them. */
#define COMI(name, insn)                                                    \
	static uint64_t name(__m128i a, __m128i b)                         \
	{                                                                   \
		bool z, p, cf;                                              \
		__asm__ volatile(insn " %3, %4"                             \
				 : "=@ccz"(z), "=@ccp"(p), "=@ccc"(cf)      \
				 : "x"(b), "x"(a));                         \
		return (z ? RF_ZF : 0) | (p ? RF_PF : 0) | (cf ? RF_CF : 0); \
	}
COMI(k_ucomiss, "ucomiss") COMI(k_comiss, "comiss")
COMI(k_ucomisd, "ucomisd") COMI(k_comisd, "comisd")

const sse_comi_kernel sse_comi_kernels[4] = {
	k_ucomiss, k_comiss, k_ucomisd, k_comisd,
};

__m128i sse_cvt_si2f(int to_double, int size, __m128i a, uint64_t v)
{
	int32_t v32 = (int32_t)v;

	if (to_double && size == 8)
		__asm__ volatile("cvtsi2sdq %1, %0" : "+x"(a) : "r"(v));
	else if (to_double)
		__asm__ volatile("cvtsi2sdl %1, %0" : "+x"(a) : "r"(v32));
	else if (size == 8)
		__asm__ volatile("cvtsi2ssq %1, %0" : "+x"(a) : "r"(v));
	else
		__asm__ volatile("cvtsi2ssl %1, %0" : "+x"(a) : "r"(v32));
	return a;
}

/* CVT(T)SS2SI / CVT(T)SD2SI: sub bit 0 double, bit 1 truncate. */
uint64_t sse_cvt_f2si(int sub, int size, __m128i a)
{
	uint64_t r = 0;
	uint32_t r32 = 0;

	switch (sub | (size == 8 ? 4 : 0)) {
	case 0: __asm__ volatile("cvtss2si %1, %0" : "=r"(r32) : "x"(a)); break;
	case 1: __asm__ volatile("cvtsd2si %1, %0" : "=r"(r32) : "x"(a)); break;
	case 2: __asm__ volatile("cvttss2si %1, %0" : "=r"(r32) : "x"(a)); break;
	case 3: __asm__ volatile("cvttsd2si %1, %0" : "=r"(r32) : "x"(a)); break;
	case 4: __asm__ volatile("cvtss2si %1, %0" : "=r"(r) : "x"(a)); break;
	case 5: __asm__ volatile("cvtsd2si %1, %0" : "=r"(r) : "x"(a)); break;
	case 6: __asm__ volatile("cvttss2si %1, %0" : "=r"(r) : "x"(a)); break;
	default: __asm__ volatile("cvttsd2si %1, %0" : "=r"(r) : "x"(a)); break;
	}
	return size == 8 ? r : r32;
}
/* clang-format on */
