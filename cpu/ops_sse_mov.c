/*
 * cpu/ops_sse_mov.c — SSE/SSE2 data movement: full, scalar, half and
 * GPR moves, mask extraction, MASKMOVDQU, shuffles, PINSRW/PEXTRW.
 *
 * Spec: Intel SDM Vol. 2A/2B MOVAPS/MOVAPD/MOVDQA (aligned), MOVUPS/
 * MOVUPD/MOVDQU (unaligned), MOVSS/MOVSD (a load zero-extends, a
 * register move merges the low element), MOVLPS/MOVHPS/MOVLPD/MOVHPD/
 * MOVHLPS/MOVLHPS, MOVQ, MOVD/MOVQ, MOVNTPS/MOVNTPD/MOVNTDQ, PMOVMSKB,
 * MOVMSKPS/PD, MASKMOVDQU, PSHUFD/PSHUFHW/PSHUFLW, SHUFPS/SHUFPD,
 * PINSRW, PEXTRW. None of these raise SIMD floating-point exceptions.
 *
 * Invariants: every handler passes sse_check first; memory is read (or
 * probed) before a register or memory destination changes.
 */
#include <string.h>

#include "cpu/fp_int.h"
#include "cpu/ops_fp.h"

#define XMM(r) (&c->xmm[(r)&15])

void op_sse_mova_VW(struct cpu *c, const struct dinsn *d)
{
	union xmm v;

	sse_check(c);
	sse_read_w(c, d, &v, 16, true);
	*XMM(d->reg) = v;
}

void op_sse_movu_VW(struct cpu *c, const struct dinsn *d)
{
	union xmm v;

	sse_check(c);
	sse_read_w(c, d, &v, 16, false);
	*XMM(d->reg) = v;
}

static void store_full(struct cpu *c, const struct dinsn *d, bool aligned)
{
	union xmm v = *XMM(d->reg);

	sse_check(c);
	if (d->mod == 3)
		*XMM(d->rm) = v;
	else
		sse_write_m(c, d, &v, 16, aligned);
}

void op_sse_mova_WV(struct cpu *c, const struct dinsn *d)
{
	store_full(c, d, true);
}

void op_sse_movu_WV(struct cpu *c, const struct dinsn *d)
{
	store_full(c, d, false);
}

/* MOVSS/MOVSD xmm, xmm/m: osize 4 or 8. */
void op_sse_movs_VW(struct cpu *c, const struct dinsn *d)
{
	union xmm v;
	int n = d->osize;

	sse_check(c);
	sse_read_w(c, d, &v, n, false);
	if (d->mod == 3)
		memcpy(XMM(d->reg), &v, (size_t)n); /* merge */
	else
		*XMM(d->reg) = v; /* zero-extended load */
}

void op_sse_movs_WV(struct cpu *c, const struct dinsn *d)
{
	union xmm v = *XMM(d->reg);

	sse_check(c);
	if (d->mod == 3)
		memcpy(XMM(d->rm), &v, d->osize);
	else
		sse_write_m(c, d, &v, d->osize, false);
}

/* F3 0F 7E: MOVQ xmm, xmm/m64 — the upper qword is zeroed. */
void op_sse_movq_VW(struct cpu *c, const struct dinsn *d)
{
	union xmm v;

	sse_check(c);
	sse_read_w(c, d, &v, 8, false);
	v.q[1] = 0;
	*XMM(d->reg) = v;
}

/* 66 0F D6: MOVQ xmm/m64, xmm — a register destination is zero-extended. */
void op_sse_movq_WV(struct cpu *c, const struct dinsn *d)
{
	union xmm v = *XMM(d->reg);

	sse_check(c);
	v.q[1] = 0;
	if (d->mod == 3)
		*XMM(d->rm) = v;
	else
		sse_write_m(c, d, &v, 8, false);
}

/* 66 [REX.W] 0F 6E: MOVD/MOVQ xmm, r/m32/64 (zero-extended). */
void op_sse_movd_VE(struct cpu *c, const struct dinsn *d)
{
	sse_check(c);
	uint64_t v = rm_read(c, d, d->osize);
	union xmm x = {.q = {v, 0}};
	*XMM(d->reg) = x;
}

/* 66 [REX.W] 0F 7E: MOVD/MOVQ r/m32/64, xmm. */
void op_sse_movd_EV(struct cpu *c, const struct dinsn *d)
{
	sse_check(c);
	rm_write(c, d, d->osize, XMM(d->reg)->q[0] & size_mask(d->osize));
}

/* The half moves: see MH_* in ops_fp.h. */
void op_sse_movhalf(struct cpu *c, const struct dinsn *d)
{
	int dst_half = d->op->sub & MH_DST_HI ? 1 : 0;
	int src_half = d->op->sub & MH_SRC_HI ? 1 : 0;
	union xmm *x = XMM(d->reg);

	sse_check(c);
	if (d->op->sub & MH_STORE) {
		union xmm v = {.q = {x->q[dst_half], 0}};
		sse_write_m(c, d, &v, 8, false);
		return;
	}
	if (d->mod == 3) {
		x->q[dst_half] = XMM(d->rm)->q[src_half];
		return;
	}
	union xmm v;
	sse_read_w(c, d, &v, 8, false);
	x->q[dst_half] = v.q[0];
}

/* PMOVMSKB (sub 0), MOVMSKPS (1), MOVMSKPD (2): the sign bits into G,
 * zero-extended to 64 bits. */
void op_sse_movmsk(struct cpu *c, const struct dinsn *d)
{
	const union xmm *x = XMM(d->rm);
	uint64_t m = 0;

	sse_check(c);
	if (d->op->sub == 0)
		m = (uint32_t)_mm_movemask_epi8(xmm_get(x));
	else if (d->op->sub == 1)
		for (int i = 0; i < 4; i++)
			m |= (uint64_t)(x->d[i] >> 31) << i;
	else
		for (int i = 0; i < 2; i++)
			m |= (x->q[i] >> 63) << i;
	c->gpr[d->reg & 15] = m;
}

/* MASKMOVDQU xmm1, xmm2: bytes of xmm1 whose xmm2 byte has bit 7 set go
 * to DS:rDI (segment overridable), rDI of the address size. Every selected
 * byte is probed before the first is written. */
void op_sse_maskmov(struct cpu *c, const struct dinsn *d)
{
	const union xmm *v = XMM(d->reg), *mask = XMM(d->rm);
	uint64_t base = c->gpr[RDI] & size_mask(d->asize);

	sse_check(c);
	for (int i = 0; i < 16; i++)
		if (mask->b[i] & 0x80)
			cpu_probe_write(
			    c, d->seg,
			    (base + (uint64_t)i) & size_mask(d->asize), 1);
	for (int i = 0; i < 16; i++)
		if (mask->b[i] & 0x80)
			cpu_write(c, d->seg,
				  (base + (uint64_t)i) & size_mask(d->asize), 1,
				  v->b[i]);
}

/* PSHUFD (sub 0), PSHUFHW (1), PSHUFLW (2) xmm, xmm/m128, imm8. */
void op_sse_pshuf(struct cpu *c, const struct dinsn *d)
{
	union xmm s, r;
	unsigned imm = (unsigned)d->imm & 0xFF;

	sse_check(c);
	sse_read_w(c, d, &s, 16, true);
	r = s;
	if (d->op->sub == 0) {
		for (int i = 0; i < 4; i++)
			r.d[i] = s.d[(imm >> (2 * i)) & 3];
	} else {
		int half = d->op->sub == 1 ? 4 : 0;
		for (int i = 0; i < 4; i++)
			r.w[half + i] = s.w[half + ((imm >> (2 * i)) & 3)];
	}
	*XMM(d->reg) = r;
}

/* SHUFPS (sub 0): low two from the destination, high two from the source;
 * SHUFPD (sub 1): low from the destination, high from the source. */
void op_sse_shufp(struct cpu *c, const struct dinsn *d)
{
	union xmm s, r;
	const union xmm *x = XMM(d->reg);
	unsigned imm = (unsigned)d->imm & 0xFF;

	sse_check(c);
	sse_read_w(c, d, &s, 16, true);
	if (d->op->sub == 0) {
		r.d[0] = x->d[imm & 3];
		r.d[1] = x->d[(imm >> 2) & 3];
		r.d[2] = s.d[(imm >> 4) & 3];
		r.d[3] = s.d[(imm >> 6) & 3];
	} else {
		r.q[0] = x->q[imm & 1];
		r.q[1] = s.q[(imm >> 1) & 1];
	}
	*XMM(d->reg) = r;
}

/* PINSRW xmm, r32/m16, imm8: word imm[2:0]. */
void op_sse_pinsrw(struct cpu *c, const struct dinsn *d)
{
	sse_check(c);
	uint16_t w = (uint16_t)rm_read(c, d, 2);
	XMM(d->reg)->w[d->imm & 7] = w;
}

/* PEXTRW r32/r64, xmm, imm8: zero-extended. */
void op_sse_pextrw(struct cpu *c, const struct dinsn *d)
{
	sse_check(c);
	c->gpr[d->reg & 15] = XMM(d->rm)->w[d->imm & 7];
}
