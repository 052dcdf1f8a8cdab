/*
 * cpu/modes.c — operating modes: the derived mode and CPL, control-register
 * and EFER writes with their architectural checks, SYSCALL/SYSRET, and the
 * boot states the loaders start guests in.
 *
 * Spec: Intel SDM Vol. 3A §2.5 (CR0/CR3/CR4/CR8 and their reserved bits),
 * §2.2.1 (IA32_EFER), §9.8.5 (activating IA-32e mode: LME, then CR0.PG sets
 * LMA; a far jump to an L=1 code segment enters 64-bit mode), §5.8.8
 * (SYSCALL/SYSRET); Vol. 2A/2B MOV CR, SYSCALL, SYSRET "Operation".
 *
 * Model facts: MAXPHYADDR is 40 (cpuid.c advertises 40), CR4 accepts only
 * the features cpuid.c advertises, and SYSRET follows Intel: a
 * non-canonical RCX raises #GP(0) while still at CPL 0.
 * CPL is SS.DPL (the VMX definition, SDM Vol. 3C §26.3.1.2), which stays
 * right in the window after CR0.PE is set and before the far jump that
 * reloads CS. Every function that changes CS, CR0 or EFER ends with
 * cpu_update_mode(), which also gives the decoder its mode.
 */
#include <string.h>

#include "cpu/ops.h"
#include "cpu/sysarch.h"

#define MAXPHYADDR     40
#define BOOT_GDT_LIMIT 0x1F /* four 8-byte descriptors */

void cpu_update_mode(struct cpu *c)
{
	uint16_t cs = c->seg[SEG_CS].attr;

	if (!(c->cr0 & CR0_PE)) {
		c->mode = MODE_REAL16;
		cpu_set_cpl(c, 0);
		return;
	}
	if ((c->efer & EFER_LMA) && (cs & SEGA_L))
		c->mode = MODE_LONG64;
	else
		c->mode = (cs & SEGA_DB) ? MODE_PROT32 : MODE_PROT16;
	cpu_set_cpl(c, (c->rflags & RF_VM)
			   ? 3
			   : (uint8_t)SEGA_DPL(c->seg[SEG_SS].attr));
}

/* ---- control registers --------------------------------------------------- */

#define CR0_WRITABLE                                                           \
	(CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP |        \
	 CR0_AM | CR0_NW | CR0_CD | CR0_PG)
/* Exactly the CR4 features the CPUID model advertises (TSD comes with
 * CPUID.01H:EDX.TSC; VME, PVI, PCIDE, OSXSAVE, FSGSBASE are not offered). */
#define CR4_SUPPORTED                                                          \
	(CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE | CR4_PCE |  \
	 CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_UMIP | CR4_SMEP | CR4_SMAP)
/* CR4 bits cached in TLB entries: a change flushes global pages too. */
#define CR4_TLB_BITS (CR4_PSE | CR4_PAE | CR4_PGE | CR4_SMEP | CR4_SMAP)

/* CR0: bits 63:32 #GP; reserved bits in 31:0 are ignored and ET reads 1.
 * Setting PG with EFER.LME activates IA-32e mode (LMA = 1); clearing it
 * (only from compatibility mode) deactivates it. */
static void write_cr0(struct cpu *c, uint64_t v)
{
	uint64_t old = c->cr0;
	bool pg_on, pg_off;

	if (v >> 32)
		cpu_raise_gp0(c);
	v = (v & CR0_WRITABLE) | CR0_ET;
	if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
		cpu_raise_gp0(c);
	pg_on = (v & CR0_PG) && !(old & CR0_PG);
	pg_off = !(v & CR0_PG) && (old & CR0_PG);
	if (pg_on && (c->efer & EFER_LME) &&
	    (!(c->cr4 & CR4_PAE) || (c->seg[SEG_CS].attr & SEGA_L)))
		cpu_raise_gp0(c);
	if (pg_off && c->mode == MODE_LONG64)
		cpu_raise_gp0(c);
	c->cr0 = v;
	if (pg_on && (c->efer & EFER_LME))
		c->efer |= EFER_LMA;
	if (pg_off)
		c->efer &= ~EFER_LMA;
	if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE))
		cpu_tlb_flush(c, false);
	cpu_update_mode(c);
}

static void write_cr4(struct cpu *c, uint64_t v)
{
	uint64_t old = c->cr4;

	if ((v & ~CR4_SUPPORTED) || ((c->efer & EFER_LMA) && !(v & CR4_PAE)))
		cpu_raise_gp0(c);
	c->cr4 = v;
	if ((old ^ v) & CR4_TLB_BITS)
		cpu_tlb_flush(c, false);
}

void cpu_write_cr(struct cpu *c, int n, uint64_t v)
{
	switch (n) {
	case 0:
		write_cr0(c, v);
		break;
	case 2:
		c->cr2 = v;
		break;
	case 3:
		if (v >> MAXPHYADDR)
			cpu_raise_gp0(c);
		c->cr3 = v;
		cpu_tlb_flush(c, true);
		break;
	case 4:
		write_cr4(c, v);
		break;
	case 8:
		if (v & ~0xFull)
			cpu_raise_gp0(c);
		c->cr8 = v;
		break;
	default:
		cpu_raise_ud(c); /* CR1, CR5-CR7, CR9-CR15 */
	}
}

/* EFER: SCE, LME, NXE writable; LMA is read-only (ignored on write);
 * LME may not change while paging is on. */
void cpu_set_efer(struct cpu *c, uint64_t v)
{
	const uint64_t writable = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;

	if (v & ~writable)
		cpu_raise_gp0(c);
	if (((v ^ c->efer) & EFER_LME) && (c->cr0 & CR0_PG))
		cpu_raise_gp0(c);
	v = (v & ~EFER_LMA) | (c->efer & EFER_LMA);
	if ((v ^ c->efer) & EFER_NXE)
		cpu_tlb_flush(c, false);
	c->efer = v;
	cpu_update_mode(c);
}

/* ---- SYSCALL / SYSRET (SDM Vol. 3A §5.8.8) -------------------------------
 * STAR[47:32] is the kernel CS (SS = CS + 8); STAR[63:48] the user base:
 * 64-bit user CS = base + 16, 32-bit user CS = base, SS = base + 8. The
 * segment caches are loaded with fixed flat values, not from the GDT. */

/* 0F 05 */
void op_syscall(struct cpu *c, const struct dinsn *d)
{
	uint16_t sel = (uint16_t)(c->msr.star >> 32);
	uint64_t fl;

	if (!(c->efer & EFER_SCE) || c->mode != MODE_LONG64)
		cpu_raise_ud(c);
	fl = cpu_get_rflags(c) & ~RF_RF;
	c->gpr[RCX] = next_rip(c, d);
	c->gpr[R11] = fl;
	c->seg[SEG_CS] = seg_flat(sel & 0xFFFC, ATTR_CODE64);
	c->seg[SEG_SS] = seg_flat((uint16_t)(sel + 8), ATTR_DATA);
	c->rip = c->msr.lstar;
	cpu_set_rflags(c, (fl & ~c->msr.sfmask) | RF_FIXED1, ~0ull);
	cpu_update_mode(c);
}

/* RFLAGS bits SYSRET loads from R11: all but RF, VM and the reserved. */
#define SYSRET_FLAGS 0x3C7FD7ull

/* 0F 07: REX.W returns to 64-bit code, otherwise to compatibility mode. */
void op_sysret(struct cpu *c, const struct dinsn *d)
{
	uint16_t base = (uint16_t)(c->msr.star >> 48);
	bool to64 = (d->pfx & PFX_REXW) != 0;
	uint64_t rcx = c->gpr[RCX];

	if (!(c->efer & EFER_SCE) || c->mode != MODE_LONG64)
		cpu_raise_ud(c);
	if (c->cpl != 0)
		cpu_raise_gp0(c);
	if (to64 && !cpu_is_canonical(rcx))
		cpu_raise_gp0(c); /* Intel: the #GP is taken at CPL 0 */
	if (to64)
		c->seg[SEG_CS] = seg_flat((uint16_t)((base + 16) | 3),
					  ATTR_CODE64 | ATTR_DPL(3));
	else
		c->seg[SEG_CS] =
		    seg_flat((uint16_t)(base | 3), ATTR_CODE32 | ATTR_DPL(3));
	c->seg[SEG_SS] =
	    seg_flat((uint16_t)((base + 8) | 3), ATTR_DATA | ATTR_DPL(3));
	c->rip = to64 ? rcx : (uint32_t)rcx;
	cpu_set_rflags(c, (c->gpr[R11] & SYSRET_FLAGS) | RF_FIXED1, ~0ull);
	cpu_update_mode(c);
}

/* ---- boot states (docs/BOOT.md) ------------------------------------------ */

/* The boot GDT: null, 0x08 code64, 0x10 data, 0x18 code32; all DPL 0,
 * flat, accessed bits preset so loads need not write them. */
static const uint64_t boot_gdt[4] = {
    0, 0x00AF9B000000FFFFull, /* G L P S type=B (execute/read, accessed) */
    0x00CF93000000FFFFull,    /* G DB P S type=3 (read/write, accessed) */
    0x00CF9B000000FFFFull,    /* G DB P S type=B */
};

int cpu_write_boot_gdt(struct physmem *mem, uint64_t gdt_gpa)
{
	if (physmem_copy_to(mem, gdt_gpa, boot_gdt, sizeof(boot_gdt)) != 0)
		return -1;
	return (int)sizeof(boot_gdt);
}

/* What both boot states share: no IDT, LDTR and TR at their power-on
 * values (SDM Vol. 3A Table 9-1), RFLAGS = 2, the boot GDT at gdt_gpa. */
static void boot_common(struct cpu *c, uint64_t gdt_gpa)
{
	struct seg_cache ldtr = {.sel = 0, .attr = 0x82, .limit = 0xFFFF};
	struct seg_cache tr = {.sel = 0, .attr = 0x8B, .limit = 0xFFFF};

	c->gdtr.base = gdt_gpa;
	c->gdtr.limit = BOOT_GDT_LIMIT;
	c->idtr.base = 0;
	c->idtr.limit = 0;
	c->ldtr = ldtr;
	c->tr = tr;
	cpu_set_rflags(c, RF_FIXED1, ~0ull);
	c->shadow = false;
	c->halted = false;
}

/* Multiboot v1 hand-off: flat 32-bit code (0x18) and data (0x10), paging
 * off. The selectors match the boot GDT, so a loader that also calls
 * cpu_write_boot_gdt(mem, 0x800) gives a kernel that reloads them before
 * installing its own GDT consistent descriptors. */
void cpu_setup_protected32(struct cpu *c)
{
	static const int data_segs[] = {SEG_ES, SEG_SS, SEG_DS, SEG_FS, SEG_GS};

	boot_common(c, 0x800);
	c->cr0 = CR0_PE | CR0_ET;
	c->cr3 = 0;
	c->cr4 = 0;
	c->efer = 0;
	c->seg[SEG_CS] = seg_flat(0x18, ATTR_CODE32);
	for (unsigned i = 0; i < sizeof(data_segs) / sizeof(data_segs[0]); i++)
		c->seg[data_segs[i]] = seg_flat(0x10, ATTR_DATA);
	cpu_tlb_flush(c, false);
	cpu_update_mode(c);
}

/* hvsim native boot: 64-bit mode, paging on with `cr3`, SSE enabled,
 * x87 in its FNINIT state. GPRs (RSP, RDI) are the loader's to set. */
void cpu_setup_long64(struct cpu *c, uint64_t cr3, uint64_t gdt_gpa)
{
	static const struct seg_cache null_seg = {0};

	boot_common(c, gdt_gpa);
	c->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	c->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	c->efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	c->cr3 = cr3;
	c->seg[SEG_CS] = seg_flat(0x08, ATTR_CODE64);
	c->seg[SEG_DS] = seg_flat(0x10, ATTR_DATA);
	c->seg[SEG_ES] = seg_flat(0x10, ATTR_DATA);
	c->seg[SEG_SS] = seg_flat(0x10, ATTR_DATA);
	c->seg[SEG_FS] = null_seg;
	c->seg[SEG_GS] = null_seg;
	c->fpu.fcw = 0x037F;
	c->fpu.fsw = 0;
	c->fpu.ftw = 0xFFFF;
	c->fpu.top = 0;
	c->fpu.fop = 0;
	c->fpu.fip = 0;
	c->fpu.fdp = 0;
	c->mxcsr = 0x1F80;
	cpu_tlb_flush(c, false);
	cpu_update_mode(c);
}

/* ---- INIT and SIPI (hv/vapic.c delivers them) ----------------------------
 * INIT keeps what Table 9-1's INIT column keeps (x87/SSE, MSRs, DR0-DR3,
 * CR0.CD/NW, the clock) and puts the rest in its power-up state. */

#define RESET_CS_BASE 0xFFFF0000ull
#define RESET_RIP     0xFFF0u

void cpu_init_signal(struct cpu *c)
{
	struct cpu_msrs msr = c->msr;
	union xmm xmm[16];
	struct fpu fpu = c->fpu;
	uint32_t mxcsr = c->mxcsr;
	uint64_t dr[4], cd_nw = c->cr0 & (CR0_CD | CR0_NW);

	memcpy(xmm, c->xmm, sizeof(xmm));
	memcpy(dr, c->dr, sizeof(dr));
	cpu_reset(c); /* power-up state; also the time-neutral CPL 0 switch */
	c->msr = msr;
	memcpy(c->xmm, xmm, sizeof(xmm));
	c->fpu = fpu;
	c->mxcsr = mxcsr;
	memcpy(c->dr, dr, sizeof(dr));
	c->cr0 = cd_nw | CR0_ET;
	c->halted = true; /* wait-for-SIPI */
	cpu_tlb_flush(c, false);
}

bool cpu_at_reset_vector(const struct cpu *c)
{
	/* CS.base FFFF0000 with CR0.PE=0 is reachable only through RESET or
	 * INIT (a real-mode CS load gives base = selector << 4 < 1 MiB). */
	return !(c->cr0 & CR0_PE) && c->seg[SEG_CS].base == RESET_CS_BASE &&
	       c->rip == RESET_RIP;
}

void cpu_start_at_sipi(struct cpu *c, uint8_t vector)
{
	c->seg[SEG_CS].sel = (uint16_t)(vector << 8);
	c->seg[SEG_CS].base = (uint64_t)vector << 12;
	c->seg[SEG_CS].limit = 0xFFFF;
	c->rip = 0;
	c->halted = false;
	cpu_update_mode(c);
}

void cpu_end_run_by(struct cpu *c, cycles_t when)
{
	if (when < c->run_end)
		c->run_end = when > c->cycles ? when : c->cycles;
}
