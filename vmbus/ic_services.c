/*
 * vmbus/ic_services.c — shutdown, timesync and heartbeat as VSPs
 * (vmbus/ic_services.h says what each does; vmbus/ic.c keeps each
 * channel's protocol state, vmbus/ic_msgs.c builds the bodies).
 *
 * Flow on one channel: the guest opens it → on_open queues the NEGOTIATE
 * as parent work (so it follows the OPENCHANNEL_RESULT) → the guest's
 * answer arrives through on_packet → versions agreed → the service's
 * timer (a vsp_submit item with not_before; one armed at a time) sends
 * its requests, one in flight at a time. A closed channel drops its
 * queued items (the VSP framework checks the channel's generation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/hv.h"
#include "traces/trace.h"
#include "vmbus/ic_int.h"

const uint8_t ic_if_type[IC_NR_SERVICES][16] = {
    [IC_SVC_SHUTDOWN] = {0x31, 0x60, 0x0b, 0x0e, 0x13, 0x52, 0x34, 0x49,
			 0x81, 0x8b, 0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb},
    [IC_SVC_TIMESYNC] = {0x30, 0xe6, 0x27, 0x95, 0xae, 0xd0, 0x7b, 0x49,
			 0xad, 0xce, 0xe8, 0x0a, 0xb0, 0x17, 0x5c, 0xaf},
    [IC_SVC_HEARTBEAT] = {0x39, 0x4f, 0x16, 0x57, 0x15, 0x91, 0x78, 0x4e,
			  0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d},
};

/* 68767369-6963-4000-8000-00000000000N ("hvsi" "ic"), N = id + 1. */
static const uint8_t instance_base[16] = {0x69, 0x73, 0x76, 0x68, 0x63, 0x69,
					  0x00, 0x40, 0x80, 0x00, 0x00, 0x00,
					  0x00, 0x00, 0x00, 0x00};

static const struct ic_service_desc *const svc_desc[IC_NR_SERVICES] = {
    &ic_shutdown_desc, &ic_timesync_desc, &ic_heartbeat_desc};

static void trace_refusal(struct ic_svc *v, enum ic_refusal why, cycles_t now)
{
	struct trace_rec r = {.cycle = now,
			      .kind = TK_VMBUS_REFUSED,
			      .part = v->owner->cfg.trace_part,
			      .chan = (uint16_t)vsp_chan_relid(v->ch),
			      .arg0 = 0x300u | v->ic.svc->msgtype,
			      .arg1 = 0x100u + why};

	if (v->owner->cfg.trace)
		trace_emit(v->owner->cfg.trace, &r);
}

bool ic_svc_send(struct ic_svc *v, int len, uint64_t pkt_id, cycles_t now)
{
	if (len < 0)
		return false;
	return vsp_send_inband(v->ch, pkt_id, v->owner->buf, (uint32_t)len,
			       false, now) == VSP_OK;
}

/* ---- timers ------------------------------------------------------------ */

static void tick_work(void *opaque, struct vmbus_channel *ch, const void *d,
		      size_t len, cycles_t now);

static void arm(struct ic_svc *v, cycles_t at)
{
	struct ic_services *s = v->owner;

	if (v->timer_armed || s->stopping || !v->ch)
		return;
	v->timer_armed = true;
	s->arming = true;
	/* A tick nearly always sends: charged as a request. */
	if (vsp_submit(v->ch, tick_work, v, NULL, 0, IC_COST_REQUEST, at) != 0)
		v->timer_armed = false;
	s->arming = false;
}

static void heartbeat_tick(struct ic_svc *v, cycles_t now)
{
	struct ic_services *s = v->owner;
	uint8_t body[IC_HEARTBEAT_BODY];
	uint64_t seq = 0, pkt_id = 0;
	int n;

	switch (ic_heartbeat_tick(&s->hb, &seq)) {
	case IC_HB_SEND:
		ic_heartbeat_body(seq, body);
		n = ic_request(&v->ic, body, sizeof(body), s->buf, IC_BUF,
			       &pkt_id);
		ic_svc_send(v, n, pkt_id, now); /* unsent: missed at the next tick */
		break;
	case IC_HB_WAIT:
		break;
	case IC_HB_PAUSE: /* resumed by the guest's late answer */
		return;
	}
	arm(v, now + ic_ns_to_cycles(s, s->cfg.heartbeat_ns));
}

static void timesync_tick(struct ic_svc *v, cycles_t now)
{
	struct ic_services *s = v->owner;
	uint64_t ref = hv_part_ref_time(s->cfg.child, now), pkt_id = 0;
	uint8_t body[32];
	size_t blen;
	int n;

	if (v->ic.state != IC_READY) /* last one unanswered: pause */
		return;
	blen = ic_timesync_body(
	    v->ic.msgver, ic_unix_to_filetime(s->cfg.start_unix) + ref, ref,
	    s->synced ? IC_TIMESYNC_SAMPLE : IC_TIMESYNC_SYNC, body);
	n = ic_request(&v->ic, body, blen, s->buf, IC_BUF, &pkt_id);
	ic_svc_send(v, n, pkt_id, now);
	arm(v, now + ic_ns_to_cycles(s, IC_TIMESYNC_INTERVAL_NS));
}

static void tick_work(void *opaque, struct vmbus_channel *ch, const void *d,
		      size_t len, cycles_t now)
{
	struct ic_svc *v = opaque;

	(void)d, (void)len;
	v->timer_armed = false;
	if (v->owner->arming || v->owner->stopping || ch != v->ch)
		return; /* no service partition: no timers */
	if (v->id == IC_SVC_HEARTBEAT)
		heartbeat_tick(v, now);
	else if (v->id == IC_SVC_TIMESYNC)
		timesync_tick(v, now);
}

/* ---- the VSP callbacks ------------------------------------------------- */

static void negotiate_work(void *opaque, struct vmbus_channel *ch,
			   const void *d, size_t len, cycles_t now)
{
	struct ic_svc *v = opaque;
	uint64_t pkt_id = 0;

	(void)ch, (void)d, (void)len;
	int n = ic_negotiate(&v->ic, v->owner->buf, IC_BUF, &pkt_id);

	ic_svc_send(v, n, pkt_id, now); /* n first: it sets pkt_id */
}

static uint32_t on_open(void *opaque, struct vmbus_channel *ch, cycles_t now)
{
	struct ic_svc *v = opaque;
	struct ic_services *s = v->owner;

	if (v->ch)
		return 0xC0000001u; /* one channel per service */
	v->ch = ch;
	v->timer_armed = false;
	s->stopping = false;
	ic_open(&v->ic);
	if (v->id == IC_SVC_HEARTBEAT)
		s->hb = (struct ic_heartbeat){
		    .health = s->cfg.heartbeat_ns ? IC_HEALTH_NONE
						  : IC_HEALTH_OFF,
		    .next_seq = s->hb.next_seq};
	if (v->id == IC_SVC_TIMESYNC)
		s->synced = false;
	if (v->id == IC_SVC_SHUTDOWN && s->sd == IC_SD_PENDING)
		s->sd = IC_SD_FAILED;
	if (vsp_submit(ch, negotiate_work, v, NULL, 0, IC_COST_REQUEST, now))
		return 0xC0000001u;
	return 0;
}

static void answered(struct ic_svc *v, const struct ic_response *r,
		     cycles_t now)
{
	struct ic_services *s = v->owner;

	switch (v->id) {
	case IC_SVC_HEARTBEAT:
		ic_heartbeat_answer(&s->hb, r->body, r->body_len);
		arm(v, now + ic_ns_to_cycles(s, s->cfg.heartbeat_ns));
		break;
	case IC_SVC_TIMESYNC:
		s->timesyncs++;
		s->synced = true;
		arm(v, now + ic_ns_to_cycles(s, IC_TIMESYNC_INTERVAL_NS));
		break;
	case IC_SVC_SHUTDOWN:
		s->sd_status = r->hdr.status;
		s->sd = r->hdr.status == IC_S_OK ? IC_SD_ACCEPTED
						 : IC_SD_REFUSED;
		if (s->sd == IC_SD_ACCEPTED)
			s->stopping = true; /* the child is going down */
		break;
	default:
		break;
	}
}

static void on_packet(void *opaque, struct vmbus_channel *ch,
		      const struct vsp_packet *p, cycles_t now)
{
	struct ic_svc *v = opaque;
	struct ic_response r;
	enum ic_refusal why;

	if (ch != v->ch)
		return;
	switch (ic_receive(&v->ic, p->type, vsp_payload(p), vsp_payload_len(p),
			   p->trans_id, &r, &why)) {
	case IC_RX_REFUSED:
		trace_refusal(v, why, now);
		break;
	case IC_RX_NO_VERSION:
		fprintf(stderr,
			"hvsim: %s: %s: the guest has no version in common\n",
			v->owner->name, v->ic.svc->name);
		break;
	case IC_RX_AGREED:
		if (v->id == IC_SVC_TIMESYNC ||
		    (v->id == IC_SVC_HEARTBEAT && v->owner->cfg.heartbeat_ns))
			arm(v, now); /* the first SYNC / beat at once */
		break;
	case IC_RX_RESPONSE:
		answered(v, &r, now);
		break;
	}
}

static void on_close(void *opaque, struct vmbus_channel *ch)
{
	struct ic_svc *v = opaque;

	if (ch != v->ch)
		return;
	ic_close(&v->ic);
	v->ch = NULL;
	v->timer_armed = false;
	if (v->id == IC_SVC_HEARTBEAT && v->owner->hb.health != IC_HEALTH_OFF)
		v->owner->hb.health = IC_HEALTH_NONE;
	if (v->id == IC_SVC_SHUTDOWN && v->owner->sd == IC_SD_PENDING)
		v->owner->sd = IC_SD_FAILED;
}

static const struct vsp_ops ic_ops = {
    .on_open = on_open,
    .on_packet = on_packet,
    .on_close = on_close,
};

/* ---- life -------------------------------------------------------------- */

struct ic_services *ic_services_create(const struct ic_config *cfg)
{
	struct ic_services *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cfg = *cfg;
	snprintf(s->name, sizeof(s->name), "%s", cfg->name ? cfg->name : "?");
	s->cfg.name = s->name;
	s->hb.health = cfg->heartbeat_ns ? IC_HEALTH_NONE : IC_HEALTH_OFF;
	for (unsigned i = 0; i < IC_NR_SERVICES; i++) {
		struct ic_svc *v = &s->svc[i];
		v->owner = s;
		v->id = (enum ic_service_id)i;
		v->ic.svc = svc_desc[i];
		v->desc.name = svc_desc[i]->name;
		memcpy(v->desc.if_type, ic_if_type[i], 16);
		memcpy(v->desc.if_instance, instance_base, 16);
		v->desc.if_instance[15] = (uint8_t)(i + 1);
		v->desc.max_send = IC_BUF;
		v->desc.ops = &ic_ops;
		v->desc.opaque = v;
	}
	return s;
}

void ic_services_destroy(struct ic_services *s)
{
	free(s);
}

const struct vsp_desc *ic_services_desc(struct ic_services *s,
					enum ic_service_id id)
{
	return (unsigned)id < IC_NR_SERVICES ? &s->svc[id].desc : NULL;
}

void ic_services_status(const struct ic_services *s, struct ic_status *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < IC_NR_SERVICES; i++) {
		out->state[i] = s->svc[i].ic.state;
		out->msgver[i] = s->svc[i].ic.msgver;
		out->refused += s->svc[i].ic.st.refused;
	}
	out->heartbeat = s->hb;
	out->timesyncs = s->timesyncs;
	out->shutdown = s->sd;
	out->shutdown_status = s->sd_status;
}

const char *ic_shutdown_result_name(enum ic_shutdown_result r)
{
	static const char *const names[] = {"none",	"pending", "accepted",
					    "refused", "timeout", "failed"};
	return (unsigned)r < 6 ? names[r] : "?";
}
