/*
 * tests/unit/devices/fake_clock.h — a struct dev_clock for device tests:
 * the time is a variable the test moves with fake_clock_advance, which
 * fires the armed timers that fall due, in time order.
 */
#ifndef HVSIM_TESTS_FAKE_CLOCK_H_
#define HVSIM_TESTS_FAKE_CLOCK_H_

#include "devices/dev_clock.h"

#define FAKE_TIMERS 4

struct fake_clock {
	cycles_t now;
	struct dev_timer *armed[FAKE_TIMERS];
	cycles_t when[FAKE_TIMERS];
	uint64_t next_id, scheduled;
};

static cycles_t fake_now(void *o)
{
	return ((struct fake_clock *)o)->now;
}

static void fake_cancel(void *o, struct dev_timer *t)
{
	struct fake_clock *fc = o;

	for (int i = 0; i < FAKE_TIMERS; i++)
		if (fc->armed[i] == t)
			fc->armed[i] = NULL;
	t->id = 0;
}

static void fake_schedule(void *o, struct dev_timer *t, cycles_t when)
{
	struct fake_clock *fc = o;

	fake_cancel(o, t);
	for (int i = 0; i < FAKE_TIMERS; i++)
		if (!fc->armed[i]) {
			fc->armed[i] = t;
			fc->when[i] = when;
			t->id = ++fc->next_id;
			fc->scheduled++;
			return;
		}
}

/* A dev_clock at `hz` cycles per second over fc. */
static inline struct dev_clock fake_clock_of(struct fake_clock *fc,
					     uint64_t hz)
{
	return (struct dev_clock){.hz = hz,
				  .now = fake_now,
				  .schedule = fake_schedule,
				  .cancel = fake_cancel,
				  .opaque = fc};
}

/* Move time to `to`, firing due timers at their own cycles. */
static inline void fake_clock_advance(struct fake_clock *fc, cycles_t to)
{
	for (;;) {
		int best = -1;

		for (int i = 0; i < FAKE_TIMERS; i++)
			if (fc->armed[i] && fc->when[i] <= to &&
			    (best < 0 || fc->when[i] < fc->when[best]))
				best = i;
		if (best < 0)
			break;
		{
			struct dev_timer *t = fc->armed[best];
			cycles_t w = fc->when[best];

			fc->armed[best] = NULL;
			t->id = 0;
			if (w > fc->now)
				fc->now = w;
			t->fire(t->dev, w);
		}
	}
	if (to > fc->now)
		fc->now = to;
}

#endif
