/*
 * tests/unit/devices/lapic_harness.h — a local APIC wired to a real event
 * queue (sim/evq.h) as its clock and timer, with every callback recorded:
 * irq line changes, IPIs, EOI broadcasts and the cycles the timer fired at.
 * Shared by test_lapic.c and test_lapic_timer.c.
 */
#ifndef HVSIM_TESTS_LAPIC_HARNESS_H_
#define HVSIM_TESTS_LAPIC_HARNESS_H_

#include <criterion/criterion.h>

#include "devices/lapic.h"
#include "sim/evq.h"

#define XAPIC_MODE  (LAPIC_DEFAULT_BASE | LAPIC_BASE_EN)
#define X2APIC_MODE (LAPIC_DEFAULT_BASE | LAPIC_BASE_EN | LAPIC_BASE_EXTD)
#define MAX_REC	    16

struct ipi_rec {
	uint32_t dest;
	int dest_mode, dm, shorthand;
	uint8_t vector;
};

struct h {
	struct evq *q;
	struct lapic *l;
	bool irq;
	int irq_changes;
	struct ipi_rec ipi[MAX_REC];
	int nipi;
	uint8_t eoi_vec[MAX_REC];
	int neoi;
	uint64_t fired_at[MAX_REC]; /* cycles the timer delivered at */
	int nfired;
};

static inline uint64_t h_now(void *opaque)
{
	struct h *h = opaque;
	return evq_now(h->q);
}

static inline void h_timer_event(struct evq *q, void *opaque, cycles_t when)
{
	struct h *h = opaque;
	uint64_t before = lapic_stats(h->l)->timer_fires;

	(void)q;
	lapic_timer_fire(h->l);
	if (lapic_stats(h->l)->timer_fires != before && h->nfired < MAX_REC)
		h->fired_at[h->nfired++] = when;
}

static inline uint64_t h_schedule(void *opaque, uint64_t when)
{
	struct h *h = opaque;
	return evq_schedule(h->q, when, h_timer_event, h);
}

static inline void h_cancel(void *opaque, uint64_t id)
{
	struct h *h = opaque;
	evq_cancel(h->q, id);
}

static inline void h_irq(void *opaque, bool level)
{
	struct h *h = opaque;
	h->irq = level;
	h->irq_changes++;
}

static inline void h_ipi(void *opaque, uint32_t dest, int dest_mode, int dm,
			 uint8_t vector, int shorthand)
{
	struct h *h = opaque;
	if (h->nipi < MAX_REC)
		h->ipi[h->nipi++] =
		    (struct ipi_rec){dest, dest_mode, dm, shorthand, vector};
}

static inline void h_eoi(void *opaque, uint8_t vector)
{
	struct h *h = opaque;
	if (h->neoi < MAX_REC)
		h->eoi_vec[h->neoi++] = vector;
}

/* An APIC with ID `id`, `cpt` cycles per timer tick, software-enabled
 * (SVR = 0x1FF) unless `sw_enable` is false. */
static inline struct h *h_new_cfg(uint32_t id, uint32_t cpt, bool sw_enable)
{
	struct h *h = calloc(1, sizeof(*h));
	struct lapic_config cfg = {
	    .apic_id = id, .bsp = true, .cycles_per_tick = cpt};
	struct lapic_hooks hooks = {.opaque = h,
				    .now = h_now,
				    .schedule = h_schedule,
				    .cancel = h_cancel,
				    .irq_changed = h_irq,
				    .send_ipi = h_ipi,
				    .eoi_broadcast = h_eoi};

	cr_assert_not_null(h);
	h->q = evq_create();
	cr_assert_not_null(h->q);
	h->l = lapic_create(&cfg, &hooks);
	cr_assert_not_null(h->l);
	if (sw_enable)
		lapic_mmio_ops.write(h->l, 0xF0, 4, 0x1FF);
	return h;
}

static inline struct h *h_new(void)
{
	return h_new_cfg(0, 1, true);
}

static inline void h_free(struct h *h)
{
	cr_assert(lapic_check_invariants(h->l));
	lapic_destroy(h->l);
	evq_destroy(h->q);
	free(h);
}

/* xAPIC MMIO, 32-bit. */
static inline uint32_t rd(struct h *h, unsigned off)
{
	return (uint32_t)lapic_mmio_ops.read(h->l, off, 4);
}

static inline void wr(struct h *h, unsigned off, uint32_t val)
{
	lapic_mmio_ops.write(h->l, off, 4, val);
}

static inline void to_x2apic(struct h *h)
{
	cr_assert_eq(0, lapic_set_base(h->l, X2APIC_MODE));
}

static inline uint64_t msr_rd(struct h *h, uint32_t msr)
{
	uint64_t v = 0xDEAD;
	cr_assert_eq(0, lapic_msr_read(h->l, msr, &v), "rdmsr %#x", msr);
	return v;
}

static inline void msr_wr(struct h *h, uint32_t msr, uint64_t v)
{
	cr_assert_eq(0, lapic_msr_write(h->l, msr, v), "wrmsr %#x", msr);
}

#endif
