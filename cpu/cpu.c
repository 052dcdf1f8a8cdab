/*
 * cpu/cpu.c — the core object: creation, power-on reset, state accessors.
 *
 * Reset follows the SDM's power-up state (Vol. 3A §9.1.1, Table 9-1):
 * real mode, CS = F000 with base FFFF0000, RIP = FFF0, CR0 = 60000010,
 * RFLAGS = 2, x87 FNINIT state, MXCSR = 1F80, PAT = 0007040600070406.
 * Loaders then put the core into a boot state (modes.c).
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_int.h"

struct cpu *cpu_create(struct physmem *mem, const struct cpu_env *env)
{
	struct cpu *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->icache = icache_create();
	if (!c->icache) {
		free(c);
		return NULL;
	}
	c->mem = mem;
	if (env)
		c->env = *env;
	c->cost = cost_default;
	cpu_reset(c);
	return c;
}

void cpu_destroy(struct cpu *c)
{
	if (!c)
		return;
	physmem_detach_tlb(c->mem, &c->tlb);
	icache_destroy(c->icache);
	free(c);
}

static void reset_segment(struct seg_cache *s, uint16_t sel, uint64_t base,
			  uint16_t type)
{
	s->sel = sel;
	s->base = base;
	s->limit = 0xFFFF;
	s->attr = SEGA_P | SEGA_S | type;
}

void cpu_reset(struct cpu *c)
{
	memset(c->gpr, 0, sizeof(c->gpr));
	c->gpr[RDX] = 0x600; /* family/model/stepping of a generic core */
	c->rip = 0xFFF0;
	c->rflags = RF_FIXED1;
	memset(&c->lf, 0, sizeof(c->lf));
	for (int i = 0; i < 6; i++)
		reset_segment(&c->seg[i], 0, 0, 0x3); /* data RW, accessed */
	reset_segment(&c->seg[SEG_CS], 0xF000, 0xFFFF0000ull, 0xB); /* code */
	memset(&c->ldtr, 0, sizeof(c->ldtr));
	c->ldtr.attr = SEGA_P | 0x2;
	c->ldtr.limit = 0xFFFF;
	memset(&c->tr, 0, sizeof(c->tr));
	c->tr.attr = SEGA_P | 0xB;
	c->tr.limit = 0xFFFF;
	c->gdtr = (struct dtr){0, 0xFFFF};
	c->idtr = (struct dtr){0, 0xFFFF};
	c->cr0 = CR0_CD | CR0_NW | CR0_ET;
	c->cr2 = c->cr3 = c->cr4 = c->cr8 = 0;
	memset(c->dr, 0, sizeof(c->dr));
	c->dr[6] = 0xFFFF0FF0;
	c->dr[7] = 0x400;
	c->efer = 0;
	memset(&c->msr, 0, sizeof(c->msr));
	c->msr.pat = 0x0007040600070406ull;
	c->msr.misc_enable = 1; /* fast-string operations enabled */
	c->msr.apic_base = 0xFEE00000ull | (1u << 11) | (1u << 8);
	memset(c->xmm, 0, sizeof(c->xmm));
	c->mxcsr = 0x1F80;
	memset(&c->fpu, 0, sizeof(c->fpu));
	c->fpu.fcw = 0x037F;
	c->fpu.ftw = 0xFFFF;
	cpu_set_cpl(c, 0);
	c->mode = MODE_REAL16;
	c->halted = c->stop_req = c->shadow = false;
	c->in_delivery = c->triple_fault = false;
	c->delivering = -1;
	c->last_fault = -1;
	/* All tags invalid: an all-ones pattern is TLB_INVALID. */
	memset(&c->tlb, 0xFF, sizeof(c->tlb));
	c->tlb.fills = c->tlb.flushes = 0;
}

cycles_t cpu_cycles(const struct cpu *c) { return c->cycles; }
uint64_t cpu_instret(const struct cpu *c) { return c->instret; }
void cpu_add_cycles(struct cpu *c, cycles_t n) { c->cycles += n; }

void cpu_advance_clock(struct cpu *c, cycles_t n)
{
	c->cycles += n;
	c->cpl_since += n;
}

cycles_t cpu_cycles_at_cpl(const struct cpu *c, int cpl)
{
	cycles_t n = c->cpl_cycles[cpl & 3];

	if ((cpl & 3) == c->cpl)
		n += c->cycles - c->cpl_since;
	return n;
}

uint64_t cpu_get_gpr(const struct cpu *c, enum gpr r) { return c->gpr[r & 15]; }
void cpu_set_gpr(struct cpu *c, enum gpr r, uint64_t v) { c->gpr[r & 15] = v; }
uint64_t cpu_get_rip(const struct cpu *c) { return c->rip; }
void cpu_set_rip(struct cpu *c, uint64_t rip) { c->rip = rip; }
int cpu_get_cpl(const struct cpu *c) { return c->cpl; }
bool cpu_in_long_mode(const struct cpu *c) { return c->mode == MODE_LONG64; }
bool cpu_in_protected_mode(const struct cpu *c)
{
	return (c->cr0 & CR0_PE) && !(c->rflags & RF_VM);
}
bool cpu_interrupts_enabled(const struct cpu *c) { return c->rflags & RF_IF; }

void cpu_set_log(struct cpu *c, void (*log)(void *opaque, const char *msg),
		 void *opaque)
{
	c->log = log;
	c->log_opaque = opaque;
}
