/*
 * tests/unit/hv/test_platform_irq.c — what the platform devices get from
 * the hypervisor (hv/platform.c), on a real hv + event queue
 * (vapic_rig.h): interrupt messages routed to the partition's local
 * APICs (physical, logical, broadcast, lowest priority; a halted vCPU
 * woken), NMI-class messages and unmatched destinations dropped, the EOI
 * broadcast of a level-triggered vector reaching the listener, and the
 * partition's clock.
 */
#include "vapic_rig.h"

#include "hv/hv.h"

/* Two vCPUs in x2APIC mode, each `sti; hlt` in a loop. */
static void two_idle_vcpus(struct rig *r)
{
	struct code c = {.n = 0};

	rig_init(r, 2, 100000, 0);
	sti(&c);
	hlt_loop(&c);
	for (unsigned i = 0; i < 2; i++) {
		rig_vp(r, i, &c);
		rig_x2apic(r, i);
	}
}

static unsigned deliver(struct rig *r, uint32_t dest, int mode, int dm,
			uint8_t vec, bool level)
{
	struct hv_irq_msg m = {.dest = dest, .dest_mode = mode,
			       .delivery = dm, .vector = vec, .level = level};

	return hv_part_deliver_irq(r->p, &m);
}

Test(platform_irq, physical_fixed_reaches_one_vcpu_and_wakes_it)
{
	struct rig r;

	two_idle_vcpus(&r);
	rig_run(&r, 50000);
	cr_assert_eq(deliver(&r, 1, 0, 0, 0x50, false), 1);
	evq_run_until(r.q, 100000);
	cr_expect_eq(rd32(&r, CNT(1, 0x50)), 1, "vCPU 1 took it");
	cr_expect_eq(rd32(&r, CNT(0, 0x50)), 0, "vCPU 0 did not");
	cr_expect_geq(rd64(&r, TIME(1, 0x50)), 50000);
	rig_fini(&r);
}

Test(platform_irq, broadcast_and_lowest_priority)
{
	struct rig r;

	two_idle_vcpus(&r);
	rig_run(&r, 10000);
	cr_expect_eq(deliver(&r, 0xFFFFFFFF, 0, 0, 0x51, false), 2,
		     "x2APIC broadcast: both");
	cr_expect_eq(deliver(&r, 0xFFFFFFFF, 0, 1, 0x52, false), 1,
		     "lowest priority: one");
	evq_run_until(r.q, 100000);
	cr_expect_eq(rd32(&r, CNT(0, 0x51)) + rd32(&r, CNT(1, 0x51)), 2);
	cr_expect_eq(rd32(&r, CNT(0, 0x52)), 1, "equal PPR: lowest index");
	cr_expect_eq(rd32(&r, CNT(1, 0x52)), 0);
	rig_fini(&r);
}

Test(platform_irq, nmi_class_and_unmatched_messages_are_dropped)
{
	struct rig r;

	two_idle_vcpus(&r);
	cr_expect_eq(deliver(&r, 0, 0, 4 /* NMI */, 0x02, false), 0);
	cr_expect_eq(deliver(&r, 0, 0, 5 /* INIT */, 0, false), 0);
	cr_expect_eq(deliver(&r, 0, 0, 7 /* ExtINT */, 0x20, false), 0);
	cr_expect_eq(deliver(&r, 7, 0, 0, 0x53, false), 0, "no APIC ID 7");
	rig_run(&r, 100000);
	cr_expect_eq(rd32(&r, CNT(0, 0x53)) + rd32(&r, CNT(1, 0x53)), 0);
	cr_expect_eq(r.p->vp[0].halted && r.p->vp[1].halted, true,
		     "nobody woke");
	rig_fini(&r);
}

struct eoi_log {
	int n;
	uint8_t last;
};

static void on_eoi(void *opaque, uint8_t vector)
{
	struct eoi_log *l = opaque;

	l->n++;
	l->last = vector;
}

Test(platform_irq, level_eoi_reaches_the_listener)
{
	struct rig r;
	struct eoi_log log = {0};

	two_idle_vcpus(&r);
	hv_part_set_eoi_listener(r.p, on_eoi, &log);
	rig_run(&r, 10000);
	deliver(&r, 0, 0, 0, 0x54, false); /* edge: no broadcast */
	evq_run_until(r.q, 50000);
	cr_expect_eq(log.n, 0);
	deliver(&r, 0, 0, 0, 0x55, true);
	evq_run_until(r.q, 100000);
	cr_expect_eq(rd32(&r, CNT(0, 0x55)), 1);
	cr_expect_eq(log.n, 1, "the stub's EOI came back");
	cr_expect_eq(log.last, 0x55);
	hv_part_set_eoi_listener(r.p, NULL, NULL);
	rig_fini(&r);
}

Test(platform_irq, partition_clock_is_its_latest_vcpu)
{
	struct rig r;

	two_idle_vcpus(&r);
	cr_expect_eq(hv_part_now(r.p), 0);
	cpu_advance_clock(r.p->vp[1].cpu, 1234);
	cr_expect_eq(hv_part_now(r.p), 1234);
	cr_expect_eq(hv_evq(r.hv), r.q);
	rig_fini(&r);
}
