/*
 * cpu/ops_sys.h — privilege checks shared by the system-instruction files
 * (ops_system.c, ops_desc.c, ops_io.c); private to them.
 *
 * The decoder does not know the CPL (decoded instructions are cached across
 * privilege levels), so every privileged handler checks it itself, before
 * touching any operand (SDM Vol. 3A §5.9: privilege faults come before
 * memory-operand faults).
 */
#ifndef HVSIM_CPU_OPS_SYS_H_
#define HVSIM_CPU_OPS_SYS_H_

#include "cpu/cpu_int.h"

/* CPL 0 only (real mode runs at CPL 0), else #GP(0). */
static inline void require_cpl0(struct cpu *c)
{
	if (c->cpl != 0)
		cpu_raise_gp0(c);
}

/* CR4.UMIP: SGDT, SIDT, SLDT, STR and SMSW at CPL > 0 raise #GP(0). */
static inline void umip_check(struct cpu *c)
{
	if ((c->cr4 & CR4_UMIP) && c->cpl > 0)
		cpu_raise_gp0(c);
}

/* Protected mode proper: CR0.PE and not virtual-8086. LLDT/LTR/SLDT/STR
 * are #UD elsewhere. */
static inline bool in_protected_mode(const struct cpu *c)
{
	return (c->cr0 & CR0_PE) && !(c->rflags & RF_VM);
}

#endif
