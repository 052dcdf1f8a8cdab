/*
 * cpu/ops_muldiv.c — MUL, IMUL (one, two and three operands), DIV, IDIV.
 *
 * Spec: Intel SDM Vol. 2 "MUL", "IMUL", "DIV", "IDIV". The double-width
 * forms use AX (8-bit) or rDX:rAX; products and 128/64 quotients are
 * computed in unsigned __int128, so no host operation can overflow.
 *
 * Invariants: DIV/IDIV raise #DE (before any change) for a zero divisor and
 * for a quotient that does not fit the destination, including
 * INT_MIN / -1. MUL/IMUL set CF = OF = "the result did not fit"; SF and PF
 * follow the low half and ZF = AF = 0 (Intel's choice for these undefined
 * flags, recorded lazily as LF_MUL). DIV/IDIV leave every flag unchanged
 * (all undefined; the Intel host leaves them too).
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

typedef unsigned __int128 u128;

/* Extra cycles on top of the C_DIV class for a divide of 1/2/4/8 bytes:
 * 64-bit dividers are slower on most cores (Agner Fog's instruction
 * tables, Skylake: DIV r32 ~26 cycles, DIV r64 35-88) [U]. Index: log2. */
static const uint8_t div_extra_cycles[4] = {0, 0, 0, 20};

static int log2_size(int size) { return __builtin_ctz((unsigned)size); }

static int64_t sext(uint64_t v, int size)
{
	uint64_t sb = (size_mask(size) >> 1) + 1;
	return (int64_t)(((v & size_mask(size)) ^ sb) - sb);
}

/* Write a double-width result: AH:AL for bytes, else rDX:rAX. */
static void write_pair(struct cpu *c, int size, uint64_t lo, uint64_t hi)
{
	if (size == 1) {
		gpr_write(c, RAX, 2, false, (hi & 0xFF) << 8 | (lo & 0xFF));
		return;
	}
	gpr_write(c, RAX, size, false, lo);
	gpr_write(c, RDX, size, false, hi);
}

void op_mul_E(struct cpu *c, const struct dinsn *d)
{
	int size = d->osize;
	uint64_t m = size_mask(size);
	uint64_t src = rm_read(c, d, size) & m;
	u128 p = (u128)(c->gpr[RAX] & m) * src;
	uint64_t lo = (uint64_t)p & m, hi = (uint64_t)(p >> (size * 8)) & m;
	write_pair(c, size, lo, hi);
	lf_record(&c->lf, LF_MUL, size, lo, hi != 0, 0);
}

/* Signed full product of two `size`-byte values (fits in 128 bits). */
static __int128 smul(uint64_t a, uint64_t b, int size)
{
	return (__int128)sext(a, size) * sext(b, size);
}

/* Does the product fit in `size` bytes when truncated and sign-extended? */
static bool sfits(__int128 p, int size)
{
	return (__int128)sext((uint64_t)p, size) == p;
}

void op_imul1_E(struct cpu *c, const struct dinsn *d)
{
	int size = d->osize;
	uint64_t m = size_mask(size);
	uint64_t src = rm_read(c, d, size);
	__int128 p = smul(c->gpr[RAX], src, size);
	uint64_t lo = (uint64_t)p & m;
	uint64_t hi = (uint64_t)((u128)p >> (size * 8)) & m;
	write_pair(c, size, lo, hi);
	lf_record(&c->lf, LF_MUL, size, lo, !sfits(p, size), 0);
}

static void imul_to_reg(struct cpu *c, const struct dinsn *d, uint64_t a,
			uint64_t b)
{
	__int128 p = smul(a, b, d->osize);
	uint64_t lo = (uint64_t)p & size_mask(d->osize);
	reg_write(c, d, d->osize, lo);
	lf_record(&c->lf, LF_MUL, d->osize, lo, !sfits(p, d->osize), 0);
}

void op_imul_GE(struct cpu *c, const struct dinsn *d)
{
	uint64_t src = rm_read(c, d, d->osize);
	imul_to_reg(c, d, reg_read(c, d, d->osize), src);
}

void op_imul_GEI(struct cpu *c, const struct dinsn *d)
{
	imul_to_reg(c, d, rm_read(c, d, d->osize), d->imm);
}

/* The double-width dividend AX or rDX:rAX as a 128-bit value. */
static u128 dividend(const struct cpu *c, int size)
{
	if (size == 1)
		return c->gpr[RAX] & 0xFFFF;
	uint64_t m = size_mask(size);
	return (u128)(c->gpr[RDX] & m) << (size * 8) | (c->gpr[RAX] & m);
}

void op_div_E(struct cpu *c, const struct dinsn *d)
{
	int size = d->osize;
	uint64_t m = size_mask(size);
	uint64_t div = rm_read(c, d, size) & m;
	u128 n = dividend(c, size);
	if (div == 0)
		cpu_raise(c, EXC_DE, 0);
	u128 q = n / div;
	if (q > m)
		cpu_raise(c, EXC_DE, 0);
	write_pair(c, size, (uint64_t)q, (uint64_t)(n % div));
	cpu_charge(c, div_extra_cycles[log2_size(size)]);
}

/*
 * IDIV on magnitudes: |n| / |div| unsigned, then the signs (the quotient
 * is negative when the signs differ, the remainder has the dividend's
 * sign). The quotient must fit: up to 2^(bits-1) when negative, one less
 * when positive; anything else — INT_MIN / -1 included — is #DE.
 */
void op_idiv_E(struct cpu *c, const struct dinsn *d)
{
	int size = d->osize, bits = size * 8;
	uint64_t div = rm_read(c, d, size);
	if ((div & size_mask(size)) == 0)
		cpu_raise(c, EXC_DE, 0);
	u128 n = dividend(c, size);
	bool nneg = (n >> (2 * bits - 1)) & 1;
	if (nneg && bits < 64)
		n |= ~(u128)0 << (2 * bits); /* sign-extend to 128 bits */
	int64_t sd = sext(div, size);
	bool dneg = sd < 0;
	u128 nmag = nneg ? -n : n;
	u128 dmag = dneg ? (u128)(0 - (uint64_t)sd) : (u128)(uint64_t)sd;
	u128 q = nmag / dmag, r = nmag % dmag;
	bool qneg = nneg != dneg;
	u128 limit = ((u128)1 << (bits - 1)) - (qneg ? 0 : 1);
	if (q > limit)
		cpu_raise(c, EXC_DE, 0);
	uint64_t quot = (uint64_t)(qneg ? -q : q), rem = (uint64_t)(nneg ? -r : r);
	write_pair(c, size, quot, rem);
	cpu_charge(c, div_extra_cycles[log2_size(size)]);
}
