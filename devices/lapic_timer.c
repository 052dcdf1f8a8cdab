/*
 * devices/lapic_timer.c — the local APIC timer (Intel SDM Vol. 3A §11.5.4):
 * divide configuration, initial/current count, one-shot and periodic modes,
 * and TSC-deadline mode with IA32_TSC_DEADLINE (§11.5.4.1).
 *
 * Time is the owner's: the counter is never stepped; the current count is
 * computed from hooks.now(), and each expiry is one hooks.schedule() event
 * whose run calls lapic_timer_fire(). The counter drops by one every
 * cycles_per_tick × divide cycles. Periodic expiries are spaced from the
 * previous expiry, not from when the event ran, so they never drift.
 * Invariants: at most one event is outstanding (re-arming cancels the old
 * one); `armed` is false whenever no interrupt is due; a change of timer
 * mode disarms the timer (§11.5.4.1) and clears the initial count and the
 * deadline. Changing the divider mid-count keeps the current count and
 * drops the partial tick.
 */
#include "devices/lapic_int.h"

/* Divide configuration bits 3,1:0 (bit 2 reserved) → divisor (Fig. 11-10). */
static const uint32_t divisors[8] = {2, 4, 8, 16, 32, 64, 128, 1};

static unsigned timer_mode(const struct lapic *l)
{
	return (l->lvt[LVT_TIMER] & LVT_TIMER_MODE) >> LVT_TIMER_SHIFT;
}

static uint64_t tick_cycles(const struct lapic *l)
{
	uint32_t dcr = l->timer.dcr;

	return (uint64_t)l->cfg.cycles_per_tick *
	       divisors[((dcr >> 1) & 4) | (dcr & 3)];
}

/* now + count × period, saturating (a far expiry is simply never). */
static uint64_t after(uint64_t now, uint64_t count, uint64_t period)
{
	uint64_t span, when;

	if (__builtin_mul_overflow(count, period, &span) ||
	    __builtin_add_overflow(now, span, &when))
		return UINT64_MAX;
	return when;
}

static void disarm(struct lapic *l)
{
	struct lapic_timer *t = &l->timer;

	if (t->event && l->hooks.cancel)
		l->hooks.cancel(l->hooks.opaque, t->event);
	t->event = 0;
	t->armed = false;
}

static void arm(struct lapic *l, uint64_t when)
{
	struct lapic_timer *t = &l->timer;

	disarm(l);
	t->armed = true;
	t->expiry = when;
	if (l->hooks.schedule)
		t->event = l->hooks.schedule(l->hooks.opaque, when);
}

/* Load the counter with `count` at `now` and schedule its zero crossing. */
static void start_count(struct lapic *l, uint64_t now, uint32_t count)
{
	struct lapic_timer *t = &l->timer;

	t->running = count != 0;
	t->start = now;
	t->start_count = count;
	t->period = tick_cycles(l);
	if (t->running)
		arm(l, after(now, count, t->period));
	else
		disarm(l);
}

void lapic_timer_reset(struct lapic *l)
{
	struct lapic_timer *t = &l->timer;

	disarm(l);
	t->initial = t->dcr = 0;
	t->running = false;
	t->start = t->period = t->expiry = 0;
	t->start_count = 0;
	t->deadline = 0;
}

void lapic_timer_write_initial(struct lapic *l, uint32_t count)
{
	unsigned mode = timer_mode(l);

	if (mode == TIMER_TSC_DEADLINE)
		return; /* ignored in TSC-deadline mode */
	l->timer.initial = count;
	if (mode == TIMER_RESERVED) {
		l->timer.running = false;
		disarm(l);
		return;
	}
	start_count(l, lapic_now(l), count);
}

uint32_t lapic_timer_current(const struct lapic *l)
{
	const struct lapic_timer *t = &l->timer;
	unsigned mode = timer_mode(l);
	uint64_t ticks, k;

	if (!t->running || (mode != TIMER_ONESHOT && mode != TIMER_PERIODIC))
		return 0;
	ticks = (lapic_now(l) - t->start) / t->period;
	if (ticks < t->start_count)
		return (uint32_t)(t->start_count - ticks);
	if (mode == TIMER_ONESHOT || t->initial == 0)
		return 0;
	k = ticks - t->start_count;
	return t->initial - (uint32_t)(k % t->initial);
}

void lapic_timer_write_dcr(struct lapic *l, uint32_t dcr)
{
	uint32_t cur = lapic_timer_current(l);

	l->timer.dcr = dcr & 0xB;
	if (l->timer.running && cur != 0)
		start_count(l, lapic_now(l), cur);
}

void lapic_timer_write_lvt(struct lapic *l, uint32_t val)
{
	unsigned old = timer_mode(l);

	l->lvt[LVT_TIMER] = val;
	if (timer_mode(l) == old)
		return;
	disarm(l);
	l->timer.running = false;
	l->timer.initial = 0;
	l->timer.deadline = 0;
}

/* Next periodic expiry after `now`, skipping periods the owner missed. */
static uint64_t next_period(const struct lapic_timer *t, uint64_t now)
{
	uint64_t span, next;

	if (__builtin_mul_overflow((uint64_t)t->initial, t->period, &span))
		return UINT64_MAX;
	next = after(t->expiry, 1, span);
	if (next <= now && span)
		next = after(t->expiry, (now - t->expiry) / span + 1, span);
	return next;
}

void lapic_timer_fire(struct lapic *l)
{
	struct lapic_timer *t = &l->timer;
	uint64_t now = lapic_now(l);

	if (!t->armed || now < t->expiry)
		return; /* stale or early: the armed event will come */
	t->armed = false;
	t->event = 0;
	l->stats.timer_fires++;
	switch (timer_mode(l)) {
	case TIMER_TSC_DEADLINE:
		t->deadline = 0; /* fired: the MSR clears itself */
		break;
	case TIMER_PERIODIC:
		if (t->initial)
			arm(l, next_period(t, now));
		break;
	default:
		t->running = false;
		break;
	}
	lapic_deliver_lvt(l, LVT_TIMER);
}

/* ---- TSC-deadline mode ------------------------------------------------- */

uint64_t lapic_tsc_deadline_read(const struct lapic *l)
{
	return timer_mode(l) == TIMER_TSC_DEADLINE ? l->timer.deadline : 0;
}

void lapic_tsc_deadline_write(struct lapic *l, uint64_t tsc)
{
	struct lapic_timer *t = &l->timer;
	uint64_t now = lapic_now(l);
	uint64_t tsc_now = now + (uint64_t)t->tsc_offset;

	if (timer_mode(l) != TIMER_TSC_DEADLINE)
		return;
	disarm(l);
	t->deadline = tsc;
	if (tsc == 0)
		return;
	if (tsc <= tsc_now) {
		/* Already reached: the interrupt is due now, so arm at now
		 * and fire without waiting for an event. */
		t->armed = true;
		t->expiry = now;
		lapic_timer_fire(l);
		return;
	}
	arm(l, tsc - (uint64_t)t->tsc_offset);
}

void lapic_set_tsc_offset(struct lapic *l, int64_t offset)
{
	l->timer.tsc_offset = offset;
	if (l->timer.deadline)
		lapic_tsc_deadline_write(l, l->timer.deadline);
}
