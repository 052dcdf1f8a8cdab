/*
 * tests/unit/vmbus/test_ic_services.c — the three services' bodies and
 * bookkeeping (vmbus/ic_msgs.c) and what vmbus/ic_services.c decides
 * without a guest: heartbeat seq checks and missed beats, shutdown flags
 * and layout, timesync v3/v4 layouts and times, offers and GUIDs, a
 * shutdown refused while no channel is open. The services on a live
 * channel are exercised by the util guest (tests/guest/run_util.py).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "vmbus/ic.h"
#include "vmbus/ic_services.h"

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

Test(ic_services, heartbeat_body_and_seq_check)
{
	struct ic_heartbeat hb = {.health = IC_HEALTH_NONE, .next_seq = 41};
	uint8_t b[IC_HEARTBEAT_BODY];
	uint64_t seq = 0;

	cr_assert_eq(IC_HB_SEND, ic_heartbeat_tick(&hb, &seq));
	cr_assert_eq(41, seq);
	cr_assert_eq(40, ic_heartbeat_body(seq, b));
	cr_assert_eq(41, rd64(b));
	for (int i = 8; i < 40; i++)
		cr_assert_eq(0, b[i]);
	wr64(b, seq + 1); /* what the guest must send back */
	cr_assert_eq(0, ic_heartbeat_answer(&hb, b, 8));
	cr_assert_eq(IC_HEALTH_HEALTHY, hb.health);
	cr_assert_eq(1, hb.beats);
	/* An answer with nothing in flight, a short one, a wrong seq. */
	cr_assert_eq(-1, ic_heartbeat_answer(&hb, b, 8));
	cr_assert_eq(IC_HB_SEND, ic_heartbeat_tick(&hb, &seq));
	cr_assert_eq(42, seq);
	cr_assert_eq(-1, ic_heartbeat_answer(&hb, b, 7));
	cr_assert_eq(1, hb.bad_answers);
	cr_assert_eq(IC_HB_SEND, ic_heartbeat_tick(&hb, &seq));
	wr64(b, seq); /* not + 1 */
	cr_assert_eq(-1, ic_heartbeat_answer(&hb, b, 40));
	cr_assert_eq(2, hb.bad_answers);
	cr_assert_eq(2, hb.missed);
	cr_assert_eq(1, hb.beats);
}

Test(ic_services, missed_beats_lead_to_no_contact_and_back)
{
	struct ic_heartbeat hb = {.health = IC_HEALTH_NONE};
	uint8_t b[8];
	uint64_t seq = 0;

	cr_assert_eq(IC_HB_SEND, ic_heartbeat_tick(&hb, &seq));
	wr64(b, seq + 1);
	cr_assert_eq(0, ic_heartbeat_answer(&hb, b, 8));
	cr_assert_eq(IC_HB_SEND, ic_heartbeat_tick(&hb, &seq));
	/* The guest goes silent: one beat in flight, never a second. */
	cr_assert_eq(IC_HB_WAIT, ic_heartbeat_tick(&hb, &seq));
	cr_assert_eq(IC_HEALTH_HEALTHY, hb.health);
	cr_assert_eq(IC_HB_WAIT, ic_heartbeat_tick(&hb, &seq));
	cr_assert_eq(IC_HB_PAUSE, ic_heartbeat_tick(&hb, &seq));
	cr_assert_eq(IC_HEALTH_NO_CONTACT, hb.health);
	cr_assert_eq(IC_HB_NO_CONTACT_MISSES, hb.missed);
	/* Its late answer to the beat in flight brings it back. */
	wr64(b, seq + 1);
	cr_assert_eq(0, ic_heartbeat_answer(&hb, b, 8));
	cr_assert_eq(IC_HEALTH_HEALTHY, hb.health);
	cr_assert_eq(0, hb.missed_in_row);
	cr_assert_eq(IC_HB_SEND, ic_heartbeat_tick(&hb, &seq));
	cr_assert_eq(2, seq);
	cr_assert_str_eq("no-contact", ic_health_name(IC_HEALTH_NO_CONTACT));
}

Test(ic_services, shutdown_body_layout)
{
	static uint8_t b[IC_SHUTDOWN_BODY];

	memset(b, 0xAA, sizeof(b));
	cr_assert_eq(2060, ic_shutdown_body(IC_SHUTDOWN_FORCE |
						IC_SHUTDOWN_RESTART,
					    30, b));
	cr_assert_eq(0x80000000u, rd32(b));  /* reason: planned */
	cr_assert_eq(30, rd32(b + 4));	     /* timeout_seconds */
	cr_assert_eq(3, rd32(b + 8));	     /* flags: force | restart */
	for (int i = 12; i < 2060; i++)
		cr_assert_eq(0, b[i], "display_message byte %d", i);
	ic_shutdown_body(0, 0, b);
	cr_assert_eq(0, rd32(b + 8));
}

Test(ic_services, timesync_v4_and_v3_layouts)
{
	uint8_t b[32];
	const uint64_t t = 134116992000000000ull; /* 2026-01-01T00:00:00Z */

	cr_assert_eq(t, ic_unix_to_filetime(1767225600ull));
	cr_assert_eq(IC_WLTIMEDELTA, ic_unix_to_filetime(0));
	memset(b, 0xAA, sizeof(b));
	cr_assert_eq(22, ic_timesync_body((struct ic_version){4, 0}, t + 1234,
					  1234, IC_TIMESYNC_SYNC, b));
	cr_assert_eq(t + 1234, rd64(b));
	cr_assert_eq(1234, rd64(b + 8)); /* vmreferencetime */
	cr_assert_eq(1, b[16]);		 /* flags: SYNC */
	cr_assert_eq(0, b[17]);		 /* leapflags */
	cr_assert_eq(0, b[18]);		 /* stratum */
	cr_assert_eq(25, ic_timesync_body((struct ic_version){3, 0}, t, 99,
					  IC_TIMESYNC_SAMPLE, b));
	cr_assert_eq(t, rd64(b));
	cr_assert_eq(0, rd64(b + 8));  /* childtime */
	cr_assert_eq(0, rd64(b + 16)); /* roundtriptime */
	cr_assert_eq(2, b[24]);	       /* flags: SAMPLE */
}

Test(ic_services, offers_and_guids)
{
	struct ic_config cfg = {.name = "c", .freq_hz = 2500000000ull,
				.heartbeat_ns = 2000000000ull};
	struct ic_services *s = ic_services_create(&cfg);
	/* Heartbeat 57164f39-9115-4e78-ab55-382f3bd5422d (vmbus.md §6.1). */
	const uint8_t hb[16] = {0x39, 0x4f, 0x16, 0x57, 0x15, 0x91,
				0x78, 0x4e, 0xab, 0x55, 0x38, 0x2f,
				0x3b, 0xd5, 0x42, 0x2d};

	cr_assert_not_null(s);
	cr_assert_arr_eq(ic_services_desc(s, IC_SVC_HEARTBEAT)->if_type, hb,
			 16);
	for (int i = 0; i < IC_NR_SERVICES; i++)
		for (int j = 0; j < i; j++) {
			const struct vsp_desc *a = ic_services_desc(s, i);
			const struct vsp_desc *b = ic_services_desc(s, j);
			cr_assert_neq(0, memcmp(a->if_type, b->if_type, 16));
			cr_assert_neq(0,
				      memcmp(a->if_instance, b->if_instance, 16));
		}
	cr_assert_str_eq("shutdown", ic_services_desc(s, IC_SVC_SHUTDOWN)->name);
	cr_assert_null(ic_services_desc(s, IC_NR_SERVICES));
	ic_services_destroy(s);
}

Test(ic_services, shutdown_needs_an_open_channel)
{
	struct ic_config cfg = {.name = "c", .freq_hz = 2500000000ull};
	struct ic_services *s = ic_services_create(&cfg);
	struct ic_status st;
	char err[128] = "";

	cr_assert_eq(-1, ic_services_shutdown(s, 0, 0, err, sizeof(err)));
	cr_assert(strstr(err, "has not opened its shutdown channel"), "%s",
		  err);
	ic_services_status(s, &st);
	cr_assert_eq(IC_SD_NONE, st.shutdown);
	cr_assert_eq(IC_HEALTH_OFF, st.heartbeat.health, "heartbeat 0 = off");
	cr_assert_eq(IC_CLOSED, st.state[IC_SVC_SHUTDOWN]);
	cr_assert_str_eq("timeout", ic_shutdown_result_name(IC_SD_TIMEOUT));
	ic_services_destroy(s);
}
