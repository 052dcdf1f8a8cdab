/*
 * cpu/ops_alu.c — integer ALU: ADD..CMP, TEST, INC/DEC, NOT/NEG, XADD,
 * CMPXCHG, CMPXCHG8B/16B.
 *
 * Spec: Intel SDM Vol. 2 (ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, TEST, INC,
 * DEC, NOT, NEG, XADD, CMPXCHG, CMPXCHG8B/CMPXCHG16B).
 *
 * Invariants: every access that can fault (the read, then the write of a
 * memory destination) happens before any register or flag changes, so a
 * faulting instruction has no effect. Flags are recorded lazily (flags.c):
 * the record is built in a local and committed last. LOCK needs no host
 * atomics (one core runs per host thread) but keeps its semantics: XCHG
 * and CMPXCHG always write their memory destination.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

/* The eight classic ALU operations, in ModRM.reg / opcode-bits-5:3 order. */
enum alu_kind {
	ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP
};

static const uint8_t alu_lf_op[8] = {
	LF_ADD, LF_LOGIC, LF_ADC, LF_SBB, LF_LOGIC, LF_SUB, LF_LOGIC, LF_SUB,
};

/* `a kind b` at `size` bytes; *cf receives the carry-in ADC/SBB used. */
static inline uint64_t alu_result(struct cpu *c, unsigned kind, int size,
				  uint64_t a, uint64_t b, bool *cf)
{
	uint64_t r;
	*cf = false;
	switch (kind & 7) {
	case ALU_ADD: r = a + b; break;
	case ALU_OR:  r = a | b; break;
	case ALU_ADC: *cf = cpu_get_cf(c); r = a + b + *cf; break;
	case ALU_SBB: *cf = cpu_get_cf(c); r = a - b - *cf; break;
	case ALU_AND: r = a & b; break;
	case ALU_XOR: r = a ^ b; break;
	default:      r = a - b; break; /* SUB, CMP */
	}
	return r & size_mask(size);
}

static inline void alu_record(struct lazy_flags *lf, unsigned kind, int size,
			      uint64_t r, uint64_t a, uint64_t b, bool cf)
{
	lf_record(lf, (enum lf_op)alu_lf_op[kind & 7], size, r, a, b);
	lf->cf_in = cf;
}

/* Compute `a kind b` at `size` bytes and fill *lf (not yet committed). */
static uint64_t alu_compute(struct cpu *c, unsigned kind, int size,
			    uint64_t a, uint64_t b, struct lazy_flags *lf)
{
	bool cf;
	uint64_t r = alu_result(c, kind, size, a, b, &cf);
	alu_record(lf, kind, size, r, a, b, cf);
	return r;
}

/* E = E op src (CMP only reads E). The flags are recorded straight into
 * c->lf after the write: building the record in a local and copying it
 * costs a store-forwarding stall on every ALU instruction. */
static void alu_to_rm(struct cpu *c, const struct dinsn *d, uint64_t src)
{
	unsigned kind = d->op->sub;
	bool cf;
	uint64_t dst = rm_read(c, d, d->osize);
	uint64_t r = alu_result(c, kind, d->osize, dst, src, &cf);
	if (kind != ALU_CMP)
		rm_write(c, d, d->osize, r);
	alu_record(&c->lf, kind, d->osize, r, dst, src, cf);
}

void op_alu_EG(struct cpu *c, const struct dinsn *d)
{
	alu_to_rm(c, d, reg_read(c, d, d->osize));
}

void op_alu_EI(struct cpu *c, const struct dinsn *d)
{
	alu_to_rm(c, d, d->imm);
}

void op_alu_GE(struct cpu *c, const struct dinsn *d)
{
	unsigned kind = d->op->sub;
	uint64_t src = rm_read(c, d, d->osize);
	uint64_t r = alu_compute(c, kind, d->osize, reg_read(c, d, d->osize),
				 src, &c->lf);
	if (kind != ALU_CMP)
		reg_write(c, d, d->osize, r);
}

void op_alu_AI(struct cpu *c, const struct dinsn *d)
{
	unsigned kind = d->op->sub;
	uint64_t a = gpr_read(c, RAX, d->osize, false);
	uint64_t r = alu_compute(c, kind, d->osize, a, d->imm, &c->lf);
	if (kind != ALU_CMP)
		gpr_write(c, RAX, d->osize, false, r);
}

static void test_with(struct cpu *c, int size, uint64_t a, uint64_t b)
{
	lf_record(&c->lf, LF_LOGIC, size, a & b & size_mask(size), a, b);
}

void op_test_EG(struct cpu *c, const struct dinsn *d)
{
	uint64_t a = rm_read(c, d, d->osize);
	test_with(c, d->osize, a, reg_read(c, d, d->osize));
}

void op_test_EI(struct cpu *c, const struct dinsn *d)
{
	test_with(c, d->osize, rm_read(c, d, d->osize), d->imm);
}

void op_test_AI(struct cpu *c, const struct dinsn *d)
{
	test_with(c, d->osize, gpr_read(c, RAX, d->osize, false), d->imm);
}

/* The operand of INC/DEC/BSWAP-style rows: ModRM r/m, or the register in
 * the opcode when the row says O_Z (40-4F outside 64-bit mode). */
static uint64_t e_or_z_read(struct cpu *c, const struct dinsn *d)
{
	if (d->op->opnd[0] == O_Z)
		return gpr_read(c, d->reg, d->osize, d->pfx & PFX_REX);
	return rm_read(c, d, d->osize);
}

static void e_or_z_write(struct cpu *c, const struct dinsn *d, uint64_t v)
{
	if (d->op->opnd[0] == O_Z)
		gpr_write(c, d->reg, d->osize, d->pfx & PFX_REX, v);
	else
		rm_write(c, d, d->osize, v);
}

/* INC/DEC: like ADD/SUB of 1, but CF is preserved (saved in cf_in). */
static void inc_dec(struct cpu *c, const struct dinsn *d, enum lf_op op)
{
	uint64_t v = e_or_z_read(c, d);
	uint64_t r = (op == LF_INC ? v + 1 : v - 1) & size_mask(d->osize);
	bool cf = cpu_get_cf(c);
	e_or_z_write(c, d, r);
	lf_record(&c->lf, op, d->osize, r, v, 1);
	c->lf.cf_in = cf;
}

void op_inc_E(struct cpu *c, const struct dinsn *d)
{
	inc_dec(c, d, LF_INC);
}

void op_dec_E(struct cpu *c, const struct dinsn *d)
{
	inc_dec(c, d, LF_DEC);
}

void op_not_E(struct cpu *c, const struct dinsn *d)
{
	rm_write(c, d, d->osize, ~rm_read(c, d, d->osize));
}

/* NEG is 0 - E: CF = (E != 0), OF = (E == sign bit). */
void op_neg_E(struct cpu *c, const struct dinsn *d)
{
	uint64_t v = rm_read(c, d, d->osize);
	uint64_t r = (0 - v) & size_mask(d->osize);
	rm_write(c, d, d->osize, r);
	lf_record(&c->lf, LF_SUB, d->osize, r, 0, v);
}

/*
 * XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP. With a register
 * destination the two writes may name the same register, and DEST is
 * written last; with memory the (faultable) memory write goes first.
 */
void op_xadd_EG(struct cpu *c, const struct dinsn *d)
{
	struct lazy_flags lf;
	uint64_t dst = rm_read(c, d, d->osize);
	uint64_t src = reg_read(c, d, d->osize);
	uint64_t sum = alu_compute(c, ALU_ADD, d->osize, dst, src, &lf);
	if (d->mod == 3) {
		reg_write(c, d, d->osize, dst);
		rm_write(c, d, d->osize, sum);
	} else {
		rm_write(c, d, d->osize, sum);
		reg_write(c, d, d->osize, dst);
	}
	c->lf = lf;
}

/*
 * CMPXCHG: compare the accumulator with DEST (flags as CMP acc, DEST).
 * Equal: DEST = SRC. Not equal: the accumulator gets DEST, and a memory
 * DEST is written back unchanged; a register DEST is left alone (Intel
 * hardware keeps the upper half of a 32-bit register DEST then).
 */
void op_cmpxchg_EG(struct cpu *c, const struct dinsn *d)
{
	struct lazy_flags lf;
	int size = d->osize;
	uint64_t dst = rm_read(c, d, size);
	uint64_t acc = gpr_read(c, RAX, size, false);
	alu_compute(c, ALU_CMP, size, acc, dst, &lf);
	if (acc == dst) {
		rm_write(c, d, size, reg_read(c, d, size));
	} else {
		if (d->mod != 3)
			rm_write(c, d, size, dst);
		gpr_write(c, RAX, size, false, dst);
	}
	c->lf = lf;
}

/*
 * CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W): compare EDX:EAX (RDX:RAX) with
 * the memory operand; equal: store ECX:EBX (RCX:RBX), ZF=1; else load it
 * into EDX:EAX (RDX:RAX), write it back, ZF=0. Other flags unchanged.
 * CMPXCHG16B needs a 16-byte-aligned linear address (#GP(0) otherwise);
 * that operand never crosses a page, so its two 8-byte writes cannot
 * fault separately.
 */
void op_cmpxchg8b16b_M(struct cpu *c, const struct dinsn *d)
{
	bool wide = d->pfx & PFX_REXW;
	int half = wide ? 8 : 4;
	uint64_t hm = size_mask(half), amask = size_mask(d->asize);
	if (d->mod == 3)
		cpu_raise_ud(c);
	uint64_t ea = cpu_ea(c, d), lo, hi;
	if (wide) {
		/* REX.W exists only in 64-bit mode, where only FS and GS
		 * bases count. */
		bool fsgs = d->seg == SEG_FS || d->seg == SEG_GS;
		if ((ea + (fsgs ? c->seg[d->seg].base : 0)) & 15)
			cpu_raise_gp0(c);
		lo = cpu_read(c, d->seg, ea, 8);
		hi = cpu_read(c, d->seg, (ea + 8) & amask, 8);
	} else {
		uint64_t m = cpu_read(c, d->seg, ea, 8);
		lo = m & hm;
		hi = m >> 32;
	}
	bool eq = lo == (c->gpr[RAX] & hm) && hi == (c->gpr[RDX] & hm);
	uint64_t nlo = eq ? c->gpr[RBX] & hm : lo;
	uint64_t nhi = eq ? c->gpr[RCX] & hm : hi;
	if (wide) {
		cpu_write(c, d->seg, ea, 8, nlo);
		cpu_write(c, d->seg, (ea + 8) & amask, 8, nhi);
	} else {
		cpu_write(c, d->seg, ea, 8, nlo | nhi << 32);
	}
	if (!eq) {
		gpr_write(c, RAX, half, false, lo);
		gpr_write(c, RDX, half, false, hi);
	}
	cpu_set_rflags(c, eq ? RF_ZF : 0, RF_ZF);
}
