/*
 * tests/unit/traces/trace_test.h — helpers for the trace tests: a
 * fixed-seed generator, temporary files, writing a list of records as a
 * trace and reading a trace back whole.
 */
#ifndef HVSIM_TESTS_TRACE_TEST_H_
#define HVSIM_TESTS_TRACE_TEST_H_

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "traces/trace.h"

/* xorshift64*: deterministic, seeded by the test. */
static inline uint64_t tt_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

/* A fresh temporary file name; the caller unlinks and frees. */
static inline char *tt_tmp(void)
{
	char *p = strdup("/tmp/hvsim-test-trace-XXXXXX");
	int fd = mkstemp(p);

	cr_assert_geq(fd, 0);
	close(fd);
	return p;
}

static const char *const tt_parts[] = {"parent", "child1", "child2"};

static inline struct trace_info tt_info(uint64_t freq)
{
	struct trace_info in = {
	    .scenario = "[partition child1]\nkernel = x.elf\n",
	    .freq_hz = freq,
	    .nr_parts = 3,
	    .part_names = tt_parts,
	};
	return in;
}

/* Write n records to path with the standard header. */
static inline void tt_write(const char *path, const struct trace_rec *r,
			    size_t n, uint64_t freq)
{
	struct trace_info in = tt_info(freq);
	char err[256] = "";
	struct trace *t = trace_open(path, &in, err, sizeof(err));

	cr_assert_not_null(t, "%s", err);
	for (size_t i = 0; i < n; i++)
		trace_emit(t, &r[i]);
	cr_assert_eq(trace_count(t), n);
	cr_assert_eq(trace_close(t, err, sizeof(err)), 0, "%s", err);
}

/* Read every record; returns the count, or -1 with err filled. */
static inline long tt_read(const char *path, struct trace_rec *out, size_t max,
			   char *err, size_t errlen)
{
	struct trace_reader *r = trace_reader_open(path, err, errlen);
	struct trace_rec x;
	long n = 0;
	int rc;

	if (!r)
		return -1;
	while ((rc = trace_reader_next(r, &x)) == 1) {
		if ((size_t)n < max)
			out[n] = x;
		n++;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s", trace_reader_error(r));
		n = -1;
	}
	trace_reader_close(r);
	return n;
}

/* One request of child `part` on its channel chan with id txn: stage s at
 * start + at[s-1]. Every step carries the owning child (docs/TRACE.md). */
static inline size_t tt_request_of(struct trace_rec *out, uint16_t part,
				   uint16_t chan, uint64_t txn, uint64_t start,
				   const uint64_t at[TRACE_NR_STAGES])
{
	for (unsigned s = 1; s <= TRACE_NR_STAGES; s++) {
		const struct trace_kind_info *k = trace_stage_kind(s);
		out[s - 1] = (struct trace_rec){
		    .cycle = start + at[s - 1],
		    .kind = k->id,
		    .part = part,
		    .vp = 0,
		    .chan = chan,
		    .txn = txn,
		    .arg0 = 512,
		};
	}
	return TRACE_NR_STAGES;
}

/* The same for child 1. */
static inline size_t tt_request(struct trace_rec *out, uint16_t chan,
				uint64_t txn, uint64_t start,
				const uint64_t at[TRACE_NR_STAGES])
{
	return tt_request_of(out, 1, chan, txn, start, at);
}

#endif
