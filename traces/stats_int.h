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

#define LAT_HIGH   (1ull << 48) /* cycles: ~26 h at 3 GHz */
#define LAT_SIGFIG 3
#define ROW_TOTAL  0 /* row 0 of a channel: end to end; 1..9 stages */

/* One channel of one partition: (part, chan) of the records. */
struct chan_stats {
	uint16_t part;			       /* the VSC's partition */
	uint16_t chan;			       /* its relid */
	struct hist *row[TRACE_NR_STAGES + 1]; /* NULL until used */
	uint64_t started, completed, orphans, negative;
};

struct stats {
	/* Channels in order of first appearance; stats_sort_chans orders
	 * them by (part, chan) for printing. */
	struct chan_stats **chans;
	size_t nr_chans, cap_chans;
	struct reqmap chan_ids;	   /* (part, chan) -> index in chans */
	struct reqmap prev, start; /* (part << 16 | chan, txn) -> cycle */
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
