/*
 * vmbus/server.c — the VMBus server of one child: its connection state
 * machine, the messages in (hv/port.c handlers on connections 1 and 4)
 * and out (hv_post_message into SINT 2 of the target vCPU, queued while
 * the slot is busy), version negotiation and offers. The channel state
 * machine is vmbus/channel.c; the data path is vmbus/vsp.c.
 *
 * Spec: vmbus.md §4.1 (connection ids), §4.2 (versions), §4.3/§4.4
 * (messages), §4.5 (Linux's sequence), §9 items 5–9; errata
 * vmbus-linux61.md §4.
 *
 * Version rules (§4.2, §9 item 5): we speak 5.3, 5.2, 5.1, 5.0, 4.1, 4.0
 * and 3.0 (Linux 6.1 tries them in that order). INITIATE_CONTACT for
 * >= 5.0 must come on connection 4 and is answered with msg_conn_id 1;
 * < 5.0 must come on connection 1. A contact on the wrong connection, or
 * for a version we do not speak, gets version_supported = 0 so the guest
 * tries its next version. Control messages go to INITIATE_CONTACT's
 * target_vcpu (honoured from 3.0), on SINT 2, or for >= 5.0 the msg_sint
 * byte. Every other message is accepted only on connection 1, once
 * connected.
 *
 * The connection's transitions are one table, conn_table[state][type]:
 * a row gives the action (which may refuse by its own checks, e.g. a
 * message newer than the agreed version); no row = illegal, refused and
 * counted. Channel messages go on to the channel's own table.
 *
 * Every handler runs as parent work (hv_submit_work, ring 0, cost
 * VMBUS_COST_CTRL_MSG). Work queued before a reset/destroy carries the
 * old generation and is dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "hv/hv.h"
#include "hv/hvdefs.h"
#include "traces/trace.h"
#include "vmbus/instrument.h"
#include "vmbus/server_int.h"

/* Versions we accept, newest first. */
static const uint32_t versions[] = {
    VMBUS_VERSION_V5_3,	  VMBUS_VERSION_V5_2, VMBUS_VERSION_V5_1,
    VMBUS_VERSION_V5_0,	  VMBUS_VERSION_V4_1, VMBUS_VERSION_WIN10,
    VMBUS_VERSION_WIN8_1,
};

#define PORT_CONN1	  0
#define PORT_CONN4	  1
/* VERSION_RESPONSE connection_state (§4.4). */
#define CONN_STATE_OK	  0
#define CONN_STATE_FAILED 2

/* ---- tracing, refusals ----------------------------------------------------
 */

void srv_trace(struct vmbus_server *s, unsigned kind, uint32_t relid,
	       uint64_t txn, uint64_t a0, uint64_t a1, cycles_t now)
{
	struct trace_rec r = {.cycle = now,
			      .kind = (uint16_t)kind,
			      .part = (uint16_t)hv_part_id(s->child),
			      .vp = (uint16_t)s->target_vp,
			      .chan = (uint16_t)relid,
			      .txn = txn,
			      .arg0 = a0,
			      .arg1 = a1};

	if (s->trace)
		trace_emit(s->trace, &r);
}

/* A refused message: counted, and traced as vmbus_refused {type,
 * reason}. */
void srv_refuse(struct vmbus_server *s, enum vmbus_refusal why, uint32_t type,
		uint32_t relid, cycles_t now)
{
	s->st.refused[why]++;
	s->st.refused_total++;
	srv_trace(s, TK_VMBUS_REFUSED, relid, 0, type, why, now);
}

/* ---- messages out ------------------------------------------------------- */

static unsigned post(struct vmbus_server *s, const uint8_t *b, unsigned len)
{
	return hv_post_message(s->child, s->target_vp, s->sint,
			       VMBUS_MESSAGE_TYPE, b, len);
}

static void retry_work(void *opaque, const void *data, size_t len,
		       cycles_t now);

/* Try again later, backing off exponentially (the guest may be slow to
 * EOM) up to VMBUS_RETRY_MAX tries without progress; after that only the
 * guest's next message or channel signal flushes (a guest that never
 * EOMs must not keep a parent vCPU busy, nor the run alive, forever).
 * Without a parent partition the work runs at once: `arming` keeps that
 * from recursing. */
static void arm_retry(struct vmbus_server *s, cycles_t now)
{
	cycles_t delay = VMBUS_COST_RETRY_DELAY;

	if (s->retry_armed || s->arming || s->retries >= VMBUS_RETRY_MAX)
		return;
	for (unsigned i = 0; i < s->retries && delay < VMBUS_RETRY_DELAY_MAX;
	     i++)
		delay *= 2;
	s->retry_armed = s->arming = true;
	s->retries++;
	hv_submit_work(s->hv, retry_work, s, &s->gen, sizeof(s->gen),
		       VMBUS_COST_CTRL_MSG / 4, 0, now + delay);
	s->arming = false;
}

/* Post what is queued, in order, until the slot is busy again. */
void srv_flush(struct vmbus_server *s, cycles_t now)
{
	while (s->outq_len) {
		struct srv_outmsg *o = &s->outq[s->outq_head];
		unsigned st = post(s, o->b, o->len);

		if (st == HV_STATUS_INSUFFICIENT_BUFFERS) {
			arm_retry(s, now);
			return;
		}
		if (st == HV_STATUS_SUCCESS)
			s->st.msgs_out++;
		else
			s->st.out_dropped++; /* SynIC off: the guest's loss */
		s->outq_head = (s->outq_head + 1) % VMBUS_OUTQ_MAX;
		s->outq_len--;
		s->retries = 0;
	}
}

static void retry_work(void *opaque, const void *data, size_t len, cycles_t now)
{
	struct vmbus_server *s = opaque;
	uint32_t gen;

	memcpy(&gen, data, sizeof(gen));
	(void)len;
	if (gen != s->gen)
		return;
	s->retry_armed = false;
	srv_flush(s, now);
}

void vmbus_server_flush(struct vmbus_server *s)
{
	s->retries = 0;
	srv_flush(s, 0);
}

void srv_send(struct vmbus_server *s, const struct chanmsg *m, cycles_t now)
{
	uint8_t b[VMBUS_MSG_MAX];
	int n = chanmsg_encode(m, b, sizeof(b));
	struct srv_outmsg *o;

	if (n < 0)
		return; /* a bug of ours; the tests catch it */
	srv_flush(s, now);
	if (!s->outq_len) {
		unsigned st = post(s, b, (unsigned)n);

		if (st == HV_STATUS_SUCCESS) {
			s->st.msgs_out++;
			return;
		}
		if (st != HV_STATUS_INSUFFICIENT_BUFFERS) {
			s->st.out_dropped++;
			return;
		}
	}
	if (s->outq_len == VMBUS_OUTQ_MAX) {
		s->st.out_dropped++;
		return;
	}
	s->st.post_retries++;
	o = &s->outq[(s->outq_head + s->outq_len) % VMBUS_OUTQ_MAX];
	o->len = (unsigned)n;
	memcpy(o->b, b, (size_t)n);
	s->outq_len++;
	arm_retry(s, now);
}

/* ---- lookups --------------------------------------------------------------
 */

struct vmbus_channel *srv_chan(struct vmbus_server *s, uint32_t relid)
{
	if (relid == 0 || relid > VMBUS_MAX_CHANNELS)
		return NULL;
	return s->ch[relid - 1].state == VMBUS_CH_FREE ? NULL
						       : &s->ch[relid - 1];
}

struct srv_gpadl *srv_gpadl_find(struct vmbus_server *s, uint32_t handle)
{
	for (unsigned i = 0; i < VMBUS_MAX_GPADLS; i++)
		if (s->gpadl[i].used && s->gpadl[i].handle == handle)
			return &s->gpadl[i];
	return NULL;
}

/* ---- offers ---------------------------------------------------------------
 */

void srv_send_offer(struct vmbus_server *s, struct vmbus_channel *ch,
		    cycles_t now)
{
	struct chanmsg m = {.type = CHANMSG_OFFERCHANNEL};

	memcpy(m.u.offer.if_type, ch->vsp->if_type, 16);
	memcpy(m.u.offer.if_instance, ch->vsp->if_instance, 16);
	m.u.offer.mmio_megabytes = ch->vsp->mmio_megabytes;
	m.u.offer.relid = ch->relid;
	m.u.offer.monitorid = 0xFF; /* none: monitor_allocated = 0 (§9.9) */
	m.u.offer.monitor_allocated = 0;
	m.u.offer.dedicated_interrupt = 1;
	m.u.offer.connection_id = ch->conn_id;
	ch->offered = true;
	srv_trace(s, TK_VMBUS_ONOFFER, ch->relid, 0, 0xFF, ch->conn_id, now);
	srv_send(s, &m, now);
}

int vmbus_server_add_vsp(struct vmbus_server *s, const struct vsp_desc *d,
			 cycles_t now)
{
	for (unsigned i = 0; i < VMBUS_MAX_CHANNELS; i++) {
		struct vmbus_channel *ch = &s->ch[i];

		if (ch->state != VMBUS_CH_FREE)
			continue;
		memset(ch, 0, sizeof(*ch));
		ch->s = s;
		ch->relid = i + 1;
		ch->conn_id = VMBUS_CHAN_CONN_BASE | ch->relid;
		ch->vsp = d;
		ch->state = VMBUS_CH_OFFERED;
		if (s->state == VMBUS_OFFERED)
			srv_send_offer(s, ch, now);
		return (int)ch->relid;
	}
	return -1;
}

int vmbus_server_rescind(struct vmbus_server *s, uint32_t relid, cycles_t now)
{
	struct vmbus_channel *ch = srv_chan(s, relid);

	if (!ch)
		return -1;
	return chan_on_event(ch, CHEV_RESCIND, NULL, now);
}

/* ---- the connection's actions ----------------------------------------------
 */

static bool version_known(uint32_t v)
{
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i] == v)
			return true;
	return false;
}

/* Can we accept this INITIATE_CONTACT? The connection_state to answer
 * with, or -1 for "version not supported". */
static int contact_ok(struct vmbus_server *s, uint32_t conn_id,
		      const struct chanmsg *m)
{
	uint32_t v = m->u.initiate.version;
	bool v5 = v >= VMBUS_VERSION_V5_0;

	if (!version_known(v))
		return -1;
	/* >= 5.0 only on connection 4, < 5.0 only on 1 (§4.1, §9.5). */
	if (v5 != (conn_id == VMBUS_MESSAGE_CONNECTION_ID_4))
		return -1;
	if (m->u.initiate.target_vcpu >= hv_part_nr_vps(s->child))
		return CONN_STATE_FAILED;
	if (v5 && (m->u.initiate.interrupt_page & 0xFF) >= HV_SYNIC_SINT_COUNT)
		return CONN_STATE_FAILED;
	/* Exactly one monitor page is a malformed request (OpenVMM). */
	if (!m->u.initiate.monitor1 != !m->u.initiate.monitor2)
		return CONN_STATE_FAILED;
	return CONN_STATE_OK;
}

static void act_initiate(struct vmbus_server *s, uint32_t conn_id,
			 unsigned from_vp, const struct chanmsg *m,
			 cycles_t now)
{
	struct chanmsg r = {.type = CHANMSG_VERSION_RESPONSE};
	uint32_t v = m->u.initiate.version;
	int cs = contact_ok(s, conn_id, m);

	srv_trace(s, TK_VMBUS_NEGOTIATE_VERSION, 0, 0, v,
		  m->u.initiate.target_vcpu, now);
	if (cs == CONN_STATE_OK) {
		s->version = v;
		s->target_vp =
		    v >= VMBUS_VERSION_WIN8_1 ? m->u.initiate.target_vcpu : 0;
		s->sint = v >= VMBUS_VERSION_V5_0
			      ? (unsigned)(m->u.initiate.interrupt_page & 0xFF)
			      : VMBUS_MESSAGE_SINT;
		s->state = VMBUS_CONNECTED;
		r.u.version_response.supported = 1;
		if (v >= VMBUS_VERSION_V5_0)
			r.u.version_response.msg_conn_id =
			    VMBUS_MESSAGE_CONNECTION_ID;
	} else {
		/* Answer where the guest can hear it: its own vCPU (a
		 * caller's vCPU index that is not the child's: vCPU 0). */
		s->target_vp =
		    from_vp < hv_part_nr_vps(s->child) ? from_vp : 0;
		s->sint = VMBUS_MESSAGE_SINT;
		s->st.versions_refused++;
		r.u.version_response.conn_state =
		    cs < 0 ? CONN_STATE_OK : CONN_STATE_FAILED;
	}
	srv_trace(s, TK_VMBUS_ONVERSION_RESPONSE, 0, 0,
		  r.u.version_response.supported ? v : 0, 0, now);
	srv_send(s, &r, now);
}

static void act_request_offers(struct vmbus_server *s, uint32_t conn_id,
			       unsigned from_vp, const struct chanmsg *m,
			       cycles_t now)
{
	struct chanmsg done = {.type = CHANMSG_ALLOFFERS_DELIVERED};

	(void)conn_id, (void)from_vp, (void)m;
	srv_trace(s, TK_VMBUS_REQUEST_OFFERS, 0, 0, 0, 0, now);
	s->state = VMBUS_OFFERED;
	for (unsigned i = 0; i < VMBUS_MAX_CHANNELS; i++)
		if (s->ch[i].state == VMBUS_CH_OFFERED)
			srv_send_offer(s, &s->ch[i], now);
	srv_send(s, &done, now);
}

/* Close every channel, drop every GPADL (the guest's session ends). */
static void shutdown_channels(struct vmbus_server *s, cycles_t now)
{
	for (unsigned i = 0; i < VMBUS_MAX_CHANNELS; i++)
		if (s->ch[i].state != VMBUS_CH_FREE)
			chan_on_event(&s->ch[i], CHEV_SHUTDOWN, NULL, now);
	gpadl_drop_all(s);
}

static void act_unload(struct vmbus_server *s, uint32_t conn_id,
		       unsigned from_vp, const struct chanmsg *m, cycles_t now)
{
	struct chanmsg r = {.type = CHANMSG_UNLOAD_RESPONSE};

	(void)conn_id, (void)from_vp, (void)m;
	shutdown_channels(s, now);
	s->state = VMBUS_DISCONNECTED;
	srv_send(s, &r, now);
}

/* A channel message: the channel's own machine decides. GPADL_BODY
 * names no channel: its GPADL does. */
static void act_channel(struct vmbus_server *s, uint32_t conn_id,
			unsigned from_vp, const struct chanmsg *m, cycles_t now)
{
	struct vmbus_channel *ch;
	uint32_t relid;

	(void)conn_id, (void)from_vp;
	if (m->type == CHANMSG_GPADL_BODY) {
		gpadl_on_body(s, m, now);
		return;
	}
	relid = m->u.chan.relid; /* @8 in every channel message */
	if (!(ch = srv_chan(s, relid))) {
		srv_refuse(s, VMBUS_REF_NO_CHANNEL, m->type, relid, now);
		return;
	}
	chan_on_event(ch, m->type, m, now);
}

typedef void conn_action(struct vmbus_server *s, uint32_t conn_id,
			 unsigned from_vp, const struct chanmsg *m,
			 cycles_t now);

/* {state, message} → action; NULL = illegal. The action sets the next
 * state: DISCONNECTED --INITIATE_CONTACT(ok)--> CONNECTED
 * --REQUESTOFFERS--> OFFERED; UNLOAD from either --> DISCONNECTED. */
static conn_action *const conn_table[VMBUS_NR_CONN_STATES][CHANMSG_COUNT] = {
    [VMBUS_DISCONNECTED] =
	{
	    [CHANMSG_INITIATE_CONTACT] = act_initiate,
	},
    [VMBUS_CONNECTED] =
	{
	    [CHANMSG_REQUESTOFFERS] = act_request_offers,
	    [CHANMSG_UNLOAD] = act_unload,
	},
    [VMBUS_OFFERED] =
	{
	    [CHANMSG_OPENCHANNEL] = act_channel,
	    [CHANMSG_CLOSECHANNEL] = act_channel,
	    [CHANMSG_GPADL_HEADER] = act_channel,
	    [CHANMSG_GPADL_BODY] = act_channel,
	    [CHANMSG_GPADL_TEARDOWN] = act_channel,
	    [CHANMSG_RELID_RELEASED] = act_channel,
	    [CHANMSG_MODIFYCHANNEL] = act_channel,
	    [CHANMSG_UNLOAD] = act_unload,
	},
};

/* The one transition function of the connection. */
void vmbus_server_on_message(struct vmbus_server *s, uint32_t conn_id,
			     unsigned from_vp, const void *msg, size_t len,
			     cycles_t now)
{
	struct chanmsg m;
	const struct chanmsg_info *info;
	conn_action *act;
	int err;

	s->st.msgs_in++;
	srv_flush(s, now); /* the guest is alive: its slot may be free */
	err = chanmsg_decode(msg, len, &m);
	srv_trace(s, TK_VMBUS_ON_MSG_DPC, 0, 0, m.type, len, now);
	if (err) {
		srv_refuse(s, VMBUS_REF_DECODE, m.type, 0, now);
		return;
	}
	info = chanmsg_info(m.type);
	if (info->dir != CHANMSG_G2H) {
		srv_refuse(s, VMBUS_REF_DIRECTION, m.type, 0, now);
		return;
	}
	/* Connection 4 carries INITIATE_CONTACT only (§4.1). */
	if (conn_id != VMBUS_MESSAGE_CONNECTION_ID &&
	    m.type != CHANMSG_INITIATE_CONTACT) {
		srv_refuse(s, VMBUS_REF_WRONG_CONN, m.type, 0, now);
		return;
	}
	act = conn_table[s->state][m.type];
	if (!act) {
		srv_refuse(s, VMBUS_REF_CONN_STATE, m.type, 0, now);
		return;
	}
	if (s->state != VMBUS_DISCONNECTED && info->min_version > s->version) {
		srv_refuse(s, VMBUS_REF_VERSION, m.type, 0, now);
		return;
	}
	srv_trace(s, TK_VMBUS_ON_MESSAGE, 0, 0, m.type, len, now);
	act(s, conn_id, from_vp, &m, now);
}

/* ---- ports: the child's connections 1 and 4 --------------------------------
 */

struct msg_item {
	uint32_t gen, conn_id;
	unsigned from_vp;
	unsigned len;
	uint8_t b[VMBUS_MSG_MAX];
};

static void msg_work(void *opaque, const void *data, size_t len, cycles_t now)
{
	struct vmbus_server *s = opaque;
	struct msg_item it;

	if (len != sizeof(it))
		return;
	memcpy(&it, data, sizeof(it));
	if (it.gen != s->gen)
		return;
	vmbus_server_on_message(s, it.conn_id, it.from_vp, it.b, it.len, now);
}

/* hv/port.c calls this as parent work; we queue the real handling as
 * ring-0 work so that it runs with its cost and knows its cycle. */
static unsigned port_msg(void *opaque, struct hv_part *from, unsigned from_vp,
			 uint32_t type, const void *payload, unsigned size,
			 uint32_t conn_id)
{
	struct vmbus_server *s = opaque;
	struct msg_item it = {
	    .gen = s->gen, .conn_id = conn_id, .from_vp = from_vp};

	(void)from;
	if (type != VMBUS_MESSAGE_TYPE || size > VMBUS_MSG_MAX) {
		srv_refuse(s, VMBUS_REF_DECODE, 0, 0, 0);
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	it.len = size;
	memcpy(it.b, payload, size);
	if (hv_submit_work(s->hv, msg_work, s, &it, sizeof(it),
			   VMBUS_COST_CTRL_MSG, 0, 0) < 0)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	return HV_STATUS_SUCCESS;
}

static unsigned port_msg1(void *opaque, struct hv_part *from, unsigned from_vp,
			  uint32_t type, const void *payload, unsigned size)
{
	return port_msg(opaque, from, from_vp, type, payload, size,
			VMBUS_MESSAGE_CONNECTION_ID);
}

static unsigned port_msg4(void *opaque, struct hv_part *from, unsigned from_vp,
			  uint32_t type, const void *payload, unsigned size)
{
	return port_msg(opaque, from, from_vp, type, payload, size,
			VMBUS_MESSAGE_CONNECTION_ID_4);
}

static int connect_ports(struct vmbus_server *s)
{
	static hv_msg_handler *const fn[2] = {port_msg1, port_msg4};
	static const uint32_t id[2] = {VMBUS_MESSAGE_CONNECTION_ID,
				       VMBUS_MESSAGE_CONNECTION_ID_4};

	for (unsigned i = 0; i < 2; i++) {
		/* The port's own cost is 0: msg_work carries it. */
		if (hv_connect_msg_to_host(s->child, id[i], fn[i], s, 0) !=
		    HV_STATUS_SUCCESS)
			return -1;
		s->connected[i] = true;
	}
	return 0;
}

static void disconnect_ports(struct vmbus_server *s)
{
	static const uint32_t id[2] = {VMBUS_MESSAGE_CONNECTION_ID,
				       VMBUS_MESSAGE_CONNECTION_ID_4};

	for (unsigned i = 0; i < 2; i++) {
		if (s->connected[i])
			hv_disconnect(s->child, id[i]);
		s->connected[i] = false;
	}
}

/* ---- life cycle ------------------------------------------------------------
 */

struct vmbus_server *vmbus_server_create(const struct vmbus_server_config *c)
{
	struct vmbus_server *s;

	if (!c || !c->hv || !c->child)
		return NULL;
	if (!(s = calloc(1, sizeof(*s))))
		return NULL;
	s->hv = c->hv;
	s->child = c->child;
	s->trace = c->trace;
	s->sint = VMBUS_MESSAGE_SINT;
	if (connect_ports(s) < 0) {
		vmbus_server_destroy(s);
		return NULL;
	}
	inst_server_start(s); /* with a trace: the guest's stages */
	return s;
}

/* Back to "never connected", keeping the VSPs. */
static void forget_session(struct vmbus_server *s)
{
	shutdown_channels(s, 0);
	for (unsigned i = 0; i < VMBUS_MAX_CHANNELS; i++)
		s->ch[i].offered = false;
	s->gen++;
	s->state = VMBUS_DISCONNECTED;
	s->version = 0;
	s->target_vp = 0;
	s->sint = VMBUS_MESSAGE_SINT;
	s->outq_head = s->outq_len = 0;
	s->retry_armed = s->arming = false;
	s->retries = 0;
}

int vmbus_server_reset(struct vmbus_server *s)
{
	forget_session(s);
	disconnect_ports(s); /* hv_part_reset forgot them already */
	return connect_ports(s);
}

void vmbus_server_destroy(struct vmbus_server *s)
{
	if (!s)
		return;
	forget_session(s);
	for (unsigned i = 0; i < VMBUS_MAX_CHANNELS; i++)
		s->ch[i].state = VMBUS_CH_FREE;
	disconnect_ports(s);
	inst_server_stop(s);
	free(s);
}

/* ---- queries ---------------------------------------------------------------
 */

enum vmbus_conn_state vmbus_server_state(const struct vmbus_server *s)
{
	return s->state;
}

uint32_t vmbus_server_version(const struct vmbus_server *s)
{
	return s->state == VMBUS_DISCONNECTED ? 0 : s->version;
}

unsigned vmbus_server_target_vp(const struct vmbus_server *s)
{
	return s->target_vp;
}

enum vmbus_chan_state vmbus_server_chan_state(const struct vmbus_server *s,
					      uint32_t relid)
{
	if (relid == 0 || relid > VMBUS_MAX_CHANNELS)
		return VMBUS_CH_FREE;
	return s->ch[relid - 1].state;
}

unsigned vmbus_server_nr_gpadls(const struct vmbus_server *s)
{
	unsigned n = 0;

	for (unsigned i = 0; i < VMBUS_MAX_GPADLS; i++)
		n += s->gpadl[i].used;
	return n;
}

unsigned vmbus_server_outq_len(const struct vmbus_server *s)
{
	return s->outq_len;
}

const struct vmbus_server_stats *
vmbus_server_stats(const struct vmbus_server *s)
{
	return &s->st;
}

const char *vmbus_conn_state_name(enum vmbus_conn_state st)
{
	static const char *const n[VMBUS_NR_CONN_STATES] = {
	    "disconnected", "connected", "offered"};

	return (unsigned)st < VMBUS_NR_CONN_STATES ? n[st] : "?";
}

const char *vmbus_chan_state_name(enum vmbus_chan_state st)
{
	static const char *const n[VMBUS_NR_CHAN_STATES] = {
	    "free", "offered", "open", "rescinded"};

	return (unsigned)st < VMBUS_NR_CHAN_STATES ? n[st] : "?";
}
