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
 * for unmasked ones before the destination is written. Scalar forms with a
 * memory operand read only 4 or 8 bytes (the row's size), which go into
 * the low lane of a zeroed temporary: the host instruction reads only that
 * lane of its source.
 */
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

/* V = V op W; sub = enum sse_fp_op, memory size = osize. */
void op_sse_fp(struct cpu *c, const struct dinsn *d)
{
	union xmm s;
	unsigned op = d->op->sub;

	sse_check(c);
	if (op >= SF_COUNT || !sse_fp_kernels[op].fn)
		cpu_unimplemented(c, d);
	sse_read_w(c, d, &s, d->osize, true);
	union xmm *x = XMM(d->reg);
	const struct sse_fp_kernel *k = &sse_fp_kernels[op];
	uint32_t host = sse_host_enter(c->mxcsr);
	__m128i r = k->fn(xmm_get(x), xmm_get(&s));
	uint32_t flags = sse_host_leave(host);
	flags |= unmasked_tiny(c, k->tiny, r);
	sse_commit_flags(c, flags);
	xmm_put(x, r);
}

/* CMPPS/PD/SS/SD V, W, imm8: predicate imm8[2:0] (bits 7:3 ignored by the
 * legacy encoding); sub = enum sse_kind. */
void op_sse_cmp(struct cpu *c, const struct dinsn *d)
{
	static const int mem_size[4] = {16, 16, 4, 8};
	union xmm s;
	unsigned kind = d->op->sub & 3;

	sse_check(c);
	sse_read_w(c, d, &s, mem_size[kind], true);
	union xmm *x = XMM(d->reg);
	sse_kernel k = sse_cmp_kernels[kind][d->imm & 7];
	uint32_t host = sse_host_enter(c->mxcsr);
	__m128i r = k(xmm_get(x), xmm_get(&s));
	sse_commit_flags(c, sse_host_leave(host));
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
	sse_commit_flags(c, sse_host_leave(host));
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
	sse_commit_flags(c, sse_host_leave(host));
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
	sse_commit_flags(c, sse_host_leave(host));
	gpr_write(c, d->reg & 15, d->osize, true, r);
}
