/*
 * sim/cmd_trace.c — `hvsim trace`: the command line over traces/
 * (docs/TRACE.md).
 *
 *   hvsim trace stats [--json] FILE
 *   hvsim trace export --chrome FILE -o OUT.json [--from C] [--to C]
 *
 * Subcommands are a table {name, fn, usage}; export's options a table
 * too. Errors: one line on stderr prefixed "hvsim:", exit status 2 (usage
 * or a bad trace file), as the other commands (docs/BOOT.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli.h"
#include "sim/cmd_trace.h"
#include "sim/sim.h"
#include "traces/trace_tools.h"

#define EXPORT_USAGE                                                           \
	"usage: hvsim trace export --chrome FILE -o OUT.json "                 \
	"[--from CYCLE] [--to CYCLE]"

static int fail(const char *msg)
{
	fprintf(stderr, "hvsim: %s\n", msg);
	return SIM_EXIT_USAGE;
}

/* stats [--json] FILE */
static int trace_cmd_stats(int argc, char **argv)
{
	int json = argc == 3 && !strcmp(argv[1], "--json");
	const char *file = argv[argc - 1];
	char err[512] = "";
	int rc;

	if (argc != 2 + json || file[0] == '-')
		return fail("usage: hvsim trace stats [--json] FILE");
	rc = json ? trace_stats_json(file, stdout, err, sizeof(err))
		  : trace_stats(file, stdout, err, sizeof(err));
	return rc != 0 ? fail(err) : 0;
}

struct export_args {
	const char *in, *out;
	int chrome;
	struct trace_window win;
};

static int set_chrome(struct export_args *a, const char *v)
{
	(void)v;
	a->chrome = 1;
	return 0;
}

static int set_out(struct export_args *a, const char *v)
{
	a->out = v;
	return 0;
}

static int set_from(struct export_args *a, const char *v)
{
	return cli_parse_u64(v, &a->win.from);
}

static int set_to(struct export_args *a, const char *v)
{
	return cli_parse_u64(v, &a->win.to);
}

static const struct {
	const char *name;
	int takes_value;
	int (*set)(struct export_args *a, const char *v);
} export_opts[] = {
    {"--chrome", 0, set_chrome}, {"-o", 1, set_out},  {"--output", 1, set_out},
    {"--from", 1, set_from},	 {"--to", 1, set_to},
};

#define NR_EXPORT_OPTS (sizeof(export_opts) / sizeof(export_opts[0]))

/* One option at argv[*i] ("--opt VALUE" or "--opt=VALUE"); -1 if bad. */
static int export_opt(struct export_args *a, int argc, char **argv, int *i)
{
	for (size_t k = 0; k < NR_EXPORT_OPTS; k++) {
		size_t n = strlen(export_opts[k].name);
		const char *arg = argv[*i], *v = NULL;
		if (strncmp(arg, export_opts[k].name, n) != 0)
			continue;
		if (arg[n] == '=' && export_opts[k].takes_value)
			v = arg + n + 1;
		else if (arg[n] != '\0')
			continue;
		else if (export_opts[k].takes_value && *i + 1 < argc)
			v = argv[++*i];
		else if (export_opts[k].takes_value)
			return -1;
		return export_opts[k].set(a, v);
	}
	return -1;
}

static int trace_cmd_export(int argc, char **argv)
{
	struct export_args a = {.win = {0, UINT64_MAX}};
	char err[512] = "";

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-' && !a.in)
			a.in = argv[i];
		else if (export_opt(&a, argc, argv, &i) != 0)
			return fail(EXPORT_USAGE);
	}
	if (!a.chrome || !a.in || !a.out || a.win.from >= a.win.to)
		return fail(EXPORT_USAGE " (the only format is --chrome)");
	if (trace_export_chrome(a.in, a.out, &a.win, err, sizeof(err)) != 0)
		return fail(err);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} subcmds[] = {
    {"stats", trace_cmd_stats,
     "stats [--json] FILE\n"
     "      per channel and stage: latency percentiles (cycles, ns),\n"
     "      throughput; events by kind (--json: one JSON object)"},
    {"export", trace_cmd_export,
     "export --chrome FILE -o OUT.json [--from CYCLE] [--to CYCLE]\n"
     "      Chrome trace JSON for ui.perfetto.dev, with an arrow per\n"
     "      request; --from/--to keep only that window of cycles"},
};

#define NR_SUBCMDS (sizeof(subcmds) / sizeof(subcmds[0]))

static void usage(FILE *f)
{
	fputs("usage: hvsim trace SUBCOMMAND ...\n"
	      "Read a trace written by 'hvsim run --trace FILE' "
	      "(docs/TRACE.md).\n",
	      f);
	for (size_t i = 0; i < NR_SUBCMDS; i++)
		fprintf(f, "  hvsim trace %s\n", subcmds[i].usage);
}

int cmd_trace(int argc, char **argv)
{
	if (argc >= 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; argc >= 2 && i < NR_SUBCMDS; i++)
		if (!strcmp(argv[1], subcmds[i].name))
			return subcmds[i].fn(argc - 1, argv + 1);
	usage(stderr);
	return SIM_EXIT_USAGE;
}
