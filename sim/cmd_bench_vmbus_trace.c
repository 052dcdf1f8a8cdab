/*
 * sim/cmd_bench_vmbus_trace.c — the latency breakdown of `hvsim bench
 * --vmbus`: per-stage medians of the requests in a trace file
 * (bench_vmbus_breakdown, cmd_bench.h; stages: traces/trace.h).
 *
 * Requests are followed by (channel, txn) in a small table: the storage
 * guest has at most 64 requests in flight, and a request whose stages
 * stop (the trace ended) just stays in its slot. When the table is full
 * the oldest entry is replaced, so a hostile or odd trace costs bounded
 * memory. `hvsim trace stats` does the general version (traces/stats.c);
 * this one also handles traces without stage 1 and reused ids.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sim/cmd_bench.h"
#include "traces/hist.h"
#include "traces/trace.h"

#define OPEN_MAX   256
#define LAT_LOWEST 1
#define LAT_HIGH   (1ull << 44) /* cycles: ~2 h at 2.5 GHz */

struct open_req {
	bool used;
	uint16_t chan;
	uint64_t txn;
	unsigned last_stage;
	uint64_t first, last; /* cycles */
	unsigned stages;      /* records seen */
	uint64_t age;	      /* when the slot was taken */
};

struct follower {
	struct open_req open[OPEN_MAX];
	uint64_t clock; /* slot ages */
	struct hist stage[TRACE_NR_STAGES + 1], total;
	uint64_t seen[TRACE_NR_STAGES + 1]; /* records of each stage */
	uint64_t requests;
};

static struct open_req *find_or_take(struct follower *f, uint16_t chan,
				     uint64_t txn)
{
	struct open_req *free_slot = NULL, *oldest = &f->open[0];

	for (unsigned i = 0; i < OPEN_MAX; i++) {
		struct open_req *o = &f->open[i];

		if (o->used && o->chan == chan && o->txn == txn)
			return o;
		if (!o->used && !free_slot)
			free_slot = o;
		if (o->age < oldest->age)
			oldest = o;
	}
	return free_slot ? free_slot : oldest;
}

static void finish(struct follower *f, struct open_req *o)
{
	if (o->used && o->stages >= 2) {
		hist_record(&f->total, o->last - o->first);
		f->requests++;
	}
	o->used = false;
}

static void start(struct follower *f, struct open_req *o, uint16_t chan,
		  uint64_t txn, unsigned stage, uint64_t cycle)
{
	*o = (struct open_req){true, chan, txn, stage, cycle, cycle, 1,
			       f->clock++};
}

/* A record without a txn (a signal, a pickup: about the channel, not
 * one request) belongs to the request open on its channel if there is
 * exactly one (queue depth 1); otherwise NULL. */
static struct open_req *only_open(struct follower *f, uint16_t chan)
{
	struct open_req *found = NULL;

	for (unsigned i = 0; i < OPEN_MAX; i++)
		if (f->open[i].used && f->open[i].chan == chan) {
			if (found)
				return NULL;
			found = &f->open[i];
		}
	return found;
}

static void add_stage(struct follower *f, const struct trace_rec *r,
		      unsigned stage)
{
	struct open_req *o;

	f->seen[stage]++;
	if (r->txn == 0) {
		o = only_open(f, r->chan);
		if (!o || stage <= o->last_stage)
			return;
	} else {
		o = find_or_take(f, r->chan, r->txn);
		if (!o->used || o->chan != r->chan || o->txn != r->txn ||
		    stage <= o->last_stage) {
			/* A new request: in a free or replaced slot, or the
			 * id's next request. */
			finish(f, o);
			start(f, o, r->chan, r->txn, stage, r->cycle);
			return;
		}
	}
	hist_record(&f->stage[stage], r->cycle >= o->last ? r->cycle - o->last
							  : 0);
	o->last_stage = stage;
	o->last = r->cycle;
	o->stages++;
	if (stage == TRACE_NR_STAGES)
		finish(f, o);
}

static int follower_init(struct follower *f)
{
	memset(f, 0, sizeof(*f));
	for (unsigned i = 0; i <= TRACE_NR_STAGES; i++)
		if (hist_init(&f->stage[i], LAT_LOWEST, LAT_HIGH, 3) != 0)
			return -1;
	return hist_init(&f->total, LAT_LOWEST, LAT_HIGH, 3);
}

static void follower_free(struct follower *f)
{
	for (unsigned i = 0; i <= TRACE_NR_STAGES; i++)
		hist_free(&f->stage[i]);
	hist_free(&f->total);
}

int bench_vmbus_breakdown(const char *trace_path, struct vmbus_breakdown *out,
			  char *err, size_t errlen)
{
	static struct follower f; /* 256 slots and ten histograms */
	struct trace_reader *rd;
	struct trace_rec r;
	int got;

	memset(out, 0, sizeof(*out));
	if (!(rd = trace_reader_open(trace_path, err, errlen)))
		return -1;
	if (follower_init(&f) != 0) {
		snprintf(err, errlen, "out of memory");
		follower_free(&f);
		trace_reader_close(rd);
		return -1;
	}
	out->freq_hz = trace_reader_info(rd)->freq_hz;
	while ((got = trace_reader_next(rd, &r)) == 1) {
		const struct trace_kind_info *k = trace_kind(r.kind);

		if (k && k->stage && r.chan != 0 && r.txn < (1ull << 32))
			add_stage(&f, &r, k->stage);
	}
	if (got < 0)
		snprintf(err, errlen, "%s: %s", trace_path,
			 trace_reader_error(rd));
	for (unsigned i = 0; i < OPEN_MAX; i++)
		finish(&f, &f.open[i]);
	out->requests = f.requests;
	for (unsigned st = 1; st <= TRACE_NR_STAGES; st++) {
		out->seen[st] = f.seen[st];
		out->count[st] = f.stage[st].total;
		out->p50[st] = hist_percentile(&f.stage[st], 50);
	}
	out->total_p50 = hist_percentile(&f.total, 50);
	follower_free(&f);
	trace_reader_close(rd);
	if (got >= 0 && !out->requests)
		snprintf(err, errlen, "%s: no request with two stages",
			 trace_path);
	return got < 0 || !out->requests ? -1 : 0;
}
