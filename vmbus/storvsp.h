/*
 * vmbus/storvsp.h — the storage VSP: the storvsc protocol (vmbus.md §6.2,
 * §6.3) for one SCSI disk (vmbus/scsi.h) on one channel.
 *
 * The protocol core is a function of one packet: storvsp_handle(bytes,
 * len) → at most one reply (a 64-byte vstor_packet to send as a
 * completion with the request's trans_id, not before `ready_at`, after
 * `cost` ring-0 cycles of VSP work). It touches guest memory only through
 * the GPA-direct page list of the packet (vmbus/gpadl.h, bounds-checked).
 * The hookup to the VSP framework (vmbus/vsp.h: on_packet → handle →
 * vsp_submit → vsp_send_completion) is storvsp_desc().
 */
#ifndef HVSIM_VMBUS_STORVSP_H_
#define HVSIM_VMBUS_STORVSP_H_

#include <stdint.h>

#include "cpu/cpu.h" /* cycles_t */

struct physmem;
struct scsi_lun;
struct storvsp;
struct trace;

#define STORVSP_PKT_SIZE 64u /* vstor_packet; every reply is this long */

/* Operations (vstor_packet.operation). */
enum storvsp_op {
	STORVSP_OP_COMPLETE_IO = 1,
	STORVSP_OP_REMOVE_DEVICE = 2,
	STORVSP_OP_EXECUTE_SRB = 3,
	STORVSP_OP_RESET_LUN = 4,
	STORVSP_OP_RESET_ADAPTER = 5,
	STORVSP_OP_RESET_BUS = 6,
	STORVSP_OP_BEGIN_INIT = 7,
	STORVSP_OP_END_INIT = 8,
	STORVSP_OP_QUERY_PROTOCOL = 9,
	STORVSP_OP_QUERY_PROPERTIES = 10,
	STORVSP_OP_ENUMERATE_BUS = 11,
	STORVSP_OP_FCHBA_DATA = 12,
	STORVSP_OP_CREATE_SUB_CHANNELS = 13,
};

/* NT status values in vstor_packet.status (§6.2). */
#define STORVSP_ST_SUCCESS		  0x00000000u
#define STORVSP_ST_INVALID_PARAMETER	  0xC000000Du
#define STORVSP_ST_INVALID_DEVICE_REQUEST 0xC0000010u
#define STORVSP_ST_REVISION_MISMATCH	  0xC0000059u
#define STORVSP_ST_DEVICE_DOES_NOT_EXIST  0xC00000C0u
#define STORVSP_ST_INVALID_DEVICE_STATE	  0xC0000184u

/* SRB status (vmscsi_request.srb_status). */
#define STORVSP_SRB_SUCCESS	    0x01
#define STORVSP_SRB_ERROR	    0x04
#define STORVSP_SRB_INVALID_REQUEST 0x06
#define STORVSP_SRB_INVALID_LUN	    0x20
#define STORVSP_SRB_AUTOSENSE_VALID 0x80

/* Channel states: one transition per init operation (storvsp.c). */
enum storvsp_state {
	STORVSP_WAIT_BEGIN,   /* after open */
	STORVSP_WAIT_VERSION, /* BEGIN_INITIALIZATION seen */
	STORVSP_VERSIONED,    /* a protocol version accepted */
	STORVSP_READY,	      /* END_INITIALIZATION: SRBs accepted */
};

struct storvsp_config {
	struct scsi_lun *lun;	     /* at path 0, target 0, LUN 0 */
	uint32_t max_transfer_bytes; /* QUERY_PROPERTIES; 0 = 256 KiB */
	struct trace *trace;	     /* may be NULL */
	uint16_t trace_part;	     /* the child's partition index */
};

struct storvsp_reply {
	uint64_t trans_id;
	uint8_t pkt[STORVSP_PKT_SIZE]; /* operation COMPLETE_IO */
	cycles_t ready_at;	       /* the disk model's completion, or now */
	cycles_t cost;		       /* ring-0 cycles of VSP work */
	uint32_t xfer;		       /* SRB data bytes moved, else 0 */
};

enum storvsp_result {
	STORVSP_REPLY = 0,    /* *out is the completion to send */
	STORVSP_NO_REPLY = 1, /* nothing to answer (no completion asked) */
	STORVSP_REFUSED = -1, /* malformed beyond answering; counted */
};

struct storvsp_stats {
	uint64_t packets, srbs, replies, refused, bad_state, bytes_in,
	    bytes_out;
};

struct storvsp *storvsp_create(const struct storvsp_config *cfg);
void storvsp_destroy(struct storvsp *s);
/* The channel (re)opened: back to STORVSP_WAIT_BEGIN. */
void storvsp_reset(struct storvsp *s);
/* The relid its storvsp_complete trace records carry (0 until set). */
void storvsp_set_trace_chan(struct storvsp *s, uint16_t relid);
enum storvsp_state storvsp_state(const struct storvsp *s);
uint16_t storvsp_version(const struct storvsp *s); /* 0 until negotiated */
void storvsp_get_stats(const struct storvsp *s, struct storvsp_stats *out);

/* One packet from the guest: `pkt` is the whole VMBus packet from its
 * 16-byte descriptor (len bytes, trailer excluded); mem is the child's
 * memory for GPA-direct data. A malformed packet that asked for a
 * completion still gets one (error status) so the guest does not hang;
 * every refusal is counted and traced. */
enum storvsp_result storvsp_handle(struct storvsp *s, struct physmem *mem,
				   const uint8_t *pkt, uint32_t len,
				   cycles_t now, struct storvsp_reply *out);

/* ---- on the VSP framework (vmbus/storvsp_vsp.c) ------------------------
 * A SCSI controller offer (interface ba6163d9-…, the given instance GUID
 * in wire order) serving cfg->lun; give storvsp_dev_desc() to the child's
 * VMBus server. Completions wait for the disk model, then for ring room. */
struct storvsp_dev;
struct vsp_desc;
struct storvsp_dev_stats {
	uint64_t sent;	  /* completions written into the guest's ring */
	uint64_t queued;  /* completions that went through the FIFO */
	uint64_t dropped; /* FIFO full, or the channel broke */
	uint64_t pending; /* waiting now for ring room */
};
struct storvsp_dev *storvsp_dev_create(const struct storvsp_config *cfg,
				       const uint8_t instance[16]);
void storvsp_dev_destroy(struct storvsp_dev *d);
const struct vsp_desc *storvsp_dev_desc(struct storvsp_dev *d);
struct storvsp *storvsp_dev_core(struct storvsp_dev *d);
void storvsp_dev_get_stats(const struct storvsp_dev *d,
			   struct storvsp_dev_stats *out);

#endif
