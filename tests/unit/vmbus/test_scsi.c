/*
 * tests/unit/vmbus/test_scsi.c — the SCSI target (vmbus/scsi.c) on a real
 * disk image: standard INQUIRY and every VPD page Linux asks for, READ
 * CAPACITY(10/16), MODE SENSE(6/10), REPORT LUNS, TEST UNIT READY,
 * REQUEST SENSE, WRITE then READ back with 10- and 16-byte CDBs, transfer
 * length 0, out-of-range LBAs, unknown opcodes, short CDBs and short
 * buffers (each → CHECK CONDITION with the right fixed-format sense), and
 * the disk model's completion cycle reaching the command.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/disk.h"
#include "vmbus/scsi.h"

#define BLOCKS 2048u /* 1 MiB image */

static char img[64];
static struct disk *dk;
static struct scsi_lun *lun;

static void setup(void)
{
	snprintf(img, sizeof(img), "/tmp/hvsim_scsi_XXXXXX");
	int fd = mkstemp(img);
	cr_assert_geq(fd, 0);
	cr_assert_eq(0, ftruncate(fd, BLOCKS * 512));
	close(fd);
	struct disk_config c = {.path = img, .latency = 1000};
	char err[128];
	dk = disk_open(&c, err, sizeof(err));
	cr_assert_not_null(dk, "%s", err);
	struct scsi_config sc = {.serial = "SER123"};
	lun = scsi_lun_create(dk, &sc);
	cr_assert_not_null(lun);
}

static void teardown(void)
{
	scsi_lun_destroy(lun);
	disk_close(dk);
	unlink(img);
}

TestSuite(scsi, .init = setup, .fini = teardown);

/* Run a CDB with a buffer; returns the command for inspection. */
static struct scsi_cmd run(const uint8_t *cdb, unsigned len, uint8_t *buf,
			   uint32_t buf_len)
{
	struct scsi_cmd c = {.cdb = cdb,
			     .cdb_len = len,
			     .buf = buf,
			     .buf_len = buf_len,
			     .now = 100};
	scsi_execute(lun, &c);
	return c;
}

static void assert_sense(const struct scsi_cmd *c, uint8_t key, uint8_t asc)
{
	cr_assert_eq(SCSI_STATUS_CHECK_CONDITION, c->status);
	cr_assert_eq(SCSI_SENSE_LEN, c->sense_len);
	cr_assert_eq(0x70, c->sense[0]);
	cr_assert_eq(key, c->sense[2] & 0xF);
	cr_assert_eq(10, c->sense[7]);
	cr_assert_eq(asc, c->sense[12], "asc %#x", c->sense[12]);
	cr_assert_eq(0, c->xfer);
}

Test(scsi, standard_inquiry_describes_a_disk)
{
	uint8_t cdb[6] = {0x12, 0, 0, 0, 96, 0}, b[96];
	memset(b, 0xEE, sizeof(b));
	struct scsi_cmd c = run(cdb, 6, b, sizeof(b));
	cr_assert_eq(SCSI_STATUS_GOOD, c.status);
	cr_assert_eq(36, c.xfer);
	cr_assert_eq(0x00, b[0], "connected direct-access block device");
	cr_assert_eq(0x02, b[3] & 0x0F, "response data format 2");
	cr_assert_eq(31, b[4]);
	cr_assert_eq(0, memcmp(b + 8, "Msft    ", 8));
	cr_assert_eq(0, memcmp(b + 16, "Virtual Disk    ", 16));
	cr_assert_eq(0xEE, b[36], "nothing written past the data");
}

Test(scsi, inquiry_allocation_length_truncates)
{
	uint8_t cdb[6] = {0x12, 0, 0, 0, 5, 0}, b[64];
	struct scsi_cmd c = run(cdb, 6, b, sizeof(b));
	cr_assert_eq(5, c.xfer);
	uint8_t cdb2[6] = {0x12, 0, 0, 0, 36, 0};
	c = run(cdb2, 6, b, 8); /* the initiator's buffer is smaller */
	cr_assert_eq(8, c.xfer);
}

Test(scsi, inquiry_page_code_without_evpd_is_invalid_field)
{
	uint8_t cdb[6] = {0x12, 0, 0x80, 0, 96, 0}, b[96];
	struct scsi_cmd c = run(cdb, 6, b, sizeof(b));
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_CDB);
}

static struct scsi_cmd vpd(uint8_t page, uint8_t *b, uint32_t n)
{
	static uint8_t cdb[6];
	uint8_t tmp[6] = {0x12, 0x01, page, 0, (uint8_t)n, 0};
	memcpy(cdb, tmp, 6);
	memset(b, 0xEE, n);
	return run(cdb, 6, b, n);
}

Test(scsi, vpd_00_lists_the_pages_linux_asks_for)
{
	uint8_t b[255];
	struct scsi_cmd c = vpd(0x00, b, 255);
	cr_assert_eq(SCSI_STATUS_GOOD, c.status);
	uint8_t want[] = {0x00, 0x00, 0x00, 6,	  0x00,
			  0x80, 0x83, 0xB0, 0xB1, 0xB2};
	cr_assert_eq(sizeof(want), c.xfer);
	cr_assert_arr_eq(want, b, sizeof(want));
}

Test(scsi, vpd_80_is_the_serial)
{
	uint8_t b[255];
	struct scsi_cmd c = vpd(0x80, b, 255);
	cr_assert_eq(4 + 6, c.xfer);
	cr_assert_eq(0x80, b[1]);
	cr_assert_eq(6, b[3]);
	cr_assert_eq(0, memcmp(b + 4, "SER123", 6));
}

Test(scsi, vpd_83_has_a_t10_vendor_designator)
{
	uint8_t b[255];
	struct scsi_cmd c = vpd(0x83, b, 255);
	cr_assert_eq(0x83, b[1]);
	uint32_t len = (uint32_t)b[2] << 8 | b[3];
	cr_assert_eq(4 + len, c.xfer);
	cr_assert_eq(0x02, b[4] & 0x0F, "ASCII");
	cr_assert_eq(0x01, b[5] & 0x0F, "T10 vendor ID");
	cr_assert_eq(14, b[7]);
	cr_assert_eq(0, memcmp(b + 8, "Msft    SER123", 14));
}

Test(scsi, vpd_b0_block_limits)
{
	uint8_t b[255];
	struct scsi_cmd c = vpd(0xB0, b, 255);
	cr_assert_eq(64, c.xfer);
	cr_assert_eq(0x3C, b[3]);
	uint32_t maxlen =
	    (uint32_t)b[8] << 24 | b[9] << 16 | b[10] << 8 | b[11];
	cr_assert_eq(512, maxlen, "256 KiB in 512-byte blocks");
}

Test(scsi, vpd_b1_non_rotating_and_b2_no_provisioning)
{
	uint8_t b[255];
	struct scsi_cmd c = vpd(0xB1, b, 255);
	cr_assert_eq(64, c.xfer);
	cr_assert_eq(1, b[4] << 8 | b[5]);
	c = vpd(0xB2, b, 255);
	cr_assert_eq(8, c.xfer);
	cr_assert_eq(0xB2, b[1]);
	cr_assert_eq(0, b[5], "no LBPU/LBPWS");
}

Test(scsi, unsupported_vpd_page_is_an_empty_page)
{
	uint8_t b[255];
	struct scsi_cmd c = vpd(0x89, b, 255);
	cr_assert_eq(SCSI_STATUS_GOOD, c.status);
	cr_assert_eq(4, c.xfer);
	cr_assert_eq(0x89, b[1]);
	cr_assert_eq(0, b[2] | b[3]);
}

Test(scsi, read_capacity_10_and_16)
{
	uint8_t cdb[10] = {0x25}, b[32];
	struct scsi_cmd c = run(cdb, 10, b, 8);
	cr_assert_eq(8, c.xfer);
	uint8_t want[8] = {0, 0, 0x07, 0xFF, 0, 0, 0x02, 0x00};
	cr_assert_arr_eq(want, b, 8);
	uint8_t cdb16[16] = {0x9E, 0x10};
	cdb16[13] = 32;
	memset(b, 0xEE, sizeof(b));
	c = run(cdb16, 16, b, 32);
	cr_assert_eq(32, c.xfer);
	uint8_t want16[12] = {0, 0, 0, 0, 0, 0, 0x07, 0xFF, 0, 0, 0x02, 0};
	cr_assert_arr_eq(want16, b, 12);
	cr_assert_eq(0, b[14], "no LBPME");
	cdb16[1] = 0x11; /* another service action */
	c = run(cdb16, 16, b, 32);
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_CDB);
}

Test(scsi, mode_sense_6_caching_page_with_block_descriptor)
{
	uint8_t cdb[6] = {0x1A, 0, 0x08, 0, 255, 0}, b[255];
	struct scsi_cmd c = run(cdb, 6, b, sizeof(b));
	cr_assert_eq(SCSI_STATUS_GOOD, c.status);
	cr_assert_eq(4 + 8 + 20, c.xfer);
	cr_assert_eq(c.xfer - 1, b[0]);
	cr_assert_eq(0, b[2] & 0x80, "not write protected");
	cr_assert_eq(8, b[3]);
	cr_assert_eq(2048, b[5] << 16 | b[6] << 8 | b[7], "blocks");
	cr_assert_eq(512, b[9] << 16 | b[10] << 8 | b[11]);
	cr_assert_eq(0x08, b[12] & 0x3F);
	cr_assert_eq(0x12, b[13]);
	cr_assert_eq(0x04, b[14] & 0x04, "WCE");
}

Test(scsi, mode_sense_10_all_pages_no_descriptor)
{
	uint8_t cdb[10] = {0x5A, 0x08, 0x3F, 0, 0, 0, 0, 0, 255, 0}, b[255];
	struct scsi_cmd c = run(cdb, 10, b, sizeof(b));
	cr_assert_eq(8 + 20 + 12, c.xfer);
	cr_assert_eq(c.xfer - 2, b[0] << 8 | b[1]);
	cr_assert_eq(0, b[6] << 8 | b[7], "DBD: no block descriptor");
	cr_assert_eq(0x08, b[8]);
	cr_assert_eq(0x0A, b[28]);
}

Test(scsi, mode_sense_unknown_page_and_saved_values_are_refused)
{
	uint8_t cdb[6] = {0x1A, 0, 0x1C, 0, 255, 0}, b[255];
	struct scsi_cmd c = run(cdb, 6, b, sizeof(b));
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_CDB);
	cdb[2] = 0xC8; /* PC = saved, caching page */
	c = run(cdb, 6, b, sizeof(b));
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST,
		     SCSI_ASC_SAVING_NOT_SUPPORTED);
}

Test(scsi, report_luns_lists_lun_zero)
{
	uint8_t cdb[12] = {0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0}, b[256];
	memset(b, 0xEE, sizeof(b));
	struct scsi_cmd c = run(cdb, 12, b, sizeof(b));
	cr_assert_eq(16, c.xfer);
	uint8_t want[16] = {0, 0, 0, 8};
	cr_assert_arr_eq(want, b, 16);
	cdb[8] = 0;
	cdb[9] = 8; /* allocation length below 16 */
	c = run(cdb, 12, b, sizeof(b));
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_CDB);
}

Test(scsi, test_unit_ready_and_request_sense_are_good)
{
	uint8_t tur[6] = {0};
	struct scsi_cmd c = run(tur, 6, NULL, 0);
	cr_assert_eq(SCSI_STATUS_GOOD, c.status);
	cr_assert_eq(0, c.xfer);
	cr_assert_eq(100, c.done);
	uint8_t rs[6] = {0x03, 0, 0, 0, 18, 0}, b[18];
	c = run(rs, 6, b, sizeof(b));
	cr_assert_eq(18, c.xfer);
	cr_assert_eq(0x70, b[0]);
	cr_assert_eq(SCSI_KEY_NO_SENSE, b[2]);
}

static void rw10(uint8_t op, uint32_t lba, uint16_t n, uint8_t *cdb)
{
	memset(cdb, 0, 10);
	cdb[0] = op;
	cdb[2] = lba >> 24;
	cdb[3] = lba >> 16;
	cdb[4] = lba >> 8;
	cdb[5] = lba;
	cdb[7] = n >> 8;
	cdb[8] = n;
}

static void rw16(uint8_t op, uint64_t lba, uint32_t n, uint8_t *cdb)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	for (int i = 0; i < 8; i++)
		cdb[2 + i] = (uint8_t)(lba >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		cdb[10 + i] = (uint8_t)(n >> (24 - 8 * i));
}

Test(scsi, write10_then_read10_reads_back_and_lands_in_the_file)
{
	uint8_t w[1024], r[1024], cdb[10];
	for (unsigned i = 0; i < sizeof(w); i++)
		w[i] = (uint8_t)(i ^ 0x5A);
	rw10(0x2A, 100, 2, cdb);
	struct scsi_cmd c = run(cdb, 10, w, sizeof(w));
	cr_assert_eq(SCSI_STATUS_GOOD, c.status);
	cr_assert_eq(1024, c.xfer);
	cr_assert_eq(100 + 1000, c.done, "the disk model's completion");
	rw10(0x28, 100, 2, cdb);
	c = run(cdb, 10, r, sizeof(r));
	cr_assert_eq(1024, c.xfer);
	cr_assert_arr_eq(w, r, sizeof(w));

	FILE *f = fopen(img, "rb");
	cr_assert_not_null(f);
	fseek(f, 100 * 512, SEEK_SET);
	cr_assert_eq(sizeof(r), fread(r, 1, sizeof(r), f));
	fclose(f);
	cr_assert_arr_eq(w, r, sizeof(w));
}

Test(scsi, write16_read16_at_the_last_block)
{
	uint8_t w[512], r[512], cdb[16];
	memset(w, 0xC3, sizeof(w));
	rw16(0x8A, BLOCKS - 1, 1, cdb);
	struct scsi_cmd c = run(cdb, 16, w, sizeof(w));
	cr_assert_eq(SCSI_STATUS_GOOD, c.status);
	rw16(0x88, BLOCKS - 1, 1, cdb);
	c = run(cdb, 16, r, sizeof(r));
	cr_assert_eq(512, c.xfer);
	cr_assert_arr_eq(w, r, sizeof(w));
}

Test(scsi, out_of_range_lba_is_lba_out_of_range)
{
	uint8_t b[1024], cdb[16];
	rw10(0x28, BLOCKS - 1, 2, cdb); /* last block + one past */
	struct scsi_cmd c = run(cdb, 10, b, sizeof(b));
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	rw16(0x8A, UINT64_MAX, 1, cdb);
	c = run(cdb, 16, b, sizeof(b));
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	rw10(0x28, BLOCKS, 0, cdb); /* LBA = capacity, length 0: beyond */
	c = run(cdb, 10, b, sizeof(b));
	cr_assert_eq(SCSI_STATUS_GOOD, c.status, "lba == capacity, 0 blocks");
}

Test(scsi, transfer_length_zero_moves_nothing)
{
	uint8_t cdb[10];
	rw10(0x2A, 5, 0, cdb);
	struct scsi_cmd c = run(cdb, 10, NULL, 0);
	cr_assert_eq(SCSI_STATUS_GOOD, c.status);
	cr_assert_eq(0, c.xfer);
	struct disk_stats s;
	disk_get_stats(dk, &s);
	cr_assert_eq(0, s.writes);
}

Test(scsi, transfer_larger_than_the_buffer_is_refused)
{
	uint8_t b[512], cdb[10];
	rw10(0x28, 0, 2, cdb);
	struct scsi_cmd c = run(cdb, 10, b, sizeof(b));
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_CDB);
}

Test(scsi, unknown_opcode_is_invalid_command_operation_code)
{
	uint8_t cdb[10] = {0xC7}, b[16];
	struct scsi_cmd c = run(cdb, 10, b, sizeof(b));
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_OPCODE);
	uint8_t fmt[6] = {0x04}; /* FORMAT UNIT is not supported */
	c = run(fmt, 6, b, sizeof(b));
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_OPCODE);
}

Test(scsi, short_or_oversized_cdb_is_invalid_field)
{
	uint8_t cdb[32] = {0x28}, b[512];
	struct scsi_cmd c = run(cdb, 6, b, sizeof(b)); /* READ(10) in 6 */
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_CDB);
	c = run(cdb, 17, b, sizeof(b));
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_CDB);
	c = run(cdb, 0, b, sizeof(b));
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_CDB);
}

Test(scsi, synchronize_cache_flushes_through_the_disk_model)
{
	uint8_t cdb[10] = {0x35};
	struct scsi_cmd c = run(cdb, 10, NULL, 0);
	cr_assert_eq(SCSI_STATUS_GOOD, c.status);
	cr_assert_eq(100 + 1000, c.done);
	uint8_t cdb16[16] = {0x91};
	c = run(cdb16, 16, NULL, 0);
	cr_assert_eq(SCSI_STATUS_GOOD, c.status);
	struct disk_stats s;
	disk_get_stats(dk, &s);
	cr_assert_eq(2, s.flushes);
}

Test(scsi, read_of_a_shrunken_image_is_a_medium_error)
{
	uint8_t b[512], cdb[10];
	cr_assert_eq(0, truncate(img, 4096));
	rw10(0x28, 100, 1, cdb);
	struct scsi_cmd c = run(cdb, 10, b, sizeof(b));
	assert_sense(&c, SCSI_KEY_MEDIUM_ERROR, SCSI_ASC_UNRECOVERED_READ);
}

/* Seeded random CDBs never crash and never move more than the buffer. */
Test(scsi, random_cdbs_are_answered_safely)
{
	uint8_t cdb[16], b[4096];
	uint32_t x = 0xC0FFEE;
	for (int i = 0; i < 20000; i++) {
		for (int j = 0; j < 16; j++) {
			x = x * 1664525u + 1013904223u;
			cdb[j] = (uint8_t)(x >> 24);
		}
		if (i & 1) /* bias toward known opcodes */
			cdb[0] =
			    (uint8_t[]){0x12, 0x1A, 0x5A, 0x28, 0x2A,
					0x88, 0x8A, 0x9E, 0xA0, 0x25}[x % 10];
		uint32_t blen = (x >> 8) % (sizeof(b) + 1);
		struct scsi_cmd c = run(cdb, 1 + (x >> 4) % 16, b, blen);
		cr_assert_leq(c.xfer, blen);
		cr_assert(c.status == SCSI_STATUS_GOOD ||
			  c.status == SCSI_STATUS_CHECK_CONDITION);
	}
}

Test(scsi, image_smaller_than_one_block_has_no_lun)
{
	char p[64];
	snprintf(p, sizeof(p), "/tmp/hvsim_scsi_XXXXXX");
	int fd = mkstemp(p);
	cr_assert_eq(0, ftruncate(fd, 100));
	close(fd);
	struct disk_config c = {.path = p};
	char err[64];
	struct disk *d = disk_open(&c, err, sizeof(err));
	cr_assert_not_null(d);
	cr_assert_null(scsi_lun_create(d, NULL));
	disk_close(d);
	unlink(p);
}

Test(scsi, write_same_10_repeats_one_block_and_16_ndob_zeroes)
{
	uint8_t blk[512], r[512], cdb[16];
	for (unsigned i = 0; i < sizeof(blk); i++)
		blk[i] = (uint8_t)(i + 1);
	rw10(0x41, 10, 100, cdb); /* same field layout as WRITE(10) */
	struct scsi_cmd c = run(cdb, 10, blk, sizeof(blk));
	cr_assert_eq(SCSI_STATUS_GOOD, c.status);
	cr_assert_eq(512, c.xfer);
	cr_assert_gt(c.done, 100, "timed by the disk model");
	for (uint32_t lba = 9; lba <= 110; lba++) {
		rw10(0x28, lba, 1, cdb);
		run(cdb, 10, r, sizeof(r));
		bool inside = lba >= 10 && lba < 110;
		cr_assert_eq(inside ? blk[7] : 0, r[7], "lba %u", lba);
		if (inside)
			cr_assert_arr_eq(blk, r, sizeof(r));
	}
	rw16(0x93, 20, 5, cdb);
	cdb[1] = 0x01; /* NDOB: zeros, no data-out */
	c = run(cdb, 16, NULL, 0);
	cr_assert_eq(SCSI_STATUS_GOOD, c.status);
	cr_assert_eq(0, c.xfer);
	rw10(0x28, 22, 1, cdb);
	run(cdb, 10, r, sizeof(r));
	cr_assert_eq(0, r[7]);
}

Test(scsi, write_same_refuses_zero_blocks_missing_data_and_overrun)
{
	uint8_t blk[512] = {1}, cdb[16];
	rw10(0x41, 0, 0, cdb);
	struct scsi_cmd c = run(cdb, 10, blk, sizeof(blk));
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_CDB);
	rw10(0x41, 0, 4, cdb);
	c = run(cdb, 10, blk, 100);
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_CDB);
	rw16(0x93, BLOCKS - 2, 3, cdb);
	c = run(cdb, 16, blk, sizeof(blk));
	assert_sense(&c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	uint8_t b[255];
	c = vpd(0xB0, b, 255);
	cr_assert_eq(1, b[4] & 1, "WSNZ");
	cr_assert_eq(0x10000,
		     (uint32_t)b[40] << 24 | b[41] << 16 | b[42] << 8 | b[43]);
}
