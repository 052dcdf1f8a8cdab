/*
 * vmbus/chanmsg.c — decode and encode VMBus channel-management messages
 * (vmbus/chanmsg.h). Offsets are those of vmbus.md §4.4 (they include the
 * 8-byte header), checked against Linux 6.1 in vmbus-linux61.md §1b;
 * minimum sizes are Linux's min_payload_len for host→guest messages and
 * the structure sizes for guest→host ones (§4.3).
 *
 * Bytes are read and written one field at a time, little-endian, through
 * get/put helpers: no packed structs are overlaid on guest bytes, so
 * alignment and host byte order never matter. Each message type has one
 * row in `table` (name, direction, size, version) and, if we handle it,
 * a decode and an encode function in `codec`.
 */
#include <string.h>

#include "sim/le.h"
#include "vmbus/chanmsg.h"

/* ---- little-endian access ------------------------------------------------ */

static uint16_t get16(const uint8_t *p, unsigned off)
{
	return le_get16(p + off);
}

static uint32_t get32(const uint8_t *p, unsigned off)
{
	return le_get32(p + off);
}

static uint64_t get64(const uint8_t *p, unsigned off)
{
	return le_get64(p + off);
}

static void put16(uint8_t *p, unsigned off, uint16_t v)
{
	le_put16(p + off, v);
}

static void put32(uint8_t *p, unsigned off, uint32_t v)
{
	le_put32(p + off, v);
}

static void put64(uint8_t *p, unsigned off, uint64_t v)
{
	le_put64(p + off, v);
}

/* ---- the message table --------------------------------------------------- */

#define G2H  CHANMSG_G2H
#define H2G  CHANMSG_H2G
#define V(x) VMBUS_VERSION_##x

/* clang-format off */
static const struct chanmsg_info table[CHANMSG_COUNT] = {
    /*  type                              name                 dir  size  version */
    [CHANMSG_INVALID]              = {"INVALID",              CHANMSG_NONE, 8, 0},
    [CHANMSG_OFFERCHANNEL]         = {"OFFERCHANNEL",         H2G, 196, 0},
    [CHANMSG_RESCIND_CHANNELOFFER] = {"RESCIND_CHANNELOFFER", H2G,  12, 0},
    [CHANMSG_REQUESTOFFERS]        = {"REQUESTOFFERS",        G2H,   8, 0},
    [CHANMSG_ALLOFFERS_DELIVERED]  = {"ALLOFFERS_DELIVERED",  H2G,   8, 0},
    [CHANMSG_OPENCHANNEL]          = {"OPENCHANNEL",          G2H, 148, 0},
    [CHANMSG_OPENCHANNEL_RESULT]   = {"OPENCHANNEL_RESULT",   H2G,  20, 0},
    [CHANMSG_CLOSECHANNEL]         = {"CLOSECHANNEL",         G2H,  12, 0},
    [CHANMSG_GPADL_HEADER]         = {"GPADL_HEADER",         G2H,  20, 0},
    [CHANMSG_GPADL_BODY]           = {"GPADL_BODY",           G2H,  16, 0},
    [CHANMSG_GPADL_CREATED]        = {"GPADL_CREATED",        H2G,  20, 0},
    [CHANMSG_GPADL_TEARDOWN]       = {"GPADL_TEARDOWN",       G2H,  16, 0},
    [CHANMSG_GPADL_TORNDOWN]       = {"GPADL_TORNDOWN",       H2G,  12, 0},
    [CHANMSG_RELID_RELEASED]       = {"RELID_RELEASED",       G2H,  12, 0},
    [CHANMSG_INITIATE_CONTACT]     = {"INITIATE_CONTACT",     G2H,  40, 0},
    [CHANMSG_VERSION_RESPONSE]     = {"VERSION_RESPONSE",     H2G,  16, 0},
    [CHANMSG_UNLOAD]               = {"UNLOAD",               G2H,   8, V(WIN8_1)},
    [CHANMSG_UNLOAD_RESPONSE]      = {"UNLOAD_RESPONSE",      H2G,   8, V(WIN8_1)},
    [CHANMSG_18]                   = {"OPEN_RESERVED_CHANNEL", CHANMSG_NONE, 28, 0},
    [CHANMSG_19]                   = {"CLOSE_RESERVED_CHANNEL", CHANMSG_NONE, 20, 0},
    [CHANMSG_20]                   = {"CLOSE_RESERVED_RESPONSE", CHANMSG_NONE, 12, 0},
    [CHANMSG_TL_CONNECT_REQUEST]   = {"TL_CONNECT_REQUEST",   CHANMSG_NONE, 40, V(WIN10)},
    [CHANMSG_MODIFYCHANNEL]        = {"MODIFYCHANNEL",        G2H,  16, V(V4_1)},
    [CHANMSG_TL_CONNECT_RESULT]    = {"TL_CONNECT_RESULT",    CHANMSG_NONE, 44, V(V4_1)},
    [CHANMSG_MODIFYCHANNEL_RESPONSE] = {"MODIFYCHANNEL_RESPONSE", H2G, 16, V(V5_3)},
};
/* clang-format on */

const struct chanmsg_info *chanmsg_info(uint32_t type)
{
	return type < CHANMSG_COUNT ? &table[type] : NULL;
}

const char *chanmsg_err_name(int err)
{
	switch (err) {
	case CHANMSG_OK:
		return "ok";
	case CHANMSG_E_SHORT:
		return "short";
	case CHANMSG_E_LONG:
		return "long";
	case CHANMSG_E_TYPE:
		return "type";
	case CHANMSG_E_FIELD:
		return "field";
	}
	return "?";
}

/* ---- per-type codecs ----------------------------------------------------- *
 * dec(p, len, m): fields from p (len >= the table size already checked).
 * enc(m, p, cap): fields into p (zeroed, cap >= table size); returns the
 * size written. */

static int dec_none(const uint8_t *p, size_t len, struct chanmsg *m)
{
	(void)p, (void)len, (void)m;
	return CHANMSG_OK;
}

static int enc_none(const struct chanmsg *m, uint8_t *p, size_t cap)
{
	(void)p, (void)cap;
	return table[m->type].size;
}

static int dec_initiate(const uint8_t *p, size_t len, struct chanmsg *m)
{
	(void)len;
	m->u.initiate.version = get32(p, 8);
	m->u.initiate.target_vcpu = get32(p, 12);
	m->u.initiate.interrupt_page = get64(p, 16);
	m->u.initiate.monitor1 = get64(p, 24);
	m->u.initiate.monitor2 = get64(p, 32);
	return CHANMSG_OK;
}

static int enc_initiate(const struct chanmsg *m, uint8_t *p, size_t cap)
{
	(void)cap;
	put32(p, 8, m->u.initiate.version);
	put32(p, 12, m->u.initiate.target_vcpu);
	put64(p, 16, m->u.initiate.interrupt_page);
	put64(p, 24, m->u.initiate.monitor1);
	put64(p, 32, m->u.initiate.monitor2);
	return 40;
}

static int dec_version_response(const uint8_t *p, size_t len, struct chanmsg *m)
{
	(void)len;
	m->u.version_response.supported = p[8];
	m->u.version_response.conn_state = p[9];
	m->u.version_response.msg_conn_id = get32(p, 12);
	return CHANMSG_OK;
}

static int enc_version_response(const struct chanmsg *m, uint8_t *p, size_t cap)
{
	(void)cap;
	p[8] = m->u.version_response.supported;
	p[9] = m->u.version_response.conn_state;
	put32(p, 12, m->u.version_response.msg_conn_id);
	return 16;
}

static int dec_offer(const uint8_t *p, size_t len, struct chanmsg *m)
{
	(void)len;
	memcpy(m->u.offer.if_type, p + 8, 16);
	memcpy(m->u.offer.if_instance, p + 24, 16);
	m->u.offer.chn_flags = get16(p, 56);
	m->u.offer.mmio_megabytes = get16(p, 58);
	m->u.offer.sub_index = get16(p, 180);
	m->u.offer.relid = get32(p, 184);
	m->u.offer.monitorid = p[188];
	m->u.offer.monitor_allocated = p[189] & 1;
	m->u.offer.dedicated_interrupt = get16(p, 190) & 1;
	m->u.offer.connection_id = get32(p, 192);
	return CHANMSG_OK;
}

static int enc_offer(const struct chanmsg *m, uint8_t *p, size_t cap)
{
	(void)cap;
	memcpy(p + 8, m->u.offer.if_type, 16);
	memcpy(p + 24, m->u.offer.if_instance, 16);
	put16(p, 56, m->u.offer.chn_flags);
	put16(p, 58, m->u.offer.mmio_megabytes);
	put16(p, 180, m->u.offer.sub_index);
	put32(p, 184, m->u.offer.relid);
	p[188] = m->u.offer.monitorid;
	p[189] = m->u.offer.monitor_allocated & 1;
	put16(p, 190, m->u.offer.dedicated_interrupt & 1);
	put32(p, 192, m->u.offer.connection_id);
	return CHANMSG_OFFER_SIZE;
}

static int dec_chan(const uint8_t *p, size_t len, struct chanmsg *m)
{
	(void)len;
	m->u.chan.relid = get32(p, 8);
	return CHANMSG_OK;
}

static int enc_chan(const struct chanmsg *m, uint8_t *p, size_t cap)
{
	(void)cap;
	put32(p, 8, m->u.chan.relid);
	return 12;
}

static int dec_open(const uint8_t *p, size_t len, struct chanmsg *m)
{
	(void)len;
	m->u.open.relid = get32(p, 8);
	m->u.open.openid = get32(p, 12);
	m->u.open.gpadl = get32(p, 16);
	m->u.open.target_vp = get32(p, 20);
	m->u.open.downstream_offset = get32(p, 24);
	memcpy(m->u.open.userdata, p + 28, CHANMSG_USERDATA_LEN);
	return CHANMSG_OK;
}

static int enc_open(const struct chanmsg *m, uint8_t *p, size_t cap)
{
	(void)cap;
	put32(p, 8, m->u.open.relid);
	put32(p, 12, m->u.open.openid);
	put32(p, 16, m->u.open.gpadl);
	put32(p, 20, m->u.open.target_vp);
	put32(p, 24, m->u.open.downstream_offset);
	memcpy(p + 28, m->u.open.userdata, CHANMSG_USERDATA_LEN);
	return 148;
}

/* OPENCHANNEL_RESULT and GPADL_CREATED share the {relid, id, status}
 * layout at 8/12/16: one pair of helpers for both. */
static void get_triple(const uint8_t *p, uint32_t *relid, uint32_t *id,
		       uint32_t *status)
{
	*relid = get32(p, 8);
	*id = get32(p, 12);
	*status = get32(p, 16);
}

static int put_triple(uint8_t *p, uint32_t relid, uint32_t id,
		      uint32_t status)
{
	put32(p, 8, relid);
	put32(p, 12, id);
	put32(p, 16, status);
	return 20;
}

static int dec_open_result(const uint8_t *p, size_t len, struct chanmsg *m)
{
	(void)len;
	get_triple(p, &m->u.open_result.relid, &m->u.open_result.openid,
		   &m->u.open_result.status);
	return CHANMSG_OK;
}

static int enc_open_result(const struct chanmsg *m, uint8_t *p, size_t cap)
{
	(void)cap;
	return put_triple(p, m->u.open_result.relid, m->u.open_result.openid,
			  m->u.open_result.status);
}

static int dec_gpadl_created(const uint8_t *p, size_t len, struct chanmsg *m)
{
	(void)len;
	get_triple(p, &m->u.gpadl_created.relid, &m->u.gpadl_created.gpadl,
		   &m->u.gpadl_created.status);
	return CHANMSG_OK;
}

static int enc_gpadl_created(const struct chanmsg *m, uint8_t *p, size_t cap)
{
	(void)cap;
	return put_triple(p, m->u.gpadl_created.relid,
			  m->u.gpadl_created.gpadl,
			  m->u.gpadl_created.status);
}

/* The ranges must be whole 8-byte words (Linux: 8 + 8·pfns per range);
 * whether they add up is gpadl.c's business. */
static int dec_gpadl_header(const uint8_t *p, size_t len, struct chanmsg *m)
{
	size_t n = len - CHANMSG_GPADL_HEADER_RANGES;

	if (n % 8)
		return CHANMSG_E_FIELD;
	m->u.gpadl_header.relid = get32(p, 8);
	m->u.gpadl_header.gpadl = get32(p, 12);
	m->u.gpadl_header.range_buflen = get16(p, 16);
	m->u.gpadl_header.rangecount = get16(p, 18);
	m->u.gpadl_header.ranges = p + CHANMSG_GPADL_HEADER_RANGES;
	m->u.gpadl_header.ranges_len = (uint32_t)n;
	return CHANMSG_OK;
}

static int enc_gpadl_header(const struct chanmsg *m, uint8_t *p, size_t cap)
{
	size_t n = m->u.gpadl_header.ranges_len;

	if (n > cap - CHANMSG_GPADL_HEADER_RANGES)
		return CHANMSG_E_LONG;
	put32(p, 8, m->u.gpadl_header.relid);
	put32(p, 12, m->u.gpadl_header.gpadl);
	put16(p, 16, m->u.gpadl_header.range_buflen);
	put16(p, 18, m->u.gpadl_header.rangecount);
	if (n)
		memcpy(p + CHANMSG_GPADL_HEADER_RANGES,
		       m->u.gpadl_header.ranges, n);
	return (int)(CHANMSG_GPADL_HEADER_RANGES + n);
}

static int dec_gpadl_body(const uint8_t *p, size_t len, struct chanmsg *m)
{
	size_t n = len - CHANMSG_GPADL_BODY_PFNS;

	if (n % 8)
		return CHANMSG_E_FIELD;
	m->u.gpadl_body.msgnumber = get32(p, 8);
	m->u.gpadl_body.gpadl = get32(p, 12);
	m->u.gpadl_body.pfns = p + CHANMSG_GPADL_BODY_PFNS;
	m->u.gpadl_body.pfns_len = (uint32_t)n;
	return CHANMSG_OK;
}

static int enc_gpadl_body(const struct chanmsg *m, uint8_t *p, size_t cap)
{
	size_t n = m->u.gpadl_body.pfns_len;

	if (n > cap - CHANMSG_GPADL_BODY_PFNS)
		return CHANMSG_E_LONG;
	put32(p, 8, m->u.gpadl_body.msgnumber);
	put32(p, 12, m->u.gpadl_body.gpadl);
	if (n)
		memcpy(p + CHANMSG_GPADL_BODY_PFNS, m->u.gpadl_body.pfns, n);
	return (int)(CHANMSG_GPADL_BODY_PFNS + n);
}

static int dec_gpadl_teardown(const uint8_t *p, size_t len, struct chanmsg *m)
{
	(void)len;
	m->u.gpadl_teardown.relid = get32(p, 8);
	m->u.gpadl_teardown.gpadl = get32(p, 12);
	return CHANMSG_OK;
}

static int enc_gpadl_teardown(const struct chanmsg *m, uint8_t *p, size_t cap)
{
	(void)cap;
	put32(p, 8, m->u.gpadl_teardown.relid);
	put32(p, 12, m->u.gpadl_teardown.gpadl);
	return 16;
}

static int dec_gpadl_torndown(const uint8_t *p, size_t len, struct chanmsg *m)
{
	(void)len;
	m->u.gpadl_torndown.gpadl = get32(p, 8);
	return CHANMSG_OK;
}

static int enc_gpadl_torndown(const struct chanmsg *m, uint8_t *p, size_t cap)
{
	(void)cap;
	put32(p, 8, m->u.gpadl_torndown.gpadl);
	return 12;
}

static int dec_modify(const uint8_t *p, size_t len, struct chanmsg *m)
{
	(void)len;
	m->u.modify.relid = get32(p, 8);
	m->u.modify.target_vp = get32(p, 12);
	return CHANMSG_OK;
}

static int enc_modify(const struct chanmsg *m, uint8_t *p, size_t cap)
{
	(void)cap;
	put32(p, 8, m->u.modify.relid);
	put32(p, 12, m->u.modify.target_vp);
	return 16;
}

static int dec_modify_response(const uint8_t *p, size_t len, struct chanmsg *m)
{
	(void)len;
	m->u.modify_response.relid = get32(p, 8);
	m->u.modify_response.status = (int32_t)get32(p, 12);
	return CHANMSG_OK;
}

static int enc_modify_response(const struct chanmsg *m, uint8_t *p, size_t cap)
{
	(void)cap;
	put32(p, 8, m->u.modify_response.relid);
	put32(p, 12, (uint32_t)m->u.modify_response.status);
	return 16;
}

struct codec {
	int (*dec)(const uint8_t *p, size_t len, struct chanmsg *m);
	int (*enc)(const struct chanmsg *m, uint8_t *p, size_t cap);
};

/* Types with no row here (0, 18..21, 23) are refused as CHANMSG_E_TYPE. */
static const struct codec codec[CHANMSG_COUNT] = {
    [CHANMSG_OFFERCHANNEL] = {dec_offer, enc_offer},
    [CHANMSG_RESCIND_CHANNELOFFER] = {dec_chan, enc_chan},
    [CHANMSG_REQUESTOFFERS] = {dec_none, enc_none},
    [CHANMSG_ALLOFFERS_DELIVERED] = {dec_none, enc_none},
    [CHANMSG_OPENCHANNEL] = {dec_open, enc_open},
    [CHANMSG_OPENCHANNEL_RESULT] = {dec_open_result, enc_open_result},
    [CHANMSG_CLOSECHANNEL] = {dec_chan, enc_chan},
    [CHANMSG_GPADL_HEADER] = {dec_gpadl_header, enc_gpadl_header},
    [CHANMSG_GPADL_BODY] = {dec_gpadl_body, enc_gpadl_body},
    [CHANMSG_GPADL_CREATED] = {dec_gpadl_created, enc_gpadl_created},
    [CHANMSG_GPADL_TEARDOWN] = {dec_gpadl_teardown, enc_gpadl_teardown},
    [CHANMSG_GPADL_TORNDOWN] = {dec_gpadl_torndown, enc_gpadl_torndown},
    [CHANMSG_RELID_RELEASED] = {dec_chan, enc_chan},
    [CHANMSG_INITIATE_CONTACT] = {dec_initiate, enc_initiate},
    [CHANMSG_VERSION_RESPONSE] = {dec_version_response, enc_version_response},
    [CHANMSG_UNLOAD] = {dec_none, enc_none},
    [CHANMSG_UNLOAD_RESPONSE] = {dec_none, enc_none},
    [CHANMSG_MODIFYCHANNEL] = {dec_modify, enc_modify},
    [CHANMSG_MODIFYCHANNEL_RESPONSE] = {dec_modify_response,
					enc_modify_response},
};

int chanmsg_decode(const void *buf, size_t len, struct chanmsg *m)
{
	const uint8_t *p = buf;
	uint32_t type;

	memset(m, 0, sizeof(*m));
	if (!p || len < 8)
		return CHANMSG_E_SHORT;
	if (len > VMBUS_MSG_MAX)
		return CHANMSG_E_LONG;
	type = get32(p, 0);
	m->type = type;
	if (type >= CHANMSG_COUNT || !codec[type].dec)
		return CHANMSG_E_TYPE;
	if (len < table[type].size)
		return CHANMSG_E_SHORT;
	return codec[type].dec(p, len, m);
}

int chanmsg_encode(const struct chanmsg *m, void *buf, size_t cap)
{
	uint8_t *p = buf;

	if (m->type >= CHANMSG_COUNT || !codec[m->type].enc)
		return CHANMSG_E_TYPE;
	if (cap > VMBUS_MSG_MAX)
		cap = VMBUS_MSG_MAX;
	if (cap < table[m->type].size)
		return CHANMSG_E_SHORT;
	memset(p, 0, table[m->type].size);
	put32(p, 0, m->type);
	return codec[m->type].enc(m, p, cap);
}
