/*
 * traces/reqmap.c — a small hash map from a key pair to a 64-bit value
 * (traces/trace_int.h): open addressing with linear probing, doubling at
 * half full, deletion by backward shift (no tombstones, so a long trace
 * with millions of finished requests keeps the table small). Used by
 * traces/stats.c and traces/chrome.c to follow requests.
 */
#include <stdlib.h>

#include "traces/trace_int.h"

void reqmap_init(struct reqmap *m)
{
	m->slots = NULL;
	m->cap = m->n = 0;
}

void reqmap_free(struct reqmap *m)
{
	free(m->slots);
	reqmap_init(m);
}

static size_t home(const struct reqmap *m, uint64_t a, uint64_t b)
{
	uint64_t h = (a * 0x9E3779B97F4A7C15ull) ^ b;

	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ull;
	h ^= h >> 29;
	return (size_t)h & (m->cap - 1);
}

static struct reqmap_slot *find(const struct reqmap *m, uint64_t a, uint64_t b)
{
	if (!m->cap)
		return NULL;
	for (size_t i = home(m, a, b);; i = (i + 1) & (m->cap - 1)) {
		struct reqmap_slot *s = &m->slots[i];
		if (!s->used)
			return NULL;
		if (s->a == a && s->b == b)
			return s;
	}
}

uint64_t *reqmap_get(const struct reqmap *m, uint64_t a, uint64_t b)
{
	struct reqmap_slot *s = find(m, a, b);

	return s ? &s->val : NULL;
}

static void insert(struct reqmap *m, uint64_t a, uint64_t b, uint64_t val)
{
	size_t i = home(m, a, b);

	while (m->slots[i].used)
		i = (i + 1) & (m->cap - 1);
	m->slots[i] = (struct reqmap_slot){a, b, val, 1};
	m->n++;
}

static int grow(struct reqmap *m)
{
	struct reqmap old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->n = 0;
	if (!(m->slots = calloc(m->cap, sizeof(*m->slots)))) {
		*m = old;
		return -1;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].used)
			insert(m, old.slots[i].a, old.slots[i].b,
			       old.slots[i].val);
	free(old.slots);
	return 0;
}

int reqmap_put(struct reqmap *m, uint64_t a, uint64_t b, uint64_t val)
{
	struct reqmap_slot *s = find(m, a, b);

	if (s) {
		s->val = val;
		return 0;
	}
	if (2 * (m->n + 1) > m->cap && grow(m) != 0)
		return -1;
	insert(m, a, b, val);
	return 0;
}

void reqmap_del(struct reqmap *m, uint64_t a, uint64_t b)
{
	struct reqmap_slot *s = find(m, a, b);
	size_t hole, i, mask = m->cap - 1;

	if (!s)
		return;
	hole = (size_t)(s - m->slots);
	m->slots[hole].used = 0;
	m->n--;
	/* Move back every later entry of the run whose home is not between
	 * the hole and it, so lookups never stop at the hole. */
	for (i = (hole + 1) & mask; m->slots[i].used; i = (i + 1) & mask) {
		size_t h = home(m, m->slots[i].a, m->slots[i].b);
		if (((i - h) & mask) >= ((i - hole) & mask)) {
			m->slots[hole] = m->slots[i];
			m->slots[i].used = 0;
			hole = i;
		}
	}
}
