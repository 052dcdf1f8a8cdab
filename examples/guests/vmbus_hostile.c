/*
 * examples/guests/vmbus_hostile.c — an untrusted VSC: a guest that
 * misbehaves towards the parent's VMBus server (vmbus/server.c with the
 * echo VSP, run with --testdev) and checks after each misdeed that the
 * server still serves it. The list (docs: ../shared/reference/
 * vmbus.md §4.4, §5, §9): malformed control messages, GPADLs naming pages
 * outside the child, huge or inconsistent page counts, ring indices out
 * of range, a packet larger than the ring, a child that never drains its
 * inbound ring.
 *
 * What the server must do is refuse (a failure status where the protocol
 * has one, silence where it has none) and go on: each case ends with a
 * fresh open of the echo channel and one round trip. Built on the
 * runtime's client (examples/runtime/vmbus.h) and its raw-message calls.
 */
#include "hyperv.h"
#include "rt.h"
#include "vmbus.h"

#define WAIT_CYCLES  250000000ull /* 100 ms: an answer that must come */
#define QUIET_CYCLES 25000000ull  /* 10 ms: an answer that must not */
#define RING_PAGES   4		  /* each way: 12 KiB of data */
#define FAR_PFN	     0xFFFFFFFull /* ~1 TiB: outside any child */

static const uint8_t echo_if_type[16] = {
    0x3e, 0x1b, 0x9a, 0x2c, 0x0d, 0x5f, 0x6a, 0x4d,
    0x9e, 0x7b, 0x1f, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e,
};

static uint8_t rings[2 * RING_PAGES * 4096] __attribute__((aligned(4096)));
static uint8_t spare[2 * 4096] __attribute__((aligned(4096)));
static uint8_t msg[HV_MESSAGE_PAYLOAD_MAX], reply[HV_MESSAGE_PAYLOAD_MAX];
static uint8_t buf[256];

static void put32(uint32_t off, uint32_t v)
{
	memcpy(msg + off, &v, 4);
}

static void put64(uint32_t off, uint64_t v)
{
	memcpy(msg + off, &v, 8);
}

static uint32_t get32(const uint8_t *p, uint32_t off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return v;
}

/* A fresh message of `type` (header only). */
static void msg_start(uint32_t type)
{
	memset(msg, 0, sizeof(msg));
	put32(0, type);
}

/* Open the echo channel, one round trip, close: the server still works. */
static int echo_works(struct vmbus_client *c, const struct vmbus_offer *o)
{
	struct vmbus_channel ch;
	struct vmbus_pkt pkt;
	int got;

	if (vmbus_open(c, &ch, o, rings, RING_PAGES, RING_PAGES))
		return 0;
	memset(buf, 0x5A, 64);
	got = vmbus_send(&ch, buf, 64, 77, 1) == 0
		  ? vmbus_recv(&ch, &pkt, buf + 64, 128)
		  : -1;
	return vmbus_close(&ch) == 0 && got == 64 && pkt.desc.trans_id == 77 &&
	       memcmp(buf, buf + 64, 64) == 0;
}

/* Waits for GPADL_CREATED of (relid, handle); returns its status, or
 * ~0 when none came. */
static uint32_t created_status(struct vmbus_client *c, uint32_t handle)
{
	for (int i = 0; i < 4; i++) {
		if (vmbus_wait_reply(c, 10, 0, 0, reply))
			return ~0u;
		if (get32(reply, 12) == handle)
			return get32(reply, 16);
	}
	return ~0u;
}

/* GPADL_HEADER with one range: `pfns` PFNs given here (at most 26),
 * range_buflen and byte_count as the caller says. */
static void gpadl_header(uint32_t relid, uint32_t handle, uint16_t buflen,
			 uint32_t byte_count, const uint64_t *pfn, unsigned n)
{
	msg_start(8);
	put32(8, relid);
	put32(12, handle);
	put32(16, buflen | 1u << 16); /* rangecount 1 */
	put32(20, byte_count);
	put32(24, 0);
	for (unsigned i = 0; i < n; i++)
		put64(28 + 8 * i, pfn[i]);
}

static void bad_messages(struct vmbus_client *c, const struct vmbus_offer *o)
{
	unsigned dropped = c->msgs_dropped;

	msg_start(99); /* unknown type */
	vmbus_post_raw(c, msg, 16);
	msg_start(14); /* INITIATE_CONTACT, cut to its header */
	vmbus_post_raw(c, msg, 8);
	msg_start(1); /* OFFERCHANNEL: a host -> guest message */
	vmbus_post_raw(c, msg, 196);
	msg_start(5); /* OPENCHANNEL of a relid never offered */
	put32(8, 999);
	put32(12, 999);
	vmbus_post_raw(c, msg, 148);
	msg_start(9); /* GPADL_BODY for a handle never announced */
	put32(12, 0xBAD);
	vmbus_post_raw(c, msg, 24);
	msg_start(11); /* GPADL_TEARDOWN of a handle never created */
	put32(8, o->child_relid);
	put32(12, 0xBAD);
	vmbus_post_raw(c, msg, 16);
	report(vmbus_post_raw(c, msg, 241) == HV_STATUS_INVALID_PARAMETER,
	       "HvPostMessage of 241 bytes: INVALID_PARAMETER");
	/* Whatever the server says to these comes now; none is awaited. */
	c->wait_cycles = QUIET_CYCLES;
	vmbus_wait_reply(c, 0xFFFF, 0, 0, reply);
	c->wait_cycles = WAIT_CYCLES;
	printf("bad messages: %u answers the guest did not wait for\n",
	       c->msgs_dropped - dropped);
	report(echo_works(c, o), "after 6 malformed or out-of-place control "
				 "messages the echo channel still works");
}

static void bad_gpadls(struct vmbus_client *c, const struct vmbus_offer *o)
{
	uint64_t pfn[2] = {(uint64_t)spare >> 12, FAR_PFN};
	uint32_t st;

	gpadl_header(o->child_relid, 0xB001, 8 + 16, 2 * 4096, pfn, 2);
	vmbus_post_raw(c, msg, 28 + 16);
	st = created_status(c, 0xB001);
	report(st != 0 && st != ~0u,
	       "GPADL naming a page outside the child: "
	       "GPADL_CREATED with status %#x",
	       st);
	/* byte_count says a million pages, range_buflen one. */
	gpadl_header(o->child_relid, 0xB002, 8 + 8, 0xFFFFF000u, pfn, 1);
	vmbus_post_raw(c, msg, 28 + 8);
	st = created_status(c, 0xB002);
	report(st != 0 && st != ~0u,
	       "GPADL with a page count of 2^20 - 1 "
	       "against its range_buflen: refused (%#x)",
	       st);
	/* range_buflen at its maximum: 8190 pages, none of them sent. */
	gpadl_header(o->child_relid, 0xB003, 0xFFF8, 8190u * 4096, pfn, 1);
	vmbus_post_raw(c, msg, 28 + 8);
	c->wait_cycles = QUIET_CYCLES;
	st = created_status(c, 0xB003);
	c->wait_cycles = WAIT_CYCLES;
	printf("GPADL announcing 8190 pages, 1 sent: %s %#x\n",
	       st == ~0u ? "no answer (waits for bodies)" : "status", st);
	if (st == ~0u) /* the half-made GPADL goes */
		report(vmbus_gpadl_teardown(c, o->child_relid, 0xB003) == 0,
		       "GPADL_TEARDOWN of the incomplete GPADL: TORNDOWN");
	/* A header for 2 pages followed by a body with 28 more. */
	gpadl_header(o->child_relid, 0xB004, 8 + 16, 2 * 4096, pfn, 1);
	vmbus_post_raw(c, msg, 28 + 8);
	msg_start(9);
	put32(12, 0xB004);
	for (unsigned i = 0; i < 28; i++)
		put64(16 + 8 * i, pfn[0]);
	vmbus_post_raw(c, msg, 240);
	st = created_status(c, 0xB004);
	report(st != 0 && st != ~0u,
	       "GPADL body with more PFNs than the "
	       "header announced: refused (%#x)",
	       st);
	/* OPENCHANNEL on a GPADL that does not exist. */
	msg_start(5);
	put32(8, o->child_relid);
	put32(12, o->child_relid);
	put32(16, 0xB001);
	put32(24, 2);
	vmbus_post_raw(c, msg, 148);
	report(vmbus_wait_reply(c, 6, 1, o->child_relid, reply) == 0 &&
		   get32(reply, 16) != 0,
	       "OPENCHANNEL on a refused GPADL: OPENCHANNEL_RESULT status %#x",
	       get32(reply, 16));
	report(echo_works(c, o), "after the bad GPADLs the echo channel "
				 "still works");
}

/* Corrupts the open channel's outbound ring with `how`, signals, and
 * checks that no echo comes, then closes. */
static void corrupt_ring(struct vmbus_client *c, const struct vmbus_offer *o,
			 int how, const char *what)
{
	struct vmbus_channel ch;
	struct vmbus_pkt pkt;
	int got;

	if (!report(vmbus_open(c, &ch, o, rings, RING_PAGES, RING_PAGES) == 0,
		    "%s: channel open", what))
		return;
	if (how == 0) {
		ch.out.hdr->write_index = 0xFFFFFFF8u; /* past the data */
	} else {
		/* A descriptor whose len8 is larger than the ring, published
		 * as if 64 bytes were written. */
		struct vmbus_pkt_desc d = {VMBUS_PKT_DATA_INBAND, 2, 0xFFFF, 1,
					   88};

		memcpy((void *)ch.out.data, &d, sizeof(d));
		ch.out.hdr->write_index = 64;
	}
	hv_signal_event(o->connection_id, 0);
	c->wait_cycles = QUIET_CYCLES;
	got = vmbus_recv(&ch, &pkt, buf, sizeof(buf));
	c->wait_cycles = WAIT_CYCLES;
	report(got == VMBUS_E_TIMEOUT, "%s: no answer (%s)", what,
	       got < 0 ? vmbus_err_name(got) : "a packet");
	report(vmbus_close(&ch) == 0, "%s: the channel still closes", what);
	report(echo_works(c, o), "%s: a fresh open works", what);
}

/* Sends without reading until the outbound ring is full; the host
 * must stop writing at its inbound ring's end and keep serving. */
static void never_drain(struct vmbus_client *c, const struct vmbus_offer *o)
{
	struct vmbus_channel ch;
	struct vmbus_pkt pkt;
	unsigned sent = 0, got = 0, bad = 0;
	uint32_t st;
	int r;

	if (!report(vmbus_open(c, &ch, o, rings, RING_PAGES, RING_PAGES) == 0,
		    "never draining: channel open"))
		return;
	memset(buf, 0x33, 200);
	for (unsigned i = 0; i < 120; i++) {
		if (vmbus_send(&ch, buf, 200, 1000 + i, 1))
			break;
		sent++;
		/* Let the host work between packets. */
		c->wait_cycles = 2000000;
		vmbus_wait_reply(c, 0xFFFF, 0, 0, reply);
	}
	c->wait_cycles = WAIT_CYCLES;
	printf("never draining: %u packets sent (outbound ring %s); inbound "
	       "ring holds %u bytes of %u\n",
	       sent, ch.out.full ? "full" : "never full",
	       vmbus_ring_used(&ch.in), ch.in.size);
	/* The control path is not blocked by the stuck channel. */
	r = vmbus_gpadl_create(c, o->child_relid, spare, 2, &st);
	report(r == 0 && vmbus_gpadl_teardown(c, o->child_relid, st) == 0,
	       "never draining: another GPADL is created and torn down");
	/* Drain: every packet that is there is whole and in order. */
	c->wait_cycles = QUIET_CYCLES;
	while ((r = vmbus_recv(&ch, &pkt, buf, sizeof(buf))) > 0) {
		bad += r != 200 || pkt.desc.trans_id < 1000 ||
		       pkt.desc.trans_id >= 1000 + sent;
		got++;
	}
	c->wait_cycles = WAIT_CYCLES;
	printf("never draining: %u echoes read afterwards\n", got);
	report(got > 0 && bad == 0 && r == VMBUS_E_TIMEOUT,
	       "never draining: the host wrote no more than the ring holds, "
	       "every echo in it whole");
	report(vmbus_send(&ch, buf, 200, 5000, 1) == 0 &&
		   vmbus_recv(&ch, &pkt, buf, sizeof(buf)) == 200 &&
		   pkt.desc.trans_id == 5000,
	       "never draining: after draining, a new packet is echoed");
	report(vmbus_close(&ch) == 0, "never draining: channel closes");
}

int kmain(struct hvsim_boot_info *bi)
{
	static struct vmbus_client c;
	struct hv_info info;
	const struct vmbus_offer *o;

	(void)bi;
	rt_init();
	printf("vmbus_hostile: a misbehaving VSC against the VMBus server\n");
	if (!report(hv_detect(&info) && hv_hypercall_enable() == 0 &&
			vmbus_init(&c, WAIT_CYCLES) == 0,
		    "hypercall page and SynIC"))
		report_summary();
	if (!report(vmbus_connect(&c) == 0 && vmbus_request_offers(&c) == 0,
		    "connected, offers received"))
		report_summary();
	o = vmbus_find_offer(&c, echo_if_type);
	if (!report(o != 0, "the echo VSP is offered"))
		report_summary();
	report(echo_works(&c, o), "the echo channel works");
	bad_messages(&c, o);
	bad_gpadls(&c, o);
	corrupt_ring(&c, o, 0, "write_index out of range");
	corrupt_ring(&c, o, 1, "packet larger than the ring");
	never_drain(&c, o);
	report(vmbus_unload(&c) == 0, "UNLOAD -> UNLOAD_RESPONSE");
	report_summary();
}
