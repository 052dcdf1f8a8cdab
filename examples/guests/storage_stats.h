/*
 * examples/guests/storage_stats.h — what the storage guest measures and
 * how it is told what to do: a latency histogram with throughput over a
 * pass (storage_stats.c), and the boot command line's benchmark options.
 */
#ifndef STORAGE_STATS_H_
#define STORAGE_STATS_H_

#include <stdint.h>

#include "boot_info.h"

/* Log-linear buckets: values below 16 exactly, then each power of two
 * cut into 16 (a reported percentile is at most 1/16 above the truth). */
#define STATS_SUB     16
#define STATS_BUCKETS (64 * STATS_SUB)

struct io_stats {
	uint64_t tsc_hz;       /* cycles per second of the TSC */
	uint64_t bytes_per_op; /* request size */
	uint64_t t0, t1;       /* TSC at the start and end of the pass */
	uint64_t n, max;       /* latencies recorded, the largest */
	uint32_t hist[STATS_BUCKETS];
};

/* The TSC frequency from HV_MSR_TSC_FREQUENCY (2.5 GHz if unreadable). */
uint64_t stats_tsc_hz(void);
/* Resets st for a pass of bytes_per_op-byte requests; t0 = now. */
void stats_start(struct io_stats *st, uint64_t tsc_hz, uint64_t bytes_per_op);
void stats_add(struct io_stats *st, uint64_t cycles);
void stats_stop(struct io_stats *st); /* t1 = now */
/* The latency at percentile pct (1..100) in TSC cycles. */
uint64_t stats_percentile(const struct io_stats *st, unsigned pct);
/* "N ops, X.Y MB/s, lat us p50 A p99 B max C" and a newline. */
void stats_print(const struct io_stats *st);

/* The command line: "bench [size=B] [qd=N] [count=N] [write]" or empty. */
struct bench_args {
	int bench, write;
	uint32_t size, qd, count;
};
/* Parses bi's command line into *a (defaults: 4096 B, qd 1, 1000
 * requests, reads). 0 for an unknown word or a value out of range:
 * size a multiple of 512 in 512..65536, qd 1..max_qd, count >= 1. */
int parse_cmdline(const struct hvsim_boot_info *bi, struct bench_args *a,
		  uint32_t max_qd);

#endif
