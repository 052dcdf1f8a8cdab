/*
 * vmbus/chanmsg.h — VMBus channel-management messages (vmbus.md §4.3,
 * §4.4; errata vmbus-linux61.md §4): type numbers, the minimum size of
 * each, their fields decoded into host structs, and encoding back to the
 * wire. Every message is the payload of one HvPostMessage / SynIC
 * message (≤ 240 bytes, little-endian, 8-byte header {msgtype u32,
 * padding u32}).
 *
 * Pure: no hypervisor, no allocation. chanmsg_decode(bytes, len) is the
 * one entry point for untrusted bytes (fuzzer-friendly); the server
 * (vmbus/server.c) calls it for what a child posts, tests and the guest
 * library use it to read what the server posted.
 */
#ifndef HVSIM_VMBUS_CHANMSG_H_
#define HVSIM_VMBUS_CHANMSG_H_

#include <stddef.h>
#include <stdint.h>

/* Connection ids and SINT (vmbus.md §4.1). */
#define VMBUS_MESSAGE_CONNECTION_ID   1u /* control, protocol < 5.0 */
#define VMBUS_MESSAGE_CONNECTION_ID_4 4u /* INITIATE_CONTACT, >= 5.0 */
#define VMBUS_MESSAGE_SINT	      2u
#define VMBUS_MESSAGE_TYPE	      1u /* HvPostMessage message_type */
#define VMBUS_MSG_MAX		      240u

/* Protocol versions, major << 16 | minor (§4.2). */
#define VMBUS_VERSION_WS2008 0x0000000Du
#define VMBUS_VERSION_WIN7   0x00010001u
#define VMBUS_VERSION_WIN8   0x00020004u
#define VMBUS_VERSION_WIN8_1 0x00030000u
#define VMBUS_VERSION_WIN10  0x00040000u
#define VMBUS_VERSION_V4_1   0x00040001u
#define VMBUS_VERSION_V5_0   0x00050000u
#define VMBUS_VERSION_V5_1   0x00050001u
#define VMBUS_VERSION_V5_2   0x00050002u
#define VMBUS_VERSION_V5_3   0x00050003u

/* Message types (§4.3; Linux 6.1 knows 0..24). */
enum chanmsg_type {
	CHANMSG_INVALID = 0,
	CHANMSG_OFFERCHANNEL = 1,
	CHANMSG_RESCIND_CHANNELOFFER = 2,
	CHANMSG_REQUESTOFFERS = 3,
	CHANMSG_ALLOFFERS_DELIVERED = 4,
	CHANMSG_OPENCHANNEL = 5,
	CHANMSG_OPENCHANNEL_RESULT = 6,
	CHANMSG_CLOSECHANNEL = 7,
	CHANMSG_GPADL_HEADER = 8,
	CHANMSG_GPADL_BODY = 9,
	CHANMSG_GPADL_CREATED = 10,
	CHANMSG_GPADL_TEARDOWN = 11,
	CHANMSG_GPADL_TORNDOWN = 12,
	CHANMSG_RELID_RELEASED = 13,
	CHANMSG_INITIATE_CONTACT = 14,
	CHANMSG_VERSION_RESPONSE = 15,
	CHANMSG_UNLOAD = 16,
	CHANMSG_UNLOAD_RESPONSE = 17,
	CHANMSG_18 = 18, /* OpenVMM's reserved-channel messages: unused */
	CHANMSG_19 = 19,
	CHANMSG_20 = 20,
	CHANMSG_TL_CONNECT_REQUEST = 21,
	CHANMSG_MODIFYCHANNEL = 22,
	CHANMSG_TL_CONNECT_RESULT = 23,
	CHANMSG_MODIFYCHANNEL_RESPONSE = 24,
	CHANMSG_COUNT = 25
};

enum chanmsg_dir { CHANMSG_NONE, CHANMSG_G2H, CHANMSG_H2G };

/* One row of the message table (chanmsg.c). */
struct chanmsg_info {
	const char *name;
	uint8_t dir;	      /* enum chanmsg_dir; NONE: we do not handle it */
	uint8_t size;	      /* minimum bytes incl. the header; the fixed size
				 we encode */
	uint32_t min_version; /* lowest protocol version it belongs to */
};
/* NULL for a type outside the table. */
const struct chanmsg_info *chanmsg_info(uint32_t type);

/* Decode errors (negative). */
enum chanmsg_err {
	CHANMSG_OK = 0,
	CHANMSG_E_SHORT = -1, /* below the type's minimum size */
	CHANMSG_E_LONG = -2,  /* above 240 bytes */
	CHANMSG_E_TYPE = -3,  /* unknown or unhandled type */
	CHANMSG_E_FIELD = -4, /* a field contradicts the size */
};
const char *chanmsg_err_name(int err);

/* Field offsets used by more than one message. */
#define CHANMSG_GPADL_HEADER_RANGES 20u
#define CHANMSG_GPADL_BODY_PFNS	    16u
#define CHANMSG_OFFER_SIZE	    196u
#define CHANMSG_USERDATA_LEN	    120u

/* A decoded message. Pointers (GPADL ranges / PFNs) point into the
 * buffer that was decoded. */
struct chanmsg {
	uint32_t type;
	union {
		struct {
			uint32_t version, target_vcpu;
			uint64_t interrupt_page; /* < 5.0; >= 5.0: byte 0
						    is msg_sint */
			uint64_t monitor1, monitor2;
		} initiate;
		struct {
			uint8_t supported, conn_state;
			uint32_t msg_conn_id;
		} version_response;
		struct {
			uint8_t if_type[16], if_instance[16];
			uint16_t chn_flags, mmio_megabytes, sub_index;
			uint32_t relid;
			uint8_t monitorid, monitor_allocated;
			uint16_t dedicated_interrupt;
			uint32_t connection_id;
		} offer;
		/* RESCIND, CLOSECHANNEL, RELID_RELEASED */
		struct {
			uint32_t relid;
		} chan;
		struct {
			uint32_t relid, openid, gpadl, target_vp;
			uint32_t downstream_offset; /* pages */
			uint8_t userdata[CHANMSG_USERDATA_LEN];
		} open;
		struct {
			uint32_t relid, openid, status;
		} open_result;
		struct {
			uint32_t relid, gpadl;
			uint16_t range_buflen, rangecount;
			const uint8_t *ranges; /* at offset 20 */
			uint32_t ranges_len;   /* bytes of them here */
		} gpadl_header;
		struct {
			uint32_t msgnumber, gpadl;
			const uint8_t *pfns; /* at offset 16 */
			uint32_t pfns_len;   /* bytes, multiple of 8 */
		} gpadl_body;
		struct {
			uint32_t relid, gpadl, status;
		} gpadl_created;
		struct {
			uint32_t relid, gpadl;
		} gpadl_teardown;
		struct {
			uint32_t gpadl;
		} gpadl_torndown;
		struct {
			uint32_t relid, target_vp;
		} modify;
		struct {
			uint32_t relid;
			int32_t status;
		} modify_response;
	} u;
};

/* Decode `len` bytes. CHANMSG_OK or a negative enum chanmsg_err. Bytes
 * beyond a fixed-size message's fields are ignored (QEMU rounds sizes up
 * to 8); GPADL messages must be exactly 8-byte multiples of PFNs. */
int chanmsg_decode(const void *buf, size_t len, struct chanmsg *m);
/* Encode into buf (cap bytes): the number of bytes written (the type's
 * size; header/body: plus ranges/PFNs), or a negative chanmsg_err. */
int chanmsg_encode(const struct chanmsg *m, void *buf, size_t cap);

#endif
