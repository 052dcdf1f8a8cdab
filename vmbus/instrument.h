/*
 * vmbus/instrument.h — every stage of a VMBus request in the trace
 * (docs/TRACE.md), including the guest's own steps, observed by the
 * simulator: the guest is not modified and tells us nothing, so the same
 * records come from an unmodified Linux hv_vmbus one day.
 *
 *   1 vsc_write_packet   the guest's store to the guest→host ring's
 *                        write_index (a write watch on that header page,
 *                        mmu/mmu.h): one record per packet it publishes
 *   2 vsc_signal         HvSignalEvent on the channel's connection
 *                        (hv_observe_event, at the caller's clock)
 *   3 hv_deliver_event   a parent vCPU takes the event (its work starts)
 *   4 vsp_pickup         the VSP's first read after that (vsp.c)
 *   5 vsp_read, 6 vsp_complete, 7 completion_signal   the VSP (vsp.c)
 *   8 child_interrupt    the channel's target vCPU takes the VMBus SINT's
 *                        vector (hv_observe_intr)
 *   9 vsc_consume        the guest's store to the host→guest ring's
 *                        read_index (write watch): one record per
 *                        completion it passes
 *
 * A request is (relid, trans_id): a packet the guest sends asking for a
 * completion, and that completion. Per open channel the instrument keeps
 * the requests in flight and the stage each reached, and attributes the
 * steps that name no transaction (2, 3, 4, 7, 8) to the requests waiting
 * for that step: written but not signalled, signalled but not delivered,
 * ..., completions signalled but not yet interrupted. A step the request
 * skipped (the guest did not need to signal; the guest consumed the
 * completion before taking the interrupt) is simply missing.
 *
 * Everything is instrumentation: no simulated cost, no change to what the
 * guest or the VSP sees. Without a trace nothing is installed. Guest
 * memory is untrusted: indices and descriptors are checked, a walk looks
 * at INST_WALK_MAX packets at most, and a channel tracks at most
 * INST_MAX_REQS requests (the oldest is forgotten first).
 *
 * Files: instrument.c (the guest's side: watches, ring walks, the
 * hypervisor's observers), instrument_req.c (the records, the requests
 * in flight, the VSP's steps), instrument_int.h (what they share).
 * Called by vmbus/server.c (create/destroy) and vmbus/vsp.c (open, close,
 * the VSP's steps). Only those include it.
 */
#ifndef HVSIM_VMBUS_INSTRUMENT_H_
#define HVSIM_VMBUS_INSTRUMENT_H_

#include <stdint.h>

#include "cpu/cpu.h"

#define INST_MAX_REQS 64 /* requests tracked per channel */
#define INST_WALK_MAX 64 /* packets looked at per index store */

struct vmbus_channel;
struct vmbus_server;

/* What the instrument counted (tests, debugging). */
struct inst_stats {
	uint64_t walks;	    /* index stores that moved an index */
	uint64_t packets;   /* packets seen by the walks */
	uint64_t bad;	    /* walks stopped at a bad index or descriptor */
	uint64_t capped;    /* walks stopped at INST_WALK_MAX */
	uint64_t forgotten; /* requests dropped because the table was full */
};

/* The server's interrupt observer (s->trace set: installed). */
void inst_server_start(struct vmbus_server *s);
void inst_server_stop(struct vmbus_server *s);

/* The channel's rings are mapped (state OPEN): watch them. Close: stop
 * watching and forget the requests. Both do nothing without a trace. */
void inst_chan_open(struct vmbus_channel *ch);
void inst_chan_close(struct vmbus_channel *ch);

/* The VSP's steps, at the parent's clock `now` (each also records the
 * step when the channel is not instrumented, as before: txn 0 for 4/7). */
void inst_pickup(struct vmbus_channel *ch, cycles_t now);
void inst_read(struct vmbus_channel *ch, uint64_t txn, uint32_t bytes,
	       cycles_t now);
void inst_complete(struct vmbus_channel *ch, uint64_t txn, uint32_t bytes,
		   cycles_t now);
void inst_completion_signal(struct vmbus_channel *ch, cycles_t now);

/* Counters of an instrumented channel (NULL if it is not). */
const struct inst_stats *inst_chan_stats(const struct vmbus_channel *ch);

#endif
