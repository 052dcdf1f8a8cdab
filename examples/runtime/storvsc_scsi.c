/*
 * examples/runtime/storvsc_scsi.c — SCSI commands over the storage VSC
 * (storvsc.h): CDB builders (SBC/SPC layouts, big-endian fields;
 * ../shared/reference/vmbus.md §6.3) and synchronous helpers that submit
 * one command and wait for it. Protocol and queueing: storvsc.c.
 */
#include "storvsc.h"

#include "string.h"

#define OP_INQUIRY	   0x12
#define OP_READ_CAP10	   0x25
#define OP_READ10	   0x28
#define OP_WRITE10	   0x2A
#define OP_SYNC_CACHE10	   0x35
#define OP_READ16	   0x88
#define OP_WRITE16	   0x8A
#define OP_SERVICE_IN16	   0x9E
#define SA_READ_CAPACITY16 0x10

/* Big-endian stores of a CDB's fixed-size fields: a byte swap and one
 * move each (the builtin copy is inlined, unlike the runtime's memcpy). */
static void put_be16(uint8_t *p, uint16_t v)
{
	v = __builtin_bswap16(v);
	__builtin_memcpy(p, &v, 2);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	v = __builtin_bswap32(v);
	__builtin_memcpy(p, &v, 4);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	__builtin_memcpy(p, &v, 8);
}

static uint64_t get_be(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

uint8_t storvsc_cdb_rw(uint8_t *cdb, int write, uint64_t lba, uint32_t blocks,
		       int use16)
{
	/* Byte 1 (flags), the group number and the control byte are 0. */
	if (!use16) {
		cdb[0] = write ? OP_WRITE10 : OP_READ10;
		cdb[1] = 0;
		put_be32(cdb + 2, (uint32_t)lba);
		cdb[6] = 0;
		put_be16(cdb + 7, (uint16_t)blocks);
		cdb[9] = 0;
		return 10;
	}
	cdb[0] = write ? OP_WRITE16 : OP_READ16;
	cdb[1] = 0;
	put_be64(cdb + 2, lba);
	put_be32(cdb + 10, blocks);
	cdb[14] = 0;
	cdb[15] = 0;
	return 16;
}

uint8_t storvsc_cdb_read_capacity(uint8_t *cdb, int use16, uint32_t alloc)
{
	if (!use16) {
		memset(cdb, 0, 10);
		cdb[0] = OP_READ_CAP10;
		return 10;
	}
	memset(cdb, 0, 16);
	cdb[0] = OP_SERVICE_IN16;
	cdb[1] = SA_READ_CAPACITY16;
	put_be32(cdb + 10, alloc);
	return 16;
}

uint8_t storvsc_cdb_inquiry(uint8_t *cdb, uint8_t alloc)
{
	memset(cdb, 0, 6);
	cdb[0] = OP_INQUIRY;
	cdb[4] = alloc;
	return 6;
}

uint8_t storvsc_cdb_sync_cache(uint8_t *cdb)
{
	memset(cdb, 0, 10);
	cdb[0] = OP_SYNC_CACHE10;
	return 10;
}

int storvsc_cmd(struct storvsc *s, const uint8_t *cdb, uint8_t cdb_len,
		enum storvsc_dir dir, void *buf, uint32_t len,
		struct storvsc_req *out)
{
	int slot, err;

	/* Wait for a free slot if the caller has requests in flight. */
	while ((slot = storvsc_submit(s, cdb, cdb_len, dir, buf, len, 0)) ==
	       STORVSC_E_BUSY)
		if ((err = storvsc_wait(s)) < 0)
			return err;
	if (slot < 0)
		return slot;
	err = storvsc_wait_slot(s, slot);
	if (err)
		return err;
	if (out)
		*out = s->req[slot];
	storvsc_release(s, slot);
	return VMBUS_OK;
}

/* A command that must come back GOOD: 0, -1, or a negative error. */
static int cmd_good(struct storvsc *s, const uint8_t *cdb, uint8_t cdb_len,
		    enum storvsc_dir dir, void *buf, uint32_t len,
		    struct storvsc_req *out)
{
	struct storvsc_req r;
	int err = storvsc_cmd(s, cdb, cdb_len, dir, buf, len, &r);

	if (err)
		return err;
	if (out)
		*out = r;
	return storvsc_good(&r) ? 0 : -1;
}

int storvsc_inquiry(struct storvsc *s, uint8_t *buf, uint8_t alloc,
		    struct storvsc_req *out)
{
	uint8_t cdb[16];
	uint8_t n = storvsc_cdb_inquiry(cdb, alloc);

	return cmd_good(s, cdb, n, STORVSC_DATA_IN, buf, alloc, out);
}

int storvsc_capacity(struct storvsc *s, int use16, uint64_t *blocks,
		     uint32_t *block_size)
{
	uint8_t cdb[16], data[32];
	uint8_t n = storvsc_cdb_read_capacity(cdb, use16, sizeof(data));
	int err;

	memset(data, 0, sizeof(data));
	err = cmd_good(s, cdb, n, STORVSC_DATA_IN, data,
		       use16 ? sizeof(data) : 8, 0);
	if (err)
		return err;
	/* The last LBA, then the block length (SBC). */
	*blocks = use16 ? get_be(data, 8) + 1 : get_be(data, 4) + 1;
	*block_size = (uint32_t)get_be(data + (use16 ? 8 : 4), 4);
	return 0;
}

int storvsc_rw(struct storvsc *s, int write, uint64_t lba, uint32_t blocks,
	       uint32_t block_size, void *buf, struct storvsc_req *out)
{
	uint8_t cdb[16];
	int use16 = lba + blocks > 0xFFFFFFFFull || blocks > 0xFFFF;
	uint8_t n = storvsc_cdb_rw(cdb, write, lba, blocks, use16);

	return cmd_good(s, cdb, n,
			write ? STORVSC_DATA_OUT : STORVSC_DATA_IN, buf,
			blocks * block_size, out);
}

int storvsc_sync_cache(struct storvsc *s)
{
	uint8_t cdb[16];
	uint8_t n = storvsc_cdb_sync_cache(cdb);

	return cmd_good(s, cdb, n, STORVSC_NO_DATA, 0, 0, 0);
}
