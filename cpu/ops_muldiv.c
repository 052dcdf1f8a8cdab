/*
 * cpu/ops_muldiv.c — MUL/IMUL/DIV/IDIV.
 *
 * STUB: every handler raises #UD until implemented.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

void op_mul_E(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_imul1_E(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_div_E(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_idiv_E(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_imul_GE(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_imul_GEI(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}
