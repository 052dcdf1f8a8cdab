/*
 * cpu/ops_alu.c — integer ALU: ADD..CMP, TEST, INC/DEC, NOT/NEG, XADD, CMPXCHG.
 *
 * STUB: every handler raises #UD until implemented.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

void op_alu_EG(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_alu_GE(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_alu_EI(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_alu_AI(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_test_EG(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_test_EI(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_test_AI(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_inc_E(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_dec_E(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_not_E(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_neg_E(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_xadd_EG(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_cmpxchg_EG(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_cmpxchg8b16b_M(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}
