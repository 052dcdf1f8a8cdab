/*
 * sim/cmd_bench_parts.c — `hvsim bench --partitions [N]`: what running
 * many partitions costs the host (issue "The hypervisor and its
 * partitions", benchmark).
 *
 * Two machines in one process, back to back, so the ratio is measured
 * under the same host conditions:
 *   1. the parent and ONE child running bench_intloop (CPU-bound);
 *   2. the parent and N children (default 8), each running bench_intloop,
 *      on 2 physical CPUs.
 * For each: guest instructions retired by the children, host CPU seconds
 * spent in sim_run, MIPS, and the host resident memory the machine added
 * (VmRSS after the run minus before building it) per partition. The
 * scheduling overhead is 1 - MIPS(N) / MIPS(1): the host time the
 * scheduler, partition switches and timer events add per guest
 * instruction. Not a test: nothing is compared with a threshold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli.h"
#include "sim/cmd_bench.h"
#include "sim/scenario.h"
#include "sim/sim.h"

#define PARTS_DEFAULT	8
#define PARTS_MAX	(SCN_MAX_PARTITIONS - 1)
#define PARTS_PCPUS	2
#define PARTS_CHILD_MEM (64ull << 20)
/* No child may run away: 40 s of simulated time at 2.5 GHz. */
#define PARTS_MAX_CYCLES 100000000000ull

struct parts_run {
	unsigned children;
	unsigned long long instret;
	double cpu_s;
	long rss_kib; /* added by the machine */
	int status;
};

/* The process's resident set in KiB (Linux /proc), or -1. */
static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6)) {
			kib = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kib;
}

static void build_scenario(struct scenario *sc, const char *kernel,
			   unsigned children)
{
	scenario_defaults(sc);
	sc->pcpus = PARTS_PCPUS;
	sc->max_cycles = PARTS_MAX_CYCLES;
	sc->nr_partitions = children + 1;
	scn_partition_defaults(&sc->part[0]);
	strcpy(sc->part[0].name, "parent");
	sc->part[0].parent = true;
	sc->part[0].mem_bytes = 64ull << 20;
	for (unsigned i = 1; i <= children; i++) {
		struct scn_partition *p = &sc->part[i];

		scn_partition_defaults(p);
		snprintf(p->name, sizeof(p->name), "child%u", i);
		p->mem_bytes = PARTS_CHILD_MEM;
		snprintf(p->kernel, sizeof(p->kernel), "%s", kernel);
	}
}

static int run_machine(const char *kernel, unsigned children,
		       struct parts_run *out)
{
	struct scenario *sc = malloc(sizeof(*sc));
	struct sim_config cfg;
	struct sim *s;
	long before = rss_kib();
	int rc;

	if (!sc)
		return SIM_EXIT_INTERNAL;
	build_scenario(sc, kernel, children);
	sim_config_defaults(&cfg);
	cfg.quiet = true;
	cfg.serial_discard = true;
	s = sim_create_scenario(sc, &cfg, &rc);
	free(sc);
	if (!s)
		return rc ? rc : SIM_EXIT_INTERNAL;
	out->children = children;
	out->status = sim_run(s);
	out->instret = (unsigned long long)sim_result(s)->instret;
	out->cpu_s = sim_result(s)->host_cpu_s;
	out->rss_kib = rss_kib() - before;
	sim_destroy(s);
	return 0;
}

static double run_mips(const struct parts_run *r)
{
	return r->cpu_s > 0 ? (double)r->instret / r->cpu_s / 1e6 : 0.0;
}

static void print_run(const struct parts_run *r)
{
	printf("%8u %14llu %9.3f %9.1f %12.1f  %s\n", r->children, r->instret,
	       r->cpu_s, run_mips(r),
	       (double)r->rss_kib / 1024.0 / (r->children + 1),
	       r->status == 1 ? "ok" : "FAILED");
	fflush(stdout);
}

int bench_partitions(unsigned children)
{
	char dir[4096], kernel[4200];
	struct parts_run one = {0}, many = {0};
	int rc;

	if (children < 1 || children > PARTS_MAX) {
		fprintf(stderr, "hvsim: bench: --partitions takes 1..%d\n",
			PARTS_MAX);
		return SIM_EXIT_USAGE;
	}
	if (cli_path_near_binary(BENCH_GUEST_DIR, dir, sizeof(dir)) != 0) {
		fprintf(stderr, "hvsim: bench: cannot find %s\n",
			BENCH_GUEST_DIR);
		return SIM_EXIT_USAGE;
	}
	snprintf(kernel, sizeof(kernel), "%s/bench_intloop.elf", dir);
	printf("partition scheduling overhead: bench_intloop in every child, "
	       "%d physical CPUs\n",
	       PARTS_PCPUS);
	printf("%8s %14s %9s %9s %12s  %s\n", "children", "instructions",
	       "cpu-s", "MIPS", "MiB/part", "result");
	if ((rc = run_machine(kernel, 1, &one)) != 0)
		return rc;
	print_run(&one);
	if ((rc = run_machine(kernel, children, &many)) != 0)
		return rc;
	print_run(&many);
	if (run_mips(&one) > 0)
		printf("overhead of %u children vs 1: %.1f %% (MIPS %.1f vs "
		       "%.1f)\n",
		       children, 100.0 * (1.0 - run_mips(&many) / run_mips(&one)),
		       run_mips(&many), run_mips(&one));
	return one.status == 1 && many.status == 1 ? 0 : 1;
}
