/*
 * tests/unit/vmbus/test_ic_vsp.c — the integration services on a live
 * VMBus server (vmbus/ic_services.c) with a parent service partition, so
 * their timers run in simulated time: the NEGOTIATE after open, heartbeat
 * beats at the interval with seq + 1 checked, one beat in flight and
 * missed beats to "no-contact" and back, a shutdown's flags and the
 * guest's status, a shutdown that times out, timesync v4 and v3 with the
 * expected times, and bad answers refused. The test plays the guest by
 * hand on the rig's rings (tests/unit/vmbus/server_rig.h), answering as
 * Linux's hv_utils does.
 */
#include "server_rig.h"
#include "vmbus/ic.h"
#include "vmbus/ic_services.h"

#define FREQ	    2500000000ull
#define MS	    (FREQ / 1000)
#define HB_MS	    10
#define START_UNIX  1767225600ull /* 2026-01-01T00:00:00Z */
#define PAD8(n)	    (((n) + 7) / 8 * 8) /* payloads fill whole 8 bytes */
#define RELID_SD    1u
#define RELID_TS    2u
#define RELID_HB    3u

static struct rig r;
static struct hv_part *parent;
static struct ic_services *ics;

static void run_ms(unsigned ms)
{
	evq_run_until(r.q, evq_now(r.q) + ms * MS);
}

static void up(void)
{
	struct hv_config hc = {.pcpus = 2, .quantum = 100000, .freq_hz = FREQ};
	struct hv_part_config pp = {.name = "parent", .parent = true,
				    .vcpus = 1, .mem_bytes = 1 << 20,
				    .weight = 100, .cap_pct = 100,
				    .service = true};
	struct hv_part_config pc = {.name = "child", .vcpus = 2,
				    .mem_bytes = MEM_BYTES, .weight = 100};
	struct vmbus_server_config sc;
	struct ic_config ic = {.name = "child", .freq_hz = FREQ,
			       .heartbeat_ns = HB_MS * 1000000ull,
			       .start_unix = START_UNIX};

	memset(&r, 0, sizeof(r));
	r.q = evq_create();
	r.hv = hv_create(&hc, r.q);
	cr_assert_not_null(r.hv);
	parent = hv_part_create(r.hv, &pp, NULL, NULL);
	r.p = hv_part_create(r.hv, &pc, NULL, NULL);
	cr_assert(parent && r.p);
	hv_part_set_runnable(parent, true);
	enable_synic(&r, 0);
	cr_assert_eq(0, hv_start(r.hv));
	sc = (struct vmbus_server_config){.hv = r.hv, .child = r.p};
	r.s = vmbus_server_create(&sc);
	ic.child = r.p;
	ics = ic_services_create(&ic);
	cr_assert(r.s && ics);
	for (unsigned i = 0; i < IC_NR_SERVICES; i++)
		cr_assert_eq(i + 1, vmbus_server_add_vsp(
					r.s, ic_services_desc(ics, i), 0));
}

static void down(void)
{
	vmbus_server_destroy(r.s);
	ic_services_destroy(ics);
	hv_destroy(r.hv);
	evq_destroy(r.q);
}

TestSuite(ic_vsp, .init = up, .fini = down);

static uint16_t g16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t g32(const uint8_t *p) { return g16(p) | (uint32_t)g16(p + 2) << 16; }
static uint64_t g64(const uint8_t *p) { return g32(p) | (uint64_t)g32(p + 4) << 32; }
static void p16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void p64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }

/* Connect, take the three offers, open channel relid on the rig's rings
 * (16 KiB each way, as hv_utils). */
static void open_ic(uint32_t relid)
{
	struct chanmsg m;

	initiate(&r, 4, VMBUS_VERSION_V5_3, 0);
	run_ms(1);
	cr_assert_eq(16, take(&r, 0, &m));
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	run_ms(1);
	for (unsigned i = 0; i < IC_NR_SERVICES; i++) {
		cr_assert_eq(196, take(&r, 0, &m));
		cr_assert_eq(i + 1, m.u.offer.relid);
		/* take() frees the slot; the server posts the next one. */
		run_ms(2);
	}
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_ALLOFFERS_DELIVERED, m.type);
	init_rings(&r, RING_GPA);
	gpadl_header(&r, relid, GPADL_HANDLE, RING_GPA >> 12, 2 * RING_PAGES);
	run_ms(1);
	cr_assert_eq(0, created_status(&r, GPADL_HANDLE));
	open_chan(&r, relid, GPADL_HANDLE, 0);
	run_ms(1);
	cr_assert_eq(0, open_status(&r));
}

/* The next host packet: payload into b, its trans_id; length or -1. */
static int recv_pkt(uint8_t *b, uint32_t cap, uint64_t *tid)
{
	uint16_t type = 0;
	int n = guest_recv(&r, RING_GPA, &type, tid, b, cap);

	if (n >= 0)
		cr_assert_eq(VSP_PKT_DATA_INBAND, type);
	return n;
}

/* Answer in place as hv_utils does and send it back. */
static void answer(uint32_t relid, uint8_t *b, int n, uint64_t tid)
{
	b[8 + 17] = IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE;
	guest_send(&r, RING_GPA, tid, b, (uint32_t)n);
	guest_signal(&r, relid);
	run_ms(1);
}

/* Take the NEGOTIATE and choose fw 3.0 and message version maj.min. */
static void negotiate_ic(uint32_t relid, uint16_t maj, uint16_t min)
{
	uint8_t b[512];
	uint64_t tid;
	int n = recv_pkt(b, sizeof(b), &tid);

	cr_assert_geq(n, IC_HDR_SIZE + 8);
	cr_assert_eq(IC_MSG_NEGOTIATE, g16(b + 12));
	cr_assert_eq(IC_FLAG_TRANSACTION | IC_FLAG_REQUEST, b[25]);
	p16(b + 18, 16);
	p16(b + 28, 1), p16(b + 30, 1);
	p16(b + 36, 3), p16(b + 38, 0);
	p16(b + 40, maj), p16(b + 42, min);
	answer(relid, b, n, tid);
}

static struct ic_status status(void)
{
	struct ic_status st;

	ic_services_status(ics, &st);
	return st;
}

Test(ic_vsp, heartbeats_at_the_interval_and_missed_beats)
{
	uint8_t b[512];
	uint64_t tid;
	int n;

	open_ic(RELID_HB);
	negotiate_ic(RELID_HB, 3, 0);
	/* Agreed, and the first beat is on its way at once. */
	cr_assert_eq(IC_WAITING, status().state[IC_SVC_HEARTBEAT]);
	cr_assert_eq(3, status().msgver[IC_SVC_HEARTBEAT].major);
	n = recv_pkt(b, sizeof(b), &tid);
	cr_assert_eq(PAD8(IC_HDR_SIZE + IC_HEARTBEAT_BODY), n);
	cr_assert_eq(IC_MSG_HEARTBEAT, g16(b + 12));
	cr_assert_eq(3, g16(b + 14)); /* the agreed version 3.0 */
	uint64_t seq = g64(b + 28);
	p64(b + 28, seq + 1);
	answer(RELID_HB, b, n, tid);
	cr_assert_eq(IC_HEALTH_HEALTHY, status().heartbeat.health);
	cr_assert_eq(1, status().heartbeat.beats);
	/* Nothing more before the interval. */
	run_ms(HB_MS - 4);
	cr_assert_eq(-1, recv_pkt(b, sizeof(b), &tid));
	run_ms(3);
	n = recv_pkt(b, sizeof(b), &tid);
	cr_assert_eq(PAD8(IC_HDR_SIZE + IC_HEARTBEAT_BODY), n);
	cr_assert_eq(seq + 1, g64(b + 28));
	/* Left unanswered: no second beat while it is in flight; three
	 * missed ticks make the guest "no contact". */
	run_ms(3 * HB_MS + 2);
	cr_assert_eq(-1, recv_pkt(b, sizeof(b), &tid), "one beat in flight");
	cr_assert_eq(IC_HEALTH_NO_CONTACT, status().heartbeat.health);
	cr_assert_eq(3, status().heartbeat.missed);
	/* The late answer restores it and the beats resume. */
	p64(b + 28, seq + 2);
	answer(RELID_HB, b, n, tid);
	cr_assert_eq(IC_HEALTH_HEALTHY, status().heartbeat.health);
	run_ms(HB_MS + 1);
	cr_assert_gt(recv_pkt(b, sizeof(b), &tid), 0);
	cr_assert_eq(seq + 2, g64(b + 28));
	/* A wrong seq_num is not a beat. */
	p64(b + 28, 12345);
	answer(RELID_HB, b, n, tid);
	cr_assert_eq(1, status().heartbeat.bad_answers);
	cr_assert_eq(2, status().heartbeat.beats);
}

Test(ic_vsp, shutdown_flags_and_the_guests_status)
{
	uint8_t b[4096];
	uint64_t tid;
	char err[128];
	int n;

	cr_assert_eq(-1, ic_services_shutdown(ics, 0, 0, err, sizeof(err)));
	open_ic(RELID_SD);
	cr_assert_eq(-1, ic_services_shutdown(ics, 0, evq_now(r.q), err,
					      sizeof(err)),
		     "not negotiated yet");
	cr_assert(strstr(err, "negotiating"), "%s", err);
	negotiate_ic(RELID_SD, 3, 2);
	cr_assert_eq(0, ic_services_shutdown(ics, IC_SHUTDOWN_FORCE,
					     evq_now(r.q), err, sizeof(err)),
		     "%s", err);
	cr_assert_eq(-1, ic_services_shutdown(ics, 0, evq_now(r.q), err,
					      sizeof(err)),
		     "one at a time");
	run_ms(1);
	n = recv_pkt(b, sizeof(b), &tid);
	cr_assert_eq(PAD8(IC_HDR_SIZE + IC_SHUTDOWN_BODY), n);
	cr_assert_eq(IC_MSG_SHUTDOWN, g16(b + 12));
	cr_assert_eq(IC_SHUTDOWN_REASON_PLANNED, g32(b + 28));
	cr_assert_eq(IC_SHUTDOWN_FORCE, g32(b + 36));
	cr_assert_eq(IC_SD_PENDING, status().shutdown);
	b[20] = 0x05, b[21] = 0x40, b[22] = 0x00, b[23] = 0x80; /* E_FAIL */
	answer(RELID_SD, b, n, tid);
	cr_assert_eq(IC_SD_REFUSED, status().shutdown);
	cr_assert_eq(IC_E_FAIL, status().shutdown_status);
	/* Asked again, accepted. */
	cr_assert_eq(0, ic_services_shutdown(ics, 0, evq_now(r.q), err,
					     sizeof(err)));
	run_ms(1);
	n = recv_pkt(b, sizeof(b), &tid);
	cr_assert_eq(0, g32(b + 36));
	answer(RELID_SD, b, n, tid);
	cr_assert_eq(IC_SD_ACCEPTED, status().shutdown);
	cr_assert_eq(-1, ic_services_shutdown(ics, 0x8, evq_now(r.q), err,
					      sizeof(err)));
	cr_assert(strstr(err, "unknown shutdown flags"), "%s", err);
}

Test(ic_vsp, an_unanswered_shutdown_times_out)
{
	uint8_t b[4096];
	uint64_t tid;
	char err[128];

	open_ic(RELID_SD);
	negotiate_ic(RELID_SD, 3, 0);
	cr_assert_eq(0, ic_services_shutdown(ics, 0, evq_now(r.q), err,
					     sizeof(err)));
	run_ms(1);
	cr_assert_gt(recv_pkt(b, sizeof(b), &tid), 0);
	run_ms(9990);
	cr_assert_eq(IC_SD_PENDING, status().shutdown);
	run_ms(20);
	cr_assert_eq(IC_SD_TIMEOUT, status().shutdown);
	cr_assert_eq(IC_READY, status().state[IC_SVC_SHUTDOWN]);
	/* The late answer is refused (nothing in flight). */
	uint64_t refused = status().refused;
	answer(RELID_SD, b, IC_HDR_SIZE + IC_SHUTDOWN_BODY, tid);
	cr_assert_eq(refused + 1, status().refused);
	cr_assert_eq(IC_SD_TIMEOUT, status().shutdown);
}

static void timesync_with(uint16_t maj, int body_len, int flags_at)
{
	uint8_t b[512];
	uint64_t tid;
	int n;

	open_ic(RELID_TS);
	negotiate_ic(RELID_TS, maj, 0);
	n = recv_pkt(b, sizeof(b), &tid);
	cr_assert_eq(PAD8(IC_HDR_SIZE + body_len), n);
	cr_assert_eq(body_len, g16(b + 18), "icmsgsize");
	cr_assert_eq(IC_MSG_TIMESYNC, g16(b + 12));
	uint64_t parent_t = g64(b + 28), now_ref = hv_part_ref_time(
					     r.p, evq_now(r.q));
	uint64_t ref = parent_t - ic_unix_to_filetime(START_UNIX);
	cr_assert_leq(ref, now_ref, "sent at or before now");
	cr_assert_gt(ref + 100000, now_ref, "within 10 ms of now");
	if (maj >= 4)
		cr_assert_eq(ref, g64(b + 36), "vmreferencetime");
	cr_assert_eq(IC_TIMESYNC_SYNC, b[28 + flags_at]);
	answer(RELID_TS, b, n, tid);
	cr_assert_eq(1, status().timesyncs);
	run_ms(4990);
	cr_assert_eq(-1, recv_pkt(b, sizeof(b), &tid));
	run_ms(20);
	cr_assert_eq(PAD8(IC_HDR_SIZE + body_len), recv_pkt(b, sizeof(b), &tid));
	cr_assert_eq(IC_TIMESYNC_SAMPLE, b[28 + flags_at]);
	cr_assert_gt(g64(b + 28), parent_t + 49000000, "5 s later");
}

Test(ic_vsp, timesync_v4)
{
	timesync_with(4, IC_TIMESYNC_V4_BODY, 16);
}

Test(ic_vsp, timesync_v3)
{
	timesync_with(3, IC_TIMESYNC_V3_BODY, 24);
}

Test(ic_vsp, bad_answers_are_refused_and_the_channel_goes_on)
{
	uint8_t b[512], junk[16] = {1, 2, 3};
	uint64_t tid;
	int n;

	open_ic(RELID_HB);
	n = recv_pkt(b, sizeof(b), &tid);
	guest_send(&r, RING_GPA, tid, junk, sizeof(junk)); /* too short */
	guest_signal(&r, RELID_HB);
	run_ms(1);
	answer(RELID_HB, b, n, tid + 7); /* wrong trans_id: our echo */
	cr_assert_eq(2, status().refused);
	cr_assert_eq(IC_NEGOTIATING, status().state[IC_SVC_HEARTBEAT]);
	b[8 + 17] = 0;
	p16(b + 18, 16);
	p16(b + 28, 1), p16(b + 30, 1);
	p16(b + 36, 1), p16(b + 38, 0);
	p16(b + 40, 1), p16(b + 42, 0);
	answer(RELID_HB, b, n, tid);
	cr_assert_eq(IC_WAITING, status().state[IC_SVC_HEARTBEAT],
		     "agreed; a beat in flight");
	cr_assert_eq(1, status().msgver[IC_SVC_HEARTBEAT].major);
}
