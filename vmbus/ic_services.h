/*
 * vmbus/ic_services.h — the integration services Hyper-V offers every
 * child by default, as VSPs (vmbus/vsp.h) on the IC framework
 * (vmbus/ic.h): shutdown, time synchronization and heartbeat, one VMBus
 * channel each.
 *
 *   shutdown   on request (management API `system_powerdown`) one
 *              SHUTDOWN message with the request's flags (poweroff,
 *              reboot, force); the guest's status comes back; no answer
 *              within the timeout is reported as such (the child is left
 *              alone). Once the guest accepted, the other services stop
 *              their timers (the child is going down).
 *   timesync   after negotiation a SYNC with the partition's wall clock,
 *              then a SAMPLE every IC_TIMESYNC_INTERVAL_NS. Wall clock =
 *              the scenario's start time + the partition's reference time
 *              (deterministic); message version >= 4 carries
 *              vmreferencetime = the reference counter value it was
 *              taken at, older ones the v3 layout.
 *   heartbeat  after negotiation a HEARTBEAT every interval (a setting;
 *              Hyper-V's 2 s; 0 = off) whose seq_num the guest must echo
 *              + 1; health "healthy" or, after missed or wrong answers,
 *              "no-contact" (ic.h struct ic_heartbeat).
 *
 * GUIDs (wire order in ic_services.c): the interfaces of vmbus.md §6.1;
 * instances fixed and hvsim's own:
 *   shutdown  0e0b6031-5213-4934-818b-38d90ced39db / 68767369-6963-4000-8000-000000000001
 *   timesync  9527e630-d0ae-497b-adce-e80ab0175caf / 68767369-6963-4000-8000-000000000002
 *   heartbeat 57164f39-9115-4e78-ab55-382f3bd5422d / 68767369-6963-4000-8000-000000000003
 *
 * Costs (ring 0 of a parent vCPU): building and sending a request — the
 * NEGOTIATE, a heartbeat or timesync tick, a shutdown — IC_COST_REQUEST;
 * a shutdown's timeout check IC_COST_TIMER; the guest's answers are
 * handled inside the packet read the VSP framework already charges
 * (VMBUS_COST_EVENT, VMBUS_COST_PACKET).
 * Timers are parent work items with not_before; with no service
 * partition (some unit tests) there are no timers.
 *
 * Every packet from the guest goes through ic_receive's checks; a refused
 * one is dropped, counted and traced as TK_VMBUS_REFUSED {0x300 |
 * msgtype, 0x100 + enum ic_refusal}.
 */
#ifndef HVSIM_VMBUS_IC_SERVICES_H_
#define HVSIM_VMBUS_IC_SERVICES_H_

#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "vmbus/ic.h"
#include "vmbus/vsp.h"

struct hv_part;
struct trace;
struct ic_services;

#define IC_COST_REQUEST		3000 /* build + write one IC message [U] */
#define IC_COST_TIMER		500  /* a timeout check (usually no work) */
#define IC_TIMESYNC_INTERVAL_NS 5000000000ull /* SAMPLE period (ours) */
#define IC_SHUTDOWN_TIMEOUT_NS	10000000000ull /* answer within 10 s */
#define IC_DEFAULT_START_TIME	1767225600ull  /* 2026-01-01T00:00:00Z */

enum ic_service_id {
	IC_SVC_SHUTDOWN,
	IC_SVC_TIMESYNC,
	IC_SVC_HEARTBEAT,
	IC_NR_SERVICES
};

struct ic_config {
	struct hv_part *child; /* its reference time */
	const char *name;      /* the partition, for messages */
	uint64_t freq_hz;
	uint64_t heartbeat_ns;	  /* 0: no heartbeats */
	uint64_t start_unix;	  /* wall clock at reference time 0 */
	struct trace *trace;	  /* may be NULL */
	uint16_t trace_part;
};

/* What a shutdown request came to. */
enum ic_shutdown_result {
	IC_SD_NONE,	/* none asked */
	IC_SD_PENDING,	/* sent (or about to be), no answer yet */
	IC_SD_ACCEPTED, /* the guest answered S_OK */
	IC_SD_REFUSED,	/* the guest answered another status */
	IC_SD_TIMEOUT,	/* no answer within IC_SHUTDOWN_TIMEOUT_NS */
	IC_SD_FAILED,	/* could not be sent (ring full, closed) */
};

struct ic_status {
	enum ic_state state[IC_NR_SERVICES];
	struct ic_version msgver[IC_NR_SERVICES]; /* agreed, or 0.0 */
	struct ic_heartbeat heartbeat;
	uint64_t timesyncs; /* answered SYNC/SAMPLE messages */
	enum ic_shutdown_result shutdown;
	uint32_t shutdown_status; /* the guest's HRESULT */
	uint64_t refused;	  /* packets refused, all services */
};

struct ic_services *ic_services_create(const struct ic_config *cfg);
void ic_services_destroy(struct ic_services *s);
/* The VSP descriptor of one service (give it to vmbus_server_add_vsp). */
const struct vsp_desc *ic_services_desc(struct ic_services *s,
					enum ic_service_id id);
/* Ask the guest to shut down (flags: IC_SHUTDOWN_FORCE, _RESTART).
 * 0, or -1 with the reason in err (channel not open, not negotiated,
 * a request already waiting). */
int ic_services_shutdown(struct ic_services *s, uint32_t flags, cycles_t now,
			 char *err, size_t errlen);
void ic_services_status(const struct ic_services *s, struct ic_status *out);
const char *ic_shutdown_result_name(enum ic_shutdown_result r);
/* The interface GUIDs (wire order), for tests and guests. */
extern const uint8_t ic_if_type[IC_NR_SERVICES][16];

#endif
