/*
 * vmbus/ic.c — the IC framework of vmbus/ic.h: the header codec, the
 * host's NEGOTIATE and the choice read from the guest's answer, the
 * one-request-in-flight state machine, and the checks on every packet the
 * guest sends back (vmbus.md §6.4, vmbus-linux61.md §2.7).
 *
 * Negotiation: the body is {framework count u16, message count u16,
 * reserved u32, versions {major u16, minor u16}...}: the framework
 * versions first, then the message versions. The guest answers in the
 * same buffer with counts 1/1 and its choice at [0] (framework) and
 * [framework count] (message); Linux sets icmsgsize = 16 and keeps the
 * packet's length. An answer with a zero count, or naming a version we did
 * not offer, means "no common version": the channel is IC_FAILED.
 */
#include <string.h>

#include "sim/le.h"
#include "vmbus/ic.h"

/* Framework versions offered, best first: Linux 6.1 knows 3.0 and 1.0. */
const struct ic_version ic_framework_versions[] = {{3, 0}, {1, 0}};
const unsigned ic_nr_framework_versions = 2;

#define NEG_FIXED 8u /* counts + reserved, before the version array */

int ic_encode(const struct ic_hdr *h, const void *body, size_t body_len,
	      uint8_t *out, size_t cap)
{
	size_t total = IC_HDR_SIZE + body_len;
	uint8_t *m = out + IC_PIPE_HDR_SIZE;

	if (body_len > 0xFFFF || total > cap)
		return -1;
	le_put32(out, IC_PIPE_DATA);
	le_put32(out + 4, (uint32_t)(total - IC_PIPE_HDR_SIZE));
	le_put16(m, h->framework.major);
	le_put16(m + 2, h->framework.minor);
	le_put16(m + 4, h->msgtype);
	le_put16(m + 6, h->msgver.major);
	le_put16(m + 8, h->msgver.minor);
	le_put16(m + 10, (uint16_t)body_len);
	le_put32(m + 12, h->status);
	m[16] = h->trans_id;
	m[17] = h->flags;
	m[18] = m[19] = 0;
	if (body_len)
		memcpy(out + IC_HDR_SIZE, body, body_len);
	return (int)total;
}

enum ic_refusal ic_decode(const uint8_t *p, size_t len, struct ic_hdr *h,
			  const uint8_t **body)
{
	const uint8_t *m = p + IC_PIPE_HDR_SIZE;

	if (len < IC_HDR_SIZE)
		return IC_REF_SHORT;
	/* The pipe header is ignored, as Linux does (it echoes ours). */
	h->framework = (struct ic_version){le_get16(m), le_get16(m + 2)};
	h->msgtype = le_get16(m + 4);
	h->msgver = (struct ic_version){le_get16(m + 6), le_get16(m + 8)};
	h->msgsize = le_get16(m + 10);
	h->status = le_get32(m + 12);
	h->trans_id = m[16];
	h->flags = m[17];
	if (h->msgsize > len - IC_HDR_SIZE)
		return IC_REF_BODY_SIZE;
	*body = p + IC_HDR_SIZE;
	return IC_REF_NONE;
}

/* ---- the state machine ------------------------------------------------- */

/* {state, event} → next state; 0 (IC_CLOSED) with `ok` false = illegal. */
struct ic_transition {
	bool ok;
	enum ic_state next;
};

static const struct ic_transition table[IC_NR_STATES][IC_NR_EVENTS] = {
    [IC_CLOSED] = {[IC_EV_OPEN] = {true, IC_READY},
		   [IC_EV_CLOSE] = {true, IC_CLOSED}},
    /* IC_READY before negotiation means "may negotiate": ic_negotiate
     * checks that no version was agreed yet. */
    [IC_READY] = {[IC_EV_NEGOTIATE] = {true, IC_NEGOTIATING},
		  [IC_EV_REQUEST] = {true, IC_WAITING},
		  [IC_EV_OPEN] = {true, IC_READY},
		  [IC_EV_CLOSE] = {true, IC_CLOSED}},
    [IC_NEGOTIATING] = {[IC_EV_AGREED] = {true, IC_READY},
			[IC_EV_NO_VERSION] = {true, IC_FAILED},
			[IC_EV_OPEN] = {true, IC_READY},
			[IC_EV_CLOSE] = {true, IC_CLOSED}},
    [IC_WAITING] = {[IC_EV_RESPONSE] = {true, IC_READY},
		    [IC_EV_TIMEOUT] = {true, IC_READY},
		    [IC_EV_OPEN] = {true, IC_READY},
		    [IC_EV_CLOSE] = {true, IC_CLOSED}},
    [IC_FAILED] = {[IC_EV_OPEN] = {true, IC_READY},
		   [IC_EV_CLOSE] = {true, IC_CLOSED}},
};

enum ic_state ic_next_state(enum ic_state s, enum ic_event e)
{
	if ((unsigned)s >= IC_NR_STATES || (unsigned)e >= IC_NR_EVENTS ||
	    !table[s][e].ok)
		return IC_NR_STATES;
	return table[s][e].next;
}

static bool step(struct ic_chan *c, enum ic_event e)
{
	enum ic_state n = ic_next_state(c->state, e);

	if (n == IC_NR_STATES)
		return false;
	c->state = n;
	return true;
}

const char *ic_state_name(enum ic_state s)
{
	static const char *const names[IC_NR_STATES] = {
	    "closed", "negotiating", "ready", "waiting", "failed"};
	return (unsigned)s < IC_NR_STATES ? names[s] : "?";
}

const char *ic_refusal_name(enum ic_refusal r)
{
	static const char *const names[IC_NR_REFUSALS] = {
	    "none",	    "packet type", "short",    "body size", "flags",
	    "unsolicited", "msgtype",	   "trans_id", "version"};
	return (unsigned)r < IC_NR_REFUSALS ? names[r] : "?";
}

void ic_open(struct ic_chan *c)
{
	step(c, IC_EV_OPEN);
	c->framework = c->msgver = (struct ic_version){0, 0};
	c->want_type = 0;
	c->want_ic_tid = 0;
	c->want_pkt_id = 0;
}

void ic_close(struct ic_chan *c)
{
	step(c, IC_EV_CLOSE);
}

static bool agreed(const struct ic_chan *c)
{
	return c->msgver.major || c->msgver.minor || c->framework.major ||
	       c->framework.minor;
}

/* Start a transaction: remember what answers it. */
static void expect(struct ic_chan *c, uint16_t type, struct ic_hdr *h,
		   uint64_t *pkt_id)
{
	h->trans_id = c->next_ic_tid++;
	h->flags = IC_FLAG_TRANSACTION | IC_FLAG_REQUEST;
	c->want_type = type;
	c->want_ic_tid = h->trans_id;
	c->want_pkt_id = ++c->next_pkt_id; /* 0 is never used */
	*pkt_id = c->want_pkt_id;
	c->st.sent++;
}

int ic_negotiate(struct ic_chan *c, uint8_t *out, size_t cap, uint64_t *pkt_id)
{
	uint8_t body[NEG_FIXED + 4 * 2 * IC_MAX_VERSIONS];
	unsigned nf = ic_nr_framework_versions, nm = c->svc->nr_versions;
	struct ic_hdr h = {.framework = {1, 0},
			   .msgtype = IC_MSG_NEGOTIATE,
			   .msgver = {1, 0}};
	uint8_t *v = body + NEG_FIXED;
	int n;

	if (nm > IC_MAX_VERSIONS || agreed(c) ||
	    ic_next_state(c->state, IC_EV_NEGOTIATE) == IC_NR_STATES)
		return -1;
	memset(body, 0, NEG_FIXED);
	le_put16(body, (uint16_t)nf);
	le_put16(body + 2, (uint16_t)nm);
	for (unsigned i = 0; i < nf + nm; i++, v += 4) {
		const struct ic_version *x = i < nf ? &ic_framework_versions[i]
						    : &c->svc->versions[i - nf];
		le_put16(v, x->major);
		le_put16(v + 2, x->minor);
	}
	expect(c, IC_MSG_NEGOTIATE, &h, pkt_id);
	n = ic_encode(&h, body, (size_t)(v - body), out, cap);
	if (n < 0) {
		c->st.sent--;
		return -1;
	}
	step(c, IC_EV_NEGOTIATE);
	return n;
}

int ic_request(struct ic_chan *c, const void *body, size_t body_len,
	       uint8_t *out, size_t cap, uint64_t *pkt_id)
{
	struct ic_hdr h = {.framework = c->framework,
			   .msgtype = c->svc->msgtype,
			   .msgver = c->msgver};
	int n;

	if (c->state != IC_READY || !agreed(c))
		return -1;
	expect(c, c->svc->msgtype, &h, pkt_id);
	n = ic_encode(&h, body, body_len, out, cap);
	if (n < 0) {
		c->st.sent--;
		return -1;
	}
	step(c, IC_EV_REQUEST);
	return n;
}

static bool offered(const struct ic_version *list, unsigned n,
		    struct ic_version v)
{
	for (unsigned i = 0; i < n; i++)
		if (list[i].major == v.major && list[i].minor == v.minor)
			return true;
	return false;
}

/* The guest's choice in a NEGOTIATE answer. */
static enum ic_rx negotiated(struct ic_chan *c, const struct ic_response *r)
{
	const uint8_t *b = r->body;
	unsigned nf, nm;
	struct ic_version fw, msg;

	if (r->body_len < NEG_FIXED)
		goto none;
	nf = le_get16(b);
	nm = le_get16(b + 2);
	if (!nf || !nm || r->body_len < NEG_FIXED + 4u * (nf + nm))
		goto none;
	fw = (struct ic_version){le_get16(b + 8), le_get16(b + 10)};
	msg = (struct ic_version){le_get16(b + 8 + 4 * nf),
				  le_get16(b + 10 + 4 * nf)};
	if (!offered(ic_framework_versions, ic_nr_framework_versions, fw) ||
	    !offered(c->svc->versions, c->svc->nr_versions, msg))
		goto none;
	c->framework = fw;
	c->msgver = msg;
	step(c, IC_EV_AGREED);
	return IC_RX_AGREED;
none:
	step(c, IC_EV_NO_VERSION);
	return IC_RX_NO_VERSION;
}

static enum ic_rx refuse(struct ic_chan *c, enum ic_refusal r,
			 enum ic_refusal *why)
{
	c->st.refused++;
	c->st.refusals[r]++;
	*why = r;
	return IC_RX_REFUSED;
}

enum ic_rx ic_receive(struct ic_chan *c, uint16_t pkt_type,
		      const uint8_t *payload, size_t len, uint64_t pkt_id,
		      struct ic_response *out, enum ic_refusal *why)
{
	const uint8_t IC_ANSWER = IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE;
	enum ic_refusal r;

	*why = IC_REF_NONE;
	if (pkt_type != 0x6) /* VSP_PKT_DATA_INBAND */
		return refuse(c, IC_REF_PKT_TYPE, why);
	if ((r = ic_decode(payload, len, &out->hdr, &out->body)))
		return refuse(c, r, why);
	out->body_len = out->hdr.msgsize;
	if (out->hdr.flags != IC_ANSWER)
		return refuse(c, IC_REF_FLAGS, why);
	if (c->state != IC_NEGOTIATING && c->state != IC_WAITING)
		return refuse(c, IC_REF_STATE, why);
	if (out->hdr.msgtype != c->want_type)
		return refuse(c, IC_REF_MSGTYPE, why);
	if (pkt_id != c->want_pkt_id || out->hdr.trans_id != c->want_ic_tid)
		return refuse(c, IC_REF_TRANS_ID, why);
	c->st.answered++;
	if (c->state == IC_NEGOTIATING)
		return negotiated(c, out);
	if (out->hdr.msgver.major != c->msgver.major ||
	    out->hdr.msgver.minor != c->msgver.minor) {
		c->st.answered--;
		return refuse(c, IC_REF_VERSION, why);
	}
	step(c, IC_EV_RESPONSE);
	return IC_RX_RESPONSE;
}

int ic_timeout(struct ic_chan *c)
{
	if (c->state != IC_WAITING)
		return -1;
	c->st.timeouts++;
	return step(c, IC_EV_TIMEOUT) ? 0 : -1;
}
