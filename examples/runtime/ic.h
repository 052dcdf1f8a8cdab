/*
 * examples/runtime/ic.h — the guest side of Hyper-V's integration
 * services (what Linux's hv_utils does): open the shutdown, timesync and
 * heartbeat channels the host offers, answer the host's NEGOTIATE by
 * picking versions as Linux does, echo heartbeats with seq_num + 1,
 * record timesync samples, and answer a shutdown request (poweroff: S_OK,
 * the caller then shuts down; reboot and hibernate: E_FAIL, this runtime
 * cannot do them). Wire format: ../shared/reference/vmbus.md §6.4,
 * vmbus-linux61.md §2.3 and §2.7.
 *
 * Interrupt-driven: the channels are read without masking the host's
 * signals (Linux's HV_CALL_DIRECT), so every host write to an empty ring
 * raises the VMBus vector; ic_client_wait() halts until an interrupt and
 * ic_client_poll() then handles whatever arrived. The host is untrusted:
 * every packet is size-checked before a field is read; bad ones are
 * counted and dropped without an answer (as Linux does).
 */
#ifndef HVRT_IC_H_
#define HVRT_IC_H_

#include <stdint.h>

#include "vmbus.h"

enum ic_client_svc {
	IC_CLIENT_SHUTDOWN,
	IC_CLIENT_TIMESYNC,
	IC_CLIENT_HEARTBEAT,
	IC_CLIENT_NR
};

#define IC_CLIENT_RING_PAGES 4 /* 16 KiB each way, as hv_utils */

struct ic_client_chan {
	struct vmbus_channel ch;
	int present;		/* offered and opened */
	int negotiated;		/* a NEGOTIATE was answered with versions */
	uint16_t fw_major, fw_minor, msg_major, msg_minor; /* chosen */
	unsigned requests;	/* host requests answered */
	uint8_t rings[2 * IC_CLIENT_RING_PAGES * 4096]
	    __attribute__((aligned(4096)));
};

struct ic_client {
	struct vmbus_client *c;
	struct ic_client_chan chan[IC_CLIENT_NR];
	unsigned dropped; /* malformed or unexpected packets */
	/* Heartbeat: how many, and the last seq_num answered. */
	unsigned heartbeats;
	uint64_t last_seq;
	/* Timesync: the last message (100 ns units since 1601). */
	unsigned timesyncs;
	uint64_t parenttime, reftime; /* reftime: v4 only, else 0 */
	uint8_t ts_flags;	      /* 1 SYNC, 2 SAMPLE, 0 PROBE */
	uint64_t ts_ref_at_receipt;   /* our reference counter then */
	/* Shutdown: set once a poweroff was accepted. */
	unsigned shutdowns; /* requests seen */
	int shutdown;	    /* 1: the host asked us to power off */
	uint32_t shutdown_flags;
};

/* Opens every IC channel offered (c has the offers). Returns how many. */
int ic_client_open(struct ic_client *ic, struct vmbus_client *c);
/* Handles every packet waiting on the IC channels; returns how many. */
int ic_client_poll(struct ic_client *ic);
/* Halts until an interrupt arrives (STI; HLT), interrupts off again. */
void ic_client_wait(void);
const char *ic_client_name(enum ic_client_svc s);

/* 100 ns units since 1601 → "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with NUL). */
void ic_format_filetime(uint64_t t, char out[21]);

#endif
