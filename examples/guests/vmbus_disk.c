/*
 * examples/guests/vmbus_disk.c — a storvsc-shaped VSC: the guest drives
 * the parent's SCSI VSP (vmbus/storvsp*.c) over VMBus the way Linux's
 * hv_storvsc does (../shared/reference/vmbus.md §6.2, §6.3): open with
 * 128 KiB rings (a 64-page GPADL: a header and two bodies), then
 * BEGIN_INITIALIZATION, QUERY_PROTOCOL_VERSION (6.2, 6.0, 5.1),
 * QUERY_PROPERTIES, END_INITIALIZATION with trans_id VMBUS_RQST_INIT, then
 * SCSI commands in EXECUTE_SRB packets: in-band without data, GPA-direct
 * with data. Checks INQUIRY, TEST UNIT READY, READ CAPACITY(10), a WRITE
 * (10) / READ(10) round trip of two blocks, SYNCHRONIZE CACHE and the
 * sense data of an unknown opcode; prints each command's latency.
 *
 * Needs a SCSI controller offered to the child (hvsim with a disk
 * image; the lead wires the option). Without it the guest SKIPs.
 */
#include "hyperv.h"
#include "rt.h"
#include "vmbus.h"

#define WAIT_CYCLES  500000000ull /* 200 ms: a disk answer */
#define RING_PAGES   32		  /* 128 KiB each way, as Linux */
#define RQST_INIT    0xFFFFFFFFFFFFFFFDull
#define PKT_SIZE     64
#define OP_COMPLETE  1
#define OP_SRB	     3
#define OP_BEGIN     7
#define OP_END	     8
#define OP_VERSION   9
#define OP_PROPS     10
#define REQ_COMPLETE 1 /* vstor_packet.flags: completion wanted */
#define REV_MISMATCH 0xC0000059u
#define DATA_OUT     0
#define DATA_IN	     1
#define NO_DATA	     2
#define TEST_LBA     8

/* SCSI controller ba6163d9-04a1-4d29-b605-72e2ffb1dc7f (§6.1). */
static const uint8_t scsi_if_type[16] = {
    0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04, 0x29, 0x4d,
    0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f,
};

static uint8_t rings[2 * RING_PAGES * 4096] __attribute__((aligned(4096)));
static uint8_t data[3 * 4096] __attribute__((aligned(4096)));
static uint8_t pattern[1024];
static uint8_t req[PKT_SIZE], resp[PKT_SIZE + 8];
static uint64_t next_id = 1;

/* The answer to the last request: vstor_packet fields (§6.2). */
struct answer {
	uint32_t op, status;
	uint8_t srb_status, scsi_status, sense_len;
	uint32_t xfer;
	uint64_t cycles;
};

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* Waits for the completion of trans_id `id` and decodes it. */
static int wait_answer(struct vmbus_channel *ch, uint64_t id, uint64_t t0,
		       struct answer *a)
{
	struct vmbus_pkt pkt;
	int got = vmbus_recv(ch, &pkt, resp, sizeof(resp));

	a->cycles = rdtsc() - t0;
	if (got < PKT_SIZE || pkt.desc.trans_id != id) {
		printf("      answer: %d bytes (%s), trans_id %#lx\n", got,
		       got < 0 ? vmbus_err_name(got) : "short",
		       (unsigned long)pkt.desc.trans_id);
		return 0;
	}
	a->op = rd32(resp);
	a->status = rd32(resp + 8);
	a->srb_status = resp[12 + 2];
	a->scsi_status = resp[12 + 3];
	a->sense_len = resp[12 + 9];
	a->xfer = rd32(resp + 12 + 12);
	return 1;
}

/* An init-phase request: operation + 52 bytes of union. */
static int init_op(struct vmbus_channel *ch, uint32_t op, const void *u,
		   uint32_t ulen, struct answer *a)
{
	uint64_t t0 = rdtsc();

	memset(req, 0, sizeof(req));
	wr32(req, op);
	wr32(req + 4, REQ_COMPLETE);
	if (u)
		memcpy(req + 12, u, ulen);
	if (vmbus_send(ch, req, PKT_SIZE, RQST_INIT, 1))
		return 0;
	return wait_answer(ch, RQST_INIT, t0, a) && a->op == OP_COMPLETE;
}

/* One SCSI command: `cdb`, `len` bytes in direction `dir` through
 * `buf` (GPA-direct when len > 0). */
static int srb(struct vmbus_channel *ch, const uint8_t *cdb, uint8_t cdb_len,
	       uint8_t dir, uint8_t *buf, uint32_t len, struct answer *a)
{
	uint8_t *r = req + 12; /* vmscsi_request */
	uint64_t id = next_id++, t0 = rdtsc();
	int err;

	memset(req, 0, sizeof(req));
	wr32(req, OP_SRB);
	wr32(req + 4, REQ_COMPLETE);
	r[0] = 0x34; /* length */
	r[8] = cdb_len;
	r[9] = 0x14; /* sense_info_length */
	r[10] = dir;
	wr32(r + 12, len);
	memcpy(r + 16, cdb, cdb_len);
	r[38] = 0xFF; /* untagged */
	r[39] = 0x20; /* simple queue action */
	wr32(r + 40, 0x8 | (dir == DATA_IN    ? 0x40
			    : dir == DATA_OUT ? 0x80
					      : 0));
	wr32(r + 44, 60);
	err = len ? vmbus_send_gpa_direct(ch, buf, len, req, PKT_SIZE, id)
		  : vmbus_send(ch, req, PKT_SIZE, id, 1);
	return !err && wait_answer(ch, id, t0, a);
}

static int scsi_ok(const struct answer *a)
{
	return a->status == 0 && (a->srb_status & 0x3F) == 1 &&
	       a->scsi_status == 0;
}

static int init(struct vmbus_channel *ch)
{
	static const uint16_t versions[] = {0x0602, 0x0600, 0x0501};
	struct answer a = {0};
	uint16_t v = 0;

	if (!report(init_op(ch, OP_BEGIN, 0, 0, &a) && a.status == 0,
		    "BEGIN_INITIALIZATION"))
		return 0;
	for (unsigned i = 0; i < 3 && !v; i++) {
		if (!init_op(ch, OP_VERSION, &versions[i], 2, &a))
			break;
		if (a.status == 0)
			v = versions[i];
		else if (a.status != REV_MISMATCH)
			break;
	}
	if (!report(v != 0, "QUERY_PROTOCOL_VERSION: %u.%u", v >> 8, v & 0xFF))
		return 0;
	if (!report(init_op(ch, OP_PROPS, 0, 0, &a) && a.status == 0,
		    "QUERY_PROPERTIES"))
		return 0;
	printf("properties: max_channel_cnt %u flags %#x max_transfer_bytes "
	       "%u\n",
	       resp[12 + 4] | resp[12 + 5] << 8, rd32(resp + 12 + 8),
	       rd32(resp + 12 + 12));
	report(rd32(resp + 12 + 12) != 0, "max_transfer_bytes is not 0");
	return report(init_op(ch, OP_END, 0, 0, &a) && a.status == 0,
		      "END_INITIALIZATION");
}

static void inquiry(struct vmbus_channel *ch)
{
	const uint8_t cdb[6] = {0x12, 0, 0, 0, 96, 0};
	struct answer a = {0};

	int ok;

	memset(data, 0, 96);
	ok = srb(ch, cdb, 6, DATA_IN, data, 96, &a);
	if (!report(ok && scsi_ok(&a) && (data[0] & 0x1F) == 0 && a.xfer >= 36,
		    "INQUIRY: a direct-access device, %u bytes", a.xfer))
		return;
	data[36] = 0;
	printf("inquiry: '%s' in %lu cycles\n", (const char *)data + 8,
	       (unsigned long)a.cycles);
}

static void capacity_and_io(struct vmbus_channel *ch)
{
	const uint8_t tur[6] = {0};
	const uint8_t cap10[10] = {0x25};
	uint8_t rw[10] = {0x2A, 0, 0, 0, 0, TEST_LBA, 0, 0, 2, 0};
	const uint8_t sync[10] = {0x35};
	struct answer a = {0};
	uint32_t blocks, bsize;
	int ok;

	report(srb(ch, tur, 6, NO_DATA, 0, 0, &a) && scsi_ok(&a),
	       "TEST UNIT READY: GOOD (in-band, no data)");
	if (!report(srb(ch, cap10, 10, DATA_IN, data, 8, &a) && scsi_ok(&a),
		    "READ CAPACITY(10)"))
		return;
	blocks = be32(data) + 1;
	bsize = be32(data + 4);
	printf("capacity: %u blocks of %u bytes\n", blocks, bsize);
	if (!report(bsize == 512 && blocks > TEST_LBA + 2,
		    "512-byte blocks, room for the test"))
		return;
	for (unsigned i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 31 + 7);
	/* Two blocks straddling a page boundary: a 2-PFN range. */
	memcpy(data + 4096 - 512, pattern, 1024);
	ok = srb(ch, rw, 10, DATA_OUT, data + 4096 - 512, 1024, &a);
	report(ok && scsi_ok(&a),
	       "WRITE(10) of 2 blocks at LBA %d (%lu "
	       "cycles)",
	       TEST_LBA, (unsigned long)a.cycles);
	memset(data, 0, sizeof(data));
	rw[0] = 0x28;
	ok = srb(ch, rw, 10, DATA_IN, data + 4096 - 512, 1024, &a);
	report(ok && scsi_ok(&a) &&
		   memcmp(data + 4096 - 512, pattern, 1024) == 0,
	       "READ(10) reads back what was written (%lu cycles)",
	       (unsigned long)a.cycles);
	report(srb(ch, sync, 10, NO_DATA, 0, 0, &a) && scsi_ok(&a),
	       "SYNCHRONIZE CACHE(10)");
}

static void bad_opcode(struct vmbus_channel *ch)
{
	const uint8_t cdb[6] = {0xEF};
	struct answer a = {0};
	const uint8_t *sense = resp + 12 + 16;

	int ok = srb(ch, cdb, 6, NO_DATA, 0, 0, &a);

	report(ok && a.scsi_status == 2 && (a.srb_status & 0x80) &&
		   (sense[0] & 0x7F) == 0x70 && (sense[2] & 0xF) == 5,
	       "unknown opcode 0xef: CHECK CONDITION, autosense, ILLEGAL "
	       "REQUEST (srb %#x, key %#x, asc %#x)",
	       a.srb_status, sense[2] & 0xF, sense[12]);
}

int kmain(struct hvsim_boot_info *bi)
{
	static struct vmbus_client c;
	static struct vmbus_channel ch;
	struct hv_info info;
	const struct vmbus_offer *o;

	(void)bi;
	rt_init();
	printf("vmbus_disk: a storvsc-shaped VSC on the SCSI VSP\n");
	if (!report(hv_detect(&info) && hv_hypercall_enable() == 0 &&
			vmbus_init(&c, WAIT_CYCLES) == 0 &&
			vmbus_connect(&c) == 0 && vmbus_request_offers(&c) == 0,
		    "VMBus connected, offers received"))
		report_summary();
	o = vmbus_find_offer(&c, scsi_if_type);
	if (!o) {
		report_skip("no SCSI controller offered (no disk image)");
		report_summary();
	}
	if (report(vmbus_open(&c, &ch, o, rings, RING_PAGES, RING_PAGES) == 0,
		   "open with a 64-page GPADL (a header and 2 bodies)") &&
	    init(&ch)) {
		inquiry(&ch);
		capacity_and_io(&ch);
		bad_opcode(&ch);
	}
	if (ch.open)
		report(vmbus_close(&ch) == 0, "close, GPADL torn down");
	report(vmbus_unload(&c) == 0, "UNLOAD");
	report_summary();
}
