/*
 * devices/lapic.c — the local APIC core: reset state, IA32_APIC_BASE modes,
 * interrupt acceptance, priorities, acknowledge, EOI, errors and IPIs.
 * Intel SDM Vol. 3A ch. 11: §11.4.4 and §11.12.5 (APIC_BASE and the
 * disabled/xAPIC/x2APIC state machine), §11.4.7 (reset and software
 * disable), §11.5.3 (ESR), §11.6 (ICR, destinations), §11.8 (IRR/ISR/TMR,
 * TPR/PPR, EOI), §11.9 (spurious interrupt).
 *
 * Invariants: a vector below 16 never enters the IRR (it is an illegal
 * vector error instead); hooks.irq_changed is called exactly when
 * lapic_pending() changes, and irq_level mirrors it. Registers are reached
 * through lapic_regs.c; the timer lives in lapic_timer.c.
 */
#include <stdlib.h>

#include "devices/lapic_int.h"

/* ---- 256-bit vectors --------------------------------------------------- */

static bool vec_test(const uint32_t v[8], unsigned vec)
{
	return (v[vec >> 5] >> (vec & 31)) & 1;
}

static void vec_set(uint32_t v[8], unsigned vec)
{
	v[vec >> 5] |= 1u << (vec & 31);
}

static void vec_clear(uint32_t v[8], unsigned vec)
{
	v[vec >> 5] &= ~(1u << (vec & 31));
}

/* Highest set vector, or -1. */
static int vec_highest(const uint32_t v[8])
{
	for (int i = 7; i >= 0; i--)
		if (v[i])
			return i * 32 + 31 - __builtin_clz(v[i]);
	return -1;
}

/* ---- priorities (§11.8.3) ---------------------------------------------- */

/* PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4. */
uint32_t lapic_ppr(const struct lapic *l)
{
	int isrv = vec_highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xF0;

	if ((l->tpr & 0xF0) >= isr_class)
		return l->tpr & 0xFF;
	return isr_class;
}

/* APR (xAPIC only, §11.8.3.1, Figure 11-15): TPR when it is at least the
 * IRR class and above the ISR class, else the highest of the three
 * classes. */
uint32_t lapic_apr(const struct lapic *l)
{
	int isrv = vec_highest(l->isr), irrv = vec_highest(l->irr);
	uint32_t tpr = l->tpr & 0xF0;
	uint32_t isr = isrv < 0 ? 0 : (uint32_t)isrv & 0xF0;
	uint32_t irr = irrv < 0 ? 0 : (uint32_t)irrv & 0xF0;
	uint32_t max = tpr;

	if (tpr >= irr && tpr > isr)
		return l->tpr & 0xFF;
	if (isr > max)
		max = isr;
	if (irr > max)
		max = irr;
	return max;
}

static bool apic_active(const struct lapic *l)
{
	return lapic_mode(l) != LAPIC_DISABLED && (l->svr & SVR_SW_ENABLE);
}

bool lapic_pending(const struct lapic *l)
{
	int irrv = vec_highest(l->irr);

	if (irrv < 0 || !apic_active(l))
		return false;
	return ((uint32_t)irrv & 0xF0) > (lapic_ppr(l) & 0xF0);
}

void lapic_update_irq(struct lapic *l)
{
	bool level = lapic_pending(l);

	if (level == l->irq_level)
		return;
	l->irq_level = level;
	if (l->hooks.irq_changed)
		l->hooks.irq_changed(l->hooks.opaque, level);
}

/* ---- accept, acknowledge, EOI (§11.8.4, §11.8.5) ----------------------- */

void lapic_accept(struct lapic *l, uint8_t vector, bool level)
{
	if (!apic_active(l)) {
		/* Globally or software disabled: fixed interrupts are not
		 * accepted (§11.4.7.2 keeps only INIT/NMI/SMI/SIPI). */
		l->stats.dropped++;
		return;
	}
	if (vector < 16) {
		l->stats.dropped++;
		lapic_error(l, ESR_RECV_ILLEGAL);
		return;
	}
	l->stats.accepted++;
	vec_set(l->irr, vector);
	if (level)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
	lapic_update_irq(l);
}

int lapic_ack(struct lapic *l)
{
	int irrv;

	/* The priority may have risen since the line was raised: then the
	 * APIC answers with the spurious vector and sets no ISR bit. */
	if (!lapic_pending(l)) {
		l->stats.spurious++;
		return (int)(l->svr & SVR_VECTOR);
	}
	irrv = vec_highest(l->irr);
	vec_clear(l->irr, (unsigned)irrv);
	if (!vec_test(l->auto_eoi, (unsigned)irrv))
		vec_set(l->isr, (unsigned)irrv);
	l->stats.acked++;
	lapic_update_irq(l);
	return irrv;
}

void lapic_eoi(struct lapic *l)
{
	int isrv = vec_highest(l->isr);

	if (isrv < 0)
		return;
	l->stats.eois++;
	vec_clear(l->isr, (unsigned)isrv);
	if (vec_test(l->tmr, (unsigned)isrv) && l->hooks.eoi_broadcast)
		l->hooks.eoi_broadcast(l->hooks.opaque, (uint8_t)isrv);
	lapic_update_irq(l);
}

void lapic_set_auto_eoi(struct lapic *l, uint8_t vector, bool on)
{
	if (on)
		vec_set(l->auto_eoi, vector);
	else
		vec_clear(l->auto_eoi, vector);
}

/* Record an error (§11.5.3). The error LVT fires once per newly set bit,
 * so an illegal error vector ends after one "received illegal" round. */
void lapic_error(struct lapic *l, uint32_t esr_bit)
{
	uint32_t lvt = l->lvt[LVT_ERROR];

	if (l->esr_pending & esr_bit)
		return;
	l->esr_pending |= esr_bit;
	if (!(lvt & LVT_MASKED))
		lapic_accept(l, (uint8_t)(lvt & LVT_VECTOR), false);
}

/* A local source (timer, error, ...) fires through its LVT entry. Only the
 * fixed delivery mode is modelled for local sources; the timer and error
 * entries have no delivery-mode field and are always fixed. */
void lapic_deliver_lvt(struct lapic *l, enum lvt_index which)
{
	uint32_t lvt = l->lvt[which];
	unsigned dm = (lvt >> 8) & 7;

	if (lvt & LVT_MASKED)
		return;
	if (which == LVT_TIMER || which == LVT_ERROR || dm == LAPIC_DM_FIXED)
		lapic_accept(l, (uint8_t)(lvt & LVT_VECTOR), false);
}

int lapic_lint(struct lapic *l, int pin)
{
	uint32_t lvt;
	unsigned dm;

	if (pin != 0 && pin != 1)
		return -1;
	if (lapic_mode(l) == LAPIC_DISABLED)
		return pin ? LAPIC_DM_NMI : LAPIC_DM_EXTINT;
	lvt = l->lvt[pin ? LVT_LINT1 : LVT_LINT0];
	dm = (lvt >> 8) & 7;
	if (lvt & LVT_MASKED)
		return -1;
	if (dm == LAPIC_DM_FIXED) {
		lapic_accept(l, (uint8_t)(lvt & LVT_VECTOR), lvt & LVT_LEVEL);
		return -1;
	}
	if (dm == LAPIC_DM_NMI || dm == LAPIC_DM_SMI || dm == LAPIC_DM_INIT ||
	    dm == LAPIC_DM_EXTINT)
		return (int)dm;
	return -1; /* reserved delivery modes deliver nothing */
}

/* ---- IPIs (§11.6.1) ---------------------------------------------------- */

void lapic_send_icr(struct lapic *l, uint32_t lo, uint32_t dest)
{
	unsigned dm = (lo >> ICR_DM_SHIFT) & 7;
	uint8_t vector = (uint8_t)(lo & ICR_VECTOR);

	if (dm == 3 || dm == LAPIC_DM_EXTINT)
		return; /* reserved delivery modes: nothing is sent */
	/* INIT level de-assert (level=0, trigger=level) only synchronised
	 * arbitration IDs on old parts; it delivers nothing (§11.6.1). */
	if (dm == LAPIC_DM_INIT && !(lo & ICR_ASSERT) && (lo & ICR_LEVEL))
		return;
	if ((dm == LAPIC_DM_FIXED || dm == LAPIC_DM_LOWEST) && vector < 16) {
		lapic_error(l, ESR_SEND_ILLEGAL);
		return;
	}
	l->stats.ipis++;
	if (l->hooks.send_ipi)
		l->hooks.send_ipi(l->hooks.opaque, dest,
				  (lo & ICR_LOGICAL) ? 1 : 0, (int)dm, vector,
				  (int)((lo >> ICR_SH_SHIFT) & 3));
}

/* Physical: the APIC ID or the broadcast ID. Logical (§11.6.2.2): xAPIC
 * flat (DFR model 1111b) ANDs the 8-bit LDR; cluster (0000b) matches the
 * high nibble and ANDs the low one; x2APIC matches the cluster in 31:16
 * and ANDs the bits in 15:0. All ones is a broadcast in every form. */
bool lapic_match_dest(const struct lapic *l, uint32_t dest, int dest_mode)
{
	enum lapic_mode mode = lapic_mode(l);
	uint32_t ldr;

	if (mode == LAPIC_DISABLED)
		return false;
	if (mode == LAPIC_X2APIC) {
		if (dest == 0xFFFFFFFFu)
			return true;
		if (!dest_mode)
			return dest == l->cfg.apic_id;
		return (dest >> 16) == (l->ldr >> 16) &&
		       (dest & l->ldr & 0xFFFF) != 0;
	}
	dest &= 0xFF;
	if (dest == 0xFF)
		return true;
	if (!dest_mode)
		return dest == l->xapic_id >> 24;
	ldr = l->ldr >> 24;
	if ((l->dfr >> 28) == 0xF)
		return (dest & ldr) != 0;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xF) != 0;
}

/* ---- reset and IA32_APIC_BASE ----------------------------------------- */

/* Register state after RESET or INIT (§11.4.7.1): everything zero except
 * masked LVTs, DFR all ones and SVR 0xFF. The ID and mode are kept. */
void lapic_clear_state(struct lapic *l)
{
	for (int i = 0; i < 8; i++)
		l->isr[i] = l->tmr[i] = l->irr[i] = 0;
	l->tpr = l->ldr = 0;
	l->dfr = 0xFFFFFFFFu;
	l->svr = 0xFF;
	l->esr = l->esr_pending = 0;
	l->icr_lo = l->icr_hi = 0;
	for (int i = 0; i < LVT_COUNT; i++)
		l->lvt[i] = LVT_MASKED;
	lapic_timer_reset(l);
	if (lapic_mode(l) == LAPIC_X2APIC)
		l->ldr = ((l->cfg.apic_id >> 4) << 16) |
			 (1u << (l->cfg.apic_id & 0xF));
	lapic_update_irq(l);
}

void lapic_reset(struct lapic *l)
{
	l->base = LAPIC_DEFAULT_BASE | LAPIC_BASE_EN |
		  (l->cfg.bsp ? LAPIC_BASE_BSP : 0);
	l->xapic_id = (l->cfg.apic_id & 0xFF) << 24;
	l->mmio_status = IO_OK;
	lapic_clear_state(l);
}

void lapic_init_signal(struct lapic *l)
{
	lapic_clear_state(l);
}

struct lapic *lapic_create(const struct lapic_config *cfg,
			   const struct lapic_hooks *hooks)
{
	struct lapic *l;

	if (!hooks->now)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->cfg = *cfg;
	if (l->cfg.cycles_per_tick == 0)
		l->cfg.cycles_per_tick = 1;
	if (l->cfg.maxphyaddr == 0 || l->cfg.maxphyaddr > 52)
		l->cfg.maxphyaddr = 40;
	l->hooks = *hooks;
	lapic_reset(l);
	return l;
}

void lapic_destroy(struct lapic *l)
{
	if (!l)
		return;
	lapic_timer_reset(l); /* cancels a pending event */
	free(l);
}

enum lapic_mode lapic_mode(const struct lapic *l)
{
	if (!(l->base & LAPIC_BASE_EN))
		return LAPIC_DISABLED;
	return (l->base & LAPIC_BASE_EXTD) ? LAPIC_X2APIC : LAPIC_XAPIC;
}

uint64_t lapic_get_base(const struct lapic *l)
{
	return l->base;
}

static enum lapic_mode mode_of(uint64_t base, bool *valid)
{
	*valid = (base & LAPIC_BASE_EN) || !(base & LAPIC_BASE_EXTD);
	if (!(base & LAPIC_BASE_EN))
		return LAPIC_DISABLED;
	return (base & LAPIC_BASE_EXTD) ? LAPIC_X2APIC : LAPIC_XAPIC;
}

/* §11.12.5: disabled ↔ xAPIC, xAPIC → x2APIC, x2APIC → disabled. BSP is
 * read-only here (set by the platform at reset). */
int lapic_set_base(struct lapic *l, uint64_t val)
{
	uint64_t addr = ((1ull << l->cfg.maxphyaddr) - 1) & ~0xFFFull;
	uint64_t legal =
	    addr | LAPIC_BASE_EN | LAPIC_BASE_EXTD | LAPIC_BASE_BSP;
	enum lapic_mode from = lapic_mode(l), to;
	bool valid;

	if (val & ~legal)
		return -1;
	to = mode_of(val, &valid);
	if (!valid || (from == LAPIC_X2APIC && to == LAPIC_XAPIC) ||
	    (from == LAPIC_DISABLED && to == LAPIC_X2APIC))
		return -1;
	l->base = (val & ~LAPIC_BASE_BSP) | (l->base & LAPIC_BASE_BSP);
	if (to == LAPIC_DISABLED && from != LAPIC_DISABLED) {
		/* Global disable loses the programming (§11.4.3); both IDs
		 * survive. */
		lapic_clear_state(l);
	} else if (from == LAPIC_XAPIC && to == LAPIC_X2APIC) {
		/* The logical x2APIC ID is derived from the x2APIC ID. */
		l->ldr = ((l->cfg.apic_id >> 4) << 16) |
			 (1u << (l->cfg.apic_id & 0xF));
	}
	lapic_update_irq(l);
	return 0;
}

const struct lapic_stats *lapic_stats(const struct lapic *l)
{
	return &l->stats;
}

/* No vector below 16 requested or in service; a disabled APIC holds no
 * request; the line mirrors lapic_pending(); a software-disabled APIC has
 * every LVT masked; the x2APIC LDR is the one derived from the ID; an
 * armed TSC-deadline timer has a deadline. */
bool lapic_check_invariants(const struct lapic *l)
{
	uint32_t x2ldr =
	    ((l->cfg.apic_id >> 4) << 16) | (1u << (l->cfg.apic_id & 0xF));
	unsigned timer_mode =
	    (l->lvt[LVT_TIMER] & LVT_TIMER_MODE) >> LVT_TIMER_SHIFT;

	if ((l->irr[0] | l->isr[0]) & 0xFFFF)
		return false;
	if (lapic_mode(l) == LAPIC_DISABLED && vec_highest(l->irr) >= 0)
		return false;
	if (l->irq_level != lapic_pending(l))
		return false;
	if (!(l->svr & SVR_SW_ENABLE))
		for (int i = 0; i < LVT_COUNT; i++)
			if (!(l->lvt[i] & LVT_MASKED))
				return false;
	if (lapic_mode(l) == LAPIC_X2APIC && l->ldr != x2ldr)
		return false;
	return !(l->timer.armed && timer_mode == TIMER_TSC_DEADLINE &&
		 l->timer.deadline == 0);
}
