/*
 * tests/unit/vmbus/test_chanmsg.c — vmbus/chanmsg: the message table
 * (numbers, minimum sizes of vmbus.md §4.3), exact byte offsets of the
 * §4.4 layouts (hand-built wire bytes in, fields out; fields in, bytes
 * out), round trips, and refusals: short, oversized, unknown and
 * unhandled types, GPADL lists that are not whole PFNs, and a seeded
 * sweep of random bytes that never crashes.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "vmbus/chanmsg.h"

static void put32(uint8_t *p, unsigned off, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, unsigned off, uint64_t v)
{
	put32(p, off, (uint32_t)v);
	put32(p, off + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const uint8_t *p, unsigned off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 |
	       (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
}

Test(chanmsg, table_sizes_match_the_spec)
{
	static const struct {
		uint32_t type;
		unsigned size;
	} want[] = {
	    {CHANMSG_OFFERCHANNEL, 196},
	    {CHANMSG_RESCIND_CHANNELOFFER, 12},
	    {CHANMSG_REQUESTOFFERS, 8},
	    {CHANMSG_ALLOFFERS_DELIVERED, 8},
	    {CHANMSG_OPENCHANNEL, 148},
	    {CHANMSG_OPENCHANNEL_RESULT, 20},
	    {CHANMSG_CLOSECHANNEL, 12},
	    {CHANMSG_GPADL_HEADER, 20},
	    {CHANMSG_GPADL_BODY, 16},
	    {CHANMSG_GPADL_CREATED, 20},
	    {CHANMSG_GPADL_TEARDOWN, 16},
	    {CHANMSG_GPADL_TORNDOWN, 12},
	    {CHANMSG_RELID_RELEASED, 12},
	    {CHANMSG_INITIATE_CONTACT, 40},
	    {CHANMSG_VERSION_RESPONSE, 16},
	    {CHANMSG_UNLOAD, 8},
	    {CHANMSG_UNLOAD_RESPONSE, 8},
	    {CHANMSG_MODIFYCHANNEL, 16},
	    {CHANMSG_MODIFYCHANNEL_RESPONSE, 16},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct chanmsg_info *inf = chanmsg_info(want[i].type);

		cr_assert_not_null(inf);
		cr_assert_eq(want[i].size, inf->size, "type %u", want[i].type);
	}
	cr_assert_eq(25, CHANMSG_COUNT);
	cr_assert_null(chanmsg_info(25));
	cr_assert_eq(CHANMSG_G2H, chanmsg_info(CHANMSG_OPENCHANNEL)->dir);
	cr_assert_eq(CHANMSG_H2G, chanmsg_info(CHANMSG_OFFERCHANNEL)->dir);
}

Test(chanmsg, initiate_contact_fields_at_spec_offsets)
{
	uint8_t b[40] = {0};
	struct chanmsg m;

	put32(b, 0, CHANMSG_INITIATE_CONTACT);
	put32(b, 8, VMBUS_VERSION_V5_3);
	put32(b, 12, 3);
	b[16] = 2; /* msg_sint */
	put64(b, 24, 0x1234000);
	put64(b, 32, 0x5678000);
	cr_assert_eq(CHANMSG_OK, chanmsg_decode(b, sizeof(b), &m));
	cr_assert_eq(CHANMSG_INITIATE_CONTACT, m.type);
	cr_assert_eq(0x00050003, m.u.initiate.version);
	cr_assert_eq(3, m.u.initiate.target_vcpu);
	cr_assert_eq(2, m.u.initiate.interrupt_page & 0xFF);
	cr_assert_eq(0x1234000, m.u.initiate.monitor1);
	cr_assert_eq(0x5678000, m.u.initiate.monitor2);
}

Test(chanmsg, offer_encodes_at_spec_offsets)
{
	struct chanmsg m = {.type = CHANMSG_OFFERCHANNEL};
	uint8_t b[VMBUS_MSG_MAX];

	for (int i = 0; i < 16; i++) {
		m.u.offer.if_type[i] = (uint8_t)(0xA0 + i);
		m.u.offer.if_instance[i] = (uint8_t)(0x10 + i);
	}
	m.u.offer.relid = 7;
	m.u.offer.monitorid = 0xFF;
	m.u.offer.dedicated_interrupt = 1;
	m.u.offer.connection_id = 0x2007;
	m.u.offer.mmio_megabytes = 8;
	cr_assert_eq(196, chanmsg_encode(&m, b, sizeof(b)));
	cr_assert_eq(CHANMSG_OFFERCHANNEL, get32(b, 0));
	cr_assert_eq(0xA0, b[8]);
	cr_assert_eq(0xAF, b[23]);
	cr_assert_eq(0x10, b[24]);
	cr_assert_eq(8, b[58]);
	cr_assert_eq(7, get32(b, 184));
	cr_assert_eq(0xFF, b[188]);
	cr_assert_eq(0, b[189]); /* monitor_allocated */
	cr_assert_eq(1, b[190]);
	cr_assert_eq(0x2007, get32(b, 192));
}

Test(chanmsg, open_channel_fields_at_spec_offsets)
{
	uint8_t b[148] = {0};
	struct chanmsg m;

	put32(b, 0, CHANMSG_OPENCHANNEL);
	put32(b, 8, 5);
	put32(b, 12, 5);
	put32(b, 16, 0xE1E10);
	put32(b, 20, 1);
	put32(b, 24, 32);
	b[28] = 0x5A;
	b[147] = 0xA5;
	cr_assert_eq(CHANMSG_OK, chanmsg_decode(b, sizeof(b), &m));
	cr_assert_eq(5, m.u.open.relid);
	cr_assert_eq(5, m.u.open.openid);
	cr_assert_eq(0xE1E10, m.u.open.gpadl);
	cr_assert_eq(1, m.u.open.target_vp);
	cr_assert_eq(32, m.u.open.downstream_offset);
	cr_assert_eq(0x5A, m.u.open.userdata[0]);
	cr_assert_eq(0xA5, m.u.open.userdata[119]);
}

Test(chanmsg, gpadl_header_points_at_the_ranges)
{
	uint8_t b[20 + 8 + 16] = {0};
	struct chanmsg m;

	put32(b, 0, CHANMSG_GPADL_HEADER);
	put32(b, 8, 1);
	put32(b, 12, 0xE1E10);
	b[16] = 24; /* range_buflen */
	b[18] = 1;  /* rangecount */
	put32(b, 20, 8192);
	put64(b, 28, 0x100); /* first PFN at offset 28 */
	cr_assert_eq(CHANMSG_OK, chanmsg_decode(b, sizeof(b), &m));
	cr_assert_eq(1, m.u.gpadl_header.relid);
	cr_assert_eq(0xE1E10, m.u.gpadl_header.gpadl);
	cr_assert_eq(24, m.u.gpadl_header.range_buflen);
	cr_assert_eq(1, m.u.gpadl_header.rangecount);
	cr_assert_eq(b + 20, m.u.gpadl_header.ranges);
	cr_assert_eq(24, m.u.gpadl_header.ranges_len);
	/* Not whole 8-byte words: refused. */
	cr_assert_eq(CHANMSG_E_FIELD, chanmsg_decode(b, sizeof(b) - 4, &m));
}

Test(chanmsg, gpadl_body_pfns_from_offset_16)
{
	uint8_t b[16 + 3 * 8] = {0};
	struct chanmsg m;

	put32(b, 0, CHANMSG_GPADL_BODY);
	put32(b, 12, 0xE1E11);
	cr_assert_eq(CHANMSG_OK, chanmsg_decode(b, sizeof(b), &m));
	cr_assert_eq(0xE1E11, m.u.gpadl_body.gpadl);
	cr_assert_eq(b + 16, m.u.gpadl_body.pfns);
	cr_assert_eq(24, m.u.gpadl_body.pfns_len);
	cr_assert_eq(CHANMSG_E_FIELD, chanmsg_decode(b, sizeof(b) - 1, &m));
}

Test(chanmsg, every_handled_type_round_trips)
{
	for (uint32_t t = 1; t < CHANMSG_COUNT; t++) {
		struct chanmsg m, back;
		uint8_t b[VMBUS_MSG_MAX];
		int n;

		memset(&m, 0, sizeof(m));
		m.type = t;
		/* Fill the first word of every variant: relid / version. */
		m.u.chan.relid = 0x11223344;
		n = chanmsg_encode(&m, b, sizeof(b));
		if (n == CHANMSG_E_TYPE)
			continue; /* 18..21, 23 */
		cr_assert_geq(n, (int)chanmsg_info(t)->size, "type %u", t);
		cr_assert_eq(CHANMSG_OK, chanmsg_decode(b, (size_t)n, &back),
			     "type %u", t);
		cr_assert_eq(t, back.type);
		if (t != CHANMSG_REQUESTOFFERS && t != CHANMSG_UNLOAD &&
		    t != CHANMSG_UNLOAD_RESPONSE &&
		    t != CHANMSG_ALLOFFERS_DELIVERED &&
		    t != CHANMSG_VERSION_RESPONSE &&
		    t != CHANMSG_OFFERCHANNEL && t != CHANMSG_GPADL_BODY)
			cr_assert_eq(0x11223344, back.u.chan.relid, "type %u",
				     t);
	}
}

Test(chanmsg, short_messages_are_refused)
{
	uint8_t b[VMBUS_MSG_MAX] = {0};
	struct chanmsg m;

	cr_assert_eq(CHANMSG_E_SHORT, chanmsg_decode(b, 0, &m));
	cr_assert_eq(CHANMSG_E_SHORT, chanmsg_decode(b, 7, &m));
	cr_assert_eq(CHANMSG_E_SHORT, chanmsg_decode(NULL, 40, &m));
	for (uint32_t t = 1; t < CHANMSG_COUNT; t++) {
		unsigned min = chanmsg_info(t)->size;

		put32(b, 0, t);
		if (chanmsg_decode(b, min, &m) == CHANMSG_E_TYPE)
			continue;
		if (min > 8)
			cr_assert_eq(CHANMSG_E_SHORT,
				     chanmsg_decode(b, min - 1, &m), "type %u",
				     t);
	}
}

Test(chanmsg, oversized_and_unknown_are_refused)
{
	uint8_t b[512] = {0};
	struct chanmsg m;

	put32(b, 0, CHANMSG_REQUESTOFFERS);
	cr_assert_eq(CHANMSG_OK, chanmsg_decode(b, 240, &m));
	cr_assert_eq(CHANMSG_E_LONG, chanmsg_decode(b, 241, &m));
	put32(b, 0, 0);
	cr_assert_eq(CHANMSG_E_TYPE, chanmsg_decode(b, 40, &m));
	put32(b, 0, 25);
	cr_assert_eq(CHANMSG_E_TYPE, chanmsg_decode(b, 40, &m));
	put32(b, 0, 0xFFFFFFFF);
	cr_assert_eq(CHANMSG_E_TYPE, chanmsg_decode(b, 40, &m));
	put32(b, 0, CHANMSG_TL_CONNECT_REQUEST); /* hv_sock: not offered */
	cr_assert_eq(CHANMSG_E_TYPE, chanmsg_decode(b, 40, &m));
	/* Encoding refuses a buffer smaller than the type. */
	m.type = CHANMSG_OFFERCHANNEL;
	cr_assert_eq(CHANMSG_E_SHORT, chanmsg_encode(&m, b, 100));
}

/* Fixed seed: random bytes and lengths decode to OK or an error, and a
 * decoded GPADL pointer always stays inside the buffer. */
Test(chanmsg, seeded_garbage_never_crashes)
{
	uint64_t x = 0x9E3779B97F4A7C15ull;
	uint8_t b[VMBUS_MSG_MAX];
	unsigned ok = 0;

	for (int i = 0; i < 200000; i++) {
		struct chanmsg m;
		size_t len;
		int rc;

		for (size_t j = 0; j < sizeof(b); j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			b[j] = (uint8_t)x;
		}
		b[0] = (uint8_t)(x % 26); /* mostly real types */
		b[1] = b[2] = b[3] = 0;
		len = (size_t)((x >> 8) % (VMBUS_MSG_MAX + 8));
		rc = chanmsg_decode(b, len, &m);
		if (rc != CHANMSG_OK)
			continue;
		ok++;
		if (m.type == CHANMSG_GPADL_HEADER)
			cr_assert_leq(m.u.gpadl_header.ranges +
					  m.u.gpadl_header.ranges_len,
				      b + len);
		if (m.type == CHANMSG_GPADL_BODY)
			cr_assert_leq(m.u.gpadl_body.pfns +
					  m.u.gpadl_body.pfns_len,
				      b + len);
	}
	cr_assert_gt(ok, 1000);
}
