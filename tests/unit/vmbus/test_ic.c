/*
 * tests/unit/vmbus/test_ic.c — the IC framework (vmbus/ic.c): the header's
 * exact bytes, decoding limits, the host's NEGOTIATE and the choice read
 * from a Linux-shaped answer (incl. no common version and versions never
 * offered), every refusal of a bad answer, one request in flight, the
 * state table. The answers are built here the way Linux's hv_utils
 * builds them (vmbus.md §6.4, vmbus-linux61.md §2.7): in the request's
 * buffer, icflags TRANSACTION|RESPONSE, counts 1/1, icmsgsize 16.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "vmbus/ic.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static struct ic_chan chan(const struct ic_service_desc *d)
{
	struct ic_chan c;

	memset(&c, 0, sizeof(c));
	c.svc = d;
	ic_open(&c);
	return c;
}

/* Turn a host request (in b, n bytes) into a Linux-style answer choosing
 * framework fw and message version msg (counts 0/0 when none). */
static void linux_answer(uint8_t *b, int n, const uint16_t *fw,
			 const uint16_t *msg)
{
	uint8_t *body = b + IC_HDR_SIZE;

	cr_assert_geq(n, IC_HDR_SIZE + 16);
	b[8 + 17] = IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE;
	wr16(b + 8 + 10, 0x10);
	wr16(body, fw ? 1 : 0);
	wr16(body + 2, msg ? 1 : 0);
	if (fw && msg) {
		wr16(body + 8, fw[0]), wr16(body + 10, fw[1]);
		wr16(body + 12, msg[0]), wr16(body + 14, msg[1]);
	}
}

Test(ic, header_bytes_are_exact)
{
	struct ic_hdr h = {.framework = {3, 0},
			   .msgtype = IC_MSG_HEARTBEAT,
			   .msgver = {3, 1},
			   .status = 0x80004005u,
			   .trans_id = 7,
			   .flags = 0x3};
	uint8_t b[64], body[4] = {1, 2, 3, 4};
	const uint8_t *pb;
	struct ic_hdr d;

	cr_assert_eq(32, ic_encode(&h, body, 4, b, sizeof(b)));
	cr_assert_eq(1, rd32(b));	     /* pipe: data */
	cr_assert_eq(24, rd32(b + 4));	     /* bytes after the pipe hdr */
	cr_assert_eq(3, rd16(b + 8));	     /* framework major */
	cr_assert_eq(0, rd16(b + 10));
	cr_assert_eq(1, rd16(b + 12));	     /* msgtype */
	cr_assert_eq(3, rd16(b + 14));	     /* message version */
	cr_assert_eq(1, rd16(b + 16));
	cr_assert_eq(4, rd16(b + 18));	     /* icmsgsize */
	cr_assert_eq(0x80004005u, rd32(b + 20));
	cr_assert_eq(7, b[24]);
	cr_assert_eq(3, b[25]);
	cr_assert_eq(0, rd16(b + 26));
	cr_assert_arr_eq(b + 28, body, 4);
	cr_assert_eq(IC_REF_NONE, ic_decode(b, 32, &d, &pb));
	cr_assert_eq(pb, b + 28);
	cr_assert_eq(d.msgtype, 1);
	cr_assert_eq(d.msgver.minor, 1);
	cr_assert_eq(d.status, 0x80004005u);
	cr_assert_eq(-1, ic_encode(&h, body, 4, b, 31), "too small a buffer");
}

Test(ic, decode_checks_sizes)
{
	uint8_t b[64] = {0};
	struct ic_hdr d;
	const uint8_t *pb;

	cr_assert_eq(IC_REF_SHORT, ic_decode(b, 27, &d, &pb));
	cr_assert_eq(IC_REF_NONE, ic_decode(b, 28, &d, &pb));
	wr16(b + 8 + 10, 5); /* a 5-byte body in a 32-byte payload */
	cr_assert_eq(IC_REF_BODY_SIZE, ic_decode(b, 32, &d, &pb));
	cr_assert_eq(IC_REF_NONE, ic_decode(b, 33, &d, &pb));
	wr16(b + 8 + 10, 0xFFFF);
	cr_assert_eq(IC_REF_BODY_SIZE, ic_decode(b, 64, &d, &pb));
}

Test(ic, negotiate_lists_our_versions)
{
	struct ic_chan c = chan(&ic_shutdown_desc);
	uint8_t b[256];
	uint64_t id = 0;
	int n = ic_negotiate(&c, b, sizeof(b), &id);
	const uint8_t *v = b + IC_HDR_SIZE + 8;

	cr_assert_eq(n, IC_HDR_SIZE + 8 + 4 * (2 + 4));
	cr_assert_neq(id, 0);
	cr_assert_eq(IC_NEGOTIATING, c.state);
	cr_assert_eq(IC_MSG_NEGOTIATE, rd16(b + 12));
	cr_assert_eq(IC_FLAG_TRANSACTION | IC_FLAG_REQUEST, b[25]);
	cr_assert_eq(2, rd16(b + IC_HDR_SIZE));	    /* framework count */
	cr_assert_eq(4, rd16(b + IC_HDR_SIZE + 2)); /* message count */
	/* 3.0, 1.0, then 3.2, 3.1, 3.0, 1.0 */
	const uint16_t want[][2] = {{3, 0}, {1, 0}, {3, 2},
				    {3, 1}, {3, 0}, {1, 0}};
	for (int i = 0; i < 6; i++) {
		cr_assert_eq(want[i][0], rd16(v + 4 * i), "entry %d", i);
		cr_assert_eq(want[i][1], rd16(v + 4 * i + 2), "entry %d", i);
	}
	cr_assert_eq(-1, ic_negotiate(&c, b, sizeof(b), &id), "only once");
}

Test(ic, agreed_versions_come_from_the_answer)
{
	struct ic_chan c = chan(&ic_timesync_desc);
	uint8_t b[256];
	uint64_t id;
	int n = ic_negotiate(&c, b, sizeof(b), &id);
	const uint16_t fw[] = {3, 0}, msg[] = {3, 0};
	struct ic_response r;
	enum ic_refusal why;

	linux_answer(b, n, fw, msg);
	cr_assert_eq(IC_RX_AGREED, ic_receive(&c, 6, b, n, id, &r, &why));
	cr_assert_eq(IC_READY, c.state);
	cr_assert_eq(3, c.framework.major);
	cr_assert_eq(3, c.msgver.major);
	cr_assert_eq(0, c.msgver.minor);
	/* A request now carries the agreed versions. */
	cr_assert_gt(ic_request(&c, "x", 1, b, sizeof(b), &id), 0);
	cr_assert_eq(3, rd16(b + 14));
	cr_assert_eq(0, rd16(b + 16));
	cr_assert_eq(IC_MSG_TIMESYNC, rd16(b + 12));
}

Test(ic, no_common_version_fails_the_channel)
{
	struct ic_chan c = chan(&ic_heartbeat_desc);
	uint8_t b[256];
	uint64_t id;
	int n = ic_negotiate(&c, b, sizeof(b), &id);
	struct ic_response r;
	enum ic_refusal why;

	linux_answer(b, n, NULL, NULL); /* counts 0/0 */
	cr_assert_eq(IC_RX_NO_VERSION, ic_receive(&c, 6, b, n, id, &r, &why));
	cr_assert_eq(IC_FAILED, c.state);
	cr_assert_eq(-1, ic_request(&c, "x", 1, b, sizeof(b), &id));
}

Test(ic, a_version_never_offered_is_no_agreement)
{
	struct ic_chan c = chan(&ic_heartbeat_desc);
	uint8_t b[256];
	uint64_t id;
	int n = ic_negotiate(&c, b, sizeof(b), &id);
	const uint16_t fw[] = {3, 0}, msg[] = {2, 0}; /* we offered 3.0, 1.0 */
	struct ic_response r;
	enum ic_refusal why;

	linux_answer(b, n, fw, msg);
	cr_assert_eq(IC_RX_NO_VERSION, ic_receive(&c, 6, b, n, id, &r, &why));
	cr_assert_eq(IC_FAILED, c.state);
}

/* A valid answer mutated one way: refused, and the channel still waits
 * for the right one. */
static void expect_refused(void (*mutate)(uint8_t *b, int *n, uint64_t *id,
					   uint16_t *type),
			   enum ic_refusal want)
{
	struct ic_chan c = chan(&ic_shutdown_desc);
	uint8_t b[256], good[256];
	uint64_t id, bad_id;
	int n = ic_negotiate(&c, b, sizeof(b), &id), bad_n;
	const uint16_t fw[] = {1, 0}, msg[] = {3, 1};
	uint16_t type = 6;
	struct ic_response r;
	enum ic_refusal why;

	linux_answer(b, n, fw, msg);
	memcpy(good, b, sizeof(b));
	bad_n = n;
	bad_id = id;
	mutate(b, &bad_n, &bad_id, &type);
	cr_assert_eq(IC_RX_REFUSED,
		     ic_receive(&c, type, b, (size_t)bad_n, bad_id, &r, &why));
	cr_assert_eq(want, why, "refusal %s, want %s", ic_refusal_name(why),
		     ic_refusal_name(want));
	cr_assert_eq(1, c.st.refusals[want]);
	cr_assert_eq(IC_NEGOTIATING, c.state);
	cr_assert_eq(IC_RX_AGREED, ic_receive(&c, 6, good, n, id, &r, &why));
	cr_assert_eq(1, c.framework.major);
	cr_assert_eq(1, c.msgver.minor);
}

static void m_short(uint8_t *b, int *n, uint64_t *id, uint16_t *t)
{
	(void)b, (void)id, (void)t;
	*n = 20;
}
static void m_body(uint8_t *b, int *n, uint64_t *id, uint16_t *t)
{
	(void)id, (void)t;
	wr16(b + 8 + 10, (uint16_t)(*n - IC_HDR_SIZE + 1));
}
static void m_flags(uint8_t *b, int *n, uint64_t *id, uint16_t *t)
{
	(void)n, (void)id, (void)t;
	b[25] = IC_FLAG_TRANSACTION | IC_FLAG_REQUEST; /* our own, echoed */
}
static void m_type(uint8_t *b, int *n, uint64_t *id, uint16_t *t)
{
	(void)n, (void)id, (void)t;
	wr16(b + 12, IC_MSG_HEARTBEAT);
}
static void m_pkt_id(uint8_t *b, int *n, uint64_t *id, uint16_t *t)
{
	(void)b, (void)n, (void)t;
	*id += 1;
}
static void m_ic_tid(uint8_t *b, int *n, uint64_t *id, uint16_t *t)
{
	(void)n, (void)id, (void)t;
	b[24] ^= 0x55;
}
static void m_pkt_type(uint8_t *b, int *n, uint64_t *id, uint16_t *t)
{
	(void)b, (void)n, (void)id;
	*t = 0xB; /* a completion */
}

Test(ic, bad_answers_are_refused)
{
	expect_refused(m_short, IC_REF_SHORT);
	expect_refused(m_body, IC_REF_BODY_SIZE);
	expect_refused(m_flags, IC_REF_FLAGS);
	expect_refused(m_type, IC_REF_MSGTYPE);
	expect_refused(m_pkt_id, IC_REF_TRANS_ID);
	expect_refused(m_ic_tid, IC_REF_TRANS_ID);
	expect_refused(m_pkt_type, IC_REF_PKT_TYPE);
}

/* A channel with versions agreed (shutdown 3.2). */
static struct ic_chan ready_chan(void)
{
	struct ic_chan c = chan(&ic_shutdown_desc);
	uint8_t b[256];
	uint64_t id;
	int n = ic_negotiate(&c, b, sizeof(b), &id);
	const uint16_t fw[] = {3, 0}, msg[] = {3, 2};
	struct ic_response r;
	enum ic_refusal why;

	linux_answer(b, n, fw, msg);
	cr_assert_eq(IC_RX_AGREED, ic_receive(&c, 6, b, n, id, &r, &why));
	return c;
}

Test(ic, one_request_in_flight)
{
	struct ic_chan c = ready_chan();
	uint8_t b[256], b2[256];
	uint64_t id, id2;
	int n = ic_request(&c, "abcd", 4, b, sizeof(b), &id);
	struct ic_response r;
	enum ic_refusal why;

	cr_assert_eq(n, IC_HDR_SIZE + 4);
	cr_assert_eq(IC_WAITING, c.state);
	cr_assert_eq(-1, ic_request(&c, "x", 1, b2, sizeof(b2), &id2),
		     "a second request waits for the first answer");
	b[25] = IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE;
	b[8 + 12] = 0x05; /* status E_FAIL-ish: the caller judges it */
	cr_assert_eq(IC_RX_RESPONSE, ic_receive(&c, 6, b, n, id, &r, &why));
	cr_assert_eq(5, r.hdr.status);
	cr_assert_eq(4, r.body_len);
	cr_assert_eq(0, memcmp(r.body, "abcd", 4));
	cr_assert_eq(IC_READY, c.state);
	/* The same answer again is unsolicited. */
	cr_assert_eq(IC_RX_REFUSED, ic_receive(&c, 6, b, n, id, &r, &why));
	cr_assert_eq(IC_REF_STATE, why);
	/* A request given up frees the slot; its late answer is refused. */
	n = ic_request(&c, "x", 1, b, sizeof(b), &id);
	cr_assert_gt(n, 0);
	cr_assert_eq(0, ic_timeout(&c));
	cr_assert_eq(-1, ic_timeout(&c));
	cr_assert_eq(1, c.st.timeouts);
	cr_assert_gt(ic_request(&c, "y", 1, b2, sizeof(b2), &id2), 0);
	cr_assert_neq(id, id2);
	b[25] = IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE;
	cr_assert_eq(IC_RX_REFUSED, ic_receive(&c, 6, b, n, id, &r, &why));
	cr_assert_eq(IC_REF_TRANS_ID, why);
}

Test(ic, answer_with_another_message_version_is_refused)
{
	struct ic_chan c = ready_chan();
	uint8_t b[256];
	uint64_t id;
	int n = ic_request(&c, NULL, 0, b, sizeof(b), &id);
	struct ic_response r;
	enum ic_refusal why;

	b[25] = IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE;
	wr16(b + 16, 1); /* 3.1 instead of 3.2 */
	cr_assert_eq(IC_RX_REFUSED, ic_receive(&c, 6, b, n, id, &r, &why));
	cr_assert_eq(IC_REF_VERSION, why);
	cr_assert_eq(IC_WAITING, c.state);
}

Test(ic, the_state_table_refuses_illegal_events)
{
	cr_assert_eq(IC_NR_STATES, ic_next_state(IC_CLOSED, IC_EV_REQUEST));
	cr_assert_eq(IC_NR_STATES, ic_next_state(IC_CLOSED, IC_EV_RESPONSE));
	cr_assert_eq(IC_NR_STATES, ic_next_state(IC_WAITING, IC_EV_REQUEST));
	cr_assert_eq(IC_NR_STATES, ic_next_state(IC_FAILED, IC_EV_REQUEST));
	cr_assert_eq(IC_NR_STATES,
		     ic_next_state(IC_NEGOTIATING, IC_EV_RESPONSE));
	cr_assert_eq(IC_NR_STATES, ic_next_state(IC_NR_STATES, IC_EV_OPEN));
	cr_assert_eq(IC_WAITING, ic_next_state(IC_READY, IC_EV_REQUEST));
	cr_assert_eq(IC_CLOSED, ic_next_state(IC_WAITING, IC_EV_CLOSE));
	/* A closed channel takes nothing. */
	struct ic_chan c = ready_chan();
	uint8_t b[64];
	uint64_t id;
	ic_close(&c);
	cr_assert_eq(IC_CLOSED, c.state);
	cr_assert_eq(-1, ic_request(&c, NULL, 0, b, sizeof(b), &id));
	cr_assert_eq(-1, ic_negotiate(&c, b, sizeof(b), &id));
}
