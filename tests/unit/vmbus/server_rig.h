/*
 * tests/unit/vmbus/server_rig.h — the rig of the VMBus server tests
 * (test_server.c, test_server_queue.c): a real hypervisor with a child
 * partition whose SynIC is enabled as a guest's WRMSRs would, messages
 * posted as its HvPostMessage does, answers read from the SIMP slot of
 * SINT 2, and rings built in the child's RAM by hand as Linux lays them
 * out (vmbus.md §5). With no parent partition, parent work runs at once.
 */
#ifndef HVSIM_TESTS_VMBUS_SERVER_RIG_H_
#define HVSIM_TESTS_VMBUS_SERVER_RIG_H_

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

static inline void wrmsr(struct rig *r, unsigned vp, uint32_t msr, uint64_t v)
{
	cr_assert_eq(0, hv_msr_write(&r->p->vp[vp], msr, v), "msr %#x", msr);
}

static inline void enable_synic(struct rig *r, unsigned vp)
{
	wrmsr(r, vp, HV_MSR_SIMP, SIMP_GPA(vp) | HV_MSR_ENABLE);
	wrmsr(r, vp, HV_MSR_SIEFP, SIEFP_GPA(vp) | HV_MSR_ENABLE);
	wrmsr(r, vp, HV_MSR_SINT0 + VMBUS_MESSAGE_SINT, 0xF3);
	wrmsr(r, vp, HV_MSR_SCONTROL, 1);
}

static inline void mk(struct rig *r)
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

static inline void rm(struct rig *r)
{
	vmbus_server_destroy(r->s);
	vsp_echo_destroy(r->echo);
	vsp_echo_destroy(r->echo2);
	hv_destroy(r->hv);
	evq_destroy(r->q);
}

static inline const struct vmbus_server_stats *st(struct rig *r)
{
	return vmbus_server_stats(r->s);
}

/* ---- messages
 * ---------------------------------------------------------------- */

static inline unsigned post_raw(struct rig *r, uint32_t conn, const void *b,
			 unsigned len)
{
	return hv_port_post(r->p, 0, conn, VMBUS_MESSAGE_TYPE, b, len);
}

static inline void post(struct rig *r, uint32_t conn, const struct chanmsg *m)
{
	uint8_t b[VMBUS_MSG_MAX];
	int n = chanmsg_encode(m, b, sizeof(b));

	cr_assert_gt(n, 0);
	cr_assert_eq(HV_STATUS_SUCCESS, post_raw(r, conn, b, (unsigned)n));
}

/* The message in SINT 2's slot of vCPU vp, if any (then EOM). Returns
 * the payload size, 0 if the slot is empty. */
static inline unsigned take(struct rig *r, unsigned vp, struct chanmsg *m)
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

static inline void expect_none(struct rig *r, unsigned vp)
{
	struct chanmsg m;

	cr_assert_eq(0, take(r, vp, &m), "unexpected message type %u", m.type);
}

static inline void initiate(struct rig *r, uint32_t conn, uint32_t version,
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

static inline uint8_t negotiate(struct rig *r, uint32_t conn, uint32_t version,
			 unsigned target, struct chanmsg *resp)
{
	initiate(r, conn, version, target);
	cr_assert_eq(16, take(r, target, resp));
	cr_assert_eq(CHANMSG_VERSION_RESPONSE, resp->type);
	return resp->u.version_response.supported;
}

static inline void post_simple(struct rig *r, uint32_t type, uint32_t relid)
{
	struct chanmsg m = {.type = type};

	m.u.chan.relid = relid;
	post(r, VMBUS_MESSAGE_CONNECTION_ID, &m);
}

/* Connected at 5.3, offers taken. */
static inline void connect_and_offers(struct rig *r)
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

static inline void gpadl_header(struct rig *r, uint32_t relid, uint32_t handle,
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

static inline uint32_t created_status(struct rig *r, uint32_t handle)
{
	struct chanmsg m;

	cr_assert(take(r, 0, &m));
	cr_assert_eq(CHANMSG_GPADL_CREATED, m.type);
	cr_assert_eq(handle, m.u.gpadl_created.gpadl);
	return m.u.gpadl_created.status;
}

static inline void open_chan(struct rig *r, uint32_t relid, uint32_t handle,
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

static inline uint32_t open_status(struct rig *r)
{
	struct chanmsg m;

	cr_assert(take(r, 0, &m));
	cr_assert_eq(CHANMSG_OPENCHANNEL_RESULT, m.type);
	return m.u.open_result.status;
}

static inline void wr32(struct rig *r, uint64_t gpa, uint32_t v)
{
	cr_assert_eq(0, physmem_copy_to(hv_part_mem(r->p), gpa, &v, 4));
}

static inline uint32_t rd32(struct rig *r, uint64_t gpa)
{
	uint32_t v;

	cr_assert_eq(0, physmem_copy_from(hv_part_mem(r->p), &v, gpa, 4));
	return v;
}

/* Linux at open: headers zeroed, feature_bits = 1 on both rings. */
static inline void init_rings(struct rig *r, uint64_t base)
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
static inline void open_echo(struct rig *r)
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
static inline void ring_put(struct rig *r, uint64_t data_gpa, uint32_t off,
		     const void *src, uint32_t len)
{
	const uint8_t *p = src;

	for (uint32_t i = 0; i < len; i++) {
		uint8_t b = p[i];
		physmem_copy_to(hv_part_mem(r->p),
				data_gpa + (off + i) % DATA_SIZE, &b, 1);
	}
}

static inline void ring_get(struct rig *r, uint64_t data_gpa, uint32_t off, void *dst,
		     uint32_t len)
{
	uint8_t *p = dst;

	for (uint32_t i = 0; i < len; i++)
		physmem_copy_from(hv_part_mem(r->p), &p[i],
				  data_gpa + (off + i) % DATA_SIZE, 1);
}

/* The guest writes an in-band packet into the g→h ring (§5.3) and
 * publishes write_index; returns whether it must signal (§5.5). */
static inline bool guest_send(struct rig *r, uint64_t base, uint64_t trans_id,
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

static inline void guest_signal(struct rig *r, uint32_t relid)
{
	cr_assert_eq(HV_STATUS_SUCCESS,
		     hv_port_signal(r->p, 0, VMBUS_CHAN_CONN_BASE | relid, 0));
}

/* The guest reads one packet from the h→g ring: its type, trans_id and
 * payload (returns payload length, -1 if the ring is empty). */
static inline int guest_recv(struct rig *r, uint64_t base, uint16_t *type,
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

static inline bool siefp_flag(struct rig *r, unsigned vp, unsigned flag)
{
	uint8_t b;

	physmem_copy_from(hv_part_mem(r->p), &b,
			  SIEFP_GPA(vp) + VMBUS_MESSAGE_SINT * 256 + flag / 8,
			  1);
	return (b >> (flag % 8)) & 1;
}


#endif
