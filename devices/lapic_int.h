/*
 * devices/lapic_int.h — the local APIC's state and the helpers its three
 * files share (lapic.c: core and interrupts, lapic_timer.c: the timer,
 * lapic_regs.c: the register table behind MMIO and MSRs). Only
 * devices/lapic*.c include this file.
 */
#ifndef HVSIM_DEVICES_LAPIC_INT_H_
#define HVSIM_DEVICES_LAPIC_INT_H_

#include "devices/lapic.h"

/*
 * An LVT entry (SDM §11.5.1, Figure 11-8); not every entry has every field:
 *
 *   18 17 16  15  14  13  12  11  10..8   7..0
 *   [mode][M][TM][RI][PO][DS][ - ][ DM  ][vector]
 *
 * mode: timer only (00 one-shot, 01 periodic, 10 TSC-deadline); M mask;
 * TM trigger, RI remote IRR, PO polarity (LINT only); DS delivery status.
 */
#define LVT_VECTOR	0xFFu
#define LVT_LEVEL	(1u << 15)
#define LVT_MASKED	(1u << 16)
#define LVT_TIMER_MODE	(3u << 17)
#define LVT_TIMER_SHIFT 17

enum lvt_index {
	LVT_TIMER,
	LVT_THERMAL,
	LVT_PMC,
	LVT_LINT0,
	LVT_LINT1,
	LVT_ERROR,
	LVT_COUNT
};

enum timer_mode {
	TIMER_ONESHOT = 0,
	TIMER_PERIODIC = 1,
	TIMER_TSC_DEADLINE = 2,
	TIMER_RESERVED = 3,
};

/* ESR bits (§11.5.3). */
#define ESR_SEND_ILLEGAL (1u << 5)
#define ESR_RECV_ILLEGAL (1u << 6)
#define ESR_ILLEGAL_REG	 (1u << 7)

/* SVR bits (§11.9). */
#define SVR_VECTOR    0xFFu
#define SVR_SW_ENABLE (1u << 8)

/* ICR low word (§11.6.1), xAPIC layout; x2APIC puts dest in bits 63:32. */
#define ICR_VECTOR   0xFFu
#define ICR_DM_SHIFT 8
#define ICR_LOGICAL  (1u << 11)
#define ICR_PENDING  (1u << 12)
#define ICR_ASSERT   (1u << 14)
#define ICR_LEVEL    (1u << 15)
#define ICR_SH_SHIFT 18

struct lapic_timer {
	uint32_t initial; /* initial-count register */
	uint32_t dcr;	  /* divide configuration register */
	/* One-shot/periodic: the counter held `start_count` at cycle `start`
	 * and drops one per `period` cycles; periodic reloads `initial`. */
	bool running;
	bool armed; /* an expiry is scheduled at `expiry` */
	uint64_t start, period;
	uint32_t start_count;
	uint64_t expiry;   /* cycle of the next interrupt while armed */
	uint64_t event;	   /* hooks.schedule id, 0 = none */
	uint64_t deadline; /* IA32_TSC_DEADLINE (0 = disarmed) */
	int64_t tsc_offset;
};

struct lapic {
	struct lapic_config cfg;
	struct lapic_hooks hooks;
	uint64_t base;	   /* IA32_APIC_BASE */
	uint32_t xapic_id; /* the xAPIC ID register (ID in bits 31:24) */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t isr[8], tmr[8], irr[8]; /* 256-bit vectors, 32 per word */
	uint32_t auto_eoi[8];		 /* owner's config, not a register */
	uint32_t esr;			 /* what the guest reads */
	uint32_t esr_pending;		 /* errors since the last ESR write */
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[LVT_COUNT];
	struct lapic_timer timer;
	bool irq_level; /* last value given to hooks.irq_changed */
	enum io_status mmio_status;
	struct lapic_stats stats;
};

static inline uint64_t lapic_now(const struct lapic *l)
{
	return l->hooks.now(l->hooks.opaque);
}

/* lapic.c */
void lapic_update_irq(struct lapic *l);
void lapic_error(struct lapic *l, uint32_t esr_bit);
void lapic_send_icr(struct lapic *l, uint32_t lo, uint32_t dest);
void lapic_deliver_lvt(struct lapic *l, enum lvt_index which);
uint32_t lapic_apr(const struct lapic *l);
void lapic_clear_state(struct lapic *l);

/* lapic_timer.c */
void lapic_timer_reset(struct lapic *l);
void lapic_timer_write_initial(struct lapic *l, uint32_t count);
void lapic_timer_write_dcr(struct lapic *l, uint32_t dcr);
void lapic_timer_write_lvt(struct lapic *l, uint32_t val);
uint32_t lapic_timer_current(const struct lapic *l);

#endif
