/*
 * cpu/ops_sse.c — what every SSE/SSE2 instruction shares: the CR0/CR4
 * gate, XMM/memory operand access with the 16-byte alignment rule, and the
 * SIMD floating-point exception rule; plus LDMXCSR/STMXCSR and the fences.
 *
 * Spec: Intel SDM Vol. 3A §13.1.3 (CR0.EM/TS, CR4.OSFXSR/OSXMMEXCPT),
 * Vol. 1 §11.5 (SIMD floating-point exceptions: masked flags vs #XM),
 * Vol. 1 §10.2.3 (MXCSR), Vol. 2A §2.4 / each instruction (alignment:
 * legacy-SSE 16-byte memory operands must be 16-byte aligned, else
 * #GP(0), except the explicitly unaligned forms), Vol. 2B LDMXCSR,
 * STMXCSR, LFENCE/MFENCE/SFENCE.
 *
 * Invariants: operands are read (and may fault) before anything is
 * written; an unmasked SIMD exception sets its MXCSR flags and raises
 * without writing the destination.
 */
#include <string.h>

#include "cpu/fp_int.h"
#include "cpu/mem.h"
#include "cpu/ops.h"

void sse_check(struct cpu *c)
{
	if ((c->cr0 & CR0_EM) || !(c->cr4 & CR4_OSFXSR))
		cpu_raise_ud(c);
	if (c->cr0 & CR0_TS)
		cpu_raise(c, EXC_NM, 0);
}

/* Alignment is a property of the linear address; in 64-bit mode only FS
 * and GS have a base. */
static void check_align16(struct cpu *c, const struct dinsn *d, uint64_t off)
{
	uint64_t base = c->seg[d->seg].base;

	if (c->mode == MODE_LONG64 && d->seg != SEG_FS && d->seg != SEG_GS)
		base = 0;
	if ((base + off) & 15)
		cpu_raise_gp0(c);
}

/* 4/8/16-byte operands: the TLB hit inline in 64-bit mode (the page of
 * the last byte must match, so a page-crossing access takes mem.c's slow
 * path, as do MMIO and writes to code pages). */
static void load_bytes(struct cpu *c, int seg, uint64_t off, void *dst, int n)
{
	if (c->mode == MODE_LONG64) {
		uint64_t lin = mem_lin64(c, seg, off);
		const struct tlb_entry *e = mem_tlb_slot(c, lin);
		if (e->tag_read == ((lin + (uint64_t)n - 1) & PAGE_MASK)) {
			memcpy(dst, (const void *)(uintptr_t)(lin + e->addend),
			       (size_t)n);
			return;
		}
	}
	cpu_read_bytes(c, seg, off, dst, n);
}

static void store_bytes(struct cpu *c, int seg, uint64_t off, const void *src,
			int n)
{
	if (c->mode == MODE_LONG64) {
		uint64_t lin = mem_lin64(c, seg, off);
		const struct tlb_entry *e = mem_tlb_slot(c, lin);
		if (e->tag_write == ((lin + (uint64_t)n - 1) & PAGE_MASK)) {
			memcpy((void *)(uintptr_t)(lin + e->addend), src,
			       (size_t)n);
			return;
		}
	}
	cpu_write_bytes(c, seg, off, src, n);
}

void sse_read_w(struct cpu *c, const struct dinsn *d, union xmm *out, int n,
		bool aligned)
{
	if (d->mod == 3) {
		*out = c->xmm[d->rm & 15];
		return;
	}
	uint64_t off = cpu_ea(c, d);
	if (aligned && n == 16)
		check_align16(c, d, off);
	if (n < 16)
		memset(out, 0, sizeof(*out));
	load_bytes(c, d->seg, off, out, n);
}

void sse_write_m(struct cpu *c, const struct dinsn *d, const union xmm *v,
		 int n, bool aligned)
{
	uint64_t off = cpu_ea(c, d);

	if (aligned && n == 16)
		check_align16(c, d, off);
	store_bytes(c, d->seg, off, v, n);
}

/*
 * SDM Vol. 1 §11.5.4, for one element: when an unmasked pre-computation
 * exception (IE, DE, ZE) is found, only the pre-computation flags are set,
 * and no post-computation ones.
 */
uint32_t sse_element_flags(const struct cpu *c, uint32_t flags)
{
	uint32_t unmasked = flags & ~(c->mxcsr >> 7) & MXCSR_FLAGS;
	uint32_t pre = flags & (MXCSR_IE | MXCSR_DE | MXCSR_ZE);

	return (unmasked & pre) ? pre : flags;
}

void sse_commit_flags(struct cpu *c, uint32_t flags)
{
	uint32_t unmasked = flags & ~(c->mxcsr >> 7) & MXCSR_FLAGS;

	c->mxcsr |= flags;
	if (!unmasked)
		return;
	if (c->cr4 & CR4_OSXMMEXCPT)
		cpu_raise(c, EXC_XM, 0);
	cpu_raise_ud(c);
}

/* 0F AE /2: reserved bits (outside MXCSR_MASK) → #GP(0). Setting a flag
 * whose mask is clear raises nothing now (SIMD exceptions are not
 * deferred). */
void op_ldmxcsr(struct cpu *c, const struct dinsn *d)
{
	sse_check(c);
	uint32_t v = (uint32_t)cpu_read(c, d->seg, cpu_ea(c, d), 4);
	if (v & ~MXCSR_MASK_VALID)
		cpu_raise_gp0(c);
	c->mxcsr = v;
}

/* 0F AE /3 */
void op_stmxcsr(struct cpu *c, const struct dinsn *d)
{
	sse_check(c);
	cpu_write(c, d->seg, cpu_ea(c, d), 4, c->mxcsr);
}

/* The fences order memory; the model's memory is sequentially consistent,
 * so they only cost their cycles (C_SERIALIZE). Not gated by CR0/CR4. */
void op_lfence(struct cpu *c, const struct dinsn *d)
{
	(void)c;
	(void)d;
}

void op_mfence(struct cpu *c, const struct dinsn *d)
{
	(void)c;
	(void)d;
}

void op_sfence(struct cpu *c, const struct dinsn *d)
{
	(void)c;
	(void)d;
}
