/*
 * cpu/ops_system.c — system instructions.
 *
 * STUB: every handler raises #UD until implemented.
 */
#include "cpu/cpu_int.h"
#include "cpu/ops.h"

void op_mov_RC(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_mov_CR(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_mov_RD(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_mov_DR(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_lgdt(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_lidt(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_sgdt(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_sidt(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_lmsw(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_smsw(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_invlpg(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_swapgs(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_rdtscp(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_vmcall(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_sldt(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_str(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_lldt(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_ltr(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_rdmsr(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_wrmsr(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_rdtsc(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_cpuid(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_hlt(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_cli(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_sti(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_clts(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_in_AI(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_in_AD(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_out_IA(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_out_DA(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_int3(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_int_I(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_into(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_int1(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_wbinvd(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_clflush(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}

void op_ud(struct cpu *c, const struct dinsn *d)
{
	cpu_unimplemented(c, d);
}
