/*
 * cpu/ops_sse_fp.c — SSE/SSE2 floating point: arithmetic, MIN/MAX, SQRT,
 * RCP/RSQRT, CMPcc, (U)COMIS, and every conversion.
 *
 * Spec: Intel SDM Vol. 2 (each instruction), Vol. 1 §11.5 (SIMD FP
 * exceptions), §4.9.1.5 (underflow: with UM=1 the flag needs a tiny and
 * inexact result, with UM=0 the exception needs only a tiny one), §4.8.3.7
 * / Table 4-7 (QNaN rules), §11.5.2.1 (integer indefinite on invalid
 * conversions).
 *
 * Every operation runs as the same instruction on the host SSE unit under
 * the guest's MXCSR (sse_host.c), on register copies of the operands; the
 * flags it raised then go through sse_commit_flags, which raises #XM/#UD
 * for unmasked ones before the destination is written (vector_flags works
 * out which flags the hardware leaves then). Scalar forms with a
 * memory operand read only 4 or 8 bytes (the row's size), which go into
 * the low lane of a zeroed temporary: the host instruction reads only that
 * lane of its source.
 */
#include <string.h>

#include "cpu/fp_int.h"
#include "cpu/ops_fp.h"
#include "cpu/sse_host.h"

#define XMM(r) (&c->xmm[(r)&15])

static bool f32_tiny(uint32_t v)
{
	return (v & 0x7F800000u) == 0 && (v & 0x007FFFFFu) != 0;
}

static bool f64_tiny(uint64_t v)
{
	return (v & 0x7FF0000000000000ull) == 0 &&
	       (v & 0x000FFFFFFFFFFFFFull) != 0;
}

/* With UM=0, a tiny result is an underflow even when exact; the host run
 * (UM masked) flags only inexact ones. A denormal result lane is tiny. */
static uint32_t unmasked_tiny(const struct cpu *c, unsigned tiny, __m128i r)
{
	union xmm v;
	int n32 = 0, n64 = 0;

	if ((c->mxcsr & MXCSR_UM) || tiny == TINY_NONE)
		return 0;
	xmm_put(&v, r);
	switch (tiny) {
	case TINY_PS:
		n32 = 4;
		break;
	case TINY_PS2:
		n32 = 2;
		break;
	case TINY_SS:
		n32 = 1;
		break;
	case TINY_PD:
		n64 = 2;
		break;
	default:
		n64 = 1;
		break;
	}
	for (int i = 0; i < n32; i++)
		if (f32_tiny(v.d[i]))
			return MXCSR_UE;
	for (int i = 0; i < n64; i++)
		if (f64_tiny(v.q[i]))
			return MXCSR_UE;
	return 0;
}

/* Run fn(a, b) on the host under the guest's MXCSR; *flags gets the flags
 * raised, with UE for an exact tiny result when UM=0. */
static __m128i run_kernel(struct cpu *c, sse_kernel fn, unsigned tiny,
			  __m128i a, __m128i b, uint32_t *flags)
{
	uint32_t host = sse_host_enter(c->mxcsr);
	__m128i r = fn(a, b);
	*flags = sse_host_leave(host);
	*flags |= unmasked_tiny(c, tiny, r);
	return r;
}

/* Every element of v made a copy of element k (of `lane` bytes). */
static __m128i broadcast(__m128i v, unsigned lane, unsigned k)
{
	union xmm x, y;

	xmm_put(&x, v);
	for (unsigned i = 0; i < 16; i += lane)
		memcpy(y.b + i, x.b + lane * k, lane);
	return xmm_get(&y);
}

/* ---- PE with an unmasked overflow or underflow --------------------------
 * The hardware then reports PE when the result, rounded to the
 * destination's precision with an unbounded exponent, is inexact (the
 * host's masked run rounds the denormalised or overflowed value instead).
 * Powers of two change no rounding, so exactness is decided on integer
 * significands: value = m * 2^e. */

struct elem {
	uint64_t m;
	int e;
	bool neg;
};

/* An element's significand and exponent (DAZ applied); false for NaN and
 * infinity (which overflow and underflow never involve). */
static bool split_elem(uint64_t bits, unsigned lane, bool daz, struct elem *x)
{
	unsigned mbits = lane == 4 ? 23 : 52, ebits = lane == 4 ? 8 : 11;
	int bias = lane == 4 ? 127 : 1023;
	uint64_t frac = bits & ((1ull << mbits) - 1);
	unsigned exp = (unsigned)(bits >> mbits) & ((1u << ebits) - 1);

	if (exp == (1u << ebits) - 1)
		return false;
	x->neg = (bits >> (lane * 8 - 1)) & 1;
	x->m = exp ? frac | 1ull << mbits : daz ? 0 : frac;
	x->e = (exp ? (int)exp : 1) - bias - (int)mbits;
	return true;
}

/* Significant bits of v once its trailing zeros are dropped. */
static unsigned sig_bits(unsigned __int128 v)
{
	unsigned n = 0;

	if (!v)
		return 0;
	while (!(v & 1))
		v >>= 1;
	for (; v; v >>= 1)
		n++;
	return n;
}

static bool inexact_sum(const struct elem *x, const struct elem *y, bool sub,
			unsigned bits)
{
	if (!x->m || !y->m)
		return false;
	int lo = x->e < y->e ? x->e : y->e,
	    span = (x->e > y->e ? x->e : y->e) - lo;
	if (span > 64) /* the bits of the two lie too far apart for one */
		return true;
	unsigned __int128 a = (unsigned __int128)x->m << (x->e - lo);
	unsigned __int128 b = (unsigned __int128)y->m << (y->e - lo);
	bool minus = x->neg ^ y->neg ^ sub;
	return sig_bits(minus ? (a > b ? a - b : b - a) : a + b) > bits;
}

static bool inexact_unbounded(const struct cpu *c, unsigned cls, unsigned lane,
			      uint64_t xb, uint64_t yb)
{
	bool daz = c->mxcsr & MXCSR_DAZ;
	unsigned bits = (cls == OPC_NARROW || lane == 4) ? 24 : 53;
	struct elem x, y;

	if (!split_elem(yb, lane, daz, &y))
		return false;
	if (cls == OPC_NARROW) /* one source: the destination is not read */
		return sig_bits(y.m) > bits;
	if (!split_elem(xb, lane, daz, &x))
		return false;
	switch (cls) {
	case OPC_MUL:
		return sig_bits((unsigned __int128)x.m * y.m) > bits;
	case OPC_DIV: {
		uint64_t odd = y.m;
		if (!x.m || !odd)
			return false;
		while (!(odd & 1))
			odd >>= 1;
		return x.m % odd || sig_bits(x.m / odd) > bits;
	}
	default:
		return inexact_sum(&x, &y, cls == OPC_SUB, bits);
	}
}

/* Element e of v as raw bits. */
static uint64_t elem_bits(__m128i v, unsigned lane, unsigned e)
{
	union xmm x;

	xmm_put(&x, v);
	return lane == 4 ? x.d[e] : x.q[e];
}

/* One element's flags, PE corrected for an unmasked OE/UE. */
static uint32_t element(const struct cpu *c, const struct sse_fp_kernel *k,
			__m128i a, __m128i b, unsigned e, uint32_t f)
{
	if (f & ~(c->mxcsr >> 7) & (MXCSR_OE | MXCSR_UE)) {
		f &= ~MXCSR_PE;
		if (inexact_unbounded(c, k->cls, k->lane,
				      elem_bits(a, k->lane, e),
				      elem_bits(b, k->lane, e)))
			f |= MXCSR_PE;
	}
	return f;
}

/*
 * The flags an instruction leaves. Without an unmasked exception, those of
 * the whole operation. With one (SDM Vol. 1 §11.5.4), each element is
 * judged alone (rerun with that element in every lane): if an element has
 * an unmasked pre-computation exception, only the pre-computation flags of
 * all elements are set; otherwise each element's flags.
 */
static uint32_t vector_flags(struct cpu *c, const struct sse_fp_kernel *k,
			     __m128i a, __m128i b, uint32_t flags)
{
	const uint32_t pre_bits = MXCSR_IE | MXCSR_DE | MXCSR_ZE;
	uint32_t masks = c->mxcsr >> 7, pre = 0, post = 0;
	bool stop_pre = false;

	if (!(flags & ~masks & MXCSR_FLAGS) || !k->lane)
		return flags;
	for (unsigned e = 0; e < k->elems; e++) {
		uint32_t f = flags;
		if (k->elems > 1)
			run_kernel(c, k->fn, k->tiny, broadcast(a, k->lane, e),
				   broadcast(b, k->lane, e), &f);
		f = element(c, k, a, b, e, f);
		pre |= f & pre_bits;
		stop_pre |= (f & pre_bits & ~masks) != 0;
		post |= f;
	}
	return stop_pre ? pre : post;
}

/* V = V op W; sub = enum sse_fp_op, memory size = osize. */
void op_sse_fp(struct cpu *c, const struct dinsn *d)
{
	union xmm s;
	unsigned op = d->op->sub;
	uint32_t flags;

	sse_check(c);
	if (op >= SF_COUNT || !sse_fp_kernels[op].fn)
		cpu_unimplemented(c, d);
	sse_read_w(c, d, &s, d->osize, true);
	union xmm *x = XMM(d->reg);
	const struct sse_fp_kernel *k = &sse_fp_kernels[op];
	__m128i a = xmm_get(x), b = xmm_get(&s);
	__m128i r = run_kernel(c, k->fn, k->tiny, a, b, &flags);
	sse_commit_flags(c, vector_flags(c, k, a, b, flags));
	xmm_put(x, r);
}

/* CMPPS/PD/SS/SD V, W, imm8: predicate imm8[2:0] (bits 7:3 ignored by the
 * legacy encoding); sub = enum sse_kind. */
void op_sse_cmp(struct cpu *c, const struct dinsn *d)
{
	static const uint8_t mem_size[4] = {16, 16, 4, 8};
	static const uint8_t lane[4] = {4, 8, 4, 8}, elems[4] = {4, 2, 1, 1};
	union xmm s;
	unsigned kind = d->op->sub & 3;
	uint32_t flags;

	sse_check(c);
	sse_read_w(c, d, &s, mem_size[kind], true);
	union xmm *x = XMM(d->reg);
	struct sse_fp_kernel k = {sse_cmp_kernels[kind][d->imm & 7], TINY_NONE,
				  lane[kind], elems[kind], OPC_OTHER};
	__m128i a = xmm_get(x), b = xmm_get(&s);
	__m128i r = run_kernel(c, k.fn, TINY_NONE, a, b, &flags);
	sse_commit_flags(c, vector_flags(c, &k, a, b, flags));
	xmm_put(x, r);
}

/* (U)COMISS/SD V, W: ZF/PF/CF from the comparison, OF/SF/AF cleared. */
void op_sse_comi(struct cpu *c, const struct dinsn *d)
{
	union xmm s;
	unsigned sub = d->op->sub & 3;

	sse_check(c);
	sse_read_w(c, d, &s, sub >= 2 ? 8 : 4, false);
	uint32_t host = sse_host_enter(c->mxcsr);
	uint64_t fl = sse_comi_kernels[sub](xmm_get(XMM(d->reg)), xmm_get(&s));
	sse_commit_flags(c, sse_element_flags(c, sse_host_leave(host)));
	cpu_set_rflags(c, fl, RF_ARITH);
}

/* CVTSI2SS/SD xmm, r/m32/64 (REX.W gives osize 8). */
void op_sse_cvt_si2f(struct cpu *c, const struct dinsn *d)
{
	sse_check(c);
	uint64_t v = rm_read(c, d, d->osize);
	union xmm *x = XMM(d->reg);
	uint32_t host = sse_host_enter(c->mxcsr);
	__m128i r = sse_cvt_si2f(d->op->sub & 1, d->osize, xmm_get(x), v);
	sse_commit_flags(c, sse_element_flags(c, sse_host_leave(host)));
	xmm_put(x, r);
}

/* CVT(T)SS2SI / CVT(T)SD2SI r32/64, xmm/m: invalid or out of range gives
 * the integer indefinite (the host's answer) with IE. */
void op_sse_cvt_f2si(struct cpu *c, const struct dinsn *d)
{
	union xmm s;
	int sub = d->op->sub & 3;

	sse_check(c);
	sse_read_w(c, d, &s, (sub & 1) ? 8 : 4, false);
	uint32_t host = sse_host_enter(c->mxcsr);
	uint64_t r = sse_cvt_f2si(sub, d->osize, xmm_get(&s));
	sse_commit_flags(c, sse_element_flags(c, sse_host_leave(host)));
	gpr_write(c, d->reg & 15, d->osize, true, r);
}
