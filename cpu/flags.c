/*
 * cpu/flags.c — lazy RFLAGS: materialise CF/PF/AF/ZF/SF/OF from the record
 * the last flag-writing instruction left in c->lf (flags.h).
 *
 * Spec: Intel SDM Vol. 1 §3.4.3 (status flags) and Appendix A (EFLAGS
 * cross-reference); the per-instruction rules are in Vol. 2 (ADD, ADC, SUB,
 * SBB, AND, INC, DEC, SAL/SAR/SHL/SHR, MUL, IMUL).
 *
 * Invariants:
 *  - c->rflags always holds every non-arithmetic bit, and the arithmetic bits
 *    too while c->lf.op == LF_NONE. Bit 1 (RF_FIXED1) is always set; the
 *    reserved bits 3, 5, 15 and 22..63 are always clear.
 *  - Materialising never depends on bits of res/src1/src2 above lf.size.
 *  - cpu_cond() and cpu_get_cf() do not change any state, so interpreter
 *    and JIT see identical `struct cpu` contents whatever they query.
 * Choices for flags the SDM leaves undefined (what the Intel host does):
 * logic ops and shifts with a non-zero count clear AF; the OF of a shift by
 * more than one is computed as for a count of one (LF_SHL: bit(n-1) ^
 * bit(n-2) of the source; LF_SHR: the source's top bit; LF_SAR: 0).
 */
#include "cpu/cpu_int.h"

/* Bits RFLAGS must always read as 0: 3, 5, 15 and 22..63. */
#define RF_RESERVED0 (~0x3F7FD5ull)

/* CF, AF and OF of one recorded op; m = size mask, sb = sign bit. */
typedef uint64_t (*lf_cao_fn)(const struct lazy_flags *lf, uint64_t m,
			      uint64_t sb);

static uint64_t bit_if(bool cond, uint64_t bit) { return cond ? bit : 0; }

/* AF: carry/borrow out of bit 3 shows as bit 4 of src1 ^ src2 ^ res. */
static uint64_t af_of(const struct lazy_flags *lf)
{
	return (lf->src1 ^ lf->src2 ^ lf->res) & RF_AF;
}

static uint64_t cao_add(const struct lazy_flags *lf, uint64_t m, uint64_t sb)
{
	uint64_t a = lf->src1 & m, r = lf->res & m;
	bool cf = lf->op == LF_ADC && lf->cf_in ? r <= a : r < a;
	bool of = ((a ^ r) & (lf->src2 ^ r)) & sb;
	return bit_if(cf, RF_CF) | af_of(lf) | bit_if(of, RF_OF);
}

static uint64_t cao_sub(const struct lazy_flags *lf, uint64_t m, uint64_t sb)
{
	uint64_t a = lf->src1 & m, b = lf->src2 & m;
	bool cf = lf->op == LF_SBB && lf->cf_in ? a <= b : a < b;
	bool of = ((a ^ b) & (a ^ lf->res)) & sb;
	return bit_if(cf, RF_CF) | af_of(lf) | bit_if(of, RF_OF);
}

static uint64_t cao_zero(const struct lazy_flags *lf, uint64_t m, uint64_t sb)
{
	(void)lf, (void)m, (void)sb;
	return 0;
}

/* INC: OF when the result is the sign bit alone; AF when the low nibble
 * wrapped to 0. DEC mirrors it. CF is the one saved before the op. */
static uint64_t cao_inc(const struct lazy_flags *lf, uint64_t m, uint64_t sb)
{
	uint64_t r = lf->res & m;
	return bit_if(lf->cf_in, RF_CF) | bit_if((r & 0xF) == 0, RF_AF) |
	       bit_if(r == sb, RF_OF);
}

static uint64_t cao_dec(const struct lazy_flags *lf, uint64_t m, uint64_t sb)
{
	uint64_t r = lf->res & m;
	return bit_if(lf->cf_in, RF_CF) | bit_if((r & 0xF) == 0xF, RF_AF) |
	       bit_if(r == sb - 1, RF_OF);
}

/* Shifts: CF is the last bit shifted out (0 once the count passes the
 * width, as the hardware's wide shifter gives for 8/16-bit operands). */
static uint64_t cao_shl(const struct lazy_flags *lf, uint64_t m, uint64_t sb)
{
	uint64_t a = lf->src1 & m, n = lf->src2;
	unsigned bits = (unsigned)__builtin_ctzll(sb) + 1;
	bool cf = n <= bits && ((a >> (bits - n)) & 1);
	return bit_if(cf, RF_CF) | bit_if((a ^ (a << 1)) & sb, RF_OF);
}

static uint64_t cao_shr(const struct lazy_flags *lf, uint64_t m, uint64_t sb)
{
	uint64_t a = lf->src1 & m, n = lf->src2;
	unsigned bits = (unsigned)__builtin_ctzll(sb) + 1;
	bool cf = n <= bits && ((a >> (n - 1)) & 1);
	return bit_if(cf, RF_CF) | bit_if(a & sb, RF_OF);
}

static uint64_t cao_sar(const struct lazy_flags *lf, uint64_t m, uint64_t sb)
{
	uint64_t a = lf->src1 & m;
	unsigned n = (unsigned)lf->src2 & 63;
	/* Sign-extend to 64 bits; counts are at most 63, and past the width
	 * every bit shifted out is a copy of the sign. */
	int64_t s = (int64_t)((a ^ sb) - sb);
	return bit_if((s >> (n - 1)) & 1, RF_CF);
}

static uint64_t cao_mul(const struct lazy_flags *lf, uint64_t m, uint64_t sb)
{
	(void)m, (void)sb;
	return bit_if(lf->src1 != 0, RF_CF | RF_OF);
}

#define SZP (RF_SF | RF_ZF | RF_PF)
/* Per op: how CF/AF/OF are derived, and which of SF/ZF/PF come from res. */
static const struct lf_rule {
	lf_cao_fn cao;
	uint8_t szp;
} lf_rules[LF_NFLAGS_OPS] = {
	[LF_ADD] = {cao_add, SZP},   [LF_ADC] = {cao_add, SZP},
	[LF_SUB] = {cao_sub, SZP},   [LF_SBB] = {cao_sub, SZP},
	[LF_LOGIC] = {cao_zero, SZP}, [LF_INC] = {cao_inc, SZP},
	[LF_DEC] = {cao_dec, SZP},   [LF_SHL] = {cao_shl, SZP},
	[LF_SHR] = {cao_shr, SZP},   [LF_SAR] = {cao_sar, SZP},
	[LF_MUL] = {cao_mul, RF_SF | RF_PF},
};

/* The six arithmetic flags of a (non-LF_NONE) record. */
static uint64_t lf_arith(const struct lazy_flags *lf)
{
	uint64_t m = size_mask(lf->size);
	uint64_t sb = (m >> 1) + 1;
	uint64_t r = lf->res & m;
	const struct lf_rule *rule = &lf_rules[lf->op];
	uint64_t szp = bit_if(r == 0, RF_ZF) | bit_if(r & sb, RF_SF) |
		       bit_if(parity8(r), RF_PF);
	return (szp & rule->szp) | rule->cao(lf, m, sb);
}

/* The arithmetic flags as they are now, without caching them. */
static uint64_t arith_now(const struct cpu *c)
{
	if (c->lf.op == LF_NONE)
		return c->rflags & RF_ARITH;
	return lf_arith(&c->lf);
}

uint64_t cpu_get_rflags(struct cpu *c)
{
	if (c->lf.op != LF_NONE) {
		c->rflags = (c->rflags & ~RF_ARITH) | lf_arith(&c->lf);
		c->lf.op = LF_NONE;
	}
	return c->rflags;
}

void cpu_set_rflags(struct cpu *c, uint64_t v, uint64_t mask)
{
	uint64_t arith = mask & RF_ARITH;
	if (arith == RF_ARITH)
		c->lf.op = LF_NONE; /* every lazy bit is replaced */
	else if (arith)
		cpu_get_rflags(c);
	/* With no arithmetic bit in the mask the lazy record stays valid. */
	c->rflags = (((c->rflags & ~mask) | (v & mask)) & ~RF_RESERVED0) |
		    RF_FIXED1;
}

bool cpu_get_cf(struct cpu *c)
{
	const struct lazy_flags *lf = &c->lf;
	if (lf->op == LF_NONE)
		return c->rflags & RF_CF;
	uint64_t m = size_mask(lf->size);
	return lf_rules[lf->op].cao(lf, m, (m >> 1) + 1) & RF_CF;
}

/*
 * Condition codes (SDM Vol. 1 Appendix B): cc >> 1 selects the test, and
 * an odd cc negates it.
 *   0 O   1 B/C   2 Z/E   3 BE   4 S   5 P   6 L   7 LE
 */
static bool cond_from_flags(uint64_t f, unsigned test)
{
	bool sf_ne_of = !(f & RF_SF) != !(f & RF_OF);
	switch (test) {
	case 0: return f & RF_OF;
	case 1: return f & RF_CF;
	case 2: return f & RF_ZF;
	case 3: return f & (RF_CF | RF_ZF);
	case 4: return f & RF_SF;
	case 5: return f & RF_PF;
	case 6: return sf_ne_of;
	default: return (f & RF_ZF) || sf_ne_of;
	}
}

/* After CMP/SUB the unsigned and signed orders of the sources answer the
 * usual conditions directly. Returns -1 when the test needs flags. */
static int cond_after_sub(const struct lazy_flags *lf, unsigned test)
{
	uint64_t m = size_mask(lf->size), sb = (m >> 1) + 1;
	uint64_t a = lf->src1 & m, b = lf->src2 & m;
	int64_t sa = (int64_t)((a ^ sb) - sb), sbv = (int64_t)((b ^ sb) - sb);
	switch (test) {
	case 1: return a < b;
	case 2: return a == b;
	case 3: return a <= b;
	case 6: return sa < sbv;
	case 7: return sa <= sbv;
	default: return -1;
	}
}

/* After AND/OR/XOR/TEST, CF = OF = 0. Returns -1 for the parity test. */
static int cond_after_logic(const struct lazy_flags *lf, unsigned test)
{
	uint64_t m = size_mask(lf->size), sb = (m >> 1) + 1;
	uint64_t r = lf->res & m;
	switch (test) {
	case 0:
	case 1: return 0;
	case 2:
	case 3: return r == 0;
	case 4:
	case 6: return (r & sb) != 0;
	case 7: return r == 0 || (r & sb);
	default: return -1;
	}
}

bool cpu_cond(struct cpu *c, unsigned cc)
{
	const struct lazy_flags *lf = &c->lf;
	unsigned test = (cc >> 1) & 7;
	bool neg = cc & 1;
	int r = -1;
	if (lf->op == LF_SUB)
		r = cond_after_sub(lf, test);
	else if (lf->op == LF_LOGIC)
		r = cond_after_logic(lf, test);
	if (r >= 0)
		return (bool)r != neg;
	if (test == 2 && lf->op != LF_NONE && lf->op != LF_MUL) {
		/* ZF is "res == 0" for every other op that records it. */
		return ((lf->res & size_mask(lf->size)) == 0) != neg;
	}
	return cond_from_flags(arith_now(c), test) != neg;
}
