/*
 * vmbus/instrument.c — the nine stages of a VMBus request, observed
 * (vmbus/instrument.h says which observation gives which stage).
 *
 * Per open channel (only with a trace): write watches on the header page
 * of each ring, the channel's event connection observed, and a table of
 * the requests in flight, oldest first, each with the last stage it
 * reached. A watch fires on every write to its page; it looks only at the
 * one index the guest owns (write_index of the guest→host ring,
 * read_index of the host→guest ring) and does nothing unless that index
 * moved since it last looked, so the host's own header writes and the
 * guest's other fields cost one 4-byte read.
 *
 * When an index moved, the packets between the old and the new value are
 * walked: each descriptor is read from guest memory and checked (16 <=
 * offset8*8 <= len8*8, the packet and its trailer inside the bytes
 * published); a bad one ends the walk, as does INST_WALK_MAX packets, and
 * the instrument then continues from the new index. Nothing here can
 * fail the channel or change what the VSP reads: the VSP reads the ring
 * through vmbus/ring.c, which does its own checks.
 *
 * The clock of a guest step is the clock of the child vCPU that made the
 * store (hv_current_vp); a store by host code (a test writing the ring by
 * hand) is put at the channel's target vCPU's clock.
 */
#include <stdlib.h>
#include <string.h>

#include "hv/hv.h"
#include "mmu/mmu.h"
#include "traces/trace.h"
#include "vmbus/instrument_int.h"
#include "vmbus/server_int.h"

/* ---- reading the rings -------------------------------------------------- */

static bool rd32(const struct inst_chan *ic, uint64_t off, uint32_t *v)
{
	return gpadl_copy_from(ic->g, off, v, 4) == GPADL_OK;
}

/* len bytes at data-area offset pos (< data_size), wrapping. */
static bool ring_bytes(const struct inst_chan *ic, const struct inst_ring *r,
		       uint32_t pos, void *dst, uint32_t len)
{
	uint64_t data = r->hdr_off + RING_HDR_SIZE;
	uint32_t first = r->data_size - pos < len ? r->data_size - pos : len;

	if (gpadl_copy_from(ic->g, data + pos, dst, first) != GPADL_OK)
		return false;
	return first == len ||
	       gpadl_copy_from(ic->g, data, (uint8_t *)dst + first,
			       len - first) == GPADL_OK;
}

/* What the instrument reads of a packet descriptor (vmbus.md §5.3). */
struct inst_desc {
	uint16_t type, flags;
	uint64_t txn;
};

/* One checked descriptor at pos, with `avail` bytes published from pos:
 * its length (descriptor + payload, no trailer); 0 if bad. */
static uint32_t read_desc(const struct inst_chan *ic, const struct inst_ring *r,
			  uint32_t pos, uint32_t avail, struct inst_desc *out)
{
	uint8_t d[RING_DESC_SIZE];
	uint16_t off8, len8;
	uint32_t len;

	if (avail < RING_DESC_SIZE + RING_TRAILER_SIZE ||
	    !ring_bytes(ic, r, pos, d, sizeof(d)))
		return 0;
	memcpy(&out->type, d, 2);
	memcpy(&off8, d + 2, 2);
	memcpy(&len8, d + 4, 2);
	memcpy(&out->flags, d + 6, 2);
	memcpy(&out->txn, d + 8, 8);
	len = (uint32_t)len8 * 8;
	if (len < RING_DESC_SIZE || (uint32_t)off8 * 8 < RING_DESC_SIZE ||
	    (uint32_t)off8 * 8 > len || len + RING_TRAILER_SIZE > avail)
		return 0;
	return len;
}

typedef void packet_fn(struct inst_chan *ic, const struct inst_desc *d,
		       uint32_t len, uint32_t end, unsigned vp, cycles_t now);

/* Walk the packets in [from, to) of ring r, calling fn for each. */
static void walk(struct inst_chan *ic, struct inst_ring *r, uint32_t from,
		 uint32_t to, packet_fn *fn, unsigned vp, cycles_t now)
{
	uint32_t size = r->data_size, pos = from, avail;
	unsigned n = 0;

	ic->st.walks++;
	if (to >= size || to % 8 || from >= size || from % 8) {
		ic->st.bad++;
		return;
	}
	avail = (to + size - from) % size;
	while (avail > 0) {
		struct inst_desc d;
		uint32_t len;

		if (n++ == INST_WALK_MAX) {
			ic->st.capped++;
			return;
		}
		if ((len = read_desc(ic, r, pos, avail, &d)) == 0) {
			ic->st.bad++;
			return;
		}
		pos = (pos + len + RING_TRAILER_SIZE) % size;
		avail -= len + RING_TRAILER_SIZE;
		ic->st.packets++;
		fn(ic, &d, len, pos, vp, now);
	}
}

/* ---- the guest's stores (write watches) --------------------------------- */

/* The child vCPU that made the store now, and its clock. */
static void guest_where(const struct inst_chan *ic, unsigned *vp, cycles_t *now)
{
	struct hv_part *child = ic->ch->s->child, *p;
	unsigned v;

	if (!hv_current_vp(ic->ch->s->hv, &p, &v, NULL) || p != child)
		v = ic->ch->target_vp < hv_part_nr_vps(child)
			? ic->ch->target_vp
			: 0;
	*vp = v;
	*now = cpu_cycles(hv_part_cpu(child, v));
}

/* Stage 1: a packet the guest published that asks for a completion (a
 * request; a reply to the host's own message, as the integration
 * services' are, or a completion is not one); ring_used = bytes in the
 * ring up to its end, as the host reads it. */
static void on_written(struct inst_chan *ic, const struct inst_desc *d,
		       uint32_t len, uint32_t end, unsigned vp, cycles_t now)
{
	uint32_t rd = 0, used = 0;

	if (!(d->flags & RING_FLAG_COMPLETION_REQUESTED) ||
	    d->type == RING_PKT_COMP)
		return;
	if (rd32(ic, ic->rx.hdr_off + RING_HDR_READ_INDEX, &rd) &&
	    rd < ic->rx.data_size)
		used = (end + ic->rx.data_size - rd) % ic->rx.data_size;
	inst_emit(ic, TK_VSC_WRITE_PACKET, inst_child_id(ic), vp, d->txn, len,
		  used, now);
	inst_track(ic, d->txn);
}

/* Stage 9: a packet the guest consumed; only completions of requests we
 * follow are stages (the VSP's own messages are not). */
static void on_consumed(struct inst_chan *ic, const struct inst_desc *d,
			uint32_t len, uint32_t end, unsigned vp, cycles_t now)
{
	struct inst_req *q = inst_find(ic, d->txn, 6, 8);

	(void)end;
	if (!q)
		return;
	inst_emit(ic, TK_VSC_CONSUME, inst_child_id(ic), vp, d->txn, len, 0,
		  now);
	inst_forget(ic, q);
}

/* A write into a watched header page [gpa, gpa+len): did it move the
 * index the guest owns (at byte `field` of the page)? */
static void index_store(struct inst_chan *ic, struct inst_ring *r,
			uint32_t field, uint64_t gpa, uint64_t len,
			packet_fn *fn)
{
	uint64_t at = r->hdr_gpa + field;
	uint32_t now_idx;
	unsigned vp;
	cycles_t now;

	if (gpa >= at + 4 || gpa + len <= at)
		return; /* another field */
	if (!rd32(ic, r->hdr_off + field, &now_idx) || now_idx == r->seen)
		return;
	guest_where(ic, &vp, &now);
	walk(ic, r, r->seen, now_idx, fn, vp, now);
	r->seen = now_idx;
}

static void rx_hdr_written(void *opaque, uint64_t gpa, uint64_t len)
{
	struct inst_chan *ic = opaque;

	index_store(ic, &ic->rx, RING_HDR_WRITE_INDEX, gpa, len, on_written);
}

static void tx_hdr_written(void *opaque, uint64_t gpa, uint64_t len)
{
	struct inst_chan *ic = opaque;

	index_store(ic, &ic->tx, RING_HDR_READ_INDEX, gpa, len, on_consumed);
}

/* ---- the hypervisor's observers ----------------------------------------- */

/* Stages 2 and 3: the channel's event connection. */
static void on_event(void *opaque, const struct hv_obs *o)
{
	struct inst_chan *ic = opaque;
	uint32_t conn = ic->ch->conn_id;

	if (o->step == HV_OBS_SIGNAL)
		inst_step_all(ic, TK_VSC_SIGNAL, 2, 1, 1, inst_child_id(ic),
			      o->vp, conn, 0, o->now);
	else
		inst_step_all(ic, TK_HV_DELIVER_EVENT, 3, 2, 2,
			      inst_child_id(ic), o->pcpu, conn, o->vp, o->now);
}

_Static_assert(VMBUS_MAX_CHANNELS <= 64, "inst_chans is a 64-bit mask");

/* Stage 8: a child vCPU took an interrupt; the VMBus SINT's vector on a
 * channel's target vCPU interrupts its signalled completions. */
static void on_intr(void *opaque, unsigned vp, unsigned vector, cycles_t now)
{
	struct vmbus_server *s = opaque;

	if (!s->inst_chans ||
	    (int)vector != hv_vp_sint_vector(s->child, vp, s->sint))
		return;
	for (unsigned i = 0; i < VMBUS_MAX_CHANNELS; i++) {
		struct inst_chan *ic = s->ch[i].inst;
		if (!(s->inst_chans >> i))
			break; /* no instrumented channel from i on */
		if (ic && s->ch[i].target_vp == vp)
			inst_step_all(ic, TK_CHILD_INTERRUPT, 8, 7, 7,
				      inst_child_id(ic), vp, vector, 0, now);
	}
}

void inst_server_start(struct vmbus_server *s)
{
	if (s->trace)
		hv_observe_intr(s->child, on_intr, s);
}

void inst_server_stop(struct vmbus_server *s)
{
	if (s->trace)
		hv_observe_intr(s->child, NULL, NULL);
}

/* ---- open / close ------------------------------------------------------- */

/* Watch ring r's header page; read the guest's index at `field`. */
static void watch_ring(struct inst_chan *ic, struct inst_ring *r,
		       const struct ring *ring, uint32_t field,
		       physmem_watch_fn *fn)
{
	r->hdr_off = ring->hdr_off;
	r->data_size = ring->data_size;
	if (!rd32(ic, r->hdr_off + field, &r->seen) ||
	    gpadl_gpa(ic->g, r->hdr_off, &r->hdr_gpa) != 0)
		return;
	r->watched = physmem_watch_page(ic->pm, r->hdr_gpa, fn, ic) == 0;
}

void inst_chan_open(struct vmbus_channel *ch)
{
	struct inst_chan *ic;

	if (!ch->s->trace || ch->inst || !ch->ring_gpadl)
		return;
	if (!(ic = calloc(1, sizeof(*ic))))
		return; /* traced without the guest's stages */
	ic->ch = ch;
	ic->pm = hv_part_mem(ch->s->child);
	ic->g = ch->ring_gpadl->g;
	watch_ring(ic, &ic->rx, &ch->rx, RING_HDR_WRITE_INDEX, rx_hdr_written);
	watch_ring(ic, &ic->tx, &ch->tx, RING_HDR_READ_INDEX, tx_hdr_written);
	hv_observe_event(ch->s->child, ch->conn_id, on_event, ic);
	ch->inst = ic;
	ch->s->inst_chans |= 1ull << (ch - ch->s->ch);
}

void inst_chan_close(struct vmbus_channel *ch)
{
	struct inst_chan *ic = ch->inst;

	if (!ic)
		return;
	if (ic->rx.watched)
		physmem_unwatch_page(ic->pm, ic->rx.hdr_gpa, rx_hdr_written,
				     ic);
	if (ic->tx.watched)
		physmem_unwatch_page(ic->pm, ic->tx.hdr_gpa, tx_hdr_written,
				     ic);
	/* The connection may be gone already (then so is its observer). */
	hv_observe_event(ch->s->child, ch->conn_id, NULL, NULL);
	ch->inst = NULL;
	ch->s->inst_chans &= ~(1ull << (ch - ch->s->ch));
	free(ic);
}

const struct inst_stats *inst_chan_stats(const struct vmbus_channel *ch)
{
	return ch->inst ? &ch->inst->st : NULL;
}
