/*
 * examples/runtime/storvsc.c — the storage VSC's protocol part: open and
 * init sequence, EXECUTE_SRB requests in flight by slot, completions
 * matched by transaction id, waiting with HLT (storvsc.h says what;
 * ../shared/reference/vmbus.md §6.2, §6.3 are the protocol). The SCSI
 * command helpers are in storvsc_scsi.c.
 *
 * A completion is the host's word, so it is checked before use: an
 * 80-byte completion packet (descriptor + 64-byte vstor_packet),
 * operation COMPLETE_IO, and a transaction id naming a slot in flight.
 * Anything else is counted in s->unexpected and dropped.
 */
#include "storvsc.h"

#include "idt.h"
#include "io.h"
#include "string.h"

#define REQ_COMPLETION_FLAG 1u /* vstor_packet.flags */
#define REV_MISMATCH	    0xC0000059u
#define VMSCSI_LEN	    0x34 /* vmscsi_request length, Win8 and later */
#define SRB_FLAGS_NO_SYNC   0x8u /* DISABLE_SYNCH_TRANSFER, always set */
#define SRB_FLAGS_DATA_IN   0x40u
#define SRB_FLAGS_DATA_OUT  0x80u
#define SRB_TIMEOUT_S	    60

/* vstor_packet field offsets (§6.2): header, then the 52-byte union. */
enum {
	PK_OP = 0,
	PK_FLAGS = 4,
	PK_STATUS = 8,
	PK_U = 12, /* the union: vmscsi_request, properties, version */
	/* vmscsi_request, relative to PK_U */
	SRB_LENGTH = 0,
	SRB_SRB_STATUS = 2,
	SRB_SCSI_STATUS = 3,
	SRB_CDB_LEN = 8,
	SRB_SENSE_LEN = 9,
	SRB_DATA_IN = 10,
	SRB_XFER = 12,
	SRB_CDB = 16, /* and sense data on completion */
	SRB_QUEUE_TAG = 38,
	SRB_QUEUE_ACTION = 39,
	SRB_FLAGS = 40,
	SRB_TIME_OUT = 44,
	/* channel properties, relative to PK_U */
	PROP_MAX_CHANNELS = 4,
	PROP_FLAGS = 8,
	PROP_MAX_TRANSFER = 12,
};

/* Fixed-size copies: the builtin compiles to one move (a plain memcpy
 * would be a call, since the runtime is freestanding). */
static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, 4);
	return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	__builtin_memcpy(p, &v, 4);
}

/* ---- the watchdog tick ------------------------------------------------------
 * Only wakes a halted wait so that it can look at the clock; an IDT
 * handler has no argument, and there is one timer per vCPU anyway. */
static void tick_isr(struct trap_frame *f)
{
	(void)f;
	hv_apic_eoi(); /* direct mode: a plain fixed interrupt */
}

static void tick_start(void)
{
	idt_set_handler(STORVSC_TICK_VECTOR, tick_isr);
	hv_stimer_set_count(STORVSC_TICK_TIMER, STORVSC_TICK_100NS);
	hv_stimer_set_config(STORVSC_TICK_TIMER,
			     HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
				 HV_STIMER_DIRECT |
				 (uint64_t)STORVSC_TICK_VECTOR
				     << HV_STIMER_VECTOR_SHIFT);
}

static void tick_stop(void)
{
	hv_stimer_set_config(STORVSC_TICK_TIMER, 0);
}

/* ---- completions -------------------------------------------------------- */

/* The done queue: slots completed and not yet handed out by
 * storvsc_next_done, oldest first, in a circular array (a slot is in it
 * at most once, so STORVSC_MAX_QD entries always suffice). */
static unsigned done_at(const struct storvsc *s, unsigned i)
{
	return s->done_q[(s->done_head + i) % STORVSC_MAX_QD];
}

static void done_push(struct storvsc *s, unsigned slot)
{
	s->done_q[(s->done_head + s->done_n) % STORVSC_MAX_QD] = (uint8_t)slot;
	s->done_n++;
	s->req[slot].queued = 1;
}

/* Takes the slot out of the queue wherever it is (a synchronous helper
 * released it without storvsc_next_done); the ones behind move up. */
static void done_remove(struct storvsc *s, unsigned slot)
{
	unsigned i = 0;

	while (i < s->done_n && done_at(s, i) != slot)
		i++;
	for (; i + 1 < s->done_n; i++)
		s->done_q[(s->done_head + i) % STORVSC_MAX_QD] =
		    (uint8_t)done_at(s, i + 1);
	if (s->done_n)
		s->done_n--;
	s->req[slot].queued = 0;
}

int storvsc_next_done(struct storvsc *s)
{
	unsigned slot;

	if (!s->done_n)
		return -1;
	slot = done_at(s, 0);
	s->done_head = (s->done_head + 1) % STORVSC_MAX_QD;
	s->done_n--;
	s->req[slot].queued = 0;
	return (int)slot;
}

/* One packet from the host: a completion for a slot, or not. */
static int take_completion(struct storvsc *s, const struct vmbus_pkt *pkt,
			   const uint8_t *p)
{
	uint64_t id = pkt->desc.trans_id;
	const uint8_t *u = p + PK_U;
	struct storvsc_req *r;

	if (pkt->len < STORVSC_PKT_SIZE || rd32(p + PK_OP) !=
						   STORVSC_OP_COMPLETE_IO ||
	    id == 0 || id > s->max_qd || !s->req[id - 1].busy) {
		s->unexpected++; /* unsolicited (trans_id 0) or bogus */
		return 0;
	}
	r = &s->req[id - 1];
	r->t_done = rdtsc();
	r->status = rd32(p + PK_STATUS);
	r->srb_status = u[SRB_SRB_STATUS];
	r->scsi_status = u[SRB_SCSI_STATUS];
	r->sense_len = u[SRB_SENSE_LEN] < STORVSC_SENSE_SIZE
			   ? u[SRB_SENSE_LEN]
			   : STORVSC_SENSE_SIZE;
	r->xfer = rd32(u + SRB_XFER);
	__builtin_memcpy(r->sense, u + SRB_CDB, STORVSC_SENSE_SIZE);
	r->busy = 0;
	r->done = 1;
	done_push(s, (unsigned)(id - 1));
	s->inflight--;
	s->completed++;
	return 1;
}

int storvsc_poll(struct storvsc *s)
{
	uint8_t buf[STORVSC_PKT_SIZE + 16];
	struct vmbus_pkt pkt;
	int n = 0, r;

	hv_event_test_clear(&s->ch.c->synic, VMBUS_SINT,
			    s->ch.offer->child_relid);
	/* Until the ring is empty; vmbus_try_recv unmasks the host's
	 * signals when it leaves the ring empty, so no further read is
	 * needed to find that out. */
	while ((r = vmbus_try_recv(&s->ch, &pkt, buf, sizeof(buf))) == 1) {
		n += take_completion(s, &pkt, buf);
		if (!s->ch.in.masked)
			break;
	}
	return r < 0 ? r : n;
}

int storvsc_wait(struct storvsc *s)
{
	uint64_t t0 = rdtsc();

	for (;;) {
		/* An empty ring with the host's signals unmasked (how a poll
		 * leaves it) has nothing to read: straight to the HLT. Any
		 * other state, corrupt indices included, goes to the poll. */
		volatile struct vmbus_ring_hdr *in = s->ch.in.hdr;
		int idle = !s->ch.in.masked &&
			   in->read_index == in->write_index &&
			   in->write_index < s->ch.in.size;
		int n = idle ? 0 : storvsc_poll(s);

		if (n != 0)
			return n;
		vmbus_poll(s->ch.c); /* a rescind, say */
		if (s->ch.offer->rescinded)
			return VMBUS_E_REFUSED;
		if (rdtsc() - t0 > s->wait_cycles)
			return VMBUS_E_TIMEOUT;
		/* Interrupts are off here; the ring was empty with the
		 * host's signals unmasked (how the idle check or the poll
		 * found it, vmbus_try_recv re-checking after its unmask), so
		 * a completion written since raises the VMBus vector, which
		 * stays pending until the STI and ends the HLT at once
		 * (STI's shadow covers the gap: no wake-up is lost). */
		s->halts++;
		asm volatile("sti; hlt; cli" : : : "memory");
	}
}

int storvsc_wait_slot(struct storvsc *s, int slot)
{
	if (slot < 0 || (unsigned)slot >= s->max_qd)
		return VMBUS_E_ARG;
	while (!s->req[slot].done) {
		int n;

		if (!s->req[slot].busy)
			return VMBUS_E_ARG; /* never submitted */
		n = storvsc_wait(s);
		if (n < 0)
			return n;
	}
	return VMBUS_OK;
}

void storvsc_release(struct storvsc *s, int slot)
{
	if (slot >= 0 && (unsigned)slot < s->max_qd && !s->req[slot].busy) {
		if (s->req[slot].queued)
			done_remove(s, (unsigned)slot);
		s->req[slot].done = 0;
		s->free_slots |= 1ull << slot;
	}
}

/* ---- requests -------------------------------------------------------------- */

int storvsc_submit(struct storvsc *s, const uint8_t *cdb, uint8_t cdb_len,
		   enum storvsc_dir dir, void *buf, uint32_t len, uint64_t tag)
{
	uint8_t pkt[STORVSC_PKT_SIZE];
	uint8_t *u = pkt + PK_U;
	int slot = storvsc_next_slot(s), err;
	struct storvsc_req *r;
	uint32_t full_before = s->ch.out.full;

	if (cdb_len == 0 || cdb_len > 16 || (len && !buf) ||
	    (dir == STORVSC_NO_DATA) != (len == 0) || s->step != STORVSC_STEP_READY)
		return VMBUS_E_ARG;
	if (slot < 0)
		return STORVSC_E_BUSY;
	memset(pkt, 0, sizeof(pkt));
	wr32(pkt + PK_OP, STORVSC_OP_EXECUTE_SRB);
	wr32(pkt + PK_FLAGS, REQ_COMPLETION_FLAG);
	u[SRB_LENGTH] = VMSCSI_LEN;
	u[SRB_CDB_LEN] = cdb_len;
	u[SRB_SENSE_LEN] = STORVSC_SENSE_SIZE;
	u[SRB_DATA_IN] = (uint8_t)dir;
	wr32(u + SRB_XFER, len);
	memcpy(u + SRB_CDB, cdb, cdb_len);
	u[SRB_QUEUE_TAG] = 0xFF;   /* untagged */
	u[SRB_QUEUE_ACTION] = 0x20; /* simple */
	wr32(u + SRB_FLAGS, SRB_FLAGS_NO_SYNC |
				(dir == STORVSC_DATA_IN	   ? SRB_FLAGS_DATA_IN
				 : dir == STORVSC_DATA_OUT ? SRB_FLAGS_DATA_OUT
							   : 0));
	wr32(u + SRB_TIME_OUT, SRB_TIMEOUT_S);
	r = &s->req[slot];
	r->done = 0; /* the rest is written by the completion */
	r->tag = tag;
	r->t_submit = rdtsc();
	err = len ? vmbus_send_gpa_direct(&s->ch, buf, len, pkt, sizeof(pkt),
					  (uint64_t)slot + 1)
		  : vmbus_send(&s->ch, pkt, sizeof(pkt), (uint64_t)slot + 1, 1);
	if (err == VMBUS_E_RING && s->ch.out.full != full_before)
		return STORVSC_E_BUSY; /* no room now: poll and retry */
	if (err)
		return err;
	r->busy = 1;
	s->free_slots &= ~(1ull << slot);
	s->inflight++;
	s->submitted++;
	return slot;
}

/* ---- open and the init sequence --------------------------------------------- */

/* One init-phase operation (trans_id VMBUS_RQST_INIT), waited for. */
static int init_op(struct storvsc *s, uint32_t op, const void *payload,
		   uint32_t len)
{
	uint8_t pkt[STORVSC_PKT_SIZE], buf[STORVSC_PKT_SIZE + 16];
	struct vmbus_pkt in;
	int err;

	memset(pkt, 0, sizeof(pkt));
	wr32(pkt + PK_OP, op);
	wr32(pkt + PK_FLAGS, REQ_COMPLETION_FLAG);
	if (payload)
		memcpy(pkt + PK_U, payload, len);
	err = vmbus_send(&s->ch, pkt, sizeof(pkt), STORVSC_RQST_INIT, 1);
	if (err)
		return err;
	err = vmbus_recv(&s->ch, &in, buf, sizeof(buf));
	if (err < 0)
		return err;
	if (err < STORVSC_PKT_SIZE || in.desc.trans_id != STORVSC_RQST_INIT ||
	    rd32(buf + PK_OP) != STORVSC_OP_COMPLETE_IO)
		return STORVSC_E_PROTOCOL;
	memcpy(s->last, buf, STORVSC_PKT_SIZE);
	return VMBUS_OK;
}

static uint32_t last_status(const struct storvsc *s)
{
	return rd32(s->last + PK_STATUS);
}

static int init_sequence(struct storvsc *s)
{
	/* Linux 6.x's order; older hosts answer REVISION_MISMATCH. */
	static const uint16_t versions[] = {0x0602, 0x0600, 0x0501};
	const uint8_t *u = s->last + PK_U;
	int err;

	s->step = STORVSC_STEP_BEGIN;
	if ((err = init_op(s, STORVSC_OP_BEGIN_INIT, 0, 0)) != 0)
		return err;
	if (last_status(s) != 0)
		return VMBUS_E_REFUSED;
	s->step = STORVSC_STEP_VERSION;
	for (unsigned i = 0; i < 3 && !s->version; i++) {
		uint16_t v[2] = {versions[i], 0}; /* major_minor, revision */

		if ((err = init_op(s, STORVSC_OP_QUERY_PROTOCOL, v, 4)) != 0)
			return err;
		if (last_status(s) == 0)
			s->version = versions[i];
		else if (last_status(s) != REV_MISMATCH)
			return VMBUS_E_REFUSED;
	}
	if (!s->version)
		return VMBUS_E_NO_VERSION;
	s->step = STORVSC_STEP_PROPERTIES;
	if ((err = init_op(s, STORVSC_OP_QUERY_PROPERTIES, 0, 0)) != 0)
		return err;
	if (last_status(s) != 0)
		return VMBUS_E_REFUSED;
	s->max_channels = (uint16_t)(u[PROP_MAX_CHANNELS] |
				     u[PROP_MAX_CHANNELS + 1] << 8);
	s->prop_flags = rd32(u + PROP_FLAGS);
	s->max_transfer = rd32(u + PROP_MAX_TRANSFER);
	if (s->max_transfer == 0)
		return STORVSC_E_PROTOCOL; /* no I/O possible (§6.2) */
	s->step = STORVSC_STEP_END;
	if ((err = init_op(s, STORVSC_OP_END_INIT, 0, 0)) != 0)
		return err;
	if (last_status(s) != 0)
		return VMBUS_E_REFUSED;
	s->step = STORVSC_STEP_READY;
	return VMBUS_OK;
}

int storvsc_open(struct storvsc *s, struct vmbus_client *c,
		 const struct vmbus_offer *offer, void *rings,
		 uint32_t ring_pages, unsigned max_qd, uint64_t wait_cycles)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->step = STORVSC_STEP_OPEN;
	s->wait_cycles = wait_cycles;
	if (!max_qd || max_qd > STORVSC_MAX_QD)
		return VMBUS_E_ARG;
	s->max_qd = max_qd;
	s->free_slots = max_qd == 64 ? ~0ull : (1ull << max_qd) - 1;
	err = vmbus_open(c, &s->ch, offer, rings, ring_pages, ring_pages);
	if (err)
		return err;
	err = init_sequence(s);
	if (err == 0)
		tick_start();
	return err;
}

int storvsc_close(struct storvsc *s)
{
	if (s->step == STORVSC_STEP_READY)
		tick_stop();
	s->step = STORVSC_STEP_OPEN;
	return vmbus_close(&s->ch);
}
