/*
 * examples/runtime/vmbus_int.h — what vmbus.c (connection, messages) and
 * vmbus_chan.c (GPADLs, open/close, packets) share: the channel-management
 * wire formats (../shared/reference/vmbus.md §4.3, §4.4) and the message
 * helpers. Only those two files include it.
 *
 * The wire structs are written from the reference, independently of the
 * server's own (vmbus/), so a guest run checks both against the document.
 */
#ifndef HVRT_VMBUS_INT_H_
#define HVRT_VMBUS_INT_H_

#include "vmbus.h"

/* ---- wire formats (vmbus.md §4.3, §4.4; all little-endian, packed) ---- */

enum vmbus_msgtype {
	MSG_OFFERCHANNEL = 1,
	MSG_RESCIND_CHANNELOFFER = 2,
	MSG_REQUESTOFFERS = 3,
	MSG_ALLOFFERS_DELIVERED = 4,
	MSG_OPENCHANNEL = 5,
	MSG_OPENCHANNEL_RESULT = 6,
	MSG_CLOSECHANNEL = 7,
	MSG_GPADL_HEADER = 8,
	MSG_GPADL_BODY = 9,
	MSG_GPADL_CREATED = 10,
	MSG_GPADL_TEARDOWN = 11,
	MSG_GPADL_TORNDOWN = 12,
	MSG_INITIATE_CONTACT = 14,
	MSG_VERSION_RESPONSE = 15,
	MSG_UNLOAD = 16,
	MSG_UNLOAD_RESPONSE = 17,
	MSG_COUNT = 25,
};

struct msg_hdr {
	uint32_t msgtype;
	uint32_t padding;
} __attribute__((packed));

struct msg_initiate_contact {
	struct msg_hdr h;
	uint32_t version_requested;
	uint32_t target_vcpu;
	uint64_t interrupt_page; /* >= 5.0: byte 0 = msg_sint */
	uint64_t monitor_page1;	 /* parent -> child */
	uint64_t monitor_page2;	 /* child -> parent */
} __attribute__((packed));
_Static_assert(sizeof(struct msg_initiate_contact) == 40, "vmbus.md §4.4");

struct msg_version_response {
	struct msg_hdr h;
	uint8_t version_supported;
	uint8_t connection_state;
	uint16_t padding;
	uint32_t msg_conn_id; /* >= 5.0 */
} __attribute__((packed));
_Static_assert(sizeof(struct msg_version_response) == 16, "vmbus.md §4.4");

struct msg_offer {
	struct msg_hdr h;
	uint8_t if_type[16];
	uint8_t if_instance[16];
	uint64_t reserved1, reserved2;
	uint16_t chn_flags;
	uint16_t mmio_megabytes;
	uint8_t user_def[120];
	uint16_t sub_channel_index;
	uint16_t reserved3;
	uint32_t child_relid;
	uint8_t monitorid;
	uint8_t monitor_allocated;
	uint16_t is_dedicated_interrupt;
	uint32_t connection_id;
} __attribute__((packed));
_Static_assert(sizeof(struct msg_offer) == 196, "vmbus.md §4.4");

/* RESCIND_CHANNELOFFER, CLOSECHANNEL, RELID_RELEASED. */
struct msg_relid {
	struct msg_hdr h;
	uint32_t child_relid;
} __attribute__((packed));
_Static_assert(sizeof(struct msg_relid) == 12, "vmbus.md §4.4");

#define GPADL_HEADER_PFNS 26 /* (240 - 20 - 8) / 8 */
#define GPADL_BODY_PFNS	  28 /* (240 - 16) / 8 */
#define GPADL_FIRST	  0xE1E10u

struct msg_gpadl_header {
	struct msg_hdr h;
	uint32_t child_relid;
	uint32_t gpadl;
	uint16_t range_buflen; /* 8 + 8 * pfns: the one range below */
	uint16_t rangecount;
	uint32_t byte_count; /* gpa_range[0] */
	uint32_t byte_offset;
	uint64_t pfn[GPADL_HEADER_PFNS]; /* first PFN at offset 28 */
} __attribute__((packed));
_Static_assert(sizeof(struct msg_gpadl_header) == 236, "26 PFNs: 236 bytes");

struct msg_gpadl_body {
	struct msg_hdr h;
	uint32_t msgnumber;
	uint32_t gpadl;
	uint64_t pfn[GPADL_BODY_PFNS];
} __attribute__((packed));
_Static_assert(sizeof(struct msg_gpadl_body) == 240, "28 PFNs: 240 bytes");

/* GPADL_CREATED (status) and GPADL_TEARDOWN (without it). */
struct msg_gpadl_created {
	struct msg_hdr h;
	uint32_t child_relid;
	uint32_t gpadl;
	uint32_t creation_status;
} __attribute__((packed));
_Static_assert(sizeof(struct msg_gpadl_created) == 20, "vmbus.md §4.4");

struct msg_open {
	struct msg_hdr h;
	uint32_t child_relid;
	uint32_t openid;
	uint32_t gpadl;
	uint32_t target_vp;
	uint32_t downstream_offset; /* pages */
	uint8_t userdata[120];
} __attribute__((packed));
_Static_assert(sizeof(struct msg_open) == 148, "vmbus.md §4.4");

struct msg_open_result {
	struct msg_hdr h;
	uint32_t child_relid;
	uint32_t openid;
	uint32_t status;
} __attribute__((packed));
_Static_assert(sizeof(struct msg_open_result) == 20, "vmbus.md §4.4");

/* One message taken out of slot 2. */
struct inmsg {
	uint32_t type; /* the VMBus msgtype, payload bytes 0..3 */
	uint32_t size; /* payload bytes */
	uint8_t data[HV_MESSAGE_PAYLOAD_MAX];
};

/* What a wait looks for: a message type, and up to two u32 fields at
 * payload offsets 8 and 12 that must match (relid, gpadl or openid). */
struct want {
	uint32_t type;
	int nkeys;
	uint32_t key[2];
};

/* HvPostMessage on connection `conn`, retried while the host's port
 * queue is full; *status (may be NULL) gets the last status. */
int vmbus_post(struct vmbus_client *c, uint32_t conn, const void *msg,
	       uint32_t size, unsigned *status);
/* The same on the negotiated control connection (msg_conn_id). */
int vmbus_post_ctl(struct vmbus_client *c, const void *msg, uint32_t size);
/* Waits (bounded) for the message `w` describes, handling others. */
int vmbus_wait_msg(struct vmbus_client *c, const struct want *w,
		   struct inmsg *out);
/* 1 when more than c->wait_cycles passed since t0. */
int vmbus_timed_out(const struct vmbus_client *c, uint64_t t0);
/* Lets a pending interrupt in (STI; NOP; CLI). */
void vmbus_irq_window(void);

#endif
