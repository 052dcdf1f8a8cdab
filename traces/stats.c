/*
 * traces/stats.c — `hvsim trace stats FILE` (docs/TRACE.md): for every
 * VMBus channel, how long each stage of a request took since the previous
 * stage of the same request (same partition, channel and txn), as count and
 * p50/p90/p99/p99.9/max in cycles and in ns (the header's frequency),
 * the end-to-end time from the VSC's write to its consuming the
 * completion, and throughput (completed requests per simulated second
 * over the span of the trace); then how many events of each kind.
 *
 * A stage may be skipped (a VSP that polls has no pickup): its successor
 * is measured from the last stage seen. Records are in emission order,
 * which with several pCPUs can differ from cycle order by up to a
 * quantum (docs/ARCHITECTURE.md); a negative latency counts as 0 and is
 * reported. Called by sim/cmd_trace.c and the tests.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "traces/stats_int.h"
#include "traces/trace_int.h"
#include "traces/trace_tools.h"

/* The request map's first key: channels of different partitions apart. */
static uint64_t chan_key(const struct trace_rec *r)
{
	return (uint64_t)r->part << 16 | r->chan;
}

static struct chan_stats *chan_of(struct stats *s, const struct trace_rec *r)
{
	uint64_t *id = reqmap_get(&s->chan_ids, r->part, r->chan);
	struct chan_stats *c;

	if (id)
		return s->chans[*id];
	if (s->nr_chans == s->cap_chans) {
		size_t cap = s->cap_chans ? 2 * s->cap_chans : 16;
		struct chan_stats **n = realloc(s->chans, cap * sizeof(*n));
		if (!n) {
			s->oom = true;
			return NULL;
		}
		s->chans = n;
		s->cap_chans = cap;
	}
	if (!(c = calloc(1, sizeof(*c))) ||
	    reqmap_put(&s->chan_ids, r->part, r->chan, s->nr_chans) != 0) {
		free(c);
		s->oom = true;
		return NULL;
	}
	c->part = r->part;
	c->chan = r->chan;
	s->chans[s->nr_chans++] = c;
	return c;
}

static void record_latency(struct stats *s, struct chan_stats *c, unsigned row,
			   uint64_t from, uint64_t to)
{
	if (!c->row[row]) {
		c->row[row] = malloc(sizeof(struct hist));
		if (!c->row[row] ||
		    hist_init(c->row[row], 1, LAT_HIGH, LAT_SIGFIG) != 0) {
			free(c->row[row]);
			c->row[row] = NULL;
			s->oom = true;
			return;
		}
	}
	if (to < from)
		c->negative++;
	hist_record(c->row[row], to < from ? 0 : to - from);
}

/* One step of a request. */
static void add_stage(struct stats *s, const struct trace_rec *r,
		      unsigned stage)
{
	struct chan_stats *c = chan_of(s, r);
	uint64_t key = chan_key(r), *prev, *start;

	if (!c)
		return;
	if (stage == 1) {
		c->started++;
		if (reqmap_put(&s->prev, key, r->txn, r->cycle) ||
		    reqmap_put(&s->start, key, r->txn, r->cycle))
			s->oom = true;
		return;
	}
	prev = reqmap_get(&s->prev, key, r->txn);
	if (!prev) {
		c->orphans++; /* its start is before the trace began */
		return;
	}
	record_latency(s, c, stage, *prev, r->cycle);
	*prev = r->cycle;
	if (stage == TRACE_NR_STAGES) {
		start = reqmap_get(&s->start, key, r->txn);
		if (start)
			record_latency(s, c, ROW_TOTAL, *start, r->cycle);
		c->completed++;
		reqmap_del(&s->prev, key, r->txn);
		reqmap_del(&s->start, key, r->txn);
	}
}

static void add(struct stats *s, const struct trace_rec *r)
{
	const struct trace_kind_info *k = trace_kind(r->kind);

	if (!s->nrec || r->cycle < s->first)
		s->first = r->cycle;
	if (r->cycle > s->last)
		s->last = r->cycle;
	s->nrec++;
	if (!k) {
		s->unknown++;
		return;
	}
	s->kinds[k->id]++;
	if (k->stage)
		add_stage(s, r, k->stage);
}

/* ---- the report --------------------------------------------------------- */

static const double ladder[] = {50, 90, 99, 99.9};
#define NR_LADDER (sizeof(ladder) / sizeof(ladder[0]))

static void print_value(FILE *out, uint64_t cycles, uint64_t freq, bool ns)
{
	if (ns)
		fprintf(out, " %12.1f", (double)cycles * 1e9 / (double)freq);
	else
		fprintf(out, " %12llu", (unsigned long long)cycles);
}

static void print_row(FILE *out, const char *name, const struct hist *h,
		      uint64_t freq, bool ns)
{
	fprintf(out, "    %-22s %9llu", name,
		(unsigned long long)(h ? h->total : 0));
	if (!h || !h->total) {
		fputs("            -\n", out);
		return;
	}
	for (size_t i = 0; i < NR_LADDER; i++)
		print_value(out, hist_percentile(h, ladder[i]), freq, ns);
	print_value(out, h->max, freq, ns);
	fputc('\n', out);
}

static void print_table(FILE *out, const struct chan_stats *c, uint64_t freq,
			bool ns)
{
	fprintf(out, "    %-22s %9s %12s %12s %12s %12s %12s  [%s]\n",
		ns ? "latency (ns)" : "latency (cycles)", "count", "p50", "p90",
		"p99", "p99.9", "max", ns ? "ns" : "cycles");
	for (unsigned st = 2; st <= TRACE_NR_STAGES; st++)
		print_row(out, trace_stage_kind(st)->name, c->row[st], freq,
			  ns);
	print_row(out, "total (end to end)", c->row[ROW_TOTAL], freq, ns);
}

const char *stats_part_name(const struct trace_file_info *fi, unsigned p)
{
	if (p == TRACE_PART_NONE)
		return "none";
	return p < fi->nr_parts ? fi->part_names[p] : "?";
}

static void print_channel(FILE *out, const struct stats *s,
			  const struct chan_stats *c,
			  const struct trace_file_info *fi)
{
	uint64_t span = s->last - s->first;

	fprintf(out,
		"\nchannel %u (%s): %llu requests started, %llu "
		"completed",
		c->chan, stats_part_name(fi, c->part),
		(unsigned long long)c->started,
		(unsigned long long)c->completed);
	if (span)
		fprintf(out, ", %.1f requests/s",
			(double)c->completed * (double)fi->freq_hz /
			    (double)span);
	fputc('\n', out);
	if (c->orphans)
		fprintf(out,
			"    %llu steps of requests started before the "
			"trace\n",
			(unsigned long long)c->orphans);
	if (c->negative)
		fprintf(out,
			"    %llu latencies negative (recorded out of "
			"cycle order across pCPUs), counted as 0\n",
			(unsigned long long)c->negative);
	print_table(out, c, fi->freq_hz, false);
	print_table(out, c, fi->freq_hz, true);
}

void stats_print_text(FILE *out, const char *path, const struct stats *s,
		      const struct trace_file_info *fi)
{
	const char *nl = strchr(fi->scenario, '\n');
	int first_line =
	    nl ? (int)(nl - fi->scenario) : (int)strlen(fi->scenario);
	uint64_t span = s->last - s->first;
	char buf[32];

	fprintf(out, "trace %s (format %u)\n", path, fi->version);
	fprintf(out, "scenario: %.*s%s\n", first_line,
		first_line ? fi->scenario : "(none)",
		nl && nl[1] ? " ..." : "");
	fprintf(out, "partitions:");
	for (unsigned i = 0; i < fi->nr_parts; i++)
		fprintf(out, " %u=%s", i, fi->part_names[i]);
	fprintf(out, "\n%llu records over %llu cycles (%.3f ms at %llu Hz)\n",
		(unsigned long long)s->nrec, (unsigned long long)span,
		(double)span * 1e3 / (double)fi->freq_hz,
		(unsigned long long)fi->freq_hz);
	for (size_t i = 0; i < s->nr_chans; i++)
		print_channel(out, s, s->chans[i], fi);
	fputs("\nevents by kind:\n", out);
	for (unsigned k = 1; k < TRACE_NR_KINDS; k++)
		if (s->kinds[k])
			fprintf(out, "    %-30s %12llu\n",
				trace_kind_name(k, buf, sizeof(buf)),
				(unsigned long long)s->kinds[k]);
	if (s->unknown)
		fprintf(out, "    %-30s %12llu\n", "(unknown kinds)",
			(unsigned long long)s->unknown);
}

static void stats_free(struct stats *s)
{
	for (size_t i = 0; i < s->nr_chans; i++) {
		for (unsigned r = 0; r <= TRACE_NR_STAGES; r++) {
			if (s->chans[i]->row[r])
				hist_free(s->chans[i]->row[r]);
			free(s->chans[i]->row[r]);
		}
		free(s->chans[i]);
	}
	free(s->chans);
	reqmap_free(&s->chan_ids);
	reqmap_free(&s->prev);
	reqmap_free(&s->start);
	free(s);
}

static int by_part_chan(const void *a, const void *b)
{
	const struct chan_stats *x = *(struct chan_stats *const *)a;
	const struct chan_stats *y = *(struct chan_stats *const *)b;

	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	return x->chan < y->chan ? -1 : x->chan > y->chan;
}

/* Read the whole file into statistics, then print them with `print`. */
static int run_stats(const char *path, FILE *out, stats_printer *print,
		     char *err, size_t errlen)
{
	struct trace_reader *r = trace_reader_open(path, err, errlen);
	struct stats *s;
	struct trace_rec x;
	int rc;

	if (!r)
		return -1;
	if (!(s = calloc(1, sizeof(*s)))) {
		trace_reader_close(r);
		trace_errf(err, errlen, "trace: out of memory");
		return -1;
	}
	reqmap_init(&s->chan_ids);
	reqmap_init(&s->prev);
	reqmap_init(&s->start);
	while ((rc = trace_reader_next(r, &x)) == 1 && !s->oom)
		add(s, &x);
	if (rc < 0)
		trace_errf(err, errlen, "%s", trace_reader_error(r));
	else if (s->oom)
		trace_errf(err, errlen, "trace: out of memory");
	else {
		qsort(s->chans, s->nr_chans, sizeof(*s->chans), by_part_chan);
		print(out, path, s, trace_reader_info(r));
	}
	rc = rc < 0 || s->oom ? -1 : 0;
	stats_free(s);
	trace_reader_close(r);
	return rc;
}

int trace_stats(const char *path, FILE *out, char *err, size_t errlen)
{
	return run_stats(path, out, stats_print_text, err, errlen);
}

int trace_stats_json(const char *path, FILE *out, char *err, size_t errlen)
{
	return run_stats(path, out, stats_print_json, err, errlen);
}
