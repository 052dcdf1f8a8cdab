/*
 * vmbus/instrument_int.h — what vmbus/instrument.c (the guest's side:
 * ring watches, walks, the hypervisor's observers) and
 * vmbus/instrument_req.c (the records, the table of requests in flight,
 * the VSP's steps) share. Only those two include it.
 */
#ifndef HVSIM_VMBUS_INSTRUMENT_INT_H_
#define HVSIM_VMBUS_INSTRUMENT_INT_H_

#include <stdbool.h>
#include <stdint.h>

#include "traces/trace.h"
#include "vmbus/instrument.h"

struct inst_req {
	uint64_t txn;
	uint8_t stage; /* the last stage recorded, 1..9 */
};

/* One ring as the instrument reads it: GPADL offsets and the GPA of its
 * header page (watched). */
struct inst_ring {
	uint64_t hdr_off, hdr_gpa;
	uint32_t data_size;
	uint32_t seen; /* the guest's index as last seen */
	bool watched;
};

struct inst_chan {
	struct vmbus_channel *ch;
	struct physmem *pm;
	const struct gpadl *g;
	struct inst_ring rx, tx; /* guest→host, host→guest */
	unsigned nreq;
	struct inst_req req[INST_MAX_REQS];
	/* How many of req[] are at each stage: a step finds at once that no
	 * request waits for it, and stops scanning after the last one. */
	uint8_t at_stage[TRACE_NR_STAGES + 1];
	struct inst_stats st;
};

/* One stage record of request txn on ic's channel. */
void inst_emit(struct inst_chan *ic, unsigned kind, uint16_t part, unsigned vp,
	       uint64_t txn, uint64_t a0, uint64_t a1, cycles_t now);
/* The child partition's index (the VSC's lane). */
uint16_t inst_child_id(const struct inst_chan *ic);
/* Record `kind` for every request whose stage is in [lo, hi]; they move
 * to `stage`. Returns how many. */
unsigned inst_step_all(struct inst_chan *ic, unsigned kind, unsigned stage,
		       unsigned lo, unsigned hi, uint16_t part, unsigned vp,
		       uint64_t a0, uint64_t a1, cycles_t now);
/* The oldest request txn whose stage is in [lo, hi], or NULL. */
struct inst_req *inst_find(struct inst_chan *ic, uint64_t txn, unsigned lo,
			   unsigned hi);
/* Drop a request (consumed); start one at stage 1 (the oldest is
 * forgotten when the table is full). */
void inst_forget(struct inst_chan *ic, struct inst_req *q);
void inst_track(struct inst_chan *ic, uint64_t txn);

#endif
