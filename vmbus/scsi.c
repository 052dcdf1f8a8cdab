/*
 * vmbus/scsi.c — a SCSI target with one direct-access logical unit
 * (SPC-4 / SBC-3 subset) on devices/disk.c: what Linux's sd driver sends
 * while probing and using a disk behind storvsc (vmbus.md §6.3).
 *
 * Commands (table `cmds`): TEST UNIT READY, REQUEST SENSE, INQUIRY
 * (standard data; VPD 0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2), MODE SENSE(6/10)
 * (caching page 0x08, control page 0x0A, all pages 0x3F), START STOP UNIT,
 * READ CAPACITY(10/16), READ/WRITE(10/16), WRITE SAME(10/16),
 * SYNCHRONIZE CACHE(10/16), REPORT LUNS. Anything else is CHECK CONDITION,
 * ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE. Sense is fixed format
 * (response code 0x70), returned with the command (autosense); REQUEST SENSE
 * then reports NO SENSE, as nothing stays pending.
 *
 * Choices: an unsupported VPD page gets a 4-byte header with page length 0
 * and GOOD (Linux forces INQUIRY to success and parses the buffer anyway;
 * vmbus-linux61.md row 8). The caching page says WCE=1: writes land in the
 * host's page cache, so the guest is told to SYNCHRONIZE CACHE, which
 * fsyncs the image. A media transfer longer than the initiator's buffer is
 * INVALID FIELD IN CDB. Caller: vmbus/storvsp.c, tests.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "devices/disk.h"
#include "vmbus/scsi.h"

/* WRITE SAME: at most this many blocks per command (VPD 0xB0), written
 * to the host in chunks of WS_CHUNK_BLOCKS. */
#define WS_MAX_BLOCKS	0x10000u
#define WS_CHUNK_BLOCKS 64u

struct scsi_lun {
	struct disk *disk;
	uint64_t blocks;
	uint32_t max_xfer;
	char vendor[8], product[16], revision[4];
	char serial[33];
};

/* ---- byte helpers (SCSI fields are big-endian) -------------------------- */

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/* Space-padded ASCII field (INQUIRY vendor/product/revision). */
static void pad_copy(char *dst, size_t n, const char *src)
{
	memset(dst, ' ', n);
	size_t l = strlen(src);
	memcpy(dst, src, l < n ? l : n);
}

/* ---- results ------------------------------------------------------------ */

static void check_condition(struct scsi_cmd *c, uint8_t key, uint8_t asc,
			    uint8_t ascq)
{
	c->status = SCSI_STATUS_CHECK_CONDITION;
	c->xfer = 0;
	memset(c->sense, 0, sizeof(c->sense));
	c->sense[0] = 0x70; /* current error, fixed format */
	c->sense[2] = key;
	c->sense[7] = SCSI_SENSE_LEN - 8; /* additional sense length */
	c->sense[12] = asc;
	c->sense[13] = ascq;
	c->sense_len = SCSI_SENSE_LEN;
}

static void invalid_field(struct scsi_cmd *c)
{
	check_condition(c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_CDB,
			0);
}

/* ---- the data buffer (buf, or the segments iov) ---------------------- */

static bool has_buf(const struct scsi_cmd *c)
{
	return c->iov ? c->iovcnt > 0 : c->buf != NULL;
}

/* Copy n (<= buf_len) bytes between mem and the start of the buffer. */
static void buf_copy(const struct scsi_cmd *c, uint8_t *mem, uint32_t n,
		     bool to_buf)
{
	if (!c->iov) {
		if (to_buf)
			memcpy(c->buf, mem, n);
		else
			memcpy(mem, c->buf, n);
		return;
	}
	for (unsigned i = 0; i < c->iovcnt && n > 0; i++) {
		size_t k = c->iov[i].iov_len < n ? c->iov[i].iov_len : n;
		if (to_buf)
			memcpy(c->iov[i].iov_base, mem, k);
		else
			memcpy(mem, c->iov[i].iov_base, k);
		mem += k;
		n -= (uint32_t)k;
	}
}

/* Data-in: send min(have, allocation length, buffer) bytes of src. */
static void data_in(struct scsi_cmd *c, const uint8_t *src, uint32_t have,
		    uint32_t alloc)
{
	uint32_t n = have < alloc ? have : alloc;
	if (n > c->buf_len)
		n = c->buf_len;
	if (n > 0 && has_buf(c))
		buf_copy(c, (uint8_t *)(uintptr_t)src, n, true);
	else
		n = 0;
	c->xfer = n;
}

/* ---- INQUIRY ------------------------------------------------------------ */

static const uint8_t vpd_pages[] = {0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2};

/* A VPD page into out[]; returns its total length. */
static uint32_t vpd_page(const struct scsi_lun *l, uint8_t page, uint8_t *out)
{
	uint32_t len = 0; /* page length (bytes after the 4-byte header) */
	out[1] = page;
	switch (page) {
	case 0x00: /* supported pages */
		len = sizeof(vpd_pages);
		memcpy(out + 4, vpd_pages, len);
		break;
	case 0x80: /* unit serial number */
		len = (uint32_t)strlen(l->serial);
		memcpy(out + 4, l->serial, len);
		break;
	case 0x83: /* device identification: one T10 vendor ID designator */
		out[4] = 0x02; /* code set: ASCII */
		out[5] = 0x01; /* association: LU; type: T10 vendor ID */
		out[7] = (uint8_t)(8 + strlen(l->serial));
		memcpy(out + 8, l->vendor, 8);
		memcpy(out + 16, l->serial, strlen(l->serial));
		len = 4u + out[7];
		break;
	case 0xB0: /* block limits */
		len = 0x3C;
		put_be16(out + 6, 4096 / SCSI_BLOCK_SIZE); /* granularity */
		put_be32(out + 8, l->max_xfer / SCSI_BLOCK_SIZE);
		put_be32(out + 12, l->max_xfer / SCSI_BLOCK_SIZE);
		out[4] = 0x01; /* WSNZ: WRITE SAME of 0 blocks is refused */
		put_be64(out + 36, WS_MAX_BLOCKS);
		break;
	case 0xB1: /* block device characteristics */
		len = 0x3C;
		put_be16(out + 4, 1); /* non-rotating medium */
		break;
	case 0xB2: /* logical block provisioning: none (fully provisioned) */
		len = 4;
		break;
	default: /* unsupported: empty page, see the file header */
		break;
	}
	put_be16(out + 2, len);
	return 4 + len;
}

static void cmd_inquiry(struct scsi_lun *l, struct scsi_cmd *c)
{
	const uint8_t *cdb = c->cdb;
	uint8_t out[96] = {0};
	uint32_t alloc = be16(cdb + 3);
	if (cdb[1] & 0x01) {
		data_in(c, out, vpd_page(l, cdb[2], out), alloc);
		return;
	}
	if (cdb[2] != 0) { /* page code without EVPD */
		invalid_field(c);
		return;
	}
	out[0] = 0x00; /* peripheral: connected, direct-access block */
	out[2] = 0x06; /* version: SPC-4 */
	out[3] = 0x12; /* HISUP, response data format 2 */
	out[4] = 36 - 5;
	out[7] = 0x02; /* CMDQUE */
	memcpy(out + 8, l->vendor, 8);
	memcpy(out + 16, l->product, 16);
	memcpy(out + 32, l->revision, 4);
	data_in(c, out, 36, alloc);
}

/* ---- MODE SENSE --------------------------------------------------------- */

/* Page `page` (0x08, 0x0A or 0x3F) for page control pc into out; returns
 * its length, or -1 if unsupported. */
static int mode_pages(uint8_t page, uint8_t pc, uint8_t *out)
{
	int n = 0;
	bool changeable = pc == 1; /* nothing is changeable: all zero */
	if (page == 0x08 || page == 0x3F) {
		out[n] = 0x08;
		out[n + 1] = 0x12;
		if (!changeable)
			out[n + 2] = 0x04; /* WCE */
		n += 20;
	}
	if (page == 0x0A || page == 0x3F) {
		out[n] = 0x0A;
		out[n + 1] = 0x0A;
		n += 12;
	}
	return n ? n : -1;
}

static void cmd_mode_sense(struct scsi_lun *l, struct scsi_cmd *c)
{
	const uint8_t *cdb = c->cdb;
	bool ten = cdb[0] == 0x5A;
	bool dbd = cdb[1] & 0x08;
	uint8_t pc = cdb[2] >> 6, page = cdb[2] & 0x3F;
	uint32_t alloc = ten ? be16(cdb + 7) : cdb[4];
	if (pc == 3) { /* saved values */
		check_condition(c, SCSI_KEY_ILLEGAL_REQUEST,
				SCSI_ASC_SAVING_NOT_SUPPORTED, 0);
		return;
	}
	uint8_t out[128] = {0};
	uint32_t hdr = ten ? 8 : 4, bd = dbd ? 0 : 8;
	int pl = cdb[3] == 0 ? mode_pages(page, pc, out + hdr + bd) : -1;
	if (pl < 0) {
		invalid_field(c);
		return;
	}
	if (bd) { /* short block descriptor */
		uint8_t *b = out + hdr;
		uint64_t nb = l->blocks > 0xFFFFFF ? 0xFFFFFF : l->blocks;
		put_be32(b, (uint32_t)nb); /* byte 0 (density) stays 0 */
		put_be32(b + 4, SCSI_BLOCK_SIZE);
	}
	uint32_t total = hdr + bd + (uint32_t)pl;
	if (ten) {
		put_be16(out, total - 2);
		put_be16(out + 6, bd);
	} else {
		out[0] = (uint8_t)(total - 1);
		out[3] = (uint8_t)bd;
	}
	data_in(c, out, total, alloc);
}

/* ---- capacity, LUNs, sense, no-ops -------------------------------------- */

static void cmd_read_capacity10(struct scsi_lun *l, struct scsi_cmd *c)
{
	uint8_t out[8];
	uint64_t last = l->blocks - 1;
	put_be32(out, last > 0xFFFFFFFF ? 0xFFFFFFFF : (uint32_t)last);
	put_be32(out + 4, SCSI_BLOCK_SIZE);
	data_in(c, out, sizeof(out), sizeof(out));
}

static void cmd_service_action_in16(struct scsi_lun *l, struct scsi_cmd *c)
{
	if ((c->cdb[1] & 0x1F) != 0x10) { /* only READ CAPACITY(16) */
		invalid_field(c);
		return;
	}
	uint8_t out[32] = {0};
	put_be64(out, l->blocks - 1);
	put_be32(out + 8, SCSI_BLOCK_SIZE);
	data_in(c, out, sizeof(out), be32(c->cdb + 10));
}

static void cmd_report_luns(struct scsi_lun *l, struct scsi_cmd *c)
{
	(void)l;
	uint32_t alloc = be32(c->cdb + 6);
	if (alloc < 16) {
		invalid_field(c);
		return;
	}
	uint8_t out[16] = {0};
	put_be32(out, 8); /* one LUN: LUN 0 */
	data_in(c, out, sizeof(out), alloc);
}

static void cmd_request_sense(struct scsi_lun *l, struct scsi_cmd *c)
{
	(void)l;
	uint8_t out[SCSI_SENSE_LEN] = {0x70};
	out[7] = SCSI_SENSE_LEN - 8;
	data_in(c, out, sizeof(out), c->cdb[4]);
}

static void cmd_good(struct scsi_lun *l, struct scsi_cmd *c)
{
	(void)l;
	(void)c;
}

/* ---- media access ------------------------------------------------------- */

static void cmd_rw(struct scsi_lun *l, struct scsi_cmd *c)
{
	const uint8_t *cdb = c->cdb;
	bool sixteen = cdb[0] == 0x88 || cdb[0] == 0x8A;
	bool write = cdb[0] == 0x2A || cdb[0] == 0x8A;
	uint64_t lba = sixteen ? be64(cdb + 2) : be32(cdb + 2);
	uint64_t nblk = sixteen ? be32(cdb + 10) : be16(cdb + 7);
	if (lba > l->blocks || nblk > l->blocks - lba) {
		check_condition(c, SCSI_KEY_ILLEGAL_REQUEST,
				SCSI_ASC_LBA_OUT_OF_RANGE, 0);
		return;
	}
	uint64_t bytes = nblk * SCSI_BLOCK_SIZE;
	if (bytes == 0)
		return; /* SBC: transfer length 0 moves nothing; GOOD */
	if (bytes > c->buf_len || !has_buf(c)) {
		invalid_field(c);
		return;
	}
	struct iovec one = {c->buf, c->buf_len};
	enum disk_status st = disk_submitv(
	    l->disk, write ? DISK_WRITE : DISK_READ, lba * SCSI_BLOCK_SIZE,
	    bytes, c->iov ? c->iov : &one, c->iov ? c->iovcnt : 1, c->now,
	    &c->done);
	if (st != DISK_OK) {
		check_condition(c, SCSI_KEY_MEDIUM_ERROR,
				write ? SCSI_ASC_WRITE_ERROR
				      : SCSI_ASC_UNRECOVERED_READ,
				0);
		return;
	}
	c->xfer = (uint32_t)bytes;
}

/* WRITE SAME(10/16): one block from the initiator (or zeros with
 * NDOB) written over the range; UNMAP/ANCHOR are ignored (no thin
 * provisioning: the blocks are written). */
static void cmd_write_same(struct scsi_lun *l, struct scsi_cmd *c)
{
	const uint8_t *cdb = c->cdb;
	bool sixteen = cdb[0] == 0x93;
	bool ndob = sixteen && (cdb[1] & 0x01);
	uint64_t lba = sixteen ? be64(cdb + 2) : be32(cdb + 2);
	uint64_t nblk = sixteen ? be32(cdb + 10) : be16(cdb + 7);
	if (nblk == 0 || nblk > WS_MAX_BLOCKS ||
	    (!ndob && (!has_buf(c) || c->buf_len < SCSI_BLOCK_SIZE))) {
		invalid_field(c);
		return;
	}
	if (lba > l->blocks || nblk > l->blocks - lba) {
		check_condition(c, SCSI_KEY_ILLEGAL_REQUEST,
				SCSI_ASC_LBA_OUT_OF_RANGE, 0);
		return;
	}
	uint8_t block[SCSI_BLOCK_SIZE] = {0};
	uint8_t chunk[WS_CHUNK_BLOCKS * SCSI_BLOCK_SIZE];
	if (!ndob)
		buf_copy(c, block, SCSI_BLOCK_SIZE, false);
	for (unsigned i = 0; i < WS_CHUNK_BLOCKS; i++)
		memcpy(chunk + i * SCSI_BLOCK_SIZE, block, SCSI_BLOCK_SIZE);
	for (uint64_t done = 0; done < nblk;) {
		uint64_t n = nblk - done < WS_CHUNK_BLOCKS ? nblk - done
							   : WS_CHUNK_BLOCKS;
		if (disk_submit(l->disk, DISK_WRITE,
				(lba + done) * SCSI_BLOCK_SIZE,
				n * SCSI_BLOCK_SIZE, chunk, c->now,
				&c->done) != DISK_OK) {
			check_condition(c, SCSI_KEY_MEDIUM_ERROR,
					SCSI_ASC_WRITE_ERROR, 0);
			return;
		}
		done += n;
	}
	c->xfer = ndob ? 0 : SCSI_BLOCK_SIZE;
}

static void cmd_sync_cache(struct scsi_lun *l, struct scsi_cmd *c)
{
	if (disk_submit(l->disk, DISK_FLUSH, 0, 0, NULL, c->now, &c->done) !=
	    DISK_OK)
		check_condition(c, SCSI_KEY_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR,
				0);
}

/* ---- the command table -------------------------------------------------- */

struct scsi_cmd_desc {
	uint8_t opcode;
	uint8_t cdb_len; /* the CDB must be at least this long */
	const char *name;
	void (*run)(struct scsi_lun *l, struct scsi_cmd *c);
};

/* clang-format off */
static const struct scsi_cmd_desc cmds[] = {
	/* opcode len  name                      handler */
	{0x00, 6,  "TEST UNIT READY",         cmd_good},
	{0x03, 6,  "REQUEST SENSE",           cmd_request_sense},
	{0x12, 6,  "INQUIRY",                 cmd_inquiry},
	{0x1A, 6,  "MODE SENSE(6)",           cmd_mode_sense},
	{0x1B, 6,  "START STOP UNIT",         cmd_good},
	{0x25, 10, "READ CAPACITY(10)",       cmd_read_capacity10},
	{0x28, 10, "READ(10)",                cmd_rw},
	{0x2A, 10, "WRITE(10)",               cmd_rw},
	{0x35, 10, "SYNCHRONIZE CACHE(10)",   cmd_sync_cache},
	{0x41, 10, "WRITE SAME(10)",          cmd_write_same},
	{0x5A, 10, "MODE SENSE(10)",          cmd_mode_sense},
	{0x88, 16, "READ(16)",                cmd_rw},
	{0x8A, 16, "WRITE(16)",               cmd_rw},
	{0x91, 16, "SYNCHRONIZE CACHE(16)",   cmd_sync_cache},
	{0x93, 16, "WRITE SAME(16)",          cmd_write_same},
	{0x9E, 16, "SERVICE ACTION IN(16)",   cmd_service_action_in16},
	{0xA0, 12, "REPORT LUNS",             cmd_report_luns},
};
/* clang-format on */

void scsi_execute(struct scsi_lun *l, struct scsi_cmd *c)
{
	c->status = SCSI_STATUS_GOOD;
	c->xfer = 0;
	c->sense_len = 0;
	c->done = c->now;
	if (!c->cdb || c->cdb_len == 0 || c->cdb_len > SCSI_MAX_CDB) {
		invalid_field(c);
		return;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (cmds[i].opcode != c->cdb[0])
			continue;
		if (c->cdb_len < cmds[i].cdb_len)
			invalid_field(c);
		else
			cmds[i].run(l, c);
		return;
	}
	check_condition(c, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_OPCODE,
			0);
}

/* ---- lifetime ----------------------------------------------------------- */

struct scsi_lun *scsi_lun_create(struct disk *disk,
				 const struct scsi_config *cfg)
{
	static const struct scsi_config defaults = {0};
	if (!cfg)
		cfg = &defaults;
	uint64_t blocks = disk ? disk_size(disk) / SCSI_BLOCK_SIZE : 0;
	if (blocks == 0)
		return NULL;
	struct scsi_lun *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->disk = disk;
	l->blocks = blocks;
	l->max_xfer =
	    cfg->max_transfer_bytes ? cfg->max_transfer_bytes : 256u << 10;
	pad_copy(l->vendor, 8, cfg->vendor ? cfg->vendor : "Msft");
	pad_copy(l->product, 16, cfg->product ? cfg->product : "Virtual Disk");
	pad_copy(l->revision, 4, cfg->revision ? cfg->revision : "1.0");
	const char *s = cfg->serial ? cfg->serial : "hvsim-0";
	size_t n = strlen(s);
	if (n > 32)
		n = 32;
	memcpy(l->serial, s, n);
	return l;
}

void scsi_lun_destroy(struct scsi_lun *l)
{
	free(l);
}

uint64_t scsi_lun_blocks(const struct scsi_lun *l)
{
	return l->blocks;
}
