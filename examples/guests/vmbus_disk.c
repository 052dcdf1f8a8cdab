/*
 * examples/guests/vmbus_disk.c — a storvsc-shaped VSC: the guest drives
 * the parent's SCSI VSP (vmbus/storvsp*.c) over VMBus the way Linux's
 * hv_storvsc does (../shared/reference/vmbus.md §6.2, §6.3), through the
 * runtime's storage VSC (storvsc.h): open with 128 KiB rings (a 64-page
 * GPADL: a header and two bodies), the init sequence (BEGIN_INITIALIZATION,
 * QUERY_PROTOCOL_VERSION 6.2/6.0/5.1, QUERY_PROPERTIES, END_INITIALIZATION),
 * then SCSI commands in EXECUTE_SRB packets: in-band without data,
 * GPA-direct with data. Checks INQUIRY, TEST UNIT READY, READ CAPACITY
 * (10) and (16), a WRITE(10) / READ(10) round trip of two blocks that
 * straddle a page, SYNCHRONIZE CACHE and the sense data of an unknown
 * opcode; prints each command's latency. (Throughput and queue depths:
 * examples/guests/storage.c.)
 *
 * Needs a SCSI controller offered to the child (hvsim run --disk IMAGE).
 * Without it the guest SKIPs.
 */
#include "hyperv.h"
#include "rt.h"
#include "storvsc.h"
#include "vmbus.h"

#define WAIT_CYCLES 500000000ull /* 200 ms: a disk answer */
#define RING_PAGES  32		 /* 128 KiB each way, as Linux */
#define TEST_LBA    8

/* SCSI controller ba6163d9-04a1-4d29-b605-72e2ffb1dc7f (§6.1). */
static const uint8_t scsi_if_type[16] = {
    0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04, 0x29, 0x4d,
    0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f,
};

static uint8_t rings[2 * RING_PAGES * 4096] __attribute__((aligned(4096)));
static uint8_t data[3 * 4096] __attribute__((aligned(4096)));
static uint8_t pattern[1024];

static uint64_t cycles_of(const struct storvsc_req *r)
{
	return r->t_done - r->t_submit;
}

/* One PASS/FAIL line per init step that storvsc_open reached. */
static int report_init(const struct storvsc *s, int err)
{
	if (!report(s->step > STORVSC_STEP_OPEN,
		    "open with a 64-page GPADL (a header and 2 bodies)"))
		return 0;
	if (!report(s->step > STORVSC_STEP_BEGIN, "BEGIN_INITIALIZATION"))
		return 0;
	if (!report(s->step > STORVSC_STEP_VERSION,
		    "QUERY_PROTOCOL_VERSION: %u.%u", s->version >> 8,
		    s->version & 0xFF))
		return 0;
	if (!report(s->step > STORVSC_STEP_PROPERTIES, "QUERY_PROPERTIES"))
		return 0;
	printf("properties: max_channel_cnt %u flags %#x max_transfer_bytes "
	       "%u\n",
	       s->max_channels, s->prop_flags, s->max_transfer);
	report(s->max_transfer != 0, "max_transfer_bytes is not 0");
	if (!report(err == 0 && s->step == STORVSC_STEP_READY,
		    "END_INITIALIZATION"))
		printf("      init: %s\n", vmbus_err_name(err));
	return err == 0;
}

static void inquiry(struct storvsc *s)
{
	struct storvsc_req r = {0};
	int ok;

	memset(data, 0, 96);
	/* Called before report(): its arguments are evaluated in any order. */
	ok = storvsc_inquiry(s, data, 96, &r) == 0;
	if (!report(ok && (data[0] & 0x1F) == 0 && r.xfer >= 36,
		    "INQUIRY: a direct-access device, %u bytes", r.xfer))
		return;
	data[36] = 0;
	printf("inquiry: '%s' in %lu cycles\n", (const char *)data + 8,
	       (unsigned long)cycles_of(&r));
}

static void capacity_and_io(struct storvsc *s)
{
	const uint8_t tur[6] = {0};
	struct storvsc_req r = {0};
	uint64_t blocks = 0, blocks16 = 0;
	uint32_t bsize = 0, bsize16 = 0;
	int ok;

	report(storvsc_cmd(s, tur, 6, STORVSC_NO_DATA, 0, 0, &r) == 0 &&
		   storvsc_good(&r),
	       "TEST UNIT READY: GOOD (in-band, no data)");
	if (!report(storvsc_capacity(s, 0, &blocks, &bsize) == 0,
		    "READ CAPACITY(10)"))
		return;
	printf("capacity: %lu blocks of %u bytes\n", (unsigned long)blocks,
	       bsize);
	report(storvsc_capacity(s, 1, &blocks16, &bsize16) == 0 &&
		   blocks16 == blocks && bsize16 == bsize,
	       "READ CAPACITY(16) agrees");
	if (!report(bsize == 512 && blocks > TEST_LBA + 2,
		    "512-byte blocks, room for the test"))
		return;
	for (unsigned i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 31 + 7);
	/* Two blocks straddling a page boundary: a 2-PFN range. */
	memcpy(data + 4096 - 512, pattern, 1024);
	ok = storvsc_rw(s, 1, TEST_LBA, 2, bsize, data + 4096 - 512, &r) == 0;
	report(ok,
	       "WRITE(10) of 2 blocks at LBA %d (%lu cycles)", TEST_LBA,
	       (unsigned long)cycles_of(&r));
	memset(data, 0, sizeof(data));
	ok = storvsc_rw(s, 0, TEST_LBA, 2, bsize, data + 4096 - 512, &r) == 0;
	report(ok && memcmp(data + 4096 - 512, pattern, 1024) == 0,
	       "READ(10) reads back what was written (%lu cycles)",
	       (unsigned long)cycles_of(&r));
	report(storvsc_sync_cache(s) == 0, "SYNCHRONIZE CACHE(10)");
}

static void bad_opcode(struct storvsc *s)
{
	const uint8_t cdb[6] = {0xEF};
	struct storvsc_req r = {0};
	int err = storvsc_cmd(s, cdb, 6, STORVSC_NO_DATA, 0, 0, &r);

	report(err == 0 && r.scsi_status == 2 && (r.srb_status & 0x80) &&
		   (r.sense[0] & 0x7F) == 0x70 && (r.sense[2] & 0xF) == 5,
	       "unknown opcode 0xef: CHECK CONDITION, autosense, ILLEGAL "
	       "REQUEST (srb %#x, key %#x, asc %#x)",
	       r.srb_status, r.sense[2] & 0xF, r.sense[12]);
}

int kmain(struct hvsim_boot_info *bi)
{
	static struct vmbus_client c;
	static struct storvsc s;
	struct hv_info info;
	const struct vmbus_offer *o;
	int err;

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
	err = storvsc_open(&s, &c, o, rings, RING_PAGES, 1, WAIT_CYCLES);
	if (report_init(&s, err)) {
		inquiry(&s);
		capacity_and_io(&s);
		bad_opcode(&s);
	}
	if (s.ch.open)
		report(storvsc_close(&s) == 0, "close, GPADL torn down");
	report(vmbus_unload(&c) == 0, "UNLOAD");
	report_summary();
}
