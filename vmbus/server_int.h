/*
 * vmbus/server_int.h — what vmbus/server.c (the connection, messages in
 * and out, offers) and vmbus/channel.c (the channel state machine, rings
 * and the VSP calls of vmbus/vsp.h) share. Only vmbus/server*.c and
 * vmbus/channel.c include it.
 */
#ifndef HVSIM_VMBUS_SERVER_INT_H_
#define HVSIM_VMBUS_SERVER_INT_H_

#include <stdbool.h>

#include "vmbus/chanmsg.h"
#include "vmbus/gpadl.h"
#include "vmbus/ring.h"
#include "vmbus/server.h"

/* ---- modeled costs (ring 0 cycles on a parent vCPU) ----------------------
 * The parent's VMBus driver and VSPs run in its kernel. Sources: perf-
 * ormance.md §7 (VMBus small-request round trip 20 µs ≈ 50,000 cycles at
 * 2.5 GHz end to end; SynIC post + delivery 1,000 cycles; fast hypercall
 * 1,500). The host's share of a round trip is the event dispatch, one
 * packet read + VSP dispatch + completion write, and the signal back:
 * 5,000 + 2,500 + 1,500 ≈ 9,000 cycles (3.6 µs); the rest is the guest's
 * own driver work and interrupt delivery. */
#define VMBUS_COST_CTRL_MSG    4000	  /* one channel-management message */
#define VMBUS_COST_EVENT       5000	  /* channel interrupt → VSP's DPC */
#define VMBUS_COST_PACKET      2500	  /* read a packet, call the VSP */
#define VMBUS_COST_PER_8_BYTES 1	  /* copying packet bytes */
#define VMBUS_COST_RETRY_DELAY 25000	  /* re-post after a busy slot */
#define VMBUS_RETRY_DELAY_MAX  2500000	  /* backoff cap (1 ms) */
#define VMBUS_RETRY_MAX	       64	  /* retries without progress */
#define VMBUS_READ_BUF_MAX     (1u << 20) /* largest packet we read */

/* A guest GPADL the server holds. */
struct srv_gpadl {
	bool used;
	bool in_use; /* the rings of an open channel */
	uint32_t handle, relid;
	struct gpadl *g;
};

struct vmbus_channel {
	struct vmbus_server *s;
	enum vmbus_chan_state state;
	uint32_t relid, conn_id;
	const struct vsp_desc *vsp;
	void *ctx;
	bool offered; /* OFFERCHANNEL posted in this session */
	/* Open state. */
	uint32_t gen; /* bumped at every close: stale work is dropped */
	uint32_t openid, target_vp;
	struct srv_gpadl *ring_gpadl;
	struct ring rx, tx; /* guest→host, host→guest */
	uint8_t *buf;
	uint32_t buf_size;
	bool want_writable, dead, reading;
	/* The trace stages of the guest's side (vmbus/instrument.c), NULL
	 * when the run has no trace or the channel is not open. */
	struct inst_chan *inst;
};

/* A host→guest message waiting for a free SIMP slot. */
struct srv_outmsg {
	unsigned len;
	uint8_t b[VMBUS_MSG_MAX];
};

struct vmbus_server {
	struct hv *hv;
	struct hv_part *child;
	struct trace *trace;
	enum vmbus_conn_state state;
	uint32_t version;
	unsigned target_vp, sint;
	uint32_t gen; /* bumped at reset/destroy: stale work is dropped */
	struct vmbus_channel ch[VMBUS_MAX_CHANNELS];
	uint64_t inst_chans; /* bit i: ch[i].inst is set (vmbus/instrument.c) */
	struct srv_gpadl gpadl[VMBUS_MAX_GPADLS];
	struct srv_outmsg outq[VMBUS_OUTQ_MAX];
	unsigned outq_head, outq_len;
	bool retry_armed, arming;
	unsigned retries;
	struct vmbus_server_stats st;
	bool connected[2]; /* ports 1 and 4 */
	uint32_t port_ids[2];
};

/* server.c */
void srv_refuse(struct vmbus_server *s, enum vmbus_refusal why, uint32_t type,
		uint32_t relid, cycles_t now);
/* Post queued messages (the guest showed signs of life). */
void srv_flush(struct vmbus_server *s, cycles_t now);
/* Encode and post m to the child (queued if the slot is busy). */
void srv_send(struct vmbus_server *s, const struct chanmsg *m, cycles_t now);
void srv_trace(struct vmbus_server *s, unsigned kind, uint32_t relid,
	       uint64_t txn, uint64_t a0, uint64_t a1, cycles_t now);
struct vmbus_channel *srv_chan(struct vmbus_server *s, uint32_t relid);
struct srv_gpadl *srv_gpadl_find(struct vmbus_server *s, uint32_t handle);
void srv_send_offer(struct vmbus_server *s, struct vmbus_channel *ch,
		    cycles_t now);

/* channel.c: the channel state machine. Events are message types, plus
 * the host's own: */
#define CHEV_RESCIND  (CHANMSG_COUNT + 0)
#define CHEV_SHUTDOWN (CHANMSG_COUNT + 1) /* unload, reset, destroy */
#define CHEV_COUNT    (CHANMSG_COUNT + 2)
/* Apply event ev (a decoded message, or NULL for host events) to ch:
 * 0, or -1 if illegal in ch's state (refused and counted). */
int chan_on_event(struct vmbus_channel *ch, unsigned ev,
		  const struct chanmsg *m, cycles_t now);
/* GPADL_BODY names no channel, only its GPADL's handle. */
void gpadl_on_body(struct vmbus_server *s, const struct chanmsg *m,
		   cycles_t now);
void gpadl_drop_all(struct vmbus_server *s);

/* vsp.c: map the rings and start the VSP (0, or the OPENCHANNEL_RESULT
 * status); stop it (on_close, event connection dropped). */
uint32_t vsp_chan_start(struct vmbus_channel *ch, const struct chanmsg *m,
			struct srv_gpadl *g, cycles_t now);
void vsp_chan_stop(struct vmbus_channel *ch);

#endif
