/*
 * tests/unit/traces/test_hist.c — the log-linear histogram (traces/hist.c)
 * against exact nearest-rank percentiles of known data: exact below 2^p,
 * within 10^-sigfigs above, min/max/mean exact, clamping, bad parameters.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "trace_test.h"
#include "traces/hist.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest rank of sorted data. */
static uint64_t exact(const uint64_t *sorted, size_t n, double pct)
{
	size_t rank = (size_t)ceil(pct / 100.0 * (double)n - 1e-9);
	return sorted[rank ? rank - 1 : 0];
}

Test(hist, small_values_are_exact)
{
	struct hist h;

	cr_assert_eq(hist_init(&h, 1, 1ull << 40, 3), 0);
	for (uint64_t v = 0; v < 1000; v++)
		hist_record(&h, v);
	cr_assert_eq(hist_percentile(&h, 50), 499);
	cr_assert_eq(hist_percentile(&h, 90), 899);
	cr_assert_eq(hist_percentile(&h, 99), 989);
	cr_assert_eq(hist_percentile(&h, 99.9), 998);
	cr_assert_eq(hist_percentile(&h, 100), 999);
	cr_assert_eq(hist_percentile(&h, 0), 0);
	cr_assert_eq(h.total, 1000);
	cr_assert_eq(h.min, 0);
	cr_assert_eq(h.max, 999);
	cr_assert_float_eq(hist_mean(&h), 499.5, 1e-9);
	hist_free(&h);
}

Test(hist, large_values_within_significant_figures)
{
	enum { N = 200000 };
	uint64_t *v = malloc(N * sizeof(*v)), seed = 7;
	static const double pcts[] = {1,    10, 50,   75,    90,
				      97.5, 99, 99.9, 99.99, 100};
	struct hist h;

	cr_assert_eq(hist_init(&h, 1, 1ull << 48, 3), 0);
	for (size_t i = 0; i < N; i++) {
		/* Log-uniform from 1 to ~2^36, as latencies spread. */
		unsigned bits = 1 + (unsigned)(tt_rand(&seed) % 36);
		v[i] = tt_rand(&seed) >> (64 - bits);
		hist_record(&h, v[i]);
	}
	qsort(v, N, sizeof(*v), cmp_u64);
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		uint64_t want = exact(v, N, pcts[i]);
		uint64_t got = hist_percentile(&h, pcts[i]);
		cr_assert_geq(got, want, "p%g: %llu < exact %llu", pcts[i],
			      (unsigned long long)got,
			      (unsigned long long)want);
		cr_assert_leq((double)got, (double)want * 1.001,
			      "p%g: %llu vs exact %llu", pcts[i],
			      (unsigned long long)got,
			      (unsigned long long)want);
	}
	cr_assert_eq(hist_percentile(&h, 100), v[N - 1]);
	cr_assert_eq(h.min, v[0]);
	hist_free(&h);
	free(v);
}

Test(hist, two_significant_figures_use_fewer_buckets)
{
	struct hist h2, h3;

	cr_assert_eq(hist_init(&h2, 1, 1ull << 40, 2), 0);
	cr_assert_eq(hist_init(&h3, 1, 1ull << 40, 3), 0);
	cr_assert_lt(h2.nr_counts, h3.nr_counts / 4);
	hist_record(&h2, 123456);
	/* 1% resolution: the bucket of 123456 ends within 1% above it. */
	cr_assert_geq(hist_percentile(&h2, 50), 123456);
	cr_assert_leq(hist_percentile(&h2, 50), 123456 + 1235);
	hist_free(&h2);
	hist_free(&h3);
}

Test(hist, lowest_discernible_value_sets_the_unit)
{
	struct hist h;

	cr_assert_eq(hist_init(&h, 1024, 1ull << 40, 3), 0);
	hist_record(&h, 5000);
	hist_record(&h, 5100);
	/* Same 1024-wide unit: both report the unit's top, capped at max. */
	cr_assert_eq(hist_percentile(&h, 50), 5100);
	cr_assert_eq(h.max, 5100);
	hist_free(&h);
}

Test(hist, values_above_highest_are_clamped_and_counted)
{
	struct hist h;

	cr_assert_eq(hist_init(&h, 1, 1000000, 3), 0);
	hist_record(&h, 5);
	hist_record(&h, 1ull << 50);
	cr_assert_eq(h.saturated, 1);
	cr_assert_eq(hist_percentile(&h, 100), 1000000);
	hist_free(&h);
}

Test(hist, bad_parameters_and_empty)
{
	struct hist h;

	cr_assert_eq(hist_init(&h, 0, 100, 3), -1);
	cr_assert_eq(hist_init(&h, 100, 150, 3), -1);
	cr_assert_eq(hist_init(&h, 1, 1000, 0), -1);
	cr_assert_eq(hist_init(&h, 1, 1000, 6), -1);
	cr_assert_eq(hist_init(&h, 1, 1000, 2), 0);
	cr_assert_eq(hist_percentile(&h, 50), 0);
	cr_assert_float_eq(hist_mean(&h), 0.0, 1e-12);
	hist_free(&h);
}
