/*
 * cpu/ops_mov.c — data movement: MOV forms, MOVZX/MOVSX, LEA, XCHG, NOP.
 *
 * STUB: every handler raises #UD until implemented.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

void op_mov_EG(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_mov_GE(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_mov_EI(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_mov_ZI(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_mov_AO(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_mov_OA(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_movzx_GE(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_movsx_GE(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_movsxd_GE(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_lea_GM(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_xchg_EG(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_xchg_AZ(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_nop(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_pause(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_mov_ES(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_mov_SE(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_movnti_MG(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}
