/*
 * tests/unit/traces/test_trace_stats.c — `hvsim trace stats`
 * (traces/stats.c) on synthetic traces with known latencies: per-stage
 * and end-to-end percentiles in cycles and ns, throughput, skipped
 * stages, out-of-order records, per-kind counts, bad files.
 */
#include <jansson.h>

#include "trace_test.h"
#include "traces/trace_tools.h"

/* Stage s of request i takes 100*s + i%100 cycles after stage s-1, so
 * each value appears 10 times in 1000 requests: p50 is the 500th value
 * (offset 49), p90 the 900th (89), p99 (98), p99.9 (99), max 99. */
static size_t known_requests(struct trace_rec *out, size_t nreq)
{
	size_t n = 0;

	for (size_t i = 0; i < nreq; i++) {
		uint64_t at[TRACE_NR_STAGES] = {0};
		for (unsigned s = 2; s <= TRACE_NR_STAGES; s++)
			at[s - 1] = at[s - 2] + 100 * s + i % 100;
		n += tt_request(out + n, 1, 1000 + i, i * 10000, at);
	}
	return n;
}

/* The report for a file, as a string (caller frees). */
static char *report(const char *path)
{
	char *text = NULL, err[256] = "";
	size_t len;
	FILE *f = open_memstream(&text, &len);

	cr_assert_eq(trace_stats(path, f, err, sizeof(err)), 0, "%s", err);
	fclose(f);
	return text;
}

/* Numbers on the line for `name` after `from`: count + 5 values. */
static void row(const char *from, const char *name, double v[6])
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\n    %s ", name);
	p = strstr(from, pat);
	cr_assert_not_null(p, "no row %s", name);
	p += strlen(pat);
	cr_assert_eq(sscanf(p, "%lf %lf %lf %lf %lf %lf", &v[0], &v[1], &v[2],
			    &v[3], &v[4], &v[5]),
		     6, "row %s: %.80s", name, p);
}

/* The count on a kind's line of "events by kind", 0 if absent. */
static long kind_count(const char *text, const char *name)
{
	const char *p = strstr(text, "events by kind:");
	char pat[64];
	long n = 0;

	cr_assert_not_null(p);
	snprintf(pat, sizeof(pat), "\n    %s ", name);
	if (!(p = strstr(p, pat)))
		return 0;
	cr_assert_eq(sscanf(p + strlen(pat), "%ld", &n), 1);
	return n;
}

Test(trace_stats, per_stage_percentiles_in_cycles_and_ns)
{
	enum { NREQ = 1000 };
	struct trace_rec *r = malloc(NREQ * TRACE_NR_STAGES * sizeof(*r));
	size_t n = known_requests(r, NREQ);
	char *path = tt_tmp(), *text, *cyc, *ns;
	double v[6];

	tt_write(path, r, n, 2000000000ull); /* 2 GHz: ns = cycles / 2 */
	text = report(path);
	cyc = strstr(text, "latency (cycles)");
	ns = strstr(text, "latency (ns)");
	cr_assert(cyc && ns, "%s", text);
	for (unsigned s = 2; s <= TRACE_NR_STAGES; s++) {
		const char *name = trace_stage_kind(s)->name;
		row(cyc, name, v);
		cr_assert_eq(v[0], NREQ);
		cr_assert_eq(v[1], 100 * s + 49, "%s p50 %g", name, v[1]);
		cr_assert_eq(v[2], 100 * s + 89);
		cr_assert_eq(v[3], 100 * s + 98);
		cr_assert_eq(v[4], 100 * s + 99);
		cr_assert_eq(v[5], 100 * s + 99);
		row(ns, name, v);
		cr_assert_float_eq(v[1], (100 * s + 49) / 2.0, 1e-9);
		cr_assert_float_eq(v[5], (100 * s + 99) / 2.0, 1e-9);
	}
	/* End to end: sum of stages 2..9 = 4400 + 8 * (i % 100). Above
	 * 2048 the histogram keeps 3 significant figures (buckets of 4
	 * here): a percentile is the top of its bucket; max is exact. */
	row(cyc, "total (end to end)", v);
	cr_assert_eq(v[0], NREQ);
	cr_assert_eq(v[1], 4400 + 8 * 49 + 3);
	cr_assert_eq(v[3], 4400 + 8 * 98 + 3);
	cr_assert_eq(v[5], 4400 + 8 * 99);
	free(text);
	unlink(path);
	free(path);
	free(r);
}

Test(trace_stats, header_channel_line_and_throughput)
{
	enum { NREQ = 1000 };
	struct trace_rec *r = malloc(NREQ * TRACE_NR_STAGES * sizeof(*r));
	size_t n = known_requests(r, NREQ);
	char *path = tt_tmp(), *text, want[160];
	/* Last record: request 999's stage 9 at 9990000 + 4400 + 792. */
	double span = 9990000 + 4400 + 8 * 99;

	tt_write(path, r, n, 1000000000ull);
	text = report(path);
	cr_assert(strstr(text, "scenario: [partition child1] ..."), "%s", text);
	cr_assert(strstr(text, "partitions: 0=parent 1=child1 2=child2"));
	snprintf(want, sizeof(want), "9000 records over %.0f cycles", span);
	cr_assert(strstr(text, want), "%s\n---\n%s", want, text);
	snprintf(want, sizeof(want),
		 "channel 1 (child1): 1000 requests "
		 "started, 1000 completed, %.1f requests/s",
		 1000 * 1e9 / span);
	cr_assert(strstr(text, want), "%s\n---\n%s", want, text);
	cr_assert_eq(kind_count(text, "vsc_consume"), 1000);
	cr_assert_eq(kind_count(text, "hv_exit"), 0);
	free(text);
	unlink(path);
	free(path);
	free(r);
}

/* Two children's channel 1 with the same txns are two channels: each
 * request is followed within its own child, none mixed up. */
Test(trace_stats, same_relid_in_two_children_is_two_channels)
{
	enum { NREQ = 50 };
	struct trace_rec r[2 * NREQ * TRACE_NR_STAGES];
	uint64_t fast[TRACE_NR_STAGES], slow[TRACE_NR_STAGES];
	char *path = tt_tmp(), *text, *c1, *c2;
	double v[6];
	size_t n = 0;

	for (unsigned s = 0; s < TRACE_NR_STAGES; s++) {
		fast[s] = 10 * s;
		slow[s] = 1000 * s;
	}
	/* Interleaved in time, same relid and txn in both children. */
	for (size_t i = 0; i < NREQ; i++) {
		n += tt_request_of(r + n, 1, 1, 7 + i, i * 100000, fast);
		n += tt_request_of(r + n, 2, 1, 7 + i, i * 100000 + 5, slow);
	}
	tt_write(path, r, n, 1000000000ull);
	text = report(path);
	c1 = strstr(text, "channel 1 (child1): 50 requests started, 50 completed");
	c2 = strstr(text, "channel 1 (child2): 50 requests started, 50 completed");
	cr_assert(c1 && c2 && c1 < c2, "%s", text);
	row(c1, "total (end to end)", v);
	cr_assert_eq(v[0], NREQ);
	cr_assert_eq(v[5], 80, "child1's requests take 80 cycles: %s", text);
	row(c2, "total (end to end)", v);
	cr_assert_eq(v[5], 8000, "child2's take 8000: %s", text);
	cr_assert_null(strstr(text, "started before the trace"), "%s", text);
	free(text);
	unlink(path);
	free(path);
}

Test(trace_stats, skipped_stage_reordering_and_other_kinds)
{
	struct trace_rec r[64];
	size_t n = 0;
	uint64_t at[TRACE_NR_STAGES] = {0, 10, 20, 30, 40, 50, 60, 70, 80};
	char *path = tt_tmp(), *text, *ch;
	double v[6];

	/* Channel 5: one request without vsp_pickup (polling VSP). */
	n += tt_request(r + n, 5, 1, 1000, at);
	memmove(&r[3], &r[4], 5 * sizeof(r[0]));
	n--;
	/* Channel 6: vsp_read recorded before hv_deliver_event's cycle. */
	n += tt_request(r + n, 6, 1, 5000, at);
	r[n - 5].cycle = 5000 + 15; /* vsp_read at 15 < deliver at 20 */
	/* A step of a request that began before the trace. */
	r[n++] = (struct trace_rec){
	    .cycle = 9000, .kind = TK_VSP_COMPLETE, .part = 1, .chan = 6,
	    .txn = 77};
	for (int i = 0; i < 3; i++)
		r[n++] = (struct trace_rec){.cycle = 9100 + i,
					    .kind = TK_HV_EXIT,
					    .part = 1,
					    .arg0 = 30,
					    .arg1 = 1200};
	r[n++] = (struct trace_rec){.cycle = 9200, .kind = 500, .part = 0};
	tt_write(path, r, n, 1000000000ull);
	text = report(path);
	ch = strstr(text, "channel 5 (child1)");
	cr_assert_not_null(ch, "%s", text);
	cr_assert(strstr(ch, "\n    vsp_pickup                     0"
			     "            -\n"),
		  "%s", ch);
	row(ch, "vsp_read", v);
	cr_assert_eq(v[1], 20, "read measured from the deliver: %g", v[1]);
	ch = strstr(text, "channel 6 (child1)");
	cr_assert_not_null(ch);
	cr_assert(strstr(ch, "1 steps of requests started before the trace"));
	cr_assert(strstr(ch, "1 latencies negative"), "%s", ch);
	row(ch, "vsp_read", v);
	cr_assert_eq(v[5], 0);
	cr_assert_eq(kind_count(text, "hv_exit"), 3);
	cr_assert_eq(kind_count(text, "(unknown kinds)"), 1);
	free(text);
	unlink(path);
	free(path);
}

Test(trace_stats, bad_file_is_an_error_with_a_message)
{
	char *path = tt_tmp(), err[256] = "";
	FILE *f = fopen(path, "wb");

	fputs("not a trace at all, just some text long enough for a "
	      "header\n",
	      f);
	fclose(f);
	cr_assert_eq(trace_stats(path, stdout, err, sizeof(err)), -1);
	cr_assert(strstr(err, "not an hvsim trace"), "%s", err);
	cr_assert_eq(trace_stats("/nonexistent", stdout, err, sizeof(err)), -1);
	cr_assert(strstr(err, "No such file"), "%s", err);
	unlink(path);
	free(path);
}

Test(trace_stats, json_report_has_the_same_figures)
{
	enum { NREQ = 1000 };
	struct trace_rec *r = malloc(NREQ * TRACE_NR_STAGES * sizeof(*r));
	size_t n = known_requests(r, NREQ);
	char *path = tt_tmp(), *text = NULL, err[256] = "";
	size_t len;
	FILE *f = open_memstream(&text, &len);
	json_t *root, *ch, *st;
	json_error_t je;

	tt_write(path, r, n, 2000000000ull);
	cr_assert_eq(trace_stats_json(path, f, err, sizeof(err)), 0, "%s", err);
	fclose(f);
	root = json_loads(text, 0, &je);
	cr_assert_not_null(root, "%s: %s", je.text, text);
	cr_assert_eq(json_integer_value(json_object_get(root, "records")),
		     9000);
	ch = json_array_get(json_object_get(root, "channels"), 0);
	cr_assert_eq(json_integer_value(json_object_get(ch, "channel")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(ch, "partition")),
			 "child1");
	cr_assert_eq(json_integer_value(json_object_get(ch, "completed")),
		     NREQ);
	for (unsigned s = 2; s <= TRACE_NR_STAGES; s++) {
		json_t *cyc, *ns;
		st = json_array_get(json_object_get(ch, "stages"), s - 2);
		cr_assert_str_eq(json_string_value(json_object_get(st, "name")),
				 trace_stage_kind(s)->name);
		cyc = json_object_get(st, "cycles");
		ns = json_object_get(st, "ns");
		cr_assert_eq(json_integer_value(json_object_get(cyc, "p50")),
			     100 * s + 49);
		cr_assert_eq(json_integer_value(json_object_get(cyc, "p99.9")),
			     100 * s + 99);
		cr_assert_float_eq(json_real_value(json_object_get(ns, "max")),
				   (100 * s + 99) / 2.0, 1e-9);
	}
	st = json_object_get(ch, "total");
	cr_assert_eq(json_integer_value(
			 json_object_get(json_object_get(st, "cycles"), "max")),
		     4400 + 8 * 99);
	cr_assert_eq(json_integer_value(json_object_get(
			 json_object_get(root, "kinds"), "vsc_consume")),
		     NREQ);
	json_decref(root);
	free(text);
	unlink(path);
	free(path);
	free(r);
}
