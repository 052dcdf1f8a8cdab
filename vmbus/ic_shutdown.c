/*
 * vmbus/ic_shutdown.c — the shutdown integration service's requests
 * (vmbus/ic_services.h): ic_services_shutdown checks that the channel can
 * take one, then a parent work item sends SHUTDOWN with the request's
 * flags and arms a timeout; the guest's answer is taken by
 * ic_services.c (answered), a missing one is reported here.
 */
#include <stdio.h>
#include <string.h>

#include "vmbus/ic_int.h"

static void shutdown_timeout_work(void *opaque, struct vmbus_channel *ch,
				  const void *d, size_t len, cycles_t now)
{
	struct ic_svc *v = opaque;
	struct ic_services *s = v->owner;
	uint64_t pkt_id;

	(void)ch, (void)now;
	if (s->arming || len != sizeof(pkt_id))
		return; /* no service partition: no timers */
	memcpy(&pkt_id, d, sizeof(pkt_id));
	if (v->ic.state != IC_WAITING || v->ic.want_pkt_id != pkt_id)
		return; /* answered meanwhile */
	ic_timeout(&v->ic);
	s->sd = IC_SD_TIMEOUT;
	fprintf(stderr,
		"hvsim: %s: the guest did not answer the shutdown request "
		"within %llu ms; it keeps running\n",
		s->name, (unsigned long long)(IC_SHUTDOWN_TIMEOUT_NS / 1000000));
}

static void shutdown_work(void *opaque, struct vmbus_channel *ch, const void *d,
			  size_t len, cycles_t now)
{
	struct ic_svc *v = opaque;
	struct ic_services *s = v->owner;
	uint8_t body[IC_SHUTDOWN_BODY];
	uint32_t flags;
	uint64_t pkt_id = 0;
	int n;

	(void)ch;
	if (len != sizeof(flags))
		return;
	memcpy(&flags, d, sizeof(flags));
	ic_shutdown_body(flags, 0, body);
	n = ic_request(&v->ic, body, sizeof(body), s->buf, IC_BUF, &pkt_id);
	if (!ic_svc_send(v, n, pkt_id, now)) {
		if (n >= 0)
			ic_timeout(&v->ic); /* nothing in flight after all */
		s->sd = IC_SD_FAILED;
		return;
	}
	s->arming = true;
	vsp_submit(v->ch, shutdown_timeout_work, v, &pkt_id, sizeof(pkt_id),
		   IC_COST_TIMER, now + ic_ns_to_cycles(s, IC_SHUTDOWN_TIMEOUT_NS));
	s->arming = false;
}

int ic_services_shutdown(struct ic_services *s, uint32_t flags, cycles_t now,
			 char *err, size_t errlen)
{
	struct ic_svc *v = &s->svc[IC_SVC_SHUTDOWN];
	const char *why = NULL;

	if (!v->ch || v->ic.state == IC_CLOSED)
		why = "the guest has not opened its shutdown channel";
	else if (v->ic.state == IC_FAILED)
		why = "the guest's shutdown service has no version in common";
	else if (v->ic.state == IC_NEGOTIATING || !v->ic.msgver.major)
		why = "the shutdown channel is still negotiating";
	else if (v->ic.state == IC_WAITING || s->sd == IC_SD_PENDING)
		why = "a shutdown request is already waiting for the guest";
	else if (flags & ~(IC_SHUTDOWN_FORCE | IC_SHUTDOWN_RESTART))
		why = "unknown shutdown flags";
	if (why) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	s->sd = IC_SD_PENDING;
	if (vsp_submit(v->ch, shutdown_work, v, &flags, sizeof(flags),
		       IC_COST_REQUEST, now) != 0) {
		s->sd = IC_SD_FAILED;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
