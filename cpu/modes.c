/* cpu/modes.c — not written yet (stubs so the build links). */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

void op_iret(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_syscall(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_sysret(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_jmp_far_A(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_jmp_far_M(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_call_far_A(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_call_far_M(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_retf(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_retf_I(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

