/*
 * vmbus/ic_int.h — what the integration services' files share
 * (vmbus/ic_services.c: channels, timers, heartbeat and timesync;
 * vmbus/ic_shutdown.c: shutdown requests). Only they include it.
 */
#ifndef HVSIM_VMBUS_IC_INT_H_
#define HVSIM_VMBUS_IC_INT_H_

#include <stdbool.h>

#include "vmbus/ic_services.h"

#define IC_BUF 4096 /* largest IC packet (Linux's bounce buffer) */

/* One service: its VSP descriptor, its channel's IC state. */
struct ic_svc {
	struct ic_services *owner;
	enum ic_service_id id;
	struct vsp_desc desc;
	struct ic_chan ic;
	struct vmbus_channel *ch; /* open channel, or NULL */
	bool timer_armed;
};

/* A child's three services and what they learned. */
struct ic_services {
	struct ic_config cfg;
	char name[64];
	struct ic_svc svc[IC_NR_SERVICES];
	bool arming;   /* inside vsp_submit (no parent: runs at once) */
	bool stopping; /* the guest accepted a shutdown */
	struct ic_heartbeat hb;
	bool synced;
	uint64_t timesyncs;
	enum ic_shutdown_result sd;
	uint32_t sd_status;
	uint8_t buf[IC_BUF];
};

/* Simulated nanoseconds to cycles at the machine's clock. */
static inline cycles_t ic_ns_to_cycles(const struct ic_services *s,
				       uint64_t ns)
{
	return (cycles_t)((unsigned __int128)ns * s->cfg.freq_hz / 1000000000u);
}

/* Send what ic_negotiate/ic_request built into s->buf (len < 0: nothing
 * was built); false if it did not go. */
bool ic_svc_send(struct ic_svc *v, int len, uint64_t pkt_id, cycles_t now);

#endif
