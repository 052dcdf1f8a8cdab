/*
 * tests/unit/sim/test_evq.c — the event queue (sim/evq.c): order by cycle,
 * ties in insertion order, cancel (including stale ids), run_until windows,
 * handlers that schedule, and a randomized check against a sorted model.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "sim/evq.h"

struct log {
	int order[4096];
	cycles_t at[4096];
	int n;
};

struct tag {
	struct log *log;
	int id;
};

static void rec(struct evq *q, void *opaque, cycles_t when)
{
	struct tag *t = opaque;

	cr_assert_leq(when, evq_now(q));
	t->log->at[t->log->n] = when;
	t->log->order[t->log->n++] = t->id;
}

Test(evq, empty_queue_has_no_next_time)
{
	struct evq *q = evq_create();

	cr_assert_eq(EVQ_NEVER, evq_next_time(q));
	cr_assert_eq(0, evq_pending(q));
	cr_assert_not(evq_run_one(q));
	cr_assert_eq(0, evq_run_until(q, 100));
	cr_assert_eq(100, evq_now(q));
	evq_destroy(q);
}

Test(evq, events_run_in_cycle_order)
{
	struct evq *q = evq_create();
	struct log log = {0};
	struct tag t[4] = {{&log, 0}, {&log, 1}, {&log, 2}, {&log, 3}};

	evq_schedule(q, 30, rec, &t[0]);
	evq_schedule(q, 10, rec, &t[1]);
	evq_schedule(q, 40, rec, &t[2]);
	evq_schedule(q, 20, rec, &t[3]);
	cr_assert_eq(10, evq_next_time(q));
	while (evq_run_one(q))
		;
	cr_assert_eq(4, log.n);
	cr_assert_arr_eq(((int[]){1, 3, 0, 2}), log.order, 4 * sizeof(int));
	cr_assert_eq(40, evq_now(q));
	evq_destroy(q);
}

Test(evq, ties_run_in_insertion_order)
{
	struct evq *q = evq_create();
	struct log log = {0};
	struct tag t[64];

	for (int i = 0; i < 64; i++) {
		t[i] = (struct tag){&log, i};
		evq_schedule(q, (i % 2) ? 5 : 7, rec, &t[i]);
	}
	evq_run_until(q, 100);
	cr_assert_eq(64, log.n);
	for (int i = 0; i < 32; i++) {
		cr_expect_eq(2 * i + 1, log.order[i]);
		cr_expect_eq(2 * i, log.order[32 + i]);
	}
	evq_destroy(q);
}

Test(evq, cancelled_event_does_not_run)
{
	struct evq *q = evq_create();
	struct log log = {0};
	struct tag a = {&log, 1}, b = {&log, 2}, c = {&log, 3};
	evq_id ia = evq_schedule(q, 5, rec, &a);
	evq_id ib = evq_schedule(q, 6, rec, &b);
	evq_id ic = evq_schedule(q, 7, rec, &c);

	cr_assert(ia && ib && ic);
	cr_assert(evq_cancel(q, ib));
	cr_assert_not(evq_cancel(q, ib), "a second cancel fails");
	cr_assert(evq_check_heap(q));
	cr_assert_eq(2, evq_pending(q));
	evq_run_until(q, 10);
	cr_assert_eq(2, log.n);
	cr_assert_eq(1, log.order[0]);
	cr_assert_eq(3, log.order[1]);
	cr_assert_not(evq_cancel(q, ia), "already ran");
	cr_assert_not(evq_cancel(q, 0));
	cr_assert_not(evq_cancel(q, 12345));
	evq_destroy(q);
}

Test(evq, stale_id_does_not_cancel_event_in_reused_slot)
{
	struct evq *q = evq_create();
	struct log log = {0};
	struct tag a = {&log, 1}, b = {&log, 2};
	evq_id ia = evq_schedule(q, 5, rec, &a);
	evq_id ib;

	cr_assert(evq_cancel(q, ia));
	ib = evq_schedule(q, 6, rec, &b); /* reuses ia's slot */
	cr_assert_neq(ia, ib);
	cr_assert_not(evq_cancel(q, ia));
	evq_run_until(q, 10);
	cr_assert_eq(1, log.n);
	cr_assert_eq(2, log.order[0]);
	evq_destroy(q);
}

Test(evq, run_until_stops_at_the_window_and_advances_now)
{
	struct evq *q = evq_create();
	struct log log = {0};
	struct tag a = {&log, 1}, b = {&log, 2};

	evq_schedule(q, 100, rec, &a);
	evq_schedule(q, 101, rec, &b);
	cr_assert_eq(1, evq_run_until(q, 100));
	cr_assert_eq(100, evq_now(q));
	cr_assert_eq(101, evq_next_time(q));
	cr_assert_eq(0, evq_run_until(q, 50), "time never goes back");
	cr_assert_eq(100, evq_now(q));
	evq_destroy(q);
}

struct chain {
	struct log log;
	int left;
};

static void chain_fn(struct evq *q, void *opaque, cycles_t when)
{
	struct chain *c = opaque;

	c->log.at[c->log.n] = when;
	c->log.order[c->log.n++] = c->left;
	if (c->left-- > 0)
		evq_schedule(q, when + 10, chain_fn, c);
}

Test(evq, handler_may_schedule_within_the_window)
{
	struct evq *q = evq_create();
	struct chain c = {.left = 5};

	evq_schedule(q, 0, chain_fn, &c);
	cr_assert_eq(4, evq_run_until(q, 35));
	cr_assert_eq(40, evq_next_time(q));
	cr_assert_eq(30, c.log.at[3]);
	evq_destroy(q);
}

static void sched_same_time(struct evq *q, void *opaque, cycles_t when)
{
	struct tag *t = opaque;

	rec(q, opaque, when);
	if (t->id == 0)
		evq_schedule(q, when, rec, t + 2);
}

Test(evq, event_scheduled_now_runs_after_those_already_due)
{
	struct evq *q = evq_create();
	struct log log = {0};
	struct tag t[3] = {{&log, 0}, {&log, 1}, {&log, 2}};

	evq_schedule(q, 9, sched_same_time, &t[0]);
	evq_schedule(q, 9, rec, &t[1]);
	evq_run_until(q, 9);
	cr_assert_eq(3, log.n);
	cr_assert_arr_eq(((int[]){0, 1, 2}), log.order, 3 * sizeof(int));
	evq_destroy(q);
}

Test(evq, event_in_the_past_runs_without_moving_time_back)
{
	struct evq *q = evq_create();
	struct log log = {0};
	struct tag a = {&log, 1};

	evq_run_until(q, 1000);
	evq_schedule(q, 10, rec, &a);
	cr_assert(evq_run_one(q));
	cr_assert_eq(10, log.at[0]);
	cr_assert_eq(1000, evq_now(q));
	evq_destroy(q);
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int cmp_key(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* Random schedule/cancel mix; the run order must equal the (when, seq)
 * sort of the survivors, and the heap must stay consistent throughout. */
Test(evq, random_mix_matches_sorted_model)
{
	static uint64_t keys[2000][2];
	static evq_id ids[2000];
	static bool gone[2000];
	static struct tag tags[2000];
	struct evq *q = evq_create();
	struct log *log = calloc(1, sizeof(*log));
	uint64_t s = 0x9E3779B97F4A7C15ull;
	int nk = 0, live = 0;

	for (int i = 0; i < 2000; i++) {
		cycles_t when = rng(&s) % 300;
		tags[i] = (struct tag){log, i};
		ids[i] = evq_schedule(q, when, rec, &tags[i]);
		cr_assert_neq(0, ids[i]);
		keys[i][0] = when;
		keys[i][1] = (uint64_t)i;
		if (rng(&s) % 3 == 0) {
			int victim = (int)(rng(&s) % (uint64_t)(i + 1));
			bool ok = evq_cancel(q, ids[victim]);
			cr_assert_eq(!gone[victim], ok);
			gone[victim] = true;
		}
		cr_assert(evq_check_heap(q));
	}
	for (int i = 0; i < 2000; i++)
		if (!gone[i]) {
			keys[nk][0] = keys[i][0];
			keys[nk++][1] = keys[i][1];
		}
	qsort(keys, (size_t)nk, sizeof(keys[0]), cmp_key);
	live = (int)evq_pending(q);
	cr_assert_eq(nk, live);
	cr_assert_eq((size_t)nk, evq_run_until(q, EVQ_NEVER - 1));
	for (int i = 0; i < nk; i++)
		cr_assert_eq((int)keys[i][1], log->order[i], "position %d", i);
	free(log);
	evq_destroy(q);
}

Test(evq, reschedule_moves_an_event_either_way_and_keeps_its_id)
{
	struct evq *q = evq_create();
	struct log log = {0};
	struct tag t[3] = {{&log, 0}, {&log, 1}, {&log, 2}};
	evq_id a = evq_schedule(q, 10, rec, &t[0]);
	evq_id b = evq_schedule(q, 20, rec, &t[1]);

	evq_schedule(q, 30, rec, &t[2]);
	cr_assert(evq_reschedule(q, a, 40)); /* later: now last */
	cr_assert(evq_reschedule(q, b, 5));  /* earlier: now first */
	cr_assert_eq(40, evq_when(q, a));
	cr_assert_eq(5, evq_next_time(q));
	cr_assert(evq_check_heap(q));
	evq_run_until(q, 100);
	cr_assert_arr_eq(((int[]){1, 2, 0}), log.order, 3 * sizeof(int));
	cr_assert_arr_eq(((cycles_t[]){5, 30, 40}), log.at,
			 3 * sizeof(cycles_t));
	/* Spent ids: nothing to move, nothing due. */
	cr_assert_not(evq_reschedule(q, a, 50));
	cr_assert_eq(EVQ_NEVER, evq_when(q, a));
	cr_assert_not(evq_reschedule(q, 0, 50));
	cr_assert_eq(0, evq_pending(q));
	evq_destroy(q);
}

/* A rescheduled event takes a new insertion sequence: at a tie it runs
 * after the events already there, as cancel + schedule would make it. */
Test(evq, rescheduled_event_ties_as_if_scheduled_anew)
{
	struct evq *q = evq_create();
	struct log log = {0};
	struct tag t[3] = {{&log, 0}, {&log, 1}, {&log, 2}};
	evq_id first = evq_schedule(q, 7, rec, &t[0]);

	evq_schedule(q, 7, rec, &t[1]);
	evq_schedule(q, 9, rec, &t[2]);
	cr_assert(evq_reschedule(q, first, 7));
	evq_run_until(q, 100);
	cr_assert_arr_eq(((int[]){1, 0, 2}), log.order, 3 * sizeof(int));
	evq_destroy(q);
}

/* Random schedule/reschedule/cancel mix against a model that does cancel
 * + schedule for every move: same run order, heap consistent throughout. */
Test(evq, random_reschedules_match_cancel_and_schedule)
{
	enum { N = 1500 };
	static evq_id ids[N];
	static cycles_t at[N];
	static uint64_t seq[N];
	static bool gone[N];
	static struct tag tags[N];
	static uint64_t keys[N][2];
	struct evq *q = evq_create();
	struct log *log = calloc(1, sizeof(*log));
	uint64_t s = 0x243F6A8885A308D3ull, next_seq = 0;
	int nk = 0;

	for (int i = 0; i < N; i++) {
		int v = (int)(rng(&s) % (uint64_t)(i + 1));
		tags[i] = (struct tag){log, i};
		at[i] = rng(&s) % 200;
		seq[i] = next_seq++;
		ids[i] = evq_schedule(q, at[i], rec, &tags[i]);
		switch (rng(&s) % 4) {
		case 0:
			cr_assert_eq(!gone[v], evq_cancel(q, ids[v]));
			gone[v] = true;
			break;
		case 1:
		case 2: {
			cycles_t when = rng(&s) % 200;
			cr_assert_eq(!gone[v], evq_reschedule(q, ids[v], when));
			if (!gone[v]) {
				at[v] = when;
				seq[v] = next_seq++;
				cr_assert_eq(when, evq_when(q, ids[v]));
			}
			break;
		}
		default:
			break;
		}
		cr_assert(evq_check_heap(q));
	}
	for (int i = 0; i < N; i++)
		if (!gone[i]) {
			keys[nk][0] = at[i];
			keys[nk++][1] = seq[i];
		}
	qsort(keys, (size_t)nk, sizeof(keys[0]), cmp_key);
	cr_assert_eq((size_t)nk, evq_run_until(q, EVQ_NEVER - 1));
	for (int i = 0; i < nk; i++)
		cr_assert_eq(keys[i][0], log->at[i], "position %d", i);
	/* Same times in the same order; now the identities, by sequence. */
	for (int i = 0, j; i < nk; i++) {
		for (j = 0; j < N && (gone[j] || seq[j] != keys[i][1]); j++)
			;
		cr_assert_eq(j, log->order[i], "position %d", i);
	}
	free(log);
	evq_destroy(q);
}
