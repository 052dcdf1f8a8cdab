/*
 * vmbus/ic_msgs.c — the bodies of the three integration services
 * (vmbus/ic.h; layouts from vmbus.md §6.4, checked against Linux 6.1 in
 * vmbus-linux61.md §2.7): the version lists the host offers, heartbeat,
 * shutdown and timesync bodies, and the heartbeat's bookkeeping. Pure
 * functions: vmbus/ic_services.c sends what they build.
 */
#include <string.h>

#include "sim/le.h"
#include "vmbus/ic.h"

/* Linux 6.1 lists (hv_util.c): shutdown 3.2, 3.1, 3.0, 1.0; timesync
 * 4.0, 3.0, 1.0; heartbeat 3.0, 1.0. We offer the same, best first. */
static const struct ic_version shutdown_versions[] = {
    {3, 2}, {3, 1}, {3, 0}, {1, 0}};
static const struct ic_version timesync_versions[] = {{4, 0}, {3, 0}, {1, 0}};
static const struct ic_version heartbeat_versions[] = {{3, 0}, {1, 0}};

const struct ic_service_desc ic_shutdown_desc = {
    "shutdown", IC_MSG_SHUTDOWN, shutdown_versions, 4};
const struct ic_service_desc ic_timesync_desc = {
    "timesync", IC_MSG_TIMESYNC, timesync_versions, 3};
const struct ic_service_desc ic_heartbeat_desc = {
    "heartbeat", IC_MSG_HEARTBEAT, heartbeat_versions, 2};

/* ---- heartbeat --------------------------------------------------------- */

size_t ic_heartbeat_body(uint64_t seq, uint8_t out[IC_HEARTBEAT_BODY])
{
	memset(out, 0, IC_HEARTBEAT_BODY);
	le_put64(out, seq);
	return IC_HEARTBEAT_BODY;
}

static void miss(struct ic_heartbeat *hb)
{
	hb->missed++;
	if (++hb->missed_in_row >= IC_HB_NO_CONTACT_MISSES)
		hb->health = IC_HEALTH_NO_CONTACT;
}

enum ic_hb_action ic_heartbeat_tick(struct ic_heartbeat *hb, uint64_t *seq)
{
	if (hb->in_flight) {
		miss(hb);
		return hb->health == IC_HEALTH_NO_CONTACT ? IC_HB_PAUSE
							  : IC_HB_WAIT;
	}
	hb->in_flight = true;
	hb->sent_seq = *seq = hb->next_seq++;
	return IC_HB_SEND;
}

int ic_heartbeat_answer(struct ic_heartbeat *hb, const uint8_t *body,
			size_t len)
{
	if (!hb->in_flight)
		return -1;
	hb->in_flight = false;
	if (len < 8 || le_get64(body) != hb->sent_seq + 1) {
		hb->bad_answers++;
		miss(hb);
		return -1;
	}
	hb->beats++;
	hb->missed_in_row = 0;
	hb->health = IC_HEALTH_HEALTHY;
	return 0;
}

const char *ic_health_name(enum ic_health h)
{
	static const char *const names[] = {"off", "none", "healthy",
					    "no-contact"};
	return (unsigned)h < 4 ? names[h] : "?";
}

/* ---- shutdown ---------------------------------------------------------- */

size_t ic_shutdown_body(uint32_t flags, uint32_t timeout_s,
			uint8_t out[IC_SHUTDOWN_BODY])
{
	memset(out, 0, IC_SHUTDOWN_BODY);
	le_put32(out, IC_SHUTDOWN_REASON_PLANNED);
	le_put32(out + 4, timeout_s);
	le_put32(out + 8, flags);
	/* display_message stays empty (all zero). */
	return IC_SHUTDOWN_BODY;
}

/* ---- timesync ---------------------------------------------------------- */

size_t ic_timesync_body(struct ic_version msgver, uint64_t parenttime,
			uint64_t reftime, uint8_t flags, uint8_t out[32])
{
	memset(out, 0, 32);
	le_put64(out, parenttime);
	if (msgver.major >= 4) {
		le_put64(out + 8, reftime); /* vmreferencetime */
		out[16] = flags;	 /* leapflags, stratum: 0 */
		return IC_TIMESYNC_V4_BODY;
	}
	/* childtime and roundtriptime: 0 (the guest fills nothing in). */
	out[24] = flags;
	return IC_TIMESYNC_V3_BODY;
}

uint64_t ic_unix_to_filetime(uint64_t unix_seconds)
{
	return IC_WLTIMEDELTA + unix_seconds * 10000000ull;
}
