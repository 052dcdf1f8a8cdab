/*
 * sim/cmd_trace.c — `hvsim trace`: the command line over traces/
 * (docs/TRACE.md).
 *
 *   hvsim trace stats FILE                         latency report
 *   hvsim trace export --chrome FILE -o OUT.json   Chrome/Perfetto JSON
 *
 * Subcommands are a table {name, fn, usage}. Errors: one line on stderr
 * prefixed "hvsim:", exit status 2 (usage or a bad trace file).
 */
#include <stdio.h>
#include <string.h>

#include "sim/cmd_trace.h"
#include "traces/trace_tools.h"

#define EXIT_BAD 2

static int fail(const char *msg)
{
	fprintf(stderr, "hvsim: %s\n", msg);
	return EXIT_BAD;
}

static int trace_cmd_stats(int argc, char **argv)
{
	char err[512] = "";

	if (argc != 2 || argv[1][0] == '-')
		return fail("usage: hvsim trace stats FILE");
	if (trace_stats(argv[1], stdout, err, sizeof(err)) != 0)
		return fail(err);
	return 0;
}

/* export --chrome FILE -o OUT (options in any order, "-o=OUT" too). */
static int trace_cmd_export(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	char err[512] = "";
	int chrome = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--chrome"))
			chrome = 1;
		else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) &&
			 i + 1 < argc)
			out = argv[++i];
		else if (!strncmp(a, "-o=", 3))
			out = a + 3;
		else if (!strncmp(a, "--output=", 9))
			out = a + 9;
		else if (a[0] != '-' && !in)
			in = a;
		else
			return fail("usage: hvsim trace export --chrome FILE "
				    "-o OUT.json");
	}
	if (!chrome || !in || !out)
		return fail("usage: hvsim trace export --chrome FILE -o "
			    "OUT.json (the only format is --chrome)");
	if (trace_export_chrome(in, out, err, sizeof(err)) != 0)
		return fail(err);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} subcmds[] = {
    {"stats", trace_cmd_stats,
     "stats FILE                        per-channel, per-stage latency "
     "percentiles,\n"
     "                                    throughput, events by kind"},
    {"export", trace_cmd_export,
     "export --chrome FILE -o OUT.json  Chrome trace JSON for "
     "ui.perfetto.dev"},
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
	if (argc >= 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; argc >= 2 && i < NR_SUBCMDS; i++)
		if (!strcmp(argv[1], subcmds[i].name))
			return subcmds[i].fn(argc - 1, argv + 1);
	usage(stderr);
	return EXIT_BAD;
}
