/*
 * vmbus/instrument_req.c — the records of the request stages and the
 * table of requests in flight per instrumented channel (oldest first,
 * each with the last stage it reached), and the VSP's steps 4..7
 * (vmbus/vsp.c calls them): a step that names a transaction (read,
 * complete) moves that request; one that names none (pickup, completion
 * signal) moves every request waiting for it. See vmbus/instrument.h.
 */
#include <string.h>

#include "hv/hv.h"
#include "traces/trace.h"
#include "vmbus/instrument_int.h"
#include "vmbus/server_int.h"

void inst_emit(struct inst_chan *ic, unsigned kind, uint16_t part, unsigned vp,
	       uint64_t txn, uint64_t a0, uint64_t a1, cycles_t now)
{
	struct trace_rec r = {.cycle = now,
			      .kind = (uint16_t)kind,
			      .part = part,
			      .vp = (uint16_t)vp,
			      .chan = (uint16_t)ic->ch->relid,
			      .txn = txn,
			      .arg0 = a0,
			      .arg1 = a1};

	trace_emit(ic->ch->s->trace, &r);
}

uint16_t inst_child_id(const struct inst_chan *ic)
{
	return (uint16_t)hv_part_id(ic->ch->s->child);
}

/* Where a VSP step is recorded: `part` is the child that owns the
 * request (every step of a request carries it, so two children's relid 1
 * stay apart), `vp` the parent vCPU running the VSP now (0 when none
 * runs: no parent partition, or a test calling in from outside a slice).
 * docs/TRACE.md "Kinds". */
static void vsp_where(const struct vmbus_server *s, uint16_t *part,
		      unsigned *vp)
{
	struct hv_part *p;
	unsigned v;

	*part = (uint16_t)hv_part_id(s->child);
	*vp = 0;
	if (hv_current_vp(s->hv, &p, &v, NULL) && hv_part_is_parent(p))
		*vp = v;
}

/* Steps up to this one wait at the newest end of the table. */
#define INST_NEWEST_STAGE 3

/* Move request q to `stage`, keeping the per-stage counts. */
static void set_stage(struct inst_chan *ic, struct inst_req *q,
		      unsigned stage)
{
	ic->at_stage[q->stage]--;
	ic->at_stage[stage]++;
	q->stage = (uint8_t)stage;
}

/* Record `kind` for every request whose stage is in [lo, hi] (1 <= lo <=
 * hi <= 9), oldest first; returns how many. The requests move to
 * `stage`. */
unsigned inst_step_all(struct inst_chan *ic, unsigned kind, unsigned stage,
		       unsigned lo, unsigned hi, uint16_t part, unsigned vp,
		       uint64_t a0, uint64_t a1, cycles_t now)
{
	unsigned want = 0, n = 0, first = 0;

	for (unsigned s = lo; s <= hi; s++)
		want += ic->at_stage[s];
	/* The table is in arrival order and requests go through the stages
	 * roughly in that order, so the ones waiting for an early step (the
	 * guest's signal, the event, the pickup) are the newest: find the
	 * oldest of them from the end rather than walk past every older
	 * request (at queue depth 32, most of the table). */
	if (hi <= INST_NEWEST_STAGE)
		for (unsigned seen = 0, i = ic->nreq; i > 0 && seen < want;) {
			struct inst_req *q = &ic->req[--i];
			if (q->stage >= lo && q->stage <= hi) {
				seen++;
				first = i;
			}
		}
	for (unsigned i = first; i < ic->nreq && n < want; i++) {
		struct inst_req *q = &ic->req[i];
		if (q->stage < lo || q->stage > hi)
			continue;
		inst_emit(ic, kind, part, vp, q->txn, a0, a1, now);
		set_stage(ic, q, stage);
		n++;
	}
	return n;
}

/* The oldest request `txn` whose stage is in [lo, hi], or NULL. */
struct inst_req *inst_find(struct inst_chan *ic, uint64_t txn, unsigned lo,
			   unsigned hi)
{
	for (unsigned i = 0; i < ic->nreq; i++) {
		struct inst_req *q = &ic->req[i];
		if (q->txn == txn && q->stage >= lo && q->stage <= hi)
			return q;
	}
	return NULL;
}

void inst_forget(struct inst_chan *ic, struct inst_req *q)
{
	unsigned i = (unsigned)(q - ic->req);

	ic->at_stage[q->stage]--;
	memmove(&ic->req[i], &ic->req[i + 1],
		(ic->nreq - i - 1) * sizeof(ic->req[0]));
	ic->nreq--;
}

void inst_track(struct inst_chan *ic, uint64_t txn)
{
	if (ic->nreq == INST_MAX_REQS) {
		inst_forget(ic, &ic->req[0]);
		ic->st.forgotten++;
	}
	ic->req[ic->nreq++] = (struct inst_req){txn, 1};
	ic->at_stage[1]++;
}

/* ---- the VSP's steps ----------------------------------------------------- */

/* Without a trace these return at once; on a channel that is not
 * instrumented (no memory) they record the step as the VSP sees it. */

void inst_pickup(struct vmbus_channel *ch, cycles_t now)
{
	uint16_t part;
	unsigned vp;

	if (!ch->s->trace)
		return;
	vsp_where(ch->s, &part, &vp);
	if (ch->inst)
		inst_step_all(ch->inst, TK_VSP_PICKUP, 4, 2, 3, part, vp, vp, 0,
			      now);
	else
		srv_trace(ch->s, TK_VSP_PICKUP, ch->relid, 0, vp, 0, now);
}

/* Stage `stage` (5 read, 6 complete) of request txn, which must be at
 * stage 1..stage-1: one record with the packet's arguments. */
static void vsp_txn_step(struct vmbus_channel *ch, unsigned kind,
			 unsigned stage, uint64_t txn, uint64_t a0,
			 uint64_t a1, cycles_t now)
{
	struct inst_req *q;
	uint16_t part;
	unsigned vp;

	if (!ch->s->trace)
		return;
	if (!ch->inst) {
		srv_trace(ch->s, kind, ch->relid, txn, a0, a1, now);
		return;
	}
	q = inst_find(ch->inst, txn, 1, stage - 1);
	if (!q)
		return; /* not a request we follow (a reply, forgotten) */
	vsp_where(ch->s, &part, &vp);
	inst_emit(ch->inst, kind, part, vp, txn, a0, a1, now);
	set_stage(ch->inst, q, stage);
}

void inst_read(struct vmbus_channel *ch, uint64_t txn, uint32_t bytes,
	       cycles_t now)
{
	vsp_txn_step(ch, TK_VSP_READ, 5, txn, bytes, 0, now);
}

void inst_complete(struct vmbus_channel *ch, uint64_t txn, uint32_t bytes,
		   cycles_t now)
{
	vsp_txn_step(ch, TK_VSP_COMPLETE, 6, txn, 0, bytes, now);
}

void inst_completion_signal(struct vmbus_channel *ch, cycles_t now)
{
	uint16_t part;
	unsigned vp;

	if (!ch->s->trace)
		return;
	vsp_where(ch->s, &part, &vp);
	if (ch->inst)
		inst_step_all(ch->inst, TK_COMPLETION_SIGNAL, 7, 6, 6, part, vp,
			      ch->conn_id, 0, now);
	else
		srv_trace(ch->s, TK_COMPLETION_SIGNAL, ch->relid, 0,
			  ch->conn_id, 0, now);
}
