/*
 * sim/scenario.h — what a simulated machine is: its physical CPUs and
 * clock, and its partitions (one parent, any number of children), each with
 * vCPUs, memory, a kernel and scheduler knobs.
 *
 * A scenario comes from a file (`hvsim run FILE.scn`, parsed by
 * scenario.c: INI with a [machine] section and one [partition "name"]
 * section per partition) or from the command line (`hvsim run --kernel
 * FILE`: a parent plus one child running FILE). The hypervisor (hv/) and
 * the parent's VM Service (partitions/) build the machine from it.
 *
 * Scheduler knobs follow Hyper-V's classic scheduler: weight (relative
 * share, 1..10000, default 100), reserve (percent of one physical CPU per
 * vCPU guaranteed, 0..100) and cap (percent of one physical CPU per vCPU at
 * most, 1..100; 100 = no cap).
 */
#ifndef HVSIM_SIM_SCENARIO_H_
#define HVSIM_SIM_SCENARIO_H_

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define SCN_MAX_PARTITIONS 64
#define SCN_MAX_VCPUS 64
#define SCN_MAX_INITRD 8
#define SCN_NAME_MAX 64
#define SCN_PATH_MAX 4096
#define SCN_CMDLINE_MAX 4096

struct scn_partition {
	char name[SCN_NAME_MAX];
	bool parent;           /* exactly one partition is the parent */
	unsigned vcpus;        /* 1..SCN_MAX_VCPUS */
	uint64_t mem_bytes;    /* guest RAM */
	char kernel[SCN_PATH_MAX];   /* empty for the parent (service-only) */
	char cmdline[SCN_CMDLINE_MAX];
	char initrd[SCN_MAX_INITRD][SCN_PATH_MAX];
	unsigned nr_initrd;
	char serial[SCN_PATH_MAX];   /* empty = stdout */
	char disk[SCN_PATH_MAX];     /* raw image for the storage VSP */
	uint64_t disk_latency_ns;    /* the physical disk's per-request time */
	uint64_t disk_bandwidth;     /* its bytes per second; 0 = unlimited */
	unsigned weight;       /* 1..10000 */
	unsigned reserve_pct;  /* 0..100 */
	unsigned cap_pct;      /* 1..100 */
	bool testdev;          /* QEMU hyperv-testdev + pc-testdev */
	bool autostart;        /* start when the machine starts */
	bool integration;      /* shutdown/timesync/heartbeat offered */
	uint64_t heartbeat_ns; /* heartbeat interval; 0 = no heartbeats */
	bool platform_pc;      /* ACPI tables + PC devices (children) */
};

/* [machine] console_prefix: which children's COM1 lines start with
 * "NAME | " (partitions/console.h). */
enum scn_console_prefix {
	SCN_PREFIX_AUTO, /* the children that share stdout with another */
	SCN_PREFIX_ON,	 /* every child */
	SCN_PREFIX_OFF,	 /* none: the bytes pass through unchanged */
};

struct scenario {
	char source[SCN_PATH_MAX]; /* file it came from, or "(command line)" */
	/* The scenario's text when it was not read from the file `source`
	 * (scenario_parse_text: the built-in demo); NULL otherwise. Not
	 * owned: it must outlive the machine (its trace header records it). */
	const char *text;
	unsigned pcpus;            /* simulated physical CPUs, 1..64 */
	uint64_t freq_hz;          /* modelled core clock */
	uint64_t quantum_cycles;   /* scheduler time slice */
	bool timing;               /* cycle-approximate costs on */
	uint64_t max_cycles;       /* simulated-time limit; 0 = none */
	unsigned console_prefix;   /* enum scn_console_prefix */
	uint64_t start_time;       /* wall clock at the start: s since 1970 */
	unsigned nr_partitions;
	struct scn_partition part[SCN_MAX_PARTITIONS];
};

static inline void scn_partition_defaults(struct scn_partition *p)
{
	memset(p, 0, sizeof(*p));
	p->vcpus = 1;
	p->mem_bytes = 256ull << 20;
	p->weight = 100;
	p->cap_pct = 100;
	p->autostart = true;
	p->integration = true;
	p->heartbeat_ns = 2000000000ull; /* Hyper-V's 2 s */
	p->platform_pc = true;
	/* A data-centre SSD behind the parent's driver: 100 us a request,
	 * 1 GiB/s (ours; override per partition). */
	p->disk_latency_ns = 100000;
	p->disk_bandwidth = 1ull << 30;
}

static inline void scenario_defaults(struct scenario *sc)
{
	memset(sc, 0, sizeof(*sc));
	strcpy(sc->source, "(command line)");
	sc->pcpus = 2;
	sc->freq_hz = 2500000000ull;
	sc->quantum_cycles = 1000000ull;
	sc->timing = true;
	sc->start_time = 1767225600ull; /* 2026-01-01T00:00:00Z */
}

/* Parse and validate a scenario file into *sc (defaults first). Returns 0,
 * or -1 with a one-line message "FILE:LINE: [section] key:
 * problem" in err. */
int scenario_load(const char *path, struct scenario *sc, char *err,
		  unsigned errlen);
/* The same for scenario text held in memory (the built-in demo): `source`
 * names it in messages ("builtin:demo:3: ..."), relative paths stay as
 * written, sc->text points at `text`. */
int scenario_parse_text(const char *source, const char *text,
			struct scenario *sc, char *err, unsigned errlen);
/* Validate a scenario built in code (the same rules as the file parser:
 * one parent, unique names, ranges). Returns 0 or -1 with err filled. */
int scenario_check(const struct scenario *sc, char *err, unsigned errlen);

#endif
