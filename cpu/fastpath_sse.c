/*
 * cpu/fastpath_sse.c — fast runners for the SSE/SSE2 data moves: the
 * 128-bit MOVAPS/MOVAPD/MOVDQA and MOVUPS/MOVUPD/MOVDQU (both directions)
 * and the scalar MOVSS/MOVSD.
 *
 * Spec: Intel SDM Vol. 2 MOVAPS, MOVUPS, MOVDQA, MOVDQU, MOVSS, MOVSD;
 * Vol. 3A §13.1 (#UD/#NM gates). ops_sse_mov.c's handlers stay the
 * reference. A runner goes generic, and the handler raises, whenever
 * SSE is unusable (CR0.EM, CR0.TS, !CR4.OSFXSR), a 16-byte-aligned form
 * sees a misaligned address (#GP(0)) or the access misses the TLB; none
 * touches MXCSR (moves raise no SIMD exception).
 */
#include <string.h>

#include "cpu/fastpath_int.h"

/* sse_check() would not raise. */
static inline bool sse_usable(const struct cpu *c)
{
	return !(c->cr0 & (CR0_EM | CR0_TS)) && (c->cr4 & CR4_OSFXSR);
}

/* xmm(reg) = xmm(rm): the 128-bit moves between registers, either way
 * round (`to_rm` for the 29/11/7F store forms). */
static inline bool mov128_rr(struct cpu *c, const struct dinsn *d, bool to_rm)
{
	if (!sse_usable(c))
		return exec_generic(c, d);
	if (to_rm)
		c->xmm[d->rm & 15] = c->xmm[d->reg & 15];
	else
		c->xmm[d->reg & 15] = c->xmm[d->rm & 15];
	return true;
}

bool fast_mov128_VW_rr(struct cpu *c, const struct dinsn *d)
{
	return mov128_rr(c, d, false);
}

bool fast_mov128_WV_rr(struct cpu *c, const struct dinsn *d)
{
	return mov128_rr(c, d, true);
}

/* The host address of an n-byte SSE memory operand, or NULL when the
 * generic handler must run (SSE unusable, misaligned, TLB miss). */
static inline uint8_t *sse_operand(struct cpu *c, const struct dinsn *d, int n,
				   bool aligned, bool write)
{
	if (!sse_usable(c))
		return NULL;
	uint64_t lin = fast_ea(c, d);
	if (aligned && (lin & 15))
		return NULL;
	return write ? fast_host_write(c, lin, n) : fast_host_read(c, lin, n);
}

/* xmm = m128 (aligned for MOVAPS/MOVAPD/MOVDQA). */
static inline bool load128(struct cpu *c, const struct dinsn *d, bool aligned)
{
	const uint8_t *p = sse_operand(c, d, 16, aligned, false);
	if (!p)
		return exec_generic(c, d);
	memcpy(&c->xmm[d->reg & 15], p, 16);
	return true;
}

/* m128 = xmm. */
static inline bool store128(struct cpu *c, const struct dinsn *d, bool aligned)
{
	uint8_t *p = sse_operand(c, d, 16, aligned, true);
	if (!p)
		return exec_generic(c, d);
	memcpy(p, &c->xmm[d->reg & 15], 16);
	return true;
}

bool fast_mova_load(struct cpu *c, const struct dinsn *d)
{
	return load128(c, d, true);
}

bool fast_movu_load(struct cpu *c, const struct dinsn *d)
{
	return load128(c, d, false);
}

bool fast_mova_store(struct cpu *c, const struct dinsn *d)
{
	return store128(c, d, true);
}

bool fast_movu_store(struct cpu *c, const struct dinsn *d)
{
	return store128(c, d, false);
}

/* Copy the low 4 or 8 bytes (MOVSS, MOVSD): constant-size copies, which
 * compile to one load and one store. */
static inline void copy_scalar(void *dst, const void *src, int n)
{
	if (n == 8)
		memcpy(dst, src, 8);
	else
		memcpy(dst, src, 4);
}

/* MOVSS/MOVSD (osize 4/8) between registers: the low element merges. */
bool fast_movs_VW_rr(struct cpu *c, const struct dinsn *d)
{
	if (!sse_usable(c))
		return exec_generic(c, d);
	copy_scalar(&c->xmm[d->reg & 15], &c->xmm[d->rm & 15], d->osize);
	return true;
}

bool fast_movs_WV_rr(struct cpu *c, const struct dinsn *d)
{
	if (!sse_usable(c))
		return exec_generic(c, d);
	copy_scalar(&c->xmm[d->rm & 15], &c->xmm[d->reg & 15], d->osize);
	return true;
}

/* MOVSS/MOVSD xmm, m32/m64: the load zero-extends to 128 bits. */
bool fast_movs_load(struct cpu *c, const struct dinsn *d)
{
	const uint8_t *p = sse_operand(c, d, d->osize, false, false);
	if (!p)
		return exec_generic(c, d);
	union xmm v = {0};
	copy_scalar(&v, p, d->osize);
	c->xmm[d->reg & 15] = v;
	return true;
}

/* MOVSS/MOVSD m32/m64, xmm. */
bool fast_movs_store(struct cpu *c, const struct dinsn *d)
{
	uint8_t *p = sse_operand(c, d, d->osize, false, true);
	if (!p)
		return exec_generic(c, d);
	copy_scalar(p, &c->xmm[d->reg & 15], d->osize);
	return true;
}
