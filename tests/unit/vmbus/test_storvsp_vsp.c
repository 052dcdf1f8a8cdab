/*
 * tests/unit/vmbus/test_storvsp_vsp.c — the storage VSP on the real VMBus
 * server and hypervisor (vmbus/storvsp_vsp.c over vmbus/server.c, vsp.c,
 * ring.c): a child whose SynIC is enabled as a guest would, channel
 * management messages posted through its connections, rings laid out in
 * its RAM by hand as Linux's storvsc does (vmbus.md §5, §6.3), and a disk
 * image on the host.
 *
 * Scenarios: the SCSI offer; Linux's init exchange and I/O through real
 * rings (each completion an 80-byte type-0xB packet echoing the trans_id),
 * data in the image after a clean stop; a child that never drains its
 * ring (completions wait, none lost, none written past the ring); and two
 * children, one misbehaving, each with its own disk, the other served.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices/disk.h"
#include "hv/hv_int.h"
#include "hv/hvdefs.h"
#include "hv/hvmsr.h"
#include "hv/port.h"
#include "mmu/mmu.h"
#include "sim/evq.h"
#include "vmbus/chanmsg.h"
#include "vmbus/scsi.h"
#include "vmbus/server.h"
#include "vmbus/storvsp.h"

#define SIMP_GPA   0x10000ull
#define SIEFP_GPA  0x11000ull
#define RING_GPA   0x40000ull /* 2 pages g→h + 2 pages h→g */
#define RING_PAGES 2u
#define DATA_SIZE  ((RING_PAGES - 1) * 4096u)
#define BUF_GPA	   0x80000ull /* I/O buffers */
#define GPADL	   0x5100u
#define INIT_TID   0xFFFFFFFFFFFFFFFDull

struct child {
	struct hv_part *p;
	struct vmbus_server *s;
	struct storvsp_dev *dev;
	struct scsi_lun *lun;
	struct disk *disk;
	char img[64];
	uint32_t out_write, in_read;
};

static struct evq *q;
static struct hv *hv;
static bool timed; /* a parent service partition runs the work */
static cycles_t disk_latency = 20000;
static struct hv_part *parent;

/* With a service partition, parent work runs in its slices: let the
 * machine run for `cycles` more. */
static void run_for(cycles_t cycles)
{
	if (timed)
		evq_run_until(q, evq_now(q) + cycles);
}

static void rig_up(void)
{
	struct hv_config hc = {.pcpus = 1, .quantum = 100000};
	q = evq_create();
	hv = hv_create(&hc, q);
	cr_assert_not_null(hv);
}

static void wrmsr(struct child *c, uint32_t msr, uint64_t v)
{
	cr_assert_eq(0, hv_msr_write(&c->p->vp[0], msr, v), "msr %#x", msr);
}

static void child_up(struct child *c, const char *name)
{
	struct hv_part_config pc = {
	    .name = name, .vcpus = 1, .mem_bytes = 1u << 20, .weight = 100};
	memset(c, 0, sizeof(*c));
	c->p = hv_part_create(hv, &pc, NULL, NULL);
	cr_assert_not_null(c->p);
	wrmsr(c, HV_MSR_SIMP, SIMP_GPA | HV_MSR_ENABLE);
	wrmsr(c, HV_MSR_SIEFP, SIEFP_GPA | HV_MSR_ENABLE);
	wrmsr(c, HV_MSR_SINT0 + VMBUS_MESSAGE_SINT, 0xF3);
	wrmsr(c, HV_MSR_SCONTROL, 1);

	snprintf(c->img, sizeof(c->img), "/tmp/hvsim_stvsp_XXXXXX");
	int fd = mkstemp(c->img);
	cr_assert_geq(fd, 0);
	cr_assert_eq(0, ftruncate(fd, 1 << 20));
	close(fd);
	struct disk_config dc = {.path = c->img, .latency = disk_latency};
	char err[128];
	c->disk = disk_open(&dc, err, sizeof(err));
	cr_assert_not_null(c->disk, "%s", err);
	c->lun = scsi_lun_create(c->disk, NULL);
	struct storvsp_config sc = {.lun = c->lun};
	uint8_t inst[16] = {0x11, 0x22, 0x33, 0x44};
	c->dev = storvsp_dev_create(&sc, inst);
	cr_assert_not_null(c->dev);
	struct vmbus_server_config vc = {.hv = hv, .child = c->p};
	c->s = vmbus_server_create(&vc);
	cr_assert_not_null(c->s);
	cr_assert_eq(1,
		     vmbus_server_add_vsp(c->s, storvsp_dev_desc(c->dev), 0));
}

static void child_down(struct child *c)
{
	if (c->s)
		vmbus_server_destroy(c->s);
	storvsp_dev_destroy(c->dev);
	scsi_lun_destroy(c->lun);
	disk_close(c->disk);
	unlink(c->img);
}

static void rig_down(void)
{
	hv_destroy(hv);
	evq_destroy(q);
}

/* ---- channel management, as the guest does it ---------------------------- */

static void post(struct child *c, uint32_t conn, const struct chanmsg *m)
{
	uint8_t b[VMBUS_MSG_MAX];
	int n = chanmsg_encode(m, b, sizeof(b));
	cr_assert_gt(n, 0);
	cr_assert_eq(
	    HV_STATUS_SUCCESS,
	    hv_port_post(c->p, 0, conn, VMBUS_MESSAGE_TYPE, b, (unsigned)n));
}

static unsigned take(struct child *c, struct chanmsg *m)
{
	struct physmem *pm = hv_part_mem(c->p);
	uint64_t slot = SIMP_GPA + VMBUS_MESSAGE_SINT * HV_MESSAGE_SIZE;
	static uint8_t b[HV_MESSAGE_SIZE];
	uint32_t type, zero = 0;
	run_for(1000000);
	cr_assert_eq(0, physmem_copy_from(pm, b, slot, sizeof(b)));
	memcpy(&type, b, 4);
	if (type == 0)
		return 0;
	cr_assert_eq(CHANMSG_OK, chanmsg_decode(b + 16, b[4], m));
	cr_assert_eq(0, physmem_copy_to(pm, slot, &zero, 4));
	wrmsr(c, HV_MSR_EOM, 0);
	return b[4];
}

static void wr32(struct child *c, uint64_t gpa, uint32_t v)
{
	cr_assert_eq(0, physmem_copy_to(hv_part_mem(c->p), gpa, &v, 4));
}

static uint32_t rd32(struct child *c, uint64_t gpa)
{
	uint32_t v;
	cr_assert_eq(0, physmem_copy_from(hv_part_mem(c->p), &v, gpa, 4));
	return v;
}

/* Connect at 5.3, take the offer, GPADL the rings, open: Linux's path. */
static void open_storage(struct child *c, struct chanmsg *offer)
{
	struct chanmsg m = {.type = CHANMSG_INITIATE_CONTACT};
	m.u.initiate.version = VMBUS_VERSION_V5_3;
	m.u.initiate.interrupt_page = VMBUS_MESSAGE_SINT;
	post(c, VMBUS_MESSAGE_CONNECTION_ID_4, &m);
	cr_assert(take(c, &m));
	cr_assert_eq(1, m.u.version_response.supported);
	m = (struct chanmsg){.type = CHANMSG_REQUESTOFFERS};
	post(c, VMBUS_MESSAGE_CONNECTION_ID, &m);
	cr_assert_eq(CHANMSG_OFFER_SIZE, take(c, offer));
	cr_assert(take(c, &m));
	cr_assert_eq(CHANMSG_ALLOFFERS_DELIVERED, m.type);

	static uint8_t zero[4096];
	for (unsigned i = 0; i < 2 * RING_PAGES; i++)
		physmem_copy_to(hv_part_mem(c->p), RING_GPA + i * 4096ull, zero,
				4096);
	wr32(c, RING_GPA + 64, 1);
	wr32(c, RING_GPA + RING_PAGES * 4096 + 64, 1);

	uint8_t ranges[8 + 8 * 2 * RING_PAGES];
	uint32_t bytes = 2 * RING_PAGES * 4096;
	memcpy(ranges, &bytes, 4);
	memset(ranges + 4, 0, 4);
	for (unsigned i = 0; i < 2 * RING_PAGES; i++) {
		uint64_t pfn = (RING_GPA >> 12) + i;
		memcpy(ranges + 8 + 8 * i, &pfn, 8);
	}
	m = (struct chanmsg){.type = CHANMSG_GPADL_HEADER};
	m.u.gpadl_header.relid = 1;
	m.u.gpadl_header.gpadl = GPADL;
	m.u.gpadl_header.range_buflen = sizeof(ranges);
	m.u.gpadl_header.rangecount = 1;
	m.u.gpadl_header.ranges = ranges;
	m.u.gpadl_header.ranges_len = sizeof(ranges);
	post(c, VMBUS_MESSAGE_CONNECTION_ID, &m);
	cr_assert(take(c, &m));
	cr_assert_eq(CHANMSG_GPADL_CREATED, m.type);
	cr_assert_eq(0, m.u.gpadl_created.status);

	m = (struct chanmsg){.type = CHANMSG_OPENCHANNEL};
	m.u.open.relid = 1;
	m.u.open.openid = 1;
	m.u.open.gpadl = GPADL;
	m.u.open.downstream_offset = RING_PAGES;
	post(c, VMBUS_MESSAGE_CONNECTION_ID, &m);
	cr_assert(take(c, &m));
	cr_assert_eq(CHANMSG_OPENCHANNEL_RESULT, m.type);
	cr_assert_eq(0, m.u.open_result.status);
	c->out_write = c->in_read = 0;
}

/* ---- rings, as storvsc uses them ---------------------------------------- */

static void ring_io(struct child *c, uint64_t data, uint32_t off, void *p,
		    uint32_t len, bool put)
{
	uint8_t *b = p;
	for (uint32_t i = 0; i < len; i++) {
		uint64_t gpa = data + (off + i) % DATA_SIZE;
		if (put)
			physmem_copy_to(hv_part_mem(c->p), gpa, &b[i], 1);
		else
			physmem_copy_from(hv_part_mem(c->p), &b[i], gpa, 1);
	}
}

/* Write a packet (descriptor built here, `hdr` = type-specific header)
 * and signal the host on empty → non-empty (§5.5). */
static void guest_send(struct child *c, uint16_t type, uint64_t tid,
		       const void *hdr, uint32_t hdr_len, const uint8_t *vp,
		       uint32_t vp_len)
{
	uint8_t pkt[512] = {0};
	uint32_t off8 = (16 + hdr_len) / 8;
	uint32_t len8 = off8 + (vp_len + 7) / 8, start = c->out_write;
	uint16_t v[4] = {type, (uint16_t)off8, (uint16_t)len8, 1};
	memcpy(pkt, v, 8);
	memcpy(pkt + 8, &tid, 8);
	if (hdr_len)
		memcpy(pkt + 16, hdr, hdr_len);
	memcpy(pkt + off8 * 8, vp, vp_len);
	uint64_t trailer = (uint64_t)start << 32;
	memcpy(pkt + len8 * 8, &trailer, 8);
	bool was_empty = rd32(c, RING_GPA + 4) == start;
	ring_io(c, RING_GPA + 4096, start, pkt, len8 * 8 + 8, true);
	c->out_write = (start + len8 * 8 + 8) % DATA_SIZE;
	wr32(c, RING_GPA, c->out_write);
	if (was_empty && rd32(c, RING_GPA + 8) == 0)
		cr_assert_eq(
		    HV_STATUS_SUCCESS,
		    hv_port_signal(c->p, 0, VMBUS_CHAN_CONN_BASE | 1, 0));
}

/* Read one completion: returns its total length (-1 if none). */
static int guest_recv(struct child *c, uint64_t *tid, uint8_t *vp)
{
	uint64_t in = RING_GPA + RING_PAGES * 4096ull;
	run_for(1000000);
	if (rd32(c, in) == c->in_read)
		return -1;
	uint8_t d[16];
	ring_io(c, in + 4096, c->in_read, d, 16, false);
	uint16_t type, off8, len8;
	memcpy(&type, d, 2);
	memcpy(&off8, d + 2, 2);
	memcpy(&len8, d + 4, 2);
	memcpy(tid, d + 8, 8);
	cr_assert_eq(0xB, type, "a completion");
	cr_assert_eq(2, off8);
	cr_assert_eq(10, len8, "80 bytes: storvsc's max_pkt_size");
	ring_io(c, in + 4096, c->in_read + 16, vp, 64, false);
	c->in_read = (c->in_read + 88) % DATA_SIZE;
	wr32(c, in + 4, c->in_read);
	return 80;
}

static uint32_t le32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static void vstor_op(uint8_t *vp, uint32_t op, uint16_t version)
{
	memset(vp, 0, 64);
	memcpy(vp, &op, 4);
	vp[4] = 1;
	memcpy(vp + 12, &version, 2);
}

static void init_storage(struct child *c)
{
	static const uint32_t ops[] = {
	    STORVSP_OP_BEGIN_INIT, STORVSP_OP_QUERY_PROTOCOL,
	    STORVSP_OP_QUERY_PROPERTIES, STORVSP_OP_END_INIT};
	uint8_t vp[64];
	uint64_t tid;
	for (unsigned i = 0; i < 4; i++) {
		vstor_op(vp, ops[i], 0x0602);
		guest_send(c, 6, INIT_TID, NULL, 0, vp, i < 2 ? 48 : 64);
		cr_assert_eq(80, guest_recv(c, &tid, vp), "op %u", ops[i]);
		cr_assert_eq(INIT_TID, tid);
		cr_assert_eq(STORVSP_OP_COMPLETE_IO, le32(vp));
		cr_assert_eq(0, le32(vp + 8), "status of op %u", ops[i]);
	}
	cr_assert_eq(STORVSP_READY, storvsp_state(storvsp_dev_core(c->dev)));
}

static void srb(uint8_t *vp, const uint8_t *cdb, uint8_t n, uint8_t dir,
		uint32_t xfer)
{
	vstor_op(vp, STORVSP_OP_EXECUTE_SRB, 0);
	vp[12] = 0x34;
	vp[12 + 8] = n;
	vp[12 + 9] = 0x14;
	vp[12 + 10] = dir;
	memcpy(vp + 12 + 12, &xfer, 4);
	memcpy(vp + 12 + 16, cdb, n);
}

/* An SRB with data in `npages` pages from BUF_GPA (GPA direct). */
static void send_srb_data(struct child *c, uint64_t tid, const uint8_t *cdb,
			  uint8_t dir, uint32_t xfer, uint64_t buf_gpa)
{
	uint8_t vp[64], hdr[16 + 8 * 8] = {0};
	uint32_t npfn = (xfer + 4095) / 4096, one = 1;
	srb(vp, cdb, 10, dir, xfer);
	memcpy(hdr + 4, &one, 4);
	memcpy(hdr + 8, &xfer, 4);
	for (uint32_t i = 0; i < npfn; i++) {
		uint64_t pfn = (buf_gpa >> 12) + i;
		memcpy(hdr + 16 + 8 * i, &pfn, 8);
	}
	guest_send(c, 9, tid, hdr, 16 + 8 * npfn, vp, 64);
}

static void cdb10(uint8_t *cdb, uint8_t op, uint32_t lba, uint16_t n)
{
	memset(cdb, 0, 10);
	cdb[0] = op;
	cdb[2] = (uint8_t)(lba >> 24);
	cdb[3] = (uint8_t)(lba >> 16);
	cdb[4] = (uint8_t)(lba >> 8);
	cdb[5] = (uint8_t)lba;
	cdb[7] = (uint8_t)(n >> 8);
	cdb[8] = (uint8_t)n;
}

/* ---- tests ----------------------------------------------------------------
 */

TestSuite(storvsp_vsp, .init = rig_up, .fini = rig_down);

Test(storvsp_vsp, offer_is_a_scsi_controller)
{
	struct child c;
	struct chanmsg offer;
	child_up(&c, "child");
	open_storage(&c, &offer);
	static const uint8_t scsi[16] = {0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04,
					 0x29, 0x4d, 0xb6, 0x05, 0x72, 0xe2,
					 0xff, 0xb1, 0xdc, 0x7f};
	cr_assert_arr_eq(scsi, offer.u.offer.if_type, 16);
	cr_assert_eq(0x11, offer.u.offer.if_instance[0]);
	child_down(&c);
}

Test(storvsp_vsp, linux_init_and_io_through_real_rings)
{
	struct child c;
	struct chanmsg offer;
	child_up(&c, "child");
	open_storage(&c, &offer);
	init_storage(&c);

	uint8_t data[8192], back[8192], cdb[10], vp[64];
	uint64_t tid;
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 29 + 7);
	physmem_copy_to(hv_part_mem(c.p), BUF_GPA, data, sizeof(data));
	cdb10(cdb, 0x2A, 8, 16);
	send_srb_data(&c, 1001, cdb, 0, sizeof(data), BUF_GPA);
	cr_assert_eq(80, guest_recv(&c, &tid, vp));
	cr_assert_eq(1001, tid);
	cr_assert_eq(STORVSP_SRB_SUCCESS, vp[12 + 2]);
	cr_assert_eq(sizeof(data), le32(vp + 12 + 12));

	cdb10(cdb, 0x28, 8, 16);
	send_srb_data(&c, 1002, cdb, 1, sizeof(back), BUF_GPA + 0x4000);
	cr_assert_eq(80, guest_recv(&c, &tid, vp));
	cr_assert_eq(1002, tid);
	physmem_copy_from(hv_part_mem(c.p), back, BUF_GPA + 0x4000,
			  sizeof(back));
	cr_assert_arr_eq(data, back, sizeof(data));

	/* A clean stop: the data is in the image file. */
	vmbus_server_destroy(c.s);
	c.s = NULL;
	cr_assert_eq(0, disk_close(c.disk));
	c.disk = NULL;
	FILE *f = fopen(c.img, "rb");
	cr_assert_not_null(f);
	fseek(f, 8 * 512, SEEK_SET);
	cr_assert_eq(sizeof(back), fread(back, 1, sizeof(back), f));
	fclose(f);
	cr_assert_arr_eq(data, back, sizeof(data));
	child_down(&c);
}

/* TEST UNIT READY n times without reading: the h→g ring (4 KiB: 46
 * completions of 88 bytes) fills, the rest wait; draining gets all. */
static unsigned flood(struct child *c, unsigned n, uint64_t first_tid)
{
	uint8_t vp[64], tur[6] = {0};
	srb(vp, tur, 6, 2, 0);
	for (unsigned i = 0; i < n; i++) {
		guest_send(c, 6, first_tid + i, NULL, 0, vp, 64);
		/* the g→h ring is small too: let the host read it */
		if ((i & 7) == 7)
			hv_port_signal(c->p, 0, VMBUS_CHAN_CONN_BASE | 1, 0);
	}
	return n;
}

Test(storvsp_vsp, child_that_never_drains_loses_nothing)
{
	struct child c;
	struct chanmsg offer;
	child_up(&c, "child");
	open_storage(&c, &offer);
	init_storage(&c);
	/* 40 at a time fit in the g→h ring (88 bytes each); send 120. */
	unsigned sent = 0;
	for (int round = 0; round < 3; round++)
		sent += flood(&c, 40, 100 + sent);
	struct storvsp_dev_stats st;
	storvsp_dev_get_stats(c.dev, &st);
	cr_assert_gt(st.pending, 0, "completions wait for ring room");
	uint64_t in = RING_GPA + RING_PAGES * 4096ull;
	uint32_t used = (rd32(&c, in) - c.in_read) % DATA_SIZE;
	cr_assert_lt(used, DATA_SIZE, "never more than the ring");

	unsigned got = 0;
	uint64_t tid, want = 100;
	uint8_t vp[64];
	for (int spins = 0; spins < 100 && got < sent; spins++) {
		while (guest_recv(&c, &tid, vp) > 0) {
			cr_assert_eq(want++, tid, "in order");
			got++;
		}
		/* storvsc would signal when pending_send_sz says so;
		 * signalling after a drain is always allowed. */
		hv_port_signal(c.p, 0, VMBUS_CHAN_CONN_BASE | 1, 0);
	}
	cr_assert_eq(sent, got);
	storvsp_dev_get_stats(c.dev, &st);
	cr_assert_eq(0, st.dropped);
	cr_assert_eq(0, st.pending);
	child_down(&c);
}

Test(storvsp_vsp, a_misbehaving_child_does_not_stop_another)
{
	struct child a, b;
	struct chanmsg offer;
	child_up(&a, "bad");
	child_up(&b, "good");
	open_storage(&a, &offer);
	open_storage(&b, &offer);
	init_storage(&a);
	init_storage(&b);
	/* a: garbage in its ring, a page outside its RAM, never drains. */
	uint8_t cdb[10];
	cdb10(cdb, 0x28, 0, 8);
	send_srb_data(&a, 7, cdb, 1, 4096, 0x7FFFF000ull << 12);
	flood(&a, 30, 1000);
	/* b still gets its I/O done. */
	uint8_t vp[64];
	uint64_t tid;
	cdb10(cdb, 0x28, 0, 8);
	send_srb_data(&b, 55, cdb, 1, 4096, BUF_GPA);
	cr_assert_eq(80, guest_recv(&b, &tid, vp));
	cr_assert_eq(55, tid);
	cr_assert_eq(STORVSP_SRB_SUCCESS, vp[12 + 2]);
	/* a's bad request was answered, not acted on. */
	cr_assert_eq(80, guest_recv(&a, &tid, vp));
	cr_assert_eq(7, tid);
	cr_assert_eq(STORVSP_SRB_INVALID_REQUEST, vp[12 + 2]);
	child_down(&a);
	child_down(&b);
}

/* ---- with the parent's vCPUs doing the work: time is modeled ------------ */

static void timed_up(void)
{
	struct hv_config hc = {.pcpus = 2, .quantum = 100000};
	struct hv_part_config pc = {.name = "parent",
				    .parent = true,
				    .vcpus = 1,
				    .mem_bytes = 1 << 20,
				    .weight = 100,
				    .cap_pct = 100,
				    .service = true};
	q = evq_create();
	hv = hv_create(&hc, q);
	cr_assert_not_null(hv);
	parent = hv_part_create(hv, &pc, NULL, NULL);
	cr_assert_not_null(parent);
	hv_part_set_runnable(parent, true);
	cr_assert_eq(0, hv_start(hv));
	timed = true;
	disk_latency = 50000000; /* 20 ms at 2.5 GHz: unmistakable */
}

TestSuite(storvsp_vsp_timed, .init = timed_up, .fini = rig_down);

Test(storvsp_vsp_timed, completion_is_held_until_the_disk_is_done)
{
	struct child c;
	struct chanmsg offer;
	child_up(&c, "child");
	open_storage(&c, &offer);
	init_storage(&c); /* no disk access: answered within 1M cycles */

	uint8_t cdb[10], vp[64];
	uint64_t tid;
	cdb10(cdb, 0x28, 0, 8);
	cycles_t t0 = evq_now(q);
	send_srb_data(&c, 9, cdb, 1, 4096, BUF_GPA);
	timed = false; /* look without running */
	for (int i = 0; i < 40; i++) {
		evq_run_until(q, evq_now(q) + 1000000);
		cr_assert_eq(-1, guest_recv(&c, &tid, vp),
			     "completion before the disk finished (%d ms)", i);
	}
	evq_run_until(q, t0 + disk_latency + 5000000);
	cr_assert_eq(80, guest_recv(&c, &tid, vp));
	cr_assert_eq(9, tid);
	cr_assert_eq(STORVSP_SRB_SUCCESS, vp[12 + 2]);
	struct hv_vp_stats vs;
	hv_vp_stats(parent, 0, &vs);
	cr_assert_gt(vs.ring0, 0, "the VSP's work is the parent's ring 0");
	timed = true;
	child_down(&c);
}
