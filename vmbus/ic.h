/*
 * vmbus/ic.h — the integration-component (IC) framework, parent side: the
 * message format every Hyper-V integration service uses on its VMBus
 * channel, the host-initiated version negotiation and the state of one
 * IC channel (vmbus.md §6.4; vmbus-linux61.md §2.3, §2.7).
 *
 * Wire format of every IC packet payload (in-band packets, type 6):
 *
 *   0       4         8                                    28
 *   | flags | msgsize | icmsg_hdr (20 bytes)               | body ...
 *   vmbuspipe_hdr: flags = 1 (data), msgsize = bytes after it
 *   icmsg_hdr: @0 framework version {major u16, minor u16}
 *              @4 msgtype u16, @6 message version {major, minor}
 *              @10 msgsize u16 (body bytes), @12 status u32
 *              @16 ictransaction_id u8, @17 icflags u8, @18 reserved[2]
 *
 * The host starts everything: after the guest opened the channel it sends
 * NEGOTIATE (icflags TRANSACTION|REQUEST) listing its framework versions
 * and the service's message versions; the guest answers with the same
 * packet, icflags TRANSACTION|RESPONSE, counts 1/1 and the two versions it
 * chose (0/0: none in common). Then requests of the service follow, one
 * at a time: Linux's shutdown handler reads one packet per interrupt and
 * the host signals only on empty→non-empty, so a second request sent
 * before the first is answered could sit unread (vmbus-linux61.md §2.3).
 *
 * This module is pure: it builds the bytes to send and judges the bytes
 * received, and keeps the channel's state machine (a table of {state,
 * event} → next state). The VSP side — sending, timers, the three
 * services — is vmbus/ic_services.c. Everything received is untrusted:
 * ic_receive checks sizes, flags, type, versions and transaction ids and
 * says why it refused a packet.
 */
#ifndef HVSIM_VMBUS_IC_H_
#define HVSIM_VMBUS_IC_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IC_PIPE_HDR_SIZE 8
#define IC_MSG_HDR_SIZE	 20
#define IC_HDR_SIZE	 28 /* pipe header + icmsg_hdr: Linux's ICMSG_HDR */
#define IC_PIPE_DATA	 1u /* vmbuspipe_hdr.flags of a data message */
#define IC_MAX_VERSIONS	 8  /* of each kind, in one NEGOTIATE */

/* icmsg_hdr.icmsgtype (vmbus.md §6.4). */
enum ic_msgtype {
	IC_MSG_NEGOTIATE = 0,
	IC_MSG_HEARTBEAT = 1,
	IC_MSG_KVP = 2,
	IC_MSG_SHUTDOWN = 3,
	IC_MSG_TIMESYNC = 4,
};

/* icmsg_hdr.icflags. */
#define IC_FLAG_TRANSACTION 0x1u
#define IC_FLAG_REQUEST	    0x2u
#define IC_FLAG_RESPONSE    0x4u

/* icmsg_hdr.status (HRESULTs). */
#define IC_S_OK	  0x00000000u
#define IC_E_FAIL 0x80004005u

struct ic_version {
	uint16_t major, minor;
};

/* The decoded icmsg_hdr. */
struct ic_hdr {
	struct ic_version framework;
	uint16_t msgtype;
	struct ic_version msgver;
	uint16_t msgsize; /* body bytes */
	uint32_t status;
	uint8_t trans_id;
	uint8_t flags;
};

/* What one service offers: its message type and versions, best first. */
struct ic_service_desc {
	const char *name;
	uint16_t msgtype;
	const struct ic_version *versions;
	unsigned nr_versions;
};

/* The framework versions the host offers (3.0, 1.0: what Linux knows). */
extern const struct ic_version ic_framework_versions[];
extern const unsigned ic_nr_framework_versions;

/* The state of one IC channel. */
enum ic_state {
	IC_CLOSED,	/* channel not open */
	IC_NEGOTIATING, /* NEGOTIATE sent, waiting for the answer */
	IC_READY,	/* versions agreed, no request in flight */
	IC_WAITING,	/* one request in flight */
	IC_FAILED,	/* no common version: the service is unusable */
	IC_NR_STATES
};

enum ic_event {
	IC_EV_OPEN,	  /* the guest opened the channel */
	IC_EV_NEGOTIATE,  /* the host sent NEGOTIATE */
	IC_EV_AGREED,	  /* the answer named versions we offered */
	IC_EV_NO_VERSION, /* the answer had none (or ones never offered) */
	IC_EV_REQUEST,	  /* the host sent a request */
	IC_EV_RESPONSE,	  /* the guest answered the request in flight */
	IC_EV_TIMEOUT,	  /* the request in flight is given up */
	IC_EV_CLOSE,	  /* the channel closed */
	IC_NR_EVENTS
};

/* Why a received packet was refused (also the trace's reason, + 0x100). */
enum ic_refusal {
	IC_REF_NONE = 0,
	IC_REF_PKT_TYPE,   /* not an in-band data packet */
	IC_REF_SHORT,	   /* shorter than the 28-byte header */
	IC_REF_BODY_SIZE,  /* icmsgsize beyond the packet, or too small */
	IC_REF_FLAGS,	   /* not TRANSACTION|RESPONSE */
	IC_REF_STATE,	   /* nothing in flight (unsolicited) */
	IC_REF_MSGTYPE,	   /* not the type of the request in flight */
	IC_REF_TRANS_ID,   /* not the transaction id of the request */
	IC_REF_VERSION,	   /* message version is not the agreed one */
	IC_NR_REFUSALS
};

struct ic_stats {
	uint64_t sent, answered, refused, timeouts;
	uint64_t refusals[IC_NR_REFUSALS];
};

/* One IC channel. Zero it, set svc, then ic_open(). */
struct ic_chan {
	const struct ic_service_desc *svc;
	enum ic_state state;
	struct ic_version framework, msgver; /* agreed */
	uint8_t next_ic_tid;  /* ictransaction_id of the next request */
	uint64_t next_pkt_id; /* VMBus trans_id of the next request */
	/* The request in flight (IC_NEGOTIATING / IC_WAITING). */
	uint16_t want_type;
	uint8_t want_ic_tid;
	uint64_t want_pkt_id;
	struct ic_stats st;
};

/* What ic_receive found. */
enum ic_rx {
	IC_RX_REFUSED,	  /* dropped: see *why */
	IC_RX_AGREED,	  /* negotiation done: ic->framework / msgver */
	IC_RX_NO_VERSION, /* negotiation failed: the channel is IC_FAILED */
	IC_RX_RESPONSE,	  /* the answer to the request in flight */
};

struct ic_response {
	struct ic_hdr hdr;
	const uint8_t *body; /* inside the packet given to ic_receive */
	uint16_t body_len;   /* hdr.msgsize */
};

/* Encode the pipe header, icmsg_hdr and body into out (cap bytes).
 * Returns the length, or -1 if it does not fit or body_len > 0xFFFF. */
int ic_encode(const struct ic_hdr *h, const void *body, size_t body_len,
	      uint8_t *out, size_t cap);
/* Decode a payload: 0, or the refusal (short, body beyond the end). */
enum ic_refusal ic_decode(const uint8_t *p, size_t len, struct ic_hdr *h,
			  const uint8_t **body);

/* The state machine's table: the next state, or IC_NR_STATES when the
 * event is illegal in that state. */
enum ic_state ic_next_state(enum ic_state s, enum ic_event e);
const char *ic_state_name(enum ic_state s);
const char *ic_refusal_name(enum ic_refusal r);

/* The guest opened the channel: back to the start. */
void ic_open(struct ic_chan *c);
void ic_close(struct ic_chan *c);
/* Build the NEGOTIATE request (framework + message versions). Returns its
 * length (0..cap) and *pkt_id, or -1 if the state forbids it. */
int ic_negotiate(struct ic_chan *c, uint8_t *out, size_t cap,
		 uint64_t *pkt_id);
/* Build a request of the service's type with the agreed versions. Returns
 * the length and *pkt_id, or -1 (not IC_READY: one request at a time). */
int ic_request(struct ic_chan *c, const void *body, size_t body_len,
	       uint8_t *out, size_t cap, uint64_t *pkt_id);
/* Judge one packet from the guest (pkt_type: VMBus packet type; payload
 * and its length; the packet's trans_id). */
enum ic_rx ic_receive(struct ic_chan *c, uint16_t pkt_type,
		      const uint8_t *payload, size_t len, uint64_t pkt_id,
		      struct ic_response *out, enum ic_refusal *why);
/* Give up the request in flight (IC_WAITING → IC_READY). -1 if none. */
int ic_timeout(struct ic_chan *c);

/* ---- the three services' bodies (vmbus/ic_msgs.c) -----------------------
 * Pure builders and checkers, so each layout is tested on its own. */

/* Message versions the host offers, best first (Linux 6.1's lists). */
extern const struct ic_service_desc ic_shutdown_desc, ic_timesync_desc,
    ic_heartbeat_desc;

/* Heartbeat (type 1): seq_num u64 + reserved u32[8] (Linux's 40-byte
 * struct; Linux needs >= 8 bytes and echoes seq_num + 1). */
#define IC_HEARTBEAT_BODY 40
size_t ic_heartbeat_body(uint64_t seq, uint8_t out[IC_HEARTBEAT_BODY]);

/* Heartbeat bookkeeping: one beat per tick while the guest answers. A
 * tick that finds the last beat unanswered is a missed beat (no second
 * beat is sent: one request at a time); IC_HB_NO_CONTACT_MISSES of them
 * in a row make the guest "no contact" and the beats pause until it
 * answers. */
#define IC_HB_NO_CONTACT_MISSES 3
enum ic_health {
	IC_HEALTH_OFF,	      /* heartbeat interval 0, or no IC at all */
	IC_HEALTH_NONE,	      /* channel not (yet) negotiated */
	IC_HEALTH_HEALTHY,    /* the last beat was answered correctly */
	IC_HEALTH_NO_CONTACT, /* missed beats, or wrong answers */
};
struct ic_heartbeat {
	enum ic_health health;
	uint64_t next_seq; /* seq_num of the next beat */
	uint64_t sent_seq; /* of the beat in flight */
	bool in_flight;
	unsigned missed_in_row;
	uint64_t beats, missed, bad_answers;
};
enum ic_hb_action { IC_HB_SEND, IC_HB_WAIT, IC_HB_PAUSE };
/* A timer tick: send a beat (in_flight set, *seq to send), wait one more
 * interval for the answer, or pause the timer. */
enum ic_hb_action ic_heartbeat_tick(struct ic_heartbeat *hb, uint64_t *seq);
/* The guest's answer body: 0 if it carries seq + 1, -1 otherwise. */
int ic_heartbeat_answer(struct ic_heartbeat *hb, const uint8_t *body,
			size_t len);
const char *ic_health_name(enum ic_health h);

/* Shutdown (type 3): reason_code u32, timeout_seconds u32, flags u32,
 * display_message[2048] (Linux needs all 2060 bytes). */
#define IC_SHUTDOWN_BODY	  2060
#define IC_SHUTDOWN_FORCE	  0x1u
#define IC_SHUTDOWN_RESTART	  0x2u
#define IC_SHUTDOWN_REASON_PLANNED 0x80000000u
size_t ic_shutdown_body(uint32_t flags, uint32_t timeout_s,
			uint8_t out[IC_SHUTDOWN_BODY]);

/* TimeSync (type 4). Message version >= 4.0: parenttime u64,
 * vmreferencetime u64, flags u8, leapflags u8, stratum u8, reserved[3]
 * (22 bytes); older: parenttime, childtime, roundtriptime u64, flags u8
 * (25 bytes). Times in 100 ns units since 1601-01-01. */
#define IC_TIMESYNC_V4_BODY 22
#define IC_TIMESYNC_V3_BODY 25
#define IC_TIMESYNC_PROBE   0u
#define IC_TIMESYNC_SYNC    1u
#define IC_TIMESYNC_SAMPLE  2u
/* 100 ns units from 1601-01-01 to 1970-01-01 (Linux's WLTIMEDELTA). */
#define IC_WLTIMEDELTA 116444736000000000ull
size_t ic_timesync_body(struct ic_version msgver, uint64_t parenttime,
			uint64_t reftime, uint8_t flags, uint8_t out[32]);
/* Seconds since 1970 (UTC) → 100 ns units since 1601. */
uint64_t ic_unix_to_filetime(uint64_t unix_seconds);

#endif
