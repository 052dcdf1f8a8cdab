/*
 * cpu/ops_sse.c — SSE/SSE2 state instructions (LDMXCSR, FXSAVE...) and fences.
 *
 * STUB: every handler raises #UD until implemented.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

void op_ldmxcsr(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_stmxcsr(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_fxsave(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_fxrstor(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_fwait(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_lfence(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_mfence(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_sfence(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}
