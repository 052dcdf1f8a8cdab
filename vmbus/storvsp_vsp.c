/*
 * vmbus/storvsp_vsp.c — the storage VSP on the VSP framework (vmbus/vsp.h):
 * the offer (SCSI interface GUID, vmbus.md §6.1; max_send 80 = the
 * storvsc guest's max_pkt_size, §5.6) and the callbacks that feed
 * vmbus/storvsp.c's protocol core.
 *
 * Flow of one request: the server reads a packet on a parent vCPU and
 * calls on_packet → storvsp_handle (the SCSI command and the disk's host
 * I/O run now; the disk model says when the device finishes) →
 * vsp_submit(completion work, cost = the VSP's ring-0 time, not_before =
 * the disk's completion) → send_work → vsp_send_completion (type 0xB,
 * 64-byte vstor_packet, the request's trans_id). A completion that finds
 * the host→guest ring full waits in a FIFO, drained from on_writable in
 * order; a child that never drains its ring only fills its own FIFO
 * (bounded: beyond STORVSP_PENDING_MAX the completion is dropped and
 * counted; storvsc's queue depth, 352 per channel, stays below it).
 * Caller: whoever builds a child's VMBus server (the VM Worker).
 */
#include <stdlib.h>
#include <string.h>

#include "vmbus/storvsp.h"
#include "vmbus/vsp.h"

#define STORVSP_PENDING_MAX 512
#define STORVSP_MAX_SEND    (16u + STORVSP_PKT_SIZE)

/* SCSI controller interface ba6163d9-04a1-4d29-b605-72e2ffb1dc7f. */
static const uint8_t scsi_if_type[16] = {0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04,
					 0x29, 0x4d, 0xb6, 0x05, 0x72, 0xe2,
					 0xff, 0xb1, 0xdc, 0x7f};

struct storvsp_dev {
	struct storvsp *core;
	struct vsp_desc desc;
	struct vmbus_channel *ch; /* the open channel, NULL when closed */
	struct storvsp_reply pending[STORVSP_PENDING_MAX]; /* FIFO */
	unsigned head, count;
	struct storvsp_dev_stats stats;
};

static void queue_reply(struct storvsp_dev *d, const struct storvsp_reply *r)
{
	if (d->count == STORVSP_PENDING_MAX) {
		d->stats.dropped++;
		return;
	}
	d->pending[(d->head + d->count) % STORVSP_PENDING_MAX] = *r;
	d->count++;
	d->stats.queued++;
}

/* Send queued completions in order until the ring is full again. */
static void drain(struct storvsp_dev *d, struct vmbus_channel *ch, cycles_t now)
{
	while (d->count) {
		const struct storvsp_reply *r = &d->pending[d->head];
		int rc = vsp_send_completion(ch, r->trans_id, r->pkt,
					     STORVSP_PKT_SIZE, now);
		if (rc == VSP_FULL)
			return;
		if (rc == VSP_OK)
			d->stats.sent++;
		else
			d->stats.dropped++;
		d->head = (d->head + 1) % STORVSP_PENDING_MAX;
		d->count--;
	}
}

static void send_work(void *opaque, struct vmbus_channel *ch, const void *data,
		      size_t len, cycles_t now)
{
	struct storvsp_dev *d = opaque;
	if (len != sizeof(struct storvsp_reply) || ch != d->ch)
		return;
	queue_reply(d,
		    data); /* keeps completions in order behind a full ring */
	drain(d, ch, now);
}

static uint32_t on_open(void *opaque, struct vmbus_channel *ch, cycles_t now)
{
	struct storvsp_dev *d = opaque;
	(void)now;
	if (d->ch)
		return STORVSP_ST_INVALID_DEVICE_STATE; /* one channel only */
	d->ch = ch;
	d->head = d->count = 0;
	storvsp_reset(d->core);
	storvsp_set_trace_chan(d->core, (uint16_t)vsp_chan_relid(ch));
	return 0;
}

static void on_packet(void *opaque, struct vmbus_channel *ch,
		      const struct vsp_packet *pkt, cycles_t now)
{
	struct storvsp_dev *d = opaque;
	struct storvsp_reply r;
	if (ch != d->ch)
		return;
	if (storvsp_handle(d->core, vsp_chan_mem(ch), pkt->pkt, pkt->pkt_len,
			   now, &r) != STORVSP_REPLY)
		return;
	if (vsp_submit(ch, send_work, d, &r, sizeof(r), r.cost, r.ready_at) !=
	    0)
		send_work(d, ch, &r, sizeof(r), now); /* no memory: at once */
}

static void on_writable(void *opaque, struct vmbus_channel *ch, cycles_t now)
{
	struct storvsp_dev *d = opaque;
	if (ch == d->ch)
		drain(d, ch, now);
}

static void on_close(void *opaque, struct vmbus_channel *ch)
{
	struct storvsp_dev *d = opaque;
	if (ch != d->ch)
		return;
	d->ch = NULL;
	d->head = d->count = 0;
}

static const struct vsp_ops storvsp_ops = {
    .on_open = on_open,
    .on_packet = on_packet,
    .on_writable = on_writable,
    .on_close = on_close,
};

struct storvsp_dev *storvsp_dev_create(const struct storvsp_config *cfg,
				       const uint8_t instance[16])
{
	struct storvsp_dev *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->core = storvsp_create(cfg);
	if (!d->core) {
		free(d);
		return NULL;
	}
	d->desc.name = "storvsp";
	memcpy(d->desc.if_type, scsi_if_type, 16);
	memcpy(d->desc.if_instance, instance, 16);
	d->desc.max_send = STORVSP_MAX_SEND;
	d->desc.ops = &storvsp_ops;
	d->desc.opaque = d;
	return d;
}

void storvsp_dev_destroy(struct storvsp_dev *d)
{
	if (!d)
		return;
	storvsp_destroy(d->core);
	free(d);
}

const struct vsp_desc *storvsp_dev_desc(struct storvsp_dev *d)
{
	return &d->desc;
}

struct storvsp *storvsp_dev_core(struct storvsp_dev *d)
{
	return d->core;
}

void storvsp_dev_get_stats(const struct storvsp_dev *d,
			   struct storvsp_dev_stats *out)
{
	*out = d->stats;
	out->pending = d->count;
}
