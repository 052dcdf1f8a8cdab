/*
 * traces/hist.h — a log-linear latency histogram in the manner of
 * HdrHistogram (reference/ecosystem.md §3.6), with its parameter names:
 * lowest_discernible_value, highest_trackable_value, significant_figures.
 * Values below 2^p (p from the significant figures) are counted exactly;
 * above, each power of two is cut into 2^(p-1) equal sub-buckets, so a
 * reported value is within 10^-sf (relative) above the true one. Min, max,
 * count and sum are exact. Users: traces/stats.c, tests.
 */
#ifndef HVSIM_TRACES_HIST_H_
#define HVSIM_TRACES_HIST_H_

#include <stdint.h>

struct hist {
	uint64_t lowest, highest; /* as given (lowest rounded to 2^k) */
	int sigfigs;
	unsigned unit_shift; /* log2(lowest) */
	unsigned sub_bits;   /* p: 2^p exact values / sub-buckets */
	uint64_t *counts;
	uint64_t nr_counts;
	uint64_t total, min, max, saturated; /* saturated: > highest */
	long double sum;
};

/* lowest >= 1, highest >= 2 * lowest, sigfigs 1..5. 0, or -1 for bad
 * parameters or no memory. */
int hist_init(struct hist *h, uint64_t lowest, uint64_t highest, int sigfigs);
void hist_free(struct hist *h);
/* Count one value (clamped to highest; counted in saturated). */
void hist_record(struct hist *h, uint64_t v);
/* The value at percentile pct (0..100, nearest rank): the highest value
 * equivalent to the bucket holding that rank, at most max. 0 if empty. */
uint64_t hist_percentile(const struct hist *h, double pct);
double hist_mean(const struct hist *h);

#endif
