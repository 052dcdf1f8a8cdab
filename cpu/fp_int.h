/*
 * cpu/fp_int.h — helpers shared by the SSE/SSE2 files (ops_sse*.c,
 * sse_host.c) and the x87 files (ops_x87*.c, x87_host.c). Only those
 * include it.
 *
 * Floating point is computed on the host's own SSE and x87 units under the
 * guest's MXCSR / control word (the host is x86-64), so rounding, DAZ/FTZ,
 * precision control, NaN propagation and exception flags are the
 * hardware's. The host's own MXCSR and control word are restored before
 * any other host code runs (sse_host.c, x87_host.c).
 */
#ifndef HVSIM_CPU_FP_INT_H_
#define HVSIM_CPU_FP_INT_H_

#include <emmintrin.h>

#include "cpu/cpu_int.h"

/*
 * MXCSR (SDM Vol. 1 §10.2.3)
 *   15  14:13 12 11 10  9  8  7   6   5  4  3  2  1  0
 *  FTZ   RC   PM UM OM ZM DM IM DAZ  PE UE OE ZE DE IE
 */
#define MXCSR_IE	 (1u << 0)
#define MXCSR_DE	 (1u << 1)
#define MXCSR_ZE	 (1u << 2)
#define MXCSR_OE	 (1u << 3)
#define MXCSR_UE	 (1u << 4)
#define MXCSR_PE	 (1u << 5)
#define MXCSR_FLAGS	 0x3Fu
#define MXCSR_DAZ	 (1u << 6)
#define MXCSR_MASKS	 (0x3Fu << 7)
#define MXCSR_UM	 (1u << 11)
#define MXCSR_FTZ	 (1u << 15)
#define MXCSR_MASK_VALID 0xFFFFu /* MXCSR_MASK: every bit 15:0 writable */

/* ---- SSE (ops_sse.c) --------------------------------------------------- */

/* #UD if CR0.EM=1 or CR4.OSFXSR=0, #NM if CR0.TS=1 (SDM Vol. 3A §13.1.3
 * and each instruction's exception list). Every F_SSE handler starts here. */
void sse_check(struct cpu *c);
/* Read the W operand: the XMM register d->rm, or `n` bytes of memory into
 * the low bytes of *out (the rest zeroed). `aligned`: a misaligned 16-byte
 * memory operand raises #GP(0). */
void sse_read_w(struct cpu *c, const struct dinsn *d, union xmm *out, int n,
		bool aligned);
/* Store `n` low bytes of *v to the memory operand (mod != 3). */
void sse_write_m(struct cpu *c, const struct dinsn *d, const union xmm *v,
		 int n, bool aligned);

static inline __m128i xmm_get(const union xmm *x)
{
	return _mm_loadu_si128((const __m128i *)x);
}
static inline void xmm_put(union xmm *x, __m128i v)
{
	_mm_storeu_si128((__m128i *)x, v);
}

/* Host MXCSR bracket (sse_host.c): load the guest's MXCSR with every
 * exception masked (and FTZ off when underflow is unmasked, where FTZ has
 * no effect) and the flags clear; return the host's MXCSR to restore. */
uint32_t sse_host_enter(uint32_t guest_mxcsr);
/* Restore the host MXCSR; return the flags the guest operation raised. */
uint32_t sse_host_leave(uint32_t saved);
/* The flags one element leaves in MXCSR when an unmasked exception stops
 * the instruction (SDM Vol. 1 §11.5.4); `flags` as the masked run raised
 * them. Without an unmasked one, `flags` itself. */
uint32_t sse_element_flags(const struct cpu *c, uint32_t flags);
/* OR the flags into MXCSR; if one is unmasked raise #XM
 * (CR4.OSXMMEXCPT=1) or #UD before the destination is written. */
void sse_commit_flags(struct cpu *c, uint32_t flags);

/* ---- x87 (ops_x87.c) ---------------------------------------------------
 * FSW (SDM Vol. 1 §8.1.3)
 *   15  14  13:11 10  9  8  7  6  5  4  3  2  1  0
 *    B  C3   TOP  C2 C1 C0 ES SF PE UE OE ZE DE IE
 * FCW: 5:0 exception masks, 9:8 PC, 11:10 RC, 12 X.
 */
#define FSW_IE	(1u << 0)
#define FSW_DE	(1u << 1)
#define FSW_ZE	(1u << 2)
#define FSW_OE	(1u << 3)
#define FSW_UE	(1u << 4)
#define FSW_PE	(1u << 5)
#define FSW_SF	(1u << 6)
#define FSW_ES	(1u << 7)
#define FSW_C0	(1u << 8)
#define FSW_C1	(1u << 9)
#define FSW_C2	(1u << 10)
#define FSW_TOP (7u << 11)
#define FSW_C3	(1u << 14)
#define FSW_B	(1u << 15)
#define FSW_CC	(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define FSW_EXC 0x3Fu

enum x87_tag { TAG_VALID, TAG_ZERO, TAG_SPECIAL, TAG_EMPTY };

/* Kinds of x87 instruction for x87_enter. */
enum x87_kind {
	XK_DATA,   /* waiting, non-control: #MF check; FIP/FOP/FDP noted */
	XK_CTRL,   /* waiting control (FLDCW, FLDENV, FRSTOR): #MF check */
	XK_NOWAIT, /* FNINIT, FNCLEX, FNSTCW, FNSTSW, FNSTENV, FNSAVE */
};

/* #NM if CR0.EM or CR0.TS; #MF if a waiting instruction finds FSW.ES set
 * (an unmasked exception is pending). CR0.NE=0 (FERR#) is treated as NE=1. */
void x87_enter(struct cpu *c, enum x87_kind k);
/* Record FIP, FOP (and FDP for memory forms) of a non-control instruction
 * that completed. */
void x87_note(struct cpu *c, const struct dinsn *d);

static inline int x87_phys(const struct cpu *c, int i)
{
	return (c->fpu.top + i) & 7;
}
static inline unsigned x87_tag_phys(const struct cpu *c, int p)
{
	return (c->fpu.ftw >> (2 * p)) & 3;
}
static inline bool x87_empty(const struct cpu *c, int i)
{
	return x87_tag_phys(c, x87_phys(c, i)) == TAG_EMPTY;
}
static inline long double x87_get(const struct cpu *c, int i)
{
	return c->fpu.st[x87_phys(c, i)];
}
unsigned x87_tag_of(long double v);
void x87_set(struct cpu *c, int i, long double v); /* ST(i) = v, tagged */
void x87_set_tag_phys(struct cpu *c, int p, unsigned tag);
void x87_pop(struct cpu *c);
void x87_push(struct cpu *c, long double v);
long double x87_indefinite(void);
/* FSW with TOP, and back (TOP, and the rest into fpu.fsw). */
uint16_t x87_get_fsw(const struct cpu *c);
void x87_put_fsw(struct cpu *c, uint16_t fsw);
/* Recompute ES and B from the flags and masks (after FLDCW, FLDENV...). */
void x87_update_es(struct cpu *c);
/* Stack fault: IE|SF, C1 = overflow. Returns true when IE is masked (the
 * caller applies the masked response), false when it is now pending. */
bool x87_stack_fault(struct cpu *c, bool overflow);
/* May the destination be written after an operation whose host status is
 * `sw`? Not after an unmasked IE, DE or ZE, and for a memory destination
 * not after an unmasked OE or UE either (SDM Vol. 1 §8.5). Pure. */
bool x87_ok(const struct cpu *c, uint16_t sw, bool mem_dest);
/* Merge host status `sw` (exception flags and C1) into FSW, setting ES/B
 * for unmasked flags. */
void x87_merge(struct cpu *c, uint16_t sw);
/* The same, taking all of C0..C3 from `sw`: for operations computed on the
 * host from the guest's codes (x87_host.c), whose untouched codes come back
 * as they were. */
void x87_merge_cc(struct cpu *c, uint16_t sw);
/* Set C0..C3 to those of `cc` (FSW bit positions). */
void x87_set_cc(struct cpu *c, uint16_t cc);
/* Bytes of each memory format (enum x87_fmt). */
extern const uint8_t x87_fmt_size[7];
/* Tags of the full tag word for all 8 registers, from their contents. */
uint16_t x87_full_ftw(const struct cpu *c);

#endif
