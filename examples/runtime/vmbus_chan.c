/*
 * examples/runtime/vmbus_chan.c — the guest's VMBus client, channel part:
 * GPADLs (header + body messages), OPENCHANNEL / CLOSECHANNEL, and the
 * packets on an open channel's rings with the signalling rules
 * (vmbus.h says what; ../shared/reference/vmbus.md §4.4, §4.5 step 7,
 * §5). Connection and messages: vmbus.c.
 *
 * Ring memory is the caller's buffer; the identity map of the runtime
 * (paging.c) makes each page's address its GPA, so a PFN is address >> 12.
 */
#include "vmbus_int.h"

#include "io.h"
#include "printf.h"
#include "string.h"

/* range_buflen is 16 bits: 8 + 8 * pages must fit. */
#define GPADL_MAX_PAGES ((0xFFFFu - 8) / 8)

static int post_gpadl_body(struct vmbus_client *c, uint32_t handle,
			   uint64_t pfn0, uint32_t first, uint32_t pages)
{
	struct msg_gpadl_body b;

	for (uint32_t i = first; i < pages; i += GPADL_BODY_PFNS) {
		uint32_t n =
		    pages - i < GPADL_BODY_PFNS ? pages - i : GPADL_BODY_PFNS;
		int err;

		memset(&b, 0, sizeof(b));
		b.h.msgtype = MSG_GPADL_BODY;
		b.msgnumber = 0; /* Linux leaves it 0 */
		b.gpadl = handle;
		for (uint32_t k = 0; k < n; k++)
			b.pfn[k] = pfn0 + i + k;
		err = vmbus_post_ctl(c, &b, 16 + 8 * n);
		if (err)
			return err;
	}
	return VMBUS_OK;
}

int vmbus_gpadl_create(struct vmbus_client *c, uint32_t relid, void *buf,
		       uint32_t pages, uint32_t *handle)
{
	struct msg_gpadl_header h;
	struct want w = {MSG_GPADL_CREATED, 2, {relid, 0}};
	struct msg_gpadl_created cr;
	struct inmsg m;
	uint64_t pfn0 = (uint64_t)buf >> 12;
	uint32_t n = pages < GPADL_HEADER_PFNS ? pages : GPADL_HEADER_PFNS;
	int err;

	if (!pages || pages > GPADL_MAX_PAGES || ((uint64_t)buf & 0xFFF))
		return VMBUS_E_ARG;
	*handle = c->next_gpadl++;
	w.key[1] = *handle;
	memset(&h, 0, sizeof(h));
	h.h.msgtype = MSG_GPADL_HEADER;
	h.child_relid = relid;
	h.gpadl = *handle;
	h.range_buflen = (uint16_t)(8 + 8 * pages);
	h.rangecount = 1;
	h.byte_count = pages * 4096;
	h.byte_offset = 0;
	for (uint32_t k = 0; k < n; k++)
		h.pfn[k] = pfn0 + k;
	/* The header, then its bodies back to back, then one wait. */
	err = vmbus_post_ctl(c, &h, 28 + 8 * n);
	if (!err)
		err = post_gpadl_body(c, *handle, pfn0, n, pages);
	if (!err)
		err = vmbus_wait_msg(c, &w, &m);
	if (err)
		return err;
	memcpy(&cr, m.data, sizeof(cr));
	return cr.creation_status == 0 ? VMBUS_OK : VMBUS_E_REFUSED;
}

int vmbus_gpadl_teardown(struct vmbus_client *c, uint32_t relid,
			 uint32_t handle)
{
	struct msg_gpadl_created td; /* TEARDOWN: the first 16 bytes */
	struct want w = {MSG_GPADL_TORNDOWN, 1, {handle, 0}};
	struct inmsg m;
	int err;

	memset(&td, 0, sizeof(td));
	td.h.msgtype = MSG_GPADL_TEARDOWN;
	td.child_relid = relid;
	td.gpadl = handle;
	err = vmbus_post_ctl(c, &td, 16);
	if (err)
		return err;
	return vmbus_wait_msg(c, &w, &m);
}

int vmbus_open(struct vmbus_client *c, struct vmbus_channel *ch,
	       const struct vmbus_offer *offer, void *buf, uint32_t out_pages,
	       uint32_t in_pages)
{
	struct msg_open o;
	struct want w = {MSG_OPENCHANNEL_RESULT, 2, {0, 0}};
	struct msg_open_result res;
	struct inmsg m;
	uint8_t *base = buf;
	int err;

	memset(ch, 0, sizeof(*ch));
	if (!offer || out_pages < 2 || in_pages < 2 ||
	    out_pages > GPADL_MAX_PAGES - in_pages)
		return VMBUS_E_ARG;
	ch->c = c;
	ch->offer = offer;
	err = vmbus_gpadl_create(c, offer->child_relid, buf,
				 out_pages + in_pages, &ch->gpadl);
	if (err)
		return err;
	/* Linux initialises both rings after GPADL_CREATED and before
	 * OPENCHANNEL (vmbus-linux61.md §2.3). */
	vmbus_ring_init(&ch->out, base, out_pages);
	vmbus_ring_init(&ch->in, base + out_pages * 4096ul, in_pages);
	memset(&o, 0, sizeof(o));
	o.h.msgtype = MSG_OPENCHANNEL;
	o.child_relid = offer->child_relid;
	o.openid = offer->child_relid; /* as Linux */
	o.gpadl = ch->gpadl;
	o.target_vp = c->vp_index;
	o.downstream_offset = out_pages;
	w.key[0] = w.key[1] = offer->child_relid;
	err = vmbus_post_ctl(c, &o, sizeof(o));
	if (!err)
		err = vmbus_wait_msg(c, &w, &m);
	if (!err) {
		memcpy(&res, m.data, sizeof(res));
		if (res.status != 0)
			err = VMBUS_E_REFUSED;
	}
	if (err) {
		/* As Linux: a failed open tears its GPADL down. */
		vmbus_gpadl_teardown(c, offer->child_relid, ch->gpadl);
		ch->gpadl = 0;
		return err;
	}
	ch->open = 1;
	return VMBUS_OK;
}

int vmbus_close(struct vmbus_channel *ch)
{
	struct msg_relid cl;
	int err;

	if (!ch->open)
		return VMBUS_E_ARG;
	memset(&cl, 0, sizeof(cl));
	cl.h.msgtype = MSG_CLOSECHANNEL;
	cl.child_relid = ch->offer->child_relid;
	err = vmbus_post_ctl(ch->c, &cl, sizeof(cl)); /* no reply */
	ch->open = 0;
	if (err)
		return err;
	err = vmbus_gpadl_teardown(ch->c, ch->offer->child_relid, ch->gpadl);
	if (!err)
		ch->gpadl = 0;
	return err;
}

/* Tells the host there is something for it (vmbus.md §5.5, §4.1): the
 * monitor page bit if the offer has one, else HvSignalEvent. */
static int signal_host(struct vmbus_channel *ch)
{
	const struct vmbus_offer *o = ch->offer;

	if (o->monitor_allocated) {
		volatile uint32_t *pending =
		    (volatile uint32_t *)((uint8_t *)ch->c->monitor2 + 8 +
					  8 * (o->monitor_id / 32 % 4));

		__atomic_fetch_or(pending, 1u << (o->monitor_id % 32),
				  __ATOMIC_SEQ_CST);
		return VMBUS_OK;
	}
	return hv_signal_event(o->connection_id, 0) == HV_STATUS_SUCCESS
		   ? VMBUS_OK
		   : VMBUS_E_HYPERCALL;
}

int vmbus_send_raw(struct vmbus_channel *ch, uint16_t type, uint16_t flags,
		   const void *data, uint32_t len, uint64_t trans_id)
{
	int signal;
	enum vmbus_ring_status st;

	if (!ch->open)
		return VMBUS_E_ARG;
	st = vmbus_ring_write(&ch->out, type, flags, trans_id, data, len,
			      &signal);
	if (st != VMBUS_RING_OK)
		return VMBUS_E_RING;
	return signal ? signal_host(ch) : VMBUS_OK;
}

int vmbus_send(struct vmbus_channel *ch, const void *data, uint32_t len,
	       uint64_t trans_id, int completion_requested)
{
	return vmbus_send_raw(
	    ch, VMBUS_PKT_DATA_INBAND,
	    completion_requested ? VMBUS_PKT_FLAG_COMPLETION_REQUESTED : 0,
	    data, len, trans_id);
}

int vmbus_send_gpa_direct(struct vmbus_channel *ch, const void *buf,
			  uint32_t buf_len, const void *data, uint32_t len,
			  uint64_t trans_id)
{
	/* The whole packet is laid out here, then copied into the ring in
	 * one go: descriptor (2 words); reserved u32 and range_cnt u32, then
	 * the one range Linux sends: byte_count u32, byte_offset u32, pfn
	 * u64[]; the data; zero padding to 8 bytes. */
	uint64_t pkt[4 + VMBUS_GPA_DIRECT_MAX_PFNS +
		     VMBUS_GPA_DIRECT_MAX_DATA / 8];
	uint64_t addr = (uint64_t)buf, off = addr & 0xFFF;
	uint32_t npfn = (uint32_t)((off + buf_len + 4095) / 4096);
	uint32_t start = 8 * (4 + npfn), aligned = (start + len + 7) & ~7u;
	enum vmbus_ring_status st;
	int signal;

	if (!ch->open || !buf_len || npfn > VMBUS_GPA_DIRECT_MAX_PFNS ||
	    len > VMBUS_GPA_DIRECT_MAX_DATA)
		return VMBUS_E_ARG;
	pkt[0] = vmbus_desc_word0(VMBUS_PKT_DATA_GPA_DIRECT,
				  (uint16_t)(start / 8),
				  (uint16_t)(aligned / 8),
				  VMBUS_PKT_FLAG_COMPLETION_REQUESTED);
	pkt[1] = trans_id;
	pkt[2] = (uint64_t)1 << 32; /* reserved 0, range_cnt 1 */
	pkt[3] = buf_len | off << 32;
	for (uint32_t i = 0; i < npfn; i++)
		pkt[4 + i] = (addr >> 12) + i;
	if (len & 7) /* the padding: the data copy leaves the rest of it */
		pkt[aligned / 8 - 1] = 0;
	memcpy((uint8_t *)pkt + start, data, len);
	st = vmbus_ring_write_pkt(&ch->out, pkt, aligned, &signal);
	if (st != VMBUS_RING_OK)
		return VMBUS_E_RING;
	return signal ? signal_host(ch) : VMBUS_OK;
}

/* One read attempt, masked as Linux's batched reader is: the mask goes
 * up before the first read and stays up while more is queued; when the
 * ring looks empty it comes down, with a re-check, so the host signals
 * again on empty -> non-empty. On return the ring is masked when more
 * may be waiting, unmasked when it was empty after the unmask. A host
 * that keeps moving its index gets two looks, not an endless loop (the
 * watchdog tick wakes a wait that it fooled). */
int vmbus_try_recv(struct vmbus_channel *ch, struct vmbus_pkt *pkt, void *buf,
		   uint32_t cap)
{
	struct vmbus_ring *in = &ch->in;
	enum vmbus_ring_status st;
	int signal;

	if (!ch->open)
		return VMBUS_E_ARG;
	for (int look = 0; look < 2; look++) {
		if (!in->masked)
			vmbus_ring_mask(in);
		st = vmbus_ring_read(in, pkt, buf, cap, &signal);
		if (st != VMBUS_RING_OK && st != VMBUS_RING_EMPTY) {
			printf("vmbus: inbound ring of relid %u: %s\n",
			       ch->offer->child_relid,
			       vmbus_ring_status_name(st));
			return VMBUS_E_RING;
		}
		if (st == VMBUS_RING_OK && signal)
			signal_host(ch);
		if (st == VMBUS_RING_OK && in->unread)
			return 1; /* more behind it: stay masked */
		/* The ring looks empty: unmask, then look again, since a
		 * packet written while masked raised no signal. */
		if (!vmbus_ring_unmask(in))
			return st == VMBUS_RING_OK;
		if (st == VMBUS_RING_OK) {
			vmbus_ring_mask(in); /* more arrived: read on */
			return 1;
		}
		/* Empty before, but a packet arrived meanwhile: read it. */
	}
	return 0;
}

int vmbus_recv(struct vmbus_channel *ch, struct vmbus_pkt *pkt, void *buf,
	       uint32_t cap)
{
	struct vmbus_client *c = ch->c;
	uint64_t t0 = rdtsc();

	if (!ch->open)
		return VMBUS_E_ARG;
	for (;;) {
		int r;

		if (hv_event_test_clear(&c->synic, VMBUS_SINT,
					ch->offer->child_relid))
			ch->events++;
		r = vmbus_try_recv(ch, pkt, buf, cap);
		if (r < 0)
			return r;
		if (r == 1)
			return (int)pkt->len;
		vmbus_poll(c); /* a rescind, say */
		if (ch->offer->rescinded)
			return VMBUS_E_REFUSED;
		if (vmbus_timed_out(c, t0))
			return VMBUS_E_TIMEOUT;
		vmbus_irq_window();
	}
}
