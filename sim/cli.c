/*
 * sim/cli.c — the `hvsim` command line (DESIGN.md "Interfaces a user
 * touches"): the subcommand table {name, fn, help}, the `run` option table,
 * and the run driver (bench: sim/cmd_bench.c).
 *
 * Conventions: guest serial output goes to stdout; hvsim's own messages go
 * to stderr prefixed "hvsim:"; usage errors exit 2 (docs/BOOT.md). Options
 * take "--opt VALUE" or "--opt=VALUE". The parser keeps no state outside
 * its arguments (no getopt globals), so tests can call it repeatedly.
 * `hvsim run` with neither --kernel nor a scenario runs the demo
 * (sim/demo.c), whose guests are built into the binary (sim/builtin.h);
 * the bench guests are found next to the binary:
 * <dir of hvsim>/examples/guests/NAME.elf, where meson builds them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/builtin.h"
#include "sim/cli.h"
#include "sim/cmd_bench.h"
#include "sim/cmd_ctl.h"
#include "sim/cmd_disasm.h"
#include "sim/cmd_trace.h"
#include "sim/demo.h"
#include "sim/hvsim_version.h"
#include "sim/loader.h"
#include "sim/scenario.h"

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("hvsim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try 'hvsim help')\n", stderr);
	return SIM_EXIT_USAGE;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		uint64_t d = (uint64_t)(*s - '0');
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int cli_parse_size(const char *s, uint64_t *out)
{
	static const char suffixes[] = "KMGT";
	char num[32];
	size_t n = strspn(s ? s : "", "0123456789");
	const char *suf, *p;
	uint64_t v;
	unsigned shift = 0;

	if (!s || n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (cli_parse_u64(num, &v) != 0)
		return -1;
	p = s + n;
	if (*p && (suf = strchr(suffixes, *p & ~0x20))) {
		shift = 10u * (unsigned)(suf - suffixes + 1);
		p++;
		if (p[0] == 'i' && p[1] == 'B')
			p++;
	}
	if (*p == 'B' || (*p == 'b' && !shift))
		p++;
	if (*p || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = v << shift;
	return 0;
}

/* ---- hvsim run ---------------------------------------------------------- */

struct run_opt {
	const char *name; /* "--kernel" */
	const char *arg;  /* its argument's name, NULL for a flag */
	int (*set)(struct sim_config *cfg, const char **initrd, const char *v);
	const char *help;
};

static int set_kernel(struct sim_config *c, const char **i, const char *v)
{
	(void)i;
	c->kernel = v;
	return 0;
}

static int set_append(struct sim_config *c, const char **i, const char *v)
{
	(void)i;
	c->cmdline = v;
	return 0;
}

static int set_initrd(struct sim_config *c, const char **i, const char *v)
{
	i[c->nr_initrd++] = v;
	c->initrd = i;
	return 0;
}

static int set_mem(struct sim_config *c, const char **i, const char *v)
{
	(void)i;
	if (cli_parse_size(v, &c->mem_bytes) != 0)
		return usage_error("--mem: '%s' is not a size (e.g. 256M, 1G)",
				   v);
	return 0;
}

static int set_serial(struct sim_config *c, const char **i, const char *v)
{
	(void)i;
	c->serial_path = v;
	return 0;
}

static int set_max_cycles(struct sim_config *c, const char **i, const char *v)
{
	(void)i;
	if (cli_parse_u64(v, &c->max_cycles) != 0 || c->max_cycles == 0)
		return usage_error("--max-cycles: '%s' is not a positive "
				   "integer",
				   v);
	return 0;
}

static int set_quantum(struct sim_config *c, const char **i, const char *v)
{
	(void)i;
	if (cli_parse_u64(v, &c->quantum_cycles) != 0 || !c->quantum_cycles)
		return usage_error("--quantum: '%s' is not a positive integer",
				   v);
	return 0;
}

static int set_vcpus(struct sim_config *c, const char **i, const char *v)
{
	uint64_t n;

	(void)i;
	if (cli_parse_u64(v, &n) != 0 || n < 1 || n > SCN_MAX_VCPUS)
		return usage_error("--vcpus: '%s' is not a number from 1 to %d",
				   v, SCN_MAX_VCPUS);
	c->vcpus = (unsigned)n;
	return 0;
}

static int set_trace(struct sim_config *c, const char **i, const char *v)
{
	(void)i;
	c->trace_path = v;
	return 0;
}

static int set_disk(struct sim_config *c, const char **i, const char *v)
{
	(void)i;
	c->disk_path = v;
	return 0;
}

static int set_testdev(struct sim_config *c, const char **i, const char *v)
{
	(void)i;
	(void)v;
	c->testdev = true;
	return 0;
}

static int set_quiet(struct sim_config *c, const char **i, const char *v)
{
	(void)i;
	(void)v;
	c->quiet = true;
	return 0;
}

static int set_mgmt(struct sim_config *c, const char **i, const char *v)
{
	(void)i;
	c->mgmt_path = v;
	return 0;
}

static const struct run_opt run_opts[] = {
    {"--kernel", "FILE", set_kernel,
     "guest kernel: ELF64 (native boot) or multiboot v1 ELF32, or "
     "builtin:NAME"},
    {"--append", "STR", set_append, "kernel command line"},
    {"--initrd", "FILE", set_initrd, "a boot module (repeatable)"},
    {"--mem", "SIZE", set_mem, "guest RAM, e.g. 256M, 1G (default 256M)"},
    {"--serial", "FILE", set_serial,
     "write guest serial output to FILE instead of stdout"},
    {"--max-cycles", "N", set_max_cycles,
     "stop after N simulated cycles (exit status 125)"},
    {"--quantum", "N", set_quantum,
     "CPU cycles per scheduling quantum (default 1000000)"},
    {"--vcpus", "N", set_vcpus, "virtual processors of the guest (default 1)"},
    {"--disk", "FILE", set_disk,
     "a raw disk image for the guest's storage VSP (SCSI LUN 0)"},
    {"--testdev", NULL, set_testdev,
     "give the guest QEMU's hyperv-testdev and pc-testdev"},
    {"--trace", "FILE", set_trace,
     "record a trace of the run (hvsim trace stats|export FILE)"},
    {"--quiet", NULL, set_quiet, "no hvsim messages or summary"},
    {"--mgmt", "SOCKET", set_mgmt,
     "serve the management API there (hvsim ctl, README)"},
};

#define NR_RUN_OPTS (sizeof(run_opts) / sizeof(run_opts[0]))

static void print_run_usage(FILE *f)
{
	fputs("usage: hvsim run [SCENARIO.scn] [OPTION]...\n"
	      "Run a scenario file, or a guest kernel in a child partition "
	      "beside the\nparent. With neither, the demo: a parent, a "
	      "storage child and a computing\nchild on two physical CPUs, "
	      "with a trace (hvsim-demo.hvt, or --trace FILE).\nWith a "
	      "scenario or the demo, --max-cycles, --quantum and --quiet "
	      "override it.\n",
	      f);
	for (size_t i = 0; i < NR_RUN_OPTS; i++) {
		char left[32];
		snprintf(left, sizeof(left), "%s%s%s", run_opts[i].name,
			 run_opts[i].arg ? " " : "",
			 run_opts[i].arg ? run_opts[i].arg : "");
		fprintf(f, "  %-20s %s\n", left, run_opts[i].help);
	}
	fprintf(f, "  %-20s %s\n", "--list-builtin",
		"list the guests built into hvsim (--kernel builtin:NAME)");
}

static const struct run_opt *find_run_opt(const char *arg, size_t *namelen)
{
	for (size_t i = 0; i < NR_RUN_OPTS; i++) {
		size_t n = strlen(run_opts[i].name);
		if (strncmp(arg, run_opts[i].name, n) == 0 &&
		    (arg[n] == '\0' || (arg[n] == '=' && run_opts[i].arg))) {
			*namelen = n;
			return &run_opts[i];
		}
	}
	return NULL;
}

int cli_parse_run(int argc, char **argv, struct sim_config *cfg,
		  const char **initrd)
{
	sim_config_defaults(cfg);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct run_opt *o;
		size_t n;
		int rc;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			print_run_usage(stdout);
			return 1;
		}
		if (!strcmp(a, "--list-builtin")) {
			builtin_list(stdout);
			return 1;
		}
		if (a[0] != '-' && !cfg->scenario) {
			cfg->scenario = a; /* hvsim run FILE.scn */
			continue;
		}
		if (!(o = find_run_opt(a, &n)))
			return usage_error("run: unknown option '%s'", a);
		if (o->arg && a[n] == '=')
			val = a + n + 1;
		else if (o->arg && ++i < argc)
			val = argv[i];
		else if (o->arg)
			return usage_error("run: %s needs an argument (%s)",
					   o->name, o->arg);
		if ((rc = o->set(cfg, initrd, val)) != 0)
			return rc;
	}
	if (cfg->nr_initrd > LOADER_MAX_MODULES)
		return usage_error("--initrd: %d modules; at most %d are "
				   "supported",
				   cfg->nr_initrd, LOADER_MAX_MODULES);
	if (cfg->scenario && (cfg->kernel || cfg->cmdline || cfg->nr_initrd ||
			      cfg->serial_path))
		return usage_error("run: a scenario file describes its "
				   "kernels; --kernel, --append, --initrd and "
				   "--serial go in it");
	if (!cfg->scenario && !cfg->kernel &&
	    (cfg->cmdline || cfg->nr_initrd || cfg->serial_path ||
	     cfg->disk_path || cfg->testdev || cfg->vcpus))
		return usage_error("run: without --kernel, hvsim runs the demo, "
				   "which takes only --trace, --max-cycles, "
				   "--quantum, --quiet and --mgmt");
	return 0;
}

int cli_path_near_binary(const char *rel, char *buf, size_t len)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	int w;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	w = snprintf(buf, len, "%s/%s", slash ? exe : ".", rel);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

/* Build and run a machine; print the summary unless quiet. */
static int run_machine(const struct sim_config *cfg,
		       const struct scenario *sc)
{
	struct sim *s;
	int rc;

	s = sc ? sim_create_scenario(sc, cfg, &rc) : sim_create(cfg, &rc);
	if (!s)
		return rc;
	rc = sim_run(s);
	if (!cfg->quiet)
		sim_print_summary(s, stderr);
	sim_destroy(s);
	return rc;
}

/* hvsim run FILE.scn: the file's machine, with the command line's
 * --max-cycles, --quantum and --quiet on top. */
static int run_scenario(const struct sim_config *cfg)
{
	struct scenario *sc = malloc(sizeof(*sc));
	char err[1024];
	int rc;

	if (!sc)
		return SIM_EXIT_INTERNAL;
	if (scenario_load(cfg->scenario, sc, err, sizeof(err)) != 0) {
		fprintf(stderr, "hvsim: %s\n", err);
		free(sc);
		return SIM_EXIT_USAGE;
	}
	if (cfg->max_cycles)
		sc->max_cycles = cfg->max_cycles;
	if (cfg->quantum_cycles != SIM_DEFAULT_QUANTUM)
		sc->quantum_cycles = cfg->quantum_cycles;
	rc = run_machine(cfg, sc);
	free(sc);
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	const char **initrd = calloc((size_t)argc + 1, sizeof(*initrd));
	struct sim_config cfg;
	int rc;

	if (!initrd)
		return SIM_EXIT_INTERNAL;
	rc = cli_parse_run(argc, argv, &cfg, initrd);
	if (rc != 0) {
		free(initrd);
		return rc == 1 ? 0 : rc;
	}
	if (cfg.scenario)
		rc = run_scenario(&cfg);
	else if (cfg.kernel)
		rc = run_machine(&cfg, NULL);
	else
		rc = demo_run(&cfg);
	free(initrd);
	return rc;
}

/* ---- help and the table ------------------------------------------------ */

static int cmd_help(int argc, char **argv);

static const struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cli_cmds[] = {
    {"run", cmd_run, "run a scenario or a guest kernel (default: the demo)"},
    {"disasm", cmd_disasm,
     "disassemble FILE with Capstone and our decoder side by side"},
    {"bench", cmd_bench, "measure interpreter speed on CPU-bound guests"},
    {"ctl", cmd_ctl, "send one command to a running hvsim (mgmt socket)"},
    {"trace", cmd_trace, "trace stats FILE | trace export --chrome FILE -o OUT"},
    {"help", cmd_help, "this text; 'hvsim CMD --help' for a command"},
};

#define NR_CMDS (sizeof(cli_cmds) / sizeof(cli_cmds[0]))

static void print_usage(FILE *f)
{
	fputs("usage: hvsim COMMAND [ARG]...\n"
	      "       hvsim --version\n"
	      "A cycle-approximate simulator of the Hyper-V architecture.\n\n"
	      "commands:\n",
	      f);
	for (size_t i = 0; i < NR_CMDS; i++)
		fprintf(f, "  %-8s %s\n", cli_cmds[i].name, cli_cmds[i].help);
	fputs("\n", f);
	print_run_usage(f);
	fputs("\nguests built into hvsim (run --kernel builtin:NAME, or "
	      "kernel = builtin:NAME\nin a scenario):\n",
	      f);
	builtin_list(f);
	fputs("\nExit status of run: docs/BOOT.md (guest debug-exit v gives "
	      "(v<<1)|1; 0 halted;\n2 usage/bad input; 4 triple fault; 125 "
	      "--max-cycles reached). The demo exits 0 when\nboth children "
	      "ended well.\n",
	      f);
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	print_usage(stdout);
	return 0;
}

int cli_main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return SIM_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("hvsim %s\n", HVSIM_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc - 1, argv + 1);
	for (size_t i = 0; i < NR_CMDS; i++)
		if (!strcmp(argv[1], cli_cmds[i].name))
			return cli_cmds[i].fn(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", argv[1]);
}
