/*
 * examples/runtime/vmbus.h — a small VMBus client (VSC side) for guest
 * kernels: connect with version negotiation, request offers, GPADLs,
 * open/close a channel, send and receive ring packets, unload. It follows
 * the sequence Linux uses from boot to an opened channel
 * (../shared/reference/vmbus.md §3.4, §4, §5; vmbus-linux61.md), with one
 * difference: every wait is bounded in TSC cycles, so a host that does
 * not answer makes a call fail instead of hanging the guest.
 *
 * One vCPU, polled: the VMBus vector (SINT2) only wakes the waits; the
 * messages in SIMP slot 2 and the SIEFP relid flags are consumed by the
 * calls below. Needs examples/runtime/hyperv.h's hypercall page
 * (hv_hypercall_enable) first. Used by examples/guests/vmbus_hello.c.
 */
#ifndef HVRT_VMBUS_H_
#define HVRT_VMBUS_H_

#include <stdint.h>

#include "hyperv.h"
#include "vmbus_ring.h"

#define VMBUS_SINT	 2    /* VMBus messages and channel events (§3.4) */
#define VMBUS_VECTOR	 0xF3 /* HYPERVISOR_CALLBACK_VECTOR in Linux */
#define VMBUS_MAX_OFFERS 16

/* Protocol versions, major << 16 | minor (vmbus.md §4.2). */
#define VMBUS_VERSION_WIN10    0x00040000u /* 4.0 */
#define VMBUS_VERSION_WIN10_V5 0x00050000u /* 5.0: connection id 4 */
#define VMBUS_VERSION_5_3      0x00050003u

/* Errors the calls return (negative), beside 0 for success. */
enum vmbus_err {
	VMBUS_OK = 0,
	VMBUS_E_HYPERCALL = -1,	 /* HvPostMessage/HvSignalEvent failed */
	VMBUS_E_TIMEOUT = -2,	 /* no answer within the wait */
	VMBUS_E_REFUSED = -3,	 /* the host answered with a failure */
	VMBUS_E_NO_VERSION = -4, /* every version was refused */
	VMBUS_E_ARG = -5,	 /* bad argument (sizes, state) */
	VMBUS_E_RING = -6,	 /* ring full, corrupt or packet too big */
};

/* One OFFERCHANNEL, the fields a client uses (vmbus.md §4.4). */
struct vmbus_offer {
	uint8_t if_type[16];	 /* interface GUID, wire byte order */
	uint8_t if_instance[16]; /* instance GUID */
	uint32_t child_relid;
	uint32_t connection_id; /* for HvSignalEvent */
	uint16_t chn_flags;
	uint16_t sub_channel_index;
	uint8_t monitor_id;
	uint8_t monitor_allocated;
	uint8_t is_dedicated_interrupt;
	uint8_t rescinded;
};

struct vmbus_client {
	struct hv_synic synic;
	uint32_t vp_index;	   /* ours, from HV_MSR_VP_INDEX */
	uint32_t max_version;	   /* first version tried (0: 5.3), as
				    * Linux's max_version parameter */
	uint32_t version;	   /* negotiated, or 0 */
	uint32_t msg_conn_id;	   /* where control messages go */
	uint32_t next_gpadl;	   /* Linux starts at 0xE1E10 */
	uint64_t wait_cycles;	   /* bound of every wait (TSC cycles) */
	void *monitor1, *monitor2; /* the two monitor pages (§4.1) */
	unsigned n_offers;
	int all_offers; /* ALLOFFERS_DELIVERED seen */
	struct vmbus_offer offers[VMBUS_MAX_OFFERS];
	/* Counters. */
	unsigned msgs_in;      /* SIMP slot 2 messages consumed */
	unsigned msgs_dropped; /* unexpected or malformed ones */
	unsigned versions_tried;
};

struct vmbus_channel {
	struct vmbus_client *c;
	const struct vmbus_offer *offer;
	uint32_t gpadl; /* handle of the ring GPADL, or 0 */
	int open;
	struct vmbus_ring out; /* guest -> host, page 0 of the GPADL */
	struct vmbus_ring in;  /* host -> guest */
	unsigned events;       /* relid flags seen set in the SIEFP */
};

/* Sets up the SynIC (SIMP, SIEFP, SINT2 = VMBUS_VECTOR with auto-EOI
 * unless the hints deprecate it) and c; wait_cycles bounds each wait. */
int vmbus_init(struct vmbus_client *c, uint64_t wait_cycles);
/* INITIATE_CONTACT from 5.3 (or c->max_version) down to 4.0
 * (connection 4 for >= 5.0, else 1); on success c->version and
 * c->msg_conn_id are set. Also after vmbus_unload, to connect again. */
int vmbus_connect(struct vmbus_client *c);
/* REQUESTOFFERS, then collects offers until ALLOFFERS_DELIVERED. */
int vmbus_request_offers(struct vmbus_client *c);
/* The first live offer with interface GUID `if_type`, or NULL. */
const struct vmbus_offer *vmbus_find_offer(struct vmbus_client *c,
					   const uint8_t if_type[16]);
/* GPADL_HEADER (+ BODY messages) over `pages` page-aligned pages at
 * `buf` (identity-mapped: address = GPA); waits for GPADL_CREATED.
 * *handle gets the GPADL handle. */
int vmbus_gpadl_create(struct vmbus_client *c, uint32_t relid, void *buf,
		       uint32_t pages, uint32_t *handle);
/* GPADL_TEARDOWN, waits for GPADL_TORNDOWN. */
int vmbus_gpadl_teardown(struct vmbus_client *c, uint32_t relid,
			 uint32_t handle);
/* Opens `offer` with rings in `buf`: out_pages then in_pages pages
 * (each ring = 1 header page + data). Creates the GPADL, initialises the
 * rings, OPENCHANNEL (target_vp = us), waits for OPENCHANNEL_RESULT. */
int vmbus_open(struct vmbus_client *c, struct vmbus_channel *ch,
	       const struct vmbus_offer *offer, void *buf, uint32_t out_pages,
	       uint32_t in_pages);
/* CLOSECHANNEL, then tears the ring GPADL down. */
int vmbus_close(struct vmbus_channel *ch);
/* UNLOAD, waits for UNLOAD_RESPONSE. */
int vmbus_unload(struct vmbus_client *c);

/* Sends one in-band packet (signals the host if the ring was empty). */
int vmbus_send(struct vmbus_channel *ch, const void *data, uint32_t len,
	       uint64_t trans_id, int completion_requested);
/* Sends any packet type with the payload as given (raw form). */
int vmbus_send_raw(struct vmbus_channel *ch, uint16_t type, uint16_t flags,
		   const void *data, uint32_t len, uint64_t trans_id);
/* Sends a GPA-direct packet (type 0x9, vmbus.md §5.3): one range
 * describing `buf_len` bytes at `buf` (identity-mapped, so its pages'
 * addresses are their GPAs; at most VMBUS_GPA_DIRECT_MAX_PFNS pages),
 * followed by `len` bytes of `data` (e.g. a storvsc vstor_packet; at
 * most VMBUS_GPA_DIRECT_MAX_DATA bytes). */
#define VMBUS_GPA_DIRECT_MAX_PFNS 32
#define VMBUS_GPA_DIRECT_MAX_DATA 256
int vmbus_send_gpa_direct(struct vmbus_channel *ch, const void *buf,
			  uint32_t buf_len, const void *data, uint32_t len,
			  uint64_t trans_id);
/* Waits (bounded) for one inbound packet and reads it (batched: the
 * host's signals are masked while reading). Returns its payload length,
 * or a negative vmbus_err. */
int vmbus_recv(struct vmbus_channel *ch, struct vmbus_pkt *pkt, void *buf,
	       uint32_t cap);

/* One read attempt without waiting: 1 with a packet in pkt/buf, 0 when
 * the ring is empty (the host's signals are then unmasked, so it signals
 * the next packet), or a negative vmbus_err. Channel event flags are the
 * caller's to clear (hv_event_test_clear). */
int vmbus_try_recv(struct vmbus_channel *ch, struct vmbus_pkt *pkt, void *buf,
		   uint32_t cap);

/* Raw control messages, for guests that test a server by misbehaving:
 * posts `size` bytes as given on the control connection and returns the
 * HvPostMessage status. */
unsigned vmbus_post_raw(struct vmbus_client *c, const void *msg, uint32_t size);
/* Waits (bounded) for a host message of VMBus type `type` whose u32 at
 * payload offset 8 equals `key` (if use_key); copies its payload
 * (HV_MESSAGE_PAYLOAD_MAX bytes, zero-padded) to out. 0 or
 * VMBUS_E_TIMEOUT. Other messages are handled as by vmbus_poll. */
int vmbus_wait_reply(struct vmbus_client *c, uint32_t type, int use_key,
		     uint32_t key, void *out);

/* Handles whatever is in SIMP slot 2 now (offers, rescinds); the waits
 * call it. Channel event flags are consumed by vmbus_recv. */
void vmbus_poll(struct vmbus_client *c);
const char *vmbus_err_name(int err);
/* Prints a GUID (wire byte order) as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx. */
void vmbus_print_guid(const uint8_t g[16]);

#endif
