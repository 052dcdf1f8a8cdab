/*
 * hv/synic_timer.c — the four synthetic timers of a vCPU's SynIC
 * (STIMER0..3 CONFIG/COUNT; Hyper-V TLFS "Synthetic Timers";
 * ../shared/reference/vmbus.md §1.3 and §7.3).
 *
 * Time is reference time (100 ns units) from the hooks. A one-shot timer's
 * COUNT is the absolute expiration time; a periodic timer's COUNT is the
 * period, and each expiration is the previous one plus the period (not
 * "when the last one was handled + period"), so a periodic timer does not
 * drift. The hook arms the event at the first cycle whose reference time
 * reaches the expiration.
 *
 * Expiry: direct mode raises the CONFIG vector on the local APIC (no
 * auto-EOI, and no need for the SynIC to be enabled: Linux uses direct
 * stimer0 before it sets up the SynIC); message mode posts
 * HVMSG_TIMER_EXPIRED to the configured SINT. A message that does not fit
 * yet stays pending on the timer (one per timer, as the TLFS describes:
 * further expirations while it is pending are not queued) and goes out
 * when the slot frees (EOM, hv/synic.c). A periodic timer that missed
 * expirations catches up with back-to-back ones unless it is lazy, which
 * skips to the next period boundary in the future.
 *
 * Called by hv/synic.c (MSRs, reset) and, through synic_stimer_expired,
 * by hv/timer.c.
 */
#include "hv/synic_int.h"
#include "sim/evq.h"

#define STIMER_VECTOR_MASK (0xFFull << HV_STIMER_VECTOR_SHIFT)
#define STIMER_SINT_MASK   (0xFull << HV_STIMER_SINT_SHIFT)
#define STIMER_VALID                                                       \
	(HV_STIMER_ENABLE | HV_STIMER_PERIODIC | HV_STIMER_LAZY |           \
	 HV_STIMER_AUTO_ENABLE | STIMER_VECTOR_MASK | HV_STIMER_DIRECT |    \
	 STIMER_SINT_MASK)

static unsigned cfg_sint(uint64_t cfg)
{
	return (unsigned)((cfg & STIMER_SINT_MASK) >> HV_STIMER_SINT_SHIFT);
}

static uint8_t cfg_vector(uint64_t cfg)
{
	return (uint8_t)((cfg & STIMER_VECTOR_MASK) >> HV_STIMER_VECTOR_SHIFT);
}

static uint64_t now_ref(struct synic *s)
{
	return s->h.ref_time(s->h.opaque, s->h.now(s->h.opaque));
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* The first cycle at which reference time reaches `ref`, never before
 * now; EVQ_NEVER if no cycle the hooks can express gets there.
 * ref_to_cycles may round down by one cycle, and clamps far times. */
static cycles_t cycle_of(struct synic *s, uint64_t ref)
{
	cycles_t c = s->h.ref_to_cycles(s->h.opaque, ref);
	cycles_t now = s->h.now(s->h.opaque);

	for (int k = 0; k < 2 && s->h.ref_time(s->h.opaque, c) < ref; k++)
		if (++c >= EVQ_NEVER)
			return EVQ_NEVER;
	if (s->h.ref_time(s->h.opaque, c) < ref)
		return EVQ_NEVER;
	return c < now ? now : c;
}

static void stop(struct synic *s, unsigned i)
{
	if (s->t[i].armed)
		s->h.timer_cancel(s->h.opaque, i);
	s->t[i].armed = false;
}

/* Arm the hook at t->exp; an expiration beyond the end of time stays
 * enabled but never fires. */
static void arm(struct synic *s, unsigned i)
{
	struct synic_stimer *t = &s->t[i];
	cycles_t when = cycle_of(s, t->exp);

	t->armed = when != EVQ_NEVER &&
		   s->h.timer_set(s->h.opaque, i, when) == 0;
}

static void notify(struct synic *s, unsigned i)
{
	struct synic_stimer *t = &s->t[i];

	if (t->config & HV_STIMER_DIRECT) {
		s->h.raise(s->h.opaque, cfg_vector(t->config), false);
		s->st.interrupts++;
		return;
	}
	if (t->msg_pending)
		return; /* the previous expiration's message is still waiting */
	t->msg_pending = true;
	t->pend_sint = cfg_sint(t->config);
	t->pend_exp = t->exp;
	t->pend_seq = s->seq++;
	synic_flush_sint(s, t->pend_sint);
}

/* Timer `i` reached its expiration (t->exp <= now). */
static void expire(struct synic *s, unsigned i, uint64_t now)
{
	struct synic_stimer *t = &s->t[i];

	s->st.stimer_expiries++;
	notify(s, i);
	if (!(t->config & HV_STIMER_PERIODIC)) {
		t->config &= ~HV_STIMER_ENABLE;
		t->armed = false;
		return;
	}
	if (add_sat(t->exp, t->count) <= now && (t->config & HV_STIMER_LAZY)) {
		uint64_t late = now - t->exp; /* skip whole missed periods */

		t->exp = add_sat(t->exp, late - late % t->count);
	}
	t->exp = add_sat(t->exp, t->count);
	arm(s, i);
}

/* (Re)start an enabled timer with a non-zero COUNT from now. */
static void start(struct synic *s, unsigned i)
{
	struct synic_stimer *t = &s->t[i];
	uint64_t now = now_ref(s);

	stop(s, i);
	if (!(t->config & HV_STIMER_ENABLE) || t->count == 0)
		return;
	if (t->config & HV_STIMER_PERIODIC) {
		t->exp = add_sat(now, t->count);
	} else {
		t->exp = t->count;
		if (t->exp <= now) {
			expire(s, i, now); /* already past: fires at once */
			return;
		}
	}
	arm(s, i);
}

void synic_stimer_expired(struct synic *s, unsigned stimer)
{
	struct synic_stimer *t;
	uint64_t now;

	if (stimer >= HV_SYNIC_STIMER_COUNT)
		return;
	t = &s->t[stimer];
	if (!t->armed)
		return; /* stale: stopped or re-armed since */
	t->armed = false; /* the hook's event is used up */
	now = now_ref(s);
	if (now < t->exp)
		arm(s, stimer); /* early: wait for the real expiration */
	else
		expire(s, stimer, now);
}

void synic_stimer_take_msg(struct synic *s, unsigned i, uint8_t *payload)
{
	struct synic_stimer *t = &s->t[i];
	uint64_t fields[3] = {i, t->pend_exp, now_ref(s)};

	/* timer_index u32, reserved u32, expiration_time u64,
	 * delivery_time u64; little-endian. */
	for (unsigned f = 0; f < 3; f++)
		for (unsigned b = 0; b < 8; b++)
			payload[8 * f + b] = (uint8_t)(fields[f] >> (8 * b));
	t->msg_pending = false;
}

/* ---- MSRs: index 2n = STIMERn_CONFIG, 2n + 1 = STIMERn_COUNT -------------- */

int synic_stimer_msr_read(struct synic *s, uint32_t idx, uint64_t *val)
{
	const struct synic_stimer *t = &s->t[idx / 2];

	*val = (idx & 1) ? t->count : t->config;
	return 0;
}

static int write_config(struct synic *s, unsigned i, uint64_t v)
{
	/* Direct mode raises the vector itself: it must be a valid one. */
	if ((v & ~STIMER_VALID) ||
	    ((v & HV_STIMER_DIRECT) && cfg_vector(v) < 16))
		return -1;
	s->t[i].config = v;
	start(s, i); /* stops it unless enabled with a non-zero COUNT */
	return 0;
}

static int write_count(struct synic *s, unsigned i, uint64_t v)
{
	struct synic_stimer *t = &s->t[i];

	t->count = v;
	if (v == 0)
		t->config &= ~HV_STIMER_ENABLE; /* COUNT 0 disables */
	else if (t->config & HV_STIMER_AUTO_ENABLE)
		t->config |= HV_STIMER_ENABLE;
	start(s, i);
	return 0;
}

int synic_stimer_msr_write(struct synic *s, uint32_t idx, uint64_t val)
{
	return (idx & 1) ? write_count(s, idx / 2, val)
			 : write_config(s, idx / 2, val);
}

void synic_stimers_reset(struct synic *s)
{
	for (unsigned i = 0; i < HV_SYNIC_STIMER_COUNT; i++) {
		stop(s, i);
		s->t[i] = (struct synic_stimer){0};
	}
}

bool synic_stimer_ok(const struct synic_stimer *t)
{
	if (t->config & ~STIMER_VALID)
		return false;
	if (t->armed && (!(t->config & HV_STIMER_ENABLE) || t->count == 0))
		return false;
	return !t->msg_pending || t->pend_sint < HV_SYNIC_SINT_COUNT;
}
