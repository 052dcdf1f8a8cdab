/*
 * sim/demo.c — the built-in demo (sim/demo.h): its scenario text, the
 * files it makes (the disk image, the trace), the run, and the summary.
 *
 * The machine is described as scenario text (the same format as a
 * scenario file, docs/SCENARIO.md), parsed by scenario_parse_text and
 * recorded in the trace's header, so `hvsim trace` shows what ran. The
 * disk image is a sparse file in $TMPDIR (or /tmp) made with mkstemps and
 * removed when the run ends, whatever the outcome. Messages and the
 * summary go to stderr (the consoles are on stdout), none with --quiet.
 * Called by sim/cli.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "partitions/partition.h"
#include "sim/demo.h"
#include "sim/scenario.h"
#include "traces/trace_tools.h"

/* Scenario lines hold at most 198 characters (docs/SCENARIO.md); the
 * disk line is "disk = PATH". */
#define DEMO_PATH_MAX 180

/* The storage child's guest. */
#define DEMO_STORAGE_KERNEL "builtin:storage"
/* compute's rounds=N: about as much simulated time as the storage
 * child's run (measured: compute ends after ~460 M cycles, storage after
 * ~580 M; about 2 host seconds in all). */
#define DEMO_COMPUTE_ROUNDS 16

/* How the trace names the disk (a sparse temporary file). */
#define DEMO_DISK_SHOWN "$TMPDIR/hvsim-demo-XXXXXX.img (temporary)"

static const char demo_text[] =
    "; " DEMO_SOURCE " - what `hvsim run` runs with no argument "
    "(sim/demo.c):\n"
    "; the parent and two children on two physical CPUs.\n"
    "[machine]\n"
    "pcpus = 2\n"
    "console_prefix = on      ; each console line starts with its "
    "partition\n"
    "\n"
    "; Hyper-V's root partition: the VM Service, the VM Workers, the VSPs.\n"
    "[partition \"parent\"]\n"
    "role = parent\n"
    "\n"
    "; Block I/O through the storage VSC (guest) and VSP (parent) over\n"
    "; VMBus, on a sparse disk image made for this run.\n"
    "[partition \"storage\"]\n"
    "kernel = " DEMO_STORAGE_KERNEL "\n"
    "memory = 64M\n"
    "disk = %s\n"
    "\n"
    "; Integer work with checked answers (examples/guests/compute.c).\n"
    "[partition \"compute\"]\n"
    "kernel = builtin:compute\n"
    "memory = 64M\n"
    "cmdline = rounds=%d\n";

int demo_scenario_text(const char *disk, char *buf, size_t len)
{
	int n;

	if (strlen(disk) > DEMO_PATH_MAX || strchr(disk, '\n'))
		return -1;
	n = snprintf(buf, len, demo_text, disk, DEMO_COMPUTE_ROUNDS);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static const char *tmp_dir(void)
{
	const char *t = getenv("TMPDIR");

	/* A long $TMPDIR would not fit the scenario's disk line. */
	return t && t[0] && strlen(t) < DEMO_PATH_MAX - 32 ? t : "/tmp";
}

/* A sparse DEMO_DISK_BYTES file; its path in buf. 0 or -1 (said why). */
static int make_disk(char *buf, size_t len)
{
	int fd, n = snprintf(buf, len, "%s/hvsim-demo-XXXXXX.img", tmp_dir());

	if (n < 0 || (size_t)n >= len)
		return -1;
	fd = mkstemps(buf, 4);
	if (fd < 0) {
		fprintf(stderr, "hvsim: demo: cannot create %s: ", buf);
		perror(NULL);
		return -1;
	}
	if (ftruncate(fd, (off_t)DEMO_DISK_BYTES) != 0) {
		perror("hvsim: demo: cannot size the disk image");
		close(fd);
		unlink(buf);
		return -1;
	}
	close(fd);
	return 0;
}

/* DEMO_TRACE_NAME here if this directory is writable, else in $TMPDIR. */
static void default_trace_path(char *buf, size_t len)
{
	if (access(".", W_OK) == 0)
		snprintf(buf, len, "%s", DEMO_TRACE_NAME);
	else
		snprintf(buf, len, "%s/%s", tmp_dir(), DEMO_TRACE_NAME);
}

/* 0 when every child ended well (debug-exit 0 = status 1, or halted for
 * good), else the first failure's status. A run that did not end by
 * itself (a limit, an error, a management quit) keeps its own status. */
static int demo_status(struct sim *s, int run_status)
{
	if (!sim_result(s)->quiescent)
		return run_status;
	for (unsigned i = 0; i < sim_nr_partitions(s); i++) {
		struct partition *p = sim_partition(s, i);

		if (!partition_is_parent(p) && partition_ended(p) &&
		    partition_end_status(p) != 1)
			return partition_end_status(p);
	}
	return 0;
}

static void say_intro(const char *disk, const char *trace)
{
	fprintf(stderr,
		"hvsim: the demo (" DEMO_SOURCE "): a parent and two children "
		"on 2 physical CPUs\n"
		"hvsim:   storage: block I/O through the storage VSC/VSP pair "
		"over VMBus (disk %s, %llu MiB, removed at the end)\n"
		"hvsim:   compute: integer work with checked answers\n"
		"hvsim:   trace: %s\n",
		disk, DEMO_DISK_BYTES >> 20, trace);
}

/* The VMBus stages from the trace, then where the trace is. */
static void say_trace(const char *trace)
{
	char err[512], self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		snprintf(self, sizeof(self), "hvsim");
	else
		self[n] = '\0';
	fputs("hvsim: VMBus requests, per stage (read back from the trace):\n",
	      stderr);
	fflush(stderr);
	if (trace_stats(trace, stderr, err, sizeof(err)) != 0)
		fprintf(stderr, "hvsim: trace stats: %s\n", err);
	fprintf(stderr,
		"hvsim: the trace is in %s; look at it with\n"
		"    %s trace stats %s\n"
		"    %s trace export --chrome %s -o demo.json   "
		"(open demo.json in ui.perfetto.dev)\n",
		trace, self, trace, self, trace);
}

/* Build, run, summarise; the machine is gone (trace closed) on return. */
static int run_demo_machine(const struct scenario *sc,
			    const struct sim_config *cfg)
{
	struct sim *s;
	int rc;

	if (!(s = sim_create_scenario(sc, cfg, &rc)))
		return rc;
	rc = demo_status(s, sim_run(s));
	if (!cfg->quiet)
		sim_print_summary(s, stderr);
	sim_destroy(s);
	if (!cfg->quiet)
		say_trace(cfg->trace_path);
	return rc;
}

int demo_run(const struct sim_config *cfg)
{
	struct scenario *sc = malloc(sizeof(*sc));
	char disk[DEMO_PATH_MAX + 64], trace[DEMO_PATH_MAX + 64];
	char text[sizeof(demo_text) + DEMO_PATH_MAX + 64], err[1024] = "";
	char shown[sizeof(text)];
	struct sim_config run = *cfg;
	int rc;

	if (!sc)
		return SIM_EXIT_INTERNAL;
	if (make_disk(disk, sizeof(disk)) != 0) {
		free(sc);
		return SIM_EXIT_INTERNAL;
	}
	if (!run.trace_path) {
		default_trace_path(trace, sizeof(trace));
		run.trace_path = trace;
	}
	if (demo_scenario_text(disk, text, sizeof(text)) != 0 ||
	    scenario_parse_text(DEMO_SOURCE, text, sc, err, sizeof(err)) != 0) {
		fprintf(stderr, "hvsim: demo: %s\n",
			err[0] ? err : "the disk path is too long");
		rc = SIM_EXIT_INTERNAL;
	} else {
		/* The trace's header records the text with a stable name for
		 * the disk: the temporary file's random part would make two
		 * runs' traces differ. */
		if (demo_scenario_text(DEMO_DISK_SHOWN, shown, sizeof(shown)) ==
		    0)
			sc->text = shown;
		if (cfg->max_cycles)
			sc->max_cycles = cfg->max_cycles;
		if (cfg->quantum_cycles != SIM_DEFAULT_QUANTUM)
			sc->quantum_cycles = cfg->quantum_cycles;
		if (!cfg->quiet)
			say_intro(disk, run.trace_path);
		rc = run_demo_machine(sc, &run);
	}
	unlink(disk);
	free(sc);
	return rc;
}
