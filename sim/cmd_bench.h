/*
 * sim/cmd_bench.h — `hvsim bench`: run CPU-bound guests with their output
 * discarded and report the interpreter's speed on each (sim/cmd_bench.c).
 * The helpers below are exposed for tests/unit/sim/test_bench.c.
 */
#ifndef HVSIM_SIM_CMD_BENCH_H_
#define HVSIM_SIM_CMD_BENCH_H_

#include <stddef.h>
#include <stdint.h>

/* Where the default bench guests live, relative to the hvsim binary. */
#define BENCH_GUEST_DIR "examples/guests"

/* argv[0] is "bench"; the other arguments are guest ELF files (default:
 * every bench_*.elf in BENCH_GUEST_DIR). Returns 0 if every guest ended
 * with debug-exit 0, 1 if any did not, 2 for a usage error. */
int cmd_bench(int argc, char **argv);

/* The regular files named bench_*.elf in dir, as "dir/name" paths sorted
 * by name (strcmp, so independent of the locale). Returns 0 and stores a
 * malloc'd array of malloc'd strings (free with bench_free_paths), or -1
 * if the directory cannot be read or memory runs out. */
int bench_find_guests(const char *dir, char ***paths, size_t *n);
void bench_free_paths(char **paths, size_t n);

/* "ok" for hvsim status 1 (debug-exit 0), "WRONG RESULT" for status 3
 * (debug-exit 1: the guest's self-check failed), "FAILED" otherwise. */
const char *bench_verdict(int status);

/* `hvsim bench --partitions N` (cmd_bench_parts.c): one child alone, then
 * N children, each running bench_intloop; prints MIPS, memory per
 * partition and the overhead. Returns 0 if every run was ok. */
int bench_partitions(unsigned children);

/* `hvsim bench --vmbus [N] [--repeat K]` (cmd_bench_vmbus.c): the storage
 * guest reads N 4 KiB blocks at queue depth 1 and 32, tracing off and on,
 * K rounds of the four; prints the median round trips per host second
 * (and range), guest instructions and simulated time per round trip, the
 * trace overhead and the latency breakdown of a read. Returns 0 if every
 * run was ok and every round ran the same instructions and cycles. */
#define VMBUS_DEFAULT_REPEAT 3
int bench_vmbus(unsigned requests, unsigned repeat);

/* What a trace says one request's stages took (cmd_bench_vmbus_trace.c):
 * for each request (channel, txn below 2^32: not the init-phase ids), the
 * cycles from each stage to the next stage recorded for it. A stage at or
 * before the last one seen for (channel, txn) starts a new request (ids
 * are reused, as Linux reuses its request ids); a record with txn 0 (about
 * the channel) counts for the one request open on it, if only one is. */
struct vmbus_breakdown {
	uint64_t freq_hz;   /* the trace's clock */
	uint64_t requests;  /* with at least two stages */
	uint64_t seen[10];  /* [stage]: records (index 1..9) */
	uint64_t count[10]; /* [stage]: deltas measured */
	uint64_t p50[10];   /* [stage]: median cycles since the previous */
	uint64_t total_p50; /* median first-to-last-stage cycles */
};
/* 0, or -1 with a message (unreadable trace, no request in it). */
int bench_vmbus_breakdown(const char *trace_path, struct vmbus_breakdown *out,
			  char *err, size_t errlen);

/* Geometric mean of the positive values among v[0..n); 0 if none. */
double bench_geomean(const double *v, size_t n);

#endif
