/*
 * traces/stats_json.c — `hvsim trace stats --json FILE`: the same
 * statistics as the text report (traces/stats.c), as one JSON object for
 * scripts and CI (docs/TRACE.md "trace stats"):
 *
 *   {"file", "format_version", "freq_hz", "scenario", "partitions": [..],
 *    "records", "span_cycles",
 *    "channels": [{"channel", "partition", "started", "completed",
 *                  "requests_per_s", "orphans", "negative",
 *                  "stages": [{"name", "count", "mean",
 *                              "cycles": {"p50", "p90", "p99", "p99.9",
 *                                         "max"},
 *                              "ns": {... the same in ns}}, ...],
 *                  "total": {... end to end, same shape}}],
 *    "kinds": {"name": count, ...}}
 *
 * Built with jansson; text from the file (scenario, names) has its
 * non-ASCII bytes replaced by '?', so the output is always valid UTF-8.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "traces/stats_int.h"

static const struct {
	const char *key;
	double pct;
} ladder[] = {
    {"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99.9", 99.9}, {"max", 100}};

/* A JSON string of untrusted bytes: printable ASCII kept, the rest '?'
 * (newlines and tabs too are kept). */
static json_t *ascii(const char *s)
{
	size_t n = strlen(s);
	char *c = malloc(n + 1);
	json_t *j;

	if (!c)
		return json_null();
	for (size_t i = 0; i <= n; i++) {
		unsigned char b = (unsigned char)s[i];
		c[i] = (char)(b == 0 || b == '\n' || b == '\t' ||
				      (b >= 0x20 && b < 0x7F)
				  ? b
				  : '?');
	}
	j = json_string(c);
	free(c);
	return j ? j : json_null();
}

static json_t *row(const char *name, const struct hist *h, uint64_t freq)
{
	json_t *r = json_object(), *cyc = json_object(), *ns = json_object();

	json_object_set_new(r, "name", json_string(name));
	json_object_set_new(r, "count",
			    json_integer(h ? (json_int_t)h->total : 0));
	if (h && h->total) {
		json_object_set_new(r, "mean", json_real(hist_mean(h)));
		for (size_t i = 0; i < sizeof(ladder) / sizeof(ladder[0]);
		     i++) {
			uint64_t v = hist_percentile(h, ladder[i].pct);
			json_object_set_new(cyc, ladder[i].key,
					    json_integer((json_int_t)v));
			json_object_set_new(
			    ns, ladder[i].key,
			    json_real((double)v * 1e9 / (double)freq));
		}
	}
	json_object_set_new(r, "cycles", cyc);
	json_object_set_new(r, "ns", ns);
	return r;
}

static json_t *channel(const struct chan_stats *c, const struct stats *s,
		       const struct trace_file_info *fi)
{
	json_t *j = json_object(), *stages = json_array();
	uint64_t span = s->last - s->first;

	json_object_set_new(j, "channel", json_integer(c->chan));
	json_object_set_new(j, "partition",
			    ascii(stats_part_name(fi, c->part)));
	json_object_set_new(j, "started", json_integer((json_int_t)c->started));
	json_object_set_new(j, "completed",
			    json_integer((json_int_t)c->completed));
	json_object_set_new(j, "requests_per_s",
			    span ? json_real((double)c->completed *
					     (double)fi->freq_hz / (double)span)
				 : json_null());
	json_object_set_new(j, "orphans", json_integer((json_int_t)c->orphans));
	json_object_set_new(j, "negative",
			    json_integer((json_int_t)c->negative));
	for (unsigned st = 2; st <= TRACE_NR_STAGES; st++)
		json_array_append_new(stages, row(trace_stage_kind(st)->name,
						  c->row[st], fi->freq_hz));
	json_object_set_new(j, "stages", stages);
	json_object_set_new(j, "total",
			    row("total", c->row[ROW_TOTAL], fi->freq_hz));
	return j;
}

void stats_print_json(FILE *out, const char *path, const struct stats *s,
		      const struct trace_file_info *fi)
{
	json_t *root = json_object(), *parts = json_array(),
	       *chans = json_array(), *kinds = json_object();
	char buf[32];

	json_object_set_new(root, "file", ascii(path));
	json_object_set_new(root, "format_version", json_integer(fi->version));
	json_object_set_new(root, "freq_hz",
			    json_integer((json_int_t)fi->freq_hz));
	json_object_set_new(root, "scenario", ascii(fi->scenario));
	for (unsigned i = 0; i < fi->nr_parts; i++)
		json_array_append_new(parts, ascii(fi->part_names[i]));
	json_object_set_new(root, "partitions", parts);
	json_object_set_new(root, "records", json_integer((json_int_t)s->nrec));
	json_object_set_new(root, "span_cycles",
			    json_integer((json_int_t)(s->last - s->first)));
	for (size_t i = 0; i < s->nr_chans; i++)
		json_array_append_new(chans, channel(s->chans[i], s, fi));
	json_object_set_new(root, "channels", chans);
	for (unsigned k = 1; k < TRACE_NR_KINDS; k++)
		if (s->kinds[k])
			json_object_set_new(
			    kinds, trace_kind_name(k, buf, sizeof(buf)),
			    json_integer((json_int_t)s->kinds[k]));
	if (s->unknown)
		json_object_set_new(kinds, "(unknown)",
				    json_integer((json_int_t)s->unknown));
	json_object_set_new(root, "kinds", kinds);
	json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	fputc('\n', out);
	json_decref(root);
}
