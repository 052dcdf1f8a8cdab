/*
 * tests/unit/devices/test_lapic_timer.c — the local APIC timer
 * (devices/lapic_timer.c) on a real event queue: one-shot, periodic and
 * TSC-deadline expiries at exact cycles, every divide value, the current
 * count as time passes, re-arming, stopping, masking, mode changes, the
 * TSC offset, and the same registers through the x2APIC MSRs.
 */
#include "lapic_harness.h"

#define LVT_PERIODIC   (1u << 17)
#define LVT_DEADLINE   (2u << 17)
#define LVT_MASKED_BIT (1u << 16)
#define DCR_DIV1       0xBu

static void start_timer(struct h *h, uint32_t lvt, uint32_t dcr, uint32_t count)
{
	wr(h, 0x320, lvt);
	wr(h, 0x3E0, dcr);
	wr(h, 0x380, count);
}

Test(lapic_timer, one_shot_fires_exactly_at_count_times_period)
{
	struct h *h = h_new();

	evq_run_until(h->q, 1000);
	start_timer(h, 0x30, DCR_DIV1, 500);
	evq_run_until(h->q, 1499);
	cr_assert_eq(0, h->nfired);
	cr_assert_not(lapic_pending(h->l));
	evq_run_until(h->q, 1500);
	cr_assert_eq(1, h->nfired);
	cr_assert_eq(1500u, h->fired_at[0]);
	cr_assert(h->irq);
	cr_assert_eq(0x30, lapic_ack(h->l));
	evq_run_until(h->q, 100000);
	cr_assert_eq(1, h->nfired, "one-shot fires once");
	cr_assert_eq(0u, rd(h, 0x390));
	cr_assert_eq(500u, rd(h, 0x380), "initial count is kept");
	h_free(h);
}

Test(lapic_timer, every_divide_value_scales_the_period)
{
	static const struct {
		uint32_t dcr, div;
	} cases[] = {{0x0, 2},	{0x1, 4},  {0x2, 8},   {0x3, 16},
		     {0x8, 32}, {0x9, 64}, {0xA, 128}, {0xB, 1}};

	for (size_t i = 0; i < 8; i++) {
		struct h *h = h_new_cfg(0, 3, true);

		start_timer(h, 0x40, cases[i].dcr, 10);
		evq_run_until(h->q, 1000000);
		cr_assert_eq(1, h->nfired, "dcr %#x", cases[i].dcr);
		cr_assert_eq(10u * 3 * cases[i].div, h->fired_at[0], "dcr %#x",
			     cases[i].dcr);
		h_free(h);
	}
}

Test(lapic_timer, current_count_counts_down_per_tick)
{
	static const struct {
		uint64_t t;
		uint32_t want;
	} pts[] = {{0, 100}, {1, 100}, {2, 99}, {50, 75},
		   {199, 1}, {200, 0}, {300, 0}};
	struct h *h = h_new();

	start_timer(h, 0x30, 0x0 /* ÷2 */, 100);
	for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++) {
		evq_run_until(h->q, pts[i].t);
		cr_assert_eq(pts[i].want, rd(h, 0x390), "t=%llu",
			     (unsigned long long)pts[i].t);
	}
	cr_assert_eq(1, h->nfired);
	cr_assert_eq(200u, h->fired_at[0]);
	h_free(h);
}

Test(lapic_timer, periodic_fires_every_period_and_reloads)
{
	struct h *h = h_new();

	start_timer(h, LVT_PERIODIC | 0x31, DCR_DIV1, 100);
	for (int i = 1; i <= 3; i++) {
		evq_run_until(h->q, (uint64_t)i * 100);
		cr_assert_eq(i, h->nfired);
		cr_assert_eq(0x31, lapic_ack(h->l));
		wr(h, 0xB0, 0);
	}
	cr_assert_eq(100u, h->fired_at[0]);
	cr_assert_eq(200u, h->fired_at[1]);
	cr_assert_eq(300u, h->fired_at[2]);
	cr_assert_eq(100u, rd(h, 0x390), "reloaded at the boundary");
	evq_run_until(h->q, 350);
	cr_assert_eq(50u, rd(h, 0x390));
	cr_assert_eq(1u, evq_pending(h->q), "one event outstanding");
	h_free(h);
}

Test(lapic_timer, writing_zero_initial_count_stops_the_timer)
{
	struct h *h = h_new();

	start_timer(h, LVT_PERIODIC | 0x30, DCR_DIV1, 100);
	evq_run_until(h->q, 50);
	wr(h, 0x380, 0);
	cr_assert_eq(0u, evq_pending(h->q));
	evq_run_until(h->q, 1000);
	cr_assert_eq(0, h->nfired);
	cr_assert_eq(0u, rd(h, 0x390));
	h_free(h);
}

Test(lapic_timer, rewriting_initial_count_restarts_from_now)
{
	struct h *h = h_new();

	start_timer(h, 0x30, DCR_DIV1, 100);
	evq_run_until(h->q, 60);
	wr(h, 0x380, 100);
	cr_assert_eq(100u, rd(h, 0x390));
	evq_run_until(h->q, 1000);
	cr_assert_eq(1, h->nfired);
	cr_assert_eq(160u, h->fired_at[0]);
	h_free(h);
}

Test(lapic_timer, masked_timer_counts_but_raises_nothing)
{
	struct h *h = h_new();

	start_timer(h, LVT_MASKED_BIT | 0x30, DCR_DIV1, 100);
	evq_run_until(h->q, 100);
	cr_assert_eq(1u, lapic_stats(h->l)->timer_fires);
	cr_assert_not(lapic_pending(h->l));
	cr_assert_eq(0u, rd(h, 0x200 + 0x10));
	h_free(h);
}

Test(lapic_timer, unmasking_a_periodic_timer_delivers_at_the_next_period)
{
	struct h *h = h_new();

	start_timer(h, LVT_MASKED_BIT | LVT_PERIODIC | 0x30, DCR_DIV1, 100);
	evq_run_until(h->q, 250);
	cr_assert_not(lapic_pending(h->l));
	wr(h, 0x320, LVT_PERIODIC | 0x30); /* same mode: keeps counting */
	evq_run_until(h->q, 299);
	cr_assert_not(lapic_pending(h->l));
	evq_run_until(h->q, 300);
	cr_assert(lapic_pending(h->l));
	cr_assert_eq(3, h->nfired);
	h_free(h);
}

Test(lapic_timer, changing_the_timer_mode_disarms)
{
	struct h *h = h_new();

	start_timer(h, 0x30, DCR_DIV1, 100);
	evq_run_until(h->q, 10);
	wr(h, 0x320, LVT_PERIODIC | 0x30);
	cr_assert_eq(0u, evq_pending(h->q));
	cr_assert_eq(0u, rd(h, 0x380));
	cr_assert_eq(0u, rd(h, 0x390));
	evq_run_until(h->q, 1000);
	cr_assert_eq(0, h->nfired);
	h_free(h);
}

Test(lapic_timer, changing_only_the_vector_keeps_the_countdown)
{
	struct h *h = h_new();

	start_timer(h, 0x30, DCR_DIV1, 100);
	evq_run_until(h->q, 10);
	wr(h, 0x320, 0x44);
	evq_run_until(h->q, 100);
	cr_assert_eq(1, h->nfired);
	cr_assert_eq(0x44, lapic_ack(h->l));
	h_free(h);
}

Test(lapic_timer, divide_change_mid_count_keeps_the_current_count)
{
	struct h *h = h_new();

	start_timer(h, 0x30, DCR_DIV1, 100);
	evq_run_until(h->q, 40);
	wr(h, 0x3E0, 0x1); /* ÷4 */
	cr_assert_eq(60u, rd(h, 0x390));
	evq_run_until(h->q, 44);
	cr_assert_eq(59u, rd(h, 0x390));
	evq_run_until(h->q, 10000);
	cr_assert_eq(1, h->nfired);
	cr_assert_eq(40u + 60 * 4, h->fired_at[0]);
	h_free(h);
}

Test(lapic_timer, early_or_stale_fire_calls_are_ignored)
{
	struct h *h = h_new();

	lapic_timer_fire(h->l); /* nothing armed */
	start_timer(h, 0x30, DCR_DIV1, 100);
	evq_run_until(h->q, 50);
	lapic_timer_fire(h->l); /* early */
	cr_assert_eq(0u, lapic_stats(h->l)->timer_fires);
	cr_assert_not(lapic_pending(h->l));
	evq_run_until(h->q, 100);
	cr_assert_eq(1u, lapic_stats(h->l)->timer_fires);
	h_free(h);
}

/* ---- TSC-deadline ------------------------------------------------------ */

Test(lapic_timer, tsc_deadline_fires_when_the_tsc_reaches_it)
{
	struct h *h = h_new();

	wr(h, 0x320, LVT_DEADLINE | 0x32);
	lapic_tsc_deadline_write(h->l, 700);
	cr_assert_eq(700u, lapic_tsc_deadline_read(h->l));
	evq_run_until(h->q, 699);
	cr_assert_eq(0, h->nfired);
	evq_run_until(h->q, 700);
	cr_assert_eq(1, h->nfired);
	cr_assert_eq(700u, h->fired_at[0]);
	cr_assert_eq(0u, lapic_tsc_deadline_read(h->l), "disarms itself");
	cr_assert_eq(0x32, lapic_ack(h->l));
	evq_run_until(h->q, 10000);
	cr_assert_eq(1, h->nfired);
	h_free(h);
}

Test(lapic_timer, tsc_deadline_write_of_zero_disarms)
{
	struct h *h = h_new();

	wr(h, 0x320, LVT_DEADLINE | 0x32);
	lapic_tsc_deadline_write(h->l, 700);
	evq_run_until(h->q, 100);
	lapic_tsc_deadline_write(h->l, 0);
	cr_assert_eq(0u, evq_pending(h->q));
	evq_run_until(h->q, 10000);
	cr_assert_eq(0, h->nfired);
	h_free(h);
}

Test(lapic_timer, tsc_deadline_in_the_past_fires_at_once)
{
	struct h *h = h_new();

	wr(h, 0x320, LVT_DEADLINE | 0x32);
	evq_run_until(h->q, 500);
	lapic_tsc_deadline_write(h->l, 100);
	cr_assert(lapic_pending(h->l));
	cr_assert_eq(0u, lapic_tsc_deadline_read(h->l));
	cr_assert_eq(0u, evq_pending(h->q));
	h_free(h);
}

Test(lapic_timer, tsc_deadline_rewrite_moves_the_single_expiry)
{
	struct h *h = h_new();

	wr(h, 0x320, LVT_DEADLINE | 0x32);
	lapic_tsc_deadline_write(h->l, 700);
	lapic_tsc_deadline_write(h->l, 400);
	evq_run_until(h->q, 10000);
	cr_assert_eq(1, h->nfired);
	cr_assert_eq(400u, h->fired_at[0]);
	h_free(h);
}

Test(lapic_timer, tsc_deadline_msr_is_inert_outside_deadline_mode)
{
	struct h *h = h_new();

	wr(h, 0x320, 0x32);
	lapic_tsc_deadline_write(h->l, 700);
	cr_assert_eq(0u, lapic_tsc_deadline_read(h->l));
	evq_run_until(h->q, 10000);
	cr_assert_eq(0, h->nfired);
	h_free(h);
}

Test(lapic_timer, initial_count_is_ignored_in_deadline_mode)
{
	struct h *h = h_new();

	wr(h, 0x320, LVT_DEADLINE | 0x32);
	wr(h, 0x380, 50);
	cr_assert_eq(0u, rd(h, 0x380));
	cr_assert_eq(0u, rd(h, 0x390));
	evq_run_until(h->q, 10000);
	cr_assert_eq(0, h->nfired);
	h_free(h);
}

Test(lapic_timer, leaving_deadline_mode_disarms_the_deadline)
{
	struct h *h = h_new();

	wr(h, 0x320, LVT_DEADLINE | 0x32);
	lapic_tsc_deadline_write(h->l, 700);
	wr(h, 0x320, 0x32);
	wr(h, 0x320, LVT_DEADLINE | 0x32);
	cr_assert_eq(0u, lapic_tsc_deadline_read(h->l));
	evq_run_until(h->q, 10000);
	cr_assert_eq(0, h->nfired);
	h_free(h);
}

Test(lapic_timer, tsc_deadline_honours_the_tsc_offset)
{
	struct h *h = h_new();

	wr(h, 0x320, LVT_DEADLINE | 0x32);
	lapic_set_tsc_offset(h->l, 1000); /* guest TSC = cycle + 1000 */
	lapic_tsc_deadline_write(h->l, 1500);
	lapic_set_tsc_offset(h->l, 1200); /* re-arms: now due at 300 */
	evq_run_until(h->q, 10000);
	cr_assert_eq(1, h->nfired);
	cr_assert_eq(300u, h->fired_at[0]);
	h_free(h);
}

Test(lapic_timer, x2apic_timer_registers_work_through_msrs)
{
	struct h *h = h_new_cfg(0, 2, true);

	to_x2apic(h);
	msr_wr(h, 0x832, LVT_PERIODIC | 0x50);
	msr_wr(h, 0x83E, 0x0); /* ÷2: 4 cycles per count */
	msr_wr(h, 0x838, 25);
	cr_assert_eq(25u, msr_rd(h, 0x838));
	evq_run_until(h->q, 40);
	cr_assert_eq(15u, msr_rd(h, 0x839));
	evq_run_until(h->q, 200);
	cr_assert_eq(2, h->nfired);
	cr_assert_eq(100u, h->fired_at[0]);
	cr_assert_eq(200u, h->fired_at[1]);
	cr_assert_eq(0x50, lapic_ack(h->l));
	h_free(h);
}

Test(lapic_timer, destroy_cancels_the_outstanding_event)
{
	struct h *h = h_new();
	struct evq *q = h->q;

	start_timer(h, 0x30, DCR_DIV1, 100);
	cr_assert_eq(1u, evq_pending(q));
	lapic_destroy(h->l);
	cr_assert_eq(0u, evq_pending(q));
	evq_destroy(q);
	free(h);
}

Test(lapic_timer, tsc_deadline_equal_to_the_tsc_fires_at_once)
{
	struct h *h = h_new();

	wr(h, 0x320, LVT_DEADLINE | 0x32);
	evq_run_until(h->q, 500);
	lapic_tsc_deadline_write(h->l, 500);
	cr_assert(lapic_pending(h->l), "TSC >= deadline is already true");
	cr_assert_eq(0u, evq_pending(h->q));
	h_free(h);
}

/* ---- an owner that runs timer events late ------------------------------ */

struct late {
	uint64_t now;
	uint64_t scheduled[MAX_REC];
	int nsched;
};

static uint64_t late_now(void *opaque)
{
	return ((struct late *)opaque)->now;
}

static uint64_t late_schedule(void *opaque, uint64_t when)
{
	struct late *s = opaque;

	if (s->nsched < MAX_REC)
		s->scheduled[s->nsched++] = when;
	return (uint64_t)s->nsched;
}

Test(lapic_timer, late_periodic_event_keeps_the_period_grid)
{
	struct late s = {0};
	struct lapic_config cfg = {.apic_id = 0, .cycles_per_tick = 1};
	struct lapic_hooks hooks = {
	    .opaque = &s, .now = late_now, .schedule = late_schedule};
	struct lapic *l = lapic_create(&cfg, &hooks);

	cr_assert_not_null(l);
	lapic_mmio_ops.write(l, 0xF0, 4, 0x1FF);
	lapic_mmio_ops.write(l, 0x320, 4, LVT_PERIODIC | 0x30);
	lapic_mmio_ops.write(l, 0x3E0, 4, DCR_DIV1);
	lapic_mmio_ops.write(l, 0x380, 4, 100);
	cr_assert_eq(1, s.nsched);
	cr_assert_eq(100u, s.scheduled[0]);
	s.now = 130; /* the owner ran the event 30 cycles late */
	lapic_timer_fire(l);
	cr_assert_eq(2, s.nsched);
	cr_assert_eq(200u, s.scheduled[1], "no drift from the late run");
	s.now = 420; /* two whole periods missed: one interrupt, next 500 */
	lapic_timer_fire(l);
	cr_assert_eq(3, s.nsched);
	cr_assert_eq(500u, s.scheduled[2]);
	cr_assert_eq(2u, lapic_stats(l)->timer_fires);
	cr_assert_eq(80u, lapic_mmio_ops.read(l, 0x390, 4));
	lapic_destroy(l);
}
