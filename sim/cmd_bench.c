/*
 * sim/cmd_bench.c — `hvsim bench [GUEST.elf]...`: the interpreter's speed
 * on CPU-bound guests (DESIGN.md "Interfaces a user touches").
 *
 * With no argument it runs every bench_*.elf next to the binary
 * (build/examples/guests/, sorted by name): bench_intloop (register ALU),
 * bench_mem, bench_branchy, bench_interp and bench_fp (see each guest's
 * source). Each runs alone with its serial output discarded; one line per
 * guest gives guest instructions retired, host CPU seconds (process CPU
 * time spent in sim_run, so loading and the other guests do not count),
 * MIPS, host ns per guest instruction and the verdict, and a last line
 * the geometric mean of the MIPS. A bench guest checks its own result
 * against the host's and ends with debug-exit 0 (ok) or 1 (WRONG RESULT),
 * so a fast but wrong interpreter never goes unnoticed.
 *
 * Not a test: nothing here compares times with a threshold. Each run has
 * a simulated-time limit so that a guest that never ends cannot hang it.
 */
#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/cli.h"
#include "sim/cmd_bench.h"
#include "sim/sim.h"

/* 20 s of simulated time at 2.5 GHz, where the longest bench guest needs
 * under 1 s: only a guest that is stuck reaches it. */
#define BENCH_MAX_CYCLES 50000000000ull

#define BENCH_PREFIX "bench_"
#define BENCH_SUFFIX ".elf"

/* What one run measured. */
struct bench_stats {
	unsigned long long instret;
	double cpu_s;
	int status;
};

static int is_bench_name(const char *name)
{
	size_t n = strlen(name), pre = strlen(BENCH_PREFIX);
	size_t suf = strlen(BENCH_SUFFIX);

	return n > pre + suf && !strncmp(name, BENCH_PREFIX, pre) &&
	       !strcmp(name + n - suf, BENCH_SUFFIX);
}

static int cmp_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void bench_free_paths(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* Appends "dir/name" to *paths if it names a regular file. */
static int add_path(char ***paths, size_t *n, const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *p = malloc(len), **grown;
	struct stat st;

	if (!p)
		return -1;
	snprintf(p, len, "%s/%s", dir, name);
	if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
		free(p);
		return 0;
	}
	grown = realloc(*paths, (*n + 1) * sizeof(*grown));
	if (!grown) {
		free(p);
		return -1;
	}
	*paths = grown;
	(*paths)[(*n)++] = p;
	return 0;
}

int bench_find_guests(const char *dir, char ***paths, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	*paths = NULL;
	*n = 0;
	if (!d)
		return -1;
	while (rc == 0 && (e = readdir(d)))
		if (is_bench_name(e->d_name))
			rc = add_path(paths, n, dir, e->d_name);
	closedir(d);
	if (rc != 0) {
		bench_free_paths(*paths, *n);
		*paths = NULL;
		*n = 0;
		return -1;
	}
	if (*n)
		qsort(*paths, *n, sizeof(**paths), cmp_paths);
	return 0;
}

const char *bench_verdict(int status)
{
	if (status == 1)
		return "ok";
	if (status == 3)
		return "WRONG RESULT";
	return "FAILED";
}

double bench_geomean(const double *v, size_t n)
{
	double log_sum = 0;
	size_t used = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i] > 0) {
			log_sum += log(v[i]);
			used++;
		}
	return used ? exp(log_sum / (double)used) : 0.0;
}

/* Runs one guest quietly. Returns 0 with *st filled in, or the status of
 * a guest that could not even be loaded (sim_create said why). */
static int bench_run(const char *path, struct bench_stats *st)
{
	struct sim_config cfg;
	const struct sim_result *r;
	struct sim *s;
	int rc;

	sim_config_defaults(&cfg);
	cfg.kernel = path;
	cfg.serial_discard = true;
	cfg.quiet = true;
	cfg.max_cycles = BENCH_MAX_CYCLES;
	if (!(s = sim_create(&cfg, &rc)))
		return rc ? rc : SIM_EXIT_INTERNAL;
	st->status = sim_run(s);
	r = sim_result(s);
	st->instret = (unsigned long long)r->instret;
	st->cpu_s = r->host_cpu_s;
	if (st->status != 1)
		fprintf(stderr, "hvsim: bench: %s: %s: %s\n", path,
			bench_verdict(st->status), r->reason);
	sim_destroy(s);
	return 0;
}

static double mips_of(const struct bench_stats *st)
{
	return st->cpu_s > 0 ? (double)st->instret / st->cpu_s / 1e6 : 0.0;
}

static void print_header(void)
{
	printf("%14s %9s %9s %8s  %-12s  %s\n", "instructions", "cpu-s", "MIPS",
	       "ns/insn", "result", "guest");
}

static void print_line(const struct bench_stats *st, const char *path)
{
	printf("%14llu %9.3f %9.1f %8.2f  %-12s  %s\n", st->instret, st->cpu_s,
	       mips_of(st),
	       st->instret ? st->cpu_s * 1e9 / (double)st->instret : 0.0,
	       bench_verdict(st->status), path);
	fflush(stdout); /* each line as soon as its guest is done */
}

/* Runs the guests in order, prints a line each and the geomean line;
 * by_name: show the file name only (the default guests, whose directory
 * is always the same). Returns 0 if all were ok, 1 if not, 2 if one could
 * not be loaded. */
static int bench_all(char *const *paths, size_t n, bool by_name)
{
	double *mips = calloc(n ? n : 1, sizeof(*mips));
	size_t ok = 0, measured = 0;
	int worst = 0;

	if (!mips)
		return SIM_EXIT_INTERNAL;
	print_header();
	for (size_t i = 0; i < n; i++) {
		struct bench_stats st = {0};
		int rc = bench_run(paths[i], &st);
		if (rc) {
			worst = rc > worst ? rc : worst;
			continue;
		}
		const char *slash = strrchr(paths[i], '/');
		print_line(&st, by_name && slash ? slash + 1 : paths[i]);
		mips[measured++] = mips_of(&st);
		ok += st.status == 1;
		if (st.status != 1 && worst < 1)
			worst = 1;
	}
	if (measured)
		printf("%14s %9s %9.1f %8s  %-12s  geomean of %zu guests\n", "",
		       "", bench_geomean(mips, measured), "",
		       ok == n ? "ok" : "NOT ALL OK", measured);
	free(mips);
	return worst;
}

static int bench_usage_error(const char *arg)
{
	fprintf(stderr,
		"hvsim: bench: unknown option '%s' (try 'hvsim help')\n", arg);
	return SIM_EXIT_USAGE;
}

static int bench_count_error(const char *what, const char *arg)
{
	fprintf(stderr, "hvsim: bench: %s wants a positive whole number, "
			"not '%s'\n", what, arg);
	return SIM_EXIT_USAGE;
}

/* Every bench_*.elf next to the binary. */
static int bench_default(void)
{
	char dir[4096];
	char **paths;
	size_t n;
	int rc;

	if (cli_path_near_binary(BENCH_GUEST_DIR, dir, sizeof(dir)) != 0 ||
	    bench_find_guests(dir, &paths, &n) != 0) {
		fprintf(stderr,
			"hvsim: bench: cannot read %s next to the "
			"hvsim binary\n",
			BENCH_GUEST_DIR);
		return SIM_EXIT_USAGE;
	}
	if (n == 0) {
		fprintf(stderr, "hvsim: bench: no bench_*.elf in %s\n", dir);
		bench_free_paths(paths, n);
		return SIM_EXIT_USAGE;
	}
	rc = bench_all(paths, n, true);
	bench_free_paths(paths, n);
	return rc;
}

/* A whole decimal number in [1, max], or 0. */
static unsigned long parse_count(const char *s, unsigned long max)
{
	char *end = NULL;
	unsigned long n = strtoul(s, &end, 10);

	return *s >= '0' && *s <= '9' && *end == '\0' && n <= max ? n : 0;
}

/* `--vmbus [N] [--repeat K]`: what follows --vmbus. */
static int bench_vmbus_args(int argc, char **argv)
{
	unsigned long n = 20000, repeat = VMBUS_DEFAULT_REPEAT;
	int i = 0;

	if (i < argc && argv[i][0] != '-' &&
	    (n = parse_count(argv[i++], 100000000)) == 0)
		return bench_count_error("--vmbus", argv[i - 1]);
	if (i < argc && !strcmp(argv[i], "--repeat")) {
		if (++i == argc)
			return bench_count_error("--repeat", "");
		if ((repeat = parse_count(argv[i++], 100)) == 0)
			return bench_count_error("--repeat", argv[i - 1]);
	}
	if (i < argc)
		return bench_usage_error(argv[i]);
	return bench_vmbus((unsigned)n, (unsigned)repeat);
}

int cmd_bench(int argc, char **argv)
{
	if (argc > 1 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: hvsim bench [GUEST.elf]...\n"
		     "       hvsim bench --partitions [N]\n"
		     "       hvsim bench --vmbus [N] [--repeat K]\n"
		     "Run CPU-bound guests (default: every bench_*.elf in "
		     "<dir of hvsim>/" BENCH_GUEST_DIR ")\none at a time with "
		     "output discarded. Per guest: instructions retired, host "
		     "CPU\nseconds, MIPS, host ns per instruction, and 'ok' or "
		     "'WRONG RESULT' from the\nguest's own check; then the "
		     "geometric mean of the MIPS. Exit status 0 if all\nwere "
		     "ok, 1 if not.\n--partitions: one child alone, then N (default 8) "
		     "children, each running\nbench_intloop on 2 physical "
		     "CPUs: MIPS, host memory per partition and\nthe "
		     "scheduling overhead.\n--vmbus: the storage guest reads "
		     "N (default 20000) 4 KiB blocks through\nVMBus at queue "
		     "depth 1 and 32, tracing off and on, K (default 3) rounds:"
		     "\nmedian round trips per host second, instructions and "
		     "simulated time per\nround trip, trace overhead and the "
		     "modelled latency of each stage of a read.");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--vmbus"))
		return bench_vmbus_args(argc - 2, argv + 2);
	if (argc > 1 && !strcmp(argv[1], "--partitions")) {
		unsigned long n = 8;

		if (argc > 3)
			return bench_usage_error(argv[3]);
		if (argc == 3 && (n = parse_count(argv[2], UINT_MAX)) == 0)
			return bench_count_error("--partitions", argv[2]);
		return bench_partitions((unsigned)n);
	}
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-')
			return bench_usage_error(argv[i]);
	if (argc < 2)
		return bench_default();
	return bench_all(argv + 1, (size_t)argc - 1, false);
}
