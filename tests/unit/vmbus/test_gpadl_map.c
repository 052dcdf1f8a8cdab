/*
 * tests/unit/vmbus/test_gpadl_map.c — the no-copy side of vmbus/gpadl.c:
 * gpadl_reparse_ranges (one GPADL object reused for a VSP's per-request
 * page lists: same checks as gpadl_from_ranges, refused copies after a
 * failed parse, growing from one range to many) and gpadl_map (host
 * pointers to the page pieces of a span: the same bytes the copies
 * reach, the piece limit, spans outside the GPADL refused).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mmu/mmu.h"
#include "vmbus/gpadl.h"

#define RAM_PAGES 64u
#define RAM	  (RAM_PAGES * 4096u)

static struct physmem *pm;

static void setup(void)
{
	pm = physmem_create(RAM);
	cr_assert_not_null(pm);
}

static void teardown(void)
{
	physmem_destroy(pm);
}

TestSuite(gpadl_map, .init = setup, .fini = teardown);

static uint64_t w[64];
static unsigned nw;

static void put_range(uint32_t count, uint32_t offset)
{
	w[nw++] = (uint64_t)offset << 32 | count;
}

static void put_pfn(uint64_t pfn)
{
	w[nw++] = pfn;
}

/* range 0: 5000 bytes from offset 100 of pages 10, 11; range 1: 10 bytes
 * from offset 4090 of pages 20, 21 (crosses a page). */
static void two_ranges(void)
{
	nw = 0;
	put_range(5000, 100);
	put_pfn(10);
	put_pfn(11);
	put_range(10, 4090);
	put_pfn(20);
	put_pfn(21);
}

Test(gpadl_map, pieces_are_the_pages_the_copies_reach)
{
	struct gpadl *g = NULL;
	two_ranges();
	cr_assert_eq(gpadl_from_ranges(pm, 2, w, nw * 8, &g), GPADL_OK);
	struct gpadl_seg seg[8];
	unsigned n = 99;
	cr_assert_eq(gpadl_map(g, 0, 5010, seg, 8, &n), GPADL_OK);
	cr_assert_eq(n, 4);
	const uint64_t gpa[4] = {10 * 4096 + 100, 11 * 4096, 20 * 4096 + 4090,
				 21 * 4096};
	const size_t len[4] = {3996, 1004, 6, 4};
	uint8_t *ram = physmem_ram_ptr(pm, 0, RAM);
	for (unsigned i = 0; i < 4; i++) {
		cr_assert_eq(seg[i].gpa, gpa[i], "piece %u", i);
		cr_assert_eq(seg[i].len, len[i], "piece %u", i);
		cr_assert_eq(seg[i].host, ram + gpa[i], "piece %u", i);
	}
	/* A span in the middle: from byte 3990 of range 0 to byte 3 of 1. */
	cr_assert_eq(gpadl_map(g, 3990, 1013, seg, 8, &n), GPADL_OK);
	cr_assert_eq(n, 3);
	cr_assert_eq(seg[0].gpa, 10 * 4096 + 4090);
	cr_assert_eq(seg[0].len, 6);
	cr_assert_eq(seg[1].len, 1004);
	cr_assert_eq(seg[2].gpa, 20 * 4096 + 4090);
	cr_assert_eq(seg[2].len, 3);
	/* Too few entries, and spans outside the GPADL. */
	cr_assert_eq(gpadl_map(g, 0, 5010, seg, 3, &n), GPADL_ERR_TOO_BIG);
	cr_assert_eq(gpadl_map(g, 0, 5011, seg, 8, &n),
		     GPADL_ERR_OUT_OF_RANGE);
	cr_assert_eq(n, 0);
	cr_assert_eq(gpadl_map(g, UINT64_MAX - 1, 4, seg, 8, &n),
		     GPADL_ERR_OUT_OF_RANGE);
	cr_assert_eq(gpadl_map(g, 5010, 0, seg, 8, &n), GPADL_OK);
	cr_assert_eq(n, 0);
	gpadl_destroy(g);
}

Test(gpadl_map, reparse_reuses_one_object_with_the_same_checks)
{
	struct gpadl *g = NULL;
	uint8_t b[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

	/* First use allocates; one range. */
	nw = 0;
	put_range(100, 8);
	put_pfn(3);
	cr_assert_eq(gpadl_reparse_ranges(&g, pm, 1, w, nw * 8), GPADL_OK);
	cr_assert_not_null(g);
	struct gpadl *first = g;
	cr_assert_eq(gpadl_size(g), 100);
	cr_assert_eq(gpadl_copy_to(g, 0, b, 16), GPADL_OK);
	cr_assert_arr_eq(physmem_ram_ptr(pm, 3 * 4096 + 8, 16), b, 16);

	/* Then two ranges in the same object (its arrays grow). */
	two_ranges();
	cr_assert_eq(gpadl_reparse_ranges(&g, pm, 2, w, nw * 8), GPADL_OK);
	cr_assert_eq(g, first);
	cr_assert_eq(gpadl_size(g), 5010);
	cr_assert_eq(gpadl_page_count(g), 4);
	cr_assert_eq(gpadl_pfn(g, 3), 21);

	/* The statuses of gpadl_from_ranges; after one, nothing is reachable. */
	cr_assert_eq(gpadl_reparse_ranges(&g, pm, 2, w, 8 * (nw - 1)),
		     GPADL_ERR_LENGTH);
	cr_assert_eq(gpadl_copy_from(g, 0, b, 1), GPADL_ERR_INCOMPLETE);
	struct gpadl_seg seg[4];
	unsigned n;
	cr_assert_eq(gpadl_map(g, 0, 1, seg, 4, &n), GPADL_ERR_INCOMPLETE);
	cr_assert_eq(gpadl_reparse_ranges(&g, pm, 1, w, nw * 8),
		     GPADL_ERR_EXTRA);
	cr_assert_eq(gpadl_reparse_ranges(&g, pm, 0, w, nw * 8),
		     GPADL_ERR_BAD_RANGE);
	cr_assert_eq(gpadl_size(g), 0);
	w[1] = RAM_PAGES; /* the first PFN is beyond the child's RAM */
	cr_assert_eq(gpadl_reparse_ranges(&g, pm, 2, w, nw * 8),
		     GPADL_ERR_PFN_OUTSIDE_RAM);
	cr_assert_eq(gpadl_size(g), 0);

	/* And it serves the next good list again. */
	w[1] = 10;
	cr_assert_eq(gpadl_reparse_ranges(&g, pm, 2, w, nw * 8), GPADL_OK);
	cr_assert_eq(gpadl_map(g, 4990, 20, seg, 4, &n), GPADL_OK);
	cr_assert_eq(n, 3);
	cr_assert_eq(g, first);
	gpadl_destroy(g);
}
