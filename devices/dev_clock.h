/*
 * devices/dev_clock.h — time for the platform devices (PIT, RTC, PM
 * timer): the current cycle, the cycle rate, and one-shot timers.
 *
 * A device never reads host time. It asks now() and computes its state
 * from the cycle count (a counter is a function of the time it was
 * loaded and the time it is read), so reading it is exact and the same
 * run gives the same values. A device that must act at a future cycle
 * (raise an interrupt) embeds a struct dev_timer and asks schedule() for
 * it; the owner (the VM Worker: the event queue; a unit test: a fake)
 * calls timer->fire(timer->dev, when) at that cycle. A timer is armed at
 * most once: schedule() replaces an earlier request of the same timer.
 */
#ifndef HVSIM_DEVICES_DEV_CLOCK_H_
#define HVSIM_DEVICES_DEV_CLOCK_H_

#include <stdint.h>

#include "devices/dev.h"

struct dev_timer {
	void (*fire)(void *dev, cycles_t when);
	void *dev;
	uint64_t id; /* the owner's handle; 0 = not armed */
};

struct dev_clock {
	uint64_t hz; /* cycles per second (> 0) */
	cycles_t (*now)(void *opaque);
	/* Both may be NULL (a device without timers then raises nothing). */
	void (*schedule)(void *opaque, struct dev_timer *t, cycles_t when);
	void (*cancel)(void *opaque, struct dev_timer *t);
	void *opaque;
};

static inline cycles_t dev_now(const struct dev_clock *c)
{
	return c->now(c->opaque);
}

/* Whole ticks of a tick_hz clock in `cycles` cycles (rounded down). */
static inline uint64_t dev_cycles_to_ticks(const struct dev_clock *c,
					   cycles_t cycles, uint64_t tick_hz)
{
	return (uint64_t)((unsigned __int128)cycles * tick_hz / c->hz);
}

/* The fewest cycles that hold `ticks` ticks of a tick_hz clock (rounded
 * up, so dev_cycles_to_ticks of the result is >= ticks). */
static inline cycles_t dev_ticks_to_cycles(const struct dev_clock *c,
					   uint64_t ticks, uint64_t tick_hz)
{
	return (cycles_t)(((unsigned __int128)ticks * c->hz + tick_hz - 1) /
			  tick_hz);
}

static inline void dev_timer_arm(const struct dev_clock *c,
				 struct dev_timer *t, cycles_t when)
{
	if (c->schedule)
		c->schedule(c->opaque, t, when);
}

static inline void dev_timer_cancel(const struct dev_clock *c,
				    struct dev_timer *t)
{
	if (c->cancel && t->id)
		c->cancel(c->opaque, t);
}

#endif
