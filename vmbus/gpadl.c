/*
 * vmbus/gpadl.c — GPADL assembly, validation and copies (vmbus.md §4.4
 * GPADL_HEADER / GPADL_BODY; §5.3 GPA-direct ranges). The API and the
 * range-stream format are described in vmbus/gpadl.h.
 *
 * The range stream is read one little-endian u64 word at a time: a word
 * is either a range header {byte_count (low 32 bits), byte_offset (high)}
 * or one PFN of the current range. The header message and the body
 * messages are just consecutive pieces of that stream, so several ranges
 * and ranges split across messages need no special case. Every PFN is
 * checked against the child's RAM as it arrives, and every copy re-checks
 * through physmem_copy_* (the only door to guest memory).
 *
 * Invariants: npfns <= GPADL_MAX_PAGES; ranges[0..nparsed) have their
 * header; pfns of range i are pfns[first_pfn .. first_pfn + npfn).
 * Called by vmbus/server.c, vmbus/ring.c and VSPs.
 */
#include <stdlib.h>
#include <string.h>

#include "mmu/mmu.h"
#include "vmbus/gpadl.h"

#define PFN_LIMIT (1ull << 52) /* a larger PFN overflows a 64-bit GPA */

struct gpadl_range {
	uint32_t byte_count, byte_offset;
	uint32_t first_pfn, npfn;
	uint64_t lin_start; /* where this range starts in the linear space */
};

/* The parse position; saved and restored so a failed body changes
 * nothing. */
struct gpadl_pos {
	uint32_t npfns;	  /* PFNs received */
	uint32_t nparsed; /* range headers received */
	uint32_t need;	  /* PFNs still missing in the current range */
	uint64_t stream;  /* bytes of the stream received */
	uint64_t size;	  /* linear bytes of the ranges parsed so far */
};

struct gpadl {
	struct physmem *mem;
	uint32_t handle;
	uint32_t nranges;      /* rangecount */
	uint32_t range_buflen; /* header field, or UINT32_MAX: not checked */
	struct gpadl_range *ranges;
	uint32_t range_cap; /* entries allocated in ranges[] */
	uint64_t *pfns;
	uint32_t pfn_cap;
	struct gpadl_pos pos;
	bool complete;
};

static const char *const status_names[GPADL_NR_STATUS] = {
	[GPADL_OK] = "ok",
	[GPADL_ERR_BAD_RANGE] = "bad_range",
	[GPADL_ERR_TOO_BIG] = "too_big",
	[GPADL_ERR_PFN_OUTSIDE_RAM] = "pfn_outside_ram",
	[GPADL_ERR_LENGTH] = "length",
	[GPADL_ERR_EXTRA] = "extra_pfns",
	[GPADL_ERR_INCOMPLETE] = "incomplete",
	[GPADL_ERR_OUT_OF_RANGE] = "out_of_range",
	[GPADL_ERR_NOMEM] = "nomem",
};

const char *gpadl_status_name(enum gpadl_status st)
{
	if ((unsigned)st >= GPADL_NR_STATUS)
		return "unknown";
	return status_names[st];
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* ---- assembly ------------------------------------------------------- */

static enum gpadl_status grow_pfns(struct gpadl *g, uint32_t want)
{
	if (want <= g->pfn_cap)
		return GPADL_OK;
	uint64_t *p = realloc(g->pfns, (size_t)want * sizeof(*p));
	if (!p)
		return GPADL_ERR_NOMEM;
	g->pfns = p;
	g->pfn_cap = want;
	return GPADL_OK;
}

/* A range header word: validate and make room for its PFNs. */
static enum gpadl_status take_range_header(struct gpadl *g, uint64_t word)
{
	uint32_t count = (uint32_t)word, offset = (uint32_t)(word >> 32);
	if (count == 0 || offset >= GPADL_PAGE_SIZE)
		return GPADL_ERR_BAD_RANGE;
	uint64_t npfn = ((uint64_t)offset + count + GPADL_PAGE_SIZE - 1) /
			GPADL_PAGE_SIZE;
	if (npfn > GPADL_MAX_PAGES - g->pos.npfns)
		return GPADL_ERR_TOO_BIG;
	enum gpadl_status st = grow_pfns(g, g->pos.npfns + (uint32_t)npfn);
	if (st != GPADL_OK)
		return st;
	struct gpadl_range *r = &g->ranges[g->pos.nparsed++];
	r->byte_count = count;
	r->byte_offset = offset;
	r->first_pfn = g->pos.npfns;
	r->npfn = (uint32_t)npfn;
	r->lin_start = g->pos.size;
	g->pos.size += count;
	g->pos.need = (uint32_t)npfn;
	return GPADL_OK;
}

static enum gpadl_status take_pfn(struct gpadl *g, uint64_t pfn)
{
	if (pfn >= PFN_LIMIT ||
	    !physmem_ram_ptr(g->mem, pfn << 12, GPADL_PAGE_SIZE))
		return GPADL_ERR_PFN_OUTSIDE_RAM;
	g->pfns[g->pos.npfns++] = pfn;
	g->pos.need--;
	return GPADL_OK;
}

static bool all_received(const struct gpadl *g)
{
	return g->pos.nparsed == g->nranges && g->pos.need == 0;
}

/* Feed `len` bytes of the stream. All or nothing: on error the position
 * is restored. */
static enum gpadl_status feed(struct gpadl *g, const void *bytes, size_t len)
{
	const uint8_t *p = bytes;
	struct gpadl_pos saved = g->pos;
	enum gpadl_status st = GPADL_OK;

	if (len % 8 != 0 || (len && !bytes))
		return GPADL_ERR_LENGTH;
	for (size_t i = 0; i < len && st == GPADL_OK; i += 8) {
		uint64_t word = le64(p + i);
		if (all_received(g))
			st = GPADL_ERR_EXTRA;
		else if (g->pos.need == 0)
			st = take_range_header(g, word);
		else
			st = take_pfn(g, word);
	}
	if (st == GPADL_OK)
		g->pos.stream += len;
	if (st == GPADL_OK && all_received(g)) {
		/* range_buflen is a u16: it wraps above 64 KiB of stream. */
		if (g->range_buflen != UINT32_MAX &&
		    g->range_buflen != (g->pos.stream & 0xFFFF))
			st = GPADL_ERR_LENGTH;
		else
			g->complete = true;
	}
	if (st != GPADL_OK)
		g->pos = saved;
	return st;
}

/* (Re)start g for a new range stream of `nranges` ranges: the parse
 * position is cleared, the arrays are kept (grown if needed). */
static enum gpadl_status restart(struct gpadl *g, struct physmem *mem,
				 uint32_t handle, uint32_t nranges,
				 uint32_t range_buflen)
{
	if (nranges > g->range_cap) {
		struct gpadl_range *r =
			realloc(g->ranges, (size_t)nranges * sizeof(*r));
		if (!r)
			return GPADL_ERR_NOMEM;
		g->ranges = r;
		g->range_cap = nranges;
	}
	g->mem = mem;
	g->handle = handle;
	g->nranges = nranges;
	g->range_buflen = range_buflen;
	g->pos = (struct gpadl_pos){0};
	g->complete = false;
	return GPADL_OK;
}

/* Parse a whole stream into g (allocated, maybe reused). */
static enum gpadl_status parse(struct gpadl *g, struct physmem *mem,
			       uint32_t handle, uint32_t rangecount,
			       uint32_t range_buflen, const void *ranges,
			       size_t len)
{
	if (rangecount == 0 || rangecount > GPADL_MAX_RANGES)
		return GPADL_ERR_BAD_RANGE;
	enum gpadl_status st =
		restart(g, mem, handle, rangecount, range_buflen);
	if (st == GPADL_OK)
		st = feed(g, ranges, len);
	return st;
}

static enum gpadl_status start(struct physmem *mem, uint32_t handle,
			       uint32_t rangecount, uint32_t range_buflen,
			       const void *ranges, size_t len,
			       struct gpadl **out)
{
	*out = NULL;
	if (rangecount == 0 || rangecount > GPADL_MAX_RANGES)
		return GPADL_ERR_BAD_RANGE;
	struct gpadl *g = calloc(1, sizeof(*g));
	if (!g)
		return GPADL_ERR_NOMEM;
	enum gpadl_status st =
		parse(g, mem, handle, rangecount, range_buflen, ranges, len);
	if (st != GPADL_OK) {
		gpadl_destroy(g);
		return st;
	}
	*out = g;
	return GPADL_OK;
}

enum gpadl_status gpadl_begin(struct physmem *mem, uint32_t handle,
			      uint16_t rangecount, uint16_t range_buflen,
			      const void *ranges, size_t len, struct gpadl **out)
{
	return start(mem, handle, rangecount, range_buflen, ranges, len, out);
}

enum gpadl_status gpadl_add_body(struct gpadl *g, const void *pfns,
				 size_t len)
{
	if (g->complete)
		return GPADL_ERR_EXTRA;
	return feed(g, pfns, len);
}

enum gpadl_status gpadl_from_ranges(struct physmem *mem, uint32_t rangecount,
				    const void *ranges, size_t len,
				    struct gpadl **out)
{
	enum gpadl_status st =
		start(mem, 0, rangecount, UINT32_MAX, ranges, len, out);
	if (st == GPADL_OK && !(*out)->complete) {
		gpadl_destroy(*out);
		*out = NULL;
		st = GPADL_ERR_LENGTH;
	}
	return st;
}

enum gpadl_status gpadl_reparse_ranges(struct gpadl **g, struct physmem *mem,
				       uint32_t rangecount, const void *ranges,
				       size_t len)
{
	if (!*g && !(*g = calloc(1, sizeof(**g))))
		return GPADL_ERR_NOMEM;
	enum gpadl_status st =
		parse(*g, mem, 0, rangecount, UINT32_MAX, ranges, len);
	if (st == GPADL_OK && !(*g)->complete)
		st = GPADL_ERR_LENGTH;
	if (st != GPADL_OK)
		(*g)->complete = false; /* copies and maps are refused */
	return st;
}

void gpadl_destroy(struct gpadl *g)
{
	if (!g)
		return;
	free(g->ranges);
	free(g->pfns);
	free(g);
}

/* ---- queries -------------------------------------------------------- */

bool gpadl_is_complete(const struct gpadl *g) { return g->complete; }
uint32_t gpadl_handle(const struct gpadl *g) { return g->handle; }
uint32_t gpadl_range_count(const struct gpadl *g) { return g->nranges; }
uint32_t gpadl_page_count(const struct gpadl *g) { return g->pos.npfns; }

uint64_t gpadl_size(const struct gpadl *g)
{
	return g->complete ? g->pos.size : 0;
}

uint64_t gpadl_pfn(const struct gpadl *g, uint32_t i)
{
	return i < g->pos.npfns ? g->pfns[i] : 0;
}

/* ---- copies --------------------------------------------------------- */

/* The range holding linear byte `off` (< size). */
static const struct gpadl_range *find_range(const struct gpadl *g,
					    uint64_t off)
{
	uint32_t i = 0;
	while (i + 1 < g->nranges && off >= g->ranges[i + 1].lin_start)
		i++;
	return &g->ranges[i];
}

int gpadl_gpa(const struct gpadl *g, uint64_t off, uint64_t *gpa)
{
	if (!g->complete || off >= g->pos.size)
		return -1;
	const struct gpadl_range *r = find_range(g, off);
	uint64_t abs = r->byte_offset + (off - r->lin_start);
	uint64_t pfn = g->pfns[r->first_pfn + abs / GPADL_PAGE_SIZE];
	*gpa = (pfn << 12) + abs % GPADL_PAGE_SIZE;
	return 0;
}

/* The piece of linear bytes [off, off + len) (off < size) that lies in
 * one page: its guest-physical address in *gpa; returns its length. */
static uint64_t piece(const struct gpadl *g, uint64_t off, uint64_t len,
		      uint64_t *gpa)
{
	const struct gpadl_range *r = find_range(g, off);
	uint64_t in_range = off - r->lin_start;
	uint64_t abs = r->byte_offset + in_range;
	uint64_t page_off = abs % GPADL_PAGE_SIZE;
	uint64_t chunk = GPADL_PAGE_SIZE - page_off;
	if (chunk > r->byte_count - in_range)
		chunk = r->byte_count - in_range;
	if (chunk > len)
		chunk = len;
	*gpa = (g->pfns[r->first_pfn + abs / GPADL_PAGE_SIZE] << 12) + page_off;
	return chunk;
}

static enum gpadl_status check_span(const struct gpadl *g, uint64_t off,
				    uint64_t len)
{
	if (!g->complete)
		return GPADL_ERR_INCOMPLETE;
	if (off > g->pos.size || len > g->pos.size - off)
		return GPADL_ERR_OUT_OF_RANGE;
	return GPADL_OK;
}

/* Copy in either direction, one page piece at a time. */
static enum gpadl_status copy(const struct gpadl *g, uint64_t off,
			      uint8_t *host, size_t len, bool to_guest)
{
	enum gpadl_status st = check_span(g, off, len);
	if (st != GPADL_OK)
		return st;
	while (len > 0) {
		uint64_t gpa, chunk = piece(g, off, len, &gpa);
		int rc = to_guest ? physmem_copy_to(g->mem, gpa, host, chunk)
				  : physmem_copy_from(g->mem, host, gpa, chunk);
		if (rc != 0)
			return GPADL_ERR_PFN_OUTSIDE_RAM;
		off += chunk;
		host += chunk;
		len -= chunk;
	}
	return GPADL_OK;
}

enum gpadl_status gpadl_map(const struct gpadl *g, uint64_t off, uint64_t len,
			    struct gpadl_seg *seg, unsigned max, unsigned *n)
{
	enum gpadl_status st = check_span(g, off, len);
	*n = 0;
	if (st != GPADL_OK)
		return st;
	while (len > 0) {
		if (*n == max)
			return GPADL_ERR_TOO_BIG;
		uint64_t gpa, chunk = piece(g, off, len, &gpa);
		uint8_t *host = physmem_ram_ptr(g->mem, gpa, chunk);
		if (!host)
			return GPADL_ERR_PFN_OUTSIDE_RAM;
		seg[(*n)++] = (struct gpadl_seg){gpa, host, (size_t)chunk};
		off += chunk;
		len -= chunk;
	}
	return GPADL_OK;
}

struct physmem *gpadl_mem(const struct gpadl *g)
{
	return g->mem;
}

uint8_t *gpadl_contig(const struct gpadl *g, uint64_t off, uint64_t len,
		      uint64_t *gpa)
{
	if (len == 0 || check_span(g, off, len) != GPADL_OK)
		return NULL;
	const struct gpadl_range *r = find_range(g, off);
	uint64_t in_range = off - r->lin_start;
	if (len > r->byte_count - in_range)
		return NULL; /* crosses into the next range */
	uint64_t abs = r->byte_offset + in_range;
	uint64_t first = abs / GPADL_PAGE_SIZE;
	uint64_t last = (abs + len - 1) / GPADL_PAGE_SIZE;
	const uint64_t *pfn = &g->pfns[r->first_pfn];
	for (uint64_t i = first; i < last; i++)
		if (pfn[i + 1] != pfn[i] + 1)
			return NULL;
	*gpa = (pfn[first] << 12) + abs % GPADL_PAGE_SIZE;
	return physmem_ram_ptr(g->mem, *gpa, len);
}

enum gpadl_status gpadl_copy_from(const struct gpadl *g, uint64_t off,
				  void *dst, size_t len)
{
	return copy(g, off, dst, len, false);
}

enum gpadl_status gpadl_copy_to(const struct gpadl *g, uint64_t off,
				const void *src, size_t len)
{
	/* copy() never writes through `host` when to_guest is true. */
	return copy(g, off, (uint8_t *)(uintptr_t)src, len, true);
}
