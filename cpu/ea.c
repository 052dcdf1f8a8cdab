/*
 * cpu/ea.c — effective addresses and ModRM r/m operand access.
 *
 * Models the address computation of Intel SDM Vol. 2A §2.1.5 (ModRM/SIB
 * forms, 16-bit and 32/64-bit tables 2-1..2-3) and §2.2.1.6 (RIP-relative
 * addressing in 64-bit mode). The decoder has already resolved the form:
 * dinsn.base/index name GPRs (BX/BP/SI/DI for 16-bit addressing, where
 * scale is 0), BASE_RIP means "the next instruction's address", and
 * dinsn.seg is the effective segment (SS for BP/SP/RBP/RSP bases unless
 * overridden). This file only adds and masks.
 *
 * Invariants: the result is an offset within the segment, truncated to the
 * address size (2, 4 or 8 bytes); segmentation, canonical checks and
 * paging happen later in mem.c. Register operands follow the REX
 * byte-register rule (AH..BH without REX, SPL..DIL with it).
 */
#include "cpu/cpu_int.h"
#include "cpu/mem.h"

uint64_t cpu_ea(const struct cpu *c, const struct dinsn *d)
{
	uint64_t ea = (uint64_t)(int64_t)d->disp;

	if (d->base == BASE_RIP)
		ea += next_rip(c, d);
	else if (d->base != BASE_NONE)
		ea += c->gpr[d->base & 15];
	if (d->index != INDEX_NONE)
		ea += c->gpr[d->index & 15] << (d->scale & 3);
	/* Wrap-around is modulo the address size: adding full 64-bit
	 * registers and masking at the end gives the same low bits. */
	return ea & size_mask(d->asize);
}

uint64_t rm_read_mem(struct cpu *c, const struct dinsn *d, int size)
{
	return mem_read(c, d->seg, cpu_ea(c, d), size);
}

void rm_write_mem(struct cpu *c, const struct dinsn *d, int size, uint64_t v)
{
	mem_write(c, d->seg, cpu_ea(c, d), size, v);
}
