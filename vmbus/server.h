/*
 * vmbus/server.h — the VMBus server of one child partition, parent side
 * (vmbus.md §4, §5.5, §9): channel management over HvPostMessage /
 * SynIC messages, and the channels of the VSPs it offers (vmbus/vsp.h).
 *
 * The server owns the child's message connections 1 and 4 (§4.1) and,
 * per open channel, the channel's event connection. Everything it does
 * runs as parent work (hv_submit_work, ring 0) at the costs of
 * server.c's cost table. Two explicit state machines (STYLE.md §13): the
 * connection (enum vmbus_conn_state) and each channel (enum
 * vmbus_chan_state), each one transition function over a table of
 * {state, message} → action; a message that has no row in its state is
 * illegal: traced, counted and refused (no reply, no state change).
 *
 * Created by the VM Worker of a child (partitions/vm_worker.c) with the
 * VSPs its settings name; tests drive it through real hypervisor ports.
 */
#ifndef HVSIM_VMBUS_SERVER_H_
#define HVSIM_VMBUS_SERVER_H_

#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "vmbus/vsp.h"

struct hv;
struct hv_part;
struct trace;
struct vmbus_server;

#define VMBUS_MAX_CHANNELS   64	 /* offers per child (relids 1..64) */
#define VMBUS_MAX_GPADLS     64	 /* GPADLs a child may hold at once */
#define VMBUS_OUTQ_MAX	     128 /* host→guest messages waiting for a slot */
/* Per-channel signal connection id: relid | 0x2000 (OpenVMM's VTL0,
 * SINT 2 scheme, §4.1): non-zero, < 2^24, never 1..4. */
#define VMBUS_CHAN_CONN_BASE 0x2000u

enum vmbus_conn_state {
	VMBUS_DISCONNECTED, /* no INITIATE_CONTACT accepted (or unloaded) */
	VMBUS_CONNECTED,    /* version agreed, offers not requested yet */
	VMBUS_OFFERED,	    /* offers delivered: channels usable */
	VMBUS_NR_CONN_STATES
};

enum vmbus_chan_state {
	VMBUS_CH_FREE,	    /* no VSP in this slot */
	VMBUS_CH_OFFERED,   /* offered (or will be), closed */
	VMBUS_CH_OPEN,	    /* rings mapped, VSP serving */
	VMBUS_CH_RESCINDED, /* host withdrew it; waiting RELID_RELEASED */
	VMBUS_NR_CHAN_STATES
};

/* Why a message was refused (counted in stats.refused[]). */
enum vmbus_refusal {
	VMBUS_REF_DECODE,     /* chanmsg_decode failed (size, type) */
	VMBUS_REF_DIRECTION,  /* a host→guest type sent by the guest */
	VMBUS_REF_CONN_STATE, /* illegal in the connection's state */
	VMBUS_REF_CHAN_STATE, /* illegal in the channel's state */
	VMBUS_REF_NO_CHANNEL, /* relid names no channel */
	VMBUS_REF_NO_GPADL,   /* unknown GPADL handle, or in use */
	VMBUS_REF_WRONG_CONN, /* message on a connection id it may not use */
	VMBUS_REF_VERSION,    /* message newer than the agreed version */
	VMBUS_NR_REFUSALS
};

struct vmbus_server_stats {
	uint64_t msgs_in;  /* messages received */
	uint64_t msgs_out; /* messages posted into the child's SIMP */
	uint64_t refused[VMBUS_NR_REFUSALS];
	uint64_t refused_total;
	uint64_t versions_refused; /* VERSION_RESPONSE supported = 0 */
	uint64_t gpadls_refused;   /* GPADL_CREATED with non-zero status */
	uint64_t opens_refused;	   /* OPENCHANNEL_RESULT non-zero */
	uint64_t post_retries;	   /* slot busy: queued, retried later */
	uint64_t out_dropped;	   /* outgoing queue full */
	uint64_t events;	   /* channel signals from the guest */
	uint64_t packets;	   /* packets read from guest rings */
	uint64_t signals;	   /* host→guest channel signals */
	uint64_t ring_errors;	   /* corrupt rings (channel marked dead) */
};

struct vmbus_server_config {
	struct hv *hv;
	struct hv_part *child;
	struct trace *trace; /* may be NULL */
};

/* Connects the child's message connections 1 and 4. NULL on failure. */
struct vmbus_server *vmbus_server_create(const struct vmbus_server_config *c);
/* Closes every channel (on_close) and disconnects. */
void vmbus_server_destroy(struct vmbus_server *s);
/* The child was reset (its connections are gone): close everything,
 * back to DISCONNECTED with the same VSPs, connections 1 and 4 again.
 * 0, or -1 if the hypervisor refused the connections. */
int vmbus_server_reset(struct vmbus_server *s);

/* Add a VSP (the descriptor must outlive the server): its relid (1..),
 * or -1 when full. Offered at REQUESTOFFERS; once the offers were
 * delivered, offered at once. */
int vmbus_server_add_vsp(struct vmbus_server *s, const struct vsp_desc *d,
			 cycles_t now);
/* Withdraw channel relid (RESCIND_CHANNELOFFER); 0 or -1. */
int vmbus_server_rescind(struct vmbus_server *s, uint32_t relid, cycles_t now);

/* One message from the child, as hv/port.c hands it (conn_id: 1 or 4).
 * The fuzzer-friendly entry point: any bytes are fine. */
void vmbus_server_on_message(struct vmbus_server *s, uint32_t conn_id,
			     unsigned from_vp, const void *msg, size_t len,
			     cycles_t now);
/* Post queued host→guest messages again (slots freed by EOM). */
void vmbus_server_flush(struct vmbus_server *s);

enum vmbus_conn_state vmbus_server_state(const struct vmbus_server *s);
uint32_t vmbus_server_version(const struct vmbus_server *s);
unsigned vmbus_server_target_vp(const struct vmbus_server *s);
enum vmbus_chan_state vmbus_server_chan_state(const struct vmbus_server *s,
					      uint32_t relid);
unsigned vmbus_server_nr_gpadls(const struct vmbus_server *s);
unsigned vmbus_server_outq_len(const struct vmbus_server *s);
const struct vmbus_server_stats *
vmbus_server_stats(const struct vmbus_server *s);
/* Debug hook (STYLE.md §5; vmbus/server_check.c): 0 if every internal
 * invariant holds (counters add up, every GPADL held lies in the child's
 * RAM and is bounded, open channels' rings inside their GPADL, ...),
 * else -1 with what broke in why[len]. For fuzzers and tests. */
int vmbus_server_check(struct vmbus_server *s, char *why, size_t len);
const char *vmbus_conn_state_name(enum vmbus_conn_state st);
const char *vmbus_chan_state_name(enum vmbus_chan_state st);

#endif
