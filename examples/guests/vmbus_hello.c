/*
 * examples/guests/vmbus_hello.c — the first VMBus guest: a VSC for the
 * parent's echo VSP (vmbus/vsp_echo.c, offered when hvsim runs with
 * --testdev), driven through the runtime's client library
 * (examples/runtime/vmbus.h; protocol: ../shared/reference/vmbus.md §4,
 * §5).
 *
 * First the ring code alone (the guest writes and reads one local ring:
 * wrapping, full, too big, signalling, pending_send_sz, corrupt indices).
 * Then the steps, as Linux takes them from boot to an open channel: hypercall
 * page and SynIC (SINT2, vector 0xF3), INITIATE_CONTACT from 5.3 down, request
 * offers until ALLOFFERS_DELIVERED (each offer is printed), GPADL for the
 * two rings (32 pages: a GPADL_HEADER with 26 PFNs and a GPADL_BODY with
 * 6), OPENCHANNEL. Then in-band packets of several sizes, one at a time,
 * until both rings have wrapped; each must come back as a completion with
 * the same trans_id and payload; the round trip of each is measured in
 * TSC cycles. Then a burst without reading, drained in one batch; then
 * CLOSECHANNEL + GPADL_TEARDOWN and UNLOAD.
 */
#include "hyperv.h"
#include "rt.h"
#include "vmbus.h"

#define WAIT_CYCLES 250000000ull /* 100 ms at 2.5 GHz per answer */
#define OUT_PAGES   16		 /* 1 header + 15 data pages each way */
#define IN_PAGES    16
#define ROUNDS	    96 /* about 1.5 times around each ring */
#define BURST	    8
#define MAX_LEN	    4000 /* a Linux reader takes <= 4096 with descriptor */

/* The echo VSP's interface GUID 2c9a1b3e-5f0d-4d6a-9e7b-1f2a3b4c5d6e,
 * wire byte order (vmbus/vsp_echo.c). */
static const uint8_t echo_if_type[16] = {
    0x3e, 0x1b, 0x9a, 0x2c, 0x0d, 0x5f, 0x6a, 0x4d,
    0x9e, 0x7b, 0x1f, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e,
};

static const uint32_t sizes[] = {1, 8, 24, 100, 256, 1000, 2000, MAX_LEN, 333};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static uint8_t rings[(OUT_PAGES + IN_PAGES) * 4096]
    __attribute__((aligned(4096)));
static uint8_t tx[MAX_LEN], rx[MAX_LEN + 8];

struct rtt {
	uint64_t min, max, sum;
	unsigned n;
};

static void fill(uint8_t *p, uint32_t len, unsigned seed)
{
	for (uint32_t k = 0; k < len; k++)
		p[k] = (uint8_t)(seed * 7 + k * 13 + len);
}

/* ---- the ring alone: the guest as its own writer and reader ----------------
 * Checks examples/runtime/vmbus_ring.c before any host is involved. */

static uint8_t loop_ring[3 * 4096] __attribute__((aligned(4096)));

static void ring_loopback(void)
{
	struct vmbus_ring r;
	struct vmbus_pkt pkt;
	unsigned ok = 1, n = 0, sig, signals = 0;
	int s;

	vmbus_ring_init(&r, loop_ring, 3); /* 8 KiB of data */
	/* Packets of every 8-byte class from 1 to 600 bytes, each written
	 * and read back: about 20 times around the ring. */
	for (uint32_t len = 1; len <= 600 && ok; len += 7, n++) {
		fill(tx, len, n);
		ok = vmbus_ring_write(&r, VMBUS_PKT_DATA_INBAND, 1, n, tx, len,
				      &s) == VMBUS_RING_OK;
		signals += s;
		ok = ok && vmbus_ring_read(&r, &pkt, rx, sizeof(rx), &s) ==
			       VMBUS_RING_OK;
		ok = ok && pkt.len == ((len + 7) & ~7u) &&
		     pkt.desc.trans_id == n && pkt.desc.offset8 == 2 &&
		     pkt.desc.flags == 1 && memcmp(rx, tx, len) == 0;
	}
	report(ok && r.wraps > 1,
	       "ring: %u packets written and read back, "
	       "%u wrapped, trailers checked",
	       n, r.wraps);
	report(signals == n, "ring: each write into an empty ring signals");
	/* A type-specific header between descriptor and payload. */
	{
		static const uint64_t gpa_hdr[3] = {1ull << 32, 4096, 0x123};

		fill(tx, 40, 77);
		vmbus_ring_write_hdr(&r, VMBUS_PKT_DATA_GPA_DIRECT, 1, 77,
				     gpa_hdr, sizeof(gpa_hdr), tx, 40, &s);
		report(vmbus_ring_read(&r, &pkt, rx, sizeof(rx), &s) ==
			       VMBUS_RING_OK &&
			   pkt.desc.type == VMBUS_PKT_DATA_GPA_DIRECT &&
			   pkt.desc.offset8 == 5 && pkt.len == 40 &&
			   memcmp(rx, tx, 40) == 0,
		       "ring: GPA-direct header: offset8 5, payload after it");
	}
	/* Fill: writes stop while the free space is <= packet + trailer. */
	fill(tx, 1000, 1);
	n = 0;
	while (vmbus_ring_write(&r, VMBUS_PKT_DATA_INBAND, 0, n, tx, 1000,
				&s) == VMBUS_RING_OK)
		n++, signals += s;
	report(n == 7 && r.full == 1 && vmbus_ring_used(&r) == 7 * 1024,
	       "ring: 7 packets of 1000 bytes fill 8 KiB, the 8th is refused "
	       "(used %u)",
	       vmbus_ring_used(&r));
	report(vmbus_ring_write(&r, VMBUS_PKT_DATA_INBAND, 0, 0, tx, 8192,
				&s) == VMBUS_RING_TOO_BIG,
	       "ring: a packet larger than the ring is refused as too big");
	/* The reader asks for signals back when a writer waits for space. */
	r.hdr->pending_send_sz = 2000;
	sig = 0;
	for (unsigned i = 0; i < 7; i++) {
		ok = vmbus_ring_read(&r, &pkt, rx, sizeof(rx), &s) ==
		     VMBUS_RING_OK;
		sig += s;
	}
	report(ok && sig == 1,
	       "ring: pending_send_sz 2000: one signal to "
	       "the writer as the free space crosses it (%u)",
	       sig);
	r.hdr->pending_send_sz = 0;
	/* Masked reader: no signal; unmasked again: the next one does. */
	vmbus_ring_mask(&r);
	vmbus_ring_write(&r, VMBUS_PKT_DATA_INBAND, 0, 1, tx, 8, &s);
	sig = s;
	vmbus_ring_read(&r, &pkt, rx, sizeof(rx), &s);
	vmbus_ring_unmask(&r);
	vmbus_ring_write(&r, VMBUS_PKT_DATA_INBAND, 0, 2, tx, 8, &s);
	report(sig == 0 && s == 1, "ring: interrupt_mask set: no signal; "
				   "cleared: the next write signals");
	vmbus_ring_write(&r, VMBUS_PKT_DATA_INBAND, 0, 3, tx, 8, &s);
	report(s == 0, "ring: a write into a non-empty ring does not signal");
	/* A reader too small for the packet leaves it in place. */
	report(vmbus_ring_read(&r, &pkt, rx, 4, &s) == VMBUS_RING_TOO_BIG &&
		   vmbus_ring_read(&r, &pkt, rx, sizeof(rx), &s) ==
		       VMBUS_RING_OK &&
		   pkt.desc.trans_id == 2,
	       "ring: a packet larger than the reader's buffer stays queued");
	/* Impossible indices and descriptors are refused, not followed. */
	r.hdr->write_index = 8193;
	report(vmbus_ring_read(&r, &pkt, rx, sizeof(rx), &s) ==
		       VMBUS_RING_CORRUPT &&
		   vmbus_ring_write(&r, VMBUS_PKT_DATA_INBAND, 0, 0, tx, 8,
				    &s) == VMBUS_RING_CORRUPT,
	       "ring: write_index outside the data area -> corrupt");
	r.hdr->write_index = (r.hdr->read_index + 24) % r.size;
	report(vmbus_ring_read(&r, &pkt, rx, sizeof(rx), &s) ==
		   VMBUS_RING_CORRUPT,
	       "ring: a packet whose len8 runs past write_index -> corrupt");
}

static void print_version(const struct vmbus_client *c)
{
	printf("vmbus: version %u.%u after %u INITIATE_CONTACT, msg_conn_id "
	       "%u\n",
	       c->version >> 16, c->version & 0xFFFF, c->versions_tried,
	       c->msg_conn_id);
}

static void list_offers(const struct vmbus_client *c)
{
	for (unsigned i = 0; i < c->n_offers; i++) {
		const struct vmbus_offer *o = &c->offers[i];

		printf("offer: relid %u conn %#x if_type ", o->child_relid,
		       o->connection_id);
		vmbus_print_guid(o->if_type);
		printf(" instance ");
		vmbus_print_guid(o->if_instance);
		printf(" monitor %u dedicated %u\n", o->monitor_allocated,
		       o->is_dedicated_interrupt);
	}
}

/* The echo of packet (seed, len) is in pkt/rx with the payload length
 * rounded up to 8 (the ring carries no byte count). */
static int echo_ok(const struct vmbus_pkt *pkt, int got, uint64_t id,
		   uint32_t len, unsigned seed)
{
	fill(tx, len, seed);
	return got == (int)((len + 7) & ~7u) &&
	       pkt->desc.type == VMBUS_PKT_COMP && pkt->desc.trans_id == id &&
	       memcmp(rx, tx, len) == 0;
}

static void show_bad(const struct vmbus_pkt *pkt, int got, uint64_t id,
		     uint32_t len)
{
	printf("      sent id %lu len %u; got %d (%s) type %#x id %lu\n",
	       (unsigned long)id, len, got, got < 0 ? vmbus_err_name(got) : "",
	       pkt->desc.type, (unsigned long)pkt->desc.trans_id);
}

/* One packet at a time: send, wait for the echo, time it. */
static int round_trips(struct vmbus_channel *ch, struct rtt *t)
{
	struct vmbus_pkt pkt;

	for (unsigned i = 0; i < ROUNDS; i++) {
		unsigned s = i % NSIZES;
		uint32_t len = sizes[s];
		uint64_t id = 0x1000 + i, t0;
		int err, got;

		fill(tx, len, i);
		t0 = rdtsc();
		err = vmbus_send(ch, tx, len, id, 1);
		if (err)
			return report(0, "send %u (%u bytes): %s", i, len,
				      vmbus_err_name(err));
		got = vmbus_recv(ch, &pkt, rx, sizeof(rx));
		t0 = rdtsc() - t0;
		if (!echo_ok(&pkt, got, id, len, i)) {
			show_bad(&pkt, got, id, len);
			return report(0, "echo of packet %u (%u bytes)", i,
				      len);
		}
		if (!t[s].n || t0 < t[s].min)
			t[s].min = t0;
		if (t0 > t[s].max)
			t[s].max = t0;
		t[s].sum += t0;
		t[s].n++;
	}
	return report(1,
		      "%u packets of %u sizes (1..%u bytes) echoed with "
		      "their trans_id and payload",
		      ROUNDS, (unsigned)NSIZES, MAX_LEN);
}

static void print_rtt(const struct rtt *t)
{
	for (unsigned s = 0; s < NSIZES; s++)
		printf("rtt %4u bytes: min %lu avg %lu max %lu cycles (%u)\n",
		       sizes[s], (unsigned long)t[s].min,
		       (unsigned long)(t[s].n ? t[s].sum / t[s].n : 0),
		       (unsigned long)t[s].max, t[s].n);
}

/* BURST packets written back to back, then read in one batch. */
static void burst(struct vmbus_channel *ch)
{
	struct vmbus_pkt pkt;
	unsigned sig0 = ch->out.signals, ok = 1;

	for (unsigned i = 0; i < BURST && ok; i++) {
		fill(tx, 64 + i, 500 + i);
		ok = vmbus_send(ch, tx, 64 + i, 0x2000 + i, 1) == 0;
	}
	report(ok, "burst: %u packets written back to back", BURST);
	printf("burst: %u host signals for %u packets\n",
	       ch->out.signals - sig0, BURST);
	for (unsigned i = 0; i < BURST && ok; i++) {
		int got = vmbus_recv(ch, &pkt, rx, sizeof(rx));

		ok = echo_ok(&pkt, got, 0x2000 + i, 64 + i, 500 + i);
		if (!ok)
			show_bad(&pkt, got, 0x2000 + i, 64 + i);
	}
	report(ok, "burst: %u echoes read in order", BURST);
}

static void run_channel(struct vmbus_client *c, const struct vmbus_offer *o)
{
	static struct rtt t[NSIZES];
	struct vmbus_channel ch;
	int err = vmbus_open(c, &ch, o, rings, OUT_PAGES, IN_PAGES);

	if (!report(err == 0,
		    "GPADL of %u pages (header + body) and "
		    "OPENCHANNEL: echo channel open (%s)",
		    OUT_PAGES + IN_PAGES, vmbus_err_name(err)))
		return;
	if (round_trips(&ch, t)) {
		print_rtt(t);
		report(ch.out.wraps > 0 && ch.in.wraps > 0,
		       "both rings wrapped (%u packets out, %u in)",
		       ch.out.wraps, ch.in.wraps);
		burst(&ch);
	}
	printf("channel: %u signals to the host, %u channel events, %u "
	       "refused writes\n",
	       ch.out.signals, ch.events, ch.out.full);
	err = vmbus_close(&ch);
	report(err == 0, "CLOSECHANNEL, GPADL_TEARDOWN -> GPADL_TORNDOWN (%s)",
	       vmbus_err_name(err));
}

/* After UNLOAD, a new session capped at 4.0 (Linux's max_version): the
 * first INITIATE_CONTACT goes to connection 1 and control stays there. */
static void reconnect_4_0(struct vmbus_client *c)
{
	int err;

	c->max_version = VMBUS_VERSION_WIN10;
	err = vmbus_connect(c);
	report(err == 0 && c->version == VMBUS_VERSION_WIN10 &&
		   c->msg_conn_id == 1 && c->versions_tried == 1,
	       "reconnect capped at 4.0: accepted on connection 1 (%s)",
	       vmbus_err_name(err));
	err = vmbus_request_offers(c);
	report(err == 0 && vmbus_find_offer(c, echo_if_type) != 0,
	       "4.0 session: the echo VSP is offered again");
	err = vmbus_unload(c);
	report(err == 0, "4.0 session: UNLOAD -> UNLOAD_RESPONSE (%s)",
	       vmbus_err_name(err));
}

int kmain(struct hvsim_boot_info *bi)
{
	static struct vmbus_client c;
	struct hv_info info;
	const struct vmbus_offer *echo;
	int err;

	(void)bi;
	rt_init();
	printf("vmbus_hello: VMBus connect, offers, echo channel, unload\n");
	ring_loopback();
	if (!report(hv_detect(&info) && hv_hypercall_enable() == 0,
		    "Hyper-V detected, hypercall page enabled"))
		report_summary();
	if (!report(vmbus_init(&c, WAIT_CYCLES) == 0,
		    "SynIC enabled, SINT%d = vector %#x", VMBUS_SINT,
		    VMBUS_VECTOR))
		report_summary();
	err = vmbus_connect(&c);
	if (!report(err == 0,
		    "connected: INITIATE_CONTACT -> "
		    "VERSION_RESPONSE (%s)",
		    vmbus_err_name(err)))
		report_summary();
	print_version(&c);
	report(c.version >= VMBUS_VERSION_WIN10,
	       "negotiated version is 4.0 or newer");
	err = vmbus_request_offers(&c);
	report(err == 0,
	       "REQUESTOFFERS -> %u offers, ALLOFFERS_DELIVERED "
	       "(%s)",
	       c.n_offers, vmbus_err_name(err));
	list_offers(&c);
	echo = vmbus_find_offer(&c, echo_if_type);
	if (report(echo != 0, "the echo VSP is offered"))
		run_channel(&c, echo);
	err = vmbus_unload(&c);
	report(err == 0, "UNLOAD -> UNLOAD_RESPONSE (%s)", vmbus_err_name(err));
	reconnect_4_0(&c);
	printf("vmbus: %u messages received, %u dropped\n", c.msgs_in,
	       c.msgs_dropped);
	report(c.msgs_dropped == 0, "no unexpected or malformed message");
	report_summary();
}
