/*
 * examples/guests/compat_mb_sse.c — SSE/SSE2 code as GCC writes it for
 * ordinary C (built with SSE allowed, unlike the rest of the kernel): a
 * square root, a division and truncation, a dependent chain of divisions
 * and additions, a single-precision division, and integer vector
 * arithmetic (GCC vector extension: PADDD, PSLLD, PXOR). Inputs are read
 * through volatile so nothing is folded at compile time; the expected
 * values (compat_mb_long.c) are IEEE 754 results, the same on any x86-64.
 * Interrupts are off and the runtime's handlers never touch XMM state, so
 * nothing clobbers the registers this code uses.
 */
#include "compat_mb.h"

typedef int32_t v4si __attribute__((vector_size(16)));

static uint64_t bits_of(double d)
{
	union {
		double d;
		uint64_t u;
	} v = {.d = d};
	return v.u;
}

static uint32_t bits_of_float(float f)
{
	union {
		float f;
		uint32_t u;
	} v = {.f = f};
	return v.u;
}

void compat_sse_selftest(uint64_t out[SSE_RESULTS])
{
	static volatile double two = 2.0, big = 1e10, three = 3.0;
	static volatile float one_f = 1.0f, three_f = 3.0f;
	static volatile int32_t lanes[8] = {1, 2, 3, 4, 10, 20, 30, 40};
	volatile int n = 100;
	double h = 0.0;
	v4si a = {lanes[0], lanes[1], lanes[2], lanes[3]};
	v4si b = {lanes[4], lanes[5], lanes[6], lanes[7]};
	v4si c = ((a + b) << 1) ^ a;

	for (int i = 1; i <= n; i++)
		h += 1.0 / (double)i;
	out[SSE_SQRT2_BITS] = bits_of(__builtin_sqrt(two));
	out[SSE_DIV_TRUNC] = (uint64_t)(int64_t)(big / three);
	out[SSE_HARMONIC_BITS] = bits_of(h);
	out[SSE_FLOAT_THIRD] = bits_of_float(one_f / three_f);
	out[SSE_VECTOR_SUM] = (uint64_t)(int64_t)(c[0] + c[1] + c[2] + c[3]);
}
