/*
 * sim/cmd_bench.h — `hvsim bench`: run CPU-bound guests with their output
 * discarded and report the interpreter's speed on each (sim/cmd_bench.c).
 * The helpers below are exposed for tests/unit/sim/test_bench.c.
 */
#ifndef HVSIM_SIM_CMD_BENCH_H_
#define HVSIM_SIM_CMD_BENCH_H_

#include <stddef.h>

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

/* Geometric mean of the positive values among v[0..n); 0 if none. */
double bench_geomean(const double *v, size_t n);

#endif
