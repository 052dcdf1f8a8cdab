/*
 * examples/guests/hv_stimer.c — the reference counter and the synthetic
 * timers from the guest's side (../shared/reference/vmbus.md §1.2 feature
 * bits, §1.3 TIME_REF_COUNT and STIMERx_CONFIG/COUNT, §3.1 the
 * TIMER_EXPIRED message, §7.3).
 *
 * Checks: TIME_REF_COUNT runs at 10 MHz against the TSC (TSC_FREQUENCY);
 * a one-shot timer in message mode delivers HVMSG_TIMER_EXPIRED with its
 * expiration time (the COUNT written) and a delivery time, then is
 * disabled; a periodic one expires every period exactly (each expiration
 * = the previous + period) and stops when disabled; direct mode raises
 * its vector at the expiration time with no message; a one-shot COUNT in
 * the past expires at once; reserved CONFIG bits #GP; COUNT 0 disables an
 * armed timer; AUTO_ENABLE turns the timer on when COUNT is written.
 *
 * Tolerance: the time the guest sees an expiration (TIME_REF_COUNT read
 * in the interrupt handler, or the message's delivery time) must not be
 * before the expiration and at most TOL = 1000 units (100 us) after it.
 * The timer event fires at the expiration cycle; the slack covers the
 * guest's own polling loop and the MSR exits around it.
 */
#include "hyperv.h"
#include "rt.h"

#define SINT	     3
#define MSG_VEC	     0xC0
#define DIRECT_VEC   0xC1
#define TOL	     1000ul
#define WAIT_CYCLES  50000000ul /* 20 ms at 2.5 GHz */
#define QUIET_CYCLES 10000000ul /* 4 ms: "no interrupt" */
#define CFG_SINT     ((uint64_t)SINT << HV_STIMER_SINT_SHIFT)
#define CFG_VEC(v)   ((uint64_t)(v) << HV_STIMER_VECTOR_SHIFT)

static volatile unsigned msg_irqs, direct_irqs;
static volatile uint64_t msg_ref, direct_ref; /* TIME_REF_COUNT at the irq */

static void on_msg(struct trap_frame *f)
{
	(void)f;
	msg_ref = hv_ref_time();
	msg_irqs++;
}

static void on_direct(struct trap_frame *f)
{
	(void)f;
	direct_ref = hv_ref_time();
	direct_irqs++;
	hv_apic_eoi(); /* direct mode: a plain fixed interrupt */
}

static int within(uint64_t t, uint64_t exp)
{
	return t >= exp && t - exp <= TOL;
}

/* Copies the TIMER_EXPIRED payload out of the slot and consumes it;
 * returns 0 if the slot does not hold one. */
static int take_timer_msg(struct hv_synic *s, struct hv_timer_message *tm)
{
	volatile struct hv_message *m = hv_msg_slot(s, SINT);
	uint8_t *dst = (uint8_t *)tm;

	if (m->message_type != HVMSG_TIMER_EXPIRED ||
	    m->payload_size < sizeof(*tm)) {
		printf("      slot: type %#x size %u\n", m->message_type,
		       m->payload_size);
		return 0;
	}
	for (unsigned i = 0; i < sizeof(*tm); i++)
		dst[i] = m->payload[i];
	hv_msg_done(m);
	return 1;
}

static void drain(struct hv_synic *s)
{
	volatile struct hv_message *m = hv_msg_slot(s, SINT);

	while (m->message_type != HVMSG_NONE)
		hv_msg_done(m);
}

static void test_ref_count(void)
{
	uint64_t hz = 0, r0, r1, t0, t1, want;
	volatile uint64_t sink = 0;

	r0 = hv_ref_time();
	t0 = rdtsc();
	for (int i = 0; i < 200000; i++)
		sink += i;
	r1 = hv_ref_time();
	t1 = rdtsc();
	report(r1 > r0, "TIME_REF_COUNT increases");
	if (hv_rdmsr_safe(HV_MSR_TSC_FREQUENCY, &hz) || hz == 0) {
		report_skip("TSC_FREQUENCY unreadable: no rate check");
		return;
	}
	want = (t1 - t0) * HV_REF_HZ / hz;
	printf("%lu TSC cycles at %lu Hz, %lu reference units (expect %lu)\n",
	       t1 - t0, hz, r1 - r0, want);
	report(r1 - r0 + 2 >= want && r1 - r0 <= want + 2 + want / 1000,
	       "TIME_REF_COUNT counts 100 ns units of the TSC's clock");
}

static void test_oneshot_msg(struct hv_synic *s)
{
	struct hv_timer_message tm;
	unsigned n = msg_irqs;
	uint64_t exp = hv_ref_time() + 10000; /* 1 ms */

	hv_stimer_set_count(0, exp);
	hv_stimer_set_config(0, HV_STIMER_ENABLE | CFG_SINT);
	report(hv_wait_change(&msg_irqs, n, WAIT_CYCLES),
	       "one-shot (message mode): SINT%d interrupt", SINT);
	printf("one-shot: expiration %lu, interrupt handler at %lu\n", exp,
	       msg_ref);
	report(within(msg_ref, exp), "one-shot: interrupt within %lu units "
	       "after the expiration", TOL);
	if (!report(take_timer_msg(s, &tm), "one-shot: HVMSG_TIMER_EXPIRED "
		    "in slot %d", SINT))
		return;
	report(tm.timer_index == 0 && tm.expiration_time == exp,
	       "one-shot: message names timer 0 and the expiration time");
	report(within(tm.delivery_time, exp),
	       "one-shot: delivery time within %lu units after it", TOL);
	if (tm.expiration_time != exp || !within(tm.delivery_time, exp))
		printf("      index %u expiration %lu delivery %lu (want %lu)\n",
		       tm.timer_index, tm.expiration_time, tm.delivery_time,
		       exp);
	report(!(hv_stimer_config(0) & HV_STIMER_ENABLE),
	       "one-shot: ENABLE is clear after the expiration");
	n = msg_irqs;
	report(!hv_wait_change(&msg_irqs, n, QUIET_CYCLES),
	       "one-shot: no second expiration");
}

#define PERIODS 5

static void test_periodic_msg(struct hv_synic *s)
{
	const uint64_t period = 5000; /* 500 us */
	struct hv_timer_message tm;
	uint64_t exp[PERIODS], start = hv_ref_time();
	int got = 0, steady = 1, timely = 1;

	hv_stimer_set_count(0, period);
	hv_stimer_set_config(0, HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
					CFG_SINT);
	for (int k = 0; k < PERIODS; k++) {
		unsigned n = msg_irqs;

		if (!hv_wait_change(&msg_irqs, n, WAIT_CYCLES))
			break;
		if (k == PERIODS - 1)
			hv_stimer_set_config(0, 0); /* stop before the last EOM */
		if (!take_timer_msg(s, &tm))
			break;
		exp[k] = tm.expiration_time;
		timely &= within(tm.delivery_time, tm.expiration_time);
		got++;
	}
	hv_stimer_set_config(0, 0);
	report(got == PERIODS, "periodic: %d expiration messages", PERIODS);
	if (got != PERIODS) {
		drain(s); /* keep a stray message out of the next tests */
		return;
	}
	for (int k = 1; k < PERIODS; k++)
		steady &= exp[k] - exp[k - 1] == period;
	report(exp[0] >= start + period && exp[0] <= start + period + TOL,
	       "periodic: first expiration one period after the start");
	report(steady, "periodic: expirations exactly %lu units apart", period);
	if (!steady)
		for (int k = 0; k < PERIODS; k++)
			printf("      expiration %d: %lu\n", k, exp[k]);
	report(timely, "periodic: each delivered within %lu units", TOL);
	unsigned n = msg_irqs;
	report(!hv_wait_change(&msg_irqs, n, QUIET_CYCLES),
	       "periodic: nothing after CONFIG = 0");
}

static void test_direct(struct hv_synic *s)
{
	unsigned n = direct_irqs, msgs = msg_irqs;
	uint64_t exp, first;

	report(hv_wrmsr_safe(HV_MSR_STIMER0_CONFIG + 2,
			     HV_STIMER_DIRECT | CFG_VEC(15)) == 13,
	       "direct mode with vector 15 -> #GP");
	/* After the report: printing a line takes a while of its own. */
	exp = hv_ref_time() + 10000;
	hv_stimer_set_count(1, exp);
	hv_stimer_set_config(1, HV_STIMER_ENABLE | HV_STIMER_DIRECT |
					CFG_VEC(DIRECT_VEC));
	if (!report(hv_wait_change(&direct_irqs, n, WAIT_CYCLES) &&
		    within(direct_ref, exp),
		    "direct one-shot: vector %#x within %lu units after the "
		    "expiration", DIRECT_VEC, TOL))
		printf("      expiration %lu, %u interrupts, last at %lu\n",
		       exp, direct_irqs - n, direct_ref);
	report(hv_msg_slot(s, SINT)->message_type == HVMSG_NONE &&
	       msg_irqs == msgs,
	       "direct one-shot: no message, no SINT interrupt");
	report(!(hv_stimer_config(1) & HV_STIMER_ENABLE),
	       "direct one-shot: ENABLE is clear after the expiration");

	/* Periodic, 200 us: four interrupts, 3 periods from first to last. */
	hv_stimer_set_count(1, 2000);
	hv_stimer_set_config(1, HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
					HV_STIMER_DIRECT | CFG_VEC(DIRECT_VEC));
	n = direct_irqs;
	int ok = hv_wait_change(&direct_irqs, n, WAIT_CYCLES);
	first = direct_ref;
	for (int k = 0; ok && k < 3; k++) {
		n = direct_irqs;
		ok = hv_wait_change(&direct_irqs, n, WAIT_CYCLES);
	}
	hv_stimer_set_config(1, 0);
	report(ok && direct_ref - first + TOL >= 3 * 2000 &&
	       direct_ref - first <= 3 * 2000 + TOL,
	       "direct periodic: 4 interrupts, 3 periods apart (+-%lu)", TOL);
	n = direct_irqs;
	report(!hv_wait_change(&direct_irqs, n, QUIET_CYCLES),
	       "direct periodic: nothing after CONFIG = 0");
}

/* A one-shot COUNT already in the past expires as it is armed. */
static void test_past(struct hv_synic *s)
{
	struct hv_timer_message tm;
	unsigned n = msg_irqs;
	uint64_t now, exp;

	report(hv_wrmsr_safe(HV_MSR_STIMER0_CONFIG, 1ull << 13) == 13,
	       "STIMER0_CONFIG reserved bit 13 -> #GP");
	now = hv_ref_time();
	exp = now - 500;
	hv_stimer_set_count(0, exp);
	hv_stimer_set_config(0, HV_STIMER_ENABLE | CFG_SINT);
	report(hv_wait_change(&msg_irqs, n, WAIT_CYCLES) &&
	       within(msg_ref, now), "one-shot in the past: expires at once");
	report(take_timer_msg(s, &tm) && tm.expiration_time == exp &&
	       tm.delivery_time >= now && tm.delivery_time - now <= TOL,
	       "one-shot in the past: message with the COUNT as expiration "
	       "and the arming time as delivery");
}

static void test_count0_autoenable(struct hv_synic *s)
{
	struct hv_timer_message tm;
	unsigned n = msg_irqs;

	hv_stimer_set_count(2, hv_ref_time() + 10000);
	hv_stimer_set_config(2, HV_STIMER_ENABLE | CFG_SINT);
	hv_stimer_set_count(2, 0);
	report(!(hv_stimer_config(2) & HV_STIMER_ENABLE),
	       "COUNT 0 clears ENABLE");
	report(!hv_wait_change(&msg_irqs, n, QUIET_CYCLES),
	       "COUNT 0: the armed timer never fires");

	hv_stimer_set_config(2, HV_STIMER_AUTO_ENABLE | CFG_SINT);
	report(!(hv_stimer_config(2) & HV_STIMER_ENABLE),
	       "AUTO_ENABLE alone leaves the timer off");
	uint64_t exp = hv_ref_time() + 10000;
	hv_stimer_set_count(2, exp);
	report(hv_stimer_config(2) & HV_STIMER_ENABLE,
	       "AUTO_ENABLE: writing COUNT sets ENABLE");
	report(hv_wait_change(&msg_irqs, n, WAIT_CYCLES) &&
	       take_timer_msg(s, &tm) && tm.timer_index == 2 &&
	       tm.expiration_time == exp,
	       "AUTO_ENABLE: timer 2 expires with its message");
}

int kmain(struct hvsim_boot_info *bi)
{
	struct hv_info info;
	struct hv_synic s;

	(void)bi;
	rt_init();
	printf("hv_stimer: TIME_REF_COUNT and the synthetic timers\n");
	if (!report(hv_detect(&info), "Hyper-V detected through CPUID"))
		report_summary();
	report(info.features_eax & (1u << 1), "CPUID: TIME_REF_COUNT MSR");
	report(info.features_eax & (1u << 3), "CPUID: synthetic timer MSRs");
	report(info.features_edx & (1u << 19), "CPUID: direct-mode timers");
	test_ref_count();
	hv_apic_enable();
	idt_set_handler(MSG_VEC, on_msg);
	idt_set_handler(DIRECT_VEC, on_direct);
	if (!report(hv_synic_enable(&s) == 0, "SynIC enabled"))
		report_summary();
	hv_sint_set(SINT, MSG_VEC, HV_SINT_AUTO_EOI);
	test_oneshot_msg(&s);
	test_periodic_msg(&s);
	test_direct(&s);
	test_past(&s);
	test_count0_autoenable(&s);
	hv_sint_set(SINT, MSG_VEC, HV_SINT_MASKED);
	hv_synic_disable(&s);
	report_summary();
}
