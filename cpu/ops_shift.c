/*
 * cpu/ops_shift.c — shifts and rotates (C0/C1, D0-D3 groups), SHLD/SHRD.
 *
 * Spec: Intel SDM Vol. 2 "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR", "SHLD",
 * "SHRD". The count is masked to 5 bits (6 with a 64-bit operand); RCL/RCR
 * then rotate through CF modulo 9 (8-bit) or 17 (16-bit).
 *
 * Invariants: the destination is read, then written (even for a masked
 * count of 0, which zero-extends a 32-bit register as the hardware does),
 * and flags change only after the write. A masked count of 0 changes no
 * flag; neither does an RCL/RCR whose count is a multiple of 9/17.
 * Undefined results follow the Intel host: OF for a count above 1 is the
 * OF of a count of 1, except that ROL/ROR by an immediate above 1 leave OF
 * unchanged; AF is cleared by SHL/SHR/SAR/SHLD/SHRD; a 16-bit
 * SHLD/SHRD by 17..31 shifts through the 48-bit value dest:src:dest.
 * SHL/SHR/SAR record their flags lazily (LF_SHL/SHR/SAR); rotates and
 * double shifts set them at once.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

/* Row sub: the ModRM.reg of the shift groups. */
enum shift_kind { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL,
		  SH_SAR };

static const uint8_t shift_lf_op[4] = {LF_SHL, LF_SHR, LF_SHL, LF_SAR};

static unsigned count_mask(int size) { return size == 8 ? 63 : 31; }

static int64_t sign_extend(uint64_t v, int size)
{
	uint64_t sb = (size_mask(size) >> 1) + 1;
	return (int64_t)(((v & size_mask(size)) ^ sb) - sb);
}

/* SHL/SHR/SAR by a masked count n (1..63). */
static uint64_t shift_value(unsigned kind, uint64_t v, unsigned n, int size)
{
	uint64_t m = size_mask(size);
	if (kind == SH_SHR)
		return (v & m) >> n;
	if (kind == SH_SAR)
		return (uint64_t)(sign_extend(v, size) >> n) & m;
	return (v << n) & m;
}

/* Rotate v by n (masked count, non-zero); returns the result, the new
 * CF|OF in *fl and the flags that change in *changed (none for RCL/RCR by
 * a multiple of 9/17). */
static uint64_t rotate(unsigned kind, uint64_t v, unsigned n, int size,
		       bool cf_in, uint64_t *fl, uint64_t *changed)
{
	unsigned bits = (unsigned)size * 8;
	uint64_t m = size_mask(size), sb = (m >> 1) + 1, r;
	bool cf, of;
	v &= m;
	if (kind == SH_ROL || kind == SH_ROR) {
		unsigned k = n & (bits - 1);
		bool left = kind == SH_ROL;
		r = !k ? v : left ? ((v << k) | (v >> (bits - k))) & m
				  : ((v >> k) | (v << (bits - k))) & m;
		cf = left ? r & 1 : r & sb;
		of = left ? (v ^ (v << 1)) & sb : (v & 1) ^ !!(v & sb);
	} else {
		/* Through CF: a (bits+1)-bit rotation of CF:v. */
		unsigned k = n % (bits + 1);
		if (!k) {
			*fl = *changed = 0;
			return v;
		}
		unsigned __int128 w = ((unsigned __int128)cf_in << bits) | v;
		unsigned __int128 wm = ((unsigned __int128)1 << (bits + 1)) - 1;
		w = kind == SH_RCL ? (w << k) | (w >> (bits + 1 - k))
				   : (w >> k) | (w << (bits + 1 - k));
		w &= wm;
		r = (uint64_t)w & m;
		cf = (w >> bits) & 1;
		of = kind == SH_RCL ? (v ^ (v << 1)) & sb : !!(v & sb) ^ cf_in;
	}
	*fl = (cf ? RF_CF : 0) | (of ? RF_OF : 0);
	*changed = RF_CF | RF_OF;
	return r;
}

/* `by_imm`: the count is an immediate (C0/C1). Intel hardware then leaves
 * OF alone for a ROL/ROR by more than 1 (OF is undefined there). */
static void shift_exec(struct cpu *c, const struct dinsn *d, uint64_t raw,
		       bool by_imm)
{
	unsigned kind = d->op->sub & 7;
	unsigned n = (unsigned)raw & count_mask(d->osize);
	uint64_t v = rm_read(c, d, d->osize);
	if (n == 0) {
		rm_write(c, d, d->osize, v);
		return;
	}
	if (kind >= SH_SHL) {
		uint64_t r = shift_value(kind, v, n, d->osize);
		rm_write(c, d, d->osize, r);
		lf_record(&c->lf, (enum lf_op)shift_lf_op[kind - SH_SHL],
			  d->osize, r, v, n);
		return;
	}
	uint64_t fl, changed;
	uint64_t r = rotate(kind, v, n, d->osize, cpu_get_cf(c), &fl, &changed);
	if (by_imm && n != 1 && kind <= SH_ROR)
		changed &= ~RF_OF;
	rm_write(c, d, d->osize, r);
	if (changed)
		cpu_set_rflags(c, fl, changed);
}

void op_shift_E1(struct cpu *c, const struct dinsn *d)
{
	shift_exec(c, d, 1, false);
}

void op_shift_ECL(struct cpu *c, const struct dinsn *d)
{
	shift_exec(c, d, c->gpr[RCX] & 0xFF, false);
}

void op_shift_EI(struct cpu *c, const struct dinsn *d)
{
	shift_exec(c, d, d->imm & 0xFF, true);
}

/*
 * SHLD/SHRD: shift DEST by n, filling from SRC (the ModRM.reg register).
 * CF is the last bit shifted out of DEST; flags as described above.
 */
static void double_shift(struct cpu *c, const struct dinsn *d, bool right,
			 uint64_t raw)
{
	int size = d->osize;
	unsigned bits = (unsigned)size * 8;
	unsigned n = (unsigned)raw & count_mask(size);
	uint64_t m = size_mask(size), sb = (m >> 1) + 1, r;
	uint64_t v = rm_read(c, d, size) & m, s = reg_read(c, d, size) & m;
	bool cf;
	if (n == 0) {
		rm_write(c, d, size, v);
		return;
	}
	if (size == 2) {
		uint64_t w = v << 32 | s << 16 | v;
		r = (right ? w >> n : w >> (32 - n)) & m;
		cf = (right ? w >> (n - 1) : w >> (48 - n)) & 1;
	} else if (right) {
		r = ((v >> n) | (s << (bits - n))) & m;
		cf = (v >> (n - 1)) & 1;
	} else {
		r = ((v << n) | (s >> (bits - n))) & m;
		cf = (v >> (bits - n)) & 1;
	}
	bool of = right ? (s & 1) ^ !!(v & sb) : !!((v ^ (v << 1)) & sb);
	rm_write(c, d, size, r);
	cpu_set_rflags(c, flags_szp(r, size) | (cf ? RF_CF : 0) |
			       (of ? RF_OF : 0), RF_ARITH);
}

void op_shld_EGI(struct cpu *c, const struct dinsn *d)
{
	double_shift(c, d, false, d->imm & 0xFF);
}

void op_shld_EGCL(struct cpu *c, const struct dinsn *d)
{
	double_shift(c, d, false, c->gpr[RCX] & 0xFF);
}

void op_shrd_EGI(struct cpu *c, const struct dinsn *d)
{
	double_shift(c, d, true, d->imm & 0xFF);
}

void op_shrd_EGCL(struct cpu *c, const struct dinsn *d)
{
	double_shift(c, d, true, c->gpr[RCX] & 0xFF);
}
