/*
 * cpu/ops_shift.c — shifts and rotates, SHLD/SHRD.
 *
 * STUB: every handler raises #UD until implemented.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

void op_shift_E1(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_shift_ECL(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_shift_EI(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_shld_EGI(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_shld_EGCL(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_shrd_EGI(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_shrd_EGCL(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}
