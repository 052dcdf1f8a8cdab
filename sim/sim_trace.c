/*
 * sim/sim_trace.c — `hvsim run --trace FILE`: opens the trace recorder
 * (traces/trace.h) for a machine, with the header docs/TRACE.md asks for:
 * the scenario's text (the file's contents, the text of a scenario held
 * in memory, or the equivalent of the command line for `--kernel`), the core clock and the partition names in
 * the hypervisor's order (a record's `part` is that index).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "sim/sim_trace.h"

/* The scenario file's text, bounded; or a one-line description. */
static char *scenario_text(const struct scenario *sc)
{
	char *buf = malloc(TRACE_MAX_SCENARIO);
	FILE *f;
	size_t n = 0;

	if (!buf)
		return NULL;
	buf[0] = '\0';
	if (sc->text) { /* not from a file: the built-in demo */
		snprintf(buf, TRACE_MAX_SCENARIO, "%s", sc->text);
		return buf;
	}
	if ((f = fopen(sc->source, "r"))) {
		n = fread(buf, 1, TRACE_MAX_SCENARIO - 1, f);
		fclose(f);
		buf[n] = '\0';
		return buf;
	}
	for (unsigned i = 0; i < sc->nr_partitions && n < TRACE_MAX_SCENARIO;
	     i++) {
		const struct scn_partition *p = &sc->part[i];
		int w = snprintf(buf + n, TRACE_MAX_SCENARIO - n,
				 "[partition \"%s\"] role=%s vcpus=%u "
				 "memory=%llu kernel=%s cmdline=%s\n",
				 p->name, p->parent ? "parent" : "child",
				 p->vcpus, (unsigned long long)p->mem_bytes,
				 p->kernel, p->cmdline);
		if (w < 0)
			break;
		n += (size_t)w;
	}
	return buf;
}

struct trace *sim_trace_open(const struct scenario *sc, const char *path,
			     char *err, size_t errlen)
{
	const char *names[SCN_MAX_PARTITIONS];
	char *text = scenario_text(sc);
	struct trace_info info = {
	    .scenario = text,
	    .freq_hz = sc->freq_hz,
	    .nr_parts = sc->nr_partitions,
	    .part_names = names,
	};
	struct trace *t;

	for (unsigned i = 0; i < sc->nr_partitions; i++)
		names[i] = sc->part[i].name;
	t = trace_open(path, &info, err, errlen);
	free(text);
	return t;
}
