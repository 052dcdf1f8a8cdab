/*
 * traces/stats_int.h — the statistics `hvsim trace stats` gathers
 * (traces/stats.c) and prints as text (stats.c) or JSON (stats_json.c).
 */
#ifndef HVSIM_TRACES_STATS_INT_H_
#define HVSIM_TRACES_STATS_INT_H_

#include <stdbool.h>
#include <stdio.h>

#include "traces/hist.h"
#include "traces/trace.h"
#include "traces/trace_int.h"

#define NR_CHANS   65536
#define LAT_HIGH   (1ull << 48) /* cycles: ~26 h at 3 GHz */
#define LAT_SIGFIG 3
#define ROW_TOTAL  0 /* row 0 of a channel: end to end; 1..9 stages */

struct chan_stats {
	uint16_t part;			       /* the VSC's partition */
	struct hist *row[TRACE_NR_STAGES + 1]; /* NULL until used */
	uint64_t started, completed, orphans, negative;
};

struct stats {
	struct chan_stats *chans[NR_CHANS];
	struct reqmap prev, start; /* (chan, txn) -> cycle */
	uint64_t kinds[TRACE_NR_KINDS], unknown;
	uint64_t nrec, first, last;
	bool oom;
};

typedef void stats_printer(FILE *out, const char *path, const struct stats *s,
			   const struct trace_file_info *fi);
stats_printer stats_print_text, stats_print_json;

/* A partition's name, "none" or "?" (index from the file). */
const char *stats_part_name(const struct trace_file_info *fi, unsigned p);

#endif
