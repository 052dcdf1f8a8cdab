/*
 * vmbus/ring.c — host side of the VMBus ring buffers (vmbus.md §5, §9
 * item 10): the reader of the guest→host ring, the writer of the
 * host→guest ring, their signalling decisions, and GPA-direct page lists.
 * The contract is in vmbus/ring.h.
 *
 * Every byte goes through gpadl_copy_* (page by page through the GPADL's
 * PFN list, bounds-checked by physmem), or, when the header page or the
 * data area is on consecutive guest pages, through a host pointer
 * gpadl_contig checked once at open; either way a hostile index or
 * length can at worst make us read the ring's own pages (indices are
 * checked against data_size before any access). Indices owned by the guest
 * (write_index of the guest→host ring, read_index of the host→guest ring)
 * are read once per call and validated; the index the host owns is kept
 * in struct ring and only ever written to the guest, never trusted back.
 *
 * Free/used (§5.4): used = (write - read) mod size; a writer needs free
 * space strictly greater than packet + trailer, so the ring is never
 * completely full (full and empty would look alike).
 */
#include <string.h>

#include "mmu/mmu.h"
#include "sim/le.h"
#include "vmbus/ring.h"

static const char *const status_names[RING_NR_STATUS] = {
	[RING_OK] = "ok",
	[RING_EMPTY] = "empty",
	[RING_FULL] = "full",
	[RING_ERR_TOO_BIG] = "too_big",
	[RING_ERR_ARG] = "bad_arg",
	[RING_ERR_GEOMETRY] = "bad_geometry",
	[RING_ERR_BAD_INDEX] = "bad_index",
	[RING_ERR_BAD_DESC] = "bad_descriptor",
	[RING_ERR_BAD_LEN] = "bad_length",
	[RING_ERR_MEM] = "memory",
	[RING_ERR_DEAD] = "dead",
};

const char *ring_status_name(enum ring_status st)
{
	if ((unsigned)st >= RING_NR_STATUS)
		return "unknown";
	return status_names[st];
}

/* ---- little-endian helpers ----------------------------------------- */

/* ---- failure, header and data access -------------------------------- */

/* Record the first corruption; the ring is dead from now on. */
static enum ring_status fail(struct ring *r, enum ring_status st)
{
	if (r->dead == RING_OK)
		r->dead = st;
	return st;
}

/* The host wrote [gpa, gpa+len): tell the child's memory one page piece
 * at a time, exactly as physmem_copy_to through the page list would. */
static void note_pages(struct physmem *mem, uint64_t gpa, uint32_t len)
{
	while (len > 0) {
		uint32_t chunk = GPADL_PAGE_SIZE - (uint32_t)(gpa % GPADL_PAGE_SIZE);
		if (chunk > len)
			chunk = len;
		physmem_note_write(mem, gpa, chunk);
		gpa += chunk;
		len -= chunk;
	}
}

static enum ring_status hdr_get(struct ring *r, uint32_t field, uint32_t *v)
{
	uint8_t b[4];
	if (r->hdr_host) {
		*v = le_get32(r->hdr_host + field);
		return RING_OK;
	}
	if (gpadl_copy_from(r->g, r->hdr_off + field, b, 4) != GPADL_OK)
		return fail(r, RING_ERR_MEM);
	*v = le_get32(b);
	return RING_OK;
}

static enum ring_status hdr_put(struct ring *r, uint32_t field, uint32_t v)
{
	uint8_t b[4];
	if (r->hdr_host) {
		le_put32(r->hdr_host + field, v);
		physmem_note_write(r->mem, r->hdr_gpa + field, 4);
		return RING_OK;
	}
	le_put32(b, v);
	if (gpadl_copy_to(r->g, r->hdr_off + field, b, 4) != GPADL_OK)
		return fail(r, RING_ERR_MEM);
	return RING_OK;
}

/* Read a guest-owned index and check it (§5.2: multiple of 8, < size). */
static enum ring_status index_get(struct ring *r, uint32_t field,
				  uint32_t *v)
{
	enum ring_status st = hdr_get(r, field, v);
	if (st != RING_OK)
		return st;
	if (*v % 8 != 0 || *v >= r->data_size)
		return fail(r, RING_ERR_BAD_INDEX);
	return RING_OK;
}

/* Copy len bytes at data offset pos that do not wrap; false if a page
 * is gone. */
static bool data_piece(struct ring *r, uint32_t pos, uint8_t *p, uint32_t len,
		       bool to_guest)
{
	uint64_t off = r->hdr_off + RING_HDR_SIZE + pos;
	if (!r->data_host)
		return (to_guest ? gpadl_copy_to(r->g, off, p, len)
				 : gpadl_copy_from(r->g, off, p, len)) ==
		       GPADL_OK;
	if (to_guest) {
		memcpy(r->data_host + pos, p, len);
		note_pages(r->mem, r->data_gpa + pos, len);
	} else {
		memcpy(p, r->data_host + pos, len);
	}
	return true;
}

/* Copy len (<= data_size) bytes at data offset pos, wrapping. */
static enum ring_status data_io(struct ring *r, uint32_t pos, void *buf,
				uint32_t len, bool to_guest)
{
	uint8_t *p = buf;
	while (len > 0) {
		uint32_t chunk = r->data_size - pos;
		if (chunk > len)
			chunk = len;
		if (!data_piece(r, pos, p, chunk, to_guest))
			return fail(r, RING_ERR_MEM);
		p += chunk;
		len -= chunk;
		pos = (pos + chunk) % r->data_size;
	}
	return RING_OK;
}

static uint32_t used_bytes(const struct ring *r, uint32_t write,
			   uint32_t read)
{
	return write >= read ? write - read : r->data_size - read + write;
}

/* ---- open ------------------------------------------------------------ */

enum ring_status ring_open(struct ring *r, const struct gpadl *g,
			   uint32_t first_page, uint32_t npages,
			   bool host_writes)
{
	memset(r, 0, sizeof(*r));
	r->dead = RING_ERR_GEOMETRY; /* until opened successfully */
	if (!gpadl_is_complete(g) || npages < 2 ||
	    npages > GPADL_MAX_PAGES)
		return RING_ERR_GEOMETRY;
	uint64_t end = ((uint64_t)first_page + npages) * GPADL_PAGE_SIZE;
	if (end > gpadl_size(g))
		return RING_ERR_GEOMETRY;
	r->g = g;
	r->hdr_off = (uint64_t)first_page * GPADL_PAGE_SIZE;
	r->data_size = (npages - 1) * GPADL_PAGE_SIZE;
	r->is_writer = host_writes;
	r->dead = RING_OK;
	r->mem = gpadl_mem(g);
	r->hdr_host = gpadl_contig(g, r->hdr_off, RING_HDR_SIZE, &r->hdr_gpa);
	r->data_host = gpadl_contig(g, r->hdr_off + RING_HDR_SIZE,
				    r->data_size, &r->data_gpa);
	/* Start from whatever the guest initialised (Linux: zero). */
	return index_get(r, host_writes ? RING_HDR_WRITE_INDEX
					: RING_HDR_READ_INDEX,
			 &r->priv_index);
}

enum ring_status ring_open_pair(const struct gpadl *g, uint32_t down_page,
				struct ring *from_guest, struct ring *to_guest)
{
	uint64_t pages = gpadl_size(g) / GPADL_PAGE_SIZE;
	if (down_page > pages)
		down_page = (uint32_t)pages; /* ring_open then refuses */
	enum ring_status st = ring_open(from_guest, g, 0, down_page, false);
	if (st != RING_OK)
		return st;
	return ring_open(to_guest, g, down_page,
			 (uint32_t)(pages - down_page), true);
}

/* ---- reader ---------------------------------------------------------- */

static bool type_ok(uint16_t type)
{
	return type == RING_PKT_INBAND || type == RING_PKT_XFER_PAGES ||
	       type == RING_PKT_GPA_DIRECT || type == RING_PKT_COMP;
}

enum ring_status ring_peek(struct ring *r, struct ring_pkt *pkt)
{
	if (r->dead != RING_OK)
		return RING_ERR_DEAD;
	if (r->is_writer)
		return RING_ERR_ARG;
	uint32_t write;
	enum ring_status st = index_get(r, RING_HDR_WRITE_INDEX, &write);
	if (st != RING_OK)
		return st;
	uint32_t used = used_bytes(r, write, r->priv_index);
	if (used == 0)
		return RING_EMPTY;
	if (used < RING_DESC_SIZE + RING_TRAILER_SIZE)
		return fail(r, RING_ERR_BAD_LEN);

	uint8_t d[RING_DESC_SIZE];
	st = data_io(r, r->priv_index, d, sizeof(d), false);
	if (st != RING_OK)
		return st;
	pkt->type = (uint16_t)le_get32(d);
	pkt->offset = (uint32_t)(le_get32(d) >> 16) * 8;
	pkt->len = (le_get32(d + 4) & 0xFFFF) * 8;
	pkt->flags = (uint16_t)(le_get32(d + 4) >> 16);
	pkt->trans_id = le_get32(d + 8) | (uint64_t)le_get32(d + 12) << 32;
	pkt->start = r->priv_index;
	if (!type_ok(pkt->type) ||
	    (pkt->flags & ~RING_FLAG_COMPLETION_REQUESTED) != 0)
		return fail(r, RING_ERR_BAD_DESC);
	if (pkt->len < RING_DESC_SIZE ||
	    (uint64_t)pkt->len + RING_TRAILER_SIZE > used)
		return fail(r, RING_ERR_BAD_LEN);
	if (pkt->offset < RING_DESC_SIZE || pkt->offset > pkt->len)
		return fail(r, RING_ERR_BAD_DESC);
	return RING_OK;
}

enum ring_status ring_copy_pkt(struct ring *r, const struct ring_pkt *pkt,
			       uint32_t off, void *dst, uint32_t len)
{
	if (r->dead != RING_OK)
		return RING_ERR_DEAD;
	if (r->is_writer || pkt->start != r->priv_index ||
	    pkt->len > r->data_size || (uint64_t)off + len > pkt->len)
		return RING_ERR_ARG;
	return data_io(r, (pkt->start + off) % r->data_size, dst, len, false);
}

enum ring_status ring_consume(struct ring *r, const struct ring_pkt *pkt,
			      bool *signal)
{
	*signal = false;
	if (r->dead != RING_OK)
		return RING_ERR_DEAD;
	if (r->is_writer || pkt->start != r->priv_index ||
	    pkt->len + RING_TRAILER_SIZE >= r->data_size)
		return RING_ERR_ARG;
	uint32_t write, feat, pss;
	enum ring_status st = index_get(r, RING_HDR_WRITE_INDEX, &write);
	if (st != RING_OK)
		return st;
	uint32_t total = pkt->len + RING_TRAILER_SIZE;
	uint32_t used = used_bytes(r, write, r->priv_index);
	if (used < total) /* the guest moved its write index back */
		return fail(r, RING_ERR_BAD_INDEX);
	r->priv_index = (r->priv_index + total) % r->data_size;
	st = hdr_put(r, RING_HDR_READ_INDEX, r->priv_index);
	if (st == RING_OK)
		st = hdr_get(r, RING_HDR_FEATURE_BITS, &feat);
	if (st == RING_OK)
		st = hdr_get(r, RING_HDR_PENDING_SEND_SZ, &pss);
	if (st != RING_OK)
		return st;
	/* §5.5: signal when free space crosses pending_send_sz. */
	uint32_t free_before = r->data_size - used;
	uint32_t free_after = free_before + total;
	*signal = (feat & RING_FEAT_PENDING_SEND_SZ) && pss != 0 &&
		  free_before <= pss && free_after > pss;
	return RING_OK;
}

enum ring_status ring_read(struct ring *r, void *buf, uint32_t size,
			   struct ring_pkt *pkt, bool *signal)
{
	*signal = false;
	enum ring_status st = ring_peek(r, pkt);
	if (st != RING_OK)
		return st;
	if (pkt->len > size)
		return RING_ERR_TOO_BIG;
	st = ring_copy_pkt(r, pkt, 0, buf, pkt->len);
	if (st != RING_OK)
		return st;
	return ring_consume(r, pkt, signal);
}

enum ring_status ring_set_interrupt_mask(struct ring *r, bool masked)
{
	if (r->dead != RING_OK)
		return RING_ERR_DEAD;
	if (r->is_writer)
		return RING_ERR_ARG;
	return hdr_put(r, RING_HDR_INTERRUPT_MASK, masked ? 1 : 0);
}

uint32_t ring_used(struct ring *r)
{
	uint32_t other;
	if (r->dead != RING_OK)
		return 0;
	if (r->is_writer) {
		if (index_get(r, RING_HDR_READ_INDEX, &other) != RING_OK)
			return 0;
		return used_bytes(r, r->priv_index, other);
	}
	if (index_get(r, RING_HDR_WRITE_INDEX, &other) != RING_OK)
		return 0;
	return used_bytes(r, other, r->priv_index);
}

/* ---- writer ----------------------------------------------------------- */

void ring_set_max_pkt(struct ring *r, uint32_t bytes) { r->max_pkt = bytes; }

/* Ask the guest reader to signal when more than `total` bytes are free
 * (§5.5: it signals once free space crosses pending_send_sz). */
static enum ring_status ask_for_space(struct ring *r, uint32_t total)
{
	enum ring_status st = hdr_put(r, RING_HDR_PENDING_SEND_SZ, total);
	if (st == RING_OK)
		r->pending_set = true;
	return st == RING_OK ? RING_FULL : st;
}

/* Write descriptor, header, payload, padding and trailer at priv_index. */
static enum ring_status put_packet(struct ring *r, const uint8_t desc[16],
				   const void *hdr, uint32_t hdr_len,
				   const void *payload, uint32_t payload_len,
				   uint32_t padded)
{
	static const uint8_t zeros[8];
	uint8_t trailer[RING_TRAILER_SIZE];
	uint32_t pos = r->priv_index, n = r->data_size;
	uint32_t pad = padded - (RING_DESC_SIZE + hdr_len + payload_len);
	enum ring_status st = data_io(r, pos, (void *)desc, RING_DESC_SIZE, true);
	pos = (pos + RING_DESC_SIZE) % n;
	if (st == RING_OK && hdr_len)
		st = data_io(r, pos, (void *)hdr, hdr_len, true);
	pos = (pos + hdr_len) % n;
	if (st == RING_OK && payload_len)
		st = data_io(r, pos, (void *)payload, payload_len, true);
	pos = (pos + payload_len) % n;
	if (st == RING_OK && pad)
		st = data_io(r, pos, (void *)zeros, pad, true);
	pos = (pos + pad) % n;
	/* §5.3: the trailer's high dword is where the packet started. */
	le_put64(trailer, (uint64_t)r->priv_index << 32);
	if (st == RING_OK)
		st = data_io(r, pos, trailer, RING_TRAILER_SIZE, true);
	return st;
}

enum ring_status ring_write(struct ring *r, uint16_t type, uint16_t flags,
			    uint64_t trans_id, const void *hdr,
			    uint32_t hdr_len, const void *payload,
			    uint32_t payload_len, bool *signal)
{
	*signal = false;
	if (r->dead != RING_OK)
		return RING_ERR_DEAD;
	if (!r->is_writer || !type_ok(type) ||
	    (flags & ~RING_FLAG_COMPLETION_REQUESTED) || hdr_len % 8 ||
	    (hdr_len && !hdr) || (payload_len && !payload))
		return RING_ERR_ARG;
	uint64_t len = (uint64_t)RING_DESC_SIZE + hdr_len + payload_len;
	uint64_t padded = (len + 7) & ~7ull;
	uint64_t total = padded + RING_TRAILER_SIZE;
	if (total >= r->data_size || padded > 0xFFFFu * 8 ||
	    (r->max_pkt && padded > r->max_pkt))
		return RING_ERR_TOO_BIG; /* len8 is a u16 */

	uint32_t read, old_write = r->priv_index;
	enum ring_status st = index_get(r, RING_HDR_READ_INDEX, &read);
	if (st != RING_OK)
		return st;
	if (r->data_size - used_bytes(r, old_write, read) <= total)
		return ask_for_space(r, (uint32_t)total);

	uint8_t desc[RING_DESC_SIZE];
	le_put16(desc, type);
	le_put16(desc + 2, (uint16_t)((RING_DESC_SIZE + hdr_len) / 8));
	le_put16(desc + 4, (uint16_t)(padded / 8));
	le_put16(desc + 6, flags);
	le_put64(desc + 8, trans_id);
	st = put_packet(r, desc, hdr, hdr_len, payload, payload_len,
			(uint32_t)padded);
	if (st != RING_OK)
		return st;
	/* Publish only after the packet is in place. */
	r->priv_index = (uint32_t)((old_write + total) % r->data_size);
	st = hdr_put(r, RING_HDR_WRITE_INDEX, r->priv_index);
	if (st == RING_OK && r->pending_set) {
		st = hdr_put(r, RING_HDR_PENDING_SEND_SZ, 0);
		r->pending_set = false;
	}
	uint32_t mask;
	if (st == RING_OK)
		st = hdr_get(r, RING_HDR_INTERRUPT_MASK, &mask);
	if (st == RING_OK)
		st = index_get(r, RING_HDR_READ_INDEX, &read);
	if (st != RING_OK)
		return st;
	/* §5.5: only on empty -> non-empty, and only if not masked. */
	*signal = mask == 0 && old_write == read;
	return RING_OK;
}

bool ring_check_invariants(const struct ring *r)
{
	if (!r->g || r->data_size == 0 || r->data_size % GPADL_PAGE_SIZE)
		return false;
	if (r->hdr_off + RING_HDR_SIZE + r->data_size > gpadl_size(r->g))
		return false;
	return r->priv_index % 8 == 0 && r->priv_index < r->data_size &&
	       (r->is_writer || !r->pending_set);
}

/* ---- GPA direct ------------------------------------------------------- */

enum gpadl_status ring_parse_gpa_direct(struct physmem *mem,
					const void *pkt_buf, uint32_t pkt_len,
					struct gpadl **out)
{
	const uint8_t *p = pkt_buf;
	*out = NULL;
	/* descriptor (16) + reserved u32 + range_cnt u32 */
	if (pkt_len < RING_DESC_SIZE + 8)
		return GPADL_ERR_LENGTH;
	uint32_t ranges_end = (le_get32(p) >> 16) * 8; /* offset8 */
	uint32_t range_cnt = le_get32(p + 20);
	if (ranges_end < RING_DESC_SIZE + 8 || ranges_end > pkt_len)
		return GPADL_ERR_LENGTH;
	return gpadl_from_ranges(mem, range_cnt, p + 24, ranges_end - 24, out);
}
