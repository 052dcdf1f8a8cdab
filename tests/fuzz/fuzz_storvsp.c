/*
 * tests/fuzz/fuzz_storvsp.c — libFuzzer target: storvsc packets to the
 * storage VSP's protocol core (vmbus/storvsp.h: storvsp_handle) on one
 * SCSI LUN over a 64 KiB disk image (a memfd, zeroed per input), with
 * GPA-direct data buffers in 32 pages of child RAM that the input fills.
 *
 * Input: u16 len + the first bytes of RAM, then packets until the end:
 *   0: raw — u16 len + the whole VMBus packet (descriptor included);
 *   1: in-band — u8 flags, u8 len + the vstor_packet (descriptor made);
 *   2: GPA-direct — u32 byte_count, u16 byte_offset, u8 npfn + one u8
 *      PFN each, u8 len + the vstor_packet;
 *   3: the channel reopens (storvsp_reset).
 *
 * Checked: every answer is a COMPLETE_IO of 64 bytes, ready no earlier
 * than the request, moving no more than max_transfer_bytes; the stats
 * count every packet; guest RAM changes only in pages the packet's own
 * GPA-direct range list names (parsed independently with
 * ring_parse_gpa_direct).
 */
#include <string.h>

#include "devices/disk.h"
#include "mmu/mmu.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/fuzz_rig.h"
#include "vmbus/gpadl.h"
#include "vmbus/ring.h"
#include "vmbus/scsi.h"
#include "vmbus/storvsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE	  4096u
#define RAM_PAGES 32u
#define MAX_XFER  (16u * 1024)
#define PKT_MAX	  4096u

struct fz {
	struct physmem *mem;
	struct storvsp *sv;
	uint8_t before[RAM_PAGES * PAGE];
	uint8_t pkt[PKT_MAX];
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* Descriptor {type, offset8, len8, flags, trans_id} (vmbus.md §5.3). */
static uint32_t descriptor(uint8_t *p, uint16_t type, uint32_t off,
			   uint32_t len, uint16_t flags)
{
	uint32_t len8 = (len + 7) / 8;

	memset(p + len, 0, len8 * 8 - len);
	put16(p, type);
	put16(p + 2, (uint16_t)(off / 8));
	put16(p + 4, (uint16_t)len8);
	put16(p + 6, flags);
	memset(p + 8, 0x42, 8);
	return len8 * 8;
}

static uint32_t build(struct fz *f, struct fuzz_in *in, unsigned kind)
{
	const uint8_t *b;
	size_t n;
	uint32_t off = 16, count, npfn;
	uint16_t boff;
	uint8_t flags;

	switch (kind) {
	case 0:
		b = in_bytes(in, in_u16(in) % PKT_MAX, &n);
		memcpy(f->pkt, b, n);
		return (uint32_t)n;
	case 1:
		flags = in_u8(in);
		b = in_bytes(in, in_u8(in), &n);
		memcpy(f->pkt + 16, b, n);
		return descriptor(f->pkt, 0x6, 16, 16 + (uint32_t)n, flags);
	default:
		count = in_u32(in);
		boff = in_u16(in);
		npfn = in_u8(in) % 64;
		put32(f->pkt + 16, 0);
		put32(f->pkt + 20, 1);
		put32(f->pkt + 24, count);
		put32(f->pkt + 28, boff);
		off = 32;
		for (uint32_t i = 0; i < npfn; i++, off += 8) {
			put32(f->pkt + off, in_u8(in) % (RAM_PAGES + 2));
			put32(f->pkt + off + 4, 0);
		}
		b = in_bytes(in, in_u8(in), &n);
		memcpy(f->pkt + off, b, n);
		return descriptor(f->pkt, 0x9, off, off + (uint32_t)n, 1);
	}
}

/* RAM changed only in the pages the packet's range list names. */
static void check_ram(struct fz *f, uint32_t len)
{
	const uint8_t *now = physmem_ram_ptr(f->mem, 0, RAM_PAGES * PAGE);
	struct gpadl *g = NULL;
	bool listed[RAM_PAGES] = {false};

	if (len >= 16 && f->pkt[0] == 0x9 && f->pkt[1] == 0 &&
	    ring_parse_gpa_direct(f->mem, f->pkt, len, &g) == GPADL_OK)
		for (uint32_t i = 0; i < gpadl_page_count(g); i++)
			if (gpadl_pfn(g, i) < RAM_PAGES)
				listed[gpadl_pfn(g, i)] = true;
	gpadl_destroy(g);
	for (uint32_t p = 0; p < RAM_PAGES; p++)
		FUZZ_CHECK(listed[p] || !memcmp(now + p * PAGE,
						f->before + p * PAGE, PAGE),
			   "page %u written without being named", p);
}

static void one_packet(struct fz *f, struct fuzz_in *in, unsigned kind,
		       cycles_t now)
{
	struct storvsp_reply out;
	struct storvsp_stats a, b;
	uint32_t len = build(f, in, kind);
	enum storvsp_result res;

	memcpy(f->before, physmem_ram_ptr(f->mem, 0, RAM_PAGES * PAGE),
	       sizeof(f->before));
	storvsp_get_stats(f->sv, &a);
	res = storvsp_handle(f->sv, f->mem, f->pkt, len, now, &out);
	storvsp_get_stats(f->sv, &b);
	FUZZ_CHECK(res == STORVSP_REPLY || res == STORVSP_NO_REPLY ||
		       res == STORVSP_REFUSED,
		   "result %d", res);
	FUZZ_CHECK(b.packets == a.packets + 1, "packets not counted");
	if (res == STORVSP_REPLY) {
		uint32_t op;

		memcpy(&op, out.pkt, 4);
		FUZZ_CHECK(op == STORVSP_OP_COMPLETE_IO, "reply op %u", op);
		FUZZ_CHECK(out.ready_at >= now, "ready before the request");
		FUZZ_CHECK(out.xfer <= MAX_XFER, "xfer %u", out.xfer);
	}
	check_ram(f, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz f;
	struct fuzz_in in = {data, size};
	struct disk_config dc = {.path = fuzz_disk_path(), .latency = 20000};
	char err[128];
	struct disk *disk = disk_open(&dc, err, sizeof(err));
	struct scsi_lun *lun;
	struct storvsp_config sc = {.max_transfer_bytes = MAX_XFER};
	const uint8_t *b;
	size_t n;
	cycles_t now = 1000;

	FUZZ_CHECK(disk, "disk_open: %s", err);
	lun = scsi_lun_create(disk, NULL);
	FUZZ_CHECK(lun, "scsi_lun_create");
	sc.lun = lun;
	f.sv = storvsp_create(&sc);
	FUZZ_CHECK(f.sv, "storvsp_create");
	f.mem = physmem_create(RAM_PAGES * PAGE);
	FUZZ_CHECK(f.mem, "physmem_create");
	b = in_bytes(&in, in_u16(&in), &n);
	physmem_copy_to(f.mem, 0, b, n < RAM_PAGES * PAGE ? n : RAM_PAGES * PAGE);
	while (!in_done(&in)) {
		unsigned kind = in_u8(&in) % 4;

		if (kind == 3)
			storvsp_reset(f.sv);
		else
			one_packet(&f, &in, kind, now);
		now += 1000;
	}
	physmem_destroy(f.mem);
	storvsp_destroy(f.sv);
	scsi_lun_destroy(lun);
	disk_close(disk);
	return 0;
}
