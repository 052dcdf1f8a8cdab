/*
 * tests/unit/vmbus/test_server.c — the VMBus server (vmbus/server.c,
 * channel.c, vsp.c) and the echo VSP against the real hypervisor (the rig:
 * server_rig.h): version negotiation for every version Linux 6.1 tries
 * and refused ones, offers, GPADL → open → echo round trips through real
 * rings (with wrap-around), close / teardown / unload / rescind, every
 * illegal transition refused and counted, GPADLs outside the child,
 * corrupt rings, a child that never drains. The server's own queue,
 * reset, mutations, signalling rules, traces and the VM Worker's wiring:
 * test_server_queue.c.
 */
#include "server_rig.h"

/* ---- version negotiation
 * ------------------------------------------------------ */

Test(server, every_v5_version_accepted_on_connection_4)
{
	static const uint32_t v[] = {VMBUS_VERSION_V5_3, VMBUS_VERSION_V5_2,
				     VMBUS_VERSION_V5_1, VMBUS_VERSION_V5_0};

	for (size_t i = 0; i < 4; i++) {
		struct rig r;
		struct chanmsg m;

		mk(&r);
		cr_assert_eq(1, negotiate(&r, 4, v[i], 0, &m));
		cr_assert_eq(0, m.u.version_response.conn_state);
		cr_assert_eq(VMBUS_MESSAGE_CONNECTION_ID,
			     m.u.version_response.msg_conn_id);
		cr_assert_eq(VMBUS_CONNECTED, vmbus_server_state(r.s));
		cr_assert_eq(v[i], vmbus_server_version(r.s));
		rm(&r);
	}
}

Test(server, v4_and_v3_accepted_on_connection_1)
{
	static const uint32_t v[] = {VMBUS_VERSION_V4_1, VMBUS_VERSION_WIN10,
				     VMBUS_VERSION_WIN8_1};

	for (size_t i = 0; i < 3; i++) {
		struct rig r;
		struct chanmsg m;

		mk(&r);
		cr_assert_eq(1, negotiate(&r, 1, v[i], 0, &m));
		cr_assert_eq(v[i], vmbus_server_version(r.s));
		rm(&r);
	}
}

/* Linux 6.1's order: an unsupported version is answered 0 and the next
 * one is accepted. */
Test(server, unsupported_version_refused_then_next_accepted)
{
	struct rig r;
	struct chanmsg m;

	mk(&r);
	cr_assert_eq(0, negotiate(&r, 4, 0x00060000, 0, &m));
	cr_assert_eq(VMBUS_DISCONNECTED, vmbus_server_state(r.s));
	cr_assert_eq(0, negotiate(&r, 1, VMBUS_VERSION_WIN8, 0, &m));
	cr_assert_eq(0, negotiate(&r, 1, VMBUS_VERSION_WS2008, 0, &m));
	cr_assert_eq(0, negotiate(&r, 1, 0x12345678, 0, &m));
	cr_assert_eq(4, st(&r)->versions_refused);
	cr_assert_eq(1, negotiate(&r, 4, VMBUS_VERSION_V5_3, 0, &m));
	rm(&r);
}

/* §4.1/§9.5: >= 5.0 only on connection 4, < 5.0 only on 1. */
Test(server, version_on_the_wrong_connection_is_refused)
{
	struct rig r;
	struct chanmsg m;

	mk(&r);
	cr_assert_eq(0, negotiate(&r, 1, VMBUS_VERSION_V5_2, 0, &m));
	cr_assert_eq(0, negotiate(&r, 4, VMBUS_VERSION_WIN10, 0, &m));
	cr_assert_eq(VMBUS_DISCONNECTED, vmbus_server_state(r.s));
	cr_assert_eq(1, negotiate(&r, 1, VMBUS_VERSION_WIN10, 0, &m));
	rm(&r);
}

Test(server, control_messages_go_to_target_vcpu)
{
	struct rig r;
	struct chanmsg m;

	mk(&r);
	cr_assert_eq(1, negotiate(&r, 4, VMBUS_VERSION_V5_3, 1, &m));
	expect_none(&r, 0);
	cr_assert_eq(1, vmbus_server_target_vp(r.s));
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	cr_assert_eq(196, take(&r, 1, &m));
	expect_none(&r, 0);
	rm(&r);
}

Test(server, bad_target_vcpu_or_one_monitor_page_fails_the_contact)
{
	struct rig r;
	struct chanmsg m = {.type = CHANMSG_INITIATE_CONTACT}, resp;

	mk(&r);
	m.u.initiate.version = VMBUS_VERSION_V5_3;
	m.u.initiate.target_vcpu = 7; /* the child has 2 */
	m.u.initiate.interrupt_page = 2;
	post(&r, 4, &m);
	cr_assert(take(&r, 0, &resp));
	cr_assert_eq(0, resp.u.version_response.supported);
	cr_assert_eq(2, resp.u.version_response.conn_state);
	m.u.initiate.target_vcpu = 0;
	m.u.initiate.monitor1 = 0x30000;
	post(&r, 4, &m);
	cr_assert(take(&r, 0, &resp));
	cr_assert_eq(0, resp.u.version_response.supported);
	cr_assert_eq(VMBUS_DISCONNECTED, vmbus_server_state(r.s));
	rm(&r);
}

/* ---- offers
 * ------------------------------------------------------------------- */

Test(server, one_offer_per_vsp_then_all_offers_delivered)
{
	struct rig r;
	struct chanmsg m, o[2];

	mk(&r);
	cr_assert_eq(1, negotiate(&r, 4, VMBUS_VERSION_V5_3, 0, &m));
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	for (int i = 0; i < 2; i++) {
		cr_assert_geq(take(&r, 0, &o[i]), 196);
		cr_assert_eq(CHANMSG_OFFERCHANNEL, o[i].type);
		cr_assert_eq((uint32_t)i + 1, o[i].u.offer.relid);
		cr_assert_arr_eq(vsp_echo_if_type, o[i].u.offer.if_type, 16);
		cr_assert_eq(0, o[i].u.offer.monitor_allocated);
		cr_assert_eq(1, o[i].u.offer.dedicated_interrupt);
		cr_assert_eq(0, o[i].u.offer.sub_index);
		cr_assert_neq(0, o[i].u.offer.connection_id);
		cr_assert_lt(o[i].u.offer.connection_id, 1u << 24);
	}
	cr_assert_neq(o[0].u.offer.connection_id, o[1].u.offer.connection_id);
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_ALLOFFERS_DELIVERED, m.type);
	expect_none(&r, 0);
	cr_assert_eq(VMBUS_OFFERED, vmbus_server_state(r.s));
	/* A VSP added now is offered at once. */
	cr_assert_eq(3, vmbus_server_add_vsp(r.s, vsp_echo_desc(r.echo2), 0));
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_OFFERCHANNEL, m.type);
	cr_assert_eq(3, m.u.offer.relid);
	rm(&r);
}

/* ---- GPADL, open, echo
 * ---------------------------------------------------------- */

Test(server, echo_round_trip_through_real_rings)
{
	struct rig r;
	uint8_t out[300], in[400];
	unsigned sent = 0;

	mk(&r);
	open_echo(&r);
	cr_assert_eq(1, vsp_echo_stats(r.echo)->opens);
	/* Sizes that wrap the 12 KiB data area several times. */
	for (unsigned i = 0; i < 120; i++) {
		uint32_t len = 1 + (i * 37) % 280;
		uint16_t type;
		uint64_t tid;
		int n;

		for (uint32_t j = 0; j < len; j++)
			out[j] = (uint8_t)(i + j);
		if (guest_send(&r, RING_GPA, 1000 + i, out, len))
			guest_signal(&r, ECHO_RELID);
		sent++;
		n = guest_recv(&r, RING_GPA, &type, &tid, in, sizeof(in));
		cr_assert_geq(n, (int)len, "packet %u", i);
		cr_assert_eq(VSP_PKT_COMP, type);
		cr_assert_eq(1000 + i, tid);
		cr_assert_arr_eq(out, in, len);
	}
	cr_assert_eq(sent, vsp_echo_stats(r.echo)->echoed);
	cr_assert_eq(sent, st(&r)->packets);
	/* The guest was signalled on relid 1 of its target vCPU. */
	cr_assert(siefp_flag(&r, 0, ECHO_RELID));
	cr_assert_gt(st(&r)->signals, 0);
	cr_assert_eq(0, st(&r)->ring_errors);
	rm(&r);
}

Test(server, batch_of_packets_one_signal_all_echoed)
{
	struct rig r;
	uint8_t b[64] = {1, 2, 3};
	uint16_t type;
	uint64_t tid;
	int signals = 0;

	mk(&r);
	open_echo(&r);
	for (unsigned i = 0; i < 10; i++)
		signals += guest_send(&r, RING_GPA, i, b, sizeof(b));
	cr_assert_eq(1, signals); /* only empty → non-empty */
	guest_signal(&r, ECHO_RELID);
	for (unsigned i = 0; i < 10; i++) {
		cr_assert_eq(
		    64, guest_recv(&r, RING_GPA, &type, &tid, b, sizeof(b)));
		cr_assert_eq(i, tid);
	}
	cr_assert_eq(-1, guest_recv(&r, RING_GPA, &type, &tid, b, sizeof(b)));
	rm(&r);
}

Test(server, gpadl_split_over_header_and_body)
{
	struct rig r;
	uint8_t ranges[8 + 26 * 8], body[14 * 8];
	struct chanmsg m = {.type = CHANMSG_GPADL_HEADER};
	uint32_t bc = 40 * 4096;

	mk(&r);
	connect_and_offers(&r);
	memcpy(ranges, &bc, 4);
	memset(ranges + 4, 0, 4);
	for (unsigned i = 0; i < 26; i++) {
		uint64_t pfn = 0x60 + i;
		memcpy(ranges + 8 + 8 * i, &pfn, 8);
	}
	for (unsigned i = 0; i < 14; i++) {
		uint64_t pfn = 0x60 + 26 + i;
		memcpy(body + 8 * i, &pfn, 8);
	}
	m.u.gpadl_header.relid = 1;
	m.u.gpadl_header.gpadl = 0x77;
	m.u.gpadl_header.range_buflen = 8 + 40 * 8;
	m.u.gpadl_header.rangecount = 1;
	m.u.gpadl_header.ranges = ranges;
	m.u.gpadl_header.ranges_len = sizeof(ranges);
	post(&r, 1, &m);
	expect_none(&r, 0); /* not complete yet */
	m = (struct chanmsg){.type = CHANMSG_GPADL_BODY};
	m.u.gpadl_body.gpadl = 0x77;
	m.u.gpadl_body.pfns = body;
	m.u.gpadl_body.pfns_len = sizeof(body);
	post(&r, 1, &m);
	cr_assert_eq(0, created_status(&r, 0x77));
	cr_assert_eq(1, vmbus_server_nr_gpadls(r.s));
	/* A body for a complete GPADL is refused. */
	post(&r, 1, &m);
	expect_none(&r, 0);
	cr_assert_eq(1, st(&r)->refused[VMBUS_REF_NO_GPADL]);
	rm(&r);
}

Test(server, gpadl_outside_the_child_is_refused)
{
	struct rig r;

	mk(&r);
	connect_and_offers(&r);
	/* Pages past the child's 1 MiB. */
	gpadl_header(&r, 1, 0x10, MEM_BYTES >> 12, 8);
	cr_assert_neq(0, created_status(&r, 0x10));
	gpadl_header(&r, 1, 0x11, (MEM_BYTES >> 12) - 2, 8);
	cr_assert_neq(0, created_status(&r, 0x11));
	gpadl_header(&r, 1, 0x12, 0xFFFFFFFFFFFFFull, 4);
	cr_assert_neq(0, created_status(&r, 0x12));
	cr_assert_eq(0, vmbus_server_nr_gpadls(r.s));
	cr_assert_eq(3, st(&r)->gpadls_refused);
	/* A GPADL on a relid that was never offered names no channel. */
	gpadl_header(&r, 9, 0x13, 0x40, 4);
	expect_none(&r, 0);
	cr_assert_eq(1, st(&r)->refused[VMBUS_REF_NO_CHANNEL]);
	rm(&r);
}

Test(server, huge_page_count_is_refused)
{
	struct rig r;
	uint8_t ranges[16];
	struct chanmsg m = {.type = CHANMSG_GPADL_HEADER};
	uint32_t bc = 0xFFFFF000u; /* ~1M pages announced */
	uint64_t pfn = 0x40;

	mk(&r);
	connect_and_offers(&r);
	memcpy(ranges, &bc, 4);
	memset(ranges + 4, 0, 4);
	memcpy(ranges + 8, &pfn, 8);
	m.u.gpadl_header.relid = 1;
	m.u.gpadl_header.gpadl = 0x20;
	m.u.gpadl_header.range_buflen = 16;
	m.u.gpadl_header.rangecount = 1;
	m.u.gpadl_header.ranges = ranges;
	m.u.gpadl_header.ranges_len = sizeof(ranges);
	post(&r, 1, &m);
	cr_assert_neq(0, created_status(&r, 0x20));
	cr_assert_eq(0, vmbus_server_nr_gpadls(r.s));
	rm(&r);
}

Test(server, open_with_a_bad_gpadl_or_vp_fails_and_stays_closed)
{
	struct rig r;

	mk(&r);
	connect_and_offers(&r);
	open_chan(&r, 1, 0x999, 0); /* no such GPADL */
	cr_assert_neq(0, open_status(&r));
	init_rings(&r, RING_GPA);
	gpadl_header(&r, 1, GPADL_HANDLE, RING_GPA >> 12, 8);
	cr_assert_eq(0, created_status(&r, GPADL_HANDLE));
	open_chan(&r, 1, GPADL_HANDLE, 5); /* no VP 5 */
	cr_assert_neq(0, open_status(&r));
	open_chan(&r, 2, GPADL_HANDLE, 0); /* GPADL made on relid 1 */
	cr_assert_neq(0, open_status(&r));
	cr_assert_eq(VMBUS_CH_OFFERED, vmbus_server_chan_state(r.s, 1));
	cr_assert_eq(3, st(&r)->opens_refused);
	cr_assert_eq(0, vsp_echo_stats(r.echo)->opens);
	/* Signalling a closed channel is an unknown connection. */
	cr_assert_eq(HV_STATUS_INVALID_CONNECTION_ID,
		     hv_port_signal(r.p, 0, VMBUS_CHAN_CONN_BASE | 1, 0));
	open_chan(&r, 1, GPADL_HANDLE, 1);
	cr_assert_eq(0, open_status(&r));
	rm(&r);
}

/* ---- close, teardown, unload, rescind
 * ----------------------------------------- */

Test(server, close_teardown_unload)
{
	struct rig r;
	struct chanmsg m = {.type = CHANMSG_GPADL_TEARDOWN};

	mk(&r);
	open_echo(&r);
	/* The rings' GPADL cannot go while the channel is open. */
	m.u.gpadl_teardown.relid = 1;
	m.u.gpadl_teardown.gpadl = GPADL_HANDLE;
	post(&r, 1, &m);
	expect_none(&r, 0);
	cr_assert_eq(1, vmbus_server_nr_gpadls(r.s));
	post_simple(&r, CHANMSG_CLOSECHANNEL, 1);
	expect_none(&r, 0); /* no reply to a close */
	cr_assert_eq(VMBUS_CH_OFFERED, vmbus_server_chan_state(r.s, 1));
	cr_assert_eq(1, vsp_echo_stats(r.echo)->closes);
	cr_assert_eq(HV_STATUS_INVALID_CONNECTION_ID,
		     hv_port_signal(r.p, 0, VMBUS_CHAN_CONN_BASE | 1, 0));
	post(&r, 1, &m);
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_GPADL_TORNDOWN, m.type);
	cr_assert_eq(GPADL_HANDLE, m.u.gpadl_torndown.gpadl);
	cr_assert_eq(0, vmbus_server_nr_gpadls(r.s));
	post_simple(&r, CHANMSG_UNLOAD, 0);
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_UNLOAD_RESPONSE, m.type);
	cr_assert_eq(VMBUS_DISCONNECTED, vmbus_server_state(r.s));
	/* A new session (kexec): connect and get the same offers again. */
	connect_and_offers(&r);
	rm(&r);
}

Test(server, unload_closes_open_channels_and_drops_gpadls)
{
	struct rig r;
	struct chanmsg m;

	mk(&r);
	open_echo(&r);
	gpadl_header(&r, 2, 0x55, 0x50, 4);
	cr_assert_eq(0, created_status(&r, 0x55));
	post_simple(&r, CHANMSG_UNLOAD, 0);
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_UNLOAD_RESPONSE, m.type);
	cr_assert_eq(1, vsp_echo_stats(r.echo)->closes);
	cr_assert_eq(0, vmbus_server_nr_gpadls(r.s));
	cr_assert_eq(VMBUS_CH_OFFERED, vmbus_server_chan_state(r.s, 1));
	rm(&r);
}

Test(server, rescind_then_close_teardown_release)
{
	struct rig r;
	struct chanmsg m = {.type = CHANMSG_GPADL_TEARDOWN};

	mk(&r);
	open_echo(&r);
	cr_assert_eq(0, vmbus_server_rescind(r.s, 1, 0));
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_RESCIND_CHANNELOFFER, m.type);
	cr_assert_eq(1, m.u.chan.relid);
	cr_assert_eq(VMBUS_CH_RESCINDED, vmbus_server_chan_state(r.s, 1));
	cr_assert_eq(1, vsp_echo_stats(r.echo)->closes);
	post_simple(&r, CHANMSG_CLOSECHANNEL, 1);
	m = (struct chanmsg){.type = CHANMSG_GPADL_TEARDOWN};
	m.u.gpadl_teardown.relid = 1;
	m.u.gpadl_teardown.gpadl = GPADL_HANDLE;
	post(&r, 1, &m);
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_GPADL_TORNDOWN, m.type);
	post_simple(&r, CHANMSG_OPENCHANNEL, 1); /* illegal now */
	cr_assert_eq(1, st(&r)->refused[VMBUS_REF_CHAN_STATE]);
	post_simple(&r, CHANMSG_RELID_RELEASED, 1);
	cr_assert_eq(VMBUS_CH_FREE, vmbus_server_chan_state(r.s, 1));
	expect_none(&r, 0);
	cr_assert_eq(-1, vmbus_server_rescind(r.s, 1, 0));
	rm(&r);
}

Test(server, modifychannel_answered_from_5_3_only)
{
	struct rig r;
	struct chanmsg m = {.type = CHANMSG_MODIFYCHANNEL};

	mk(&r);
	open_echo(&r);
	m.u.modify.relid = 1;
	m.u.modify.target_vp = 1;
	post(&r, 1, &m);
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_MODIFYCHANNEL_RESPONSE, m.type);
	cr_assert_eq(1, m.u.modify_response.relid);
	cr_assert_eq(0, m.u.modify_response.status);
	/* The channel's interrupts now go to VP 1. */
	{
		uint8_t b[8] = {0};

		cr_assert(guest_send(&r, RING_GPA, 5, b, sizeof(b)));
		guest_signal(&r, 1);
		cr_assert(siefp_flag(&r, 1, ECHO_RELID));
		cr_assert_not(siefp_flag(&r, 0, ECHO_RELID));
	}
	rm(&r);
}

/* ---- illegal transitions
 * ------------------------------------------------------- */

Test(server, every_illegal_transition_is_refused_and_counted)
{
	struct rig r;
	struct chanmsg m;
	uint64_t before;

	mk(&r);
	/* Disconnected: nothing but INITIATE_CONTACT. */
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	post_simple(&r, CHANMSG_UNLOAD, 0);
	post_simple(&r, CHANMSG_OPENCHANNEL, 1);
	post_simple(&r, CHANMSG_CLOSECHANNEL, 1);
	post_simple(&r, CHANMSG_GPADL_HEADER, 1);
	cr_assert_eq(5, st(&r)->refused[VMBUS_REF_CONN_STATE]);
	expect_none(&r, 0);
	/* Connected: no channel messages before the offers, no second
	 * contact. */
	cr_assert_eq(1, negotiate(&r, 4, VMBUS_VERSION_V5_3, 0, &m));
	post_simple(&r, CHANMSG_OPENCHANNEL, 1);
	initiate(&r, 4, VMBUS_VERSION_V5_3, 0);
	cr_assert_eq(7, st(&r)->refused[VMBUS_REF_CONN_STATE]);
	expect_none(&r, 0);
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	while (take(&r, 0, &m))
		;
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0); /* offers once */
	cr_assert_eq(8, st(&r)->refused[VMBUS_REF_CONN_STATE]);
	/* Channel states: closed channel. */
	before = st(&r)->refused[VMBUS_REF_CHAN_STATE];
	post_simple(&r, CHANMSG_CLOSECHANNEL, 1);
	post_simple(&r, CHANMSG_RELID_RELEASED, 1);
	post_simple(&r, CHANMSG_MODIFYCHANNEL, 1);
	cr_assert_eq(before + 3, st(&r)->refused[VMBUS_REF_CHAN_STATE]);
	/* Unknown relids, host→guest types, connection 4 after contact. */
	post_simple(&r, CHANMSG_OPENCHANNEL, 0);
	post_simple(&r, CHANMSG_OPENCHANNEL, 65);
	post_simple(&r, CHANMSG_OPENCHANNEL, 0xFFFFFFFF);
	cr_assert_eq(3, st(&r)->refused[VMBUS_REF_NO_CHANNEL]);
	post_simple(&r, CHANMSG_OFFERCHANNEL, 1);
	post_simple(&r, CHANMSG_VERSION_RESPONSE, 0);
	post_simple(&r, CHANMSG_UNLOAD_RESPONSE, 0);
	cr_assert_eq(3, st(&r)->refused[VMBUS_REF_DIRECTION]);
	m = (struct chanmsg){.type = CHANMSG_REQUESTOFFERS};
	post(&r, 4, &m);
	cr_assert_eq(1, st(&r)->refused[VMBUS_REF_WRONG_CONN]);
	expect_none(&r, 0);
	cr_assert_eq(VMBUS_OFFERED, vmbus_server_state(r.s));
	cr_assert_eq(VMBUS_CH_OFFERED, vmbus_server_chan_state(r.s, 1));
	rm(&r);
}

Test(server, modifychannel_before_4_1_is_refused)
{
	struct rig r;
	struct chanmsg m;

	mk(&r);
	cr_assert_eq(1, negotiate(&r, 1, VMBUS_VERSION_WIN10, 0, &m));
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	while (take(&r, 0, &m))
		;
	post_simple(&r, CHANMSG_MODIFYCHANNEL, 1);
	cr_assert_eq(1, st(&r)->refused[VMBUS_REF_VERSION]);
	rm(&r);
}

Test(server, malformed_messages_are_refused)
{
	struct rig r;
	uint8_t b[VMBUS_MSG_MAX] = {0};

	mk(&r);
	cr_assert_eq(HV_STATUS_SUCCESS, post_raw(&r, 1, b, 0));
	cr_assert_eq(HV_STATUS_SUCCESS, post_raw(&r, 1, b, 4));
	b[0] = CHANMSG_INITIATE_CONTACT;
	cr_assert_eq(HV_STATUS_SUCCESS, post_raw(&r, 4, b, 39));
	b[0] = 99;
	cr_assert_eq(HV_STATUS_SUCCESS, post_raw(&r, 4, b, 40));
	cr_assert_eq(4, st(&r)->refused[VMBUS_REF_DECODE]);
	/* A message type other than 1 (§2.6) is refused too. */
	b[0] = CHANMSG_REQUESTOFFERS;
	hv_port_post(r.p, 0, 1, 2, b, 8);
	cr_assert_eq(5, st(&r)->refused[VMBUS_REF_DECODE]);
	expect_none(&r, 0);
	cr_assert_eq(VMBUS_DISCONNECTED, vmbus_server_state(r.s));
	rm(&r);
}

/* ---- untrusted rings
 * ---------------------------------------------------------- */

Test(server, corrupt_ring_kills_only_its_channel)
{
	struct rig r;
	uint8_t b[32] = {0};
	uint16_t type;
	uint64_t tid;

	mk(&r);
	open_echo(&r);
	/* Second channel on relid 2, rings at 0x50000. */
	init_rings(&r, 0x50000);
	gpadl_header(&r, 2, 0x99, 0x50, 8);
	cr_assert_eq(0, created_status(&r, 0x99));
	open_chan(&r, 2, 0x99, 0);
	cr_assert_eq(0, open_status(&r));
	/* Channel 1: a write index that is not a multiple of 8. */
	wr32(&r, RING_GPA, 13);
	guest_signal(&r, 1);
	cr_assert_eq(1, st(&r)->ring_errors);
	guest_signal(&r, 1); /* reported once */
	cr_assert_eq(1, st(&r)->ring_errors);
	/* Channel 2 still echoes. */
	init_rings(&r, 0x50000);
	r.out_write = r.in_read = 0;
	guest_send(&r, 0x50000, 42, b, sizeof(b));
	guest_signal(&r, 2);
	cr_assert_eq(32, guest_recv(&r, 0x50000, &type, &tid, b, sizeof(b)));
	cr_assert_eq(42, tid);
	/* The dead channel can be closed and opened again. */
	post_simple(&r, CHANMSG_CLOSECHANNEL, 1);
	init_rings(&r, RING_GPA);
	open_chan(&r, 1, GPADL_HANDLE, 0);
	cr_assert_eq(0, open_status(&r));
	rm(&r);
}

/* Two children, one VSP descriptor: child B breaks its ring and floods
 * bad messages; child A is served as before. */
Test(server, a_hostile_child_does_not_disturb_another)
{
	struct rig a, b;
	struct hv_part_config pc = {
	    .name = "b", .vcpus = 2, .mem_bytes = MEM_BYTES, .weight = 100};
	struct vmbus_server_config sc;
	uint8_t junk[VMBUS_MSG_MAX], buf[64] = {7};
	uint16_t type;
	uint64_t tid;

	mk(&a);
	b = a;
	b.p = hv_part_create(a.hv, &pc, NULL, NULL);
	cr_assert_not_null(b.p);
	enable_synic(&b, 0);
	enable_synic(&b, 1);
	sc = (struct vmbus_server_config){.hv = a.hv, .child = b.p};
	b.s = vmbus_server_create(&sc);
	cr_assert_not_null(b.s);
	cr_assert_eq(1, vmbus_server_add_vsp(b.s, vsp_echo_desc(a.echo), 0));
	cr_assert_eq(2, vmbus_server_add_vsp(b.s, vsp_echo_desc(a.echo2), 0));
	open_echo(&a);
	open_echo(&b);
	cr_assert_eq(2, vsp_echo_stats(a.echo)->opens);
	wr32(&b, RING_GPA, 0xFFF8); /* out of range */
	guest_signal(&b, 1);
	memset(junk, 0xEE, sizeof(junk));
	for (int i = 0; i < 50; i++)
		post_raw(&b, 1, junk, (unsigned)i * 4);
	cr_assert_eq(1, vmbus_server_stats(b.s)->ring_errors);
	cr_assert_eq(0, st(&a)->ring_errors);
	cr_assert_eq(0, st(&a)->refused_total);
	guest_send(&a, RING_GPA, 99, buf, sizeof(buf));
	guest_signal(&a, 1);
	cr_assert_eq(64,
		     guest_recv(&a, RING_GPA, &type, &tid, buf, sizeof(buf)));
	cr_assert_eq(99, tid);
	cr_assert_eq(7, buf[0]);
	vmbus_server_destroy(b.s);
	rm(&a);
}

Test(server, packet_larger_than_the_ring_is_refused)
{
	struct rig r;

	mk(&r);
	open_echo(&r);
	/* A descriptor claiming len8 far beyond the data written. */
	{
		uint8_t d[16] = {6, 0, 2, 0, 0xFF, 0x7F, 1, 0};
		ring_put(&r, RING_GPA + 4096, 0, d, 16);
		wr32(&r, RING_GPA, 24);
	}
	guest_signal(&r, 1);
	cr_assert_eq(1, st(&r)->ring_errors);
	cr_assert_eq(0, vsp_echo_stats(r.echo)->echoed);
	rm(&r);
}

Test(server, child_that_never_drains_fills_its_ring_only)
{
	struct rig r;
	uint8_t b[200] = {0};

	mk(&r);
	open_echo(&r);
	for (unsigned i = 0; i < 200; i++) {
		guest_send(&r, RING_GPA, i, b, sizeof(b));
		guest_signal(&r, 1);
		/* Keep the outbound ring drained by the host, never read
		 * the inbound one. */
	}
	cr_assert_gt(vsp_echo_stats(r.echo)->full, 0);
	cr_assert_eq(200, vsp_echo_stats(r.echo)->packets);
	cr_assert_lt(vsp_echo_stats(r.echo)->echoed, 200);
	/* The server asked to be told when there is room. */
	cr_assert_neq(0, rd32(&r, RING_GPA + RING_PAGES * 4096ull + 12));
	rm(&r);
}
