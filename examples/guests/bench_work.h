/*
 * examples/guests/bench_work.h — the workloads of the bench_* guests.
 *
 * Each workload is plain C11 (only <stdint.h>/<stddef.h>, no runtime, no
 * libc), so the very same file compiles into its guest and into the host
 * check tests/guest/bench_expected.c. That host build is the "host C
 * transcription": it computes the checksums that the guest compares its
 * own result with, and the constants in each bench_*.c are checked against
 * it in CI. A guest whose result differs exits with debug-exit 1.
 *
 * Two sizes per workload: BENCH_FULL (what `hvsim bench` runs, roughly
 * 100-300 million guest instructions) and BENCH_SHORT (a few million, for
 * the guest test suite; chosen with `--append short`).
 */
#ifndef GUEST_BENCH_WORK_H_
#define GUEST_BENCH_WORK_H_

#include <stdint.h>

enum bench_size { BENCH_FULL, BENCH_SHORT, BENCH_SIZES };

struct bench_work {
	const char *name;
	/* Runs the workload at `scale` (its meaning is the workload's) and
	 * returns a checksum of everything it computed. */
	uint64_t (*run)(uint32_t scale);
	uint32_t scale[BENCH_SIZES];
	uint64_t expected[BENCH_SIZES]; /* the host's checksums */
};

extern const struct bench_work bench_mem_work;	   /* bench_mem.c */
extern const struct bench_work bench_branchy_work; /* bench_branchy.c */
extern const struct bench_work bench_interp_work;  /* bench_interp.c */
extern const struct bench_work bench_fp_work;	   /* bench_fp.c */

/* xorshift64 (Marsaglia 2003): the workloads' deterministic input. */
static inline uint64_t bench_xorshift(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* Folds one 64-bit word into a running checksum (order-sensitive). */
static inline uint64_t bench_mix(uint64_t sum, uint64_t v)
{
	sum ^= v + 0x9E3779B97F4A7C15ull + (sum << 6) + (sum >> 2);
	return sum;
}

#endif
