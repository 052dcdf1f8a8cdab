/*
 * tests/diff/diff_scale.h — how many cases a differential test runs.
 *
 * The default run (meson test --suite diff) is sized to finish in well
 * under five minutes; `meson test --setup long --suite diff` sets
 * HVSIM_DIFF_LONG=1 and every differential test multiplies its case count
 * by DIFF_LONG_FACTOR. Header-only so that any test can use it.
 */
#ifndef HVSIM_TESTS_DIFF_SCALE_H_
#define HVSIM_TESTS_DIFF_SCALE_H_

#include <stdlib.h>

#define DIFF_LONG_FACTOR 100u

/* 1 normally, DIFF_LONG_FACTOR when HVSIM_DIFF_LONG is set to 1. */
static inline unsigned diff_case_scale(void)
{
	const char *v = getenv("HVSIM_DIFF_LONG");
	return v && v[0] == '1' ? DIFF_LONG_FACTOR : 1u;
}

#endif
