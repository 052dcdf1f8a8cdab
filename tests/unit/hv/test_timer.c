/*
 * tests/unit/hv/test_timer.c — the per-vCPU timers of hv/timer.c: arming
 * replaces, cancelling removes the event, the earliest armed timer is the
 * vCPU's deadline, a fired timer is disarmed, and hv_vp_now follows the
 * vCPU's clock or the queue's, whichever is later.
 */
#include <criterion/criterion.h>

#include "hv/hv_int.h"
#include "sim/evq.h"

struct rig {
	struct evq *q;
	struct hv *hv;
	struct hv_part *p;
	struct hv_vp *vp;
};

static void rig_init(struct rig *r)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	struct hv_part_config pc = {.name = "t", .vcpus = 2,
				    .mem_bytes = 1 << 20, .weight = 100};

	r->q = evq_create();
	cr_assert_not_null(r->q);
	r->hv = hv_create(&hc, r->q);
	cr_assert_not_null(r->hv);
	r->p = hv_part_create(r->hv, &pc, NULL, NULL);
	cr_assert_not_null(r->p);
	r->vp = &r->p->vp[0];
}

static void rig_fini(struct rig *r)
{
	hv_destroy(r->hv);
	evq_destroy(r->q);
}

Test(timer, arming_replaces_and_the_deadline_is_the_earliest)
{
	struct rig r;

	rig_init(&r);
	cr_assert_eq(hv_vp_next_deadline(r.vp), EVQ_NEVER);
	cr_assert_eq(hv_vp_timer_set(r.vp, HV_TIMER_STIMER0 + 1, 5000), 0);
	cr_assert_eq(hv_vp_timer_set(r.vp, HV_TIMER_LAPIC, 9000), 0);
	cr_assert_eq(hv_vp_next_deadline(r.vp), 5000);
	cr_assert_eq(evq_pending(r.q), 2);
	/* Re-arming the same timer replaces its event. */
	cr_assert_eq(hv_vp_timer_set(r.vp, HV_TIMER_STIMER0 + 1, 12000), 0);
	cr_assert_eq(evq_pending(r.q), 2);
	cr_assert_eq(hv_vp_next_deadline(r.vp), 9000);
	/* The other vCPU's timers are its own. */
	cr_assert_eq(hv_vp_next_deadline(&r.p->vp[1]), EVQ_NEVER);
	hv_vp_timer_cancel(r.vp, HV_TIMER_LAPIC);
	cr_assert_eq(evq_pending(r.q), 1);
	cr_assert_eq(hv_vp_next_deadline(r.vp), 12000);
	hv_vp_timers_cancel_all(r.vp);
	cr_assert_eq(evq_pending(r.q), 0);
	cr_assert_eq(hv_vp_next_deadline(r.vp), EVQ_NEVER);
	rig_fini(&r);
}

Test(timer, a_fired_timer_is_disarmed)
{
	struct rig r;

	rig_init(&r);
	cr_assert_eq(hv_vp_timer_set(r.vp, HV_TIMER_STIMER0, 700), 0);
	cr_assert_eq(hv_vp_timer_set(r.vp, HV_TIMER_STIMER0 + 3, 900), 0);
	cr_assert_eq(evq_run_until(r.q, 800), 1);
	cr_assert_eq(r.vp->timer[HV_TIMER_STIMER0].ev, 0);
	cr_assert_eq(hv_vp_next_deadline(r.vp), 900);
	cr_assert_eq(evq_run_until(r.q, 1000), 1);
	cr_assert_eq(hv_vp_next_deadline(r.vp), EVQ_NEVER);
	rig_fini(&r);
}

Test(timer, now_is_the_later_of_the_vcpu_clock_and_the_queue)
{
	struct rig r;

	rig_init(&r);
	cpu_advance_clock(r.vp->cpu, 3000);
	cr_assert_eq(hv_vp_now(r.vp), 3000);
	evq_run_until(r.q, 8000);
	cr_assert_eq(hv_vp_now(r.vp), 8000); /* halted: catches up */
	r.vp->running = true;		     /* running: its own clock */
	cr_assert_eq(hv_vp_now(r.vp), 3000);
	r.vp->running = false;
	rig_fini(&r);
}

Test(timer, reference_time_counts_100ns_units_of_the_core_clock)
{
	struct rig r;

	rig_init(&r); /* 2.5 GHz by default: 250 cycles per 100 ns */
	cr_assert_eq(hv_freq_hz(r.hv), 2500000000ull);
	cr_assert_eq(hv_part_ref_time(r.p, 0), 0);
	cr_assert_eq(hv_part_ref_time(r.p, 249), 0);
	cr_assert_eq(hv_part_ref_time(r.p, 250), 1);
	cr_assert_eq(hv_part_ref_time(r.p, 2500000000ull), 10000000);
	rig_fini(&r);
}
