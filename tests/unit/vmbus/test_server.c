/*
 * tests/unit/vmbus/test_server.c — the VMBus server (vmbus/server.c,
 * channel.c, vsp.c) and the echo VSP against the real hypervisor: a child
 * partition whose SynIC is enabled as a guest's WRMSRs would, messages
 * posted as its HvPostMessage does (hv_port_post on connection 1 or 4),
 * answers read from the SIMP slot of SINT 2 (then EOM), rings built in the
 * child's RAM by hand, byte by byte, as Linux lays them out (vmbus.md
 * §5). With no parent partition, parent work runs at once.
 *
 * Scenarios: version negotiation for every version Linux 6.1 tries and
 * refused ones, offers, GPADL → open → echo round trips through real
 * rings (with wrap-around), close / teardown / unload / rescind, every
 * illegal transition refused and counted, GPADLs outside the child,
 * corrupt rings, a child that never drains, the server's own queue when
 * the SynIC's is full, reset, and a seeded mutation run.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/hv_int.h"
#include "hv/hvdefs.h"
#include "hv/hvmsr.h"
#include "hv/port.h"
#include "mmu/mmu.h"
#include "partitions/vm_worker.h"
#include "sim/evq.h"
#include "traces/trace.h"
#include "vmbus/chanmsg.h"
#include "vmbus/server.h"
#include "vmbus/server_int.h" /* the cost table */

#define SIMP_GPA(vp)  (0x10000ull + (vp)*0x2000ull)
#define SIEFP_GPA(vp) (0x11000ull + (vp)*0x2000ull)
#define RING_GPA      0x40000ull /* 8 pages: 4 out (g→h) + 4 in (h→g) */
#define RING_PAGES    4u
#define DATA_SIZE     ((RING_PAGES - 1) * 4096u)
#define GPADL_HANDLE  0xE1E10u
#define ECHO_RELID    1u
#define MEM_BYTES     (1u << 20)

struct rig {
	struct evq *q;
	struct hv *hv;
	struct hv_part *p;
	struct vmbus_server *s;
	struct vsp_echo *echo, *echo2;
	uint32_t out_write; /* the guest's write index in the g→h ring */
	uint32_t in_read;   /* the guest's read index in the h→g ring */
};

static void wrmsr(struct rig *r, unsigned vp, uint32_t msr, uint64_t v)
{
	cr_assert_eq(0, hv_msr_write(&r->p->vp[vp], msr, v), "msr %#x", msr);
}

static void enable_synic(struct rig *r, unsigned vp)
{
	wrmsr(r, vp, HV_MSR_SIMP, SIMP_GPA(vp) | HV_MSR_ENABLE);
	wrmsr(r, vp, HV_MSR_SIEFP, SIEFP_GPA(vp) | HV_MSR_ENABLE);
	wrmsr(r, vp, HV_MSR_SINT0 + VMBUS_MESSAGE_SINT, 0xF3);
	wrmsr(r, vp, HV_MSR_SCONTROL, 1);
}

static void mk(struct rig *r)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	struct hv_part_config pc = {
	    .name = "child", .vcpus = 2, .mem_bytes = MEM_BYTES, .weight = 100};
	struct vmbus_server_config sc;

	memset(r, 0, sizeof(*r));
	r->q = evq_create();
	r->hv = hv_create(&hc, r->q);
	cr_assert_not_null(r->hv);
	r->p = hv_part_create(r->hv, &pc, NULL, NULL);
	cr_assert_not_null(r->p);
	enable_synic(r, 0);
	enable_synic(r, 1);
	sc = (struct vmbus_server_config){.hv = r->hv, .child = r->p};
	r->s = vmbus_server_create(&sc);
	cr_assert_not_null(r->s);
	r->echo = vsp_echo_create();
	r->echo2 = vsp_echo_create();
	cr_assert_eq(1, vmbus_server_add_vsp(r->s, vsp_echo_desc(r->echo), 0));
	cr_assert_eq(2, vmbus_server_add_vsp(r->s, vsp_echo_desc(r->echo2), 0));
}

static void rm(struct rig *r)
{
	vmbus_server_destroy(r->s);
	vsp_echo_destroy(r->echo);
	vsp_echo_destroy(r->echo2);
	hv_destroy(r->hv);
	evq_destroy(r->q);
}

static const struct vmbus_server_stats *st(struct rig *r)
{
	return vmbus_server_stats(r->s);
}

/* ---- messages
 * ---------------------------------------------------------------- */

static unsigned post_raw(struct rig *r, uint32_t conn, const void *b,
			 unsigned len)
{
	return hv_port_post(r->p, 0, conn, VMBUS_MESSAGE_TYPE, b, len);
}

static void post(struct rig *r, uint32_t conn, const struct chanmsg *m)
{
	uint8_t b[VMBUS_MSG_MAX];
	int n = chanmsg_encode(m, b, sizeof(b));

	cr_assert_gt(n, 0);
	cr_assert_eq(HV_STATUS_SUCCESS, post_raw(r, conn, b, (unsigned)n));
}

/* The message in SINT 2's slot of vCPU vp, if any (then EOM). Returns
 * the payload size, 0 if the slot is empty. */
static unsigned take(struct rig *r, unsigned vp, struct chanmsg *m)
{
	struct physmem *pm = hv_part_mem(r->p);
	uint64_t slot = SIMP_GPA(vp) + VMBUS_MESSAGE_SINT * HV_MESSAGE_SIZE;
	static uint8_t b[HV_MESSAGE_SIZE];
	uint32_t type, zero = 0;

	cr_assert_eq(0, physmem_copy_from(pm, b, slot, sizeof(b)));
	memcpy(&type, b, 4);
	if (type == 0)
		return 0;
	cr_assert_eq(VMBUS_MESSAGE_TYPE, type);
	cr_assert_eq(CHANMSG_OK, chanmsg_decode(b + 16, b[4], m));
	cr_assert_eq(0, physmem_copy_to(pm, slot, &zero, 4));
	wrmsr(r, vp, HV_MSR_EOM, 0);
	return b[4];
}

static void expect_none(struct rig *r, unsigned vp)
{
	struct chanmsg m;

	cr_assert_eq(0, take(r, vp, &m), "unexpected message type %u", m.type);
}

static void initiate(struct rig *r, uint32_t conn, uint32_t version,
		     unsigned target)
{
	struct chanmsg m = {.type = CHANMSG_INITIATE_CONTACT};

	m.u.initiate.version = version;
	m.u.initiate.target_vcpu = target;
	m.u.initiate.interrupt_page = version >= VMBUS_VERSION_V5_0 ? 2 : 0;
	m.u.initiate.monitor1 = 0x30000;
	m.u.initiate.monitor2 = 0x31000;
	post(r, conn, &m);
}

static uint8_t negotiate(struct rig *r, uint32_t conn, uint32_t version,
			 unsigned target, struct chanmsg *resp)
{
	initiate(r, conn, version, target);
	cr_assert_eq(16, take(r, target, resp));
	cr_assert_eq(CHANMSG_VERSION_RESPONSE, resp->type);
	return resp->u.version_response.supported;
}

static void post_simple(struct rig *r, uint32_t type, uint32_t relid)
{
	struct chanmsg m = {.type = type};

	m.u.chan.relid = relid;
	post(r, VMBUS_MESSAGE_CONNECTION_ID, &m);
}

/* Connected at 5.3, offers taken. */
static void connect_and_offers(struct rig *r)
{
	struct chanmsg m;

	cr_assert_eq(1, negotiate(r, 4, VMBUS_VERSION_V5_3, 0, &m));
	post_simple(r, CHANMSG_REQUESTOFFERS, 0);
	cr_assert_eq(196, take(r, 0, &m));
	cr_assert_eq(196, take(r, 0, &m));
	cr_assert(take(r, 0, &m));
	cr_assert_eq(CHANMSG_ALLOFFERS_DELIVERED, m.type);
}

/* ---- rings, as the guest sees them
 * ------------------------------------------- */

static void gpadl_header(struct rig *r, uint32_t relid, uint32_t handle,
			 uint64_t first_pfn, unsigned npages)
{
	uint8_t ranges[8 + 26 * 8];
	struct chanmsg m = {.type = CHANMSG_GPADL_HEADER};
	unsigned inhdr = npages < 26 ? npages : 26;

	cr_assert_leq(npages, 26);
	memset(ranges, 0, sizeof(ranges));
	for (unsigned i = 0; i < 4; i++)
		ranges[i] = (uint8_t)((npages * 4096u) >> (8 * i));
	for (unsigned i = 0; i < inhdr; i++) {
		uint64_t pfn = first_pfn + i;
		memcpy(ranges + 8 + 8 * i, &pfn, 8);
	}
	m.u.gpadl_header.relid = relid;
	m.u.gpadl_header.gpadl = handle;
	m.u.gpadl_header.range_buflen = (uint16_t)(8 + 8 * npages);
	m.u.gpadl_header.rangecount = 1;
	m.u.gpadl_header.ranges = ranges;
	m.u.gpadl_header.ranges_len = 8 + 8 * inhdr;
	post(r, VMBUS_MESSAGE_CONNECTION_ID, &m);
}

static uint32_t created_status(struct rig *r, uint32_t handle)
{
	struct chanmsg m;

	cr_assert(take(r, 0, &m));
	cr_assert_eq(CHANMSG_GPADL_CREATED, m.type);
	cr_assert_eq(handle, m.u.gpadl_created.gpadl);
	return m.u.gpadl_created.status;
}

static void open_chan(struct rig *r, uint32_t relid, uint32_t handle,
		      unsigned target_vp)
{
	struct chanmsg m = {.type = CHANMSG_OPENCHANNEL};

	m.u.open.relid = relid;
	m.u.open.openid = relid;
	m.u.open.gpadl = handle;
	m.u.open.target_vp = target_vp;
	m.u.open.downstream_offset = RING_PAGES;
	post(r, VMBUS_MESSAGE_CONNECTION_ID, &m);
}

static uint32_t open_status(struct rig *r)
{
	struct chanmsg m;

	cr_assert(take(r, 0, &m));
	cr_assert_eq(CHANMSG_OPENCHANNEL_RESULT, m.type);
	return m.u.open_result.status;
}

static void wr32(struct rig *r, uint64_t gpa, uint32_t v)
{
	cr_assert_eq(0, physmem_copy_to(hv_part_mem(r->p), gpa, &v, 4));
}

static uint32_t rd32(struct rig *r, uint64_t gpa)
{
	uint32_t v;

	cr_assert_eq(0, physmem_copy_from(hv_part_mem(r->p), &v, gpa, 4));
	return v;
}

/* Linux at open: headers zeroed, feature_bits = 1 on both rings. */
static void init_rings(struct rig *r, uint64_t base)
{
	static uint8_t zero[4096];

	for (unsigned i = 0; i < 2 * RING_PAGES; i++)
		physmem_copy_to(hv_part_mem(r->p), base + i * 4096ull, zero,
				4096);
	wr32(r, base + 64, 1);
	wr32(r, base + RING_PAGES * 4096ull + 64, 1);
	r->out_write = r->in_read = 0;
}

/* Ready: connected, offers, GPADL of 8 pages on relid 1, channel open. */
static void open_echo(struct rig *r)
{
	connect_and_offers(r);
	init_rings(r, RING_GPA);
	gpadl_header(r, ECHO_RELID, GPADL_HANDLE, RING_GPA >> 12,
		     2 * RING_PAGES);
	cr_assert_eq(0, created_status(r, GPADL_HANDLE));
	open_chan(r, ECHO_RELID, GPADL_HANDLE, 0);
	cr_assert_eq(0, open_status(r));
	cr_assert_eq(VMBUS_CH_OPEN, vmbus_server_chan_state(r->s, ECHO_RELID));
}

/* Copy into a ring's data area at a byte offset, wrapping. */
static void ring_put(struct rig *r, uint64_t data_gpa, uint32_t off,
		     const void *src, uint32_t len)
{
	const uint8_t *p = src;

	for (uint32_t i = 0; i < len; i++) {
		uint8_t b = p[i];
		physmem_copy_to(hv_part_mem(r->p),
				data_gpa + (off + i) % DATA_SIZE, &b, 1);
	}
}

static void ring_get(struct rig *r, uint64_t data_gpa, uint32_t off, void *dst,
		     uint32_t len)
{
	uint8_t *p = dst;

	for (uint32_t i = 0; i < len; i++)
		physmem_copy_from(hv_part_mem(r->p), &p[i],
				  data_gpa + (off + i) % DATA_SIZE, 1);
}

/* The guest writes an in-band packet into the g→h ring (§5.3) and
 * publishes write_index; returns whether it must signal (§5.5). */
static bool guest_send(struct rig *r, uint64_t base, uint64_t trans_id,
		       const void *payload, uint32_t len)
{
	uint8_t d[16] = {0};
	uint32_t len8 = (16 + len + 7) / 8, start = r->out_write;
	uint64_t trailer = (uint64_t)start << 32, zero = 0;
	uint16_t v;
	bool was_empty = rd32(r, base + 4) == start;

	v = VSP_PKT_DATA_INBAND, memcpy(d, &v, 2);
	v = 2, memcpy(d + 2, &v, 2);
	v = (uint16_t)len8, memcpy(d + 4, &v, 2);
	v = VSP_PKT_FLAG_COMPLETION, memcpy(d + 6, &v, 2);
	memcpy(d + 8, &trans_id, 8);
	ring_put(r, base + 4096, start, d, 16);
	ring_put(r, base + 4096, start + 16, payload, len);
	ring_put(r, base + 4096, start + 16 + len, &zero, len8 * 8 - 16 - len);
	ring_put(r, base + 4096, start + len8 * 8, &trailer, 8);
	r->out_write = (start + len8 * 8 + 8) % DATA_SIZE;
	wr32(r, base, r->out_write);
	return was_empty && rd32(r, base + 8) == 0;
}

static void guest_signal(struct rig *r, uint32_t relid)
{
	cr_assert_eq(HV_STATUS_SUCCESS,
		     hv_port_signal(r->p, 0, VMBUS_CHAN_CONN_BASE | relid, 0));
}

/* The guest reads one packet from the h→g ring: its type, trans_id and
 * payload (returns payload length, -1 if the ring is empty). */
static int guest_recv(struct rig *r, uint64_t base, uint16_t *type,
		      uint64_t *trans_id, void *buf, uint32_t cap)
{
	uint64_t in = base + RING_PAGES * 4096ull;
	uint8_t d[16];
	uint16_t off8, len8;
	uint64_t trailer;
	uint32_t plen;

	if (rd32(r, in) == r->in_read)
		return -1;
	ring_get(r, in + 4096, r->in_read, d, 16);
	memcpy(type, d, 2);
	memcpy(&off8, d + 2, 2);
	memcpy(&len8, d + 4, 2);
	memcpy(trans_id, d + 8, 8);
	plen = len8 * 8u - off8 * 8u;
	cr_assert_leq(plen, cap);
	ring_get(r, in + 4096, r->in_read + off8 * 8u, buf, plen);
	ring_get(r, in + 4096, r->in_read + len8 * 8u, &trailer, 8);
	cr_assert_eq((uint64_t)r->in_read << 32, trailer);
	r->in_read = (r->in_read + len8 * 8u + 8) % DATA_SIZE;
	wr32(r, in + 4, r->in_read);
	return (int)plen;
}

static bool siefp_flag(struct rig *r, unsigned vp, unsigned flag)
{
	uint8_t b;

	physmem_copy_from(hv_part_mem(r->p), &b,
			  SIEFP_GPA(vp) + VMBUS_MESSAGE_SINT * 256 + flag / 8,
			  1);
	return (b >> (flag % 8)) & 1;
}

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

/* ---- the server's outgoing queue
 * --------------------------------------------- */

Test(server, messages_wait_in_the_server_when_the_synic_queue_is_full)
{
	struct rig r;
	struct chanmsg m;
	unsigned n = 0;

	mk(&r);
	/* 62 more VSPs: 64 offers + ALLOFFERS + the version response are
	 * one more than the slot and the SynIC's queue of 64 hold. */
	for (unsigned i = 0; i < 62; i++)
		cr_assert_gt(
		    vmbus_server_add_vsp(r.s, vsp_echo_desc(r.echo2), 0), 0);
	cr_assert_eq(-1, vmbus_server_add_vsp(r.s, vsp_echo_desc(r.echo2), 0));
	initiate(&r, 4, VMBUS_VERSION_V5_3, 0);
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	cr_assert_eq(1, vmbus_server_outq_len(r.s));
	cr_assert_eq(1, st(&r)->post_retries);
	while (take(&r, 0, &m)) {
		n++;
		if (!vmbus_server_outq_len(r.s))
			continue;
		vmbus_server_flush(r.s); /* EOM freed the slot */
	}
	cr_assert_eq(66, n);
	cr_assert_eq(CHANMSG_ALLOFFERS_DELIVERED, m.type);
	cr_assert_eq(0, st(&r)->out_dropped);
	rm(&r);
}

/* With a service parent, the server's work is queued on its vCPU and runs
 * in simulated time. */
static void mk_async(struct rig *r)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	struct hv_part_config pp = {.name = "parent",
				    .parent = true,
				    .vcpus = 1,
				    .mem_bytes = 1 << 20,
				    .weight = 100,
				    .cap_pct = 100,
				    .service = true};
	struct hv_part_config pc = {
	    .name = "child", .vcpus = 2, .mem_bytes = MEM_BYTES, .weight = 100};
	struct vmbus_server_config sc;
	struct hv_part *parent;

	memset(r, 0, sizeof(*r));
	r->q = evq_create();
	r->hv = hv_create(&hc, r->q);
	parent = hv_part_create(r->hv, &pp, NULL, NULL);
	cr_assert_not_null(parent);
	hv_part_set_runnable(parent, true);
	r->p = hv_part_create(r->hv, &pc, NULL, NULL); /* never runs */
	cr_assert_not_null(r->p);
	enable_synic(r, 0);
	enable_synic(r, 1);
	sc = (struct vmbus_server_config){.hv = r->hv, .child = r->p};
	r->s = vmbus_server_create(&sc);
	r->echo = vsp_echo_create();
	r->echo2 = vsp_echo_create();
	for (unsigned i = 0; i < VMBUS_MAX_CHANNELS; i++)
		cr_assert_gt(
		    vmbus_server_add_vsp(r->s, vsp_echo_desc(r->echo), 0), 0);
	cr_assert_eq(0, hv_start(r->hv));
}

/* Run the machine for `cycles` more simulated cycles. */
static void run_for(struct rig *r, cycles_t cycles)
{
	cycles_t end = hv_now(r->hv) + cycles;

	while (evq_pending(r->q) && evq_next_time(r->q) <= end)
		evq_run_one(r->q);
}

static unsigned run_all(struct rig *r)
{
	unsigned n = 0;

	while (n < 100000 && evq_run_one(r->q))
		n++;
	return n;
}

/* The guest EOMs its slot but posts nothing: the server's timed retry
 * delivers what it had queued. A guest that never EOMs gets a bounded
 * number of retries, and then the run can end. */
Test(server, queued_messages_are_retried_in_simulated_time)
{
	struct rig r;
	struct chanmsg m;
	unsigned n = 0;

	mk_async(&r);
	initiate(&r, 4, VMBUS_VERSION_V5_3, 0);
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	expect_none(&r, 0); /* not handled before the parent runs */
	run_for(&r, 20000);
	cr_assert_geq(hv_now(r.hv), 2 * VMBUS_COST_CTRL_MSG);
	cr_assert_eq(1, vmbus_server_outq_len(r.s));
	while (take(&r, 0, &m)) { /* each EOM frees a place */
		n++;
		run_for(&r, 200000);
	}
	cr_assert_eq(66, n);
	cr_assert_eq(CHANMSG_ALLOFFERS_DELIVERED, m.type);
	cr_assert_eq(0, st(&r)->out_dropped);
	/* Now a guest that does not EOM for long: the retries stop (the
	 * run can end), the messages stay queued. */
	post_simple(&r, CHANMSG_UNLOAD, 0);
	initiate(&r, 4, VMBUS_VERSION_V5_3, 0);
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	run_all(&r);
	cr_assert_eq(0, evq_pending(r.q), "retries ended");
	cr_assert_eq(2, vmbus_server_outq_len(r.s));
	for (n = 0; take(&r, 0, &m); n++)
		;
	cr_assert_eq(65, n); /* the slot and the SynIC's queue */
	/* Its next message (even an illegal one) flushes the rest. */
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	run_all(&r);
	cr_assert_eq(0, vmbus_server_outq_len(r.s));
	cr_assert_eq(196, take(&r, 0, &m));
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_ALLOFFERS_DELIVERED, m.type);
	expect_none(&r, 0);
	rm(&r);
}

Test(server, reset_forgets_the_session_and_reconnects)
{
	struct rig r;

	mk(&r);
	open_echo(&r);
	hv_part_reset(r.p); /* connections forgotten, RAM zeroed */
	cr_assert_eq(0, vmbus_server_reset(r.s));
	cr_assert_eq(VMBUS_DISCONNECTED, vmbus_server_state(r.s));
	cr_assert_eq(1, vsp_echo_stats(r.echo)->closes);
	cr_assert_eq(0, vmbus_server_nr_gpadls(r.s));
	enable_synic(&r, 0);
	enable_synic(&r, 1);
	open_echo(&r);
	rm(&r);
}

/* ---- seeded mutation of message sequences
 * ------------------------------------- */

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
	return *x;
}

/* A message of the Linux sequence with plausible random fields: small
 * relids, handles and VPs, GPADLs of a few pages inside or around the
 * ring area, the versions Linux tries. */
static int plausible(uint64_t *x, uint8_t *b)
{
	/* Weighted: a session goes deep before an UNLOAD ends it. */
	static const uint32_t types[] = {
	    CHANMSG_INITIATE_CONTACT, CHANMSG_REQUESTOFFERS,
	    CHANMSG_GPADL_HEADER,     CHANMSG_GPADL_HEADER,
	    CHANMSG_GPADL_BODY,	      CHANMSG_OPENCHANNEL,
	    CHANMSG_OPENCHANNEL,      CHANMSG_OPENCHANNEL,
	    CHANMSG_CLOSECHANNEL,     CHANMSG_GPADL_TEARDOWN,
	    CHANMSG_RELID_RELEASED,   CHANMSG_MODIFYCHANNEL};
	static const uint32_t vers[] = {VMBUS_VERSION_V5_3, VMBUS_VERSION_V5_0,
					VMBUS_VERSION_WIN10, 0x00060000};
	static uint8_t pfns[8 + 28 * 8];
	struct chanmsg m = {.type = types[rnd(x) % 12]};
	unsigned np = rnd(x) % 4 ? 4u << (rnd(x) % 2) : 1 + rnd(x) % 27;

	memset(pfns, 0, sizeof(pfns));
	for (unsigned i = 0; i < 27; i++) {
		uint64_t pfn = 0x40 + (rnd(x) % 20 ? i : rnd(x) % 0x200);
		memcpy(pfns + 8 + 8 * i, &pfn, 8);
	}
	if (rnd(x) % 200 == 0)
		m.type = CHANMSG_UNLOAD;
	switch (m.type) {
	case CHANMSG_INITIATE_CONTACT:
		m.u.initiate.version = vers[rnd(x) % 4];
		m.u.initiate.target_vcpu = (uint32_t)(rnd(x) % 3);
		m.u.initiate.interrupt_page = 2;
		break;
	case CHANMSG_GPADL_HEADER: {
		uint32_t total = (uint32_t)(np + (rnd(x) % 4 ? 0 : rnd(x) % 3));
		uint32_t bc = total * 4096;

		memcpy(pfns, &bc, 4);
		m.u.gpadl_header.relid = (uint32_t)(rnd(x) % 4);
		m.u.gpadl_header.gpadl = (uint32_t)(rnd(x) % 4);
		m.u.gpadl_header.rangecount = 1;
		m.u.gpadl_header.range_buflen = (uint16_t)(8 + 8 * total);
		m.u.gpadl_header.ranges = pfns;
		m.u.gpadl_header.ranges_len = 8 + 8 * (np < 26 ? np : 26);
		break;
	}
	case CHANMSG_GPADL_BODY:
		m.u.gpadl_body.gpadl = (uint32_t)(rnd(x) % 4);
		m.u.gpadl_body.pfns = pfns + 8;
		m.u.gpadl_body.pfns_len = 8 * (uint32_t)(1 + rnd(x) % 3);
		break;
	case CHANMSG_OPENCHANNEL:
		m.u.open.relid = m.u.open.openid = (uint32_t)(rnd(x) % 4);
		m.u.open.gpadl = (uint32_t)(rnd(x) % 4);
		m.u.open.target_vp = (uint32_t)(rnd(x) % 3);
		m.u.open.downstream_offset =
		    (uint32_t)(rnd(x) % 4 ? 2u << (rnd(x) % 2) : rnd(x) % 6);
		break;
	case CHANMSG_GPADL_TEARDOWN:
		m.u.gpadl_teardown.relid = (uint32_t)(rnd(x) % 4);
		m.u.gpadl_teardown.gpadl = (uint32_t)(rnd(x) % 4);
		break;
	case CHANMSG_MODIFYCHANNEL:
		m.u.modify.relid = (uint32_t)(rnd(x) % 4);
		m.u.modify.target_vp = (uint32_t)(rnd(x) % 3);
		break;
	default:
		m.u.chan.relid = (uint32_t)(rnd(x) % 4);
	}
	return chanmsg_encode(&m, b, VMBUS_MSG_MAX);
}

/* Messages of the Linux sequence with random fields, random byte flips
 * and lengths, on connection 1 or 4; the guest also scribbles on its ring
 * pages and signals the channels. The server must never crash, keep its
 * invariants, and never write guest RAM outside the SIMP/SIEFP pages and
 * the pages the GPADLs may name (0x40..0x7F, 0x240 wraps are outside
 * RAM). The rest of RAM above 0x80000 is a canary. */
Test(server, seeded_mutations_never_crash)
{
	struct rig r;
	uint64_t x = 0x243F6A8885A308D3ull;
	static uint8_t canary[0x80000], now[0x80000];

	mk(&r);
	memset(canary, 0xC5, sizeof(canary));
	physmem_copy_to(hv_part_mem(r.p), 0x80000, canary, sizeof(canary));
	for (int i = 0; i < 20000; i++) {
		uint8_t b[VMBUS_MSG_MAX];
		struct chanmsg m;
		int n = plausible(&x, b);
		unsigned len = (unsigned)n;

		cr_assert_gt(n, 0);
		if (rnd(&x) % 8 == 0)
			len = (unsigned)(rnd(&x) % (VMBUS_MSG_MAX + 1));
		if (rnd(&x) % 8 == 0)
			b[rnd(&x) % VMBUS_MSG_MAX] ^= (uint8_t)rnd(&x);
		post_raw(&r, rnd(&x) % 3 == 0 ? 4 : 1, b, len);
		if (rnd(&x) % 3 == 0) {
			uint32_t v = (uint32_t)rnd(&x);
			uint64_t gpa = 0x40000 + (rnd(&x) % 12) * 4096;

			/* Mostly plausible packets at ring offsets. */
			wr32(&r, gpa + (rnd(&x) % 4) * 4,
			     rnd(&x) % 2 ? v & 0x1FF8 : v);
			hv_port_signal(r.p, 0,
				       VMBUS_CHAN_CONN_BASE | (1 + rnd(&x) % 2),
				       0);
		}
		while (take(&r, (unsigned)(rnd(&x) % 2), &m))
			;
		cr_assert_lt(vmbus_server_state(r.s), VMBUS_NR_CONN_STATES);
		cr_assert_leq(vmbus_server_nr_gpadls(r.s), VMBUS_MAX_GPADLS);
	}
	physmem_copy_from(hv_part_mem(r.p), now, 0x80000, sizeof(now));
	cr_assert_arr_eq(canary, now, sizeof(now));
	cr_assert_gt(st(&r)->msgs_in, 15000);
	cr_assert_gt(st(&r)->refused_total, 100);
	/* Deep enough: channels were opened and packets read. */
	cr_assert_gt(
	    vsp_echo_stats(r.echo)->opens + vsp_echo_stats(r.echo2)->opens, 10);
	cr_assert_gt(st(&r)->events, 100);
	rm(&r);
}

/* ---- signalling rules (§5.5)
 * -------------------------------------------------- */

/* The guest masks its inbound ring: completions do not signal it. It
 * waits for room with pending_send_sz in its outbound ring: the host's
 * read that frees that much signals it, once. */
Test(server, interrupt_mask_and_pending_send_size_are_honoured)
{
	struct rig r;
	uint8_t b[1000] = {0};
	uint64_t in_hdr = RING_GPA + RING_PAGES * 4096ull;
	uint64_t sig0;

	mk(&r);
	open_echo(&r);
	wr32(&r, in_hdr + 8, 1); /* interrupt_mask of the h→g ring */
	sig0 = st(&r)->signals;
	for (unsigned i = 0; i < 3; i++)
		guest_send(&r, RING_GPA, i, b, sizeof(b));
	guest_signal(&r, 1);
	cr_assert_eq(3, vsp_echo_stats(r.echo)->echoed);
	cr_assert_eq(sig0, st(&r)->signals, "masked: no signal");
	/* Now the guest's outbound ring: 4 packets of 1016 + 8 bytes
	 * written (free 8 KiB of 12); it wants more than 8 KiB free. */
	for (unsigned i = 0; i < 4; i++)
		guest_send(&r, RING_GPA, 10 + i, b, sizeof(b));
	wr32(&r, RING_GPA + 12, 8192);
	guest_signal(&r, 1);
	cr_assert_eq(7, vsp_echo_stats(r.echo)->packets);
	cr_assert_eq(sig0 + 1, st(&r)->signals,
		     "one signal when the free space crossed 8 KiB");
	rm(&r);
}

/* ---- traces
 * -------------------------------------------------------------------- */

static unsigned count_kind(const char *path, unsigned kind, uint64_t arg1)
{
	char err[200];
	struct trace_reader *tr = trace_reader_open(path, err, sizeof(err));
	struct trace_rec rec;
	unsigned n = 0;

	cr_assert_not_null(tr, "%s", err);
	while (trace_reader_next(tr, &rec) == 1)
		if (rec.kind == kind && rec.arg1 == arg1)
			n++;
	trace_reader_close(tr);
	return n;
}

Test(server, steps_and_refusals_are_traced)
{
	struct rig r;
	struct vmbus_server_config sc;
	struct trace_info ti = {.freq_hz = 2500000000ull, .nr_parts = 1};
	const char *names[] = {"child"};
	char path[] = "/tmp/hvsim_test_server_XXXXXX", err[200];
	struct chanmsg m;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	ti.part_names = names;
	mk(&r);
	vmbus_server_destroy(r.s);
	sc = (struct vmbus_server_config){.hv = r.hv, .child = r.p};
	sc.trace = trace_open(path, &ti, err, sizeof(err));
	cr_assert_not_null(sc.trace, "%s", err);
	r.s = vmbus_server_create(&sc);
	cr_assert_eq(1, vmbus_server_add_vsp(r.s, vsp_echo_desc(r.echo), 0));
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0); /* illegal: refused */
	cr_assert_eq(1, negotiate(&r, 4, VMBUS_VERSION_V5_3, 0, &m));
	vmbus_server_destroy(r.s);
	r.s = NULL;
	cr_assert_eq(0, trace_close(sc.trace, err, sizeof(err)), "%s", err);
	cr_assert_eq(1, count_kind(path, TK_VMBUS_REFUSED,
				   VMBUS_REF_CONN_STATE));
	cr_assert_eq(1, count_kind(path, TK_VMBUS_NEGOTIATE_VERSION, 0));
	cr_assert_eq(1, count_kind(path, TK_VMBUS_ONVERSION_RESPONSE, 0));
	unlink(path);
	sc.trace = NULL;
	r.s = vmbus_server_create(&sc); /* for rm */
	rm(&r);
}

/* ---- the VM Worker's wiring (partitions/vm_worker.c)
 * --------------------------- */

/* A worker for a child (or the parent), its server in r->s. */
static struct vm_worker *mk_worker(struct rig *r, bool parent, bool testdev,
				   const char *disk)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	struct vm_settings vs = {
	    .part = {.hv = {.name = parent ? "parent" : "child",
			    .parent = parent,
			    .vcpus = 2,
			    .mem_bytes = MEM_BYTES,
			    .weight = 100},
		     .testdev = testdev},
	    .disk = {.path = disk}};
	struct vm_worker *w;
	int status = 0;

	memset(r, 0, sizeof(*r));
	r->q = evq_create();
	r->hv = hv_create(&hc, r->q);
	w = vm_worker_create(r->hv, &vs, NULL, &status);
	cr_assert_not_null(w, "status %d", status);
	r->p = partition_hv(vm_worker_partition(w));
	r->s = vm_worker_vmbus(w);
	if (!parent) {
		enable_synic(r, 0);
		enable_synic(r, 1);
	}
	return w;
}

static void rm_worker(struct rig *r, struct vm_worker *w)
{
	vm_worker_destroy(w);
	hv_destroy(r->hv);
	evq_destroy(r->q);
}

Test(server, a_child_worker_runs_a_server_offering_echo_with_testdev)
{
	struct rig r;
	struct chanmsg m;
	struct vm_worker *w = mk_worker(&r, false, true, NULL);
	char err[100];

	cr_assert_not_null(r.s);
	cr_assert_eq(1, negotiate(&r, 4, VMBUS_VERSION_V5_3, 0, &m));
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	cr_assert_eq(196, take(&r, 0, &m));
	cr_assert_arr_eq(vsp_echo_if_type, m.u.offer.if_type, 16);
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_ALLOFFERS_DELIVERED, m.type);
	/* A reset forgets the session; the server answers again. */
	cr_assert_eq(0, vm_worker_reset(w, err, sizeof(err)), "%s", err);
	cr_assert_eq(VMBUS_DISCONNECTED, vmbus_server_state(r.s));
	enable_synic(&r, 0);
	cr_assert_eq(1, negotiate(&r, 4, VMBUS_VERSION_V5_3, 0, &m));
	rm_worker(&r, w);
}

Test(server, no_testdev_no_offers_and_no_server_for_the_parent)
{
	struct rig r;
	struct chanmsg m;
	struct vm_worker *w = mk_worker(&r, false, false, NULL);

	cr_assert_eq(1, negotiate(&r, 4, VMBUS_VERSION_V5_3, 0, &m));
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	cr_assert(take(&r, 0, &m));
	cr_assert_eq(CHANMSG_ALLOFFERS_DELIVERED, m.type);
	rm_worker(&r, w);
	w = mk_worker(&r, true, true, NULL);
	cr_assert_null(r.s);
	rm_worker(&r, w);
}

Test(server, a_child_with_a_disk_gets_a_scsi_controller_offer)
{
	static const uint8_t scsi[16] = {0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04,
					 0x29, 0x4d, 0xb6, 0x05, 0x72, 0xe2,
					 0xff, 0xb1, 0xdc, 0x7f};
	char path[] = "/tmp/hvsim_test_server_disk_XXXXXX";
	int fd = mkstemp(path);
	struct rig r;
	struct chanmsg m;
	struct vm_worker *w;

	cr_assert_geq(fd, 0);
	cr_assert_eq(0, ftruncate(fd, 1 << 20));
	close(fd);
	w = mk_worker(&r, false, true, path);
	cr_assert_eq(1, negotiate(&r, 4, VMBUS_VERSION_V5_3, 0, &m));
	post_simple(&r, CHANMSG_REQUESTOFFERS, 0);
	cr_assert_eq(196, take(&r, 0, &m));
	cr_assert_arr_eq(scsi, m.u.offer.if_type, 16);
	cr_assert_eq(196, take(&r, 0, &m));
	cr_assert_arr_eq(vsp_echo_if_type, m.u.offer.if_type, 16);
	rm_worker(&r, w);
	unlink(path);
}

Test(server, a_missing_disk_image_fails_the_worker)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	struct vm_settings vs = {
	    .part = {.hv = {.name = "c",
			    .vcpus = 1,
			    .mem_bytes = MEM_BYTES,
			    .weight = 100}},
	    .disk = {.path = "/nonexistent/hvsim/disk.img"}};
	struct evq *q = evq_create();
	struct hv *hv = hv_create(&hc, q);
	int status = 0;

	cr_assert_null(vm_worker_create(hv, &vs, NULL, &status));
	cr_assert_neq(0, status);
	hv_destroy(hv);
	evq_destroy(q);
}
