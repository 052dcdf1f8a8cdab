/*
 * sim/sim.h — the simulated machine as a whole: configuration, assembly,
 * the main loop over the event queue, and the result of a run.
 *
 * A machine is a scenario (sim/scenario.h): the hypervisor (hv/) with its
 * physical CPUs, a parent partition and child partitions (partitions/),
 * each with its own RAM, vCPUs, COM1 and debug-exit port. `hvsim run
 * --kernel FILE` is the scenario "parent + one child running FILE"
 * (sim_scenario_from_config). Exit statuses are those of docs/BOOT.md.
 */
#ifndef HVSIM_SIM_SIM_H_
#define HVSIM_SIM_SIM_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Process exit statuses of `hvsim run` (docs/BOOT.md). A debug-exit write
 * of v gives (v << 1) | 1 instead (truncated to 8 bits by the OS). */
enum sim_status {
	SIM_EXIT_HALT = 0,     /* halted for good */
	SIM_EXIT_INTERNAL = 1, /* hvsim itself failed */
	SIM_EXIT_USAGE = 2,    /* usage, configuration or bad input */
	SIM_EXIT_TRIPLE_FAULT = 4,
	SIM_EXIT_PANIC = 6,	   /* guest panic (Hyper-V crash MSRs), later */
	SIM_EXIT_TIME_LIMIT = 125, /* --max-cycles reached */
};

#define SIM_DEFAULT_MEM	    (256ull << 20)
#define SIM_DEFAULT_FREQ_HZ 2500000000ull /* modelled core clock, 2.5 GHz */
/* Cycles the CPU runs per event-queue quantum: 400 µs at 2.5 GHz, long
 * enough that scheduling costs nothing, short enough for timely output. */
#define SIM_DEFAULT_QUANTUM 1000000ull

struct sim_config {
	const char *scenario;	   /* hvsim run FILE.scn; NULL = --kernel */
	const char *kernel;	   /* path of the guest kernel (required) */
	const char *cmdline;	   /* --append, NULL = empty */
	const char *const *initrd; /* --initrd paths */
	int nr_initrd;
	uint64_t mem_bytes;	 /* guest RAM */
	const char *serial_path; /* --serial FILE; NULL = stdout */
	bool serial_discard;	 /* drop guest serial output (bench) */
	uint64_t max_cycles;	 /* simulated-time limit; 0 = none */
	bool quiet;		 /* no informational messages */
	uint64_t freq_hz;	 /* for reporting simulated time */
	uint64_t quantum_cycles; /* CPU quantum */
	const char *mgmt_path;	 /* --mgmt SOCKET; NULL = none */
	unsigned vcpus;		 /* --vcpus; 0 = 1 */
	bool testdev;		 /* --testdev */
	const char *trace_path;	 /* --trace FILE; NULL = no trace */
	const char *disk_path;	 /* --disk FILE: the child's raw disk image */
};

/* What a finished run did. */
struct sim_result {
	int status;	   /* the process exit status */
	char reason[160];  /* one line: why the run ended */
	uint64_t instret;  /* guest instructions retired */
	uint64_t cycles;   /* simulated cycles */
	uint64_t freq_hz;  /* the machine's clock (cycles per second) */
	double host_cpu_s; /* host CPU time spent in sim_run */
	bool quiescent;	   /* it ended because nothing could run any more
			      (not a limit, a quit or an error) */
};

struct sim;
struct scenario;
struct hv;
struct partition;

void sim_config_defaults(struct sim_config *cfg);
/* Build the machine and load the kernel. On failure prints "hvsim: ..." to
 * stderr, stores the exit status in *status and returns NULL. */
struct sim *sim_create(const struct sim_config *cfg, int *status);
/* The scenario of `hvsim run --kernel`: a parent (1 vCPU, no kernel) and a
 * child "guest" running cfg->kernel with cfg's options. Returns 0, or
 * SIM_EXIT_USAGE after a message. */
int sim_scenario_from_config(const struct sim_config *cfg,
			     struct scenario *sc);
/* Build the machine a scenario describes; cfg adds quiet and
 * serial_discard (the rest of cfg is ignored). Same errors as sim_create. */
struct sim *sim_create_scenario(const struct scenario *sc,
				const struct sim_config *cfg, int *status);
/* Run to the end; returns the process exit status. */
int sim_run(struct sim *s);
const struct sim_result *sim_result(const struct sim *s);
/* The end-of-run summary (sim/sim_summary.c): reason, instructions,
 * cycles, simulated time, host seconds and MIPS, each vCPU's time and the
 * exits by reason; with two or more children also the exits of each
 * partition and how each child ended. */
void sim_print_summary(const struct sim *s, FILE *f);
/* One line per child: how it ended (its debug-exit, triple fault or
 * crash), or how it stands (halted for good, still running at the
 * limit, paused, never started). Part of the summary with two or more
 * children. */
void sim_print_partition_ends(const struct sim *s, FILE *f);
void sim_destroy(struct sim *s);

/* The machine's parts, for tests and statistics. Partitions are in
 * scenario order. */
struct hv *sim_hv(const struct sim *s);
unsigned sim_nr_partitions(const struct sim *s);
struct partition *sim_partition(const struct sim *s, unsigned i);

#endif
