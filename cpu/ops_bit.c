/*
 * cpu/ops_bit.c — bit tests and scans, byte swap, SETcc/CMOVcc, sign
 * extension of rAX, and the flag instructions (CLC..STD, LAHF/SAHF).
 *
 * Spec: Intel SDM Vol. 2 "BT", "BTS", "BTR", "BTC", "BSF", "BSR", "TZCNT",
 * "LZCNT", "POPCNT", "BSWAP", "SETcc", "CMOVcc", "CBW/CWDE/CDQE",
 * "CWD/CDQ/CQO", "LAHF", "SAHF"; Vol. 1 §3.4.3.
 *
 * Invariants: faultable accesses come before any change. BT* with a
 * register bit offset and a memory operand treat the offset as a signed
 * bit displacement from the operand's address (it may reach outside the
 * operand); with an immediate offset, or a register operand, the offset is
 * taken modulo the operand width. Choices for undefined flags (matching
 * the Intel host): BT* leave OF/SF/AF/PF unchanged; BSF/BSR clear CF, OF,
 * SF and AF and set PF from the index (from 0 for a zero source);
 * TZCNT/LZCNT clear OF, SF, AF, PF. BSF/BSR with a zero source set ZF and
 * leave the destination (all 64 bits) unchanged.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

/* Row sub of the BT family. */
enum bt_kind { BT_TEST, BT_SET, BT_RESET, BT_COMPLEMENT };

static uint64_t bt_apply(unsigned kind, uint64_t v, uint64_t bit)
{
	switch (kind & 3) {
	case BT_SET: return v | bit;
	case BT_RESET: return v & ~bit;
	case BT_COMPLEMENT: return v ^ bit;
	default: return v;
	}
}

/* BT/BTS/BTR/BTC on the ModRM operand. `reg_offset` means `off` came from
 * a register, so a memory operand is addressed by its signed value. */
static void bt_exec(struct cpu *c, const struct dinsn *d, uint64_t off,
		    bool reg_offset)
{
	int size = d->osize;
	unsigned bits = (unsigned)size * 8, kind = d->op->sub;
	uint64_t bit = 1ull << (off & (bits - 1)), v;
	if (d->mod == 3) {
		v = rm_read(c, d, size);
		if (kind != BT_TEST)
			rm_write(c, d, size, bt_apply(kind, v, bit));
	} else {
		uint64_t ea = cpu_ea(c, d);
		if (reg_offset) {
			uint64_t sb = (size_mask(size) >> 1) + 1;
			int64_t soff = (int64_t)(((off & size_mask(size)) ^ sb) - sb);
			/* floor(soff / bits) units of `size` bytes; >> on a
			 * negative value is an arithmetic shift in GCC. */
			int64_t units = soff >> __builtin_ctz(bits);
			ea = (ea + (uint64_t)units * (uint64_t)size) &
			     size_mask(d->asize);
		}
		v = cpu_read(c, d->seg, ea, size);
		if (kind != BT_TEST)
			cpu_write(c, d->seg, ea, size, bt_apply(kind, v, bit));
	}
	cpu_set_rflags(c, (v & bit) ? RF_CF : 0, RF_CF);
}

void op_bt_EG(struct cpu *c, const struct dinsn *d)
{
	bt_exec(c, d, reg_read(c, d, d->osize), true);
}

void op_bt_EI(struct cpu *c, const struct dinsn *d)
{
	bt_exec(c, d, d->imm & 0xFF, false);
}

/* BSF/BSR: index of the lowest/highest set bit; zero source: ZF=1 and the
 * destination is not written. */
static void bit_scan(struct cpu *c, const struct dinsn *d, bool reverse)
{
	uint64_t src = rm_read(c, d, d->osize) & size_mask(d->osize);
	if (src == 0) {
		cpu_set_rflags(c, RF_ZF | RF_PF, RF_ARITH);
		return;
	}
	uint64_t idx = reverse ? 63 - (uint64_t)__builtin_clzll(src)
			       : (uint64_t)__builtin_ctzll(src);
	reg_write(c, d, d->osize, idx);
	cpu_set_rflags(c, parity8(idx) ? RF_PF : 0, RF_ARITH);
}

void op_bsf_GE(struct cpu *c, const struct dinsn *d)
{
	bit_scan(c, d, false);
}

void op_bsr_GE(struct cpu *c, const struct dinsn *d)
{
	bit_scan(c, d, true);
}

/* TZCNT/LZCNT: the count (the width for a zero source); CF = source was
 * zero, ZF = count is zero. */
static void count_zeros(struct cpu *c, const struct dinsn *d, bool leading)
{
	unsigned bits = (unsigned)d->osize * 8;
	uint64_t src = rm_read(c, d, d->osize) & size_mask(d->osize);
	uint64_t n;
	if (src == 0)
		n = bits;
	else if (leading)
		n = (uint64_t)__builtin_clzll(src) - (64 - bits);
	else
		n = (uint64_t)__builtin_ctzll(src);
	reg_write(c, d, d->osize, n);
	cpu_set_rflags(c, (src == 0 ? RF_CF : 0) | (n == 0 ? RF_ZF : 0),
		       RF_ARITH);
}

void op_tzcnt_GE(struct cpu *c, const struct dinsn *d)
{
	count_zeros(c, d, false);
}

void op_lzcnt_GE(struct cpu *c, const struct dinsn *d)
{
	count_zeros(c, d, true);
}

/* POPCNT: every flag defined: ZF = (source == 0), the others cleared. */
void op_popcnt_GE(struct cpu *c, const struct dinsn *d)
{
	uint64_t src = rm_read(c, d, d->osize) & size_mask(d->osize);
	reg_write(c, d, d->osize, (uint64_t)__builtin_popcountll(src));
	cpu_set_rflags(c, src == 0 ? RF_ZF : 0, RF_ARITH);
}

/* BSWAP r32/r64; the 16-bit form is undefined and clears the low word on
 * Intel and AMD hardware, so do that. */
void op_bswap_Z(struct cpu *c, const struct dinsn *d)
{
	uint64_t v = c->gpr[d->reg];
	if (d->osize == 8)
		v = __builtin_bswap64(v);
	else if (d->osize == 4)
		v = __builtin_bswap32((uint32_t)v);
	else
		v = 0;
	gpr_write(c, d->reg, d->osize, true, v);
}

void op_setcc_E(struct cpu *c, const struct dinsn *d)
{
	rm_write(c, d, 1, cpu_cond(c, d->op->sub));
}

/* CMOVcc reads its source whatever the condition (so a memory source can
 * fault), and the 32-bit form zero-extends the destination even when the
 * condition is false. */
void op_cmovcc_GE(struct cpu *c, const struct dinsn *d)
{
	uint64_t v = rm_read(c, d, d->osize);
	if (cpu_cond(c, d->op->sub))
		reg_write(c, d, d->osize, v);
	else if (d->osize == 4)
		reg_write(c, d, 4, reg_read(c, d, 4));
}

/* CBW/CWDE/CDQE: sign-extend the low half of rAX into rAX. */
void op_cbw(struct cpu *c, const struct dinsn *d)
{
	int half = d->osize / 2;
	uint64_t sb = 1ull << (half * 8 - 1);
	uint64_t v = c->gpr[RAX] & size_mask(half);
	gpr_write(c, RAX, d->osize, false, (v ^ sb) - sb);
}

/* CWD/CDQ/CQO: rDX = copies of rAX's sign bit. */
void op_cwd(struct cpu *c, const struct dinsn *d)
{
	bool neg = (c->gpr[RAX] >> (d->osize * 8 - 1)) & 1;
	gpr_write(c, RDX, d->osize, false, neg ? ~0ull : 0);
}

void op_clc(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	cpu_set_rflags(c, 0, RF_CF);
}

void op_stc(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	cpu_set_rflags(c, RF_CF, RF_CF);
}

void op_cmc(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	cpu_set_rflags(c, cpu_get_cf(c) ? 0 : RF_CF, RF_CF);
}

/* DF is never lazy, so it is set in place. */
void op_cld(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	c->rflags &= ~RF_DF;
}

void op_std(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	c->rflags |= RF_DF;
}

/* LAHF: AH = SF:ZF:0:AF:0:PF:1:CF. */
void op_lahf(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	uint64_t f = cpu_get_rflags(c) & 0xFF;
	gpr_write(c, 4, 1, false, f); /* register 4 without REX is AH */
}

/* SAHF: SF, ZF, AF, PF, CF from AH (OF keeps its value). */
void op_sahf(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	cpu_set_rflags(c, c->gpr[RAX] >> 8,
		       RF_SF | RF_ZF | RF_AF | RF_PF | RF_CF);
}
