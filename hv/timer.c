/*
 * hv/timer.c — the timers a vCPU owns (its local APIC timer and its four
 * synthetic timers), each at most one event on the one event queue.
 *
 * Arming replaces the pending event; when an event runs, the owner
 * module's expiry function runs (the table below). The scheduler ends a
 * vCPU's slice at its earliest armed timer (hv_vp_next_deadline), so a
 * timer interrupt reaches a running vCPU at its expiry cycle rather than
 * at the end of a quantum.
 */
#include "hv/hv_int.h"
#include "hv/synic.h"
#include "hv/vapic.h"

static void fire_lapic(struct hv_vp *vp, unsigned index)
{
	(void)index;
	vapic_timer_expired(vp);
}

static void fire_stimer(struct hv_vp *vp, unsigned index)
{
	if (vp->synic)
		synic_stimer_expired(vp->synic, index);
}

/* Which module a timer belongs to: {expiry function, index passed}. */
static const struct {
	void (*fire)(struct hv_vp *vp, unsigned index);
	unsigned index;
} timer_owner[HV_VP_TIMER_NR] = {
    [HV_TIMER_LAPIC] = {fire_lapic, 0},
    [HV_TIMER_STIMER0 + 0] = {fire_stimer, 0},
    [HV_TIMER_STIMER0 + 1] = {fire_stimer, 1},
    [HV_TIMER_STIMER0 + 2] = {fire_stimer, 2},
    [HV_TIMER_STIMER0 + 3] = {fire_stimer, 3},
};

cycles_t hv_vp_now(const struct hv_vp *vp)
{
	cycles_t own = cpu_cycles(vp->cpu), q = evq_now(vp->part->hv->q);

	if (vp->running)
		return own;
	return own > q ? own : q;
}

static void timer_event(struct evq *q, void *opaque, cycles_t when)
{
	struct hv_vp_timer *t = opaque;

	(void)q;
	(void)when;
	t->ev = 0;
	t->at = EVQ_NEVER;
	timer_owner[t->which].fire(t->vp, timer_owner[t->which].index);
}

void hv_vp_timers_init(struct hv_vp *vp)
{
	for (unsigned i = 0; i < HV_VP_TIMER_NR; i++)
		vp->timer[i] = (struct hv_vp_timer){
		    .vp = vp, .which = (enum hv_vp_timer_id)i, .at = EVQ_NEVER};
}

void hv_vp_timer_cancel(struct hv_vp *vp, enum hv_vp_timer_id which)
{
	struct hv_vp_timer *t = &vp->timer[which];

	if (t->ev)
		evq_cancel(vp->part->hv->q, t->ev);
	t->ev = 0;
	t->at = EVQ_NEVER;
}

int hv_vp_timer_set(struct hv_vp *vp, enum hv_vp_timer_id which,
		    cycles_t when)
{
	struct hv_vp_timer *t = &vp->timer[which];

	hv_vp_timer_cancel(vp, which);
	t->ev = evq_schedule(vp->part->hv->q, when, timer_event, t);
	if (!t->ev)
		return -1;
	t->at = when;
	/* Armed while the vCPU runs: end its slice at the expiry, so the
	 * interrupt is taken on time rather than at the end of the slice. */
	if (vp->running)
		cpu_end_run_by(vp->cpu, when);
	return 0;
}

void hv_vp_timers_cancel_all(struct hv_vp *vp)
{
	for (unsigned i = 0; i < HV_VP_TIMER_NR; i++)
		hv_vp_timer_cancel(vp, (enum hv_vp_timer_id)i);
}

cycles_t hv_vp_next_deadline(const struct hv_vp *vp)
{
	cycles_t t = EVQ_NEVER;

	for (unsigned i = 0; i < HV_VP_TIMER_NR; i++)
		if (vp->timer[i].at < t)
			t = vp->timer[i].at;
	return t;
}
