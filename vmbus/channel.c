/*
 * vmbus/channel.c — the state machine of one VMBus channel (one offered
 * VSP) and the GPADL messages of a child (vmbus.md §4.4, §4.5 steps
 * 7a–7b and "other host obligations", §5.1, §9 items 6 and 8).
 *
 *   FREE ──add_vsp──► OFFERED ──OPENCHANNEL(ok)──► OPEN
 *                        ▲  ◄──────CLOSECHANNEL───────┘
 *   OFFERED/OPEN ──rescind──► RESCINDED ──RELID_RELEASED──► FREE
 *   any ──shutdown (UNLOAD, reset, destroy)──► OFFERED (RESCINDED: FREE)
 *
 * One transition function, chan_on_event, over chan_table[state][event]
 * (events: message types, plus the host's RESCIND and SHUTDOWN). A
 * missing row is an illegal transition: traced, counted, refused. An
 * action may still refuse by its own checks (an OPENCHANNEL naming an
 * unknown GPADL gets a non-zero OPENCHANNEL_RESULT and stays OFFERED).
 *
 * GPADLs belong to the connection, keyed by the guest's handle, and are
 * created on a channel (GPADL_HEADER names its relid): header → bodies →
 * GPADL_CREATED once complete (vmbus/gpadl.c checks every PFN against
 * the child's RAM and bounds the size); at most VMBUS_MAX_GPADLS. A
 * refused GPADL gets GPADL_CREATED with status STATUS_UNSUCCESSFUL and
 * is forgotten. Teardown of a GPADL that holds an open channel's rings is
 * refused (Linux closes the channel first).
 */
#include <stdlib.h>
#include <string.h>

#include "hv/hv.h"
#include "traces/trace.h"
#include "vmbus/server_int.h"

#define STATUS_UNSUCCESSFUL 0xC0000001u /* NTSTATUS, as Hyper-V answers */

/* ---- GPADLs ----------------------------------------------------------------
 */

static void gpadl_free(struct srv_gpadl *g)
{
	gpadl_destroy(g->g);
	memset(g, 0, sizeof(*g));
}

void gpadl_drop_all(struct vmbus_server *s)
{
	for (unsigned i = 0; i < VMBUS_MAX_GPADLS; i++)
		if (s->gpadl[i].used)
			gpadl_free(&s->gpadl[i]);
}

/* The channel is gone for good (released, or rescinded before the guest
 * saw it): its GPADLs go with it, or they would hold slots under a relid
 * nobody can name in a teardown (found by tests/fuzz/fuzz_chanmsg). */
static void gpadl_drop_channel(struct vmbus_server *s, uint32_t relid)
{
	for (unsigned i = 0; i < VMBUS_MAX_GPADLS; i++)
		if (s->gpadl[i].used && s->gpadl[i].relid == relid)
			gpadl_free(&s->gpadl[i]);
}

static void send_created(struct vmbus_server *s, uint32_t relid,
			 uint32_t handle, uint32_t status, cycles_t now)
{
	struct chanmsg r = {.type = CHANMSG_GPADL_CREATED};

	r.u.gpadl_created.relid = relid;
	r.u.gpadl_created.gpadl = handle;
	r.u.gpadl_created.status = status;
	if (status)
		s->st.gpadls_refused++;
	srv_trace(s, TK_VMBUS_ONGPADL_CREATED, relid, 0, handle, status, now);
	srv_send(s, &r, now);
}

static void act_gpadl_header(struct vmbus_channel *ch, const struct chanmsg *m,
			     cycles_t now)
{
	struct vmbus_server *s = ch->s;
	uint32_t handle = m->u.gpadl_header.gpadl;
	struct srv_gpadl *slot = NULL;
	enum gpadl_status st;

	srv_trace(s, TK_VMBUS_ESTABLISH_GPADL_HEADER, ch->relid, 0, handle,
		  m->u.gpadl_header.rangecount, now);
	if (srv_gpadl_find(s, handle)) { /* a handle must be new */
		send_created(s, ch->relid, handle, STATUS_UNSUCCESSFUL, now);
		return;
	}
	for (unsigned i = 0; i < VMBUS_MAX_GPADLS && !slot; i++)
		if (!s->gpadl[i].used)
			slot = &s->gpadl[i];
	if (!slot) {
		send_created(s, ch->relid, handle, STATUS_UNSUCCESSFUL, now);
		return;
	}
	st = gpadl_begin(
	    hv_part_mem(s->child), handle, m->u.gpadl_header.rangecount,
	    m->u.gpadl_header.range_buflen, m->u.gpadl_header.ranges,
	    m->u.gpadl_header.ranges_len, &slot->g);
	if (st != GPADL_OK) {
		send_created(s, ch->relid, handle, STATUS_UNSUCCESSFUL, now);
		return;
	}
	slot->used = true;
	slot->handle = handle;
	slot->relid = ch->relid;
	if (gpadl_is_complete(slot->g))
		send_created(s, ch->relid, handle, 0, now);
}

/* GPADL_BODY names only the handle; the GPADL must be incomplete. */
void gpadl_on_body(struct vmbus_server *s, const struct chanmsg *m,
		   cycles_t now)
{
	uint32_t handle = m->u.gpadl_body.gpadl;
	struct srv_gpadl *g = srv_gpadl_find(s, handle);
	uint32_t relid;

	if (!g || gpadl_is_complete(g->g)) {
		srv_refuse(s, VMBUS_REF_NO_GPADL, m->type, 0, now);
		return;
	}
	relid = g->relid;
	srv_trace(s, TK_VMBUS_ESTABLISH_GPADL_BODY, relid, 0, handle,
		  m->u.gpadl_body.msgnumber, now);
	if (gpadl_add_body(g->g, m->u.gpadl_body.pfns,
			   m->u.gpadl_body.pfns_len) != GPADL_OK) {
		gpadl_free(g);
		send_created(s, relid, handle, STATUS_UNSUCCESSFUL, now);
		return;
	}
	if (gpadl_is_complete(g->g))
		send_created(s, relid, handle, 0, now);
}

static void act_gpadl_teardown(struct vmbus_channel *ch,
			       const struct chanmsg *m, cycles_t now)
{
	struct vmbus_server *s = ch->s;
	uint32_t handle = m->u.gpadl_teardown.gpadl;
	struct srv_gpadl *g = srv_gpadl_find(s, handle);
	struct chanmsg r = {.type = CHANMSG_GPADL_TORNDOWN};

	srv_trace(s, TK_VMBUS_TEARDOWN_GPADL, ch->relid, 0, handle, 0, now);
	if (!g || g->relid != ch->relid || g->in_use) {
		srv_refuse(s, VMBUS_REF_NO_GPADL, m->type, ch->relid, now);
		return;
	}
	gpadl_free(g);
	r.u.gpadl_torndown.gpadl = handle;
	srv_trace(s, TK_VMBUS_ONGPADL_TORNDOWN, ch->relid, 0, handle, 0, now);
	srv_send(s, &r, now);
}

/* ---- open, close, modify ----------------------------------------------------
 */

static void send_open_result(struct vmbus_channel *ch, uint32_t openid,
			     uint32_t status, cycles_t now)
{
	struct chanmsg r = {.type = CHANMSG_OPENCHANNEL_RESULT};

	r.u.open_result.relid = ch->relid;
	r.u.open_result.openid = openid;
	r.u.open_result.status = status;
	if (status)
		ch->s->st.opens_refused++;
	srv_trace(ch->s, TK_VMBUS_ONOPEN_RESULT, ch->relid, 0, openid, status,
		  now);
	srv_send(ch->s, &r, now);
}

static void act_open(struct vmbus_channel *ch, const struct chanmsg *m,
		     cycles_t now)
{
	struct vmbus_server *s = ch->s;
	struct srv_gpadl *g = srv_gpadl_find(s, m->u.open.gpadl);
	uint32_t status = STATUS_UNSUCCESSFUL;

	srv_trace(s, TK_VMBUS_OPEN, ch->relid, 0, m->u.open.openid,
		  m->u.open.gpadl, now);
	/* The rings' GPADL: complete, made on this channel, not in use. */
	if (g && g->relid == ch->relid && !g->in_use &&
	    gpadl_is_complete(g->g) &&
	    m->u.open.target_vp < hv_part_nr_vps(s->child))
		status = vsp_chan_start(ch, m, g, now);
	if (status == 0)
		ch->state = VMBUS_CH_OPEN;
	send_open_result(ch, m->u.open.openid, status, now);
}

static void close_data_path(struct vmbus_channel *ch)
{
	vsp_chan_stop(ch);
	ch->state = VMBUS_CH_OFFERED;
}

static void act_close(struct vmbus_channel *ch, const struct chanmsg *m,
		      cycles_t now)
{
	(void)m;
	srv_trace(ch->s, TK_VMBUS_CLOSE_INTERNAL, ch->relid, 0, 0, 0, now);
	close_data_path(ch); /* no reply (§4.5) */
}

static void act_modify(struct vmbus_channel *ch, const struct chanmsg *m,
		       cycles_t now)
{
	struct vmbus_server *s = ch->s;
	struct chanmsg r = {.type = CHANMSG_MODIFYCHANNEL_RESPONSE};
	bool ok = m->u.modify.target_vp < hv_part_nr_vps(s->child);

	if (ok)
		ch->target_vp = m->u.modify.target_vp;
	/* Linux waits for the response only from 5.3 (§4.2). */
	if (s->version < VMBUS_VERSION_V5_3)
		return;
	r.u.modify_response.relid = ch->relid;
	r.u.modify_response.status = ok ? 0 : (int32_t)STATUS_UNSUCCESSFUL;
	srv_send(s, &r, now);
}

/* ---- host events ------------------------------------------------------------
 */

static void act_rescind(struct vmbus_channel *ch, const struct chanmsg *m,
			cycles_t now)
{
	struct vmbus_server *s = ch->s;
	struct chanmsg r = {.type = CHANMSG_RESCIND_CHANNELOFFER};

	(void)m;
	if (ch->state == VMBUS_CH_OPEN)
		vsp_chan_stop(ch);
	srv_trace(s, TK_VMBUS_ONOFFER_RESCIND, ch->relid, 0, 0, 0, now);
	if (!ch->offered) { /* the guest never saw it: just forget it */
		ch->state = VMBUS_CH_FREE;
		gpadl_drop_channel(s, ch->relid);
		return;
	}
	ch->state = VMBUS_CH_RESCINDED;
	r.u.chan.relid = ch->relid;
	srv_send(s, &r, now);
}

static void act_released(struct vmbus_channel *ch, const struct chanmsg *m,
			 cycles_t now)
{
	(void)m, (void)now;
	ch->state = VMBUS_CH_FREE;
	ch->vsp = NULL;
	gpadl_drop_channel(ch->s, ch->relid);
}

/* The guest's session ends (UNLOAD, reset, destroy): close; a rescinded
 * channel is gone for good. */
static void act_shutdown(struct vmbus_channel *ch, const struct chanmsg *m,
			 cycles_t now)
{
	(void)m, (void)now;
	if (ch->state == VMBUS_CH_OPEN)
		close_data_path(ch);
	if (ch->state == VMBUS_CH_RESCINDED) {
		ch->state = VMBUS_CH_FREE;
		gpadl_drop_channel(ch->s, ch->relid);
	}
	ch->offered = false;
}

/* CLOSECHANNEL after a rescind: Linux closes what it had open; our side
 * is closed already. */
static void act_nothing(struct vmbus_channel *ch, const struct chanmsg *m,
			cycles_t now)
{
	(void)ch, (void)m, (void)now;
}

typedef void chan_action(struct vmbus_channel *ch, const struct chanmsg *m,
			 cycles_t now);

/* {state, event} → action; NULL = illegal. */
static chan_action *const chan_table[VMBUS_NR_CHAN_STATES][CHEV_COUNT] = {
    [VMBUS_CH_OFFERED] =
	{
	    [CHANMSG_GPADL_HEADER] = act_gpadl_header,
	    [CHANMSG_GPADL_TEARDOWN] = act_gpadl_teardown,
	    [CHANMSG_OPENCHANNEL] = act_open,
	    [CHEV_RESCIND] = act_rescind,
	    [CHEV_SHUTDOWN] = act_shutdown,
	},
    [VMBUS_CH_OPEN] =
	{
	    [CHANMSG_GPADL_HEADER] = act_gpadl_header,
	    [CHANMSG_GPADL_TEARDOWN] = act_gpadl_teardown,
	    [CHANMSG_CLOSECHANNEL] = act_close,
	    [CHANMSG_MODIFYCHANNEL] = act_modify,
	    [CHEV_RESCIND] = act_rescind,
	    [CHEV_SHUTDOWN] = act_shutdown,
	},
    [VMBUS_CH_RESCINDED] =
	{
	    [CHANMSG_CLOSECHANNEL] = act_nothing,
	    [CHANMSG_GPADL_TEARDOWN] = act_gpadl_teardown,
	    [CHANMSG_RELID_RELEASED] = act_released,
	    [CHEV_SHUTDOWN] = act_shutdown,
	},
};

int chan_on_event(struct vmbus_channel *ch, unsigned ev,
		  const struct chanmsg *m, cycles_t now)
{
	chan_action *act = NULL;

	if ((unsigned)ch->state < VMBUS_NR_CHAN_STATES && ev < CHEV_COUNT)
		act = chan_table[ch->state][ev];
	if (!act) {
		srv_refuse(ch->s, VMBUS_REF_CHAN_STATE, ev, ch->relid, now);
		return -1;
	}
	act(ch, m, now);
	return 0;
}
