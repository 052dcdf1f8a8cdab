/*
 * examples/runtime/storvsc.h — a storage VSC for guest kernels: the
 * client side of the storvsc protocol (../shared/reference/vmbus.md §6.2,
 * §6.3) over one VMBus channel (vmbus.h), with several requests in flight.
 *
 * Life of a client:
 *   storvsc_open   opens the SCSI controller's channel (rings in the
 *                  caller's buffer) and runs the init sequence Linux's
 *                  storvsc runs: BEGIN_INITIALIZATION,
 *                  QUERY_PROTOCOL_VERSION (6.2, then 6.0, then 5.1 while
 *                  the host says REVISION_MISMATCH), QUERY_PROPERTIES,
 *                  END_INITIALIZATION, all with trans_id VMBUS_RQST_INIT;
 *   storvsc_submit sends one SCSI command (EXECUTE_SRB): in-band without
 *                  data, GPA-direct with data; returns at once;
 *   storvsc_poll / storvsc_wait take completions off the inbound ring and
 *                  match them to requests by transaction id (slot + 1,
 *                  as Linux's request ids 1..N); storvsc_wait halts the
 *                  vCPU (STI; HLT) until the VMBus interrupt or the
 *                  watchdog tick when nothing has arrived;
 *   storvsc_close  closes the channel.
 * Synchronous helpers (storvsc_cmd, storvsc_read/write/...) submit one
 * command and wait for it.
 *
 * Waits are bounded: a periodic synthetic timer (STORVSC_TICK_*) wakes a
 * halted wait, which gives up after `wait_cycles` TSC cycles without a
 * completion (VMBUS_E_TIMEOUT). One client per guest (the timer and its
 * vector are the runtime's), one vCPU, identity-mapped buffers. Completions
 * come from the host, so they are checked like any untrusted input: size,
 * operation, transaction id of a request actually in flight.
 * Users: examples/guests/storage.c, vmbus_disk.c.
 */
#ifndef HVRT_STORVSC_H_
#define HVRT_STORVSC_H_

#include <stdint.h>

#include "vmbus.h"

#define STORVSC_MAX_QD	   64 /* requests in flight at most */
#define STORVSC_PKT_SIZE   64 /* vstor_packet */
#define STORVSC_SENSE_SIZE 20 /* sense bytes the host may return */
#define STORVSC_RQST_INIT  0xFFFFFFFFFFFFFFFDull /* init-phase trans_id */
/* The watchdog: synthetic timer 3, direct mode, every 10 ms. */
#define STORVSC_TICK_TIMER  3
#define STORVSC_TICK_VECTOR 0xF4
#define STORVSC_TICK_100NS  100000

/* vstor_packet operations (§6.2) the client uses. */
enum storvsc_op {
	STORVSC_OP_COMPLETE_IO = 1,
	STORVSC_OP_EXECUTE_SRB = 3,
	STORVSC_OP_BEGIN_INIT = 7,
	STORVSC_OP_END_INIT = 8,
	STORVSC_OP_QUERY_PROTOCOL = 9,
	STORVSC_OP_QUERY_PROPERTIES = 10,
};

/* Data direction of an SRB (vmscsi_request.data_in). */
enum storvsc_dir {
	STORVSC_DATA_OUT = 0, /* WRITE: guest -> disk */
	STORVSC_DATA_IN = 1,  /* READ: disk -> guest */
	STORVSC_NO_DATA = 2,
};

/* Errors beyond vmbus_err (negative). */
#define STORVSC_E_BUSY	   -20 /* every slot in flight, or the ring full */
#define STORVSC_E_PROTOCOL -21 /* the host broke the protocol */

/* Init steps, in order; storvsc_open leaves the one it reached. */
enum storvsc_step {
	STORVSC_STEP_OPEN,
	STORVSC_STEP_BEGIN,
	STORVSC_STEP_VERSION,
	STORVSC_STEP_PROPERTIES,
	STORVSC_STEP_END,
	STORVSC_STEP_READY, /* every step done */
};

/* One request slot: trans_id = slot index + 1. */
struct storvsc_req {
	int busy;   /* submitted, completion not yet seen */
	int done;   /* completed; the fields below are valid */
	int queued; /* done, not yet handed out by storvsc_next_done */
	/* From the completion (vstor_packet, vmscsi_request). */
	uint32_t status; /* NT status */
	uint8_t srb_status, scsi_status, sense_len;
	uint32_t xfer; /* data_transfer_length */
	uint8_t sense[STORVSC_SENSE_SIZE];
	uint64_t t_submit, t_done; /* TSC */
	uint64_t tag;		   /* the caller's, untouched */
};

struct storvsc {
	struct vmbus_channel ch;
	enum storvsc_step step; /* how far storvsc_open got */
	uint16_t version;	/* negotiated, e.g. 0x0602 */
	/* QUERY_PROPERTIES. */
	uint16_t max_channels;
	uint32_t prop_flags, max_transfer;
	uint8_t last[STORVSC_PKT_SIZE]; /* last init completion, as sent */
	uint64_t wait_cycles;
	unsigned max_qd; /* slots used: <= STORVSC_MAX_QD */
	unsigned inflight;
	uint64_t free_slots; /* bit i: slot i neither busy nor done */
	struct storvsc_req req[STORVSC_MAX_QD];
	/* Completed slots not yet handed out, oldest first: done_n of them
	 * from done_q[done_head] on, circularly. */
	uint8_t done_q[STORVSC_MAX_QD];
	unsigned done_head, done_n;
	/* Counters. */
	uint64_t submitted, completed, halts, unexpected;
};

/* Opens `offer` (a SCSI controller) with rings of ring_pages pages each
 * way at `rings` (2 * ring_pages page-aligned pages), runs the init
 * sequence and arms the watchdog. max_qd: requests in flight (1..
 * STORVSC_MAX_QD). 0 or a negative error; s->step says where it stopped. */
int storvsc_open(struct storvsc *s, struct vmbus_client *c,
		 const struct vmbus_offer *offer, void *rings,
		 uint32_t ring_pages, unsigned max_qd, uint64_t wait_cycles);
/* Stops the watchdog, closes the channel (GPADL torn down). */
int storvsc_close(struct storvsc *s);

/* Sends one SCSI command; `len` bytes at `buf` move in direction `dir`
 * (at most VMBUS_GPA_DIRECT_MAX_PFNS pages). Returns the slot (>= 0; its
 * req is reset, t_submit set, tag = `tag`), STORVSC_E_BUSY when no slot
 * or ring room is free (poll, then retry), or another negative error. */
int storvsc_submit(struct storvsc *s, const uint8_t *cdb, uint8_t cdb_len,
		   enum storvsc_dir dir, void *buf, uint32_t len, uint64_t tag);
/* The slot the next storvsc_submit will take (the lowest free one), or
 * -1 when all are busy or completed but not released. Inline: called
 * per request; the lowest set bit is one instruction. */
static inline int storvsc_next_slot(const struct storvsc *s)
{
	return s->free_slots ? __builtin_ctzll(s->free_slots) : -1;
}
/* Takes every completion waiting in the ring; returns how many matched a
 * request (>= 0) or a negative error (corrupt ring). */
int storvsc_poll(struct storvsc *s);
/* Polls; if nothing completed, halts until something does (bounded by
 * wait_cycles). Returns completions taken (> 0) or a negative error. */
int storvsc_wait(struct storvsc *s);
/* Waits for slot `slot` to complete (others complete meanwhile). */
int storvsc_wait_slot(struct storvsc *s, int slot);
/* The slot of the oldest completion not handed out yet, or -1: each
 * completion once, in the order they arrived, so a caller with many
 * requests in flight need not scan its slots. The slot stays done (its
 * fields valid) until storvsc_release. */
int storvsc_next_done(struct storvsc *s);
/* Frees a completed slot for reuse (storvsc_submit takes free slots). */
void storvsc_release(struct storvsc *s, int slot);

/* Synchronous: submit, wait, copy the result to *out (may be NULL),
 * release. 0 when the command ran (check storvsc_good / the fields). */
int storvsc_cmd(struct storvsc *s, const uint8_t *cdb, uint8_t cdb_len,
		enum storvsc_dir dir, void *buf, uint32_t len,
		struct storvsc_req *out);
/* 1 when status, SRB status and SCSI status all say success. */
static inline int storvsc_good(const struct storvsc_req *r)
{
	return r->status == 0 && (r->srb_status & 0x3F) == 1 &&
	       r->scsi_status == 0;
}

/* CDB builders (big-endian fields, §6.3); each returns the CDB length. */
uint8_t storvsc_cdb_rw(uint8_t *cdb, int write, uint64_t lba, uint32_t blocks,
		       int use16);
uint8_t storvsc_cdb_read_capacity(uint8_t *cdb, int use16, uint32_t alloc);
uint8_t storvsc_cdb_inquiry(uint8_t *cdb, uint8_t alloc);
uint8_t storvsc_cdb_sync_cache(uint8_t *cdb);

/* Synchronous SCSI helpers; 0 on GOOD, else -1 (or a negative error). */
int storvsc_inquiry(struct storvsc *s, uint8_t *buf, uint8_t alloc,
		    struct storvsc_req *out);
/* READ CAPACITY(16), or (10) when use16 is 0: block count and size. */
int storvsc_capacity(struct storvsc *s, int use16, uint64_t *blocks,
		     uint32_t *block_size);
/* READ/WRITE(10) when the LBA and count fit, else (16). */
int storvsc_rw(struct storvsc *s, int write, uint64_t lba, uint32_t blocks,
	       uint32_t block_size, void *buf, struct storvsc_req *out);
int storvsc_sync_cache(struct storvsc *s);

#endif
