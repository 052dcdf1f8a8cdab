/*
 * tests/unit/hv/test_work.c — the parent's service work queue (hv/work.c):
 * items run in FIFO order on the parent's vCPUs when they get a slice,
 * their cost is charged there as ring 0 / ring 3 time, not_before delays
 * an item (the vCPU idles until then), submitting wakes a halted vCPU,
 * work spreads over the vCPUs, an item longer than the slice runs to its
 * end, and with no service partition an item runs at once.
 */
#include <criterion/criterion.h>

#include "hv/hv.h"
#include "sim/evq.h"

#define Q 100000ull

struct rec {
	int n;
	int id[16];
	cycles_t at[16];
};

static void record(void *opaque, const void *data, size_t len, cycles_t now)
{
	struct rec *r = opaque;

	cr_assert_eq(len, sizeof(int));
	r->id[r->n] = *(const int *)data;
	r->at[r->n++] = now;
}

struct machine {
	struct evq *q;
	struct hv *hv;
	struct hv_part *svc;
};

static void machine(struct machine *m, unsigned pcpus, unsigned svc_vcpus)
{
	struct hv_config hc = {.pcpus = pcpus, .quantum = Q};
	struct hv_part_config pc = {.name = "parent",
				    .parent = true,
				    .vcpus = svc_vcpus,
				    .mem_bytes = 1 << 20,
				    .weight = 100,
				    .cap_pct = 100,
				    .service = true};

	m->q = evq_create();
	m->hv = hv_create(&hc, m->q);
	cr_assert_not_null(m->hv);
	m->svc = hv_part_create(m->hv, &pc, NULL, NULL);
	cr_assert_not_null(m->svc);
	hv_part_set_runnable(m->svc, true);
	cr_assert_eq(hv_start(m->hv), 0);
}

static void run_all(struct machine *m)
{
	for (int i = 0; i < 10000 && evq_run_one(m->q); i++)
		;
}

static void done(struct machine *m)
{
	hv_destroy(m->hv);
	evq_destroy(m->q);
}

static void submit(struct machine *m, struct rec *r, int id, cycles_t cost,
		   int ring, cycles_t not_before)
{
	cr_assert_eq(hv_submit_work(m->hv, record, r, &id, sizeof(id), cost,
				    ring, not_before),
		     0);
}

Test(work, items_run_in_order_and_complete_after_their_cost)
{
	struct machine m;
	struct rec r = {0};
	struct hv_vp_stats st;

	machine(&m, 1, 1);
	submit(&m, &r, 1, 1000, 3, 0);
	submit(&m, &r, 2, 2000, 0, 0);
	submit(&m, &r, 3, 500, 3, 0);
	cr_assert_eq(r.n, 0, "nothing runs before the parent's slice");
	run_all(&m);
	cr_assert_eq(r.n, 3);
	cr_assert_eq(r.id[0], 1);
	cr_assert_eq(r.id[1], 2);
	cr_assert_eq(r.id[2], 3);
	cr_assert_eq(r.at[0], 1000);
	cr_assert_eq(r.at[1], 3000);
	cr_assert_eq(r.at[2], 3500);
	hv_vp_stats(m.svc, 0, &st);
	cr_assert_eq(st.ring3, 1500);
	cr_assert_eq(st.ring0, 2000);
	cr_assert_eq(st.root, 0);
	/* Then it halts: an idle parent vCPU costs no more slices. */
	cr_assert_eq(hv_nr_runnable(m.hv), 0);
	cr_assert_eq(st.slices, 1);
	done(&m);
}

Test(work, not_before_delays_the_item_and_the_vcpu_idles_until_then)
{
	struct machine m;
	struct rec r = {0};
	struct hv_vp_stats st;

	machine(&m, 1, 1);
	submit(&m, &r, 1, 1000, 3, 5000000);
	run_all(&m);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.at[0], 5001000);
	hv_vp_stats(m.svc, 0, &st);
	cr_assert_eq(st.idle, 5000000, "idle %llu",
		     (unsigned long long)st.idle);
	cr_assert_eq(st.ring3, 1000);
	cr_assert_eq(st.ring3 + st.ring0 + st.root + st.idle + st.wait,
		     hv_now(m.hv));
	done(&m);
}

/* Work submitted later wakes the halted vCPU at the submission time. */
static void submit_more(struct evq *q, void *opaque, cycles_t when)
{
	struct machine *m = ((void **)opaque)[0];
	struct rec *r = ((void **)opaque)[1];
	int id = 9;

	(void)q;
	(void)when;
	cr_assert_eq(
	    hv_submit_work(m->hv, record, r, &id, sizeof(id), 700, 0, 0), 0);
}

Test(work, submitting_wakes_a_halted_vcpu)
{
	struct machine m;
	struct rec r = {0};
	void *args[2] = {&m, &r};

	machine(&m, 1, 1);
	run_all(&m); /* nothing to do: the vCPU stays halted */
	cr_assert_eq(hv_nr_runnable(m.hv), 0);
	evq_schedule(m.q, 3000000, submit_more, args);
	run_all(&m);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.at[0], 3000700);
	done(&m);
}

Test(work, work_goes_to_the_least_loaded_vcpu)
{
	struct machine m;
	struct rec r = {0};
	struct hv_vp_stats a, b;

	machine(&m, 2, 2);
	submit(&m, &r, 1, 4000, 3, 0); /* vCPU 0 (tie: lowest index) */
	submit(&m, &r, 2, 1000, 3, 0); /* vCPU 1 */
	submit(&m, &r, 3, 1000, 3, 0); /* vCPU 1 again (1000 < 4000) */
	run_all(&m);
	cr_assert_eq(r.n, 3);
	hv_vp_stats(m.svc, 0, &a);
	hv_vp_stats(m.svc, 1, &b);
	cr_assert_eq(a.ring3, 4000);
	cr_assert_eq(b.ring3, 2000);
	/* Two pCPUs: both vCPUs ran at once from cycle 0. */
	for (int i = 0; i < 3; i++)
		if (r.id[i] == 3)
			cr_assert_eq(r.at[i], 2000);
	done(&m);
}

Test(work, an_item_longer_than_the_slice_runs_to_its_end)
{
	struct machine m;
	struct rec r = {0};
	struct hv_vp_stats st;

	machine(&m, 1, 1);
	submit(&m, &r, 1, 3 * Q, 3, 0);
	submit(&m, &r, 2, 10, 3, 0);
	run_all(&m);
	cr_assert_eq(r.n, 2);
	cr_assert_eq(r.at[0], 3 * Q);
	cr_assert_eq(r.at[1], 3 * Q + 10);
	hv_vp_stats(m.svc, 0, &st);
	cr_assert_eq(st.slices, 2, "the second item waits for the next slice");
	done(&m);
}

Test(work, without_a_service_partition_the_item_runs_at_once)
{
	struct hv_config hc = {.pcpus = 1, .quantum = Q};
	struct evq *q = evq_create();
	struct hv *hv = hv_create(&hc, q);
	struct rec r = {0};
	int id = 4;

	cr_assert_eq(
	    hv_submit_work(hv, record, &r, &id, sizeof(id), 100, 0, 77), 0);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.id[0], 4);
	cr_assert_eq(r.at[0], 77);
	hv_destroy(hv);
	evq_destroy(q);
}

/* An item due earlier does not wait behind one submitted first but due
 * later (submitters on other pCPUs are up to a quantum apart). */
Test(work, an_item_due_earlier_runs_first)
{
	struct machine m;
	struct rec r = {0};

	machine(&m, 1, 1);
	submit(&m, &r, 1, 100, 3, 900000);
	submit(&m, &r, 2, 100, 3, 100000);
	submit(&m, &r, 3, 100, 3, 100000);
	run_all(&m);
	cr_assert_eq(r.n, 3);
	cr_assert_eq(r.id[0], 2);
	cr_assert_eq(r.at[0], 100100);
	cr_assert_eq(r.id[1], 3, "FIFO among equals");
	cr_assert_eq(r.at[1], 100200);
	cr_assert_eq(r.id[2], 1);
	cr_assert_eq(r.at[2], 900100);
	done(&m);
}

/* A service vCPU waiting for an item's not_before is halted, but the run
 * must not end there: it counts as able to run until the item has run
 * (a child that HLTs after posting a message waits for the answer). */
Test(work, queued_work_keeps_the_machine_running)
{
	struct machine m;
	struct rec r = {0};

	machine(&m, 1, 1);
	submit(&m, &r, 1, 1000, 0, 5 * Q);
	evq_run_until(m.q, Q); /* the vCPU looked, found nothing due, halted */
	cr_assert_eq(r.n, 0);
	cr_assert_eq(hv_nr_runnable(m.hv), 1);
	run_all(&m);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(hv_nr_runnable(m.hv), 0);
	done(&m);
}

/* Checks that an item's data is the bytes it was submitted with: byte i
 * of an item tagged t is (t + i) & 0xff. */
struct data_check {
	int items, bad;
};

static void check_data(void *opaque, const void *data, size_t len,
		       cycles_t now)
{
	struct data_check *c = opaque;
	const unsigned char *b = data;

	(void)now;
	c->items++;
	for (size_t i = 1; i < len; i++)
		c->bad += b[i] != (unsigned char)(b[0] + i);
}

/* Done items are reused (small ones) or freed (large ones): over many
 * rounds of small and large items in turn, each still sees its own data. */
Test(work, reused_items_carry_their_own_data)
{
	static unsigned char buf[4000];
	struct machine m;
	struct data_check c = {0};
	const size_t sizes[] = {1, 200, 256, 257, 4000, 16};
	int n = 0;

	machine(&m, 1, 2);
	for (int round = 0; round < 50; round++) {
		for (unsigned k = 0; k < 6; k++, n++) {
			for (size_t i = 0; i < sizes[k]; i++)
				buf[i] = (unsigned char)(n + i);
			cr_assert_eq(hv_submit_work(m.hv, check_data, &c, buf,
						    sizes[k], 100, 0, 0),
				     0);
		}
		run_all(&m);
		cr_assert_eq(c.items, n);
	}
	cr_assert_eq(c.bad, 0);
	done(&m);
}
