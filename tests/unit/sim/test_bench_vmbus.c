/*
 * tests/unit/sim/test_bench_vmbus.c — the latency breakdown of `hvsim
 * bench --vmbus` (bench_vmbus_breakdown, sim/cmd_bench_vmbus_trace.c) on
 * traces written here: stage deltas and their medians, reused request
 * ids, records without a txn, init-phase ids and channel 0 ignored,
 * requests that never finish, and files that are not traces. The bench
 * itself prints timings and is not run here (bench/meson.build).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/cmd_bench.h"
#include "traces/trace.h"

#define INIT_TXN 0xFFFFFFFFFFFFFFFDull

static char path[64];
static struct trace *t;

static void open_trace(void)
{
	static const char *const names[] = {"parent", "storage"};
	struct trace_info in = {
	    .freq_hz = 2500000000ull, .nr_parts = 2, .part_names = names};
	char err[256] = "";
	int fd;

	strcpy(path, "/tmp/hvsim-test-bvm-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	t = trace_open(path, &in, err, sizeof(err));
	cr_assert_not_null(t, "%s", err);
}

static void rec(uint64_t cycle, unsigned kind, uint16_t chan, uint64_t txn)
{
	struct trace_rec r = {.cycle = cycle,
			      .kind = (uint16_t)kind,
			      .part = 1,
			      .chan = chan,
			      .txn = txn};

	trace_emit(t, &r);
}

static void close_trace(void)
{
	char err[256] = "";

	cr_assert_eq(trace_close(t, err, sizeof(err)), 0, "%s", err);
	t = NULL;
}

static void teardown(void)
{
	if (t)
		trace_close(t, NULL, 0);
	if (path[0])
		unlink(path);
	path[0] = 0;
}

TestSuite(bench_vmbus, .fini = teardown);

/* One request with stages 1..9 at start + offs[k]. */
static void request(uint64_t start, uint16_t chan, uint64_t txn,
		    const uint64_t offs[9])
{
	for (unsigned k = 0; k < 9; k++)
		rec(start + offs[k], TK_VSC_WRITE_PACKET + k, chan, txn);
}

Test(bench_vmbus, medians_of_each_stage_over_requests_with_reused_ids)
{
	/* Three requests, all txn 1 (as at queue depth 1): stage k comes
	 * 10*k (+1 or +2 for the later ones) cycles after stage k-1. */
	static const uint64_t a[9] = {0, 10, 30, 60, 100, 150, 210, 280, 360};
	static const uint64_t b[9] = {0, 11, 32, 63, 104, 155, 216, 287, 368};
	static const uint64_t c[9] = {0, 12, 34, 66, 108, 160, 222, 294, 376};
	struct vmbus_breakdown bd;
	char err[256] = "";

	open_trace();
	request(1000, 5, 1, a);
	request(2000, 5, 1, b);
	request(3000, 5, 1, c);
	close_trace();
	cr_assert_eq(bench_vmbus_breakdown(path, &bd, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(bd.freq_hz, 2500000000ull);
	cr_assert_eq(bd.requests, 3);
	cr_assert_eq(bd.seen[1], 3);
	cr_assert_eq(bd.count[1], 0, "the first stage has no predecessor");
	for (unsigned k = 2; k <= 9; k++) {
		cr_assert_eq(bd.count[k], 3);
		/* The median is request b's delta. */
		cr_assert_eq(bd.p50[k], b[k - 1] - b[k - 2], "stage %u", k);
	}
	cr_assert_eq(bd.total_p50, 368);
}

Test(bench_vmbus, channel_records_init_ids_and_channel_0)
{
	struct vmbus_breakdown bd;
	char err[256] = "";

	open_trace();
	/* Init-phase requests and channel 0 do not count. */
	rec(10, TK_VSP_READ, 5, INIT_TXN);
	rec(20, TK_VSP_COMPLETE, 5, INIT_TXN);
	rec(30, TK_VSP_COMPLETE, 0, 7);
	/* A request starting at vsp_read; pickup-like records without a
	 * txn (0) belong to the one request open on the channel. */
	rec(100, TK_VSP_READ, 5, 2);
	rec(150, TK_VSP_COMPLETE, 5, 2);
	rec(170, TK_COMPLETION_SIGNAL, 5, 0);
	/* Two requests open: a txn-0 record cannot be attributed. */
	rec(200, TK_VSP_READ, 5, 3);
	rec(210, TK_VSP_READ, 5, 4);
	rec(220, TK_COMPLETION_SIGNAL, 5, 0);
	close_trace();
	cr_assert_eq(bench_vmbus_breakdown(path, &bd, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(bd.requests, 1, "only txn 2 has two stages");
	cr_assert_eq(bd.count[6], 1);
	cr_assert_eq(bd.p50[6], 50);
	cr_assert_eq(bd.count[7], 1);
	cr_assert_eq(bd.p50[7], 20);
	cr_assert_eq(bd.seen[7], 2);
	cr_assert_eq(bd.total_p50, 70);
}

Test(bench_vmbus, no_request_and_not_a_trace)
{
	struct vmbus_breakdown bd;
	char err[256] = "";
	FILE *f;

	open_trace();
	rec(5, TK_HV_EXIT, 0, 0);
	close_trace();
	cr_assert_eq(bench_vmbus_breakdown(path, &bd, err, sizeof(err)), -1);
	cr_assert(strstr(err, "no request"), "%s", err);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	fputs("not a trace", f);
	fclose(f);
	err[0] = 0;
	cr_assert_eq(bench_vmbus_breakdown(path, &bd, err, sizeof(err)), -1);
	cr_assert_neq(err[0], 0);
}
