/*
 * cpu/ops_system.c — system instructions: MOV to/from CRn and DRn, LMSW,
 * SMSW, CLTS, INVLPG, SWAPGS, RDTSC/RDTSCP, RDMSR/WRMSR, CPUID, HLT,
 * CLI/STI, INT3/INT n/INTO/INT1, VMCALL, WBINVD/INVD, CLFLUSH, UD0/1/2.
 * The descriptor-table registers are in ops_desc.c, port I/O in ops_io.c,
 * IRET/SYSCALL/SYSRET and far transfers in modes.c.
 *
 * Spec: Intel SDM Vol. 2 (each instruction's page), Vol. 3A §2.5 (control
 * registers), §17.2 (debug registers), §6.8.1 (STI/MOV SS shadow).
 *
 * Invariants: privilege (CPL 0, IOPL, CR4.TSD/UMIP) is checked here, not by
 * the decoder, before any operand is touched; every access that can fault
 * happens before state changes. CR writes go through cpu_write_cr (modes.c,
 * which owns the architectural rules); RIP already points past the
 * instruction when a handler runs.
 */
#include <stddef.h>

#include "cpu/cpu_int.h"
#include "cpu/ops.h"
#include "cpu/ops_sys.h"

/* Operand size of MOV CR/DR: 64 bits in 64-bit mode, else 32 (66 ignored). */
static int crdr_size(const struct cpu *c)
{
	return c->mode == MODE_LONG64 ? 8 : 4;
}

/* ---- control registers --------------------------------------------------- */

/* CR0, CR2, CR3, CR4 and CR8 (TPR) exist; the other numbers are #UD. */
static const struct {
	bool exists;
	size_t off;
} cr_regs[16] = {
	[0] = {true, offsetof(struct cpu, cr0)},
	[2] = {true, offsetof(struct cpu, cr2)},
	[3] = {true, offsetof(struct cpu, cr3)},
	[4] = {true, offsetof(struct cpu, cr4)},
	[8] = {true, offsetof(struct cpu, cr8)},
};

/* The CR number in ModRM.reg (REX.R selects CR8-15); #UD if reserved. */
static int cr_number(struct cpu *c, const struct dinsn *d)
{
	int n = d->reg & 15;

	if (!cr_regs[n].exists)
		cpu_raise_ud(c);
	return n;
}

void op_mov_RC(struct cpu *c, const struct dinsn *d)
{
	int n = cr_number(c, d);
	uint64_t v;

	require_cpl0(c);
	v = *(const uint64_t *)((const char *)c + cr_regs[n].off);
	c->gpr[d->rm] = v & size_mask(crdr_size(c));
}

void op_mov_CR(struct cpu *c, const struct dinsn *d)
{
	int n = cr_number(c, d);

	require_cpl0(c);
	cpu_write_cr(c, n, c->gpr[d->rm] & size_mask(crdr_size(c)));
}

/* LMSW loads CR0 bits 3:0 (PE MP EM TS); it can set PE but not clear it. */
void op_lmsw(struct cpu *c, const struct dinsn *d)
{
	const uint64_t msw = CR0_PE | CR0_MP | CR0_EM | CR0_TS;
	uint64_t src;

	require_cpl0(c);
	src = rm_read(c, d, 2);
	cpu_write_cr(c, 0, (c->cr0 & ~(msw & ~CR0_PE)) | (src & msw));
}

/* SMSW: 16 bits to memory; a register gets CR0 at the operand size. */
void op_smsw(struct cpu *c, const struct dinsn *d)
{
	umip_check(c);
	rm_write(c, d, d->mod == 3 ? d->osize : 2, c->cr0);
}

void op_clts(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	require_cpl0(c);
	cpu_write_cr(c, 0, c->cr0 & ~CR0_TS);
}

/* ---- debug registers -------------------------------------------------------
 *
 * DR6:  31:16 1 | 15 BT 14 BS 13 BD | 12 0 | 11:4 1 | 3:0 B3..B0
 * DR7:  31:16 R/W, LEN | 15:14 0 | 13 GD | 12:11 0 | 10 1 | 9:0 GE LE G/L
 * Bits 63:32 of both are reserved: writing a 1 there is #GP(0).
 */
#define DR6_RW     0xE00Full
#define DR6_FIXED1 0xFFFF0FF0ull
#define DR6_BD     (1ull << 13)
#define DR7_RW     0xFFFF23FFull
#define DR7_FIXED1 0x400ull
#define DR7_GD     (1ull << 13)

/* Checks common to both directions; returns the register really meant
 * (DR4/DR5 alias DR6/DR7 unless CR4.DE). */
static int dr_access(struct cpu *c, const struct dinsn *d)
{
	int n = d->reg;

	if (n > 7) /* DR8-15 (REX.R) do not exist */
		cpu_raise_ud(c);
	require_cpl0(c);
	if (n == 4 || n == 5) {
		if (c->cr4 & CR4_DE)
			cpu_raise_ud(c);
		n += 2;
	}
	if (c->dr[7] & DR7_GD) {
		/* General detect: #DB (a fault) before the access; the
		 * processor sets DR6.BD and clears GD for the handler. */
		c->dr[6] |= DR6_BD;
		c->dr[7] &= ~DR7_GD;
		cpu_raise(c, EXC_DB, 0);
	}
	return n;
}

static uint64_t dr_value(const struct cpu *c, int n)
{
	if (n == 6)
		return (c->dr[6] & DR6_RW) | DR6_FIXED1;
	if (n == 7)
		return (c->dr[7] & DR7_RW) | DR7_FIXED1;
	return c->dr[n];
}

void op_mov_RD(struct cpu *c, const struct dinsn *d)
{
	int n = dr_access(c, d);

	c->gpr[d->rm] = dr_value(c, n) & size_mask(crdr_size(c));
}

void op_mov_DR(struct cpu *c, const struct dinsn *d)
{
	int n = dr_access(c, d);
	uint64_t v = c->gpr[d->rm] & size_mask(crdr_size(c));

	if (n >= 6 && (v >> 32))
		cpu_raise_gp0(c);
	if (n == 6)
		v = (v & DR6_RW) | DR6_FIXED1;
	else if (n == 7)
		v = (v & DR7_RW) | DR7_FIXED1;
	c->dr[n] = v;
}

/* ---- TLB and caches ------------------------------------------------------ */

/* Linear address of the memory operand without segment-limit or canonical
 * checks (INVLPG never faults on its operand). */
static uint64_t operand_linear_unchecked(const struct cpu *c,
					 const struct dinsn *d)
{
	uint64_t off = cpu_ea(c, d);

	if (c->mode == MODE_LONG64)
		return (d->seg == SEG_FS || d->seg == SEG_GS)
			       ? c->seg[d->seg].base + off
			       : off;
	return (uint32_t)(c->seg[d->seg].base + off);
}

void op_invlpg(struct cpu *c, const struct dinsn *d)
{
	require_cpl0(c);
	if (d->mod == 3)
		cpu_raise_ud(c);
	cpu_tlb_flush_page(c, operand_linear_unchecked(c, d));
}

/* WBINVD (0F 09) and INVD (0F 08): caches are not modelled. */
void op_wbinvd(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	require_cpl0(c);
}

/* CLFLUSH faults like a one-byte load (segment checks, then the page walk
 * for a read) and has no other architectural effect. The walk is done
 * without reading the byte so an MMIO line sees no access. */
void op_clflush(struct cpu *c, const struct dinsn *d)
{
	uint64_t lin = cpu_seg_lin(c, d->seg, cpu_ea(c, d), 1, ACC_READ);
	struct paging_state ps = {c->cr0, c->cr3, c->cr4, c->efer,
				  (c->rflags & RF_AC) != 0};
	unsigned acc = ACC_READ | (c->cpl == 3 ? ACC_USER : 0);
	struct walk_result w;
	uint32_t pf = mmu_walk(c->mem, &ps, lin, acc, &w);

	if (pf & MMU_FAULT)
		cpu_raise_pf(c, lin, pf & ~MMU_FAULT);
	cpu_charge(c, (cycles_t)cost_tlb_miss_walk * w.levels);
}

/* ---- SWAPGS, TSC, MSRs, CPUID -------------------------------------------- */

void op_swapgs(struct cpu *c, const struct dinsn *d)
{
	uint64_t gs = c->seg[SEG_GS].base;

	(void)d;
	if (c->mode != MODE_LONG64)
		cpu_raise_ud(c);
	require_cpl0(c);
	c->seg[SEG_GS].base = c->msr.kernel_gs_base;
	c->msr.kernel_gs_base = gs;
}

/* CLAC / STAC (0F 01 CA / CB): clear / set RFLAGS.AC, which lets the
 * kernel reach user pages under CR4.SMAP. #UD at CPL > 0 (SDM Vol. 2A),
 * not #GP; SMAP is advertised (cpu/cpuid.c), so they exist in every mode. */
void op_clac(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	if (c->cpl != 0)
		cpu_raise_ud(c);
	c->rflags &= ~RF_AC;
}

void op_stac(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	if (c->cpl != 0)
		cpu_raise_ud(c);
	c->rflags |= RF_AC;
}

/* Write a 64-bit value as EDX:EAX (upper halves of RAX/RDX cleared). */
static void set_edx_eax(struct cpu *c, uint64_t v)
{
	c->gpr[RAX] = (uint32_t)v;
	c->gpr[RDX] = v >> 32;
}

/* CR4.TSD restricts RDTSC/RDTSCP to CPL 0. */
static void tsc_check(struct cpu *c)
{
	if ((c->cr4 & CR4_TSD) && c->cpl != 0)
		cpu_raise_gp0(c);
}

void op_rdtsc(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	tsc_check(c);
	set_edx_eax(c, cpu_read_tsc(c));
}

void op_rdtscp(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	tsc_check(c);
	set_edx_eax(c, cpu_read_tsc(c));
	c->gpr[RCX] = (uint32_t)c->msr.tsc_aux;
}

/*
 * RDPMC: at CPL > 0 without CR4.PCE it is #GP(0); otherwise ECX must name
 * an existing counter, and this CPU model has none (CPUID leaf 0AH is not
 * advertised), so every index is invalid: #GP(0) in all cases.
 */
void op_rdpmc(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	cpu_raise_gp0(c);
}

void op_rdmsr(struct cpu *c, const struct dinsn *d)
{
	uint64_t v;

	(void)d;
	require_cpl0(c);
	if (!cpu_msr_read(c, (uint32_t)c->gpr[RCX], &v))
		cpu_raise_gp0(c);
	set_edx_eax(c, v);
}

void op_wrmsr(struct cpu *c, const struct dinsn *d)
{
	uint64_t v = (c->gpr[RDX] << 32) | (uint32_t)c->gpr[RAX];

	(void)d;
	require_cpl0(c);
	if (!cpu_msr_write(c, (uint32_t)c->gpr[RCX], v))
		cpu_raise_gp0(c);
}

void op_cpuid(struct cpu *c, const struct dinsn *d)
{
	uint32_t r[4];

	(void)d;
	cpu_cpuid(c, (uint32_t)c->gpr[RAX], (uint32_t)c->gpr[RCX], r);
	c->gpr[RAX] = r[0];
	c->gpr[RBX] = r[1];
	c->gpr[RCX] = r[2];
	c->gpr[RDX] = r[3];
}

/* ---- HLT, CLI, STI ------------------------------------------------------- */

/* The interpreter returns CPU_EXIT_HLT or sleeps until an interrupt. */
void op_hlt(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	require_cpl0(c);
	c->halted = true;
}

/* May CLI/STI change IF? Real mode: yes; protected mode: CPL <= IOPL;
 * virtual-8086 mode: IOPL = 3. (No VME/PVI: not advertised.) */
static void if_change_check(struct cpu *c)
{
	unsigned iopl = (unsigned)(c->rflags & RF_IOPL) >> 12;

	if (!(c->cr0 & CR0_PE))
		return;
	if ((c->rflags & RF_VM) ? iopl < 3 : c->cpl > iopl)
		cpu_raise_gp0(c);
}

void op_cli(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	if_change_check(c);
	c->rflags &= ~RF_IF;
}

/* STI that sets IF blocks interrupts until after the next instruction. */
void op_sti(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	if_change_check(c);
	if (!(c->rflags & RF_IF)) {
		c->rflags |= RF_IF;
		c->shadow = true;
	}
}

/* ---- software interrupts, VMCALL, #UD ------------------------------------ */

void op_int3(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	cpu_deliver(c, EXC_BP, EV_SOFTEXC, false, 0);
}

void op_int_I(struct cpu *c, const struct dinsn *d)
{
	cpu_deliver(c, (int)(d->imm & 0xFF), EV_SOFTINT, false, 0);
}

void op_into(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	if (c->mode == MODE_LONG64)
		cpu_raise_ud(c);
	if (cpu_cond(c, 0 /* O */))
		cpu_deliver(c, EXC_OF, EV_SOFTEXC, false, 0);
}

/*
 * BOUND r16/r32, m16&16 / m32&32 (62 /r, not in 64-bit mode): the memory
 * operand holds a signed lower then upper bound; an index outside
 * [lower, upper] raises #BR, a fault (RIP stays at BOUND). SDM Vol. 2A.
 */
void op_bound(struct cpu *c, const struct dinsn *d)
{
	int size = d->osize;
	if (d->mod == 3)
		cpu_raise_ud(c);
	uint64_t ea = cpu_ea(c, d);
	uint64_t amask = size_mask(d->asize);
	int shift = 64 - 8 * size;
	int64_t lower = (int64_t)(cpu_read(c, d->seg, ea, size) << shift) >> shift;
	int64_t upper = (int64_t)(cpu_read(c, d->seg, (ea + size) & amask, size)
				  << shift) >> shift;
	int64_t index = (int64_t)(reg_read(c, d, size) << shift) >> shift;
	if (index < lower || index > upper)
		cpu_raise(c, EXC_BR, 0);
}

/* INT1 / ICEBP (F1): a #DB delivered as a software exception. */
void op_int1(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	cpu_deliver(c, EXC_DB, EV_SOFTEXC, false, 0);
}

/* VMCALL is the hypercall intercept; the owner decides what it does at any
 * CPL. Without an owner (not in a VM) it is #UD. */
void op_vmcall(struct cpu *c, const struct dinsn *d)
{
	cycles_t cost = 0;
	int rc;

	(void)d;
	if (!c->env.vmcall)
		cpu_raise_ud(c);
	rc = c->env.vmcall(c->env.opaque, c, &cost);
	cpu_charge(c, cost);
	if (rc == ENV_GP)
		cpu_raise_gp0(c);
	if (rc == ENV_UNHANDLED)
		cpu_raise_ud(c);
}

/* UD0 (0F FF), UD1 (0F B9), UD2 (0F 0B) and undefined encodings. */
void op_ud(struct cpu *c, const struct dinsn *d)
{
	(void)d;
	cpu_raise_ud(c);
}
