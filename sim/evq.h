/*
 * sim/evq.h — the deterministic event queue that drives simulated time.
 *
 * Events are (when, fn, opaque) triples kept in a binary min-heap ordered by
 * (when, insertion sequence): the earliest cycle first, and among events at
 * the same cycle, the one scheduled first. No host time is ever read, so the
 * same schedule always runs in the same order. schedule, cancel, reschedule
 * and pop are O(log n).
 */
#ifndef HVSIM_SIM_EVQ_H_
#define HVSIM_SIM_EVQ_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t cycles_t;

/* An event handle; 0 is never a valid id. A slot's generation is in the
 * high 32 bits, so an id is reused only after 2^32 reuses of its slot. */
typedef uint64_t evq_id;

#define EVQ_NEVER UINT64_MAX /* evq_next_time() of an empty queue */

struct evq;

/* `when` is the cycle the event was scheduled for (= evq_now() while it
 * runs, unless it was scheduled in the past). A handler may schedule and
 * cancel other events; its own id is already spent when it runs. */
typedef void evq_fn(struct evq *q, void *opaque, cycles_t when);

struct evq *evq_create(void);
void evq_destroy(struct evq *q);

/* Schedule fn at cycle `when` (a past cycle runs at the next chance).
 * Returns the event's id, or 0 if memory ran out. */
evq_id evq_schedule(struct evq *q, cycles_t when, evq_fn *fn, void *opaque);
/* Remove a pending event. Returns false if it already ran or was cancelled. */
bool evq_cancel(struct evq *q, evq_id id);
/* Move a pending event to cycle `when`, in place (one sift, no free and
 * allocate). It keeps its id and takes a new insertion sequence, so it
 * orders exactly as evq_cancel + evq_schedule would. Returns false if it
 * already ran or was cancelled. */
bool evq_reschedule(struct evq *q, evq_id id, cycles_t when);
/* Cycle a pending event is due at, or EVQ_NEVER if it is not pending. */
cycles_t evq_when(const struct evq *q, evq_id id);

/* Cycle of the earliest pending event, or EVQ_NEVER. */
cycles_t evq_next_time(const struct evq *q);
size_t evq_pending(const struct evq *q);
/* Time of the event being run or last run (it never goes backwards). */
cycles_t evq_now(const struct evq *q);

/* Pop and run the earliest event. Returns false if the queue was empty. */
bool evq_run_one(struct evq *q);
/* Run every event due at or before `now`, in order (including ones they
 * schedule within that window), then advance evq_now() to `now`.
 * Returns how many ran. */
size_t evq_run_until(struct evq *q, cycles_t now);

/* Debug hook (STYLE.md §5): is the heap ordered and the index consistent? */
bool evq_check_heap(const struct evq *q);

#endif
