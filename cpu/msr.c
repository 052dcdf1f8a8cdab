/*
 * cpu/msr.c — the MSRs the core itself owns, as a table of
 * {first, last, name, read, write} rows.
 *
 * Spec: Intel SDM Vol. 4 (Table 2-2, architectural MSRs), Vol. 3A §11.11
 * (MTRRs), §11.12 (PAT), §17.17 (TSC), §5.8.8
 * (SYSCALL MSRs). MAXPHYADDR is 40, as CPUID 0x80000008 advertises.
 *
 * Contract: a write function returns false when the value is illegal (the
 * caller, WRMSR, raises #GP(0)); nothing is changed then. EFER goes through
 * cpu_set_efer, which raises #GP itself (so cpu_msr_write may longjmp; call
 * it only while executing an instruction). MSRs not in the table go to the
 * owner's env->rdmsr/wrmsr hooks (the hypervisor's synthetic MSRs); without
 * a hook, or when the hook does not know the MSR, the access fails.
 * State lives in c->msr, except EFER (c->efer) and FS/GS base (c->seg[]).
 * IA32_APIC_BASE (0x1B) and IA32_TSC_DEADLINE (0x6E0) are not the core's:
 * they belong to the local APIC, which the owner models (hv/vapic.c), so
 * they leave through env->rdmsr/wrmsr like the synthetic MSRs.
 */
#include <stddef.h>

#include "cpu/cpu_int.h"

#define MAXPHYADDR 40
/* Address bits 12..MAXPHYADDR-1 (page frame of a physical address). */
#define PHYS_PAGE_BITS (((1ull << MAXPHYADDR) - 1) & ~0xFFFull)

/* IA32_MTRRCAP: 7:0 VCNT = 8 variable ranges, 8 FIX, 10 WC supported. */
#define MTRR_VCNT   8
#define MTRRCAP_VAL (MTRR_VCNT | 1ull << 8 | 1ull << 10)
/* IA32_MTRR_DEF_TYPE: 7:0 default type, 10 FE, 11 E. */
#define MTRR_DEF_VALID (0xFFull | 1ull << 10 | 1ull << 11)
/* PHYSMASKn bit 11: the range is valid. */
#define MTRR_MASK_V (1ull << 11)

/* IA32_MISC_ENABLE: 0 fast strings, 3 automatic thermal control, 16 EIST,
 * 22 limit CPUID maxval (cpuid.c honours it), 23 xTPR disable are R/W;
 * 11 BTS unavailable and 12 PEBS unavailable read as 1 (no such
 * facilities); every other bit is reserved. */
#define MISC_RW \
	(1ull << 0 | 1ull << 3 | 1ull << 16 | 1ull << 22 | 1ull << 23)
#define MISC_RO1   (1ull << 11 | 1ull << 12)

struct msr_row;
typedef bool (*msr_read_fn)(struct cpu *c, const struct msr_row *row,
			    uint32_t msr, uint64_t *val);
typedef bool (*msr_write_fn)(struct cpu *c, const struct msr_row *row,
			     uint32_t msr, uint64_t val);

struct msr_row {
	uint32_t first, last; /* inclusive range of indices */
	const char *name;
	size_t slot;          /* offsetof the value in struct cpu, if stored */
	msr_read_fn read;
	msr_write_fn write;   /* NULL: read-only, writes #GP */
};

/* ---- value checks ------------------------------------------------------ */

/* Memory types an MTRR may hold: UC 0, WC 1, WT 4, WP 5, WB 6. */
static bool mtrr_type_ok(uint64_t t)
{
	return t == 0 || t == 1 || (t >= 4 && t <= 6);
}

/* Every byte of a fixed-range MTRR is a memory type. */
static bool mtrr_fixed_ok(uint64_t v)
{
	for (int i = 0; i < 8; i++)
		if (!mtrr_type_ok((v >> (8 * i)) & 0xFF))
			return false;
	return true;
}

/* Every byte of the PAT is a PAT type: UC 0, WC 1, WT 4, WP 5, WB 6, UC- 7. */
static bool pat_ok(uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		uint64_t t = (v >> (8 * i)) & 0xFF;

		if (!(t == 0 || t == 1 || (t >= 4 && t <= 7)))
			return false;
	}
	return true;
}

/* ---- time ------------------------------------------------------------- */

uint64_t cpu_read_tsc(struct cpu *c)
{
	return c->cycles + (uint64_t)c->msr.tsc_offset;
}

int64_t cpu_tsc_offset(const struct cpu *c)
{
	return c->msr.tsc_offset;
}

static bool rd_tsc(struct cpu *c, const struct msr_row *row, uint32_t msr,
		   uint64_t *val)
{
	(void)row;
	(void)msr;
	*val = cpu_read_tsc(c);
	return true;
}

/* Writing the TSC moves the offset so that it reads back the value written
 * and keeps counting from there. */
static bool wr_tsc(struct cpu *c, const struct msr_row *row, uint32_t msr,
		   uint64_t val)
{
	(void)row;
	(void)msr;
	c->msr.tsc_offset = (int64_t)(val - c->cycles);
	return true;
}

/* ---- stored values, with per-MSR legality ------------------------------- */

static uint64_t *slot(struct cpu *c, const struct msr_row *row)
{
	return (uint64_t *)((char *)c + row->slot);
}

static bool rd_slot(struct cpu *c, const struct msr_row *row, uint32_t msr,
		    uint64_t *val)
{
	(void)msr;
	*val = *slot(c, row);
	return true;
}

/* Any 64-bit value (STAR). */
static bool wr_any(struct cpu *c, const struct msr_row *row, uint32_t msr,
		   uint64_t val)
{
	(void)msr;
	*slot(c, row) = val;
	return true;
}

/* An address that must be canonical (LSTAR, CSTAR, SYSENTER_ESP/EIP,
 * FS_BASE, GS_BASE, KERNEL_GS_BASE). */
static bool wr_canonical(struct cpu *c, const struct msr_row *row,
			 uint32_t msr, uint64_t val)
{
	(void)msr;
	if (!cpu_is_canonical(val))
		return false;
	*slot(c, row) = val;
	return true;
}

/* Bits 63:32 reserved (FMASK, TSC_AUX). */
static bool wr_low32(struct cpu *c, const struct msr_row *row, uint32_t msr,
		     uint64_t val)
{
	(void)msr;
	if (val >> 32)
		return false;
	*slot(c, row) = val;
	return true;
}

/* SYSENTER_CS: the selector MSR keeps only its low 32 bits. */
static bool wr_sysenter_cs(struct cpu *c, const struct msr_row *row,
			   uint32_t msr, uint64_t val)
{
	(void)msr;
	*slot(c, row) = (uint32_t)val;
	return true;
}

/* The read-only bits read as 1 whatever is stored (reset stores 0). */
static bool rd_misc_enable(struct cpu *c, const struct msr_row *row,
			   uint32_t msr, uint64_t *val)
{
	(void)msr;
	*val = *slot(c, row) | MISC_RO1;
	return true;
}

/* Read-only bits ignore the write; reserved bits must be 0. */
static bool wr_misc_enable(struct cpu *c, const struct msr_row *row,
			   uint32_t msr, uint64_t val)
{
	(void)msr;
	if (val & ~(MISC_RW | MISC_RO1))
		return false;
	*slot(c, row) = val & MISC_RW;
	return true;
}

static bool wr_pat(struct cpu *c, const struct msr_row *row, uint32_t msr,
		   uint64_t val)
{
	(void)msr;
	if (!pat_ok(val))
		return false;
	*slot(c, row) = val;
	return true;
}

/* modes.c owns the EFER rules (and the mode change that may follow). */
static bool wr_efer(struct cpu *c, const struct msr_row *row, uint32_t msr,
		    uint64_t val)
{
	(void)row;
	(void)msr;
	cpu_set_efer(c, val); /* raises #GP(0) on illegal values */
	return true;
}

/* ---- microcode signature ------------------------------------------------ */

/* IA32_BIOS_SIGN_ID: software writes 0, runs CPUID, then reads the loaded
 * microcode update's revision from bits 63:32 (SDM Vol. 3A §10.11.7). A
 * virtual CPU has no microcode update: revision 0, and writes only arm
 * that read, so they are accepted and have no effect. */
static bool rd_bios_sign_id(struct cpu *c, const struct msr_row *row,
			    uint32_t msr, uint64_t *val)
{
	(void)c;
	(void)row;
	(void)msr;
	*val = 0;
	return true;
}

static bool wr_bios_sign_id(struct cpu *c, const struct msr_row *row,
			    uint32_t msr, uint64_t val)
{
	(void)c;
	(void)row;
	(void)msr;
	(void)val;
	return true;
}

/* ---- MTRRs -------------------------------------------------------------- */

static bool rd_mtrrcap(struct cpu *c, const struct msr_row *row, uint32_t msr,
		       uint64_t *val)
{
	(void)c;
	(void)row;
	(void)msr;
	*val = MTRRCAP_VAL;
	return true;
}

static bool wr_mtrr_def_type(struct cpu *c, const struct msr_row *row,
			     uint32_t msr, uint64_t val)
{
	(void)msr;
	if ((val & ~MTRR_DEF_VALID) || !mtrr_type_ok(val & 0xFF))
		return false;
	*slot(c, row) = val;
	return true;
}

/* Fixed-range MTRRs: 0x250 (64K), 0x258-0x259 (16K), 0x268-0x26F (4K),
 * kept in mtrr_fix[0], [1..2], [3..10]. The others in 0x250..0x26F do not
 * exist. */
static uint64_t *mtrr_fix_slot(struct cpu *c, uint32_t msr)
{
	if (msr == MSR_IA32_MTRR_FIX64K)
		return &c->msr.mtrr_fix[0];
	if (msr == 0x258 || msr == 0x259)
		return &c->msr.mtrr_fix[1 + (msr - 0x258)];
	if (msr >= 0x268 && msr <= 0x26F)
		return &c->msr.mtrr_fix[3 + (msr - 0x268)];
	return NULL;
}

static bool rd_mtrr_fix(struct cpu *c, const struct msr_row *row,
			uint32_t msr, uint64_t *val)
{
	uint64_t *p = mtrr_fix_slot(c, msr);

	(void)row;
	if (!p)
		return false;
	*val = *p;
	return true;
}

static bool wr_mtrr_fix(struct cpu *c, const struct msr_row *row,
			uint32_t msr, uint64_t val)
{
	uint64_t *p = mtrr_fix_slot(c, msr);

	(void)row;
	if (!p || !mtrr_fixed_ok(val))
		return false;
	*p = val;
	return true;
}

/* Variable ranges: PHYSBASEn at 0x200 + 2n (7:0 type, 12+ base),
 * PHYSMASKn at 0x201 + 2n (11 valid, 12+ mask); kept in mtrr_var[]. */
static bool rd_mtrr_var(struct cpu *c, const struct msr_row *row,
			uint32_t msr, uint64_t *val)
{
	(void)row;
	*val = c->msr.mtrr_var[msr - MSR_IA32_MTRR_PHYSBASE0];
	return true;
}

static bool wr_mtrr_var(struct cpu *c, const struct msr_row *row,
			uint32_t msr, uint64_t val)
{
	unsigned i = msr - MSR_IA32_MTRR_PHYSBASE0;
	bool is_mask = i & 1;
	uint64_t legal = PHYS_PAGE_BITS | (is_mask ? MTRR_MASK_V : 0xFF);

	(void)row;
	if (val & ~legal)
		return false;
	if (!is_mask && !mtrr_type_ok(val & 0xFF))
		return false;
	c->msr.mtrr_var[i] = val;
	return true;
}

/* ---- the table ---------------------------------------------------------- */

#define AT(field) offsetof(struct cpu, field)
#define ONE(msr, name, field, rd, wr) {msr, msr, name, AT(field), rd, wr}

static const struct msr_row msr_table[] = {
	/* ONE(index, name, storage in struct cpu, read, write) */
	ONE(MSR_IA32_TSC, "IA32_TSC", msr.tsc_offset,
	    rd_tsc, wr_tsc),
	{MSR_IA32_BIOS_SIGN_ID, MSR_IA32_BIOS_SIGN_ID,
	 "IA32_BIOS_SIGN_ID", 0 /* nothing stored */,
	 rd_bios_sign_id, wr_bios_sign_id},
	{MSR_IA32_MTRRCAP, MSR_IA32_MTRRCAP,
	 "IA32_MTRRCAP", 0 /* computed */,
	 rd_mtrrcap, NULL},
	ONE(MSR_IA32_SYSENTER_CS, "IA32_SYSENTER_CS", msr.sysenter_cs,
	    rd_slot, wr_sysenter_cs),
	ONE(MSR_IA32_SYSENTER_ESP, "IA32_SYSENTER_ESP", msr.sysenter_esp,
	    rd_slot, wr_canonical),
	ONE(MSR_IA32_SYSENTER_EIP, "IA32_SYSENTER_EIP", msr.sysenter_eip,
	    rd_slot, wr_canonical),
	ONE(MSR_IA32_MISC_ENABLE, "IA32_MISC_ENABLE", msr.misc_enable,
	    rd_misc_enable, wr_misc_enable),
	{MSR_IA32_MTRR_PHYSBASE0, MSR_IA32_MTRR_PHYSBASE0 + 2 * MTRR_VCNT - 1,
	 "IA32_MTRR_PHYSBASE/PHYSMASKn", AT(msr.mtrr_var),
	 rd_mtrr_var, wr_mtrr_var},
	{MSR_IA32_MTRR_FIX64K, 0x26F,
	 "IA32_MTRR_FIX64K/16K/4K", AT(msr.mtrr_fix),
	 rd_mtrr_fix, wr_mtrr_fix},
	ONE(MSR_IA32_PAT, "IA32_PAT", msr.pat,
	    rd_slot, wr_pat),
	ONE(MSR_IA32_MTRR_DEF_TYPE, "IA32_MTRR_DEF_TYPE", msr.mtrr_def_type,
	    rd_slot, wr_mtrr_def_type),
	ONE(MSR_EFER, "IA32_EFER", efer,
	    rd_slot, wr_efer),
	ONE(MSR_STAR, "IA32_STAR", msr.star,
	    rd_slot, wr_any),
	ONE(MSR_LSTAR, "IA32_LSTAR", msr.lstar,
	    rd_slot, wr_canonical),
	ONE(MSR_CSTAR, "IA32_CSTAR", msr.cstar,
	    rd_slot, wr_canonical),
	ONE(MSR_SFMASK, "IA32_FMASK", msr.sfmask,
	    rd_slot, wr_low32),
	ONE(MSR_FS_BASE, "IA32_FS_BASE", seg[SEG_FS].base,
	    rd_slot, wr_canonical),
	ONE(MSR_GS_BASE, "IA32_GS_BASE", seg[SEG_GS].base,
	    rd_slot, wr_canonical),
	ONE(MSR_KERNEL_GS_BASE, "IA32_KERNEL_GS_BASE", msr.kernel_gs_base,
	    rd_slot, wr_canonical),
	ONE(MSR_TSC_AUX, "IA32_TSC_AUX", msr.tsc_aux,
	    rd_slot, wr_low32),
};

static const struct msr_row *msr_find(uint32_t msr)
{
	for (size_t i = 0; i < sizeof(msr_table) / sizeof(msr_table[0]); i++)
		if (msr >= msr_table[i].first && msr <= msr_table[i].last)
			return &msr_table[i];
	return NULL;
}

bool cpu_msr_read(struct cpu *c, uint32_t msr, uint64_t *val)
{
	const struct msr_row *row = msr_find(msr);
	cycles_t cost = 0;
	int rc;

	if (row)
		return row->read(c, row, msr, val);
	if (!c->env.rdmsr)
		return false;
	rc = c->env.rdmsr(c->env.opaque, c, msr, val, &cost);
	cpu_charge(c, cost);
	return rc == ENV_OK;
}

bool cpu_msr_write(struct cpu *c, uint32_t msr, uint64_t val)
{
	const struct msr_row *row = msr_find(msr);
	cycles_t cost = 0;
	int rc;

	if (row)
		return row->write && row->write(c, row, msr, val);
	if (!c->env.wrmsr)
		return false;
	rc = c->env.wrmsr(c->env.opaque, c, msr, val, &cost);
	cpu_charge(c, cost);
	return rc == ENV_OK;
}
