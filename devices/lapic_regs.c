/*
 * devices/lapic_regs.c — the local APIC register file as one table, and its
 * two access paths: the xAPIC MMIO page (SDM Vol. 3A §11.4.1, Table 11-1)
 * and the x2APIC MSRs 0x800 + offset/16 (§11.12.1, Table 11-6).
 *
 * A row gives, per mode, whether the register can be read and written, the
 * bits a write stores (wmask) and the read-only bits a write may carry
 * (romask). xAPIC is lenient: other bits are ignored, read-only registers
 * drop writes, and a hole reads 0 and logs "illegal register address" in
 * the ESR. x2APIC is strict (§11.12.1.2-3): a hole, a read of a write-only
 * register, a write of a read-only one, a set reserved bit or any of bits
 * 63:32 (except in the 64-bit ICR) is #GP, reported as -1. Invariant: the
 * register state is only changed through the row's write function.
 */
#include "devices/lapic_int.h"

#define R1 0x1u /* readable in xAPIC mode */
#define W1 0x2u /* writable in xAPIC mode */
#define R2 0x4u /* readable in x2APIC mode */
#define W2 0x8u /* writable in x2APIC mode */

#define REG_ICR_LO   0x30u
#define REG_LVT0     0x32u /* LVT timer; the others follow in enum order */
#define REG_SELF_IPI 0x3Fu
#define REG_COUNT    0x40u

struct lapic_reg {
	const char *name;
	uint8_t access;
	uint32_t wmask;	 /* bits a write stores */
	uint32_t romask; /* read-only bits: ignored, never #GP */
	uint32_t (*read)(struct lapic *l, unsigned idx);
	void (*write)(struct lapic *l, unsigned idx, uint32_t val);
};

/* ---- reads ------------------------------------------------------------- */

static uint32_t rd_zero(struct lapic *l, unsigned idx)
{
	(void)l;
	(void)idx;
	return 0;
}

static uint32_t rd_id(struct lapic *l, unsigned idx)
{
	(void)idx;
	return lapic_mode(l) == LAPIC_X2APIC ? l->cfg.apic_id : l->xapic_id;
}

static uint32_t rd_version(struct lapic *l, unsigned idx)
{
	(void)l;
	(void)idx;
	return LAPIC_VERSION;
}

#define SIMPLE_READ(fname, expr)                                               \
	static uint32_t fname(struct lapic *l, unsigned idx)                   \
	{                                                                      \
		(void)idx;                                                     \
		return (expr);                                                 \
	}
SIMPLE_READ(rd_tpr, l->tpr)
SIMPLE_READ(rd_apr, lapic_apr(l))
SIMPLE_READ(rd_ppr, lapic_ppr(l))
SIMPLE_READ(rd_ldr, l->ldr)
SIMPLE_READ(rd_dfr, l->dfr)
SIMPLE_READ(rd_svr, l->svr)
SIMPLE_READ(rd_esr, l->esr)
SIMPLE_READ(rd_icr_lo, l->icr_lo)
SIMPLE_READ(rd_icr_hi, l->icr_hi)
SIMPLE_READ(rd_tmict, l->timer.initial)
SIMPLE_READ(rd_tmcct, lapic_timer_current(l))
SIMPLE_READ(rd_dcr, l->timer.dcr)

static uint32_t rd_isr(struct lapic *l, unsigned idx)
{
	return l->isr[idx - 0x10];
}

static uint32_t rd_tmr(struct lapic *l, unsigned idx)
{
	return l->tmr[idx - 0x18];
}

static uint32_t rd_irr(struct lapic *l, unsigned idx)
{
	return l->irr[idx - 0x20];
}

static uint32_t rd_lvt(struct lapic *l, unsigned idx)
{
	return l->lvt[idx - REG_LVT0];
}

/* ---- writes (val is already masked with the row's wmask) --------------- */

static void wr_id(struct lapic *l, unsigned idx, uint32_t val)
{
	(void)idx;
	l->xapic_id = val;
}

static void wr_tpr(struct lapic *l, unsigned idx, uint32_t val)
{
	(void)idx;
	l->tpr = val;
	lapic_update_irq(l);
}

static void wr_eoi(struct lapic *l, unsigned idx, uint32_t val)
{
	(void)idx;
	(void)val;
	lapic_eoi(l);
}

static void wr_ldr(struct lapic *l, unsigned idx, uint32_t val)
{
	(void)idx;
	l->ldr = val;
}

static void wr_dfr(struct lapic *l, unsigned idx, uint32_t val)
{
	(void)idx;
	l->dfr = val | 0x0FFFFFFFu; /* bits 27:0 read as ones */
}

/* Clearing the software enable masks every LVT entry (§11.4.7.2). */
static void wr_svr(struct lapic *l, unsigned idx, uint32_t val)
{
	(void)idx;
	l->svr = val;
	if (!(val & SVR_SW_ENABLE))
		for (int i = 0; i < LVT_COUNT; i++)
			l->lvt[i] |= LVT_MASKED;
	lapic_update_irq(l);
}

/* A write latches the errors seen since the previous one (§11.5.3). */
static void wr_esr(struct lapic *l, unsigned idx, uint32_t val)
{
	(void)idx;
	(void)val;
	l->esr = l->esr_pending;
	l->esr_pending = 0;
}

/* xAPIC: writing the low word sends, to the destination in ICR[63:56]. */
static void wr_icr_lo(struct lapic *l, unsigned idx, uint32_t val)
{
	(void)idx;
	l->icr_lo = val;
	lapic_send_icr(l, val, l->icr_hi >> 24);
}

static void wr_icr_hi(struct lapic *l, unsigned idx, uint32_t val)
{
	(void)idx;
	l->icr_hi = val;
}

/* While software-disabled, the mask bits cannot be cleared (§11.4.7.2). */
static void wr_lvt(struct lapic *l, unsigned idx, uint32_t val)
{
	if (!(l->svr & SVR_SW_ENABLE))
		val |= LVT_MASKED;
	if (idx == REG_LVT0)
		lapic_timer_write_lvt(l, val);
	else
		l->lvt[idx - REG_LVT0] = val;
}

static void wr_tmict(struct lapic *l, unsigned idx, uint32_t val)
{
	(void)idx;
	lapic_timer_write_initial(l, val);
}

static void wr_dcr(struct lapic *l, unsigned idx, uint32_t val)
{
	(void)idx;
	lapic_timer_write_dcr(l, val);
}

/* SELF IPI (x2APIC only): a fixed, edge IPI to this APIC. */
static void wr_self(struct lapic *l, unsigned idx, uint32_t val)
{
	(void)idx;
	lapic_send_icr(l, val | (uint32_t)LAPIC_SH_SELF << ICR_SH_SHIFT, 0);
}

/* ---- the table --------------------------------------------------------- */

/* clang-format off */
#define RO_BOTH (R1 | R2)
#define RW_BOTH (R1 | W1 | R2 | W2)

static const struct lapic_reg regs[REG_COUNT] = {
    /* idx     name       access    wmask        romask   read        write */
    [0x02] = {"ID",      R1|W1|R2, 0xFF000000u, 0,       rd_id,      wr_id},
    [0x03] = {"VERSION", RO_BOTH,  0,           0,       rd_version, NULL},
    [0x08] = {"TPR",     RW_BOTH,  0xFFu,       0,       rd_tpr,     wr_tpr},
    [0x09] = {"APR",     R1,       0,           0,       rd_apr,     NULL},
    [0x0A] = {"PPR",     RO_BOTH,  0,           0,       rd_ppr,     NULL},
    [0x0B] = {"EOI",     R1|W1|W2, 0,           0,       rd_zero,    wr_eoi},
    [0x0C] = {"RRD",     R1,       0,           0,       rd_zero,    NULL},
    [0x0D] = {"LDR",     R1|W1|R2, 0xFF000000u, 0,       rd_ldr,     wr_ldr},
    [0x0E] = {"DFR",     R1|W1,    0xF0000000u, 0,       rd_dfr,     wr_dfr},
    [0x0F] = {"SVR",     RW_BOTH,  0x3FFu,      0,       rd_svr,     wr_svr},
    /* 0x10 */
    [0x10] = {"ISR0",    RO_BOTH,  0,           0,       rd_isr,     NULL},
    [0x11] = {"ISR1",    RO_BOTH,  0,           0,       rd_isr,     NULL},
    [0x12] = {"ISR2",    RO_BOTH,  0,           0,       rd_isr,     NULL},
    [0x13] = {"ISR3",    RO_BOTH,  0,           0,       rd_isr,     NULL},
    [0x14] = {"ISR4",    RO_BOTH,  0,           0,       rd_isr,     NULL},
    [0x15] = {"ISR5",    RO_BOTH,  0,           0,       rd_isr,     NULL},
    [0x16] = {"ISR6",    RO_BOTH,  0,           0,       rd_isr,     NULL},
    [0x17] = {"ISR7",    RO_BOTH,  0,           0,       rd_isr,     NULL},
    /* 0x18 */
    [0x18] = {"TMR0",    RO_BOTH,  0,           0,       rd_tmr,     NULL},
    [0x19] = {"TMR1",    RO_BOTH,  0,           0,       rd_tmr,     NULL},
    [0x1A] = {"TMR2",    RO_BOTH,  0,           0,       rd_tmr,     NULL},
    [0x1B] = {"TMR3",    RO_BOTH,  0,           0,       rd_tmr,     NULL},
    [0x1C] = {"TMR4",    RO_BOTH,  0,           0,       rd_tmr,     NULL},
    [0x1D] = {"TMR5",    RO_BOTH,  0,           0,       rd_tmr,     NULL},
    [0x1E] = {"TMR6",    RO_BOTH,  0,           0,       rd_tmr,     NULL},
    [0x1F] = {"TMR7",    RO_BOTH,  0,           0,       rd_tmr,     NULL},
    /* 0x20 */
    [0x20] = {"IRR0",    RO_BOTH,  0,           0,       rd_irr,     NULL},
    [0x21] = {"IRR1",    RO_BOTH,  0,           0,       rd_irr,     NULL},
    [0x22] = {"IRR2",    RO_BOTH,  0,           0,       rd_irr,     NULL},
    [0x23] = {"IRR3",    RO_BOTH,  0,           0,       rd_irr,     NULL},
    [0x24] = {"IRR4",    RO_BOTH,  0,           0,       rd_irr,     NULL},
    [0x25] = {"IRR5",    RO_BOTH,  0,           0,       rd_irr,     NULL},
    [0x26] = {"IRR6",    RO_BOTH,  0,           0,       rd_irr,     NULL},
    [0x27] = {"IRR7",    RO_BOTH,  0,           0,       rd_irr,     NULL},
    /* 0x28 */
    [0x28] = {"ESR",     RW_BOTH,  0,           0,       rd_esr,     wr_esr},
    /* 0x30 */
    [0x30] = {"ICR",     RW_BOTH,  0xCCFFFu,    0x1000u, rd_icr_lo,  wr_icr_lo},
    [0x31] = {"ICR_HI",  R1|W1,    0xFF000000u, 0,       rd_icr_hi,  wr_icr_hi},
    [0x32] = {"LVTT",    RW_BOTH,  0x700FFu,    0x1000u, rd_lvt,     wr_lvt},
    [0x33] = {"LVTTHMR", RW_BOTH,  0x107FFu,    0x1000u, rd_lvt,     wr_lvt},
    [0x34] = {"LVTPC",   RW_BOTH,  0x107FFu,    0x1000u, rd_lvt,     wr_lvt},
    [0x35] = {"LVT0",    RW_BOTH,  0x1A7FFu,    0x5000u, rd_lvt,     wr_lvt},
    [0x36] = {"LVT1",    RW_BOTH,  0x1A7FFu,    0x5000u, rd_lvt,     wr_lvt},
    [0x37] = {"LVTERR",  RW_BOTH,  0x100FFu,    0x1000u, rd_lvt,     wr_lvt},
    /* 0x38 */
    [0x38] = {"TMICT",   RW_BOTH,  0xFFFFFFFFu, 0,       rd_tmict,   wr_tmict},
    [0x39] = {"TMCCT",   RO_BOTH,  0,           0,       rd_tmcct,   NULL},
    [0x3E] = {"TDCR",    RW_BOTH,  0xBu,        0,       rd_dcr,     wr_dcr},
    [0x3F] = {"SELF_IPI",W2,       0xFFu,       0,       NULL,       wr_self},
};
/* clang-format on */

static const struct lapic_reg *reg_at(unsigned idx, unsigned need)
{
	if (idx >= REG_COUNT || !(regs[idx].access & need))
		return NULL;
	return &regs[idx];
}

/* ---- xAPIC MMIO -------------------------------------------------------- */

/* Returns the row, or NULL after recording why the access is ignored. */
static const struct lapic_reg *mmio_reg(struct lapic *l, uint64_t off, int size)
{
	const struct lapic_reg *r;

	if (size != 4 || (off & 0xF)) {
		l->mmio_status = IO_BAD_SIZE;
		l->stats.bad_mmio++;
		return NULL;
	}
	r = reg_at((unsigned)(off >> 4), R1 | W1);
	if (!r) {
		l->mmio_status = IO_BAD_REG;
		l->stats.bad_mmio++;
		lapic_error(l, ESR_ILLEGAL_REG);
		return NULL;
	}
	l->mmio_status = IO_OK;
	return r;
}

static uint64_t mmio_read(void *opaque, uint64_t off, int size)
{
	struct lapic *l = opaque;
	const struct lapic_reg *r;

	if (lapic_mode(l) != LAPIC_XAPIC) {
		/* Not decoded: the access falls through to an open bus. */
		l->mmio_status = IO_BAD_REG;
		return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
	}
	r = mmio_reg(l, off, size);
	if (!r || !(r->access & R1))
		return 0;
	return r->read(l, (unsigned)(off >> 4));
}

static void mmio_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct lapic *l = opaque;
	const struct lapic_reg *r;

	if (lapic_mode(l) != LAPIC_XAPIC) {
		l->mmio_status = IO_BAD_REG;
		return;
	}
	r = mmio_reg(l, off, size);
	if (r && (r->access & W1))
		r->write(l, (unsigned)(off >> 4), (uint32_t)val & r->wmask);
}

const struct mmio_ops lapic_mmio_ops = {
    .name = "lapic",
    .read = mmio_read,
    .write = mmio_write,
};

enum io_status lapic_mmio_status(const struct lapic *l)
{
	return l->mmio_status;
}

/* ---- x2APIC MSRs ------------------------------------------------------- */

int lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t *val)
{
	const struct lapic_reg *r;
	unsigned idx = msr - LAPIC_MSR_FIRST;

	if (lapic_mode(l) != LAPIC_X2APIC || msr < LAPIC_MSR_FIRST ||
	    msr > LAPIC_MSR_LAST)
		return -1;
	r = reg_at(idx, R2);
	if (!r)
		return -1;
	if (idx == REG_ICR_LO)
		*val = (uint64_t)l->icr_hi << 32 | l->icr_lo;
	else
		*val = r->read(l, idx);
	return 0;
}

/* The 64-bit ICR: destination in 63:32, sent by the one write. */
static int write_icr64(struct lapic *l, const struct lapic_reg *r, uint64_t val)
{
	uint32_t lo = (uint32_t)val;

	if (lo & ~(r->wmask | r->romask))
		return -1;
	l->icr_lo = lo & r->wmask;
	l->icr_hi = (uint32_t)(val >> 32);
	lapic_send_icr(l, l->icr_lo, l->icr_hi);
	return 0;
}

int lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t val)
{
	const struct lapic_reg *r;
	unsigned idx = msr - LAPIC_MSR_FIRST;

	if (lapic_mode(l) != LAPIC_X2APIC || msr < LAPIC_MSR_FIRST ||
	    msr > LAPIC_MSR_LAST)
		return -1;
	r = reg_at(idx, W2);
	if (!r)
		return -1;
	if (idx == REG_ICR_LO)
		return write_icr64(l, r, val);
	if ((val >> 32) || ((uint32_t)val & ~(r->wmask | r->romask)))
		return -1;
	/* Timer mode 11b is reserved (Table 11-2). */
	if (idx == REG_LVT0 && (val & LVT_TIMER_MODE) == LVT_TIMER_MODE)
		return -1;
	r->write(l, idx, (uint32_t)val & r->wmask);
	return 0;
}

/* ---- the Hyper-V APIC-access MSRs (either mode) ------------------------ */

/* In both layouts the high word of the register pair is ICR[63:32]. */
uint64_t lapic_icr_read(const struct lapic *l)
{
	return (uint64_t)l->icr_hi << 32 | l->icr_lo;
}

int lapic_icr_write(struct lapic *l, uint64_t val)
{
	const struct lapic_reg *r = &regs[REG_ICR_LO];

	switch (lapic_mode(l)) {
	case LAPIC_X2APIC:
		return write_icr64(l, r, val);
	case LAPIC_XAPIC:
		l->icr_hi = (uint32_t)(val >> 32) & regs[REG_ICR_LO + 1].wmask;
		wr_icr_lo(l, REG_ICR_LO, (uint32_t)val & r->wmask);
		return 0;
	default:
		return -1;
	}
}

uint32_t lapic_tpr_read(const struct lapic *l)
{
	return l->tpr;
}

int lapic_tpr_write(struct lapic *l, uint64_t val)
{
	if (lapic_mode(l) == LAPIC_DISABLED || (val & ~0xFFull))
		return -1;
	wr_tpr(l, 0x08, (uint32_t)val);
	return 0;
}
