/*
 * cpu/ops_stack.c — stack: PUSH/POP forms, ENTER/LEAVE.
 *
 * STUB: every handler raises #UD until implemented.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

void op_push_Z(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_pop_Z(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_push_E(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_pop_E(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_push_I(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_pushf(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_popf(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_push_S(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_pop_S(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_enter(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_leave(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_pusha(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_popa(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}
