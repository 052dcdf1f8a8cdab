/*
 * cpu/flags.h — lazy RFLAGS.
 *
 * An arithmetic instruction does not compute CF/PF/AF/ZF/SF/OF; it records
 * the operation, its size, result and sources in `struct lazy_flags`. The
 * flags are materialised only when something reads them (Jcc, SETcc, PUSHF,
 * ADC, an interrupt...). `cpu->rflags` holds every other bit, and the
 * arithmetic bits too whenever lf.op == LF_NONE.
 */
#ifndef HVSIM_CPU_FLAGS_H_
#define HVSIM_CPU_FLAGS_H_

#include <stdbool.h>
#include <stdint.h>

#include "cpu/regs.h"

struct cpu;

/* Recorded operations. The rules for each are in flags.c. */
enum lf_op {
	LF_NONE,  /* rflags holds the arithmetic bits */
	LF_ADD,   /* res = src1 + src2 */
	LF_ADC,   /* res = src1 + src2 + CF(carry in) */
	LF_SUB,   /* res = src1 - src2 (also CMP, NEG with src1 = 0) */
	LF_SBB,   /* res = src1 - src2 - CF(carry in) */
	LF_LOGIC, /* AND/OR/XOR/TEST: CF=OF=0, AF undefined (we clear it) */
	LF_INC,   /* res = src1 + 1; CF kept in `cf_in` */
	LF_DEC,   /* res = src1 - 1; CF kept in `cf_in` */
	LF_SHL,   /* res = src1 << src2 (src2 = masked count, never 0); AF=0 */
	LF_SHR,   /* res = src1 >> src2, logical (same rules as LF_SHL) */
	LF_SAR,   /* res = src1 >> src2, arithmetic (same rules as LF_SHL) */
	LF_MUL,   /* MUL/IMUL: res = low half, src1 = 1 if the product did not
		   * fit (CF=OF=src1); SF/PF from res, ZF=AF=0 as Intel does */
	LF_NFLAGS_OPS
};

/* The recorded values need not be masked to `size`: flags.c masks them. */
struct lazy_flags {
	uint64_t res, src1, src2;
	uint8_t op;    /* enum lf_op */
	uint8_t size;  /* operand size in bytes */
	uint8_t cf_in; /* carry in (ADC/SBB), or preserved CF (INC/DEC) */
};

/* Record an operation's result for later materialisation. For LF_ADC,
 * LF_SBB, LF_INC and LF_DEC the caller then sets lf->cf_in. */
static inline void lf_record(struct lazy_flags *lf, enum lf_op op, int size,
			     uint64_t res, uint64_t src1, uint64_t src2)
{
	lf->op = (uint8_t)op;
	lf->size = (uint8_t)size;
	lf->res = res;
	lf->src1 = src1;
	lf->src2 = src2;
}

/* Full RFLAGS with the arithmetic bits materialised (and cached). */
uint64_t cpu_get_rflags(struct cpu *c);
/* Replace the bits in `mask` with those of `v` (POPF, SAHF, IRET, shifts
 * that compute flags eagerly). Clears the lazy record. */
void cpu_set_rflags(struct cpu *c, uint64_t v, uint64_t mask);
/* Just CF, cheaply (ADC/SBB/RCL/RCR, INC/DEC recording). */
bool cpu_get_cf(struct cpu *c);
/* Evaluate condition code cc (0..15, the Jcc/SETcc/CMOVcc encoding). */
bool cpu_cond(struct cpu *c, unsigned cc);
/* Parity of the low byte (PF is set for an even number of ones). */
static inline bool parity8(uint64_t v)
{
	return !__builtin_parity((unsigned)(v & 0xFF));
}

/* SF, ZF and PF of a result of `size` bytes (for flags set eagerly). */
static inline uint64_t flags_szp(uint64_t res, int size)
{
	unsigned bits = (unsigned)size * 8;
	uint64_t m = bits >= 64 ? ~0ull : (1ull << bits) - 1;
	res &= m;
	return (res == 0 ? RF_ZF : 0) | ((res >> (bits - 1)) & 1 ? RF_SF : 0) |
	       (parity8(res) ? RF_PF : 0);
}

#endif
