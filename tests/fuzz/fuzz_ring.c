/*
 * tests/fuzz/fuzz_ring.c — libFuzzer target: the host's ring reader and
 * writer (vmbus/ring.h) over a channel's two rings whose every byte —
 * header indices, masks, pending_send_sz, packet descriptors, data — is
 * fuzz input, and which the guest keeps changing between the host's
 * calls.
 *
 * Input: u8 npages (4..24 pages in the GPADL), one u8 per page (its PFN
 * among 32 pages of RAM; a page may be listed twice), u8 down_page, u16
 * len + the GPADL's first bytes, then operations until the input ends:
 *   0 peek  1 read (u16 buffer size)  2 copy_pkt (u16 off, u16 len)
 *   3 consume  4 write (u8 type, u8 flags, u16 hdr, u16 payload)
 *   5 guest writes a header field (u8 which, u32 value)
 *   6 guest writes data (u16 offset in the GPADL, u8 len + bytes)
 *   7 set_interrupt_mask (u8)  8 used  9 set_max_pkt (u16)
 *
 * Checked after every call: the host's ring state stays consistent
 * (ring_check_invariants); a packet the reader returns lies inside the
 * ring, is aligned, has 16 <= offset <= len and fits in the bytes the
 * guest published; a guest index that is unaligned or beyond the data
 * area is reported (never read through), and once a ring reported
 * corruption it only answers RING_ERR_DEAD; a written packet is where
 * the host said, with its descriptor and trailer; RAM pages outside the
 * GPADL are never changed.
 */
#include <stddef.h>
#include <string.h>

#include "mmu/mmu.h"
#include "tests/fuzz/fuzz_input.h"
#include "vmbus/gpadl.h"
#include "vmbus/ring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE	  4096u
#define RAM_PAGES 32u
#define CANARY	  0xC3u
#define BUF_MAX	  (64u * 1024)

struct fz {
	struct physmem *mem;
	struct gpadl *g;
	struct ring rx, tx; /* guest→host (we read), host→guest (we write) */
	bool listed[RAM_PAGES];
	bool aliased; /* a page listed twice: the guest's bytes overlap */
	bool have_pkt;
	struct ring_pkt pkt;
	uint8_t buf[BUF_MAX];
};

static bool is_error(enum ring_status st)
{
	return st >= RING_ERR_BAD_INDEX;
}

static uint32_t raw32(struct fz *f, const struct ring *r, uint32_t field)
{
	uint8_t b[4] = {0};

	gpadl_copy_from(f->g, r->hdr_off + field, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static bool index_bad(const struct ring *r, uint32_t v)
{
	return v % 8 || v >= r->data_size;
}

/* A ring that reported corruption answers DEAD from then on. */
static void after(struct fz *f, struct ring *r, enum ring_status st,
		  const char *what)
{
	FUZZ_CHECK(ring_check_invariants(r), "%s: invariants", what);
	if (is_error(st) && st != RING_ERR_DEAD)
		FUZZ_CHECK(r->dead != RING_OK, "%s: %s but not dead", what,
			   ring_status_name(st));
	if (r->dead != RING_OK && r == &f->rx) {
		struct ring_pkt p;
		FUZZ_CHECK(ring_peek(r, &p) == RING_ERR_DEAD, "dead ring read");
	}
}

/* The reader's packet against the raw ring. */
static void check_pkt(struct fz *f, const struct ring_pkt *p, uint32_t start,
		      uint32_t write)
{
	uint32_t size = f->rx.data_size;
	uint32_t used = write >= start ? write - start : size - start + write;

	FUZZ_CHECK(p->start == start && start < size && start % 8 == 0,
		   "start %u", p->start);
	FUZZ_CHECK(p->len >= RING_DESC_SIZE && p->len % 8 == 0 &&
		       p->offset >= RING_DESC_SIZE && p->offset % 8 == 0 &&
		       p->offset <= p->len,
		   "len %u offset %u", p->len, p->offset);
	FUZZ_CHECK((uint64_t)p->len + RING_TRAILER_SIZE <= used &&
		       used < size,
		   "len %u with %u bytes published", p->len, used);
}

static void op_peek(struct fz *f, bool read, struct fuzz_in *in)
{
	uint32_t start = f->rx.priv_index, write = raw32(f, &f->rx, 0);
	bool dead = f->rx.dead != RING_OK, sig = false;
	uint32_t cap = in_u16(in) % BUF_MAX;
	enum ring_status st;

	if (read)
		st = ring_read(&f->rx, f->buf, cap, &f->pkt, &sig);
	else
		st = ring_peek(&f->rx, &f->pkt);
	f->have_pkt = !read && st == RING_OK;
	if (dead)
		FUZZ_CHECK(st == RING_ERR_DEAD, "dead ring: %s",
			   ring_status_name(st));
	else if (index_bad(&f->rx, write))
		FUZZ_CHECK(st == RING_ERR_BAD_INDEX, "write index %u: %s",
			   write, ring_status_name(st));
	if (st == RING_OK || (read && st == RING_ERR_TOO_BIG))
		check_pkt(f, &f->pkt, start, write);
	if (read && st == RING_OK)
		FUZZ_CHECK(f->pkt.len <= cap, "read %u into %u", f->pkt.len,
			   cap);
	after(f, &f->rx, st, read ? "read" : "peek");
}

static void op_copy(struct fz *f, struct fuzz_in *in)
{
	uint32_t off = in_u16(in), len = in_u16(in) % BUF_MAX;
	enum ring_status st;

	if (!f->have_pkt)
		return;
	st = ring_copy_pkt(&f->rx, &f->pkt, off, f->buf, len);
	if (st == RING_OK)
		FUZZ_CHECK((uint64_t)off + len <= f->pkt.len,
			   "copy %u+%u of %u", off, len, f->pkt.len);
	after(f, &f->rx, st, "copy_pkt");
}

static void op_consume(struct fz *f)
{
	uint32_t before = f->rx.priv_index;
	bool sig;
	enum ring_status st;

	if (!f->have_pkt)
		return;
	st = ring_consume(&f->rx, &f->pkt, &sig);
	f->have_pkt = false;
	if (st == RING_OK)
		FUZZ_CHECK(f->rx.priv_index ==
				   (before + f->pkt.len + RING_TRAILER_SIZE) %
				       f->rx.data_size &&
			       (f->aliased ||
				raw32(f, &f->rx, RING_HDR_READ_INDEX) ==
				    f->rx.priv_index),
			   "consume moved read index wrongly");
	after(f, &f->rx, st, "consume");
}

static void op_write(struct fz *f, struct fuzz_in *in)
{
	static const uint16_t types[4] = {RING_PKT_INBAND, RING_PKT_XFER_PAGES,
					  RING_PKT_GPA_DIRECT, RING_PKT_COMP};
	uint8_t tsel = in_u8(in), flags = in_u8(in);
	uint32_t hdr_len = in_u16(in) % BUF_MAX, plen = in_u16(in) % BUF_MAX;
	uint16_t type = tsel < 4 ? types[tsel] : tsel;
	uint32_t old = f->tx.priv_index, size = f->tx.data_size;
	bool sig;
	enum ring_status st;

	if (hdr_len + plen > BUF_MAX)
		plen = BUF_MAX - hdr_len;
	memset(f->buf, 0xEE, hdr_len + plen);
	st = ring_write(&f->tx, type, flags, 0x1122334455667788ull, f->buf,
			hdr_len, f->buf + hdr_len, plen, &sig);
	if (st == RING_OK) {
		uint32_t padded = (16 + hdr_len + plen + 7) & ~7u;
		uint8_t d[16];
		uint64_t trailer = 0;
		uint16_t len8;

		FUZZ_CHECK(f->tx.priv_index == (old + padded + 8) % size &&
			       (f->aliased ||
				raw32(f, &f->tx, RING_HDR_WRITE_INDEX) ==
				    f->tx.priv_index),
			   "write index");
		for (uint32_t i = 0; i < 16; i++)
			gpadl_copy_from(f->g,
					f->tx.hdr_off + PAGE + (old + i) % size,
					&d[i], 1);
		for (uint32_t i = 0; i < 8; i++) {
			uint8_t b = 0;
			gpadl_copy_from(f->g,
					f->tx.hdr_off + PAGE +
					    (old + padded + i) % size,
					&b, 1);
			trailer |= (uint64_t)b << (8 * i);
		}
		memcpy(&len8, d + 4, 2);
		FUZZ_CHECK(f->aliased ||
			       (d[0] == (uint8_t)type && len8 * 8u == padded &&
				trailer == (uint64_t)old << 32),
			   "written packet");
	}
	after(f, &f->tx, st, "write");
}

/* The guest scribbles on a header field of either ring. */
static void op_poke_hdr(struct fz *f, struct fuzz_in *in)
{
	static const uint32_t fields[5] = {
	    RING_HDR_WRITE_INDEX, RING_HDR_READ_INDEX, RING_HDR_INTERRUPT_MASK,
	    RING_HDR_PENDING_SEND_SZ, RING_HDR_FEATURE_BITS};
	uint8_t which = in_u8(in);
	uint32_t v = in_u32(in);
	const struct ring *r = which & 0x80 ? &f->tx : &f->rx;
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};

	gpadl_copy_to(f->g, r->hdr_off + fields[(which & 0x7F) % 5], b, 4);
}

static void op_poke_data(struct fz *f, struct fuzz_in *in)
{
	uint16_t off = in_u16(in);
	size_t n;
	const uint8_t *b = in_bytes(in, in_u8(in), &n);
	uint64_t size = gpadl_size(f->g);

	if (off < size)
		gpadl_copy_to(f->g, off, b,
			      n < size - off ? n : (size_t)(size - off));
}

static void ops(struct fz *f, struct fuzz_in *in)
{
	while (!in_done(in)) {
		switch (in_u8(in) % 10) {
		case 0:
			op_peek(f, false, in);
			break;
		case 1:
			op_peek(f, true, in);
			break;
		case 2:
			op_copy(f, in);
			break;
		case 3:
			op_consume(f);
			break;
		case 4:
			op_write(f, in);
			break;
		case 5:
			op_poke_hdr(f, in);
			break;
		case 6:
			op_poke_data(f, in);
			break;
		case 7:
			after(f, &f->rx,
			      ring_set_interrupt_mask(&f->rx, in_u8(in) & 1),
			      "mask");
			break;
		case 8:
			FUZZ_CHECK(ring_used(&f->rx) < f->rx.data_size &&
				       ring_used(&f->tx) < f->tx.data_size,
				   "used");
			break;
		case 9:
			ring_set_max_pkt(&f->tx, in_u16(in));
			break;
		}
	}
}

static struct gpadl *make_gpadl(struct fz *f, struct fuzz_in *in)
{
	uint32_t npages = 4 + in_u8(in) % 21;
	uint8_t ranges[8 + 8 * 24];
	uint32_t bytes = npages * PAGE;
	struct gpadl *g = NULL;

	memcpy(ranges, &bytes, 4);
	memset(ranges + 4, 0, 4);
	for (uint32_t i = 0; i < npages; i++) {
		uint64_t pfn = in_u8(in) % RAM_PAGES;

		f->aliased |= f->listed[pfn];
		f->listed[pfn] = true;
		memcpy(ranges + 8 + 8 * i, &pfn, 8);
	}
	FUZZ_CHECK(gpadl_from_ranges(f->mem, 1, ranges, 8 + 8 * npages, &g) ==
		       GPADL_OK,
		   "gpadl of RAM pages refused");
	return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz f;
	struct fuzz_in in = {data, size};
	const uint8_t *b;
	size_t n;
	uint32_t down;
	enum ring_status st;

	memset(&f, 0, offsetof(struct fz, buf));
	f.mem = physmem_create(RAM_PAGES * PAGE);
	FUZZ_CHECK(f.mem, "physmem_create");
	memset(physmem_ram_ptr(f.mem, 0, RAM_PAGES * PAGE), CANARY,
	       RAM_PAGES * PAGE);
	f.g = make_gpadl(&f, &in);
	down = in_u8(&in);
	/* The shared pages start zeroed (as Linux leaves them), then hold
	 * the input's bytes. */
	memset(f.buf, 0, PAGE);
	for (uint64_t off = 0; off < gpadl_size(f.g); off += PAGE)
		gpadl_copy_to(f.g, off, f.buf, PAGE);
	b = in_bytes(&in, in_u16(&in), &n);
	if (n > gpadl_size(f.g))
		n = (size_t)gpadl_size(f.g);
	gpadl_copy_to(f.g, 0, b, n);
	st = ring_open_pair(f.g, down, &f.rx, &f.tx);
	if (st == RING_OK) {
		FUZZ_CHECK(ring_check_invariants(&f.rx) &&
			       ring_check_invariants(&f.tx),
			   "opened rings");
		ops(&f, &in);
	} else {
		FUZZ_CHECK(st >= RING_ERR_GEOMETRY, "open: %s",
			   ring_status_name(st));
	}
	for (uint32_t p = 0; p < RAM_PAGES; p++) {
		const uint8_t *r =
		    physmem_ram_ptr(f.mem, (uint64_t)p * PAGE, PAGE);
		FUZZ_CHECK(f.listed[p] || page_all(r, CANARY),
			   "page %u written", p);
	}
	gpadl_destroy(f.g);
	physmem_destroy(f.mem);
	return 0;
}
