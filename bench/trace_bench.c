/*
 * bench/trace_bench.c — what recording a trace costs (traces/trace.c):
 * host ns per trace_emit() with tracing off (NULL trace) and on (zlib
 * level 1 and 6, including the final flush), bytes per record on disk
 * after compression, and the reader's ns per record. The records are a
 * synthetic but realistic mix: VMBus requests on 4 channels (9 steps
 * each, a few hundred cycles apart), exits and scheduling slices.
 *
 *   trace_bench [N_RECORDS] [--keep FILE] [--level L]
 *
 * --level L measures only recording at zlib level L (for instruction
 * counts under valgrind --tool=callgrind, which a busy machine does not
 * disturb).
 *
 * Host CPU time of this process is measured (robust on a busy machine);
 * the simulation
 * itself never reads it. Run by `meson test --benchmark` (bench/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "traces/trace.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Fill r[0..n): requests interleaved with exits and slices. */
static void synth(struct trace_rec *r, size_t n)
{
	uint64_t seed = 88172645463325252ull, cycle = 0, txn[4] = {0};
	size_t i = 0;

	while (i < n) {
		unsigned ch = (unsigned)(next(&seed) % 4);
		txn[ch]++;
		for (unsigned s = 1; s <= TRACE_NR_STAGES && i < n; s++) {
			const struct trace_kind_info *k = trace_stage_kind(s);
			cycle += 200 + next(&seed) % 800;
			r[i++] = (struct trace_rec){
			    .cycle = cycle,
			    .kind = k->id,
			    .part =
				k->lane == TL_VSP ? 0 : (uint16_t)(1 + ch % 2),
			    .vp = (uint16_t)(ch % 2),
			    .chan = (uint16_t)(ch + 1),
			    .txn = txn[ch],
			    .arg0 = 4096,
			    .arg1 = 0};
			if (next(&seed) % 4 == 0 && i < n)
				r[i++] = (struct trace_rec){.cycle = cycle + 10,
							    .kind = TK_HV_EXIT,
							    .part = 1,
							    .arg0 = 30,
							    .arg1 = 1200};
		}
		if (next(&seed) % 8 == 0 && i < n)
			r[i++] = (struct trace_rec){.cycle = cycle,
						    .kind = TK_SCHED_SWITCH,
						    .part = 1,
						    .vp = 0,
						    .arg0 = 0,
						    .arg1 = 1000000};
	}
}

static const char *const parts[] = {"parent", "child1", "child2"};

/* Emit all records at this zlib level; ns per record, size on disk. */
static double record(const char *path, const struct trace_rec *r, size_t n,
		     int level, double *bytes_per_rec)
{
	struct trace_info in = {.scenario = "bench",
				.freq_hz = 2500000000ull,
				.nr_parts = 3,
				.part_names = parts,
				.level = level};
	char err[256] = "";
	struct stat st;
	struct trace *t;
	double t0, t1;

	t0 = now_ns();
	if (!(t = trace_open(path, &in, err, sizeof(err)))) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	for (size_t i = 0; i < n; i++)
		trace_emit(t, &r[i]);
	if (trace_close(t, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	t1 = now_ns();
	stat(path, &st);
	*bytes_per_rec = (double)st.st_size / (double)n;
	return (t1 - t0) / (double)n;
}

static double read_back(const char *path, size_t n)
{
	char err[256] = "";
	struct trace_reader *rd = trace_reader_open(path, err, sizeof(err));
	struct trace_rec x;
	size_t got = 0;
	double t0 = now_ns();

	while (rd && trace_reader_next(rd, &x) == 1)
		got++;
	if (!rd || got != n || trace_reader_error(rd)) {
		fprintf(stderr, "read back: %s\n",
			rd ? trace_reader_error(rd) : err);
		exit(1);
	}
	trace_reader_close(rd);
	return (now_ns() - t0) / (double)n;
}

int main(int argc, char **argv)
{
	size_t n = 2000000;
	const char *keep = NULL;
	int only = 0;
	char path[] = "/tmp/hvsim-trace-bench-XXXXXX";
	struct trace *off = NULL;
	struct trace_rec *r;
	double t0, ns_off, b1, b6, ns1, ns6, nsr;
	volatile uint64_t sink = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--keep") && i + 1 < argc)
			keep = argv[++i];
		else if (!strcmp(argv[i], "--level") && i + 1 < argc)
			only = atoi(argv[++i]);
		else
			n = strtoull(argv[i], NULL, 10);
	}
	if (!n || !(r = malloc(n * sizeof(*r))))
		return 1;
	synth(r, n);
	close(mkstemp(path));
	/* Tracing off: the caller's NULL check only. */
	t0 = now_ns();
	for (size_t i = 0; i < n; i++) {
		trace_emit(off, &r[i]);
		sink += r[i].cycle;
	}
	ns_off = (now_ns() - t0) / (double)n;
	if (only) {
		ns1 = record(path, r, n, only, &b1);
		printf("level %d: %.2f ns/record, %.2f bytes/record\n", only,
		       ns1, b1);
		unlink(path);
		free(r);
		return 0;
	}
	ns6 = record(path, r, n, 6, &b6);
	ns1 = record(keep ? keep : path, r, n, 1, &b1);
	nsr = read_back(keep ? keep : path, n);
	printf("trace_emit, %zu records of %u bytes:\n", n, TRACE_RECORD_SIZE);
	printf("  tracing off (NULL trace)  %8.2f ns/record\n", ns_off);
	printf(
	    "  zlib level 1 (default)    %8.2f ns/record  %6.2f bytes/record "
	    "on disk (%.1fx)\n",
	    ns1, b1, TRACE_RECORD_SIZE / b1);
	printf(
	    "  zlib level 6              %8.2f ns/record  %6.2f bytes/record "
	    "on disk (%.1fx)\n",
	    ns6, b6, TRACE_RECORD_SIZE / b6);
	printf("  reading back (level 1)    %8.2f ns/record\n", nsr);
	unlink(path);
	free(r);
	return sink == 1; /* keeps the off-loop from being optimised out */
}
