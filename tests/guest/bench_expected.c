/*
 * tests/guest/bench_expected.c — the host side of the bench guests' self
 * check: runs each workload of examples/guests/bench_*.c natively, from
 * the same source the guest runs, and checks that the checksum constants
 * the guests compare with (bench_work.expected) are what the host
 * computes. So a guest's "ok" means "computed what a real x86-64 CPU
 * computes", and a constant that drifts from its source fails here, not
 * as a mysterious WRONG RESULT in `hvsim bench`.
 *
 * When a workload changes on purpose, the failure message gives the new
 * value to paste into its bench_*.c.
 */
#include <criterion/criterion.h>

#include "examples/guests/bench_work.h"

static void check_size(const struct bench_work *w, enum bench_size size)
{
	uint64_t got = w->run(w->scale[size]);

	cr_expect_eq(got, w->expected[size],
		     "bench_%s %s (scale %u): host computes 0x%016llx, the "
		     "guest expects 0x%016llx",
		     w->name, size == BENCH_SHORT ? "short" : "full",
		     w->scale[size], (unsigned long long)got,
		     (unsigned long long)w->expected[size]);
}

Test(bench_work, mem_checksums_match_host)
{
	check_size(&bench_mem_work, BENCH_FULL);
	check_size(&bench_mem_work, BENCH_SHORT);
}

Test(bench_work, branchy_checksums_match_host)
{
	check_size(&bench_branchy_work, BENCH_FULL);
	check_size(&bench_branchy_work, BENCH_SHORT);
}

Test(bench_work, interp_checksums_match_host)
{
	check_size(&bench_interp_work, BENCH_FULL);
	check_size(&bench_interp_work, BENCH_SHORT);
}

Test(bench_work, fp_checksums_match_host)
{
	check_size(&bench_fp_work, BENCH_FULL);
	check_size(&bench_fp_work, BENCH_SHORT);
}

/* The short and full runs must differ, or the short variant would not
 * show that the scale reached the workload. */
Test(bench_work, short_and_full_checksums_differ)
{
	const struct bench_work *all[] = {&bench_mem_work, &bench_branchy_work,
					  &bench_interp_work, &bench_fp_work};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		cr_expect_neq(all[i]->expected[BENCH_FULL],
			      all[i]->expected[BENCH_SHORT], "bench_%s",
			      all[i]->name);
}
