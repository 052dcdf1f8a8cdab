/*
 * cpu/ops_string.c — string instructions with REP prefixes.
 *
 * STUB: every handler raises #UD until implemented.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

void op_movs(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_stos(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_lods(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_cmps(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_scas(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_ins(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_outs(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}
