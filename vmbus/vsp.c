/*
 * vmbus/vsp.c — the data path of an open channel and the VSP calls of
 * vmbus/vsp.h: mapping the rings at OPENCHANNEL, the guest's signal
 * (HvSignalEvent on the channel's connection id) → reading packets on a
 * parent vCPU → the VSP's on_packet, and the VSP's sends into the
 * host→guest ring with the guest signalled per vmbus.md §5.5.
 *
 * Timing (costs in vmbus/server_int.h): a guest signal is queued by
 * hv/port.c as parent work; its handler queues the read of one packet
 * (VMBUS_COST_EVENT); each packet read queues the next one with
 * VMBUS_COST_PACKET + 1 cycle per 8 bytes, so a batch is charged per
 * packet and other channels' work interleaves. The VSP runs inside those
 * items (its sends are part of the packet's cost); its own extra work goes
 * through vsp_submit.
 *
 * Guest input: packets come through vmbus/ring.c, which validates every
 * index and descriptor; the first corruption makes the channel dead (no
 * more reads or sends, traced once) until the guest closes it. A packet
 * larger than VMBUS_READ_BUF_MAX is treated the same way. Stale work (the
 * channel closed, or reopened, since it was queued) is dropped by
 * comparing the channel's generation.
 */
#include <stdlib.h>
#include <string.h>

#include "hv/hv.h"
#include "hv/hvdefs.h"
#include "traces/trace.h"
#include "vmbus/instrument.h"
#include "vmbus/server_int.h"

/* Identifies the channel incarnation a work item was queued for;
 * `pickup`: the first read after a guest signal (trace stage 4). */
struct chan_ref {
	uint32_t srv_gen, chan_gen;
	uint32_t pickup;
};

static struct chan_ref ref_of(const struct vmbus_channel *ch)
{
	return (struct chan_ref){ch->s->gen, ch->gen, 0};
}

static bool ref_live(const struct vmbus_channel *ch, const void *data,
		     size_t len)
{
	struct chan_ref r;

	if (len < sizeof(r))
		return false;
	memcpy(&r, data, sizeof(r));
	return r.srv_gen == ch->s->gen && r.chan_gen == ch->gen &&
	       ch->state == VMBUS_CH_OPEN;
}

/* ---- signalling the guest
 * ---------------------------------------------------- */

static void signal_guest(struct vmbus_channel *ch, cycles_t now)
{
	struct vmbus_server *s = ch->s;

	inst_completion_signal(ch, now);
	if (hv_signal_event(s->child, ch->target_vp, s->sint, ch->relid) ==
	    HV_STATUS_SUCCESS)
		s->st.signals++;
}

static void mark_dead(struct vmbus_channel *ch, enum ring_status st,
		      cycles_t now)
{
	if (ch->dead)
		return;
	ch->dead = true;
	ch->s->st.ring_errors++;
	srv_refuse(ch->s, VMBUS_REF_DECODE, 0x200u | st, ch->relid, now);
}

/* ---- reading
 * ------------------------------------------------------------------ */

static void read_work(void *opaque, const void *data, size_t len, cycles_t now);

static void queue_read(struct vmbus_channel *ch, cycles_t cost, bool pickup)
{
	struct chan_ref r = ref_of(ch);

	r.pickup = pickup;

	ch->reading = true;
	if (hv_submit_work(ch->s->hv, read_work, ch, &r, sizeof(r), cost, 0,
			   0) < 0)
		ch->reading = false;
}

/* Read one packet and give it to the VSP; queue the next read. */
static void read_one(struct vmbus_channel *ch, cycles_t now)
{
	struct ring_pkt p;
	struct vsp_packet v;
	bool sig = false;
	enum ring_status st;

	ch->reading = false;
	if (ch->dead)
		return;
	st = ring_read(&ch->rx, ch->buf, ch->buf_size, &p, &sig);
	if (st == RING_EMPTY) {
		if (ch->want_writable && ch->vsp->ops->on_writable) {
			ch->want_writable = false;
			ch->vsp->ops->on_writable(ch->vsp->opaque, ch, now);
		}
		return;
	}
	if (st != RING_OK) {
		mark_dead(ch, st, now);
		return;
	}
	ch->s->st.packets++;
	inst_read(ch, p.trans_id, p.len, now);
	if (sig)
		signal_guest(ch, now);
	v = (struct vsp_packet){.type = p.type,
				.flags = p.flags,
				.trans_id = p.trans_id,
				.pkt = ch->buf,
				.pkt_len = p.len,
				.data_off = p.offset};
	if (ch->vsp->ops->on_packet)
		ch->vsp->ops->on_packet(ch->vsp->opaque, ch, &v, now);
	if (ch->state == VMBUS_CH_OPEN && !ch->dead && !ch->reading)
		queue_read(
		    ch, VMBUS_COST_PACKET + p.len / 8 * VMBUS_COST_PER_8_BYTES,
		    false);
}

static void read_work(void *opaque, const void *data, size_t len, cycles_t now)
{
	struct vmbus_channel *ch = opaque;
	struct chan_ref r;

	if (!ref_live(ch, data, len))
		return;
	memcpy(&r, data, sizeof(r));
	if (r.pickup) {
		inst_pickup(ch, now);
		srv_flush(ch->s, now); /* the guest is alive */
	}
	read_one(ch, now);
}

/* The guest signalled the channel (hv/port.c, as parent work). */
static unsigned chan_event(void *opaque, struct hv_part *from, unsigned from_vp,
			   unsigned flag)
{
	struct vmbus_channel *ch = opaque;

	(void)from, (void)flag;
	ch->s->st.events++;
	(void)from_vp;
	if (ch->state == VMBUS_CH_OPEN && !ch->dead && !ch->reading)
		queue_read(ch, VMBUS_COST_EVENT, true);
	return HV_STATUS_SUCCESS;
}

/* ---- open / close (called by channel.c)
 * -------------------------------------- */

static void stop(struct vmbus_channel *ch, bool tell_vsp);

#define OPEN_FAILED 0xC0000001u

uint32_t vsp_chan_start(struct vmbus_channel *ch, const struct chanmsg *m,
			struct srv_gpadl *g, cycles_t now)
{
	struct vmbus_server *s = ch->s;
	uint32_t status;

	if (ring_open_pair(g->g, m->u.open.downstream_offset, &ch->rx,
			   &ch->tx) != RING_OK)
		return OPEN_FAILED;
	ring_set_max_pkt(&ch->tx, ch->vsp->max_send ? ch->vsp->max_send : 4096);
	ch->buf_size = ch->rx.data_size < VMBUS_READ_BUF_MAX
			   ? ch->rx.data_size
			   : VMBUS_READ_BUF_MAX;
	if (!(ch->buf = malloc(ch->buf_size)))
		return OPEN_FAILED;
	if (hv_connect_event_to_host(s->child, ch->conn_id, chan_event, ch,
				     0) != HV_STATUS_SUCCESS) {
		free(ch->buf);
		ch->buf = NULL;
		return OPEN_FAILED;
	}
	ch->openid = m->u.open.openid;
	ch->target_vp = m->u.open.target_vp;
	ch->ring_gpadl = g;
	ch->dead = ch->want_writable = ch->reading = false;
	ch->state = VMBUS_CH_OPEN; /* VSP sends from on_open must work */
	g->in_use = true;
	inst_chan_open(ch); /* before on_open: its sends are steps too */
	status = ch->vsp->ops->on_open
		     ? ch->vsp->ops->on_open(ch->vsp->opaque, ch, now)
		     : 0;
	if (status) {
		stop(ch, false); /* the VSP refused: no on_close */
		ch->state = VMBUS_CH_OFFERED;
	}
	return status;
}

void vsp_chan_stop(struct vmbus_channel *ch)
{
	stop(ch, true);
}

static void stop(struct vmbus_channel *ch, bool tell_vsp)
{
	if (tell_vsp && ch->vsp && ch->vsp->ops->on_close)
		ch->vsp->ops->on_close(ch->vsp->opaque, ch);
	inst_chan_close(ch);
	hv_disconnect(ch->s->child, ch->conn_id);
	if (ch->ring_gpadl)
		ch->ring_gpadl->in_use = false;
	ch->ring_gpadl = NULL;
	free(ch->buf);
	ch->buf = NULL;
	ch->ctx = NULL;
	ch->gen++;
	ch->reading = ch->want_writable = false;
}

/* ---- the VSP's calls (vsp.h)
 * -------------------------------------------------- */

static int send(struct vmbus_channel *ch, uint16_t type, uint16_t flags,
		uint64_t trans_id, const void *data, uint32_t len, cycles_t now)
{
	bool sig = false;
	enum ring_status st;

	if (!ch || ch->state != VMBUS_CH_OPEN)
		return VSP_CLOSED;
	if (ch->dead)
		return VSP_CORRUPT;
	st = ring_write(&ch->tx, type, flags, trans_id, NULL, 0, data, len,
			&sig);
	switch (st) {
	case RING_OK:
		break;
	case RING_FULL:
		ch->want_writable = true;
		return VSP_FULL;
	case RING_ERR_TOO_BIG:
	case RING_ERR_ARG:
		return VSP_TOO_BIG;
	default:
		mark_dead(ch, st, now);
		return VSP_CORRUPT;
	}
	if (type == VSP_PKT_COMP)
		inst_complete(ch, trans_id, len, now);
	if (sig)
		signal_guest(ch, now);
	return VSP_OK;
}

int vsp_send_inband(struct vmbus_channel *ch, uint64_t trans_id,
		    const void *data, uint32_t len, bool completion_requested,
		    cycles_t now)
{
	return send(ch, VSP_PKT_DATA_INBAND,
		    completion_requested ? VSP_PKT_FLAG_COMPLETION : 0,
		    trans_id, data, len, now);
}

int vsp_send_completion(struct vmbus_channel *ch, uint64_t trans_id,
			const void *data, uint32_t len, cycles_t now)
{
	return send(ch, VSP_PKT_COMP, 0, trans_id, data, len, now);
}

/* What a vsp_submit item carries ahead of the caller's bytes. */
struct submit_hdr {
	struct chan_ref ref;
	vsp_work_fn *fn;
	void *opaque;
};

static void submit_work(void *opaque, const void *data, size_t len,
			cycles_t now)
{
	struct vmbus_channel *ch = opaque;
	struct submit_hdr h;

	if (len < sizeof(h) || !ref_live(ch, data, len))
		return;
	memcpy(&h, data, sizeof(h));
	h.fn(h.opaque, ch, (const uint8_t *)data + sizeof(h), len - sizeof(h),
	     now);
}

int vsp_submit(struct vmbus_channel *ch, vsp_work_fn *fn, void *opaque,
	       const void *data, size_t len, cycles_t cost, cycles_t not_before)
{
	struct submit_hdr h = {ref_of(ch), fn, opaque};
	/* hv_submit_work copies the item: small ones (a storvsp reply) are
	 * assembled on the stack, larger ones in a temporary allocation. */
	uint8_t small[256];
	uint8_t *buf = small;
	int rc;

	if (!fn || ch->state != VMBUS_CH_OPEN)
		return -1;
	if (len > sizeof(small) - sizeof(h) && !(buf = malloc(sizeof(h) + len)))
		return -1;
	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), data, len);
	rc = hv_submit_work(ch->s->hv, submit_work, ch, buf, sizeof(h) + len,
			    cost, 0, not_before);
	if (buf != small)
		free(buf);
	return rc;
}

struct physmem *vsp_chan_mem(struct vmbus_channel *ch)
{
	return hv_part_mem(ch->s->child);
}

uint32_t vsp_chan_relid(const struct vmbus_channel *ch)
{
	return ch->relid;
}

void vsp_chan_set_ctx(struct vmbus_channel *ch, void *ctx)
{
	ch->ctx = ctx;
}

void *vsp_chan_ctx(const struct vmbus_channel *ch)
{
	return ch->ctx;
}
