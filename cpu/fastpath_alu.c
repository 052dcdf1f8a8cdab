/*
 * cpu/fastpath_alu.c — fast runners for integer ALU forms: ADD/OR/AND/
 * SUB/XOR/CMP and TEST (register, immediate and 64-bit-mode memory
 * forms), SHL/SHR/SAR by an immediate, 1 or CL, INC/DEC, IMUL r, r, SETcc,
 * CMOVcc and Jcc, for 32- and 64-bit operands (TEST r, r at any size).
 *
 * Spec: Intel SDM Vol. 2 for each instruction (as ops_alu.c, ops_shift.c,
 * ops_muldiv.c, ops_bit.c, ops_branch.c, whose handlers stay the
 * reference). Each runner leaves the same registers, memory and lazy-flag
 * record (c->lf, field for field) as the generic handler; the differential
 * and unit tests run through these runners and check it.
 *
 * Every runner is an inline body taking the operation kind and size as
 * arguments, instantiated once per (kind, size) so the compiler turns it
 * into straight-line code: the macros below only stamp out those
 * one-line instantiations and their lookup tables.
 */
#include "cpu/fastpath_int.h"

/* The lazy-flags op each ALU kind records (as ops_alu.c). */
static inline enum lf_op alu_lf(unsigned kind)
{
	switch (kind) {
	case FA_ADD:
		return LF_ADD;
	case FA_SUB:
	case FA_CMP:
		return LF_SUB;
	default:
		return LF_LOGIC;
	}
}

/* `a kind b` at `size` bytes (not ADC/SBB), recorded into c->lf. */
static inline uint64_t alu_do(struct cpu *c, unsigned kind, int size,
			      uint64_t a, uint64_t b)
{
	uint64_t r;
	switch (kind) {
	case FA_ADD:
		r = a + b;
		break;
	case FA_OR:
		r = a | b;
		break;
	case FA_AND:
		r = a & b;
		break;
	case FA_XOR:
		r = a ^ b;
		break;
	default:
		r = a - b;
		break; /* SUB, CMP */
	}
	r &= size_mask(size);
	lf_record(&c->lf, alu_lf(kind), size, r, a, b);
	c->lf.cf_in = 0;
	return r;
}

static inline uint64_t reg_get(const struct cpu *c, unsigned r, int size)
{
	return c->gpr[r] & size_mask(size);
}

/* Register destination `dst` = dst kind b (CMP writes nothing). */
static inline bool alu_to_reg(struct cpu *c, unsigned dst, uint64_t b,
			      unsigned kind, int size)
{
	uint64_t r = alu_do(c, kind, size, reg_get(c, dst, size), b);
	if (kind != FA_CMP)
		gpr_write(c, (int)dst, size, true, r);
	return true;
}

static inline bool alu_EG_rr(struct cpu *c, const struct dinsn *d,
			     unsigned kind, int size)
{
	return alu_to_reg(c, d->rm & 15, reg_get(c, d->reg, size), kind, size);
}

static inline bool alu_GE_rr(struct cpu *c, const struct dinsn *d,
			     unsigned kind, int size)
{
	return alu_to_reg(c, d->reg, reg_get(c, d->rm & 15, size), kind, size);
}

static inline bool alu_EI_r(struct cpu *c, const struct dinsn *d, unsigned kind,
			    int size)
{
	return alu_to_reg(c, d->rm & 15, d->imm, kind, size);
}

static inline bool alu_AI(struct cpu *c, const struct dinsn *d, unsigned kind,
			  int size)
{
	return alu_to_reg(c, RAX, d->imm, kind, size);
}

/* G = G kind [m]: the load comes first (a miss runs the generic path). */
static inline bool alu_GE_m(struct cpu *c, const struct dinsn *d, unsigned kind,
			    int size)
{
	const uint8_t *p = fast_host_read(c, fast_ea(c, d), size);
	if (!p)
		return exec_generic(c, d);
	return alu_to_reg(c, d->reg, mem_host_load(p, size), kind, size);
}

/* [m] = [m] kind b; CMP only reads. */
static inline bool alu_to_mem(struct cpu *c, const struct dinsn *d, uint64_t b,
			      unsigned kind, int size)
{
	uint64_t lin = fast_ea(c, d);
	uint8_t *p = kind == FA_CMP ? fast_host_read(c, lin, size)
				    : fast_host_write(c, lin, size);
	if (!p)
		return exec_generic(c, d);
	uint64_t r = alu_do(c, kind, size, mem_host_load(p, size), b);
	if (kind != FA_CMP)
		mem_host_store(p, size, r);
	return true;
}

static inline bool alu_EG_m(struct cpu *c, const struct dinsn *d, unsigned kind,
			    int size)
{
	return alu_to_mem(c, d, reg_get(c, d->reg, size), kind, size);
}

static inline bool alu_EI_m(struct cpu *c, const struct dinsn *d, unsigned kind,
			    int size)
{
	return alu_to_mem(c, d, d->imm, kind, size);
}

/* Instantiate `form` for one (kind, size), and the [kind][size == 8]
 * table of a form (ADC and SBB stay generic: NULL). */
#define FAST_ALU(form, kind, size)                                             \
	static bool form##_##kind##_##size(struct cpu *c,                      \
					   const struct dinsn *d)              \
	{                                                                      \
		return form(c, d, kind, size);                                 \
	}
#define FAST_ALU_FORM(form)                                                    \
	FAST_ALU(form, FA_ADD, 4)                                              \
	FAST_ALU(form, FA_ADD, 8)                                              \
	FAST_ALU(form, FA_OR, 4)                                               \
	FAST_ALU(form, FA_OR, 8)                                               \
	FAST_ALU(form, FA_AND, 4)                                              \
	FAST_ALU(form, FA_AND, 8) FAST_ALU(form, FA_SUB, 4)                    \
	    FAST_ALU(form, FA_SUB, 8) FAST_ALU(form, FA_XOR, 4)                \
		FAST_ALU(form, FA_XOR, 8) FAST_ALU(form, FA_CMP, 4)            \
		    FAST_ALU(form, FA_CMP, 8)                                  \
			const fast_fn fast_##form[8][2] = {                    \
			    [FA_ADD] = {form##_FA_ADD_4, form##_FA_ADD_8},     \
			    [FA_OR] = {form##_FA_OR_4, form##_FA_OR_8},        \
			    [FA_AND] = {form##_FA_AND_4, form##_FA_AND_8},     \
			    [FA_SUB] = {form##_FA_SUB_4, form##_FA_SUB_8},     \
			    [FA_XOR] = {form##_FA_XOR_4, form##_FA_XOR_8},     \
			    [FA_CMP] = {form##_FA_CMP_4, form##_FA_CMP_8},     \
	};

FAST_ALU_FORM(alu_EG_rr)
FAST_ALU_FORM(alu_GE_rr)
FAST_ALU_FORM(alu_EI_r)
FAST_ALU_FORM(alu_AI)
FAST_ALU_FORM(alu_GE_m)
FAST_ALU_FORM(alu_EG_m)
FAST_ALU_FORM(alu_EI_m)

/* ---- TEST --------------------------------------------------------------- */

/* As ops_alu.c's test_with: the record, cf_in untouched. */
static inline bool test_do(struct cpu *c, int size, uint64_t a, uint64_t b)
{
	lf_record(&c->lf, LF_LOGIC, size, a & b & size_mask(size), a, b);
	return true;
}

static inline bool test_rr(struct cpu *c, const struct dinsn *d, int size)
{
	return test_do(c, size, reg_get(c, d->rm & 15, size),
		       reg_get(c, d->reg, size));
}

static inline bool test_ri(struct cpu *c, const struct dinsn *d, int size)
{
	return test_do(c, size, reg_get(c, d->rm & 15, size), d->imm);
}

static inline bool test_AI(struct cpu *c, const struct dinsn *d, int size)
{
	return test_do(c, size, reg_get(c, RAX, size), d->imm);
}

static inline bool test_EI_m(struct cpu *c, const struct dinsn *d, int size)
{
	const uint8_t *p = fast_host_read(c, fast_ea(c, d), size);
	if (!p)
		return exec_generic(c, d);
	return test_do(c, size, mem_host_load(p, size), d->imm);
}

/* Instantiate a size-only form for 4 and 8 bytes, as a [size == 8] table. */
#define FAST_SIZED(form)                                                       \
	static bool form##_4(struct cpu *c, const struct dinsn *d)             \
	{                                                                      \
		return form(c, d, 4);                                          \
	}                                                                      \
	static bool form##_8(struct cpu *c, const struct dinsn *d)             \
	{                                                                      \
		return form(c, d, 8);                                          \
	}                                                                      \
	const fast_fn fast_##form[2] = {form##_4, form##_8};

FAST_SIZED(test_rr)

/* TEST r8, r8 and r16, r16: a byte register may be AH..BH without REX, so
 * both operands read through gpr_read, as the handler's do. */
static inline bool test_rr_narrow(struct cpu *c, const struct dinsn *d,
				  int size)
{
	bool rex = (d->pfx & PFX_REX) != 0;
	return test_do(c, size, gpr_read(c, d->rm & 15, size, rex),
		       gpr_read(c, d->reg, size, rex));
}

static bool test_rr_1(struct cpu *c, const struct dinsn *d)
{
	return test_rr_narrow(c, d, 1);
}

static bool test_rr_2(struct cpu *c, const struct dinsn *d)
{
	return test_rr_narrow(c, d, 2);
}

const fast_fn fast_test_rr_any[4] = {test_rr_1, test_rr_2, test_rr_4,
				     test_rr_8};
FAST_SIZED(test_ri)
FAST_SIZED(test_AI)
FAST_SIZED(test_EI_m)

/* ---- INC / DEC ---------------------------------------------------------- */

/* As ops_alu.c's inc_dec: CF is kept in cf_in. */
static inline bool inc_dec_r(struct cpu *c, const struct dinsn *d, int size,
			     enum lf_op op)
{
	unsigned dst = d->rm & 15;
	uint64_t v = reg_get(c, dst, size);
	uint64_t r = (op == LF_INC ? v + 1 : v - 1) & size_mask(size);
	bool cf = fast_get_cf(c);
	gpr_write(c, (int)dst, size, true, r);
	lf_record(&c->lf, op, size, r, v, 1);
	c->lf.cf_in = cf;
	return true;
}

static inline bool inc_r(struct cpu *c, const struct dinsn *d, int size)
{
	return inc_dec_r(c, d, size, LF_INC);
}

static inline bool dec_r(struct cpu *c, const struct dinsn *d, int size)
{
	return inc_dec_r(c, d, size, LF_DEC);
}

FAST_SIZED(inc_r)
FAST_SIZED(dec_r)

/* ---- shifts by a constant or CL ------------------------------------------ */

/* As ops_shift.c's shift_exec for SHL/SHR/SAL/SAR of a register: a masked
 * count of 0 still writes (zero-extending a 32-bit register) and changes
 * no flag; otherwise the record keeps the source and count. */
static inline bool shift_r(struct cpu *c, const struct dinsn *d, unsigned kind,
			   int size, unsigned raw)
{
	unsigned dst = d->rm & 15;
	unsigned n = raw & (size == 8 ? 63u : 31u);
	uint64_t v = reg_get(c, dst, size), r;
	if (n == 0) {
		gpr_write(c, (int)dst, size, true, v);
		return true;
	}
	if (kind == FS_SHR)
		r = v >> n;
	else if (kind == FS_SAR)
		r = (uint64_t)(fast_sext(v, size) >> n) & size_mask(size);
	else
		r = (v << n) & size_mask(size);
	gpr_write(c, (int)dst, size, true, r);
	lf_record(&c->lf,
		  kind == FS_SHR   ? LF_SHR
		  : kind == FS_SAR ? LF_SAR
				   : LF_SHL,
		  size, r, v, n);
	return true;
}

static inline bool shift_EI_r(struct cpu *c, const struct dinsn *d,
			      unsigned kind, int size)
{
	return shift_r(c, d, kind, size, (unsigned)d->imm & 0xFF);
}

static inline bool shift_E1_r(struct cpu *c, const struct dinsn *d,
			      unsigned kind, int size)
{
	return shift_r(c, d, kind, size, 1);
}

static inline bool shift_ECL_r(struct cpu *c, const struct dinsn *d,
			       unsigned kind, int size)
{
	return shift_r(c, d, kind, size, (unsigned)c->gpr[RCX] & 0xFF);
}

#define FAST_SHIFT_FORM(form)                                                  \
	FAST_ALU(form, FS_SHL, 4)                                              \
	FAST_ALU(form, FS_SHL, 8)                                              \
	FAST_ALU(form, FS_SHR, 4)                                              \
	FAST_ALU(form, FS_SHR, 8)                                              \
	FAST_ALU(form, FS_SAR, 4)                                              \
	FAST_ALU(form, FS_SAR, 8) const fast_fn fast_##form[8][2] = {          \
	    [FS_SHL] = {form##_FS_SHL_4, form##_FS_SHL_8},                     \
	    [FS_SHR] = {form##_FS_SHR_4, form##_FS_SHR_8},                     \
	    [FS_SAL] = {form##_FS_SHL_4, form##_FS_SHL_8},                     \
	    [FS_SAR] = {form##_FS_SAR_4, form##_FS_SAR_8},                     \
	};

FAST_SHIFT_FORM(shift_EI_r)
FAST_SHIFT_FORM(shift_E1_r)
FAST_SHIFT_FORM(shift_ECL_r)

/* ---- IMUL r, r ---------------------------------------------------------- */

/* As ops_muldiv.c's imul_to_reg: CF = OF = "the signed product did not
 * fit", recorded as LF_MUL. */
bool fast_imul_GE_rr(struct cpu *c, const struct dinsn *d)
{
	int size = d->osize;
	__int128 p = (__int128)fast_sext(c->gpr[d->reg], size) *
		     fast_sext(c->gpr[d->rm & 15], size);
	uint64_t lo = (uint64_t)p & size_mask(size);
	bool fits = (__int128)fast_sext(lo, size) == p;
	gpr_write(c, d->reg, size, true, lo);
	lf_record(&c->lf, LF_MUL, size, lo, !fits, 0);
	return true;
}

/* ---- condition consumers ------------------------------------------------ */

/* SETcc r8 (the byte register rule follows REX). */
static inline bool setcc_r(struct cpu *c, const struct dinsn *d, unsigned cc)
{
	gpr_write(c, d->rm & 15, 1, d->pfx & PFX_REX, fast_cond(c, cc));
	return true;
}

/* CMOVcc r, r: the 32-bit form zero-extends the destination either way. */
static inline bool cmovcc_rr(struct cpu *c, const struct dinsn *d, unsigned cc)
{
	int size = d->osize;
	uint64_t v = reg_get(c, d->rm & 15, size);
	if (fast_cond(c, cc))
		gpr_write(c, d->reg, size, true, v);
	else if (size == 4)
		gpr_write(c, d->reg, 4, true, c->gpr[d->reg]);
	return true;
}

/* Jcc rel with a 64-bit operand size, taken: ends the block; a
 * non-canonical target is the generic handler's #GP(0). */
static bool jcc_taken(struct cpu *c, const struct dinsn *d)
{
	uint64_t t = c->rip + d->imm;
	if (!fast_canonical(t))
		return exec_generic(c, d);
	c->rip = t;
	return false;
}

/* The condition needs cpu_cond: kept out of line so that the inline
 * path needs no stack frame. */
static __attribute__((noinline)) bool jcc_slow(struct cpu *c,
					       const struct dinsn *d)
{
	if (!cpu_cond(c, d->op->sub))
		return true;
	return jcc_taken(c, d);
}

static inline bool jcc(struct cpu *c, const struct dinsn *d, unsigned cc)
{
	int r = fast_cond_try(c, cc);
	if (r < 0)
		return jcc_slow(c, d);
	if (!r)
		return true;
	return jcc_taken(c, d);
}

/* Instantiate a condition consumer for one cc, and the [cc] table of all
 * sixteen (a constant cc folds fast_cond to a few compares). */
#define FAST_CC1(form, cc)                                                     \
	static bool form##_##cc(struct cpu *c, const struct dinsn *d)          \
	{                                                                      \
		return form(c, d, cc);                                         \
	}
#define FAST_CC(form)                                                          \
	FAST_CC1(form, 0)                                                      \
	FAST_CC1(form, 1) FAST_CC1(form, 2) FAST_CC1(form, 3) FAST_CC1(        \
	    form, 4) FAST_CC1(form, 5) FAST_CC1(form, 6) FAST_CC1(form, 7)     \
	    FAST_CC1(form, 8) FAST_CC1(form, 9) FAST_CC1(form, 10)             \
		FAST_CC1(form, 11) FAST_CC1(form, 12) FAST_CC1(form, 13)       \
		    FAST_CC1(form, 14) FAST_CC1(form, 15)                      \
			const fast_fn fast_##form[16] = {                      \
			    form##_0,  form##_1,  form##_2,  form##_3,         \
			    form##_4,  form##_5,  form##_6,  form##_7,         \
			    form##_8,  form##_9,  form##_10, form##_11,        \
			    form##_12, form##_13, form##_14, form##_15,        \
	};

FAST_CC(jcc)
FAST_CC(setcc_r)
FAST_CC(cmovcc_rr)
