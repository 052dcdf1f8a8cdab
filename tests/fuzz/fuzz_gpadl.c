/*
 * tests/fuzz/fuzz_gpadl.c — libFuzzer target: GPADL assembly (vmbus/
 * gpadl.h) from hostile GPADL_HEADER / GPADL_BODY pieces and GPA-direct
 * range lists, and copies through the result.
 *
 * Input: u8 ram_pages (1..64 pages of child RAM), u8 kind, then
 *   kind 0 (messages): u16 rangecount, u16 range_buflen, u8 len + bytes
 *     of the header's ranges, then bodies (u8 len + bytes) while the
 *     input lasts, then copies;
 *   kind 1 (gpadl_from_ranges): u32 rangecount, u16 len + bytes, copies;
 *   kind 2 (ring_parse_gpa_direct): u16 len + bytes of a packet, copies.
 * A copy is u64 offset, u16 length; it writes input-derived bytes through
 * the GPADL, then reads them back.
 *
 * Checked: an accepted GPADL has at most GPADL_MAX_PAGES pages, every one
 * entirely in RAM, and is no larger than its pages; a refused body leaves
 * the GPADL as it was; an incomplete GPADL copies nothing; a copy
 * succeeds exactly when it lies inside the GPADL and then reads back what
 * was written (when no page is listed twice); RAM pages the GPADL does
 * not list are never changed.
 */
#include <stdlib.h>
#include <string.h>

#include "mmu/mmu.h"
#include "tests/fuzz/fuzz_input.h"
#include "vmbus/gpadl.h"
#include "vmbus/ring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE	   4096u
#define MAX_PAGES  64u
#define CANARY	   0x5Au
#define COPY_MAX   (3 * PAGE)

struct check {
	struct physmem *mem;
	uint32_t ram_pages;
	bool listed[MAX_PAGES]; /* pages of RAM the GPADL names */
	bool duplicates;	/* some page listed twice */
};

static void check_pages(struct check *k, const struct gpadl *g)
{
	uint32_t n = gpadl_page_count(g);

	FUZZ_CHECK(n <= GPADL_MAX_PAGES, "%u pages", n);
	memset(k->listed, 0, sizeof(k->listed));
	k->duplicates = false;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t pfn = gpadl_pfn(g, i);

		FUZZ_CHECK(pfn < k->ram_pages, "pfn %#llx outside %u pages",
			   (unsigned long long)pfn, k->ram_pages);
		k->duplicates |= k->listed[pfn];
		k->listed[pfn] = true;
	}
	if (gpadl_is_complete(g))
		FUZZ_CHECK(gpadl_size(g) > 0 &&
			       gpadl_size(g) <= (uint64_t)n * PAGE,
			   "size %llu for %u pages",
			   (unsigned long long)gpadl_size(g), n);
	else
		FUZZ_CHECK(gpadl_size(g) == 0, "incomplete with a size");
}

/* Pages the GPADL does not list still hold the canary. */
static void check_unlisted(struct check *k)
{
	for (uint32_t p = 0; p < k->ram_pages; p++) {
		const uint8_t *b =
		    physmem_ram_ptr(k->mem, (uint64_t)p * PAGE, PAGE);

		FUZZ_CHECK(k->listed[p] || page_all(b, CANARY),
			   "page %u written", p);
	}
}

static void copies(struct check *k, const struct gpadl *g, struct fuzz_in *in)
{
	static uint8_t src[COPY_MAX], back[COPY_MAX];

	while (!in_done(in)) {
		uint64_t off = in_u64(in) % (2ull * GPADL_MAX_PAGES * PAGE);
		uint32_t len = in_u16(in) % COPY_MAX;
		bool inside = gpadl_is_complete(g) && off <= gpadl_size(g) &&
			      len <= gpadl_size(g) - off;
		enum gpadl_status st;

		for (uint32_t i = 0; i < len; i++)
			src[i] = (uint8_t)(off + i * 7);
		st = gpadl_copy_to(g, off, src, len);
		if (!gpadl_is_complete(g))
			FUZZ_CHECK(st == GPADL_ERR_INCOMPLETE, "incomplete: %s",
				   gpadl_status_name(st));
		else
			FUZZ_CHECK((st == GPADL_OK) == inside,
				   "copy_to %#llx+%u of %llu: %s",
				   (unsigned long long)off, len,
				   (unsigned long long)gpadl_size(g),
				   gpadl_status_name(st));
		if (st != GPADL_OK)
			continue;
		memset(back, 0, len);
		st = gpadl_copy_from(g, off, back, len);
		FUZZ_CHECK(st == GPADL_OK, "copy_from: %s",
			   gpadl_status_name(st));
		FUZZ_CHECK(k->duplicates || !memcmp(src, back, len),
			   "read back differs at %#llx+%u",
			   (unsigned long long)off, len);
	}
}

static struct gpadl *from_messages(struct check *k, struct fuzz_in *in)
{
	uint16_t rangecount = in_u16(in), buflen = in_u16(in);
	size_t n;
	const uint8_t *b = in_bytes(in, in_u8(in), &n);
	struct gpadl *g = NULL;
	enum gpadl_status st =
	    gpadl_begin(k->mem, 7, rangecount, buflen, b, n, &g);

	FUZZ_CHECK((st == GPADL_OK) == (g != NULL), "begin: %s and %p",
		   gpadl_status_name(st), (void *)g);
	if (!g)
		return NULL;
	check_pages(k, g);
	/* Bodies while the input lasts; a zero-length body ends them. */
	while (!in_done(in) && !gpadl_is_complete(g)) {
		uint32_t before = gpadl_page_count(g);

		b = in_bytes(in, in_u8(in), &n);
		if (n == 0)
			break;
		st = gpadl_add_body(g, b, n);
		if (st != GPADL_OK)
			FUZZ_CHECK(gpadl_page_count(g) == before &&
				       !gpadl_is_complete(g),
				   "refused body changed the gpadl");
		check_pages(k, g);
	}
	return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct check k = {.ram_pages = 1 + in_u8(&in) % MAX_PAGES};
	uint8_t kind = in_u8(&in) % 3;
	struct gpadl *g = NULL;
	const uint8_t *b;
	uint32_t count;
	size_t n;
	enum gpadl_status st;

	k.mem = physmem_create((uint64_t)k.ram_pages * PAGE);
	FUZZ_CHECK(k.mem, "physmem_create");
	memset(physmem_ram_ptr(k.mem, 0, (uint64_t)k.ram_pages * PAGE), CANARY,
	       (size_t)k.ram_pages * PAGE);
	if (kind == 0) {
		g = from_messages(&k, &in);
	} else if (kind == 1) {
		count = in_u32(&in);
		b = in_bytes(&in, in_u16(&in), &n);
		st = gpadl_from_ranges(k.mem, count, b, n, &g);
		FUZZ_CHECK((st == GPADL_OK) == (g != NULL), "from_ranges: %s",
			   gpadl_status_name(st));
		FUZZ_CHECK(!g || gpadl_is_complete(g), "incomplete ranges");
	} else {
		b = in_bytes(&in, in_u16(&in), &n);
		st = ring_parse_gpa_direct(k.mem, b, (uint32_t)n, &g);
		FUZZ_CHECK((st == GPADL_OK) == (g != NULL), "gpa_direct: %s",
			   gpadl_status_name(st));
	}
	if (g) {
		check_pages(&k, g);
		copies(&k, g, &in);
		check_unlisted(&k);
	}
	gpadl_destroy(g);
	physmem_destroy(k.mem);
	return 0;
}
