/*
 * traces/trace_tools.h — what `hvsim trace` does with a trace file
 * (sim/cmd_trace.c): per-channel, per-stage latency statistics
 * (traces/stats.c) and the Chrome/Perfetto JSON export (traces/chrome.c).
 * Both read the file with the checking reader (trace_read.c) and return
 * 0, or -1 with a one-line message in err.
 */
#ifndef HVSIM_TRACES_TRACE_TOOLS_H_
#define HVSIM_TRACES_TRACE_TOOLS_H_

#include <stddef.h>
#include <stdio.h>

/* The report (docs/TRACE.md "trace stats") written to out, as text or
 * as one JSON object. */
int trace_stats(const char *path, FILE *out, char *err, size_t errlen);
int trace_stats_json(const char *path, FILE *out, char *err, size_t errlen);

#include <stdint.h>

/* Which records the export keeps: from <= cycle < to. */
struct trace_window {
	uint64_t from, to; /* {0, UINT64_MAX} keeps everything */
};

/* Chrome trace JSON (object form) written to out_path; win may be NULL
 * (everything). */
int trace_export_chrome(const char *path, const char *out_path,
			const struct trace_window *win, char *err,
			size_t errlen);

#endif
