/*
 * sim/cmd_bench_vmbus.c — `hvsim bench --vmbus [N]`: how fast hvsim
 * simulates VMBus round trips (issue 5's benchmark).
 *
 * The storage guest (examples/guests/storage.c) in its benchmark mode
 * reads 4 KiB blocks through the storage VSC and VSP: one request = one
 * round trip (the guest writes a GPA-direct packet and signals, the
 * parent's VSP reads the disk image and completes, the guest takes the
 * interrupt and consumes the completion). Four machines in one process,
 * back to back, so that ratios are measured under the same host load:
 * queue depth 1 and 32, each with tracing off and on. Each is run twice,
 * with N requests and with BASE_REQUESTS, and the difference is what is
 * reported, so boot, VMBus set-up and the machine's creation cancel out:
 *   round trips per host second = (N - BASE) / (cpu(N) - cpu(BASE)),
 * cpu = process CPU time from sim_create to sim_destroy (the trace file's
 * last block is compressed and written in sim_destroy), likewise guest
 * instructions and simulated cycles per round trip. The trace overhead is
 * the extra host time per round trip with tracing on.
 *
 * Host time is noisy on a shared machine, so the four cases are repeated
 * (REPEAT rounds, each running all four in turn, so that a burst of host
 * load hits every case alike) and the median of each case's rates is
 * reported with its range. Guest instructions and simulated cycles must
 * be the same in every round (hvsim is deterministic); a case where they
 * differ is reported as failed.
 *
 * The latency breakdown comes from the QD 1 trace: for each request
 * (channel, txn) the cycles from one stage (traces/trace.h, stages 1..9)
 * to the next stage recorded for it, as the median over the requests
 * (bench_vmbus_breakdown). Stages the simulator does not record are
 * absent; the next stage then counts from the last one seen.
 * Not a test: nothing is compared with a threshold (the goal is printed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/cli.h"
#include "sim/cmd_bench.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "traces/hist.h"
#include "traces/trace.h"

#define VMBUS_DEFAULT_REQUESTS 20000
#define BASE_REQUESTS	       100
#define VMBUS_MAX_REPEAT       15
#define VMBUS_GOAL	       100000.0 /* round trips per host second */
#define IMAGE_BYTES	       (64ll << 20)
#define CHILD_MEM	       (64ull << 20)
/* 4 ms per request is far beyond any modelled latency: only a stuck
 * guest reaches it. */
#define CYCLES_PER_REQUEST 10000000ull

/* What one machine did. */
struct vmbus_run {
	unsigned long long instret, cycles;
	double cpu_s;
	int status;
};

/* One configuration: the difference of its two runs, in each round. */
struct vmbus_case {
	unsigned qd;
	bool trace;
	struct vmbus_run full, base;	 /* the latest round's */
	double rate[VMBUS_MAX_REPEAT];	 /* round trips per host s, by round */
	unsigned rounds;		 /* rounds done */
	bool ok;			 /* every run ok, every round alike */
};

static double process_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void build_scenario(struct scenario *sc, const char *kernel,
			   const char *image, unsigned qd, unsigned requests)
{
	struct scn_partition *p = &sc->part[1];

	scenario_defaults(sc);
	sc->max_cycles = (requests + 1000ull) * CYCLES_PER_REQUEST;
	sc->nr_partitions = 2;
	scn_partition_defaults(&sc->part[0]);
	strcpy(sc->part[0].name, "parent");
	sc->part[0].parent = true;
	sc->part[0].mem_bytes = 64ull << 20;
	scn_partition_defaults(p);
	strcpy(p->name, "storage");
	p->mem_bytes = CHILD_MEM;
	snprintf(p->kernel, sizeof(p->kernel), "%s", kernel);
	snprintf(p->disk, sizeof(p->disk), "%s", image);
	snprintf(p->cmdline, sizeof(p->cmdline),
		 "bench size=4096 qd=%u count=%u", qd, requests);
}

/* Runs one machine; trace_path NULL for no trace. 0, or the status of a
 * machine that could not be built. */
static int run_machine(const char *kernel, const char *image, unsigned qd,
		       unsigned requests, const char *trace_path,
		       struct vmbus_run *out)
{
	struct scenario *sc = malloc(sizeof(*sc));
	struct sim_config cfg;
	struct sim *s;
	double t0;
	int rc;

	if (!sc)
		return SIM_EXIT_INTERNAL;
	build_scenario(sc, kernel, image, qd, requests);
	sim_config_defaults(&cfg);
	cfg.quiet = true;
	cfg.serial_discard = true;
	cfg.trace_path = trace_path;
	t0 = process_cpu_s();
	s = sim_create_scenario(sc, &cfg, &rc);
	free(sc);
	if (!s)
		return rc ? rc : SIM_EXIT_INTERNAL;
	out->status = sim_run(s);
	out->instret = (unsigned long long)sim_result(s)->instret;
	out->cycles = (unsigned long long)sim_result(s)->cycles;
	if (out->status != 1)
		fprintf(stderr, "hvsim: bench: storage qd %u: %s\n", qd,
			sim_result(s)->reason);
	sim_destroy(s);
	out->cpu_s = process_cpu_s() - t0;
	return 0;
}

/* Per round trip, the difference of the two runs. */
static double per_rt(double full, double base, unsigned n)
{
	return (full - base) / (double)(n - BASE_REQUESTS);
}

static double rt_per_s(const struct vmbus_case *c, unsigned n)
{
	double cpu = c->full.cpu_s - c->base.cpu_s;

	return cpu > 0 ? (double)(n - BASE_REQUESTS) / cpu : 0.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of the case's rates (the mean of the middle two for an even
 * number of rounds), and the lowest and highest. */
static double rate_median(const struct vmbus_case *c, double *lo, double *hi)
{
	double r[VMBUS_MAX_REPEAT];
	unsigned n = c->rounds;

	memcpy(r, c->rate, n * sizeof(r[0]));
	qsort(r, n, sizeof(r[0]), cmp_double);
	*lo = r[0];
	*hi = r[n - 1];
	return n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
}

/* Takes one round's two runs into the case: its rate, and whether they
 * did exactly what the previous round's did. */
static void case_add_round(struct vmbus_case *c, const struct vmbus_run *base,
			   const struct vmbus_run *full, unsigned n)
{
	bool same = c->rounds == 0 ||
		    (full->instret == c->full.instret &&
		     full->cycles == c->full.cycles &&
		     base->instret == c->base.instret &&
		     base->cycles == c->base.cycles);

	if (!same)
		fprintf(stderr, "hvsim: bench: qd %u trace %s: round %u ran "
				"different instructions or cycles\n",
			c->qd, c->trace ? "on" : "off", c->rounds + 1);
	c->ok = (c->rounds == 0 || c->ok) && same && full->status == 1 &&
		base->status == 1;
	c->base = *base;
	c->full = *full;
	c->rate[c->rounds++] = rt_per_s(c, n);
}

static void print_case(const struct vmbus_case *c, unsigned n, double freq)
{
	double lo, hi, med = rate_median(c, &lo, &hi);

	printf("%4u  %-5s %9u %9.0f  %7.0f-%-7.0f %9.0f %9.1f  %s\n", c->qd,
	       c->trace ? "on" : "off", n, med, lo, hi,
	       per_rt((double)c->full.instret, (double)c->base.instret, n),
	       per_rt((double)c->full.cycles, (double)c->base.cycles, n) *
		   1e6 / freq,
	       c->ok ? "ok" : "FAILED");
	fflush(stdout);
}

static void print_breakdown(const struct vmbus_breakdown *bp)
{
	const struct vmbus_breakdown b = *bp;

	printf("\nmodelled latency of one 4 KiB read (qd 1, traced): median "
	       "per stage over %llu requests\n",
	       (unsigned long long)b.requests);
	printf("  %-2s %-20s %12s %10s\n", "", "stage (since previous)",
	       "cycles", "ns");
	for (unsigned st = 1; st <= TRACE_NR_STAGES; st++) {
		const struct trace_kind_info *k = trace_stage_kind(st);

		if (!b.count[st]) {
			printf("  %-2u %-20s %12s\n", st, k->name,
			       b.seen[st] ? "(first seen)" : "(not recorded)");
			continue;
		}
		printf("  %-2u %-20s %12llu %10.0f\n", st, k->name,
		       (unsigned long long)b.p50[st],
		       (double)b.p50[st] * 1e9 / (double)b.freq_hz);
	}
	printf("  %-2s %-20s %12llu %10.0f\n", "", "first to last stage",
	       (unsigned long long)b.total_p50,
	       (double)b.total_p50 * 1e9 / (double)b.freq_hz);
}

/* A sparse image and a trace path in $TMPDIR; the caller unlinks both. */
static int make_temp_files(char *image, size_t ilen, char *trace, size_t tlen)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(image, ilen, "%s/hvsim-bench-vmbus-XXXXXX", dir);
	snprintf(trace, tlen, "%s/hvsim-bench-vmbus-trace-XXXXXX", dir);
	if ((fd = mkstemp(image)) < 0)
		return -1;
	if (ftruncate(fd, IMAGE_BYTES) != 0) {
		close(fd);
		unlink(image);
		return -1;
	}
	close(fd);
	if ((fd = mkstemp(trace)) < 0) {
		unlink(image);
		return -1;
	}
	close(fd);
	return 0;
}

/* Runs each case's two machines once (one round); the QD 1 trace's
 * latency breakdown is read in the first round. 0, or a status. */
static int run_round(struct vmbus_case cases[4], const char *kernel,
		     const char *image, const char *trace, unsigned requests,
		     struct vmbus_breakdown *bd, int *have_bd, char *bd_err,
		     size_t bd_errlen)
{
	for (unsigned i = 0; i < 4; i++) {
		struct vmbus_case *c = &cases[i];
		const char *tp = c->trace ? trace : NULL;
		struct vmbus_run base = {0}, full = {0};
		int rc;

		rc = run_machine(kernel, image, c->qd, BASE_REQUESTS, tp, &base);
		if (rc == 0)
			rc = run_machine(kernel, image, c->qd, requests, tp,
					 &full);
		if (rc != 0)
			return rc;
		case_add_round(c, &base, &full, requests);
		if (c->trace && c->qd == 1 && c->rounds == 1)
			*have_bd = bench_vmbus_breakdown(trace, bd, bd_err,
							 bd_errlen) == 0;
	}
	return 0;
}

/* The trace overhead of one queue depth: extra host time per round trip
 * with tracing on, from the medians. */
static double overhead_pct(const struct vmbus_case *off,
			   const struct vmbus_case *on)
{
	double lo, hi, r_off = rate_median(off, &lo, &hi),
		       r_on = rate_median(on, &lo, &hi);

	return r_on > 0 ? 100.0 * (r_off / r_on - 1.0) : 0.0;
}

int bench_vmbus(unsigned requests, unsigned repeat)
{
	char dir[4096], kernel[4200], image[4200], trace[4200];
	struct vmbus_case cases[4] = {
	    {.qd = 1, .trace = false},
	    {.qd = 1, .trace = true},
	    {.qd = 32, .trace = false},
	    {.qd = 32, .trace = true},
	};
	double freq = 2.5e9, min_on = 0, lo, hi;
	struct vmbus_breakdown bd;
	char bd_err[256] = "no traced run";
	int rc = 0, ok = 1, have_bd = 0;

	if (requests <= BASE_REQUESTS) {
		fprintf(stderr, "hvsim: bench: --vmbus takes more than %d "
				"requests\n",
			BASE_REQUESTS);
		return SIM_EXIT_USAGE;
	}
	if (repeat < 1 || repeat > VMBUS_MAX_REPEAT) {
		fprintf(stderr, "hvsim: bench: --repeat takes 1 to %d\n",
			VMBUS_MAX_REPEAT);
		return SIM_EXIT_USAGE;
	}
	if (cli_path_near_binary(BENCH_GUEST_DIR, dir, sizeof(dir)) != 0) {
		fprintf(stderr, "hvsim: bench: cannot find %s\n",
			BENCH_GUEST_DIR);
		return SIM_EXIT_USAGE;
	}
	snprintf(kernel, sizeof(kernel), "%s/storage.elf", dir);
	if (make_temp_files(image, sizeof(image), trace, sizeof(trace)) != 0) {
		perror("hvsim: bench: temporary files");
		return SIM_EXIT_INTERNAL;
	}
	printf("VMBus round trips: the storage guest reads 4 KiB blocks through "
	       "storvsc/storvsp\n(disk model 100 us + 1 GiB/s, 2 physical "
	       "CPUs); %u requests minus a %d-request run;\n"
	       "%u round%s of the four cases, median and range of the round "
	       "trips per host CPU second\n",
	       requests, BASE_REQUESTS, repeat, repeat == 1 ? "" : "s");
	fflush(stdout);
	for (unsigned r = 0; r < repeat && rc == 0; r++)
		rc = run_round(cases, kernel, image, trace, requests, &bd,
			       &have_bd, bd_err, sizeof(bd_err));
	unlink(image);
	unlink(trace);
	if (rc != 0)
		return rc;
	printf("%4s  %-5s %9s %9s  %-15s %9s %9s  %s\n", "qd", "trace",
	       "requests", "rt/s", "range", "insns/rt", "sim-us/rt", "result");
	for (unsigned i = 0; i < 4; i++) {
		struct vmbus_case *c = &cases[i];
		double med = rate_median(c, &lo, &hi);

		print_case(c, requests, freq);
		ok &= c->ok;
		if (c->trace && (min_on == 0 || med < min_on))
			min_on = med;
	}
	if (have_bd)
		print_breakdown(&bd);
	else
		printf("\nlatency breakdown: %s\n", bd_err);
	printf("\ntrace overhead (host time per round trip, on vs off, "
	       "medians): qd 1 %+.1f %%, qd 32 %+.1f %%\n",
	       overhead_pct(&cases[0], &cases[1]),
	       overhead_pct(&cases[2], &cases[3]));
	printf("goal: >= %.0f round trips per host second with tracing on: "
	       "%s (slowest median %.0f)\n",
	       VMBUS_GOAL, min_on >= VMBUS_GOAL ? "met" : "NOT met", min_on);
	return ok ? 0 : 1;
}
