/*
 * tests/unit/cpu/fp_fixture.h — what the SSE and x87 unit tests share: one
 * fixture machine per test, running literal code that ends in HLT and
 * checking that it halted there or took a given exception.
 */
#ifndef HVSIM_TESTS_FP_FIXTURE_H_
#define HVSIM_TESTS_FP_FIXTURE_H_

#include <criterion/criterion.h>
#include <string.h>

#include "tests/common/fixture.h"

static struct fx *fx;

static inline void setup64(void)
{
	fx = fx_new(FX_LONG64);
}
static inline void teardown(void)
{
	fx_free(fx);
}

#define CPU    (fx->cpu)
#define REG(r) (fx->cpu->gpr[r])

/* Run code ending in HLT and require that it halted there, no exception. */
static inline void run_ok(const uint8_t *code, size_t len)
{
	struct cpu_exit ex = fx_exec(fx, code, len);

	cr_assert_eq(ex.reason, CPU_EXIT_HLT, "exit reason %d", ex.reason);
	cr_assert_eq(fx_vector(fx), -1, "took exception %d", fx_vector(fx));
	cr_assert_eq(CPU->rip, FX_CODE + len, "rip %#llx",
		     (unsigned long long)CPU->rip);
}

/* Run code and require exception `vec` raised at code offset `at` (with
 * error code 0 for the vectors that push one). */
static inline void run_fault(const uint8_t *code, size_t len, int vec,
			     size_t at)
{
	fx_exec(fx, code, len);
	cr_assert_eq(fx_vector(fx), vec, "vector %d, want %d", fx_vector(fx),
		     vec);
	int rip_slot = cpu_exc_has_errcode(vec) ? 1 : 0;
	cr_assert_eq(fx_stack_qword(fx, rip_slot), FX_CODE + at);
	if (rip_slot)
		cr_assert_eq(fx_stack_qword(fx, 0), 0, "error code");
}

#define RUN(code)	     run_ok(code, sizeof(code))
#define FAULT(code, vec, at) run_fault(code, sizeof(code), vec, at)

static inline void poke_w(uint64_t gpa, uint16_t v)
{
	fx_poke(fx, gpa, &v, 2);
}
static inline void poke_i32(uint64_t gpa, int32_t v)
{
	fx_poke(fx, gpa, &v, 4);
}
static inline void poke_f(uint64_t gpa, float v)
{
	fx_poke(fx, gpa, &v, 4);
}
static inline void poke_d(uint64_t gpa, double v)
{
	fx_poke(fx, gpa, &v, 8);
}
static inline void poke_q(uint64_t gpa, uint64_t lo, uint64_t hi)
{
	uint64_t v[2] = {lo, hi};
	fx_poke(fx, gpa, v, sizeof(v));
}

/* ---- XMM registers ---------------------------------------------------- */

#define X(i) (fx->cpu->xmm[i])

static inline void set_q(int r, uint64_t lo, uint64_t hi)
{
	X(r).q[0] = lo;
	X(r).q[1] = hi;
}

static inline void set_d(int r, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	X(r).d[0] = a;
	X(r).d[1] = b;
	X(r).d[2] = c;
	X(r).d[3] = d;
}

static inline void set_f(int r, float a, float b, float c, float d)
{
	X(r).f[0] = a;
	X(r).f[1] = b;
	X(r).f[2] = c;
	X(r).f[3] = d;
}

static inline void set_pd(int r, double a, double b)
{
	X(r).fd[0] = a;
	X(r).fd[1] = b;
}

#define ASSERT_Q(r, lo, hi)                                                    \
	do {                                                                   \
		cr_assert_eq(X(r).q[0], (uint64_t)(lo), "xmm%d.q0 %#llx", r,   \
			     (unsigned long long)X(r).q[0]);                   \
		cr_assert_eq(X(r).q[1], (uint64_t)(hi), "xmm%d.q1 %#llx", r,   \
			     (unsigned long long)X(r).q[1]);                   \
	} while (0)

/* ---- x87 registers ---------------------------------------------------- */

/* FSW bits (SDM Vol. 1 §8.1.3). */
#define S_IE 0x0001u
#define S_DE 0x0002u
#define S_ZE 0x0004u
#define S_OE 0x0008u
#define S_UE 0x0010u
#define S_PE 0x0020u
#define S_SF 0x0040u
#define S_ES 0x0080u
#define S_C0 0x0100u
#define S_C1 0x0200u
#define S_C2 0x0400u
#define S_C3 0x4000u
#define S_B  0x8000u
#define S_CC (S_C0 | S_C1 | S_C2 | S_C3)

/* ST(i), its tag, and the status word with TOP. */
static inline long double st(int i)
{
	return CPU->fpu.st[(CPU->fpu.top + i) & 7];
}

static inline unsigned tag(int i)
{
	return (CPU->fpu.ftw >> (2 * ((CPU->fpu.top + i) & 7))) & 3;
}

static inline uint16_t fsw(void)
{
	return (uint16_t)((CPU->fpu.fsw & ~0x3800u) | CPU->fpu.top << 11);
}

/* The 80-bit encoding: significand, then sign and exponent. */
static inline uint64_t man_of(long double v)
{
	uint64_t m;
	memcpy(&m, &v, 8);
	return m;
}

static inline uint16_t se_of(long double v)
{
	uint8_t b[16];
	uint16_t se;
	memcpy(b, &v, sizeof(b));
	memcpy(&se, b + 8, 2);
	return se;
}

#define ASSERT_F80(v, se, man)                                                 \
	do {                                                                   \
		long double v_ = (v);                                          \
		cr_assert_eq(se_of(v_), (se), "sign/exponent %#x", se_of(v_)); \
		cr_assert_eq(man_of(v_), (uint64_t)(man), "significand %#llx", \
			     (unsigned long long)man_of(v_));                  \
	} while (0)

#define INDEF_SE  0xFFFF
#define INDEF_MAN 0xC000000000000000ull

#endif
