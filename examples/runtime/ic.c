/*
 * examples/runtime/ic.c — the guest's integration-services client (ic.h):
 * channel set-up, the answers to NEGOTIATE, heartbeat, timesync and
 * shutdown, and the wall-clock formatting the util guest prints.
 *
 * Every IC payload = vmbuspipe_hdr (8 bytes) + icmsg_hdr (20) + body
 * (vmbus.md §6.4). We answer in the request's own buffer, as Linux does:
 * icflags = TRANSACTION|RESPONSE, same packet length, same trans_id.
 */
#include "ic.h"

#include "format.h"
#include "printf.h"
#include "string.h"

#define HDR	     28	 /* pipe header + icmsg_hdr */
#define MSG_NEGOTIATE 0
#define MSG_HEARTBEAT 1
#define MSG_SHUTDOWN  3
#define MSG_TIMESYNC  4
#define F_TRANSACTION 1
#define F_RESPONSE    4
#define S_OK	      0x00000000u
#define E_FAIL	      0x80004005u
#define MAX_VERCNT    100  /* Linux's bound on each count */
#define PKT_MAX	      4096 /* Linux reads at most this much */

/* Interface GUIDs, wire order (vmbus.md §6.1). */
static const uint8_t if_type[IC_CLIENT_NR][16] = {
    {0x31, 0x60, 0x0b, 0x0e, 0x13, 0x52, 0x34, 0x49, 0x81, 0x8b, 0x38, 0xd9,
     0x0c, 0xed, 0x39, 0xdb},
    {0x30, 0xe6, 0x27, 0x95, 0xae, 0xd0, 0x7b, 0x49, 0xad, 0xce, 0xe8, 0x0a,
     0xb0, 0x17, 0x5c, 0xaf},
    {0x39, 0x4f, 0x16, 0x57, 0x15, 0x91, 0x78, 0x4e, 0xab, 0x55, 0x38, 0x2f,
     0x3b, 0xd5, 0x42, 0x2d},
};
static const uint16_t msgtype[IC_CLIENT_NR] = {MSG_SHUTDOWN, MSG_TIMESYNC,
					       MSG_HEARTBEAT};

/* Our versions, best first ({major, minor}), as Linux 6.1 lists them. */
static const uint16_t fw_versions[][2] = {{3, 0}, {1, 0}};
static const uint16_t sd_versions[][2] = {{3, 2}, {3, 1}, {3, 0}, {1, 0}};
static const uint16_t ts_versions[][2] = {{4, 0}, {3, 0}, {1, 0}};
static const uint16_t hb_versions[][2] = {{3, 0}, {1, 0}};
static const struct {
	const uint16_t (*v)[2];
	unsigned n;
} msg_versions[IC_CLIENT_NR] = {
    {sd_versions, 4}, {ts_versions, 3}, {hb_versions, 2}};

static uint8_t pkt[PKT_MAX];

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, (uint16_t)v); wr16(p + 2, (uint16_t)(v >> 16)); }
static void wr64(uint8_t *p, uint64_t v) { wr32(p, (uint32_t)v); wr32(p + 4, (uint32_t)(v >> 32)); }

const char *ic_client_name(enum ic_client_svc s)
{
	static const char *const names[] = {"shutdown", "timesync",
					    "heartbeat"};
	return (unsigned)s < IC_CLIENT_NR ? names[s] : "?";
}

int ic_client_open(struct ic_client *ic, struct vmbus_client *c)
{
	int n = 0;

	ic->c = c;
	for (unsigned i = 0; i < IC_CLIENT_NR; i++) {
		struct ic_client_chan *k = &ic->chan[i];
		const struct vmbus_offer *o = vmbus_find_offer(c, if_type[i]);

		if (!o || vmbus_open(c, &k->ch, o, k->rings,
				     IC_CLIENT_RING_PAGES,
				     IC_CLIENT_RING_PAGES) != 0)
			continue;
		k->present = 1;
		n++;
	}
	return n;
}

/* The first of ours that the host offered (list at v, n entries). */
static int pick(const uint16_t (*ours)[2], unsigned nours, const uint8_t *v,
		unsigned n, uint16_t *maj, uint16_t *min)
{
	for (unsigned i = 0; i < nours; i++)
		for (unsigned j = 0; j < n; j++)
			if (rd16(v + 4 * j) == ours[i][0] &&
			    rd16(v + 4 * j + 2) == ours[i][1]) {
				*maj = ours[i][0];
				*min = ours[i][1];
				return 1;
			}
	return 0;
}

/* NEGOTIATE: choose, and write the answer into the body. */
static void negotiate(struct ic_client_chan *k, unsigned svc, uint8_t *m,
		      uint32_t len)
{
	uint8_t *b = m + HDR;
	unsigned nf, nm;
	int ok;

	if (len < HDR + 8)
		return; /* echoed as it is (Linux: payload under 32 bytes) */
	nf = rd16(b);
	nm = rd16(b + 2);
	ok = nf <= MAX_VERCNT && nm <= MAX_VERCNT &&
	     len >= HDR + 8 + 4 * (nf + nm) &&
	     pick(fw_versions, 2, b + 8, nf, &k->fw_major, &k->fw_minor) &&
	     pick(msg_versions[svc].v, msg_versions[svc].n, b + 8 + 4 * nf, nm,
		  &k->msg_major, &k->msg_minor);
	wr16(m + 8 + 10, 0x10); /* icmsgsize: counts + 2 versions */
	if (len < HDR + 16) {
		wr16(b, 0), wr16(b + 2, 0);
		return;
	}
	wr16(b, ok ? 1 : 0);
	wr16(b + 2, ok ? 1 : 0);
	wr32(b + 4, 0);
	if (ok) {
		wr16(b + 8, k->fw_major), wr16(b + 10, k->fw_minor);
		wr16(b + 12, k->msg_major), wr16(b + 14, k->msg_minor);
	}
	k->negotiated = ok;
}

/* A request of the channel's own type: 1 to answer it, 0 to drop it. */
static int serve(struct ic_client *ic, unsigned svc, uint8_t *m, uint32_t len)
{
	struct ic_client_chan *k = &ic->chan[svc];
	uint8_t *b = m + HDR;
	uint32_t flags;

	if (!k->negotiated)
		return 0;
	if (svc == IC_CLIENT_HEARTBEAT) {
		if (len < HDR + 8)
			return 0;
		ic->last_seq = rd64(b) + 1;
		wr64(b, ic->last_seq);
		ic->heartbeats++;
		return 1;
	}
	if (svc == IC_CLIENT_TIMESYNC) {
		int v4 = k->msg_major >= 4;
		if (len < HDR + (v4 ? 22u : 25u))
			return 0;
		ic->parenttime = rd64(b);
		ic->reftime = v4 ? rd64(b + 8) : 0;
		ic->ts_flags = v4 ? b[16] : b[24];
		ic->ts_ref_at_receipt = hv_ref_time();
		ic->timesyncs++;
		return 1;
	}
	if (len < HDR + 2060) /* Linux needs the whole shutdown body */
		return 0;
	flags = rd32(b + 8);
	ic->shutdowns++;
	ic->shutdown_flags = flags;
	if (flags <= 1) { /* poweroff (bit 0: forced) */
		wr32(m + 8 + 12, S_OK);
		ic->shutdown = 1;
	} else { /* reboot, hibernate: not in this runtime */
		wr32(m + 8 + 12, E_FAIL);
	}
	return 1;
}

/* One packet of channel svc: check, answer in place, send back. */
static void handle(struct ic_client *ic, unsigned svc,
		   const struct vmbus_pkt *p)
{
	struct ic_client_chan *k = &ic->chan[svc];
	uint32_t len = p->len;
	uint16_t type;
	uint16_t msgsize;

	if (p->desc.type != VMBUS_PKT_DATA_INBAND || len < HDR) {
		ic->dropped++; /* Linux does not answer these */
		return;
	}
	type = rd16(pkt + 8 + 4);
	msgsize = rd16(pkt + 8 + 10);
	if (msgsize > len - HDR ||
	    !(type == MSG_NEGOTIATE || type == msgtype[svc])) {
		ic->dropped++;
		return;
	}
	if (type == MSG_NEGOTIATE)
		negotiate(k, svc, pkt, len);
	else if (!serve(ic, svc, pkt, len)) {
		ic->dropped++;
		return;
	}
	pkt[8 + 17] = F_TRANSACTION | F_RESPONSE;
	k->requests++;
	if (vmbus_send(&k->ch, pkt, len, p->desc.trans_id, 0) != 0)
		printf("ic: %s: the answer did not fit in the ring\n",
		       ic_client_name(svc));
}

/* Reads without masking the host's signals (hv_utils' HV_CALL_DIRECT). */
int ic_client_poll(struct ic_client *ic)
{
	int handled = 0;

	vmbus_poll(ic->c); /* messages: a rescind, say */
	for (unsigned i = 0; i < IC_CLIENT_NR; i++) {
		struct ic_client_chan *k = &ic->chan[i];
		struct vmbus_pkt p;
		int signal;

		if (!k->present || !k->ch.open)
			continue;
		hv_event_test_clear(&ic->c->synic, VMBUS_SINT,
				    k->ch.offer->child_relid);
		for (;;) {
			enum vmbus_ring_status st = vmbus_ring_read(
			    &k->ch.in, &p, pkt, sizeof(pkt), &signal);
			if (st == VMBUS_RING_EMPTY)
				break;
			if (st != VMBUS_RING_OK) {
				printf("ic: %s: inbound ring: %s\n",
				       ic_client_name(i),
				       vmbus_ring_status_name(st));
				k->present = 0;
				break;
			}
			if (signal && !k->ch.offer->monitor_allocated)
				hv_signal_event(k->ch.offer->connection_id, 0);
			handle(ic, i, &p);
			handled++;
		}
	}
	return handled;
}

void ic_client_wait(void)
{
	/* STI's shadow covers HLT: an interrupt already pending wakes it. */
	asm volatile("sti; hlt; cli" : : : "memory");
}

/* Days since 1970-01-01 → year, month, day (Gregorian). */
static void civil(uint64_t days, unsigned *y, unsigned *m, unsigned *d)
{
	static const uint8_t mdays[12] = {31, 28, 31, 30, 31, 30,
					  31, 31, 30, 31, 30, 31};
	unsigned year = 1970, mon = 0;

	for (;;) {
		unsigned leap = (year % 4 == 0 && (year % 100 || year % 400 == 0));
		if (days < 365u + leap)
			break;
		days -= 365u + leap;
		year++;
	}
	for (;; mon++) {
		unsigned leap = mon == 1 && (year % 4 == 0 &&
					     (year % 100 || year % 400 == 0));
		if (days < mdays[mon] + leap)
			break;
		days -= mdays[mon] + leap;
	}
	*y = year, *m = mon + 1, *d = (unsigned)days + 1;
}

void ic_format_filetime(uint64_t t, char out[21])
{
	const uint64_t delta = 11644473600ull; /* s from 1601 to 1970 */
	uint64_t s = t / 10000000ull;
	unsigned y, mo, d;

	s = s > delta ? s - delta : 0;
	civil(s / 86400, &y, &mo, &d);
	fmt_snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", y, mo, d,
		 (unsigned)(s % 86400 / 3600), (unsigned)(s % 3600 / 60),
		 (unsigned)(s % 60));
}
