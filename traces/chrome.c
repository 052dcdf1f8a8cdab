/*
 * traces/chrome.c — `hvsim trace export --chrome FILE -o OUT.json`: the
 * trace as Chrome trace-event JSON, object form, which ui.perfetto.dev
 * and chrome://tracing open (reference/ecosystem.md §3.1, §3.7;
 * docs/TRACE.md "Chrome export").
 *
 * Processes: pid 1 the hypervisor, pid 2 + i partition i (2 = parent).
 * Threads (named by "M" events the first time a lane is used): tid = vCPU
 * on a partition's VP lanes, 1000 + channel for a VSC lane, 100000 +
 * channel for a VSP lane, tid = pCPU on the hypervisor's lanes. Request
 * steps are zero-length "X" slices chained by v2 flow arrows: one
 * bind_id per request (a sequence number given at its first step),
 * flow_out on the first, flow_in on the last, both in between. Exits,
 * hypercalls and scheduling slices are "X" slices lasting arg1 cycles;
 * every other event is a thread-scoped instant "i". A kind whose arg1 is
 * a level (the ring occupancy at vsc_write_packet) also gets a "C"
 * counter per channel. ts and dur are µs
 * with 3 decimals (exact ns, integer arithmetic). A window (--from/--to)
 * keeps a long run's export small enough for a browser; a request cut by
 * it keeps the arrows between its steps inside. Called by
 * sim/cmd_trace.c and the tests.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "traces/trace.h"
#include "traces/trace_int.h"
#include "traces/trace_tools.h"

#define PID_HV	     1
#define PID_PART0    2
#define TID_VSC	     1000
#define TID_VSP	     100000
#define JSON_MAX_INT (1ull << 53) /* larger values go out as hex strings */

struct chrome {
	FILE *out;
	const struct trace_file_info *fi;
	struct reqmap lanes; /* (pid, tid) seen */
	struct reqmap flows; /* (chan, txn) -> bind_id */
	uint64_t next_flow;
	bool first, oom;
};

/* A JSON string; anything outside printable ASCII is \u00XX, so the file
 * is valid whatever bytes the trace's names hold. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p >= 0x7F)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void json_u64(FILE *f, uint64_t v)
{
	if (v <= JSON_MAX_INT)
		fprintf(f, "%llu", (unsigned long long)v);
	else
		fprintf(f, "\"0x%llx\"", (unsigned long long)v);
}

/* cycles -> µs with 3 decimals, exact to the ns. */
static void json_us(FILE *f, uint64_t cycles, uint64_t freq)
{
	unsigned __int128 ns = (unsigned __int128)cycles * 1000000000u / freq;

	fprintf(f, "%llu.%03u", (unsigned long long)(ns / 1000),
		(unsigned)(ns % 1000));
}

static void sep(struct chrome *c)
{
	fputs(c->first ? "\n" : ",\n", c->out);
	c->first = false;
}

static void meta(struct chrome *c, const char *what, unsigned pid, unsigned tid,
		 const char *name)
{
	sep(c);
	fprintf(c->out,
		"{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%u,\"tid\":%u,"
		"\"args\":{\"name\":",
		what, pid, tid);
	json_str(c->out, name);
	fputs("}}", c->out);
}

static void name_processes(struct chrome *c)
{
	meta(c, "process_name", PID_HV, 0, "hypervisor");
	for (unsigned i = 0; i < c->fi->nr_parts; i++)
		meta(c, "process_name", PID_PART0 + i, 0, c->fi->part_names[i]);
}

/* Where record r is drawn; names the thread the first time. */
static void lane(struct chrome *c, const struct trace_rec *r,
		 const struct trace_kind_info *k, unsigned *pid, unsigned *tid)
{
	char name[32];
	unsigned l = k ? k->lane : TL_HV;

	*pid = r->part == TRACE_PART_NONE ? PID_HV : PID_PART0 + r->part;
	if (l == TL_VSC) {
		*tid = TID_VSC + r->chan;
		snprintf(name, sizeof(name), "vsc ch%u", r->chan);
	} else if (l == TL_VSP && r->part != TRACE_PART_NONE) {
		/* A VSP step carries the child that owns the request; the
		 * VSP itself runs in the parent (partition 0). */
		*pid = PID_PART0;
		*tid = TID_VSP + ((unsigned)r->part << 16) + r->chan;
		snprintf(name, sizeof(name), "vsp %.12s ch%u",
			 r->part < c->fi->nr_parts
			     ? c->fi->part_names[r->part]
			     : "?",
			 r->chan);
	} else if (l == TL_VSP) {
		*tid = TID_VSP + r->chan;
		snprintf(name, sizeof(name), "vsp ch%u", r->chan);
	} else if (l == TL_HV) {
		*pid = PID_HV;
		*tid = r->vp;
		snprintf(name, sizeof(name), "pCPU%u", r->vp);
	} else {
		*tid = r->vp;
		snprintf(name, sizeof(name), "VP%u", r->vp);
	}
	if (reqmap_get(&c->lanes, *pid, *tid))
		return;
	if (reqmap_put(&c->lanes, *pid, *tid, 1) != 0)
		c->oom = true;
	meta(c, "thread_name", *pid, *tid, name);
}

/* The bind_id of a request step and which ends of the arrow it has;
 * 0 when it has none (a step of a request begun before the trace). */
static uint64_t flow(struct chrome *c, const struct trace_rec *r,
		     unsigned stage, bool *in, bool *out)
{
	uint64_t key = (uint64_t)r->part << 16 | r->chan; /* part's relid */
	uint64_t *id = reqmap_get(&c->flows, key, r->txn), bind;

	if (stage == 1) {
		bind = ++c->next_flow;
		if (reqmap_put(&c->flows, key, r->txn, bind) != 0)
			c->oom = true;
		*in = false;
		*out = true;
		return bind;
	}
	if (!id)
		return 0;
	bind = *id;
	*in = true;
	*out = stage < TRACE_NR_STAGES;
	if (!*out)
		reqmap_del(&c->flows, key, r->txn);
	return bind;
}

static void args(struct chrome *c, const struct trace_rec *r,
		 const struct trace_kind_info *k)
{
	FILE *f = c->out;

	fprintf(f, ",\"args\":{\"cycle\":");
	json_u64(f, r->cycle);
	if (r->chan || (k && k->stage))
		fprintf(f, ",\"chan\":%u", r->chan);
	if (r->txn || (k && k->stage)) {
		fputs(",\"txn\":", f);
		json_u64(f, r->txn);
	}
	if (r->part != TRACE_PART_NONE)
		fprintf(f, ",\"partition\":%u", r->part);
	fprintf(f, ",\"vp\":%u", r->vp);
	/* A known kind shows the arguments it names; an unknown one both. */
	if (!k || k->arg0) {
		fprintf(f, ",\"%s\":", k ? k->arg0 : "arg0");
		json_u64(f, r->arg0);
	}
	if (!k || k->arg1) {
		fprintf(f, ",\"%s\":", k ? k->arg1 : "arg1");
		json_u64(f, r->arg1);
	}
	fputc('}', f);
}

/* A "C" counter: the process-level track "<arg1> ch<chan>" (ring
 * occupancy per channel), so Perfetto plots it under the process. */
static void counter(struct chrome *c, const struct trace_rec *r,
		    const struct trace_kind_info *k, unsigned pid, unsigned tid)
{
	sep(c);
	fprintf(c->out,
		"{\"name\":\"%s ch%u\",\"ph\":\"C\",\"pid\":%u,"
		"\"tid\":%u,\"ts\":",
		k->arg1, r->chan, pid, tid);
	json_us(c->out, r->cycle, c->fi->freq_hz);
	fprintf(c->out, ",\"args\":{\"%s\":", k->arg1);
	json_u64(c->out, r->arg1);
	fputs("}}", c->out);
}

static void event(struct chrome *c, const struct trace_rec *r)
{
	const struct trace_kind_info *k = trace_kind(r->kind);
	uint64_t freq = c->fi->freq_hz, bind = 0;
	bool in = false, out = false;
	unsigned pid, tid;
	char buf[32];

	lane(c, r, k, &pid, &tid);
	if (k && k->stage)
		bind = flow(c, r, k->stage, &in, &out);
	sep(c);
	fprintf(c->out,
		"{\"name\":\"%s\",\"cat\":\"%s\",\"pid\":%u,"
		"\"tid\":%u,\"ts\":",
		trace_kind_name(r->kind, buf, sizeof(buf)),
		k ? k->cat : "unknown", pid, tid);
	json_us(c->out, r->cycle, freq);
	if (k && (k->stage || k->arg1_use == TA_DUR)) {
		fputs(",\"ph\":\"X\",\"dur\":", c->out);
		json_us(c->out, k->arg1_use == TA_DUR ? r->arg1 : 0, freq);
	} else {
		fputs(",\"ph\":\"i\",\"s\":\"t\"", c->out);
	}
	if (bind)
		fprintf(c->out, ",\"bind_id\":%llu%s%s",
			(unsigned long long)bind, in ? ",\"flow_in\":true" : "",
			out ? ",\"flow_out\":true" : "");
	args(c, r, k);
	fputc('}', c->out);
	if (k && k->arg1_use == TA_COUNTER)
		counter(c, r, k, pid, tid);
}

static void header(struct chrome *c)
{
	fprintf(c->out,
		"{\"displayTimeUnit\":\"ns\",\"otherData\":{"
		"\"generator\":\"hvsim trace export\",\"format_version\":%u,"
		"\"freq_hz\":",
		c->fi->version);
	json_u64(c->out, c->fi->freq_hz);
	fputs(",\"scenario\":", c->out);
	json_str(c->out, c->fi->scenario);
	fputs("},\"traceEvents\":[", c->out);
	name_processes(c);
}

int trace_export_chrome(const char *path, const char *out_path,
			const struct trace_window *win, char *err,
			size_t errlen)
{
	struct trace_window all = {0, UINT64_MAX};
	struct trace_reader *r = trace_reader_open(path, err, errlen);
	struct chrome c = {.first = true};
	struct trace_rec x;
	int rc;

	if (!r)
		return -1;
	if (!(c.out = fopen(out_path, "w"))) {
		trace_errf(err, errlen, "%s: %s", out_path, strerror(errno));
		trace_reader_close(r);
		return -1;
	}
	c.fi = trace_reader_info(r);
	reqmap_init(&c.lanes);
	reqmap_init(&c.flows);
	header(&c);
	if (!win)
		win = &all;
	while (!c.oom && (rc = trace_reader_next(r, &x)) == 1)
		if (x.cycle >= win->from && x.cycle < win->to)
			event(&c, &x);
	fputs("\n]}\n", c.out);
	errno = 0;
	if (rc < 0)
		trace_errf(err, errlen, "%s", trace_reader_error(r));
	else if (c.oom)
		trace_errf(err, errlen, "trace: out of memory");
	else if (ferror(c.out) || fflush(c.out) != 0)
		trace_errf(err, errlen, "%s: %s", out_path,
			   strerror(errno ? errno : EIO));
	rc = rc < 0 || c.oom || ferror(c.out) ? -1 : 0;
	if (fclose(c.out) != 0 && rc == 0) {
		trace_errf(err, errlen, "%s: %s", out_path, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(out_path); /* no half-written JSON left behind */
	reqmap_free(&c.lanes);
	reqmap_free(&c.flows);
	trace_reader_close(r);
	return rc;
}
