/*
 * cpu/ops_bit.c — bit tests and scans, SETcc/CMOVcc, sign extension, flag instructions.
 *
 * STUB: every handler raises #UD until implemented.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

void op_bt_EG(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_bt_EI(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_bsf_GE(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_bsr_GE(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_tzcnt_GE(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_lzcnt_GE(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_popcnt_GE(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_bswap_Z(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_setcc_E(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_cmovcc_GE(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_cbw(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_cwd(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_clc(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_stc(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_cmc(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_cld(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_std(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_lahf(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_sahf(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}
