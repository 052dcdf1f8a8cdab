/*
 * tests/fuzz/gen_corpus_data.c — seeds of fuzz_gpadl, fuzz_ring and
 * fuzz_storvsp (their input formats are described at the top of each
 * target), and the storvsc packet builders (vmbus.md §6.2, §6.3) that the
 * chanmsg seeds use too.
 */
#include <string.h>

#include "tests/fuzz/gen_corpus.h"

/* ---- vstor_packets (vmbus.md §6.2) --------------------------------------- */

/* A 64-byte vstor_packet: operation, status 0, the union's first u16. */
void vstor(uint8_t p[64], uint32_t op, uint16_t u0)
{
	memset(p, 0, 64);
	memcpy(p, &op, 4);
	memcpy(p + 12, &u0, 2);
}

/* EXECUTE_SRB: vmscsi_request at 12 {length u16, srb_status, scsi_status,
 * reserved, path, target, lun, cdb_length @8, sense_len, data_in @10,
 * reserved, transfer_length @12, cdb @16}. */
void srb(uint8_t p[64], uint8_t dir, uint32_t xfer, const uint8_t *cdb,
		uint8_t cdb_len)
{
	vstor(p, 3, 0x34);
	p[12 + 8] = cdb_len;
	p[12 + 9] = 20;
	p[12 + 10] = dir;
	memcpy(p + 12 + 12, &xfer, 4);
	memcpy(p + 12 + 16, cdb, cdb_len);
}

const uint8_t cdb_inquiry[6] = {0x12, 0, 0, 0, 36, 0};
const uint8_t cdb_capacity[10] = {0x25};
const uint8_t cdb_read[10] = {0x28, 0, 0, 0, 0, 2, 0, 0, 8, 0};
const uint8_t cdb_write[10] = {0x2A, 0, 0, 0, 0, 4, 0, 0, 8, 0};
const uint8_t cdb_sync[10] = {0x35};

/* ---- gpadl ----------------------------------------------------------------- */

void gen_gpadl(void)
{
	static struct seed s;
	uint32_t count = 6 * 4096;

	/* kind 0: header with 2 PFNs + one body of 4, then copies. */
	s.n = 0;
	u8(&s, 31);
	u8(&s, 0);
	u16(&s, 1);
	u16(&s, 8 + 6 * 8);
	u8(&s, 8 + 2 * 8);
	u32(&s, count);
	u32(&s, 0);
	u64(&s, 3);
	u64(&s, 4);
	u8(&s, 4 * 8);
	for (uint64_t i = 5; i < 9; i++)
		u64(&s, i);
	u64(&s, 100);
	u16(&s, 5000);
	u64(&s, 0);
	u16(&s, 8192);
	save(&s);

	/* kind 1: two ranges with offsets. */
	s.n = 0;
	u8(&s, 15);
	u8(&s, 1);
	u32(&s, 2);
	u16(&s, 8 + 8 + 8 + 16);
	u32(&s, 100);
	u32(&s, 4000);
	u64(&s, 2);
	u32(&s, 5000);
	u32(&s, 10);
	u64(&s, 7);
	u64(&s, 8);
	u64(&s, 50);
	u16(&s, 200);
	save(&s);

	/* kind 2: a storvsc GPA-direct packet with one 8 KiB range. */
	s.n = 0;
	u8(&s, 15);
	u8(&s, 2);
	u16(&s, 48 + 64);
	u16(&s, 9);
	u16(&s, 6);		 /* offset8: 48 bytes of header */
	u16(&s, (48 + 64) / 8); /* len8 */
	u16(&s, 1);
	u64(&s, 0x1234);
	u32(&s, 0);
	u32(&s, 1);
	u32(&s, 8192);
	u32(&s, 0);
	u64(&s, 9);
	u64(&s, 10);
	for (unsigned i = 0; i < 64; i++)
		u8(&s, 0);
	u64(&s, 0);
	u16(&s, 8192);
	save(&s);
}

/* ---- ring ------------------------------------------------------------------ */

void gen_ring(void)
{
	static struct seed s;
	uint8_t d[16 + 16 + 8] = {0x6, 0, 2, 0, 4, 0, 1, 0};

	s.n = 0;
	u8(&s, 4); /* 8 pages */
	for (uint8_t i = 0; i < 8; i++)
		u8(&s, (uint8_t)(4 + i));
	u8(&s, 4);  /* downstream ring at page 4 */
	u16(&s, 68); /* the g→h ring's header: */
	u32(&s, sizeof(d)); /* write index past one packet */
	for (unsigned i = 4; i < 64; i++)
		u8(&s, 0);
	u32(&s, 1); /* feature bits */
	memcpy(d + 8, "trans_id", 8);
	memcpy(d + 16, "payload payload!", 16);
	u8(&s, 6); /* the guest writes the packet at data offset 0 */
	u16(&s, 4096);
	u8(&s, sizeof(d));
	bytes(&s, d, sizeof(d));
	/* peek, copy, consume, write, read, poke, write, used */
	u8(&s, 0);
	u16(&s, 0);
	u8(&s, 2);
	u16(&s, 16);
	u16(&s, 16);
	u8(&s, 3);
	u8(&s, 4);
	u8(&s, 3);
	u8(&s, 1);
	u16(&s, 0);
	u16(&s, 40);
	u8(&s, 1);
	u16(&s, 4096);
	u8(&s, 5);
	u8(&s, 0x80 | 1);
	u32(&s, 0);
	u8(&s, 4);
	u8(&s, 0);
	u8(&s, 0);
	u16(&s, 0);
	u16(&s, 11000);
	u8(&s, 8);
	save(&s);
}

/* ---- storvsp --------------------------------------------------------------- */

static void inband(struct seed *s, const uint8_t *p, uint8_t len)
{
	u8(s, 1);
	u8(s, 1);
	u8(s, len);
	bytes(s, p, len);
}

static void gpa_direct(struct seed *s, uint32_t count, uint8_t first,
		       uint8_t npfn, const uint8_t *p)
{
	u8(s, 2);
	u32(s, count);
	u16(s, 0);
	u8(s, npfn);
	for (uint8_t i = 0; i < npfn; i++)
		u8(s, (uint8_t)(first + i));
	u8(s, 64);
	bytes(s, p, 64);
}

void gen_storvsp(void)
{
	static struct seed s;
	uint8_t p[64];

	s.n = 0;
	u16(&s, 64);
	for (unsigned i = 0; i < 64; i++)
		u8(&s, (uint8_t)i);
	vstor(p, 7, 0);
	inband(&s, p, 48);
	vstor(p, 9, 0x0602);
	inband(&s, p, 48);
	vstor(p, 10, 0);
	inband(&s, p, 48);
	vstor(p, 8, 0);
	inband(&s, p, 48);
	srb(p, 1, 36, cdb_inquiry, 6);
	gpa_direct(&s, 36, 4, 1, p);
	srb(p, 1, 8, cdb_capacity, 10);
	gpa_direct(&s, 8, 5, 1, p);
	srb(p, 0, 4096, cdb_write, 10);
	gpa_direct(&s, 4096, 6, 1, p);
	srb(p, 1, 4096, cdb_read, 10);
	gpa_direct(&s, 4096, 7, 1, p);
	srb(p, 2, 0, cdb_sync, 10);
	inband(&s, p, 64);
	vstor(p, 5, 0);
	inband(&s, p, 64);
	save(&s);
}
