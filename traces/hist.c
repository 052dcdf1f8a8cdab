/*
 * traces/hist.c — the log-linear histogram of traces/hist.h.
 *
 * Bucket index of a value v (after dividing by the lowest discernible
 * value) with S = 2^p sub-buckets:
 *   v < S:  index v (exact);
 *   v >= S: e = msb(v) - p + 1 (how many low bits are dropped),
 *           m = v >> e (in [S/2, S)), index S + (e-1)*S/2 + (m - S/2).
 * So each bucket above S is 2^e wide, at most 1/(S/2) of its values:
 * with S >= 2 * 10^sf (HdrHistogram's rule) that is < 10^-sf.
 */
#include <math.h>
#include <stdlib.h>

#include "traces/hist.h"

static unsigned msb64(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

static uint64_t bucket_of(const struct hist *h, uint64_t v)
{
	uint64_t S = 1ull << h->sub_bits;
	unsigned e;

	if (v < S)
		return v;
	e = msb64(v) - h->sub_bits + 1;
	return S + (uint64_t)(e - 1) * (S / 2) + ((v >> e) - S / 2);
}

/* The highest (unscaled) value that lands in bucket i. */
static uint64_t bucket_high(const struct hist *h, uint64_t i)
{
	uint64_t S = 1ull << h->sub_bits, j, m;
	unsigned e;

	if (i < S)
		return i;
	j = i - S;
	e = (unsigned)(j / (S / 2)) + 1;
	m = S / 2 + j % (S / 2);
	return (m << e) + ((1ull << e) - 1);
}

int hist_init(struct hist *h, uint64_t lowest, uint64_t highest, int sigfigs)
{
	uint64_t need;

	*h = (struct hist){0};
	if (lowest < 1 || highest / 2 < lowest || sigfigs < 1 || sigfigs > 5)
		return -1;
	h->unit_shift = msb64(lowest);
	h->lowest = 1ull << h->unit_shift;
	h->highest = highest;
	h->sigfigs = sigfigs;
	need = 2;
	for (int i = 0; i < sigfigs; i++)
		need *= 10;
	for (h->sub_bits = 1; (1ull << h->sub_bits) < need; h->sub_bits++)
		;
	h->nr_counts = bucket_of(h, highest >> h->unit_shift) + 1;
	h->counts = calloc(h->nr_counts, sizeof(*h->counts));
	h->min = UINT64_MAX;
	return h->counts ? 0 : -1;
}

void hist_free(struct hist *h)
{
	free(h->counts);
	h->counts = NULL;
}

void hist_record(struct hist *h, uint64_t v)
{
	if (v > h->highest) {
		v = h->highest;
		h->saturated++;
	}
	h->counts[bucket_of(h, v >> h->unit_shift)]++;
	h->total++;
	h->sum += (long double)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

uint64_t hist_percentile(const struct hist *h, double pct)
{
	uint64_t rank, seen = 0;
	long double want;

	if (!h->total)
		return 0;
	if (pct < 0)
		pct = 0;
	if (pct > 100)
		pct = 100;
	/* Nearest rank: the smallest value with at least pct% of the counts
	 * at or below it. Rounding the product to 1e-9 first keeps
	 * 99.9% of 1000 at rank 999 despite binary fractions. */
	want = (long double)pct / 100.0L * (long double)h->total;
	want = roundl(want * 1e9L) / 1e9L;
	rank = (uint64_t)ceill(want);
	if (rank < 1)
		rank = 1;
	for (uint64_t i = 0; i < h->nr_counts; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			uint64_t hi =
			    ((bucket_high(h, i) + 1) << h->unit_shift) - 1;
			if (hi > h->max)
				hi = h->max;
			return hi < h->min ? h->min : hi;
		}
	}
	return h->max;
}

double hist_mean(const struct hist *h)
{
	return h->total ? (double)(h->sum / (long double)h->total) : 0.0;
}
