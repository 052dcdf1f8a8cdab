/*
 * vmbus/storvsp.c — the storvsc protocol, host side (vmbus.md §6.2, §6.3;
 * vmbus-linux61.md §2.4): initialization, then SCSI requests (EXECUTE_SRB)
 * run by vmbus/scsi.c on devices/disk.c.
 *
 * Channel state machine (table `ops`: which states accept which
 * operation, and the handler that makes the transition):
 *   WAIT_BEGIN --BEGIN_INITIALIZATION--> WAIT_VERSION
 *   WAIT_VERSION --QUERY_PROTOCOL_VERSION (supported)--> VERSIONED
 *   VERSIONED --QUERY_PROPERTIES--> VERSIONED --END_INITIALIZATION--> READY
 *   READY: EXECUTE_SRB, RESET_*, QUERY_PROPERTIES.
 * An operation in the wrong state is answered INVALID_DEVICE_STATE and
 * traced; an unknown one INVALID_DEVICE_REQUEST (we offer no
 * sub-channels: CREATE_SUB_CHANNELS is refused).
 *
 * Wire sizes depend on the negotiated version: before WIN8 (0x0501) the
 * vmscsi_request is 0x24 bytes and Linux sends 48-byte vstor_packets (it
 * also does so for the init operations before a version is agreed);
 * from WIN8 on it is 0x34 and packets are 64 bytes. We read no further
 * than the size that applies and always answer with 64 bytes (Linux's
 * minimum for a completion with a non-zero trans_id).
 *
 * Data: an SRB with data comes in a GPA-direct packet; its page list is
 * parsed by vmbus/gpadl.c (every page in the child's RAM, into one GPADL
 * object reused for every request) and mapped (gpadl_map: host pointers
 * to the pages' pieces, adjacent ones merged), and the SCSI target moves
 * the bytes straight between those pages and the image (preadv/pwritev)
 * or its own answer — no bounce buffer. Every page the host may have
 * written is then reported with physmem_note_write (code tracking, write
 * watches): the bytes moved after a success, the whole buffer after a
 * failed read (it may hold part of the data). The modelled cost of the
 * data movement (cost.bytes_per_cycle) is charged as before. Caller:
 * vmbus/storvsp_vsp.c (the VSP framework glue), tests, fuzzers.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/mmu.h"
#include "sim/le.h"
#include "traces/trace.h"
#include "vmbus/gpadl.h"
#include "vmbus/scsi.h"
#include "vmbus/storvsp.h"

/* VSP work in ring 0 of the parent, per operation (cycles). Estimates:
 * a control operation is a parse + a 64-byte answer (~0.5 µs at 3 GHz);
 * an SRB adds building the SCSI request and the completion (~1 µs), and
 * the data movement runs at ~16 bytes per cycle. */
static const struct {
	cycles_t control, srb, bytes_per_cycle;
} cost = {1500, 3000, 16};

#define DEFAULT_MAX_XFER (256u << 10)

/* vstor_packet layout (§6.2): op @0, flags @4, status @8, union @12. */
#define VP_OP		 0
#define VP_FLAGS	 4
#define VP_STATUS	 8
#define VP_U		 12
#define VP_SIZE_PRE_WIN8 48u /* 12 + vmscsi_request V1 (0x24) */
/* vmscsi_request offsets inside the union. */
#define SRB_LENGTH	 0
#define SRB_SRB_ST	 2
#define SRB_SCSI_ST	 3
#define SRB_PATH	 5
#define SRB_TARGET	 6
#define SRB_LUN		 7
#define SRB_CDB_LEN	 8
#define SRB_SENSE_LEN	 9
#define SRB_DATA_IN	 10
#define SRB_XFER_LEN	 12
#define SRB_CDB		 16 /* union with the sense data on completion */
#define SRB_CDB_SIZE	 20
#define DATA_IN_WRITE	 0
#define DATA_IN_READ	 1
#define DATA_IN_NONE	 2

#define VER_WIN8 0x0501

struct storvsp {
	struct storvsp_config cfg;
	enum storvsp_state state;
	uint16_t version;
	struct gpadl *pages;	 /* the current SRB's page list (reused) */
	struct gpadl_seg *seg;	 /* its pieces, mapped */
	struct iovec *iov;	 /* the same, adjacent pieces merged */
	unsigned seg_max;	 /* entries in seg[] and iov[] */
	uint16_t trace_chan; /* the open channel's relid, for records */
	struct storvsp_stats stats;
};

/* The current request while it is handled. */
struct req {
	struct storvsp *s;
	struct physmem *mem;
	const uint8_t *pkt; /* whole packet */
	uint32_t pkt_len;   /* len8 * 8 */
	uint16_t type;
	uint32_t data_off; /* offset8 * 8 */
	const uint8_t *vp; /* vstor_packet (payload) */
	uint32_t vp_len;
	cycles_t now;
	struct storvsp_reply *out;
};

/* Start the reply: COMPLETE_IO with `status`, the request's union echoed
 * (as much as the guest sent). */
static void reply(struct req *r, uint32_t status, cycles_t work)
{
	struct storvsp_reply *o = r->out;
	memset(o->pkt, 0, sizeof(o->pkt));
	uint32_t n =
	    r->vp_len < STORVSP_PKT_SIZE ? r->vp_len : STORVSP_PKT_SIZE;
	if (n > VP_U)
		memcpy(o->pkt + VP_U, r->vp + VP_U, n - VP_U);
	le_put32(o->pkt + VP_OP, STORVSP_OP_COMPLETE_IO);
	le_put32(o->pkt + VP_STATUS, status);
	o->ready_at = r->now;
	o->cost = work;
	o->xfer = 0;
}

/* ---- init operations ---------------------------------------------------- */

static void op_begin(struct req *r)
{
	reply(r, STORVSP_ST_SUCCESS, cost.control);
	r->s->state = STORVSP_WAIT_VERSION;
}

static bool version_supported(uint16_t v)
{
	static const uint16_t ok[] = {0x0602, 0x0600, 0x0501, 0x0402, 0x0200};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (ok[i] == v)
			return true;
	return false;
}

static void op_query_protocol(struct req *r)
{
	uint16_t v = le_get16(r->vp + VP_U);
	if (!version_supported(v)) {
		reply(r, STORVSP_ST_REVISION_MISMATCH, cost.control);
		return;
	}
	reply(r, STORVSP_ST_SUCCESS, cost.control);
	r->s->version = v;
	r->s->state = STORVSP_VERSIONED;
}

static void op_query_properties(struct req *r)
{
	reply(r, STORVSP_ST_SUCCESS, cost.control);
	uint8_t *u = r->out->pkt + VP_U;
	memset(u, 0, STORVSP_PKT_SIZE - VP_U);
	/* max_channel_cnt @4 = 0, flags @8 = 0: no sub-channels. */
	le_put32(u + 12, r->s->cfg.max_transfer_bytes);
}

static void op_end(struct req *r)
{
	reply(r, STORVSP_ST_SUCCESS, cost.control);
	r->s->state = STORVSP_READY;
}

static void op_reset(struct req *r)
{
	reply(r, STORVSP_ST_SUCCESS, cost.control);
}

/* ---- EXECUTE_SRB -------------------------------------------------------- */

static void srb_done(struct req *r, uint32_t status, uint8_t srb_st,
		     uint8_t scsi_st, uint32_t xfer)
{
	uint8_t *u = r->out->pkt + VP_U;
	le_put32(r->out->pkt + VP_STATUS, status);
	u[SRB_SRB_ST] = srb_st;
	u[SRB_SCSI_ST] = scsi_st;
	le_put32(u + SRB_XFER_LEN, xfer);
	r->out->xfer = xfer;
}

/* An SRB for a path/target/LUN we do not have: standard INQUIRY says
 * "no LU here" (peripheral 0x7F, 36 bytes), REPORT LUNS lists no LUN
 * (the 8-byte header), the rest INVALID_LUN (§6.3). REPORT LUNS must not
 * fail: Linux 6.1's storvsc answers INVALID_LUN by removing the LUN at
 * channel 0 whatever the path, so a failing REPORT LUNS on path 1..7
 * (scsi_scan_host probes them all) removed the real disk at 0:0:0:0. */
static void srb_no_lun(struct req *r, const uint8_t *cdb, uint32_t len,
		       struct gpadl *g)
{
	bool inquiry = cdb[0] == 0x12 && !(cdb[1] & 1);
	bool report_luns = cdb[0] == 0xA0;

	if ((inquiry || report_luns) && g && len >= 1) {
		uint8_t inq[36] = {0x7F, 0, 0, 0, 36 - 5};
		uint8_t no_luns[8] = {0};
		const uint8_t *data = inquiry ? inq : no_luns;
		uint32_t size = inquiry ? sizeof(inq) : sizeof(no_luns);
		uint32_t n = len < size ? len : size;
		if (gpadl_copy_to(g, 0, data, n) == GPADL_OK) {
			srb_done(r, STORVSP_ST_SUCCESS, STORVSP_SRB_SUCCESS,
				 SCSI_STATUS_GOOD, n);
			return;
		}
	}
	srb_done(r, STORVSP_ST_DEVICE_DOES_NOT_EXIST, STORVSP_SRB_INVALID_LUN,
		 SCSI_STATUS_CHECK_CONDITION, 0);
}

/* The data buffer of a GPA-direct packet, or NULL (refused). */
static struct gpadl *srb_buffer(struct req *r, uint32_t len)
{
	if (r->type != 0x9 || r->data_off < 24)
		return NULL;
	uint32_t cnt = le_get32(r->pkt + 20);
	struct storvsp *s = r->s;
	if (gpadl_reparse_ranges(&s->pages, r->mem, cnt, r->pkt + 24,
				 r->data_off - 24) != GPADL_OK ||
	    gpadl_size(s->pages) < len)
		return NULL;
	return s->pages;
}

/* Map the first len bytes of g into s->iov (adjacent pieces merged);
 * the pieces stay in s->seg[0 .. *nseg). 0, or -1 if they cannot be
 * mapped. */
static int map_buffer(struct storvsp *s, struct gpadl *g, uint32_t len,
		      unsigned *nseg, unsigned *niov)
{
	*niov = 0;
	if (gpadl_map(g, 0, len, s->seg, s->seg_max, nseg) != GPADL_OK)
		return -1;
	for (unsigned i = 0; i < *nseg; i++) {
		struct iovec *last = *niov ? &s->iov[*niov - 1] : NULL;
		if (last && (uint8_t *)last->iov_base + last->iov_len ==
				s->seg[i].host)
			last->iov_len += s->seg[i].len;
		else
			s->iov[(*niov)++] =
			    (struct iovec){s->seg[i].host, s->seg[i].len};
	}
	return 0;
}

/* The host wrote (or may have written) the first len bytes of the
 * mapped pieces: tell the child's memory, piece by piece. */
static void note_written(struct storvsp *s, struct physmem *mem,
			 unsigned nseg, uint32_t len)
{
	for (unsigned i = 0; i < nseg && len > 0; i++) {
		size_t n = s->seg[i].len < len ? s->seg[i].len : len;
		physmem_note_write(mem, s->seg[i].gpa, n);
		len -= (uint32_t)n;
	}
}

static void srb_run(struct req *r, uint8_t *u, struct gpadl *g, uint32_t len,
		    uint8_t dir)
{
	struct storvsp *s = r->s;
	unsigned nseg = 0, niov = 0;
	if (len && map_buffer(s, g, len, &nseg, &niov) != 0) {
		srb_done(r, STORVSP_ST_INVALID_PARAMETER, STORVSP_SRB_ERROR, 0,
			 0);
		return;
	}
	struct scsi_cmd c = {.cdb = u + SRB_CDB,
			     .cdb_len = u[SRB_CDB_LEN],
			     .buf_len = len,
			     .iov = len ? s->iov : NULL,
			     .iovcnt = niov,
			     .now = r->now};
	scsi_execute(s->cfg.lun, &c);
	if (dir == DATA_IN_READ)
		note_written(s, r->mem, nseg,
			     c.status == SCSI_STATUS_GOOD ? c.xfer : len);
	r->out->ready_at = c.done > r->now ? c.done : r->now;
	r->out->cost += len / cost.bytes_per_cycle;
	if (dir == DATA_IN_READ)
		s->stats.bytes_out += c.xfer;
	else if (dir == DATA_IN_WRITE)
		s->stats.bytes_in += c.xfer;
	if (c.status == SCSI_STATUS_GOOD) {
		srb_done(r, STORVSP_ST_SUCCESS, STORVSP_SRB_SUCCESS, c.status,
			 c.xfer);
		return;
	}
	uint8_t *rs = r->out->pkt + VP_U;
	uint8_t key = c.sense[2] & 0xF;
	memset(rs + SRB_CDB, 0, SRB_CDB_SIZE);
	memcpy(rs + SRB_CDB, c.sense, c.sense_len);
	rs[SRB_SENSE_LEN] = (uint8_t)c.sense_len;
	srb_done(r, STORVSP_ST_SUCCESS,
		 (key == SCSI_KEY_ILLEGAL_REQUEST ? STORVSP_SRB_INVALID_REQUEST
						  : STORVSP_SRB_ERROR) |
		     STORVSP_SRB_AUTOSENSE_VALID,
		 c.status, 0);
}

static void op_execute_srb(struct req *r)
{
	struct storvsp *s = r->s;
	s->stats.srbs++;
	reply(r, STORVSP_ST_SUCCESS, cost.srb);
	uint8_t *u = r->out->pkt + VP_U; /* the echoed request */
	uint32_t len = le_get32(u + SRB_XFER_LEN);
	uint8_t dir = u[SRB_DATA_IN];
	if (dir == DATA_IN_NONE)
		len = 0;
	if (u[SRB_CDB_LEN] == 0 || u[SRB_CDB_LEN] > SCSI_MAX_CDB ||
	    dir > DATA_IN_NONE || len > s->cfg.max_transfer_bytes) {
		srb_done(r, STORVSP_ST_INVALID_PARAMETER,
			 STORVSP_SRB_INVALID_REQUEST, 0, 0);
		return;
	}
	struct gpadl *g = len ? srb_buffer(r, len) : NULL;
	if (len && !g) {
		srb_done(r, STORVSP_ST_INVALID_PARAMETER,
			 STORVSP_SRB_INVALID_REQUEST, 0, 0);
		return;
	}
	if (u[SRB_PATH] || u[SRB_TARGET] || u[SRB_LUN])
		srb_no_lun(r, u + SRB_CDB, len, g);
	else
		srb_run(r, u, g, len, dir);
}

/* ---- dispatch ----------------------------------------------------------- */

#define IN(st) (1u << (st))

struct op_row {
	uint32_t op;
	const char *name;
	unsigned states; /* IN(state) mask where the operation is legal */
	bool gpa_direct; /* may come as a GPA-direct packet */
	void (*run)(struct req *r);
};

/* clang-format off */
static const struct op_row ops[] = {
	{STORVSP_OP_BEGIN_INIT, "BEGIN_INITIALIZATION",
	 IN(STORVSP_WAIT_BEGIN), false, op_begin},
	{STORVSP_OP_QUERY_PROTOCOL, "QUERY_PROTOCOL_VERSION",
	 IN(STORVSP_WAIT_VERSION), false, op_query_protocol},
	{STORVSP_OP_QUERY_PROPERTIES, "QUERY_PROPERTIES",
	 IN(STORVSP_VERSIONED) | IN(STORVSP_READY), false, op_query_properties},
	{STORVSP_OP_END_INIT, "END_INITIALIZATION",
	 IN(STORVSP_VERSIONED), false, op_end},
	{STORVSP_OP_EXECUTE_SRB, "EXECUTE_SRB",
	 IN(STORVSP_READY), true, op_execute_srb},
	{STORVSP_OP_RESET_LUN, "RESET_LUN", IN(STORVSP_READY), false, op_reset},
	{STORVSP_OP_RESET_ADAPTER, "RESET_ADAPTER", IN(STORVSP_READY), false,
	 op_reset},
	{STORVSP_OP_RESET_BUS, "RESET_BUS", IN(STORVSP_READY), false, op_reset},
};
/* clang-format on */

/* Every reply and every refusal is a storvsp_complete record: arg0 = the
 * NT status (non-zero for a refusal), arg1 = bytes moved. (The request's
 * vsp_complete stage is recorded by the VSP framework, vmbus/vsp.c.) */
static void emit(struct storvsp *s, cycles_t cycle, uint64_t trans_id,
		 uint32_t status, uint32_t bytes)
{
	if (!s->cfg.trace)
		return;
	struct trace_rec rec = {.cycle = cycle,
				.kind = TK_STORVSP_COMPLETE,
				.part = s->cfg.trace_part,
				.chan = s->trace_chan,
				.txn = trans_id,
				.arg0 = status,
				.arg1 = bytes};
	trace_emit(s->cfg.trace, &rec);
}

/* The vstor_packet size the guest must send for this operation. */
static uint32_t needed_len(const struct storvsp *s, uint32_t op)
{
	if (op == STORVSP_OP_EXECUTE_SRB && s->version >= VER_WIN8)
		return STORVSP_PKT_SIZE;
	return VP_SIZE_PRE_WIN8;
}

static void dispatch(struct req *r)
{
	struct storvsp *s = r->s;
	uint32_t op = le_get32(r->vp + VP_OP);
	const struct op_row *row = NULL;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].op == op)
			row = &ops[i];
	if (!row || (r->type == 0x9 && !row->gpa_direct)) {
		s->stats.refused++;
		reply(r, STORVSP_ST_INVALID_DEVICE_REQUEST, cost.control);
	} else if (r->vp_len < needed_len(s, op)) {
		s->stats.refused++;
		reply(r, STORVSP_ST_INVALID_PARAMETER, cost.control);
	} else if (!(row->states & IN(s->state))) {
		s->stats.bad_state++;
		reply(r, STORVSP_ST_INVALID_DEVICE_STATE, cost.control);
	} else {
		row->run(r);
	}
}

enum storvsp_result storvsp_handle(struct storvsp *s, struct physmem *mem,
				   const uint8_t *pkt, uint32_t len,
				   cycles_t now, struct storvsp_reply *out)
{
	s->stats.packets++;
	if (!pkt || len < 16) {
		s->stats.refused++;
		emit(s, now, 0, STORVSP_ST_INVALID_PARAMETER, 0);
		return STORVSP_REFUSED;
	}
	uint32_t off = le_get16(pkt + 2) * 8u, plen = le_get16(pkt + 4) * 8u;
	struct req r = {.s = s,
			.mem = mem,
			.pkt = pkt,
			.pkt_len = plen,
			.type = le_get16(pkt),
			.data_off = off,
			.vp = pkt + off,
			.vp_len = plen - off,
			.now = now,
			.out = out};
	bool wants = le_get16(pkt + 6) & 1;
	out->trans_id = (uint64_t)le_get32(pkt + 8) | (uint64_t)le_get32(pkt + 12)
						      << 32;
	if (off < 16 || off > plen || plen > len ||
	    (r.type != 0x6 && r.type != 0x9) || r.vp_len < VP_U + 4) {
		s->stats.refused++;
		if (!wants || plen > len || off > plen) {
			emit(s, now, out->trans_id,
			     STORVSP_ST_INVALID_PARAMETER, 0);
			return STORVSP_REFUSED;
		}
		r.vp_len = 0;
		reply(&r, STORVSP_ST_INVALID_PARAMETER, cost.control);
	} else {
		dispatch(&r);
	}
	if (!wants)
		return STORVSP_NO_REPLY;
	s->stats.replies++;
	emit(s, out->ready_at, out->trans_id, le_get32(out->pkt + VP_STATUS),
	     out->xfer);
	return STORVSP_REPLY;
}

/* ---- lifetime ----------------------------------------------------------- */

struct storvsp *storvsp_create(const struct storvsp_config *cfg)
{
	if (!cfg || !cfg->lun)
		return NULL;
	struct storvsp *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cfg = *cfg;
	if (s->cfg.max_transfer_bytes == 0)
		s->cfg.max_transfer_bytes = DEFAULT_MAX_XFER;
	/* The most pieces max_transfer_bytes can span (gpadl.h). */
	s->seg_max = s->cfg.max_transfer_bytes / GPADL_PAGE_SIZE +
		     2 * GPADL_MAX_RANGES + 1;
	s->seg = calloc(s->seg_max, sizeof(*s->seg));
	s->iov = calloc(s->seg_max, sizeof(*s->iov));
	if (!s->seg || !s->iov) {
		storvsp_destroy(s);
		return NULL;
	}
	return s;
}

void storvsp_destroy(struct storvsp *s)
{
	if (!s)
		return;
	gpadl_destroy(s->pages);
	free(s->seg);
	free(s->iov);
	free(s);
}

void storvsp_reset(struct storvsp *s)
{
	s->state = STORVSP_WAIT_BEGIN;
	s->version = 0;
}

void storvsp_set_trace_chan(struct storvsp *s, uint16_t relid)
{
	s->trace_chan = relid;
}

enum storvsp_state storvsp_state(const struct storvsp *s)
{
	return s->state;
}

uint16_t storvsp_version(const struct storvsp *s)
{
	return s->version;
}

void storvsp_get_stats(const struct storvsp *s, struct storvsp_stats *out)
{
	*out = s->stats;
}
