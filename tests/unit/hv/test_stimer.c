/*
 * tests/unit/hv/test_stimer.c — the synthetic timers (hv/synic_timer.c)
 * on a real event queue: CONFIG/COUNT rules, one-shot and periodic
 * expiries at exact cycles (no drift, even when the events run late),
 * lazy catch-up, auto-enable, COUNT 0, past expirations, direct and
 * message mode, a timer message pending until EOM, stale expiry calls,
 * reference-time rounding, and random values that keep the invariants.
 */
#include "synic_harness.h"

#define CFG(i) (HV_MSR_STIMER0_CONFIG + 2 * (i))
#define CNT(i) (HV_MSR_STIMER0_COUNT + 2 * (i))
#define EN     HV_STIMER_ENABLE
#define PER    HV_STIMER_PERIODIC
#define LAZY   HV_STIMER_LAZY
#define AUTO   HV_STIMER_AUTO_ENABLE
#define DIRECT HV_STIMER_DIRECT
#define VECF(v)	 ((uint64_t)(v) << HV_STIMER_VECTOR_SHIFT)
#define SINTF(s) ((uint64_t)(s) << HV_STIMER_SINT_SHIFT)
#define C_PER_REF 100 /* cycles per reference unit at 1 GHz */

/* ---- MSR rules ------------------------------------------------------------ */

Test(stimer, config_reserved_bits_gp_and_valid_values_read_back)
{
	static const uint64_t bad[] = {1ull << 13, 1ull << 14, 1ull << 15,
				       1ull << 20, 1ull << 31, 1ull << 63};
	struct sh *h = sh_new();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (unsigned t = 0; t < 4; t++)
			cr_assert_eq(-1, synic_msr_write(h->s, CFG(t), bad[i]),
				     "timer %u %#llx", t,
				     (unsigned long long)bad[i]);
	cr_assert_eq(-1, synic_msr_write(h->s, CFG(0), DIRECT | VECF(15)),
		     "direct mode needs a vector >= 16");
	sh_wr(h, CFG(2), PER | LAZY | AUTO | VECF(0xED) | SINTF(15));
	cr_assert_eq(PER | LAZY | AUTO | VECF(0xED) | SINTF(15),
		     sh_rd(h, CFG(2)));
	sh_wr(h, CFG(3), 0x1ED8); /* Linux's direct value without enable */
	cr_assert_eq(0x1ED8u, sh_rd(h, CFG(3)));
	sh_wr(h, CNT(1), 0xFFFFFFFFFFFFull);
	cr_assert_eq(0xFFFFFFFFFFFFull, sh_rd(h, CNT(1)));
	cr_assert_eq(0u, sh_rd(h, CFG(1)), "no auto-enable: stays off");
	cr_assert_eq(0, h->nset);
	sh_free(h);
}

/* ---- one-shot --------------------------------------------------------------- */

Test(stimer, one_shot_direct_fires_at_the_exact_cycle_and_disables)
{
	struct sh *h = sh_new();

	evq_run_until(h->q, 5000);
	sh_wr(h, CNT(0), 1000); /* absolute: 100 us */
	sh_wr(h, CFG(0), EN | DIRECT | VECF(0xED));
	cr_assert_eq(1000u * C_PER_REF, h->armed_at[0]);
	evq_run_until(h->q, 1000 * C_PER_REF - 1);
	cr_assert_eq(0, h->nr);
	evq_run_until(h->q, 1000 * C_PER_REF);
	cr_assert_eq(1, h->nr);
	cr_assert_eq(0xED, h->r[0].vector);
	cr_assert_not(h->r[0].auto_eoi, "direct mode: no auto-EOI");
	cr_assert_eq(1000u * C_PER_REF, h->r[0].at);
	cr_assert_eq(0u, sh_rd(h, CFG(0)) & EN, "one-shot clears enable");
	cr_assert_eq(1000u, sh_rd(h, CNT(0)));
	evq_run_until(h->q, 10000000);
	cr_assert_eq(1, h->nr, "fires once");
	cr_assert_eq(1u, synic_stats(h->s)->stimer_expiries);
	sh_free(h);
}

Test(stimer, direct_mode_needs_no_synic)
{
	struct sh *h = sh_new(); /* SCONTROL, SIMP all off */

	sh_wr(h, CFG(1), EN | AUTO | DIRECT | VECF(0x30));
	sh_wr(h, CNT(1), 10);
	evq_run_until(h->q, 10 * C_PER_REF);
	cr_assert_eq(1, h->nr);
	cr_assert_eq(0x30, h->r[0].vector);
	sh_free(h);
}

Test(stimer, one_shot_message_goes_into_the_sint_slot)
{
	struct sh *h = sh_new();

	sh_enable(h, 2, 0xF3);
	sh_wr(h, HV_MSR_SINT0 + 2, 0xF3 | HV_SINT_AUTO_EOI);
	sh_wr(h, CFG(3), EN | SINTF(2));
	sh_wr(h, CNT(3), 777);
	evq_run_until(h->q, 777 * C_PER_REF);
	cr_assert_eq(1, h->nr);
	cr_assert_eq(0xF3, h->r[0].vector);
	cr_assert(h->r[0].auto_eoi, "the SINT's auto-EOI");
	cr_assert_eq(HVMSG_TIMER_EXPIRED, sh_slot_type(h, 2));
	cr_assert_eq(24u, sh_slot(h, 2, 4, 1));
	cr_assert_eq(0u, sh_slot(h, 2, 5, 1));
	cr_assert_eq(3u, sh_slot(h, 2, 16, 4), "timer index");
	cr_assert_eq(0u, sh_slot(h, 2, 20, 4), "reserved");
	cr_assert_eq(777u, sh_slot(h, 2, 24, 8), "expiration time");
	cr_assert_eq(777u, sh_slot(h, 2, 32, 8), "delivery time");
	cr_assert_eq(0u, sh_slot(h, 2, 40, 8), "nothing past 24 bytes");
	cr_assert_eq(1u, synic_stats(h->s)->delivered);
	cr_assert_eq(0u, synic_stats(h->s)->posted, "not a post");
	sh_free(h);
}

Test(stimer, expiration_already_past_fires_at_once)
{
	struct sh *h = sh_new();

	evq_run_until(h->q, 50000); /* ref 500 */
	sh_wr(h, CFG(0), EN | DIRECT | VECF(0x40));
	sh_wr(h, CNT(0), 123);
	cr_assert_eq(1, h->nr, "during the COUNT write");
	cr_assert_eq(50000u, h->r[0].at);
	cr_assert_eq(0, h->nset, "nothing armed");
	cr_assert_eq(0u, sh_rd(h, CFG(0)) & EN);
	sh_wr(h, CFG(0), EN | DIRECT | VECF(0x40));
	sh_wr(h, CNT(0), 500); /* exactly now */
	cr_assert_eq(2, h->nr);
	sh_free(h);
}

Test(stimer, rewriting_count_moves_a_one_shot)
{
	struct sh *h = sh_new();

	sh_wr(h, CFG(0), EN | DIRECT | VECF(0x40));
	sh_wr(h, CNT(0), 100);
	sh_wr(h, CNT(0), 300);
	evq_run_until(h->q, 299 * C_PER_REF);
	cr_assert_eq(0, h->nr);
	evq_run_until(h->q, 300 * C_PER_REF);
	cr_assert_eq(1, h->nr);
	sh_free(h);
}

/* ---- enable rules ------------------------------------------------------------ */

Test(stimer, auto_enable_sets_enable_on_a_nonzero_count)
{
	struct sh *h = sh_new();

	sh_wr(h, CFG(0), AUTO | DIRECT | VECF(0xED));
	cr_assert_eq(0, h->nset);
	sh_wr(h, CNT(0), 200);
	cr_assert_eq(AUTO | DIRECT | VECF(0xED) | EN, sh_rd(h, CFG(0)));
	cr_assert_eq(200u * C_PER_REF, h->armed_at[0]);
	evq_run_until(h->q, 200 * C_PER_REF);
	cr_assert_eq(1, h->nr);
	/* Linux's set_next_event: COUNT again, enable comes back. */
	sh_wr(h, CNT(0), 400);
	cr_assert(sh_rd(h, CFG(0)) & EN);
	evq_run_until(h->q, 400 * C_PER_REF);
	cr_assert_eq(2, h->nr);
	sh_free(h);
}

Test(stimer, count_zero_disables_and_never_fires)
{
	struct sh *h = sh_new();

	sh_wr(h, CFG(0), EN | PER | DIRECT | VECF(0x40));
	sh_wr(h, CNT(0), 100);
	cr_assert_neq(EVQ_NEVER, h->armed_at[0]);
	sh_wr(h, CNT(0), 0);
	cr_assert_eq(0u, sh_rd(h, CFG(0)) & EN);
	cr_assert_eq(EVQ_NEVER, h->armed_at[0], "cancelled");
	/* Enable with COUNT 0 (Linux's set_oneshot): armed by nothing. */
	sh_wr(h, CFG(0), EN | AUTO | DIRECT | VECF(0x40));
	cr_assert_eq(EN | AUTO | DIRECT | VECF(0x40), sh_rd(h, CFG(0)));
	cr_assert_eq(EVQ_NEVER, h->armed_at[0]);
	evq_run_until(h->q, 100000000);
	cr_assert_eq(0, h->nr);
	cr_assert(synic_check_invariants(h->s));
	sh_free(h);
}

Test(stimer, clearing_enable_cancels)
{
	struct sh *h = sh_new();

	sh_wr(h, CFG(2), EN | DIRECT | VECF(0x40));
	sh_wr(h, CNT(2), 100);
	sh_wr(h, CFG(2), DIRECT | VECF(0x40));
	cr_assert_eq(EVQ_NEVER, h->armed_at[2]);
	evq_run_until(h->q, 1000000);
	cr_assert_eq(0, h->nr);
	sh_free(h);
}

/* ---- periodic ----------------------------------------------------------------- */

Test(stimer, periodic_has_no_drift_over_100_periods_even_when_handled_late)
{
	struct sh *h = sh_new();
	const uint64_t start = 12345, period = 1000;

	h->late = 350; /* each timer event runs 3.5 reference units late */
	evq_run_until(h->q, start);
	sh_wr(h, CFG(1), EN | PER | DIRECT | VECF(0x41));
	sh_wr(h, CNT(1), period);
	evq_run_until(h->q, start + 100 * period * C_PER_REF + 1000);
	cr_assert_eq(100, h->nr);
	/* start is cycle 12345 = ref 123 (rounded down). */
	for (int k = 1; k <= 100; k++)
		cr_assert_eq((123 + k * period) * C_PER_REF + 350,
			     h->r[k - 1].at, "expiry %d", k);
	cr_assert(sh_rd(h, CFG(1)) & EN, "periodic stays enabled");
	sh_free(h);
}

Test(stimer, periodic_message_mode_one_message_per_period_with_eom)
{
	struct sh *h = sh_new();

	sh_enable(h, 2, 0xF3);
	sh_wr(h, CFG(0), EN | PER | SINTF(2));
	sh_wr(h, CNT(0), 50);
	for (int k = 1; k <= 5; k++) {
		evq_run_until(h->q, (uint64_t)k * 50 * C_PER_REF);
		cr_assert_eq(k, h->nr);
		cr_assert_eq((uint64_t)k * 50, sh_slot(h, 2, 24, 8));
		sh_consume(h, 2);
	}
	sh_free(h);
}

Test(stimer, lazy_periodic_skips_missed_periods_others_catch_up)
{
	static const uint64_t lazy[2] = {0, LAZY};
	static const int want[2][2] = {{3, 4}, {1, 2}};

	for (int l = 0; l < 2; l++) {
		struct sh *h = sh_new();

		/* The first event runs 2.5 periods late: expirations 200
		 * and 300 are missed by the time 100 is handled. */
		h->late_once = 250 * C_PER_REF;
		sh_wr(h, CFG(0), EN | PER | DIRECT | VECF(0x40) | lazy[l]);
		sh_wr(h, CNT(0), 100);
		evq_run_until(h->q, 350 * C_PER_REF);
		cr_assert_eq(want[l][0], h->nr, "lazy %d", l);
		for (int k = 0; k < h->nr; k++)
			cr_assert_eq(350u * C_PER_REF, h->r[k].at);
		evq_run_until(h->q, 400 * C_PER_REF);
		cr_assert_eq(want[l][1], h->nr, "back on the period grid");
		cr_assert_eq(400u * C_PER_REF, h->r[h->nr - 1].at);
		sh_free(h);
	}
}

/* ---- a timer message waiting for its slot --------------------------------------- */

Test(stimer, message_waits_for_the_slot_and_goes_out_on_eom)
{
	struct sh *h = sh_new();

	sh_enable(h, 2, 0xF3);
	synic_post_message(h->s, 2, HVMSG_VMBUS, "v", 1); /* slot busy */
	cr_assert_eq(1, h->nr);
	sh_wr(h, CFG(0), EN | SINTF(2));
	sh_wr(h, CNT(0), 100);
	evq_run_until(h->q, 100 * C_PER_REF);
	cr_assert_eq(1u, synic_stats(h->s)->stimer_expiries);
	cr_assert_eq(1, h->nr, "no interrupt while the slot is busy");
	cr_assert_eq(HVMSG_VMBUS, sh_slot_type(h, 2));
	cr_assert(sh_slot_pending(h, 2), "the guest is told to EOM");
	evq_run_until(h->q, 160 * C_PER_REF);
	sh_consume(h, 2); /* frees the slot and writes EOM at ref 160 */
	cr_assert_eq(2, h->nr);
	cr_assert_eq(HVMSG_TIMER_EXPIRED, sh_slot_type(h, 2));
	cr_assert_eq(100u, sh_slot(h, 2, 24, 8), "expiration time");
	cr_assert_eq(160u, sh_slot(h, 2, 32, 8), "delivery time");
	cr_assert_not(sh_slot_pending(h, 2));
	sh_free(h);
}

Test(stimer, periodic_expirations_do_not_pile_up_behind_a_busy_slot)
{
	struct sh *h = sh_new();

	sh_enable(h, 3, 0x60);
	synic_post_message(h->s, 3, HVMSG_VMBUS, "v", 1);
	sh_wr(h, CFG(1), EN | PER | SINTF(3));
	sh_wr(h, CNT(1), 10);
	evq_run_until(h->q, 100 * C_PER_REF);
	cr_assert_eq(10u, synic_stats(h->s)->stimer_expiries);
	sh_consume(h, 3);
	cr_assert_eq(2, h->nr);
	cr_assert_eq(10u, sh_slot(h, 3, 24, 8), "the first expiration");
	cr_assert_not(sh_slot_pending(h, 3), "only one was kept");
	sh_consume(h, 3);
	cr_assert_eq(2, h->nr);
	sh_free(h);
}

Test(stimer, timer_message_and_posts_keep_their_order)
{
	struct sh *h = sh_new();

	sh_enable(h, 2, 0xF3);
	synic_post_message(h->s, 2, HVMSG_VMBUS, "a", 1);
	sh_wr(h, CFG(0), EN | SINTF(2));
	sh_wr(h, CNT(0), 10);
	evq_run_until(h->q, 10 * C_PER_REF); /* timer waits behind "a" */
	synic_post_message(h->s, 2, HVMSG_VMBUS, "b", 1);
	sh_consume(h, 2);
	cr_assert_eq(HVMSG_TIMER_EXPIRED, sh_slot_type(h, 2));
	cr_assert(sh_slot_pending(h, 2), "b still waits");
	sh_consume(h, 2);
	cr_assert_eq(HVMSG_VMBUS, sh_slot_type(h, 2));
	cr_assert_eq('b', sh_slot(h, 2, 16, 1));
	cr_assert_eq(3, h->nr);
	sh_free(h);
}

Test(stimer, message_waits_while_the_synic_is_off)
{
	struct sh *h = sh_new();

	sh_wr(h, CFG(0), EN | SINTF(2));
	sh_wr(h, CNT(0), 10);
	evq_run_until(h->q, 10 * C_PER_REF);
	cr_assert_eq(0, h->nr);
	sh_enable(h, 2, 0xF3); /* SCONTROL last, as Linux does */
	cr_assert_eq(1, h->nr);
	cr_assert_eq(HVMSG_TIMER_EXPIRED, sh_slot_type(h, 2));
	sh_free(h);
}

/* ---- stale calls, rounding, reset, robustness ------------------------------------- */

Test(stimer, stale_expiry_calls_do_nothing)
{
	struct sh *h = sh_new();

	synic_stimer_expired(h->s, 0);
	synic_stimer_expired(h->s, 4);
	synic_stimer_expired(h->s, 0xFFFFFFFFu);
	sh_wr(h, CFG(0), EN | DIRECT | VECF(0x40));
	sh_wr(h, CNT(0), 100);
	synic_stimer_expired(h->s, 0); /* early: re-armed, no interrupt */
	cr_assert_eq(0, h->nr);
	cr_assert_eq(100u * C_PER_REF, h->armed_at[0]);
	evq_run_until(h->q, 100 * C_PER_REF);
	cr_assert_eq(1, h->nr);
	synic_stimer_expired(h->s, 0); /* after a one-shot */
	cr_assert_eq(1, h->nr);
	cr_assert(synic_check_invariants(h->s));
	sh_free(h);
}

Test(stimer, fires_at_the_first_cycle_reaching_the_expiration)
{
	/* 3 GHz - 1: cycles and reference units do not divide. */
	struct sh *h = sh_new_freq(2999999999ull);

	for (uint64_t exp = 1; exp < 2000; exp += 97) {
		int before = h->nr;

		/* Enable through COUNT: enabling through CONFIG would fire
		 * the previous (past) COUNT at once. */
		sh_wr(h, CFG(0), AUTO | DIRECT | VECF(0x40));
		sh_wr(h, CNT(0), exp + sh_ref_now(h) + 1);
		uint64_t want_ref = sh_rd(h, CNT(0));
		evq_run_until(h->q, evq_now(h->q) + 2000000);
		cr_assert_eq(before + 1, h->nr);
		cycles_t at = h->r[h->nr - 1].at;
		cr_assert_geq(sh_ref_time(h, at), want_ref);
		cr_assert_lt(sh_ref_time(h, at - 1), want_ref);
	}
	sh_free(h);
}

Test(stimer, far_expirations_are_never_armed_in_the_past)
{
	struct sh *h = sh_new();

	evq_run_until(h->q, 1000);
	sh_wr(h, CFG(0), EN | PER | DIRECT | VECF(0x40));
	sh_wr(h, CNT(0), UINT64_MAX / 2);
	sh_wr(h, CFG(1), EN | DIRECT | VECF(0x40));
	sh_wr(h, CNT(1), UINT64_MAX);
	evq_run_until(h->q, 1000000000);
	cr_assert_eq(0, h->nr);
	cr_assert(sh_rd(h, CFG(0)) & EN);
	cr_assert(synic_check_invariants(h->s));
	sh_free(h);
}

Test(stimer, reset_stops_every_timer)
{
	struct sh *h = sh_new();

	for (unsigned i = 0; i < 4; i++) {
		sh_wr(h, CFG(i), EN | PER | DIRECT | VECF(0x40 + i));
		sh_wr(h, CNT(i), 10 + i);
	}
	synic_reset(h->s);
	for (unsigned i = 0; i < 4; i++) {
		cr_assert_eq(EVQ_NEVER, h->armed_at[i]);
		cr_assert_eq(0u, sh_rd(h, CFG(i)));
		cr_assert_eq(0u, sh_rd(h, CNT(i)));
	}
	evq_run_until(h->q, 10000000);
	cr_assert_eq(0, h->nr);
	sh_free(h);
}

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return *x >> 11 ^ *x << 29;
}

Test(stimer, random_timer_values_keep_the_invariants)
{
	struct sh *h = sh_new();
	uint64_t x = 777;

	sh_enable(h, 2, 0xF3);
	for (int step = 0; step < 20000; step++) {
		uint64_t r = lcg(&x), v = lcg(&x);
		uint32_t msr = HV_MSR_STIMER0_CONFIG + (uint32_t)(r % 8);

		if (r >> 40 & 1)
			v &= (msr & 1) ? 0x7FF : 0xF1FFF; /* mostly valid */
		switch (r >> 32 & 3) {
		case 0:
		case 1:
			synic_msr_write(h->s, msr, v);
			break;
		case 2:
			evq_run_until(h->q, evq_now(h->q) + v % 20000);
			break;
		default:
			physmem_write(h->mem, SH_SIMP + (v % 16) * 256, 4, 0);
			synic_msr_write(h->s, HV_MSR_EOM, 0);
		}
		cr_assert(synic_check_invariants(h->s), "step %d", step);
	}
	cr_assert_gt(synic_stats(h->s)->stimer_expiries, 100u);
	sh_free(h);
}
