/*
 * tests/unit/vmbus/test_storvsp.c — the storvsc protocol core
 * (vmbus/storvsp.c) with crafted packets, as Linux's storvsc writes them:
 * the init sequence (48-byte packets before a version is agreed, trans_id
 * 0xFFFFFFFFFFFFFFFD echoed), version fallback, properties, the state
 * machine refusing out-of-order operations, SRBs in-band and GPA-direct
 * (WRITE then READ through guest pages, data in the image file), absent
 * LUNs, sense with AUTOSENSE_VALID, every kind of malformed packet, and
 * a seeded mutation run.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "devices/disk.h"
#include "mmu/mmu.h"
#include "traces/trace.h"
#include "vmbus/scsi.h"
#include "vmbus/storvsp.h"

#define INIT_TID 0xFFFFFFFFFFFFFFFDull
#define RAM	 (1u << 20)

static char img[64];
static struct disk *dk;
static struct scsi_lun *lun;
static struct storvsp *vsp;
static struct physmem *mem;

static void setup(void)
{
	snprintf(img, sizeof(img), "/tmp/hvsim_storvsp_XXXXXX");
	int fd = mkstemp(img);
	cr_assert_geq(fd, 0);
	cr_assert_eq(0, ftruncate(fd, 1 << 20));
	close(fd);
	struct disk_config dc = {.path = img, .latency = 5000};
	char err[128];
	dk = disk_open(&dc, err, sizeof(err));
	cr_assert_not_null(dk, "%s", err);
	lun = scsi_lun_create(dk, NULL);
	struct storvsp_config sc = {.lun = lun};
	vsp = storvsp_create(&sc);
	cr_assert_not_null(vsp);
	mem = physmem_create(RAM);
	cr_assert_not_null(mem);
}

static void teardown(void)
{
	storvsp_destroy(vsp);
	scsi_lun_destroy(lun);
	disk_close(dk);
	physmem_destroy(mem);
	unlink(img);
}

TestSuite(storvsp, .init = setup, .fini = teardown);

/* ---- packet builders ---------------------------------------------------- */

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, uint32_t v)
{
	w16(p, (uint16_t)v);
	w16(p + 2, (uint16_t)(v >> 16));
}

static void w64(uint8_t *p, uint64_t v)
{
	w32(p, (uint32_t)v);
	w32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t r32(const uint8_t *p)
{
	return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t mk_inband(uint8_t *b, uint64_t tid, const uint8_t *vp,
			  uint32_t n)
{
	uint32_t len8 = (16 + n + 7) / 8;
	memset(b, 0, len8 * 8);
	w16(b, 6);
	w16(b + 2, 2);
	w16(b + 4, (uint16_t)len8);
	w16(b + 6, 1);
	w64(b + 8, tid);
	memcpy(b + 16, vp, n);
	return len8 * 8;
}

/* A GPA-direct packet with one range (Linux's form). */
static uint32_t mk_gpa(uint8_t *b, uint64_t tid, uint32_t count, uint32_t off,
		       const uint64_t *pfn, unsigned npfn, const uint8_t *vp,
		       uint32_t n)
{
	uint32_t off8 = 4 + npfn, len8 = off8 + (n + 7) / 8;
	memset(b, 0, len8 * 8);
	w16(b, 9);
	w16(b + 2, (uint16_t)off8);
	w16(b + 4, (uint16_t)len8);
	w16(b + 6, 1);
	w64(b + 8, tid);
	w32(b + 20, 1);
	w32(b + 24, count);
	w32(b + 28, off);
	for (unsigned i = 0; i < npfn; i++)
		w64(b + 32 + 8 * i, pfn[i]);
	memcpy(b + off8 * 8, vp, n);
	return len8 * 8;
}

static void mk_op(uint8_t *vp, uint32_t op)
{
	memset(vp, 0, 64);
	w32(vp, op);
	w32(vp + 4, 1);
}

static void mk_srb(uint8_t *vp, const uint8_t *cdb, uint8_t cdb_len,
		   uint8_t data_in, uint32_t xfer, uint8_t target)
{
	mk_op(vp, STORVSP_OP_EXECUTE_SRB);
	uint8_t *u = vp + 12;
	w16(u, 0x34);
	u[6] = target;
	u[8] = cdb_len;
	u[9] = 0x14;
	u[10] = data_in;
	w32(u + 12, xfer);
	memcpy(u + 16, cdb, cdb_len);
	u[38] = 0xFF;
	u[39] = 0x20;
	w32(u + 40, data_in == 1 ? 0x48 : data_in == 0 ? 0x88 : 0x8);
	w32(u + 44, 60);
}

static struct storvsp_reply rep;

static enum storvsp_result send(const uint8_t *b, uint32_t len, cycles_t now)
{
	memset(&rep, 0xA5, sizeof(rep));
	return storvsp_handle(vsp, mem, b, len, now, &rep);
}

static uint32_t rep_status(void)
{
	return r32(rep.pkt + 8);
}

/* An init operation with Linux's pre-negotiation 48-byte packet. */
static void init_op(uint32_t op, uint16_t version, uint32_t want_status)
{
	uint8_t vp[64], b[128];
	mk_op(vp, op);
	w16(vp + 12, version);
	cr_assert_eq(STORVSP_REPLY, send(b, mk_inband(b, INIT_TID, vp, 48), 7));
	cr_assert_eq(INIT_TID, rep.trans_id);
	cr_assert_eq(STORVSP_OP_COMPLETE_IO, r32(rep.pkt));
	cr_assert_eq(want_status, rep_status(), "op %u: status %#x", op,
		     rep_status());
	cr_assert_eq(7, rep.ready_at);
}

static void init_ready(void)
{
	init_op(STORVSP_OP_BEGIN_INIT, 0, 0);
	init_op(STORVSP_OP_QUERY_PROTOCOL, 0x0602, 0);
	init_op(STORVSP_OP_QUERY_PROPERTIES, 0, 0);
	init_op(STORVSP_OP_END_INIT, 0, 0);
	cr_assert_eq(STORVSP_READY, storvsp_state(vsp));
}

/* ---- init --------------------------------------------------------------- */

Test(storvsp, linux_init_sequence_reaches_ready)
{
	cr_assert_eq(STORVSP_WAIT_BEGIN, storvsp_state(vsp));
	init_op(STORVSP_OP_BEGIN_INIT, 0, 0);
	cr_assert_eq(STORVSP_WAIT_VERSION, storvsp_state(vsp));
	init_op(STORVSP_OP_QUERY_PROTOCOL, 0x0602, 0);
	cr_assert_eq(0x0602, storvsp_version(vsp));
	cr_assert_eq(0x0602, rep.pkt[12] | rep.pkt[13] << 8, "version echoed");
	init_op(STORVSP_OP_QUERY_PROPERTIES, 0, 0);
	cr_assert_eq(0, rep.pkt[12 + 4] | rep.pkt[12 + 5] << 8, "channels");
	cr_assert_eq(0, r32(rep.pkt + 12 + 8), "flags: no multi-channel");
	cr_assert_eq(0x40000, r32(rep.pkt + 12 + 12), "max_transfer_bytes");
	init_op(STORVSP_OP_END_INIT, 0, 0);
	cr_assert_eq(STORVSP_READY, storvsp_state(vsp));
	cr_assert_gt(rep.cost, 0);
}

Test(storvsp, unknown_version_is_revision_mismatch_then_fallback)
{
	init_op(STORVSP_OP_BEGIN_INIT, 0, 0);
	init_op(STORVSP_OP_QUERY_PROTOCOL, 0x0700,
		STORVSP_ST_REVISION_MISMATCH);
	cr_assert_eq(STORVSP_WAIT_VERSION, storvsp_state(vsp));
	init_op(STORVSP_OP_QUERY_PROTOCOL, 0x0600, 0);
	cr_assert_eq(0x0600, storvsp_version(vsp));
}

Test(storvsp, out_of_order_operations_are_refused_by_state)
{
	init_op(STORVSP_OP_END_INIT, 0, STORVSP_ST_INVALID_DEVICE_STATE);
	init_op(STORVSP_OP_QUERY_PROPERTIES, 0,
		STORVSP_ST_INVALID_DEVICE_STATE);
	init_op(STORVSP_OP_BEGIN_INIT, 0, 0);
	init_op(STORVSP_OP_BEGIN_INIT, 0, STORVSP_ST_INVALID_DEVICE_STATE);
	init_op(STORVSP_OP_END_INIT, 0, STORVSP_ST_INVALID_DEVICE_STATE);
	cr_assert_eq(STORVSP_WAIT_VERSION, storvsp_state(vsp));
	uint8_t vp[64], b[128], tur[6] = {0};
	mk_srb(vp, tur, 6, 2, 0, 0);
	send(b, mk_inband(b, 1, vp, 64), 0);
	cr_assert_eq(STORVSP_ST_INVALID_DEVICE_STATE, rep_status());
	struct storvsp_stats st;
	storvsp_get_stats(vsp, &st);
	cr_assert_eq(5, st.bad_state);
	storvsp_reset(vsp);
	cr_assert_eq(STORVSP_WAIT_BEGIN, storvsp_state(vsp));
}

Test(storvsp, unknown_operation_and_sub_channels_are_invalid_requests)
{
	init_ready();
	init_op(STORVSP_OP_CREATE_SUB_CHANNELS, 0,
		STORVSP_ST_INVALID_DEVICE_REQUEST);
	init_op(99, 0, STORVSP_ST_INVALID_DEVICE_REQUEST);
	init_op(STORVSP_OP_RESET_BUS, 0, 0);
}

/* ---- SRBs --------------------------------------------------------------- */

static void srb_inband(const uint8_t *cdb, uint8_t n, uint8_t target,
		       uint64_t tid, cycles_t now)
{
	uint8_t vp[64], b[128];
	mk_srb(vp, cdb, n, 2, 0, target);
	cr_assert_eq(STORVSP_REPLY, send(b, mk_inband(b, tid, vp, 64), now));
	cr_assert_eq(tid, rep.trans_id);
}

Test(storvsp, test_unit_ready_in_band_succeeds)
{
	init_ready();
	uint8_t tur[6] = {0};
	srb_inband(tur, 6, 0, 42, 1000);
	cr_assert_eq(STORVSP_OP_COMPLETE_IO, r32(rep.pkt));
	cr_assert_eq(0, rep_status());
	cr_assert_eq(STORVSP_SRB_SUCCESS, rep.pkt[12 + 2]);
	cr_assert_eq(SCSI_STATUS_GOOD, rep.pkt[12 + 3]);
	cr_assert_eq(1000, rep.ready_at);
}

Test(storvsp, unknown_scsi_opcode_returns_autosense)
{
	init_ready();
	uint8_t cdb[10] = {0xC7};
	srb_inband(cdb, 10, 0, 5, 0);
	cr_assert_eq(SCSI_STATUS_CHECK_CONDITION, rep.pkt[12 + 3]);
	cr_assert_eq(STORVSP_SRB_INVALID_REQUEST | STORVSP_SRB_AUTOSENSE_VALID,
		     rep.pkt[12 + 2]);
	cr_assert_eq(SCSI_SENSE_LEN, rep.pkt[12 + 9]);
	const uint8_t *sense = rep.pkt + 12 + 16;
	cr_assert_eq(0x70, sense[0]);
	cr_assert_eq(SCSI_KEY_ILLEGAL_REQUEST, sense[2]);
	cr_assert_eq(SCSI_ASC_INVALID_OPCODE, sense[12]);
	cr_assert_eq(0, r32(rep.pkt + 12 + 12), "no bytes moved");
}

Test(storvsp, absent_target_inquiry_is_7f_other_commands_invalid_lun)
{
	init_ready();
	uint8_t vp[64], b[256], cdb[6] = {0x12, 0, 0, 0, 36, 0};
	uint64_t pfn = 0x10;
	physmem_write(mem, 0x10000, 1, 0x00);
	mk_srb(vp, cdb, 6, 1, 36, 1);
	send(b, mk_gpa(b, 9, 36, 0, &pfn, 1, vp, 64), 0);
	cr_assert_eq(STORVSP_SRB_SUCCESS, rep.pkt[12 + 2]);
	cr_assert_eq(36, r32(rep.pkt + 12 + 12));
	cr_assert_eq(0x7F, physmem_read(mem, 0x10000, 1));
	cr_assert_eq(31, physmem_read(mem, 0x10004, 1), "additional length");
	uint8_t tur[6] = {0};
	srb_inband(tur, 6, 1, 10, 0);
	cr_assert_eq(STORVSP_SRB_INVALID_LUN, rep.pkt[12 + 2]);
	cr_assert_eq(STORVSP_ST_DEVICE_DOES_NOT_EXIST, rep_status());
}

Test(storvsp, absent_target_report_luns_lists_no_lun_and_succeeds)
{
	init_ready();
	uint8_t vp[64], b[256], cdb[12] = {0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 16};
	uint64_t pfn = 0x10;
	for (int i = 0; i < 16; i++)
		physmem_write(mem, 0x10000 + (uint64_t)i, 1, 0xEE);
	mk_srb(vp, cdb, 12, 1, 16, 1);
	send(b, mk_gpa(b, 9, 16, 0, &pfn, 1, vp, 64), 0);
	cr_assert_eq(STORVSP_SRB_SUCCESS, rep.pkt[12 + 2]);
	cr_assert_eq(SCSI_STATUS_GOOD, rep.pkt[12 + 3]);
	cr_assert_eq(8, r32(rep.pkt + 12 + 12), "the header only");
	cr_assert_eq(0, physmem_read(mem, 0x10000, 8), "LUN list length 0");
	cr_assert_eq(0xEE, physmem_read(mem, 0x10008, 1), "nothing more");
}

static void rw10(uint8_t *cdb, uint8_t op, uint32_t lba, uint16_t n)
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

Test(storvsp, write_then_read_through_guest_pages)
{
	init_ready();
	/* 8 KiB written from an unaligned buffer spanning 3 guest pages. */
	uint8_t data[8192], back[8192];
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 1);
	cr_assert_eq(0,
		     physmem_copy_to(mem, 0x20000 + 0x200, data, sizeof(data)));
	uint64_t wpfn[3] = {0x20, 0x21, 0x22};
	uint8_t vp[64], b[256], cdb[10];
	rw10(cdb, 0x2A, 64, 16);
	mk_srb(vp, cdb, 10, 0, sizeof(data), 0);
	cr_assert_eq(
	    STORVSP_REPLY,
	    send(b, mk_gpa(b, 77, sizeof(data), 0x200, wpfn, 3, vp, 64), 100));
	cr_assert_eq(77, rep.trans_id);
	cr_assert_eq(STORVSP_SRB_SUCCESS, rep.pkt[12 + 2]);
	cr_assert_eq(sizeof(data), r32(rep.pkt + 12 + 12));
	cr_assert_eq(100 + 5000, rep.ready_at, "held until the disk is done");
	cr_assert_geq(rep.cost, 3000 + sizeof(data) / 16);

	/* Read it back into two other, scattered pages. */
	uint64_t rpfn[2] = {0x40, 0x33};
	rw10(cdb, 0x28, 64, 16);
	mk_srb(vp, cdb, 10, 1, sizeof(back), 0);
	send(b, mk_gpa(b, 78, sizeof(back), 0, rpfn, 2, vp, 64), 200);
	cr_assert_eq(STORVSP_SRB_SUCCESS, rep.pkt[12 + 2]);
	cr_assert_eq(100 + 5000 + 5000, rep.ready_at,
		     "queued behind the write");
	cr_assert_eq(0, physmem_copy_from(mem, back, 0x40000, 4096));
	cr_assert_eq(0, physmem_copy_from(mem, back + 4096, 0x33000, 4096));
	cr_assert_arr_eq(data, back, sizeof(data));

	/* And it is in the image file at LBA 64. */
	cr_assert_eq(0, disk_close(dk));
	dk = NULL;
	FILE *f = fopen(img, "rb");
	cr_assert_not_null(f);
	fseek(f, 64 * 512, SEEK_SET);
	cr_assert_eq(sizeof(back), fread(back, 1, sizeof(back), f));
	fclose(f);
	cr_assert_arr_eq(data, back, sizeof(data));
	struct storvsp_stats st;
	storvsp_get_stats(vsp, &st);
	cr_assert_eq(sizeof(data), st.bytes_in);
	cr_assert_eq(sizeof(back), st.bytes_out);
}

Test(storvsp, pre_win8_version_uses_48_byte_srbs)
{
	init_op(STORVSP_OP_BEGIN_INIT, 0, 0);
	init_op(STORVSP_OP_QUERY_PROTOCOL, 0x0402, 0);
	init_op(STORVSP_OP_QUERY_PROPERTIES, 0, 0);
	init_op(STORVSP_OP_END_INIT, 0, 0);
	uint8_t vp[64], b[128], tur[6] = {0};
	mk_srb(vp, tur, 6, 2, 0, 0);
	send(b, mk_inband(b, 3, vp, 48), 0);
	cr_assert_eq(STORVSP_SRB_SUCCESS, rep.pkt[12 + 2]);
	cr_assert_eq(0, rep_status());
}

/* ---- malformed packets -------------------------------------------------- */

Test(storvsp, truncated_or_inconsistent_descriptors_are_refused)
{
	init_ready();
	uint8_t b[128] = {6, 0, 2, 0};
	cr_assert_eq(STORVSP_REFUSED, send(b, 8, 0));
	cr_assert_eq(STORVSP_REFUSED, send(NULL, 0, 0));
	uint8_t vp[64], tur[6] = {0};
	mk_srb(vp, tur, 6, 2, 0, 0);
	uint32_t n = mk_inband(b, 4, vp, 64);
	cr_assert_eq(STORVSP_REFUSED, send(b, n - 8, 0), "len8 beyond buffer");
	w16(b + 2, 11); /* offset8 past len8 */
	cr_assert_eq(STORVSP_REFUSED, send(b, n, 0));
	n = mk_inband(b, 4, vp, 64);
	w16(b + 2, 1); /* offset8 inside the descriptor: answered as error */
	cr_assert_eq(STORVSP_REPLY, send(b, n, 0));
	cr_assert_eq(STORVSP_ST_INVALID_PARAMETER, rep_status());
	n = mk_inband(b, 4, vp, 64);
	w16(b, 7); /* transfer-page packet: not storvsc's */
	cr_assert_eq(STORVSP_REPLY, send(b, n, 0));
	cr_assert_eq(STORVSP_ST_INVALID_PARAMETER, rep_status());
	struct storvsp_stats st;
	storvsp_get_stats(vsp, &st);
	cr_assert_eq(6, st.refused);
}

Test(storvsp, short_srb_packet_after_win8_is_invalid_parameter)
{
	init_ready();
	uint8_t vp[64], b[128], tur[6] = {0};
	mk_srb(vp, tur, 6, 2, 0, 0);
	send(b, mk_inband(b, 4, vp, 48), 0);
	cr_assert_eq(STORVSP_ST_INVALID_PARAMETER, rep_status());
	cr_assert_eq(4, rep.trans_id);
}

static void expect_invalid_srb(void)
{
	cr_assert_eq(STORVSP_SRB_INVALID_REQUEST, rep.pkt[12 + 2]);
	cr_assert_eq(STORVSP_ST_INVALID_PARAMETER, rep_status());
	cr_assert_eq(0, r32(rep.pkt + 12 + 12));
}

Test(storvsp, bad_srb_fields_and_buffers_are_invalid_requests)
{
	init_ready();
	uint8_t vp[64], b[512], cdb[10];
	uint64_t pfn[2] = {0x20, 0x21};
	rw10(cdb, 0x28, 0, 8);
	/* Data expected but sent in-band. */
	mk_srb(vp, cdb, 10, 1, 4096, 0);
	send(b, mk_inband(b, 1, vp, 64), 0);
	expect_invalid_srb();
	/* A page outside the child's RAM. */
	uint64_t far[1] = {RAM / 4096 + 5};
	send(b, mk_gpa(b, 2, 4096, 0, far, 1, vp, 64), 0);
	expect_invalid_srb();
	/* The page list describes less than the transfer length. */
	send(b, mk_gpa(b, 3, 2048, 0, pfn, 1, vp, 64), 0);
	expect_invalid_srb();
	/* More than max_transfer_bytes. */
	mk_srb(vp, cdb, 10, 1, 0x40000 + 512, 0);
	send(b, mk_gpa(b, 4, 4096, 0, pfn, 1, vp, 64), 0);
	expect_invalid_srb();
	/* cdb_length 0 and 17; data_in 3. */
	mk_srb(vp, cdb, 10, 2, 0, 0);
	vp[12 + 8] = 0;
	send(b, mk_inband(b, 5, vp, 64), 0);
	expect_invalid_srb();
	vp[12 + 8] = 17;
	send(b, mk_inband(b, 6, vp, 64), 0);
	expect_invalid_srb();
	mk_srb(vp, cdb, 10, 3, 0, 0);
	send(b, mk_inband(b, 7, vp, 64), 0);
	expect_invalid_srb();
	/* An init operation in a GPA-direct packet. */
	mk_op(vp, STORVSP_OP_QUERY_PROPERTIES);
	send(b, mk_gpa(b, 8, 4096, 0, pfn, 1, vp, 64), 0);
	cr_assert_eq(STORVSP_ST_INVALID_DEVICE_REQUEST, rep_status());
	/* The guest pages were not written. */
	cr_assert_eq(0, physmem_read(mem, 0x20000, 8));
}

Test(storvsp, no_completion_requested_gets_no_reply)
{
	uint8_t vp[64], b[128];
	mk_op(vp, STORVSP_OP_BEGIN_INIT);
	uint32_t n = mk_inband(b, 1, vp, 48);
	w16(b + 6, 0);
	cr_assert_eq(STORVSP_NO_REPLY, send(b, n, 0));
	cr_assert_eq(STORVSP_WAIT_VERSION, storvsp_state(vsp), "still acted");
}

/* Seeded mutations of valid packets: never a crash, every reply is a
 * 64-byte COMPLETE_IO echoing the trans_id, nothing past the RAM. */
Test(storvsp, seeded_mutations_are_answered_safely)
{
	init_ready();
	uint8_t vp[64], base[3][512], b[512], cdb[10];
	uint32_t blen[3];
	uint64_t pfn[3] = {0x20, 0x21, 0x22};
	rw10(cdb, 0x2A, 10, 8);
	mk_srb(vp, cdb, 10, 0, 4096, 0);
	blen[0] = mk_gpa(base[0], 11, 4096, 0x10, pfn, 2, vp, 64);
	rw10(cdb, 0x28, 10, 8);
	mk_srb(vp, cdb, 10, 1, 4096, 0);
	blen[1] = mk_gpa(base[1], 12, 4096, 0, pfn + 1, 2, vp, 64);
	uint8_t inq[6] = {0x12, 1, 0x83, 0, 255, 0};
	mk_srb(vp, inq, 6, 2, 0, 0);
	blen[2] = mk_inband(base[2], 13, vp, 64);
	uint32_t x = 0xDEADBEEF;
	for (int i = 0; i < 30000; i++) {
		x = x * 1664525u + 1013904223u;
		int k = (int)(x >> 28) % 3;
		memcpy(b, base[k], blen[k]);
		int flips = 1 + (int)((x >> 8) % 4);
		for (int f = 0; f < flips; f++) {
			x = x * 1664525u + 1013904223u;
			b[(x >> 8) % blen[k]] = (uint8_t)(x >> 24);
		}
		uint32_t len = blen[k] - ((x & 0x10) ? (x >> 4) % 16 : 0);
		enum storvsp_result res = send(b, len, (cycles_t)i);
		if (res == STORVSP_REPLY) {
			cr_assert_eq(STORVSP_OP_COMPLETE_IO, r32(rep.pkt));
			cr_assert_geq(rep.ready_at, (cycles_t)i);
			uint64_t tid = r32(b + 8) | (uint64_t)r32(b + 12) << 32;
			cr_assert_eq(tid, rep.trans_id);
		}
		if (storvsp_state(vsp) != STORVSP_READY) {
			storvsp_reset(vsp);
			init_ready();
		}
	}
}

/* Replies and refusals are recorded as vsp_complete (status, bytes). */
Test(storvsp, replies_and_refusals_are_traced)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/hvsim_stvtr_XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	const char *names[] = {"parent", "child"};
	struct trace_info ti = {
	    .freq_hz = 1000000000, .nr_parts = 2, .part_names = names};
	char err[128];
	struct trace *t = trace_open(path, &ti, err, sizeof(err));
	cr_assert_not_null(t, "%s", err);
	struct storvsp_config sc = {.lun = lun, .trace = t, .trace_part = 1};
	struct storvsp *tv = storvsp_create(&sc);
	uint8_t vp[64], b[128];
	storvsp_set_trace_chan(tv, 5);
	mk_op(vp, STORVSP_OP_BEGIN_INIT);
	storvsp_handle(tv, mem, b, mk_inband(b, INIT_TID, vp, 48), 50, &rep);
	cr_assert_eq(STORVSP_REFUSED, storvsp_handle(tv, mem, b, 8, 60, &rep));
	storvsp_destroy(tv);
	cr_assert_eq(2, trace_count(t));
	cr_assert_eq(0, trace_close(t, err, sizeof(err)), "%s", err);

	struct trace_reader *rd = trace_reader_open(path, err, sizeof(err));
	cr_assert_not_null(rd, "%s", err);
	struct trace_rec r;
	cr_assert_eq(1, trace_reader_next(rd, &r));
	cr_assert_eq(TK_STORVSP_COMPLETE, r.kind);
	cr_assert_eq(1, r.part);
	cr_assert_eq(5, r.chan, "the channel's relid");
	cr_assert_eq(INIT_TID, r.txn);
	cr_assert_eq(0, r.arg0);
	cr_assert_eq(50, r.cycle);
	cr_assert_eq(1, trace_reader_next(rd, &r));
	cr_assert_eq(STORVSP_ST_INVALID_PARAMETER, r.arg0, "the refusal");
	cr_assert_eq(60, r.cycle);
	cr_assert_eq(0, trace_reader_next(rd, &r));
	trace_reader_close(rd);
	unlink(path);
}

/* The host file failing under a WRITE: SRB ERROR with MEDIUM ERROR
 * sense, the VSP goes on serving. */
Test(storvsp, host_write_error_is_medium_error_autosense)
{
	init_ready();
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = {.rlim_cur = 65536, .rlim_max = RLIM_INFINITY};
	cr_assert_eq(0, setrlimit(RLIMIT_FSIZE, &rl));
	uint8_t vp[64], b[256], cdb[10];
	uint64_t pfn = 0x20;
	rw10(cdb, 0x2A, 256, 8); /* byte 131072: beyond the limit */
	mk_srb(vp, cdb, 10, 0, 4096, 0);
	send(b, mk_gpa(b, 21, 4096, 0, &pfn, 1, vp, 64), 0);
	cr_assert_eq(STORVSP_SRB_ERROR | STORVSP_SRB_AUTOSENSE_VALID,
		     rep.pkt[12 + 2]);
	cr_assert_eq(SCSI_STATUS_CHECK_CONDITION, rep.pkt[12 + 3]);
	cr_assert_eq(SCSI_KEY_MEDIUM_ERROR, rep.pkt[12 + 16 + 2]);
	cr_assert_eq(SCSI_ASC_WRITE_ERROR, rep.pkt[12 + 16 + 12]);
	rw10(cdb, 0x2A, 8, 8); /* within the limit: fine */
	mk_srb(vp, cdb, 10, 0, 4096, 0);
	send(b, mk_gpa(b, 22, 4096, 0, &pfn, 1, vp, 64), 0);
	cr_assert_eq(STORVSP_SRB_SUCCESS, rep.pkt[12 + 2]);
}

/* The SCSI target writes straight into the guest's pages: a standard
 * INQUIRY lands across two scattered pages, and every page a READ wrote
 * — also a READ that failed half way (the image shrank under the disk)
 * — is reported to the child's memory (a decoded-code page's generation
 * moves). */
Test(storvsp, data_lands_in_guest_pages_and_is_reported_as_written)
{
	init_ready();
	uint8_t vp[64], b[256], cdb[10] = {0x12, 0, 0, 0, 36, 0};
	uint64_t ipfn[2] = {0x50, 0x52};
	mk_srb(vp, cdb, 6, 1, 36, 0);
	send(b, mk_gpa(b, 5, 36, 4080, ipfn, 2, vp, 64), 10);
	cr_assert_eq(STORVSP_SRB_SUCCESS, rep.pkt[12 + 2]);
	cr_assert_eq(36, r32(rep.pkt + 12 + 12));
	uint8_t inq[36];
	cr_assert_eq(0, physmem_copy_from(mem, inq, 0x50FF0, 16));
	cr_assert_eq(0, physmem_copy_from(mem, inq + 16, 0x52000, 20));
	cr_assert_eq(36 - 5, inq[4]);
	cr_assert_arr_eq("Msft    Virtual Disk    1.0 ", inq + 8, 28);

	uint64_t rpfn = 0x40;
	physmem_mark_code(mem, 0x40000);
	uint32_t gen = physmem_code_gen(mem, 0x40000);
	rw10(cdb, 0x28, 8, 8);
	mk_srb(vp, cdb, 10, 1, 4096, 0);
	send(b, mk_gpa(b, 6, 4096, 0, &rpfn, 1, vp, 64), 20);
	cr_assert_eq(STORVSP_SRB_SUCCESS, rep.pkt[12 + 2]);
	cr_assert_neq(gen, physmem_code_gen(mem, 0x40000), "read reported");

	cr_assert_eq(0, truncate(img, 4096 + 512));
	physmem_mark_code(mem, 0x40000);
	gen = physmem_code_gen(mem, 0x40000);
	rw10(cdb, 0x28, 8, 8); /* bytes 4096..8191: only 512 still exist */
	send(b, mk_gpa(b, 7, 4096, 0, &rpfn, 1, vp, 64), 30);
	cr_assert_eq(STORVSP_SRB_ERROR | STORVSP_SRB_AUTOSENSE_VALID,
		     rep.pkt[12 + 2]);
	cr_assert_eq(SCSI_KEY_MEDIUM_ERROR, rep.pkt[12 + 16 + 2]);
	cr_assert_eq(SCSI_ASC_UNRECOVERED_READ, rep.pkt[12 + 16 + 12]);
	cr_assert_eq(0, r32(rep.pkt + 12 + 12), "nothing reported moved");
	cr_assert_neq(gen, physmem_code_gen(mem, 0x40000),
		      "a partial read is reported too");
}
