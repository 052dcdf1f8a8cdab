/*
 * cpu/ops_branch.c — near branches: Jcc, JMP, CALL, RET, LOOP.
 *
 * STUB: every handler raises #UD until implemented.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

void op_jcc_J(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_jmp_J(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_jmp_E(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_call_J(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_call_E(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_ret(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_ret_I(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_loop_J(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_jrcxz_J(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}
